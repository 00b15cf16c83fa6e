//! `kubectl get`: resolves what was asked for (types in every spelling, `a,b`
//! lists, `type/name`, `all`), fetches it from the store with the namespace,
//! label and field selectors, and prints it as kubectl does: server tables
//! aligned by the tabwriter (one table per resource type, a blank line between
//! them), or `-o yaml|json|name|jsonpath|jsonpath-as-json|custom-columns`.
//!
//! The shape follows kubectl's `GetOptions.Run`: human-readable output goes
//! through tables; everything else through `printGeneric`, which prints one object
//! when exactly one was named, else a `kind: List`.

use serde_json::{json, Value};

use super::flags::ParsedFlags;
use super::host::Host;
use super::jsonpath::{self, JsonPath};
use crate::cluster::Cluster;
use crate::labels::{self, Selector};
use crate::printers::tabwriter::{self, Cells};
use crate::printers::{json as json_printer, table, yaml};
use crate::resources::{self, Kind, ResourceType};
use crate::shell::{Foreground, StreamJob};
use crate::simulator::Output;
use crate::store::{Object, ObjectKey};

/// The resource types `kubectl get all` lists (the `all` category), in kubectl's
/// order, restricted to the kinds the simulator serves.
const ALL_CATEGORY: &[Kind] = &[Kind::Pod, Kind::Service, Kind::Deployment, Kind::ReplicaSet];

const ALLOWED_FORMATS: &str = "custom-columns,custom-columns-file,go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,wide,yaml";

/// What was asked for: a type and either names or (None) a list.
#[derive(Clone, Debug)]
pub struct Request {
    pub resource: &'static ResourceType,
    pub names: Option<Vec<String>>,
}

/// How to print.
#[derive(Clone, Debug, PartialEq)]
pub enum OutputFormat {
    Table { wide: bool },
    Yaml,
    Json,
    Name,
    JsonPath { template: String, as_json: bool },
    CustomColumns(Vec<(String, String)>),
}

impl OutputFormat {
    /// Parses `-o` (and `--template`) as kubectl's print flags do.
    pub fn parse(output: &str, template_flag: &str) -> Result<OutputFormat, String> {
        let (name, arg) = match output.split_once('=') {
            Some((n, a)) => (n, Some(a.to_string())),
            None => (output, None),
        };
        let template = arg.or_else(|| (!template_flag.is_empty()).then(|| template_flag.to_string()));
        match name {
            "" => Ok(OutputFormat::Table { wide: false }),
            "wide" => Ok(OutputFormat::Table { wide: true }),
            "yaml" => Ok(OutputFormat::Yaml),
            "json" => Ok(OutputFormat::Json),
            "name" => Ok(OutputFormat::Name),
            "jsonpath" | "jsonpath-as-json" => match template {
                Some(t) if !t.is_empty() => Ok(OutputFormat::JsonPath { template: t, as_json: name == "jsonpath-as-json" }),
                _ => Err("template format specified but no template given".to_string()),
            },
            "custom-columns" => match template {
                Some(spec) if !spec.is_empty() => parse_custom_columns(&spec).map(OutputFormat::CustomColumns),
                _ => Err("custom-columns format specified but no custom columns given".to_string()),
            },
            "go-template" | "template" | "go-template-file" | "templatefile" | "jsonpath-file" | "custom-columns-file" => {
                Err(format!("kubesim: 'kubectl get -o {name}' is not simulated"))
            }
            other => Err(format!(
                "unable to match a printer suitable for the output format \"{other}\", allowed formats are: {ALLOWED_FORMATS}"
            )),
        }
    }
}

/// `NAME:.metadata.name,IMAGE:.spec.containers[*].image`.
fn parse_custom_columns(spec: &str) -> Result<Vec<(String, String)>, String> {
    spec.split(',')
        .map(|part| match part.split_once(':') {
            Some((header, path)) => jsonpath::relaxed(path).map(|p| (header.to_string(), p)),
            None => Err(format!("unexpected custom-columns spec: {part}, expected <header>:<json-path-expr>")),
        })
        .collect()
}

