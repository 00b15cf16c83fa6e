//! Text tools with patterns: `grep`, `sed`, `awk` (the one-liner subset) and `jq`
//! (paths, pipes, a few functions). POSIX basic regular expressions are translated
//! to `regex-lite`'s syntax, which matches in linear time whatever the learner types.

use regex_lite::{Regex, RegexBuilder};

use super::coreutils::{getopt, lines, read_input};
use super::Shell;
use crate::cluster::Cluster;
use crate::simulator::Output;
use crate::vfs::Vfs;

/// Translates a POSIX regex (basic unless `extended`) into regex-lite syntax.
fn translate(pattern: &str, extended: bool) -> String {
    let chars: Vec<char> = pattern.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    let mut in_bracket = false;
    while i < chars.len() {
        let c = chars[i];
        if in_bracket {
            if c == ']' && !matches!(out.chars().last(), Some('[' | '^')) {
                in_bracket = false;
            } else if c == '\\' || (c == '[' && chars.get(i + 1) != Some(&':')) {
                // POSIX brackets take backslash and `[` literally.
                out.push('\\');
            } else if c == '[' {
                // `[:alpha:]` inside a bracket: copy it whole.
                if let Some(end) = chars[i..].iter().collect::<String>().find(":]") {
                    out.extend(&chars[i..i + end + 2]);
                    i += end + 2;
                    continue;
                }
            }
            out.push(c);
            i += 1;
            continue;
        }
        match c {
            '[' => {
                in_bracket = true;
                out.push('[');
                if chars.get(i + 1) == Some(&'^') {
                    out.push('^');
                    i += 1;
                }
                if chars.get(i + 1) == Some(&']') {
                    out.push_str("\\]");
                    i += 1;
                }
            }
            '\\' => {
                i += 1;
                match chars.get(i) {
                    Some(&n @ ('(' | ')' | '{' | '}' | '|' | '+' | '?')) if !extended => out.push(n),
                    Some(&n @ ('w' | 'W' | 's' | 'S' | 'b' | 'B' | 'd' | 'D')) => {
                        out.push('\\');
                        out.push(n);
                    }
                    Some('<' | '>') => out.push_str("\\b"),
                    Some(&'n') => out.push_str("\\n"),
                    Some(&'t') => out.push_str("\\t"),
                    Some(&n) => out.push_str(&regex_lite::escape(&n.to_string())),
                    None => out.push_str("\\\\"),
                }
            }
            '(' | ')' | '{' | '}' | '|' | '+' | '?' if !extended => {
                out.push('\\');
                out.push(c);
            }
            '*' if out.is_empty() || out.ends_with('(') || out.ends_with('|') || (out.ends_with('^') && out.len() == 1) => out.push_str("\\*"),
            '{' if extended && !chars.get(i + 1).is_some_and(|c| c.is_ascii_digit()) => out.push_str("\\{"),
            '}' if extended && !out.contains('{') => out.push_str("\\}"),
            c => out.push(c),
        }
        i += 1;
    }
    out
}

fn compile(pattern: &str, extended: bool, ignore_case: bool, fixed: bool, word: bool) -> Result<Regex, String> {
    let mut source = if fixed { regex_lite::escape(pattern) } else { translate(pattern, extended) };
    if word {
        source = format!("\\b(?:{source})\\b");
    }
    RegexBuilder::new(&source).case_insensitive(ignore_case).size_limit(1 << 20).build().map_err(|e| {
        let msg = e.to_string();
        if msg.contains("unclosed group") || msg.contains("unopened group") {
            "Unmatched ( or \\(".to_string()
        } else if msg.contains("unclosed character class") {
            "Unmatched [, [^, [:, [., or [=".to_string()
        } else {
            "Invalid regular expression".to_string()
        }
    })
}

pub(super) fn grep(sh: &mut Shell, _: &mut Cluster, argv: &[String], stdin: Option<&str>, out: &mut Output) -> i32 {
    let long = [
        ("ignore-case", 'i'),
        ("invert-match", 'v'),
        ("count", 'c'),
        ("extended-regexp", 'E'),
        ("fixed-strings", 'F'),
        ("line-number", 'n'),
        ("only-matching", 'o'),
        ("word-regexp", 'w'),
        ("quiet", 'q'),
        ("files-with-matches", 'l'),
        ("no-filename", 'h'),
        ("with-filename", 'H'),
        ("regexp", 'e'),
        ("after-context", 'A'),
        ("before-context", 'B'),
        ("context", 'C'),
        ("recursive", 'r'),
        ("color", 'Z'),
    ];
    let Some(opts) = getopt(argv, "eABCm", "ivcEFnowqlhHrRsPxZ", &long, out) else {
        return 2;
    };
    let mut operands = opts.operands.clone();
    let patterns: Vec<String> = if opts.has('e') {
        opts.flags.iter().filter(|(c, _)| *c == 'e').map(|(_, v)| v.clone()).collect()
    } else if operands.is_empty() {
        out.err("Usage: grep [OPTION]... PATTERNS [FILE]...\nTry 'grep --help' for more information.\n");
        return 2;
    } else {
        vec![operands.remove(0)]
    };
    // A pattern with newlines is several patterns, as in GNU grep.
    let patterns: Vec<String> = patterns.iter().flat_map(|p| p.split('\n').map(str::to_string).collect::<Vec<_>>()).collect();
    let extended = opts.has('E') || opts.has('P');
    let joined = if opts.has('x') {
        patterns.iter().map(|p| format!("^(?:{})$", if opts.has('F') { regex_lite::escape(p) } else { translate(p, extended) })).collect::<Vec<_>>().join("|")
    } else if opts.has('F') {
        patterns.iter().map(|p| regex_lite::escape(p)).collect::<Vec<_>>().join("|")
    } else {
        patterns.iter().map(|p| format!("(?:{})", translate(p, extended))).collect::<Vec<_>>().join("|")
    };
    let regex = match RegexBuilder::new(&if opts.has('w') { format!("\\b(?:{joined})\\b") } else { joined })
        .case_insensitive(opts.has('i'))
        .size_limit(1 << 20)
        .build()
    {
        Ok(r) => r,
        Err(_) => match compile(patterns.first().map(String::as_str).unwrap_or(""), extended, false, false, false) {
            Err(msg) => {
                out.err(&format!("grep: {msg}\n"));
                return 2;
            }
            Ok(_) => {
                out.err("grep: Invalid regular expression\n");
                return 2;
            }
        },
    };
    if operands.is_empty() {
        operands.push("-".to_string());
    }
    let show_names = (operands.len() > 1 || opts.has('H')) && !opts.has('h');
    let mut any = false;
    let mut error = false;
    let max = opts.value('m').and_then(|m| m.parse::<usize>().ok());
    for operand in &operands {
        let path = Vfs::resolve(&sh.cwd, operand);
        if operand != "-" && sh.vfs.is_dir(&path) {
            out.err(&format!("grep: {operand}: Is a directory\n"));
            continue;
        }
        let text = match read_input(sh, operand, stdin) {
            Ok(t) => t,
            Err(e) => {
                if !opts.has('s') {
                    out.err(&format!("grep: {operand}: {}\n", e.message()));
                }
                error = true;
                continue;
            }
        };
        let name = if operand == "-" { "(standard input)" } else { operand.as_str() };
        let mut count = 0;
        let mut result = String::new();
        for (i, line) in lines(&text).iter().enumerate() {
            if max.is_some_and(|m| count >= m) {
                break;
            }
            let matched = regex.is_match(line) != opts.has('v');
            if !matched {
                continue;
            }
            count += 1;
            if opts.has('c') || opts.has('q') || opts.has('l') {
                continue;
            }
            let prefix = format!("{}{}", if show_names { format!("{name}:") } else { String::new() }, if opts.has('n') { format!("{}:", i + 1) } else { String::new() });
            if opts.has('o') && !opts.has('v') {
                for m in regex.find_iter(line) {
                    if !m.as_str().is_empty() {
                        result.push_str(&format!("{prefix}{}\n", m.as_str()));
                    }
                }
            } else {
                result.push_str(&format!("{prefix}{line}\n"));
            }
        }
        any |= count > 0;
        if opts.has('q') {
            if any {
                return 0;
            }
            continue;
        }
        if opts.has('l') {
            if count > 0 {
                out.out(&format!("{name}\n"));
            }
        } else if opts.has('c') {
            if show_names {
                out.out(&format!("{name}:{count}\n"));
            } else {
                out.out(&format!("{count}\n"));
            }
        } else {
            out.out(&result);
        }
    }
    if error && !(opts.has('q') && any) {
        2
    } else if any {
        0
    } else {
        1
    }
}

