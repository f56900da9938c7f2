//! "web cannot reach db:5432": same network? does the name resolve from web? does the port
//! open? if not, what does db listen on — the wrong port, 127.0.0.1 only, nothing? — and the
//! exact fix. Pure sequencing over the topology and the probe results so far.

use crate::domain::checks::input::{ContainerPort, Host, Hostname, InputError, ProbeUrl};
use crate::domain::checks::outcome::{Listener, Observation, ProbeOutcome, StepStatus};
use crate::domain::checks::probe::Probe;
use crate::domain::checks::report::{
    last_of, Check, CheckStep, Diagnosis, DiagnosisCode, Next, PlannedProbe, StepKind,
};
use crate::domain::names::ContainerName;
use crate::domain::problem::FixStep;
use crate::domain::topology::{Container, NetworkKind, NetworkMode, Topology};
use serde::{Deserialize, Serialize};

/// What to check: from one container to another's port, optionally with an HTTP request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReachRequest {
    pub from: ContainerName,
    pub to: ContainerPort,
    pub http: bool,
    /// The name to look up instead of the target's container name: a network alias or compose
    /// service name (the connection builder's "Test it" checks the address it built).
    pub name: Option<Hostname>,
    /// The port speaks TLS (`https`): the check stops after the TCP connect and says that no
    /// HTTP request was tried. A plain `http://` request to a TLS port fails however healthy
    /// the app is, and the probe tools a plain container has (busybox `wget`'s own TLS) fail
    /// the handshake with common servers, so a real HTTPS request would prove nothing either.
    #[serde(default)]
    pub tls: bool,
}

impl ReachRequest {
    /// Parses user input (`--from web --to db:5432`); nothing runs when this fails.
    pub fn parse(from: &str, to: &str, http: bool) -> Result<Self, InputError> {
        Ok(Self {
            from: ContainerName::parse(from)?,
            to: ContainerPort::parse(to)?,
            http,
            name: None,
            tls: false,
        })
    }

    /// Marks the target port as speaking TLS (see [`ReachRequest::tls`]); no HTTP request is
    /// made then, even when one was asked for.
    pub fn with_tls(mut self, tls: bool) -> Self {
        self.tls = tls;
        if tls {
            self.http = false;
        }
        self
    }

    /// Like [`ReachRequest::parse`], resolving `name` (when given) rather than the container's
    /// own name.
    pub fn parse_with_name(
        from: &str,
        to: &str,
        http: bool,
        name: Option<&str>,
    ) -> Result<Self, InputError> {
        let mut request = Self::parse(from, to, http)?;
        request.name = name.map(Hostname::parse).transpose()?;
        Ok(request)
    }
}

