//! Configuration from the environment, optionally preloaded from a `KEY=VALUE` file
//! (`PASARELA_CONFIG`). [`SETTINGS`] is the one list of what the service reads: the names it
//! knows, the defaults it uses and the text of `--help`.
//!
//! The service refuses to start (a [`ConfigError`] naming the variable) on what it would
//! otherwise ignore or misread: an unknown `PASARELA_`/`BAMBOO_`/`CONEKTA_`/`LYRA_` variable (a
//! typo leaves a provider off), a provider setting without the provider's key, a URL or an origin
//! it cannot use, a value that does not parse, and no provider at all. An error names variables
//! and never repeats a key's value.

use base64::Engine as _;
use reqwest::Url;
use std::collections::HashMap;
use std::fmt;
use std::net::SocketAddr;
use std::time::Duration;

/// One setting: its variable, what the service uses when it is not set, and what it does.
#[derive(Clone, Copy, Debug)]
pub struct Setting {
    /// The environment variable.
    pub name: &'static str,
    /// The value used when unset; `None`: the feature is off, or `about` says what is derived.
    pub default: Option<&'static str>,
    /// One line or two for `--help`.
    pub about: &'static str,
}

const fn set(name: &'static str, default: Option<&'static str>, about: &'static str) -> Setting {
    Setting { name, default, about }
}

/// Every variable the service reads, in `--help`'s order. A default here is the default used.
pub const SETTINGS: &[Setting] = &[
    set("PASARELA_CONFIG", None, "A KEY=VALUE file read first (# comments, values may be double-quoted); the environment overrides it."),
    set("PASARELA_LISTEN", Some("127.0.0.1:4242"), "host:port to listen on (port 0: any free port)."),
    set("DATABASE_URL", Some("sqlite://pasarela.db?mode=rwc"), "sqlite://... or postgres://...; migrated at start."),
    set("PASARELA_SECRET_KEY", None, "The storefront backend's Bearer key for /v1/*. Unset: generated once, kept in the database and written to PASARELA_SECRET_KEY_FILE."),
    set("PASARELA_SECRET_KEY_FILE", Some("pasarela-secret.key"), "Where a generated secret key is written (mode 600)."),
    set("PASARELA_ALLOWED_ORIGINS", None, "Comma-separated storefront origins (https://shop.example) whose pages may call /pay and /kr/* (CORS). Unset: none."),
    set("PASARELA_PUBLIC_URL", None, "This service's URL as shoppers' browsers reach it, on the origin of the checkout's paymentUrl (https://pay.shop.example, or a storefront proxy passing /pay/{id}/return on): Conekta's 3-D Secure and Bamboo's redirect media come back to <it>/pay/{id}/return. Required with Conekta or Bamboo unless PASARELA_LISTEN is a loopback address, where it is http://<the address listened on>."),
    set("PASARELA_RATE_LIMIT", Some("300"), "Requests per minute per client on the page-facing routes (/pay, /kr/*); 0 turns the limit off."),
    set("PASARELA_SESSION_TTL_MS", Some("1800000"), "How long a session's client secret works, unless the backend asks for less."),
    set("PASARELA_ATTEMPT_LEASE_MS", Some("30000"), "How long a request owns a payment attempt before another may take it over (and reconcile with the provider). At least 1000 ms longer than PASARELA_PROVIDER_TIMEOUT_MS."),
    set("PASARELA_PROVIDER_TIMEOUT_MS", Some("20000"), "Bound on every provider call."),
    set("PASARELA_IN_PROGRESS_WAIT_MS", Some("10000"), "How long a request with the key of an attempt in progress waits before answering 409."),
    set("PASARELA_STATUS_REFRESH_MS", Some("2000"), "Minimum time between two refreshes of one payment's status from its provider."),
    set("PASARELA_RECONCILE_MS", Some("60000"), "How often an attempt nobody came back for (its lease lapsed holding its order: a provider answer lost, a process killed, the shopper gone) is asked about at its provider: a charge found is recorded and notified, else the order is let go. 0 turns it off."),
    set("PASARELA_DB_TIMEOUT_MS", Some("10000"), "Bound on every database wait (a statement, a lock, a pooled connection; SQLite's busy_timeout): past it the request answers 503. At most 2147483647."),
    set("PASARELA_NOTIFY_URL", None, "The storefront backend's http(s) URL that every payment state change is POSTed to (payment.updated, signed). Unset: none is sent; GET /v1/events still lists them."),
    set("PASARELA_NOTIFY_SECRET", None, "Required with PASARELA_NOTIFY_URL: the key of the Pasarela-Signature header's HMAC-SHA256. Never printed."),
    set("PASARELA_NOTIFY_RETRY_MS", Some("5000"), "First wait before a notification is sent again after a failure; it doubles up to an hour, for three days."),
    set("PASARELA_LOG", Some("info"), "Log filter (tracing's EnvFilter: info, warn, pasarela_server=debug,...). Logs go to stderr, redacted."),
    set("PASARELA_LOG_FORMAT", Some("text"), "text, or json (one JSON object per line)."),
    set("BAMBOO_PRIVATE_KEY", None, "Enables Bamboo Payment: the merchant's private key."),
    set("BAMBOO_API_URL", Some("https://api.stage.bamboopayment.com"), "Bamboo's Purchase API (stage by default)."),
    set("BAMBOO_WEBHOOK_SECRET", None, "Key of the HMAC of Bamboo's purchase notifications. Unset: the private key."),
    set("BAMBOO_COUNTRY", Some("UY"), "TargetCountryISO of every purchase."),
    set("CONEKTA_PRIVATE_KEY", None, "Enables Conekta: the merchant's private API key."),
    set("CONEKTA_API_URL", Some("https://api.conekta.io"), "Conekta's API."),
    set("CONEKTA_WEBHOOK_KEY", None, "The PEM public key Conekta gives for the webhooks' digest header (newlines may be written \\n). Unset: a webhook is checked only by reading its order back from Conekta."),
    set("LYRA_SHOP_ID", None, "Enables Lyra KR, with LYRA_PASSWORD and LYRA_HMAC_KEY: the shop id (REST API user)."),
    set("LYRA_PASSWORD", None, "The REST API password (it also signs the IPN)."),
    set("LYRA_HMAC_KEY", None, "The HMAC-SHA-256 key of the browser's kr-hash."),
    set("LYRA_API_URL", Some("https://api.lyra.com"), "Lyra's REST API V4."),
    set("LYRA_BIN_DISCOUNTS", None, "BIN:minor units off, comma-separated (59701003:1000), for KR's BIN amount update."),
];

/// The prefixes of the service's own variables: any other name with one is a mistake.
const PREFIXES: [&str; 4] = ["PASARELA_", "BAMBOO_", "CONEKTA_", "LYRA_"];

/// Variables of this repository's scripts and tests (scripts/postgres.sh, tests/, www/sandbox/)
/// that share a prefix but are not settings: a shell set up to run the tests can run the service.
const TOOLING: &[&str] = &["PASARELA_TEST_DATABASE_URL", "PASARELA_SERVER_BIN", "PASARELA_ENGINES", "PASARELA_PG_DIR", "PASARELA_PG_PORT"];

/// How much longer an attempt's lease must be than a provider call may take: the lease is renewed
/// while the call runs (crate::pay's renewal_interval, 50 ms apart at the least), and each
/// renewal waits on the database.
const LEASE_MARGIN: Duration = Duration::from_millis(1000);

