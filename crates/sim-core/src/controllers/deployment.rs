//! The Deployment controller: one ReplicaSet per pod template (`<deployment>-<hash>`,
//! selected by `pod-template-hash`), rolling updates within maxSurge/maxUnavailable
//! (or Recreate), revisions in `deployment.kubernetes.io/revision`, history pruned to
//! revisionHistoryLimit, and the status and conditions `kubectl rollout status` reads.
//!
//! The steps follow `pkg/controller/deployment` (sync.go, rolling.go, recreate.go,
//! progress.go): new ReplicaSet scaled up as far as maxSurge allows, old ones scaled
//! down as far as maxUnavailable allows counting only available pods. Proportional
//! scaling of several active ReplicaSets during a rollout is not simulated: a
//! Deployment scaled mid-rollout still converges, by the rolling steps.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{Deployment, DeploymentCondition, DeploymentStatus, ReplicaSet, ReplicaSetSpec};
use k8s_openapi::api::core::v1::PodTemplateSpec;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta, Time};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use k8s_openapi::chrono::Duration;

use super::events::{self, Source};
use super::{controlled_by, controller_ref, put_if_changed, Wakeups};
use crate::cluster::Cluster;
use crate::labels;
use crate::naming::{self, POD_TEMPLATE_HASH_LABEL};
use crate::resources::Kind;
use crate::store::{Object, ObjectKey};

pub const REVISION_ANNOTATION: &str = "deployment.kubernetes.io/revision";
pub const REVISION_HISTORY_ANNOTATION: &str = "deployment.kubernetes.io/revision-history";
pub const DESIRED_REPLICAS_ANNOTATION: &str = "deployment.kubernetes.io/desired-replicas";
pub const MAX_REPLICAS_ANNOTATION: &str = "deployment.kubernetes.io/max-replicas";

/// Annotations a Deployment does not pass on to its ReplicaSets (`skipCopyAnnotation`).
const SKIP_COPY: &[&str] = &[
    "kubectl.kubernetes.io/last-applied-configuration",
    REVISION_ANNOTATION,
    REVISION_HISTORY_ANNOTATION,
    DESIRED_REPLICAS_ANNOTATION,
    MAX_REPLICAS_ANNOTATION,
    "deprecated.deployment.rollback.to",
];

pub fn reconcile(cluster: &mut Cluster, wake: &mut Wakeups) {
    let deployments: Vec<Deployment> = cluster
        .store
        .list(Kind::Deployment, None)
        .filter_map(|o| match o {
            Object::Deployment(d) if d.metadata.deletion_timestamp.is_none() => Some((**d).clone()),
            _ => None,
        })
        .collect();
    for d in deployments {
        sync(cluster, d, wake);
    }
}

fn revision(rs: &ReplicaSet) -> i64 {
    rs.metadata.annotations.as_ref().and_then(|a| a.get(REVISION_ANNOTATION)).and_then(|v| v.parse().ok()).unwrap_or(0)
}

fn spec_replicas(rs: &ReplicaSet) -> i32 {
    rs.spec.as_ref().and_then(|s| s.replicas).unwrap_or(0)
}

fn status_of(rs: &ReplicaSet) -> (i32, i32, i32) {
    let s = rs.status.clone().unwrap_or_default();
    (s.replicas, s.ready_replicas.unwrap_or(0), s.available_replicas.unwrap_or(0))
}

/// A template without the pod-template-hash label, for `EqualIgnoreHash`.
fn without_hash(t: &PodTemplateSpec) -> PodTemplateSpec {
    let mut t = t.clone();
    if let Some(labels) = t.metadata.as_mut().and_then(|m| m.labels.as_mut()) {
        labels.remove(POD_TEMPLATE_HASH_LABEL);
    }
    t
}

/// `intstr.GetScaledValueFromIntOrPercent`.
fn resolve(value: Option<&IntOrString>, total: i32, round_up: bool, default_percent: i32) -> i32 {
    let percent = |p: i32| {
        let v = i64::from(p) * i64::from(total);
        (if round_up { (v + 99) / 100 } else { v / 100 }) as i32
    };
    match value {
        Some(IntOrString::Int(n)) => *n,
        Some(IntOrString::String(s)) => s.trim_end_matches('%').parse::<i32>().map(percent).unwrap_or(0),
        None => percent(default_percent),
    }
}

