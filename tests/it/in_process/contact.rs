//! The contact form: validation in both languages, durable storage, cross-site and malformed
//! requests.

use crate::common::{attr_of, form_body, Backend, TestApp};

const ZWNJ_MESSAGE: &str = "سلام، می\u{200c}خواهیم با شما همکاری کنیم. کتاب\u{200c}ها را فرستادیم.";

#[tokio::test]
async fn valid_submission_is_stored_then_thanked() {
    for backend in Backend::BOTH {
        let app = TestApp::on(backend).await;
        for (lang, name, message) in [
            ("en", "Jane Doe", "Hello & welcome <b>"),
            ("fa", "مریم\u{200c}السادات", ZWNJ_MESSAGE),
        ] {
            let body = form_body(&[
                ("name", name),
                ("email", "reader@example.org"),
                ("message", message),
                ("website", ""),
            ]);
            let res = app.post_form(&format!("/{lang}/contact"), body).await;
            assert_eq!(res.status, 303, "{lang}: {}", res.body);
            assert_eq!(
                res.location(),
                Some(format!("/{lang}/contact/thanks").as_str())
            );
        }
        let rows = app.state.store.list_since(None).await.unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(
            (
                rows[0].name.as_str(),
                rows[0].body.as_str(),
                rows[0].locale.as_str()
            ),
            ("Jane Doe", "Hello & welcome <b>", "en")
        );
        // Persian, ZWNJ included, byte for byte.
        assert_eq!(rows[1].body.as_bytes(), ZWNJ_MESSAGE.as_bytes());
        assert_eq!(rows[1].name.as_bytes(), "مریم\u{200c}السادات".as_bytes());
        assert_eq!(rows[1].locale, "fa");
        assert_eq!(rows[1].email, "reader@example.org");
        // UTC timestamp, RFC 3339.
        assert!(
            rows[1].created_at.ends_with('Z') && rows[1].created_at.contains('T'),
            "{}",
            rows[1].created_at
        );
    }
}

/// A reader told their message may not have been sent sends it again: the same name,
/// address and text within a day is thanked and not stored (or notified) twice, on both
/// stores; the same text from someone else, or changed by a word, is a message of its own.
#[tokio::test]
async fn the_same_message_sent_again_is_thanked_and_stored_once() {
    let secret = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(secret.path(), "a-long-random-secret-for-the-test").unwrap();
    for backend in Backend::BOTH {
        // A channel, so that each stored message queues a notification (no worker runs
        // in-process: they stay queued, to be counted).
        let app = TestApp::on_with_config(backend, |c| {
            c.notify.webhook = Some("http://127.0.0.1:9/hook".parse().unwrap());
            c.notify.webhook_secret_file = Some(secret.path().to_path_buf());
        })
        .await;
        let send = |name: &str, message: &str| {
            let body = form_body(&[
                ("name", name),
                ("email", "reader@example.org"),
                ("message", message),
            ]);
            let app = app.clone();
            async move { app.post_form("/fa/contact", body).await.status }
        };
        assert_eq!(send("مریم", ZWNJ_MESSAGE).await, 303);
        assert_eq!(send("مریم", ZWNJ_MESSAGE).await, 303, "{backend:?}");
        assert_eq!(send("مریم", ZWNJ_MESSAGE).await, 303);
        assert_eq!(send("Sara", ZWNJ_MESSAGE).await, 303);
        assert_eq!(send("مریم", &format!("{ZWNJ_MESSAGE} و")).await, 303);
        let rows = app.state.store.list_since(None).await.unwrap();
        let names: Vec<&str> = rows.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(names, ["مریم", "Sara", "مریم"], "{backend:?}");
        let notifications = app.state.store.notifications().await.unwrap();
        assert_eq!(notifications.len(), 3, "one each, none for a resend");
    }
}

