//! Manifests: what `-f FILE|DIR|-` hands to apply, create, delete and friends, decoded
//! as kubectl's resource builder decodes them.
//!
//! kubectl (`cli-runtime/pkg/resource` visitors) reads each file, splits YAML streams
//! at `---` lines (`apimachinery/pkg/util/yaml.YAMLReader`), converts every document
//! to JSON with `sigs.k8s.io/yaml` (go-yaml v2 underneath), skips empty documents,
//! expands `kind: List` into its items and maps each object's `apiVersion`/`kind` to
//! a resource. Errors carry kubectl's wording; serde_yaml_ng's parser is a port of
//! libyaml, as go-yaml's is, so its problems are go-yaml's problems and only the
//! position wording is rewritten.

use serde_json::Value;

use super::host::Host;
use crate::resources::{ResourceType, RESOURCE_TYPES};

/// Most bytes of manifests one command reads: plenty for a course, bounded so that a
/// pasted monster cannot stall the browser.
pub const INPUT_LIMIT: usize = 1024 * 1024;

/// One decoded object and where it came from (`STDIN` or the path as typed, the name
/// kubectl puts into `error when creating "x.yaml": ...`).
#[derive(Clone, Debug, PartialEq)]
pub struct Document {
    pub source: String,
    pub value: Value,
}

impl Document {
    pub fn kind(&self) -> &str {
        self.value.get("kind").and_then(Value::as_str).unwrap_or("")
    }

    pub fn api_version(&self) -> &str {
        self.value.get("apiVersion").and_then(Value::as_str).unwrap_or("")
    }

    pub fn name(&self) -> &str {
        self.value.pointer("/metadata/name").and_then(Value::as_str).unwrap_or("")
    }

    pub fn namespace(&self) -> &str {
        self.value.pointer("/metadata/namespace").and_then(Value::as_str).unwrap_or("")
    }

    /// The resource type this document's `apiVersion` and `kind` map to, or kubectl's
    /// RESTMapper error (without the `error: ` prefix).
    pub fn resource_type(&self) -> Result<&'static ResourceType, String> {
        let (kind, api_version) = (self.kind(), self.api_version());
        RESOURCE_TYPES.iter().find(|r| r.kind_name == kind && r.api_version() == api_version).ok_or_else(|| {
            let (group, version) = match api_version.split_once('/') {
                Some((g, v)) => (g, v),
                None => ("", api_version),
            };
            let gv = if group.is_empty() { version.to_string() } else { format!("{group}/{version}") };
            format!(
                "resource mapping not found for name: {} namespace: {} from {}: no matches for kind {} in version {}\nensure CRDs are installed first",
                quote(self.name()),
                quote(self.namespace()),
                quote(&self.source),
                quote(kind),
                quote(&gv)
            )
        })
    }
}

fn quote(s: &str) -> String {
    crate::apiserver::status::go_quote(s)
}

/// Reads every `-f` argument (`recursive` is `-R`) into documents, in order. `Err`
/// is the whole stderr text of the first failure, as kubectl stops at it.
pub fn read_all(host: &Host, filenames: &[String], recursive: bool, stdin: Option<&str>) -> Result<Vec<Document>, String> {
    let mut docs = Vec::new();
    let mut total = 0usize;
    let mut stdin_used = false;
    for name in filenames {
        if name == "-" {
            if stdin_used {
                // kubectl: "Only one -f - is allowed" is a visitor error.
                return Err("error: only one \"-f -\" is allowed\n".to_string());
            }
            stdin_used = true;
            let text = stdin.unwrap_or("");
            total += text.len();
            check_limit(total, "STDIN")?;
            docs.extend(decode_stream(text, "STDIN")?);
            continue;
        }
        if name.starts_with("http://") || name.starts_with("https://") {
            return Err(format!("kubesim: 'kubectl -f {name}': reading manifests from URLs is not simulated\n"));
        }
        if host.is_dir(name) {
            for file in directory_files(host, name, recursive) {
                let text = host.read_file(&file).unwrap_or_default();
                total += text.len();
                check_limit(total, &file)?;
                docs.extend(decode_stream(&text, &file)?);
            }
            continue;
        }
        match host.read_file(name) {
            Ok(text) => {
                total += text.len();
                check_limit(total, name)?;
                docs.extend(decode_stream(&text, name)?);
            }
            Err(_) => return Err(format!("error: the path {} does not exist\n", quote(name))),
        }
    }
    Ok(docs)
}