/// maxSurge (rounded up) and maxUnavailable (rounded down); both zero is not allowed,
/// so maxUnavailable becomes 1 (`ResolveFenceposts`).
fn fenceposts(d: &Deployment, desired: i32) -> (i32, i32) {
    let rolling = d.spec.as_ref().and_then(|s| s.strategy.as_ref()).and_then(|s| s.rolling_update.as_ref());
    let surge = resolve(rolling.and_then(|r| r.max_surge.as_ref()), desired, true, 25);
    let unavailable = resolve(rolling.and_then(|r| r.max_unavailable.as_ref()), desired, false, 25);
    if surge == 0 && unavailable == 0 {
        (0, 1)
    } else {
        (surge, unavailable)
    }
}

fn sync(cluster: &mut Cluster, d: Deployment, wake: &mut Wakeups) {
    let namespace = d.metadata.namespace.clone().unwrap_or_default();
    let name = d.metadata.name.clone().unwrap_or_default();
    let Some(spec) = d.spec.clone() else { return };
    let desired = spec.replicas.unwrap_or(1).max(0);
    let selector = labels::label_selector_as_selector(Some(&spec.selector)).unwrap_or(labels::Selector::Nothing);
    let d_object = Object::Deployment(Box::new(d.clone()));
    let source = Source::controller("deployment-controller");

    // Adopt orphaned ReplicaSets the selector matches.
    let orphans: Vec<ReplicaSet> = cluster
        .store
        .list(Kind::ReplicaSet, Some(&namespace))
        .filter_map(|o| match o {
            Object::ReplicaSet(rs)
                if super::controller_uid(&rs.metadata).is_none()
                    && rs.metadata.deletion_timestamp.is_none()
                    && !selector.is_empty()
                    && selector.matches_opt(rs.metadata.labels.as_ref()) =>
            {
                Some((**rs).clone())
            }
            _ => None,
        })
        .collect();
    for mut rs in orphans {
        rs.metadata.owner_references.get_or_insert_with(Vec::new).push(controller_ref("apps/v1", "Deployment", &d.metadata));
        cluster.store.put(Object::ReplicaSet(Box::new(rs)));
    }

    let owned = |cluster: &Cluster| -> Vec<ReplicaSet> {
        let mut v: Vec<ReplicaSet> = cluster
            .store
            .list(Kind::ReplicaSet, Some(&namespace))
            .filter_map(|o| match o {
                Object::ReplicaSet(rs) if controlled_by(&rs.metadata, d.metadata.uid.as_deref()) => Some((**rs).clone()),
                _ => None,
            })
            .collect();
        crate::sort::sort_by_key(&mut v, |rs| (rs.metadata.creation_timestamp.as_ref().map(|t| t.0), rs.metadata.name.clone()));
        v
    };
    let all = owned(cluster);
    let template = spec.template.clone();
    let wanted = without_hash(&template);
    let mut new_rs = all.iter().find(|rs| rs.spec.as_ref().and_then(|s| s.template.as_ref()).map(without_hash) == Some(wanted.clone())).cloned();
    let max_old_revision = all.iter().filter(|rs| Some(rs.metadata.uid.clone()) != new_rs.as_ref().map(|n| n.metadata.uid.clone())).map(revision).max().unwrap_or(0);
    let paused = spec.paused == Some(true);
    let recreate = spec.strategy.as_ref().and_then(|s| s.type_.as_deref()) == Some("Recreate");
    let (max_surge, max_unavailable) = if recreate { (0, 0) } else { fenceposts(&d, desired) };
    let mut progressing_note: Option<(String, String)> = None;

    // The new ReplicaSet: found (a rollback or an unchanged template) or created.
    match new_rs.clone() {
        Some(rs) => {
            // SetNewReplicaSetAnnotations: a ReplicaSet that becomes new again (rollback)
            // takes the next revision and remembers its old one.
            let current = revision(&rs);
            if current <= max_old_revision || rs.metadata.annotations.as_ref().and_then(|a| a.get(REVISION_ANNOTATION)).is_none() {
                let mut updated = rs.clone();
                let annotations = updated.metadata.annotations.get_or_insert_with(BTreeMap::new);
                if current > 0 {
                    let history = annotations.get(REVISION_HISTORY_ANNOTATION).cloned().filter(|h| !h.is_empty());
                    let history = match history {
                        Some(h) => format!("{h},{current}"),
                        None => current.to_string(),
                    };
                    annotations.insert(REVISION_HISTORY_ANNOTATION.into(), history);
                }
                annotations.insert(REVISION_ANNOTATION.into(), (max_old_revision + 1).to_string());
                cluster.store.put(Object::ReplicaSet(Box::new(updated.clone())));
                new_rs = Some(updated);
            }
            if !has_progressing(&d) {
                progressing_note = Some(("FoundNewReplicaSet".into(), format!("Found new replica set \"{}\"", rs.metadata.name.as_deref().unwrap_or(""))));
            }
        }
        None if !paused => {
            let old_pods_exist = all.iter().any(|rs| old_pods_remain(cluster, rs));
            let create = !recreate || (all.iter().all(|rs| spec_replicas(rs) == 0) && !old_pods_exist);
            if create {
                let count = if recreate {
                    desired
                } else {
                    let current: i32 = all.iter().map(spec_replicas).fold(0, i32::saturating_add);
                    desired.saturating_add(max_surge).saturating_sub(current).clamp(0, desired)
                };
                match create_replica_set(cluster, &d, &template, count, max_old_revision + 1, max_surge) {
                    Ok(rs) => {
                        let rs_name = rs.metadata.name.clone().unwrap_or_default();
                        if count > 0 {
                            events::record(cluster, events::reference_to(&d_object), "Normal", "ScalingReplicaSet", &format!("Scaled up replica set {rs_name} from 0 to {count}"), &source);
                        }
                        progressing_note = Some(("NewReplicaSetCreated".into(), format!("Created new replica set \"{rs_name}\"")));
                        new_rs = Some(rs);
                    }
                    Err(()) => {
                        // A ReplicaSet of that name with another template exists: bump
                        // collisionCount so that the next hash differs (as upstream).
                        let mut updated = d.clone();
                        let status = updated.status.get_or_insert_with(Default::default);
                        status.collision_count = Some(status.collision_count.unwrap_or(0) + 1);
                        cluster.store.put(Object::Deployment(Box::new(updated)));
                        return;
                    }
                }
            }
        }
        None => {}
    }
    let new_uid = new_rs.as_ref().and_then(|rs| rs.metadata.uid.clone());
    let olds: Vec<ReplicaSet> = owned(cluster).into_iter().filter(|rs| rs.metadata.uid != new_uid).collect();

    if !paused {
        if recreate {
            for rs in olds.iter().filter(|rs| spec_replicas(rs) > 0) {
                scale(cluster, &d, rs, 0, desired, max_surge);
            }
            let old_pods_exist = olds.iter().any(|rs| old_pods_remain(cluster, rs));
            if let Some(rs) = &new_rs {
                if !old_pods_exist && spec_replicas(rs) != desired {
                    scale(cluster, &d, rs, desired, desired, max_surge);
                }
            }
        } else if let Some(rs) = &new_rs {
            rolling_step(cluster, &d, rs, &olds, desired, max_surge, max_unavailable);
        }
    } else if let Some(rs) = &new_rs {
        // A paused Deployment is still scaled (`sync`), but its template is not rolled out.
        if olds.iter().all(|o| spec_replicas(o) == 0) && spec_replicas(rs) != desired {
            scale(cluster, &d, rs, desired, desired, max_surge);
        }
    }

    // Status from the ReplicaSets as they are now.
    let all = owned(cluster);
    let new_rs = all.iter().find(|rs| rs.metadata.uid == new_uid).cloned();
    let total_status: i32 = all.iter().map(|rs| status_of(rs).0).fold(0, i32::saturating_add);
    let ready: i32 = all.iter().map(|rs| status_of(rs).1).fold(0, i32::saturating_add);
    let available: i32 = all.iter().map(|rs| status_of(rs).2).fold(0, i32::saturating_add);
    let updated = new_rs.as_ref().map(|rs| status_of(rs).0).unwrap_or(0);
    let total_spec: i32 = all.iter().map(spec_replicas).fold(0, i32::saturating_add);
    let nonzero = |n: i32| if n == 0 { None } else { Some(n) };
    let now = cluster.clock.now();
    let Some(Object::Deployment(current)) = cluster.store.get(&ObjectKey::new(Kind::Deployment, &namespace, &name)).cloned() else { return };
    let old_status = current.status.clone().unwrap_or_default();
    let mut status = DeploymentStatus {
        replicas: nonzero(total_status),
        updated_replicas: nonzero(updated),
        ready_replicas: nonzero(ready),
        available_replicas: nonzero(available),
        unavailable_replicas: nonzero(total_spec.saturating_sub(available).max(0)),
        observed_generation: Some(current.metadata.generation.unwrap_or(1)),
        collision_count: old_status.collision_count,
        conditions: old_status.conditions.clone(),
        ..Default::default()
    };
    let min_available = desired.saturating_sub(max_unavailable);
    if available >= min_available {
        set_condition(&mut status, "Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability.", now);
    } else {
        set_condition(&mut status, "Available", "False", "MinimumReplicasUnavailable", "Deployment does not have minimum availability.", now);
    }
    if let Some((reason, message)) = progressing_note {
        set_condition(&mut status, "Progressing", "True", &reason, &message, now);
    }
    // syncRolloutStatus: complete, progressing, or past its deadline.
    let deadline = spec.progress_deadline_seconds.unwrap_or(600);
    if let Some(rs) = &new_rs {
        let rs_name = rs.metadata.name.clone().unwrap_or_default();
        let complete = updated == desired && total_status == desired && available == desired;
        let progressed = status.updated_replicas.unwrap_or(0) > old_status.updated_replicas.unwrap_or(0)
            || total_status.saturating_sub(updated) < old_status.replicas.unwrap_or(0).saturating_sub(old_status.updated_replicas.unwrap_or(0))
            || ready > old_status.ready_replicas.unwrap_or(0)
            || available > old_status.available_replicas.unwrap_or(0);
        if paused {
            // A paused rollout does not progress and cannot time out.
        } else if complete {
            set_condition(&mut status, "Progressing", "True", "NewReplicaSetAvailable", &format!("ReplicaSet \"{rs_name}\" has successfully progressed."), now);
        } else if progressed {
            set_condition_touch(&mut status, "Progressing", "True", "ReplicaSetUpdated", &format!("ReplicaSet \"{rs_name}\" is progressing."), now);
        } else if let Some(c) = condition(&status, "Progressing") {
            if c.reason.as_deref() != Some("NewReplicaSetAvailable") && c.reason.as_deref() != Some("ProgressDeadlineExceeded") {
                let since = c.last_update_time.as_ref().map(|t| t.0).unwrap_or(now);
                let due = since + Duration::seconds(i64::from(deadline));
                if due <= now {
                    set_condition(&mut status, "Progressing", "False", "ProgressDeadlineExceeded", &format!("ReplicaSet \"{rs_name}\" has timed out progressing."), now);
                } else {
                    wake.at(due);
                }
            }
        }
        if complete {
            cleanup(cluster, &d, &all, new_uid.as_deref());
        }
    }
    let mut updated_d = current;
    let revision_now = new_rs.as_ref().map(revision).filter(|r| *r > 0);
    if let Some(r) = revision_now {
        updated_d.metadata.annotations.get_or_insert_with(BTreeMap::new).insert(REVISION_ANNOTATION.into(), r.to_string());
    }
    updated_d.status = Some(status);
    put_if_changed(cluster, Object::Deployment(updated_d));
}

