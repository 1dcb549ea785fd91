//! Which message ids the site uses: literal ids in templates (`t("id", arg=...)`,
//! `t_attr('id')`) and ids chosen in Rust code (`msg!("id")`).

use std::{
    fs, io,
    path::{Path, PathBuf},
};

use crate::{files, i18n::line_col};

/// One use of a message id.
#[derive(Debug, Clone)]
pub struct Usage {
    pub id: String,
    pub file: PathBuf,
    pub line: usize,
    pub col: usize,
    /// Names of the arguments passed (`t("page-title", page=...)` -> `page`).
    pub args: Vec<String>,
}

/// Literal ids passed to `t()` / `t_attr()` in every template under `dir`.
pub fn scan_templates(dir: &Path) -> io::Result<Vec<Usage>> {
    let mut out = vec![];
    for (name, source) in files::templates(dir)? {
        for func in ["t(", "t_attr("] {
            for (at, _) in source.match_indices(func) {
                // The function itself, not the end of another name (`set(`, `format(`).
                let prev = source[..at].chars().next_back();
                if prev.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.') {
                    continue;
                }
                let rest = &source[at + func.len()..];
                let Some(quote) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') else {
                    continue; // a variable id: its values are chosen in Rust (`msg!`)
                };
                let Some(end) = rest[1..].find(quote) else {
                    continue;
                };
                let (line, col) = line_col(&source, at + func.len() + 1);
                out.push(Usage {
                    id: rest[1..1 + end].to_string(),
                    file: dir.join(&name),
                    line,
                    col,
                    args: call_args(&rest[1 + end + 1..]),
                });
            }
        }
    }
    Ok(out)
}

/// Names of `name=value` arguments up to the call's closing parenthesis.
fn call_args(after_id: &str) -> Vec<String> {
    let mut args = vec![];
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    let mut token = String::new();
    for c in after_id.chars() {
        match (quote, c) {
            (Some(q), _) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '(') => depth += 1,
            (None, ')') if depth == 0 => break,
            (None, ')') => depth -= 1,
            (None, '=') if depth == 0 && !token.is_empty() => {
                args.push(std::mem::take(&mut token));
            }
            (None, c) if depth == 0 && (c.is_alphanumeric() || c == '_') => token.push(c),
            (None, _) => token.clear(),
        }
    }
    args
}

/// Ids marked with `msg!("id")` in Rust sources under `dir` (none if `dir` does not exist,
/// as in a deployment without sources).
pub fn scan_rust(dir: &Path) -> io::Result<Vec<Usage>> {
    let mut out = vec![];
    if !dir.is_dir() {
        return Ok(out);
    }
    for (_, path) in files::below(dir)? {
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let source = fs::read_to_string(&path)?;
        for (at, _) in source.match_indices("msg!(\"") {
            let line_start = source[..at].rfind('\n').map_or(0, |i| i + 1);
            if source[line_start..at].trim_start().starts_with("//") {
                continue; // documentation, not a use
            }
            let start = at + "msg!(\"".len();
            let Some(end) = source[start..].find('"') else {
                continue;
            };
            let (line, col) = line_col(&source, start);
            out.push(Usage {
                id: source[start..start + end].to_string(),
                file: path.clone(),
                line,
                col,
                args: vec![],
            });
        }
    }
    out.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::call_args;

    #[test]
    fn finds_named_arguments_only_at_the_call_level() {
        assert_eq!(call_args(", page=t_attr(\"x\", inner=1)) }}"), ["page"]);
        assert_eq!(
            call_args(", max=limits.message, n=f(a=\"=\")) rest(b=2)"),
            ["max", "n"]
        );
        assert!(call_args(") }}").is_empty());
    }
}
