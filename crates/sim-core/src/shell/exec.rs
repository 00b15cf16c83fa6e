//! Running a parsed script: word expansion (parameters, command substitution,
//! field splitting, `~`, globbing), redirections, pipelines, `&&`/`||`, `for`
//! loops, aliases and background jobs.
//!
//! Programs write into an [`Output`]; a pipeline runs its commands one after the
//! other, each one's stdout becoming the next one's stdin, which gives the same
//! bytes as bash's concurrent pipes for programs that read all their input.

use k8s_openapi::chrono::Duration;

use super::parse::{self, AndOr, Command, Connector, ListItem, ParamOp, Part, Pipeline, RedirectKind, Script, SimpleCommand, Word};
use super::programs;
use super::{job_line, AfterEdit, EditorEffect, Foreground, Job, JobState, Shell, OUTPUT_LIMIT};
use crate::cluster::Cluster;
use crate::simulator::Output;
use crate::vfs::{Vfs, HOME};

/// Runs a script; `stdin` is what its first command may read (None: the terminal).
pub(super) fn run_script(sh: &mut Shell, cluster: &mut Cluster, script: &Script, stdin: Option<&str>, out: &mut Output) -> i32 {
    // Substitutions, loops, `bash -c`, `source` and aliases all come back here; a
    // depth limit keeps `alias x='bash -c x'` from exhausting the stack (bash itself
    // stops such recursion with "maximum function nesting level exceeded").
    if sh.nesting >= MAX_NESTING {
        out.err("kubesim: commands nest too deeply\n");
        return 1;
    }
    sh.nesting += 1;
    let code = run_items(sh, cluster, script, stdin, out);
    sh.nesting -= 1;
    code
}

/// After a loop body: true when `break` ended the loop (`continue` just goes on).
fn take_break(sh: &mut Shell) -> bool {
    matches!(sh.loop_signal.take(), Some(super::LoopSignal::Break))
}

/// How deeply scripts may run inside scripts.
const MAX_NESTING: usize = 48;

fn run_items(sh: &mut Shell, cluster: &mut Cluster, script: &Script, stdin: Option<&str>, out: &mut Output) -> i32 {
    let mut code = sh.last_exit_code;
    for item in &script.items {
        if item.background {
            code = start_background(sh, cluster, item, out);
        } else {
            code = run_and_or(sh, cluster, &item.and_or, stdin, out);
        }
        sh.last_exit_code = code;
        if sh.budget == 0 || sh.editor.is_some() || sh.expansion_failed || sh.loop_signal.is_some() || sh.exiting {
            break;
        }
    }
    code
}

fn run_and_or(sh: &mut Shell, cluster: &mut Cluster, and_or: &AndOr, stdin: Option<&str>, out: &mut Output) -> i32 {
    let mut code = run_pipeline(sh, cluster, &and_or.first, stdin, out);
    for (connector, pipeline) in &and_or.rest {
        sh.last_exit_code = code;
        let run = match connector {
            Connector::And => code == 0,
            Connector::Or => code != 0,
        };
        if sh.expansion_failed || sh.loop_signal.is_some() || sh.exiting {
            break;
        }
        if run {
            code = run_pipeline(sh, cluster, pipeline, stdin, out);
        }
    }
    code
}

fn run_pipeline(sh: &mut Shell, cluster: &mut Cluster, pipeline: &Pipeline, stdin: Option<&str>, out: &mut Output) -> i32 {
    let mut input: Option<String> = stdin.map(str::to_string);
    let mut code = 0;
    let count = pipeline.commands.len();
    for (index, command) in pipeline.commands.iter().enumerate() {
        let last = index + 1 == count;
        if index > 0 && sh.budget == 0 && !sh.expansion_failed {
            // A stage that used up the line's budget still feeds the rest of the
            // pipeline (`while true; do ...; done | head -2` prints its two lines).
            sh.budget = 1;
        }
        let mut pipe = String::new();
        code = run_command(sh, cluster, command, input.as_deref(), if last { None } else { Some(&mut pipe) }, out);
        input = Some(pipe);
        if sh.expansion_failed {
            break;
        }
    }
    if pipeline.negated {
        code = i32::from(code == 0);
    }
    code
}

/// Where a file descriptor's bytes go.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Sink {
    /// The command's standard output: the pipe, or the terminal for the last command.
    Stdout,
    /// The terminal's standard error.
    Stderr,
    File(String),
    Null,
}

