//! "My container cannot reach the internet": network mode, internal networks, resolv.conf, then
//! the Coolify docs' own steps — resolve a name (google.com), ping an IP (8.8.8.8), fetch a URL —
//! and which of DNS, routing or HTTP is broken, with the fix. Pure sequencing.

use crate::domain::checks::input::{Host, Hostname, InputError, ProbeUrl};
use crate::domain::checks::outcome::{Observation, ProbeOutcome, StepStatus};
use crate::domain::checks::probe::Probe;
use crate::domain::checks::report::{
    last_of, Check, CheckStep, Diagnosis, DiagnosisCode, Next, PlannedProbe, StepKind,
};
use crate::domain::names::ContainerName;
use crate::domain::problem::FixStep;
use crate::domain::reachability::{cause, Blocked, End};
use crate::domain::topology::{Container, NetworkMode, Topology};
use serde::{Deserialize, Serialize};

/// The defaults the Coolify docs use for "can my container get out?".
pub const DEFAULT_NAME: &str = "google.com";
pub const DEFAULT_IP: &str = "8.8.8.8";
pub const DEFAULT_URL: &str = "http://google.com";

/// What to check: from a container to a name, an address and a URL outside.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExternalRequest {
    pub from: ContainerName,
    pub name: Hostname,
    pub ip: Host,
    pub url: ProbeUrl,
}

impl ExternalRequest {
    /// Parses user input; `None` takes the documented default. Nothing runs when this fails.
    pub fn parse(
        from: &str,
        name: Option<&str>,
        ip: Option<&str>,
        url: Option<&str>,
    ) -> Result<Self, InputError> {
        let ip_text = ip.unwrap_or(DEFAULT_IP);
        let ip = match Host::parse(ip_text)? {
            Host::Ip(ip) => Host::Ip(ip),
            Host::Name(_) => {
                return Err(InputError::Invalid {
                    what: "the IP address",
                    reason: format!("`{ip_text}` is not an IPv4 or IPv6 address"),
                })
            }
        };
        Ok(Self {
            from: ContainerName::parse(from)?,
            name: Hostname::parse(name.unwrap_or(DEFAULT_NAME))?,
            ip,
            url: ProbeUrl::parse(url.unwrap_or(DEFAULT_URL))?,
        })
    }
}

impl Check for ExternalRequest {
    fn name(&self) -> &'static str {
        "external"
    }

    fn subject(&self) -> String {
        format!("{} → {}, {}, {}", self.from, self.name, self.ip, self.url)
    }

    fn next(&self, t: &Topology, done: &[CheckStep]) -> Next {
        let from = &self.from;
        // Who cannot even start: the reachability model's causes, worded as everywhere else.
        let Some(c) = t.container(from.as_str()) else {
            return Next::Done(Diagnosis::from(&cause::unknown_source(from)));
        };
        let Some(mode) = last_of(done, StepKind::NetworkMode) else {
            return Next::Note(Box::new(network_mode_step(c)));
        };
        if !c.is_running() {
            return Next::Done(Diagnosis::from(&Blocked::SourceStopped(c).cause(t)));
        }
        if mode.status() == StepStatus::Failed {
            let none = Blocked::NoNetwork {
                c,
                end: End::Source,
                other: None,
            };
            return Next::Done(Diagnosis::from(&none.cause(t)));
        }
        let Some(internal) = last_of(done, StepKind::InternalNetwork) else {
            return Next::Note(Box::new(internal_step(t, c)));
        };
        let plan = [
            (
                StepKind::ResolvConf,
                format!("Which DNS servers does {from} use?"),
                Probe::ReadResolvConf,
            ),
            (
                StepKind::Resolve,
                format!("Does {} resolve from {from}?", self.name),
                Probe::Resolve {
                    name: self.name.clone(),
                },
            ),
            (
                StepKind::Ping,
                format!("Does {} answer ping from {from}?", self.ip),
                Probe::Ping {
                    host: self.ip.clone(),
                },
            ),
            (
                StepKind::Http,
                format!("Does {} answer from {from}?", self.url),
                Probe::HttpGet {
                    url: self.url.clone(),
                },
            ),
        ];
        for (kind, title, probe) in plan {
            if last_of(done, kind).is_none() {
                return Next::Run(PlannedProbe {
                    kind,
                    title,
                    on: from.clone(),
                    probe,
                });
            }
        }
        Next::Done(self.diagnose(t, c, internal, done))
    }
}

