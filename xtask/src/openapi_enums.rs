//! The enum facts k8s-openapi leaves out of its schemas: which fields of the course's
//! types take one of a fixed set of strings, the values, and each value's doc line.
//!
//! kube-openapi's generator (pkg/generators/enum.go) finds Go string types tagged
//! `+enum`, collects the typed constants of each, and for a struct field of such a
//! type adds `enum` (the values, sorted as quoted Go literals) and appends to the
//! field's description a paragraph `Possible enum values:` with one line
//! `` - `"Value"` comment`` per value (the constant's doc comment, its leading name
//! removed, whitespace collapsed; lines sorted). A slice or map of an enum type gets
//! `enum` on its items only. `cargo xtask openapi --enums-from DIR` reads those Go
//! sources (a checkout of k8s.io/api at the Kubernetes version kubesim follows) and
//! writes `xtask/data/openapi-enums.json`; `cargo xtask openapi` applies it, so
//! regenerating the schemas needs no checkout.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{json, Map, Value};

use crate::Failure;

/// Where the extracted enum facts are kept, relative to the repository root.
pub const DATA: &str = "xtask/data/openapi-enums.json";

/// The Go packages read, with the schema-name prefix of their types.
const PACKAGES: &[(&str, &str)] = &[
    ("core/v1", "io.k8s.api.core.v1"),
    ("apps/v1", "io.k8s.api.apps.v1"),
    ("networking/v1", "io.k8s.api.networking.v1"),
    ("discovery/v1", "io.k8s.api.discovery.v1"),
];

/// One typed constant of an enum type.
struct EnumValue {
    value: String,
    /// The constant's Go name, which its doc comment starts with.
    name: String,
    comment: String,
}

#[derive(Default)]
struct Package {
    /// Enum type name → its values in declaration order.
    enums: BTreeMap<String, Vec<EnumValue>>,
    /// Struct name → (json name, Go type as written).
    structs: BTreeMap<String, Vec<(String, String)>>,
    /// Import alias → package path (`v1` → `core/v1`).
    imports: BTreeMap<String, String>,
}

/// Reads the Go sources under `dir` and writes [`DATA`].
pub fn extract(root: &Path, dir: &Path) -> Result<(), Failure> {
    let mut packages: BTreeMap<&str, Package> = BTreeMap::new();
    for (path, _) in PACKAGES {
        let mut package = Package::default();
        let entries = std::fs::read_dir(dir.join(path)).map_err(|e| Failure(format!("{}: {e}", dir.join(path).display())))?;
        let mut files: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
        files.sort();
        for file in files {
            let name = file.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if !name.ends_with(".go") || name.ends_with("_test.go") || name.starts_with("zz_generated") || name.starts_with("generated") {
                continue;
            }
            let text = std::fs::read_to_string(&file).map_err(|e| Failure(format!("{}: {e}", file.display())))?;
            read_go(&text, &mut package);
        }
        packages.insert(path, package);
    }
    let mut out = Map::new();
    for (path, prefix) in PACKAGES {
        let Some(package) = packages.get(path) else { continue };
        for (struct_name, fields) in &package.structs {
            let mut props = Map::new();
            for (json_name, go_type) in fields {
                let (shape, base) = if let Some(rest) = go_type.strip_prefix("[]") {
                    ("items", rest)
                } else if let Some(rest) = go_type.strip_prefix("map[string]") {
                    ("values", rest)
                } else {
                    ("field", go_type.trim_start_matches('*'))
                };
                let base = base.trim_start_matches('*');
                let (package_path, type_name) = match base.split_once('.') {
                    Some((alias, name)) => (package.imports.get(alias).map(String::as_str).unwrap_or(""), name),
                    None => (*path, base),
                };
                let Some(values) = packages.get(package_path).and_then(|p| p.enums.get(type_name)) else { continue };
                if values.is_empty() {
                    continue;
                }
                let mut quoted: Vec<String> = values.iter().map(|v| format!("{:?}", v.value)).collect();
                quoted.sort();
                let enum_values: Vec<Value> = quoted.iter().map(|q| Value::String(q.trim_matches('"').to_string())).collect();
                let mut lines: Vec<String> = values.iter().map(description_line).collect();
                lines.sort();
                let lines: Vec<Value> = lines.into_iter().map(|l| Value::String(l.trim_end().to_string())).collect();
                props.insert(json_name.clone(), json!({"shape": shape, "enum": enum_values, "lines": lines}));
            }
            if !props.is_empty() {
                out.insert(format!("{prefix}.{struct_name}"), Value::Object(props));
            }
        }
    }
    let text = serde_json::to_string_pretty(&Value::Object(out)).map_err(|e| Failure(e.to_string()))? + "\n";
    std::fs::write(root.join(DATA), text).map_err(|e| Failure(format!("{DATA}: {e}")))?;
    println!("wrote {DATA}");
    Ok(())
}

/// enumValue.Description: `` - `"Value"` comment``, the comment without the
/// constant's name in front, whitespace collapsed.
fn description_line(v: &EnumValue) -> String {
    let text = v.comment.trim();
    let text = text.strip_prefix(v.name.as_str()).unwrap_or(text).trim();
    let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    format!(" - `{:?}` {collapsed}", v.value)
}