fn check_limit(total: usize, source: &str) -> Result<(), String> {
    if total > INPUT_LIMIT {
        return Err(format!(
            "error: {}: kubesim reads at most {} bytes of manifests per command\n",
            source, INPUT_LIMIT
        ));
    }
    Ok(())
}

/// Files kubectl picks from a directory: `.json`, `.yaml`, `.yml`, sorted, and with
/// `-R` those of subdirectories too.
fn directory_files(host: &Host, dir: &str, recursive: bool) -> Vec<String> {
    let mut files = Vec::new();
    let base = dir.trim_end_matches('/');
    for entry in host.list_dir(dir) {
        let path = format!("{base}/{entry}");
        if host.is_dir(&path) {
            if recursive {
                files.extend(directory_files(host, &path, true));
            }
            continue;
        }
        if [".json", ".yaml", ".yml"].iter().any(|ext| entry.ends_with(ext)) {
            files.push(path);
        }
    }
    files
}

/// Splits a YAML (or JSON) stream into documents and decodes each, expanding lists.
pub fn decode_stream(text: &str, source: &str) -> Result<Vec<Document>, String> {
    let mut docs = Vec::new();
    let trimmed = text.trim_start();
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        // A JSON stream: kubectl's decoder sniffs for `{` and reads JSON values one
        // after another.
        let stream = serde_json::Deserializer::from_str(text).into_iter::<Value>();
        for value in stream {
            match value {
                Ok(v) => push_object(v, source, &mut docs)?,
                Err(e) => return Err(format!("error: error parsing {source}: {}\n", json_error(&e))),
            }
        }
        return Ok(docs);
    }
    for chunk in split_documents(text) {
        if chunk.trim().is_empty() {
            continue;
        }
        let value: Value = match serde_yaml_ng::from_str::<Value>(&chunk) {
            Ok(v) => v,
            Err(e) => {
                return Err(format!("error: error parsing {source}: error converting YAML to JSON: {}\n", go_yaml_error(&e)));
            }
        };
        if value.is_null() {
            // A document of comments only.
            continue;
        }
        push_object(value, source, &mut docs)?;
    }
    Ok(docs)
}

fn push_object(value: Value, source: &str, docs: &mut Vec<Document>) -> Result<(), String> {
    // kubectl validates each object against the schema before anything is sent
    // (`--validate`, on by default): a value that is not an object, or one without
    // kind or apiVersion, stops there.
    let invalid = |why: &str| {
        format!(
            "error: error validating {}: error validating data: {why}; if you choose to ignore these errors, turn validation off with --validate=false\n",
            quote(source)
        )
    };
    let Value::Object(map) = &value else {
        return Err(invalid("invalid object to validate"));
    };
    let kind = map.get("kind").and_then(Value::as_str).unwrap_or("");
    let api_version = map.get("apiVersion").and_then(Value::as_str).unwrap_or("");
    match (kind.is_empty(), api_version.is_empty()) {
        (true, true) => return Err(invalid("[apiVersion not set, kind not set]")),
        (true, false) => return Err(invalid("kind not set")),
        (false, true) => return Err(invalid("apiVersion not set")),
        _ => {}
    }
    if kind.ends_with("List") {
        if let Some(items) = map.get("items").and_then(Value::as_array) {
            for item in items {
                push_object(item.clone(), source, docs)?;
            }
            return Ok(());
        }
    }
    docs.push(Document { source: source.to_string(), value });
    Ok(())
}

/// JSON as Go's `json.Marshal` writes it (compact, keys sorted).
pub fn compact(value: &Value) -> String {
    // serde_json's map is a BTreeMap here, so keys already come out sorted.
    serde_json::to_string(value).unwrap_or_default()
}

/// `YAMLReader.Read`: documents are separated by lines that start with `---`
/// followed by nothing but whitespace (or a comment-free remainder).
fn split_documents(text: &str) -> Vec<String> {
    let mut docs = Vec::new();
    let mut current = String::new();
    for line in text.split_inclusive('\n') {
        let bare = line.trim_end_matches(['\n', '\r']);
        if bare == "---" || (bare.starts_with("--- ") && bare[4..].trim().is_empty()) {
            docs.push(std::mem::take(&mut current));
            continue;
        }
        current.push_str(line);
    }
    docs.push(current);
    docs
}

