//! Shared helpers: the app built in-process on a temporary database, and one request
//! builder behind every in-process request.

pub(crate) mod mail;
pub(crate) mod nginx;
pub(crate) mod postgres;
pub(crate) mod server;
pub(crate) mod services;

use std::{
    net::{IpAddr, SocketAddr},
    path::Path,
    sync::Arc,
};

use axum::{
    body::Body,
    extract::connect_info::MockConnectInfo,
    http::{HeaderMap, HeaderName, HeaderValue, Method, Request, StatusCode},
    response::Response,
};
use http_body_util::BodyExt;
use scdi_site::{app, AppState, Config};
use tempfile::TempDir;
use tower::{util::BoxCloneSyncService, Layer, ServiceExt};

type Service = BoxCloneSyncService<Request<Body>, Response, std::convert::Infallible>;

/// The headers of a same-origin form POST, as a browser sends it.
pub(crate) const SAME_ORIGIN_FORM: &[(&str, &str)] = &[
    ("content-type", "application/x-www-form-urlencoded"),
    ("sec-fetch-site", "same-origin"),
];

/// The two databases messages can be stored in: store tests run on both.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub(crate) const BOTH: [Backend; 2] = [Backend::Sqlite, Backend::Postgres];

    /// A new, empty database of this kind, and what keeps it alive.
    pub(crate) async fn database(
        self,
        dir: &Path,
    ) -> (scdi_site::config::Database, Option<postgres::TestDatabase>) {
        match self {
            Backend::Sqlite => (dir.join("test.sqlite3").into(), None),
            Backend::Postgres => {
                let db = postgres::TestDatabase::new().await;
                (
                    scdi_site::config::Database::Postgres(db.url.clone()),
                    Some(db),
                )
            }
        }
    }
}

/// The app, in-process, on its own temporary database. Cheap to clone (for concurrent
/// requests); [`TestApp::as_client`] gives a copy whose requests come from an address.
#[derive(Clone)]
pub(crate) struct TestApp {
    /// The app as `main` serves it, boxed so that tests can name it.
    pub(crate) service: Service,
    pub(crate) state: AppState,
    _dir: Arc<TempDir>,
    _postgres: Option<Arc<postgres::TestDatabase>>,
}

pub(crate) struct TestResponse {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: String,
    pub(crate) bytes: Vec<u8>,
}

impl TestResponse {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
    pub(crate) fn location(&self) -> Option<&str> {
        self.header("location")
    }
}

/// The site's own pages below `/{lang}/`, written out rather than read from the page table,
/// so that a page dropped from the table fails the tests that walk them.
pub(crate) const PAGES: &[&str] = &[
    "",
    "platform",
    "people",
    "contact",
    "contact/thanks",
    "privacy",
];

/// The contact page's safety note: from its section to the form.
pub(crate) fn safety_note(contact: &str) -> &str {
    let start = contact
        .find("class=\"safety-note\"")
        .expect("a safety note");
    &contact[start..contact.find("<form").expect("a form")]
}

/// What the privacy page states of a site run with the default settings and `change`.
pub(crate) fn privacy_with(change: impl FnOnce(&mut Config)) -> scdi_site::config::Privacy {
    let mut config = Config::rooted(repo_root(), std::path::PathBuf::from("unused.sqlite3"));
    change(&mut config);
    config.privacy()
}

