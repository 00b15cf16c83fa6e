//! The visualizer's playback as plain state: which step of a trace is shown, whether
//! it plays, how fast, and the "predict the path" quiz. No browser here, so it is
//! tested natively; the component only turns it into timers and SVG.

use sim_core::network::view::{Element, Step, StepStatus};

/// Speeds offered by the controls, as multipliers of [`STEP_MS`].
pub const SPEEDS: [f64; 4] = [0.5, 1.0, 2.0, 4.0];
/// How long one step takes at speed 1.
pub const STEP_MS: f64 = 900.0;

/// Where playback of one trace is.
#[derive(Clone, Debug, PartialEq)]
pub struct Player {
    len: usize,
    /// The step shown last (0 is the client); steps after it are not drawn yet.
    current: usize,
    playing: bool,
    speed: f64,
}

impl Player {
    /// A trace of `len` steps, at its first step, playing.
    pub fn new(len: usize, speed: f64) -> Self {
        Player { len, current: 0, playing: len > 1, speed }
    }

    pub fn current(&self) -> usize {
        self.current
    }

    pub fn playing(&self) -> bool {
        self.playing
    }

    pub fn speed(&self) -> f64 {
        self.speed
    }

    pub fn at_end(&self) -> bool {
        self.current + 1 >= self.len
    }

    /// One step on; stops playing at the last step. Returns whether anything moved.
    pub fn forward(&mut self) -> bool {
        if self.at_end() {
            self.playing = false;
            return false;
        }
        self.current += 1;
        if self.at_end() {
            self.playing = false;
        }
        true
    }

    /// One step back (pauses: stepping is by hand).
    pub fn back(&mut self) -> bool {
        self.playing = false;
        if self.current == 0 {
            return false;
        }
        self.current -= 1;
        true
    }

    /// From the first step again, playing.
    pub fn replay(&mut self) {
        self.current = 0;
        self.playing = self.len > 1;
    }

    /// Play or pause; playing at the end starts over.
    pub fn toggle(&mut self) {
        if self.playing {
            self.playing = false;
        } else if self.at_end() {
            self.replay();
        } else {
            self.playing = true;
        }
    }

    /// Shows every step at once (what a screen reader or a test wants).
    pub fn finish(&mut self) {
        self.current = self.len.saturating_sub(1);
        self.playing = false;
    }

    pub fn set_speed(&mut self, speed: f64) {
        if speed.is_finite() && speed > 0.0 {
            self.speed = speed;
        }
    }

    /// Milliseconds between steps (and the packet's travel time) at this speed.
    pub fn step_ms(&self) -> u32 {
        (STEP_MS / self.speed).round().clamp(50.0, 10_000.0) as u32
    }
}

/// One answer of the "where does it end?" quiz.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Choice {
    pub label: String,
    pub ending: Ending,
}

/// Where a request ends, as the quiz asks it: coarse enough to predict.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ending {
    /// A pod on this node answers.
    PodOn(String),
    /// kube-proxy on this node drops or rejects it.
    StoppedAt(String),
    /// Nothing in the cluster is reached (gateway, unreachable, refused elsewhere).
    Elsewhere,
}

/// The quiz's choices for a cluster with `nodes`, in node order.
pub fn choices(nodes: &[String]) -> Vec<Choice> {
    let mut out = Vec::new();
    for node in nodes {
        out.push(Choice { label: format!("a pod on {node} answers"), ending: Ending::PodOn(node.clone()) });
    }
    for node in nodes {
        out.push(Choice { label: format!("kube-proxy on {node} drops or rejects it"), ending: Ending::StoppedAt(node.clone()) });
    }
    out.push(Choice { label: "it never reaches a node's rules or a pod".to_string(), ending: Ending::Elsewhere });
    out
}

