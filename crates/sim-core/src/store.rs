//! The object store: what etcd is to a real API server.
//!
//! Objects are kept typed (k8s-openapi structs) in one ordered map keyed by kind,
//! namespace and name, so a list comes back in the order a real API server returns
//! it (by namespace, then name). Every write bumps a global resourceVersion and is
//! appended to the watch log that `kubectl get -w` and the visualizer follow.
//!
//! Beside the map the store keeps the indexes a real API server's informers keep
//! (client-go's `cache.Indexer`): objects by their controller's uid, pods by node and
//! pods by IP. They are updated on every write (`put`, `remove`, `restore`), so the
//! controllers and the network model look up what they need instead of scanning
//! every pod; each index holds keys in key order, so what it yields comes in the
//! order a list would.

use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv4Addr;
use std::sync::Arc;

use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use k8s_openapi::api::core::v1::{
    ConfigMap, Endpoints, Event, Namespace, Node, Pod, Service,
};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use k8s_openapi::api::networking::v1::{Ingress, IngressClass};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::resources::{resource_type, Kind, ResourceType};

/// One stored object of any kind the simulator serves.
///
/// Each variant is boxed: the typed structs are large inline (a Pod 2.1 KB, a
/// Deployment 2.3 KB, an Event 0.9 KB, most of it `Option`s that are `None`), and an
/// unboxed enum is as large as its largest variant, so every Event, in the store's map
/// and in the watch log, held a Deployment's worth of bytes.
#[derive(Clone, Debug, PartialEq)]
pub enum Object {
    ConfigMap(Box<ConfigMap>),
    Endpoints(Box<Endpoints>),
    Event(Box<Event>),
    Namespace(Box<Namespace>),
    Node(Box<Node>),
    Pod(Box<Pod>),
    Service(Box<Service>),
    Deployment(Box<Deployment>),
    ReplicaSet(Box<ReplicaSet>),
    EndpointSlice(Box<EndpointSlice>),
    Ingress(Box<Ingress>),
    IngressClass(Box<IngressClass>),
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
        fn decode<T: serde::de::DeserializeOwned>(v: serde_json::Value) -> Result<Box<T>, DecodeError> {
            serde_json::from_value(v).map(Box::new).map_err(|e| DecodeError::Invalid(e.to_string()))
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

/// One entry of the watch log. The object is shared with the store's map while it is
/// the current version (a write no longer copies every object into the log).
#[derive(Clone, Debug, PartialEq)]
pub struct WatchEvent {
    pub event_type: WatchEventType,
    pub resource_version: u64,
    pub object: Arc<Object>,
}

/// The store. It does no validation or defaulting: that is the API server's job
/// (see `apiserver`); the store only keeps objects and stamps resourceVersions.
#[derive(Clone, Debug, Default)]
pub struct Store {
    /// Shared (`Arc`) with the watch log's entry of the same write, and between clones
    /// of the store (the visualizer traces on a clone of the cluster).
    objects: BTreeMap<ObjectKey, Arc<Object>>,
    resource_version: u64,
    watch_log: Vec<WatchEvent>,
    indexes: Indexes,
    /// The resourceVersion of the last write (put or remove) of each kind: a
    /// controller that read a kind can tell whether anything of it changed since.
    last_write: BTreeMap<Kind, u64>,
    /// The resourceVersion of the last removal of each kind.
    last_removal: BTreeMap<Kind, u64>,
}

/// Secondary indexes over the objects (see the module doc). Every entry is derived
/// from the stored object alone, so adding and removing an object's entries on each
/// write keeps them exact.
#[derive(Clone, Debug, Default)]
struct Indexes {
    /// Objects by the uid of their controlling ownerReference (`controller: true`).
    by_controller_uid: BTreeMap<String, BTreeSet<ObjectKey>>,
    /// Pods by `spec.nodeName` (bound pods only).
    pods_by_node: BTreeMap<String, BTreeSet<ObjectKey>>,
    /// Pods by `status.podIP` (those whose IP parses).
    pods_by_ip: BTreeMap<Ipv4Addr, BTreeSet<ObjectKey>>,
    /// Objects with a deletionTimestamp (being deleted, waiting on finalizers or a
    /// grace period).
    deleting: BTreeSet<ObjectKey>,
    /// Events by `involvedObject.uid`: the event correlator and `describe` look up
    /// an object's events among thousands.
    events_by_involved_uid: BTreeMap<String, BTreeSet<ObjectKey>>,
}

/// What an object contributes to the indexes.
struct IndexEntries<'a> {
    controller_uid: Option<&'a str>,
    involved_uid: Option<&'a str>,
    node: Option<&'a str>,
    ip: Option<Ipv4Addr>,
}

impl<'a> IndexEntries<'a> {
    fn of(object: &'a Object) -> Self {
        let controller_uid = object
            .metadata()
            .owner_references
            .as_ref()
            .and_then(|refs| refs.iter().find(|r| r.controller == Some(true)))
            .map(|r| r.uid.as_str());
        let (node, ip) = match object {
            Object::Pod(pod) => (
                pod.spec.as_ref().and_then(|s| s.node_name.as_deref()).filter(|n| !n.is_empty()),
                pod.status.as_ref().and_then(|s| s.pod_ip.as_deref()).and_then(|ip| ip.parse().ok()),
            ),
            _ => (None, None),
        };
        let involved_uid = match object {
            Object::Event(e) => e.involved_object.uid.as_deref(),
            _ => None,
        };
        IndexEntries { controller_uid, involved_uid, node, ip }
    }
}

fn index_insert<K: Ord>(index: &mut BTreeMap<K, BTreeSet<ObjectKey>>, value: K, key: &ObjectKey) {
    index.entry(value).or_default().insert(key.clone());
}

fn index_remove<K: Ord>(index: &mut BTreeMap<K, BTreeSet<ObjectKey>>, value: &K, key: &ObjectKey) {
    if let Some(keys) = index.get_mut(value) {
        keys.remove(key);
        if keys.is_empty() {
            index.remove(value);
        }
    }
}

impl Indexes {
    fn add(&mut self, key: &ObjectKey, object: &Object) {
        let entries = IndexEntries::of(object);
        if let Some(uid) = entries.controller_uid {
            index_insert(&mut self.by_controller_uid, uid.to_string(), key);
        }
        if let Some(node) = entries.node {
            index_insert(&mut self.pods_by_node, node.to_string(), key);
        }
        if let Some(ip) = entries.ip {
            index_insert(&mut self.pods_by_ip, ip, key);
        }
        if object.metadata().deletion_timestamp.is_some() {
            self.deleting.insert(key.clone());
        }
        if let Some(uid) = entries.involved_uid {
            index_insert(&mut self.events_by_involved_uid, uid.to_string(), key);
        }
    }

