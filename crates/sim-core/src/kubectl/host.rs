//! What kubectl gets from the machine it runs on: the files behind `-f`, the
//! kubeconfig (`~/.kube/config`) with its current context and namespace, and the
//! editor behind `kubectl edit`.
//!
//! kubectl run by the shell sees the learner's virtual filesystem and editor; run
//! alone (vector tests, library callers) it sees no files and kind's default
//! kubeconfig, as a fresh `kind create cluster` leaves it.

use serde_json::{json, Value};

use crate::shell::Shell;
use crate::vfs::{Vfs, VfsError, HOME};

/// The port kind published the API server on. kind picks a free host port; kubesim
/// fixes one so transcripts are stable.
pub const API_SERVER_PORT: u16 = 36035;

/// The machine around one kubectl invocation.
#[derive(Default)]
pub struct Host<'a> {
    pub shell: Option<&'a mut Shell>,
}

impl<'a> Host<'a> {
    pub fn new(shell: Option<&'a mut Shell>) -> Self {
        Host { shell }
    }

    /// A path as typed, made absolute against the working directory.
    pub fn resolve(&self, path: &str) -> String {
        match &self.shell {
            Some(sh) => Vfs::resolve(&sh.cwd, path),
            None => Vfs::resolve(HOME, path),
        }
    }

    pub fn read_file(&self, path: &str) -> Result<String, VfsError> {
        match &self.shell {
            Some(sh) => sh.vfs.read(&self.resolve(path)).map(str::to_string),
            None => Err(VfsError::NotFound),
        }
    }

    pub fn is_dir(&self, path: &str) -> bool {
        match &self.shell {
            Some(sh) => sh.vfs.is_dir(&self.resolve(path)),
            None => false,
        }
    }

    /// Entries of a directory (names only), sorted as `ioutil.ReadDir` returns them.
    pub fn list_dir(&self, path: &str) -> Vec<String> {
        match &self.shell {
            Some(sh) => {
                let mut names = sh.vfs.list(&self.resolve(path)).unwrap_or_default();
                crate::sort::sort(&mut names);
                names
            }
            None => Vec::new(),
        }
    }

    /// The kubeconfig in effect: `~/.kube/config` when the learner's machine has one
    /// that parses, kind's otherwise.
    pub fn kubeconfig(&self) -> KubeConfig {
        let text = self.shell.as_ref().and_then(|sh| sh.vfs.read(&kubeconfig_path()).ok().map(str::to_string));
        match text {
            Some(t) => match serde_yaml_ng::from_str::<Value>(&t) {
                Ok(v) if v.is_object() => KubeConfig(v),
                _ => KubeConfig::kind(),
            },
            None => KubeConfig::kind(),
        }
    }

    /// Writes the kubeconfig back to `~/.kube/config` (creating `~/.kube`). Without a
    /// shell there is nowhere to keep it, and the change is lost, as with a read-only home.
    pub fn save_kubeconfig(&mut self, config: &KubeConfig, now: k8s_openapi::chrono::DateTime<k8s_openapi::chrono::Utc>) -> Result<(), String> {
        let Some(sh) = self.shell.as_mut() else {
            return Ok(());
        };
        let dir = format!("{HOME}/.kube");
        if !sh.vfs.is_dir(&dir) {
            sh.vfs.mkdir(&dir, true, now).map_err(|e| e.message().to_string())?;
        }
        let text = crate::printers::yaml::to_string(&config.0);
        sh.vfs.write(&kubeconfig_path(), &text, false, now).map_err(|e| e.message().to_string())
    }

    /// The namespace commands use without `-n`: the current context's, else `default`.
    pub fn default_namespace(&self) -> String {
        self.kubeconfig().namespace().unwrap_or_else(|| "default".to_string())
    }
}

pub fn kubeconfig_path() -> String {
    format!("{HOME}/.kube/config")
}

/// A kubeconfig as its YAML decodes (kept as JSON so unknown fields survive).
#[derive(Clone, Debug, PartialEq)]
pub struct KubeConfig(pub Value);

impl KubeConfig {
    /// What `kind create cluster` writes (credentials shown as kubectl's `config view`
    /// shows them: kubesim has no keys to hide).
    pub fn kind() -> KubeConfig {
        KubeConfig(json!({
            "apiVersion": "v1",
            "clusters": [{"cluster": {"certificate-authority-data": "DATA+OMITTED", "server": format!("https://127.0.0.1:{API_SERVER_PORT}")}, "name": "kind-kind"}],
            "contexts": [{"context": {"cluster": "kind-kind", "user": "kind-kind"}, "name": "kind-kind"}],
            "current-context": "kind-kind",
            "kind": "Config",
            "preferences": {},
            "users": [{"name": "kind-kind", "user": {"client-certificate-data": "DATA+OMITTED", "client-key-data": "DATA+OMITTED"}}],
        }))
    }

    pub fn current_context(&self) -> String {
        self.0.get("current-context").and_then(Value::as_str).unwrap_or("").to_string()
    }

    pub fn contexts(&self) -> Vec<Value> {
        self.0.get("contexts").and_then(Value::as_array).cloned().unwrap_or_default()
    }

    pub fn context(&self, name: &str) -> Option<Value> {
        self.contexts().into_iter().find(|c| c.get("name").and_then(Value::as_str) == Some(name))
    }

    /// The current context's namespace, if it sets one.
    pub fn namespace(&self) -> Option<String> {
        let ctx = self.context(&self.current_context())?;
        ctx.pointer("/context/namespace").and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_string)
    }

    /// The API server URL of the current context's cluster.
    pub fn server(&self) -> String {
        let cluster = self
            .context(&self.current_context())
            .and_then(|c| c.pointer("/context/cluster").and_then(Value::as_str).map(str::to_string))
            .unwrap_or_default();
        self.0
            .get("clusters")
            .and_then(Value::as_array)
            .and_then(|cs| cs.iter().find(|c| c.get("name").and_then(Value::as_str) == Some(cluster.as_str())))
            .and_then(|c| c.pointer("/cluster/server").and_then(Value::as_str))
            .unwrap_or("")
            .to_string()
    }

    /// Sets (or with `None` removes) a field of a context's `context` map, creating the
    /// context if needed, as `kubectl config set-context` does.
    pub fn set_context_field(&mut self, name: &str, field: &str, value: Option<&str>) {
        if !self.0.get("contexts").is_some_and(Value::is_array) {
            self.0["contexts"] = json!([]);
        }
        let Some(contexts) = self.0.get_mut("contexts").and_then(Value::as_array_mut) else { return };
        let index = match contexts.iter().position(|c| c.get("name").and_then(Value::as_str) == Some(name)) {
            Some(i) => i,
            None => {
                contexts.push(json!({"context": {}, "name": name}));
                contexts.len() - 1
            }
        };
        let Some(ctx) = contexts.get_mut(index) else { return };
        if !ctx.get("context").is_some_and(Value::is_object) {
            ctx["context"] = json!({});
        }
        if let Some(map) = ctx.get_mut("context").and_then(Value::as_object_mut) {
            match value {
                Some(v) => {
                    map.insert(field.to_string(), Value::String(v.to_string()));
                }
                None => {
                    map.remove(field);
                }
            }
        }
    }

    pub fn set_current_context(&mut self, name: &str) {
        self.0["current-context"] = Value::String(name.to_string());
    }
}
