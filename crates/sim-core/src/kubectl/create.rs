//! `kubectl create`: `-f` manifests, and the generators (`create deployment`,
//! `create service clusterip|nodeport|loadbalancer|externalname`, `create namespace`,
//! `create configmap`, `create ingress`) that build an object from flags.
//!
//! Each generator builds the JSON kubectl's typed object marshals to (the
//! `creationTimestamp: null`, `status: {}` and `resources: {}` that Go's zero structs
//! leave are part of it), prints it for `--dry-run=client`, and otherwise sends it to
//! the API server. Error wrapping follows each upstream command: `create deployment`
//! and `create service` wrap with `failed to create ...`, the others print the
//! server's error as it is.

use serde_json::{json, Map, Value};

use super::flags::{self, ParsedFlags};
use super::host::Host;
use super::manifest::{self, Document};
use super::output::{self, DryRun};
use crate::apiserver::{self, CreateOptions, FieldValidation, Status};
use crate::cluster::Cluster;
use crate::resources::{self, Kind};
use crate::simulator::Output;

/// `create` subcommands by the names and aliases cobra accepts.
const SUBCOMMANDS: &[(&str, &str)] = &[
    ("deployment", "deployment"),
    ("deploy", "deployment"),
    ("service", "service"),
    ("svc", "service"),
    ("namespace", "namespace"),
    ("ns", "namespace"),
    ("configmap", "configmap"),
    ("cm", "configmap"),
    ("ingress", "ingress"),
    ("ing", "ingress"),
];

/// `create` subcommands kubectl has that kubesim does not simulate.
const OTHER_SUBCOMMANDS: &[&str] = &[
    "clusterrole", "clusterrolebinding", "cronjob", "cj", "job", "poddisruptionbudget", "pdb", "priorityclass", "pc",
    "quota", "resourcequota", "role", "rolebinding", "secret", "serviceaccount", "sa", "token",
];

pub fn run(cluster: &mut Cluster, host: &mut Host, args: &[String], stdin: Option<&str>, out: &mut Output) -> i32 {
    if let Some(index) = flags::first_positional("create", args) {
        let word = args[index].as_str();
        let mut rest: Vec<String> = args[..index].to_vec();
        rest.extend(args[index + 1..].iter().cloned());
        if let Some((_, sub)) = SUBCOMMANDS.iter().find(|(w, _)| *w == word) {
            return match *sub {
                "deployment" => create_deployment(cluster, host, &rest, out),
                "service" => create_service(cluster, host, &rest, out),
                "namespace" => create_namespace(cluster, &rest, out),
                "configmap" => create_configmap(cluster, host, &rest, out),
                _ => create_ingress(cluster, host, &rest, out),
            };
        }
        if OTHER_SUBCOMMANDS.contains(&word) {
            out.err(&format!("kubesim: 'kubectl create {word}' is not simulated\n"));
            return 1;
        }
    }
    let flags = match flags::parse_or_report("create", args, out) {
        Ok(f) => f,
        Err(code) => return code,
    };
    if !flags.positional.is_empty() {
        out.err(&format!(
            "error: Unexpected args: [{}]\nSee 'kubectl create -h' for help and examples\n",
            flags.positional.join(" ")
        ));
        return 1;
    }
    let filenames = flags.list("filename");
    if filenames.is_empty() {
        if flags.changed("kustomize") {
            out.err("kubesim: 'kubectl create -k' is not simulated\n");
            return 1;
        }
        out.err("error: must specify one of -f and -k\n");
        return 1;
    }
    let (format, dry_run, docs) = match read_manifests(cluster, host, &flags, &filenames, stdin, "create", out) {
        Ok(read) => read,
        Err(code) => return code,
    };
    let namespace = namespace_of(host, &flags);
    let validation = field_validation(&flags);
    let mut errors = Errors::default();
    let mut yaml_printed = 0;
    for doc in docs {
        let rt = match doc.resource_type() {
            Ok(rt) => rt,
            Err(message) => {
                errors.other(message);
                continue;
            }
        };
        let ns = match object_namespace(&doc, rt.namespaced, &namespace, flags.namespace().is_some()) {
            Ok(ns) => ns,
            Err(message) => {
                errors.other(message);
                continue;
            }
        };
        // `--save-config` records the object as `kubectl apply` would.
        let value = if flags.bool("save-config") { super::apply::with_last_applied(&doc.value) } else { doc.value.clone() };
        let result = if dry_run == DryRun::Client {
            // The builder has set the namespace on the object by now.
            let mut v = value.clone();
            if rt.namespaced {
                v["metadata"]["namespace"] = Value::String(ns.clone());
            }
            Ok(v)
        } else {
            send_create(cluster, rt.kind, &ns, value, dry_run, validation)
        };
        match result {
            Ok(created) => {
                // The YAML printer separates documents after the first.
                if format == "yaml" {
                    if yaml_printed > 0 {
                        out.out("---\n");
                    }
                    yaml_printed += 1;
                }
                output::print_result(rt, &created, &format, "created", dry_run, out)
            }
            Err(status) => errors.status(status.with_source("creating", &doc.source)),
        }
    }
    errors.print(out)
}

