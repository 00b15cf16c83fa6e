//! kubectl's flags as data, parsed the way cobra and spf13/pflag parse them.
//!
//! Every flag is one [`FlagDef`] (long name, shorthand, value type, default, help
//! text, the command that has it or "global"). The definitions are not typed out a
//! second time: they are read from the `Options:` section of the real help texts in
//! `help/` (the same facts `kubectl <cmd> --help` prints) plus `kubectl options` for
//! the global flags, so a flag kubectl has is a flag kubesim parses, with kubectl's
//! own default and description.
//!
//! The parser follows pflag's rules: `--name=value`, `--name value`, `-o yaml`,
//! `-oyaml`, `-o=yaml`, grouped bool shorthands (`-Aw`), bool flags take a value
//! only through `=`, a lone `-` is an argument, `--` ends flags (what follows is
//! passed on as arguments, cobra's `ArgsLenAtDash`), and flags may come before or
//! after arguments (cobra interspersed mode). Errors carry pflag's exact wording and
//! are rendered as kubectl's `FlagErrorFunc` does:
//! `error: <pflag error>\nSee 'kubectl <cmd> --help' for usage.`

use super::help;
use crate::simulator::Output;

/// What a flag's value is; decides whether it needs an argument and how the value
/// is checked (pflag's `Value.Set`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueType {
    /// `--flag`, `--flag=false`; never consumes the next argument.
    Bool,
    String,
    /// Checked with Go's `strconv.ParseInt`.
    Int,
    /// Checked with Go's `time.ParseDuration`.
    Duration,
    /// Repeatable (`stringSlice`/`stringArray`/`stringToString`); every value kept.
    List,
}

/// One flag definition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FlagDef {
    pub long: String,
    pub short: Option<char>,
    pub value_type: ValueType,
    /// The default as the help text shows it, quotes removed (`''` → ``).
    pub default: String,
    /// The value used when the flag is given without `=value` (pflag `NoOptDefVal`):
    /// `true` for bools, and a few string flags kubectl marks this way.
    pub no_opt_default: Option<String>,
    pub usage: String,
    /// `None` for global flags (`kubectl options`), else the command path (`get`).
    pub command: Option<String>,
}

/// String flags that kubectl declares with a `NoOptDefVal`, so that `--dry-run`
/// alone means `--dry-run=unchanged` (kubectl `AddDryRunFlag`), `--cascade` means
/// `background` and `--validate` means `strict`.
const NO_OPT_DEFAULTS: &[(&str, &str)] = &[("dry-run", "unchanged"), ("cascade", "background"), ("validate", "strict")];

/// The flags of one command: its own, then the global ones, then `-h/--help`.
#[derive(Clone, Debug)]
pub struct FlagSet {
    /// Command path without `kubectl`, e.g. `get`, `rollout status`; empty for the root.
    pub path: String,
    pub flags: Vec<FlagDef>,
}

impl FlagSet {
    /// The flags of `path` (e.g. `get`, `create deployment`); a command without a
    /// captured help text has only the global flags.
    pub fn for_command(path: &str) -> FlagSet {
        let mut flags = Vec::new();
        if !path.is_empty() {
            if let Some(text) = help::text(path) {
                flags.extend(parse_options_section(text, Some(path)));
            }
        }
        for global in parse_options_section(help::GLOBAL_OPTIONS, None) {
            if !flags.iter().any(|f: &FlagDef| f.long == global.long) {
                flags.push(global);
            }
        }
        flags.push(FlagDef {
            long: "help".into(),
            short: Some('h'),
            value_type: ValueType::Bool,
            default: "false".into(),
            no_opt_default: Some("true".into()),
            usage: format!("help for {}", if path.is_empty() { "kubectl" } else { path }),
            command: Some(path.to_string()),
        });
        FlagSet { path: path.to_string(), flags }
    }

    pub fn by_long(&self, long: &str) -> Option<&FlagDef> {
        self.flags.iter().find(|f| f.long == long)
    }

    pub fn by_short(&self, short: char) -> Option<&FlagDef> {
        self.flags.iter().find(|f| f.short == Some(short))
    }

