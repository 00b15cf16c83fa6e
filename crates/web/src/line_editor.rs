//! The line editor behind the prompt: a buffer, a cursor, history browsing, and the
//! escape sequences that bring the screen up to date after each edit.
//!
//! It follows readline's emacs bindings as bash has them by default: Ctrl-A/E move
//! to the ends, Ctrl-U kills to the start (`unix-line-discard`), Ctrl-K to the end
//! (`kill-line`), Ctrl-W the whitespace-delimited word before the cursor
//! (`unix-word-rubout`), Up/Down walk the history keeping the line being typed.
//!
//! Screen updates are computed from the state before and after an edit: move to the
//! first cell that changed, rewrite the tail, erase what is left, and put the cursor
//! back. Positions are cells counted from where the prompt starts, wrapped at the
//! terminal width, so long lines that wrap edit correctly. Every character counts
//! as one cell (wide CJK and emoji would need a width table; kubectl input is ASCII).

use std::fmt::Write;

/// The line being typed, and where the cursor is in it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LineEditor {
    chars: Vec<char>,
    cursor: usize,
    /// Which history entry is shown while browsing with Up/Down (None: the new line).
    history_index: Option<usize>,
    /// The line being typed before browsing started, restored by Down past the end.
    draft: Vec<char>,
}

impl LineEditor {
    pub fn new() -> Self {
        LineEditor::default()
    }

    pub fn text(&self) -> String {
        self.chars.iter().collect()
    }

    pub fn cursor(&self) -> usize {
        self.cursor
    }

    pub fn len(&self) -> usize {
        self.chars.len()
    }

    /// Replaces the line (a completion, a history search result); the cursor is a
    /// character index, clamped into the line.
    pub fn set(&mut self, text: &str, cursor: usize) {
        self.chars = text.chars().filter(|c| !c.is_control()).collect();
        self.cursor = cursor.min(self.chars.len());
        self.history_index = None;
    }

    /// The cursor as a byte offset into [`LineEditor::text`] (what sim-core's
    /// completion takes).
    pub fn byte_cursor(&self) -> usize {
        self.chars.iter().take(self.cursor).map(|c| c.len_utf8()).sum()
    }

    /// Hands over the finished line and starts a new, empty one.
    pub fn take_line(&mut self) -> String {
        let line = self.text();
        *self = LineEditor::new();
        line
    }

    pub fn insert(&mut self, text: &str) {
        let new: Vec<char> = text.chars().filter(|c| !c.is_control()).collect();
        let at = self.cursor.min(self.chars.len());
        self.cursor = at + new.len();
        self.chars.splice(at..at, new);
    }

    pub fn backspace(&mut self) {
        if self.cursor > 0 && self.cursor <= self.chars.len() {
            self.cursor -= 1;
            self.chars.remove(self.cursor);
        }
    }

    pub fn delete(&mut self) {
        if self.cursor < self.chars.len() {
            self.chars.remove(self.cursor);
        }
    }

    pub fn left(&mut self) {
        self.cursor = self.cursor.saturating_sub(1);
    }

    pub fn right(&mut self) {
        self.cursor = (self.cursor + 1).min(self.chars.len());
    }

    pub fn home(&mut self) {
        self.cursor = 0;
    }

    pub fn end(&mut self) {
        self.cursor = self.chars.len();
    }

    /// Ctrl-U: readline's `unix-line-discard`, kills from the cursor back to the start.
    pub fn kill_to_start(&mut self) {
        let at = self.cursor.min(self.chars.len());
        self.chars.drain(..at);
        self.cursor = 0;
    }

    /// Ctrl-K: readline's `kill-line`, kills from the cursor to the end.
    pub fn kill_to_end(&mut self) {
        let at = self.cursor.min(self.chars.len());
        self.chars.truncate(at);
    }

    /// Ctrl-W: readline's `unix-word-rubout`, kills back to the previous whitespace
    /// (so `--namespace=kube-system` goes in one stroke, as in bash).
    pub fn rubout_word(&mut self) {
        let end = self.cursor.min(self.chars.len());
        let mut start = end;
        while start > 0 && self.chars.get(start - 1).is_some_and(|c| c.is_whitespace()) {
            start -= 1;
        }
        while start > 0 && self.chars.get(start - 1).is_some_and(|c| !c.is_whitespace()) {
            start -= 1;
        }
        self.chars.drain(start..end);
        self.cursor = start;
    }

