//! The object store: what etcd is to a real API server.
//!
//! Objects are kept typed (k8s-openapi structs) in one ordered map keyed by kind,
//! namespace and name, so a list comes back in the order a real API server returns
//! it (by namespace, then name). Every write bumps a global resourceVersion and is
//! appended to the watch log that `kubectl get -w` and the visualizer follow.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use k8s_openapi::api::core::v1::{
    ConfigMap, Endpoints, Event, Namespace, Node, Pod, Service,
};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use k8s_openapi::api::networking::v1::{Ingress, IngressClass};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::resources::{resource_type, Kind, ResourceType};

/// One stored object of any kind the simulator serves.
#[derive(Clone, Debug, PartialEq)]
pub enum Object {
    ConfigMap(ConfigMap),
    Endpoints(Endpoints),
    Event(Event),
    Namespace(Namespace),
    Node(Node),
    Pod(Pod),
    Service(Service),
    Deployment(Deployment),
    ReplicaSet(ReplicaSet),
    EndpointSlice(EndpointSlice),
    Ingress(Ingress),
    IngressClass(IngressClass),
}

/// Expands `$body` once per variant with `$o` bound to the typed object.
macro_rules! each_variant {
    ($value:expr, $o:ident => $body:expr) => {
        match $value {
            Object::ConfigMap($o) => $body,
            Object::Endpoints($o) => $body,
            Object::Event($o) => $body,
            Object::Namespace($o) => $body,
            Object::Node($o) => $body,
            Object::Pod($o) => $body,
            Object::Service($o) => $body,
            Object::Deployment($o) => $body,
            Object::ReplicaSet($o) => $body,
            Object::EndpointSlice($o) => $body,
            Object::Ingress($o) => $body,
            Object::IngressClass($o) => $body,
        }
    };
}

/// Why a JSON value could not become an [`Object`].
#[derive(Clone, Debug, PartialEq)]
pub enum DecodeError {
    /// `kind`/`apiVersion` name nothing the server serves.
    UnknownKind { api_version: String, kind: String },
    /// The fields do not fit the kind's schema; the text is serde's.
    Invalid(String),
}

impl Object {
    pub fn kind(&self) -> Kind {
        match self {
            Object::ConfigMap(_) => Kind::ConfigMap,
            Object::Endpoints(_) => Kind::Endpoints,
            Object::Event(_) => Kind::Event,
            Object::Namespace(_) => Kind::Namespace,
            Object::Node(_) => Kind::Node,
            Object::Pod(_) => Kind::Pod,
            Object::Service(_) => Kind::Service,
            Object::Deployment(_) => Kind::Deployment,
            Object::ReplicaSet(_) => Kind::ReplicaSet,
            Object::EndpointSlice(_) => Kind::EndpointSlice,
            Object::Ingress(_) => Kind::Ingress,
            Object::IngressClass(_) => Kind::IngressClass,
        }
    }

