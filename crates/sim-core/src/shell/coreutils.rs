//! GNU coreutils look-alikes over the virtual filesystem: `ls`, `cat`, `mkdir`, `rm`,
//! `cp`, `mv`, `touch`, `head`, `tail`, `wc`, `tee`, `seq`, `base64`, `xargs`,
//! `sort`, `uniq`, `cut`, `tr`, with GNU's messages and exit codes.

use std::collections::BTreeSet;

use k8s_openapi::chrono::Duration;

use super::{programs, Shell, OUTPUT_LIMIT};
use crate::cluster::Cluster;
use crate::simulator::Output;
use crate::vfs::{NodeKind, Vfs, VfsError};

/// Parsed command line: short flags (with values where the tool takes one) and operands.
pub(super) struct Opts {
    pub flags: Vec<(char, String)>,
    pub operands: Vec<String>,
}

impl Opts {
    pub fn has(&self, c: char) -> bool {
        self.flags.iter().any(|(f, _)| *f == c)
    }

    pub fn value(&self, c: char) -> Option<&str> {
        self.flags.iter().rev().find(|(f, _)| *f == c).map(|(_, v)| v.as_str())
    }
}

/// getopt as GNU tools use it: clustered flags (`-rf`), values attached or separate
/// (`-n5`, `-n 5`), `--` ends options, long options mapped to short ones. On a bad
/// option prints GNU's two lines and returns None.
pub(super) fn getopt(argv: &[String], with_value: &str, flags: &str, long: &[(&str, char)], out: &mut Output) -> Option<Opts> {
    let name = argv.first().map(String::as_str).unwrap_or("?");
    let mut opts = Opts { flags: Vec::new(), operands: Vec::new() };
    let mut i = 1;
    let mut only_operands = false;
    while i < argv.len() {
        let arg = &argv[i];
        i += 1;
        if only_operands || arg == "-" || !arg.starts_with('-') {
            opts.operands.push(arg.clone());
            continue;
        }
        if arg == "--" {
            only_operands = true;
            continue;
        }
        if let Some(long_name) = arg.strip_prefix("--") {
            let (key, value) = match long_name.split_once('=') {
                Some((k, v)) => (k, Some(v.to_string())),
                None => (long_name, None),
            };
            match long.iter().find(|(l, _)| *l == key) {
                Some((_, c)) => {
                    let v = if with_value.contains(*c) {
                        match value {
                            Some(v) => v,
                            None => match argv.get(i) {
                                Some(v) => {
                                    i += 1;
                                    v.clone()
                                }
                                None => {
                                    out.err(&format!("{name}: option '--{key}' requires an argument\nTry '{name} --help' for more information.\n"));
                                    return None;
                                }
                            },
                        }
                    } else {
                        String::new()
                    };
                    opts.flags.push((*c, v));
                }
                None => {
                    out.err(&format!("{name}: unrecognized option '{arg}'\nTry '{name} --help' for more information.\n"));
                    return None;
                }
            }
            continue;
        }
        let chars: Vec<char> = arg.chars().skip(1).collect();
        let mut j = 0;
        while j < chars.len() {
            let c = chars[j];
            j += 1;
            if with_value.contains(c) {
                let rest: String = chars[j..].iter().collect();
                let v = if !rest.is_empty() {
                    rest
                } else if let Some(v) = argv.get(i) {
                    i += 1;
                    v.clone()
                } else {
                    out.err(&format!("{name}: option requires an argument -- '{c}'\nTry '{name} --help' for more information.\n"));
                    return None;
                };
                opts.flags.push((c, v));
                break;
            } else if flags.contains(c) {
                opts.flags.push((c, String::new()));
            } else {
                out.err(&format!("{name}: invalid option -- '{c}'\nTry '{name} --help' for more information.\n"));
                return None;
            }
        }
    }
    Some(opts)
}

/// Reads an operand: `-` is stdin, anything else a file.
pub(super) fn read_input(sh: &Shell, operand: &str, stdin: Option<&str>) -> Result<String, VfsError> {
    if operand == "-" {
        return Ok(stdin.unwrap_or("").to_string());
    }
    sh.read_file(operand)
}

/// Lines of a text, each without its newline (a missing final newline is fine).
pub(super) fn lines(text: &str) -> Vec<&str> {
    let mut v: Vec<&str> = text.split('\n').collect();
    if text.ends_with('\n') || text.is_empty() {
        v.pop();
    }
    v
}

fn missing_operand(name: &str, what: &str, out: &mut Output) -> i32 {
    out.err(&format!("{name}: missing {what}\nTry '{name} --help' for more information.\n"));
    1
}

pub(super) fn cat(sh: &mut Shell, _: &mut Cluster, argv: &[String], stdin: Option<&str>, out: &mut Output) -> i32 {
    let Some(opts) = getopt(argv, "", "nAEs", &[("number", 'n')], out) else { return 1 };
    let operands = if opts.operands.is_empty() { vec!["-".to_string()] } else { opts.operands.clone() };
    let mut code = 0;
    let mut n = 0;
    for operand in operands {
        match read_input(sh, &operand, stdin) {
            Ok(text) => {
                if opts.has('n') {
                    let mut numbered = String::new();
                    for line in text.split_inclusive('\n') {
                        n += 1;
                        numbered.push_str(&format!("{n:>6}\t{line}"));
                    }
                    out.out(&numbered);
                } else {
                    out.out(&text);
                }
            }
            Err(e) => {
                out.err(&format!("cat: {operand}: {}\n", e.message()));
                code = 1;
            }
        }
        if out.stdout.len() > OUTPUT_LIMIT {
            break;
        }
    }
    code
}