    /// Alt-B: readline's `backward-word`, words being runs of letters and digits.
    pub fn word_left(&mut self) {
        let mut at = self.cursor.min(self.chars.len());
        while at > 0 && !self.chars.get(at - 1).is_some_and(|c| c.is_alphanumeric()) {
            at -= 1;
        }
        while at > 0 && self.chars.get(at - 1).is_some_and(|c| c.is_alphanumeric()) {
            at -= 1;
        }
        self.cursor = at;
    }

    /// Alt-F: readline's `forward-word`.
    pub fn word_right(&mut self) {
        let mut at = self.cursor.min(self.chars.len());
        while at < self.chars.len() && !self.chars.get(at).is_some_and(|c| c.is_alphanumeric()) {
            at += 1;
        }
        while at < self.chars.len() && self.chars.get(at).is_some_and(|c| c.is_alphanumeric()) {
            at += 1;
        }
        self.cursor = at;
    }

    /// Up: shows the previous history entry, keeping the typed line as a draft.
    pub fn history_previous(&mut self, history: &[String]) {
        let index = match self.history_index {
            None if history.is_empty() => return,
            None => {
                self.draft = self.chars.clone();
                history.len() - 1
            }
            Some(0) => return,
            Some(i) => i - 1,
        };
        self.show_history_entry(history, Some(index));
    }

    /// Down: shows the next history entry, or the draft after the newest one.
    pub fn history_next(&mut self, history: &[String]) {
        match self.history_index {
            None => {}
            Some(i) if i + 1 < history.len() => self.show_history_entry(history, Some(i + 1)),
            Some(_) => self.show_history_entry(history, None),
        }
    }

    fn show_history_entry(&mut self, history: &[String], index: Option<usize>) {
        self.chars = match index.and_then(|i| history.get(i)) {
            Some(entry) => entry.chars().collect(),
            None => std::mem::take(&mut self.draft),
        };
        self.history_index = index;
        self.cursor = self.chars.len();
    }
}

/// Where the edited line sits on the screen: the column the prompt starts at, the
/// prompt's width and the terminal's width.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LineGeometry {
    pub origin_col: usize,
    pub prompt_width: usize,
    pub cols: usize,
}

impl LineGeometry {
    /// Row (relative to the prompt's row) and column of the cell before character `i`.
    fn position(&self, i: usize) -> (usize, usize) {
        let cols = self.cols.max(1);
        let cell = self.origin_col + self.prompt_width + i;
        (cell / cols, cell % cols)
    }

    /// Escape sequences moving the cursor from before character `from` to before `to`.
    pub fn move_cursor(&self, from: usize, to: usize, out: &mut String) {
        let (from_row, from_col) = self.position(from);
        let (to_row, to_col) = self.position(to);
        if to_row < from_row {
            let _ = write!(out, "\x1b[{}A", from_row - to_row);
        } else if to_row > from_row {
            let _ = write!(out, "\x1b[{}B", to_row - from_row);
        }
        if to_col != from_col {
            // CHA (cursor character absolute) is 1-based.
            let _ = write!(out, "\x1b[{}G", to_col + 1);
        }
    }

    /// After writing up to character `end`, settles a cursor left in the terminal's
    /// pending-wrap state (text that exactly fills a row): xterm, like a VT100, keeps
    /// the cursor on the last column until the next character, so we move it to the
    /// next row ourselves and the cell arithmetic stays true.
    pub fn settle_after_write(&self, end: usize, out: &mut String) {
        if self.position(end).1 == 0 && self.origin_col + self.prompt_width + end > 0 {
            out.push_str("\r\n");
        }
    }
}

