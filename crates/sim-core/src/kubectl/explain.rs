//! `kubectl explain`: the documentation of a resource or one of its fields, rendered
//! from OpenAPI v3 component schemas the way kubectl 1.32's explain renders them
//! (`kubectl/pkg/explain/v2` and its `templates/plaintext.tmpl`).
//!
//! The schemas (`explain_schemas.json`, written by `cargo xtask openapi` from
//! k8s-openapi's 1.32 types) are the closure of the course's kinds, with Kubernetes
//! 1.32's descriptions. k8s-openapi drops the enum parts of the published spec; the
//! generator puts them back (`enum` and the "Possible enum values" paragraph, from
//! `xtask/data/openapi-enums.json`, extracted from k8s.io/api v0.32.4's Go sources the
//! way kube-openapi's generator builds them), so explain shows the ENUM block and
//! the paragraph as real kubectl does. `kubesim serve` publishes the same schemas ([`schemas_for_group_version`]), so
//! real kubectl renders exactly what this module renders.
//!
//! The JSON is parsed on the first `explain` (or the first OpenAPI request), not at
//! start-up.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use serde_json::{Map, Value};

use crate::resources::{self, ResourceType, RESOURCE_TYPES};
use crate::simulator::Output;

/// The component schemas, one line per schema, keyed by their OpenAPI names
/// (`io.k8s.api.core.v1.Pod`).
const SCHEMAS_JSON: &str = include_str!("explain_schemas.json");

/// Where a `$ref` points inside an OpenAPI v3 document.
const REF_PREFIX: &str = "#/components/schemas/";

/// Every component schema, parsed once.
pub fn component_schemas() -> &'static Map<String, Value> {
    static SCHEMAS: OnceLock<Map<String, Value>> = OnceLock::new();
    SCHEMAS.get_or_init(|| serde_json::from_str(SCHEMAS_JSON).unwrap_or_default())
}

/// The schemas a group version's OpenAPI v3 document carries: its kinds and every
/// schema they reference, as kube-apiserver publishes one document per group version.
pub fn schemas_for_group_version(group: &str, version: &str) -> Map<String, Value> {
    let all = component_schemas();
    let mut pending: Vec<String> = all
        .iter()
        .filter(|(_, schema)| {
            gvks(schema).iter().any(|(g, v, _)| g == group && v == version)
        })
        .map(|(name, _)| name.clone())
        .collect();
    let mut seen: BTreeSet<String> = BTreeSet::new();
    while let Some(name) = pending.pop() {
        if !seen.insert(name.clone()) {
            continue;
        }
        if let Some(schema) = all.get(&name) {
            collect_refs(schema, &mut pending);
        }
    }
    seen.into_iter().filter_map(|name| all.get(&name).map(|s| (name, s.clone()))).collect()
}

/// The `x-kubernetes-group-version-kind` entries of a schema as (group, version, kind).
fn gvks(schema: &Value) -> Vec<(String, String, String)> {
    let Some(Value::Array(list)) = schema.get("x-kubernetes-group-version-kind") else { return Vec::new() };
    list.iter()
        .map(|gvk| {
            let field = |k: &str| gvk.get(k).and_then(Value::as_str).unwrap_or_default().to_string();
            (field("group"), field("version"), field("kind"))
        })
        .collect()
}

fn collect_refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                if key == "$ref" {
                    if let Some(name) = inner.as_str().and_then(|r| r.strip_prefix(REF_PREFIX)) {
                        out.push(name.to_string());
                    }
                } else {
                    collect_refs(inner, out);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}

