//! Tests of the lesson engine by feature: parsing good and malformed lessons,
//! every check type against a live simulator, quiz grading, progress, and the
//! reference-solution checker on the fixture lessons in `tests/lessons/`.

use lesson::model::{Action, Block, CheckKind, Expect, Place, QuizKind};
use lesson::quiz::{self, QuizError};
use lesson::{check_lesson, parse_lesson, Session};
use sim_core::store::Object;
use sim_core::ClusterConfig;

fn lesson_text(body: &str) -> String {
    format!("---\nid: t\ntitle: Test\ncluster:\n  workers: 1\n---\n{body}")
}

fn errors(body: &str) -> Vec<String> {
    match parse_lesson("t.md", &lesson_text(body)) {
        Ok(_) => Vec::new(),
        Err(e) => e.0.iter().map(|e| e.to_string()).collect(),
    }
}

// ---- parsing ----

const GOOD: &str = r#"Intro with <script>alert(1)</script> and [a link](javascript:alert(1)).

## First step

Run `kubectl get nodes`{{exec}} or this:

```bash run
kubectl get nodes
cat <<EOF > a.txt
hello
EOF
kubectl get pods \
  -A
```

```yaml file=web.yaml
apiVersion: v1
kind: Service
```

```
kubectl version
```{{exec}}

```console
$ kubectl get ns default
NAME      STATUS   AGE
default   Active   10m
```

```check
- exists: service/web
  hint: Create it.
- jsonpath: '{.spec.type}'
  of: svc/web
  equals: NodePort
  hint: Make it a NodePort.
- jsonpath: '{.spec.ports[0].nodePort}'
  of: svc/web
  matches: "3*"
  hint: x
- ready_pods: app=web
  count: 2
  hint: Wait for the pods.
- file: web.yaml
  contains: "kind: Service"
  hint: Create the file.
- output_contains: kind-worker
  hint: List the nodes.
- curl: http://172.18.0.2:30080
  from: pod/client
  expect: nginx
  hint: Curl it.
```

## Second step

```quiz
id: q1
question: Which?
choices:
  - text: A
    correct: true
    explain: Because.
  - text: B
    explain: No.
```

```quiz
id: q2
predict: What happens?
reveal: It works.
```

```quiz
id: q3
question: Which nodePort was assigned?
answer_from:
  of: service/web
  jsonpath: '{.spec.ports[0].nodePort}'
explain: Look at PORT(S).
```

```visualizer
scene: external-traffic-policy
title: Cluster versus Local
policy: Local
```

```action
cloud_provider: on
```
"#;

