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
    /// What is wrong with the files now, shown on every page until it is fixed.
    problems: Mutex<Option<Problems>>,
}

/// What the banner in watch mode says.
#[derive(Clone, Debug, serde::Serialize)]
pub(crate) struct Problems {
    /// The last edit could not be loaded: the previous version is still served.
    pub(crate) reload_failed: bool,
    /// The errors, with file, line, message id and the line itself.
    pub(crate) text: String,
}

impl Watch {
    pub(crate) fn new(dirs: Vec<PathBuf>) -> Self {
        let fingerprint = Mutex::new(fingerprint(&dirs));
        Self {
            dirs,
            fingerprint,
            problems: Mutex::default(),
        }
    }

    /// Runs `reload` when a watched file changed since the last look. The look and the
    /// reload happen under one lock, so a caller that comes meanwhile waits and then sees
    /// the reloaded site. `reload` returns what is wrong, if anything. Blocking: walks
    /// folders (and `reload` renders), so it belongs off the async workers.
    pub(crate) fn reload_if_changed(&self, reload: impl FnOnce() -> Option<Problems>) {
        let mut last = self.fingerprint.lock().unwrap_or_else(|e| e.into_inner());
        let now = fingerprint(&self.dirs);
        if std::mem::replace(&mut *last, now) == now {
            return;
        }
        self.set(reload());
    }

    pub(crate) fn set(&self, problems: Option<Problems>) {
        *self.problems.lock().unwrap_or_else(|e| e.into_inner()) = problems;
    }

    pub(crate) fn problems(&self) -> Option<Problems> {
        self.problems
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
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