/// `kubectl explain TYPE[.FIELD...]`.
pub fn run(args: &[String], out: &mut Output) -> i32 {
    let flags = match super::flags::parse_or_report("explain", args, out) {
        Ok(f) => f,
        Err(code) => return code,
    };
    // Validate(): exactly one argument.
    let target = match flags.positional.as_slice() {
        [] => {
            out.err("error: You must specify the type of resource to explain. Use \"kubectl api-resources\" for a complete list of supported resources.\n");
            return 1;
        }
        [one] => one.clone(),
        _ => {
            out.err("error: We accept only this format: explain RESOURCE\n");
            return 1;
        }
    };
    match explain(&target, &flags.string("api-version"), flags.bool("recursive"), &flags.string("output")) {
        Ok(text) => {
            out.out(&text);
            0
        }
        Err(Refusal::Error(message)) => {
            out.err(&format!("error: {message}\n"));
            1
        }
        Err(Refusal::AfterHeader { header, message }) => {
            out.out(&header);
            out.err(&format!("error: {message}\n"));
            1
        }
        Err(Refusal::Bare(message)) => {
            out.err(&format!("{message}\n"));
            1
        }
        Err(Refusal::NotSimulated(what)) => {
            out.err(&format!("kubesim: '{what}' is not simulated\n"));
            1
        }
    }
}

enum Refusal {
    /// kubectl's error, without the `error: ` that cmdutil.CheckErr adds.
    Error(String),
    /// An error thrown by the template after it wrote the KIND/VERSION header, which
    /// kubectl has already printed by then.
    AfterHeader { header: String, message: String },
    /// An error kubectl prints as it is: the RESTMapper's "doesn't have a resource
    /// type" reaches CheckErr without the `error: ` prefix.
    Bare(String),
    NotSimulated(String),
}

/// The resource and field path of `svc.spec.ports`, and the rendered text.
fn explain(target: &str, api_version: &str, recursive: bool, output: &str) -> Result<String, Refusal> {
    // jsonPathParse trims one trailing period, then reads `{.<target>}`: only plain
    // field names are simulated.
    let trimmed = target.strip_suffix('.').unwrap_or(target);
    let plain = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '/'));
    let segments: Vec<&str> = trimmed.split('.').collect();
    if !segments.iter().all(|s| plain(s)) {
        return Err(Refusal::NotSimulated(format!("kubectl explain {target}")));
    }
    let Some((resource, fields)) = segments.split_first() else {
        return Err(Refusal::NotSimulated(format!("kubectl explain {target}")));
    };
    let Some(rt) = resources::lookup(resource) else {
        return Err(Refusal::Bare(format!("the server doesn't have a resource type \"{resource}\"")));
    };
    let mut fields: Vec<String> = fields.iter().map(|s| s.to_string()).collect();
    // SplitAndParseResourceRequestWithMatchingPrefix (no --api-version): when the
    // argument starts with the resource's group-qualified name (`deployments.apps`),
    // the group is not a field.
    if api_version.is_empty() {
        let qualified = rt.qualified_plural();
        if !rt.group.is_empty() {
            if let Some(rest) = trimmed.strip_prefix(&qualified) {
                // The rest is parsed again as `{.<rest>}` and its first node dropped:
                // for `.spec` that node is the `..` the leading period makes.
                fields = match rest.strip_prefix('.') {
                    Some(after) => after.split('.').map(str::to_string).collect(),
                    None => rest.split('.').skip(1).map(str::to_string).collect(),
                };
                fields.retain(|f| !f.is_empty());
            }
        }
    }
    let (mut group, mut version) = (rt.group.to_string(), rt.version.to_string());
    // kubectl's old renderer reads OpenAPI v2, which kubesim does not have.
    if output == "plaintext-openapiv2" {
        return Err(Refusal::NotSimulated("kubectl explain --output=plaintext-openapiv2".to_string()));
    }
    if !api_version.is_empty() {
        // schema.ParseGroupVersion: `v1`, `apps/v1`; more than one slash is an error.
        match api_version.split('/').collect::<Vec<_>>().as_slice() {
            [v] => (group, version) = (String::new(), v.to_string()),
            [g, v] => (group, version) = (g.to_string(), v.to_string()),
            _ => return Err(Refusal::Error(format!("unexpected GroupVersion string: {api_version}"))),
        }
    }
    let gvr = format!("{group}/{version}, Resource={}", rt.plural);
    let served = RESOURCE_TYPES.iter().any(|r| r.group == group && r.version == version);
    if !served {
        return Err(Refusal::Error(format!("couldn't find resource for \"{gvr}\"")));
    }
    // The generator knows one template, "plaintext"; any other name fails when the
    // document is about to be rendered.
    if output != "plaintext" {
        return Err(Refusal::Error(format!("unrecognized format: {output}")));
    }
    // The template finds the GVK on the REST operations of the resource's paths in
    // this group version's document.
    let Some(found) = RESOURCE_TYPES.iter().find(|r| r.group == group && r.version == version && r.plural == rt.plural) else {
        return Err(Refusal::Error(format!("GVR ({gvr}) not found in OpenAPI schema")));
    };
    let document = schemas_for_group_version(&group, &version);
    render(found, &document, &fields, recursive)
}