    /// Parses `args` (everything after the command words) as pflag does.
    pub fn parse(&self, args: &[String]) -> Result<ParsedFlags, FlagError> {
        let mut parsed = ParsedFlags { positional: Vec::new(), args_len_at_dash: None, values: Vec::new(), set: self.clone() };
        let mut i = 0;
        while i < args.len() {
            let arg = &args[i];
            i += 1;
            if arg == "--" {
                // pflag stops here; cobra remembers where the dash was.
                parsed.args_len_at_dash = Some(parsed.positional.len());
                parsed.positional.extend(args[i..].iter().cloned());
                break;
            }
            if arg.len() < 2 || !arg.starts_with('-') {
                parsed.positional.push(arg.clone());
                continue;
            }
            if let Some(long) = arg.strip_prefix("--") {
                if long.starts_with('-') || long.starts_with('=') {
                    return Err(FlagError::BadSyntax(arg.clone()));
                }
                let (name, inline) = match long.split_once('=') {
                    Some((n, v)) => (n, Some(v.to_string())),
                    None => (long, None),
                };
                let Some(def) = self.by_long(name) else {
                    return Err(FlagError::UnknownFlag(name.to_string()));
                };
                let value = match inline {
                    Some(v) => v,
                    None => match &def.no_opt_default {
                        Some(v) => v.clone(),
                        None => match args.get(i) {
                            Some(next) => {
                                i += 1;
                                next.clone()
                            }
                            None => return Err(FlagError::NeedsArgument(format!("--{name}"))),
                        },
                    },
                };
                check_value(def, &value)?;
                parsed.values.push((def.long.clone(), value));
                continue;
            }
            // Shorthands: `-abc` is a, b, c unless one of them takes a value, which
            // then is the rest of the word (`-oyaml`, `-o=yaml`) or the next argument.
            let mut rest: &str = &arg[1..];
            while let Some(c) = rest.chars().next() {
                let after = &rest[c.len_utf8()..];
                let Some(def) = self.by_short(c) else {
                    return Err(FlagError::UnknownShorthand(c, rest.to_string()));
                };
                if let Some(v) = after.strip_prefix('=') {
                    check_value(def, v)?;
                    parsed.values.push((def.long.clone(), v.to_string()));
                    rest = "";
                } else if let Some(v) = &def.no_opt_default {
                    parsed.values.push((def.long.clone(), v.clone()));
                    rest = after;
                } else if !after.is_empty() {
                    check_value(def, after)?;
                    parsed.values.push((def.long.clone(), after.to_string()));
                    rest = "";
                } else if let Some(next) = args.get(i) {
                    i += 1;
                    check_value(def, next)?;
                    parsed.values.push((def.long.clone(), next.clone()));
                    rest = "";
                } else {
                    return Err(FlagError::NeedsArgument(format!("'{c}' in -{rest}")));
                }
            }
        }
        Ok(parsed)
    }
}

/// A flag error, worded as pflag words it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FlagError {
    UnknownFlag(String),
    /// The shorthand and the rest of the group it was found in.
    UnknownShorthand(char, String),
    /// `--output` or `'o' in -o`.
    NeedsArgument(String),
    BadSyntax(String),
    /// `invalid argument "x" for "-A, --all-namespaces" flag: <reason>`.
    InvalidArgument { value: String, flag: String, reason: String },
}

impl FlagError {
    /// pflag's message.
    pub fn message(&self) -> String {
        match self {
            FlagError::UnknownFlag(name) => format!("unknown flag: --{name}"),
            FlagError::UnknownShorthand(c, rest) => format!("unknown shorthand flag: '{c}' in -{rest}"),
            FlagError::NeedsArgument(what) => format!("flag needs an argument: {what}"),
            FlagError::BadSyntax(arg) => format!("bad flag syntax: {arg}"),
            FlagError::InvalidArgument { value, flag, reason } => {
                format!("invalid argument \"{value}\" for \"{flag}\" flag: {reason}")
            }
        }
    }

    /// What kubectl prints on stderr: kubectl's FlagErrorFunc appends the usage hint
    /// and `cmdutil.CheckErr` prefixes `error: `.
    pub fn render(&self, path: &str) -> String {
        let command = if path.is_empty() { "kubectl".to_string() } else { format!("kubectl {path}") };
        format!("error: {}\nSee '{command} --help' for usage.\n", self.message())
    }
}

