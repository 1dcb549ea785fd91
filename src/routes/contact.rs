//! The contact form's POST: decode, validate, store, and answer 303 only once the message is
//! durably in the database. (The form itself is a page, served like the others.)

use std::{net::SocketAddr, sync::atomic::Ordering, time::Duration};

use axum::{
    body::Bytes,
    extract::{
        rejection::{BytesRejection, ExtensionRejection},
        ConnectInfo, State,
    },
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Redirect, Response},
    Extension,
};
use minijinja::context;

use super::{pages::render_page, Localized};
use crate::{
    error::AppError,
    form::{ContactForm, FieldError},
    limit,
    onion::Circuit,
    page::{CONTACT, THANKS},
    state::AppState,
    store::{NewMessage, Stored},
};

pub(super) async fn submit(
    State(state): State<AppState>,
    localized: Localized,
    headers: HeaderMap,
    client: Result<ConnectInfo<SocketAddr>, ExtensionRejection>,
    circuit: Option<Extension<Circuit>>,
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
        return render_form(&state, &localized, &form, Again::Invalid(&errors));
    }
    // Only messages about to be stored count against the limit: a reader correcting a
    // mistake is never locked out.
    let socket = client.ok().map(|ConnectInfo(addr)| addr);
    let client = limit::client(
        state.config.client_ip_header.as_deref(),
        socket,
        &headers,
        circuit.map(|Extension(c)| c),
    );
    if let Err(wait) = state.contact_limit.check(client).await {
        return render_form(&state, &localized, &form, Again::Limited(wait));
    }
    let notify: Vec<&str> = state.channels.names().iter().map(String::as_str).collect();
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
            tracing::info!(message_id = id, locale = %locale.code, "message stored");
            if !notify.is_empty() {
                state.doorbell.ring();
            }
            Ok(thanks.into_response())
        }
        Ok(Stored::Before(id)) => {
            tracing::info!(message_id = id, locale = %locale.code, "message sent again: stored before, thanked again");
            Ok(thanks.into_response())
        }
        Err(e) => {
            // The cause, never the text. The reader gets their text back and is told plainly
            // that it may not have been sent; the attempt does not count against their limit.
            tracing::error!(error = %e, locale = %locale.code, "message not stored");
            state.contact_limit.refund(client).await;
            render_form(&state, &localized, &form, Again::NotSent)
        }
    }
}

/// Why the form is shown again, with everything the reader sent.
enum Again<'a> {
    /// Field errors: 422.
    Invalid(&'a [FieldError]),
    /// It could not be stored, or whether it was is unknown: 503, try again in a minute.
    NotSent,
    /// Too many messages from this reader's address: 429, for this long.
    Limited(Duration),
}

/// The form re-shown with what the reader sent, and why. The one page rendered per request.
fn render_form(
    state: &AppState,
    localized: &Localized,
    form: &ContactForm,
    again: Again<'_>,
) -> Result<Response, AppError> {
    let errors = match &again {
        Again::Invalid(errors) => errors,
        _ => &[][..],
    };
    let error_for = |field: &str| errors.iter().find(|e| e.field == field).map(|e| e.message);
    let extra = context! {
        values => form,
        errors => errors,
        not_sent => matches!(again, Again::NotSent),
        limited => matches!(again, Again::Limited(_)),
        name_error => error_for("name"),
        email_error => error_for("email"),
        message_error => error_for("message"),
    };
    let (status, retry_after) = match again {
        Again::Invalid(_) => (StatusCode::UNPROCESSABLE_ENTITY, None),
        Again::NotSent => (StatusCode::SERVICE_UNAVAILABLE, Some(60)),
        // Whole seconds, rounded up, so a reader who waits that long is let in.
        Again::Limited(wait) => (
            StatusCode::TOO_MANY_REQUESTS,
            Some((wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1)),
        ),
    };
    let mut res = render_page(state, localized, &CONTACT, extra, status)?;
    if let Some(secs) = retry_after {
        res.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(secs));
    }
    Ok(res)
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
