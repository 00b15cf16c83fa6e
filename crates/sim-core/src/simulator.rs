//! The simulator: one cluster and one shell session, driven by command lines and
//! time. This is the whole surface the browser and the native CLI talk to.

use k8s_openapi::chrono::Duration;

use crate::clock::Clock;
use crate::cluster::{Cluster, Topology};
use crate::shell::Shell;

/// How a simulator starts. Two simulators built from equal configs and fed the same
/// lines and times print the same bytes.
#[derive(Clone, Debug, PartialEq)]
pub struct ClusterConfig {
    /// Seed of the one random generator (names, IPs, ports, uids).
    pub seed: u64,
    /// Virtual time at start, in Unix milliseconds.
    pub start_unix_millis: i64,
    pub topology: Topology,
    /// How far the clock moves by itself after each command. Scripts and tests use a
    /// small fixed step (one second) so that controllers make progress between
    /// commands as they would while a person types; the browser sets zero because
    /// its clock follows the wall clock.
    pub command_step: Duration,
}

impl Default for ClusterConfig {
    fn default() -> Self {
        ClusterConfig {
            seed: 1,
            // 2026-01-05T09:00:00Z: a fixed, readable start for transcripts.
            start_unix_millis: 1_767_603_600_000,
            topology: Topology::default(),
            command_step: Duration::seconds(1),
        }
    }
}

/// What one command line printed, and its exit status.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Output {
    pub stdout: String,
    pub stderr: String,
    /// stdout and stderr interleaved in the order they were written, as a terminal shows them.
    pub display: String,
    pub exit_code: i32,
}

impl Output {
    pub fn out(&mut self, text: &str) {
        self.stdout.push_str(text);
        self.display.push_str(text);
    }

    pub fn err(&mut self, text: &str) {
        self.stderr.push_str(text);
        self.display.push_str(text);
    }
}

/// A cluster and the learner's shell around it.
#[derive(Clone, Debug)]
pub struct Simulator {
    pub cluster: Cluster,
    pub shell: Shell,
    config: ClusterConfig,
}

impl Simulator {
    pub fn new(config: ClusterConfig) -> Self {
        let clock = Clock::from_unix_millis(config.start_unix_millis);
        let cluster = Cluster::kind(clock, config.seed, &config.topology);
        let shell = Shell::new_at(cluster.clock.now());
        Simulator { cluster, shell, config }
    }

    /// A simulator whose cluster is empty (no nodes, no namespaces): a stand-in for
    /// a caller that must hold a simulator before it knows which one to build or
    /// restore (the page's controller), at no cost. Its commands find nothing.
    pub fn empty(config: ClusterConfig) -> Self {
        let clock = Clock::from_unix_millis(config.start_unix_millis);
        let cluster = Cluster::empty(clock, config.seed);
        let shell = Shell::new_at(cluster.clock.now());
        Simulator { cluster, shell, config }
    }

    /// A simulator from restored parts (see `persist::restore_simulator`).
    pub fn from_parts(cluster: Cluster, shell: Shell, config: ClusterConfig) -> Self {
        Simulator { cluster, shell, config }
    }

    /// Runs one line as the learner typed it and returns what it printed.
    pub fn run_line(&mut self, line: &str) -> Output {
        let output = self.shell.run_line(&mut self.cluster, line);
        // The controllers react to what the command wrote, then time moves on by the
        // command step with every wake-up on the way (pods starting, pulls finishing).
        crate::controllers::reconcile(&mut self.cluster);
        let to = self.cluster.clock.now() + self.config.command_step;
        crate::controllers::advance(&mut self.cluster, to);
        output
    }

    /// The prompt to show before the next line.
    pub fn prompt(&self) -> String {
        self.shell.prompt()
    }

    /// Moves virtual time forward to a Unix time in milliseconds (the browser calls
    /// this with the wall clock); earlier times are ignored.
    pub fn advance_to_unix_millis(&mut self, millis: i64) {
        let to = Clock::from_unix_millis(millis).now();
        crate::controllers::advance(&mut self.cluster, to);
    }

    /// Moves virtual time forward by `millis`.
    pub fn advance_by_millis(&mut self, millis: i64) {
        if millis > 0 {
            let to = self.cluster.clock.now() + Duration::milliseconds(millis);
            crate::controllers::advance(&mut self.cluster, to);
        }
    }

    /// Whether a full-screen program (the editor) has the terminal; if so, send raw
    /// key input to [`Simulator::feed_keys`] instead of lines.
    pub fn interactive(&self) -> bool {
        self.shell.interactive()
    }

    /// Raw terminal input for the editor or a foreground job (Ctrl-C stops it). The
    /// display is the ANSI screen update.
    pub fn feed_keys(&mut self, keys: &str) -> Output {
        let output = self.shell.feed_keys(&mut self.cluster, keys);
        crate::controllers::reconcile(&mut self.cluster);
        output
    }

    /// Moves virtual time to `now_unix_millis` and returns what a foreground streaming
    /// command (`watch`, ...) printed meanwhile.
    pub fn poll(&mut self, now_unix_millis: i64) -> Output {
        self.advance_to_unix_millis(now_unix_millis);
        self.shell.poll(&mut self.cluster)
    }

    /// Tab completion for `line` with the cursor at byte offset `cursor`.
    pub fn complete(&self, line: &str, cursor: usize) -> crate::shell::Completion {
        self.shell.complete(&self.cluster, line, cursor)
    }

    pub fn config(&self) -> &ClusterConfig {
        &self.config
    }
}