    pub fn resource_type(&self) -> &'static ResourceType {
        resource_type(self.kind())
    }

    pub fn metadata(&self) -> &ObjectMeta {
        each_variant!(self, o => &o.metadata)
    }

    pub fn metadata_mut(&mut self) -> &mut ObjectMeta {
        each_variant!(self, o => &mut o.metadata)
    }

    pub fn name(&self) -> &str {
        self.metadata().name.as_deref().unwrap_or("")
    }

    pub fn namespace(&self) -> &str {
        self.metadata().namespace.as_deref().unwrap_or("")
    }

    pub fn key(&self) -> ObjectKey {
        ObjectKey::new(self.kind(), self.namespace(), self.name())
    }

    /// The object as JSON with `apiVersion` and `kind` set, as the API server returns it.
    pub fn to_json(&self) -> serde_json::Value {
        // k8s-openapi's Serialize impls write apiVersion and kind themselves and never
        // fail for these types; Null is only a defensive fallback.
        each_variant!(self, o => serde_json::to_value(o).unwrap_or(serde_json::Value::Null))
    }

    /// Decodes a JSON object by its `apiVersion` and `kind`.
    pub fn from_json(value: serde_json::Value) -> Result<Object, DecodeError> {
        let api_version = value.get("apiVersion").and_then(|v| v.as_str()).unwrap_or("").to_string();
        let kind = value.get("kind").and_then(|v| v.as_str()).unwrap_or("").to_string();
        let Some(rt) = crate::resources::RESOURCE_TYPES
            .iter()
            .find(|r| r.kind_name == kind && r.api_version() == api_version)
        else {
            return Err(DecodeError::UnknownKind { api_version, kind });
        };
        fn decode<T: serde::de::DeserializeOwned>(v: serde_json::Value) -> Result<T, DecodeError> {
            serde_json::from_value(v).map_err(|e| DecodeError::Invalid(e.to_string()))
        }
        Ok(match rt.kind {
            Kind::ConfigMap => Object::ConfigMap(decode(value)?),
            Kind::Endpoints => Object::Endpoints(decode(value)?),
            Kind::Event => Object::Event(decode(value)?),
            Kind::Namespace => Object::Namespace(decode(value)?),
            Kind::Node => Object::Node(decode(value)?),
            Kind::Pod => Object::Pod(decode(value)?),
            Kind::Service => Object::Service(decode(value)?),
            Kind::Deployment => Object::Deployment(decode(value)?),
            Kind::ReplicaSet => Object::ReplicaSet(decode(value)?),
            Kind::EndpointSlice => Object::EndpointSlice(decode(value)?),
            Kind::Ingress => Object::Ingress(decode(value)?),
            Kind::IngressClass => Object::IngressClass(decode(value)?),
        })
    }
}

/// Where an object lives in the store. Cluster-scoped objects have an empty namespace.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ObjectKey {
    pub kind: Kind,
    pub namespace: String,
    pub name: String,
}

impl ObjectKey {
    pub fn new(kind: Kind, namespace: &str, name: &str) -> Self {
        ObjectKey { kind, namespace: namespace.to_string(), name: name.to_string() }
    }
}

/// What happened to an object, as a watch reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WatchEventType {
    Added,
    Modified,
    Deleted,
}

/// One entry of the watch log.
#[derive(Clone, Debug, PartialEq)]
pub struct WatchEvent {
    pub event_type: WatchEventType,
    pub resource_version: u64,
    pub object: Object,
}

/// The store. It does no validation or defaulting: that is the API server's job
/// (see `apiserver`); the store only keeps objects and stamps resourceVersions.
#[derive(Clone, Debug, Default)]
pub struct Store {
    objects: BTreeMap<ObjectKey, Object>,
    resource_version: u64,
    watch_log: Vec<WatchEvent>,
}

/// How many watch events are kept; older ones are dropped, as etcd compacts.
const WATCH_LOG_LIMIT: usize = 10_000;

impl Store {
    pub fn new() -> Self {
        Store::default()
    }

    /// A store rebuilt from saved objects (`persist::restore_cluster`): each object keeps
    /// its resourceVersion, the global counter continues from `resource_version`, and
    /// the watch log starts empty.
    pub fn restore(objects: Vec<Object>, resource_version: u64) -> Store {
        let objects = objects.into_iter().map(|o| (o.key(), o)).collect();
        Store { objects, resource_version, watch_log: Vec::new() }
    }

    pub fn resource_version(&self) -> u64 {
        self.resource_version
    }

    pub fn get(&self, key: &ObjectKey) -> Option<&Object> {
        self.objects.get(key)
    }

    pub fn contains(&self, key: &ObjectKey) -> bool {
        self.objects.contains_key(key)
    }

