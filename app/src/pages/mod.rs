//! Routed pages.

pub mod containers;
pub mod graph;
pub mod not_found;
