//! A swarm as its manager sees it: the nodes, the services with their tasks on each node, the
//! overlay networks (attachable or not) and the ports the ingress routing mesh publishes on
//! every node. Read only from a manager (`/info`'s `Swarm.ControlAvailable`); workers and
//! engines outside a swarm have none of it.

pub mod json;

use crate::domain::ports::Protocol;
use json::{EndpointPortJson, NodeJson, ServiceJson, SwarmInfoJson, SwarmNetworkJson, TaskJson};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The swarm the engine manages.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Swarm {
    /// This engine's node id.
    pub node_id: String,
    /// Whether this engine is a manager (`ControlAvailable`); always true for a swarm read
    /// through it, kept so the model says so.
    pub manager: bool,
    /// Sorted by hostname, then id.
    pub nodes: Vec<Node>,
    /// Sorted by name.
    pub services: Vec<Service>,
    /// Networks of scope `swarm` with the overlay driver, sorted by name.
    pub overlays: Vec<Overlay>,
}

/// A node's role in the swarm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum NodeRole {
    Manager,
    Worker,
}

/// One machine of the swarm.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Node {
    pub id: String,
    pub hostname: String,
    pub role: NodeRole,
    /// `ready`, `down`, `disconnected`, `unknown`.
    pub state: String,
    /// `active`, `pause`, `drain`: whether the scheduler may place tasks on it.
    pub availability: String,
    /// The address other nodes reach it at.
    pub address: String,
    pub leader: bool,
}

/// How many tasks a service wants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ServiceMode {
    /// That many tasks, placed by the scheduler.
    Replicated(u64),
    /// One task on every eligible node.
    Global,
    /// A job (runs to completion): replicated or global.
    Job,
}

/// How a published port is reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum PublishMode {
    /// The routing mesh: the port answers on every node and is balanced over the tasks.
    Ingress,
    /// Bound on the node a task runs on, like `docker run -p`.
    Host,
}

/// A port a service publishes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ServicePort {
    pub published: u16,
    pub target: u16,
    pub protocol: Protocol,
    pub mode: PublishMode,
}

impl ServicePort {
    /// `*:8080→80/tcp (ingress, every node)`, `*:8081→8081/tcp (host mode)`.
    pub fn describe(&self) -> String {
        format!(
            "*:{}→{}/{} ({})",
            self.published,
            self.target,
            self.protocol.as_str(),
            match self.mode {
                PublishMode::Ingress => "ingress, every node",
                PublishMode::Host => "host mode, on the task's node",
            }
        )
    }
}

/// A service's virtual IP on one network (its name resolves to it there).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VirtualIp {
    /// The network's name (its id when the network is not listed).
    pub network: String,
    /// `10.0.0.3/24`.
    pub address: String,
}

/// A swarm service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Service {
    pub id: String,
    pub name: String,
    pub mode: ServiceMode,
    pub image: String,
    /// Sorted.
    pub ports: Vec<ServicePort>,
    /// The networks its tasks join, by name, as the spec lists them (ingress not included).
    pub networks: Vec<String>,
    pub virtual_ips: Vec<VirtualIp>,
    /// Placement constraints (`node.labels.x==y`), as written.
    pub constraints: Vec<String>,
    /// Newest first within each slot (or node, for global services); slots in order.
    pub tasks: Vec<Task>,
}

/// One task: a container the swarm wants (or wanted) on a node.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Task {
    pub id: String,
    /// Replicated services number their tasks from 1.
    pub slot: Option<u64>,
    /// The node's hostname (its id when the node is not listed); `None` while unscheduled.
    pub node: Option<String>,
    pub node_id: Option<String>,
    /// What the orchestrator wants: `running`, `ready`, `shutdown`, `remove`…
    pub desired: String,
    /// What it is: `new`, `pending`, `assigned`, `preparing`, `ready`, `starting`, `running`,
    /// `complete`, `failed`, `rejected`, `shutdown`, `orphaned`, `remove`.
    pub state: String,
    /// The Engine's status message (`started`, `pending task scheduling`).
    pub message: String,
    /// The error the Engine gave for this task, if any.
    pub error: Option<String>,
    pub container_id: Option<String>,
    pub exit_code: Option<i64>,
    /// When the state was last set (RFC 3339).
    pub timestamp: String,
}