fn has_progressing(d: &Deployment) -> bool {
    d.status.as_ref().and_then(|s| s.conditions.as_ref()).is_some_and(|cs| cs.iter().any(|c| c.type_ == "Progressing"))
}

fn condition<'a>(status: &'a DeploymentStatus, type_: &str) -> Option<&'a DeploymentCondition> {
    status.conditions.as_ref()?.iter().find(|c| c.type_ == type_)
}

/// `SetDeploymentCondition`: no change when status and reason are the same; otherwise
/// the condition moves to the end, keeping lastTransitionTime if the status holds.
fn set_condition(status: &mut DeploymentStatus, type_: &str, value: &str, reason: &str, message: &str, now: k8s_openapi::chrono::DateTime<k8s_openapi::chrono::Utc>) {
    let conditions = status.conditions.get_or_insert_with(Vec::new);
    let existing = conditions.iter().find(|c| c.type_ == type_).cloned();
    if let Some(c) = &existing {
        if c.status == value && c.reason.as_deref() == Some(reason) {
            return;
        }
    }
    let transition = match &existing {
        Some(c) if c.status == value => c.last_transition_time.clone(),
        _ => Some(Time(now)),
    };
    conditions.retain(|c| c.type_ != type_);
    conditions.push(DeploymentCondition {
        type_: type_.into(),
        status: value.into(),
        reason: Some(reason.into()),
        message: Some(message.into()),
        last_update_time: Some(Time(now)),
        last_transition_time: transition,
    });
}

