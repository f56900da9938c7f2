//! "My domain does not reach my app": the Coolify docs' "proxy not routing traffic" steps, run.
//! Is the proxy running? Does it have a route for the domain? Is the target running and
//! healthy? Is the proxy on the network it dials the target on? Which port does the route use?
//! Can the proxy open that port from inside its own container, and does HTTP answer? And what
//! has the proxy logged about it lately? Pure sequencing over the topology and the results.

use crate::domain::checks::input::{ContainerPort, Host, Hostname, InputError, Port, ProbeUrl};
use crate::domain::checks::outcome::{Observation, ProbeOutcome, StepStatus};
use crate::domain::checks::probe::Probe;
use crate::domain::checks::reach::ReachRequest;
use crate::domain::checks::report::{
    last_of, Check, CheckStep, Diagnosis, DiagnosisCode, Next, PlannedLogRead, PlannedProbe,
    StepKind,
};
use crate::domain::coolify::PROXY_CONTAINER;
use crate::domain::names::ContainerName;
use crate::domain::problem::FixStep;
use crate::domain::proxy::loaded::RouteTable;
use crate::domain::proxy::{PortSource, ProxyKind, Route, RouteStatus};
use crate::domain::reachability::{Blocked, End, Model};
use crate::domain::topology::{Container, Health, NetworkMode, Topology};
use serde::{Deserialize, Serialize};
use std::net::IpAddr;

/// How much of the proxy's log the check reads.
pub const LOG_TAIL: u32 = 500;
pub const LOG_SINCE_SECS: u32 = 30 * 60;

/// What to check: how the proxy routes one domain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProxyRequest {
    /// Lowercase, without scheme, port, path or trailing dot.
    pub domain: Hostname,
    /// The proxy container, when it is not the one netdoctor finds (`coolify-proxy`, or the
    /// container labelled `coolify.proxy=true`).
    pub proxy: Option<ContainerName>,
}

impl ProxyRequest {
    /// Parses user input: a domain, or a URL pasted from the browser
    /// (`https://App.example.com:443/login` checks `app.example.com`). Nothing runs when this
    /// fails.
    pub fn parse(domain: &str, proxy: Option<&str>) -> Result<Self, InputError> {
        let trimmed = domain.trim();
        // Refused anywhere, also in the parts of a URL that are cut away.
        if let Some(c) = trimmed
            .chars()
            .find(|c| c.is_control() || c.is_whitespace() || ";$`|&'\"<>\\{}()!*".contains(*c))
        {
            return Err(InputError::Invalid {
                what: "the domain",
                reason: format!("{c:?} is not allowed in a domain or URL"),
            });
        }
        let lower = trimmed.to_ascii_lowercase();
        let rest = ["https://", "http://"]
            .iter()
            .find_map(|scheme| lower.strip_prefix(scheme))
            .unwrap_or(&lower);
        let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
        let host = match host.rsplit_once(':') {
            Some((name, port)) if !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) => {
                name
            }
            _ => host,
        };
        let host = host.strip_suffix('.').unwrap_or(host);
        // Anything odd in what was typed (not in what was cut away) is refused as typed.
        let domain = Hostname::parse(host).or_else(|e| {
            Hostname::parse(trimmed)?;
            Err(e)
        })?;
        Ok(Self {
            domain,
            proxy: proxy
                .filter(|p| !p.trim().is_empty())
                .map(ContainerName::parse)
                .transpose()?,
        })
    }

    fn proxy_name<'t>(&'t self, t: &'t Topology) -> Option<&'t str> {
        match &self.proxy {
            Some(name) => Some(name.as_str()),
            None => t.proxy.as_ref().map(|p| p.container.as_str()),
        }
    }
}