impl Check for ReachRequest {
    fn name(&self) -> &'static str {
        "reach"
    }

    fn subject(&self) -> String {
        let http = match (self.http, self.tls) {
            (_, true) => " (TLS port: TCP only)",
            (true, false) => " (HTTP)",
            (false, false) => "",
        };
        format!("{} → {}{http}", self.from, self.to)
    }

    fn next(&self, t: &Topology, done: &[CheckStep]) -> Next {
        let from_name = self.from.as_str();
        let to_name = self.to.container.as_str();
        let port = self.to.port;
        let (Some(a), Some(b)) = (t.container(from_name), t.container(to_name)) else {
            let missing = if t.container(from_name).is_none() {
                from_name
            } else {
                to_name
            };
            return Next::Done(Diagnosis::problem(
                DiagnosisCode::ContainerNotFound,
                format!("There is no container named {missing}"),
                "The Docker Engine lists no container by that name (names are case-sensitive).",
                vec![FixStep::run(
                    "List the containers and their names:",
                    "docker ps -a --format '{{.Names}}'",
                )],
            ));
        };

        let Some(topology) = last_of(done, StepKind::Topology) else {
            return Next::Note(Box::new(self.topology_step(t, a, b)));
        };
        if let Some(d) = stopped_or_isolated(a, b) {
            return Next::Done(d);
        }

        // Docker accepts names DNS cannot carry (a label over 63 characters): then the name
        // cannot resolve, and the address on a shared network is all there is to try.
        let target_host = match &self.name {
            Some(name) => Ok(name.clone()),
            None => Hostname::parse(to_name),
        };
        let looked_up = self.name.as_ref().map_or(to_name, Hostname::as_str);
        let resolve_title = format!("Does {looked_up} resolve from {from_name}?");
        let Some(resolve) = last_of(done, StepKind::Resolve) else {
            return match target_host {
                Ok(name) => Next::Run(PlannedProbe {
                    kind: StepKind::Resolve,
                    title: resolve_title,
                    on: self.from.clone(),
                    probe: Probe::Resolve { name },
                }),
                Err(e) => Next::Note(Box::new(CheckStep::note(
                    StepKind::Resolve,
                    resolve_title,
                    ProbeOutcome::failed(
                        Observation::NameNotFound,
                        format!("{to_name} cannot be looked up in DNS: {e}."),
                    ),
                ))),
            };
        };

        if resolve.status() == StepStatus::CouldNotRun {
            return Next::Done(Diagnosis::could_not_run(resolve));
        }
        let resolved = resolve.status() == StepStatus::Ok;
        let Some(connect) = last_of(done, StepKind::Connect) else {
            // Not resolved: try the address on a shared network, to tell DNS from the rest.
            let host = match (&target_host, resolved) {
                (Ok(name), true) => Host::Name(name.clone()),
                _ => match shared_ip(t, a, b) {
                    Some(ip) => Host::Ip(ip),
                    None => return Next::Done(self.not_resolved(t, a, b, resolve)),
                },
            };
            return Next::Run(PlannedProbe {
                kind: StepKind::Connect,
                title: format!("Does {host}:{port} accept a TCP connection from {from_name}?"),
                on: self.from.clone(),
                probe: Probe::TcpConnect { host, port },
            });
        };

        if connect.status() == StepStatus::CouldNotRun {
            return Next::Done(Diagnosis::could_not_run(connect));
        }
        if connect.status() == StepStatus::Ok {
            if !resolved {
                return Next::Done(self.not_resolved(t, a, b, resolve));
            }
            if !self.http {
                let tls = if self.tls {
                    format!(" HTTP was not tried: port {port} speaks TLS (https), and netdoctor's probes make plain HTTP requests only, so resolution and the TCP connect are what this check proves.")
                } else {
                    String::new()
                };
                return Next::Done(Diagnosis::healthy(
                    format!("{from_name} reaches {to_name}:{port}"),
                    format!(
                        "{to_name} resolves from {from_name} and accepts TCP connections on port {port}{}.{tls}",
                        topology_suffix(topology)
                    ),
                ));
            }
            let Ok(name) = target_host else {
                return Next::Done(self.not_resolved(t, a, b, resolve));
            };
            let url = ProbeUrl::for_host_port(&Host::Name(name), port);
            let Some(http) = last_of(done, StepKind::Http) else {
                return Next::Run(PlannedProbe {
                    kind: StepKind::Http,
                    title: format!("Does {url} answer HTTP from {from_name}?"),
                    on: self.from.clone(),
                    probe: Probe::HttpGet { url },
                });
            };
            return Next::Done(if http.status() == StepStatus::Ok {
                Diagnosis::healthy(
                    format!("{from_name} reaches {url}"),
                    format!("{} {}", connect.outcome.summary, http.outcome.summary),
                )
            } else {
                Diagnosis::problem(
                    DiagnosisCode::HttpFailed,
                    format!("{to_name}:{port} accepts connections but does not answer HTTP properly"),
                    http.outcome.summary.clone(),
                    vec![
                        FixStep::say(&format!("Check that port {port} is the HTTP port of {to_name} (not a database or gRPC port), and read its log:")),
                        FixStep::run("The application's log:", &format!("docker logs --tail 50 {to_name}")),
                    ],
                )
            });
        }

        let Some(listeners) = last_of(done, StepKind::Listeners) else {
            return Next::Run(PlannedProbe {
                kind: StepKind::Listeners,
                title: format!("What does {to_name} listen on?"),
                on: self.to.container.clone(),
                probe: Probe::Listeners,
            });
        };
        Next::Done(self.connect_failed(connect, listeners))
    }
}