/// Errors collected over several objects and printed at the end, as kubectl's
/// `checkErr` prints an aggregate: one error with its `error: ` prefix, several one
/// per line (server errors in their `Error from server` form either way).
#[derive(Default)]
pub struct Errors {
    lines: Vec<(bool, String)>,
}

impl Errors {
    pub fn status(&mut self, status: Status) {
        self.lines.push((true, status.kubectl_message()));
    }

    pub fn other(&mut self, message: String) {
        self.lines.push((false, message));
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// Prints the errors; returns the exit code (1 when there were any).
    pub fn print(&self, out: &mut Output) -> i32 {
        match self.lines.as_slice() {
            [] => 0,
            [(is_status, line)] => {
                if *is_status {
                    out.err(&format!("{line}\n"));
                } else {
                    out.err(&format!("error: {line}\n"));
                }
                1
            }
            many => {
                for (_, line) in many {
                    out.err(&format!("{line}\n"));
                }
                1
            }
        }
    }
}

/// The namespace commands work in: `-n`, else the kubeconfig's.
pub fn namespace_of(host: &Host, flags: &ParsedFlags) -> String {
    flags.namespace().filter(|n| !n.is_empty()).unwrap_or_else(|| host.default_namespace())
}

/// `--validate` as the server's `fieldValidation`.
pub fn field_validation(flags: &ParsedFlags) -> FieldValidation {
    match flags.string("validate").as_str() {
        "warn" => FieldValidation::Warn,
        "false" | "ignore" => FieldValidation::Ignore,
        _ => FieldValidation::Strict,
    }
}

/// The namespace a manifest's object goes to: its own, which must agree with an
/// explicit `-n`, else the command's.
pub fn object_namespace(doc: &Document, namespaced: bool, namespace: &str, explicit: bool) -> Result<String, String> {
    if !namespaced {
        return Ok(String::new());
    }
    let own = doc.namespace();
    if own.is_empty() {
        return Ok(namespace.to_string());
    }
    if explicit && own != namespace {
        return Err(format!(
            "the namespace from the provided object \"{own}\" does not match the namespace \"{namespace}\". You must pass '--namespace={own}' to perform this operation."
        ));
    }
    Ok(own.to_string())
}

/// POSTs `value` as an object of `kind` in `namespace`; returns the stored object's JSON.
pub fn send_create(
    cluster: &mut Cluster,
    kind: Kind,
    namespace: &str,
    value: Value,
    dry_run: DryRun,
    validation: FieldValidation,
) -> Result<Value, Status> {
    let mut object = apiserver::decode_as(kind, value.clone())?;
    if resources::resource_type(kind).namespaced {
        object.metadata_mut().namespace = Some(namespace.to_string());
    }
    let opts = CreateOptions { dry_run: dry_run == DryRun::Server, field_validation: validation, raw: Some(value) };
    apiserver::create(cluster, object, &opts).map(|o| o.to_json())
}

/// What every generator does once it has its object: print it for a client dry run,
/// or create it and print the result. `wrap` is the generator's error prefix.
fn finish(
    cluster: &mut Cluster,
    host: &Host,
    flags: &ParsedFlags,
    kind: Kind,
    value: Value,
    wrap: Option<&str>,
    out: &mut Output,
) -> i32 {
    let rt = resources::resource_type(kind);
    let format = flags.string("output");
    let value = if flags.bool("save-config") { super::apply::with_last_applied(&value) } else { value };
    let dry_run = match output::dry_run(cluster, flags, out) {
        Ok(d) => d,
        Err(code) => return code,
    };
    if dry_run == DryRun::Client {
        output::print_typed_result(rt, &value, &format, "created", dry_run, out);
        return 0;
    }
    let namespace = namespace_of(host, flags);
    match send_create(cluster, kind, &namespace, value, dry_run, field_validation(flags)) {
        Ok(created) => {
            let created = as_typed(kind, created);
            output::print_typed_result(rt, &created, &format, "created", dry_run, out);
            0
        }
        Err(status) => match wrap {
            Some(prefix) => {
                out.err(&format!("error: {prefix}: {}\n", status.message));
                1
            }
            None => output::print_status(&status, out),
        },
    }
}

/// The server's answer as kubectl's typed client holds it: decoded into the Go
/// struct, so the zero structs Go's JSON always writes come back (a template's
/// `creationTimestamp: null`, an empty `status`), as they do in `-o yaml` of
/// `create deployment --dry-run=server`.
fn as_typed(kind: Kind, mut value: Value) -> Value {
    if let Some(meta) = value.pointer_mut("/spec/template/metadata").and_then(Value::as_object_mut) {
        meta.entry("creationTimestamp").or_insert(Value::Null);
    }
    let empty_status = match kind {
        Kind::Deployment | Kind::Namespace => Some(json!({})),
        Kind::Service | Kind::Ingress => Some(json!({"loadBalancer": {}})),
        _ => None,
    };
    if let (Some(status), Some(map)) = (empty_status, value.as_object_mut()) {
        map.entry("status").or_insert(status);
    }
    value
}

/// Parses a generator's flags and checks what all generators check first: exactly one
/// NAME and a known `-o`.
fn generator_flags(path: &str, args: &[String], required: &[&str], out: &mut Output) -> Result<(ParsedFlags, String), i32> {
    let flags = flags::parse_or_report(path, args, out)?;
    // cobra checks required flags before the command runs, so before NAME.
    for name in required {
        required_flag(&flags, name, out)?;
    }
    output::check_output_format(&flags.string("output"), out)?;
    let names = match flags.args_len_at_dash {
        Some(n) => &flags.positional[..n.min(flags.positional.len())],
        None => &flags.positional[..],
    };
    if names.len() != 1 {
        out.err(&format!("error: exactly one NAME is required, got {}\nSee 'kubectl {path} -h' for help and examples\n", names.len()));
        return Err(1);
    }
    Ok((flags.clone(), names[0].clone()))
}

fn required_flag(flags: &ParsedFlags, name: &str, out: &mut Output) -> Result<(), i32> {
    if flags.changed(name) {
        return Ok(());
    }
    out.err(&format!("error: required flag(s) \"{name}\" not set\n"));
    Err(1)
}

/// `kubectl create deployment NAME --image=IMAGE... [--replicas=N] [--port=P] [-- COMMAND...]`.
fn create_deployment(cluster: &mut Cluster, host: &mut Host, args: &[String], out: &mut Output) -> i32 {
    let path = "create deployment";
    let (flags, name) = match generator_flags(path, args, &["image"], out) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let images: Vec<String> = flags.comma_list("image");
    let command: Vec<String> = match flags.args_len_at_dash {
        Some(n) => flags.positional.get(n..).unwrap_or(&[]).to_vec(),
        None => Vec::new(),
    };
    if images.len() > 1 && !command.is_empty() {
        out.err("error: cannot specify multiple --image options and command\n");
        return 1;
    }
    let replicas = flags.int("replicas");
    let port = flags.int("port");
    let mut containers = Vec::new();
    for image in &images {
        let container_name = crate::naming::container_name_from_image(image, &mut cluster.rng);
        containers.push(json!({"image": image, "name": container_name, "resources": {}}));
    }
    if let Some(first) = containers.first_mut() {
        if !command.is_empty() {
            first["command"] = json!(command);
        }
        if port >= 0 {
            first["ports"] = json!([{"containerPort": port}]);
        }
    }
    let labels = json!({"app": name});
    let value = json!({
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"creationTimestamp": null, "labels": labels, "name": name},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": labels},
            "strategy": {},
            "template": {"metadata": {"creationTimestamp": null, "labels": labels}, "spec": {"containers": containers}},
        },
        "status": {},
    });
    finish(cluster, host, &flags, Kind::Deployment, value, Some("failed to create deployment"), out)
}

