//! The pages of the site: each page's route, template and form, in one table ([`PAGES`]).
//! The router, the renderer, the fast path, the sitemap and the mirror export all read their
//! paths from here.

/// A page of the site: its route, whose path the router serves and the log names, the
/// template it is rendered from, and the form it receives, if any.
pub struct Page {
    /// `/{lang}/` followed by the page's slug, e.g. `/{lang}/contact`.
    pub route: &'static str,
    pub template: &'static str,
    pub form: Option<Form>,
}

/// A form a page receives by POST.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Form {
    Contact,
}

/// The contact form's page (it re-shows itself with the reader's text on an error).
pub const CONTACT: Page = Page {
    route: "/{lang}/contact",
    template: "contact.html",
    form: Some(Form::Contact),
};

/// Where a sent message leads.
pub const THANKS: Page = Page {
    route: "/{lang}/contact/thanks",
    template: "thanks.html",
    form: None,
};

/// Every page, in every language at `/{lang}/...`. Each is the same for every reader of a
/// language, so it is rendered once, when the site is loaded.
pub const PAGES: &[Page] = &[
    Page {
        route: "/{lang}/",
        template: "home.html",
        form: None,
    },
    Page {
        route: "/{lang}/platform",
        template: "platform.html",
        form: None,
    },
    Page {
        route: "/{lang}/people",
        template: "people.html",
        form: None,
    },
    CONTACT,
    THANKS,
    Page {
        route: "/{lang}/privacy",
        template: "privacy.html",
        form: None,
    },
];

impl Page {
    /// The path below `/{lang}/`: `""` for home, `"contact"`, `"contact/thanks"`.
    pub fn slug(&self) -> &'static str {
        self.route.strip_prefix("/{lang}/").unwrap_or(self.route)
    }

    /// Its path in language `lang`: `/fa/contact`.
    pub fn path(&self, lang: &str) -> String {
        format!("/{lang}/{}", self.slug())
    }

    /// The same path without a language (`/contact`), which redirects to the negotiated one.
    pub fn bare_path(&self) -> &'static str {
        self.route.strip_prefix("/{lang}").unwrap_or(self.route)
    }

    /// The page at `slug` (below `/{lang}/`).
    pub fn at_slug(slug: &str) -> Option<&'static Page> {
        PAGES.iter().find(|p| p.slug() == slug)
    }

    /// The page whose route is `route`.
    pub fn at_route(route: &str) -> Option<&'static Page> {
        PAGES.iter().find(|p| p.route == route)
    }
}
