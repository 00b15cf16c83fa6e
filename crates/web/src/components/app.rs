//! The course page: the outline, the lesson pane, the visualizer and the terminal,
//! with routing (`#/lesson/<id>/step/<n>`, `#/sandbox`, `#/preview`, embed mode),
//! persistence in `localStorage`, and the page-wide controls (theme, screen-reader
//! mode, export/import, restart).
//!
//! One [`Controller`] holds the page's small state (routes, progress, notices) and
//! the [`SessionHandle`] that owns the simulator; components get plain props and
//! send [`LessonAction`]s back. Session events are handled in a microtask rather
//! than inside the session's own call, so no `RefCell` is ever borrowed twice.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use k8s_openapi::chrono::Duration;
use lesson::environment;
use lesson::model::Lesson;
use sim_core::persist::{restore_simulator, save_simulator_within};
use sim_core::{ClusterConfig, Simulator};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::components::lesson_outline::LessonOutline;
use crate::components::lesson_preview::LessonPreview;
use crate::components::lesson_view::{LessonAction, LessonView};
use crate::components::splitter::Splitter;
use crate::components::terminal_pane::TerminalPane;
use crate::course::{Course, LessonTracker};
use crate::persistence::{self, AUTOSAVE_KEY, KEY_PREFIX, PROGRESS_KEY, SANDBOX_SLOT, THEME_KEY};
use crate::route::{embed_from_query, Embed, Route};
use crate::session::{SessionEvent, SessionHandle, Subscription};

/// How often clock ticks re-run the checks.
const TICK_CHECK_INTERVAL_MILLIS: f64 = 1000.0;

/// The slot of the preview's simulator: never saved (an author's scratch cluster).
const PREVIEW_SLOT: &str = "preview";

/// A message shown above the panes.
#[derive(Clone, Debug, PartialEq)]
struct Notice {
    id: u32,
    problem: bool,
    text: String,
}

/// The page's state besides the simulator.
#[derive(Default)]
struct CourseState {
    route: Route,
    embed: Option<Embed>,
    trackers: BTreeMap<String, LessonTracker>,
    /// Whose simulator is in the terminal: a lesson id, `sandbox` or `preview`.
    slot: String,
    preview: Option<(Rc<Lesson>, LessonTracker)>,
    quiz_errors: BTreeMap<String, String>,
    notices: Vec<Notice>,
    next_notice: u32,
    /// The latest "done" message, for the polite live region.
    status: String,
    confirm_restart: bool,
    dark: bool,
    screen_reader: bool,
}

/// The page's one controller: the session (which owns the simulator), the course,
/// and the small state the views render from. Every button and event ends up in one
/// of its methods; views re-render through `rerender` after each.
pub struct Controller {
    session: SessionHandle,
    course: Rc<Course>,
    lessons: Vec<Rc<Lesson>>,
    state: RefCell<CourseState>,
    rerender: RefCell<Option<Callback<()>>>,
    subscription: RefCell<Option<Subscription>>,
    /// When checks last ran on a clock tick (wall-clock milliseconds).
    last_tick_check: std::cell::Cell<f64>,
}

impl PartialEq for Controller {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self, other)
    }
}

fn window() -> Option<web_sys::Window> {
    web_sys::window()
}

fn storage() -> Option<web_sys::Storage> {
    window()?.local_storage().ok().flatten()
}

fn stored(key: &str) -> Option<String> {
    storage()?.get_item(key).ok().flatten()
}

fn now_millis() -> i64 {
    js_sys::Date::now() as i64
}

/// The clock settings every simulator of the page gets: virtual time starts at the
/// wall clock and follows it (no per-command step); the seed is 1 unless the address
/// says `?seed=N`, so a learner can reproduce what someone else saw.
fn base_config() -> ClusterConfig {
    let seed = window()
        .and_then(|w| w.location().search().ok())
        .and_then(|search| {
            search.trim_start_matches('?').split('&').find_map(|pair| pair.strip_prefix("seed=")).and_then(|s| s.parse::<u64>().ok())
        })
        .unwrap_or(1);
    ClusterConfig { seed, start_unix_millis: now_millis(), command_step: Duration::zero(), ..ClusterConfig::default() }
}

/// A lesson's cluster is set up a minute before the learner arrives: the lesson says
/// "the cluster already runs two nginx pods", so its objects must have settled (pods
/// Running, endpoints filled) by the time the first command runs, as they would on a
/// cluster someone prepared beforehand. The first clock tick runs that minute.
const LESSON_SETUP_LEAD_MILLIS: i64 = 60_000;

fn lesson_config() -> ClusterConfig {
    let base = base_config();
    ClusterConfig { start_unix_millis: base.start_unix_millis - LESSON_SETUP_LEAD_MILLIS, ..base }
}

