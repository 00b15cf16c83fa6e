//! What the traffic-flow visualizer draws, as data: a [`ClusterView`] read from the
//! live store (the outside client, load balancers, nodes with their InternalIP, open
//! node ports and kube-proxy, pods grouped by node, Services, the Ingress controller),
//! a [`Layout`] placing every element on an SVG canvas, and [`steps`], which maps each
//! [`Hop`] of a recorded [`Trace`] to the element it happens at, with a human text.
//!
//! One model, no second story: the steps are read from the very `Trace` that `curl`
//! printed from (`cluster.network.traces()`), and the policy comparison of
//! [`compare_external_policies`] traces the same request again with the same engine
//! on a clone of the cluster whose Service has the other `externalTrafficPolicy`.
//! Nothing here touches the browser; the web crate turns the layout into SVG.

use std::net::{Ipv4Addr, SocketAddrV4};

use crate::cluster::Cluster;
use crate::network::addresses::{self, HOST_IP};
use crate::network::ingress;
use crate::network::kube_proxy;
use crate::network::trace::{self, Hop, HopKind, Outcome, Rewrite, Trace};
use crate::network::{workloads, Place};
use crate::resources::Kind;
use crate::store::{Object, ObjectKey};

/// Namespaces whose pods are the cluster's own plumbing: hidden from the diagram
/// unless a trace passes through them (kube-proxy is drawn once per node instead).
const SYSTEM_NAMESPACES: [&str; 2] = ["kube-system", "local-path-storage"];

/// Everything the diagram shows, read from the store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClusterView {
    /// The learner's terminal on the kind host.
    pub client_ip: Ipv4Addr,
    pub load_balancers: Vec<LoadBalancerView>,
    pub nodes: Vec<NodeBox>,
    pub services: Vec<ServiceBox>,
    /// Pods without a node yet (Pending): drawn apart from the nodes.
    pub unscheduled: Vec<PodBox>,
    /// The ingress-nginx controller pod (`namespace/name`) when one is installed.
    pub ingress_controller: Option<String>,
}

/// A Service of type LoadBalancer: its ingress IP, or none while it is `<pending>`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadBalancerView {
    pub namespace: String,
    pub name: String,
    pub ip: Option<Ipv4Addr>,
    pub ports: Vec<u16>,
}

/// One node: its address, readiness, the node ports kube-proxy opens on it, its pods.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeBox {
    pub name: String,
    pub ip: Ipv4Addr,
    pub ready: bool,
    /// Every NodePort/LoadBalancer Service's nodePort: kube-proxy opens them on every
    /// node, with or without a local endpoint.
    pub node_ports: Vec<u16>,
    pub pods: Vec<PodBox>,
}

/// One pod.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PodBox {
    pub namespace: String,
    pub name: String,
    pub ip: Option<Ipv4Addr>,
    pub node: Option<String>,
    pub running: bool,
    pub ready: bool,
    /// kube-system and friends: hidden unless a trace needs them.
    pub system: bool,
}

impl PodBox {
    /// `namespace/name`, the way trace hops name pods.
    pub fn key(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }
}

/// One Service port as the diagram labels it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServicePortView {
    pub port: i32,
    pub target_port: String,
    pub node_port: Option<i32>,
    pub protocol: String,
}

/// One Service.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceBox {
    pub namespace: String,
    pub name: String,
    pub type_: String,
    /// The ClusterIP, `None` (headless) or empty for ExternalName.
    pub cluster_ip: String,
    pub ports: Vec<ServicePortView>,
    /// `externalTrafficPolicy`, for NodePort and LoadBalancer Services.
    pub external_traffic_policy: Option<String>,
    pub internal_traffic_policy: Option<String>,
    /// The pods (`namespace/name`) behind its ready endpoints.
    pub endpoints: Vec<String>,
}

impl ServiceBox {
    pub fn key(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }

    /// `ClusterIP 10.96.4.2 · 80:30080/TCP · Local`, the Service in one line.
    pub fn summary(&self) -> String {
        let ports: Vec<String> = self
            .ports
            .iter()
            .map(|p| match p.node_port {
                Some(n) => format!("{}:{n}/{}", p.port, p.protocol),
                None => format!("{}/{}", p.port, p.protocol),
            })
            .collect();
        let mut text = format!("{} {}", self.type_, if self.cluster_ip.is_empty() { "-" } else { &self.cluster_ip });
        if !ports.is_empty() {
            text.push_str(&format!(" · {}", ports.join(",")));
        }
        if let Some(policy) = &self.external_traffic_policy {
            text.push_str(&format!(" · external {policy}"));
        }
        if self.internal_traffic_policy.as_deref() == Some("Local") {
            text.push_str(" · internal Local");
        }
        text
    }
}

