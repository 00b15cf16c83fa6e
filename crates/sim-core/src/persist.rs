//! Saving and restoring a whole cluster as one versioned JSON document, for the
//! browser to persist a session and for lessons to start from a prepared state.
//!
//! The document (`kubesim_state_version` 1) holds every stored object as the API
//! server returns it, the global resourceVersion, the virtual clock (nanoseconds),
//! the seeded generator's state, and what the controllers keep beside the store
//! (kubelet runtimes and image caches, the next wake-up, extra images, the cloud
//! provider). Allocator state needs no saving: the allocators read the Services.
//! Network traces and access logs are a view of recent traffic and start empty.
//!
//! Both directions stream: saving writes one object at a time (each through its own
//! small `serde_json::Value`, so keys come out in the same byte order as ever), and
//! restoring decodes each object and each kubelet runtime as the parser reaches it,
//! so a 10,000-pod document (tens of MB) is never in memory whole as a `Value`.
//! [`restore_simulator_from_reader`] reads the text itself in pieces (the page hands
//! it over from JavaScript without copying it whole into wasm memory), and
//! [`save_simulator_within`] gives up past a size (what localStorage could not hold).
//!
//! Restoring never panics: a document that is not JSON, has no or another version,
//! or holds an object that does not decode is reported as an error value.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::net::Ipv4Addr;

use k8s_openapi::chrono::{DateTime, Duration, TimeZone, Utc};
use serde::de::{DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Deserializer, Serialize, Serializer};
use serde_json::{json, Map, Value};

use crate::clock::Clock;
use crate::cluster::Cluster;
use crate::controllers::cloud_provider::CloudProvider;
use crate::controllers::kubelet::{ContainerRuntime, KubeletState, PodRuntime, RuntimeState};
use crate::controllers::ControllerState;
use crate::rand::SeededRng;
use crate::store::{Object, Store};

/// The version this kubesim writes and reads.
pub const STATE_VERSION: u64 = 1;

/// The cluster as a versioned JSON document.
pub fn save_cluster(cluster: &Cluster) -> String {
    serde_json::to_string(&ClusterOut(cluster)).unwrap_or_default()
}

// Saving. Each part is written as it is reached; the keys of every JSON object come
// in byte order, as they did when the document was first built as a whole `Value`
// (serde_json's map is ordered), so the text is the same as before streaming.

/// The cluster document.
struct ClusterOut<'a>(&'a Cluster);

impl Serialize for ClusterOut<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let c = self.0;
        let mut map = s.serialize_map(Some(7))?;
        map.serialize_entry("clock", &time_to_json(c.clock.now()))?;
        map.serialize_entry("cloud_provider", &c.cloud_provider.as_ref().map(cloud_to_json))?;
        map.serialize_entry("controllers", &ControllersOut(&c.controllers))?;
        map.serialize_entry("kubesim_state_version", &STATE_VERSION)?;
        map.serialize_entry("objects", &ObjectsOut(&c.store))?;
        // u64 values travel as strings: JavaScript numbers cannot hold them exactly.
        map.serialize_entry("resource_version", &c.store.resource_version().to_string())?;
        map.serialize_entry("rng_state", &c.rng.state().to_string())?;
        map.end()
    }
}

/// Every stored object, each as the API server returns it.
struct ObjectsOut<'a>(&'a Store);

impl Serialize for ObjectsOut<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.0.len()))?;
        for object in self.0.all() {
            seq.serialize_element(&object.to_json())?;
        }
        seq.end()
    }
}

struct ControllersOut<'a>(&'a ControllerState);

impl Serialize for ControllersOut<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let c = self.0;
        let mut map = s.serialize_map(Some(3))?;
        map.serialize_entry("extra_images", &c.extra_images)?;
        map.serialize_entry("kubelet", &KubeletOut(&c.kubelet))?;
        map.serialize_entry("next_wakeup", &c.next_wakeup.map(time_to_json))?;
        map.end()
    }
}

struct KubeletOut<'a>(&'a KubeletState);

impl Serialize for KubeletOut<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let k = self.0;
        let mut map = s.serialize_map(Some(3))?;
        map.serialize_entry("images", &k.images)?;
        map.serialize_entry("last_ip", &k.last_ip)?;
        map.serialize_entry("pods", &PodRuntimesOut(&k.pods))?;
        map.end()
    }
}

struct PodRuntimesOut<'a>(&'a BTreeMap<String, PodRuntime>);