/// Runs one command, sending its stdout into `pipe` (or the terminal when None).
fn run_command(sh: &mut Shell, cluster: &mut Cluster, command: &Command, stdin: Option<&str>, pipe: Option<&mut String>, out: &mut Output) -> i32 {
    if sh.budget == 0 {
        return 1;
    }
    sh.budget -= 1;
    if sh.budget == 0 && !std::mem::replace(&mut sh.budget_reported, true) {
        out.err(&format!("kubesim: stopped after {} commands on one line\n", super::COMMAND_BUDGET));
        return 1;
    }
    let (redirects, result) = match command {
        Command::Simple(simple) => (&simple.redirects, prepare_simple(sh, cluster, simple, out)),
        Command::For { redirects, .. } | Command::If { redirects, .. } | Command::While { redirects, .. } | Command::Group { redirects, .. } => (redirects, Prepared::Compound),
    };
    if sh.expansion_failed {
        // bash abandons the rest of the line when an expansion fails (`$((1/0))`),
        // with status 1.
        return 1;
    }
    let argv = match result {
        Prepared::AssignOnly(code) => {
            // Redirections without a command still open (and truncate) their files.
            let mut fds = [Sink::Stdout, Sink::Stderr];
            let mut input = None;
            if let Err(code) = open_redirects(sh, cluster, redirects, &mut fds, &mut input, out) {
                return code;
            }
            return code;
        }
        Prepared::Run { argv, env } => Some((argv, env)),
        Prepared::Compound => None,
    };
    let mut fds = [Sink::Stdout, Sink::Stderr];
    let mut input: Option<String> = stdin.map(str::to_string);
    if let Err(code) = open_redirects(sh, cluster, redirects, &mut fds, &mut input, out) {
        return code;
    }
    let mut captured = Output::default();
    sh.stdout_tty = pipe.is_none() && fds[0] == Sink::Stdout && sh.capturing == 0;
    let code = match (argv, command) {
        (Some((argv, env)), _) => {
            // `VAR=value cmd`: the assignments hold for this command only.
            let saved: Vec<(String, Option<super::Var>)> = env.iter().map(|(k, _)| (k.clone(), sh.vars.get(k).cloned())).collect();
            for (k, v) in &env {
                sh.vars.insert(k.clone(), super::Var { value: v.clone(), exported: true });
            }
            let code = programs::run(sh, cluster, &argv, input.as_deref(), &mut captured);
            settle_port_forwards(sh, cluster);
            for (k, old) in saved {
                match old {
                    Some(v) => sh.vars.insert(k, v),
                    None => sh.vars.remove(&k),
                };
            }
            code
        }
        (None, Command::For { var, words, body, .. }) => {
            let mut values = Vec::new();
            for w in words {
                values.extend(expand_fields(sh, cluster, w, &mut captured));
            }
            let mut code = 0;
            sh.loop_depth += 1;
            for value in values {
                sh.set_var(var, &value);
                code = run_script(sh, cluster, body, None, &mut captured);
                if sh.budget == 0 || sh.expansion_failed || sh.exiting || take_break(sh) {
                    break;
                }
            }
            sh.loop_depth -= 1;
            code
        }
        (None, Command::Group { body, subshell, .. }) => {
            // A subshell is a copy of the shell: what it changes dies with it.
            let saved = subshell.then(|| (sh.vars.clone(), sh.cwd.clone(), sh.aliases.clone()));
            let saved_stdin = std::mem::replace(&mut sh.loop_stdin, input.clone());
            let code = run_script(sh, cluster, body, None, &mut captured);
            sh.loop_stdin = saved_stdin;
            if let Some((vars, cwd, aliases)) = saved {
                sh.vars = vars;
                sh.cwd = cwd;
                sh.aliases = aliases;
            }
            code
        }
        (None, Command::If { branches, otherwise, .. }) => {
            let mut code = 0;
            let mut matched = false;
            for (cond, body) in branches {
                if run_script(sh, cluster, cond, None, &mut captured) == 0 {
                    code = run_script(sh, cluster, body, None, &mut captured);
                    matched = true;
                    break;
                }
                if sh.budget == 0 || sh.expansion_failed {
                    matched = true;
                    break;
                }
            }
            if !matched {
                if let Some(o) = otherwise {
                    code = run_script(sh, cluster, o, None, &mut captured);
                }
            }
            code
        }
        (None, Command::While { cond, body, until, .. }) => {
            // The loop's stdin (`done < file`, `cmd | while read x`) is shared by
            // every `read` in it, line after line.
            let saved_stdin = std::mem::replace(&mut sh.loop_stdin, input.clone());
            let mut code = 0;
            sh.loop_depth += 1;
            loop {
                let status = run_script(sh, cluster, cond, None, &mut captured);
                if (status == 0) == *until || sh.budget == 0 || sh.expansion_failed {
                    break;
                }
                code = run_script(sh, cluster, body, None, &mut captured);
                if sh.budget == 0 || sh.expansion_failed || sh.exiting || take_break(sh) || captured.display.len() > OUTPUT_LIMIT {
                    break;
                }
            }
            sh.loop_depth -= 1;
            sh.loop_stdin = saved_stdin;
            code
        }
        _ => 0,
    };
    cap_output(&mut captured);
    route(sh, cluster, &fds, &captured, pipe, out);
    code
}

enum Prepared {
    AssignOnly(i32),
    Run { argv: Vec<String>, env: Vec<(String, String)> },
    Compound,
}

fn prepare_simple(sh: &mut Shell, cluster: &mut Cluster, simple: &SimpleCommand, out: &mut Output) -> Prepared {
    let words = expand_aliases(sh, &simple.words);
    let status_before = sh.last_exit_code;
    let mut substituted = false;
    let mut assigned = Vec::new();
    for (name, value) in &simple.assignments {
        substituted |= has_substitution(value);
        let v = expand_string(sh, cluster, value, out);
        assigned.push((name.clone(), v));
    }
    let declaration = matches!(words.first().and_then(literal_text).as_deref(), Some("export" | "local" | "declare" | "readonly"));
    let mut argv = Vec::new();
    for (i, word) in words.iter().enumerate() {
        substituted |= has_substitution(word);
        if declaration && i > 0 && looks_like_assignment(word) {
            // bash does not split `export X=$(...)`: the declaration builtins take
            // assignment words whole.
            argv.push(expand_string(sh, cluster, word, out));
        } else {
            argv.extend(expand_fields(sh, cluster, word, out));
        }
    }
    if argv.is_empty() {
        for (name, value) in assigned {
            sh.set_var(&name, &value);
        }
        // A line of only assignments takes the status of its last substitution.
        let code = if substituted { sh.last_exit_code } else { 0 };
        let _ = status_before;
        return Prepared::AssignOnly(code);
    }
    Prepared::Run { argv, env: assigned }
}

fn has_substitution(word: &Word) -> bool {
    word.parts.iter().any(|p| matches!(p, Part::CommandSub { .. }))
}

fn literal_text(word: &Word) -> Option<String> {
    match word.parts.as_slice() {
        [Part::Literal(s)] => Some(s.clone()),
        _ => None,
    }
}

fn looks_like_assignment(word: &Word) -> bool {
    matches!(word.parts.first(), Some(Part::Literal(s)) if s.split_once('=').is_some_and(|(n, _)| parse::is_name(n)))
}