/// `ls` with `-l`, `-a`, `-1`, `-A`, `-R` ignored: GNU's layout, owner `learner`.
pub(super) fn ls(sh: &mut Shell, cluster: &mut Cluster, argv: &[String], _: Option<&str>, out: &mut Output) -> i32 {
    let Some(opts) = getopt(argv, "", "laA1hdrtF", &[("all", 'a'), ("almost-all", 'A'), ("human-readable", 'h'), ("directory", 'd')], out) else { return 2 };
    let long = opts.has('l');
    let all = opts.has('a');
    let almost = opts.has('A');
    let one = opts.has('1') || !sh.stdout_tty;
    let operands = if opts.operands.is_empty() { vec![".".to_string()] } else { opts.operands.clone() };
    let now = cluster.clock.now();
    let mut code = 0;
    let mut files = Vec::new();
    let mut dirs = Vec::new();
    for operand in &operands {
        let path = Vfs::resolve(&sh.cwd, operand);
        match sh.vfs.get(&path) {
            None => {
                out.err(&format!("ls: cannot access '{operand}': No such file or directory\n"));
                code = 2;
            }
            Some(node) if node.is_dir() && !opts.has('d') => dirs.push((operand.clone(), path)),
            Some(_) => files.push((operand.clone(), path)),
        }
    }
    let render = |entries: &[(String, String)], out: &mut Output, with_total: bool| {
        if long {
            let mut rows = Vec::new();
            let mut blocks = 0;
            for (shown, path) in entries {
                let Some(node) = sh.vfs.get(path) else { continue };
                let size = node.size();
                blocks += size.div_ceil(4096) * 4;
                let (mode, links) = match node.kind {
                    NodeKind::Dir => ("drwxr-xr-x", 2 + sh.vfs.list(path).map(|l| l.iter().filter(|n| sh.vfs.is_dir(&format!("{}/{n}", path.trim_end_matches('/')))).count()).unwrap_or(0)),
                    NodeKind::Null => ("crw-rw-rw-", 1),
                    NodeKind::File(_) => ("-rw-r--r--", 1),
                };
                // GNU ls shows the time of day for files changed in the last six
                // months, the year for older ones.
                let recent = now - node.mtime < Duration::days(182);
                let when = if recent { node.mtime.format("%b %e %H:%M").to_string() } else { node.mtime.format("%b %e  %Y").to_string() };
                let size_text = if opts.has('h') { human_size(size) } else { size.to_string() };
                rows.push((mode, links.to_string(), size_text, when, shown.clone()));
            }
            let lw = rows.iter().map(|r| r.1.len()).max().unwrap_or(1);
            let sw = rows.iter().map(|r| r.2.len()).max().unwrap_or(1);
            let mut text = String::new();
            if with_total {
                text.push_str(&format!("total {}\n", if opts.has('h') { human_size(blocks * 1024) } else { blocks.to_string() }));
            }
            for (mode, links, size, when, name) in rows {
                text.push_str(&format!("{mode} {links:>lw$} learner learner {size:>sw$} {when} {name}\n"));
            }
            out.out(&text);
        } else {
            let names: Vec<String> = entries.iter().map(|(s, _)| s.clone()).collect();
            out.out(&columns(&names, one));
        }
    };
    let mut printed = false;
    if !files.is_empty() {
        render(&files, out, false);
        printed = true;
    }
    let many = operands.len() > 1;
    for (shown, path) in &dirs {
        let mut names = sh.vfs.list(path).unwrap_or_default();
        if !all && !almost {
            names.retain(|n| !n.starts_with('.'));
        }
        if all {
            names.insert(0, "..".to_string());
            names.insert(0, ".".to_string());
        }
        if opts.has('r') {
            names.reverse();
        }
        let entries: Vec<(String, String)> = names.into_iter().map(|n| (n.clone(), Vfs::resolve(path, &n))).collect();
        if printed {
            out.out("\n");
        }
        if many {
            out.out(&format!("{shown}:\n"));
        }
        render(&entries, out, true);
        printed = true;
    }
    code
}

fn human_size(n: usize) -> String {
    if n < 1024 {
        return n.to_string();
    }
    let units = ["K", "M", "G"];
    let mut v = n as f64;
    for u in units {
        v /= 1024.0;
        if v < 1024.0 {
            return if v < 10.0 { format!("{:.1}{u}", (v * 10.0).ceil() / 10.0) } else { format!("{}{u}", v.ceil()) };
        }
    }
    format!("{}G", v.ceil())
}

/// GNU ls's column layout for an 80-column terminal: as many columns as fit,
/// filled top to bottom, two spaces between columns.
pub(crate) fn columns(names: &[String], one_per_line: bool) -> String {
    if names.is_empty() {
        return String::new();
    }
    if one_per_line {
        return names.iter().map(|n| format!("{n}\n")).collect();
    }
    let width = 80;
    let lens: Vec<usize> = names.iter().map(|n| n.chars().count()).collect();
    let mut best = 1;
    for cols in (1..=names.len()).rev() {
        let rows = names.len().div_ceil(cols);
        let used_cols = names.len().div_ceil(rows);
        let mut total = 0;
        for c in 0..used_cols {
            let w = (0..rows).filter_map(|r| lens.get(c * rows + r)).max().copied().unwrap_or(0);
            // GNU counts two spaces after every column, the last one too.
            total += w + 2;
        }
        if total <= width {
            best = cols;
            break;
        }
    }
    let rows = names.len().div_ceil(best);
    let used_cols = names.len().div_ceil(rows);
    let widths: Vec<usize> = (0..used_cols).map(|c| (0..rows).filter_map(|r| lens.get(c * rows + r)).max().copied().unwrap_or(0)).collect();
    let mut text = String::new();
    for r in 0..rows {
        let mut line = String::new();
        for (c, w) in widths.iter().enumerate() {
            if let Some(name) = names.get(c * rows + r) {
                line.push_str(name);
                line.push_str(&" ".repeat(w + 2 - name.chars().count()));
            }
        }
        text.push_str(line.trim_end());
        text.push('\n');
    }
    text
}

