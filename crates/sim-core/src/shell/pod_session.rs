//! A shell inside a pod: what `kubectl exec -it POD -- sh` and `kubectl run -it
//! --image=busybox -- sh` open. While a [`PodSession`] is open the learner's lines go
//! to it (in the browser and in transcripts alike), the prompt is the one the image's
//! shell shows (busybox `/ # `, curlimages/curl `~ $ `, Debian bash
//! `root@web-7d4b9c8f5-abcde:/# `), programs run from the pod's network namespace
//! (DNS search domains, ClusterIPs, traces with the pod as the client) and programs
//! the image does not ship get the shell's own `sh: foo: not found` (exit 127).
//! `exit` closes it: an exec session just ends, an attached `kubectl run` ends the
//! container's main process, and with `--rm` kubectl deletes the pod.
//!
//! The commands themselves ([`run_in_pod`]) are shared with the non-interactive
//! `kubectl exec POD -- CMD`.

use k8s_openapi::api::core::v1::{Container, Pod};
use k8s_openapi::chrono::Duration;

use super::Shell;
use crate::cluster::Cluster;
use crate::network::{self, Place};
use crate::resources::Kind;
use crate::simulator::Output;
use crate::store::{Object, ObjectKey};

/// Which shell program answers: its prompt and its error texts differ.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShellKind {
    /// busybox ash (busybox, alpine, curlimages/curl): `sh: foo: not found`.
    Ash,
    /// Debian's dash as `/bin/sh`: `sh: 1: foo: not found`, prompt `# `.
    Dash,
    /// GNU bash: `bash: foo: command not found`, prompt `root@HOST:/# `.
    Bash,
}

/// The shell an image runs for `program` (`sh`, `bash`, `/bin/sh`, `ash`), or `None`
/// when the image has no such program (scratch images such as hashicorp/http-echo
/// and traefik/whoami have no shell at all; busybox has no bash).
pub fn image_shell(image: &str, program: &str) -> Option<ShellKind> {
    let program = program.rsplit('/').next().unwrap_or(program);
    let name = network::workloads::image_name(image);
    let family = image_family(&name);
    match (family, program) {
        (Family::Scratch, _) => None,
        (Family::Busybox, "sh" | "ash") => Some(ShellKind::Ash),
        (Family::Busybox, _) => None,
        (Family::Alpine, "sh" | "ash") => Some(ShellKind::Ash),
        // netshoot is alpine with bash installed.
        (Family::Alpine, "bash") if name == "nicolaka/netshoot" => Some(ShellKind::Bash),
        (Family::Alpine, _) => None,
        (Family::Debian | Family::Unknown, "sh") => Some(ShellKind::Dash),
        (Family::Debian | Family::Unknown, "bash") => Some(ShellKind::Bash),
        _ => None,
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Family {
    Busybox,
    Alpine,
    Debian,
    Scratch,
    Unknown,
}

fn image_family(name: &str) -> Family {
    match name {
        "busybox" | "registry.k8s.io/busybox" | "e2e-test-images/agnhost" => Family::Busybox,
        "alpine" | "curlimages/curl" | "nicolaka/netshoot" => Family::Alpine,
        "nginx" | "httpd" | "debian" | "ubuntu" | "e2e-test-images/jessie-dnsutils" | "dnsutils" => Family::Debian,
        "hashicorp/http-echo" | "traefik/whoami" | "containous/whoami" | "pause" | "registry.k8s.io/pause" => Family::Scratch,
        _ => Family::Unknown,
    }
}

/// The user an image runs as, its home, and the working directory (the image's
/// `USER`, its passwd entry and `WORKDIR`).
fn image_user(image: &str) -> (&'static str, &'static str, &'static str) {
    match network::workloads::image_name(image).as_str() {
        // curl's image runs as the unprivileged curl_user in its home directory.
        "curlimages/curl" => ("curl_user", "/home/curl_user", "/home/curl_user"),
        // httpd's Dockerfile sets WORKDIR $HTTPD_PREFIX.
        "httpd" => ("root", "/root", "/usr/local/apache2"),
        _ => ("root", "/root", "/"),
    }
}

/// The top-level directories of an image's root filesystem, for `ls /`.
fn root_listing(image: &str) -> &'static [&'static str] {
    match image_family(&network::workloads::image_name(image)) {
        Family::Busybox => &["bin", "dev", "etc", "home", "lib", "lib64", "proc", "root", "sys", "tmp", "usr", "var"],
        Family::Alpine => &["bin", "dev", "etc", "home", "lib", "media", "mnt", "opt", "proc", "root", "run", "sbin", "srv", "sys", "tmp", "usr", "var"],
        _ if network::workloads::image_name(image) == "nginx" => &[
            "bin", "boot", "dev", "docker-entrypoint.d", "docker-entrypoint.sh", "etc", "home", "lib", "lib64", "media", "mnt", "opt",
            "proc", "root", "run", "sbin", "srv", "sys", "tmp", "usr", "var",
        ],
        _ => &["bin", "boot", "dev", "etc", "home", "lib", "lib64", "media", "mnt", "opt", "proc", "root", "run", "sbin", "srv", "sys", "tmp", "usr", "var"],
    }
}

/// What happens when the shell exits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SessionEnd {
    /// `kubectl exec -it`: the exec session ends; a non-zero status is reported as
    /// `command terminated with exit code N`.
    Exec,
    /// `kubectl run -it`: the shell is the container's main process, so its exit
    /// ends the container; kubectl then waits for the pod's exit code (restart
    /// policy Never or OnFailure) and, with `--rm`, deletes the pod.
    Attach { remove: bool, restart_policy: String },
}

