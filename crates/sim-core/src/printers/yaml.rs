//! `-o yaml`: the server's JSON as kubectl prints it through sigs.k8s.io/yaml, which
//! re-encodes JSON with go-yaml v2. This module copies go-yaml v2's observable
//! choices rather than using a YAML library, because byte-identical output is
//! the point:
//!
//! - map keys sorted with go-yaml's `keyList.Less` (non-letters before letters,
//!   runs of digits compared as numbers);
//! - block style, two-space indent, sequences under a key not indented (`- a`
//!   starts at the key's column), `{}` and `[]` for empty collections;
//! - strings plain when they would read back as the same string and the emitter's
//!   scalar analysis allows it; double-quoted when plain would change their type
//!   (`"80"`, `"true"`, `""`, timestamps like `"2026-01-05T09:00:00Z"`);
//!   single-quoted when only indicators forbid plain (`'*'`, `'a: b'`); literal
//!   blocks (`|`, `|-`) for multi-line text;
//! - long plain and quoted strings folded at spaces past column 80.

use serde_json::Value;

const BEST_WIDTH: usize = 80;
const BEST_INDENT: usize = 2;

/// Writes `value` as one YAML document (no `---`), ending in a newline.
pub fn write(value: &Value, out: &mut String) {
    let mut e = Emitter { out, column: 0 };
    match value {
        Value::Object(map) if !map.is_empty() => e.mapping(map, 0, false),
        Value::Array(items) if !items.is_empty() => e.sequence(items, 0, false),
        other => {
            e.scalar_value(other, 0, false);
            e.newline();
        }
    }
}

/// The text of [`write`].
pub fn to_string(value: &Value) -> String {
    let mut out = String::new();
    write(value, &mut out);
    out
}

struct Emitter<'a> {
    out: &'a mut String,
    column: usize,
}

