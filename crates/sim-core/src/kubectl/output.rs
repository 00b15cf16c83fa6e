//! What the mutating verbs share: `--dry-run` and `-o` handling, the success lines
//! (`deployment.apps/web created`), klog warnings, and resolving `TYPE NAME` /
//! `TYPE/NAME` arguments to objects.

use serde_json::Value;

use super::host::Host;
use crate::apiserver::Status;
use crate::cluster::Cluster;
use crate::resources::{self, ResourceType};
use crate::simulator::Output;

/// kubectl's `--dry-run` strategies (`cmdutil.GetDryRunStrategy`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DryRun {
    None,
    Client,
    Server,
}

impl DryRun {
    /// The suffix kubectl's printers add to the operation: `created (dry run)`.
    pub fn suffix(self) -> &'static str {
        match self {
            DryRun::None => "",
            DryRun::Client => " (dry run)",
            DryRun::Server => " (server dry run)",
        }
    }
}

/// The pid klog prints in its line headers. A real kubectl gets a fresh one each run;
/// kubesim keeps one so transcripts are stable.
pub const KLOG_PID: u32 = 4127;

/// A klog line (`W1122 13:33:28.410745    4127 helpers.go:716] message`), stamped with
/// the virtual clock.
pub fn klog(cluster: &Cluster, severity: char, location: &str, message: &str, out: &mut Output) {
    let now = cluster.clock.now();
    out.err(&format!("{severity}{} {:>7} {location}] {message}\n", now.format("%m%d %H:%M:%S%.6f"), KLOG_PID));
}

/// Reads `--dry-run`, printing kubectl's error or deprecation warning.
pub fn dry_run(cluster: &Cluster, flags: &super::flags::ParsedFlags, out: &mut Output) -> Result<DryRun, i32> {
    let value = flags.string("dry-run");
    match value.as_str() {
        "none" | "" => Ok(DryRun::None),
        "client" => Ok(DryRun::Client),
        "server" => Ok(DryRun::Server),
        "unchanged" => {
            klog(cluster, 'W', "helpers.go:702", "--dry-run is deprecated and can be replaced with --dry-run=client.", out);
            Ok(DryRun::Client)
        }
        other => match super::flags::parse_bool(other) {
            Ok(b) => {
                let replacement = if b { "client" } else { "none" };
                klog(
                    cluster,
                    'W',
                    "helpers.go:716",
                    &format!("--dry-run={other} is deprecated (boolean value) and can be replaced with --dry-run={replacement}."),
                    out,
                );
                Ok(if b { DryRun::Client } else { DryRun::None })
            }
            Err(_) => {
                out.err(&format!("error: Invalid dry-run value ({other}). Must be \"none\", \"server\", or \"client\".\n"));
                Err(1)
            }
        },
    }
}

/// The `-o` formats kubectl's printer flags accept for these verbs.
const ALLOWED_FORMATS: &str =
    "go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,yaml";

/// What every mutating verb reads first: its flags, `-o` (checked against the
/// formats kubectl's PrintFlags accept) and `--dry-run`. `Err` is the exit code,
/// the message already written.
pub fn mutating_flags(cluster: &Cluster, path: &str, args: &[String], out: &mut Output) -> Result<(super::flags::ParsedFlags, String, DryRun), i32> {
    let flags = super::flags::parse_or_report(path, args, out)?;
    let format = flags.string("output");
    check_output_format(&format, out)?;
    let dry_run = dry_run(cluster, &flags, out)?;
    Ok((flags, format, dry_run))
}

/// Checks `-o` before anything is sent, as `PrintFlags.ToPrinter` does.
pub fn check_output_format(format: &str, out: &mut Output) -> Result<(), i32> {
    match format {
        "" | "name" | "yaml" | "json" => Ok(()),
        f if f.starts_with("jsonpath") || f.starts_with("go-template") || f.starts_with("template") => {
            out.err(&format!("kubesim: 'kubectl -o {f}' is not simulated for this command\n"));
            Err(1)
        }
        other => {
            out.err(&format!(
                "error: unable to match a printer suitable for the output format \"{other}\", allowed formats are: {ALLOWED_FORMATS}\n"
            ));
            Err(1)
        }
    }
}

