//! The lesson pane: one step of a lesson at a time, rendered from the lesson engine's
//! blocks (prose, Run buttons, files, transcripts, quizzes, checks, actions) with
//! next/previous, "show solution" and the reset buttons. Views only: everything a
//! button does goes out as a [`LessonAction`].
//!
//! Prose is HTML the engine rendered from CommonMark with raw HTML escaped and
//! unsafe link schemes dropped (see `lesson::parse`), so it is inserted as is.

use std::collections::BTreeMap;
use std::rc::Rc;

use lesson::model::{Action, Block, Check, CheckKind, Expect, Lesson, Place};
use yew::prelude::*;

use crate::components::lesson_quiz::LessonQuiz;
use crate::course::{has_solution, LessonTracker};

/// What the learner asked the lesson pane for.
#[derive(Clone, Debug, PartialEq)]
pub enum LessonAction {
    /// Run these command lines in the terminal, in order.
    Run(Vec<String>),
    /// Put text on the clipboard.
    Copy(String),
    CreateFile { path: String, content: String },
    /// Create the file, then open it in the terminal's editor.
    EditFile { path: String, content: String },
    Environment(Action),
    AnswerChoice { quiz: String, picked: Vec<usize> },
    Predict { quiz: String, prediction: String },
    AnswerRun { quiz: String, answer: String },
    GoToStep(usize),
    ShowSolution(usize),
    ResetCluster,
}

#[derive(Properties, PartialEq)]
pub struct LessonViewProps {
    pub lesson: Rc<Lesson>,
    pub tracker: LessonTracker,
    pub step: usize,
    /// Quiz id to the reason the last answer could not be graded.
    #[prop_or_default]
    pub quiz_errors: BTreeMap<String, String>,
    pub onaction: Callback<LessonAction>,
    /// The terminal's session, for the lesson's embedded traffic-flow diagrams.
    #[prop_or_default]
    pub session: Option<crate::session::SessionHandle>,
}

#[function_component(LessonView)]
pub fn lesson_view(props: &LessonViewProps) -> Html {
    let lesson = &props.lesson;
    let steps = lesson.steps.len();
    let step_index = props.step.min(steps.saturating_sub(1));
    let Some(step) = lesson.steps.get(step_index) else {
        // A lesson without steps is all introduction.
        return html! {
            <article class="ks-lesson-body">
                <h1>{ &lesson.meta.title }</h1>
                { for lesson.intro.iter().map(|b| block(b, props, 0)) }
            </article>
        };
    };
    let progress = props.tracker.progress.steps.get(step_index);
    let complete = progress.is_some_and(|p| p.complete);
    let go = |to: usize| {
        let onaction = props.onaction.clone();
        Callback::from(move |_| onaction.emit(LessonAction::GoToStep(to)))
    };
    let solution_button = if has_solution(lesson, step_index) && !props.tracker.solutions_shown.contains(&step_index) {
        let onaction = props.onaction.clone();
        let onclick = Callback::from(move |_| onaction.emit(LessonAction::ShowSolution(step_index)));
        html! { <button type="button" class="ks-button ks-quiet" {onclick}>{ "Show solution" }</button> }
    } else {
        html! {}
    };
    let reset = {
        let onaction = props.onaction.clone();
        Callback::from(move |_| onaction.emit(LessonAction::ResetCluster))
    };
    html! {
        <article class="ks-lesson-body" aria-labelledby="ks-step-title">
            <p class="ks-lesson-title">{ &lesson.meta.title }</p>
            if step_index == 0 {
                <div class="ks-intro">{ for lesson.intro.iter().map(|b| block(b, props, 0)) }</div>
            }
            <h1 id="ks-step-title" tabindex="-1">
                <span class="ks-step-number">{ format!("Step {} of {steps}", step_index + 1) }</span>
                { &step.title }
                if complete { <span class="ks-badge ks-ok">{ "done" }</span> }
            </h1>
            { for step.blocks.iter().map(|b| block(b, props, step_index)) }
            <div class="ks-step-tools">
                { solution_button }
                <button type="button" class="ks-button ks-quiet" onclick={reset}
                    title="Start this lesson's cluster again; your progress stays">{ "Reset this lesson's cluster" }</button>
            </div>
            <nav class="ks-step-nav" aria-label="Steps">
                <button type="button" class="ks-button" disabled={step_index == 0} onclick={go(step_index.saturating_sub(1))}>{ "← Previous" }</button>
                <span class="ks-step-dots">
                    { for (0..steps).map(|i| {
                        let done = props.tracker.progress.steps.get(i).is_some_and(|p| p.complete);
                        let label = format!("Step {}{}", i + 1, if done { ", done" } else { "" });
                        let current = (i == step_index).then_some("step");
                        html! {
                            <button type="button" class={classes!("ks-dot", done.then_some("ks-done"), (i == step_index).then_some("ks-current"))}
                                aria-label={label} aria-current={current} onclick={go(i)}></button>
                        }
                    }) }
                </span>
                if step_index + 1 < steps {
                    <button type="button" class="ks-button ks-primary" onclick={go(step_index + 1)}>{ "Next →" }</button>
                } else {
                    <span class="ks-finish">{ if props.tracker.progress.is_complete() { "Lesson complete." } else { "Last step." } }</span>
                }
            </nav>
        </article>
    }
}

