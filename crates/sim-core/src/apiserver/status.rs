//! API errors as data: `Status` (what the API server answers instead of an object)
//! and `FieldError` (one validation cause), rendered exactly as apimachinery and
//! kubectl render them.
//!
//! Upstream: `k8s.io/apimachinery/pkg/api/errors` (StatusError constructors and their
//! messages), `k8s.io/apimachinery/pkg/util/validation/field/errors.go`
//! (`Error.Error`/`ErrorBody`) and kubectl's `pkg/cmd/util/helpers.go`
//! (`checkErr`, `StandardErrorMessage`, `MultilineError`).

use serde_json::Value;

use crate::resources::{resource_type, Kind};

/// `metav1.StatusReason`: why a request failed. kubectl prints it in parentheses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StatusReason {
    NotFound,
    AlreadyExists,
    Invalid,
    BadRequest,
    Conflict,
    InternalError,
    Forbidden,
    MethodNotAllowed,
    Gone,
    Timeout,
    /// `StatusReasonUnknown` (empty string): kubectl prints `Error from server: ...`.
    Unknown,
}

impl StatusReason {
    /// The wire name (`NotFound`), empty for `Unknown`.
    pub fn as_str(&self) -> &'static str {
        match self {
            StatusReason::NotFound => "NotFound",
            StatusReason::AlreadyExists => "AlreadyExists",
            StatusReason::Invalid => "Invalid",
            StatusReason::BadRequest => "BadRequest",
            StatusReason::Conflict => "Conflict",
            StatusReason::InternalError => "InternalError",
            StatusReason::Forbidden => "Forbidden",
            StatusReason::MethodNotAllowed => "MethodNotAllowed",
            StatusReason::Gone => "Gone",
            StatusReason::Timeout => "Timeout",
            StatusReason::Unknown => "",
        }
    }

    pub fn parse(s: &str) -> StatusReason {
        match s {
            "NotFound" => StatusReason::NotFound,
            "AlreadyExists" => StatusReason::AlreadyExists,
            "Invalid" => StatusReason::Invalid,
            "BadRequest" => StatusReason::BadRequest,
            "Conflict" => StatusReason::Conflict,
            "InternalError" => StatusReason::InternalError,
            "Forbidden" => StatusReason::Forbidden,
            "MethodNotAllowed" => StatusReason::MethodNotAllowed,
            "Gone" => StatusReason::Gone,
            "Timeout" => StatusReason::Timeout,
            _ => StatusReason::Unknown,
        }
    }
}

/// `field.ErrorType`: the kind of one validation failure.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorType {
    NotFound,
    Required,
    Duplicate,
    Invalid,
    NotSupported,
    Forbidden,
    TooLong,
    TooMany,
    Internal,
    TypeInvalid,
}

impl ErrorType {
    /// The Go constant's value (`FieldValueRequired`), as it travels in a Status cause's `reason`.
    pub fn wire_name(&self) -> &'static str {
        match self {
            ErrorType::NotFound => "FieldValueNotFound",
            ErrorType::Required => "FieldValueRequired",
            ErrorType::Duplicate => "FieldValueDuplicate",
            ErrorType::Invalid => "FieldValueInvalid",
            ErrorType::NotSupported => "FieldValueNotSupported",
            ErrorType::Forbidden => "FieldValueForbidden",
            ErrorType::TooLong => "FieldValueTooLong",
            ErrorType::TooMany => "FieldValueTooMany",
            ErrorType::Internal => "InternalError",
            ErrorType::TypeInvalid => "FieldValueTypeInvalid",
        }
    }

    pub fn parse(s: &str) -> Option<ErrorType> {
        [
            ErrorType::NotFound,
            ErrorType::Required,
            ErrorType::Duplicate,
            ErrorType::Invalid,
            ErrorType::NotSupported,
            ErrorType::Forbidden,
            ErrorType::TooLong,
            ErrorType::TooMany,
            ErrorType::Internal,
            ErrorType::TypeInvalid,
        ]
        .into_iter()
        .find(|t| t.wire_name() == s)
    }

    /// `ErrorType.String()`: the human words that start the message.
    pub fn human(&self) -> &'static str {
        match self {
            ErrorType::NotFound => "Not found",
            ErrorType::Required => "Required value",
            ErrorType::Duplicate => "Duplicate value",
            ErrorType::Invalid => "Invalid value",
            ErrorType::NotSupported => "Unsupported value",
            ErrorType::Forbidden => "Forbidden",
            ErrorType::TooLong => "Too long",
            ErrorType::TooMany => "Too many",
            ErrorType::Internal => "Internal error",
            ErrorType::TypeInvalid => "Invalid value",
        }
    }
}

