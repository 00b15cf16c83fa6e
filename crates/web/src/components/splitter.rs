//! The divider between the lesson pane and the terminal: drag it with a pointer, or
//! focus it and use the arrow keys (Home/End for the extremes), as the WAI-ARIA
//! "window splitter" pattern describes. It sets `--ks-lesson-width` on its parent,
//! which the grid in `static/kubesim.css` reads; the terminal's fit addon follows
//! the new size through its ResizeObserver.

use wasm_bindgen::JsCast;
use web_sys::HtmlElement;
use yew::prelude::*;

/// The lesson pane's share of the row, in percent, and its limits.
const DEFAULT: f64 = 36.0;
const MIN: f64 = 20.0;
const MAX: f64 = 75.0;
const KEY_STEP: f64 = 4.0;

#[function_component(Splitter)]
pub fn splitter() -> Html {
    let width = use_state(|| DEFAULT);
    let dragging = use_state(|| false);
    let node = use_node_ref();

    // The parent carries the variable, so the grid columns follow.
    {
        let node = node.clone();
        use_effect_with(*width, move |width| {
            if let Some(parent) = node.cast::<HtmlElement>().and_then(|e| e.parent_element()).and_then(|p| p.dyn_into::<HtmlElement>().ok()) {
                let _ = parent.style().set_property("--ks-lesson-width", &format!("{width:.1}%"));
            }
        });
    }
    let set = {
        let width = width.clone();
        move |value: f64| width.set(value.clamp(MIN, MAX))
    };
    let onpointerdown = {
        let dragging = dragging.clone();
        Callback::from(move |e: PointerEvent| {
            if let Some(target) = e.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) {
                let _ = target.set_pointer_capture(e.pointer_id());
            }
            dragging.set(true);
        })
    };
    let onpointermove = {
        let (dragging, node, set) = (dragging.clone(), node.clone(), set.clone());
        Callback::from(move |e: PointerEvent| {
            if !*dragging {
                return;
            }
            // The lesson pane's left edge is where the row's lesson column starts:
            // measure from the pane just before the splitter.
            let Some(me) = node.cast::<HtmlElement>() else { return };
            let Some(parent) = me.parent_element() else { return };
            let Some(lesson) = me.previous_element_sibling() else { return };
            let row = parent.get_bounding_client_rect();
            let left = lesson.get_bounding_client_rect().left();
            if row.width() > 0.0 {
                set((f64::from(e.client_x()) - left) / row.width() * 100.0);
            }
        })
    };
    let onpointerup = {
        let dragging = dragging.clone();
        Callback::from(move |_: PointerEvent| dragging.set(false))
    };
    let onkeydown = {
        let (width, set) = (width.clone(), set.clone());
        Callback::from(move |e: KeyboardEvent| {
            let value = match e.key().as_str() {
                "ArrowLeft" | "ArrowUp" => *width - KEY_STEP,
                "ArrowRight" | "ArrowDown" => *width + KEY_STEP,
                "Home" => MIN,
                "End" => MAX,
                _ => return,
            };
            e.prevent_default();
            set(value);
        })
    };
    html! {
        <div class={classes!("ks-splitter", dragging.then_some("ks-dragging"))} ref={node}
            role="separator" tabindex="0" aria-orientation="vertical" aria-label="Resize the lesson and the terminal"
            aria-controls="ks-lesson" aria-valuemin={MIN.to_string()} aria-valuemax={MAX.to_string()}
            aria-valuenow={format!("{:.0}", *width)}
            {onpointerdown} {onpointermove} {onpointerup} {onkeydown}>
        </div>
    }
}
