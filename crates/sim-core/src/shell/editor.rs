//! The full-screen editor behind `nano`, `vi` and (later) `kubectl edit`: a state
//! machine fed raw terminal input as xterm sends it, drawing GNU nano 7.2's screen
//! (title bar, text, status line, two shortcut rows) with ANSI escapes.
//!
//! The editor never touches the filesystem: saving returns
//! [`EditorEffect::Write`] and the shell reports back with [`Editor::wrote`]; closing
//! returns [`EditorEffect::Exit`] and the session's [`AfterEdit`] decides what
//! happens to the buffer. Like nano without `--autoindent`, Enter never indents,
//! so a pasted manifest keeps exactly its own indentation.

use crate::cluster::Cluster;
use crate::simulator::Output;

/// Called when an editor session opened by a program (e.g. `kubectl edit`) closes:
/// `data` is what the program stored when it opened the editor, `edited` the saved
/// buffer (None when the learner left without saving). Returns the exit code.
pub type AfterEditFn = fn(cluster: &mut Cluster, data: &str, edited: Option<&str>, out: &mut Output) -> i32;

/// What to do with the buffer when the editor closes.
#[derive(Clone, Debug)]
pub enum AfterEdit {
    /// `nano FILE`: the file on disk is all there is.
    Nothing,
    Call { data: String, then: AfterEditFn },
}

/// What the editor needs from its host after a key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EditorEffect {
    None,
    /// Save `contents` to `path` (as typed at the prompt); answer with [`Editor::wrote`].
    Write { path: String, contents: String },
    /// The editor closed; `saved` tells whether the buffer was written in this session.
    Exit { saved: bool },
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Mode {
    Edit,
    /// The "File Name to Write:" prompt; `then_exit` after ^X → Y.
    WriteName { input: Vec<char>, then_exit: bool },
    /// "Save modified buffer?"
    ConfirmExit,
    /// "Search:" prompt.
    Search { input: Vec<char> },
}

/// A nano-like editor.
#[derive(Clone, Debug)]
pub struct Editor {
    /// File name as the learner typed it (the title and the default at ^O).
    name: String,
    lines: Vec<Vec<char>>,
    row: usize,
    col: usize,
    top: usize,
    modified: bool,
    saved: bool,
    mode: Mode,
    status: Option<String>,
    cut: Vec<Vec<char>>,
    last_was_cut: bool,
    last_search: String,
    cols: usize,
    rows: usize,
    /// Input not processed yet (after an effect, or an escape sequence cut in two).
    pending: String,
    in_paste: bool,
    exit_after_write: bool,
}

/// Keys the editor understands, decoded from xterm's bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Key {
    Char(char),
    Enter,
    Backspace,
    Delete,
    Up,
    Down,
    Left,
    Right,
    Home,
    End,
    PageUp,
    PageDown,
    Ctrl(char),
    Escape,
    PasteStart,
    PasteEnd,
}

impl Editor {
    /// An editor on `contents` (None: a new file) named `name` on screen.
    pub fn new(_path: &str, name: &str, contents: Option<&str>) -> Self {
        let mut lines: Vec<Vec<char>> = match contents {
            Some(text) => text.split('\n').map(|l| l.trim_end_matches('\r').chars().collect()).collect(),
            None => vec![Vec::new()],
        };
        if lines.is_empty() {
            lines.push(Vec::new());
        }
        let status = match contents {
            None if name.is_empty() => None,
            None => Some("[ New File ]".to_string()),
            Some(text) => {
                let n = text.matches('\n').count() + usize::from(!text.is_empty() && !text.ends_with('\n'));
                Some(format!("[ Read {n} line{} ]", if n == 1 { "" } else { "s" }))
            }
        };
        Editor {
            name: name.to_string(),
            lines,
            row: 0,
            col: 0,
            top: 0,
            modified: false,
            saved: false,
            mode: Mode::Edit,
            status,
            cut: Vec::new(),
            last_was_cut: false,
            last_search: String::new(),
            cols: 80,
            rows: 24,
            pending: String::new(),
            in_paste: false,
            exit_after_write: false,
        }
    }

