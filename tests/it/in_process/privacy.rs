//! The privacy page and the contact page's safety note: each fact they state follows the
//! settings the site runs with, in both languages.

use scdi_site::{store::Store, Config};

use crate::common::{attr_of, privacy_with, safety_note, Backend, TestApp, PAGES};

const ONION: &str = "http://abcdefghijklmnopqrstuvwxyz234567abcdefghijklmnopqrstuvwx.onion";
const PASSES_THROUGH_PROVIDER: &str = "passes through their email provider";

/// The privacy page in `lang` of a site run with `change`.
async fn privacy_page(lang: &str, change: impl FnOnce(&mut Config)) -> String {
    let app = TestApp::with_config(change).await;
    let res = app.get(&format!("/{lang}/privacy")).await;
    assert_eq!(res.status, 200);
    res.body
}

/// The text of the element with `id` in `html` (its tags dropped), or `None`.
fn text_of(html: &str, id: &str) -> Option<String> {
    let start = html.find(&format!("id=\"{id}\""))?;
    let open = start + html[start..].find('>')? + 1;
    let close = open
        + html[open..]
            .find("</p>")
            .or_else(|| html[open..].find("</li>"))?;
    let mut text = String::new();
    let mut in_tag = false;
    for c in html[open..close].chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    Some(
        text.replace("&#39;", "'")
            .replace("&quot;", "\"")
            .replace("&amp;", "&"),
    )
}

/// Sets up email notifications to a relay on this machine (never contacted here).
fn email(c: &mut Config) {
    c.notify.emails = vec!["organisers@example.org".parse().unwrap()];
    c.notify.from = Some("website@example.org".parse().unwrap());
    c.notify.smtp_url = Some("smtp://127.0.0.1:2525".parse().unwrap());
}

#[tokio::test]
async fn the_privacy_page_is_in_every_language_and_linked_from_every_footer_and_the_form() {
    let app = TestApp::new().await;
    for lang in ["en", "fa"] {
        let page = app.get(&format!("/{lang}/privacy")).await;
        assert_eq!(page.status, 200, "{lang}");
        assert!(page.body.contains(&format!("<html lang=\"{lang}\"")));
        let link = format!("href=\"/{lang}/privacy\"");
        for slug in PAGES {
            let body = app.get(&format!("/{lang}/{slug}")).await.body;
            let footer = &body[body.find("<footer").expect("a footer")..];
            assert!(footer.contains(&link), "/{lang}/{slug}'s footer: {footer}");
        }
        let contact = app.get(&format!("/{lang}/contact")).await.body;
        let end = &contact[contact.find("class=\"form-end\"").expect("the form's end")..];
        let end = &end[..end.find("</form>").unwrap()];
        assert!(
            end.contains("type=\"submit\"") && end.contains(&link),
            "{end}"
        );
    }
    assert_eq!(
        app.get("/privacy").await.status,
        307,
        "negotiated, as every page"
    );
}

#[tokio::test]
async fn retention_days_are_stated_in_the_readers_digits_and_otherwise_kept_until_deleted() {
    let thirty = |c: &mut Config| c.handling.retention_days = Some(30);
    let en = text_of(&privacy_page("en", thirty).await, "retention").unwrap();
    assert!(en.contains("deleted automatically 30 days after"), "{en}");
    let fa = text_of(&privacy_page("fa", thirty).await, "retention").unwrap();
    assert!(fa.contains("۳۰ روز") && !fa.contains("30"), "{fa}");

    let en = text_of(&privacy_page("en", |_| {}).await, "retention").unwrap();
    assert!(en.contains("kept until the organisers delete them"), "{en}");
    assert!(!en.contains("automatically"), "{en}");
    let fa = text_of(&privacy_page("fa", |_| {}).await, "retention").unwrap();
    assert!(fa.contains("تا زمانی که برگزارکنندگان پاکشان کنند"), "{fa}");
}