/// Prints one result: the `-o` form of the object, or the success line
/// `<kind>[.<group>]/<name> <operation>[ (dry run)]`.
pub fn print_result(rt: &ResourceType, object: &Value, format: &str, operation: &str, dry_run: DryRun, out: &mut Output) {
    let name = object.pointer("/metadata/name").and_then(Value::as_str).unwrap_or("");
    match format {
        "name" => out.out(&format!("{}/{}\n", rt.qualified_kind_lower(), name)),
        "yaml" => out.out(&crate::printers::yaml::to_string(object)),
        "json" => out.out(&crate::printers::json::to_string(object)),
        _ => out.out(&format!("{}/{} {}{}\n", rt.qualified_kind_lower(), name, operation, dry_run.suffix())),
    }
}

/// Prints objects collected for `-o yaml|json`: one as itself, several wrapped in a
/// `List` (`apiVersion: v1`, `items`, `kind: List`, `metadata: {}`), as kubectl's
/// apply does.
pub fn print_collected(objects: &[Value], format: &str, out: &mut Output) {
    match objects {
        [] => {}
        [one] => {
            if format == "json" {
                out.out(&crate::printers::json::to_string(one));
            } else {
                out.out(&crate::printers::yaml::to_string(one));
            }
        }
        many => {
            if format == "json" {
                // metav1.List is a typed struct: kind, apiVersion, metadata, items.
                let mut text = String::from("{\n    \"kind\": \"List\",\n    \"apiVersion\": \"v1\",\n    \"metadata\": {},\n    \"items\": [\n");
                for (i, item) in many.iter().enumerate() {
                    let body = crate::printers::json::to_string(item);
                    let indented: Vec<String> = body.trim_end().lines().map(|l| format!("        {l}")).collect();
                    text.push_str(&indented.join("\n"));
                    text.push_str(if i + 1 < many.len() { ",\n" } else { "\n" });
                }
                text.push_str("    ]\n}\n");
                out.out(&text);
            } else {
                let list = serde_json::json!({"apiVersion": "v1", "items": many, "kind": "List", "metadata": {}});
                out.out(&crate::printers::yaml::to_string(&list));
            }
        }
    }
}

/// [`print_result`] for the objects the generators build (`create deployment`,
/// `create service`, `run`, `expose`...): kubectl holds those as typed Go structs, so
/// `-o json` writes their fields in struct order instead of sorted.
pub fn print_typed_result(rt: &ResourceType, object: &Value, format: &str, operation: &str, dry_run: DryRun, out: &mut Output) {
    if format == "json" {
        let mut text = String::new();
        write_go_json(object, "    ", &mut text);
        text.push('\n');
        out.out(&text);
    } else {
        print_result(rt, object, format, operation, dry_run, out);
    }
}

/// Field names in the order the Go API structs declare them. One list serves every
/// struct the generators produce, because where two structs share field names the
/// names keep the same relative order (ObjectMeta, DeploymentSpec, PodSpec,
/// Container, ContainerPort, ServiceSpec, ServicePort, IngressSpec...).
const GO_FIELD_ORDER: &[&str] = &[
    "kind", "apiVersion", "metadata", "name", "generateName", "namespace", "selfLink", "uid", "resourceVersion",
    "generation", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "labels", "annotations",
    "ownerReferences", "finalizers", "managedFields", "immutable", "data", "binaryData", "spec", "replicas",
    "ingressClassName", "defaultBackend", "tls", "hosts", "secretName", "rules", "host", "http", "paths", "path",
    "pathType", "backend", "service", "resource", "volumes", "initContainers", "containers", "image", "command",
    "args", "workingDir", "ports", "hostPort", "containerPort", "protocol", "appProtocol", "port", "number",
    "targetPort", "nodePort", "selector", "matchLabels", "matchExpressions", "template", "strategy", "type",
    "rollingUpdate", "maxUnavailable", "maxSurge", "minReadySeconds", "revisionHistoryLimit", "paused",
    "progressDeadlineSeconds", "envFrom", "env", "value", "valueFrom", "resources", "volumeMounts",
    "livenessProbe", "readinessProbe", "startupProbe", "lifecycle", "terminationMessagePath",
    "terminationMessagePolicy", "imagePullPolicy", "securityContext", "stdin", "stdinOnce", "tty",
    "restartPolicy", "terminationGracePeriodSeconds", "activeDeadlineSeconds", "dnsPolicy", "nodeSelector",
    "serviceAccountName", "serviceAccount", "nodeName", "hostNetwork", "schedulerName", "tolerations",
    "clusterIP", "clusterIPs", "externalIPs", "sessionAffinity", "loadBalancerIP", "loadBalancerSourceRanges",
    "externalName", "externalTrafficPolicy", "healthCheckNodePort", "publishNotReadyAddresses",
    "sessionAffinityConfig", "ipFamilies", "ipFamilyPolicy", "allocateLoadBalancerNodePorts",
    "loadBalancerClass", "internalTrafficPolicy", "status", "loadBalancer", "conditions",
];

