//! `ping -c N`: ICMP echo, modelled as it behaves on a kind cluster. Node IPs and pod
//! IPs answer (pods only from inside the cluster); ClusterIPs never answer, because
//! kube-proxy's rules DNAT only the Service's TCP/UDP ports and no interface owns the
//! address: the classic "the Service works but I cannot ping it". Without `-c`,
//! ping would run until Ctrl-C, which the simulator says rather than guesses.
//! Inside pods the output is busybox's; on the learner's terminal it is iputils'.

use std::net::Ipv4Addr;

use k8s_openapi::chrono::Duration;

use crate::cluster::Cluster;
use crate::network::addresses::{self, node_by_ip, pod_by_ip};
use crate::network::dns;
use crate::network::Place;
use crate::simulator::Output;

/// `ping -c COUNT HOST`.
pub fn ping(cluster: &mut Cluster, place: &Place, args: &[String], _stdin: Option<&str>, out: &mut Output) -> i32 {
    let busybox = *place != Place::Host;
    let mut count: Option<u32> = None;
    let mut host: Option<String> = None;
    let mut i = 0;
    while i < args.len() {
        let arg = args.get(i).cloned().unwrap_or_default();
        i += 1;
        if let Some(rest) = arg.strip_prefix("-c") {
            let value = if rest.is_empty() {
                i += 1;
                args.get(i - 1).cloned()
            } else {
                Some(rest.to_string())
            };
            count = value.and_then(|v| v.parse().ok()).filter(|c| *c > 0);
            if count.is_none() {
                out.err("ping: invalid count\n");
                return if busybox { 1 } else { 2 };
            }
        } else if arg.starts_with('-') {
            out.err(&format!("kubesim: ping option {arg} is not simulated\n"));
            return 2;
        } else {
            host = Some(arg);
        }
    }
    let Some(host) = host else {
        out.err(if busybox { "ping: missing host\n" } else { "ping: usage error: Destination address required\n" });
        return if busybox { 1 } else { 2 };
    };
    let Some(count) = count.map(|c| c.min(100)) else {
        out.err("kubesim: ping without -c runs until Ctrl-C, which is not simulated; use ping -c 3 HOST\n");
        return 2;
    };
    let ip: Ipv4Addr = match host.parse() {
        Ok(ip) => ip,
        Err(_) => {
            let resolved = dns::resolv_conf(cluster, place).and_then(|conf| dns::resolve(cluster, &host, &conf).addresses().first().copied());
            match resolved {
                Some(ip) => ip,
                None => {
                    if busybox {
                        out.err(&format!("ping: bad address '{host}'\n"));
                        return 1;
                    }
                    out.err(&format!("ping: {host}: Name or service not known\n"));
                    return 2;
                }
            }
        }
    };
    let in_cluster = *place != Place::Host;
    let source_node = match addresses::source_of(cluster, place) {
        Ok((_, node)) => node,
        Err(_) => None,
    };
    // Who answers ICMP echo: a node's own address always; a pod's only from inside
    // the cluster (the host has no route to the pod CIDR); nothing else.
    let (answers, ttl) = if node_by_ip(cluster, ip).is_some() || ip.is_loopback() || (ip == addresses::HOST_IP && !in_cluster) {
        (true, 64)
    } else if let (true, Some(pod)) = (in_cluster, pod_by_ip(cluster, ip)) {
        let same_node = pod.node.is_some() && pod.node == source_node;
        (pod.running, if same_node { 63 } else { 62 })
    } else {
        (false, 0)
    };
    let mut times = Vec::new();
    if busybox {
        out.out(&format!("PING {host} ({ip}): 56 data bytes\n"));
    } else {
        out.out(&format!("PING {host} ({ip}) 56(84) bytes of data.\n"));
    }
    for seq in 0..count {
        if answers {
            let micros = 40 + cluster.rng.below(120) as i64;
            times.push(micros);
            let time = format!("{}.{:03}", micros / 1000, micros % 1000);
            if busybox {
                out.out(&format!("64 bytes from {ip}: seq={seq} ttl={ttl} time={time} ms\n"));
            } else {
                out.out(&format!("64 bytes from {ip}: icmp_seq={} ttl={ttl} time={time} ms\n", seq + 1));
            }
        }
    }
    // One echo a second; unanswered ones are waited for until the last second passes.
    let spent_ms = i64::from(count.saturating_sub(1)) * 1000 + if answers { 0 } else { 1000 };
    cluster.clock.advance_by(Duration::milliseconds(spent_ms));
    let received = times.len();
    let loss = (received as u32 * 100).checked_div(count).map_or(0, |r| 100 - r);
    out.out(&format!("\n--- {host} ping statistics ---\n"));
    let fmt = |m: i64| format!("{}.{:03}", m / 1000, m % 1000);
    let (min, max) = (times.iter().min().copied().unwrap_or(0), times.iter().max().copied().unwrap_or(0));
    let avg = if received > 0 { times.iter().sum::<i64>() / received as i64 } else { 0 };
    if busybox {
        out.out(&format!("{count} packets transmitted, {received} packets received, {loss}% packet loss\n"));
        if received > 0 {
            out.out(&format!("round-trip min/avg/max = {}/{}/{} ms\n", fmt(min), fmt(avg), fmt(max)));
        }
    } else {
        let time = i64::from(count.saturating_sub(1)) * 1000 + if answers { 2 + cluster.rng.below(40) as i64 } else { 40 };
        out.out(&format!("{count} packets transmitted, {received} received, {loss}% packet loss, time {time}ms\n"));
        if received > 0 {
            let mdev = times.iter().map(|t| (t - avg).abs()).sum::<i64>() / received as i64;
            out.out(&format!("rtt min/avg/max/mdev = {}/{}/{}/{} ms\n", fmt(min), fmt(avg), fmt(max), fmt(mdev)));
        }
    }
    if received > 0 {
        0
    } else {
        1
    }
}
