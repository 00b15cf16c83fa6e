//! kubectl's JSONPath templates (k8s.io/client-go/util/jsonpath), used by
//! `-o jsonpath=...`, `-o jsonpath-as-json=...`, `-o custom-columns=...` and
//! `--sort-by`.
//!
//! A template is text with actions in braces: `{.items[*].metadata.name}`,
//! `{range .items[*]}{.metadata.name}{"\n"}{end}`, `{.items[0].status.addresses[?(@.type=="InternalIP")].address}`,
//! slices `[1:3]`, `[-1:]`, wildcards `[*]` and `.*`, recursive descent `..name`,
//! quoted literals, bracketed field names `['app.kubernetes.io/name']`. Several
//! results of one action are separated by a space; strings print raw and
//! everything else as compact JSON, as client-go's `PrintResults` does.

use serde_json::Value;

/// One piece of a parsed template.
#[derive(Clone, Debug, PartialEq)]
enum Segment {
    Text(String),
    /// An action: a list of steps evaluated from the current value (or the root
    /// for `$`).
    Action { root: bool, steps: Vec<Step> },
    /// A literal inside braces: `{"\n"}`.
    Literal(String),
    /// `{range <path>}` ... `{end}`.
    Range { root: bool, steps: Vec<Step>, body: Vec<Segment> },
}

#[derive(Clone, Debug, PartialEq)]
enum Step {
    Field(String),
    /// `.*` or `[*]`: every element or every value.
    Wildcard,
    /// `..name` (or `..*`).
    Recursive(Option<String>),
    /// `[i]` or `[a:b:c]`.
    Slice { start: Option<i64>, end: Option<i64>, step: Option<i64>, single: bool },
    /// `[a,b]` union of indexes or names.
    Union(Vec<UnionItem>),
    Filter(Filter),
}

#[derive(Clone, Debug, PartialEq)]
enum UnionItem {
    Index(i64),
    Name(String),
}

#[derive(Clone, Debug, PartialEq)]
struct Filter {
    left: Operand,
    /// `None` for an existence test `[?(@.x)]`.
    comparison: Option<(String, Operand)>,
}

#[derive(Clone, Debug, PartialEq)]
enum Operand {
    Path(Vec<Step>),
    Literal(Value),
}

/// A parsed template.
#[derive(Clone, Debug, PartialEq)]
pub struct JsonPath {
    segments: Vec<Segment>,
}

/// `RelaxedJSONPathExpression` (kubectl get): `.metadata.name`, `metadata.name`
/// and `{.metadata.name}` all mean `{.metadata.name}`.
pub fn relaxed(expression: &str) -> Result<String, String> {
    let trimmed = expression.trim();
    if trimmed.is_empty() {
        return Ok(String::new());
    }
    // kubectl's pattern `^\{\.?([^{}]+)\}$|^\.?([^{}]+)$`: braces come in a pair
    // around the whole path or not at all.
    let inner = match trimmed.strip_prefix('{').and_then(|t| t.strip_suffix('}')) {
        Some(braced) => braced,
        None => trimmed,
    };
    if inner.contains('{') || inner.contains('}') {
        return Err("unexpected path string, expected a 'name1.name2' or '.name1.name2' or '{name1.name2}' or '{.name1.name2}'".to_string());
    }
    let inner = inner.strip_prefix('.').unwrap_or(inner);
    Ok(format!("{{.{inner}}}"))
}

