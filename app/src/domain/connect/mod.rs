//! The connection-string builder: from a source (a container, or the host) to a target
//! container, the address that really works — a name the target has on a network both share,
//! its internal port, the scheme its software speaks — with the reasons, and, when nothing can
//! work, why and the exact fix. Pure: it reads only the [`Topology`], never an environment.

pub mod kind;
pub use crate::domain::reachability::naming;
pub mod ports;
pub mod query;

pub use kind::{KindChoice, ServiceKind};
pub use naming::{Candidate, NameKind};
pub use ports::{Listen, Listening, PortOption, PortOrigin};
pub use query::{ConnectQuery, QueryError, Source, HOST_PARAM};

use crate::domain::checks::outcome::Listener;
use crate::domain::coolify::{CoolifyKind, PROXY_CONTAINER};
use crate::domain::findings::public_ports::{docker_user_rules, UFW_RULE};
use crate::domain::findings::{join, Severity};
use crate::domain::names::ContainerName;
use crate::domain::ports::{HostBinding, PortMapping, Protocol};
use crate::domain::problem::FixStep;
use crate::domain::reachability::{self, Cause, CauseCode};
use crate::domain::topology::{Container, NetworkKind, NetworkMode, Topology};
use serde::{Deserialize, Serialize};

/// How an address reaches the target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Via {
    /// By name, over this network both containers are on.
    Network(String),
    /// Source and target are the same network namespace: `localhost`.
    SameContainer,
    /// Through a port published on the host (`binding` as `docker ps` shows it).
    Published {
        binding: String,
        loopback_only: bool,
    },
    /// The target shares the host's network stack (`--network host`).
    HostNetwork,
    /// From a container to a target on the host's network, through the host gateway.
    HostGateway,
    /// By the target's IP on this network: works from the host, changes on restart.
    ContainerIp(String),
    /// Through the proxy's public domain.
    ProxyDomain,
}

/// A ready address with its snippets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Address {
    pub host: String,
    pub port: Option<u16>,
    pub via: Via,
    /// Survives a redeploy or restart of the target.
    pub stable: bool,
    /// The connection string (`postgres://USER:PASSWORD@db:5432/DB`, `http://api:3001`).
    pub url: String,
    /// `DATABASE_URL=…`, ready for an `.env` file or Coolify's environment variables.
    pub env_line: String,
}

/// Which advice a [`Note`] is. Stable: tests and styles key on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum NoteCode {
    NoSharedNetwork,
    DefaultBridgeOnly,
    NoNetwork,
    NotPublished,
    NameChangesEachDeploy,
    AmbiguousName,
    TargetNotRunning,
    TargetOnHostNetwork,
    PortUnknown,
    PortNotListed,
    HostPortCorrected,
    PublishedOnAllInterfaces,
    LoopbackOnly,
    InternalTls,
    /// A live read found no socket on the chosen port.
    NothingListens,
    /// A live read found the chosen port bound to 127.0.0.1 only.
    ListensOnLoopbackOnly,
}

/// A warning, or the reason nothing works: what, why (the Docker or Coolify rule), and the fix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Note {
    pub code: NoteCode,
    pub severity: Severity,
    pub title: String,
    pub why: String,
    pub fix: Vec<FixStep>,
}

/// Another way in, when the main address does not exist or is not the only sensible one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alternative {
    pub title: String,
    pub address: Address,
}

/// Everything the builder says about one source → target (port) choice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Connection {
    pub from: Source,
    pub to: ContainerName,
    pub kind: ServiceKind,
    /// The internal (container) port the address is for.
    pub port: Option<u16>,
    /// The ports the page offers for the target.
    pub ports: Vec<PortOption>,
    /// `None` when nothing reaches the target from the source; the notes say why.
    pub address: Option<Address>,
    /// Why this name, this port, this scheme — plain sentences in that order.
    pub reasons: Vec<String>,
    /// Worst first.
    pub notes: Vec<Note>,
    pub alternatives: Vec<Alternative>,
}

/// What "Test it" checks for a built address: from the source container, the name and the
/// internal port the address holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TestPlan {
    pub from: ContainerName,
    pub to: ContainerName,
    /// The name the address uses (an alias, a service name, or the container's own name).
    pub name: String,
    pub port: u16,
    /// Ask for an HTTP answer after the TCP connect (plain `http` targets).
    pub http: bool,
    /// The port speaks TLS: resolution and TCP only, and the result says HTTP was not tried.
    pub tls: bool,
}

impl Connection {
    /// The live check for this address: by name over a shared network from a source
    /// container — the case the builder exists for. `None` for other addresses (from the host,
    /// `localhost`, the host gateway, an IP) and when there is no address or port.
    pub fn test_plan(&self) -> Option<TestPlan> {
        let from = self.from.container()?;
        let address = self.address.as_ref()?;
        if !matches!(address.via, Via::Network(_)) {
            return None;
        }
        Some(TestPlan {
            from: from.clone(),
            to: self.to.clone(),
            name: address.host.clone(),
            port: address.port?,
            http: self.kind == ServiceKind::Http,
            tls: self.kind == ServiceKind::Https,
        })
    }