    pub fn set_status(&mut self, text: &str) {
        self.status = Some(text.to_string());
    }

    pub fn resize(&mut self, cols: usize, rows: usize) {
        self.cols = cols.clamp(20, 1000);
        self.rows = rows.clamp(6, 500);
        self.scroll();
    }

    /// The buffer as it would be saved: lines joined, with a final newline as nano adds.
    pub fn contents(&self) -> String {
        let mut text = self.lines.iter().map(|l| l.iter().collect::<String>()).collect::<Vec<_>>().join("\n");
        if self.lines.last().is_some_and(|l| !l.is_empty()) {
            text.push('\n');
        }
        text
    }

    /// Lines as nano counts them when writing (the empty line after the last newline
    /// does not count).
    fn line_count(&self) -> usize {
        self.lines.len() - usize::from(self.lines.last().is_some_and(|l| l.is_empty()))
    }

    pub fn modified(&self) -> bool {
        self.modified
    }

    /// The host's answer to [`EditorEffect::Write`].
    pub fn wrote(&mut self, path: &str, result: Result<(), String>) {
        match result {
            Ok(()) => {
                let n = self.line_count();
                self.status = Some(format!("[ Wrote {n} line{} ]", if n == 1 { "" } else { "s" }));
                self.name = path.to_string();
                self.modified = false;
                self.saved = true;
            }
            Err(e) => {
                self.status = Some(format!("[ Error writing {path}: {e} ]"));
                self.exit_after_write = false;
            }
        }
    }

    /// Takes raw terminal input; returns the first effect the host must act on. Call
    /// again with "" after acting on it to process the rest of the input.
    pub fn handle_key(&mut self, input: &str) -> EditorEffect {
        self.pending.push_str(input);
        if self.exit_after_write {
            self.exit_after_write = false;
            if self.saved && !self.modified {
                return EditorEffect::Exit { saved: true };
            }
        }
        // Bounded: each round consumes at least one char of pending input. The
        // consumed prefix is dropped once at the end: draining it key by key made a
        // pasted megabyte quadratic (minutes of a frozen tab).
        let mut pending = std::mem::take(&mut self.pending);
        let mut done = 0;
        let mut effect = EditorEffect::None;
        while done < pending.len() {
            let Some((key, used)) = pending.get(done..).and_then(decode) else {
                // An escape sequence cut in the middle: wait for the rest.
                break;
            };
            if used == 0 {
                break;
            }
            done += used;
            effect = self.key(key);
            if effect != EditorEffect::None {
                break;
            }
        }
        pending = pending.get(done..).unwrap_or_default().to_string();
        // Keys handled above may have queued input of their own.
        pending.push_str(&self.pending);
        self.pending = pending;
        effect
    }

