//! The ClusterIP and nodePort allocators, with upstream's band split and random scan.
//!
//! Upstream: `pkg/registry/core/service/ipallocator` (KEP-3070: the first
//! `min(max(16, size/16), 256)` addresses are a "static" band kept for explicit
//! requests), `pkg/registry/core/service/portallocator` (KEP-3668: `min(max(16,
//! size/32), 128)` ports) and `allocator/bitmap.go randomScanStrategyWithOffset`
//! (a uniformly random start in the upper band, a forward scan with wrap-around, then
//! the same in the lower band).
//!
//! The allocators keep no state of their own: what is allocated is read from the
//! Services in the store ([`used_cluster_ips`], [`used_node_ports`]), so a restored
//! snapshot needs no allocator data and a failed create has nothing to roll back.

use std::collections::BTreeSet;
use std::net::Ipv4Addr;

use crate::cluster::Cluster;
use crate::rand::SeededRng;
use crate::resources::Kind;

/// kind's service CIDR (`kind/pkg/apis/config/v1alpha4/default.go`).
pub const SERVICE_CIDR: &str = "10.96.0.0/16";
/// kube-apiserver's default `--service-node-port-range`.
pub const NODE_PORT_BASE: i32 = 30000;
pub const NODE_PORT_SIZE: i32 = 2768;

/// The networks and ranges an installer gives a cluster.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InstallerDefaults {
    pub service_subnet: &'static str,
    pub pod_subnet: &'static str,
    pub node_port_range: &'static str,
    pub dns_domain: &'static str,
    /// Whether this is the cluster kubesim simulates (kind).
    pub simulated: bool,
}

/// Installer defaults: kind (`pkg/apis/config/v1alpha4/default.go`), which kubesim
/// simulates, kubeadm (`DefaultServicesSubnet`, no pod subnet of its own), k3s and
/// minikube.
pub fn installer_defaults(installer: &str) -> Option<InstallerDefaults> {
    let lower = installer.to_ascii_lowercase();
    if lower.starts_with("kind") {
        Some(InstallerDefaults {
            service_subnet: SERVICE_CIDR,
            pod_subnet: POD_CIDR,
            node_port_range: "30000-32767",
            dns_domain: "cluster.local",
            simulated: true,
        })
    } else if lower.starts_with("kubeadm") {
        Some(InstallerDefaults {
            service_subnet: "10.96.0.0/12",
            pod_subnet: "",
            node_port_range: "30000-32767",
            dns_domain: "cluster.local",
            simulated: false,
        })
    } else if lower.starts_with("k3s") {
        // k3s defaults: --service-cidr 10.43.0.0/16, --cluster-cidr 10.42.0.0/16.
        Some(InstallerDefaults {
            service_subnet: "10.43.0.0/16",
            pod_subnet: "10.42.0.0/16",
            node_port_range: "30000-32767",
            dns_domain: "cluster.local",
            simulated: false,
        })
    } else if lower.starts_with("minikube") {
        // minikube passes kubeadm's service subnet and its own pod network.
        Some(InstallerDefaults {
            service_subnet: "10.96.0.0/12",
            pod_subnet: "10.244.0.0/16",
            node_port_range: "30000-32767",
            dns_domain: "cluster.local",
            simulated: false,
        })
    } else {
        None
    }
}

/// kind's pod CIDR; each node gets a /24 of it.
pub const POD_CIDR: &str = "10.244.0.0/16";

/// An IPv4 service CIDR.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IpRange {
    /// The network address.
    pub network: u32,
    pub prefix: u8,
}

impl IpRange {
    /// Parses `a.b.c.d/n` (IPv4 only: kind's clusters are single-stack IPv4).
    pub fn parse(cidr: &str) -> Option<IpRange> {
        let (ip, prefix) = cidr.split_once('/')?;
        let ip: Ipv4Addr = ip.parse().ok()?;
        let prefix: u8 = prefix.parse().ok()?;
        if prefix > 32 {
            return None;
        }
        let mask = if prefix == 0 { 0 } else { u32::MAX << (32 - prefix) };
        Some(IpRange { network: u32::from(ip) & mask, prefix })
    }

    pub fn kind_default() -> IpRange {
        IpRange::parse(SERVICE_CIDR).unwrap_or(IpRange { network: 0x0a60_0000, prefix: 16 })
    }

    /// `RangeSize`: every address of the CIDR.
    pub fn range_size(&self) -> u64 {
        1u64 << (32 - self.prefix as u32)
    }

    /// Allocatable addresses: all but the network and broadcast addresses.
    pub fn max(&self) -> u64 {
        self.range_size().saturating_sub(2)
    }