pub(super) fn rev(sh: &mut Shell, _: &mut Cluster, argv: &[String], stdin: Option<&str>, out: &mut Output) -> i32 {
    let operands = if argv.len() > 1 { argv[1..].to_vec() } else { vec!["-".to_string()] };
    let mut code = 0;
    for operand in &operands {
        match read_input(sh, operand, stdin) {
            Ok(text) => out.out(&text.split_inclusive('\n').map(|l| {
                let (body, nl) = l.strip_suffix('\n').map(|b| (b, "\n")).unwrap_or((l, ""));
                format!("{}{nl}", body.chars().rev().collect::<String>())
            }).collect::<String>()),
            Err(e) => {
                out.err(&format!("rev: cannot open {operand}: {}\n", e.message()));
                code = 1;
            }
        }
    }
    code
}

pub(super) fn mkdir(sh: &mut Shell, cluster: &mut Cluster, argv: &[String], _: Option<&str>, out: &mut Output) -> i32 {
    let Some(opts) = getopt(argv, "m", "pv", &[("parents", 'p'), ("verbose", 'v')], out) else { return 1 };
    if opts.operands.is_empty() {
        return missing_operand("mkdir", "operand", out);
    }
    let now = cluster.clock.now();
    let mut code = 0;
    for operand in &opts.operands {
        let path = Vfs::resolve(&sh.cwd, operand);
        if let Err(e) = sh.vfs.mkdir(&path, opts.has('p'), now) {
            out.err(&format!("mkdir: cannot create directory '{operand}': {}\n", e.message()));
            code = 1;
        } else if opts.has('v') {
            out.out(&format!("mkdir: created directory '{operand}'\n"));
        }
    }
    code
}

pub(super) fn rmdir(sh: &mut Shell, _: &mut Cluster, argv: &[String], _: Option<&str>, out: &mut Output) -> i32 {
    let Some(opts) = getopt(argv, "", "p", &[], out) else { return 1 };
    if opts.operands.is_empty() {
        return missing_operand("rmdir", "operand", out);
    }
    let mut code = 0;
    for operand in &opts.operands {
        let path = Vfs::resolve(&sh.cwd, operand);
        if let Err(e) = sh.vfs.rmdir(&path) {
            out.err(&format!("rmdir: failed to remove '{operand}': {}\n", e.message()));
            code = 1;
        }
    }
    code
}

pub(super) fn rm(sh: &mut Shell, _: &mut Cluster, argv: &[String], _: Option<&str>, out: &mut Output) -> i32 {
    let Some(opts) = getopt(argv, "", "rRfvid", &[("recursive", 'r'), ("force", 'f'), ("verbose", 'v')], out) else { return 1 };
    let force = opts.has('f');
    if opts.operands.is_empty() {
        if force {
            return 0;
        }
        return missing_operand("rm", "operand", out);
    }
    let recursive = opts.has('r') || opts.has('R');
    let mut code = 0;
    for operand in &opts.operands {
        let path = Vfs::resolve(&sh.cwd, operand);
        if path == "/" {
            out.err("rm: it is dangerous to operate recursively on '/'\nrm: use --no-preserve-root to override this failsafe\n");
            code = 1;
            continue;
        }
        if Vfs::base_name(operand) == "." || Vfs::base_name(operand) == ".." {
            out.err(&format!("rm: refusing to remove '.' or '..' directory: skipping '{operand}'\n"));
            code = 1;
            continue;
        }
        match sh.vfs.remove(&path, recursive) {
            Ok(()) => {
                if opts.has('v') {
                    out.out(&format!("removed '{operand}'\n"));
                }
            }
            Err(VfsError::NotFound) if force => {}
            Err(e) => {
                out.err(&format!("rm: cannot remove '{operand}': {}\n", e.message()));
                code = 1;
            }
        }
    }
    code
}

/// Where `cp`/`mv` put each source: into the target when it is a directory.
fn destinations(sh: &Shell, name: &str, operands: &[String], out: &mut Output) -> Option<Vec<(String, String, String)>> {
    let Some((target, sources)) = operands.split_last() else {
        out.err(&format!("{name}: missing file operand\nTry '{name} --help' for more information.\n"));
        return None;
    };
    if sources.is_empty() {
        out.err(&format!("{name}: missing destination file operand after '{target}'\nTry '{name} --help' for more information.\n"));
        return None;
    }
    let target_path = Vfs::resolve(&sh.cwd, target);
    let into_dir = sh.vfs.is_dir(&target_path);
    if sources.len() > 1 && !into_dir {
        out.err(&format!("{name}: target '{target}' is not a directory\n"));
        return None;
    }
    Some(
        sources
            .iter()
            .map(|s| {
                let from = Vfs::resolve(&sh.cwd, s);
                let to = if into_dir { Vfs::resolve(&target_path, Vfs::base_name(&from)) } else { target_path.clone() };
                (s.clone(), from, to)
            })
            .collect(),
    )
}

pub(super) fn cp(sh: &mut Shell, cluster: &mut Cluster, argv: &[String], _: Option<&str>, out: &mut Output) -> i32 {
    let Some(opts) = getopt(argv, "", "rRavfi", &[("recursive", 'r'), ("archive", 'a'), ("force", 'f'), ("verbose", 'v')], out) else { return 1 };
    let Some(moves) = destinations(sh, "cp", &opts.operands, out) else { return 1 };
    let recursive = opts.has('r') || opts.has('R') || opts.has('a');
    let now = cluster.clock.now();
    let mut code = 0;
    for (shown, from, to) in moves {
        if !sh.vfs.exists(&from) {
            out.err(&format!("cp: cannot stat '{shown}': No such file or directory\n"));
            code = 1;
        } else if sh.vfs.is_dir(&from) && !recursive {
            out.err(&format!("cp: -r not specified; omitting directory '{shown}'\n"));
            code = 1;
        } else if from == to {
            out.err(&format!("cp: '{shown}' and '{shown}' are the same file\n"));
            code = 1;
        } else if let Err(e) = sh.vfs.copy(&from, &to, recursive, now) {
            let msg = if e == VfsError::Invalid { format!("cp: cannot copy a directory, '{shown}', into itself\n") } else { format!("cp: cannot create regular file '{to}': {}\n", e.message()) };
            out.err(&msg);
            code = 1;
        }
    }
    code
}

