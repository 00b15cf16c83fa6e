//! Shell features end to end through a [`Simulator`]: the editor driven by keys,
//! completion against the live cluster, the interactive protocol, and inputs that
//! must never panic.

use crate::simulator::{ClusterConfig, Simulator};

fn sim() -> Simulator {
    Simulator::new(ClusterConfig::default())
}

fn run(sim: &mut Simulator, line: &str) -> String {
    sim.run_line(line).display
}

#[test]
fn head_prints_headers_for_several_files() {
    let mut s = sim();
    run(&mut s, "printf 'b 2\\na 1\\n' > data.txt; touch a.yaml");
    assert_eq!(run(&mut s, "head -2 data.txt a.yaml"), "==> data.txt <==\nb 2\na 1\n\n==> a.yaml <==\n");
}

#[test]
fn nano_writes_a_file_from_keys() {
    let mut s = sim();
    let opened = run(&mut s, "nano web.yaml");
    assert!(s.interactive());
    assert!(opened.starts_with("  GNU nano 7.2"), "{opened}");
    assert!(opened.contains("web.yaml"));
    assert!(opened.contains("[ New File ]"));
    // Type (pasting keeps the indentation), write out, accept the name, exit.
    let screen = s.feed_keys("kind: Service\rspec:\r  ports:\r  - port: 80").display;
    assert!(screen.contains("Modified"), "{screen}");
    let screen = s.feed_keys("\x0f").display;
    assert!(screen.contains("File Name to Write: web.yaml"), "{screen}");
    let screen = s.feed_keys("\r").display;
    assert!(screen.contains("[ Wrote 4 lines ]"), "{screen}");
    s.feed_keys("\x18");
    assert!(!s.interactive());
    assert_eq!(run(&mut s, "cat web.yaml"), "kind: Service\nspec:\n  ports:\n  - port: 80\n");
}

#[test]
fn nano_asks_before_dropping_changes_and_vi_opens_it_too() {
    let mut s = sim();
    run(&mut s, "echo old > f.txt");
    let opened = run(&mut s, "vi f.txt");
    assert!(opened.contains("kubesim: vi is simulated by nano's editor"), "{opened}");
    assert!(opened.contains("old"));
    let screen = s.feed_keys("new \x18").display;
    assert!(screen.contains("Save modified buffer?"), "{screen}");
    s.feed_keys("n");
    assert!(!s.interactive());
    assert_eq!(run(&mut s, "cat f.txt"), "old\n");
    // ^X Y Enter saves on the way out.
    run(&mut s, "nano f.txt");
    s.feed_keys("\x1b[F!\x18y\r");
    assert!(!s.interactive());
    assert_eq!(run(&mut s, "cat f.txt"), "old!\n");
}

#[test]
fn nano_in_the_browser_draws_with_escapes() {
    let mut s = sim();
    s.shell.set_interactive_terminal(true);
    let opened = run(&mut s, "nano a.yaml");
    assert!(opened.starts_with("\x1b[H\x1b[2J"));
    assert!(opened.contains("\x1b[7m  GNU nano 7.2"));
    let update = s.feed_keys("x").display;
    assert!(update.contains("\x1b[2;1H\x1b[2Kx"), "{update:?}");
    let closed = s.feed_keys("\x18n").display;
    assert_eq!(closed, "\x1b[H\x1b[2J");
}

#[test]
fn completion_offers_commands_verbs_types_names_and_files() {
    let mut s = sim();
    run(&mut s, "mkdir manifests; touch svc.yaml secret.txt");
    let c = |s: &Simulator, line: &str| s.complete(line, line.len()).candidates;
    assert_eq!(c(&s, "kubec"), vec!["kubectl"]);
    assert_eq!(c(&s, "kubectl de"), vec!["debug", "delete", "describe"]);
    assert_eq!(c(&s, "k get no"), vec!["nodes"]);
    assert_eq!(c(&s, "kubectl get nodes kind-w"), vec!["kind-worker", "kind-worker2"]);
    assert_eq!(c(&s, "kubectl describe node/kind-c"), vec!["node/kind-control-plane"]);
    assert_eq!(c(&s, "kubectl get pods -n kube-"), vec!["kube-node-lease", "kube-public", "kube-system"]);
    assert_eq!(c(&s, "kubectl get nodes -o js"), vec!["json", "jsonpath="]);
    assert_eq!(c(&s, "kubectl apply -f s"), vec!["secret.txt", "svc.yaml"]);
    assert_eq!(c(&s, "cat s"), vec!["secret.txt", "svc.yaml"]);
    assert_eq!(c(&s, "cd "), vec!["manifests/"]);
    assert_eq!(c(&s, "ls | gr"), vec!["grep"]);
    assert_eq!(c(&s, "echo $HO"), vec!["$HOME", "$HOSTNAME"]);
    let completion = s.complete("kubectl get no", 14);
    assert_eq!((completion.start, completion.end), (12, 14));
    assert_eq!(completion.apply("kubectl get no"), ("kubectl get nodes ".to_string(), 18));
}

