//! Reading typed values out of parsed JSON (`createCheckout` options, saved profiles), naming
//! the path of whatever is refused.
//!
//! A read that fails records its problem, the first one found wins, and yields `None`; the
//! parse goes on and the caller returns that first problem at the end. No early return: with one
//! per field, each exit dropping its own set of finished fields, the options parser alone was
//! +1 KB gzip (README, "Size and speed").

use super::json::Json;
use std::cell::Cell;

/// A refused value: its path and what it must be.
pub type Problem = (String, &'static str);

/// One parse's shared state: the first problem found, and the page's rule for URLs.
pub struct Reading<'a> {
    first_problem: Cell<Option<Problem>>,
    /// Whether a URL that passed `domain::url`'s textual rule may be used where it resolves: in
    /// the browser, the URL parser's answer (`crate::web::url_allowed`: this site, or https://
    /// elsewhere).
    url_resolves: &'a dyn Fn(&str) -> bool,
}

impl<'a> Reading<'a> {
    pub fn new(url_resolves: &'a dyn Fn(&str) -> bool) -> Self {
        Self { first_problem: Cell::new(None), url_resolves }
    }

    /// The first problem found, if any.
    pub fn first_problem(&self) -> Option<Problem> {
        self.first_problem.take()
    }
}

/// One JSON object being read, with the path that leads to it (`""` at the top level).
#[derive(Clone, Copy)]
pub struct Object<'a> {
    pub map: &'a [(String, Json)],
    pub path: &'a str,
    pub reading: &'a Reading<'a>,
}

/// The kinds of string value, each with its own rule.
#[derive(Clone, Copy, PartialEq)]
pub enum Kind {
    Text,
    /// An `http(s)://` URL or a path on this site (`crate::domain::url`).
    Url,
    Email,
    /// A supported ISO-4217 code.
    Currency,
    /// ISO 3166-1 alpha-2 in capitals.
    Country,
    /// A card's last four digits.
    Last4,
    /// `YYYYMM`.
    Expiry,
}

impl<'a> Object<'a> {
    /// `v` as an object at `path` (refused, and empty, when it is something else).
    pub fn of(v: &'a Json, path: &'a str, reading: &'a Reading<'a>) -> Self {
        let o = Object { map: v.as_object().unwrap_or(&[]), path, reading };
        if v.as_object().is_none() {
            o.refuse_here("must be an object");
        }
        o
    }