fn go_rank(key: &str) -> usize {
    GO_FIELD_ORDER.iter().position(|k| *k == key).unwrap_or(GO_FIELD_ORDER.len())
}

/// `corev1.PodSpec`, whose fields do not fit [`GO_FIELD_ORDER`]
/// (`securityContext` comes after `hostNetwork` here, before `stdin` in Container).
const POD_SPEC_ORDER: &[&str] = &[
    "volumes", "initContainers", "containers", "ephemeralContainers", "restartPolicy",
    "terminationGracePeriodSeconds", "activeDeadlineSeconds", "dnsPolicy", "nodeSelector", "serviceAccountName",
    "serviceAccount", "automountServiceAccountToken", "nodeName", "hostNetwork", "hostPID", "hostIPC",
    "shareProcessNamespace", "securityContext", "imagePullSecrets", "hostname", "subdomain", "affinity",
    "schedulerName", "tolerations", "hostAliases", "priorityClassName", "priority", "dnsConfig", "readinessGates",
    "runtimeClassName", "enableServiceLinks", "preemptionPolicy", "overhead", "topologySpreadConstraints",
    "setHostnameAsFQDN", "os", "hostUsers", "schedulingGates", "resourceClaims",
];

/// `corev1.PodStatus`.
const POD_STATUS_ORDER: &[&str] = &[
    "phase", "conditions", "message", "reason", "nominatedNodeName", "hostIP", "hostIPs", "podIP", "podIPs",
    "startTime", "initContainerStatuses", "containerStatuses", "qosClass", "ephemeralContainerStatuses",
];

