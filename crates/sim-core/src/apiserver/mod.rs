//! The API server's request handling: create, get, update, patch and delete with the
//! defaulting, validation, allocation and error semantics of kube-apiserver.
//!
//! The store ([`crate::store`]) only keeps objects; everything a real API server does
//! between receiving a request and writing to etcd happens here, in upstream's order
//! (`k8s.io/apiserver/pkg/registry/generic/registry/store.go`):
//! decode (strict field check) → defaulting → admission (namespace lifecycle) →
//! `BeginCreate` (Service IP and port allocation) → `PrepareForCreate` + validation →
//! the etcd write (where `AlreadyExists` is found).
//!
//! Errors come back as [`Status`] values that kubectl renders with
//! [`Status::kubectl_message`]; nothing here panics on any input.
//!
//! # Layout
//! - [`status`]: `Status`, `FieldError` and how kubectl prints them.
//! - [`admission`]: the mutating admission plugins every Pod passes (service account, priority, tolerations).
//! - [`names`]: name, label and annotation validation (DNS-1123/1035, qualified names).
//! - [`decode`]: request bodies to typed objects, with Go's decoding errors.
//! - [`defaults`]: `SetDefaults_*` for every kind.
//! - [`service`]: Service validation, IP-family fields, allocation and type changes.
//! - [`allocator`]: the ClusterIP and nodePort allocators (bands, random scan).
//! - [`workloads`]: Pod, pod template, Deployment and ReplicaSet validation.
//! - [`patch`]: JSON merge patch, strategic merge patch and JSON patch.
//! - [`strict`]: unknown-field detection for `fieldValidation=Strict`.

// Every API call answers `Result<_, Status>` (the interface other modules code
// against); a Status is a large value, but errors are rare and never on a hot path.
#![allow(clippy::result_large_err)]

pub mod admission;
pub mod allocator;
pub mod decode;
pub mod defaults;
pub mod names;
pub mod patch;
pub mod rest;
pub mod service;
pub mod status;
pub mod strict;
pub mod workloads;

pub use status::{ErrorType, FieldError, KubectlError, Status, StatusDetails, StatusReason, API_SERVER_HOST};

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use k8s_openapi::chrono::{DateTime, Duration, SubsecRound, Utc};

use crate::cluster::Cluster;
use crate::resources::{resource_type, Kind};
use crate::store::{Object, ObjectKey};

/// `fieldValidation` query parameter: what the server does with unknown or duplicate
/// fields. kubectl 1.32 sends `Strict` unless `--validate=warn|false`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum FieldValidation {
    #[default]
    Strict,
    Warn,
    Ignore,
}

/// Options of a create (`POST`) or update (`PUT`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CreateOptions {
    /// `dryRun=All`: everything happens (defaulting, allocation, validation) except
    /// the write.
    pub dry_run: bool,
    pub field_validation: FieldValidation,
    /// The JSON the client sent, before decoding into typed structs: unknown fields
    /// are only visible there.
    pub raw: Option<serde_json::Value>,
}

/// Options of an update; the same as a create's.
pub type UpdateOptions = CreateOptions;

/// `propagationPolicy` of a delete.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Propagation {
    #[default]
    Background,
    Foreground,
    Orphan,
}

/// Options of a delete (`DELETE`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DeleteOptions {
    pub propagation: Propagation,
    /// `gracePeriodSeconds`; `None` uses the object's own (a pod's
    /// `terminationGracePeriodSeconds`), `Some(0)` deletes at once.
    pub grace_period: Option<i64>,
    pub dry_run: bool,
}

/// The `Content-Type` of a `PATCH`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PatchType {
    /// `application/merge-patch+json` (RFC 7386).
    Merge,
    /// `application/strategic-merge-patch+json`: lists merged by their patchMergeKey.
    StrategicMerge,
    /// `application/json-patch+json` (RFC 6902).
    Json,
}

/// Options of a patch.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PatchOptions {
    pub dry_run: bool,
    pub field_validation: FieldValidation,
}

/// "now" as the API server stamps it: metav1.Time serializes with second precision,
/// so what etcd keeps (and what AGE is computed from) is whole seconds.
pub(crate) fn now(cluster: &Cluster) -> DateTime<Utc> {
    cluster.clock.now().trunc_subsecs(0)
}

