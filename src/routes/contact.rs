//! The contact form's POST: decode, validate, store, and answer 303 only once the message is
//! durably in the database. (The form itself is a page, served like the others.)

use std::{net::SocketAddr, sync::atomic::Ordering};

use axum::{
    body::Bytes,
    extract::{
        rejection::{BytesRejection, ExtensionRejection},
        ConnectInfo, State,
    },
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Redirect, Response},
};
use minijinja::context;

use super::{pages::render_page, Localized};
use crate::{
    error::AppError,
    form::{ContactForm, FieldError},
    limit,
    page::{CONTACT, THANKS},
    state::AppState,
    store::{NewMessage, Stored},
};

pub(super) async fn submit(
    State(state): State<AppState>,
    localized: Localized,
    headers: HeaderMap,
    client: Result<ConnectInfo<SocketAddr>, ExtensionRejection>,
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
    let locale = localized.locale();
    // `Redirect::to` answers 303 See Other: the browser GETs the thanks page.
    let thanks = Redirect::to(&THANKS.path(&locale.code));
    if form.is_spam() {
        // Bots see the usual thanks page, so they learn nothing.
        let total = state.honeypot_drops.fetch_add(1, Ordering::Relaxed) + 1;
        tracing::info!(total, "honeypot filled: submission dropped");
        return Ok(thanks.into_response());
    }
    let errors = form.validate();
    if !errors.is_empty() {
        return render_form(&state, &localized, &form, &errors, false);
    }
    // Only messages about to be stored count against the limit: a reader correcting a
    // mistake is never locked out.
    let socket = client.ok().map(|ConnectInfo(addr)| addr);
    let client = limit::client(state.config.client_ip_header.as_deref(), socket, &headers);
    state
        .contact_limit
        .check(client)
        .await
        .map_err(AppError::TooManyRequests)?;
    let notify = state.channels.names();
    let stored = state
        .store
        .insert(&NewMessage {
            name: &form.name,
            email: &form.email,
            body: &form.message,
            locale: &locale.code,
            notify: &notify,
        })
        .await;
    match stored {
        Ok(Stored::Now(id)) => {
            // No name, address or text in the log: only that a message arrived.
            tracing::info!(id, locale = %locale.code, "message stored");
            if !notify.is_empty() {
                state.doorbell.ring();
            }
            Ok(thanks.into_response())
        }
        Ok(Stored::Before(id)) => {
            tracing::info!(id, locale = %locale.code, "message sent again: stored before, thanked again");
            Ok(thanks.into_response())
        }
        Err(e) => {
            // The cause, never the text. The reader gets their text back and is told plainly
            // that nothing was sent.
            tracing::error!(error = %e, locale = %locale.code, "message not stored");
            let mut res = render_form(&state, &localized, &form, &[], true)?;
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
    localized: &Localized,
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
    render_page(state, localized, &CONTACT, extra, status)
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