    fn key(&mut self, key: Key) -> EditorEffect {
        if key == Key::PasteStart {
            self.in_paste = true;
            return EditorEffect::None;
        }
        if key == Key::PasteEnd {
            self.in_paste = false;
            return EditorEffect::None;
        }
        match self.mode.clone() {
            Mode::Edit => self.edit_key(key),
            Mode::ConfirmExit => match key {
                Key::Char('y' | 'Y') => {
                    self.mode = Mode::WriteName { input: self.name.chars().collect(), then_exit: true };
                    EditorEffect::None
                }
                Key::Char('n' | 'N') => EditorEffect::Exit { saved: self.saved },
                Key::Ctrl('c') => {
                    self.mode = Mode::Edit;
                    self.status = Some("[ Cancelled ]".to_string());
                    EditorEffect::None
                }
                _ => EditorEffect::None,
            },
            Mode::WriteName { mut input, then_exit } => match key {
                Key::Enter => {
                    self.mode = Mode::Edit;
                    let name: String = input.iter().collect();
                    if name.is_empty() {
                        self.status = Some("[ Cancelled ]".to_string());
                        return EditorEffect::None;
                    }
                    self.exit_after_write = then_exit;
                    EditorEffect::Write { path: name, contents: self.contents() }
                }
                Key::Ctrl('c') | Key::Escape => {
                    self.mode = Mode::Edit;
                    self.status = Some("[ Cancelled ]".to_string());
                    EditorEffect::None
                }
                Key::Backspace => {
                    input.pop();
                    self.mode = Mode::WriteName { input, then_exit };
                    EditorEffect::None
                }
                Key::Char(c) if !c.is_control() => {
                    input.push(c);
                    self.mode = Mode::WriteName { input, then_exit };
                    EditorEffect::None
                }
                _ => EditorEffect::None,
            },
            Mode::Search { mut input } => match key {
                Key::Enter => {
                    self.mode = Mode::Edit;
                    let mut needle: String = input.iter().collect();
                    if needle.is_empty() {
                        needle = self.last_search.clone();
                    }
                    if needle.is_empty() {
                        self.status = Some("[ Cancelled ]".to_string());
                    } else {
                        self.last_search = needle.clone();
                        self.search(&needle);
                    }
                    EditorEffect::None
                }
                Key::Ctrl('c') | Key::Escape => {
                    self.mode = Mode::Edit;
                    self.status = Some("[ Cancelled ]".to_string());
                    EditorEffect::None
                }
                Key::Backspace => {
                    input.pop();
                    self.mode = Mode::Search { input };
                    EditorEffect::None
                }
                Key::Char(c) if !c.is_control() => {
                    input.push(c);
                    self.mode = Mode::Search { input };
                    EditorEffect::None
                }
                _ => EditorEffect::None,
            },
        }
    }