impl ExternalRequest {
    fn diagnose(
        &self,
        t: &Topology,
        c: &Container,
        internal: &CheckStep,
        done: &[CheckStep],
    ) -> Diagnosis {
        let from = &self.from;
        let status = |k| last_of(done, k).map_or(StepStatus::CouldNotRun, CheckStep::status);
        let summary = |k| last_of(done, k).map_or("", |s: &CheckStep| s.outcome.summary.as_str());
        let (dns, ping, http) = (
            status(StepKind::Resolve),
            status(StepKind::Ping),
            status(StepKind::Http),
        );
        if [dns, ping, http]
            .iter()
            .all(|s| *s == StepStatus::CouldNotRun)
        {
            return Diagnosis::problem(
                DiagnosisCode::CouldNotRun,
                format!("No check could run in {from}"),
                summary(StepKind::Resolve).to_owned(),
                Vec::new(),
            );
        }
        let reached = ping == StepStatus::Ok || http == StepStatus::Ok;
        if internal.status() == StepStatus::Failed && !reached {
            let sealed = Blocked::InternalOnly {
                source: c,
                address: self.name.to_string(),
            };
            let mut d = Diagnosis::from(&sealed.cause(t));
            d.why = format!(
                "{} {} {} {}",
                internal.outcome.summary,
                d.why,
                summary(StepKind::Ping),
                summary(StepKind::Http)
            );
            return d;
        }
        if dns != StepStatus::Ok && reached {
            return Diagnosis::problem(
                DiagnosisCode::DnsBroken,
                format!("{from} reaches the outside but cannot resolve {}", self.name),
                format!(
                    "{} {} {}",
                    summary(StepKind::Resolve),
                    summary(StepKind::ResolvConf),
                    dns_rule(c)
                ),
                vec![
                    FixStep::run("Check that the host itself resolves the name:", &format!("nslookup {}", self.name)),
                    FixStep::say("If the host uses systemd-resolved (nameserver 127.0.0.53), containers cannot use that stub: set real upstream servers in /etc/docker/daemon.json (\"dns\": [\"1.1.1.1\", \"8.8.8.8\"]) and restart Docker."),
                    FixStep::run("After a host DNS change, restart the container so it picks up the new resolv.conf:", &format!("docker restart {from}")),
                ],
            );
        }
        if !reached {
            return Diagnosis::problem(
                DiagnosisCode::NoOutboundRoute,
                format!("Nothing from {from} gets out"),
                format!(
                    "{} {} {} Traffic from containers leaves through the host's NAT: a host firewall, disabled IP forwarding or a missing route stops all of it.",
                    summary(StepKind::Resolve),
                    summary(StepKind::Ping),
                    summary(StepKind::Http)
                ),
                vec![
                    FixStep::run("Check that the host forwards packets:", "sysctl net.ipv4.ip_forward"),
                    FixStep::run("Check the host firewall rules Docker relies on:", "sudo iptables -t nat -L POSTROUTING -n"),
                    FixStep::run("Check that the host itself gets out:", &format!("ping -c 1 {}", self.ip)),
                ],
            );
        }
        if http != StepStatus::Ok {
            return Diagnosis::problem(
                DiagnosisCode::HttpFailed,
                format!("{from} gets out, but {} does not answer", self.url),
                format!(
                    "{} {}",
                    summary(StepKind::Ping),
                    summary(StepKind::Http)
                ),
                vec![
                    FixStep::run("Try the same URL from the host:", &format!("curl -sS -o /dev/null -w '%{{http_code}}' {}", self.url)),
                    FixStep::say("If the host reaches it, look for an HTTP proxy the container must use (HTTP_PROXY) or an egress firewall on ports 80/443."),
                ],
            );
        }
        let ping_note = if ping == StepStatus::Ok {
            String::new()
        } else {
            " (ping got no answer; many networks drop ICMP, and HTTP worked)".to_owned()
        };
        Diagnosis::healthy(
            format!("{from} reaches the outside"),
            format!(
                "{} {}{ping_note}",
                summary(StepKind::Resolve),
                summary(StepKind::Http)
            ),
        )
    }
}

