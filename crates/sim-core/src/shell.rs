//! The learner's shell: splits a command line into words and hands them to a
//! program. For now it knows one program, `kubectl`; everything else is answered
//! honestly as not simulated (or, for names no system has, as bash's
//! "command not found").

use crate::cluster::Cluster;
use crate::kubectl;
use crate::simulator::Output;

/// Shell session state: what survives between lines.
#[derive(Clone, Debug, Default)]
pub struct Shell {
    pub history: Vec<String>,
    pub last_exit_code: i32,
}

/// Programs a Debian machine with kubectl has, which kubesim does not simulate yet.
/// Naming them keeps the answer honest: "not simulated" rather than "not found".
const KNOWN_PROGRAMS: &[&str] = &[
    "awk", "base64", "cat", "cd", "clear", "cp", "curl", "cut", "echo", "env", "export", "grep", "head", "helm",
    "history", "jq", "kind", "ls", "minikube", "mkdir", "mv", "nano", "nslookup", "printf", "pwd", "rm", "sed",
    "sleep", "sort", "tail", "tee", "touch", "tr", "uniq", "vi", "vim", "watch", "wc", "wget", "which",
];

impl Shell {
    pub fn new() -> Self {
        Shell::default()
    }

    pub fn prompt(&self) -> String {
        "learner@kubesim:~$ ".to_string()
    }

    pub fn run_line(&mut self, cluster: &mut Cluster, line: &str) -> Output {
        let mut output = Output::default();
        let trimmed = line.trim();
        if trimmed.is_empty() {
            output.exit_code = self.last_exit_code;
            return output;
        }
        self.history.push(trimmed.to_string());
        let words: Vec<String> = trimmed.split_whitespace().map(str::to_string).collect();
        let program = words.first().map(String::as_str).unwrap_or("");
        output.exit_code = match program {
            "kubectl" => kubectl::run(cluster, &words[1..], None, &mut output),
            "true" => 0,
            "false" => 1,
            p if KNOWN_PROGRAMS.contains(&p) => {
                output.err(&format!("kubesim: '{p}' is not simulated\n"));
                127
            }
            p => {
                output.err(&format!("bash: {p}: command not found\n"));
                127
            }
        };
        self.last_exit_code = output.exit_code;
        output
    }
}
