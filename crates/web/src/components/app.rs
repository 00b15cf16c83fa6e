//! The page: a title bar and the terminal filling the rest of the window.

use k8s_openapi::chrono::Duration;
use sim_core::{ClusterConfig, Simulator};
use yew::prelude::*;

use crate::components::terminal_pane::TerminalPane;
use crate::session::SessionHandle;

#[function_component(App)]
pub fn app() -> Html {
    // One session for the life of the page; components share it by handle.
    let session = use_memo((), |_| SessionHandle::new(browser_simulator()));
    html! {
        <div class="kubesim">
            <header class="kubesim-bar">
                <span class="kubesim-title">{ "kubesim" }</span>
                <span class="kubesim-subtitle">{ "a simulated Kubernetes cluster — type kubectl commands" }</span>
            </header>
            <main class="kubesim-main">
                <TerminalPane session={(*session).clone()} />
                <crate::viz::Visualizer session={(*session).clone()} />
            </main>
        </div>
    }
}

/// The simulator a page starts: virtual time starts at the wall clock and follows it
/// (so there is no per-command step), and the seed is 1 unless the page address says
/// `?seed=N`, so a learner can reproduce what someone else saw.
fn browser_simulator() -> Simulator {
    let now = js_sys::Date::now() as i64;
    let seed = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .and_then(|search| {
            search
                .trim_start_matches('?')
                .split('&')
                .find_map(|pair| pair.strip_prefix("seed="))
                .and_then(|s| s.parse::<u64>().ok())
        })
        .unwrap_or(1);
    Simulator::new(ClusterConfig {
        seed,
        start_unix_millis: now,
        command_step: Duration::zero(),
        ..ClusterConfig::default()
    })
}
