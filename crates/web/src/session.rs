//! The terminal session: what the browser's terminal is connected to. It takes the
//! bytes xterm.js reports as typed and returns the bytes to write back, running each
//! finished line through sim-core.
//!
//! Who owns the keyboard is a small state machine ([`Mode`]): the prompt's line
//! editor, bash's Ctrl-R search, or a program (the editor, a streaming command, a
//! shell in a pod) that sim-core runs and that gets the keys raw through
//! `Simulator::feed_keys` until it ends.
//!
//! [`SessionHandle`] is what the page's components share: the terminal pane feeds it
//! keys and time, lessons run commands and swap simulators through it, and anyone
//! can subscribe to [`SessionEvent`]s. The session is plain Rust with no browser
//! dependency, so all of this is tested natively.

// Parts of the interface (replace_simulator, subscribe, mode) are used by the course
// and visualizer components on their own branches, not by the terminal itself.
#![allow(dead_code)]

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::fmt::Write as _;
use std::rc::{Rc, Weak};

use sim_core::shell::{HistorySearch, SearchEffect, Shell};
use sim_core::Simulator;

use crate::keys::{decode_raw, Key};
use crate::line_editor::{render_change, LineEditor, LineGeometry};

/// xterm's alternate screen with the cursor saved (DECSET/DECRST 1049).
const ALT_SCREEN_ON: &str = "\x1b[?1049h";
const ALT_SCREEN_OFF: &str = "\x1b[?1049l";

/// readline's `completion-query-items`: more candidates than this ask first.
const COMPLETION_QUERY_ITEMS: usize = 100;

/// bash's secondary prompt (`PS2`), shown while a command is incomplete (an open
/// here-document, quote or `\` continuation).
const PS2: &str = "> ";

/// Asks xterm.js to bracket pastes (`ESC [200~ ... ESC [201~`), as bash 5.1 does with
/// `enable-bracketed-paste` on: a pasted Tab is then text, not completion, and the
/// editor keeps a pasted manifest's indentation.
const BRACKETED_PASTE_ON: &str = "\x1b[?2004h";

/// The most a [`SessionEvent::CommandFinished`] carries of a program's output: a
/// `watch` left running for an hour redraws without end; its latest screens are
/// what the learner saw last.
pub const MAX_EVENT_OUTPUT: usize = 64 * 1024;

/// What subscribers hear about ([`SessionHandle::subscribe`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SessionEvent {
    /// A command line finished (for a program that held the terminal, when it ended),
    /// with what it printed (`Output::display`: stdout and stderr interleaved as the
    /// terminal showed them; for a program that held the terminal, everything it
    /// drew, up to [`MAX_EVENT_OUTPUT`] bytes, the newest kept). The course's "output
    /// contains" checks read it.
    CommandFinished { line: String, exit_code: i32, output: String },
    /// The simulator's virtual clock advanced by `poll()`: every 250 ms while the
    /// page is open (the terminal pane's timer), so keep handlers cheap.
    Ticked,
    /// The simulator was replaced ([`SessionHandle::replace_simulator`]).
    Replaced,
}

/// Who the keys go to.
#[derive(Clone, Debug)]
pub enum Mode {
    /// The shell prompt: keys edit a line; Enter runs it.
    Prompt(PromptState),
    /// Ctrl-R: bash's reverse incremental search through the history.
    Search(SearchState),
    /// A program started by `line` holds the terminal (the editor, `kubectl get -w`,
    /// `watch`, a pod's shell): keys go to it raw until it ends.
    Program { line: String },
}

/// The prompt being edited and where it started on screen.
#[derive(Clone, Debug)]
pub struct PromptState {
    pub editor: LineEditor,
    pub prompt: String,
    /// Column the prompt was printed at (0 unless the last output lacked a final newline).
    pub origin_col: usize,
    /// The lines of an incomplete command typed so far (shown with `> ` prompts).
    pub continued: Option<String>,
    /// Whether the last key was a Tab (a second one lists the candidates).
    pub after_tab: bool,
    /// Candidates waiting for the answer to readline's `Display all N
    /// possibilities? (y or n)`.
    pub asking: Option<Vec<String>>,
}

impl PromptState {
    fn geometry(&self, cols: usize) -> LineGeometry {
        LineGeometry { origin_col: self.origin_col, prompt_width: self.prompt.chars().count(), cols }
    }
}

/// Ctrl-R in progress: the search, and the prompt it replaced (restored by Ctrl-G).
#[derive(Clone, Debug)]
pub struct SearchState {
    pub search: HistorySearch,
    pub saved: PromptState,
    /// Cells from the prompt's origin to the cursor, for the next redraw.
    cursor_cell: usize,
}

/// One learner's terminal session around a simulator.
#[derive(Debug)]
pub struct Session {
    simulator: Simulator,
    mode: Mode,
    cols: usize,
    rows: usize,
    /// Column the terminal cursor is at after everything written so far, tracked so a
    /// prompt printed after output without a final newline still edits correctly.
    output_col: usize,
    /// Whether the editor has the alternate screen (xterm's 1049 mode), as nano and
    /// vim take it: leaving it brings back the screen from before, as in a real
    /// terminal, with the prompt after the `nano FILE` line.
    alt_screen: bool,
    /// Lines from [`Session::run_command`] waiting for a program to give the terminal back.
    queued: VecDeque<String>,
    /// What the program holding the terminal has printed so far (for its
    /// [`SessionEvent::CommandFinished`]).
    program_output: String,
    events: Vec<SessionEvent>,
}

impl Session {
    pub fn new(simulator: Simulator) -> Self {
        let mut session = Session {
            simulator,
            mode: Mode::Program { line: String::new() },
            cols: 80,
            rows: 24,
            output_col: 0,
            alt_screen: false,
            queued: VecDeque::new(),
            program_output: String::new(),
            events: Vec::new(),
        };
        session.adopt_simulator();
        session.mode = Mode::Prompt(session.prompt_state(0, None));
        session
    }

    /// The browser is an interactive terminal: streams hold it until Ctrl-C, the
    /// editor draws full screen at the terminal's size.
    fn adopt_simulator(&mut self) {
        self.simulator.shell.set_interactive_terminal(true);
        self.simulator.shell.resize(self.cols, self.rows);
    }

    pub fn simulator(&self) -> &Simulator {
        &self.simulator
    }

    pub fn simulator_mut(&mut self) -> &mut Simulator {
        &mut self.simulator
    }

    pub fn mode(&self) -> &Mode {
        &self.mode
    }

    /// Events since the last call, oldest first.
    pub fn take_events(&mut self) -> Vec<SessionEvent> {
        std::mem::take(&mut self.events)
    }

    /// What to write when the terminal first opens: the prompt.
    pub fn start(&mut self) -> String {
        let mut out = String::from(BRACKETED_PASTE_ON);
        out.push_str(&self.new_prompt());
        out
    }

    /// The terminal's size changed (the fit addon resized it); returns a redraw of
    /// the editor if it is open.
    pub fn resize(&mut self, cols: usize, rows: usize) -> String {
        self.cols = cols.max(1);
        self.rows = rows.max(1);
        let redraw = self.simulator.shell.resize(self.cols, self.rows);
        let mut out = String::new();
        self.write_text(&redraw, &mut out);
        out
    }

    /// Moves virtual time to the wall clock and writes what a streaming command
    /// printed meanwhile. Time only moves forward, so a clock that steps back (or a
    /// timer firing late) changes nothing. `poll` is bounded (a stream catches up at
    /// most a fixed number of rounds), so this never blocks the page.
    pub fn tick(&mut self, now_unix_millis: i64) -> String {
        let before = self.simulator.cluster.clock.now();
        let output = self.simulator.poll(now_unix_millis);
        if self.simulator.cluster.clock.now() != before {
            self.events.push(SessionEvent::Ticked);
        }
        let mut out = String::new();
        self.write_text(&output.display, &mut out);
        if let Mode::Program { .. } = self.mode {
            self.note_program_output(&output.display);
        }
        if output.display.contains("\x1b[2J") && !self.queued.is_empty() && !self.simulator.interactive() {
            // A full-screen redraw (`watch`) wiped the note about queued lines.
            let queued: Vec<String> = self.queued.iter().cloned().collect();
            for line in queued {
                self.queue_note(&line, &mut out);
            }
        }
        self.after_program_step(&mut out, now_unix_millis);
        out
    }