    fn drop_entries(&mut self, key: &ObjectKey, object: &Object) {
        let entries = IndexEntries::of(object);
        if let Some(uid) = entries.controller_uid {
            index_remove(&mut self.by_controller_uid, &uid.to_string(), key);
        }
        if let Some(node) = entries.node {
            index_remove(&mut self.pods_by_node, &node.to_string(), key);
        }
        if let Some(ip) = entries.ip {
            index_remove(&mut self.pods_by_ip, &ip, key);
        }
        self.deleting.remove(key);
        if let Some(uid) = entries.involved_uid {
            index_remove(&mut self.events_by_involved_uid, &uid.to_string(), key);
        }
    }
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
        let objects: BTreeMap<ObjectKey, Arc<Object>> = objects.into_iter().map(|o| (o.key(), Arc::new(o))).collect();
        let mut indexes = Indexes::default();
        for (key, object) in &objects {
            indexes.add(key, object);
        }
        Store { objects, resource_version, watch_log: Vec::new(), indexes, ..Store::default() }
    }

    pub fn resource_version(&self) -> u64 {
        self.resource_version
    }

    /// The resourceVersion of the last write of any object of `kind` (0: none since
    /// the store was made or restored).
    pub fn last_write(&self, kind: Kind) -> u64 {
        self.last_write.get(&kind).copied().unwrap_or(0)
    }

    /// The resourceVersion of the last removal of an object of `kind` (0: none since
    /// the store was made or restored).
    pub fn last_removal(&self, kind: Kind) -> u64 {
        self.last_removal.get(&kind).copied().unwrap_or(0)
    }

    pub fn get(&self, key: &ObjectKey) -> Option<&Object> {
        self.objects.get(key).map(|o| &**o)
    }

    pub fn contains(&self, key: &ObjectKey) -> bool {
        self.objects.contains_key(key)
    }

