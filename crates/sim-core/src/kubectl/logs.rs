//! `kubectl logs`: what a container wrote, as the kubelet would hand it over.
//!
//! A container's log is its image's start-up lines (nginx's entrypoint and worker
//! start notices, httpd's AH00558/AH00094 lines), stamped at the container's start on
//! the virtual clock, followed by the access-log lines the network model recorded for
//! requests the pod served. Images kubesim does not model write nothing. The errors
//! are the API server's: a container still waiting, no previous instance, a pod that
//! does not exist.

use k8s_openapi::api::core::v1::{Container, Pod};
use k8s_openapi::chrono::{DateTime, Utc};

use super::create::namespace_of;
use super::flags;
use super::host::Host;
use super::output;
use crate::apiserver::{self, Status, StatusReason};
use crate::cluster::Cluster;
use crate::labels;
use crate::network::workloads::{self, Workload};
use crate::resources::Kind;
use crate::simulator::Output;
use crate::store::{Object, ObjectKey};

pub fn run(cluster: &mut Cluster, host: &mut Host, args: &[String], _stdin: Option<&str>, out: &mut Output) -> i32 {
    let flags = match flags::parse_or_report("logs", args, out) {
        Ok(f) => f,
        Err(code) => return code,
    };
    let namespace = namespace_of(host, &flags);
    let selector_text = flags.string("selector");
    let mut container_name = flags.string("container");
    let positional = flags.positional.clone();
    let pods: Vec<Pod> = if !selector_text.is_empty() {
        if !positional.is_empty() {
            out.err("error: only one of -l or POD can be specified\n");
            return 1;
        }
        let selector = match labels::parse(&selector_text) {
            Ok(s) => s,
            Err(e) => {
                out.err(&format!("error: {e}\n"));
                return 1;
            }
        };
        let found: Vec<Pod> = pods_in(cluster, &namespace).into_iter().filter(|p| selector.matches_opt(p.metadata.labels.as_ref())).collect();
        if found.is_empty() {
            out.err(&format!("No resources found in {namespace} namespace.\n"));
            return 0;
        }
        found
    } else {
        let Some(first) = positional.first() else {
            out.err("error: expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\nPOD or TYPE/NAME is a required argument for the logs command\nSee 'kubectl logs -h' for help and examples\n");
            return 1;
        };
        if positional.len() == 2 && container_name.is_empty() {
            container_name = positional[1].clone();
        } else if positional.len() > 2 {
            out.err("error: expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\nPOD or TYPE/NAME is a required argument for the logs command\nSee 'kubectl logs -h' for help and examples\n");
            return 1;
        }
        match first.split_once('/') {
            None => match apiserver::get(cluster, Kind::Pod, &namespace, first) {
                Ok(Object::Pod(p)) => vec![(**p).clone()],
                Ok(_) => return 1,
                Err(status) if status.reason == crate::apiserver::StatusReason::NotFound => {
                    // logs.go looks the pod up itself and words the miss its own way.
                    out.err(&format!("error: error from server (NotFound): pods \"{first}\" not found in namespace \"{namespace}\"\n"));
                    return 1;
                }
                Err(status) => return output::print_status(&status, out),
            },
            Some((type_name, name)) => {
                let rt = match output::lookup(type_name) {
                    Ok(rt) => rt,
                    Err(t) => {
                        out.err(&t);
                        return 1;
                    }
                };
                match pod_for(cluster, rt.kind, &namespace, name, out) {
                    Ok(p) => vec![p],
                    Err(code) => return code,
                }
            }
        }
    };
    // --tail defaults to -1 (everything) for one pod, and to 10 with a selector.
    let tail = if !selector_text.is_empty() && !flags.changed("tail") { 10 } else { flags.int("tail") };
    let previous = flags.bool("previous");
    let prefix = flags.bool("prefix");
    let timestamps = flags.bool("timestamps");
    let mut errors: Vec<Status> = Vec::new();
    for pod in &pods {
        let pod_name = pod.metadata.name.clone().unwrap_or_default();
        let containers: Vec<Container> = pod.spec.as_ref().map(|s| s.containers.clone()).unwrap_or_default();
        let chosen: Vec<&Container> = if flags.bool("all-containers") {
            containers.iter().collect()
        } else if container_name.is_empty() {
            if containers.len() > 1 && selector_text.is_empty() {
                let names: Vec<&str> = containers.iter().map(|c| c.name.as_str()).collect();
                out.err(&format!("Defaulted container \"{}\" out of: {}\n", names[0], names.join(", ")));
            }
            containers.iter().take(1).collect()
        } else {
            match containers.iter().find(|c| c.name == container_name) {
                Some(c) => vec![c],
                None => {
                    out.err(&format!("error: container {container_name} is not valid for pod {pod_name}\n"));
                    return 1;
                }
            }
        };
        for container in chosen {
            match container_log(cluster, pod, container, previous) {
                Ok(lines) => {
                    let start = if tail >= 0 { lines.len().saturating_sub(tail as usize) } else { 0 };
                    for (at, line) in &lines[start..] {
                        let mut text = String::new();
                        if prefix {
                            text.push_str(&format!("[pod/{pod_name}/{}] ", container.name));
                        }
                        if timestamps {
                            text.push_str(&at.format("%Y-%m-%dT%H:%M:%S%.9fZ ").to_string());
                        }
                        text.push_str(line);
                        text.push('\n');
                        out.out(&text);
                    }
                }
                Err(status) => errors.push(status),
            }
        }
    }
    // `-f`: in the browser's terminal the log stays open and new lines (requests the
    // pod serves) appear as the virtual clock runs, until Ctrl-C; a batch run shows
    // what was written so far and returns, as the shell does for every stream.
    if flags.bool("follow") && errors.is_empty() {
        if let Some(sh) = host.shell.as_mut() {
            if sh.interactive_terminal {
                let followed: Vec<(String, String, usize)> = pods
                    .iter()
                    .map(|p| {
                        let ns = p.metadata.namespace.clone().unwrap_or_default();
                        let name = p.metadata.name.clone().unwrap_or_default();
                        let seen = crate::network::access_log(cluster, &ns, &name).len();
                        (ns, name, seen)
                    })
                    .collect();
                sh.foreground = Some(crate::shell::Foreground::Stream(Box::new(Following { pods: followed, prefix })));
            }
        }
    }
    if let Some(status) = errors.first() {
        return output::print_status(status, out);
    }
    0
}

