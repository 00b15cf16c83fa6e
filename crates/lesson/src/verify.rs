//! The reference-solution checker behind `kubesim lesson check`: start the
//! lesson's cluster, do everything the lesson's buttons do in document order (run
//! blocks, file blocks, console transcripts, actions), wait at each `check` block
//! (and at the end of each step, for all of the step's checks together) until its
//! checks pass, and require that every console transcript printed exactly what
//! the lesson says. Nothing is skipped: a lesson passes only when the
//! simulator really does what the lesson teaches.

use serde::Serialize;
use sim_core::ClusterConfig;

use crate::checks;
use crate::model::{Block, Lesson, QuizKind};
use crate::quiz;
use crate::session::Session;

/// How long (virtual seconds) the checker waits for a step's checks, one second at
/// a time, as a learner would watch them turn green while pods start.
pub const CHECK_PATIENCE_SECONDS: u32 = 120;

/// One thing that went wrong in a lesson.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Failure {
    /// Index and title of the step (None: setup or intro).
    pub step: Option<(usize, String)>,
    /// Line in the lesson file.
    pub line: usize,
    pub message: String,
    /// Expected versus actual, line by line, when there is something to compare.
    pub diff: String,
}

/// A console entry whose recorded output differs from what kubesim printed, with
/// what is needed to rewrite it (`kubesim lesson check --update`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TranscriptMismatch {
    /// Line of the entry's `$` in the lesson file.
    pub line: usize,
    /// Lines the input takes (`$` line plus `> ` continuations).
    pub input_lines: usize,
    /// Lines the recorded output takes.
    pub expected_lines: usize,
    /// What kubesim printed, lines whole.
    pub actual: String,
}

/// The result of checking one lesson.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Report {
    pub id: String,
    pub file: String,
    pub steps: usize,
    pub failures: Vec<Failure>,
    pub transcripts: Vec<TranscriptMismatch>,
}

impl Report {
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }

    /// Steps with no failure (none when the lesson's setup failed).
    pub fn steps_passed(&self) -> usize {
        if self.failures.iter().any(|f| f.step.is_none()) {
            return 0;
        }
        (0..self.steps).filter(|i| !self.failures.iter().any(|f| f.step.as_ref().map(|s| s.0) == Some(*i))).count()
    }
}

/// Runs a lesson's reference solution and reports every failure.
pub fn check_lesson(lesson: &Lesson) -> Report {
    let mut report = Report {
        id: lesson.meta.id.clone(),
        file: lesson.file.clone(),
        steps: lesson.steps.len(),
        failures: Vec::new(),
        transcripts: Vec::new(),
    };
    let mut session = match Session::start(lesson.clone(), ClusterConfig::default()) {
        Ok(s) => s,
        Err(e) => {
            report.failures.push(Failure { step: None, line: 1, message: e, diff: String::new() });
            return report;
        }
    };
    run_blocks(&mut session, &lesson.intro, None, &mut report);
    for (i, step) in lesson.steps.iter().enumerate() {
        let here = Some((i, step.title.clone()));
        run_blocks(&mut session, &step.blocks, here.clone(), &mut report);
        // At the end of the step every check must pass (together), as the
        // browser requires to turn the step green.
        let all: Vec<usize> = (0..step.checks.len()).collect();
        wait_for_checks(&mut session, i, &all, &mut report);
        session.refresh();
        // Quizzes answered by running something must be answerable after the step.
        for block in &step.blocks {
            if let Block::Quiz { pos, quiz: q } = block {
                if let QuizKind::Run { answer, path, .. } = &q.kind {
                    match checks::read_jsonpath(&session.sim, answer, path) {
                        Ok(v) if !v.is_empty() => {
                            if let Err(e) = quiz::grade_run(q, &session.sim, &v) {
                                report.failures.push(Failure {
                                    step: here.clone(),
                                    line: pos.line,
                                    message: format!("quiz {}: {e:?}", q.id),
                                    diff: String::new(),
                                });
                            }
                        }
                        Ok(_) => report.failures.push(Failure {
                            step: here.clone(),
                            line: pos.line,
                            message: format!("quiz {}: {path} of {}/{} is empty", q.id, answer.resource, answer.name),
                            diff: String::new(),
                        }),
                        Err(e) => report.failures.push(Failure {
                            step: here.clone(),
                            line: pos.line,
                            message: format!("quiz {}: cannot be answered: {e}", q.id),
                            diff: String::new(),
                        }),
                    }
                }
            }
        }
    }
    report
}

