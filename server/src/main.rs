//! `pasarela-server`: with no configuration it listens on 127.0.0.1:4242 and stores into
//! ./pasarela.db (SQLite); see the README for the providers' keys and Postgres.

use pasarela_server::config::Config;
use pasarela_server::redact::RedactingWriter;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_env("PASARELA_LOG").unwrap_or_else(|_| EnvFilter::new("info")))
        .with_ansi(false)
        .with_writer(|| RedactingWriter(std::io::stderr()))
        .init();
    let config = match Config::from_env() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("pasarela-server: {e}");
            std::process::exit(2);
        }
    };
    let listen = config.listen;
    let enabled: Vec<&str> = [("bamboo", config.bamboo.is_some()), ("conekta", config.conekta.is_some()), ("kr", config.lyra.is_some())]
        .into_iter()
        .filter_map(|(n, on)| on.then_some(n))
        .collect();
    let app = match pasarela_server::build(config).await {
        Ok(a) => a,
        Err(e) => {
            eprintln!("pasarela-server: {e}");
            std::process::exit(1);
        }
    };
    let listener = match tokio::net::TcpListener::bind(listen).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("pasarela-server: cannot listen on {listen}: {e}");
            std::process::exit(1);
        }
    };
    let addr = listener.local_addr().map(|a| a.to_string()).unwrap_or_default();
    tracing::info!(%addr, providers = ?enabled, "pasarela-server listening");
    // The line a supervisor (or the test sandbox) waits for.
    println!("pasarela-server listening on http://{addr}");
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    if let Err(e) = axum::serve(listener, app).with_graceful_shutdown(shutdown).await {
        eprintln!("pasarela-server: {e}");
        std::process::exit(1);
    }
}