    fn edit_key(&mut self, key: Key) -> EditorEffect {
        let was_cut = std::mem::replace(&mut self.last_was_cut, false);
        if !matches!(key, Key::Ctrl('c')) {
            self.status = None;
        }
        match key {
            Key::Char(c) => {
                let col = self.col.min(self.line().len());
                if let Some(line) = self.lines.get_mut(self.row) {
                    line.insert(col, c);
                }
                self.col = col + 1;
                self.modified = true;
            }
            Key::Enter => {
                let col = self.col.min(self.line().len());
                let rest = self.lines.get_mut(self.row).map(|l| l.split_off(col)).unwrap_or_default();
                self.lines.insert(self.row + 1, rest);
                self.row += 1;
                self.col = 0;
                self.modified = true;
            }
            Key::Backspace => {
                if self.col > 0 {
                    let col = self.col.min(self.line().len());
                    if col > 0 {
                        if let Some(line) = self.lines.get_mut(self.row) {
                            line.remove(col - 1);
                        }
                        self.col = col - 1;
                        self.modified = true;
                    }
                } else if self.row > 0 {
                    let line = self.lines.remove(self.row);
                    self.row -= 1;
                    self.col = self.line().len();
                    if let Some(prev) = self.lines.get_mut(self.row) {
                        prev.extend(line);
                    }
                    self.modified = true;
                }
            }
            Key::Delete | Key::Ctrl('d') => {
                let len = self.line().len();
                if self.col < len {
                    let col = self.col;
                    if let Some(line) = self.lines.get_mut(self.row) {
                        line.remove(col);
                    }
                    self.modified = true;
                } else if self.row + 1 < self.lines.len() {
                    let next = self.lines.remove(self.row + 1);
                    if let Some(line) = self.lines.get_mut(self.row) {
                        line.extend(next);
                    }
                    self.modified = true;
                }
            }
            Key::Up => {
                self.row = self.row.saturating_sub(1);
                self.col = self.col.min(self.line().len());
            }
            Key::Down => {
                if self.row + 1 < self.lines.len() {
                    self.row += 1;
                }
                self.col = self.col.min(self.line().len());
            }
            Key::Left => {
                if self.col > 0 {
                    self.col -= 1;
                } else if self.row > 0 {
                    self.row -= 1;
                    self.col = self.line().len();
                }
            }
            Key::Right => {
                if self.col < self.line().len() {
                    self.col += 1;
                } else if self.row + 1 < self.lines.len() {
                    self.row += 1;
                    self.col = 0;
                }
            }
            Key::Home | Key::Ctrl('a') => self.col = 0,
            Key::End | Key::Ctrl('e') => self.col = self.line().len(),
            Key::PageUp | Key::Ctrl('y') => {
                self.row = self.row.saturating_sub(self.text_rows());
                self.top = self.top.saturating_sub(self.text_rows());
                self.col = self.col.min(self.line().len());
            }
            Key::PageDown | Key::Ctrl('v') => {
                self.row = (self.row + self.text_rows()).min(self.lines.len() - 1);
                self.top = (self.top + self.text_rows()).min(self.lines.len().saturating_sub(1));
                self.col = self.col.min(self.line().len());
            }
            Key::Ctrl('k') => {
                if !was_cut {
                    self.cut.clear();
                }
                if self.lines.len() == 1 && self.row == 0 && self.lines[0].is_empty() {
                    return EditorEffect::None;
                }
                let line = self.lines.remove(self.row);
                self.cut.push(line);
                if self.lines.is_empty() {
                    self.lines.push(Vec::new());
                }
                self.row = self.row.min(self.lines.len() - 1);
                self.col = 0;
                self.modified = true;
                self.last_was_cut = true;
            }
            Key::Ctrl('u') => {
                if self.cut.is_empty() {
                    self.status = Some("[ Cutbuffer is empty ]".to_string());
                } else {
                    for (i, line) in self.cut.clone().into_iter().enumerate() {
                        self.lines.insert(self.row + i, line);
                    }
                    self.row += self.cut.len();
                    self.col = 0;
                    self.modified = true;
                }
            }
            Key::Ctrl('o') => self.mode = Mode::WriteName { input: self.name.chars().collect(), then_exit: false },
            Key::Ctrl('x') => {
                if self.modified {
                    self.mode = Mode::ConfirmExit;
                } else {
                    return EditorEffect::Exit { saved: self.saved };
                }
            }
            Key::Ctrl('w') => self.mode = Mode::Search { input: Vec::new() },
            Key::Ctrl('c') => {
                let n = self.lines.len();
                let chars: usize = self.lines.iter().map(|l| l.len() + 1).sum::<usize>();
                let before: usize = self.lines.iter().take(self.row).map(|l| l.len() + 1).sum::<usize>() + self.col;
                let pct = |a: usize, b: usize| (a * 100).checked_div(b).unwrap_or(100);
                self.status = Some(format!(
                    "[ line {}/{n} ({}%), col {}/{} ({}%), char {before}/{chars} ({}%) ]",
                    self.row + 1,
                    pct(self.row + 1, n),
                    self.col + 1,
                    self.line().len() + 1,
                    pct(self.col + 1, self.line().len() + 1),
                    pct(before, chars)
                ));
            }
            Key::Ctrl('g') => self.status = Some("[ kubesim: ^O saves, ^X exits, ^K cuts a line, ^U pastes, ^W searches ]".to_string()),
            Key::Ctrl('i') => {
                let col = self.col.min(self.line().len());
                if let Some(line) = self.lines.get_mut(self.row) {
                    line.insert(col, '\t');
                }
                self.col = col + 1;
                self.modified = true;
            }
            Key::Ctrl(c) => {
                self.status = Some(format!("[ kubesim: ^{} is not simulated ]", c.to_ascii_uppercase()));
            }
            Key::Escape | Key::PasteStart | Key::PasteEnd => {}
        }
        self.scroll();
        EditorEffect::None
    }