/// bash replaces the first word by its alias (repeatedly, but never the same alias
/// twice, which is how `alias ls='ls --color'` does not loop).
fn expand_aliases(sh: &Shell, words: &[Word]) -> Vec<Word> {
    let mut words = words.to_vec();
    let mut seen: Vec<String> = Vec::new();
    while let Some(name) = words.first().and_then(literal_text) {
        if seen.contains(&name) || seen.len() > 16 {
            break;
        }
        let Some(value) = sh.aliases.get(&name) else { break };
        let Ok(script) = parse::parse(value) else { break };
        let Some(ListItem { and_or, .. }) = script.items.first() else { break };
        let Some(Command::Simple(c)) = and_or.first.commands.first() else { break };
        if script.items.len() != 1 || !and_or.rest.is_empty() || and_or.first.commands.len() != 1 {
            break;
        }
        seen.push(name);
        let mut replaced = c.words.clone();
        replaced.extend(words.into_iter().skip(1));
        words = replaced;
    }
    words
}

/// The index in `[stdout, stderr]` a redirection's file descriptor names.
fn fd_slot(fd: u32) -> Option<usize> {
    match fd {
        1 => Some(0),
        2 => Some(1),
        _ => None,
    }
}

/// Applies redirections in order, as bash does (`>f 2>&1` differs from `2>&1 >f`).
fn open_redirects(sh: &mut Shell, cluster: &mut Cluster, redirects: &[parse::Redirect], fds: &mut [Sink; 2], input: &mut Option<String>, out: &mut Output) -> Result<(), i32> {
    let now = cluster.clock.now();
    for r in redirects {
        let slot = fd_slot(r.fd);
        match &r.kind {
            RedirectKind::Output(word) | RedirectKind::Append(word) | RedirectKind::Both { target: word, .. } => {
                let append = matches!(r.kind, RedirectKind::Append(_) | RedirectKind::Both { append: true, .. });
                let target = redirect_target(sh, cluster, word, out)?;
                let path = Vfs::resolve(&sh.cwd, &target);
                if let Err(e) = sh.vfs.write(&path, "", append, now) {
                    out.err(&format!("bash: {target}: {}\n", e.message()));
                    return Err(1);
                }
                let sink = if path == "/dev/null" { Sink::Null } else { Sink::File(path) };
                if let RedirectKind::Both { .. } = r.kind {
                    fds[0] = sink.clone();
                    fds[1] = sink;
                } else if let Some(i) = slot {
                    fds[i] = sink;
                }
            }
            RedirectKind::Input(word) => {
                let target = redirect_target(sh, cluster, word, out)?;
                match sh.read_file(&target) {
                    Ok(text) if r.fd == 0 => *input = Some(text),
                    Ok(_) => {}
                    Err(e) => {
                        out.err(&format!("bash: {target}: {}\n", e.message()));
                        return Err(1);
                    }
                }
            }
            RedirectKind::Duplicate(target) => {
                let from = match target {
                    1 => Some(fds[0].clone()),
                    2 => Some(fds[1].clone()),
                    0 => None,
                    n => {
                        out.err(&format!("bash: {n}: Bad file descriptor\n"));
                        return Err(1);
                    }
                };
                if let (Some(i), Some(sink)) = (slot, from) {
                    fds[i] = sink;
                }
            }
            RedirectKind::Close => {
                if let Some(i) = slot {
                    fds[i] = Sink::Null;
                }
            }
            RedirectKind::HereDoc { body, expand } => {
                let text = if *expand { expand_string(sh, cluster, &parse::parse_heredoc_body(body), out) } else { body.clone() };
                if r.fd == 0 {
                    *input = Some(text);
                }
            }
            RedirectKind::HereString(word) => {
                let text = expand_string(sh, cluster, word, out);
                if r.fd == 0 {
                    *input = Some(format!("{text}\n"));
                }
            }
        }
    }
    Ok(())
}

/// A redirection target expands to exactly one word, or bash says "ambiguous redirect".
fn redirect_target(sh: &mut Shell, cluster: &mut Cluster, word: &Word, out: &mut Output) -> Result<String, i32> {
    let fields = expand_fields(sh, cluster, word, out);
    match fields.as_slice() {
        [one] if !one.is_empty() => Ok(one.clone()),
        [_] => {
            out.err("bash: : No such file or directory\n");
            Err(1)
        }
        _ => {
            out.err(&format!("bash: {}: ambiguous redirect\n", raw_text(word)));
            Err(1)
        }
    }
}

/// A word written back roughly as typed, for messages.
fn raw_text(word: &Word) -> String {
    word.parts
        .iter()
        .map(|p| match p {
            Part::Literal(s) | Part::Quoted(s) => s.clone(),
            Part::Param { name, .. } => format!("${name}"),
            Part::CommandSub { .. } => "$(...)".to_string(),
            Part::ProcessSub { .. } => "<(...)".to_string(),
            Part::Arith { .. } => "$((...))".to_string(),
        })
        .collect()
}

/// Cuts a runaway command's output at [`OUTPUT_LIMIT`] bytes.
fn cap_output(captured: &mut Output) {
    if captured.display.len() <= OUTPUT_LIMIT && captured.stdout.len() <= OUTPUT_LIMIT {
        return;
    }
    let cut = |s: &mut String| {
        if s.len() > OUTPUT_LIMIT {
            let mut end = OUTPUT_LIMIT;
            while !s.is_char_boundary(end) {
                end -= 1;
            }
            s.truncate(end);
        }
    };
    cut(&mut captured.stdout);
    cut(&mut captured.display);
    cut(&mut captured.stderr);
    captured.err("\nkubesim: output cut at 1 MiB\n");
}

