//! `kubectl edit TYPE NAME`: writes the object under kubectl's header comment to a
//! temporary file, runs the editor on it, and sends the difference as a strategic
//! merge patch, as kubectl's edit does.
//!
//! The editor is kubectl's: `$KUBE_EDITOR`, else `$EDITOR`, else `vi`. `vi`, `vim`
//! and `nano` are the terminal's own full-screen editor (the learner's usual case),
//! which hands the buffer to [`finish`] when it closes. Any other editor is a
//! program run inside the shell (`KUBE_EDITOR="sed -i s/1.27/1.28/"`), after which
//! kubectl's whole loop runs here: an edit the API server refuses, or a file that
//! is not YAML, reopens the editor with the errors as comments at the top; an
//! editor that then changes nothing ends the edit with the copy kept in /tmp.

use serde_json::{json, Value};

use super::apply::{three_way_patch, with_last_applied};
use super::create::namespace_of;
use super::flags;
use super::host::Host;
use super::output::{self, DryRun};
use crate::apiserver::{self, PatchOptions, PatchType, Status, StatusReason};
use crate::cluster::Cluster;
use crate::resources::{self, ResourceType};
use crate::shell::{AfterEdit, Shell};
use crate::simulator::Output;

/// The comment kubectl puts above the object.
const HEADER: &str = "# Please edit the object below. Lines beginning with a '#' will be ignored,\n# and an empty file will abort the edit. If an error occurs while saving this file will be\n# reopened with the relevant failures.\n#\n";

/// kubectl reopens the editor for as long as each save is refused and differs from
/// the last; an editor program that changes the file every time would keep it
/// going forever, so kubesim stops after this many rounds and says so.
const MAX_ROUNDS: usize = 10;

pub fn run(cluster: &mut Cluster, host: &mut Host, args: &[String], stdin: Option<&str>, out: &mut Output) -> i32 {
    let flags = match flags::parse_or_report("edit", args, out) {
        Ok(f) => f,
        Err(code) => return code,
    };
    let namespace = namespace_of(host, &flags);
    let filenames = flags.list("filename");
    if flags.positional.is_empty() && filenames.is_empty() {
        out.err("error: You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'\n");
        return 1;
    }
    if filenames.is_empty() && flags.positional.len() == 1 && !flags.positional[0].contains('/') {
        out.err("kubesim: 'kubectl edit' of every object of a type is not simulated; name one object\n");
        return 1;
    }
    let targets = if filenames.is_empty() {
        output::resolve_targets(&flags.positional).map(|t| output::scoped_targets(t, &namespace))
    } else {
        output::file_targets(host, &filenames, flags.bool("recursive"), stdin, &namespace)
    };
    let targets = match targets {
        Ok(t) => t,
        Err(text) => {
            out.err(&text);
            return 1;
        }
    };
    // The resource builder fetches every object first: the first that is missing
    // ends the command before any editor opens.
    let mut objects = Vec::new();
    for (target, ns) in &targets {
        match apiserver::get(cluster, target.rt.kind, ns, &target.name) {
            Ok(o) => objects.push((target.rt, ns.clone(), target.name.clone(), o.to_json())),
            Err(status) => return output::print_status(&status, out),
        }
    }
    let Some((rt, ns, name, object)) = objects.first().cloned() else { return 0 };
    if objects.len() != 1 {
        // kubectl edits several objects as one `List`, which it validates against the
        // OpenAPI v2 document on the client.
        out.err("kubesim: 'kubectl edit' of several objects at once is not simulated\n");
        return 1;
    }
    // The edit printer knows only yaml and json (`editPrinterOptions`); kubectl finds
    // out when it prints the object for the editor.
    let format = flags.string("output");
    if !matches!(format.as_str(), "" | "yaml" | "json") {
        out.err(&format!("error: unable to match a printer suitable for the output format \"{format}\", allowed formats are: json,yaml\n"));
        return 1;
    }
    let Some(sh) = host.shell.as_deref_mut() else {
        out.err("kubesim: 'kubectl edit' needs the terminal's editor, which this session does not have\n");
        return 1;
    };
    let editor = editor_command(sh);
    let interactive = matches!(editor.args.first().map(|a| crate::vfs::Vfs::base_name(a)), Some("vi" | "vim" | "nano")) && editor.args.len() == 1;
    if interactive {
        let text = format!("{HEADER}{}", crate::printers::yaml::to_string(&object));
        let path = temp_path(cluster, 0, ".yaml");
        let data = json!({"kind": rt.kind_name, "apiVersion": rt.api_version(), "namespace": ns, "name": name, "original": object});
        let screen = sh.open_editor(&path, Some(&text), AfterEdit::Call { data: data.to_string(), then: finish }, None);
        out.out(&screen);
        return 0;
    }
    let session = Session {
        rt,
        namespace: ns,
        name,
        original: object,
        json: format == "json",
        format,
        output_patch: flags.bool("output-patch"),
        save_config: flags.bool("save-config"),
        crlf: flags.bool("windows-line-endings"),
    };
    session.run(cluster, sh, &editor, out)
}