impl Serialize for PodRuntimesOut<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (uid, runtime) in self.0 {
            map.serialize_entry(uid, &pod_runtime_to_json(runtime))?;
        }
        map.end()
    }
}

/// Rebuilds a cluster from [`save_cluster`]'s document.
pub fn restore_cluster(text: &str) -> Result<Cluster, String> {
    let parts = parse(serde_json::Deserializer::from_str(text), TopSeed(ClusterSeed))?;
    restore_cluster_parts(parts.ok_or("kubesim state is not a JSON object")?)
}

/// Parses a whole document with `seed`; the text must hold nothing after it.
fn parse<'de, R: serde_json::de::Read<'de>, S: DeserializeSeed<'de>>(
    mut de: serde_json::Deserializer<R>,
    seed: S,
) -> Result<S::Value, String> {
    let parsed = seed.deserialize(&mut de).and_then(|v| de.end().map(|()| v));
    parsed.map_err(|e| match e.classify() {
        serde_json::error::Category::Data => format!("kubesim state: {e}"),
        serde_json::error::Category::Io => format!("kubesim state cannot be read: {e}"),
        _ => format!("kubesim state is not valid JSON: {e}"),
    })
}

// Restoring. The seeds below read one JSON object each, key by key: the big parts
// (objects, kubelet runtimes) are decoded one entry at a time from that entry's own
// `Value`; every other field is kept as a `Value` (small) and checked afterwards, in
// the same order and with the same messages as when the document was read whole.

/// The document's top: a JSON object read with `S`, or `None` for any other JSON value.
struct TopSeed<S>(S);

impl<'de, S: MapSeed<'de>> DeserializeSeed<'de> for TopSeed<S> {
    type Value = Option<S::Parts>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de, S: MapSeed<'de>> Visitor<'de> for TopSeed<S> {
    type Value = Option<S::Parts>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a kubesim state")
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        self.0.read(map).map(Some)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        // Read as Values (not skipped), so nesting past serde_json's recursion limit
        // is "not valid JSON", as when the document was read whole.
        while seq.next_element::<Value>()?.is_some() {}
        Ok(None)
    }
    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
}

/// Reads a JSON object into `Parts`, key by key.
trait MapSeed<'de> {
    type Parts;
    fn read<A: MapAccess<'de>>(self, map: A) -> Result<Self::Parts, A::Error>;
}

/// Implements `DeserializeSeed` (and the visitor behind it) for a [`MapSeed`].
macro_rules! map_seed {
    ($seed:ty, $what:literal) => {
        impl<'de> DeserializeSeed<'de> for $seed {
            type Value = <$seed as MapSeed<'de>>::Parts;
            fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
                d.deserialize_map(self)
            }
        }
        impl<'de> Visitor<'de> for $seed {
            type Value = <$seed as MapSeed<'de>>::Parts;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str($what)
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                self.read(map)
            }
        }
    };
}

/// A cluster document's fields: `objects` and `controllers` decoded as they are read,
/// the rest as Values.
#[derive(Default)]
struct ClusterParts {
    root: Map<String, Value>,
    /// `None`: no `objects`; `Some(Err)`: the first object that does not decode.
    objects: Option<Result<Vec<Object>, String>>,
    controllers: Option<OneKeyParts<KubeletParts>>,
}

struct ClusterSeed;
map_seed!(ClusterSeed, "a kubesim cluster state (a JSON object)");

impl<'de> MapSeed<'de> for ClusterSeed {
    type Parts = ClusterParts;
    fn read<A: MapAccess<'de>>(self, mut map: A) -> Result<ClusterParts, A::Error> {
        let mut parts = ClusterParts::default();
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "objects" => parts.objects = Some(map.next_value_seed(ObjectsSeed)?),
                "controllers" => parts.controllers = Some(map.next_value_seed(CONTROLLERS_SEED)?),
                _ => {
                    parts.root.insert(key, map.next_value()?);
                }
            }
        }
        Ok(parts)
    }
}

/// The `objects` array, each element decoded into an [`Object`] before the next is
/// read. After the first element that does not decode, the rest are only parsed.
struct ObjectsSeed;

impl<'de> DeserializeSeed<'de> for ObjectsSeed {
    type Value = Result<Vec<Object>, String>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for ObjectsSeed {
    type Value = Result<Vec<Object>, String>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of objects")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut objects = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        let mut failed = None;
        let mut i = 0;
        while let Some(value) = seq.next_element::<Value>()? {
            if failed.is_none() {
                match Object::from_json(value) {
                    Ok(object) => objects.push(object),
                    Err(e) => failed = Some(format!("kubesim state: object {i} cannot be read: {e:?}")),
                }
            }
            i += 1;
        }
        Ok(match failed {
            Some(error) => Err(error),
            None => Ok(objects),
        })
    }
}