/// The template's body once the GVK is known: the header, then the schema's output.
fn render(rt: &ResourceType, document: &Map<String, Value>, fields: &[String], recursive: bool) -> Result<String, Refusal> {
    let mut text = String::new();
    if !rt.group.is_empty() {
        text.push_str(&format!("GROUP:      {}\n", rt.group));
    }
    text.push_str(&format!("KIND:       {}\nVERSION:    {}\n\n", rt.kind_name, rt.version));
    // "schema": the first component (in name order) whose GVK list holds this GVK.
    let Some(schema) = document.values().find(|s| gvks(s).iter().any(|(g, v, k)| g == rt.group && v == rt.version && k == rt.kind_name)) else {
        let message = format!("GVK map[group:{} kind:{} version:{}] not found in OpenAPI schema", rt.group, rt.kind_name, rt.version);
        return Err(Refusal::AfterHeader { header: text, message });
    };
    let renderer = Renderer { document, recursive };
    let body = renderer.output(schema, fields, &[]);
    if body.is_empty() {
        let last = fields.last().map(String::as_str).unwrap_or_default();
        return Err(Refusal::AfterHeader { header: text, message: format!("field \"{last}\" does not exist") });
    }
    text.push_str(&body);
    text.push('\n');
    Ok(text)
}

/// The plaintext template's sub-templates over one document.
struct Renderer<'a> {
    document: &'a Map<String, Value>,
    recursive: bool,
}

/// Go templates' truth: a missing value, `false`, `0`, `""` and empty lists and maps
/// are false.
fn truthy(value: Option<&Value>) -> bool {
    match value {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(Value::Number(n)) => n.as_f64().is_some_and(|f| f != 0.0),
        Some(Value::String(s)) => !s.is_empty(),
        Some(Value::Array(a)) => !a.is_empty(),
        Some(Value::Object(o)) => !o.is_empty(),
    }
}

/// `additionalProperties` when it is a schema (not `true`/`false`) worth following.
fn additional_properties(schema: &Value) -> Option<&Value> {
    schema.get("additionalProperties").filter(|v| v.is_object() && truthy(Some(v)))
}

fn ref_string(schema: &Value) -> &str {
    schema.get("$ref").and_then(Value::as_str).unwrap_or_default()
}

