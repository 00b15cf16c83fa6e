//! Label selectors: the string form `kubectl -l` takes, `metav1.LabelSelector`, matching,
//! and the formatting kubectl's printers use.
//!
//! The grammar, the error texts and the canonical string form follow
//! `k8s.io/apimachinery/pkg/labels/selector.go` (the lexer/parser behind `labels.Parse`)
//! and `pkg/apis/meta/v1/helpers.go` (`LabelSelectorAsSelector`, `FormatLabelSelector`).
//! A parsed selector keeps its requirements sorted by key, as `labels.Parse` does, so
//! `String()` of `b=1,a=2` is `a=2,b=1`.

use std::collections::BTreeMap;
use std::fmt;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;

/// A requirement's operator (`selection.Operator`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operator {
    /// `k in (a,b)`
    In,
    /// `k notin (a,b)`
    NotIn,
    /// `k=v`
    Equals,
    /// `k==v`
    DoubleEquals,
    /// `k!=v`
    NotEquals,
    /// `k`
    Exists,
    /// `!k`
    DoesNotExist,
    /// `k>3` (only in string selectors; node affinity's `Gt`)
    GreaterThan,
    /// `k<3`
    LessThan,
}

/// One requirement: a key, an operator and a (sorted, deduplicated) set of values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Requirement {
    pub key: String,
    pub operator: Operator,
    pub values: Vec<String>,
}

impl Requirement {
    /// Whether a label set satisfies the requirement (`Requirement.Matches`).
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        let value = labels.get(&self.key);
        match self.operator {
            Operator::In | Operator::Equals | Operator::DoubleEquals => {
                value.is_some_and(|v| self.values.iter().any(|x| x == v))
            }
            Operator::NotIn | Operator::NotEquals => value.map_or(true, |v| !self.values.iter().any(|x| x == v)),
            Operator::Exists => value.is_some(),
            Operator::DoesNotExist => value.is_none(),
            Operator::GreaterThan | Operator::LessThan => {
                // Upstream parses both sides as int64 and fails the match on any error.
                let Some(have) = value.and_then(|v| v.parse::<i64>().ok()) else { return false };
                let Some(want) = self.values.first().and_then(|v| v.parse::<i64>().ok()) else { return false };
                if self.operator == Operator::GreaterThan {
                    have > want
                } else {
                    have < want
                }
            }
        }
    }
}

impl fmt::Display for Requirement {
    /// `Requirement.String()`: `!k`, `k`, `k=v`, `k==v`, `k!=v`, `k in (a,b)`, `k notin (a)`, `k>1`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let joined = || self.values.join(",");
        match self.operator {
            Operator::DoesNotExist => write!(f, "!{}", self.key),
            Operator::Exists => write!(f, "{}", self.key),
            Operator::Equals => write!(f, "{}={}", self.key, joined()),
            Operator::DoubleEquals => write!(f, "{}=={}", self.key, joined()),
            Operator::NotEquals => write!(f, "{}!={}", self.key, joined()),
            Operator::In => write!(f, "{} in ({})", self.key, joined()),
            Operator::NotIn => write!(f, "{} notin ({})", self.key, joined()),
            Operator::GreaterThan => write!(f, "{}>{}", self.key, joined()),
            Operator::LessThan => write!(f, "{}<{}", self.key, joined()),
        }
    }
}

/// A selector: the conjunction of its requirements. `Nothing` is what a nil
/// `*metav1.LabelSelector` converts to: it matches no object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Selector {
    Requirements(Vec<Requirement>),
    Nothing,
}