/// A JSON object with one key decoded by its own seed as it is read (so a large
/// value is never held as a `Value`), the other keys kept as Values.
#[derive(Clone, Copy)]
struct OneKeySeed<S> {
    key: &'static str,
    seed: S,
    what: &'static str,
}

struct OneKeyParts<T> {
    root: Map<String, Value>,
    /// `None`: the key is absent.
    value: Option<T>,
}

/// The controllers' state, with the kubelet's decoded as it is read.
const CONTROLLERS_SEED: OneKeySeed<OneKeySeed<PodRuntimesSeed>> =
    OneKeySeed { key: "kubelet", seed: KUBELET_SEED, what: "the controllers' state (a JSON object)" };
/// The kubelet's state, with its pods' runtimes decoded as they are read.
const KUBELET_SEED: OneKeySeed<PodRuntimesSeed> =
    OneKeySeed { key: "pods", seed: PodRuntimesSeed, what: "the kubelet's state (a JSON object)" };

type KubeletParts = OneKeyParts<Option<BTreeMap<String, PodRuntime>>>;

impl<'de, S: DeserializeSeed<'de> + Copy> DeserializeSeed<'de> for OneKeySeed<S> {
    type Value = OneKeyParts<S::Value>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, S: DeserializeSeed<'de> + Copy> Visitor<'de> for OneKeySeed<S> {
    type Value = OneKeyParts<S::Value>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(self.what)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut parts = OneKeyParts { root: Map::new(), value: None };
        while let Some(key) = map.next_key::<String>()? {
            if key == self.key {
                parts.value = Some(map.next_value_seed(self.seed)?);
            } else {
                parts.root.insert(key, map.next_value()?);
            }
        }
        Ok(parts)
    }
}

/// The kubelet's runtimes by pod uid, each decoded as it is read.
#[derive(Clone, Copy)]
struct PodRuntimesSeed;
map_seed!(PodRuntimesSeed, "the kubelet's pods (a JSON object)");

impl<'de> MapSeed<'de> for PodRuntimesSeed {
    type Parts = Option<BTreeMap<String, PodRuntime>>;
    fn read<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Parts, A::Error> {
        let mut pods = Some(BTreeMap::new());
        while let Some((uid, value)) = map.next_entry::<String, Value>()? {
            if let Some(decoded) = pods.as_mut() {
                match pod_runtime_from_json(&value) {
                    Some(runtime) => {
                        decoded.insert(uid, runtime);
                    }
                    None => pods = None,
                }
            }
        }
        Ok(pods)
    }
}

/// Builds the cluster from its parsed parts, checking them in the order (and with the
/// messages) the whole-document reader used.
fn restore_cluster_parts(parts: ClusterParts) -> Result<Cluster, String> {
    let root = &parts.root;
    let version = match root.get("kubesim_state_version") {
        None => return Err("not a kubesim state: kubesim_state_version is missing".to_string()),
        Some(v) => v.as_u64().ok_or_else(|| format!("kubesim_state_version is not a number: {v}"))?,
    };
    if version != STATE_VERSION {
        let which = if version < STATE_VERSION { "older" } else { "newer" };
        return Err(format!(
            "kubesim state version {version} is {which} than this kubesim's ({STATE_VERSION}) and cannot be read"
        ));
    }
    let now = time_from_json(root.get("clock")).ok_or("kubesim state: clock is missing or invalid")?;
    let rng_state = u64_field(root, "rng_state").ok_or("kubesim state: rng_state is missing or invalid")?;
    let resource_version = u64_field(root, "resource_version").ok_or("kubesim state: resource_version is missing or invalid")?;
    let objects = parts.objects.ok_or("kubesim state: objects is missing")??;
    let mut cluster = Cluster::empty(Clock::new(now), 0);
    cluster.rng = SeededRng::new(rng_state);
    cluster.store = Store::restore(objects, resource_version);
    if let Some(c) = parts.controllers {
        cluster.controllers.next_wakeup = time_from_json(c.root.get("next_wakeup"));
        cluster.controllers.extra_images = c
            .root
            .get("extra_images")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).map(str::to_string).collect())
            .unwrap_or_default();
        if let Some(k) = c.value {
            cluster.controllers.kubelet = kubelet_from_parts(k).ok_or("kubesim state: kubelet state is invalid")?;
        }
    }
    cluster.cloud_provider = match root.get("cloud_provider") {
        None | Some(Value::Null) => None,
        Some(v) => Some(cloud_from_json(v).ok_or("kubesim state: cloud_provider is invalid")?),
    };
    Ok(cluster)
}

