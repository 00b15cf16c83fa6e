//! The resource types the simulated API server serves, as data: one row per type
//! with its kind, group, version, plural, singular, short names and scope, the same
//! facts `kubectl api-resources` prints and kubectl's resource lookup resolves against.

/// Every kind the store can hold. The order is the order of `kubectl api-resources`
/// groups, which keeps listings deterministic.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    ConfigMap,
    Endpoints,
    Event,
    Namespace,
    Node,
    Pod,
    Service,
    Deployment,
    ReplicaSet,
    EndpointSlice,
    Ingress,
    IngressClass,
}

/// One row of the discovery table.
#[derive(Debug, PartialEq, Eq)]
pub struct ResourceType {
    pub kind: Kind,
    /// The `kind` field of objects, e.g. `Deployment`.
    pub kind_name: &'static str,
    /// API group; empty for the core group.
    pub group: &'static str,
    pub version: &'static str,
    pub plural: &'static str,
    pub singular: &'static str,
    pub short_names: &'static [&'static str],
    pub namespaced: bool,
}

impl ResourceType {
    /// `v1` or `apps/v1`, as in an object's `apiVersion`.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.to_string()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// `services` or `deployments.apps`: how the API server names the resource in
    /// messages such as `deployments.apps "web" not found`.
    pub fn qualified_plural(&self) -> String {
        if self.group.is_empty() {
            self.plural.to_string()
        } else {
            format!("{}.{}", self.plural, self.group)
        }
    }

    /// `service` or `deployment.apps`: the prefix of `-o name` output and of
    /// `deployment.apps/web created`.
    pub fn qualified_kind_lower(&self) -> String {
        let lower = self.kind_name.to_ascii_lowercase();
        if self.group.is_empty() {
            lower
        } else {
            format!("{lower}.{}", self.group)
        }
    }
}

pub const RESOURCE_TYPES: &[ResourceType] = &[
    ResourceType { kind: Kind::ConfigMap, kind_name: "ConfigMap", group: "", version: "v1", plural: "configmaps", singular: "configmap", short_names: &["cm"], namespaced: true },
    ResourceType { kind: Kind::Endpoints, kind_name: "Endpoints", group: "", version: "v1", plural: "endpoints", singular: "endpoints", short_names: &["ep"], namespaced: true },
    ResourceType { kind: Kind::Event, kind_name: "Event", group: "", version: "v1", plural: "events", singular: "event", short_names: &["ev"], namespaced: true },
    ResourceType { kind: Kind::Namespace, kind_name: "Namespace", group: "", version: "v1", plural: "namespaces", singular: "namespace", short_names: &["ns"], namespaced: false },
    ResourceType { kind: Kind::Node, kind_name: "Node", group: "", version: "v1", plural: "nodes", singular: "node", short_names: &["no"], namespaced: false },
    ResourceType { kind: Kind::Pod, kind_name: "Pod", group: "", version: "v1", plural: "pods", singular: "pod", short_names: &["po"], namespaced: true },
    ResourceType { kind: Kind::Service, kind_name: "Service", group: "", version: "v1", plural: "services", singular: "service", short_names: &["svc"], namespaced: true },
    ResourceType { kind: Kind::Deployment, kind_name: "Deployment", group: "apps", version: "v1", plural: "deployments", singular: "deployment", short_names: &["deploy"], namespaced: true },
    ResourceType { kind: Kind::ReplicaSet, kind_name: "ReplicaSet", group: "apps", version: "v1", plural: "replicasets", singular: "replicaset", short_names: &["rs"], namespaced: true },
    ResourceType { kind: Kind::EndpointSlice, kind_name: "EndpointSlice", group: "discovery.k8s.io", version: "v1", plural: "endpointslices", singular: "endpointslice", short_names: &[], namespaced: true },
    ResourceType { kind: Kind::Ingress, kind_name: "Ingress", group: "networking.k8s.io", version: "v1", plural: "ingresses", singular: "ingress", short_names: &["ing"], namespaced: true },
    ResourceType { kind: Kind::IngressClass, kind_name: "IngressClass", group: "networking.k8s.io", version: "v1", plural: "ingressclasses", singular: "ingressclass", short_names: &[], namespaced: false },
];

/// The discovery row of a kind.
pub fn resource_type(kind: Kind) -> &'static ResourceType {
    // The table has one row per Kind variant (checked by a test), so the fallback is
    // never taken; it exists only so that this function cannot panic.
    RESOURCE_TYPES.iter().find(|r| r.kind == kind).unwrap_or(&RESOURCE_TYPES[0])
}

/// Resolves what a user typed (`svc`, `services`, `Service`, `deployments.apps`,
/// `deploy.apps`) to a resource type, the way kubectl's RESTMapper does.
pub fn lookup(name: &str) -> Option<&'static ResourceType> {
    let lower = name.to_ascii_lowercase();
    let (resource, group) = match lower.split_once('.') {
        Some((r, g)) => (r.to_string(), Some(g.to_string())),
        None => (lower.clone(), None),
    };
    RESOURCE_TYPES.iter().find(|r| {
        let name_matches = r.plural == resource
            || r.singular == resource
            || r.kind_name.eq_ignore_ascii_case(&resource)
            || r.short_names.contains(&resource.as_str());
        let group_matches = match &group {
            None => true,
            Some(g) => r.group == g || (r.group.starts_with(g.as_str()) && r.group[g.len()..].starts_with('.')),
        };
        name_matches && group_matches
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_one_row() {
        for r in RESOURCE_TYPES {
            assert_eq!(resource_type(r.kind), r);
        }
    }

    #[test]
    fn lookup_by_every_spelling() {
        for name in ["svc", "service", "services", "Service", "SERVICES"] {
            assert_eq!(lookup(name).map(|r| r.kind), Some(Kind::Service), "{name}");
        }
        assert_eq!(lookup("deployments.apps").map(|r| r.kind), Some(Kind::Deployment));
        assert_eq!(lookup("ing").map(|r| r.kind), Some(Kind::Ingress));
        assert_eq!(lookup("ingresses.networking").map(|r| r.kind), Some(Kind::Ingress));
        assert_eq!(lookup("services.apps"), None);
        assert_eq!(lookup("foo"), None);
    }
}
