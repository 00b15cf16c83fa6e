//! `-o yaml` as kubectl writes it: `sigs.k8s.io/yaml.Marshal`, i.e. the object's JSON
//! re-encoded by go-yaml v2.
//!
//! What go-yaml v2 does and this copies: mapping keys sorted (with its "natural"
//! order, digit runs compared as numbers), two-space indentation, sequences under a
//! mapping key not indented (`key:\n- a`), `{}` and `[]` for empty collections,
//! strings plain when they cannot be read back as anything else, double-quoted
//! when they would resolve to a bool, number, null or timestamp (`"80"`, `"true"`),
//! single-quoted when plain style is not allowed by the emitter (leading `*`, `: `
//! inside...), literal blocks (`|`, `|-`) for multi-line strings, and plain or
//! quoted scalars folded at spaces past column 80 (the emitter's best width).

use serde_json::Value;

/// go-yaml v2's `best_width`: plain and quoted scalars are folded at a space past it.
const BEST_WIDTH: usize = 80;

/// The YAML text of `value`, ending in a newline.
pub fn to_string(value: &Value) -> String {
    let mut out = String::new();
    write(value, &mut out);
    out
}

/// Writes `value` as a YAML document (no `---` marker), ending in a newline.
pub fn write(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) if !map.is_empty() => write_mapping(value, 0, out),
        Value::Array(items) if !items.is_empty() => write_sequence(items, 0, out),
        other => {
            write_scalar(other, 0, 0, out);
            out.push('\n');
        }
    }
}

fn push_indent(n: usize, out: &mut String) {
    for _ in 0..n {
        out.push(' ');
    }
}

/// The column the cursor is at on the current line.
fn column(out: &str) -> usize {
    match out.rfind('\n') {
        Some(i) => out[i + 1..].chars().count(),
        None => out.chars().count(),
    }
}

/// A mapping whose first key goes where the cursor is (after `- ` or at an
/// indentation already written); later keys at `indent`.
fn write_mapping(value: &Value, indent: usize, out: &mut String) {
    let Value::Object(map) = value else { return };
    let mut keys: Vec<&String> = map.keys().collect();
    keys.sort_by(|a, b| natural_cmp(a, b));
    for (i, key) in keys.iter().enumerate() {
        if i > 0 {
            push_indent(indent, out);
        }
        write_string(key, indent, true, out);
        out.push(':');
        let Some(v) = map.get(*key) else { continue };
        match v {
            Value::Object(m) if !m.is_empty() => {
                out.push('\n');
                push_indent(indent + 2, out);
                write_mapping(v, indent + 2, out);
            }
            Value::Array(items) if !items.is_empty() => {
                // go-yaml does not indent a block sequence that is a mapping value.
                out.push('\n');
                write_sequence(items, indent, out);
            }
            other => {
                out.push(' ');
                write_scalar(other, indent + 2, indent, out);
                out.push('\n');
            }
        }
    }
}

fn write_sequence(items: &[Value], indent: usize, out: &mut String) {
    for item in items {
        push_indent(indent, out);
        out.push_str("- ");
        match item {
            Value::Object(m) if !m.is_empty() => write_mapping(item, indent + 2, out),
            Value::Array(inner) if !inner.is_empty() => {
                // A sequence in a sequence starts on the same line: `- - a`.
                let mut nested = String::new();
                write_sequence(inner, indent + 2, &mut nested);
                out.push_str(nested.trim_start());
            }
            other => {
                write_scalar(other, indent + 2, indent, out);
                out.push('\n');
            }
        }
    }
}

/// A scalar (or empty collection) at the cursor; `indent` is where continuation lines
/// of a folded scalar go, `block_indent` the parent's indentation (literal blocks are
/// indented two more than it).
fn write_scalar(value: &Value, indent: usize, block_indent: usize, out: &mut String) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&go_number(n)),
        Value::String(s) => {
            if s.contains('\n') && literal_allowed(s) {
                write_literal(s, block_indent + 2, out);
            } else {
                write_string(s, indent, false, out);
            }
        }
        Value::Array(_) => out.push_str("[]"),
        Value::Object(_) => out.push_str("{}"),
    }
}

