//! The learner's shell: a bash look-alike around kubectl, with a virtual
//! filesystem, coreutils, a nano-like editor, tab completion and job control.
//!
//! # Layout
//! - [`parse`]: the bash subset as an AST (quoting, substitutions, pipes, redirections,
//!   here-documents, `for` loops); incomplete input is reported for `> ` prompts.
//! - `exec`: expansion and execution: pipelines, redirections, `&&`/`||`, jobs.
//! - `programs`: the dispatch table of programs and the builtins; `coreutils` and
//!   `text` hold the file and text tools.
//! - [`editor`]: the full-screen editor behind `nano`/`vi`.
//! - [`complete`]: tab completion and Ctrl-R reverse history search.
//! - [`pod_session`]: the shell inside a pod (`kubectl exec -it`, `kubectl run -it`);
//!   while one is open, [`Shell::run_line`] and [`Shell::prompt`] are its own.
//!
//! # Interactive protocol
//! [`Shell::run_line`] runs a complete line. Afterwards the shell may be
//! [`Shell::interactive`] (an editor is open: raw keys go to [`Shell::feed_keys`] and
//! its display is an ANSI screen), or have a foreground streaming job (`watch`, a
//! resumed `fg` job) that [`Shell::poll`] advances on the virtual clock and Ctrl-C
//! (`feed_keys("\x03")`) stops. In batch mode (the default, used by `kubesim run` and
//! transcripts) `watch` shows one screen and returns, and a [`StreamJob`] (e.g.
//! `kubectl get -w`) runs for [`BATCH_STREAM_SECONDS`] of virtual time and is then
//! stopped as Ctrl-C would stop it (`^C`), so a script never blocks; the browser
//! switches batch mode off with [`Shell::set_interactive_terminal`]. A program starts
//! streaming by setting [`Shell::foreground`] to [`Foreground::Stream`].

mod arith;
pub mod complete;
mod coreutils;
pub mod editor;
mod exec;
pub mod parse;
pub mod pod_session;
mod programs;
mod text;

use std::collections::BTreeMap;

use k8s_openapi::chrono::{DateTime, Duration, TimeZone, Utc};

use crate::cluster::Cluster;
use crate::simulator::Output;
use crate::vfs::{Vfs, HOME};

pub use complete::{Completion, HistorySearch, SearchEffect};
pub use editor::{AfterEdit, Editor, EditorEffect};

/// Most bytes one command may print before the rest is cut with a note: a teaching
/// terminal has no use for more, and a browser tab must stay responsive.
pub const OUTPUT_LIMIT: usize = 1024 * 1024;

/// How long a streaming command runs in batch mode (transcripts, `kubesim run`)
/// before it is stopped as if Ctrl-C were pressed.
pub const BATCH_STREAM_SECONDS: i64 = 10;

/// Most simple commands one input line may run (loops, `xargs`, substitutions).
pub const COMMAND_BUDGET: usize = 10_000;

/// A shell variable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Var {
    pub value: String,
    pub exported: bool,
}

/// `break` or `continue`, travelling out to the innermost loop.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LoopSignal {
    Break,
    Continue,
}

/// A background job (`cmd &`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Job {
    pub id: usize,
    pub pid: u32,
    /// The command as typed, without the trailing `&`.
    pub command: String,
    pub state: JobState,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JobState {
    /// Still running; `until` is when it ends by itself (`sleep 30 &`), if ever.
    Running { until: Option<DateTime<Utc>> },
    /// Finished with this exit status; reported (`[1]+  Done ...`) before the next prompt.
    Done(i32),
}

/// A long-running command in the foreground, streaming output on the virtual clock.
pub trait StreamJob: std::fmt::Debug {
    /// Emits whatever the job prints up to the cluster's now; returns `Some(exit code)`
    /// when the job has finished by itself.
    fn poll(&mut self, cluster: &mut Cluster, out: &mut Output) -> Option<i32>;
    /// Ctrl-C: the job's last words (kubectl prints nothing; the terminal echoes `^C`).
    fn interrupt(&mut self, _cluster: &mut Cluster, _out: &mut Output) {}
    fn clone_box(&self) -> Box<dyn StreamJob>;
}

impl Clone for Box<dyn StreamJob> {
    fn clone(&self) -> Self {
        self.clone_box()
    }
}

