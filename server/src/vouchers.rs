//! Cash vouchers and bank transfers (docs/api.md §4, "Beyond the card form"): their lifetime, the
//! dates providers write them with, and when a lapsed one is `expired` rather than `declined`.
//!
//! A voucher is the payment's own (`store::Payment::voucher`, migrations/0004): display fields
//! only, set when the provider issued it, shown while the payment is pending. Its `expiresAt` is
//! ISO 8601 UTC whatever the provider wrote.

use crate::providers::Outcome;
use crate::store::Payment;
use pasarela_protocol::{ResultStatus, Voucher};

/// How long a voucher may be paid unless the session says (`voucherExpiresIn`): three days, as
/// Stripe's OXXO default. Conekta's own default would be 30 days (its "cargos únicos" page, in
/// /tmp/research/conekta-apm.md §1a); a storefront that wants it asks per session.
pub const DEFAULT_TTL_S: u64 = 3 * 24 * 3600;
/// The longest a session may ask: 30 days, the most both providers document (Conekta's plugin
/// allows 1–30 days, Bamboo's SPEI "maximum time allowed is 30 days (43200 minutes)",
/// /tmp/research/bamboo-apm.md §3.5, §3.6).
pub const MAX_TTL_S: u64 = 30 * 24 * 3600;

/// Applies what a provider said of a voucher's payment to the stored one: a voucher whose
/// provider ended it with no money (`declined`) once its expiry passed is `expired`. Conekta
/// says so itself (`order.expired`, already `expired` in the outcome); Bamboo documents no status
/// for a lapsed voucher (*inferred*: `Cancelled` or `Rejected`, /tmp/research/bamboo-apm.md §2,
/// "What happens at expiry: NOT DOCUMENTED"), so a decline after the expiry is read as the lapse
/// and one before it stays a decline. The voucher the provider issued stays the stored one.
pub fn settle(p: &Payment, mut o: Outcome, now_ms: i64) -> Outcome {
    let Some(v) = &p.voucher else { return o };
    if o.status == ResultStatus::Declined && lapsed(v, now_ms) {
        o.status = ResultStatus::Expired;
        o.message = None;
    }
    o
}