    /// Handles one `onData` string (a key, or a whole paste); returns what to write.
    pub fn handle_input(&mut self, data: &str, now_unix_millis: i64) -> String {
        let mut out = String::new();
        let mut in_paste = false;
        let keys = decode_raw(data);
        let mut rest = keys.as_slice();
        while let Some(((key, raw), tail)) = rest.split_first() {
            rest = tail;
            match &self.mode {
                Mode::Program { .. } => {
                    // Everything left goes to the program byte for byte (it may be a
                    // paste into the editor, with its own paste markers).
                    let mut input = raw.clone();
                    for (_, raw) in rest {
                        input.push_str(raw);
                    }
                    rest = &[];
                    self.program_input(&input, now_unix_millis, &mut out);
                }
                Mode::Search(_) => self.search_key(key.clone(), now_unix_millis, &mut out),
                Mode::Prompt(_) => match key {
                    Key::PasteStart => in_paste = true,
                    Key::PasteEnd => in_paste = false,
                    // A Tab inside a paste is text for bash, not completion; the line
                    // editor keeps one cell per character, so it becomes a space.
                    Key::Tab if in_paste => self.prompt_key(Key::Text(" ".to_string()), now_unix_millis, &mut out),
                    key => self.prompt_key(key.clone(), now_unix_millis, &mut out),
                },
            }
        }
        out
    }

    /// What a lesson's Run button does: the line appears at the prompt as if typed
    /// (replacing anything half-typed) and runs as if Enter had been pressed. A line
    /// with newlines is entered line by line, with `> ` prompts, as a paste would be.
    ///
    /// While a program holds the terminal the line is queued and runs when the prompt
    /// comes back; a note says so (in the editor, on its status line, which its next
    /// redraw restores).
    pub fn run_command(&mut self, line: &str, now_unix_millis: i64) -> String {
        let mut out = String::new();
        if let Mode::Program { .. } = self.mode {
            self.queued.push_back(line.to_string());
            self.queue_note(line, &mut out);
            return out;
        }
        self.run_now(line, now_unix_millis, &mut out);
        out
    }

    /// Swaps the simulator (a lesson's reset, a restore from storage): the screen is
    /// cleared and a fresh prompt printed; queued lines are dropped.
    pub fn replace_simulator(&mut self, simulator: Simulator) -> String {
        self.simulator = simulator;
        self.adopt_simulator();
        self.queued.clear();
        self.output_col = 0;
        self.events.push(SessionEvent::Replaced);
        // Back to the normal screen; home, erase the screen and the scrollback, then
        // the prompt.
        let mut out = String::new();
        if std::mem::take(&mut self.alt_screen) {
            out.push_str(ALT_SCREEN_OFF);
        }
        out.push_str("\x1b[0m\x1b[H\x1b[2J\x1b[3J");
        out.push_str(&self.new_prompt());
        out
    }

    fn run_now(&mut self, line: &str, now_unix_millis: i64, out: &mut String) {
        // Leave a search first, showing its line as the prompt's again.
        if let Mode::Search(_) = self.mode {
            self.search_key(Key::Ctrl('g'), now_unix_millis, out);
        }
        let Mode::Prompt(state) = &mut self.mode else { return };
        let geometry = state.geometry(self.cols);
        if state.continued.is_some() {
            // An unfinished command (an open here-document) is abandoned as Ctrl-C
            // would, so the lesson's line runs on its own.
            self.prompt_key(Key::Ctrl('c'), now_unix_millis, out);
        } else {
            // Erase what is half-typed.
            let cursor = state.editor.cursor();
            let typed = state.editor.len() > 0;
            state.editor = LineEditor::new();
            state.after_tab = false;
            if typed {
                geometry.move_cursor(cursor, 0, out);
                out.push_str("\x1b[J");
            }
        }
        let mut lines = line.split('\n').peekable();
        while let Some(text) = lines.next() {
            let Mode::Prompt(_) = self.mode else {
                // A line started a program: the rest waits for the prompt.
                let rest: Vec<&str> = std::iter::once(text).chain(lines).collect();
                self.queued.push_front(rest.join("\n"));
                return;
            };
            self.prompt_key(Key::Text(text.to_string()), now_unix_millis, out);
            self.prompt_key(Key::Enter, now_unix_millis, out);
        }
    }

    /// Tells the learner a Run line waits for the program holding the terminal.
    fn queue_note(&mut self, line: &str, out: &mut String) {
        let first = line.lines().next().unwrap_or("");
        if self.simulator.interactive() {
            // Over the editor's status line (row rows-2), cursor saved and restored.
            let note = format!("[ kubesim: `{first}` will run when you exit the editor ]");
            let note: String = note.chars().take(self.cols).collect();
            let row = self.rows.saturating_sub(2).max(1);
            let _ = write!(out, "\x1b7\x1b[{row};1H\x1b[2K\x1b[7m{note}\x1b[0m\x1b8");
        } else {
            let note = format!("kubesim: `{first}` will run when this command ends (Ctrl-C stops it)\n");
            if self.output_col != 0 {
                self.write_text("\n", out);
            }
            self.write_text(&note, out);
        }
    }

    fn prompt_key(&mut self, key: Key, now_unix_millis: i64, out: &mut String) {
        let Mode::Prompt(state) = &mut self.mode else { return };
        let geometry = state.geometry(self.cols);
        let after_tab = std::mem::replace(&mut state.after_tab, false);
        if let Some(candidates) = state.asking.take() {
            // readline's get_y_or_n: y or space lists, anything else declines; the
            // answer is not echoed and a new line starts either way.
            out.push_str("\r\n");
            let state = state.clone();
            self.output_col = 0;
            if matches!(&key, Key::Text(t) if t.starts_with(['y', 'Y', ' '])) {
                let mut listing = String::new();
                self.write_text(&list_in_columns(&candidates, self.cols), &mut listing);
                out.push_str(&listing);
            }
            self.redraw_prompt(state, out);
            return;
        }
        let before = state.editor.clone();
        let editor = &mut state.editor;
        match key {
            Key::Text(text) => editor.insert(&text),
            Key::Backspace => editor.backspace(),
            Key::Ctrl('d') if editor.len() == 0 && state.continued.is_none() => {
                // bash on an empty line: end of input, it prints `exit` and the
                // terminal closes. A browser tab has nothing to close to, so the shell
                // says so (as sim-core's `exit` builtin does) and goes on.
                out.push_str("exit\r\n");
                self.output_col = 0;
                let mut note = String::new();
                self.write_text("kubesim: this terminal stays open; there is no machine to log out of\n", &mut note);
                out.push_str(&note);
                out.push_str(&self.new_prompt());
                return;
            }
            // Ctrl-D elsewhere deletes the character under the cursor (readline's
            // `delete-char`).
            Key::Delete | Key::Ctrl('d') => editor.delete(),
            Key::Left | Key::Ctrl('b') => editor.left(),
            Key::Right | Key::Ctrl('f') => editor.right(),
            Key::Home | Key::Ctrl('a') => editor.home(),
            Key::End | Key::Ctrl('e') => editor.end(),
            Key::WordLeft => editor.word_left(),
            Key::WordRight => editor.word_right(),
            Key::Ctrl('u') => editor.kill_to_start(),
            Key::Ctrl('k') => editor.kill_to_end(),
            Key::Ctrl('w') => editor.rubout_word(),
            Key::Up | Key::Ctrl('p') => editor.history_previous(&self.simulator.shell.history),
            Key::Down | Key::Ctrl('n') => editor.history_next(&self.simulator.shell.history),
            Key::Tab => {
                self.complete(after_tab, out);
                return;
            }
            Key::Ctrl('r') => {
                let saved = state.clone();
                let search = HistorySearch::new();
                let cursor_cell = geometry.prompt_width + before.cursor();
                self.mode = Mode::Search(SearchState { search, saved, cursor_cell });
                self.draw_search(out);
                return;
            }
            Key::Enter => {
                let line = editor.take_line();
                geometry.move_cursor(before.cursor(), before.len(), out);
                out.push_str("\r\n");
                self.output_col = 0;
                let input = match state.continued.take() {
                    Some(mut continued) => {
                        continued.push('\n');
                        continued.push_str(&line);
                        continued
                    }
                    None => line,
                };
                if !Shell::is_complete(&input) {
                    let origin_col = self.output_col;
                    let mut continuation = self.prompt_state(origin_col, Some(input));
                    continuation.prompt = PS2.to_string();
                    out.push_str(PS2);
                    self.mode = Mode::Prompt(continuation);
                    return;
                }
                self.run_line(&input, now_unix_millis, out);
                return;
            }
            Key::Ctrl('c') => {
                // What bash shows: the terminal echoes ^C where the cursor is (over the
                // text there), the line is dropped, a new prompt follows, and $? is 130.
                editor.take_line();
                out.push_str("^C\r\n");
                self.simulator.shell.last_exit_code = 130;
                self.output_col = 0;
                out.push_str(&self.new_prompt());
                return;
            }
            Key::Ctrl('l') => {
                // readline's clear-screen: home, erase the screen, redraw prompt and line.
                out.push_str("\x1b[H\x1b[2J");
                let state = state.clone();
                self.output_col = 0;
                self.redraw_prompt(state, out);
                return;
            }
            // Other control keys are unbound.
            Key::Ctrl(_) | Key::Ignored | Key::PasteStart | Key::PasteEnd => {}
        }
        out.push_str(&render_change(&before, editor, geometry));
    }