    /// Objects of a kind, in one namespace or (for `None`) in all, ordered by
    /// namespace then name.
    pub fn list<'a>(&'a self, kind: Kind, namespace: Option<&str>) -> impl Iterator<Item = &'a Object> + 'a {
        let start = ObjectKey::new(kind, namespace.unwrap_or(""), "");
        // One namespace ends just before `namespace + "\0"`, the next string after it,
        // so the range needs no comparison per object and does not borrow `namespace`.
        let end = namespace.map(|ns| ObjectKey::new(kind, &format!("{ns}\0"), ""));
        let range = match end {
            Some(end) => self.objects.range(start..end),
            None => self.objects.range(start..),
        };
        range.take_while(move |(k, _)| k.kind == kind).map(|(_, o)| &**o)
    }

    /// Objects of a kind in `namespace` whose controlling ownerReference has `uid`
    /// (what `controlled_by` checks), in key order.
    pub fn controlled_by<'a>(&'a self, kind: Kind, namespace: &'a str, uid: &str) -> impl Iterator<Item = &'a Object> + 'a {
        self.indexed(self.indexes.by_controller_uid.get(uid))
            .filter(move |o| o.kind() == kind && o.namespace() == namespace)
    }

    /// Pods bound to `node`, in key order.
    pub fn pods_on_node<'a>(&'a self, node: &str) -> impl Iterator<Item = &'a Object> + 'a {
        self.indexed(self.indexes.pods_by_node.get(node))
    }

    /// Pods whose `status.podIP` is `ip`, in key order.
    pub fn pods_with_ip(&self, ip: Ipv4Addr) -> impl Iterator<Item = &Object> {
        self.indexed(self.indexes.pods_by_ip.get(&ip))
    }

    /// Events whose `involvedObject.uid` is `uid`, in key order.
    pub fn events_about<'a>(&'a self, uid: &str) -> impl Iterator<Item = &'a Object> + 'a {
        self.indexed(self.indexes.events_by_involved_uid.get(uid))
    }

    /// Objects with a deletionTimestamp, in key order.
    pub fn deleting(&self) -> impl Iterator<Item = &Object> {
        self.indexes.deleting.iter().filter_map(|k| self.get(k))
    }

    fn indexed<'a>(&'a self, keys: Option<&'a BTreeSet<ObjectKey>>) -> impl Iterator<Item = &'a Object> + 'a {
        keys.into_iter().flatten().filter_map(|k| self.get(k))
    }

    /// Writes an object (insert or replace), stamping its resourceVersion, and logs
    /// the watch event. Returns the stored copy.
    pub fn put(&mut self, mut object: Object) -> &Object {
        self.resource_version += 1;
        object.metadata_mut().resource_version = Some(self.resource_version.to_string());
        let key = object.key();
        let event_type = match self.objects.remove(&key) {
            Some(previous) => {
                self.indexes.drop_entries(&key, &previous);
                WatchEventType::Modified
            }
            None => WatchEventType::Added,
        };
        self.indexes.add(&key, &object);
        self.last_write.insert(key.kind, self.resource_version);
        let object = Arc::new(object);
        self.log(event_type, Arc::clone(&object));
        self.objects.insert(key.clone(), object);
        // Just inserted, so present; the fallback keeps this function panic-free.
        match self.get(&key) {
            Some(o) => o,
            None => unreachable_object(),
        }
    }

    /// Removes an object and logs its deletion.
    pub fn remove(&mut self, key: &ObjectKey) -> Option<Object> {
        let removed = self.objects.remove(key)?;
        self.indexes.drop_entries(key, &removed);
        self.resource_version += 1;
        self.last_write.insert(key.kind, self.resource_version);
        self.last_removal.insert(key.kind, self.resource_version);
        self.log(WatchEventType::Deleted, Arc::clone(&removed));
        Some(Arc::unwrap_or_clone(removed))
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
        self.objects.values().map(|o| &**o)
    }

    fn log(&mut self, event_type: WatchEventType, object: Arc<Object>) {
        if self.watch_log.len() >= WATCH_LOG_LIMIT {
            self.watch_log.drain(..WATCH_LOG_LIMIT / 2);
        }
        self.watch_log.push(WatchEvent { event_type, resource_version: self.resource_version, object });
    }
}

