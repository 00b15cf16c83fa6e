//! The programs the shell can run: one dispatch table (adding a program is one line)
//! and the shell builtins (`cd`, `export`, `alias`, `history`, `type`, ...).
//!
//! Error texts and exit codes are bash's and GNU coreutils' as they print them in
//! an interactive shell (no `line 1:` prefix).

use k8s_openapi::chrono::format::{Item, StrftimeItems};
use k8s_openapi::chrono::Duration;

use super::exec;
use super::{coreutils, text, AfterEdit, Foreground, Shell, Var};
use crate::cluster::Cluster;
use crate::simulator::Output;
use crate::vfs::{Vfs, HOME};

/// A program: full argv (argv[0] is the name typed), stdin (None: the terminal), output.
pub(super) type Program = fn(&mut Shell, &mut Cluster, &[String], Option<&str>, &mut Output) -> i32;

/// Builtins live in bash itself (`type` says so); the rest are files in /usr/bin.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Where {
    Builtin,
    Bin,
    LocalBin,
}

/// Every program kubesim simulates.
pub(super) const PROGRAMS: &[(&str, Where, Program)] = &[
    (".", Where::Builtin, source),
    ("[", Where::Builtin, test),
    ("alias", Where::Builtin, alias),
    ("awk", Where::Bin, text::awk),
    ("base64", Where::Bin, coreutils::base64),
    ("bash", Where::Bin, bash),
    ("bg", Where::Builtin, jobs),
    ("break", Where::Builtin, loop_control),
    ("cat", Where::Bin, coreutils::cat),
    ("cd", Where::Builtin, cd),
    ("clear", Where::Bin, clear),
    ("continue", Where::Builtin, loop_control),
    ("cp", Where::Bin, coreutils::cp),
    ("curl", Where::Bin, crate::network::programs::shell_curl),
    ("cut", Where::Bin, coreutils::cut),
    ("date", Where::Bin, date),
    ("dig", Where::Bin, crate::network::programs::shell_dig),
    ("echo", Where::Builtin, echo),
    ("env", Where::Bin, env),
    ("exit", Where::Builtin, exit),
    ("export", Where::Builtin, export),
    ("false", Where::Builtin, |_, _, _, _, _| 1),
    ("fg", Where::Builtin, jobs),
    ("grep", Where::Bin, text::grep),
    ("head", Where::Bin, coreutils::head),
    ("help", Where::Builtin, help),
    ("history", Where::Builtin, history),
    ("hostname", Where::Bin, |_, _, _, _, out| {
        out.out("kubesim\n");
        0
    }),
    ("jobs", Where::Builtin, jobs),
    ("jq", Where::Bin, text::jq),
    ("kill", Where::Builtin, jobs),
    ("kubectl", Where::LocalBin, kubectl),
    ("ls", Where::Bin, coreutils::ls),
    ("mkdir", Where::Bin, coreutils::mkdir),
    ("mv", Where::Bin, coreutils::mv),
    ("nano", Where::Bin, nano),
    ("nslookup", Where::Bin, crate::network::programs::shell_nslookup),
    ("ping", Where::Bin, crate::network::programs::shell_ping),
    ("printf", Where::Builtin, printf),
    ("pwd", Where::Builtin, |sh, _, _, _, out| {
        out.out(&format!("{}\n", sh.cwd));
        0
    }),
    ("read", Where::Builtin, read),
    ("rev", Where::Bin, coreutils::rev),
    ("rm", Where::Bin, coreutils::rm),
    ("rmdir", Where::Bin, coreutils::rmdir),
    ("sed", Where::Bin, text::sed),
    ("seq", Where::Bin, coreutils::seq),
    ("sh", Where::Bin, bash),
    ("sleep", Where::Bin, sleep),
    ("sort", Where::Bin, coreutils::sort),
    ("source", Where::Builtin, source),
    ("tail", Where::Bin, coreutils::tail),
    ("tee", Where::Bin, coreutils::tee),
    ("test", Where::Builtin, test),
    ("touch", Where::Bin, coreutils::touch),
    ("tr", Where::Bin, coreutils::tr),
    ("true", Where::Builtin, |_, _, _, _, _| 0),
    (":", Where::Builtin, |_, _, _, _, _| 0),
    ("type", Where::Builtin, type_builtin),
    ("unalias", Where::Builtin, unalias),
    ("uname", Where::Bin, uname),
    ("uniq", Where::Bin, coreutils::uniq),
    ("unset", Where::Builtin, unset),
    ("vi", Where::Bin, nano),
    ("vim", Where::Bin, nano),
    ("watch", Where::Bin, watch),
    ("wc", Where::Bin, coreutils::wc),
    ("wget", Where::Bin, crate::network::programs::shell_wget),
    ("which", Where::Bin, which),
    ("whoami", Where::Bin, |_, _, _, _, out| {
        out.out("learner\n");
        0
    }),
    ("xargs", Where::Bin, coreutils::xargs),
];

/// Programs a Debian machine with kubectl has, which kubesim does not simulate:
/// naming them keeps the answer honest ("not simulated" rather than "not found").
pub(super) const NOT_SIMULATED: &[&str] = &[
    "apt", "apt-get", "chmod", "chown", "crictl", "df", "diff", "docker", "du", "emacs", "etcdctl", "find", "free", "git", "gzip", "helm", "host", "ip",
    "kind", "kubeadm", "kubectx", "kubens", "kubelet", "kustomize", "less", "ln", "make", "man", "minikube", "more", "nc", "netstat", "openssl", "ps",
    "python", "python3", "scp", "ss", "ssh", "stat", "su", "sudo", "systemctl", "tar", "telnet", "top", "traceroute", "unzip", "yes", "zip",
];

