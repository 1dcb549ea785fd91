mod addresses;
mod handling;
mod notify;

use std::{fmt, path::PathBuf, str::FromStr};

pub use addresses::{FormAction, FormOrigin, MirrorUrl, OnionUrl};
pub use handling::{Facts, Handling, Privacy, FORGET_CLIENTS_EVERY};
pub use notify::{Content, NotifyConfig, SmtpUrl, WebhookUrl};

/// Server configuration. Every flag has an environment fallback, documented in the README.
#[derive(clap::Args, Clone, Debug)]
pub struct Config {
    /// Address to listen on (HOST:PORT).
    #[arg(long, env = "SCDI_ADDR", default_value = "127.0.0.1:3000")]
    pub addr: String,
    /// Where messages are stored: a SQLite file (created with its schema on first run), or a
    /// PostgreSQL URL (`postgres://user@host/db`) for several instances.
    #[arg(long, env = "SCDI_DB", default_value = "data/scdi.sqlite3")]
    pub db: Database,
    /// A file holding the PostgreSQL password (first line); or set `SCDI_DB_PASSWORD`. Either
    /// keeps it out of the command line, which `ps` shows.
    #[arg(long, env = "SCDI_DB_PASSWORD_FILE")]
    pub db_password_file: Option<PathBuf>,
    #[command(flatten)]
    pub sources: SiteSources,
    /// Public base URL, for canonical, hreflang, Open Graph and sitemap links: http or
    /// https and a host, nothing after it.
    #[arg(long, env = "SCDI_BASE_URL", default_value = "http://127.0.0.1:3000")]
    pub base_url: BaseUrl,
    /// Reload locales and templates when they change (for translators and developers), as a
    /// fresh start loads them; what the locale check finds shows in a banner on every page.
    #[arg(long, env = "SCDI_WATCH")]
    pub watch: bool,
    /// The site is served over HTTPS (behind a TLS proxy): send Strict-Transport-Security and
    /// mark cookies `Secure`.
    #[arg(long, env = "SCDI_HTTPS")]
    pub https: bool,
    /// With `--https`: how long browsers must use HTTPS only (Strict-Transport-Security),
    /// in seconds. A day by default, so that a TLS mistake in the first weeks is not locked
    /// in; raise it to 63072000 (two years) once HTTPS has run well for a month.
    #[arg(long, env = "SCDI_HSTS_MAX_AGE_SECS", default_value_t = 86400)]
    pub hsts_max_age_secs: u64,
    /// Request header carrying the client's address, set by a trusted reverse proxy (e.g.
    /// `X-Real-IP`); without it the socket's address is used. Never set it without a proxy
    /// that overwrites the header: clients could choose their own address.
    #[arg(long, env = "SCDI_CLIENT_IP_HEADER", value_parser = header_name)]
    pub client_ip_header: Option<String>,
    /// Seconds a request may take in all, body upload included.
    #[arg(long, env = "SCDI_REQUEST_TIMEOUT", default_value_t = 30,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub request_timeout_secs: u64,
    /// Seconds a client has to send a request's headers.
    #[arg(long, env = "SCDI_HEADER_TIMEOUT", default_value_t = 10)]
    pub header_timeout_secs: u64,
    /// Log a line per request (method, route, status, latency). By default requests are
    /// only counted, per method, route and status, and the counts logged every minute.
    #[arg(long, env = "SCDI_ACCESS_LOG")]
    pub access_log: bool,
    /// Open connections in all; lowered at startup to fit the process's open-file limit.
    #[arg(long, env = "SCDI_MAX_CONNECTIONS", default_value_t = 4096,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub max_connections: u32,
    /// Open connections per client address (IPv6: per /64); 0 for no limit. Not applied
    /// with `--client-ip-header`, where every connection comes from the proxy.
    #[arg(long, env = "SCDI_MAX_CONNECTIONS_PER_CLIENT", default_value_t = 64)]
    pub max_connections_per_client: u32,
    /// Another address of this site (a mirror), shown on every page (repeat the flag, or
    /// separate with commas).
    #[arg(long = "mirror", env = "SCDI_MIRRORS", value_delimiter = ',')]
    pub mirrors: Vec<MirrorUrl>,
    /// The site's onion service: sent as `Onion-Location` with every page, and shown on
    /// every page.
    #[arg(long, env = "SCDI_ONION_URL")]
    pub onion_url: Option<OnionUrl>,
    /// A second address to listen on, for Tor's onion service only: every connection must
    /// open with Tor's PROXY protocol line (`HiddenServiceExportCircuitID haproxy`), and
    /// the message limit counts Tor circuits there, not Tor's one address.
    #[arg(long, env = "SCDI_ONION_LISTEN")]
    pub onion_listen: Option<String>,
    /// Origins of mirrors whose contact form posts here (comma-separated); every other
    /// cross-site POST is refused.
    #[arg(long, env = "SCDI_ALLOWED_FORM_ORIGINS", value_delimiter = ',')]
    pub allowed_form_origins: Vec<FormOrigin>,
    #[command(flatten)]
    pub handling: Handling,
    #[command(flatten)]
    pub notify: NotifyConfig,
}