/// The longest database bound: Postgres's `statement_timeout` and `lock_timeout` and SQLite's
/// `busy_timeout` are 32-bit ints of milliseconds (i32::MAX).
const MAX_DB_TIMEOUT: Duration = Duration::from_millis(2_147_483_647);

/// The setting named `name`.
pub fn setting(name: &str) -> Option<&'static Setting> {
    SETTINGS.iter().find(|s| s.name == name)
}

/// A secret value: compared in constant time and never printed (`Debug` shows its length only).
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }
    /// The value, for the one place that sends it (an `Authorization` header, an HMAC key).
    pub fn expose(&self) -> &str {
        &self.0
    }
    /// Constant-time equality with what a caller presented.
    pub fn matches(&self, presented: &str) -> bool {
        use subtle::ConstantTimeEq;
        self.0.len() == presented.len() && bool::from(self.0.as_bytes().ct_eq(presented.as_bytes()))
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret(<{} bytes>)", self.0.len())
    }
}

/// Bamboo Payment's server API (`Authorization: Basic {privateKey}`, FLOWS.md).
#[derive(Clone, Debug)]
pub struct BambooConfig {
    /// `BAMBOO_API_URL`, without a trailing slash.
    pub api_url: String,
    /// `BAMBOO_PRIVATE_KEY`.
    pub private_key: Secret,
    /// The key of the purchase notifications' HMAC (FLOWS.md: "merchant secret").
    pub webhook_secret: Secret,
    /// `TargetCountryISO` of every purchase.
    pub country: String,
}

/// Conekta's REST API (`Authorization: Bearer {privateKey}`).
#[derive(Clone, Debug)]
pub struct ConektaConfig {
    /// `CONEKTA_API_URL`, without a trailing slash.
    pub api_url: String,
    /// `CONEKTA_PRIVATE_KEY`.
    pub private_key: Secret,
    /// `CONEKTA_WEBHOOK_KEY`: the PEM public key (real newlines, 64-column base64) that verifies
    /// a webhook's `digest` header. `None`: reading the order back is the only check.
    pub webhook_key: Option<String>,
}

/// Lyra's REST API V4 (`Authorization: Basic base64(shopId:password)`), and the HMAC-SHA-256 key
/// of the browser's `kr-hash` (the REST password signs the IPN).
#[derive(Clone, Debug)]
pub struct LyraConfig {
    /// `LYRA_API_URL`, without a trailing slash.
    pub api_url: String,
    /// `LYRA_SHOP_ID`.
    pub shop_id: String,
    /// `LYRA_PASSWORD`.
    pub password: Secret,
    /// `LYRA_HMAC_KEY`.
    pub hmac_key: Secret,
    /// The storefront's BIN rules for `KR.setBinUpdateNotificationUrl`: BIN → minor units off.
    pub bin_discounts: HashMap<String, i64>,
}

/// The storefront backend's notification endpoint (notify/).
#[derive(Clone)]
pub struct NotifyConfig {
    /// `PASARELA_NOTIFY_URL`, as given (it may hold a query: it is never logged).
    pub url: String,
    /// `PASARELA_NOTIFY_SECRET`: the HMAC key of `Pasarela-Signature`.
    pub secret: Secret,
}

impl fmt::Debug for NotifyConfig {
    /// The host only: a URL may carry a token in its query or credentials.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let host = Url::parse(&self.url).ok().and_then(|u| u.host_str().map(str::to_owned)).unwrap_or_default();
        f.debug_struct("NotifyConfig").field("host", &host).field("secret", &self.secret).finish()
    }
}

/// Everything the service reads at start (see [`SETTINGS`] for each variable).
#[derive(Clone, Debug)]
pub struct Config {
    /// `PASARELA_LISTEN`.
    pub listen: SocketAddr,
    /// `DATABASE_URL`.
    pub database_url: String,
    /// The storefront backend's key for `/v1/*`; `None`: generated once and kept in the database.
    pub secret_key: Option<Secret>,
    /// `PASARELA_SECRET_KEY_FILE`: where a generated secret key is written.
    pub secret_key_file: String,
    /// Storefront origins as browsers send them (`https://shop.example`, default port left out).
    pub allowed_origins: Vec<String>,
    /// `PASARELA_PUBLIC_URL`, without a trailing slash; `None`: `http://` and the address listened
    /// on (loopback only, `crate::app::App::public_url`).
    pub public_url: Option<String>,
    /// Requests per minute per client on the page-facing routes; `0`: no limit.
    pub rate_limit: u32,
    /// `PASARELA_SESSION_TTL_MS`.
    pub session_ttl: Duration,
    /// How long a request owns an attempt before another may take it over (and reconcile).
    pub attempt_lease: Duration,
    /// Bound on every provider call.
    pub provider_timeout: Duration,
    /// How long a request with the key of an attempt in progress waits before a 409.
    pub in_progress_wait: Duration,
    /// Minimum time between two provider status refreshes of one payment (polls in between are
    /// answered from the database, so a page polling fast does not hammer the provider).
    pub status_refresh: Duration,
    /// `PASARELA_RECONCILE_MS`: how often abandoned attempts are reconciled (`crate::reconcile`);
    /// zero: never, but by the next request on their order.
    pub reconcile_every: Duration,
    /// `PASARELA_DB_TIMEOUT_MS`: bound on every database wait (`store::connect_bounded`).
    pub db_timeout: Duration,
    /// Where payment state changes are POSTed (`PASARELA_NOTIFY_URL` and its secret); `None`:
    /// events are only listed (`GET /v1/events`).
    pub notify: Option<NotifyConfig>,
    /// `PASARELA_NOTIFY_RETRY_MS`: the first wait after a failed notification (then doubling).
    pub notify_retry: Duration,
    /// `PASARELA_LOG`: the log filter (already checked to parse).
    pub log_filter: String,
    /// `PASARELA_LOG_FORMAT=json`: one JSON object per log line.
    pub log_json: bool,
    /// Bamboo, when `BAMBOO_PRIVATE_KEY` is set.
    pub bamboo: Option<BambooConfig>,
    /// Conekta, when `CONEKTA_PRIVATE_KEY` is set.
    pub conekta: Option<ConektaConfig>,
    /// Lyra KR, when its three keys are set.
    pub lyra: Option<LyraConfig>,
}

/// A setting that could not be used; names the variable, never repeats a secret.
#[derive(Debug, thiserror::Error)]
#[error("configuration: {name}: {why}")]
pub struct ConfigError {
    /// The variable at fault.
    pub name: String,
    /// What is wrong and how to put it right.
    pub why: String,
}

fn err(name: &str, why: impl Into<String>) -> ConfigError {
    ConfigError { name: name.to_owned(), why: why.into() }
}

/// The variables, read by name; a name missing from [`SETTINGS`] is a bug (caught in tests).
struct Vars<'a>(&'a HashMap<String, String>);

