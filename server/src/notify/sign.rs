//! `Pasarela-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`, keyed by
//! `PASARELA_NOTIFY_SECRET` (Stripe's scheme): the timestamp is signed with the body, so a
//! receiver that refuses an old `t` refuses a replayed delivery.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The header's name.
pub const HEADER: &str = "Pasarela-Signature";

fn mac(secret: &str, t: i64, body: &[u8]) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(t.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// The header's value for `body` sent at `t` (Unix seconds).
pub fn header(secret: &str, t: i64, body: &[u8]) -> String {
    format!("t={t},v1={}", hex::encode(mac(secret, t, body).finalize().into_bytes()))
}

/// What a receiver checks (the README's snippet, in Rust): a `v1` that signs `t` and the raw
/// body, compared in constant time, with `t` within `tolerance` seconds of `now`.
pub fn verify(secret: &str, header: &str, body: &[u8], now: i64, tolerance: i64) -> bool {
    let mut t = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", v)) => t = v.parse::<i64>().ok(),
            Some(("v1", v)) => signatures.extend(hex::decode(v).ok()),
            _ => {}
        }
    }
    let Some(t) = t else { return false };
    (now - t).abs() <= tolerance && signatures.iter().any(|s| mac(secret, t, body).verify_slice(s).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_covers_time_and_body() {
        let body = br#"{"id":"evt_1","type":"payment.updated"}"#;
        let h = header("whsec_k", 1_700_000_000, body);
        assert!(h.starts_with("t=1700000000,v1=") && h.len() == "t=1700000000,v1=".len() + 64, "{h}");
        assert!(verify("whsec_k", &h, body, 1_700_000_100, 300));
        assert!(!verify("whsec_k", &h, body, 1_700_000_301, 300), "too old: a replay");
        assert!(!verify("other", &h, body, 1_700_000_000, 300));
        assert!(!verify("whsec_k", &h, br#"{"id":"evt_2","type":"payment.updated"}"#, 1_700_000_000, 300));
        assert!(!verify("whsec_k", &h.replace("t=1700000000", "t=1700000001"), body, 1_700_000_000, 300), "t is signed");
        assert!(!verify("whsec_k", "v1=00", body, 1_700_000_000, 300));
        // Stripe's reference: HMAC-SHA256("whsec_k", "1700000000.{body}"), computed independently.
        let expected = {
            let mut m = Hmac::<Sha256>::new_from_slice(b"whsec_k").unwrap();
            m.update(format!("1700000000.{}", std::str::from_utf8(body).unwrap()).as_bytes());
            hex::encode(m.finalize().into_bytes())
        };
        assert_eq!(h, format!("t=1700000000,v1={expected}"));
    }
}