/// The folders a site is made from, and when a language is offered to readers: the same
/// flags for `serve`, `export` and `l10n`.
#[derive(clap::Args, Clone, Debug)]
pub struct SiteSources {
    /// Folder with one sub-folder of `.ftl` files per language.
    #[arg(long, env = "SCDI_LOCALES", default_value = "locales")]
    pub locales_dir: PathBuf,
    /// Folder with the minijinja `*.html` templates.
    #[arg(long, env = "SCDI_TEMPLATES", default_value = "templates")]
    pub templates_dir: PathBuf,
    /// Folder served under `/static`.
    #[arg(long, env = "SCDI_STATIC", default_value = "static")]
    pub static_dir: PathBuf,
    /// Folder with the campaign's statements (`statements/<slug>/<lang>.md`); none is fine.
    #[arg(long, env = "SCDI_CONTENT", default_value = "content")]
    pub content_dir: PathBuf,
    /// Percentage of the English messages a language needs to be offered to readers (by
    /// negotiation and the switcher); below it, it can still be previewed at its URL prefix.
    #[arg(long, env = "SCDI_MIN_COMPLETENESS", default_value_t = 90.0, value_parser = percentage)]
    pub min_completeness: f64,
}

/// A request header's name as HTTP writes it (a token: no spaces, no comment after it), in
/// lower case. A value with anything else in it (an environment file's `# comment` kept in
/// the value) would never match a request, silently.
fn header_name(s: &str) -> Result<String, String> {
    axum::http::HeaderName::from_bytes(s.as_bytes())
        .map(|name| name.as_str().to_string())
        .map_err(|_| {
            format!(
                "`{s}` is not a header name (letters, digits and `-`, like X-Real-IP; in an \
                 environment file, put comments on lines of their own)"
            )
        })
}

/// A percentage, 0 to 100.
fn percentage(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(p) if (0.0..=100.0).contains(&p) => Ok(p),
        _ => Err(format!("`{s}` is not a percentage from 0 to 100")),
    }
}

/// `T`'s defaults as the command line gives them with no flags and no environment: the
/// defaults are written once, in the clap attributes.
fn defaults<T: clap::FromArgMatches + clap::Args>() -> T {
    let command =
        T::augment_args(clap::Command::new("defaults")).mut_args(|arg| arg.env(None::<&str>));
    let matches = command
        .try_get_matches_from(["defaults"])
        .expect("every flag has a default or is optional");
    T::from_arg_matches(&matches).expect("the defaults parse")
}

impl SiteSources {
    /// The default folders below `root` (the repository).
    pub fn rooted(root: &std::path::Path) -> Self {
        let defaults: Self = defaults();
        Self {
            locales_dir: root.join(defaults.locales_dir),
            templates_dir: root.join(defaults.templates_dir),
            static_dir: root.join(defaults.static_dir),
            content_dir: root.join(defaults.content_dir),
            ..defaults
        }
    }
}