    /// Adds what a live read of the target's TCP sockets says: the port options marked (see
    /// [`ports::merge_listening`]), a warning when nothing listens on the chosen port or only
    /// on 127.0.0.1, and for a port nothing declares but something listens on, that instead
    /// of "not a port it exposes".
    pub fn with_listening(mut self, sockets: &[Listener]) -> Self {
        self.ports = ports::merge_listening(&self.ports, sockets);
        let Some(port) = self.port else {
            return self;
        };
        let to = self.to.clone();
        let listen = self
            .ports
            .iter()
            .find(|o| o.port == port)
            .map_or(Listen::NotListening, |o| o.listen);
        let same_namespace = self
            .address
            .as_ref()
            .is_some_and(|a| a.via == Via::SameContainer);
        let others: Vec<String> = self
            .ports
            .iter()
            .filter(|o| o.port != port && o.listen == Listen::Listening)
            .map(|o| o.port.to_string())
            .collect();
        match listen {
            Listen::Listening | Listen::Unknown => {
                if self.notes.iter().any(|n| n.code == NoteCode::PortNotListed) {
                    self.notes.retain(|n| n.code != NoteCode::PortNotListed);
                    self.reasons.push(format!(
                        "Port {port} is not declared (no EXPOSE, no route), but {to} listens on it now (read live)."
                    ));
                }
            }
            Listen::NotListening => {
                let mut fix = Vec::new();
                if !others.is_empty() {
                    fix.push(FixStep::say(&format!(
                        "{to} listens on {} now: pick that port if it is the app's.",
                        join(&others)
                    )));
                }
                fix.push(FixStep::run(
                    "Read the application's log:",
                    &format!("docker logs --tail 50 {to}"),
                ));
                self.notes.push(Note {
                    code: NoteCode::NothingListens,
                    severity: Severity::Warning,
                    title: format!("Nothing in {to} listens on port {port} right now."),
                    why: format!(
                        "A live read of {to}'s TCP sockets found none on port {port}: the app has not started, crashed, or listens on another port. A declared port (EXPOSE) is only what the image says."
                    ),
                    fix,
                });
            }
            Listen::LoopbackOnly if !same_namespace => {
                self.notes.push(Note {
                    code: NoteCode::ListensOnLoopbackOnly,
                    severity: Severity::Warning,
                    title: format!("{to} listens on port {port} on 127.0.0.1 only."),
                    why: "Inside a container 127.0.0.1 is the container itself: an app bound to it accepts no connection from other containers, the proxy or a published port.".to_owned(),
                    fix: vec![FixStep::say(&format!(
                        "Make the app in {to} listen on 0.0.0.0:{port} (for example `--host 0.0.0.0` or `HOST=0.0.0.0`) and redeploy."
                    ))],
                });
            }
            Listen::LoopbackOnly => {}
        }
        self.notes.sort_by_key(|n| (n.severity, n.code));
        self
    }

    /// The note saying why there is no address, when there is none.
    pub fn blocking(&self) -> impl Iterator<Item = &Note> {
        self.notes
            .iter()
            .filter(|n| n.severity == Severity::Blocking)
    }
}

/// Written where another machine needs the server's own address, which netdoctor cannot know.
pub const SERVER_ADDRESS: &str = "SERVER_IP";

/// The choice names something that is not on this host (any more).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum BuildError {
    #[error("there is no container named {0} on this host (it may have been removed)")]
    UnknownSource(String),
    #[error("there is no container named {0} on this host (it may have been removed)")]
    UnknownTarget(String),
}

/// Builds the connection from `from` to `to`, on `port` when given (a container port; a
/// published host port is mapped back to its container port).
pub fn build(
    t: &Topology,
    from: &Source,
    to: &ContainerName,
    port: Option<u16>,
) -> Result<Connection, BuildError> {
    build_inner(t, from, to, port, None, None)
}

/// [`build`] for an app on another server ([`Source::Server`]) to `to` on this one, whose
/// public address (the host part of its endpoint, when netdoctor knows one) is `public_host`:
/// only ports published on addresses other machines reach, and domains, work across servers.
pub fn build_across(
    t: &Topology,
    from: &Source,
    to: &ContainerName,
    port: Option<u16>,
    public_host: Option<&str>,
) -> Result<Connection, BuildError> {
    build_inner(t, from, to, port, None, public_host)
}

/// [`build`] with the live read of what the target listens on ([`Connection::with_listening`]).
/// When no port was asked and the target declares none (no EXPOSE, no route), the one port it
/// listens on for other containers becomes the port — an image without EXPOSE is common.
pub fn build_with_listening(
    t: &Topology,
    from: &Source,
    to: &ContainerName,
    port: Option<u16>,
    sockets: &[Listener],
) -> Result<Connection, BuildError> {
    Ok(build_inner(t, from, to, port, Some(sockets), None)?.with_listening(sockets))
}