/// Sends a finished command's output where its descriptors point.
fn route(sh: &mut Shell, cluster: &Cluster, fds: &[Sink; 2], captured: &Output, mut pipe: Option<&mut String>, out: &mut Output) {
    let now = cluster.clock.now();
    let piped = pipe.is_some();
    let mut write = |sink: &Sink, text: &str, is_err: bool, out: &mut Output| {
        if text.is_empty() {
            return;
        }
        match sink {
            Sink::Stdout => match pipe.as_deref_mut() {
                Some(p) => p.push_str(text),
                None => out.out(text),
            },
            Sink::Stderr => out.err(text),
            Sink::Null => {}
            Sink::File(path) => {
                if let Err(e) = sh.vfs.write(path, text, true, now) {
                    let _ = is_err;
                    out.err(&format!("bash: write error: {}\n", e.message()));
                }
            }
        }
    };
    let to_terminal = fds[0] == Sink::Stdout && fds[1] == Sink::Stderr && !piped;
    if fds[0] == fds[1] {
        write(&fds[0], &captured.display, false, out);
    } else if to_terminal {
        // Both to the terminal: keep the interleaving the program produced.
        out.stdout.push_str(&captured.stdout);
        out.stderr.push_str(&captured.stderr);
        out.display.push_str(&captured.display);
    } else {
        write(&fds[0], &captured.stdout, false, out);
        write(&fds[1], &captured.stderr, true, out);
    }
}

/// Expands a word into fields: parameters and substitutions, splitting of unquoted
/// results on blanks, `~` at the start, and globbing of unquoted `*`, `?`, `[`.
pub(super) fn expand_fields(sh: &mut Shell, cluster: &mut Cluster, word: &Word, out: &mut Output) -> Vec<String> {
    let variants = brace_expand(word);
    if variants.len() > 1 {
        let mut all = Vec::new();
        for v in &variants {
            all.extend(expand_word_fields(sh, cluster, v, out));
        }
        return all;
    }
    expand_word_fields(sh, cluster, word, out)
}

/// Brace expansion, bash's first expansion: `a{b,c}` is `ab ac` and `{1..3}` is
/// `1 2 3`, within one unquoted piece of a word. Bounded to a thousand words.
fn brace_expand(word: &Word) -> Vec<Word> {
    let mut done = Vec::new();
    let mut todo = vec![word.clone()];
    while let Some(w) = todo.pop() {
        if done.len() + todo.len() > 1000 {
            done.push(w);
            continue;
        }
        let found = w.parts.iter().enumerate().find_map(|(i, p)| match p {
            Part::Literal(s) => brace_alternatives(s).map(|alts| (i, alts)),
            _ => None,
        });
        match found {
            Some((i, alternatives)) => {
                for alt in alternatives.into_iter().rev() {
                    let mut next = w.clone();
                    next.parts[i] = Part::Literal(alt);
                    todo.push(next);
                }
            }
            None => done.push(w),
        }
    }
    done
}

/// The first `{x,y}` or `{1..5}` in a literal, expanded (prefix and suffix kept).
fn brace_alternatives(s: &str) -> Option<Vec<String>> {
    let bytes = s.as_bytes();
    for (open, _) in s.match_indices('{') {
        let mut depth = 0;
        let mut close = None;
        for (j, &b) in bytes.iter().enumerate().skip(open) {
            match b {
                b'{' => depth += 1,
                b'}' => {
                    depth -= 1;
                    if depth == 0 {
                        close = Some(j);
                        break;
                    }
                }
                _ => {}
            }
        }
        let Some(close) = close else { continue };
        let inner = &s[open + 1..close];
        let (prefix, suffix) = (&s[..open], &s[close + 1..]);
        // Top-level commas split the alternatives.
        let mut alts = Vec::new();
        let mut level = 0;
        let mut start = 0;
        for (j, c) in inner.char_indices() {
            match c {
                '{' => level += 1,
                '}' => level -= 1,
                ',' if level == 0 => {
                    alts.push(&inner[start..j]);
                    start = j + 1;
                }
                _ => {}
            }
        }
        alts.push(&inner[start..]);
        if alts.len() > 1 {
            return Some(alts.iter().map(|a| format!("{prefix}{a}{suffix}")).collect());
        }
        if let Some((a, b)) = inner.split_once("..") {
            if let (Ok(a), Ok(b)) = (a.parse::<i64>(), b.parse::<i64>()) {
                if (a - b).abs() <= 1000 {
                    let range: Vec<i64> = if a <= b { (a..=b).collect() } else { (b..=a).rev().collect() };
                    return Some(range.iter().map(|n| format!("{prefix}{n}{suffix}")).collect());
                }
            }
            let (ca, cb) = (a.chars().next(), b.chars().next());
            if let (Some(ca), Some(cb), 1, 1) = (ca, cb, a.chars().count(), b.chars().count()) {
                if ca.is_ascii_alphabetic() && cb.is_ascii_alphabetic() {
                    let range: Vec<char> = if ca <= cb { (ca..=cb).collect() } else { (cb..=ca).rev().collect() };
                    return Some(range.iter().map(|c| format!("{prefix}{c}{suffix}")).collect());
                }
            }
        }
    }
    None
}