fn network_mode_step(c: &Container) -> CheckStep {
    let title = format!("How is {} networked?", c.name);
    let outcome = match &c.network_mode {
        NetworkMode::Null => ProbeOutcome::failed(
            Observation::NotRun,
            "Network mode `none`: only a loopback interface.",
        ),
        NetworkMode::Host => ProbeOutcome::ok(
            Observation::NotRun,
            "Network mode `host`: it uses the host's network directly.",
        ),
        NetworkMode::Container(other) => ProbeOutcome::ok(
            Observation::NotRun,
            format!(
                "It shares the network of container {}.",
                crate::domain::names::short_id(other)
            ),
        ),
        NetworkMode::DefaultBridge | NetworkMode::Network(_) => ProbeOutcome::ok(
            Observation::NotRun,
            format!(
                "Attached to {}.",
                c.network_names().collect::<Vec<_>>().join(", ")
            ),
        ),
    };
    CheckStep::note(StepKind::NetworkMode, title, outcome)
}

fn internal_step(t: &Topology, c: &Container) -> CheckStep {
    let title = format!("Is {} on a network with a way out?", c.name);
    let internal: Vec<&str> = c
        .network_names()
        .filter(|n| t.network(n).is_some_and(|n| n.internal))
        .collect();
    let all = c.attachments.len();
    let outcome = if all > 0 && internal.len() == all {
        ProbeOutcome::failed(
            Observation::NotRun,
            format!("It is only on internal networks ({}).", internal.join(", ")),
        )
    } else if internal.is_empty() {
        ProbeOutcome::ok(Observation::NotRun, "None of its networks is internal.")
    } else {
        ProbeOutcome::ok(
            Observation::NotRun,
            format!(
                "{} is internal, but it has other networks with a way out.",
                internal.join(", ")
            ),
        )
    };
    CheckStep::note(StepKind::InternalNetwork, title, outcome)
}

