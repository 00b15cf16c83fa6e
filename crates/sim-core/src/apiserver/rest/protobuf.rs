//! Protobuf request bodies (`Content-Type: application/vnd.kubernetes.protobuf`), as
//! client-go's typed clients send them (`kubectl create deployment|service|namespace|
//! configmap|ingress`), decoded into the JSON the rest of the server takes.
//!
//! The wire format (kube-apiserver's protobuf serializer): the 4-byte magic `k8s\0`,
//! then a `runtime.Unknown` message (`typeMeta` = 1 {apiVersion = 1, kind = 2},
//! `raw` = 2 holding the object's own message). Objects are proto2 messages as
//! k8s.io/api's `generated.proto` files number them; gogo-protobuf writes every
//! non-pointer field even when it is zero, so zero strings, numbers and booleans are
//! dropped again here (Go's JSON `omitempty` does the same), while pointer fields
//! (`replicas`, `terminationGracePeriodSeconds`, ...) keep a zero that was sent.
//!
//! Only the messages the generators can fill are tabled (below); a field outside the
//! tables is refused with a 415 Status naming it, never guessed or skipped.

use serde_json::{Map, Value};
use crate::apiserver::{Status, StatusReason};
use crate::resources::Kind;

/// How one field is turned into JSON.
#[derive(Clone, Copy)]
enum Ty {
    /// A non-pointer string: dropped when empty.
    Str,
    /// A `*string`: kept when sent.
    StrPtr,
    /// A non-pointer integer (varint, int32 or int64): dropped when 0.
    Int,
    /// A non-pointer integer without `omitempty` in Go's JSON (`port`, `containerPort`).
    IntReq,
    /// A `*int32` / `*int64`: kept when sent.
    IntPtr,
    /// A non-pointer bool: dropped when false.
    Bool,
    /// A `*bool`.
    BoolPtr,
    /// `repeated string`.
    Strings,
    /// A nested message.
    Msg(&'static [Field]),
    /// `repeated` message.
    Msgs(&'static [Field]),
    /// A message whose fields Go's JSON inlines into the parent (`IngressRuleValue`).
    Inline(&'static [Field]),
    /// `map<string, string>`.
    MapStr,
    /// `map<string, bytes>`: values base64 in JSON.
    MapBytes,
    /// `map<string, resource.Quantity>`.
    MapQuantity,
    /// `intstr.IntOrString`: a JSON number or string.
    IntOrString,
    /// `metav1.Time`: RFC 3339, `null` for the zero time (an empty message).
    Time,
    /// A non-pointer `metav1.Time` (`creationTimestamp`): `null` when zero.
    TimeReq,
}

/// One numbered field of a message.
#[derive(Clone, Copy)]
struct Field {
    number: u64,
    name: &'static str,
    ty: Ty,
}

const fn f(number: u64, name: &'static str, ty: Ty) -> Field {
    Field { number, name, ty }
}

// k8s.io/apimachinery/pkg/apis/meta/v1
const OWNER_REFERENCE: &[Field] = &[
    f(5, "apiVersion", Ty::Str),
    f(1, "kind", Ty::Str),
    f(3, "name", Ty::Str),
    f(4, "uid", Ty::Str),
    f(6, "controller", Ty::BoolPtr),
    f(7, "blockOwnerDeletion", Ty::BoolPtr),
];
const OBJECT_META: &[Field] = &[
    f(1, "name", Ty::Str),
    f(2, "generateName", Ty::Str),
    f(3, "namespace", Ty::Str),
    f(4, "selfLink", Ty::Str),
    f(5, "uid", Ty::Str),
    f(6, "resourceVersion", Ty::Str),
    f(7, "generation", Ty::Int),
    f(8, "creationTimestamp", Ty::TimeReq),
    f(9, "deletionTimestamp", Ty::Time),
    f(10, "deletionGracePeriodSeconds", Ty::IntPtr),
    f(11, "labels", Ty::MapStr),
    f(12, "annotations", Ty::MapStr),
    f(13, "ownerReferences", Ty::Msgs(OWNER_REFERENCE)),
    f(14, "finalizers", Ty::Strings),
];
const LABEL_SELECTOR_REQUIREMENT: &[Field] =
    &[f(1, "key", Ty::Str), f(2, "operator", Ty::Str), f(3, "values", Ty::Strings)];
const LABEL_SELECTOR: &[Field] =
    &[f(1, "matchLabels", Ty::MapStr), f(2, "matchExpressions", Ty::Msgs(LABEL_SELECTOR_REQUIREMENT))];

// k8s.io/api/core/v1
const CONTAINER_PORT: &[Field] = &[
    f(1, "name", Ty::Str),
    f(2, "hostPort", Ty::Int),
    f(3, "containerPort", Ty::IntReq),
    f(4, "protocol", Ty::Str),
    f(5, "hostIP", Ty::Str),
];
const ENV_VAR: &[Field] = &[f(1, "name", Ty::Str), f(2, "value", Ty::Str)];
const RESOURCE_REQUIREMENTS: &[Field] = &[f(1, "limits", Ty::MapQuantity), f(2, "requests", Ty::MapQuantity)];
const CONTAINER: &[Field] = &[
    f(1, "name", Ty::Str),
    f(2, "image", Ty::Str),
    f(3, "command", Ty::Strings),
    f(4, "args", Ty::Strings),
    f(5, "workingDir", Ty::Str),
    f(6, "ports", Ty::Msgs(CONTAINER_PORT)),
    f(7, "env", Ty::Msgs(ENV_VAR)),
    f(8, "resources", Ty::Msg(RESOURCE_REQUIREMENTS)),
    f(24, "restartPolicy", Ty::StrPtr),
    f(13, "terminationMessagePath", Ty::Str),
    f(20, "terminationMessagePolicy", Ty::Str),
    f(14, "imagePullPolicy", Ty::Str),
    f(16, "stdin", Ty::Bool),
    f(17, "stdinOnce", Ty::Bool),
    f(18, "tty", Ty::Bool),
];
const POD_SPEC: &[Field] = &[
    f(20, "initContainers", Ty::Msgs(CONTAINER)),
    f(2, "containers", Ty::Msgs(CONTAINER)),
    f(3, "restartPolicy", Ty::Str),
    f(4, "terminationGracePeriodSeconds", Ty::IntPtr),
    f(5, "activeDeadlineSeconds", Ty::IntPtr),
    f(6, "dnsPolicy", Ty::Str),
    f(7, "nodeSelector", Ty::MapStr),
    f(8, "serviceAccountName", Ty::Str),
    f(9, "serviceAccount", Ty::Str),
    f(21, "automountServiceAccountToken", Ty::BoolPtr),
    f(10, "nodeName", Ty::Str),
    f(11, "hostNetwork", Ty::Bool),
    f(12, "hostPID", Ty::Bool),
    f(13, "hostIPC", Ty::Bool),
    f(16, "hostname", Ty::Str),
    f(17, "subdomain", Ty::Str),
    f(19, "schedulerName", Ty::Str),
    f(24, "priorityClassName", Ty::Str),
    f(25, "priority", Ty::IntPtr),
    f(30, "enableServiceLinks", Ty::BoolPtr),
];
const POD_TEMPLATE_SPEC: &[Field] = &[f(1, "metadata", Ty::Msg(OBJECT_META)), f(2, "spec", Ty::Msg(POD_SPEC))];
const CLIENT_IP_CONFIG: &[Field] = &[f(1, "timeoutSeconds", Ty::IntPtr)];
const SESSION_AFFINITY_CONFIG: &[Field] = &[f(1, "clientIP", Ty::Msg(CLIENT_IP_CONFIG))];
const SERVICE_PORT: &[Field] = &[
    f(1, "name", Ty::Str),
    f(2, "protocol", Ty::Str),
    f(6, "appProtocol", Ty::StrPtr),
    f(3, "port", Ty::IntReq),
    f(4, "targetPort", Ty::IntOrString),
    f(5, "nodePort", Ty::Int),
];
const SERVICE_SPEC: &[Field] = &[
    f(1, "ports", Ty::Msgs(SERVICE_PORT)),
    f(2, "selector", Ty::MapStr),
    f(3, "clusterIP", Ty::Str),
    f(18, "clusterIPs", Ty::Strings),
    f(4, "type", Ty::Str),
    f(5, "externalIPs", Ty::Strings),
    f(7, "sessionAffinity", Ty::Str),
    f(8, "loadBalancerIP", Ty::Str),
    f(9, "loadBalancerSourceRanges", Ty::Strings),
    f(10, "externalName", Ty::Str),
    f(11, "externalTrafficPolicy", Ty::Str),
    f(12, "healthCheckNodePort", Ty::Int),
    f(13, "publishNotReadyAddresses", Ty::Bool),
    f(14, "sessionAffinityConfig", Ty::Msg(SESSION_AFFINITY_CONFIG)),
    f(19, "ipFamilies", Ty::Strings),
    f(17, "ipFamilyPolicy", Ty::StrPtr),
    f(20, "allocateLoadBalancerNodePorts", Ty::BoolPtr),
    f(21, "loadBalancerClass", Ty::StrPtr),
    f(22, "internalTrafficPolicy", Ty::StrPtr),
    f(23, "trafficDistribution", Ty::StrPtr),
];
// A new object's status is empty; `loadBalancer` (non-pointer) is all it can hold.
const LOAD_BALANCER_STATUS: &[Field] = &[];
const SERVICE_STATUS: &[Field] = &[f(1, "loadBalancer", Ty::Msg(LOAD_BALANCER_STATUS))];
const SERVICE: &[Field] =
    &[f(1, "metadata", Ty::Msg(OBJECT_META)), f(2, "spec", Ty::Msg(SERVICE_SPEC)), f(3, "status", Ty::Msg(SERVICE_STATUS))];
const NAMESPACE_SPEC: &[Field] = &[f(1, "finalizers", Ty::Strings)];
const NAMESPACE_STATUS: &[Field] = &[f(1, "phase", Ty::Str)];
const NAMESPACE: &[Field] = &[
    f(1, "metadata", Ty::Msg(OBJECT_META)),
    f(2, "spec", Ty::Msg(NAMESPACE_SPEC)),
    f(3, "status", Ty::Msg(NAMESPACE_STATUS)),
];
const CONFIG_MAP: &[Field] = &[
    f(1, "metadata", Ty::Msg(OBJECT_META)),
    f(4, "immutable", Ty::BoolPtr),
    f(2, "data", Ty::MapStr),
    f(3, "binaryData", Ty::MapBytes),
];
const TYPED_LOCAL_OBJECT_REFERENCE: &[Field] =
    &[f(1, "apiGroup", Ty::StrPtr), f(2, "kind", Ty::Str), f(3, "name", Ty::Str)];

// k8s.io/api/apps/v1
const ROLLING_UPDATE_DEPLOYMENT: &[Field] = &[f(1, "maxUnavailable", Ty::IntOrString), f(2, "maxSurge", Ty::IntOrString)];
const DEPLOYMENT_STRATEGY: &[Field] = &[f(1, "type", Ty::Str), f(2, "rollingUpdate", Ty::Msg(ROLLING_UPDATE_DEPLOYMENT))];
const DEPLOYMENT_SPEC: &[Field] = &[
    f(1, "replicas", Ty::IntPtr),
    f(2, "selector", Ty::Msg(LABEL_SELECTOR)),
    f(3, "template", Ty::Msg(POD_TEMPLATE_SPEC)),
    f(4, "strategy", Ty::Msg(DEPLOYMENT_STRATEGY)),
    f(5, "minReadySeconds", Ty::Int),
    f(6, "revisionHistoryLimit", Ty::IntPtr),
    f(7, "paused", Ty::Bool),
    f(9, "progressDeadlineSeconds", Ty::IntPtr),
];
// A new Deployment's status: all zero counters (dropped) at most.
const DEPLOYMENT_STATUS: &[Field] = &[
    f(1, "observedGeneration", Ty::Int),
    f(2, "replicas", Ty::Int),
    f(3, "updatedReplicas", Ty::Int),
    f(7, "readyReplicas", Ty::Int),
    f(4, "availableReplicas", Ty::Int),
    f(5, "unavailableReplicas", Ty::Int),
    f(9, "terminatingReplicas", Ty::IntPtr),
    f(8, "collisionCount", Ty::IntPtr),
];
const DEPLOYMENT: &[Field] = &[
    f(1, "metadata", Ty::Msg(OBJECT_META)),
    f(2, "spec", Ty::Msg(DEPLOYMENT_SPEC)),
    f(3, "status", Ty::Msg(DEPLOYMENT_STATUS)),
];

// k8s.io/api/networking/v1
const SERVICE_BACKEND_PORT: &[Field] = &[f(1, "name", Ty::Str), f(2, "number", Ty::Int)];
const INGRESS_SERVICE_BACKEND: &[Field] = &[f(1, "name", Ty::Str), f(2, "port", Ty::Msg(SERVICE_BACKEND_PORT))];
const INGRESS_BACKEND: &[Field] =
    &[f(4, "service", Ty::Msg(INGRESS_SERVICE_BACKEND)), f(3, "resource", Ty::Msg(TYPED_LOCAL_OBJECT_REFERENCE))];
const HTTP_INGRESS_PATH: &[Field] =
    &[f(1, "path", Ty::Str), f(3, "pathType", Ty::StrPtr), f(2, "backend", Ty::Msg(INGRESS_BACKEND))];
const HTTP_INGRESS_RULE_VALUE: &[Field] = &[f(1, "paths", Ty::Msgs(HTTP_INGRESS_PATH))];
const INGRESS_RULE_VALUE: &[Field] = &[f(1, "http", Ty::Msg(HTTP_INGRESS_RULE_VALUE))];
const INGRESS_RULE: &[Field] = &[f(1, "host", Ty::Str), f(2, "ingressRuleValue", Ty::Inline(INGRESS_RULE_VALUE))];
const INGRESS_TLS: &[Field] = &[f(1, "hosts", Ty::Strings), f(2, "secretName", Ty::Str)];
const INGRESS_SPEC: &[Field] = &[
    f(4, "ingressClassName", Ty::StrPtr),
    f(1, "defaultBackend", Ty::Msg(INGRESS_BACKEND)),
    f(2, "tls", Ty::Msgs(INGRESS_TLS)),
    f(3, "rules", Ty::Msgs(INGRESS_RULE)),
];
const INGRESS_LOAD_BALANCER_STATUS: &[Field] = &[];
const INGRESS_STATUS: &[Field] = &[f(1, "loadBalancer", Ty::Msg(INGRESS_LOAD_BALANCER_STATUS))];
const INGRESS: &[Field] =
    &[f(1, "metadata", Ty::Msg(OBJECT_META)), f(2, "spec", Ty::Msg(INGRESS_SPEC)), f(3, "status", Ty::Msg(INGRESS_STATUS))];

/// The message of each kind a typed client may send.
fn root(kind: Kind) -> Option<&'static [Field]> {
    Some(match kind {
        Kind::Deployment => DEPLOYMENT,
        Kind::Service => SERVICE,
        Kind::Namespace => NAMESPACE,
        Kind::ConfigMap => CONFIG_MAP,
        Kind::Ingress => INGRESS,
        _ => return None,
    })
}

/// kube-apiserver's protobuf envelope prefix.
const MAGIC: &[u8] = b"k8s\0";

/// Whether a Content-Type is the protobuf media type.
pub fn is_protobuf(content_type: &str) -> bool {
    content_type.split(';').next().is_some_and(|m| m.trim() == "application/vnd.kubernetes.protobuf")
}

/// A request body in protobuf, as the JSON object it stands for (with `apiVersion`
/// and `kind` from the envelope). Errors are the Status to answer with.
pub fn decode(kind: Kind, body: &[u8]) -> Result<Value, Status> {
    let Some(message) = root(kind) else {
        return Err(unsupported(&format!("kubesim serve decodes protobuf bodies for Deployments, Services, Namespaces, ConfigMaps and Ingresses only, not {kind:?}; send JSON")));
    };
    let Some(envelope) = body.strip_prefix(MAGIC) else {
        return Err(bad("provided object is not a valid protobuf message: missing the k8s magic prefix"));
    };
    let mut api_version = String::new();
    let mut kind_name = String::new();
    let mut raw: &[u8] = &[];
    for item in Reader::new(envelope) {
        let (number, value) = item.map_err(|e| bad(&e))?;
        match (number, value) {
            (1, Wire::Bytes(type_meta)) => {
                for item in Reader::new(type_meta) {
                    match item.map_err(|e| bad(&e))? {
                        (1, Wire::Bytes(b)) => api_version = utf8(b)?,
                        (2, Wire::Bytes(b)) => kind_name = utf8(b)?,
                        _ => {}
                    }
                }
            }
            (2, Wire::Bytes(b)) => raw = b,
            (3, Wire::Bytes(b)) if !b.is_empty() => {
                return Err(unsupported("protobuf bodies with a contentEncoding are not decoded by kubesim serve"))
            }
            _ => {}
        }
    }
    let mut object = Map::new();
    if !api_version.is_empty() {
        object.insert("apiVersion".into(), Value::String(api_version));
    }
    if !kind_name.is_empty() {
        object.insert("kind".into(), Value::String(kind_name.clone()));
    }
    let path = if kind_name.is_empty() { format!("{kind:?}") } else { kind_name };
    decode_message(raw, message, &path, &mut object)?;
    Ok(Value::Object(object))
}

fn bad(message: &str) -> Status {
    Status::bad_request(message)
}

fn unsupported(message: &str) -> Status {
    Status { code: 415, reason: StatusReason::Unknown, message: message.to_string(), details: None }
}

fn utf8(bytes: &[u8]) -> Result<String, Status> {
    String::from_utf8(bytes.to_vec()).map_err(|_| bad("a protobuf string field is not valid UTF-8"))
}

/// Decodes `bytes` as the message `fields` into `out`.
fn decode_message(bytes: &[u8], fields: &'static [Field], path: &str, out: &mut Map<String, Value>) -> Result<(), Status> {
    for item in Reader::new(bytes) {
        let (number, wire) = item.map_err(|e| bad(&format!("{path}: {e}")))?;
        let Some(field) = fields.iter().find(|x| x.number == number) else {
            return Err(unsupported(&format!(
                "kubesim serve does not decode protobuf field {number} of {path}; send JSON (kubectl create -f)"
            )));
        };
        let here = format!("{path}.{}", field.name);
        let wrong = || bad(&format!("{here}: unexpected protobuf wire type"));
        let name = field.name.to_string();
        match (field.ty, wire) {
            (Ty::Str, Wire::Bytes(b)) => {
                let s = utf8(b)?;
                if !s.is_empty() {
                    out.insert(name, Value::String(s));
                }
            }
            (Ty::StrPtr, Wire::Bytes(b)) => {
                out.insert(name, Value::String(utf8(b)?));
            }
            (Ty::Int, Wire::Varint(n)) => {
                if n != 0 {
                    out.insert(name, Value::from(n as i64));
                }
            }
            (Ty::IntReq | Ty::IntPtr, Wire::Varint(n)) => {
                out.insert(name, Value::from(n as i64));
            }
            (Ty::Bool, Wire::Varint(n)) => {
                if n != 0 {
                    out.insert(name, Value::Bool(true));
                }
            }
            (Ty::BoolPtr, Wire::Varint(n)) => {
                out.insert(name, Value::Bool(n != 0));
            }
            (Ty::Strings, Wire::Bytes(b)) => {
                let s = Value::String(utf8(b)?);
                push(out, name, s);
            }
            (Ty::Msg(inner), Wire::Bytes(b)) => {
                let mut m = Map::new();
                decode_message(b, inner, &here, &mut m)?;
                out.insert(name, Value::Object(m));
            }
            (Ty::Msgs(inner), Wire::Bytes(b)) => {
                let mut m = Map::new();
                decode_message(b, inner, &here, &mut m)?;
                push(out, name, Value::Object(m));
            }
            (Ty::Inline(inner), Wire::Bytes(b)) => decode_message(b, inner, &here, out)?,
            (Ty::MapStr | Ty::MapBytes | Ty::MapQuantity, Wire::Bytes(b)) => {
                let (key, value) = map_entry(b, &here)?;
                let value = match field.ty {
                    Ty::MapBytes => Value::String(crate::controllers::root_ca::base64(value)),
                    Ty::MapQuantity => Value::String(quantity(value, &here)?),
                    _ => Value::String(utf8(value)?),
                };
                let entry = out.entry(name).or_insert_with(|| Value::Object(Map::new()));
                if let Value::Object(map) = entry {
                    map.insert(key, value);
                }
            }
            (Ty::IntOrString, Wire::Bytes(b)) => {
                out.insert(name, int_or_string(b, &here)?);
            }
            (Ty::Time | Ty::TimeReq, Wire::Bytes(b)) => {
                out.insert(name, time(b, &here)?);
            }
            _ => return Err(wrong()),
        }
    }
    // A non-pointer creationTimestamp is always in Go's JSON (`null` when zero).
    for field in fields {
        if let Ty::TimeReq = field.ty {
            out.entry(field.name.to_string()).or_insert(Value::Null);
        }
    }
    Ok(())
}

fn push(out: &mut Map<String, Value>, name: String, value: Value) {
    let entry = out.entry(name).or_insert_with(|| Value::Array(Vec::new()));
    if let Value::Array(items) = entry {
        items.push(value);
    }
}

/// A map entry: key = 1 (string), value = 2 (any length-delimited value).
fn map_entry<'a>(bytes: &'a [u8], path: &str) -> Result<(String, &'a [u8]), Status> {
    let mut key = String::new();
    let mut value: &[u8] = &[];
    for item in Reader::new(bytes) {
        match item.map_err(|e| bad(&format!("{path}: {e}")))? {
            (1, Wire::Bytes(b)) => key = utf8(b)?,
            (2, Wire::Bytes(b)) => value = b,
            _ => return Err(bad(&format!("{path}: a map entry with an unexpected field"))),
        }
    }
    Ok((key, value))
}

/// `resource.Quantity` is a message with its string form as field 1.
fn quantity(bytes: &[u8], path: &str) -> Result<String, Status> {
    let mut text = String::new();
    for item in Reader::new(bytes) {
        if let (1, Wire::Bytes(b)) = item.map_err(|e| bad(&format!("{path}: {e}")))? {
            text = utf8(b)?;
        }
    }
    Ok(text)
}

/// `IntOrString`: type = 1 (0 int, 1 string), intVal = 2, strVal = 3.
fn int_or_string(bytes: &[u8], path: &str) -> Result<Value, Status> {
    let (mut is_string, mut int_val, mut str_val) = (false, 0i64, String::new());
    for item in Reader::new(bytes) {
        match item.map_err(|e| bad(&format!("{path}: {e}")))? {
            (1, Wire::Varint(t)) => is_string = t == 1,
            // int32 on the wire: a negative value is sign-extended to 64 bits.
            (2, Wire::Varint(n)) => int_val = i64::from(n as i32),
            (3, Wire::Bytes(b)) => str_val = utf8(b)?,
            _ => return Err(bad(&format!("{path}: an IntOrString with an unexpected field"))),
        }
    }
    Ok(if is_string { Value::String(str_val) } else { Value::from(int_val) })
}

/// `metav1.Time`: seconds = 1, nanos = 2; the zero time is an empty message.
/// JSON has whole seconds only (the API server's RFC 3339 form).
fn time(bytes: &[u8], path: &str) -> Result<Value, Status> {
    if bytes.is_empty() {
        return Ok(Value::Null);
    }
    let mut seconds = 0i64;
    for item in Reader::new(bytes) {
        if let (1, Wire::Varint(n)) = item.map_err(|e| bad(&format!("{path}: {e}")))? {
            seconds = n as i64;
        }
    }
    match k8s_openapi::chrono::DateTime::from_timestamp(seconds, 0) {
        Some(t) => Ok(Value::String(t.format("%Y-%m-%dT%H:%M:%SZ").to_string())),
        None => Err(bad(&format!("{path}: a time out of range"))),
    }
}

/// One field's value on the wire.
enum Wire<'a> {
    Varint(u64),
    Bytes(&'a [u8]),
    Fixed,
}

/// Iterates over `(field number, value)` of one message; an error ends it.
struct Reader<'a> {
    bytes: &'a [u8],
    failed: bool,
}