fn build_inner(
    t: &Topology,
    from: &Source,
    to: &ContainerName,
    port: Option<u16>,
    sockets: Option<&[Listener]>,
    public_host: Option<&str>,
) -> Result<Connection, BuildError> {
    let target = t
        .container(to.as_str())
        .ok_or_else(|| BuildError::UnknownTarget(to.to_string()))?;
    let source = match from {
        Source::Host | Source::Server(_) => None,
        Source::Container(name) => Some(
            t.container(name.as_str())
                .ok_or_else(|| BuildError::UnknownSource(name.to_string()))?,
        ),
    };
    let options = ports::port_options(t, target);
    let known = kind::kind_of_target(target);
    let live_only = sockets
        .filter(|_| port.is_none() && options.is_empty())
        .and_then(|sockets| ports::only_listening_port(&options, sockets));
    let choice = match live_only {
        Some(p) => ports::PortChoice {
            port: Some(p),
            why: format!(
                "Port {p} is the only port {} listens on for other containers (read live); its image declares none.",
                target.name
            ),
            corrected_from: None,
            unlisted: false,
        },
        None => ports::choose_port(target, &options, port, known.as_ref().map(|k| k.kind)),
    };
    let routed = choice.port.is_some_and(|p| ports::is_routed(t, target, p));
    let kind = kind::kind_for_port(target, choice.port, routed);

    let mut b = Builder {
        t,
        target,
        kind: kind.kind,
        port: choice.port,
        reasons: Vec::new(),
        notes: Vec::new(),
        alternatives: Vec::new(),
    };
    b.port_notes(&choice);
    if !target.is_running() {
        b.cause_note(
            &reachability::cause::target_stopped(target),
            Severity::Warning,
        );
    }

    let address = match (from, source) {
        (Source::Server(server), _) => b.build_from_other_server(server, public_host),
        (_, None) => b.build_from_host(),
        (_, Some(s)) => b.build_from_container(s),
    };
    if let Some(a) = &address {
        if matches!(a.via, Via::Network(_)) && kind.kind == ServiceKind::Https {
            b.note(
                NoteCode::InternalTls,
                Severity::Info,
                format!("{} speaks TLS on port {}: its certificate is unlikely to name `{}`.", target.name, a.port.unwrap_or_default(), a.host),
                "Certificates are issued for public domains; inside a Docker network the client connects by container name, so a strict client rejects the certificate.".to_owned(),
                vec![FixStep::say("Prefer the app's plain-HTTP port between containers (the proxy terminates TLS for the outside), or tell the client which name to verify.")],
            );
        }
    }
    b.reasons.push(choice.why.clone());
    b.reasons.push(kind.why);
    if kind.kind.has_credentials() {
        b.reasons.push(format!(
            "{}, {} and {} are placeholders: netdoctor never reads a container's environment. For a Coolify database, its page shows the user, password and database (and the whole internal URL).",
            kind::USER, kind::PASSWORD, kind::DATABASE
        ));
    }
    b.proxy_alternatives(address.is_none() || source.is_none());
    let Builder {
        reasons,
        mut notes,
        alternatives,
        ..
    } = b;
    notes.sort_by_key(|n| (n.severity, n.code));
    Ok(Connection {
        from: from.clone(),
        to: to.clone(),
        kind: kind.kind,
        port: choice.port,
        ports: options,
        address,
        reasons,
        notes,
        alternatives,
    })
}

struct Builder<'a> {
    t: &'a Topology,
    target: &'a Container,
    kind: ServiceKind,
    port: Option<u16>,
    reasons: Vec<String>,
    notes: Vec<Note>,
    alternatives: Vec<Alternative>,
}

impl<'a> Builder<'a> {
    fn note(
        &mut self,
        code: NoteCode,
        severity: Severity,
        title: String,
        why: String,
        fix: Vec<FixStep>,
    ) {
        self.notes.push(Note {
            code,
            severity,
            title,
            why,
            fix,
        });
    }

    /// An address for `host` and `port` in the target's template, with its env line.
    fn address(&self, host: &str, port: Option<u16>, via: Via, stable: bool) -> Address {
        let url = self.kind.url(host, port);
        Address {
            host: host.to_owned(),
            port,
            via,
            stable,
            env_line: format!("{}={url}", self.kind.env_var(&service_name(self.target))),
            url,
        }
    }