/// JSON numbers as Go's encoder and go-yaml write them: integers as integers, floats
/// with `strconv.FormatFloat(f, 'g', -1, 64)`.
fn go_number(n: &serde_json::Number) -> String {
    if n.is_i64() || n.is_u64() {
        return n.to_string();
    }
    let f = n.as_f64().unwrap_or(0.0);
    if f.fract() == 0.0 && f.abs() < 1e21 {
        // sigs.k8s.io/yaml decodes JSON numbers as int64 when they fit, float64 otherwise;
        // a whole float prints like an integer.
        return format!("{}", f as i64);
    }
    let s = format!("{f}");
    if f.abs() >= 1e21 || (f != 0.0 && f.abs() < 1e-4) {
        let e = format!("{f:e}");
        // Rust `1e21` → Go `1e+21`.
        return match e.split_once('e') {
            Some((m, exp)) if !exp.starts_with('-') => format!("{m}e+{exp}"),
            _ => e,
        };
    }
    s
}

/// A string scalar in the style go-yaml picks: double-quoted when the plain form
/// would read back as another type, plain when the emitter allows it, single-quoted
/// otherwise.
fn write_string(s: &str, indent: usize, simple_key: bool, out: &mut String) {
    if resolves_to_non_string(s) {
        write_double_quoted(s, indent, simple_key, out);
        return;
    }
    let analysis = analyze(s);
    if !simple_key && analysis.multiline {
        write_double_quoted(s, indent, simple_key, out);
    } else if analysis.plain_allowed(simple_key) {
        write_folded(s, indent, simple_key, out, false);
    } else if analysis.single_quoted_allowed(simple_key) {
        out.push('\'');
        write_folded(&s.replace('\'', "''"), indent, simple_key, out, true);
        out.push('\'');
    } else {
        write_double_quoted(s, indent, simple_key, out);
    }
}

/// Writes `s` breaking at single spaces once past the best width, as the emitter's
/// `write_plain_scalar` / `write_single_quoted_scalar` do.
fn write_folded(s: &str, indent: usize, simple_key: bool, out: &mut String, quoted: bool) {
    let chars: Vec<char> = s.chars().collect();
    let mut col = column(out);
    let mut prev_space = false;
    for (i, &c) in chars.iter().enumerate() {
        if c == ' ' {
            let next_is_space = chars.get(i + 1) == Some(&' ');
            let at_edge = i == 0 || i + 1 == chars.len();
            if !simple_key && !prev_space && col > BEST_WIDTH && !next_is_space && !(quoted && at_edge) {
                out.push('\n');
                push_indent(indent, out);
                col = indent;
                prev_space = true;
                continue;
            }
            prev_space = true;
        } else {
            prev_space = false;
        }
        out.push(c);
        col += 1;
    }
}

fn write_double_quoted(s: &str, indent: usize, simple_key: bool, out: &mut String) {
    out.push('"');
    let mut col = column(out);
    let chars: Vec<char> = s.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\0' => out.push_str("\\0"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{b}' => out.push_str("\\v"),
            '\u{c}' => out.push_str("\\f"),
            '\u{1b}' => out.push_str("\\e"),
            '\u{85}' => out.push_str("\\N"),
            '\u{a0}' => out.push_str("\\_"),
            '\u{2028}' => out.push_str("\\L"),
            '\u{2029}' => out.push_str("\\P"),
            ' ' if !simple_key && col > BEST_WIDTH && i > 0 && i + 1 < chars.len() && chars[i + 1] != ' ' && chars[i - 1] != ' ' => {
                // A fold in a double-quoted scalar: newline, indentation, and a `\` when
                // the next line would start with a space.
                out.push('\n');
                push_indent(indent, out);
                col = indent;
                continue;
            }
            c if (c as u32) < 0x20 || c == '\u{7f}' => out.push_str(&format!("\\x{:02X}", c as u32)),
            c => out.push(c),
        }
        col = column(out);
    }
    out.push('"');
}

/// A literal block scalar: `|` (one trailing newline), `|-` (none) or `|+` (more),
/// with an indentation indicator when the text starts with a space.
fn write_literal(s: &str, indent: usize, out: &mut String) {
    out.push('|');
    if s.starts_with(' ') || s.starts_with('\n') {
        out.push('2');
    }
    if !s.ends_with('\n') {
        out.push('-');
    } else if s.ends_with("\n\n") {
        out.push('+');
    }
    out.push('\n');
    let body = s.strip_suffix('\n').unwrap_or(s);
    // `|+` keeps every trailing newline: the last one is the line end written below.
    for line in body.split('\n') {
        if !line.is_empty() {
            push_indent(indent, out);
            out.push_str(line);
        }
        out.push('\n');
    }
    // Callers add the newline that ends the value; a literal block already ended it.
    if out.ends_with('\n') {
        out.pop();
    }
}