impl<'a> Reader<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Reader { bytes, failed: false }
    }

    fn varint(&mut self) -> Result<u64, String> {
        let mut value: u64 = 0;
        for shift in 0..10 {
            let Some((&byte, rest)) = self.bytes.split_first() else {
                return Err("truncated protobuf varint".into());
            };
            self.bytes = rest;
            value |= u64::from(byte & 0x7f) << (shift * 7);
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err("protobuf varint longer than 10 bytes".into())
    }

    fn take(&mut self, n: u64) -> Result<&'a [u8], String> {
        let n = usize::try_from(n).map_err(|_| "protobuf length out of range".to_string())?;
        if n > self.bytes.len() {
            return Err("truncated protobuf message".into());
        }
        let (head, rest) = self.bytes.split_at(n);
        self.bytes = rest;
        Ok(head)
    }

    fn field(&mut self) -> Result<(u64, Wire<'a>), String> {
        let tag = self.varint()?;
        let number = tag >> 3;
        if number == 0 {
            return Err("protobuf field number 0".into());
        }
        let wire = match tag & 7 {
            0 => Wire::Varint(self.varint()?),
            1 => {
                self.take(8)?;
                Wire::Fixed
            }
            2 => {
                let len = self.varint()?;
                Wire::Bytes(self.take(len)?)
            }
            5 => {
                self.take(4)?;
                Wire::Fixed
            }
            other => return Err(format!("unsupported protobuf wire type {other}")),
        };
        Ok((number, wire))
    }
}

