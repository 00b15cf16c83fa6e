//! Thin bindings to xterm.js (`@xterm/xterm` 6) and its fit addon (`@xterm/addon-fit`).
//!
//! Both packages are loaded as their UMD bundles by plain `<script>` tags before the
//! wasm starts, which puts `Terminal` and `FitAddon.FitAddon` on the global object.
//! Only the calls kubesim makes are bound; names follow xterm.js's own API
//! (`onData`, `loadAddon`, `buffer.active.getLine(i).translateToString(true)`).

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

#[wasm_bindgen]
extern "C" {
    /// xterm.js's `Terminal`.
    #[derive(Clone)]
    pub type Terminal;

    /// `new Terminal(options)`; options is a plain object (`ITerminalOptions`).
    #[wasm_bindgen(constructor)]
    pub fn new(options: &JsValue) -> Terminal;

    /// Attaches the terminal to a DOM element.
    #[wasm_bindgen(method)]
    pub fn open(this: &Terminal, parent: &web_sys::HtmlElement);

    /// Writes bytes to the screen (escape sequences included).
    #[wasm_bindgen(method)]
    pub fn write(this: &Terminal, data: &str);

    #[wasm_bindgen(method)]
    pub fn focus(this: &Terminal);

    /// Pastes text as the user's paste would arrive (line ends as `\r`, bracketed
    /// when the program asked for it).
    #[wasm_bindgen(method)]
    pub fn paste(this: &Terminal, data: &str);

    #[wasm_bindgen(method)]
    pub fn dispose(this: &Terminal);

    #[wasm_bindgen(method, getter)]
    pub fn cols(this: &Terminal) -> u32;

    #[wasm_bindgen(method, getter)]
    pub fn rows(this: &Terminal) -> u32;

    /// Data typed or pasted by the user, as a terminal would send it to a program.
    #[wasm_bindgen(method, js_name = onData)]
    pub fn on_data(this: &Terminal, listener: &Closure<dyn FnMut(String)>) -> Disposable;

    /// Keyboard events before xterm.js handles them; returning false stops it.
    #[wasm_bindgen(method, js_name = attachCustomKeyEventHandler)]
    pub fn attach_custom_key_event_handler(this: &Terminal, handler: &Closure<dyn FnMut(web_sys::KeyboardEvent) -> bool>);

    #[wasm_bindgen(method, js_name = hasSelection)]
    pub fn has_selection(this: &Terminal) -> bool;

    #[wasm_bindgen(method, js_name = getSelection)]
    pub fn get_selection(this: &Terminal) -> String;

    #[wasm_bindgen(method, js_name = loadAddon)]
    pub fn load_addon(this: &Terminal, addon: &FitAddon);

    #[wasm_bindgen(method, getter)]
    pub fn buffer(this: &Terminal) -> BufferNamespace;

    /// `terminal.options`: setting a field changes the live terminal.
    #[wasm_bindgen(method, getter)]
    pub fn options(this: &Terminal) -> TerminalOptions;

    /// The live options object of a terminal (`ITerminalOptions`).
    pub type TerminalOptions;

    /// `screenReaderMode`: xterm.js keeps an accessible copy of the screen in the DOM
    /// and announces new output through a live region.
    #[wasm_bindgen(method, setter, js_name = screenReaderMode)]
    pub fn set_screen_reader_mode(this: &TerminalOptions, on: bool);

    /// The `<textarea>` xterm.js takes the keyboard through (focus lives there).
    #[wasm_bindgen(method, getter)]
    pub fn textarea(this: &Terminal) -> Option<web_sys::HtmlTextAreaElement>;

    /// What `onData` and friends return: call `dispose` to unsubscribe.
    pub type Disposable;

    #[wasm_bindgen(method)]
    pub fn dispose(this: &Disposable);

    /// `terminal.buffer`: the normal and alternate screen buffers.
    pub type BufferNamespace;

    #[wasm_bindgen(method, getter)]
    pub fn active(this: &BufferNamespace) -> Buffer;

    /// One screen buffer: scrollback plus viewport.
    pub type Buffer;

    #[wasm_bindgen(method, getter)]
    pub fn length(this: &Buffer) -> u32;

    /// `"normal"` or `"alternate"`.
    #[wasm_bindgen(method, getter, js_name = type)]
    pub fn kind(this: &Buffer) -> String;

    /// The row of the buffer the screen's first row is.
    #[wasm_bindgen(method, getter, js_name = baseY)]
    pub fn base_y(this: &Buffer) -> u32;

    /// A line, or `undefined` past the end.
    #[wasm_bindgen(method, js_name = getLine)]
    pub fn get_line(this: &Buffer, y: u32) -> Option<BufferLine>;

    pub type BufferLine;

    #[wasm_bindgen(method, getter, js_name = isWrapped)]
    pub fn is_wrapped(this: &BufferLine) -> bool;

    #[wasm_bindgen(method, js_name = translateToString)]
    pub fn translate_to_string(this: &BufferLine, trim_right: bool) -> String;

    /// `@xterm/addon-fit`: sizes the terminal to its container (see [`FitAddon::create`]).
    pub type FitAddon;

    #[wasm_bindgen(method)]
    pub fn fit(this: &FitAddon);
}

impl FitAddon {
    /// `new FitAddon.FitAddon()`: the UMD bundle nests the class in a namespace object
    /// of the same name, which is looked up here rather than through a namespaced
    /// binding.
    pub fn create() -> Result<FitAddon, JsValue> {
        let namespace = js_sys::Reflect::get(&js_sys::global(), &"FitAddon".into())?;
        let class: js_sys::Function = js_sys::Reflect::get(&namespace, &"FitAddon".into())?.dyn_into()?;
        Ok(js_sys::Reflect::construct(&class, &js_sys::Array::new())?.unchecked_into())
    }
}

impl Terminal {
    /// The whole buffer (scrollback and screen) as text, one line per terminal row
    /// with soft-wrapped rows joined back together and trailing blanks trimmed: what
    /// the browser tests read back through `window.kubesimTerminalText()`.
    ///
    /// On the alternate screen (the editor) only the screen: when the page's layout
    /// shrinks the terminal while the editor is open, xterm.js keeps the rows it cut
    /// off above the screen, out of sight (a full-screen program has no scrollback),
    /// and the editor redraws on the screen itself.
    pub fn text(&self) -> String {
        let buffer = self.buffer().active();
        let first = if buffer.kind() == "alternate" { buffer.base_y() } else { 0 };
        let mut lines: Vec<String> = Vec::new();
        for y in first..buffer.length() {
            let Some(line) = buffer.get_line(y) else { break };
            let text = line.translate_to_string(true);
            match lines.last_mut() {
                Some(previous) if line.is_wrapped() => previous.push_str(&text),
                _ => lines.push(text),
            }
        }
        while lines.last().is_some_and(|l| l.is_empty()) {
            lines.pop();
        }
        lines.join("\n")
    }
}
