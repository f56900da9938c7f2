//! Routed pages.

pub mod containers;
pub mod graph;
pub mod login;
pub mod not_found;
