//! The `events` table (migrations/0005): what is written with each payment change, what the
//! delivery loop claims and records, what `GET /v1/events` pages through. Portable SQL with `$n`
//! parameters, like store.rs.
//!
//! - Creation order is `seq`, taken as `MAX(seq) + 1` in the insert itself and retried when
//!   another transaction took that number (`ON CONFLICT (seq) DO NOTHING` waits for it on
//!   Postgres, and SQLite has one writer): a number is taken only after the one before it is
//!   committed, so a poller never misses an event committed after a later one.
//! - A payment's events are delivered in order: an event waits while an older one of the same
//!   payment is still to be delivered (so the backend never sees `approved`, then `pending`).
//! - A delivery is claimed with a lease (`locked_until`, `claimed_by`) longer than the POST's
//!   bound: two processes never post one event at once, and a killed process's claim lapses.

use crate::app::random_text;
use crate::store::{now_ms, DbResult, Payment};
use sqlx::{AnyConnection, AnyPool, Row};
use std::time::Duration;

/// How long a failed event is retried, from its creation.
pub const GIVE_UP_AFTER: Duration = Duration::from_secs(3 * 24 * 3600);
/// The longest wait between two tries.
pub const MAX_BACKOFF: Duration = Duration::from_secs(3600);

/// The event of `p` as it is now, `id` created at `created_ms`. The voucher is the pending
/// answer's `action.voucher`, when there is one.
pub fn event_of(id: &str, created_ms: i64, p: &Payment) -> super::Event {
    let answer = serde_json::to_value(p.answer()).unwrap_or_default();
    let voucher = answer.pointer("/action/voucher").filter(|v| !v.is_null()).cloned();
    super::Event {
        id: id.to_owned(),
        kind: super::PAYMENT_UPDATED.to_owned(),
        created: created_ms.div_euclid(1000),
        data: super::EventData { payment_id: p.id.clone(), order_id: p.order_id.clone(), status: p.status.as_str().to_owned(), voucher },
    }
}

/// Stores the event of `p`'s change on the change's own connection (inside its transaction):
/// due at once. Returns its id.
pub async fn record(tx: &mut AnyConnection, p: &Payment) -> DbResult<String> {
    let now = now_ms();
    let event = event_of(&format!("evt_{}", random_text(24)), now, p);
    insert(tx, &event, now).await?;
    Ok(event.id)
}

/// Stores `event` (created at `created_ms`), due at once, numbered next in creation order.
pub async fn insert(tx: &mut AnyConnection, event: &super::Event, created_ms: i64) -> DbResult<()> {
    let text = serde_json::to_string(event).expect("events serialize");
    // `WHERE TRUE`: SQLite would read `ON` after `FROM events` as a join's.
    for _ in 0..1000 {
        let r = sqlx::query(
            "INSERT INTO events (seq, id, created_at, payment_id, order_id, status, body, next_attempt_at, attempts, locked_until) \
             SELECT COALESCE(MAX(seq), 0) + 1, $1, $2, $3, $4, $5, $6, $2, 0, 0 FROM events WHERE TRUE \
             ON CONFLICT (seq) DO NOTHING",
        )
        .bind(&event.id)
        .bind(created_ms)
        .bind(&event.data.payment_id)
        .bind(&event.data.order_id)
        .bind(&event.data.status)
        .bind(&text)
        .execute(&mut *tx)
        .await?;
        if r.rows_affected() == 1 {
            return Ok(());
        }
    }
    Err(sqlx::Error::Protocol("no free event sequence number after 1000 tries".into()))
}

/// An event claimed for one delivery.
#[derive(Clone, Debug)]
pub struct Claimed {
    /// `evt_…`.
    pub id: String,
    /// The payment it is about.
    pub payment_id: String,
    /// The status it announces.
    pub status: String,
    /// The JSON text sent, as stored.
    pub body: String,
    /// Tries before this one.
    pub attempts: i64,
    /// When it was stored (ms).
    pub created_at: i64,
}

/// Due, unclaimed (or whose claim lapsed), and first of its payment's undelivered events.
const DUE: &str = "next_attempt_at IS NOT NULL AND NOT EXISTS \
    (SELECT 1 FROM events o WHERE o.payment_id = e.payment_id AND o.seq < e.seq AND o.next_attempt_at IS NOT NULL)";

/// Claims up to `limit` due events for `me` until `until`.
pub async fn claim_due(db: &AnyPool, me: &str, until: i64, limit: i64) -> DbResult<Vec<Claimed>> {
    let now = now_ms();
    let rows = sqlx::query(&format!(
        "SELECT id, payment_id, status, body, attempts, created_at, locked_until FROM events e \
         WHERE {DUE} AND next_attempt_at <= $1 AND locked_until <= $1 ORDER BY seq LIMIT $2"
    ))
    .bind(now)
    .bind(limit)
    .fetch_all(db)
    .await?;
    let mut out = Vec::new();
    for r in rows {
        let id: String = r.try_get("id")?;
        let seen: i64 = r.try_get("locked_until")?;
        // Compare-and-set on the lease another process may be taking at the same moment.
        let took = sqlx::query(
            "UPDATE events SET locked_until = $1, claimed_by = $2 \
             WHERE id = $3 AND locked_until = $4 AND next_attempt_at IS NOT NULL AND next_attempt_at <= $5",
        )
        .bind(until)
        .bind(me)
        .bind(&id)
        .bind(seen)
        .bind(now)
        .execute(db)
        .await?;
        if took.rows_affected() == 1 {
            out.push(Claimed {
                id,
                payment_id: r.try_get("payment_id")?,
                status: r.try_get("status")?,
                body: r.try_get("body")?,
                attempts: r.try_get("attempts")?,
                created_at: r.try_get("created_at")?,
            });
        }
    }
    Ok(out)
}

