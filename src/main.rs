//! The `scdi-site` binary: parse the command line (`cli`), set up logging, run the command;
//! `serve` until Ctrl-C or SIGTERM, reloading the site's files on SIGHUP.

mod cli;

use std::{io::Write, process::ExitCode};

use anyhow::Context;
use clap::Parser;
use cli::{
    BackupArgs, CheckArgs, Cli, Command, DbArgs, ExportArgs, ExportFormat, Format, L10nCommand,
    LimitsCommand, MarkArgs, MessagesCommand, NewLanguageArgs, NotifyCommand, TodoArgs,
};
use scdi_site::{
    app,
    background::Background,
    export, i18n, l10n, mirror,
    server::{self, Entry},
    store::Store,
    AppState, Config,
};
use tracing_subscriber::EnvFilter;

fn main() -> anyhow::Result<ExitCode> {
    let cli = Cli::parse();
    match cli.command {
        Some(Command::L10n { command }) => match command {
            L10nCommand::Check(args) => l10n_check(args),
            L10nCommand::MarkTranslated(args) => l10n_mark(args),
            L10nCommand::Todo(args) => l10n_todo(args),
            L10nCommand::NewLanguage(args) => l10n_new_language(args),
        },
        Some(Command::Serve(config)) => serve(config),
        Some(Command::Messages { command }) => messages(command),
        Some(Command::Notify {
            command: NotifyCommand::Test(config),
        }) => notify_test(config),
        Some(Command::Export(args)) => export_mirror(args),
        Some(Command::Backup(args)) => backup(args),
        Some(Command::Limits {
            command: LimitsCommand::Reset { address, db },
        }) => limits_reset(address, db),
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
    let mut languages = i18n::read_languages(&args.dirs.sources.locales_dir)?;
    let Some(language) = languages.remove(&args.lang) else {
        anyhow::bail!("no language `{}` in {}", args.lang, i18n::LANGUAGES_FILE);
    };
    let lang = args.lang.clone();
    let text = args.dirs.check()?.to_todo(&lang, &language.name);
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
            i18n::Direction::Rtl => "right to left",
            i18n::Direction::Ltr => "left to right",
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
    let (statements, ids): (Vec<String>, Vec<String>) = args
        .ids
        .iter()
        .cloned()
        .partition(|id| id.starts_with("statements/"));
    let mut result = if ids.is_empty() && !args.all {
        l10n::Marked::default()
    } else {
        l10n::mark_translated(
            &args.locales_dir,
            &args.lang,
            &ids,
            args.all,
            args.include_outdated,
        )?
    };
    for id in statements {
        let slug = id.trim_start_matches("statements/").trim_end_matches('/');
        match l10n::mark_statement(&args.content_dir, &args.lang, slug) {
            Ok(()) => result.marked.push(id),
            Err(e) => result.refused.push((id, format!("{e:#}"))),
        }
    }
    let mut said = format!(
        "{} message(s) of {} marked as translated from today's English{}\n",
        result.marked.len(),
        args.lang,
        if result.marked.is_empty() { "." } else { ":" }
    );
    for id in &result.marked {
        said.push_str(&format!("  {id}\n"));
    }
    quiet_on_broken_pipe(std::io::stdout().lock().write_all(said.as_bytes()))?;
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
        MessagesCommand::Delete { ids, db } => return delete(&ids, db).await,
        MessagesCommand::Purge { older_than, db } => return purge(older_than, db).await,
        MessagesCommand::Copy {
            from,
            to,
            db_password_file,
        } => return copy(from, to, db_password_file).await,
    };
    let store = args.db.open(false).await?;
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

async fn delete(ids: &[i64], db: DbArgs) -> anyhow::Result<ExitCode> {
    let store = db.open(true).await?;
    let deleted = store.delete(ids).await?;
    store.close().await;
    for id in ids.iter().filter(|id| !deleted.contains(id)) {
        eprintln!("no message {id}");
    }
    println!(
        "Deleted {} message(s) and their notifications. Copies remain in backups and in \
         organisers' mailboxes (README, \"Deleting messages\").",
        deleted.len()
    );
    Ok(if deleted.len() == ids.len() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

async fn purge(days: u32, db: DbArgs) -> anyhow::Result<ExitCode> {
    let store = db.open(true).await?;
    let deleted = store.purge_older_than(days).await?;
    store.close().await;
    println!(
        "Deleted {deleted} message(s) received more than {days} days ago, and their notifications."
    );
    Ok(ExitCode::SUCCESS)
}

async fn copy(
    from: scdi_site::config::Database,
    to: scdi_site::config::Database,
    password_file: Option<std::path::PathBuf>,
) -> anyhow::Result<ExitCode> {
    let password = scdi_site::config::db_password(password_file.as_deref())
        .context("reading the database password")?;
    let source = Store::open_read_only(&from, password.as_deref())
        .await
        .with_context(|| format!("opening {from} (--from)"))?;
    let target = Store::open(&to, password.as_deref())
        .await
        .with_context(|| format!("opening {to} (--to)"))?;
    let copied = source.copy_to(&target).await?;
    source.close().await;
    target.close().await;
    println!(
        "Copied {} of {} message(s) and {} of {} notification(s) to {to}; the others were \
         there already.",
        copied.new_messages, copied.messages, copied.new_notifications, copied.notifications
    );
    Ok(ExitCode::SUCCESS)
}

#[tokio::main(flavor = "current_thread")]
async fn backup(args: BackupArgs) -> anyhow::Result<ExitCode> {
    let store = args.db.open(true).await?;
    let done = store.backup(&args.file).await;
    store.close().await;
    match done? {
        Some(()) => {
            println!("Backed up {} to {}.", args.db.db, args.file.display());
            Ok(ExitCode::SUCCESS)
        }
        None => {
            eprintln!("A PostgreSQL database is backed up with pg_dump (README, \"Backups\").");
            Ok(ExitCode::FAILURE)
        }
    }
}

#[tokio::main(flavor = "current_thread")]
async fn limits_reset(address: Option<std::net::IpAddr>, db: DbArgs) -> anyhow::Result<ExitCode> {
    let store = db.open(true).await?;
    let client = address.map(|a| scdi_site::limit::shared_code(scdi_site::limit::per_slash_64(a)));
    let cleared = store.reset_limits(client.as_deref()).await;
    store.close().await;
    match cleared? {
        Some(n) => {
            println!("Cleared the message limit of {n} client(s).");
            Ok(ExitCode::SUCCESS)
        }
        None => {
            eprintln!(
                "A site on SQLite keeps its message limit in memory: restarting it clears \
                 the limit (systemctl restart scdi-site@3000)."
            );
            Ok(ExitCode::FAILURE)
        }
    }
}

fn export_mirror(args: ExportArgs) -> anyhow::Result<ExitCode> {
    let (sources, options) = args.options();
    let done = mirror::export(&sources, &options)?;
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
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::AddrInUse => anyhow::anyhow!(
                "{} is already in use, perhaps by another scdi-site: stop it, or listen on \
                 another address with --addr (e.g. --addr 127.0.0.1:3001)",
                config.addr
            ),
            _ => anyhow::Error::new(e).context(format!("binding {} (--addr)", config.addr)),
        })?;
    let onion = match &config.onion_listen {
        Some(addr) => Some(
            tokio::net::TcpListener::bind(addr)
                .await
                .with_context(|| format!("binding {addr} (--onion-listen)"))?,
        ),
        None => None,
    };
    let state = AppState::new(config).await?;
    let background = Background::start(&state);
    state.say_what_runs(
        listener.local_addr()?,
        onion.as_ref().map(|l| l.local_addr()).transpose()?,
    );
    let limits = server::Limits::from_config(&state.config)?;
    let reloads = tokio::spawn({
        let state = state.clone();
        async move { reload_on_hangup(state).await }
    });
    // One signal stops both listeners.
    let (stop_serving, stopped) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        shutdown_signal().await;
        let _ = stop_serving.send(true);
    });
    let until_stopped = |mut stopped: tokio::sync::watch::Receiver<bool>| async move {
        let _ = stopped.wait_for(|&s| s).await;
    };
    let onion = onion.map(|listener| {
        let (app, limits) = (app(state.clone()), limits.clone());
        let stop = until_stopped(stopped.clone());
        tokio::spawn(server::serve(listener, app, limits, Entry::Onion, stop))
    });
    let direct = until_stopped(stopped);
    server::serve(listener, app(state.clone()), limits, Entry::Direct, direct).await;
    if let Some(onion) = onion {
        let _ = onion.await;
    }
    reloads.abort();
    background.stop().await;
    // In-flight requests have finished; close the database cleanly.
    state.store.close().await;
    tracing::info!("stopped");
    Ok(ExitCode::SUCCESS)
}

/// SIGHUP reloads the site's files, as nginx does on it: a habitual `kill -HUP` or a log
/// rotation script never stops the site.
async fn reload_on_hangup(state: AppState) {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::hangup()) {
            Ok(mut hup) => {
                while hup.recv().await.is_some() {
                    state.reload().await;
                }
            }
            Err(e) => tracing::error!(error = %e, "cannot listen for SIGHUP"),
        }
    }
    #[cfg(not(unix))]
    let _ = state;
}

/// Ctrl-C or SIGTERM: the server stops gracefully.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                term.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
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