pub(super) fn mv(sh: &mut Shell, _: &mut Cluster, argv: &[String], _: Option<&str>, out: &mut Output) -> i32 {
    let Some(opts) = getopt(argv, "", "fivn", &[("force", 'f'), ("verbose", 'v')], out) else { return 1 };
    let Some(moves) = destinations(sh, "mv", &opts.operands, out) else { return 1 };
    let mut code = 0;
    for (shown, from, to) in moves {
        if !sh.vfs.exists(&from) {
            out.err(&format!("mv: cannot stat '{shown}': No such file or directory\n"));
            code = 1;
            continue;
        }
        if let Err(e) = sh.vfs.rename(&from, &to) {
            let msg = if e == VfsError::Invalid { format!("mv: cannot move '{shown}' to a subdirectory of itself\n") } else { format!("mv: cannot move '{shown}': {}\n", e.message()) };
            out.err(&msg);
            code = 1;
        }
    }
    code
}

pub(super) fn touch(sh: &mut Shell, cluster: &mut Cluster, argv: &[String], _: Option<&str>, out: &mut Output) -> i32 {
    let Some(opts) = getopt(argv, "dtr", "acm", &[], out) else { return 1 };
    if opts.operands.is_empty() {
        return missing_operand("touch", "file operand", out);
    }
    let now = cluster.clock.now();
    let mut code = 0;
    for operand in &opts.operands {
        let path = Vfs::resolve(&sh.cwd, operand);
        if let Err(e) = sh.vfs.touch(&path, now) {
            out.err(&format!("touch: cannot touch '{operand}': {}\n", e.message()));
            code = 1;
        }
    }
    code
}

/// `-5` is `-n 5` for head and tail.
fn numeric_shorthand(argv: &[String]) -> Vec<String> {
    argv.iter()
        .enumerate()
        .map(|(i, a)| if i > 0 && a.len() > 1 && a.starts_with('-') && a[1..].chars().all(|c| c.is_ascii_digit()) { format!("-n{}", &a[1..]) } else { a.clone() })
        .collect()
}

fn head_tail(sh: &mut Shell, argv: &[String], stdin: Option<&str>, out: &mut Output, tail: bool) -> i32 {
    let name = if tail { "tail" } else { "head" };
    let argv = numeric_shorthand(argv);
    let Some(opts) = getopt(&argv, "nc", "qvfF", &[("lines", 'n'), ("bytes", 'c'), ("quiet", 'q'), ("follow", 'f')], out) else { return 1 };
    if tail && (opts.has('f') || opts.has('F')) {
        out.err("kubesim: 'tail -f' is not simulated\n");
        return 1;
    }
    let (by_bytes, spec) = match (opts.value('c'), opts.value('n')) {
        (Some(c), _) => (true, c.to_string()),
        (None, Some(n)) => (false, n.to_string()),
        (None, None) => (false, "10".to_string()),
    };
    let from_start = tail && spec.starts_with('+');
    let all_but = !tail && spec.starts_with('-');
    let digits = spec.trim_start_matches(['+', '-']);
    let Ok(count) = digits.parse::<usize>() else {
        let what = if by_bytes { "bytes" } else { "lines" };
        out.err(&format!("{name}: invalid number of {what}: '{spec}'\n"));
        return 1;
    };
    let operands = if opts.operands.is_empty() { vec!["-".to_string()] } else { opts.operands.clone() };
    let headers = (operands.len() > 1 && !opts.has('q')) || opts.has('v');
    let mut code = 0;
    for (i, operand) in operands.iter().enumerate() {
        let text = match read_input(sh, operand, stdin) {
            Ok(t) => t,
            Err(e) => {
                out.err(&format!("{name}: cannot open '{operand}' for reading: {}\n", e.message()));
                code = 1;
                continue;
            }
        };
        if headers {
            let shown = if operand == "-" { "standard input" } else { operand };
            out.out(&format!("{}==> {shown} <==\n", if i > 0 { "\n" } else { "" }));
        }
        if by_bytes {
            let bytes = text.as_bytes();
            let n = bytes.len();
            let slice = if tail {
                if from_start { &bytes[count.saturating_sub(1).min(n)..] } else { &bytes[n.saturating_sub(count)..] }
            } else if all_but {
                &bytes[..n.saturating_sub(count)]
            } else {
                &bytes[..count.min(n)]
            };
            out.out(&String::from_utf8_lossy(slice));
            continue;
        }
        let pieces: Vec<&str> = text.split_inclusive('\n').collect();
        let n = pieces.len();
        let chosen = if tail {
            if from_start { &pieces[count.saturating_sub(1).min(n)..] } else { &pieces[n.saturating_sub(count)..] }
        } else if all_but {
            &pieces[..n.saturating_sub(count)]
        } else {
            &pieces[..count.min(n)]
        };
        out.out(&chosen.concat());
    }
    code
}

pub(super) fn head(sh: &mut Shell, _: &mut Cluster, argv: &[String], stdin: Option<&str>, out: &mut Output) -> i32 {
    head_tail(sh, argv, stdin, out, false)
}

pub(super) fn tail(sh: &mut Shell, _: &mut Cluster, argv: &[String], stdin: Option<&str>, out: &mut Output) -> i32 {
    head_tail(sh, argv, stdin, out, true)
}