impl<'a> Iterator for Reader<'a> {
    type Item = Result<(u64, Wire<'a>), String>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed || self.bytes.is_empty() {
            return None;
        }
        let item = self.field();
        self.failed = item.is_err();
        Some(item)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    // A tiny encoder, only for building test bodies the way gogo-protobuf does.
    fn varint(mut n: u64, out: &mut Vec<u8>) {
        loop {
            let byte = (n & 0x7f) as u8;
            n >>= 7;
            if n == 0 {
                out.push(byte);
                return;
            }
            out.push(byte | 0x80);
        }
    }
    fn bytes(number: u64, b: &[u8], out: &mut Vec<u8>) {
        varint(number << 3 | 2, out);
        varint(b.len() as u64, out);
        out.extend_from_slice(b);
    }
    fn int(number: u64, n: u64, out: &mut Vec<u8>) {
        varint(number << 3, out);
        varint(n, out);
    }
    fn entry(number: u64, k: &str, v: &str, out: &mut Vec<u8>) {
        let mut e = Vec::new();
        bytes(1, k.as_bytes(), &mut e);
        bytes(2, v.as_bytes(), &mut e);
        bytes(number, &e, out);
    }
    fn envelope(api_version: &str, kind: &str, raw: &[u8]) -> Vec<u8> {
        let mut type_meta = Vec::new();
        bytes(1, api_version.as_bytes(), &mut type_meta);
        bytes(2, kind.as_bytes(), &mut type_meta);
        let mut unknown = Vec::new();
        bytes(1, &type_meta, &mut unknown);
        bytes(2, raw, &mut unknown);
        bytes(3, b"", &mut unknown);
        bytes(4, b"", &mut unknown);
        let mut body = MAGIC.to_vec();
        body.extend(unknown);
        body
    }
    /// ObjectMeta as gogo writes it for `name` and one label: every string field,
    /// generation 0, an empty creationTimestamp.
    fn meta(name: &str, label: Option<(&str, &str)>) -> Vec<u8> {
        let mut m = Vec::new();
        bytes(1, name.as_bytes(), &mut m);
        for n in 2..=6 {
            bytes(n, b"", &mut m);
        }
        int(7, 0, &mut m);
        bytes(8, b"", &mut m);
        if let Some((k, v)) = label {
            entry(11, k, v, &mut m);
        }
        m
    }

