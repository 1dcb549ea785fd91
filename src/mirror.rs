//! `scdi-site export OUT`: the whole site as static files any host can serve, under any path
//! prefix, for mirrors where the site is blocked.
//!
//! Every page in every offered language is `<lang>/<page>/index.html`, linked relatively and
//! to the file itself (`../../fa/platform/index.html`), so the copy works under `/repo/`,
//! `/ipfs/<CID>/`, `/mirror/` or from disk, with no rewrite rules. Beside the pages: the
//! static files (plain and hashed paths), `.br` and `.gz` beside every text file, a sitemap
//! and robots.txt for the mirror's own address, a root `index.html` to choose the language
//! and a `404.html` (both in every language), and the header set a static host cannot take
//! from `<meta>` tags, as `_headers` (Netlify, Cloudflare Pages) and `nginx-headers.conf`,
//! from the same list as the live headers (`policy`). The same site gives the same bytes: no
//! timestamps, a fixed order. Before it finishes, the copy is checked: every internal
//! reference names a file of the copy, and nothing points elsewhere but the form's target,
//! the site's own addresses and email addresses.

use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
};

use anyhow::{bail, Context};
use minijinja::{context, Value};

use crate::{
    config::{other_addresses, BaseUrl, FormAction, MirrorUrl, OnionUrl, Privacy, SiteSources},
    page::CONTACT,
    policy,
    precompressed::{gzip_and_brotli, Effort},
    render::{page_href, Links},
    site::Material,
};

/// What `export` is asked to make.
pub struct ExportOptions {
    /// The folder to write.
    pub out: PathBuf,
    /// Where the copy will be served: `https://user.github.io/scdi`.
    pub base_url: MirrorUrl,
    /// The live site the copy's contact form posts to.
    pub form_action: FormAction,
    /// The primary site, for canonical links.
    pub canonical_url: BaseUrl,
    /// The site's other addresses, shown on every page.
    pub mirrors: Vec<MirrorUrl>,
    /// The site's onion service.
    pub onion_url: Option<OnionUrl>,
    /// What the live site does with messages, for the copy's privacy page and safety note.
    pub privacy: Privacy,
    /// Replace what the folder holds.
    pub force: bool,
}

/// What was written.
#[derive(Debug)]
pub struct Exported {
    pub files: usize,
    pub pages: usize,
}