/// The editor command line as kubectl's `NewDefaultEditor` builds it.
struct EditorCommand {
    args: Vec<String>,
    /// Whether the last argument is a shell command line (`$SHELL -c "EDITOR FILE"`).
    shell: bool,
}

/// `$KUBE_EDITOR`, else `$EDITOR`, else `vi` (exported variables only: they are the
/// environment kubectl sees). Without a space the value is the program; with spaces
/// but no quote or backslash it is split on single spaces; otherwise kubectl hands it
/// to `$SHELL -c` (`/bin/bash` when unset) rather than parse the quoting itself.
fn editor_command(sh: &Shell) -> EditorCommand {
    let exported = |name: &str| sh.vars.get(name).filter(|v| v.exported && !v.value.is_empty()).map(|v| v.value.clone());
    let editor = exported("KUBE_EDITOR").or_else(|| exported("EDITOR")).unwrap_or_else(|| "vi".to_string());
    if !editor.contains(' ') {
        return EditorCommand { args: vec![editor], shell: false };
    }
    if !editor.contains(['"', '\'', '\\']) {
        return EditorCommand { args: editor.split(' ').map(str::to_string).collect(), shell: false };
    }
    let shell = exported("SHELL").unwrap_or_else(|| "/bin/bash".to_string());
    EditorCommand { args: vec![shell, "-c".to_string(), editor], shell: true }
}

impl EditorCommand {
    /// Runs the editor on `path`; `Err` is kubectl's error line (without `error: `).
    fn launch(&self, cluster: &mut Cluster, sh: &mut Shell, path: &str, out: &mut Output) -> Result<(), String> {
        let mut argv = self.args.clone();
        if self.shell {
            // Go's `%q` of the path, appended to the shell command line.
            if let Some(last) = argv.last_mut() {
                last.push_str(&format!(" {}", crate::apiserver::status::go_quote(path)));
            }
        } else {
            argv.push(path.to_string());
        }
        let joined = self.args.join(" ");
        match sh.exec_program(cluster, &argv, out) {
            None => Err(format!("unable to launch the editor \"{joined}\"")),
            Some(0) => Ok(()),
            Some(_) => Err(format!("there was a problem with the editor \"{joined}\"")),
        }
    }
}

/// One reason the file is reopened, written as comments under the header.
struct Reason {
    head: String,
    other: Vec<String>,
}

/// A `kubectl edit` of one object with an editor program.
struct Session {
    rt: &'static ResourceType,
    namespace: String,
    name: String,
    original: Value,
    format: String,
    json: bool,
    output_patch: bool,
    save_config: bool,
    crlf: bool,
}

/// What one save came to.
enum Round {
    /// The command ends with this exit status.
    Done(i32),
    /// The editor opens again with these reasons at the top.
    Reopen(Vec<Reason>),
}