/// `kubectl logs -f` holding the terminal: prints access-log lines as they appear.
#[derive(Clone, Debug)]
struct Following {
    /// (namespace, pod, lines already printed).
    pods: Vec<(String, String, usize)>,
    prefix: bool,
}

impl crate::shell::StreamJob for Following {
    fn poll(&mut self, cluster: &mut Cluster, out: &mut Output) -> Option<i32> {
        for (namespace, pod, seen) in self.pods.iter_mut() {
            let lines = crate::network::access_log(cluster, namespace, pod);
            // The log is rotated (older half dropped) when it grows; start over then.
            if lines.len() < *seen {
                *seen = 0;
            }
            for line in &lines[*seen..] {
                if self.prefix {
                    out.out(&format!("[pod/{pod}] {line}\n"));
                } else {
                    out.out(&format!("{line}\n"));
                }
            }
            *seen = lines.len();
        }
        None
    }

    fn clone_box(&self) -> Box<dyn crate::shell::StreamJob> {
        Box::new(self.clone())
    }
}

fn pods_in(cluster: &Cluster, namespace: &str) -> Vec<Pod> {
    cluster
        .store
        .list(Kind::Pod, Some(namespace))
        .filter_map(|o| match o {
            Object::Pod(p) => Some((**p).clone()),
            _ => None,
        })
        .collect()
}

/// `logs deploy/web`: kubectl picks one pod of the workload (`AttachablePodForObject`)
/// and says which when there are several.
fn pod_for(cluster: &Cluster, kind: Kind, namespace: &str, name: &str, out: &mut Output) -> Result<Pod, i32> {
    let object = match apiserver::get(cluster, kind, namespace, name) {
        Ok(o) => o.clone(),
        Err(status) => return Err(output::print_status(&status, out)),
    };
    let selector = match &object {
        Object::Pod(p) => return Ok((**p).clone()),
        Object::Deployment(d) => d.spec.as_ref().map(|s| s.selector.clone()),
        Object::ReplicaSet(r) => r.spec.as_ref().map(|s| s.selector.clone()),
        Object::Service(s) => s.spec.as_ref().and_then(|s| s.selector.clone()).map(|m| {
            k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector { match_labels: Some(m), match_expressions: None }
        }),
        _ => None,
    };
    let Some(selector) = selector else {
        out.err(&format!("error: cannot get the logs from {}\n", object.resource_type().qualified_kind_lower()));
        return Err(1);
    };
    let mut pods: Vec<Pod> = pods_in(cluster, namespace)
        .into_iter()
        .filter(|p| labels::label_selector_matches(Some(&selector), p.metadata.labels.as_ref()))
        .collect();
    // Active pods first, then by age, newest first: the order kubectl sorts by.
    crate::sort::sort_by(&mut pods, |a, b| {
        let running = |p: &Pod| p.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Running");
        running(b).cmp(&running(a)).then_with(|| b.metadata.creation_timestamp.cmp(&a.metadata.creation_timestamp))
    });
    match pods.first() {
        None => {
            out.err(&format!("error: timed out waiting for the condition\n"));
            Err(1)
        }
        Some(p) => {
            if pods.len() > 1 {
                out.err(&format!("Found {} pods, using pod/{}\n", pods.len(), p.metadata.name.clone().unwrap_or_default()));
            }
            Ok(p.clone())
        }
    }
}

