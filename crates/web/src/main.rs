//! kubesim's browser app: a Yew page hosting an xterm.js terminal wired to sim-core.
//!
//! # Layout
//! - [`keys`]: xterm.js input strings decoded into keys.
//! - [`line_editor`]: the prompt's line editor (readline's bindings) and its screen updates.
//! - [`session`]: the terminal session: keys in, bytes out, lines run through sim-core.
//! - `panic_hook`: a panic saves the learner's work and shows a Reload banner.
//! - `xterm`: thin wasm-bindgen bindings to `@xterm/xterm` and `@xterm/addon-fit`.
//! - `components`: the Yew components, one per file.
//! - [`course`]: the lessons compiled in (`build.rs`) and the learner's progress in each.
//! - [`route`]: deep links (`#/lesson/<id>/step/<n>`, `#/sandbox`, `#/preview`) and embed mode.
//! - [`persistence`]: the saved progress document and storage keys.
//! - [`viz`]: the traffic-flow visualizer (its playback natively tested; the component
//!   for the browser).
//!
//! Everything but `xterm` and `components` is plain Rust and is tested natively with
//! `cargo test -p kubesim-web`; the page itself is tested in headless Chromium by
//! `tests/browser/`.

// Natively only the tests use the session; the browser build uses all of it.
#![cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]

mod course;
mod keys;
mod line_editor;
mod persistence;
mod route;
mod session;
mod viz;

#[cfg(target_arch = "wasm32")]
mod components;
#[cfg(target_arch = "wasm32")]
mod panic_hook;
#[cfg(target_arch = "wasm32")]
mod xterm;

#[cfg(target_arch = "wasm32")]
fn main() {
    panic_hook::install();
    yew::Renderer::<components::app::App>::new().render();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("kubesim-web runs in a browser: `./dev serve` builds and serves it (see README.md).");
    std::process::exit(2);
}