fn u64_field(root: &Map<String, Value>, key: &str) -> Option<u64> {
    match root.get(key)? {
        Value::String(s) => s.parse().ok(),
        v => v.as_u64(),
    }
}

/// Times are kept to the nanosecond (`{"unix_nanos": "..."}`), so a restored clock
/// is exactly the saved one.
fn time_to_json(t: DateTime<Utc>) -> Value {
    match t.timestamp_nanos_opt() {
        Some(n) => json!({ "unix_nanos": n.to_string() }),
        None => json!({ "unix_millis": t.timestamp_millis().to_string() }),
    }
}

fn time_from_json(v: Option<&Value>) -> Option<DateTime<Utc>> {
    let v = v?;
    let num = |k: &str| -> Option<i64> {
        match v.get(k)? {
            Value::String(s) => s.parse().ok(),
            n => n.as_i64(),
        }
    };
    if let Some(n) = num("unix_nanos") {
        return Some(Utc.timestamp_nanos(n));
    }
    Utc.timestamp_millis_opt(num("unix_millis")?).single()
}

fn cloud_to_json(c: &CloudProvider) -> Value {
    let pending: Map<String, Value> = c.pending.iter().map(|(k, t)| (k.clone(), time_to_json(*t))).collect();
    json!({
        "pool_start": c.pool_start.to_string(),
        "pool_end": c.pool_end.to_string(),
        "delay_millis": c.delay.num_milliseconds(),
        "pending": pending,
    })
}

fn cloud_from_json(v: &Value) -> Option<CloudProvider> {
    let pool_start: Ipv4Addr = v.get("pool_start")?.as_str()?.parse().ok()?;
    let pool_end: Ipv4Addr = v.get("pool_end")?.as_str()?.parse().ok()?;
    let delay = Duration::milliseconds(v.get("delay_millis")?.as_i64()?);
    let mut pending = BTreeMap::new();
    for (k, t) in v.get("pending")?.as_object()? {
        pending.insert(k.clone(), time_from_json(Some(t))?);
    }
    Some(CloudProvider { pool_start, pool_end, delay, pending })
}

fn kubelet_from_parts(k: KubeletParts) -> Option<KubeletState> {
    let mut state = KubeletState::default();
    state.pods = k.value??;
    let images: BTreeMap<String, BTreeSet<String>> = serde_json::from_value(k.root.get("images")?.clone()).ok()?;
    state.images = images;
    state.last_ip = serde_json::from_value(k.root.get("last_ip")?.clone()).ok()?;
    Some(state)
}

fn pod_runtime_to_json(p: &PodRuntime) -> Value {
    let containers: Vec<Value> = p.containers.iter().map(container_to_json).collect();
    json!({
        "node": p.node,
        "namespace": p.namespace,
        "name": p.name,
        "seen_at": time_to_json(p.seen_at),
        "sandbox_at": time_to_json(p.sandbox_at),
        "sandbox_ready": p.sandbox_ready,
        "ip": p.ip,
        "host_network": p.host_network,
        "containers": containers,
        "stopping_until": p.stopping_until.map(time_to_json),
    })
}

fn pod_runtime_from_json(v: &Value) -> Option<PodRuntime> {
    let s = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
    let mut containers = Vec::new();
    for c in v.get("containers")?.as_array()? {
        containers.push(container_from_json(c)?);
    }
    Some(PodRuntime {
        node: s("node")?,
        namespace: s("namespace")?,
        name: s("name")?,
        seen_at: time_from_json(v.get("seen_at"))?,
        sandbox_at: time_from_json(v.get("sandbox_at"))?,
        sandbox_ready: v.get("sandbox_ready")?.as_bool()?,
        ip: s("ip"),
        host_network: v.get("host_network")?.as_bool()?,
        containers,
        stopping_until: time_from_json(v.get("stopping_until")),
    })
}