/// bash's reserved words, for `type`.
const KEYWORDS: &[&str] = &["if", "then", "else", "elif", "fi", "case", "esac", "for", "select", "while", "until", "do", "done", "in", "function", "time", "{", "}", "!", "[[", "]]"];

pub(super) fn lookup(name: &str) -> Option<(Where, Program)> {
    PROGRAMS.iter().find(|(n, _, _)| *n == name).map(|(_, w, p)| (*w, *p))
}

/// Runs argv[0] with its arguments.
pub(super) fn run(sh: &mut Shell, cluster: &mut Cluster, argv: &[String], stdin: Option<&str>, out: &mut Output) -> i32 {
    let Some(name) = argv.first() else { return 0 };
    // `/usr/bin/ls` and `./kubectl` name the same programs.
    let base = if name.contains('/') { Vfs::base_name(name) } else { name.as_str() };
    match lookup(base) {
        Some((_, program)) => program(sh, cluster, argv, stdin, out),
        None if NOT_SIMULATED.contains(&base) => {
            out.err(&format!("kubesim: '{base}' is not simulated\n"));
            127
        }
        None if name.contains('/') => {
            let path = Vfs::resolve(&sh.cwd, name);
            if sh.vfs.is_dir(&path) {
                out.err(&format!("bash: {name}: Is a directory\n"));
                126
            } else if sh.vfs.exists(&path) {
                out.err(&format!("bash: {name}: Permission denied\n"));
                126
            } else {
                out.err(&format!("bash: {name}: No such file or directory\n"));
                127
            }
        }
        None => {
            out.err(&format!("bash: {name}: command not found\n"));
            127
        }
    }
}

/// Names a command may complete to: programs, builtins, aliases.
pub(super) fn command_names(sh: &Shell) -> Vec<String> {
    let mut names: Vec<String> = PROGRAMS.iter().map(|(n, _, _)| n.to_string()).collect();
    names.extend(sh.aliases.keys().cloned());
    crate::sort::sort(&mut names);
    names.dedup();
    names
}

fn kubectl(sh: &mut Shell, cluster: &mut Cluster, argv: &[String], stdin: Option<&str>, out: &mut Output) -> i32 {
    // kubectl sees the learner's files (`-f`), kubeconfig and editor.
    let mut host = crate::kubectl::host::Host::new(Some(sh));
    crate::kubectl::run_in(cluster, &mut host, argv.get(1..).unwrap_or(&[]), stdin, out)
}

fn cd(sh: &mut Shell, _: &mut Cluster, argv: &[String], _: Option<&str>, out: &mut Output) -> i32 {
    if argv.len() > 2 {
        out.err("bash: cd: too many arguments\n");
        return 1;
    }
    let target = match argv.get(1).map(String::as_str) {
        None => sh.var("HOME").unwrap_or(HOME).to_string(),
        Some("-") => match sh.var("OLDPWD") {
            Some(old) => {
                out.out(&format!("{old}\n"));
                old.to_string()
            }
            None => {
                out.err("bash: cd: OLDPWD not set\n");
                return 1;
            }
        },
        Some(dir) => dir.to_string(),
    };
    let path = Vfs::resolve(&sh.cwd, &target);
    match sh.vfs.get(&path) {
        Some(node) if node.is_dir() => {
            let old = std::mem::replace(&mut sh.cwd, path.clone());
            sh.set_var("OLDPWD", &old);
            sh.set_var("PWD", &path);
            0
        }
        Some(_) => {
            out.err(&format!("bash: cd: {target}: Not a directory\n"));
            1
        }
        None => {
            out.err(&format!("bash: cd: {target}: No such file or directory\n"));
            1
        }
    }
}

/// The escapes of `echo -e` and `printf`'s format; `\c` stops all output (returned false).
pub(super) fn unescape(s: &str, out: &mut String) -> bool {
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c != '\\' || i + 1 >= chars.len() {
            out.push(c);
            i += 1;
            continue;
        }
        i += 1;
        match chars[i] {
            'n' => out.push('\n'),
            't' => out.push('\t'),
            'r' => out.push('\r'),
            'a' => out.push('\x07'),
            'b' => out.push('\x08'),
            'e' | 'E' => out.push('\x1b'),
            'f' => out.push('\x0c'),
            'v' => out.push('\x0b'),
            '\\' => out.push('\\'),
            'c' => return false,
            '0' => {
                let digits: String = chars[i + 1..].iter().take(3).take_while(|c| c.is_digit(8)).collect();
                i += digits.len();
                out.push(char::from_u32(u32::from_str_radix(&digits, 8).unwrap_or(0)).unwrap_or('\0'));
            }
            'x' => {
                let digits: String = chars[i + 1..].iter().take(2).take_while(|c| c.is_ascii_hexdigit()).collect();
                if digits.is_empty() {
                    out.push_str("\\x");
                } else {
                    i += digits.len();
                    out.push(char::from_u32(u32::from_str_radix(&digits, 16).unwrap_or(0)).unwrap_or('\0'));
                }
            }
            other => {
                out.push('\\');
                out.push(other);
            }
        }
        i += 1;
    }
    true
}

