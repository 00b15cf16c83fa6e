//! The page's Yew components, one per file: views only; the session they drive lives
//! in [`crate::session`].

pub mod app;
pub mod terminal_pane;
