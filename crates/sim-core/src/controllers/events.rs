//! Recording core/v1 Events, as client-go's event recorder and the scheduler's
//! events/v1 recorder write them, for `kubectl describe` and `kubectl get events`.

use k8s_openapi::api::core::v1::{Event, EventSource, ObjectReference};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{MicroTime, ObjectMeta, Time};

use crate::cluster::Cluster;
use crate::resources::Kind;
use crate::store::{Object, ObjectKey};

/// Who reports an event: the component (`deployment-controller`, `kubelet`, ...) and,
/// for kubelets, the node.
#[derive(Clone, Debug)]
pub struct Source {
    pub component: String,
    pub host: Option<String>,
}

impl Source {
    pub fn controller(component: &str) -> Source {
        Source { component: component.to_string(), host: None }
    }

    pub fn kubelet(node: &str) -> Source {
        Source { component: "kubelet".to_string(), host: Some(node.to_string()) }
    }
}

/// The reference to the object an event is about.
pub fn reference_to(object: &Object) -> ObjectReference {
    let rt = object.resource_type();
    reference_to_meta(&rt.api_version(), rt.kind_name, object.metadata())
}

/// [`reference_to`] from an object's type and metadata, for a caller holding a typed
/// object (the kubelet's pod) that need not be copied into an [`Object`] first.
pub fn reference_to_meta(api_version: &str, kind: &str, meta: &ObjectMeta) -> ObjectReference {
    ObjectReference {
        api_version: Some(api_version.to_string()),
        kind: Some(kind.to_string()),
        name: meta.name.clone(),
        namespace: meta.namespace.clone(),
        uid: meta.uid.clone(),
        resource_version: meta.resource_version.clone(),
        field_path: None,
    }
}

/// The event's name: `<object>.<hex unix nanos>` (`makeEvent`); a nanosecond is added
/// while the name is taken, since virtual time lets many events share an instant.
fn event_name(cluster: &Cluster, namespace: &str, object_name: &str) -> String {
    let mut nanos = cluster.clock.now().timestamp_nanos_opt().unwrap_or(0);
    loop {
        let name = format!("{object_name}.{nanos:x}");
        if !cluster.store.contains(&ObjectKey::new(Kind::Event, namespace, &name)) {
            return name;
        }
        nanos += 1;
    }
}

/// Records an event about `involved` the way client-go's recorder does: a repeat of the
/// same (source, object, type, reason, message) bumps `count` and `lastTimestamp` of
/// the existing Event instead of creating a new one (the event correlator).
pub fn record(cluster: &mut Cluster, involved: ObjectReference, type_: &str, reason: &str, message: &str, source: &Source) {
    let namespace = involved.namespace.clone().filter(|n| !n.is_empty()).unwrap_or_else(|| "default".to_string());
    // first/lastTimestamp are metav1.Time: what the API server keeps (and what AGE is
    // computed from) is whole seconds.
    let now = Time(k8s_openapi::chrono::SubsecRound::trunc_subsecs(cluster.clock.now(), 0));
    let matches = |o: &Object| match o {
        Object::Event(e)
            if e.involved_object.uid == involved.uid
                && e.involved_object.field_path == involved.field_path
                && e.reason.as_deref() == Some(reason)
                && e.message.as_deref() == Some(message)
                && e.type_.as_deref() == Some(type_)
                && e.source.as_ref().and_then(|s| s.component.as_deref()) == Some(source.component.as_str()) =>
        {
            Some(e.clone())
        }
        _ => None,
    };
    // The first match in list order: through the store's index of events by object
    // when the object has a uid (always, for what the controllers record about).
    let existing = match involved.uid.as_deref() {
        Some(uid) => cluster.store.events_about(uid).filter(|o| o.namespace() == namespace).find_map(matches),
        None => cluster.store.list(Kind::Event, Some(&namespace)).find_map(matches),
    };
    if let Some(mut event) = existing {
        event.count = Some(event.count.unwrap_or(1) + 1);
        event.last_timestamp = Some(now);
        cluster.store.put(Object::Event(event));
        return;
    }
    let object_name = involved.name.clone().unwrap_or_default();
    let name = event_name(cluster, &namespace, &object_name);
    let event = Event {
        metadata: ObjectMeta { name: Some(name), namespace: Some(namespace), ..Default::default() },
        involved_object: involved,
        reason: Some(reason.to_string()),
        message: Some(message.to_string()),
        type_: Some(type_.to_string()),
        source: Some(EventSource { component: Some(source.component.clone()), host: source.host.clone() }),
        first_timestamp: Some(now.clone()),
        last_timestamp: Some(now),
        count: Some(1),
        reporting_component: Some(source.component.clone()),
        reporting_instance: Some(source.host.clone().unwrap_or_default()),
        ..Default::default()
    };
    cluster.insert_new(Object::Event(Box::new(event)));
}

/// Records an event the way the scheduler does, through the events.k8s.io/v1 API: seen
/// through core/v1 it has `eventTime` and an `action`, no first/lastTimestamp or count,
/// and an empty `source` (kubectl falls back to eventTime for LAST SEEN).
pub fn record_scheduler(cluster: &mut Cluster, involved: ObjectReference, type_: &str, reason: &str, action: &str, message: &str) {
    let namespace = involved.namespace.clone().unwrap_or_else(|| "default".to_string());
    let object_name = involved.name.clone().unwrap_or_default();
    let name = event_name(cluster, &namespace, &object_name);
    let event = Event {
        metadata: ObjectMeta { name: Some(name), namespace: Some(namespace), ..Default::default() },
        involved_object: involved,
        action: Some(action.to_string()),
        reason: Some(reason.to_string()),
        message: Some(message.to_string()),
        type_: Some(type_.to_string()),
        event_time: Some(MicroTime(cluster.clock.now())),
        source: Some(EventSource::default()),
        reporting_component: Some("default-scheduler".to_string()),
        reporting_instance: Some("default-scheduler-kind-control-plane".to_string()),
        ..Default::default()
    };
    cluster.insert_new(Object::Event(Box::new(event)));
}

/// Events about one object (by uid), oldest first, for `kubectl describe`.
pub fn events_for<'a>(cluster: &'a Cluster, uid: &'a str) -> Vec<&'a Event> {
    let mut events: Vec<&Event> = cluster
        .store
        .events_about(uid)
        .filter_map(|o| match o {
            Object::Event(e) if e.involved_object.uid.as_deref() == Some(uid) => Some(&**e),
            _ => None,
        })
        .collect();
    crate::sort::sort_by_key(&mut events, |e| {
        e.first_timestamp.as_ref().map(|t| t.0).or_else(|| e.event_time.as_ref().map(|t| t.0))
    });
    events
}