fn echo(_: &mut Shell, _: &mut Cluster, argv: &[String], _: Option<&str>, out: &mut Output) -> i32 {
    let mut newline = true;
    let mut escapes = false;
    let mut args = argv.get(1..).unwrap_or(&[]);
    // bash's echo takes only flags made of n, e and E; anything else is text.
    while let Some(first) = args.first() {
        let Some(flags) = first.strip_prefix('-') else { break };
        if flags.is_empty() || !flags.chars().all(|c| matches!(c, 'n' | 'e' | 'E')) {
            break;
        }
        for c in flags.chars() {
            match c {
                'n' => newline = false,
                'e' => escapes = true,
                _ => escapes = false,
            }
        }
        args = &args[1..];
    }
    let joined = args.join(" ");
    let mut text = String::new();
    if escapes {
        if !unescape(&joined, &mut text) {
            out.out(&text);
            return 0;
        }
    } else {
        text = joined;
    }
    if newline {
        text.push('\n');
    }
    out.out(&text);
    0
}

/// bash's `printf`: the format is reused until the arguments run out.
fn printf(_: &mut Shell, _: &mut Cluster, argv: &[String], _: Option<&str>, out: &mut Output) -> i32 {
    let mut args = argv.get(1..).unwrap_or(&[]);
    if args.first().map(String::as_str) == Some("--") {
        args = &args[1..];
    }
    let Some(format) = args.first() else {
        out.err("printf: usage: printf [-v var] format [arguments]\n");
        return 2;
    };
    let mut rest: &[String] = &args[1..];
    let mut text = String::new();
    let mut code = 0;
    for _ in 0..10_000 {
        let before = rest.len();
        let (stop, consumed) = printf_once(format, rest, &mut text, &mut code);
        rest = rest.get(consumed..).unwrap_or(&[]);
        if stop || rest.is_empty() || rest.len() == before {
            break;
        }
    }
    out.out(&text);
    if code != 0 {
        out.err("");
    }
    code
}

/// One pass over a printf format; returns (stop, arguments consumed).
fn printf_once(format: &str, args: &[String], text: &mut String, code: &mut i32) -> (bool, usize) {
    let chars: Vec<char> = format.chars().collect();
    let mut used = 0;
    let mut i = 0;
    let mut literal = String::new();
    while i < chars.len() {
        let c = chars[i];
        if c == '\\' {
            let end = (i + 5).min(chars.len());
            // Hand the escape (and what may belong to it) to the shared unescaper.
            let mut j = i + 2;
            if chars.get(i + 1).is_some_and(|c| *c == '0' || *c == 'x') {
                j = end;
                while j > i + 2 && !chars[i + 2..j].iter().all(|c| c.is_ascii_hexdigit()) {
                    j -= 1;
                }
            }
            let j = j.min(chars.len());
            let piece: String = chars[i..j].iter().collect();
            literal.push_str(&piece);
            i = j;
            continue;
        }
        if c != '%' {
            literal.push(c);
            i += 1;
            continue;
        }
        if chars.get(i + 1) == Some(&'%') {
            literal.push('%');
            i += 2;
            continue;
        }
        if !unescape(&std::mem::take(&mut literal), text) {
            return (true, used);
        }
        let start = i;
        i += 1;
        let mut flags = String::new();
        while let Some(&f) = chars.get(i) {
            if matches!(f, '-' | '+' | ' ' | '0' | '#') {
                flags.push(f);
                i += 1;
            } else {
                break;
            }
        }
        let mut width = String::new();
        while chars.get(i).is_some_and(|c| c.is_ascii_digit()) {
            width.push(chars[i]);
            i += 1;
        }
        let mut precision: Option<usize> = None;
        if chars.get(i) == Some(&'.') {
            i += 1;
            let mut p = String::new();
            while chars.get(i).is_some_and(|c| c.is_ascii_digit()) {
                p.push(chars[i]);
                i += 1;
            }
            precision = Some(p.parse().unwrap_or(0));
        }
        let Some(&conv) = chars.get(i) else {
            text.push_str(&chars[start..].iter().collect::<String>());
            break;
        };
        i += 1;
        let arg = args.get(used).cloned();
        if !matches!(conv, 's' | 'd' | 'i' | 'f' | 'x' | 'X' | 'o' | 'c' | 'b' | 'q' | 'u' | 'e' | 'g') {
            text.push_str(&chars[start..i].iter().collect::<String>());
            continue;
        }
        used += 1;
        let arg = arg.unwrap_or_default();
        let body = match conv {
            's' | 'q' => match precision {
                Some(p) => arg.chars().take(p).collect(),
                None => arg,
            },
            'b' => {
                let mut s = String::new();
                unescape(&arg, &mut s);
                s
            }
            'c' => arg.chars().next().map(String::from).unwrap_or_default(),
            'd' | 'i' | 'u' | 'x' | 'X' | 'o' => {
                let n = match parse_printf_int(&arg) {
                    Some(n) => n,
                    None => {
                        *code = 1;
                        0
                    }
                };
                let digits = match conv {
                    'x' => format!("{n:x}"),
                    'X' => format!("{n:X}"),
                    'o' => format!("{n:o}"),
                    _ => n.to_string(),
                };
                if flags.contains('+') && n >= 0 && matches!(conv, 'd' | 'i') {
                    format!("+{digits}")
                } else {
                    digits
                }
            }
            _ => {
                let f: f64 = arg.trim().parse().unwrap_or_else(|_| {
                    if !arg.is_empty() {
                        *code = 1;
                    }
                    0.0
                });
                let p = precision.unwrap_or(6).min(50);
                match conv {
                    'e' => format!("{f:.p$e}"),
                    _ => format!("{f:.p$}"),
                }
            }
        };
        let w: usize = width.parse::<usize>().unwrap_or(0).min(1000);
        let len = body.chars().count();
        if len >= w {
            text.push_str(&body);
        } else if flags.contains('-') {
            text.push_str(&body);
            text.push_str(&" ".repeat(w - len));
        } else if flags.contains('0') && !matches!(conv, 's' | 'c' | 'b' | 'q') {
            let (sign, digits) = if let Some(d) = body.strip_prefix('-') { ("-", d.to_string()) } else { ("", body.clone()) };
            text.push_str(sign);
            text.push_str(&"0".repeat(w - len));
            text.push_str(&digits);
        } else {
            text.push_str(&" ".repeat(w - len));
            text.push_str(&body);
        }
    }
    if !unescape(&literal, text) {
        return (true, used);
    }
    (false, used)
}

