//! `-o json`: Go's `json.MarshalIndent(obj, "", "    ")` of the server's object as
//! kubectl prints it.
//!
//! kubectl holds objects as unstructured maps, and Go's encoder writes map keys in
//! byte order, so every object's keys come out sorted. Strings are escaped as Go
//! escapes them, HTML-safe: `<`, `>` and `&` become `\u003c`, `\u003e`, `\u0026`.

use serde_json::Value;

/// Writes `value` indented by four spaces, with a final newline (kubectl's JSON
/// printer adds it).
pub fn write(value: &Value, out: &mut String) {
    write_value(value, 0, out);
    out.push('\n');
}

/// The text of [`write`].
pub fn to_string(value: &Value) -> String {
    let mut out = String::new();
    write(value, &mut out);
    out
}

fn indent(level: usize, out: &mut String) {
    for _ in 0..level {
        out.push_str("    ");
    }
}

fn write_value(value: &Value, level: usize, out: &mut String) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => write_string(s, out),
        Value::Array(items) => {
            if items.is_empty() {
                out.push_str("[]");
                return;
            }
            out.push_str("[\n");
            for (i, item) in items.iter().enumerate() {
                indent(level + 1, out);
                write_value(item, level + 1, out);
                if i + 1 < items.len() {
                    out.push(',');
                }
                out.push('\n');
            }
            indent(level, out);
            out.push(']');
        }
        Value::Object(map) => {
            if map.is_empty() {
                out.push_str("{}");
                return;
            }
            let mut keys: Vec<&String> = map.keys().collect();
            crate::sort::sort(&mut keys);
            out.push_str("{\n");
            for (i, key) in keys.iter().enumerate() {
                indent(level + 1, out);
                write_string(key, out);
                out.push_str(": ");
                if let Some(v) = map.get(*key) {
                    write_value(v, level + 1, out);
                }
                if i + 1 < keys.len() {
                    out.push(',');
                }
                out.push('\n');
            }
            indent(level, out);
            out.push('}');
        }
    }
}

/// Go's `encoding/json` string encoding with HTML escaping.
pub fn write_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => out.push_str(&format!("\\u{:04x}", c as u32)),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The shape of `kubectl create deployment web --image=nginx --dry-run=client -o json`.
    #[test]
    fn sorted_keys_four_space_indent() {
        let v = json!({"kind": "Deployment", "apiVersion": "apps/v1", "metadata": {"name": "web", "labels": {"app": "web"}},
                       "spec": {"replicas": 1, "strategy": {}, "template": {"spec": {"containers": [{"name": "nginx", "image": "nginx", "resources": {}}]}}},
                       "status": {}});
        let want = r#"{
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {
        "labels": {
            "app": "web"
        },
        "name": "web"
    },
    "spec": {
        "replicas": 1,
        "strategy": {},
        "template": {
            "spec": {
                "containers": [
                    {
                        "image": "nginx",
                        "name": "nginx",
                        "resources": {}
                    }
                ]
            }
        }
    },
    "status": {}
}
"#;
        assert_eq!(to_string(&v), want);
    }

    #[test]
    fn html_characters_are_escaped_as_go_does() {
        assert_eq!(to_string(&json!("a<b>&\"\u{1}")), "\"a\\u003cb\\u003e\\u0026\\\"\\u0001\"\n");
        assert_eq!(to_string(&json!([])), "[]\n");
    }
}
