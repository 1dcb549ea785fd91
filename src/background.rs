//! The site's work besides answering requests, started and stopped together: the full
//! compression after startup, the request counts every minute, the retention of messages,
//! forgetting the contact limit's clients and the organisers' notifications.

use std::time::Duration;

use tokio::{sync::watch, task::JoinHandle};

use crate::{config::FORGET_CLIENTS_EVERY, state::AppState};

/// How often the request counts are logged (the default access log).
const TRAFFIC_PERIOD: Duration = Duration::from_secs(60);

/// The running tasks, until [`Background::stop`].
pub struct Background {
    state: AppState,
    reporter: JoinHandle<()>,
    retention: JoinHandle<()>,
    forget_clients: JoinHandle<()>,
    outbox: JoinHandle<()>,
    stop_outbox: watch::Sender<bool>,
}

impl Background {
    /// Starts every task for `state`.
    pub fn start(state: &AppState) -> Self {
        // Serving starts with quickly compressed pages; the smaller ones follow in a moment.
        tokio::spawn({
            let state = state.clone();
            async move { state.compress_fully().await }
        });
        let reporter = tokio::spawn({
            let state = state.clone();
            async move { state.report_traffic_every(TRAFFIC_PERIOD).await }
        });
        let retention = tokio::spawn({
            let state = state.clone();
            async move { state.apply_retention().await }
        });
        // An address is held no longer than it counts against the contact limit.
        let forget_clients = tokio::spawn({
            let state = state.clone();
            async move {
                let mut every = tokio::time::interval(FORGET_CLIENTS_EVERY);
                loop {
                    every.tick().await;
                    state.contact_limit.forget_full().await;
                }
            }
        });
        let (stop_outbox, stop) = watch::channel(false);
        let outbox = tokio::spawn({
            let state = state.clone();
            async move { state.send_notifications(stop).await }
        });
        Self {
            state: state.clone(),
            reporter,
            retention,
            forget_clients,
            outbox,
            stop_outbox,
        }
    }

    /// Once the server has stopped: the last request counts are logged, and the
    /// notification in hand is finished (or, past its timeout, left for the next start).
    pub async fn stop(self) {
        self.reporter.abort();
        self.retention.abort();
        self.forget_clients.abort();
        self.state.report_traffic();
        let _ = self.stop_outbox.send(true);
        let _ = tokio::time::timeout(self.state.config.notify.timeout(), self.outbox).await;
    }
}