impl Vars<'_> {
    /// The trimmed value; empty counts as unset.
    fn get(&self, name: &str) -> Option<String> {
        debug_assert!(setting(name).is_some(), "{name} is missing from SETTINGS");
        self.0.get(name).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
    }
    /// The value, or the default [`SETTINGS`] gives.
    fn value(&self, name: &str) -> String {
        self.get(name).unwrap_or_else(|| setting(name).and_then(|s| s.default).expect("a setting with a default").to_owned())
    }
    fn millis(&self, name: &str) -> Result<Duration, ConfigError> {
        let v = self.value(name);
        v.parse().map(Duration::from_millis).map_err(|_| err(name, format!("not a number of milliseconds: {v:?}")))
    }
    fn url(&self, name: &str) -> Result<String, ConfigError> {
        api_url(name, &self.value(name))
    }
    /// Refuses `names` set while the provider's `keys` are not: the provider would stay off.
    fn need(&self, keys: &str, names: &[&str]) -> Result<(), ConfigError> {
        match names.iter().find(|n| self.get(n).is_some()) {
            Some(n) => Err(err(n, format!("set without {keys}, so the provider stays off: set {keys}, or remove {n}"))),
            None => Ok(()),
        }
    }
}

impl Config {
    /// Reads the process environment (after `PASARELA_CONFIG`'s file, which it overrides).
    pub fn from_env() -> Result<Self, ConfigError> {
        let mut vars: HashMap<String, String> = HashMap::new();
        if let Ok(path) = std::env::var("PASARELA_CONFIG") {
            let text = std::fs::read_to_string(&path).map_err(|e| err("PASARELA_CONFIG", format!("{path}: {e}")))?;
            vars.extend(parse_env_file(&text));
        }
        // Lossy: `std::env::vars` would panic on any variable that is not UTF-8, even one of
        // another program's.
        vars.extend(std::env::vars_os().map(|(k, v)| (k.to_string_lossy().into_owned(), v.to_string_lossy().into_owned())));
        Self::from_vars(&vars)
    }

    /// Reads settings from a map (the environment, in tests a literal). Unknown names come first:
    /// a misspelt key explains the errors that would follow it.
    pub fn from_vars(vars: &HashMap<String, String>) -> Result<Self, ConfigError> {
        check_names(vars)?;
        let v = Vars(vars);
        let listen = v.value("PASARELA_LISTEN");
        let listen: SocketAddr = listen.parse().map_err(|_| err("PASARELA_LISTEN", format!("not host:port: {listen:?}")))?;
        let rate_limit = v.value("PASARELA_RATE_LIMIT");
        let rate_limit = rate_limit
            .parse()
            .map_err(|_| err("PASARELA_RATE_LIMIT", format!("not a whole number of requests per minute (0 turns it off): {rate_limit:?}")))?;
        let log_filter = v.value("PASARELA_LOG");
        if let Err(e) = tracing_subscriber::EnvFilter::try_new(&log_filter) {
            return Err(err("PASARELA_LOG", format!("not a log filter ({e}): {log_filter:?}")));
        }
        let log_json = match v.value("PASARELA_LOG_FORMAT").to_ascii_lowercase().as_str() {
            "text" => false,
            "json" => true,
            other => return Err(err("PASARELA_LOG_FORMAT", format!("text or json, not {other:?}"))),
        };
        let allowed_origins = v.get("PASARELA_ALLOWED_ORIGINS").map(|o| origins(&o)).transpose()?.unwrap_or_default();
        let public_url = v.get("PASARELA_PUBLIC_URL").map(|u| public_url(&u)).transpose()?;
        let bamboo = match v.get("BAMBOO_PRIVATE_KEY") {
            Some(key) => Some(BambooConfig {
                api_url: v.url("BAMBOO_API_URL")?,
                webhook_secret: Secret::new(v.get("BAMBOO_WEBHOOK_SECRET").unwrap_or_else(|| key.clone())),
                private_key: Secret::new(key),
                country: v.value("BAMBOO_COUNTRY"),
            }),
            None => v.need("BAMBOO_PRIVATE_KEY", &["BAMBOO_API_URL", "BAMBOO_WEBHOOK_SECRET", "BAMBOO_COUNTRY"]).map(|_| None)?,
        };
        let conekta = match v.get("CONEKTA_PRIVATE_KEY") {
            Some(key) => Some(ConektaConfig {
                api_url: v.url("CONEKTA_API_URL")?,
                private_key: Secret::new(key),
                webhook_key: v.get("CONEKTA_WEBHOOK_KEY").map(|k| pem_public_key(&k)).transpose()?,
            }),
            None => v.need("CONEKTA_PRIVATE_KEY", &["CONEKTA_API_URL", "CONEKTA_WEBHOOK_KEY"]).map(|_| None)?,
        };
        const LYRA_KEYS: [&str; 3] = ["LYRA_SHOP_ID", "LYRA_PASSWORD", "LYRA_HMAC_KEY"];
        let lyra = match LYRA_KEYS.map(|k| v.get(k)) {
            [Some(shop_id), Some(password), Some(hmac_key)] => Some(LyraConfig {
                api_url: v.url("LYRA_API_URL")?,
                shop_id,
                password: Secret::new(password),
                hmac_key: Secret::new(hmac_key),
                bin_discounts: parse_discounts(&v.get("LYRA_BIN_DISCOUNTS").unwrap_or_default())?,
            }),
            [None, None, None] => v.need("LYRA_SHOP_ID, LYRA_PASSWORD and LYRA_HMAC_KEY", &["LYRA_API_URL", "LYRA_BIN_DISCOUNTS"]).map(|_| None)?,
            some => {
                let missing: Vec<&str> = LYRA_KEYS.iter().zip(&some).filter(|(_, v)| v.is_none()).map(|(k, _)| *k).collect();
                let why = format!("LYRA_SHOP_ID, LYRA_PASSWORD and LYRA_HMAC_KEY go together; missing: {}", missing.join(", "));
                return Err(err("LYRA_SHOP_ID", why));
            }
        };
        let notify = match v.get("PASARELA_NOTIFY_URL") {
            Some(url) => Some(NotifyConfig {
                url: notify_url(&url)?,
                secret: v.get("PASARELA_NOTIFY_SECRET").map(Secret::new).ok_or_else(|| {
                    err("PASARELA_NOTIFY_SECRET", "required with PASARELA_NOTIFY_URL: the key the storefront checks Pasarela-Signature with")
                })?,
            }),
            None if v.get("PASARELA_NOTIFY_SECRET").is_some() => {
                return Err(err("PASARELA_NOTIFY_SECRET", "set without PASARELA_NOTIFY_URL, so nothing is sent: set PASARELA_NOTIFY_URL, or remove PASARELA_NOTIFY_SECRET"));
            }
            None => None,
        };
        // 0 would turn Postgres's bounds off (statement_timeout = 0 is "none"): every wait is
        // bounded. Postgres's statement_timeout and lock_timeout and SQLite's busy_timeout are
        // 32-bit ints: a larger value would fail every connection's set-up, or wrap.
        let db_timeout = v.millis("PASARELA_DB_TIMEOUT_MS")?;
        if db_timeout.is_zero() || db_timeout > MAX_DB_TIMEOUT {
            return Err(err("PASARELA_DB_TIMEOUT_MS", format!("must be 1 to {} milliseconds", MAX_DB_TIMEOUT.as_millis())));
        }
        // A provider call must end (answered or timed out) while its attempt's lease runs: a
        // request taking a lapsed lease over asks the provider what the attempt charged, and a
        // call still in flight would answer "nothing" and be charged again (crate::pay). The
        // lease is renewed while the call runs, at most every half of the margin (50 ms at the
        // least), and each renewal waits on the database: a second of margin at the least.
        let attempt_lease = v.millis("PASARELA_ATTEMPT_LEASE_MS")?;
        let provider_timeout = v.millis("PASARELA_PROVIDER_TIMEOUT_MS")?;
        if attempt_lease.saturating_sub(provider_timeout) < LEASE_MARGIN {
            return Err(err(
                "PASARELA_ATTEMPT_LEASE_MS",
                format!(
                    "{} ms is not at least {} ms longer than PASARELA_PROVIDER_TIMEOUT_MS ({} ms): a provider call could outlast its attempt's lease, and another request charge again; set the lease longer (the defaults are 30000 and 20000)",
                    attempt_lease.as_millis(),
                    LEASE_MARGIN.as_millis(),
                    provider_timeout.as_millis()
                ),
            ));
        }
        let notify_retry = v.millis("PASARELA_NOTIFY_RETRY_MS")?;
        if notify_retry.is_zero() {
            return Err(err("PASARELA_NOTIFY_RETRY_MS", "must be at least 1 millisecond"));
        }
        // A provider's return (3-D Secure, a bank's site) must reach this service from the
        // shopper's browser: the address it listens on is that URL only on a developer's machine.
        if public_url.is_none() && (bamboo.is_some() || conekta.is_some()) && !listen.ip().is_loopback() {
            return Err(err(
                "PASARELA_PUBLIC_URL",
                "required with Conekta or Bamboo when PASARELA_LISTEN is not a loopback address: the https:// URL shoppers' browsers reach this service at",
            ));
        }
        if bamboo.is_none() && conekta.is_none() && lyra.is_none() {
            // A service without a provider can only refuse every payment.
            return Err(err(
                "BAMBOO_PRIVATE_KEY",
                "no provider enabled: set BAMBOO_PRIVATE_KEY, CONEKTA_PRIVATE_KEY or LYRA_SHOP_ID/LYRA_PASSWORD/LYRA_HMAC_KEY",
            ));
        }
        Ok(Self {
            listen,
            database_url: v.value("DATABASE_URL"),
            secret_key: v.get("PASARELA_SECRET_KEY").map(Secret::new),
            secret_key_file: v.value("PASARELA_SECRET_KEY_FILE"),
            allowed_origins,
            public_url,
            rate_limit,
            session_ttl: v.millis("PASARELA_SESSION_TTL_MS")?,
            attempt_lease,
            provider_timeout,
            in_progress_wait: v.millis("PASARELA_IN_PROGRESS_WAIT_MS")?,
            status_refresh: v.millis("PASARELA_STATUS_REFRESH_MS")?,
            reconcile_every: v.millis("PASARELA_RECONCILE_MS")?,
            db_timeout,
            notify,
            notify_retry,
            log_filter,
            log_json,
            bamboo,
            conekta,
            lyra,
        })
    }
}

