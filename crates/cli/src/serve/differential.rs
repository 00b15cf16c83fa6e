//! `kubesim differential DIR...`: the differential test of sim-core's kubectl
//! against the real one.
//!
//! Each script (`DIR/*.txt`: one command per line, `#` comments, heredocs allowed)
//! runs twice from the same seed and starting state:
//! - through sim-core (`Simulator::run_line`), with `DIR/files/` copied into the
//!   learner's home first;
//! - through the real `kubectl` (run by `bash -c` in a copy of `DIR/files/`, with
//!   `KUBECONFIG` pointing at an in-process `kubesim serve --step-clock` on
//!   127.0.0.1), followed by `POST /kubesim/v1/step`.
//!
//! Clocks agree because the served clock is stepped exactly as `run_line` steps
//! its own: the controllers react after each command, then time moves by the
//! command step; waits (`delete --wait`, `rollout status`) let time run in the
//! same 500 ms steps on both sides. Real kubectl reads the wall clock in a few
//! places (describe's event ages, `rollout restart`): before such a command both
//! virtual clocks are moved to the next whole second of the wall clock, and the
//! real kubectl starts just after it. So both sides always agree, though AGE
//! values differ from run to run. The served address in real kubectl's output
//! (`cluster-info`) is written as sim-core's kind address before comparing.
//! stdout, stderr and the exit status must be identical; the report lists each
//! difference and ends with the totals.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;

use sim_core::{ClusterConfig, Simulator};

/// One command's result on one side.
#[derive(Debug, PartialEq, Eq)]
struct Outcome {
    stdout: String,
    stderr: String,
    code: i32,
}

pub fn main(args: &[String]) -> i32 {
    let kubectl = std::env::var("KUBECTL").unwrap_or_else(|_| "kubectl".to_string());
    let mut total = 0;
    let mut agree = 0;
    let mut report = String::new();
    for dir in args {
        let mut scripts: Vec<PathBuf> = match std::fs::read_dir(dir) {
            Ok(entries) => entries.flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|x| x == "txt")).collect(),
            Err(e) => {
                eprintln!("kubesim differential: {dir}: {e}");
                return 2;
            }
        };
        scripts.sort();
        let files = Path::new(dir).join("files");
        for script in scripts {
            match run_script(&kubectl, &script, &files, &mut report) {
                Ok((n, ok)) => {
                    total += n;
                    agree += ok;
                    println!("{}: {ok} of {n} commands agree", script.display());
                }
                Err(e) => {
                    eprintln!("kubesim differential: {}: {e}", script.display());
                    return 2;
                }
            }
        }
    }
    print!("{report}");
    println!("differential: {total} commands, {agree} agree, {} differ", total - agree);
    if total == agree { 0 } else { 1 }
}

fn run_script(kubectl: &str, script: &Path, files: &Path, report: &mut String) -> Result<(usize, usize), String> {
    let text = std::fs::read_to_string(script).map_err(|e| e.to_string())?;
    // Virtual time starts an hour behind the wall clock (on a whole second), so
    // that it can be moved up to the wall clock whenever a command needs them to
    // agree (see `needs_wall_clock`).
    let wall = wall_millis();
    let config = ClusterConfig { start_unix_millis: (wall / 1000) * 1000 - 3_600_000, ..ClusterConfig::default() };
    let mut sim = Simulator::new(config.clone());
    let served = Simulator::new(config);
    let work = std::env::temp_dir().join(format!("kubesim-differential-{}-{}", std::process::id(), stem(script)));
    let _ = std::fs::remove_dir_all(&work);
    let workdir = work.join("files");
    std::fs::create_dir_all(&workdir).map_err(|e| e.to_string())?;
    copy_files(files, &workdir, "", &mut sim)?;

    let listener = TcpListener::bind(("127.0.0.1", 0)).map_err(|e| e.to_string())?;
    let port = listener.local_addr().map_err(|e| e.to_string())?.port();
    super::spawn(listener, served, true);
    let kubeconfig = work.join("kubeconfig");
    std::fs::write(&kubeconfig, super::kubeconfig(port)).map_err(|e| e.to_string())?;

    let inputs = crate::transcript::split_script(&sim, &text);
    let mut total = 0;
    let mut agree = 0;
    for input in inputs {
        let trimmed = input.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        total += 1;
        if std::env::var_os("KUBESIM_DIFF_VERBOSE").is_some() {
            eprintln!("$ {input}");
        }
        if needs_wall_clock(&input) {
            // The next whole second after the wall clock's now (and after virtual now);
            // both clocks go there, then the real kubectl runs just after it.
            let virtual_now = sim.cluster.clock.now().timestamp_millis();
            let target = ((wall_millis().max(virtual_now) / 1000) + 1) * 1000;
            sim.advance_to_unix_millis(target);
            call(port, &format!("/kubesim/v1/advance?to={target}"))?;
            let wait = target + 5 - wall_millis();
            if wait > 0 {
                std::thread::sleep(std::time::Duration::from_millis(wait.unsigned_abs()));
            }
        }
        let out = sim.run_line(&input);
        let ours = Outcome { stdout: out.stdout, stderr: out.stderr, code: out.exit_code };
        let mut theirs = run_real(kubectl, &input, &workdir, &kubeconfig, &work)?;
        // The one thing that differs by design: the API server's address. Real
        // kubectl talks to `http://127.0.0.1:PORT` (serve), sim-core's kubectl to kind's
        // `https://127.0.0.1:36035`; `cluster-info` and `config view` print it.
        let served = format!("http://127.0.0.1:{port}");
        let simulated = format!("https://127.0.0.1:{}", sim_core::kubectl::host::API_SERVER_PORT);
        theirs.stdout = theirs.stdout.replace(&served, &simulated);
        theirs.stderr = theirs.stderr.replace(&served, &simulated);
        call(port, "/kubesim/v1/step")?;
        if ours == theirs {
            agree += 1;
        } else {
            report.push_str(&format!("--- {}: $ {input}\n", script.display()));
            diff_field("stdout", &ours.stdout, &theirs.stdout, report);
            diff_field("stderr", &ours.stderr, &theirs.stderr, report);
            if ours.code != theirs.code {
                report.push_str(&format!("  exit: kubesim {} / kubectl {}\n", ours.code, theirs.code));
            }
        }
    }
    let _ = std::fs::remove_dir_all(&work);
    Ok((total, agree))
}