impl ReachRequest {
    fn topology_step(&self, t: &Topology, a: &Container, b: &Container) -> CheckStep {
        let title = format!("Are {} and {} on a shared network?", a.name, b.name);
        let shared: Vec<&str> = t.shared_networks(a, b).collect();
        let resolving: Vec<&str> = shared
            .iter()
            .copied()
            .filter(|n| t.network_kind(n).resolves_names())
            .collect();
        let outcome = if !resolving.is_empty() {
            ProbeOutcome::ok(
                Observation::NotRun,
                format!(
                    "Both are on {}, where container names resolve.",
                    resolving.join(", ")
                ),
            )
        } else if !shared.is_empty() {
            ProbeOutcome::failed(
                Observation::NotRun,
                format!(
                    "They share only {}, Docker's default bridge, where container names do not resolve.",
                    shared.join(", ")
                ),
            )
        } else {
            ProbeOutcome::failed(
                Observation::NotRun,
                format!(
                    "They share no network: {} is on {}, {} is on {}.",
                    a.name,
                    networks_text(a),
                    b.name,
                    networks_text(b)
                ),
            )
        };
        CheckStep::note(StepKind::Topology, title, outcome)
    }

    /// The name did not resolve (the IP may or may not have worked).
    fn not_resolved(
        &self,
        t: &Topology,
        a: &Container,
        b: &Container,
        resolve: &CheckStep,
    ) -> Diagnosis {
        let (from, to, port) = (&a.name, &b.name, self.to.port);
        let shared: Vec<&str> = t.shared_networks(a, b).collect();
        if shared.is_empty() {
            let target_net = b
                .network_names()
                .find(|n| t.network_kind(n).resolves_names())
                .or_else(|| b.network_names().next())
                .unwrap_or("NETWORK");
            return Diagnosis::problem(
                DiagnosisCode::NoSharedNetwork,
                format!("{from} and {to} share no network, so {to} does not resolve from {from}"),
                format!(
                    "Containers reach each other only over a network they are both attached to; {from} is on {}, {to} on {}. {}",
                    networks_text(a),
                    networks_text(b),
                    resolve.outcome.summary
                ),
                vec![
                    FixStep::run(
                        &format!("Attach {from} to {target_net} (takes effect at once; lost when the container is recreated):"),
                        &format!("docker network connect {target_net} {from}"),
                    ),
                    FixStep::say("For a lasting fix in Coolify: enable \"Connect To Predefined Network\" on the stack, or put both resources in the same Destination network, and redeploy."),
                ],
            );
        }
        if let Err(e) = Hostname::parse(to.as_str()) {
            return Diagnosis::problem(
                DiagnosisCode::NameDoesNotResolve,
                format!("{to} cannot be reached by its name: DNS cannot carry it"),
                format!("{e}. Docker accepts the name, but no resolver can look it up."),
                vec![
                    FixStep::run(
                        "Give the container a short network alias (here `app`) and use that name:",
                        &format!(
                            "docker network disconnect {net} {to} && docker network connect --alias app {net} {to}",
                            net = shared[0]
                        ),
                    ),
                    FixStep::say("Or give it a shorter name (in compose: a shorter service name or container_name)."),
                ],
            );
        }
        if shared
            .iter()
            .all(|n| t.network_kind(n) == NetworkKind::DefaultBridge)
        {
            return Diagnosis::problem(
                DiagnosisCode::DefaultBridgeNoNames,
                format!("{to} does not resolve from {from}: they share only Docker's default bridge"),
                format!(
                    "On the default `bridge` network Docker's DNS does not resolve container names; only IP addresses work, and they change on restart. {}",
                    resolve.outcome.summary
                ),
                vec![
                    FixStep::run("Create a user-defined network:", "docker network create app-net"),
                    FixStep::run(
                        "Attach both containers to it; then reach the target by name:",
                        &format!("docker network connect app-net {from} && docker network connect app-net {to}"),
                    ),
                    FixStep::say(&format!("Then use {to}:{port} in the configuration of {from}.")),
                ],
            );
        }
        Diagnosis::problem(
            DiagnosisCode::NameDoesNotResolve,
            format!("{to} does not resolve from {from}, though they share {}", shared.join(", ")),
            format!(
                "{} The container may use its own DNS servers (`dns:` in compose, or a changed /etc/resolv.conf) instead of Docker's embedded DNS at 127.0.0.11.",
                resolve.outcome.summary
            ),
            vec![
                FixStep::run("See which DNS server it uses:", &format!("docker exec {from} cat /etc/resolv.conf")),
                FixStep::say("Remove custom `dns:` settings from the service so Docker's embedded DNS answers container names."),
            ],
        )
    }