/// The structs whose field order conflicts with [`GO_FIELD_ORDER`], by the keys
/// that lead to them (array levels skipped).
fn struct_order<'p>(kind: &str, path: &'p [&'p str]) -> Option<&'static [&'static str]> {
    // A `PodList`'s items are pods.
    let (kind, path) = match (kind.strip_suffix("List"), path) {
        (Some(item_kind), ["items", rest @ ..]) => (item_kind, rest),
        _ => (kind, path),
    };
    // The pod template's spec is a PodSpec too, and what hangs below it.
    let pod_spec_at = match path {
        ["spec", ..] if kind == "Pod" => Some(1),
        _ => path.windows(2).position(|w| w == ["template", "spec"]).map(|i| i + 2),
    };
    let below_pod_spec = pod_spec_at.and_then(|at| path.get(at..));
    match (below_pod_spec, path) {
        (Some([]), _) => Some(POD_SPEC_ORDER),
        (Some(["containers" | "initContainers", "volumeMounts"]), _) => {
            Some(&["name", "readOnly", "recursiveReadOnly", "mountPath", "subPath", "mountPropagation", "subPathExpr"])
        }
        (Some(["tolerations"]), _) => Some(&["key", "operator", "value", "effect", "tolerationSeconds"]),
        (Some(["volumes", "projected", "sources", "serviceAccountToken"]), _) => Some(&["audience", "expirationSeconds", "path"]),
        (Some(["volumes", "projected", "sources", "downwardAPI", "items"]), _) => Some(&["path", "fieldRef", "resourceFieldRef", "mode"]),
        (Some(["volumes", "projected", "sources", "downwardAPI", "items", "fieldRef"]), _) => Some(&["apiVersion", "fieldPath"]),
        (Some(["volumes", "projected", "sources", "configMap", "items"]), _) => Some(&["key", "path", "mode"]),
        // metav1.Status, as the API server writes an error.
        (_, []) if kind == "Status" => Some(&["kind", "apiVersion", "metadata", "status", "message", "reason", "details", "code"]),
        (_, ["details"]) if kind == "Status" => Some(&["name", "group", "kind", "uid", "causes", "retryAfterSeconds"]),
        (_, ["metadata", "ownerReferences"]) => Some(&["apiVersion", "kind", "name", "uid", "controller", "blockOwnerDeletion"]),
        (_, ["status"]) if kind == "Pod" => Some(POD_STATUS_ORDER),
        (_, ["status", "conditions"]) => {
            Some(&["type", "status", "observedGeneration", "lastProbeTime", "lastUpdateTime", "lastTransitionTime", "reason", "message"])
        }
        (_, ["status", "containerStatuses" | "initContainerStatuses"]) => Some(&[
            "name", "state", "lastState", "ready", "restartCount", "image", "imageID", "containerID", "started",
            "allocatedResources", "resources", "volumeMounts", "user", "allocatedResourcesStatus",
        ]),
        (_, ["status", "containerStatuses" | "initContainerStatuses", "state" | "lastState", "terminated"]) => {
            Some(&["exitCode", "signal", "reason", "message", "startedAt", "finishedAt", "containerID"])
        }
        _ => None,
    }
}

/// `json.MarshalIndent(obj, "", unit)` of a typed Go object: every struct's fields in
/// declaration order, no final newline. The API server writes its responses this
/// way (two spaces) when a person asks (`curl`, `?pretty=true`); kubectl prints its
/// generators' objects with four spaces.
pub fn write_go_json(value: &Value, unit: &str, out: &mut String) {
    let kind = value.get("kind").and_then(Value::as_str).unwrap_or("").to_string();
    write_go_json_at(value, &kind, &mut Vec::new(), 0, unit, out);
}

fn write_go_json_at<'v>(value: &'v Value, kind: &str, path: &mut Vec<&'v str>, level: usize, unit: &str, out: &mut String) {
    let compact = unit.is_empty();
    let newline = if compact { "" } else { "\n" };
    let indent = |n: usize, out: &mut String| {
        for _ in 0..n {
            out.push_str(unit);
        }
    };
    match value {
        Value::Object(map) if !map.is_empty() => {
            let mut keys: Vec<&String> = map.keys().collect();
            match struct_order(kind, path) {
                Some(order) => {
                    let rank = |k: &str| order.iter().position(|o| *o == k).unwrap_or(order.len());
                    crate::sort::sort_by(&mut keys, |a, b| rank(a).cmp(&rank(b)).then_with(|| a.cmp(b)));
                }
                None => crate::sort::sort_by(&mut keys, |a, b| go_rank(a).cmp(&go_rank(b)).then_with(|| a.cmp(b))),
            }
            out.push('{');
            out.push_str(newline);
            for (i, k) in keys.iter().enumerate() {
                indent(level + 1, out);
                crate::printers::json::write_string(k, out);
                out.push_str(if compact { ":" } else { ": " });
                if let Some(v) = map.get(*k) {
                    path.push(k.as_str());
                    write_go_json_at(v, kind, path, level + 1, unit, out);
                    path.pop();
                }
                if i + 1 < keys.len() {
                    out.push(',');
                }
                out.push_str(newline);
            }
            indent(level, out);
            out.push('}');
        }
        Value::Array(items) if !items.is_empty() => {
            out.push('[');
            out.push_str(newline);
            for (i, item) in items.iter().enumerate() {
                indent(level + 1, out);
                write_go_json_at(item, kind, path, level + 1, unit, out);
                if i + 1 < items.len() {
                    out.push(',');
                }
                out.push_str(newline);
            }
            indent(level, out);
            out.push(']');
        }
        other => {
            let text = crate::printers::json::to_string(other);
            out.push_str(text.trim_end_matches('\n'));
        }
    }
}