// ----- sed -----

#[derive(Clone, Debug)]
enum Address {
    Line(usize),
    Last,
    Pattern(Regex),
}

#[derive(Clone, Debug)]
enum SedCmd {
    Substitute { regex: Regex, replacement: String, global: bool, nth: usize, print: bool },
    Delete,
    Print,
    Quit,
    Translate(Vec<char>, Vec<char>),
    Append(String),
    Insert(String),
    Change(String),
    LineNumber,
}

#[derive(Clone, Debug)]
struct SedInstr {
    from: Option<Address>,
    to: Option<Address>,
    negate: bool,
    cmd: SedCmd,
}

/// Parses a sed script (`s/a/b/g; /x/d; 2p`); errors are GNU's `-e expression #1, char N: ...`.
fn parse_sed(script: &str, extended: bool) -> Result<Vec<SedInstr>, String> {
    let chars: Vec<char> = script.chars().collect();
    let mut i = 0;
    let mut instrs = Vec::new();
    let err = |i: usize, msg: &str| format!("-e expression #1, char {i}: {msg}");
    let parse_addr = |i: &mut usize| -> Result<Option<Address>, String> {
        match chars.get(*i) {
            Some(c) if c.is_ascii_digit() => {
                let start = *i;
                while chars.get(*i).is_some_and(|c| c.is_ascii_digit()) {
                    *i += 1;
                }
                let n: usize = chars[start..*i].iter().collect::<String>().parse().map_err(|_| err(*i, "invalid line number"))?;
                Ok(Some(Address::Line(n)))
            }
            Some('$') => {
                *i += 1;
                Ok(Some(Address::Last))
            }
            Some('/') => {
                *i += 1;
                let start = *i;
                while chars.get(*i).is_some_and(|&c| c != '/') {
                    if chars[*i] == '\\' {
                        *i += 1;
                    }
                    *i += 1;
                }
                if *i >= chars.len() {
                    return Err(err(*i, "unterminated address regex"));
                }
                let pat: String = chars[start..*i].iter().collect();
                *i += 1;
                let regex = compile(&pat, extended, false, false, false).map_err(|m| err(*i, &m))?;
                Ok(Some(Address::Pattern(regex)))
            }
            _ => Ok(None),
        }
    };
    loop {
        while chars.get(i).is_some_and(|c| c.is_whitespace() || *c == ';') {
            i += 1;
        }
        if i >= chars.len() {
            break;
        }
        let from = parse_addr(&mut i)?;
        let mut to = None;
        if from.is_some() && chars.get(i) == Some(&',') {
            i += 1;
            to = parse_addr(&mut i)?;
            if to.is_none() {
                return Err(err(i, "unexpected `,'"));
            }
        }
        while chars.get(i) == Some(&' ') {
            i += 1;
        }
        let mut negate = false;
        if chars.get(i) == Some(&'!') {
            negate = true;
            i += 1;
        }
        let Some(&c) = chars.get(i) else {
            return Err(err(i, "missing command"));
        };
        i += 1;
        let cmd = match c {
            'd' => SedCmd::Delete,
            'p' => SedCmd::Print,
            'q' => SedCmd::Quit,
            '=' => SedCmd::LineNumber,
            'a' | 'i' | 'c' => {
                while chars.get(i) == Some(&' ') {
                    i += 1;
                }
                if chars.get(i) == Some(&'\\') {
                    i += 1;
                    if chars.get(i) == Some(&'\n') {
                        i += 1;
                    }
                }
                let start = i;
                while chars.get(i).is_some_and(|&c| c != '\n' && c != ';') {
                    i += 1;
                }
                let text: String = chars[start..i].iter().collect();
                match c {
                    'a' => SedCmd::Append(text),
                    'i' => SedCmd::Insert(text),
                    _ => SedCmd::Change(text),
                }
            }
            's' | 'y' => {
                let Some(&delim) = chars.get(i) else {
                    return Err(err(i, &format!("unterminated `{c}' command")));
                };
                i += 1;
                let mut pieces = Vec::new();
                for _ in 0..2 {
                    let mut piece = String::new();
                    loop {
                        match chars.get(i) {
                            None => return Err(err(i, &format!("unterminated `{c}' command"))),
                            Some(&ch) if ch == delim => {
                                i += 1;
                                break;
                            }
                            Some('\\') if chars.get(i + 1) == Some(&delim) => {
                                piece.push(delim);
                                i += 2;
                            }
                            Some('\\') => {
                                piece.push('\\');
                                if let Some(&n) = chars.get(i + 1) {
                                    piece.push(n);
                                }
                                i += 2;
                            }
                            Some(&ch) => {
                                piece.push(ch);
                                i += 1;
                            }
                        }
                    }
                    pieces.push(piece);
                }
                let replacement = pieces.pop().unwrap_or_default();
                let pattern = pieces.pop().unwrap_or_default();
                if c == 'y' {
                    let a: Vec<char> = pattern.chars().collect();
                    let b: Vec<char> = replacement.chars().collect();
                    if a.len() != b.len() {
                        return Err(err(i, "strings for `y' command are different lengths"));
                    }
                    SedCmd::Translate(a, b)
                } else {
                    let (mut global, mut print, mut nth, mut icase) = (false, false, 1, false);
                    while let Some(&f) = chars.get(i) {
                        match f {
                            'g' => global = true,
                            'p' => print = true,
                            'i' | 'I' => icase = true,
                            d if d.is_ascii_digit() => nth = d.to_digit(10).unwrap_or(1) as usize,
                            ';' | '\n' | ' ' | '}' => break,
                            _ => return Err(err(i + 1, "unknown option to `s'")),
                        }
                        i += 1;
                    }
                    let regex = compile(&pattern, extended, icase, false, false).map_err(|m| err(i, &m))?;
                    SedCmd::Substitute { regex, replacement, global, nth: nth.max(1), print }
                }
            }
            other => return Err(err(i, &format!("unknown command: `{other}'"))),
        };
        instrs.push(SedInstr { from, to, negate, cmd });
    }
    Ok(instrs)
}