/// Reads the diagram's content from the live cluster.
pub fn cluster_view(cluster: &Cluster) -> ClusterView {
    let pods = addresses::pods(cluster);
    let rules = kube_proxy::compute(cluster);
    let ingress_controller = pods
        .iter()
        .find(|p| p.containers.iter().any(|c| ingress::is_controller_image(&workloads::image_name(c.image.as_deref().unwrap_or("")))))
        .map(|p| format!("{}/{}", p.namespace, p.name));
    let pod_box = |p: &addresses::PodView| {
        let key = format!("{}/{}", p.namespace, p.name);
        PodBox {
            namespace: p.namespace.clone(),
            name: p.name.clone(),
            ip: p.ip,
            node: p.node.clone(),
            running: p.running,
            ready: p.ready,
            system: SYSTEM_NAMESPACES.contains(&p.namespace.as_str()) && ingress_controller.as_deref() != Some(key.as_str()),
        }
    };
    let mut node_ports: Vec<u16> = rules.services.iter().filter_map(|s| s.node_port).collect();
    crate::sort::sort(&mut node_ports);
    node_ports.dedup();
    let nodes: Vec<NodeBox> = addresses::nodes(cluster)
        .into_iter()
        .map(|n| NodeBox {
            pods: pods.iter().filter(|p| p.node.as_deref() == Some(n.name.as_str()) && !p.host_network).map(pod_box).collect(),
            name: n.name,
            ip: n.ip,
            ready: n.ready,
            node_ports: node_ports.clone(),
        })
        .collect();
    let unscheduled = pods.iter().filter(|p| p.node.is_none()).map(pod_box).collect();
    let mut services = Vec::new();
    let mut load_balancers = Vec::new();
    for svc in addresses::services(cluster) {
        let Some(spec) = svc.spec.as_ref() else { continue };
        let namespace = svc.metadata.namespace.clone().unwrap_or_default();
        let name = svc.metadata.name.clone().unwrap_or_default();
        let type_ = spec.type_.clone().unwrap_or_else(|| "ClusterIP".to_string());
        let ports: Vec<ServicePortView> = spec
            .ports
            .iter()
            .flatten()
            .map(|p| ServicePortView {
                port: p.port,
                target_port: match &p.target_port {
                    Some(k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::Int(n)) => n.to_string(),
                    Some(k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::String(s)) => s.clone(),
                    None => p.port.to_string(),
                },
                node_port: p.node_port,
                protocol: p.protocol.clone().unwrap_or_else(|| "TCP".to_string()),
            })
            .collect();
        if type_ == "LoadBalancer" {
            let ip = rules
                .services
                .iter()
                .find(|r| r.namespace == namespace && r.name == name)
                .and_then(|r| r.load_balancer_ips.first().copied());
            load_balancers.push(LoadBalancerView {
                namespace: namespace.clone(),
                name: name.clone(),
                ip,
                ports: ports.iter().filter_map(|p| u16::try_from(p.port).ok()).collect(),
            });
        }
        let mut endpoints: Vec<String> = rules
            .services
            .iter()
            .filter(|r| r.namespace == namespace && r.name == name)
            .flat_map(|r| r.endpoints.iter().filter(|e| e.ready).filter_map(|e| e.pod.as_ref()))
            .map(|(ns, pod)| format!("{ns}/{pod}"))
            .collect();
        crate::sort::sort(&mut endpoints);
        endpoints.dedup();
        let external = matches!(type_.as_str(), "NodePort" | "LoadBalancer");
        services.push(ServiceBox {
            namespace,
            name,
            cluster_ip: spec.cluster_ip.clone().unwrap_or_default(),
            ports,
            external_traffic_policy: external
                .then(|| spec.external_traffic_policy.clone().unwrap_or_else(|| "Cluster".to_string())),
            internal_traffic_policy: spec.internal_traffic_policy.clone(),
            endpoints,
            type_,
        });
    }
    ClusterView { client_ip: HOST_IP, load_balancers, nodes, services, unscheduled, ingress_controller }
}

impl ClusterView {
    /// The system Services (the API server's `kubernetes`, `kube-dns`) are left out of
    /// the Services row unless `all` is set: they are not what a lesson is about.
    pub fn shown_services(&self, all: bool) -> Vec<&ServiceBox> {
        self.services.iter().filter(|s| all || (s.namespace != "kube-system" && !(s.namespace == "default" && s.name == "kubernetes"))).collect()
    }
}

/// An element of the diagram, as a stable id (`node:kind-worker`) the SVG carries in
/// its `data-element` attribute and the steps refer to.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Element {
    /// The learner's terminal (and `kubectl port-forward` / `kubectl proxy` on it).
    Client,
    /// A load balancer, by its IP.
    LoadBalancer(Ipv4Addr),
    Node(String),
    /// kube-proxy's rules on a node.
    KubeProxy(String),
    /// The wire between two nodes (kindnet's route to the other node's pod CIDR).
    NodeLink { from: String, to: String },
    /// A pod, `namespace/name`.
    Pod(String),
    Service(String),
    /// The default gateway: where packets for addresses nobody routes go to die.
    Gateway,
}

impl Element {
    pub fn id(&self) -> String {
        match self {
            Element::Client => "client".to_string(),
            Element::LoadBalancer(ip) => format!("lb:{ip}"),
            Element::Node(n) => format!("node:{n}"),
            Element::KubeProxy(n) => format!("kube-proxy:{n}"),
            Element::NodeLink { from, to } => format!("link:{from}>{to}"),
            Element::Pod(p) => format!("pod:{p}"),
            Element::Service(s) => format!("svc:{s}"),
            Element::Gateway => "gateway".to_string(),
        }
    }
}