#[test]
fn a_good_lesson_parses_into_steps_and_blocks() {
    let l = parse_lesson("good.md", &lesson_text(GOOD)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(l.meta.id, "t");
    assert_eq!(l.meta.cluster.workers, 1);
    assert_eq!(l.meta.cluster.seed, 1);
    assert_eq!(l.steps.len(), 2);
    assert_eq!(l.steps[0].title, "First step");
    assert_eq!(l.steps[0].line, 9);

    // Raw HTML is escaped and script links are dropped.
    let Block::Prose { html } = &l.intro[0] else { panic!("intro is prose") };
    assert!(html.contains("&lt;script&gt;"), "{html}");
    assert!(!html.contains("<script"), "{html}");
    assert!(html.contains("href=\"#\""), "{html}");

    let blocks = &l.steps[0].blocks;
    // Inline {{exec}} marks the code and adds a runnable command after the prose.
    let Block::Prose { html } = &blocks[0] else { panic!() };
    assert!(html.contains("<code class=\"kubesim-run\">kubectl get nodes</code>"), "{html}");
    assert!(!html.contains("{{exec}}"), "{html}");
    assert!(matches!(&blocks[1], Block::Commands { inputs, run: true, .. } if inputs == &["kubectl get nodes"]));
    // A run block: heredocs and continuations stay one input each.
    let Block::Commands { inputs, run: true, .. } = &blocks[2] else { panic!("{:?}", blocks[2]) };
    assert_eq!(inputs, &["kubectl get nodes", "cat <<EOF > a.txt\nhello\nEOF", "kubectl get pods \\\n  -A"]);
    assert!(matches!(&blocks[3], Block::File { path, language, .. } if path == "web.yaml" && language == "yaml"));
    // Killercoda's ```{{exec}} after the closing fence makes the block runnable
    // (and ```{{copy}} only copyable; see below).
    assert!(matches!(&blocks[4], Block::Commands { inputs, run: true, .. } if inputs == &["kubectl version"]));
    let Block::Console { entries, .. } = &blocks[5] else { panic!() };
    assert_eq!(blocks.len(), 7);
    assert!(matches!(blocks[6], Block::Checks { first: 0, count: 7, .. }));
    assert_eq!(entries[0].input, "kubectl get ns default");
    assert_eq!(entries[0].expected, "NAME      STATUS   AGE\ndefault   Active   10m\n");
    assert_eq!(entries[0].line, 32);

    let checks = &l.steps[0].checks;
    assert_eq!(checks.len(), 7);
    assert!(
        matches!(&checks[0].kind, CheckKind::Exists { object } if object.name == "web" && object.namespace == "default")
    );
    assert!(matches!(&checks[1].kind, CheckKind::JsonPath { expect: Expect::Equals(v), .. } if v == "NodePort"));
    assert!(matches!(&checks[2].kind, CheckKind::JsonPath { expect: Expect::Matches(v), .. } if v == "3*"));
    assert!(matches!(&checks[3].kind, CheckKind::ReadyPods { count: 2, exactly: false, .. }));
    assert!(matches!(&checks[6].kind, CheckKind::Curl { from: Place::Pod(p), expect: Some(_), .. } if p == "client"));
    assert_eq!(checks[1].pos.line, 40);

    let kinds: Vec<&str> = l
        .quizzes()
        .map(|(_, q)| match q.kind {
            QuizKind::Choice { .. } => "choice",
            QuizKind::Predict { .. } => "predict",
            QuizKind::Run { .. } => "run",
        })
        .collect();
    assert_eq!(kinds, ["choice", "predict", "run"]);
    let step2 = &l.steps[1].blocks;
    assert!(step2.iter().any(|b| matches!(b, Block::Visualizer { scene, .. }
        if scene.scene == "external-traffic-policy" && scene.params["policy"] == "Local")));
    assert!(step2.iter().any(|b| matches!(b, Block::Action { action: Action::CloudProvider { enabled: true }, .. })));
}

#[test]
fn kubesim_viz_blocks_embed_the_traffic_flow_visualizer() {
    let body = "## Watch\n\n```kubesim-viz\ntitle: Where does it go?\nservice: echo\ncompare_policies: true\npredict: true\n```\n\n```kubesim-viz\n```\n";
    let l = parse_lesson("viz.md", &lesson_text(body)).unwrap_or_else(|e| panic!("{e}"));
    let vizzes: Vec<&lesson::model::TrafficFlow> = l.steps[0]
        .blocks
        .iter()
        .filter_map(|b| match b {
            Block::TrafficFlow { viz, .. } => Some(viz),
            _ => None,
        })
        .collect();
    assert_eq!(vizzes.len(), 2);
    assert_eq!(vizzes[0].title, "Where does it go?");
    assert_eq!(vizzes[0].service.as_deref(), Some("echo"));
    assert!(vizzes[0].compare_policies && vizzes[0].predict);
    assert_eq!(vizzes[1], &lesson::model::TrafficFlow::default());
    // Unknown options and wrong types are errors with a place, not silently ignored.
    let bad = errors("## S\n\n```kubesim-viz\nfocus: echo\n```\n");
    assert!(bad.iter().any(|e| e.contains("kubesim-viz") && e.contains("focus")), "{bad:?}");
    let bad = errors("## S\n\n```kubesim-viz\npredict: maybe\n```\n");
    assert!(bad.iter().any(|e| e.contains("kubesim-viz")), "{bad:?}");
}

#[test]
fn malformed_lessons_say_where() {
    // No front matter at all.
    let e = parse_lesson("x.md", "## Step\n").unwrap_err();
    assert_eq!(e.0[0].to_string(), "x.md:1:1: a lesson starts with YAML front matter between two `---` lines");
    // Bad YAML in the front matter: the position is in the file, not the block.
    let e = parse_lesson("x.md", "---\nid: a\ntitle: [unclosed\n---\n## S\n").unwrap_err();
    assert!(e.0[0].to_string().starts_with("x.md:3:"), "{e}");
    // Unknown front matter key.
    let e = parse_lesson("x.md", "---\nid: a\ntitle: T\nlevel: 3\n---\n## S\n").unwrap_err();
    assert!(e.to_string().contains("unknown field `level`"), "{e}");
    // No steps.
    assert_eq!(errors("just text\n"), ["t.md:7:1: a lesson needs at least one step (a `## Title` section)"]);
    // A check without a hint, one naming two things, and bad YAML, each at its line.
    let body = "## S\n\n```check\n- exists: service/web\n- exists: pod/a\n  file: x\n  hint: h\n```\n\n```check\n- exists: [\n```\n";
    assert_eq!(
        errors(body),
        [
            "t.md:10:1: check: every check needs a hint, shown when it fails",
            "t.md:11:1: check: name exactly one of exists, absent, jsonpath, ready_pods, file, output_contains, curl",
            "t.md:17:11: check: .[0].exists: invalid type: sequence, expected a string"
        ]
    );
    // Unknown resource type, quiz without a correct choice, duplicate quiz ids.
    let body = "## S\n\n```check\n- exists: widget/a\n  hint: h\n```\n\n```quiz\nid: a\nquestion: Q\nchoices:\n  - text: x\n  - text: y\n```\n\n```quiz\nid: a\npredict: P\nreveal: R\n```\n";
    assert_eq!(
        errors(body),
        [
            "t.md:10:1: check: unknown resource type \"widget\"",
            "t.md:15:1: quiz: mark at least one choice `correct: true`",
        ]
    );
    let body = "## S\n\n```quiz\nid: a\npredict: P\nreveal: R\n```\n\n```quiz\nid: a\npredict: P\nreveal: R\n```\n";
    assert_eq!(errors(body), ["t.md:15:1: quiz id \"a\" is used twice"]);
    // Console blocks begin with a command; code blocks must be closed.
    assert_eq!(
        errors("## S\n\n```console\noutput\n```\n"),
        ["t.md:10:1: a console block starts with a `$ command` line"]
    );
    assert_eq!(
        errors("## S\n\n```bash frobnicate\nls\n```\n"),
        ["t.md:9:1: unknown code block attribute \"frobnicate\" (expected run, copy, solution or file=NAME)"]
    );
}

// ---- checks ----

/// A session on the default cluster with a NodePort Service and two ready pods
/// put straight into the store (the engine reads the store; how objects got
/// there is the simulator's business).
fn session_with(checks: &str) -> Session {
    let text = lesson_text(&format!("## S\n\n```check\n{checks}```\n"));
    let lesson = parse_lesson("t.md", &text).unwrap_or_else(|e| panic!("{e}"));
    let mut s = Session::start(lesson, ClusterConfig::default()).unwrap_or_else(|e| panic!("{e}"));
    let svc: Object = Object::from_json(serde_json::json!({
        "apiVersion": "v1", "kind": "Service",
        "metadata": {"name": "web", "namespace": "default"},
        "spec": {"type": "NodePort", "selector": {"app": "web"}, "ports": [{"port": 80, "nodePort": 30080}]}
    }))
    .unwrap();
    s.sim.cluster.insert_new(svc);
    for (name, ready) in [("web-1", "True"), ("web-2", "True"), ("web-3", "False")] {
        let pod = Object::from_json(serde_json::json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": "default", "labels": {"app": "web"}},
            "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": ready}]}
        }))
        .unwrap();
        s.sim.cluster.insert_new(pod);
    }
    s
}

