//! The `Visualizer` component: reads a [`ClusterView`] from the session's simulator,
//! redraws when the store changes (on the session's events), and animates each new
//! trace step by step with the controls of [`Player`]: back, play/pause, forward,
//! show all, replay, speed, the Cluster/Local comparison and the "predict the path"
//! quiz. Only the step changes re-render; between them the packet glides by a CSS
//! transition, so the browser's compositor does the motion.

use sim_core::network::view::{self, ClusterView, Layout, PolicyComparison, Step, StepStatus};
use sim_core::network::Trace;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use super::player::{self, Choice, Ending, Player, SPEEDS};
use super::svg::{diagram, Drawing};
use super::VizScene;
use crate::session::{SessionEvent, SessionHandle, Subscription};

#[derive(Properties, PartialEq)]
pub struct VisualizerProps {
    pub session: SessionHandle,
    /// A lesson's scene: a focused Service, the policy comparison, the quiz.
    #[prop_or_default]
    pub scene: Option<VizScene>,
}

pub enum Msg {
    Session(SessionEvent),
    Tick,
    Forward,
    Back,
    TogglePlay,
    ShowAll,
    Replay,
    Speed(f64),
    ToggleCompare,
    Predict(usize),
}

/// A pending `setTimeout`, cleared when dropped.
struct Timeout {
    handle: i32,
    _callback: Closure<dyn FnMut()>,
}

impl Timeout {
    fn new(ms: u32, f: impl FnMut() + 'static) -> Option<Timeout> {
        let callback = Closure::<dyn FnMut()>::new(f);
        let handle = web_sys::window()?
            .set_timeout_with_callback_and_timeout_and_arguments_0(callback.as_ref().unchecked_ref(), ms as i32)
            .ok()?;
        Some(Timeout { handle, _callback: callback })
    }
}

impl Drop for Timeout {
    fn drop(&mut self) {
        if let Some(window) = web_sys::window() {
            window.clear_timeout_with_handle(self.handle);
        }
    }
}

/// The quiz's state for the trace on show.
struct Prediction {
    choices: Vec<Choice>,
    picked: Option<usize>,
    actual: Ending,
}

pub struct Visualizer {
    _subscription: Subscription,
    resource_version: Option<u64>,
    view: ClusterView,
    layout: Layout,
    trace: Option<Trace>,
    steps: Vec<Step>,
    player: Player,
    timer: Option<Timeout>,
    compare: bool,
    comparison: Option<PolicyComparison>,
    prediction: Option<Prediction>,
}

