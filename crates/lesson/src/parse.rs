//! The lesson parser: YAML front matter, then a CommonMark body whose `##`
//! sections become steps and whose fenced code blocks, by their info string,
//! become commands, files, transcripts, checks, quizzes, visualizer scenes and
//! actions. Every problem is reported with its file, line and column.
//!
//! Killercoda scenarios mark runnable code by writing `{{exec}}` (or `{{copy}}`)
//! right after the closing fence or after inline code; we accept both so that
//! existing scenarios port with little editing.

use std::collections::BTreeSet;

use pulldown_cmark::{CodeBlockKind, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use serde::Deserialize;

use crate::error::{LessonError, LessonErrors};
use crate::model::*;

/// Parses one lesson. `file` names it in error messages.
pub fn parse_lesson(file: &str, source: &str) -> Result<Lesson, LessonErrors> {
    let mut p = LessonParser { file: file.to_string(), errors: Vec::new(), lines: LineIndex::new(source) };
    let (meta, body_start) = p.front_matter(source);
    let body = source.get(body_start..).unwrap_or("");
    let (intro, steps) = p.body(body_start, body);
    let lesson = Lesson { file: file.to_string(), meta: meta.unwrap_or_default(), intro, steps };
    p.validate(&lesson);
    if p.errors.is_empty() {
        Ok(lesson)
    } else {
        sim_core::sort::sort_by_key(&mut p.errors, |e| (e.line, e.column));
        Err(LessonErrors(p.errors))
    }
}

/// Byte offsets to 1-based lines and columns (columns count characters).
struct LineIndex {
    starts: Vec<usize>,
    text: String,
}

impl LineIndex {
    fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { starts, text: text.to_string() }
    }

    fn pos(&self, offset: usize) -> Pos {
        let line = self.starts.partition_point(|&s| s <= offset).max(1);
        let start = self.starts.get(line - 1).copied().unwrap_or(0);
        let column = self.text.get(start..offset).map_or(1, |s| s.chars().count() + 1);
        Pos { line, column }
    }
}

struct LessonParser {
    file: String,
    errors: Vec<LessonError>,
    lines: LineIndex,
}

/// A code block collected from the event stream.
struct RawBlock {
    info: String,
    text: String,
    /// Position of the opening fence.
    pos: Pos,
    /// Line of the first content line.
    content_line: usize,
    /// Killercoda annotation after the closing fence.
    annotation: Option<Annotation>,
    fenced: bool,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Annotation {
    Exec,
    Copy,
}

impl LessonParser {
    fn error(&mut self, pos: Pos, message: impl Into<String>) {
        self.errors.push(LessonError {
            file: self.file.clone(),
            line: pos.line,
            column: pos.column,
            message: message.into(),
        });
    }

    /// Reports a YAML error found in a block whose first line is `first_line` of the file.
    fn yaml_error(&mut self, first_line: usize, indent: usize, what: &str, e: &serde_yaml_ng::Error) {
        let text = e.to_string();
        // serde_yaml_ng appends " at line L column C"; we print the place ourselves.
        let message = match text.find(" at line ") {
            Some(i) => text[..i].to_string(),
            None => text.clone(),
        };
        let pos = match e.location() {
            Some(l) => Pos { line: first_line + l.line().saturating_sub(1), column: indent + l.column() },
            None => Pos { line: first_line, column: indent + 1 },
        };
        self.error(pos, format!("{what}: {message}"));
    }

    /// Splits off and parses the front matter. Returns the metadata and where the body starts.
    fn front_matter(&mut self, source: &str) -> (Option<Meta>, usize) {
        let first_line_end = source.find('\n').map_or(source.len(), |i| i + 1);
        if source[..first_line_end].trim_end() != "---" {
            self.error(Pos { line: 1, column: 1 }, "a lesson starts with YAML front matter between two `---` lines");
            return (None, 0);
        }
        let mut offset = first_line_end;
        let mut end = None;
        for line in source[first_line_end..].split_inclusive('\n') {
            if line.trim_end() == "---" {
                end = Some((offset, offset + line.len()));
                break;
            }
            offset += line.len();
        }
        let Some((yaml_end, body_start)) = end else {
            self.error(Pos { line: 1, column: 1 }, "the front matter is not closed by a `---` line");
            return (None, source.len());
        };
        let yaml = &source[first_line_end..yaml_end];
        match serde_yaml_ng::from_str::<Meta>(yaml) {
            Ok(meta) => {
                self.check_meta(&meta);
                (Some(meta), body_start)
            }
            Err(e) => {
                self.yaml_error(2, 0, "front matter", &e);
                (None, body_start)
            }
        }
    }