fn results(s: &Session) -> Vec<bool> {
    s.evaluate_step(0).iter().map(|r| r.passed).collect()
}

#[test]
fn object_checks_read_the_store() {
    let s = session_with(
        "- exists: service/web\n  hint: h\n- exists: svc/api\n  hint: h\n- absent: service/api\n  hint: h\n\
         - absent: deploy/web\n  hint: h\n- exists: node/kind-worker\n  hint: h\n- exists: service/web\n  namespace: other\n  hint: h\n",
    );
    assert_eq!(results(&s), [true, false, true, true, true, false]);
}

#[test]
fn jsonpath_checks_compare_and_match() {
    let s = session_with(
        "- jsonpath: '{.spec.type}'\n  of: service/web\n  equals: NodePort\n  hint: h\n\
         - jsonpath: '{.spec.ports[0].nodePort}'\n  of: service/web\n  equals: 30080\n  hint: h\n\
         - jsonpath: '{.spec.ports[0].nodePort}'\n  of: service/web\n  matches: '3*0'\n  hint: h\n\
         - jsonpath: '{.spec.type}'\n  of: service/web\n  equals: ClusterIP\n  hint: h\n\
         - jsonpath: '{.spec.clusterIP}'\n  of: service/web\n  hint: h\n\
         - jsonpath: '{.status.addresses[?(@.type==\"InternalIP\")].address}'\n  of: node/kind-control-plane\n  equals: 172.18.0.2\n  hint: h\n",
    );
    assert_eq!(results(&s), [true, true, true, false, false, true]);
}