pub(super) fn wc(sh: &mut Shell, _: &mut Cluster, argv: &[String], stdin: Option<&str>, out: &mut Output) -> i32 {
    let Some(opts) = getopt(argv, "", "lwcmL", &[("lines", 'l'), ("words", 'w'), ("bytes", 'c'), ("chars", 'm')], out) else { return 1 };
    let (mut l, mut w, mut c, m) = (opts.has('l'), opts.has('w'), opts.has('c'), opts.has('m'));
    if !l && !w && !c && !m {
        (l, w, c) = (true, true, true);
    }
    let operands = if opts.operands.is_empty() { vec!["-".to_string()] } else { opts.operands.clone() };
    let mut rows: Vec<(Vec<usize>, String)> = Vec::new();
    let mut totals = [0usize; 4];
    let mut code = 0;
    let mut any_stdin = false;
    for operand in &operands {
        let text = match read_input(sh, operand, stdin) {
            Ok(t) => t,
            Err(e) => {
                out.err(&format!("wc: {operand}: {}\n", e.message()));
                code = 1;
                continue;
            }
        };
        any_stdin |= operand == "-";
        let counts = [text.matches('\n').count(), text.split_whitespace().count(), text.chars().count(), text.len()];
        for (t, v) in totals.iter_mut().zip(counts) {
            *t += v;
        }
        let mut shown = Vec::new();
        if l {
            shown.push(counts[0]);
        }
        if w {
            shown.push(counts[1]);
        }
        if m {
            shown.push(counts[2]);
        }
        if c {
            shown.push(counts[3]);
        }
        rows.push((shown, if opts.operands.is_empty() { String::new() } else { operand.clone() }));
    }
    if operands.len() > 1 {
        let mut shown = Vec::new();
        if l {
            shown.push(totals[0]);
        }
        if w {
            shown.push(totals[1]);
        }
        if m {
            shown.push(totals[2]);
        }
        if c {
            shown.push(totals[3]);
        }
        rows.push((shown, "total".to_string()));
    }
    // GNU wc pads to the width of the total byte count of the files, or to 7 when
    // one of the inputs is a pipe; a single count of a single input is not padded.
    let single = rows.first().is_some_and(|r| r.0.len() == 1) && operands.len() == 1;
    let width = if single { 1 } else if any_stdin { 7 } else { totals[3].to_string().len().max(1) };
    for (counts, name) in rows {
        let mut line = counts.iter().map(|n| format!("{n:>width$}")).collect::<Vec<_>>().join(" ");
        if !name.is_empty() {
            line.push(' ');
            line.push_str(&name);
        }
        out.out(&format!("{line}\n"));
    }
    code
}

pub(super) fn tee(sh: &mut Shell, cluster: &mut Cluster, argv: &[String], stdin: Option<&str>, out: &mut Output) -> i32 {
    let Some(opts) = getopt(argv, "", "ai", &[("append", 'a')], out) else { return 1 };
    let text = stdin.unwrap_or("");
    let now = cluster.clock.now();
    let mut code = 0;
    for operand in &opts.operands {
        let path = Vfs::resolve(&sh.cwd, operand);
        if let Err(e) = sh.vfs.write(&path, text, opts.has('a'), now) {
            out.err(&format!("tee: {operand}: {}\n", e.message()));
            code = 1;
        }
    }
    out.out(text);
    code
}

pub(super) fn seq(_: &mut Shell, _: &mut Cluster, argv: &[String], _: Option<&str>, out: &mut Output) -> i32 {
    let mut sep = "\n".to_string();
    let mut width = false;
    let mut nums = Vec::new();
    let mut i = 1;
    while let Some(a) = argv.get(i) {
        i += 1;
        match a.as_str() {
            "-s" => {
                sep = argv.get(i).cloned().unwrap_or_default();
                i += 1;
            }
            "-w" => width = true,
            a if a.starts_with("-s") => sep = a[2..].to_string(),
            a => nums.push(a.to_string()),
        }
    }
    if nums.is_empty() {
        return missing_operand("seq", "operand", out);
    }
    let mut values = Vec::new();
    for n in &nums {
        match n.parse::<f64>() {
            Ok(v) if v.is_finite() => values.push(v),
            _ => {
                out.err(&format!("seq: invalid floating point argument: '{n}'\nTry 'seq --help' for more information.\n"));
                return 1;
            }
        }
    }
    let (first, step, last) = match values.as_slice() {
        [l] => (1.0, 1.0, *l),
        [f, l] => (*f, 1.0, *l),
        [f, s, l, ..] => (*f, *s, *l),
        [] => return 1,
    };
    if step == 0.0 {
        out.err(&format!("seq: invalid Zero increment value: '{}'\nTry 'seq --help' for more information.\n", nums.get(1).cloned().unwrap_or_default()));
        return 1;
    }
    let decimals = nums.iter().map(|n| n.split_once('.').map(|(_, d)| d.len()).unwrap_or(0)).max().unwrap_or(0);
    let pad = if width { format!("{last:.decimals$}").len() } else { 0 };
    let mut text = String::new();
    let mut k = 0u64;
    loop {
        let v = first + step * k as f64;
        if (step > 0.0 && v > last + 1e-9) || (step < 0.0 && v < last - 1e-9) {
            break;
        }
        if k > 0 {
            text.push_str(&sep);
        }
        let s = format!("{v:.decimals$}");
        text.push_str(&format!("{s:0>pad$}"));
        k += 1;
        if text.len() > OUTPUT_LIMIT {
            break;
        }
    }
    if k > 0 {
        text.push('\n');
    }
    out.out(&text);
    0
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

pub(crate) fn base64_encode(data: &[u8]) -> String {
    let mut s = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [chunk[0], chunk.get(1).copied().unwrap_or(0), chunk.get(2).copied().unwrap_or(0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                s.push(B64[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                s.push('=');
            }
        }
    }
    s
}

pub(crate) fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let mut acc = 0u32;
    let mut bits = 0;
    let mut padding = false;
    for c in text.bytes() {
        if c == b'\n' || c == b'\r' {
            continue;
        }
        if c == b'=' {
            padding = true;
            continue;
        }
        if padding {
            return None;
        }
        let v = B64.iter().position(|&b| b == c)? as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(((acc >> bits) & 0xff) as u8);
        }
    }
    if bits >= 6 {
        return None;
    }
    Some(out)
}