/// An open shell inside a pod.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PodSession {
    pub namespace: String,
    pub pod: String,
    pub container: String,
    pub image: String,
    pub kind: ShellKind,
    pub user: String,
    pub home: String,
    pub cwd: String,
    pub last_exit_code: i32,
    /// dash numbers the lines it reads (`sh: 3: foo: not found`).
    pub line_number: u32,
    pub end: SessionEnd,
    /// The process environment (`env`), fixed when the shell started.
    pub env: Vec<(String, String)>,
    /// Whether kubectl gave the shell a terminal (`-t`).
    pub tty: bool,
}

impl PodSession {
    pub fn new(cluster: &Cluster, pod: &Pod, container: &Container, kind: ShellKind, end: SessionEnd, tty: bool) -> PodSession {
        let image = container.image.clone().unwrap_or_default();
        let (user, home, workdir) = image_user(&image);
        let mut env = process_env(cluster, pod, container, tty);
        env.push(("SHLVL".to_string(), "1".to_string()));
        env.push(("PWD".to_string(), workdir.to_string()));
        PodSession {
            namespace: pod.metadata.namespace.clone().unwrap_or_default(),
            pod: pod.metadata.name.clone().unwrap_or_default(),
            container: container.name.clone(),
            image,
            kind,
            user: user.to_string(),
            home: home.to_string(),
            cwd: workdir.to_string(),
            last_exit_code: 0,
            line_number: 0,
            end,
            env,
            tty,
        }
    }

    /// The prompt the image's shell prints.
    pub fn prompt(&self) -> String {
        let sign = if self.user == "root" { '#' } else { '$' };
        let dir = if self.cwd == self.home {
            "~".to_string()
        } else if let Some(rest) = self.cwd.strip_prefix(&format!("{}/", self.home)) {
            format!("~/{rest}")
        } else {
            self.cwd.clone()
        };
        match self.kind {
            // busybox's default PS1 is '\w \$ '.
            ShellKind::Ash => format!("{dir} {sign} "),
            // dash's default PS1 is '# ' for root and '$ ' otherwise.
            ShellKind::Dash => format!("{sign} "),
            // Debian's /etc/bash.bashrc: '\u@\h:\w\$ ', the host being the pod name.
            ShellKind::Bash => format!("{}@{}:{dir}{sign} ", self.user, self.pod),
        }
    }

    fn place(&self) -> Place {
        Place::pod(&self.namespace, &self.pod)
    }

    /// The prefix of the shell's own error messages.
    fn error_prefix(&self) -> String {
        match self.kind {
            ShellKind::Ash => "sh: ".to_string(),
            ShellKind::Dash => format!("sh: {}: ", self.line_number),
            ShellKind::Bash => "bash: ".to_string(),
        }
    }

    fn not_found(&self, program: &str, out: &mut Output) -> i32 {
        match self.kind {
            ShellKind::Bash => out.err(&format!("bash: {program}: command not found\n")),
            _ => out.err(&format!("{}{program}: not found\n", self.error_prefix())),
        }
        127
    }

    /// Runs one line typed at the pod's prompt. `Some(code)` means the shell exited.
    pub fn run_line(&mut self, cluster: &mut Cluster, line: &str, out: &mut Output) -> Option<i32> {
        self.line_number += 1;
        let Some(pod) = current_pod(cluster, &self.namespace, &self.pod) else {
            // The pod went away under the shell: the connection drops.
            return Some(137);
        };
        let commands = match split_line(line) {
            Ok(c) => c,
            Err(what) => {
                out.err(&format!("kubesim: {what} inside a pod's shell are not simulated\n"));
                self.last_exit_code = 2;
                return None;
            }
        };
        let mut code = self.last_exit_code;
        let mut skip = false;
        for (words, connector) in commands {
            if !skip {
                let words: Vec<String> = words.iter().map(|w| self.expand(w)).collect();
                if let Some(first) = words.first() {
                    if first == "exit" {
                        let status = words.get(1).and_then(|w| w.parse::<i32>().ok()).unwrap_or(self.last_exit_code);
                        return Some(status & 0xff);
                    }
                    code = self.run_command(cluster, &pod, &words, out);
                    self.last_exit_code = code;
                }
            }
            skip = match connector {
                Connector::And => code != 0,
                Connector::Or => code == 0,
                Connector::Then => false,
            };
        }
        None
    }