#[test]
fn ready_pod_checks_count_ready_pods_matching_the_selector() {
    let s = session_with(
        "- ready_pods: app=web\n  count: 2\n  hint: h\n- ready_pods: app=web\n  count: 3\n  hint: h\n\
         - ready_pods: app=web\n  count: 1\n  exactly: true\n  hint: h\n- ready_pods: app=api\n  count: 0\n  exactly: true\n  hint: h\n\
         - ready_pods: app!=web\n  count: 1\n  hint: h\n",
    );
    assert_eq!(results(&s), [true, false, false, true, false]);
}

#[test]
fn output_checks_remember_what_the_learner_has_seen() {
    let mut s = session_with("- output_contains: kind-control-plane\n  hint: h\n- exists: service/api\n  hint: h\n");
    assert_eq!(results(&s), [false, false]);
    s.run_line("kubectl get nodes");
    assert_eq!(results(&s), [true, false]);
    assert!(!s.tracker.progress.steps[0].complete);
    // A later command does not undo what was seen; the step completes when the
    // rest of its checks pass.
    s.run_line("kubectl version --client");
    assert_eq!(results(&s), [true, false]);
    let api = Object::from_json(serde_json::json!({
        "apiVersion": "v1", "kind": "Service", "metadata": {"name": "api", "namespace": "default"}
    }))
    .unwrap();
    s.sim.cluster.insert_new(api);
    assert_eq!(s.refresh(), [0]);
    assert!(s.tracker.progress.steps[0].complete);
}

#[test]
fn the_checker_waits_at_check_blocks_like_a_learner() {
    // Without waiting at the check, the transcript would run before the pod is up.
    let text = lesson_text(
        "## S\n\n```bash run\nkubectl create deployment web --image=nginx:1.28\n```\n\n\
         ```check\n- ready_pods: app=web\n  hint: h\n```\n\n\
         ```console\n$ kubectl get pods -l app=web -o jsonpath='{.items[0].status.phase}'\nRunning\n```\n",
    );
    let l = parse_lesson("t.md", &text).unwrap_or_else(|e| panic!("{e}"));
    assert!(matches!(l.steps[0].blocks[1], Block::Checks { first: 0, count: 1, .. }));
    let report = check_lesson(&l);
    assert!(report.passed(), "{:#?}", report.failures);
}

#[test]
fn file_and_curl_checks_fail_with_a_reason_when_they_cannot_pass() {
    let s = session_with(
        "- file: nothing.yaml\n  contains: x\n  hint: h\n- curl: http://10.96.0.1:80\n  from: host\n  hint: h\n",
    );
    let r = s.evaluate_step(0);
    assert!(!r[0].passed && !r[0].detail.is_empty(), "{r:?}");
    assert!(!r[1].passed && !r[1].detail.is_empty(), "{r:?}");
}