impl Task {
    /// Wanted alive: running now, or about to be (restart delay, scheduling).
    pub fn is_wanted(&self) -> bool {
        matches!(self.desired.as_str(), "running" | "ready" | "accepted")
    }

    pub fn is_running(&self) -> bool {
        self.state == "running"
    }

    /// `web.1` for a replicated slot, `web.<node>` for a global task.
    pub fn label(&self, service: &str) -> String {
        match (self.slot, &self.node) {
            (Some(slot), _) => format!("{service}.{slot}"),
            (None, Some(node)) => format!("{service}.{node}"),
            (None, None) => format!("{service}.{}", short(&self.id)),
        }
    }

    /// Same slot (replicated) or same node (global): earlier tries of the same task.
    fn same_place(&self, other: &Task) -> bool {
        match (self.slot, other.slot) {
            (Some(a), Some(b)) => a == b,
            (None, None) => self.node_id == other.node_id,
            _ => false,
        }
    }
}

impl Service {
    /// Tasks running now.
    pub fn running(&self) -> usize {
        self.tasks
            .iter()
            .filter(|t| t.is_wanted() && t.is_running())
            .count()
    }

    /// Tasks the service wants alive: its replica count, or for global services one per node
    /// the orchestrator placed a wanted task on.
    pub fn desired(&self) -> usize {
        match self.mode {
            ServiceMode::Replicated(n) => usize::try_from(n).unwrap_or(usize::MAX),
            ServiceMode::Global | ServiceMode::Job => {
                self.tasks.iter().filter(|t| t.is_wanted()).count()
            }
        }
    }

    /// Tasks wanted alive that are not running.
    pub fn not_running(&self) -> impl Iterator<Item = &Task> {
        self.tasks
            .iter()
            .filter(|t| t.is_wanted() && !t.is_running())
    }

    /// The error that explains a task: its own, else the newest error of an earlier try in the
    /// same slot (a crash loop's current task waits for its restart with no error of its own).
    pub fn error_for<'a>(&'a self, task: &'a Task) -> Option<&'a str> {
        task.error.as_deref().or_else(|| {
            self.tasks
                .iter()
                .filter(|t| t.id != task.id && t.same_place(task) && t.error.is_some())
                .max_by_key(|t| time_key(&t.timestamp))
                .and_then(|t| t.error.as_deref())
        })
    }

    /// The ports the routing mesh publishes on every node.
    pub fn ingress_ports(&self) -> impl Iterator<Item = &ServicePort> {
        self.ports.iter().filter(|p| p.mode == PublishMode::Ingress)
    }
}

/// A network that spans the swarm's nodes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Overlay {
    pub id: String,
    pub name: String,
    /// Standalone containers (`docker run --network`, compose without swarm) may join it.
    pub attachable: bool,
    /// The routing mesh's own network.
    pub ingress: bool,
    pub internal: bool,
    pub subnets: Vec<String>,
}