    /// `$NAME`, `${NAME}` and `$?` from the shell's environment; a leading `~`.
    fn expand(&self, word: &Word) -> String {
        if !word.expand {
            return word.text.clone();
        }
        let mut text = word.text.clone();
        if text == "~" || text.starts_with("~/") {
            text = format!("{}{}", self.home, &text[1..]);
        }
        let mut out = String::new();
        let chars: Vec<char> = text.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if c != '$' || word.literal_dollars.contains(&i) {
                out.push(c);
                i += 1;
                continue;
            }
            let rest: String = chars[i + 1..].iter().collect();
            if rest.starts_with('?') {
                out.push_str(&self.last_exit_code.to_string());
                i += 2;
            } else if let Some(inner) = rest.strip_prefix('{') {
                match inner.find('}') {
                    Some(end) => {
                        out.push_str(&self.var(&inner[..end]));
                        i += 2 + inner[..end].chars().count() + 1;
                    }
                    None => {
                        out.push(c);
                        i += 1;
                    }
                }
            } else {
                let name: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
                if name.is_empty() {
                    out.push(c);
                    i += 1;
                } else {
                    out.push_str(&self.var(&name));
                    i += 1 + name.chars().count();
                }
            }
        }
        out
    }

    fn var(&self, name: &str) -> String {
        if name == "PWD" {
            return self.cwd.clone();
        }
        self.env.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default()
    }

    fn run_command(&mut self, cluster: &mut Cluster, pod: &Pod, words: &[String], out: &mut Output) -> i32 {
        let program = words.first().map(|w| w.rsplit('/').next().unwrap_or(w).to_string()).unwrap_or_default();
        match program.as_str() {
            "cd" => return self.cd(words.get(1).map(String::as_str), out),
            "pwd" => {
                out.out(&format!("{}\n", self.cwd));
                return 0;
            }
            "clear" => {
                out.out("\x1b[H\x1b[2J");
                return 0;
            }
            "sh" | "bash" | "ash" if words.len() == 1 => {
                out.err("kubesim: a shell inside the pod's shell is not simulated; type 'exit' to leave this one\n");
                return 1;
            }
            _ => {}
        }
        let context = InPod {
            place: self.place(),
            pod,
            image: &self.image,
            cwd: &self.cwd,
            user: &self.user,
            env: &self.env,
            shell: Some(self.kind),
        };
        match run_in_pod(cluster, &context, words, None, out) {
            Ran::Code(code) => code,
            Ran::Missing => self.not_found(words.first().map(String::as_str).unwrap_or(""), out),
        }
    }

    fn cd(&mut self, target: Option<&str>, out: &mut Output) -> i32 {
        let target = target.unwrap_or(&self.home).to_string();
        let path = if target.starts_with('/') { target.clone() } else { format!("{}/{}", self.cwd.trim_end_matches('/'), target) };
        let path = normalize(&path);
        let top = path.trim_start_matches('/').split('/').next().unwrap_or("");
        let exists = path == "/" || path == self.home || path == self.cwd || root_listing(&self.image).contains(&top) && path.matches('/').count() == 1;
        if exists {
            self.cwd = path;
            return 0;
        }
        if path.starts_with("/etc") || path.starts_with("/usr") || path.starts_with("/var") {
            out.err(&format!("kubesim: 'cd {target}' inside a pod is not simulated (the pod's shell knows the top-level directories)\n"));
            return 1;
        }
        match self.kind {
            ShellKind::Ash => {
                out.err(&format!("sh: cd: can't cd to {target}: No such file or directory\n"));
                2
            }
            ShellKind::Dash => {
                out.err(&format!("{}cd: can't cd to {target}\n", self.error_prefix()));
                2
            }
            ShellKind::Bash => {
                out.err(&format!("bash: cd: {target}: No such file or directory\n"));
                1
            }
        }
    }
}

/// `/a/./b/../c` as `/a/c`.
fn normalize(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for p in path.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    format!("/{}", parts.join("/"))
}

fn current_pod(cluster: &Cluster, namespace: &str, name: &str) -> Option<Pod> {
    match cluster.store.get(&ObjectKey::new(Kind::Pod, namespace, name)) {
        Some(Object::Pod(p)) if p.metadata.deletion_timestamp.is_none() => Some((**p).clone()),
        _ => None,
    }
}