fn parse_printf_int(s: &str) -> Option<i64> {
    let t = s.trim();
    if t.is_empty() {
        return Some(0);
    }
    if let Some(c) = t.strip_prefix('\'').or_else(|| t.strip_prefix('"')) {
        return c.chars().next().map(|c| c as i64);
    }
    if let Some(h) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        return i64::from_str_radix(h, 16).ok();
    }
    t.parse().ok()
}

fn export(sh: &mut Shell, _: &mut Cluster, argv: &[String], _: Option<&str>, out: &mut Output) -> i32 {
    let args: Vec<&String> = argv.iter().skip(1).filter(|a| *a != "-p").collect();
    if args.is_empty() {
        for (name, var) in &sh.vars {
            if var.exported {
                out.out(&format!("declare -x {name}=\"{}\"\n", var.value.replace('\\', "\\\\").replace('"', "\\\"")));
            }
        }
        return 0;
    }
    let mut code = 0;
    for arg in args {
        let (name, value) = match arg.split_once('=') {
            Some((n, v)) => (n, Some(v)),
            None => (arg.as_str(), None),
        };
        if !super::parse::is_name(name) {
            out.err(&format!("bash: export: `{arg}': not a valid identifier\n"));
            code = 1;
            continue;
        }
        let entry = sh.vars.entry(name.to_string()).or_insert(Var { value: String::new(), exported: true });
        entry.exported = true;
        if let Some(v) = value {
            entry.value = v.to_string();
        }
    }
    code
}

fn unset(sh: &mut Shell, _: &mut Cluster, argv: &[String], _: Option<&str>, out: &mut Output) -> i32 {
    let mut code = 0;
    for name in argv.iter().skip(1).filter(|a| !a.starts_with('-')) {
        if !super::parse::is_name(name) {
            out.err(&format!("bash: unset: `{name}': not a valid identifier\n"));
            code = 1;
            continue;
        }
        sh.vars.remove(name);
    }
    code
}

fn env(sh: &mut Shell, cluster: &mut Cluster, argv: &[String], stdin: Option<&str>, out: &mut Output) -> i32 {
    let mut args = argv.iter().skip(1).peekable();
    let mut extra = Vec::new();
    while let Some(a) = args.peek() {
        match a.split_once('=') {
            Some((n, v)) if super::parse::is_name(n) => {
                extra.push((n.to_string(), v.to_string()));
                args.next();
            }
            _ => break,
        }
    }
    let rest: Vec<String> = args.cloned().collect();
    if rest.is_empty() {
        let mut vars: Vec<(String, String)> = sh.vars.iter().filter(|(_, v)| v.exported).map(|(k, v)| (k.clone(), v.value.clone())).collect();
        for (k, v) in extra {
            vars.retain(|(n, _)| *n != k);
            vars.push((k, v));
        }
        crate::sort::sort(&mut vars);
        for (k, v) in vars {
            out.out(&format!("{k}={v}\n"));
        }
        return 0;
    }
    let saved = sh.vars.clone();
    for (k, v) in extra {
        sh.vars.insert(k, Var { value: v, exported: true });
    }
    let code = if lookup(&rest[0]).is_some_and(|(w, _)| w == Where::Builtin) {
        out.err(&format!("env: '{}': No such file or directory\n", rest[0]));
        127
    } else {
        run(sh, cluster, &rest, stdin, out)
    };
    sh.vars = saved;
    code
}

fn alias(sh: &mut Shell, _: &mut Cluster, argv: &[String], _: Option<&str>, out: &mut Output) -> i32 {
    let args: Vec<&String> = argv.iter().skip(1).filter(|a| *a != "-p").collect();
    if args.is_empty() {
        for (name, value) in &sh.aliases {
            out.out(&format!("alias {name}='{}'\n", value.replace('\'', "'\\''")));
        }
        return 0;
    }
    let mut code = 0;
    for arg in args {
        match arg.split_once('=') {
            Some((name, value)) if !name.is_empty() && !name.contains(['/', '$', '`', '\'', '"']) => {
                sh.aliases.insert(name.to_string(), value.to_string());
            }
            Some(_) => {
                out.err(&format!("bash: alias: `{arg}': invalid alias name\n"));
                code = 1;
            }
            None => match sh.aliases.get(arg.as_str()) {
                Some(value) => out.out(&format!("alias {arg}='{}'\n", value.replace('\'', "'\\''"))),
                None => {
                    out.err(&format!("bash: alias: {arg}: not found\n"));
                    code = 1;
                }
            },
        }
    }
    code
}

