//! Transcripts: a terminal session written down. `$ COMMAND` starts an input,
//! `> ` lines continue it (heredocs, `\` continuations), and every other line up to
//! the next `$ ` is what the terminal displayed. While a shell inside a pod is open
//! (`kubectl exec -it POD -- sh`, `kubectl run -it ... -- sh`) inputs start with that
//! shell's prompt instead (`/ # wget -qO- web`, `root@web-...:/# hostname`), as on a
//! real terminal; replay knows which prompt to expect from the simulator's state. `kubesim run` writes this format
//! and the transcript tests read it back and compare.

use sim_core::{Output, Simulator};

/// One command of a transcript and the display recorded after it.
#[cfg(test)]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub input: String,
    pub expected: String,
}

#[cfg(test)]
/// Splits a transcript into entries. Text before the first `$ ` line (a header
/// comment, say) is ignored.
pub fn parse(text: &str) -> Vec<Entry> {
    let mut entries: Vec<Entry> = Vec::new();
    let mut in_input = false;
    for line in text.split_inclusive('\n') {
        let bare = line.strip_suffix('\n').unwrap_or(line);
        if let Some(command) = bare.strip_prefix("$ ").or_else(|| (bare == "$").then_some("")) {
            entries.push(Entry { input: command.to_string(), expected: String::new() });
            in_input = true;
        } else if let (true, Some(cont)) = (in_input, bare.strip_prefix("> ").or_else(|| (bare == ">").then_some(""))) {
            if let Some(e) = entries.last_mut() {
                e.input.push('\n');
                e.input.push_str(cont);
            }
        } else if let Some(e) = entries.last_mut() {
            in_input = false;
            e.expected.push_str(line);
        }
    }
    entries
}

/// What starts the next input line: `$ ` at the learner's shell, the pod shell's own
/// prompt while one is open.
pub fn input_marker(sim: &Simulator) -> String {
    if sim.shell.pod_session.is_some() {
        sim.prompt()
    } else {
        "$ ".to_string()
    }
}

/// The command on a transcript line that starts with `marker` (a bare prompt is an
/// empty input). A `$ ` line is always an input, so that a transcript whose pod
/// prompt no longer matches shows the difference instead of losing its rest.
fn strip_marker<'a>(line: &'a str, marker: &str) -> Option<&'a str> {
    line.strip_prefix(marker)
        .or_else(|| (line == marker.trim_end()).then_some(""))
        .or_else(|| line.strip_prefix("$ "))
        .or_else(|| (line == "$").then_some(""))
}

/// Renders one command after the input marker it was typed at.
pub fn render_entry_at(marker: &str, input: &str, output: &Output, out: &mut String) {
    for (i, line) in input.split('\n').enumerate() {
        out.push_str(if i == 0 { marker } else { "> " });
        out.push_str(line);
        out.push('\n');
    }
    out.push_str(&output.display);
    if !output.display.is_empty() && !output.display.ends_with('\n') {
        // A program that ends without a newline leaves the prompt on its last line;
        // the transcript keeps entries on their own lines.
        out.push('\n');
    }
}

/// Splits a script into inputs: each physical line is one input, except that an
/// input the shell reports as incomplete (open quote, heredoc body, trailing `\`)
/// takes the following lines too.
pub fn split_script(sim: &Simulator, script: &str) -> Vec<String> {
    let mut inputs = Vec::new();
    let mut pending: Option<String> = None;
    for line in script.lines() {
        let input = match pending.take() {
            Some(mut p) => {
                p.push('\n');
                p.push_str(line);
                p
            }
            None => line.to_string(),
        };
        if is_complete(sim, &input) {
            inputs.push(input);
        } else {
            pending = Some(input);
        }
    }
    if let Some(p) = pending {
        inputs.push(p);
    }
    inputs
}

fn is_complete(_sim: &Simulator, input: &str) -> bool {
    // The shell decides what a complete input is (open quotes, heredoc bodies, `\`).
    sim_core::shell::Shell::is_complete(input)
}

/// Runs inputs against a simulator, returning the transcript and the last exit code.
pub fn run_inputs(sim: &mut Simulator, inputs: &[String]) -> (String, i32) {
    let mut out = String::new();
    let mut code = 0;
    for input in inputs {
        let marker = input_marker(sim);
        let output = sim.run_line(input);
        code = output.exit_code;
        render_entry_at(&marker, input, &output, &mut out);
    }
    (out, code)
}

/// Replays a transcript against a fresh default simulator. Returns the transcript
/// as the simulator prints it (header kept) on any difference, as `Err` with a diff.
pub fn replay(text: &str) -> String {
    let header: String = text.split_inclusive('\n').take_while(|l| !l.starts_with("$ ") && *l != "$\n").collect();
    // Inputs are found as the session goes: which prompt starts the next one depends
    // on whether a pod's shell is open after the previous command.
    let lines: Vec<&str> = text.split_inclusive('\n').skip(header.split_inclusive('\n').count()).collect();
    let mut sim = Simulator::new(sim_core::ClusterConfig::default());
    let mut actual = String::new();
    let mut i = 0;
    while i < lines.len() {
        let marker = input_marker(&sim);
        let bare = lines[i].strip_suffix('\n').unwrap_or(lines[i]);
        i += 1;
        let Some(command) = strip_marker(bare, &marker) else { continue };
        let mut input = command.to_string();
        while let Some(cont) = lines.get(i).map(|l| l.strip_suffix('\n').unwrap_or(l)).and_then(|l| l.strip_prefix("> ").or_else(|| (l == ">").then_some(""))) {
            input.push('\n');
            input.push_str(cont);
            i += 1;
        }
        let output = sim.run_line(&input);
        render_entry_at(&marker, &input, &output, &mut actual);
        let next = input_marker(&sim);
        while lines.get(i).is_some_and(|l| strip_marker(l.strip_suffix('\n').unwrap_or(l), &next).is_none()) {
            i += 1;
        }
    }
    format!("{header}{actual}")
}

/// Replays a transcript and reports, line by line, where the output differs.
pub fn check(text: &str) -> Result<(), String> {
    let actual = replay(text);
    if actual == text {
        return Ok(());
    }
    let e: Vec<&str> = text.lines().collect();
    let a: Vec<&str> = actual.lines().collect();
    let mut out = String::new();
    for i in 0..e.len().max(a.len()) {
        match (e.get(i), a.get(i)) {
            (Some(x), Some(y)) if x == y => {}
            (x, y) => out.push_str(&format!("line {}:\n  - {:?}\n  + {:?}\n", i + 1, x, y)),
        }
    }
    Err(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_inputs_continuations_and_output() {
        let t = "header\n$ cat <<EOF\n> a\n> EOF\na\n$ true\n$ echo x\nx\n";
        let e = parse(t);
        assert_eq!(e.len(), 3);
        assert_eq!(e[0].input, "cat <<EOF\na\nEOF");
        assert_eq!(e[0].expected, "a\n");
        assert_eq!(e[1].expected, "");
        assert_eq!(e[2].input, "echo x");
    }
}