#[tokio::test]
async fn invalid_submission_shows_localized_errors_and_keeps_values() {
    let app = TestApp::new().await;
    let body = form_body(&[
        ("name", ""),
        ("email", "not-an-email"),
        ("message", "<script>alert(1)</script> می\u{200c}خواهم"),
    ]);

    let en = app.post_form("/en/contact", body.clone()).await;
    assert_eq!(en.status, 422);
    assert!(en.body.contains("Enter your name."));
    assert!(en
        .body
        .contains("Enter an email address in the correct format"));
    assert!(en.body.contains("<title>Error: Contact"));
    // Error summary at the top, linked to the fields; fields marked and described.
    assert!(en.body.contains("id=\"error-summary\""));
    assert!(en.body.contains("<a href=\"#name\">Enter your name.</a>"));
    assert!(en.body.contains("<a href=\"#email\">"));
    assert_eq!(
        attr_of(&en.body, "id=\"name\"", "aria-invalid"),
        Some("true")
    );
    assert_eq!(
        attr_of(&en.body, "id=\"name\"", "aria-describedby"),
        Some("name-error")
    );
    assert_eq!(
        attr_of(&en.body, "id=\"email\"", "aria-describedby"),
        Some("email-hint email-error")
    );
    // Values preserved, and escaped.
    assert_eq!(
        attr_of(&en.body, "id=\"email\"", "value"),
        Some("not-an-email")
    );
    assert!(en
        .body
        .contains("&lt;script&gt;alert(1)&lt;/script&gt; می\u{200c}خواهم</textarea>"));
    assert!(!en.body.contains("<script>"));

    let fa = app.post_form("/fa/contact", body).await;
    assert_eq!(fa.status, 422);
    assert!(fa.body.contains("<html lang=\"fa\" dir=\"rtl\">"));
    assert!(fa.body.contains("نام خود را وارد کنید."));
    assert!(fa.body.contains("نشانی ایمیل را به شکل درست وارد کنید"));
    assert!(!fa.body.contains("Enter your name."));
    assert!(
        app.state.store.list_since(None).await.unwrap().is_empty(),
        "nothing stored"
    );
}

#[tokio::test]
async fn each_field_rule_is_enforced() {
    let app = TestApp::new().await;
    let long_name = "ن".repeat(201);
    let long_message = "م".repeat(5001);
    for (name, email, message, expected) in [
        (
            long_name.as_str(),
            "a@example.org",
            "hi",
            "نام شما باید حداکثر ۲۰۰ نویسه باشد.",
        ),
        ("A\u{0}B", "a@example.org", "hi", "نام شما نویسه‌هایی دارد"),
        ("A", "", "hi", "نشانی ایمیل خود را وارد کنید."),
        (
            "A",
            "a@localhost",
            "hi",
            "نشانی ایمیل را به شکل درست وارد کنید",
        ),
        ("A", "a@example.org", "   ", "پیام خود را بنویسید."),
        (
            "A",
            "a@example.org",
            long_message.as_str(),
            "پیام شما باید حداکثر ۵٬۰۰۰ نویسه باشد.",
        ),
        (
            "A",
            "a@example.org",
            "bad\u{7}bell",
            "پیام شما نویسه‌هایی دارد",
        ),
    ] {
        let res = app
            .post_form(
                "/fa/contact",
                form_body(&[("name", name), ("email", email), ("message", message)]),
            )
            .await;
        assert_eq!(res.status, 422, "{expected}");
        assert!(res.body.contains(expected), "expected {expected}");
    }
    // Exactly at the limits is fine; newlines and tabs in a message are fine.
    let ok_message = format!("{}\n\t", "م".repeat(4998));
    let res = app
        .post_form(
            "/fa/contact",
            form_body(&[
                ("name", &"ن".repeat(200)),
                ("email", "a@example.org"),
                ("message", &ok_message),
            ]),
        )
        .await;
    assert_eq!(res.status, 303);
}

#[tokio::test]
async fn honeypot_submissions_are_thanked_but_not_stored() {
    let app = TestApp::new().await;
    let body = form_body(&[
        ("name", "Bot"),
        ("email", "bot@example.org"),
        ("message", "spam"),
        ("website", "http://spam.example"),
    ]);
    let res = app.post_form("/en/contact", body).await;
    assert_eq!(res.status, 303);
    assert_eq!(res.location(), Some("/en/contact/thanks"));
    assert!(app.state.store.list_since(None).await.unwrap().is_empty());
}

