//! The garbage collector: cascading deletion by ownerReferences.
//!
//! - Background (the default): the owner is gone at once; here its dependents, whose
//!   owners no longer exist, are deleted (pods gracefully), level by level.
//! - Foreground: the owner waits, with a deletionTimestamp and the `foregroundDeletion`
//!   finalizer, until its blocking dependents are gone; then it goes.
//! - Orphan: the `orphan` finalizer makes the collector strip the ownerReferences from
//!   the dependents, then the owner goes and the dependents stay.
//!
//! Owners of kinds the simulator does not store (a DaemonSet behind kube-proxy pods)
//! are taken to exist, so their dependents are never collected.

use std::collections::BTreeSet;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{OwnerReference, Time};

use super::Wakeups;
use crate::cluster::Cluster;
use crate::resources::{Kind, RESOURCE_TYPES};
use crate::store::Object;

pub const FOREGROUND_FINALIZER: &str = "foregroundDeletion";
pub const ORPHAN_FINALIZER: &str = "orphan";

fn simulated_kind(r: &OwnerReference) -> Option<Kind> {
    RESOURCE_TYPES.iter().find(|t| t.kind_name == r.kind && t.api_version() == r.api_version).map(|t| t.kind)
}

fn has_finalizer(o: &Object, f: &str) -> bool {
    o.metadata().finalizers.as_ref().is_some_and(|fs| fs.iter().any(|x| x == f))
}

fn dependents_of(cluster: &Cluster, uid: &str) -> Vec<Object> {
    cluster
        .store
        .all()
        .filter(|o| o.metadata().owner_references.as_ref().is_some_and(|rs| rs.iter().any(|r| r.uid == uid)))
        .cloned()
        .collect()
}

/// Deletes one object the way the API server does for the garbage collector: pods
/// gracefully, objects with dependents of their own in the foreground when asked.
fn delete(cluster: &mut Cluster, object: &Object, foreground: bool) {
    let key = object.key();
    if let Object::Pod(p) = object {
        super::delete_pod_gracefully(cluster, p.metadata.namespace.as_deref().unwrap_or(""), p.metadata.name.as_deref().unwrap_or(""), None);
        return;
    }
    let uid = object.metadata().uid.clone().unwrap_or_default();
    if foreground && !dependents_of(cluster, &uid).is_empty() {
        let mut o = object.clone();
        let meta = o.metadata_mut();
        meta.deletion_timestamp.get_or_insert(Time(cluster.clock.now()));
        let fs = meta.finalizers.get_or_insert_with(Vec::new);
        if !fs.iter().any(|f| f == FOREGROUND_FINALIZER) {
            fs.push(FOREGROUND_FINALIZER.into());
        }
        cluster.store.put(o);
    } else {
        cluster.store.remove(&key);
    }
}

/// Removes a finalizer; an object being deleted with none left is removed.
fn finish(cluster: &mut Cluster, object: &Object, finalizer: &str) {
    let mut o = object.clone();
    let meta = o.metadata_mut();
    if let Some(fs) = meta.finalizers.as_mut() {
        fs.retain(|f| f != finalizer);
    }
    if meta.finalizers.as_ref().is_some_and(|f| f.is_empty()) {
        meta.finalizers = None;
    }
    if meta.deletion_timestamp.is_some() && meta.finalizers.is_none() {
        cluster.store.remove(&o.key());
    } else {
        cluster.store.put(o);
    }
}

/// How long the API server keeps an Event (kube-apiserver `--event-ttl`, 1 h).
const EVENT_TTL_SECONDS: i64 = 3600;

pub fn reconcile(cluster: &mut Cluster, _wake: &mut Wakeups) {
    // Events expire an hour after they were last seen (etcd leases in a real cluster).
    let expiry = cluster.clock.now() - k8s_openapi::chrono::Duration::seconds(EVENT_TTL_SECONDS);
    let expired: Vec<crate::store::ObjectKey> = cluster
        .store
        .list(Kind::Event, None)
        .filter(|o| match o {
            Object::Event(e) => {
                let last = e.last_timestamp.as_ref().map(|t| t.0).or_else(|| e.event_time.as_ref().map(|t| t.0));
                last.is_some_and(|t| t <= expiry)
            }
            _ => false,
        })
        .map(Object::key)
        .collect();
    for key in expired {
        cluster.store.remove(&key);
    }

    // Owners being deleted with a finalizer the collector handles.
    let deleting: Vec<Object> = cluster
        .store
        .deleting()
        .filter(|o| has_finalizer(o, ORPHAN_FINALIZER) || has_finalizer(o, FOREGROUND_FINALIZER))
        .cloned()
        .collect();
    for owner in deleting {
        let uid = owner.metadata().uid.clone().unwrap_or_default();
        if has_finalizer(&owner, ORPHAN_FINALIZER) {
            for mut dependent in dependents_of(cluster, &uid) {
                let meta = dependent.metadata_mut();
                if let Some(refs) = meta.owner_references.as_mut() {
                    refs.retain(|r| r.uid != uid);
                }
                if meta.owner_references.as_ref().is_some_and(|r| r.is_empty()) {
                    meta.owner_references = None;
                }
                cluster.store.put(dependent);
            }
            finish(cluster, &owner, ORPHAN_FINALIZER);
        } else {
            let dependents = dependents_of(cluster, &uid);
            for d in &dependents {
                if d.metadata().deletion_timestamp.is_none() {
                    delete(cluster, d, true);
                }
            }
            let blocking = dependents_of(cluster, &uid)
                .iter()
                .any(|d| d.metadata().owner_references.as_ref().is_some_and(|rs| rs.iter().any(|r| r.uid == uid && r.block_owner_deletion == Some(true))));
            if !blocking {
                if let Some(current) = cluster.store.get(&owner.key()).cloned() {
                    finish(cluster, &current, FOREGROUND_FINALIZER);
                }
            }
        }
    }

    // Dependents whose owners are all gone: collect them (background).
    let uids: BTreeSet<String> = cluster.store.all().filter_map(|o| o.metadata().uid.clone()).collect();
    let orphans: Vec<(Object, bool)> = cluster
        .store
        .all()
        .filter(|o| o.metadata().deletion_timestamp.is_none())
        .filter_map(|o| {
            let refs = o.metadata().owner_references.as_ref().filter(|r| !r.is_empty())?;
            let dangling: Vec<&OwnerReference> = refs.iter().filter(|r| simulated_kind(r).is_some() && !uids.contains(&r.uid)).collect();
            if dangling.is_empty() {
                None
            } else {
                Some((o.clone(), dangling.len() == refs.len()))
            }
        })
        .collect();
    for (object, all_gone) in orphans {
        if all_gone {
            delete(cluster, &object, false);
        } else {
            // Some owners remain: only the dangling references are dropped.
            let mut o = object;
            if let Some(refs) = o.metadata_mut().owner_references.as_mut() {
                refs.retain(|r| simulated_kind(r).is_none() || uids.contains(&r.uid));
            }
            cluster.store.put(o);
        }
    }
}