/// `&` and `\1`..`\9` in a replacement, and `\n`.
fn sed_replacement(caps: &regex_lite::Captures, replacement: &str) -> String {
    let mut out = String::new();
    let mut chars = replacement.chars();
    while let Some(c) = chars.next() {
        match c {
            '&' => out.push_str(caps.get(0).map(|m| m.as_str()).unwrap_or("")),
            '\\' => match chars.next() {
                Some(d @ '0'..='9') => out.push_str(caps.get(d as usize - '0' as usize).map(|m| m.as_str()).unwrap_or("")),
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some(o) => out.push(o),
                None => out.push('\\'),
            },
            c => out.push(c),
        }
    }
    out
}

fn run_sed(instrs: &[SedInstr], text: &str, quiet: bool) -> String {
    let input = lines(text);
    let total = input.len();
    let mut out = String::new();
    let mut active: Vec<bool> = vec![false; instrs.len()];
    'lines: for (index, line) in input.iter().enumerate() {
        let n = index + 1;
        let mut space = line.to_string();
        let mut append = Vec::new();
        let matches = |a: &Address, s: &str| match a {
            Address::Line(l) => *l == n,
            Address::Last => n == total,
            Address::Pattern(r) => r.is_match(s),
        };
        let mut quit = false;
        for (k, instr) in instrs.iter().enumerate() {
            let selected = match (&instr.from, &instr.to) {
                (None, _) => true,
                (Some(a), None) => matches(a, &space),
                (Some(a), Some(b)) => {
                    if active[k] {
                        if matches(b, &space) || matches!(b, Address::Line(l) if *l <= n) {
                            active[k] = false;
                        }
                        true
                    } else if matches(a, &space) {
                        active[k] = !matches!(b, Address::Line(l) if *l <= n);
                        true
                    } else {
                        false
                    }
                }
            };
            if selected == instr.negate {
                continue;
            }
            match &instr.cmd {
                SedCmd::Delete => continue 'lines,
                SedCmd::Print => {
                    out.push_str(&space);
                    out.push('\n');
                }
                SedCmd::Quit => {
                    quit = true;
                    break;
                }
                SedCmd::LineNumber => out.push_str(&format!("{n}\n")),
                SedCmd::Append(t) => append.push(t.clone()),
                SedCmd::Insert(t) => {
                    out.push_str(t);
                    out.push('\n');
                }
                SedCmd::Change(t) => {
                    out.push_str(t);
                    out.push('\n');
                    continue 'lines;
                }
                SedCmd::Translate(a, b) => {
                    space = space.chars().map(|c| a.iter().position(|&x| x == c).and_then(|i| b.get(i).copied()).unwrap_or(c)).collect();
                }
                SedCmd::Substitute { regex, replacement, global, nth, print } => {
                    let mut result = String::new();
                    let mut last = 0;
                    let mut count = 0;
                    let mut changed = false;
                    for caps in regex.captures_iter(&space) {
                        let Some(m) = caps.get(0) else { continue };
                        count += 1;
                        if count < *nth {
                            continue;
                        }
                        result.push_str(&space[last..m.start()]);
                        result.push_str(&sed_replacement(&caps, replacement));
                        last = m.end();
                        changed = true;
                        if !global {
                            break;
                        }
                    }
                    if changed {
                        result.push_str(&space[last..]);
                        space = result;
                        if *print {
                            out.push_str(&space);
                            out.push('\n');
                        }
                    }
                }
            }
        }
        if !quiet {
            out.push_str(&space);
            out.push('\n');
        }
        for a in append {
            out.push_str(&a);
            out.push('\n');
        }
        if quit || out.len() > super::OUTPUT_LIMIT {
            break;
        }
    }
    out
}

pub(super) fn sed(sh: &mut Shell, cluster: &mut Cluster, argv: &[String], stdin: Option<&str>, out: &mut Output) -> i32 {
    // `-i` takes an optional attached suffix (`-i.bak`), so handle it before getopt.
    let mut in_place = false;
    let args: Vec<String> = argv
        .iter()
        .filter(|a| {
            if a.starts_with("-i") || *a == "--in-place" {
                in_place = true;
                false
            } else {
                true
            }
        })
        .cloned()
        .collect();
    let Some(opts) = getopt(&args, "ef", "nErs", &[("quiet", 'n'), ("regexp-extended", 'E'), ("expression", 'e')], out) else { return 1 };
    let mut operands = opts.operands.clone();
    let script = if opts.has('e') {
        opts.flags.iter().filter(|(c, _)| *c == 'e').map(|(_, v)| v.clone()).collect::<Vec<_>>().join("\n")
    } else if operands.is_empty() {
        out.err("Usage: sed [OPTION]... {script-only-if-no-other-script} [input-file]...\n");
        return 1;
    } else {
        operands.remove(0)
    };
    let instrs = match parse_sed(&script, opts.has('E') || opts.has('r')) {
        Ok(i) => i,
        Err(e) => {
            out.err(&format!("sed: {e}\n"));
            return 1;
        }
    };
    let quiet = opts.has('n');
    if in_place {
        if operands.is_empty() {
            out.err("sed: no input files\n");
            return 1;
        }
        let now = cluster.clock.now();
        let mut code = 0;
        for operand in &operands {
            let path = Vfs::resolve(&sh.cwd, operand);
            match sh.vfs.read(&path).map(str::to_string) {
                Ok(text) => {
                    let result = run_sed(&instrs, &text, quiet);
                    if let Err(e) = sh.vfs.write(&path, &result, false, now) {
                        out.err(&format!("sed: couldn't write {operand}: {}\n", e.message()));
                        code = 4;
                    }
                }
                Err(e) => {
                    out.err(&format!("sed: can't read {operand}: {}\n", e.message()));
                    code = 2;
                }
            }
        }
        return code;
    }
    if operands.is_empty() {
        operands.push("-".to_string());
    }
    let mut text = String::new();
    let mut code = 0;
    for operand in &operands {
        match read_input(sh, operand, stdin) {
            Ok(t) => {
                text.push_str(&t);
                if !t.is_empty() && !t.ends_with('\n') {
                    text.push('\n');
                }
            }
            Err(e) => {
                out.err(&format!("sed: can't read {operand}: {}\n", e.message()));
                code = 2;
            }
        }
    }
    out.out(&run_sed(&instrs, &text, quiet));
    code
}

// ----- awk: the one-liner subset -----

#[derive(Clone, Debug)]
enum AwkExpr {
    Num(f64),
    Str(String),
    Field(Box<AwkExpr>),
    Var(String),
    Regex(Regex),
    Binary(Box<AwkExpr>, String, Box<AwkExpr>),
    Not(Box<AwkExpr>),
    Neg(Box<AwkExpr>),
    Concat(Vec<AwkExpr>),
    Call(String, Vec<AwkExpr>),
    Assign(String, String, Box<AwkExpr>),
    Incr(String, f64),
}

#[derive(Clone, Debug)]
enum AwkStmt {
    Print(Vec<AwkExpr>),
    Printf(Vec<AwkExpr>),
    Expr(AwkExpr),
    Next,
    If(AwkExpr, Vec<AwkStmt>, Vec<AwkStmt>),
}

#[derive(Clone, Debug)]
enum AwkPattern {
    Begin,
    End,
    All,
    Expr(AwkExpr),
}

struct AwkParser {
    toks: Vec<String>,
    pos: usize,
    /// Nesting of parentheses, unary operators and blocks: bounded so that a
    /// program of a thousand `(` cannot overflow the stack.
    depth: usize,
}