impl Session {
    fn run(&self, cluster: &mut Cluster, sh: &mut Shell, editor: &EditorCommand, out: &mut Output) -> i32 {
        let original_text = self.render(&self.original);
        let mut reasons: Vec<Reason> = Vec::new();
        // The last saved text while the edit is being retried after an error.
        let mut retry: Option<String> = None;
        // The file the last refused save is kept in.
        let mut kept: Option<String> = None;
        for round in 0..MAX_ROUNDS {
            let mut text = String::new();
            if !self.json {
                text.push_str(HEADER);
                for r in &reasons {
                    text.push_str(&format!("# {}{}\n", hash_on_line_break(&r.head), if r.other.is_empty() { "" } else { ":" }));
                    for o in &r.other {
                        text.push_str(&format!("# * {}\n", hash_on_line_break(o)));
                    }
                    text.push_str("#\n");
                }
            }
            match &retry {
                // kubectl keeps the learner's text (without its old comments) under
                // the new header.
                Some(previous) => text.push_str(&manual_strip(previous)),
                None => text.push_str(&original_text),
            }
            if self.crlf {
                text = text.replace('\n', "\r\n");
            }
            let path = temp_path(cluster, round + 1, if self.json { ".json" } else { ".yaml" });
            let now = cluster.clock.now();
            if let Err(e) = sh.vfs.write(&path, &text, false, now) {
                out.err(&format!("error: open {path}: {}\n", e.message()));
                return 1;
            }
            if let Err(message) = editor.launch(cluster, sh, &path, out) {
                preserved_file(sh, kept.as_deref(), out);
                out.err(&format!("error: {message}\n"));
                return 1;
            }
            let edited = match sh.vfs.read(&path) {
                Ok(t) => t.to_string(),
                Err(e) => {
                    out.err(&format!("error: open {path}: {}\n", e.message()));
                    return 1;
                }
            };
            if let Some(previous) = &retry {
                if strip_comments(previous) == strip_comments(&edited) {
                    preserved_file(sh, Some(&path), out);
                    out.err("error: Edit cancelled, no valid changes were saved.\n");
                    return 1;
                }
            }
            if let Some(old) = kept.take() {
                let _ = sh.vfs.remove(&old, false);
            }
            match self.save(cluster, sh, &path, &original_text, &edited, out) {
                Round::Done(code) => return code,
                Round::Reopen(r) => {
                    reasons = r;
                    retry = Some(edited);
                    kept = Some(path);
                }
            }
        }
        preserved_file(sh, kept.as_deref(), out);
        out.err(&format!("kubesim: 'kubectl edit' stopped after {MAX_ROUNDS} rounds: the editor changed the file every time (kubectl would reopen it for as long as that goes on)\n"));
        1
    }

    /// The object as the editor first sees it.
    fn render(&self, object: &Value) -> String {
        if self.json {
            crate::printers::json::to_string(object)
        } else {
            crate::printers::yaml::to_string(object)
        }
    }

    /// One save: validation, then the patch, as kubectl's edit loop takes them.
    fn save(&self, cluster: &mut Cluster, sh: &mut Shell, path: &str, original_text: &str, edited: &str, out: &mut Output) -> Round {
        let resource = self.rt.qualified_plural();
        let quoted_name = crate::apiserver::status::go_quote(&self.name);
        // Client-side validation parses the file first; what does not parse is
        // reported as the object being invalid.
        let mut value = match parse_single(edited) {
            Ok(v) => v,
            Err(message) => {
                out.err(&format!("error: {resource} {quoted_name} is invalid\n"));
                return Round::Reopen(vec![Reason {
                    head: format!("{resource} {quoted_name} was not valid"),
                    other: vec![format!("<nil>: Invalid value: \"The edited file failed validation\": {message}")],
                }]);
            }
        };
        if strip_comments(original_text) == strip_comments(edited) {
            let _ = sh.vfs.remove(path, false);
            out.err("Edit cancelled, no changes made.\n");
            return Round::Done(0);
        }
        // The object must stay in the command's namespace.
        if let Some(ns) = value.pointer("/metadata/namespace").and_then(Value::as_str) {
            if self.rt.namespaced && ns != self.namespace {
                preserved_file(sh, Some(path), out);
                out.err(&format!(
                    "error: the namespace from the provided object \"{ns}\" does not match the namespace \"{}\". You must pass '--namespace={ns}' to perform this operation.\n",
                    self.namespace
                ));
                return Round::Done(1);
            }
        }
        if self.save_config {
            value = with_last_applied(&value);
        }
        if value == self.original {
            output::print_result(self.rt, &value, &self.format, "skipped", DryRun::None, out);
            let _ = sh.vfs.remove(path, false);
            return Round::Done(0);
        }
        let unchanged = |p: &str| value.pointer(p) == self.original.pointer(p);
        if !unchanged("/apiVersion") || !unchanged("/kind") || !unchanged("/metadata/name") {
            preserved_file(sh, Some(path), out);
            out.err("error: At least one of apiVersion, kind and name was changed\n");
            return Round::Done(1);
        }
        let patch = three_way_patch(self.rt.kind, Some(&self.original), &value, &self.original);
        if self.output_patch {
            out.out(&format!("Patch: {}\n", super::manifest::compact(&patch)));
        }
        match apiserver::patch_with_options(cluster, self.rt.kind, &self.namespace, &self.name, PatchType::StrategicMerge, &patch, &PatchOptions::default()) {
            Ok(patched) => {
                output::print_result(self.rt, &patched.to_json(), &self.format, "edited", DryRun::None, out);
                let _ = sh.vfs.remove(path, false);
                Round::Done(0)
            }
            Err(status) => self.refused(sh, path, &status, out),
        }
    }

