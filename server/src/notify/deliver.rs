//! The delivery loop: claims due events (a lease, so another process on the same database never
//! posts one at the same time), POSTs each to `PASARELA_NOTIFY_URL` signed, bounded by the
//! provider timeout (at most 10 s), and records the outcome: delivered on a `2xx`; otherwise the
//! next try after `PASARELA_NOTIFY_RETRY_MS` doubling per failure up to an hour, given up three
//! days after the event (logged; the event stays in `GET /v1/events`). It sleeps until a new
//! event is stored ([`super::wake`]) or the next one falls due (checking the database at least
//! every few seconds for other processes' events and lapsed claims), and stops at [`shutdown`],
//! giving back what it had claimed. Never logged: the secret, the URL, the body.

use super::outbox::{self, Claimed, Next};
use super::sign;
use crate::app::{random_text, App};
use crate::config::NotifyConfig;
use crate::metrics;
use crate::store::now_ms;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{watch, Notify};
use tokio::task::JoinHandle;

/// Woken after an event is committed.
pub(super) static WAKE: Notify = Notify::const_new();

/// The running loops of this process: their stop switch and task.
static LOOPS: Mutex<Vec<(watch::Sender<bool>, JoinHandle<()>)>> = Mutex::new(Vec::new());

/// The longest a POST may take.
const MAX_TIMEOUT: Duration = Duration::from_secs(10);
/// Past the POST's bound, how long a claim lasts longer (so a live process always records its
/// outcome before the lease lapses).
const LEASE_MARGIN: Duration = Duration::from_secs(5);
/// How often the database is looked at when nothing is due here (another process's new events,
/// a killed process's lapsed claims).
const IDLE_CHECK: Duration = Duration::from_secs(2);
/// Deliveries in flight at once (one per payment: a payment's events go in order).
const BATCH: i64 = 8;

/// Starts the loop when `PASARELA_NOTIFY_URL` is set.
pub fn start(app: &App) {
    let Some(target) = app.config.notify.clone() else { return };
    let timeout = app.config.provider_timeout.min(MAX_TIMEOUT);
    let worker = Worker {
        app: app.clone(),
        target: Arc::new(target),
        client: crate::providers::http_client(timeout),
        lease: timeout + LEASE_MARGIN,
        me: format!("w_{}", random_text(16)),
    };
    let (stop, stopped) = watch::channel(false);
    let task = tokio::spawn(worker.run(stopped));
    LOOPS.lock().unwrap_or_else(|e| e.into_inner()).push((stop, task));
}

/// Stops this process's loops: deliveries in flight are cut short and their claims given back,
/// due again at once for the next process. Bounded (a few seconds).
pub async fn shutdown() {
    let loops = std::mem::take(&mut *LOOPS.lock().unwrap_or_else(|e| e.into_inner()));
    for (stop, _) in &loops {
        let _ = stop.send(true);
    }
    for (_, task) in loops {
        let _ = tokio::time::timeout(Duration::from_secs(5), task).await;
    }
}

struct Worker {
    app: App,
    target: Arc<NotifyConfig>,
    client: reqwest::Client,
    lease: Duration,
    /// This loop's name on its claims.
    me: String,
}

impl Worker {
    async fn run(self, mut stopped: watch::Receiver<bool>) {
        let me = Arc::new(self);
        tracing::info!(retry_ms = me.app.config.notify_retry.as_millis() as u64, "storefront notifications on");
        loop {
            // Listening before looking: an event committed while this pass reads is not missed.
            let woken = WAKE.notified();
            tokio::pin!(woken);
            woken.as_mut().enable();
            let wait = match me.pass(&mut stopped).await {
                Ok(Pass::Stopped) => break,
                Ok(Pass::Idle(wait)) => wait,
                Err(e) => {
                    tracing::warn!(error = %e, "storefront notifications: database unavailable");
                    IDLE_CHECK
                }
            };
            tokio::select! {
                _ = &mut woken => {}
                _ = tokio::time::sleep(wait) => {}
                _ = stopped.wait_for(|s| *s) => break,
            }
        }
        tracing::info!("storefront notifications stopped");
    }

