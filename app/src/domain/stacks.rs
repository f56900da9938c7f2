//! Coolify's shape on a host, read from the topology: which networks are the destination (where
//! core and proxy meet), which container is the proxy, and a container's place in a stack.

use crate::domain::coolify::{CoolifyKind, CORE_CONTAINERS};
use crate::domain::topology::{Container, NetworkKind, Topology};
use std::collections::BTreeSet;

impl Topology {
    /// The proxy's container, when the topology lists it.
    pub fn proxy_container(&self) -> Option<&Container> {
        let t = self;
        t.proxy
            .as_ref()
            .and_then(|p| t.container(p.container.as_str()))
    }

    /// The destination network(s): where Coolify's core and the proxy meet (`coolify` on a default
    /// install, but derived, since extra destinations and renamed networks exist).
    pub fn destination_networks(&self) -> Vec<&str> {
        let t = self;
        let core: BTreeSet<&str> = t
            .containers
            .iter()
            .filter(|c| is_core(c))
            .flat_map(|c| user_networks(t, c))
            .collect();
        let proxy: BTreeSet<&str> = t
            .proxy_container()
            .map(|p| user_networks(t, p))
            .unwrap_or_default();
        let both: Vec<&str> = core.intersection(&proxy).copied().collect();
        if !both.is_empty() {
            return both;
        }
        if !core.is_empty() {
            return core.into_iter().collect();
        }
        // No core here (a remote server): the proxy's networks that are not a stack's own.
        let stacks: BTreeSet<&str> = t
            .containers
            .iter()
            .filter_map(|c| c.stack().map(|s| s.uuid))
            .collect();
        let found: Vec<&str> = proxy.difference(&stacks).copied().collect();
        if found.is_empty() && t.network("coolify").is_some() {
            return vec!["coolify"];
        }
        found
    }
}

/// The one destination network to name in a fix: `coolify` when it is one of them.
pub fn primary_destination<'a>(destinations: &[&'a str]) -> Option<&'a str> {
    destinations
        .iter()
        .find(|n| **n == "coolify")
        .or_else(|| destinations.first())
        .copied()
}

/// What kind of multi-container Coolify resource a container belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StackKind {
    /// A service stack (one-click or "Docker Compose Empty").
    Service,
    /// A Docker Compose build-pack application.
    ComposeApp,
}

/// A container's place in a Coolify stack that lives on its own `{uuid}` network.
#[derive(Debug, Clone, Copy)]
pub struct Stack<'a> {
    pub kind: StackKind,
    /// The stack's uuid: its compose project and its own network's name.
    pub uuid: &'a str,
    /// The compose service name (`postgres`), which Compose makes an alias on every network.
    pub service: Option<&'a str>,
    /// Coolify's resource name (a slug), when labelled.
    pub resource_name: Option<&'a str>,
}

/// Service-stack containers and compose-app services. A standard application also has a
/// compose project (`{uuid}`), but its compose service is its container name (§1.2) and it lives
/// on the destination network already, so it is not a stack.
impl Container {
    /// Where a picker groups it: `project NAME` (Coolify's project), else `stack UUID` (its
    /// compose project), else `None`.
    pub fn group_label(&self) -> Option<String> {
        self.coolify
            .as_ref()
            .and_then(|i| i.project.as_ref())
            .map(|p| format!("project {p}"))
            .or_else(|| {
                self.compose
                    .as_ref()
                    .map(|x| format!("stack {}", x.project))
            })
    }

    /// Its place in a Coolify stack, when it is in one.
    pub fn stack(&self) -> Option<Stack<'_>> {
        let c = self;
        let id = c.coolify.as_ref()?;
        let compose = c.compose.as_ref()?;
        let service = compose.service.as_deref().or(id.service_name.as_deref());
        let kind = match id.kind {
            CoolifyKind::Service => StackKind::Service,
            CoolifyKind::Application
                if compose
                    .service
                    .as_deref()
                    .is_some_and(|s| s != c.name.as_str()) =>
            {
                StackKind::ComposeApp
            }
            _ => return None,
        };
        if compose.project.is_empty() {
            return None;
        }
        Some(Stack {
            kind,
            uuid: compose.project.as_str(),
            service,
            resource_name: id.resource_name.as_deref(),
        })
    }
}

pub fn is_core(c: &Container) -> bool {
    CORE_CONTAINERS.contains(&c.name.as_str())
        || c.coolify
            .as_ref()
            .is_some_and(|i| i.kind == CoolifyKind::Core)
}

/// A container's user-defined networks (the ones names resolve on).
fn user_networks<'a>(t: &Topology, c: &'a Container) -> BTreeSet<&'a str> {
    c.attachments
        .iter()
        .map(|a| a.network.as_str())
        .filter(|n| t.network_kind(n) == NetworkKind::UserDefined)
        .collect()
}

impl Stack<'_> {
    /// `n8n-with-postgresql (qg8s…)`, or the uuid alone when unlabelled.
    pub fn display_name(&self) -> String {
        match self.resource_name {
            Some(name) => format!("{name} ({})", self.uuid),
            None => self.uuid.to_owned(),
        }
    }

    /// Coolify's lasting way onto the destination network, worded once for every screen: where
    /// the setting is, what to do after, and what it then does on `destination`.
    pub fn predefined_network_step(&self, destination: &str) -> String {
        let uuid = self.uuid;
        match self.kind {
            StackKind::Service => format!(
                "In Coolify, open the service {}, enable \"Connect To Predefined Network\" in its settings, and restart it. Coolify then runs `docker network connect --alias {{service}}-{uuid} {destination} {{service}}-{uuid}` for every container of the stack.",
                self.display_name()
            ),
            StackKind::ComposeApp => format!(
                "In Coolify, open the application {}, enable \"Connect To Predefined Network\" under Advanced, and redeploy. Compose then also registers each service name (`postgres`, `redis`…) on {destination}, where it can collide with other stacks and with Coolify's own coolify-db and coolify-redis: connect by `{{service}}-{uuid}` names.",
                self.display_name()
            ),
        }
    }
}
