//! `HumanDuration` from k8s.io/apimachinery/pkg/util/duration: how AGE, RESTARTS
//! "(5m ago)" and event ages are written.

use k8s_openapi::chrono::{DateTime, Utc};

/// Renders a duration given in nanoseconds exactly as `duration.HumanDuration` does.
pub fn human_duration_ns(ns: i128) -> String {
    // Go truncates toward zero when it converts to whole seconds.
    let seconds = ns / 1_000_000_000;
    if seconds < -1 {
        return "<invalid>".to_string();
    }
    if seconds < 0 {
        return "0s".to_string();
    }
    if seconds < 60 * 2 {
        return format!("{seconds}s");
    }
    let minutes = ns / 60_000_000_000;
    if minutes < 10 {
        let s = seconds % 60;
        return if s == 0 { format!("{minutes}m") } else { format!("{minutes}m{s}s") };
    }
    if minutes < 60 * 3 {
        return format!("{minutes}m");
    }
    let hours = ns / 3_600_000_000_000;
    if hours < 8 {
        let m = minutes % 60;
        return if m == 0 { format!("{hours}h") } else { format!("{hours}h{m}m") };
    }
    if hours < 48 {
        return format!("{hours}h");
    }
    if hours < 24 * 8 {
        let h = hours % 24;
        let d = hours / 24;
        return if h == 0 { format!("{d}d") } else { format!("{d}d{h}h") };
    }
    if hours < 24 * 365 * 2 {
        return format!("{}d", hours / 24);
    }
    if hours < 24 * 365 * 8 {
        let dy = (hours / 24) % 365;
        let y = hours / 24 / 365;
        return if dy == 0 { format!("{y}y") } else { format!("{y}y{dy}d") };
    }
    format!("{}y", hours / 24 / 365)
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
    match then {
        None => "<unknown>".to_string(),
        Some(t) => {
            let ns = (now - t).num_nanoseconds().map(i128::from).unwrap_or_else(|| {
                i128::from((now - t).num_milliseconds()) * 1_000_000
            });
            human_duration_ns(ns)
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
    }
}