fn current_hash() -> String {
    window().and_then(|w| w.location().hash().ok()).unwrap_or_default()
}

/// Changes the address without a new history entry or a hashchange event.
fn replace_hash(hash: &str) {
    if let Some(history) = window().and_then(|w| w.history().ok()) {
        let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(hash));
    }
}

impl Controller {
    fn new() -> Rc<Controller> {
        let course = Rc::new(Course::builtin());
        let lessons = course.lessons.iter().cloned().map(Rc::new).collect();
        let mut state = CourseState {
            embed: window().and_then(|w| w.location().search().ok()).and_then(|s| embed_from_query(&s)),
            ..CourseState::default()
        };
        state.dark = match stored(THEME_KEY).as_deref() {
            Some("dark") => true,
            Some("light") => false,
            _ => window()
                .and_then(|w| w.match_media("(prefers-color-scheme: dark)").ok().flatten())
                .is_some_and(|m| m.matches()),
        };
        let mut notices = Vec::new();
        let mut saved_route = None;
        if let Some(text) = stored(PROGRESS_KEY) {
            match persistence::decode_progress(&text, &course) {
                Ok(loaded) => {
                    state.trackers = loaded.lessons;
                    saved_route = loaded.route;
                    notices.extend(loaded.notes);
                }
                Err(e) => {
                    notices.push(format!("Your saved progress could not be read: {e}. It was replaced by a fresh start."));
                    if let Some(s) = storage() {
                        let _ = s.remove_item(PROGRESS_KEY);
                    }
                }
            }
        }
        let controller_course = course.clone();
        let controller = Controller {
            // A placeholder until the first slot's simulator is chosen below: an empty
            // one, since building a second kind cluster before the first prompt only
            // to drop it cost as much as the real one.
            session: SessionHandle::new(Simulator::empty(base_config())),
            course: controller_course,
            lessons,
            state: RefCell::new(state),
            rerender: RefCell::new(None),
            subscription: RefCell::new(None),
            last_tick_check: std::cell::Cell::new(0.0),
        };
        for n in notices {
            controller.notice(true, n);
        }
        let route = controller.initial_route(saved_route);
        let slot = controller.slot_for(&route);
        let autosaved = stored(AUTOSAVE_KEY);
        let sim = match autosaved {
            Some(text) => {
                if let Some(s) = storage() {
                    let _ = s.remove_item(AUTOSAVE_KEY);
                }
                match restore_simulator(&text, base_config()) {
                    Ok(sim) => {
                        controller.notice(false, "The terminal stopped after an internal error; your cluster, files and history were restored.".into());
                        sim
                    }
                    Err(e) => {
                        controller.notice(true, format!("The terminal's emergency save could not be restored ({e})."));
                        controller.load_slot(&slot)
                    }
                }
            }
            None => controller.load_slot(&slot),
        };
        // Swapped in silently: the terminal has not started yet and prints its first
        // prompt itself (a replace would print a second one).
        controller.session.with_simulator(|placeholder| *placeholder = sim);
        {
            let mut state = controller.state.borrow_mut();
            state.slot = slot;
            state.route = route.clone();
        }
        controller.after_route(&route);
        Rc::new(controller)
    }

    /// Where the page opens: the address, else (embed) the embedded lesson, else
    /// where the learner was, else the course's home page.
    fn initial_route(&self, saved: Option<String>) -> Route {
        let embed = self.state.borrow().embed.clone();
        let parsed = Route::parse(&current_hash());
        let route = match (parsed, embed) {
            (Route::Home, Some(Embed { lesson: Some(id) })) => Route::Lesson { id, step: 0 },
            (Route::Home, Some(Embed { lesson: None })) => Route::Sandbox,
            // A returning learner goes back to where they were; a new one sees the
            // course's home page (with the sandbox's terminal).
            (Route::Home, None) => saved.map(|s| Route::parse(&s)).unwrap_or(Route::Home),
            (route, _) => route,
        };
        let route = self.valid(route);
        replace_hash(&route.to_hash());
        route
    }

    fn first_unfinished(&self) -> Route {
        let state = self.state.borrow();
        let lesson = self
            .lessons
            .iter()
            .find(|l| !state.trackers.get(&l.meta.id).is_some_and(|t| t.progress.is_complete()))
            .or(self.lessons.first());
        match lesson {
            Some(l) => Route::Lesson { id: l.meta.id.clone(), step: state.trackers.get(&l.meta.id).map(|t| t.viewed_step).unwrap_or(0) },
            None => Route::Sandbox,
        }
    }

    /// A route to an unknown lesson goes home, saying so; a step past the end is the last.
    fn valid(&self, route: Route) -> Route {
        match route {
            Route::Lesson { id, step } => match self.lesson(&id) {
                Some(lesson) => Route::Lesson { id, step: step.min(lesson.steps.len().saturating_sub(1)) },
                None => {
                    self.notice(true, format!("There is no lesson {id:?} in this course."));
                    self.first_unfinished()
                }
            },
            other => other,
        }
    }

