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
use crate::domain::reachability::{
    between, cause, Address, CauseCode, Reachability, Reached, Source, Verdict,
};
use crate::domain::topology::{Container, Topology};
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
        let port = self.to.port;
        let Some(a) = t.container(from_name) else {
            return Next::Done(Diagnosis::from(&cause::unknown_source(&self.from)));
        };
        let address = self.address();
        let typed = address.to_string();
        let model = between(
            t,
            &Source::Container(self.from.clone()),
            &address,
            Some(port.get()),
        );
        if let Some(c) = model
            .cause
            .as_ref()
            .filter(|c| c.code == CauseCode::UnknownName)
        {
            return Next::Done(Diagnosis::from(c));
        }
        let Some(topology) = last_of(done, StepKind::Topology) else {
            return Next::Note(Box::new(topology_step(a, &typed, &model)));
        };
        if let Some(c) = model.cause.as_ref().filter(|c| decided_by_topology(c.code)) {
            return Next::Done(Diagnosis::from(c));
        }
        let target = model.target.as_ref().and_then(|n| t.container(n.as_str()));
        let to_name = target.map_or(typed.as_str(), |c| c.name.as_str());

        let resolved = match &address {
            Address::Ip(_) => true,
            Address::Name { name, .. } => {
                let resolve_title = format!("Does {name} resolve from {from_name}?");
                let Some(resolve) = last_of(done, StepKind::Resolve) else {
                    return match address.host() {
                        Some(Host::Name(name)) => Next::Run(PlannedProbe {
                            kind: StepKind::Resolve,
                            title: resolve_title,
                            on: self.from.clone(),
                            probe: Probe::Resolve { name },
                        }),
                        _ => Next::Note(Box::new(CheckStep::note(
                            StepKind::Resolve,
                            resolve_title,
                            ProbeOutcome::failed(
                                Observation::NameNotFound,
                                format!(
                                    "{name} cannot be looked up in DNS: {}.",
                                    Hostname::parse(name)
                                        .err()
                                        .map_or_else(String::new, |e| e.to_string())
                                ),
                            ),
                        ))),
                    };
                };
                if resolve.status() == StepStatus::CouldNotRun {
                    return Next::Done(Diagnosis::could_not_run(resolve));
                }
                resolve.status() == StepStatus::Ok
            }
        };
        let resolve = last_of(done, StepKind::Resolve);
        let Some(connect) = last_of(done, StepKind::Connect) else {
            // Not resolved: try the address on a shared network, to tell DNS from the rest.
            let host = match (address.host(), resolved) {
                (Some(host), true) => host,
                _ => match target.and_then(|b| shared_ip(t, a, b)) {
                    Some(ip) => Host::Ip(ip),
                    None => return Next::Done(not_resolved(&model, resolve, &typed)),
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
                return Next::Done(not_resolved(&model, resolve, &typed));
            }
            let disagree = disagreement(&model, true, "it connected");
            if !self.http {
                let tls = if self.tls {
                    format!(" HTTP was not tried: port {port} speaks TLS (https), and netdoctor's probes make plain HTTP requests only, so resolution and the TCP connect are what this check proves.")
                } else {
                    String::new()
                };
                let how = match &address {
                    Address::Ip(_) => format!("{typed} accepts TCP connections from {from_name} on port {port}"),
                    Address::Name { .. } => format!("{typed} resolves from {from_name} and accepts TCP connections on port {port}"),
                };
                return Next::Done(Diagnosis::healthy(
                    format!("{from_name} reaches {typed}:{port}"),
                    format!("{how}{}.{tls}{disagree}", topology_suffix(topology)),
                ));
            }
            let Some(host) = address.host() else {
                return Next::Done(not_resolved(&model, resolve, &typed));
            };
            let url = ProbeUrl::for_host_port(&host, port);
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
                    format!(
                        "{} {}{disagree}",
                        connect.outcome.summary, http.outcome.summary
                    ),
                )
            } else {
                Diagnosis::problem(
                    DiagnosisCode::HttpFailed,
                    format!("{typed}:{port} accepts connections but does not answer HTTP properly"),
                    http.outcome.summary.clone(),
                    vec![
                        FixStep::say(&format!("Check that port {port} is the HTTP port of {to_name} (not a database or gRPC port), and read its log:")),
                        FixStep::run("The application's log:", &format!("docker logs --tail 50 {to_name}")),
                    ],
                )
            });
        }

        if let Some(c) = &model.cause {
            // The topology said so, and the probe agrees.
            let mut d = Diagnosis::from(c);
            d.why = format!("{} {}", d.why, connect.outcome.summary);
            return Next::Done(d);
        }
        let Some(target) = target.filter(|b| b.is_running()) else {
            return Next::Done(Diagnosis::problem(
                DiagnosisCode::ConnectFailed,
                format!("{} cannot connect to {}", self.from, self.to),
                format!(
                    "{} {typed} is not a container on this host, so what listens there cannot be read.",
                    connect.outcome.summary
                ),
                Vec::new(),
            ));
        };
        let Some(listeners) = last_of(done, StepKind::Listeners) else {
            return Next::Run(PlannedProbe {
                kind: StepKind::Listeners,
                title: format!("What does {} listen on?", target.name),
                on: target.name.clone(),
                probe: Probe::Listeners,
            });
        };
        Next::Done(self.connect_failed(connect, listeners, &target.name))
    }
}