fn unreachable_object() -> &'static Object {
    static EMPTY: std::sync::OnceLock<Object> = std::sync::OnceLock::new();
    EMPTY.get_or_init(|| Object::ConfigMap(Box::default()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn svc(ns: &str, name: &str) -> Object {
        Object::Service(Box::new(Service {
            metadata: ObjectMeta { name: Some(name.into()), namespace: Some(ns.into()), ..Default::default() },
            ..Default::default()
        }))
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

    fn pod(name: &str, node: &str, ip: &str, owner: &str, deleting: bool) -> Object {
        let v = serde_json::json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {
                "name": name, "namespace": "default",
                "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "rs", "uid": owner, "controller": true}],
                "deletionTimestamp": if deleting { serde_json::json!("2026-01-05T09:00:00Z") } else { serde_json::Value::Null },
            },
            "spec": {"nodeName": node, "containers": []},
            "status": {"podIP": ip},
        });
        Object::from_json(v).unwrap_or_else(|e| panic!("{e:?}"))
    }

    /// What every index must answer, computed by scanning the objects.
    fn assert_indexes_match_scans(s: &Store) {
        let names = |it: &mut dyn Iterator<Item = &Object>| it.map(|o| o.name().to_string()).collect::<Vec<_>>();
        for uid in ["a", "b", "c"] {
            let scanned: Vec<_> = s
                .list(Kind::Pod, Some("default"))
                .filter(|o| crate::controllers::controller_uid(o.metadata()) == Some(uid))
                .map(|o| o.name().to_string())
                .collect();
            assert_eq!(names(&mut s.controlled_by(Kind::Pod, "default", uid)), scanned, "owner {uid}");
        }
        for node in ["n1", "n2", ""] {
            let scanned: Vec<_> = s
                .list(Kind::Pod, None)
                .filter(|o| matches!(o, Object::Pod(p) if p.spec.as_ref().and_then(|s| s.node_name.as_deref()) == Some(node)) && !node.is_empty())
                .map(|o| o.name().to_string())
                .collect();
            assert_eq!(names(&mut s.pods_on_node(node)), scanned, "node {node:?}");
        }
        for ip in ["10.244.1.2", "10.244.1.3"] {
            let ip: Ipv4Addr = ip.parse().unwrap_or(Ipv4Addr::UNSPECIFIED);
            let scanned: Vec<_> = s
                .list(Kind::Pod, None)
                .filter(|o| matches!(o, Object::Pod(p) if p.status.as_ref().and_then(|s| s.pod_ip.as_deref()).and_then(|i| i.parse().ok()) == Some(ip)))
                .map(|o| o.name().to_string())
                .collect();
            assert_eq!(names(&mut s.pods_with_ip(ip)), scanned, "ip {ip}");
        }
        let scanned: Vec<_> = s.all().filter(|o| o.metadata().deletion_timestamp.is_some()).map(|o| o.name().to_string()).collect();
        assert_eq!(names(&mut s.deleting()), scanned);
        for uid in ["a", "b"] {
            let scanned: Vec<_> = s
                .list(Kind::Event, None)
                .filter(|o| matches!(o, Object::Event(e) if e.involved_object.uid.as_deref() == Some(uid)))
                .map(|o| o.name().to_string())
                .collect();
            assert_eq!(names(&mut s.events_about(uid)), scanned, "events about {uid}");
        }
    }

    #[test]
    fn indexes_follow_every_write() {
        let mut s = Store::new();
        let mut rng = crate::rand::SeededRng::new(7);
        let nodes = ["n1", "n2", ""];
        let ips = ["10.244.1.2", "10.244.1.3", "not-an-ip"];
        let owners = ["a", "b", "c"];
        for step in 0..400 {
            let name = format!("p{}", rng.below(12));
            if rng.below(5) == 0 {
                let involved = ["a", "b", "c"][rng.below(3) as usize];
                let event = serde_json::json!({"apiVersion": "v1", "kind": "Event", "metadata": {"name": name, "namespace": "ns"},
                    "involvedObject": {"uid": involved}});
                match Object::from_json(event) {
                    Ok(o) if rng.below(3) == 0 => {
                        s.remove(&o.key());
                    }
                    Ok(o) => {
                        s.put(o);
                    }
                    Err(e) => panic!("{e:?}"),
                }
            } else if rng.below(4) == 0 {
                s.remove(&ObjectKey::new(Kind::Pod, "default", &name));
            } else {
                let pick = |rng: &mut crate::rand::SeededRng, from: &[&'static str]| from[rng.below(from.len() as u64) as usize];
                let object = pod(&name, pick(&mut rng, &nodes), pick(&mut rng, &ips), pick(&mut rng, &owners), rng.below(3) == 0);
                s.put(object);
            }
            if step % 50 == 0 {
                s = Store::restore(s.all().cloned().collect(), s.resource_version());
            }
            assert_indexes_match_scans(&s);
        }
        // The last step may have written an Event; a Pod write is the newest write.
        s.put(pod("last", "n1", "10.244.1.9", "a", false));
        assert_eq!(s.last_write(Kind::Pod), s.resource_version());
        assert_eq!(s.last_write(Kind::Service), 0);
    }

    #[test]
    fn decode_by_kind() {
        let v = serde_json::json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}});
        assert_eq!(Object::from_json(v).map(|o| o.kind()), Ok(Kind::Deployment));
        let v = serde_json::json!({"apiVersion": "v1", "kind": "Deployment"});
        assert!(matches!(Object::from_json(v), Err(DecodeError::UnknownKind { .. })));
    }
}