    fn lesson(&self, id: &str) -> Option<Rc<Lesson>> {
        self.lessons.iter().find(|l| l.meta.id == id).cloned()
    }

    fn slot_for(&self, route: &Route) -> String {
        match route {
            Route::Lesson { id, .. } => id.clone(),
            Route::Preview => PREVIEW_SLOT.to_string(),
            Route::Sandbox | Route::Home => SANDBOX_SLOT.to_string(),
        }
    }

    /// The simulator a slot starts with: its saved one, else a fresh one.
    fn load_slot(&self, slot: &str) -> Simulator {
        if slot != PREVIEW_SLOT {
            if let Some(text) = stored(&persistence::cluster_key(slot)) {
                match restore_simulator(&text, base_config()) {
                    Ok(sim) => return sim,
                    Err(e) => {
                        self.notice(true, format!("The saved cluster of {} could not be restored ({e}); it starts fresh.", self.slot_title(slot)));
                        if let Some(s) = storage() {
                            let _ = s.remove_item(&persistence::cluster_key(slot));
                        }
                    }
                }
            }
        }
        self.fresh_slot(slot)
    }

    fn fresh_slot(&self, slot: &str) -> Simulator {
        let Some(lesson) = self.lesson(slot) else { return Simulator::new(base_config()) };
        match environment::start(&lesson.meta.cluster, &lesson.meta.files, lesson_config()) {
            Ok(sim) => sim,
            Err(e) => {
                self.notice(true, format!("{}: the lesson's cluster could not be built ({e}); a plain cluster stands in.", lesson.meta.title));
                Simulator::new(base_config())
            }
        }
    }

    fn slot_title(&self, slot: &str) -> String {
        self.lesson(slot).map(|l| l.meta.title.clone()).unwrap_or_else(|| slot.to_string())
    }

    fn notice(&self, problem: bool, text: String) {
        let mut state = self.state.borrow_mut();
        if problem {
            state.next_notice += 1;
            let id = state.next_notice;
            state.notices.push(Notice { id, problem, text });
        } else {
            state.status = text;
        }
    }

    fn rerender(&self) {
        let callback = self.rerender.borrow().clone();
        if let Some(cb) = callback {
            cb.emit(());
        }
    }

    /// Saves the progress document; a full or refused storage is reported once.
    fn save_progress(&self) {
        let text = {
            let state = self.state.borrow();
            persistence::encode_progress(&state.trackers, Some(&state.route.to_hash()), false)
        };
        self.store(PROGRESS_KEY, &text);
    }

    /// Saves the terminal's simulator under its slot (not the preview's).
    fn save_cluster(&self) {
        let slot = self.state.borrow().slot.clone();
        if slot.is_empty() || slot == PREVIEW_SLOT {
            return;
        }
        match self.session.with_simulator(|sim| save_simulator_within(sim, persistence::STATE_LIMIT_BYTES)) {
            Some(text) => self.store(&persistence::cluster_key(&slot), &text),
            // Larger than localStorage holds: the browser would refuse it.
            None => self.refused(),
        }
    }

    fn store(&self, key: &str, text: &str) {
        let Some(storage) = storage() else { return };
        if storage.set_item(key, text).is_err() {
            self.refused();
        }
    }

    /// Tells the learner (once) that the browser did not save.
    fn refused(&self) {
        let already = self.state.borrow().notices.iter().any(|n| n.text.starts_with("The browser refused"));
        if !already {
            self.notice(true, "The browser refused to save (storage full or disabled): progress will not survive a reload.".into());
        }
    }

    /// The hash changed (a link, the back button, a step button).
    fn navigate(&self, route: Route) {
        let route = self.valid(route);
        if route.to_hash() != current_hash() {
            replace_hash(&route.to_hash());
        }
        let new_slot = self.slot_for(&route);
        let old_slot = self.state.borrow().slot.clone();
        if new_slot != old_slot {
            self.save_cluster();
            let sim = self.load_slot(&new_slot);
            self.state.borrow_mut().slot = new_slot;
            self.session.replace_simulator(sim);
        }
        // Moving on from a step without checks counts as reading it.
        let previous = self.state.borrow().route.clone();
        if let (Route::Lesson { id: a, step: from }, Route::Lesson { id: b, step: to }) = (&previous, &route) {
            if a == b && to > from {
                if let Some(lesson) = self.lesson(a) {
                    let mut state = self.state.borrow_mut();
                    if let Some(t) = state.trackers.get_mut(a) {
                        t.mark_read(&lesson, *from);
                    }
                }
            }
        }
        {
            let mut state = self.state.borrow_mut();
            // A "done" message belongs to the step it was said on.
            if state.route != route {
                state.status.clear();
            }
            state.route = route.clone();
        }
        self.after_route(&route);
        self.save_progress();
        self.rerender();
        focus_step_title();
    }

