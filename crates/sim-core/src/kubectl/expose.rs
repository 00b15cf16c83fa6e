//! `kubectl expose`: a Service for a Deployment, ReplicaSet, Pod or Service, with the
//! selector and ports taken from the object as kubectl's polymorphic helpers take
//! them (`MapBasedSelectorForObject`, `PortsForObject`, `ProtocolsForObject`).
//!
//! The Service gets the object's labels, its selector (a Deployment's
//! `matchLabels`; `matchExpressions` cannot be expressed in a Service selector),
//! `--port` or the object's ports (several become `port-1`, `port-2`...), a target
//! port of `--target-port` or the port itself, and `--type` when given.

use serde_json::{json, Map, Value};

use super::create::{field_validation, namespace_of, send_create};
use super::host::Host;
use super::output::{self, DryRun};
use crate::apiserver;
use crate::cluster::Cluster;
use crate::resources::{self, Kind};
use crate::simulator::Output;
use crate::store::Object;

pub fn run(cluster: &mut Cluster, host: &mut Host, args: &[String], stdin: Option<&str>, out: &mut Output) -> i32 {
    let (flags, format, dry_run) = match output::mutating_flags(cluster, "expose", args, out) {
        Ok(parsed) => parsed,
        Err(code) => return code,
    };
    let namespace = namespace_of(host, &flags);
    let filenames = flags.list("filename");
    let targets = if filenames.is_empty() {
        output::named_targets(&flags.positional, &namespace)
    } else {
        output::file_targets(host, &filenames, false, stdin, &namespace)
    };
    // kubectl exposes the first object it is given.
    let (rt, name, ns) = match targets.map(|t| t.into_iter().next()) {
        Ok(Some((target, ns))) => (target.rt, target.name, ns),
        Ok(None) => {
            out.err("error: no objects passed to expose\n");
            return 1;
        }
        Err(text) => {
            out.err(&text);
            return 1;
        }
    };
    let object = match apiserver::get(cluster, rt.kind, &ns, &name) {
        Ok(o) => o.clone(),
        Err(status) => return output::print_status(&status, out),
    };
    if !matches!(rt.kind, Kind::Pod | Kind::Service | Kind::Deployment | Kind::ReplicaSet) {
        let kind = if rt.group.is_empty() { rt.kind_name.to_string() } else { format!("{}.{}", rt.kind_name, rt.group) };
        out.err(&format!("error: cannot expose a {kind}\n"));
        return 1;
    }

    let selector: Map<String, Value> = if flags.changed("selector") {
        let mut m = Map::new();
        for pair in flags.string("selector").split(',') {
            let Some((k, v)) = pair.split_once('=') else {
                out.err(&format!("error: invalid selector: {pair}\n"));
                return 1;
            };
            m.insert(k.to_string(), json!(v));
        }
        m
    } else {
        match selector_of(&object) {
            Ok(m) => m,
            Err(message) => {
                out.err(&format!("error: couldn't retrieve selectors via --selector flag or introspection: {message}\n"));
                return 1;
            }
        }
    };
    // Ports: `--port`, else the object's.
    let port_text = flags.string("port");
    let ports: Vec<(i64, String)> = if !port_text.is_empty() {
        let protocol = flags.string("protocol");
        let mut v = Vec::new();
        for p in port_text.split(',') {
            match p.parse::<i64>() {
                Ok(n) => v.push((n, if protocol.is_empty() { "TCP".into() } else { protocol.clone() })),
                Err(_) => {
                    out.err(&format!("error: strconv.Atoi: parsing \"{p}\": invalid syntax\n"));
                    return 1;
                }
            }
        }
        v
    } else {
        let found = ports_of(&object);
        if found.is_empty() {
            out.err("error: couldn't find port via --port flag or introspection\n");
            return 1;
        }
        let protocol = flags.string("protocol");
        found.into_iter().map(|(n, p)| (n, if protocol.is_empty() { p } else { protocol.clone() })).collect()
    };
    let target_text = flags.string("target-port");
    let target_port = |port: i64| -> Value {
        if target_text.is_empty() {
            json!(port)
        } else {
            match target_text.parse::<i64>() {
                Ok(n) => json!(n),
                Err(_) => json!(target_text),
            }
        }
    };
    let several = ports.len() > 1;
    let service_ports: Vec<Value> = ports
        .iter()
        .enumerate()
        .map(|(i, (port, protocol))| {
            let mut p = json!({"port": port, "protocol": protocol, "targetPort": target_port(*port)});
            if several {
                p["name"] = json!(format!("port-{}", i + 1));
            }
            p
        })
        .collect();
    let service_name = if flags.string("name").is_empty() { name.clone() } else { flags.string("name") };
    let mut metadata = json!({"creationTimestamp": null, "name": service_name});
    let labels_text = flags.string("labels");
    if !labels_text.is_empty() {
        let mut m = Map::new();
        for pair in labels_text.split(',') {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            m.insert(k.to_string(), json!(v));
        }
        metadata["labels"] = Value::Object(m);
    } else if let Some(labels) = object.metadata().labels.as_ref().filter(|l| !l.is_empty()) {
        metadata["labels"] = json!(labels);
    }
    let mut spec = Map::new();
    spec.insert("ports".into(), Value::Array(service_ports));
    spec.insert("selector".into(), Value::Object(selector));
    let service_type = flags.string("type");
    if !service_type.is_empty() {
        spec.insert("type".into(), json!(service_type));
    }
    let external_ip = flags.string("external-ip");
    if !external_ip.is_empty() {
        spec.insert("externalIPs".into(), json!([external_ip]));
    }
    let cluster_ip = flags.string("cluster-ip");
    if !cluster_ip.is_empty() {
        spec.insert("clusterIP".into(), json!(cluster_ip));
    }
    let affinity = flags.string("session-affinity");
    if !affinity.is_empty() {
        spec.insert("sessionAffinity".into(), json!(affinity));
    }
    let lb_ip = flags.string("load-balancer-ip");
    if !lb_ip.is_empty() {
        spec.insert("loadBalancerIP".into(), json!(lb_ip));
    }
    let service = json!({
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": metadata,
        "spec": Value::Object(spec),
        "status": {"loadBalancer": {}},
    });
    let svc_rt = resources::resource_type(Kind::Service);
    if dry_run == DryRun::Client {
        output::print_typed_result(svc_rt, &service, &format, "exposed", dry_run, out);
        return 0;
    }
    match send_create(cluster, Kind::Service, &ns, service, dry_run, field_validation(&flags)) {
        Ok(v) => {
            output::print_typed_result(svc_rt, &v, &format, "exposed", dry_run, out);
            0
        }
        Err(status) => output::print_status(&status, out),
    }
}

