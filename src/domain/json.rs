//! A small JSON value and parser (options and merchant answers in) and an object writer (request
//! bodies and event payloads out): what Pasarela needs of JSON without a general serialization
//! framework in the wasm. Numbers are f64 like JavaScript's; Pasarela only ever writes integers.

/// A JSON value. Objects keep their keys in order of first appearance, each with its last value.
#[derive(Clone, Debug, PartialEq)]
pub enum Json {
    Null,
    Bool(bool),
    Num(f64),
    Str(String),
    Arr(Vec<Json>),
    Obj(Vec<(String, Json)>),
}

/// JSON object text written field by field: what Pasarela sends (request bodies, event
/// payloads) is always an object it knows the shape of, so it is written straight to text
/// rather than built as a [`Json`] tree first (README "Size and speed": less code, no allocation per field).
pub struct ObjectText(String);

impl ObjectText {
    pub fn new() -> Self {
        Self(String::from("{"))
    }

    fn key(&mut self, key: &str) {
        if self.0.len() > 1 {
            self.0.push(',');
        }
        write_string(key, &mut self.0);
        self.0.push(':');
    }

    /// `"key": "value"`.
    pub fn str(mut self, key: &str, value: &str) -> Self {
        self.key(key);
        write_string(value, &mut self.0);
        self
    }

    /// `"key": "value"` when there is a value.
    pub fn opt_str(self, key: &str, value: Option<&str>) -> Self {
        match value {
            Some(v) => self.str(key, v),
            None => self,
        }
    }

    /// `"key": n`.
    pub fn num(mut self, key: &str, n: u64) -> Self {
        self.key(key);
        self.0.push_str(&crate::text::u64_text(n));
        self
    }

    /// `"key": true|false`.
    pub fn bool(mut self, key: &str, b: bool) -> Self {
        self.key(key);
        self.0.push_str(if b { "true" } else { "false" });
        self
    }

    /// `"key": <json>`, with `json` already JSON text (a nested object, a provider's answer
    /// forwarded verbatim); `null` when it is empty.
    pub fn raw(mut self, key: &str, json: &str) -> Self {
        self.key(key);
        self.0.push_str(if json.is_empty() { "null" } else { json });
        self
    }

    /// The text, closed.
    pub fn end(mut self) -> String {
        self.0.push('}');
        self.0
    }
}

impl Default for ObjectText {
    fn default() -> Self {
        Self::new()
    }
}

/// Nesting deeper than this is refused (no page needs it; recursion stays bounded): arrays and
/// objects alike, 64 levels of either or both.
pub const MAX_DEPTH: usize = 64;

impl Json {
    /// Parses strict JSON text; `None` for anything else.
    pub fn parse(text: &str) -> Option<Json> {
        let mut p = Parser { text, s: text.as_bytes(), i: 0 };
        let v = p.value(0)?;
        p.ws();
        (p.i == p.s.len()).then_some(v)
    }

