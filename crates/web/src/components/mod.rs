//! The page's Yew components, one per file: views only; the session they drive lives
//! in [`crate::session`], the course's state in [`app::Controller`].

pub mod app;
pub mod lesson_outline;
pub mod lesson_preview;
pub mod lesson_quiz;
pub mod lesson_view;
pub mod splitter;
pub mod terminal_pane;