/// `MapBasedSelectorForObject`.
fn selector_of(object: &Object) -> Result<Map<String, Value>, String> {
    let to_map = |m: Option<&std::collections::BTreeMap<String, String>>| -> Map<String, Value> {
        m.map(|m| m.iter().map(|(k, v)| (k.clone(), json!(v))).collect()).unwrap_or_default()
    };
    match object {
        Object::Pod(p) => {
            let labels = to_map(p.metadata.labels.as_ref());
            if labels.is_empty() {
                return Err(format!("the pod has no labels and cannot be exposed"));
            }
            Ok(labels)
        }
        Object::Service(s) => {
            let sel = to_map(s.spec.as_ref().and_then(|s| s.selector.as_ref()));
            if sel.is_empty() {
                return Err(format!("the service has no pod selector set"));
            }
            Ok(sel)
        }
        Object::Deployment(d) => {
            let sel = d.spec.as_ref().map(|s| &s.selector);
            if sel.and_then(|s| s.match_expressions.as_ref()).is_some_and(|e| !e.is_empty()) {
                return Err("couldn't convert expressions - \"...\" to map-based selector format".to_string());
            }
            Ok(to_map(sel.and_then(|s| s.match_labels.as_ref())))
        }
        Object::ReplicaSet(r) => {
            let sel = r.spec.as_ref().map(|s| &s.selector);
            if sel.and_then(|s| s.match_expressions.as_ref()).is_some_and(|e| !e.is_empty()) {
                return Err("couldn't convert expressions - \"...\" to map-based selector format".to_string());
            }
            Ok(to_map(sel.and_then(|s| s.match_labels.as_ref())))
        }
        _ => Err("cannot extract pod selector".to_string()),
    }
}

/// `PortsForObject` with `ProtocolsForObject`: container ports of the pod (template),
/// or a Service's ports.
fn ports_of(object: &Object) -> Vec<(i64, String)> {
    let containers = match object {
        Object::Pod(p) => p.spec.as_ref().map(|s| s.containers.clone()),
        Object::Deployment(d) => d.spec.as_ref().and_then(|s| s.template.spec.as_ref()).map(|s| s.containers.clone()),
        Object::ReplicaSet(r) => r.spec.as_ref().and_then(|s| s.template.as_ref()).and_then(|t| t.spec.as_ref()).map(|s| s.containers.clone()),
        Object::Service(s) => {
            return s
                .spec
                .as_ref()
                .and_then(|s| s.ports.as_ref())
                .map(|ps| ps.iter().map(|p| (i64::from(p.port), p.protocol.clone().unwrap_or_else(|| "TCP".into()))).collect())
                .unwrap_or_default()
        }
        _ => None,
    };
    let mut ports = Vec::new();
    for c in containers.unwrap_or_default() {
        for p in c.ports.unwrap_or_default() {
            ports.push((i64::from(p.container_port), p.protocol.unwrap_or_else(|| "TCP".into())));
        }
    }
    ports
}