    /// Prints `state`'s prompt and line afresh at the cursor (after a cleared screen or
    /// a listing) and makes it the current prompt.
    fn redraw_prompt(&mut self, mut state: PromptState, out: &mut String) {
        state.origin_col = self.output_col;
        let geometry = state.geometry(self.cols);
        out.push_str(&state.prompt);
        geometry.settle_after_write(0, out);
        out.push_str(&render_change(&LineEditor::new(), &state.editor, geometry));
        self.mode = Mode::Prompt(state);
    }

    /// Tab: sim-core completes the word at the cursor. One candidate is inserted (with
    /// a space after it, as bash does); several insert their common prefix, and a
    /// second Tab lists them in columns as readline does, then redraws the prompt.
    fn complete(&mut self, after_tab: bool, out: &mut String) {
        let Mode::Prompt(state) = &mut self.mode else { return };
        let geometry = state.geometry(self.cols);
        let line = state.editor.text();
        // Inside a continued command the completion sees the whole input, so a word
        // after `> ` completes in its context.
        let completion = self.simulator.complete(&line, state.editor.byte_cursor());
        if completion.candidates.is_empty() {
            return;
        }
        let (new_line, byte_cursor) = completion.apply(&line);
        if new_line != line {
            let before = state.editor.clone();
            let cursor = new_line.get(..byte_cursor).map(|s| s.chars().count()).unwrap_or(0);
            state.editor.set(&new_line, cursor);
            out.push_str(&render_change(&before, &state.editor, geometry));
            state.after_tab = completion.candidates.len() > 1;
            return;
        }
        if completion.candidates.len() == 1 || !after_tab {
            state.after_tab = completion.candidates.len() > 1;
            return;
        }
        // The second Tab: the list below the line, then the prompt and line again.
        let end = state.editor.len();
        geometry.move_cursor(state.editor.cursor(), end, out);
        out.push_str("\r\n");
        let mut shown = completion.candidates.clone();
        sim_core::sort::sort(&mut shown);
        shown.dedup();
        if shown.len() > COMPLETION_QUERY_ITEMS {
            let question = format!("Display all {} possibilities? (y or n)", shown.len());
            state.asking = Some(shown);
            self.output_col = 0;
            let mut text = String::new();
            self.write_text(&question, &mut text);
            out.push_str(&text);
            return;
        }
        let state = state.clone();
        self.output_col = 0;
        let mut listing = String::new();
        self.write_text(&list_in_columns(&completion.candidates, self.cols), &mut listing);
        out.push_str(&listing);
        self.redraw_prompt(state, out);
    }

    /// Redraws the search line over the prompt: ``(reverse-i-search)`q': match``, the
    /// cursor on the match as bash puts it.
    fn draw_search(&mut self, out: &mut String) {
        let Mode::Search(search) = &mut self.mode else { return };
        let history = &self.simulator.shell.history;
        let geometry = LineGeometry { origin_col: search.saved.origin_col, prompt_width: 0, cols: self.cols };
        let text = search.search.prompt(history);
        let matched = search.search.matched_line(history);
        let head = text.chars().count() - matched.chars().count();
        let at = match matched.find(&search.search.query) {
            Some(i) if !search.search.query.is_empty() => matched.get(..i).map(|s| s.chars().count()).unwrap_or(0),
            _ => 0,
        };
        geometry.move_cursor(search.cursor_cell, 0, out);
        out.push_str("\x1b[J");
        out.push_str(&text);
        let end = text.chars().count();
        geometry.settle_after_write(end, out);
        search.cursor_cell = head + at;
        geometry.move_cursor(end, search.cursor_cell, out);
    }

    fn search_key(&mut self, key: Key, now_unix_millis: i64, out: &mut String) {
        let Mode::Search(search) = &mut self.mode else { return };
        let history = &self.simulator.shell.history;
        let raw = match &key {
            Key::Text(text) => text.clone(),
            Key::Backspace => "\x7f".to_string(),
            Key::Ctrl('r') => "\x12".to_string(),
            Key::Enter => "\r".to_string(),
            Key::Ctrl('g') => "\x07".to_string(),
            Key::PasteStart | Key::PasteEnd => return,
            // Any other key ends the search, keeping the match, and then does what it
            // does at the prompt (readline's isearch-terminators); Escape only ends it.
            _ => "\x1b".to_string(),
        };
        let (line, then) = match search.search.handle_key(&raw, history) {
            SearchEffect::Continue => {
                self.draw_search(out);
                return;
            }
            SearchEffect::Accept(line) => (line, Some(Key::Enter)),
            // Ctrl-C abandons the line, as at the prompt, after showing the match.
            SearchEffect::Edit(line) if key == Key::Ctrl('c') => (line, Some(key)),
            SearchEffect::Edit(line) if key == Key::Ignored => (line, None),
            SearchEffect::Edit(line) => (line, Some(key)),
            SearchEffect::Cancel => (search.saved.editor.text(), None),
        };
        // Back to the prompt, showing the chosen line (or the one searching started from).
        let mut state = search.saved.clone();
        let geometry = LineGeometry { origin_col: state.origin_col, prompt_width: 0, cols: self.cols };
        geometry.move_cursor(search.cursor_cell, 0, out);
        out.push_str("\x1b[J");
        state.editor.set(&line, line.chars().count());
        state.after_tab = false;
        self.output_col = state.origin_col;
        self.redraw_prompt(state, out);
        if let Some(key) = then {
            self.prompt_key(key, now_unix_millis, out);
        }
    }

    fn run_line(&mut self, line: &str, now_unix_millis: i64, out: &mut String) {
        self.output_col = 0;
        self.simulator.advance_to_unix_millis(now_unix_millis);
        let output = self.simulator.run_line(line);
        if self.simulator.interactive() {
            out.push_str(ALT_SCREEN_ON);
            self.alt_screen = true;
        }
        self.write_text(&output.display, out);
        if self.program_holds_terminal() {
            // The editor drew itself for 80x24; draw it again at the terminal's size.
            let redraw = self.simulator.shell.resize(self.cols, self.rows);
            self.write_text(&redraw, out);
            self.mode = Mode::Program { line: line.to_string() };
            self.program_output.clear();
            self.note_program_output(&output.display);
            return;
        }
        if !line.trim().is_empty() {
            self.events.push(SessionEvent::CommandFinished {
                line: line.to_string(),
                exit_code: output.exit_code,
                output: output.display,
            });
        }
        out.push_str(&self.new_prompt());
        self.run_queued(now_unix_millis, out);
    }

    /// Keeps what a program printed for its `CommandFinished`, the newest
    /// [`MAX_EVENT_OUTPUT`] bytes at most (cut at a character boundary).
    fn note_program_output(&mut self, display: &str) {
        self.program_output.push_str(display);
        if self.program_output.len() > MAX_EVENT_OUTPUT {
            let mut cut = self.program_output.len() - MAX_EVENT_OUTPUT;
            while !self.program_output.is_char_boundary(cut) {
                cut += 1;
            }
            self.program_output.drain(..cut);
        }
    }