/// go-yaml v2's error text for a libyaml problem: `yaml: line N: <problem>`, where N
/// is the 1-based line for scanner errors and the 0-based line for parser errors
/// (go-yaml adds one only to scanner marks).
pub fn go_yaml_error(e: &serde_yaml_ng::Error) -> String {
    let text = e.to_string();
    let problem_end = text.find(" at line ").unwrap_or(text.len());
    let problem = &text[..problem_end];
    let line = e.location().map(|l| l.line()).unwrap_or(0);
    // serde_yaml_ng's Debug form names libyaml's error kind; Display does not.
    let scanner = format!("{e:?}").contains("SCANNER");
    let go_line = if scanner { line } else { line.saturating_sub(1) };
    match problem {
        "unknown anchor" => "yaml: unknown anchor referenced".to_string(),
        p if go_line > 0 => format!("yaml: line {go_line}: {p}"),
        p => format!("yaml: {p}"),
    }
}

/// encoding/json's syntax errors as kubectl reports a bad JSON manifest.
fn json_error(e: &serde_json::Error) -> String {
    match e.classify() {
        serde_json::error::Category::Eof => "unexpected EOF".to_string(),
        _ => {
            let text = e.to_string();
            let cut = text.find(" at line ").unwrap_or(text.len());
            format!("invalid character in JSON: {}", &text[..cut])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multi_document_yaml_and_lists() {
        let text = "apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n---\n# only a comment\n---\napiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: b\n- apiVersion: apps/v1\n  kind: Deployment\n  metadata:\n    name: c\n";
        let docs = decode_stream(text, "STDIN").unwrap_or_default();
        let names: Vec<_> = docs.iter().map(|d| (d.kind().to_string(), d.name().to_string())).collect();
        assert_eq!(names, [("Service".into(), "a".into()), ("ConfigMap".into(), "b".into()), ("Deployment".into(), "c".into())]);
        assert!(docs.iter().all(|d| d.source == "STDIN"));
    }

    #[test]
    fn json_streams() {
        let text = r#"{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"x"}} {"apiVersion":"v1","kind":"Namespace","metadata":{"name":"y"}}"#;
        let docs = decode_stream(text, "ns.json").unwrap_or_default();
        assert_eq!(docs.len(), 2);
    }

    #[test]
    fn yaml_errors_read_like_go_yaml() {
        let err = decode_stream("apiVersion: v1\nkind: Service\nmetadata:\n  name: x\n    labels: y\n", "svc.yaml").err();
        assert_eq!(
            err.as_deref(),
            Some("error: error parsing svc.yaml: error converting YAML to JSON: yaml: line 5: mapping values are not allowed in this context\n")
        );
        let err = decode_stream("a:\n  b: 1\n c: 2\n", "STDIN").err();
        assert_eq!(err.as_deref(), Some("error: error parsing STDIN: error converting YAML to JSON: yaml: line 2: did not find expected key\n"));
        let err = decode_stream("a:\n\t- x\n", "STDIN").err();
        assert_eq!(
            err.as_deref(),
            Some("error: error parsing STDIN: error converting YAML to JSON: yaml: line 2: found character that cannot start any token\n")
        );
    }

    #[test]
    fn unknown_kinds_are_mapping_errors() {
        let docs = decode_stream("apiVersion: v1\nkind: Foo\nmetadata:\n  name: x\n", "STDIN").unwrap_or_default();
        let err = docs.first().map(|d| d.resource_type().err());
        assert_eq!(
            err,
            Some(Some("resource mapping not found for name: \"x\" namespace: \"\" from \"STDIN\": no matches for kind \"Foo\" in version \"v1\"\nensure CRDs are installed first".to_string()))
        );
    }

    #[test]
    fn missing_kind_fails_validation() {
        let err = decode_stream("apiVersion: v1\nmetadata:\n  name: x\n", "STDIN").err();
        assert_eq!(
            err.as_deref(),
            Some("error: error validating \"STDIN\": error validating data: kind not set; if you choose to ignore these errors, turn validation off with --validate=false\n")
        );
        let err = decode_stream("hello\n", "STDIN").err();
        assert_eq!(
            err.as_deref(),
            Some("error: error validating \"STDIN\": error validating data: invalid object to validate; if you choose to ignore these errors, turn validation off with --validate=false\n")
        );
    }

    #[test]
    fn missing_paths() {
        let host = Host::default();
        assert_eq!(read_all(&host, &["x.yaml".into()], false, None).err().as_deref(), Some("error: the path \"x.yaml\" does not exist\n"));
    }

    #[test]
    fn oversized_input_is_refused() {
        let big = "a".repeat(INPUT_LIMIT + 1);
        let err = read_all(&Host::default(), &["-".into()], false, Some(&big)).err().unwrap_or_default();
        assert!(err.contains("at most"), "{err}");
    }
}