/// The result of parsing: arguments and the flags that were set, in order.
#[derive(Clone, Debug)]
pub struct ParsedFlags {
    /// Non-flag arguments, including those after `--`.
    pub positional: Vec<String>,
    /// How many positional arguments came before `--` (cobra `ArgsLenAtDash`).
    pub args_len_at_dash: Option<usize>,
    /// `(long name, value)` for every flag given, in command-line order.
    pub values: Vec<(String, String)>,
    set: FlagSet,
}

impl ParsedFlags {
    pub fn flag_set(&self) -> &FlagSet {
        &self.set
    }

    /// Whether the flag was given on the command line (pflag `Changed`).
    pub fn changed(&self, long: &str) -> bool {
        self.values.iter().any(|(k, _)| k == long)
    }

    /// The last value given, or the default.
    pub fn string(&self, long: &str) -> String {
        match self.values.iter().rev().find(|(k, _)| k == long) {
            Some((_, v)) => v.clone(),
            None => self.set.by_long(long).map(|f| f.default.clone()).unwrap_or_default(),
        }
    }

    /// The last value given, if any.
    pub fn value(&self, long: &str) -> Option<&str> {
        self.values.iter().rev().find(|(k, _)| k == long).map(|(_, v)| v.as_str())
    }

    /// A bool flag's value (already validated by the parser).
    pub fn bool(&self, long: &str) -> bool {
        parse_bool(&self.string(long)).unwrap_or(false)
    }

    /// An int flag's value (already validated by the parser).
    pub fn int(&self, long: &str) -> i64 {
        self.string(long).trim().parse().unwrap_or(0)
    }

    /// Every value of a repeatable flag, in order. For `stringSlice` flags
    /// (`-L a,b`) the caller splits on commas, as pflag's CSV reader would.
    pub fn list(&self, long: &str) -> Vec<String> {
        self.values.iter().filter(|(k, _)| k == long).map(|(_, v)| v.clone()).collect()
    }

    /// Every value of a comma-separated list flag (`-L app,tier -L x`).
    pub fn comma_list(&self, long: &str) -> Vec<String> {
        self.list(long).iter().flat_map(|v| v.split(',').map(str::to_string).collect::<Vec<_>>()).filter(|s| !s.is_empty()).collect()
    }

    /// `-n/--namespace`, when given.
    pub fn namespace(&self) -> Option<String> {
        self.value("namespace").map(str::to_string)
    }

    pub fn help(&self) -> bool {
        self.bool("help")
    }
}

/// Parses `args` for the command at `path`; on a flag error writes kubectl's message
/// to stderr, and on `-h/--help` writes the help text to stdout; either way returns
/// the exit code to stop with.
pub fn parse_or_report(path: &str, args: &[String], out: &mut Output) -> Result<ParsedFlags, i32> {
    let set = FlagSet::for_command(path);
    match set.parse(args) {
        Err(e) => {
            out.err(&e.render(path));
            Err(1)
        }
        Ok(parsed) if parsed.help() => {
            match help::text(path) {
                Some(text) => out.out(text),
                None => out.err(&format!("kubesim: 'kubectl {path} --help' is not simulated\n")),
            }
            Err(0)
        }
        Ok(parsed) => Ok(parsed),
    }
}

/// Refuses, in kubesim's words, flags that a command accepts but kubesim does not
/// simulate (`kubesim: 'kubectl get --raw' is not simulated`), so that they are
/// never silently ignored.
pub fn reject_unsimulated(flags: &ParsedFlags, path: &str, names: &[&str], out: &mut Output) -> Result<(), i32> {
    match names.iter().find(|n| flags.changed(n)) {
        Some(name) => {
            out.err(&format!("kubesim: 'kubectl {path} --{name}' is not simulated\n"));
            Err(1)
        }
        None => Ok(()),
    }
}

/// The flags of `kubectl ARGV` when its command is `path` (`proxy`): how a
/// background job's line as typed is read again when the job ends.
pub fn parse_command_line(argv: &[String], path: &str) -> Option<ParsedFlags> {
    let index = first_positional("", argv)?;
    if argv.get(index).map(String::as_str) != Some(path) {
        return None;
    }
    let mut rest: Vec<String> = argv[..index].to_vec();
    rest.extend(argv.iter().skip(index + 1).cloned());
    FlagSet::for_command(path).parse(&rest).ok()
}