impl Swarm {
    /// Builds the model from a manager's answers. Anything missing (a network or node removed
    /// between the calls) is named by its id.
    pub fn from_engine(
        info: &SwarmInfoJson,
        nodes: &[NodeJson],
        services: &[ServiceJson],
        tasks: &[TaskJson],
        networks: &[SwarmNetworkJson],
    ) -> Self {
        let network_names: BTreeMap<&str, &str> = networks
            .iter()
            .map(|n| (n.id.as_str(), n.name.as_str()))
            .collect();
        let network_name = |id_or_name: &str| -> String {
            network_names
                .get(id_or_name)
                .map_or_else(|| id_or_name.to_owned(), |n| (*n).to_owned())
        };
        let hostnames: BTreeMap<&str, &str> = nodes
            .iter()
            .map(|n| (n.id.as_str(), n.description.hostname.as_str()))
            .collect();

        let mut nodes: Vec<Node> = nodes.iter().map(node_from_engine).collect();
        nodes.sort_by(|a, b| (&a.hostname, &a.id).cmp(&(&b.hostname, &b.id)));

        let mut by_service: BTreeMap<&str, Vec<Task>> = BTreeMap::new();
        for t in tasks {
            let node_id = Some(t.node_id.clone()).filter(|id| !id.is_empty());
            by_service
                .entry(t.service_id.as_str())
                .or_default()
                .push(Task {
                    id: t.id.clone(),
                    slot: t.slot.filter(|s| *s > 0),
                    node: node_id.as_deref().map(|id| {
                        hostnames
                            .get(id)
                            .filter(|h| !h.is_empty())
                            .map_or_else(|| id.to_owned(), |h| (*h).to_owned())
                    }),
                    node_id,
                    desired: t.desired_state.clone(),
                    state: t.status.state.clone(),
                    message: t.status.message.clone(),
                    error: Some(t.status.err.clone()).filter(|e| !e.is_empty()),
                    container_id: Some(t.status.container_status.container_id.clone())
                        .filter(|id| !id.is_empty()),
                    exit_code: Some(t.status.container_status.exit_code)
                        .filter(|_| !t.status.container_status.container_id.is_empty()),
                    timestamp: t.status.timestamp.clone(),
                });
        }

        let mut services: Vec<Service> = services
            .iter()
            .map(|s| {
                let mut tasks = by_service.remove(s.id.as_str()).unwrap_or_default();
                tasks.sort_by(|a, b| {
                    (a.slot, &a.node, time_key(&b.timestamp), &a.id).cmp(&(
                        b.slot,
                        &b.node,
                        time_key(&a.timestamp),
                        &b.id,
                    ))
                });
                // The endpoint holds the ports in force (a published port the Engine picked);
                // the spec those asked for, before the manager got to it.
                let ports_json: &[EndpointPortJson] = if s.endpoint.ports.is_empty() {
                    &s.spec.endpoint_spec.ports
                } else {
                    &s.endpoint.ports
                };
                let mut ports: Vec<ServicePort> = ports_json
                    .iter()
                    .map(|p| ServicePort {
                        published: p.published_port,
                        target: p.target_port,
                        protocol: Protocol::from_engine(&p.protocol),
                        mode: if p.publish_mode == "host" {
                            PublishMode::Host
                        } else {
                            PublishMode::Ingress
                        },
                    })
                    .collect();
                ports.sort();
                ports.dedup();
                let mode = &s.spec.mode;
                Service {
                    id: s.id.clone(),
                    name: s.spec.name.clone(),
                    mode: if let Some(r) = &mode.replicated {
                        ServiceMode::Replicated(r.replicas)
                    } else if mode.global.is_some() {
                        ServiceMode::Global
                    } else if mode.replicated_job.is_some() || mode.global_job.is_some() {
                        ServiceMode::Job
                    } else {
                        ServiceMode::Replicated(1)
                    },
                    image: strip_digest(&s.spec.task_template.container_spec.image),
                    ports,
                    networks: s
                        .spec
                        .task_template
                        .networks
                        .iter()
                        .map(|n| network_name(&n.target))
                        .collect(),
                    virtual_ips: s
                        .endpoint
                        .virtual_ips
                        .iter()
                        .map(|v| VirtualIp {
                            network: network_name(&v.network_id),
                            address: v.addr.clone(),
                        })
                        .collect(),
                    constraints: s.spec.task_template.placement.constraints.clone(),
                    tasks,
                }
            })
            .collect();
        services.sort_by(|a, b| (&a.name, &a.id).cmp(&(&b.name, &b.id)));

        let mut overlays: Vec<Overlay> = networks
            .iter()
            .filter(|n| n.scope == "swarm" && n.driver == "overlay")
            .map(|n| Overlay {
                id: n.id.clone(),
                name: n.name.clone(),
                attachable: n.attachable,
                ingress: n.ingress,
                internal: n.internal,
                subnets: n
                    .ipam
                    .config
                    .iter()
                    .map(|c| c.subnet.clone())
                    .filter(|s| !s.is_empty())
                    .collect(),
            })
            .collect();
        overlays.sort_by(|a, b| a.name.cmp(&b.name));

        Self {
            node_id: info.node_id.clone(),
            manager: info.control_available,
            nodes,
            services,
            overlays,
        }
    }

    pub fn service(&self, name: &str) -> Option<&Service> {
        self.services.iter().find(|s| s.name == name)
    }

    pub fn overlay(&self, name: &str) -> Option<&Overlay> {
        self.overlays.iter().find(|o| o.name == name)
    }

    /// The service and task a container runs, by its full id.
    pub fn task_of_container(&self, container_id: &str) -> Option<(&Service, &Task)> {
        self.services.iter().find_map(|s| {
            s.tasks
                .iter()
                .find(|t| t.container_id.as_deref() == Some(container_id))
                .map(|t| (s, t))
        })
    }

