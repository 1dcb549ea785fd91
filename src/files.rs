//! Reading the site's folders: the one directory walk behind static files, templates and
//! the l10n source scan; the folders of a folder; source files (side files left alone) and
//! their text.

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

/// The folders directly in `dir`, sorted.
pub(crate) fn folders(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let mut out: Vec<PathBuf> = fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    out.sort();
    Ok(out)
}

/// The files directly in `dir` whose name ends in one of `.{exts}`, sorted. Names starting with `.`
/// are editors' and systems' side files (an Emacs lock `.#shared.ftl`, macOS's
/// `._shared.ftl`), never sources: they are left alone.
pub(crate) fn sources(dir: &Path, exts: &[&str]) -> io::Result<Vec<PathBuf>> {
    let mut out: Vec<PathBuf> = fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| exts.iter().any(|x| e == *x)))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| !n.starts_with('.'))
        })
        .collect();
    out.sort();
    Ok(out)
}

/// A source file's text, without the byte-order mark Windows Notepad writes.
pub(crate) fn read_text(path: &Path) -> io::Result<String> {
    let text = fs::read_to_string(path)?;
    Ok(match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    })
}
