//! The one directory walk behind static files, templates and the l10n source scan.

use std::{
    fs, io,
    path::{Path, PathBuf},
};

/// Every file below `dir`, as (path relative to `dir` with `/` separators, full path),
/// sorted by the relative path.
pub fn below(dir: &Path) -> io::Result<Vec<(String, PathBuf)>> {
    let mut out = vec![];
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d)? {
            let path = entry?.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path
                    .strip_prefix(dir)
                    .map_err(io::Error::other)?
                    .to_string_lossy()
                    .replace('\\', "/");
                out.push((rel, path));
            }
        }
    }
    out.sort();
    Ok(out)
}