/// Where the steps actually end; `pod_node` tells the node a pod (`ns/name`) runs on.
pub fn ending(steps: &[Step], pod_node: impl Fn(&str) -> Option<String>) -> Ending {
    let Some(last) = steps.last() else { return Ending::Elsewhere };
    let connected = last.status == StepStatus::Connected;
    match &last.element {
        Element::Pod(key) if connected => pod_node(key).map(Ending::PodOn).unwrap_or(Ending::Elsewhere),
        Element::KubeProxy(node) => Ending::StoppedAt(node.clone()),
        _ => Ending::Elsewhere,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plays_to_the_end_and_stops() {
        let mut p = Player::new(4, 1.0);
        assert!(p.playing());
        assert!(p.forward() && p.forward() && p.forward());
        assert_eq!(p.current(), 3);
        assert!(!p.playing());
        assert!(!p.forward());
        assert_eq!(Player::new(4, 1.0).current(), 0);
    }

    #[test]
    fn back_pauses_and_replay_restarts() {
        let mut p = Player::new(3, 1.0);
        p.forward();
        assert!(p.back());
        assert!(!p.playing());
        assert!(!p.back());
        p.finish();
        assert_eq!(p.current(), 2);
        p.toggle();
        assert_eq!((p.current(), p.playing()), (0, true));
        p.toggle();
        assert!(!p.playing());
    }

    #[test]
    fn speed_scales_the_step_time() {
        let mut p = Player::new(2, 1.0);
        assert_eq!(p.step_ms(), 900);
        p.set_speed(2.0);
        assert_eq!(p.step_ms(), 450);
        p.set_speed(0.0);
        p.set_speed(f64::NAN);
        assert_eq!(p.speed(), 2.0);
        assert!(!Player::new(1, 1.0).playing(), "a one-step trace has nothing to play");
        assert!(!Player::new(0, 1.0).at_end() || Player::new(0, 1.0).current() == 0);
    }

    #[test]
    fn the_quiz_knows_where_a_real_trace_ends() {
        use sim_core::network::view::{cluster_view, steps};
        use sim_core::{ClusterConfig, Simulator};
        let mut sim = Simulator::new(ClusterConfig::default());
        assert_eq!(sim.run_line("kubectl create deployment web --image=nginx:1.28 --replicas=1").exit_code, 0);
        assert_eq!(sim.run_line("kubectl expose deployment web --type=NodePort --port=80").exit_code, 0);
        let patch = sim.run_line("kubectl patch service web -p '{\"spec\":{\"externalTrafficPolicy\":\"Local\"}}'");
        assert_eq!(patch.exit_code, 0, "{}", patch.display);
        sim.run_line("sleep 20");
        let port = sim.run_line("kubectl get service web -o jsonpath='{.spec.ports[0].nodePort}'").stdout;
        let view = cluster_view(&sim.cluster);
        let nodes: Vec<String> = view.nodes.iter().map(|n| n.name.clone()).collect();
        let pod_node =
            |key: &str| view.nodes.iter().find(|n| n.pods.iter().any(|p| p.key() == key)).map(|n| n.name.clone());
        // The control plane has no web pod: Local drops there.
        sim.run_line(&format!("curl -sS -m 2 http://172.18.0.2:{port}/"));
        let dropped = sim.cluster.network.last_trace().map(steps).unwrap_or_default();
        assert_eq!(ending(&dropped, pod_node), Ending::StoppedAt("kind-control-plane".to_string()));
        // Sent to the node the pod runs on, it answers there.
        let web = view.nodes.iter().find(|n| n.pods.iter().any(|p| p.name.starts_with("web-")));
        let Some((web_node, ip)) = web.map(|n| (n.name.clone(), n.ip)) else { panic!("no node runs web: {nodes:?}") };
        sim.run_line(&format!("curl -sS -m 2 http://{ip}:{port}/"));
        let answered = sim.cluster.network.last_trace().map(steps).unwrap_or_default();
        assert_eq!(ending(&answered, pod_node), Ending::PodOn(web_node));
        let all = choices(&nodes);
        assert_eq!(all.len(), 2 * nodes.len() + 1);
        assert_eq!(all.first().map(|c| c.label.as_str()), Some("a pod on kind-control-plane answers"));
    }
}