    fn check_meta(&mut self, meta: &Meta) {
        let at = Pos { line: 2, column: 1 };
        if meta.id.is_empty() || !meta.id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-') {
            self.error(at, format!("front matter: id {:?} must be lowercase letters, digits and dashes", meta.id));
        }
        if meta.title.trim().is_empty() {
            self.error(at, "front matter: title must not be empty");
        }
        if meta.cluster.workers > 10 {
            self.error(at, "front matter: cluster.workers must be at most 10");
        }
        for o in &meta.cluster.objects {
            if o.manifest.is_some() == o.command.is_some() {
                self.error(at, "front matter: each of cluster.objects is either `manifest: |` or `command: ...`");
            }
        }
        for f in &meta.files {
            if f.path.trim().is_empty() {
                self.error(at, "front matter: a file needs a path");
            }
        }
    }

    /// Parses the markdown body into the intro and the steps.
    fn body(&mut self, body_start: usize, body: &str) -> (Vec<Block>, Vec<Step>) {
        let (cleaned, annotations) = strip_killercoda_fence_annotations(body);
        let mut options = Options::empty();
        options.insert(Options::ENABLE_TABLES);
        options.insert(Options::ENABLE_STRIKETHROUGH);
        options.insert(Options::ENABLE_GFM);
        let mut intro: Vec<Block> = Vec::new();
        let mut steps: Vec<Step> = Vec::new();
        let mut prose: Vec<Event> = Vec::new();
        let mut heading: Option<(Pos, String)> = None;
        let mut code: Option<RawBlock> = None;
        let mut last_inline_code: Option<(String, usize)> = None;
        let mut inline_commands: Vec<Block> = Vec::new();

        for (event, range) in Parser::new_ext(&cleaned, options).into_offset_iter() {
            let abs = body_start + range.start;
            // Inside a code block: collect its text until it ends.
            if let Some(block) = code.as_mut() {
                match event {
                    Event::Text(t) => block.text.push_str(&t),
                    Event::End(TagEnd::CodeBlock) => {
                        if let Some(mut block) = code.take() {
                            let closing_line = self.lines.pos(body_start + range.end.saturating_sub(1)).line;
                            block.annotation = annotations
                                .iter()
                                .find(|(l, _)| *l == (closing_line + 1).saturating_sub(self.lines.pos(body_start).line))
                                .map(|(_, a)| *a);
                            let target = current_blocks(&mut intro, &mut steps);
                            flush_prose(&mut prose, target, &mut inline_commands);
                            if let Some(b) = self.code_block(block, steps.last_mut()) {
                                current_blocks(&mut intro, &mut steps).push(b);
                            }
                        }
                    }
                    _ => {}
                }
                continue;
            }
            if let Some((_, title)) = heading.as_mut() {
                match event {
                    Event::End(TagEnd::Heading(HeadingLevel::H2)) => {
                        if let Some((pos, title)) = heading.take() {
                            let target = current_blocks(&mut intro, &mut steps);
                            flush_prose(&mut prose, target, &mut inline_commands);
                            steps.push(Step {
                                title: title.trim().to_string(),
                                line: pos.line,
                                blocks: Vec::new(),
                                checks: Vec::new(),
                            });
                        }
                    }
                    Event::Text(t) | Event::Code(t) => title.push_str(&t),
                    _ => {}
                }
                continue;
            }
            match event {
                Event::Start(Tag::Heading { level: HeadingLevel::H2, .. }) => {
                    heading = Some((self.lines.pos(abs), String::new()));
                }
                Event::Start(Tag::CodeBlock(kind)) => {
                    let (info, fenced) = match kind {
                        CodeBlockKind::Fenced(info) => (info.to_string(), true),
                        CodeBlockKind::Indented => (String::new(), false),
                    };
                    let pos = self.lines.pos(abs);
                    code = Some(RawBlock {
                        info,
                        text: String::new(),
                        pos,
                        content_line: pos.line + 1,
                        annotation: None,
                        fenced,
                    });
                }
                // Raw HTML is shown as text: a lesson cannot inject markup or script.
                Event::Html(h) | Event::InlineHtml(h) => prose.push(Event::Text(h)),
                Event::Code(c) => {
                    last_inline_code = Some((c.to_string(), prose.len()));
                    prose.push(Event::Code(c));
                }
                Event::Text(t) => {
                    let annotation = ["{{exec}}", "{{copy}}", "{{exec interrupt}}"].iter().find(|a| t.starts_with(**a));
                    match (annotation, last_inline_code.take()) {
                        (Some(a), Some((cmd, index))) if index + 1 == prose.len() => {
                            let run = a.starts_with("{{exec");
                            let class = if run { "kubesim-run" } else { "kubesim-copy" };
                            let html = format!("<code class=\"{class}\">{}</code>", escape_html(&cmd));
                            if let Some(slot) = prose.get_mut(index) {
                                *slot = Event::Html(CowStr::from(html));
                            }
                            inline_commands.push(Block::Commands {
                                pos: self.lines.pos(abs),
                                inputs: vec![cmd],
                                run,
                                copy: !run,
                                solution: false,
                            });
                            let rest = &t[a.len()..];
                            if !rest.is_empty() {
                                prose.push(Event::Text(CowStr::from(rest.to_string())));
                            }
                        }
                        _ => prose.push(Event::Text(t)),
                    }
                }
                Event::Start(Tag::Link { link_type, dest_url, title, id }) => {
                    prose.push(Event::Start(Tag::Link { link_type, dest_url: safe_url(dest_url), title, id }));
                }
                Event::Start(Tag::Image { link_type, dest_url, title, id }) => {
                    prose.push(Event::Start(Tag::Image { link_type, dest_url: safe_url(dest_url), title, id }));
                }
                other => prose.push(other),
            }
        }
        if let Some(block) = code.take() {
            self.error(block.pos, "code block is not closed");
        }
        let target = current_blocks(&mut intro, &mut steps);
        flush_prose(&mut prose, target, &mut inline_commands);
        if steps.is_empty() {
            self.error(self.lines.pos(body_start), "a lesson needs at least one step (a `## Title` section)");
        }
        (intro, steps)
    }