    /// The services that publish this port through the routing mesh.
    pub fn ingress_services(&self, published: u16) -> impl Iterator<Item = &Service> {
        self.services
            .iter()
            .filter(move |s| s.ingress_ports().any(|p| p.published == published))
    }
}

/// Whether `/info`'s `Swarm` says this engine manages a swarm (so `/services`, `/tasks` and
/// `/nodes` answer): active and `ControlAvailable`.
pub fn is_manager(info: &SwarmInfoJson) -> bool {
    info.control_available && info.local_node_state == "active"
}

fn node_from_engine(n: &NodeJson) -> Node {
    Node {
        id: n.id.clone(),
        hostname: n.description.hostname.clone(),
        role: if n.spec.role == "manager" {
            NodeRole::Manager
        } else {
            NodeRole::Worker
        },
        state: n.status.state.clone(),
        availability: n.spec.availability.clone(),
        address: n.status.addr.clone(),
        leader: n.manager_status.leader,
    }
}

/// `busybox:1.36@sha256:…` → `busybox:1.36`: the manager pins the digest it resolved, which
/// says nothing a user typed.
fn strip_digest(image: &str) -> String {
    image.split('@').next().unwrap_or(image).to_owned()
}

/// An Engine timestamp (`2026-12-07T19:11:22.22087841Z`, Go's RFC 3339 with nanoseconds and
/// trailing zeros cut) as a key that sorts in time order: the seconds, then the fraction padded
/// to nine digits (as text `.5Z` would sort before `.51Z`).
fn time_key(ts: &str) -> (&str, u32) {
    let (seconds, rest) = ts.split_once('.').unwrap_or((ts, ""));
    let digits: String = rest
        .chars()
        .take_while(char::is_ascii_digit)
        .take(9)
        .collect();
    let nanos = format!("{digits:0<9}").parse().unwrap_or(0);
    (seconds.trim_end_matches('Z'), nanos)
}

fn short(id: &str) -> &str {
    id.get(..12).unwrap_or(id)
}

#[cfg(test)]
pub(crate) mod fixtures {
    //! The swarm recorded from the second engine of `scripts/engines.sh` (Engine 20.10, API
    //! 1.41): `docker swarm init --advertise-addr 127.0.0.1`; overlays `ndfx-attachable`
    //! (attachable, 10.250.1.0/24) and `ndfx-sealed` (not attachable, 10.250.2.0/24); services
    //! `ndfx-web` (2 replicas of busybox httpd on ndfx-attachable, published 18080→80 through
    //! the ingress mesh), `ndfx-stuck` (on ndfx-sealed, constrained to `node.labels.nd-never==yes`,
    //! which no node has), `ndfx-crash` (exits 3, restarted), `ndfx-host` (global, 18081→8081 in
    //! host mode); standalone containers `ndfx-standalone` (`docker run --network ndfx-sealed`,
    //! refused at start) and `ndfx-wants-sealed` (created on ndfx-sealed with
    //! `traefik.docker.network=ndfx-sealed`, refused at start), and `ndfx-on-attachable` (running
    //! on ndfx-attachable). `host.json` is every container inspected and `GET /networks`.
    #![allow(clippy::expect_used)]

    use super::json::{InfoJson, NodeJson, ServiceJson, SwarmNetworkJson, TaskJson};
    use super::Swarm;

    pub const INFO: &str = include_str!("fixtures/info-manager.json");
    pub const NODES: &str = include_str!("fixtures/nodes.json");
    pub const SERVICES: &str = include_str!("fixtures/services.json");
    pub const TASKS: &str = include_str!("fixtures/tasks.json");
    pub const NETWORKS: &str = include_str!("fixtures/networks.json");
    pub const HOST: &str = include_str!("fixtures/host.json");

    pub fn info() -> InfoJson {
        serde_json::from_str(INFO).expect("info parses")
    }

    pub fn recorded() -> Swarm {
        let nodes: Vec<NodeJson> = serde_json::from_str(NODES).expect("nodes parse");
        let services: Vec<ServiceJson> = serde_json::from_str(SERVICES).expect("services parse");
        let tasks: Vec<TaskJson> = serde_json::from_str(TASKS).expect("tasks parse");
        let networks: Vec<SwarmNetworkJson> =
            serde_json::from_str(NETWORKS).expect("networks parse");
        Swarm::from_engine(&info().swarm, &nodes, &services, &tasks, &networks)
    }