pub(super) fn base64(sh: &mut Shell, _: &mut Cluster, argv: &[String], stdin: Option<&str>, out: &mut Output) -> i32 {
    let Some(opts) = getopt(argv, "w", "di", &[("decode", 'd'), ("wrap", 'w'), ("ignore-garbage", 'i')], out) else { return 1 };
    let operand = opts.operands.first().cloned().unwrap_or_else(|| "-".to_string());
    let text = match read_input(sh, &operand, stdin) {
        Ok(t) => t,
        Err(e) => {
            out.err(&format!("base64: {operand}: {}\n", e.message()));
            return 1;
        }
    };
    if opts.has('d') {
        match base64_decode(&text) {
            Some(bytes) => {
                out.out(&String::from_utf8_lossy(&bytes));
                0
            }
            None => {
                out.err("base64: invalid input\n");
                1
            }
        }
    } else {
        let wrap: usize = match opts.value('w').map(str::parse::<usize>) {
            None => 76,
            Some(Ok(w)) => w,
            Some(Err(_)) => {
                out.err(&format!("base64: invalid wrap size: '{}'\n", opts.value('w').unwrap_or("")));
                return 1;
            }
        };
        let encoded = base64_encode(text.as_bytes());
        let mut result = String::new();
        if wrap == 0 {
            result.push_str(&encoded);
        } else {
            let chars: Vec<char> = encoded.chars().collect();
            for line in chars.chunks(wrap) {
                result.extend(line);
                result.push('\n');
            }
        }
        // GNU base64 -w 0 prints no newline at all.
        out.out(&result);
        0
    }
}

/// `xargs [-n N] [-I R] [CMD...]`: runs CMD (default `echo`) with words from stdin.
pub(super) fn xargs(sh: &mut Shell, cluster: &mut Cluster, argv: &[String], stdin: Option<&str>, out: &mut Output) -> i32 {
    let mut i = 1;
    let mut per: Option<usize> = None;
    let mut replace: Option<String> = None;
    while let Some(a) = argv.get(i) {
        match a.as_str() {
            "-n" => {
                per = argv.get(i + 1).and_then(|v| v.parse().ok()).filter(|n| *n > 0);
                i += 2;
            }
            "-I" => {
                replace = argv.get(i + 1).cloned();
                i += 2;
            }
            "-r" | "--no-run-if-empty" | "-t" => i += 1,
            a if a.starts_with("-n") => {
                per = a[2..].parse().ok().filter(|n| *n > 0);
                i += 1;
            }
            a if a.starts_with("-I") => {
                replace = Some(a[2..].to_string());
                i += 1;
            }
            _ => break,
        }
    }
    let command: Vec<String> = match argv.get(i..) {
        Some(c) if !c.is_empty() => c.to_vec(),
        _ => vec!["echo".to_string()],
    };
    let input = stdin.unwrap_or("");
    let mut code = 0;
    let mut runs: Vec<Vec<String>> = Vec::new();
    if let Some(r) = &replace {
        for line in lines(input) {
            if line.trim().is_empty() {
                continue;
            }
            runs.push(command.iter().map(|a| a.replace(r.as_str(), line.trim())).collect());
        }
    } else {
        let words: Vec<String> = input.split_whitespace().map(|w| w.trim_matches(['\'', '"']).to_string()).collect();
        if words.is_empty() {
            if !argv.iter().any(|a| a == "-r" || a == "--no-run-if-empty") {
                runs.push(command.clone());
            }
        } else {
            for chunk in words.chunks(per.unwrap_or(words.len().max(1))) {
                let mut run = command.clone();
                run.extend(chunk.iter().cloned());
                runs.push(run);
            }
        }
    }
    for run in runs.into_iter().take(1000) {
        if programs::lookup(&run[0]).is_none() && !programs::NOT_SIMULATED.contains(&run[0].as_str()) {
            out.err(&format!("xargs: {}: No such file or directory\n", run[0]));
            return 127;
        }
        let c = programs::run(sh, cluster, &run, None, out);
        if c != 0 {
            code = 123;
        }
    }
    code
}

/// The sort key of a line for `-k N[,M]` with blanks or `-t` as separator.
fn sort_key(line: &str, key: Option<(usize, Option<usize>)>, sep: Option<char>) -> &str {
    let Some((start, end)) = key else { return line };
    let fields: Vec<(usize, usize)> = match sep {
        Some(s) => {
            let mut v = Vec::new();
            let mut begin = 0;
            for (i, c) in line.char_indices() {
                if c == s {
                    v.push((begin, i));
                    begin = i + c.len_utf8();
                }
            }
            v.push((begin, line.len()));
            v
        }
        None => {
            // With blank separation a field includes its leading blanks.
            let mut v = Vec::new();
            let bytes = line.as_bytes();
            let mut i = 0;
            while i < bytes.len() {
                let begin = i;
                while i < bytes.len() && (bytes[i] == b' ' || bytes[i] == b'\t') {
                    i += 1;
                }
                while i < bytes.len() && bytes[i] != b' ' && bytes[i] != b'\t' {
                    i += 1;
                }
                v.push((begin, i));
            }
            v
        }
    };
    let Some(&(from, _)) = fields.get(start.saturating_sub(1)) else { return "" };
    let to = match end {
        Some(e) => fields.get(e.saturating_sub(1)).map(|f| f.1).unwrap_or(line.len()),
        None => line.len(),
    };
    line.get(from..to.max(from)).unwrap_or("")
}

fn leading_number(s: &str) -> f64 {
    let t = s.trim_start();
    let end = t.char_indices().find(|&(i, c)| !(c.is_ascii_digit() || c == '.' || (i == 0 && c == '-'))).map(|(i, _)| i).unwrap_or(t.len());
    t[..end].parse().unwrap_or(0.0)
}

