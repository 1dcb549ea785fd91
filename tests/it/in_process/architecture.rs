//! The module graph is a top-down stack: a module of the crate uses only modules on floors
//! below its own (`lib.rs` lists them floor by floor). Read from the sources: every
//! `crate::name` path, in `use` lists too.

use std::{collections::BTreeMap, fs, path::Path};

use crate::common::repo_root;

/// Floors, top first.
const FLOORS: &[&[&str]] = &[
    &["middleware"],
    &["routes", "mirror", "background"],
    &["state", "server", "export"],
    &["site"],
    &["render", "assets", "l10n"],
    &["content", "form", "limit", "outbox"],
    &[
        "error",
        "i18n",
        "onion",
        "page",
        "policy",
        "precompressed",
        "store",
        "traffic",
        "watch",
    ],
    &["accept", "config", "files"],
];

fn floor_of(module: &str) -> Option<usize> {
    FLOORS.iter().position(|floor| floor.contains(&module))
}

/// The top-level modules each module of `src/` names through `crate::`.
fn uses() -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (rel, path) in files(&repo_root().join("src")) {
        let module = rel.split(['/', '.']).next().unwrap().to_string();
        // The binary's own files (its command line), above the library.
        if module == "lib" || module == "main" || module == "cli" {
            continue;
        }
        let source = fs::read_to_string(path).unwrap();
        let code: String = source
            .lines()
            .map(|l| l.split("//").next().unwrap())
            .collect::<Vec<_>>()
            .join("\n");
        let used = out.entry(module.clone()).or_default();
        for (at, _) in code.match_indices("crate::") {
            let rest = &code[at + "crate::".len()..];
            if let Some(list) = rest.strip_prefix('{') {
                used.extend(top_level_names(list));
            } else {
                used.push(identifier(rest));
            }
        }
        used.retain(|u| u != &module);
        used.sort();
        used.dedup();
    }
    out
}

fn identifier(s: &str) -> String {
    s.chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect()
}

/// The first name of each item of a `{a::b, c, d::{e, f}}` list (without its `{`).
fn top_level_names(list: &str) -> Vec<String> {
    let mut names = vec![identifier(list.trim_start())];
    let mut depth = 0;
    for (i, c) in list.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => break,
            '}' => depth -= 1,
            ',' if depth == 0 => names.push(identifier(list[i + 1..].trim_start())),
            _ => {}
        }
    }
    names.retain(|n| !n.is_empty());
    names
}

fn files(dir: &Path) -> Vec<(String, std::path::PathBuf)> {
    let mut out = vec![];
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if path.is_dir() {
            out.extend(
                files(&path)
                    .into_iter()
                    .map(|(rel, p)| (format!("{name}/{rel}"), p)),
            );
        } else if name.ends_with(".rs") {
            out.push((name, path));
        }
    }
    out
}

#[test]
fn modules_only_use_modules_on_lower_floors() {
    let uses = uses();
    let mut wrong = vec![];
    for (module, used) in &uses {
        let floor = floor_of(module).unwrap_or_else(|| panic!("{module} is on no floor"));
        for u in used {
            match floor_of(u) {
                Some(f) if f > floor => {}
                _ => wrong.push(format!("{module} uses {u}")),
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    // The check reads what it should: the known edges are seen.
    assert!(uses["routes"].contains(&"state".to_string()));
    assert!(uses["middleware"].contains(&"i18n".to_string()));
    assert!(uses["form"].contains(&"i18n".to_string()));
    assert!(uses["middleware"].contains(&"routes".to_string()));
}