    /// Turns a code block into a lesson block by its info string.
    fn code_block(&mut self, block: RawBlock, step: Option<&mut Step>) -> Option<Block> {
        let mut words = block.info.split_whitespace();
        let language = words.next().unwrap_or("").to_string();
        let attrs: Vec<&str> = words.collect();
        let pos = block.pos;
        let mut file = None;
        let mut run = block.annotation == Some(Annotation::Exec);
        let mut copy = block.annotation == Some(Annotation::Copy);
        let mut solution = false;
        for a in &attrs {
            match *a {
                "run" | "exec" => run = true,
                "solution" => {
                    solution = true;
                    run = true;
                }
                "copy" => copy = true,
                a if a.starts_with("file=") => file = Some(a["file=".len()..].trim_matches('"').to_string()),
                other => self.error(
                    pos,
                    format!("unknown code block attribute {other:?} (expected run, copy, solution or file=NAME)"),
                ),
            }
        }
        if !block.fenced {
            return Some(Block::Code { language, text: block.text });
        }
        let first = block.content_line;
        let indent = pos.column.saturating_sub(1);
        match language.as_str() {
            "check" | "checks" => {
                let checks = self.checks(&block.text, first, indent);
                match step {
                    Some(step) => {
                        let first = step.checks.len();
                        let count = checks.len();
                        step.checks.extend(checks);
                        Some(Block::Checks { pos, first, count })
                    }
                    None => {
                        self.error(pos, "checks belong to a step: put them after a `##` heading");
                        None
                    }
                }
            }
            "quiz" => self.quiz(&block.text, first, indent).map(|quiz| Block::Quiz { pos, quiz }),
            "visualizer" | "scene" => {
                self.scene(&block.text, first, indent).map(|scene| Block::Visualizer { pos, scene })
            }
            "kubesim-viz" => self.traffic_flow(&block.text, first, indent).map(|viz| Block::TrafficFlow { pos, viz }),
            "action" => self.action(&block.text, first, indent).map(|action| Block::Action { pos, action }),
            "console" => Some(Block::Console { pos, entries: self.console(&block.text, first, pos) }),
            _ => {
                if let Some(path) = file {
                    if path.is_empty() {
                        self.error(pos, "file= needs a file name");
                        return None;
                    }
                    return Some(Block::File { pos, path, language, content: block.text });
                }
                if run || copy {
                    let inputs = split_commands(&block.text);
                    if inputs.is_empty() {
                        self.error(pos, "a runnable block needs at least one command");
                    }
                    return Some(Block::Commands { pos, inputs, run, copy: copy || run, solution });
                }
                Some(Block::Code { language, text: block.text })
            }
        }
    }

