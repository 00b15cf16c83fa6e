//! Decoding what xterm.js reports as typed (its `onData` strings) into keys.
//!
//! xterm.js hands over exactly the bytes a real terminal would send to a program:
//! printable text as is, control keys as C0 bytes (Ctrl-A is `\x01`), and cursor
//! keys as ANSI escape sequences (`\x1b[D` for Left, or `\x1bOD` in application
//! cursor mode). A paste arrives as one string with line ends turned into `\r`, so a
//! pasted block decodes into text and `Enter` keys in order and runs line by line.

/// One key press, as the line editor (or a future full-screen program) sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Key {
    /// Printable text: one typed character or a run of pasted ones.
    Text(String),
    Enter,
    Backspace,
    Delete,
    Tab,
    Left,
    Right,
    Up,
    Down,
    Home,
    End,
    /// Alt-B or Ctrl-Left: back one word (readline's `backward-word`).
    WordLeft,
    /// Alt-F or Ctrl-Right: forward one word (readline's `forward-word`).
    WordRight,
    /// Alt-Backspace or Alt-D style keys we do not bind, and unknown sequences.
    Ignored,
    /// A control key other than the ones above, by its letter: `Ctrl('c')` for `\x03`.
    Ctrl(char),
    /// The start and end markers of a bracketed paste (`ESC [200~` / `ESC [201~`),
    /// which xterm.js sends around pasted text once the program turned the mode on.
    PasteStart,
    PasteEnd,
}

/// Splits one `onData` string into keys.
#[cfg(test)]
pub fn decode(data: &str) -> Vec<Key> {
    decode_raw(data).into_iter().map(|(key, _)| key).filter(|key| *key != Key::Ignored).collect()
}

/// Splits one `onData` string into keys, each with the input it came from, so that
/// what follows a key that hands the terminal to a program (Enter on `nano x`) can go
/// to that program byte for byte.
pub fn decode_raw(data: &str) -> Vec<(Key, String)> {
    let chars: Vec<char> = data.chars().collect();
    let mut keys = Vec::new();
    let mut text = String::new();
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        let key_start = i;
        i += 1;
        let key = match c {
            '\r' => {
                // A paste from a file with CRLF line ends: one line end, not two.
                if chars.get(i) == Some(&'\n') {
                    i += 1;
                }
                Key::Enter
            }
            '\n' => Key::Enter,
            '\x7f' | '\x08' => Key::Backspace,
            '\t' => Key::Tab,
            '\x1b' => {
                let (key, used) = decode_escape(chars.get(i..).unwrap_or(&[]));
                i += used;
                key
            }
            c if (c as u32) < 0x20 => {
                // \x01..\x1a are Ctrl-A..Ctrl-Z; the few others (Ctrl-\, Ctrl-]) we ignore.
                match char::from_u32(c as u32 + 0x60) {
                    Some(letter) if letter.is_ascii_lowercase() => Key::Ctrl(letter),
                    _ => Key::Ignored,
                }
            }
            c => {
                text.push(c);
                continue;
            }
        };
        if !text.is_empty() {
            let text = std::mem::take(&mut text);
            keys.push((Key::Text(text.clone()), text));
        }
        let raw: String = chars.get(key_start..i).unwrap_or(&[]).iter().collect();
        // Unknown sequences still carry their bytes, for a program that knows them.
        keys.push((key, raw));
    }
    if !text.is_empty() {
        keys.push((Key::Text(text.clone()), text));
    }
    keys
}

/// Decodes what follows an ESC byte; returns the key and how many chars it used.
fn decode_escape(rest: &[char]) -> (Key, usize) {
    match rest.first() {
        // CSI: ESC [ parameters intermediates final (ECMA-48).
        Some('[') => {
            let mut end = 1;
            while let Some(&c) = rest.get(end) {
                if ('\x40'..='\x7e').contains(&c) {
                    let params: String = rest.get(1..end).unwrap_or(&[]).iter().collect();
                    return (csi_key(&params, c), end + 1);
                }
                if !('\x20'..='\x3f').contains(&c) {
                    break;
                }
                end += 1;
            }
            (Key::Ignored, end)
        }
        // SS3: what cursor keys send in application cursor mode.
        Some('O') => match rest.get(1) {
            Some('A') => (Key::Up, 2),
            Some('B') => (Key::Down, 2),
            Some('C') => (Key::Right, 2),
            Some('D') => (Key::Left, 2),
            Some('H') => (Key::Home, 2),
            Some('F') => (Key::End, 2),
            Some(_) => (Key::Ignored, 2),
            None => (Key::Ignored, 1),
        },
        // Alt-letter arrives as ESC followed by the letter (xterm's metaSendsEscape).
        Some('b') => (Key::WordLeft, 1),
        Some('f') => (Key::WordRight, 1),
        Some(_) => (Key::Ignored, 1),
        None => (Key::Ignored, 0),
    }
}