fn stem(path: &Path) -> String {
    path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default()
}

/// Copies `DIR/files` into the real side's working directory and the simulator's home.
fn copy_files(from: &Path, to: &Path, relative: &str, sim: &mut Simulator) -> Result<(), String> {
    let Ok(entries) = std::fs::read_dir(from) else { return Ok(()) };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let rel = if relative.is_empty() { name.clone() } else { format!("{relative}/{name}") };
        let path = entry.path();
        if path.is_dir() {
            std::fs::create_dir_all(to.join(&name)).map_err(|e| e.to_string())?;
            copy_files(&path, &to.join(&name), &rel, sim)?;
        } else {
            let content = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            std::fs::write(to.join(&name), &content).map_err(|e| e.to_string())?;
            lesson::environment::create_file(sim, &rel, &content)?;
        }
    }
    Ok(())
}

fn run_real(kubectl: &str, input: &str, workdir: &Path, kubeconfig: &Path, home: &Path) -> Result<Outcome, String> {
    // `kubectl` in the script is the binary under test (KUBECTL may name another),
    // put first on PATH as a link rather than wrapped in a shell function: a
    // background `kubectl port-forward ... &` must be kubectl itself, which `kill %1`
    // ends (a function would run in a subshell that the kill ends instead).
    let bin = home.join("bin");
    if !bin.join("kubectl").exists() {
        std::fs::create_dir_all(&bin).map_err(|e| e.to_string())?;
        std::os::unix::fs::symlink(find_program(kubectl), bin.join("kubectl")).map_err(|e| e.to_string())?;
    }
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    let output = Command::new("bash")
        .arg("-c")
        .arg(input)
        .current_dir(workdir)
        .env("PATH", path)
        .env("KUBECONFIG", kubeconfig)
        .env("HOME", home)
        .env_remove("KUBECTL_EXTERNAL_DIFF")
        .output()
        .map_err(|e| format!("cannot run bash: {e}"))?;
    Ok(Outcome {
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        code: output.status.code().unwrap_or(-1),
    })
}

/// A program's path: as given when it names a path, else the first on PATH.
fn find_program(name: &str) -> PathBuf {
    if name.contains('/') {
        return PathBuf::from(name);
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path).map(|dir| dir.join(name)).find(|p| p.is_file()).unwrap_or_else(|| PathBuf::from(name))
}

/// Commands whose output real kubectl computes from the wall clock: describe's event
/// ages, and `rollout restart`'s restartedAt annotation (it feeds the pod template
/// hash, hence every new pod's name).
fn needs_wall_clock(input: &str) -> bool {
    input.contains("describe") || input.contains("rollout restart")
}

fn wall_millis() -> i64 {
    let since_epoch = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    i64::try_from(since_epoch.as_millis()).unwrap_or(0)
}

/// A `POST` to one of the server's clock endpoints (see `serve/mod.rs`).
fn call(port: u16, path: &str) -> Result<(), String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).map_err(|e| e.to_string())?;
    let request = format!("POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).map_err(|e| e.to_string())?;
    let mut reply = [0u8; 512];
    let n = stream.read(&mut reply).map_err(|e| e.to_string())?;
    if reply.get(..n).is_some_and(|r| r.starts_with(b"HTTP/1.1 200")) {
        Ok(())
    } else {
        Err(format!("the server refused POST {path}"))
    }
}

fn diff_field(name: &str, ours: &str, theirs: &str, report: &mut String) {
    if ours == theirs {
        return;
    }
    report.push_str(&format!("  {name} (- kubesim, + kubectl):\n"));
    let a: Vec<&str> = ours.lines().collect();
    let b: Vec<&str> = theirs.lines().collect();
    // Longest common subsequence table, then a walk that prints the edit script.
    let mut lcs = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] { lcs[i + 1][j + 1] + 1 } else { lcs[i + 1][j].max(lcs[i][j + 1]) };
        }
    }
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            report.push_str(&format!("      {}\n", a[i]));
            i += 1;
            j += 1;
        } else if j < b.len() && (i == a.len() || lcs[i][j + 1] >= lcs[i + 1][j]) {
            report.push_str(&format!("    + {}\n", b[j]));
            j += 1;
        } else {
            report.push_str(&format!("    - {}\n", a[i]));
            i += 1;
        }
    }
    if ours.ends_with('\n') != theirs.ends_with('\n') {
        report.push_str("    (trailing newline differs)\n");
    }
}