fn unalias(sh: &mut Shell, _: &mut Cluster, argv: &[String], _: Option<&str>, out: &mut Output) -> i32 {
    let mut code = 0;
    for arg in argv.iter().skip(1) {
        if arg == "-a" {
            sh.aliases.clear();
        } else if sh.aliases.remove(arg.as_str()).is_none() {
            out.err(&format!("bash: unalias: {arg}: not found\n"));
            code = 1;
        }
    }
    code
}

fn history(sh: &mut Shell, _: &mut Cluster, argv: &[String], _: Option<&str>, out: &mut Output) -> i32 {
    let count = match argv.get(1).map(String::as_str) {
        None => sh.history.len(),
        Some("-c") => {
            sh.history.clear();
            return 0;
        }
        Some(n) => match n.parse::<usize>() {
            Ok(n) => n,
            Err(_) => {
                out.err(&format!("bash: history: {n}: numeric argument required\n"));
                return 1;
            }
        },
    };
    let start = sh.history.len().saturating_sub(count);
    for (i, line) in sh.history.iter().enumerate().skip(start) {
        out.out(&format!("{:>5}  {}\n", i + 1, line));
    }
    0
}

fn which(sh: &mut Shell, _: &mut Cluster, argv: &[String], _: Option<&str>, out: &mut Output) -> i32 {
    let mut code = 0;
    for name in argv.iter().skip(1).filter(|a| !a.starts_with('-')) {
        match lookup(name) {
            Some((Where::Bin, _)) => out.out(&format!("/usr/bin/{name}\n")),
            Some((Where::LocalBin, _)) => out.out(&format!("/usr/local/bin/{name}\n")),
            _ => code = 1,
        }
    }
    let _ = sh;
    code
}

fn type_builtin(sh: &mut Shell, _: &mut Cluster, argv: &[String], _: Option<&str>, out: &mut Output) -> i32 {
    let mut code = 0;
    for name in argv.iter().skip(1).filter(|a| !a.starts_with('-')) {
        if let Some(value) = sh.aliases.get(name.as_str()) {
            out.out(&format!("{name} is aliased to `{value}'\n"));
        } else if KEYWORDS.contains(&name.as_str()) {
            out.out(&format!("{name} is a shell keyword\n"));
        } else {
            match lookup(name) {
                Some((Where::Builtin, _)) => out.out(&format!("{name} is a shell builtin\n")),
                Some((Where::Bin, _)) => out.out(&format!("{name} is /usr/bin/{name}\n")),
                Some((Where::LocalBin, _)) => out.out(&format!("{name} is /usr/local/bin/{name}\n")),
                None => {
                    out.err(&format!("bash: type: {name}: not found\n"));
                    code = 1;
                }
            }
        }
    }
    code
}

fn exit(sh: &mut Shell, _: &mut Cluster, argv: &[String], _: Option<&str>, out: &mut Output) -> i32 {
    let code = argv.get(1).and_then(|a| a.parse::<i32>().ok()).map(|c| c & 0xff).unwrap_or(sh.last_exit_code);
    if sh.subshells > 0 {
        // `bash -c 'exit 3'`: the child shell ends with that status.
        sh.exiting = true;
        return code;
    }
    out.out("logout\n");
    out.err("kubesim: this terminal stays open; there is no machine to log out of\n");
    code
}

fn help(_: &mut Shell, _: &mut Cluster, _: &[String], _: Option<&str>, out: &mut Output) -> i32 {
    let mut text = String::from("kubesim: a simulated Kubernetes cluster behind a bash-like shell.\n\nSimulated commands:\n");
    let names: Vec<&str> = PROGRAMS.iter().map(|(n, _, _)| *n).filter(|n| *n != ".").collect();
    for chunk in names.chunks(8) {
        text.push_str("  ");
        text.push_str(chunk.iter().map(|n| format!("{n:<9}")).collect::<String>().trim_end());
        text.push('\n');
    }
    text.push_str(
        "\nShell: pipes |, && ||, ;, > >> < 2>&1 &>, here-documents <<EOF, $VAR, ${VAR:-x}, ${VAR#x},\n\
         $(...), `...`, $((...)), <(...), for/while/until loops, if, aliases, background jobs with &\n\
         (jobs, fg, kill %1), Tab completion, Ctrl-R history search.\n\
         Files live in memory under /home/learner. nano (and vi) edit them: ^O saves, ^X exits.\n",
    );
    out.out(&text);
    0
}

fn clear(_: &mut Shell, _: &mut Cluster, _: &[String], _: Option<&str>, out: &mut Output) -> i32 {
    out.out("\x1b[H\x1b[2J");
    0
}

fn uname(_: &mut Shell, _: &mut Cluster, argv: &[String], _: Option<&str>, out: &mut Output) -> i32 {
    if argv.iter().any(|a| a == "-a") {
        out.out("Linux kubesim 6.8.0-1021-gcp #1 SMP x86_64 GNU/Linux\n");
    } else if argv.iter().any(|a| a == "-r") {
        out.out("6.8.0-1021-gcp\n");
    } else if argv.iter().any(|a| a == "-m") {
        out.out("x86_64\n");
    } else {
        out.out("Linux\n");
    }
    0
}

/// `sleep 5`, `sleep 1.5`, `sleep 2m`: seconds with GNU's s/m/h/d suffixes.
pub(super) fn parse_duration(s: &str) -> Option<f64> {
    let (num, mult) = match s.chars().last()? {
        's' => (&s[..s.len() - 1], 1.0),
        'm' => (&s[..s.len() - 1], 60.0),
        'h' => (&s[..s.len() - 1], 3600.0),
        'd' => (&s[..s.len() - 1], 86400.0),
        _ => (s, 1.0),
    };
    if num.is_empty() || !num.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return None;
    }
    let v: f64 = num.parse().ok()?;
    Some(v * mult)
}

