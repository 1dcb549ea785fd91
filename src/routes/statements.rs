//! The statements' addresses: the listing, each statement and the feed are served from
//! memory (usually by the fast path); here is what is not there. A statement asked for in a
//! language it is not written in goes to one it is, as a bare path goes to the reader's.

use axum::{
    extract::State,
    http::{HeaderMap, Uri},
    response::{IntoResponse, Redirect, Response},
};

use minijinja::context;

use super::{from_memory, varying, Localized};
use crate::{
    error::AppError,
    i18n::negotiate::{request_locale, request_locale_among},
    state::AppState,
};

/// `/{lang}/statements/...`: the page from memory (rendered now when the watch-mode banner
/// must show on it); a statement not in `lang`, in the reader's language among those it is
/// in; anything else, not found.
pub(super) async fn show_statement(
    State(state): State<AppState>,
    localized: Localized,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let site = &localized.site;
    if let Some(problems) = state.watch_problems() {
        let locale = localized.locale();
        let below = format!("/{}/", locale.code);
        let slug = uri.path().strip_prefix(&below).unwrap_or_default();
        let extra = context! { watch_problems => problems };
        let page = site.statements.render_one(
            slug,
            &site.renderer,
            &site.locales,
            locale,
            &site.links,
            extra,
        );
        if let Some(page) = page.filter(|_| !slug.ends_with(".xml")) {
            return Ok(super::pages::uncached(page?.body, locale));
        }
    }
    if let Some(res) = from_memory(site, &uri, &headers) {
        return Ok(res);
    }
    let prefix = format!("/{}/statements", localized.locale().code);
    let rest = uri.path().strip_prefix(&prefix).unwrap_or_default();
    if rest.is_empty() && site.page(&localized.locale().code, "statements/").is_some() {
        return Ok(Redirect::permanent(&format!("{prefix}/")).into_response());
    }
    let slug = rest.strip_prefix('/').unwrap_or_default();
    let languages = site.statements.languages(slug).ok_or(AppError::NotFound)?;
    let locale =
        request_locale_among(&site.locales, &languages, &headers).ok_or(AppError::NotFound)?;
    Ok(varying(Redirect::temporary(&format!(
        "/{}/statements/{slug}",
        locale.code
    ))))
}

/// `/statements/...` without a language: the same in the reader's language (for a
/// statement, among those it is written in).
pub(super) async fn redirect_bare(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let site = state.site();
    let rest = uri.path().strip_prefix("/statements").unwrap_or_default();
    let slug = rest.trim_start_matches('/');
    let code = match site.statements.languages(slug) {
        Some(languages) => {
            &request_locale_among(&site.locales, &languages, &headers)
                .ok_or(AppError::NotFound)?
                .code
        }
        None => &request_locale(&site.locales, &uri, &headers).code,
    };
    let target = format!("/{code}/statements/{slug}");
    // Only what the site holds: the listing, a page of it, the feed, a statement.
    if site.page(code, &format!("statements/{slug}")).is_none() {
        return Err(AppError::NotFound);
    }
    Ok(varying(Redirect::temporary(&target)))
}