fn literal_allowed(s: &str) -> bool {
    // libyaml refuses block styles for strings with trailing spaces on a line, special
    // characters, or a space right before a line break.
    !s.contains(" \n")
        && !s.ends_with(' ')
        && s.chars().all(|c| c == '\n' || c == '\t' || (c >= ' ' && c != '\u{7f}') && c != '\u{feff}')
}

/// The parts of libyaml's `yaml_emitter_analyze_scalar` that decide the style.
struct Analysis {
    empty: bool,
    multiline: bool,
    flow_plain_allowed: bool,
    block_plain_allowed: bool,
    single_quoted_allowed: bool,
}

impl Analysis {
    fn plain_allowed(&self, simple_key: bool) -> bool {
        !self.empty && !self.multiline && self.block_plain_allowed && (!simple_key || self.flow_plain_allowed || true)
    }

    fn single_quoted_allowed(&self, simple_key: bool) -> bool {
        self.single_quoted_allowed && !(simple_key && self.multiline)
    }
}

fn analyze(s: &str) -> Analysis {
    let mut a = Analysis {
        empty: s.is_empty(),
        multiline: false,
        flow_plain_allowed: true,
        block_plain_allowed: true,
        single_quoted_allowed: true,
    };
    if s.is_empty() {
        a.block_plain_allowed = false;
        a.flow_plain_allowed = false;
        return a;
    }
    if s.starts_with("---") || s.starts_with("...") {
        a.block_plain_allowed = false;
        a.flow_plain_allowed = false;
    }
    let chars: Vec<char> = s.chars().collect();
    let mut flow_indicators = false;
    let mut block_indicators = false;
    let mut leading_space = false;
    let mut leading_break = false;
    let mut trailing_space = false;
    let mut trailing_break = false;
    let mut break_space = false;
    let mut space_break = false;
    let mut previous_space = false;
    let mut previous_break = false;
    let mut special_characters = false;
    let mut line_breaks = false;
    let n = chars.len();
    for (i, &c) in chars.iter().enumerate() {
        let first = i == 0;
        let last = i + 1 == n;
        let next = chars.get(i + 1).copied();
        let next_is_blankz = matches!(next, None | Some(' ' | '\t' | '\r' | '\n'));
        let preceded_by_whitespace = i == 0 || matches!(chars[i - 1], ' ' | '\t' | '\r' | '\n');
        if first {
            match c {
                '#' | ',' | '[' | ']' | '{' | '}' | '&' | '*' | '!' | '|' | '>' | '\'' | '"' | '%' | '@' | '`' => {
                    flow_indicators = true;
                    block_indicators = true;
                }
                '?' | ':' => {
                    flow_indicators = true;
                    if next_is_blankz {
                        block_indicators = true;
                    }
                }
                '-' if next_is_blankz => {
                    flow_indicators = true;
                    block_indicators = true;
                }
                _ => {}
            }
        } else {
            match c {
                ',' | '?' | '[' | ']' | '{' | '}' => flow_indicators = true,
                ':' => {
                    flow_indicators = true;
                    if next_is_blankz {
                        block_indicators = true;
                    }
                }
                '#' if preceded_by_whitespace => {
                    flow_indicators = true;
                    block_indicators = true;
                }
                _ => {}
            }
        }
        let printable = c == '\t' || c == '\n' || c == '\r' || (c >= ' ' && c != '\u{7f}' && c != '\u{feff}' && !('\u{80}'..='\u{9f}').contains(&c) && c != '\u{fffe}' && c != '\u{ffff}');
        if !printable || (!c.is_ascii() && false) {
            special_characters = true;
        }
        if c == '\n' || c == '\r' {
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
        } else if c == '\n' || c == '\r' {
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
    }
    a.multiline = line_breaks;
    if leading_space || leading_break || trailing_space || trailing_break {
        a.flow_plain_allowed = false;
        a.block_plain_allowed = false;
    }
    if trailing_space {
        // Block styles only; quoted styles still fine.
    }
    if break_space {
        a.flow_plain_allowed = false;
        a.block_plain_allowed = false;
        a.single_quoted_allowed = false;
    }
    if space_break || special_characters {
        a.flow_plain_allowed = false;
        a.block_plain_allowed = false;
        a.single_quoted_allowed = false;
    }
    if line_breaks {
        a.flow_plain_allowed = false;
        a.block_plain_allowed = false;
    }
    if flow_indicators {
        a.flow_plain_allowed = false;
    }
    if block_indicators {
        a.block_plain_allowed = false;
    }
    a
}

/// Whether go-yaml v2's resolver would read the plain string as something other than
/// a string (bool in YAML 1.1 spelling, null, int, float, timestamp), so that the
/// encoder must quote it.
fn resolves_to_non_string(s: &str) -> bool {
    const WORDS: &[&str] = &[
        "", "~", "null", "Null", "NULL", "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "true", "True",
        "TRUE", "false", "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF", ".nan", ".NaN", ".NAN", ".inf",
        ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF", "<<",
    ];
    if WORDS.contains(&s) {
        return true;
    }
    let first = s.chars().next().unwrap_or(' ');
    if !(first.is_ascii_digit() || matches!(first, '-' | '+' | '.')) {
        return false;
    }
    is_yaml_int(s) || is_yaml_float(s) || is_timestamp(s)
}

fn is_yaml_int(s: &str) -> bool {
    let plain = s.replace('_', "");
    let body = plain.strip_prefix(['-', '+']).unwrap_or(&plain);
    if body.is_empty() {
        return false;
    }
    if let Some(hex) = body.strip_prefix("0x") {
        return !hex.is_empty() && hex.chars().all(|c| c.is_ascii_hexdigit());
    }
    if let Some(bin) = body.strip_prefix("0b") {
        return !bin.is_empty() && bin.chars().all(|c| c == '0' || c == '1');
    }
    body.chars().all(|c| c.is_ascii_digit())
}

/// `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$` (go-yaml's float pattern).
fn is_yaml_float(s: &str) -> bool {
    let plain = s.replace('_', "");
    let body = plain.strip_prefix(['-', '+']).unwrap_or(&plain);
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    let mantissa_ok = match mantissa.split_once('.') {
        Some((int, frac)) => {
            (int.is_empty() && !frac.is_empty() && frac.chars().all(|c| c.is_ascii_digit()))
                || (!int.is_empty() && int.chars().all(|c| c.is_ascii_digit()) && frac.chars().all(|c| c.is_ascii_digit()))
        }
        None => !mantissa.is_empty() && mantissa.chars().all(|c| c.is_ascii_digit()),
    };
    let exponent_ok = match exponent {
        None => true,
        Some(e) => {
            let digits = e.strip_prefix(['-', '+']).unwrap_or(e);
            !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit())
        }
    };
    mantissa_ok && exponent_ok
}

