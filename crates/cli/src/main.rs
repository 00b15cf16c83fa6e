//! kubesim's native command line: the same simulator as the browser, for a normal
//! terminal, scripts and tests.
//!
//! - `kubesim shell`: an interactive session (for tmux and lesson authors).
//! - `kubesim run FILE|-`: runs the commands in FILE as one session and prints a
//!   transcript (`$ command`, then its output); exits with the last command's status.
//! - `kubesim check TRANSCRIPT...`: replays transcripts and reports any difference.
//! - `kubesim vectors DIR...`: runs the reference test vectors in those directories.
//! - `kubesim lesson check|new|show`: lesson authoring (see `lesson_cmd.rs`).
//! - `kubesim serve`: the cluster's API over HTTP for the real kubectl (see `serve/`).
//! - `kubesim differential DIR...`: our kubectl against the real one (`serve/differential.rs`).

mod lesson_cmd;
mod serve;
mod transcript;
mod vectors;

use std::io::{BufRead, IsTerminal, Read, Write};

use sim_core::{ClusterConfig, Simulator};

const USAGE: &str = "\
kubesim: a simulated Kubernetes cluster with kubectl and a shell

Usage:
  kubesim shell              interactive session
  kubesim run FILE|-         run commands from FILE (or stdin) and print a transcript
  kubesim check FILE...      replay transcripts and show where the output differs
  kubesim vectors [--known-deviations FILE] DIR...
                             run reference test vectors (JSON Lines) in DIRs
  kubesim lesson check|new|show   lesson authoring: run lessons' solutions, scaffold, show
  kubesim serve [--port N] [--lesson ID | --state FILE] [--kubeconfig-out PATH]
                             serve the cluster's API on 127.0.0.1 for the real kubectl
  kubesim differential DIR...  run DIR/*.txt through our kubectl and the real one; compare
  kubesim help               this text
";

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let code = match args.first().map(String::as_str) {
        Some("shell") => shell(),
        Some("run") => match args.get(1) {
            Some(path) if args.len() == 2 => run(path),
            _ => usage_error(),
        },
        Some("check") if args.len() > 1 => {
            let mut failed = 0;
            for path in &args[1..] {
                match std::fs::read_to_string(path) {
                    Ok(text) => match transcript::check(&text) {
                        Ok(()) => println!("{path}: ok"),
                        Err(diff) => {
                            failed += 1;
                            println!("{path}: differs\n{diff}");
                        }
                    },
                    Err(e) => {
                        failed += 1;
                        eprintln!("kubesim: {path}: {e}");
                    }
                }
            }
            if failed == 0 { 0 } else { 1 }
        }
        Some("lesson") => lesson_cmd::run(&args[1..]),
        Some("serve") => serve::main(&args[1..]),
        Some("differential") if args.len() > 1 => serve::differential::main(&args[1..]),
        Some("vectors") if args.len() > 1 => {
            let mut out = String::new();
            let mut dirs = &args[1..];
            let mut deviations = Vec::new();
            if dirs.first().map(String::as_str) == Some("--known-deviations") {
                match dirs.get(1).map(std::fs::read_to_string) {
                    Some(Ok(text)) => deviations = vectors::read_deviations(&text),
                    Some(Err(e)) => {
                        eprintln!("kubesim: --known-deviations: {e}");
                        std::process::exit(2);
                    }
                    None => return_usage(),
                }
                dirs = &dirs[2.min(dirs.len())..];
            }
            if dirs.is_empty() {
                return_usage();
            }
            let ok = vectors::run(dirs, &deviations, &mut out);
            print!("{out}");
            if ok { 0 } else { 1 }
        }
        Some("help" | "--help" | "-h") => {
            print!("{USAGE}");
            0
        }
        _ => usage_error(),
    };
    std::process::exit(code);
}

fn return_usage() -> ! {
    std::process::exit(usage_error());
}

fn usage_error() -> i32 {
    eprint!("{USAGE}");
    2
}

fn run(path: &str) -> i32 {
    let script = if path == "-" {
        let mut s = String::new();
        if let Err(e) = std::io::stdin().read_to_string(&mut s) {
            eprintln!("kubesim: cannot read stdin: {e}");
            return 2;
        }
        s
    } else {
        match std::fs::read_to_string(path) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("kubesim: {path}: {e}");
                return 2;
            }
        }
    };
    let mut sim = Simulator::new(ClusterConfig::default());
    let inputs = transcript::split_script(&sim, &script);
    let (text, code) = transcript::run_inputs(&mut sim, &inputs);
    print!("{text}");
    code
}

fn shell() -> i32 {
    let mut sim = Simulator::new(ClusterConfig::default());
    let stdin = std::io::stdin();
    let interactive = stdin.is_terminal();
    let mut stdout = std::io::stdout();
    let mut pending = String::new();
    loop {
        if interactive {
            let prompt = if pending.is_empty() { sim.prompt() } else { "> ".to_string() };
            print!("{prompt}");
            let _ = stdout.flush();
        }
        let mut line = String::new();
        match stdin.lock().read_line(&mut line) {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
        let line = line.trim_end_matches(['\n', '\r']);
        if !pending.is_empty() {
            pending.push('\n');
        }
        pending.push_str(line);
        if !sim_core::shell::Shell::is_complete(&pending) {
            continue;
        }
        let input = std::mem::take(&mut pending);
        let output = sim.run_line(&input);
        print!("{}", output.display);
        let _ = stdout.flush();
    }
    if interactive {
        println!();
    }
    sim.shell.last_exit_code
}