fn container_to_json(c: &ContainerRuntime) -> Value {
    let state = match &c.state {
        RuntimeState::Creating => json!({"creating": {}}),
        RuntimeState::Pulling { started_at, done_at, ok } => {
            json!({"pulling": {"started_at": time_to_json(*started_at), "done_at": time_to_json(*done_at), "ok": ok}})
        }
        RuntimeState::PullFailed { message, backoff_at, backoff_shown, retry_at } => json!({"pull_failed": {
            "message": message, "backoff_at": time_to_json(*backoff_at), "backoff_shown": backoff_shown, "retry_at": time_to_json(*retry_at)}}),
        RuntimeState::Running { started_at } => json!({"running": {"started_at": time_to_json(*started_at)}}),
        RuntimeState::ConfigError { message, retry_at } => {
            json!({"config_error": {"message": message, "retry_at": time_to_json(*retry_at)}})
        }
        RuntimeState::Exited { finished, next_at, backing_off } => json!({"exited": {
            "finished": terminated_to_json(finished), "next_at": time_to_json(*next_at), "backing_off": backing_off}}),
    };
    json!({
        "name": c.name,
        "image": c.image,
        "state": state,
        "restart_count": c.restart_count,
        "container_id": c.container_id,
        "pull_failures": c.pull_failures,
        "ready_at": c.ready_at.map(time_to_json),
        "exits": c.exits.map(|(at, code)| json!({"at": time_to_json(at), "code": code})),
        "last_terminated": c.last_terminated.as_ref().map(terminated_to_json),
    })
}

// Added by the controllers engineer with RuntimeState::Exited (container exits and restarts).
fn terminated_to_json(t: &crate::controllers::kubelet::Terminated) -> Value {
    json!({"exit_code": t.exit_code, "started_at": time_to_json(t.started_at), "finished_at": time_to_json(t.finished_at), "container_id": t.container_id})
}

fn terminated_from_json(v: Option<&Value>) -> Option<crate::controllers::kubelet::Terminated> {
    let v = v?;
    Some(crate::controllers::kubelet::Terminated {
        exit_code: i32::try_from(v.get("exit_code")?.as_i64()?).ok()?,
        started_at: time_from_json(v.get("started_at"))?,
        finished_at: time_from_json(v.get("finished_at"))?,
        container_id: v.get("container_id")?.as_str()?.to_string(),
    })
}