#[test]
fn watch_streams_on_the_virtual_clock_until_ctrl_c() {
    let mut s = sim();
    s.shell.set_interactive_terminal(true);
    let first = run(&mut s, "watch -n 10 date");
    assert!(first.contains("Every 10.0s: date"), "{first}");
    assert!(s.shell.foreground_active());
    let start = s.cluster.clock.now().timestamp_millis();
    assert_eq!(s.poll(start + 1_000).display, "");
    let again = s.poll(start + 12_000).display;
    assert!(again.starts_with("\x1b[H\x1b[2JEvery 10.0s: date"), "{again}");
    let stopped = s.feed_keys("\x03");
    assert_eq!(stopped.display, "^C\n");
    assert_eq!(stopped.exit_code, 130);
    assert!(!s.shell.foreground_active());
}

#[test]
fn incomplete_input_is_reported_for_continuation_prompts() {
    use super::Shell;
    assert!(!Shell::is_complete("cat <<EOF\nkind: Service"));
    assert!(Shell::is_complete("cat <<EOF\nkind: Service\nEOF"));
    assert!(!Shell::is_complete("kubectl get pods |"));
    assert!(!Shell::is_complete("echo 'open"));
    assert!(Shell::is_complete("echo done"));
}

#[test]
fn the_prompt_follows_cd() {
    let mut s = sim();
    assert_eq!(s.prompt(), "learner@kubesim:~$ ");
    run(&mut s, "mkdir -p work/a && cd work/a");
    assert_eq!(s.prompt(), "learner@kubesim:~/work/a$ ");
    run(&mut s, "cd /tmp");
    assert_eq!(s.prompt(), "learner@kubesim:/tmp$ ");
}

#[test]
fn output_and_loops_are_bounded() {
    let mut s = sim();
    let out = s.run_line("seq 10000000");
    assert!(out.stdout.len() <= super::OUTPUT_LIMIT);
    assert!(out.stderr.contains("kubesim: output cut at 1 MiB"));
    let out = s.run_line("for i in $(seq 20000); do true; done");
    assert!(out.stderr.contains("kubesim: stopped after 10000 commands on one line"), "{}", out.stderr);
}

#[test]
fn recursion_through_aliases_and_scripts_is_bounded() {
    let mut s = sim();
    run(&mut s, "alias loop='bash -c loop'");
    let out = s.run_line("loop");
    assert!(out.stderr.contains("kubesim: commands nest too deeply"), "{}", out.stderr);
    run(&mut s, "echo 'source self.sh' > self.sh");
    let out = s.run_line("source self.sh");
    assert!(out.stderr.contains("kubesim: commands nest too deeply"), "{}", out.stderr);
    let deep = format!("awk '{{print {}1{}}}'", "(".repeat(5000), ")".repeat(5000));
    let out = s.run_line(&deep);
    assert_eq!(out.exit_code, 2);
}

#[test]
fn parameter_operators_trim_and_replace() {
    let mut s = sim();
    run(&mut s, "P=node/kind-worker.yaml.bak");
    assert_eq!(run(&mut s, "echo ${P#*/} ${P##*.} ${P%.*} ${P%%.*}"), "kind-worker.yaml.bak bak node/kind-worker.yaml node/kind-worker\n");
    assert_eq!(run(&mut s, "echo ${P/kind/KIND} ${P//a/A} ${P:5:4} ${P: -3}"), "node/KIND-worker.yaml.bak node/kind-worker.yAml.bAk kind bak\n");
}

#[test]
fn while_read_loops_and_pipelines_after_the_budget() {
    let mut s = sim();
    assert_eq!(run(&mut s, "printf 'a 1\\nb 2\\n' | while read k v; do echo \"$k=$v\"; done"), "a=1\nb=2\n");
    let out = s.run_line("while true; do echo spin; done | head -2");
    assert_eq!(out.stdout, "spin\nspin\n");
}

#[test]
fn heredocs_inside_command_substitution() {
    let mut s = sim();
    assert_eq!(run(&mut s, "X=$(cat <<EOF\ninside\nEOF\n); echo \"[$X]\""), "[inside]\n");
}

#[test]
fn the_disk_fills_up_with_a_clear_error() {
    let mut s = sim();
    s.shell.vfs.set_limit(s.shell.vfs.usage().0 + 100);
    let out = s.run_line("seq 1000 > big.txt");
    assert_eq!(out.display, "bash: write error: No space left on device\n");
}

/// A small deterministic generator so the input soup is the same on every run.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % n.max(1)
    }
}