/// Splits an awk program into tokens: strings, regexes, numbers, names, operators.
fn awk_tokens(src: &str) -> Result<Vec<String>, String> {
    let chars: Vec<char> = src.chars().collect();
    let mut toks: Vec<String> = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == ' ' || c == '\t' {
            i += 1;
            continue;
        }
        if c == '\n' || c == ';' {
            toks.push(";".to_string());
            i += 1;
            continue;
        }
        if c == '"' {
            let mut s = String::from("\"");
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' && i + 1 < chars.len() {
                    i += 1;
                    s.push(match chars[i] {
                        'n' => '\n',
                        't' => '\t',
                        o => o,
                    });
                } else {
                    s.push(chars[i]);
                }
                i += 1;
            }
            if i >= chars.len() {
                return Err("runaway string constant".to_string());
            }
            i += 1;
            toks.push(s);
            continue;
        }
        // A slash starts a regex where an operand is expected.
        if c == '/' && toks.last().is_none_or(|t| matches!(t.as_str(), "(" | "," | "{" | ";" | "~" | "!~" | "&&" | "||" | "!" | "==" | "!=")) {
            let mut s = String::from("/");
            i += 1;
            while i < chars.len() && chars[i] != '/' {
                if chars[i] == '\\' && i + 1 < chars.len() {
                    s.push('\\');
                    i += 1;
                }
                s.push(chars[i]);
                i += 1;
            }
            if i >= chars.len() {
                return Err("runaway regular expression".to_string());
            }
            i += 1;
            toks.push(s);
            continue;
        }
        if c.is_ascii_digit() || (c == '.' && chars.get(i + 1).is_some_and(|d| d.is_ascii_digit())) {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                i += 1;
            }
            toks.push(format!("#{}", chars[start..i].iter().collect::<String>()));
            continue;
        }
        if c.is_ascii_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            toks.push(chars[start..i].iter().collect());
            continue;
        }
        let two: String = chars[i..(i + 2).min(chars.len())].iter().collect();
        if ["==", "!=", "<=", ">=", "&&", "||", "!~", "+=", "-=", "*=", "/=", "++", "--"].contains(&two.as_str()) {
            toks.push(two);
            i += 2;
            continue;
        }
        if "{}()$,<>+-*/%!~=?:".contains(c) {
            toks.push(c.to_string());
            i += 1;
            continue;
        }
        return Err(format!("syntax error at source line 1: unexpected character '{c}'"));
    }
    Ok(toks)
}

impl AwkParser {
    fn peek(&self) -> Option<&str> {
        self.toks.get(self.pos).map(String::as_str)
    }

    fn eat(&mut self, t: &str) -> bool {
        if self.peek() == Some(t) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, t: &str) -> Result<(), String> {
        if self.eat(t) {
            Ok(())
        } else {
            Err(format!("syntax error at source line 1 near '{}'", self.peek().unwrap_or("end of program")))
        }
    }

    fn program(&mut self) -> Result<Vec<(AwkPattern, Vec<AwkStmt>)>, String> {
        let mut rules = Vec::new();
        while self.eat(";") {}
        while self.peek().is_some() {
            let pattern = match self.peek() {
                Some("BEGIN") => {
                    self.pos += 1;
                    AwkPattern::Begin
                }
                Some("END") => {
                    self.pos += 1;
                    AwkPattern::End
                }
                Some("{") => AwkPattern::All,
                _ => AwkPattern::Expr(self.expr()?),
            };
            let body = if self.peek() == Some("{") { self.block()? } else { vec![AwkStmt::Print(Vec::new())] };
            rules.push((pattern, body));
            while self.eat(";") {}
        }
        Ok(rules)
    }

    fn block(&mut self) -> Result<Vec<AwkStmt>, String> {
        self.depth += 10;
        if self.depth > 100 {
            return Err("syntax error at source line 1: blocks nest too deeply".to_string());
        }
        let result = self.block_inner();
        self.depth -= 10;
        result
    }

    fn block_inner(&mut self) -> Result<Vec<AwkStmt>, String> {
        self.expect("{")?;
        let mut stmts = Vec::new();
        loop {
            while self.eat(";") {}
            if self.eat("}") {
                return Ok(stmts);
            }
            if self.peek().is_none() {
                return Err("syntax error at source line 1: missing }".to_string());
            }
            stmts.push(self.statement()?);
        }
    }

    fn statement(&mut self) -> Result<AwkStmt, String> {
        match self.peek() {
            Some("print") | Some("printf") => {
                let printf = self.peek() == Some("printf");
                self.pos += 1;
                let mut args = Vec::new();
                let paren = self.peek() == Some("(");
                if !matches!(self.peek(), Some(";" | "}") | None) {
                    if paren {
                        self.pos += 1;
                    }
                    args.push(self.expr_no_gt(paren)?);
                    while self.eat(",") {
                        args.push(self.expr_no_gt(paren)?);
                    }
                    if paren {
                        self.expect(")")?;
                    }
                }
                if self.peek() == Some(">") {
                    return Err("kubesim: awk output redirection is not simulated".to_string());
                }
                Ok(if printf { AwkStmt::Printf(args) } else { AwkStmt::Print(args) })
            }
            Some("next") => {
                self.pos += 1;
                Ok(AwkStmt::Next)
            }
            Some("if") => {
                self.pos += 1;
                self.expect("(")?;
                let cond = self.expr()?;
                self.expect(")")?;
                let then = if self.peek() == Some("{") { self.block()? } else { vec![self.statement()?] };
                while self.eat(";") {}
                let otherwise = if self.eat("else") {
                    if self.peek() == Some("{") {
                        self.block()?
                    } else {
                        vec![self.statement()?]
                    }
                } else {
                    Vec::new()
                };
                Ok(AwkStmt::If(cond, then, otherwise))
            }
            _ => Ok(AwkStmt::Expr(self.expr()?)),
        }
    }

    fn expr_no_gt(&mut self, in_paren: bool) -> Result<AwkExpr, String> {
        // In `print a > "file"` the `>` is a redirection, not a comparison.
        if in_paren {
            self.expr()
        } else {
            self.ternary(false)
        }
    }

    fn expr(&mut self) -> Result<AwkExpr, String> {
        self.ternary(true)
    }

    fn ternary(&mut self, gt: bool) -> Result<AwkExpr, String> {
        let e = self.or(gt)?;
        if self.eat("?") {
            let a = self.ternary(gt)?;
            self.expect(":")?;
            let b = self.ternary(gt)?;
            return Ok(AwkExpr::Call("?:".to_string(), vec![e, a, b]));
        }
        Ok(e)
    }

    fn or(&mut self, gt: bool) -> Result<AwkExpr, String> {
        let mut e = self.and(gt)?;
        while self.eat("||") {
            e = AwkExpr::Binary(Box::new(e), "||".to_string(), Box::new(self.and(gt)?));
        }
        Ok(e)
    }

    fn and(&mut self, gt: bool) -> Result<AwkExpr, String> {
        let mut e = self.matching(gt)?;
        while self.eat("&&") {
            e = AwkExpr::Binary(Box::new(e), "&&".to_string(), Box::new(self.matching(gt)?));
        }
        Ok(e)
    }

    fn matching(&mut self, gt: bool) -> Result<AwkExpr, String> {
        let mut e = self.comparison(gt)?;
        while let Some(op @ ("~" | "!~")) = self.peek() {
            let op = op.to_string();
            self.pos += 1;
            e = AwkExpr::Binary(Box::new(e), op, Box::new(self.comparison(gt)?));
        }
        Ok(e)
    }