/// What holds the terminal besides the prompt.
#[derive(Clone, Debug)]
pub enum Foreground {
    /// `watch CMD`: re-runs CMD every `interval` of virtual time.
    Watch { command: String, interval: Duration, next: DateTime<Utc>, title: bool },
    /// A background job brought back with `fg`.
    Resumed { job: Job },
    /// Any other streaming job, e.g. `kubectl get -w` once kubectl provides one.
    Stream(Box<dyn StreamJob>),
}

/// An editor on screen and what to do with its buffer when it closes.
#[derive(Clone, Debug)]
pub struct EditorSession {
    pub editor: Editor,
    pub after: AfterEdit,
}

/// Shell session state: what survives between lines.
#[derive(Clone, Debug)]
pub struct Shell {
    pub history: Vec<String>,
    pub last_exit_code: i32,
    pub vars: BTreeMap<String, Var>,
    pub aliases: BTreeMap<String, String>,
    /// The working directory, absolute.
    pub cwd: String,
    pub vfs: Vfs,
    pub jobs: Vec<Job>,
    pub editor: Option<EditorSession>,
    pub foreground: Option<Foreground>,
    /// A shell inside a pod (`kubectl exec -it`, `kubectl run -it`): while it is open,
    /// lines and the prompt are its own (see [`pod_session`]).
    pub pod_session: Option<pod_session::PodSession>,
    /// False in batch runs (scripts, transcripts): streaming commands then print one
    /// screen and return instead of holding the terminal.
    pub interactive_terminal: bool,
    /// bash's job control (monitor mode, `set -m`), on in an interactive shell: `[1] PID`
    /// when `cmd &` starts, `[1]+  Terminated ...` when `kill` ends a job, `Done` before
    /// the next prompt, and `$-` is `himBHs`. Off it is `bash -c` (how the differential
    /// test runs real kubectl): jobs still run and `kill %1` still ends them, but
    /// nothing is announced, and `$-` is `hBc`.
    pub job_control: bool,
    /// The terminal's size as `(cols, rows)` (80x24 until the terminal says otherwise
    /// through [`Shell::resize`]): an editor opens drawn for it, since a first frame
    /// drawn for a wider or taller screen would wrap and scroll the real one.
    pub terminal_size: (usize, usize),
    /// Whether the running command's stdout is the terminal (`ls` prints columns
    /// there and one name per line into pipes and files, as GNU ls does).
    pub(crate) stdout_tty: bool,
    /// How many command substitutions are capturing output right now.
    capturing: usize,
    /// `break`/`continue` on its way out to the innermost loop.
    loop_signal: Option<LoopSignal>,
    loop_depth: usize,
    /// What `read` reads inside a `while` loop with redirected or piped input.
    loop_stdin: Option<String>,
    /// How many scripts are running inside one another right now.
    nesting: usize,
    /// How many `bash -c` / `bash FILE` children are running: `exit` in one ends that
    /// child, where at the prompt it would log out.
    pub(crate) subshells: usize,
    /// `exit` ran in a child shell: the rest of its script is skipped.
    pub(crate) exiting: bool,
    /// Set when an expansion failed (`$((1/0))`): the command does not run.
    expansion_failed: bool,
    /// Outputs of `<(...)` on the line being run, read as /dev/fd/63, 62, ...
    process_subs: Vec<String>,
    /// Simple commands left for the line being run.
    budget: usize,
    budget_reported: bool,
    next_pid: u32,
}

impl Default for Shell {
    fn default() -> Self {
        Shell::new()
    }
}

impl Shell {
    /// A fresh login shell, with files timestamped at the default start of the clock.
    pub fn new() -> Self {
        Shell::new_at(Utc.timestamp_millis_opt(1_767_603_600_000).single().unwrap_or_default())
    }