impl Check for ProxyRequest {
    fn name(&self) -> &'static str {
        "proxy"
    }

    fn subject(&self) -> String {
        match &self.proxy {
            Some(proxy) => format!("{} through {proxy}", self.domain),
            None => self.domain.to_string(),
        }
    }

    fn reads_routes_of(&self) -> Option<Option<&ContainerName>> {
        Some(self.proxy.as_ref())
    }

    fn next(&self, t: &Topology, done: &[CheckStep]) -> Next {
        let domain = self.domain.as_str();
        // The proxy.
        let proxy = match self.proxy_name(t) {
            None => return Next::Done(no_proxy()),
            Some(name) => match t.container(name) {
                Some(c) => c,
                None => return Next::Done(unknown_proxy(name)),
            },
        };
        // The live proxy's routes are already parsed; another proxy's are read for its kind.
        let live = t.proxy.as_ref().filter(|p| p.container == proxy.name);
        let kind = live.map_or_else(|| ProxyKind::from_image(&proxy.image), |p| p.kind);
        // What the routes below are: read from this proxy, or its labels (and why).
        let table = live.map(|_| &t.route_table);
        let Some(proxy_step) = last_of(done, StepKind::Proxy) else {
            return Next::Note(Box::new(proxy_step(proxy, kind, table)));
        };
        let finish = |d: Diagnosis, needles: Vec<String>| conclude(proxy, done, d, needles);
        if proxy_step.status() != StepStatus::Ok {
            return finish(proxy_unusable(proxy, kind, table), Vec::new());
        }

        // The route.
        let routes = match live {
            Some(_) => std::borrow::Cow::Borrowed(&t.routes),
            None => std::borrow::Cow::Owned(t.routes_for(kind)),
        };
        // Routes the proxy serves first: a refused one only counts when nothing else matches.
        let mut matching: Vec<&Route> = routes.iter().filter(|r| r.serves(domain)).collect();
        matching.sort_by_key(|r| r.status == RouteStatus::Disabled);
        let loaded = table.filter(|t| t.is_loaded());
        let Some(&route) = matching.first() else {
            // The labels ask for it, but the proxy did not load it.
            let intended: Vec<&Route> = match loaded {
                Some(_) => t
                    .intended_routes()
                    .iter()
                    .filter(|r| r.serves(domain))
                    .collect(),
                None => Vec::new(),
            };
            if let Some(&wanted) = intended.first() {
                let targets: Vec<&Container> = wanted
                    .containers
                    .iter()
                    .filter_map(|n| t.container(n))
                    .collect();
                let stopped = !targets.iter().any(|c| c.is_running());
                if last_of(done, StepKind::Route).is_none() {
                    return Next::Note(Box::new(not_loaded_step(proxy, domain, wanted, stopped)));
                }
                let mut needles = vec![domain.to_owned(), wanted.id.clone()];
                needles.extend(wanted.containers.iter().cloned());
                if stopped {
                    return finish(targets_stopped(domain, wanted, &targets), needles);
                }
                return finish(not_loaded(domain, proxy, wanted, t), needles);
            }
            if last_of(done, StepKind::Route).is_none() {
                return Next::Note(Box::new(CheckStep::note(
                    StepKind::Route,
                    format!("Does {} have a route for {domain}?", proxy.name),
                    ProbeOutcome::failed(
                        Observation::NotRun,
                        match loaded {
                            Some(table) => format!(
                                "No route for {domain} in the {} {}, and no container's labels ask for one.",
                                kind_name(kind),
                                table.describe()
                            ),
                            None => format!(
                                "No container carries a {} rule for {domain}.",
                                kind_name(kind)
                            ),
                        },
                    ),
                )));
            }
            return finish(
                no_route(domain, proxy, kind, &routes, table),
                vec![domain.to_owned()],
            );
        };
        let mut needles = vec![domain.to_owned(), route.id.clone()];
        needles.extend(route.containers.iter().cloned());
        if last_of(done, StepKind::Route).is_none() {
            return Next::Note(Box::new(route_step(
                proxy, kind, domain, route, &matching, table,
            )));
        }
        if route.status == RouteStatus::Disabled {
            return finish(rejected(domain, proxy, route), needles);
        }

        // The target: the first running container of the route, healthy ones first.
        let targets: Vec<&Container> = route
            .containers
            .iter()
            .filter_map(|n| t.container(n))
            .collect();
        let target = targets
            .iter()
            .copied()
            .filter(|c| c.is_running())
            .min_by_key(|c| c.health == Some(Health::Unhealthy));
        // A loaded route may dial something that is no container (a name nothing holds, a
        // stale address), or nothing at all (a redirect).
        if targets.is_empty() && (!route.upstreams.is_empty() || route.redirect.is_some()) {
            return finish(no_container_behind(t, proxy, domain, route), needles);
        }
        let Some(state) = last_of(done, StepKind::TargetState) else {
            return Next::Note(Box::new(target_step(route, &targets, target)));
        };
        let Some(target) = target else {
            return finish(targets_stopped(domain, route, &targets), needles);
        };
        if state.status() != StepStatus::Ok {
            return finish(unhealthy(domain, target), needles);
        }

        // The network the proxy dials, and the target's address there.
        let plan = dial_plan(t, proxy, target, route);
        if let Some(ip) = plan.ip {
            needles.push(ip.to_string());
        }
        if last_of(done, StepKind::ProxyNetwork).is_none() {
            return Next::Note(Box::new(network_step(proxy, target, &plan)));
        }
        if let Some(problem) = plan.blocking {
            return finish(problem, needles);
        }
        let Some(ip) = plan.ip else {
            return finish(
                Diagnosis::problem(
                    DiagnosisCode::CouldNotRun,
                    format!("{} has no IPv4 address on {}", target.name, plan.network),
                    "The Engine reports no address there, so there is nothing to dial.",
                    vec![FixStep::run(
                        "Look at its network settings:",
                        &format!(
                            "docker inspect -f '{{{{json .NetworkSettings.Networks}}}}' {}",
                            target.name
                        ),
                    )],
                ),
                needles,
            );
        };

        // The port.
        let port = route.target_port.and_then(Port::new);
        if last_of(done, StepKind::RoutePort).is_none() {
            return Next::Note(Box::new(port_step(route, target)));
        }
        let Some(port) = port else {
            return finish(port_unknown(route, target), needles);
        };

        // From inside the proxy: TCP, then HTTP.
        let host = Host::Ip(ip);
        let Some(connect) = last_of(done, StepKind::Connect) else {
            return Next::Run(PlannedProbe {
                kind: StepKind::Connect,
                title: format!(
                    "Can {} open {ip}:{port} ({} on {})?",
                    proxy.name, target.name, plan.network
                ),
                on: proxy.name.clone(),
                probe: Probe::TcpConnect { host, port },
            });
        };
        match connect.status() {
            StepStatus::CouldNotRun => return finish(Diagnosis::could_not_run(connect), needles),
            StepStatus::Failed => {
                let Some(listeners) = last_of(done, StepKind::Listeners) else {
                    return Next::Run(PlannedProbe {
                        kind: StepKind::Listeners,
                        title: format!("What does {} listen on?", target.name),
                        on: target.name.clone(),
                        probe: Probe::Listeners,
                    });
                };
                let reach = ReachRequest {
                    from: proxy.name.clone(),
                    to: ContainerPort {
                        container: target.name.clone(),
                        port,
                    },
                    http: true,
                    name: None,
                    tls: false,
                };
                return finish(
                    reach.connect_failed(connect, listeners, &reach.to.container),
                    needles,
                );
            }
            StepStatus::Ok => {}
        }
        let url = ProbeUrl::for_host_port(&host, port);
        let Some(http) = last_of(done, StepKind::Http) else {
            return Next::Run(PlannedProbe {
                kind: StepKind::Http,
                title: format!("Does {url} answer HTTP from {}?", proxy.name),
                on: proxy.name.clone(),
                probe: Probe::HttpGet { url },
            });
        };
        if http.status() != StepStatus::Ok {
            return finish(http_failed(domain, target, port, http), needles);
        }
        if let Some(warning) = plan.warning {
            return finish(warning, needles);
        }
        finish(
            Diagnosis::healthy(
                format!("{} routes {domain} to {}:{port}", proxy.name, target.name),
                format!(
                    "The route matches, {} is running, {} is on {} with it, and {url} answered from inside the proxy: {}",
                    target.name, proxy.name, plan.network, http.outcome.summary
                ),
            ),
            needles,
        )
    }
}

/// Reads the proxy's recent log before concluding (once the proxy container is known), and
/// adds what it found to the diagnosis.
fn conclude(proxy: &Container, done: &[CheckStep], d: Diagnosis, needles: Vec<String>) -> Next {
    let Some(log) = last_of(done, StepKind::ProxyLog) else {
        let about = if needles.is_empty() {
            "Any errors".to_owned()
        } else {
            format!("Errors about {}", needles[0])
        };
        return Next::ReadLog(PlannedLogRead {
            kind: StepKind::ProxyLog,
            title: format!("{about} in {}'s recent log?", proxy.name),
            on: proxy.name.clone(),
            tail: LOG_TAIL,
            since_secs: LOG_SINCE_SECS,
            needles,
        });
    };
    let mut d = d;
    if let Observation::LogErrors {
        lines, matching, ..
    } = &log.outcome.observation
    {
        if *matching > 0 {
            let newest = lines.last().map(String::as_str).unwrap_or_default();
            let newest: String = newest.chars().take(300).collect();
            d.why = format!(
                "{} {} logged {matching} related error line{} in the last 30 minutes; the newest: {newest}",
                d.why,
                proxy.name,
                if *matching == 1 { "" } else { "s" }
            );
            if d.fix.is_empty() && !d.healthy {
                d.fix.push(FixStep::run(
                    "Read the proxy's log:",
                    &format!("docker logs --since 30m {}", proxy.name),
                ));
            }
        }
    }
    Next::Done(d)
}

fn kind_name(kind: ProxyKind) -> &'static str {
    match kind {
        ProxyKind::Traefik => "Traefik",
        ProxyKind::Caddy => "Caddy",
        ProxyKind::Unknown => "proxy",
    }
}

fn proxy_step(proxy: &Container, kind: ProxyKind, table: Option<&RouteTable>) -> CheckStep {
    let title = format!("Is the proxy ({}) running?", proxy.name);
    let routes_from = match table {
        Some(table) if table.is_loaded() => format!(" Its {}.", table.describe()),
        Some(table) => match table.notes.first() {
            Some(why) => format!(" Its routes come from the containers' labels: {why}"),
            None => String::new(),
        },
        None => String::new(),
    };
    let outcome = if !proxy.is_running() {
        ProbeOutcome::failed(
            Observation::NotRun,
            format!("{} is {}.", proxy.name, proxy.state.as_str()),
        )
    } else if kind == ProxyKind::Unknown {
        ProbeOutcome::failed(
            Observation::NotRun,
            format!(
                "{} runs {}, which answered neither as Caddy nor as Traefik, and its image is neither: netdoctor cannot read its routes.{routes_from}",
                proxy.name, proxy.image
            ),
        )
    } else {
        ProbeOutcome::ok(
            Observation::NotRun,
            format!(
                "{} ({}, {}) is running.{routes_from}",
                proxy.name,
                kind_name(kind),
                proxy.image
            ),
        )
    };
    CheckStep::note(StepKind::Proxy, title, outcome)
}