pub(super) fn sort(sh: &mut Shell, _: &mut Cluster, argv: &[String], stdin: Option<&str>, out: &mut Output) -> i32 {
    let Some(opts) = getopt(argv, "kto", "nrufhVs", &[("numeric-sort", 'n'), ("reverse", 'r'), ("unique", 'u'), ("key", 'k'), ("field-separator", 't')], out) else { return 2 };
    let operands = if opts.operands.is_empty() { vec!["-".to_string()] } else { opts.operands.clone() };
    let mut text = String::new();
    for operand in &operands {
        match read_input(sh, operand, stdin) {
            Ok(t) => {
                text.push_str(&t);
                if !t.is_empty() && !t.ends_with('\n') {
                    text.push('\n');
                }
            }
            Err(e) => {
                out.err(&format!("sort: cannot read: {operand}: {}\n", e.message()));
                return 2;
            }
        }
    }
    let key = match opts.value('k') {
        Some(k) => {
            let (a, b) = match k.split_once(',') {
                Some((a, b)) => (a, Some(b)),
                None => (k, None),
            };
            let num = |s: &str| s.split('.').next().unwrap_or("").trim_end_matches(|c: char| c.is_ascii_alphabetic()).parse::<usize>().ok().filter(|n| *n > 0);
            match (num(a), b.map(num)) {
                (Some(a), None) => Some((a, None)),
                (Some(a), Some(Some(b))) => Some((a, Some(b))),
                _ => {
                    out.err(&format!("sort: invalid number at field start: invalid count at start of '{k}'\n"));
                    return 2;
                }
            }
        }
        None => None,
    };
    let sep = opts.value('t').and_then(|t| t.chars().next());
    let numeric = opts.has('n') || opts.has('h') || opts.value('k').is_some_and(|k| k.contains('n'));
    let reverse = opts.has('r') || opts.value('k').is_some_and(|k| k.ends_with('r'));
    let mut ls = lines(&text);
    crate::sort::sort_by(&mut ls, |a, b| {
        let (ka, kb) = (sort_key(a, key, sep), sort_key(b, key, sep));
        let primary = if numeric { leading_number(ka).partial_cmp(&leading_number(kb)).unwrap_or(std::cmp::Ordering::Equal) } else { ka.cmp(kb) };
        // GNU sort breaks ties by comparing whole lines (its "last resort" comparison).
        let ord = primary.then_with(|| if opts.has('s') { std::cmp::Ordering::Equal } else { a.cmp(b) });
        if reverse {
            ord.reverse()
        } else {
            ord
        }
    });
    if opts.has('u') {
        let mut seen = BTreeSet::new();
        ls.retain(|l| seen.insert(if numeric { leading_number(sort_key(l, key, sep)).to_string() } else { sort_key(l, key, sep).to_string() }));
    }
    out.out(&ls.iter().map(|l| format!("{l}\n")).collect::<String>());
    0
}

pub(super) fn uniq(sh: &mut Shell, _: &mut Cluster, argv: &[String], stdin: Option<&str>, out: &mut Output) -> i32 {
    let Some(opts) = getopt(argv, "", "cdui", &[("count", 'c'), ("repeated", 'd'), ("unique", 'u'), ("ignore-case", 'i')], out) else { return 1 };
    let operand = opts.operands.first().cloned().unwrap_or_else(|| "-".to_string());
    let text = match read_input(sh, &operand, stdin) {
        Ok(t) => t,
        Err(e) => {
            out.err(&format!("uniq: {operand}: {}\n", e.message()));
            return 1;
        }
    };
    let mut groups: Vec<(usize, &str)> = Vec::new();
    for line in lines(&text) {
        match groups.last_mut() {
            Some((n, prev)) if *prev == line || (opts.has('i') && prev.eq_ignore_ascii_case(line)) => *n += 1,
            _ => groups.push((1, line)),
        }
    }
    let mut result = String::new();
    for (n, line) in groups {
        if (opts.has('d') && n < 2) || (opts.has('u') && n > 1) {
            continue;
        }
        if opts.has('c') {
            result.push_str(&format!("{n:>7} {line}\n"));
        } else {
            result.push_str(&format!("{line}\n"));
        }
    }
    out.out(&result);
    0
}

/// A cut list (`1,3-5`, `-2`, `4-`) as inclusive 1-based ranges.
fn parse_list(spec: &str) -> Option<Vec<(usize, usize)>> {
    let mut ranges = Vec::new();
    for piece in spec.split(',') {
        let (a, b) = match piece.split_once('-') {
            Some((a, b)) => (if a.is_empty() { Some(1) } else { a.parse().ok() }, if b.is_empty() { Some(usize::MAX) } else { b.parse().ok() }),
            None => (piece.parse().ok(), piece.parse().ok()),
        };
        match (a, b) {
            (Some(a), Some(b)) if a >= 1 && a <= b => ranges.push((a, b)),
            _ => return None,
        }
    }
    Some(ranges)
}

pub(super) fn cut(sh: &mut Shell, _: &mut Cluster, argv: &[String], stdin: Option<&str>, out: &mut Output) -> i32 {
    let Some(opts) = getopt(argv, "dfcb", "s", &[("delimiter", 'd'), ("fields", 'f'), ("characters", 'c'), ("bytes", 'b'), ("only-delimited", 's')], out) else { return 1 };
    let lists: Vec<char> = ['f', 'c', 'b'].into_iter().filter(|c| opts.has(*c)).collect();
    if lists.len() > 1 {
        out.err("cut: only one list may be specified\nTry 'cut --help' for more information.\n");
        return 1;
    }
    let Some(&mode) = lists.first() else {
        out.err("cut: you must specify a list of bytes, characters, or fields\nTry 'cut --help' for more information.\n");
        return 1;
    };
    let spec = opts.value(mode).unwrap_or("");
    let Some(ranges) = parse_list(spec) else {
        out.err(&format!("cut: invalid field value '{spec}'\nTry 'cut --help' for more information.\n"));
        return 1;
    };
    let delim = match opts.value('d') {
        Some(d) if d.chars().count() == 1 => d.chars().next().unwrap_or('\t'),
        Some(_) => {
            out.err("cut: the delimiter must be a single character\nTry 'cut --help' for more information.\n");
            return 1;
        }
        None => '\t',
    };
    let wanted = |i: usize| ranges.iter().any(|&(a, b)| i >= a && i <= b);
    let operands = if opts.operands.is_empty() { vec!["-".to_string()] } else { opts.operands.clone() };
    let mut code = 0;
    let mut result = String::new();
    for operand in &operands {
        let text = match read_input(sh, operand, stdin) {
            Ok(t) => t,
            Err(e) => {
                out.err(&format!("cut: {operand}: {}\n", e.message()));
                code = 1;
                continue;
            }
        };
        for line in lines(&text) {
            if mode == 'f' {
                if !line.contains(delim) {
                    if !opts.has('s') {
                        result.push_str(line);
                        result.push('\n');
                    }
                    continue;
                }
                let picked: Vec<&str> = line.split(delim).enumerate().filter(|(i, _)| wanted(i + 1)).map(|(_, f)| f).collect();
                result.push_str(&picked.join(&delim.to_string()));
            } else {
                result.extend(line.chars().enumerate().filter(|(i, _)| wanted(i + 1)).map(|(_, c)| c));
            }
            result.push('\n');
        }
    }
    out.out(&result);
    code
}

