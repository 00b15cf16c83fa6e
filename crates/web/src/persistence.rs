//! What the page keeps in `localStorage`, and the exported progress file: the keys,
//! the versioned progress document, and how saved data is checked on the way back
//! in. Plain Rust (the browser storage calls live in `components::app`), so the
//! rules for corrupt, old and foreign data are tested natively.
//!
//! Keys:
//! - `kubesim.progress.v1`: every lesson's progress (the document below; exported
//!   and imported as a file too).
//! - `kubesim.cluster.v1.<lesson id>` and `kubesim.cluster.v1.sandbox`: one
//!   simulator per lesson, as `sim_core::persist::save_simulator` writes it.
//! - `kubesim.autosave.v1`: the terminal's panic hook saves the simulator there; the
//!   page restores it into the place it was open at and removes it.
//! - `kubesim.theme`: `light` or `dark` when the learner chose one.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::course::{Course, LessonTracker};

pub const PROGRESS_KEY: &str = "kubesim.progress.v1";
pub const AUTOSAVE_KEY: &str = "kubesim.autosave.v1";
pub const THEME_KEY: &str = "kubesim.theme";
/// The largest saved simulator the page keeps (autosave, a lesson's cluster): about
/// what localStorage holds per origin (Chromium counts 10 MiB of UTF-16, 5 Mi
/// characters; Firefox 5 MiB). A larger state could not be stored anyway, and writing
/// it out whole would hold tens of MB of wasm memory (a 10,000-pod cluster's text is
/// about 60 MB), so saving stops at this size (`persist::save_simulator_within`).
pub const STATE_LIMIT_BYTES: usize = 5 * 1024 * 1024;
/// Every key this page writes starts so; "restart from scratch" removes them all.
pub const KEY_PREFIX: &str = "kubesim.";
/// The slot of the sandbox's simulator.
pub const SANDBOX_SLOT: &str = "sandbox";
/// The version of the progress document; a document of another version is reported
/// and replaced, never half-read.
pub const PROGRESS_VERSION: u64 = 1;

pub fn cluster_key(slot: &str) -> String {
    format!("kubesim.cluster.v1.{slot}")
}

/// The progress document, saved and exported.
#[derive(Debug, Default, Serialize, Deserialize)]
struct ProgressDocument {
    kubesim_progress_version: u64,
    lessons: BTreeMap<String, LessonTracker>,
    /// The page's route when saved (`#/lesson/.../step/2`), to come back to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    route: Option<String>,
}

/// Progress read back: what could be kept, and what was not (for the page to say).
#[derive(Debug, Default)]
pub struct LoadedProgress {
    pub lessons: BTreeMap<String, LessonTracker>,
    pub route: Option<String>,
    /// One sentence per lesson whose saved progress was dropped.
    pub notes: Vec<String>,
}

pub fn encode_progress(lessons: &BTreeMap<String, LessonTracker>, route: Option<&str>, pretty: bool) -> String {
    let doc = ProgressDocument {
        kubesim_progress_version: PROGRESS_VERSION,
        lessons: lessons.clone(),
        route: route.map(str::to_string),
    };
    let text = if pretty { serde_json::to_string_pretty(&doc) } else { serde_json::to_string(&doc) };
    text.unwrap_or_default()
}