impl Visualizer {
    fn scene<'a>(&self, ctx: &'a Context<Self>) -> Option<&'a VizScene> {
        ctx.props().scene.as_ref()
    }

    /// The focused Service's key (`namespace/name`).
    fn focus(&self, ctx: &Context<Self>) -> Option<String> {
        let service = self.scene(ctx)?.service.clone()?;
        Some(if service.contains('/') { service } else { format!("default/{service}") })
    }

    /// Re-reads the cluster when the store moved and picks up a new trace; returns
    /// whether anything on screen changed.
    fn refresh(&mut self, ctx: &Context<Self>, animate: bool) -> bool {
        let (version, last_id) = ctx.props().session.with_simulator(|sim| {
            (sim.cluster.store.resource_version(), sim.cluster.network.last_trace().map(|t| t.id))
        });
        let mut changed = false;
        if self.resource_version != Some(version) {
            self.resource_version = Some(version);
            let mut fresh = ctx.props().session.with_simulator(|sim| view::cluster_view(&sim.cluster));
            if let Some(focus) = self.focus(ctx) {
                fresh.services.retain(|s| s.key() == focus);
            }
            if fresh != self.view {
                self.view = fresh;
                changed = true;
            }
        }
        if last_id != self.trace.as_ref().map(|t| t.id) {
            let trace = ctx.props().session.with_simulator(|sim| sim.cluster.network.last_trace().cloned());
            self.load(ctx, trace, animate);
            changed = true;
        }
        if changed {
            self.relayout();
        }
        changed
    }

    fn load(&mut self, ctx: &Context<Self>, trace: Option<Trace>, animate: bool) {
        self.steps = trace.as_ref().map(view::steps).unwrap_or_default();
        self.trace = trace;
        self.player = Player::new(self.steps.len(), self.player.speed());
        self.comparison = None;
        self.prediction = None;
        self.timer = None;
        if !animate {
            self.player.finish();
        } else if self.scene(ctx).is_some_and(|s| s.predict) && self.steps.len() > 1 {
            let nodes: Vec<String> = self.view.nodes.iter().map(|n| n.name.clone()).collect();
            let view = &self.view;
            let actual = player::ending(&self.steps, |key| {
                view.nodes.iter().find(|n| n.pods.iter().any(|p| p.key() == key)).map(|n| n.name.clone())
            });
            self.prediction = Some(Prediction { choices: player::choices(&nodes), picked: None, actual });
            self.player.back();
        }
        if self.compare {
            self.compute_comparison(ctx);
        }
        self.schedule(ctx);
    }

    fn compute_comparison(&mut self, ctx: &Context<Self>) {
        let Some(trace) = self.trace.clone() else { return };
        self.comparison = ctx.props().session.with_simulator(|sim| view::compare_external_policies(&sim.cluster, &trace));
    }

    /// The pods a trace passes through are drawn even when they are system pods.
    fn relayout(&mut self) {
        let extra: Vec<String> = self
            .steps
            .iter()
            .filter_map(|s| match &s.element {
                view::Element::Pod(k) => Some(k.clone()),
                _ => None,
            })
            .collect();
        self.layout = view::layout(&self.view, &extra, false);
    }

    fn schedule(&mut self, ctx: &Context<Self>) {
        if self.player.playing() && self.timer.is_none() {
            let link = ctx.link().clone();
            self.timer = Timeout::new(self.player.step_ms(), move || link.send_message(Msg::Tick));
        }
    }

    fn controls(&self, ctx: &Context<Self>) -> Html {
        let link = ctx.link();
        let waiting = self.prediction.as_ref().is_some_and(|p| p.picked.is_none());
        let none = self.steps.is_empty() || waiting;
        let speeds = SPEEDS.iter().map(|&s| {
            let pressed = (self.player.speed() - s).abs() < f64::EPSILON;
            html! {
                <button class="viz-speed" aria-pressed={pressed.to_string()} onclick={link.callback(move |_| Msg::Speed(s))}>
                    { format!("{s}×") }
                </button>
            }
        });
        html! {
            <div class="viz-controls" role="toolbar" aria-label="playback">
                <button class="viz-replay" disabled={none} onclick={link.callback(|_| Msg::Replay)} title="replay from the start">{ "⟲ replay" }</button>
                <button class="viz-back" disabled={none} onclick={link.callback(|_| Msg::Back)} title="one step back">{ "◀ back" }</button>
                <button class="viz-play" disabled={none} onclick={link.callback(|_| Msg::TogglePlay)}>
                    { if self.player.playing() { "❚❚ pause" } else { "▶ play" } }
                </button>
                <button class="viz-forward" disabled={none} onclick={link.callback(|_| Msg::Forward)} title="one step forward">{ "step ▶" }</button>
                <button class="viz-all" disabled={none} onclick={link.callback(|_| Msg::ShowAll)} title="show every hop">{ "all hops" }</button>
                <span class="viz-speeds" role="group" aria-label="speed">{ for speeds }</span>
                <button class="viz-compare" aria-pressed={self.compare.to_string()} onclick={link.callback(|_| Msg::ToggleCompare)}>
                    { "compare Cluster / Local" }
                </button>
            </div>
        }
    }

    fn hop_list(&self, steps: &[Step], shown: usize, current: Option<usize>, class: &'static str) -> Html {
        let items = steps.iter().enumerate().take(shown).map(|(i, step)| {
            let status = match step.status {
                StepStatus::Pass => "pass",
                StepStatus::Connected => "connected",
                StepStatus::Dropped => "dropped",
                StepStatus::Refused => "refused",
            };
            let class = classes!(format!("viz-step-{status}"), (current == Some(i)).then_some("viz-current"));
            let rewrites = step.rewrites.iter().map(|r| html! { <li class="viz-rewrite">{ r.clone() }</li> });
            html! {
                <li key={i} class={class} data-hop={i.to_string()} data-status={status}>
                    <span class="viz-step-text">{ step.text.clone() }</span>
                    if !step.rewrites.is_empty() {
                        <ul class="viz-rewrites">{ for rewrites }</ul>
                    }
                    if let Some(packet) = &step.packet {
                        <span class="viz-step-packet">{ packet.clone() }</span>
                    }
                </li>
            }
        });
        html! { <ol class={classes!("viz-hops", class)} aria-live="polite">{ for items }</ol> }
    }

    fn comparison_panel(&self) -> Html {
        let Some(cmp) = &self.comparison else {
            let why = if self.trace.is_some() {
                "This request did not enter a Service from outside (a nodePort or a load-balancer IP): externalTrafficPolicy does not apply to it."
            } else {
                "Make a request (curl a node port) to compare the policies."
            };
            return html! { <p class="viz-compare-none">{ why }</p> };
        };
        let side = |policy: &'static str, trace: &Trace| {
            let steps = view::steps(trace);
            let layout = &self.layout;
            let label = format!("the same request with externalTrafficPolicy: {policy}");
            let yours = cmp.current == policy;
            html! {
                <section class="viz-side" data-policy={policy} aria-label={label.clone()}>
                    <h4>
                        { format!("externalTrafficPolicy: {policy}") }
                        <span class="viz-side-note">{ if yours { " — what your request did" } else { " — the same request, traced with this policy" } }</span>
                    </h4>
                    { diagram(&Drawing { view: &self.view, layout, steps: &steps, shown: steps.len(), focus_pods: &[], packet_ms: None, label, class: "viz-small" }) }
                    { self.hop_list(&steps, steps.len(), None, "viz-hops-small") }
                </section>
            }
        };
        html! {
            <div class="viz-comparison" aria-label={format!("externalTrafficPolicy Cluster and Local side by side for Service {}", cmp.service)}>
                { side("Cluster", &cmp.cluster) }
                { side("Local", &cmp.local) }
            </div>
        }
    }

    fn quiz(&self, ctx: &Context<Self>) -> Html {
        let Some(p) = &self.prediction else { return html! {} };
        match p.picked {
            None => {
                let buttons = p.choices.iter().enumerate().map(|(i, c)| {
                    html! { <button class="viz-choice" onclick={ctx.link().callback(move |_| Msg::Predict(i))}>{ c.label.clone() }</button> }
                });
                html! {
                    <div class="viz-quiz" role="group" aria-label="predict the path">
                        <p>{ "Predict the path: where will this request end?" }</p>
                        { for buttons }
                    </div>
                }
            }
            Some(i) if self.player.at_end() => {
                let right = p.choices.get(i).is_some_and(|c| c.ending == p.actual);
                let answer = p.choices.iter().find(|c| c.ending == p.actual).map(|c| c.label.clone()).unwrap_or_default();
                html! {
                    <div class={classes!("viz-quiz", if right { "viz-right" } else { "viz-wrong" })} role="status">
                        { if right { format!("Right: {answer}.") } else { format!("Not quite: {answer}.") } }
                    </div>
                }
            }
            Some(_) => html! { <div class="viz-quiz" role="status">{ "Watch the packet…" }</div> },
        }
    }
}