/// Refuses a variable with one of the service's prefixes that is not a setting (in any case:
/// `conekta_private_key` is as surely meant for the service), suggesting the nearest setting.
fn check_names(vars: &HashMap<String, String>) -> Result<(), ConfigError> {
    let ours = |k: &str| PREFIXES.iter().any(|p| k.to_ascii_uppercase().starts_with(p));
    let mut unknown: Vec<&str> =
        vars.keys().map(String::as_str).filter(|k| ours(k) && setting(k).is_none() && !TOOLING.contains(k)).collect();
    unknown.sort_unstable();
    let Some((first, rest)) = unknown.split_first() else { return Ok(()) };
    let mut why = "not a setting of pasarela-server".to_owned();
    if let Some(near) = nearest(first) {
        why += &format!("; did you mean {near}?");
    }
    if !rest.is_empty() {
        why += &format!(" (also unknown: {})", rest.join(", "));
    }
    Err(err(first, why + "; `pasarela-server --help` lists the settings"))
}

/// The setting within 3 edits of `name` (case aside), the nearest first.
fn nearest(name: &str) -> Option<&'static str> {
    let name = name.to_ascii_uppercase();
    SETTINGS.iter().map(|s| (edit_distance(&name, s.name), s.name)).filter(|(d, _)| *d <= 3).min_by_key(|(d, _)| *d).map(|(_, n)| n)
}

/// Levenshtein distance over bytes (the names are ASCII).
fn edit_distance(a: &str, b: &str) -> usize {
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, x) in a.bytes().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, y) in b.bytes().enumerate() {
            let next = (diagonal + usize::from(x != y)).min(row[j] + 1).min(row[j + 1] + 1);
            diagonal = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

/// An absolute `http(s)://` base URL (paths are appended to it: no query, no fragment).
fn api_url(name: &str, value: &str) -> Result<String, ConfigError> {
    let usable = Url::parse(value).is_ok_and(|u| {
        matches!(u.scheme(), "http" | "https") && u.host_str().is_some() && u.query().is_none() && u.fragment().is_none()
    });
    if usable {
        return Ok(value.trim_end_matches('/').to_owned());
    }
    // A URL may carry credentials: then it is not repeated.
    let shown = if value.contains('@') { "(value not shown: it holds credentials)".to_owned() } else { format!("{value:?}") };
    Err(err(name, format!("not an absolute http:// or https:// URL without query: {shown}")))
}

/// `PASARELA_NOTIFY_URL`: an absolute `http(s)://` URL with a host and no fragment, kept as given
/// (its path and query are the backend's). A URL with credentials is not repeated in the error.
fn notify_url(value: &str) -> Result<String, ConfigError> {
    let usable = Url::parse(value).is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some() && u.fragment().is_none());
    if usable {
        return Ok(value.to_owned());
    }
    let shown = if value.contains('@') || value.contains('?') { "(value not shown: it may hold credentials)".to_owned() } else { format!("{value:?}") };
    Err(err("PASARELA_NOTIFY_URL", format!("not an absolute http:// or https:// URL without fragment: {shown}")))
}

