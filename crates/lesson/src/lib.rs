//! lesson: kubesim's lesson engine, shared by the browser app and the native CLI.
//!
//! A lesson is one markdown file (format: `lessons/README.md`). The engine parses
//! it into steps, builds the cluster it starts from, evaluates its checks against
//! the learner's simulator, grades its quizzes, tracks progress as a serializable
//! value, and runs its reference solution for `kubesim lesson check`. Pure Rust, no
//! I/O and no browser dependencies: callers hand it text and get data back.
//!
//! # Layout
//! - [`model`]: the parsed lesson (steps, blocks, checks, quizzes, scenes).
//! - [`parse`]: markdown to [`model::Lesson`], with file:line:column errors ([`error`]).
//! - [`environment`]: start cluster, files, actions, side-effect-free looks.
//! - [`checks`]: evaluating checks (JSONPath through sim-core's kubectl JSONPath).
//! - [`quiz`]: grading quizzes.
//! - [`session`]: a learner's session and [`session::Progress`].
//! - [`verify`]: the reference-solution checker.

pub mod checks;
pub mod environment;
pub mod error;
pub mod model;
pub mod parse;
pub mod quiz;
pub mod session;
pub mod verify;

pub use error::{LessonError, LessonErrors};
pub use model::Lesson;
pub use parse::parse_lesson;
pub use session::{Progress, Session};
pub use verify::{check_lesson, update_transcripts, Report};