    /// Objects of a kind, in one namespace or (for `None`) in all, ordered by
    /// namespace then name.
    pub fn list<'a>(&'a self, kind: Kind, namespace: Option<&'a str>) -> impl Iterator<Item = &'a Object> + 'a {
        let start = ObjectKey::new(kind, namespace.unwrap_or(""), "");
        self.objects
            .range(start..)
            .take_while(move |(k, _)| k.kind == kind && namespace.map_or(true, |ns| k.namespace == ns))
            .map(|(_, o)| o)
    }

    /// Writes an object (insert or replace), stamping its resourceVersion, and logs
    /// the watch event. Returns the stored copy.
    pub fn put(&mut self, mut object: Object) -> &Object {
        self.resource_version += 1;
        object.metadata_mut().resource_version = Some(self.resource_version.to_string());
        let key = object.key();
        let event_type = if self.objects.contains_key(&key) { WatchEventType::Modified } else { WatchEventType::Added };
        self.log(event_type, object.clone());
        self.objects.insert(key.clone(), object);
        // Just inserted, so present; the fallback keeps this function panic-free.
        match self.objects.get(&key) {
            Some(o) => o,
            None => unreachable_object(),
        }
    }

    /// Removes an object and logs its deletion.
    pub fn remove(&mut self, key: &ObjectKey) -> Option<Object> {
        let removed = self.objects.remove(key)?;
        self.resource_version += 1;
        self.log(WatchEventType::Deleted, removed.clone());
        Some(removed)
    }

    /// Watch events after `resource_version`, oldest first.
    pub fn events_since(&self, resource_version: u64) -> impl Iterator<Item = &WatchEvent> {
        let start = self.watch_log.partition_point(|e| e.resource_version <= resource_version);
        self.watch_log[start..].iter()
    }

    pub fn len(&self) -> usize {
        self.objects.len()
    }

    pub fn is_empty(&self) -> bool {
        self.objects.is_empty()
    }

    /// Every object, in key order.
    pub fn all(&self) -> impl Iterator<Item = &Object> {
        self.objects.values()
    }

    fn log(&mut self, event_type: WatchEventType, object: Object) {
        if self.watch_log.len() >= WATCH_LOG_LIMIT {
            self.watch_log.drain(..WATCH_LOG_LIMIT / 2);
        }
        self.watch_log.push(WatchEvent { event_type, resource_version: self.resource_version, object });
    }
}

fn unreachable_object() -> &'static Object {
    static EMPTY: std::sync::OnceLock<Object> = std::sync::OnceLock::new();
    EMPTY.get_or_init(|| Object::ConfigMap(ConfigMap::default()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn svc(ns: &str, name: &str) -> Object {
        Object::Service(Service {
            metadata: ObjectMeta { name: Some(name.into()), namespace: Some(ns.into()), ..Default::default() },
            ..Default::default()
        })
    }

    #[test]
    fn list_is_ordered_and_scoped() {
        let mut s = Store::new();
        s.put(svc("default", "web"));
        s.put(svc("b", "x"));
        s.put(svc("default", "api"));
        let names: Vec<_> = s.list(Kind::Service, Some("default")).map(|o| o.name().to_string()).collect();
        assert_eq!(names, ["api", "web"]);
        let all: Vec<_> = s.list(Kind::Service, None).map(|o| o.name().to_string()).collect();
        assert_eq!(all, ["x", "api", "web"]);
        assert_eq!(s.list(Kind::Pod, None).count(), 0);
    }

    #[test]
    fn writes_bump_resource_version_and_are_watched() {
        let mut s = Store::new();
        s.put(svc("default", "web"));
        s.put(svc("default", "web"));
        s.remove(&ObjectKey::new(Kind::Service, "default", "web"));
        let kinds: Vec<_> = s.events_since(0).map(|e| e.event_type).collect();
        assert_eq!(kinds, [WatchEventType::Added, WatchEventType::Modified, WatchEventType::Deleted]);
        assert_eq!(s.events_since(2).count(), 1);
        assert_eq!(s.resource_version(), 3);
    }

    #[test]
    fn decode_by_kind() {
        let v = serde_json::json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}});
        assert_eq!(Object::from_json(v).map(|o| o.kind()), Ok(Kind::Deployment));
        let v = serde_json::json!({"apiVersion": "v1", "kind": "Deployment"});
        assert!(matches!(Object::from_json(v), Err(DecodeError::UnknownKind { .. })));
    }
}
