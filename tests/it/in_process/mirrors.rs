//! Readers where the site is blocked: the static export (complete, relative, checked,
//! deterministic), forms posted from mirrors, and the other addresses on every page. The
//! export in a real browser behind nginx under a path prefix: tests/browser/mirror.test.mjs.

use std::{collections::BTreeMap, path::Path};

use scdi_site::{
    config::{BaseUrl, SiteSources},
    mirror::{export, ExportOptions},
    page::PAGES,
};

use crate::common::{copy_dir, form_body, repo_root, TestApp};

const HERE: &str = "https://user.github.io/scdi";
const LIVE: &str = "https://live.example.org";
const ONION: &str = "http://abcdefghijklmnopqrstuvwxyz234567abcdefghijklmnopqrstuvwx.onion";

fn sources(root: &Path) -> SiteSources {
    SiteSources::rooted(root)
}

fn options(out: &Path, force: bool) -> ExportOptions {
    ExportOptions {
        out: out.to_path_buf(),
        base_url: HERE.parse().unwrap(),
        form_action: LIVE.parse().unwrap(),
        canonical_url: LIVE.parse::<BaseUrl>().unwrap(),
        mirrors: vec!["https://mirror-two.example/site".parse().unwrap()],
        onion_url: Some(ONION.parse().unwrap()),
        privacy: crate::common::privacy_with(|_| {}),
        force,
    }
}

/// Every file of a folder, by path, with its bytes.
fn read_all(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let path = e.path().strip_prefix(dir).unwrap().display().to_string();
            (path, std::fs::read(e.path()).unwrap())
        })
        .collect()
}

fn text<'a>(files: &'a BTreeMap<String, Vec<u8>>, path: &str) -> &'a str {
    std::str::from_utf8(&files[path]).unwrap_or_else(|_| panic!("{path} is UTF-8"))
}

#[test]
fn the_export_is_complete_relative_and_byte_identical_every_time() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    export(&sources(repo_root()), &options(a.path(), false)).unwrap();
    export(&sources(repo_root()), &options(b.path(), false)).unwrap();
    let files = read_all(a.path());
    assert!(
        files == read_all(b.path()),
        "the same site gives the same bytes"
    );

    for lang in ["en", "fa"] {
        for page in PAGES {
            let slug = page.slug();
            let file = if slug.is_empty() {
                format!("{lang}/index.html")
            } else {
                format!("{lang}/{slug}/index.html")
            };
            let html = text(&files, &file);
            assert!(!html.contains("<script"), "{file}: no script");
            assert!(
                html.contains(&format!(
                    "<link rel=\"canonical\" href=\"{LIVE}/{lang}/{slug}\">"
                )),
                "{file}: canonical is the primary site"
            );
            assert!(
                html.contains(&format!("hreflang=\"en\" href=\"{HERE}/en/")),
                "{file}: alternates stay in the mirror"
            );
            assert!(html.contains("<meta http-equiv=\"Content-Security-Policy\""));
            assert!(html.contains("<meta name=\"referrer\" content=\"strict-origin\">"));
            assert!(html.contains(&format!(
                "<meta http-equiv=\"onion-location\" content=\"{ONION}/{lang}/{slug}\">"
            )));
            // No link from the root of a host, which a copy under a path does not have.
            assert!(
                !html.contains("href=\"/") && !html.contains("src=\"/"),
                "{file}"
            );
            for sibling in [".br", ".gz"] {
                assert!(
                    files.contains_key(&format!("{file}{sibling}")),
                    "{file}{sibling}"
                );
            }
        }
    }
    // The form posts to the live site, which the policy allows and nothing else.
    let contact = text(&files, "fa/contact/index.html");
    assert!(contact.contains(&format!("action=\"{LIVE}/fa/contact\"")));
    assert!(contact.contains(&format!("form-action {LIVE}/en/contact {LIVE}/fa/contact;")));
    assert!(contact.contains("class=\"mirror-note\""));
    // The other addresses, in the footer: the primary, the other mirror, the onion service.
    let footer = &contact[contact.find("site-footer").unwrap()..];
    for address in [LIVE, "https://mirror-two.example/site", ONION] {
        assert!(
            footer.contains(&format!("href=\"{address}/\"")),
            "{address}"
        );
    }
    assert!(!footer.contains(&format!("href=\"{HERE}/\"")), "not itself");
    assert!(footer.contains("نشانی‌های دیگر این وب‌سایت"));

    // The root, the 404 page, the sitemap, robots.txt, the headers for static hosts.
    let root = text(&files, "index.html");
    assert!(root.contains("href=\"en/index.html\"") && root.contains("href=\"fa/index.html\""));
    assert!(root.contains("lang=\"fa\" dir=\"rtl\""));
    let missing = text(&files, "404.html");
    assert!(missing.contains(&format!("href=\"{HERE}/fa/index.html\"")));
    let sitemap = text(&files, "sitemap.xml");
    assert!(sitemap.contains(&format!("<loc>{HERE}/fa/platform/</loc>")));
    assert!(!sitemap.contains(LIVE) && !sitemap.contains("onion"));
    assert!(text(&files, "robots.txt").contains(&format!("Sitemap: {HERE}/sitemap.xml")));
    let headers = text(&files, "_headers");
    assert!(headers.starts_with("/*\n  content-security-policy: default-src 'self';"));
    assert!(
        headers.contains("frame-ancestors 'none'"),
        "the full policy"
    );
    assert!(
        text(&files, "nginx-headers.conf").contains("add_header x-frame-options \"DENY\" always;")
    );
    // Every text file has its compressed siblings; the hashed assets are there.
    for path in files.keys() {
        let ext = path.rsplit('.').next().unwrap();
        if ["html", "css", "svg", "txt", "xml"].contains(&ext) {
            assert!(files.contains_key(&format!("{path}.br")), "{path}.br");
            assert!(files.contains_key(&format!("{path}.gz")), "{path}.gz");
        }
    }
    assert!(files
        .keys()
        .any(|p| p.starts_with("static/site.") && p.ends_with(".css")));
    assert!(files
        .keys()
        .any(|p| p.starts_with("static/fonts/Vazirmatn-NL-Regular.")));
}

