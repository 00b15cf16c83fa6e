//! Server-side tables: the columns and cells the API server computes for each
//! resource type (pkg/printers/internalversion/printers.go). Cells are always
//! computed wide, as the server does; kubectl hides priority-1 columns unless
//! `-o wide`.

use k8s_openapi::api::core::v1::Node;
use k8s_openapi::chrono::{DateTime, Utc};

use super::duration::age;
use crate::resources::Kind;
use crate::store::Object;

/// A column definition: its name as the server sends it and its priority
/// (0 = always shown, 1 = only with `-o wide`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Column {
    pub name: &'static str,
    pub priority: u8,
}

const fn col(name: &'static str) -> Column {
    Column { name, priority: 0 }
}

const fn wide(name: &'static str) -> Column {
    Column { name, priority: 1 }
}

/// The columns of a resource type's table, in server order.
pub fn columns(kind: Kind) -> &'static [Column] {
    const NODE: &[Column] = &[
        col("Name"), col("Status"), col("Roles"), col("Age"), col("Version"),
        wide("Internal-IP"), wide("External-IP"), wide("OS-Image"), wide("Kernel-Version"), wide("Container-Runtime"),
    ];
    const GENERIC: &[Column] = &[col("Name"), col("Age")];
    match kind {
        Kind::Node => NODE,
        _ => GENERIC,
    }
}

/// The cells of one object's row, wide (all columns), in [`columns`] order.
pub fn row(object: &Object, now: DateTime<Utc>) -> Vec<String> {
    match object {
        Object::Node(node) => node_row(node, now),
        other => vec![other.name().to_string(), age(creation(other), now)],
    }
}

fn creation(object: &Object) -> Option<DateTime<Utc>> {
    object.metadata().creation_timestamp.as_ref().map(|t| t.0)
}

/// `printNode`.
fn node_row(node: &Node, now: DateTime<Utc>) -> Vec<String> {
    let status = node.status.as_ref();
    let conditions = status.and_then(|s| s.conditions.as_deref()).unwrap_or(&[]);
    let mut state = match conditions.iter().find(|c| c.type_ == "Ready") {
        Some(c) if c.status == "True" => "Ready".to_string(),
        Some(_) => "NotReady".to_string(),
        None => "Unknown".to_string(),
    };
    if node.spec.as_ref().and_then(|s| s.unschedulable).unwrap_or(false) {
        state.push_str(",SchedulingDisabled");
    }
    let mut roles: Vec<String> = Vec::new();
    if let Some(labels) = &node.metadata.labels {
        for (k, v) in labels {
            if let Some(role) = k.strip_prefix("node-role.kubernetes.io/") {
                if !role.is_empty() {
                    roles.push(role.to_string());
                }
            } else if k == "kubernetes.io/role" && !v.is_empty() {
                roles.push(v.clone());
            }
        }
    }
    roles.sort();
    roles.dedup();
    let roles = if roles.is_empty() { "<none>".to_string() } else { roles.join(",") };
    let info = status.and_then(|s| s.node_info.as_ref());
    let address = |t: &str| {
        status
            .and_then(|s| s.addresses.as_ref())
            .and_then(|a| a.iter().find(|a| a.type_ == t))
            .map(|a| a.address.clone())
            .unwrap_or_else(|| "<none>".to_string())
    };
    let info_field = |f: fn(&k8s_openapi::api::core::v1::NodeSystemInfo) -> &String| {
        info.map(f).filter(|s| !s.is_empty()).cloned().unwrap_or_else(|| "<unknown>".to_string())
    };
    vec![
        node.metadata.name.clone().unwrap_or_default(),
        state,
        roles,
        age(node.metadata.creation_timestamp.as_ref().map(|t| t.0), now),
        info.map(|i| i.kubelet_version.clone()).unwrap_or_default(),
        address("InternalIP"),
        address("ExternalIP"),
        info_field(|i| &i.os_image),
        info_field(|i| &i.kernel_version),
        info_field(|i| &i.container_runtime_version),
    ]
}