impl<'a> Renderer<'a> {
    /// `resolveRef`: a `#/...` fragment followed through the document's objects.
    fn resolve_ref(&self, reference: &str) -> Option<&'a Value> {
        let name = reference.strip_prefix(REF_PREFIX)?;
        self.document.get(name).filter(|v| truthy(Some(v)))
    }

    /// `or (resolveRef $ref) $schema`.
    fn resolved<'s>(&self, schema: &'s Value) -> &'s Value
    where
        'a: 's,
    {
        self.resolve_ref(ref_string(schema)).unwrap_or(schema)
    }

    /// The "output" template: follows the field path, then prints DESCRIPTION and
    /// FIELDS; prints nothing when the path leads nowhere.
    fn output(&self, schema: &Value, path: &[String], history: &[String]) -> String {
        let reference = ref_string(schema);
        let mut next_history = history.to_vec();
        next_history.push(reference.to_string());
        let resolved = self.resolved(schema);
        let Some((first, rest)) = path.split_first() else {
            let mut text = String::from("DESCRIPTION:\n");
            let mut description = String::new();
            self.description(resolved, &mut description);
            if description.is_empty() {
                description.push_str("<empty>");
            }
            text.push_str(&indent(4, &wrap(76, &description)));
            text.push('\n');
            let mut fields = String::new();
            self.field_list(resolved, 1, &[], &mut fields);
            if !fields.is_empty() {
                text.push_str("FIELDS:\n");
                text.push_str(&fields);
            }
            return text;
        };
        if !reference.is_empty() && history.iter().any(|h| h == reference) {
            // A cycle: stop.
            return String::new();
        }
        if let Some(subschema) = resolved.get("properties").and_then(|p| p.get(first.as_str())).filter(|v| truthy(Some(v))) {
            let mut text = String::new();
            if rest.is_empty() {
                text.push_str(&format!("FIELD: {first} <{}>\n", self.type_guess(subschema)));
                text.push_str(&self.extract_enum(subschema, true, -1, 0));
                text.push_str("\n\n");
            }
            text.push_str(&self.output(subschema, rest, &[]));
            return text;
        }
        if let Some(items) = resolved.get("items").filter(|v| truthy(Some(v))) {
            return self.output(items, path, &next_history);
        }
        if let Some(values) = additional_properties(resolved) {
            return self.output(values, path, &next_history);
        }
        if let Some(Value::Array(all_of)) = resolved.get("allOf") {
            for alternative in all_of {
                let text = self.output(alternative, path, &next_history);
                if !text.is_empty() {
                    return text;
                }
            }
        }
        String::new()
    }

    /// The "fieldList" template: every property (sorted, as Go templates range over
    /// maps), and with `--recursive` each property's own fields one level deeper.
    fn field_list(&self, schema: &Value, level: usize, history: &[String], out: &mut String) {
        let reference = ref_string(schema);
        if !reference.is_empty() && history.iter().any(|h| h == reference) {
            return;
        }
        let mut next_history = history.to_vec();
        next_history.push(reference.to_string());
        let resolved = self.resolved(schema);
        if let Some(Value::Object(properties)) = resolved.get("properties") {
            for (name, property) in properties {
                self.field_detail(resolved, name, property, level, out);
                if self.recursive {
                    self.field_list(property, level + 1, &next_history, out);
                }
            }
        }
        if let Some(Value::Array(all_of)) = resolved.get("allOf") {
            for alternative in all_of {
                self.field_list(alternative, level, &next_history, out);
            }
        }
        if let Some(items) = resolved.get("items").filter(|v| truthy(Some(v))) {
            self.field_list(items, level, &next_history, out);
        }
        if let Some(values) = additional_properties(resolved) {
            self.field_list(values, level, &next_history, out);
        }
    }

    /// The "fieldDetail" template: `name<TAB><type> -required-`, then (not
    /// recursive) the description wrapped two columns deeper.
    fn field_detail(&self, parent: &Value, name: &str, field: &Value, level: usize, out: &mut String) {
        let indent_amount = level * 2;
        out.push_str(&" ".repeat(indent_amount));
        out.push_str(name);
        out.push_str(&format!("\t<{}>", self.type_guess(field)));
        let required = parent.get("required").and_then(Value::as_array).is_some_and(|r| r.iter().any(|n| n.as_str() == Some(name)));
        if required {
            out.push_str(" -required-");
        }
        out.push_str(&self.extract_enum(field, false, 4, indent_amount));
        out.push('\n');
        if !self.recursive {
            let description = field.get("description").and_then(Value::as_str).filter(|d| !d.is_empty()).unwrap_or("<no description>");
            out.push_str(&indent(indent_amount + 2, &wrap(78usize.saturating_sub(indent_amount), description)));
            out.push_str("\n\n");
        }
    }

    /// The "description" template: the schema's description, then those of its
    /// `allOf` alternatives, items and map values, one per line.
    fn description(&self, schema: &Value, out: &mut String) {
        let resolved = self.resolved(schema);
        if !truthy(Some(resolved)) {
            return;
        }
        if let Some(text) = resolved.get("description").and_then(Value::as_str).filter(|d| !d.is_empty()) {
            out.push_str(text);
            out.push('\n');
        }
        if let Some(Value::Array(all_of)) = resolved.get("allOf") {
            for alternative in all_of {
                self.description(alternative, out);
            }
        }
        if let Some(items) = resolved.get("items").filter(|v| truthy(Some(v))) {
            self.description(items, out);
        }
        if let Some(values) = additional_properties(resolved) {
            self.description(values, out);
        }
    }

    /// The "typeGuess" template: `string`, `[]Container`, `map[string]string`,
    /// `Object`, or the referenced type's short name (`ObjectMeta`, `Quantity`).
    fn type_guess(&self, schema: &Value) -> String {
        if let Some(items) = schema.get("items").filter(|v| truthy(Some(v))) {
            return format!("[]{}", self.type_guess(items));
        }
        if let Some(values) = additional_properties(schema) {
            return format!("map[string]{}", self.type_guess(values));
        }
        if let Some(Value::Array(all_of)) = schema.get("allOf") {
            if all_of.len() == 1 && !truthy(schema.get("properties")) {
                if let Some(only) = all_of.first() {
                    return self.type_guess(only);
                }
            }
        }
        let schema_type = |s: &Value| s.get("type").and_then(Value::as_str).unwrap_or_default().to_string();
        let reference = ref_string(schema);
        if !reference.is_empty() {
            let target = self.resolve_ref(reference);
            let target_type = target.map(schema_type).unwrap_or_default();
            if target_type.is_empty() || target_type == "object" {
                // The last path segment, then its last dotted part.
                let name = reference.rsplit('/').next().unwrap_or_default();
                let short = name.rsplit('.').next().unwrap_or_default();
                return if short.is_empty() { "Object".to_string() } else { short.to_string() };
            }
            return target_type;
        }
        match schema_type(schema).as_str() {
            "" | "object" => "Object".to_string(),
            other => other.to_string(),
        }
    }

    /// The "extractEnum" template: `ENUM:` and one value a line (a field's own
    /// page), or `enum: a, b, c, d, ....` under a field in a list (at most `limit`).
    fn extract_enum(&self, schema: &Value, long_view: bool, limit: i64, indent_amount: usize) -> String {
        let Some(Value::Array(values)) = schema.get("enum").filter(|v| truthy(Some(v))) else { return String::new() };
        let mut text = if long_view { "ENUM:".to_string() } else { format!("\n{}enum: ", " ".repeat(indent_amount)) };
        for (index, value) in values.iter().enumerate() {
            if limit > -1 && index as i64 >= limit {
                text.push_str(", ....");
                break;
            }
            if long_view {
                text.push_str("\n    ");
            } else if index > 0 {
                text.push_str(", ");
            }
            match value {
                Value::String(s) if s.is_empty() => text.push_str("\"\""),
                Value::String(s) => text.push_str(s),
                other => text.push_str(&other.to_string()),
            }
        }
        text
    }
}

