//! The one directory walk behind static files, templates and the l10n source scan.

use std::{
    fs, io,
    path::{Path, PathBuf},
};

/// Every file below `dir`, as (path relative to `dir` with `/` separators, full path),
/// sorted by the relative path.
pub(crate) fn below(dir: &Path) -> io::Result<Vec<(String, PathBuf)>> {
    let mut out = vec![];
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry?;
        if !entry.file_type().is_file() {
            continue;
        }
        let rel = entry
            .path()
            .strip_prefix(dir)
            .map_err(io::Error::other)?
            .to_string_lossy()
            .replace('\\', "/");
        out.push((rel, entry.into_path()));
    }
    out.sort();
    Ok(out)
}

/// All templates (`*.html`, `*.xml`, `*.txt`) below `dir`, as (name relative to `dir`,
/// source): for the renderer, and for the l10n check's scan of the ids they use.
pub(crate) fn templates(dir: &Path) -> io::Result<Vec<(String, String)>> {
    let mut out = vec![];
    for (name, path) in below(dir)? {
        if path
            .extension()
            .is_some_and(|e| e == "html" || e == "xml" || e == "txt")
        {
            out.push((name, fs::read_to_string(&path)?));
        }
    }
    Ok(out)
}