    fn program_holds_terminal(&self) -> bool {
        self.simulator.interactive() || self.simulator.shell.foreground_active()
    }

    fn program_input(&mut self, input: &str, now_unix_millis: i64, out: &mut String) {
        self.simulator.advance_to_unix_millis(now_unix_millis);
        let output = self.simulator.feed_keys(input);
        let mut display = output.display.as_str();
        if self.alt_screen && !self.simulator.interactive() {
            // The editor closed: sim-core clears the screen for a plain terminal; here
            // the normal screen comes back instead, and what follows (`kubectl edit`'s
            // result) is printed on it.
            display = display.strip_prefix("\x1b[H\x1b[2J").unwrap_or(display);
            out.push_str(ALT_SCREEN_OFF);
            self.alt_screen = false;
            self.output_col = 0;
        }
        let display = display.to_string();
        self.write_text(&display, out);
        self.note_program_output(&display);
        self.after_program_step(out, now_unix_millis);
    }

    /// After a program was fed keys or time: if it ended, the prompt comes back.
    fn after_program_step(&mut self, out: &mut String, now_unix_millis: i64) {
        let Mode::Program { line } = &self.mode else { return };
        if self.program_holds_terminal() {
            return;
        }
        let line = line.clone();
        let exit_code = self.simulator.shell.last_exit_code;
        let output = std::mem::take(&mut self.program_output);
        self.events.push(SessionEvent::CommandFinished { line, exit_code, output });
        out.push_str(&self.new_prompt());
        self.run_queued(now_unix_millis, out);
    }

    fn run_queued(&mut self, now_unix_millis: i64, out: &mut String) {
        while let Mode::Prompt(_) = self.mode {
            let Some(line) = self.queued.pop_front() else { return };
            self.run_now(&line, now_unix_millis, out);
        }
    }

    /// Writes program output, turning `\n` into the `\r\n` a terminal needs (the tty's
    /// ONLCR does this on a real machine) and tracking the cursor column through text
    /// and the cursor-moving escape sequences programs write.
    fn write_text(&mut self, text: &str, out: &mut String) {
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '\n' => {
                    out.push_str("\r\n");
                    self.output_col = 0;
                }
                '\r' => {
                    out.push('\r');
                    self.output_col = 0;
                }
                '\x1b' => {
                    out.push(c);
                    if chars.peek() != Some(&'[') {
                        // ESC 7 / ESC 8 and the like: one more character.
                        if let Some(next) = chars.next() {
                            out.push(next);
                        }
                        continue;
                    }
                    let mut params = String::new();
                    out.extend(chars.next());
                    for c in chars.by_ref() {
                        out.push(c);
                        if ('\x40'..='\x7e').contains(&c) {
                            self.output_col = csi_column(&params, c, self.output_col);
                            break;
                        }
                        params.push(c);
                    }
                }
                '\x08' => {
                    out.push(c);
                    self.output_col = self.output_col.saturating_sub(1);
                }
                c if c.is_control() => out.push(c),
                c => {
                    out.push(c);
                    self.output_col = (self.output_col + 1) % self.cols.max(1);
                }
            }
        }
    }

    fn prompt_state(&self, origin_col: usize, continued: Option<String>) -> PromptState {
        PromptState { editor: LineEditor::new(), prompt: self.simulator.prompt(), origin_col, continued, after_tab: false, asking: None }
    }

    fn new_prompt(&mut self) -> String {
        let state = self.prompt_state(self.output_col, None);
        let mut out = state.prompt.clone();
        state.geometry(self.cols).settle_after_write(0, &mut out);
        self.mode = Mode::Prompt(state);
        out
    }
}

/// The column after a CSI sequence that moves the cursor horizontally (CUP, HVP,
/// CHA, CUF, CUB); other sequences leave it.
fn csi_column(params: &str, last: char, col: usize) -> usize {
    let numbers: Vec<usize> = params.split(';').map(|p| p.parse().unwrap_or(0)).collect();
    let n = |i: usize| numbers.get(i).copied().unwrap_or(0).max(1);
    match last {
        'H' | 'f' => n(1) - 1,
        'G' => n(0) - 1,
        'C' => col + n(0),
        'D' => col.saturating_sub(n(0)),
        _ => col,
    }
}

/// readline's completion listing (`rl_display_match_list`): names sorted down the
/// columns, each padded to the longest plus two, as many columns as fit the screen.
/// Paths show their last component only, as bash shows file names.
fn list_in_columns(candidates: &[String], cols: usize) -> String {
    let mut names: Vec<&str> = candidates
        .iter()
        .map(|c| {
            let trimmed = c.trim_end_matches('/');
            match trimmed.rfind('/') {
                Some(i) => c.get(i + 1..).unwrap_or(c),
                None => c.as_str(),
            }
        })
        .collect();
    sim_core::sort::sort(&mut names);
    names.dedup();
    let max = names.iter().map(|n| n.chars().count()).max().unwrap_or(0) + 2;
    let mut per_row = cols / max;
    if per_row != 1 && per_row * max == cols {
        per_row -= 1;
    }
    let per_row = per_row.max(1);
    let rows = names.len().div_ceil(per_row);
    let mut out = String::new();
    for row in 0..rows {
        let mut column = 0;
        while let Some(name) = names.get(row + column * rows) {
            out.push_str(name);
            if names.get(row + (column + 1) * rows).is_some() && column + 1 < per_row {
                out.push_str(&" ".repeat(max - name.chars().count()));
            } else {
                break;
            }
            column += 1;
        }
        out.push('\n');
    }
    out
}

/// A subscriber's callback.
type Listener = Rc<dyn Fn(SessionEvent)>;
/// Where output goes (the terminal's `write`).
type Writer = Box<dyn Fn(&str)>;

/// The simulator and session shared by the page's components, with who listens to it
/// and where its output goes.
struct Shared {
    session: RefCell<Session>,
    subscribers: RefCell<Vec<(u64, Listener)>>,
    next_subscriber: Cell<u64>,
    /// Where output goes: the terminal's `write` once the pane is mounted.
    terminal: RefCell<Option<Writer>>,
    /// Output written before a terminal was attached.
    unwritten: RefCell<String>,
    /// `persist::save_simulator` of the simulator after the last command: what the
    /// panic hook saves if the simulator itself is mid-change when it runs.
    autosave: RefCell<Option<String>>,
    /// A command finished since the last autosave. Saving costs tens of
    /// milliseconds (measured: 33 ms and 170 KB for a small cluster natively at
    /// -O1), so it is done on the next clock tick rather than in the key press.
    autosave_due: Cell<bool>,
}

/// The handle the Yew components share (a cheap clone of one `Rc`).
///
/// Re-entrancy: events are delivered after the session is released, so a subscriber
/// may call [`SessionHandle::with_simulator`] or [`SessionHandle::run_command`] from
/// its callback; calling the handle from inside `with_simulator`'s closure is a bug
/// (the simulator is borrowed) and panics.
#[derive(Clone)]
pub struct SessionHandle(Rc<Shared>);

impl PartialEq for SessionHandle {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl std::fmt::Debug for SessionHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionHandle")
    }
}

/// Keeps a subscription alive; dropping it unsubscribes.
pub struct Subscription {
    shared: Weak<Shared>,
    id: u64,
}

impl Drop for Subscription {
    fn drop(&mut self) {
        if let Some(shared) = self.shared.upgrade() {
            if let Ok(mut subscribers) = shared.subscribers.try_borrow_mut() {
                subscribers.retain(|(id, _)| *id != self.id);
            }
        }
    }
}

impl SessionHandle {
    /// A session around `simulator`; output is kept until a terminal is attached.
    pub fn new(simulator: Simulator) -> Self {
        let shared = Shared {
            session: RefCell::new(Session::new(simulator)),
            subscribers: RefCell::new(Vec::new()),
            next_subscriber: Cell::new(0),
            terminal: RefCell::new(None),
            unwritten: RefCell::new(String::new()),
            autosave: RefCell::new(None),
            autosave_due: Cell::new(false),
        };
        SessionHandle(Rc::new(shared))
    }