#[test]
fn checks_never_change_the_learners_simulator() {
    let s = session_with("- curl: http://172.18.0.2:30080\n  hint: h\n- file: a.txt\n  contains: x\n  hint: h\n");
    let before = (s.sim.cluster.clock.now(), s.sim.shell.history.clone(), s.sim.cluster.store.resource_version());
    let _ = s.evaluate_step(0);
    let after = (s.sim.cluster.clock.now(), s.sim.shell.history.clone(), s.sim.cluster.store.resource_version());
    assert_eq!(before, after);
}

// ---- quizzes ----

#[test]
fn quiz_grading() {
    let mut s = session_with("- exists: service/web\n  hint: h\n");
    let text = lesson_text(GOOD);
    s.lesson = parse_lesson("t.md", &text).unwrap();
    s.tracker.progress = lesson::Progress::new(&s.lesson);

    // Multiple choice: right only with exactly the correct choices; all explanations come back.
    let f = s.answer_choice("q1", &[0]).unwrap();
    assert!(f.correct);
    assert_eq!(f.choices.iter().map(|c| c.explain.as_str()).collect::<Vec<_>>(), ["Because.", "No."]);
    assert!(!s.answer_choice("q1", &[1]).unwrap().correct);
    assert!(!s.answer_choice("q1", &[0, 1]).unwrap().correct);
    assert!(matches!(s.answer_choice("q1", &[5]), Err(QuizError::WrongAnswerKind(_))));
    assert!(matches!(s.answer_choice("q2", &[0]), Err(QuizError::WrongAnswerKind(_))));

    // Predict, then reveal: nothing is revealed without a prediction; the first one sticks.
    assert!(s.commit_prediction("q2", "  ").is_err());
    assert_eq!(s.commit_prediction("q2", "it fails").unwrap().reveal, "It works.");
    s.commit_prediction("q2", "it works").unwrap();
    assert_eq!(
        s.tracker.progress.quizzes.get("q2"),
        Some(&quiz::QuizAnswer::Prediction { prediction: "it fails".into(), correct: None })
    );

    // Answered by running something: graded against the learner's own cluster.
    let f = s.answer_run("q3", " 30080 ").unwrap();
    assert!(f.correct);
    assert_eq!(f.expected, "30080");
    assert!(!s.answer_run("q3", "30081").unwrap().correct);
    s.sim.cluster.store.remove(&sim_core::store::ObjectKey::new(sim_core::resources::Kind::Service, "default", "web"));
    assert!(matches!(s.answer_run("q3", "30080"), Err(QuizError::NotAnswerableYet(_))));

    // Progress survives a round trip through JSON.
    let json = serde_json::to_string(&s.tracker.progress).unwrap();
    let back: lesson::Progress = serde_json::from_str(&json).unwrap();
    assert_eq!(back, s.tracker.progress);
}

#[test]
fn predictions_among_choices_say_whether_they_were_right() {
    let text = lesson_text("## S\n\n```quiz\nid: p\npredict: Does it?\nchoices:\n  - text: Yes\n    correct: true\n  - text: No\nreveal: Yes.\n```\n");
    let l = parse_lesson("t.md", &text).unwrap();
    let q = l.quiz("p").unwrap();
    assert_eq!(quiz::reveal(q, "0").unwrap().correct, Some(true));
    assert_eq!(quiz::reveal(q, "1").unwrap().correct, Some(false));
    assert!(quiz::reveal(q, "2").is_err());
    assert!(quiz::reveal(q, "yes").is_err());
}

// ---- the reference-solution checker ----