/// One validation failure (`field.Error`).
///
/// `bad_value` is the offending value as JSON; it is printed the way Go's `%v`/`%q`/`%#v`
/// print the Go value it stands for: numbers and bools plain, strings quoted, arrays
/// of strings as `[]string{"a", "b"}`, objects of strings as `map[string]string{"k":"v"}`.
/// Values no JSON shape can stand for (a Go struct such as `core.ServicePort{...}`) are
/// given already rendered as `{"go": "<text>"}`.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldError {
    pub field: String,
    pub error_type: ErrorType,
    pub bad_value: Value,
    pub detail: String,
    /// For `NotSupported`: the valid values (already part of `detail`).
    pub supported: Vec<String>,
}

impl FieldError {
    fn new(field: &str, error_type: ErrorType, bad_value: Value, detail: &str) -> Self {
        FieldError { field: field.to_string(), error_type, bad_value, detail: detail.to_string(), supported: Vec::new() }
    }

    pub fn required(field: &str, detail: &str) -> Self {
        FieldError::new(field, ErrorType::Required, Value::String(String::new()), detail)
    }

    pub fn invalid(field: &str, bad_value: impl Into<Value>, detail: &str) -> Self {
        FieldError::new(field, ErrorType::Invalid, bad_value.into(), detail)
    }

    pub fn duplicate(field: &str, bad_value: impl Into<Value>) -> Self {
        FieldError::new(field, ErrorType::Duplicate, bad_value.into(), "")
    }

    pub fn forbidden(field: &str, detail: &str) -> Self {
        FieldError::new(field, ErrorType::Forbidden, Value::String(String::new()), detail)
    }

    pub fn not_found(field: &str, bad_value: impl Into<Value>) -> Self {
        FieldError::new(field, ErrorType::NotFound, bad_value.into(), "")
    }

    /// `field.NotSupported`: the detail lists the valid values, each `strconv.Quote`d,
    /// joined by `, `.
    pub fn not_supported(field: &str, bad_value: impl Into<Value>, supported: &[&str]) -> Self {
        let quoted: Vec<String> = supported.iter().map(|s| go_quote(s)).collect();
        let detail = if quoted.is_empty() { String::new() } else { format!("supported values: {}", quoted.join(", ")) };
        let mut e = FieldError::new(field, ErrorType::NotSupported, bad_value.into(), &detail);
        e.supported = supported.iter().map(|s| s.to_string()).collect();
        e
    }

    /// `field.TooLong`: in 1.32 the value is omitted and the detail names the limit.
    pub fn too_long(field: &str, max_len: usize) -> Self {
        FieldError::new(field, ErrorType::TooLong, Value::Null, &format!("must have at most {max_len} bytes"))
    }

    pub fn internal(field: &str, detail: &str) -> Self {
        FieldError::new(field, ErrorType::Internal, Value::Null, detail)
    }

    /// A value printed with Go `%#v` that JSON cannot stand for (see the type's doc).
    pub fn go_value(rendered: &str) -> Value {
        serde_json::json!({ "go": rendered })
    }

    /// `field.Error.ErrorBody()`: the message without the field path.
    pub fn body(&self) -> String {
        let mut s = match self.error_type {
            // These types never print the value.
            ErrorType::Required | ErrorType::Forbidden | ErrorType::TooLong | ErrorType::Internal => {
                self.error_type.human().to_string()
            }
            _ => format!("{}: {}", self.error_type.human(), go_format_value(&self.bad_value)),
        };
        if !self.detail.is_empty() {
            s.push_str(": ");
            s.push_str(&self.detail);
        }
        s
    }
}

impl std::fmt::Display for FieldError {
    /// `field.Error.Error()`: `<field>: <body>`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.body())
    }
}