impl Selector {
    /// The selector that matches everything (`labels.Everything()`).
    pub fn everything() -> Selector {
        Selector::Requirements(Vec::new())
    }

    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        match self {
            Selector::Requirements(reqs) => reqs.iter().all(|r| r.matches(labels)),
            Selector::Nothing => false,
        }
    }

    /// Matches an optional label map (an object's `metadata.labels`).
    pub fn matches_opt(&self, labels: Option<&BTreeMap<String, String>>) -> bool {
        static EMPTY: BTreeMap<String, String> = BTreeMap::new();
        self.matches(labels.unwrap_or(&EMPTY))
    }

    pub fn is_empty(&self) -> bool {
        matches!(self, Selector::Requirements(r) if r.is_empty())
    }

    pub fn requirements(&self) -> &[Requirement] {
        match self {
            Selector::Requirements(r) => r,
            Selector::Nothing => &[],
        }
    }
}

impl fmt::Display for Selector {
    /// `Selector.String()`: requirements joined by `,`; empty for Everything and Nothing.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for r in self.requirements() {
            if !first {
                f.write_str(",")?;
            }
            first = false;
            write!(f, "{r}")?;
        }
        Ok(())
    }
}

/// `labels.FormatLabels`: `k=v,k2=v2` sorted by key, or `<none>`.
pub fn format_labels(labels: Option<&BTreeMap<String, String>>) -> String {
    match labels {
        Some(map) if !map.is_empty() => map.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(","),
        _ => "<none>".to_string(),
    }
}

/// `metav1.FormatLabelSelector`: the selector's string, `<none>` when empty (or nil),
/// `<error>` when it cannot be converted.
pub fn format_label_selector(selector: Option<&LabelSelector>) -> String {
    match label_selector_as_selector(selector) {
        Ok(s) => {
            let text = s.to_string();
            if text.is_empty() {
                "<none>".to_string()
            } else {
                text
            }
        }
        Err(_) => "<error>".to_string(),
    }
}

/// `metav1.LabelSelectorAsSelector`: nil → Nothing, empty → Everything, otherwise the
/// matchLabels as `=` requirements plus the matchExpressions, sorted by key.
pub fn label_selector_as_selector(selector: Option<&LabelSelector>) -> Result<Selector, String> {
    let Some(ls) = selector else { return Ok(Selector::Nothing) };
    let match_labels = ls.match_labels.as_ref();
    let exprs = ls.match_expressions.as_deref().unwrap_or(&[]);
    if match_labels.map_or(0, |m| m.len()) + exprs.len() == 0 {
        return Ok(Selector::everything());
    }
    let mut reqs = Vec::new();
    for (k, v) in match_labels.into_iter().flatten() {
        reqs.push(new_requirement(k, Operator::Equals, vec![v.clone()], "")?);
    }
    for e in exprs {
        let op = match e.operator.as_str() {
            "In" => Operator::In,
            "NotIn" => Operator::NotIn,
            "Exists" => Operator::Exists,
            "DoesNotExist" => Operator::DoesNotExist,
            other => return Err(format!("{other:?} is not a valid label selector operator")),
        };
        reqs.push(new_requirement(&e.key, op, e.values.clone().unwrap_or_default(), "")?);
    }
    crate::sort::sort_by(&mut reqs, |a, b| a.key.cmp(&b.key));
    Ok(Selector::Requirements(reqs))
}

/// Whether a `metav1.LabelSelector` matches a label map. A nil selector matches
/// nothing and an invalid one matches nothing, as the controllers treat them.
pub fn label_selector_matches(selector: Option<&LabelSelector>, labels: Option<&BTreeMap<String, String>>) -> bool {
    label_selector_as_selector(selector).map_or(false, |s| s.matches_opt(labels))
}

/// A selector from a plain map, as a Service's `spec.selector` is
/// (`labels.SelectorFromSet`): every pair an `=` requirement. An empty map selects everything.
pub fn selector_from_map(map: &BTreeMap<String, String>) -> Selector {
    Selector::Requirements(
        map.iter()
            .map(|(k, v)| Requirement { key: k.clone(), operator: Operator::Equals, values: vec![v.clone()] })
            .collect(),
    )
}