    fn port_notes(&mut self, choice: &ports::PortChoice) {
        let name = self.target.name.clone();
        if let (Some(host_port), Some(port)) = (choice.corrected_from, choice.port) {
            self.note(
                NoteCode::HostPortCorrected,
                Severity::Info,
                format!("{host_port} is the host port; {name} listens on {port}."),
                "A published port (`-p 5433:5432`) is a door on the host's addresses; other containers reach the container directly, on its own port. The published port does not exist inside the Docker network.".to_owned(),
                vec![FixStep::say(&format!("From other containers always use {port}; use {host_port} only from the host or outside."))],
            );
        }
        if choice.unlisted {
            let listed: Vec<String> = ports::port_options(self.t, self.target)
                .iter()
                .map(|o| o.port.to_string())
                .collect();
            self.note(
                NoteCode::PortNotListed,
                Severity::Info,
                format!(
                    "{} is not a port {name} exposes{}.",
                    choice.port.unwrap_or_default(),
                    if listed.is_empty() { String::new() } else { format!(" ({})", join(&listed)) }
                ),
                "Docker does not need EXPOSE for traffic between containers, so the address works if the app really listens on this port (and on 0.0.0.0, not 127.0.0.1). EXPOSE is only what the image declares.".to_owned(),
                vec![FixStep::say("Check the port the app listens on in its logs or configuration.")],
            );
        }
        if choice.port.is_none() {
            self.note(
                NoteCode::PortUnknown,
                Severity::Warning,
                format!("{name} exposes no port, so the port is unknown."),
                "The address needs the port the app listens on inside the container; nothing in the image, its labels or the proxy's routes says which.".to_owned(),
                vec![FixStep::say("Enter the port the app listens on (its docs, logs or `PORT` setting). In Coolify, set it under Ports Exposes as well, so the proxy finds it.")],
            );
        }
    }

    // -----------------------------------------------------------------------------------------
    // From a container

    fn build_from_container(&mut self, source: &'a Container) -> Option<Address> {
        let t = self.t;
        if source.network_mode == NetworkMode::Host {
            self.reasons.push(format!(
                "{} uses the host's network (`network_mode: host`): it reaches containers the way the host does, and container names do not resolve for it.",
                source.name
            ));
            return self.build_from_host();
        }
        let source = t.namespace_owner(source);
        let target = t.namespace_owner(self.target);
        if source.name == target.name {
            self.reasons.push(format!(
                "{} and {} share one network namespace, so `localhost` reaches it.",
                source.name, self.target.name
            ));
            return Some(self.address("localhost", self.port, Via::SameContainer, true));
        }
        if target.network_mode == NetworkMode::Host {
            return Some(self.via_host_gateway(source));
        }
        let all = naming::candidates(t, source, target);
        let Some(best) = all.first().cloned() else {
            self.blocked(source, target);
            return None;
        };
        self.reasons.push(naming::why(&best, target));
        if !best.stable {
            self.per_deploy(&best);
        }
        if !best.unique() {
            self.ambiguous(&best, None);
        }
        // Names a user might reach for (service names, aliases) that would land elsewhere.
        for c in all.iter().filter(|c| {
            !c.unique()
                && c.name != best.name
                && matches!(
                    c.kind,
                    NameKind::StackService | NameKind::Alias | NameKind::ComposeServiceOutsideStack
                )
        }) {
            self.ambiguous(c, best.unique().then_some(best.name.as_str()));
        }
        Some(self.address(
            &best.name,
            self.port,
            Via::Network(best.network.clone()),
            best.stable,
        ))
    }

    fn via_host_gateway(&mut self, source: &Container) -> Address {
        let name = &self.target.name;
        self.reasons.push(format!(
            "{name} uses the host's network (`network_mode: host`), so it has no name in any Docker network; containers reach it through the host, as `host.docker.internal`."
        ));
        self.note(
            NoteCode::TargetOnHostNetwork,
            Severity::Warning,
            format!("{} must be given `host.docker.internal` to reach {name}.", source.name),
            "Docker defines `host.docker.internal` only for containers started with `--add-host=host.docker.internal:host-gateway` (Docker 20.10+); Coolify adds it only to its proxy and sentinel. The app on the host must also listen on the bridge's gateway address, not only on 127.0.0.1.".to_owned(),
            vec![
                FixStep::say(&format!("Add `host.docker.internal:host-gateway` to {}'s extra hosts (compose `extra_hosts:`, or Coolify's custom Docker options `--add-host=host.docker.internal:host-gateway`) and redeploy it.", source.name)),
            ],
        );
        self.address("host.docker.internal", self.port, Via::HostGateway, true)
    }

    /// Nothing reaches the target from the source: the model's cause, as a blocking note (the
    /// reach check concludes with the same words), and the IP on a shared default bridge.
    fn blocked(&mut self, source: &'a Container, target: &'a Container) {
        let t = self.t;
        let cause = reachability::network_cause(t, source, target, None, true, self.port);
        if cause.code == CauseCode::DefaultBridgeOnly {
            let bridge = t
                .shared_networks(source, target)
                .find(|n| t.network_kind(n) == NetworkKind::DefaultBridge);
            if let Some((bridge, ip)) =
                bridge.and_then(|b| Some((b, target.attachment(b)?.ipv4.clone()?)))
            {
                let address =
                    self.address(&ip, self.port, Via::ContainerIp(bridge.to_owned()), false);
                self.alternatives.push(Alternative {
                    title: format!(
                        "Until {} restarts, its IP on {bridge} works from {}:",
                        target.name, source.name
                    ),
                    address,
                });
            }
        }
        self.cause_note(&cause, Severity::Blocking);
    }

