//! The course as the page holds it: every lesson compiled into the wasm (see
//! `build.rs`), parsed once, in course order; and a [`LessonTracker`] per lesson that
//! keeps the learner's progress against the terminal's own simulator.
//!
//! The lesson engine's `lesson::Session` owns its simulator; in the page the
//! simulator belongs to the terminal session and is lent out by
//! `SessionHandle::with_simulator`, so the tracker holds only progress and evaluates
//! the engine's checks and quizzes against a borrowed `&Simulator`, with the same
//! rules as `lesson::Session::refresh` (later steps wait their turn; an
//! `output_contains` check, once seen, stays passed).

use lesson::checks::{self, CheckResult};
use lesson::model::{Block, CheckKind, Lesson};
use lesson::quiz::{self, ChoiceFeedback, QuizAnswer, QuizError, Reveal, RunFeedback};
use lesson::Progress;
use serde::{Deserialize, Serialize};
use sim_core::{Output, Simulator};

include!(concat!(env!("OUT_DIR"), "/lessons.rs"));

/// The parsed course, in `order`, then `id`.
#[derive(Debug)]
pub struct Course {
    pub lessons: Vec<Lesson>,
    /// Lessons that did not parse (`file:line:column: message`): shown in the page
    /// rather than dropped silently. `kubesim lesson check` keeps this empty in CI.
    pub errors: Vec<String>,
}

impl Course {
    pub fn builtin() -> Course {
        Course::from_sources(LESSON_SOURCES)
    }

    pub fn from_sources(sources: &[(&str, &str)]) -> Course {
        let mut lessons = Vec::new();
        let mut errors = Vec::new();
        for (file, text) in sources {
            match lesson::parse_lesson(file, text) {
                Ok(l) => lessons.push(l),
                Err(e) => errors.push(e.to_string()),
            }
        }
        sim_core::sort::sort_by(&mut lessons, |a, b| (a.meta.order, &a.meta.id).cmp(&(b.meta.order, &b.meta.id)));
        Course { lessons, errors }
    }

    pub fn lesson(&self, id: &str) -> Option<&Lesson> {
        self.lessons.iter().find(|l| l.meta.id == id)
    }
}

/// A learner's progress through one lesson, as saved: the engine's [`Progress`] plus
/// which `output_contains` checks were seen, and the step last looked at.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LessonTracker {
    pub progress: Progress,
    /// Per step, per check: whether an `output_contains` check's text was printed.
    #[serde(default)]
    pub seen: Vec<Vec<bool>>,
    /// The step the learner last had open (0-based).
    #[serde(default)]
    pub viewed_step: usize,
    /// Steps whose hidden solution the learner chose to show.
    #[serde(default)]
    pub solutions_shown: Vec<usize>,
    /// What the learner's last command printed (not saved: a reload starts at a
    /// fresh prompt, with nothing printed yet).
    #[serde(skip)]
    pub last_output: Option<String>,
}

impl LessonTracker {
    pub fn new(lesson: &Lesson) -> LessonTracker {
        LessonTracker {
            progress: Progress::new(lesson),
            seen: lesson.steps.iter().map(|s| vec![false; s.checks.len()]).collect(),
            viewed_step: 0,
            solutions_shown: Vec::new(),
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

    /// Evaluates one step's checks against the simulator, recording nothing.
    pub fn evaluate_step(&self, lesson: &Lesson, sim: &Simulator, step: usize) -> Vec<CheckResult> {
        let Some(s) = lesson.steps.get(step) else { return Vec::new() };
        let last = self.last_output.as_ref().map(|display| Output { display: display.clone(), ..Output::default() });
        s.checks
            .iter()
            .enumerate()
            .map(|(i, check)| {
                if self.seen.get(step).and_then(|v| v.get(i)).copied().unwrap_or(false) {
                    return CheckResult { passed: true, detail: String::new() };
                }
                checks::evaluate(check, sim, last.as_ref())
            })
            .collect()
    }

    /// Re-evaluates the first incomplete step with checks and, as each completes, the
    /// next; returns the steps that became complete (as `lesson::Session::refresh`).
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

    /// The learner moved on from a step: a step without checks counts as done.
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

    /// Commits a prediction; the first one stays (one made after the reveal would
    /// not be a prediction), as the engine's session does.
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

fn find_quiz<'l>(lesson: &'l Lesson, id: &str) -> Result<&'l lesson::model::Quiz, QuizError> {
    lesson.quiz(id).ok_or_else(|| QuizError::WrongAnswerKind(format!("no quiz {id:?} in this lesson")))
}

/// Whether a step has a hidden `solution` block (a challenge) to show on request.
pub fn has_solution(lesson: &Lesson, step: usize) -> bool {
    lesson
        .steps
        .get(step)
        .is_some_and(|s| s.blocks.iter().any(|b| matches!(b, Block::Commands { solution: true, .. })))
}

#[cfg(test)]
mod tests {
    use lesson::environment;
    use sim_core::ClusterConfig;