/// The lines a container wrote, with when each was written.
pub fn container_log(cluster: &Cluster, pod: &Pod, container: &Container, previous: bool) -> Result<Vec<(DateTime<Utc>, String)>, Status> {
    let pod_name = pod.metadata.name.clone().unwrap_or_default();
    let namespace = pod.metadata.namespace.clone().unwrap_or_default();
    let status = pod
        .status
        .as_ref()
        .and_then(|s| s.container_statuses.as_ref())
        .and_then(|cs| cs.iter().find(|c| c.name == container.name).cloned());
    let bad = |message: String| Status { code: 400, reason: StatusReason::BadRequest, message, details: None };
    let Some(status) = status else {
        return Err(bad(format!("container \"{}\" in pod \"{pod_name}\" is waiting to start: ContainerCreating", container.name)));
    };
    let state = status.state.clone().unwrap_or_default();
    if previous {
        let Some(last) = status.last_state.as_ref().and_then(|s| s.terminated.as_ref()) else {
            return Err(bad(format!("previous terminated container \"{}\" in pod \"{pod_name}\" not found", container.name)));
        };
        let started = last.started_at.as_ref().map(|t| t.0).unwrap_or_else(|| cluster.clock.now());
        return Ok(startup_lines(cluster, pod, container, started));
    }
    let started = if let Some(running) = &state.running {
        running.started_at.as_ref().map(|t| t.0)
    } else if let Some(terminated) = &state.terminated {
        terminated.started_at.as_ref().map(|t| t.0)
    } else if let Some(waiting) = &state.waiting {
        let reason = waiting.reason.clone().unwrap_or_default();
        if reason == "CrashLoopBackOff" {
            // The log of the last run is still there.
            status.last_state.as_ref().and_then(|s| s.terminated.as_ref()).and_then(|t| t.started_at.as_ref()).map(|t| t.0)
        } else {
            let why = match reason.as_str() {
                "ErrImagePull" | "ImagePullBackOff" => "trying and failing to pull image".to_string(),
                other => other.to_string(),
            };
            return Err(bad(format!("container \"{}\" in pod \"{pod_name}\" is waiting to start: {why}", container.name)));
        }
    } else {
        None
    };
    let Some(started) = started else {
        return Err(bad(format!("container \"{}\" in pod \"{pod_name}\" is waiting to start: ContainerCreating", container.name)));
    };
    let mut lines = startup_lines(cluster, pod, container, started);
    let served = crate::network::access_log(cluster, &namespace, &pod_name);
    let now = cluster.clock.now();
    lines.extend(served.into_iter().map(|l| (now, l)));
    Ok(lines)
}