pub(crate) fn repo_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A request with `headers` (values taken as bytes, so a test can send what a browser would
/// not) and `body`.
pub(crate) fn request(
    method: Method,
    uri: &str,
    headers: &[(&str, &str)],
    body: impl Into<Body>,
) -> Request<Body> {
    let mut req = Request::new(body.into());
    *req.method_mut() = method;
    *req.uri_mut() = uri.parse().expect("a valid request target");
    for (name, value) in headers {
        req.headers_mut().append(
            HeaderName::from_bytes(name.as_bytes()).expect("a header name"),
            HeaderValue::from_bytes(value.as_bytes()).expect("a header value"),
        );
    }
    req
}

impl TestApp {
    pub(crate) async fn new() -> Self {
        Self::with_config(|_| {}).await
    }

    /// The app with a configuration changed by `change` (the database is always temporary).
    pub(crate) async fn with_config(change: impl FnOnce(&mut Config)) -> Self {
        Self::on_with_config(Backend::Sqlite, change).await
    }

    /// The app storing messages in `backend`.
    pub(crate) async fn on(backend: Backend) -> Self {
        Self::on_with_config(backend, |_| {}).await
    }

    pub(crate) async fn on_with_config(backend: Backend, change: impl FnOnce(&mut Config)) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let (db, postgres) = backend.database(dir.path()).await;
        let mut config = Config::rooted(repo_root(), db);
        // In-process requests carry no client address, so they would all share one rate
        // limit bucket; the tests of the limit turn it back on.
        config.handling.contact_per_hour = 0;
        change(&mut config);
        // Quickly compressed, as readers get it in the first moment; the tests of sizes
        // compress it fully ([`TestApp::fully_compressed`]).
        let state = AppState::new(config).await.expect("app state");
        Self {
            service: Service::new(app(state.clone())),
            state,
            _dir: Arc::new(dir),
            _postgres: postgres.map(Arc::new),
        }
    }

    /// The same app once its pages and files are compressed as well as they can be, as
    /// readers get it once the server has started.
    pub(crate) async fn fully_compressed(self) -> Self {
        self.state.compress_fully().await;
        self
    }

    /// The same app, its requests coming from `ip` (as the server's `ConnectInfo` says).
    pub(crate) fn as_client(&self, ip: impl Into<IpAddr>) -> Self {
        let addr = SocketAddr::new(ip.into(), 40000);
        Self {
            service: Service::new(MockConnectInfo(addr).layer(self.service.clone())),
            ..self.clone()
        }
    }

    pub(crate) async fn request(&self, req: Request<Body>) -> TestResponse {
        let res = self.service.clone().oneshot(req).await.expect("infallible");
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes()
            .to_vec();
        TestResponse {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
            bytes,
        }
    }

    pub(crate) async fn send(
        &self,
        method: Method,
        uri: &str,
        headers: &[(&str, &str)],
        body: impl Into<Body>,
    ) -> TestResponse {
        self.request(request(method, uri, headers, body)).await
    }

    pub(crate) async fn get(&self, uri: &str) -> TestResponse {
        self.get_with(uri, &[]).await
    }

    pub(crate) async fn get_with(&self, uri: &str, headers: &[(&str, &str)]) -> TestResponse {
        self.send(Method::GET, uri, headers, Body::empty()).await
    }

    /// POSTs a urlencoded body as a same-origin browser would.
    pub(crate) async fn post_form(&self, uri: &str, body: impl Into<Body>) -> TestResponse {
        self.post_with(uri, body, SAME_ORIGIN_FORM).await
    }

    pub(crate) async fn post_with(
        &self,
        uri: &str,
        body: impl Into<Body>,
        headers: &[(&str, &str)],
    ) -> TestResponse {
        self.send(Method::POST, uri, headers, body).await
    }
}

/// Percent-encodes form fields as a browser does (UTF-8, `application/x-www-form-urlencoded`).
pub(crate) fn form_body(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn encode(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// The value of attribute `attr` on the first tag that contains `needle`.
pub(crate) fn attr_of<'a>(html: &'a str, needle: &str, attr: &str) -> Option<&'a str> {
    let start = html.find(needle)?;
    let tag_start = html[..start].rfind('<')?;
    let tag_end = start + html[start..].find('>')?;
    let tag = &html[tag_start..tag_end];
    let key = format!("{attr}=\"");
    let v = tag.find(&key)? + key.len();
    let end = tag[v..].find('"')?;
    Some(&tag[v..v + end])
}

/// Copies the repository's `locales/` (metadata and every language) into `to`.
pub(crate) fn copy_locales(to: &Path) {
    copy_dir(&repo_root().join("locales"), to);
}

pub(crate) fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            std::fs::copy(&path, &target).unwrap();
        }
    }
}

/// The senders' names of the messages stored in `db`, oldest first.
pub(crate) async fn names_stored_in(db: &scdi_site::config::Database) -> Vec<String> {
    let store = scdi_site::store::Store::open(db, None)
        .await
        .expect("open the store");
    let names = store
        .list_since(None)
        .await
        .expect("list the messages")
        .into_iter()
        .map(|m| m.name)
        .collect();
    store.close().await;
    names
}

/// SQLite's own consistency check of the database at `path`: `true` when it answers `ok`.
pub(crate) async fn sqlite_integrity_ok(path: &Path) -> bool {
    use sqlx::{ConnectOptions, Connection};
    let mut conn = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(path)
        .read_only(true)
        .connect()
        .await
        .expect("open the database");
    let result: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&mut conn)
        .await
        .expect("run the integrity check");
    conn.close().await.ok();
    result == "ok"
}

/// The SQLite store at `path` (created if need be), as the site opens it.
pub(crate) async fn sqlite_store(path: &Path) -> scdi_site::store::Store {
    scdi_site::store::Store::open(&path.to_path_buf().into(), None)
        .await
        .expect("open the SQLite store")
}

/// `scdi-site ARGS` run in `dir`, with no `SCDI_*` database or folders from the
/// environment: its exit code, standard output and standard error.
pub(crate) fn scdi(args: &[&str], dir: &Path) -> (i32, Vec<u8>, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_scdi-site"))
        .args(args)
        .current_dir(dir)
        .env_remove("SCDI_DB")
        .env_remove("SCDI_LOCALES")
        .env_remove("SCDI_TEMPLATES")
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        out.stdout,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Runs `sql` on `db` directly (to set up what the site itself never writes).
pub(crate) async fn execute_sql(db: &scdi_site::config::Database, sql: &str) {
    use sqlx::{Connection, Executor};
    match db {
        scdi_site::config::Database::File(path) => {
            let url = format!("sqlite://{}", path.display());
            let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
            conn.execute(sql).await.unwrap();
            conn.close().await.unwrap();
        }
        scdi_site::config::Database::Postgres(url) => {
            let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
            conn.execute(sql).await.unwrap();
            conn.close().await.unwrap();
        }
    }
}