impl Emitter<'_> {
    fn put(&mut self, s: &str) {
        self.out.push_str(s);
        self.column += s.chars().count();
    }

    fn put_char(&mut self, c: char) {
        self.out.push(c);
        self.column += 1;
    }

    fn newline(&mut self) {
        self.out.push('\n');
        self.column = 0;
    }

    fn pad_to(&mut self, indent: usize) {
        while self.column < indent {
            self.put_char(' ');
        }
    }

    /// A block mapping whose keys start at `indent`. With `inline`, the first key
    /// continues the current line (after `- `).
    fn mapping(&mut self, map: &serde_json::Map<String, Value>, indent: usize, inline: bool) {
        let mut keys: Vec<&String> = map.keys().collect();
        crate::sort::sort_by(&mut keys, |a, b| key_order(a, b));
        for (i, key) in keys.into_iter().enumerate() {
            if i > 0 || !inline {
                self.pad_to(indent);
            }
            self.scalar_string(key, indent, true);
            self.put_char(':');
            let Some(value) = map.get(key) else { continue };
            match value {
                Value::Object(m) if !m.is_empty() => {
                    self.newline();
                    self.mapping(m, indent + BEST_INDENT, false);
                }
                Value::Array(items) if !items.is_empty() => {
                    // go-yaml writes a sequence inside a mapping "indentless".
                    self.newline();
                    self.sequence(items, indent, false);
                }
                other => {
                    self.put_char(' ');
                    self.scalar_value(other, indent + BEST_INDENT, false);
                    self.newline();
                }
            }
        }
    }

    /// A block sequence whose dashes are at `indent`.
    fn sequence(&mut self, items: &[Value], indent: usize, inline: bool) {
        for (i, item) in items.iter().enumerate() {
            if i > 0 || !inline {
                self.pad_to(indent);
            }
            self.put("- ");
            match item {
                Value::Object(m) if !m.is_empty() => self.mapping(m, indent + BEST_INDENT, true),
                Value::Array(inner) if !inner.is_empty() => self.sequence(inner, indent + BEST_INDENT, true),
                other => {
                    self.scalar_value(other, indent + BEST_INDENT, false);
                    self.newline();
                }
            }
        }
    }

    /// A scalar (or empty collection) at the current position; `indent` is where
    /// folded or literal continuation lines start.
    fn scalar_value(&mut self, value: &Value, indent: usize, key: bool) {
        match value {
            Value::Null => self.put("null"),
            Value::Bool(b) => self.put(if *b { "true" } else { "false" }),
            Value::Number(n) => {
                let text = match (n.as_i64(), n.as_u64(), n.as_f64()) {
                    (Some(i), _, _) => i.to_string(),
                    (None, Some(u), _) => u.to_string(),
                    (None, None, Some(f)) => go_float(f),
                    _ => n.to_string(),
                };
                self.put(&text);
            }
            Value::String(s) => self.scalar_string(s, indent, key),
            Value::Array(_) => self.put("[]"),
            Value::Object(_) => self.put("{}"),
        }
    }

    fn scalar_string(&mut self, s: &str, indent: usize, key: bool) {
        let analysis = analyze(s);
        let style = if s.contains('\n') && !key {
            if analysis.block_allowed {
                Style::Literal
            } else {
                Style::DoubleQuoted
            }
        } else if !resolves_to_string(s) {
            Style::DoubleQuoted
        } else if analysis.block_plain_allowed && !(key && analysis.multiline) {
            Style::Plain
        } else if analysis.single_quoted_allowed && !(key && analysis.multiline) {
            Style::SingleQuoted
        } else {
            Style::DoubleQuoted
        };
        match style {
            Style::Plain => self.write_folded(s, indent, !key, None),
            Style::SingleQuoted => {
                self.put_char('\'');
                self.write_folded(s, indent, !key, Some('\''));
                self.put_char('\'');
            }
            Style::DoubleQuoted => self.write_double_quoted(s, indent, !key),
            Style::Literal => self.write_literal(s, indent),
        }
    }

    /// Plain and single-quoted text: a space past the width becomes a line break
    /// (unless the next character is a space too).
    fn write_folded(&mut self, s: &str, indent: usize, allow_breaks: bool, quote: Option<char>) {
        let chars: Vec<char> = s.chars().collect();
        let mut spaces = false;
        for (i, &c) in chars.iter().enumerate() {
            if c == ' ' {
                let next_is_space = chars.get(i + 1) == Some(&' ');
                let last = i + 1 == chars.len();
                let breakable = match quote {
                    None => !next_is_space,
                    Some(_) => i != 0 && !last && !next_is_space,
                };
                if allow_breaks && !spaces && self.column > BEST_WIDTH && breakable {
                    self.newline();
                    self.pad_to(indent);
                } else {
                    self.put_char(c);
                }
                spaces = true;
            } else {
                if Some(c) == quote {
                    self.put_char(c);
                }
                self.put_char(c);
                spaces = false;
            }
        }
    }

    fn write_double_quoted(&mut self, s: &str, indent: usize, allow_breaks: bool) {
        self.put_char('"');
        let chars: Vec<char> = s.chars().collect();
        let mut spaces = false;
        for (i, &c) in chars.iter().enumerate() {
            if !is_printable(c) || c == '\u{FEFF}' || is_break(c) || c == '"' || c == '\\' {
                let escaped = match c {
                    '\0' => "\\0".to_string(),
                    '\u{7}' => "\\a".to_string(),
                    '\u{8}' => "\\b".to_string(),
                    '\t' => "\\t".to_string(),
                    '\n' => "\\n".to_string(),
                    '\u{B}' => "\\v".to_string(),
                    '\u{C}' => "\\f".to_string(),
                    '\r' => "\\r".to_string(),
                    '\u{1B}' => "\\e".to_string(),
                    '"' => "\\\"".to_string(),
                    '\\' => "\\\\".to_string(),
                    '\u{85}' => "\\N".to_string(),
                    '\u{A0}' => "\\_".to_string(),
                    '\u{2028}' => "\\L".to_string(),
                    '\u{2029}' => "\\P".to_string(),
                    c if (c as u32) <= 0xFF => format!("\\x{:02X}", c as u32),
                    c if (c as u32) <= 0xFFFF => format!("\\u{:04X}", c as u32),
                    c => format!("\\U{:08X}", c as u32),
                };
                self.put(&escaped);
                spaces = false;
            } else if c == ' ' {
                if allow_breaks && !spaces && self.column > BEST_WIDTH && i != 0 && i + 1 != chars.len() {
                    self.newline();
                    self.pad_to(indent);
                    if chars.get(i + 1) == Some(&' ') {
                        self.put_char('\\');
                    }
                } else {
                    self.put_char(c);
                }
                spaces = true;
            } else {
                self.put_char(c);
                spaces = false;
            }
        }
        self.put_char('"');
    }

    /// `|` block: chomping `-` without a final newline, `+` with several; an
    /// indentation digit when the text starts with a space.
    fn write_literal(&mut self, s: &str, indent: usize) {
        self.put_char('|');
        if s.starts_with(' ') || s.starts_with('\n') {
            self.put(&BEST_INDENT.to_string());
        }
        if !s.ends_with('\n') {
            self.put_char('-');
        } else if s.len() == 1 || s[..s.len() - 1].ends_with('\n') {
            self.put_char('+');
        }
        self.newline();
        let mut at_line_start = true;
        let body = s.strip_suffix('\n').unwrap_or(s);
        for c in body.chars() {
            if c == '\n' {
                self.newline();
                at_line_start = true;
            } else {
                if at_line_start {
                    self.pad_to(indent);
                    at_line_start = false;
                }
                self.put_char(c);
            }
        }
        // The caller ends the line; a trailing newline of the text is that line end.
    }
}