/// Resolves the positional arguments into requests, as kubectl's resource builder
/// does; also says whether exactly one object was named (`singleItemImplied`).
pub fn resolve_args(args: &[String]) -> Result<(Vec<Request>, bool), String> {
    let Some(first) = args.first() else {
        return Ok((Vec::new(), false));
    };
    let slash_forms = args.iter().filter(|a| a.contains('/')).count();
    if slash_forms > 0 {
        if slash_forms != args.len() {
            return Err(SEPARATE_TYPE_ERROR.to_string());
        }
        let mut requests: Vec<Request> = Vec::new();
        for arg in args {
            let (kind, name) = arg.split_once('/').unwrap_or((arg.as_str(), ""));
            if kind.is_empty() || name.is_empty() || name.contains('/') || kind.contains(',') {
                return Err("arguments in resource/name form must have a single resource and name".to_string());
            }
            let resource = lookup(kind)?;
            requests.push(Request { resource, names: Some(vec![name.to_string()]) });
        }
        let single = requests.len() == 1;
        return Ok((requests, single));
    }
    let types: Vec<&str> = first.split(',').collect();
    if types.iter().any(|t| t.is_empty()) {
        return Err("arguments in resource/name form must have a single resource and name".to_string());
    }
    let names: Vec<String> = args[1..].to_vec();
    let mut requests = Vec::new();
    let mut has_category = false;
    for t in &types {
        if t.eq_ignore_ascii_case("all") {
            has_category = true;
            for kind in ALL_CATEGORY {
                requests.push(Request { resource: resources::resource_type(*kind), names: (!names.is_empty()).then(|| names.clone()) });
            }
        } else {
            let resource = lookup(t)?;
            requests.push(Request { resource, names: (!names.is_empty()).then(|| names.clone()) });
        }
    }
    let single = types.len() == 1 && !has_category && names.len() == 1;
    Ok((requests, single))
}

const SEPARATE_TYPE_ERROR: &str = "there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'kubectl get resource/<resource_name>' instead of 'kubectl get resource resource/<resource_name>'";

fn lookup(name: &str) -> Result<&'static ResourceType, String> {
    resources::lookup(name).ok_or_else(|| format!("the server doesn't have a resource type \"{name}\""))
}

/// A parsed `--field-selector`: `key=value`, `key==value`, `key!=value` terms.
#[derive(Clone, Debug, Default)]
pub struct FieldSelector {
    terms: Vec<(String, bool, String)>,
    text: String,
}

impl FieldSelector {
    pub fn parse(text: &str) -> Result<FieldSelector, String> {
        let mut terms = Vec::new();
        for part in text.split(',').filter(|p| !p.is_empty()) {
            let (key, equal, value) = if let Some((k, v)) = part.split_once("!=") {
                (k, false, v)
            } else if let Some((k, v)) = part.split_once("==") {
                (k, true, v)
            } else if let Some((k, v)) = part.split_once('=') {
                (k, true, v)
            } else {
                return Err(format!("invalid selector: '{text}'; can't understand '{part}'"));
            };
            terms.push((key.trim().to_string(), equal, value.trim().to_string()));
        }
        Ok(FieldSelector { terms, text: text.to_string() })
    }

    /// Checks that the server supports every field for the kind; the error is the
    /// API server's message.
    pub fn check(&self, kind: Kind) -> Result<(), String> {
        for (key, _, _) in &self.terms {
            if !field_supported(kind, key) {
                return Err(format!("field label not supported: {key}"));
            }
        }
        Ok(())
    }

    pub fn matches(&self, object: &Object) -> bool {
        self.terms.iter().all(|(key, equal, value)| {
            let actual = field_value(object, key).unwrap_or_default();
            (actual == *value) == *equal
        })
    }
}

/// The field labels the API server accepts per kind (`*FieldsSet` /
/// `AddFieldLabelConversionFunc` of each type).
fn field_supported(kind: Kind, key: &str) -> bool {
    if key == "metadata.name" || key == "metadata.namespace" {
        return true;
    }
    match kind {
        Kind::Pod => matches!(
            key,
            "spec.nodeName" | "spec.restartPolicy" | "spec.schedulerName" | "spec.serviceAccountName"
                | "spec.hostNetwork" | "status.phase" | "status.podIP" | "status.podIPs" | "status.nominatedNodeName"
        ),
        Kind::Node => key == "spec.unschedulable",
        Kind::Namespace => key == "status.phase",
        Kind::Service => matches!(key, "spec.clusterIP" | "spec.type"),
        Kind::ReplicaSet => key == "status.replicas",
        Kind::Event => matches!(
            key,
            "involvedObject.kind" | "involvedObject.namespace" | "involvedObject.name" | "involvedObject.uid"
                | "involvedObject.apiVersion" | "involvedObject.resourceVersion" | "involvedObject.fieldPath"
                | "reason" | "reportingComponent" | "source" | "type"
        ),
        _ => false,
    }
}

