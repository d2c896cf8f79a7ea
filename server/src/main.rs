//! `pasarela-server`: reads its settings (`--help` lists them), refuses to start on a setting it
//! cannot use (exit status 2, naming the variable), then listens. `--openapi` prints the HTTP
//! API's OpenAPI document instead (what `GET /openapi.json` serves). See the README for the
//! providers' keys and Postgres.

use pasarela_server::config::{self, Config};
use pasarela_server::redact::RedactingWriter;
use std::io::Write;
use tracing_subscriber::EnvFilter;

/// What the command line asks for.
enum Ask {
    Serve,
    Help,
    Version,
    OpenApi,
}

/// The service takes no arguments but these three: settings are the environment's. `--help`
/// wins over the others.
fn ask(args: impl Iterator<Item = std::ffi::OsString>) -> Result<Ask, String> {
    let mut ask = Ask::Serve;
    for arg in args {
        match arg.to_str() {
            Some("--help" | "-h") => ask = Ask::Help,
            Some("--version" | "-V") if !matches!(ask, Ask::Help) => ask = Ask::Version,
            Some("--openapi") if !matches!(ask, Ask::Help) => ask = Ask::OpenApi,
            Some("--version" | "-V" | "--openapi") => {}
            _ => return Err(format!("unknown argument {arg:?}: settings come from the environment; try --help")),
        }
    }
    Ok(ask)
}

fn main() {
    let text = match ask(std::env::args_os().skip(1)) {
        Ok(Ask::Serve) => None,
        Ok(Ask::Help) => Some(config::help()),
        Ok(Ask::Version) => Some(format!("pasarela-server {}\n", env!("CARGO_PKG_VERSION"))),
        Ok(Ask::OpenApi) => Some(pasarela_server::openapi::json().to_owned()),
        Err(e) => {
            eprintln!("pasarela-server: {e}");
            std::process::exit(2);
        }
    };
    if let Some(text) = text {
        // A closed pipe (`--help | head`) is not an error worth a panic.
        let _ = std::io::stdout().lock().write_all(text.as_bytes());
        return;
    }
    // Settings first: the log format is one of them, and a bad one must stop the service before
    // it touches the database or the network.
    let config = match Config::from_env() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("pasarela-server: {e}");
            std::process::exit(2);
        }
    };
    let logs = tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_new(&config.log_filter).unwrap_or_else(|_| EnvFilter::new("info")))
        .with_ansi(false)
        .with_writer(|| RedactingWriter(std::io::stderr()));
    if config.log_json {
        logs.json().init();
    } else {
        logs.init();
    }
    serve(config);
}

#[tokio::main]
async fn serve(config: Config) {
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
    if let Ok(bound) = listener.local_addr() {
        pasarela_server::app::listening_on(bound);
    }
    let addr = listener.local_addr().map(|a| a.to_string()).unwrap_or_default();
    tracing::info!(%addr, providers = ?enabled, "pasarela-server listening");
    // The line a supervisor (or the test sandbox) waits for.
    println!("pasarela-server listening on http://{addr}");
    // SIGINT or SIGTERM: no new connections, requests in flight get up to GRACE to finish, the
    // storefront notifications stop (their claims given back, nothing lost: they are stored).
    let (stopping, mut stopped) = tokio::sync::watch::channel(false);
    let shutdown = async move {
        stop_signal().await;
        tracing::info!("stopping");
        let _ = stopping.send(true);
    };
    // Each request carries its peer address (`ConnectInfo`): the per-client rate limit keys on it.
    let app = app.into_make_service_with_connect_info::<std::net::SocketAddr>();
    let serving = axum::serve(listener, app).with_graceful_shutdown(shutdown);
    let outcome = tokio::select! {
        r = serving => r,
        _ = async { let _ = stopped.wait_for(|s| *s).await; tokio::time::sleep(GRACE).await } => {
            tracing::warn!("requests still in flight after the grace period: stopping anyway");
            Ok(())
        }
    };
    pasarela_server::notify::shutdown().await;
    if let Err(e) = outcome {
        eprintln!("pasarela-server: {e}");
        std::process::exit(1);
    }
}

/// How long requests in flight may finish after SIGINT or SIGTERM.
const GRACE: std::time::Duration = std::time::Duration::from_secs(10);

/// SIGINT (Ctrl-C) or, on Unix, SIGTERM (what supervisors send).
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
