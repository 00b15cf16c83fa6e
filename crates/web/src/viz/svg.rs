//! The diagram as inline SVG: one `<g>` per element of the layout (with `role="img"`,
//! an `aria-label` and `data-element`), then the path walked so far (a line per hop,
//! a numbered badge per step with `data-hop`), the rewrite and drop callouts, and the
//! packet. Colours come from CSS variables in static/viz.css, so the page's theme
//! decides them; the packet moves by a CSS transition (none under
//! `prefers-reduced-motion`, where it jumps from step to step).

use std::collections::BTreeMap;

use sim_core::network::view::{ClusterView, Element, Layout, Placed, Step, StepStatus};
use yew::prelude::*;

/// What to draw.
pub struct Drawing<'a> {
    pub view: &'a ClusterView,
    pub layout: &'a Layout,
    pub steps: &'a [Step],
    /// How many steps are shown (the first `shown`).
    pub shown: usize,
    /// The pods behind the focused Service, highlighted.
    pub focus_pods: &'a [String],
    /// Draw the packet at the last shown step, moving there in this many ms.
    pub packet_ms: Option<u32>,
    pub label: String,
    /// Extra class on the `<svg>` (the comparison's small diagrams).
    pub class: &'static str,
}

/// Text width in user units, roughly, for the 11px system font.
const CHAR_W: f64 = 6.3;

fn fit(text: &str, width: f64) -> String {
    let max = ((width - 12.0) / CHAR_W).floor().max(3.0) as usize;
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

fn kind_class(element: &Element) -> &'static str {
    match element {
        Element::Client => "viz-client",
        Element::LoadBalancer(_) => "viz-lb",
        Element::Node(_) => "viz-node",
        Element::KubeProxy(_) => "viz-proxy",
        Element::NodeLink { .. } => "viz-link",
        Element::Pod(_) => "viz-pod",
        Element::Service(_) => "viz-svc",
        Element::Gateway => "viz-gateway",
    }
}

fn status_name(status: StepStatus) -> &'static str {
    match status {
        StepStatus::Pass => "pass",
        StepStatus::Connected => "connected",
        StepStatus::Dropped => "dropped",
        StepStatus::Refused => "refused",
    }
}

fn element(placed: &Placed, on_path: bool, active: bool, focus: bool) -> Html {
    let r = placed.rect;
    let mut class = classes!("viz-el", kind_class(&placed.element));
    if placed.dim {
        class.push("viz-dim");
    }
    if on_path {
        class.push("viz-on-path");
    }
    if active {
        class.push("viz-active");
    }
    if focus {
        class.push("viz-focus");
    }
    let is_node = matches!(placed.element, Element::Node(_));
    let lines: Vec<Html> = placed
        .label
        .iter()
        .enumerate()
        .map(|(i, line)| {
            let y = if is_node { r.y + 17.0 + i as f64 * 15.0 } else { r.y + r.h / 2.0 + (i as f64 - (placed.label.len() as f64 - 1.0) / 2.0) * 14.0 + 4.0 };
            let class = if i == 0 { "viz-label viz-label-main" } else { "viz-label" };
            html! { <text class={class} x={format!("{:.1}", r.x + 8.0)} y={format!("{y:.1}")}>{ fit(line, r.w) }</text> }
        })
        .collect();
    html! {
        <g key={placed.element.id()} class={class} role="img" aria-label={placed.aria.clone()} data-element={placed.element.id()}>
            <title>{ placed.aria.clone() }</title>
            <rect x={format!("{:.1}", r.x)} y={format!("{:.1}", r.y)} width={format!("{:.1}", r.w)} height={format!("{:.1}", r.h)} rx="6" />
            { for lines }
        </g>
    }
}

