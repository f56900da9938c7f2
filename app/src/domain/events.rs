//! Which Engine events change the network picture, so pages refresh on those and no others.

use serde::{Deserialize, Serialize};

/// A change the Engine reported: `container start web`, `network connect coolify`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EngineChange {
    /// `container` or `network`.
    pub kind: String,
    /// The Engine's action, e.g. `start`, `die`, `connect`, `health_status: unhealthy`.
    pub action: String,
    /// The container's or network's name (or id when the Engine gave no name).
    pub subject: String,
}

/// Container actions that change what the graph or the lists show.
const CONTAINER_ACTIONS: [&str; 10] = [
    "create", "start", "die", "destroy", "rename", "pause", "unpause", "restart", "kill", "stop",
];
/// Network actions that do.
const NETWORK_ACTIONS: [&str; 4] = ["create", "destroy", "connect", "disconnect"];

/// Whether an event of this type and action changes the picture. Exec, attach, top, archive
/// and similar events do not; health changes do.
pub fn changes_topology(kind: &str, action: &str) -> bool {
    match kind {
        "container" => CONTAINER_ACTIONS.contains(&action) || action.starts_with("health_status"),
        "network" => NETWORK_ACTIONS.contains(&action),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifecycle_and_network_membership_events_change_the_picture() {
        for (kind, action) in [
            ("container", "start"),
            ("container", "die"),
            ("container", "destroy"),
            ("container", "health_status: unhealthy"),
            ("network", "connect"),
            ("network", "disconnect"),
        ] {
            assert!(changes_topology(kind, action), "{kind} {action}");
        }
    }

    #[test]
    fn exec_and_image_events_do_not() {
        for (kind, action) in [
            ("container", "exec_create: sh"),
            ("container", "exec_start: sh"),
            ("container", "attach"),
            ("container", "top"),
            ("image", "pull"),
            ("volume", "mount"),
        ] {
            assert!(!changes_topology(kind, action), "{kind} {action}");
        }
    }
}
