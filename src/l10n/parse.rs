//! One locale's `.ftl` files, parsed with `fluent-syntax` into what the checks need: every
//! message and term with its attributes, and for each pattern its text (with positions),
//! variables, references and plural `[one]` variants.

use std::{
    collections::{BTreeMap, BTreeSet, HashMap, HashSet},
    io,
    path::{Path, PathBuf},
};

use fluent_syntax::{ast, parser};

use crate::i18n::{
    ftl_files, read_ftl,
    status::{self, English},
    syntax,
};

pub struct SourceFile {
    pub path: PathBuf,
    pub text: String,
}

/// A message (`id`) or term (`-id`).
pub struct Entry {
    pub file: usize,
    /// Byte offset of the id in its file.
    pub offset: usize,
    pub value: Option<PatternInfo>,
    pub attrs: BTreeMap<String, PatternInfo>,
}

#[derive(Default)]
pub struct PatternInfo {
    /// Text elements: (byte offset in the file, text).
    pub texts: Vec<(usize, String)>,
    pub vars: BTreeSet<String>,
    /// Referenced messages (`id`, `id.attr`) and terms (`-id`), with offsets.
    pub refs: Vec<(String, usize)>,
    /// Text inside `[one]` variants of select expressions, with offsets and the variable
    /// the select is on (`max` for `{ $max -> ...}`), if it is one.
    pub one_variants: Vec<(usize, String, Option<String>)>,
    /// The pattern's text with each placeable as `{}`: to compare with the reference.
    pub flat: String,
    /// The text as shown: string literals (`{"\u2066"}`) unescaped, other placeables `{}`.
    pub shown: String,
    /// String literals, unescaped, with the offsets of their opening quote.
    pub literals: Vec<(usize, String)>,
    /// The variant keys of select expressions on a number (keys all plural category names:
    /// `zero`, `one`, `two`, `few`, `many`, `other`), with their offsets and whether each is
    /// the default (`*`).
    pub plural_keys: Vec<(usize, String, bool)>,
}

/// The CLDR plural categories.
const PLURAL_CATEGORIES: [&str; 6] = ["zero", "one", "two", "few", "many", "other"];

pub struct ParsedLocale {
    pub code: String,
    /// Its folder.
    pub dir: PathBuf,
    pub files: Vec<SourceFile>,
    /// Keyed by id (terms keep their leading `-`).
    pub entries: BTreeMap<String, Entry>,
    /// Each entry as Fluent source, by id (what the server compares too).
    pub texts: HashMap<String, String>,
    /// What each entry says as a reference (used for English).
    pub english: HashMap<String, English>,
    /// The English each translation was made from.
    pub record: BTreeMap<String, status::Recorded>,
    /// Ids of entries that did not parse: their syntax error is reported, not their absence.
    pub broken_ids: HashSet<String>,
    /// Written in Latin letters (a name may then read the same as in English).
    pub latin: bool,
    /// Syntax errors, explained, with their file.
    pub syntax_errors: Vec<(usize, syntax::Problem)>,
    /// (file, byte offset, id) of a second definition.
    pub duplicates: Vec<(usize, usize, String)>,
}

impl ParsedLocale {
    pub fn message_ids(&self) -> impl Iterator<Item = &String> {
        self.entries.keys().filter(|k| !k.starts_with('-'))
    }
}

pub fn parse_locale(code: &str, dir: &Path) -> io::Result<ParsedLocale> {
    let paths = ftl_files(dir).map_err(|e| io::Error::other(e.to_string()))?;
    let mut files = vec![];
    for path in paths {
        let text = read_ftl(&path).map_err(|e| io::Error::other(e.to_string()))?;
        files.push(SourceFile { path, text });
    }
    let mut locale = ParsedLocale {
        code: code.to_string(),
        dir: dir.to_path_buf(),
        entries: BTreeMap::new(),
        texts: HashMap::new(),
        english: HashMap::new(),
        record: status::read_record(dir)?,
        broken_ids: HashSet::new(),
        latin: code
            .parse()
            .is_ok_and(|id| crate::i18n::likely_script(&id) == "Latn"),
        syntax_errors: vec![],
        duplicates: vec![],
        files: vec![],
    };
    for (index, file) in files.iter().enumerate() {
        let source = file.text.as_str();
        let resource = parser::parse(source).unwrap_or_else(|(res, errors)| {
            for problem in syntax::explain(source, &res.body, &errors) {
                // A message that does not parse, or that a stray line cut short, is reported
                // as the syntax error it is, not as missing.
                locale.broken_ids.extend(problem.id.clone());
                locale.syntax_errors.push((index, problem));
            }
            res
        });
        // A message without a comment of its own is described by the comment of the block
        // it is in (messages on consecutive lines under one comment, as the navigation
        // links), else by the group comment (`## ...`) above it.
        let mut group = String::new();
        let mut block: Option<(usize, String)> = None;
        for entry in resource.body {
            if let ast::Entry::GroupComment(c) = &entry {
                group = c.content.join("\n");
            }
            if let Some((id, text)) = status::canonical(&entry) {
                locale.texts.entry(id).or_insert(text);
            }
            if let Some((id, mut english)) = status::english(&entry) {
                let at = entry_offset(source, &entry);
                let in_block = block.as_ref().filter(|(end, _)| {
                    source
                        .get(*end..at)
                        .is_some_and(|between| !between.contains("\n\n"))
                });
                if english.comment.is_empty() {
                    english.comment = in_block.map_or_else(|| group.clone(), |(_, c)| c.clone());
                }
                block = Some((at, english.comment.clone()));
                locale.english.insert(id, english);
            }
            let (id, offset, value, attributes) = match entry {
                ast::Entry::Message(m) => {
                    let offset = offset_in(source, m.id.name).unwrap_or(0);
                    (m.id.name.to_string(), offset, m.value, m.attributes)
                }
                ast::Entry::Term(t) => {
                    let offset = offset_in(source, t.id.name).unwrap_or(0);
                    (
                        format!("-{}", t.id.name),
                        offset,
                        Some(t.value),
                        t.attributes,
                    )
                }
                _ => continue,
            };
            if locale.entries.contains_key(&id) {
                locale.duplicates.push((index, offset, id));
                continue;
            }
            let value = value.map(|p| pattern_info(source, &p));
            let attrs = attributes
                .into_iter()
                .map(|a| (a.id.name.to_string(), pattern_info(source, &a.value)))
                .collect();
            locale.entries.insert(
                id,
                Entry {
                    file: index,
                    offset,
                    value,
                    attrs,
                },
            );
        }
    }
    locale.files = files;
    Ok(locale)
}