pub fn diagram(d: &Drawing) -> Html {
    let layout = d.layout;
    let shown: Vec<&Step> = d.steps.iter().take(d.shown).collect();
    let on_path: Vec<Element> = shown.iter().map(|s| s.element.clone()).collect();
    let active = shown.last().map(|s| s.element.clone());
    // Nodes first (their boxes hold the rest), then everything else.
    let mut placed: Vec<&Placed> = layout.elements.iter().collect();
    sim_core::sort::sort_by_key(&mut placed, |p| !matches!(p.element, Element::Node(_)));
    let elements = placed.iter().map(|p| {
        let path_hit = on_path.contains(&p.element)
            || matches!(&p.element, Element::Node(n) if on_path.iter().any(|e| matches!(e, Element::NodeLink { to, .. } if to == n)));
        let focus = matches!(&p.element, Element::Pod(k) if d.focus_pods.contains(k));
        element(p, path_hit, active.as_ref() == Some(&p.element), focus)
    });
    let anchors: Vec<(f64, f64)> = shown.iter().map(|s| layout.anchor(d.view, &s.element)).collect();
    let lines = shown.iter().enumerate().skip(1).filter_map(|(i, step)| {
        let (x1, y1) = *anchors.get(i - 1)?;
        let (x2, y2) = *anchors.get(i)?;
        if (x1 - x2).abs() < 0.5 && (y1 - y2).abs() < 0.5 {
            return None;
        }
        let class = classes!("viz-path", format!("viz-path-{}", status_name(step.status)));
        Some(html! {
            <line key={format!("line{i}")} class={class} data-hop={i.to_string()} x1={format!("{x1:.1}")} y1={format!("{y1:.1}")} x2={format!("{x2:.1}")} y2={format!("{y2:.1}")} marker-end="url(#viz-arrow)" />
        })
    });
    // Badges: numbered circles at each step's element, side by side when several
    // steps happen at the same element.
    let mut per_element: BTreeMap<String, usize> = BTreeMap::new();
    let badges: Vec<Html> = shown
        .iter()
        .enumerate()
        .map(|(i, step)| {
            let n = per_element.entry(step.element.id()).or_insert(0);
            let k = *n as f64;
            *n += 1;
            let (x, y) = match layout.find(&step.element) {
                Some(p) if !matches!(step.element, Element::Node(_)) => (p.rect.x + p.rect.w - 12.0 - k * 22.0, p.rect.y),
                Some(p) => (p.rect.x + p.rect.w - 12.0 - k * 22.0, p.rect.y + 4.0),
                None => {
                    let (x, y) = anchors.get(i).copied().unwrap_or((0.0, 0.0));
                    (x + k * 22.0, y - 12.0)
                }
            };
            let label = format!("{}. {}", i + 1, step.text);
            let class = classes!("viz-hop", format!("viz-hop-{}", status_name(step.status)));
            html! {
                <g key={format!("hop{i}")} class={class} role="img" aria-label={label.clone()} data-hop={i.to_string()} data-element={step.element.id()} data-status={status_name(step.status)}>
                    <title>{ label }</title>
                    <circle cx={format!("{x:.1}")} cy={format!("{y:.1}")} r="10" />
                    <text x={format!("{x:.1}")} y={format!("{:.1}", y + 4.0)} text-anchor="middle">{ (i + 1).to_string() }</text>
                </g>
            }
        })
        .collect();
    // Callouts: the rewrites of each shown step and where and why a packet died.
    let callouts = shown.iter().enumerate().filter_map(|(i, step)| {
        let mut lines: Vec<String> = step.rewrites.clone();
        if matches!(step.status, StepStatus::Dropped | StepStatus::Refused) && step.hop.is_none() || (step.status == StepStatus::Dropped && step.rewrites.is_empty()) {
            lines.push(step.text.rsplit_once(": dropped: ").map(|(_, why)| format!("dropped: {why}")).unwrap_or_else(|| step.text.clone()));
        }
        if lines.is_empty() {
            return None;
        }
        let (ax, ay) = anchors.get(i).copied()?;
        let w = lines.iter().map(|l| l.chars().count()).max().unwrap_or(0) as f64 * CHAR_W + 14.0;
        let w = w.min(layout.width - 8.0);
        let h = lines.len() as f64 * 15.0 + 8.0;
        let x = (ax + 14.0).min(layout.width - w - 4.0).max(4.0);
        let y = (ay + 6.0).min(layout.height - h - 4.0).max(4.0);
        let bad = matches!(step.status, StepStatus::Dropped | StepStatus::Refused);
        let class = classes!("viz-callout", bad.then_some("viz-callout-bad"));
        let texts = lines.iter().enumerate().map(|(j, l)| {
            html! { <text x={format!("{:.1}", x + 7.0)} y={format!("{:.1}", y + 16.0 + j as f64 * 15.0)}>{ fit(l, w + 12.0) }</text> }
        });
        Some(html! {
            <g key={format!("callout{i}")} class={class} data-hop={i.to_string()} aria-hidden="true">
                <rect x={format!("{x:.1}")} y={format!("{y:.1}")} width={format!("{w:.1}")} height={format!("{h:.1}")} rx="4" />
                { for texts }
            </g>
        })
    });
    let packet = d.packet_ms.and_then(|ms| {
        let (x, y) = anchors.last().copied()?;
        let status = shown.last().map(|s| s.status).unwrap_or(StepStatus::Pass);
        let class = classes!("viz-packet", format!("viz-packet-{}", status_name(status)));
        let style = format!("transform: translate({x:.1}px, {y:.1}px); transition-duration: {ms}ms");
        Some(html! {
            <g class={class} style={style} aria-hidden="true">
                <circle r="7" />
                if status == StepStatus::Dropped || status == StepStatus::Refused {
                    <path d="M -4 -4 L 4 4 M 4 -4 L -4 4" />
                }
            </g>
        })
    });
    // kindnet's wire between the nodes: where node-to-node hops travel.
    let wire = {
        let nodes: Vec<&Placed> = layout.elements.iter().filter(|p| matches!(p.element, Element::Node(_))).collect();
        let first = nodes.first().map(|p| p.rect.x + 10.0).unwrap_or(0.0);
        let last = nodes.last().map(|p| p.rect.x + p.rect.w - 10.0).unwrap_or(0.0);
        html! { <line class="viz-wire" x1={format!("{first:.1}")} x2={format!("{last:.1}")} y1={format!("{:.1}", layout.wire_y)} y2={format!("{:.1}", layout.wire_y)} aria-hidden="true" /> }
    };
    html! {
        <svg class={classes!("viz-svg", d.class)} viewBox={format!("0 0 {:.0} {:.0}", layout.width, layout.height)} role="group" aria-label={d.label.clone()} xmlns="http://www.w3.org/2000/svg">
            <defs>
                <marker id="viz-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                    <path class="viz-arrowhead" d="M 0 0 L 10 5 L 0 10 z" />
                </marker>
            </defs>
            { for elements }
            { wire }
            { for lines }
            { for callouts }
            { for badges }
            { for packet }
        </svg>
    }
}