fn no_proxy() -> Diagnosis {
    Diagnosis::problem(
        DiagnosisCode::NoProxy,
        "There is no proxy on this server",
        format!("No container is named {PROXY_CONTAINER} or labelled coolify.proxy=true, so nothing receives traffic for domains on ports 80 and 443."),
        vec![
            FixStep::say("In Coolify: Servers → this server → Proxy → Start Proxy."),
            FixStep::run("Look for a stopped or renamed proxy:", "docker ps -a --filter name=proxy"),
        ],
    )
}

fn unknown_proxy(name: &str) -> Diagnosis {
    Diagnosis::problem(
        DiagnosisCode::ContainerNotFound,
        format!("There is no container named {name}"),
        "The Docker Engine lists no container by that name (names are case-sensitive).",
        vec![FixStep::run(
            "List the containers and their names:",
            "docker ps -a --format '{{.Names}}'",
        )],
    )
}

fn proxy_unusable(proxy: &Container, kind: ProxyKind, table: Option<&RouteTable>) -> Diagnosis {
    let name = &proxy.name;
    if !proxy.is_running() {
        return Diagnosis::problem(
            DiagnosisCode::ProxyStopped,
            format!("The proxy {name} is not running"),
            format!(
                "{name} is {}: no domain on this server answers until it runs again.",
                proxy.state.as_str()
            ),
            vec![
                FixStep::run(
                    "See why it stopped:",
                    &format!("docker logs --tail 50 {name}"),
                ),
                FixStep::say(
                    "In Coolify: Servers → this server → Proxy → Restart Proxy (or Start Proxy).",
                ),
                FixStep::run("Or start it directly:", &format!("docker start {name}")),
            ],
        );
    }
    Diagnosis::problem(
        DiagnosisCode::CouldNotRun,
        format!("netdoctor cannot read the routes of {name}"),
        format!(
            "{name} runs {} ({}). netdoctor asks Caddy's admin API (localhost:2019), Traefik's API (localhost:8080) and Traefik's dynamic files, and reads Traefik and caddy-docker-proxy labels; none of them gave routes here.{}",
            proxy.image,
            kind_name(kind),
            table
                .and_then(|t| t.notes.first())
                .map(|why| format!(" {why}"))
                .unwrap_or_default()
        ),
        vec![
            FixStep::say("In Coolify: Servers → this server → Proxy, choose Traefik or Caddy."),
            FixStep::say("For your own Caddy, keep its admin API on (the default `admin localhost:2019`); for Traefik, enable the API (`--api.insecure=true` on the traefik entry point) or give it a file provider."),
        ],
    )
}

fn no_route(
    domain: &str,
    proxy: &Container,
    kind: ProxyKind,
    routes: &[Route],
    table: Option<&RouteTable>,
) -> Diagnosis {
    let mut known: Vec<&str> = routes
        .iter()
        .flat_map(|r| r.hosts.iter().map(String::as_str))
        .collect();
    known.sort_unstable();
    known.dedup();
    let known_text = match known.len() {
        0 => "It routes no domain at all.".to_owned(),
        n if n <= 8 => format!("It routes: {}.", known.join(", ")),
        n => format!(
            "It routes {n} domains, among them {}.",
            known[..8].join(", ")
        ),
    };
    let loaded = table.filter(|t| t.is_loaded());
    let answer = match kind {
        ProxyKind::Traefik => {
            "Traefik answers 404 (Coolify's catch-all: 503 \"no available server\")"
        }
        ProxyKind::Caddy => "Caddy answers with an empty response",
        ProxyKind::Unknown => "the proxy answers 404",
    };
    let why = match loaded {
        Some(table) => format!(
            "{} {} has no route for {domain}, and no container's labels ask for one, so {answer}. {known_text}",
            kind_name(kind),
            table.describe()
        ),
        None => format!(
            "No running or stopped container carries a {} rule for {domain}, so {answer}. {known_text}",
            kind_name(kind)
        ),
    };
    let mut fix = vec![FixStep::say(&format!("In Coolify, add https://{domain} to the resource's Domains (for a compose service, the service's Domain field) and redeploy: the proxy labels are written at deploy."))];
    match (loaded, kind) {
        (Some(_), ProxyKind::Caddy) => fix.push(FixStep::say(&format!("Or add a site block for {domain} to the Caddyfile (Coolify: Servers → Proxy → Dynamic Configurations) and reload the proxy."))),
        (Some(_), _) => fix.push(FixStep::say(&format!("Or add a router for {domain} to a file under /data/coolify/proxy/dynamic/ (Coolify: Servers → Proxy → Dynamic Configurations)."))),
        (None, _) => fix.push(FixStep::say("If the route lives in a file under /data/coolify/proxy/dynamic/ or in a Caddyfile, netdoctor could not read it this time: check that file's rule and that the proxy loaded it (its log says so).")),
    }
    fix.push(FixStep::run(
        "List each container's routing rules:",
        "docker ps --format '{{.Names}}: {{.Labels}}' | tr ',' '\\n' | grep -i 'rule='",
    ));
    Diagnosis::problem(
        DiagnosisCode::NoRoute,
        format!("{} has no route for {domain}", proxy.name),
        why,
        fix,
    )
}

fn route_step(
    proxy: &Container,
    kind: ProxyKind,
    domain: &str,
    route: &Route,
    matching: &[&Route],
    table: Option<&RouteTable>,
) -> CheckStep {
    let scheme = if route.tls { "HTTPS" } else { "HTTP" };
    let targets = match (route.containers.is_empty(), route.upstreams.is_empty()) {
        (false, true) => route.containers.join(", "),
        (false, false) => format!(
            "{} ({})",
            route.containers.join(", "),
            route.upstreams.join(", ")
        ),
        (true, false) => route.upstreams.join(", "),
        (true, true) => match &route.redirect {
            Some(to) => format!("a redirect to {to}"),
            None => "no upstream".into(),
        },
    };
    let more = match matching.len() {
        1 => String::new(),
        n => format!(" {n} routes match this domain; the proxy picks one by rule priority — check that only one is meant to."),
    };
    let from = match table.filter(|t| t.is_loaded()) {
        Some(t) => format!(
            " from {}, loaded ({})",
            route.provider.describe(),
            t.describe()
        ),
        None => " from the containers' labels".to_owned(),
    };
    let rule = if route.rule.is_empty() {
        String::new()
    } else {
        format!(", rule {}", route.rule)
    };
    let title = format!("Does {} have a route for {domain}?", proxy.name);
    let summary = format!(
        "{} route `{}`{from} ({scheme}{rule}) sends {domain} to {targets}.{more}",
        kind_name(kind),
        route.id,
    );
    let outcome = match route.status {
        RouteStatus::Disabled => ProbeOutcome::failed(
            Observation::NotRun,
            format!(
                "{summary} {} refused it: {}",
                kind_name(kind),
                route.errors.join("; ")
            ),
        ),
        RouteStatus::Warning => ProbeOutcome::ok(
            Observation::NotRun,
            format!(
                "{summary} {} serves it with warnings: {}",
                kind_name(kind),
                route.errors.join("; ")
            ),
        ),
        RouteStatus::Enabled => ProbeOutcome::ok(Observation::NotRun, summary),
    };
    CheckStep::note(StepKind::Route, title, outcome)
}

/// The labels ask for a route the loaded table does not have.
fn not_loaded_step(proxy: &Container, domain: &str, wanted: &Route, stopped: bool) -> CheckStep {
    let who = wanted.containers.join(", ");
    let summary = if stopped {
        format!(
            "{} has not loaded a route for {domain}: the labels of {who} ask for one (`{}`), but {who} is not running, and the proxy leaves stopped containers out.",
            proxy.name, wanted.id
        )
    } else {
        format!(
            "{} has not loaded a route for {domain}, though the labels of {who} ask for one (`{}`).",
            proxy.name, wanted.id
        )
    };
    CheckStep::note(
        StepKind::Route,
        format!("Does {} have a route for {domain}?", proxy.name),
        ProbeOutcome::failed(Observation::NotRun, summary),
    )
}