/// Byte offset of `part` inside `source`, when `part` is a slice of it (as the parser's
/// `&str` AST nodes are).
/// Where a message or term starts in `source` (its id).
fn entry_offset(source: &str, entry: &ast::Entry<&str>) -> usize {
    match entry {
        ast::Entry::Message(m) => offset_in(source, m.id.name),
        ast::Entry::Term(t) => offset_in(source, t.id.name),
        _ => None,
    }
    .unwrap_or(0)
}

fn offset_in(source: &str, part: &str) -> Option<usize> {
    let start = source.as_ptr() as usize;
    let at = part.as_ptr() as usize;
    (at >= start && at + part.len() <= start + source.len()).then(|| at - start)
}

fn pattern_info(source: &str, pattern: &ast::Pattern<&str>) -> PatternInfo {
    let mut info = PatternInfo::default();
    walk_pattern(source, pattern, &mut info, None);
    info
}

/// `in_one`: inside the `[one]` variant of a select, with the select's variable if any.
fn walk_pattern(
    source: &str,
    pattern: &ast::Pattern<&str>,
    info: &mut PatternInfo,
    in_one: Option<&Option<String>>,
) {
    for element in &pattern.elements {
        match element {
            ast::PatternElement::TextElement { value } => {
                let offset = offset_in(source, value).unwrap_or(0);
                info.texts.push((offset, value.to_string()));
                info.flat.push_str(value);
                info.shown.push_str(value);
                if let Some(var) = in_one {
                    info.one_variants
                        .push((offset, value.to_string(), var.clone()));
                }
            }
            ast::PatternElement::Placeable { expression } => {
                info.flat.push_str("{}");
                match expression {
                    ast::Expression::Inline(ast::InlineExpression::StringLiteral { value }) => {
                        let text = fluent_syntax::unicode::unescape_unicode_to_string(value);
                        info.shown.push_str(&text);
                    }
                    _ => info.shown.push_str("{}"),
                }
                walk_expression(source, expression, info, in_one);
            }
        }
    }
}

fn walk_expression(
    source: &str,
    expr: &ast::Expression<&str>,
    info: &mut PatternInfo,
    in_one: Option<&Option<String>>,
) {
    match expr {
        ast::Expression::Inline(inline) => walk_inline(source, inline, info),
        ast::Expression::Select { selector, variants } => {
            walk_inline(source, selector, info);
            let names: Vec<_> = variants
                .iter()
                .filter_map(|v| match &v.key {
                    ast::VariantKey::Identifier { name } => Some((*name, v.default)),
                    ast::VariantKey::NumberLiteral { .. } => None,
                })
                .collect();
            if !names.is_empty() && names.iter().all(|(n, _)| PLURAL_CATEGORIES.contains(n)) {
                for (name, default) in names {
                    let offset = offset_in(source, name).unwrap_or(0);
                    info.plural_keys.push((offset, name.to_string(), default));
                }
            }
            let on = match selector {
                ast::InlineExpression::VariableReference { id } => Some(id.name.to_string()),
                _ => None,
            };
            for v in variants {
                let one = matches!(&v.key, ast::VariantKey::Identifier { name } if *name == "one");
                walk_pattern(source, &v.value, info, if one { Some(&on) } else { in_one });
            }
        }
    }
}

fn walk_inline(source: &str, inline: &ast::InlineExpression<&str>, info: &mut PatternInfo) {
    match inline {
        ast::InlineExpression::VariableReference { id } => {
            info.vars.insert(id.name.to_string());
        }
        ast::InlineExpression::MessageReference { id, attribute } => {
            let name = match attribute {
                Some(a) => format!("{}.{}", id.name, a.name),
                None => id.name.to_string(),
            };
            info.refs
                .push((name, offset_in(source, id.name).unwrap_or(0)));
        }
        ast::InlineExpression::TermReference { id, arguments, .. } => {
            info.refs.push((
                format!("-{}", id.name),
                offset_in(source, id.name).unwrap_or(0),
            ));
            if let Some(args) = arguments {
                walk_args(source, args, info);
            }
        }
        ast::InlineExpression::FunctionReference { arguments, .. } => {
            walk_args(source, arguments, info)
        }
        ast::InlineExpression::Placeable { expression } => {
            walk_expression(source, expression, info, None)
        }
        ast::InlineExpression::StringLiteral { value } => {
            let offset = offset_in(source, value).map_or(0, |o| o.saturating_sub(1));
            let text = fluent_syntax::unicode::unescape_unicode_to_string(value).into_owned();
            info.literals.push((offset, text));
        }
        ast::InlineExpression::NumberLiteral { .. } => {}
    }
}

fn walk_args(source: &str, args: &ast::CallArguments<&str>, info: &mut PatternInfo) {
    for a in &args.positional {
        walk_inline(source, a, info);
    }
    for a in &args.named {
        walk_inline(source, &a.value, info);
    }
}