enum Style {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
}

/// go-yaml's `is_printable` over characters.
fn is_printable(c: char) -> bool {
    let v = c as u32;
    v == 0x0A || (0x20..=0x7E).contains(&v) || (0xA0..=0xD7FF).contains(&v) || ((0xE000..=0xFFFD).contains(&v) && v != 0xFEFF)
}

fn is_break(c: char) -> bool {
    matches!(c, '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

fn is_blank_or_end(c: Option<char>) -> bool {
    match c {
        None => true,
        Some(c) => c == ' ' || c == '\t' || is_break(c),
    }
}

struct Analysis {
    multiline: bool,
    block_plain_allowed: bool,
    single_quoted_allowed: bool,
    block_allowed: bool,
}

/// go-yaml's `yaml_emitter_analyze_scalar`, for block context.
fn analyze(s: &str) -> Analysis {
    if s.is_empty() {
        return Analysis { multiline: false, block_plain_allowed: true, single_quoted_allowed: true, block_allowed: false };
    }
    let chars: Vec<char> = s.chars().collect();
    let mut block_indicators = s.starts_with("---") || s.starts_with("...");
    let (mut leading_space, mut leading_break, mut trailing_space, mut trailing_break) = (false, false, false, false);
    let (mut break_space, mut space_break, mut previous_space, mut previous_break) = (false, false, false, false);
    let (mut line_breaks, mut special_characters) = (false, false);
    let mut preceded_by_whitespace = true;
    let mut followed_by_whitespace = is_blank_or_end(chars.get(1).copied());
    for (i, &c) in chars.iter().enumerate() {
        let first = i == 0;
        let last = i + 1 == chars.len();
        if first {
            if "#,[]{}&*!|>'\"%@`".contains(c) {
                block_indicators = true;
            }
            if (c == '?' || c == ':') && followed_by_whitespace {
                block_indicators = true;
            }
            if c == '-' && followed_by_whitespace {
                block_indicators = true;
            }
        } else {
            if c == ':' && followed_by_whitespace {
                block_indicators = true;
            }
            if c == '#' && preceded_by_whitespace {
                block_indicators = true;
            }
        }
        if !is_printable(c) {
            special_characters = true;
        }
        if is_break(c) {
            line_breaks = true;
        }
        if c == ' ' {
            if first {
                leading_space = true;
            }
            if last {
                trailing_space = true;
            }
            if previous_break {
                break_space = true;
            }
            previous_space = true;
            previous_break = false;
        } else if is_break(c) {
            if first {
                leading_break = true;
            }
            if last {
                trailing_break = true;
            }
            if previous_space {
                space_break = true;
            }
            previous_space = false;
            previous_break = true;
        } else {
            previous_space = false;
            previous_break = false;
        }
        preceded_by_whitespace = c == ' ' || c == '\t' || is_break(c);
        followed_by_whitespace = is_blank_or_end(chars.get(i + 2).copied());
    }
    let mut a = Analysis { multiline: line_breaks, block_plain_allowed: true, single_quoted_allowed: true, block_allowed: true };
    if leading_space || leading_break || trailing_space || trailing_break {
        a.block_plain_allowed = false;
    }
    if trailing_space {
        a.block_allowed = false;
    }
    if break_space {
        a.block_plain_allowed = false;
        a.single_quoted_allowed = false;
    }
    if space_break || special_characters {
        a.block_plain_allowed = false;
        a.single_quoted_allowed = false;
        a.block_allowed = false;
    }
    if line_breaks {
        a.block_plain_allowed = false;
    }
    if block_indicators {
        a.block_plain_allowed = false;
    }
    a
}

/// Whether go-yaml's `resolve` would read `s`, written plain, back as a string
/// (and it is not a YAML 1.1 base-60 float).
fn resolves_to_string(s: &str) -> bool {
    const SPECIAL: &[&str] = &[
        "", "~", "null", "Null", "NULL", "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "true", "True",
        "TRUE", "false", "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF", ".nan", ".NaN", ".NAN", ".inf",
        ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF", "<<",
    ];
    if SPECIAL.contains(&s) {
        return false;
    }
    let Some(first) = s.chars().next() else { return false };
    if first == '.' {
        return s.parse::<f64>().is_err() || s.chars().skip(1).any(|c| c.is_alphabetic());
    }
    if !(first.is_ascii_digit() || first == '+' || first == '-') {
        return true;
    }
    let plain: String = s.chars().filter(|&c| c != '_').collect();
    if go_parse_int(&plain) || is_yaml_float(&plain) || is_binary(&plain) {
        return false;
    }
    if first.is_ascii_digit() && is_timestamp(s) {
        return false;
    }
    !is_base60_float(s)
}

/// `strconv.ParseInt(s, 0, 64)` or `ParseUint` success: decimal, `0x`, `0o`, `0b`
/// or leading-zero octal, with an optional sign.
fn go_parse_int(s: &str) -> bool {
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    if body.is_empty() {
        return false;
    }
    let lower = body.to_ascii_lowercase();
    let (digits, radix) = if let Some(h) = lower.strip_prefix("0x") {
        (h.to_string(), 16)
    } else if let Some(o) = lower.strip_prefix("0o") {
        (o.to_string(), 8)
    } else if let Some(b) = lower.strip_prefix("0b") {
        (b.to_string(), 2)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (lower[1..].to_string(), 8)
    } else {
        (lower.clone(), 10)
    };
    !digits.is_empty() && u64::from_str_radix(&digits, radix).is_ok()
}

fn is_binary(s: &str) -> bool {
    let body = s.strip_prefix('-').unwrap_or(s);
    body.strip_prefix("0b").is_some_and(|b| !b.is_empty() && b.chars().all(|c| c == '0' || c == '1'))
}

/// go-yaml's `yamlStyleFloat`: `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`.
fn is_yaml_float(s: &str) -> bool {
    let b = s.strip_prefix(['+', '-']).unwrap_or(s);
    let (mantissa, exponent) = match b.find(['e', 'E']) {
        Some(i) => (&b[..i], Some(&b[i + 1..])),
        None => (b, None),
    };
    let mantissa_ok = match mantissa.split_once('.') {
        Some(("", frac)) => !frac.is_empty() && frac.chars().all(|c| c.is_ascii_digit()),
        Some((int, frac)) => !int.is_empty() && int.chars().all(|c| c.is_ascii_digit()) && frac.chars().all(|c| c.is_ascii_digit()),
        None => !mantissa.is_empty() && mantissa.chars().all(|c| c.is_ascii_digit()),
    };
    let exponent_ok = match exponent {
        None => true,
        Some(e) => {
            let d = e.strip_prefix(['+', '-']).unwrap_or(e);
            !d.is_empty() && d.chars().all(|c| c.is_ascii_digit())
        }
    };
    mantissa_ok && exponent_ok
}

/// go-yaml's timestamp formats: `2006-1-2`, optionally followed by `T`/`t`/space
/// and a time.
fn is_timestamp(s: &str) -> bool {
    let date_end = s.find(['T', 't', ' ']).unwrap_or(s.len());
    let date: Vec<&str> = s[..date_end].split('-').collect();
    let date_ok = date.len() == 3
        && date[0].len() == 4
        && date.iter().all(|p| !p.is_empty() && p.len() <= 4 && p.chars().all(|c| c.is_ascii_digit()))
        && date[1].len() <= 2
        && date[2].len() <= 2;
    if !date_ok {
        return false;
    }
    if date_end == s.len() {
        return true;
    }
    let time = &s[date_end + 1..];
    // `15:4:5` followed by optional fraction and zone.
    let hms: Vec<&str> = time.splitn(3, ':').collect();
    hms.len() == 3
        && hms[0].len() <= 2
        && hms[0].chars().all(|c| c.is_ascii_digit())
        && hms[1].len() <= 2
        && hms[1].chars().all(|c| c.is_ascii_digit())
        && hms[2].chars().next().is_some_and(|c| c.is_ascii_digit())
}

/// YAML 1.1 sexagesimal floats such as `1:20`, which go-yaml quotes.
fn is_base60_float(s: &str) -> bool {
    let b = s.strip_prefix(['+', '-']).unwrap_or(s);
    let mut parts = b.split(':');
    let Some(head) = parts.next() else { return false };
    if head.is_empty() || !head.starts_with(|c: char| c.is_ascii_digit()) || !head.chars().all(|c| c.is_ascii_digit() || c == '_') {
        return false;
    }
    let rest: Vec<&str> = parts.collect();
    if rest.is_empty() {
        return false;
    }
    for (i, part) in rest.iter().enumerate() {
        let (sexa, frac) = if i + 1 == rest.len() {
            match part.split_once('.') {
                Some((a, f)) => (a, Some(f)),
                None => (*part, None),
            }
        } else {
            (*part, None)
        };
        let ok = (1..=2).contains(&sexa.len())
            && sexa.chars().all(|c| c.is_ascii_digit())
            && (sexa.len() == 1 || sexa.starts_with(|c: char| ('0'..='5').contains(&c)));
        if !ok || frac.is_some_and(|f| !f.chars().all(|c| c.is_ascii_digit() || c == '_')) {
            return false;
        }
    }
    true
}

/// Go's `strconv.FormatFloat(f, 'g', -1, 64)` for the values that occur.
fn go_float(f: f64) -> String {
    if f.is_infinite() {
        return if f > 0.0 { ".inf".into() } else { "-.inf".into() };
    }
    if f.is_nan() {
        return ".nan".into();
    }
    if f == f.trunc() && f.abs() < 1e21 {
        return format!("{}", f as i64);
    }
    format!("{f}")
}

/// go-yaml v2's `keyList.Less`: runes compared one by one; where they differ, a
/// letter sorts after a non-letter, and digit runs compare as numbers.
pub fn key_order(a: &str, b: &str) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    let ar: Vec<char> = a.chars().collect();
    let br: Vec<char> = b.chars().collect();
    let less = |x: &[char], y: &[char]| -> bool {
        for i in 0..x.len().min(y.len()) {
            if x[i] == y[i] {
                continue;
            }
            let al = x[i].is_alphabetic();
            let bl = y[i].is_alphabetic();
            if al && bl {
                return x[i] < y[i];
            }
            if al || bl {
                return bl;
            }
            let mut an: i64 = 0;
            let mut bn: i64 = 0;
            if x[i] == '0' || y[i] == '0' {
                let mut j = i;
                while j > 0 && x[j - 1].is_ascii_digit() {
                    j -= 1;
                    if x[j] != '0' {
                        an = 1;
                        bn = 1;
                        break;
                    }
                }
            }
            let mut ai = i;
            while ai < x.len() && x[ai].is_ascii_digit() {
                an = an.saturating_mul(10).saturating_add(i64::from(x[ai] as u8 - b'0'));
                ai += 1;
            }
            let mut bi = i;
            while bi < y.len() && y[bi].is_ascii_digit() {
                bn = bn.saturating_mul(10).saturating_add(i64::from(y[bi] as u8 - b'0'));
                bi += 1;
            }
            if an != bn {
                return an < bn;
            }
            if ai != bi {
                return ai < bi;
            }
            return x[i] < y[i];
        }
        x.len() < y.len()
    };
    if less(&ar, &br) {
        Ordering::Less
    } else if less(&br, &ar) {
        Ordering::Greater
    } else {
        Ordering::Equal
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// `kubectl create deployment web --image=nginx --replicas=2 --port=80 --dry-run=client -o yaml` (kubectl 1.32).
    #[test]
    fn deployment_like_kubectl() {
        let v = json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"creationTimestamp": null, "labels": {"app": "web"}, "name": "web"},
            "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}}, "strategy": {},
                "template": {"metadata": {"creationTimestamp": null, "labels": {"app": "web"}},
                    "spec": {"containers": [{"image": "nginx", "name": "nginx", "ports": [{"containerPort": 80}], "resources": {}}]}}},
            "status": {}});
        let want = "apiVersion: apps/v1