    fn comparison(&mut self, gt: bool) -> Result<AwkExpr, String> {
        let e = self.concat()?;
        if let Some(op @ ("==" | "!=" | "<" | "<=" | ">" | ">=")) = self.peek() {
            if op == ">" && !gt {
                return Ok(e);
            }
            let op = op.to_string();
            self.pos += 1;
            return Ok(AwkExpr::Binary(Box::new(e), op, Box::new(self.concat()?)));
        }
        Ok(e)
    }

    fn concat(&mut self) -> Result<AwkExpr, String> {
        let mut parts = vec![self.additive()?];
        while let Some(t) = self.peek() {
            let starts_operand = t.starts_with('"') || t.starts_with('#') || t == "$" || t == "(" || t == "!" || (t.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') && !matches!(t, "in" | "else"));
            if !starts_operand {
                break;
            }
            parts.push(self.additive()?);
        }
        Ok(if parts.len() == 1 { parts.remove(0) } else { AwkExpr::Concat(parts) })
    }

    fn additive(&mut self) -> Result<AwkExpr, String> {
        let mut e = self.multiplicative()?;
        while let Some(op @ ("+" | "-")) = self.peek() {
            let op = op.to_string();
            self.pos += 1;
            e = AwkExpr::Binary(Box::new(e), op, Box::new(self.multiplicative()?));
        }
        Ok(e)
    }

    fn multiplicative(&mut self) -> Result<AwkExpr, String> {
        let mut e = self.unary()?;
        while let Some(op @ ("*" | "/" | "%")) = self.peek() {
            let op = op.to_string();
            self.pos += 1;
            e = AwkExpr::Binary(Box::new(e), op, Box::new(self.unary()?));
        }
        Ok(e)
    }

    fn unary(&mut self) -> Result<AwkExpr, String> {
        self.depth += 1;
        if self.depth > 100 {
            return Err("syntax error at source line 1: expression nests too deeply".to_string());
        }
        let result = self.unary_inner();
        self.depth -= 1;
        result
    }

    fn unary_inner(&mut self) -> Result<AwkExpr, String> {
        if self.eat("!") {
            return Ok(AwkExpr::Not(Box::new(self.unary()?)));
        }
        if self.eat("-") {
            return Ok(AwkExpr::Neg(Box::new(self.unary()?)));
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<AwkExpr, String> {
        let Some(t) = self.peek().map(str::to_string) else {
            return Err("syntax error at source line 1: unexpected end of program".to_string());
        };
        self.pos += 1;
        if let Some(s) = t.strip_prefix('"') {
            return Ok(AwkExpr::Str(s.to_string()));
        }
        if let Some(n) = t.strip_prefix('#') {
            return Ok(AwkExpr::Num(n.parse().unwrap_or(0.0)));
        }
        if let Some(r) = t.strip_prefix('/') {
            return compile(r, true, false, false, false).map(AwkExpr::Regex).map_err(|e| format!("regular expression: {e}"));
        }
        match t.as_str() {
            "$" => {
                let inner = self.primary()?;
                Ok(AwkExpr::Field(Box::new(inner)))
            }
            "(" => {
                let e = self.expr()?;
                self.expect(")")?;
                Ok(e)
            }
            "++" | "--" => {
                let Some(name) = self.peek().map(str::to_string) else {
                    return Err("syntax error".to_string());
                };
                self.pos += 1;
                Ok(AwkExpr::Incr(name, if t == "++" { 1.0 } else { -1.0 }))
            }
            name if name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') => {
                if self.peek() == Some("(") && matches!(name, "length" | "toupper" | "tolower" | "substr" | "index" | "int" | "sprintf" | "split") {
                    self.pos += 1;
                    let mut args = Vec::new();
                    if !self.eat(")") {
                        args.push(self.expr()?);
                        while self.eat(",") {
                            args.push(self.expr()?);
                        }
                        self.expect(")")?;
                    }
                    return Ok(AwkExpr::Call(name.to_string(), args));
                }
                if name == "length" {
                    return Ok(AwkExpr::Call("length".to_string(), Vec::new()));
                }
                if let Some(op @ ("=" | "+=" | "-=" | "*=" | "/=")) = self.peek() {
                    let op = op.to_string();
                    self.pos += 1;
                    let value = self.expr()?;
                    return Ok(AwkExpr::Assign(name.to_string(), op, Box::new(value)));
                }
                if let Some(op @ ("++" | "--")) = self.peek() {
                    let d = if op == "++" { 1.0 } else { -1.0 };
                    self.pos += 1;
                    return Ok(AwkExpr::Incr(name.to_string(), d));
                }
                Ok(AwkExpr::Var(name.to_string()))
            }
            other => Err(format!("syntax error at source line 1 near '{other}'")),
        }
    }
}

struct AwkState {
    vars: std::collections::BTreeMap<String, String>,
    fields: Vec<String>,
    record: String,
    nr: usize,
    fs: Option<String>,
    out: String,
}

fn awk_num(s: &str) -> f64 {
    let t = s.trim();
    let end = t.char_indices().find(|&(i, c)| !(c.is_ascii_digit() || c == '.' || (i == 0 && (c == '-' || c == '+')) || c == 'e' || c == 'E')).map(|(i, _)| i).unwrap_or(t.len());
    t[..end].parse().unwrap_or(0.0)
}

fn awk_fmt(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e16 {
        format!("{}", n as i64)
    } else {
        let s = format!("{n:.6}");
        let s = s.trim_end_matches('0').trim_end_matches('.');
        s.to_string()
    }
}

/// Whether a value compares as a number (awk's "strnum").
fn looks_numeric(s: &str) -> bool {
    let t = s.trim();
    !t.is_empty() && t.parse::<f64>().is_ok()
}

impl AwkState {
    fn split(&mut self) {
        self.fields = match self.fs.as_deref() {
            None | Some(" ") => self.record.split_whitespace().map(str::to_string).collect(),
            Some(fs) if fs.chars().count() == 1 => self.record.split(fs).map(str::to_string).collect(),
            Some(fs) => match Regex::new(fs) {
                Ok(r) => r.split(&self.record).map(str::to_string).collect(),
                Err(_) => self.record.split(fs).map(str::to_string).collect(),
            },
        };
        if self.record.is_empty() {
            self.fields.clear();
        }
    }

    fn var(&self, name: &str) -> String {
        match name {
            "NR" | "FNR" => self.nr.to_string(),
            "NF" => self.fields.len().to_string(),
            "FS" => self.fs.clone().unwrap_or_else(|| " ".to_string()),
            _ => self.vars.get(name).cloned().unwrap_or_default(),
        }
    }

    fn eval(&mut self, e: &AwkExpr, depth: usize) -> String {
        if depth > 200 {
            return String::new();
        }
        match e {
            AwkExpr::Num(n) => awk_fmt(*n),
            AwkExpr::Str(s) => s.clone(),
            AwkExpr::Field(i) => {
                let i = awk_num(&self.eval(i, depth + 1)) as i64;
                match i {
                    0 => self.record.clone(),
                    i if i > 0 => self.fields.get(i as usize - 1).cloned().unwrap_or_default(),
                    _ => String::new(),
                }
            }
            AwkExpr::Var(n) => self.var(n),
            AwkExpr::Regex(r) => (if r.is_match(&self.record) { "1" } else { "0" }).to_string(),
            AwkExpr::Not(e) => (if truthy(&self.eval(e, depth + 1), e) { "0" } else { "1" }).to_string(),
            AwkExpr::Neg(e) => awk_fmt(-awk_num(&self.eval(e, depth + 1))),
            AwkExpr::Concat(parts) => parts.iter().map(|p| self.eval(p, depth + 1)).collect(),
            AwkExpr::Incr(name, d) => {
                let v = awk_num(&self.var(name)) + d;
                self.vars.insert(name.clone(), awk_fmt(v));
                awk_fmt(v)
            }
            AwkExpr::Assign(name, op, value) => {
                let v = self.eval(value, depth + 1);
                let result = match op.as_str() {
                    "=" => v,
                    _ => {
                        let (a, b) = (awk_num(&self.var(name)), awk_num(&v));
                        awk_fmt(match op.as_str() {
                            "+=" => a + b,
                            "-=" => a - b,
                            "*=" => a * b,
                            _ => {
                                if b == 0.0 {
                                    0.0
                                } else {
                                    a / b
                                }
                            }
                        })
                    }
                };
                if name == "FS" {
                    self.fs = Some(result.clone());
                } else {
                    self.vars.insert(name.clone(), result.clone());
                }
                result
            }
            AwkExpr::Binary(a, op, b) => {
                if op == "&&" {
                    let l = self.eval(a, depth + 1);
                    return (if truthy(&l, a) && { let r = self.eval(b, depth + 1); truthy(&r, b) } { "1" } else { "0" }).to_string();
                }
                if op == "||" {
                    let l = self.eval(a, depth + 1);
                    return (if truthy(&l, a) || { let r = self.eval(b, depth + 1); truthy(&r, b) } { "1" } else { "0" }).to_string();
                }
                if op == "~" || op == "!~" {
                    let l = self.eval(a, depth + 1);
                    let m = match &**b {
                        AwkExpr::Regex(r) => r.is_match(&l),
                        other => {
                            let p = self.eval(other, depth + 1);
                            compile(&p, true, false, false, false).map(|r| r.is_match(&l)).unwrap_or(false)
                        }
                    };
                    return (if m == (op == "~") { "1" } else { "0" }).to_string();
                }
                let (l, r) = (self.eval(a, depth + 1), self.eval(b, depth + 1));
                match op.as_str() {
                    "+" | "-" | "*" | "/" | "%" => {
                        let (x, y) = (awk_num(&l), awk_num(&r));
                        awk_fmt(match op.as_str() {
                            "+" => x + y,
                            "-" => x - y,
                            "*" => x * y,
                            "/" => {
                                if y == 0.0 {
                                    0.0
                                } else {
                                    x / y
                                }
                            }
                            _ => {
                                if y == 0.0 {
                                    0.0
                                } else {
                                    x % y
                                }
                            }
                        })
                    }
                    _ => {
                        let numeric = (looks_numeric(&l) || matches!(**a, AwkExpr::Num(_))) && (looks_numeric(&r) || matches!(**b, AwkExpr::Num(_)));
                        let ord = if numeric { awk_num(&l).partial_cmp(&awk_num(&r)).unwrap_or(std::cmp::Ordering::Equal) } else { l.cmp(&r) };
                        use std::cmp::Ordering::*;
                        let t = match op.as_str() {
                            "==" => ord == Equal,
                            "!=" => ord != Equal,
                            "<" => ord == Less,
                            "<=" => ord != Greater,
                            ">" => ord == Greater,
                            _ => ord != Less,
                        };
                        (if t { "1" } else { "0" }).to_string()
                    }
                }
            }
            AwkExpr::Call(name, args) => {
                let vals: Vec<String> = args.iter().map(|a| self.eval(a, depth + 1)).collect();
                match name.as_str() {
                    "?:" => {
                        let c = args.first().map(|a| truthy(&vals[0], a)).unwrap_or(false);
                        vals.get(if c { 1 } else { 2 }).cloned().unwrap_or_default()
                    }
                    "length" => vals.first().cloned().unwrap_or_else(|| self.record.clone()).chars().count().to_string(),
                    "toupper" => vals.first().map(|s| s.to_uppercase()).unwrap_or_default(),
                    "tolower" => vals.first().map(|s| s.to_lowercase()).unwrap_or_default(),
                    "int" => awk_fmt(awk_num(vals.first().map(String::as_str).unwrap_or("")).trunc()),
                    "index" => {
                        let (s, t) = (vals.first().cloned().unwrap_or_default(), vals.get(1).cloned().unwrap_or_default());
                        s.find(&t).map(|i| s[..i].chars().count() + 1).unwrap_or(0).to_string()
                    }
                    "substr" => {
                        let s: Vec<char> = vals.first().map(|s| s.chars().collect()).unwrap_or_default();
                        let start = awk_num(vals.get(1).map(String::as_str).unwrap_or("1")).round() as i64;
                        let len = vals.get(2).map(|l| awk_num(l).round() as i64).unwrap_or(i64::MAX / 4);
                        let from = start.max(1);
                        let to = start.saturating_add(len).min(s.len() as i64 + 1);
                        if to <= from {
                            String::new()
                        } else {
                            s[(from - 1) as usize..(to - 1) as usize].iter().collect()
                        }
                    }
                    "sprintf" => awk_sprintf(&vals),
                    _ => String::new(),
                }
            }
        }
    }

    /// Runs statements; returns false on `next`.
    fn exec(&mut self, stmts: &[AwkStmt], ofs: &str) -> bool {
        for s in stmts {
            match s {
                AwkStmt::Print(args) => {
                    let line = if args.is_empty() { self.record.clone() } else { args.iter().map(|a| self.eval(a, 0)).collect::<Vec<_>>().join(ofs) };
                    self.out.push_str(&line);
                    self.out.push('\n');
                }
                AwkStmt::Printf(args) => {
                    let vals: Vec<String> = args.iter().map(|a| self.eval(a, 0)).collect();
                    let s = awk_sprintf(&vals);
                    self.out.push_str(&s);
                }
                AwkStmt::Expr(e) => {
                    self.eval(e, 0);
                }
                AwkStmt::Next => return false,
                AwkStmt::If(c, a, b) => {
                    let v = self.eval(c, 0);
                    let branch = if truthy(&v, c) { a } else { b };
                    if !self.exec(branch, ofs) {
                        return false;
                    }
                }
            }
            if self.out.len() > super::OUTPUT_LIMIT {
                return false;
            }
        }
        true
    }
}

fn truthy(v: &str, e: &AwkExpr) -> bool {
    match e {
        AwkExpr::Str(_) | AwkExpr::Concat(_) => !v.is_empty(),
        _ => {
            if looks_numeric(v) {
                awk_num(v) != 0.0
            } else {
                !v.is_empty()
            }
        }
    }
}

fn awk_sprintf(vals: &[String]) -> String {
    let Some(fmt) = vals.first() else { return String::new() };
    let mut out = String::new();
    let chars: Vec<char> = fmt.chars().collect();
    let mut i = 0;
    let mut arg = 1;
    while i < chars.len() {
        if chars[i] != '%' {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        if chars.get(i + 1) == Some(&'%') {
            out.push('%');
            i += 2;
            continue;
        }
        let start = i;
        i += 1;
        while i < chars.len() && "-+ 0#.0123456789".contains(chars[i]) {
            i += 1;
        }
        let Some(&conv) = chars.get(i) else { break };
        i += 1;
        let spec: String = chars[start + 1..i - 1].iter().collect();
        let left = spec.starts_with('-');
        let (w, p) = match spec.trim_start_matches(['-', '+', ' ', '0', '#']).split_once('.') {
            Some((w, p)) => (w.parse::<usize>().unwrap_or(0), p.parse::<usize>().ok()),
            None => (spec.trim_start_matches(['-', '+', ' ', '0', '#']).parse::<usize>().unwrap_or(0), None),
        };
        let v = vals.get(arg).cloned().unwrap_or_default();
        arg += 1;
        let body = match conv {
            'd' | 'i' => format!("{}", awk_num(&v) as i64),
            'f' => format!("{:.*}", p.unwrap_or(6).min(30), awk_num(&v)),
            'c' => v.chars().next().map(String::from).unwrap_or_default(),
            'x' => format!("{:x}", awk_num(&v) as i64),
            _ => match p {
                Some(p) => v.chars().take(p).collect(),
                None => v,
            },
        };
        let w = w.min(1000);
        let len = body.chars().count();
        if len < w {
            if left {
                out.push_str(&body);
                out.push_str(&" ".repeat(w - len));
            } else if spec.starts_with('0') && conv != 's' {
                out.push_str(&"0".repeat(w - len));
                out.push_str(&body);
            } else {
                out.push_str(&" ".repeat(w - len));
                out.push_str(&body);
            }
        } else {
            out.push_str(&body);
        }
    }
    out
}

pub(super) fn awk(sh: &mut Shell, _: &mut Cluster, argv: &[String], stdin: Option<&str>, out: &mut Output) -> i32 {
    let mut fs: Option<String> = None;
    let mut vars = std::collections::BTreeMap::new();
    let mut i = 1;
    while let Some(a) = argv.get(i) {
        if a == "-F" {
            fs = argv.get(i + 1).cloned();
            i += 2;
        } else if let Some(f) = a.strip_prefix("-F") {
            fs = Some(f.to_string());
            i += 1;
        } else if a == "-v" {
            if let Some((k, v)) = argv.get(i + 1).and_then(|kv| kv.split_once('=')) {
                vars.insert(k.to_string(), v.to_string());
            }
            i += 2;
        } else {
            break;
        }
    }
    let fs = fs.map(|f| if f == "\\t" || f == "t" { "\t".to_string() } else { f });
    let Some(program) = argv.get(i) else {
        out.err("usage: awk [-F fs][-v var=value][prog | -f progfile][file ...]\n");
        return 2;
    };
    let rules = match awk_tokens(program).and_then(|toks| AwkParser { toks, pos: 0, depth: 0 }.program()) {
        Ok(r) => r,
        Err(e) if e.starts_with("kubesim:") => {
            out.err(&format!("{e}\n"));
            return 2;
        }
        Err(e) => {
            out.err(&format!("awk: {e}\n"));
            return 2;
        }
    };
    let mut state = AwkState { vars, fields: Vec::new(), record: String::new(), nr: 0, fs, out: String::new() };
    let ofs = " ";
    for (p, body) in &rules {
        if matches!(p, AwkPattern::Begin) {
            state.exec(body, ofs);
        }
    }
    let has_main = rules.iter().any(|(p, _)| !matches!(p, AwkPattern::Begin));
    let mut code = 0;
    if has_main {
        let operands: Vec<String> = match argv.get(i + 1..) {
            Some(o) if !o.is_empty() => o.to_vec(),
            _ => vec!["-".to_string()],
        };
        for operand in operands {
            let text = match read_input(sh, &operand, stdin) {
                Ok(t) => t,
                Err(e) => {
                    out.err(&format!("awk: cannot open \"{operand}\" ({})\n", e.message()));
                    code = 2;
                    continue;
                }
            };
            for line in lines(&text) {
                state.nr += 1;
                state.record = line.to_string();
                state.split();
                for (p, body) in &rules {
                    let run = match p {
                        AwkPattern::All => true,
                        AwkPattern::Expr(e) => {
                            let v = state.eval(e, 0);
                            truthy(&v, e)
                        }
                        _ => false,
                    };
                    if run && !state.exec(body, ofs) {
                        break;
                    }
                }
                if state.out.len() > super::OUTPUT_LIMIT {
                    break;
                }
            }
        }
    }
    for (p, body) in &rules {
        if matches!(p, AwkPattern::End) {
            state.exec(body, ofs);
        }
    }
    out.out(&state.out);
    code
}

// ----- jq: paths, pipes and a few functions -----

/// One step of a jq path applied to one value.
type JqStep = dyn Fn(&serde_json::Value) -> Result<Vec<serde_json::Value>, String>;

fn jq_eval(filter: &str, input: &serde_json::Value, depth: usize) -> Result<Vec<serde_json::Value>, String> {
    use serde_json::Value;
    if depth > 50 {
        return Err("filter nests too deep".to_string());
    }
    let filter = filter.trim();
    // Pipes bind loosest; split at top-level `|`.
    let mut level = 0i32;
    let mut in_str = false;
    for (i, c) in filter.char_indices() {
        match c {
            '"' => in_str = !in_str,
            '(' | '[' | '{' if !in_str => level += 1,
            ')' | ']' | '}' if !in_str => level -= 1,
            '|' if !in_str && level == 0 => {
                let mut results = Vec::new();
                for v in jq_eval(&filter[..i], input, depth + 1)? {
                    results.extend(jq_eval(&filter[i + 1..], &v, depth + 1)?);
                }
                return Ok(results);
            }
            ',' if !in_str && level == 0 => {
                let mut results = jq_eval(&filter[..i], input, depth + 1)?;
                results.extend(jq_eval(&filter[i + 1..], input, depth + 1)?);
                return Ok(results);
            }
            _ => {}
        }
    }
    match filter {
        "." | "" => return Ok(vec![input.clone()]),
        "length" => {
            return Ok(vec![Value::from(match input {
                Value::Array(a) => a.len(),
                Value::Object(o) => o.len(),
                Value::String(s) => s.chars().count(),
                Value::Null => 0,
                _ => return Err(format!("{} has no length", jq_type(input))),
            })])
        }
        "keys" => match input {
            Value::Object(o) => return Ok(vec![Value::Array(o.keys().map(|k| Value::from(k.clone())).collect())]),
            Value::Array(a) => return Ok(vec![Value::Array((0..a.len()).map(Value::from).collect())]),
            _ => return Err(format!("{} has no keys", jq_type(input))),
        },
        "type" => return Ok(vec![Value::from(jq_type(input))]),
        _ => {}
    }
    if let Some(inner) = filter.strip_prefix("select(").and_then(|f| f.strip_suffix(')')) {
        let cond = jq_condition(inner, input, depth)?;
        return Ok(if cond { vec![input.clone()] } else { Vec::new() });
    }
    if let Some(inner) = filter.strip_prefix('[').and_then(|f| f.strip_suffix(']')) {
        if !filter.starts_with("[]") {
            return Ok(vec![Value::Array(jq_eval(inner, input, depth + 1)?)]);
        }
    }
    if let Some(s) = filter.strip_prefix('"').and_then(|f| f.strip_suffix('"')) {
        return Ok(vec![Value::from(s)]);
    }
    if !filter.starts_with('.') {
        return Err(format!("kubesim: jq filter '{filter}' is not simulated"));
    }
    // A path: .a.b, .a[], .a[0], .["x"], ."x"
    let mut values = vec![input.clone()];
    let chars: Vec<char> = filter.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let step: Box<JqStep>;
        if chars[i] == '.' {
            i += 1;
            if i < chars.len() && chars[i] == '"' {
                let start = i + 1;
                i = start;
                while i < chars.len() && chars[i] != '"' {
                    i += 1;
                }
                let key: String = chars[start..i.min(chars.len())].iter().collect();
                i += 1;
                step = Box::new(move |v| jq_field(v, &key));
            } else {
                let start = i;
                while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_' || chars[i] == '-') {
                    i += 1;
                }
                if i == start {
                    continue;
                }
                let key: String = chars[start..i].iter().collect();
                step = Box::new(move |v| jq_field(v, &key));
            }
        } else if chars[i] == '[' {
            let start = i + 1;
            let Some(end) = chars[start..].iter().position(|&c| c == ']').map(|p| start + p) else {
                return Err("syntax error: unterminated [".to_string());
            };
            let inside: String = chars[start..end].iter().collect();
            i = end + 1;
            if inside.is_empty() {
                step = Box::new(|v| match v {
                    Value::Array(a) => Ok(a.clone()),
                    Value::Object(o) => Ok(o.values().cloned().collect()),
                    Value::Null => Err("Cannot iterate over null".to_string()),
                    other => Err(format!("Cannot iterate over {}", jq_type(other))),
                });
            } else if let Ok(n) = inside.trim().parse::<i64>() {
                step = Box::new(move |v| match v {
                    Value::Array(a) => {
                        let idx = if n < 0 { a.len() as i64 + n } else { n };
                        Ok(vec![usize::try_from(idx).ok().and_then(|i| a.get(i)).cloned().unwrap_or(Value::Null)])
                    }
                    Value::Null => Ok(vec![Value::Null]),
                    other => Err(format!("Cannot index {} with number", jq_type(other))),
                });
            } else if let Some(key) = inside.trim().strip_prefix('"').and_then(|k| k.strip_suffix('"')) {
                let key = key.to_string();
                step = Box::new(move |v| jq_field(v, &key));
            } else {
                return Err(format!("kubesim: jq index '[{inside}]' is not simulated"));
            }
        } else if chars[i] == '?' {
            i += 1;
            continue;
        } else {
            return Err(format!("kubesim: jq filter '{filter}' is not simulated"));
        }
        let mut next = Vec::new();
        for v in &values {
            next.extend(step(v)?);
        }
        values = next;
        if values.len() > 100_000 {
            return Err("too many results".to_string());
        }
    }
    Ok(values)
}

fn jq_condition(cond: &str, input: &serde_json::Value, depth: usize) -> Result<bool, String> {
    for op in ["==", "!="] {
        if let Some((a, b)) = cond.split_once(op) {
            let l = jq_eval(a, input, depth + 1)?;
            let r = jq_eval(b.trim(), input, depth + 1).or_else(|_| serde_json::from_str::<serde_json::Value>(b.trim()).map(|v| vec![v]).map_err(|e| e.to_string()))?;
            let eq = l.first() == r.first();
            return Ok(if op == "==" { eq } else { !eq });
        }
    }
    let v = jq_eval(cond, input, depth + 1)?;
    Ok(v.first().is_some_and(|v| !matches!(v, serde_json::Value::Null | serde_json::Value::Bool(false))))
}

fn jq_field(v: &serde_json::Value, key: &str) -> Result<Vec<serde_json::Value>, String> {
    match v {
        serde_json::Value::Object(o) => Ok(vec![o.get(key).cloned().unwrap_or(serde_json::Value::Null)]),
        serde_json::Value::Null => Ok(vec![serde_json::Value::Null]),
        other => Err(format!("Cannot index {} with \"{key}\"", jq_type(other))),
    }
}

fn jq_type(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "boolean",
        serde_json::Value::Number(_) => "number",
        serde_json::Value::String(_) => "string",
        serde_json::Value::Array(_) => "array",
        serde_json::Value::Object(_) => "object",
    }
}