/// The environment the container runtime gives a process in the container: PATH,
/// HOSTNAME, TERM with a tty, the container's `env`, the Service variables the
/// kubelet injects (`enableServiceLinks`: every Service of the namespace with a
/// ClusterIP that existed when the pod was created, and `kubernetes`), and HOME.
pub fn process_env(cluster: &Cluster, pod: &Pod, container: &Container, tty: bool) -> Vec<(String, String)> {
    let image = container.image.clone().unwrap_or_default();
    let (_, home, _) = image_user(&image);
    let mut env = vec![
        ("PATH".to_string(), "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".to_string()),
        ("HOSTNAME".to_string(), pod.metadata.name.clone().unwrap_or_default()),
    ];
    if tty {
        env.push(("TERM".to_string(), "xterm".to_string()));
    }
    for e in container.env.iter().flatten() {
        env.push((e.name.clone(), e.value.clone().unwrap_or_default()));
    }
    let namespace = pod.metadata.namespace.clone().unwrap_or_default();
    let created = pod.metadata.creation_timestamp.as_ref().map(|t| t.0);
    let links = pod.spec.as_ref().and_then(|s| s.enable_service_links).unwrap_or(true);
    for object in cluster.store.list(Kind::Service, None) {
        let Object::Service(service) = object else { continue };
        let ns = service.metadata.namespace.as_deref().unwrap_or("");
        let name = service.metadata.name.as_deref().unwrap_or("");
        // The master Service is injected even without service links.
        let master = ns == "default" && name == "kubernetes";
        if !(master || links && ns == namespace) {
            continue;
        }
        let existed = match (created, service.metadata.creation_timestamp.as_ref()) {
            (Some(p), Some(s)) => s.0 <= p,
            _ => true,
        };
        let Some(spec) = service.spec.as_ref() else { continue };
        let ip = spec.cluster_ip.clone().unwrap_or_default();
        if !existed || ip.is_empty() || ip == "None" {
            continue;
        }
        let prefix = name.to_ascii_uppercase().replace('-', "_");
        let ports = spec.ports.clone().unwrap_or_default();
        let Some(first) = ports.first() else { continue };
        env.push((format!("{prefix}_SERVICE_HOST"), ip.clone()));
        env.push((format!("{prefix}_SERVICE_PORT"), first.port.to_string()));
        for p in &ports {
            if let Some(port_name) = p.name.as_deref().filter(|n| !n.is_empty()) {
                env.push((format!("{prefix}_SERVICE_PORT_{}", port_name.to_ascii_uppercase().replace('-', "_")), p.port.to_string()));
            }
        }
        let proto = first.protocol.clone().unwrap_or_else(|| "TCP".into()).to_ascii_lowercase();
        env.push((format!("{prefix}_PORT"), format!("{proto}://{ip}:{}", first.port)));
        for p in &ports {
            let protocol = p.protocol.clone().unwrap_or_else(|| "TCP".into());
            let lower = protocol.to_ascii_lowercase();
            let key = format!("{prefix}_PORT_{}_{}", p.port, protocol.to_ascii_uppercase());
            env.push((key.clone(), format!("{lower}://{ip}:{}", p.port)));
            env.push((format!("{key}_PROTO"), lower));
            env.push((format!("{key}_PORT"), p.port.to_string()));
            env.push((format!("{key}_ADDR"), ip.clone()));
        }
    }
    env.push(("HOME".to_string(), home.to_string()));
    env
}

/// Where a command inside a pod runs and what it sees.
pub struct InPod<'a> {
    pub place: Place,
    pub pod: &'a Pod,
    pub image: &'a str,
    pub cwd: &'a str,
    pub user: &'a str,
    pub env: &'a [(String, String)],
    /// The shell the command was typed into, if any (`kubectl exec POD -- CMD` has none).
    pub shell: Option<ShellKind>,
}

/// What running a command inside a pod came to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ran {
    Code(i32),
    /// The image does not ship the program: a shell says `sh: foo: not found`, the
    /// container runtime says `executable file not found in $PATH`.
    Missing,
}