/// Whether every pair of `selector` is in `labels` (`labels.SelectorFromSet(sel).Matches`).
pub fn map_matches(selector: &BTreeMap<String, String>, labels: Option<&BTreeMap<String, String>>) -> bool {
    selector.iter().all(|(k, v)| labels.and_then(|l| l.get(k)) == Some(v))
}

// ---------------------------------------------------------------------------------
// Parsing: `labels.Parse`.

#[derive(Clone, Debug, PartialEq, Eq)]
enum Token {
    Error(String),
    EndOfString,
    ClosedPar,
    Comma,
    DoesNotExist,
    DoubleEquals,
    Equals,
    GreaterThan,
    Identifier(String),
    In,
    LessThan,
    NotEquals,
    NotIn,
    OpenPar,
}

impl Token {
    /// The literal the upstream lexer returns with the token; error messages quote it.
    fn literal(&self) -> String {
        match self {
            Token::Error(s) | Token::Identifier(s) => s.clone(),
            Token::EndOfString => String::new(),
            Token::ClosedPar => ")".into(),
            Token::Comma => ",".into(),
            Token::DoesNotExist => "!".into(),
            Token::DoubleEquals => "==".into(),
            Token::Equals => "=".into(),
            Token::GreaterThan => ">".into(),
            Token::In => "in".into(),
            Token::LessThan => "<".into(),
            Token::NotEquals => "!=".into(),
            Token::NotIn => "notin".into(),
            Token::OpenPar => "(".into(),
        }
    }
}

fn is_whitespace(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

fn is_special(c: char) -> bool {
    matches!(c, '=' | '!' | '(' | ')' | ',' | '>' | '<')
}

fn special_token(s: &str) -> Option<Token> {
    Some(match s {
        ")" => Token::ClosedPar,
        "," => Token::Comma,
        "!" => Token::DoesNotExist,
        "==" => Token::DoubleEquals,
        "=" => Token::Equals,
        ">" => Token::GreaterThan,
        "<" => Token::LessThan,
        "!=" => Token::NotEquals,
        "(" => Token::OpenPar,
        _ => return None,
    })
}

/// The lexer: whitespace separates, runs of special characters form the longest known
/// operator, everything else is an identifier (`in`/`notin` are keywords).
fn lex(input: &str) -> Vec<Token> {
    let chars: Vec<char> = input.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars.get(i).copied().unwrap_or(' ');
        if is_whitespace(c) {
            i += 1;
        } else if is_special(c) {
            // Longest match, as `scanSpecialSymbol` does: keep extending while the
            // buffer is still a known symbol.
            let mut buffer = String::new();
            let mut last: Option<(Token, usize)> = None;
            let mut j = i;
            while let Some(&ch) = chars.get(j) {
                if !is_special(ch) {
                    break;
                }
                buffer.push(ch);
                match special_token(&buffer) {
                    Some(t) => {
                        last = Some((t, j + 1));
                        j += 1;
                    }
                    None => break,
                }
            }
            match last {
                Some((t, end)) => {
                    tokens.push(t);
                    i = end;
                }
                None => {
                    tokens.push(Token::Error(format!("error expected: keyword found '{buffer}'")));
                    return tokens;
                }
            }
        } else {
            let mut word = String::new();
            while let Some(&ch) = chars.get(i) {
                if is_whitespace(ch) || is_special(ch) {
                    break;
                }
                word.push(ch);
                i += 1;
            }
            tokens.push(match word.as_str() {
                "in" => Token::In,
                "notin" => Token::NotIn,
                _ => Token::Identifier(word),
            });
        }
    }
    tokens.push(Token::EndOfString);
    tokens
}

/// The two lexing contexts of the upstream parser: where a value is expected, `in`
/// and `notin` are plain identifiers.
#[derive(Clone, Copy, PartialEq)]
enum Context {
    KeyAndOperator,
    Values,
}

struct Parser {
    tokens: Vec<Token>,
    position: usize,
}

