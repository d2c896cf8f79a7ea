//! Configuration from the environment, optionally preloaded from a `KEY=VALUE` file
//! (`PASARELA_CONFIG`). With nothing set the service starts on `./pasarela.db` (SQLite) with no
//! provider configured; each provider is enabled by its private key.

use std::collections::HashMap;
use std::fmt;
use std::net::SocketAddr;
use std::time::Duration;

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
    pub api_url: String,
    pub private_key: Secret,
    /// The key of the purchase notifications' HMAC (FLOWS.md: "merchant secret").
    pub webhook_secret: Secret,
    /// `TargetCountryISO` of every purchase.
    pub country: String,
}

/// Conekta's REST API (`Authorization: Bearer {privateKey}`).
#[derive(Clone, Debug)]
pub struct ConektaConfig {
    pub api_url: String,
    pub private_key: Secret,
}

/// Lyra's REST API V4 (`Authorization: Basic base64(shopId:password)`), and the HMAC-SHA-256 key
/// of the browser's `kr-hash` (the REST password signs the IPN).
#[derive(Clone, Debug)]
pub struct LyraConfig {
    pub api_url: String,
    pub shop_id: String,
    pub password: Secret,
    pub hmac_key: Secret,
    /// The storefront's BIN rules for `KR.setBinUpdateNotificationUrl`: BIN → minor units off.
    pub bin_discounts: HashMap<String, i64>,
}

/// Everything the service reads at start.
#[derive(Clone, Debug)]
pub struct Config {
    pub listen: SocketAddr,
    pub database_url: String,
    /// The storefront backend's key for `/v1/*`; `None`: generated once and kept in the database.
    pub secret_key: Option<Secret>,
    pub allowed_origins: Vec<String>,
    pub session_ttl: Duration,
    /// How long a request owns an attempt before another may take it over (and reconcile).
    pub attempt_lease: Duration,
    /// Bound on every provider call.
    pub provider_timeout: Duration,
    /// How long a request with the key of an attempt in progress waits before a 409.
    pub in_progress_wait: Duration,
    pub bamboo: Option<BambooConfig>,
    pub conekta: Option<ConektaConfig>,
    pub lyra: Option<LyraConfig>,
}

/// A setting that could not be read; names the variable.
#[derive(Debug, thiserror::Error)]
#[error("configuration: {name}: {why}")]
pub struct ConfigError {
    pub name: &'static str,
    pub why: String,
}

impl Config {
    /// Reads the process environment (after `PASARELA_CONFIG`'s file, which it overrides).
    pub fn from_env() -> Result<Self, ConfigError> {
        let mut vars: HashMap<String, String> = HashMap::new();
        if let Ok(path) = std::env::var("PASARELA_CONFIG") {
            let text = std::fs::read_to_string(&path)
                .map_err(|e| ConfigError { name: "PASARELA_CONFIG", why: format!("{path}: {e}") })?;
            vars.extend(parse_env_file(&text));
        }
        vars.extend(std::env::vars());
        Self::from_vars(&vars)
    }