#[test]
fn the_copys_privacy_page_states_the_live_sites_handling_and_that_it_is_a_copy() {
    let out = tempfile::tempdir().unwrap();
    let mut options = options(out.path(), false);
    options.privacy = crate::common::privacy_with(|c| {
        c.handling.retention_days = Some(30);
        c.handling.privacy_contact = Some("privacy@example.org".parse().unwrap());
    });
    export(&sources(repo_root()), &options).unwrap();
    let files = read_all(out.path());
    let en = text(&files, "en/privacy/index.html");
    assert!(en.contains("deleted automatically 30 days after"), "{en}");
    assert!(en.contains("href=\"mailto:privacy@example.org\""));
    assert!(en.contains(
        "This copy states the main site&#39;s settings as they were when the copy was made."
    ));
    assert!(!en.contains("they change as soon as the settings do"));
    let fa = text(&files, "fa/privacy/index.html");
    assert!(fa.contains("۳۰ روز"), "{fa}");
    // Linked from every page's footer and from the form, relatively.
    assert!(text(&files, "fa/contact/index.html").contains("href=\"../../fa/privacy/index.html\""));
    assert!(text(&files, "en/index.html").contains("href=\"../en/privacy/index.html\""));
    assert!(text(&files, "sitemap.xml").contains(&format!("<loc>{HERE}/fa/privacy/</loc>")));
    // The safety note lists the onion service and the other addresses.
    let contact = text(&files, "en/contact/index.html");
    let note = crate::common::safety_note(contact);
    assert!(note.contains(&format!("href=\"{ONION}/\"")), "{note}");
    assert!(note.contains(&format!("href=\"{LIVE}/\"")), "{note}");
}

#[test]
fn the_export_refuses_a_folder_with_something_in_it_unless_forced() {
    let out = tempfile::tempdir().unwrap();
    std::fs::write(out.path().join("keep.txt"), "mine").unwrap();
    let err = export(&sources(repo_root()), &options(out.path(), false)).unwrap_err();
    let said = format!("{err:#}");
    assert!(
        said.contains("is not empty") && said.contains("--force"),
        "{said}"
    );
    assert!(out.path().join("keep.txt").exists(), "nothing touched");
    export(&sources(repo_root()), &options(out.path(), true)).unwrap();
    assert!(!out.path().join("keep.txt").exists(), "replaced");
    assert!(out.path().join("fa/index.html").exists());
}

