//! `GET /ready` against a real database file: ready once migrated; not ready (503 JSON with
//! `Retry-After`) when the newest migration is missing, while `/health` still answers.

use std::collections::HashMap;
use std::future::IntoFuture;

async fn get(base: &str, path: &str) -> (u16, Option<String>, serde_json::Value) {
    let r = reqwest::get(format!("{base}{path}")).await.expect("the service answers");
    let status = r.status().as_u16();
    let retry = r.headers().get("retry-after").map(|v| v.to_str().unwrap().to_owned());
    (status, retry, r.json().await.expect("JSON"))
}

#[tokio::test]
async fn ready_means_the_database_answers_with_this_versions_migrations() {
    let dir = std::env::temp_dir().join(format!("pasarela-ready-{}-{}", std::process::id(), pasarela_server::app::random_text(8)));
    std::fs::create_dir_all(&dir).unwrap();
    let db = format!("sqlite://{}?mode=rwc", dir.join("db.sqlite").display());
    let vars: HashMap<String, String> = [("CONEKTA_PRIVATE_KEY", "key_x"), ("PASARELA_SECRET_KEY", "sk_test_ready"), ("DATABASE_URL", db.as_str())]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    let config = pasarela_server::config::Config::from_vars(&vars).unwrap();
    let router = pasarela_server::build(config).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(axum::serve(listener, router.into_make_service_with_connect_info::<std::net::SocketAddr>()).into_future());

    assert_eq!(get(&base, "/ready").await, (200, None, serde_json::json!({ "ok": true })));

    // The newest migration gone (a database restored from an older backup): not ready.
    let latest = pasarela_server::store::MIGRATOR.iter().map(|m| m.version).max().unwrap();
    let other = pasarela_server::store::connect(&db).await.unwrap();
    sqlx::query("DELETE FROM _sqlx_migrations WHERE version = $1").bind(latest).execute(&other).await.unwrap();
    let (status, retry, body) = get(&base, "/ready").await;
    assert_eq!((status, retry.as_deref()), (503, Some("1")), "{body}");
    assert_eq!(body["error"], "the database lacks this version's migrations");
    assert_eq!(get(&base, "/health").await.0, 200, "alive all the same");
    let _ = std::fs::remove_dir_all(&dir);
}