#[test]
fn no_input_makes_the_shell_panic() {
    let fragments = [
        "echo", " ", "'", "\"", "\\", "$", "$(", ")", "`", "${", "}", "${X:-", "|", "||", "&", "&&", ";", ";;", ">", ">>", "<", "<<", "<<-", "<<<", "2>&1", "&>", "EOF",
        "\n", "cat", "grep", "-E", "[", "]", "*", "?", "sed", "s/a/b/", "awk", "{print $1}", "jq", ".a[]", "for", "in", "do", "done", "!", "~", "kubectl", "get", "nodes",
        "-o", "cut", "-f", "1-", "tr", "a-z", "sort", "-k", "0", "head", "-n", "-1", "printf", "%5", "%s", "%d", "base64", "-d", "xargs", "nano", "watch", "fg", "kill",
        "%1", "cd", "..", "/", "ls", "-l", "rm", "-rf", "mkdir", "-p", "a/b", "seq", "99", "sleep", "1", "(", "#", "=", "X=", "é", "\t", "\r", "\x1b[A", "\x03",
    ];
    let mut rng = Lcg(7);
    let mut s = sim();
    for _ in 0..800 {
        let len = 1 + rng.next(12);
        let line: String = (0..len).map(|_| fragments[rng.next(fragments.len())]).collect();
        let _ = Shell::is_complete(&line);
        let _ = s.complete(&line, rng.next(line.len() + 2));
        s.run_line(&line);
        if s.interactive() {
            let keys: String = (0..rng.next(8)).map(|_| fragments[rng.next(fragments.len())]).collect();
            s.feed_keys(&keys);
            s.feed_keys("\x18n");
        }
    }
}

use super::Shell;

/// A streaming job that prints the virtual time once per second, like `kubectl get -w`
/// printing events.
#[derive(Clone, Debug)]
struct Ticker {
    printed: i64,
}

impl super::StreamJob for Ticker {
    fn poll(&mut self, cluster: &mut crate::cluster::Cluster, out: &mut crate::simulator::Output) -> Option<i32> {
        let now = cluster.clock.now().timestamp();
        if now > self.printed {
            out.out(&format!("tick {}\n", cluster.clock.now().format("%H:%M:%S")));
            self.printed = now;
        }
        None
    }

    fn clone_box(&self) -> Box<dyn super::StreamJob> {
        Box::new(self.clone())
    }
}

#[test]
fn streaming_jobs_stop_after_a_bounded_time_in_batch_runs() {
    let mut s = sim();
    let mut out = crate::simulator::Output::default();
    s.shell.foreground = Some(super::Foreground::Stream(Box::new(Ticker { printed: 0 })));
    s.shell.run_stream_in_batch(&mut s.cluster, &mut out);
    assert_eq!(out.display.lines().count(), 1 + super::BATCH_STREAM_SECONDS as usize + 1, "{}", out.display);
    assert!(out.display.starts_with("tick 09:00:00\ntick 09:00:01\n"), "{}", out.display);
    assert!(out.display.ends_with("tick 09:00:10\n^C\n"), "{}", out.display);
    assert_eq!(out.exit_code, 130);
    assert!(!s.shell.foreground_active());
}

#[test]
fn streaming_jobs_follow_poll_in_the_browser() {
    let mut s = sim();
    s.shell.set_interactive_terminal(true);
    s.shell.foreground = Some(super::Foreground::Stream(Box::new(Ticker { printed: 0 })));
    let start = s.cluster.clock.now().timestamp_millis();
    assert_eq!(s.poll(start).display, "tick 09:00:00\n");
    assert_eq!(s.poll(start + 500).display, "");
    assert_eq!(s.poll(start + 2_000).display, "tick 09:00:02\n");
    assert_eq!(s.feed_keys("\x03").display, "^C\n");
    assert!(!s.shell.foreground_active());
}

#[test]
fn without_job_control_jobs_run_unannounced_as_in_bash_dash_c() {
    let mut s = sim();
    s.shell.job_control = false;
    let line = s.run_line("kubectl proxy --port=8001 & sleep 1; curl -s -o /dev/null -w '%{http_code}\\n' 127.0.0.1:8001/api; kill %1; echo $-");
    assert_eq!((line.stdout.as_str(), line.stderr.as_str()), ("Starting to serve on 127.0.0.1:8001\n200\nhBc\n", ""));
    assert_eq!(s.cluster.network.kubectl_proxy_port, None);
    // With job control (the learner's terminal) the same line announces the job.
    let mut s = sim();
    let line = s.run_line("kubectl proxy --port=8001 & kill %1; echo $-");
    assert!(line.stderr.starts_with("[1] "), "{}", line.stderr);
    assert_eq!(line.stdout, "Starting to serve on 127.0.0.1:8001\n[1]+  Terminated              kubectl proxy --port=8001\nhimBHs\n");
}

#[test]
fn exit_ends_a_child_shell_not_the_terminal() {
    let mut s = sim();
    let line = s.run_line("bash -c 'echo a; exit 3; echo b'; echo \"status $?\"");
    assert_eq!((line.stdout.as_str(), line.stderr.as_str()), ("a\nstatus 3\n", ""));
    let line = s.run_line("sh -c 'for i in 1 2; do echo $i; exit 4; done'; echo $?");
    assert_eq!(line.stdout, "1\n4\n");
    // At the prompt there is no machine to log out of.
    assert!(s.run_line("exit").stderr.contains("this terminal stays open"));
}