fn field_value(object: &Object, key: &str) -> Option<String> {
    match key {
        "metadata.name" => return Some(object.name().to_string()),
        "metadata.namespace" => return Some(object.namespace().to_string()),
        _ => {}
    }
    match object {
        Object::Pod(p) => {
            let spec = p.spec.as_ref();
            let status = p.status.as_ref();
            match key {
                "spec.nodeName" => spec.and_then(|s| s.node_name.clone()),
                "spec.restartPolicy" => spec.and_then(|s| s.restart_policy.clone()),
                "spec.schedulerName" => spec.and_then(|s| s.scheduler_name.clone()),
                "spec.serviceAccountName" => spec.and_then(|s| s.service_account_name.clone()),
                "spec.hostNetwork" => Some(spec.and_then(|s| s.host_network).unwrap_or(false).to_string()),
                "status.phase" => status.and_then(|s| s.phase.clone()),
                "status.podIP" => status.and_then(|s| s.pod_ip.clone()),
                "status.nominatedNodeName" => status.and_then(|s| s.nominated_node_name.clone()),
                _ => None,
            }
        }
        Object::Node(n) => (key == "spec.unschedulable")
            .then(|| n.spec.as_ref().and_then(|s| s.unschedulable).unwrap_or(false).to_string()),
        Object::Namespace(n) => (key == "status.phase").then(|| n.status.as_ref().and_then(|s| s.phase.clone())).flatten(),
        Object::Service(s) => match key {
            "spec.clusterIP" => s.spec.as_ref().and_then(|s| s.cluster_ip.clone()),
            "spec.type" => s.spec.as_ref().and_then(|s| s.type_.clone()),
            _ => None,
        },
        Object::ReplicaSet(r) => (key == "status.replicas").then(|| r.status.as_ref().map(|s| s.replicas).unwrap_or(0).to_string()),
        Object::Event(e) => {
            let io = &e.involved_object;
            match key {
                "involvedObject.kind" => io.kind.clone(),
                "involvedObject.namespace" => io.namespace.clone(),
                "involvedObject.name" => io.name.clone(),
                "involvedObject.uid" => io.uid.clone(),
                "involvedObject.apiVersion" => io.api_version.clone(),
                "involvedObject.resourceVersion" => io.resource_version.clone(),
                "involvedObject.fieldPath" => io.field_path.clone(),
                "reason" => e.reason.clone(),
                "reportingComponent" => e.reporting_component.clone(),
                "source" => e.source.as_ref().and_then(|s| s.component.clone()),
                "type" => e.type_.clone(),
                _ => None,
            }
        }
        _ => None,
    }
}

/// `kubectl get` flags kubesim does not simulate: files, kustomize, raw URIs,
/// subresources, event objects and client-side printing (`--raw` is `get_raw.rs`).
const UNSIMULATED_FLAGS: &[&str] = &["filename", "kustomize", "recursive", "subresource", "output-watch-events", "server-print"];

/// Everything `kubectl get` reads from its flags.
#[derive(Clone, Debug)]
pub struct GetOptions {
    pub namespace: String,
    pub all_namespaces: bool,
    pub format: OutputFormat,
    pub label_selector: Option<(String, Selector)>,
    /// Why the label selector does not parse: the API server refuses the list
    /// request with this message (kubectl passes `-l` through unparsed).
    pub label_selector_error: Option<String>,
    pub field_selector: FieldSelector,
    pub show_labels: bool,
    /// `--show-kind`: names as `kind/name` even for one type.
    pub show_kind: bool,
    pub label_columns: Vec<String>,
    pub no_headers: bool,
    pub sort_by: Option<String>,
    pub watch: bool,
    /// `--watch-only`: changes only, no initial listing.
    pub watch_only: bool,
    pub ignore_not_found: bool,
    pub allow_missing_keys: bool,
}

impl GetOptions {
    pub fn from_flags(flags: &ParsedFlags) -> Result<GetOptions, String> {
        let format = OutputFormat::parse(&flags.string("output"), &flags.string("template"))?;
        let (label_selector, label_selector_error) = match flags.value("selector") {
            Some(text) => match labels::parse(text) {
                Ok(selector) => (Some((text.to_string(), selector)), None),
                Err(e) => (Some((text.to_string(), Selector::Nothing)), Some(e)),
            },
            None => (None, None),
        };
        let sort_by = match flags.value("sort-by") {
            Some(s) if !s.is_empty() => Some(jsonpath::relaxed(s)?),
            _ => None,
        };
        Ok(GetOptions {
            namespace: flags.namespace().filter(|n| !n.is_empty()).unwrap_or_else(|| "default".to_string()),
            all_namespaces: flags.bool("all-namespaces"),
            format,
            label_selector,
            label_selector_error,
            field_selector: FieldSelector::parse(&flags.string("field-selector"))?,
            show_labels: flags.bool("show-labels"),
            show_kind: flags.bool("show-kind"),
            label_columns: flags.comma_list("label-columns"),
            no_headers: flags.bool("no-headers"),
            sort_by,
            watch: flags.bool("watch") || flags.bool("watch-only"),
            watch_only: flags.bool("watch-only"),
            ignore_not_found: flags.bool("ignore-not-found"),
            allow_missing_keys: flags.bool("allow-missing-template-keys"),
        })
    }
}

/// The objects found for one request, or the errors met. The objects are borrowed
/// from the store: printing reads them, and copying every pod of a big cluster cost
/// more than printing it.
struct Fetched<'a> {
    resource: &'static ResourceType,
    objects: Vec<&'a Object>,
}