/// `sleep` moves the virtual clock: the cluster's controllers run on the way.
fn sleep(_: &mut Shell, cluster: &mut Cluster, argv: &[String], _: Option<&str>, out: &mut Output) -> i32 {
    let args = argv.get(1..).unwrap_or(&[]);
    if args.is_empty() {
        out.err("sleep: missing operand\nTry 'sleep --help' for more information.\n");
        return 1;
    }
    let mut total = 0.0;
    for a in args {
        match parse_duration(a) {
            Some(v) => total += v,
            None => {
                out.err(&format!("sleep: invalid time interval '{a}'\nTry 'sleep --help' for more information.\n"));
                return 1;
            }
        }
    }
    // A week is more than any lesson waits; beyond it the learner meant "forever".
    if total > 7.0 * 86400.0 {
        out.err("kubesim: sleeping longer than a week is not simulated\n");
        return 1;
    }
    // The controllers run at every wake-up on the way, as they would while the
    // learner waits: pods become Ready during `sleep 10`.
    crate::controllers::reconcile(cluster);
    let to = cluster.clock.now() + Duration::milliseconds((total * 1000.0) as i64);
    crate::controllers::advance(cluster, to);
    0
}

fn date(_: &mut Shell, cluster: &mut Cluster, argv: &[String], _: Option<&str>, out: &mut Output) -> i32 {
    let now = cluster.clock.now();
    let mut format = "%a %b %e %H:%M:%S UTC %Y".to_string();
    for arg in argv.iter().skip(1) {
        if let Some(f) = arg.strip_prefix('+') {
            format = f.to_string();
        } else if arg == "-u" || arg == "--utc" {
        } else if arg == "-I" || arg == "--iso-8601" {
            format = "%Y-%m-%d".to_string();
        } else if arg == "-Iseconds" || arg == "--iso-8601=seconds" {
            format = "%Y-%m-%dT%H:%M:%S+00:00".to_string();
        } else if arg == "-R" || arg == "--rfc-email" {
            format = "%a, %d %b %Y %H:%M:%S +0000".to_string();
        } else {
            out.err(&format!("kubesim: 'date {arg}' is not simulated\n"));
            return 1;
        }
    }
    // GNU's %Z is "UTC" here; chrono would print "UTC" too, but %N needs care.
    let format = format.replace("%N", "000000000");
    if StrftimeItems::new(&format).any(|item| matches!(item, Item::Error)) {
        out.err(&format!("date: invalid format '{format}'\n"));
        return 1;
    }
    let mut text = String::new();
    use std::fmt::Write;
    if write!(text, "{}", now.format(&format)).is_err() {
        out.err(&format!("date: invalid format '{format}'\n"));
        return 1;
    }
    out.out(&format!("{text}\n"));
    0
}

fn jobs(sh: &mut Shell, cluster: &mut Cluster, argv: &[String], _: Option<&str>, out: &mut Output) -> i32 {
    let before = sh.jobs.clone();
    let code = exec::jobs_builtin(sh, argv, out);
    // `kill %1` of `kubectl proxy &` or `kubectl port-forward ... &` stops what it served.
    for ended in before.iter().filter(|j| !sh.jobs.iter().any(|k| k.id == j.id)) {
        crate::kubectl::background_job_ended(cluster, &ended.command);
    }
    code
}

/// `bash -c 'cmd'` / `sh -c`: runs the string in this shell (a subshell's changes to
/// variables and the working directory are undone afterwards, as a child's would be).
fn bash(sh: &mut Shell, cluster: &mut Cluster, argv: &[String], stdin: Option<&str>, out: &mut Output) -> i32 {
    let name = argv.first().map(String::as_str).unwrap_or("bash");
    let script_text = match argv.get(1).map(String::as_str) {
        Some("-c") => match argv.get(2) {
            Some(s) => s.clone(),
            None => {
                out.err(&format!("{name}: -c: option requires an argument\n"));
                return 2;
            }
        },
        Some(file) => {
            let path = Vfs::resolve(&sh.cwd, file);
            match sh.vfs.read(&path) {
                Ok(t) => t.to_string(),
                Err(e) => {
                    out.err(&format!("{name}: {file}: {}\n", e.message()));
                    return 127;
                }
            }
        }
        None => match stdin {
            Some(s) => s.to_string(),
            None => {
                out.err(&format!("kubesim: an interactive '{name}' inside the shell is not simulated\n"));
                return 1;
            }
        },
    };
    let (vars, cwd, aliases) = (sh.vars.clone(), sh.cwd.clone(), sh.aliases.clone());
    sh.subshells += 1;
    let code = run_text(sh, cluster, &script_text, out);
    sh.subshells -= 1;
    sh.exiting = false;
    sh.vars = vars;
    sh.cwd = cwd;
    sh.aliases = aliases;
    code
}

fn run_text(sh: &mut Shell, cluster: &mut Cluster, text: &str, out: &mut Output) -> i32 {
    match super::parse::parse(text) {
        Ok(script) => exec::run_script(sh, cluster, &script, None, out),
        Err(e) => {
            out.err(&format!("{}\n", e.message()));
            2
        }
    }
}