impl Parser {
    fn lookahead(&self, ctx: Context) -> Token {
        let t = self.tokens.get(self.position).cloned().unwrap_or(Token::EndOfString);
        contextual(t, ctx)
    }

    fn consume(&mut self, ctx: Context) -> Token {
        let t = self.lookahead(ctx);
        if self.position < self.tokens.len() {
            self.position += 1;
        }
        t
    }
}

fn contextual(t: Token, ctx: Context) -> Token {
    match (ctx, t) {
        (Context::Values, Token::In) => Token::Identifier("in".into()),
        (Context::Values, Token::NotIn) => Token::Identifier("notin".into()),
        (_, t) => t,
    }
}

/// `labels.Parse`: the selector string kubectl's `-l`/`--selector` takes. Errors are
/// the apimachinery messages, e.g. `unable to parse requirement: found '', expected: '('`.
pub fn parse(input: &str) -> Result<Selector, String> {
    let mut p = Parser { tokens: lex(input), position: 0 };
    let mut reqs = Vec::new();
    loop {
        let t = p.lookahead(Context::Values);
        match t {
            Token::Identifier(_) | Token::DoesNotExist => {
                let r = parse_requirement(&mut p).map_err(|e| format!("unable to parse requirement: {e}"))?;
                reqs.push(r);
                let t = p.consume(Context::Values);
                match t {
                    Token::EndOfString => break,
                    Token::Comma => {
                        let t2 = p.lookahead(Context::Values);
                        if !matches!(t2, Token::Identifier(_) | Token::DoesNotExist) {
                            return Err(format!("found '{}', expected: identifier after ','", t2.literal()));
                        }
                    }
                    other => return Err(format!("found '{}', expected: ',' or 'end of string'", other.literal())),
                }
            }
            Token::EndOfString => break,
            other => return Err(format!("found '{}', expected: !, identifier, or 'end of string'", other.literal())),
        }
    }
    crate::sort::sort_by(&mut reqs, |a, b| a.key.cmp(&b.key));
    Ok(Selector::Requirements(reqs))
}

fn parse_requirement(p: &mut Parser) -> Result<Requirement, String> {
    // parseKeyAndInferOperator
    let mut inferred = None;
    let mut t = p.consume(Context::Values);
    if t == Token::DoesNotExist {
        inferred = Some(Operator::DoesNotExist);
        t = p.consume(Context::Values);
    }
    let Token::Identifier(key) = t else {
        return Err(format!("found '{}', expected: identifier", t.literal()));
    };
    if let Some(e) = validate_label_key(&key) {
        // Upstream validates with a nil field path, which prints as `<nil>`.
        return Err(format!("<nil>: Invalid value: {key:?}: {e}"));
    }
    if matches!(p.lookahead(Context::Values), Token::EndOfString | Token::Comma) && inferred.is_none() {
        inferred = Some(Operator::Exists);
    }
    if let Some(op) = inferred {
        return new_requirement(&key, op, Vec::new(), "");
    }
    // parseOperator
    let t = p.consume(Context::KeyAndOperator);
    let op = match t {
        Token::In => Operator::In,
        Token::Equals => Operator::Equals,
        Token::DoubleEquals => Operator::DoubleEquals,
        Token::GreaterThan => Operator::GreaterThan,
        Token::LessThan => Operator::LessThan,
        Token::NotIn => Operator::NotIn,
        Token::NotEquals => Operator::NotEquals,
        other => return Err(format!("found '{}', expected: in, notin, =, ==, !=, gt, lt", other.literal())),
    };
    let values = match op {
        Operator::In | Operator::NotIn => parse_values(p)?,
        _ => parse_exact_value(p)?,
    };
    new_requirement(&key, op, values, "")
}