    /// `self[key]` for objects.
    pub fn get(&self, key: &str) -> Option<&Json> {
        self.as_object()?.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    pub fn as_object(&self) -> Option<&[(String, Json)]> {
        match self {
            Json::Obj(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Json]> {
        match self {
            Json::Arr(a) => Some(a),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Json::Num(n) => Some(*n),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Json::Null)
    }
}

/// An integer as text when `n` is one (JavaScript's safe range), for ids like `PaymentProfileId`.
pub fn integer_text(n: f64) -> Option<String> {
    let sign = if n < 0.0 { "-" } else { "" };
    (n.fract() == 0.0 && n.abs() <= 9_007_199_254_740_991.0)
        .then(|| crate::text::cat(&[sign, &crate::text::u64_text(n.abs() as u64)]))
}

fn write_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                let b = c as u32;
                out.push_str("\\u00");
                out.push(HEX[(b >> 4) as usize] as char);
                out.push(HEX[(b & 15) as usize] as char);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// A JSON number literal's value, correctly rounded. In the wasm it is the page's own
/// `parseFloat`, the very reading `JSON.parse` makes (Rust's `str::parse::<f64>` weighs 16 KB
/// gzip there); natively, `str::parse`, which rounds the same way (IEEE 754, to nearest).
#[cfg(target_arch = "wasm32")]
fn read_number(literal: &str) -> f64 {
    js_sys::Number::parse_float(literal)
}

#[cfg(not(target_arch = "wasm32"))]
#[allow(clippy::disallowed_methods)] // native only: the wasm reads with parseFloat
fn read_number(literal: &str) -> f64 {
    literal.parse().unwrap_or(f64::NAN)
}

struct Parser<'a> {
    /// The text, and the same as bytes.
    text: &'a str,
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn ws(&mut self) {
        while matches!(self.s.get(self.i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.i += 1;
        }
    }

    fn eat(&mut self, lit: &[u8]) -> Option<()> {
        self.s.get(self.i..self.i + lit.len()).filter(|x| *x == lit)?;
        self.i += lit.len();
        Some(())
    }

    fn value(&mut self, depth: usize) -> Option<Json> {
        self.ws();
        let c = *self.s.get(self.i)?;
        // `depth` containers enclose this value: opening one more may not pass the cap.
        if matches!(c, b'[' | b'{') && depth >= MAX_DEPTH {
            return None;
        }
        match c {
            b'n' => self.eat(b"null").map(|_| Json::Null),
            b't' => self.eat(b"true").map(|_| Json::Bool(true)),
            b'f' => self.eat(b"false").map(|_| Json::Bool(false)),
            b'"' => self.string().map(Json::Str),
            b'[' => {
                self.i += 1;
                let mut items = Vec::new();
                self.ws();
                if self.eat(b"]").is_some() {
                    return Some(Json::Arr(items));
                }
                loop {
                    items.push(self.value(depth + 1)?);
                    self.ws();
                    if self.eat(b",").is_none() {
                        self.eat(b"]")?;
                        return Some(Json::Arr(items));
                    }
                }
            }
            b'{' => {
                self.i += 1;
                let mut pairs = Vec::new();
                self.ws();
                if self.eat(b"}").is_some() {
                    return Some(Json::Obj(pairs));
                }
                loop {
                    self.ws();
                    let k = self.string()?;
                    self.ws();
                    self.eat(b":")?;
                    let v = self.value(depth + 1)?;
                    // A repeated key keeps the last value, as `JSON.parse` (and so the merchant's
                    // own JavaScript) reads it: two readers of one text must never disagree.
                    match pairs.iter_mut().find(|(seen, _)| *seen == k) {
                        Some(slot) => slot.1 = v,
                        None => pairs.push((k, v)),
                    }
                    self.ws();
                    if self.eat(b",").is_none() {
                        self.eat(b"}")?;
                        return Some(Json::Obj(pairs));
                    }
                }
            }
            b'-' | b'0'..=b'9' => self.number().map(Json::Num),
            _ => None,
        }
    }

    /// The number literal's grammar is checked here; its value is read by [`read_number`], which
    /// rounds exactly as JavaScript does. Non-finite values (`1e400`) are refused.
    fn number(&mut self) -> Option<f64> {
        let start = self.i;
        let _ = self.eat(b"-");
        let digits = |p: &mut Self| {
            let from = p.i;
            while matches!(p.s.get(p.i), Some(b'0'..=b'9')) {
                p.i += 1;
            }
            p.i - from
        };
        let n = digits(self);
        if n == 0 || (n > 1 && self.s.get(self.i - n) == Some(&b'0')) {
            return None;
        }
        if self.eat(b".").is_some() && digits(self) == 0 {
            return None;
        }
        if matches!(self.s.get(self.i), Some(b'e' | b'E')) {
            self.i += 1;
            if matches!(self.s.get(self.i), Some(b'-' | b'+')) {
                self.i += 1;
            }
            if digits(self) == 0 {
                return None;
            }
        }
        Some(read_number(self.text.get(start..self.i)?)).filter(|v| v.is_finite())
    }

    fn string(&mut self) -> Option<String> {
        self.eat(b"\"")?;
        let mut out = String::new();
        loop {
            let start = self.i;
            while let Some(&b) = self.s.get(self.i) {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.i += 1;
            }
            // Both ends are at ASCII bytes, so `get` (a boundary check, no UTF-8 validation:
            // the text is a `str` already) always finds the run.
            out.push_str(self.text.get(start..self.i)?);
            match *self.s.get(self.i)? {
                b'"' => {
                    self.i += 1;
                    return Some(out);
                }
                b'\\' => {
                    self.i += 1;
                    let e = *self.s.get(self.i)?;
                    self.i += 1;
                    match e {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let hi = self.hex4()?;
                            let c = if (0xD800..0xDC00).contains(&hi) {
                                self.eat(b"\\u")?;
                                let lo = self.hex4()?;
                                if !(0xDC00..0xE000).contains(&lo) {
                                    return None;
                                }
                                char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))?
                            } else {
                                char::from_u32(hi)?
                            };
                            out.push(c);
                        }
                        _ => return None,
                    }
                }
                _ => return None, // a raw control character
            }
        }
    }

