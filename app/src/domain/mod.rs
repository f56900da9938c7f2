//! The model and the rules, pure: serde only, no leptos, no bollard, no IO. Compiles for the
//! server and for the browser, and is unit-tested on JSON recorded from a real Docker Engine.

pub mod access;
pub mod checks;
pub mod connect;
pub mod containers;
pub mod coolify;
pub mod endpoint;
pub mod engine_json;
pub mod events;
pub mod filter;
pub mod findings;
pub mod graph;
pub mod layout;
pub mod loaded_routes;
pub mod logs;
pub mod names;
pub mod overview;
pub mod ports;
pub mod problem;
pub mod proxy;
pub mod reach;
pub mod reachability;
pub mod redact;
pub mod servers;
pub mod share_link;
pub mod snapshot;
pub mod stacks;
pub mod swarm;
pub mod time;
pub mod topology;
pub mod url;
