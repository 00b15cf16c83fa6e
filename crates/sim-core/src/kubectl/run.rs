//! `kubectl run NAME --image=IMAGE`: one Pod, built as kubectl's pod generator
//! builds it (`run=NAME` label unless `--labels`, `dnsPolicy: ClusterFirst`,
//! `restartPolicy` from `--restart`, arguments after `--` as `args`, or as `command`
//! with `--command`), and with `--expose` a ClusterIP Service in front of it.

use serde_json::{json, Map, Value};

use super::create::{field_validation, namespace_of, send_create};
use super::flags;
use super::host::Host;
use super::output::{self, DryRun};
use crate::cluster::Cluster;
use crate::resources::{self, Kind};
use crate::simulator::Output;

pub fn run(cluster: &mut Cluster, host: &mut Host, args: &[String], _stdin: Option<&str>, out: &mut Output) -> i32 {
    let flags = match flags::parse_or_report("run", args, out) {
        Ok(f) => f,
        Err(code) => return code,
    };
    let format = flags.string("output");
    if let Err(code) = output::check_output_format(&format, out) {
        return code;
    }
    // cobra checks the required flag before the command looks at NAME.
    if !flags.changed("image") {
        out.err("error: required flag(s) \"image\" not set\n");
        return 1;
    }
    let before_dash = flags.args_len_at_dash.unwrap_or(flags.positional.len()).min(flags.positional.len());
    let Some(name) = flags.positional.first().filter(|_| before_dash > 0).cloned() else {
        out.err("error: NAME is required for run\nSee 'kubectl run -h' for help and examples\n");
        return 1;
    };
    let rest: Vec<String> = flags.positional[1..].to_vec();
    let image = flags.string("image");
    let restart = flags.string("restart");
    let restart = if restart.is_empty() { "Always".to_string() } else { restart };
    if !matches!(restart.as_str(), "Always" | "OnFailure" | "Never") {
        out.err(&format!("error: invalid restart policy: {restart}\nSee 'kubectl run -h' for help and examples\n"));
        return 1;
    }
    let attach = flags.bool("stdin") || flags.bool("tty") || flags.bool("attach") || flags.bool("rm");
    if flags.bool("rm") && !(flags.bool("stdin") || flags.bool("attach")) {
        out.err("error: --rm should only be used for attached containers\nSee 'kubectl run -h' for help and examples\n");
        return 1;
    }
    let dry_run = match output::dry_run(cluster, &flags, out) {
        Ok(d) => d,
        Err(code) => return code,
    };
    if attach && dry_run != DryRun::None {
        out.err("error: --dry-run=[server|client] can't be used with attached containers options (--attach, --stdin, or --tty)\nSee 'kubectl run -h' for help and examples\n");
        return 1;
    }
    if attach {
        out.err("kubesim: 'kubectl run -it' is not simulated: attaching to a container needs an interactive session; run the pod without -i/-t/--rm and use 'kubectl exec' or 'kubectl logs'\n");
        return 1;
    }
    // `--port` is a string flag here; empty means no port.
    let port_text = flags.string("port");
    let port: i64 = if port_text.is_empty() {
        -1
    } else {
        match port_text.parse::<i64>() {
            Ok(p) => p,
            Err(_) => {
                out.err(&format!("error: strconv.Atoi: parsing \"{port_text}\": invalid syntax\n"));
                return 1;
            }
        }
    };
    let expose = flags.bool("expose");
    if expose && port < 1 {
        out.err("error: --port must be set when exposing a service\nSee 'kubectl run -h' for help and examples\n");
        return 1;
    }

    // Labels: `--labels=a=b,c=d`, else `run=NAME`.
    let mut labels = Map::new();
    let labels_text = flags.string("labels");
    if labels_text.is_empty() {
        labels.insert("run".into(), json!(name));
    } else {
        for pair in labels_text.split(',') {
            let Some((k, v)) = pair.split_once('=') else {
                out.err(&format!("error: invalid label spec: {pair}\n"));
                return 1;
            };
            labels.insert(k.to_string(), json!(v));
        }
    }
    let mut container = json!({"image": image, "name": name, "resources": {}});
    if !rest.is_empty() {
        let field = if flags.bool("command") { "command" } else { "args" };
        container[field] = json!(rest);
    }
    let envs = flags.list("env");
    if !envs.is_empty() {
        let mut list = Vec::new();
        for e in envs {
            let (k, v) = e.split_once('=').unwrap_or((e.as_str(), ""));
            list.push(json!({"name": k, "value": v}));
        }
        container["env"] = Value::Array(list);
    }
    if port >= 0 {
        container["ports"] = json!([{"containerPort": port}]);
    }
    let pull_policy = flags.string("image-pull-policy");
    if !pull_policy.is_empty() {
        container["imagePullPolicy"] = json!(pull_policy);
    }
    if flags.bool("stdin") {
        container["stdin"] = json!(true);
        container["stdinOnce"] = json!(true);
    }
    if flags.bool("tty") {
        container["tty"] = json!(true);
    }
    let mut metadata = json!({"creationTimestamp": null, "labels": Value::Object(labels.clone()), "name": name});
    let annotations = flags.list("annotations");
    if !annotations.is_empty() {
        let mut a = Map::new();
        for pair in annotations {
            let (k, v) = pair.split_once('=').unwrap_or((pair.as_str(), ""));
            a.insert(k.to_string(), json!(v));
        }
        metadata["annotations"] = Value::Object(a);
    }
    let pod = json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": metadata,
        "spec": {"containers": [container], "dnsPolicy": "ClusterFirst", "restartPolicy": restart},
        "status": {},
    });
    let namespace = namespace_of(host, &flags);
    let validation = field_validation(&flags);

    // The Service goes first, as `kubectl run --expose` creates it before the pod.
    if expose {
        let service = json!({
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"creationTimestamp": null, "name": name},
            "spec": {"ports": [{"port": port, "protocol": "TCP", "targetPort": port}], "selector": Value::Object(labels)},
            "status": {"loadBalancer": {}},
        });
        let rt = resources::resource_type(Kind::Service);
        if dry_run == DryRun::Client {
            output::print_typed_result(rt, &service, &format, "created", dry_run, out);
        } else {
            match send_create(cluster, Kind::Service, &namespace, service, dry_run, validation) {
                Ok(v) => output::print_typed_result(rt, &v, &format, "created", dry_run, out),
                Err(status) => return output::print_status(&status, out),
            }
        }
        if format == "yaml" {
            // run's own separator, then the YAML printer's before its second object.
            out.out("---\n---\n");
        }
    }
    let rt = resources::resource_type(Kind::Pod);
    if dry_run == DryRun::Client {
        output::print_typed_result(rt, &pod, &format, "created", dry_run, out);
        return 0;
    }
    match send_create(cluster, Kind::Pod, &namespace, pod, dry_run, validation) {
        Ok(v) => {
            output::print_typed_result(rt, &v, &format, "created", dry_run, out);
            0
        }
        Err(status) => output::print_status(&status, out),
    }
}