    /// Delivers what is due, batch after batch; then how long to sleep.
    async fn pass(self: &Arc<Self>, stopped: &mut watch::Receiver<bool>) -> Result<Pass, sqlx::Error> {
        let db = &self.app.db;
        loop {
            if *stopped.borrow() {
                return Ok(Pass::Stopped);
            }
            let until = now_ms() + self.lease.as_millis() as i64;
            let claimed = outbox::claim_due(db, &self.me, until, BATCH).await?;
            if claimed.is_empty() {
                break;
            }
            let mut tries = tokio::task::JoinSet::new();
            for event in claimed.iter().cloned() {
                let me = self.clone();
                tries.spawn(async move { me.deliver(event).await });
            }
            let cut = tokio::select! {
                _ = async { while tries.join_next().await.is_some() {} } => false,
                _ = stopped.wait_for(|s| *s) => true,
            };
            if cut {
                tries.abort_all();
                while tries.join_next().await.is_some() {}
                // Whatever was not recorded goes back (a delivered one stays delivered).
                for event in &claimed {
                    if let Err(e) = outbox::release(db, &event.id, &self.me).await {
                        tracing::warn!(error = %e, event = %event.id, "notification claim not given back: it lapses with its lease");
                    }
                }
                return Ok(Pass::Stopped);
            }
        }
        metrics::notifications_pending(outbox::undelivered(db).await?);
        let wait = match outbox::next_due(db).await? {
            Some(at) => Duration::from_millis((at - now_ms()).clamp(0, IDLE_CHECK.as_millis() as i64) as u64),
            None => IDLE_CHECK,
        };
        Ok(Pass::Idle(wait))
    }

    /// One try of one claimed event, and its outcome recorded.
    async fn deliver(&self, event: Claimed) {
        let attempt = event.attempts + 1;
        let db = &self.app.db;
        if now_ms() - event.created_at > outbox::GIVE_UP_AFTER.as_millis() as i64 {
            // Stored while no URL was set, three days ago or more: too old to announce now.
            tracing::warn!(event = %event.id, payment = %event.payment_id, "storefront notification older than three days: not sent (still listed by GET /v1/events)");
            if let Err(e) = outbox::failed(db, &event.id, &self.me, Next::GiveUp, "older than three days").await {
                tracing::warn!(error = %e, event = %event.id, "notification outcome not recorded: retried after its lease");
            }
            return;
        }
        let t = now_ms().div_euclid(1000);
        let signature = sign::header(self.target.secret.expose(), t, event.body.as_bytes());
        let started = std::time::Instant::now();
        let sent = self
            .client
            .post(&self.target.url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(sign::HEADER, signature)
            .body(event.body.clone())
            .send()
            .await;
        let outcome = match sent {
            Ok(r) if r.status().is_success() => Ok(r.status().as_u16()),
            Ok(r) => Err(format!("HTTP {}", r.status().as_u16())),
            Err(e) => Err(error_kind(&e).to_owned()),
        };
        let elapsed = started.elapsed();
        let recorded = match &outcome {
            Ok(status) => {
                metrics::notification(metrics::Notified::Delivered, elapsed);
                let lag_ms = now_ms() - event.created_at;
                tracing::info!(event = %event.id, payment = %event.payment_id, status = %event.status, attempt, http = status, lag_ms, "storefront notified");
                outbox::delivered(db, &event.id).await.map(|_| true)
            }
            Err(why) => {
                let next = outbox::schedule(self.app.config.notify_retry, attempt, event.created_at, now_ms());
                match next {
                    Next::At(at) => {
                        metrics::notification(metrics::Notified::Failed, elapsed);
                        tracing::warn!(event = %event.id, payment = %event.payment_id, attempt, error = %why, retry_in_ms = at - now_ms(), "storefront notification failed");
                    }
                    Next::GiveUp => {
                        metrics::notification(metrics::Notified::GivenUp, elapsed);
                        tracing::error!(event = %event.id, payment = %event.payment_id, status = %event.status, attempt, error = %why, "storefront notification given up after three days (still listed by GET /v1/events)");
                    }
                }
                outbox::failed(db, &event.id, &self.me, next, why).await
            }
        };
        match recorded {
            Ok(true) => {}
            Ok(false) => tracing::warn!(event = %event.id, "notification claim lapsed before its outcome was recorded"),
            Err(e) => tracing::warn!(error = %e, event = %event.id, "notification outcome not recorded: retried after its lease"),
        }
    }
}

enum Pass {
    Stopped,
    Idle(Duration),
}

/// What went wrong, in words that hold no URL.
fn error_kind(e: &reqwest::Error) -> &'static str {
    if e.is_timeout() {
        "timeout"
    } else if e.is_connect() {
        "connection refused or unreachable"
    } else if e.is_redirect() {
        "redirect"
    } else if e.is_body() || e.is_decode() {
        "broken answer"
    } else {
        "request failed"
    }
}