    /// Reads settings from a map (the environment, in tests a literal).
    pub fn from_vars(vars: &HashMap<String, String>) -> Result<Self, ConfigError> {
        let get = |k: &str| vars.get(k).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
        let millis = |name: &'static str, default: u64| -> Result<Duration, ConfigError> {
            match get(name) {
                None => Ok(Duration::from_millis(default)),
                Some(v) => v
                    .parse::<u64>()
                    .map(Duration::from_millis)
                    .map_err(|_| ConfigError { name, why: format!("not a number of milliseconds: {v:?}") }),
            }
        };
        let listen = get("PASARELA_LISTEN").unwrap_or_else(|| "127.0.0.1:4242".into());
        let listen = listen
            .parse()
            .map_err(|_| ConfigError { name: "PASARELA_LISTEN", why: format!("not host:port: {listen:?}") })?;
        let bamboo = get("BAMBOO_PRIVATE_KEY").map(|key| BambooConfig {
            api_url: trim_slash(get("BAMBOO_API_URL").unwrap_or_else(|| "https://api.stage.bamboopayment.com".into())),
            webhook_secret: Secret::new(get("BAMBOO_WEBHOOK_SECRET").unwrap_or_else(|| key.clone())),
            private_key: Secret::new(key),
            country: get("BAMBOO_COUNTRY").unwrap_or_else(|| "UY".into()),
        });
        let conekta = get("CONEKTA_PRIVATE_KEY").map(|key| ConektaConfig {
            api_url: trim_slash(get("CONEKTA_API_URL").unwrap_or_else(|| "https://api.conekta.io".into())),
            private_key: Secret::new(key),
        });
        let lyra = match (get("LYRA_SHOP_ID"), get("LYRA_PASSWORD"), get("LYRA_HMAC_KEY")) {
            (Some(shop_id), Some(password), Some(hmac_key)) => Some(LyraConfig {
                api_url: trim_slash(get("LYRA_API_URL").unwrap_or_else(|| "https://api.lyra.com".into())),
                shop_id,
                password: Secret::new(password),
                hmac_key: Secret::new(hmac_key),
                bin_discounts: parse_discounts(get("LYRA_BIN_DISCOUNTS").as_deref().unwrap_or(""))?,
            }),
            (None, None, None) => None,
            _ => {
                return Err(ConfigError {
                    name: "LYRA_SHOP_ID",
                    why: "LYRA_SHOP_ID, LYRA_PASSWORD and LYRA_HMAC_KEY go together".into(),
                })
            }
        };
        Ok(Self {
            listen,
            database_url: get("DATABASE_URL").unwrap_or_else(|| "sqlite://pasarela.db?mode=rwc".into()),
            secret_key: get("PASARELA_SECRET_KEY").map(Secret::new),
            allowed_origins: get("PASARELA_ALLOWED_ORIGINS")
                .map(|v| v.split(',').map(|o| trim_slash(o.trim().to_owned())).filter(|o| !o.is_empty()).collect())
                .unwrap_or_default(),
            session_ttl: millis("PASARELA_SESSION_TTL_MS", 30 * 60 * 1000)?,
            attempt_lease: millis("PASARELA_ATTEMPT_LEASE_MS", 30_000)?,
            provider_timeout: millis("PASARELA_PROVIDER_TIMEOUT_MS", 20_000)?,
            in_progress_wait: millis("PASARELA_IN_PROGRESS_WAIT_MS", 10_000)?,
            bamboo,
            conekta,
            lyra,
        })
    }
}

fn trim_slash(s: String) -> String {
    s.trim_end_matches('/').to_owned()
}

/// `BIN:off,BIN:off` (off in minor units).
fn parse_discounts(text: &str) -> Result<HashMap<String, i64>, ConfigError> {
    let bad = |why: String| ConfigError { name: "LYRA_BIN_DISCOUNTS", why };
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

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn nothing_configured_starts_on_a_local_sqlite_file() {
        let c = Config::from_vars(&HashMap::new()).unwrap();
        assert!(c.database_url.starts_with("sqlite://"));
        assert!(c.bamboo.is_none() && c.conekta.is_none() && c.lyra.is_none());
    }

    #[test]
    fn secrets_never_print() {
        let c = Config::from_vars(&vars(&[("CONEKTA_PRIVATE_KEY", "key_live_abcdef"), ("PASARELA_SECRET_KEY", "sk_x")]))
            .unwrap();
        let shown = format!("{c:?}");
        assert!(!shown.contains("key_live_abcdef") && !shown.contains("sk_x"), "{shown}");
    }

    #[test]
    fn bad_values_name_their_variable() {
        let e = Config::from_vars(&vars(&[("PASARELA_ATTEMPT_LEASE_MS", "soon")])).unwrap_err();
        assert_eq!(e.name, "PASARELA_ATTEMPT_LEASE_MS");
        let e = Config::from_vars(&vars(&[("LYRA_SHOP_ID", "1")])).unwrap_err();
        assert_eq!(e.name, "LYRA_SHOP_ID");
    }

    #[test]
    fn env_files_and_discounts_parse() {
        let v = parse_env_file("# c\nA=1\nB = \"two\"\n\n");
        assert_eq!(v, vec![("A".into(), "1".into()), ("B".into(), "two".into())]);
        assert_eq!(parse_discounts("59701003:1000, 37828200:500").unwrap()["37828200"], 500);
        assert!(parse_discounts("x").is_err());
    }
}