    /// Reads or changes the simulator (checks, the visualizer, persistence). Changes
    /// made here print nothing in the terminal.
    pub fn with_simulator<R>(&self, f: impl FnOnce(&mut Simulator) -> R) -> R {
        let mut session = self.0.session.borrow_mut();
        let result = f(session.simulator_mut());
        // The caller may have put another simulator in place (a restored save): it is
        // this interactive terminal's all the same (streams hold the terminal, the
        // editor draws full screen at the terminal's size), never a batch run's.
        session.adopt_simulator();
        result
    }

    /// A lesson's Run button: see [`Session::run_command`] (queued with a visible note
    /// while the editor or a streaming command holds the terminal). To open a file in
    /// the editor from a lesson, run `nano PATH` this way.
    pub fn run_command(&self, line: &str) {
        let now = now_unix_millis();
        self.drive(|session| session.run_command(line, now));
    }

    /// A lesson's reset or a restore: swaps the simulator, clears the screen, prints
    /// a fresh prompt.
    pub fn replace_simulator(&self, simulator: Simulator) {
        self.drive(|session| session.replace_simulator(simulator));
    }

    /// Calls `cb` with every [`SessionEvent`] until the returned [`Subscription`] is dropped.
    #[cfg(target_arch = "wasm32")]
    pub fn subscribe(&self, cb: yew::Callback<SessionEvent>) -> Subscription {
        self.subscribe_fn(move |event| cb.emit(event))
    }

    /// [`SessionHandle::subscribe`] with a plain closure.
    pub fn subscribe_fn(&self, f: impl Fn(SessionEvent) + 'static) -> Subscription {
        let id = self.0.next_subscriber.get();
        self.0.next_subscriber.set(id + 1);
        self.0.subscribers.borrow_mut().push((id, Rc::new(f)));
        Subscription { shared: Rc::downgrade(&self.0), id }
    }

    /// The terminal pane: where output goes from now on (anything written before is
    /// flushed to it first).
    pub fn attach_terminal(&self, write: impl Fn(&str) + 'static) {
        let pending = std::mem::take(&mut *self.0.unwritten.borrow_mut());
        if !pending.is_empty() {
            write(&pending);
        }
        *self.0.terminal.borrow_mut() = Some(Box::new(write));
    }

    /// The terminal pane went away: output is kept again.
    pub fn detach_terminal(&self) {
        *self.0.terminal.borrow_mut() = None;
    }

    /// The terminal opened at this size: the first prompt.
    pub fn start(&self, cols: usize, rows: usize) {
        self.drive(|session| {
            let mut out = session.resize(cols, rows);
            out.push_str(&session.start());
            out
        });
    }

    /// Keys typed or pasted (xterm.js's `onData`).
    pub fn input(&self, data: &str) {
        self.input_echoed(data);
    }

    /// [`Self::input`], also returning what it wrote to the terminal (the benchmark
    /// hook times a command this way and reads its reply).
    pub fn input_echoed(&self, data: &str) -> String {
        let now = now_unix_millis();
        self.drive(|session| session.handle_input(data, now))
    }

    /// The wall clock moved on: virtual time follows and streams print; then the
    /// autosave is brought up to date if a command finished since.
    pub fn tick(&self) {
        let now = now_unix_millis();
        self.drive(|session| session.tick(now));
        self.refresh_autosave();
    }

    /// Keeps the autosave the panic hook falls back on (see [`Shared::autosave_due`]).
    pub fn refresh_autosave(&self) {
        if !self.0.autosave_due.get() {
            return;
        }
        let Ok(session) = self.0.session.try_borrow() else { return };
        let saved = sim_core::persist::save_simulator_within(session.simulator(), crate::persistence::STATE_LIMIT_BYTES);
        if let Ok(mut autosave) = self.0.autosave.try_borrow_mut() {
            *autosave = saved;
            self.0.autosave_due.set(false);
        }
    }

    pub fn resize(&self, cols: usize, rows: usize) {
        self.drive(|session| session.resize(cols, rows));
    }

    /// The last autosave, or a fresh one if the simulator can be read right now.
    pub fn autosave_now(&self) -> Option<String> {
        if let Ok(session) = self.0.session.try_borrow() {
            return sim_core::persist::save_simulator_within(session.simulator(), crate::persistence::STATE_LIMIT_BYTES);
        }
        self.0.autosave.try_borrow().ok().and_then(|saved| saved.clone())
    }

    /// A weak reference for the panic hook, which must not keep the page alive.
    pub fn downgrade(&self) -> WeakSessionHandle {
        WeakSessionHandle(Rc::downgrade(&self.0))
    }

    /// Runs one step on the session, writes its output, then (with the session
    /// released) tells the subscribers.
    fn drive(&self, step: impl FnOnce(&mut Session) -> String) -> String {
        let (out, events) = {
            let mut session = self.0.session.borrow_mut();
            let out = step(&mut session);
            (out, session.take_events())
        };
        if events.iter().any(|e| !matches!(e, SessionEvent::Ticked)) {
            self.0.autosave_due.set(true);
        }
        self.write(&out);
        let subscribers: Vec<Listener> =
            self.0.subscribers.borrow().iter().map(|(_, f)| Rc::clone(f)).collect();
        for event in events {
            for subscriber in &subscribers {
                subscriber(event.clone());
            }
        }
        out
    }

    fn write(&self, out: &str) {
        if out.is_empty() {
            return;
        }
        match self.0.terminal.borrow().as_ref() {
            Some(write) => write(out),
            None => self.0.unwritten.borrow_mut().push_str(out),
        }
    }
}

/// A [`SessionHandle`] that does not keep the session alive.
#[derive(Clone)]
pub struct WeakSessionHandle(Weak<Shared>);

impl WeakSessionHandle {
    pub fn upgrade(&self) -> Option<SessionHandle> {
        self.0.upgrade().map(SessionHandle)
    }
}

#[cfg(target_arch = "wasm32")]
fn now_unix_millis() -> i64 {
    js_sys::Date::now() as i64
}