    /// `calculateRangeOffset`: the size of the static band.
    pub fn offset(&self) -> u64 {
        let size = self.range_size();
        if size <= 16 {
            return 0;
        }
        (size / 16).clamp(16, 256)
    }

    /// The address with allocator index `i` (index 0 is the first usable address).
    pub fn ip_at(&self, i: u64) -> Ipv4Addr {
        Ipv4Addr::from(self.network.wrapping_add(1).wrapping_add(i as u32))
    }

    /// The allocator index of `ip`, if it is allocatable in this range.
    pub fn index_of(&self, ip: Ipv4Addr) -> Option<u64> {
        let v = u32::from(ip) as u64;
        let first = self.network as u64 + 1;
        if v < first || v >= first + self.max() {
            return None;
        }
        Some(v - first)
    }

    pub fn cidr(&self) -> String {
        format!("{}/{}", Ipv4Addr::from(self.network), self.prefix)
    }

    /// The `n`th address of the range (`GetIndexedIP`): the `kubernetes` Service is 1,
    /// kube-dns 10.
    pub fn indexed(&self, n: u32) -> Ipv4Addr {
        Ipv4Addr::from(self.network.wrapping_add(n))
    }
}

/// The band split of a service CIDR of either family, as the bitmap allocator sees it
/// (`ipallocator.NewAllocatorCIDRRange`): the network address is never handed out,
/// nor is an IPv4 broadcast address; the first `offset` addresses form the static band.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CidrBands {
    /// The network address as a 128-bit number (IPv4 in the low 32 bits).
    pub network: u128,
    pub ipv6: bool,
    /// Allocatable addresses.
    pub max: u128,
    pub offset: u128,
}

impl CidrBands {
    /// Parses `10.96.0.0/12` or `fd00:10:96::/112`.
    pub fn parse(cidr: &str) -> Option<CidrBands> {
        let (ip, prefix) = cidr.split_once('/')?;
        let ip: std::net::IpAddr = ip.parse().ok()?;
        let prefix: u32 = prefix.parse().ok()?;
        let (bits, value) = match ip {
            std::net::IpAddr::V4(v4) => (32u32, u32::from(v4) as u128),
            std::net::IpAddr::V6(v6) => (128u32, u128::from(v6)),
        };
        if prefix > bits {
            return None;
        }
        let host_bits = bits - prefix;
        let mask = if host_bits >= 128 { 0 } else { !((1u128 << host_bits) - 1) };
        let network = value & mask;
        // RangeSize saturates at 2^63 (an int64) for ranges of 64 host bits or more.
        let size: u128 = if host_bits >= 63 { 1u128 << 63 } else { 1u128 << host_bits };
        let ipv6 = bits == 128;
        let max = size.saturating_sub(if ipv6 { 1 } else { 2 });
        // calculateRangeOffset: min(max(16, size/16), 256), none for tiny ranges.
        let offset = if size <= 16 { 0 } else { (size / 16).clamp(16, 256) };
        Some(CidrBands { network, ipv6, max, offset })
    }

    /// The address `n` after the network address (`GetIndexedIP`).
    pub fn indexed(&self, n: u128) -> String {
        let v = self.network.wrapping_add(n);
        if self.ipv6 {
            std::net::Ipv6Addr::from(v).to_string()
        } else {
            Ipv4Addr::from(v as u32).to_string()
        }
    }

    /// The address of allocator index `i` (index 0 is the first usable address).
    pub fn at(&self, i: u128) -> String {
        self.indexed(i + 1)
    }
}

/// A nodePort range `base..base+size`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PortRange {
    pub base: i32,
    pub size: i32,
}

impl PortRange {
    pub fn kind_default() -> PortRange {
        PortRange { base: NODE_PORT_BASE, size: NODE_PORT_SIZE }
    }

    /// Parses `30000-32767` (or a single port).
    pub fn parse(s: &str) -> Option<PortRange> {
        let (a, b) = match s.split_once('-') {
            Some((a, b)) => (a.trim().parse::<i32>().ok()?, b.trim().parse::<i32>().ok()?),
            None => {
                let p = s.trim().parse::<i32>().ok()?;
                (p, p)
            }
        };
        if b < a {
            return None;
        }
        Some(PortRange { base: a, size: b - a + 1 })
    }

    pub fn contains(&self, port: i32) -> bool {
        port >= self.base && port < self.base.saturating_add(self.size)
    }

    /// `calculateRangeOffset` for ports.
    pub fn offset(&self) -> i32 {
        if self.size <= 16 {
            return 0;
        }
        (self.size / 32).clamp(16, 128)
    }

    pub fn last(&self) -> i32 {
        self.base + self.size - 1
    }

