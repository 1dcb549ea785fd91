use std::path::PathBuf;

/// Server configuration. Every flag has an environment fallback, documented in the README.
#[derive(clap::Args, Clone, Debug)]
pub struct Config {
    /// Address to listen on (HOST:PORT).
    #[arg(long, env = "SCDI_ADDR", default_value = "127.0.0.1:3000")]
    pub addr: String,
    /// SQLite database file; created with its schema on first run.
    #[arg(long, env = "SCDI_DB", default_value = "data/scdi.sqlite3")]
    pub db: PathBuf,
    /// Folder with one sub-folder of `.ftl` files per language.
    #[arg(long, env = "SCDI_LOCALES", default_value = "locales")]
    pub locales_dir: PathBuf,
    /// Folder with the minijinja `*.html` templates.
    #[arg(long, env = "SCDI_TEMPLATES", default_value = "templates")]
    pub templates_dir: PathBuf,
    /// Folder served under `/static`.
    #[arg(long, env = "SCDI_STATIC", default_value = "static")]
    pub static_dir: PathBuf,
    /// Public base URL, used for canonical and hreflang links (no trailing slash).
    #[arg(long, env = "SCDI_BASE_URL", default_value = "http://127.0.0.1:3000")]
    pub base_url: String,
    /// Percentage of the English messages a language needs to be offered to readers (by
    /// negotiation and the switcher); below it, it can still be previewed at its URL prefix.
    #[arg(long, env = "SCDI_MIN_COMPLETENESS", default_value_t = 90.0)]
    pub min_completeness: f64,
    /// Reload locales and templates when they change (for translators and developers); a
    /// broken edit keeps the last good version serving and shows a banner on every page.
    #[arg(long, env = "SCDI_WATCH")]
    pub watch: bool,
}

impl Config {
    /// A configuration rooted at `root` (the repository), with the given database file.
    /// Used by tests and tools that do not go through the command line.
    pub fn rooted(root: &std::path::Path, db: PathBuf) -> Self {
        Self {
            addr: "127.0.0.1:0".into(),
            db,
            locales_dir: root.join("locales"),
            templates_dir: root.join("templates"),
            static_dir: root.join("static"),
            base_url: "http://127.0.0.1:3000".into(),
            min_completeness: 90.0,
            watch: false,
        }
    }
}