/// `kubectl create service TYPE NAME [--tcp=port:targetPort...]`.
fn create_service(cluster: &mut Cluster, host: &mut Host, args: &[String], out: &mut Output) -> i32 {
    let Some(index) = flags::first_positional("create service", args) else {
        return service_group_help(args, out);
    };
    let service_type = match args[index].as_str() {
        "clusterip" => "ClusterIP",
        "nodeport" => "NodePort",
        "loadbalancer" => "LoadBalancer",
        "externalname" => "ExternalName",
        _ => return service_group_help(args, out),
    };
    let path = format!("create service {}", args[index]);
    let mut rest: Vec<String> = args[..index].to_vec();
    rest.extend(args[index + 1..].iter().cloned());
    let required: &[&str] = if service_type == "ExternalName" { &["external-name"] } else { &[] };
    let (flags, name) = match generator_flags(&path, &rest, required, out) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let cluster_ip = flags.string("clusterip");
    let tcp = flags.comma_list("tcp");
    let needs_ports = service_type != "ExternalName" && cluster_ip != "None";
    if needs_ports && tcp.is_empty() {
        out.err("error: at least one tcp port specifier must be provided\n");
        return 1;
    }
    if service_type == "ExternalName" {
        let external = flags.string("external-name");
        let problems = crate::apiserver::names::is_dns1123_subdomain(&external);
        if !problems.is_empty() {
            out.err(&format!("error: invalid service external name {external}\n"));
            return 1;
        }
    }
    let node_port = flags.int("node-port");
    let mut ports = Vec::new();
    for spec in &tcp {
        let (port_text, target_text) = match spec.split_once(':') {
            Some((p, t)) => (p, Some(t)),
            None => (spec.as_str(), None),
        };
        let port = match port_text.parse::<u16>() {
            Ok(p) => p,
            Err(_) => {
                out.err(&format!("error: strconv.ParseUint: parsing \"{port_text}\": {}\n", parse_uint_reason(port_text)));
                return 1;
            }
        };
        let target: Value = match target_text {
            Some(t) => match t.parse::<i32>() {
                Ok(n) => json!(n),
                Err(_) => json!(t),
            },
            None => json!(port),
        };
        let mut p = json!({"name": spec.replace(':', "-"), "port": port, "protocol": "TCP", "targetPort": target});
        if node_port > 0 {
            p["nodePort"] = json!(node_port);
        }
        ports.push(p);
    }
    let labels = json!({"app": name});
    let mut spec = Map::new();
    if !ports.is_empty() {
        spec.insert("ports".into(), Value::Array(ports));
    }
    spec.insert("selector".into(), labels.clone());
    spec.insert("type".into(), json!(service_type));
    if !cluster_ip.is_empty() {
        spec.insert("clusterIP".into(), json!(cluster_ip));
    }
    if service_type == "ExternalName" {
        spec.insert("externalName".into(), json!(flags.string("external-name")));
    }
    let value = json!({
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"creationTimestamp": null, "labels": labels, "name": name},
        "spec": Value::Object(spec),
        "status": {"loadBalancer": {}},
    });
    let wrap = format!("failed to create {service_type} service");
    finish(cluster, host, &flags, Kind::Service, value, Some(&wrap), out)
}

