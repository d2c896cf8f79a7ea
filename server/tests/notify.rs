//! The storefront notifications' storage on a real database: one event per status change in the
//! change's transaction (none for an unchanged status), creation order under concurrent
//! transactions, claims that two workers never share, a payment's events in order, lapsed
//! leases. On SQLite; the concurrent numbering also on Postgres when PASARELA_TEST_DATABASE_URL
//! is set.

use pasarela_protocol::ResultStatus;
use pasarela_server::app::random_text;
use pasarela_server::notify::outbox::{self, Next};
use pasarela_server::notify::{Event, EventData};
use pasarela_server::store::{self, now_ms};
use sqlx::AnyPool;

async fn sqlite() -> AnyPool {
    let dir = std::env::temp_dir().join(format!("pasarela-notify-{}-{}", std::process::id(), random_text(8)));
    std::fs::create_dir_all(&dir).unwrap();
    store::connect(&format!("sqlite://{}?mode=rwc", dir.join("db.sqlite").display())).await.unwrap()
}

fn event(payment: &str, status: &str) -> Event {
    Event {
        id: format!("evt_{}", random_text(24)),
        kind: "payment.updated".into(),
        created: now_ms() / 1000,
        data: EventData { payment_id: payment.into(), order_id: format!("O-{payment}"), status: status.into(), voucher: None },
    }
}

async fn insert(db: &AnyPool, e: &Event) {
    let mut tx = db.begin().await.unwrap();
    outbox::insert(&mut tx, e, now_ms()).await.unwrap();
    tx.commit().await.unwrap();
}

/// Every event body of `payment`, in creation order.
async fn events_of(db: &AnyPool, payment: &str) -> Vec<serde_json::Value> {
    let (bodies, more) = outbox::page(db, 0, 100_000).await.unwrap();
    assert!(!more);
    bodies.iter().map(|b| serde_json::from_str::<serde_json::Value>(b).unwrap()).filter(|e| e["data"]["paymentId"] == payment).collect()
}

#[tokio::test]
async fn a_status_change_is_one_event_in_its_transaction_and_an_unchanged_status_none() {
    let db = sqlite().await;
    let id = format!("pay_{}", random_text(24));
    sqlx::query(
        "INSERT INTO payments (id, provider, session_id, order_id, amount, currency, status, attempt_ref, provider_ref, created_at, updated_at) \
         VALUES ($1, 'bamboo', 'cs_1', 'A-1', 100, 'UYU', 'pending', 'att_1', '123', 0, 0)",
    )
    .bind(&id)
    .execute(&db)
    .await
    .unwrap();
    store::update_status(&db, &id, ResultStatus::Pending, None, None).await.unwrap();
    assert!(events_of(&db, &id).await.is_empty(), "pending again is no change");
    store::update_status(&db, &id, ResultStatus::Approved, None, None).await.unwrap();
    store::update_status(&db, &id, ResultStatus::Approved, None, None).await.unwrap();
    store::update_status(&db, &id, ResultStatus::Declined, None, None).await.unwrap();
    let events = events_of(&db, &id).await;
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0]["data"], serde_json::json!({ "paymentId": id, "orderId": "A-1", "status": "approved" }));
    assert_eq!(events[0]["type"], "payment.updated");
}

#[tokio::test]
async fn concurrent_transactions_number_events_once_each_in_commit_order() {
    let mut dbs = vec![sqlite().await];
    if let Ok(url) = std::env::var("PASARELA_TEST_DATABASE_URL") {
        dbs.push(store::connect(&url).await.unwrap());
    }
    for db in dbs {
        let run = random_text(8);
        let tasks: Vec<_> = (0..8)
            .map(|t| {
                let (db, run) = (db.clone(), run.clone());
                tokio::spawn(async move {
                    for i in 0..25 {
                        insert(&db, &event(&format!("pay_{run}{t}x{i}"), "approved")).await;
                    }
                })
            })
            .collect();
        for t in tasks {
            t.await.unwrap();
        }
        let (bodies, _) = outbox::page(&db, 0, 1_000_000).await.unwrap();
        let mine: Vec<serde_json::Value> = bodies
            .iter()
            .map(|b| serde_json::from_str::<serde_json::Value>(b).unwrap())
            .filter(|e| e["data"]["paymentId"].as_str().unwrap().starts_with(&format!("pay_{run}")))
            .collect();
        assert_eq!(mine.len(), 200);
        let mut seqs = Vec::new();
        for e in &mine {
            seqs.push(outbox::seq_of(&db, e["id"].as_str().unwrap()).await.unwrap().unwrap());
        }
        assert!(seqs.windows(2).all(|w| w[0] < w[1]), "listed in creation order");
        // Each task's own inserts keep their order (commit order is creation order).
        for t in 0..8 {
            let order: Vec<usize> = mine
                .iter()
                .filter_map(|e| e["data"]["paymentId"].as_str().unwrap().strip_prefix(&format!("pay_{run}{t}x")).map(|i| i.parse().unwrap()))
                .collect();
            assert_eq!(order, (0..25).collect::<Vec<_>>());
        }
    }
}