    fn cause_note(&mut self, cause: &Cause, severity: Severity) {
        self.note(
            note_code(cause.code),
            severity,
            cause.title.clone(),
            cause.why.clone(),
            cause.fix.clone(),
        );
    }

    fn per_deploy(&mut self, best: &Candidate) {
        let target = self.target;
        let name = &target.name;
        let mut fix = Vec::new();
        match (target.coolify.as_ref().map(|i| i.kind), target.stack()) {
            (Some(CoolifyKind::Application), Some(stack)) => {
                let svc = stack.service.unwrap_or("service");
                fix.push(FixStep::say(&format!(
                    "In Coolify, open the application {}, enable \"Consistent Container Name\" under Advanced, and redeploy: the container is then `{svc}-{}` on every deploy.",
                    stack.resource_name.unwrap_or(stack.uuid),
                    stack.uuid
                )));
            }
            (Some(CoolifyKind::Application), None) => {
                let uuid = target.compose.as_ref().map_or("the app's uuid", |c| c.project.as_str());
                let resource = target.coolify.as_ref().and_then(|i| i.resource_name.as_deref()).unwrap_or(uuid);
                fix.push(FixStep::say(&format!(
                    "In Coolify, open the application {resource}, Advanced: add a Network Alias (e.g. `{resource}`) and redeploy — then connect by that alias; or enable \"Consistent Container Name\", and the container is `{uuid}` on every deploy."
                )));
            }
            _ => fix.push(FixStep::run(
                &format!("Give {name} a network alias that stays (compose: `networks: {{ {net}: {{ aliases: [my-name] }} }}`), or reconnect it with one now:", net = best.network),
                &format!("docker network disconnect {net} {name} && docker network connect --alias my-name {net} {name}", net = best.network),
            )),
        }
        self.note(
            NoteCode::NameChangesEachDeploy,
            Severity::Warning,
            format!("`{}` works now, but it changes when {name} is redeployed.", best.name),
            "Coolify names application containers `{uuid}-{time of deploy}` unless \"Consistent Container Name\" is on, so every deploy brings a new name and a connection string holding the old one breaks. Only a network alias, the consistent name or a stack's `{service}-{uuid}` name stay.".to_owned(),
            fix,
        );
    }

    fn ambiguous(&mut self, c: &Candidate, instead: Option<&str>) {
        let others: Vec<&str> = c
            .holders
            .iter()
            .filter(|h| **h != self.target.name)
            .map(|h| h.as_str())
            .collect();
        let mut fix = Vec::new();
        if let Some(instead) = instead {
            fix.push(FixStep::say(&format!(
                "Use `{instead}`, which only {} answers to.",
                self.target.name
            )));
        }
        if let Some(q) = naming::qualified(self.t, self.target, &c.name, &c.network) {
            fix.push(FixStep::say(&format!(
                "Or use `{q}`: a name followed by `.{}` resolves on that network only, where only {} holds it.",
                c.network, self.target.name
            )));
        }
        if fix.is_empty() {
            fix.push(FixStep::say(&format!(
                "Remove the alias `{}` from all but one container (compose `aliases:` or `--network-alias`) and recreate them.",
                c.name
            )));
        }
        let core = others.iter().any(|o| o.starts_with("coolify"));
        self.note(
            NoteCode::AmbiguousName,
            Severity::Warning,
            format!(
                "`{}` also answers for {}, so a client using it reaches either at random.",
                c.name,
                join(&others)
            ),
            format!(
                "Docker's DNS returns every container holding a name on the networks the client is on, in no fixed order (compose#2984).{}",
                if core { " Coolify's own coolify-db and coolify-redis answer to `postgres` and `redis` on the destination network (coolify#11142)." } else { "" }
            ),
            fix,
        );
    }

    // -----------------------------------------------------------------------------------------
    // From the host