/// Runs one command (argv, already expanded) inside a pod: the network programs
/// through the network model from the pod's place, and the few file and process
/// facts a learner looks at (`hostname`, `env`, `cat /etc/resolv.conf`, `ls /`).
pub fn run_in_pod(cluster: &mut Cluster, context: &InPod<'_>, command: &[String], stdin: Option<&str>, out: &mut Output) -> Ran {
    let Some(first) = command.first() else { return Ran::Code(0) };
    let program = first.rsplit('/').next().unwrap_or("").to_string();
    let image = context.image;
    let known = network::image_programs_known(image);
    let builtin = context.shell.is_some() && matches!(program.as_str(), "echo" | "true" | "false" | "pwd" | "printf");
    if !builtin && known && !network::image_has_program(image, &program) && !extra_program(image, &program) {
        return Ran::Missing;
    }
    if matches!(program.as_str(), "kubectl" | "nano" | "vi" | "vim") && !known {
        // Application images do not ship kubectl or an editor either.
        return Ran::Missing;
    }
    if let Some(code) = network::programs::run_program(cluster, &context.place, command, stdin, out) {
        return Ran::Code(code);
    }
    let pod_name = context.pod.metadata.name.clone().unwrap_or_default();
    let namespace = context.pod.metadata.namespace.clone().unwrap_or_default();
    let args = command.get(1..).unwrap_or(&[]);
    let code = match program.as_str() {
        "hostname" => {
            out.out(&format!("{pod_name}\n"));
            0
        }
        "echo" => {
            let (newline, words) = match args.first().map(String::as_str) {
                Some("-n") => (false, args.get(1..).unwrap_or(&[])),
                _ => (true, args),
            };
            out.out(&words.join(" "));
            if newline {
                out.out("\n");
            }
            0
        }
        "true" => 0,
        "false" => 1,
        "pwd" => {
            out.out(&format!("{}\n", context.cwd));
            0
        }
        "whoami" => {
            out.out(&format!("{}\n", context.user));
            0
        }
        "id" if args.is_empty() => {
            let text = if context.user == "root" {
                "uid=0(root) gid=0(root) groups=0(root)\n".to_string()
            } else {
                // curl_user in curlimages/curl: uid 100, in group curl_group (101).
                format!("uid=100({}) gid=101(curl_group) groups=101(curl_group)\n", context.user)
            };
            out.out(&text);
            0
        }
        "env" | "printenv" if args.is_empty() => {
            for (k, v) in context.env {
                out.out(&format!("{k}={v}\n"));
            }
            0
        }
        "printenv" => {
            let mut code = 0;
            for name in args {
                match context.env.iter().rev().find(|(k, _)| k == name) {
                    Some((_, v)) => out.out(&format!("{v}\n")),
                    None => code = 1,
                }
            }
            code
        }
        "cat" if !args.is_empty() => {
            let mut code = 0;
            for file in args {
                match pod_file(context.pod, &namespace, &pod_name, file) {
                    Some(text) => out.out(&text),
                    None if file.starts_with("/etc/") || file.starts_with("/proc/") || file.starts_with("/usr/") => {
                        out.err(&format!("kubesim: 'cat {file}' inside a pod is not simulated\n"));
                        return Ran::Code(1);
                    }
                    None => {
                        out.err(&format!("cat: {file}: No such file or directory\n"));
                        code = 1;
                    }
                }
            }
            code
        }
        "ls" => return Ran::Code(ls(context, args, out)),
        "sleep" => {
            let seconds = args.first().and_then(|a| a.trim_end_matches('s').parse::<f64>().ok());
            match seconds {
                Some(s) if s.is_finite() && (0.0..=3600.0).contains(&s) => {
                    let to = cluster.clock.now() + Duration::milliseconds((s * 1000.0) as i64);
                    crate::controllers::advance(cluster, to);
                    0
                }
                _ => {
                    out.err(&format!("kubesim: '{}' inside a pod is not simulated\n", command.join(" ")));
                    1
                }
            }
        }
        _ => {
            out.err(&format!("kubesim: '{}' inside a pod is not simulated\n", command.join(" ")));
            1
        }
    };
    Ran::Code(code)
}

/// Programs every image of a family ships that [`network::image_has_program`] does
/// not list (it lists what the network cares about).
fn extra_program(image: &str, program: &str) -> bool {
    let family = image_family(&network::workloads::image_name(image));
    let common = ["pwd", "whoami", "id", "printenv", "true", "false", "clear", "ps", "mkdir", "rm", "touch", "grep", "head", "tail", "top", "uname", "date"];
    match family {
        Family::Busybox | Family::Alpine | Family::Debian => common.contains(&program) || (family != Family::Debian && program == "vi"),
        _ => false,
    }
}

/// The files the kubelet writes into every pod, and the image's own few a learner reads.
fn pod_file(pod: &Pod, namespace: &str, pod_name: &str, file: &str) -> Option<String> {
    Some(match file {
        "/etc/resolv.conf" => format!("search {namespace}.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n"),
        "/etc/hostname" => format!("{pod_name}\n"),
        "/etc/hosts" => {
            let ip = pod.status.as_ref().and_then(|s| s.pod_ip.clone()).unwrap_or_default();
            format!(
                "# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n{ip}\t{pod_name}\n"
            )
        }
        _ => return None,
    })
}

/// `ls` of the root directory or an empty home; other directories are not simulated.
fn ls(context: &InPod<'_>, args: &[String], out: &mut Output) -> i32 {
    let targets: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
    if args.iter().any(|a| a.starts_with('-')) || targets.len() > 1 {
        out.err(&format!("kubesim: 'ls {}' inside a pod is not simulated\n", args.join(" ")));
        return 1;
    }
    let dir = match targets.first() {
        Some(t) if t.starts_with('/') => normalize(t),
        Some(t) => normalize(&format!("{}/{}", context.cwd, t)),
        None => context.cwd.to_string(),
    };
    let (_, home, _) = image_user(context.image);
    if dir == home || dir == "/tmp" {
        return 0; // empty
    }
    if dir != "/" {
        out.err(&format!("kubesim: 'ls {dir}' inside a pod is not simulated (only / is)\n"));
        return 1;
    }
    let names: Vec<String> = root_listing(context.image).iter().map(|s| s.to_string()).collect();
    let family = image_family(&network::workloads::image_name(context.image));
    if matches!(family, Family::Busybox | Family::Alpine) {
        out.out(&busybox_columns(&names));
    } else {
        out.out(&super::coreutils::columns(&names, false));
    }
    0
}