    /// The value at `key`; `null` counts as absent.
    pub fn get(&self, key: &str) -> Option<&'a Json> {
        self.map.iter().find(|(k, _)| k == key).map(|(_, v)| v).filter(|v| !v.is_null())
    }

    /// Records that `key` of this object is refused, unless an earlier problem was found.
    /// Out of line: every check reports through here.
    #[inline(never)]
    pub fn refuse<T>(&self, key: &str, problem: &'static str) -> Option<T> {
        let field = if self.path.is_empty() { key.to_owned() } else { crate::text::cat(&[self.path, ".", key]) };
        self.record((field, problem));
        None
    }

    /// Records that this object itself is refused.
    pub fn refuse_here(&self, problem: &'static str) {
        self.record((self.path.to_owned(), problem));
    }

    fn record(&self, p: Problem) {
        let slot = &self.reading.first_problem;
        let earlier = slot.take();
        slot.set(earlier.or(Some(p)));
    }

    /// Refuses the first key not in `known`: a typo such as `profile:` would otherwise silently
    /// drop what it was meant to set.
    pub fn only(&self, known: &[&str]) {
        if let Some((k, _)) = self.map.iter().find(|(k, _)| !known.contains(&k.as_str())) {
            self.refuse::<()>(k, "is not a known option");
        }
    }

    /// The string at `key` (`None` when absent, or refused).
    pub fn text(&self, key: &str, kind: Kind, required: bool) -> Option<String> {
        let Some(v) = self.get(key) else {
            return if required { self.refuse(key, "is required (a non-empty string)") } else { None };
        };
        let t = match v {
            Json::Str(s) if has_text(s) => s.as_str(),
            _ => return self.refuse(key, "must be a non-empty string"),
        };
        let digits = t.bytes().all(|b| b.is_ascii_digit());
        let problem = match kind {
            Kind::Url if !super::url::is_http_or_path(t) => "must be an http(s) URL or a path on this site",
            // Resolved by the page's URL parser: a token must not travel in clear to another origin.
            Kind::Url if !(self.reading.url_resolves)(t) => "must be on this site, or an https:// URL",
            Kind::Email if !looks_like_email(t) => "is not an e-mail address",
            Kind::Currency if super::money::minor_units(t).is_none() => "must be a supported currency code, e.g. 'MXN'",
            Kind::Country if !(t.len() == 2 && t.bytes().all(|b| b.is_ascii_uppercase())) => {
                "must be a country code in capitals, e.g. 'UY'"
            }
            Kind::Last4 if !(t.len() == 4 && digits) => "must be exactly 4 digits",
            // `get`, not `[4..]`: indexing a `str` brings in the formatting of its panic (+2 KB).
            Kind::Expiry
                if !(t.len() == 6 && digits && matches!(t.get(4..).and_then(crate::text::parse_u32), Some(1..=12))) =>
            {
                "must be YYYYMM"
            }
            _ => return Some(t.to_owned()),
        };
        self.refuse(key, problem)
    }

    /// The whole number at `key`, from `min` to `max` as JavaScript reads it.
    pub fn whole(&self, key: &str, min: f64, max: f64, required: bool, problem: &'static str) -> Option<f64> {
        match self.get(key).map(Json::as_f64) {
            None if !required => None,
            Some(Some(n)) if n.fract() == 0.0 && n >= min && n <= max => Some(n),
            _ => self.refuse(key, problem),
        }
    }

    /// The boolean at `key` (`None` when absent, or refused; refused too when absent and
    /// `required`).
    pub fn boolean(&self, key: &str, required: bool) -> Option<bool> {
        match self.get(key) {
            None if !required => None,
            Some(Json::Bool(b)) => Some(*b),
            _ => self.refuse(key, "must be a boolean"),
        }
    }

    /// Which of `words` the string at `key` is (its index; `None` when absent, or refused).
    pub fn one_of(&self, key: &str, words: &[&str], problem: &'static str) -> Option<usize> {
        let v = self.get(key)?;
        match words.iter().position(|w| v.as_str() == Some(w)) {
            None => self.refuse(key, problem),
            found => found,
        }
    }

    /// The object at `key` (`None` when absent, or refused), its keys checked against `known`.
    /// Options nest one level, so a block's path is its key.
    pub fn block(&self, key: &'a str, known: &[&str], required: bool) -> Option<Object<'a>> {
        let Some(v) = self.get(key) else {
            return if required { self.refuse(key, "is required (an object)") } else { None };
        };
        let Some(map) = v.as_object() else { return self.refuse(key, "must be an object") };
        let inner = Object { map, path: key, ..*self };
        inner.only(known);
        Some(inner)
    }

    /// An object with nothing in it, for a block that is absent (its reads then refuse or default).
    pub fn empty(&self) -> Object<'a> {
        Object { map: &[], ..*self }
    }
}

/// `name[i]`: the path of an array's item (one copy for every array an option has).
#[inline(never)]
pub fn indexed(name: &str, i: usize) -> String {
    crate::text::cat(&[name, "[", &crate::text::u32_text(i as u32), "]"])
}

/// Whether `s` has something besides whitespace. (`!s.trim().is_empty()` says the same with a
/// generic trimmer of both ends: 0.4 KB.)
pub fn has_text(s: &str) -> bool {
    s.chars().any(|c| !c.is_whitespace())
}

fn looks_like_email(e: &str) -> bool {
    matches!(crate::text::split_once(e, '@'), Some((user, host)) if !user.is_empty() && crate::text::has(host, '.') && !e.contains(char::is_whitespace))
}