    /// kubectl's `editResults.addError` and what follows it.
    fn refused(&self, sh: &mut Shell, path: &str, status: &Status, out: &mut Output) -> Round {
        let resource = self.rt.qualified_plural();
        let quoted_name = crate::apiserver::status::go_quote(&self.name);
        match status.reason {
            StatusReason::Invalid => {
                out.err(&format!("error: {resource} {quoted_name} is invalid\n"));
                let other = status.details.as_ref().map(|d| d.causes.iter().map(|c| format!("{}: {}", c.field, c.body())).collect()).unwrap_or_default();
                Round::Reopen(vec![Reason { head: format!("{resource} {quoted_name} was not valid"), other }])
            }
            StatusReason::NotFound => {
                out.err(&format!("error: {resource} {quoted_name} could not be found on the server\n"));
                out.err(&format!("The edits you made on deleted resources have been saved to {}\n", crate::apiserver::status::go_quote(path)));
                let _ = sh;
                Round::Done(1)
            }
            _ => {
                out.err(&format!("error: {resource} {quoted_name} could not be patched: {}\n", status.message));
                out.err(&format!("You can run `kubectl replace -f {path}` to try this update again.\n"));
                Round::Done(1)
            }
        }
    }
}

/// kubectl's `preservedFile`: where a refused edit was kept, if the file is still there.
fn preserved_file(sh: &Shell, path: Option<&str>, out: &mut Output) {
    if let Some(p) = path {
        if sh.vfs.exists(p) {
            out.err(&format!("A copy of your changes has been stored to {}\n", crate::apiserver::status::go_quote(p)));
        }
    }
}

/// The temporary file kubectl's editor opens: Go's `os.CreateTemp` in /tmp names it
/// `kubectl-edit-<random uint32><ext>`. The number comes from the clock and the
/// round, not the cluster's generator, so an edit does not change the names the API
/// server and controllers draw afterwards.
fn temp_path(cluster: &Cluster, round: usize, ext: &str) -> String {
    let seed = (cluster.clock.now().timestamp_millis() as u64) ^ ((round as u64) << 48) ^ 0x6b75_6265_6564_6974;
    let number = crate::rand::SeededRng::new(seed).next_u64() as u32;
    format!("/tmp/kubectl-edit-{number}{ext}")
}

/// The edited file as one object, as kubectl's validation reads it: a file of only
/// comments is not an object either (so "saved file was empty" is never reached
/// while validation is on, as in kubectl). `Err` is the error as kubectl words it.
fn parse_single(text: &str) -> Result<Value, String> {
    let body = text.replace("\r\n", "\n");
    match serde_yaml_ng::from_str::<Value>(&body) {
        // kubectl's validation reads the kind first (`getObjectKind`).
        Ok(v) if !v.is_object() => Err("invalid object to validate".to_string()),
        Ok(v) if v.get("apiVersion").is_none() => Err("apiVersion not set".to_string()),
        Ok(v) if v.get("kind").is_none() => Err("kind not set".to_string()),
        Ok(v) => Ok(v),
        Err(e) => Err(super::manifest::go_yaml_error(&e)),
    }
}