#[tokio::test]
async fn cross_site_posts_are_refused_in_the_page_language() {
    let app = TestApp::new().await;
    let body = form_body(&[("name", "A"), ("email", "a@example.org"), ("message", "hi")]);
    let form = ("content-type", "application/x-www-form-urlencoded");
    for headers in [
        vec![form, ("sec-fetch-site", "cross-site")],
        vec![form, ("sec-fetch-site", "same-site")],
        vec![
            form,
            ("origin", "https://evil.example"),
            ("host", "127.0.0.1:3000"),
        ],
        vec![form, ("origin", "null"), ("host", "127.0.0.1:3000")],
    ] {
        let res = app.post_with("/fa/contact", body.clone(), &headers).await;
        assert_eq!(res.status, 403, "{headers:?}");
        assert!(res.body.contains("درخواست پذیرفته نشد"), "{headers:?}");
    }
    // Same origin by Origin/Host, and clients that send neither header, are accepted.
    let res = app
        .post_with(
            "/en/contact",
            body.clone(),
            &[
                form,
                ("origin", "http://127.0.0.1:3000"),
                ("host", "127.0.0.1:3000"),
            ],
        )
        .await;
    assert_eq!(res.status, 303);
    let other = body.replace("message=", "message=2");
    let res = app.post_with("/en/contact", other, &[form]).await;
    assert_eq!(res.status, 303);
    assert_eq!(app.state.store.list_since(None).await.unwrap().len(), 2);
}