/// The index in `args` of the first argument that is not a flag or a flag's value:
/// how cobra finds a subcommand (`rollout status`) among flags (`stripFlags`).
pub fn first_positional(path: &str, args: &[String]) -> Option<usize> {
    let set = FlagSet::for_command(path);
    let mut i = 0;
    while i < args.len() {
        let arg = &args[i];
        if arg == "--" {
            return if i + 1 < args.len() { Some(i + 1) } else { None };
        }
        if arg.len() < 2 || !arg.starts_with('-') {
            return Some(i);
        }
        let takes_next = if let Some(long) = arg.strip_prefix("--") {
            !long.contains('=') && set.by_long(long).is_some_and(|d| d.no_opt_default.is_none())
        } else {
            // `-n ns`: a lone value-taking shorthand at the end of its group.
            let body = &arg[1..];
            !body.contains('=')
                && body.chars().last().is_some_and(|c| set.by_short(c).is_some_and(|d| d.no_opt_default.is_none()))
                && body.chars().filter(|c| set.by_short(*c).is_some_and(|d| d.no_opt_default.is_none())).count() == 1
                && body.chars().take(body.chars().count().saturating_sub(1)).all(|c| set.by_short(c).is_some())
        };
        i += if takes_next { 2 } else { 1 };
    }
    None
}

fn check_value(def: &FlagDef, value: &str) -> Result<(), FlagError> {
    let reason = match def.value_type {
        ValueType::Bool => parse_bool(value).err(),
        ValueType::Int => value
            .parse::<i64>()
            .err()
            .map(|_| format!("strconv.ParseInt: parsing {}: {}", go_quote(value), int_error_kind(value))),
        ValueType::Duration => (!is_go_duration(value)).then(|| format!("time: invalid duration {}", go_quote(value))),
        ValueType::String | ValueType::List => None,
    };
    match reason {
        None => Ok(()),
        Some(reason) => Err(FlagError::InvalidArgument {
            value: value.to_string(),
            flag: match def.short {
                Some(c) => format!("-{c}, --{}", def.long),
                None => format!("--{}", def.long),
            },
            reason,
        }),
    }
}

/// Go's `strconv.ParseBool`.
pub fn parse_bool(value: &str) -> Result<bool, String> {
    match value {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Ok(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Ok(false),
        other => Err(format!("strconv.ParseBool: parsing {}: invalid syntax", go_quote(other))),
    }
}

fn int_error_kind(value: &str) -> &'static str {
    let digits = value.strip_prefix(['-', '+']).unwrap_or(value);
    if !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()) {
        "value out of range"
    } else {
        "invalid syntax"
    }
}

/// Go's `%q` for the plain strings flags carry.
fn go_quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Go's `time.ParseDuration` grammar: `0`, or signed decimal numbers each with a
/// unit (`ns us µs ms s m h`), e.g. `1m30s`, `1.5h`.
pub fn is_go_duration(value: &str) -> bool {
    let s = value.strip_prefix(['-', '+']).unwrap_or(value);
    if s == "0" {
        return true;
    }
    if s.is_empty() {
        return false;
    }
    let mut rest = s;
    while !rest.is_empty() {
        let number_len = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(rest.len());
        let number = &rest[..number_len];
        if number.is_empty() || number == "." || number.matches('.').count() > 1 {
            return false;
        }
        rest = &rest[number_len..];
        let unit_len = rest.find(|c: char| c.is_ascii_digit() || c == '.').unwrap_or(rest.len());
        if !matches!(&rest[..unit_len], "ns" | "us" | "µs" | "μs" | "ms" | "s" | "m" | "h") {
            return false;
        }
        rest = &rest[unit_len..];
    }
    true
}