/// busybox ls's layout: every column as wide as the longest name plus two, as many
/// columns as fit in 80, filled top to bottom.
fn busybox_columns(names: &[String]) -> String {
    let width = names.iter().map(|n| n.chars().count()).max().unwrap_or(0) + 2;
    let per_row = (80 / width.max(1)).max(1);
    let rows = names.len().div_ceil(per_row).max(1);
    let cols = names.len().div_ceil(rows);
    let mut text = String::new();
    for r in 0..rows {
        let mut line = String::new();
        for c in 0..cols {
            if let Some(name) = names.get(c * rows + r) {
                let last = c + 1 == cols || names.get((c + 1) * rows + r).is_none();
                if last {
                    line.push_str(name);
                } else {
                    line.push_str(&format!("{name:<width$}"));
                }
            }
        }
        text.push_str(&line);
        text.push('\n');
    }
    text
}

/// One word of a typed line: its text after quote removal, and whether `$` and `~`
/// expand in it (not inside single quotes).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Word {
    text: String,
    expand: bool,
    /// Positions of `$` that came from single quotes or a backslash.
    literal_dollars: Vec<usize>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Connector {
    Then,
    And,
    Or,
}

/// Splits a line into simple commands joined by `;`, `&&` and `||`. Pipes,
/// redirections, background jobs and substitutions are reported by name.
fn split_line(line: &str) -> Result<Vec<(Vec<Word>, Connector)>, &'static str> {
    let mut commands = Vec::new();
    let mut words: Vec<Word> = Vec::new();
    let mut cur = Word { expand: true, ..Word::default() };
    let mut started = false;
    let mut quote: Option<char> = None;
    let chars: Vec<char> = line.chars().collect();
    let mut i = 0;
    let push_word = |words: &mut Vec<Word>, cur: &mut Word, started: &mut bool| {
        if *started {
            words.push(std::mem::replace(cur, Word { expand: true, ..Word::default() }));
            *started = false;
        }
    };
    while i < chars.len() {
        let c = chars[i];
        match quote {
            Some('\'') if c == '\'' => quote = None,
            Some('\'') => {
                if c == '$' {
                    cur.literal_dollars.push(cur.text.chars().count());
                }
                cur.text.push(c);
            }
            Some(_) if c == '"' => quote = None,
            Some(_) if c == '`' || (c == '$' && chars.get(i + 1) == Some(&'(')) => return Err("command substitutions"),
            Some(_) => cur.text.push(c),
            None => match c {
                '\'' | '"' => {
                    quote = Some(c);
                    started = true;
                }
                '\\' => {
                    if let Some(&next) = chars.get(i + 1) {
                        if next == '$' {
                            cur.literal_dollars.push(cur.text.chars().count());
                        }
                        cur.text.push(next);
                        i += 1;
                    }
                    started = true;
                }
                '#' if !started => break,
                c if c.is_whitespace() => push_word(&mut words, &mut cur, &mut started),
                ';' => {
                    push_word(&mut words, &mut cur, &mut started);
                    commands.push((std::mem::take(&mut words), Connector::Then));
                }
                '&' if chars.get(i + 1) == Some(&'&') => {
                    push_word(&mut words, &mut cur, &mut started);
                    commands.push((std::mem::take(&mut words), Connector::And));
                    i += 1;
                }
                '|' if chars.get(i + 1) == Some(&'|') => {
                    push_word(&mut words, &mut cur, &mut started);
                    commands.push((std::mem::take(&mut words), Connector::Or));
                    i += 1;
                }
                '|' => return Err("pipes"),
                '>' | '<' => return Err("redirections"),
                '&' => return Err("background jobs"),
                '`' => return Err("command substitutions"),
                '$' if chars.get(i + 1) == Some(&'(') => return Err("command substitutions"),
                '(' | ')' => return Err("subshells"),
                _ => {
                    cur.text.push(c);
                    started = true;
                }
            },
        }
        i += 1;
    }
    if quote.is_some() {
        return Err("unterminated quotes");
    }
    push_word(&mut words, &mut cur, &mut started);
    commands.push((words, Connector::Then));
    Ok(commands)
}

/// Splits `sh -c` text the way [`split_line`] does, for `kubectl exec POD -- sh -c '...'`.
pub fn run_script(cluster: &mut Cluster, session: &mut PodSession, script: &str, out: &mut Output) -> i32 {
    for line in script.lines() {
        if let Some(code) = session.run_line(cluster, line, out) {
            return code;
        }
    }
    session.last_exit_code
}