/// Kinds whose registry strategy sets `metadata.generation` (1 on create, +1 on each
/// spec change): workloads and Ingress. Pods, Services and Namespaces have none in 1.32.
fn has_generation(kind: Kind) -> bool {
    matches!(kind, Kind::Deployment | Kind::ReplicaSet | Kind::Ingress | Kind::IngressClass)
}

/// Reads one object: `GET /.../<resource>/<name>`.
pub fn get<'a>(cluster: &'a Cluster, kind: Kind, namespace: &str, name: &str) -> Result<&'a Object, Status> {
    let ns = scoped_namespace(kind, namespace);
    cluster.store.get(&ObjectKey::new(kind, &ns, name)).ok_or_else(|| Status::not_found(kind, name))
}

/// Lists objects of a kind in a namespace (`None`: all namespaces), in the order etcd
/// returns them.
pub fn list<'a>(cluster: &'a Cluster, kind: Kind, namespace: Option<&'a str>) -> Vec<&'a Object> {
    cluster.store.list(kind, namespace).collect()
}

/// Creates an object: `POST /.../<resource>`.
pub fn create(cluster: &mut Cluster, object: Object, opts: &CreateOptions) -> Result<Object, Status> {
    let kind = object.kind();
    if let Some(raw) = &opts.raw {
        if opts.field_validation == FieldValidation::Strict {
            strict::check(kind, raw)?;
        }
    }
    let mut object = object;
    defaults::apply(&mut object);

    // The request path carries the namespace; an object without one lands in it, and
    // cluster-scoped kinds never have one.
    let namespace = scoped_namespace(kind, object.namespace());
    object.metadata_mut().namespace = if resource_type(kind).namespaced { Some(namespace.clone()) } else { None };

    // Admission (NamespaceLifecycle) runs before the registry: the namespace must
    // exist and must not be terminating.
    if resource_type(kind).namespaced {
        check_namespace_admits(cluster, kind, &namespace, object.name())?;
    }

    // `BeforeCreate`: generateName becomes a name (base cut to 58 characters plus five
    // random characters, names.SimpleNameGenerator), server-owned metadata is reset.
    {
        let name_empty = object.name().is_empty();
        let generate = object.metadata().generate_name.clone().unwrap_or_default();
        if name_empty && !generate.is_empty() {
            let base: String = if generate.len() > 58 { generate.chars().take(58).collect() } else { generate };
            let suffix = cluster.rng.name_suffix(5);
            object.metadata_mut().name = Some(format!("{base}{suffix}"));
        }
    }
    let now = now(cluster);
    {
        let meta = object.metadata_mut();
        meta.resource_version = None;
        meta.deletion_timestamp = None;
        meta.deletion_grace_period_seconds = None;
        meta.creation_timestamp = Some(Time(now));
        meta.generation = if has_generation(kind) { Some(1) } else { None };
        meta.managed_fields = None;
    }

    // `BeginCreate`: Services get their IP families, ClusterIP and node ports here,
    // before validation, so allocation errors win over validation errors.
    if let Object::Service(svc) = &mut object {
        service::allocate_create(cluster, svc)?;
    }

    // `PrepareForCreate` + `Validate`.
    prepare_for_create(&mut object);
    let errors = validate_create(cluster, &object);
    if !errors.is_empty() {
        return Err(Status::invalid(kind, object.name(), errors));
    }

    // The etcd write: a taken key is AlreadyExists. Allocations made above are derived
    // from the store, so refusing here releases them with nothing to undo.
    if cluster.store.contains(&object.key()) {
        return Err(Status::already_exists(kind, object.name()));
    }
    let uid = cluster.rng.uuid();
    object.metadata_mut().uid = Some(uid.clone());
    if let Object::Pod(pod) = &mut object {
        admission::admit_pod(pod, &uid);
    }
    if opts.dry_run {
        return Ok(object);
    }
    Ok(cluster.store.put(object).clone())
}