    /// Why a TCP connect failed, from what the target listens on.
    pub(crate) fn connect_failed(&self, connect: &CheckStep, listeners: &CheckStep) -> Diagnosis {
        let to = &self.to.container;
        let port = self.to.port.get();
        let Observation::Listeners { sockets } = &listeners.outcome.observation else {
            return Diagnosis::problem(
                DiagnosisCode::ConnectFailed,
                format!("{} cannot connect to {}", self.from, self.to),
                format!(
                    "{} What {to} listens on could not be read: {}",
                    connect.outcome.summary, listeners.outcome.summary
                ),
                vec![FixStep::run(
                    "Read the application's log:",
                    &format!("docker logs --tail 50 {to}"),
                )],
            );
        };
        let on_port: Vec<&Listener> = sockets.iter().filter(|s| s.port == port).collect();
        if on_port.iter().any(|s| !s.is_loopback_only()) {
            return Diagnosis::problem(
                DiagnosisCode::PacketsDropped,
                format!("{to} listens on port {port}, yet {} cannot connect", self.from),
                format!(
                    "{} The socket is open on all interfaces, so the traffic is lost on the way: an internal network, a firewall rule (iptables DOCKER-USER), or a name that resolves to another container.",
                    connect.outcome.summary
                ),
                vec![
                    FixStep::run("Compare the networks and addresses of both containers:", &format!("docker inspect -f '{{{{json .NetworkSettings.Networks}}}}' {} {to}", self.from)),
                    FixStep::run("Check host firewall rules for Docker:", "sudo iptables -L DOCKER-USER -n"),
                ],
            );
        }
        if !on_port.is_empty() {
            return Diagnosis::problem(
                DiagnosisCode::BoundToLoopback,
                format!("{to} listens on port {port} only on 127.0.0.1"),
                format!(
                    "Inside a container, 127.0.0.1 is the container itself: an application bound to {} accepts no connection from other containers or the proxy. {}",
                    on_port[0], connect.outcome.summary
                ),
                vec![
                    FixStep::say(&format!("Make the application in {to} listen on 0.0.0.0:{port} (all interfaces): for example `--host 0.0.0.0`, `HOST=0.0.0.0`, `HOSTNAME=0.0.0.0` (Next.js), `server.address=0.0.0.0` (Spring) or `app.run(host=\"0.0.0.0\")` (Flask), then redeploy.")),
                ],
            );
        }
        let others: Vec<String> = sockets
            .iter()
            .filter(|s| !s.is_loopback_only())
            .map(|s| s.port.to_string())
            .collect();
        if !others.is_empty() {
            let first = &others[0];
            return Diagnosis::problem(
                DiagnosisCode::WrongPort,
                format!("{to} does not listen on port {port}; it listens on {}", others.join(", ")),
                format!("{} The application inside {to} listens on another port.", connect.outcome.summary),
                vec![
                    FixStep::say(&format!("Connect to {to}:{first} instead of {to}:{port}.")),
                    FixStep::say(&format!("If the proxy routes to it: in Coolify, set \"Ports Exposes\" to {first} (or the `:{first}` suffix of the domain for a compose service) and redeploy.")),
                ],
            );
        }
        let loopback: Vec<String> = sockets.iter().map(ToString::to_string).collect();
        Diagnosis::problem(
            DiagnosisCode::NotListening,
            format!("Nothing in {to} accepts connections from other containers"),
            if loopback.is_empty() {
                format!("{} No TCP socket listens in {to}: the application has not started, crashed, or listens on a Unix socket.", connect.outcome.summary)
            } else {
                format!(
                    "{} Only loopback sockets listen in {to} ({}).",
                    connect.outcome.summary,
                    loopback.join(", ")
                )
            },
            vec![FixStep::run(
                "Read the application's log:",
                &format!("docker logs --tail 50 {to}"),
            )],
        )
    }
}