/// A route the proxy loaded and refused, in its own words.
fn rejected(domain: &str, proxy: &Container, route: &Route) -> Diagnosis {
    let errors = if route.errors.is_empty() {
        "it gave no reason".to_owned()
    } else {
        route.errors.join("; ")
    };
    Diagnosis::problem(
        DiagnosisCode::RouteRejected,
        format!("{} refused the route for {domain}", proxy.name),
        format!(
            "The {} ask for router `{}`, but the proxy does not serve it: {errors}. Until it is fixed {domain} answers 404.",
            route.provider.describe(),
            route.id
        ),
        vec![
            FixStep::say(&format!("Correct what the error names in the {} of router `{}` (in Coolify: the resource's Domains or its custom labels; a dynamic file under Servers → Proxy → Dynamic Configurations) and redeploy.", route.provider.describe(), route.id)),
            FixStep::run("See the proxy's own account:", &format!("docker logs --since 30m {} 2>&1 | grep -i '{}'", proxy.name, route.id)),
        ],
    )
}

/// Labels ask for a route of running containers that the loaded table lacks.
fn not_loaded(domain: &str, proxy: &Container, wanted: &Route, t: &Topology) -> Diagnosis {
    let who = wanted.containers.join(", ");
    let mut why = format!(
        "The labels of {who} ask for route `{}` to {domain}, but {} did not load it, so it answers 404.",
        wanted.id, proxy.name
    );
    let claimed: Vec<&str> = t
        .intended_routes()
        .iter()
        .filter(|r| r.id == wanted.id && r.containers.len() > 1)
        .flat_map(|r| r.containers.iter().map(String::as_str))
        .collect();
    if wanted.kind == ProxyKind::Traefik && !claimed.is_empty() {
        why.push_str(&format!(" Router `{}` is defined by several containers ({}); Traefik drops a router that two containers define differently.", wanted.id, claimed.join(", ")));
    }
    Diagnosis::problem(
        DiagnosisCode::RouteNotLoaded,
        format!("{} did not load the route for {domain}", proxy.name),
        why,
        vec![
            FixStep::run("See why in the proxy's log:", &format!("docker logs --since 30m {} 2>&1 | grep -i '{}'", proxy.name, wanted.id)),
            FixStep::say("In Coolify: redeploy the resource (the labels are written again) and, if that does not help, restart the proxy (Servers → Proxy → Restart Proxy)."),
        ],
    )
}

/// A loaded route whose upstream is no container: a name nothing holds, an address nobody has,
/// or a redirect.
fn no_container_behind(t: &Topology, proxy: &Container, domain: &str, route: &Route) -> Diagnosis {
    use crate::domain::loaded_routes::{resolve_upstream, Upstream};
    if route.upstreams.is_empty() {
        let to = route.redirect.clone().unwrap_or_default();
        return Diagnosis::healthy(
            format!("{} redirects {domain} to {to}", proxy.name),
            format!("Route `{}` from {} sends no request to a container: it answers with a redirect to {to}.", route.id, route.provider.describe()),
        );
    }
    let mut problems = Vec::new();
    for upstream in &route.upstreams {
        match resolve_upstream(t, Some(proxy), upstream) {
            Upstream::UnresolvedName(name) => problems.push(format!("`{name}` is the name of no container and no network alias on any network, so the proxy's DNS lookup fails")),
            Upstream::UnknownIp(ip) => problems.push(format!("no container has the address {ip} any more (a container recreated since the route was written gets a new address)")),
            Upstream::Host => problems.push(format!("{upstream} is the Docker host, not a container")),
            Upstream::ProxyItself => problems.push(format!("{upstream} is the proxy itself")),
            Upstream::Unknown | Upstream::Container { .. } => {}
        }
    }
    let mut fix = vec![FixStep::say(&format!("Point route `{}` ({}) at a container name on a network {} is on, with the port the app listens on (`http://NAME:PORT`), then reload the proxy.", route.id, route.provider.describe(), proxy.name))];
    fix.push(FixStep::run("List the names the proxy can resolve:", &format!("docker network inspect -f '{{{{range .Containers}}}}{{{{.Name}}}} {{{{end}}}}' $(docker inspect -f '{{{{range $k, $v := .NetworkSettings.Networks}}}}{{{{$k}}}} {{{{end}}}}' {})", proxy.name)));
    Diagnosis::problem(
        DiagnosisCode::RouteUpstreamUnknown,
        format!(
            "{domain} goes to {}, which no container holds",
            route.upstreams.join(", ")
        ),
        format!(
            "Route `{}` from {} dials {}: {}. The proxy answers 502 Bad Gateway.",
            route.id,
            route.provider.describe(),
            route.upstreams.join(", "),
            if problems.is_empty() {
                "nothing the Engine knows".to_owned()
            } else {
                problems.join("; ")
            }
        ),
        fix,
    )
}