/// Writes the static copy of the site made from `sources` into `options.out` (which must be
/// empty, or is emptied with `force`), then checks it.
pub fn export(sources: &SiteSources, options: &ExportOptions) -> anyhow::Result<Exported> {
    prepare(&options.out, options.force)?;
    // Nothing compressed: the copy takes the files as they are and compresses them itself.
    let site = Material::load(sources, &options.privacy, true, Effort::None)
        .context("loading the site")?;
    let here = options.base_url.as_str();
    let live = options.form_action.base_url().as_str();
    let endpoints: Vec<String> = site
        .locales
        .offered()
        .map(|l| format!("{live}{}", CONTACT.path(&l.code)))
        .collect();
    let form_action = endpoints.join(" ");
    let links = Links {
        here: here.to_string(),
        primary: options.canonical_url.as_str().to_string(),
        // Each page's own, from its folder ([`Links::of_page`]).
        root: Some(String::new()),
        form_action: Some(live.to_string()),
        onion: options.onion_url.as_ref().map(|o| o.as_str().to_string()),
        others: other_addresses(
            &options.canonical_url,
            &options.mirrors,
            options.onion_url.as_ref(),
            here,
        ),
        csp: Some(policy::csp(&form_action, true)),
        referrer: Some(policy::MIRROR_REFERRER),
    };
    let mut files: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    let mut page_count = 0;
    for locale in site.locales.offered() {
        let (table, statements) = site
            .render_language(locale, &links)
            .with_context(|| format!("rendering the pages in {}", locale.code))?;
        for page in table.into_iter().chain(statements) {
            let file = page_href(Some(""), &locale.code, &page.slug);
            page_count += usize::from(page.content_type.starts_with("text/html"));
            files.insert(file, page.body.into_bytes());
        }
    }
    for (path, bytes) in site.assets.files() {
        files.insert(format!("static/{path}"), bytes.to_vec());
    }
    for (file, kind, root) in [
        ("index.html", "choose", String::new()),
        ("404.html", "not-found", format!("{here}/")),
    ] {
        // The 404 page is served at any depth: its links are absolute, within the copy.
        let languages: Vec<Value> = site
            .locales
            .offered()
            .map(|l| context! { code => l.code, dir => l.dir.as_str(), script => l.script })
            .collect();
        let html = site.renderer.render(
            "languages.html",
            context! {
                kind, languages,
                canonical => format!("{}/", links.primary),
                csp_meta => links.csp,
                referrer => policy::MIRROR_REFERRER,
                link_root => root,
            },
        )?;
        files.insert(file.to_string(), html.into_bytes());
    }
    let sitemap = links.sitemap(&site.locales, &site.statements.sitemap(&site.locales));
    files.insert(
        "sitemap.xml".into(),
        site.renderer.render("sitemap.xml", sitemap)?.into_bytes(),
    );
    files.insert(
        "robots.txt".into(),
        site.renderer
            .render("robots.txt", context! { base_url => here })?
            .into_bytes(),
    );
    let headers = policy::headers(&form_action, policy::MIRROR_REFERRER);
    files.insert("_headers".into(), netlify_headers(&headers).into_bytes());
    files.insert(
        "nginx-headers.conf".into(),
        nginx_headers(&headers).into_bytes(),
    );

    let mut allowed = vec![links.primary.clone(), live.to_string()];
    allowed.extend(links.others.iter().cloned());
    let problems = check(&files, here, &allowed);
    if !problems.is_empty() {
        bail!(
            "the copy has broken or outside references; nothing is published until they are \
             fixed:\n{}",
            problems.join("\n")
        );
    }
    let compressed: Vec<(String, Vec<u8>)> = files
        .iter()
        // Text, compressed beside itself (`x.css.br`, `x.css.gz`), as the live site
        // compresses it.
        .filter(|(path, _)| crate::assets::kind(path).1)
        .flat_map(|(path, bytes)| {
            let (gz, br) = gzip_and_brotli(bytes);
            [
                (format!("{path}.gz"), gz.to_vec()),
                (format!("{path}.br"), br.to_vec()),
            ]
        })
        .collect();
    files.extend(compressed);
    for (path, bytes) in &files {
        let target = options.out.join(path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("creating {}", parent.display()))?;
        }
        std::fs::write(&target, bytes).with_context(|| format!("writing {}", target.display()))?;
    }
    Ok(Exported {
        files: files.len(),
        pages: page_count,
    })
}

/// The headers as Netlify and Cloudflare Pages read them, for every path.
fn netlify_headers(headers: &[(&str, String)]) -> String {
    let mut out = String::from("/*\n");
    for (name, value) in headers {
        out.push_str(&format!("  {name}: {value}\n"));
    }
    out.push_str("/static/*\n  cache-control: public, max-age=3600\n");
    out
}

/// The headers as nginx `add_header` lines, for the `server` or `location` serving the copy.
fn nginx_headers(headers: &[(&str, String)]) -> String {
    let mut out = String::from(
        "# The live site's security headers, for nginx serving this copy: include this file\n\
         # in the server or location block (and `gzip_static on;` to send the .gz files).\n",
    );
    for (name, value) in headers {
        out.push_str(&format!("add_header {name} \"{value}\" always;\n"));
    }
    out
}

/// Makes sure `out` is an empty folder (emptying it with `force`).
fn prepare(out: &Path, force: bool) -> anyhow::Result<()> {
    if out.exists() {
        let mut entries = std::fs::read_dir(out)
            .with_context(|| format!("reading {}", out.display()))?
            .peekable();
        if entries.peek().is_some() {
            if !force {
                bail!(
                    "{} is not empty: export into a new or empty folder, or add --force to \
                     replace what is in it",
                    out.display()
                );
            }
            std::fs::remove_dir_all(out).with_context(|| format!("emptying {}", out.display()))?;
        }
    }
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    Ok(())
}

