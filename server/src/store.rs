//! Storage: one `sqlx::AnyPool` over SQLite (the embedded default) or Postgres (`DATABASE_URL`),
//! migrated at start from `migrations/`. Every query is portable SQL with `$n` parameters (both
//! drivers bind them by number). Uniqueness the service relies on for "exactly once" is the
//! database's: the primary key of `attempts`, the unique `(provider, provider_ref)` of `payments`.

use crate::protocol::{Action, Answer, Profile, SaveMode};
use pasarela_protocol::{ActionType, Method, ProviderId, ResultStatus, Voucher};
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Executor, Row};

/// A database error (the message names no value that was bound).
pub type DbResult<T> = Result<T, sqlx::Error>;

/// Milliseconds since the epoch.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

/// The migrations this binary carries (`migrations/`), applied at start.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// [`connect_bounded`] with the default bound (`PASARELA_DB_TIMEOUT_MS`'s 10 s).
pub async fn connect(url: &str) -> DbResult<AnyPool> {
    connect_bounded(url, std::time::Duration::from_secs(10)).await
}

/// Opens the pool and applies the migrations. Every wait on the database is bounded by
/// `timeout` (`PASARELA_DB_TIMEOUT_MS`), so a request answers `503` (`ApiError`'s mapping) rather
/// than hang: a pooled connection's wait, SQLite's busy_timeout, Postgres's `statement_timeout`
/// (a statement, its lock waits included: SQLSTATE 57014) and `lock_timeout` (one lock: 55P03).
pub async fn connect_bounded(url: &str, timeout: std::time::Duration) -> DbResult<AnyPool> {
    sqlx::any::install_default_drivers();
    let sqlite = url.starts_with("sqlite:");
    let ms = timeout.as_millis().max(1);
    let pool = AnyPoolOptions::new()
        .max_connections(if sqlite { 4 } else { 16 })
        .acquire_timeout(timeout)
        .after_connect(move |conn, _| {
            Box::pin(async move {
                if sqlite {
                    // WAL lets readers run beside the one writer; busy_timeout makes a writer wait
                    // for the lock (bounded) instead of failing at once.
                    conn.execute("PRAGMA journal_mode = WAL").await?;
                    conn.execute(format!("PRAGMA busy_timeout = {ms}").as_str()).await?;
                    // FULL: a committed attempt, order claim or event survives an OS crash or power loss
                    // (NORMAL in WAL mode may roll the last commits back).
                    conn.execute("PRAGMA synchronous = FULL").await?;
                } else {
                    // Postgres waits for a lock as long as its holder keeps it (a stuck transaction,
                    // a LOCK TABLE, a long migration elsewhere) unless told otherwise.
                    conn.execute(format!("SET statement_timeout = {ms}").as_str()).await?;
                    conn.execute(format!("SET lock_timeout = {ms}").as_str()).await?;
                }
                Ok(())
            })
        })
        .connect(url)
        .await?;
    if sqlite {
        MIGRATOR.run(&pool).await?;
    } else {
        // Migrating may rightly take longer (an index on a large table, another process's
        // migration holding sqlx's advisory lock): on a connection of its own without the bounds,
        // which then closes rather than go back to the pool unbounded.
        let mut conn = pool.acquire().await?.detach();
        conn.execute("SET statement_timeout = 0").await?;
        conn.execute("SET lock_timeout = 0").await?;
        MIGRATOR.run(&mut conn).await?;
        sqlx::Connection::close(conn).await?;
    }
    Ok(pool)
}

/// Whether the database answers and holds this binary's newest migration, applied: what
/// `GET /ready` reports. `Ok(false)`: it answers, but its schema is older (or a migration failed
/// half-way).
pub async fn ready(db: &AnyPool) -> DbResult<bool> {
    sqlx::query("SELECT 1").execute(db).await?;
    let Some(latest) = MIGRATOR.iter().map(|m| m.version).max() else { return Ok(true) };
    let applied: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations WHERE version = $1 AND success = TRUE")
        .bind(latest)
        .fetch_one(db)
        .await?;
    Ok(applied == 1)
}

/// A checkout session.
#[derive(Clone, Debug)]
pub struct Session {
    pub id: String,
    pub provider: ProviderId,
    pub order_id: String,
    pub amount: i64,
    /// The amount to charge: `amount`, or less after a KR BIN update.
    pub amount_due: i64,
    pub currency: String,
    pub customer_ref: Option<String>,
    /// The customer as the backend gave it (email, names, billing and shipping details).
    pub customer: serde_json::Value,
    /// Provider options as the backend gave them (`kr`: formAction, shoppingCart, …).
    pub extra: serde_json::Value,
    pub form_token: Option<String>,
    pub expires_at: i64,
    /// Whether the shopper's card may be kept (migrations/0003).
    pub save_payment_method: SaveMode,
    /// What the shopper may pay with (migrations/0004), the card first when offered.
    pub methods: Vec<Method>,
    /// The storefront page a full-page redirect comes back to (migrations/0004).
    pub return_url: Option<String>,
    /// The installment offers bound to the session (migrations/0006), paying in full first.
    pub installments: Vec<crate::installments::InstallmentOffer>,
}