#[cfg(test)]
mod tests {
    use crate::clock::Clock;
    use crate::cluster::{Cluster, Topology};
    use crate::simulator::Output;

    fn kubectl(cluster: &mut Cluster, args: &[&str]) -> Output {
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        let mut out = Output::default();
        out.exit_code = super::super::run(cluster, &args, None, &mut out);
        out
    }

    #[test]
    fn pod_as_the_generator_builds_it() {
        let mut c = Cluster::kind(Clock::from_unix_millis(1_767_603_600_000), 1, &Topology::default());
        let out = kubectl(&mut c, &["run", "test", "--image=nginx", "--port=80", "--env=X=1", "--dry-run=client", "-o", "yaml", "--", "sleep", "10"]);
        assert_eq!(
            out.stdout,
            "apiVersion: v1\nkind: Pod\nmetadata:\n  creationTimestamp: null\n  labels:\n    run: test\n  name: test\nspec:\n  containers:\n  - args:\n    - sleep\n    - \"10\"\n    env:\n    - name: X\n      value: \"1\"\n    image: nginx\n    name: test\n    ports:\n    - containerPort: 80\n    resources: {}\n  dnsPolicy: ClusterFirst\n  restartPolicy: Always\nstatus: {}\n"
        );
        assert_eq!(kubectl(&mut c, &["run", "test", "--image=nginx"]).stdout, "pod/test created\n");
        assert_eq!(kubectl(&mut c, &["run", "test", "--image=nginx"]).stderr, "Error from server (AlreadyExists): pods \"test\" already exists\n");
        let out = kubectl(&mut c, &["run", "web", "--image=nginx", "--port=80", "--expose"]);
        assert_eq!(out.stdout, "service/web created\npod/web created\n");
        assert_eq!(kubectl(&mut c, &["run", "x"]).stderr, "error: required flag(s) \"image\" not set\n");
        assert_eq!(kubectl(&mut c, &["run", "--image=nginx"]).stderr, "error: NAME is required for run\nSee 'kubectl run -h' for help and examples\n");
    }
}