impl JsonPath {
    /// Parses a template; errors are worded as client-go's parser words them.
    pub fn parse(template: &str) -> Result<JsonPath, String> {
        let chars: Vec<char> = template.chars().collect();
        let mut pos = 0;
        let mut stack: Vec<(bool, Vec<Step>, Vec<Segment>)> = Vec::new();
        let mut current: Vec<Segment> = Vec::new();
        while pos < chars.len() {
            let Some(open) = (pos..chars.len()).find(|&i| chars[i] == '{') else {
                current.push(Segment::Text(chars[pos..].iter().collect()));
                break;
            };
            if open > pos {
                current.push(Segment::Text(chars[pos..open].iter().collect()));
            }
            let close = find_close(&chars, open + 1).ok_or_else(|| "unclosed action".to_string())?;
            let inside: String = chars[open + 1..close].iter().collect();
            pos = close + 1;
            let inside = inside.trim();
            if let Some(rest) = inside.strip_prefix("range ") {
                let (root, steps) = parse_path(rest.trim())?;
                stack.push((root, steps, std::mem::take(&mut current)));
            } else if inside == "end" {
                let Some((root, steps, outer)) = stack.pop() else {
                    return Err("not in range, nothing to end".to_string());
                };
                let body = std::mem::replace(&mut current, outer);
                current.push(Segment::Range { root, steps, body });
            } else if inside.starts_with('"') || inside.starts_with('\'') {
                current.push(Segment::Literal(unquote(inside)?));
            } else if inside.is_empty() {
                continue;
            } else {
                let (root, steps) = parse_path(inside)?;
                current.push(Segment::Action { root, steps });
            }
        }
        if !stack.is_empty() {
            return Err("unclosed range".to_string());
        }
        Ok(JsonPath { segments: current })
    }

    /// Runs the template over `data`. With `allow_missing` (kubectl's default,
    /// `--allow-missing-template-keys=true`) a missing field prints nothing.
    pub fn execute(&self, data: &Value, allow_missing: bool) -> Result<String, String> {
        let mut out = String::new();
        run_segments(&self.segments, data, data, allow_missing, &mut out)?;
        Ok(out)
    }

    /// The values the template's actions produce, for `jsonpath-as-json` and custom
    /// columns.
    pub fn values(&self, data: &Value, allow_missing: bool) -> Result<Vec<Value>, String> {
        let mut values = Vec::new();
        collect_values(&self.segments, data, data, allow_missing, &mut values)?;
        Ok(values)
    }
}

fn find_close(chars: &[char], mut i: usize) -> Option<usize> {
    let mut quote: Option<char> = None;
    while i < chars.len() {
        let c = chars[i];
        match quote {
            Some(q) => {
                if c == '\\' {
                    i += 1;
                } else if c == q {
                    quote = None;
                }
            }
            None => {
                if c == '"' || c == '\'' {
                    quote = Some(c);
                } else if c == '}' {
                    return Some(i);
                }
            }
        }
        i += 1;
    }
    None
}

/// Go's `strconv.Unquote` for the literals templates use.
fn unquote(s: &str) -> Result<String, String> {
    let quote = s.chars().next().unwrap_or('"');
    let inner = s
        .strip_prefix(quote)
        .and_then(|r| r.strip_suffix(quote))
        .ok_or_else(|| format!("unclosed quote in {s}"))?;
    let mut out = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('\\') => out.push('\\'),
            Some('"') => out.push('"'),
            Some('\'') => out.push('\''),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    Ok(out)
}

/// Parses `.a.b[0]`, `$.a`, `@.a`, `..a`, `['a.b']` into steps.
fn parse_path(text: &str) -> Result<(bool, Vec<Step>), String> {
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    let mut root = false;
    if chars.first() == Some(&'$') {
        root = true;
        i = 1;
    } else if chars.first() == Some(&'@') {
        i = 1;
    }
    let mut steps = Vec::new();
    while i < chars.len() {
        match chars[i] {
            '.' => {
                if chars.get(i + 1) == Some(&'.') {
                    i += 2;
                    let (name, next) = read_name(&chars, i);
                    i = next;
                    steps.push(Step::Recursive(if name.is_empty() || name == "*" { None } else { Some(name) }));
                    continue;
                }
                i += 1;
                let (name, next) = read_name(&chars, i);
                i = next;
                if name == "*" {
                    steps.push(Step::Wildcard);
                } else if !name.is_empty() {
                    steps.push(Step::Field(name));
                }
            }
            '[' => {
                // client-go's parser errors: an open filter, a filter not
                // followed by `]`, an open index.
                let close = find_bracket_close(&chars, i).ok_or_else(|| {
                    let rest: String = chars[i..].iter().collect();
                    if !rest.starts_with("[?(") {
                        "unterminated array".to_string()
                    } else if rest.contains(')') {
                        "unclosed array expect ]".to_string()
                    } else {
                        "unterminated filter".to_string()
                    }
                })?;
                let inner: String = chars[i + 1..close].iter().collect();
                steps.push(parse_bracket(inner.trim())?);
                i = close + 1;
            }
            ' ' => i += 1,
            c if c.is_alphanumeric() || c == '_' => {
                // A path may start without a dot inside filters (`@.a` is usual) or
                // in relaxed forms.
                let (name, next) = read_name(&chars, i);
                i = next;
                steps.push(Step::Field(name));
            }
            c => return Err(format!("unrecognized character in action: U+{:04X} '{c}'", c as u32)),
        }
    }
    Ok((root, steps))
}

