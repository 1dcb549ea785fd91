//! `serve --watch`, for translators and developers: a cheap look at the locale, template and
//! static files (paths, sizes and modification times) tells whether they changed since the
//! site was last loaded. No background task, no missed event.

use std::{
    collections::hash_map::DefaultHasher,
    hash::{Hash, Hasher},
    path::PathBuf,
    sync::Mutex,
};

pub(crate) struct Watch {
    dirs: Vec<PathBuf>,
    fingerprint: Mutex<u64>,
    /// The error of the last failed reload, shown on every page until a reload succeeds.
    error: Mutex<Option<String>>,
}

impl Watch {
    pub(crate) fn new(dirs: Vec<PathBuf>) -> Self {
        let fingerprint = Mutex::new(fingerprint(&dirs));
        Self {
            dirs,
            fingerprint,
            error: Mutex::default(),
        }
    }

    /// Runs `reload` when a watched file changed since the last look. The look and the
    /// reload happen under one lock, so a caller that comes meanwhile waits and then sees
    /// the reloaded site. `reload` returns the error to show, if it failed. Blocking: walks
    /// folders (and `reload` renders), so it belongs off the async workers.
    pub(crate) fn reload_if_changed(&self, reload: impl FnOnce() -> Option<String>) {
        let mut last = self.fingerprint.lock().unwrap_or_else(|e| e.into_inner());
        let now = fingerprint(&self.dirs);
        if std::mem::replace(&mut *last, now) == now {
            return;
        }
        let error = reload();
        *self.error.lock().unwrap_or_else(|e| e.into_inner()) = error;
    }

    pub(crate) fn error(&self) -> Option<String> {
        self.error.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

/// A hash of every file's path, size and modification time below `dirs`. Files that vanish
/// mid-walk are skipped: the loaders report errors, the watcher must not.
fn fingerprint(dirs: &[PathBuf]) -> u64 {
    let mut files: Vec<_> = dirs
        .iter()
        .flat_map(|dir| walkdir::WalkDir::new(dir).into_iter().flatten())
        .filter_map(|entry| {
            let meta = entry.metadata().ok().filter(|m| m.is_file())?;
            Some((entry.into_path(), meta.len(), meta.modified().ok()))
        })
        .collect();
    files.sort();
    let mut h = DefaultHasher::new();
    files.hash(&mut h);
    h.finish()
}