impl Shell {
    /// The prompt while a pod's shell is open.
    pub(crate) fn pod_prompt(&self) -> Option<String> {
        self.pod_session.as_ref().map(PodSession::prompt)
    }

    /// Runs a line in the open pod shell; when the shell exits, kubectl finishes
    /// the exec or the attached run (exit code, `--rm`).
    pub(crate) fn run_pod_line(&mut self, cluster: &mut Cluster, line: &str) -> Output {
        let mut output = Output::default();
        let Some(mut session) = self.pod_session.take() else { return output };
        let exited = if line.trim().is_empty() { None } else { session.run_line(cluster, line, &mut output) };
        match exited {
            None => {
                output.exit_code = session.last_exit_code;
                self.pod_session = Some(session);
            }
            Some(code) => {
                let code = end_session(cluster, &session, code, &mut output);
                self.last_exit_code = code;
                output.exit_code = code;
            }
        }
        output
    }
}

/// What kubectl does once the shell in the pod has exited with `code`.
pub fn end_session(cluster: &mut Cluster, session: &PodSession, code: i32, out: &mut Output) -> i32 {
    match &session.end {
        SessionEnd::Exec => {
            if code != 0 {
                out.err(&format!("command terminated with exit code {code}\n"));
            }
            code
        }
        SessionEnd::Attach { remove, restart_policy } => {
            end_main_process(cluster, &session.namespace, &session.pod, code);
            if restart_policy == "Always" && session.tty {
                // attach tells how to come back: the kubelet restarts the shell.
                out.out(&format!(
                    "Session ended, resume using 'kubectl attach {} -c {} -i -t' command when the pod is running\n",
                    session.pod, session.container
                ));
            }
            finish_attached_run(cluster, &session.namespace, &session.pod, *remove, restart_policy, out)
        }
    }
}

/// The container's main process exited with `code` now: the kubelet sees it at its
/// next sync and sets the container terminated (Completed or Error).
pub fn end_main_process(cluster: &mut Cluster, namespace: &str, pod: &str, code: i32) {
    let Some(uid) = current_pod(cluster, namespace, pod).and_then(|p| p.metadata.uid) else { return };
    let now = cluster.clock.now();
    if let Some(runtime) = cluster.controllers.kubelet.pods.get_mut(&uid) {
        if let Some(container) = runtime.containers.first_mut() {
            container.exits = Some((now, code));
        }
    }
    crate::controllers::unsettle(cluster);
    crate::controllers::reconcile(cluster);
}

/// After an attached `kubectl run` ends: wait for the pod's exit code when the
/// restart policy lets the pod finish, delete the pod with `--rm`, and return the
/// exit status kubectl returns.
pub fn finish_attached_run(cluster: &mut Cluster, namespace: &str, pod: &str, remove: bool, restart_policy: &str, out: &mut Output) -> i32 {
    let mut result = 0;
    let mut error = String::new();
    if restart_policy == "Never" || restart_policy == "OnFailure" {
        let want = |phase: &str| if restart_policy == "Never" { phase == "Succeeded" || phase == "Failed" } else { phase == "Succeeded" };
        let phase = wait_for(cluster, namespace, pod, 60, |p| want(&phase_of(p)));
        match phase {
            Some(p) if phase_of(&p) == "Failed" => {
                let terminated = p
                    .status
                    .as_ref()
                    .and_then(|s| s.container_statuses.as_ref())
                    .and_then(|cs| cs.first())
                    .and_then(|c| c.state.as_ref())
                    .and_then(|s| s.terminated.clone());
                match terminated.filter(|t| t.exit_code != 0) {
                    Some(t) => {
                        result = t.exit_code;
                        error = format!(
                            "error: pod {namespace}/{pod} terminated ({})\n{}\n",
                            t.reason.unwrap_or_default(),
                            t.message.unwrap_or_default()
                        );
                    }
                    None => {
                        result = 1;
                        error = format!("error: pod {namespace}/{pod} failed with unknown exit code\n");
                    }
                }
            }
            Some(_) => {}
            None => {
                result = 1;
                error = "error: timed out waiting for the condition\n".to_string();
            }
        }
    }
    if remove {
        // kubectl deletes what it created (deferred, so before the error is printed),
        // without waiting for the deletion to finish.
        let opts = crate::apiserver::DeleteOptions::default();
        if crate::apiserver::delete(cluster, Kind::Pod, namespace, pod, &opts).is_ok() {
            out.out(&format!("pod \"{pod}\" deleted\n"));
        }
    }
    if !error.is_empty() {
        // The terminated message is usually empty; kubectl prints it after the reason.
        out.err(error.trim_end_matches('\n'));
        out.err("\n");
    }
    result
}