/// A tr set: ranges, `[:class:]` and backslash escapes, expanded to characters.
fn tr_set(spec: &str) -> Vec<char> {
    let mut expanded = String::new();
    programs::unescape(spec, &mut expanded);
    let mut set = Vec::new();
    let chars: Vec<char> = expanded.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let rest: String = chars[i..].iter().take(10).collect();
        let class = [
            ("[:lower:]", ('a'..='z').collect::<Vec<_>>()),
            ("[:upper:]", ('A'..='Z').collect()),
            ("[:digit:]", ('0'..='9').collect()),
            ("[:space:]", vec![' ', '\t', '\n', '\r', '\x0b', '\x0c']),
            ("[:blank:]", vec![' ', '\t']),
            ("[:alpha:]", ('a'..='z').chain('A'..='Z').collect()),
            ("[:alnum:]", ('a'..='z').chain('A'..='Z').chain('0'..='9').collect()),
            ("[:punct:]", "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~".chars().collect()),
        ]
        .into_iter()
        .find(|(name, _)| rest.starts_with(name));
        if let Some((name, members)) = class {
            set.extend(members);
            i += name.len();
            continue;
        }
        if chars.get(i + 1) == Some(&'-') && i + 2 < chars.len() && chars[i] <= chars[i + 2] {
            let (lo, hi) = (chars[i] as u32, chars[i + 2] as u32);
            if hi - lo < 0x10000 {
                set.extend((lo..=hi).filter_map(char::from_u32));
            }
            i += 3;
            continue;
        }
        set.push(chars[i]);
        i += 1;
    }
    set
}

pub(super) fn tr(_: &mut Shell, _: &mut Cluster, argv: &[String], stdin: Option<&str>, out: &mut Output) -> i32 {
    let Some(opts) = getopt(argv, "", "dsc", &[("delete", 'd'), ("squeeze-repeats", 's')], out) else { return 1 };
    let text = stdin.unwrap_or("");
    let delete = opts.has('d');
    let squeeze = opts.has('s');
    match (opts.operands.len(), delete, squeeze) {
        (0, _, _) => {
            out.err("tr: missing operand\nTry 'tr --help' for more information.\n");
            return 1;
        }
        (1, false, false) => {
            out.err(&format!("tr: missing operand after '{}'\nTwo strings must be given when translating.\nTry 'tr --help' for more information.\n", opts.operands[0]));
            return 1;
        }
        _ => {}
    }
    let set1 = tr_set(&opts.operands[0]);
    let set2 = opts.operands.get(1).map(|s| tr_set(s)).unwrap_or_default();
    let complement = opts.has('c');
    let in1 = |c: char| set1.contains(&c) != complement;
    let mut result = String::with_capacity(text.len());
    let mut last: Option<char> = None;
    for c in text.chars() {
        let mapped = if delete {
            if in1(c) {
                continue;
            }
            c
        } else if !set2.is_empty() && !complement {
            match set1.iter().rposition(|&x| x == c) {
                Some(i) => set2.get(i).or(set2.last()).copied().unwrap_or(c),
                None => c,
            }
        } else if complement && !set2.is_empty() && in1(c) {
            set2.last().copied().unwrap_or(c)
        } else {
            c
        };
        let squeeze_set = if delete || set2.is_empty() { &set1 } else { &set2 };
        if squeeze && last == Some(mapped) && (squeeze_set.contains(&mapped) != (complement && set2.is_empty())) {
            continue;
        }
        last = Some(mapped);
        result.push(mapped);
    }
    out.out(&result);
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_round_trips() {
        for s in ["", "a", "ab", "abc", "hello world\n", "kubesim"] {
            let e = base64_encode(s.as_bytes());
            assert_eq!(base64_decode(&e).as_deref(), Some(s.as_bytes()));
        }
        assert_eq!(base64_encode(b"hello"), "aGVsbG8=");
        assert_eq!(base64_decode("###"), None);
    }

    #[test]
    fn ls_columns_fill_down_then_across() {
        let names: Vec<String> = ["a", "bb", "ccc", "d"].iter().map(|s| s.to_string()).collect();
        assert_eq!(columns(&names, false), "a  bb  ccc  d\n");
        let many: Vec<String> = (0..30).map(|i| format!("file-number-{i:02}.yaml")).collect();
        let text = columns(&many, false);
        assert!(text.lines().all(|l| l.len() < 80), "{text}");
        assert!(text.starts_with("file-number-00.yaml  file-number-10.yaml  file-number-20.yaml\n"), "{text}");
    }

    #[test]
    fn cut_lists() {
        assert_eq!(parse_list("1,3-4"), Some(vec![(1, 1), (3, 4)]));
        assert_eq!(parse_list("-2"), Some(vec![(1, 2)]));
        assert_eq!(parse_list("0"), None);
    }
}