/// Like `set_condition`, but a repeat of the same reason still refreshes
/// lastUpdateTime: that is how progress pushes the deadline back.
fn set_condition_touch(status: &mut DeploymentStatus, type_: &str, value: &str, reason: &str, message: &str, now: k8s_openapi::chrono::DateTime<k8s_openapi::chrono::Utc>) {
    let conditions = status.conditions.get_or_insert_with(Vec::new);
    if let Some(c) = conditions.iter_mut().find(|c| c.type_ == type_ && c.status == value && c.reason.as_deref() == Some(reason)) {
        c.last_update_time = Some(Time(now));
        c.message = Some(message.into());
        return;
    }
    set_condition(status, type_, value, reason, message, now);
}

/// Whether pods of an old ReplicaSet still exist (Recreate waits for all of them).
fn old_pods_remain(cluster: &Cluster, rs: &ReplicaSet) -> bool {
    let namespace = rs.metadata.namespace.as_deref().unwrap_or("");
    rs.metadata.uid.as_deref().is_some_and(|uid| cluster.store.controlled_by(Kind::Pod, namespace, uid).next().is_some())
}

fn create_replica_set(
    cluster: &mut Cluster,
    d: &Deployment,
    template: &PodTemplateSpec,
    replicas: i32,
    revision: i64,
    max_surge: i32,
) -> Result<ReplicaSet, ()> {
    let namespace = d.metadata.namespace.clone().unwrap_or_default();
    let collision = d.status.as_ref().and_then(|s| s.collision_count);
    let hash = naming::pod_template_hash(template, collision);
    let rs_name = naming::replica_set_name(d.metadata.name.as_deref().unwrap_or(""), &hash);
    if cluster.store.contains(&ObjectKey::new(Kind::ReplicaSet, &namespace, &rs_name)) {
        return Err(());
    }
    let spec = d.spec.clone().unwrap_or_default();
    let mut template = template.clone();
    let template_meta = template.metadata.get_or_insert_with(ObjectMeta::default);
    template_meta.labels.get_or_insert_with(BTreeMap::new).insert(POD_TEMPLATE_HASH_LABEL.into(), hash.clone());
    let rs_labels = template_meta.labels.clone();
    let mut selector: LabelSelector = spec.selector.clone();
    selector.match_labels.get_or_insert_with(BTreeMap::new).insert(POD_TEMPLATE_HASH_LABEL.into(), hash);
    let mut annotations: BTreeMap<String, String> = d
        .metadata
        .annotations
        .clone()
        .unwrap_or_default()
        .into_iter()
        .filter(|(k, _)| !SKIP_COPY.contains(&k.as_str()))
        .collect();
    let desired = spec.replicas.unwrap_or(1);
    annotations.insert(DESIRED_REPLICAS_ANNOTATION.into(), desired.to_string());
    annotations.insert(MAX_REPLICAS_ANNOTATION.into(), desired.saturating_add(max_surge).to_string());
    annotations.insert(REVISION_ANNOTATION.into(), revision.to_string());
    let rs = ReplicaSet {
        metadata: ObjectMeta {
            name: Some(rs_name.clone()),
            namespace: Some(namespace.clone()),
            labels: rs_labels,
            annotations: Some(annotations),
            owner_references: Some(vec![controller_ref("apps/v1", "Deployment", &d.metadata)]),
            generation: Some(1),
            ..Default::default()
        },
        spec: Some(ReplicaSetSpec {
            replicas: Some(replicas),
            min_ready_seconds: spec.min_ready_seconds.filter(|s| *s != 0),
            selector,
            template: Some(template),
        }),
        status: Some(Default::default()),
    };
    cluster.insert_new(Object::ReplicaSet(Box::new(rs)));
    match cluster.store.get(&ObjectKey::new(Kind::ReplicaSet, &namespace, &rs_name)) {
        Some(Object::ReplicaSet(rs)) => Ok((**rs).clone()),
        _ => Err(()),
    }
}