/// Seconds in a Go duration such as `5s`, `1m30s`, `-1s`, `0` (the flag parser has
/// already checked the grammar with [`is_go_duration`]).
pub fn go_duration_seconds(value: &str) -> f64 {
    let (sign, text) = match value.strip_prefix('-') {
        Some(rest) => (-1.0, rest),
        None => (1.0, value.strip_prefix('+').unwrap_or(value)),
    };
    let mut total = 0.0;
    let mut number = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() || c == '.' {
            number.push(c);
            continue;
        }
        let mut unit = c.to_string();
        while let Some(&n) = chars.peek() {
            if n.is_ascii_digit() || n == '.' {
                break;
            }
            unit.push(n);
            chars.next();
        }
        let v: f64 = number.parse().unwrap_or(0.0);
        number.clear();
        total += v * match unit.as_str() {
            "h" => 3600.0,
            "m" => 60.0,
            "s" => 1.0,
            "ms" => 0.001,
            "us" | "µs" | "μs" => 0.000_001,
            "ns" => 0.000_000_001,
            _ => 0.0,
        };
    }
    sign * total
}

/// Reads the flag definitions from the `Options:` section of a help text. Each flag
/// is a line `    -o, --output='':` (or `    --watch=false:`) followed by its
/// tab-indented description.
fn parse_options_section(text: &str, command: Option<&str>) -> Vec<FlagDef> {
    let mut flags: Vec<FlagDef> = Vec::new();
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        let Some(spec) = line.strip_prefix("    -").and_then(|s| s.strip_suffix(':')) else {
            continue;
        };
        let spec = format!("-{spec}");
        let (short, long_part) = match spec.split_once(", --") {
            Some((s, l)) if s.len() == 2 => (s.chars().nth(1), l.to_string()),
            _ => match spec.strip_prefix("--") {
                Some(l) => (None, l.to_string()),
                None => continue,
            },
        };
        let Some((long, default)) = long_part.split_once('=') else {
            continue;
        };
        let value_type = if default == "false" || default == "true" {
            ValueType::Bool
        } else if default.starts_with('[') || (default.starts_with('{') && default.ends_with('}')) {
            ValueType::List
        } else if default.starts_with('\'') {
            ValueType::String
        } else if default.parse::<i64>().is_ok() {
            ValueType::Int
        } else if is_go_duration(default) {
            ValueType::Duration
        } else {
            ValueType::String
        };
        let default = default.trim_matches('\'').to_string();
        let no_opt_default = match value_type {
            ValueType::Bool => Some("true".to_string()),
            _ => NO_OPT_DEFAULTS.iter().find(|(n, _)| *n == long).map(|(_, v)| v.to_string()),
        };
        let mut usage = String::new();
        while let Some(next) = lines.peek() {
            if let Some(text) = next.strip_prefix('\t') {
                if !usage.is_empty() {
                    usage.push('\n');
                }
                usage.push_str(text);
                lines.next();
            } else {
                break;
            }
        }
        flags.push(FlagDef {
            long: long.to_string(),
            short,
            value_type,
            default,
            no_opt_default,
            usage,
            command: command.map(str::to_string),
        });
    }
    flags
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }

    fn get(s: &str) -> Result<ParsedFlags, String> {
        FlagSet::for_command("get").parse(&args(s)).map_err(|e| e.render("get"))
    }

    #[test]
    fn definitions_come_from_the_help_texts() {
        let set = FlagSet::for_command("get");
        let output = set.by_long("output").cloned();
        assert_eq!(output.as_ref().map(|f| f.short), Some(Some('o')));
        assert_eq!(output.map(|f| f.value_type), Some(ValueType::String));
        assert_eq!(set.by_short('A').map(|f| f.value_type), Some(ValueType::Bool));
        assert_eq!(set.by_long("chunk-size").map(|f| f.default.as_str()), Some("500"));
        assert_eq!(set.by_short('n').and_then(|f| f.command.clone()), None, "namespace is global");
        assert_eq!(set.by_long("label-columns").map(|f| f.value_type), Some(ValueType::List));
    }

    #[test]
    fn every_spelling_of_a_value() {
        for line in ["pods -oyaml", "pods -o=yaml", "pods -o yaml", "pods --output yaml", "pods --output=yaml", "-o yaml pods"] {
            let p = get(line).unwrap_or_else(|e| panic!("{line}: {e}"));
            assert_eq!(p.string("output"), "yaml", "{line}");
            assert_eq!(p.positional, ["pods"], "{line}");
        }
        for line in ["-n ns", "-nns", "--namespace=ns", "--namespace ns", "-n=ns"] {
            assert_eq!(get(line).ok().and_then(|p| p.namespace()), Some("ns".to_string()), "{line}");
        }
    }

    #[test]
    fn bools_and_groups() {
        let p = get("pods -A --watch=false --no-headers").unwrap_or_else(|e| panic!("{e}"));
        assert!(p.bool("all-namespaces") && !p.bool("watch") && p.bool("no-headers"));
        let p = get("-Aw pods").unwrap_or_else(|e| panic!("{e}"));
        assert!(p.bool("all-namespaces") && p.bool("watch"));
        // A bool takes a value only through `=`: `--watch false` leaves `false` an argument.
        let p = get("--watch false").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(p.positional, ["false"]);
        let p = get("-Ao wide").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(p.string("output"), "wide");
    }

    #[test]
    fn double_dash_ends_flags() {
        let p = FlagSet::for_command("get").parse(&args("pods -- -x --foo")).unwrap_or_else(|e| panic!("{}", e.message()));
        assert_eq!(p.positional, ["pods", "-x", "--foo"]);
        assert_eq!(p.args_len_at_dash, Some(1));
    }

    /// Each message below was printed by the real kubectl 1.32.
    #[test]
    fn errors_match_real_kubectl() {
        let cases = [
            ("pods --foo", "error: unknown flag: --foo\nSee 'kubectl get --help' for usage.\n"),
            ("pods --foo=bar", "error: unknown flag: --foo\nSee 'kubectl get --help' for usage.\n"),
            ("pods -x", "error: unknown shorthand flag: 'x' in -x\nSee 'kubectl get --help' for usage.\n"),
            ("-it", "error: unknown shorthand flag: 'i' in -it\nSee 'kubectl get --help' for usage.\n"),
            ("pods -Ax", "error: unknown shorthand flag: 'x' in -x\nSee 'kubectl get --help' for usage.\n"),
            ("pods -o", "error: flag needs an argument: 'o' in -o\nSee 'kubectl get --help' for usage.\n"),
            ("pods --output", "error: flag needs an argument: --output\nSee 'kubectl get --help' for usage.\n"),
            ("pods --sort-by", "error: flag needs an argument: --sort-by\nSee 'kubectl get --help' for usage.\n"),
            (
                "pods -A=maybe",
                "error: invalid argument \"maybe\" for \"-A, --all-namespaces\" flag: strconv.ParseBool: parsing \"maybe\": invalid syntax\nSee 'kubectl get --help' for usage.\n",
            ),
            (
                "pods --no-headers=yes",
                "error: invalid argument \"yes\" for \"--no-headers\" flag: strconv.ParseBool: parsing \"yes\": invalid syntax\nSee 'kubectl get --help' for usage.\n",
            ),
            (
                "pods --v=abc",
                "error: invalid argument \"abc\" for \"-v, --v\" flag: strconv.ParseInt: parsing \"abc\": invalid syntax\nSee 'kubectl get --help' for usage.\n",
            ),
            (
                "pods --chunk-size=abc",
                "error: invalid argument \"abc\" for \"--chunk-size\" flag: strconv.ParseInt: parsing \"abc\": invalid syntax\nSee 'kubectl get --help' for usage.\n",
            ),
            ("pods ---x", "error: bad flag syntax: ---x\nSee 'kubectl get --help' for usage.\n"),
            ("pods --=x", "error: bad flag syntax: --=x\nSee 'kubectl get --help' for usage.\n"),
        ];
        for (line, want) in cases {
            assert_eq!(get(line).err().as_deref(), Some(want), "kubectl get {line}");
        }
    }

    #[test]
    fn subcommand_is_found_among_flags() {
        assert_eq!(first_positional("", &args("-n default get pods")), Some(2));
        assert_eq!(first_positional("", &args("--namespace=x get")), Some(1));
        assert_eq!(first_positional("", &args("-v 3 get")), Some(2));
        assert_eq!(first_positional("", &args("--")), None);
    }

    #[test]
    fn go_durations() {
        for ok in ["0", "5s", "1m0s", "1.5h", "-1s", "300ms"] {
            assert!(is_go_duration(ok), "{ok}");
        }
        for bad in ["", "5", "abc", "1x", "s"] {
            assert!(!is_go_duration(bad), "{bad}");
        }
    }
}
