//! The authors' preview (`#/preview`): a lesson markdown file dropped onto the page,
//! opened, or pasted is parsed by the lesson engine as `kubesim lesson check` would,
//! and either its errors (line and column) are listed or the parsed lesson goes up
//! to the page, which shows it in the lesson pane, live against the terminal.

use std::rc::Rc;

use lesson::model::Lesson;
use wasm_bindgen_futures::JsFuture;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct LessonPreviewProps {
    /// The parsed lesson, or none while the text has errors (or is empty).
    pub onparsed: Callback<Option<Rc<Lesson>>>,
}

/// Parses what the author gave; the file name shows in error messages.
fn parse(name: &str, text: &str) -> Result<Lesson, Vec<lesson::LessonError>> {
    lesson::parse_lesson(name, text).map_err(|e| e.0)
}

#[function_component(LessonPreview)]
pub fn lesson_preview(props: &LessonPreviewProps) -> Html {
    let text = use_state(String::new);
    let name = use_state(|| "pasted.md".to_string());
    let errors = use_state(Vec::<lesson::LessonError>::new);
    let dragging = use_state(|| false);

    let load = {
        let (text, name, errors, onparsed) = (text.clone(), name.clone(), errors.clone(), props.onparsed.clone());
        Callback::from(move |(file_name, source): (String, String)| {
            match parse(&file_name, &source) {
                Ok(lesson) => {
                    errors.set(Vec::new());
                    onparsed.emit(Some(Rc::new(lesson)));
                }
                Err(e) => {
                    errors.set(e);
                    onparsed.emit(None);
                }
            }
            text.set(source);
            name.set(file_name);
        })
    };
    let read_file = {
        let load = load.clone();
        move |file: web_sys::File| {
            let load = load.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let name = file.name();
                if let Ok(value) = JsFuture::from(file.text()).await {
                    load.emit((name, value.as_string().unwrap_or_default()));
                }
            });
        }
    };
    let oninput = {
        let (load, name) = (load.clone(), name.clone());
        Callback::from(move |e: InputEvent| {
            let area: web_sys::HtmlTextAreaElement = e.target_unchecked_into();
            load.emit(((*name).clone(), area.value()));
        })
    };
    let onchange = {
        let read_file = read_file.clone();
        Callback::from(move |e: Event| {
            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
            if let Some(file) = input.files().and_then(|f| f.get(0)) {
                read_file(file);
            }
        })
    };
    let ondragover = {
        let dragging = dragging.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            dragging.set(true);
        })
    };
    let ondragleave = {
        let dragging = dragging.clone();
        Callback::from(move |_: DragEvent| dragging.set(false))
    };
    let ondrop = {
        let dragging = dragging.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            dragging.set(false);
            if let Some(file) = e.data_transfer().and_then(|d| d.files()).and_then(|f| f.get(0)) {
                read_file(file);
            }
        })
    };
    html! {
        <section class={classes!("ks-preview", dragging.then_some("ks-dragging"))} aria-labelledby="ks-preview-title"
            {ondragover} {ondragleave} {ondrop}>
            <h1 id="ks-preview-title">{ "Preview a lesson" }</h1>
            <p>{ "Drop a lesson's markdown file here, open one, or paste it below. The format is lessons/README.md." }</p>
            <label class="ks-button ks-file-button">
                { "Open a lesson file…" }
                <input type="file" accept=".md,.markdown,text/markdown,text/plain" class="ks-visually-hidden" {onchange} />
            </label>
            <label for="ks-preview-source" class="ks-block-label">{ "Lesson markdown" }</label>
            <textarea id="ks-preview-source" rows="10" spellcheck="false" value={(*text).clone()} {oninput} />
            if !errors.is_empty() {
                <div class="ks-notice ks-bad" role="alert">
                    <p>{ format!("{} problem{} in {}:", errors.len(), if errors.len() == 1 { "" } else { "s" }, *name) }</p>
                    <ul class="ks-preview-errors">
                        { for errors.iter().map(|e| html! {
                            <li><code>{ format!("line {}, column {}", e.line, e.column) }</code>{ ": " }{ &e.message }</li>
                        }) }
                    </ul>
                </div>
            }
        </section>
    }
}