    fn console(&mut self, text: &str, first_line: usize, pos: Pos) -> Vec<ConsoleEntry> {
        let mut entries: Vec<ConsoleEntry> = Vec::new();
        let mut in_input = false;
        for (i, line) in text.split_inclusive('\n').enumerate() {
            let bare = line.strip_suffix('\n').unwrap_or(line);
            if let Some(cmd) = bare.strip_prefix("$ ").or_else(|| (bare == "$").then_some("")) {
                entries.push(ConsoleEntry { input: cmd.to_string(), expected: String::new(), line: first_line + i });
                in_input = true;
            } else if let (true, Some(cont)) =
                (in_input, bare.strip_prefix("> ").or_else(|| (bare == ">").then_some("")))
            {
                if let Some(e) = entries.last_mut() {
                    e.input.push('\n');
                    e.input.push_str(cont);
                }
            } else if let Some(e) = entries.last_mut() {
                in_input = false;
                e.expected.push_str(line);
            } else {
                self.error(Pos { line: first_line + i, column: 1 }, "a console block starts with a `$ command` line");
                return entries;
            }
        }
        if entries.is_empty() {
            self.error(pos, "a console block needs at least one `$ command` line");
        }
        entries
    }

    fn checks(&mut self, text: &str, first_line: usize, indent: usize) -> Vec<Check> {
        let raw: Vec<RawCheck> = match serde_yaml_ng::from_str(text) {
            Ok(r) => r,
            Err(e) => {
                self.yaml_error(first_line, indent, "check", &e);
                return Vec::new();
            }
        };
        // serde gives no positions per item; items are the `- ` lines at the left margin.
        let item_lines: Vec<usize> = text
            .lines()
            .enumerate()
            .filter(|(_, l)| l.starts_with("- ") || *l == "-")
            .map(|(i, _)| first_line + i)
            .collect();
        let mut checks = Vec::new();
        for (i, r) in raw.into_iter().enumerate() {
            let pos = Pos { line: item_lines.get(i).copied().unwrap_or(first_line), column: indent + 1 };
            match r.into_check(pos) {
                Ok(c) => checks.push(c),
                Err(m) => self.error(pos, format!("check: {m}")),
            }
        }
        checks
    }

    fn quiz(&mut self, text: &str, first_line: usize, indent: usize) -> Option<Quiz> {
        let raw: RawQuiz = match serde_yaml_ng::from_str(text) {
            Ok(r) => r,
            Err(e) => {
                self.yaml_error(first_line, indent, "quiz", &e);
                return None;
            }
        };
        let pos = Pos { line: first_line, column: indent + 1 };
        match raw.into_quiz() {
            Ok(q) => Some(q),
            Err(m) => {
                self.error(pos, format!("quiz: {m}"));
                None
            }
        }
    }

    fn scene(&mut self, text: &str, first_line: usize, indent: usize) -> Option<Scene> {
        let value: serde_yaml_ng::Value = match serde_yaml_ng::from_str(text) {
            Ok(v) => v,
            Err(e) => {
                self.yaml_error(first_line, indent, "visualizer", &e);
                return None;
            }
        };
        let pos = Pos { line: first_line, column: indent + 1 };
        let Ok(serde_json::Value::Object(mut map)) = serde_json::to_value(&value) else {
            self.error(pos, "visualizer: expected a mapping with at least `scene: NAME`");
            return None;
        };
        let Some(serde_json::Value::String(scene)) = map.remove("scene") else {
            self.error(pos, "visualizer: missing `scene: NAME`");
            return None;
        };
        let title = match map.remove("title") {
            Some(serde_json::Value::String(t)) => t,
            _ => String::new(),
        };
        Some(Scene { scene, title, params: serde_json::Value::Object(map) })
    }