fn expand_word_fields(sh: &mut Shell, cluster: &mut Cluster, word: &Word, out: &mut Output) -> Vec<String> {
    let mut fields: Vec<(String, bool)> = Vec::new();
    let mut cur = String::new();
    let mut started = false;
    let mut glob = false;
    for (i, part) in word.parts.iter().enumerate() {
        match part {
            Part::Literal(s) => {
                let s = if i == 0 { tilde(s) } else { s.clone() };
                glob |= s.contains(['*', '?', '[']);
                cur.push_str(&s);
                started = true;
            }
            Part::Quoted(s) => {
                cur.push_str(s);
                started = true;
            }
            Part::Param { quoted: true, .. } | Part::CommandSub { quoted: true, .. } | Part::ProcessSub { .. } | Part::Arith { .. } => {
                let value = expand_part(sh, cluster, part, out);
                cur.push_str(&value);
                started = true;
            }
            Part::Param { .. } | Part::CommandSub { .. } => {
                let value = expand_part(sh, cluster, part, out);
                let is_blank = |c: char| c == ' ' || c == '\t' || c == '\n';
                let pieces: Vec<&str> = value.split(is_blank).filter(|p| !p.is_empty()).collect();
                if value.starts_with(is_blank) && started && !cur.is_empty() {
                    fields.push((std::mem::take(&mut cur), glob));
                    glob = false;
                    started = false;
                }
                for (j, piece) in pieces.iter().enumerate() {
                    if j > 0 {
                        fields.push((std::mem::take(&mut cur), glob));
                        glob = false;
                    }
                    cur.push_str(piece);
                    glob |= piece.contains(['*', '?']);
                    started = true;
                }
                if value.ends_with(is_blank) && !pieces.is_empty() {
                    fields.push((std::mem::take(&mut cur), glob));
                    glob = false;
                    started = false;
                }
            }
        }
    }
    if started {
        fields.push((cur, glob));
    }
    let mut result = Vec::new();
    for (field, glob) in fields {
        if glob {
            let matches = glob_paths(sh, &field);
            if !matches.is_empty() {
                result.extend(matches);
                continue;
            }
        }
        result.push(field);
    }
    result
}

/// Expands a word into one string: no splitting, no globbing (assignments,
/// here-documents, `[[`-less contexts).
pub(super) fn expand_string(sh: &mut Shell, cluster: &mut Cluster, word: &Word, out: &mut Output) -> String {
    let mut s = String::new();
    for (i, part) in word.parts.iter().enumerate() {
        match part {
            Part::Literal(l) if i == 0 => s.push_str(&tilde(l)),
            Part::Literal(l) | Part::Quoted(l) => s.push_str(l),
            _ => s.push_str(&expand_part(sh, cluster, part, out)),
        }
    }
    s
}

fn tilde(s: &str) -> String {
    if s == "~" {
        HOME.to_string()
    } else if let Some(rest) = s.strip_prefix("~/") {
        format!("{HOME}/{rest}")
    } else {
        s.to_string()
    }
}

fn expand_part(sh: &mut Shell, cluster: &mut Cluster, part: &Part, out: &mut Output) -> String {
    match part {
        Part::Literal(s) | Part::Quoted(s) => s.clone(),
        Part::Param { name, op, .. } => {
            // $RANDOM draws from the simulator's one seeded generator, so a replay
            // prints the same numbers.
            let value = if name == "RANDOM" { Some(cluster.rng.below(32768).to_string()) } else { param_value(sh, name) };
            match op {
                ParamOp::Plain => value.unwrap_or_default(),
                ParamOp::Length => value.unwrap_or_default().chars().count().to_string(),
                ParamOp::Default { word, colon } => match value {
                    Some(v) if !(*colon && v.is_empty()) => v,
                    _ => expand_string(sh, cluster, word, out),
                },
                ParamOp::Assign { word, colon } => match value {
                    Some(v) if !(*colon && v.is_empty()) => v,
                    _ => {
                        let v = expand_string(sh, cluster, word, out);
                        sh.set_var(name, &v);
                        v
                    }
                },
                ParamOp::Alternative { word, colon } => match value {
                    Some(v) if !(*colon && v.is_empty()) => expand_string(sh, cluster, word, out),
                    _ => String::new(),
                },
                ParamOp::RemovePrefix { pattern, longest } => {
                    let v = value.unwrap_or_default();
                    let p = expand_string(sh, cluster, pattern, out);
                    let mut cuts: Vec<usize> = v.char_indices().map(|(i, _)| i).chain([v.len()]).collect();
                    if *longest {
                        cuts.reverse();
                    }
                    match cuts.into_iter().find(|&i| glob_match(&p, &v[..i])) {
                        Some(i) => v[i..].to_string(),
                        None => v,
                    }
                }
                ParamOp::RemoveSuffix { pattern, longest } => {
                    let v = value.unwrap_or_default();
                    let p = expand_string(sh, cluster, pattern, out);
                    let mut cuts: Vec<usize> = v.char_indices().map(|(i, _)| i).chain([v.len()]).collect();
                    if !*longest {
                        cuts.reverse();
                    }
                    match cuts.into_iter().find(|&i| glob_match(&p, &v[i..])) {
                        Some(i) => v[..i].to_string(),
                        None => v,
                    }
                }
                ParamOp::Replace { pattern, replacement, all } => {
                    let v = value.unwrap_or_default();
                    let p = expand_string(sh, cluster, pattern, out);
                    let r = expand_string(sh, cluster, replacement, out);
                    replace_glob(&v, &p, &r, *all)
                }
                ParamOp::Substring { offset, length } => {
                    let chars: Vec<char> = value.unwrap_or_default().chars().collect();
                    let n = chars.len() as i64;
                    let start = if *offset < 0 { (n + offset).max(0) } else { (*offset).min(n) };
                    let end = match length {
                        Some(l) if *l < 0 => (n + l).max(start),
                        Some(l) => (start + l).min(n),
                        None => n,
                    };
                    chars[start as usize..end.max(start) as usize].iter().collect()
                }
            }
        }
        Part::Arith { expr } => {
            let text = expand_string(sh, cluster, expr, out);
            let vars = |name: &str| sh.var(name).map(str::to_string);
            match super::arith::eval(&text, &vars) {
                Ok(n) => n.to_string(),
                Err(msg) => {
                    out.err(&format!("bash: {}: {msg}\n", text.trim()));
                    sh.expansion_failed = true;
                    String::new()
                }
            }
        }
        Part::ProcessSub { script } => {
            // bash hands the command a pipe named /dev/fd/63 (then 62, ...); kubesim
            // runs the inner command first and keeps its output under that name.
            let mut sub = Output::default();
            sh.capturing += 1;
            run_script(sh, cluster, script, None, &mut sub);
            sh.capturing -= 1;
            out.err(&sub.stderr);
            let fd = 63usize.saturating_sub(sh.process_subs.len());
            sh.process_subs.push(sub.stdout);
            format!("/dev/fd/{fd}")
        }
        Part::CommandSub { script, .. } => {
            let mut sub = Output::default();
            sh.capturing += 1;
            let code = run_script(sh, cluster, script, None, &mut sub);
            sh.capturing -= 1;
            sh.last_exit_code = code;
            out.err(&sub.stderr);
            let mut value = sub.stdout;
            while value.ends_with('\n') {
                value.pop();
            }
            value
        }
    }
}