/// Whether a pending voucher's expiry has passed (its reads then go to the provider at once).
pub fn lapsed(v: &Voucher, now_ms: i64) -> bool {
    v.expires_at.as_deref().and_then(parse_iso).is_some_and(|at| at * 1000 <= now_ms)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day count (the inverse of `days_from_civil`).
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// Unix seconds as ISO 8601 UTC, `2026-12-10T23:59:00Z`.
pub fn iso(unix_s: i64) -> String {
    let (y, m, d) = civil_from_days(unix_s.div_euclid(86_400));
    let t = unix_s.rem_euclid(86_400);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", t / 3600, t / 60 % 60, t % 60)
}

fn valid(y: i64, mo: i64, d: i64, h: i64, mi: i64, s: i64) -> bool {
    (1970..=9999).contains(&y) && (1..=12).contains(&mo) && (1..=31).contains(&d) && (0..24).contains(&h) && (0..60).contains(&mi) && (0..=60).contains(&s)
}

fn unix(y: i64, mo: i64, d: i64, h: i64, mi: i64, s: i64) -> Option<i64> {
    valid(y, mo, d, h, mi, s).then(|| days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + s)
}

fn num(s: &str) -> Option<i64> {
    (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse().ok()).flatten()
}

/// Reads ISO 8601 with a `Z` or `±hh:mm` offset (seconds and fractions optional): unix seconds.
pub fn parse_iso(s: &str) -> Option<i64> {
    let (date, rest) = s.split_once('T')?;
    let mut dp = date.split('-');
    let (y, mo, d) = (num(dp.next()?)?, num(dp.next()?)?, num(dp.next()?)?);
    let (time, offset) = match rest.strip_suffix('Z') {
        Some(t) => (t, 0),
        None => {
            let at = rest.rfind(['+', '-'])?;
            let (t, off) = rest.split_at(at);
            let minutes = offset_minutes(&off[1..])?;
            (t, if off.starts_with('-') { -minutes * 60 } else { minutes * 60 })
        }
    };
    let time = time.split('.').next()?;
    let mut tp = time.split(':');
    let (h, mi) = (num(tp.next()?)?, num(tp.next()?)?);
    let sec = tp.next().map(num).unwrap_or(Some(0))?;
    Some(unix(y, mo, d, h, mi, sec)? - offset)
}

/// An ISO 8601 offset after its sign, `hh:mm`, `hhmm` or `hh` (hours to 23, minutes to 59), in
/// minutes. Provider text of any other shape is no offset (the date is then absent): an
/// unbounded one would overflow the arithmetic.
fn offset_minutes(off: &str) -> Option<i64> {
    let (h, m) = match off.len() {
        2 => (off, "00"),
        4 => (off.get(..2)?, off.get(2..)?),
        5 => off.split_once(':').filter(|(h, _)| h.len() == 2)?,
        _ => return None,
    };
    let (h, m) = (num(h)?, num(m)?);
    (h <= 23 && m <= 59).then_some(h * 60 + m)
}

/// Reads a date as Bamboo's alternative media write it (/tmp/research/bamboo-apm.md §4, "Expiry
/// dates come in four formats"): ISO 8601 with an offset; `DD/MM/YYYY`; `DD/MM/YYYY HH:mm:ss` or
/// `HH:mm`; `yyyyMMdd`. A date without an offset is in `utc_offset_s` (the purchase's country:
/// the docs state no time zone, *inferred*), and a date without a time is the end of that day
/// (*inferred*: a coupon "valid until" a day is payable through it). Unix seconds.
pub fn parse_bamboo_date(s: &str, utc_offset_s: i64) -> Option<i64> {
    let s = s.trim();
    if s.contains('T') {
        return parse_iso(s);
    }
    let local = |y, mo, d, h, mi, sec| unix(y, mo, d, h, mi, sec).map(|t| t - utc_offset_s);
    if s.len() == 8 && !s.contains('/') {
        // Eight bytes are not eight digits: `get` finds no part that would cut a character of
        // provider text in two (`€€ab`), and the date is then absent, never a panic.
        let part = |r: std::ops::Range<usize>| s.get(r).and_then(num);
        return local(part(0..4)?, part(4..6)?, part(6..8)?, 23, 59, 59);
    }
    let (date, time) = s.split_once(' ').unwrap_or((s, ""));
    let mut dp = date.split('/');
    let (d, mo, y) = (num(dp.next()?)?, num(dp.next()?)?, num(dp.next()?)?);
    if dp.next().is_some() {
        return None;
    }
    if time.is_empty() {
        return local(y, mo, d, 23, 59, 59);
    }
    let mut tp = time.split(':');
    let (h, mi) = (num(tp.next()?)?, num(tp.next()?)?);
    let sec = tp.next().map(num).unwrap_or(Some(0))?;
    local(y, mo, d, h, mi, sec)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip_through_iso_8601_utc() {
        assert_eq!(iso(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso(1_743_724_800), "2025-04-04T00:00:00Z", "Conekta's example expires_at (conekta-apm.md §1b)");
        assert_eq!(parse_iso("2025-04-04T00:00:00Z"), Some(1_743_724_800));
        for t in [951_782_400, 1_709_210_096, 4_102_444_799] {
            assert_eq!(parse_iso(&iso(t)), Some(t));
        }
        assert_eq!(parse_iso("2023-09-02T15:08:13-05:00"), parse_iso("2023-09-02T20:08:13Z"));
        assert_eq!(parse_iso("2023-09-02T15:08:13.25+01:30"), parse_iso("2023-09-02T13:38:13Z"));
        for bad in ["", "2025-04-04", "2025-13-01T00:00:00Z", "x-04-04T00:00:00Z", "2025-04-04T25:00:00Z"] {
            assert_eq!(parse_iso(bad), None, "{bad}");
        }
    }

    #[test]
    fn offsets_are_two_digit_hours_to_23_and_minutes_to_59_or_the_date_is_absent() {
        let utc = parse_iso("2023-09-02T20:08:13Z");
        assert_eq!(parse_iso("2023-09-02T15:08:13-0500"), utc);
        assert_eq!(parse_iso("2023-09-02T15:08:13-05"), utc);
        assert_eq!(parse_iso("2023-09-03T01:38:13+0530"), utc);
        assert_eq!(parse_iso("2023-09-02T20:08:13+00:00"), utc);
        assert_eq!(parse_iso("2023-09-02T20:08:13+23:59"), utc.map(|t| t - 23 * 3600 - 59 * 60));
        // Provider text: an offset this long overflowed i64 (a panic in debug builds, any date in
        // release); hours past 23, minutes past 59, other digit counts are no offset either.
        for bad in [
            "2023-09-02T15:08:13+99999999999999999:00",
            "2023-09-02T15:08:13-99999999999999999999:00",
            "2023-09-02T15:08:13+00:99999999999999999",
            "2023-09-02T15:08:13+24:00",
            "2023-09-02T15:08:13+05:60",
            "2023-09-02T15:08:13+5:00",
            "2023-09-02T15:08:13+005:00",
            "2023-09-02T15:08:13+05:0",
            "2023-09-02T15:08:13+5",
            "2023-09-02T15:08:13+",
            "2023-09-02T15:08:13+€€",
        ] {
            assert_eq!(parse_iso(bad), None, "{bad}");
        }
    }

    #[test]
    fn bamboo_writes_four_formats() {
        let uy = -3 * 3600;
        // PagoEfectivo, PuntoXpress: ISO 8601 with an offset.
        assert_eq!(parse_bamboo_date("2023-09-02T15:08:13-05:00", uy), parse_iso("2023-09-02T20:08:13Z"));
        // PayValida, Pago Fácil: a day, payable through its end, in the country's time.
        assert_eq!(parse_bamboo_date("22/08/2023", uy), parse_iso("2023-08-23T02:59:59Z"));
        // STP, Boleto: with a time.
        assert_eq!(parse_bamboo_date("25/12/2024 20:46:20", -6 * 3600), parse_iso("2024-12-26T02:46:20Z"));
        assert_eq!(parse_bamboo_date("21/12/2024 20:09", 0), parse_iso("2024-12-21T20:09:00Z"));
        // RedPagos V3's CouponValidity.
        assert_eq!(parse_bamboo_date("20250110", uy), parse_iso("2025-01-11T02:59:59Z"));
        for bad in ["", "soon", "32/01/2024", "1/2/3/4", "2025011", "01/01/2024 xx:00"] {
            assert_eq!(parse_bamboo_date(bad, uy), None, "{bad}");
        }
    }

    #[test]
    fn a_date_of_other_characters_is_absent_not_a_panic() {
        // Provider text of other characters, most of it eight bytes long with a character across
        // byte 4 or 6 (what a byte slice cut in two).
        for bad in ["€€ab", "2€0110", "202€11", "20250€1", "ab€€", "１２３４", "2025-€1", "2025０1", "2025T€€", "€/€/€", "01/0€/2024 10:€"] {
            assert_eq!(parse_bamboo_date(bad, 0), None, "{bad}");
            assert_eq!(parse_iso(bad), None, "{bad}");
        }
        assert_eq!(parse_iso("2025-01-01T00:00:00+€"), None);
        assert_eq!(parse_iso("2025-01-01T00:00:00-0€:00"), None);
        // The voucher Bamboo issued is still the shopper's, without an expiry.
        let res = serde_json::json!({ "Amount": 2000, "Currency": "UYU", "MetadataOut": { "PaymentCode": "190511", "CouponValidity": "€€ab" } });
        let v = crate::providers::bamboo::voucher_of(&res, "UY").expect("a voucher");
        assert_eq!((v.reference.as_deref(), v.expires_at), (Some("190511"), None));
    }
}