    /// A fresh login shell whose files were created at `now`.
    pub fn new_at(now: DateTime<Utc>) -> Self {
        let mut vars = BTreeMap::new();
        for (name, value) in [
            ("HOME", HOME),
            ("HOSTNAME", "kubesim"),
            ("LANG", "C.UTF-8"),
            ("LOGNAME", "learner"),
            ("PATH", "/usr/local/bin:/usr/bin:/bin"),
            ("PWD", HOME),
            ("SHELL", "/bin/bash"),
            ("TERM", "xterm-256color"),
            ("USER", "learner"),
        ] {
            vars.insert(name.to_string(), Var { value: value.to_string(), exported: true });
        }
        // The same aliases the home directory's .bashrc defines: tutorials use `k`.
        let mut aliases = BTreeMap::new();
        aliases.insert("k".to_string(), "kubectl".to_string());
        Shell {
            history: Vec::new(),
            last_exit_code: 0,
            vars,
            aliases,
            cwd: HOME.to_string(),
            vfs: Vfs::new(now),
            jobs: Vec::new(),
            editor: None,
            foreground: None,
            pod_session: None,
            interactive_terminal: false,
            job_control: true,
            subshells: 0,
            exiting: false,
            terminal_size: (80, 24),
            stdout_tty: false,
            capturing: 0,
            process_subs: Vec::new(),
            expansion_failed: false,
            nesting: 0,
            loop_signal: None,
            loop_depth: 0,
            loop_stdin: None,
            budget: COMMAND_BUDGET,
            budget_reported: false,
            // Deterministic process ids, in the range a fresh container hands out.
            next_pid: 1200,
        }
    }

    /// The browser calls this with `true`: streaming commands then hold the terminal
    /// until Ctrl-C, and `watch` redraws the screen.
    pub fn set_interactive_terminal(&mut self, on: bool) {
        self.interactive_terminal = on;
    }

    /// bash's default Debian prompt, `user@host:dir$ `, with the home directory as `~`.
    pub fn prompt(&self) -> String {
        if let Some(prompt) = self.pod_prompt() {
            return prompt;
        }
        format!("learner@kubesim:{}$ ", self.display_cwd())
    }

    /// The working directory as the prompt shows it.
    pub fn display_cwd(&self) -> String {
        if self.cwd == HOME {
            "~".to_string()
        } else if let Some(rest) = self.cwd.strip_prefix(&format!("{HOME}/")) {
            format!("~/{rest}")
        } else {
            self.cwd.clone()
        }
    }

    /// Whether `input` is a whole command; false means show `> ` and read another line.
    pub fn is_complete(input: &str) -> bool {
        parse::is_complete(input)
    }

    /// Whether a full-screen program (the editor) has the terminal.
    pub fn interactive(&self) -> bool {
        self.editor.is_some()
    }

    /// Whether a streaming command holds the terminal (Ctrl-C stops it).
    pub fn foreground_active(&self) -> bool {
        self.foreground.is_some()
    }

    /// A variable's value, if set.
    pub fn var(&self, name: &str) -> Option<&str> {
        self.vars.get(name).map(|v| v.value.as_str())
    }

    pub fn set_var(&mut self, name: &str, value: &str) {
        let exported = self.vars.get(name).is_some_and(|v| v.exported);
        self.vars.insert(name.to_string(), Var { value: value.to_string(), exported });
    }

    /// Runs one complete input (one line, or several joined with `\n`).
    pub fn run_line(&mut self, cluster: &mut Cluster, line: &str) -> Output {
        let mut output = Output::default();
        // A new line while something streams or the editor is open (only scripts can
        // do that): it ends first, as if Ctrl-C or ^X N had been pressed.
        self.foreground = None;
        self.editor = None;
        if self.pod_session.is_some() {
            return self.run_pod_line(cluster, line);
        }
        self.report_finished_jobs(cluster, &mut output);
        let trimmed = line.trim();
        if trimmed.is_empty() {
            output.exit_code = self.last_exit_code;
            return output;
        }
        self.history.push(line.trim_end_matches('\n').to_string());
        self.budget = COMMAND_BUDGET;
        self.budget_reported = false;
        self.process_subs.clear();
        self.expansion_failed = false;
        self.nesting = 0;
        self.loop_signal = None;
        self.loop_depth = 0;
        self.loop_stdin = None;
        let code = match parse::parse(line) {
            Ok(script) => exec::run_script(self, cluster, &script, None, &mut output),
            Err(e @ (parse::ParseError::Syntax(_) | parse::ParseError::Incomplete)) => {
                output.err(&format!("{}\n", e.message()));
                2
            }
            Err(e) => {
                output.err(&format!("{}\n", e.message()));
                1
            }
        };
        self.last_exit_code = code;
        if !self.interactive_terminal {
            self.run_stream_in_batch(cluster, &mut output);
        }
        // Jobs that ended while this line ran are reported before the next prompt.
        self.report_finished_jobs(cluster, &mut output);
        output.exit_code = code;
        output
    }