fn param_value(sh: &Shell, name: &str) -> Option<String> {
    match name {
        "?" => Some(sh.last_exit_code.to_string()),
        "$" => Some("1042".to_string()),
        "#" => Some("0".to_string()),
        "0" => Some("bash".to_string()),
        "!" => sh.jobs.last().map(|j| j.pid.to_string()),
        "-" => Some(if sh.job_control { "himBHs" } else { "hBc" }.to_string()),
        "@" | "*" => Some(String::new()),
        "PWD" => Some(sh.cwd.clone()),
        n if n.chars().all(|c| c.is_ascii_digit()) => None,
        n => sh.var(n).map(str::to_string),
    }
}

/// Globbing against the virtual filesystem, one path component at a time. Names
/// starting with `.` match only a pattern starting with `.`, as in bash.
fn glob_paths(sh: &Shell, pattern: &str) -> Vec<String> {
    let absolute = pattern.starts_with('/');
    let components: Vec<&str> = pattern.split('/').filter(|c| !c.is_empty()).collect();
    let mut current: Vec<(String, String)> = vec![(if absolute { "/".to_string() } else { sh.cwd.clone() }, if absolute { "/".to_string() } else { String::new() })];
    for (i, comp) in components.iter().enumerate() {
        let last = i + 1 == components.len();
        let mut next = Vec::new();
        for (dir, shown) in &current {
            let join = |name: &str| -> (String, String) {
                let real = if dir == "/" { format!("/{name}") } else { format!("{dir}/{name}") };
                let shown = if shown.is_empty() || shown.ends_with('/') { format!("{shown}{name}") } else { format!("{shown}/{name}") };
                (real, shown)
            };
            if !comp.contains(['*', '?', '[']) {
                let (real, shown) = join(comp);
                if sh.vfs.exists(&real) {
                    next.push((real, shown));
                }
                continue;
            }
            let Ok(names) = sh.vfs.list(dir) else { continue };
            for name in names {
                if name.starts_with('.') && !comp.starts_with('.') {
                    continue;
                }
                if glob_match(comp, &name) {
                    let (real, shown) = join(&name);
                    if last || sh.vfs.is_dir(&real) {
                        next.push((real, shown));
                    }
                }
            }
        }
        current = next;
        if current.len() > 10_000 {
            break;
        }
    }
    let mut result: Vec<String> = current.into_iter().map(|(_, shown)| shown).collect();
    crate::sort::sort(&mut result);
    if components.is_empty() {
        result.clear();
    }
    result
}

/// `${V/pattern/string}`: the longest match at the first (or every) position.
fn replace_glob(value: &str, pattern: &str, replacement: &str, all: bool) -> String {
    if pattern.is_empty() || value.len() > 4096 {
        return value.to_string();
    }
    let bounds: Vec<usize> = value.char_indices().map(|(i, _)| i).chain([value.len()]).collect();
    let mut out = String::new();
    let mut k = 0;
    let mut replaced = false;
    while k < bounds.len() - 1 {
        let start = bounds[k];
        let found = if replaced && !all { None } else { (k + 1..bounds.len()).rev().find(|&e| glob_match(pattern, &value[start..bounds[e]])) };
        match found {
            Some(e) => {
                out.push_str(replacement);
                k = e;
                replaced = true;
            }
            None => {
                out.push_str(&value[start..bounds[k + 1]]);
                k += 1;
            }
        }
    }
    out
}

/// Matches a glob pattern (`*`, `?`, `[abc]`, `[a-z]`, `[!x]`) against a name.
pub(crate) fn glob_match(pattern: &str, name: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    // Iterative matcher with one backtrack point for the last `*`: linear-ish work.
    let (mut pi, mut ni) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ni < n.len() {
        if pi < p.len() {
            match p[pi] {
                '*' => {
                    star = Some((pi, ni));
                    pi += 1;
                    continue;
                }
                '?' => {
                    pi += 1;
                    ni += 1;
                    continue;
                }
                '[' => {
                    if let Some((matched, len)) = class_match(&p[pi..], n[ni]) {
                        if matched {
                            pi += len;
                            ni += 1;
                            continue;
                        }
                    } else if n[ni] == '[' {
                        pi += 1;
                        ni += 1;
                        continue;
                    }
                }
                c if c == n[ni] => {
                    pi += 1;
                    ni += 1;
                    continue;
                }
                _ => {}
            }
        }
        match star {
            Some((sp, sn)) => {
                pi = sp + 1;
                ni = sn + 1;
                star = Some((sp, sn + 1));
            }
            None => return false,
        }
    }
    while pi < p.len() && p[pi] == '*' {
        pi += 1;
    }
    pi == p.len()
}

/// A bracket expression at the start of `p`: whether `c` matches, and its length.
fn class_match(p: &[char], c: char) -> Option<(bool, usize)> {
    let mut i = 1;
    let negate = matches!(p.get(1), Some('!' | '^'));
    if negate {
        i += 1;
    }
    let mut matched = false;
    let mut first = true;
    while i < p.len() {
        if p[i] == ']' && !first {
            return Some((matched != negate, i + 1));
        }
        first = false;
        if p.get(i + 1) == Some(&'-') && p.get(i + 2).is_some_and(|&e| e != ']') {
            let (lo, hi) = (p[i], p[i + 2]);
            if lo <= c && c <= hi {
                matched = true;
            }
            i += 3;
        } else {
            if p[i] == c {
                matched = true;
            }
            i += 1;
        }
    }
    None
}