    fn build_from_host(&mut self) -> Option<Address> {
        let t = self.t;
        let target = t.namespace_owner(self.target);
        let name = self.target.name.clone();
        if target.network_mode == NetworkMode::Host {
            self.reasons.push(format!(
                "{name} uses the host's network (`network_mode: host`): it listens directly on the host's addresses."
            ));
            return Some(self.address("127.0.0.1", self.port, Via::HostNetwork, true));
        }
        let port = self.port?;
        let (owner, bindings) = match published_for(target, port) {
            found if !found.is_empty() => (target, found),
            _ => match coolify_public_proxy(t, target) {
                Some((proxy, found)) => (proxy, found),
                None => {
                    self.not_published(target, port);
                    return None;
                }
            },
        };
        let mut sorted = bindings.clone();
        sorted.sort_by_key(|p| binding_preference(p));
        let chosen = sorted[0];
        let h = chosen.host.as_ref()?;
        let host = host_address(&h.ip);
        let open: Vec<&PortMapping> = bindings
            .iter()
            .copied()
            .filter(|p| p.host.as_ref().is_some_and(|h| h.is_all_interfaces()))
            .collect();
        let loopback_only = open.is_empty()
            && bindings
                .iter()
                .all(|p| p.host.as_ref().is_some_and(HostBinding::is_loopback));
        if owner.name == target.name {
            self.reasons.push(format!(
                "Container names never resolve on the host; {name}'s port {port} is published on the host as {}, so the host connects to {host}:{}.",
                join(bindings.iter().map(ToString::to_string)),
                h.port
            ));
        } else {
            self.reasons.push(format!(
                "Container names never resolve on the host; Coolify's public proxy {} forwards host port {} to {name}, so the host connects to {host}:{}.",
                owner.name, h.port, h.port
            ));
        }
        if !open.is_empty() {
            let mut fix = vec![FixStep::say(&match owner.coolify.as_ref().map(|i| i.kind) {
                _ if owner.name != target.name => "If only the host needs it, turn off \"Make it publicly available\" on the database in Coolify and reach it through an SSH tunnel instead.".to_owned(),
                Some(CoolifyKind::Application | CoolifyKind::Service) => format!(
                    "If only the host needs it, change the mapping in Coolify's Ports Mappings to `127.0.0.1:{}:{port}` and redeploy.",
                    h.port
                ),
                _ => format!("If only the host needs it, publish it as `-p 127.0.0.1:{}:{port}` (compose: `\"127.0.0.1:{}:{port}\"`).", h.port, h.port),
            })];
            fix.extend(docker_user_rules(&open));
            self.note(
                NoteCode::PublishedOnAllInterfaces,
                Severity::Warning,
                format!(
                    "Port {} is published on all interfaces: anyone who can reach this server can connect to it, not only the host.",
                    h.port
                ),
                UFW_RULE.to_owned(),
                fix,
            );
            self.for_other_machines(open[0]);
        } else if loopback_only {
            self.note(
                NoteCode::LoopbackOnly,
                Severity::Info,
                format!("Port {} is published on the loopback address only: programs on the host reach it, other machines do not.", h.port),
                "A binding on 127.0.0.1 accepts connections from the host itself only, which is the safe way to publish a database.".to_owned(),
                vec![FixStep::run(
                    &format!("From your own computer, tunnel through SSH, then connect to localhost:{} there:", h.port),
                    &format!("ssh -N -L {p}:127.0.0.1:{p} user@your-server", p = h.port),
                )],
            );
        }
        Some(self.address(
            &host,
            Some(h.port),
            Via::Published {
                binding: chosen.to_string(),
                loopback_only,
            },
            true,
        ))
    }

    /// What another machine dials for a binding on all interfaces: the server's address (a
    /// domain the proxy routes to the target when there is one — it points at this server —
    /// else the [`SERVER_ADDRESS`] placeholder) and the published port.
    fn for_other_machines(&mut self, binding: &PortMapping) {
        let Some(h) = binding.host.as_ref() else {
            return;
        };
        let name = self.target.name.as_str();
        let domain = self
            .t
            .routes
            .iter()
            .filter(|r| r.containers.iter().any(|c| c == name))
            .flat_map(|r| r.hosts.iter())
            .find(|h| !h.is_empty() && !h.contains('*'));
        let (server, title) = match domain {
            Some(d) => (
                d.clone(),
                format!("From another machine: {d} points at this server (the proxy routes it to {name}), and port {} is open on all its addresses — if the domain's DNS goes straight to the server, not through a CDN.", h.port),
            ),
            None => (
                SERVER_ADDRESS.to_owned(),
                format!("From another machine: this server's public IP or a DNS name that points at it in place of {SERVER_ADDRESS}, and port {} (open on all its addresses; a cloud firewall or security group may still block it).", h.port),
            ),
        };
        let address = self.address(
            &server,
            Some(h.port),
            Via::Published {
                binding: binding.to_string(),
                loopback_only: false,
            },
            true,
        );
        self.alternatives.push(Alternative { title, address });
    }