/// How a step went, for colour and wording.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StepStatus {
    /// The packet moves on.
    Pass,
    /// The connection completed here.
    Connected,
    /// The packet is dropped here: the client hears nothing.
    Dropped,
    /// Refused (RST or ICMP port-unreachable), unreachable or reset.
    Refused,
}

/// One step of the animation: where it happens and what it says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    /// The hop of the trace this step shows; `None` for the outcome line.
    pub hop: Option<usize>,
    pub kind: Option<HopKind>,
    pub element: Element,
    /// What happens, in one line ("kube-proxy on kind-worker: DNAT ...").
    pub text: String,
    /// Each rewrite in words ("DNAT 10.96.4.2:80 → 10.244.1.3:80").
    pub rewrites: Vec<String>,
    /// The packet's addresses as it leaves this step (`src → dst`).
    pub packet: Option<String>,
    pub status: StepStatus,
}

/// A rewrite in the words the diagram labels it with.
pub fn rewrite_text(rewrite: &Rewrite) -> String {
    match rewrite {
        Rewrite::Dnat { from, to } => format!("DNAT {from} → {to}"),
        Rewrite::Snat { to, .. } => format!("SNAT source → {}", to.ip()),
    }
}

/// Why a kube-proxy rule dropped or rejected, from the rule text the trace carries
/// (kube-proxy's own chain comments, as `decide` wrote them).
fn verdict_text(hop: &Hop) -> Option<String> {
    let rule = hop.rule.as_deref()?;
    if rule.contains("-j DROP") {
        let policy = if rule.contains("externalTrafficPolicy: Local") {
            " (externalTrafficPolicy: Local)"
        } else if rule.contains("internalTrafficPolicy: Local") {
            " (internalTrafficPolicy: Local)"
        } else {
            ""
        };
        return Some(format!("dropped: no local endpoint{policy}"));
    }
    if rule.contains("-j REJECT") {
        return Some("rejected: the Service has no ready endpoints".to_string());
    }
    None
}

/// The human text of one hop.
pub fn hop_text(trace: &Trace, hop: &Hop) -> String {
    let rewrites: Vec<String> = hop.rewrites.iter().map(rewrite_text).collect();
    match hop.kind {
        HopKind::Client => format!("{} sends {} → {}", addresses::place_label(&trace.client), hop.packet.src, hop.packet.dst),
        HopKind::LoadBalancer => {
            if hop.note.is_empty() {
                hop.name.clone()
            } else {
                format!("{}: {}", hop.name, hop.note)
            }
        }
        HopKind::Node if !rewrites.is_empty() => format!("{}: {}", hop.name, rewrites.join(", ")),
        HopKind::Node => format!("{} receives the packet for {}", hop.name, hop.packet.dst),
        HopKind::KubeProxy => match verdict_text(hop) {
            Some(verdict) => format!("kube-proxy on {}: {verdict}", hop.name),
            None if rewrites.is_empty() => format!("kube-proxy on {}: {}", hop.name, hop.note),
            None => format!("kube-proxy on {}: {}", hop.name, rewrites.join(", ")),
        },
        HopKind::NodeToNode => {
            let mut text = format!("node to node: {}", hop.name);
            if !hop.note.is_empty() {
                text.push_str(&format!(" ({})", hop.note));
            }
            text
        }
        HopKind::Pod => format!("pod {} receives {} → {}", hop.name, hop.packet.src, hop.packet.dst),
        HopKind::Gateway => format!("default gateway: {}", hop.note),
        HopKind::PortForward => format!("{}: {}", hop.name, hop.note),
    }
}

/// The element a hop happens at.
pub fn hop_element(trace: &Trace, hop: &Hop) -> Element {
    match hop.kind {
        HopKind::Client => match &trace.client {
            Place::Host => Element::Client,
            Place::Node { name } => Element::Node(name.clone()),
            Place::Pod { namespace, name } => Element::Pod(format!("{namespace}/{name}")),
        },
        HopKind::LoadBalancer => hop.ip.map(Element::LoadBalancer).unwrap_or(Element::Client),
        HopKind::Node => Element::Node(hop.name.clone()),
        HopKind::KubeProxy => Element::KubeProxy(hop.name.clone()),
        HopKind::NodeToNode => match hop.name.split_once(" → ") {
            Some((from, to)) => Element::NodeLink { from: from.to_string(), to: to.to_string() },
            None => Element::Node(hop.name.clone()),
        },
        HopKind::Pod => Element::Pod(hop.name.clone()),
        HopKind::Gateway => Element::Gateway,
        HopKind::PortForward => Element::Client,
    }
}