/// What an image prints when it starts.
fn startup_lines(cluster: &Cluster, pod: &Pod, container: &Container, started: DateTime<Utc>) -> Vec<(DateTime<Utc>, String)> {
    let stamp = started.format("%Y/%m/%d %H:%M:%S").to_string();
    let node = pod.spec.as_ref().and_then(|s| s.node_name.clone()).unwrap_or_default();
    let cpus = match cluster.store.get(&ObjectKey::new(Kind::Node, "", &node)) {
        Some(Object::Node(n)) => n
            .status
            .as_ref()
            .and_then(|s| s.capacity.as_ref())
            .and_then(|c| c.get("cpu"))
            .and_then(|q| q.0.parse::<u32>().ok())
            .unwrap_or(1),
        _ => 1,
    }
    .clamp(1, 64);
    let kernel = match cluster.store.get(&ObjectKey::new(Kind::Node, "", &node)) {
        Some(Object::Node(n)) => n.status.as_ref().and_then(|s| s.node_info.as_ref()).map(|i| i.kernel_version.clone()).unwrap_or_default(),
        _ => String::new(),
    };
    let mut lines = Vec::new();
    match workloads::workload(container) {
        Workload::Nginx { version } => {
            for l in [
                "/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration",
                "/docker-entrypoint.sh: Looking for shell scripts in /docker-entrypoint.d/",
                "/docker-entrypoint.sh: Launching /docker-entrypoint.d/10-listen-on-ipv6-by-default.sh",
                "10-listen-on-ipv6-by-default.sh: info: Getting the checksum of /etc/nginx/conf.d/default.conf",
                "10-listen-on-ipv6-by-default.sh: info: Enabled listen on IPv6 in /etc/nginx/conf.d/default.conf",
                "/docker-entrypoint.sh: Sourcing /docker-entrypoint.d/15-local-resolvers.envsh",
                "/docker-entrypoint.sh: Launching /docker-entrypoint.d/20-envsubst-on-templates.sh",
                "/docker-entrypoint.sh: Launching /docker-entrypoint.d/30-tune-worker-processes.sh",
                "/docker-entrypoint.sh: Configuration complete; ready for start up",
            ] {
                lines.push((started, l.to_string()));
            }
            let notices = [
                "using the \"epoll\" event method".to_string(),
                format!("nginx/{version}"),
                "built by gcc 12.2.0 (Debian 12.2.0-14) ".to_string(),
                format!("OS: Linux {kernel}"),
                "getrlimit(RLIMIT_NOFILE): 1048576:1048576".to_string(),
                "start worker processes".to_string(),
            ];
            for n in notices {
                lines.push((started, format!("{stamp} [notice] 1#1: {n}")));
            }
            for i in 0..cpus {
                lines.push((started, format!("{stamp} [notice] 1#1: start worker process {}", 29 + i)));
            }
        }
        Workload::Httpd => {
            let ip = pod.status.as_ref().and_then(|s| s.pod_ip.clone()).unwrap_or_default();
            let apache_time = started.format("%a %b %d %H:%M:%S%.6f %Y").to_string();
            let msg = format!("AH00558: httpd: Could not reliably determine the server's fully qualified domain name, using {ip}. Set the 'ServerName' directive globally to suppress this message");
            lines.push((started, msg.clone()));
            lines.push((started, msg));
            lines.push((started, format!("[{apache_time}] [mpm_event:notice] [pid 1:tid 1] AH00489: Apache/2.4.62 (Unix) configured -- resuming normal operations")));
            lines.push((started, format!("[{apache_time}] [core:notice] [pid 1:tid 1] AH00094: Command line: 'httpd -D FOREGROUND'")));
        }
        _ => {}
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::Clock;
    use crate::cluster::Topology;
    use crate::shell::StreamJob;

    #[test]
    fn following_prints_new_lines_once() {
        let mut c = Cluster::kind(Clock::from_unix_millis(1_767_603_600_000), 1, &Topology::default());
        c.network.log("default", "web", "first".to_string());
        let mut job = Following { pods: vec![("default".into(), "web".into(), 1)], prefix: false };
        let mut out = Output::default();
        assert_eq!(job.poll(&mut c, &mut out), None);
        assert_eq!(out.stdout, "");
        c.network.log("default", "web", "second".to_string());
        job.poll(&mut c, &mut out);
        job.poll(&mut c, &mut out);
        assert_eq!(out.stdout, "second\n");
    }

    #[test]
    fn waiting_containers_have_no_log_yet() {
        let mut c = Cluster::kind(Clock::from_unix_millis(1_767_603_600_000), 1, &Topology::default());
        let mut out = Output::default();
        let args: Vec<String> = ["run", "p", "--image=nginx"].iter().map(|s| s.to_string()).collect();
        crate::kubectl::run(&mut c, &args, None, &mut out);
        let mut out = Output::default();
        let args: Vec<String> = ["logs", "p"].iter().map(|s| s.to_string()).collect();
        let code = crate::kubectl::run(&mut c, &args, None, &mut out);
        assert_eq!(code, 1);
        assert_eq!(out.stderr, "Error from server (BadRequest): container \"p\" in pod \"p\" is waiting to start: ContainerCreating\n");
    }
}