    fn after_route(&self, route: &Route) {
        if let Route::Lesson { id, step } = route {
            if let Some(lesson) = self.lesson(id) {
                let mut state = self.state.borrow_mut();
                let tracker = state.trackers.entry(id.clone()).or_insert_with(|| LessonTracker::new(&lesson));
                tracker.viewed_step = *step;
            }
        }
        self.refresh_checks();
    }

    /// The active lesson (the open course lesson, or the previewed one).
    fn active_lesson(&self) -> Option<Rc<Lesson>> {
        let state = self.state.borrow();
        match &state.route {
            Route::Lesson { id, .. } => self.lesson(id),
            Route::Preview => state.preview.as_ref().map(|(l, _)| l.clone()),
            _ => None,
        }
    }

    /// Runs `f` on the active lesson's tracker.
    fn with_tracker<R>(&self, f: impl FnOnce(&Lesson, &mut LessonTracker) -> R) -> Option<R> {
        let lesson = self.active_lesson()?;
        let mut state = self.state.borrow_mut();
        let tracker = match &state.route {
            Route::Lesson { id, .. } => {
                let id = id.clone();
                state.trackers.entry(id).or_insert_with(|| LessonTracker::new(&lesson))
            }
            Route::Preview => &mut state.preview.as_mut()?.1,
            _ => return None,
        };
        Some(f(&lesson, tracker))
    }

    /// Re-evaluates the active lesson's checks against the terminal's simulator.
    fn refresh_checks(&self) -> bool {
        let Some(lesson) = self.active_lesson() else { return false };
        let Some(mut tracker) = self.with_tracker(|_, t| t.clone()) else { return false };
        let before = tracker.progress.clone();
        self.session.with_simulator(|sim| tracker.refresh(&lesson, sim));
        let changed = before != tracker.progress;
        self.with_tracker(|_, t| *t = tracker);
        changed
    }

    fn on_session_event(&self, event: SessionEvent) {
        match event {
            SessionEvent::CommandFinished { output, .. } => {
                self.with_tracker(|lesson, t| t.observe_output(lesson, &output));
                self.refresh_checks();
                self.save_cluster();
                self.save_progress();
                self.rerender();
            }
            SessionEvent::Ticked => {
                // Controllers move with time alone (pods become Ready): re-check, and
                // redraw only when something turned. The session ticks four times a
                // second; checks (a curl copies the simulator) are run once a second.
                let now = js_sys::Date::now();
                if now - self.last_tick_check.get() < TICK_CHECK_INTERVAL_MILLIS {
                    return;
                }
                self.last_tick_check.set(now);
                if self.refresh_checks() {
                    self.save_progress();
                    self.rerender();
                }
            }
            SessionEvent::Replaced => {
                self.with_tracker(|_, t| t.last_output = None);
                self.refresh_checks();
                self.rerender();
            }
        }
    }

    fn act(&self, action: LessonAction) {
        match action {
            LessonAction::Run(lines) => {
                for line in lines {
                    self.session.run_command(&line);
                }
            }
            LessonAction::Copy(text) => copy_to_clipboard(&text),
            LessonAction::CreateFile { path, content } => {
                match self.session.with_simulator(|sim| environment::create_file(sim, &path, &content)) {
                    Ok(()) => self.notice(false, format!("Created {path} in your home directory.")),
                    Err(e) => self.notice(true, format!("Could not create the file: {e}")),
                }
                self.refresh_checks();
                self.save_cluster();
                self.save_progress();
            }
            LessonAction::EditFile { path, content } => {
                // An existing file opens as it is: the learner's edits are never overwritten.
                let created = self.session.with_simulator(|sim| {
                    if environment::read_file(sim, &path).is_ok() {
                        Ok(())
                    } else {
                        environment::create_file(sim, &path, &content)
                    }
                });
                match created {
                    Ok(()) => self.session.run_command(&format!("nano {}", shell_word(&path))),
                    Err(e) => self.notice(true, format!("Could not create the file: {e}")),
                }
            }
            LessonAction::Environment(action) => {
                match self.session.with_simulator(|sim| environment::apply_action(sim, &action)) {
                    Ok(()) => self.notice(false, "Done: the simulated cloud provider changed.".into()),
                    Err(e) => self.notice(true, e),
                }
                self.refresh_checks();
                self.save_cluster();
            }
            LessonAction::AnswerChoice { quiz, picked } => {
                let result = self.with_tracker(|lesson, t| t.answer_choice(lesson, &quiz, &picked).map(|_| ()));
                self.quiz_result(&quiz, result);
            }
            LessonAction::Predict { quiz, prediction } => {
                let result = self.with_tracker(|lesson, t| t.commit_prediction(lesson, &quiz, &prediction).map(|_| ()));
                self.quiz_result(&quiz, result);
            }
            LessonAction::AnswerRun { quiz, answer } => {
                let lesson = self.active_lesson();
                let tracker = self.with_tracker(|_, t| t.clone());
                if let (Some(lesson), Some(mut tracker)) = (lesson, tracker) {
                    let result = self.session.with_simulator(|sim| tracker.answer_run(&lesson, sim, &quiz, &answer).map(|_| ()));
                    self.with_tracker(|_, t| *t = tracker);
                    self.quiz_result(&quiz, Some(result));
                }
            }
            LessonAction::GoToStep(step) => {
                let route = match &self.state.borrow().route {
                    Route::Lesson { id, .. } => Some(Route::Lesson { id: id.clone(), step }),
                    Route::Preview => None,
                    _ => None,
                };
                match route {
                    Some(route) => set_hash(&route.to_hash()),
                    None => {
                        // The preview has no address per step: it keeps its step in its tracker.
                        if let Some((_, t)) = self.state.borrow_mut().preview.as_mut() {
                            t.viewed_step = step;
                        }
                        focus_step_title();
                    }
                }
            }
            LessonAction::ShowSolution(step) => {
                self.with_tracker(|_, t| {
                    if !t.solutions_shown.contains(&step) {
                        t.solutions_shown.push(step);
                    }
                });
                self.save_progress();
            }
            LessonAction::ResetCluster => self.reset_cluster(),
        }
        self.rerender();
    }