/// A session's `methods` as stored: comma-separated words.
pub fn methods_text(methods: &[Method]) -> String {
    methods.iter().map(|m| m.as_str()).collect::<Vec<_>>().join(",")
}

fn session_of(r: &AnyRow) -> DbResult<Session> {
    let provider: String = r.try_get("provider")?;
    let json = |col: &str| -> DbResult<serde_json::Value> {
        let text: String = r.try_get(col)?;
        serde_json::from_str(&text).map_err(|e| sqlx::Error::Decode(Box::new(e)))
    };
    Ok(Session {
        id: r.try_get("id")?,
        provider: ProviderId::parse(&provider).ok_or_else(|| sqlx::Error::Decode("provider".into()))?,
        order_id: r.try_get("order_id")?,
        amount: r.try_get("amount")?,
        amount_due: r.try_get("amount_due")?,
        currency: r.try_get("currency")?,
        customer_ref: r.try_get("customer_ref")?,
        customer: json("customer_json")?,
        extra: json("extra_json")?,
        form_token: r.try_get("form_token")?,
        expires_at: r.try_get("expires_at")?,
        save_payment_method: SaveMode::parse(&r.try_get::<String, _>("save_payment_method")?),
        // An unknown word (a newer binary's) is not offered here.
        methods: r.try_get::<String, _>("methods")?.split(',').filter_map(Method::parse).collect(),
        return_url: r.try_get("return_url")?,
        installments: match r.try_get::<Option<String>, _>("installments_json")? {
            Some(text) => serde_json::from_str(&text).map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
            // A session from before migrations/0006: paying in full only.
            None => {
                let amount: i64 = r.try_get("amount")?;
                let currency: String = r.try_get("currency")?;
                crate::installments::offers(amount, &currency, &[])
            }
        },
    })
}

/// Stores a new session under the hash of its client secret.
pub async fn insert_session(db: &AnyPool, s: &Session, secret_hash: &str) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO sessions (id, secret_hash, provider, order_id, amount, amount_due, currency, customer_ref, \
         customer_json, extra_json, form_token, expires_at, created_at, save_payment_method, methods, return_url, installments_json) \
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17)",
    )
    .bind(&s.id)
    .bind(secret_hash)
    .bind(s.provider.as_str())
    .bind(&s.order_id)
    .bind(s.amount)
    .bind(s.amount_due)
    .bind(&s.currency)
    .bind(&s.customer_ref)
    .bind(s.customer.to_string())
    .bind(s.extra.to_string())
    .bind(&s.form_token)
    .bind(s.expires_at)
    .bind(now_ms())
    .bind(s.save_payment_method.as_str())
    .bind(methods_text(&s.methods))
    .bind(&s.return_url)
    .bind(serde_json::to_string(&s.installments).expect("offers serialize"))
    .execute(db)
    .await?;
    Ok(())
}

/// The session a client secret opens (expired ones included: the caller decides).
pub async fn session_by_secret(db: &AnyPool, secret_hash: &str) -> DbResult<Option<Session>> {
    sqlx::query("SELECT * FROM sessions WHERE secret_hash = $1").bind(secret_hash).fetch_optional(db).await?.as_ref().map(session_of).transpose()
}

/// A session by id.
pub async fn session(db: &AnyPool, id: &str) -> DbResult<Option<Session>> {
    sqlx::query("SELECT * FROM sessions WHERE id = $1").bind(id).fetch_optional(db).await?.as_ref().map(session_of).transpose()
}

/// The session a KR form token was created for.
pub async fn session_by_form_token(db: &AnyPool, form_token: &str) -> DbResult<Option<Session>> {
    sqlx::query("SELECT * FROM sessions WHERE form_token = $1")
        .bind(form_token)
        .fetch_optional(db)
        .await?
        .as_ref()
        .map(session_of)
        .transpose()
}