    fn search(&mut self, needle: &str) {
        let needle: Vec<char> = needle.chars().collect();
        let find = |line: &[char], from: usize| -> Option<usize> {
            if needle.len() > line.len() {
                return None;
            }
            (from..=line.len() - needle.len()).find(|&i| line[i..i + needle.len()].iter().zip(&needle).all(|(a, b)| a.eq_ignore_ascii_case(b)))
        };
        let n = self.lines.len();
        for step in 0..=n {
            let r = (self.row + step) % n;
            let from = if step == 0 { self.col + 1 } else { 0 };
            if let Some(c) = self.lines.get(r).and_then(|l| if from <= l.len() { find(l, from) } else { None }) {
                if step == n || (step > 0 && r < self.row) {
                    self.status = Some("[ Search Wrapped ]".to_string());
                }
                self.row = r;
                self.col = c;
                self.scroll();
                return;
            }
        }
        let shown: String = needle.iter().collect();
        self.status = Some(format!("[ \"{shown}\" not found ]"));
    }

    fn line(&self) -> &[char] {
        self.lines.get(self.row).map(Vec::as_slice).unwrap_or(&[])
    }

    fn text_rows(&self) -> usize {
        self.rows.saturating_sub(4).max(1)
    }

    fn scroll(&mut self) {
        let h = self.text_rows();
        if self.row < self.top {
            self.top = self.row;
        }
        if self.row >= self.top + h {
            // nano recentres when the cursor leaves the screen.
            self.top = self.row + 1 - h / 2 - (h % 2);
            self.top = self.top.min(self.row);
        }
    }

    /// The whole screen, for the first draw.
    pub fn render_full(&self) -> String {
        format!("\x1b[H\x1b[2J{}", self.render(self.cols, self.rows))
    }

    /// The screen after a key (every row redrawn and cleared to its end).
    pub fn render_update(&self) -> String {
        self.render(self.cols, self.rows)
    }