#[test]
fn a_broken_reference_stops_the_export_and_names_the_file() {
    let root = tempfile::tempdir().unwrap();
    for dir in ["locales", "templates", "static"] {
        copy_dir(&repo_root().join(dir), &root.path().join(dir));
    }
    let thanks = root.path().join("templates/thanks.html");
    let source = std::fs::read_to_string(&thanks).unwrap();
    std::fs::write(
        &thanks,
        source.replace(
            "</h1>",
            "</h1><a href=\"/en/\">root</a><img src=\"../../nowhere.png\" alt=\"\"><a href=\"https://tracker.example/\">x</a>",
        ),
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    let err = export(&sources(root.path()), &options(out.path(), false)).unwrap_err();
    let said = format!("{err:#}");
    for expected in [
        "fa/contact/thanks/index.html: `/en/` starts at the host's root",
        "fa/contact/thanks/index.html: `../../nowhere.png` names fa/nowhere.png, which is not in the copy",
        "en/contact/thanks/index.html: `https://tracker.example/` points outside the copy",
    ] {
        assert!(said.contains(expected), "{expected}\nin:\n{said}");
    }
}

#[tokio::test]
async fn a_form_from_an_allowed_mirror_is_stored_and_from_anywhere_else_refused() {
    let app = TestApp::with_config(|c| {
        c.allowed_form_origins = vec!["https://user.github.io".parse().unwrap()];
    })
    .await;
    let body = form_body(&[
        ("name", "Reader"),
        ("email", "reader@example.org"),
        ("message", "from a mirror"),
    ]);
    let from = |origin: &'static str| {
        [
            ("content-type", "application/x-www-form-urlencoded"),
            ("sec-fetch-site", "cross-site"),
            ("origin", origin),
        ]
    };
    let res = app
        .post_with("/fa/contact", body.clone(), &from("https://user.github.io"))
        .await;
    assert_eq!(res.status, 303);
    assert_eq!(res.location(), Some("/fa/contact/thanks"));
    for other in [
        "https://evil.example",
        "null",
        "https://user.github.io.evil.example",
    ] {
        let res = app
            .post_with("/fa/contact", body.clone(), &from(other))
            .await;
        assert_eq!(res.status, 403, "{other}");
    }
    let stored = app.state.store.list_since(None).await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].body, "from a mirror");
}

#[tokio::test]
async fn onion_location_is_sent_with_every_page_when_configured() {
    let app = TestApp::with_config(|c| c.onion_url = Some(ONION.parse().unwrap())).await;
    for path in ["/fa/platform", "/en/", "/en/no-such-page"] {
        let res = app.get(path).await;
        assert_eq!(
            res.header("onion-location"),
            Some(format!("{ONION}{path}").as_str()),
            "{path}"
        );
    }
    let css = app.get("/static/site.css").await;
    assert_eq!(css.header("onion-location"), None, "pages only");
    // The onion address is among the other addresses on every page.
    assert!(app
        .get("/en/")
        .await
        .body
        .contains(&format!("href=\"{ONION}/\"")));

    let plain = TestApp::new().await;
    assert_eq!(
        plain.get("/fa/platform").await.header("onion-location"),
        None
    );
    assert!(!plain.get("/en/").await.body.contains("other-addresses"));
}

#[tokio::test]
async fn every_live_page_lists_the_mirrors_under_a_localized_heading() {
    let app = TestApp::with_config(|c| {
        c.mirrors = vec!["https://user.github.io/scdi".parse().unwrap()];
    })
    .await;
    for (path, heading) in [
        ("/en/people", "Other addresses of this site"),
        ("/fa/people", "نشانی‌های دیگر این وب‌سایت"),
    ] {
        let body = app.get(path).await.body;
        assert!(body.contains(heading), "{path}");
        assert!(
            body.contains("href=\"https://user.github.io/scdi/\""),
            "{path}"
        );
    }
    // Not this site's URLs: not in its sitemap.
    let sitemap = app.get("/sitemap.xml").await.body;
    assert!(!sitemap.contains("github.io"));
}
