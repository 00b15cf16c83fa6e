//! A learner working through a lesson: the simulator, the lesson, and progress
//! (which checks passed, which steps are complete, what each quiz was answered).
//! Checks are evaluated after every command, so steps turn green in the
//! background as the learner works; there is no "Check" button.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sim_core::{ClusterConfig, Output, Simulator};

use crate::checks::{self, CheckResult};
use crate::environment;
use crate::model::{Action, CheckKind, Lesson};
use crate::quiz::{self, ChoiceFeedback, QuizAnswer, QuizError, Reveal, RunFeedback};

/// Progress through one lesson, serializable so the browser can keep it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    pub lesson_id: String,
    pub steps: Vec<StepProgress>,
    /// Quiz answers by quiz id.
    pub quizzes: BTreeMap<String, QuizAnswer>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepProgress {
    /// Whether each check of the step passed at the last evaluation.
    pub checks: Vec<bool>,
    /// Complete once all checks passed together (or, for a step without checks,
    /// once the learner moved on); it stays complete.
    pub complete: bool,
}

impl Progress {
    pub fn new(lesson: &Lesson) -> Self {
        Progress {
            lesson_id: lesson.meta.id.clone(),
            steps: lesson
                .steps
                .iter()
                .map(|s| StepProgress { checks: vec![false; s.checks.len()], complete: false })
                .collect(),
            quizzes: BTreeMap::new(),
        }
    }

    /// The first step not complete yet (the number of steps when all are).
    pub fn current_step(&self) -> usize {
        self.steps.iter().position(|s| !s.complete).unwrap_or(self.steps.len())
    }

    pub fn is_complete(&self) -> bool {
        self.steps.iter().all(|s| s.complete)
    }
}

/// What the engine remembers about a learner's work on one lesson besides the
/// simulator: progress, which `output_contains` checks some output satisfied, and
/// the last output. The simulator is passed in, not owned, so the browser can keep
/// one simulator for the terminal and a tracker per lesson, and [`Session`] (the
/// author's tool and `lesson check`) owns both; the step logic lives here once.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tracker {
    pub progress: Progress,
    /// Per step, per check: whether an `output_contains` check's text was printed.
    /// Such a check asks whether the learner has *seen* something, so once seen it
    /// stays passed; every other check looks at the present.
    #[serde(default)]
    pub seen: Vec<Vec<bool>>,
    /// What the learner's last command printed (its terminal display). Not saved: a
    /// reload starts at a fresh prompt, with nothing printed yet.
    #[serde(skip)]
    pub last_output: Option<String>,
}

impl Tracker {
    pub fn new(lesson: &Lesson) -> Tracker {
        Tracker {
            progress: Progress::new(lesson),
            seen: lesson.steps.iter().map(|s| vec![false; s.checks.len()]).collect(),
            last_output: None,
        }
    }

    /// Whether saved progress still fits the lesson (same id, same steps and checks);
    /// a lesson edited since the save would make old booleans point at other checks.
    pub fn fits(&self, lesson: &Lesson) -> bool {
        let shape_ok = |flags: &[bool], i: usize| lesson.steps.get(i).is_some_and(|s| s.checks.len() == flags.len());
        self.progress.lesson_id == lesson.meta.id
            && self.progress.steps.len() == lesson.steps.len()
            && self.progress.steps.iter().enumerate().all(|(i, s)| shape_ok(&s.checks, i))
            && self.seen.len() == lesson.steps.len()
            && self.seen.iter().enumerate().all(|(i, s)| shape_ok(s, i))
    }

    /// A command finished and printed `display`: remember it for `output_contains`.
    pub fn observe_output(&mut self, lesson: &Lesson, display: &str) {
        for (step, seen) in lesson.steps.iter().zip(self.seen.iter_mut()) {
            for (check, seen) in step.checks.iter().zip(seen.iter_mut()) {
                if let CheckKind::OutputContains { text } = &check.kind {
                    *seen |= display.contains(text.as_str());
                }
            }
        }
        self.last_output = Some(display.to_string());
    }

    /// Evaluates the checks of one step against the simulator, recording nothing.
    pub fn evaluate_step(&self, lesson: &Lesson, sim: &Simulator, step: usize) -> Vec<CheckResult> {
        let Some(s) = lesson.steps.get(step) else { return Vec::new() };
        let seen = self.seen.get(step);
        s.checks
            .iter()
            .enumerate()
            .map(|(i, c)| {
                if seen.and_then(|v| v.get(i)).copied().unwrap_or(false) {
                    return CheckResult { passed: true, detail: String::new() };
                }
                checks::evaluate(c, sim, self.last_output.as_deref())
            })
            .collect()
    }

    /// Re-evaluates the learner's current step (the first incomplete step with
    /// checks) and, each time one completes, the next; returns the steps that
    /// became complete. Called after every command and every time tick the host
    /// wants to (controllers make progress with time alone).
    ///
    /// Later steps wait their turn: checks can be costly (a curl runs on a copy of
    /// the whole simulator), and a step done ahead of time still completes the
    /// moment the learner reaches it.
    pub fn refresh(&mut self, lesson: &Lesson, sim: &Simulator) -> Vec<usize> {
        let mut completed = Vec::new();
        for i in 0..lesson.steps.len() {
            let has_checks = lesson.steps.get(i).is_some_and(|s| !s.checks.is_empty());
            if !has_checks || self.progress.steps.get(i).is_some_and(|p| p.complete) {
                continue;
            }
            let results: Vec<bool> = self.evaluate_step(lesson, sim, i).iter().map(|r| r.passed).collect();
            let Some(p) = self.progress.steps.get_mut(i) else { break };
            p.complete = results.iter().all(|r| *r);
            p.checks = results;
            if !p.complete {
                break;
            }
            completed.push(i);
        }
        completed
    }