/// `metav1.StatusDetails`. `kind` is what the server puts there: the Kind for Invalid
/// (`Service`), the resource plural for NotFound/AlreadyExists (`services`).
#[derive(Clone, Debug, PartialEq)]
pub struct StatusDetails {
    pub name: String,
    pub group: String,
    pub kind: String,
    pub causes: Vec<FieldError>,
}

/// A failed request: `metav1.Status` with `status: Failure`.
#[derive(Clone, Debug, PartialEq)]
pub struct Status {
    pub code: u16,
    pub reason: StatusReason,
    pub message: String,
    pub details: Option<StatusDetails>,
}

impl Status {
    fn with_details(code: u16, reason: StatusReason, message: String, name: &str, group: &str, kind: &str) -> Status {
        Status {
            code,
            reason,
            message,
            details: Some(StatusDetails {
                name: name.to_string(),
                group: group.to_string(),
                kind: kind.to_string(),
                causes: Vec::new(),
            }),
        }
    }

    /// `errors.NewNotFound`: `services "x" not found`, `deployments.apps "x" not found`.
    pub fn not_found(kind: Kind, name: &str) -> Status {
        let rt = resource_type(kind);
        let message = format!("{} {} not found", rt.qualified_plural(), go_quote(name));
        Status::with_details(404, StatusReason::NotFound, message, name, rt.group, rt.plural)
    }

    /// `errors.NewAlreadyExists`: `services "web" already exists`.
    pub fn already_exists(kind: Kind, name: &str) -> Status {
        let rt = resource_type(kind);
        let message = format!("{} {} already exists", rt.qualified_plural(), go_quote(name));
        Status::with_details(409, StatusReason::AlreadyExists, message, name, rt.group, rt.plural)
    }

    /// `errors.NewConflict` for a stale resourceVersion (the registry's optimistic
    /// concurrency message).
    pub fn conflict_modified(kind: Kind, name: &str) -> Status {
        let rt = resource_type(kind);
        let message = format!(
            "Operation cannot be fulfilled on {} {}: the object has been modified; please apply your changes to the latest version and try again",
            rt.qualified_plural(),
            go_quote(name)
        );
        Status::with_details(409, StatusReason::Conflict, message, name, rt.group, rt.plural)
    }

    /// `errors.NewConflict` with a free-form reason.
    pub fn conflict(kind: Kind, name: &str, why: &str) -> Status {
        let rt = resource_type(kind);
        let message = format!("Operation cannot be fulfilled on {} {}: {}", rt.qualified_plural(), go_quote(name), why);
        Status::with_details(409, StatusReason::Conflict, message, name, rt.group, rt.plural)
    }

    /// `errors.NewInvalid`: the message is `Service "x" is invalid: <aggregate>` and the
    /// details carry one cause per field error (kubectl prints the causes).
    pub fn invalid(kind: Kind, name: &str, errors: Vec<FieldError>) -> Status {
        let rt = resource_type(kind);
        let aggregate = aggregate_message(&errors);
        // errors.NewInvalid writes the GroupKind (`Deployment.apps`) into the message,
        // while the details carry the bare kind that kubectl's "The Deployment ..." uses.
        let group_kind = if rt.group.is_empty() { rt.kind_name.to_string() } else { format!("{}.{}", rt.kind_name, rt.group) };
        let message = format!("{} {} is invalid: {}", group_kind, go_quote(name), aggregate);
        let mut s = Status::with_details(422, StatusReason::Invalid, message, name, rt.group, rt.kind_name);
        if let Some(d) = s.details.as_mut() {
            d.causes = errors;
        }
        s
    }

    /// `errors.NewBadRequest`.
    pub fn bad_request(message: &str) -> Status {
        Status { code: 400, reason: StatusReason::BadRequest, message: message.to_string(), details: None }
    }

    /// `errors.NewInternalError`: `Internal error occurred: <err>`.
    pub fn internal_error(err: &str) -> Status {
        Status {
            code: 500,
            reason: StatusReason::InternalError,
            message: format!("Internal error occurred: {err}"),
            details: Some(StatusDetails { name: String::new(), group: String::new(), kind: String::new(), causes: vec![] }),
        }
    }

