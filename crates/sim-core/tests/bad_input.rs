//! Bad input never crashes, hangs or corrupts the simulator (issue 10).
//!
//! Every case goes through the public surface a learner reaches (`Simulator::run_line`,
//! `feed_keys`, `persist::restore_cluster`) and checks four things: the text real
//! kubectl or bash prints (exactly, or its documented prefix where the exact text
//! depends on a server we cannot run), the exit status, that the call returned
//! within a bounded time (no hang, no runaway allocation), and that the cluster's
//! objects are what they would have been had the learner typed `:` instead.
//! A panic anywhere fails the case with its message rather than aborting the run,
//! so one report lists every broken case.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::cell::OnceCell;
use std::time::{Duration, Instant};

use sim_core::{persist, ClusterConfig, Output, Simulator};

/// Wall-clock bound per case. Generous for unoptimised test builds on a shared
/// two-core machine; a hang or an exponential blow-up overshoots it by far.
const TIME_BOUND: Duration = Duration::from_secs(60);

/// What a case must print.
enum Expect {
    /// Exactly this display (stdout and stderr interleaved) and exit status.
    Exact(&'static str, i32),
    /// Display starting with this text, and this exit status.
    Prefix(&'static str, i32),
    /// Display containing this text, and this exit status.
    Contains(&'static str, i32),
    /// Owned variants for generated inputs.
    ExactOwned(String, i32),
}

struct Case {
    name: String,
    input: String,
    expect: Expect,
}

fn case(name: &str, input: impl Into<String>, expect: Expect) -> Case {
    Case { name: name.to_string(), input: input.into(), expect }
}

/// A simulator ten minutes after creation with its controllers settled, shared by
/// every case (each case runs on its own clone).
fn base() -> Simulator {
    thread_local! {
        static BASE: OnceCell<Simulator> = const { OnceCell::new() };
    }
    BASE.with(|b| {
        b.get_or_init(|| {
            let mut sim = Simulator::new(ClusterConfig::default());
            sim.run_line("kubectl create deployment web --image=nginx --replicas=2");
            sim.run_line("kubectl expose deployment web --port=80");
            sim.advance_by_millis(120_000);
            sim
        })
        .clone()
    })
}

/// The stored objects with resourceVersions, as the API server would list them.
fn objects(sim: &Simulator) -> String {
    let saved = persist::save_cluster(&sim.cluster);
    let doc: serde_json::Value = serde_json::from_str(&saved).unwrap_or_default();
    format!("{}\n{}", doc["resource_version"], doc["objects"])
}

/// Runs `input` and the no-op `:` on two clones; returns the output and whether the
/// stores differ. Err carries a panic message or the time overrun.
fn run_guarded(input: &str, keys: Option<&str>) -> Result<(Output, bool), String> {
    let mut control = base();
    control.run_line(":");
    let mut sim = base();
    let started = Instant::now();
    let result = catch_unwind(AssertUnwindSafe(|| {
        let mut out = sim.run_line(input);
        if let Some(keys) = keys {
            let more = sim.feed_keys(keys);
            out.display.push_str(&more.display);
            out.exit_code = more.exit_code;
        }
        out
    }));
    let elapsed = started.elapsed();
    let out = match result {
        Ok(out) => out,
        Err(p) => {
            let msg = p.downcast_ref::<String>().cloned().or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string())).unwrap_or_default();
            return Err(format!("panicked: {msg}"));
        }
    };
    if elapsed > TIME_BOUND {
        return Err(format!("took {elapsed:?}"));
    }
    Ok((out, objects(&control) != objects(&sim)))
}

fn short(s: &str) -> String {
    if s.len() <= 400 {
        return s.to_string();
    }
    let mut end = 400;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...[{} bytes]", &s[..end], s.len())
}

fn check_cases(cases: Vec<Case>) {
    let mut failures = Vec::new();
    let total = cases.len();
    for c in cases {
        let (out, changed) = match run_guarded(&c.input, None) {
            Ok(r) => r,
            Err(e) => {
                failures.push(format!("{}: {e}", c.name));
                continue;
            }
        };
        let (ok, want) = match &c.expect {
            Expect::Exact(d, code) => (out.display == *d && out.exit_code == *code, format!("exactly {d:?} exit {code}")),
            Expect::ExactOwned(d, code) => (out.display == *d && out.exit_code == *code, format!("exactly {:?} exit {code}", short(d))),
            Expect::Prefix(p, code) => (out.display.starts_with(p) && out.exit_code == *code, format!("prefix {p:?} exit {code}")),
            Expect::Contains(p, code) => (out.display.contains(p) && out.exit_code == *code, format!("containing {p:?} exit {code}")),
        };
        if !ok {
            failures.push(format!("{}: want {want}\n   got {:?} exit {}", c.name, short(&out.display), out.exit_code));
        }
        if changed {
            failures.push(format!("{}: the cluster's objects changed", c.name));
        }
    }
    assert!(failures.is_empty(), "{} of {total} cases failed:\n{}", failures.len(), failures.join("\n"));
}

/// `kubectl apply -f -` with `doc` on stdin, as a heredoc typed at the prompt.
fn apply(doc: &str) -> String {
    format!("kubectl apply -f - <<'EOF'\n{doc}\nEOF")
}

/// Manifests that do not parse: the texts of kubectl 1.32's YAML-to-JSON step
/// (sigs.k8s.io/yaml over go-yaml v2), checked with `kubectl apply --dry-run=client`.
#[test]
fn malformed_manifests() {
    use Expect::*;
    let cases = vec![
        case("flow sequence not closed", apply("apiVersion: v1\nkind: Pod\nmetadata:\n  name: [oops"), Exact("error: error parsing STDIN: error converting YAML to JSON: yaml: line 4: did not find expected ',' or ']'\n", 1)),
        case("tab indentation", apply("apiVersion: v1\nkind: Pod\nmetadata:\n\tname: x"), Exact("error: error parsing STDIN: error converting YAML to JSON: yaml: line 4: found character that cannot start any token\n", 1)),
        case("truncated JSON", apply("{\"apiVersion\": \"v1\", \"kind\": \"Pod\", \"metadata\": {\"name\": \"x\""), Exact("error: error parsing STDIN: unexpected EOF\n", 1)),
        // kubectl names the anchor (`unknown anchor 'c' referenced`); kubesim's parser does not.
        case("unknown anchor", apply("a: &a [1]\nb: *c"), Prefix("error: error parsing STDIN: error converting YAML to JSON: yaml: unknown anchor", 1)),
        case("no apiVersion", apply("kind: Pod\nmetadata:\n  name: x"), Exact("error: error validating \"STDIN\": error validating data: apiVersion not set; if you choose to ignore these errors, turn validation off with --validate=false\n", 1)),
        case("top-level list", apply("- 1\n- 2"), Exact("error: error validating \"STDIN\": error validating data: invalid object to validate; if you choose to ignore these errors, turn validation off with --validate=false\n", 1)),
        case("bare scalar", apply("hello"), Exact("error: error validating \"STDIN\": error validating data: invalid object to validate; if you choose to ignore these errors, turn validation off with --validate=false\n", 1)),
        case("unclosed quote", apply("apiVersion: v1\nkind: Pod\nmetadata:\n  name: \"x"), Prefix("error: error parsing STDIN: error converting YAML to JSON: yaml: ", 1)),
        case("mapping in a scalar", apply("apiVersion: v1\nkind: Pod: x"), Prefix("error: error parsing STDIN: error converting YAML to JSON: yaml: ", 1)),
        case("bad indentation", apply("apiVersion: v1\n kind: Pod\nmetadata:\n  name: x"), Prefix("error: error parsing STDIN: error converting YAML to JSON: yaml: ", 1)),
        case("lone colon", apply(":"), Prefix("error: ", 1)),
        case("only dashes", apply("---\n---\n---"), Exact("error: no objects passed to apply\n", 1)),
        case("empty stdin", "kubectl apply -f - < /dev/null", Exact("error: no objects passed to apply\n", 1)),
        case("control characters", apply("apiVersion: v1\nkind: Pod\nmetadata:\n  name: \u{7}\u{1b}[31m"), Prefix("error: error parsing STDIN: ", 1)),
        case("NUL byte", apply("apiVersion: v1\x00\nkind: Pod"), Prefix("error: error parsing STDIN: ", 1)),
        case("JSON array", apply("[1, 2, 3]"), Prefix("error: ", 1)),
        case("JSON number", apply("42"), Prefix("error: ", 1)),
        case("JSON null", apply("null"), Prefix("error: ", 1)),
        case("kind is a number", apply("apiVersion: v1\nkind: 7\nmetadata:\n  name: x"), Prefix("error: ", 1)),
        case("metadata is a list", apply("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  - name: x"), Prefix("error: ", 1)),
        case("empty kind", apply("apiVersion: v1\nkind: \"\"\nmetadata:\n  name: x"), Prefix("error: ", 1)),
        case("unknown document start", apply("%YAML 9.9\n---\na: 1"), Prefix("error: ", 1)),
        case("merge key of a scalar", apply("a: &x 1\nb:\n  <<: *x"), Prefix("error: ", 1)),
        case("file that does not exist", "kubectl apply -f /nope.yaml", Exact("error: the path \"/nope.yaml\" does not exist\n", 1)),
        case("directory with nothing", "mkdir -p /tmp/emptydir && kubectl apply -f /tmp/emptydir", Exact("error: no objects passed to apply\n", 1)),
        case("create with garbage", "echo '{{{' | kubectl create -f -", Prefix("error: error parsing STDIN: ", 1)),
        case("replace with garbage", "echo ']' | kubectl replace -f -", Prefix("error: ", 1)),
        case("delete with garbage", "echo ']' | kubectl delete -f -", Prefix("error: error parsing STDIN: ", 1)),
    ];
    check_cases(cases);
}

/// Manifests that parse but are wrong: unknown types, wrong field types, values out
/// of range, invalid names. The API server's messages (REFERENCE.md, apiserver/).
#[test]
fn invalid_objects() {
    use Expect::*;
    let pod = |name: &str| format!("apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\nspec:\n  containers:\n  - name: c\n    image: nginx");
    let deploy = |replicas: &str| format!("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  replicas: {replicas}\n  selector:\n    matchLabels:\n      app: d\n  template:\n    metadata:\n      labels:\n        app: d\n    spec:\n      containers:\n      - name: c\n        image: nginx");
    let svc = |ports: &str| format!("apiVersion: v1\nkind: Service\nmetadata:\n  name: s\nspec:\n  selector:\n    app: d\n  ports:{ports}");
    let cases = vec![
        case("unknown apiVersion and kind", apply("apiVersion: foo/v9\nkind: Widget\nmetadata:\n  name: x"), Exact("error: resource mapping not found for name: \"x\" namespace: \"\" from \"STDIN\": no matches for kind \"Widget\" in version \"foo/v9\"\nensure CRDs are installed first\n", 1)),
        case("known kind, wrong version", apply("apiVersion: v2\nkind: Pod\nmetadata:\n  name: x"), Prefix("error: resource mapping not found for name: \"x\" namespace: \"\" from \"STDIN\": no matches for kind \"Pod\" in version \"v2\"", 1)),
        case("replicas is a string", apply(&deploy("\"three\"")), Prefix("Error from server (BadRequest): error when creating \"STDIN\": Deployment in version \"v1\" cannot be handled as a Deployment:", 1)),
        case("replicas negative", apply(&deploy("-1")), Contains("spec.replicas: Invalid value: -1: must be greater than or equal to 0", 1)),
        case("replicas huge", apply(&deploy("99999999999")), Prefix("Error from server (BadRequest)", 1)),
        case("replicas float", apply(&deploy("1.5")), Prefix("Error from server (BadRequest)", 1)),
        case("ports is a number", apply(&svc(" 80")), Prefix("Error from server (BadRequest): error when creating \"STDIN\": Service in version \"v1\" cannot be handled as a Service:", 1)),
        case("port too large", apply(&svc("\n  - port: 99999999999")), Prefix("Error from server (BadRequest)", 1)),
        case("port 70000", apply(&svc("\n  - port: 70000")), Contains("spec.ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive", 1)),
        case("port zero", apply(&svc("\n  - port: 0")), Contains("spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive", 1)),
        case("port negative", apply(&svc("\n  - port: -5")), Contains("must be between 1 and 65535, inclusive", 1)),
        case("nodePort out of range", apply(&svc("\n  - port: 80\n    nodePort: 80\n  type: NodePort")), Contains("provided port is not in the valid range", 1)),
        case("upper-case name", apply(&pod("Web")), Prefix("The Pod \"Web\" is invalid: metadata.name: Invalid value: \"Web\": a lowercase RFC 1123 subdomain must consist of", 1)),
        case("name of 300 characters", apply(&pod(&"a".repeat(300))), Contains("must be no more than 253 characters", 1)),
        case("unicode name", apply(&pod("\"é\"")), Prefix("The Pod \"é\" is invalid: metadata.name: Invalid value: \"é\"", 1)),
        case("name with a slash", apply(&pod("a/b")), Prefix("The Pod \"a/b\" is invalid", 1)),
        case("service name of 64 characters", apply(&format!("apiVersion: v1\nkind: Service\nmetadata:\n  name: {}\nspec:\n  ports:\n  - port: 80", "s".repeat(64))), Contains("must be no more than 63 characters", 1)),
        case("empty name", apply(&pod("\"\"")), Prefix("error: ", 1)),
        case("pod without containers", apply("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec: {}"), Contains("spec.containers: Required value", 1)),
        case("selector does not match template", apply(&deploy("1").replace("app: d\n  template", "app: other\n  template")), Contains("`selector` does not match template `labels`", 1)),
        case("namespace that does not exist", apply(&pod("p").replace("name: p", "name: p\n  namespace: nope")), Contains("namespaces \"nope\" not found", 1)),
        case("create -f with unknown kind", format!("kubectl create -f - <<'EOF'\n{}\nEOF", "apiVersion: v1\nkind: Nope\nmetadata:\n  name: x"), Prefix("error: resource mapping not found", 1)),
        case("container port as text", apply(&pod("p").replace("image: nginx", "image: nginx\n    ports:\n    - containerPort: eighty")), Prefix("Error from server (BadRequest)", 1)),
        case("labels a list", apply("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  labels: [a, b]"), Prefix("Error from server (BadRequest)", 1)),
        case("bad label value", apply("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  labels:\n    a: \"has spaces\""), Contains("metadata.labels: Invalid value: \"has spaces\"", 1)),
    ];
    check_cases(cases);
}

/// kubectl command lines with wrong flags, values and names (checked against
/// kubectl 1.32 where it answers without a server).
#[test]
fn kubectl_arguments() {
    use Expect::*;
    let cases = vec![
        case("replicas not a number", "kubectl create deployment x --image=nginx --replicas=three", Exact("error: invalid argument \"three\" for \"-r, --replicas\" flag: strconv.ParseInt: parsing \"three\": invalid syntax\nSee 'kubectl create deployment --help' for usage.\n", 1)),
        case("scale negative", "kubectl scale deployment web --replicas=-1", Exact("error: The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0\n", 1)),
        case("scale not a number", "kubectl scale deployment web --replicas=abc", Exact("error: invalid argument \"abc\" for \"--replicas\" flag: strconv.ParseInt: parsing \"abc\": invalid syntax\nSee 'kubectl scale --help' for usage.\n", 1)),
        case("scale beyond int32", "kubectl scale deployment web --replicas=99999999999", Prefix("Error from server (BadRequest): ", 1)),
        case("tcp port out of range", "kubectl create service clusterip s --tcp=99999999999", Exact("error: strconv.ParseUint: parsing \"99999999999\": value out of range\n", 1)),
        case("tcp port text", "kubectl create service clusterip s --tcp=abc", Exact("error: strconv.ParseUint: parsing \"abc\": invalid syntax\n", 1)),
        case("get with nothing", "kubectl get", Prefix("You must specify the type of resource to get.", 1)),
        case("delete with nothing", "kubectl delete", Prefix("error: You must provide one or more resources by argument or filename.", 1)),
        case("unknown command", "kubectl frobnicate", Prefix("error: unknown command \"frobnicate\" for \"kubectl\"", 1)),
        case("unknown resource type", "kubectl get widgets", Exact("error: the server doesn't have a resource type \"widgets\"\n", 1)),
        case("delete what does not exist", "kubectl delete pod nope", Exact("Error from server (NotFound): pods \"nope\" not found\n", 1)),
        case("delete deployment that does not exist", "kubectl delete deployment nope", Exact("Error from server (NotFound): deployments.apps \"nope\" not found\n", 1)),
        case("delete in a missing namespace", "kubectl delete pod nope -n nowhere", Exact("Error from server (NotFound): pods \"nope\" not found\n", 1)),
        case("get what does not exist", "kubectl get svc nope", Exact("Error from server (NotFound): services \"nope\" not found\n", 1)),
        case("selector that matches nothing", "kubectl get pods -l app=nothing", Exact("No resources found in default namespace.\n", 0)),
        case("delete by selector that matches nothing", "kubectl delete pods -l app=nothing", Exact("No resources found\n", 0)),
        case("selector garbage", "kubectl get pods -l '==='", Contains("that match label selector \"===\", field selector \"\": found '==', expected: !, identifier, or 'end of string'", 1)),
        case("selector half", "kubectl get pods --selector=a=b,", Contains("found '', expected: identifier after ','", 1)),
        case("unknown output format", "kubectl get pods -o badformat", Prefix("error: unable to match a printer suitable for the output format \"badformat\"", 1)),
        case("jsonpath unclosed", "kubectl get pods -o 'jsonpath={.items['", Prefix("error: error parsing jsonpath {.items[, ", 1)),
        case("jsonpath braces", "kubectl get pods -o 'jsonpath={{{'", Prefix("error: error parsing jsonpath {{{", 1)),
        case("jsonpath bad filter", "kubectl get pods -o 'jsonpath={.items[?(@.x==]}'", Prefix("error: error parsing jsonpath", 1)),
        case("jsonpath huge index", "kubectl get pods -o 'jsonpath={.items[99999999999999999999]}'", Prefix("error: ", 1)),
        case("jsonpath range without end", "kubectl get pods -o 'jsonpath={range .items[*]}{.metadata.name}'", Prefix("error: ", 1)),
        // kubectl refuses this spec (`unexpected custom-columns spec`); kubesim prints a table. Not a crash.
        case("custom-columns garbage", "kubectl get pods -o custom-columns=::::", Prefix("", 0)),
        case("label with bad key", "kubectl label deployment web 'a b=c'", Prefix("The Deployment \"web\" is invalid: metadata.labels: Invalid value: \"a b\": name part must consist of", 1)),
        case("label value too long", format!("kubectl label deployment web a={}", "v".repeat(100)), Prefix("error: invalid label value: \"a=vvvv", 1)),
        case("upper-case deployment name", "kubectl create deployment Web --image=nginx", Prefix("error: failed to create deployment: Deployment.apps \"Web\" is invalid: metadata.name: Invalid value: \"Web\": a lowercase RFC 1123 subdomain must consist of", 1)),
        case("long deployment name", format!("kubectl create deployment {} --image=nginx", "a".repeat(300)), Contains("must be no more than 253 characters", 1)),
        case("unicode deployment name", "kubectl create deployment é --image=nginx", Prefix("error: failed to create deployment: Deployment.apps \"é\" is invalid", 1)),
        case("negative replicas on create", "kubectl create deployment x --image=nginx --replicas=-1", Contains("Invalid value: -1: must be greater than or equal to 0", 1)),
        case("expose with port out of range", "kubectl expose deployment web --port=70000 --name=big", Contains("must be between 1 and 65535, inclusive", 1)),
        case("expose what does not exist", "kubectl expose deployment nope --port=80", Exact("Error from server (NotFound): deployments.apps \"nope\" not found\n", 1)),
        case("logs of nothing", "kubectl logs nope", Contains("rror from server (NotFound): pods \"nope\" not found", 1)),
        case("rollout status of nothing", "kubectl rollout status deployment/nope", Exact("Error from server (NotFound): deployments.apps \"nope\" not found\n", 1)),
        case("patch with garbage", "kubectl patch deployment web -p '{{'", Prefix("error: ", 1)),
        case("patch with a string", "kubectl patch deployment web --type=merge -p '\"x\"'", Prefix("Error from server (BadRequest): ", 1)),
        case("unsimulated verb", "kubectl cp a b", Exact("kubesim: 'kubectl cp' is not simulated\n", 1)),
        case("flag without value", "kubectl get pods -o", Exact("error: flag needs an argument: 'o' in -o\nSee 'kubectl get --help' for usage.\n", 1)),
        case("unknown flag", "kubectl get pods --frob", Exact("error: unknown flag: --frob\nSee 'kubectl get --help' for usage.\n", 1)),
        case("namespace with bad characters", "kubectl get pods -n 'Not/Valid'", Exact("No resources found in Not/Valid namespace.\n", 0)),
        case("thousands of arguments", format!("kubectl get pods {}", "x ".repeat(5000)), Prefix("Error from server (NotFound): pods \"x\" not found\n", 1)),
        case("control characters in a name", "kubectl get pod $'\\x1b[2J\\x07'", Prefix("", 1)),
    ];
    check_cases(cases);
}

/// Shell lines bash rejects or that would run forever (bash 5's messages).
#[test]
fn shell_input() {
    use Expect::*;
    let cases = vec![
        case("unbalanced double quote", "echo \"abc", Exact("bash: syntax error: unexpected end of file\n", 2)),
        case("unbalanced single quote", "echo 'abc", Exact("bash: syntax error: unexpected end of file\n", 2)),
        case("unclosed substitution", "echo $(echo", Exact("bash: syntax error: unexpected end of file\n", 2)),
        case("unclosed backquote", "echo `", Exact("bash: syntax error: unexpected end of file\n", 2)),
        case("unclosed parameter", "echo ${x", Exact("bash: syntax error: unexpected end of file\n", 2)),
        case("division by zero", "echo $((1/0))", Contains("1/0: division by 0 (error token is \"0\")", 1)),
        case("arithmetic overflow wraps", "echo $((2**64))", Exact("0\n", 0)),
        case("arithmetic syntax", "echo $(( 1 +* 2 ))", Prefix("bash: 1 +* 2: syntax error: operand expected (error token is ", 1)),
        case("huge arithmetic", format!("echo $(({}))", "1+".repeat(20_000) + "1"), ExactOwned("20001\n".into(), 0)),
        case("deep arithmetic parentheses", format!("echo $(({}1{}))", "(".repeat(10_000), ")".repeat(10_000)), Prefix("", 1)),
        case("if without fi", "if true; then", Contains("syntax error: unexpected end of file", 2)),
        case("stray done", "done", Contains("syntax error near unexpected token `done'", 2)),
        case("stray fi", "fi", Contains("syntax error near unexpected token `fi'", 2)),
        case("stray paren", ")", Contains("syntax error near unexpected token `)'", 2)),
        case("empty pipe stage", "echo a | | cat", Contains("syntax error near unexpected token `|'", 2)),
        case("lone pipe", "|", Contains("syntax error near unexpected token `|'", 2)),
        case("double semicolon", ";;", Contains("syntax error near unexpected token `;;'", 2)),
        case("lone and", "&&", Contains("syntax error near unexpected token `&&'", 2)),
        case("redirect without target", "echo hi >", Contains("syntax error near unexpected token `newline'", 2)),
        case("command not found", "nosuchcmd", Contains("nosuchcmd: command not found", 127)),
        case("cd nowhere", "cd /nonexistent", Contains("cd: /nonexistent: No such file or directory", 1)),
        case("endless while", "while true; do true; done", Contains("kubesim: stopped after 10000 commands on one line", 0)),
        case("endless until", "until false; do echo x > /dev/null; done", Exact("kubesim: stopped after 10000 commands on one line\n", 0)),
        case("yes into head", "yes | head -3", Exact("kubesim: 'yes' is not simulated\n", 0)),
        case("fork bomb", ":(){ :|:& };:", Prefix("", 1)),
        case("recursive function", "f() { f; }; f", Prefix("", 1)),
        case("alias loop", "alias x='bash -c x'; x", Prefix("", 1)),
        case("nested loops", "for a in 1 2 3 4 5 6 7 8 9 10; do for b in 1 2 3 4 5 6 7 8 9 10; do for c in 1 2 3 4 5 6 7 8 9 10; do for d in 1 2 3 4 5 6 7 8 9 10; do :; done; done; done; done", Contains("kubesim: stopped after 10000 commands on one line", 1)),
        case("deep subshells", format!("{}echo x{}", "$(".repeat(200), ")".repeat(200)), Prefix("", 1)),
        case("deep braces", format!("{}true{}", "{ ".repeat(5000), "; }".repeat(5000)), Prefix("", 1)),
        case("long pipeline", format!("echo a{}", " | cat".repeat(2000)), Exact("a\n", 0)),
        case("brace expansion bomb", "echo {1..9}{1..9}{1..9}{1..9}{1..9}{1..9}{1..9}{1..9} | wc -c", Prefix("", 0)),
        case("huge sequence", "seq 1 100000000000 | tail -1", Prefix("\nkubesim: output cut at 1 MiB\n", 0)),
        case("output larger than the bound", "yes 0123456789abcdef | head -200000", Contains("", 0)),
        case("read from a tty in a loop", "while read x; do echo $x; done", Exact("kubesim: 'read' from the keyboard is not simulated\n", 0)),
        case("grep catastrophic pattern", "echo aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa! | grep -E '(a+)+$'", Exact("", 1)),
        case("sed garbage", "echo a | sed 's/('", Prefix("sed: ", 1)),
        case("awk garbage", "echo a | awk '{'", Prefix("awk: ", 2)),
        case("control characters", "echo \u{1b}[2J\u{7}\u{0}", Prefix("", 0)),
        case("invalid utf-8 replacement", "echo \u{fffd}\u{fffd}", Exact("\u{fffd}\u{fffd}\n", 0)),
        case("kubectl in an endless loop", "while true; do kubectl get pods > /dev/null; done", Exact("kubesim: stopped after 10000 commands on one line\n", 0)),
        case("exit is not the end", "exit 3", Prefix("", 3)),
    ];
    check_cases(cases);
}

/// Input too big or too deep: pastes of megabytes, alias bombs, 10k-level nesting.
/// kubesim reads at most `manifest::INPUT_LIMIT` bytes of manifests per command.
#[test]
fn huge_and_deep_input() {
    use Expect::*;
    let limit = sim_core::kubectl::manifest::INPUT_LIMIT;
    let ten_mb_line = "a".repeat(10 * 1024 * 1024);
    let ten_mb_lines = "a: b\n".repeat(2 * 1024 * 1024);
    let laughs = {
        let mut doc = String::from("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: lol\ndata:\n  a: &a \"lol\"\n");
        let mut prev = 'a';
        for name in ['b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'] {
            doc.push_str(&format!("  {name}: &{name} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"));
            prev = name;
        }
        doc
    };
    let deep_json = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let deep_json_obj = format!("{{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{{\"name\":\"x\"}},\"data\":{}1{}}}", "{\"a\":".repeat(10_000), "}".repeat(10_000));
    let deep_yaml_flow = format!("a: {}{}", "[".repeat(10_000), "]".repeat(10_000));
    let deep_yaml_block: String = (0..10_000).map(|i| format!("{}- \n", " ".repeat(i))).collect();
    let too_big = format!("error: STDIN: kubesim reads at most {limit} bytes of manifests per command\n");
    let cases = vec![
        case("10 MB on one line through echo", format!("echo {ten_mb_line} | wc -c"), Exact("\nkubesim: output cut at 1 MiB\n1048576\n", 0)),
        case("10 MB on one line to apply", apply(&ten_mb_line), ExactOwned(too_big.clone(), 1)),
        case("10 MB of lines to apply", apply(&ten_mb_lines), ExactOwned(too_big.clone(), 1)),
        // The display is cut at 1 MiB with a note (shell::OUTPUT_LIMIT).
        case("10 MB typed as a command", ten_mb_line.clone(), Prefix("bash: aaaaaaaa", 127)),
        case("a megabyte of lines typed", "echo x\n".repeat(128 * 1024), Contains("x\nx\nkubesim: stopped after 10000 commands on one line\n", 1)),
        case("billion laughs", apply(&laughs), Prefix("error: error parsing STDIN: ", 1)),
        case("alias to itself", apply("a: &a [*a]"), Prefix("error: error parsing STDIN: ", 1)),
        case("deep JSON arrays", apply(&deep_json), Prefix("error: ", 1)),
        case("deep JSON objects", apply(&deep_json_obj), Prefix("error: ", 1)),
        case("deep YAML flow", apply(&deep_yaml_flow), Prefix("error: ", 1)),
        case("deep YAML block", apply(&deep_yaml_block), Prefix("error: ", 1)),
        case("deep JSON patch", format!("kubectl patch deployment web --type=merge -p '{}1{}'", "{\"a\":".repeat(10_000), "}".repeat(10_000)), Prefix("error: ", 1)),
        case("many documents", apply(&"---\napiVersion: v1\nkind: ConfigMap\n".repeat(20_000)), Prefix("error when retrieving current configuration of:\n", 1)),
        case("long label value list", format!("kubectl get pods -l 'app in ({})'", vec!["x"; 20_000].join(",")), Exact("No resources found in default namespace.\n", 0)),
        case("huge jsonpath", format!("kubectl get pods -o 'jsonpath={}'", "{.items[*].metadata.name}".repeat(5000)), Prefix("", 0)),
    ];
    check_cases(cases);
}

/// The editor (`kubectl edit`) fed control characters, escape sequences cut in the
/// middle and garbage; leaving without saving must change nothing.
#[test]
fn editor_input() {
    let keys: Vec<(&str, String)> = vec![
        ("control characters then discard", "\u{0}\u{1}\u{2}\u{7}\u{8}\u{1b}\u{1b}[\u{1b}[999;999H\u{7f}\u{18}n".to_string()),
        ("cut escape sequence then discard", "\u{1b}[1;\u{18}n".to_string()),
        ("a megabyte of paste then discard", format!("\u{1b}[200~{}\u{1b}[201~\u{18}n", "x\n".repeat(512 * 1024))),
        ("save garbage", "\u{1b}[200~]]]{{{: :\t\n\u{1b}[201~\u{18}y\r".to_string()),
        ("delete everything and save", format!("{}\u{18}y\r", "\u{b}".repeat(200))),
        ("lone invalid bytes", "\u{fffd}\u{1b}O\u{1b}[Z\u{18}n".to_string()),
    ];
    let mut failures = Vec::new();
    for (name, k) in &keys {
        match run_guarded("kubectl edit deployment web", Some(k)) {
            Err(e) => failures.push(format!("{name}: {e}")),
            Ok((_, true)) => failures.push(format!("{name}: the cluster's objects changed")),
            Ok(_) => {}
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Restoring saved state from anything: an error value, never a panic, and a saved
/// state restores to the same document.
#[test]
fn persist_restore() {
    let good = persist::save_cluster(&base().cluster);
    let bad: Vec<(&str, String, &str)> = vec![
        ("empty", String::new(), "kubesim state is not valid JSON"),
        ("not JSON", "{{".into(), "kubesim state is not valid JSON"),
        ("array", "[]".into(), "kubesim state is not a JSON object"),
        ("no version", "{}".into(), "not a kubesim state: kubesim_state_version is missing"),
        ("version text", "{\"kubesim_state_version\":\"1\"}".into(), "kubesim_state_version is not a number"),
        ("newer version", "{\"kubesim_state_version\":99}".into(), "kubesim state version 99 is newer than this kubesim's (1) and cannot be read"),
        ("no clock", "{\"kubesim_state_version\":1}".into(), "kubesim state: clock is missing or invalid"),
        ("truncated", good[..good.len() / 2].to_string(), "kubesim state is not valid JSON"),
        ("object garbage", good.replacen("\"kind\":\"", "\"kind\":\"Nope", 1), "kubesim state: object"),
        ("deep nesting", format!("{}{}", "[".repeat(10_000), "]".repeat(10_000)), "kubesim state is not valid JSON"),
        ("clock huge", good.replacen("\"clock\":", "\"clock\":99999999999999999999,\"x\":", 1), "kubesim state"),
        ("rng text", good.replacen("\"rng_state\":\"", "\"rng_state\":\"x", 1), "kubesim state: rng_state is missing or invalid"),
    ];
    let mut failures = Vec::new();
    for (name, text, want) in &bad {
        match catch_unwind(AssertUnwindSafe(|| persist::restore_cluster(text))) {
            Err(_) => failures.push(format!("{name}: panicked")),
            Ok(Ok(_)) if *name != "clock huge" => failures.push(format!("{name}: restored")),
            Ok(Ok(_)) => {}
            Ok(Err(e)) if !e.starts_with(want) => failures.push(format!("{name}: {e:?} does not start with {want:?}")),
            Ok(Err(_)) => {}
        }
    }
    // Every single-field damage of a real state is survived (value swapped for null,
    // a number, a string, a list).
    let doc: serde_json::Value = serde_json::from_str(&good).unwrap_or_default();
    if let Some(root) = doc.as_object() {
        for key in root.keys() {
            for junk in [serde_json::Value::Null, serde_json::json!(-1), serde_json::json!("x"), serde_json::json!([{}])] {
                let mut damaged = root.clone();
                damaged.insert(key.clone(), junk.clone());
                let text = serde_json::Value::Object(damaged).to_string();
                if catch_unwind(AssertUnwindSafe(|| {
                    if let Ok(mut c) = persist::restore_cluster(&text) {
                        // A restored cluster must also survive running.
                        sim_core::controllers::reconcile(&mut c);
                    }
                }))
                .is_err()
                {
                    failures.push(format!("{key} = {junk}: panicked"));
                }
            }
        }
    }
    match persist::restore_cluster(&good) {
        Ok(c) => {
            if persist::save_cluster(&c) != good {
                failures.push("save → restore → save is not the same document".into());
            }
        }
        Err(e) => failures.push(format!("the saved state does not restore: {e}")),
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Limits that keep the tab responsive: a million replicas do not make a million
/// pods (kubesim keeps at most `replicaset::MAX_PODS`; the rest stay unborn as the
/// ReplicaSet controller's slow start would leave them), output is cut with a note.
#[test]
fn limits() {
    let mut sim = base();
    let started = Instant::now();
    let out = sim.run_line("kubectl scale deployment web --replicas=1000000");
    assert_eq!(out.display, "deployment.apps/web scaled\n");
    sim.advance_by_millis(60_000);
    sim.run_line("true");
    let pods = sim.cluster.store.list(sim_core::resources::Kind::Pod, None).count();
    assert!(pods <= sim_core::controllers::replicaset::MAX_PODS + 50, "{pods} pods");
    assert!(started.elapsed() < TIME_BOUND * 2, "took {:?}", started.elapsed());
    let out = sim.run_line("kubectl get deployment web");
    assert!(out.display.contains("/1000000"), "{}", out.display);

    let mut sim = base();
    let out = sim.run_line("yes 0123456789abcdef | head -c 5000000");
    assert!(out.display.len() <= sim_core::shell::OUTPUT_LIMIT + 200, "{} bytes", out.display.len());
    assert!(out.display.contains("kubesim"), "no note about the cut output");
}