fn fixture(name: &str) -> lesson::Lesson {
    let path = format!("{}/../../tests/lessons/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    parse_lesson(name, &text).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn the_fixture_lesson_passes() {
    let report = check_lesson(&fixture("get-nodes.md"));
    assert!(report.passed(), "{:#?}", report.failures);
    assert_eq!(report.steps, 2);
}

#[test]
fn a_wrong_transcript_and_a_failing_check_are_reported_with_their_step() {
    let report = check_lesson(&fixture("get-nodes-broken.md"));
    let summary: Vec<(Option<usize>, usize, &str)> =
        report.failures.iter().map(|f| (f.step.as_ref().map(|s| s.0), f.line, f.message.as_str())).collect();
    assert_eq!(summary.len(), 3, "{summary:#?}");
    assert_eq!(summary[0].0, Some(0));
    assert!(summary[0].2.starts_with("console output differs: $ kubectl get nodes"), "{summary:#?}");
    assert!(report.failures[0].diff.contains("- \"kind-worker3"), "{}", report.failures[0].diff);
    assert_eq!(summary[1].0, Some(1));
    assert!(summary[1].2.starts_with("command exited 1"), "{summary:#?}");
    assert!(summary[2].2.contains("hint: There is no such namespace."), "{summary:#?}");
    assert_eq!(report.steps_passed(), 0);
}

// ---- the start cluster ----

#[test]
fn the_start_cluster_follows_the_front_matter() {
    let text = "---\nid: s\ntitle: S\ncluster:\n  workers: 3\n  seed: 7\n  cloud_provider: true\n  images: [example.com/shop]\nfiles:\n  - path: notes.txt\n    content: |\n      remember 30080\n---\n## S\n";
    let lesson = parse_lesson("s.md", text).unwrap_or_else(|e| panic!("{e}"));
    let mut s = Session::start(lesson, ClusterConfig::default()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.sim.config().seed, 7);
    assert!(s
        .sim
        .cluster
        .store
        .get(&sim_core::store::ObjectKey::new(sim_core::resources::Kind::Node, "", "kind-worker3"))
        .is_some());
    assert!(s.sim.cluster.cloud_provider.is_some());
    assert_eq!(s.sim.cluster.controllers.extra_images, ["example.com/shop"]);
    // Files land in the home directory without a command in the learner's history.
    assert!(s.sim.shell.history.is_empty(), "{:?}", s.sim.shell.history);
    assert_eq!(lesson::environment::read_file(&s.sim, "notes.txt").as_deref(), Ok("remember 30080\n"));
    // The cloud can be switched off and on again by an action.
    s.apply_action(&Action::CloudProvider { enabled: false }).unwrap();
    assert!(s.sim.cluster.cloud_provider.is_none());
    s.apply_action(&Action::CloudProvider { enabled: true }).unwrap();
    assert!(s.sim.cluster.cloud_provider.is_some());
}

#[test]
fn setup_objects_are_a_manifest_or_a_command() {
    let text = "---\nid: s\ntitle: S\ncluster:\n  objects:\n    - command: kubectl get nodes\n    - manifest: |\n        apiVersion: v1\n        kind: ConfigMap\n        metadata:\n          name: settings\n---\n## S\n";
    let lesson = parse_lesson("s.md", text).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(lesson.meta.cluster.objects.len(), 2);
    assert_eq!(lesson.meta.cluster.objects[0].command.as_deref(), Some("kubectl get nodes"));
    assert!(lesson.meta.cluster.objects[1].manifest.as_deref().is_some_and(|m| m.contains("kind: ConfigMap")));
    let s = Session::start(lesson, ClusterConfig::default()).unwrap_or_else(|e| panic!("{e}"));
    assert!(s
        .sim
        .cluster
        .store
        .list(sim_core::resources::Kind::ConfigMap, Some("default"))
        .any(|o| o.name() == "settings"));
    // The setup's commands are not in the learner's history.
    assert!(s.sim.shell.history.is_empty(), "{:?}", s.sim.shell.history);
    let both = "---\nid: s\ntitle: S\ncluster:\n  objects:\n    - command: a\n      manifest: b\n---\n## S\n";
    let e = parse_lesson("s.md", both).unwrap_err();
    assert_eq!(
        e.0[0].to_string(),
        "s.md:2:1: front matter: each of cluster.objects is either `manifest: |` or `command: ...`"
    );
    // A setup command that fails stops the lesson with its output.
    let failing = "---\nid: s\ntitle: S\ncluster:\n  objects:\n    - command: kubectl get widgets\n---\n## S\n";
    let err = Session::start(parse_lesson("s.md", failing).unwrap(), ClusterConfig::default()).unwrap_err();
    assert!(err.starts_with("setup command failed (exit 1):\n$ kubectl get widgets\n"), "{err}");
}

// ---- the course and its documentation ----

fn repo_file(path: &str) -> String {
    let full = format!("{}/../../{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{full}: {e}"))
}