/// The steps of a trace, one per hop plus a last one for the outcome when it adds
/// something the hops do not already say (a connection accepted, a refusal, a drop
/// that happened after the last hop).
pub fn steps(trace: &Trace) -> Vec<Step> {
    let mut steps: Vec<Step> = trace
        .hops
        .iter()
        .enumerate()
        .map(|(i, hop)| {
            let dropped = hop.kind == HopKind::KubeProxy && hop.rule.as_deref().is_some_and(|r| r.contains("-j DROP"));
            let rejected = hop.kind == HopKind::KubeProxy && hop.rule.as_deref().is_some_and(|r| r.contains("-j REJECT"));
            Step {
                hop: Some(i),
                kind: Some(hop.kind),
                element: hop_element(trace, hop),
                text: hop_text(trace, hop),
                rewrites: hop.rewrites.iter().map(rewrite_text).collect(),
                packet: Some(format!("{} → {}", hop.packet.src, hop.packet.dst)),
                status: if dropped {
                    StepStatus::Dropped
                } else if rejected {
                    StepStatus::Refused
                } else {
                    StepStatus::Pass
                },
            }
        })
        .collect();
    let last_element = steps.last().map(|s| s.element.clone()).unwrap_or(Element::Client);
    let (status, text) = match &trace.outcome {
        Outcome::Connected { .. } => (StepStatus::Connected, format!("connected: {}", trace.outcome.reason())),
        Outcome::Dropped { reason } => (StepStatus::Dropped, format!("dropped: {reason}")),
        Outcome::Refused { reason } => (StepStatus::Refused, format!("refused: {reason}")),
        Outcome::Unreachable { reason } => (StepStatus::Refused, format!("unreachable: {reason}")),
        Outcome::Reset { reason } => (StepStatus::Refused, format!("reset: {reason}")),
    };
    // A drop by a kube-proxy rule is already its own step; the outcome would repeat it.
    let already_said = steps.last().is_some_and(|s| s.status == StepStatus::Dropped && status == StepStatus::Dropped);
    if !already_said {
        steps.push(Step { hop: None, kind: None, element: last_element, text, rewrites: Vec::new(), packet: None, status });
    }
    steps
}

/// The same request under both `externalTrafficPolicy` values, computed by the same
/// engine that traced it. `None` when the request did not enter a Service from outside
/// (a nodePort, a load-balancer IP or an externalIP): the policy changes nothing then.
#[derive(Clone, Debug, PartialEq)]
pub struct PolicyComparison {
    /// `namespace/name` of the Service.
    pub service: String,
    /// The policy the Service has now; its side is the recorded trace itself.
    pub current: String,
    pub cluster: Trace,
    pub local: Trace,
}

/// Traces `trace`'s request again on a clone of `cluster` whose Service has the other
/// externalTrafficPolicy; the live cluster (its generator, its affinity memory) is not
/// touched, and the recorded trace stands for the policy the Service has.
pub fn compare_external_policies(cluster: &Cluster, trace: &Trace) -> Option<PolicyComparison> {
    let rules = kube_proxy::compute(cluster);
    let dst = trace.destination;
    let svc = if addresses::node_by_ip(cluster, *dst.ip()).is_some() {
        rules.by_node_port(dst.port())
    } else {
        rules.by_external_ip(*dst.ip(), dst.port()).map(|(s, _)| s)
    }?;
    let key = ObjectKey::new(Kind::Service, &svc.namespace, &svc.name);
    let current = if svc.external_traffic_local { "Local" } else { "Cluster" };
    let other = if svc.external_traffic_local { "Cluster" } else { "Local" };
    let mut clone = cluster.clone();
    let Some(Object::Service(mut service)) = clone.store.get(&key).cloned() else { return None };
    if let Some(spec) = service.spec.as_mut() {
        spec.external_traffic_policy = Some(other.to_string());
    }
    clone.store.put(Object::Service(service));
    let other_trace = retrace(&mut clone, trace);
    let (cluster_trace, local_trace) =
        if current == "Local" { (other_trace, trace.clone()) } else { (trace.clone(), other_trace) };
    Some(PolicyComparison {
        service: format!("{}/{}", svc.namespace, svc.name),
        current: current.to_string(),
        cluster: cluster_trace,
        local: local_trace,
    })
}

/// The same connection attempt from the same place to the same address.
fn retrace(cluster: &mut Cluster, original: &Trace) -> Trace {
    let mut again = trace::connect(cluster, &original.client, original.destination);
    again.program = original.program.clone();
    again.requested_host = original.requested_host.clone();
    again
}

/// A rectangle on the canvas.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Rect {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

impl Rect {
    pub fn center(&self) -> (f64, f64) {
        (self.x + self.w / 2.0, self.y + self.h / 2.0)
    }
}

/// One placed element.
#[derive(Clone, Debug, PartialEq)]
pub struct Placed {
    pub element: Element,
    pub rect: Rect,
    /// The lines of its label, the first one bold.
    pub label: Vec<String>,
    /// Words for screen readers (`aria-label`).
    pub aria: String,
    /// Greyed: a pending load balancer, a pod not ready, a node NotReady.
    pub dim: bool,
}

/// Where everything goes on a `width` × `height` canvas.
#[derive(Clone, Debug, PartialEq)]
pub struct Layout {
    pub width: f64,
    pub height: f64,
    pub elements: Vec<Placed>,
    /// The y of the wire between the nodes (kindnet's routes).
    pub wire_y: f64,
}

/// Sizes of the layout, in SVG user units.
const WIDTH: f64 = 960.0;
const MARGIN: f64 = 12.0;
const TOP_ROW_H: f64 = 52.0;
const SERVICE_H: f64 = 40.0;
const NODE_HEADER_H: f64 = 46.0;
const PROXY_H: f64 = 26.0;
const POD_H: f64 = 34.0;
const GAP: f64 = 8.0;