    /// A `kubesim-viz` block: an empty block is the visualizer with no options.
    fn traffic_flow(&mut self, text: &str, first_line: usize, indent: usize) -> Option<TrafficFlow> {
        if text.trim().is_empty() {
            return Some(TrafficFlow::default());
        }
        match serde_yaml_ng::from_str(text) {
            Ok(viz) => Some(viz),
            Err(e) => {
                self.yaml_error(first_line, indent, "kubesim-viz", &e);
                None
            }
        }
    }

    fn action(&mut self, text: &str, first_line: usize, indent: usize) -> Option<Action> {
        let raw: RawAction = match serde_yaml_ng::from_str(text) {
            Ok(r) => r,
            Err(e) => {
                self.yaml_error(first_line, indent, "action", &e);
                return None;
            }
        };
        let pos = Pos { line: first_line, column: indent + 1 };
        match raw.cloud_provider.as_ref().map(on_off) {
            Some(Some(enabled)) => Some(Action::CloudProvider { enabled }),
            Some(None) => {
                self.error(pos, "action: cloud_provider is on or off");
                None
            }
            None => {
                self.error(pos, "action: expected `cloud_provider: on` or `cloud_provider: off`");
                None
            }
        }
    }

    /// Checks that need the whole lesson: unique quiz ids.
    fn validate(&mut self, lesson: &Lesson) {
        let mut seen = BTreeSet::new();
        let quizzes: Vec<(Pos, String)> = lesson
            .intro
            .iter()
            .chain(lesson.steps.iter().flat_map(|s| s.blocks.iter()))
            .filter_map(|b| match b {
                Block::Quiz { pos, quiz } => Some((*pos, quiz.id.clone())),
                _ => None,
            })
            .collect();
        for (pos, id) in quizzes {
            if !seen.insert(id.clone()) {
                self.error(pos, format!("quiz id {id:?} is used twice"));
            }
        }
    }
}

/// The blocks of the current step, or of the intro before the first step.
fn current_blocks<'v>(intro: &'v mut Vec<Block>, steps: &'v mut [Step]) -> &'v mut Vec<Block> {
    match steps.last_mut() {
        Some(s) => &mut s.blocks,
        None => intro,
    }
}

/// Renders collected prose events (if any) into one Prose block, followed by the
/// commands that inline `{{exec}}` annotations made runnable.
fn flush_prose(prose: &mut Vec<Event>, target: &mut Vec<Block>, inline_commands: &mut Vec<Block>) {
    if !prose.is_empty() {
        let mut html = String::new();
        pulldown_cmark::html::push_html(&mut html, prose.drain(..));
        if !html.trim().is_empty() {
            target.push(Block::Prose { html });
        }
    }
    target.append(inline_commands);
}

/// Link targets allowed in lessons: http(s), mailto, and relative links. Others
/// (javascript:, data:, vbscript:, ...) become `#`.
fn safe_url(url: CowStr) -> CowStr {
    let lower = url.trim().to_ascii_lowercase();
    let scheme_end = lower.find(':');
    let has_scheme =
        scheme_end.is_some_and(|i| !lower[..i].contains('/') && !lower[..i].contains('?') && !lower[..i].contains('#'));
    if !has_scheme || lower.starts_with("http:") || lower.starts_with("https:") || lower.starts_with("mailto:") {
        url
    } else {
        CowStr::from("#")
    }
}

fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Blanks Killercoda's `{{exec}}`/`{{copy}}` after closing fences (keeping every
/// byte offset), and returns the 1-based body lines where they were.
fn strip_killercoda_fence_annotations(body: &str) -> (String, Vec<(usize, Annotation)>) {
    let mut out = String::with_capacity(body.len());
    let mut found = Vec::new();
    for (i, line) in body.split_inclusive('\n').enumerate() {
        let trimmed = line.trim_start();
        let fence_len = trimmed.chars().take_while(|c| *c == '`' || *c == '~').count();
        let rest = trimmed[fence_len..].trim_end();
        let annotation = match rest {
            "{{exec}}" | "{{exec interrupt}}" => Some(Annotation::Exec),
            "{{copy}}" => Some(Annotation::Copy),
            _ => None,
        };
        match annotation {
            Some(a) if fence_len >= 3 => {
                found.push((i + 1, a));
                let keep = line.len() - trimmed.len() + fence_len;
                out.push_str(&line[..keep]);
                let tail = &line[keep..];
                for c in tail.chars() {
                    out.push(if c == '\n' { '\n' } else { ' ' });
                    // Multi-byte characters would shift offsets; annotations are ASCII.
                }
            }
            _ => out.push_str(line),
        }
    }
    (out, found)
}