impl Config {
    /// The default configuration with the site's folders below `root` (the repository) and
    /// the given database, listening on any free port. Used by tests and tools that do not
    /// go through the command line.
    pub fn rooted(root: &std::path::Path, db: impl Into<Database>) -> Self {
        Self {
            addr: "127.0.0.1:0".into(),
            db: db.into(),
            sources: SiteSources::rooted(root),
            ..defaults()
        }
    }
}

impl Config {
    /// What the privacy page states of this site.
    pub fn privacy(&self) -> Privacy {
        Privacy::of(&self.handling, &self.notify, self.onion_url.as_ref())
    }

    /// The site's addresses other than `here` (this copy's), for the footer of every page.
    pub fn other_addresses(&self, here: &str) -> Vec<String> {
        other_addresses(&self.base_url, &self.mirrors, self.onion_url.as_ref(), here)
    }

    /// Whether `--base-url` is the default (this machine's loopback address).
    pub fn base_url_is_default(&self) -> bool {
        self.base_url == defaults::<Self>().base_url
    }

    /// Whether `--db` is the default file, whose folder (`data/`) is made on first run;
    /// any other path must be in a folder that exists.
    pub fn db_is_default(&self) -> bool {
        self.db == defaults::<Self>().db
    }

    /// The PostgreSQL password (see [`secret`]): a file, `SCDI_DB_PASSWORD` or the systemd
    /// credential `db-password`, if given.
    pub fn db_password(&self) -> std::io::Result<Option<String>> {
        db_password(self.db_password_file.as_deref())
    }
}

/// The site's addresses other than `here` (this copy's): the primary, the mirrors and the
/// onion service, sorted.
pub fn other_addresses(
    primary: &BaseUrl,
    mirrors: &[MirrorUrl],
    onion: Option<&OnionUrl>,
    here: &str,
) -> Vec<String> {
    let mut all: Vec<String> = mirrors.iter().map(|m| m.as_str().to_string()).collect();
    all.push(primary.as_str().to_string());
    all.extend(onion.map(|o| o.as_str().to_string()));
    all.retain(|a| a != here);
    all.sort();
    all.dedup();
    all
}

/// The PostgreSQL password (see [`secret`]).
pub fn db_password(file: Option<&std::path::Path>) -> std::io::Result<Option<String>> {
    secret(file, "SCDI_DB_PASSWORD", "db-password")
}

/// A secret from its file (the first line), else from the environment variable `var`,
/// else from the systemd credential `credential` (`LoadCredential=` in the unit, read from
/// `$CREDENTIALS_DIRECTORY`): never from the command line, which `ps` shows.
pub(crate) fn secret(
    file: Option<&std::path::Path>,
    var: &str,
    credential: &str,
) -> std::io::Result<Option<String>> {
    if let Some(file) = file {
        return read_secret(file).map(Some);
    }
    if let Ok(value) = std::env::var(var) {
        return Ok(Some(value));
    }
    let Some(dir) = std::env::var_os("CREDENTIALS_DIRECTORY") else {
        return Ok(None);
    };
    let path = std::path::Path::new(&dir).join(credential);
    if !path.exists() {
        return Ok(None);
    }
    read_secret(&path).map(Some)
}

/// The first line of a secret's file (a password, a signing key).
pub fn read_secret(file: &std::path::Path) -> std::io::Result<String> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| std::io::Error::new(e.kind(), format!("{}: {e}", file.display())))?;
    Ok(text.lines().next().unwrap_or("").to_string())
}

/// Where messages are stored.
#[derive(Clone, PartialEq, Eq)]
pub enum Database {
    /// A SQLite file: the embedded default.
    File(PathBuf),
    /// A PostgreSQL URL, for several instances on one database. Never shown with its
    /// password (in logs, errors or `Debug`).
    Postgres(String),
}