fn block(block: &Block, props: &LessonViewProps, step: usize) -> Html {
    let emit = |action: LessonAction| {
        let onaction = props.onaction.clone();
        Callback::from(move |_: MouseEvent| onaction.emit(action.clone()))
    };
    match block {
        Block::Prose { html } => Html::from_html_unchecked(AttrValue::from(html.clone())),
        Block::Commands { inputs, run, solution, .. } => {
            if *solution && !props.tracker.solutions_shown.contains(&step) {
                return html! { <p class="ks-hidden-solution">{ "The solution is hidden: try it yourself first." }</p> };
            }
            let text = inputs.join("\n");
            html! {
                <div class={classes!("ks-commands", solution.then_some("ks-solution"))}>
                    if *solution { <p class="ks-block-label">{ "Solution" }</p> }
                    <pre><code>{ &text }</code></pre>
                    <div class="ks-block-buttons">
                        if *run {
                            <button type="button" class="ks-button ks-run" onclick={emit(LessonAction::Run(inputs.clone()))}
                                aria-label={format!("Run: {}", inputs.first().map(String::as_str).unwrap_or_default())}>{ "▶ Run" }</button>
                        }
                        <button type="button" class="ks-button ks-quiet" onclick={emit(LessonAction::Copy(text.clone()))}>{ "Copy" }</button>
                    </div>
                </div>
            }
        }
        Block::File { path, content, .. } => html! {
            <div class="ks-file">
                <p class="ks-block-label">{ "File " }<code>{ path }</code></p>
                <pre><code>{ content }</code></pre>
                <div class="ks-block-buttons">
                    <button type="button" class="ks-button ks-run" onclick={emit(LessonAction::CreateFile { path: path.clone(), content: content.clone() })}>
                        { format!("Create {path}") }
                    </button>
                    <button type="button" class="ks-button ks-quiet" onclick={emit(LessonAction::EditFile { path: path.clone(), content: content.clone() })}>
                        { "Open in editor" }
                    </button>
                </div>
            </div>
        },
        Block::Console { entries, .. } => {
            let inputs: Vec<String> = entries.iter().map(|e| e.input.clone()).collect();
            html! {
                <div class="ks-console">
                    <pre>{ for entries.iter().map(|e| html! {
                        <>
                            <code class="ks-console-input">{ format!("$ {}", e.input.replace('\n', "\n> ")) }</code>{ "\n" }
                            <samp>{ &e.expected }</samp>
                        </>
                    }) }</pre>
                    <div class="ks-block-buttons">
                        <button type="button" class="ks-button ks-run" onclick={emit(LessonAction::Run(inputs.clone()))}
                            aria-label={format!("Run: {}", inputs.first().map(String::as_str).unwrap_or_default())}>{ "▶ Run" }</button>
                    </div>
                </div>
            }
        }
        Block::Code { language, text } => html! {
            <pre class="ks-code" data-language={language.clone()}><code>{ text }</code></pre>
        },
        Block::Quiz { quiz, .. } => html! {
            <LessonQuiz quiz={quiz.clone()} answer={props.tracker.progress.quizzes.get(&quiz.id).cloned()}
                error={props.quiz_errors.get(&quiz.id).cloned()} onaction={props.onaction.clone()} />
        },
        Block::Visualizer { scene, .. } => html! {
            <p class="ks-scene-note">
                { "Watch the visualizer: " }<strong>{ if scene.title.is_empty() { &scene.scene } else { &scene.title } }</strong>
            </p>
        },
        Block::TrafficFlow { viz, .. } => match &props.session {
            Some(session) => {
                let scene = crate::viz::VizScene {
                    title: (!viz.title.is_empty()).then(|| viz.title.clone()),
                    service: viz.service.clone(),
                    compare_policies: viz.compare_policies,
                    predict: viz.predict,
                };
                html! { <crate::viz::Visualizer session={session.clone()} scene={Some(scene)} /> }
            }
            None => html! {},
        },
        Block::Action { action, .. } => {
            let label = match action {
                Action::CloudProvider { enabled: true } => "Switch the simulated cloud provider on",
                Action::CloudProvider { enabled: false } => "Switch the simulated cloud provider off",
            };
            html! {
                <div class="ks-action">
                    <button type="button" class="ks-button ks-run" onclick={emit(LessonAction::Environment(action.clone()))}>{ label }</button>
                </div>
            }
        }
        Block::Checks { first, count, .. } => {
            let Some(s) = props.lesson.steps.get(step) else { return html! {} };
            let passed = props.tracker.progress.steps.get(step).map(|p| p.checks.clone()).unwrap_or_default();
            html! {
                <ul class="ks-checks" aria-label="Checks" aria-live="polite">
                    { for s.checks.iter().enumerate().skip(*first).take(*count).map(|(i, check)| {
                        let ok = passed.get(i).copied().unwrap_or(false);
                        html! {
                            <li class={classes!("ks-check", if ok { "ks-ok" } else { "ks-pending" })} data-passed={ok.to_string()}>
                                <span class="ks-check-mark" aria-hidden="true">{ if ok { "✓" } else { "○" } }</span>
                                <span class="ks-visually-hidden">{ if ok { "Passed: " } else { "Not yet: " } }</span>
                                <span class="ks-check-what">{ describe(check) }</span>
                                if !ok { <span class="ks-hint">{ "Hint: " }{ &check.hint }</span> }
                            </li>
                        }
                    }) }
                </ul>
            }
        }
    }
}

