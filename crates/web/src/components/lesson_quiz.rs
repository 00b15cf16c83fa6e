//! One quiz: multiple choice with every choice's explanation once answered,
//! predict-then-reveal (the reveal stays hidden until a prediction is committed),
//! and questions answered by reading something off the learner's own cluster.
//!
//! What was answered lives in the lesson's saved progress, so feedback is derived
//! from it and survives a reload; only the not-yet-submitted selection is local.

use lesson::model::{Quiz, QuizKind};
use lesson::quiz::{self, QuizAnswer};
use yew::prelude::*;

use crate::components::lesson_view::LessonAction;

#[derive(Properties, PartialEq)]
pub struct LessonQuizProps {
    pub quiz: Quiz,
    /// The saved answer, if any.
    pub answer: Option<QuizAnswer>,
    /// Why the last answer could not be graded (e.g. the object does not exist yet).
    pub error: Option<String>,
    pub onaction: Callback<LessonAction>,
}

#[function_component(LessonQuiz)]
pub fn lesson_quiz(props: &LessonQuizProps) -> Html {
    let selected = use_state(|| None::<usize>);
    let typed = use_state(String::new);
    let quiz = &props.quiz;
    let id = quiz.id.clone();
    let group = format!("quiz-{}", quiz.id);

    let choice_list = |choices: &[lesson::model::Choice], locked: bool| -> Html {
        html! {
            <fieldset class="ks-choices" disabled={locked}>
                <legend class="ks-visually-hidden">{ "Choices" }</legend>
                { for choices.iter().enumerate().map(|(i, choice)| {
                    let checked = *selected == Some(i);
                    let selected = selected.clone();
                    let onchange = Callback::from(move |_| selected.set(Some(i)));
                    let input_id = format!("{group}-{i}");
                    html! {
                        <div class="ks-choice">
                            <input type="radio" name={group.clone()} id={input_id.clone()} value={i.to_string()}
                                {checked} {onchange} />
                            <label for={input_id}>{ &choice.text }</label>
                        </div>
                    }
                }) }
            </fieldset>
        }
    };

    let body = match &quiz.kind {
        QuizKind::Choice { choices } => {
            let feedback = match &props.answer {
                Some(QuizAnswer::Choice { picked, .. }) => quiz::grade_choice(quiz, picked).ok(),
                _ => None,
            };
            let onsubmit = {
                let (selected, onaction, id) = (selected.clone(), props.onaction.clone(), id.clone());
                Callback::from(move |e: SubmitEvent| {
                    e.prevent_default();
                    if let Some(i) = *selected {
                        onaction.emit(LessonAction::AnswerChoice { quiz: id.clone(), picked: vec![i] });
                    }
                })
            };
            html! {
                <form class="ks-quiz-form" {onsubmit}>
                    { choice_list(choices, false) }
                    <button type="submit" class="ks-button" disabled={selected.is_none()}>{ "Answer" }</button>
                    if let Some(feedback) = feedback {
                        <div class={classes!("ks-feedback", if feedback.correct { "ks-ok" } else { "ks-bad" })} role="status">
                            <p class="ks-verdict">{ if feedback.correct { "Right." } else { "Not quite. Read the explanations and try again." } }</p>
                            <ul class="ks-explanations">
                                { for choices.iter().zip(feedback.choices.iter()).map(|(choice, reveal)| html! {
                                    <li class={classes!(reveal.correct.then_some("ks-correct-choice"))}>
                                        <strong>{ if reveal.picked { "Your answer: " } else { "" } }{ &choice.text }</strong>
                                        { if reveal.correct { " (correct)" } else { "" } }
                                        if !reveal.explain.is_empty() { <span>{ " — " }{ &reveal.explain }</span> }
                                    </li>
                                }) }
                            </ul>
                        </div>
                    }
                </form>
            }
        }
        QuizKind::Predict { choices, .. } => {
            let committed = match &props.answer {
                Some(QuizAnswer::Prediction { prediction, .. }) => quiz::reveal(quiz, prediction).ok().map(|r| (prediction.clone(), r)),
                _ => None,
            };
            let onsubmit = {
                let (selected, typed, onaction, id) = (selected.clone(), typed.clone(), props.onaction.clone(), id.clone());
                let free_text = choices.is_empty();
                Callback::from(move |e: SubmitEvent| {
                    e.prevent_default();
                    let prediction = if free_text { (*typed).trim().to_string() } else { selected.map(|i| i.to_string()).unwrap_or_default() };
                    if !prediction.is_empty() {
                        onaction.emit(LessonAction::Predict { quiz: id.clone(), prediction });
                    }
                })
            };
            let locked = committed.is_some();
            let input = if choices.is_empty() {
                let typed2 = typed.clone();
                let oninput = Callback::from(move |e: InputEvent| {
                    let input: web_sys::HtmlTextAreaElement = e.target_unchecked_into();
                    typed2.set(input.value());
                });
                let label_id = format!("{group}-prediction");
                let value = match &committed {
                    Some((p, _)) => p.clone(),
                    None => (*typed).clone(),
                };
                html! {
                    <>
                        <label for={label_id.clone()}>{ "Your prediction" }</label>
                        <textarea id={label_id} rows="2" {value} {oninput} disabled={locked} />
                    </>
                }
            } else {
                choice_list(choices, locked)
            };
            let ready = if choices.is_empty() { !typed.trim().is_empty() } else { selected.is_some() };
            html! {
                <form class="ks-quiz-form" {onsubmit}>
                    <p class="ks-quiz-kind">{ "Predict first, then reveal." }</p>
                    { input }
                    if let Some((prediction, reveal)) = committed {
                        <div class={classes!("ks-feedback", match reveal.correct { Some(true) => "ks-ok", Some(false) => "ks-bad", None => "ks-neutral" })} role="status">
                            <p class="ks-verdict">
                                { match reveal.correct {
                                    Some(true) => "Your prediction was right.".to_string(),
                                    Some(false) => "Your prediction was not right.".to_string(),
                                    None => format!("You predicted: {prediction}"),
                                } }
                            </p>
                            <p>{ &reveal.reveal }</p>
                        </div>
                    } else {
                        <button type="submit" class="ks-button" disabled={!ready}>{ "Commit and reveal" }</button>
                    }
                </form>
            }
        }
        QuizKind::Run { explain, .. } => {
            let saved = match &props.answer {
                Some(QuizAnswer::Run { answer, correct }) => Some((answer.clone(), *correct)),
                _ => None,
            };
            let onsubmit = {
                let (typed, onaction, id) = (typed.clone(), props.onaction.clone(), id.clone());
                Callback::from(move |e: SubmitEvent| {
                    e.prevent_default();
                    if !typed.trim().is_empty() {
                        onaction.emit(LessonAction::AnswerRun { quiz: id.clone(), answer: (*typed).trim().to_string() });
                    }
                })
            };
            let oninput = {
                let typed = typed.clone();
                Callback::from(move |e: InputEvent| {
                    let input: web_sys::HtmlInputElement = e.target_unchecked_into();
                    typed.set(input.value());
                })
            };
            let input_id = format!("{group}-answer");
            html! {
                <form class="ks-quiz-form" {onsubmit}>
                    <p class="ks-quiz-kind">{ "Find the answer in your cluster." }</p>
                    <label for={input_id.clone()}>{ "Answer" }</label>
                    <input type="text" id={input_id} value={(*typed).clone()} {oninput} autocomplete="off" />
                    <button type="submit" class="ks-button" disabled={typed.trim().is_empty()}>{ "Answer" }</button>
                    if let Some(error) = &props.error {
                        <p class="ks-feedback ks-bad" role="status">{ error }</p>
                    } else if let Some((answer, correct)) = saved {
                        <div class={classes!("ks-feedback", if correct { "ks-ok" } else { "ks-bad" })} role="status">
                            <p class="ks-verdict">{ if correct { format!("Right: {answer}.") } else { format!("{answer} is not it. Look again and try once more.") } }</p>
                            if correct { <p>{ explain }</p> }
                        </div>
                    }
                </form>
            }
        }
    };
    html! {
        <section class="ks-quiz" aria-label="Quiz" data-quiz={quiz.id.clone()}>
            <p class="ks-question">{ &quiz.question }</p>
            { body }
        </section>
    }
}