    /// Draws the screen for a `cols` x `rows` terminal.
    pub fn render(&self, cols: usize, rows: usize) -> String {
        let cols = cols.max(20);
        let rows = rows.max(6);
        let mut s = String::new();
        let reverse = |text: &str| format!("\x1b[7m{text}\x1b[0m");
        // Title bar.
        let left = "  GNU nano 7.2";
        let title = if self.name.is_empty() { "New Buffer".to_string() } else { self.name.clone() };
        let right = if self.modified { "Modified  " } else { "" };
        let mut bar: Vec<char> = vec![' '; cols];
        for (i, c) in left.chars().enumerate().take(cols) {
            bar[i] = c;
        }
        let tlen = title.chars().count();
        let tstart = (cols.saturating_sub(tlen)) / 2;
        for (i, c) in title.chars().enumerate() {
            if let Some(slot) = bar.get_mut(tstart + i) {
                *slot = c;
            }
        }
        let rlen = right.chars().count();
        for (i, c) in right.chars().enumerate() {
            if let Some(slot) = bar.get_mut(cols.saturating_sub(rlen) + i) {
                *slot = c;
            }
        }
        s.push_str("\x1b[1;1H");
        s.push_str(&reverse(&bar.iter().collect::<String>()));
        // Text.
        let h = rows.saturating_sub(4).max(1);
        let mut cursor = (2, 1);
        for screen_row in 0..h {
            s.push_str(&format!("\x1b[{};1H\x1b[2K", screen_row + 2));
            let index = self.top + screen_row;
            let Some(line) = self.lines.get(index) else { continue };
            let expanded = expand_tabs(line);
            let is_cursor_row = index == self.row;
            let cursor_x = display_width(&line[..self.col.min(line.len())]);
            let avail = cols.saturating_sub(1).max(1);
            let (start, prefix) = if is_cursor_row && cursor_x >= avail {
                let chunk = avail.saturating_sub(7).max(1);
                let start = ((cursor_x - avail) / chunk + 1) * chunk;
                (start, true)
            } else {
                (0, false)
            };
            let visible: String = expanded.chars().skip(start).take(if prefix { avail - 1 } else { avail }).collect();
            if prefix {
                s.push('<');
            }
            s.push_str(&visible);
            if expanded.chars().count() > start + avail {
                s.push_str(&format!("\x1b[{};{}H>", screen_row + 2, cols));
            }
            if index == self.row {
                cursor = (screen_row + 2, cursor_x - start + 1 + usize::from(prefix));
            }
        }
        // Status line.
        let status_row = rows - 2;
        s.push_str(&format!("\x1b[{status_row};1H\x1b[2K"));
        let shortcuts: Vec<(&str, &str)>;
        match &self.mode {
            Mode::Edit => {
                if let Some(msg) = &self.status {
                    let w = msg.chars().count();
                    let start = cols.saturating_sub(w) / 2;
                    s.push_str(&format!("\x1b[{status_row};{}H{}", start + 1, reverse(msg)));
                }
                shortcuts = vec![
                    ("^G", "Help"),
                    ("^X", "Exit"),
                    ("^O", "Write Out"),
                    ("^R", "Read File"),
                    ("^W", "Where Is"),
                    ("^\\", "Replace"),
                    ("^K", "Cut"),
                    ("^U", "Paste"),
                    ("^T", "Execute"),
                    ("^J", "Justify"),
                    ("^C", "Location"),
                    ("^/", "Go To Line"),
                ];
            }
            Mode::WriteName { input, .. } => {
                let text = format!("File Name to Write: {}", input.iter().collect::<String>());
                let w = text.chars().count();
                s.push_str(&reverse(&format!("{text}{}", " ".repeat(cols.saturating_sub(w)))));
                cursor = (status_row, (w + 1).min(cols));
                shortcuts = vec![("^G", "Help"), ("^C", "Cancel"), ("M-D", "DOS Format"), ("M-M", "Mac Format"), ("M-A", "Append"), ("M-P", "Prepend")];
            }
            Mode::ConfirmExit => {
                let text = "Save modified buffer? ";
                s.push_str(&reverse(&format!("{text}{}", " ".repeat(cols.saturating_sub(text.len())))));
                cursor = (status_row, text.len() + 1);
                shortcuts = vec![(" Y", "Yes"), (" N", "No"), ("^C", "Cancel")];
            }
            Mode::Search { input } => {
                let text = format!("Search: {}", input.iter().collect::<String>());
                let w = text.chars().count();
                s.push_str(&reverse(&format!("{text}{}", " ".repeat(cols.saturating_sub(w)))));
                cursor = (status_row, (w + 1).min(cols));
                shortcuts = vec![("^G", "Help"), ("^C", "Cancel"), ("M-C", "Case Sens"), ("M-B", "Backwards"), ("M-R", "Reg.exp."), ("^R", "Replace")];
            }
        }
        // Two shortcut rows: nano lays entries out column by column, two per column.
        let per_row = shortcuts.len().div_ceil(2).max(1);
        let width = (cols / per_row.max(6).min(cols / 6).max(1)).max(1);
        for r in 0..2 {
            s.push_str(&format!("\x1b[{};1H\x1b[2K", rows - 1 + r));
            let mut written = 0;
            for c in 0..per_row {
                let Some((key, label)) = shortcuts.get(c * 2 + r) else { continue };
                if (c + 1) * width > cols + 1 {
                    break;
                }
                // Nothing is written past the last column: a character there would
                // wrap and scroll the whole screen up a row (at 67 columns "^/ Go To
                // Line" did), as nano never lets its shortcut bar do.
                let room = cols.saturating_sub(written);
                let key_len = key.chars().count();
                if room <= key_len {
                    break;
                }
                let label: String = label.chars().take(room - key_len - 1).collect();
                let entry_len = key_len + 1 + label.chars().count();
                let pad = width.saturating_sub(entry_len).min(room - entry_len);
                s.push_str(&format!("{} {label}{}", reverse(key), " ".repeat(pad)));
                written += entry_len + pad;
            }
        }
        s.push_str(&format!("\x1b[{};{}H", cursor.0, cursor.1));
        s
    }

