//! The contact form: GET shows it; POST decodes, validates and stores before answering 303,
//! so a message is acknowledged only once it is durably in the database.

use std::{net::SocketAddr, sync::atomic::Ordering};

use axum::{
    body::Bytes,
    extract::{rejection::BytesRejection, ConnectInfo, State},
    http::{header, Extensions, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Redirect, Response},
};
use minijinja::context;

use super::{
    pages::{cached, render_page},
    Lang,
};
use crate::{
    error::AppError,
    form::{ContactForm, FieldError},
    state::AppState,
    store::NewMessage,
};

pub async fn show(
    State(state): State<AppState>,
    lang: Lang,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    cached(&state, &lang, &headers, "contact")
}

pub async fn submit(
    State(state): State<AppState>,
    lang: Lang,
    headers: HeaderMap,
    extensions: Extensions,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, AppError> {
    if !is_urlencoded(&headers) {
        return Err(AppError::UnsupportedMediaType);
    }
    let body = body.map_err(|e| match e.status() {
        StatusCode::PAYLOAD_TOO_LARGE => AppError::PayloadTooLarge,
        _ => AppError::BadRequest(e.body_text()),
    })?;
    let form = ContactForm::decode(&body).map_err(|e| AppError::BadRequest(e.to_string()))?;
    let locale = lang.locale();
    // `Redirect::to` answers 303 See Other: the browser GETs the thanks page.
    let thanks = Redirect::to(&format!("/{}/contact/thanks", locale.code));
    if form.is_spam() {
        // Bots see the usual thanks page, so they learn nothing.
        let total = state.honeypot_drops.fetch_add(1, Ordering::Relaxed) + 1;
        tracing::info!(total, "honeypot filled: submission dropped");
        return Ok(thanks.into_response());
    }
    let errors = form.validate();
    if !errors.is_empty() {
        return render_form(&state, &lang, &form, &errors, false);
    }
    // Only messages about to be stored count against the limit: a reader correcting a
    // mistake is never locked out.
    let socket = extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0);
    let client = state.contact_limiter.client(socket, &headers);
    state
        .contact_limiter
        .check(client)
        .map_err(AppError::TooManyRequests)?;
    let stored = state
        .store
        .insert(&NewMessage {
            name: &form.name,
            email: &form.email,
            body: &form.message,
            locale: &locale.code,
        })
        .await;
    match stored {
        Ok(id) => {
            // No name, address or text in the log: only that a message arrived.
            tracing::info!(id, locale = %locale.code, "message stored");
            Ok(thanks.into_response())
        }
        Err(e) => {
            // The cause, never the text. The reader gets their text back and is told plainly
            // that nothing was sent.
            tracing::error!(error = %e, locale = %locale.code, "message not stored");
            let mut res = render_form(&state, &lang, &form, &[], true)?;
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("60"));
            Ok(res)
        }
    }
}

/// The form re-shown with what the reader sent: with field errors (422), or, when it could
/// not be stored (`not_sent`), with the notice that nothing was sent (503). The one page
/// rendered per request.
fn render_form(
    state: &AppState,
    lang: &Lang,
    form: &ContactForm,
    errors: &[FieldError],
    not_sent: bool,
) -> Result<Response, AppError> {
    let error_for = |field: &str| errors.iter().find(|e| e.field == field).map(|e| e.message);
    let extra = context! {
        values => form,
        errors => errors,
        not_sent,
        name_error => error_for("name"),
        email_error => error_for("email"),
        message_error => error_for("message"),
    };
    let status = if not_sent {
        StatusCode::SERVICE_UNAVAILABLE
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render_page(state, lang, "contact", extra, status)
}

/// `application/x-www-form-urlencoded`, with or without parameters such as `charset`.
fn is_urlencoded(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|essence| {
            essence
                .trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        })
}