#[tokio::test]
async fn the_mail_provider_is_named_only_when_whole_messages_are_emailed() {
    let full = privacy_page("en", email).await;
    assert!(full.contains(PASSES_THROUGH_PROVIDER), "{full}");
    let notice = privacy_page("en", |c| {
        email(c);
        c.notify.content = scdi_site::config::Content::None;
    })
    .await;
    assert!(!notice.contains(PASSES_THROUGH_PROVIDER), "{notice}");
    assert!(text_of(&notice, "email")
        .unwrap()
        .contains("does not contain your name, your address or your words"));
    let none = privacy_page("en", |_| {}).await;
    assert!(
        text_of(&none, "email").is_none(),
        "no email, no sentence about it"
    );
    assert!(!none.contains("by email"), "{none}");
}

#[tokio::test]
async fn a_webhook_is_named_by_its_host_alone() {
    let dir = tempfile::tempdir().unwrap();
    let secret = dir.path().join("secret");
    std::fs::write(&secret, "a-long-enough-signing-secret\n").unwrap();
    let webhook = |content| {
        let secret = secret.clone();
        move |c: &mut Config| {
            c.notify.webhook = Some(
                "https://hooks.example.org/in/t0ken-in-the-path"
                    .parse()
                    .unwrap(),
            );
            c.notify.webhook_secret_file = Some(secret);
            c.notify.content = content;
        }
    };
    use scdi_site::config::Content;
    let full = privacy_page("en", webhook(Content::Full)).await;
    let said = text_of(&full, "webhook").unwrap();
    assert!(
        said.contains("passed to the organisers' own service at hooks.example.org"),
        "{said}"
    );
    assert!(
        !full.contains("t0ken") && !full.contains("/in/"),
        "never the URL's path"
    );
    let notice = text_of(&privacy_page("fa", webhook(Content::None)).await, "webhook").unwrap();
    assert!(
        notice.contains("hooks.example.org") && notice.contains("بی آنکه متن آن"),
        "{notice}"
    );
    assert!(text_of(&privacy_page("en", |_| {}).await, "webhook").is_none());
}

#[tokio::test]
async fn readers_are_told_where_to_ask_about_their_data() {
    let page = privacy_page("en", |c| {
        c.handling.privacy_contact = Some("privacy@example.org".parse().unwrap())
    })
    .await;
    assert_eq!(attr_of(&page, "id=\"ask\"", "id"), Some("ask"));
    let ask = &page[page.find("id=\"ask\"").unwrap()..];
    assert!(ask.contains("href=\"mailto:privacy@example.org\""), "{ask}");
    assert!(page.contains("it is the data controller"));
    let page = privacy_page("fa", |_| {}).await;
    let ask = &page[page.find("id=\"ask\"").unwrap()..];
    let ask = &ask[..ask.find("</p>").unwrap()];
    assert!(
        ask.contains("href=\"/fa/contact\"") && !page.contains("mailto:"),
        "{ask}"
    );
}

#[tokio::test]
async fn the_limit_is_stated_as_configured_and_not_at_all_without_one() {
    let page = privacy_page("fa", |c| {
        c.handling.contact_per_hour = 20;
        c.handling.contact_burst = 5;
    })
    .await;
    // Five messages refill in 15 minutes at 20 an hour; forgotten within the next minute.
    let limit = text_of(&page, "limit").unwrap();
    assert!(limit.contains("۱۶ دقیقه"), "{limit}");
    let page = privacy_page("en", |c| c.handling.contact_per_hour = 0).await;
    assert!(
        text_of(&page, "limit").is_none(),
        "no limit, no address counted"
    );
}

#[tokio::test]
async fn the_safety_note_lists_the_onion_address_only_when_there_is_one() {
    let app = TestApp::with_config(|c| {
        c.onion_url = Some(ONION.parse().unwrap());
        c.mirrors = vec!["https://mirror.example.net".parse().unwrap()];
    })
    .await;
    for lang in ["en", "fa"] {
        let contact = app.get(&format!("/{lang}/contact")).await.body;
        let note = safety_note(&contact);
        assert!(note.contains(&format!("href=\"{ONION}/\"")), "{note}");
        let copies = &note[note.find("id=\"safety-copies\"").unwrap()..];
        assert!(copies.contains("https://mirror.example.net"), "{copies}");
        assert!(
            !copies.contains(ONION),
            "the onion address is listed once: {copies}"
        );
    }
    let plain = TestApp::new().await;
    let contact = plain.get("/en/contact").await.body;
    let note = safety_note(&contact);
    assert!(note.contains("device and a network you trust"), "{note}");
    assert!(
        !note.contains(".onion") && !note.contains("safety-onion"),
        "{note}"
    );
    assert!(
        !note.contains("safety-copies"),
        "no other address, no list: {note}"
    );
}