/// Long-running commands: sent to the background they keep running as a job.
fn runs_until_stopped(argv: &[String]) -> bool {
    let Some(first) = argv.first() else { return false };
    let streaming_flag = argv.iter().any(|a| a == "-w" || a == "--watch" || a == "-f" || a == "--follow");
    match first.as_str() {
        "kubectl" | "k" => matches!(argv.get(1).map(String::as_str), Some("port-forward" | "proxy")) || streaming_flag,
        "watch" => true,
        "tail" => streaming_flag,
        _ => false,
    }
}

/// `cmd &`: bash prints `[1] PID` and runs the command alongside. kubesim runs it
/// to completion now (its output appears, as a background job's would) and keeps a
/// job entry while it would still be running.
fn start_background(sh: &mut Shell, cluster: &mut Cluster, item: &ListItem, out: &mut Output) -> i32 {
    let id = sh.jobs.iter().map(|j| j.id).max().unwrap_or(0) + 1;
    let pid = sh.allocate_pid();
    if sh.job_control {
        out.err(&format!("[{id}] {pid}\n"));
    }
    let first_words: Vec<String> = match item.and_or.first.commands.first() {
        Some(Command::Simple(c)) => expand_aliases(sh, &c.words).iter().filter_map(literal_text).collect(),
        _ => Vec::new(),
    };
    let state = if first_words.first().map(String::as_str) == Some("sleep") {
        let seconds = first_words.get(1).and_then(|s| programs::parse_duration(s)).unwrap_or(0.0);
        JobState::Running { until: Some(cluster.clock.now() + Duration::milliseconds((seconds * 1000.0) as i64)) }
    } else if runs_until_stopped(&first_words) {
        // Run it for its first output (port-forward's "Forwarding from ..."): in batch
        // mode streaming programs return after their first screen.
        let interactive = sh.interactive_terminal;
        sh.interactive_terminal = false;
        let forwards_before = cluster.network.port_forwards.len();
        let code = run_and_or(sh, cluster, &item.and_or, None, out);
        sh.interactive_terminal = interactive;
        sh.foreground = None;
        // A port-forward keeps writing after its first screen ("Handling connection
        // for ..."): where its redirections sent that first screen.
        if let Some(Command::Simple(c)) = item.and_or.first.commands.first() {
            if let Some(output) = background_output(sh, &c.redirects, pid) {
                for forward in cluster.network.port_forwards.iter_mut().skip(forwards_before) {
                    forward.output = Some(output.clone());
                }
            }
        }
        if code == 0 {
            JobState::Running { until: None }
        } else {
            JobState::Done(code)
        }
    } else {
        JobState::Done(run_and_or(sh, cluster, &item.and_or, None, out))
    };
    sh.jobs.push(Job { id, pid, command: item.text.clone(), state });
    0
}

/// Where a background command's stdout and stderr go, when its redirections send
/// them away from the terminal (literal targets only; `None` keeps the terminal).
fn background_output(sh: &Shell, redirects: &[parse::Redirect], pid: u32) -> Option<crate::network::ForwardOutput> {
    let mut fds = [Sink::Stdout, Sink::Stderr];
    for r in redirects {
        let slot = fd_slot(r.fd);
        match &r.kind {
            RedirectKind::Output(word) | RedirectKind::Append(word) | RedirectKind::Both { target: word, .. } => {
                let path = Vfs::resolve(&sh.cwd, &literal_text(word)?);
                let sink = if path == "/dev/null" { Sink::Null } else { Sink::File(path) };
                if let RedirectKind::Both { .. } = r.kind {
                    fds = [sink.clone(), sink];
                } else if let Some(i) = slot {
                    fds[i] = sink;
                }
            }
            RedirectKind::Duplicate(target) => {
                let from = match target {
                    1 => fds[0].clone(),
                    2 => fds[1].clone(),
                    _ => continue,
                };
                if let Some(i) = slot {
                    fds[i] = from;
                }
            }
            RedirectKind::Close => {
                if let Some(i) = slot {
                    fds[i] = Sink::Null;
                }
            }
            _ => {}
        }
    }
    if fds == [Sink::Stdout, Sink::Stderr] {
        return None;
    }
    let file = |sink: &Sink| match sink {
        Sink::File(path) => Some(path.clone()),
        _ => None,
    };
    Some(crate::network::ForwardOutput { stdout: file(&fds[0]), stderr: file(&fds[1]), pid })
}

/// What background port-forwards did while the last command ran: their lines are
/// appended to their files, and a kubectl that lost its connection ends its job with
/// status 1, as the real one exits.
fn settle_port_forwards(sh: &mut Shell, cluster: &mut Cluster) {
    let now = cluster.clock.now();
    for (path, text) in std::mem::take(&mut cluster.network.forward_writes) {
        // A file the learner removed meanwhile: the real process writes to the
        // unlinked file, which is lost too.
        let _ = sh.vfs.write(&path, &text, true, now);
    }
    for port in std::mem::take(&mut cluster.network.forwards_lost) {
        for job in sh.jobs.iter_mut().filter(|j| matches!(j.state, JobState::Running { .. })) {
            let words: Vec<String> = job.command.split_whitespace().map(str::to_string).collect();
            if crate::kubectl::port_forward::local_ports(words.get(1..).unwrap_or_default()).contains(&port) {
                job.state = JobState::Done(1);
            }
        }
    }
}