/// `scaleReplicaSetAndRecordEvent`: sets replicas and the replica annotations, with
/// the ScalingReplicaSet event.
fn scale(cluster: &mut Cluster, d: &Deployment, rs: &ReplicaSet, to: i32, desired: i32, max_surge: i32) {
    let namespace = rs.metadata.namespace.clone().unwrap_or_default();
    let name = rs.metadata.name.clone().unwrap_or_default();
    let Some(Object::ReplicaSet(mut current)) = cluster.store.get(&ObjectKey::new(Kind::ReplicaSet, &namespace, &name)).cloned() else { return };
    let from = spec_replicas(&current);
    if let Some(spec) = current.spec.as_mut() {
        spec.replicas = Some(to);
    }
    let annotations = current.metadata.annotations.get_or_insert_with(BTreeMap::new);
    annotations.insert(DESIRED_REPLICAS_ANNOTATION.into(), desired.to_string());
    annotations.insert(MAX_REPLICAS_ANNOTATION.into(), desired.saturating_add(max_surge).to_string());
    if from != to {
        current.metadata.generation = Some(current.metadata.generation.unwrap_or(1) + 1);
    }
    if put_if_changed(cluster, Object::ReplicaSet(current)) && from != to {
        let direction = if to > from { "up" } else { "down" };
        events::record(
            cluster,
            events::reference_to_meta("apps/v1", "Deployment", &d.metadata),
            "Normal",
            "ScalingReplicaSet",
            &format!("Scaled {direction} replica set {name} from {from} to {to}"),
            &Source::controller("deployment-controller"),
        );
    }
}

