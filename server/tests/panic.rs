//! A panic in a handler is answered `500` with the service's JSON error and the connection stays
//! usable: never a dropped connection (tower-http's `CatchPanicLayer` with `app::panic_answer`).

use axum::routing::get;
use axum::Router;
use pasarela_server::app::panic_answer;
use tower_http::catch_panic::CatchPanicLayer;

async fn boom() -> &'static str {
    panic!("card 4111111111111111 in a panic message")
}

#[tokio::test]
async fn a_handler_panic_is_a_500_json_answer() {
    let app = Router::new()
        .route("/boom", get(boom))
        .route("/ok", get(|| async { "ok" }))
        .layer(CatchPanicLayer::custom(panic_answer));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let http = reqwest::Client::new();
    let r = http.get(format!("http://{addr}/boom")).send().await.expect("an answer, not a dropped connection");
    assert_eq!(r.status().as_u16(), 500);
    assert_eq!(r.headers()["content-type"], "application/json");
    let body = r.text().await.unwrap();
    assert_eq!(body, r#"{"error":"internal error"}"#, "what panicked is never sent");
    assert_eq!(http.get(format!("http://{addr}/ok")).send().await.unwrap().status().as_u16(), 200, "the service goes on");
}