/// Natively (tests) the session's time is the simulator's own: nothing moves it but
/// the tests' explicit ticks.
#[cfg(not(target_arch = "wasm32"))]
fn now_unix_millis() -> i64 {
    0
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;
    use std::rc::Rc;

    use sim_core::{ClusterConfig, Simulator};

    use super::*;

    const PROMPT: &str = "learner@kubesim:~$ ";
    const START: i64 = 1_767_603_600_000;

    fn session() -> Session {
        let mut session = Session::new(Simulator::new(ClusterConfig::default()));
        assert_eq!(session.start(), format!("{BRACKETED_PASTE_ON}{PROMPT}"));
        session
    }

    /// The same command run by a plain simulator, as the terminal should show it.
    fn expected_display(line: &str) -> String {
        let mut simulator = Simulator::new(ClusterConfig::default());
        simulator.run_line(line).display.replace('\n', "\r\n")
    }

    /// The `(line, exit code)` of each `CommandFinished` among `events`.
    fn finished(events: Vec<SessionEvent>) -> Vec<(String, i32)> {
        events
            .into_iter()
            .filter_map(|e| match e {
                SessionEvent::CommandFinished { line, exit_code, .. } => Some((line, exit_code)),
                _ => None,
            })
            .collect()
    }

    /// The screen an output string leaves, for assertions on what the learner sees:
    /// a tiny terminal that applies text, CR/LF and the cursor sequences we write.
    fn screen(out: &str, cols: usize) -> Vec<String> {
        let mut rows: Vec<Vec<char>> = vec![Vec::new()];
        let (mut row, mut col) = (0usize, 0usize);
        let chars: Vec<char> = out.chars().collect();
        let mut i = 0;
        while let Some(&c) = chars.get(i) {
            i += 1;
            match c {
                '\r' => col = 0,
                '\n' => {
                    row += 1;
                    if rows.len() <= row {
                        rows.push(Vec::new());
                    }
                }
                '\x1b' if chars.get(i) == Some(&'[') => {
                    let mut params = String::new();
                    i += 1;
                    while let Some(&p) = chars.get(i) {
                        i += 1;
                        if p.is_ascii_alphabetic() || p == '~' {
                            let n: Vec<usize> = params.trim_start_matches('?').split(';').map(|x| x.parse().unwrap_or(1)).collect();
                            let first = n.first().copied().unwrap_or(1).max(1);
                            match p {
                                'A' => row = row.saturating_sub(first),
                                'B' => row += first,
                                'G' => col = first - 1,
                                'H' if params.is_empty() => (row, col) = (0, 0),
                                'J' if params == "2" || params == "3" => rows = vec![Vec::new(); row + 1],
                                'J' | 'K' => {
                                    if let Some(r) = rows.get_mut(row) {
                                        r.truncate(col);
                                    }
                                    if p == 'J' {
                                        rows.truncate(row + 1);
                                    }
                                }
                                _ => {}
                            }
                            break;
                        }
                        params.push(p);
                    }
                }
                c if c.is_control() => {}
                c => {
                    while rows.len() <= row {
                        rows.push(Vec::new());
                    }
                    let r = &mut rows[row];
                    while r.len() < col {
                        r.push(' ');
                    }
                    if col < r.len() {
                        r[col] = c;
                    } else {
                        r.push(c);
                    }
                    col += 1;
                    if col == cols {
                        col = 0;
                        row += 1;
                    }
                }
            }
        }
        let mut lines: Vec<String> = rows.into_iter().map(|r| r.into_iter().collect::<String>().trim_end().to_string()).collect();
        while lines.last().is_some_and(|l| l.is_empty()) {
            lines.pop();
        }
        lines
    }

    #[test]
    fn enter_runs_the_line_through_sim_core_and_prints_a_new_prompt() {
        let mut s = session();
        assert_eq!(s.handle_input("kubectl get nodes", 0), "kubectl get nodes");
        let out = s.handle_input("\r", 0);
        assert_eq!(out, format!("\r\n{}{PROMPT}", expected_display("kubectl get nodes")));
        assert!(out.contains("kind-control-plane"), "{out}");
        assert_eq!(s.simulator().shell.history, vec!["kubectl get nodes"]);
        // The event carries what the command printed (the course's "output contains" checks).
        let table = expected_display("kubectl get nodes").replace("\r\n", "\n");
        assert_eq!(s.take_events(), vec![SessionEvent::CommandFinished { line: "kubectl get nodes".into(), exit_code: 0, output: table }]);
    }

    #[test]
    fn a_pasted_block_runs_line_by_line() {
        let mut s = session();
        let out = s.handle_input("kubectl version --client\rkubectl get nodes\r", 0);
        let first = format!("kubectl version --client\r\n{}{PROMPT}", expected_display("kubectl version --client"));
        assert!(out.starts_with(&first), "{out}");
        assert!(out.ends_with(PROMPT));
        assert_eq!(s.simulator().shell.history, vec!["kubectl version --client", "kubectl get nodes"]);
    }

    #[test]
    fn a_bracketed_paste_of_a_heredoc_runs_with_continuation_prompts() {
        let mut s = session();
        let paste = "\x1b[200~cat <<EOF > svc.yaml\rapiVersion: v1\rkind: Service\rmetadata:\r  name: web\rspec:\r  ports:\r\t- port: 80\rEOF\r\x1b[201~";
        let out = s.handle_input(paste, 0);
        let lines = screen(&out, 80);
        assert_eq!(lines, vec![
            "cat <<EOF > svc.yaml",
            "> apiVersion: v1",
            "> kind: Service",
            "> metadata:",
            ">   name: web",
            "> spec:",
            ">   ports:",
            ">  - port: 80",
            "> EOF",
            PROMPT.trim_end(),
        ]);
        let file = s.simulator().shell.vfs.read("/home/learner/svc.yaml").map(str::to_string);
        assert_eq!(file.as_deref(), Ok("apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  ports:\n - port: 80\n"));
        // One history entry for the whole command, as bash's cmdhist keeps it.
        assert_eq!(s.simulator().shell.history.len(), 1);
        // Ctrl-C in the middle of a here-document drops it.
        s.handle_input("cat <<EOF\rhalf", 0);
        assert_eq!(s.handle_input("\x03", 0), format!("^C\r\n{PROMPT}"));
        assert_eq!(s.simulator().shell.history.len(), 1);
    }

    #[test]
    fn up_recalls_the_last_command_and_enter_runs_it_again() {
        let mut s = session();
        s.handle_input("kubectl get nodes\r", 0);
        // The cursor sits after the prompt; Up writes the entry there.
        assert_eq!(s.handle_input("\x1b[A", 0), "kubectl get nodes");
        assert_eq!(s.handle_input("\x1b[B", 0), "\x1b[20G\x1b[J");
        s.handle_input("\x1b[A\r", 0);
        assert_eq!(s.simulator().shell.history.len(), 2);
    }

    #[test]
    fn ctrl_c_abandons_the_line_like_bash() {
        let mut s = session();
        s.handle_input("kubectl get no", 0);
        assert_eq!(s.handle_input("\x03", 0), format!("^C\r\n{PROMPT}"));
        assert!(s.simulator().shell.history.is_empty());
        assert_eq!(s.simulator().shell.last_exit_code, 130);
        // The next line starts empty.
        assert_eq!(s.handle_input("x", 0), "x");
    }

    #[test]
    fn ctrl_d_on_an_empty_line_says_exit_and_the_terminal_stays() {
        let mut s = session();
        s.handle_input("ab\x01", 0);
        // Not empty: delete-char.
        assert_eq!(s.handle_input("\x04", 0), "b\x1b[J\x1b[20G");
        s.handle_input("\x04", 0);
        let out = s.handle_input("\x04", 0);
        assert_eq!(out, format!("exit\r\nkubesim: this terminal stays open; there is no machine to log out of\r\n{PROMPT}"));
    }

    #[test]
    fn ctrl_l_clears_and_redraws_the_line() {
        let mut s = session();
        s.handle_input("kubectl", 0);
        s.handle_input("\x01", 0);
        assert_eq!(s.handle_input("\x0c", 0), format!("\x1b[H\x1b[2J{PROMPT}kubectl\x1b[20G"));
    }

    #[test]
    fn editing_keys_change_the_line_that_runs() {
        let mut s = session();
        // Type with a typo, fix it in the middle, kill a word, retype.
        s.handle_input("kubectl get nodez", 0);
        s.handle_input("\x7fs\x01\x1b[C\x1b[C\x1b[3~K", 0);
        s.handle_input("\x05 extra\x17\x7f", 0);
        // Alt-B back over `nodes`, Ctrl-K kills it, Ctrl-E, retype.
        s.handle_input("\x1bb\x0b\x05nodes", 0);
        // Ctrl-U kills everything before the cursor; bring the line back with Up later.
        let out = s.handle_input("\r", 0);
        assert_eq!(s.simulator().shell.history, vec!["kuKectl get nodes"]);
        assert!(out.contains("kuKectl"), "{out}");
        s.handle_input("junk\x15", 0);
        assert_eq!(s.handle_input("\r", 0), format!("\r\n{PROMPT}"));
    }

    #[test]
    fn tab_completes_a_single_candidate_and_double_tab_lists_them() {
        let mut s = session();
        assert_eq!(s.handle_input("kubectl get dep\t", 0), "kubectl get deployments ");
        s.handle_input("\x15", 0);
        // Several candidates: the first Tab inserts the common prefix, the second lists.
        let completion = s.simulator().complete("kubectl de", 10);
        assert!(completion.candidates.len() > 1, "{completion:?}");
        assert_eq!(s.handle_input("kubectl de\t", 0), "kubectl de");
        let out = s.handle_input("\t", 0);
        let lines = screen(&format!("{PROMPT}kubectl de{out}"), 80);
        assert_eq!(lines.first().map(String::as_str), Some("learner@kubesim:~$ kubectl de"));
        assert_eq!(lines.last().map(String::as_str), Some("learner@kubesim:~$ kubectl de"));
        let listed: Vec<&str> = lines[1..lines.len() - 1].iter().flat_map(|l| l.split_whitespace()).collect();
        let mut expected: Vec<&str> = completion.candidates.iter().map(String::as_str).collect();
        sim_core::sort::sort(&mut expected);
        let mut listed_sorted = listed.clone();
        sim_core::sort::sort(&mut listed_sorted);
        assert_eq!(listed_sorted, expected);
        // The line is still there to edit.
        s.handle_input("lete\r", 0);
        assert_eq!(s.simulator().shell.history.last().map(String::as_str), Some("kubectl delete"));
    }

    #[test]
    fn more_than_a_hundred_candidates_ask_first() {
        let mut s = session();
        let now = s.simulator().cluster.clock.now();
        for i in 0..120 {
            let written = s.simulator_mut().shell.vfs.write(&format!("/home/learner/f{i:03}.yaml"), "", false, now);
            assert!(written.is_ok());
        }
        assert_eq!(s.handle_input("cat f\t", 0), "cat f");
        let out = s.handle_input("\t", 0);
        assert_eq!(out, "\r\nDisplay all 120 possibilities? (y or n)");
        // n declines: a new line and the prompt with the line again.
        assert_eq!(s.handle_input("n", 0), format!("\r\n{PROMPT}cat f"));
        s.handle_input("\t", 0);
        s.handle_input("\t", 0);
        let out = s.handle_input("y", 0);
        assert!(out.starts_with("\r\nf000.yaml  ") && out.contains("f119.yaml") && out.ends_with(&format!("{PROMPT}cat f")), "{out}");
    }

    #[test]
    fn completion_columns_follow_readline() {
        let names: Vec<String> = ["apply", "annotate", "api-resources", "attach", "auth"].iter().map(|s| s.to_string()).collect();
        // Widest is 13 + 2 = 15; 40 columns hold 2 per row; sorted down the columns.
        assert_eq!(list_in_columns(&names, 40), "annotate       attach\napi-resources  auth\napply\n");
        assert_eq!(list_in_columns(&["dir/a.yaml".to_string(), "dir/sub/".to_string()], 80), "a.yaml  sub/\n");
    }

    #[test]
    fn ctrl_r_finds_a_previous_command_and_enter_runs_it() {
        let mut s = session();
        s.handle_input("kubectl get nodes\recho one\recho two\r", 0);
        s.take_events();
        let out = s.handle_input("\x12", 0);
        assert_eq!(screen(&out, 80), vec!["(reverse-i-search)`':"]);
        let out = s.handle_input("nod", 0);
        let shown = screen(&format!("(reverse-i-search)`': {out}"), 80);
        assert_eq!(shown, vec!["(reverse-i-search)`nod': kubectl get nodes"]);
        let out = s.handle_input("\r", 0);
        let shown = screen(&format!("(reverse-i-search)`nod': kubectl get nodes\x1b[36G{out}"), 80);
        assert_eq!(shown.first().map(String::as_str), Some("learner@kubesim:~$ kubectl get nodes"));
        assert!(out.contains("kind-control-plane"), "{out}");
        assert_eq!(s.simulator().shell.history.last().map(String::as_str), Some("kubectl get nodes"));
        // Ctrl-G gives the original line back; a movement key keeps the match to edit.
        s.handle_input("draft\x12echo\x07", 0);
        let Mode::Prompt(state) = s.mode() else { panic!("not at the prompt") };
        assert_eq!(state.editor.text(), "draft");
        s.handle_input("\x15\x12one\x1b[D", 0);
        let Mode::Prompt(state) = s.mode() else { panic!("not at the prompt") };
        assert_eq!((state.editor.text().as_str(), state.editor.cursor()), ("echo one", 7));
    }

    #[test]
    fn nano_takes_the_keys_writes_the_file_and_gives_the_prompt_back() {
        let mut s = session();
        s.resize(100, 30);
        let out = s.handle_input("nano svc.yaml\r", 0);
        assert!(out.starts_with(&format!("nano svc.yaml\r\n{ALT_SCREEN_ON}")), "{out}");
        assert!(matches!(s.mode(), Mode::Program { .. }));
        assert!(out.contains("GNU nano"), "{out}");
        // Drawn for the terminal's 30 rows: the shortcut bar is on the last two.
        assert!(out.contains("\x1b[29;1H"), "{out}");
        // The layout settles while the editor is open: it redraws for the new size.
        let redraw = s.resize(100, 28);
        assert!(redraw.starts_with("\x1b[H\x1b[2J") && redraw.contains("\x1b[27;1H") && !redraw.contains("\x1b[29;1H"), "{redraw}");
        s.resize(100, 30);
        let manifest = "apiVersion: v1\rkind: Service\rmetadata:\r  name: web\rspec:\r  selector:\r    app: web\r  ports:\r  - port: 80\r";
        s.handle_input(manifest, 0);
        let out = s.handle_input("\x0f", 0);
        assert!(out.contains("File Name to Write"), "{out}");
        s.handle_input("\r", 0);
        let out = s.handle_input("\x18", 0);
        // Back on the normal screen, where the prompt follows the `nano` line.
        assert_eq!(out, format!("{ALT_SCREEN_OFF}{PROMPT}"));
        assert!(matches!(s.mode(), Mode::Prompt(_)));
        assert_eq!(finished(s.take_events()), vec![("nano svc.yaml".to_string(), 0)]);
        let out = s.handle_input("kubectl apply -f svc.yaml\r", 0);
        assert!(out.contains("service/web created"), "{out}");
    }

    #[test]
    fn a_stream_prints_on_the_clock_and_ctrl_c_ends_it() {
        // `watch` is a foreground program redrawing on the virtual clock (`kubectl get
        // -w` and `logs -f` take the same path through feed_keys and poll).
        let mut s = session();
        s.handle_input("kubectl create deployment web --image=nginx\r", START);
        let out = s.handle_input("watch -n 1 kubectl get pods\r", START + 1_000);
        assert!(matches!(s.mode(), Mode::Program { .. }), "{out}");
        assert!(out.contains("Every 1.0s: kubectl get pods"), "{out}");
        assert!(!out.contains("Running"), "{out}");
        // Keys other than Ctrl-C do nothing; time makes the pod go Running.
        assert_eq!(s.handle_input("x", START + 1_000), "");
        let mut streamed = String::new();
        for second in 2..60 {
            streamed.push_str(&s.tick(START + second * 1_000));
        }
        assert!(streamed.contains("Running"), "{streamed}");
        assert!(matches!(s.mode(), Mode::Program { .. }));
        assert!(s.take_events().contains(&SessionEvent::Ticked));
        // A queued line's note survives watch's full-screen redraws.
        s.run_command("echo next", START + 60_000);
        let redraw = s.tick(START + 62_000);
        assert!(redraw.contains("\x1b[2J") && redraw.contains("will run when this command ends"), "{redraw}");
        assert_eq!(s.take_events(), vec![SessionEvent::Ticked]);
        let out = s.handle_input("\x03", START + 62_000);
        assert!(out.starts_with("^C\r\n") && out.ends_with(&format!("{PROMPT}echo next\r\nnext\r\n{PROMPT}")), "{out}");
        let events = s.take_events();
        assert_eq!(finished(events.clone()), vec![("watch -n 1 kubectl get pods".to_string(), 130), ("echo next".to_string(), 0)]);
        // A program's event carries everything it drew: watch's last screen shows the pod Running.
        let Some(SessionEvent::CommandFinished { output, .. }) = events.first() else { panic!("{events:?}") };
        assert!(output.contains("Every 1.0s: kubectl get pods") && output.contains("Running"), "{output}");
        assert!(matches!(events.get(1), Some(SessionEvent::CommandFinished { output, .. }) if output == "next\n"), "{events:?}");
        assert_eq!(s.simulator().shell.last_exit_code, 0);
    }

    #[test]
    fn run_command_replaces_the_half_typed_line_and_queues_behind_a_program() {
        let mut s = session();
        s.handle_input("kubectl get no\x1b[D", 0);
        let out = s.run_command("kubectl get nodes", 0);
        assert_eq!(screen(&format!("{PROMPT}kubectl get no\x1b[33G{out}"), 80)[0], "learner@kubesim:~$ kubectl get nodes");
        assert_eq!(s.simulator().shell.history, vec!["kubectl get nodes"]);
        // A multi-line command is entered line by line.
        let out = s.run_command("cat <<EOF > a.txt\nhello\nEOF", 0);
        assert_eq!(screen(&format!("{PROMPT}{out}"), 80), vec!["learner@kubesim:~$ cat <<EOF > a.txt", "> hello", "> EOF", PROMPT.trim_end()]);
        // Behind a stream: a note now, the run after Ctrl-C.
        s.handle_input("watch kubectl get nodes\r", START);
        assert!(matches!(s.mode(), Mode::Program { .. }));
        s.take_events();
        let out = s.run_command("echo queued", START);
        assert!(out.contains("kubesim: `echo queued` will run when this command ends (Ctrl-C stops it)"), "{out}");
        assert_eq!(s.simulator().shell.history.len(), 3);
        let out = s.handle_input("\x03", START);
        assert!(out.ends_with(&format!("{PROMPT}echo queued\r\nqueued\r\n{PROMPT}")), "{out}");
        assert_eq!(finished(s.take_events()), vec![("watch kubectl get nodes".to_string(), 130), ("echo queued".to_string(), 0)]);
        // Behind the editor: the note is on its status line.
        s.handle_input("nano x\r", START);
        let out = s.run_command("ls", START);
        assert!(out.contains("[ kubesim: `ls` will run when you exit the editor ]"), "{out}");
        let out = s.handle_input("\x18", START);
        assert!(out.contains(&format!("{PROMPT}ls\r\na.txt")) && out.ends_with(PROMPT), "{out}");
        assert_eq!(s.simulator().shell.history.last().map(String::as_str), Some("ls"));
    }

    #[test]
    fn replace_simulator_clears_and_prompts_afresh() {
        let mut s = session();
        s.handle_input("cd /tmp\rhalf", 0);
        let out = s.replace_simulator(Simulator::new(ClusterConfig::default()));
        assert_eq!(out, format!("\x1b[0m\x1b[H\x1b[2J\x1b[3J{PROMPT}"));
        assert_eq!(s.take_events().last(), Some(&SessionEvent::Replaced));
        assert!(s.simulator().shell.history.is_empty());
        assert!(s.simulator().shell.interactive_terminal);
    }

    #[test]
    fn the_clock_follows_the_wall_clock_forward_only() {
        let mut s = session();
        s.tick(START + 60_000);
        s.tick(START);
        let now = s.simulator().cluster.clock.now().timestamp_millis();
        assert_eq!(now, START + 60_000);
        assert_eq!(s.take_events(), vec![SessionEvent::Ticked]);
    }

    #[test]
    fn a_prompt_after_output_without_newline_edits_from_the_right_column() {
        let mut s = session();
        let mut out = String::new();
        s.write_text("abc", &mut out);
        let prompt = s.new_prompt();
        assert_eq!(prompt, PROMPT);
        s.handle_input("xy", 0);
        // Home goes to column 3 + 19 = 22 (1-based 23).
        assert_eq!(s.handle_input("\x01", 0), "\x1b[23G");
        // Cursor addressing moves the tracked column.
        s.write_text("\x1b[5;10Hab\x1b[2K\x1b[3G", &mut out);
        assert_eq!(s.output_col, 2);
    }

    #[test]
    fn the_handle_writes_to_the_terminal_and_tells_subscribers_after_releasing() {
        let handle = SessionHandle::new(Simulator::new(ClusterConfig::default()));
        handle.start(80, 24);
        let written = Rc::new(RefCell::new(String::new()));
        {
            let written = Rc::clone(&written);
            handle.attach_terminal(move |text| written.borrow_mut().push_str(text));
        }
        // Output from before the terminal was attached is flushed to it.
        assert_eq!(*written.borrow(), format!("{BRACKETED_PASTE_ON}{PROMPT}"));
        let heard = Rc::new(RefCell::new(Vec::new()));
        let subscription = {
            let (heard, inner) = (Rc::clone(&heard), handle.clone());
            // A subscriber may read the simulator from its callback.
            handle.subscribe_fn(move |event| heard.borrow_mut().push((event, inner.with_simulator(|s| s.shell.history.len()))))
        };
        handle.run_command("kubectl get nodes");
        assert!(written.borrow().contains("kind-worker2"));
        let table = expected_display("kubectl get nodes").replace("\r\n", "\n");
        assert_eq!(*heard.borrow(), vec![(SessionEvent::CommandFinished { line: "kubectl get nodes".into(), exit_code: 0, output: table }, 1)]);
        // The autosave is refreshed on the next tick, not in the command's key press;
        // the panic hook falls back on it when the simulator is borrowed.
        assert!(handle.0.autosave.borrow().is_none());
        handle.tick();
        assert!(handle.0.autosave.borrow().as_ref().is_some_and(|s| s.contains("kubectl get nodes")));
        assert!(!handle.0.autosave_due.get());
        let borrowed = handle.0.session.borrow_mut();
        assert!(handle.autosave_now().is_some_and(|s| s.contains("kubectl get nodes")));
        drop(borrowed);
        handle.replace_simulator(Simulator::new(ClusterConfig::default()));
        assert_eq!(heard.borrow().last().map(|(e, n)| (e.clone(), *n)), Some((SessionEvent::Replaced, 0)));
        drop(subscription);
        handle.run_command("true");
        assert_eq!(heard.borrow().len(), 2);
        handle.with_simulator(|sim| sim.run_line("touch /tmp/x"));
        assert!(handle.with_simulator(|sim| sim.shell.vfs.read("/tmp/x").is_ok()));
    }
}