kind: Deployment
metadata:
  creationTimestamp: null
  labels:
    app: web
  name: web
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web
  strategy: {}
  template:
    metadata:
      creationTimestamp: null
      labels:
        app: web
    spec:
      containers:
      - image: nginx
        name: nginx
        ports:
        - containerPort: 80
        resources: {}
status: {}
";
        assert_eq!(to_string(&v), want);
    }

    /// `kubectl create configmap c --from-literal=K=V ... --dry-run=client -o yaml`,
    /// captured from kubectl 1.32 with these literals.
    #[test]
    fn string_quoting_like_go_yaml() {
        let long = "word ".repeat(30);
        let v = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"creationTimestamp": null, "name": "c"},
            "data": {"port": "80", "flag": "true", "empty": "", "when": "2026-01-05T09:00:00Z", "star": "*",
            "colon": "a: b", "multi": "line1\nline2\n", "nonl": "a\nb", "tab": "a\tb", "ver": "1.0", "oct": "0755",
            "text": "hello world", "dash": "-", "neg": "-x", "yes": "yes", "hash": "a #b", "sexa": "1:20",
            "a10": "x", "a2": "y", "a_b": "z", "aB": "w", "long": long, "sp": " lead", "emoji": "a\u{1F600}",
            "dot": ".5", "date": "2026-01-05", "tilde": "~", "lt": "<b>", "lit": "  indented\nx"}});
        let want = r#"apiVersion: v1
