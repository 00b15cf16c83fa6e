//! The terminal session: what the browser's terminal is connected to. It takes the
//! bytes xterm.js reports as typed and returns the bytes to write back, running each
//! finished line through sim-core.
//!
//! Who owns the keyboard is a small state machine ([`Mode`]): today the prompt's
//! line editor always does; a full-screen program (an editor) or a streaming command
//! (`kubectl get -w`) becomes another variant that takes the keys until it ends.
//! The session is plain Rust with no browser dependency, so it is tested natively.

use std::cell::RefCell;
use std::rc::Rc;

use sim_core::Simulator;

use crate::keys::{decode, Key};
use crate::line_editor::{render_change, LineEditor, LineGeometry};

/// Who the keys go to.
#[derive(Clone, Debug)]
pub enum Mode {
    /// The shell prompt: keys edit a line; Enter runs it.
    Prompt(PromptState),
}

/// The prompt being edited and where it started on screen.
#[derive(Clone, Debug)]
pub struct PromptState {
    pub editor: LineEditor,
    pub prompt: String,
    /// Column the prompt was printed at (0 unless the last output lacked a final newline).
    pub origin_col: usize,
}

/// One learner's terminal session around a simulator.
#[derive(Debug)]
pub struct Session {
    simulator: Simulator,
    mode: Mode,
    cols: usize,
    /// Column the terminal cursor is at after everything written so far, tracked so a
    /// prompt printed after output without a final newline still edits correctly.
    output_col: usize,
}

/// The handle the Yew components share: one session per page, never cloned.
#[derive(Clone, Debug)]
pub struct SessionHandle(pub Rc<RefCell<Session>>);

impl PartialEq for SessionHandle {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl Session {
    pub fn new(simulator: Simulator) -> Self {
        let prompt = PromptState { editor: LineEditor::new(), prompt: simulator.prompt(), origin_col: 0 };
        Session { simulator, mode: Mode::Prompt(prompt), cols: 80, output_col: 0 }
    }

    #[cfg(test)]
    fn simulator(&self) -> &Simulator {
        &self.simulator
    }

    /// What to write when the terminal first opens: the prompt.
    pub fn start(&mut self) -> String {
        self.new_prompt()
    }

    /// The terminal's width changed (the fit addon resized it).
    pub fn resize(&mut self, cols: usize) {
        self.cols = cols.max(1);
    }

    /// Moves virtual time to the wall clock. Time only moves forward, so a clock that
    /// steps back (or a timer firing late) changes nothing.
    pub fn tick(&mut self, now_unix_millis: i64) {
        self.simulator.advance_to_unix_millis(now_unix_millis);
    }

    /// Handles one `onData` string (a key, or a whole paste); returns what to write.
    pub fn handle_input(&mut self, data: &str, now_unix_millis: i64) -> String {
        let mut out = String::new();
        for key in decode(data) {
            match self.mode {
                Mode::Prompt(_) => self.prompt_key(key, now_unix_millis, &mut out),
            }
        }
        out
    }

    fn prompt_key(&mut self, key: Key, now_unix_millis: i64, out: &mut String) {
        let Mode::Prompt(state) = &mut self.mode;
        let geometry =
            LineGeometry { origin_col: state.origin_col, prompt_width: state.prompt.chars().count(), cols: self.cols };
        let before = state.editor.clone();
        let editor = &mut state.editor;
        match key {
            Key::Text(text) => editor.insert(&text),
            Key::Backspace => editor.backspace(),
            // Ctrl-D deletes the character under the cursor. On an empty line bash
            // would exit; a browser tab has nothing to exit to, so it does nothing.
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
            Key::Enter => {
                let line = editor.take_line();
                geometry.move_cursor(before.cursor(), before.len(), out);
                out.push_str("\r\n");
                self.run_line(&line, now_unix_millis, out);
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
                let editor = editor.clone();
                self.output_col = 0;
                out.push_str(&self.new_prompt());
                let Mode::Prompt(state) = &mut self.mode;
                let empty = state.editor.clone();
                state.editor = editor;
                let geometry = LineGeometry { origin_col: 0, ..geometry };
                out.push_str(&render_change(&empty, &state.editor, geometry));
                return;
            }
            // Tab completion is not simulated yet; other control keys are unbound.
            Key::Tab | Key::Ctrl(_) | Key::Ignored => {}
        }
        out.push_str(&render_change(&before, editor, geometry));
    }

    fn run_line(&mut self, line: &str, now_unix_millis: i64, out: &mut String) {
        self.output_col = 0;
        self.simulator.advance_to_unix_millis(now_unix_millis);
        let output = self.simulator.run_line(line);
        self.write_text(&output.display, out);
        out.push_str(&self.new_prompt());
    }

    /// Writes program output, turning `\n` into the `\r\n` a terminal needs (the tty's
    /// ONLCR does this on a real machine) and tracking the cursor column.
    fn write_text(&mut self, text: &str, out: &mut String) {
        for c in text.chars() {
            if c == '\n' {
                out.push_str("\r\n");
                self.output_col = 0;
            } else {
                out.push(c);
                self.output_col = (self.output_col + 1) % self.cols;
            }
        }
    }

    fn new_prompt(&mut self) -> String {
        let prompt = self.simulator.prompt();
        let origin_col = self.output_col;
        let mut out = prompt.clone();
        let geometry = LineGeometry { origin_col, prompt_width: prompt.chars().count(), cols: self.cols };
        geometry.settle_after_write(0, &mut out);
        self.mode = Mode::Prompt(PromptState { editor: LineEditor::new(), prompt, origin_col });
        out
    }
}

#[cfg(test)]
mod tests {
    use sim_core::{ClusterConfig, Simulator};

    use super::*;

    const PROMPT: &str = "learner@kubesim:~$ ";

    fn session() -> Session {
        let mut session = Session::new(Simulator::new(ClusterConfig::default()));
        assert_eq!(session.start(), PROMPT);
        session
    }

    /// The same command run by a plain simulator, as the terminal should show it.
    fn expected_display(line: &str) -> String {
        let mut simulator = Simulator::new(ClusterConfig::default());
        simulator.run_line(line).display.replace('\n', "\r\n")
    }

    #[test]
    fn enter_runs_the_line_through_sim_core_and_prints_a_new_prompt() {
        let mut s = session();
        assert_eq!(s.handle_input("kubectl get nodes", 0), "kubectl get nodes");
        let out = s.handle_input("\r", 0);
        assert_eq!(out, format!("\r\n{}{PROMPT}", expected_display("kubectl get nodes")));
        assert!(out.contains("kind-control-plane"), "{out}");
        assert_eq!(s.simulator().shell.history, vec!["kubectl get nodes"]);
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
        let out = s.handle_input("\r", 0);
        assert_eq!(s.simulator().shell.history, vec!["kuKectl get nodes"]);
        assert!(out.contains("kuKectl"), "{out}");
    }

    #[test]
    fn the_clock_follows_the_wall_clock_forward_only() {
        let mut s = session();
        let start = ClusterConfig::default().start_unix_millis;
        s.tick(start + 60_000);
        s.tick(start);
        let now = s.simulator().cluster.clock.now().timestamp_millis();
        assert_eq!(now, start + 60_000);
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
    }
}