#[test]
fn every_course_lesson_parses_with_unique_ids_and_known_prerequisites() {
    let dir = format!("{}/../../lessons", env!("CARGO_MANIFEST_DIR"));
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{dir}: {e}"))
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .filter(|n| n.ends_with(".md") && n != "README.md")
        .collect();
    names.sort();
    assert!(names.len() >= 6, "{names:?}");
    let lessons: Vec<lesson::Lesson> = names
        .iter()
        .map(|n| parse_lesson(n, &repo_file(&format!("lessons/{n}"))).unwrap_or_else(|e| panic!("{e}")))
        .collect();
    let ids: Vec<&str> = lessons.iter().map(|l| l.meta.id.as_str()).collect();
    for (i, l) in lessons.iter().enumerate() {
        assert!(!ids[..i].contains(&l.meta.id.as_str()), "duplicate id {}", l.meta.id);
        for p in &l.meta.prerequisites {
            assert!(ids.contains(&p.as_str()), "{}: unknown prerequisite {p}", l.file);
        }
        // Every lesson ends with a hands-on challenge the engine checks.
        let last = l.steps.last().unwrap_or_else(|| panic!("{}: no steps", l.file));
        assert!(last.title.starts_with("Challenge"), "{}: last step is {:?}", l.file, last.title);
        assert!(!last.checks.is_empty(), "{}: the challenge has no checks", l.file);
        assert!(
            last.blocks.iter().any(|b| matches!(b, Block::Commands { solution: true, .. })),
            "{}: the challenge has no solution block",
            l.file
        );
        assert!(l.quizzes().count() >= 2, "{}: fewer than two quizzes", l.file);
    }
}

