//! Redaction of everything the service logs: each formatted log line passes through [`redact`]
//! before it is written (see `main.rs`), so a token or card number that reached a message by
//! mistake is masked anyway. The suite scans the logs of a whole run for them.

use regex::Regex;
use std::io::Write;
use std::sync::OnceLock;

fn patterns() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(concat!(
            r"(?:OT|CT)__[A-Za-z0-9_-]+",     // Bamboo one-time and Commerce tokens
            r"|tok_[A-Za-z0-9_-]+",           // Conekta tokens
            r"|src_[A-Za-z0-9_-]+",           // Conekta payment sources
            r"|_secret_[A-Za-z0-9]+",         // client secrets
            r"|sk_[A-Za-z0-9]{8,}",           // the service's secret key
            r"|\b\d(?:[ -]?\d){11,18}\b",     // card numbers (12 to 19 digits)
        ))
        .expect("the patterns compile")
    })
}

/// `text` with tokens, secrets and card numbers replaced by `[redacted]`.
pub fn redact(text: &str) -> String {
    patterns().replace_all(text, "[redacted]").into_owned()
}

/// A writer that redacts each write (tracing writes one formatted event per call).
pub struct RedactingWriter<W: Write>(pub W);

impl<W: Write> Write for RedactingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let text = String::from_utf8_lossy(buf);
        self.0.write_all(redact(&text).as_bytes())?;
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn tokens_secrets_and_card_numbers_are_masked() {
        let line = "pay OT__abcDEF123_ CT__x_ tok_2abc src_9 cs_1_secret_Zz9 sk_abcdefgh12 4000 0000 0000 3063 5555555555554444";
        let out = redact(line);
        for secret in ["OT__", "CT__", "tok_", "src_9", "Zz9", "sk_abcdefgh12", "3063", "5555555555554444"] {
            assert!(!out.contains(secret), "{secret} in {out}");
        }
        assert_eq!(redact("order A-1 amount 123456 purchase 1001"), "order A-1 amount 123456 purchase 1001");
    }
}
