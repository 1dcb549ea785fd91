//! A statement's Markdown: read for the check (raw HTML, images, the words outside code) and
//! made HTML for the pages and feeds. Both read it with the same options, so what the check
//! sees is what readers get.

use std::path::Path;

use pulldown_cmark::{html, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use pulldown_cmark_escape::{escape_href, escape_html};

use super::Problem;

/// CommonMark, with tables and footnotes.
const OPTIONS: Options = Options::ENABLE_TABLES.union(Options::ENABLE_FOOTNOTES);

/// Reads Markdown `body` (which starts at byte `base` of its file), as pulldown-cmark
/// parses it for the pages: raw HTML is reported (it will be shown as text), and each image
/// must have its alt text and its file in the statement's folder. Its words outside code,
/// with their offsets.
pub(super) fn read_body(
    body: &str,
    base: usize,
    folder: &Path,
    path: &Path,
    problems: &mut Vec<Problem>,
) -> Vec<(usize, String)> {
    let mut texts = vec![];
    let mut in_code = false;
    let mut image: Option<(usize, String, String)> = None;
    for (event, range) in Parser::new_ext(body, OPTIONS).into_offset_iter() {
        let at = base + range.start;
        let event = match event {
            Event::Html(raw) | Event::InlineHtml(raw) => {
                problems.push(Problem {
                    path: path.to_path_buf(),
                    offset: at,
                    kind: "raw-html",
                    message: format!(
                        "HTML in a statement is shown as text, not used: `{}`",
                        raw.trim()
                    ),
                });
                Event::Text(raw)
            }
            other => other,
        };
        match &event {
            Event::Start(Tag::CodeBlock(_)) => in_code = true,
            Event::End(TagEnd::CodeBlock) => in_code = false,
            Event::Start(Tag::Image { dest_url, .. }) => {
                image = Some((at, dest_url.to_string(), String::new()));
            }
            Event::End(TagEnd::Image) => {
                if let Some((offset, url, alt)) = image.take() {
                    check_image(folder, path, offset, &url, &alt, problems);
                }
            }
            Event::Text(t) => {
                if let Some((_, _, alt)) = &mut image {
                    alt.push_str(t);
                }
                if !in_code {
                    texts.push((at, t.to_string()));
                }
            }
            _ => {}
        }
    }
    texts
}

/// An image needs words for those who cannot see it, and its file beside the statement.
fn check_image(
    folder: &Path,
    path: &Path,
    offset: usize,
    url: &str,
    alt: &str,
    problems: &mut Vec<Problem>,
) {
    let problem = |kind, message| Problem {
        path: path.to_path_buf(),
        offset,
        kind,
        message,
    };
    if alt.trim().is_empty() {
        problems.push(problem(
            "image-alt",
            format!("the image `{url}` has no alt text: write what it shows, as ![a crowd in Tehran]({url})"),
        ));
    }
    let local = !url.contains(':') && !url.starts_with('/') && !url.contains("..");
    if !local || !folder.join(url).is_file() {
        problems.push(problem(
            "image-missing",
            format!(
                "the image `{url}` is not a file in the statement's folder {}",
                folder.display()
            ),
        ));
    }
}

/// An image of a statement as pages show it: its content-hashed URL and its size, so that
/// the page keeps its place for it before it arrives.
pub(crate) struct Image {
    pub(crate) url: String,
    pub(crate) width: u32,
    pub(crate) height: u32,
}

/// `body` as HTML: raw HTML as text; headings one level down (the statement's title is the
/// page's `h1`); images by `image(name)` (`None`: the alt text alone), lazy and sized; links
/// other than web, mail and relative ones kept as their words only (a pasted `javascript:`).
pub(crate) fn html(body: &str, image: &dyn Fn(&str) -> Option<Image>) -> String {
    let mut events = vec![];
    let mut in_image: Option<(String, String)> = None;
    let mut dropped_links = vec![];
    for event in Parser::new_ext(body, OPTIONS) {
        let event = match event {
            Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
            other => other,
        };
        if let Some((_, alt)) = &mut in_image {
            match event {
                Event::End(TagEnd::Image) => {
                    let (url, alt) = in_image.take().unwrap_or_default();
                    events.push(image_tag(&url, &alt, image));
                }
                Event::Text(t) | Event::Code(t) => alt.push_str(&t),
                _ => {}
            }
            continue;
        }
        match event {
            Event::Start(Tag::Image { dest_url, .. }) => {
                in_image = Some((dest_url.to_string(), String::new()));
            }
            Event::Start(Tag::Heading {
                level,
                id,
                classes,
                attrs,
            }) => events.push(Event::Start(Tag::Heading {
                level: lower(level),
                id,
                classes,
                attrs,
            })),
            Event::End(TagEnd::Heading(level)) => {
                events.push(Event::End(TagEnd::Heading(lower(level))));
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let scheme = dest_url
                    .split_once(':')
                    .map(|(s, _)| s.to_ascii_lowercase());
                let allowed = match scheme.as_deref() {
                    None => true,
                    Some(s) => {
                        matches!(s, "http" | "https" | "mailto") || s.contains(['/', '?', '#'])
                    }
                };
                dropped_links.push(!allowed);
                if allowed {
                    events.push(Event::Start(Tag::Link {
                        link_type,
                        dest_url,
                        title,
                        id,
                    }));
                }
            }
            Event::End(TagEnd::Link) => {
                if !dropped_links.pop().unwrap_or(false) {
                    events.push(Event::End(TagEnd::Link));
                }
            }
            other => events.push(other),
        }
    }
    let mut out = String::with_capacity(body.len() * 3 / 2);
    html::push_html(&mut out, events.into_iter());
    out
}

/// One heading level down, `h6` staying `h6`.
fn lower(level: HeadingLevel) -> HeadingLevel {
    HeadingLevel::try_from(level as usize + 1).unwrap_or(HeadingLevel::H6)
}

fn image_tag<'a>(url: &str, alt: &str, image: &dyn Fn(&str) -> Option<Image>) -> Event<'a> {
    match image(url) {
        Some(Image { url, width, height }) => {
            let mut tag = String::from("<img src=\"");
            // Writing to a String cannot fail.
            let _ = escape_href(&mut tag, &url);
            tag.push_str("\" alt=\"");
            let _ = escape_html(&mut tag, alt);
            tag.push_str(&format!(
                "\" width=\"{width}\" height=\"{height}\" loading=\"lazy\" decoding=\"async\">"
            ));
            Event::Html(CowStr::from(tag))
        }
        None => Event::Text(CowStr::from(alt.to_string())),
    }
}

/// The words of the first paragraph, for a statement with no `summary`.
pub(super) fn first_paragraph(body: &str) -> String {
    let mut words = String::new();
    let mut inside = false;
    for event in Parser::new_ext(body, OPTIONS) {
        match event {
            Event::Start(Tag::Paragraph) => inside = true,
            Event::End(TagEnd::Paragraph) if inside => break,
            Event::Text(t) | Event::Code(t) | Event::Html(t) | Event::InlineHtml(t) if inside => {
                words.push_str(&t);
            }
            Event::SoftBreak | Event::HardBreak if inside => words.push(' '),
            _ => {}
        }
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_html_keeps_the_words_and_nothing_that_could_run() {
        let image = |name: &str| {
            (name == "a.png").then(|| Image {
                url: "/static/statements/s/a.0123456789.png".into(),
                width: 4,
                height: 2,
            })
        };
        let out = html(
            "# Heading\n\n[x](javascript:alert(1)) [y](https://example.org/) [z](other)\n\n\
             <b>bold</b>\n\n![an alt](a.png) ![gone](b.png)\n",
            &image,
        );
        assert!(out.contains("<h2>Heading</h2>"), "{out}");
        assert!(
            !out.contains("javascript") && out.contains("<p>x "),
            "{out}"
        );
        assert!(
            out.contains(r#"<a href="https://example.org/">y</a>"#),
            "{out}"
        );
        assert!(out.contains(r#"<a href="other">z</a>"#), "{out}");
        assert!(
            out.contains("&lt;b&gt;bold&lt;/b&gt;") && !out.contains("<b>"),
            "{out}"
        );
        assert!(
            out.contains(r#"<img src="/static/statements/s/a.0123456789.png" alt="an alt" width="4" height="2" loading="lazy" decoding="async">"#),
            "{out}"
        );
        assert!(
            out.contains(" gone</p>"),
            "a missing image leaves its words: {out}"
        );
    }

    #[test]
    fn a_summary_is_the_first_paragraphs_words() {
        assert_eq!(
            first_paragraph("## Not this\n\nThese *words*,\nthen `code`.\n\nNot these.\n"),
            "These words, then code."
        );
    }
}