data:
  a_b: z
  a2: "y"
  a10: x
  aB: w
  colon: 'a: b'
  dash: '-'
  date: "2026-01-05"
  dot: ".5"
  emoji: "a\U0001F600"
  empty: ""
  flag: "true"
  hash: 'a #b'
  lit: |2-
      indented
    x
  long: 'word word word word word word word word word word word word word word word
    word word word word word word word word word word word word word word word '
  lt: <b>
  multi: |
    line1
    line2
  neg: -x
  nonl: |-
    a
    b
  oct: "0755"
  port: "80"
  sexa: "1:20"
  sp: ' lead'
  star: '*'
  tab: "a\tb"
  text: hello world
  tilde: "~"
  ver: "1.0"
  when: "2026-01-05T09:00:00Z"
  "yes": "yes"
kind: ConfigMap
metadata:
  creationTimestamp: null
  name: c
"#;
        assert_eq!(to_string(&v), want);
    }

    #[test]
    fn go_yaml_key_order() {
        let mut keys = vec!["b", "a10", "a2", "A", "a_b", "aB", "a"];
        crate::sort::sort_by(&mut keys, |a, b| key_order(a, b));
        assert_eq!(keys, ["A", "a", "a_b", "a2", "a10", "aB", "b"]);
    }

    #[test]
    fn long_strings_fold_at_column_80() {
        let text = "word ".repeat(30);
        let v = json!({"message": text.trim_end()});
        let out = to_string(&v);
        let lines: Vec<&str> = out.lines().collect();
        assert!(lines.len() > 1, "{out}");
        assert!(lines[1].starts_with("  word"), "{out}");
    }

    #[test]
    fn lists_of_lists_and_empty() {
        let v = json!({"a": [["x", "z"], []], "b": [], "c": {}});
        assert_eq!(to_string(&v), "a:\n- - x\n  - z\n- []\nb: []\nc: {}\n");
    }
}

