//! The `scdi-site` binary: parse configuration, set up logging, serve until Ctrl-C, SIGTERM or
//! SIGHUP.

use std::{io::Write, path::PathBuf, process::ExitCode, time::Duration};

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use scdi_site::{
    app,
    config::{BaseUrl, Database, MirrorUrl, OnionUrl},
    export, l10n, mirror, server,
    store::Store,
    AppState, Config,
};
use tracing_subscriber::EnvFilter;

/// How often the request counts are logged (the default access log).
const TRAFFIC_PERIOD: Duration = Duration::from_secs(60);

#[derive(Parser)]
#[command(version, about, args_conflicts_with_subcommands = true)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// With no subcommand, the site is served with these options.
    #[command(flatten)]
    serve: Config,
}

#[derive(Subcommand)]
enum Command {
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
}

#[derive(Args)]
struct ExportArgs {
    /// The folder to write: new or empty (see --force).
    out: PathBuf,
    /// Where this copy will be served, with its path if under one:
    /// https://user.github.io/scdi.
    #[arg(long)]
    base_url: MirrorUrl,
    /// The live site the copy's contact form posts to, e.g. https://example.org (it must
    /// list this copy's origin in its --allowed-form-origins).
    #[arg(long)]
    form_action: BaseUrl,
    /// The primary site, for canonical links (default: --form-action).
    #[arg(long)]
    canonical_url: Option<BaseUrl>,
    /// Replace what the folder holds.
    #[arg(long)]
    force: bool,
    /// The site's other addresses, shown on every page (repeat, or separate with commas).
    #[arg(long = "mirror", env = "SCDI_MIRRORS", value_delimiter = ',')]
    mirrors: Vec<MirrorUrl>,
    /// The site's onion service (`<meta http-equiv="onion-location">` on every page).
    #[arg(long, env = "SCDI_ONION_URL")]
    onion_url: Option<OnionUrl>,
    #[arg(long, env = "SCDI_LOCALES", default_value = "locales")]
    locales_dir: PathBuf,
    #[arg(long, env = "SCDI_TEMPLATES", default_value = "templates")]
    templates_dir: PathBuf,
    #[arg(long, env = "SCDI_STATIC", default_value = "static")]
    static_dir: PathBuf,
    #[arg(long, env = "SCDI_MIN_COMPLETENESS", default_value_t = 90.0)]
    min_completeness: f64,
}

#[derive(Subcommand)]
enum NotifyCommand {
    /// Send a test notification on every configured channel (the same flags as `serve`)
    /// and say what each server answered.
    Test(Config),
}

#[derive(Subcommand)]
enum MessagesCommand {
    /// Print the messages for reading.
    List(MessagesArgs),
    /// Print the messages as CSV (UTF-8, opens in spreadsheets) or JSON.
    Export {
        #[arg(long, value_enum)]
        format: ExportFormat,
        #[command(flatten)]
        args: MessagesArgs,
    },
}