/// `rolloutRolling`: scale the new ReplicaSet up within maxSurge, then the old ones
/// down within maxUnavailable.
fn rolling_step(cluster: &mut Cluster, d: &Deployment, new_rs: &ReplicaSet, olds: &[ReplicaSet], desired: i32, max_surge: i32, max_unavailable: i32) {
    // reconcileNewReplicaSet
    let new_replicas = spec_replicas(new_rs);
    let all_spec: i32 = olds.iter().map(spec_replicas).fold(new_replicas, i32::saturating_add);
    if new_replicas > desired {
        scale(cluster, d, new_rs, desired, desired, max_surge);
    } else if new_replicas < desired {
        let max_total = desired.saturating_add(max_surge);
        if all_spec < max_total {
            let up = max_total.saturating_sub(all_spec).min(desired.saturating_sub(new_replicas));
            scale(cluster, d, new_rs, new_replicas.saturating_add(up), desired, max_surge);
        }
    } else {
        scale(cluster, d, new_rs, desired, desired, max_surge);
    }

    // reconcileOldReplicaSets
    let ns = new_rs.metadata.namespace.clone().unwrap_or_default();
    let fresh = |cluster: &Cluster, rs: &ReplicaSet| -> ReplicaSet {
        match cluster.store.get(&ObjectKey::new(Kind::ReplicaSet, &ns, rs.metadata.name.as_deref().unwrap_or(""))) {
            Some(Object::ReplicaSet(r)) => (**r).clone(),
            _ => rs.clone(),
        }
    };
    let new_rs = fresh(cluster, new_rs);
    let mut olds: Vec<ReplicaSet> = olds.iter().map(|rs| fresh(cluster, rs)).collect();
    let old_total: i32 = olds.iter().map(spec_replicas).fold(0, i32::saturating_add);
    if old_total == 0 {
        return;
    }
    let all_spec = old_total.saturating_add(spec_replicas(&new_rs));
    let min_available = desired.saturating_sub(max_unavailable);
    let new_unavailable = spec_replicas(&new_rs).saturating_sub(status_of(&new_rs).2);
    let max_scaled_down = all_spec.saturating_sub(min_available).saturating_sub(new_unavailable);
    if max_scaled_down <= 0 {
        return;
    }
    // cleanupUnhealthyReplicas: old pods that are not available go first, oldest RS first.
    crate::sort::sort_by_key(&mut olds, |rs| rs.metadata.creation_timestamp.as_ref().map(|t| t.0));
    let mut cleaned = 0;
    for rs in olds.iter_mut() {
        if cleaned >= max_scaled_down {
            break;
        }
        let replicas = spec_replicas(rs);
        let unhealthy = replicas - status_of(rs).2;
        if replicas == 0 || unhealthy <= 0 {
            continue;
        }
        let down = unhealthy.min(max_scaled_down - cleaned);
        scale(cluster, d, rs, replicas - down, desired, max_surge);
        cleaned += down;
        *rs = fresh(cluster, rs);
    }
    // scaleDownOldReplicaSetsForRollingUpdate: only as far as available pods allow.
    let available: i32 = olds.iter().map(|rs| status_of(rs).2).fold(status_of(&new_rs).2, i32::saturating_add);
    if available <= min_available {
        return;
    }
    let mut remaining = available.saturating_sub(min_available);
    for rs in olds.iter() {
        if remaining <= 0 {
            break;
        }
        let replicas = spec_replicas(rs);
        if replicas == 0 {
            continue;
        }
        let down = replicas.min(remaining);
        scale(cluster, d, rs, replicas - down, desired, max_surge);
        remaining -= down;
    }
}