/// `kubectl get ARGS`.
pub fn run(cluster: &mut Cluster, host: &mut Host, args: &[String], out: &mut Output) -> i32 {
    let flags = match super::flags::parse_or_report("get", args, out) {
        Ok(f) => f,
        Err(code) => return code,
    };
    if let Err(code) = super::flags::reject_unsimulated(&flags, "get", UNSIMULATED_FLAGS, out) {
        return code;
    }
    if flags.changed("raw") {
        return super::get_raw::run(cluster, &flags, out);
    }
    let options = match GetOptions::from_flags(&flags) {
        Ok(o) => o,
        Err(e) => return fail(&e, out),
    };
    if flags.positional.is_empty() {
        out.err("You must specify the type of resource to get. Use \"kubectl api-resources\" for a complete list of supported resources.\n\n");
        out.err("error: Required resource not specified.\nUse \"kubectl explain <resource>\" for a detailed description of that resource (e.g. kubectl explain pods).\nSee 'kubectl get -h' for help and examples\n");
        return 1;
    }
    let (requests, single_item) = match resolve_args(&flags.positional) {
        Ok(r) => r,
        Err(e) => return fail(&e, out),
    };
    if options.all_namespaces && requests.iter().any(|r| r.names.is_some()) {
        return fail("a resource cannot be retrieved by name across all namespaces", out);
    }
    if options.watch {
        return match Watch::start_with(cluster, requests, options, out) {
            Ok(watch) => {
                // In the browser's terminal the watch holds the terminal and prints
                // each change as the virtual clock runs, until Ctrl-C; a batch run
                // (script, transcript) shows the first listing and returns.
                if let Some(sh) = host.shell.as_mut() {
                    if sh.interactive_terminal {
                        sh.foreground = Some(Foreground::Stream(Box::new(Watching(watch))));
                    }
                }
                0
            }
            Err(code) => code,
        };
    }
    let (fetched, errors) = match fetch(cluster, &requests, &options) {
        Ok(r) => r,
        Err(e) => {
            out.err(&format!("{e}\n"));
            return 1;
        }
    };
    let mut stdout = String::new();
    let result = match &options.format {
        OutputFormat::Table { wide } => print_tables(cluster, &fetched, &requests, &options, *wide, &mut stdout),
        // printGeneric returns the error alone when one object was named and is
        // missing: no empty List on stdout.
        _ if single_item && !errors.is_empty() => Ok(()),
        _ => print_generic(&fetched, single_item, &options, &mut stdout),
    };
    out.out(&stdout);
    let mut code = 0;
    for e in &errors {
        out.err(&format!("{e}\n"));
        code = 1;
    }
    if let Err(e) = result {
        out.err(&format!("error: {e}\n"));
        return 1;
    }
    let printed_table = matches!(options.format, OutputFormat::Table { .. });
    if stdout.is_empty() && errors.is_empty() && printed_table && !options.ignore_not_found {
        let all_namespaced = !options.all_namespaces && requests.iter().all(|r| r.resource.namespaced);
        if all_namespaced {
            out.err(&format!("No resources found in {} namespace.\n", options.namespace));
        } else {
            out.err("No resources found\n");
        }
    }
    code
}

fn fail(message: &str, out: &mut Output) -> i32 {
    if message.starts_with("kubesim:") {
        out.err(&format!("{message}\n"));
    } else {
        out.err(&format!("error: {message}\n"));
    }
    1
}

/// Reads the store for every request. Errors that stop everything (a selector the
/// server refuses) come back as `Err`; per-name NotFound errors are collected.
fn fetch<'a>(cluster: &'a Cluster, requests: &[Request], options: &GetOptions) -> Result<(Vec<Fetched<'a>>, Vec<String>), String> {
    let mut fetched = Vec::new();
    let mut errors = Vec::new();
    for request in requests {
        let rt = request.resource;
        let namespace = if rt.namespaced { options.namespace.as_str() } else { "" };
        let mut objects = Vec::new();
        match &request.names {
            Some(names) => {
                for name in names {
                    match cluster.store.get(&ObjectKey::new(rt.kind, namespace, name)) {
                        Some(o) => objects.push(o),
                        None if options.ignore_not_found => {}
                        None => errors.push(format!(
                            "Error from server (NotFound): {} \"{name}\" not found",
                            rt.qualified_plural()
                        )),
                    }
                }
            }
            None => {
                let refused = match &options.label_selector_error {
                    Some(e) => Err(e.clone()),
                    None => options.field_selector.check(rt.kind),
                };
                if let Err(e) = refused {
                    return Err(format!(
                        // The builder's message quotes the GroupVersionResource's
                        // String() ("/v1, Resource=pods"), then the server's error.
                        "Error from server (BadRequest): Unable to find \"{}/{}, Resource={}\" that match label selector \"{}\", field selector \"{}\": {e}",
                        rt.group,
                        rt.version,
                        rt.plural,
                        options.label_selector.as_ref().map(|(t, _)| t.as_str()).unwrap_or(""),
                        options.field_selector.text
                    ));
                }
                let scope = if options.all_namespaces || !rt.namespaced { None } else { Some(namespace) };
                for object in cluster.store.list(rt.kind, scope) {
                    let labels_match = options
                        .label_selector
                        .as_ref()
                        .is_none_or(|(_, s)| s.matches_opt(object.metadata().labels.as_ref()));
                    if labels_match && options.field_selector.matches(object) {
                        objects.push(object);
                    }
                }
            }
        }
        fetched.push(Fetched { resource: rt, objects });
    }
    Ok((fetched, errors))
}

