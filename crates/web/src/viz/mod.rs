//! The traffic-flow visualizer: the learner's cluster as an SVG diagram (the outside
//! client, load balancers, nodes with their InternalIP and node ports, kube-proxy,
//! pods by node, Services) and every request they make animated hop by hop, read from
//! the very trace `curl` printed from (`sim_core::network::view`).
//!
//! # Layout
//! - [`player`]: playback state (step, back, replay, speed) and the "predict the
//!   path" quiz; plain Rust, tested natively.
//! - `component`: the Yew component [`Visualizer`] (browser only): subscribes to the
//!   session's events, redraws when the cluster changes, animates new traces.
//! - `svg`: the diagram's SVG from a layout and the steps shown.

pub mod player;

#[cfg(target_arch = "wasm32")]
mod component;
#[cfg(target_arch = "wasm32")]
mod svg;

#[cfg(target_arch = "wasm32")]
pub use component::Visualizer;

/// What a lesson asks of an embedded visualizer (the `kubesim-viz` block's options,
/// see lessons/README.md). Every field is optional; the default shows everything.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct VizScene {
    /// A caption above the diagram.
    pub title: Option<String>,
    /// `namespace/name` or `name` (default namespace) of the Service to focus: the
    /// Services row shows only it and its endpoints are highlighted.
    pub service: Option<String>,
    /// Open the side-by-side Cluster/Local comparison for each request.
    pub compare_policies: bool,
    /// Ask the learner where each new request will end before it plays.
    pub predict: bool,
}