/// Prints a server error as kubectl's `checkErr` does; returns the exit code.
pub fn print_status(status: &Status, out: &mut Output) -> i32 {
    out.err(&format!("{}\n", status.kubectl_message()));
    1
}

/// A resource named on the command line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    pub rt: &'static ResourceType,
    pub name: String,
}

/// Resolves positional arguments the way kubectl's resource builder does:
/// `TYPE NAME...`, `TYPE/NAME...`, or `TYPE1,TYPE2 NAME`. `Err` is the full stderr.
pub fn resolve_targets(args: &[String]) -> Result<Vec<Target>, String> {
    let mut targets = Vec::new();
    let Some(first) = args.first() else {
        return Ok(targets);
    };
    if first.contains('/') {
        for arg in args {
            let Some((type_name, name)) = arg.split_once('/') else {
                return Err(format!(
                    "error: there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'kubectl get resource/<resource_name>' instead of 'kubectl get resource resource/<resource_name>'\n"
                ));
            };
            if name.is_empty() {
                return Err(format!("error: arguments in resource/name form must have a single resource and name\n"));
            }
            let rt = lookup(type_name)?;
            targets.push(Target { rt, name: name.to_string() });
        }
        return Ok(targets);
    }
    if args.len() > 1 && args[1..].iter().any(|a| a.contains('/')) {
        return Err("error: there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'kubectl get resource/<resource_name>' instead of 'kubectl get resource resource/<resource_name>'\n".to_string());
    }
    let types: Vec<&'static ResourceType> = first.split(',').map(lookup).collect::<Result<_, _>>()?;
    for rt in types {
        for name in &args[1..] {
            targets.push(Target { rt, name: name.clone() });
        }
    }
    Ok(targets)
}

/// A resource type as typed, or kubectl's discovery error.
pub fn lookup(type_name: &str) -> Result<&'static ResourceType, String> {
    resources::lookup(type_name).ok_or_else(|| format!("error: the server doesn't have a resource type \"{type_name}\"\n"))
}

/// The objects that `-f FILE...` names, each with the namespace it is addressed in
/// (its own, else the command's), as kubectl's resource builder reads them for
/// label, annotate, patch and expose. `Err` is the full stderr.
pub fn file_targets(host: &Host, filenames: &[String], recursive: bool, stdin: Option<&str>, namespace: &str) -> Result<Vec<(Target, String)>, String> {
    let docs = super::manifest::read_all(host, filenames, recursive, stdin)?;
    let mut targets = Vec::new();
    for doc in docs {
        let rt = doc.resource_type().map_err(|m| format!("error: {m}\n"))?;
        let ns = if doc.namespace().is_empty() { namespace } else { doc.namespace() };
        targets.push((Target { rt, name: doc.name().to_string() }, scoped(rt, ns).to_string()));
    }
    Ok(targets)
}

/// The objects named on the command line (`TYPE NAME...`, `TYPE/NAME...`) in the
/// command's namespace, for verbs that need names (patch, expose): no arguments
/// and a type without a name are kubectl's two usage errors. `Err` is the full stderr.
pub fn named_targets(args: &[String], namespace: &str) -> Result<Vec<(Target, String)>, String> {
    if args.is_empty() {
        return Err("error: You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'\n".to_string());
    }
    if args.len() == 1 && !args[0].contains('/') {
        return Err("error: resource(s) were provided, but no name was specified\n".to_string());
    }
    Ok(scoped_targets(resolve_targets(args)?, namespace))
}