fn csi_key(params: &str, last: char) -> Key {
    // A modifier (`1;5` is Ctrl) turns Left/Right into word moves, as in readline's
    // default inputrc on Debian.
    let modified = params.contains(';');
    match (params, last) {
        (_, 'A') => Key::Up,
        (_, 'B') => Key::Down,
        (_, 'C') if modified => Key::WordRight,
        (_, 'D') if modified => Key::WordLeft,
        (_, 'C') => Key::Right,
        (_, 'D') => Key::Left,
        (_, 'H') => Key::Home,
        (_, 'F') => Key::End,
        ("1" | "7", '~') => Key::Home,
        ("4" | "8", '~') => Key::End,
        ("3", '~') => Key::Delete,
        ("200", '~') => Key::PasteStart,
        ("201", '~') => Key::PasteEnd,
        // Keys we do not bind.
        _ => Key::Ignored,
    }
}

#[cfg(test)]
mod tests {
    use super::Key::*;
    use super::*;

    fn text(s: &str) -> Key {
        Text(s.to_string())
    }

    #[test]
    fn typed_text_and_control_keys() {
        assert_eq!(decode("kubectl"), vec![text("kubectl")]);
        assert_eq!(decode("\x01\x05\x15\x0b\x17\x03\x0c"), vec![
            Ctrl('a'),
            Ctrl('e'),
            Ctrl('u'),
            Ctrl('k'),
            Ctrl('w'),
            Ctrl('c'),
            Ctrl('l')
        ]);
        assert_eq!(decode("\x7f"), vec![Backspace]);
        assert_eq!(decode("\r"), vec![Enter]);
    }

    #[test]
    fn cursor_keys_in_both_modes_and_editing_keys() {
        assert_eq!(decode("\x1b[A\x1b[B\x1b[C\x1b[D"), vec![Up, Down, Right, Left]);
        assert_eq!(decode("\x1bOA\x1bOD\x1bOH\x1bOF"), vec![Up, Left, Home, End]);
        assert_eq!(decode("\x1b[H\x1b[F\x1b[1~\x1b[4~\x1b[3~"), vec![Home, End, Home, End, Delete]);
        assert_eq!(decode("\x1b[1;5D\x1b[1;5C\x1bb\x1bf"), vec![WordLeft, WordRight, WordLeft, WordRight]);
    }

    #[test]
    fn a_pasted_block_is_text_and_enters_in_order() {
        assert_eq!(decode("kubectl get nodes\rkubectl version\r\nx"), vec![
            text("kubectl get nodes"),
            Enter,
            text("kubectl version"),
            Enter,
            text("x")
        ]);
        assert_eq!(decode("\x1b[200~ls\x1b[201~"), vec![PasteStart, text("ls"), PasteEnd]);
    }

    #[test]
    fn raw_input_follows_each_key() {
        let raw: Vec<String> = decode_raw("ab\r\x1b[Ax\x1b[99~").into_iter().map(|(_, raw)| raw).collect();
        assert_eq!(raw, vec!["ab", "\r", "\x1b[A", "x", "\x1b[99~"]);
    }

    #[test]
    fn truncated_and_unknown_sequences_never_panic() {
        assert_eq!(decode("\x1b"), vec![]);
        assert_eq!(decode("\x1b["), vec![]);
        assert_eq!(decode("\x1b[12"), vec![]);
        assert_eq!(decode("\x1bO"), vec![]);
        assert_eq!(decode("\x1b[99~a"), vec![text("a")]);
        assert_eq!(decode("\x1c\x1d"), vec![]);
        assert_eq!(decode("é漢\u{1F600}"), vec![text("é漢\u{1F600}")]);
    }
}