fn container_from_json(v: &Value) -> Option<ContainerRuntime> {
    let st = v.get("state")?;
    let state = if st.get("creating").is_some() {
        RuntimeState::Creating
    } else if let Some(p) = st.get("pulling") {
        RuntimeState::Pulling {
            started_at: time_from_json(p.get("started_at"))?,
            done_at: time_from_json(p.get("done_at"))?,
            ok: p.get("ok")?.as_bool()?,
        }
    } else if let Some(p) = st.get("pull_failed") {
        RuntimeState::PullFailed {
            message: p.get("message")?.as_str()?.to_string(),
            backoff_at: time_from_json(p.get("backoff_at"))?,
            backoff_shown: p.get("backoff_shown")?.as_bool()?,
            retry_at: time_from_json(p.get("retry_at"))?,
        }
    } else if let Some(p) = st.get("running") {
        RuntimeState::Running { started_at: time_from_json(p.get("started_at"))? }
    } else if let Some(p) = st.get("config_error") {
        RuntimeState::ConfigError { message: p.get("message")?.as_str()?.to_string(), retry_at: time_from_json(p.get("retry_at"))? }
    } else if let Some(p) = st.get("exited") {
        RuntimeState::Exited {
            finished: terminated_from_json(p.get("finished"))?,
            next_at: time_from_json(p.get("next_at"))?,
            backing_off: p.get("backing_off")?.as_bool()?,
        }
    } else {
        return None;
    };
    Some(ContainerRuntime {
        name: v.get("name")?.as_str()?.to_string(),
        image: v.get("image")?.as_str()?.to_string(),
        state,
        restart_count: i32::try_from(v.get("restart_count")?.as_i64()?).ok()?,
        container_id: v.get("container_id")?.as_str()?.to_string(),
        pull_failures: u32::try_from(v.get("pull_failures")?.as_u64()?).ok()?,
        ready_at: time_from_json(v.get("ready_at")),
        exits: v.get("exits").and_then(|e| Some((time_from_json(e.get("at"))?, i32::try_from(e.get("code")?.as_i64()?).ok()?))),
        last_terminated: terminated_from_json(v.get("last_terminated")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ClusterConfig, Simulator};

    #[test]
    fn save_restore_round_trips_and_replays_identically() {
        let mut a = Simulator::new(ClusterConfig::default());
        a.run_line("kubectl create deployment web --image=nginx --replicas=2");
        a.advance_by_millis(1500);
        let saved = save_cluster(&a.cluster);
        let restored = restore_cluster(&saved);
        let Ok(restored) = restored else { panic!("restore failed: {:?}", restored.err()) };
        assert_eq!(save_cluster(&restored), saved);
        assert_eq!(restored.store.len(), a.cluster.store.len());
        assert_eq!(restored.store.resource_version(), a.cluster.store.resource_version());
        // Same state, same future: both clusters print the same as time goes on.
        let mut b = a.clone();
        b.cluster = restored;
        for line in ["kubectl get pods", "kubectl create deployment api --image=nginx", "kubectl get pods -o wide"] {
            a.advance_by_millis(7000);
            b.advance_by_millis(7000);
            assert_eq!(a.run_line(line), b.run_line(line), "{line}");
        }
    }

    #[test]
    fn bad_documents_are_errors() {
        assert!(restore_cluster("not json").is_err_and(|e| e.contains("not valid JSON")));
        assert!(restore_cluster("{}").is_err_and(|e| e.contains("kubesim_state_version is missing")));
        assert!(restore_cluster(r#"{"kubesim_state_version": 2}"#).is_err_and(|e| e.contains("newer")));
        assert!(restore_cluster(r#"{"kubesim_state_version": 0}"#).is_err_and(|e| e.contains("older")));
        let bad_object = r#"{"kubesim_state_version": 1, "clock": {"unix_nanos": "0"}, "rng_state": "1", "resource_version": "3",
            "objects": [{"apiVersion": "v1", "kind": "Nope"}]}"#;
        assert!(restore_cluster(bad_object).is_err_and(|e| e.contains("object 0")));
        assert!(restore_cluster("[1,2]").is_err());
        assert!(restore_cluster(r#"{"kubesim_state_version": "x"}"#).is_err());
    }
}

/// The version of the whole-simulator document ([`save_simulator`]).
pub const SIMULATOR_STATE_VERSION: u64 = 1;

/// The whole simulator as one versioned JSON document: the cluster (as
/// [`save_cluster`] writes it) and the learner's shell: files, history, variables,
/// aliases, working directory and last exit status. What holds the terminal at the
/// moment (an open editor, a streaming command, background jobs) is not saved: a
/// restored session starts at a prompt, as a new login would.
pub fn save_simulator(sim: &crate::Simulator) -> String {
    save_simulator_within(sim, usize::MAX).unwrap_or_default()
}

/// [`save_simulator`], or `None` once the text would pass `limit` bytes: writing stops
/// there, so a state too big to keep (localStorage holds a few MB) costs no more
/// memory than the limit.
pub fn save_simulator_within(sim: &crate::Simulator, limit: usize) -> Option<String> {
    let mut out = Capped { bytes: Vec::new(), limit };
    serde_json::to_writer(&mut out, &SimulatorOut(sim)).ok()?;
    String::from_utf8(out.bytes).ok()
}

/// A writer that refuses to grow past `limit` bytes.
struct Capped {
    bytes: Vec<u8>,
    limit: usize,
}

impl std::io::Write for Capped {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.bytes.len().saturating_add(buf.len()) > self.limit {
            return Err(std::io::Error::other("the kubesim state is larger than the limit"));
        }
        self.bytes.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

struct SimulatorOut<'a>(&'a crate::Simulator);

impl Serialize for SimulatorOut<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(3))?;
        map.serialize_entry("cluster", &ClusterOut(&self.0.cluster))?;
        map.serialize_entry("kubesim_simulator_version", &SIMULATOR_STATE_VERSION)?;
        map.serialize_entry("shell", &shell_to_json(&self.0.shell))?;
        map.end()
    }
}

fn shell_to_json(shell: &crate::shell::Shell) -> Value {
    let files: Vec<Value> = shell
        .vfs
        .entries()
        .filter_map(|(path, node)| match &node.kind {
            crate::vfs::NodeKind::File(text) => Some(json!({"path": path, "content": text, "mtime": time_to_json(node.mtime)})),
            crate::vfs::NodeKind::Dir => Some(json!({"path": path, "dir": true, "mtime": time_to_json(node.mtime)})),
            crate::vfs::NodeKind::Null => None,
        })
        .collect();
    let vars: serde_json::Map<String, Value> =
        shell.vars.iter().map(|(k, v)| (k.clone(), json!({"value": v.value, "exported": v.exported}))).collect();
    json!({
        "history": shell.history,
        "last_exit_code": shell.last_exit_code,
        "cwd": shell.cwd,
        "vars": vars,
        "aliases": shell.aliases,
        "files": files,
    })
}

/// Rebuilds a simulator from [`save_simulator`]'s document. Anything missing, of
/// another version or malformed is an error value, never a panic; the caller keeps
/// its current simulator and reports the error.
pub fn restore_simulator(text: &str, config: crate::ClusterConfig) -> Result<crate::Simulator, String> {
    restore_simulator_parts(parse(serde_json::Deserializer::from_str(text), TopSeed(SimulatorSeed))?, config)
}

/// [`restore_simulator`] reading the document from `reader` as it goes, so the text
/// need not be in memory whole (the page reads it from a JavaScript string in pieces).
pub fn restore_simulator_from_reader<R: std::io::Read>(reader: R, config: crate::ClusterConfig) -> Result<crate::Simulator, String> {
    restore_simulator_parts(parse(serde_json::Deserializer::from_reader(reader), TopSeed(SimulatorSeed))?, config)
}

#[derive(Default)]
struct SimulatorParts {
    root: Map<String, Value>,
    cluster: Option<ClusterParts>,
}

struct SimulatorSeed;

impl<'de> MapSeed<'de> for SimulatorSeed {
    type Parts = SimulatorParts;
    fn read<A: MapAccess<'de>>(self, mut map: A) -> Result<SimulatorParts, A::Error> {
        let mut parts = SimulatorParts::default();
        while let Some(key) = map.next_key::<String>()? {
            if key == "cluster" {
                parts.cluster = Some(map.next_value_seed(ClusterSeed)?);
            } else {
                parts.root.insert(key, map.next_value()?);
            }
        }
        Ok(parts)
    }
}

fn restore_simulator_parts(parts: Option<SimulatorParts>, config: crate::ClusterConfig) -> Result<crate::Simulator, String> {
    let parts = parts.ok_or("kubesim state is not a JSON object")?;
    let root = &parts.root;
    let version = root
        .get("kubesim_simulator_version")
        .ok_or("not a kubesim simulator state: kubesim_simulator_version is missing")?
        .as_u64()
        .ok_or("kubesim_simulator_version is not a number")?;
    if version != SIMULATOR_STATE_VERSION {
        let which = if version < SIMULATOR_STATE_VERSION { "older" } else { "newer" };
        return Err(format!(
            "kubesim simulator state version {version} is {which} than this kubesim's ({SIMULATOR_STATE_VERSION}) and cannot be read"
        ));
    }
    let cluster = restore_cluster_parts(parts.cluster.ok_or("kubesim state: cluster is missing")?)?;
    let shell_doc = root.get("shell").and_then(Value::as_object).ok_or("kubesim state: shell is missing")?;
    let now = cluster.clock.now();
    // The machine's own directories were made when the session began: the saved `/`
    // carries that time, so a fresh shell made at it matches the saved tree.
    let files_doc = shell_doc.get("files").and_then(Value::as_array).ok_or("kubesim state: shell files are missing")?;
    let born = files_doc
        .iter()
        .find(|f| f.get("path").and_then(Value::as_str) == Some("/"))
        .and_then(|f| time_from_json(f.get("mtime")))
        .unwrap_or(now);
    let mut shell = crate::shell::Shell::new_at(born);
    let strings = |v: Option<&Value>| -> Vec<String> {
        v.and_then(Value::as_array).map(|a| a.iter().filter_map(|s| s.as_str().map(str::to_string)).collect()).unwrap_or_default()
    };
    shell.history = strings(shell_doc.get("history"));
    shell.last_exit_code = shell_doc.get("last_exit_code").and_then(Value::as_i64).and_then(|c| i32::try_from(c).ok()).unwrap_or(0);
    if let Some(vars) = shell_doc.get("vars").and_then(Value::as_object) {
        for (name, v) in vars {
            let value = v.get("value").and_then(Value::as_str).ok_or_else(|| format!("kubesim state: variable {name} has no value"))?;
            let exported = v.get("exported").and_then(Value::as_bool).unwrap_or(false);
            shell.vars.insert(name.clone(), crate::shell::Var { value: value.to_string(), exported });
        }
    }
    if let Some(aliases) = shell_doc.get("aliases").and_then(Value::as_object) {
        shell.aliases = aliases.iter().filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_string()))).collect();
    }
    for (i, f) in files_doc.iter().enumerate() {
        let path = f.get("path").and_then(Value::as_str).ok_or_else(|| format!("kubesim state: file {i} has no path"))?;
        let mtime = time_from_json(f.get("mtime")).unwrap_or(now);
        let result = if f.get("dir").and_then(Value::as_bool).unwrap_or(false) {
            shell.vfs.mkdir(path, true, mtime).or_else(|e| if shell.vfs.is_dir(path) { Ok(()) } else { Err(e) })
        } else {
            let content = f.get("content").and_then(Value::as_str).ok_or_else(|| format!("kubesim state: file {path} has no content"))?;
            shell.vfs.write(path, content, false, mtime)
        };
        result.map_err(|e| format!("kubesim state: cannot restore {path}: {}", e.message()))?;
    }
    if let Some(cwd) = shell_doc.get("cwd").and_then(Value::as_str) {
        if shell.vfs.is_dir(cwd) {
            shell.cwd = cwd.to_string();
        }
    }
    Ok(crate::Simulator::from_parts(cluster, shell, config))
}