fn parse_uint_reason(text: &str) -> &'static str {
    if !text.is_empty() && text.chars().all(|c| c.is_ascii_digit()) {
        "value out of range"
    } else {
        "invalid syntax"
    }
}

/// `kubectl create service` without a type: cobra's `DefaultSubCommandRun` prints the
/// help to stderr and fails.
fn service_group_help(args: &[String], out: &mut Output) -> i32 {
    match flags::parse_or_report("create service", args, out) {
        Err(code) => code,
        Ok(parsed) => {
            if let Some(first) = parsed.positional.first() {
                let _ = first;
                out.err(&format!(
                    "error: unknown command \"{}\"\nSee 'kubectl create service -h' for help and examples\n",
                    parsed.positional.join(" ")
                ));
                return 1;
            }
            out.err(super::help::text("create service").unwrap_or(""));
            1
        }
    }
}

/// `kubectl create namespace NAME`.
fn create_namespace(cluster: &mut Cluster, args: &[String], out: &mut Output) -> i32 {
    let (flags, name) = match generator_flags("create namespace", args, &[], out) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let value = json!({
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {"creationTimestamp": null, "name": name},
        "spec": {},
        "status": {},
    });
    finish(cluster, &Host::default(), &flags, Kind::Namespace, value, None, out)
}