/// The template's `indent`: the pad before the text and after every newline.
fn indent(amount: usize, text: &str) -> String {
    let pad = " ".repeat(amount);
    format!("{pad}{}", text.replace('\n', &format!("\n{pad}")))
}

/// kubectl's word wrap (`term.NewWordWrapWriter`, which is mitchellh/go-wordwrap
/// 1.0.1's `WrapString`): breaks only at white space, counts runes, keeps the
/// text's own newlines, lets a word longer than the limit overflow, and drops the
/// spaces at a break. A no-break space is not a break.
pub fn wrap(limit: usize, text: &str) -> String {
    if limit == 0 {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() + text.len() / limit.max(1));
    let mut current = 0usize;
    let (mut word, mut space) = (String::new(), String::new());
    let (mut word_len, mut space_len) = (0usize, 0usize);
    for c in text.chars() {
        if c == '\n' {
            if word.is_empty() {
                if current + space_len <= limit {
                    out.push_str(&space);
                }
            } else {
                out.push_str(&space);
                out.push_str(&word);
            }
            space.clear();
            word.clear();
            space_len = 0;
            word_len = 0;
            out.push('\n');
            current = 0;
        } else if c.is_whitespace() && c != '\u{a0}' {
            if space.is_empty() || !word.is_empty() {
                current += space_len + word_len;
                out.push_str(&space);
                out.push_str(&word);
                space.clear();
                word.clear();
                space_len = 0;
                word_len = 0;
            }
            space.push(c);
            space_len += 1;
        } else {
            word.push(c);
            word_len += 1;
            if current + space_len + word_len > limit && word_len < limit {
                out.push('\n');
                current = 0;
                space.clear();
                space_len = 0;
            }
        }
    }
    if word.is_empty() {
        if current + space_len <= limit {
            out.push_str(&space);
        }
    } else {
        out.push_str(&space);
        out.push_str(&word);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn explain_line(line: &str) -> Output {
        let args: Vec<String> = line.split_whitespace().map(str::to_string).collect();
        let mut out = Output::default();
        out.exit_code = run(&args, &mut out);
        out
    }

    #[test]
    fn wrap_breaks_at_spaces_and_drops_them() {
        assert_eq!(wrap(10, "aaaa bbbb cccc"), "aaaa bbbb\ncccc");
        assert_eq!(wrap(76, "short"), "short");
        // A word longer than the limit overflows rather than being cut.
        assert_eq!(wrap(5, "ab https://example.com/x y"), "ab\nhttps://example.com/x\ny");
        // The text's own newlines stay; trailing spaces before one are kept when
        // they fit.
        assert_eq!(wrap(10, "one  \ntwo"), "one  \ntwo");
        assert_eq!(wrap(4, "abc   \nd"), "abc\nd");
        // Runes, not bytes, are counted.
        assert_eq!(wrap(6, "ééé ééé"), "ééé\nééé");
        // A no-break space joins words.
        assert_eq!(wrap(6, "abc\u{a0}def ghi"), "abc\u{a0}def\nghi");
        assert_eq!(wrap(0, "a b c"), "a b c");
    }

    #[test]
    fn indent_pads_every_line() {
        assert_eq!(indent(4, "a\nb\n"), "    a\n    b\n    ");
    }

    #[test]
    fn closure_of_a_group_version() {
        let apps = schemas_for_group_version("apps", "v1");
        assert!(apps.contains_key("io.k8s.api.apps.v1.Deployment"));
        assert!(apps.contains_key("io.k8s.api.core.v1.PodSpec"));
        assert!(apps.contains_key("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"));
        assert!(!apps.contains_key("io.k8s.api.core.v1.Service"));
        assert!(schemas_for_group_version("batch", "v1").is_empty());
    }

    #[test]
    fn a_kind_and_its_fields() {
        let out = explain_line("svc");
        assert_eq!(out.exit_code, 0, "{}", out.stderr);
        assert!(out.stdout.starts_with("KIND:       Service\nVERSION:    v1\n\nDESCRIPTION:\n    Service is a named abstraction"), "{}", out.stdout);
        assert!(out.stdout.contains("\nFIELDS:\n  apiVersion\t<string>\n"), "{}", out.stdout);
        assert!(out.stdout.contains("\n  spec\t<ServiceSpec>\n"), "{}", out.stdout);
        let out = explain_line("deployments.apps.spec.template");
        assert!(out.stdout.starts_with("GROUP:      apps\nKIND:       Deployment\nVERSION:    v1\n\nFIELD: template <PodTemplateSpec>\n"), "{}", out.stdout);
        assert!(explain_line("deploy.spec").stdout.contains("\n  selector\t<LabelSelector> -required-\n"));
        assert_eq!(explain_line("deploy.apps.spec").stderr, "error: field \"spec\" does not exist\n");
        assert!(explain_line("po.spec.containers.resources").stdout.contains("\n  limits\t<map[string]Quantity>\n"));
        assert!(explain_line("svc.spec.ports").stdout.contains("\n  targetPort\t<IntOrString>\n"));
    }

    #[test]
    fn errors_are_kubectls() {
        let missing = explain_line("svc.spec.foo");
        assert_eq!(missing.stderr, "error: field \"foo\" does not exist\n");
        // The template has written the header before it throws.
        assert_eq!(missing.stdout, "KIND:       Service\nVERSION:    v1\n\n");
        assert_eq!(explain_line("svc.foo.bar").stderr, "error: field \"bar\" does not exist\n");
        assert_eq!(explain_line("foo").stderr, "the server doesn't have a resource type \"foo\"\n");
        assert_eq!(explain_line("pods --api-version=apps/v1").stderr, "error: GVR (apps/v1, Resource=pods) not found in OpenAPI schema\n");
        assert_eq!(explain_line("pods --api-version=batch/v1").stderr, "error: couldn't find resource for \"batch/v1, Resource=pods\"\n");
        assert_eq!(explain_line("pods -o yaml").stderr, "error: unrecognized format: yaml\n");
        assert_eq!(explain_line("").exit_code, 1);
    }
}