    /// `errors.NewForbidden`: `<resource> "<name>" is forbidden: <why>`.
    pub fn forbidden(kind: Kind, name: &str, why: &str) -> Status {
        let rt = resource_type(kind);
        let message = format!("{} {} is forbidden: {}", rt.qualified_plural(), go_quote(name), why);
        Status::with_details(403, StatusReason::Forbidden, message, name, rt.group, rt.plural)
    }

    /// `errors.NewMethodNotSupported`.
    pub fn method_not_supported(kind: Kind, action: &str) -> Status {
        let rt = resource_type(kind);
        let message = format!("{} is not supported on resources of kind {}", action, go_quote(&rt.qualified_plural()));
        Status::with_details(405, StatusReason::MethodNotAllowed, message, "", rt.group, rt.plural)
    }

    /// The causes of an Invalid status (empty for other statuses).
    pub fn causes(&self) -> &[FieldError] {
        self.details.as_ref().map(|d| d.causes.as_slice()).unwrap_or(&[])
    }

    /// kubectl's `cmdutil.AddSourceToErr`: prefixes the message with
    /// `error when <verb> "<source>": ` (verb `creating`, `deleting`, `replacing`,
    /// `applying`...; source a file name or `STDIN`). Invalid errors are printed from
    /// their details, so for them the prefix never shows, as with real kubectl.
    pub fn with_source(mut self, verb: &str, source: &str) -> Status {
        self.message = format!("error when {} {}: {}", verb, go_quote(source), self.message);
        self
    }

    /// How kubectl's `checkErr` prints this error (no trailing newline):
    /// `Error from server (NotFound): services "x" not found`, or for Invalid
    /// `The Service "x" is invalid: <field>: <msg>` (one cause) or the header with a
    /// trailing space and one `* <field>: <msg>` line per distinct cause.
    pub fn kubectl_message(&self) -> String {
        if self.reason == StatusReason::Invalid {
            let Some(details) = &self.details else {
                return if self.message.is_empty() {
                    "The request is invalid".to_string()
                } else {
                    format!("The request is invalid: {}", self.message)
                };
            };
            let head = if !details.kind.is_empty() || !details.name.is_empty() {
                format!("The {} {} is invalid", details.kind, go_quote(&details.name))
            } else {
                "The request is invalid".to_string()
            };
            if details.causes.is_empty() {
                return head;
            }
            // statusCausesToAggrError + utilerrors.NewAggregate: one error per cause,
            // duplicates (same text) removed by the aggregate's flattening/dedup.
            let mut lines: Vec<String> = Vec::new();
            for c in &details.causes {
                let line = format!("{}: {}", c.field, c.body());
                if !lines.contains(&line) {
                    lines.push(line);
                }
            }
            if lines.len() == 1 {
                return format!("{head}: {}", lines[0]);
            }
            let mut s = format!("{head}: \n");
            let n = lines.len();
            for (i, l) in lines.iter().enumerate() {
                s.push_str("* ");
                s.push_str(l);
                if i + 1 < n {
                    s.push('\n');
                }
            }
            return s;
        }
        match self.reason {
            StatusReason::Unknown => format!("Error from server: {}", self.message),
            r => format!("Error from server ({}): {}", r.as_str(), self.message),
        }
    }

    /// The Status as the API server serializes it (`kubectl ... -v` or `-o json` of an error).
    pub fn to_json(&self) -> Value {
        let mut v = serde_json::json!({
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "code": self.code,
        });
        if self.reason != StatusReason::Unknown {
            v["reason"] = Value::String(self.reason.as_str().to_string());
        }
        if let Some(d) = &self.details {
            let mut dj = serde_json::Map::new();
            if !d.name.is_empty() {
                dj.insert("name".into(), Value::String(d.name.clone()));
            }
            if !d.group.is_empty() {
                dj.insert("group".into(), Value::String(d.group.clone()));
            }
            if !d.kind.is_empty() {
                dj.insert("kind".into(), Value::String(d.kind.clone()));
            }
            if !d.causes.is_empty() {
                let causes: Vec<Value> = d
                    .causes
                    .iter()
                    .map(|c| serde_json::json!({"reason": c.error_type.wire_name(), "message": c.body(), "field": c.field}))
                    .collect();
                dj.insert("causes".into(), Value::Array(causes));
            }
            v["details"] = Value::Object(dj);
        }
        v
    }