impl FromStr for Database {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        if !(s.starts_with("postgres://") || s.starts_with("postgresql://")) {
            // `mysql://...`, `sqlite:///...`: a scheme this site does not take, which would
            // otherwise name a folder `mysql:`.
            let scheme = s.split_once(':').map(|(scheme, _)| scheme);
            if s.is_empty()
                || scheme
                    .is_some_and(|c| c.len() > 1 && c.chars().all(|c| c.is_ascii_alphanumeric()))
            {
                return Err("give a SQLite file's path (data/scdi.sqlite3) or a \
                            postgres:// URL"
                    .into());
            }
            return Ok(Database::File(s.into()));
        }
        let url = url::Url::parse(s).map_err(|e| {
            format!("not a PostgreSQL URL ({e}): give one like postgres://scdi@localhost/scdi")
        })?;
        if url.host_str().is_none_or(str::is_empty) && !url.query_pairs().any(|(k, _)| k == "host")
        {
            return Err("a PostgreSQL URL needs a host: postgres://scdi@localhost/scdi".into());
        }
        Ok(Database::Postgres(s.to_string()))
    }
}

impl From<PathBuf> for Database {
    fn from(path: PathBuf) -> Self {
        Database::File(path)
    }
}

impl fmt::Display for Database {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Database::File(path) => write!(f, "{}", path.display()),
            Database::Postgres(url) => match url::Url::parse(url) {
                Ok(mut url) => {
                    if url.password().is_some() {
                        let _ = url.set_password(Some("***"));
                    }
                    // libpq's `?password=` too.
                    if url.query_pairs().any(|(k, _)| k == "password") {
                        let pairs: Vec<(String, String)> = url
                            .query_pairs()
                            .map(|(k, v)| {
                                let v = if k == "password" { "***".into() } else { v };
                                (k.into_owned(), v.into_owned())
                            })
                            .collect();
                        url.query_pairs_mut().clear().extend_pairs(pairs);
                    }
                    write!(f, "{url}")
                }
                Err(_) => f.write_str("postgres://***"),
            },
        }
    }
}

impl fmt::Debug for Database {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Database({self})")
    }
}

/// The public address of the site: http or https and a host (a port if need be), and no
/// path, query, fragment or credentials, since every link on the site starts at the root of
/// its host. Normalised (lower-case host, no default port, no trailing slash), so that
/// `{base}/en/` is always right.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BaseUrl(String);

impl FromStr for BaseUrl {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let example = "give the address readers use, like https://example.org";
        let url = url::Url::parse(s).map_err(|e| format!("not a URL ({e}): {example}"))?;
        let problem = if !matches!(url.scheme(), "http" | "https") {
            Some("the scheme must be http or https")
        } else if !url.username().is_empty() || url.password().is_some() {
            Some("no user or password belongs in it")
        } else if url.query().is_some() {
            Some("no query (`?...`) belongs in it")
        } else if url.fragment().is_some() {
            Some("no fragment (`#...`) belongs in it")
        } else if url.path() != "/" {
            Some("the site is served at the root of its host: no path belongs in it")
        } else {
            None
        };
        match problem {
            Some(problem) => Err(format!("{problem}: {example}")),
            None => Ok(Self(url.as_str().trim_end_matches('/').to_string())),
        }
    }
}

impl BaseUrl {
    /// Without a trailing slash: `https://example.org`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The host, without a port: `example.org`.
    pub fn host(&self) -> String {
        url::Url::parse(&self.0)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
            .unwrap_or_default()
    }
}