    /// `30000-32767`, as the range appears in messages.
    pub fn display(&self) -> String {
        format!("{}-{}", self.base, self.last())
    }
}

/// `randomScanStrategyWithOffset.AllocateBit`: a free index in `0..max`, preferring
/// `offset..max` (random start, forward scan with wrap), then `0..offset` the same way.
pub fn random_scan(rng: &mut SeededRng, max: u64, offset: u64, is_used: impl Fn(u64) -> bool) -> Option<u64> {
    let offset = offset.min(max);
    let upper = max - offset;
    if upper > 0 {
        let start = rng.below(upper);
        for i in 0..upper {
            let at = offset + (start + i) % upper;
            if !is_used(at) {
                return Some(at);
            }
        }
    }
    if offset > 0 {
        let start = rng.below(offset);
        for i in 0..offset {
            let at = (start + i) % offset;
            if !is_used(at) {
                return Some(at);
            }
        }
    }
    None
}

/// Why an allocation failed (`ipallocator`/`portallocator` errors).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AllocError {
    /// `ErrAllocated`.
    Allocated,
    /// `ErrNotInRange` (the text differs between IPs and ports, see `message`).
    NotInRange,
    /// `ErrFull`.
    Full,
}

/// Allocates ClusterIPs in one range against a set of taken addresses.
#[derive(Clone, Debug)]
pub struct IpAllocator {
    pub range: IpRange,
    pub used: BTreeSet<u32>,
}

impl IpAllocator {
    pub fn new(range: IpRange, used: BTreeSet<u32>) -> Self {
        IpAllocator { range, used }
    }

    /// `Allocate(ip)`: reserves a specific address.
    pub fn allocate(&mut self, ip: Ipv4Addr) -> Result<(), AllocError> {
        if self.range.index_of(ip).is_none() {
            return Err(AllocError::NotInRange);
        }
        if !self.used.insert(u32::from(ip)) {
            return Err(AllocError::Allocated);
        }
        Ok(())
    }

    /// `AllocateNext`: a random free address, upper band first.
    pub fn allocate_next(&mut self, rng: &mut SeededRng) -> Result<Ipv4Addr, AllocError> {
        let range = self.range.clone();
        let used = &self.used;
        let idx = random_scan(rng, range.max(), range.offset(), |i| used.contains(&u32::from(range.ip_at(i))))
            .ok_or(AllocError::Full)?;
        let ip = range.ip_at(idx);
        self.used.insert(u32::from(ip));
        Ok(ip)
    }

    pub fn release(&mut self, ip: Ipv4Addr) {
        self.used.remove(&u32::from(ip));
    }

    /// The message after `failed to allocate IP <ip>: `.
    pub fn message(&self, err: &AllocError, ip: &str) -> String {
        match err {
            AllocError::Allocated => "provided IP is already allocated".to_string(),
            AllocError::NotInRange => format!(
                "the provided IP ({ip}) is not in the valid range. The range of valid IPs is {}",
                self.range.cidr()
            ),
            AllocError::Full => "range is full".to_string(),
        }
    }
}

/// Allocates node ports against a set of taken ports.
#[derive(Clone, Debug)]
pub struct PortAllocator {
    pub range: PortRange,
    pub used: BTreeSet<i32>,
}

impl PortAllocator {
    pub fn new(range: PortRange, used: BTreeSet<i32>) -> Self {
        PortAllocator { range, used }
    }

    pub fn allocate(&mut self, port: i32) -> Result<(), AllocError> {
        if !self.range.contains(port) {
            return Err(AllocError::NotInRange);
        }
        if !self.used.insert(port) {
            return Err(AllocError::Allocated);
        }
        Ok(())
    }

    pub fn allocate_next(&mut self, rng: &mut SeededRng) -> Result<i32, AllocError> {
        let range = self.range;
        let used = &self.used;
        let max = range.size.max(0) as u64;
        let idx = random_scan(rng, max, range.offset().max(0) as u64, |i| used.contains(&(range.base + i as i32)))
            .ok_or(AllocError::Full)?;
        let port = range.base + idx as i32;
        self.used.insert(port);
        Ok(port)
    }

    pub fn release(&mut self, port: i32) {
        self.used.remove(&port);
    }

    /// `portallocator` error texts.
    pub fn message(&self, err: &AllocError) -> String {
        match err {
            AllocError::Allocated => "provided port is already allocated".to_string(),
            AllocError::NotInRange => {
                format!("provided port is not in the valid range. The range of valid ports is {}", self.range.display())
            }
            AllocError::Full => "range is full".to_string(),
        }
    }
}

