"""A handler for aiosmtpd, the real SMTP server the tests send to:

    python3 -m aiosmtpd -n -l 127.0.0.1:PORT -c scdi_smtp.Save FOLDER [MODE]

MODE: `accept` (the default) keeps every message; `reject` refuses every message with a
permanent 550; `slow-first` keeps the first message at once but answers its 250 only after
three seconds (a test kills the site in that gap); `slow` answers every message after 1.5
seconds, as a loaded mail server might; `refuse-some` refuses, with a permanent 550, every
recipient whose address starts with `refused` and keeps the message for the others.

Each message kept is written as FOLDER/<n>.eml (the raw bytes received) and FOLDER/<n>.json
(the envelope, the decoded headers in order and the decoded text body, parsed by Python's
email package); the .json appears last, complete.
"""

import asyncio
import email
import email.policy
import json
import os
import time


class Save:
    def __init__(self, folder, mode="accept"):
        self.folder = folder
        self.mode = mode
        self.kept = 0

    @classmethod
    def from_cli(cls, parser, *args):
        return cls(*args)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.mode == "refuse-some" and address.startswith("refused"):
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.mode == "reject":
            return "550 5.7.1 Mailbox unavailable: refused by the test server"
        raw = envelope.content
        message = email.message_from_bytes(raw, policy=email.policy.default)
        parsed = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "headers": [[name, str(value)] for name, value in message.items()],
            "body": message.get_content(),
        }
        name = os.path.join(self.folder, str(time.time_ns()))
        with open(name + ".eml", "wb") as f:
            f.write(raw)
        with open(name + ".tmp", "w", encoding="utf-8") as f:
            json.dump(parsed, f, ensure_ascii=False)
        os.rename(name + ".tmp", name + ".json")
        self.kept += 1
        if self.mode == "slow-first" and self.kept == 1:
            await asyncio.sleep(3)
        if self.mode == "slow":
            await asyncio.sleep(1.5)
        return "250 OK"