impl ReachRequest {
    /// The address to look up and connect to: the chosen name, else what `--to` names.
    pub fn address(&self) -> Address {
        let typed = self
            .name
            .as_ref()
            .map_or(self.to.container.as_str(), Hostname::as_str);
        Address::parse(typed).unwrap_or_else(|_| Address::Name {
            name: typed.to_owned(),
            dns: false,
        })
    }

    /// Why a TCP connect failed, from what the target listens on.
    pub(crate) fn connect_failed(
        &self,
        connect: &CheckStep,
        listeners: &CheckStep,
        to: &ContainerName,
    ) -> Diagnosis {
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

/// Causes no probe can add to: the source cannot run anything, or the target is not there to
/// answer.
fn decided_by_topology(code: CauseCode) -> bool {
    matches!(
        code,
        CauseCode::UnknownSource
            | CauseCode::SourceStopped
            | CauseCode::SourceNoNetwork
            | CauseCode::TargetStopped
            | CauseCode::TargetNoNetwork
            | CauseCode::TargetOnHostNetwork
            | CauseCode::HostGatewayNotDefined
    )
}

/// The topology's prediction, as the report's first step.
fn topology_step(a: &Container, typed: &str, model: &Reachability) -> CheckStep {
    let title = format!("What does the topology say about {} → {typed}?", a.name);
    let outcome = match (&model.cause, model.ip) {
        (Some(c), _) => ProbeOutcome::failed(Observation::NotRun, format!("{}.", c.title)),
        (None, Verdict::Yes) => {
            let lands = match &model.reached {
                Reached::Container(c) if c.as_str() != typed => format!(" ({c})"),
                Reached::Host => " (the host)".to_owned(),
                _ => String::new(),
            };
            let over = model
                .path
                .network
                .as_ref()
                .map(|n| format!("Both are on {n}"))
                .unwrap_or_else(|| "The host routes it".to_owned());
            let ip = model
                .path
                .ip
                .as_ref()
                .map(|ip| format!(", at {ip}"))
                .unwrap_or_default();
            let ambiguous = if model.ambiguous() {
                let names: Vec<&str> = model
                    .path
                    .resolves_to
                    .iter()
                    .map(ContainerName::as_str)
                    .collect();
                format!(
                    " `{typed}` answers for {} alike: Docker's DNS returns any of them.",
                    names.join(", ")
                )
            } else {
                String::new()
            };
            ProbeOutcome::ok(
                Observation::NotRun,
                format!("{over}: {typed}{lands} is reachable{ip}.{ambiguous}"),
            )
        }
        (None, _) => ProbeOutcome::ok(
            Observation::NotRun,
            format!("{typed} is beyond this host: the topology cannot tell, the probes will."),
        ),
    };
    CheckStep::note(StepKind::Topology, title, outcome)
}

/// The name did not resolve (the IP may or may not have worked).
fn not_resolved(model: &Reachability, resolve: Option<&CheckStep>, typed: &str) -> Diagnosis {
    let observed = resolve.map_or_else(String::new, |r| r.outcome.summary.clone());
    if let Some(c) = &model.cause {
        let mut d = Diagnosis::from(c);
        d.why = format!("{} {observed}", d.why).trim_end().to_owned();
        return d;
    }
    let from = &model.from;
    Diagnosis::problem(
        DiagnosisCode::NameDoesNotResolve,
        format!("{typed} does not resolve from {from}, though the topology says it should"),
        format!(
            "{observed} The container may use its own DNS servers (`dns:` in compose, or a changed /etc/resolv.conf) instead of Docker's embedded DNS at 127.0.0.11.{}",
            disagreement(model, false, "the name did not resolve")
        ),
        vec![
            FixStep::run("See which DNS server it uses:", &format!("docker exec {from} cat /etc/resolv.conf")),
            FixStep::say("Remove custom `dns:` settings from the service so Docker's embedded DNS answers container names."),
        ],
    )
}

/// " netdoctor predicted X from the topology, the probe saw Y." when they differ, else "".
fn disagreement(model: &Reachability, probe_ok: bool, observed: &str) -> String {
    if model.cause.is_some() != probe_ok {
        return String::new();
    }
    format!(
        " netdoctor predicted \"{}\" from the topology; the probe saw that {observed}. Please report this disagreement.",
        model.prediction()
    )
}

/// The target's IPv4 address on a network both share.
fn shared_ip(t: &Topology, a: &Container, b: &Container) -> Option<std::net::IpAddr> {
    t.shared_networks(a, b)
        .filter_map(|n| b.attachment(n)?.ipv4.as_deref()?.parse().ok())
        .next()
}

fn topology_suffix(topology: &CheckStep) -> String {
    let s = &topology.outcome.summary;
    s.strip_prefix("Both are on ")
        .and_then(|rest| rest.split_once(':'))
        .map(|(net, _)| format!(" (both on {net})"))
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
        let t = host(
            vec![
                on(container("web"), "app-net", &[]),
                on(container("db"), "app-net", &["database"]),
            ],
            Vec::new(),
        );
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
    fn a_network_alias_is_checked_as_typed_and_the_listeners_are_read_from_its_container() {
        let t = host(
            vec![
                on(container("web"), "app-net", &[]),
                on(container("api"), "app-net", &["my-express-api"]),
            ],
            Vec::new(),
        );
        let (steps, d) = run(
            &t,
            &req("web", "my-express-api:3001"),
            &[RESOLVED, REFUSED, ALL_IFACES_80],
        );
        assert_eq!(steps[0].status(), StepStatus::Ok, "{:?}", steps[0]);
        assert!(
            steps[0].outcome.summary.contains("(api)"),
            "{}",
            steps[0].outcome.summary
        );
        assert_eq!(steps[1].title, "Does my-express-api resolve from web?");
        let listeners = steps
            .iter()
            .find(|s| s.kind == StepKind::Listeners)
            .expect("listeners read");
        assert_eq!(listeners.title, "What does api listen on?");
        assert_eq!(d.code, DiagnosisCode::WrongPort, "{d:?}");
    }

    #[test]
    fn an_ip_is_connected_to_without_a_lookup() {
        let t = pair("app-net", "app-net");
        let (steps, d) = run(&t, &req("web", "10.0.1.9:5432"), &[CONNECTED]);
        assert!(d.healthy, "{d:?}");
        let kinds: Vec<StepKind> = steps.iter().map(|s| s.kind).collect();
        assert_eq!(kinds, [StepKind::Topology, StepKind::Connect]);
        assert_eq!(d.title, "web reaches 10.0.1.9:5432");
    }

    #[test]
    fn when_the_probe_contradicts_the_topology_the_report_says_so() {
        // The topology says no shared network, yet the live name resolves and connects (a
        // network joined after the topology was read, say).
        let t = pair("stack-a", "coolify");
        let (_, d) = run(&t, &req("web", "db:5432"), &[RESOLVED, CONNECTED]);
        assert!(d.healthy, "{d:?}");
        assert!(
            d.why.contains("netdoctor predicted") && d.why.contains("share no network"),
            "{}",
            d.why
        );
    }

    /// `/connect` and `/diagnose` hand the user one fix for one pair: the connection builder's
    /// note that blocks (or warns) and the reach check's conclusion carry the same title, why
    /// and fix, because both come from the reachability model.
    #[test]
    fn the_builder_and_the_reach_check_name_the_same_cause_and_the_same_fix_for_every_pair() {
        use crate::domain::connect::{build, NoteCode, Source as From};
        use crate::domain::findings::test_support::recorded;
        let mut t = recorded();
        let mut peer = on(container("bridge-peer"), "bridge", &[]);
        peer.attachments[0].ipv4 = Some("172.17.0.3".into());
        t.containers.push(peer);
        let pairs = [
            (
                "n8n-qg8s4kc0w4wsgk0k8c0ww8o4",
                "ro8kcog4kso4ck0ows4k4wkw",
                5432,
                DiagnosisCode::NoSharedNetwork,
                NoteCode::NoSharedNetwork,
            ),
            (
                "jk8c0wc4ok80s0gkcgwgo4s8-142311873944",
                "n8n-qg8s4kc0w4wsgk0k8c0ww8o4",
                5678,
                DiagnosisCode::NoSharedNetwork,
                NoteCode::NoSharedNetwork,
            ),
            (
                "bridge-peer",
                "coolify-sentinel",
                8080,
                DiagnosisCode::DefaultBridgeNoNames,
                NoteCode::DefaultBridgeOnly,
            ),
            (
                "isolated",
                "coolify",
                8080,
                DiagnosisCode::NoNetwork,
                NoteCode::NoNetwork,
            ),
            (
                "coolify",
                "isolated",
                80,
                DiagnosisCode::NoNetwork,
                NoteCode::NoNetwork,
            ),
            (
                "coolify",
                "stopped-worker",
                8080,
                DiagnosisCode::TargetStopped,
                NoteCode::TargetNotRunning,
            ),
        ];
        for (source, target, port, diagnosis_code, note_code) in pairs {
            let connection = build(
                &t,
                &From::Container(ContainerName::parse(source).unwrap()),
                &ContainerName::parse(target).unwrap(),
                Some(port),
            )
            .expect("builds");
            let note = connection
                .notes
                .iter()
                .find(|n| n.code == note_code)
                .unwrap_or_else(|| {
                    panic!(
                        "{source} → {target}: no {note_code:?} in {:#?}",
                        connection.notes
                    )
                });
            let (_, d) = run(
                &t,
                &req(source, &format!("{target}:{port}")),
                &[NXDOMAIN, TIMED_OUT],
            );
            assert_eq!(d.code, diagnosis_code, "{source} → {target}: {d:#?}");
            assert_eq!(d.title, note.title, "{source} → {target}");
            assert_eq!(d.fix, note.fix, "{source} → {target}");
            assert!(
                d.why.starts_with(&note.why),
                "{source} → {target}: {} / {}",
                d.why,
                note.why
            );
        }
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