/// A deliberately small reader of Go declarations: imports, `type X string` with a
/// `+enum` doc tag, typed string constants with their doc comments, and struct
/// fields with their json names. Enough for k8s.io/api's types.go files.
fn read_go(text: &str, package: &mut Package) {
    let mut comment: Vec<String> = Vec::new();
    let mut in_struct: Option<String> = None;
    let mut in_imports = false;
    let mut all_consts: Vec<(String, String, String, String)> = Vec::new(); // (type, name, value, comment)
    for raw in text.lines() {
        let line = raw.trim();
        if in_imports {
            if line == ")" {
                in_imports = false;
            } else if let Some((alias, path)) = line.split_once(' ') {
                if let Some(p) = path.trim().trim_matches('"').strip_prefix("k8s.io/api/") {
                    package.imports.insert(alias.to_string(), p.to_string());
                }
            }
            continue;
        }
        if line == "import (" {
            in_imports = true;
            continue;
        }
        if let Some(c) = line.strip_prefix("//") {
            // go/ast CommentGroup.Text: the marker and one space go, and directives
            // (`//go:generate`, no space after the marker) are not text.
            if !is_directive(c) {
                comment.push(c.strip_prefix(' ').unwrap_or(c).to_string());
            }
            continue;
        }
        if let Some(name) = &in_struct {
            if line == "}" {
                in_struct = None;
            } else if let Some((decl, tag)) = line.split_once('`') {
                let words: Vec<&str> = decl.split_whitespace().collect();
                if let (Some(json_name), [_, go_type]) = (json_name(tag), words.as_slice()) {
                    package.structs.entry(name.clone()).or_default().push((json_name, go_type.to_string()));
                }
            }
            comment.clear();
            continue;
        }
        if let Some(rest) = line.strip_prefix("type ") {
            let words: Vec<&str> = rest.split_whitespace().collect();
            match words.as_slice() {
                [name, "string"] if comment.iter().any(|c| c.trim() == "+enum") => {
                    package.enums.entry(name.to_string()).or_default();
                }
                [name, "struct", "{"] => in_struct = Some(name.to_string()),
                _ => {}
            }
            comment.clear();
            continue;
        }
        // `Name Type = "value"` inside a const block, or `const Name Type = "value"`.
        let spec = line.strip_prefix("const ").unwrap_or(line);
        if let Some((left, right)) = spec.split_once('=') {
            let words: Vec<&str> = left.split_whitespace().collect();
            let value = right.trim();
            if let ([name, go_type], true) = (words.as_slice(), value.starts_with('"') && value.ends_with('"') && value.len() >= 2) {
                let literal = value[1..value.len() - 1].to_string();
                let doc = comment.join(" ");
                all_consts.push((go_type.to_string(), name.to_string(), literal, doc));
            }
        }
        comment.clear();
    }
    for (go_type, name, value, comment) in all_consts {
        if let Some(values) = package.enums.get_mut(&go_type) {
            // addIfNotPresent: one entry per value, the longer comment wins.
            match values.iter_mut().find(|v| v.value == value) {
                Some(existing) if existing.comment.len() < comment.len() => {
                    existing.name = name;
                    existing.comment = comment;
                }
                Some(_) => {}
                None => values.push(EnumValue { value, name, comment }),
            }
        }
    }
}

/// `//go:generate`-style directives: `word:more` right after the marker.
fn is_directive(after_marker: &str) -> bool {
    after_marker.split_once(':').is_some_and(|(word, rest)| {
        !word.is_empty()
            && word.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
            && rest.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
    })
}

/// The json name of a struct tag, unless it is `-` or inlined.
fn json_name(tag: &str) -> Option<String> {
    let start = tag.find("json:\"")? + 6;
    let rest = &tag[start..];
    let end = rest.find('"')?;
    let name = rest[..end].split(',').next()?.to_string();
    (!name.is_empty() && name != "-").then_some(name)
}

/// Applies [`DATA`] to the generated schemas: `enum` on the field (or its items or
/// map values) and, for a field of the enum type itself, the description paragraph.
#[cfg_attr(not(feature = "openapi"), allow(dead_code))]
pub fn apply(root: &Path, schemas: &mut Map<String, Value>) -> Result<(), Failure> {
    let path = root.join(DATA);
    let text = std::fs::read_to_string(&path).map_err(|e| Failure(format!("{}: {e}", path.display())))?;
    let data: Map<String, Value> = serde_json::from_str(&text).map_err(|e| Failure(format!("{DATA}: {e}")))?;
    for (schema_name, fields) in data {
        let Some(Value::Object(properties)) = schemas.get_mut(&schema_name).and_then(|s| s.get_mut("properties")) else { continue };
        let Value::Object(fields) = fields else { continue };
        for (field, facts) in fields {
            let Some(Value::Object(property)) = properties.get_mut(&field) else { continue };
            let values = facts.get("enum").cloned().unwrap_or(Value::Null);
            match facts.get("shape").and_then(Value::as_str) {
                Some("items") => {
                    if let Some(Value::Object(items)) = property.get_mut("items") {
                        items.insert("enum".into(), values);
                    }
                }
                Some("values") => {
                    if let Some(Value::Object(inner)) = property.get_mut("additionalProperties") {
                        inner.insert("enum".into(), values);
                    }
                }
                _ => {
                    let lines: Vec<&str> = facts.get("lines").and_then(Value::as_array).map(|a| a.iter().filter_map(Value::as_str).collect()).unwrap_or_default();
                    let description = property.get("description").and_then(Value::as_str).unwrap_or("").to_string();
                    let paragraph = format!("Possible enum values:\n{}", lines.join("\n"));
                    let joined = if description.is_empty() { paragraph } else { format!("{description}\n\n{paragraph}") };
                    property.insert("description".into(), Value::String(joined));
                    property.insert("enum".into(), values);
                }
            }
        }
    }
    Ok(())
}