    /// The recorded host's topology with the recorded swarm on it.
    pub fn host() -> crate::domain::topology::Topology {
        let mut t = crate::domain::findings::test_support::recorded_from(HOST);
        t.swarm = Some(recorded());
        t
    }
}

#[cfg(test)]
mod tests {
    use super::fixtures::{info, recorded};
    use super::*;

    #[test]
    fn a_manager_is_recognised_from_info_and_an_inactive_engine_is_not() {
        assert!(is_manager(&info().swarm));
        let inactive: json::InfoJson = serde_json::from_str(
            r#"{"Swarm": {"NodeID": "", "NodeAddr": "", "LocalNodeState": "inactive", "ControlAvailable": false, "Error": "", "RemoteManagers": null}}"#,
        )
        .expect("parses");
        assert!(!is_manager(&inactive.swarm));
        let worker: json::InfoJson = serde_json::from_str(
            r#"{"Swarm": {"NodeID": "abc", "LocalNodeState": "active", "ControlAvailable": false}}"#,
        )
        .expect("parses");
        assert!(!is_manager(&worker.swarm));
        let none: json::InfoJson = serde_json::from_str("{}").expect("parses");
        assert!(!is_manager(&none.swarm));
    }

    #[test]
    fn the_one_node_is_a_ready_active_leading_manager() {
        let s = recorded();
        assert!(s.manager);
        assert_eq!(s.nodes.len(), 1);
        let n = &s.nodes[0];
        assert_eq!(n.id, s.node_id);
        assert_eq!(n.role, NodeRole::Manager);
        assert_eq!(
            (n.state.as_str(), n.availability.as_str()),
            ("ready", "active")
        );
        assert_eq!(n.address, "127.0.0.1");
        assert!(n.leader);
        assert_eq!(n.hostname, "vm");
    }

    #[test]
    fn overlays_say_whether_they_are_attachable_and_which_is_the_ingress() {
        let s = recorded();
        let names: Vec<(&str, bool, bool)> = s
            .overlays
            .iter()
            .map(|o| (o.name.as_str(), o.attachable, o.ingress))
            .collect();
        assert_eq!(
            names,
            [
                ("ingress", false, true),
                ("ndfx-attachable", true, false),
                ("ndfx-sealed", false, false)
            ]
        );
        assert_eq!(
            s.overlay("ndfx-sealed").expect("recorded").subnets,
            ["10.250.2.0/24"]
        );
    }

    #[test]
    fn a_replicated_service_has_its_image_ports_networks_and_virtual_ips() {
        let s = recorded();
        let web = s.service("ndfx-web").expect("recorded");
        assert_eq!(web.mode, ServiceMode::Replicated(2));
        assert_eq!(web.image, "ndswarm-busybox:fixture");
        assert_eq!(
            web.ports,
            [ServicePort {
                published: 18080,
                target: 80,
                protocol: Protocol::Tcp,
                mode: PublishMode::Ingress
            }]
        );
        assert_eq!(
            web.ports[0].describe(),
            "*:18080→80/tcp (ingress, every node)"
        );
        assert_eq!(web.networks, ["ndfx-attachable"]);
        let vips: Vec<(&str, &str)> = web
            .virtual_ips
            .iter()
            .map(|v| (v.network.as_str(), v.address.as_str()))
            .collect();
        assert_eq!(
            vips,
            [
                ("ingress", "10.0.0.3/24"),
                ("ndfx-attachable", "10.250.1.2/24")
            ]
        );
        assert_eq!((web.running(), web.desired()), (2, 2));
        assert_eq!(web.not_running().count(), 0);
        let slots: Vec<Option<u64>> = web.tasks.iter().map(|t| t.slot).collect();
        assert_eq!(slots, [Some(1), Some(2)]);
        assert!(web
            .tasks
            .iter()
            .all(|t| t.node.as_deref() == Some("vm") && t.container_id.is_some()));
        assert_eq!(web.tasks[0].label("ndfx-web"), "ndfx-web.1");
    }