fn target_step(route: &Route, targets: &[&Container], target: Option<&Container>) -> CheckStep {
    let title = format!("Is {} running and healthy?", route.containers.join(", "));
    let outcome = match target {
        None if targets.is_empty() => ProbeOutcome::failed(
            Observation::NotRun,
            "The route's container is gone (the labels belong to a removed container).",
        ),
        None => ProbeOutcome::failed(
            Observation::NotRun,
            format!(
                "Not running: {}.",
                targets
                    .iter()
                    .map(|c| format!("{} is {}", c.name, c.state.as_str()))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ),
        Some(c) if c.health == Some(Health::Unhealthy) => ProbeOutcome::failed(
            Observation::NotRun,
            format!(
                "{} is running but its health check fails (unhealthy).",
                c.name
            ),
        ),
        Some(c) => ProbeOutcome::ok(
            Observation::NotRun,
            match c.health {
                Some(h) => format!("{} is running and {}.", c.name, h.as_str()),
                None => format!("{} is running (it has no health check).", c.name),
            },
        ),
    };
    CheckStep::note(StepKind::TargetState, title, outcome)
}

fn targets_stopped(domain: &str, route: &Route, targets: &[&Container]) -> Diagnosis {
    let name = targets
        .first()
        .map_or_else(|| route.containers.join(", "), |c| c.name.to_string());
    Diagnosis::problem(
        DiagnosisCode::TargetStopped,
        format!("{domain} goes to {name}, which is not running"),
        "A stopped container has no address; the proxy has nothing to send the request to and answers 404 or 502.",
        vec![
            FixStep::run("See why it stopped:", &format!("docker logs --tail 50 {name}")),
            FixStep::say("In Coolify: open the resource and Redeploy (or Start)."),
        ],
    )
}

fn unhealthy(domain: &str, target: &Container) -> Diagnosis {
    let name = &target.name;
    Diagnosis::problem(
        DiagnosisCode::TargetUnhealthy,
        format!("{name} is unhealthy, so the proxy does not send {domain} to it"),
        "Traefik leaves unhealthy containers out of the load balancer: the domain answers 404 or \"no available server\" until the health check passes.",
        vec![
            FixStep::run(
                "See what the health check answers:",
                &format!("docker inspect -f '{{{{json .State.Health}}}}' {name}"),
            ),
            FixStep::say("In Coolify: Configuration → Healthcheck — check the path and port match the application, or turn the health check off while you fix it."),
        ],
    )
}

/// Which network the proxy dials the target on, its address there, and what is wrong with it.
struct DialPlan {
    network: String,
    ip: Option<IpAddr>,
    /// Stops the check: the proxy cannot reach the target at all.
    blocking: Option<Diagnosis>,
    /// Reported after the probes pass: it works now, but may not after a redeploy.
    warning: Option<Diagnosis>,
    summary: String,
    ok: bool,
}

fn dial_plan(t: &Topology, proxy: &Container, target: &Container, route: &Route) -> DialPlan {
    let (p, c) = (&proxy.name, &target.name);
    let ip_on = |net: &str| {
        target
            .attachment(net)
            .and_then(|a| a.ipv4.as_deref())
            .and_then(|ip| ip.parse().ok())
    };
    let mut plan = DialPlan {
        network: String::new(),
        ip: None,
        blocking: None,
        warning: None,
        summary: String::new(),
        ok: true,
    };
    if matches!(target.network_mode, NetworkMode::Null) {
        plan.ok = false;
        plan.summary = format!("{c} has no network (network mode `none`).");
        let none = Blocked::NoNetwork {
            c: target,
            end: End::Target,
            other: Some(proxy),
        };
        plan.blocking = Some(Diagnosis::from(&none.cause(t)));
        return plan;
    }
    let shared: Vec<&str> = t
        .shared_networks(target, proxy)
        .filter(|n| t.is_routable(n))
        .collect();
    let theirs: Vec<&str> = target
        .network_names()
        .filter(|n| t.is_routable(n))
        .collect();
    let label = match route.kind {
        ProxyKind::Caddy => "caddy_ingress_network",
        _ => "traefik.docker.network",
    };
    if let Some(net) = route.network.as_deref() {
        plan.network = net.to_owned();
        plan.ip = ip_on(net);
        if target.attachment(net).is_none() {
            plan.ok = false;
            plan.summary = format!("The label `{label}` says {net}, but {c} is not on {net}.");
            plan.blocking = Some(Diagnosis::problem(
                DiagnosisCode::ProxyDialsOtherNetwork,
                format!("The proxy dials {c} on {net}, a network {c} is not on"),
                format!("`{label}={net}` on {c} tells the proxy which of its addresses to use; {c} is on {}.", theirs.join(", ")),
                label_fixes(label, c, p, &shared, Some(net), true),
            ));
        } else if proxy.attachment(net).is_none() {
            plan.ok = false;
            plan.summary =
                format!("The proxy dials {c} on {net} (label `{label}`), and {p} is not on {net}.");
            plan.blocking = Some(Diagnosis::problem(
                DiagnosisCode::ProxyNotOnNetwork,
                format!("{p} is not on {net}, where it dials {c}"),
                format!("The proxy sends requests to {c}'s address on {net}; from outside that network the connection hangs and the domain answers 504 Gateway Timeout."),
                label_fixes(label, c, p, &shared, Some(net), false),
            ));
        } else {
            plan.summary =
                format!("The proxy dials {c} on {net} (label `{label}`), and both are on it.");
        }
        return plan;
    }
    let Some(first) = shared.first() else {
        let net = theirs.first().copied().unwrap_or("NETWORK");
        plan.network = net.to_owned();
        plan.ip = ip_on(net);
        plan.ok = false;
        plan.summary = format!(
            "They share no network: {c} is on {}, {p} on {}.",
            text(&theirs),
            text(&proxy.network_names().collect::<Vec<_>>())
        );
        // The reachability model's cause for proxy → target, as the reach check and the
        // connection builder give it, with what it means for the domain.
        let cause = Model::new(t)
            .network_blocked(proxy, target, None, true, route.target_port)
            .cause(t);
        let mut d = Diagnosis::from(&cause);
        d.code = DiagnosisCode::ProxyNotOnNetwork;
        d.why = format!("{} The proxy can only dial containers on a network it is attached to, so requests for the domain hang until 504 Gateway Timeout (or 502).", d.why);
        plan.blocking = Some(d);
        return plan;
    };
    plan.network = (*first).to_owned();
    plan.ip = ip_on(first);
    let missing: Vec<&str> = theirs
        .iter()
        .copied()
        .filter(|n| proxy.attachment(n).is_none())
        .collect();
    if missing.is_empty() || route.kind == ProxyKind::Caddy {
        plan.summary = format!(
            "Both are on {}; the proxy dials {c} there.",
            shared.join(", ")
        );
        return plan;
    }
    plan.ok = false;
    plan.summary = format!(
        "Both are on {}, but {c} is also on {}, which {p} is not on; without `{label}` Traefik may dial it there.",
        shared.join(", "),
        missing.join(", ")
    );
    plan.warning = Some(Diagnosis::problem(
        DiagnosisCode::ProxyDialsOtherNetwork,
        format!("It works now, but Traefik may dial {c} on {}, which {p} is not on", missing.join(", ")),
        format!("Without `{label}`, Traefik takes the address of whichever of {c}'s networks it sees first; when that is {} the domain hangs until 504 Gateway Timeout, sometimes or after a redeploy.", missing.join(", ")),
        label_fixes(label, c, p, &shared, None, false),
    ));
    plan
}

fn label_fixes(
    label: &str,
    c: &ContainerName,
    p: &ContainerName,
    shared: &[&str],
    dialled: Option<&str>,
    target_missing: bool,
) -> Vec<FixStep> {
    let mut fix = Vec::new();
    if let Some(net) = dialled {
        if target_missing {
            fix.push(FixStep::run(
                &format!("Attach {c} to {net}:"),
                &format!("docker network connect {net} {c}"),
            ));
        } else {
            fix.push(FixStep::run(
                &format!("Attach the proxy to {net}:"),
                &format!("docker network connect {net} {p}"),
            ));
        }
    }
    match shared.first() {
        Some(net) => fix.push(FixStep::say(&format!(
            "Or set the label `{label}={net}` on {c} (a network both are on; in the compose file's `labels:` for Coolify stacks) and redeploy."
        ))),
        None => fix.push(FixStep::say(&format!(
            "Or set `{label}` on {c} to a network both it and {p} are on, and redeploy."
        ))),
    }
    fix
}

fn network_step(proxy: &Container, target: &Container, plan: &DialPlan) -> CheckStep {
    let title = format!(
        "Is {} on the network it dials {} on?",
        proxy.name, target.name
    );
    let outcome = if plan.ok {
        ProbeOutcome::ok(Observation::NotRun, plan.summary.clone())
    } else {
        ProbeOutcome::failed(Observation::NotRun, plan.summary.clone())
    };
    CheckStep::note(StepKind::ProxyNetwork, title, outcome)
}

fn port_step(route: &Route, target: &Container) -> CheckStep {
    let title = format!(
        "Which port of {} does the route send traffic to?",
        target.name
    );
    let exposed: Vec<String> = target.exposed.iter().map(|p| p.port.to_string()).collect();
    let outcome = match (route.target_port, route.port_source) {
        (Some(port), PortSource::Label) => ProbeOutcome::ok(
            Observation::NotRun,
            format!("Port {port}, from the route's port label."),
        ),
        (Some(port), PortSource::SingleExposedPort) => ProbeOutcome::ok(
            Observation::NotRun,
            format!(
                "Port {port}: no label names a port, so the proxy takes the only port {} exposes.",
                target.name
            ),
        ),
        (Some(port), PortSource::Loaded) => ProbeOutcome::ok(
            Observation::NotRun,
            format!(
                "Port {port}, as the proxy loaded the route ({}).",
                route.upstreams.join(", ")
            ),
        ),
        (Some(port), _) => ProbeOutcome::ok(
            Observation::NotRun,
            format!("Port {port}, the proxy's default."),
        ),
        (None, _) => ProbeOutcome::failed(
            Observation::NotRun,
            if exposed.is_empty() {
                format!("No label names a port and {} exposes none.", target.name)
            } else {
                format!(
                    "No label names a port and {} exposes several ({}); the proxy cannot tell which.",
                    target.name,
                    exposed.join(", ")
                )
            },
        ),
    };
    CheckStep::note(StepKind::RoutePort, title, outcome)
}

fn port_unknown(route: &Route, target: &Container) -> Diagnosis {
    Diagnosis::problem(
        DiagnosisCode::RoutePortUnknown,
        format!("The route does not say which port of {} to use", target.name),
        "Traefik needs a port label when a container exposes no port or several; without one it drops the route (404).",
        vec![
            FixStep::say("In Coolify: set \"Ports Exposes\" to the port the application listens on (for a compose service, add `:PORT` to its domain) and redeploy."),
            FixStep::say(&format!("Or add the label `traefik.http.services.{}.loadbalancer.server.port=PORT` to {}.", route.id, target.name)),
        ],
    )
}

fn http_failed(domain: &str, target: &Container, port: Port, http: &CheckStep) -> Diagnosis {
    let name = &target.name;
    Diagnosis::problem(
        DiagnosisCode::HttpFailed,
        format!("{name}:{port} accepts connections from the proxy but does not answer HTTP properly"),
        format!("{} Requests for {domain} reach the application, which fails them.", http.outcome.summary),
        vec![
            FixStep::say(&format!("Check that port {port} is {name}'s HTTP port (not a database, gRPC or HTTPS-only port).")),
            FixStep::run("The application's log:", &format!("docker logs --tail 50 {name}")),
        ],
    )
}

fn text(names: &[&str]) -> String {
    if names.is_empty() {
        "no network".to_owned()
    } else {
        names.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::checks::outcome::RunRecord;
    use crate::domain::checks::probe::Tool;
    use crate::domain::checks::report::{canned_run, drive_with_logs};
    use crate::domain::containers::ContainerState;
    use crate::domain::findings::test_support::{
        container, exposing, get_mut, host, on, recorded, route, COMPOSE_WEB,
    };

    const DOMAIN: &str = "app.example.com";
    const CONNECTED: (StepKind, Tool, i64, &str) = (StepKind::Connect, Tool::Nc, 0, "");
    const REFUSED: (StepKind, Tool, i64, &str) = (
        StepKind::Connect,
        Tool::Nc,
        1,
        include_str!("fixtures/nc-refused.txt"),
    );
    const HTTP_200: (StepKind, Tool, i64, &str) = (
        StepKind::Http,
        Tool::Wget,
        0,
        include_str!("fixtures/wget-200.txt"),
    );
    const LOOPBACK_8080: (StepKind, Tool, i64, &str) = (
        StepKind::Listeners,
        Tool::Netstat,
        0,
        include_str!("fixtures/netstat-loopback-only.txt"),
    );
    const ALL_IFACES_80: (StepKind, Tool, i64, &str) = (
        StepKind::Listeners,
        Tool::Netstat,
        0,
        include_str!("fixtures/netstat-all-interfaces.txt"),
    );

    fn answer(planned: &PlannedProbe, answers: &[(StepKind, Tool, i64, &str)]) -> RunRecord {
        let (tool, code, output) = answers
            .iter()
            .find(|(k, ..)| *k == planned.kind)
            .map(|(_, t, c, o)| (*t, *c, *o))
            .unwrap_or_else(|| panic!("no answer for {:?}", planned.kind));
        canned_run(planned, tool, code, output)
    }

    /// Runs the check; the proxy's log reads as `log`, and every log read is kept.
    fn run(
        t: &Topology,
        req: &ProxyRequest,
        answers: &[(StepKind, Tool, i64, &str)],
        log: &[&str],
    ) -> (Vec<CheckStep>, Diagnosis, Vec<PlannedLogRead>) {
        let mut reads = Vec::new();
        let (steps, d) = drive_with_logs(
            |done| req.next(t, done),
            |p| answer(p, answers),
            |read| {
                reads.push(read.clone());
                Ok(log.iter().map(|l| (*l).to_owned()).collect())
            },
        );
        (steps, d, reads)
    }

    fn req() -> ProxyRequest {
        ProxyRequest::parse(DOMAIN, None).expect("request")
    }

    /// The proxy and an app on `coolify`, the app listening on 3000 and routed there.
    fn destination() -> Topology {
        host(
            vec![
                on(container("coolify-proxy"), "coolify", &[]),
                exposing(on(container("app"), "coolify", &[]), &[3000]),
            ],
            vec![route("https-0-app", DOMAIN, &["app"], Some(3000))],
        )
    }

    /// The app on `coolify`, shared with the proxy, and on `private`, which the proxy is not on.
    fn on_two_networks() -> Topology {
        host(
            vec![
                on(container("coolify-proxy"), "coolify", &[]),
                exposing(
                    on(on(container("app"), "coolify", &[]), "private", &[]),
                    &[3000],
                ),
            ],
            vec![route("app", DOMAIN, &["app"], Some(3000))],
        )
    }

    fn kinds(steps: &[CheckStep]) -> Vec<StepKind> {
        steps.iter().map(|s| s.kind).collect()
    }

    #[test]
    fn a_routed_running_app_the_proxy_reaches_over_http_is_healthy() {
        let (steps, d, reads) = run(
            &destination(),
            &req(),
            &[CONNECTED, HTTP_200],
            &["level=info msg=\"Configuration loaded\""],
        );
        assert!(d.healthy, "{d:?}");
        assert_eq!(d.title, "coolify-proxy routes app.example.com to app:3000");
        assert_eq!(
            kinds(&steps),
            [
                StepKind::Proxy,
                StepKind::Route,
                StepKind::TargetState,
                StepKind::ProxyNetwork,
                StepKind::RoutePort,
                StepKind::Connect,
                StepKind::Http,
                StepKind::ProxyLog
            ]
        );
        assert!(
            steps.iter().all(|s| s.status() == StepStatus::Ok),
            "{steps:#?}"
        );
        // The probes ran inside the proxy, against the address on the shared network.
        let connect = &steps[5];
        assert_eq!(connect.on.as_deref(), Some("coolify-proxy"));
        let argv = connect
            .run
            .as_ref()
            .map(|r| r.argv.clone())
            .unwrap_or_default();
        let wait = crate::domain::checks::probe::CONNECT_WAIT_SECS.to_string();
        assert_eq!(argv, ["nc", "-w", wait.as_str(), "10.0.1.9", "3000"]);
        assert_eq!(reads.len(), 1);
        assert_eq!(reads[0].on.as_str(), "coolify-proxy");
        assert!(reads[0].needles.contains(&DOMAIN.to_owned()));
        assert!(reads[0].needles.contains(&"10.0.1.9".to_owned()));
    }

    #[test]
    fn a_url_pasted_from_the_browser_checks_its_domain_and_injection_is_refused() {
        for typed in [
            "https://App.Example.com:443/login?next=/",
            "http://app.example.com",
            "app.example.com.",
            " app.example.com ",
        ] {
            let r = ProxyRequest::parse(typed, None).expect(typed);
            assert_eq!(r.domain.as_str(), DOMAIN, "{typed}");
        }
        for bad in [
            "app.example.com;id",
            "$(id).example.com",
            "`id`.example.com",
            "app.example.com\nid",
            "https://app.example.com/$(id)",
            "-app.example.com",
            "",
            &"a".repeat(300),
        ] {
            assert!(ProxyRequest::parse(bad, None).is_err(), "{bad:?}");
        }
        assert!(ProxyRequest::parse(DOMAIN, Some("proxy;id")).is_err());
        let chosen = ProxyRequest::parse(DOMAIN, Some("my-proxy")).expect("proxy");
        assert_eq!(chosen.subject(), "app.example.com through my-proxy");
    }

    #[test]
    fn a_domain_without_a_route_lists_the_routed_domains_and_says_where_to_set_it() {
        let req = ProxyRequest::parse("shop.example.com", None).expect("request");
        let (steps, d, reads) = run(&destination(), &req, &[], &[]);
        assert_eq!(d.code, DiagnosisCode::NoRoute);
        assert!(d.why.contains("It routes: app.example.com."), "{}", d.why);
        assert!(d.fix[0].text.contains("https://shop.example.com"));
        assert_eq!(
            kinds(&steps),
            [StepKind::Proxy, StepKind::Route, StepKind::ProxyLog]
        );
        assert_eq!(reads[0].needles, ["shop.example.com"]);
    }

    #[test]
    fn no_proxy_and_a_stopped_proxy_are_told_apart() {
        let t = host(
            vec![exposing(on(container("app"), "coolify", &[]), &[3000])],
            Vec::new(),
        );
        let (steps, d, _) = run(&t, &req(), &[], &[]);
        assert_eq!(d.code, DiagnosisCode::NoProxy);
        assert!(steps.is_empty());

        let mut t = destination();
        get_mut(&mut t, "coolify-proxy").state = ContainerState::Exited;
        let (steps, d, reads) = run(
            &t,
            &req(),
            &[],
            &["level=fatal msg=\"address already in use\" entryPointName=https"],
        );
        assert_eq!(d.code, DiagnosisCode::ProxyStopped);
        assert!(d
            .fix
            .iter()
            .any(|f| f.command.as_deref() == Some("docker start coolify-proxy")));
        // Any error explains a stopped proxy: the log is read without needles.
        assert!(reads[0].needles.is_empty());
        assert!(d.why.contains("address already in use"), "{}", d.why);
        assert_eq!(steps.last().map(|s| s.status()), Some(StepStatus::Failed));
    }

    #[test]
    fn a_stopped_or_unhealthy_target_is_the_diagnosis_before_anything_runs() {
        let mut t = destination();
        get_mut(&mut t, "app").state = ContainerState::Exited;
        let (steps, d, _) = run(&t, &req(), &[], &[]);
        assert_eq!(d.code, DiagnosisCode::TargetStopped);
        assert!(steps.iter().all(|s| s.run.is_none()));

        let mut t = destination();
        get_mut(&mut t, "app").health = Some(Health::Unhealthy);
        let (_, d, _) = run(&t, &req(), &[], &[]);
        assert_eq!(d.code, DiagnosisCode::TargetUnhealthy);
        assert!(d.fix[0]
            .command
            .as_deref()
            .is_some_and(|c| c.contains(".State.Health")));
    }

    #[test]
    fn an_app_on_a_network_the_proxy_is_not_on_gets_the_network_connect_for_the_proxy() {
        let t = recorded();
        let web = t.container(COMPOSE_WEB).expect("compose web");
        let route = t
            .routes
            .iter()
            .find(|r| r.containers.iter().any(|c| c == COMPOSE_WEB))
            .expect("the compose web service is routed");
        let host_name = route.hosts.first().cloned().expect("a host");
        let first_net = web.network_names().next().expect("a network").to_owned();
        let req = ProxyRequest::parse(&host_name, None).expect("request");
        let (steps, d, _) = run(&t, &req, &[], &[]);
        assert_eq!(d.code, DiagnosisCode::ProxyNotOnNetwork, "{d:#?}");
        // The reachability model's fix, as the reach check from the proxy gives it: Coolify's
        // lasting setting first, then the connect that works until the proxy is recreated.
        assert!(
            d.fix[0].text.contains("Connect To Predefined Network"),
            "{:#?}",
            d.fix
        );
        assert_eq!(
            d.fix[1].command.as_deref(),
            Some(format!("docker network connect {first_net} coolify-proxy").as_str()),
            "{:#?}",
            d.fix
        );
        let from_proxy = crate::domain::reachability::between(
            &t,
            &crate::domain::reachability::Source::Container(
                ContainerName::parse("coolify-proxy").expect("name"),
            ),
            &crate::domain::reachability::Address::parse(COMPOSE_WEB).expect("address"),
            route.target_port,
        );
        let cause = from_proxy.cause.expect("blocked");
        assert_eq!((&d.title, &d.fix), (&cause.title, &cause.fix));
        let network = steps
            .iter()
            .find(|s| s.kind == StepKind::ProxyNetwork)
            .expect("network step");
        assert_eq!(network.status(), StepStatus::Failed);
    }

    #[test]
    fn a_network_label_the_proxy_has_not_joined_is_named_with_both_fixes() {
        let mut t = on_two_networks();
        t.routes[0].network = Some("private".into());
        let (_, d, _) = run(&t, &req(), &[], &[]);
        assert_eq!(d.code, DiagnosisCode::ProxyNotOnNetwork);
        assert_eq!(
            d.fix[0].command.as_deref(),
            Some("docker network connect private coolify-proxy")
        );
        assert!(d.fix[1].text.contains("traefik.docker.network=coolify"));
    }

    #[test]
    fn an_app_on_two_networks_without_a_label_passes_the_probes_but_is_warned_about() {
        let t = on_two_networks();
        let (steps, d, _) = run(&t, &req(), &[CONNECTED, HTTP_200], &[]);
        assert_eq!(d.code, DiagnosisCode::ProxyDialsOtherNetwork, "{d:#?}");
        assert!(d.title.starts_with("It works now"));
        assert!(steps
            .iter()
            .any(|s| s.kind == StepKind::Http && s.status() == StepStatus::Ok));
    }

    #[test]
    fn a_route_without_a_port_is_diagnosed_before_any_probe() {
        let t = host(
            vec![
                on(container("coolify-proxy"), "coolify", &[]),
                exposing(on(container("app"), "coolify", &[]), &[3000, 9000]),
            ],
            vec![route("app", DOMAIN, &["app"], None)],
        );
        let (steps, d, _) = run(&t, &req(), &[], &[]);
        assert_eq!(d.code, DiagnosisCode::RoutePortUnknown);
        let port = steps
            .iter()
            .find(|s| s.kind == StepKind::RoutePort)
            .expect("port step");
        assert!(
            port.outcome.summary.contains("3000, 9000"),
            "{}",
            port.outcome.summary
        );
    }

    #[test]
    fn a_refused_connection_reads_the_listeners_to_tell_loopback_from_the_wrong_port() {
        let mut t = destination();
        t.routes[0].target_port = Some(8080);
        let (steps, d, _) = run(&t, &req(), &[REFUSED, LOOPBACK_8080], &[]);
        assert_eq!(d.code, DiagnosisCode::BoundToLoopback, "{d:#?}");
        let listeners = steps
            .iter()
            .find(|s| s.kind == StepKind::Listeners)
            .expect("listeners");
        assert_eq!(listeners.on.as_deref(), Some("app"));

        let (_, d, _) = run(&destination(), &req(), &[REFUSED, ALL_IFACES_80], &[]);
        assert_eq!(d.code, DiagnosisCode::WrongPort);
        assert!(d.title.contains("it listens on 80"), "{}", d.title);
    }

    #[test]
    fn proxy_log_errors_about_the_app_are_added_to_the_diagnosis() {
        let (steps, d, _) = run(
            &destination(),
            &req(),
            &[REFUSED, ALL_IFACES_80],
            &[
                "level=error msg=\"unrelated\" providerName=letsencrypt",
                "2026-11-26T10:00:00Z ERR error=\"dial tcp 10.0.1.9:3000: connect: connection refused\"",
            ],
        );
        assert_eq!(d.code, DiagnosisCode::WrongPort);
        assert!(d.why.contains("logged 1 related error line"), "{}", d.why);
        assert!(d.why.contains("connection refused"));
        let log = steps.last().expect("log step");
        assert_eq!(log.kind, StepKind::ProxyLog);
        assert_eq!(log.status(), StepStatus::Failed);
        assert!(
            log.outcome.summary.contains("1 other error line"),
            "{}",
            log.outcome.summary
        );
    }

    /// The destination with `routes` as the proxy loaded them (Caddy, read from its admin API).
    fn caddy_loaded(routes: Vec<Route>) -> Topology {
        use crate::domain::proxy::loaded::{LoadedRoutes, LoadedVia};
        let mut t = destination();
        if let Some(p) = t.proxy.as_mut() {
            p.kind = ProxyKind::Unknown;
        }
        t.use_loaded_routes(
            &LoadedRoutes {
                via: LoadedVia::CaddyAdminApi,
                routes,
                notes: Vec::new(),
            },
            1,
        );
        t
    }

    fn caddy_site(host: &str, upstream: &str) -> Route {
        Route {
            hosts: vec![host.to_owned()],
            paths: vec!["/".into()],
            upstreams: vec![upstream.to_owned()],
            target_port: crate::domain::proxy::caddy_config::port_of(upstream),
            port_source: PortSource::Loaded,
            provider: crate::domain::proxy::RouteProvider::CaddyConfig,
            ..Route::new(host, ProxyKind::Caddy)
        }
    }

    #[test]
    fn a_caddyfile_route_is_found_in_the_loaded_table_and_named_with_its_provider() {
        // `app` answers to its name on `coolify`; the Caddyfile dials it by name.
        let t = caddy_loaded(vec![caddy_site(DOMAIN, "app:3000")]);
        let (steps, d, _) = run(&t, &req(), &[CONNECTED, HTTP_200], &[]);
        assert!(d.healthy, "{d:#?}");
        let route = steps
            .iter()
            .find(|s| s.kind == StepKind::Route)
            .expect("route step");
        assert!(
            route
                .outcome
                .summary
                .contains("Caddy's own configuration (Caddyfile or JSON)")
                && route.outcome.summary.contains("Caddy's admin API"),
            "{}",
            route.outcome.summary
        );
        let port = steps
            .iter()
            .find(|s| s.kind == StepKind::RoutePort)
            .expect("port step");
        assert!(
            port.outcome
                .summary
                .contains("as the proxy loaded the route (app:3000)"),
            "{}",
            port.outcome.summary
        );
        let proxy = &steps[0];
        assert!(
            proxy.outcome.summary.contains("Caddy, "),
            "the kind that answered: {}",
            proxy.outcome.summary
        );
    }

    #[test]
    fn an_unknown_domain_with_a_loaded_table_says_where_the_routes_were_read() {
        let t = caddy_loaded(vec![caddy_site(DOMAIN, "app:3000")]);
        let req = ProxyRequest::parse("unknown.example.com", None).expect("request");
        let (_, d, _) = run(&t, &req, &[], &[]);
        assert_eq!(d.code, DiagnosisCode::NoRoute);
        assert!(d.why.contains("loaded from Caddy's admin API"), "{}", d.why);
        assert!(d.why.contains("It routes: app.example.com."), "{}", d.why);
        assert!(d.fix.iter().any(|f| f.text.contains("Caddyfile")));
    }

    #[test]
    fn a_loaded_route_to_a_stopped_app_is_the_stopped_app() {
        let mut t = caddy_loaded(vec![caddy_site(DOMAIN, "app:3000")]);
        get_mut(&mut t, "app").state = ContainerState::Exited;
        let (steps, d, _) = run(&t, &req(), &[], &[]);
        assert_eq!(d.code, DiagnosisCode::TargetStopped, "{d:#?}");
        assert!(steps.iter().all(|s| s.run.is_none()));
    }

    #[test]
    fn a_label_route_the_proxy_dropped_for_a_stopped_app_is_the_stopped_app() {
        use crate::domain::proxy::loaded::{LoadedRoutes, LoadedVia};
        let mut t = destination();
        get_mut(&mut t, "app").state = ContainerState::Exited;
        // Traefik's API lists no router for a stopped container.
        t.use_loaded_routes(
            &LoadedRoutes {
                via: LoadedVia::TraefikApi,
                routes: Vec::new(),
                notes: Vec::new(),
            },
            1,
        );
        let (steps, d, _) = run(&t, &req(), &[], &[]);
        assert_eq!(d.code, DiagnosisCode::TargetStopped, "{d:#?}");
        let route = steps
            .iter()
            .find(|s| s.kind == StepKind::Route)
            .expect("route step");
        assert!(
            route
                .outcome
                .summary
                .contains("leaves stopped containers out"),
            "{}",
            route.outcome.summary
        );
    }

    #[test]
    fn a_router_traefik_refused_is_diagnosed_in_traefiks_words() {
        use crate::domain::proxy::loaded::{LoadedRoutes, LoadedVia};
        let mut t = destination();
        let mut refused = route("https-0-app", DOMAIN, &[], Some(3000));
        refused.status = RouteStatus::Disabled;
        refused.errors =
            vec!["error while parsing rule Host(`app.example.com`: 1:24: expected ')'".into()];
        refused.upstreams = vec!["http://10.0.1.9:3000".into()];
        t.use_loaded_routes(
            &LoadedRoutes {
                via: LoadedVia::TraefikApi,
                routes: vec![refused],
                notes: Vec::new(),
            },
            1,
        );
        let (steps, d, _) = run(&t, &req(), &[], &[]);
        assert_eq!(d.code, DiagnosisCode::RouteRejected, "{d:#?}");
        assert!(d.why.contains("error while parsing rule"), "{}", d.why);
        assert!(d.why.contains("container labels"), "{}", d.why);
        let route = steps
            .iter()
            .find(|s| s.kind == StepKind::Route)
            .expect("route step");
        assert_eq!(route.status(), StepStatus::Failed);
    }

    #[test]
    fn a_label_route_of_a_running_app_the_proxy_did_not_load_says_so() {
        use crate::domain::proxy::loaded::{LoadedRoutes, LoadedVia};
        let mut t = destination();
        t.use_loaded_routes(
            &LoadedRoutes {
                via: LoadedVia::TraefikApi,
                routes: Vec::new(),
                notes: Vec::new(),
            },
            1,
        );
        let (_, d, reads) = run(&t, &req(), &[], &[]);
        assert_eq!(d.code, DiagnosisCode::RouteNotLoaded, "{d:#?}");
        assert!(reads[0].needles.contains(&"https-0-app".to_owned()));
    }

    #[test]
    fn a_loaded_route_to_a_name_nothing_holds_is_a_bad_gateway() {
        let t = caddy_loaded(vec![caddy_site(DOMAIN, "ap:3000")]);
        let (steps, d, _) = run(&t, &req(), &[], &[]);
        assert_eq!(d.code, DiagnosisCode::RouteUpstreamUnknown, "{d:#?}");
        assert!(
            d.why.contains("`ap` is the name of no container"),
            "{}",
            d.why
        );
        assert!(steps.iter().all(|s| s.run.is_none()));
    }

    #[test]
    fn a_proxy_named_by_the_user_is_used_and_its_routes_read_for_its_kind() {
        let t = destination();
        let req = ProxyRequest::parse(DOMAIN, Some("nosuch-proxy")).expect("request");
        let (_, d, _) = run(&t, &req, &[], &[]);
        assert_eq!(d.code, DiagnosisCode::ContainerNotFound);
        assert!(d.title.contains("nosuch-proxy"));
    }
}