fn source(sh: &mut Shell, cluster: &mut Cluster, argv: &[String], _: Option<&str>, out: &mut Output) -> i32 {
    let name = argv.first().map(String::as_str).unwrap_or("source");
    let Some(file) = argv.get(1) else {
        out.err(&format!("bash: {name}: filename argument required\n{name}: usage: {name} filename [arguments]\n"));
        return 2;
    };
    let text = match sh.read_file(file) {
        Ok(t) => t,
        Err(e) => {
            out.err(&format!("bash: {file}: {}\n", e.message()));
            return 1;
        }
    };
    // `source <(kubectl completion bash)`: kubesim's Tab already completes kubectl,
    // and the script itself (functions, conditionals) is beyond the simulated bash.
    if text.contains("__start_kubectl") || text.contains("kubectl completion") {
        return 0;
    }
    run_text(sh, cluster, &text, out)
}

/// What procps-ng 4.0 `watch` prints when it is given no command.
const WATCH_USAGE: &str = "
Usage:
 watch [options] command

Options:
  -b, --beep             beep if command has a non-zero exit
  -c, --color            interpret ANSI color and style sequences
  -d, --differences[=<permanent>]
                         highlight changes between updates
  -e, --errexit          exit if command has a non-zero exit
  -g, --chgexit          exit when output from command changes
  -q, --equexit <cycles>
                         exit when output from command does not change
  -n, --interval <secs>  seconds to wait between updates
  -p, --precise          attempt run command in precise intervals
  -t, --no-title         turn off header
  -w, --no-wrap          turn off line wrapping
  -x, --exec             pass command to exec instead of \"sh -c\"

 -h, --help     display this help and exit
 -v, --version  output version information and exit

For more details see watch(1).
";

/// `watch [-n SECONDS] [-t] COMMAND...`: procps' watch on the virtual clock.
fn watch(sh: &mut Shell, cluster: &mut Cluster, argv: &[String], _: Option<&str>, out: &mut Output) -> i32 {
    let mut interval = 2.0;
    let mut title = true;
    let mut i = 1;
    while let Some(arg) = argv.get(i) {
        match arg.as_str() {
            "-n" | "--interval" => {
                let v = argv.get(i + 1).map(String::as_str).unwrap_or("");
                match v.parse::<f64>() {
                    Ok(v) if v.is_finite() => interval = v.max(0.1),
                    _ => {
                        out.err(&format!("watch: failed to parse argument: '{v}'\n"));
                        return 1;
                    }
                }
                i += 2;
            }
            a if a.starts_with("-n") => {
                match a[2..].parse::<f64>() {
                    Ok(v) if v.is_finite() => interval = v.max(0.1),
                    _ => {
                        out.err(&format!("watch: failed to parse argument: '{}'\n", &a[2..]));
                        return 1;
                    }
                }
                i += 1;
            }
            "-t" | "--no-title" => {
                title = false;
                i += 1;
            }
            "-d" | "--differences" | "-c" | "--color" | "-b" | "--beep" | "-p" | "--precise" | "-w" | "--no-wrap" => i += 1,
            _ => break,
        }
    }
    let command = argv.get(i..).unwrap_or(&[]).join(" ");
    if command.is_empty() {
        out.err(WATCH_USAGE);
        return 1;
    }
    let interval = Duration::milliseconds((interval * 1000.0) as i64);
    let interactive = sh.interactive_terminal;
    let screen = exec::watch_screen(sh, cluster, &command, interval, interactive, title);
    out.out(&screen);
    if interactive {
        sh.foreground = Some(Foreground::Watch { command, interval, next: cluster.clock.now() + interval, title });
    }
    0
}

/// `nano FILE`; `vi`/`vim` open the same editor and say so.
fn nano(sh: &mut Shell, _: &mut Cluster, argv: &[String], _: Option<&str>, out: &mut Output) -> i32 {
    let name = argv.first().map(String::as_str).unwrap_or("nano");
    let files: Vec<&String> = argv.iter().skip(1).filter(|a| !a.starts_with('-') && !a.starts_with('+')).collect();
    let hint = if name == "nano" { None } else { Some("kubesim: vi is simulated by nano's editor: ^O saves, ^X exits") };
    let (path, contents) = match files.first() {
        Some(file) => {
            let path = Vfs::resolve(&sh.cwd, file);
            if sh.vfs.is_dir(&path) {
                out.err(&format!("kubesim: {file} is a directory\n"));
                return 1;
            }
            let contents = sh.vfs.read(&path).ok().map(str::to_string);
            (path, contents)
        }
        None => (String::new(), None),
    };
    let screen = sh.open_editor(&path, contents.as_deref(), AfterEdit::Nothing, hint);
    out.out(&screen);
    0
}

/// `break` and `continue` (without a count: the innermost loop).
fn loop_control(sh: &mut Shell, _: &mut Cluster, argv: &[String], _: Option<&str>, out: &mut Output) -> i32 {
    let name = argv.first().map(String::as_str).unwrap_or("break");
    if sh.loop_depth == 0 {
        out.err(&format!("bash: {name}: only meaningful in a `for', `while', or `until' loop\n"));
        return 0;
    }
    sh.loop_signal = Some(if name == "break" { super::LoopSignal::Break } else { super::LoopSignal::Continue });
    0
}