#[tokio::test]
async fn two_workers_never_claim_one_event_and_a_payments_events_go_in_order() {
    let db = sqlite().await;
    let payments: Vec<String> = (0..30).map(|i| format!("pay_w{i}")).collect();
    for p in &payments {
        insert(&db, &event(p, "pending")).await;
        insert(&db, &event(p, "approved")).await;
    }
    let until = now_ms() + 60_000;
    let claim = |me: &'static str| {
        let db = db.clone();
        tokio::spawn(async move {
            let mut got = Vec::new();
            loop {
                let c = outbox::claim_due(&db, me, until, 4).await.unwrap();
                if c.is_empty() {
                    return got;
                }
                got.extend(c);
            }
        })
    };
    let (a, b) = (claim("a"), claim("b"));
    let (a, b) = (a.await.unwrap(), b.await.unwrap());
    let mut ids: Vec<&str> = a.iter().chain(&b).map(|c| c.id.as_str()).collect();
    assert_eq!(ids.len(), 30, "the first event of each payment, once: the second waits");
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 30, "never claimed twice");
    assert!(a.iter().chain(&b).all(|c| c.status == "pending"));
    assert!(outbox::claim_due(&db, "c", until, 100).await.unwrap().is_empty(), "claimed: nothing left for a third");

    // The first delivered: the second falls due. A failure keeps the line.
    let first = a.iter().chain(&b).find(|c| c.payment_id == "pay_w0").unwrap().clone();
    let holder = if a.iter().any(|c| c.id == first.id) { "a" } else { "b" };
    outbox::delivered(&db, &first.id).await.unwrap();
    let next = outbox::claim_due(&db, "c", until, 100).await.unwrap();
    assert_eq!(next.iter().map(|c| (c.payment_id.as_str(), c.status.as_str())).collect::<Vec<_>>(), [("pay_w0", "approved")]);
    assert!(!outbox::failed(&db, &next[0].id, holder, Next::At(0), "HTTP 500").await.unwrap(), "not the holder's to record");
    assert!(outbox::failed(&db, &next[0].id, "c", Next::At(now_ms() + 60_000), "HTTP 500").await.unwrap());
    assert!(outbox::claim_due(&db, "c", until, 100).await.unwrap().is_empty(), "not due before its retry time");
    let due = outbox::next_due(&db).await.unwrap().unwrap();
    assert!(due >= until - 1000, "the soonest: the claims' leases and the retry ({due})");
}

#[tokio::test]
async fn a_lapsed_claim_is_taken_again_and_a_released_one_at_once() {
    let db = sqlite().await;
    insert(&db, &event("pay_l1", "approved")).await;
    insert(&db, &event("pay_l2", "approved")).await;
    // A killed process's claim: its lease ran out.
    let dead = outbox::claim_due(&db, "dead", now_ms() - 1, 1).await.unwrap();
    let taken = outbox::claim_due(&db, "live", now_ms() + 60_000, 2).await.unwrap();
    assert_eq!(taken.len(), 2, "the lapsed claim and the other");
    assert!(taken.iter().any(|c| c.id == dead[0].id));
    outbox::release(&db, &taken[0].id, "live").await.unwrap();
    assert_eq!(outbox::claim_due(&db, "next", now_ms() + 60_000, 10).await.unwrap().len(), 1, "given back: due at once");
    assert_eq!(outbox::undelivered(&db).await.unwrap(), 2);
    outbox::delivered(&db, &taken[1].id).await.unwrap();
    assert_eq!(outbox::undelivered(&db).await.unwrap(), 1);
    outbox::failed(&db, &taken[0].id, "next", Next::GiveUp, "HTTP 500").await.unwrap();
    assert_eq!(outbox::undelivered(&db).await.unwrap(), 0, "given up");
    assert_eq!(outbox::next_due(&db).await.unwrap(), None);
    assert_eq!(outbox::page(&db, 0, 10).await.unwrap().0.len(), 2, "still listed");
}