/// A field name up to the next `.` or `[`; `\.` keeps a dot in the name.
fn read_name(chars: &[char], mut i: usize) -> (String, usize) {
    let mut name = String::new();
    while i < chars.len() {
        let c = chars[i];
        if c == '\\' && chars.get(i + 1) == Some(&'.') {
            name.push('.');
            i += 2;
            continue;
        }
        if c == '.' || c == '[' || c == ' ' {
            break;
        }
        name.push(c);
        i += 1;
    }
    (name, i)
}

fn find_bracket_close(chars: &[char], open: usize) -> Option<usize> {
    let mut depth = 0;
    let mut quote: Option<char> = None;
    for (i, &c) in chars.iter().enumerate().skip(open) {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None => match c {
                '\'' | '"' => quote = Some(c),
                '[' | '(' => depth += 1,
                ']' | ')' => {
                    depth -= 1;
                    if depth == 0 && c == ']' {
                        return Some(i);
                    }
                }
                _ => {}
            },
        }
    }
    None
}

fn parse_bracket(inner: &str) -> Result<Step, String> {
    if inner == "*" {
        return Ok(Step::Wildcard);
    }
    if let Some(filter) = inner.strip_prefix("?(").and_then(|f| f.strip_suffix(')')) {
        return parse_filter(filter.trim()).map(Step::Filter);
    }
    if (inner.starts_with('\'') && inner.ends_with('\'')) || (inner.starts_with('"') && inner.ends_with('"')) {
        if inner.contains(',') {
            let names = inner.split(',').map(|p| unquote(p.trim()).map(UnionItem::Name)).collect::<Result<Vec<_>, _>>()?;
            return Ok(Step::Union(names));
        }
        return Ok(Step::Field(unquote(inner)?));
    }
    if inner.contains(',') {
        let items = inner
            .split(',')
            .map(|p| p.trim().parse::<i64>().map(UnionItem::Index).map_err(|_| format!("invalid array index {p}")))
            .collect::<Result<Vec<_>, _>>()?;
        return Ok(Step::Union(items));
    }
    let parts: Vec<&str> = inner.split(':').collect();
    if parts.len() > 3 {
        return Err(format!("invalid array index {inner}"));
    }
    let number = |s: &str| -> Result<Option<i64>, String> {
        let s = s.trim();
        if s.is_empty() {
            Ok(None)
        } else {
            s.parse::<i64>().map(Some).map_err(|_| format!("invalid array index {s}"))
        }
    };
    let start = number(parts.first().copied().unwrap_or(""))?;
    if parts.len() == 1 {
        if start.is_none() {
            return Err(format!("invalid array index {inner}"));
        }
        return Ok(Step::Slice { start, end: start.map(|s| s + 1), step: None, single: true });
    }
    let end = number(parts.get(1).copied().unwrap_or(""))?;
    let step = number(parts.get(2).copied().unwrap_or(""))?;
    Ok(Step::Slice { start, end, step, single: false })
}

fn parse_filter(text: &str) -> Result<Filter, String> {
    for op in ["==", "!=", "<=", ">=", "<", ">"] {
        if let Some((l, r)) = split_outside_quotes(text, op) {
            return Ok(Filter { left: parse_operand(l.trim())?, comparison: Some((op.to_string(), parse_operand(r.trim())?)) });
        }
    }
    Ok(Filter { left: parse_operand(text)?, comparison: None })
}