/// Replaces an object: `PUT /.../<resource>/<name>`. A non-empty resourceVersion must
/// be the stored one (optimistic concurrency); an empty one updates unconditionally,
/// as every kind kubesim serves allows. Status is kept from the stored object (it has
/// its own subresource, see [`update_status`]).
pub fn update(cluster: &mut Cluster, object: Object, opts: &UpdateOptions) -> Result<Object, Status> {
    let kind = object.kind();
    if let Some(raw) = &opts.raw {
        if opts.field_validation == FieldValidation::Strict {
            strict::check(kind, raw)?;
        }
    }
    let namespace = scoped_namespace(kind, object.namespace());
    let name = object.name().to_string();
    let key = ObjectKey::new(kind, &namespace, &name);
    let Some(old) = cluster.store.get(&key).cloned() else {
        return Err(Status::not_found(kind, &name));
    };
    let mut object = object;
    object.metadata_mut().namespace = if resource_type(kind).namespaced { Some(namespace) } else { None };
    check_resource_version(&old, &object)?;
    defaults::apply(&mut object);
    carry_server_metadata(&old, &mut object);

    if let (Object::Service(old_svc), Object::Service(new_svc)) = (&old, &mut object) {
        service::prepare_update(cluster, old_svc, new_svc)?;
    }
    prepare_for_update(&old, &mut object);
    // Allocation before validation, as on create: a Service changed to LoadBalancer
    // with `externalTrafficPolicy: Local` must have its healthCheckNodePort when
    // validated, and allocation errors win.
    if let (Object::Service(old_svc), Object::Service(new_svc)) = (&old, &mut object) {
        service::allocate_update(cluster, old_svc, new_svc)?;
    }
    let errors = validate_update(cluster, &old, &object);
    if !errors.is_empty() {
        return Err(Status::invalid(kind, &name, errors));
    }
    if opts.dry_run {
        return Ok(object);
    }
    // An update that changes nothing writes nothing (the registry's no-op detection):
    // resourceVersion stays and no watch event fires.
    let mut unchanged = object.clone();
    unchanged.metadata_mut().resource_version = old.metadata().resource_version.clone();
    if unchanged == old {
        return Ok(old);
    }
    let stored = cluster.store.put(object).clone();
    finish_deletion_if_ready(cluster, &stored);
    Ok(cluster.store.get(&key).cloned().unwrap_or(stored))
}

/// Writes only the status of an object (`PUT .../status`), as controllers and the
/// kubelet do: spec and metadata other than labels/annotations stay as stored. A
/// non-empty resourceVersion must match.
pub fn update_status(cluster: &mut Cluster, object: Object) -> Result<Object, Status> {
    let kind = object.kind();
    let namespace = scoped_namespace(kind, object.namespace());
    let name = object.name().to_string();
    let key = ObjectKey::new(kind, &namespace, &name);
    let Some(old) = cluster.store.get(&key).cloned() else {
        return Err(Status::not_found(kind, &name));
    };
    check_resource_version(&old, &object)?;
    let mut merged = old.clone();
    copy_status(&object, &mut merged);
    if merged == old {
        return Ok(old);
    }
    Ok(cluster.store.put(merged).clone())
}

/// Patches an object: `PATCH /.../<resource>/<name>`. The patched JSON goes through
/// the same path as an update.
pub fn patch(
    cluster: &mut Cluster,
    kind: Kind,
    namespace: &str,
    name: &str,
    patch_type: PatchType,
    patch: &serde_json::Value,
) -> Result<Object, Status> {
    patch_with_options(cluster, kind, namespace, name, patch_type, patch, &PatchOptions::default())
}

/// [`patch`] with dry-run and field validation.
pub fn patch_with_options(
    cluster: &mut Cluster,
    kind: Kind,
    namespace: &str,
    name: &str,
    patch_type: PatchType,
    patch_doc: &serde_json::Value,
    opts: &PatchOptions,
) -> Result<Object, Status> {
    let current = get(cluster, kind, namespace, name)?.clone();
    let original = current.to_json();
    let patched = match patch_type {
        PatchType::Merge => patch::merge_patch(&original, patch_doc).map_err(|e| Status::bad_request(&e))?,
        PatchType::StrategicMerge => {
            patch::strategic_merge_patch(kind, &original, patch_doc).map_err(|e| Status::bad_request(&e))?
        }
        PatchType::Json => patch::json_patch(&original, patch_doc).map_err(patch::json_patch_status)?,
    };
    if opts.field_validation == FieldValidation::Strict {
        strict::check(kind, &patched)?;
    }
    let object = decode_as(kind, patched)?;
    // The name and namespace come from the URL, not the body.
    if object.name() != name {
        let errors = vec![FieldError::invalid("metadata.name", object.name(), "field is immutable")];
        return Err(Status::invalid(kind, name, errors));
    }
    update(cluster, object, &UpdateOptions { dry_run: opts.dry_run, field_validation: FieldValidation::Ignore, raw: None })
}