/// `PASARELA_PUBLIC_URL`: an absolute `https://` URL (`http://` for localhost, 127.0.0.1 and
/// [::1] only: a provider's return carries the shopper), with a host, no query, no fragment, no
/// credentials; paths are appended to it.
fn public_url(value: &str) -> Result<String, ConfigError> {
    let u = Url::parse(value).ok().filter(|u| u.host_str().is_some() && u.query().is_none() && u.fragment().is_none());
    let u = u.filter(|u| u.username().is_empty() && u.password().is_none());
    let local = |u: &Url| matches!(u.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
    match u {
        Some(u) if u.scheme() == "https" || (u.scheme() == "http" && local(&u)) => Ok(value.trim_end_matches('/').to_owned()),
        _ => {
            let shown = if value.contains('@') { "(value not shown: it holds credentials)".to_owned() } else { format!("{value:?}") };
            Err(err("PASARELA_PUBLIC_URL", format!("not an absolute https:// URL (http:// only for localhost) without query or credentials: {shown}")))
        }
    }
}

/// `PASARELA_ALLOWED_ORIGINS`: each entry in the form browsers send in `Origin`, which CORS
/// compares byte for byte (`https://shop.example:443/` is `https://shop.example`).
fn origins(list: &str) -> Result<Vec<String>, ConfigError> {
    let bad = |why: String| err("PASARELA_ALLOWED_ORIGINS", why);
    let one = |entry: &str| -> Result<String, ConfigError> {
        if entry == "*" {
            return Err(bad("\"*\" is not supported: list the storefront origins".into()));
        }
        if !entry.contains("://") {
            return Err(bad(format!("{entry:?} has no scheme: write https://{entry}")));
        }
        let u = Url::parse(entry).ok().filter(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some());
        let Some(u) = u else { return Err(bad(format!("{entry:?} is not an http:// or https:// origin"))) };
        let origin = u.origin().ascii_serialization();
        if u.path() != "/" || u.query().is_some() || u.fragment().is_some() || !u.username().is_empty() || u.password().is_some() {
            return Err(bad(format!("{entry:?} is not an origin (scheme://host[:port], no path): write {origin}")));
        }
        Ok(origin)
    };
    list.split(',').map(|o| o.trim().trim_end_matches('/')).filter(|o| !o.is_empty()).map(one).collect()
}

/// `CONEKTA_WEBHOOK_KEY` as a PEM block with real newlines. Env files cannot hold newlines, so
/// `\n` written out is accepted, as are base64 lines joined by spaces; the base64 is re-wrapped.
fn pem_public_key(value: &str) -> Result<String, ConfigError> {
    const BEGIN: &str = "-----BEGIN PUBLIC KEY-----";
    const END: &str = "-----END PUBLIC KEY-----";
    let text = value.replace("\\r", "").replace("\\n", "\n");
    let body = text.trim().strip_prefix(BEGIN).and_then(|b| b.strip_suffix(END));
    let b64: Option<String> = body.map(|b| b.chars().filter(|c| !c.is_whitespace()).collect());
    let der = b64.as_ref().and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok());
    // Conekta signs with RSA: the SubjectPublicKeyInfo (a DER SEQUENCE, 0x30) names rsaEncryption
    // (1.2.840.113549.1.1.1). Any other key would fail every webhook, so it fails here instead.
    const RSA_ENCRYPTION: [u8; 11] = [0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
    let rsa = |der: &[u8]| der.first() == Some(&0x30) && der.windows(RSA_ENCRYPTION.len()).any(|w| w == RSA_ENCRYPTION);
    match (b64, der) {
        (Some(b64), Some(der)) if rsa(&der) => {
            let lines: Vec<_> = b64.as_bytes().chunks(64).map(String::from_utf8_lossy).collect();
            Ok(format!("{BEGIN}\n{}\n{END}\n", lines.join("\n")))
        }
        _ => Err(err(
            "CONEKTA_WEBHOOK_KEY",
            format!("not an RSA public key in PEM: expected {BEGIN}, base64, {END} (newlines may be written \\n)"),
        )),
    }
}

/// `BIN:off,BIN:off` (off in minor units).
fn parse_discounts(text: &str) -> Result<HashMap<String, i64>, ConfigError> {
    let bad = |why: String| err("LYRA_BIN_DISCOUNTS", why);
    text.split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (bin, off) = pair.split_once(':').ok_or_else(|| bad(format!("not BIN:amount: {pair:?}")))?;
            let off = off.trim().parse::<i64>().map_err(|_| bad(format!("not an amount: {off:?}")))?;
            Ok((bin.trim().to_owned(), off))
        })
        .collect()
}

/// `KEY=VALUE` lines; `#` comments and blank lines ignored; values may be double-quoted.
pub fn parse_env_file(text: &str) -> Vec<(String, String)> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().trim_matches('"').to_owned()))
        .collect()
}

/// `--help`: what the service is and every setting of [`SETTINGS`] with its default.
pub fn help() -> String {
    let about = format!(
        "pasarela-server {}: the merchant side of Pasarela. It opens checkout sessions for the \
         storefront's backend, charges Bamboo Payment, Conekta or Lyra KR exactly once per attempt, \
         keeps saved cards' provider secrets and follows the providers' webhooks.",
        env!("CARGO_PKG_VERSION")
    );
    let mut out = wrap(&about, "") + "\nUsage: pasarela-server [--help | --version | --openapi]\n\n";
    out += &wrap(
        "--openapi prints the OpenAPI 3.1 document of the HTTP API (the one GET /openapi.json serves) \
         and exits; --version prints the version.",
        "",
    );
    out.push('\n');
    out += &wrap(
        "Settings come from the environment, after the KEY=VALUE file PASARELA_CONFIG names (the \
         environment wins). At least one provider must be enabled by its key. An unknown PASARELA_*, \
         BAMBOO_*, CONEKTA_* or LYRA_* variable, or a value the service cannot use, stops it at \
         start with exit status 2.",
        "",
    );
    out.push('\n');
    for s in SETTINGS {
        out += &match s.default {
            Some(d) => format!("  {} (default: {d})\n", s.name),
            None => format!("  {}\n", s.name),
        };
        out += &wrap(s.about, "      ");
    }
    out
}