/// The foreground job of `kubectl get -w` on an interactive terminal. It never
/// ends by itself: kubectl's watch runs until interrupted, and Ctrl-C ends it
/// without a word from kubectl (the shell reports status 130).
#[derive(Clone, Debug)]
struct Watching(Watch);

impl StreamJob for Watching {
    fn poll(&mut self, cluster: &mut Cluster, out: &mut Output) -> Option<i32> {
        self.0.poll(cluster, out);
        None
    }

    fn clone_box(&self) -> Box<dyn StreamJob> {
        Box::new(self.clone())
    }
}

/// A `kubectl get -w` in progress. [`Watch::start`] prints what `kubectl get`
/// prints (the initial table); each [`Watch::poll`] then prints one row per
/// change in the store since the last call, aligned under the first table with
/// remembered column widths, as kubectl's watch loop prints each event's object
/// (deleted objects show their last state). A shell that can keep a command
/// running calls `poll` as virtual time passes; one that cannot simply stops
/// after `start`, which is what `kubectl get -w` does in scripts and tests.
#[derive(Clone, Debug)]
pub struct Watch {
    request: Request,
    options: GetOptions,
    resource_version: u64,
    widths: Vec<usize>,
}

impl Watch {
    /// Parses `kubectl get ... -w` arguments and prints the initial listing.
    pub fn start(cluster: &Cluster, args: &[String], out: &mut Output) -> Result<Watch, i32> {
        let flags = super::flags::parse_or_report("get", args, out)?;
        super::flags::reject_unsimulated(&flags, "get", UNSIMULATED_FLAGS, out)?;
        let options = GetOptions::from_flags(&flags).map_err(|e| fail(&e, out))?;
        let (requests, _) = resolve_args(&flags.positional).map_err(|e| fail(&e, out))?;
        Watch::start_with(cluster, requests, options, out)
    }

    fn start_with(cluster: &Cluster, requests: Vec<Request>, options: GetOptions, out: &mut Output) -> Result<Watch, i32> {
        let mut kinds: Vec<Kind> = requests.iter().map(|r| r.resource.kind).collect();
        kinds.dedup();
        let Some(request) = requests.first().cloned() else {
            return Err(fail("Required resource not specified.", out));
        };
        if kinds.len() != 1 {
            return Err(fail(
                &format!(
                    "watch is only supported on individual resources and resource collections, but {} resources were found",
                    requests.len()
                ),
                out,
            ));
        }
        if !matches!(options.format, OutputFormat::Table { .. }) {
            return Err(fail("kubesim: 'kubectl get -w' is simulated for table output only", out));
        }
        let mut watch = Watch { request, options, resource_version: cluster.store.resource_version(), widths: Vec::new() };
        let (fetched, errors) = match fetch(cluster, std::slice::from_ref(&watch.request), &watch.options) {
            Ok(r) => r,
            Err(e) => {
                out.err(&format!("{e}\n"));
                return Err(1);
            }
        };
        let objects: Vec<&Object> = fetched.into_iter().flat_map(|f| f.objects).collect();
        for e in &errors {
            out.err(&format!("{e}\n"));
        }
        if !errors.is_empty() {
            return Err(1);
        }
        if watch.options.watch_only {
            return Ok(watch);
        }
        if objects.is_empty() {
            let rt = watch.request.resource;
            if rt.namespaced && !watch.options.all_namespaces {
                out.err(&format!("No resources found in {} namespace.\n", watch.options.namespace));
            } else {
                out.err("No resources found\n");
            }
        }
        watch.print(cluster, &objects, true, out);
        Ok(watch)
    }

    /// Prints the rows of everything that changed since the last call.
    pub fn poll(&mut self, cluster: &Cluster, out: &mut Output) {
        let rt = self.request.resource;
        let changed: Vec<Object> = cluster
            .store
            .events_since(self.resource_version)
            .map(|e| &*e.object)
            .filter(|o| o.kind() == rt.kind)
            .filter(|o| !rt.namespaced || self.options.all_namespaces || o.namespace() == self.options.namespace)
            .filter(|o| self.request.names.as_ref().is_none_or(|names| names.iter().any(|n| n == o.name())))
            .filter(|o| {
                self.options.label_selector.as_ref().is_none_or(|(_, s)| s.matches_opt(o.metadata().labels.as_ref()))
                    && self.options.field_selector.matches(o)
            })
            .cloned()
            .collect();
        self.resource_version = cluster.store.resource_version();
        if !changed.is_empty() {
            self.print(cluster, &changed.iter().collect::<Vec<_>>(), false, out);
        }
    }

