//! What a panic does in the page: save the learner's work, then say so in a banner
//! with a Reload button, instead of leaving a terminal that silently stopped.
//!
//! Release builds use `panic = "abort"`: std still runs the panic hook first, and the
//! abort then traps the wasm call that panicked (a JavaScript `RuntimeError`). The
//! hook therefore does everything itself, synchronously: it saves and it draws the
//! banner. The simulator may be mid-change (its `RefCell` borrowed by the call that
//! panicked); then the copy the session keeps after every command is saved instead.
//!
//! The save goes to localStorage under [`AUTOSAVE_KEY`], as
//! `sim_core::persist::save_simulator` text; the course restores from it on load.

use std::cell::{Cell, RefCell};

use wasm_bindgen::JsValue;

use crate::session::{SessionHandle, WeakSessionHandle};

/// The localStorage key of the crash save (agreed with the course's persistence).
pub const AUTOSAVE_KEY: &str = "kubesim.autosave.v1";

/// The banner's element id (the browser tests look for it).
const BANNER_ID: &str = "kubesim-crash";

thread_local! {
    static WATCHED: RefCell<Option<WeakSessionHandle>> = const { RefCell::new(None) };
    static PANICKING: Cell<bool> = const { Cell::new(false) };
}

/// Installs the hook (once, before the app renders). Through Yew: its renderer
/// replaces any other hook with `console_error_panic_hook`'s unless one was set
/// this way.
pub fn install() {
    yew::set_custom_panic_hook(Box::new(|info| {
        // A panic inside the hook (or a second one after an abort left borrows
        // behind) must not loop: the first one already saved and showed the banner.
        if PANICKING.with(|p| p.replace(true)) {
            return;
        }
        web_sys::console::error_1(&JsValue::from_str(&format!("kubesim: internal error: {info}")));
        let saved = save();
        show_banner(saved);
    }));
}

/// The session whose simulator a panic saves.
pub fn watch(session: &SessionHandle) {
    let weak = session.downgrade();
    WATCHED.with(|w| {
        if let Ok(mut slot) = w.try_borrow_mut() {
            *slot = Some(weak);
        }
    });
}

/// Saves the watched session into localStorage; whether it worked.
fn save() -> bool {
    let handle = WATCHED.with(|w| w.try_borrow().ok().and_then(|slot| slot.as_ref().and_then(WeakSessionHandle::upgrade)));
    let Some(text) = handle.and_then(|h| h.autosave_now()) else { return false };
    let storage = web_sys::window().and_then(|w| w.local_storage().ok().flatten());
    storage.is_some_and(|s| s.set_item(AUTOSAVE_KEY, &text).is_ok())
}

fn show_banner(saved: bool) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else { return };
    if document.get_element_by_id(BANNER_ID).is_some() {
        return;
    }
    let Ok(banner) = document.create_element("div") else { return };
    banner.set_id(BANNER_ID);
    let _ = banner.set_attribute("role", "alert");
    let _ = banner.set_attribute(
        "style",
        "position:fixed;top:0;left:0;right:0;z-index:1000;padding:10px 16px;background:#7f1d1d;\
         color:#fff;font:15px system-ui,sans-serif;display:flex;gap:12px;align-items:center",
    );
    let message = if saved {
        "kubesim hit an internal error; your work was saved \u{2014} "
    } else {
        "kubesim hit an internal error and could not save your work \u{2014} "
    };
    let Ok(text) = document.create_element("span") else { return };
    text.set_text_content(Some(message));
    let Ok(button) = document.create_element("button") else { return };
    button.set_text_content(Some("Reload"));
    // An inline handler: the wasm that would run a Rust one may be the thing that died.
    let _ = button.set_attribute("onclick", "location.reload()");
    let _ = banner.append_child(&text);
    let _ = banner.append_child(&button);
    if let Some(body) = document.body() {
        let _ = body.append_child(&banner);
    }
}