fn split_outside_quotes<'a>(text: &'a str, op: &str) -> Option<(&'a str, &'a str)> {
    let mut quote: Option<char> = None;
    for (i, c) in text.char_indices() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '"' || c == '\'' => quote = Some(c),
            None if text[i..].starts_with(op) => return Some((&text[..i], &text[i + op.len()..])),
            None => {}
        }
    }
    None
}

fn parse_operand(text: &str) -> Result<Operand, String> {
    if text.starts_with('@') || text.starts_with('$') || text.starts_with('.') {
        return parse_path(text).map(|(_, steps)| Operand::Path(steps));
    }
    if text.starts_with('"') || text.starts_with('\'') {
        return unquote(text).map(|s| Operand::Literal(Value::String(s)));
    }
    if text == "true" || text == "false" {
        return Ok(Operand::Literal(Value::Bool(text == "true")));
    }
    if let Ok(i) = text.parse::<i64>() {
        return Ok(Operand::Literal(Value::from(i)));
    }
    if let Ok(f) = text.parse::<f64>() {
        return Ok(Operand::Literal(Value::from(f)));
    }
    Err(format!("unrecognized filter operand {text}"))
}

fn run_segments(segments: &[Segment], current: &Value, root: &Value, allow_missing: bool, out: &mut String) -> Result<(), String> {
    for segment in segments {
        match segment {
            Segment::Text(t) | Segment::Literal(t) => out.push_str(t),
            Segment::Action { root: from_root, steps } => {
                let start = if *from_root { root } else { current };
                let results = evaluate(steps, start, allow_missing)?;
                for (i, r) in results.iter().enumerate() {
                    if i > 0 {
                        out.push(' ');
                    }
                    out.push_str(&text_of(r));
                }
            }
            Segment::Range { root: from_root, steps, body } => {
                let start = if *from_root { root } else { current };
                let results = evaluate(steps, start, allow_missing)?;
                // `range` over one array result iterates its elements.
                let items: Vec<Value> = match results.as_slice() {
                    [Value::Array(items)] => items.clone(),
                    other => other.to_vec(),
                };
                for item in &items {
                    run_segments(body, item, root, allow_missing, out)?;
                }
            }
        }
    }
    Ok(())
}

fn collect_values(segments: &[Segment], current: &Value, root: &Value, allow_missing: bool, values: &mut Vec<Value>) -> Result<(), String> {
    for segment in segments {
        match segment {
            Segment::Text(_) => {}
            Segment::Literal(t) => values.push(Value::String(t.clone())),
            Segment::Action { root: from_root, steps } => {
                let start = if *from_root { root } else { current };
                values.extend(evaluate(steps, start, allow_missing)?);
            }
            Segment::Range { root: from_root, steps, body } => {
                let start = if *from_root { root } else { current };
                let results = evaluate(steps, start, allow_missing)?;
                let items: Vec<Value> = match results.as_slice() {
                    [Value::Array(items)] => items.clone(),
                    other => other.to_vec(),
                };
                for item in &items {
                    collect_values(body, item, root, allow_missing, values)?;
                }
            }
        }
    }
    Ok(())
}

/// How a result prints: strings raw, everything else compact JSON (keys sorted,
/// as Go marshals maps).
pub fn text_of(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => compact_json(other),
    }
}

/// Compact JSON with sorted keys and Go's HTML escaping.
pub fn compact_json(v: &Value) -> String {
    match v {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            crate::sort::sort(&mut keys);
            let parts: Vec<String> = keys
                .iter()
                .map(|k| {
                    let mut key = String::new();
                    crate::printers::json::write_string(k, &mut key);
                    format!("{key}:{}", map.get(*k).map(compact_json).unwrap_or_default())
                })
                .collect();
            format!("{{{}}}", parts.join(","))
        }
        Value::Array(items) => format!("[{}]", items.iter().map(compact_json).collect::<Vec<_>>().join(",")),
        Value::String(s) => {
            let mut out = String::new();
            crate::printers::json::write_string(s, &mut out);
            out
        }
        other => other.to_string(),
    }
}

