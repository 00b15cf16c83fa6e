//! xterm.js's screen-reader mode (`terminal.options.screenReaderMode`), switched from
//! the page's toolbar.
//!
//! The terminal pane creates and owns its `Terminal`; the course only needs to flip
//! one option on it. So instead of reaching into the pane, the global `Terminal`
//! class (put there by xterm.js's UMD bundle, and looked up by name when
//! `crate::xterm` constructs one) is wrapped once, before any terminal exists, in a
//! `Proxy` whose `construct` notes the newest instance and gives it the current
//! setting. Nothing else about construction changes.

use std::cell::RefCell;

use js_sys::{Array, Object, Proxy, Reflect};
use wasm_bindgen::prelude::*;

thread_local! {
    /// The newest terminal and whether screen-reader mode is wanted.
    static STATE: RefCell<(Option<JsValue>, bool)> = const { RefCell::new((None, false)) };
}

/// Wraps the global `Terminal` class (once; later calls do nothing).
pub fn install() {
    let global = js_sys::global();
    let Ok(class) = Reflect::get(&global, &"Terminal".into()) else { return };
    if !class.is_function() || Reflect::has(&class, &"__kubesimWrapped".into()).unwrap_or(false) {
        return;
    }
    let construct = Closure::<dyn Fn(JsValue, Array, JsValue) -> Result<JsValue, JsValue>>::new(
        |target: JsValue, args: Array, new_target: JsValue| {
            let target: js_sys::Function = target.into();
            let new_target: js_sys::Function = new_target.into();
            let terminal = Reflect::construct_with_new_target(&target, &args, &new_target)?;
            let wanted = STATE.with(|s| {
                let mut s = s.borrow_mut();
                s.0 = Some(terminal.clone());
                s.1
            });
            if wanted {
                apply(&terminal, true);
            }
            Ok(terminal)
        },
    );
    let handler = Object::new();
    let _ = Reflect::set(&handler, &"construct".into(), construct.as_ref());
    let proxy = Proxy::new(&class, &handler);
    let _ = Reflect::set(&class, &"__kubesimWrapped".into(), &JsValue::TRUE);
    let _ = Reflect::set(&global, &"Terminal".into(), &proxy);
    // The proxy lives as long as the page.
    construct.forget();
}

/// Turns screen-reader mode on or off for the current terminal and later ones.
pub fn set_screen_reader_mode(on: bool) {
    let terminal = STATE.with(|s| {
        let mut s = s.borrow_mut();
        s.1 = on;
        s.0.clone()
    });
    if let Some(terminal) = terminal {
        apply(&terminal, on);
    }
}

fn apply(terminal: &JsValue, on: bool) {
    if let Ok(options) = Reflect::get(terminal, &"options".into()) {
        let _ = Reflect::set(&options, &"screenReaderMode".into(), &JsValue::from_bool(on));
    }
}