/// Splits the text of a runnable block into inputs as a terminal receives them:
/// one per line, except that `\` continuations and heredoc bodies stay with their
/// command. Blank lines and `#` comment lines are not commands.
pub fn split_commands(text: &str) -> Vec<String> {
    let mut inputs = Vec::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let mut input = line.to_string();
        while input.ends_with('\\') {
            match lines.next() {
                Some(next) => {
                    input.push('\n');
                    input.push_str(next);
                }
                None => break,
            }
        }
        if let Some(word) = heredoc_word(&input) {
            for next in lines.by_ref() {
                input.push('\n');
                input.push_str(next);
                if next.trim() == word {
                    break;
                }
            }
        }
        inputs.push(input);
    }
    inputs
}

/// The terminator of a heredoc started on this line (`<<EOF`, `<<'EOF'`, `<<-EOF`).
fn heredoc_word(line: &str) -> Option<String> {
    let i = line.find("<<")?;
    let rest = line[i + 2..].trim_start_matches('-').trim_start();
    let rest = rest.trim_start_matches(['\'', '"']);
    let word: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
    (!word.is_empty()).then_some(word)
}

fn on_off(v: &serde_yaml_ng::Value) -> Option<bool> {
    match v {
        serde_yaml_ng::Value::Bool(b) => Some(*b),
        serde_yaml_ng::Value::String(s) => match s.as_str() {
            "on" | "true" | "yes" => Some(true),
            "off" | "false" | "no" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

fn scalar_string(v: &serde_yaml_ng::Value) -> Option<String> {
    match v {
        serde_yaml_ng::Value::String(s) => Some(s.clone()),
        serde_yaml_ng::Value::Number(n) => Some(n.to_string()),
        serde_yaml_ng::Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A check as written: one key names the check, the others refine it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCheck {
    exists: Option<String>,
    absent: Option<String>,
    jsonpath: Option<String>,
    of: Option<String>,
    equals: Option<serde_yaml_ng::Value>,
    matches: Option<String>,
    ready_pods: Option<String>,
    count: Option<usize>,
    #[serde(default)]
    exactly: bool,
    file: Option<String>,
    contains: Option<String>,
    output_contains: Option<String>,
    curl: Option<String>,
    from: Option<String>,
    expect: Option<String>,
    host: Option<String>,
    namespace: Option<String>,
    hint: Option<String>,
}

/// Parses `service/web` into an object reference.
pub fn object_ref(text: &str, namespace: Option<&str>) -> Result<ObjectRef, String> {
    let Some((resource, name)) = text.split_once('/') else {
        return Err(format!("{text:?} should be TYPE/NAME, e.g. service/web"));
    };
    if sim_core::resources::lookup(resource).is_none() {
        return Err(format!("unknown resource type {resource:?}"));
    }
    if name.is_empty() {
        return Err(format!("{text:?} has no name"));
    }
    Ok(ObjectRef {
        resource: resource.to_string(),
        name: name.to_string(),
        namespace: namespace.unwrap_or("default").to_string(),
    })
}

impl RawCheck {
    fn into_check(self, pos: Pos) -> Result<Check, String> {
        let named = [
            self.exists.is_some(),
            self.absent.is_some(),
            self.jsonpath.is_some(),
            self.ready_pods.is_some(),
            self.file.is_some(),
            self.output_contains.is_some(),
            self.curl.is_some(),
        ]
        .iter()
        .filter(|b| **b)
        .count();
        if named != 1 {
            return Err(
                "name exactly one of exists, absent, jsonpath, ready_pods, file, output_contains, curl".to_string()
            );
        }
        let Some(hint) = self.hint.filter(|h| !h.trim().is_empty()) else {
            return Err("every check needs a hint, shown when it fails".to_string());
        };
        let ns = self.namespace.as_deref();
        let kind = if let Some(o) = self.exists {
            CheckKind::Exists { object: object_ref(&o, ns)? }
        } else if let Some(o) = self.absent {
            CheckKind::Absent { object: object_ref(&o, ns)? }
        } else if let Some(path) = self.jsonpath {
            let Some(of) = self.of else { return Err("jsonpath needs `of: TYPE/NAME`".to_string()) };
            if !(path.starts_with('{') && path.ends_with('}')) {
                return Err(format!("jsonpath {path:?} should be written as kubectl takes it, e.g. '{{.spec.type}}'"));
            }
            let expect = match (self.equals, self.matches) {
                (Some(v), None) => Expect::Equals(scalar_string(&v).ok_or("equals takes a scalar")?),
                (None, Some(m)) => Expect::Matches(m),
                (None, None) => Expect::NonEmpty,
                (Some(_), Some(_)) => return Err("use equals or matches, not both".to_string()),
            };
            CheckKind::JsonPath { object: object_ref(&of, ns)?, path, expect }
        } else if let Some(selector) = self.ready_pods {
            CheckKind::ReadyPods {
                selector,
                namespace: ns.unwrap_or("default").to_string(),
                count: self.count.unwrap_or(1),
                exactly: self.exactly,
            }
        } else if let Some(path) = self.file {
            let Some(text) = self.contains else { return Err("file needs `contains: TEXT`".to_string()) };
            CheckKind::FileContains { path, text }
        } else if let Some(text) = self.output_contains {
            CheckKind::OutputContains { text }
        } else if let Some(url) = self.curl {
            let from = match self.from.as_deref() {
                None | Some("host") => Place::Host,
                Some(p) => match p.strip_prefix("pod/") {
                    Some(name) if !name.is_empty() => Place::Pod(name.to_string()),
                    _ => return Err(format!("from: {p:?} should be host or pod/NAME")),
                },
            };
            CheckKind::Curl { url, from, host: self.host, expect: self.expect }
        } else {
            return Err("empty check".to_string());
        };
        Ok(Check { kind, hint, pos })
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQuiz {
    id: Option<String>,
    question: Option<String>,
    predict: Option<String>,
    choices: Option<Vec<RawChoice>>,
    reveal: Option<String>,
    answer_from: Option<RawAnswerFrom>,
    explain: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawChoice {
    text: String,
    #[serde(default)]
    correct: bool,
    #[serde(default)]
    explain: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAnswerFrom {
    of: String,
    jsonpath: String,
    namespace: Option<String>,
}

impl RawQuiz {
    fn into_quiz(self) -> Result<Quiz, String> {
        let Some(id) = self.id.filter(|i| !i.is_empty()) else {
            return Err("every quiz needs an `id` (progress is saved under it)".to_string());
        };
        let choices: Vec<Choice> = self
            .choices
            .unwrap_or_default()
            .into_iter()
            .map(|c| Choice { text: c.text, correct: c.correct, explain: c.explain })
            .collect();
        let check_choices = |choices: &[Choice]| -> Result<(), String> {
            if choices.len() < 2 {
                return Err("give at least two choices".to_string());
            }
            if !choices.iter().any(|c| c.correct) {
                return Err("mark at least one choice `correct: true`".to_string());
            }
            Ok(())
        };
        match (self.question, self.predict, self.answer_from) {
            (Some(question), None, None) => {
                if self.reveal.is_some() {
                    return Err("reveal belongs to `predict:` quizzes".to_string());
                }
                check_choices(&choices)?;
                if self.explain.is_some() {
                    return Err("explain each choice in its own `explain:`".to_string());
                }
                Ok(Quiz { id, question, kind: QuizKind::Choice { choices } })
            }
            (None, Some(question), None) => {
                let Some(reveal) = self.reveal else { return Err("a predict quiz needs `reveal:`".to_string()) };
                if !choices.is_empty() {
                    check_choices(&choices)?;
                }
                Ok(Quiz { id, question, kind: QuizKind::Predict { choices, reveal } })
            }
            (Some(question), None, Some(a)) => {
                if !choices.is_empty() {
                    return Err("a quiz answered by running something has no choices".to_string());
                }
                if !(a.jsonpath.starts_with('{') && a.jsonpath.ends_with('}')) {
                    return Err(format!("answer_from.jsonpath {:?} should look like '{{.spec.type}}'", a.jsonpath));
                }
                let answer = object_ref(&a.of, a.namespace.as_deref())?;
                Ok(Quiz {
                    id,
                    question,
                    kind: QuizKind::Run { answer, path: a.jsonpath, explain: self.explain.unwrap_or_default() },
                })
            }
            _ => Err(
                "write `question:` (multiple choice), `predict:` with `reveal:`, or `question:` with `answer_from:`"
                    .to_string(),
            ),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAction {
    cloud_provider: Option<serde_yaml_ng::Value>,
}