/// Decodes JSON that must be of `kind`; a failure is the server's BadRequest with
/// Go's decoding message (see [`decode`]).
pub fn decode_as(kind: Kind, value: serde_json::Value) -> Result<Object, Status> {
    decode::decode_as(kind, value)
}

/// Namespaces the NamespaceLifecycle admission plugin refuses to delete.
pub const IMMORTAL_NAMESPACES: &[&str] = &["default", "kube-system", "kube-public"];

/// Deletes an object: `DELETE /.../<resource>/<name>`.
///
/// What the registry does, and kubesim with it (`store.go Delete`,
/// `deletionFinalizersForGarbageCollection`, the pod strategy's graceful delete):
/// - propagation `Orphan` adds the `orphan` finalizer and `Foreground` the
///   `foregroundDeletion` finalizer; the garbage collector
///   (`controllers::garbage_collector`) does the rest and removes them;
/// - an object with finalizers is only marked: `deletionTimestamp` is set and it stays
///   until an update removes the last finalizer;
/// - a pod bound to a node with a grace period is marked with
///   `deletionTimestamp = now + grace`; its kubelet removes it once stopped. An
///   unscheduled pod, or grace 0, goes at once;
/// - a Namespace turns `Terminating`; its contents are deleted and it disappears when
///   empty ([`reconcile_namespaces`]);
/// - anything else is removed at once; with `Background` its dependents are then
///   collected by the garbage collector.
pub fn delete(cluster: &mut Cluster, kind: Kind, namespace: &str, name: &str, opts: &DeleteOptions) -> Result<Object, Status> {
    let current = get(cluster, kind, namespace, name)?.clone();
    if opts.dry_run {
        return Ok(current);
    }
    let now = now(cluster);
    let key = current.key();

    // NamespaceLifecycle admission: the system namespaces cannot be deleted.
    if kind == Kind::Namespace && IMMORTAL_NAMESPACES.contains(&name) {
        return Err(Status::forbidden(kind, name, "this namespace may not be deleted"));
    }
    // The namespace registry answers a second delete while content is still being
    // removed with a Conflict.
    if let Object::Namespace(ns) = &current {
        if current.metadata().deletion_timestamp.is_some() && ns.spec.as_ref().and_then(|s| s.finalizers.as_ref()).is_some_and(|f| !f.is_empty()) {
            return Err(Status::conflict(
                kind,
                name,
                "The system is ensuring all content is removed from this namespace.  Upon completion, this namespace will automatically be purged by the system.",
            ));
        }
    }
    // Already terminating: a second delete may only shorten a pod's grace period.
    if current.metadata().deletion_timestamp.is_some() {
        if let (Object::Pod(_), Some(0)) = (&current, opts.grace_period) {
            cluster.store.remove(&key);
        }
        return Ok(current);
    }

    let mut marked = current.clone();
    if let Object::Namespace(ns) = &mut marked {
        let status = ns.status.get_or_insert_with(Default::default);
        status.phase = Some("Terminating".to_string());
        marked.metadata_mut().deletion_timestamp = Some(Time(now));
        marked.metadata_mut().deletion_grace_period_seconds = Some(0);
        let stored = cluster.store.put(marked).clone();
        delete_namespace_contents(cluster, name);
        return Ok(stored);
    }

    let mut finalizers = marked.metadata().finalizers.clone().unwrap_or_default();
    let gc_finalizer = match opts.propagation {
        Propagation::Orphan => Some("orphan"),
        Propagation::Foreground => Some("foregroundDeletion"),
        Propagation::Background => None,
    };
    if let Some(f) = gc_finalizer {
        if !finalizers.iter().any(|x| x == f) {
            finalizers.push(f.to_string());
        }
    }

    let grace = match &current {
        Object::Pod(pod) => {
            let default = pod.spec.as_ref().and_then(|s| s.termination_grace_period_seconds).unwrap_or(30);
            let g = opts.grace_period.unwrap_or(default).max(0);
            // A pod no kubelet runs (unscheduled) has nothing to stop.
            let scheduled = pod.spec.as_ref().and_then(|s| s.node_name.as_deref()).is_some_and(|n| !n.is_empty());
            if scheduled { g } else { 0 }
        }
        _ => 0,
    };

    if grace > 0 || !finalizers.is_empty() {
        let meta = marked.metadata_mut();
        meta.deletion_timestamp = Some(Time(now + Duration::seconds(grace)));
        meta.deletion_grace_period_seconds = Some(grace);
        meta.finalizers = if finalizers.is_empty() { None } else { Some(finalizers) };
        if let Some(g) = meta.generation {
            // Setting deletionTimestamp counts as a change for kinds with a generation.
            meta.generation = Some(g + 1);
        }
        return Ok(cluster.store.put(marked).clone());
    }
    Ok(cluster.store.remove(&key).unwrap_or(current))
}