    /// Marks a step without checks as read (the "next" button).
    pub fn mark_read(&mut self, lesson: &Lesson, step: usize) {
        let checkless = lesson.steps.get(step).is_some_and(|s| s.checks.is_empty());
        if let (true, Some(p)) = (checkless, self.progress.steps.get_mut(step)) {
            p.complete = true;
        }
    }

    /// How many steps are complete, out of how many.
    pub fn completed_steps(&self) -> (usize, usize) {
        (self.progress.steps.iter().filter(|s| s.complete).count(), self.progress.steps.len())
    }

    pub fn answer_choice(&mut self, lesson: &Lesson, id: &str, picked: &[usize]) -> Result<ChoiceFeedback, QuizError> {
        let feedback = quiz::grade_choice(find_quiz(lesson, id)?, picked)?;
        let answer = QuizAnswer::Choice { picked: picked.to_vec(), correct: feedback.correct };
        self.progress.quizzes.insert(id.to_string(), answer);
        Ok(feedback)
    }

    /// Commits a prediction; the first committed prediction is kept (a prediction
    /// made after seeing the answer would not be one).
    pub fn commit_prediction(&mut self, lesson: &Lesson, id: &str, prediction: &str) -> Result<Reveal, QuizError> {
        let quiz = find_quiz(lesson, id)?;
        if let Some(QuizAnswer::Prediction { prediction: first, .. }) = self.progress.quizzes.get(id) {
            return quiz::reveal(quiz, first);
        }
        let reveal = quiz::reveal(quiz, prediction)?;
        let answer = QuizAnswer::Prediction { prediction: prediction.to_string(), correct: reveal.correct };
        self.progress.quizzes.insert(id.to_string(), answer);
        Ok(reveal)
    }

    pub fn answer_run(&mut self, lesson: &Lesson, sim: &Simulator, id: &str, answer: &str) -> Result<RunFeedback, QuizError> {
        let feedback = quiz::grade_run(find_quiz(lesson, id)?, sim, answer)?;
        let saved = QuizAnswer::Run { answer: answer.to_string(), correct: feedback.correct };
        self.progress.quizzes.insert(id.to_string(), saved);
        Ok(feedback)
    }
}

fn find_quiz<'l>(lesson: &'l Lesson, id: &str) -> Result<&'l crate::model::Quiz, QuizError> {
    lesson.quiz(id).ok_or_else(|| QuizError::WrongAnswerKind(format!("no quiz {id:?} in this lesson")))
}

/// A lesson being taken on its own simulator (the author's tools, `lesson check`).
#[derive(Clone, Debug)]
pub struct Session {
    pub lesson: Lesson,
    pub sim: Simulator,
    pub tracker: Tracker,
}

impl Session {
    /// Starts a lesson on its own cluster. `base` carries the host's clock settings.
    pub fn start(lesson: Lesson, base: ClusterConfig) -> Result<Session, String> {
        let sim = environment::start(&lesson.meta.cluster, &lesson.meta.files, base)?;
        let tracker = Tracker::new(&lesson);
        Ok(Session { lesson, sim, tracker })
    }

    pub fn progress(&self) -> &Progress {
        &self.tracker.progress
    }

    /// Runs a line as the learner typed it, then re-evaluates checks.
    pub fn run_line(&mut self, line: &str) -> Output {
        let output = self.sim.run_line(line);
        self.tracker.observe_output(&self.lesson, &output.display);
        self.refresh();
        output
    }

    /// The "create file" button.
    pub fn create_file(&mut self, path: &str, content: &str) -> Result<(), String> {
        environment::create_file(&mut self.sim, path, content)?;
        self.refresh();
        Ok(())
    }

    /// An action button (e.g. switch the cloud provider on).
    pub fn apply_action(&mut self, action: &Action) -> Result<(), String> {
        environment::apply_action(&mut self.sim, action)?;
        self.refresh();
        Ok(())
    }

    pub fn evaluate_step(&self, step: usize) -> Vec<CheckResult> {
        self.tracker.evaluate_step(&self.lesson, &self.sim, step)
    }

    pub fn refresh(&mut self) -> Vec<usize> {
        self.tracker.refresh(&self.lesson, &self.sim)
    }

    pub fn mark_read(&mut self, step: usize) {
        self.tracker.mark_read(&self.lesson, step)
    }

    pub fn answer_choice(&mut self, id: &str, picked: &[usize]) -> Result<ChoiceFeedback, QuizError> {
        self.tracker.answer_choice(&self.lesson, id, picked)
    }

    pub fn commit_prediction(&mut self, id: &str, prediction: &str) -> Result<Reveal, QuizError> {
        self.tracker.commit_prediction(&self.lesson, id, prediction)
    }

    pub fn answer_run(&mut self, id: &str, answer: &str) -> Result<RunFeedback, QuizError> {
        self.tracker.answer_run(&self.lesson, &self.sim, id, answer)
    }
}