impl fmt::Display for BaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::{BaseUrl, Config};
    use clap::Parser;

    #[derive(Parser)]
    struct Serve {
        #[command(flatten)]
        config: Config,
    }

    fn parse(args: &[&str]) -> Result<Config, String> {
        let args = std::iter::once("scdi-site").chain(args.iter().copied());
        Serve::try_parse_from(args)
            .map(|s| s.config)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn notification_flags_that_need_each_other_are_refused_alone() {
        let email = parse(&["--notify-email", "organisers@example.org"]).unwrap_err();
        assert!(
            email.contains("--smtp-url") && email.contains("--notify-from"),
            "{email}"
        );
        let server = parse(&["--smtp-url", "smtp://127.0.0.1:25"]).unwrap_err();
        assert!(server.contains("--notify-email"), "{server}");
        parse(&[
            "--notify-email",
            "organisers@example.org",
            "--notify-from",
            "website@example.org",
            "--smtp-url",
            "smtp://127.0.0.1:25",
        ])
        .unwrap();
    }

    /// A value that would make the site misbehave without a word is refused at startup,
    /// the error naming the flag.
    #[test]
    fn values_are_refused_not_bent() {
        for (args, flag) in [
            (
                &["--request-timeout-secs", "0"][..],
                "--request-timeout-secs",
            ),
            (&["--contact-burst", "0"], "--contact-burst"),
            (&["--min-completeness", "101"], "--min-completeness"),
            (&["--min-completeness=-1"], "--min-completeness"),
            (
                &["--onion-url", "http://expyuzz4wqqyqhjn.onion"],
                "--onion-url",
            ),
            (&["--db", "mysql://scdi@localhost/scdi"], "--db"),
            (&["--db", "sqlite:///var/lib/scdi.sqlite3"], "--db"),
            (
                &["--client-ip-header", "X-Real-IP   # the reader's address"],
                "--client-ip-header",
            ),
        ] {
            let err = parse(args).unwrap_err();
            assert!(err.contains(flag), "{args:?}: {err}");
        }
        let ok = parse(&[
            "--client-ip-header",
            "X-Real-IP",
            "--min-completeness",
            "0",
            "--db",
            "/var/lib/scdi-site/scdi.sqlite3",
        ])
        .unwrap();
        assert_eq!(ok.client_ip_header.as_deref(), Some("x-real-ip"));
    }

    /// `Config::rooted` (tests, tools) has no defaults of its own: they are the command
    /// line's.
    #[test]
    fn rooted_takes_the_command_lines_defaults() {
        let root = std::path::Path::new("/srv/site");
        let rooted = Config::rooted(root, std::path::PathBuf::from("x.sqlite3"));
        let parsed = parse(&[]).unwrap();
        assert_eq!(
            rooted.sources.locales_dir,
            root.join(&parsed.sources.locales_dir)
        );
        assert_eq!(
            rooted.sources.static_dir,
            root.join(&parsed.sources.static_dir)
        );
        assert_eq!(
            format!(
                "{:?}",
                Config {
                    addr: rooted.addr.clone(),
                    db: rooted.db.clone(),
                    sources: rooted.sources.clone(),
                    ..parsed
                }
            ),
            format!("{rooted:?}")
        );
    }

    #[test]
    fn database_urls_never_show_their_password() {
        use super::Database;
        let db: Database = "postgres://scdi:s3cret@db.example.org:5432/scdi"
            .parse()
            .unwrap();
        assert_eq!(
            db.to_string(),
            "postgres://scdi:***@db.example.org:5432/scdi"
        );
        assert!(!format!("{db:?}").contains("s3cret"));
        let in_query: Database =
            "postgres://scdi@db.example.org/scdi?sslmode=require&password=s3cret"
                .parse()
                .unwrap();
        assert!(!in_query.to_string().contains("s3cret"), "{in_query}");
        assert!(
            in_query.to_string().contains("sslmode=require"),
            "{in_query}"
        );
        let file: Database = "data/scdi.sqlite3".parse().unwrap();
        assert_eq!(file, Database::File("data/scdi.sqlite3".into()));
        assert!("postgres://".parse::<Database>().is_err());
    }

    #[test]
    fn base_urls_are_normalised() {
        for (given, kept) in [
            ("https://example.org", "https://example.org"),
            ("https://example.org/", "https://example.org"),
            ("HTTPS://Example.ORG:443/", "https://example.org"),
            ("http://127.0.0.1:3000/", "http://127.0.0.1:3000"),
            ("http://[::1]:8080", "http://[::1]:8080"),
        ] {
            assert_eq!(given.parse::<BaseUrl>().unwrap().as_str(), kept, "{given}");
        }
    }
}