fn parse_values(p: &mut Parser) -> Result<Vec<String>, String> {
    let t = p.consume(Context::Values);
    if t != Token::OpenPar {
        return Err(format!("found '{}' expected: '('", t.literal()));
    }
    let t = p.lookahead(Context::Values);
    match t {
        Token::Identifier(_) | Token::Comma => {
            let values = parse_identifiers_list(p)?;
            let closing = p.consume(Context::Values);
            if closing != Token::ClosedPar {
                // Upstream quotes the token it looked at before the list, not the closing one.
                return Err(format!("found '{}', expected: ')'", t.literal()));
            }
            Ok(values)
        }
        Token::ClosedPar => {
            p.consume(Context::Values);
            Ok(vec![String::new()])
        }
        other => Err(format!("found '{}', expected: ',', ')' or identifier", other.literal())),
    }
}

fn parse_identifiers_list(p: &mut Parser) -> Result<Vec<String>, String> {
    let mut set: Vec<String> = Vec::new();
    let insert = |set: &mut Vec<String>, v: String| {
        if !set.contains(&v) {
            set.push(v);
        }
    };
    loop {
        let t = p.consume(Context::Values);
        match t {
            Token::Identifier(v) => {
                insert(&mut set, v);
                match p.lookahead(Context::Values) {
                    Token::Comma => continue,
                    Token::ClosedPar => break,
                    other => return Err(format!("found '{}', expected: ',' or ')'", other.literal())),
                }
            }
            Token::Comma => {
                // `(,a)`, `(a,)` and `(a,,b)` each carry an empty value.
                if set.is_empty() {
                    insert(&mut set, String::new());
                }
                match p.lookahead(Context::Values) {
                    Token::ClosedPar => {
                        insert(&mut set, String::new());
                        break;
                    }
                    Token::Comma => {
                        p.consume(Context::Values);
                        insert(&mut set, String::new());
                    }
                    _ => {}
                }
            }
            other => return Err(format!("found '{}', expected: ',', or identifier", other.literal())),
        }
    }
    crate::sort::sort(&mut set);
    Ok(set)
}

fn parse_exact_value(p: &mut Parser) -> Result<Vec<String>, String> {
    if matches!(p.lookahead(Context::Values), Token::EndOfString | Token::Comma) {
        return Ok(vec![String::new()]);
    }
    match p.consume(Context::Values) {
        Token::Identifier(v) => Ok(vec![v]),
        other => Err(format!("found '{}', expected: identifier", other.literal())),
    }
}

/// `labels.NewRequirement`: validates key, operator arity and values. `path` prefixes
/// field paths (empty at the root).
fn new_requirement(key: &str, op: Operator, mut values: Vec<String>, path: &str) -> Result<Requirement, String> {
    let field = |name: &str| if path.is_empty() { name.to_string() } else { format!("{path}.{name}") };
    let mut errs = Vec::new();
    if let Some(e) = validate_label_key(key) {
        errs.push(format!("{}: Invalid value: {key:?}: {e}", field("key")));
    }
    let values_path = field("values");
    let show = |v: &[String]| format!("[]string{{{}}}", v.iter().map(|s| format!("{s:?}")).collect::<Vec<_>>().join(", "));
    match op {
        Operator::In | Operator::NotIn if values.is_empty() => errs.push(format!(
            "{values_path}: Invalid value: {}: for 'in', 'notin' operators, values set can't be empty",
            show(&values)
        )),
        Operator::Equals | Operator::DoubleEquals | Operator::NotEquals if values.len() != 1 => errs.push(format!(
            "{values_path}: Invalid value: {}: exact-match compatibility requires one single value",
            show(&values)
        )),
        Operator::Exists | Operator::DoesNotExist if !values.is_empty() => errs.push(format!(
            "{values_path}: Invalid value: {}: values set must be empty for exists and does not exist",
            show(&values)
        )),
        Operator::GreaterThan | Operator::LessThan => {
            if values.len() != 1 {
                errs.push(format!(
                    "{values_path}: Invalid value: {}: for 'Gt', 'Lt' operators, exactly one value is required",
                    show(&values)
                ));
            }
            for (i, v) in values.iter().enumerate() {
                if v.parse::<i64>().is_err() {
                    errs.push(format!(
                        "{values_path}[{i}]: Invalid value: {v:?}: for 'Gt', 'Lt' operators, the value must be an integer"
                    ));
                }
            }
        }
        _ => {}
    }
    for (i, v) in values.iter().enumerate() {
        if let Some(e) = validate_label_value(v) {
            errs.push(format!("{values_path}[{i}][{key}]: Invalid value: {v:?}: {e}"));
        }
    }
    match errs.len() {
        0 => {
            crate::sort::sort(&mut values);
            values.dedup();
            Ok(Requirement { key: key.to_string(), operator: op, values })
        }
        // `utilerrors.Aggregate` prints one error bare and several in brackets.
        1 => Err(errs.remove(0)),
        _ => Err(format!("[{}]", errs.join(", "))),
    }
}