    /// Routes raw terminal input to whatever holds the terminal: the editor, or a
    /// foreground job (where only Ctrl-C means anything).
    pub fn feed_keys(&mut self, cluster: &mut Cluster, keys: &str) -> Output {
        let mut output = Output::default();
        if self.editor.is_some() {
            // The editor returns one effect at a time (a write, then an exit); feed it
            // the input once and then "" until it has nothing more to ask.
            let mut input = keys.to_string();
            let mut closed = false;
            for _ in 0..=keys.len() + 2 {
                let Some(session) = self.editor.as_mut() else { break };
                let effect = session.editor.handle_key(&input);
                input.clear();
                let done = effect == EditorEffect::None;
                closed = exec::apply_editor_effect(self, cluster, effect, &mut output);
                if closed || done {
                    break;
                }
            }
            if !closed {
                if let Some(session) = self.editor.as_ref() {
                    let screen = if self.interactive_terminal { session.editor.render_update() } else { format!("{}\n", session.editor.screen_text()) };
                    output.out(&screen);
                }
            }
            output.exit_code = self.last_exit_code;
            return output;
        }
        if keys.contains('\x03') {
            if let Some(fg) = self.foreground.take() {
                output.out("^C\n");
                match fg {
                    Foreground::Stream(mut job) => job.interrupt(cluster, &mut output),
                    Foreground::Resumed { job } => {
                        self.jobs.retain(|j| j.id != job.id);
                        // A `kubectl proxy` or `port-forward` brought back with `fg`
                        // stops serving with its job, as `kill %N` stops it.
                        crate::kubectl::background_job_ended(cluster, &job.command);
                    }
                    Foreground::Watch { .. } => {}
                }
                // bash reports 130 (128 + SIGINT) for a command killed by Ctrl-C.
                self.last_exit_code = 130;
            }
        }
        output.exit_code = self.last_exit_code;
        output
    }

    /// Batch runs cannot press Ctrl-C: a streaming job (`kubectl get -w`) runs for
    /// [`BATCH_STREAM_SECONDS`] of virtual time, one second at a time with the
    /// controllers reconciling on the way, and is then stopped as Ctrl-C would.
    fn run_stream_in_batch(&mut self, cluster: &mut Cluster, output: &mut Output) {
        let Some(Foreground::Stream(mut job)) = self.foreground.take() else { return };
        for second in 0..=BATCH_STREAM_SECONDS {
            if second > 0 {
                let to = cluster.clock.now() + Duration::seconds(1);
                crate::controllers::advance(cluster, to);
            }
            if let Some(code) = job.poll(cluster, output) {
                self.last_exit_code = code;
                output.exit_code = code;
                return;
            }
        }
        output.out("^C\n");
        job.interrupt(cluster, output);
        self.last_exit_code = 130;
        output.exit_code = 130;
    }

    /// Advances a foreground streaming job to the cluster's now, returning what it printed.
    pub fn poll(&mut self, cluster: &mut Cluster) -> Output {
        let mut output = Output::default();
        let now = cluster.clock.now();
        match self.foreground.take() {
            Some(Foreground::Watch { command, interval, mut next, title }) => {
                let mut rounds = 0;
                let mut redraw = false;
                while next <= now && rounds < 1000 {
                    next += interval;
                    rounds += 1;
                    redraw = true;
                }
                if redraw {
                    output.out(&exec::watch_screen(self, cluster, &command, interval, true, title));
                }
                self.foreground = Some(Foreground::Watch { command, interval, next, title });
            }
            Some(Foreground::Stream(mut job)) => match job.poll(cluster, &mut output) {
                Some(code) => self.last_exit_code = code,
                None => self.foreground = Some(Foreground::Stream(job)),
            },
            other => self.foreground = other,
        }
        output.exit_code = self.last_exit_code;
        output
    }