impl Component for Visualizer {
    type Message = Msg;
    type Properties = VisualizerProps;

    fn create(ctx: &Context<Self>) -> Self {
        let subscription = ctx.props().session.subscribe(ctx.link().callback(Msg::Session));
        let compare = ctx.props().scene.as_ref().is_some_and(|s| s.compare_policies);
        let mut this = Visualizer {
            _subscription: subscription,
            resource_version: None,
            view: ctx.props().session.with_simulator(|sim| view::cluster_view(&sim.cluster)),
            layout: Layout { width: 0.0, height: 0.0, elements: Vec::new(), wire_y: 0.0 },
            trace: None,
            steps: Vec::new(),
            player: Player::new(0, 1.0),
            timer: None,
            compare,
            comparison: None,
            prediction: None,
        };
        // A trace made before the diagram opened is shown whole, not replayed.
        this.refresh(ctx, false);
        this.relayout();
        this
    }

    fn update(&mut self, ctx: &Context<Self>, msg: Msg) -> bool {
        match msg {
            Msg::Session(SessionEvent::Replaced) => {
                self.resource_version = None;
                self.trace = None;
                self.refresh(ctx, false);
                true
            }
            Msg::Session(_) => self.refresh(ctx, true),
            Msg::Tick => {
                self.timer = None;
                let moved = self.player.forward();
                self.schedule(ctx);
                moved
            }
            Msg::Forward => {
                self.timer = None;
                let was_playing = self.player.playing();
                let moved = self.player.forward();
                if was_playing {
                    self.player.toggle();
                }
                moved || was_playing
            }
            Msg::Back => {
                self.timer = None;
                self.player.back();
                true
            }
            Msg::TogglePlay => {
                self.timer = None;
                self.player.toggle();
                self.schedule(ctx);
                true
            }
            Msg::ShowAll => {
                self.timer = None;
                self.player.finish();
                true
            }
            Msg::Replay => {
                self.timer = None;
                self.player.replay();
                self.schedule(ctx);
                true
            }
            Msg::Speed(speed) => {
                self.player.set_speed(speed);
                true
            }
            Msg::ToggleCompare => {
                self.compare = !self.compare;
                if self.compare {
                    self.compute_comparison(ctx);
                }
                true
            }
            Msg::Predict(i) => {
                if let Some(p) = self.prediction.as_mut() {
                    p.picked = Some(i);
                }
                self.player.replay();
                self.schedule(ctx);
                true
            }
        }
    }