    /// Exactly four hex digits (`from_str_radix` alone would take `+041`).
    fn hex4(&mut self) -> Option<u32> {
        let mut v = 0;
        for _ in 0..4 {
            let d = char::from(*self.s.get(self.i)?).to_digit(16)?;
            v = v * 16 + d;
            self.i += 1;
        }
        Some(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_what_serde_json_parses() {
        let text = r#" {"a":[1,-2.5,3e2,true,false,null],"b":"x\"y\\z\n\u00e9\ud83d\ude00","c":{}} "#;
        let v = Json::parse(text).unwrap();
        let reference: serde_json::Value = serde_json::from_str(text).unwrap();
        assert_eq!(v.get("b").unwrap().as_str(), reference["b"].as_str());
        assert_eq!(v.get("a").unwrap().as_array().unwrap()[1].as_f64(), Some(-2.5));
        assert_eq!(v.get("a").unwrap().as_array().unwrap()[2].as_f64(), Some(300.0));
        assert_eq!(v.get("c"), Some(&Json::Obj(vec![])));
    }

    #[test]
    fn refuses_what_is_not_json() {
        for bad in ["", "{", "[1,]", "{\"a\" 1}", "01", "1.", "-", "\"\u{1}\"", "nul", "{} x", "\"\\q\"", "[1e]"] {
            assert_eq!(Json::parse(bad), None, "{bad:?}");
        }
        let deep = "[".repeat(100) + &"]".repeat(100);
        assert_eq!(Json::parse(&deep), None);
    }

    #[test]
    fn a_repeated_key_keeps_the_last_value_as_json_parse_does() {
        let v = Json::parse(r#"{"status":"declined","st\u0061tus":"approved","n":1}"#).unwrap();
        assert_eq!(v.get("status").and_then(Json::as_str), Some("approved"));
        assert_eq!(v.as_object().unwrap().len(), 2, "one entry per key, at its first place");
        assert_eq!(v.as_object().unwrap()[0].0, "status");
    }

    #[test]
    fn unicode_escapes_take_exactly_four_hex_digits() {
        assert_eq!(Json::parse(r#""\u+041""#), None);
        assert_eq!(Json::parse(r#""\u-041""#), None);
        assert_eq!(Json::parse(r#""\u0041""#).unwrap().as_str(), Some("A"));
    }

    #[test]
    fn numbers_read_as_javascript_reads_them() {
        // Exactly, not approximately: a literal that JS reads as a fraction stays a fraction.
        assert_eq!(Json::parse("109.00000000000001").unwrap().as_f64(), Some(109.00000000000001));
        assert!(Json::parse("109.00000000000001").unwrap().as_f64().unwrap().fract() != 0.0);
        assert_eq!(Json::parse("5e-324").unwrap().as_f64(), Some(5e-324));
        assert_eq!(Json::parse("1.7976931348623157e308").unwrap().as_f64(), Some(f64::MAX));
        assert_eq!(Json::parse("0.1").unwrap().as_f64(), Some(0.1));
        assert_eq!(Json::parse("-0").unwrap().as_f64().map(f64::is_sign_negative), Some(true));
        // Not finite: refused, never infinity or NaN.
        for bad in ["1e400", "-1e400", "0e400000000000"] {
            assert!(Json::parse(bad).is_none_or(|v| v.as_f64().is_some_and(f64::is_finite)), "{bad}");
        }
        assert_eq!(Json::parse("1e400"), None);
    }

    #[test]
    fn nesting_has_one_rule_for_arrays_and_objects() {
        let arrays = |n: usize| "[".repeat(n) + &"]".repeat(n);
        let objects = |n: usize| "{\"a\":".repeat(n) + "1" + &"}".repeat(n);
        assert!(Json::parse(&arrays(64)).is_some() && Json::parse(&objects(64)).is_some());
        assert!(Json::parse(&arrays(65)).is_none() && Json::parse(&objects(65)).is_none());
        let mixed = "[{\"a\":".repeat(40) + "1" + &"}]".repeat(40);
        assert!(Json::parse(&mixed).is_none(), "80 levels of both");
    }

    #[test]
    fn integers_are_exact_and_decimals_are_seen() {
        assert_eq!(Json::parse("9007199254740991").unwrap().as_f64(), Some(9_007_199_254_740_991.0));
        assert_eq!(Json::parse("123456").unwrap().as_f64(), Some(123456.0));
        assert!(Json::parse("10.5").unwrap().as_f64().unwrap().fract() != 0.0);
        assert_eq!(Json::parse("1050.0").unwrap().as_f64(), Some(1050.0));
        assert!(Json::parse("1e17").unwrap().as_f64().unwrap() > 9e15);
    }

    #[test]
    fn object_text_is_json_serde_reads_back() {
        let inner = ObjectText::new().bool("ok", true).end();
        let text = ObjectText::new()
            .str("s", "a\"b\\c\u{1}é😀")
            .num("n", 123456)
            .opt_str("absent", None)
            .raw("none", "")
            .raw("inner", &inner)
            .end();
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back["s"], "a\"b\\c\u{1}é😀");
        assert_eq!(back["n"], 123456);
        assert!(back.get("absent").is_none());
        assert!(back["none"].is_null());
        assert_eq!(back["inner"]["ok"], true);
        assert_eq!(Json::parse(&text).unwrap().get("n").and_then(Json::as_f64), Some(123456.0));
        assert_eq!(ObjectText::new().end(), "{}");
    }
}
