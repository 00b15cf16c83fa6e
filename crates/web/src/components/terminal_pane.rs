//! The terminal: an xterm.js instance in a `<div>`, fitted to it, wired to the session.
//!
//! Yew renders only the container; the terminal itself is created once the element
//! is in the page (xterm.js measures its font there) and is torn down with the
//! component. Keys go to the session, whose reply is written back; the session's
//! clock follows the wall clock on a one-second timer as well as on each key.

use js_sys::{Date, Function, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{HtmlElement, ResizeObserver};
use yew::prelude::*;

use crate::session::SessionHandle;
use crate::xterm::{Disposable, FitAddon, Terminal};

#[derive(Properties, PartialEq)]
pub struct TerminalPaneProps {
    pub session: SessionHandle,
}

#[function_component(TerminalPane)]
pub fn terminal_pane(props: &TerminalPaneProps) -> Html {
    let container = use_node_ref();
    {
        let container = container.clone();
        let session = props.session.clone();
        use_effect_with((), move |_| {
            let mounted = container.cast::<HtmlElement>().map(|element| MountedTerminal::mount(&element, session));
            if let Some(Err(error)) = &mounted {
                web_sys::console::error_2(&"kubesim: the terminal could not start:".into(), error);
            }
            move || drop(mounted)
        });
    }
    html! { <div class="kubesim-terminal" ref={container}></div> }
}

/// xterm.js's options (`ITerminalOptions`). Fonts are the system's monospace ones:
/// nothing is fetched at run time.
const TERMINAL_OPTIONS: &str = r##"{
    "cursorBlink": true,
    "fontFamily": "\"DejaVu Sans Mono\", Menlo, Consolas, \"Liberation Mono\", monospace",
    "fontSize": 15,
    "scrollback": 5000,
    "theme": {
        "background": "#16181d",
        "foreground": "#d9dee8",
        "cursor": "#d9dee8",
        "selectionBackground": "#3b4252"
    }
}"##;

/// Window hooks for the browser tests: the terminal's text, and its size as
/// `[cols, rows]`.
const TEXT_HOOK: &str = "kubesimTerminalText";
const SIZE_HOOK: &str = "kubesimTerminalSize";
/// Benchmark hooks (`tests/browser/bench.mjs`, `cargo xtask bench`): run one line as if
/// typed and Enter pressed, write and return what the terminal gets (the caller times it
/// with `performance.now()`), replace the session by a restored saved state (returns
/// the error, or "" once restored), and the wasm linear memory in bytes.
const RUN_HOOK: &str = "kubesimBenchRun";
const RESTORE_HOOK: &str = "kubesimBenchRestore";
const MEMORY_HOOK: &str = "kubesimMemoryBytes";

/// A live terminal and everything wired to it; dropping it unhooks and disposes all.
struct MountedTerminal {
    terminal: Terminal,
    data_listener: Disposable,
    resize_observer: ResizeObserver,
    clock_interval: i32,
    // Closures handed to JavaScript must live as long as JavaScript may call them.
    _on_data: Closure<dyn FnMut(String)>,
    _on_resize: Closure<dyn FnMut()>,
    _on_tick: Closure<dyn FnMut()>,
    _text_hook: Closure<dyn Fn() -> String>,
    _size_hook: Closure<dyn Fn() -> Vec<u32>>,
    _run_hook: Closure<dyn FnMut(String) -> String>,
    _restore_hook: Closure<dyn FnMut(String) -> String>,
    _memory_hook: Closure<dyn Fn() -> f64>,
}

