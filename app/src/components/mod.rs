//! Small components named after what the user sees.

pub mod check_report;
pub mod connect_picker;
pub mod connection_card;
pub mod container_table;
pub mod container_toolbar;
pub mod copy_button;
pub mod download;
pub mod engine_problem;
pub mod engine_strip;
pub mod findings_list;
pub mod fix_list;
pub mod layout;
pub mod log_view;
pub mod network_diagnostics;
pub mod network_graph;
pub mod node_details;
pub mod route_table;
pub mod share_panel;
pub mod swarm_services;
