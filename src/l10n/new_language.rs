//! `scdi-site l10n new-language ckb --name کوردی`: a folder ready to translate, with one file
//! per English file holding each message's English (and what it is for) as comments where
//! its translation goes, and the language's entry in `languages.toml`.

use std::{fs, io::Write, path::PathBuf};

use fluent_syntax::{ast, parser};
use unic_langid::LanguageIdentifier;

use crate::i18n::{ftl_files, read_ftl, status, Direction, DEFAULT_LANG, LANGUAGES_FILE};

/// What was made.
pub struct NewLanguage {
    pub dir: PathBuf,
    pub files: Vec<PathBuf>,
    pub direction: Direction,
    /// ISO 15924, e.g. `Arab`: Arabic-script languages are set in the site's Persian font.
    pub script: String,
}

pub fn new_language(
    locales_dir: &std::path::Path,
    tag: &str,
    name: &str,
    og_locale: Option<&str>,
) -> anyhow::Result<NewLanguage> {
    let id: LanguageIdentifier = tag
        .parse()
        .map_err(|_| anyhow::anyhow!("`{tag}` is not a language tag (like `ckb` or `ar`)"))?;
    anyhow::ensure!(
        id == tag,
        "write the tag as `{id}` (the folder name and the URL prefix)"
    );
    anyhow::ensure!(
        tag != DEFAULT_LANG,
        "{DEFAULT_LANG} is the reference language"
    );
    let dir = locales_dir.join(tag);
    anyhow::ensure!(!dir.exists(), "{} already exists", dir.display());
    let meta_path = locales_dir.join(LANGUAGES_FILE);
    let meta = fs::read_to_string(&meta_path)?;
    let table: toml::Table = toml::from_str(&meta)?;
    anyhow::ensure!(
        !table.contains_key(tag),
        "{} already has [{tag}]",
        meta_path.display()
    );

    let mut made = vec![];
    let mut files = vec![];
    for english in ftl_files(&locales_dir.join(DEFAULT_LANG))? {
        let source = read_ftl(&english)?;
        let resource = parser::parse(source.as_str()).unwrap_or_else(|(res, _)| res);
        made.push((
            english.file_name().unwrap_or_default().to_owned(),
            to_translate(&resource, name, tag),
        ));
    }
    fs::create_dir(&dir)?;
    for (file, text) in made {
        let path = dir.join(file);
        fs::write(&path, text)?;
        files.push(path);
    }
    let mut entry = format!("\n[{tag}]\nname = {}\n", toml::Value::from(name));
    if let Some(og) = og_locale {
        entry.push_str(&format!("og_locale = {}\n", toml::Value::from(og)));
    }
    fs::OpenOptions::new()
        .append(true)
        .open(&meta_path)?
        .write_all(entry.as_bytes())?;

    let mut likely = id.clone();
    likely.maximize();
    Ok(NewLanguage {
        dir,
        files,
        direction: Direction::of(&id),
        script: likely
            .script
            .map_or_else(|| "Zyyy".into(), |s| s.to_string()),
    })
}

/// An English file made into one to translate: every message commented out, with its
/// comment above it.
fn to_translate(resource: &ast::Resource<&str>, name: &str, tag: &str) -> String {
    let mut out = format!(
        "## To translate into {name} ({tag}). For each message below, write its line again\n\
         ## without the `#`, keeping the id (left of `=`) and putting your language after `=`.\n\
         ## The English and what each message is for stay as comments. See locales/README.md.\n"
    );
    for entry in &resource.body {
        match entry {
            ast::Entry::GroupComment(c) | ast::Entry::ResourceComment(c) => {
                out.push('\n');
                for line in &c.content {
                    out.push_str(&format!("## {line}\n").replace("## \n", "##\n"));
                }
            }
            ast::Entry::Message(_) | ast::Entry::Term(_) => {
                let Some((id, english)) = status::english(entry) else {
                    continue;
                };
                out.push('\n');
                for line in english.comment.lines() {
                    out.push_str(&format!("# {line}\n"));
                }
                let text = format!("{id} = {}", english.text);
                for line in text.lines() {
                    out.push_str(&format!("# {line}\n"));
                }
            }
            _ => {}
        }
    }
    out
}