#[test]
fn the_readme_example_and_snippets_parse() {
    let readme = repo_file("lessons/README.md");
    let example = readme.split("## A complete example").nth(1).unwrap_or_else(|| panic!("no complete example"));
    let body = example.split("````markdown\n").nth(1).unwrap_or_else(|| panic!("no ````markdown block"));
    let body = body.split("\n````\n").next().unwrap_or("");
    let l = parse_lesson("README example", &format!("{body}\n")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(l.meta.id, "nodeport-basics");
    assert_eq!(l.steps.len(), 2);
    // The check and quiz snippets of the format sections parse inside a lesson.
    let checks = readme.split("### Checks").nth(1).and_then(|s| s.split("```yaml\n").nth(1)).unwrap_or("");
    let checks = checks.split("```").next().unwrap_or("");
    let l = parse_lesson("README checks", &lesson_text(&format!("## S\n\n```check\n{checks}```\n")))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(l.steps[0].checks.len(), 9);
    let quizzes = readme.split("### Quizzes").nth(1).unwrap_or("");
    let quizzes = quizzes.split("### Visualizer").next().unwrap_or("");
    let mut count = 0;
    for block in quizzes.split("```yaml\n").skip(1) {
        let yaml = block.split("```").next().unwrap_or("");
        parse_lesson("README quiz", &lesson_text(&format!("## S\n\n```quiz\n{yaml}```\n")))
            .unwrap_or_else(|e| panic!("{e}"));
        count += 1;
    }
    assert_eq!(count, 3);
}

#[test]
fn killercoda_copy_annotations_make_copy_only_commands() {
    let text = lesson_text("## S\n\nCopy `kubectl get svc`{{copy}} now.\n\n```\nkubectl get pods\n```{{copy}}\n");
    let l = parse_lesson("t.md", &text).unwrap_or_else(|e| panic!("{e}"));
    let blocks = &l.steps[0].blocks;
    let Block::Prose { html } = &blocks[0] else { panic!("{blocks:?}") };
    assert!(html.contains("<code class=\"kubesim-copy\">kubectl get svc</code> now."), "{html}");
    assert!(
        matches!(&blocks[1], Block::Commands { inputs, run: false, copy: true, .. } if inputs == &["kubectl get svc"])
    );
    assert!(
        matches!(&blocks[2], Block::Commands { inputs, run: false, copy: true, .. } if inputs == &["kubectl get pods"])
    );
    // The checker does not run copy-only commands.
    let report = check_lesson(&l);
    assert!(report.passed(), "{:#?}", report.failures);
}

#[test]
fn the_parser_never_panics_on_cut_or_odd_input() {
    // Every prefix of a full lesson (cut anywhere, even inside a fence or a YAML
    // block) parses or reports errors; none panics.
    let full = lesson_text(GOOD);
    for (i, _) in full.char_indices() {
        let _ = parse_lesson("cut.md", &full[..i]);
    }
    for odd in [
        "",
        "---",
        "---\n---",
        "---\n---\n",
        "\u{feff}---\nid: a\n---\n",
        "---\nid: é\ntitle: ü\n---\n## ß\n```\u{1F600}\n",
    ] {
        let _ = parse_lesson("odd.md", odd);
    }
}

/// Lessons are tests too: every lesson of the course runs its reference solution
/// (the same as `kubesim lesson check lessons`), so a simulator change that breaks
/// a lesson fails here with the step and the diff.
#[test]
fn every_course_lesson_passes_its_reference_solution() {
    let dir = format!("{}/../../lessons", env!("CARGO_MANIFEST_DIR"));
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{dir}: {e}"))
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .filter(|n| n.ends_with(".md") && n != "README.md")
        .collect();
    names.sort();
    let mut failures = String::new();
    for name in &names {
        let lesson = parse_lesson(name, &repo_file(&format!("lessons/{name}"))).unwrap_or_else(|e| panic!("{e}"));
        let report = check_lesson(&lesson);
        for f in &report.failures {
            let step = f.step.as_ref().map_or("setup".to_string(), |s| format!("step {} {:?}", s.0 + 1, s.1));
            failures.push_str(&format!("{name}:{}: {step}: {}\n{}", f.line, f.message, f.diff));
        }
    }
    assert!(failures.is_empty(), "{failures}");
}

#[test]
fn steps_complete_in_order_and_work_done_ahead_counts_when_reached() {
    let text = lesson_text(
        "## One\n\n```check\n- exists: service/one\n  hint: h\n```\n\n## Read\n\nJust text.\n\n\
         ## Two\n\n```check\n- exists: node/kind-worker\n  hint: h\n```\n",
    );
    let l = parse_lesson("t.md", &text).unwrap_or_else(|e| panic!("{e}"));
    let mut s = Session::start(l, ClusterConfig::default()).unwrap_or_else(|e| panic!("{e}"));
    // Step Two's check already holds, but step One comes first.
    assert_eq!(s.refresh(), Vec::<usize>::new());
    assert_eq!(s.tracker.progress.current_step(), 0);
    assert_eq!(s.tracker.progress.steps[2].checks, [false]);
    let one = Object::from_json(serde_json::json!({
        "apiVersion": "v1", "kind": "Service", "metadata": {"name": "one", "namespace": "default"}
    }))
    .unwrap();
    s.sim.cluster.insert_new(one);
    // One completes, the text-only step does not hold things up, and Two follows.
    assert_eq!(s.refresh(), [0, 2]);
    assert_eq!(s.tracker.progress.current_step(), 1);
    s.mark_read(1);
    assert!(s.tracker.progress.is_complete());
}

#[test]
fn update_transcripts_rewrites_only_what_differs() {
    let l = fixture("get-nodes-broken.md");
    let report = check_lesson(&l);
    assert_eq!(report.transcripts.len(), 1);
    let source = repo_file("tests/lessons/get-nodes-broken.md");
    let (updated, n) = lesson::update_transcripts(&source, &report);
    assert_eq!(n, 1);
    assert_eq!(updated, source.replace("kind-worker3 ", "kind-worker2 "));
    // A fixed lesson has nothing to update.
    let fixed = parse_lesson("fixed.md", &updated).unwrap_or_else(|e| panic!("{e}"));
    assert!(check_lesson(&fixed).transcripts.is_empty());
}