#[tokio::test]
async fn malformed_bodies_get_localized_4xx() {
    let app = TestApp::new().await;
    let form = ("content-type", "application/x-www-form-urlencoded");
    let same = ("sec-fetch-site", "same-origin");
    // Invalid UTF-8, percent-encoded or raw.
    for body in [
        b"name=%FF%FE&email=a%40example.org&message=hi".to_vec(),
        b"name=\xff\xfe&email=a@example.org&message=hi".to_vec(),
    ] {
        let res = app.post_with("/fa/contact", body, &[form, same]).await;
        assert_eq!(res.status, 400);
        assert!(res.body.contains("درخواست نامعتبر"));
    }
    // Wrong content type.
    for ct in [
        "application/json",
        "multipart/form-data; boundary=x",
        "text/plain",
    ] {
        let res = app
            .post_with("/en/contact", "{}", &[("content-type", ct), same])
            .await;
        assert_eq!(res.status, 415, "{ct}");
        assert!(res.body.contains("Unsupported format"));
    }
    let res = app.post_with("/en/contact", "name=a", &[same]).await;
    assert_eq!(res.status, 415);
    // Too large.
    let big = format!(
        "name=a&email=a%40example.org&message={}",
        "a".repeat(70 * 1024)
    );
    let res = app.post_with("/fa/contact", big, &[form, same]).await;
    assert_eq!(res.status, 413);
    assert!(res.body.contains("حجم بیش از حد مجاز"));
    // Garbage that decodes is just an invalid form.
    let res = app
        .post_with("/en/contact", "&&==&%41=%&name", &[form, same])
        .await;
    assert!(matches!(res.status.as_u16(), 400 | 422), "{}", res.status);
    assert!(app.state.store.list_since(None).await.unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_submissions_are_all_stored() {
    for backend in Backend::BOTH {
        let app = TestApp::on(backend).await;
        let mut tasks = vec![];
        for i in 0..64 {
            let app = app.clone();
            tasks.push(tokio::spawn(async move {
                let body = form_body(&[
                    ("name", &format!("Reader {i}")),
                    ("email", "r@example.org"),
                    ("message", "همبستگی"),
                ]);
                app.post_form("/fa/contact", body).await.status
            }));
        }
        for t in tasks {
            assert_eq!(t.await.unwrap(), 303);
        }
        let rows = app.state.store.list_since(None).await.unwrap();
        assert_eq!(rows.len(), 64);
        let mut names: Vec<_> = rows.iter().map(|r| r.name.clone()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), 64, "each message once");
    }
}

/// What organisers read can't be forged: the address is one bare address, and nothing in it
/// can reorder or hide text.
#[tokio::test]
async fn the_email_field_takes_one_bare_address() {
    let app = TestApp::new().await;
    for email in [
        "Maryam <maryam@example.org>",
        "\"Maryam\" <maryam@example.org>",
        "maryam@example.org, other@example.org",
        "maryam@example.org other@example.org",
        "\"maryam rezaei\"@example.org",
        "maryam@[192.0.2.1]",
        "maryam@example.org\r\nBcc: everyone@example.org",
        "maryam@example.org\u{202E}gro.elpmaxe",
        "\u{2067}maryam@example.org",
        "mar\u{200B}yam@example.org",
        "maryam@exa\u{200F}mple.org",
    ] {
        let res = app
            .post_form(
                "/en/contact",
                form_body(&[("name", "A"), ("email", email), ("message", "hi")]),
            )
            .await;
        assert_eq!(res.status, 422, "{email:?}");
        assert!(
            res.body
                .contains("Enter an email address in the correct format"),
            "{email:?}"
        );
    }
    assert!(app.state.store.list_since(None).await.unwrap().is_empty());
    for email in [
        "maryam@example.org",
        "maryam.rezaei+scdi@mail.example.co.uk",
        "  padded@example.org  ",
    ] {
        let res = app
            .post_form(
                "/en/contact",
                form_body(&[("name", "A"), ("email", email), ("message", "hi")]),
            )
            .await;
        assert_eq!(res.status, 303, "{email:?}");
    }
    let stored: Vec<_> = app.state.store.list_since(None).await.unwrap();
    assert_eq!(stored[2].email, "padded@example.org");
}

/// Line breaks arrive as CRLF from browsers (and a bare CR from odd clients): stored as LF.
/// Surrounding whitespace is not kept, and limits are counted on exactly what is stored.
/// Persian, ZWNJ, RLM/LRM, tabs and newlines are kept.
#[tokio::test]
async fn line_breaks_are_normalised_and_limits_count_what_is_stored() {
    for backend in Backend::BOTH {
        let app = TestApp::on(backend).await;
        let name = "\u{200F}مریم\u{200C}السادات (Maryam)\u{200E}";
        let sent = "  سلام\r\nخط دوم\rخط سوم\n\tتورفته  \r\n";
        let res = app
            .post_form(
                "/fa/contact",
                form_body(&[
                    ("name", &format!("   {name}   ")),
                    ("email", "m@example.org"),
                    ("message", sent),
                ]),
            )
            .await;
        assert_eq!(res.status, 303, "{}", res.body);
        let row = app.state.store.list_since(None).await.unwrap().remove(0);
        assert_eq!(row.name, name);
        assert_eq!(row.body, "سلام\nخط دوم\nخط سوم\n\tتورفته");

        // 4,998 letters, a CRLF and one more letter are 5,000 characters once stored.
        let at_limit = format!("{}\r\nب", "ا".repeat(4998));
        let over = format!("{}\r\nب", "ا".repeat(4999));
        let padded_name = format!("{}{}{}", " ".repeat(100), "ن".repeat(200), " ".repeat(100));
        for (message, status) in [(at_limit.as_str(), 303), (over.as_str(), 422)] {
            let res = app
                .post_form(
                    "/fa/contact",
                    form_body(&[
                        ("name", &padded_name),
                        ("email", "m@example.org"),
                        ("message", message),
                    ]),
                )
                .await;
            assert_eq!(res.status, status);
        }
        for row in app.state.store.list_since(None).await.unwrap() {
            assert!(row.name.chars().count() <= 200);
            assert!(row.body.chars().count() <= 5000);
            assert!(!row.body.contains('\r') && !row.name.contains('\r'));
        }
        // A line break in a name is refused, not stored.
        let res = app
            .post_form(
                "/en/contact",
                form_body(&[
                    ("name", "A\r\nB"),
                    ("email", "m@example.org"),
                    ("message", "hi"),
                ]),
            )
            .await;
        assert_eq!(res.status, 422);
        assert!(res
            .body
            .contains("Your name contains characters that cannot be used."));
    }
}

/// An email address is written left to right, on Persian pages too: the field says so, so
/// that it is laid out LTR empty and filled alike (the name and message follow their text).
#[tokio::test]
async fn the_email_field_is_left_to_right_on_every_page() {
    let app = TestApp::new().await;
    for lang in ["en", "fa"] {
        let page = app.get(&format!("/{lang}/contact")).await;
        assert_eq!(
            attr_of(&page.body, "id=\"email\"", "dir"),
            Some("ltr"),
            "{lang}"
        );
        assert_eq!(
            attr_of(&page.body, "id=\"name\"", "dir"),
            Some("auto"),
            "{lang}"
        );
    }
}
