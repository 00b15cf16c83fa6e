//! Snapshots: a cluster loaded from a list of v1 objects, as in the reference
//! `kubectl_states.json`, whose timestamps are written relative to the moment the
//! state was captured (`@now-1500s`, `@now+1.9s`).
//!
//! Objects are stored as given: no defaulting, no controllers, no default kind
//! objects. Only what the API server itself stamps on every write (the
//! resourceVersion) is added, by the store.

use k8s_openapi::chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde_json::Value;

use crate::clock::Clock;
use crate::cluster::Cluster;
use crate::store::Object;

/// A point in (virtual) time.
pub type Instant = DateTime<Utc>;

/// Parses an RFC 3339 timestamp (`2026-11-22T12:19:33Z`).
pub fn parse_rfc3339(text: &str) -> Option<Instant> {
    DateTime::parse_from_rfc3339(text).ok().map(|t| t.with_timezone(&Utc))
}

/// Parses `@now-1500s` / `@now+1.9s` / `@now` against `now`.
pub fn parse_relative(text: &str, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let rest = text.strip_prefix("@now")?;
    if rest.is_empty() {
        return Some(now);
    }
    let (sign, number) = match rest.as_bytes().first() {
        Some(b'+') => (1.0, &rest[1..]),
        Some(b'-') => (-1.0, &rest[1..]),
        _ => return None,
    };
    let seconds: f64 = number.strip_suffix('s')?.parse().ok()?;
    if !seconds.is_finite() {
        return None;
    }
    let millis = (sign * seconds * 1000.0).round();
    if millis.abs() > 1e15 {
        return None;
    }
    now.checked_add_signed(Duration::milliseconds(millis as i64))
}

/// Replaces every relative timestamp string in `value` by RFC 3339 text.
pub fn resolve_relative_times(value: &mut Value, now: DateTime<Utc>) {
    match value {
        Value::String(s) => {
            if let Some(t) = parse_relative(s, now) {
                // Sub-second offsets are kept (millisecond precision), so that a
                // creation 1.9 s in the future still reads as such to HumanDuration.
                let format = if t.timestamp_subsec_millis() == 0 { SecondsFormat::Secs } else { SecondsFormat::Millis };
                *s = t.to_rfc3339_opts(format, true);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| resolve_relative_times(v, now)),
        Value::Object(map) => map.values_mut().for_each(|v| resolve_relative_times(v, now)),
        _ => {}
    }
}

/// When a state was captured, if the state says so: an Event records its creation
/// twice, relatively in `metadata.creationTimestamp` (`@now-1500s`) and absolutely
/// in `firstTimestamp`; the two are the same instant, which pins "now".
pub fn capture_time(objects: &[Value]) -> Option<DateTime<Utc>> {
    objects.iter().find_map(|o| {
        if o.get("kind").and_then(Value::as_str) != Some("Event") {
            return None;
        }
        let relative = o.pointer("/metadata/creationTimestamp").and_then(Value::as_str)?;
        let absolute = o.get("firstTimestamp").and_then(Value::as_str)?;
        let absolute = DateTime::parse_from_rfc3339(absolute).ok()?.with_timezone(&Utc);
        let epoch = DateTime::<Utc>::UNIX_EPOCH;
        let offset = parse_relative(relative, epoch)? - epoch;
        absolute.checked_sub_signed(offset)
    })
}

/// Why a snapshot could not be loaded.
#[derive(Clone, Debug, PartialEq)]
pub struct LoadError {
    pub index: usize,
    pub message: String,
}

/// Builds a cluster holding exactly `objects` (relative times resolved against
/// `now`), with its clock at `now` and the generator seeded with `seed`.
pub fn load(objects: &[Value], now: DateTime<Utc>, seed: u64) -> Result<Cluster, LoadError> {
    let mut cluster = Cluster::empty(Clock::new(now), seed);
    for (index, value) in objects.iter().enumerate() {
        let mut value = value.clone();
        resolve_relative_times(&mut value, now);
        let object = Object::from_json(value).map_err(|e| LoadError { index, message: format!("{e:?}") })?;
        cluster.store.put(object);
    }
    Ok(cluster)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::Kind;
    use serde_json::json;

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).map(|d| d.with_timezone(&Utc)).unwrap_or_default()
    }

    #[test]
    fn relative_times() {
        let now = t("2026-11-22T12:44:33Z");
        assert_eq!(parse_relative("@now-1500s", now), Some(t("2026-11-22T12:19:33Z")));
        assert_eq!(parse_relative("@now+1.9s", now), Some(t("2026-11-22T12:44:34.900Z")));
        assert_eq!(parse_relative("@now", now), Some(now));
        assert_eq!(parse_relative("@now-abc", now), None);
        assert_eq!(parse_relative("2026-11-22T12:19:33Z", now), None);
    }

    #[test]
    fn loads_objects_as_given() {
        let now = t("2026-11-22T12:44:33Z");
        let objects = vec![
            json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": "default", "creationTimestamp": "@now-1500s"}}),
            json!({"apiVersion": "v1", "kind": "Event", "metadata": {"name": "e", "namespace": "default", "creationTimestamp": "@now-1500s"}, "firstTimestamp": "2026-11-22T12:19:33Z", "involvedObject": {}}),
        ];
        let cluster = load(&objects, now, 1).unwrap_or_else(|e| panic!("{e:?}"));
        let svc = cluster.store.list(Kind::Service, Some("default")).next().map(|o| o.metadata().creation_timestamp.clone());
        assert_eq!(svc, Some(Some(k8s_openapi::apimachinery::pkg::apis::meta::v1::Time(t("2026-11-22T12:19:33Z")))));
        assert_eq!(cluster.store.len(), 2);
        assert_eq!(cluster.clock.now(), now);
        assert_eq!(capture_time(&objects), Some(now));
        assert!(load(&[json!({"apiVersion": "v1", "kind": "Nope"})], now, 1).is_err());
    }
}