/// A check in words, for the checklist.
pub fn describe(check: &Check) -> String {
    let object = |o: &lesson::model::ObjectRef| {
        if o.namespace == "default" { format!("{}/{}", o.resource, o.name) } else { format!("{}/{} in {}", o.resource, o.name, o.namespace) }
    };
    match &check.kind {
        CheckKind::Exists { object: o } => format!("{} exists", object(o)),
        CheckKind::Absent { object: o } => format!("{} does not exist", object(o)),
        CheckKind::JsonPath { object: o, path, expect } => match expect {
            Expect::Equals(v) => format!("{path} of {} is {v}", object(o)),
            Expect::Matches(p) => format!("{path} of {} matches {p}", object(o)),
            Expect::NonEmpty => format!("{path} of {} is set", object(o)),
        },
        CheckKind::ReadyPods { selector, count, exactly, .. } => {
            format!("{}{count} ready pods with {selector}", if *exactly { "exactly " } else { "at least " })
        }
        CheckKind::FileContains { path, text } => format!("{path} contains {text}"),
        CheckKind::OutputContains { text } => format!("you have seen {text}"),
        CheckKind::Curl { url, from, .. } => match from {
            Place::Host => format!("curl {url} answers"),
            Place::Pod(pod) => format!("curl {url} from {pod} answers"),
        },
    }
}