/// ClusterIPs held by stored Services (optionally ignoring one Service, the one being
/// updated).
pub fn used_cluster_ips(cluster: &Cluster, except: Option<(&str, &str)>) -> BTreeSet<u32> {
    let mut used = BTreeSet::new();
    for o in cluster.store.list(Kind::Service, None) {
        if except.is_some_and(|(ns, name)| o.namespace() == ns && o.name() == name) {
            continue;
        }
        if let crate::store::Object::Service(s) = o {
            let spec = s.spec.as_ref();
            let ips = spec.and_then(|s| s.cluster_ips.clone()).unwrap_or_default();
            let single = spec.and_then(|s| s.cluster_ip.clone()).into_iter();
            for ip in ips.into_iter().chain(single) {
                if let Ok(ip) = ip.parse::<Ipv4Addr>() {
                    used.insert(u32::from(ip));
                }
            }
        }
    }
    used
}

/// Node ports (and healthCheckNodePorts) held by stored Services.
pub fn used_node_ports(cluster: &Cluster, except: Option<(&str, &str)>) -> BTreeSet<i32> {
    let mut used = BTreeSet::new();
    for o in cluster.store.list(Kind::Service, None) {
        if except.is_some_and(|(ns, name)| o.namespace() == ns && o.name() == name) {
            continue;
        }
        if let crate::store::Object::Service(s) = o {
            if let Some(spec) = &s.spec {
                for p in spec.ports.iter().flatten() {
                    if let Some(np) = p.node_port.filter(|n| *n != 0) {
                        used.insert(np);
                    }
                }
                if let Some(h) = spec.health_check_node_port.filter(|n| *n != 0) {
                    used.insert(h);
                }
            }
        }
    }
    used
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_match_upstream() {
        let r = IpRange::parse("10.96.0.0/12").unwrap_or(IpRange::kind_default());
        assert_eq!(r.offset(), 256);
        assert_eq!(r.ip_at(0).to_string(), "10.96.0.1");
        assert_eq!(r.ip_at(r.offset() - 1).to_string(), "10.96.1.0");
        assert_eq!(r.ip_at(r.offset()).to_string(), "10.96.1.1");
        assert_eq!(r.ip_at(r.max() - 1).to_string(), "10.111.255.254");
        assert_eq!(IpRange::parse("10.96.0.0/28").map(|r| r.offset()), Some(0));
        assert_eq!(IpRange::parse("10.96.0.0/27").map(|r| r.offset()), Some(16));
        assert_eq!(PortRange::kind_default().offset(), 86);
        assert_eq!(PortRange::parse("30000-39999").map(|r| r.offset()), Some(128));
    }

    #[test]
    fn bands_of_both_families() {
        let v4 = CidrBands::parse("10.96.0.0/16").unwrap_or(CidrBands { network: 0, ipv6: false, max: 0, offset: 0 });
        assert_eq!((v4.offset, v4.at(0), v4.at(v4.max - 1)), (256, "10.96.0.1".to_string(), "10.96.255.254".to_string()));
        let v6 = CidrBands::parse("fd00:10:96::/112").unwrap_or(v4.clone());
        assert_eq!((v6.offset, v6.at(0), v6.at(v6.max - 1)), (256, "fd00:10:96::1".to_string(), "fd00:10:96::ffff".to_string()));
        assert_eq!(v6.indexed(10), "fd00:10:96::a");
    }

    #[test]
    fn dynamic_allocation_prefers_the_upper_band() {
        let mut rng = SeededRng::new(3);
        let mut ports = PortAllocator::new(PortRange::kind_default(), BTreeSet::new());
        for _ in 0..200 {
            let p = ports.allocate_next(&mut rng).unwrap_or(0);
            assert!((30086..=32767).contains(&p), "{p}");
        }
        let mut ips = IpAllocator::new(IpRange::kind_default(), BTreeSet::new());
        for _ in 0..200 {
            let ip = ips.allocate_next(&mut rng).map(u32::from).unwrap_or(0);
            assert!(ip >= u32::from(Ipv4Addr::new(10, 96, 1, 1)) && ip <= u32::from(Ipv4Addr::new(10, 96, 255, 254)));
        }
    }

    #[test]
    fn lower_band_is_used_when_the_upper_is_full() {
        let mut rng = SeededRng::new(1);
        let range = PortRange { base: 30000, size: 40 };
        let mut ports = PortAllocator::new(range, BTreeSet::new());
        let mut got: Vec<i32> = (0..40).filter_map(|_| ports.allocate_next(&mut rng).ok()).collect();
        assert_eq!(got[..24].iter().filter(|p| **p >= 30016).count(), 24);
        crate::sort::sort(&mut got);
        assert_eq!(got, (30000..30040).collect::<Vec<_>>());
        assert_eq!(ports.allocate_next(&mut rng), Err(AllocError::Full));
    }
}
