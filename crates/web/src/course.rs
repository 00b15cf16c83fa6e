//! The course as the page holds it: every lesson compiled into the wasm (see
//! `build.rs`), parsed once, in course order; and a [`LessonTracker`] per lesson that
//! keeps the learner's progress against the terminal's own simulator.
//!
//! The lesson engine's `lesson::Session` owns its simulator; in the page the
//! simulator belongs to the terminal session and is lent out by
//! `SessionHandle::with_simulator`, so the page keeps the engine's
//! `lesson::session::Tracker` (the same step, check and quiz rules) and hands it the
//! borrowed `&Simulator`.

use lesson::model::{Block, Lesson};
use lesson::session::Tracker;
use serde::{Deserialize, Serialize};

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

/// A learner's progress through one lesson, as saved: the engine's [`Tracker`]
/// (progress, which `output_contains` checks were seen, the last output), evaluated
/// against the terminal's simulator, plus what only the page needs: the step last
/// looked at and the solutions shown. The saved JSON keeps the tracker's fields at
/// the top level (`flatten`), as before the tracker moved into the lesson crate.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LessonTracker {
    #[serde(flatten)]
    pub engine: Tracker,
    /// The step the learner last had open (0-based).
    #[serde(default)]
    pub viewed_step: usize,
    /// Steps whose hidden solution the learner chose to show.
    #[serde(default)]
    pub solutions_shown: Vec<usize>,
}

impl LessonTracker {
    pub fn new(lesson: &Lesson) -> LessonTracker {
        LessonTracker { engine: Tracker::new(lesson), viewed_step: 0, solutions_shown: Vec::new() }
    }
}

impl std::ops::Deref for LessonTracker {
    type Target = Tracker;
    fn deref(&self) -> &Tracker {
        &self.engine
    }
}

impl std::ops::DerefMut for LessonTracker {
    fn deref_mut(&mut self) -> &mut Tracker {
        &mut self.engine
    }
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
