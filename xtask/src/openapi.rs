//! `cargo xtask openapi`: writes the OpenAPI v3 component schemas of the course's
//! kinds (`crates/sim-core/src/kubectl/explain_schemas.json`), the data behind
//! `kubectl explain` and the schemas `kubesim serve` publishes.
//!
//! The descriptions come from k8s-openapi's `v1_32` schemars output, which carries
//! Kubernetes 1.32's descriptions with the enum parts removed; `openapi_enums` puts
//! the published spec's `enum` arrays and "Possible enum values:" paragraphs back.
//! Everything else is shaped the way kube-apiserver's OpenAPI v3
//! documents are shaped, because kubectl's explain template reads that shape:
//! - a field that names another type is `{"allOf": [{"$ref": ...}], "description"}`
//!   (the apiserver wraps references that carry a description in `allOf`);
//! - `Quantity` and `IntOrString` have no `type` but a `oneOf`, so explain calls them
//!   `<Quantity>` and `<IntOrString>`; `Time` is a `string` with format `date-time`;
//! - each kind's schema lists its `x-kubernetes-group-version-kind`, which explain
//!   matches against the GVK of the resource's REST operations.
//! Only the closure of the course's kinds is kept: this file goes into the wasm.

use crate::Failure;
use k8s_openapi::schemars::gen::{SchemaGenerator, SchemaSettings};
use k8s_openapi::schemars::JsonSchema;
use k8s_openapi::Resource;
use serde_json::{json, Map, Value};
use std::path::Path;

/// Where the generated schemas live, relative to the repository root.
pub const OUTPUT: &str = "crates/sim-core/src/kubectl/explain_schemas.json";

/// One root kind: its schema's name in the document and its GroupVersionKind.
fn root<T: JsonSchema + Resource>(generator: &mut SchemaGenerator, roots: &mut Vec<(String, Value)>) {
    let _ = generator.subschema_for::<T>();
    roots.push((T::schema_name(), json!({"group": T::GROUP, "kind": T::KIND, "version": T::VERSION})));
}

/// The component schemas, as the JSON text committed to the repository.
pub fn generate(repo: &Path) -> Result<String, Failure> {
    use k8s_openapi::api::{apps::v1 as apps, core::v1 as core, discovery::v1 as discovery, networking::v1 as networking};
    let mut settings = SchemaSettings::openapi3();
    settings.definitions_path = "#/components/schemas/".into();
    let mut generator = SchemaGenerator::new(settings);
    let mut roots = Vec::new();
    root::<core::ConfigMap>(&mut generator, &mut roots);
    root::<core::Endpoints>(&mut generator, &mut roots);
    root::<core::Event>(&mut generator, &mut roots);
    root::<core::Namespace>(&mut generator, &mut roots);
    root::<core::Node>(&mut generator, &mut roots);
    root::<core::Pod>(&mut generator, &mut roots);
    root::<core::Service>(&mut generator, &mut roots);
    root::<apps::Deployment>(&mut generator, &mut roots);
    root::<apps::ReplicaSet>(&mut generator, &mut roots);
    root::<discovery::EndpointSlice>(&mut generator, &mut roots);
    root::<networking::Ingress>(&mut generator, &mut roots);
    root::<networking::IngressClass>(&mut generator, &mut roots);

    let mut schemas = Map::new();
    for (name, schema) in generator.definitions() {
        let mut value = serde_json::to_value(schema).map_err(|e| Failure(format!("schema {name}: {e}")))?;
        reshape(&mut value, true);
        schemas.insert(name.clone(), value);
    }
    for (name, gvk) in roots {
        if let Some(Value::Object(schema)) = schemas.get_mut(&name) {
            schema.insert("x-kubernetes-group-version-kind".into(), json!([gvk]));
            // k8s-openapi makes `metadata` a required Rust field; the API's schemas
            // require it only where the Go field lacks `omitempty` (core/v1 Event).
            if gvk["kind"] != "Event" {
                unrequire(schema, "metadata");
            }
        }
    }
    // k8s-openapi turns fields with a `default: ""` into required Rust fields; the
    // published schemas of these reference types list no such requirement.
    for name in [
        "ConfigMapEnvSource",
        "ConfigMapKeySelector",
        "ConfigMapProjection",
        "ConfigMapVolumeSource",
        "LocalObjectReference",
        "SecretEnvSource",
        "SecretKeySelector",
        "SecretProjection",
    ] {
        if let Some(Value::Object(schema)) = schemas.get_mut(&format!("io.k8s.api.core.v1.{name}")) {
            unrequire(schema, "name");
        }
    }
    // kube-apiserver's own shapes for the two types with more than one JSON form.
    if let Some(Value::Object(q)) = schemas.get_mut("io.k8s.apimachinery.pkg.api.resource.Quantity") {
        q.remove("type");
        q.insert("oneOf".into(), json!([{"type": "string"}, {"type": "number"}]));
    }
    if let Some(Value::Object(i)) = schemas.get_mut("io.k8s.apimachinery.pkg.util.intstr.IntOrString") {
        i.remove("x-kubernetes-int-or-string");
        i.insert("format".into(), json!("int-or-string"));
        i.insert("oneOf".into(), json!([{"type": "integer"}, {"type": "string"}]));
    }
    // The enum facts k8s-openapi leaves out (see openapi_enums.rs).
    crate::openapi_enums::apply(repo, &mut schemas)?;
    // One schema per line keeps diffs of regenerated data readable.
    let mut text = String::from("{\n");
    let count = schemas.len();
    for (index, (name, schema)) in schemas.iter().enumerate() {
        let line = serde_json::to_string(schema).map_err(|e| Failure(e.to_string()))?;
        text.push_str(&format!("{}:{}{}\n", Value::String(name.clone()), line, if index + 1 < count { "," } else { "" }));
    }
    text.push_str("}\n");
    Ok(text)
}

/// Drops `field` from a schema's `required` list (and the list, once empty).
fn unrequire(schema: &mut Map<String, Value>, field: &str) {
    if let Some(Value::Array(required)) = schema.get_mut("required") {
        required.retain(|r| r != field);
        if required.is_empty() {
            schema.remove("required");
        }
    }
}

/// A reference with a description beside it becomes `allOf: [{$ref}]` plus the
/// description, as in kube-apiserver's v3 documents; array items and map values
/// that are references are wrapped the same way. Recurses through properties.
fn reshape(schema: &mut Value, top: bool) {
    let Value::Object(object) = schema else { return };
    if !top {
        if let Some(reference) = object.remove("$ref") {
            object.insert("allOf".into(), json!([{ "$ref": reference }]));
        }
    }
    if let Some(Value::Object(properties)) = object.get_mut("properties") {
        for (_, property) in properties.iter_mut() {
            reshape(property, false);
        }
    }
    for key in ["items", "additionalProperties"] {
        if let Some(inner @ Value::Object(_)) = object.get_mut(key) {
            reshape(inner, false);
        }
    }
}

/// `cargo xtask openapi`: regenerate the file; `--check`: fail if it is stale.
pub fn openapi(root: &Path, check: bool) -> Result<(), Failure> {
    let text = generate(root)?;
    let path = root.join(OUTPUT);
    if check {
        let committed = std::fs::read_to_string(&path).map_err(|e| Failure(format!("{}: {e}", path.display())))?;
        if committed != text {
            return Err(Failure(format!("{OUTPUT} is stale: run `cargo xtask openapi`")));
        }
        return Ok(());
    }
    std::fs::write(&path, text).map_err(|e| Failure(format!("{}: {e}", path.display())))?;
    println!("wrote {OUTPUT}");
    Ok(())
}
