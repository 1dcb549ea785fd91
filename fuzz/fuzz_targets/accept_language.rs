//! Any Accept-Language header and cookie: negotiation never panics and always picks an
//! offered locale.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use scdi_site::i18n::{negotiate::negotiate, Locales};

fn locales() -> &'static Locales {
    static L: OnceLock<Locales> = OnceLock::new();
    L.get_or_init(|| {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../locales");
        Locales::load(&dir, 0.9).expect("locales").0
    })
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (cookie, header) = text.split_once('\n').unwrap_or(("", &text));
    let locale = negotiate(locales(), Some(cookie), Some(header));
    assert!(locale.offered);
});
