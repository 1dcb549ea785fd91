-- The shared limit's buckets were named by the client's address; they are named by a code
-- that 65,536 addresses share from now on (`limit::shared_code`). The addresses held until
-- now go: each bucket is minutes old at most, so a client's allowance is whole again.
DELETE FROM rate_limits;