    fn view(&self, ctx: &Context<Self>) -> Html {
        let waiting = self.prediction.as_ref().is_some_and(|p| p.picked.is_none());
        let shown = if waiting { 1.min(self.steps.len()) } else { self.player.current() + 1 }.min(self.steps.len());
        let focus_pods: Vec<String> = self
            .focus(ctx)
            .and_then(|f| self.view.services.iter().find(|s| s.key() == f))
            .map(|s| s.endpoints.clone())
            .unwrap_or_default();
        let summary = match &self.trace {
            Some(t) => format!(
                "request #{}: {} {}:{} from {} — {}",
                t.id,
                if t.program.is_empty() { "connect" } else { &t.program },
                t.requested_host,
                t.destination.port(),
                sim_core::network::addresses::place_label(&t.client),
                if self.player.at_end() && !waiting { t.outcome.reason() } else { format!("step {} of {}", shown, self.steps.len()) }
            ),
            None => "No request yet: curl a Service (a node port from your terminal, or a ClusterIP from a pod) and watch its path here.".to_string(),
        };
        let label = match &self.trace {
            Some(t) => format!("traffic flow diagram of the cluster; request #{} shown to step {shown} of {}", t.id, self.steps.len()),
            None => "traffic flow diagram of the cluster".to_string(),
        };
        let title = self.scene(ctx).and_then(|s| s.title.clone());
        html! {
            <figure class="viz" aria-label="traffic-flow visualizer" data-trace={self.trace.as_ref().map(|t| t.id.to_string()).unwrap_or_default()} data-shown={shown.to_string()} data-steps={self.steps.len().to_string()}>
                if let Some(title) = title {
                    <figcaption class="viz-title">{ title }</figcaption>
                }
                { self.controls(ctx) }
                <p class="viz-summary">{ summary }</p>
                { self.quiz(ctx) }
                <div class="viz-body">
                    { diagram(&Drawing { view: &self.view, layout: &self.layout, steps: &self.steps, shown, focus_pods: &focus_pods, packet_ms: Some(self.player.step_ms()), label, class: "" }) }
                    if !waiting {
                        { self.hop_list(&self.steps, shown, Some(shown.saturating_sub(1)), "") }
                    }
                </div>
                if self.compare && !waiting {
                    { self.comparison_panel() }
                }
            </figure>
        }
    }
}