/// `kubectl create configmap NAME [--from-literal=k=v] [--from-file=[key=]path]`.
fn create_configmap(cluster: &mut Cluster, host: &mut Host, args: &[String], out: &mut Output) -> i32 {
    let (flags, name) = match generator_flags("create configmap", args, &[], out) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let mut data = Map::new();
    for literal in flags.list("from-literal") {
        let Some((k, v)) = literal.split_once('=').filter(|(k, _)| !k.is_empty()) else {
            out.err(&format!("error: invalid literal source {literal}, expected key=value\n"));
            return 1;
        };
        // kubectl strips one pair of surrounding quotes from literal values.
        let v = v.strip_prefix('"').and_then(|s| s.strip_suffix('"')).unwrap_or(v);
        if data.contains_key(k) {
            out.err(&format!("error: cannot add key {k}, another key by that name already exists in Data for ConfigMap \"{name}\"\n"));
            return 1;
        }
        data.insert(k.to_string(), json!(v));
    }
    for source in flags.list("from-file") {
        let (key, path) = match source.split_once('=') {
            Some((k, p)) => (k.to_string(), p.to_string()),
            None => (crate::vfs::Vfs::base_name(&host.resolve(&source)).to_string(), source.clone()),
        };
        match host.read_file(&path) {
            Ok(text) => {
                data.insert(key, json!(text));
            }
            Err(_) => {
                out.err(&format!("error: stat {path}: no such file or directory\n"));
                return 1;
            }
        }
    }
    if !flags.list("from-env-file").is_empty() {
        out.err("kubesim: 'kubectl create configmap --from-env-file' is not simulated\n");
        return 1;
    }
    let mut value = json!({
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"creationTimestamp": null, "name": name},
    });
    if !data.is_empty() {
        value["data"] = Value::Object(data);
    }
    finish(cluster, host, &flags, Kind::ConfigMap, value, None, out)
}

/// `kubectl create ingress NAME --rule=host/path=service:port[,tls[=secret]] [--class=C]`.
fn create_ingress(cluster: &mut Cluster, host: &mut Host, args: &[String], out: &mut Output) -> i32 {
    let (flags, name) = match generator_flags("create ingress", args, &[], out) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let rules_text = flags.list("rule");
    let default_backend = flags.string("default-backend");
    if rules_text.is_empty() && default_backend.is_empty() {
        out.err("error: not enough information provided: every ingress has to either specify a default-backend (which catches all traffic) or a list of rules (which catch specific paths)\n");
        return 1;
    }
    // Rules with the same host share one rule entry, in order of first appearance.
    let mut rules: Vec<(String, Vec<Value>)> = Vec::new();
    let mut tls: Vec<(String, Vec<String>)> = Vec::new();
    for rule in &rules_text {
        let Some(parsed) = parse_ingress_rule(rule) else {
            out.err(&format!("error: rule {rule} is invalid and should be in format host/path=svcname:svcport[,tls[=secret]]\n"));
            return 1;
        };
        let path = json!({"backend": {"service": {"name": parsed.service, "port": port_value(&parsed.port)}}, "path": parsed.path, "pathType": parsed.path_type});
        match rules.iter_mut().find(|(h, _)| *h == parsed.host) {
            Some((_, paths)) => paths.push(path),
            None => rules.push((parsed.host.clone(), vec![path])),
        }
        if let Some(secret) = parsed.tls {
            match tls.iter_mut().find(|(s, _)| *s == secret) {
                Some((_, hosts)) => {
                    if !parsed.host.is_empty() {
                        hosts.push(parsed.host.clone());
                    }
                }
                None => tls.push((secret, if parsed.host.is_empty() { vec![] } else { vec![parsed.host.clone()] })),
            }
        }
    }
    let mut spec = Map::new();
    let class = flags.string("class");
    if !class.is_empty() {
        spec.insert("ingressClassName".into(), json!(class));
    }
    if !default_backend.is_empty() {
        let (svc, port) = default_backend.split_once(':').unwrap_or((default_backend.as_str(), ""));
        spec.insert("defaultBackend".into(), json!({"service": {"name": svc, "port": port_value(port)}}));
    }
    if !rules.is_empty() {
        let list: Vec<Value> = rules
            .into_iter()
            .map(|(h, paths)| {
                let mut r = json!({"http": {"paths": paths}});
                if !h.is_empty() {
                    r["host"] = json!(h);
                }
                r
            })
            .collect();
        spec.insert("rules".into(), Value::Array(list));
    }
    if !tls.is_empty() {
        let list: Vec<Value> = tls
            .into_iter()
            .map(|(secret, hosts)| {
                let mut t = json!({});
                if !hosts.is_empty() {
                    t["hosts"] = json!(hosts);
                }
                if !secret.is_empty() {
                    t["secretName"] = json!(secret);
                }
                t
            })
            .collect();
        spec.insert("tls".into(), Value::Array(list));
    }
    let mut metadata = json!({"creationTimestamp": null, "name": name});
    let annotations = flags.list("annotation");
    if !annotations.is_empty() {
        let mut map = Map::new();
        for a in annotations {
            let (k, v) = a.split_once('=').unwrap_or((a.as_str(), ""));
            map.insert(k.to_string(), json!(v));
        }
        metadata["annotations"] = Value::Object(map);
    }
    let value = json!({
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": metadata,
        "spec": Value::Object(spec),
        "status": {"loadBalancer": {}},
    });
    finish(cluster, host, &flags, Kind::Ingress, value, None, out)
}