/// The escape sequences that turn the screen showing `before` into one showing
/// `after`, with the terminal cursor at `before`'s cursor on entry and at `after`'s
/// cursor on exit.
pub fn render_change(before: &LineEditor, after: &LineEditor, geometry: LineGeometry) -> String {
    let mut out = String::new();
    let first_difference = before
        .chars
        .iter()
        .zip(&after.chars)
        .position(|(a, b)| a != b)
        .unwrap_or(before.chars.len().min(after.chars.len()));
    let text_changed = before.chars != after.chars;
    let mut at = before.cursor;
    if text_changed {
        geometry.move_cursor(at, first_difference, &mut out);
        let tail: String = after.chars.get(first_difference..).unwrap_or(&[]).iter().collect();
        out.push_str(&tail);
        at = after.chars.len();
        if !tail.is_empty() {
            geometry.settle_after_write(at, &mut out);
        }
        if before.chars.len() > after.chars.len() {
            // ED 0: erase from the cursor to the end of the screen; the edited line is
            // always the last thing on screen, so this only removes its old tail.
            out.push_str("\x1b[J");
        }
    }
    geometry.move_cursor(at, after.cursor, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn editor(text: &str, cursor: usize) -> LineEditor {
        let mut e = LineEditor::new();
        e.insert(text);
        e.cursor = cursor;
        e
    }

    #[test]
    fn readline_kills_match_bash() {
        let mut e = editor("kubectl get pods --namespace=kube-system", 40);
        e.rubout_word();
        assert_eq!((e.text().as_str(), e.cursor()), ("kubectl get pods ", 17));
        e.rubout_word();
        assert_eq!(e.text(), "kubectl get ");
        let mut e = editor("kubectl get nodes", 8);
        e.kill_to_end();
        assert_eq!(e.text(), "kubectl ");
        let mut e = editor("kubectl get nodes", 8);
        e.kill_to_start();
        assert_eq!((e.text().as_str(), e.cursor()), ("get nodes", 0));
    }

    #[test]
    fn moves_and_edits_stay_inside_the_line() {
        let mut e = editor("ab", 2);
        e.right();
        assert_eq!(e.cursor(), 2);
        e.home();
        e.left();
        e.backspace();
        assert_eq!((e.text().as_str(), e.cursor()), ("ab", 0));
        e.delete();
        assert_eq!(e.text(), "b");
        e.end();
        e.delete();
        e.insert("c\x07d");
        assert_eq!((e.text().as_str(), e.cursor()), ("bcd", 3));
        let mut e = editor("kubectl get-nodes x", 19);
        e.word_left();
        assert_eq!(e.cursor(), 18);
        e.word_left();
        assert_eq!(e.cursor(), 12);
        e.word_right();
        assert_eq!(e.cursor(), 17);
    }

    #[test]
    fn history_browsing_keeps_the_draft() {
        let history = vec!["kubectl get nodes".to_string(), "kubectl version".to_string()];
        let mut e = editor("kub", 3);
        e.history_previous(&history);
        assert_eq!(e.text(), "kubectl version");
        e.history_previous(&history);
        e.history_previous(&history);
        assert_eq!((e.text().as_str(), e.cursor()), ("kubectl get nodes", 17));
        e.history_next(&history);
        assert_eq!(e.text(), "kubectl version");
        e.history_next(&history);
        assert_eq!(e.text(), "kub");
        e.history_next(&history);
        assert_eq!(e.text(), "kub");
        let mut empty = LineEditor::new();
        empty.history_previous(&[]);
        assert_eq!(empty.text(), "");
    }

    const GEOMETRY: LineGeometry = LineGeometry { origin_col: 0, prompt_width: 2, cols: 10 };

    #[test]
    fn insertion_in_the_middle_rewrites_the_tail_and_returns() {
        let before = editor("acd", 1);
        let mut after = before.clone();
        after.insert("b");
        // Cursor before "c" (cell 3): write "bcd", then go back to cell 4 (column 5).
        assert_eq!(render_change(&before, &after, GEOMETRY), "bcd\x1b[5G");
    }

    #[test]
    fn deletion_erases_the_old_tail() {
        let before = editor("abc", 3);
        let mut after = before.clone();
        after.backspace();
        assert_eq!(render_change(&before, &after, GEOMETRY), "\x1b[5G\x1b[J");
    }

    #[test]
    fn moves_across_wrapped_rows() {
        // Prompt 2 + 12 chars on a 10-column terminal: the line wraps once.
        let before = editor("abcdefghijkl", 12);
        let mut after = before.clone();
        after.home();
        assert_eq!(render_change(&before, &after, GEOMETRY), "\x1b[1A\x1b[3G");
        let mut end = after.clone();
        end.end();
        assert_eq!(render_change(&after, &end, GEOMETRY), "\x1b[1B\x1b[5G");
    }

    #[test]
    fn filling_a_row_exactly_moves_to_the_next_row() {
        let before = editor("abcdefg", 7);
        let mut after = before.clone();
        after.insert("h");
        assert_eq!(render_change(&before, &after, GEOMETRY), "h\r\n");
    }
}