impl Layout {
    pub fn find(&self, element: &Element) -> Option<&Placed> {
        self.elements.iter().find(|p| &p.element == element)
    }

    /// The point a packet passes through at `element`. A node link sits on the wire
    /// between the two nodes; an element not drawn (a hidden pod) falls back to the
    /// node it runs on, then to the middle of the canvas.
    pub fn anchor(&self, view: &ClusterView, element: &Element) -> (f64, f64) {
        if let Element::NodeLink { from, to } = element {
            let a = self.find(&Element::Node(from.clone())).map(|p| p.rect.center().0);
            let b = self.find(&Element::Node(to.clone())).map(|p| p.rect.center().0);
            if let (Some(a), Some(b)) = (a, b) {
                return ((a + b) / 2.0, self.wire_y);
            }
        }
        if let Some(p) = self.find(element) {
            return p.rect.center();
        }
        if let Element::Pod(key) = element {
            let node = view.nodes.iter().find(|n| n.pods.iter().any(|p| &p.key() == key));
            if let Some(p) = node.and_then(|n| self.find(&Element::Node(n.name.clone()))) {
                return p.rect.center();
            }
        }
        (self.width / 2.0, self.height / 2.0)
    }
}

/// Lays the view out: the client, load balancers and gateway on the top row, the
/// Services below them, then one column per node (header with IP and node ports,
/// kube-proxy, its pods in one or two columns). Pods of `show_pods` are drawn even
/// when they are system pods (a trace passes through them).
pub fn layout(view: &ClusterView, show_pods: &[String], all_services: bool) -> Layout {
    let mut elements = Vec::new();
    let width = WIDTH;
    // Top row: client, load balancers, gateway.
    let top_y = MARGIN;
    let client_w = 190.0;
    elements.push(Placed {
        element: Element::Client,
        rect: Rect { x: MARGIN, y: top_y, w: client_w, h: TOP_ROW_H },
        label: vec!["your terminal".to_string(), format!("kind host {}", view.client_ip)],
        aria: format!("outside client: your terminal on the kind host, {}", view.client_ip),
        dim: false,
    });
    let gateway_w = 130.0;
    let lb_space = width - 2.0 * MARGIN - client_w - gateway_w - 2.0 * GAP;
    let lb_count = view.load_balancers.len().max(1) as f64;
    let lb_w = ((lb_space - GAP * (lb_count - 1.0)) / lb_count).min(220.0);
    for (i, lb) in view.load_balancers.iter().enumerate() {
        let x = MARGIN + client_w + GAP + i as f64 * (lb_w + GAP);
        let ip = lb.ip.map(|ip| ip.to_string()).unwrap_or_else(|| "<pending>".to_string());
        elements.push(Placed {
            // A pending load balancer has no address; it is keyed by the unspecified one.
            element: Element::LoadBalancer(lb.ip.unwrap_or(Ipv4Addr::UNSPECIFIED)),
            rect: Rect { x, y: top_y, w: lb_w, h: TOP_ROW_H },
            label: vec![format!("load balancer {ip}"), format!("{}/{}", lb.namespace, lb.name)],
            aria: format!("load balancer for Service {}/{}: {}", lb.namespace, lb.name, ip),
            dim: lb.ip.is_none(),
        });
    }
    elements.push(Placed {
        element: Element::Gateway,
        rect: Rect { x: width - MARGIN - gateway_w, y: top_y, w: gateway_w, h: TOP_ROW_H },
        label: vec!["default gateway".to_string(), "no route: nobody".to_string()],
        aria: "default gateway: packets for addresses nothing routes".to_string(),
        dim: true,
    });
    // Services row (wrapping).
    let mut y = top_y + TOP_ROW_H + 2.0 * GAP;
    let services = view.shown_services(all_services);
    if !services.is_empty() {
        let per_row = 3usize;
        let svc_w = (width - 2.0 * MARGIN - GAP * (per_row as f64 - 1.0)) / per_row as f64;
        for (i, svc) in services.iter().enumerate() {
            let row = (i / per_row) as f64;
            let col = (i % per_row) as f64;
            elements.push(Placed {
                element: Element::Service(svc.key()),
                rect: Rect { x: MARGIN + col * (svc_w + GAP), y: y + row * (SERVICE_H + GAP), w: svc_w, h: SERVICE_H },
                label: vec![format!("svc {}", svc.key()), svc.summary()],
                aria: format!("Service {}: {}; endpoints {}", svc.key(), svc.summary(), if svc.endpoints.is_empty() { "none".to_string() } else { svc.endpoints.join(", ") }),
                dim: svc.endpoints.is_empty(),
            });
        }
        let rows = services.len().div_ceil(per_row) as f64;
        y += rows * (SERVICE_H + GAP) + GAP;
    }
    // Node columns.
    let node_count = view.nodes.len().max(1) as f64;
    let node_w = (width - 2.0 * MARGIN - GAP * (node_count - 1.0)) / node_count;
    let nodes_y = y;
    let wire_y = nodes_y + NODE_HEADER_H + PROXY_H + 2.0 * GAP;
    let mut bottom = wire_y;
    for (i, node) in view.nodes.iter().enumerate() {
        let x = MARGIN + i as f64 * (node_w + GAP);
        let pods: Vec<&PodBox> = node.pods.iter().filter(|p| !p.system || show_pods.contains(&p.key())).collect();
        // Two columns of pods when the node is crowded, so 30 pods on 3 nodes fit.
        let columns = if pods.len() > 6 { 2 } else { 1 };
        let pod_w = (node_w - 2.0 * GAP - GAP * (columns as f64 - 1.0)) / columns as f64;
        let pods_y = wire_y + GAP * 1.5;
        for (j, pod) in pods.iter().enumerate() {
            let row = (j / columns) as f64;
            let col = (j % columns) as f64;
            let rect = Rect { x: x + GAP + col * (pod_w + GAP), y: pods_y + row * (POD_H + GAP / 2.0), w: pod_w, h: POD_H };
            bottom = bottom.max(rect.y + rect.h);
            elements.push(placed_pod(pod, rect));
        }
        let ports = if node.node_ports.is_empty() {
            "no node ports".to_string()
        } else {
            format!("ports {}", node.node_ports.iter().map(u16::to_string).collect::<Vec<_>>().join(" "))
        };
        elements.push(Placed {
            element: Element::Node(node.name.clone()),
            rect: Rect { x, y: nodes_y, w: node_w, h: 0.0 },
            label: vec![node.name.clone(), format!("{} · {ports}", node.ip)],
            aria: format!(
                "node {}, InternalIP {}, {}, {}, {} pods",
                node.name,
                node.ip,
                if node.ready { "Ready" } else { "NotReady" },
                ports,
                pods.len()
            ),
            dim: !node.ready,
        });
        elements.push(Placed {
            element: Element::KubeProxy(node.name.clone()),
            rect: Rect { x: x + GAP, y: nodes_y + NODE_HEADER_H, w: node_w - 2.0 * GAP, h: PROXY_H },
            label: vec!["kube-proxy (iptables)".to_string()],
            aria: format!("kube-proxy on {}", node.name),
            dim: false,
        });
    }
    bottom += GAP;
    // Node boxes span header to their pods: all the same height, the tallest column's.
    for p in elements.iter_mut() {
        if let Element::Node(_) = p.element {
            p.rect.h = (bottom - nodes_y).max(NODE_HEADER_H + PROXY_H + 4.0 * GAP);
        }
    }
    let mut height = nodes_y + (bottom - nodes_y).max(NODE_HEADER_H + PROXY_H + 4.0 * GAP) + MARGIN;
    if !view.unscheduled.is_empty() {
        let pod_w = 200.0;
        for (i, pod) in view.unscheduled.iter().enumerate() {
            let per_row = ((width - 2.0 * MARGIN) / (pod_w + GAP)).floor().max(1.0) as usize;
            let rect = Rect {
                x: MARGIN + (i % per_row) as f64 * (pod_w + GAP),
                y: height + ((i / per_row) as f64) * (POD_H + GAP),
                w: pod_w,
                h: POD_H,
            };
            elements.push(placed_pod(pod, rect));
        }
        height += view.unscheduled.len().div_ceil(4) as f64 * (POD_H + GAP) + MARGIN;
    }
    Layout { width, height, elements, wire_y }
}

