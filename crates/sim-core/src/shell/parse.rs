//! The bash subset learners type, parsed into an AST: words and quoting, parameter
//! and command substitution, pipelines, `&&`/`||`, `;`/`&`, redirections,
//! here-documents and `for` loops.
//!
//! The grammar follows bash's (POSIX shell grammar plus bash's `&>`, `<<<`):
//! a script is a list of and-or lists, each a chain of pipelines, each a chain of
//! simple commands. Parsing is a single pass over the characters; `$(...)` parses its
//! inside recursively, as bash does, so quotes and parentheses nest. Input that
//! stops in the middle of a construct is [`ParseError::Incomplete`], which is what
//! makes bash print its `> ` continuation prompt.

/// Deepest nesting of `$(...)`/backticks/loops we accept: bash has no fixed limit,
/// but a browser tab must not overflow its stack on `$($($(...)))` typed by a cat.
const MAX_DEPTH: usize = 32;

/// A parsed command line.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Script {
    pub items: Vec<ListItem>,
}

/// One and-or list, run in the foreground (`;`, newline) or the background (`&`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListItem {
    /// The source text of the and-or list, as `jobs` shows a background job.
    pub text: String,
    pub and_or: AndOr,
    pub background: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AndOr {
    pub first: Pipeline,
    pub rest: Vec<(Connector, Pipeline)>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Connector {
    And,
    Or,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pipeline {
    /// `! cmd` inverts the exit status.
    pub negated: bool,
    pub commands: Vec<Command>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    Simple(SimpleCommand),
    /// `for NAME in WORDS; do BODY; done`
    For { var: String, words: Vec<Word>, body: Script, redirects: Vec<Redirect> },
    /// `if COND; then BODY; elif COND; then BODY; else BODY; fi`
    If { branches: Vec<(Script, Script)>, otherwise: Option<Script>, redirects: Vec<Redirect> },
    /// `( LIST )` (`subshell`: changes to variables and the directory are undone) or
    /// `{ LIST; }`.
    Group { body: Script, subshell: bool, redirects: Vec<Redirect> },
    /// `while COND; do BODY; done` (with `until`, while COND fails).
    While { cond: Script, body: Script, until: bool, redirects: Vec<Redirect> },
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SimpleCommand {
    /// `NAME=value` words before the command name.
    pub assignments: Vec<(String, Word)>,
    pub words: Vec<Word>,
    pub redirects: Vec<Redirect>,
}

/// A word as typed: a sequence of parts that expand and join into zero or more fields.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Word {
    pub parts: Vec<Part>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Part {
    /// Unquoted text: subject to tilde expansion (at the start) and globbing.
    Literal(String),
    /// Text from quotes or a backslash escape: taken as is.
    Quoted(String),
    /// `$NAME`, `${NAME}`, `${NAME:-word}`, `$?`...
    Param { name: String, op: ParamOp, quoted: bool },
    /// `$(...)` or backticks.
    CommandSub { script: Script, quoted: bool },
    /// `$((...))`: integer arithmetic on the expanded text.
    Arith { expr: Word },
    /// `<(...)`: a file name (`/dev/fd/63`) whose contents are the script's output.
    ProcessSub { script: Script },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ParamOp {
    Plain,
    /// `${#NAME}`
    Length,
    /// `${NAME:-word}` (with `colon` false: `${NAME-word}`)
    Default { word: Word, colon: bool },
    /// `${NAME:=word}`
    Assign { word: Word, colon: bool },
    /// `${NAME:+word}`
    Alternative { word: Word, colon: bool },
    /// `${NAME#pattern}` (`##`: the longest match)
    RemovePrefix { pattern: Word, longest: bool },
    /// `${NAME%pattern}` (`%%`: the longest match)
    RemoveSuffix { pattern: Word, longest: bool },
    /// `${NAME/pattern/string}` (`//`: every match)
    Replace { pattern: Word, replacement: Word, all: bool },
    /// `${NAME:offset}` and `${NAME:offset:length}`
    Substring { offset: i64, length: Option<i64> },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Redirect {
    /// The file descriptor redirected (0 for input, 1 for output unless given).
    pub fd: u32,
    pub kind: RedirectKind,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RedirectKind {
    /// `> file` (and `>| file`)
    Output(Word),
    /// `>> file`
    Append(Word),
    /// `< file`
    Input(Word),
    /// `N>&M`, `N<&M`
    Duplicate(u32),
    /// `N>&-`
    Close,
    /// `&> file` / `&>> file`: stdout and stderr together.
    Both { target: Word, append: bool },
    /// `<<EOF` ... `EOF`: the body, and whether it undergoes expansion (it does not
    /// when any part of the delimiter was quoted).
    HereDoc { body: String, expand: bool },
    /// `<<< word`
    HereString(Word),
}

/// Why a line did not parse.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ParseError {
    /// The input stops inside a construct: the terminal should ask for more with `> `.
    Incomplete,
    /// bash's "syntax error near unexpected token `X'".
    Syntax(String),
    /// Valid bash that kubesim does not simulate; the text says what.
    Unsupported(String),
}

impl ParseError {
    /// What bash prints for this error (without a trailing newline).
    pub fn message(&self) -> String {
        match self {
            ParseError::Incomplete => "bash: syntax error: unexpected end of file".to_string(),
            ParseError::Syntax(token) => format!("bash: syntax error near unexpected token `{token}'"),
            ParseError::Unsupported(what) => format!("kubesim: {what} not simulated"),
        }
    }
}

/// Parses a whole command line (possibly several lines joined with `\n`).
pub fn parse(input: &str) -> Result<Script, ParseError> {
    let mut parser = Parser { chars: input.chars().collect(), pos: 0, pending: Vec::new(), bodies: Vec::new(), depth: 0, peeked: None, tok_start: 0 };
    let mut script = parser.parse_list(&[])?;
    match parser.next_token()? {
        Token::Eof => {}
        other => return Err(ParseError::Syntax(other.describe())),
    }
    if !parser.pending.is_empty() {
        // A here-document whose body has not started: bash keeps reading lines.
        return Err(ParseError::Incomplete);
    }
    fill_heredocs(&mut script, &parser.bodies);
    Ok(script)
}

/// Whether `input` is a complete command line; false means bash would show its
/// continuation prompt and wait for more.
pub fn is_complete(input: &str) -> bool {
    !matches!(parse(input), Err(ParseError::Incomplete))
}

/// Parses a here-document body (or any text) as bash expands it inside double quotes,
/// minus the quote character: `$VAR`, `${...}`, `$(...)`, backticks, and `\` before
/// `$`, backtick, `\` and newline. Unparsable text stays literal.
pub fn parse_heredoc_body(text: &str) -> Word {
    let mut parser = Parser { chars: text.chars().collect(), pos: 0, pending: Vec::new(), bodies: Vec::new(), depth: 0, peeked: None, tok_start: 0 };
    let mut parts = Vec::new();
    let mut lit = String::new();
    while let Some(c) = parser.peek() {
        match c {
            '\\' => {
                parser.pos += 1;
                match parser.peek() {
                    Some(n @ ('$' | '`' | '\\')) => {
                        lit.push(n);
                        parser.pos += 1;
                    }
                    Some('\n') => parser.pos += 1,
                    _ => lit.push('\\'),
                }
            }
            '$' | '`' => {
                let save = parser.pos;
                match parser.parse_dollar_or_backtick(true) {
                    Ok(Some(part)) => {
                        if !lit.is_empty() {
                            parts.push(Part::Quoted(std::mem::take(&mut lit)));
                        }
                        parts.push(part);
                    }
                    _ => {
                        parser.pos = save + 1;
                        lit.push(c);
                    }
                }
            }
            c => {
                lit.push(c);
                parser.pos += 1;
            }
        }
    }
    if !lit.is_empty() {
        parts.push(Part::Quoted(lit));
    }
    Word { parts }
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Token {
    Word(Word, String),
    Op(&'static str),
    Newline,
    Eof,
}

impl Token {
    fn describe(&self) -> String {
        match self {
            Token::Word(_, raw) => raw.clone(),
            Token::Op(op) => op.to_string(),
            Token::Newline | Token::Eof => "newline".to_string(),
        }
    }
}

struct PendingHereDoc {
    index: usize,
    delimiter: String,
    strip_tabs: bool,
}

struct Parser {
    chars: Vec<char>,
    pos: usize,
    /// Here-documents announced on the current line, read at its end.
    pending: Vec<PendingHereDoc>,
    bodies: Vec<String>,
    depth: usize,
    peeked: Option<Token>,
    /// Where the most recently lexed token starts.
    tok_start: usize,
}

/// Operators, longest first so that `&&` wins over `&`.
const OPERATORS: &[&str] = &["&&", "||", ";;", "|&", "&>>", "&>", ">>", ">|", ">&", "<<<", "<<-", "<<", "<&", "<>", ";", "&", "|", "<", ">", "(", ")"];

const RESERVED: &[&str] = &["if", "then", "else", "elif", "fi", "case", "esac", "while", "until", "do", "done", "for", "select", "function", "{", "}", "[[", "]]", "in"];

fn is_meta(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '|' | '&' | ';' | '<' | '>' | '(' | ')')
}

fn is_name_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_'
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Whether `s` is a valid shell variable name.
pub fn is_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(is_name_start) && chars.all(is_name_char)
}

impl Parser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn peek_at(&self, offset: usize) -> Option<char> {
        self.chars.get(self.pos + offset).copied()
    }

    fn starts_with(&self, s: &str) -> bool {
        s.chars().enumerate().all(|(i, c)| self.peek_at(i) == Some(c))
    }

    fn peek_token(&mut self) -> Result<&Token, ParseError> {
        if self.peeked.is_none() {
            let token = self.lex()?;
            self.peeked = Some(token);
        }
        Ok(self.peeked.as_ref().unwrap_or(&Token::Eof))
    }

    fn next_token(&mut self) -> Result<Token, ParseError> {
        match self.peeked.take() {
            Some(t) => Ok(t),
            None => self.lex(),
        }
    }

    /// Skips blanks, comments and backslash-newline pairs.
    fn skip_blanks(&mut self) {
        loop {
            match self.peek() {
                Some(' ' | '\t') => self.pos += 1,
                Some('\\') if self.peek_at(1) == Some('\n') => self.pos += 2,
                Some('#') => {
                    while self.peek().is_some_and(|c| c != '\n') {
                        self.pos += 1;
                    }
                }
                _ => return,
            }
        }
    }

    fn lex(&mut self) -> Result<Token, ParseError> {
        self.skip_blanks();
        self.tok_start = self.pos;
        let Some(c) = self.peek() else {
            return Ok(Token::Eof);
        };
        if c == '\n' {
            self.pos += 1;
            self.read_heredoc_bodies()?;
            return Ok(Token::Newline);
        }
        if c == '\\' && self.peek_at(1).is_none() {
            return Err(ParseError::Incomplete);
        }
        if self.starts_with(">(") {
            return Err(ParseError::Unsupported("process substitution >(...) is".to_string()));
        }
        if self.starts_with("<(") {
            let start = self.pos;
            self.pos += 2;
            if self.depth >= MAX_DEPTH {
                return Err(ParseError::Unsupported("nesting this deep is".to_string()));
            }
            self.depth += 1;
            let result = self.parse_list(&[]);
            self.depth -= 1;
            let script = result?;
            match self.next_token()? {
                Token::Op(")") => {}
                Token::Eof => return Err(ParseError::Incomplete),
                other => return Err(ParseError::Syntax(other.describe())),
            }
            let raw: String = self.chars[start..self.pos].iter().collect();
            return Ok(Token::Word(Word { parts: vec![Part::ProcessSub { script }] }, raw));
        }
        for op in OPERATORS {
            if self.starts_with(op) {
                self.pos += op.chars().count();
                return Ok(Token::Op(op));
            }
        }
        let start = self.pos;
        let word = self.lex_word()?;
        let raw: String = self.chars[start..self.pos].iter().collect();
        Ok(Token::Word(word, raw))
    }

    /// Reads the bodies of here-documents announced on the line just ended.
    fn read_heredoc_bodies(&mut self) -> Result<(), ParseError> {
        let pending = std::mem::take(&mut self.pending);
        for doc in pending {
            let mut body = String::new();
            loop {
                if self.pos >= self.chars.len() {
                    return Err(ParseError::Incomplete);
                }
                let line_start = self.pos;
                while self.peek().is_some_and(|c| c != '\n') {
                    self.pos += 1;
                }
                let mut line: String = self.chars[line_start..self.pos].iter().collect();
                let had_newline = self.peek() == Some('\n');
                if had_newline {
                    self.pos += 1;
                }
                if doc.strip_tabs {
                    line = line.trim_start_matches('\t').to_string();
                }
                if line == doc.delimiter {
                    break;
                }
                if !had_newline {
                    // The last line is not the delimiter: bash waits for more lines.
                    return Err(ParseError::Incomplete);
                }
                body.push_str(&line);
                body.push('\n');
            }
            if let Some(slot) = self.bodies.get_mut(doc.index) {
                *slot = body;
            }
        }
        Ok(())
    }

    fn lex_word(&mut self) -> Result<Word, ParseError> {
        let mut parts = Vec::new();
        let mut lit = String::new();
        fn flush(parts: &mut Vec<Part>, lit: &mut String) {
            if !lit.is_empty() {
                parts.push(Part::Literal(std::mem::take(lit)));
            }
        }
        while let Some(c) = self.peek() {
            if is_meta(c) {
                break;
            }
            match c {
                '\\' => {
                    self.pos += 1;
                    match self.peek() {
                        None => return Err(ParseError::Incomplete),
                        Some('\n') => self.pos += 1,
                        Some(n) => {
                            flush(&mut parts, &mut lit);
                            parts.push(Part::Quoted(n.to_string()));
                            self.pos += 1;
                        }
                    }
                }
                '\'' => {
                    self.pos += 1;
                    let start = self.pos;
                    while self.peek().is_some_and(|c| c != '\'') {
                        self.pos += 1;
                    }
                    if self.peek().is_none() {
                        return Err(ParseError::Incomplete);
                    }
                    let text: String = self.chars[start..self.pos].iter().collect();
                    self.pos += 1;
                    flush(&mut parts, &mut lit);
                    parts.push(Part::Quoted(text));
                }
                '"' => {
                    self.pos += 1;
                    flush(&mut parts, &mut lit);
                    let mut any = false;
                    let mut q = String::new();
                    loop {
                        let Some(c) = self.peek() else {
                            return Err(ParseError::Incomplete);
                        };
                        match c {
                            '"' => {
                                self.pos += 1;
                                break;
                            }
                            '\\' => {
                                self.pos += 1;
                                match self.peek() {
                                    None => return Err(ParseError::Incomplete),
                                    Some('\n') => self.pos += 1,
                                    Some(n @ ('$' | '`' | '"' | '\\')) => {
                                        q.push(n);
                                        self.pos += 1;
                                    }
                                    Some(_) => q.push('\\'),
                                }
                            }
                            '$' | '`' => match self.parse_dollar_or_backtick(true)? {
                                Some(part) => {
                                    if !q.is_empty() {
                                        parts.push(Part::Quoted(std::mem::take(&mut q)));
                                    }
                                    parts.push(part);
                                    any = true;
                                }
                                None => {
                                    q.push('$');
                                    self.pos += 1;
                                }
                            },
                            c => {
                                q.push(c);
                                self.pos += 1;
                            }
                        }
                    }
                    if !q.is_empty() || !any {
                        // `""` is an empty word, not no word.
                        parts.push(Part::Quoted(q));
                    }
                }
                '$' | '`' => match self.parse_dollar_or_backtick(false)? {
                    Some(part) => {
                        flush(&mut parts, &mut lit);
                        parts.push(part);
                    }
                    None => {
                        // `$'...'` ANSI-C quoting.
                        if self.peek_at(1) == Some('\'') {
                            self.pos += 2;
                            let text = self.lex_ansi_c()?;
                            flush(&mut parts, &mut lit);
                            parts.push(Part::Quoted(text));
                        } else {
                            lit.push('$');
                            self.pos += 1;
                        }
                    }
                },
                c => {
                    lit.push(c);
                    self.pos += 1;
                }
            }
        }
        flush(&mut parts, &mut lit);
        Ok(Word { parts })
    }

    /// `$'...'`: backslash escapes as in C.
    fn lex_ansi_c(&mut self) -> Result<String, ParseError> {
        let mut out = String::new();
        loop {
            let Some(c) = self.peek() else {
                return Err(ParseError::Incomplete);
            };
            self.pos += 1;
            match c {
                '\'' => return Ok(out),
                '\\' => {
                    let Some(n) = self.peek() else {
                        return Err(ParseError::Incomplete);
                    };
                    self.pos += 1;
                    let escaped = match n {
                        'n' => '\n',
                        't' => '\t',
                        'r' => '\r',
                        'e' | 'E' => '\x1b',
                        'a' => '\x07',
                        '0' => '\0',
                        '\\' => '\\',
                        '\'' => '\'',
                        '"' => '"',
                        other => {
                            out.push('\\');
                            other
                        }
                    };
                    out.push(escaped);
                }
                c => out.push(c),
            }
        }
    }

    /// At `$` or a backtick: parses a parameter or command substitution. Returns
    /// `None` (consuming nothing) when the `$` is literal, as in `echo $` or `"a$"`.
    fn parse_dollar_or_backtick(&mut self, quoted: bool) -> Result<Option<Part>, ParseError> {
        if self.peek() == Some('`') {
            self.pos += 1;
            let mut inner = String::new();
            loop {
                match self.peek() {
                    None => return Err(ParseError::Incomplete),
                    Some('`') => {
                        self.pos += 1;
                        break;
                    }
                    Some('\\') => {
                        self.pos += 1;
                        match self.peek() {
                            None => return Err(ParseError::Incomplete),
                            Some(n @ ('$' | '`' | '\\')) => inner.push(n),
                            Some(n) => {
                                inner.push('\\');
                                inner.push(n);
                            }
                        }
                        self.pos += 1;
                    }
                    Some(c) => {
                        inner.push(c);
                        self.pos += 1;
                    }
                }
            }
            if self.depth >= MAX_DEPTH {
                return Err(ParseError::Unsupported("nesting this deep is".to_string()));
            }
            let mut sub = Parser { chars: inner.chars().collect(), pos: 0, pending: Vec::new(), bodies: Vec::new(), depth: self.depth + 1, peeked: None, tok_start: 0 };
            let mut script = sub.parse_list(&[])?;
            match sub.next_token()? {
                Token::Eof => {}
                other => return Err(ParseError::Syntax(other.describe())),
            }
            fill_heredocs(&mut script, &sub.bodies);
            return Ok(Some(Part::CommandSub { script, quoted }));
        }
        // At '$'.
        match self.peek_at(1) {
            Some('(') if self.peek_at(2) == Some('(') => {
                let start = self.pos + 3;
                let mut i = start;
                let mut level = 0usize;
                loop {
                    match self.chars.get(i) {
                        None => return Err(ParseError::Incomplete),
                        Some('(') => level += 1,
                        Some(')') if level == 0 => {
                            if self.chars.get(i + 1) == Some(&')') {
                                break;
                            }
                            return Err(ParseError::Syntax(")".to_string()));
                        }
                        Some(')') => level -= 1,
                        _ => {}
                    }
                    i += 1;
                }
                let inner: String = self.chars[start..i].iter().collect();
                self.pos = i + 2;
                Ok(Some(Part::Arith { expr: parse_heredoc_body(&inner) }))
            }
            Some('(') => {
                self.pos += 2;
                if self.depth >= MAX_DEPTH {
                    return Err(ParseError::Unsupported("nesting this deep is".to_string()));
                }
                self.depth += 1;
                let saved_peek = self.peeked.take();
                let result = self.parse_list(&[]);
                self.depth -= 1;
                let script = result?;
                match self.next_token()? {
                    Token::Op(")") => {}
                    Token::Eof => return Err(ParseError::Incomplete),
                    other => return Err(ParseError::Syntax(other.describe())),
                }
                self.peeked = saved_peek;
                Ok(Some(Part::CommandSub { script, quoted }))
            }
            Some('{') => {
                self.pos += 2;
                let start = self.pos;
                let mut level = 1;
                while let Some(c) = self.peek() {
                    match c {
                        '{' => level += 1,
                        '}' => {
                            level -= 1;
                            if level == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    self.pos += 1;
                }
                if self.peek().is_none() {
                    return Err(ParseError::Incomplete);
                }
                let inner: String = self.chars[start..self.pos].iter().collect();
                self.pos += 1;
                let (name, op) = parse_braced(&inner).ok_or_else(|| ParseError::Unsupported(format!("the expansion ${{{inner}}} is")))?;
                Ok(Some(Part::Param { name, op, quoted }))
            }
            Some(c) if is_name_start(c) => {
                self.pos += 1;
                let start = self.pos;
                while self.peek().is_some_and(is_name_char) {
                    self.pos += 1;
                }
                let name: String = self.chars[start..self.pos].iter().collect();
                Ok(Some(Part::Param { name, op: ParamOp::Plain, quoted }))
            }
            Some(c @ ('?' | '$' | '#' | '!' | '@' | '*' | '-' | '0'..='9')) => {
                self.pos += 2;
                Ok(Some(Part::Param { name: c.to_string(), op: ParamOp::Plain, quoted }))
            }
            _ => Ok(None),
        }
    }

    /// Parses a list until EOF, `)` or one of the reserved `terminators` (e.g. `done`)
    /// in command position; the terminator is left unconsumed.
    fn parse_list(&mut self, terminators: &[&str]) -> Result<Script, ParseError> {
        let mut items = Vec::new();
        loop {
            // Skip empty lines.
            while self.peek_token()? == &Token::Newline {
                self.next_token()?;
            }
            match self.peek_token()? {
                Token::Eof | Token::Op(")") => break,
                Token::Word(_, raw) if terminators.contains(&raw.as_str()) => break,
                Token::Op(op) if *op != "(" && *op != "<" && *op != ">" && *op != ">>" && *op != "<<" && *op != "<<-" && *op != "<<<" && *op != "&>" && *op != "&>>" && *op != ">&" && *op != "<&" && *op != ">|" => {
                    return Err(ParseError::Syntax(op.to_string()));
                }
                _ => {}
            }
            let start = self.tok_start;
            let and_or = self.parse_and_or(terminators)?;
            self.peek_token()?;
            let end = self.tok_start.max(start).min(self.chars.len());
            let text = self.chars.get(start..end).map(|c| c.iter().collect::<String>()).unwrap_or_default().trim().to_string();
            let mut background = false;
            match self.peek_token()? {
                Token::Op(";") => {
                    self.next_token()?;
                }
                Token::Op("&") => {
                    self.next_token()?;
                    background = true;
                }
                Token::Newline => {
                    self.next_token()?;
                }
                Token::Eof | Token::Op(")") => {
                    items.push(ListItem { text: text.clone(), and_or, background });
                    break;
                }
                Token::Word(_, raw) if terminators.contains(&raw.as_str()) => {
                    return Err(ParseError::Syntax(raw.clone()));
                }
                other => return Err(ParseError::Syntax(other.describe())),
            }
            items.push(ListItem { text: text.clone(), and_or, background });
            // After `;` or `&` another separator is an error (`a ; ; b`).
            if let Token::Op(op @ (";" | "&" | ";;")) = self.peek_token()? {
                return Err(ParseError::Syntax(op.to_string()));
            }
        }
        Ok(Script { items })
    }

    fn parse_and_or(&mut self, terminators: &[&str]) -> Result<AndOr, ParseError> {
        let first = self.parse_pipeline(terminators)?;
        let mut rest = Vec::new();
        loop {
            let connector = match self.peek_token()? {
                Token::Op("&&") => Connector::And,
                Token::Op("||") => Connector::Or,
                _ => break,
            };
            self.next_token()?;
            self.skip_newlines_after_operator()?;
            rest.push((connector, self.parse_pipeline(terminators)?));
        }
        Ok(AndOr { first, rest })
    }

    /// After `|`, `&&` or `||` bash reads on across newlines; end of input there means
    /// the command is not finished yet.
    fn skip_newlines_after_operator(&mut self) -> Result<(), ParseError> {
        loop {
            match self.peek_token()? {
                Token::Newline => {
                    self.next_token()?;
                }
                Token::Eof => return Err(ParseError::Incomplete),
                _ => return Ok(()),
            }
        }
    }

    fn parse_pipeline(&mut self, terminators: &[&str]) -> Result<Pipeline, ParseError> {
        let mut negated = false;
        if let Token::Word(_, raw) = self.peek_token()? {
            if raw == "!" {
                self.next_token()?;
                negated = true;
            }
        }
        let mut commands = vec![self.parse_command(terminators)?];
        loop {
            let both = match self.peek_token()? {
                Token::Op("|") => false,
                Token::Op("|&") => true,
                _ => break,
            };
            self.next_token()?;
            self.skip_newlines_after_operator()?;
            if both {
                // `a |& b` is `a 2>&1 | b`.
                if let Some(Command::Simple(c)) = commands.last_mut() {
                    c.redirects.push(Redirect { fd: 2, kind: RedirectKind::Duplicate(1) });
                }
            }
            commands.push(self.parse_command(terminators)?);
        }
        Ok(Pipeline { negated, commands })
    }

    fn parse_command(&mut self, terminators: &[&str]) -> Result<Command, ParseError> {
        if let Token::Word(_, raw) = self.peek_token()? {
            let raw = raw.clone();
            if raw == "for" {
                return self.parse_for();
            }
            if raw == "if" {
                return self.parse_if();
            }
            if raw == "while" || raw == "until" {
                return self.parse_while(raw == "until");
            }
            if raw == "{" {
                self.next_token()?;
                return self.parse_group(false);
            }
            if RESERVED.contains(&raw.as_str()) {
                return match raw.as_str() {
                    "case" | "select" | "function" | "[[" => Err(ParseError::Unsupported(format!("'{raw}' is"))),
                    _ if terminators.contains(&raw.as_str()) => Err(ParseError::Syntax(raw)),
                    "in" | "]]" => Ok(Command::Simple(self.parse_simple()?)),
                    _ => Err(ParseError::Syntax(raw)),
                };
            }
        }
        if let Token::Op("(") = self.peek_token()? {
            self.next_token()?;
            return self.parse_group(true);
        }
        let simple = self.parse_simple()?;
        if simple.words.is_empty() && simple.assignments.is_empty() && simple.redirects.is_empty() {
            let token = self.next_token()?;
            return Err(match token {
                Token::Eof => ParseError::Incomplete,
                other => ParseError::Syntax(other.describe()),
            });
        }
        Ok(Command::Simple(simple))
    }

    /// Consumes the reserved word `word` or reports what stands in its place.
    fn expect_word(&mut self, word: &str) -> Result<(), ParseError> {
        match self.next_token()? {
            Token::Word(_, raw) if raw == word => Ok(()),
            Token::Eof => Err(ParseError::Incomplete),
            other => Err(ParseError::Syntax(other.describe())),
        }
    }

    /// A list that must not be empty before `terminators` (bash rejects `if then`).
    fn parse_nonempty_list(&mut self, terminators: &[&str]) -> Result<Script, ParseError> {
        let list = self.parse_list(terminators)?;
        if list.items.is_empty() {
            return Err(match self.next_token()? {
                Token::Eof => ParseError::Incomplete,
                other => ParseError::Syntax(other.describe()),
            });
        }
        Ok(list)
    }

    /// After `(` or `{`: the list up to `)` or `}`, then redirections.
    fn parse_group(&mut self, subshell: bool) -> Result<Command, ParseError> {
        if self.depth >= MAX_DEPTH {
            return Err(ParseError::Unsupported("nesting this deep is".to_string()));
        }
        self.depth += 1;
        let body = if subshell { self.parse_list(&[]) } else { self.parse_list(&["}"]) };
        self.depth -= 1;
        let body = body?;
        match self.next_token()? {
            Token::Op(")") if subshell && !body.items.is_empty() => {}
            Token::Word(_, raw) if raw == "}" && !subshell && !body.items.is_empty() => {}
            Token::Eof => return Err(ParseError::Incomplete),
            other => return Err(ParseError::Syntax(other.describe())),
        }
        let mut redirects = Vec::new();
        while let Some(r) = self.try_redirect()? {
            redirects.push(r);
        }
        Ok(Command::Group { body, subshell, redirects })
    }

    fn parse_if(&mut self) -> Result<Command, ParseError> {
        self.next_token()?; // if
        if self.depth >= MAX_DEPTH {
            return Err(ParseError::Unsupported("nesting this deep is".to_string()));
        }
        self.depth += 1;
        let result = self.parse_if_rest();
        self.depth -= 1;
        result
    }

    fn parse_if_rest(&mut self) -> Result<Command, ParseError> {
        let mut branches = Vec::new();
        let mut otherwise = None;
        loop {
            let cond = self.parse_nonempty_list(&["then"])?;
            self.expect_word("then")?;
            let body = self.parse_nonempty_list(&["elif", "else", "fi"])?;
            branches.push((cond, body));
            match self.next_token()? {
                Token::Word(_, raw) if raw == "elif" => continue,
                Token::Word(_, raw) if raw == "else" => {
                    otherwise = Some(self.parse_nonempty_list(&["fi"])?);
                    self.expect_word("fi")?;
                    break;
                }
                Token::Word(_, raw) if raw == "fi" => break,
                Token::Eof => return Err(ParseError::Incomplete),
                other => return Err(ParseError::Syntax(other.describe())),
            }
        }
        let mut redirects = Vec::new();
        while let Some(r) = self.try_redirect()? {
            redirects.push(r);
        }
        Ok(Command::If { branches, otherwise, redirects })
    }

    fn parse_while(&mut self, until: bool) -> Result<Command, ParseError> {
        self.next_token()?; // while / until
        if self.depth >= MAX_DEPTH {
            return Err(ParseError::Unsupported("nesting this deep is".to_string()));
        }
        self.depth += 1;
        let result = (|| {
            let cond = self.parse_nonempty_list(&["do"])?;
            self.expect_word("do")?;
            let body = self.parse_nonempty_list(&["done"])?;
            self.expect_word("done")?;
            Ok((cond, body))
        })();
        self.depth -= 1;
        let (cond, body) = result?;
        let mut redirects = Vec::new();
        while let Some(r) = self.try_redirect()? {
            redirects.push(r);
        }
        Ok(Command::While { cond, body, until, redirects })
    }

    fn parse_for(&mut self) -> Result<Command, ParseError> {
        self.next_token()?; // for
        if self.depth >= MAX_DEPTH {
            return Err(ParseError::Unsupported("nesting this deep is".to_string()));
        }
        let var = match self.next_token()? {
            Token::Word(_, raw) if is_name(&raw) => raw,
            Token::Eof => return Err(ParseError::Incomplete),
            other => return Err(ParseError::Syntax(other.describe())),
        };
        let mut words = Vec::new();
        match self.next_token()? {
            Token::Word(_, raw) if raw == "in" => loop {
                match self.next_token()? {
                    Token::Word(w, _) => words.push(w),
                    Token::Op(";") | Token::Newline => break,
                    Token::Eof => return Err(ParseError::Incomplete),
                    other => return Err(ParseError::Syntax(other.describe())),
                }
            },
            Token::Op(";") | Token::Newline => {
                // `for x; do` iterates the positional parameters, of which we have none.
            }
            Token::Eof => return Err(ParseError::Incomplete),
            other => return Err(ParseError::Syntax(other.describe())),
        }
        while self.peek_token()? == &Token::Newline {
            self.next_token()?;
        }
        match self.next_token()? {
            Token::Word(_, raw) if raw == "do" => {}
            Token::Eof => return Err(ParseError::Incomplete),
            other => return Err(ParseError::Syntax(other.describe())),
        }
        self.depth += 1;
        let body = self.parse_list(&["done"]);
        self.depth -= 1;
        let body = body?;
        match self.next_token()? {
            Token::Word(_, raw) if raw == "done" => {}
            Token::Eof => return Err(ParseError::Incomplete),
            other => return Err(ParseError::Syntax(other.describe())),
        }
        if body.items.is_empty() {
            return Err(ParseError::Syntax("done".to_string()));
        }
        let mut redirects = Vec::new();
        while let Some(r) = self.try_redirect()? {
            redirects.push(r);
        }
        Ok(Command::For { var, words, body, redirects })
    }

    fn parse_simple(&mut self) -> Result<SimpleCommand, ParseError> {
        let mut cmd = SimpleCommand::default();
        loop {
            if let Some(r) = self.try_redirect()? {
                cmd.redirects.push(r);
                continue;
            }
            match self.peek_token()? {
                Token::Word(..) => {}
                Token::Op("(") => {
                    // `echo (` or `foo()`: function definitions are not simulated.
                    return Err(if cmd.words.len() == 1 && self.chars.get(self.pos) == Some(&')') {
                        ParseError::Unsupported("shell functions are".to_string())
                    } else {
                        ParseError::Syntax("(".to_string())
                    });
                }
                _ => break,
            }
            let Ok(Token::Word(word, raw)) = self.next_token() else {
                break;
            };
            if cmd.words.is_empty() {
                if let Some((name, value)) = split_assignment(&word, &raw) {
                    cmd.assignments.push((name, value));
                    continue;
                }
            }
            cmd.words.push(word);
        }
        Ok(cmd)
    }

    /// Parses a redirection if the next token starts one. A word of digits directly
    /// followed by `<` or `>` is the file descriptor (`2>/dev/null`).
    fn try_redirect(&mut self) -> Result<Option<Redirect>, ParseError> {
        let mut fd = None;
        // A word of digits already peeked that ends right at `<`/`>` is a descriptor too.
        if let Some(Token::Word(_, raw)) = &self.peeked {
            if !raw.is_empty() && raw.len() < 4 && raw.chars().all(|c| c.is_ascii_digit()) && matches!(self.peek(), Some('<' | '>')) && self.tok_start + raw.len() == self.pos {
                fd = raw.parse::<u32>().ok();
                self.peeked = None;
            }
        }
        if self.peeked.is_none() && fd.is_none() {
            self.skip_blanks();
            let start = self.pos;
            let mut end = start;
            while self.chars.get(end).is_some_and(|c| c.is_ascii_digit()) {
                end += 1;
            }
            if end > start && end - start < 4 && matches!(self.chars.get(end), Some('<' | '>')) {
                let digits: String = self.chars[start..end].iter().collect();
                fd = digits.parse::<u32>().ok();
                self.pos = end;
            }
        }
        let op = match self.peek_token()? {
            Token::Op(op @ (">" | ">>" | ">|" | "<" | "<<" | "<<-" | "<<<" | "&>" | "&>>" | ">&" | "<&" | "<>")) => *op,
            _ => return Ok(None),
        };
        self.next_token()?;
        let is_input = op.starts_with('<');
        let fd = fd.unwrap_or(if is_input { 0 } else { 1 });
        if op == "<<" || op == "<<-" {
            let (word, raw) = self.redirect_target()?;
            let quoted = word.parts.iter().any(|p| !matches!(p, Part::Literal(_)));
            let delimiter: String = word
                .parts
                .iter()
                .map(|p| match p {
                    Part::Literal(s) | Part::Quoted(s) => s.clone(),
                    _ => String::new(),
                })
                .collect();
            let delimiter = if delimiter.is_empty() && !quoted { raw } else { delimiter };
            let index = self.bodies.len();
            self.bodies.push(String::new());
            self.pending.push(PendingHereDoc { index, delimiter, strip_tabs: op == "<<-" });
            return Ok(Some(Redirect { fd, kind: RedirectKind::HereDoc { body: format!("\u{0}{index}"), expand: !quoted } }));
        }
        if op == ">&" || op == "<&" {
            let (word, raw) = self.redirect_target()?;
            if raw == "-" {
                return Ok(Some(Redirect { fd, kind: RedirectKind::Close }));
            }
            if let Ok(target) = raw.parse::<u32>() {
                return Ok(Some(Redirect { fd, kind: RedirectKind::Duplicate(target) }));
            }
            // `>& file` is `&> file`.
            return Ok(Some(Redirect { fd, kind: RedirectKind::Both { target: word, append: false } }));
        }
        let (word, _) = self.redirect_target()?;
        let kind = match op {
            ">" | ">|" => RedirectKind::Output(word),
            ">>" => RedirectKind::Append(word),
            "<" | "<>" => RedirectKind::Input(word),
            "<<<" => RedirectKind::HereString(word),
            "&>" => RedirectKind::Both { target: word, append: false },
            _ => RedirectKind::Both { target: word, append: true },
        };
        Ok(Some(Redirect { fd, kind }))
    }

    fn redirect_target(&mut self) -> Result<(Word, String), ParseError> {
        match self.next_token()? {
            Token::Word(w, raw) => Ok((w, raw)),
            other => Err(ParseError::Syntax(other.describe())),
        }
    }
}

/// `NAME=value` as the first words of a command are assignments.
fn split_assignment(word: &Word, raw: &str) -> Option<(String, Word)> {
    let Some(Part::Literal(first)) = word.parts.first() else {
        return None;
    };
    let (name, rest) = first.split_once('=')?;
    if !is_name(name) || !raw.starts_with(name) {
        return None;
    }
    let mut parts = Vec::new();
    if !rest.is_empty() {
        parts.push(Part::Literal(rest.to_string()));
    }
    parts.extend(word.parts.iter().skip(1).cloned());
    Some((name.to_string(), Word { parts }))
}

/// The inside of `${...}`.
fn parse_braced(inner: &str) -> Option<(String, ParamOp)> {
    if let Some(name) = inner.strip_prefix('#') {
        if is_name(name) || name.chars().all(|c| c.is_ascii_digit()) && !name.is_empty() {
            return Some((name.to_string(), ParamOp::Length));
        }
    }
    let name_len = if inner.starts_with(['?', '$', '#', '!', '@', '*']) {
        1
    } else {
        inner.chars().take_while(|&c| is_name_char(c)).count()
    };
    if name_len == 0 {
        return None;
    }
    let name = &inner[..name_len];
    if name.starts_with(|c: char| c.is_ascii_digit()) && !name.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let rest = &inner[name_len..];
    if rest.is_empty() {
        return Some((name.to_string(), ParamOp::Plain));
    }
    if let Some(p) = rest.strip_prefix("##") {
        return Some((name.to_string(), ParamOp::RemovePrefix { pattern: parse_heredoc_body(p), longest: true }));
    }
    if let Some(p) = rest.strip_prefix('#') {
        return Some((name.to_string(), ParamOp::RemovePrefix { pattern: parse_heredoc_body(p), longest: false }));
    }
    if let Some(p) = rest.strip_prefix("%%") {
        return Some((name.to_string(), ParamOp::RemoveSuffix { pattern: parse_heredoc_body(p), longest: true }));
    }
    if let Some(p) = rest.strip_prefix('%') {
        return Some((name.to_string(), ParamOp::RemoveSuffix { pattern: parse_heredoc_body(p), longest: false }));
    }
    if let Some(r) = rest.strip_prefix('/') {
        let (all, r) = match r.strip_prefix('/') {
            Some(r) => (true, r),
            None => (false, r),
        };
        let (p, s) = r.split_once('/').unwrap_or((r, ""));
        return Some((name.to_string(), ParamOp::Replace { pattern: parse_heredoc_body(p), replacement: parse_heredoc_body(s), all }));
    }
    if let Some(r) = rest.strip_prefix(':') {
        if r.starts_with(|c: char| c.is_ascii_digit() || c == ' ') {
            let (o, l) = match r.split_once(':') {
                Some((o, l)) => (o, Some(l)),
                None => (r, None),
            };
            let offset = o.trim().parse().ok()?;
            let length = match l {
                Some(l) => Some(l.trim().parse().ok()?),
                None => None,
            };
            return Some((name.to_string(), ParamOp::Substring { offset, length }));
        }
    }
    let (colon, rest) = match rest.strip_prefix(':') {
        Some(r) => (true, r),
        None => (false, rest),
    };
    let mut chars = rest.chars();
    let op = chars.next()?;
    let word = parse_heredoc_body(chars.as_str());
    let op = match op {
        '-' => ParamOp::Default { word, colon },
        '=' => ParamOp::Assign { word, colon },
        '+' => ParamOp::Alternative { word, colon },
        _ => return None,
    };
    Some((name.to_string(), op))
}

fn fill_word(word: &mut Word, bodies: &[String]) {
    for part in &mut word.parts {
        if let Part::CommandSub { script, .. } | Part::ProcessSub { script } = part {
            fill_heredocs(script, bodies);
        }
    }
}

/// Replaces here-document placeholders with the bodies read at the ends of lines.
fn fill_heredocs(script: &mut Script, bodies: &[String]) {
    for item in &mut script.items {
        let pipelines = std::iter::once(&mut item.and_or.first).chain(item.and_or.rest.iter_mut().map(|(_, p)| p));
        for pipeline in pipelines {
            for command in &mut pipeline.commands {
                let redirects = match command {
                    Command::Simple(c) => {
                        // `$(cat <<EOF ...)`: the substitution's bodies were read by
                        // this parser too.
                        for w in c.words.iter_mut().chain(c.assignments.iter_mut().map(|(_, w)| w)) {
                            fill_word(w, bodies);
                        }
                        &mut c.redirects
                    }
                    Command::For { body, redirects, words, .. } => {
                        fill_heredocs(body, bodies);
                        for w in words {
                            fill_word(w, bodies);
                        }
                        redirects
                    }
                    Command::If { branches, otherwise, redirects } => {
                        for (cond, body) in branches {
                            fill_heredocs(cond, bodies);
                            fill_heredocs(body, bodies);
                        }
                        if let Some(o) = otherwise {
                            fill_heredocs(o, bodies);
                        }
                        redirects
                    }
                    Command::Group { body, redirects, .. } => {
                        fill_heredocs(body, bodies);
                        redirects
                    }
                    Command::While { cond, body, redirects, .. } => {
                        fill_heredocs(cond, bodies);
                        fill_heredocs(body, bodies);
                        redirects
                    }
                };
                for r in redirects {
                    match &mut r.kind {
                        RedirectKind::HereDoc { body, .. } => {
                            if let Some(index) = body.strip_prefix('\u{0}').and_then(|i| i.parse::<usize>().ok()) {
                                *body = bodies.get(index).cloned().unwrap_or_default();
                            }
                        }
                        RedirectKind::Output(w) | RedirectKind::Append(w) | RedirectKind::Input(w) | RedirectKind::HereString(w) | RedirectKind::Both { target: w, .. } => fill_word(w, bodies),
                        RedirectKind::Duplicate(_) | RedirectKind::Close => {}
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(input: &str) -> String {
        match parse(input) {
            Err(e) => e.message(),
            Ok(s) => format!("parsed: {s:?}"),
        }
    }

    #[test]
    fn syntax_errors_name_the_token_as_bash_does() {
        assert_eq!(err("| foo"), "bash: syntax error near unexpected token `|'");
        assert_eq!(err("echo >"), "bash: syntax error near unexpected token `newline'");
        assert_eq!(err("echo > |"), "bash: syntax error near unexpected token `|'");
        assert_eq!(err(")"), "bash: syntax error near unexpected token `)'");
        assert_eq!(err("&"), "bash: syntax error near unexpected token `&'");
        assert_eq!(err(";;"), "bash: syntax error near unexpected token `;;'");
        assert_eq!(err("a && && b"), "bash: syntax error near unexpected token `&&'");
        assert_eq!(err("a ; ; b"), "bash: syntax error near unexpected token `;'");
        assert_eq!(err("a & & b"), "bash: syntax error near unexpected token `&'");
        assert_eq!(err("a ||| b"), "bash: syntax error near unexpected token `|'");
        assert_eq!(err("done"), "bash: syntax error near unexpected token `done'");
        assert_eq!(err("echo hi >&"), "bash: syntax error near unexpected token `newline'");
    }

    #[test]
    fn incomplete_input_asks_for_more() {
        for input in ["echo 'abc", "echo \"abc", "kubectl get pods |", "true &&", "false ||", "echo \\", "cat <<EOF", "cat <<EOF\nhello", "echo $(date", "for i in 1 2; do", "echo `date"] {
            assert!(!is_complete(input), "{input:?}");
        }
        for input in ["echo 'a\nb'", "cat <<EOF\nhi\nEOF", "kubectl get pods |\ngrep x", "echo a \\\nb", "", "# comment", "for i in 1 2; do echo $i; done"] {
            assert!(is_complete(input), "{input:?}");
        }
    }

    #[test]
    fn heredoc_bodies_attach_to_their_commands() {
        let script = parse("cat <<EOF > svc.yaml\nname: $X\nEOF\ncat <<'E2'\n$Y\nE2").unwrap();
        let Command::Simple(c) = &script.items[0].and_or.first.commands[0] else { panic!() };
        assert_eq!(c.redirects[0].kind, RedirectKind::HereDoc { body: "name: $X\n".to_string(), expand: true });
        let Command::Simple(c) = &script.items[1].and_or.first.commands[0] else { panic!() };
        assert_eq!(c.redirects[0].kind, RedirectKind::HereDoc { body: "$Y\n".to_string(), expand: false });
        let script = parse("cat <<-EOF\n\t\tindented\n\tEOF").unwrap();
        let Command::Simple(c) = &script.items[0].and_or.first.commands[0] else { panic!() };
        assert_eq!(c.redirects[0].kind, RedirectKind::HereDoc { body: "indented\n".to_string(), expand: true });
    }

    #[test]
    fn redirections_and_assignments() {
        let script = parse("A=1 B=$(echo x) kubectl get pods 2>/dev/null >>out 2>&1 &").unwrap();
        assert!(script.items[0].background);
        let Command::Simple(c) = &script.items[0].and_or.first.commands[0] else { panic!() };
        assert_eq!(c.assignments.len(), 2);
        assert_eq!(c.words.len(), 3);
        assert_eq!(c.redirects.len(), 3);
        assert_eq!(c.redirects[0].fd, 2);
        assert_eq!(c.redirects[2].kind, RedirectKind::Duplicate(1));
    }

    #[test]
    fn nested_substitutions_parse() {
        assert!(parse("echo $(echo $(echo \"$(echo hi)\"))").is_ok());
        assert!(parse("echo `echo \\`echo hi\\``").is_ok());
        assert!(parse("echo \"${X:-default value}\" ${#X}").is_ok());
        assert!(parse("echo $((1 + (2 * 3)))").is_ok());
        assert!(!is_complete("echo $((1 + 2"));
        let deep = format!("{}x{}", "$(".repeat(100), ")".repeat(100));
        assert!(matches!(parse(&deep), Err(ParseError::Unsupported(_))));
    }

    #[test]
    fn unsupported_constructs_say_so() {
        assert_eq!(err("case x in esac"), "kubesim: 'case' is not simulated");
        assert!(parse("if true; then echo a; elif false; then echo b; else echo c; fi").is_ok());
        assert!(parse("while read x; do echo $x; done < f").is_ok());
        assert_eq!(err("if then fi"), "bash: syntax error near unexpected token `then'");
        assert!(!is_complete("if true; then"));
        assert!(!is_complete("while true\ndo"));
        assert!(parse("(cd /tmp; ls) > out").is_ok());
        assert!(parse("{ echo a; echo b; } | wc -l").is_ok());
        assert!(!is_complete("( echo a"));
        assert_eq!(err("( )"), "bash: syntax error near unexpected token `)'");
    }
}