/// Byte-for-byte comparison with the real kubectl 1.32: each `testdata/yaml/cN.json`
/// is `kubectl create ... --dry-run=client -o json`, and `cN.yaml` the same
/// command's `-o yaml` (deployments, services, configmaps, secrets, ingresses,
/// jobs, cronjobs, namespaces, a priority class with a long description).
#[cfg(test)]
mod kubectl_captures {
    const CASES: &[(&str, &str, &str)] = &[
        ("c1", include_str!("testdata/yaml/c1.json"), include_str!("testdata/yaml/c1.yaml")),
        ("c2", include_str!("testdata/yaml/c2.json"), include_str!("testdata/yaml/c2.yaml")),
        ("c3", include_str!("testdata/yaml/c3.json"), include_str!("testdata/yaml/c3.yaml")),
        ("c4", include_str!("testdata/yaml/c4.json"), include_str!("testdata/yaml/c4.yaml")),
        ("c5", include_str!("testdata/yaml/c5.json"), include_str!("testdata/yaml/c5.yaml")),
        ("c6", include_str!("testdata/yaml/c6.json"), include_str!("testdata/yaml/c6.yaml")),
        ("c7", include_str!("testdata/yaml/c7.json"), include_str!("testdata/yaml/c7.yaml")),
        ("c9", include_str!("testdata/yaml/c9.json"), include_str!("testdata/yaml/c9.yaml")),
        ("c10", include_str!("testdata/yaml/c10.json"), include_str!("testdata/yaml/c10.yaml")),
        ("c11", include_str!("testdata/yaml/c11.json"), include_str!("testdata/yaml/c11.yaml")),
        ("c12", include_str!("testdata/yaml/c12.json"), include_str!("testdata/yaml/c12.yaml")),
        ("c13", include_str!("testdata/yaml/c13.json"), include_str!("testdata/yaml/c13.yaml")),
    ];