    use super::*;

    fn nodeport() -> Lesson {
        let course = Course::builtin();
        assert!(course.errors.is_empty(), "{:?}", course.errors);
        course.lesson("services-nodeport").cloned().expect("the NodePort lesson is compiled in")
    }

    #[test]
    fn every_course_lesson_is_compiled_in_and_parses_in_order() {
        let course = Course::builtin();
        assert!(course.errors.is_empty(), "{:?}", course.errors);
        let ids: Vec<&str> = course.lessons.iter().map(|l| l.meta.id.as_str()).collect();
        assert_eq!(ids.first(), Some(&"services-clusterip"));
        assert!(ids.len() >= 6, "{ids:?}");
        assert_eq!(ids.get(1), Some(&"services-nodeport"));
    }

    #[test]
    fn checks_turn_green_as_the_learner_works_on_the_terminals_simulator() {
        let lesson = nodeport();
        let mut sim = environment::start(&lesson.meta.cluster, &lesson.meta.files, ClusterConfig::default())
            .expect("the lesson's cluster starts");
        let mut tracker = LessonTracker::new(&lesson);
        assert!(tracker.refresh(&lesson, &sim).is_empty());
        assert_eq!(tracker.progress.steps[0].checks, vec![false, false, false]);

        let Some(Block::File { path, content, .. }) = lesson.steps[0].blocks.iter().find(|b| matches!(b, Block::File { .. }))
        else {
            panic!("step 1 has a file block")
        };
        environment::create_file(&mut sim, path, content).expect("file created");
        let out = sim.run_line("kubectl apply -f web-service.yaml");
        tracker.observe_output(&lesson, &out.display);
        tracker.refresh(&lesson, &sim);
        assert_eq!(tracker.progress.steps[0].checks, vec![true, true, false]);

        let out = sim.run_line("kubectl get service web");
        tracker.observe_output(&lesson, &out.display);
        // Seen once, it stays seen after another command.
        tracker.observe_output(&lesson, "");
        assert_eq!(tracker.refresh(&lesson, &sim), vec![0]);
        assert_eq!(tracker.completed_steps(), (1, lesson.steps.len()));
    }

    #[test]
    fn quizzes_grade_wrong_then_right_and_keep_the_first_prediction() {
        let lesson = nodeport();
        let mut tracker = LessonTracker::new(&lesson);
        let wrong = tracker.answer_choice(&lesson, "nodeport-balances-nodes", &[0]).expect("graded");
        assert!(!wrong.correct);
        assert!(tracker.answer_choice(&lesson, "nodeport-balances-nodes", &[1]).expect("graded").correct);
        let first = tracker.commit_prediction(&lesson, "nodeport-must-choose", "0").expect("revealed");
        assert_eq!(first.correct, Some(false));
        let again = tracker.commit_prediction(&lesson, "nodeport-must-choose", "1").expect("revealed");
        assert_eq!(again.correct, Some(false), "the first prediction is kept");
    }

    #[test]
    fn saved_progress_that_no_longer_fits_the_lesson_is_detected() {
        let lesson = nodeport();
        let mut tracker = LessonTracker::new(&lesson);
        assert!(tracker.fits(&lesson));
        tracker.progress.steps.pop();
        assert!(!tracker.fits(&lesson));
        let mut other = LessonTracker::new(&lesson);
        other.progress.lesson_id = "services-ingress".into();
        assert!(!other.fits(&lesson));
    }
}
