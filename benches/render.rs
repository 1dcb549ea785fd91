//! Rendering one page from scratch (templates + Fluent), per language: the work the page
//! cache saves on every request, and what a change to templates or messages would slow down.
//! `cargo bench --bench render`.

use std::{path::Path, sync::Arc, sync::OnceLock};

use minijinja::Value;
use scdi_site::{
    assets::{Assets, Effort},
    i18n::Locales,
    page::Page,
    render::{Links, Renderer},
    Config,
};

struct Fixture {
    locales: Arc<Locales>,
    renderer: Renderer,
    links: Links,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let locales = Arc::new(Locales::load(&root.join("locales"), 0.9).unwrap().0);
        let assets = Assets::load(&root.join("static"), Effort::Quick).unwrap();
        let renderer =
            Renderer::new(&root.join("templates"), locales.clone(), assets.urls()).unwrap();
        let links = Links::live(&Config::rooted(root, root.join("unused.sqlite3")));
        Fixture {
            locales,
            renderer,
            links,
        }
    })
}

fn render(lang: &str, slug: &str) -> String {
    let f = fixture();
    let locale = f.locales.get(lang).unwrap();
    let page = Page::at_slug(slug).unwrap();
    f.renderer
        .render_page(&f.locales, locale, page, &f.links, Value::UNDEFINED)
        .unwrap()
}

#[divan::bench(args = ["en", "fa"])]
fn home(lang: &str) -> String {
    render(divan::black_box(lang), "")
}

#[divan::bench(args = ["en", "fa"])]
fn contact(lang: &str) -> String {
    render(divan::black_box(lang), "contact")
}

fn main() {
    fixture();
    divan::main();
}