    #[test]
    fn yaml_of_kubectl_json_is_kubectl_yaml() {
        for (name, json, want) in CASES {
            let value: serde_json::Value = serde_json::from_str(json).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(super::to_string(&value), *want, "{name}");
        }
    }
}

#[cfg(test)]
mod cases_from_kubectl_dry_runs {
    use super::*;
    use serde_json::json;

    /// `kubectl create service nodeport web --tcp=80:8080 --dry-run=client -o yaml`
    /// from the real kubectl 1.32.
    #[test]
    fn service_as_kubectl_prints_it() {
        let v = json!({"apiVersion": "v1", "kind": "Service",
            "metadata": {"creationTimestamp": null, "labels": {"app": "web"}, "name": "web"},
            "spec": {"ports": [{"name": "80-8080", "nodePort": 30080, "port": 80, "protocol": "TCP", "targetPort": 8080}],
                     "selector": {"app": "web"}, "type": "NodePort"},
            "status": {"loadBalancer": {}}});
        let want = "apiVersion: v1\nkind: Service\nmetadata:\n  creationTimestamp: null\n  labels:\n    app: web\n  name: web\nspec:\n  ports:\n  - name: 80-8080\n    nodePort: 30080\n    port: 80\n    protocol: TCP\n    targetPort: 8080\n  selector:\n    app: web\n  type: NodePort\nstatus:\n  loadBalancer: {}\n";
        assert_eq!(to_string(&v), want);
    }

    #[test]
    fn strings_are_quoted_only_when_needed() {
        let v = json!({"a": "80", "b": "true", "c": "", "d": "nginx:1.27", "e": "*x", "f": "a: b", "g": "yes", "h": "1.5", "i": "2024-01-01", "j": "- x", "k": "it's"});
        let want = "a: \"80\"\nb: \"true\"\nc: \"\"\nd: nginx:1.27\ne: '*x'\nf: 'a: b'\ng: \"yes\"\nh: \"1.5\"\ni: \"2024-01-01\"\nj: '- x'\nk: it's\n";
        assert_eq!(to_string(&v), want);
    }

    #[test]
    fn multi_line_strings_are_literal_blocks() {
        let v = json!({"metadata": {"annotations": {"x": "{\"a\":1}\n", "w": "a\nb"}}});
        assert_eq!(to_string(&v), "metadata:\n  annotations:\n    w: |-\n      a\n      b\n    x: |\n      {\"a\":1}\n");
    }

    #[test]
    fn long_plain_strings_fold_past_column_80() {
        let words = "word ".repeat(30);
        let v = json!({"k": words.trim_end()});
        let text = to_string(&v);
        assert!(text.lines().count() > 1, "{text}");
        assert!(text.lines().skip(1).all(|l| l.starts_with("  word")), "{text}");
    }

    #[test]
    fn nested_sequences_and_natural_key_order() {
        let v = json!({"a10": 1, "a2": 2, "list": [["x", "z"], []]});
        assert_eq!(to_string(&v), "a2: 2\na10: 1\nlist:\n- - x\n  - z\n- []\n");
    }
}