/// `text` in lines of at most 78 columns, each starting with `indent`.
fn wrap(text: &str, indent: &str) -> String {
    let (mut out, mut line) = (String::new(), String::new());
    for word in text.split_whitespace() {
        if !line.is_empty() && indent.len() + line.len() + 1 + word.len() > 78 {
            out += &format!("{indent}{line}\n");
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line += word;
    }
    out + &format!("{indent}{line}\n")
}


#[cfg(test)]
mod tests {
    use super::*;

    const PEM: &str = "-----BEGIN PUBLIC KEY-----
MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDbT74/fGlCyshiYx5t+eS38jKJ
J+pIJExS/b2psy+RUN4Nx6b9sNaRmZO9Jww78EqO0ucYVbz6Xmyjr9LK/O1b0aJY
fZ9vba878F25kKsqQ+gikhdOCu51hQ+zGmXOgfjHH8FY19doHU9f5ApgxbbP5A8S
ZENDwq66kK6AgfSTXQIDAQAB
-----END PUBLIC KEY-----
";

    fn vars(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    /// `pairs` on top of a configuration with Conekta enabled.
    fn with_conekta(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        let mut v = vars(&[("CONEKTA_PRIVATE_KEY", "key_live_abcdef")]);
        v.extend(vars(pairs));
        v
    }

    fn error(v: &HashMap<String, String>) -> ConfigError {
        Config::from_vars(v).expect_err("a configuration error")
    }

    #[test]
    fn one_provider_is_enough_to_start_on_a_local_sqlite_file_with_the_documented_defaults() {
        let c = Config::from_vars(&vars(&[("CONEKTA_PRIVATE_KEY", "key_x")])).unwrap();
        assert!(c.database_url.starts_with("sqlite://"));
        assert!(c.bamboo.is_none() && c.lyra.is_none());
        let conekta = c.conekta.unwrap();
        assert_eq!(conekta.api_url, "https://api.conekta.io");
        assert!(conekta.webhook_key.is_none());
        assert_eq!((c.status_refresh, c.rate_limit, c.log_json), (Duration::from_millis(2000), 300, false));
        assert_eq!(c.reconcile_every, Duration::from_secs(60));
        assert_eq!((c.log_filter.as_str(), c.secret_key_file.as_str()), ("info", "pasarela-secret.key"));
        assert_eq!(c.session_ttl, Duration::from_secs(1800));
        assert!(c.allowed_origins.is_empty());
    }

    #[test]
    fn nothing_configured_is_an_error_naming_the_keys() {
        for v in [HashMap::new(), vars(&[("BAMBOO_PRIVATE_KEY", "  "), ("PASARELA_LISTEN", "127.0.0.1:0")])] {
            let e = error(&v);
            assert!(e.why.starts_with("no provider enabled: set BAMBOO_PRIVATE_KEY, CONEKTA_PRIVATE_KEY or LYRA_SHOP_ID"), "{e}");
        }
    }

    #[test]
    fn the_sandboxs_environment_starts() {
        // www/sandbox/service.mjs's serviceEnv and spawnService, name for name.
        let v = vars(&[
            ("PATH", "/usr/bin"), ("PASARELA_LOG", "info"), ("PASARELA_LISTEN", "127.0.0.1:0"),
            ("DATABASE_URL", "sqlite:///tmp/p/pasarela.db?mode=rwc"), ("PASARELA_SECRET_KEY", "sk_sandbox_0123456789"),
            ("PASARELA_ALLOWED_ORIGINS", "http://127.0.0.1:41234"), ("PASARELA_PUBLIC_URL", "http://127.0.0.1:41234/merchant"), ("PASARELA_ATTEMPT_LEASE_MS", "3000"),
            ("PASARELA_PROVIDER_TIMEOUT_MS", "2000"), ("BAMBOO_API_URL", "http://127.0.0.1:41234/bamboo"),
            ("BAMBOO_PRIVATE_KEY", "bk"), ("BAMBOO_COUNTRY", "UY"), ("CONEKTA_API_URL", "http://127.0.0.1:41234/conekta"),
            ("CONEKTA_PRIVATE_KEY", "ck"), ("CONEKTA_WEBHOOK_KEY", PEM), ("PASARELA_RATE_LIMIT", "0"), ("PASARELA_RECONCILE_MS", "0"), ("LYRA_API_URL", "http://127.0.0.1:41234/lyra"), ("LYRA_SHOP_ID", "1"),
            ("LYRA_PASSWORD", "p"), ("LYRA_HMAC_KEY", "h"), ("LYRA_BIN_DISCOUNTS", "59701003:1000,37828200:500"),
        ]);
        let c = Config::from_vars(&v).unwrap();
        assert_eq!(c.allowed_origins, ["http://127.0.0.1:41234"]);
        assert_eq!(c.public_url.as_deref(), Some("http://127.0.0.1:41234/merchant"));
        assert_eq!(c.lyra.unwrap().api_url, "http://127.0.0.1:41234/lyra");
        assert_eq!((c.rate_limit, c.conekta.unwrap().webhook_key.as_deref()), (0, Some(PEM)));
        assert!(c.reconcile_every.is_zero());
    }

    #[test]
    fn the_public_url_is_https_or_local_and_required_off_loopback() {
        let c = Config::from_vars(&with_conekta(&[])).unwrap();
        assert_eq!(c.public_url, None, "127.0.0.1: the address listened on");
        let c = Config::from_vars(&with_conekta(&[("PASARELA_PUBLIC_URL", "https://pay.shop.example/pasarela/")])).unwrap();
        assert_eq!(c.public_url.as_deref(), Some("https://pay.shop.example/pasarela"));
        for ok in ["http://localhost:4242", "http://127.0.0.1:4242", "http://[::1]:4242"] {
            assert!(Config::from_vars(&with_conekta(&[("PASARELA_PUBLIC_URL", ok)])).is_ok(), "{ok}");
        }
        for bad in ["http://pay.shop.example", "pay.shop.example", "https://pay.shop.example?x=1", "https://pay.shop.example/#f", "ftp://x", "https://u:pw@pay.shop.example"] {
            let e = error(&with_conekta(&[("PASARELA_PUBLIC_URL", bad)]));
            assert!(e.name == "PASARELA_PUBLIC_URL" && !e.why.contains("pw@"), "{bad}: {e}");
        }
        let e = error(&with_conekta(&[("PASARELA_LISTEN", "0.0.0.0:4242")]));
        assert_eq!(e.name, "PASARELA_PUBLIC_URL", "{e}");
        assert!(Config::from_vars(&with_conekta(&[("PASARELA_LISTEN", "0.0.0.0:4242"), ("PASARELA_PUBLIC_URL", "https://pay.shop.example")])).is_ok());
        // KR's form comes back by itself: no return URL of this service's.
        let kr = vars(&[("PASARELA_LISTEN", "0.0.0.0:4242"), ("LYRA_SHOP_ID", "1"), ("LYRA_PASSWORD", "p"), ("LYRA_HMAC_KEY", "h")]);
        assert!(Config::from_vars(&kr).is_ok());
    }

    #[test]
    fn secrets_never_print() {
        let c = Config::from_vars(&vars(&[("CONEKTA_PRIVATE_KEY", "key_live_abcdef"), ("PASARELA_SECRET_KEY", "sk_x")]))
            .unwrap();
        let shown = format!("{c:?}");
        assert!(!shown.contains("key_live_abcdef") && !shown.contains("sk_x"), "{shown}");
    }

    #[test]
    fn errors_never_repeat_a_secret() {
        let secret = "s3cr3t_value_42";
        let cases = [
            vars(&[("CONEKTA_PRIVATEKEY", secret)]),
            vars(&[("BAMBOO_WEBHOOK_SECRET", secret)]),
            vars(&[("LYRA_PASSWORD", secret), ("LYRA_HMAC_KEY", secret)]),
            with_conekta(&[("CONEKTA_WEBHOOK_KEY", secret)]),
            with_conekta(&[("PASARELA_SECRET_KEY", secret), ("PASARELA_RATE_LIMIT", "x")]),
            with_conekta(&[("CONEKTA_API_URL", &format!("https://user:{secret}@api.conekta.io?x"))]),
            with_conekta(&[("PASARELA_LYRA_PASSWORD", secret)]),
        ];
        for v in cases {
            let e = error(&v).to_string();
            assert!(!e.contains(secret), "{e}");
        }
    }

    #[test]
    fn an_attempt_lease_not_a_second_longer_than_the_provider_timeout_is_refused() {
        // 3000/2999: a lease renewed every 50 ms with a millisecond to spare was taken.
        for (lease, timeout) in [("3000", "8000"), ("20000", "20000"), ("15000", ""), ("3000", "2999"), ("3000", "2001"), ("800", "600")] {
            let e = error(&with_conekta(&[("PASARELA_ATTEMPT_LEASE_MS", lease), ("PASARELA_PROVIDER_TIMEOUT_MS", timeout)]));
            assert_eq!(e.name, "PASARELA_ATTEMPT_LEASE_MS", "{lease}/{timeout}: {e}");
            assert!(e.why.contains("not at least 1000 ms longer than PASARELA_PROVIDER_TIMEOUT_MS"), "{e}");
        }
        let c = Config::from_vars(&with_conekta(&[("PASARELA_ATTEMPT_LEASE_MS", "3000"), ("PASARELA_PROVIDER_TIMEOUT_MS", "2000")])).unwrap();
        assert_eq!((c.attempt_lease, c.provider_timeout), (Duration::from_millis(3000), Duration::from_millis(2000)));
        let c = Config::from_vars(&with_conekta(&[])).unwrap();
        assert!(c.attempt_lease >= c.provider_timeout + LEASE_MARGIN, "the defaults");
    }

    #[test]
    fn bad_values_name_their_variable() {
        for (name, value) in [
            ("PASARELA_ATTEMPT_LEASE_MS", "soon"),
            ("PASARELA_STATUS_REFRESH_MS", "2s"),
            ("PASARELA_SESSION_TTL_MS", "-1"),
            ("PASARELA_RATE_LIMIT", "lots"),
            ("PASARELA_RATE_LIMIT", "-5"),
            ("PASARELA_LOG_FORMAT", "xml"),
            ("PASARELA_LOG", "pasarela_server=loud"),
            ("PASARELA_LISTEN", "4242"),
            ("LYRA_BIN_DISCOUNTS", "x"),
        ] {
            let mut v = with_conekta(&[(name, value)]);
            if name.starts_with("LYRA_") {
                v.extend(vars(&[("LYRA_SHOP_ID", "1"), ("LYRA_PASSWORD", "p"), ("LYRA_HMAC_KEY", "h")]));
            }
            assert_eq!(error(&v).name, name, "{name}={value}");
        }
        let e = error(&vars(&[("LYRA_SHOP_ID", "1")]));
        assert_eq!((e.name.as_str(), e.why.ends_with("missing: LYRA_PASSWORD, LYRA_HMAC_KEY")), ("LYRA_SHOP_ID", true), "{e}");
    }

    #[test]
    fn new_settings_are_read() {
        let c = Config::from_vars(&with_conekta(&[
            ("PASARELA_STATUS_REFRESH_MS", "500"),
            ("PASARELA_RATE_LIMIT", "0"),
            ("PASARELA_LOG_FORMAT", "JSON"),
            ("PASARELA_LOG", "warn,pasarela_server=debug"),
            ("PASARELA_SECRET_KEY_FILE", "/run/pasarela/key"),
        ]))
        .unwrap();
        assert_eq!((c.status_refresh, c.rate_limit, c.log_json), (Duration::from_millis(500), 0, true));
        assert_eq!((c.log_filter.as_str(), c.secret_key_file.as_str()), ("warn,pasarela_server=debug", "/run/pasarela/key"));
    }

    #[test]
    fn notifications_need_an_http_url_and_its_secret_which_never_prints() {
        let c = Config::from_vars(&with_conekta(&[])).unwrap();
        assert!(c.notify.is_none());
        assert_eq!(c.notify_retry, Duration::from_millis(5000));
        let url = "https://shop.example/hooks/pasarela?token=t0k3n_in_query";
        let c = Config::from_vars(&with_conekta(&[("PASARELA_NOTIFY_URL", url), ("PASARELA_NOTIFY_SECRET", "whsec_s3cr3t"), ("PASARELA_NOTIFY_RETRY_MS", "100")]))
            .unwrap();
        let notify = c.notify.as_ref().unwrap();
        assert_eq!((notify.url.as_str(), notify.secret.expose(), c.notify_retry), (url, "whsec_s3cr3t", Duration::from_millis(100)));
        let shown = format!("{c:?}");
        assert!(!shown.contains("whsec_s3cr3t") && !shown.contains("t0k3n_in_query") && shown.contains("shop.example"), "{shown}");
        let e = error(&with_conekta(&[("PASARELA_NOTIFY_URL", url)]));
        assert_eq!(e.name, "PASARELA_NOTIFY_SECRET", "{e}");
        let e = error(&with_conekta(&[("PASARELA_NOTIFY_SECRET", "whsec_s3cr3t")]));
        assert!(e.name == "PASARELA_NOTIFY_SECRET" && e.why.starts_with("set without PASARELA_NOTIFY_URL") && !e.why.contains("whsec_s3cr3t"), "{e}");
        for bad in ["shop.example/hook", "ftp://shop.example/hook", "/hook", "https://shop.example/hook#x", "https://user:pw@/x?y"] {
            let e = error(&with_conekta(&[("PASARELA_NOTIFY_URL", bad), ("PASARELA_NOTIFY_SECRET", "k")]));
            assert_eq!(e.name, "PASARELA_NOTIFY_URL", "{bad}");
            assert!(!e.why.contains("pw@"), "{e}");
        }
        for bad in ["0", "soon", "-1"] {
            assert_eq!(error(&with_conekta(&[("PASARELA_NOTIFY_RETRY_MS", bad)])).name, "PASARELA_NOTIFY_RETRY_MS", "{bad}");
        }
    }

    #[test]
    fn an_unknown_variable_is_refused_with_the_nearest_name() {
        let e = error(&with_conekta(&[("CONEKTA_PRIVATEKEY", "key_x")]));
        assert_eq!(e.name, "CONEKTA_PRIVATEKEY");
        assert!(e.why.contains("did you mean CONEKTA_PRIVATE_KEY?"), "{e}");
        // Unknown names come before everything else: here the misspelt key is why no provider is on.
        let e = error(&vars(&[("CONEKTA_PRIVATEKEY", "key_x")]));
        assert_eq!(e.name, "CONEKTA_PRIVATEKEY");
        let e = error(&with_conekta(&[("conekta_private_key", "k"), ("PASARELA_LISTN", "x"), ("LYRA_ANYTHING_ELSE_AT_ALL", "1")]));
        assert_eq!(e.name, "LYRA_ANYTHING_ELSE_AT_ALL", "sorted: the first is named");
        assert!(!e.why.contains("did you mean"), "nothing near: {e}");
        assert!(e.why.contains("also unknown: PASARELA_LISTN, conekta_private_key"), "{e}");
        assert!(error(&with_conekta(&[("conekta_private_key", "k")])).why.contains("did you mean CONEKTA_PRIVATE_KEY?"));
        assert!(error(&with_conekta(&[("PASARELA_STATUS_REFRESH", "1")])).why.contains("did you mean PASARELA_STATUS_REFRESH_MS?"));
    }

    #[test]
    fn other_programs_variables_pass() {
        let mut v = with_conekta(&[("PATH", "/bin"), ("HOME", "/root"), ("DATABASE", "x"), ("RUST_LOG", "trace"), ("PASARELA", "x")]);
        v.extend(TOOLING.iter().map(|t| (t.to_string(), "x".to_string())));
        Config::from_vars(&v).unwrap();
    }

    #[test]
    fn a_provider_setting_without_its_key_is_refused() {
        let lyra = [("LYRA_SHOP_ID", "1"), ("LYRA_PASSWORD", "p"), ("LYRA_HMAC_KEY", "h")];
        for (name, value, key) in [
            ("BAMBOO_API_URL", "https://api.bamboopayment.com", "BAMBOO_PRIVATE_KEY"),
            ("BAMBOO_WEBHOOK_SECRET", "w", "BAMBOO_PRIVATE_KEY"),
            ("BAMBOO_COUNTRY", "MX", "BAMBOO_PRIVATE_KEY"),
            ("CONEKTA_API_URL", "https://api.conekta.io", "CONEKTA_PRIVATE_KEY"),
            ("CONEKTA_WEBHOOK_KEY", PEM, "CONEKTA_PRIVATE_KEY"),
            ("LYRA_API_URL", "https://api.lyra.com", "LYRA_SHOP_ID, LYRA_PASSWORD and LYRA_HMAC_KEY"),
            ("LYRA_BIN_DISCOUNTS", "1:1", "LYRA_SHOP_ID, LYRA_PASSWORD and LYRA_HMAC_KEY"),
        ] {
            // Another provider is on: the half-configured one is the only fault.
            let mut v = if name.starts_with("CONEKTA_") { vars(&lyra) } else { with_conekta(&[]) };
            v.insert(name.into(), value.into());
            let e = error(&v);
            assert_eq!(e.name, name);
            assert!(e.why.starts_with(&format!("set without {key}")), "{e}");
        }
    }

    #[test]
    fn api_urls_are_absolute_http_urls() {
        for bad in ["api.conekta.io", "ftp://api.conekta.io", "/conekta", "https://", "https://api.conekta.io/?v=2", "http//x"] {
            let e = error(&with_conekta(&[("CONEKTA_API_URL", bad)]));
            assert_eq!(e.name, "CONEKTA_API_URL", "{bad}");
            assert!(e.why.contains(&format!("{bad:?}")), "the URL is shown: {e}");
        }
        let e = error(&vars(&[("BAMBOO_PRIVATE_KEY", "k"), ("BAMBOO_API_URL", "stage")]));
        assert_eq!(e.name, "BAMBOO_API_URL");
        let lyra = [("LYRA_SHOP_ID", "1"), ("LYRA_PASSWORD", "p"), ("LYRA_HMAC_KEY", "h"), ("LYRA_API_URL", "api.lyra.com")];
        assert_eq!(error(&vars(&lyra)).name, "LYRA_API_URL");
        let c = Config::from_vars(&with_conekta(&[("CONEKTA_API_URL", "HTTP://127.0.0.1:9/conekta/")])).unwrap();
        assert_eq!(c.conekta.unwrap().api_url, "HTTP://127.0.0.1:9/conekta");
    }

    #[test]
    fn allowed_origins_are_origins() {
        let origins = |list: &str| Config::from_vars(&with_conekta(&[("PASARELA_ALLOWED_ORIGINS", list)])).map(|c| c.allowed_origins);
        assert_eq!(
            origins(" https://Shop.Example:443/ ,http://localhost:3000,, https://b.example:8443").unwrap(),
            ["https://shop.example", "http://localhost:3000", "https://b.example:8443"]
        );
        for (bad, says) in [
            ("shop.example", "\"shop.example\" has no scheme: write https://shop.example"),
            ("https://a.example,localhost:3000", "\"localhost:3000\" has no scheme"),
            ("https://shop.example/checkout", "no path): write https://shop.example"),
            ("https://shop.example?x=1", "not an origin"),
            ("ftp://shop.example", "not an http:// or https:// origin"),
            ("*", "not supported"),
        ] {
            let e = origins(bad).unwrap_err();
            assert_eq!(e.name, "PASARELA_ALLOWED_ORIGINS");
            assert!(e.why.contains(says), "{bad}: {e}");
        }
    }

    #[test]
    fn the_conekta_webhook_key_is_a_pem_public_key_in_any_newline_form() {
        let key = |k: &str| Config::from_vars(&with_conekta(&[("CONEKTA_WEBHOOK_KEY", k)])).map(|c| c.conekta.unwrap().webhook_key.unwrap());
        assert_eq!(key(PEM).unwrap(), PEM);
        assert_eq!(key(&PEM.replace('\n', "\\n")).unwrap(), PEM, "written out \\n (env files)");
        assert_eq!(key(&PEM.replace('\n', "\r\n")).unwrap(), PEM);
        assert_eq!(key(&PEM.replace('\n', " ")).unwrap(), PEM, "lines joined by spaces");
        let file = format!("CONEKTA_WEBHOOK_KEY=\"{}\"", PEM.replace('\n', "\\n"));
        let from_file: HashMap<_, _> = parse_env_file(&file).into_iter().collect();
        assert_eq!(key(&from_file["CONEKTA_WEBHOOK_KEY"]).unwrap(), PEM);
        for bad in [
            "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDbT74",
            &PEM.replace("PUBLIC KEY", "RSA PRIVATE KEY"),
            &PEM.replace("-----END PUBLIC KEY-----\n", ""),
            "-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----",
            "-----BEGIN PUBLIC KEY-----\nnot*base64\n-----END PUBLIC KEY-----",
            "-----BEGIN PUBLIC KEY-----\naGVsbG8=\n-----END PUBLIC KEY-----",
            // An Ed25519 key: Conekta's digest is RSA.
            "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEACeuKHr0pZiBigAlCpr6uYgkmq+FRDD9NUN3YAcodltg=\n-----END PUBLIC KEY-----",
        ] {
            let e = key(bad).unwrap_err();
            assert_eq!(e.name, "CONEKTA_WEBHOOK_KEY");
            assert!(!e.why.contains("MIGf") && !e.why.contains("aGVsbG8") && !e.why.contains("MCow"), "{e}");
        }
    }

    #[test]
    fn help_lists_every_setting_with_its_default_and_every_name_is_unique() {
        let help = help();
        for s in SETTINGS {
            assert!(help.contains(&format!("  {}", s.name)), "{}", s.name);
            assert!(s.default.is_none_or(|d| help.contains(&format!("{} (default: {d})", s.name))), "{}", s.name);
            assert_eq!(SETTINGS.iter().filter(|t| t.name == s.name).count(), 1, "{}", s.name);
            assert!(s.name == "DATABASE_URL" || PREFIXES.iter().any(|p| s.name.starts_with(p)), "{}", s.name);
        }
        assert!(help.lines().all(|l| l.len() <= 78 || !l.contains(' ')), "{help}");
        assert!(help.contains("PASARELA_STATUS_REFRESH_MS (default: 2000)") && help.contains("PASARELA_RATE_LIMIT (default: 300)"));
    }

    #[test]
    fn database_waits_are_bounded_ten_seconds_unless_set_and_never_unbounded() {
        assert_eq!(Config::from_vars(&with_conekta(&[])).unwrap().db_timeout, Duration::from_millis(10_000));
        assert_eq!(Config::from_vars(&with_conekta(&[("PASARELA_DB_TIMEOUT_MS", "500")])).unwrap().db_timeout, Duration::from_millis(500));
        for bad in ["0", "soon", "-1"] {
            assert_eq!(error(&with_conekta(&[("PASARELA_DB_TIMEOUT_MS", bad)])).name, "PASARELA_DB_TIMEOUT_MS", "{bad}");
        }
        // Postgres refuses a statement_timeout past i32::MAX (every connection would fail), and
        // SQLite's busy_timeout is an int: refused at start, naming the variable.
        let max = Config::from_vars(&with_conekta(&[("PASARELA_DB_TIMEOUT_MS", "2147483647")])).unwrap();
        assert_eq!(max.db_timeout, Duration::from_millis(2_147_483_647));
        for big in ["2147483648", "18446744073709551615"] {
            let e = error(&with_conekta(&[("PASARELA_DB_TIMEOUT_MS", big)]));
            assert_eq!(e.name, "PASARELA_DB_TIMEOUT_MS", "{big}");
            assert!(e.why.contains("2147483647"), "{e}");
        }
    }

    #[test]
    fn env_files_discounts_and_distances() {
        let v = parse_env_file("# c\nA=1\nB = \"two\"\n\n");
        assert_eq!(v, vec![("A".into(), "1".into()), ("B".into(), "two".into())]);
        assert_eq!(parse_discounts("59701003:1000, 37828200:500").unwrap()["37828200"], 500);
        assert!(parse_discounts("x").is_err());
        assert_eq!((edit_distance("", "ab"), edit_distance("kitten", "sitting"), edit_distance("ab", "ab")), (2, 3, 0));
    }
}
