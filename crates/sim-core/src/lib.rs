//! sim-core: kubesim's simulator of a small kind-like Kubernetes cluster, with no I/O.
//!
//! A [`Simulator`] holds a cluster (an in-memory API server with its controllers), a
//! virtual clock and one seeded random generator. Callers hand it command lines and
//! time; it hands back what a terminal would print. It never reads the wall clock,
//! never draws randomness it was not seeded with, and knows nothing of the browser:
//! the web crate and the native CLI are thin shells around it.
//!
//! # Layout
//! - [`simulator`]: the entry point, [`Simulator`] and [`Output`].
//! - [`clock`]: the virtual clock every timestamp comes from.
//! - [`rand`]: the seeded generator behind every random choice.
//! - [`resources`]: the table of resource types (kind, plural, short names, scope).
//! - [`store`]: the object store, the API server's etcd.
//! - [`apiserver`]: create/get/update/patch/delete with defaulting, validation and allocation.
//! - [`cluster`]: the default kind-like cluster a simulator starts with.
//! - [`printers`]: tables, AGE and the tabwriter; printers write into strings.
//! - [`kubectl`]: the kubectl command line, one module per verb.
//! - [`shell`]: the command line a learner types, dispatched to programs.

// The simulator must never panic on learner input (issue 10): no unwrap/expect
// outside tests. Clippy enforces it; tests may unwrap.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod apiserver;
pub mod clock;
pub mod cluster;
pub mod controllers;
pub mod kubectl;
pub mod network;
pub mod labels;
pub mod naming;
pub mod persist;
pub mod printers;
pub mod rand;
pub mod resources;
pub mod shell;
pub mod simulator;
pub mod snapshot;
pub mod sort;
pub mod store;
pub mod vfs;

pub use simulator::{ClusterConfig, Output, Simulator};