    /// The screen as plain text (escape sequences dropped, one line per row): tests
    /// and the transcript runner compare this.
    pub fn screen_text(&self) -> String {
        let rendered = self.render(self.cols, self.rows);
        let mut grid: Vec<Vec<char>> = vec![vec![' '; self.cols]; self.rows];
        let (mut r, mut c) = (0usize, 0usize);
        let chars: Vec<char> = rendered.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            if chars[i] == '\x1b' && chars.get(i + 1) == Some(&'[') {
                let start = i + 2;
                let mut j = start;
                while j < chars.len() && !chars[j].is_ascii_alphabetic() {
                    j += 1;
                }
                let params: String = chars[start..j.min(chars.len())].iter().collect();
                if chars.get(j) == Some(&'H') {
                    let mut it = params.split(';').map(|p| p.parse::<usize>().unwrap_or(1));
                    r = it.next().unwrap_or(1).saturating_sub(1);
                    c = it.next().unwrap_or(1).saturating_sub(1);
                }
                i = j + 1;
                continue;
            }
            if let Some(cell) = grid.get_mut(r).and_then(|row| row.get_mut(c)) {
                *cell = chars[i];
            }
            c += 1;
            i += 1;
        }
        grid.iter().map(|row| row.iter().collect::<String>().trim_end().to_string()).collect::<Vec<_>>().join("\n")
    }
}

fn expand_tabs(line: &[char]) -> String {
    let mut s = String::new();
    let mut w = 0;
    for &c in line {
        if c == '\t' {
            let n = 8 - w % 8;
            s.push_str(&" ".repeat(n));
            w += n;
        } else {
            s.push(c);
            w += 1;
        }
    }
    s
}

fn display_width(line: &[char]) -> usize {
    line.iter().fold(0, |w, &c| if c == '\t' { w + 8 - w % 8 } else { w + 1 })
}