/// Every reference in the copy's HTML and CSS: a relative one must name a file of the copy;
/// an absolute one must be within the copy (`here`, and then name a file) or start with one
/// of `allowed` (the site's other addresses, the form's target); `mailto:` links fetch
/// nothing and pass. One line per problem, naming the file.
fn check(files: &BTreeMap<String, Vec<u8>>, here: &str, allowed: &[String]) -> Vec<String> {
    let mut problems = vec![];
    for (file, bytes) in files {
        let text = String::from_utf8_lossy(bytes);
        let references = if file.ends_with(".html") {
            attribute_values(&text, &["href=\"", "src=\"", "action=\"", "content=\""])
        } else if file.ends_with(".css") {
            attribute_values(&text, &["url(\""])
        } else {
            continue;
        };
        let dir = file.rsplit_once('/').map_or("", |(dir, _)| dir);
        for reference in references {
            let reference = reference.split(['#', '?']).next().unwrap_or_default();
            if reference.is_empty() {
                continue; // a fragment in the page itself
            }
            let target = if let Some(within) = reference
                .strip_prefix(here)
                .filter(|rest| rest.is_empty() || rest.starts_with('/'))
            {
                Some(within.trim_start_matches('/').to_string())
            } else if reference.starts_with("mailto:") {
                None // an address to write to: nothing is fetched
            } else if reference.contains("://") {
                if !allowed.iter().any(|a| {
                    reference
                        .strip_prefix(a.as_str())
                        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
                }) {
                    problems.push(format!("{file}: `{reference}` points outside the copy"));
                }
                None
            } else if reference.starts_with('/') {
                problems.push(format!(
                    "{file}: `{reference}` starts at the host's root, which a copy under a \
                     path does not have"
                ));
                None
            } else if reference.contains(' ') || !reference.contains(['.', '/']) {
                None // a `content` that is not a link (a description, a size)
            } else {
                Some(resolve(dir, reference))
            };
            let Some(target) = target else { continue };
            let target = if target.is_empty() || target.ends_with('/') {
                format!("{target}index.html")
            } else {
                target
            };
            if !files.contains_key(&target) {
                problems.push(format!(
                    "{file}: `{reference}` names {target}, which is not in the copy"
                ));
            }
        }
    }
    problems
}

/// The values after each of `openers` up to the closing quote or parenthesis.
fn attribute_values<'a>(text: &'a str, openers: &[&str]) -> Vec<&'a str> {
    let mut values = vec![];
    for opener in openers {
        let close = if opener.ends_with('(') { ')' } else { '"' };
        for (at, _) in text.match_indices(opener) {
            let rest = &text[at + opener.len()..];
            let end = rest.find(['"', close]).unwrap_or(rest.len());
            values.push(&rest[..end]);
        }
    }
    values
}

/// `reference` relative to folder `dir`, as a path from the root of the copy.
fn resolve(dir: &str, reference: &str) -> String {
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for part in reference.split('/') {
        match part {
            ".." => {
                parts.pop();
            }
            "." | "" => {}
            _ => parts.push(part),
        }
    }
    let joined = parts.join("/");
    if reference.ends_with('/') {
        format!("{joined}/")
    } else {
        joined
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_resolve_from_the_file_that_makes_them() {
        assert_eq!(
            resolve("fa/platform", "../../static/site.1234567890.css"),
            "static/site.1234567890.css"
        );
        assert_eq!(resolve("static", "fonts/a.woff2"), "static/fonts/a.woff2");
        let mut files = BTreeMap::new();
        files.insert(
            "fa/index.html".to_string(),
            br#"<a href="../en/index.html"></a><a href="/en/"></a><img src="missing.png"><a href="https://elsewhere.example/x"></a><a href="https://live.example/fa/contact"></a>"#.to_vec(),
        );
        files.insert("en/index.html".to_string(), vec![]);
        let problems = check(
            &files,
            "https://m.example/scdi",
            &["https://live.example".into()],
        );
        assert_eq!(problems.len(), 3, "{problems:#?}");
        assert!(problems.iter().all(|p| p.starts_with("fa/index.html: ")));
    }
}