/// Problems the topology alone proves.
fn stopped_or_isolated(a: &Container, b: &Container) -> Option<Diagnosis> {
    let (from, to) = (&a.name, &b.name);
    if !a.is_running() {
        return Some(Diagnosis::problem(
            DiagnosisCode::SourceStopped,
            format!("{from} is not running"),
            format!(
                "{from} is {}; nothing can be checked from inside a stopped container.",
                a.state.as_str()
            ),
            vec![FixStep::run("Start it:", &format!("docker start {from}"))],
        ));
    }
    if !b.is_running() {
        return Some(Diagnosis::problem(
            DiagnosisCode::TargetStopped,
            format!("{to} is not running"),
            format!(
                "{to} is {}: a stopped container has no address and its name does not resolve.",
                b.state.as_str()
            ),
            vec![
                FixStep::run(
                    "See why it stopped:",
                    &format!("docker logs --tail 50 {to}"),
                ),
                FixStep::run("Start it:", &format!("docker start {to}")),
            ],
        ));
    }
    for c in [a, b] {
        if c.network_mode == NetworkMode::Null {
            return Some(Diagnosis::problem(
                DiagnosisCode::NoNetwork,
                format!("{} has no network (network mode `none`)", c.name),
                "A container with `network_mode: none` has only a loopback interface: it can reach nothing and nothing can reach it.",
                vec![FixStep::say(&format!(
                    "Remove `network_mode: none` from {}'s service (or `--network none` from its command) and recreate it on a network shared with the other container.",
                    c.name
                ))],
            ));
        }
    }
    None
}

/// The target's IPv4 address on a network both share.
fn shared_ip(t: &Topology, a: &Container, b: &Container) -> Option<std::net::IpAddr> {
    t.shared_networks(a, b)
        .filter_map(|n| b.attachment(n)?.ipv4.as_deref()?.parse().ok())
        .next()
}

fn networks_text(c: &Container) -> String {
    let names: Vec<&str> = c.network_names().collect();
    if names.is_empty() {
        "no network".to_owned()
    } else {
        names.join(", ")
    }
}