pub fn phase_of(pod: &Pod) -> String {
    pod.status.as_ref().and_then(|s| s.phase.clone()).unwrap_or_default()
}

/// Advances the virtual clock a second at a time (controllers reconciling) until the
/// pod satisfies `done`, for at most `seconds`; `None` when it never did (or is gone).
pub fn wait_for(cluster: &mut Cluster, namespace: &str, pod: &str, seconds: i64, done: impl Fn(&Pod) -> bool) -> Option<Pod> {
    for second in 0..=seconds {
        if second > 0 {
            let to = cluster.clock.now() + Duration::seconds(1);
            crate::controllers::advance(cluster, to);
        } else {
            crate::controllers::reconcile(cluster);
        }
        let pod = match cluster.store.get(&ObjectKey::new(Kind::Pod, namespace, pod)) {
            Some(Object::Pod(p)) => (**p).clone(),
            _ => return None,
        };
        if done(&pod) {
            return Some(pod);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_split_into_commands_and_words() {
        let commands = split_line("echo 'a b' \"$HOME\" && false || echo x; hostname").unwrap_or_default();
        let texts: Vec<Vec<String>> = commands.iter().map(|(w, _)| w.iter().map(|w| w.text.clone()).collect()).collect();
        assert_eq!(texts, vec![vec!["echo", "a b", "$HOME"], vec!["false"], vec!["echo", "x"], vec!["hostname"]]);
        assert_eq!(commands.iter().map(|(_, c)| *c).collect::<Vec<_>>(), vec![Connector::And, Connector::Or, Connector::Then, Connector::Then]);
        assert_eq!(split_line("curl web | head"), Err("pipes"));
        assert_eq!(split_line("echo hi > f"), Err("redirections"));
        assert_eq!(split_line("echo $(hostname)"), Err("command substitutions"));
        assert_eq!(split_line("echo 'unterminated"), Err("unterminated quotes"));
    }

    #[test]
    fn busybox_lists_root_in_two_rows() {
        let names: Vec<String> = root_listing("busybox").iter().map(|s| s.to_string()).collect();
        assert_eq!(busybox_columns(&names), "bin    etc    lib    proc   sys    usr\ndev    home   lib64  root   tmp    var\n");
    }

    /// The browser's path: lines typed at the pod's prompt go to the pod, requests are
    /// traced with the pod as the client, and `exit` gives the terminal back.
    #[test]
    fn a_pod_shell_holds_the_terminal_until_exit() {
        use crate::simulator::{ClusterConfig, Simulator};
        let mut sim = Simulator::new(ClusterConfig::default());
        sim.shell.set_interactive_terminal(true);
        sim.run_line("kubectl create deployment web --image=nginx");
        sim.run_line("kubectl expose deployment web --port=80");
        sim.advance_by_millis(10_000);
        let out = sim.run_line("kubectl run test --rm -it --image=busybox --restart=Never -- sh");
        assert_eq!(out.display, "If you don't see a command prompt, try pressing enter.\n");
        assert_eq!(sim.prompt(), "/ # ");
        let out = sim.run_line("wget -qO- http://web");
        assert!(out.stdout.contains("Welcome to nginx!"), "{out:?}");
        let trace = sim.cluster.network.last_trace().cloned();
        assert_eq!(trace.map(|t| t.client), Some(Place::pod("default", "test")));
        let out = sim.run_line("curl web");
        assert_eq!((out.stderr.as_str(), out.exit_code), ("sh: curl: not found\n", 127));
        let out = sim.run_line("exit 0");
        assert_eq!(out.display, "pod \"test\" deleted\n");
        assert_eq!(sim.prompt(), "learner@kubesim:~$ ");
        assert!(sim.shell.pod_session.is_none());
        // exec -it into a Debian image: bash's prompt names the pod.
        let pod = sim.cluster.store.list(Kind::Pod, Some("default")).map(|o| o.name().to_string()).find(|n| n.starts_with("web-"));
        let pod = pod.unwrap_or_default();
        sim.run_line(&format!("kubectl exec -it {pod} -- bash"));
        assert_eq!(sim.prompt(), format!("root@{pod}:/# "));
        let out = sim.run_line("exit 2");
        assert_eq!((out.display.as_str(), out.exit_code), ("command terminated with exit code 2\n", 2));
    }

    #[test]
    fn shells_by_image() {
        assert_eq!(image_shell("busybox:1.36", "sh"), Some(ShellKind::Ash));
        assert_eq!(image_shell("busybox", "bash"), None);
        assert_eq!(image_shell("nginx", "bash"), Some(ShellKind::Bash));
        assert_eq!(image_shell("nginx:1.27", "/bin/sh"), Some(ShellKind::Dash));
        assert_eq!(image_shell("hashicorp/http-echo", "sh"), None);
        assert_eq!(image_shell("curlimages/curl", "sh"), Some(ShellKind::Ash));
    }
}