/// `read [-r] [-p PROMPT] [NAME...]`: one line from stdin (inside `while ... done <
/// file` the loop's input, line by line) split over the names; the last takes the rest.
fn read(sh: &mut Shell, _: &mut Cluster, argv: &[String], stdin: Option<&str>, out: &mut Output) -> i32 {
    let mut names = Vec::new();
    let mut raw = false;
    let mut i = 1;
    while let Some(a) = argv.get(i) {
        match a.as_str() {
            "-r" => raw = true,
            "-p" => {
                if let Some(p) = argv.get(i + 1) {
                    out.err(p);
                }
                i += 1;
            }
            "-s" => {}
            n if n.starts_with('-') => {
                out.err(&format!("bash: read: {n}: invalid option\nread: usage: read [-ers] [-a array] [-d delim] [-i text] [-n nchars] [-N nchars] [-p prompt] [-t timeout] [-u fd] [name ...]\n"));
                return 2;
            }
            n => names.push(n.to_string()),
        }
        i += 1;
    }
    let line = match (stdin, sh.loop_stdin.as_mut()) {
        (Some(text), _) => text.split_inclusive('\n').next().map(str::to_string),
        (None, Some(buffer)) => {
            let first = buffer.split_inclusive('\n').next().map(str::to_string);
            if let Some(f) = &first {
                buffer.drain(..f.len());
            }
            first
        }
        (None, None) => {
            out.err("kubesim: 'read' from the keyboard is not simulated\n");
            return 1;
        }
    };
    let Some(line) = line else { return 1 };
    let complete = line.ends_with('\n');
    let mut text = line.trim_end_matches('\n').to_string();
    if !raw {
        text = text.replace("\\", "");
    }
    if names.is_empty() {
        names.push("REPLY".to_string());
    }
    let mut rest = text.trim_start_matches([' ', '\t']);
    let count = names.len();
    for (k, name) in names.iter().enumerate() {
        if !super::parse::is_name(name) {
            out.err(&format!("bash: read: `{name}': not a valid identifier\n"));
            return 1;
        }
        let value = if k + 1 == count {
            let v = rest.trim_end_matches([' ', '\t']).to_string();
            rest = "";
            v
        } else {
            let end = rest.find([' ', '\t']).unwrap_or(rest.len());
            let v = rest[..end].to_string();
            rest = rest[end..].trim_start_matches([' ', '\t']);
            v
        };
        sh.set_var(name, &value);
    }
    // A last line without a newline is read, but read reports end of input.
    i32::from(!complete)
}

/// `test EXPR` and `[ EXPR ]`: files, strings and integers.
fn test(sh: &mut Shell, _: &mut Cluster, argv: &[String], _: Option<&str>, out: &mut Output) -> i32 {
    let name = argv.first().map(String::as_str).unwrap_or("test");
    let mut args: Vec<&str> = argv.iter().skip(1).map(String::as_str).collect();
    if name == "[" {
        if args.last() != Some(&"]") {
            out.err("bash: [: missing `]'\n");
            return 2;
        }
        args.pop();
    }
    match test_eval(sh, &args) {
        Ok(true) => 0,
        Ok(false) => 1,
        Err(msg) => {
            out.err(&format!("bash: {name}: {msg}\n"));
            2
        }
    }
}

fn test_eval(sh: &Shell, args: &[&str]) -> Result<bool, String> {
    let int = |s: &str| s.trim().parse::<i64>().map_err(|_| format!("{s}: integer expression expected"));
    if let Some(i) = args.iter().position(|a| *a == "-o") {
        return Ok(test_eval(sh, &args[..i])? || test_eval(sh, &args[i + 1..])?);
    }
    if let Some(i) = args.iter().position(|a| *a == "-a") {
        if i > 0 {
            return Ok(test_eval(sh, &args[..i])? && test_eval(sh, &args[i + 1..])?);
        }
    }
    match args {
        [] => Ok(false),
        [one] => Ok(!one.is_empty()),
        ["!", rest @ ..] => Ok(!test_eval(sh, rest)?),
        ["(", inner @ .., ")"] => test_eval(sh, inner),
        [op, operand] => {
            let path = Vfs::resolve(&sh.cwd, operand);
            let node = sh.vfs.get(&path);
            match *op {
                "-z" => Ok(operand.is_empty()),
                "-n" => Ok(!operand.is_empty()),
                "-e" | "-a" => Ok(node.is_some()),
                "-f" => Ok(node.is_some_and(|n| matches!(n.kind, crate::vfs::NodeKind::File(_)))),
                "-d" => Ok(node.is_some_and(|n| n.is_dir())),
                "-s" => Ok(node.is_some_and(|n| n.size() > 0)),
                "-r" | "-w" => Ok(node.is_some()),
                "-x" => Ok(node.is_some_and(|n| n.is_dir())),
                "-L" | "-h" | "-p" | "-S" | "-b" => Ok(false),
                "-c" => Ok(node.is_some_and(|n| n.kind == crate::vfs::NodeKind::Null)),
                other => Err(format!("{other}: unary operator expected")),
            }
        }
        [a, op, b] => match *op {
            "=" | "==" => Ok(a == b),
            "!=" => Ok(a != b),
            "<" => Ok(a < b),
            ">" => Ok(a > b),
            "-eq" => Ok(int(a)? == int(b)?),
            "-ne" => Ok(int(a)? != int(b)?),
            "-lt" => Ok(int(a)? < int(b)?),
            "-le" => Ok(int(a)? <= int(b)?),
            "-gt" => Ok(int(a)? > int(b)?),
            "-ge" => Ok(int(a)? >= int(b)?),
            other => Err(format!("{other}: binary operator expected")),
        },
        _ => Err("too many arguments".to_string()),
    }
}