// ---------------------------------------------------------------------------------
// Validation: `k8s.io/apimachinery/pkg/util/validation`.

const QUALIFIED_NAME_FMT: &str = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
const QUALIFIED_NAME_ERR: &str =
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const DNS1123_SUBDOMAIN_ERR: &str = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

fn is_qualified_name_part(s: &str) -> bool {
    let b = s.as_bytes();
    let alnum = |c: &u8| c.is_ascii_alphanumeric();
    !b.is_empty()
        && b.first().is_some_and(alnum)
        && b.last().is_some_and(alnum)
        && b.iter().all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
}

fn is_dns1123_subdomain(s: &str) -> bool {
    !s.is_empty()
        && s.split('.').all(|label| {
            let b = label.as_bytes();
            let ok = |c: &u8| c.is_ascii_lowercase() || c.is_ascii_digit();
            !b.is_empty() && b.first().is_some_and(ok) && b.last().is_some_and(ok) && b.iter().all(|c| ok(c) || *c == b'-')
        })
}

/// `validation.IsQualifiedName` joined by `; `, or `None` when valid.
pub fn validate_label_key(key: &str) -> Option<String> {
    let parts: Vec<&str> = key.split('/').collect();
    let mut errs = Vec::new();
    let name = match parts.as_slice() {
        [name] => *name,
        [prefix, name] => {
            if prefix.is_empty() {
                errs.push("prefix part must be non-empty".to_string());
            } else {
                if prefix.len() > 253 {
                    errs.push("prefix part must be no more than 253 characters".to_string());
                }
                if !is_dns1123_subdomain(prefix) {
                    errs.push(format!("prefix part {DNS1123_SUBDOMAIN_ERR}"));
                }
            }
            *name
        }
        _ => {
            return Some(format!(
                "a qualified name {QUALIFIED_NAME_ERR} (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '{QUALIFIED_NAME_FMT}') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"
            ))
        }
    };
    if name.is_empty() {
        errs.push("name part must be non-empty".to_string());
    } else if name.len() > 63 {
        errs.push("name part must be no more than 63 characters".to_string());
    }
    if !name.is_empty() && !is_qualified_name_part(name) {
        errs.push(format!(
            "name part {QUALIFIED_NAME_ERR} (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '{QUALIFIED_NAME_FMT}')"
        ));
    }
    if errs.is_empty() {
        None
    } else {
        Some(errs.join("; "))
    }
}

