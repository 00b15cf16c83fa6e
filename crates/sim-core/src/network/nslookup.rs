//! `nslookup` and `dig` inside pods, answering from the simulated CoreDNS.
//!
//! `nslookup` prints in BIND's format (the dnsutils image the Kubernetes DNS
//! debugging guide uses): `Server:`/`Address: 10.96.0.10#53`, then `Name:`/`Address:`
//! per record, `canonical name =` for a CNAME, and `** server can't find NAME:
//! NXDOMAIN` with exit status 1. It applies the search list, as BIND's nslookup does.
//! `dig` does not apply the search list unless `+search` is given; `+short` prints
//! only the answers. On the learner's terminal the host's resolver knows nothing of
//! the cluster, so cluster names are NXDOMAIN there.

use crate::cluster::Cluster;
use crate::network::dns::{self, Record, Resolution, ResolvConf};
use crate::network::Place;
use crate::simulator::Output;

/// The resolver the kind host itself uses (systemd-resolved's stub).
const HOST_RESOLVER: &str = "127.0.0.53";

fn conf_or_none(cluster: &Cluster, place: &Place) -> Option<ResolvConf> {
    dns::resolv_conf(cluster, place)
}

/// `nslookup NAME [SERVER]`.
pub fn nslookup(cluster: &mut Cluster, place: &Place, args: &[String], _stdin: Option<&str>, out: &mut Output) -> i32 {
    let names: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
    let Some(name) = names.first() else {
        out.err("kubesim: interactive nslookup is not simulated; give a name: nslookup web\n");
        return 1;
    };
    let conf = conf_or_none(cluster, place);
    let (server, resolution) = match &conf {
        Some(conf) => (format!("{}", conf.nameserver), dns::resolve(cluster, name, conf)),
        None => (HOST_RESOLVER.to_string(), Resolution::NotFound { tried: vec![name.to_string()] }),
    };
    out.out(&format!("Server:\t\t{server}\nAddress:\t{server}#53\n\n"));
    match resolution {
        Resolution::Found { name: fqdn, records } => {
            let mut authoritative = true;
            for record in &records {
                match record {
                    Record::Cname { name, target } => {
                        out.out(&format!("{name}\tcanonical name = {}.\n", target.trim_end_matches('.')));
                        authoritative = false;
                    }
                    Record::A { ip, .. } => out.out(&format!("Name:\t{fqdn}\nAddress: {ip}\n")),
                }
            }
            if !authoritative {
                // The alias's target lives outside the cluster; CoreDNS would chase it upstream.
                out.out("\n");
                out.err("kubesim: resolving the alias's target needs a DNS server outside the cluster, which is not simulated\n");
                return 1;
            }
            out.out("\n");
            0
        }
        Resolution::NotFound { .. } => {
            out.out(&format!("** server can't find {name}: NXDOMAIN\n\n"));
            1
        }
        Resolution::Upstream { name } => {
            out.err(&format!(
                "kubesim: {name} is outside the cluster domain; CoreDNS would forward it upstream, which is not simulated\n"
            ));
            1
        }
    }
}

/// `dig [+short] [+search] NAME [A]`.
pub fn dig(cluster: &mut Cluster, place: &Place, args: &[String], _stdin: Option<&str>, out: &mut Output) -> i32 {
    let short = args.iter().any(|a| a == "+short");
    let search = args.iter().any(|a| a == "+search");
    let names: Vec<&String> =
        args.iter().filter(|a| !a.starts_with('+') && !a.starts_with('-') && !a.starts_with('@') && a.as_str() != "A").collect();
    let Some(name) = names.first() else {
        out.err("kubesim: dig without a name (a root NS query) is not simulated\n");
        return 1;
    };
    if !short {
        out.err("kubesim: dig's full output is not simulated; use dig +short NAME\n");
        return 1;
    }
    let Some(conf) = conf_or_none(cluster, place) else {
        // The host's resolver answers NXDOMAIN for cluster names: +short prints nothing.
        return 0;
    };
    let resolution = if search {
        dns::resolve(cluster, name, &conf)
    } else {
        let fqdn = name.trim_end_matches('.').to_string();
        match dns::query(cluster, &fqdn) {
            dns::Answer::Records(records) => Resolution::Found { name: fqdn, records },
            dns::Answer::NxDomain => Resolution::NotFound { tried: vec![fqdn] },
            dns::Answer::Upstream => Resolution::Upstream { name: fqdn },
        }
    };
    match resolution {
        Resolution::Found { records, .. } => {
            for record in records {
                match record {
                    Record::A { ip, .. } => out.out(&format!("{ip}\n")),
                    Record::Cname { target, .. } => out.out(&format!("{}.\n", target.trim_end_matches('.'))),
                }
            }
            0
        }
        Resolution::NotFound { .. } => 0,
        Resolution::Upstream { name } => {
            out.err(&format!(
                "kubesim: {name} is outside the cluster domain; CoreDNS would forward it upstream, which is not simulated\n"
            ));
            1
        }
    }
}