/// go-yaml v2 resolves `2006-01-02` (and full timestamps) to a time.
fn is_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 10
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[5..7].iter().all(u8::is_ascii_digit)
        && b[7] == b'-'
        && b[8..10].iter().all(u8::is_ascii_digit)
        && (b.len() == 10 || matches!(b[10], b'T' | b't' | b' '))
}

/// go-yaml v2's `keyList.Less`: letters compared as runes, runs of digits compared
/// as numbers, so `a2` sorts before `a10`.
fn natural_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    let ar: Vec<char> = a.chars().collect();
    let br: Vec<char> = b.chars().collect();
    let mut i = 0;
    while i < ar.len() && i < br.len() {
        if ar[i] == br[i] {
            i += 1;
            continue;
        }
        let al = ar[i].is_alphabetic();
        let bl = br[i].is_alphabetic();
        if al && bl {
            return ar[i].cmp(&br[i]);
        }
        if al || bl {
            return if bl { Ordering::Less } else { Ordering::Greater };
        }
        // Digits: compare the whole digit runs starting at the common prefix's digit run.
        let mut start = i;
        while start > 0 && ar[start - 1].is_ascii_digit() {
            start -= 1;
        }
        let run = |r: &[char]| {
            let mut j = start;
            let mut n: u128 = 0;
            let mut digits = false;
            while j < r.len() && r[j].is_ascii_digit() {
                n = n.saturating_mul(10).saturating_add(u128::from(r[j] as u8 - b'0'));
                j += 1;
                digits = true;
            }
            (digits, n)
        };
        let (ad, an) = run(&ar);
        let (bd, bn) = run(&br);
        if ad && bd && an != bn {
            return an.cmp(&bn);
        }
        return ar[i].cmp(&br[i]);
    }
    ar.len().cmp(&br.len())
}

#[cfg(test)]
mod tests {
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