    fn quiz_result(&self, quiz: &str, result: Option<Result<(), lesson::quiz::QuizError>>) {
        let mut state = self.state.borrow_mut();
        match result {
            Some(Err(lesson::quiz::QuizError::NotAnswerableYet(why))) => {
                state.quiz_errors.insert(quiz.to_string(), format!("Not answerable yet: {why}. Do the step's commands first."));
            }
            Some(Err(lesson::quiz::QuizError::WrongAnswerKind(why))) => {
                state.quiz_errors.insert(quiz.to_string(), why);
            }
            _ => {
                state.quiz_errors.remove(quiz);
            }
        }
        drop(state);
        self.save_progress();
    }

    /// A fresh start cluster for the open lesson (or sandbox); progress stays.
    fn reset_cluster(&self) {
        let slot = self.state.borrow().slot.clone();
        if slot == PREVIEW_SLOT {
            self.start_preview_cluster();
            return;
        }
        let sim = self.fresh_slot(&slot);
        self.session.replace_simulator(sim);
        self.save_cluster();
        self.notice(false, format!("{}: the cluster started again.", self.slot_title(&slot)));
    }

    /// Forgets every lesson's progress and cluster and opens the first lesson.
    fn restart_everything(&self) {
        if let Some(storage) = storage() {
            let keys: Vec<String> = (0..storage.length().unwrap_or(0)).filter_map(|i| storage.key(i).ok().flatten()).collect();
            for key in keys.iter().filter(|k| k.starts_with(KEY_PREFIX) && k.as_str() != THEME_KEY) {
                let _ = storage.remove_item(key);
            }
        }
        {
            let mut state = self.state.borrow_mut();
            state.trackers.clear();
            state.quiz_errors.clear();
            state.notices.clear();
            state.confirm_restart = false;
            state.slot.clear();
        }
        let first = self.first_unfinished();
        set_hash(&first.to_hash());
        self.navigate(first);
        self.notice(false, "Everything was reset: the course starts from the beginning.".into());
        self.rerender();
    }

    fn export_progress(&self) {
        let text = {
            let state = self.state.borrow();
            persistence::encode_progress(&state.trackers, Some(&state.route.to_hash()), true)
        };
        if download("kubesim-progress.json", &text).is_err() {
            self.notice(true, "The browser refused to save the file.".into());
        } else {
            self.notice(false, "Progress exported as kubesim-progress.json.".into());
        }
        self.rerender();
    }

    fn import_progress(&self, text: &str) {
        match persistence::decode_progress(text, &self.course) {
            Ok(loaded) => {
                let count = loaded.lessons.len();
                {
                    let mut state = self.state.borrow_mut();
                    state.trackers = loaded.lessons;
                }
                for note in loaded.notes {
                    self.notice(true, note);
                }
                let route = self.state.borrow().route.clone();
                self.after_route(&route);
                self.save_progress();
                self.notice(false, format!("Imported progress for {count} lesson{}.", if count == 1 { "" } else { "s" }));
            }
            Err(e) => self.notice(true, format!("That file could not be imported: {e}.")),
        }
        self.rerender();
    }

