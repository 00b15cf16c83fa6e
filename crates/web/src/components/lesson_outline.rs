//! The course outline: every lesson with its progress, the open lesson's steps, and
//! links to the sandbox and the authors' preview. Plain links to hash routes, so
//! they work with the keyboard, open in new tabs and can be copied.

use std::collections::BTreeMap;
use std::rc::Rc;

use yew::prelude::*;

use crate::course::{Course, LessonTracker};
use crate::route::Route;

#[derive(Properties)]
pub struct LessonOutlineProps {
    pub course: Rc<Course>,
    pub trackers: BTreeMap<String, LessonTracker>,
    pub route: Route,
}

// The course never changes while the page lives: the same Rc is the same course.
impl PartialEq for LessonOutlineProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.course, &other.course) && self.trackers == other.trackers && self.route == other.route
    }
}

#[function_component(LessonOutline)]
pub fn lesson_outline(props: &LessonOutlineProps) -> Html {
    let lessons = props.course.lessons.iter().map(|lesson| {
        let id = &lesson.meta.id;
        let tracker = props.trackers.get(id);
        let (done, total) = tracker.map(|t| t.completed_steps()).unwrap_or((0, lesson.steps.len()));
        let open_step = match &props.route {
            Route::Lesson { id: open, step } if open == id => Some(*step),
            _ => None,
        };
        let href = Route::Lesson { id: id.clone(), step: tracker.map(|t| t.viewed_step).unwrap_or(0) }.to_hash();
        let complete = total > 0 && done == total;
        html! {
            <li class={classes!("ks-outline-lesson", open_step.is_some().then_some("ks-open"), complete.then_some("ks-complete"))}>
                <a {href} aria-current={open_step.is_some().then_some("page")}>
                    <span class="ks-outline-title">{ &lesson.meta.title }</span>
                    <span class="ks-outline-progress">
                        <progress max={total.to_string()} value={done.to_string()} aria-label={format!("{} progress", lesson.meta.title)}></progress>
                        { format!("{done}/{total}") }
                    </span>
                </a>
                if let Some(open) = open_step {
                    <ol class="ks-outline-steps">
                        { for lesson.steps.iter().enumerate().map(|(i, step)| {
                            let step_done = tracker.and_then(|t| t.progress.steps.get(i)).is_some_and(|p| p.complete);
                            let href = Route::Lesson { id: id.clone(), step: i }.to_hash();
                            html! {
                                <li class={classes!(step_done.then_some("ks-done"))}>
                                    <a {href} aria-current={(i == open).then_some("step")}>
                                        <span aria-hidden="true">{ if step_done { "✓ " } else { "" } }</span>
                                        { &step.title }
                                        if step_done { <span class="ks-visually-hidden">{ " (done)" }</span> }
                                    </a>
                                </li>
                            }
                        }) }
                    </ol>
                }
            </li>
        }
    });
    let total_lessons = props.course.lessons.len();
    let complete_lessons = props
        .course
        .lessons
        .iter()
        .filter(|l| props.trackers.get(&l.meta.id).is_some_and(|t| t.progress.is_complete() && !l.steps.is_empty()))
        .count();
    html! {
        <nav class="ks-outline" aria-label="Course outline">
            <p class="ks-outline-heading">{ format!("Services course · {complete_lessons} of {total_lessons} lessons done") }</p>
            <ol class="ks-outline-lessons">{ for lessons }</ol>
            <ul class="ks-outline-extra">
                <li><a href={Route::Sandbox.to_hash()} aria-current={(props.route == Route::Sandbox).then_some("page")}>{ "Sandbox (no lesson)" }</a></li>
                <li><a href={Route::Preview.to_hash()} aria-current={(props.route == Route::Preview).then_some("page")}>{ "Preview a lesson file" }</a></li>
            </ul>
            if !props.course.errors.is_empty() {
                <div class="ks-notice ks-bad">{ for props.course.errors.iter().map(|e| html! { <pre>{ e }</pre> }) }</div>
            }
        </nav>
    }
}