fn evaluate(steps: &[Step], start: &Value, allow_missing: bool) -> Result<Vec<Value>, String> {
    let mut current = vec![start.clone()];
    for step in steps {
        let mut next = Vec::new();
        for value in &current {
            apply(step, value, allow_missing, &mut next)?;
        }
        current = next;
    }
    Ok(current)
}

fn apply(step: &Step, value: &Value, allow_missing: bool, next: &mut Vec<Value>) -> Result<(), String> {
    match step {
        Step::Field(name) => match value {
            Value::Object(map) => match map.get(name) {
                Some(v) => next.push(v.clone()),
                None if allow_missing => {}
                None => return Err(format!("{name} is not found")),
            },
            _ if allow_missing => {}
            _ => return Err(format!("{name} is not found")),
        },
        Step::Wildcard => match value {
            Value::Array(items) => next.extend(items.iter().cloned()),
            Value::Object(map) => {
                let mut keys: Vec<&String> = map.keys().collect();
                crate::sort::sort(&mut keys);
                next.extend(keys.into_iter().filter_map(|k| map.get(k).cloned()));
            }
            _ => {}
        },
        Step::Recursive(name) => recurse(value, name.as_deref(), next),
        Step::Slice { start, end, step, single } => {
            let Value::Array(items) = value else {
                if allow_missing {
                    return Ok(());
                }
                return Err("not an array".to_string());
            };
            let len = items.len() as i64;
            let norm = |i: i64| if i < 0 { (len + i).max(0) } else { i.min(len) };
            if *single {
                let index = start.unwrap_or(0);
                let i = if index < 0 { len + index } else { index };
                if i < 0 || i >= len {
                    if allow_missing {
                        return Ok(());
                    }
                    return Err(format!("array index out of bounds: index {index}, length {len}"));
                }
                if let Some(v) = items.get(i as usize) {
                    next.push(v.clone());
                }
                return Ok(());
            }
            let from = norm(start.unwrap_or(0));
            let to = norm(end.unwrap_or(len));
            let by = step.unwrap_or(1).max(1);
            let mut i = from;
            while i < to {
                if let Some(v) = items.get(i as usize) {
                    next.push(v.clone());
                }
                i += by;
            }
        }
        Step::Union(items) => {
            for item in items {
                match (item, value) {
                    (UnionItem::Index(i), Value::Array(arr)) => {
                        let len = arr.len() as i64;
                        let idx = if *i < 0 { len + i } else { *i };
                        if let Some(v) = usize::try_from(idx).ok().and_then(|u| arr.get(u)) {
                            next.push(v.clone());
                        }
                    }
                    (UnionItem::Name(n), Value::Object(map)) => {
                        if let Some(v) = map.get(n) {
                            next.push(v.clone());
                        }
                    }
                    _ => {}
                }
            }
        }
        Step::Filter(filter) => {
            let candidates: Vec<&Value> = match value {
                Value::Array(items) => items.iter().collect(),
                Value::Object(map) => map.values().collect(),
                _ => Vec::new(),
            };
            for candidate in candidates {
                if filter_matches(filter, candidate)? {
                    next.push(candidate.clone());
                }
            }
        }
    }
    Ok(())
}

fn recurse(value: &Value, name: Option<&str>, out: &mut Vec<Value>) {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            crate::sort::sort(&mut keys);
            match name {
                Some(n) => {
                    if let Some(v) = map.get(n) {
                        out.push(v.clone());
                    }
                }
                None => out.extend(keys.iter().filter_map(|k| map.get(*k).cloned())),
            }
            for k in keys {
                if let Some(v) = map.get(k) {
                    recurse(v, name, out);
                }
            }
        }
        Value::Array(items) => {
            if name.is_none() {
                out.extend(items.iter().cloned());
            }
            for item in items {
                recurse(item, name, out);
            }
        }
        _ => {}
    }
}

fn operand_values(operand: &Operand, candidate: &Value) -> Result<Vec<Value>, String> {
    match operand {
        Operand::Literal(v) => Ok(vec![v.clone()]),
        Operand::Path(steps) => evaluate(steps, candidate, true),
    }
}

