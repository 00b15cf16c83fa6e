//! `HumanDuration` from k8s.io/apimachinery/pkg/util/duration: how AGE, RESTARTS
//! "(5m ago)" and event ages are written.

use std::fmt::{self, Write};

use k8s_openapi::chrono::{DateTime, Utc};

/// Renders a duration given in nanoseconds exactly as `duration.HumanDuration` does.
pub fn human_duration_ns(ns: i128) -> String {
    let mut text = String::new();
    write_human_duration_ns(ns, &mut text);
    text
}

/// [`human_duration_ns`] written into `out` (a table cell), without a String of its own.
pub fn write_human_duration_ns(ns: i128, out: &mut impl Write) {
    // Writing into a String cannot fail; a table buffer neither.
    let _ = human_duration(ns, out);
}

fn human_duration(ns: i128, out: &mut impl Write) -> fmt::Result {
    // Every age a table shows fits in 64 bits (292 years of nanoseconds), and 128-bit
    // division is a library call: one per AGE cell of a 10,000-pod table adds up.
    match i64::try_from(ns) {
        Ok(ns) => human_duration_64(ns, out),
        Err(_) => human_duration_128(ns, out),
    }
}

fn human_duration_64(ns: i64, out: &mut impl Write) -> fmt::Result {
    // Go truncates toward zero when it converts to whole seconds.
    let seconds = ns / 1_000_000_000;
    if seconds < -1 {
        return out.write_str("<invalid>");
    }
    if seconds < 0 {
        return out.write_str("0s");
    }
    if seconds < 60 * 2 {
        return write!(out, "{seconds}s");
    }
    let minutes = ns / 60_000_000_000;
    if minutes < 10 {
        let s = seconds % 60;
        return if s == 0 { write!(out, "{minutes}m") } else { write!(out, "{minutes}m{s}s") };
    }
    if minutes < 60 * 3 {
        return write!(out, "{minutes}m");
    }
    let hours = ns / 3_600_000_000_000;
    if hours < 8 {
        let m = minutes % 60;
        return if m == 0 { write!(out, "{hours}h") } else { write!(out, "{hours}h{m}m") };
    }
    if hours < 48 {
        return write!(out, "{hours}h");
    }
    if hours < 24 * 8 {
        let h = hours % 24;
        let d = hours / 24;
        return if h == 0 { write!(out, "{d}d") } else { write!(out, "{d}d{h}h") };
    }
    if hours < 24 * 365 * 2 {
        return write!(out, "{}d", hours / 24);
    }
    if hours < 24 * 365 * 8 {
        let dy = (hours / 24) % 365;
        let y = hours / 24 / 365;
        return if dy == 0 { write!(out, "{y}y") } else { write!(out, "{y}y{dy}d") };
    }
    write!(out, "{}y", hours / 24 / 365)
}

/// Beyond 64 bits of nanoseconds (292 years) only two bands are left.
fn human_duration_128(ns: i128, out: &mut impl Write) -> fmt::Result {
    if ns < 0 {
        return out.write_str("<invalid>");
    }
    write!(out, "{}y", ns / 3_600_000_000_000 / 24 / 365)
}

/// `ShortHumanDuration`: one unit only (`45s`, `5m`, `3h`, `2d`, `1y`).
pub fn short_human_duration_ns(ns: i128) -> String {
    let seconds = ns / 1_000_000_000;
    if seconds < -1 {
        return "<invalid>".to_string();
    }
    if seconds < 0 {
        return "0s".to_string();
    }
    if seconds < 60 {
        return format!("{seconds}s");
    }
    let minutes = ns / 60_000_000_000;
    if minutes < 60 {
        return format!("{minutes}m");
    }
    let hours = ns / 3_600_000_000_000;
    if hours < 24 {
        return format!("{hours}h");
    }
    if hours < 24 * 365 {
        return format!("{}d", hours / 24);
    }
    format!("{}y", hours / 24 / 365)
}

/// `translateTimestampSince`: the AGE of something created at `then`, seen at `now`;
/// `<unknown>` when there is no timestamp.
pub fn age(then: Option<DateTime<Utc>>, now: DateTime<Utc>) -> String {
    let mut text = String::new();
    write_age(then, now, &mut text);
    text
}

/// [`age`] written into `out`.
pub fn write_age(then: Option<DateTime<Utc>>, now: DateTime<Utc>, out: &mut impl Write) {
    match then {
        None => {
            let _ = out.write_str("<unknown>");
        }
        Some(t) => {
            let ns = (now - t).num_nanoseconds().map(i128::from).unwrap_or_else(|| {
                i128::from((now - t).num_milliseconds()) * 1_000_000
            });
            write_human_duration_ns(ns, out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands() {
        let s = |secs: i128| human_duration_ns(secs * 1_000_000_000);
        assert_eq!(s(0), "0s");
        assert_eq!(s(119), "119s");
        assert_eq!(s(121), "2m1s");
        assert_eq!(s(600), "10m");
        assert_eq!(s(3 * 3600 + 60), "3h1m");
        assert_eq!(s(10 * 86400), "10d");
        assert_eq!(s(-1), "0s");
        assert_eq!(s(-3), "<invalid>");
        // Past 64 bits of nanoseconds.
        assert_eq!(s(400 * 365 * 86400), "400y");
        assert_eq!(s(-400 * 365 * 86400), "<invalid>");
    }
}
