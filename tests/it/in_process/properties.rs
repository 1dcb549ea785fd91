//! Property tests: negotiation, form decoding and rendering hold for any input.

use std::sync::OnceLock;

use crate::common::{form_body, TestApp};
use proptest::prelude::*;
use scdi_site::{
    i18n::{
        negotiate::{negotiate, parse_accept_language, MAX_HEADER_BYTES},
        Locales,
    },
    render::escape_html,
};

fn locales() -> &'static Locales {
    static L: OnceLock<Locales> = OnceLock::new();
    L.get_or_init(|| {
        Locales::load(&crate::common::repo_root().join("locales"), 0.9)
            .unwrap()
            .0
    })
}

fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap()
    })
}

fn app() -> &'static TestApp {
    static APP: OnceLock<TestApp> = OnceLock::new();
    APP.get_or_init(|| runtime().block_on(TestApp::new()))
}

/// Headers built from plausible and implausible pieces.
fn accept_language() -> impl Strategy<Value = String> {
    let range = prop_oneof![
        Just("fa".to_string()),
        Just("en-GB".to_string()),
        Just("*".to_string()),
        Just("pes".to_string()),
        "[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8}){0,3}",
        ".{0,12}",
    ];
    let q = prop_oneof![Just(String::new()), "(;q=[01](\\.[0-9]{0,4})?)", ";.{0,6}"];
    prop::collection::vec((range, q), 0..12).prop_map(|parts| {
        parts
            .into_iter()
            .map(|(r, q)| format!("{r}{q}"))
            .collect::<Vec<_>>()
            .join(",")
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn negotiation_always_picks_an_offered_locale(header in prop_oneof![accept_language(), any::<String>()], cookie in proptest::option::of(".{0,8}")) {
        let locale = negotiate(locales(), cookie.as_deref(), Some(&header));
        prop_assert!(locale.offered);
        prop_assert!(locales().get(&locale.code).is_some());
    }

    /// Bounded work: nothing past the first MAX_HEADER_BYTES is even looked at.
    #[test]
    fn negotiation_reads_a_bounded_prefix(prefix in ".{0,200}", tail in ".{0,2000}") {
        let padding = ",x".repeat(MAX_HEADER_BYTES / 2 + 1);
        let header = format!("{prefix}{padding}");
        let with_tail = format!("{header}{tail}");
        prop_assert_eq!(parse_accept_language(&header), parse_accept_language(&with_tail));
    }

    #[test]
    fn any_form_body_gets_a_2xx_3xx_or_4xx(body in prop::collection::vec(any::<u8>(), 0..600)) {
        let res = runtime().block_on(app().post_form("/fa/contact", body));
        prop_assert!(res.status.as_u16() < 500, "status {}", res.status);
    }

    #[test]
    fn any_urlish_body_gets_a_2xx_3xx_or_4xx(body in "[a-z=&%+0-9A-F\\x00-\\x7f]{0,300}") {
        let res = runtime().block_on(app().post_form("/en/contact", body));
        prop_assert!(res.status.as_u16() < 500, "status {}", res.status);
    }

    /// Whatever a reader types comes back escaped in the re-rendered form, never as markup,
    /// as it would be stored (without surrounding whitespace).
    #[test]
    fn submitted_text_is_escaped_when_the_form_is_shown_again(
        name in "[<>\"'&a-zآ-ی\u{200c} ]{1,40}",
        message in "(<script>|</textarea>|\"|'|&amp;|<b onmouseover=x>|[a-zآ-ی\u{200c} \n]){1,20}",
    ) {
        // An invalid email keeps the form in its error state (422) with the values kept.
        let body = form_body(&[("name", &name), ("email", "not-an-address"), ("message", &message)]);
        let res = runtime().block_on(app().post_form("/fa/contact", body));
        prop_assert_eq!(res.status.as_u16(), 422);
        let escaped_name = format!("value=\"{}\"", escape_html(name.trim()));
        prop_assert!(res.body.contains(&escaped_name));
        let escaped_message = format!(">\n{}</textarea>", escape_html(message.trim()));
        prop_assert!(res.body.contains(&escaped_message));
        prop_assert!(!res.body.contains("<script>"));
        prop_assert!(!res.body.contains("<b onmouseover"));
        prop_assert_eq!(res.body.matches("</textarea>").count(), 1);
    }
}