    #[test]
    fn a_service_no_node_can_run_waits_pending_with_the_schedulers_reason() {
        let s = recorded();
        let stuck = s.service("ndfx-stuck").expect("recorded");
        assert_eq!((stuck.running(), stuck.desired()), (0, 1));
        let waiting: Vec<&Task> = stuck.not_running().collect();
        assert_eq!(waiting.len(), 1);
        let t = waiting[0];
        assert_eq!(
            (t.desired.as_str(), t.state.as_str()),
            ("running", "pending")
        );
        assert_eq!(t.node, None);
        assert_eq!(t.container_id, None);
        assert_eq!(
            stuck.error_for(t),
            Some("no suitable node (scheduling constraints not satisfied on 1 node)")
        );
        assert_eq!(stuck.constraints, ["node.labels.nd-never==yes"]);
        assert_eq!(stuck.networks, ["ndfx-sealed"]);
    }

    #[test]
    fn a_crash_loop_quotes_the_error_of_the_last_try_in_the_same_slot() {
        let s = recorded();
        let crash = s.service("ndfx-crash").expect("recorded");
        assert_eq!((crash.running(), crash.desired()), (0, 1));
        let current: Vec<&Task> = crash.not_running().collect();
        assert_eq!(current.len(), 1);
        assert_eq!(
            current[0].error, None,
            "the retry waits with no error of its own"
        );
        assert_eq!(crash.error_for(current[0]), Some("task: non-zero exit (3)"));
        let failed: Vec<&Task> = crash.tasks.iter().filter(|t| t.state == "failed").collect();
        assert_eq!(failed.len(), 4);
        assert!(failed.iter().all(|t| t.exit_code == Some(3)));
        assert!(
            crash
                .tasks
                .windows(2)
                .all(|w| time_key(&w[0].timestamp) >= time_key(&w[1].timestamp)),
            "newest first within the slot"
        );
    }

    #[test]
    fn a_global_service_in_host_mode_has_one_task_per_node_and_no_mesh_port() {
        let s = recorded();
        let host = s.service("ndfx-host").expect("recorded");
        assert_eq!(host.mode, ServiceMode::Global);
        assert_eq!((host.running(), host.desired()), (1, 1));
        assert_eq!(
            host.ports.len(),
            1,
            "the Engine lists the binding twice; once here"
        );
        assert_eq!(host.ports[0].mode, PublishMode::Host);
        assert_eq!(host.ingress_ports().count(), 0);
        assert_eq!(host.tasks[0].slot, None);
        assert_eq!(host.tasks[0].label("ndfx-host"), "ndfx-host.vm");
        assert_eq!(s.ingress_services(18080).count(), 1);
        assert_eq!(s.ingress_services(18081).count(), 0);
    }

    #[test]
    fn a_task_container_leads_back_to_its_service() {
        let s = recorded();
        let web = s.service("ndfx-web").expect("recorded");
        let id = web.tasks[0].container_id.clone().expect("running task");
        let (service, task) = s.task_of_container(&id).expect("found");
        assert_eq!((service.name.as_str(), task.slot), ("ndfx-web", Some(1)));
        assert!(s.task_of_container("not-a-task").is_none());
    }

    #[test]
    fn a_service_whose_network_vanished_names_it_by_id_and_nothing_breaks() {
        let services: Vec<json::ServiceJson> =
            serde_json::from_str(fixtures::SERVICES).expect("services");
        let s = Swarm::from_engine(&info().swarm, &[], &services, &[], &[]);
        let web = s.service("ndfx-web").expect("recorded");
        assert_eq!(web.networks, ["t6248k9eoxipke4nnutvvhcvu"]);
        assert!(web.tasks.is_empty() && s.overlays.is_empty() && s.nodes.is_empty());
        assert_eq!(web.running(), 0);
    }

    #[test]
    fn engine_timestamps_sort_in_time_order_whatever_their_precision() {
        assert!(time_key("2026-12-07T19:11:22.5Z") > time_key("2026-12-07T19:11:22.45Z"));
        assert!(time_key("2026-12-07T19:11:22.5Z") < time_key("2026-12-07T19:11:22.51Z"));
        assert!(time_key("2026-12-07T19:11:23Z") > time_key("2026-12-07T19:11:22.999Z"));
        assert_eq!(time_key(""), ("", 0));
    }

    #[test]
    fn the_model_round_trips_through_json() {
        let s = recorded();
        let text = serde_json::to_string(&s).expect("serialises");
        let back: Swarm = serde_json::from_str(&text).expect("parses");
        assert_eq!(back, s);
    }
}