/// The namespace controller's work: a Terminating namespace whose contents are gone
/// disappears. Idempotent; run on every controller pass.
pub fn reconcile_namespaces(cluster: &mut Cluster) {
    let terminating: Vec<String> = cluster
        .store
        .list(Kind::Namespace, None)
        .filter(|o| o.metadata().deletion_timestamp.is_some())
        .map(|o| o.name().to_string())
        .collect();
    for ns in terminating {
        delete_namespace_contents(cluster, &ns);
        let empty = cluster.store.all().all(|o| !o.resource_type().namespaced || o.namespace() != ns);
        if empty {
            cluster.store.remove(&ObjectKey::new(Kind::Namespace, "", &ns));
        }
    }
}

fn delete_namespace_contents(cluster: &mut Cluster, namespace: &str) {
    let keys: Vec<(Kind, String)> = cluster
        .store
        .all()
        .filter(|o| o.resource_type().namespaced && o.namespace() == namespace && o.metadata().deletion_timestamp.is_none())
        .map(|o| (o.kind(), o.name().to_string()))
        .collect();
    for (kind, name) in keys {
        let _ = delete(cluster, kind, namespace, &name, &DeleteOptions::default());
    }
}

/// An object marked for deletion whose finalizers are all gone is removed (the
/// registry's deleteForEmptyFinalizers). Pods wait for their kubelet instead.
fn finish_deletion_if_ready(cluster: &mut Cluster, object: &Object) {
    let meta = object.metadata();
    if meta.deletion_timestamp.is_none() || matches!(object, Object::Pod(_) | Object::Namespace(_)) {
        return;
    }
    if meta.finalizers.as_ref().is_none_or(|f| f.is_empty()) {
        cluster.store.remove(&object.key());
    }
}

/// The API server's own deletion loops: objects marked for deletion with no
/// finalizers left are removed, Terminating namespaces are emptied and removed.
/// Idempotent; the controllers run it on every pass.
pub fn reconcile_deletions(cluster: &mut Cluster) {
    let pending: Vec<Object> = cluster.store.deleting().cloned().collect();
    for o in pending {
        finish_deletion_if_ready(cluster, &o);
    }
    reconcile_namespaces(cluster);
}

fn scoped_namespace(kind: Kind, namespace: &str) -> String {
    if !resource_type(kind).namespaced {
        String::new()
    } else if namespace.is_empty() {
        "default".to_string()
    } else {
        namespace.to_string()
    }
}

/// NamespaceLifecycle admission: `namespaces "foo" not found`, or Forbidden while the
/// namespace is being deleted.
fn check_namespace_admits(cluster: &Cluster, kind: Kind, namespace: &str, name: &str) -> Result<(), Status> {
    match cluster.store.get(&ObjectKey::new(Kind::Namespace, "", namespace)) {
        None => Err(Status::not_found(Kind::Namespace, namespace)),
        Some(ns) if ns.metadata().deletion_timestamp.is_some() => Err(Status::forbidden(
            kind,
            name,
            &format!("unable to create new content in namespace {namespace} because it is being terminated"),
        )),
        Some(_) => Ok(()),
    }
}

fn check_resource_version(old: &Object, new: &Object) -> Result<(), Status> {
    let given = new.metadata().resource_version.as_deref().unwrap_or("");
    if given.is_empty() {
        return Ok(());
    }
    let stored = old.metadata().resource_version.as_deref().unwrap_or("");
    if given != stored {
        return Err(Status::conflict_modified(old.kind(), old.name()));
    }
    Ok(())
}

