//! Vector handler for `allocation` cases: the band split of the ClusterIP and nodePort
//! allocators for a range, checked both as numbers and by allocating from it, and the
//! cluster defaults of an installer.

use std::collections::BTreeSet;
use std::net::Ipv4Addr;

use serde_json::Value;
use sim_core::apiserver::allocator::{self, CidrBands, IpAllocator, IpRange, PortAllocator, PortRange};
use sim_core::rand::SeededRng;
use sim_core::resources::Kind;
use sim_core::store::Object;
use sim_core::{ClusterConfig, Simulator};

pub fn check(case: &Value) -> Result<(), String> {
    let input = case.get("input").unwrap_or(&Value::Null);
    let expected = case.get("expected").unwrap_or(&Value::Null);
    let mut problems = Vec::new();
    if let Some(range) = input.get("service_node_port_range").and_then(Value::as_str) {
        check_ports(range, expected, &mut problems)?;
    } else if let Some(cidr) = input.get("service_cluster_ip_range").and_then(Value::as_str) {
        check_ips(cidr, expected, &mut problems)?;
    } else if let Some(installer) = input.get("installer").and_then(Value::as_str) {
        check_installer(installer, expected, &mut problems)?;
    } else {
        return Err("unknown allocation input".to_string());
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n"))
    }
}

fn want<'a>(expected: &'a Value, key: &str) -> &'a Value {
    expected.get(key).unwrap_or(&Value::Null)
}

fn expect(problems: &mut Vec<String>, what: &str, want: &Value, got: Value) {
    if !want.is_null() && *want != got {
        problems.push(format!("{what}: expected {want}, got {got}"));
    }
}

fn check_ports(range: &str, expected: &Value, problems: &mut Vec<String>) -> Result<(), String> {
    let r = PortRange::parse(range).ok_or_else(|| format!("bad range {range:?}"))?;
    let offset = r.offset();
    expect(problems, "size", want(expected, "size"), Value::from(r.size));
    expect(problems, "offset", want(expected, "offset"), Value::from(offset));
    let static_band = if offset == 0 { Value::Null } else { Value::from(format!("{}-{}", r.base, r.base + offset - 1)) };
    expect(problems, "static_band", want(expected, "static_band"), static_band);
    expect(problems, "dynamic_band_preferred", want(expected, "dynamic_band_preferred"), Value::from(format!("{}-{}", r.base + offset, r.last())));
    // Behaviour: dynamic allocations fill the upper band before touching the lower one.
    let mut alloc = PortAllocator::new(r, BTreeSet::new());
    let mut rng = SeededRng::new(7);
    let upper = (r.size - offset) as usize;
    for i in 0..upper.min(2000) {
        match alloc.allocate_next(&mut rng) {
            Ok(p) if p >= r.base + offset => {}
            Ok(p) => return Err(format!("allocation {i} took {p} from the static band while the upper band had room")),
            Err(e) => return Err(format!("allocation {i} failed: {e:?}")),
        }
    }
    Ok(())
}

fn check_ips(cidr: &str, expected: &Value, problems: &mut Vec<String>) -> Result<(), String> {
    let bands = CidrBands::parse(cidr).ok_or_else(|| format!("bad CIDR {cidr:?}"))?;
    let offset = bands.offset;
    expect(problems, "first_usable", want(expected, "first_usable"), Value::from(bands.at(0)));
    expect(problems, "offset", want(expected, "offset"), Value::from(offset as u64));
    let static_band = if offset == 0 { Value::Null } else { Value::from(format!("{}-{}", bands.at(0), bands.at(offset - 1))) };
    if expected.get("static_band").is_some() && want(expected, "static_band") != &static_band {
        problems.push(format!("static_band: expected {}, got {static_band}", want(expected, "static_band")));
    }
    let dynamic = format!("{}-{}", bands.at(offset), bands.at(bands.max.saturating_sub(1)));
    expect(problems, "dynamic_band_preferred", want(expected, "dynamic_band_preferred"), Value::from(dynamic));
    expect(problems, "kubernetes_service_ip", want(expected, "kubernetes_service_ip"), Value::from(bands.indexed(1)));
    expect(problems, "kubeadm_dns_ip", want(expected, "kubeadm_dns_ip"), Value::from(bands.indexed(10)));
    // Behaviour (the simulated cluster is IPv4): the first dynamic allocations come
    // from the upper band.
    let Some(r) = IpRange::parse(cidr) else { return Ok(()) };
    let mut alloc = IpAllocator::new(r.clone(), BTreeSet::new());
    let mut rng = SeededRng::new(7);
    let upper = r.max() - r.offset();
    for i in 0..upper.min(2000) {
        match alloc.allocate_next(&mut rng) {
            Ok(ip) if r.index_of(ip).is_some_and(|x| x >= r.offset()) => {}
            Ok(ip) => return Err(format!("allocation {i} took {ip} from the static band while the upper band had room")),
            Err(e) => return Err(format!("allocation {i} failed: {e:?}")),
        }
    }
    Ok(())
}

fn check_installer(installer: &str, expected: &Value, problems: &mut Vec<String>) -> Result<(), String> {
    let defaults = allocator::installer_defaults(installer).ok_or_else(|| format!("unknown installer {installer:?}"))?;
    expect(problems, "serviceSubnet", want(expected, "serviceSubnet"), Value::from(defaults.service_subnet));
    expect(problems, "podSubnet", want(expected, "podSubnet"), Value::from(defaults.pod_subnet));
    expect(problems, "nodePortRange", want(expected, "nodePortRange"), Value::from(defaults.node_port_range));
    expect(problems, "dnsDomain", want(expected, "dnsDomain"), Value::from(defaults.dns_domain));
    let range = IpRange::parse(defaults.service_subnet).ok_or("bad service subnet")?;
    let mut kubernetes_ip = range.indexed(1).to_string();
    let mut dns_ip = range.indexed(10).to_string();
    // For the cluster kubesim simulates, read the addresses off the running Services.
    if defaults.simulated {
        let sim = Simulator::new(ClusterConfig::default());
        let ip_of = |ns: &str, name: &str| match sim_core::apiserver::get(&sim.cluster, Kind::Service, ns, name) {
            Ok(Object::Service(s)) => s.spec.as_ref().and_then(|s| s.cluster_ip.clone()),
            _ => None,
        };
        if let Some(ip) = ip_of("default", "kubernetes") {
            kubernetes_ip = ip;
        }
        if let Some(ip) = ip_of("kube-system", "kube-dns") {
            dns_ip = ip;
        }
        for ip in [&kubernetes_ip, &dns_ip] {
            if ip.parse::<Ipv4Addr>().ok().and_then(|a| range.index_of(a)).is_none() {
                problems.push(format!("{ip} is not in the simulated service CIDR {}", range.cidr()));
            }
        }
    }
    expect(problems, "kubernetes_svc", want(expected, "kubernetes_svc"), Value::from(kubernetes_ip));
    expect(problems, "kube_dns_svc", want(expected, "kube_dns_svc"), Value::from(dns_ip));
    Ok(())
}