/// The objects a command acts on, as kubectl's resource builder selects them for
/// label, annotate and wait: `-f FILE...`; or one type with `-l SELECTOR` or
/// `--all` (in the namespace, or every one with `-A`), which may match nothing;
/// or names (`TYPE NAME...`, `TYPE/NAME...`). `Err` is the full stderr.
pub fn select_targets(
    cluster: &Cluster,
    host: &Host,
    flags: &super::flags::ParsedFlags,
    resource_args: &[String],
    stdin: Option<&str>,
    namespace: &str,
) -> Result<Vec<(Target, String)>, String> {
    let filenames = flags.list("filename");
    if !filenames.is_empty() {
        return file_targets(host, &filenames, flags.bool("recursive"), stdin, namespace);
    }
    let Some(first) = resource_args.first() else {
        return Err("error: one or more resources must be specified as <resource> <name> or <resource>/<name>\n".to_string());
    };
    if resource_args.len() > 1 || first.contains('/') {
        return Ok(scoped_targets(resolve_targets(resource_args)?, namespace));
    }
    let selector_text = flags.string("selector");
    if !flags.bool("all") && selector_text.is_empty() {
        return Err("error: resource(s) were provided, but no name was specified\n".to_string());
    }
    let rt = lookup(first)?;
    let selector = crate::labels::parse(&selector_text).map_err(|e| format!("error: {e}\n"))?;
    let ns_filter = if flags.bool("all-namespaces") || !rt.namespaced { None } else { Some(namespace) };
    Ok(crate::apiserver::list(cluster, rt.kind, ns_filter)
        .into_iter()
        .filter(|o| selector.matches_opt(o.metadata().labels.as_ref()))
        .map(|o| (Target { rt, name: o.name().to_string() }, o.namespace().to_string()))
        .collect())
}

/// Targets paired with the namespace each is addressed in.
pub fn scoped_targets(targets: Vec<Target>, namespace: &str) -> Vec<(Target, String)> {
    targets
        .into_iter()
        .map(|t| {
            let ns = scoped(t.rt, namespace).to_string();
            (t, ns)
        })
        .collect()
}

/// The namespace a namespaced object is addressed in; cluster-scoped objects have none.
pub fn scoped<'a>(rt: &ResourceType, namespace: &'a str) -> &'a str {
    if rt.namespaced {
        namespace
    } else {
        ""
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `kubectl create service nodeport web --tcp=80:8080 --node-port=30080
    /// --dry-run=client -o json` from the real kubectl 1.32.
    #[test]
    fn typed_json_is_in_struct_order() {
        let v = serde_json::json!({"apiVersion": "v1", "kind": "Service",
            "metadata": {"creationTimestamp": null, "labels": {"app": "web"}, "name": "web"},
            "spec": {"ports": [{"name": "80-8080", "nodePort": 30080, "port": 80, "protocol": "TCP", "targetPort": 8080}],
                     "selector": {"app": "web"}, "type": "NodePort"},
            "status": {"loadBalancer": {}}});
        let mut out = Output::default();
        print_typed_result(resources::resource_type(resources::Kind::Service), &v, "json", "created", DryRun::Client, &mut out);
        let want = "{\n    \"kind\": \"Service\",\n    \"apiVersion\": \"v1\",\n    \"metadata\": {\n        \"name\": \"web\",\n        \"creationTimestamp\": null,\n        \"labels\": {\n            \"app\": \"web\"\n        }\n    },\n    \"spec\": {\n        \"ports\": [\n            {\n                \"name\": \"80-8080\",\n                \"protocol\": \"TCP\",\n                \"port\": 80,\n                \"targetPort\": 8080,\n                \"nodePort\": 30080\n            }\n        ],\n        \"selector\": {\n            \"app\": \"web\"\n        },\n        \"type\": \"NodePort\"\n    },\n    \"status\": {\n        \"loadBalancer\": {}\n    }\n}\n";
        assert_eq!(out.stdout, want);
    }

    #[test]
    fn targets_in_both_forms() {
        let t = resolve_targets(&["svc".into(), "a".into(), "b".into()]).unwrap_or_default();
        assert_eq!(t.iter().map(|t| (t.rt.plural, t.name.as_str())).collect::<Vec<_>>(), [("services", "a"), ("services", "b")]);
        let t = resolve_targets(&["deploy/web".into(), "svc/web".into()]).unwrap_or_default();
        assert_eq!(t.iter().map(|t| t.rt.plural).collect::<Vec<_>>(), ["deployments", "services"]);
        assert_eq!(resolve_targets(&["foo".into(), "x".into()]).err().as_deref(), Some("error: the server doesn't have a resource type \"foo\"\n"));
    }
}