    /// From an app on another server: none of this host's names or container IPs; a port
    /// published on an address other machines reach, at this server's public address.
    fn build_from_other_server(&mut self, server: &str, public: Option<&str>) -> Option<Address> {
        let t = self.t;
        let target = t.namespace_owner(self.target);
        let name = self.target.name.clone();
        self.reasons.push(format!(
            "{name} runs on this server and the app on {server}: {}",
            reachability::cause::OTHER_SERVER_WHY
        ));
        let public = public
            .filter(|h| !h.is_empty())
            .unwrap_or(SERVER_ADDRESS)
            .to_owned();
        let port = self.port?;
        if target.network_mode == NetworkMode::Host {
            self.reasons.push(format!(
                "{name} uses the host's network (`network_mode: host`): if it listens on all addresses, {server} reaches it at {public}:{port}."
            ));
            return Some(self.address(&public, Some(port), Via::HostNetwork, true));
        }
        let published = published_for(target, port);
        let (owner, bindings) = if published.is_empty() {
            match coolify_public_proxy(t, target) {
                Some(found) => found,
                None => (target, Vec::new()),
            }
        } else {
            (target, published)
        };
        let mut open: Vec<&PortMapping> = bindings
            .iter()
            .copied()
            .filter(|p| p.host.as_ref().is_some_and(|h| !h.is_loopback()))
            .collect();
        open.sort_by_key(|p| binding_preference(p));
        let Some(chosen) = open.first().copied() else {
            let cause = reachability::Blocked::OtherServerCannotResolve {
                server,
                target: self.target,
                address: &reachability::Address::Name {
                    name: name.to_string(),
                    dns: true,
                },
                port: Some(port),
            }
            .cause(t);
            self.note(
                NoteCode::NotPublished,
                Severity::Blocking,
                if bindings.is_empty() {
                    format!("{server} cannot reach {name} on port {port}: the port is not published on this server.")
                } else {
                    format!("{server} cannot reach {name} on port {port}: it is published on this server's loopback only.")
                },
                cause.why,
                cause.fix,
            );
            return None;
        };
        let h = chosen.host.as_ref()?;
        let host = if h.is_all_interfaces() {
            public.clone()
        } else {
            h.ip.clone()
        };
        let door = if owner.name == target.name {
            format!("{name} publishes port {port} as {chosen}")
        } else {
            format!(
                "Coolify's public proxy {} forwards host port {} to {name}",
                owner.name, h.port
            )
        };
        self.reasons.push(format!(
            "{door}, so {server} connects to {host}:{} — if this server's firewall (and any cloud security group) lets {server} in.",
            h.port
        ));
        if host == SERVER_ADDRESS {
            self.reasons.push(format!(
                "netdoctor reaches this server through a local socket, so it does not know the address {server} sees: put this server's public or private-network IP in place of {SERVER_ADDRESS}."
            ));
        }
        self.note(
            NoteCode::PublishedOnAllInterfaces,
            Severity::Warning,
            format!(
                "Port {} is open to every machine that can reach this server, not only {server}.",
                h.port
            ),
            UFW_RULE.to_owned(),
            docker_user_rules(&[chosen]),
        );
        Some(self.address(
            &host,
            Some(h.port),
            Via::Published {
                binding: chosen.to_string(),
                loopback_only: false,
            },
            true,
        ))
    }

    fn not_published(&mut self, target: &Container, port: u16) {
        let name = &self.target.name;
        let other: Vec<String> = target
            .published
            .iter()
            .filter(|p| p.host.is_some())
            .map(ToString::to_string)
            .collect();
        let mut fix = Vec::new();
        match target.coolify.as_ref().map(|i| i.kind) {
            Some(CoolifyKind::Database) => fix.push(FixStep::say(&format!(
                "In Coolify, open the database, enable \"Make it publicly available\" and choose a public port; Coolify starts `{name}-proxy`, which publishes it. It listens on all interfaces: restrict it in DOCKER-USER, or use an SSH tunnel and keep it private."
            ))),
            Some(CoolifyKind::Application | CoolifyKind::Service) => fix.push(FixStep::say(&format!(
                "In Coolify, add `127.0.0.1:{port}:{port}` to the resource's Ports Mappings (host only) and redeploy; then connect to 127.0.0.1:{port} from the host."
            ))),
            _ => fix.push(FixStep::say(&format!(
                "Recreate {name} with `-p 127.0.0.1:{port}:{port}` (compose: `ports: [\"127.0.0.1:{port}:{port}\"]`); then connect to 127.0.0.1:{port} from the host."
            ))),
        }
        let why = format!(
            "Container names resolve only inside Docker networks, never on the host (coolify#2844), and only published ports are forwarded from the host's addresses into a container.{}",
            if other.is_empty() {
                String::new()
            } else {
                format!(" {name} publishes {} instead.", join(&other))
            }
        );
        self.note(
            NoteCode::NotPublished,
            Severity::Blocking,
            format!("The host cannot reach {name} on port {port}: the port is not published."),
            why,
            fix,
        );
        // Linux hosts reach bridge networks' container IPs directly.
        let ip = target.attachments.iter().find_map(|a| {
            let net = self.t.network(&a.network)?;
            let reachable = matches!(
                net.kind,
                NetworkKind::UserDefined | NetworkKind::DefaultBridge
            ) && net.driver == "bridge"
                && !net.internal;
            a.ipv4
                .clone()
                .filter(|_| reachable)
                .map(|ip| (ip, a.network.clone()))
        });
        if let Some((ip, net)) = ip {
            let address = self.address(&ip, Some(port), Via::ContainerIp(net.clone()), false);
            self.alternatives.push(Alternative {
                title: format!(
                    "From the host itself (Linux), {name}'s IP on {net} works until the container is recreated; not from other machines."
                ),
                address,
            });
        }
    }