    /// What `kubectl create deployment api --image=nginx:1.28 --replicas=2 --port=80` sends.
    fn deployment() -> Vec<u8> {
        let mut port = Vec::new();
        bytes(1, b"", &mut port);
        int(2, 0, &mut port);
        int(3, 80, &mut port);
        bytes(4, b"", &mut port);
        bytes(5, b"", &mut port);
        let mut container = Vec::new();
        bytes(1, b"nginx", &mut container);
        bytes(2, b"nginx:1.28", &mut container);
        bytes(6, &port, &mut container);
        bytes(8, b"", &mut container);
        int(16, 0, &mut container);
        let mut pod_spec = Vec::new();
        bytes(2, &container, &mut pod_spec);
        bytes(3, b"", &mut pod_spec);
        let mut template = Vec::new();
        bytes(1, &meta("", Some(("app", "api"))), &mut template);
        bytes(2, &pod_spec, &mut template);
        let mut selector = Vec::new();
        entry(1, "app", "api", &mut selector);
        let mut spec = Vec::new();
        int(1, 2, &mut spec);
        bytes(2, &selector, &mut spec);
        bytes(3, &template, &mut spec);
        bytes(4, b"", &mut spec);
        int(5, 0, &mut spec);
        int(7, 0, &mut spec);
        let mut status = Vec::new();
        int(1, 0, &mut status);
        let mut d = Vec::new();
        bytes(1, &meta("api", Some(("app", "api"))), &mut d);
        bytes(2, &spec, &mut d);
        bytes(3, &status, &mut d);
        envelope("apps/v1", "Deployment", &d)
    }