#[derive(Args)]
struct MessagesArgs {
    /// The database the site writes to: a SQLite file or a postgres:// URL.
    #[arg(long, env = "SCDI_DB", default_value = "data/scdi.sqlite3")]
    db: Database,
    /// A file holding the PostgreSQL password; or set `SCDI_DB_PASSWORD`.
    #[arg(long, env = "SCDI_DB_PASSWORD_FILE")]
    db_password_file: Option<PathBuf>,
    /// Only messages received on or after this UTC date (2026-11-01) or time
    /// (2026-11-01T08:30:00Z).
    #[arg(long, value_parser = export::parse_since)]
    since: Option<String>,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum ExportFormat {
    Csv,
    Json,
}

#[derive(Subcommand)]
enum L10nCommand {
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
struct NewLanguageArgs {
    /// Its language tag (BCP 47), e.g. `ckb` (Central Kurdish), `ar`, `az-Arab`.
    tag: String,
    /// Its name in its own script, for the language switcher, e.g. `کوردی`.
    #[arg(long)]
    name: String,
    /// Its Open Graph locale for link previews, e.g. `ckb_IQ` (derived from the tag if not
    /// given).
    #[arg(long)]
    og_locale: Option<String>,
    #[arg(long, env = "SCDI_LOCALES", default_value = "locales")]
    locales_dir: PathBuf,
}

#[derive(Args)]
struct MarkArgs {
    /// The language, e.g. `fa`.
    lang: String,
    /// The messages to mark, e.g. `home-heading nav-home`.
    #[arg(required_unless_present = "all", conflicts_with = "all")]
    ids: Vec<String>,
    /// Mark every message the language has (after checking them all).
    #[arg(long)]
    all: bool,
    #[arg(long, env = "SCDI_LOCALES", default_value = "locales")]
    locales_dir: PathBuf,
}

#[derive(Args)]
struct CheckArgs {
    /// Print the findings as JSON (the same as `--format json`).
    #[arg(long, conflicts_with = "format")]
    json: bool,
    /// How to print the findings: for people, as JSON, or as GitHub annotations (which a
    /// pull request shows on the changed lines).
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Fail on warnings too, for the languages readers are offered (a language still in
    /// preview is expected to have warnings).
    #[arg(long)]
    strict: bool,
    /// Only this language's findings (and only they decide the exit status).
    #[arg(long)]
    locale: Option<String>,
    #[command(flatten)]
    dirs: L10nDirs,
}

#[derive(Clone, Copy, PartialEq, clap::ValueEnum)]
enum Format {
    Text,
    Json,
    Github,
}

/// Where the check looks.
#[derive(Args)]
struct L10nDirs {
    #[arg(long, env = "SCDI_LOCALES", default_value = "locales")]
    locales_dir: PathBuf,
    #[arg(long, env = "SCDI_TEMPLATES", default_value = "templates")]
    templates_dir: PathBuf,
    /// Rust sources scanned for `msg!` ids (skipped when missing).
    #[arg(long, default_value = "src")]
    src_dir: PathBuf,
    #[arg(long, env = "SCDI_MIN_COMPLETENESS", default_value_t = 90.0)]
    min_completeness: f64,
}

impl L10nDirs {
    fn check(self) -> anyhow::Result<l10n::Report> {
        l10n::check(&l10n::CheckOptions {
            locales_dir: self.locales_dir,
            templates_dir: self.templates_dir,
            src_dir: self.src_dir,
            min_completeness: self.min_completeness,
        })
    }
}

#[derive(Args)]
struct TodoArgs {
    /// The language, e.g. `fa`.
    lang: String,
    #[command(flatten)]
    dirs: L10nDirs,
}

fn main() -> anyhow::Result<ExitCode> {
    let cli = Cli::parse();
    match cli.command {
        Some(Command::L10n {
            command: L10nCommand::Check(args),
        }) => l10n_check(args),
        Some(Command::L10n {
            command: L10nCommand::MarkTranslated(args),
        }) => l10n_mark(args),
        Some(Command::L10n {
            command: L10nCommand::Todo(args),
        }) => l10n_todo(args),
        Some(Command::L10n {
            command: L10nCommand::NewLanguage(args),
        }) => l10n_new_language(args),
        Some(Command::Serve(config)) => serve(config),
        Some(Command::Messages { command }) => messages(command),
        Some(Command::Notify {
            command: NotifyCommand::Test(config),
        }) => notify_test(config),
        Some(Command::Export(args)) => export_mirror(args),
        None => serve(cli.serve),
    }
}

fn l10n_check(args: CheckArgs) -> anyhow::Result<ExitCode> {
    let mut report = args.dirs.check()?;
    if let Some(locale) = &args.locale {
        report = report.only(locale);
    }
    let format = if args.json { Format::Json } else { args.format };
    let text = match format {
        Format::Text => report.to_text(),
        Format::Json => serde_json::to_string_pretty(&report)? + "\n",
        Format::Github => report.to_github(),
    };
    quiet_on_broken_pipe(std::io::stdout().lock().write_all(text.as_bytes()))?;
    Ok(if report.failed(args.strict) {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn l10n_todo(args: TodoArgs) -> anyhow::Result<ExitCode> {
    let languages = std::fs::read_to_string(args.dirs.locales_dir.join("languages.toml"))?;
    let name = toml::from_str::<toml::Table>(&languages)?
        .get(&args.lang)
        .and_then(|l| l.get("name"))
        .and_then(|n| n.as_str())
        .map(str::to_string);
    let Some(name) = name else {
        anyhow::bail!("no language `{}` in languages.toml", args.lang);
    };
    let lang = args.lang.clone();
    let text = args.dirs.check()?.to_todo(&lang, &name);
    quiet_on_broken_pipe(std::io::stdout().lock().write_all(text.as_bytes()))?;
    Ok(ExitCode::SUCCESS)
}

fn l10n_new_language(args: NewLanguageArgs) -> anyhow::Result<ExitCode> {
    let made = l10n::new_language(
        &args.locales_dir,
        &args.tag,
        &args.name,
        args.og_locale.as_deref(),
    )?;
    let tag = &args.tag;
    println!(
        "Made {} with {} files to translate, and its entry in languages.toml.",
        made.dir.display(),
        made.files.len()
    );
    println!(
        "It is written {}{}.",
        match made.direction {
            scdi_site::i18n::Direction::Rtl => "right to left",
            scdi_site::i18n::Direction::Ltr => "left to right",
        },
        if made.script == "Arab" {
            ", in the site's Persian font (Arabic script)"
        } else {
            ""
        }
    );
    println!(
        "\nNext:\n\
         1. Translate: in each file, write each message again without its `#`, your language after `=`.\n\
         2. See what is left, with the English beside it: scdi-site l10n todo {tag}\n\
         3. Preview as you go: scdi-site serve --watch, then open /{tag}/ (a notice says it is a preview).\n\
         4. When a message is done: scdi-site l10n mark-translated {tag} ID (or --all when all are checked).\n\
         5. Readers are offered it (by their browser's language and in the switcher) once 90 % is translated.\n\
         Nothing else is needed: no code changes. The guide: locales/README.md."
    );
    Ok(ExitCode::SUCCESS)
}

fn l10n_mark(args: MarkArgs) -> anyhow::Result<ExitCode> {
    let result = l10n::mark_translated(&args.locales_dir, &args.lang, &args.ids, args.all)?;
    println!(
        "{} message(s) of {} marked as translated from today's English.",
        result.marked.len(),
        args.lang
    );
    for (id, why) in &result.refused {
        eprintln!("not marked: {id}: {why}");
    }
    Ok(if result.refused.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

#[tokio::main(flavor = "current_thread")]
async fn messages(command: MessagesCommand) -> anyhow::Result<ExitCode> {
    let (format, args) = match command {
        MessagesCommand::List(args) => (None, args),
        MessagesCommand::Export { format, args } => (Some(format), args),
    };
    let password = scdi_site::config::db_password(args.db_password_file.as_deref())
        .context("reading the database password")?;
    let store = Store::open_read_only(&args.db, password.as_deref())
        .await
        .with_context(|| format!("opening {}", args.db))?;
    let messages = store.list_since(args.since.as_deref()).await?;
    let notifications = match format {
        None => store.notifications().await?,
        Some(_) => vec![],
    };
    store.close().await;
    let out = std::io::BufWriter::new(std::io::stdout().lock());
    quiet_on_broken_pipe(match format {
        None => export::write_list(out, &messages, &notifications),
        Some(ExportFormat::Csv) => export::write_csv(out, &messages),
        Some(ExportFormat::Json) => export::write_json(out, &messages),
    })
}

fn export_mirror(args: ExportArgs) -> anyhow::Result<ExitCode> {
    let mut config = Config::rooted(std::path::Path::new(""), PathBuf::new());
    config.locales_dir = args.locales_dir;
    config.templates_dir = args.templates_dir;
    config.static_dir = args.static_dir;
    config.min_completeness = args.min_completeness;
    config.base_url = args
        .canonical_url
        .unwrap_or_else(|| args.form_action.clone());
    config.mirrors = args.mirrors;
    config.onion_url = args.onion_url;
    let options = mirror::ExportOptions {
        out: args.out,
        base_url: args.base_url,
        form_action: args.form_action,
        force: args.force,
    };
    let done = mirror::export(&config, scdi_site::PAGES, &options)?;
    println!(
        "Wrote {} files ({} pages) to {}, checked: every reference resolves.",
        done.files,
        done.pages,
        options.out.display()
    );
    Ok(ExitCode::SUCCESS)
}

#[tokio::main(flavor = "current_thread")]
async fn notify_test(config: Config) -> anyhow::Result<ExitCode> {
    let channels = scdi_site::outbox::Channels::new(&config.notify, &config.base_url.host())
        .context("setting up notifications")?;
    let results = channels.test().await;
    if results.is_empty() {
        eprintln!("No channel is configured: see --notify-email and --notify-webhook (README, \"Getting the messages\").");
        return Ok(ExitCode::FAILURE);
    }
    let mut failed = false;
    for (channel, result) in results {
        match result {
            Ok(()) => println!("{channel}: sent"),
            Err(f) => {
                failed = true;
                let kind = if f.permanent { "refused" } else { "not sent" };
                println!("{channel}: {kind}: {}", f.text);
            }
        }
    }
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// Output piped into `head` or a pager that was closed early ends quietly and successfully,
/// as `ls | head` does; any other write error is an error.
fn quiet_on_broken_pipe(written: std::io::Result<()>) -> anyhow::Result<ExitCode> {
    match written {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(ExitCode::SUCCESS),
    }
}

#[tokio::main]
async fn serve(config: Config) -> anyhow::Result<ExitCode> {
    tracing_subscriber::fmt()
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stdout()))
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn")),
        )
        .init();
    let listener = tokio::net::TcpListener::bind(&config.addr)
        .await
        .with_context(|| format!("binding {}", config.addr))?;
    let state = AppState::new(config, scdi_site::PAGES).await?;
    // Serving starts with quickly compressed pages; the smaller ones follow in a moment.
    tokio::spawn({
        let state = state.clone();
        async move { state.compress_fully().await }
    });
    tracing::info!(addr = %listener.local_addr()?, "serving");
    let limits = server::Limits::from_config(&state.config)?;
    let counts = state.clone();
    let reporter = tokio::spawn(async move { counts.report_traffic_every(TRAFFIC_PERIOD).await });
    let (stop_outbox, stop) = tokio::sync::watch::channel(false);
    let outbox = tokio::spawn({
        let state = state.clone();
        async move { state.send_notifications(stop).await }
    });
    server::serve(listener, app(state.clone()), limits, shutdown_signal()).await;
    reporter.abort();
    state.report_traffic();
    // The notification in hand is finished (or, past its timeout, left for the next start).
    let _ = stop_outbox.send(true);
    let _ = tokio::time::timeout(state.config.notify.timeout(), outbox).await;
    // In-flight requests have finished; close the database cleanly.
    state.store.close().await;
    tracing::info!("stopped");
    Ok(ExitCode::SUCCESS)
}

/// Ctrl-C, SIGTERM, or SIGHUP (a closed terminal; there is nothing to reload on a hang-up,
/// and dying abruptly would cut off uploads in flight): all stop the server gracefully.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        use tokio::signal::unix::{signal, SignalKind};
        match (
            signal(SignalKind::terminate()),
            signal(SignalKind::hangup()),
        ) {
            (Ok(mut term), Ok(mut hup)) => {
                tokio::select! {
                    _ = term.recv() => {},
                    _ = hup.recv() => {},
                }
            }
            (Err(e), _) | (_, Err(e)) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM and SIGHUP");
                std::future::pending::<()>().await
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down");
}