pub(super) fn jq(sh: &mut Shell, _: &mut Cluster, argv: &[String], stdin: Option<&str>, out: &mut Output) -> i32 {
    let Some(opts) = getopt(argv, "", "rcSe", &[("raw-output", 'r'), ("compact-output", 'c'), ("sort-keys", 'S')], out) else { return 2 };
    let mut operands = opts.operands.clone();
    let filter = if operands.is_empty() { ".".to_string() } else { operands.remove(0) };
    let operand = operands.first().cloned().unwrap_or_else(|| "-".to_string());
    let text = match read_input(sh, &operand, stdin) {
        Ok(t) => t,
        Err(e) => {
            out.err(&format!("jq: error: Could not open {operand}: {}\n", e.message()));
            return 2;
        }
    };
    let mut code = 0;
    let stream = serde_json::Deserializer::from_str(&text).into_iter::<serde_json::Value>();
    for value in stream {
        let value = match value {
            Ok(v) => v,
            Err(e) => {
                out.err(&format!("jq: error (at <stdin>:{}): Cannot parse input: {e}\n", e.line()));
                return 2;
            }
        };
        match jq_eval(&filter, &value, 0) {
            Ok(results) => {
                let mut text = String::new();
                for r in results {
                    let s = match (&r, opts.has('r')) {
                        (serde_json::Value::String(s), true) => s.clone(),
                        _ if opts.has('c') => serde_json::to_string(&r).unwrap_or_default(),
                        _ => serde_json::to_string_pretty(&r).unwrap_or_default(),
                    };
                    text.push_str(&s);
                    text.push('\n');
                }
                out.out(&text);
            }
            Err(e) if e.starts_with("kubesim:") => {
                out.err(&format!("{e}\n"));
                return 3;
            }
            Err(e) => {
                out.err(&format!("jq: error (at <stdin>:0): {e}\n"));
                code = 5;
            }
        }
    }
    code
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_regexes_translate() {
        assert_eq!(translate("a\\(b\\)+", false), "a(b)\\+");
        assert_eq!(translate("a(b)+", true), "a(b)+");
        assert_eq!(translate("*x", false), "\\*x");
        assert!(compile("[[:alpha:]]+", true, false, false, false).is_ok());
    }

    #[test]
    fn sed_substitutes_and_deletes() {
        let instrs = parse_sed("s/nginx/httpd/g; /^#/d", false).unwrap();
        assert_eq!(run_sed(&instrs, "# c\nimage: nginx nginx\n", false), "image: httpd httpd\n");
        let instrs = parse_sed("2p", false).unwrap();
        assert_eq!(run_sed(&instrs, "a\nb\nc\n", true), "b\n");
        assert_eq!(parse_sed("s/a", false).unwrap_err(), "-e expression #1, char 3: unterminated `s' command");
    }

    #[test]
    fn jq_paths() {
        let v: serde_json::Value = serde_json::from_str(r#"{"items":[{"metadata":{"name":"a"}},{"metadata":{"name":"b"}}]}"#).unwrap();
        let names = jq_eval(".items[].metadata.name", &v, 0).unwrap();
        assert_eq!(names, vec![serde_json::Value::from("a"), serde_json::Value::from("b")]);
        assert_eq!(jq_eval(".items | length", &v, 0).unwrap(), vec![serde_json::Value::from(2)]);
        assert_eq!(jq_eval(".items[] | select(.metadata.name == \"b\") | .metadata.name", &v, 0).unwrap(), vec![serde_json::Value::from("b")]);
    }
}