    fn set_dark(&self, dark: bool) {
        self.state.borrow_mut().dark = dark;
        self.store(THEME_KEY, if dark { "dark" } else { "light" });
        apply_theme(dark);
        self.rerender();
    }

    fn set_screen_reader(&self, on: bool) {
        // The terminal pane passes it to xterm.js (`screen_reader` prop).
        self.state.borrow_mut().screen_reader = on;
        self.rerender();
    }

    fn set_preview(&self, lesson: Option<Rc<Lesson>>) {
        {
            let mut state = self.state.borrow_mut();
            state.preview = lesson.map(|l| {
                let tracker = LessonTracker::new(&l);
                (l, tracker)
            });
            state.quiz_errors.clear();
        }
        self.refresh_checks();
        self.rerender();
    }

    /// The preview's "start this lesson's cluster".
    fn start_preview_cluster(&self) {
        let lesson = self.state.borrow().preview.as_ref().map(|(l, _)| l.clone());
        let Some(lesson) = lesson else { return };
        match environment::start(&lesson.meta.cluster, &lesson.meta.files, lesson_config()) {
            Ok(sim) => self.session.replace_simulator(sim),
            Err(e) => self.notice(true, format!("The previewed lesson's cluster could not be built: {e}")),
        }
        self.rerender();
    }
}

/// Below the wide layout's breakpoint (`static/kubesim.css`) the outline sits above
/// the lesson, folded.
fn narrow_screen() -> bool {
    window().and_then(|w| w.match_media("(max-width: 1279px)").ok().flatten()).is_some_and(|m| m.matches())
}

fn apply_theme(dark: bool) {
    if let Some(root) = window().and_then(|w| w.document()).and_then(|d| d.document_element()) {
        let _ = root.set_attribute("data-theme", if dark { "dark" } else { "light" });
    }
}

fn set_hash(hash: &str) {
    if let Some(w) = window() {
        let _ = w.location().set_hash(hash);
    }
}

/// Moves keyboard focus to the step's heading after a step change, so screen
/// readers announce it and Tab continues from there.
fn focus_step_title() {
    let Some(document) = window().and_then(|w| w.document()) else { return };
    // After Yew has rendered the new step.
    let focus = Closure::once_into_js(move || {
        if let Some(el) = document.get_element_by_id("ks-step-title").and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
            let _ = el.focus();
        }
    });
    if let Some(w) = window() {
        let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(focus.unchecked_ref(), 0);
    }
}

/// `navigator.clipboard.writeText`, where the browser allows it; a refusal (no
/// permission, a file:// page) is not an error worth a console line.
fn copy_to_clipboard(text: &str) {
    let Some(w) = window() else { return };
    let clipboard = js_sys::Reflect::get(&w.navigator(), &"clipboard".into()).ok().filter(|c| !c.is_undefined());
    let Some(clipboard) = clipboard else { return };
    let write = js_sys::Reflect::get(&clipboard, &"writeText".into()).ok().and_then(|f| f.dyn_into::<js_sys::Function>().ok());
    if let Some(write) = write {
        if let Ok(promise) = write.call1(&clipboard, &text.into()) {
            if let Ok(promise) = promise.dyn_into::<js_sys::Promise>() {
                wasm_bindgen_futures::spawn_local(async move {
                    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
                });
            }
        }
    }
}

/// Offers `text` as a file download (an object URL on a temporary link).
fn download(name: &str, text: &str) -> Result<(), JsValue> {
    let document = window().and_then(|w| w.document()).ok_or("no document")?;
    let parts = js_sys::Array::of1(&text.into());
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("application/json");
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)?;
    let link: web_sys::HtmlAnchorElement = document.create_element("a")?.unchecked_into();
    link.set_href(&url);
    link.set_download(name);
    link.click();
    web_sys::Url::revoke_object_url(&url)?;
    Ok(())
}

