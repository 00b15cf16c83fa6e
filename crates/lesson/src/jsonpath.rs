//! The part of kubectl's JSONPath templates that checks and quizzes use:
//! `{.spec.ports[0].nodePort}`, `{.items[*].metadata.name}`,
//! `{.status.addresses[?(@.type=="InternalIP")].address}`, `{.metadata.labels['app']}`.
//!
//! Results print the way `kubectl get -o jsonpath` prints them: strings bare,
//! numbers and booleans as JSON, objects and lists as compact JSON, several
//! results separated by spaces, text outside braces copied as is.
//! (sim-core's kubectl will carry the full template language; a lesson only
//! needs to read one value, and the engine must not depend on a printer.)

use serde_json::Value;

/// Evaluates a template against a JSON object.
pub fn evaluate(template: &str, root: &Value) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let Some(close) = rest[open..].find('}').map(|c| open + c) else {
            return Err(format!("unclosed action in {template:?}"));
        };
        let expr = &rest[open + 1..close];
        // A filter may contain `}`-free text only, so the first `}` closes the action.
        let values = select(expr.trim(), root)?;
        let printed: Vec<String> = values.iter().map(|v| print(v)).collect();
        out.push_str(&printed.join(" "));
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

fn print(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// One step of a path.
#[derive(Debug, PartialEq)]
enum Segment {
    Field(String),
    Index(i64),
    All,
    Filter { path: Vec<String>, value: String },
}

fn parse(expr: &str) -> Result<Vec<Segment>, String> {
    let mut segments = Vec::new();
    let chars: Vec<char> = expr.chars().collect();
    let mut i = 0;
    if chars.first() == Some(&'@') || chars.first() == Some(&'$') {
        i = 1;
    }
    while i < chars.len() {
        match chars[i] {
            '.' => {
                i += 1;
                let start = i;
                while i < chars.len() && chars[i] != '.' && chars[i] != '[' {
                    i += 1;
                }
                let name: String = chars[start..i].iter().collect();
                if name.is_empty() {
                    return Err(format!("empty field name in {expr:?}"));
                }
                segments.push(if name == "*" { Segment::All } else { Segment::Field(name) });
            }
            '[' => {
                let Some(end) = chars[i..].iter().position(|c| *c == ']').map(|p| i + p) else {
                    return Err(format!("unterminated [ in {expr:?}"));
                };
                let inner: String = chars[i + 1..end].iter().collect();
                let inner = inner.trim();
                if inner == "*" {
                    segments.push(Segment::All);
                } else if let Some(filter) = inner.strip_prefix("?(").and_then(|f| f.strip_suffix(')')) {
                    segments.push(parse_filter(filter)?);
                } else if let Some(key) = quoted(inner) {
                    segments.push(Segment::Field(key));
                } else {
                    let n: i64 = inner.parse().map_err(|_| format!("unsupported index [{inner}] in {expr:?}"))?;
                    segments.push(Segment::Index(n));
                }
                i = end + 1;
            }
            c => return Err(format!("unexpected {c:?} in {expr:?}")),
        }
    }
    Ok(segments)
}

fn quoted(s: &str) -> Option<String> {
    let s = s.trim();
    for q in ['\'', '"'] {
        if s.len() >= 2 && s.starts_with(q) && s.ends_with(q) {
            return Some(s[1..s.len() - 1].to_string());
        }
    }
    None
}

/// `@.type=="InternalIP"`: equality against a literal is all lessons need.
fn parse_filter(filter: &str) -> Result<Segment, String> {
    let Some((left, right)) = filter.split_once("==") else {
        return Err(format!("unsupported filter {filter:?} (use @.field==\"value\")"));
    };
    let left = left.trim();
    let Some(path) = left.strip_prefix("@.") else {
        return Err(format!("unsupported filter {filter:?}"));
    };
    let value = quoted(right).unwrap_or_else(|| right.trim().to_string());
    Ok(Segment::Filter { path: path.split('.').map(str::to_string).collect(), value })
}

fn select<'v>(expr: &str, root: &'v Value) -> Result<Vec<&'v Value>, String> {
    let segments = parse(expr)?;
    let mut current = vec![root];
    for seg in &segments {
        let mut next = Vec::new();
        for v in current {
            match seg {
                Segment::Field(name) => {
                    if let Some(x) = v.get(name.as_str()) {
                        next.push(x);
                    }
                }
                Segment::Index(n) => {
                    if let Value::Array(items) = v {
                        let len = items.len() as i64;
                        let at = if *n < 0 { len + n } else { *n };
                        if let Some(x) = usize::try_from(at).ok().and_then(|a| items.get(a)) {
                            next.push(x);
                        }
                    }
                }
                Segment::All => match v {
                    Value::Array(items) => next.extend(items.iter()),
                    Value::Object(map) => next.extend(map.values()),
                    _ => {}
                },
                Segment::Filter { path, value } => {
                    if let Value::Array(items) = v {
                        for item in items {
                            let mut field = Some(item);
                            for p in path {
                                field = field.and_then(|f| f.get(p.as_str()));
                            }
                            if field.map(print).as_deref() == Some(value.as_str()) {
                                next.push(item);
                            }
                        }
                    }
                }
            }
        }
        current = next;
    }
    Ok(current)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_fields_indexes_filters_and_lists() {
        let svc = json!({
            "metadata": {"name": "web", "labels": {"app": "web"}},
            "spec": {"type": "NodePort", "ports": [{"port": 80, "nodePort": 30080}]},
            "status": {"addresses": [{"type": "InternalIP", "address": "172.18.0.2"}, {"type": "Hostname", "address": "kind-worker"}]}
        });
        assert_eq!(evaluate("{.spec.type}", &svc).as_deref(), Ok("NodePort"));
        assert_eq!(evaluate("{.spec.ports[0].nodePort}", &svc).as_deref(), Ok("30080"));
        assert_eq!(evaluate("{.metadata.labels['app']}", &svc).as_deref(), Ok("web"));
        assert_eq!(
            evaluate("{.status.addresses[?(@.type==\"InternalIP\")].address}", &svc).as_deref(),
            Ok("172.18.0.2")
        );
        assert_eq!(evaluate("{.status.addresses[*].type}", &svc).as_deref(), Ok("InternalIP Hostname"));
        assert_eq!(evaluate("{.spec.ports[-1].port}:{.spec.type}", &svc).as_deref(), Ok("80:NodePort"));
        assert_eq!(evaluate("{.spec.missing}", &svc).as_deref(), Ok(""));
        assert!(evaluate("{.spec[x]}", &svc).is_err());
        assert!(evaluate("{.spec", &svc).is_err());
    }
}
