//! `$((...))`: bash's integer arithmetic, the common operators with C precedence.
//! Variable names stand for their values (unset or non-numeric is 0); overflow
//! wraps as bash's 64-bit arithmetic does.

/// Evaluates an expression whose `$VAR`s were already expanded; `var` looks up bare
/// names. Errors are bash's text after `bash: EXPR: `.
pub(super) fn eval(expr: &str, var: &dyn Fn(&str) -> Option<String>) -> Result<i64, String> {
    let tokens = tokenize(expr)?;
    let mut p = Parser { tokens, pos: 0, var, depth: 0 };
    if p.tokens.is_empty() {
        return Ok(0);
    }
    let v = p.binary(0)?;
    match p.tokens.get(p.pos) {
        None => Ok(v),
        Some(_) => Err(format!("syntax error in expression (error token is \"{}\")", p.tokens[p.pos..].iter().map(Tok::text).collect::<Vec<_>>().join(" "))),
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Num(i64),
    Name(String),
    Op(&'static str),
}

impl Tok {
    fn text(&self) -> String {
        match self {
            Tok::Num(n) => n.to_string(),
            Tok::Name(n) => n.clone(),
            Tok::Op(o) => o.to_string(),
        }
    }
}

const OPS: &[&str] = &["<=", ">=", "==", "!=", "&&", "||", "**", "<<", ">>", "+", "-", "*", "/", "%", "(", ")", "<", ">", "!", "~", "&", "|", "^"];

fn tokenize(s: &str) -> Result<Vec<Tok>, String> {
    let chars: Vec<char> = s.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c.is_ascii_digit() {
            let start = i;
            while i < chars.len() && chars[i].is_ascii_alphanumeric() {
                i += 1;
            }
            let text: String = chars[start..i].iter().collect();
            let n = if let Some(h) = text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
                i64::from_str_radix(h, 16).ok()
            } else if text.len() > 1 && text.starts_with('0') {
                i64::from_str_radix(&text[1..], 8).ok()
            } else {
                text.parse().ok()
            };
            out.push(Tok::Num(n.ok_or_else(|| format!("value too great for base (error token is \"{text}\")"))?));
        } else if c.is_ascii_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            out.push(Tok::Name(chars[start..i].iter().collect()));
        } else {
            let rest: String = chars[i..(i + 2).min(chars.len())].iter().collect();
            let Some(op) = OPS.iter().find(|op| rest.starts_with(**op)) else {
                return Err(format!("syntax error: invalid arithmetic operator (error token is \"{}\")", chars[i..].iter().collect::<String>()));
            };
            out.push(Tok::Op(op));
            i += op.len();
        }
    }
    Ok(out)
}

struct Parser<'a> {
    tokens: Vec<Tok>,
    pos: usize,
    var: &'a dyn Fn(&str) -> Option<String>,
    depth: usize,
}

/// Binary operators by precedence level, loosest first.
const LEVELS: &[&[&str]] = &[&["||"], &["&&"], &["|"], &["^"], &["&"], &["==", "!="], &["<", ">", "<=", ">="], &["<<", ">>"], &["+", "-"], &["*", "/", "%"], &["**"]];

impl Parser<'_> {
    fn binary(&mut self, level: usize) -> Result<i64, String> {
        if level >= LEVELS.len() {
            return self.unary();
        }
        let mut left = self.binary(level + 1)?;
        while let Some(Tok::Op(op)) = self.tokens.get(self.pos).cloned() {
            if !LEVELS[level].contains(&op) {
                break;
            }
            self.pos += 1;
            let right = self.binary(level + 1)?;
            left = match op {
                "||" => i64::from(left != 0 || right != 0),
                "&&" => i64::from(left != 0 && right != 0),
                "|" => left | right,
                "^" => left ^ right,
                "&" => left & right,
                "==" => i64::from(left == right),
                "!=" => i64::from(left != right),
                "<" => i64::from(left < right),
                ">" => i64::from(left > right),
                "<=" => i64::from(left <= right),
                ">=" => i64::from(left >= right),
                "<<" => left.wrapping_shl(right as u32),
                ">>" => left.wrapping_shr(right as u32),
                "+" => left.wrapping_add(right),
                "-" => left.wrapping_sub(right),
                "*" => left.wrapping_mul(right),
                "**" => {
                    if right < 0 {
                        return Err("exponent less than 0 (error token is \"\")".to_string());
                    }
                    left.wrapping_pow(right.min(u32::MAX as i64) as u32)
                }
                _ => {
                    if right == 0 {
                        return Err(format!("division by 0 (error token is \"{right}\")"));
                    }
                    if op == "/" {
                        left.wrapping_div(right)
                    } else {
                        left.wrapping_rem(right)
                    }
                }
            };
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<i64, String> {
        self.depth += 1;
        // bash stops at 1024 levels; each level here is a dozen Rust frames, and 200
        // of them overflowed a 2 MiB stack in debug builds (wasm's is 1 MiB), so
        // kubesim stops much earlier than bash, with bash's message.
        if self.depth > 48 {
            return Err("expression recursion level exceeded".to_string());
        }
        let token = self.tokens.get(self.pos).cloned();
        self.pos += 1;
        let v = match token {
            Some(Tok::Num(n)) => Ok(n),
            Some(Tok::Name(name)) => {
                let value = (self.var)(&name).unwrap_or_default();
                Ok(value.trim().parse::<i64>().unwrap_or(0))
            }
            Some(Tok::Op("-")) => self.unary().map(i64::wrapping_neg),
            Some(Tok::Op("+")) => self.unary(),
            Some(Tok::Op("!")) => self.unary().map(|v| i64::from(v == 0)),
            Some(Tok::Op("~")) => self.unary().map(|v| !v),
            Some(Tok::Op("(")) => {
                let v = self.binary(0)?;
                if self.tokens.get(self.pos) != Some(&Tok::Op(")")) {
                    return Err("missing `)' (error token is \"\")".to_string());
                }
                self.pos += 1;
                Ok(v)
            }
            Some(t) => Err(format!("syntax error: operand expected (error token is \"{}\")", t.text())),
            None => Err("syntax error: operand expected (error token is \"\")".to_string()),
        };
        self.depth -= 1;
        v
    }
}

#[cfg(test)]
mod tests {
    use super::eval;

    #[test]
    fn precedence_and_variables() {
        let var = |n: &str| if n == "i" { Some("4".to_string()) } else { None };
        assert_eq!(eval("1 + 2 * 3", &var), Ok(7));
        assert_eq!(eval("(1 + 2) * 3", &var), Ok(9));
        assert_eq!(eval("i + 1", &var), Ok(5));
        assert_eq!(eval("i % 3 == 1 && 2 ** 10 > 1000", &var), Ok(1));
        assert_eq!(eval("-i / 3", &var), Ok(-1));
        assert_eq!(eval("1 / 0", &var), Err("division by 0 (error token is \"0\")".to_string()));
        assert_eq!(eval("", &var), Ok(0));
    }
}