/// When the next delivery may be claimed (ms): the soonest due time or lapsing lease among the
/// events first in their payment's line; `None`: nothing to deliver.
pub async fn next_due(db: &AnyPool) -> DbResult<Option<i64>> {
    sqlx::query_scalar(&format!(
        "SELECT MIN(CASE WHEN locked_until > next_attempt_at THEN locked_until ELSE next_attempt_at END) FROM events e WHERE {DUE}"
    ))
    .fetch_one(db)
    .await
}

/// Events still to deliver (not delivered, not given up).
pub async fn undelivered(db: &AnyPool) -> DbResult<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM events WHERE next_attempt_at IS NOT NULL").fetch_one(db).await
}

/// The backend answered `2xx`: delivered, whoever holds the claim now (it was delivered).
pub async fn delivered(db: &AnyPool, id: &str) -> DbResult<()> {
    sqlx::query(
        "UPDATE events SET delivered_at = $1, next_attempt_at = NULL, attempts = attempts + 1, locked_until = 0, claimed_by = NULL, \
         last_error = NULL WHERE id = $2 AND delivered_at IS NULL",
    )
    .bind(now_ms())
    .bind(id)
    .execute(db)
    .await?;
    Ok(())
}

/// What became of a failed try.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Next {
    /// Tried again at this time (ms).
    At(i64),
    /// Three days passed: no more tries.
    GiveUp,
}

/// When the try after `attempts` failed ones goes: `retry` doubling per failure, at most an
/// hour; none past three days from `created_at`.
pub fn schedule(retry: Duration, attempts: i64, created_at: i64, now: i64) -> Next {
    let doublings = u32::try_from(attempts.saturating_sub(1).max(0)).unwrap_or(u32::MAX).min(40);
    let wait = retry.saturating_mul(2u32.saturating_pow(doublings)).min(MAX_BACKOFF);
    let at = now.saturating_add(wait.as_millis() as i64);
    if at > created_at.saturating_add(GIVE_UP_AFTER.as_millis() as i64) {
        Next::GiveUp
    } else {
        Next::At(at)
    }
}

/// A try failed (`why`: an HTTP status or an error kind): the event's next try, or none. False
/// when `me` no longer held the claim (the lease lapsed and another process took it).
pub async fn failed(db: &AnyPool, id: &str, me: &str, next: Next, why: &str) -> DbResult<bool> {
    let at = match next {
        Next::At(at) => Some(at),
        Next::GiveUp => None,
    };
    let r = sqlx::query(
        "UPDATE events SET next_attempt_at = $1, attempts = attempts + 1, locked_until = 0, claimed_by = NULL, last_error = $2 \
         WHERE id = $3 AND claimed_by = $4 AND delivered_at IS NULL",
    )
    .bind(at)
    .bind(why)
    .bind(id)
    .bind(me)
    .execute(db)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Gives a claim back untried (shutting down): due again at once, for any process.
pub async fn release(db: &AnyPool, id: &str, me: &str) -> DbResult<()> {
    sqlx::query("UPDATE events SET locked_until = 0, claimed_by = NULL WHERE id = $1 AND claimed_by = $2")
        .bind(id)
        .bind(me)
        .execute(db)
        .await?;
    Ok(())
}

/// The creation number of the event `id`.
pub async fn seq_of(db: &AnyPool, id: &str) -> DbResult<Option<i64>> {
    sqlx::query_scalar("SELECT seq FROM events WHERE id = $1").bind(id).fetch_optional(db).await
}

/// Up to `limit` event bodies after `after_seq`, in creation order, and whether more follow.
pub async fn page(db: &AnyPool, after_seq: i64, limit: i64) -> DbResult<(Vec<String>, bool)> {
    let mut bodies: Vec<String> = sqlx::query_scalar("SELECT body FROM events WHERE seq > $1 ORDER BY seq LIMIT $2")
        .bind(after_seq)
        .bind(limit + 1)
        .fetch_all(db)
        .await?;
    let more = bodies.len() as i64 > limit;
    bodies.truncate(limit as usize);
    Ok((bodies, more))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_double_from_the_setting_up_to_an_hour_for_three_days() {
        let retry = Duration::from_millis(5000);
        let at = |attempts, now| match schedule(retry, attempts, 0, now) {
            Next::At(t) => t - now,
            Next::GiveUp => -1,
        };
        assert_eq!([1, 2, 3, 4].map(|n| at(n, 0)), [5000, 10_000, 20_000, 40_000]);
        assert_eq!(at(11, 0), 3_600_000, "5 s × 2^10 is past an hour");
        assert_eq!(at(1000, 0), 3_600_000);
        let three_days = GIVE_UP_AFTER.as_millis() as i64;
        assert_eq!(at(20, three_days - 3_600_000), 3_600_000, "the last try is at three days");
        assert_eq!(schedule(retry, 20, 0, three_days - 3_599_999), Next::GiveUp);
        let total: i64 = std::iter::successors(Some((1i64, 0i64)), |&(n, t)| match schedule(retry, n, 0, t) {
            Next::At(next) => Some((n + 1, next)),
            Next::GiveUp => None,
        })
        .count() as i64;
        assert_eq!(total, 81, "1 + 10 doubling waits (5 s to 2,560 s, 1.4 h) + 70 hourly ones in three days");
    }
}