/// Decodes one key from the start of xterm input; None when an escape sequence is
/// incomplete. Returns the key and how many bytes it used.
fn decode(input: &str) -> Option<(Key, usize)> {
    let mut chars = input.chars();
    let c = chars.next()?;
    let len = c.len_utf8();
    let key = match c {
        '\x1b' => {
            let rest = &input[1..];
            if rest.is_empty() {
                return Some((Key::Escape, 1));
            }
            let sequences: &[(&str, Key)] = &[
                ("[200~", Key::PasteStart),
                ("[201~", Key::PasteEnd),
                ("[A", Key::Up),
                ("[B", Key::Down),
                ("[C", Key::Right),
                ("[D", Key::Left),
                ("OA", Key::Up),
                ("OB", Key::Down),
                ("OC", Key::Right),
                ("OD", Key::Left),
                ("[H", Key::Home),
                ("[F", Key::End),
                ("OH", Key::Home),
                ("OF", Key::End),
                ("[1~", Key::Home),
                ("[4~", Key::End),
                ("[3~", Key::Delete),
                ("[5~", Key::PageUp),
                ("[6~", Key::PageDown),
            ];
            for (seq, key) in sequences {
                if rest.starts_with(seq) {
                    return Some((key.clone(), 1 + seq.len()));
                }
                if seq.starts_with(rest) {
                    return None;
                }
            }
            // An unknown CSI sequence: skip it whole.
            if let Some(csi) = rest.strip_prefix('[') {
                let end = csi.find(|c: char| c.is_ascii_alphabetic() || c == '~');
                return Some((Key::Escape, 2 + end.map(|e| e + 1).unwrap_or(csi.len())));
            }
            return Some((Key::Escape, 1));
        }
        '\r' => {
            // A pasted "\r\n" is one line break.
            if input[1..].starts_with('\n') {
                return Some((Key::Enter, 2));
            }
            Key::Enter
        }
        '\n' => Key::Enter,
        '\x7f' | '\x08' => Key::Backspace,
        '\t' => Key::Ctrl('i'),
        c if (c as u32) < 0x20 => Key::Ctrl(char::from_u32(c as u32 + 0x60).unwrap_or('?')),
        c => Key::Char(c),
    };
    Some((key, len))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(editor: &mut Editor, keys: &str) -> Vec<EditorEffect> {
        let mut effects = Vec::new();
        let mut input = keys.to_string();
        for _ in 0..100 {
            let e = editor.handle_key(&input);
            input.clear();
            if e == EditorEffect::None {
                break;
            }
            if let EditorEffect::Write { path, .. } = &e {
                editor.wrote(&path.clone(), Ok(()));
            }
            let exit = matches!(e, EditorEffect::Exit { .. });
            effects.push(e);
            if exit {
                break;
            }
        }
        effects
    }

    #[test]
    fn the_shortcut_bar_never_writes_past_the_last_column() {
        let e = Editor::new("/tmp/x", "x", None);
        for cols in 20..=120 {
            let screen = e.render(cols, 24);
            for row in [23, 24] {
                let start = format!("\x1b[{row};1H\x1b[2K");
                let Some(at) = screen.find(&start) else { panic!("no row {row} at {cols} columns") };
                let rest = &screen[at + start.len()..];
                // Reverse video on and off are the only sequences inside a row.
                let plain = rest.replace("\x1b[7m", "").replace("\x1b[0m", "");
                let line = plain.split('\u{1b}').next().unwrap_or("");
                assert!(line.chars().count() <= cols, "{cols} columns, row {row}: {line:?}");
            }
        }
    }

    #[test]
    fn type_save_and_quit() {
        let mut e = Editor::new("/home/learner/a.yaml", "a.yaml", None);
        let effects = run(&mut e, "apiVersion: v1\rkind: Service\r\x0f\r\x18");
        assert_eq!(
            effects,
            vec![
                EditorEffect::Write { path: "a.yaml".to_string(), contents: "apiVersion: v1\nkind: Service\n".to_string() },
                EditorEffect::Exit { saved: true }
            ]
        );
    }

    #[test]
    fn quitting_a_modified_buffer_asks_first() {
        let mut e = Editor::new("/tmp/x", "x", Some("a\n"));
        assert!(run(&mut e, "b\x18").is_empty());
        assert!(e.screen_text().contains("Save modified buffer?"));
        let effects = run(&mut e, "y\r");
        assert_eq!(effects.len(), 2);
        assert_eq!(effects[0], EditorEffect::Write { path: "x".to_string(), contents: "ba\n".to_string() });
        let mut e = Editor::new("/tmp/x", "x", Some("a\n"));
        assert_eq!(run(&mut e, "b\x18n"), vec![EditorEffect::Exit { saved: false }]);
    }

    #[test]
    fn paste_keeps_indentation_and_cut_paste_moves_lines() {
        let mut e = Editor::new("/tmp/x", "x", None);
        run(&mut e, "\x1b[200~spec:\r\n  ports:\r\n    - port: 80\r\n\x1b[201~");
        assert_eq!(e.contents(), "spec:\n  ports:\n    - port: 80\n");
        // Cut the first line and paste it at the end.
        run(&mut e, "\x1b[A\x1b[A\x1b[A\x0b\x1b[B\x1b[B\x15");
        assert_eq!(e.contents(), "  ports:\n    - port: 80\nspec:\n");
    }

    #[test]
    fn screen_has_nano_bars() {
        let mut e = Editor::new("/home/learner/web-service.yaml", "web-service.yaml", Some("kind: Service\n"));
        let screen = e.screen_text();
        let first = screen.lines().next().unwrap_or("");
        assert!(first.starts_with("  GNU nano 7.2"), "{screen}");
        assert!(first.contains("web-service.yaml"));
        assert!(screen.contains("[ Read 1 line ]"));
        assert!(screen.contains("^G Help"), "{screen}");
        assert!(screen.contains("^X Exit"));
        run(&mut e, "\x17Serv\r");
        assert_eq!((e.row, e.col), (0, 6));
        run(&mut e, "\x17nothere\r");
        assert!(e.screen_text().contains("[ \"nothere\" not found ]"));
    }

    #[test]
    fn split_escape_sequences_wait_for_the_rest() {
        let mut e = Editor::new("/tmp/x", "x", Some("ab\n"));
        run(&mut e, "\x1b[");
        run(&mut e, "C");
        assert_eq!(e.col, 1);
    }
}