/// `validation.IsValidLabelValue` joined by `; `, or `None` when valid.
pub fn validate_label_value(value: &str) -> Option<String> {
    let mut errs = Vec::new();
    if value.len() > 63 {
        errs.push("must be no more than 63 characters".to_string());
    }
    if !value.is_empty() && !is_qualified_name_part(value) {
        errs.push("a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')".to_string());
    }
    if errs.is_empty() {
        None
    } else {
        Some(errs.join("; "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelectorRequirement;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn parses_every_operator_and_prints_canonically() {
        let s = parse("tier notin (b, a), app==web, !canary, env, x!=y, z in (c,a)").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.to_string(), "app==web,!canary,env,tier notin (a,b),x!=y,z in (a,c)");
        let s = parse("app=web").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.to_string(), "app=web");
        assert_eq!(parse("").map(|s| s.is_empty()), Ok(true));
    }

    #[test]
    fn matches_like_upstream() {
        let web = labels(&[("app", "web"), ("tier", "front")]);
        let ok = |sel: &str| parse(sel).map(|s| s.matches(&web)).unwrap_or_else(|e| panic!("{sel}: {e}"));
        assert!(ok("app=web"));
        assert!(ok("app==web,tier"));
        assert!(!ok("app!=web"));
        assert!(ok("canary!=yes"), "!= matches a missing key");
        assert!(ok("tier in (front,back)"));
        assert!(!ok("tier notin (front)"));
        assert!(ok("!canary"));
        assert!(!ok("!app"));
        assert!(ok(""));
        assert!(!ok("missing"));
    }

    #[test]
    fn errors_read_as_apimachinery_prints_them() {
        assert_eq!(parse("app in").unwrap_err(), "unable to parse requirement: found '' expected: '('");
        assert_eq!(
            parse("app in (a").unwrap_err(),
            "unable to parse requirement: found '', expected: ',' or ')'"
        );
        assert_eq!(parse("a,").unwrap_err(), "found '', expected: identifier after ','");
        assert_eq!(parse("=x").unwrap_err(), "found '=', expected: !, identifier, or 'end of string'");
        assert_eq!(parse("a b").unwrap_err(), "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt");
        assert!(parse("-x=1").unwrap_err().starts_with("unable to parse requirement: <nil>: Invalid value: \"-x\": name part must consist"));
        assert!(parse("app=a/b").unwrap_err().starts_with("unable to parse requirement: values[0][app]: Invalid value: \"a/b\": a valid label"));
        assert_eq!(parse("app=").map(|s| s.to_string()), Ok("app=".to_string()));
        assert_eq!(parse("app in ()").map(|s| s.to_string()), Ok("app in ()".to_string()));
    }

    #[test]
    fn label_selector_objects() {
        let ls = LabelSelector {
            match_labels: Some(labels(&[("app", "web"), ("pod-template-hash", "7c5ddbdf54")])),
            match_expressions: Some(vec![LabelSelectorRequirement {
                key: "env".into(),
                operator: "In".into(),
                values: Some(vec!["prod".into(), "dev".into()]),
            }]),
        };
        assert_eq!(format_label_selector(Some(&ls)), "app=web,env in (dev,prod),pod-template-hash=7c5ddbdf54");
        assert!(label_selector_matches(Some(&ls), Some(&labels(&[("app", "web"), ("pod-template-hash", "7c5ddbdf54"), ("env", "dev")]))));
        assert!(!label_selector_matches(Some(&ls), Some(&labels(&[("app", "web")]))));
        assert!(!label_selector_matches(None, Some(&labels(&[("app", "web")]))), "nil selects nothing");
        assert!(label_selector_matches(Some(&LabelSelector::default()), None), "empty selects everything");
        assert_eq!(format_label_selector(Some(&LabelSelector::default())), "<none>");
        let bad = LabelSelector {
            match_expressions: Some(vec![LabelSelectorRequirement { key: "a".into(), operator: "Gt".into(), values: None }]),
            ..Default::default()
        };
        assert_eq!(format_label_selector(Some(&bad)), "<error>");
    }

    #[test]
    fn format_labels_sorted_or_none() {
        assert_eq!(format_labels(Some(&labels(&[("tier", "web"), ("app", "x")]))), "app=x,tier=web");
        assert_eq!(format_labels(None), "<none>");
        assert_eq!(format_labels(Some(&BTreeMap::new())), "<none>");
    }
}