/// `cleanupDeployment`: delete the oldest idle ReplicaSets beyond revisionHistoryLimit.
fn cleanup(cluster: &mut Cluster, d: &Deployment, all: &[ReplicaSet], new_uid: Option<&str>) {
    let limit = d.spec.as_ref().and_then(|s| s.revision_history_limit).unwrap_or(10).max(0) as usize;
    let mut idle: Vec<&ReplicaSet> = all
        .iter()
        .filter(|rs| rs.metadata.uid.as_deref() != new_uid)
        .filter(|rs| spec_replicas(rs) == 0 && status_of(rs).0 == 0 && rs.metadata.deletion_timestamp.is_none())
        .collect();
    if idle.len() <= limit {
        return;
    }
    crate::sort::sort_by_key(&mut idle, |rs| revision(rs));
    let excess = idle.len() - limit;
    for rs in idle.into_iter().take(excess) {
        let key = ObjectKey::new(Kind::ReplicaSet, rs.metadata.namespace.as_deref().unwrap_or(""), rs.metadata.name.as_deref().unwrap_or(""));
        cluster.store.remove(&key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_round_as_upstream() {
        assert_eq!(resolve(None, 2, true, 25), 1);
        assert_eq!(resolve(None, 2, false, 25), 0);
        assert_eq!(resolve(Some(&IntOrString::String("50%".into())), 3, false, 25), 1);
        assert_eq!(resolve(Some(&IntOrString::Int(2)), 10, true, 25), 2);
    }
}
