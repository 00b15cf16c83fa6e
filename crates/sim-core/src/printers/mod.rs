//! Printers: turn objects into the text kubectl prints. Every printer writes into a
//! `String`; colours and terminal escapes belong to the web crate, not here.
//!
//! - [`duration`]: `HumanDuration`, the AGE column and every "ago".
//! - [`tabwriter`]: kubectl's column alignment.
//! - [`table`]: the server-side table (columns and cells) of each resource type.
//! - [`tabbed`]: Go's text/tabwriter as `kubectl describe` uses it.
//! - [`json`]: `-o json`, as Go's encoder writes it.
//! - [`yaml`]: `-o yaml`, as sigs.k8s.io/yaml (go-yaml v2) writes it.

pub mod duration;
pub mod json;
pub mod table;
pub mod tabbed;
pub mod tabwriter;
pub mod yaml;