fn placed_pod(pod: &PodBox, rect: Rect) -> Placed {
    let ip = pod.ip.map(|ip| ip.to_string()).unwrap_or_else(|| "no IP".to_string());
    let state = if pod.ready {
        "ready"
    } else if pod.running {
        "not ready"
    } else {
        "not running"
    };
    Placed {
        element: Element::Pod(pod.key()),
        rect,
        label: vec![pod.name.clone(), format!("{ip} · {state}")],
        aria: format!("pod {}, IP {ip}, {state}", pod.key()),
        dim: !pod.ready,
    }
}

/// The address curl would connect to for `host:port` from the terminal, for lessons
/// that name a request without running it (a node name or an IP).
pub fn destination_for(cluster: &Cluster, host: &str, port: u16) -> Option<SocketAddrV4> {
    if let Ok(ip) = host.parse::<Ipv4Addr>() {
        return Some(SocketAddrV4::new(ip, port));
    }
    addresses::node_by_name(cluster, host).map(|n| SocketAddrV4::new(n.ip, port))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ClusterConfig, Simulator};

    const ECHO: &str = "kubectl apply -f - <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: echo
spec:
  replicas: 2
  selector:
    matchLabels:
      app: echo
  template:
    metadata:
      labels:
        app: echo
    spec:
      containers:
      - name: agnhost
        image: registry.k8s.io/e2e-test-images/agnhost:2.53
        args: [\"netexec\", \"--http-port=8080\"]
---
apiVersion: v1
kind: Service
metadata:
  name: echo
spec:
  type: NodePort
  externalTrafficPolicy: POLICY
  selector:
    app: echo
  ports:
  - port: 80
    targetPort: 8080
    nodePort: 30090
YAML";

    fn echo(policy: &str) -> Simulator {
        let mut sim = Simulator::new(ClusterConfig::default());
        let out = sim.run_line(&ECHO.replace("POLICY", policy));
        assert_eq!(out.exit_code, 0, "{}", out.display);
        sim.run_line("sleep 20");
        sim
    }

    fn last(sim: &Simulator) -> Trace {
        sim.cluster.network.last_trace().cloned().unwrap_or_else(|| Trace {
            id: 0,
            at_unix_millis: 0,
            program: String::new(),
            client: Place::Host,
            requested_host: String::new(),
            dns: None,
            destination: SocketAddrV4::new(Ipv4Addr::UNSPECIFIED, 0),
            hops: Vec::new(),
            outcome: Outcome::Dropped { reason: "no trace".to_string() },
            elapsed_ms: 0,
            http_status: None,
        })
    }

    #[test]
    fn the_view_has_nodes_with_ips_node_ports_and_their_pods() {
        let sim = echo("Cluster");
        let view = cluster_view(&sim.cluster);
        let names: Vec<(&str, String)> = view.nodes.iter().map(|n| (n.name.as_str(), n.ip.to_string())).collect();
        assert_eq!(
            names,
            vec![
                ("kind-control-plane", "172.18.0.2".to_string()),
                ("kind-worker", "172.18.0.3".to_string()),
                ("kind-worker2", "172.18.0.4".to_string())
            ]
        );
        assert!(view.nodes.iter().all(|n| n.node_ports == vec![30090]));
        // One echo pod per worker, ready, with an IP from the node's pod CIDR.
        for (node, prefix) in [("kind-worker", "10.244.1."), ("kind-worker2", "10.244.2.")] {
            let pods: Vec<&PodBox> =
                view.nodes.iter().filter(|n| n.name == node).flat_map(|n| n.pods.iter()).filter(|p| !p.system).collect();
            assert_eq!(pods.len(), 1, "{node}: {pods:?}");
            assert!(pods.iter().all(|p| p.ready && p.ip.is_some_and(|ip| ip.to_string().starts_with(prefix))));
        }
        let svc = view.shown_services(false);
        assert_eq!(svc.len(), 1);
        assert_eq!(svc.first().map(|s| s.external_traffic_policy.as_deref()), Some(Some("Cluster")));
        assert_eq!(svc.first().map(|s| s.endpoints.len()), Some(2));
        assert!(svc.first().is_some_and(|s| s.summary().starts_with("NodePort 10.96.")), "{svc:?}");
        assert!(view.load_balancers.is_empty());
        assert_eq!(view.ingress_controller, None);
    }

    #[test]
    fn scaling_up_adds_pods_to_the_view() {
        let mut sim = echo("Cluster");
        let before = cluster_view(&sim.cluster);
        sim.run_line("kubectl scale deployment echo --replicas=5");
        sim.run_line("sleep 20");
        let after = cluster_view(&sim.cluster);
        let count = |v: &ClusterView| v.nodes.iter().flat_map(|n| n.pods.iter()).filter(|p| !p.system).count();
        assert_eq!((count(&before), count(&after)), (2, 5));
        assert_ne!(before, after);
    }

    #[test]
    fn a_nodeport_request_maps_hop_by_hop_with_dnat_and_snat() {
        let mut sim = echo("Cluster");
        // Repeat until kube-proxy on kind-worker picks the endpoint on the other node,
        // so the path has the extra node-to-node hop.
        let mut trace = None;
        for _ in 0..30 {
            sim.run_line("curl -s http://172.18.0.3:30090/clientip");
            let t = last(&sim);
            if t.hops.iter().any(|h| h.kind == HopKind::NodeToNode) {
                trace = Some(t);
                break;
            }
        }
        let Some(trace) = trace else { panic!("no cross-node trace in 30 tries") };
        let view = cluster_view(&sim.cluster);
        let steps = steps(&trace);
        let elements: Vec<String> = steps.iter().map(|s| s.element.id()).collect();
        let Some(pod) = trace.hops.last().map(|h| h.name.clone()) else { panic!("no hops") };
        assert_eq!(
            elements,
            vec![
                "client".to_string(),
                "node:kind-worker".to_string(),
                "kube-proxy:kind-worker".to_string(),
                "link:kind-worker>kind-worker2".to_string(),
                format!("pod:{pod}"),
                format!("pod:{pod}"),
            ]
        );
        let Some(proxy) = steps.get(2) else { panic!("no kube-proxy step") };
        let Some(Hop { packet, .. }) = trace.hops.last() else { panic!("no pod hop") };
        assert_eq!(
            proxy.rewrites,
            vec![format!("DNAT 172.18.0.3:30090 → {}", packet.dst), "SNAT source → 172.18.0.3".to_string()]
        );
        assert!(proxy.text.starts_with("kube-proxy on kind-worker: DNAT 172.18.0.3:30090 → 10.244.2."), "{}", proxy.text);
        assert_eq!(steps.last().map(|s| s.status), Some(StepStatus::Connected));
        // The picture agrees with what curl printed: the pod saw the SNAT source.
        assert!(steps.last().is_some_and(|s| s.text.contains("sees the client as 172.18.0.3:")), "{steps:?}");
        // Every step is drawn somewhere on the layout.
        let layout = layout(&view, &[], false);
        for step in &steps {
            if !matches!(step.element, Element::NodeLink { .. }) {
                assert!(layout.find(&step.element).is_some(), "{:?} not drawn", step.element);
            }
        }
    }

    #[test]
    fn local_policy_on_a_node_without_endpoint_is_a_drop_at_kube_proxy() {
        let mut sim = echo("Local");
        let out = sim.run_line("curl -sS -m 3 http://172.18.0.2:30090/clientip");
        assert_eq!(out.exit_code, 28, "{}", out.display);
        let trace = last(&sim);
        let steps = steps(&trace);
        let texts: Vec<&str> = steps.iter().map(|s| s.text.as_str()).collect();
        let src = trace.hops.first().map(|h| h.packet.src.to_string()).unwrap_or_default();
        assert_eq!(
            texts,
            vec![
                format!("your terminal (kind host) sends {src} → 172.18.0.2:30090").as_str(),
                "kind-control-plane receives the packet for 172.18.0.2:30090",
                "kube-proxy on kind-control-plane: dropped: no local endpoint (externalTrafficPolicy: Local)",
            ]
        );
        assert_eq!(steps.last().map(|s| (s.status, s.element.id())), Some((StepStatus::Dropped, "kube-proxy:kind-control-plane".to_string())));
    }

    #[test]
    fn the_policy_comparison_traces_the_same_request_both_ways_without_touching_the_cluster() {
        let mut sim = echo("Local");
        sim.run_line("curl -sS -m 3 http://172.18.0.2:30090/clientip");
        let trace = last(&sim);
        let before = sim.cluster.clone();
        let Some(cmp) = compare_external_policies(&sim.cluster, &trace) else { panic!("no comparison") };
        assert_eq!((cmp.service.as_str(), cmp.current.as_str()), ("default/echo", "Local"));
        assert_eq!(cmp.local, trace);
        assert!(matches!(cmp.cluster.outcome, Outcome::Connected { .. }), "{:?}", cmp.cluster.outcome);
        // Under Cluster the control plane forwards to a worker and masquerades.
        assert!(cmp.cluster.hops.iter().any(|h| h.kind == HopKind::NodeToNode));
        assert!(cmp.cluster.hops.iter().flat_map(|h| h.rewrites.iter()).any(|r| matches!(r, Rewrite::Snat { .. })));
        assert_eq!(sim.cluster.rng.clone().below(1 << 40), before.rng.clone().below(1 << 40));
        assert_eq!(sim.cluster.network.traces().count(), before.network.traces().count());
        // A request to a ClusterIP from a pod has no external policy to compare.
        let mut inner = trace.clone();
        inner.destination = SocketAddrV4::new(Ipv4Addr::new(10, 96, 0, 1), 443);
        assert_eq!(compare_external_policies(&sim.cluster, &inner), None);
    }

    #[test]
    fn a_cluster_ip_from_the_terminal_dies_at_the_gateway() {
        let mut sim = echo("Cluster");
        let view = cluster_view(&sim.cluster);
        let Some(ip) = view.shown_services(false).first().map(|s| s.cluster_ip.clone()) else { panic!("no service") };
        sim.run_line(&format!("curl -sS -m 2 http://{ip}/"));
        let steps = steps(&last(&sim));
        let ids: Vec<String> = steps.iter().map(|s| s.element.id()).collect();
        assert_eq!(ids, vec!["client", "gateway", "gateway"]);
        assert!(steps.get(1).is_some_and(|s| s.text.starts_with("default gateway: ") && s.text.contains("Service CIDR")));
    }

    #[test]
    fn a_pending_load_balancer_is_drawn_greyed() {
        let mut sim = echo("Cluster");
        sim.run_line("kubectl expose deployment echo --name=lb --type=LoadBalancer --port=80 --target-port=8080");
        let view = cluster_view(&sim.cluster);
        assert_eq!(view.load_balancers.len(), 1);
        assert_eq!(view.load_balancers.first().and_then(|l| l.ip), None);
        let layout = layout(&view, &[], false);
        let lb = layout.find(&Element::LoadBalancer(Ipv4Addr::UNSPECIFIED));
        assert!(lb.is_some_and(|p| p.dim && p.label.first().is_some_and(|l| l == "load balancer <pending>")), "{lb:?}");
    }

    #[test]
    fn thirty_pods_on_three_nodes_stay_inside_the_canvas_without_overlap() {
        let mut sim = echo("Cluster");
        sim.run_line("kubectl scale deployment echo --replicas=30");
        sim.run_line("sleep 30");
        let view = cluster_view(&sim.cluster);
        let layout = layout(&view, &[], false);
        let pods: Vec<&Placed> = layout.elements.iter().filter(|p| matches!(p.element, Element::Pod(_))).collect();
        assert_eq!(pods.len(), 30);
        for (i, a) in pods.iter().enumerate() {
            let r = a.rect;
            assert!(r.x >= 0.0 && r.y >= 0.0 && r.x + r.w <= layout.width && r.y + r.h <= layout.height, "{a:?}");
            assert!(r.w >= 130.0, "pods too narrow to label: {}", r.w);
            for b in pods.iter().skip(i + 1) {
                let s = b.rect;
                let overlap = r.x < s.x + s.w && s.x < r.x + r.w && r.y < s.y + s.h && s.y < r.y + r.h;
                assert!(!overlap, "{a:?} overlaps {b:?}");
            }
        }
        assert!(layout.height < 900.0, "{}", layout.height);
    }
}