/// Reads a progress document. A document that is not one, or of another version, is
/// an error (the caller reports it and starts fresh); a lesson the course no longer
/// has, or whose steps changed since, is dropped with a note and the rest kept.
pub fn decode_progress(text: &str, course: &Course) -> Result<LoadedProgress, String> {
    let value: Value = serde_json::from_str(text).map_err(|e| format!("the saved progress is not valid JSON ({e})"))?;
    let version = value
        .get("kubesim_progress_version")
        .ok_or("this is not kubesim progress (kubesim_progress_version is missing)")?
        .as_u64()
        .ok_or("kubesim_progress_version is not a number")?;
    if version != PROGRESS_VERSION {
        let which = if version < PROGRESS_VERSION { "older" } else { "newer" };
        return Err(format!("the saved progress is version {version}, {which} than this kubesim's ({PROGRESS_VERSION})"));
    }
    let lessons = value.get("lessons").and_then(Value::as_object).ok_or("the saved progress has no lessons")?;
    let mut loaded = LoadedProgress {
        route: value.get("route").and_then(Value::as_str).map(str::to_string),
        ..LoadedProgress::default()
    };
    for (id, saved) in lessons {
        let Some(lesson) = course.lesson(id) else {
            loaded.notes.push(format!("progress for an unknown lesson {id:?} was dropped"));
            continue;
        };
        match serde_json::from_value::<LessonTracker>(saved.clone()) {
            Ok(tracker) if tracker.fits(lesson) => {
                loaded.lessons.insert(id.clone(), tracker);
            }
            Ok(_) => loaded.notes.push(format!("{}: the lesson changed since it was saved; its progress starts again", lesson.meta.title)),
            Err(e) => loaded.notes.push(format!("{}: the saved progress is damaged ({e}); it starts again", lesson.meta.title)),
        }
    }
    Ok(loaded)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn course_with_progress() -> (Course, BTreeMap<String, LessonTracker>) {
        let course = Course::builtin();
        let mut lessons = BTreeMap::new();
        for lesson in &course.lessons {
            let mut tracker = LessonTracker::new(lesson);
            tracker.viewed_step = 1;
            lessons.insert(lesson.meta.id.clone(), tracker);
        }
        (course, lessons)
    }

    #[test]
    fn progress_round_trips_with_its_route() {
        let (course, mut lessons) = course_with_progress();
        if let Some(t) = lessons.get_mut("services-nodeport") {
            t.progress.steps[0].complete = true;
            t.solutions_shown.push(5);
        }
        let text = encode_progress(&lessons, Some("#/lesson/services-nodeport/step/2"), true);
        let loaded = decode_progress(&text, &course).expect("decodes");
        assert!(loaded.notes.is_empty(), "{:?}", loaded.notes);
        assert_eq!(loaded.lessons, lessons);
        assert_eq!(loaded.route.as_deref(), Some("#/lesson/services-nodeport/step/2"));
    }

    #[test]
    fn corrupt_foreign_and_other_versions_are_errors() {
        let course = Course::builtin();
        for (text, want) in [
            ("{not json", "not valid JSON"),
            ("[1,2,3]", "not kubesim progress"),
            (r#"{"kubesim_progress_version": "1"}"#, "not a number"),
            (r#"{"kubesim_progress_version": 0, "lessons": {}}"#, "version 0, older"),
            (r#"{"kubesim_progress_version": 7, "lessons": {}}"#, "version 7, newer"),
            (r#"{"kubesim_progress_version": 1}"#, "no lessons"),
        ] {
            let err = decode_progress(text, &course).expect_err(text);
            assert!(err.contains(want), "{text}: {err}");
        }
    }

    #[test]
    fn lessons_that_changed_or_vanished_are_dropped_with_a_note() {
        let (course, mut lessons) = course_with_progress();
        if let Some(t) = lessons.get_mut("services-nodeport") {
            t.progress.steps.push(Default::default());
        }
        lessons.insert("gone".into(), LessonTracker::default());
        let mut doc: Value = serde_json::from_str(&encode_progress(&lessons, None, false)).expect("valid JSON");
        doc["lessons"]["services-ingress"]["progress"] = Value::from(7);
        let text = doc.to_string();
        let loaded = decode_progress(&text, &course).expect("decodes");
        assert_eq!(loaded.notes.len(), 3, "{:?}", loaded.notes);
        assert!(!loaded.lessons.contains_key("services-nodeport"));
        assert!(!loaded.lessons.contains_key("services-ingress"));
        assert!(!loaded.lessons.contains_key("gone"));
        assert!(loaded.lessons.contains_key("services-clusterip"));
    }
}