/// Where the container's DNS comes from, per Docker's rules.
fn dns_rule(c: &Container) -> &'static str {
    if c.network_mode == NetworkMode::DefaultBridge {
        "On the default bridge a container uses a copy of the host's /etc/resolv.conf (without 127.x servers)."
    } else {
        "On a user-defined network Docker's embedded DNS (127.0.0.11) forwards outside names to the host's resolvers."
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::checks::outcome::RunRecord;
    use crate::domain::checks::probe::Tool;
    use crate::domain::checks::report::{canned_run, drive};
    use crate::domain::containers::ContainerState;
    use crate::domain::findings::test_support::{container, host, on};

    type Answer = (StepKind, i64, &'static str);

    fn answer(planned: &PlannedProbe, answers: &[Answer]) -> RunRecord {
        let (code, output) = answers
            .iter()
            .find(|(k, _, _)| *k == planned.kind)
            .map(|(_, c, o)| (*c, *o))
            .unwrap_or_else(|| panic!("no answer for {:?}", planned.kind));
        let tool = match planned.probe {
            Probe::Resolve { .. } => Tool::Nslookup,
            Probe::HttpGet { .. } => Tool::Wget,
            _ => planned.probe.tools()[0],
        };
        canned_run(planned, tool, code, output)
    }

    const CONF: Answer = (
        StepKind::ResolvConf,
        0,
        include_str!("fixtures/resolv-conf-user-defined.txt"),
    );
    const RESOLVED: Answer = (
        StepKind::Resolve,
        0,
        include_str!("fixtures/nslookup-found.txt"),
    );
    const NO_DNS: Answer = (
        StepKind::Resolve,
        1,
        include_str!("fixtures/nslookup-no-servers.txt"),
    );
    const PONG: Answer = (StepKind::Ping, 0, include_str!("fixtures/ping-ok.txt"));
    const LOST: Answer = (StepKind::Ping, 1, include_str!("fixtures/ping-lost.txt"));
    const HTTP_OK: Answer = (StepKind::Http, 0, include_str!("fixtures/wget-200.txt"));
    const HTTP_REFUSED: Answer = (StepKind::Http, 1, include_str!("fixtures/wget-refused.txt"));

    fn request() -> ExternalRequest {
        ExternalRequest::parse("app", None, None, None).expect("defaults parse")
    }

    fn run(t: &Topology, answers: &[Answer]) -> (Vec<CheckStep>, Diagnosis) {
        let req = request();
        drive(|done| req.next(t, done), |p| answer(p, answers))
    }

    fn app_on(network: &str) -> Topology {
        host(vec![on(container("app"), network, &[])], Vec::new())
    }

    #[test]
    fn the_defaults_follow_the_coolify_docs() {
        let r = request();
        assert_eq!(r.name.as_str(), "google.com");
        assert_eq!(r.ip.to_string(), "8.8.8.8");
        assert_eq!(r.url.as_str(), "http://google.com/");
    }

    #[test]
    fn a_container_that_resolves_pings_and_fetches_is_healthy() {
        let (steps, d) = run(&app_on("coolify"), &[CONF, RESOLVED, PONG, HTTP_OK]);
        assert!(d.healthy, "{d:?}");
        assert_eq!(steps.len(), 6);
    }

    #[test]
    fn a_reachable_outside_with_failing_dns_is_a_dns_problem() {
        let (_, d) = run(&app_on("coolify"), &[CONF, NO_DNS, PONG, HTTP_OK]);
        assert_eq!(d.code, DiagnosisCode::DnsBroken);
        assert!(d.why.contains("127.0.0.11"), "{}", d.why);
    }

    #[test]
    fn nothing_getting_out_points_at_the_hosts_forwarding_and_firewall() {
        let (_, d) = run(&app_on("coolify"), &[CONF, NO_DNS, LOST, HTTP_REFUSED]);
        assert_eq!(d.code, DiagnosisCode::NoOutboundRoute);
        assert!(d
            .fix
            .iter()
            .any(|f| f.command.as_deref() == Some("sysctl net.ipv4.ip_forward")));
    }

    #[test]
    fn an_internal_network_is_named_as_the_cause() {
        let mut t = app_on("backend");
        t.networks[0].internal = true;
        let (steps, d) = run(&t, &[CONF, NO_DNS, LOST, HTTP_REFUSED]);
        assert_eq!(d.code, DiagnosisCode::InternalNetworkOnly);
        assert_eq!(steps[1].status(), StepStatus::Failed);
    }

    #[test]
    fn network_none_and_stopped_containers_end_before_anything_runs() {
        let (steps, d) = run(&app_on("none"), &[]);
        assert_eq!(d.code, DiagnosisCode::NoNetwork);
        assert!(steps.iter().all(|s| s.run.is_none()));
        let mut t = app_on("coolify");
        t.containers[0].state = ContainerState::Exited;
        let (_, d) = run(&t, &[]);
        assert_eq!(d.code, DiagnosisCode::SourceStopped);
    }

    #[test]
    fn ping_blocked_but_http_working_is_still_healthy_and_says_why() {
        let (_, d) = run(&app_on("coolify"), &[CONF, RESOLVED, LOST, HTTP_OK]);
        assert!(d.healthy);
        assert!(d.why.contains("drop ICMP"), "{}", d.why);
    }

    #[test]
    fn injection_attempts_in_any_input_are_refused() {
        for bad in ["x;id", "$(id)", "`id`", "x\ny", "-x", "x y"] {
            assert!(
                ExternalRequest::parse(bad, None, None, None).is_err(),
                "{bad:?}"
            );
            assert!(
                ExternalRequest::parse("app", Some(bad), None, None).is_err(),
                "{bad:?}"
            );
            assert!(
                ExternalRequest::parse("app", None, Some(bad), None).is_err(),
                "{bad:?}"
            );
            assert!(
                ExternalRequest::parse("app", None, None, Some(&format!("http://{bad}/"))).is_err(),
                "{bad:?}"
            );
        }
        assert!(ExternalRequest::parse("app", None, Some("google.com"), None).is_err());
    }
}