fn topology_suffix(topology: &CheckStep) -> String {
    let s = topology.outcome.summary.trim_end_matches('.');
    s.strip_prefix("Both are on ")
        .map(|rest| format!(" (both on {rest})"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::checks::outcome::{ProbeOutcome, RunRecord};
    use crate::domain::checks::parse::interpret;
    use crate::domain::checks::probe::Tool;
    use crate::domain::checks::report::{canned_run, drive, PlannedProbe};
    use crate::domain::containers::ContainerState;
    use crate::domain::findings::test_support::{container, host, on};

    /// A runner that answers each probe from the output the real busybox gave in that
    /// situation (see `fixtures/`).
    fn answer(planned: &PlannedProbe, answers: &[(StepKind, i64, &str)]) -> RunRecord {
        let (code, output) = answers
            .iter()
            .find(|(k, _, _)| *k == planned.kind)
            .map(|(_, c, o)| (*c, *o))
            .unwrap_or_else(|| panic!("no answer for {:?}", planned.kind));
        let tool = planned.probe.tools()[0];
        let tool = if matches!(planned.probe, Probe::Resolve { .. }) {
            Tool::Nslookup
        } else {
            tool
        };
        canned_run(planned, tool, code, output)
    }

    fn run(
        t: &Topology,
        req: &ReachRequest,
        answers: &[(StepKind, i64, &str)],
    ) -> (Vec<CheckStep>, Diagnosis) {
        drive(|done| req.next(t, done), |p| answer(p, answers))
    }

    fn req(from: &str, to: &str) -> ReachRequest {
        ReachRequest::parse(from, to, false).expect("request")
    }

    const RESOLVED: (StepKind, i64, &str) = (
        StepKind::Resolve,
        0,
        include_str!("fixtures/nslookup-found.txt"),
    );
    const NXDOMAIN: (StepKind, i64, &str) = (
        StepKind::Resolve,
        1,
        include_str!("fixtures/nslookup-nxdomain.txt"),
    );
    const CONNECTED: (StepKind, i64, &str) = (StepKind::Connect, 0, "");
    const REFUSED: (StepKind, i64, &str) = (
        StepKind::Connect,
        1,
        include_str!("fixtures/nc-refused.txt"),
    );
    const TIMED_OUT: (StepKind, i64, &str) = (
        StepKind::Connect,
        1,
        include_str!("fixtures/nc-timed-out.txt"),
    );
    const LOOPBACK: (StepKind, i64, &str) = (
        StepKind::Listeners,
        0,
        include_str!("fixtures/netstat-loopback-only.txt"),
    );
    const ALL_IFACES_80: (StepKind, i64, &str) = (
        StepKind::Listeners,
        0,
        include_str!("fixtures/netstat-all-interfaces.txt"),
    );

    fn pair(net_a: &str, net_b: &str) -> Topology {
        host(
            vec![
                on(container("web"), net_a, &[]),
                on(container("db"), net_b, &[]),
            ],
            Vec::new(),
        )
    }

    #[test]
    fn containers_on_one_network_that_connect_are_healthy() {
        let t = pair("app-net", "app-net");
        let (steps, d) = run(&t, &req("web", "db:5432"), &[RESOLVED, CONNECTED]);
        assert!(d.healthy, "{d:?}");
        assert_eq!(d.title, "web reaches db:5432");
        let kinds: Vec<StepKind> = steps.iter().map(|s| s.kind).collect();
        assert_eq!(
            kinds,
            [StepKind::Topology, StepKind::Resolve, StepKind::Connect]
        );
        assert_eq!(steps[0].status(), StepStatus::Ok);
    }

    #[test]
    fn a_chosen_alias_is_what_gets_looked_up_and_connected_to() {
        let t = pair("app-net", "app-net");
        let request = ReachRequest::parse_with_name("web", "db:5432", false, Some("database"))
            .expect("request");
        let (steps, d) = run(&t, &request, &[RESOLVED, CONNECTED]);
        assert!(d.healthy, "{d:?}");
        assert_eq!(steps[1].title, "Does database resolve from web?");
        let argv = steps[1]
            .run
            .as_ref()
            .map(|r| r.argv.clone())
            .unwrap_or_default();
        assert!(argv.iter().any(|a| a == "database"), "{argv:?}");
        assert!(steps[2].title.starts_with("Does database:5432 accept"));
        assert!(
            ReachRequest::parse_with_name("web", "db:5432", false, Some("db;rm")).is_err(),
            "the name is validated like any other input"
        );
    }

    #[test]
    fn containers_that_share_no_network_get_the_network_connect_command() {
        let t = pair("stack-a", "coolify");
        let (steps, d) = run(&t, &req("web", "db:5432"), &[NXDOMAIN]);
        assert_eq!(d.code, DiagnosisCode::NoSharedNetwork);
        assert_eq!(
            steps.len(),
            2,
            "stops after the name fails: there is no shared address to try"
        );
        assert_eq!(
            d.fix[0].command.as_deref(),
            Some("docker network connect coolify web")
        );
    }

    #[test]
    fn the_default_bridge_does_not_resolve_names_but_the_address_connects() {
        let t = pair("bridge", "bridge");
        let (steps, d) = run(&t, &req("web", "db:5432"), &[NXDOMAIN, CONNECTED]);
        assert_eq!(d.code, DiagnosisCode::DefaultBridgeNoNames);
        let connect = steps
            .iter()
            .find(|s| s.kind == StepKind::Connect)
            .expect("connect step");
        assert_eq!(
            connect
                .run
                .as_ref()
                .expect("ran")
                .argv
                .last()
                .map(String::as_str),
            Some("5432"),
        );
        assert!(
            connect.title.contains("10.0.1.9:5432"),
            "connects by IP: {}",
            connect.title
        );
    }

    #[test]
    fn an_app_bound_to_loopback_is_diagnosed_from_what_it_listens_on() {
        let t = pair("app-net", "app-net");
        let (steps, d) = run(&t, &req("web", "db:8080"), &[RESOLVED, REFUSED, LOOPBACK]);
        assert_eq!(d.code, DiagnosisCode::BoundToLoopback);
        assert!(d.fix[0].text.contains("0.0.0.0:8080"), "{:?}", d.fix);
        let listeners = steps.last().expect("steps");
        assert_eq!(listeners.kind, StepKind::Listeners);
        assert_eq!(
            listeners.on.as_deref(),
            Some("db"),
            "listeners are read in the target"
        );
    }

    #[test]
    fn a_wrong_port_names_the_port_the_app_really_listens_on() {
        let t = pair("app-net", "app-net");
        let (_, d) = run(
            &t,
            &req("web", "db:81"),
            &[RESOLVED, REFUSED, ALL_IFACES_80],
        );
        assert_eq!(d.code, DiagnosisCode::WrongPort);
        assert!(d.title.ends_with("it listens on 80"), "{}", d.title);
        assert_eq!(d.fix[0].text, "Connect to db:80 instead of db:81.");
    }

    #[test]
    fn a_listening_port_that_times_out_points_at_the_path_not_the_app() {
        let t = pair("app-net", "app-net");
        let (_, d) = run(
            &t,
            &req("web", "db:80"),
            &[RESOLVED, TIMED_OUT, ALL_IFACES_80],
        );
        assert_eq!(d.code, DiagnosisCode::PacketsDropped);
    }

    #[test]
    fn a_stopped_target_is_diagnosed_before_anything_runs() {
        let mut db = on(container("db"), "app-net", &[]);
        db.state = ContainerState::Exited;
        let t = host(vec![on(container("web"), "app-net", &[]), db], Vec::new());
        let (steps, d) = run(&t, &req("web", "db:5432"), &[]);
        assert_eq!(d.code, DiagnosisCode::TargetStopped);
        assert!(steps.iter().all(|s| s.run.is_none()), "nothing executed");
    }

    #[test]
    fn a_container_on_network_none_is_diagnosed_before_anything_runs() {
        let t = host(
            vec![
                on(container("web"), "none", &[]),
                on(container("db"), "app-net", &[]),
            ],
            Vec::new(),
        );
        let (_, d) = run(&t, &req("web", "db:5432"), &[]);
        assert_eq!(d.code, DiagnosisCode::NoNetwork);
    }

    #[test]
    fn a_probe_that_could_not_run_stops_the_check_with_its_reason() {
        let t = pair("app-net", "app-net");
        let req = req("web", "db:80");
        let (steps, d) = drive(
            |done| req.next(&t, done),
            |p| {
                let mut r = answer(p, &[RESOLVED]);
                r.outcome = ProbeOutcome::not_run("netdoctor runs read-only.");
                r
            },
        );
        assert_eq!(d.code, DiagnosisCode::CouldNotRun);
        assert_eq!(d.why, "netdoctor runs read-only.");
        assert_eq!(steps.len(), 2);
    }

    #[test]
    fn a_name_dns_cannot_carry_is_not_looked_up_and_the_address_is_tried() {
        let long = "a".repeat(70);
        let t = host(
            vec![
                on(container("web"), "app-net", &[]),
                on(container(&long), "app-net", &[]),
            ],
            Vec::new(),
        );
        let (steps, d) = run(&t, &req("web", &format!("{long}:80")), &[CONNECTED]);
        assert_eq!(d.code, DiagnosisCode::NameDoesNotResolve);
        assert!(steps[1].run.is_none(), "no lookup ran: {:?}", steps[1]);
        assert!(steps[2].title.contains("10.0.1.9:80"), "{}", steps[2].title);
        assert!(d.fix[0]
            .command
            .as_deref()
            .is_some_and(|c| c.contains("--alias app")));
    }

    #[test]
    fn an_unknown_container_is_named() {
        let t = pair("app-net", "app-net");
        let (steps, d) = run(&t, &req("web", "nosuch:80"), &[]);
        assert_eq!(d.code, DiagnosisCode::ContainerNotFound);
        assert!(d.title.contains("nosuch"));
        assert!(steps.is_empty());
    }

    #[test]
    fn with_http_asked_an_http_answer_is_required() {
        let t = pair("app-net", "app-net");
        let req = ReachRequest::parse("web", "db:80", true).expect("request");
        let ok = (StepKind::Http, 0, include_str!("fixtures/wget-200.txt"));
        let (steps, d) = drive(
            |done| req.next(&t, done),
            |p| {
                let mut r = answer(p, &[RESOLVED, CONNECTED, ok]);
                if p.kind == StepKind::Http {
                    r.outcome = interpret(
                        &p.probe,
                        Tool::Wget,
                        Some(0),
                        include_str!("fixtures/wget-200.txt"),
                    );
                }
                r
            },
        );
        assert!(d.healthy, "{d:?}");
        assert_eq!(steps.last().map(|s| s.kind), Some(StepKind::Http));
    }

    #[test]
    fn a_tls_port_is_checked_by_name_and_tcp_and_the_report_says_http_was_not_tried() {
        let t = pair("app-net", "app-net");
        // "Test it" on an https target asks for HTTP; the TLS mark takes that back.
        let req = ReachRequest::parse("web", "db:8443", true)
            .expect("request")
            .with_tls(true);
        let (steps, d) = run(&t, &req, &[RESOLVED, CONNECTED]);
        let kinds: Vec<StepKind> = steps.iter().map(|s| s.kind).collect();
        assert_eq!(
            kinds,
            [StepKind::Topology, StepKind::Resolve, StepKind::Connect],
            "no plain-HTTP request goes to a TLS port"
        );
        assert!(d.healthy, "{d:?}");
        assert!(
            d.why.contains("HTTP was not tried: port 8443 speaks TLS"),
            "{}",
            d.why
        );
        assert_eq!(req.subject(), "web → db:8443 (TLS port: TCP only)");
    }

    #[test]
    fn injection_attempts_in_either_container_are_refused_before_any_step() {
        for bad in [
            "web;id",
            "$(id)",
            "`id`",
            "web\nid",
            "-web",
            &"a".repeat(300),
        ] {
            assert!(ReachRequest::parse(bad, "db:80", false).is_err(), "{bad:?}");
            assert!(
                ReachRequest::parse("web", &format!("{bad}:80"), false).is_err(),
                "{bad:?}"
            );
        }
        assert!(ReachRequest::parse("web", "db:80;id", false).is_err());
    }
}