#[cfg(test)]
mod simulator_state_tests {
    use super::*;
    use crate::{ClusterConfig, Simulator};

    #[test]
    fn a_whole_session_survives_save_and_restore() {
        let mut sim = Simulator::new(ClusterConfig::default());
        for line in [
            "kubectl create deployment web --image=nginx --replicas=2",
            "mkdir -p manifests && echo 'kind: Service' > manifests/svc.yaml",
            "cd manifests",
            "export GREETING=hello",
            "alias kg='kubectl get'",
        ] {
            sim.run_line(line);
        }
        let saved = save_simulator(&sim);
        let mut restored = match restore_simulator(&saved, ClusterConfig::default()) {
            Ok(s) => s,
            Err(e) => panic!("restore failed: {e}"),
        };
        let shell_of = |doc: &str| serde_json::from_str::<Value>(doc).ok().and_then(|v| v.get("shell").cloned());
        assert!(shell_of(&saved).is_some());
        let (a, b) = (shell_of(&save_simulator(&restored)), shell_of(&saved));
        if a != b {
            panic!("the restored shell saves differently:\n{}\n{}", a.map(|v| v.to_string()).unwrap_or_default(), b.map(|v| v.to_string()).unwrap_or_default());
        }
        for line in ["pwd", "cat svc.yaml", "echo $GREETING", "kg deploy", "history"] {
            assert_eq!(restored.run_line(line), sim.run_line(line), "{line}");
        }
    }

