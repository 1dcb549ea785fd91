//! `serve --watch`, for translators and developers: before each request, a cheap look at the
//! locale, template and static files (sizes and modification times); when they changed, the
//! site is reloaded, so an edit shows on the next page load. No background task, no missed
//! event.

use std::{
    collections::hash_map::DefaultHasher,
    fs,
    hash::{Hash, Hasher},
    path::{Path, PathBuf},
    sync::Mutex,
};

use axum::{
    extract::{Request, State},
    middleware::Next,
    response::Response,
};

use crate::{config::Config, state::AppState};

pub struct Watch {
    dirs: Vec<PathBuf>,
    fingerprint: Mutex<u64>,
    error: Mutex<Option<String>>,
}

impl Watch {
    pub fn new(config: &Config) -> Self {
        let dirs = vec![
            config.locales_dir.clone(),
            config.templates_dir.clone(),
            config.static_dir.clone(),
        ];
        let fingerprint = Mutex::new(fingerprint(&dirs));
        Self {
            dirs,
            fingerprint,
            error: Mutex::default(),
        }
    }

    /// Whether any watched file changed since the last call.
    pub fn changed(&self) -> bool {
        let now = fingerprint(&self.dirs);
        let Ok(mut last) = self.fingerprint.lock() else {
            return false;
        };
        std::mem::replace(&mut *last, now) != now
    }

    pub fn set_error(&self, error: Option<String>) {
        if let Ok(mut e) = self.error.lock() {
            *e = error;
        }
    }

    pub fn error(&self) -> Option<String> {
        self.error.lock().ok().and_then(|e| e.clone())
    }
}

/// A hash of every file's path, size and modification time below `dirs`.
fn fingerprint(dirs: &[PathBuf]) -> u64 {
    let mut files = vec![];
    for dir in dirs {
        collect(dir, &mut files);
    }
    files.sort();
    let mut h = DefaultHasher::new();
    files.hash(&mut h);
    h.finish()
}

fn collect(dir: &Path, out: &mut Vec<(PathBuf, u64, Option<std::time::SystemTime>)>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(meta) = entry.metadata() else { continue };
        if meta.is_dir() {
            collect(&path, out);
        } else {
            out.push((path, meta.len(), meta.modified().ok()));
        }
    }
}

/// Middleware: reload before handling the request (a no-op unless `--watch`).
pub async fn reload_before_request(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    state.reload_if_changed();
    next.run(req).await
}