#[tokio::test]
async fn the_page_says_when_it_changed_in_the_readers_calendar() {
    let en = text_of(&privacy_page("en", |_| {}).await, "changed").unwrap();
    let fa = text_of(&privacy_page("fa", |_| {}).await, "changed").unwrap();
    // Whatever the day, the English date is written out and the Persian one is Solar Hijri
    // in Persian digits.
    assert!(en.starts_with("This page last changed on "), "{en}");
    assert!(en.chars().any(|c| c.is_ascii_digit()), "{en}");
    assert!(
        [
            "فروردین",
            "اردیبهشت",
            "خرداد",
            "تیر",
            "مرداد",
            "شهریور",
            "مهر",
            "آبان",
            "آذر",
            "دی",
            "بهمن",
            "اسفند"
        ]
        .iter()
        .any(|month| fa.contains(month)),
        "{fa}"
    );
    assert!(
        fa.chars().any(|c| ('۰'..='۹').contains(&c)) && !fa.chars().any(|c| c.is_ascii_digit())
    );
}

#[tokio::test]
async fn the_settings_day_is_kept_while_they_stay_and_moves_when_they_change() {
    for backend in Backend::BOTH {
        let dir = tempfile::tempdir().unwrap();
        let (db, _alive) = backend.database(dir.path()).await;
        let store = Store::open(&db, None).await.unwrap();
        let thirty = privacy_with(|c| c.handling.retention_days = Some(30)).fingerprint();
        let kept = privacy_with(|_| {}).fingerprint();
        assert_ne!(thirty, kept);
        let since = |fingerprint: &str, today: &'static str| {
            let (store, fingerprint) = (store.clone(), fingerprint.to_string());
            async move { store.settings_since(&fingerprint, today).await.unwrap() }
        };
        assert_eq!(
            since(&thirty, "2030-01-01").await,
            "2030-01-01",
            "{backend:?}"
        );
        assert_eq!(
            since(&thirty, "2030-02-01").await,
            "2030-01-01",
            "{backend:?}: the same settings keep their day"
        );
        assert_eq!(
            since(&kept, "2030-03-01").await,
            "2030-03-01",
            "{backend:?}: changed"
        );
        assert_eq!(
            since(&thirty, "2030-04-01").await,
            "2030-04-01",
            "{backend:?}: changed back is a change"
        );
        store.close().await;
    }
}

#[tokio::test]
async fn the_page_is_dated_from_its_settings_when_they_changed_after_its_wording() {
    let dir = tempfile::tempdir().unwrap();
    let db: scdi_site::config::Database = dir.path().join("site.sqlite3").into();
    // As the test app runs (no limit), with messages kept 30 days.
    let thirty = |c: &mut Config| {
        c.handling.contact_per_hour = 0;
        c.handling.retention_days = Some(30);
    };
    // These settings have run since a day after the wording's change.
    let store = Store::open(&db, None).await.unwrap();
    store
        .settings_since(&privacy_with(thirty).fingerprint(), "2030-01-01")
        .await
        .unwrap();
    store.close().await;
    let with_db = |change: fn(&mut Config)| {
        let db = db.clone();
        move |c: &mut Config| {
            c.db = db;
            change(c);
        }
    };
    let page = privacy_page("fa", with_db(thirty)).await;
    let changed = text_of(&page, "changed").unwrap();
    assert!(
        changed.contains("۱۲ دی ۱۴۰۸"),
        "2030-01-01, Solar Hijri: {changed}"
    );
    // Other settings: changed today.
    let page = privacy_page("en", with_db(|_| {})).await;
    let changed = text_of(&page, "changed").unwrap();
    let today = time::OffsetDateTime::now_utc().date();
    let written = today
        .format(time::macros::format_description!(
            "[day padding:none] [month repr:long] [year]"
        ))
        .unwrap();
    assert!(changed.contains(&written), "{changed}, not {written}");
}