    /// Reads a Status from its JSON form (the inverse of [`Status::to_json`]); causes
    /// come back with their rendered message as `detail` and no value.
    pub fn from_json(v: &Value) -> Option<Status> {
        let obj = v.as_object()?;
        let code = obj.get("code").and_then(Value::as_u64).unwrap_or(0).min(u16::MAX as u64) as u16;
        let reason = StatusReason::parse(obj.get("reason").and_then(Value::as_str).unwrap_or(""));
        let message = obj.get("message").and_then(Value::as_str).unwrap_or("").to_string();
        let details = obj.get("details").and_then(Value::as_object).map(|d| {
            let s = |k: &str| d.get(k).and_then(Value::as_str).unwrap_or("").to_string();
            let causes = d
                .get("causes")
                .and_then(Value::as_array)
                .map(|cs| cs.iter().map(cause_from_json).collect())
                .unwrap_or_default();
            StatusDetails { name: s("name"), group: s("group"), kind: s("kind"), causes }
        });
        let status = Status { code, reason, message, details };
        Some(status)
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// A wire cause (`{reason, message, field}`) as a FieldError whose `body()` gives the
/// server's message back: the part after the type's words goes in `detail` for types
/// that print no value, in a pre-rendered `{"go": ...}` value for the others.
fn cause_from_json(c: &Value) -> FieldError {
    let f = |k: &str| c.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    let message = f("message");
    let error_type = ErrorType::parse(&f("reason")).unwrap_or(ErrorType::Internal);
    let rest = message.strip_prefix(error_type.human());
    match (error_type, rest) {
        (ErrorType::Required | ErrorType::Forbidden | ErrorType::TooLong | ErrorType::Internal, Some(rest)) => {
            let detail = rest.strip_prefix(": ").unwrap_or(rest);
            FieldError::new(&f("field"), error_type, Value::Null, detail)
        }
        (_, Some(rest)) if rest.starts_with(": ") => {
            FieldError::new(&f("field"), error_type, FieldError::go_value(&rest[2..]), "")
        }
        // A message that does not start with its type's words: shown as an internal error.
        _ => FieldError::new(&f("field"), ErrorType::Internal, Value::Null, &message),
    }
}

/// Where the simulated kubeconfig points kubectl (`server: https://127.0.0.1:6443`).
pub const API_SERVER_HOST: &str = "127.0.0.1:6443";

/// Errors kubectl finds on its own, without a Status from the server, printed by the
/// same `checkErr`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KubectlError {
    /// `meta.NoResourceMatchError` from discovery: `kubectl get foo`.
    NoResourceType { resource: String },
    /// A `url.Error` wrapping "connection refused".
    ConnectionRefused { host: String },
}

impl KubectlError {
    pub fn kubectl_message(&self) -> String {
        match self {
            KubectlError::NoResourceType { resource } => {
                format!("error: the server doesn't have a resource type {}", go_quote(resource))
            }
            KubectlError::ConnectionRefused { host } => {
                format!("The connection to the server {host} was refused - did you specify the right host or port?")
            }
        }
    }
}

/// `utilerrors.NewAggregate(errs).Error()` as `ToAggregate` builds it: one error as
/// itself, several as `[a, b]` (deduplicated).
fn aggregate_message(errors: &[FieldError]) -> String {
    let mut msgs: Vec<String> = Vec::new();
    for e in errors {
        let m = e.to_string();
        if !msgs.contains(&m) {
            msgs.push(m);
        }
    }
    match msgs.len() {
        0 => String::new(),
        1 => msgs.remove(0),
        _ => format!("[{}]", msgs.join(", ")),
    }
}

/// Go's `strconv.Quote`: double quotes, with `\"`, `\\` and control characters escaped.
pub fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Prints a JSON value the way Go's `fmt` prints the Go value behind it in
/// `ErrorBody` (`%v` for numbers and bools, `%q` for strings, `%#v` otherwise).
pub fn go_format_value(v: &Value) -> String {
    match v {
        Value::Null => "null".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => go_quote(s),
        Value::Array(items) => {
            if items.iter().all(Value::is_string) {
                let parts: Vec<String> = items.iter().map(|i| go_quote(i.as_str().unwrap_or(""))).collect();
                format!("[]string{{{}}}", parts.join(", "))
            } else if items.iter().all(|i| i.is_i64() || i.is_u64()) {
                let parts: Vec<String> = items.iter().map(|i| i.to_string()).collect();
                format!("[]int32{{{}}}", parts.join(", "))
            } else {
                let parts: Vec<String> = items.iter().map(go_format_value).collect();
                format!("[]interface {{}}{{{}}}", parts.join(", "))
            }
        }
        Value::Object(map) => {
            if map.len() == 1 {
                if let Some(Value::String(raw)) = map.get("go") {
                    return raw.clone();
                }
            }
            // Go's fmt prints map keys sorted; serde_json's map is ordered by key too.
            let parts: Vec<String> = map
                .iter()
                .map(|(k, val)| match val {
                    Value::String(s) => format!("{}:{}", go_quote(k), go_quote(s)),
                    other => format!("{}:{}", go_quote(k), go_format_value(other)),
                })
                .collect();
            let all_strings = map.values().all(Value::is_string);
            let ty = if all_strings { "map[string]string" } else { "map[string]interface {}" };
            format!("{ty}{{{}}}", parts.join(", "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn field_error_bodies_match_apimachinery() {
        assert_eq!(FieldError::required("spec.ports", "").to_string(), "spec.ports: Required value");
        assert_eq!(
            FieldError::invalid("spec.ports[0].nodePort", 30080, "provided port is already allocated").to_string(),
            "spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated"
        );
        assert_eq!(
            FieldError::not_supported("spec.type", "Foo", &["ClusterIP", "ExternalName"]).to_string(),
            "spec.type: Unsupported value: \"Foo\": supported values: \"ClusterIP\", \"ExternalName\""
        );
        assert_eq!(
            FieldError::invalid("spec.clusterIPs[0]", json!(["10.96.0.10"]), "x").to_string(),
            "spec.clusterIPs[0]: Invalid value: []string{\"10.96.0.10\"}: x"
        );
        assert_eq!(
            FieldError::invalid("spec.template.metadata.labels", json!({"app": "x", "b": "y"}), "d").to_string(),
            "spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"x\", \"b\":\"y\"}: d"
        );
        assert_eq!(FieldError::forbidden("a", "no").to_string(), "a: Forbidden: no");
        assert_eq!(FieldError::duplicate("a", "p").to_string(), "a: Duplicate value: \"p\"");
    }

    #[test]
    fn kubectl_prints_single_and_multiple_causes() {
        let one = Status::invalid(Kind::Service, "web", vec![FieldError::required("spec.ports", "")]);
        assert_eq!(one.kubectl_message(), "The Service \"web\" is invalid: spec.ports: Required value");
        assert_eq!(one.message, "Service \"web\" is invalid: spec.ports: Required value");
        let two = Status::invalid(
            Kind::Service,
            "web",
            vec![
                FieldError::invalid("spec.ports[0].port", 70000, "must be between 1 and 65535, inclusive"),
                FieldError::required("spec.ports[1].name", ""),
            ],
        );
        assert_eq!(
            two.kubectl_message(),
            "The Service \"web\" is invalid: \n* spec.ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive\n* spec.ports[1].name: Required value"
        );
    }

    #[test]
    fn kubectl_prints_reason_and_source() {
        let nf = Status::not_found(Kind::Deployment, "x");
        assert_eq!(nf.kubectl_message(), "Error from server (NotFound): deployments.apps \"x\" not found");
        let ae = Status::already_exists(Kind::Service, "web5").with_source("creating", "STDIN");
        assert_eq!(
            ae.kubectl_message(),
            "Error from server (AlreadyExists): error when creating \"STDIN\": services \"web5\" already exists"
        );
        let inv = Status::invalid(Kind::Service, "w", vec![FieldError::required("spec.ports", "")]).with_source("creating", "STDIN");
        assert_eq!(inv.kubectl_message(), "The Service \"w\" is invalid: spec.ports: Required value");
    }

    #[test]
    fn status_json_round_trips_for_kubectl() {
        let s = Status::invalid(Kind::Service, "web", vec![FieldError::required("spec.ports", ""), FieldError::forbidden("a", "b")]);
        let back = Status::from_json(&s.to_json());
        assert_eq!(back.map(|b| b.kubectl_message()), Some(s.kubectl_message()));
    }
}