/// `cmdutil.StripComments`: the YAML as JSON when it parses (so only a change in
/// content counts), the text without comment lines otherwise.
fn strip_comments(text: &str) -> String {
    match serde_yaml_ng::from_str::<Value>(&text.replace("\r\n", "\n")) {
        Ok(v) => super::manifest::compact(&v),
        Err(_) => manual_strip(text),
    }
}

/// `cmdutil.ManualStrip`: drops lines that start with `#` (but not `#!`).
fn manual_strip(text: &str) -> String {
    let lines: Vec<&str> = text.split('\n').collect();
    let mut stripped = String::new();
    for (i, line) in lines.iter().enumerate() {
        let trimmed = line.trim();
        if trimmed.starts_with('#') && !trimmed.starts_with("#!") {
            continue;
        }
        stripped.push_str(line);
        if i + 1 < lines.len() {
            stripped.push('\n');
        }
    }
    stripped
}

/// `hashOnLineBreak`: a multi-line reason stays one comment.
fn hash_on_line_break(s: &str) -> String {
    let mut r = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\n' && chars.peek().is_some_and(|&n| n != '#') {
            r.push_str("\n# ");
        } else {
            r.push(c);
        }
    }
    r
}

/// Called by the shell when the terminal's own editor closes.
pub fn finish(cluster: &mut Cluster, data: &str, edited: Option<&str>, out: &mut Output) -> i32 {
    let Ok(data) = serde_json::from_str::<Value>(data) else { return 1 };
    let field = |k: &str| data.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    let Some(rt) = resources::RESOURCE_TYPES.iter().find(|r| r.kind_name == field("kind") && r.api_version() == field("apiVersion")) else {
        return 1;
    };
    let original = data.get("original").cloned().unwrap_or(Value::Null);
    let Some(edited) = edited else {
        out.err("Edit cancelled, no changes made.\n");
        return 0;
    };
    let body: String = edited.lines().filter(|l| !l.trim_start().starts_with('#')).map(|l| format!("{l}\n")).collect();
    if body.trim().is_empty() {
        out.err("Edit cancelled, saved file was empty.\n");
        return 0;
    }
    let value: Value = match serde_yaml_ng::from_str(&body) {
        Ok(v) => v,
        Err(e) => {
            out.err(&format!("error: error parsing edited object: error converting YAML to JSON: {}\n", super::manifest::go_yaml_error(&e)));
            out.err("error: Edit cancelled, no valid changes were saved.\n");
            return 1;
        }
    };
    let patch = three_way_patch(rt.kind, Some(&original), &value, &original);
    if patch.as_object().is_some_and(|m| m.is_empty()) {
        out.err("Edit cancelled, no changes made.\n");
        return 0;
    }
    let name = field("name");
    let namespace = field("namespace");
    if value.pointer("/metadata/name").and_then(Value::as_str) != Some(name.as_str()) {
        out.err("error: At least one of apiVersion, kind and name was changed\n");
        return 1;
    }
    match apiserver::patch_with_options(cluster, rt.kind, &namespace, &name, PatchType::StrategicMerge, &patch, &PatchOptions::default()) {
        Ok(_) => {
            out.out(&format!("{}/{name} edited\n", rt.qualified_kind_lower()));
            0
        }
        Err(status) => {
            if status.reason == StatusReason::Invalid {
                out.err(&format!("error: {} {} is invalid\n", rt.qualified_plural(), crate::apiserver::status::go_quote(&name)));
            }
            out.err(&format!("{}\n", status.kubectl_message()));
            out.err("error: Edit cancelled, no valid changes were saved.\n");
            1
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::Clock;
    use crate::cluster::Topology;
    use crate::resources::Kind;
    use crate::simulator::{ClusterConfig, Simulator};

    #[test]
    fn saving_a_change_patches_and_no_change_cancels() {
        let mut c = Cluster::kind(Clock::from_unix_millis(1_767_603_600_000), 1, &Topology::default());
        let mut out = Output::default();
        let args: Vec<String> = ["create", "deployment", "web", "--image=nginx"].iter().map(|s| s.to_string()).collect();
        super::super::run(&mut c, &args, None, &mut out);
        let original = apiserver::get(&c, Kind::Deployment, "default", "web").map(|o| o.to_json()).unwrap_or_default();
        let data = json!({"kind": "Deployment", "apiVersion": "apps/v1", "namespace": "default", "name": "web", "original": original}).to_string();
        let yaml = format!("{HEADER}{}", crate::printers::yaml::to_string(&original));
        let mut out = Output::default();
        assert_eq!(finish(&mut c, &data, Some(&yaml), &mut out), 0);
        assert_eq!(out.stderr, "Edit cancelled, no changes made.\n");
        let mut out = Output::default();
        assert_eq!(finish(&mut c, &data, None, &mut out), 0);
        assert_eq!(out.stderr, "Edit cancelled, no changes made.\n");
        let changed = yaml.replace("replicas: 1", "replicas: 3");
        let mut out = Output::default();
        assert_eq!(finish(&mut c, &data, Some(&changed), &mut out), 0, "{}", out.stderr);
        assert_eq!(out.stdout, "deployment.apps/web edited\n");
        let replicas = match apiserver::get(&c, Kind::Deployment, "default", "web") {
            Ok(crate::store::Object::Deployment(d)) => d.spec.as_ref().and_then(|s| s.replicas),
            _ => None,
        };
        assert_eq!(replicas, Some(3));
    }

    #[test]
    fn kube_editor_runs_a_program_in_the_shell() {
        let mut sim = Simulator::new(ClusterConfig::default());
        sim.run_line("kubectl create deployment web --image=nginx:1.27");
        let edited = sim.run_line("KUBE_EDITOR='sed -i s/nginx:1.27/nginx:1.28/' kubectl edit deploy web");
        assert_eq!((edited.stdout.as_str(), edited.stderr.as_str(), edited.exit_code), ("deployment.apps/web edited\n", "", 0));
        let image = sim.run_line("kubectl get deploy web -o jsonpath='{.spec.template.spec.containers[0].image}'");
        assert_eq!(image.stdout, "nginx:1.28");
        // The file is gone once the edit is saved.
        assert_eq!(sim.run_line("ls /tmp").stdout, "");
        let same = sim.run_line("EDITOR=true kubectl edit deploy web");
        assert_eq!((same.stderr.as_str(), same.exit_code), ("Edit cancelled, no changes made.\n", 0));
        let missing = sim.run_line("KUBE_EDITOR=nosuch kubectl edit deploy web");
        assert_eq!((missing.stderr.as_str(), missing.exit_code), ("error: unable to launch the editor \"nosuch\"\n", 1));
        let failing = sim.run_line("KUBE_EDITOR=\"sh -c 'exit 3'\" kubectl edit deploy web");
        assert_eq!(failing.stderr, "error: there was a problem with the editor \"/bin/bash -c sh -c 'exit 3'\"\n");
    }

    #[test]
    fn a_refused_edit_reopens_the_editor_and_then_keeps_the_copy() {
        let mut sim = Simulator::new(ClusterConfig::default());
        sim.run_line("kubectl create deployment web --image=nginx:1.27");
        let refused = sim.run_line("KUBE_EDITOR=\"sed -i 's/replicas: 1/replicas: -1/'\" kubectl edit deploy web");
        assert_eq!(refused.exit_code, 1);
        let lines: Vec<&str> = refused.stderr.lines().collect();
        assert_eq!(lines.first(), Some(&"error: deployments.apps \"web\" is invalid"));
        assert!(lines.get(1).is_some_and(|l| l.starts_with("A copy of your changes has been stored to \"/tmp/kubectl-edit-") && l.ends_with(".yaml\"")), "{lines:?}");
        assert_eq!(lines.get(2), Some(&"error: Edit cancelled, no valid changes were saved."));
        // The kept copy carries the server's reasons under the header.
        let kept = sim.run_line("cat /tmp/kubectl-edit-*.yaml");
        assert!(kept.stdout.contains("# deployments.apps \"web\" was not valid:\n# * spec.replicas: Invalid value: -1: must be greater than or equal to 0\n#\n"), "{}", kept.stdout);
        // An editor that changes the file every time is stopped.
        let endless = sim.run_line("KUBE_EDITOR='sed -i s/^kind:.Deployment/kind:.Deployment:/' kubectl edit deploy web");
        assert_eq!(endless.exit_code, 1);
        assert!(endless.stderr.contains("stopped after 10 rounds"), "{}", endless.stderr);
    }
}