fn filter_matches(filter: &Filter, candidate: &Value) -> Result<bool, String> {
    let left = operand_values(&filter.left, candidate)?;
    let Some((op, right)) = &filter.comparison else {
        return Ok(!left.is_empty());
    };
    let right = operand_values(right, candidate)?;
    let (Some(l), Some(r)) = (left.first(), right.first()) else {
        return Ok(false);
    };
    let ordering = match (l, r) {
        (Value::Number(a), Value::Number(b)) => a.as_f64().zip(b.as_f64()).and_then(|(a, b)| a.partial_cmp(&b)),
        (Value::String(a), Value::String(b)) => Some(a.cmp(b)),
        (a, b) if a == b => Some(std::cmp::Ordering::Equal),
        _ => None,
    };
    Ok(match (op.as_str(), ordering) {
        ("==", o) => o == Some(std::cmp::Ordering::Equal),
        ("!=", o) => o != Some(std::cmp::Ordering::Equal),
        ("<", Some(o)) => o == std::cmp::Ordering::Less,
        (">", Some(o)) => o == std::cmp::Ordering::Greater,
        ("<=", Some(o)) => o != std::cmp::Ordering::Greater,
        (">=", Some(o)) => o != std::cmp::Ordering::Less,
        _ => false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(template: &str, data: &Value) -> String {
        JsonPath::parse(template).and_then(|p| p.execute(data, true)).unwrap_or_else(|e| format!("ERR {e}"))
    }

    fn list() -> Value {
        json!({"kind": "List", "items": [
            {"metadata": {"name": "a", "labels": {"app.kubernetes.io/name": "x"}}, "status": {"addresses": [{"type": "InternalIP", "address": "172.18.0.2"}, {"type": "Hostname", "address": "a"}]}},
            {"metadata": {"name": "b"}, "spec": {"replicas": 3}}
        ]})
    }

    #[test]
    fn fields_wildcards_and_ranges() {
        assert_eq!(run("{.items[*].metadata.name}", &list()), "a b");
        assert_eq!(run("{range .items[*]}{.metadata.name}{\"\\n\"}{end}", &list()), "a\nb\n");
        assert_eq!(run("{.items[0].status.addresses[?(@.type==\"InternalIP\")].address}", &list()), "172.18.0.2");
        assert_eq!(run("{.items[-1:].metadata.name}", &list()), "b");
        assert_eq!(run("{.items[1].spec}", &list()), "{\"replicas\":3}");
        assert_eq!(run("{..replicas}", &list()), "3");
        assert_eq!(run("{.items[0].metadata.labels['app.kubernetes.io/name']}", &list()), "x");
        assert_eq!(run("{.items[0].metadata.labels.app\\.kubernetes\\.io/name}", &list()), "x");
        assert_eq!(run("names: {.items[*].metadata.name}!", &list()), "names: a b!");
        assert_eq!(run("{.nothing}", &list()), "");
        assert_eq!(run("{.items[?(@.spec.replicas>2)].metadata.name}", &list()), "b");
    }

    #[test]
    fn relaxed_expressions() {
        assert_eq!(relaxed(".metadata.name"), Ok("{.metadata.name}".to_string()));
        assert_eq!(relaxed("metadata.name"), Ok("{.metadata.name}".to_string()));
        assert_eq!(relaxed("{.metadata.name}"), Ok("{.metadata.name}".to_string()));
    }

    #[test]
    fn missing_keys_fail_when_not_allowed() {
        let p = JsonPath::parse("{.nothing}").unwrap_or_else(|e| panic!("{e}"));
        assert!(p.execute(&list(), false).is_err());
        assert!(JsonPath::parse("{range .items[*]}{.x}").is_err());
        assert_eq!(JsonPath::parse("{.items[}").err().as_deref(), Some("unterminated array"));
        assert_eq!(JsonPath::parse("{.a[?(@.b==1).c}").err().as_deref(), Some("unclosed array expect ]"));
    }
}