struct IngressRule {
    host: String,
    path: String,
    path_type: &'static str,
    service: String,
    port: String,
    tls: Option<String>,
}

/// `host/path=svc:port[,tls[=secret]]`: a path ending in `*` is a Prefix path without
/// the star, any other an Exact path (kubectl `create ingress`).
fn parse_ingress_rule(rule: &str) -> Option<IngressRule> {
    let (main, tls_part) = match rule.split_once(',') {
        Some((m, t)) => (m, Some(t)),
        None => (rule, None),
    };
    let (host_path, backend) = main.split_once('=')?;
    let (service, port) = backend.split_once(':')?;
    if service.is_empty() || port.is_empty() {
        return None;
    }
    let slash = host_path.find('/')?;
    let host = &host_path[..slash];
    let mut path = host_path[slash..].to_string();
    let path_type = if path.ends_with('*') {
        path.pop();
        "Prefix"
    } else {
        "Exact"
    };
    let tls = match tls_part {
        None => None,
        Some("tls") => Some(String::new()),
        Some(t) => Some(t.strip_prefix("tls=")?.to_string()),
    };
    Some(IngressRule { host: host.to_string(), path, path_type, service: service.to_string(), port: port.to_string(), tls })
}

fn port_value(port: &str) -> Value {
    match port.parse::<i32>() {
        Ok(n) => json!({"number": n}),
        Err(_) => json!({"name": port}),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::Clock;
    use crate::cluster::Topology;

    fn kubectl(cluster: &mut Cluster, line: &str) -> Output {
        let args: Vec<String> = line.split_whitespace().map(str::to_string).collect();
        let mut out = Output::default();
        out.exit_code = super::super::run(cluster, &args, None, &mut out);
        out
    }

    fn cluster() -> Cluster {
        Cluster::kind(Clock::from_unix_millis(1_767_603_600_000), 1, &Topology::default())
    }

    /// Each expected text below was printed by the real kubectl 1.32.
    #[test]
    fn client_dry_run_yaml_is_kubectls() {
        let mut c = cluster();
        let cases = [
            (
                "create deployment web --image=nginx --replicas=2 --port=80 --dry-run=client -o yaml",
                "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  creationTimestamp: null\n  labels:\n    app: web\n  name: web\nspec:\n  replicas: 2\n  selector:\n    matchLabels:\n      app: web\n  strategy: {}\n  template:\n    metadata:\n      creationTimestamp: null\n      labels:\n        app: web\n    spec:\n      containers:\n      - image: nginx\n        name: nginx\n        ports:\n        - containerPort: 80\n        resources: {}\nstatus: {}\n",
            ),
            (
                "create service clusterip web --tcp=80:8080 --tcp=443 --dry-run=client -o yaml",
                "apiVersion: v1\nkind: Service\nmetadata:\n  creationTimestamp: null\n  labels:\n    app: web\n  name: web\nspec:\n  ports:\n  - name: 80-8080\n    port: 80\n    protocol: TCP\n    targetPort: 8080\n  - name: \"443\"\n    port: 443\n    protocol: TCP\n    targetPort: 443\n  selector:\n    app: web\n  type: ClusterIP\nstatus:\n  loadBalancer: {}\n",
            ),
            (
                "create service clusterip hl --clusterip=None --dry-run=client -o yaml",
                "apiVersion: v1\nkind: Service\nmetadata:\n  creationTimestamp: null\n  labels:\n    app: hl\n  name: hl\nspec:\n  clusterIP: None\n  selector:\n    app: hl\n  type: ClusterIP\nstatus:\n  loadBalancer: {}\n",
            ),
            (
                "create service externalname ext --external-name=db.example.com --dry-run=client -o yaml",
                "apiVersion: v1\nkind: Service\nmetadata:\n  creationTimestamp: null\n  labels:\n    app: ext\n  name: ext\nspec:\n  externalName: db.example.com\n  selector:\n    app: ext\n  type: ExternalName\nstatus:\n  loadBalancer: {}\n",
            ),
            (
                "create service nodeport web --tcp=80:8080 --node-port=30080 --dry-run=client -o yaml",
                "apiVersion: v1\nkind: Service\nmetadata:\n  creationTimestamp: null\n  labels:\n    app: web\n  name: web\nspec:\n  ports:\n  - name: 80-8080\n    nodePort: 30080\n    port: 80\n    protocol: TCP\n    targetPort: 8080\n  selector:\n    app: web\n  type: NodePort\nstatus:\n  loadBalancer: {}\n",
            ),
            ("create namespace dev --dry-run=client -o yaml", "apiVersion: v1\nkind: Namespace\nmetadata:\n  creationTimestamp: null\n  name: dev\nspec: {}\nstatus: {}\n"),
            (
                "create configmap cfg --from-literal=a=1 --from-literal=b=x --dry-run=client -o yaml",
                "apiVersion: v1\ndata:\n  a: \"1\"\n  b: x\nkind: ConfigMap\nmetadata:\n  creationTimestamp: null\n  name: cfg\n",
            ),
            (
                "create ingress web --rule=web.example.com/*=web:80 --class=nginx --dry-run=client -o yaml",
                "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  creationTimestamp: null\n  name: web\nspec:\n  ingressClassName: nginx\n  rules:\n  - host: web.example.com\n    http:\n      paths:\n      - backend:\n          service:\n            name: web\n            port:\n              number: 80\n        path: /\n        pathType: Prefix\nstatus:\n  loadBalancer: {}\n",
            ),
            (
                "create ingress web --rule=/path=svc:http --dry-run=client -o yaml",
                "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  creationTimestamp: null\n  name: web\nspec:\n  rules:\n  - http:\n      paths:\n      - backend:\n          service:\n            name: svc\n            port:\n              name: http\n        path: /path\n        pathType: Exact\nstatus:\n  loadBalancer: {}\n",
            ),
            ("create deployment x --image=y --dry-run=client", "deployment.apps/x created (dry run)\n"),
            ("create deployment x --image=y --dry-run=client -o name", "deployment.apps/x\n"),
        ];
        for (line, want) in cases {
            let out = kubectl(&mut c, line);
            assert_eq!(out.stdout, want, "kubectl {line}\nstderr: {}", out.stderr);
            assert_eq!(out.exit_code, 0, "{line}");
        }
    }

    /// Usage errors, as the real kubectl 1.32 prints them.
    #[test]
    fn generator_errors() {
        let mut c = cluster();
        let cases = [
            ("create deployment x --dry-run=client", "error: required flag(s) \"image\" not set\n"),
            ("create deployment --image=x", "error: exactly one NAME is required, got 0\nSee 'kubectl create deployment -h' for help and examples\n"),
            ("create deployment a b --image=x", "error: exactly one NAME is required, got 2\nSee 'kubectl create deployment -h' for help and examples\n"),
            ("create deployment x --image=y --dry-run=foo", "error: Invalid dry-run value (foo). Must be \"none\", \"server\", or \"client\".\n"),
            (
                "create deployment x --image=y -o foo",
                "error: unable to match a printer suitable for the output format \"foo\", allowed formats are: go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,yaml\n",
            ),
            ("create service nodeport web", "error: at least one tcp port specifier must be provided\n"),
            ("create service clusterip web --tcp=abc", "error: strconv.ParseUint: parsing \"abc\": invalid syntax\n"),
            ("create service externalname x", "error: required flag(s) \"external-name\" not set\n"),
            ("create configmap c --from-literal=abc", "error: invalid literal source abc, expected key=value\n"),
            ("create foo", "error: Unexpected args: [foo]\nSee 'kubectl create -h' for help and examples\n"),
            ("create", "error: must specify one of -f and -k\n"),
        ];
        for (line, want) in cases {
            let out = kubectl(&mut c, line);
            assert_eq!(out.stderr, want, "kubectl {line}");
            assert_eq!(out.exit_code, 1, "{line}");
        }
    }

    /// Odd command lines for every verb this module family owns: each must come back
    /// with an exit code and never panic, whatever the arguments.
    #[test]
    fn no_command_line_panics() {
        let mut c = cluster();
        kubectl(&mut c, "create deployment web --image=nginx --port=80");
        kubectl(&mut c, "run p --image=nginx");
        let verbs = [
            "apply", "create", "create deployment", "create service", "create service nodeport", "create service externalname",
            "create namespace", "create configmap", "create ingress", "delete", "expose", "label", "annotate", "patch", "run",
            "scale", "rollout", "rollout status", "rollout history", "rollout undo", "rollout restart", "rollout pause",
            "rollout resume", "set", "set image", "logs", "config", "config view", "config set-context", "config use-context",
            "config get-contexts", "cluster-info", "edit", "exec", "port-forward",
        ];
        let tails = [
            "", "-", "--", "x", "x y z", "deploy/web", "deploy/", "/web", "deployment web", "deployment web --", "pod p -- sh -c",
            "deployment web =", "deployment web a=", "deployment web -a- =-", "deployment web --replicas=-5", "-f -",
            "-f /nonexistent", "--tcp=:", "web --tcp=99999999999:x", "web --rule==", "web --rule=/=:", "web --from-literal==",
            "deployment web --timeout=9999999999h", "deployment web --to-revision=-1", "deployment web -p [", "svc/x 0:0",
            "p -- cat", "web --image= --port=-7", "-l '!!' pods", "--all pods", "-o yaml deployment web", "deployment/web nginx=",
            "\u{0} \u{7f} ünïcode", "--current --namespace=", "--minify -o jsonpath={", "deployment web --type=json -p [{}]",
        ];
        for verb in verbs {
            for tail in tails {
                let line = format!("{verb} {tail}");
                let args: Vec<String> = line.split_whitespace().map(str::to_string).collect();
                let mut out = Output::default();
                let code = super::super::run(&mut c, &args, Some("apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n"), &mut out);
                assert!((0..=255).contains(&code), "kubectl {line}: exit {code}");
            }
        }
    }

    #[test]
    fn created_objects_reach_the_store_and_duplicates_are_wrapped() {
        let mut c = cluster();
        assert_eq!(kubectl(&mut c, "create deployment api --image=nginx --replicas=2").stdout, "deployment.apps/api created\n");
        assert!(c.store.get(&crate::store::ObjectKey::new(Kind::Deployment, "default", "api")).is_some());
        let again = kubectl(&mut c, "create deployment api --image=nginx");
        assert_eq!(again.stderr, "error: failed to create deployment: deployments.apps \"api\" already exists\n");
        assert_eq!(kubectl(&mut c, "create service nodeport web --tcp=80:8080").stdout, "service/web created\n");
        assert_eq!(
            kubectl(&mut c, "create service nodeport web --tcp=80:8080").stderr,
            "error: failed to create NodePort service: services \"web\" already exists\n"
        );
        assert_eq!(kubectl(&mut c, "create ns dev").stdout, "namespace/dev created\n");
        assert_eq!(kubectl(&mut c, "create ns dev").stderr, "Error from server (AlreadyExists): namespaces \"dev\" already exists\n");
        assert_eq!(kubectl(&mut c, "create cm cfg -n dev --from-literal=a=b").stdout, "configmap/cfg created\n");
    }
}

/// What `create -f` and `apply -f` settle before sending anything, in kubectl's
/// order: the output format, the dry-run mode, then the documents (none is an error
/// naming the verb). `Err` is the exit code, the message already written.
pub(super) fn read_manifests(
    cluster: &Cluster,
    host: &Host,
    flags: &ParsedFlags,
    filenames: &[String],
    stdin: Option<&str>,
    verb: &str,
    out: &mut Output,
) -> Result<(String, DryRun, Vec<Document>), i32> {
    let format = flags.string("output");
    output::check_output_format(&format, out)?;
    let dry_run = output::dry_run(cluster, flags, out)?;
    let docs = manifest::read_all(host, filenames, flags.bool("recursive"), stdin).map_err(|text| {
        out.err(&text);
        1
    })?;
    if docs.is_empty() {
        out.err(&format!("error: no objects passed to {verb}\n"));
        return Err(1);
    }
    Ok((format, dry_run, docs))
}