    fn print(&mut self, cluster: &Cluster, objects: &[&Object], header: bool, out: &mut Output) {
        if objects.is_empty() {
            return;
        }
        let wide = matches!(self.options.format, OutputFormat::Table { wide: true });
        let table = table_cells(objects, self.request.resource, &self.options, wide, false, cluster.clock.now());
        let first = usize::from(!header || self.options.no_headers);
        let mut text = String::new();
        tabwriter::write_cells_remembering(&table, first, &mut self.widths, &mut text);
        out.out(&text);
    }
}

/// Sorts objects by a JSONPath field (`--sort-by`): numbers numerically, the
/// rest as text; objects without the field first.
fn sort_objects(objects: &mut [&Object], path: &str) -> Result<(), String> {
    let parsed = JsonPath::parse(path)?;
    let mut keyed: Vec<(Option<Value>, &Object)> = objects
        .iter()
        .map(|o| {
            let v = parsed.values(&o.to_json(), true).ok().and_then(|v| v.into_iter().next());
            (v, *o)
        })
        .collect();
    crate::sort::sort_by(&mut keyed, |(a, _), (b, _)| compare_values(a.as_ref(), b.as_ref()));
    for (slot, (_, o)) in objects.iter_mut().zip(keyed) {
        *slot = o;
    }
    Ok(())
}

fn compare_values(a: Option<&Value>, b: Option<&Value>) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    match (a, b) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Less,
        (Some(_), None) => Ordering::Greater,
        (Some(Value::Number(x)), Some(Value::Number(y))) => {
            x.as_f64().partial_cmp(&y.as_f64()).unwrap_or(Ordering::Equal)
        }
        (Some(x), Some(y)) => jsonpath::text_of(x).cmp(&jsonpath::text_of(y)),
    }
}

/// Human-readable output: one table per run of the same resource type.
fn print_tables(
    cluster: &Cluster,
    fetched: &[Fetched],
    requests: &[Request],
    options: &GetOptions,
    wide: bool,
    out: &mut String,
) -> Result<(), String> {
    let mut kinds: Vec<Kind> = requests.iter().map(|r| r.resource.kind).collect();
    crate::sort::sort(&mut kinds);
    kinds.dedup();
    let with_kind = kinds.len() > 1 || options.show_kind;
    let now = cluster.clock.now();
    let mut index = 0;
    while index < fetched.len() {
        // Consecutive results of one type share a table, as kubectl keeps one
        // printer while the mapping does not change.
        let rt = fetched[index].resource;
        let mut objects: Vec<&Object> = Vec::new();
        while index < fetched.len() && fetched[index].resource.kind == rt.kind {
            objects.extend(fetched[index].objects.iter().copied());
            index += 1;
        }
        if objects.is_empty() {
            continue;
        }
        if let Some(path) = &options.sort_by {
            sort_objects(&mut objects, path)?;
        }
        if !out.is_empty() && !options.no_headers {
            out.push('\n');
        }
        let table = table_cells(&objects, rt, options, wide, with_kind, now);
        tabwriter::write_cells(&table, usize::from(options.no_headers), out);
    }
    Ok(())
}

/// The header and rows of one table, decorated as cli-runtime's `printTable`
/// decorates them: NAMESPACE first with `-A`, `-L` columns, then LABELS. The header
/// is row 0, always there (`--no-headers` skips it when writing).
pub fn table_cells(
    objects: &[&Object],
    rt: &ResourceType,
    options: &GetOptions,
    wide: bool,
    with_kind: bool,
    now: k8s_openapi::chrono::DateTime<k8s_openapi::chrono::Utc>,
) -> Cells {
    let columns = table::columns(rt.kind);
    let shown: Vec<usize> = (0..columns.len()).filter(|&i| wide || columns[i].priority == 0).collect();
    let with_namespace = options.all_namespaces && rt.namespaced;
    let cells_per_row = shown.len() + usize::from(with_namespace) + options.label_columns.len() + usize::from(options.show_labels);
    let mut table = Cells::with_capacity(objects.len() + 1, cells_per_row, 16 * cells_per_row);
    if with_namespace {
        table.push("NAMESPACE");
    }
    for &i in &shown {
        table.push(&columns[i].name.to_uppercase());
    }
    for key in &options.label_columns {
        table.push(&key.rsplit('/').next().unwrap_or(key).to_uppercase());
    }
    if options.show_labels {
        table.push("LABELS");
    }
    table.end_row();
    // Each object's wide row goes to a scratch buffer, reused, and the shown
    // columns are copied from there: no String per cell.
    let mut scratch = Cells::new();
    for object in objects {
        scratch.clear();
        table::write_row(object, now, &mut scratch);
        scratch.end_row();
        if with_namespace {
            table.push(object.namespace());
        }
        let mut row = scratch.row(0);
        let mut next = 0;
        for &i in &shown {
            let cell = row.nth(i - next).unwrap_or("");
            next = i + 1;
            // The Name column becomes `kind.group/name` when several types print.
            if with_kind && i == 0 && rt.kind != Kind::Event {
                table.push_str(&rt.qualified_kind_lower());
                table.push_str("/");
            }
            table.push_str(cell);
            table.end_cell_clipped();
        }
        let object_labels = object.metadata().labels.as_ref();
        for key in &options.label_columns {
            table.push(object_labels.and_then(|l| l.get(key)).map(String::as_str).unwrap_or_default());
        }
        if options.show_labels {
            table.push(&labels::format_labels(object_labels));
        }
        table.end_row();
    }
    table
}