/// `jobs`, `fg` and `kill` work on the job table.
pub(super) fn jobs_builtin(sh: &mut Shell, argv: &[String], out: &mut Output) -> i32 {
    let last = sh.jobs.iter().map(|j| j.id).max();
    match argv.first().map(String::as_str) {
        Some("jobs") => {
            for job in &sh.jobs {
                let status = match job.state {
                    JobState::Running { .. } => "Running".to_string(),
                    JobState::Done(0) => "Done".to_string(),
                    JobState::Done(c) => format!("Exit {c}"),
                };
                let running = matches!(job.state, JobState::Running { .. });
                out.out(&job_line(job, last, &status, running));
            }
            0
        }
        Some(name @ ("fg" | "bg")) => {
            let spec = argv.get(1).map(String::as_str).unwrap_or("%+");
            let Some(index) = find_job(sh, spec) else {
                let shown = if argv.len() > 1 { spec } else { "current" };
                out.err(&format!("bash: {name}: {shown}: no such job\n"));
                return 1;
            };
            let job = sh.jobs[index].clone();
            if name == "bg" {
                out.err(&format!("bash: bg: job {} already in background\n", job.id));
                return 0;
            }
            out.out(&format!("{}\n", job.command));
            if sh.interactive_terminal {
                sh.foreground = Some(Foreground::Resumed { job });
            } else {
                // Batch mode: the job runs until the script's bounded wait ends.
                sh.jobs.remove(index);
            }
            0
        }
        Some("kill") => {
            let mut code = 0;
            // Signals (`-9`, `-s TERM`, `-KILL`) do not matter: every job just ends.
            let mut targets: Vec<&String> = Vec::new();
            let mut args = argv.iter().skip(1);
            while let Some(a) = args.next() {
                if a == "-s" || a == "-n" {
                    args.next();
                } else if !a.starts_with('-') || a == "-" {
                    targets.push(a);
                }
            }
            if targets.is_empty() {
                out.err("kill: usage: kill [-s sigspec | -n signum | -sigspec] pid | jobspec ... or kill -l [sigspec]\n");
                return 2;
            }
            for target in targets {
                let index = if target.starts_with('%') {
                    find_job(sh, target)
                } else if let Ok(pid) = target.parse::<u32>() {
                    match sh.jobs.iter().position(|j| j.pid == pid) {
                        Some(i) => Some(i),
                        None => {
                            out.err(&format!("bash: kill: ({pid}) - No such process\n"));
                            code = 1;
                            continue;
                        }
                    }
                } else {
                    out.err(&format!("bash: kill: {target}: arguments must be process or job IDs\n"));
                    code = 1;
                    continue;
                };
                match index {
                    Some(i) => {
                        let job = sh.jobs.remove(i);
                        if sh.job_control {
                            out.out(&job_line(&job, last, "Terminated", false));
                        }
                    }
                    None => {
                        out.err(&format!("bash: kill: {target}: no such job\n"));
                        code = 1;
                    }
                }
            }
            code
        }
        _ => 1,
    }
}

fn find_job(sh: &Shell, spec: &str) -> Option<usize> {
    let spec = spec.strip_prefix('%').unwrap_or(spec);
    match spec {
        "" | "+" | "%" => sh.jobs.len().checked_sub(1),
        "-" => sh.jobs.len().checked_sub(2),
        n => match n.parse::<usize>() {
            Ok(id) => sh.jobs.iter().position(|j| j.id == id),
            Err(_) => sh.jobs.iter().position(|j| j.command.starts_with(n)),
        },
    }
}

/// One screen of `watch`: procps' header line (`Every 2.0s: CMD` on the left,
/// `host: date` on the right of an 80-column screen), a blank line, the output.
pub(super) fn watch_screen(sh: &mut Shell, cluster: &mut Cluster, command: &str, interval: Duration, clear: bool, title: bool) -> String {
    let mut sub = Output::default();
    if let Ok(script) = parse::parse(command) {
        sh.budget = super::COMMAND_BUDGET;
        sh.budget_reported = false;
        run_script(sh, cluster, &script, None, &mut sub);
    }
    let secs = interval.num_milliseconds() as f64 / 1000.0;
    let left = format!("Every {secs:.1}s: {command}");
    let right = format!("kubesim: {}", cluster.clock.now().format("%a %b %e %H:%M:%S %Y"));
    let width = 80usize;
    let pad = width.saturating_sub(left.chars().count() + right.chars().count()).max(1);
    let mut screen = String::new();
    if clear {
        screen.push_str("\x1b[H\x1b[2J");
    }
    if title {
        screen.push_str(&format!("{left}{}{right}\n\n", " ".repeat(pad)));
    }
    screen.push_str(&sub.display);
    screen
}

/// Acts on what the editor asked for; returns true when the editor closed.
pub(super) fn apply_editor_effect(sh: &mut Shell, cluster: &mut Cluster, effect: EditorEffect, out: &mut Output) -> bool {
    match effect {
        EditorEffect::None => false,
        EditorEffect::Write { path, contents } => {
            let absolute = Vfs::resolve(&sh.cwd, &path);
            let now = cluster.clock.now();
            let result = sh.vfs.write(&absolute, &contents, false, now).map_err(|e| e.message().to_string());
            if let Some(session) = sh.editor.as_mut() {
                session.editor.wrote(&path, result);
            }
            false
        }
        EditorEffect::Exit { saved } => {
            let Some(session) = sh.editor.take() else { return true };
            // Leave the editor's screen: clear it, as nano does on exit.
            if sh.interactive_terminal {
                out.out("\x1b[H\x1b[2J");
            }
            match session.after {
                AfterEdit::Nothing => sh.last_exit_code = 0,
                AfterEdit::Call { data, then } => {
                    let edited = if saved { Some(session.editor.contents()) } else { None };
                    let code = then(cluster, &data, edited.as_deref(), out);
                    sh.last_exit_code = code;
                }
            }
            true
        }
    }
}

#[cfg(test)]
mod tests {
    use super::glob_match;

    #[test]
    fn globs_match_like_bash() {
        assert!(glob_match("*.yaml", "svc.yaml"));
        assert!(!glob_match("*.yaml", "svc.yml"));
        assert!(glob_match("a?c", "abc"));
        assert!(glob_match("[a-c]*", "bee"));
        assert!(!glob_match("[!a-c]*", "bee"));
        assert!(glob_match("*", ""));
        assert!(glob_match("**a*b*c", "xxaybzc"));
    }
}