    /// The streamed text is what writing the document as one `serde_json::Value` gives
    /// (keys in byte order at every level), and reading it in 7-byte pieces restores
    /// the same simulator as reading it whole.
    #[test]
    fn streamed_save_and_restore_match_the_whole_document() {
        let mut sim = Simulator::new(ClusterConfig::default());
        for line in ["kubectl create deployment web --image=nginx --replicas=2", "echo hi > notes.txt", "alias k=kubectl"] {
            sim.run_line(line);
        }
        sim.advance_by_millis(30_000);
        let saved = save_simulator(&sim);
        let whole: Value = serde_json::from_str(&saved).unwrap_or_default();
        assert!(saved == whole.to_string(), "the streamed save differs from the whole document's text");
        assert_eq!(save_simulator_within(&sim, saved.len()).as_deref(), Some(saved.as_str()));
        assert_eq!(save_simulator_within(&sim, saved.len() - 1), None);
        /// A reader handing out a few bytes at a time, as the page's reader does.
        struct Pieces<'a>(&'a [u8]);
        impl std::io::Read for Pieces<'_> {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                let n = buf.len().min(7).min(self.0.len());
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let restored = restore_simulator_from_reader(Pieces(saved.as_bytes()), ClusterConfig::default());
        let Ok(restored) = restored else { panic!("restore failed: {:?}", restored.err()) };
        assert!(save_simulator(&restored) == saved, "the restored simulator saves differently");
        assert!(restore_simulator_from_reader(Pieces(&saved.as_bytes()[..saved.len() / 2]), ClusterConfig::default())
            .is_err_and(|e| e.contains("not valid JSON")));
    }

    #[test]
    fn corrupt_and_foreign_states_are_errors() {
        let config = ClusterConfig::default;
        assert!(restore_simulator("", config()).is_err());
        assert!(restore_simulator("{\"kubesim_simulator_version\": 99}", config()).unwrap_err().contains("newer"));
        assert!(restore_simulator("{\"kubesim_simulator_version\": 0}", config()).unwrap_err().contains("older"));
        assert!(restore_simulator("[1,2]", config()).is_err());
        let sim = Simulator::new(ClusterConfig::default());
        let saved = save_simulator(&sim);
        for cut in [1, saved.len() / 3, saved.len() / 2, saved.len() - 1] {
            assert!(restore_simulator(&saved[..cut], config()).is_err(), "truncated at {cut}");
        }
    }
}