/// `printGeneric`: yaml, json, name, jsonpath and custom columns.
fn print_generic(fetched: &[Fetched], single_item: bool, options: &GetOptions, out: &mut String) -> Result<(), String> {
    let mut objects: Vec<&Object> = fetched.iter().flat_map(|f| f.objects.iter().copied()).collect();
    if let Some(path) = &options.sort_by {
        sort_objects(&mut objects, path)?;
    }
    let items: Vec<Value> = objects.iter().map(|o| o.to_json()).collect();
    let single = single_item && items.len() == 1;
    let data = if single {
        items.first().cloned().unwrap_or(Value::Null)
    } else {
        json!({"apiVersion": "v1", "items": items, "kind": "List", "metadata": {"resourceVersion": ""}})
    };
    match &options.format {
        OutputFormat::Yaml => yaml::write(&data, out),
        OutputFormat::Json => json_printer::write(&data, out),
        OutputFormat::Name => {
            for o in &objects {
                out.push_str(&format!("{}/{}\n", o.resource_type().qualified_kind_lower(), o.name()));
            }
        }
        OutputFormat::JsonPath { template, as_json } => {
            let parsed = JsonPath::parse(template).map_err(|e| format!("error parsing jsonpath {template}, {e}"))?;
            if *as_json {
                let values = parsed
                    .values(&data, options.allow_missing_keys)
                    .map_err(|e| format!("error executing jsonpath {template:?}: {e}"))?;
                json_printer::write(&Value::Array(values), out);
            } else {
                let text = parsed
                    .execute(&data, options.allow_missing_keys)
                    .map_err(|e| format!("error executing jsonpath {template:?}: Error executing template: {e}"))?;
                out.push_str(&text);
            }
        }
        OutputFormat::CustomColumns(columns) => {
            let mut rows: Vec<Vec<String>> = Vec::new();
            if !options.no_headers {
                rows.push(columns.iter().map(|(h, _)| h.clone()).collect());
            }
            let parsed: Vec<JsonPath> = columns
                .iter()
                .map(|(_, p)| JsonPath::parse(p))
                .collect::<Result<_, _>>()
                .map_err(|e| format!("unexpected path string: {e}"))?;
            let per_item: Vec<Value> = if single { vec![data.clone()] } else { objects.iter().map(|o| o.to_json()).collect() };
            for item in &per_item {
                let row = parsed
                    .iter()
                    .map(|p| {
                        let values = p.values(item, true).unwrap_or_default();
                        if values.is_empty() {
                            "<none>".to_string()
                        } else {
                            values.iter().map(jsonpath::text_of).collect::<Vec<_>>().join(",")
                        }
                    })
                    .collect();
                rows.push(row);
            }
            tabwriter::write_table(&rows, out);
        }
        OutputFormat::Table { .. } => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn argument_forms() {
        let (r, single) = resolve_args(&args("svc web")).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((r.len(), single), (1, true));
        let (r, single) = resolve_args(&args("svc,deploy web")).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((r.len(), single), (2, false));
        let (r, _) = resolve_args(&args("all")).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.iter().map(|r| r.resource.kind).collect::<Vec<_>>(), ALL_CATEGORY);
        let (r, single) = resolve_args(&args("svc/web deploy/web")).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((r.len(), single), (2, false));
        assert_eq!(resolve_args(&args("pods/x svc")).err().as_deref(), Some(SEPARATE_TYPE_ERROR));
        assert_eq!(
            resolve_args(&args("pods/")).err().as_deref(),
            Some("arguments in resource/name form must have a single resource and name")
        );
        assert_eq!(resolve_args(&args("foo")).err().as_deref(), Some("the server doesn't have a resource type \"foo\""));
    }

    #[test]
    fn watch_prints_the_table_then_one_row_per_change() {
        use crate::clock::Clock;
        use crate::cluster::Topology;
        let mut cluster = Cluster::kind(Clock::from_unix_millis(1_767_603_600_000), 1, &Topology::default());
        let mut out = Output::default();
        let mut watch = Watch::start(&cluster, &args("get ns -w")[1..], &mut out).unwrap_or_else(|c| panic!("exit {c}"));
        assert!(out.stdout.starts_with("NAME                 STATUS   AGE\n"), "{}", out.stdout);
        let mut poll = Output::default();
        watch.poll(&cluster, &mut poll);
        assert_eq!(poll.stdout, "", "nothing changed");
        let mut ns = cluster.store.get(&ObjectKey::new(Kind::Namespace, "", "default")).cloned().unwrap_or_else(|| panic!("no default ns"));
        ns.metadata_mut().labels = Some([("team".to_string(), "a".to_string())].into_iter().collect());
        cluster.store.put(ns);
        watch.poll(&cluster, &mut poll);
        assert_eq!(poll.stdout, "default              Active   10m\n");
    }

    #[test]
    fn watch_holds_the_interactive_terminal_until_ctrl_c() {
        use crate::simulator::{ClusterConfig, Simulator};
        let mut sim = Simulator::new(ClusterConfig::default());
        sim.shell.set_interactive_terminal(true);
        sim.run_line("kubectl create deployment web --image=nginx --replicas=1");
        let start = sim.cluster.clock.now().timestamp_millis();
        sim.poll(start + 30_000);
        let first = sim.run_line("kubectl get pods -w");
        assert_eq!(first.exit_code, 0);
        assert!(first.stdout.starts_with("NAME                   READY   STATUS    RESTARTS   AGE\nweb-"), "{}", first.stdout);
        assert_eq!(first.stdout.lines().count(), 2, "{}", first.stdout);
        assert!(sim.shell.foreground_active(), "the watch holds the terminal");
        // Scale through the cluster, as another terminal would.
        let mut scale = Output::default();
        let args: Vec<String> = ["scale", "deployment", "web", "--replicas=2"].iter().map(|s| s.to_string()).collect();
        assert_eq!(crate::kubectl::run(&mut sim.cluster, &args, None, &mut scale), 0, "{}", scale.stderr);
        crate::controllers::reconcile(&mut sim.cluster);
        let now = sim.cluster.clock.now().timestamp_millis();
        let rows = sim.poll(now + 1_000).stdout;
        assert!(rows.contains("0/1     Pending"), "a new pod appears: {rows}");
        assert!(!rows.contains("NAME"), "no second header: {rows}");
        let later = sim.poll(now + 30_000).stdout;
        assert!(later.contains("1/1     Running"), "and starts: {later}");
        let stopped = sim.feed_keys("\x03");
        assert_eq!(stopped.display, "^C\n", "kubectl prints nothing on Ctrl-C");
        assert_eq!(stopped.exit_code, 130);
        assert!(!sim.shell.foreground_active());
        assert_eq!(sim.poll(now + 60_000).stdout, "", "the watch is over");
    }

    #[test]
    fn watch_in_batch_mode_prints_the_listing_and_returns() {
        use crate::simulator::{ClusterConfig, Simulator};
        let mut sim = Simulator::new(ClusterConfig::default());
        let out = sim.run_line("kubectl get ns -w");
        assert!(out.stdout.starts_with("NAME "), "{}", out.stdout);
        assert!(!sim.shell.foreground_active());
        assert_eq!(out.exit_code, 0);
    }

    #[test]
    fn output_formats() {
        assert_eq!(OutputFormat::parse("jsonpath={.a}", ""), Ok(OutputFormat::JsonPath { template: "{.a}".into(), as_json: false }));
        assert_eq!(OutputFormat::parse("jsonpath", "{.a}"), Ok(OutputFormat::JsonPath { template: "{.a}".into(), as_json: false }));
        assert!(OutputFormat::parse("foo", "").err().is_some_and(|e| e.starts_with("unable to match a printer")));
        assert_eq!(
            OutputFormat::parse("custom-columns=NAME:.metadata.name", ""),
            Ok(OutputFormat::CustomColumns(vec![("NAME".into(), "{.metadata.name}".into())]))
        );
        // kubectl splits each column at its first ':' only, and accepts an empty
        // header or path; braces must pair around the whole path.
        assert_eq!(OutputFormat::parse("custom-columns=::::", ""), Ok(OutputFormat::CustomColumns(vec![("".into(), "{.:::}".into())])));
        assert_eq!(
            OutputFormat::parse("custom-columns=NAME:.metadata.name,IP", ""),
            Err("unexpected custom-columns spec: IP, expected <header>:<json-path-expr>".to_string())
        );
        assert_eq!(
            OutputFormat::parse("custom-columns=NAME:{.metadata.name", ""),
            Err("unexpected path string, expected a 'name1.name2' or '.name1.name2' or '{name1.name2}' or '{.name1.name2}'".to_string())
        );
        assert_eq!(
            OutputFormat::parse("custom-columns=", ""),
            Err("custom-columns format specified but no custom columns given".to_string())
        );
    }
}
