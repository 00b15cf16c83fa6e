//! What the mutating verbs share: `--dry-run` and `-o` handling, the success lines
//! (`deployment.apps/web created`), klog warnings, and resolving `TYPE NAME` /
//! `TYPE/NAME` arguments to objects.

use serde_json::Value;

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
        write_typed_json(object, 0, &mut text);
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

/// `json.MarshalIndent(obj, "", "    ")` of a typed object: struct order, four spaces.
fn write_typed_json(value: &Value, level: usize, out: &mut String) {
    let indent = |n: usize, out: &mut String| {
        for _ in 0..n {
            out.push_str("    ");
        }
    };
    match value {
        Value::Object(map) if !map.is_empty() => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort_by(|a, b| go_rank(a).cmp(&go_rank(b)).then_with(|| a.cmp(b)));
            out.push_str("{\n");
            for (i, k) in keys.iter().enumerate() {
                indent(level + 1, out);
                crate::printers::json::write_string(k, out);
                out.push_str(": ");
                if let Some(v) = map.get(*k) {
                    write_typed_json(v, level + 1, out);
                }
                if i + 1 < keys.len() {
                    out.push(',');
                }
                out.push('\n');
            }
            indent(level, out);
            out.push('}');
        }
        Value::Array(items) if !items.is_empty() => {
            out.push_str("[\n");
            for (i, item) in items.iter().enumerate() {
                indent(level + 1, out);
                write_typed_json(item, level + 1, out);
                if i + 1 < items.len() {
                    out.push(',');
                }
                out.push('\n');
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
