//! The command line: every subcommand and its flags (clap), with environment fallbacks.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use scdi_site::{
    config::{
        BaseUrl, Database, FormAction, Handling, MirrorUrl, NotifyConfig, OnionUrl, Privacy,
        SiteSources,
    },
    export, l10n, mirror,
    store::Store,
    Config,
};

#[derive(Parser)]
#[command(version, about, args_conflicts_with_subcommands = true)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Option<Command>,
    /// With no subcommand, the site is served with these options.
    #[command(flatten)]
    pub(crate) serve: Config,
}

#[derive(Subcommand)]
pub(crate) enum Command {
    /// Serve the website (the default).
    Serve(Config),
    /// Tools for translators.
    L10n {
        #[command(subcommand)]
        command: L10nCommand,
    },
    /// The messages sent through the contact form, for organisers.
    Messages {
        #[command(subcommand)]
        command: MessagesCommand,
    },
    /// Write the site as static files for a mirror (any static host, any path prefix).
    Export(ExportArgs),
    /// Organisers' notifications.
    Notify {
        #[command(subcommand)]
        command: NotifyCommand,
    },
    /// Copy a live SQLite database to a new file, consistently, while the site runs.
    Backup(BackupArgs),
    /// The contact form's message limit, shared by instances on PostgreSQL.
    Limits {
        #[command(subcommand)]
        command: LimitsCommand,
    },
}

#[derive(Args)]
pub(crate) struct BackupArgs {
    /// The copy to write: a new file (it is made readable by you only).
    pub(crate) file: PathBuf,
    #[command(flatten)]
    pub(crate) db: DbArgs,
}

#[derive(Subcommand)]
pub(crate) enum LimitsCommand {
    /// Give a client (or every client) its whole allowance back, e.g. after a proxy
    /// misconfiguration counted every reader as one.
    Reset {
        /// The client's address (an IPv6 address clears its /64); every client without it.
        address: Option<std::net::IpAddr>,
        #[command(flatten)]
        db: DbArgs,
    },
}

/// The database a command works on.
#[derive(Args)]
pub(crate) struct DbArgs {
    /// The database the site writes to: a SQLite file or a postgres:// URL.
    #[arg(long, env = "SCDI_DB", default_value = "data/scdi.sqlite3")]
    pub(crate) db: Database,
    /// A file holding the PostgreSQL password; or set `SCDI_DB_PASSWORD`.
    #[arg(long, env = "SCDI_DB_PASSWORD_FILE")]
    pub(crate) db_password_file: Option<PathBuf>,
}

#[derive(Args)]
pub(crate) struct ExportArgs {
    /// The folder to write: new or empty (see --force).
    pub(crate) out: PathBuf,
    /// Where this copy will be served, with its path if under one:
    /// https://user.github.io/scdi.
    #[arg(long)]
    pub(crate) base_url: MirrorUrl,
    /// The live site the copy's contact form posts to, e.g. https://example.org (it must
    /// list this copy's origin in its --allowed-form-origins).
    #[arg(long)]
    pub(crate) form_action: FormAction,
    /// The primary site, for canonical links (default: --form-action).
    #[arg(long)]
    pub(crate) canonical_url: Option<BaseUrl>,
    /// Replace what the folder holds.
    #[arg(long)]
    pub(crate) force: bool,
    /// The site's other addresses, shown on every page (repeat, or separate with commas).
    #[arg(long = "mirror", env = "SCDI_MIRRORS", value_delimiter = ',')]
    pub(crate) mirrors: Vec<MirrorUrl>,
    /// The site's onion service (`<meta http-equiv="onion-location">` on every page).
    #[arg(long, env = "SCDI_ONION_URL")]
    pub(crate) onion_url: Option<OnionUrl>,
    #[command(flatten)]
    pub(crate) sources: SiteSources,
    /// The live site's handling of messages (`serve`'s flags and environment), which the
    /// copy's privacy page states: export with the live site's settings.
    #[command(flatten)]
    pub(crate) handling: Handling,
    #[command(flatten)]
    pub(crate) notify: NotifyConfig,
}

impl ExportArgs {
    /// What to export, and the folders to make it from.
    pub(crate) fn options(self) -> (SiteSources, mirror::ExportOptions) {
        let options = mirror::ExportOptions {
            out: self.out,
            base_url: self.base_url,
            canonical_url: self
                .canonical_url
                .unwrap_or_else(|| self.form_action.base_url().clone()),
            form_action: self.form_action,
            mirrors: self.mirrors,
            privacy: Privacy::of(&self.handling, &self.notify, self.onion_url.as_ref()),
            onion_url: self.onion_url,
            force: self.force,
        };
        (self.sources, options)
    }
}

#[derive(Subcommand)]
pub(crate) enum NotifyCommand {
    /// Send a test notification on every configured channel (the same flags as `serve`)
    /// and say what each server answered.
    Test(Config),
}