    #[test]
    fn a_typed_deployment_decodes_to_the_json_kubectl_would_send() {
        let value = decode(Kind::Deployment, &deployment()).map_err(|s| s.message).unwrap_or_default();
        let expected = json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "api", "creationTimestamp": null, "labels": {"app": "api"}},
            "spec": {
                "replicas": 2,
                "selector": {"matchLabels": {"app": "api"}},
                "template": {
                    "metadata": {"creationTimestamp": null, "labels": {"app": "api"}},
                    "spec": {"containers": [{"name": "nginx", "image": "nginx:1.28", "ports": [{"containerPort": 80}], "resources": {}}]},
                },
                "strategy": {},
            },
            "status": {},
        });
        assert_eq!(value, expected);
    }

    #[test]
    fn services_keep_int_or_string_target_ports_and_ingress_rules_inline_their_value() {
        let mut target = Vec::new();
        int(1, 1, &mut target);
        int(2, 0, &mut target);
        bytes(3, b"http", &mut target);
        let mut port = Vec::new();
        bytes(1, b"80-http", &mut port);
        bytes(2, b"TCP", &mut port);
        int(3, 80, &mut port);
        bytes(4, &target, &mut port);
        int(5, 0, &mut port);
        let mut spec = Vec::new();
        bytes(1, &port, &mut spec);
        bytes(4, b"ClusterIP", &mut spec);
        let mut svc = Vec::new();
        bytes(1, &meta("db", None), &mut svc);
        bytes(2, &spec, &mut svc);
        let value = decode(Kind::Service, &envelope("v1", "Service", &svc)).map_err(|s| s.message).unwrap_or_default();
        assert_eq!(value["spec"]["ports"], json!([{"name": "80-http", "protocol": "TCP", "port": 80, "targetPort": "http"}]));

        let mut service_port = Vec::new();
        int(2, 8080, &mut service_port);
        let mut service = Vec::new();
        bytes(1, b"web", &mut service);
        bytes(2, &service_port, &mut service);
        let mut backend = Vec::new();
        bytes(4, &service, &mut backend);
        let mut path = Vec::new();
        bytes(1, b"/", &mut path);
        bytes(3, b"Prefix", &mut path);
        bytes(2, &backend, &mut path);
        let mut http = Vec::new();
        bytes(1, &path, &mut http);
        let mut rule_value = Vec::new();
        bytes(1, &http, &mut rule_value);
        let mut rule = Vec::new();
        bytes(1, b"a.example", &mut rule);
        bytes(2, &rule_value, &mut rule);
        let mut spec = Vec::new();
        bytes(3, &rule, &mut spec);
        let mut ing = Vec::new();
        bytes(1, &meta("web", None), &mut ing);
        bytes(2, &spec, &mut ing);
        let value =
            decode(Kind::Ingress, &envelope("networking.k8s.io/v1", "Ingress", &ing)).map_err(|s| s.message).unwrap_or_default();
        assert_eq!(
            value["spec"]["rules"],
            json!([{"host": "a.example", "http": {"paths": [{"path": "/", "pathType": "Prefix", "backend": {"service": {"name": "web", "port": {"number": 8080}}}}]}}])
        );
    }

    #[test]
    fn unknown_fields_and_broken_bodies_are_refused_with_a_status() {
        let mut d = Vec::new();
        bytes(1, &meta("x", None), &mut d);
        bytes(99, b"?", &mut d);
        let status = decode(Kind::Deployment, &envelope("apps/v1", "Deployment", &d)).err();
        assert_eq!(status.map(|s| s.code), Some(415));
        assert_eq!(decode(Kind::Pod, &deployment()).err().map(|s| s.code), Some(415));
        assert_eq!(decode(Kind::Deployment, b"{}").err().map(|s| s.code), Some(400));
        // Every truncation of a valid body is an error or a value, never a panic.
        let body = deployment();
        for end in 0..body.len() {
            let _ = decode(Kind::Deployment, body.get(..end).unwrap_or_default());
        }
    }
}