#[cfg(test)]
mod screen_tests {
    //! What the terminal's screen does with the session's bytes: a small model of
    //! xterm's cursor (absolute moves, printable text with autowrap's pending wrap,
    //! line feeds) that counts scrolls. A full-screen program must never scroll.
    use super::*;
    use sim_core::ClusterConfig;

    #[derive(Default)]
    struct Screen {
        cols: usize,
        rows: usize,
        row: usize,
        col: usize,
        pending_wrap: bool,
        scrolls: usize,
    }

    impl Screen {
        fn line_feed(&mut self) {
            if self.row + 1 == self.rows {
                self.scrolls += 1;
            } else {
                self.row += 1;
            }
        }

        fn feed(&mut self, bytes: &str) {
            let mut chars = bytes.chars().peekable();
            while let Some(c) = chars.next() {
                match c {
                    '\x1b' => {
                        if chars.peek() != Some(&'[') {
                            chars.next();
                            continue;
                        }
                        chars.next();
                        let mut params = String::new();
                        for c in chars.by_ref() {
                            if ('\x40'..='\x7e').contains(&c) {
                                if c == 'H' {
                                    let mut it = params.split(';').map(|p| p.parse::<usize>().unwrap_or(1).max(1));
                                    self.row = it.next().unwrap_or(1).min(self.rows) - 1;
                                    self.col = it.next().unwrap_or(1).min(self.cols) - 1;
                                    self.pending_wrap = false;
                                }
                                break;
                            }
                            params.push(c);
                        }
                    }
                    '\r' => {
                        self.col = 0;
                        self.pending_wrap = false;
                    }
                    '\n' => {
                        self.line_feed();
                        self.pending_wrap = false;
                    }
                    c if c < ' ' => {}
                    _ => {
                        if self.pending_wrap {
                            self.col = 0;
                            self.line_feed();
                            self.pending_wrap = false;
                        }
                        if self.col + 1 == self.cols {
                            self.pending_wrap = true;
                        } else {
                            self.col += 1;
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn nano_never_scrolls_the_screen_at_any_size() {
        for (cols, rows) in [(67, 24), (80, 24), (40, 12), (120, 40), (67, 20)] {
            let mut s = Session::new(Simulator::new(ClusterConfig::default()));
            let mut screen = Screen { cols, rows, ..Screen::default() };
            screen.feed(&s.resize(cols, rows));
            screen.feed(&s.start());
            let opened = s.handle_input("nano svc.yaml\r", 0);
            // The line with the command scrolls the normal screen as any line may; count
            // from the alternate screen on.
            let (_, drawn) = opened.split_once(ALT_SCREEN_ON).unwrap_or(("", &opened));
            screen.scrolls = 0;
            screen.feed(drawn);
            assert_eq!(screen.scrolls, 0, "{cols}x{rows}: opening nano scrolled: {drawn:?}");
            for line in ["apiVersion: v1", "kind: Service", "metadata:", "  name: web", "spec:", "  selector:", "    app: web"] {
                for key in line.chars() {
                    screen.feed(&s.handle_input(&key.to_string(), 0));
                }
                screen.feed(&s.handle_input("\r", 0));
                assert_eq!(screen.scrolls, 0, "{cols}x{rows}: typing {line:?} scrolled");
            }
            screen.feed(&s.handle_input("\x0f", 0));
            screen.feed(&s.handle_input("\r", 0));
            assert_eq!(screen.scrolls, 0, "{cols}x{rows}: writing out scrolled");
        }
    }
}
