//! The command-line scanning curl and wget share: GNU getopt's rules as both
//! programs (and busybox) apply them. `--name=value` or `--name value`, bundled short
//! flags (`-sS`), a short flag's value attached (`-ofile`) or next (`-o file`), `--`
//! ending the options, and a lone `-` being an operand. What each name means stays
//! with its program.

/// One scanned argument.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Arg {
    /// An option by name (without dashes) and its value: an option that takes one
    /// gets the attached text or the next argument (`None` when there is none left);
    /// a long option written `--name=value` carries that value either way.
    Option { name: String, value: Option<String> },
    /// A URL or other operand.
    Operand(String),
}

/// Scans `args`; `takes_value` says, by short or long name, which options take a value.
pub fn scan(args: &[String], takes_value: impl Fn(&str) -> bool) -> Vec<Arg> {
    let mut scanned = Vec::new();
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        if let Some(long) = arg.strip_prefix("--") {
            if long.is_empty() {
                scanned.extend(rest.by_ref().map(|a| Arg::Operand(a.clone())));
                break;
            }
            let (name, value) = match long.split_once('=') {
                Some((n, v)) => (n.to_string(), Some(v.to_string())),
                None if takes_value(long) => (long.to_string(), rest.next().cloned()),
                None => (long.to_string(), None),
            };
            scanned.push(Arg::Option { name, value });
        } else if arg.len() > 1 && arg.starts_with('-') {
            let flags: Vec<char> = arg.chars().skip(1).collect();
            for (j, flag) in flags.iter().enumerate() {
                let name = flag.to_string();
                if takes_value(&name) {
                    let attached: String = flags.iter().skip(j + 1).collect();
                    let value = if attached.is_empty() { rest.next().cloned() } else { Some(attached) };
                    scanned.push(Arg::Option { name, value });
                    break;
                }
                scanned.push(Arg::Option { name, value: None });
            }
        } else {
            scanned.push(Arg::Operand(arg.clone()));
        }
    }
    scanned
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(line: &str) -> Vec<String> {
        line.split_whitespace().map(str::to_string).collect()
    }

    fn option(name: &str, value: Option<&str>) -> Arg {
        Arg::Option { name: name.to_string(), value: value.map(str::to_string) }
    }

    #[test]
    fn long_short_bundled_attached_and_operands() {
        let takes = |n: &str| matches!(n, "o" | "output" | "m");
        assert_eq!(
            scan(&args("-sSo out --output=x --output y -mz - --verbose=1 url -- -v"), takes),
            vec![
                option("s", None),
                option("S", None),
                option("o", Some("out")),
                option("output", Some("x")),
                option("output", Some("y")),
                option("m", Some("z")),
                Arg::Operand("-".into()),
                option("verbose", Some("1")),
                Arg::Operand("url".into()),
                Arg::Operand("-v".into()),
            ]
        );
        assert_eq!(scan(&args("-o"), takes), vec![option("o", None)]);
    }
}