#[derive(Subcommand)]
pub(crate) enum MessagesCommand {
    /// Print the messages for reading.
    List(MessagesArgs),
    /// Print the messages as CSV (UTF-8, opens in spreadsheets) or JSON.
    Export {
        #[arg(long, value_enum)]
        format: ExportFormat,
        #[command(flatten)]
        args: MessagesArgs,
    },
    /// Delete messages (by number, as `list` shows them) with their notifications, for
    /// good: for a correspondent who asks.
    Delete {
        #[arg(required = true)]
        ids: Vec<i64>,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Delete every message older than so many days, with its notifications.
    Purge {
        /// Days: messages received before that many days ago are deleted.
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
        older_than: u32,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Copy every message and notification to another database (SQLite to PostgreSQL when
    /// growing), keeping numbers, times and states; run again, it copies only what is new.
    Copy {
        /// The database to copy from (the site's, stopped or not).
        #[arg(long)]
        from: Database,
        /// The database to copy to: its schema is made if need be. Its password (if
        /// PostgreSQL): `--db-password-file` or `SCDI_DB_PASSWORD`.
        #[arg(long)]
        to: Database,
        /// A file holding the PostgreSQL password; or set `SCDI_DB_PASSWORD`.
        #[arg(long, env = "SCDI_DB_PASSWORD_FILE")]
        db_password_file: Option<PathBuf>,
    },
}

#[derive(Args)]
pub(crate) struct MessagesArgs {
    #[command(flatten)]
    pub(crate) db: DbArgs,
    /// Only messages received on or after this UTC date (2026-11-01) or time
    /// (2026-11-01T08:30:00Z).
    #[arg(long, value_parser = export::parse_since)]
    pub(crate) since: Option<String>,
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub(crate) enum ExportFormat {
    Csv,
    Json,
}

#[derive(Subcommand)]
pub(crate) enum L10nCommand {
    /// Check every locale against English: syntax, missing, outdated and obsolete messages,
    /// variables, references, ids used by templates and code, and Persian typography.
    Check(CheckArgs),
    /// One language's to-do: each message to translate or check, with its English and what
    /// it is for, then the language's other findings.
    Todo(TodoArgs),
    /// Record that translations were made from today's English (after translating or
    /// checking them), so that `check` can tell when the English changes.
    MarkTranslated(MarkArgs),
    /// Start a language: its folder, with every English message as a comment where its
    /// translation goes, and its entry in languages.toml.
    NewLanguage(NewLanguageArgs),
}

#[derive(Args)]
pub(crate) struct NewLanguageArgs {
    /// Its language tag (BCP 47), e.g. `ckb` (Central Kurdish), `ar`, `az-Arab`.
    pub(crate) tag: String,
    /// Its name in its own script, for the language switcher, e.g. `کوردی`.
    #[arg(long)]
    pub(crate) name: String,
    /// Its Open Graph locale for link previews, e.g. `ckb_IQ` (derived from the tag if not
    /// given).
    #[arg(long)]
    pub(crate) og_locale: Option<String>,
    #[arg(long, env = "SCDI_LOCALES", default_value = "locales")]
    pub(crate) locales_dir: PathBuf,
}

#[derive(Args)]
pub(crate) struct MarkArgs {
    /// The language, e.g. `fa`.
    pub(crate) lang: String,
    /// The messages to mark, e.g. `home-heading nav-home`, and statements, as
    /// `statements/<slug>`.
    #[arg(required_unless_present = "all", conflicts_with = "all")]
    pub(crate) ids: Vec<String>,
    /// Mark every message the language has (after checking them all); outdated ones only
    /// with --include-outdated.
    #[arg(long)]
    pub(crate) all: bool,
    /// With --all, mark the outdated translations too (after checking each against today's
    /// English).
    #[arg(long, requires = "all")]
    pub(crate) include_outdated: bool,
    #[arg(long, env = "SCDI_LOCALES", default_value = "locales")]
    pub(crate) locales_dir: PathBuf,
    #[arg(long, env = "SCDI_CONTENT", default_value = "content")]
    pub(crate) content_dir: PathBuf,
}

#[derive(Args)]
pub(crate) struct CheckArgs {
    /// Print the findings as JSON (the same as `--format json`).
    #[arg(long, conflicts_with = "format")]
    pub(crate) json: bool,
    /// How to print the findings: for people, as JSON, or as GitHub annotations (which a
    /// pull request shows on the changed lines).
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub(crate) format: Format,
    /// Fail on warnings too, for the languages readers are offered (a language still in
    /// preview is expected to have warnings).
    #[arg(long)]
    pub(crate) strict: bool,
    /// Only this language's findings (and only they decide the exit status).
    #[arg(long)]
    pub(crate) locale: Option<String>,
    #[command(flatten)]
    pub(crate) dirs: L10nDirs,
}

#[derive(Clone, Copy, PartialEq, clap::ValueEnum)]
pub(crate) enum Format {
    Text,
    Json,
    Github,
}

/// Where the check looks.
#[derive(Args)]
pub(crate) struct L10nDirs {
    #[command(flatten)]
    pub(crate) sources: SiteSources,
    /// Rust sources scanned for `msg!` ids (skipped when missing).
    #[arg(long, default_value = "src")]
    pub(crate) src_dir: PathBuf,
}

impl L10nDirs {
    pub(crate) fn check(self) -> anyhow::Result<l10n::Report> {
        l10n::check(&l10n::CheckOptions {
            locales_dir: self.sources.locales_dir,
            templates_dir: self.sources.templates_dir,
            src_dir: self.src_dir,
            min_completeness: self.sources.min_completeness,
            content_dir: self.sources.content_dir,
        })
    }
}

#[derive(Args)]
pub(crate) struct TodoArgs {
    /// The language, e.g. `fa`.
    pub(crate) lang: String,
    #[command(flatten)]
    pub(crate) dirs: L10nDirs,
}

impl DbArgs {
    /// The database with its password, opened to read it only, or to change what it holds
    /// (never created or migrated either way).
    pub(crate) async fn open(&self, change: bool) -> anyhow::Result<Store> {
        let password = scdi_site::config::db_password(self.db_password_file.as_deref())
            .context("reading the database password")?;
        let password = password.as_deref();
        let opened = if change {
            Store::open_existing(&self.db, password).await
        } else {
            Store::open_read_only(&self.db, password).await
        };
        opened.with_context(|| format!("opening {}", self.db))
    }
}