impl MountedTerminal {
    fn mount(element: &HtmlElement, session: SessionHandle) -> Result<Self, JsValue> {
        let window = web_sys::window().ok_or_else(|| JsValue::from_str("no window"))?;
        let terminal = Terminal::new(&js_sys::JSON::parse(TERMINAL_OPTIONS)?);
        let fit = FitAddon::create()?;
        terminal.load_addon(&fit);
        terminal.open(element);
        fit.fit();
        session.0.borrow_mut().resize(terminal.cols() as usize);
        let greeting = session.0.borrow_mut().start();
        terminal.write(&greeting);
        terminal.focus();

        let on_data = {
            let (terminal, session) = (terminal.clone(), session.clone());
            Closure::<dyn FnMut(String)>::new(move |data: String| {
                // xterm.js parses writes asynchronously, so input never arrives while the
                // session is busy; if it ever did, dropping it beats a panic.
                let Ok(mut session) = session.0.try_borrow_mut() else { return };
                let reply = session.handle_input(&data, Date::now() as i64);
                if !reply.is_empty() {
                    terminal.write(&reply);
                }
            })
        };
        let data_listener = terminal.on_data(&on_data);

        // The container follows the window (CSS), so one observer covers both window
        // and layout resizes.
        let on_resize = {
            let (terminal, session) = (terminal.clone(), session.clone());
            Closure::<dyn FnMut()>::new(move || {
                fit.fit();
                if let Ok(mut session) = session.0.try_borrow_mut() {
                    session.resize(terminal.cols() as usize);
                }
            })
        };
        let resize_observer = ResizeObserver::new(on_resize.as_ref().unchecked_ref())?;
        resize_observer.observe(element);

        let on_tick = {
            let session = session.clone();
            Closure::<dyn FnMut()>::new(move || {
                if let Ok(mut session) = session.0.try_borrow_mut() {
                    session.tick(Date::now() as i64);
                }
            })
        };
        let clock_interval = window
            .set_interval_with_callback_and_timeout_and_arguments_0(on_tick.as_ref().unchecked_ref(), 1000)?;

        let text_hook = {
            let terminal = terminal.clone();
            Closure::<dyn Fn() -> String>::new(move || terminal.text())
        };
        Reflect::set(&window, &TEXT_HOOK.into(), text_hook.as_ref().unchecked_ref::<Function>())?;
        let size_hook = {
            let terminal = terminal.clone();
            Closure::<dyn Fn() -> Vec<u32>>::new(move || vec![terminal.cols(), terminal.rows()])
        };
        Reflect::set(&window, &SIZE_HOOK.into(), size_hook.as_ref().unchecked_ref::<Function>())?;
        let run_hook = {
            let (terminal, session) = (terminal.clone(), session.clone());
            Closure::<dyn FnMut(String) -> String>::new(move |line: String| {
                let Ok(mut session) = session.0.try_borrow_mut() else { return String::new() };
                let reply = session.handle_input(&format!("{line}\r"), Date::now() as i64);
                terminal.write(&reply);
                reply
            })
        };
        Reflect::set(&window, &RUN_HOOK.into(), run_hook.as_ref().unchecked_ref::<Function>())?;
        let restore_hook = {
            let (terminal, session) = (terminal.clone(), session.clone());
            Closure::<dyn FnMut(String) -> String>::new(move |state: String| {
                let Ok(mut session) = session.0.try_borrow_mut() else { return "busy".to_string() };
                let config = sim_core::ClusterConfig {
                    command_step: k8s_openapi::chrono::Duration::zero(),
                    ..sim_core::ClusterConfig::default()
                };
                match sim_core::persist::restore_simulator(&state, config) {
                    Ok(simulator) => {
                        *session = crate::session::Session::new(simulator);
                        terminal.write(&session.start());
                        String::new()
                    }
                    Err(error) => error,
                }
            })
        };
        Reflect::set(&window, &RESTORE_HOOK.into(), restore_hook.as_ref().unchecked_ref::<Function>())?;
        let memory_hook = Closure::<dyn Fn() -> f64>::new(|| core::arch::wasm32::memory_size::<0>() as f64 * 65536.0);
        Reflect::set(&window, &MEMORY_HOOK.into(), memory_hook.as_ref().unchecked_ref::<Function>())?;

        // Time to first prompt (the benchmark reads this mark): the prompt is written and
        // keys reach the session from here on.
        let _ = window.performance().map(|performance| performance.mark("kubesim-ready"));

        Ok(MountedTerminal {
            terminal,
            data_listener,
            resize_observer,
            clock_interval,
            _on_data: on_data,
            _on_resize: on_resize,
            _on_tick: on_tick,
            _text_hook: text_hook,
            _size_hook: size_hook,
            _run_hook: run_hook,
            _restore_hook: restore_hook,
            _memory_hook: memory_hook,
        })
    }
}

impl Drop for MountedTerminal {
    fn drop(&mut self) {
        if let Some(window) = web_sys::window() {
            window.clear_interval_with_handle(self.clock_interval);
            let _ = Reflect::delete_property(&window, &TEXT_HOOK.into());
            let _ = Reflect::delete_property(&window, &SIZE_HOOK.into());
            let _ = Reflect::delete_property(&window, &RUN_HOOK.into());
            let _ = Reflect::delete_property(&window, &RESTORE_HOOK.into());
            let _ = Reflect::delete_property(&window, &MEMORY_HOOK.into());
        }
        self.resize_observer.disconnect();
        self.data_listener.dispose();
        self.terminal.dispose();
    }
}