    /// Runs `argv` as a program another program started directly, with no shell in
    /// between (Go's `exec.Command`, as `kubectl edit` starts `$KUBE_EDITOR`): its
    /// output goes to `out`. `None` is `exec.ErrNotFound`: a bare name that is no
    /// program on PATH. A path that names no program fails to start (126), silently.
    pub fn exec_program(&mut self, cluster: &mut Cluster, argv: &[String], out: &mut Output) -> Option<i32> {
        let name = argv.first()?;
        let base = if name.contains('/') { Vfs::base_name(name) } else { name.as_str() };
        if programs::lookup(base).is_some() || programs::NOT_SIMULATED.contains(&base) {
            return Some(programs::run(self, cluster, argv, None, out));
        }
        if name.contains('/') {
            Some(126)
        } else {
            None
        }
    }

    /// Opens the editor on `path` (absolute) with `contents`; `after` says what happens
    /// to the saved buffer when it closes (`kubectl edit` applies it).
    pub fn open_editor(&mut self, path: &str, contents: Option<&str>, after: AfterEdit, hint: Option<&str>) -> String {
        let mut editor = Editor::new(path, &self.display_path(path), contents);
        if self.interactive_terminal {
            editor.resize(self.terminal_size.0, self.terminal_size.1);
        }
        if let Some(hint) = hint {
            editor.set_status(hint);
        }
        // Batch runs (transcripts) show the screen as plain text rows.
        let screen = if self.interactive_terminal { editor.render_full() } else { format!("{}\n", editor.screen_text()) };
        self.editor = Some(EditorSession { editor, after });
        screen
    }

    /// Tab completion of `line` at byte offset `cursor`.
    pub fn complete(&self, cluster: &Cluster, line: &str, cursor: usize) -> Completion {
        complete::complete(self, cluster, line, cursor)
    }

    /// Sets the terminal size the editor draws for.
    pub fn resize(&mut self, cols: usize, rows: usize) -> String {
        self.terminal_size = (cols, rows);
        match self.editor.as_mut() {
            Some(session) => {
                session.editor.resize(cols, rows);
                session.editor.render_full()
            }
            None => String::new(),
        }
    }

    /// Reads a file named as the learner typed it: `/dev/fd/N` from `<(...)`, or a
    /// path in the virtual filesystem.
    pub(crate) fn read_file(&self, typed: &str) -> Result<String, crate::vfs::VfsError> {
        if let Some(fd) = typed.strip_prefix("/dev/fd/").and_then(|n| n.parse::<usize>().ok()) {
            return 63usize.checked_sub(fd).and_then(|i| self.process_subs.get(i)).cloned().ok_or(crate::vfs::VfsError::NotFound);
        }
        self.vfs.read(&Vfs::resolve(&self.cwd, typed)).map(str::to_string)
    }

    /// A path as the learner would write it relative to the working directory.
    fn display_path(&self, path: &str) -> String {
        match path.strip_prefix(&format!("{}/", self.cwd)) {
            Some(rest) if self.cwd != "/" => rest.to_string(),
            _ => path.to_string(),
        }
    }

    /// bash tells about finished background jobs before the next prompt.
    fn report_finished_jobs(&mut self, cluster: &Cluster, out: &mut Output) {
        let now = cluster.clock.now();
        for job in &mut self.jobs {
            if let JobState::Running { until: Some(t) } = job.state {
                if t <= now {
                    job.state = JobState::Done(0);
                }
            }
        }
        let last = self.jobs.iter().map(|j| j.id).max();
        let finished: Vec<Job> = self.jobs.iter().filter(|j| matches!(j.state, JobState::Done(_))).cloned().collect();
        for job in &finished {
            let JobState::Done(code) = job.state else { continue };
            let status = if code == 0 { "Done".to_string() } else { format!("Exit {code}") };
            if self.job_control {
                out.out(&job_line(job, last, &status, false));
            }
        }
        self.jobs.retain(|j| !matches!(j.state, JobState::Done(_)));
    }

    fn allocate_pid(&mut self) -> u32 {
        self.next_pid = self.next_pid.saturating_add(1 + self.next_pid % 7);
        self.next_pid
    }
}

/// A line of `jobs` or a job notification: `[1]+  Running                 sleep 100 &`.
pub(crate) fn job_line(job: &Job, last: Option<usize>, status: &str, ampersand: bool) -> String {
    let mark = if Some(job.id) == last { '+' } else { '-' };
    let suffix = if ampersand { " &" } else { "" };
    format!("[{}]{}  {:<24}{}{}\n", job.id, mark, status, job.command, suffix)
}

#[cfg(test)]
mod tests;
