//! The terminal: an xterm.js instance in a `<div>`, fitted to it, wired to the session.
//!
//! Yew renders only the container; the terminal itself is created once the element
//! is in the page (xterm.js measures its font there) and is torn down with the
//! component. Keys go to the session, which writes its replies through the writer
//! attached here; a 250 ms timer moves the simulator's clock to the wall clock and
//! prints what streaming commands (`kubectl get -w`, `watch`, `logs -f`) emit.
//!
//! Leaving the terminal by keyboard (WCAG 2.1.2, no keyboard trap): Tab is bash's
//! completion in here, so Escape then Tab (or Shift-Tab) moves focus out of the
//! terminal instead, as accessible web terminals do; a description on xterm.js's
//! textarea and the hint under the terminal say so.
//!
//! Copy and paste: Ctrl-Shift-C copies the selection (Ctrl-C stays SIGINT, as in a
//! Linux terminal); Ctrl-Shift-V, Ctrl-V and the right-click menu's Paste reach
//! xterm.js as a paste event, which it brackets for the session.

use std::cell::Cell;
use std::rc::Rc;

use js_sys::{Function, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{HtmlElement, ResizeObserver};
use yew::prelude::*;

use crate::session::SessionHandle;
use crate::xterm::{Disposable, FitAddon, Terminal};

#[derive(Properties, PartialEq)]
pub struct TerminalPaneProps {
    pub session: SessionHandle,
    /// xterm.js's screen-reader mode (`options.screenReaderMode`).
    #[prop_or_default]
    pub screen_reader: bool,
}

/// The id of the visually hidden text that describes the terminal's keys.
const KEYS_HELP_ID: &str = "ks-terminal-keys";

/// What the terminal's keys are, for screen readers and on the page.
pub const KEYS_HELP: &str = "Tab completes commands in the terminal. To leave the terminal, press Escape, then Tab (or Shift-Tab).";

#[function_component(TerminalPane)]
pub fn terminal_pane(props: &TerminalPaneProps) -> Html {
    let container = use_node_ref();
    // The live terminal, for the options changed after it was made.
    let terminal = use_mut_ref(|| None::<Terminal>);
    {
        let container = container.clone();
        let session = props.session.clone();
        let terminal = terminal.clone();
        let screen_reader = props.screen_reader;
        use_effect_with((), move |_| {
            let mounted =
                container.cast::<HtmlElement>().map(|element| MountedTerminal::mount(&element, session, screen_reader));
            match &mounted {
                Some(Ok(m)) => *terminal.borrow_mut() = Some(m.terminal.clone()),
                Some(Err(error)) => web_sys::console::error_2(&"kubesim: the terminal could not start:".into(), error),
                None => {}
            }
            move || {
                terminal.borrow_mut().take();
                drop(mounted)
            }
        });
    }
    {
        let terminal = terminal.clone();
        use_effect_with(props.screen_reader, move |on| {
            if let Some(terminal) = terminal.borrow().as_ref() {
                terminal.options().set_screen_reader_mode(*on);
            }
        });
    }
    html! {
        <>
            <div class="kubesim-terminal" ref={container}></div>
            <p id={KEYS_HELP_ID} class="ks-visually-hidden">{ KEYS_HELP }</p>
        </>
    }
}

/// Whether the page was opened by the browser tests: `?test=1` in the URL or
/// localStorage `kubesim.test-hooks` set to `1`. Only then does the pane put its
/// hooks on `window` (one of them crashes the page on purpose).
fn test_hooks_wanted(window: &web_sys::Window) -> bool {
    let query = window.location().search().unwrap_or_default();
    let in_query = query.trim_start_matches('?').split('&').any(|pair| pair == "test=1");
    let in_storage = window
        .local_storage()
        .ok()
        .flatten()
        .and_then(|storage| storage.get_item(TEST_HOOKS_KEY).ok().flatten())
        .is_some_and(|value| value == "1");
    in_query || in_storage
}

/// The localStorage flag the browser tests set (see [`test_hooks_wanted`]).
const TEST_HOOKS_KEY: &str = "kubesim.test-hooks";

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

/// How often virtual time catches up with the wall clock (and streams print).
const TICK_MILLIS: i32 = 250;

/// Window hooks for the browser tests (only with the test flag, see
/// [`test_hooks_wanted`]): the terminal's text, its size as
/// `[cols, rows]`, a paste through xterm.js's own paste path (bracketed as a real
/// paste is), a lesson's Run, and an internal error in the middle of a command (to
/// prove the panic hook saves the work and shows its banner).
const TEXT_HOOK: &str = "kubesimTerminalText";
const SIZE_HOOK: &str = "kubesimTerminalSize";
const PASTE_HOOK: &str = "kubesimTerminalPaste";
const RUN_HOOK: &str = "kubesimRunCommand";
const CRASH_HOOK: &str = "kubesimCrashTest";
const HOOKS: [&str; 8] = [TEXT_HOOK, SIZE_HOOK, PASTE_HOOK, RUN_HOOK, CRASH_HOOK, BENCH_RUN_HOOK, RESTORE_HOOK, MEMORY_HOOK];
/// Benchmark hooks (`tests/browser/bench.mjs`, `cargo xtask bench`): run one line as if
/// typed and Enter pressed and return what the terminal got (the caller times it with
/// `performance.now()`), replace the session by a restored saved state (returns the
/// error, or "" once restored), and the wasm linear memory in bytes.
const BENCH_RUN_HOOK: &str = "kubesimBenchRun";
const RESTORE_HOOK: &str = "kubesimBenchRestore";
const MEMORY_HOOK: &str = "kubesimMemoryBytes";

/// A live terminal and everything wired to it; dropping it unhooks and disposes all.
struct MountedTerminal {
    terminal: Terminal,
    session: SessionHandle,
    data_listener: Disposable,
    resize_observer: ResizeObserver,
    clock_interval: i32,
    // Closures handed to JavaScript must live as long as JavaScript may call them.
    _on_key: Closure<dyn FnMut(web_sys::KeyboardEvent) -> bool>,
    _on_data: Closure<dyn FnMut(String)>,
    _on_resize: Closure<dyn FnMut()>,
    _on_tick: Closure<dyn FnMut()>,
    _test_hooks: Option<TestHooks>,
}

/// The closures behind the window hooks, kept alive with the terminal.
struct TestHooks {
    _text: Closure<dyn Fn() -> String>,
    _size: Closure<dyn Fn() -> Vec<u32>>,
    _paste_and_run: [Closure<dyn Fn(String)>; 2],
    _crash: Closure<dyn Fn()>,
    _bench_run: Closure<dyn FnMut(String) -> String>,
    _restore: Closure<dyn FnMut(js_sys::JsString) -> String>,
    _memory: Closure<dyn Fn() -> f64>,
}

impl MountedTerminal {
    fn mount(element: &HtmlElement, session: SessionHandle, screen_reader: bool) -> Result<Self, JsValue> {
        let window = web_sys::window().ok_or_else(|| JsValue::from_str("no window"))?;
        let options = js_sys::JSON::parse(TERMINAL_OPTIONS)?;
        Reflect::set(&options, &"screenReaderMode".into(), &screen_reader.into())?;
        let terminal = Terminal::new(&options);
        let fit = FitAddon::create()?;
        terminal.load_addon(&fit);
        terminal.open(element);
        fit.fit();
        {
            let terminal = terminal.clone();
            session.attach_terminal(move |text| terminal.write(text));
        }
        crate::panic_hook::watch(&session);
        session.start(terminal.cols() as usize, terminal.rows() as usize);
        // The size the session was last told. xterm.js can change its size after the
        // first fit without the container changing (its character cell is measured
        // again once the page's layout and fonts settle), which no ResizeObserver
        // reports: so the size is compared again before every key and every tick,
        // and the session (the editor draws for it) follows.
        let told = Rc::new(Cell::new((terminal.cols(), terminal.rows())));
        let follow_size = {
            let (terminal, session, told) = (terminal.clone(), session.clone(), told.clone());
            move || {
                let now = (terminal.cols(), terminal.rows());
                if told.replace(now) != now {
                    session.resize(now.0 as usize, now.1 as usize);
                }
            }
        };
        terminal.focus();

        if let Some(textarea) = terminal.textarea() {
            textarea.set_attribute("aria-describedby", KEYS_HELP_ID)?;
        }

        let on_key = {
            let terminal = terminal.clone();
            // Escape pressed last: a Tab now leaves the terminal.
            let mut escaped = false;
            Closure::<dyn FnMut(web_sys::KeyboardEvent) -> bool>::new(move |event: web_sys::KeyboardEvent| {
                if event.type_() == "keydown" {
                    match event.key().as_str() {
                        // Returning false keeps the Tab from xterm.js, which would
                        // otherwise cancel it; the browser then moves focus as usual.
                        "Tab" if escaped => {
                            escaped = false;
                            return false;
                        }
                        "Escape" => escaped = true,
                        "Shift" | "Control" | "Alt" | "Meta" => {}
                        _ => escaped = false,
                    }
                }
                let copy = event.type_() == "keydown"
                    && event.ctrl_key()
                    && event.shift_key()
                    && event.key().eq_ignore_ascii_case("c");
                if copy && terminal.has_selection() {
                    copy_to_clipboard(&terminal.get_selection());
                    event.prevent_default();
                    return false;
                }
                true
            })
        };
        terminal.attach_custom_key_event_handler(&on_key);

        let on_data = {
            let session = session.clone();
            // xterm.js calls this from its own event handlers, never while the session
            // is busy, so the handle's borrow cannot clash.
            let follow_size = follow_size.clone();
            Closure::<dyn FnMut(String)>::new(move |data: String| {
                follow_size();
                session.input(&data)
            })
        };
        let data_listener = terminal.on_data(&on_data);

        // The container follows the window (CSS), so one observer covers both window
        // and layout resizes.
        let on_resize = {
            let (terminal, session) = (terminal.clone(), session.clone());
            let told = told.clone();
            Closure::<dyn FnMut()>::new(move || {
                fit.fit();
                told.set((terminal.cols(), terminal.rows()));
                session.resize(terminal.cols() as usize, terminal.rows() as usize);
            })
        };
        let resize_observer = ResizeObserver::new(on_resize.as_ref().unchecked_ref())?;
        resize_observer.observe(element);

        let on_tick = {
            let session = session.clone();
            Closure::<dyn FnMut()>::new(move || {
                follow_size();
                session.tick()
            })
        };
        let clock_interval = window
            .set_interval_with_callback_and_timeout_and_arguments_0(on_tick.as_ref().unchecked_ref(), TICK_MILLIS)?;

        let test_hooks = if test_hooks_wanted(&window) { Some(install_test_hooks(&window, &terminal, &session)?) } else { None };

        // Time to first prompt (the benchmark reads this mark): the prompt is written and
        // keys reach the session from here on.
        let _ = window.performance().map(|performance| performance.mark("kubesim-ready"));

        Ok(MountedTerminal {
            terminal,
            session,
            data_listener,
            resize_observer,
            clock_interval,
            _on_key: on_key,
            _on_data: on_data,
            _on_resize: on_resize,
            _on_tick: on_tick,
            _test_hooks: test_hooks,
        })
    }
}

/// Puts the browser tests' hooks on `window` (see [`HOOKS`]).
fn install_test_hooks(window: &web_sys::Window, terminal: &Terminal, session: &SessionHandle) -> Result<TestHooks, JsValue> {
    let text_hook = {
        let terminal = terminal.clone();
        Closure::<dyn Fn() -> String>::new(move || terminal.text())
    };
    Reflect::set(window, &TEXT_HOOK.into(), text_hook.as_ref().unchecked_ref::<Function>())?;
    let size_hook = {
        let terminal = terminal.clone();
        Closure::<dyn Fn() -> Vec<u32>>::new(move || vec![terminal.cols(), terminal.rows()])
    };
    Reflect::set(window, &SIZE_HOOK.into(), size_hook.as_ref().unchecked_ref::<Function>())?;
    let paste_hook = {
        let terminal = terminal.clone();
        Closure::<dyn Fn(String)>::new(move |text: String| terminal.paste(&text))
    };
    Reflect::set(window, &PASTE_HOOK.into(), paste_hook.as_ref().unchecked_ref::<Function>())?;
    let run_hook = {
        let session = session.clone();
        Closure::<dyn Fn(String)>::new(move |line: String| session.run_command(&line))
    };
    Reflect::set(window, &RUN_HOOK.into(), run_hook.as_ref().unchecked_ref::<Function>())?;
    let crash_hook = {
        let session = session.clone();
        Closure::<dyn Fn()>::new(move || {
            session.with_simulator(|_| panic!("kubesimCrashTest: a test of the panic hook"));
        })
    };
    Reflect::set(window, &CRASH_HOOK.into(), crash_hook.as_ref().unchecked_ref::<Function>())?;
    let bench_run_hook = {
        let session = session.clone();
        Closure::<dyn FnMut(String) -> String>::new(move |line: String| session.input_echoed(&format!("{line}\r")))
    };
    Reflect::set(window, &BENCH_RUN_HOOK.into(), bench_run_hook.as_ref().unchecked_ref::<Function>())?;
    let restore_hook = {
        let session = session.clone();
        Closure::<dyn FnMut(js_sys::JsString) -> String>::new(move |state: js_sys::JsString| {
            let config = sim_core::ClusterConfig {
                command_step: k8s_openapi::chrono::Duration::zero(),
                ..sim_core::ClusterConfig::default()
            };
            // The old simulator goes first: the page then holds one cluster, not two.
            session.replace_simulator(sim_core::Simulator::empty(config.clone()));
            match sim_core::persist::restore_simulator_from_reader(JsStringReader::new(state), config) {
                Ok(simulator) => {
                    session.replace_simulator(simulator);
                    String::new()
                }
                Err(error) => error,
            }
        })
    };
    Reflect::set(window, &RESTORE_HOOK.into(), restore_hook.as_ref().unchecked_ref::<Function>())?;
    let memory_hook = Closure::<dyn Fn() -> f64>::new(|| core::arch::wasm32::memory_size::<0>() as f64 * 65536.0);
    Reflect::set(window, &MEMORY_HOOK.into(), memory_hook.as_ref().unchecked_ref::<Function>())?;
    Ok(TestHooks {
        _text: text_hook,
        _size: size_hook,
        _paste_and_run: [paste_hook, run_hook],
        _crash: crash_hook,
        _bench_run: bench_run_hook,
        _restore: restore_hook,
        _memory: memory_hook,
    })
}

/// A JavaScript string read as UTF-8 a piece at a time (`kubesimBenchRestore`): a saved
/// 10,000-pod state is about 60 MB of text, which copied whole into wasm memory (as a
/// `String` argument would be) would by itself pass the page's 64 MB budget.
struct JsStringReader {
    text: js_sys::JsString,
    /// The next UTF-16 unit of `text` to read.
    at: u32,
    piece: Vec<u8>,
    offset: usize,
}

impl JsStringReader {
    /// UTF-16 units per piece.
    const PIECE: u32 = 64 * 1024;

    fn new(text: js_sys::JsString) -> Self {
        JsStringReader { text, at: 0, piece: Vec::new(), offset: 0 }
    }
}

impl std::io::Read for JsStringReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.offset >= self.piece.len() {
            let len = self.text.length();
            if self.at >= len {
                return Ok(0);
            }
            let mut end = self.at.saturating_add(Self::PIECE).min(len);
            // A piece never ends between the two halves of a surrogate pair.
            if end < len && (0xD800..0xDC00).contains(&(self.text.char_code_at(end - 1) as u32)) {
                end -= 1;
            }
            self.piece = String::from(self.text.slice(self.at, end)).into_bytes();
            self.offset = 0;
            self.at = end;
        }
        let rest = self.piece.get(self.offset..).unwrap_or(&[]);
        let n = rest.len().min(buf.len());
        buf[..n].copy_from_slice(&rest[..n]);
        self.offset += n;
        Ok(n)
    }
}

/// `navigator.clipboard.writeText(text)`; the promise is left to settle (a refusal,
/// e.g. on a page without focus, only means nothing was copied).
fn copy_to_clipboard(text: &str) {
    let navigator = web_sys::window().map(|w| JsValue::from(w.navigator()));
    let clipboard = navigator.and_then(|n| Reflect::get(&n, &"clipboard".into()).ok());
    let Some(clipboard) = clipboard.filter(|c| c.is_object()) else { return };
    if let Ok(write) = Reflect::get(&clipboard, &"writeText".into()).and_then(|f| f.dyn_into::<Function>()) {
        let _ = write.call1(&clipboard, &text.into());
    }
}

impl Drop for MountedTerminal {
    fn drop(&mut self) {
        if let Some(window) = web_sys::window() {
            window.clear_interval_with_handle(self.clock_interval);
            for hook in HOOKS {
                let _ = Reflect::delete_property(&window, &hook.into());
            }
        }
        self.session.detach_terminal();
        self.resize_observer.disconnect();
        self.data_listener.dispose();
        self.terminal.dispose();
    }
}