fn run_blocks(session: &mut Session, blocks: &[Block], step: Option<(usize, String)>, report: &mut Report) {
    for block in blocks {
        match block {
            Block::Commands { pos, inputs, run: true, .. } => {
                for input in inputs {
                    let out = session.run_line(input);
                    if out.exit_code != 0 {
                        report.failures.push(Failure {
                            step: step.clone(),
                            line: pos.line,
                            message: format!("command exited {}: {}", out.exit_code, first_line(input)),
                            diff: out.display,
                        });
                    }
                }
            }
            Block::File { pos, path, content, .. } => {
                if let Err(e) = session.create_file(path, content) {
                    report.failures.push(Failure {
                        step: step.clone(),
                        line: pos.line,
                        message: e,
                        diff: String::new(),
                    });
                }
            }
            Block::Console { entries, .. } => {
                for entry in entries {
                    let out = session.run_line(&entry.input);
                    // As in transcripts: output that ends without a newline (jsonpath,
                    // printf) leaves the prompt on its line; the block keeps lines whole.
                    let mut shown = out.display.clone();
                    if !shown.is_empty() && !shown.ends_with('\n') {
                        shown.push('\n');
                    }
                    if shown != entry.expected {
                        report.transcripts.push(TranscriptMismatch {
                            line: entry.line,
                            input_lines: entry.input.split('\n').count(),
                            expected_lines: entry.expected.lines().count(),
                            actual: shown.clone(),
                        });
                        report.failures.push(Failure {
                            step: step.clone(),
                            line: entry.line,
                            message: format!("console output differs: $ {}", first_line(&entry.input)),
                            diff: diff_lines(&entry.expected, &shown),
                        });
                    }
                }
            }
            Block::Action { pos, action } => {
                if let Err(e) = session.apply_action(action) {
                    report.failures.push(Failure {
                        step: step.clone(),
                        line: pos.line,
                        message: e,
                        diff: String::new(),
                    });
                }
            }
            Block::Checks { first, count, .. } => {
                if let Some((index, _)) = &step {
                    let these: Vec<usize> = (*first..first + count).collect();
                    wait_for_checks(session, *index, &these, report);
                }
            }
            _ => {}
        }
    }
}

/// Waits (in virtual time, one second at a time, up to [`CHECK_PATIENCE_SECONDS`])
/// for the given checks of a step, and reports those still failing, each once.
fn wait_for_checks(session: &mut Session, step_index: usize, which: &[usize], report: &mut Report) {
    let Some(step) = session.lesson.steps.get(step_index).cloned() else { return };
    let failing = |session: &Session| -> Vec<(usize, String)> {
        let results = session.evaluate_step(step_index);
        which.iter().filter_map(|&i| results.get(i).filter(|r| !r.passed).map(|r| (i, r.detail.clone()))).collect()
    };
    let mut waited = 0;
    let mut still = failing(session);
    while !still.is_empty() && waited < CHECK_PATIENCE_SECONDS {
        session.sim.advance_by_millis(1000);
        waited += 1;
        still = failing(session);
    }
    for (i, detail) in still {
        let Some(check) = step.checks.get(i) else { continue };
        let here = Some((step_index, step.title.clone()));
        let message = format!("check failed: {detail} (hint: {})", check.hint);
        let already = report
            .failures
            .iter()
            .any(|f| f.step == here && f.line == check.pos.line && f.message.starts_with("check failed"));
        if !already {
            report.failures.push(Failure { step: here, line: check.pos.line, message, diff: String::new() });
        }
    }
}

/// Rewrites the output of every mismatched console entry of `source` with what
/// kubesim printed (as `UPDATE_EXPECT=1` does for transcripts); returns the new
/// text and how many entries changed. Entries not at the left margin (inside a
/// list item, say) are left alone: their indentation is not ours to guess.
pub fn update_transcripts(source: &str, report: &Report) -> (String, usize) {
    let mut lines: Vec<String> = source.split_inclusive('\n').map(str::to_string).collect();
    let mut mismatches: Vec<&TranscriptMismatch> = report.transcripts.iter().collect();
    // Bottom up, so earlier line numbers stay valid.
    sim_core::sort::sort_by_key(&mut mismatches, |m| std::cmp::Reverse(m.line));
    let mut changed = 0;
    for m in mismatches {
        let dollar = m.line.saturating_sub(1);
        if !lines.get(dollar).is_some_and(|l| l.starts_with('$')) {
            continue;
        }
        let start = dollar + m.input_lines;
        let end = start + m.expected_lines;
        if end > lines.len() {
            continue;
        }
        let replacement: Vec<String> = m.actual.split_inclusive('\n').map(str::to_string).collect();
        lines.splice(start..end, replacement);
        changed += 1;
    }
    (lines.concat(), changed)
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or("")
}

/// Line-by-line comparison: `-` expected, `+` actual, for lines that differ.
pub fn diff_lines(expected: &str, actual: &str) -> String {
    let e: Vec<&str> = expected.split_inclusive('\n').collect();
    let a: Vec<&str> = actual.split_inclusive('\n').collect();
    let mut out = String::new();
    for i in 0..e.len().max(a.len()) {
        match (e.get(i), a.get(i)) {
            (Some(x), Some(y)) if x == y => out.push_str(&format!("  {}\n", x.trim_end_matches('\n'))),
            (x, y) => {
                if let Some(x) = x {
                    out.push_str(&format!("- {x:?}\n"));
                }
                if let Some(y) = y {
                    out.push_str(&format!("+ {y:?}\n"));
                }
            }
        }
    }
    out
}