/// Quotes a path for the shell when it needs it.
fn shell_word(word: &str) -> String {
    if word.chars().all(|c| c.is_ascii_alphanumeric() || "-_./~".contains(c)) {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

#[function_component(App)]
pub fn app() -> Html {
    let controller = use_memo((), |_| Controller::new());
    let update = use_force_update();
    {
        let controller = controller.clone();
        *controller.rerender.borrow_mut() = Some(Callback::from(move |()| update.force_update()));
    }
    // Session events, hash changes, page hide: wired once.
    {
        let controller = controller.clone();
        use_effect_with((), move |_| {
            let events = {
                let controller = controller.clone();
                Callback::from(move |event: SessionEvent| {
                    let controller = controller.clone();
                    wasm_bindgen_futures::spawn_local(async move { controller.on_session_event(event) });
                })
            };
            *controller.subscription.borrow_mut() = Some(controller.session.subscribe(events));
            let on_hash = {
                let controller = controller.clone();
                Closure::<dyn FnMut()>::new(move || controller.navigate(Route::parse(&current_hash())))
            };
            let on_hide = {
                let controller = controller.clone();
                Closure::<dyn FnMut()>::new(move || {
                    controller.save_cluster();
                    controller.save_progress();
                })
            };
            if let Some(w) = window() {
                let _ = w.add_event_listener_with_callback("hashchange", on_hash.as_ref().unchecked_ref());
                let _ = w.add_event_listener_with_callback("pagehide", on_hide.as_ref().unchecked_ref());
            }
            apply_theme(controller.state.borrow().dark);
            // The wasm is running: the loading indicator goes.
            if let Some(loading) = window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id("ks-loading")) {
                loading.remove();
            }
            move || {
                if let Some(w) = window() {
                    let _ = w.remove_event_listener_with_callback("hashchange", on_hash.as_ref().unchecked_ref());
                    let _ = w.remove_event_listener_with_callback("pagehide", on_hide.as_ref().unchecked_ref());
                }
                controller.subscription.borrow_mut().take();
            }
        });
    }

    let c = controller.clone();
    let onaction = Callback::from(move |action: LessonAction| c.act(action));
    let state = controller.state.borrow();
    let embed = state.embed.is_some();

    let lesson_pane = match &state.route {
        Route::Lesson { id, step } => match controller.lesson(id) {
            Some(lesson) => {
                let tracker = state.trackers.get(id).cloned().unwrap_or_else(|| LessonTracker::new(&lesson));
                html! {
                    <LessonView {lesson} {tracker} step={*step} quiz_errors={state.quiz_errors.clone()} onaction={onaction.clone()}
                        session={Some(controller.session.clone())} />
                }
            }
            None => html! {},
        },
        Route::Preview => {
            let c = controller.clone();
            let onparsed = Callback::from(move |lesson| c.set_preview(lesson));
            let c = controller.clone();
            let start = Callback::from(move |_| c.start_preview_cluster());
            html! {
                <>
                    <LessonPreview {onparsed} />
                    if let Some((lesson, tracker)) = &state.preview {
                        <div class="ks-preview-lesson">
                            <p class="ks-block-label">{ "Parsed without errors. The lesson as learners will see it:" }</p>
                            <button type="button" class="ks-button" onclick={start}>{ "Start this lesson's cluster in the terminal" }</button>
                            <LessonView lesson={lesson.clone()} tracker={tracker.clone()} step={tracker.viewed_step}
                                quiz_errors={state.quiz_errors.clone()} onaction={onaction.clone()}
                                session={Some(controller.session.clone())} />
                        </div>
                    }
                </>
            }
        }
        Route::Home => {
            let next = controller.first_unfinished();
            let started = !state.trackers.is_empty();
            html! {
                <article class="ks-lesson-body ks-home">
                    <h1 id="ks-step-title" tabindex="-1">{ "Kubernetes Services, hands on" }</h1>
                    <p>{ "Six short lessons on how traffic reaches your pods: ClusterIP and cluster DNS, NodePort, LoadBalancer, externalTrafficPolicy, Ingress, and choosing between them." }</p>
                    <p>{ "Each lesson gives you a cluster of your own in the terminal. Type real kubectl commands, or press a lesson's Run buttons; the checks turn green as you go, and everything is saved in this browser." }</p>
                    <p><a class="ks-button ks-primary" href={next.to_hash()}>{ if started { "Continue the course" } else { "Start the course" } }</a></p>
                    <p>{ "The terminal beside this page is a sandbox: a kind cluster with a control plane and two workers. Try " }<code>{ "kubectl get nodes" }</code>{ "." }</p>
                </article>
            }
        }
        Route::Sandbox => {
            let c = controller.clone();
            let reset = Callback::from(move |_| c.act(LessonAction::ResetCluster));
            html! {
                <article class="ks-lesson-body ks-sandbox">
                    <h1 id="ks-step-title" tabindex="-1">{ "Sandbox" }</h1>
                    <p>{ "A kind cluster with a control plane and two workers, and no lesson: try anything. It is saved like the lessons' clusters." }</p>
                    <p>{ "Start with " }<code>{ "kubectl get nodes" }</code>{ " or " }<code>{ "kubectl create deployment web --image=nginx" }</code>{ "." }</p>
                    <button type="button" class="ks-button" onclick={reset}>{ "Reset the sandbox cluster" }</button>
                </article>
            }
        }
    };

    let notices = html! {
        <div class="ks-notices">
            { for state.notices.iter().map(|n| {
                let c = controller.clone();
                let id = n.id;
                let dismiss = Callback::from(move |_| {
                    c.state.borrow_mut().notices.retain(|n| n.id != id);
                    c.rerender();
                });
                html! {
                    <div class={classes!("ks-notice", n.problem.then_some("ks-bad"))} role="alert">
                        <span>{ &n.text }</span>
                        <button type="button" class="ks-button ks-quiet" onclick={dismiss} aria-label="Dismiss this message">{ "×" }</button>
                    </div>
                }
            }) }
            <p class="ks-status" role="status" aria-live="polite">{ &state.status }</p>
        </div>
    };

    let header = if embed {
        html! {}
    } else {
        let c = controller.clone();
        let dark = state.dark;
        let toggle_theme = Callback::from(move |_| c.set_dark(!dark));
        let c = controller.clone();
        let sr = state.screen_reader;
        let toggle_sr = Callback::from(move |_| c.set_screen_reader(!sr));
        let c = controller.clone();
        let export = Callback::from(move |_| c.export_progress());
        let c = controller.clone();
        let import = Callback::from(move |e: Event| {
            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
            let Some(file) = input.files().and_then(|f| f.get(0)) else { return };
            input.set_value("");
            let c = c.clone();
            wasm_bindgen_futures::spawn_local(async move {
                match wasm_bindgen_futures::JsFuture::from(file.text()).await {
                    Ok(text) => c.import_progress(&text.as_string().unwrap_or_default()),
                    Err(_) => {
                        c.notice(true, "The file could not be read.".into());
                        c.rerender();
                    }
                }
            });
        });
        let c = controller.clone();
        let ask_restart = Callback::from(move |_| {
            c.state.borrow_mut().confirm_restart = true;
            c.rerender();
        });
        let c = controller.clone();
        let restart = Callback::from(move |_| c.restart_everything());
        let c = controller.clone();
        let cancel_restart = Callback::from(move |_| {
            c.state.borrow_mut().confirm_restart = false;
            c.rerender();
        });
        html! {
            <header class="ks-bar">
                <a class="ks-title" href="#/">{ "kubesim" }</a>
                <span class="ks-subtitle">{ "Kubernetes Services, hands on" }</span>
                <div class="ks-bar-tools">
                    <button type="button" class="ks-button ks-quiet" onclick={toggle_theme} aria-pressed={dark.to_string()}>{ "Dark theme" }</button>
                    <button type="button" class="ks-button ks-quiet" onclick={toggle_sr} aria-pressed={sr.to_string()}
                        title="Makes the terminal's output readable by screen readers">{ "Screen reader mode" }</button>
                    <button type="button" class="ks-button ks-quiet" onclick={export}>{ "Export progress" }</button>
                    <label class="ks-button ks-quiet ks-file-button">
                        { "Import progress" }
                        <input type="file" accept=".json,application/json" class="ks-visually-hidden" onchange={import} data-import="progress" />
                    </label>
                    if state.confirm_restart {
                        <span class="ks-confirm" role="group" aria-label="Confirm restart">
                            { "Erase all progress and clusters? " }
                            <button type="button" class="ks-button ks-danger" onclick={restart}>{ "Erase and restart" }</button>
                            <button type="button" class="ks-button ks-quiet" onclick={cancel_restart}>{ "Cancel" }</button>
                        </span>
                    } else {
                        <button type="button" class="ks-button ks-quiet" onclick={ask_restart}>{ "Restart from scratch…" }</button>
                    }
                </div>
            </header>
        }
    };

    let outline = if embed {
        html! {}
    } else {
        html! {
            <details class="ks-outline-box" open={!narrow_screen()}>
                <summary>{ "Course outline" }</summary>
                <LessonOutline course={controller.course.clone()} trackers={state.trackers.clone()} route={state.route.clone()} />
            </details>
        }
    };

    let visualizer = if embed {
        html! {}
    } else {
        // Open by default where there is height for it beside a usable terminal; a
        // learner opens or closes it with its summary (a native, keyboard-reachable toggle).
        let tall = web_sys::window()
            .and_then(|w| w.inner_height().ok())
            .and_then(|h| h.as_f64())
            .is_some_and(|h| h >= 800.0);
        html! { <details class="ks-viz" open={tall}>
            <summary>{ "Traffic flow" }</summary>
            <crate::viz::Visualizer session={controller.session.clone()} />
        </details> }
    };

    html! {
        <div class={classes!("ks-app", embed.then_some("ks-embed"))}>
            { header }
            { notices }
            <div class="ks-body">
                { outline }
                <main id="ks-lesson" class="ks-lesson">{ lesson_pane }</main>
                <Splitter />
                <section class="ks-work" aria-label="Terminal and visualizer">
                    { visualizer }
                    <div class="ks-terminal-box"><TerminalPane session={controller.session.clone()} screen_reader={state.screen_reader} /></div>
                    <p class="ks-terminal-hint">{ crate::components::terminal_pane::KEYS_HELP }</p>
                </section>
            </div>
        </div>
    }
}