/// Records the session's current KR form token and the amount it charges.
pub async fn set_form_token(db: &AnyPool, id: &str, form_token: &str, amount_due: i64) -> DbResult<()> {
    sqlx::query("UPDATE sessions SET form_token = $1, amount_due = $2 WHERE id = $3")
        .bind(form_token)
        .bind(amount_due)
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

/// An attempt row (one per `Idempotency-Key`).
#[derive(Clone, Debug)]
pub struct Attempt {
    pub request_hash: String,
    pub session_id: String,
    pub attempt_ref: String,
    pub state: String,
    pub locked_until: i64,
    pub http_status: Option<i64>,
    pub response_json: Option<String>,
    /// What a try made at the provider before charging (migrations/0002).
    pub source_json: Option<String>,
    /// The id its payment is recorded under, chosen when the attempt begins: the provider's
    /// return URL (3-D Secure, a bank's site) names it before the payment exists.
    pub payment_id: Option<String>,
}

/// What claiming a key found.
#[derive(Debug)]
pub enum Claim {
    /// This request inserted the row: it owns the attempt.
    Owner,
    /// The key was there already.
    Existing(Attempt),
    /// The key was there and went before it could be read: claim again.
    Vanished,
}

/// Inserts the attempt unless its key exists: the database's primary key decides the one owner.
/// `payment_id`: the id its payment will be recorded under.
pub async fn claim(db: &AnyPool, key: &str, hash: &str, session_id: &str, attempt_ref: &str, payment_id: &str, until: i64) -> DbResult<Claim> {
    let done = sqlx::query(
        "INSERT INTO attempts (idempotency_key, request_hash, session_id, attempt_ref, state, locked_until, created_at, payment_id) \
         VALUES ($1,$2,$3,$4,'started',$5,$6,$7) ON CONFLICT (idempotency_key) DO NOTHING",
    )
    .bind(key)
    .bind(hash)
    .bind(session_id)
    .bind(attempt_ref)
    .bind(until)
    .bind(now_ms())
    .bind(payment_id)
    .execute(db)
    .await?;
    if done.rows_affected() == 1 {
        return Ok(Claim::Owner);
    }
    // The row may have gone between the insert and this read (a request that could not hold its
    // order forgets its attempt): the key is free again, so the next claim decides.
    Ok(attempt(db, key).await?.map(Claim::Existing).unwrap_or(Claim::Vanished))
}

/// The attempt of a key.
pub async fn attempt(db: &AnyPool, key: &str) -> DbResult<Option<Attempt>> {
    let row = sqlx::query("SELECT * FROM attempts WHERE idempotency_key = $1").bind(key).fetch_optional(db).await?;
    row.map(|r| {
        Ok(Attempt {
            request_hash: r.try_get("request_hash")?,
            session_id: r.try_get("session_id")?,
            attempt_ref: r.try_get("attempt_ref")?,
            state: r.try_get("state")?,
            locked_until: r.try_get("locked_until")?,
            http_status: r.try_get("http_status")?,
            response_json: r.try_get("response_json")?,
            source_json: r.try_get("source_json")?,
            payment_id: r.try_get("payment_id")?,
        })
    })
    .transpose()
}

/// Moves a `started` attempt's lease from `seen` to `until`: a retry taking over an expired lease,
/// or the owner renewing its own. False when another request moved it first.
pub async fn take_over(db: &AnyPool, key: &str, seen: i64, until: i64) -> DbResult<bool> {
    let r = sqlx::query(
        "UPDATE attempts SET locked_until = $1 WHERE idempotency_key = $2 AND state = 'started' AND locked_until = $3",
    )
    .bind(until)
    .bind(key)
    .bind(seen)
    .execute(db)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Keeps what an attempt made at the provider before charging (migrations/0002).
pub async fn set_attempt_source(db: &AnyPool, attempt_ref: &str, source_json: &str) -> DbResult<()> {
    sqlx::query("UPDATE attempts SET source_json = $1 WHERE attempt_ref = $2").bind(source_json).bind(attempt_ref).execute(db).await?;
    Ok(())
}

/// Gives up the lease this request holds (`mine`, fenced: a lease another request took over is
/// never touched), keeping the attempt until `until` (0: the next retry reconciles at once; later:
/// a provider that timed out may still be charging, so nobody looks before then). False when the
/// lease was not this request's any more: another request owns the attempt now.
pub async fn release(db: &AnyPool, key: &str, mine: i64, until: i64) -> DbResult<bool> {
    let r = sqlx::query("UPDATE attempts SET locked_until = $1 WHERE idempotency_key = $2 AND state = 'started' AND locked_until = $3")
        .bind(until)
        .bind(key)
        .bind(mine)
        .execute(db)
        .await?;
    Ok(r.rows_affected() == 1)
}

/// Stores an attempt's final answer (replayed for every later request with its key).
pub async fn finish(db: &AnyPool, key: &str, payment_id: Option<&str>, status: u16, response: &str) -> DbResult<()> {
    sqlx::query(
        "UPDATE attempts SET state = 'done', payment_id = $1, http_status = $2, response_json = $3 WHERE idempotency_key = $4",
    )
    .bind(payment_id)
    .bind(i64::from(status))
    .bind(response)
    .bind(key)
    .execute(db)
    .await?;
    Ok(())
}

/// A payment.
#[derive(Clone, Debug)]
pub struct Payment {
    pub id: String,
    pub provider: ProviderId,
    pub session_id: String,
    pub order_id: String,
    pub amount: i64,
    pub currency: String,
    pub status: ResultStatus,
    pub message: Option<String>,
    pub action: Option<Action>,
    pub provider_ref: Option<String>,
    pub attempt_ref: String,
    /// A cash voucher's or bank transfer's display fields (migrations/0004): the pending
    /// answer's `action.voucher`.
    pub voucher: Option<Voucher>,
}

impl Payment {
    /// The protocol's answer for it: a pending voucher's action is the voucher.
    pub fn answer(&self) -> Answer {
        let pending = self.status == ResultStatus::Pending;
        Answer {
            status: self.status,
            payment_id: self.id.clone(),
            message: self.message.clone(),
            action: if pending { self.action.clone() } else { None },
            voucher: if pending { self.voucher.clone() } else { None },
        }
    }
}

fn payment_of(r: &AnyRow) -> DbResult<Payment> {
    let provider: String = r.try_get("provider")?;
    let status: String = r.try_get("status")?;
    let action_type: Option<String> = r.try_get("action_type")?;
    let action_url: Option<String> = r.try_get("action_url")?;
    Ok(Payment {
        id: r.try_get("id")?,
        provider: ProviderId::parse(&provider).ok_or_else(|| sqlx::Error::Decode("provider".into()))?,
        session_id: r.try_get("session_id")?,
        order_id: r.try_get("order_id")?,
        amount: r.try_get("amount")?,
        currency: r.try_get("currency")?,
        status: ResultStatus::parse_answer(&status).ok_or_else(|| sqlx::Error::Decode("status".into()))?,
        message: r.try_get("message")?,
        action: match (action_type.as_deref().and_then(ActionType::parse), action_url) {
            (Some(kind), Some(url)) => Some(Action { kind, url }),
            _ => None,
        },
        provider_ref: r.try_get("provider_ref")?,
        attempt_ref: r.try_get("attempt_ref")?,
        voucher: match r.try_get::<Option<String>, _>("voucher_json")? {
            Some(text) => Some(serde_json::from_str(&text).map_err(|e| sqlx::Error::Decode(Box::new(e)))?),
            None => None,
        },
    })
}

/// Records a payment, or returns the one already recorded for the same provider charge.
pub async fn insert_payment(db: &AnyPool, p: &Payment) -> DbResult<Payment> {
    let now = now_ms();
    // The payment and its event (notify/) are one transaction: no recorded payment goes unannounced.
    let mut tx = db.begin().await?;
    let done = sqlx::query(
        "INSERT INTO payments (id, provider, session_id, order_id, amount, currency, status, message, action_type, \
         action_url, provider_ref, attempt_ref, created_at, updated_at, voucher_json) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$13,$14) \
         ON CONFLICT (provider, provider_ref) DO NOTHING",
    )
    .bind(&p.id)
    .bind(p.provider.as_str())
    .bind(&p.session_id)
    .bind(&p.order_id)
    .bind(p.amount)
    .bind(&p.currency)
    .bind(p.status.as_str())
    .bind(&p.message)
    .bind(p.action.as_ref().map(|a| a.kind.as_str()))
    .bind(p.action.as_ref().map(|a| a.url.clone()))
    .bind(&p.provider_ref)
    .bind(&p.attempt_ref)
    .bind(now)
    .bind(p.voucher.as_ref().map(|v| serde_json::to_string(v).expect("vouchers serialize")))
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() == 1 {
        payment_changed(&mut tx, &p.id).await?;
        tx.commit().await?;
        crate::notify::wake();
        return Ok(p.clone());
    }
    drop(tx);
    let Some(r) = &p.provider_ref else { return Err(sqlx::Error::RowNotFound) };
    let found = payment_by_ref(db, p.provider, r).await?.ok_or(sqlx::Error::RowNotFound)?;
    // The same provider charge seen again (answer, webhook, reconciliation) is the same order's;
    // a charge id recorded for another order is never this order's payment (two provider
    // environments on one database, say): refused rather than reporting that order's status.
    if found.order_id != p.order_id {
        tracing::error!(provider = p.provider.as_str(), order = %p.order_id, other = %found.order_id, "provider charge id already recorded for another order");
        return Err(sqlx::Error::Protocol("provider charge id recorded for another order".into()));
    }
    Ok(found)
}

/// A payment by id.
pub async fn payment(db: &AnyPool, id: &str) -> DbResult<Option<Payment>> {
    sqlx::query("SELECT * FROM payments WHERE id = $1").bind(id).fetch_optional(db).await?.as_ref().map(payment_of).transpose()
}

/// The payment of a provider charge.
pub async fn payment_by_ref(db: &AnyPool, provider: ProviderId, provider_ref: &str) -> DbResult<Option<Payment>> {
    sqlx::query("SELECT * FROM payments WHERE provider = $1 AND provider_ref = $2")
        .bind(provider.as_str())
        .bind(provider_ref)
        .fetch_optional(db)
        .await?
        .as_ref()
        .map(payment_of)
        .transpose()
}

/// Every payment, newest first (optionally of one order).
pub async fn payments(db: &AnyPool, order_id: Option<&str>) -> DbResult<Vec<Payment>> {
    let rows = match order_id {
        Some(o) => sqlx::query("SELECT * FROM payments WHERE order_id = $1 ORDER BY created_at DESC").bind(o).fetch_all(db).await?,
        None => sqlx::query("SELECT * FROM payments ORDER BY created_at DESC").fetch_all(db).await?,
    };
    rows.iter().map(payment_of).collect()
}

/// Moves a payment to a newer status (a final status is never left).
pub async fn update_status(db: &AnyPool, id: &str, status: ResultStatus, message: Option<&str>, action: Option<&Action>) -> DbResult<()> {
    let mut tx = db.begin().await?;
    let r = sqlx::query(
        "UPDATE payments SET status = $1, message = $2, action_type = $3, action_url = $4, updated_at = $5 \
         WHERE id = $6 AND status = 'pending'",
    )
    .bind(status.as_str())
    .bind(message)
    .bind(action.map(|a| a.kind.as_str()))
    .bind(action.map(|a| a.url.clone()))
    .bind(now_ms())
    .bind(id)
    .execute(&mut *tx)
    .await?;
    // The row was pending (the WHERE): any other status is a change, announced once, in this
    // transaction (notify/); pending again (a refresh that found nothing new) is none.
    let changed = r.rows_affected() == 1 && status != ResultStatus::Pending;
    if changed {
        payment_changed(&mut tx, id).await?;
    }
    tx.commit().await?;
    if changed {
        crate::notify::wake();
    }
    Ok(())
}

/// Stores the event of a payment's change (notify/outbox.rs) on the change's transaction: every
/// insert and status change of `payments` goes through here, so none is missed.
async fn payment_changed(tx: &mut sqlx::AnyConnection, id: &str) -> DbResult<()> {
    let row = sqlx::query("SELECT * FROM payments WHERE id = $1").bind(id).fetch_one(&mut *tx).await?;
    crate::notify::outbox::record(tx, &payment_of(&row)?).await.map(|_| ())
}

/// The provider customer of a storefront customer.
pub async fn provider_customer(db: &AnyPool, customer_ref: &str, provider: ProviderId) -> DbResult<Option<String>> {
    let row = sqlx::query("SELECT provider_customer FROM customers WHERE customer_ref = $1 AND provider = $2")
        .bind(customer_ref)
        .bind(provider.as_str())
        .fetch_optional(db)
        .await?;
    row.map(|r| r.try_get("provider_customer")).transpose()
}

/// Remembers the provider customer (the first one stored wins; returns it).
pub async fn set_provider_customer(db: &AnyPool, customer_ref: &str, provider: ProviderId, id: &str) -> DbResult<String> {
    sqlx::query("INSERT INTO customers (customer_ref, provider, provider_customer) VALUES ($1,$2,$3) ON CONFLICT DO NOTHING")
        .bind(customer_ref)
        .bind(provider.as_str())
        .bind(id)
        .execute(db)
        .await?;
    provider_customer(db, customer_ref, provider).await?.ok_or(sqlx::Error::RowNotFound)
}

/// Replaces the stored provider customer `old` with `new`; false when `old` is not the stored one
/// any more (another request changed it first).
pub async fn replace_provider_customer(db: &AnyPool, customer_ref: &str, provider: ProviderId, old: &str, new: &str) -> DbResult<bool> {
    let r = sqlx::query("UPDATE customers SET provider_customer = $1 WHERE customer_ref = $2 AND provider = $3 AND provider_customer = $4")
        .bind(new)
        .bind(customer_ref)
        .bind(provider.as_str())
        .bind(old)
        .execute(db)
        .await?;
    Ok(r.rows_affected() == 1)
}

/// A saved card. `secret` stays here: only [`SavedCard::profile`] leaves the service.
#[derive(Clone, Debug)]
pub struct SavedCard {
    pub id: String,
    pub customer_ref: String,
    pub provider: ProviderId,
    pub secret: crate::config::Secret,
    pub provider_customer: Option<String>,
    pub brand: String,
    pub last4: String,
    pub expiry: Option<String>,
    pub holder: Option<String>,
    pub issuer: Option<String>,
    pub installments: Option<String>,
    /// The customer's default card with this provider (migrations/0007), listed first.
    pub default: bool,
}

impl SavedCard {
    /// The display fields, in the shape of Pasarela's `profiles` option (docs/api.md §5). Of the
    /// installment counts the provider lists, those `POST /pay` takes (1 to
    /// `pasarela_protocol::MAX_INSTALLMENTS`): the page refuses a list holding another.
    pub fn profile(&self) -> Profile {
        let installments: Option<Vec<u32>> = self.installments.as_ref().map(|list| {
            list.split(';').filter_map(|n| n.trim().parse().ok()).filter(|&n| pasarela_protocol::is_installment_count(n)).collect()
        });
        Profile {
            id: self.id.clone(),
            brand: self.brand.clone(),
            last4: self.last4.clone(),
            expiry: self.expiry.clone(),
            holder: self.holder.clone(),
            issuer: self.issuer.clone(),
            installments: installments.filter(|n| !n.is_empty()),
            default: self.default.then_some(true),
        }
    }
}

fn card_of(r: &AnyRow) -> DbResult<SavedCard> {
    let provider: String = r.try_get("provider")?;
    let secret: String = r.try_get("secret")?;
    Ok(SavedCard {
        id: r.try_get("id")?,
        customer_ref: r.try_get("customer_ref")?,
        provider: ProviderId::parse(&provider).ok_or_else(|| sqlx::Error::Decode("provider".into()))?,
        secret: crate::config::Secret::new(secret),
        provider_customer: r.try_get("provider_customer")?,
        brand: r.try_get("brand")?,
        last4: r.try_get("last4")?,
        expiry: r.try_get("expiry")?,
        holder: r.try_get("holder")?,
        issuer: r.try_get("issuer")?,
        installments: r.try_get("installments")?,
        default: r.try_get::<i64, _>("is_default")? != 0,
    })
}

/// Saves a card unless the same provider secret is saved already (returns the stored one).
pub async fn save_card(db: &AnyPool, c: &SavedCard) -> DbResult<SavedCard> {
    sqlx::query(
        "INSERT INTO saved_cards (id, customer_ref, provider, secret, provider_customer, brand, last4, expiry, holder, \
         issuer, installments, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12) ON CONFLICT DO NOTHING",
    )
    .bind(&c.id)
    .bind(&c.customer_ref)
    .bind(c.provider.as_str())
    .bind(c.secret.expose())
    .bind(&c.provider_customer)
    .bind(&c.brand)
    .bind(&c.last4)
    .bind(&c.expiry)
    .bind(&c.holder)
    .bind(&c.issuer)
    .bind(&c.installments)
    .bind(now_ms())
    .execute(db)
    .await?;
    let row = sqlx::query("SELECT * FROM saved_cards WHERE provider = $1 AND secret = $2")
        .bind(c.provider.as_str())
        .bind(c.secret.expose())
        .fetch_one(db)
        .await?;
    card_of(&row)
}

/// A customer's saved cards with one provider: the default first, then oldest first.
pub async fn cards_of(db: &AnyPool, customer_ref: &str, provider: ProviderId) -> DbResult<Vec<SavedCard>> {
    let rows = sqlx::query("SELECT * FROM saved_cards WHERE customer_ref = $1 AND provider = $2 ORDER BY is_default DESC, created_at, id")
        .bind(customer_ref)
        .bind(provider.as_str())
        .fetch_all(db)
        .await?;
    rows.iter().map(card_of).collect()
}

/// Every saved card of a customer, by provider, each provider's default first.
pub async fn cards_of_customer(db: &AnyPool, customer_ref: &str) -> DbResult<Vec<SavedCard>> {
    let rows = sqlx::query("SELECT * FROM saved_cards WHERE customer_ref = $1 ORDER BY provider, is_default DESC, created_at, id")
        .bind(customer_ref)
        .fetch_all(db)
        .await?;
    rows.iter().map(card_of).collect()
}

/// Makes a card its customer's default with its provider, in one transaction: the one before it
/// stops being the default.
pub async fn set_default_card(db: &AnyPool, card: &SavedCard) -> DbResult<()> {
    let mut tx = db.begin().await?;
    sqlx::query("UPDATE saved_cards SET is_default = 0 WHERE customer_ref = $1 AND provider = $2 AND id <> $3")
        .bind(&card.customer_ref)
        .bind(card.provider.as_str())
        .bind(&card.id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("UPDATE saved_cards SET is_default = 1 WHERE id = $1").bind(&card.id).execute(&mut *tx).await?;
    tx.commit().await
}

/// Forgets a saved card (its provider removed it first): `/pay` refuses its id from then on.
pub async fn delete_card(db: &AnyPool, id: &str) -> DbResult<()> {
    sqlx::query("DELETE FROM saved_cards WHERE id = $1").bind(id).execute(db).await?;
    Ok(())
}

/// A saved card by its public id.
pub async fn card(db: &AnyPool, id: &str) -> DbResult<Option<SavedCard>> {
    sqlx::query("SELECT * FROM saved_cards WHERE id = $1").bind(id).fetch_optional(db).await?.as_ref().map(card_of).transpose()
}

/// Records a webhook delivery; false when it was applied before.
pub async fn first_delivery(db: &AnyPool, provider: ProviderId, event_id: &str) -> DbResult<bool> {
    let r = sqlx::query("INSERT INTO webhook_events (provider, event_id, received_at) VALUES ($1,$2,$3) ON CONFLICT DO NOTHING")
        .bind(provider.as_str())
        .bind(event_id)
        .bind(now_ms())
        .execute(db)
        .await?;
    Ok(r.rows_affected() == 1)
}

/// Whether a webhook delivery was applied before.
pub async fn delivered(db: &AnyPool, provider: ProviderId, event_id: &str) -> DbResult<bool> {
    let row = sqlx::query("SELECT 1 AS one FROM webhook_events WHERE provider = $1 AND event_id = $2")
        .bind(provider.as_str())
        .bind(event_id)
        .fetch_optional(db)
        .await?;
    Ok(row.is_some())
}

/// A setting (e.g. the generated secret key's hash).
pub async fn setting(db: &AnyPool, name: &str) -> DbResult<Option<String>> {
    let row = sqlx::query("SELECT value FROM settings WHERE name = $1").bind(name).fetch_optional(db).await?;
    row.map(|r| r.try_get("value")).transpose()
}

/// Stores a setting unless it is set (returns the stored value).
pub async fn init_setting(db: &AnyPool, name: &str, value: &str) -> DbResult<String> {
    sqlx::query("INSERT INTO settings (name, value) VALUES ($1,$2) ON CONFLICT DO NOTHING").bind(name).bind(value).execute(db).await?;
    setting(db, name).await?.ok_or(sqlx::Error::RowNotFound)
}

/// The sessions of an order, newest first.
pub async fn sessions_of_order(db: &AnyPool, order_id: &str) -> DbResult<Vec<Session>> {
    let rows = sqlx::query("SELECT * FROM sessions WHERE order_id = $1 ORDER BY created_at DESC").bind(order_id).fetch_all(db).await?;
    rows.iter().map(session_of).collect()
}

/// The attempt holding an order (`order_claims`), if any; it may have ended.
pub async fn order_holder(db: &AnyPool, order_id: &str) -> DbResult<Option<String>> {
    let row = sqlx::query("SELECT idempotency_key FROM order_claims WHERE order_id = $1").bind(order_id).fetch_optional(db).await?;
    row.map(|r| r.try_get("idempotency_key")).transpose()
}

/// Orders held by an attempt that has not ended and whose lease lapsed before `before` (its
/// request gone: a provider's answer lost, a process killed), longest lapsed first, at most
/// `limit` (migration 0008 keeps both sides of the join on an index). An order a payment already
/// decides (a KR form paid it beside the attempt) is left out: nothing more may charge it, and
/// asked about again on every pass, a few such orders would starve the others.
pub async fn abandoned_orders(db: &AnyPool, before: i64, limit: i64) -> DbResult<Vec<String>> {
    let rows = sqlx::query(
        "SELECT c.order_id FROM attempts a JOIN order_claims c ON c.idempotency_key = a.idempotency_key \
         WHERE a.state = 'started' AND a.locked_until < $1 AND NOT EXISTS \
         (SELECT 1 FROM payments p WHERE p.order_id = c.order_id AND p.status IN ('approved', 'pending')) \
         ORDER BY a.locked_until LIMIT $2",
    )
    .bind(before)
    .bind(limit)
    .fetch_all(db)
    .await?;
    rows.iter().map(|r| r.try_get("order_id")).collect()
}

/// Forgets an attempt that never started its work (it could not hold its order): its key is free.
/// Fenced on its lease (`mine`, as this request last set it): an attempt another request took
/// over (this request stalled past its lease) is that request's, and stays.
pub async fn forget_attempt(db: &AnyPool, key: &str, attempt_ref: &str, mine: i64) -> DbResult<()> {
    sqlx::query("DELETE FROM attempts WHERE idempotency_key = $1 AND attempt_ref = $2 AND state = 'started' AND locked_until = $3")
        .bind(key)
        .bind(attempt_ref)
        .bind(mine)
        .execute(db)
        .await?;
    Ok(())
}

/// The attempt holding an order: `None` when this key holds it now (newly or already).
pub async fn claim_order(db: &AnyPool, order_id: &str, key: &str) -> DbResult<Option<String>> {
    sqlx::query("INSERT INTO order_claims (order_id, idempotency_key, claimed_at) VALUES ($1,$2,$3) ON CONFLICT (order_id) DO NOTHING")
        .bind(order_id)
        .bind(key)
        .bind(now_ms())
        .execute(db)
        .await?;
    let holder: String = sqlx::query("SELECT idempotency_key FROM order_claims WHERE order_id = $1")
        .bind(order_id)
        .fetch_one(db)
        .await?
        .try_get("idempotency_key")?;
    Ok((holder != key).then_some(holder))
}

/// Moves an order from the attempt `from` (which ended without taking money) to `to`; false when
/// another attempt moved it first. An attempt that has not ended goes by [`hand_over_order`].
pub async fn move_order_claim(db: &AnyPool, order_id: &str, from: &str, to: &str) -> DbResult<bool> {
    let r = sqlx::query("UPDATE order_claims SET idempotency_key = $1, claimed_at = $2 WHERE order_id = $3 AND idempotency_key = $4")
        .bind(to)
        .bind(now_ms())
        .bind(order_id)
        .bind(from)
        .execute(db)
        .await?;
    Ok(r.rows_affected() == 1)
}

/// Moves an order from the abandoned attempt `from`, found without a charge by the request that
/// holds its lease (`lease`, as that request last set it), to the attempt `to` (with none, the
/// order is let go: its claim deleted, for a KR form that charges without holding it), and gives
/// `from`'s lease up, in one transaction. Fenced on the lease: when `from`'s own retry took it
/// back meanwhile (the lease lapsed), nothing changes and the answer is false; that retry may be
/// charging, so `to` must not (nor a KR form open). The lease's row is written first, so a retry
/// taking it over (Postgres) waits for this transaction and then finds the lease gone, never the
/// order still `from`'s.
pub async fn hand_over_order(db: &AnyPool, order_id: &str, from: &str, lease: i64, to: Option<&str>) -> DbResult<bool> {
    let mut tx = db.begin().await?;
    let released = sqlx::query("UPDATE attempts SET locked_until = 0 WHERE idempotency_key = $1 AND state = 'started' AND locked_until = $2")
        .bind(from)
        .bind(lease)
        .execute(&mut *tx)
        .await?;
    if released.rows_affected() != 1 {
        tx.rollback().await?;
        return Ok(false);
    }
    // No row when the order is not `from`'s any more: the caller looks at the order again.
    let moved = match to {
        Some(to) => sqlx::query("UPDATE order_claims SET idempotency_key = $1, claimed_at = $2 WHERE order_id = $3 AND idempotency_key = $4")
            .bind(to)
            .bind(now_ms())
            .bind(order_id)
            .bind(from),
        None => sqlx::query("DELETE FROM order_claims WHERE order_id = $1 AND idempotency_key = $2").bind(order_id).bind(from),
    };
    moved.execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(true)
}

/// The payment that decides an order: an approved one, else a pending one (which may still take
/// money); a declined payment decides nothing.
pub async fn deciding_payment(db: &AnyPool, order_id: &str) -> DbResult<Option<Payment>> {
    sqlx::query(
        "SELECT * FROM payments WHERE order_id = $1 AND status IN ('approved', 'pending') \
         ORDER BY CASE WHEN status = 'approved' THEN 0 ELSE 1 END, created_at DESC LIMIT 1",
    )
    .bind(order_id)
    .fetch_optional(db)
    .await?
    .as_ref()
    .map(payment_of)
    .transpose()
}

/// Claims the right to ask the provider for a pending payment's status until `until`; false when
/// another request refreshed it recently or is refreshing it now. `early` lets a claim come that
/// many milliseconds before the next refresh is due (a forced read skips the interval, never an
/// in-flight refresh, whose bound lies further out).
pub async fn claim_refresh(db: &AnyPool, id: &str, until: i64, early: i64) -> DbResult<bool> {
    let now = now_ms() + early;
    let r = sqlx::query(
        "UPDATE payments SET refresh_after = $1 WHERE id = $2 AND status = 'pending' AND (refresh_after IS NULL OR refresh_after <= $3)",
    )
    .bind(until)
    .bind(id)
    .bind(now)
    .execute(db)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Sets when the next provider refresh of a payment may run.
pub async fn refresh_after(db: &AnyPool, id: &str, at: i64) -> DbResult<()> {
    sqlx::query("UPDATE payments SET refresh_after = $1 WHERE id = $2").bind(at).bind(id).execute(db).await?;
    Ok(())
}