    /// The proxy's domains for the target: the way in from outside, or when no network is shared.
    fn proxy_alternatives(&mut self, wanted: bool) {
        if !wanted {
            return;
        }
        let proxy = self
            .t
            .proxy
            .as_ref()
            .map_or_else(|| PROXY_CONTAINER.to_owned(), |p| p.container.to_string());
        let name = self.target.name.as_str();
        let mut seen = Vec::new();
        for r in self
            .t
            .routes
            .iter()
            .filter(|r| r.containers.iter().any(|c| c == name))
        {
            let path = r
                .paths
                .iter()
                .find(|p| p.as_str() != "/")
                .cloned()
                .unwrap_or_default();
            for h in r.hosts.iter().filter(|h| !h.is_empty()) {
                let scheme = if r.tls || r.redirect_to_https {
                    "https"
                } else {
                    "http"
                };
                let url = format!("{scheme}://{h}{path}");
                if seen.contains(&url) {
                    continue;
                }
                seen.push(url.clone());
                let env = ServiceKind::Http.env_var(&service_name(self.target));
                self.alternatives.push(Alternative {
                    title: format!(
                        "Through the proxy's domain: the request leaves Docker and comes back in through {proxy} (the server must reach its own public address)."
                    ),
                    address: Address {
                        host: h.clone(),
                        port: None,
                        via: Via::ProxyDomain,
                        stable: true,
                        env_line: format!("{env}={url}"),
                        url,
                    },
                });
            }
        }
    }
}

/// The name to derive an env variable from: Coolify's service name, the compose service, the
/// resource, else the container name.
fn service_name(c: &Container) -> String {
    let id = c.coolify.as_ref();
    id.and_then(|i| i.service_name.clone())
        .or_else(|| id.and_then(|i| i.resource_name.clone()))
        .or_else(|| {
            c.compose
                .as_ref()
                .and_then(|p| p.service.clone())
                .filter(|s| s != c.name.as_str())
        })
        .unwrap_or_else(|| c.name.to_string())
}

/// The host bindings of a container's TCP `port`.
fn published_for(c: &Container, port: u16) -> Vec<&PortMapping> {
    c.published
        .iter()
        .filter(|p| p.protocol == Protocol::Tcp && p.container_port == port && p.host.is_some())
        .collect()
}

/// Coolify's `{uuid}-proxy` for a database made "publicly available", with its bindings.
fn coolify_public_proxy<'a>(
    t: &'a Topology,
    db: &Container,
) -> Option<(&'a Container, Vec<&'a PortMapping>)> {
    if db.coolify.as_ref().map(|i| i.kind) != Some(CoolifyKind::Database) {
        return None;
    }
    let proxy = t.container(&format!("{}-proxy", db.name))?;
    let bindings: Vec<&PortMapping> = proxy
        .published
        .iter()
        .filter(|p| p.protocol == Protocol::Tcp && p.host.is_some())
        .collect();
    (!bindings.is_empty()).then_some((proxy, bindings))
}

/// Loopback first (the host's own view), then all-interfaces IPv4, then the rest.
fn binding_preference(p: &PortMapping) -> (u8, String) {
    let ip = p.host.as_ref().map_or("", |h| h.ip.as_str());
    let rank = if p.host.as_ref().is_some_and(HostBinding::is_loopback) {
        0
    } else if matches!(ip, "" | "0.0.0.0") {
        1
    } else if ip == "::" {
        2
    } else {
        3
    };
    (rank, ip.to_owned())
}

/// What the host dials for a binding's IP: loopback for "all interfaces".
fn host_address(ip: &str) -> String {
    match ip {
        "" | "0.0.0.0" => "127.0.0.1".to_owned(),
        "::" => "[::1]".to_owned(),
        v6 if v6.contains(':') => format!("[{v6}]"),
        v4 => v4.to_owned(),
    }
}

/// The note a model cause becomes. A container pair without a chosen name only meets the
/// network causes and a stopped target; the rest read as "no shared network".
fn note_code(code: CauseCode) -> NoteCode {
    match code {
        CauseCode::DefaultBridgeOnly => NoteCode::DefaultBridgeOnly,
        CauseCode::SourceNoNetwork | CauseCode::TargetNoNetwork => NoteCode::NoNetwork,
        CauseCode::TargetStopped => NoteCode::TargetNotRunning,
        CauseCode::TargetOnHostNetwork => NoteCode::TargetOnHostNetwork,
        _ => NoteCode::NoSharedNetwork,
    }
}

#[cfg(test)]
mod tests;