/// Fields of metadata only the server writes: an update keeps the stored ones.
fn carry_server_metadata(old: &Object, new: &mut Object) {
    let o = old.metadata();
    let m = new.metadata_mut();
    m.uid = o.uid.clone();
    m.creation_timestamp = o.creation_timestamp.clone();
    m.deletion_timestamp = o.deletion_timestamp.clone();
    m.deletion_grace_period_seconds = o.deletion_grace_period_seconds;
    m.generation = o.generation;
    m.resource_version = o.resource_version.clone();
    m.generate_name = o.generate_name.clone().or(m.generate_name.take());
    m.managed_fields = None;
}

/// Strategy `PrepareForCreate`: status is not the client's to set for workloads.
fn prepare_for_create(object: &mut Object) {
    match object {
        Object::Deployment(d) => d.status = None,
        Object::ReplicaSet(r) => r.status = None,
        Object::Service(s) => {
            // A new Service starts with an empty load-balancer status (`status: {loadBalancer: {}}`).
            s.status = Some(k8s_openapi::api::core::v1::ServiceStatus {
                load_balancer: Some(Default::default()),
                conditions: None,
            });
        }
        Object::Pod(p) => {
            // The registry's pod strategy: a new pod is Pending with QoS class computed.
            let qos = workloads::qos_class(p);
            p.status = Some(k8s_openapi::api::core::v1::PodStatus {
                phase: Some("Pending".to_string()),
                qos_class: Some(qos),
                ..Default::default()
            });
        }
        _ => {}
    }
}

/// Strategy `PrepareForUpdate`: the main resource cannot change status; spec changes
/// bump generation.
fn prepare_for_update(old: &Object, new: &mut Object) {
    copy_status(old, new);
    let spec_changed = match (old, &*new) {
        (Object::Deployment(a), Object::Deployment(b)) => a.spec != b.spec,
        (Object::ReplicaSet(a), Object::ReplicaSet(b)) => a.spec != b.spec,
        (Object::Ingress(a), Object::Ingress(b)) => a.spec != b.spec,
        (Object::IngressClass(a), Object::IngressClass(b)) => a.spec != b.spec,
        _ => false,
    };
    if spec_changed {
        let g = old.metadata().generation.unwrap_or(0);
        new.metadata_mut().generation = Some(g + 1);
    }
}

/// Copies `status` from `from` to `to` (same kind; other kinds are left alone).
fn copy_status(from: &Object, to: &mut Object) {
    match (from, to) {
        (Object::Deployment(a), Object::Deployment(b)) => b.status = a.status.clone(),
        (Object::ReplicaSet(a), Object::ReplicaSet(b)) => b.status = a.status.clone(),
        (Object::Pod(a), Object::Pod(b)) => b.status = a.status.clone(),
        (Object::Service(a), Object::Service(b)) => b.status = a.status.clone(),
        (Object::Namespace(a), Object::Namespace(b)) => b.status = a.status.clone(),
        (Object::Node(a), Object::Node(b)) => b.status = a.status.clone(),
        (Object::Ingress(a), Object::Ingress(b)) => b.status = a.status.clone(),
        _ => {}
    }
}

fn validate_create(cluster: &Cluster, object: &Object) -> Vec<FieldError> {
    let rt = object.resource_type();
    let mut errs = names::validate_object_meta(object.metadata(), rt.namespaced, names::name_rule(object.kind()));
    match object {
        Object::Service(s) => errs.extend(service::validate(s)),
        Object::Deployment(d) => errs.extend(workloads::validate_deployment(d)),
        Object::ReplicaSet(r) => errs.extend(workloads::validate_replica_set(r)),
        Object::Pod(p) => errs.extend(workloads::validate_pod(p)),
        _ => {}
    }
    let _ = cluster;
    errs
}

/// `ValidateXxxUpdate`: Services check clusterIP changes before the full validation;
/// workloads check immutable fields after it, as upstream orders them.
fn validate_update(cluster: &Cluster, old: &Object, new: &Object) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if let (Object::Service(a), Object::Service(b)) = (old, new) {
        errs.extend(service::validate_update(a, b));
    }
    errs.extend(validate_create(cluster, new));
    match (old, new) {
        (Object::Deployment(a), Object::Deployment(b)) => errs.extend(workloads::validate_deployment_update(a, b)),
        (Object::ReplicaSet(a), Object::ReplicaSet(b)) => errs.extend(workloads::validate_replica_set_update(a, b)),
        (Object::Pod(a), Object::Pod(b)) => errs.extend(workloads::validate_pod_update(a, b)),
        _ => {}
    }
    errs
}

#[cfg(test)]
mod tests;
