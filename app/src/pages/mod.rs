//! Routed pages.

pub mod connect;
pub mod container;
pub mod containers;
pub mod diagnose;
pub mod graph;
pub mod login;
pub mod not_found;
pub mod proxy;
pub mod reach;
pub mod servers;
pub mod shared;
