//! Which proxy is live (from its image) and the routes it builds from container labels; the
//! modules beside it read the routes the proxy really loaded (Caddy's `/config/`, Traefik's API
//! and file provider) into the same [`Route`] model.

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

pub mod caddy_config;
pub mod loaded;
pub mod traefik_api;
pub mod traefik_files;

/// The proxy that really routes traffic; only its label family counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ProxyKind {
    Traefik,
    Caddy,
    Unknown,
}

impl ProxyKind {
    /// Decided from the image reference only, never from which labels exist: Coolify writes both
    /// label families on most apps.
    pub fn from_image(image: &str) -> Self {
        let image = image.trim().to_ascii_lowercase();
        let without_digest = image
            .split_once('@')
            .map_or(image.as_str(), |(repo, _)| repo);
        // A `:` after the last `/` starts the tag; one before it belongs to `registry:5000/`.
        let repository = match without_digest.rfind(':') {
            Some(colon) if !without_digest[colon..].contains('/') => &without_digest[..colon],
            _ => without_digest,
        };
        if repository.contains("caddy-docker-proxy") {
            Self::Caddy
        } else if repository.rsplit('/').next() == Some("traefik") {
            Self::Traefik
        } else {
            // Plain `caddy:2` has no docker label support, so its labels route nothing.
            Self::Unknown
        }
    }
}

/// What the parser needs to know about one container.
pub struct RoutedContainer<'a> {
    pub name: &'a str,
    pub labels: &'a BTreeMap<String, String>,
    /// Exposed container ports (tcp), sorted.
    pub exposed_ports: &'a [u16],
}

/// Where a route's target port was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PortSource {
    /// A port label: Traefik's `loadbalancer.server.port` or Caddy's `{{upstreams 3001}}`.
    Label,
    /// The container's only exposed port, which Traefik picks when no label names one.
    SingleExposedPort,
    /// The proxy's default for the scheme: Caddy's bare `{{upstreams}}` dials port 80.
    ProxyDefault,
    /// Nothing tells which port the proxy dials.
    Unknown,
    /// The port of the upstream address the proxy itself loaded (its API or config).
    Loaded,
}

/// Where the proxy got a route from.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum RouteProvider {
    /// Container labels (Traefik's docker provider, caddy-docker-proxy).
    #[default]
    Labels,
    /// A dynamic configuration file (Traefik's file provider, Coolify's "Dynamic Configurations").
    File,
    /// Caddy's own configuration: a Caddyfile or JSON loaded into it, not container labels.
    CaddyConfig,
    /// Another provider, named as the proxy names it.
    Other(String),
}

impl RouteProvider {
    /// From Traefik's `@provider` suffix.
    pub fn from_traefik(provider: &str) -> Self {
        match provider.to_ascii_lowercase().as_str() {
            "docker" | "swarm" => Self::Labels,
            "file" => Self::File,
            other => Self::Other(other.to_owned()),
        }
    }

    /// In a sentence: "labels", "a dynamic file", "Caddy's configuration (Caddyfile or JSON)".
    pub fn describe(&self) -> String {
        match self {
            Self::Labels => "container labels".into(),
            Self::File => "a dynamic configuration file".into(),
            Self::CaddyConfig => "Caddy's own configuration (Caddyfile or JSON)".into(),
            Self::Other(name) => format!("the {name} provider"),
        }
    }

    /// One word for a badge: `labels`, `file`, `Caddyfile`.
    pub fn short(&self) -> &str {
        match self {
            Self::Labels => "labels",
            Self::File => "file",
            Self::CaddyConfig => "Caddyfile",
            Self::Other(name) => name,
        }
    }
}

/// The proxy's own verdict on a route it loaded (Traefik's `status`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum RouteStatus {
    #[default]
    Enabled,
    /// Loaded with errors the proxy works around.
    Warning,
    /// Loaded but not serving: the proxy refused it.
    Disabled,
}

/// One route of the live proxy, merged over every container that carries it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Route {
    /// Traefik: the router name; Caddy: the normalised site address list.
    pub id: String,
    pub kind: ProxyKind,
    /// Hosts matched: Traefik `Host(...)` values, Caddy site addresses without scheme or port.
    pub hosts: Vec<String>,
    /// Traefik `PathPrefix(...)` values; Caddy `handle_path`/`handle` without the trailing `*`.
    pub paths: Vec<String>,
    /// The raw Traefik rule, or the Caddy site address value.
    pub rule: String,
    pub entry_points: Vec<String>,
    pub tls: bool,
    pub cert_resolver: Option<String>,
    pub redirect_to_https: bool,
    /// Middleware names without their `@provider` suffix; never their values.
    pub middlewares: Vec<String>,
    pub target_port: Option<u16>,
    pub port_source: PortSource,
    /// The network whose IP the proxy dials: `traefik.docker.network` or `caddy_ingress_network`.
    pub network: Option<String>,
    /// Sorted, deduplicated; several means the proxy load-balances between them.
    pub containers: Vec<String>,
    /// Where the proxy got the route.
    #[serde(default)]
    pub provider: RouteProvider,
    /// What the proxy dials as it loaded them (`10.0.1.9:3001`, `http://app:3000`); empty for
    /// routes read from labels, whose targets are `containers`.
    #[serde(default)]
    pub upstreams: Vec<String>,
    /// Where a redirect-only route sends requests (`https://example.com{uri}`).
    #[serde(default)]
    pub redirect: Option<String>,
    /// The proxy's verdict, when it was read from the proxy (labels are always `Enabled`).
    #[serde(default)]
    pub status: RouteStatus,
    /// The proxy's own errors for this route, as it words them.
    #[serde(default)]
    pub errors: Vec<String>,
}

impl Route {
    /// An empty route of this kind, to fill in.
    pub fn new(id: impl Into<String>, kind: ProxyKind) -> Self {
        Self {
            id: id.into(),
            kind,
            hosts: Vec::new(),
            paths: Vec::new(),
            rule: String::new(),
            entry_points: Vec::new(),
            tls: false,
            cert_resolver: None,
            redirect_to_https: false,
            middlewares: Vec::new(),
            target_port: None,
            port_source: PortSource::Unknown,
            network: None,
            containers: Vec::new(),
            provider: RouteProvider::Labels,
            upstreams: Vec::new(),
            redirect: None,
            status: RouteStatus::Enabled,
            errors: Vec::new(),
        }
    }

    /// Whether this route answers for `domain` (case-insensitive).
    pub fn serves(&self, domain: &str) -> bool {
        self.hosts.iter().any(|h| h.eq_ignore_ascii_case(domain))
    }
}

/// Routes of the live proxy type, sorted by (first host, id); deterministic.
pub fn routes(kind: ProxyKind, containers: &[RoutedContainer<'_>]) -> Vec<Route> {
    // Merged fields come from the first container by name, whatever order the Engine listed them.
    let mut sorted: Vec<&RoutedContainer<'_>> = containers.iter().collect();
    sorted.sort_by(|a, b| {
        (a.name, a.labels, a.exposed_ports).cmp(&(b.name, b.labels, b.exposed_ports))
    });
    let mut found = match kind {
        ProxyKind::Traefik => traefik_routes(&sorted),
        ProxyKind::Caddy => caddy_routes(&sorted),
        ProxyKind::Unknown => Vec::new(),
    };
    for route in &mut found {
        route.containers.sort();
        route.containers.dedup();
    }
    found.sort_by(|a, b| {
        let first = |r: &Route| r.hosts.first().cloned().unwrap_or_default();
        (first(a), &a.id).cmp(&(first(b), &b.id))
    });
    found
}

// ---------------------------------------------------------------------------------------------
// Traefik

/// Coolify's shared middleware; it may be defined on another container than the router.
const COOLIFY_REDIRECT_MIDDLEWARE: &str = "redirect-to-https";

#[derive(Default)]
struct TraefikRouter {
    rule: String,
    entry_points: Vec<String>,
    tls: Option<bool>,
    tls_options: bool,
    cert_resolver: Option<String>,
    middlewares: Vec<String>,
    service: Option<String>,
}

#[derive(Default)]
struct TraefikLabels {
    enabled: bool,
    network: Option<String>,
    routers: BTreeMap<String, TraefikRouter>,
    /// Service name to its `loadbalancer.server.port`, `None` when defined without one.
    services: BTreeMap<String, Option<u16>>,
    redirect_middlewares: BTreeSet<String>,
}

impl TraefikLabels {
    /// Traefik reads label keys case-insensitively (Coolify writes `entryPoints`), but router,
    /// service and middleware names are kept as written.
    fn parse(labels: &BTreeMap<String, String>) -> Self {
        let mut out = Self::default();
        for (key, value) in labels {
            let parts: Vec<&str> = key.split('.').collect();
            let is =
                |i: usize, word: &str| parts.get(i).is_some_and(|p| p.eq_ignore_ascii_case(word));
            if !is(0, "traefik") {
                continue;
            }
            if parts.len() == 2 && is(1, "enable") {
                out.enabled = parse_bool(value) == Some(true);
            } else if parts.len() == 3 && is(1, "docker") && is(2, "network") {
                out.network = non_empty(value);
            } else if parts.len() >= 5 && is(1, "http") {
                let name = parts[3];
                if name.is_empty() {
                    continue;
                }
                let rest = parts[4..].join(".").to_ascii_lowercase();
                if is(2, "routers") {
                    out.router_label(name, &rest, value);
                } else if is(2, "services") {
                    let port = out.services.entry(name.to_owned()).or_default();
                    if rest == "loadbalancer.server.port" {
                        *port = value.trim().parse().ok().filter(|p| *p != 0);
                    }
                } else if is(2, "middlewares")
                    && rest == "redirectscheme.scheme"
                    && value.trim().eq_ignore_ascii_case("https")
                {
                    out.redirect_middlewares.insert(name.to_owned());
                }
            }
            // tcp and udp routers are not HTTP routes: skipped.
        }
        out
    }

    fn router_label(&mut self, name: &str, rest: &str, value: &str) {
        let router = self.routers.entry(name.to_owned()).or_default();
        match rest {
            "rule" => router.rule = value.to_owned(),
            "entrypoints" => router.entry_points = split_list(value),
            "tls" => router.tls = parse_bool(value),
            "tls.certresolver" => {
                router.tls_options = true;
                router.cert_resolver = non_empty(value);
            }
            "middlewares" => router.middlewares = split_list(value),
            "service" => router.service = non_empty(value),
            other if other.starts_with("tls.") => router.tls_options = true,
            _ => {}
        }
    }
}

fn traefik_routes(containers: &[&RoutedContainer<'_>]) -> Vec<Route> {
    let parsed: Vec<(&RoutedContainer<'_>, TraefikLabels)> = containers
        .iter()
        .map(|c| (*c, TraefikLabels::parse(c.labels)))
        // Coolify runs Traefik with exposedbydefault=false.
        .filter(|(_, labels)| labels.enabled)
        .collect();
    // Traefik merges middlewares from every container into one namespace.
    let redirects: BTreeSet<&str> = parsed
        .iter()
        .flat_map(|(_, labels)| labels.redirect_middlewares.iter().map(String::as_str))
        .collect();

    let mut merged: BTreeMap<String, Route> = BTreeMap::new();
    for (container, labels) in &parsed {
        for (name, router) in &labels.routers {
            if router
                .service
                .as_deref()
                .is_some_and(|s| s.to_ascii_lowercase().ends_with("@internal"))
            {
                continue; // the proxy's own dashboard or API
            }
            if let Some(route) = merged.get_mut(name) {
                // Same router name on several containers: one router, load-balanced.
                route.containers.push(container.name.to_owned());
                continue;
            }
            let middlewares = dedup(
                router
                    .middlewares
                    .iter()
                    .map(|m| strip_provider(m).to_owned()),
            );
            let redirect_to_https = middlewares
                .iter()
                .any(|m| m == COOLIFY_REDIRECT_MIDDLEWARE || redirects.contains(m.as_str()));
            let (target_port, port_source) = traefik_port(router, labels, container.exposed_ports);
            let matchers = parse_rule(&router.rule);
            let route = Route {
                id: name.clone(),
                kind: ProxyKind::Traefik,
                hosts: matchers.hosts,
                paths: matchers.paths,
                rule: router.rule.clone(),
                entry_points: router.entry_points.clone(),
                tls: router.tls == Some(true) || (router.tls.is_none() && router.tls_options),
                cert_resolver: router.cert_resolver.clone(),
                redirect_to_https,
                middlewares,
                target_port,
                port_source,
                network: labels.network.clone(),
                containers: vec![container.name.to_owned()],
                ..Route::new(name.clone(), ProxyKind::Traefik)
            };
            merged.insert(name.clone(), route);
        }
    }
    merged.into_values().collect()
}

/// The port Traefik dials for this router on this container.
fn traefik_port(
    router: &TraefikRouter,
    labels: &TraefikLabels,
    exposed: &[u16],
) -> (Option<u16>, PortSource) {
    let service_port = match router.service.as_deref() {
        Some(service) => {
            let local = strip_suffix_ignore_case(service, "@docker");
            if local.contains('@') {
                // A service of another provider (`@file`): its port is not in labels.
                return (None, PortSource::Unknown);
            }
            match labels.services.get(local) {
                Some(port) => *port,
                // Not defined on this container: nothing here tells which port it dials.
                None => return (None, PortSource::Unknown),
            }
        }
        None => match labels.services.len() {
            0 => None,
            1 => labels.services.values().next().copied().flatten(),
            // Traefik refuses the router ("too many services"), so no port is dialled.
            _ => return (None, PortSource::Unknown),
        },
    };
    match (service_port, exposed) {
        (Some(port), _) => (Some(port), PortSource::Label),
        (None, [only]) => (Some(*only), PortSource::SingleExposedPort),
        (None, _) => (None, PortSource::Unknown),
    }
}

/// Hosts and path prefixes read from a Traefik rule.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct RuleMatchers {
    pub(crate) hosts: Vec<String>,
    pub(crate) paths: Vec<String>,
}

/// Reads `Host(...)` and `PathPrefix(...)` matchers, skipping negated ones and anything inside
/// quotes. Never panics; on malformed input it returns what was read before the fault.
pub(crate) fn parse_rule(rule: &str) -> RuleMatchers {
    let bytes = rule.as_bytes();
    let mut out = RuleMatchers::default();
    let mut depth = 0usize;
    // Depths of `!( … )` groups still open: matchers inside them are negated.
    let mut negated_groups: Vec<usize> = Vec::new();
    let mut pending_not = false;
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        match c {
            b'`' | b'"' => match read_quoted(rule, i) {
                Some((_, next)) => {
                    i = next;
                    pending_not = false;
                }
                None => break,
            },
            b'!' => {
                pending_not = !pending_not;
                i += 1;
            }
            b'(' => {
                depth += 1;
                if pending_not {
                    negated_groups.push(depth);
                    pending_not = false;
                }
                i += 1;
            }
            b')' => {
                if negated_groups.last() == Some(&depth) {
                    negated_groups.pop();
                }
                depth = depth.saturating_sub(1);
                i += 1;
            }
            c if c.is_ascii_alphabetic() => {
                let start = i;
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                    i += 1;
                }
                let name = &rule[start..i];
                let mut open = i;
                while open < bytes.len() && bytes[open].is_ascii_whitespace() {
                    open += 1;
                }
                if bytes.get(open) == Some(&b'(') {
                    let (args, next, complete) = read_args(rule, open + 1);
                    if !pending_not && negated_groups.is_empty() {
                        let target = if name.eq_ignore_ascii_case("host") {
                            Some(&mut out.hosts)
                        } else if name.eq_ignore_ascii_case("pathprefix") {
                            Some(&mut out.paths)
                        } else {
                            None
                        };
                        if let Some(target) = target {
                            for arg in args {
                                if !arg.is_empty() && !target.contains(&arg) {
                                    target.push(arg);
                                }
                            }
                        }
                    }
                    i = next;
                    if !complete {
                        break;
                    }
                }
                pending_not = false;
            }
            _ => {
                if !c.is_ascii_whitespace() {
                    pending_not = false;
                }
                i += 1;
            }
        }
    }
    out
}

/// Reads the string starting with the quote at `start`. Returns its content and the index after
/// the closing quote, or `None` when the quote is never closed.
fn read_quoted(text: &str, start: usize) -> Option<(String, usize)> {
    let bytes = text.as_bytes();
    let quote = *bytes.get(start)?;
    let mut content = String::new();
    let mut i = start + 1;
    let mut run = i;
    while i < bytes.len() {
        match bytes[i] {
            b if b == quote => {
                content.push_str(&text[run..i]);
                return Some((content, i + 1));
            }
            // Go's interpreted strings escape with `\`; backtick strings are raw.
            b'\\' if quote == b'"' && i + 1 < bytes.len() && bytes[i + 1].is_ascii() => {
                content.push_str(&text[run..i]);
                run = i + 1;
                i += 2;
            }
            _ => i += 1,
        }
    }
    None
}

/// Reads quoted matcher arguments after an opening parenthesis. Returns them, the index after the
/// closing parenthesis, and whether the list was well terminated.
fn read_args(text: &str, start: usize) -> (Vec<String>, usize, bool) {
    let bytes = text.as_bytes();
    let mut args = Vec::new();
    let mut i = start;
    while i < bytes.len() {
        match bytes[i] {
            b')' => return (args, i + 1, true),
            b'`' | b'"' => match read_quoted(text, i) {
                Some((arg, next)) => {
                    args.push(arg);
                    i = next;
                }
                None => return (args, bytes.len(), false),
            },
            // Separators, whitespace and unquoted junk Traefik would reject.
            _ => i += 1,
        }
    }
    (args, bytes.len(), false)
}

// ---------------------------------------------------------------------------------------------
// Caddy (caddy-docker-proxy)

const CADDY_INGRESS_NETWORK: &str = "caddy_ingress_network";

/// `caddy` or `caddy_<digits>`: the keys whose value is a site address list.
fn is_caddy_site_key(key: &str) -> bool {
    key == "caddy"
        || key
            .strip_prefix("caddy_")
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// One address of a Caddy site, e.g. `https://api.example.com:8443`.
struct SiteAddress {
    normalised: String,
    scheme: Option<String>,
    host: String,
    port: Option<u16>,
}

impl SiteAddress {
    fn parse(raw: &str) -> Self {
        let normalised = raw.to_ascii_lowercase();
        let (scheme, rest) = match normalised.split_once("://") {
            Some((scheme, rest)) => (Some(scheme.to_owned()), rest),
            None => (None, normalised.as_str()),
        };
        let authority = rest.split('/').next().unwrap_or_default();
        let (host, port) = if authority.starts_with('[') {
            // IPv6 literal: `[::1]:8443`.
            match authority.split_once(']') {
                Some((inside, after)) => (
                    format!("{inside}]"),
                    after.strip_prefix(':').and_then(|p| p.parse().ok()),
                ),
                None => (authority.to_owned(), None),
            }
        } else {
            match authority.rsplit_once(':') {
                Some((host, port)) => (host.to_owned(), port.parse().ok()),
                None => (authority.to_owned(), None),
            }
        };
        Self {
            normalised,
            scheme,
            host,
            port,
        }
    }

    /// Caddy serves HTTPS for `https://` and, by automatic HTTPS, for addresses without a scheme
    /// unless they name port 80.
    fn is_https(&self) -> bool {
        match self.scheme.as_deref() {
            Some(scheme) => scheme == "https",
            None => self.port != Some(80),
        }
    }
}

fn caddy_routes(containers: &[&RoutedContainer<'_>]) -> Vec<Route> {
    let mut merged: BTreeMap<String, Route> = BTreeMap::new();
    for container in containers {
        let network = container
            .labels
            .get(CADDY_INGRESS_NETWORK)
            .and_then(|v| non_empty(v));
        for (key, value) in container.labels {
            if !is_caddy_site_key(key) {
                continue;
            }
            let value = value.trim();
            // An empty `caddy` label holds global options; `(name)` defines a snippet.
            if value.starts_with('(') {
                continue;
            }
            let addresses: Vec<SiteAddress> = value
                .split(|c: char| c == ',' || c.is_whitespace())
                .filter(|a| !a.is_empty())
                .map(SiteAddress::parse)
                .collect();
            if addresses.is_empty() {
                continue;
            }
            let id = {
                let set: BTreeSet<&str> = addresses.iter().map(|a| a.normalised.as_str()).collect();
                set.into_iter().collect::<Vec<_>>().join(", ")
            };
            if let Some(route) = merged.get_mut(&id) {
                // Same site on several containers: caddy-docker-proxy merges the upstreams.
                route.containers.push(container.name.to_owned());
                continue;
            }
            let tls = addresses.iter().any(SiteAddress::is_https);
            let (paths, target_port, port_source) = caddy_site_details(container.labels, key);
            let route = Route {
                id: id.clone(),
                kind: ProxyKind::Caddy,
                hosts: dedup(
                    addresses
                        .iter()
                        .map(|a| a.host.clone())
                        .filter(|h| !h.is_empty()),
                ),
                paths,
                rule: value.to_owned(),
                entry_points: Vec::new(),
                tls,
                cert_resolver: None,
                redirect_to_https: tls && addresses.iter().all(SiteAddress::is_https),
                middlewares: Vec::new(),
                target_port,
                port_source,
                network: network.clone(),
                containers: vec![container.name.to_owned()],
                ..Route::new(id.clone(), ProxyKind::Caddy)
            };
            merged.insert(id, route);
        }
    }
    merged.into_values().collect()
}

/// Paths and upstream port of one site, read only from `handle`, `handle_path` and
/// `reverse_proxy` keys: other values (basicauth hashes, headers) are never looked at.
fn caddy_site_details(
    labels: &BTreeMap<String, String>,
    site_key: &str,
) -> (Vec<String>, Option<u16>, PortSource) {
    let prefix = format!("{site_key}.");
    let mut paths = Vec::new();
    let mut port: Option<(u16, PortSource)> = None;
    for (key, value) in labels.range(prefix.clone()..) {
        let Some(rest) = key.strip_prefix(&prefix) else {
            break;
        };
        let segments: Vec<&str> = rest.split('.').collect();
        let directive = |segment: &str| -> String {
            // caddy-docker-proxy orders sibling directives with a `<n>_` prefix.
            let bare = match segment.split_once('_') {
                Some((n, d)) if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => d,
                _ => segment,
            };
            bare.to_owned()
        };
        if segments.len() == 1
            && matches!(directive(segments[0]).as_str(), "handle_path" | "handle")
        {
            let path = value.trim();
            if path.starts_with('@') {
                continue; // a named matcher, not a path
            }
            let path = path.strip_suffix('*').unwrap_or(path);
            let path = if path.is_empty() { "/" } else { path };
            if !paths.iter().any(|p| p == path) {
                paths.push(path.to_owned());
            }
        } else if port.is_none()
            && segments
                .last()
                .is_some_and(|last| last.ends_with("reverse_proxy"))
        {
            port = upstreams_port(value);
        }
    }
    if paths.is_empty() {
        paths.push("/".to_owned());
    }
    match port {
        Some((port, source)) => (paths, Some(port), source),
        None => (paths, None, PortSource::Unknown),
    }
}

/// The port of the first `{{upstreams …}}` template in a `reverse_proxy` value.
fn upstreams_port(value: &str) -> Option<(u16, PortSource)> {
    let mut rest = value;
    while let Some(open) = rest.find("{{") {
        let after = &rest[open + 2..];
        let close = after.find("}}")?;
        let mut words = after[..close]
            .split_whitespace()
            .map(|w| w.trim_matches('"'));
        if words.next() == Some("upstreams") {
            let mut https = false;
            for word in words {
                if let Ok(port) = word.parse::<u16>() {
                    return Some((port, PortSource::Label));
                }
                https |= word.eq_ignore_ascii_case("https");
            }
            return Some((if https { 443 } else { 80 }, PortSource::ProxyDefault));
        }
        rest = &after[close + 2..];
    }
    None
}

// ---------------------------------------------------------------------------------------------
// Small helpers

/// Go's `strconv.ParseBool`, which both proxies use for label values.
fn parse_bool(value: &str) -> Option<bool> {
    match value.trim() {
        "1" | "t" | "T" | "true" | "TRUE" | "True" => Some(true),
        "0" | "f" | "F" | "false" | "FALSE" | "False" => Some(false),
        _ => None,
    }
}

fn non_empty(value: &str) -> Option<String> {
    let value = value.trim();
    (!value.is_empty()).then(|| value.to_owned())
}

fn split_list(value: &str) -> Vec<String> {
    dedup(
        value
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned),
    )
}

/// `gzip@docker` → `gzip`.
pub(crate) fn strip_provider(name: &str) -> &str {
    name.split_once('@').map_or(name, |(bare, _)| bare)
}

fn strip_suffix_ignore_case<'a>(text: &'a str, suffix: &str) -> &'a str {
    let cut = text.len().saturating_sub(suffix.len());
    match (text.get(..cut), text.get(cut..)) {
        (Some(head), Some(tail)) if tail.eq_ignore_ascii_case(suffix) => head,
        _ => text,
    }
}

/// Keeps the first occurrence of each item, in order.
pub(crate) fn dedup(items: impl Iterator<Item = String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for item in items {
        if !out.contains(&item) {
            out.push(item);
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    const APP_CONTAINER: &str = "jk8c0wc4ok80s0gkcgwgo4s8-142311873944";

    /// §1.10 application `my-express-api`: both label families, as Coolify writes them.
    const APP_LABELS: &str = "\
traefik.enable=true
traefik.http.middlewares.gzip.compress=true
traefik.http.middlewares.redirect-to-https.redirectscheme.scheme=https
traefik.http.routers.http-0-jk8c0wc4ok80s0gkcgwgo4s8.entryPoints=http
traefik.http.routers.http-0-jk8c0wc4ok80s0gkcgwgo4s8.middlewares=redirect-to-https
traefik.http.routers.http-0-jk8c0wc4ok80s0gkcgwgo4s8.rule=Host(`api.example.com`) && PathPrefix(`/`)
traefik.http.routers.http-0-jk8c0wc4ok80s0gkcgwgo4s8.service=http-0-jk8c0wc4ok80s0gkcgwgo4s8
traefik.http.routers.https-0-jk8c0wc4ok80s0gkcgwgo4s8.entryPoints=https
traefik.http.routers.https-0-jk8c0wc4ok80s0gkcgwgo4s8.middlewares=gzip
traefik.http.routers.https-0-jk8c0wc4ok80s0gkcgwgo4s8.rule=Host(`api.example.com`) && PathPrefix(`/`)
traefik.http.routers.https-0-jk8c0wc4ok80s0gkcgwgo4s8.service=https-0-jk8c0wc4ok80s0gkcgwgo4s8
traefik.http.routers.https-0-jk8c0wc4ok80s0gkcgwgo4s8.tls.certresolver=letsencrypt
traefik.http.routers.https-0-jk8c0wc4ok80s0gkcgwgo4s8.tls=true
traefik.http.services.http-0-jk8c0wc4ok80s0gkcgwgo4s8.loadbalancer.server.port=3001
traefik.http.services.https-0-jk8c0wc4ok80s0gkcgwgo4s8.loadbalancer.server.port=3001
caddy_0.encode=zstd gzip
caddy_0.handle_path.0_reverse_proxy={{upstreams 3001}}
caddy_0.handle_path=/*
caddy_0.header=-Server
caddy_0.try_files={path} /index.html /index.php
caddy_0=https://api.example.com
caddy_ingress_network=coolify
coolify.managed=true
coolify.version=4.3.11
coolify.applicationId=12
coolify.type=application
coolify.name=jk8c0wc4ok80s0gkcgwgo4s8
coolify.resourceName=my-express-api
coolify.projectName=my-project
coolify.serviceName=my-express-api
coolify.environmentName=production
coolify.pullRequestId=0
com.docker.compose.project=jk8c0wc4ok80s0gkcgwgo4s8
com.docker.compose.service=jk8c0wc4ok80s0gkcgwgo4s8-142311873944
com.docker.compose.container-number=1
com.docker.compose.oneoff=False";

    /// §1.10 service stack `n8n-with-postgresql`, n8n container.
    const N8N_LABELS: &str = "\
coolify.managed=true
coolify.type=service
coolify.name=n8n-qg8s4kc0w4wsgk0k8c0ww8o4
coolify.service.subName=n8n
traefik.docker.network=qg8s4kc0w4wsgk0k8c0ww8o4
traefik.enable=true
traefik.http.middlewares.gzip.compress=true
traefik.http.middlewares.redirect-to-https.redirectscheme.scheme=https
traefik.http.routers.http-0-qg8s4kc0w4wsgk0k8c0ww8o4-n8n-5877.entryPoints=http
traefik.http.routers.http-0-qg8s4kc0w4wsgk0k8c0ww8o4-n8n-5877.middlewares=redirect-to-https
traefik.http.routers.http-0-qg8s4kc0w4wsgk0k8c0ww8o4-n8n-5877.rule=Host(`n8n.example.com`) && PathPrefix(`/`)
traefik.http.routers.http-0-qg8s4kc0w4wsgk0k8c0ww8o4-n8n-5877.service=http-0-qg8s4kc0w4wsgk0k8c0ww8o4-n8n-5877
traefik.http.routers.https-0-qg8s4kc0w4wsgk0k8c0ww8o4-n8n-5877.entryPoints=https
traefik.http.routers.https-0-qg8s4kc0w4wsgk0k8c0ww8o4-n8n-5877.middlewares=gzip
traefik.http.routers.https-0-qg8s4kc0w4wsgk0k8c0ww8o4-n8n-5877.rule=Host(`n8n.example.com`) && PathPrefix(`/`)
traefik.http.routers.https-0-qg8s4kc0w4wsgk0k8c0ww8o4-n8n-5877.service=https-0-qg8s4kc0w4wsgk0k8c0ww8o4-n8n-5877
traefik.http.routers.https-0-qg8s4kc0w4wsgk0k8c0ww8o4-n8n-5877.tls.certresolver=letsencrypt
traefik.http.routers.https-0-qg8s4kc0w4wsgk0k8c0ww8o4-n8n-5877.tls=true
traefik.http.services.http-0-qg8s4kc0w4wsgk0k8c0ww8o4-n8n-5877.loadbalancer.server.port=5678
traefik.http.services.https-0-qg8s4kc0w4wsgk0k8c0ww8o4-n8n-5877.loadbalancer.server.port=5678
caddy_0=https://n8n.example.com
caddy_0.encode=zstd gzip
caddy_0.handle_path.0_reverse_proxy={{upstreams 5678}}
caddy_0.handle_path=/*
caddy_0.header=-Server
caddy_0.try_files={path} /index.html /index.php
caddy_ingress_network=qg8s4kc0w4wsgk0k8c0ww8o4";

    const BCRYPT: &str = "$2a$14$Zkx19XLiW6VYouLHR5NmfOFU0z2GTNmpkT/5qqR7hx4IjWJPDhjvG";

    fn labels(text: &str) -> BTreeMap<String, String> {
        text.lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| {
                let (k, v) = l.split_once('=').expect("fixture line has `=`");
                (k.to_owned(), v.to_owned())
            })
            .collect()
    }

    fn container<'a>(
        name: &'a str,
        labels: &'a BTreeMap<String, String>,
        exposed_ports: &'a [u16],
    ) -> RoutedContainer<'a> {
        RoutedContainer {
            name,
            labels,
            exposed_ports,
        }
    }

    fn only(routes: &[Route]) -> &Route {
        assert_eq!(routes.len(), 1, "{routes:#?}");
        &routes[0]
    }

    // --- live proxy from the image ---

    #[test]
    fn traefik_images_are_recognised_whatever_the_registry_tag_or_digest() {
        for image in [
            "traefik:v3.6",
            "traefik",
            "docker.io/library/traefik:v2.11",
            "registry:5000/traefik:3",
            "registry:5000/traefik",
            "TRAEFIK:V3.6",
            "traefik:v3.6@sha256:0123456789abcdef",
            "traefik@sha256:0123456789abcdef",
        ] {
            assert_eq!(ProxyKind::from_image(image), ProxyKind::Traefik, "{image}");
        }
    }

    #[test]
    fn caddy_docker_proxy_images_are_recognised() {
        for image in [
            "lucaslorentz/caddy-docker-proxy:2.8-alpine",
            "ghcr.io/lucaslorentz/caddy-docker-proxy:ci-alpine",
            "LucasLorentz/Caddy-Docker-Proxy@sha256:abc",
        ] {
            assert_eq!(ProxyKind::from_image(image), ProxyKind::Caddy, "{image}");
        }
    }

    #[test]
    fn plain_caddy_and_other_images_are_unknown() {
        for image in [
            "caddy:2",
            "nginx:alpine",
            "traefik-forward-auth:2",
            "my/traefik-custom:1",
            "traefik/whoami:latest",
            "registry:5000/nottraefik",
            "",
            "::@@",
        ] {
            assert_eq!(ProxyKind::from_image(image), ProxyKind::Unknown, "{image}");
        }
    }

    // --- Traefik ---

    #[test]
    fn the_application_fixture_gives_an_https_and_an_http_traefik_route_for_the_same_host() {
        let labels = labels(APP_LABELS);
        let found = routes(
            ProxyKind::Traefik,
            &[container(APP_CONTAINER, &labels, &[3001])],
        );
        assert_eq!(found.len(), 2, "{found:#?}");
        let (http, https) = (&found[0], &found[1]);

        assert_eq!(https.id, "https-0-jk8c0wc4ok80s0gkcgwgo4s8");
        assert_eq!(https.kind, ProxyKind::Traefik);
        assert_eq!(https.hosts, ["api.example.com"]);
        assert_eq!(https.paths, ["/"]);
        assert_eq!(https.rule, "Host(`api.example.com`) && PathPrefix(`/`)");
        assert_eq!(https.entry_points, ["https"]);
        assert!(https.tls);
        assert_eq!(https.cert_resolver.as_deref(), Some("letsencrypt"));
        assert!(!https.redirect_to_https);
        assert_eq!(https.middlewares, ["gzip"]);
        assert_eq!(https.target_port, Some(3001));
        assert_eq!(https.port_source, PortSource::Label);
        assert_eq!(https.network, None);
        assert_eq!(https.containers, [APP_CONTAINER]);

        assert_eq!(http.id, "http-0-jk8c0wc4ok80s0gkcgwgo4s8");
        assert_eq!(http.hosts, ["api.example.com"]);
        assert_eq!(http.entry_points, ["http"]);
        assert!(!http.tls);
        assert_eq!(http.cert_resolver, None);
        assert!(http.redirect_to_https);
        assert_eq!(http.middlewares, ["redirect-to-https"]);
        assert_eq!(http.target_port, Some(3001));
        assert_eq!(http.port_source, PortSource::Label);
    }

    #[test]
    fn the_n8n_service_fixture_routes_to_5678_through_its_stack_network() {
        let labels = labels(N8N_LABELS);
        let c = [container("n8n-qg8s4kc0w4wsgk0k8c0ww8o4", &labels, &[5678])];

        let traefik = routes(ProxyKind::Traefik, &c);
        assert_eq!(traefik.len(), 2);
        for route in &traefik {
            assert_eq!(route.hosts, ["n8n.example.com"]);
            assert_eq!(route.network.as_deref(), Some("qg8s4kc0w4wsgk0k8c0ww8o4"));
            assert_eq!(route.target_port, Some(5678));
            assert_eq!(route.port_source, PortSource::Label);
        }

        let caddy = routes(ProxyKind::Caddy, &c);
        let route = only(&caddy);
        assert_eq!(route.network.as_deref(), Some("qg8s4kc0w4wsgk0k8c0ww8o4"));
        assert_eq!(route.target_port, Some(5678));
    }

    #[test]
    fn a_router_without_a_service_label_uses_the_single_exposed_port() {
        let labels = labels(
            "traefik.enable=true
traefik.http.routers.web.rule=Host(`web.example.com`)",
        );
        let found = routes(ProxyKind::Traefik, &[container("web", &labels, &[8080])]);
        let route = only(&found);
        assert_eq!(route.target_port, Some(8080));
        assert_eq!(route.port_source, PortSource::SingleExposedPort);
    }

    #[test]
    fn a_router_without_a_service_label_and_two_exposed_ports_has_no_known_port() {
        let labels = labels(
            "traefik.enable=true
traefik.http.routers.web.rule=Host(`web.example.com`)",
        );
        let found = routes(
            ProxyKind::Traefik,
            &[container("web", &labels, &[80, 8080])],
        );
        let route = only(&found);
        assert_eq!(route.target_port, None);
        assert_eq!(route.port_source, PortSource::Unknown);
    }

    #[test]
    fn a_router_without_a_service_label_uses_the_containers_only_service() {
        let labels = labels(
            "traefik.enable=true
traefik.http.routers.web.rule=Host(`web.example.com`)
traefik.http.services.websvc.loadbalancer.server.port=3000",
        );
        let found = routes(
            ProxyKind::Traefik,
            &[container("web", &labels, &[80, 3000])],
        );
        let route = only(&found);
        assert_eq!(route.target_port, Some(3000));
        assert_eq!(route.port_source, PortSource::Label);
    }

    #[test]
    fn a_router_naming_a_service_defined_elsewhere_has_no_known_port() {
        let labels = labels(
            "traefik.enable=true
traefik.http.routers.a.rule=Host(`a.example.com`)
traefik.http.routers.a.service=shared@file
traefik.http.routers.b.rule=Host(`b.example.com`)
traefik.http.routers.b.service=missing",
        );
        let found = routes(ProxyKind::Traefik, &[container("web", &labels, &[80])]);
        assert_eq!(found.len(), 2);
        for route in &found {
            assert_eq!(
                (route.target_port, route.port_source),
                (None, PortSource::Unknown)
            );
        }
    }

    #[test]
    fn two_containers_with_the_same_router_name_are_one_load_balanced_route() {
        let labels = labels(APP_LABELS);
        let found = routes(
            ProxyKind::Traefik,
            &[
                container("web-b", &labels, &[3001]),
                container("web-a", &labels, &[3001]),
            ],
        );
        assert_eq!(found.len(), 2);
        for route in &found {
            assert_eq!(route.containers, ["web-a", "web-b"]);
        }
    }

    #[test]
    fn containers_disagreeing_on_a_shared_routers_port_keep_the_first_containers_port() {
        let a = labels(
            "traefik.enable=true
traefik.http.routers.web.rule=Host(`web.example.com`)
traefik.http.routers.web.service=web
traefik.http.services.web.loadbalancer.server.port=3000",
        );
        let b = labels(
            "traefik.enable=true
traefik.http.routers.web.rule=Host(`web.example.com`)
traefik.http.routers.web.service=web
traefik.http.services.web.loadbalancer.server.port=4000",
        );
        let found = routes(
            ProxyKind::Traefik,
            &[container("b", &b, &[4000]), container("a", &a, &[3000])],
        );
        let route = only(&found);
        assert_eq!(route.target_port, Some(3000));
        assert_eq!(route.containers, ["a", "b"]);
    }

    #[test]
    fn the_dashboard_router_on_api_internal_is_not_a_route() {
        let labels = labels(
            "traefik.enable=true
traefik.http.routers.traefik.rule=Host(`traefik.example.com`)
traefik.http.routers.traefik.service=api@internal
traefik.http.routers.ping.rule=PathPrefix(`/ping`)
traefik.http.routers.ping.service=ping@Internal",
        );
        let found = routes(
            ProxyKind::Traefik,
            &[container("coolify-proxy", &labels, &[80, 443])],
        );
        assert!(found.is_empty(), "{found:#?}");
    }

    #[test]
    fn containers_without_traefik_enable_are_not_routed() {
        let disabled = labels(&APP_LABELS.replace("traefik.enable=true", "traefik.enable=false"));
        let missing = labels(&APP_LABELS.replace("traefik.enable=true", "other=1"));
        let found = routes(
            ProxyKind::Traefik,
            &[
                container("off", &disabled, &[3001]),
                container("none", &missing, &[3001]),
            ],
        );
        assert!(found.is_empty(), "{found:#?}");
    }

    #[test]
    fn tcp_and_udp_routers_are_ignored() {
        let labels = labels(
            "traefik.enable=true
traefik.tcp.routers.pg.rule=HostSNI(`*`)
traefik.tcp.routers.pg.entryPoints=pg
traefik.tcp.services.pg.loadbalancer.server.port=5432
traefik.udp.routers.dns.entryPoints=dns",
        );
        let found = routes(ProxyKind::Traefik, &[container("db", &labels, &[5432])]);
        assert!(found.is_empty(), "{found:#?}");
    }

    #[test]
    fn label_keys_are_read_in_any_case_but_names_are_kept_as_written() {
        let labels = labels(
            "Traefik.Enable=TRUE
TRAEFIK.HTTP.ROUTERS.MyRouter.RULE=Host(`x.example.com`)
traefik.http.routers.MyRouter.EntryPoints=https, http
traefik.http.routers.MyRouter.TLS.CertResolver=le
traefik.http.routers.MyRouter.Service=MySvc
traefik.http.services.MySvc.LoadBalancer.Server.Port=9000
traefik.Docker.Network=front",
        );
        let found = routes(ProxyKind::Traefik, &[container("x", &labels, &[])]);
        let route = only(&found);
        assert_eq!(route.id, "MyRouter");
        assert_eq!(route.entry_points, ["https", "http"]);
        assert!(route.tls, "a cert resolver turns TLS on");
        assert_eq!(route.cert_resolver.as_deref(), Some("le"));
        assert_eq!(route.target_port, Some(9000));
        assert_eq!(route.network.as_deref(), Some("front"));
    }

    #[test]
    fn middleware_names_lose_their_provider_suffix_and_redirects_are_found_by_definition() {
        let labels = labels(
            "traefik.enable=true
traefik.http.middlewares.to-tls.redirectscheme.scheme=https
traefik.http.middlewares.auth.basicauth.users=admin:secret
traefik.http.routers.web.rule=Host(`web.example.com`)
traefik.http.routers.web.middlewares=gzip@docker, to-tls@docker,auth",
        );
        let found = routes(ProxyKind::Traefik, &[container("web", &labels, &[80])]);
        let route = only(&found);
        assert_eq!(route.middlewares, ["gzip", "to-tls", "auth"]);
        assert!(route.redirect_to_https);
    }

    #[test]
    fn the_shared_redirect_middleware_counts_even_when_defined_on_another_container() {
        let web = labels(
            "traefik.enable=true
traefik.http.routers.web.rule=Host(`web.example.com`)
traefik.http.routers.web.middlewares=redirect-to-https@docker",
        );
        let found = routes(ProxyKind::Traefik, &[container("web", &web, &[80])]);
        assert!(only(&found).redirect_to_https);
    }

    // --- rules ---

    #[test]
    fn host_rules_with_several_hosts_alternatives_and_double_quotes_are_all_read() {
        let parsed = parse_rule(
            "(Host(`a.com`, `b.com`) || Host(\"c.com\")) && (PathPrefix(`/api`) || PathPrefix(`/v2`)) \
             && HostRegexp(`^.+\\.d\\.com$`) && Host(`a.com`)",
        );
        assert_eq!(parsed.hosts, ["a.com", "b.com", "c.com"]);
        assert_eq!(parsed.paths, ["/api", "/v2"]);
    }

    #[test]
    fn negated_hosts_and_matchers_inside_quotes_are_not_read() {
        let parsed = parse_rule(
            "Host(`a.com`) && !Host(`b.com`) && !(PathPrefix(`/admin`) || Host(`c.com`)) \
             && Header(`X`, \"Host(`d.com`)\") && PathPrefix(`/`)",
        );
        assert_eq!(parsed.hosts, ["a.com"]);
        assert_eq!(parsed.paths, ["/"]);
    }

    #[test]
    fn malformed_rules_do_not_panic_and_keep_what_was_parsed() {
        assert_eq!(parse_rule(""), RuleMatchers::default());
        assert_eq!(parse_rule("Host(`a.com`) && Host(`b.com").hosts, ["a.com"]);
        assert_eq!(parse_rule("Host(\"a.com\", \"b").hosts, ["a.com"]);
        for rule in [
            "Host(",
            "Host",
            "(((((",
            ")))))",
            "!!!!",
            "`",
            "\"\\",
            "Host(`é`) && PathPrefix(`/ü`",
            "Host(a.com)",
            "&& || ! ( ) , ` \"",
            "Hôst(`x`)",
        ] {
            let _ = parse_rule(rule);
        }
        let huge = "Host(`a.com`) || (".repeat(20_000) + &"`".repeat(10_001);
        assert_eq!(parse_rule(&huge).hosts, ["a.com"]);
        let labels = labels("traefik.enable=true\ntraefik.http.routers.r.rule=Host(`x");
        let found = routes(ProxyKind::Traefik, &[container("c", &labels, &[])]);
        assert!(only(&found).hosts.is_empty());
    }

    // --- Caddy ---

    #[test]
    fn the_application_fixture_under_caddy_is_one_route_on_port_3001_in_the_coolify_network() {
        let labels = labels(APP_LABELS);
        let found = routes(
            ProxyKind::Caddy,
            &[container(APP_CONTAINER, &labels, &[3001])],
        );
        let route = only(&found);
        assert_eq!(route.id, "https://api.example.com");
        assert_eq!(route.kind, ProxyKind::Caddy);
        assert_eq!(route.hosts, ["api.example.com"]);
        assert_eq!(route.paths, ["/"]);
        assert_eq!(route.rule, "https://api.example.com");
        assert!(route.tls);
        assert!(route.redirect_to_https);
        assert_eq!(route.target_port, Some(3001));
        assert_eq!(route.port_source, PortSource::Label);
        assert_eq!(route.network.as_deref(), Some("coolify"));
        assert_eq!(route.containers, [APP_CONTAINER]);
        assert!(route.middlewares.is_empty() && route.entry_points.is_empty());
    }

    #[test]
    fn a_caddy_site_with_http_and_https_addresses_has_tls_but_no_redirect() {
        let labels = labels(
            "caddy_0=http://a.com, https://a.com:8443
caddy_0.handle=/api/*
caddy_0.reverse_proxy={{ upstreams http 3001 }}",
        );
        let found = routes(ProxyKind::Caddy, &[container("a", &labels, &[])]);
        let route = only(&found);
        assert_eq!(route.id, "http://a.com, https://a.com:8443");
        assert_eq!(route.hosts, ["a.com"]);
        assert_eq!(route.paths, ["/api/"]);
        assert!(route.tls);
        assert!(!route.redirect_to_https);
        assert_eq!(
            (route.target_port, route.port_source),
            (Some(3001), PortSource::Label)
        );
    }

    #[test]
    fn caddy_upstreams_without_a_port_dial_port_80() {
        let labels = labels(
            "caddy=b.com
caddy.reverse_proxy={{upstreams}}",
        );
        let found = routes(ProxyKind::Caddy, &[container("b", &labels, &[])]);
        let route = only(&found);
        assert!(
            route.tls && route.redirect_to_https,
            "no scheme means automatic HTTPS"
        );
        assert_eq!(route.paths, ["/"]);
        assert_eq!(
            (route.target_port, route.port_source),
            (Some(80), PortSource::ProxyDefault)
        );
    }

    #[test]
    fn a_caddy_site_without_reverse_proxy_has_no_known_port() {
        let labels = labels("caddy_1=https://c.com\ncaddy_1.respond=ok");
        let found = routes(ProxyKind::Caddy, &[container("c", &labels, &[8080])]);
        let route = only(&found);
        assert_eq!(
            (route.target_port, route.port_source),
            (None, PortSource::Unknown)
        );
    }

    #[test]
    fn caddy_containers_with_the_same_site_are_one_load_balanced_route() {
        let a = labels("caddy_0=https://Api.Example.com\ncaddy_0.reverse_proxy={{upstreams 3001}}");
        let b = labels("caddy_3=https://api.example.com\ncaddy_3.reverse_proxy={{upstreams 4000}}");
        let found = routes(
            ProxyKind::Caddy,
            &[container("b", &b, &[]), container("a", &a, &[])],
        );
        let route = only(&found);
        assert_eq!(route.containers, ["a", "b"]);
        assert_eq!(route.target_port, Some(3001));
    }

    #[test]
    fn caddy_global_options_snippets_and_other_keys_are_not_sites() {
        let labels = labels(
            "caddy=
caddy.email=admin@example.com
caddy_1=(snippet)
caddy_x=https://x.com
caddy_2.reverse_proxy=https://y.com
caddyfile=https://z.com",
        );
        let found = routes(ProxyKind::Caddy, &[container("c", &labels, &[])]);
        assert!(found.is_empty(), "{found:#?}");
    }

    // --- both families, ordering, secrets ---

    #[test]
    fn only_the_live_proxys_label_family_counts() {
        let labels = labels(APP_LABELS);
        let c = [container(APP_CONTAINER, &labels, &[3001])];
        assert!(routes(ProxyKind::Traefik, &c)
            .iter()
            .all(|r| r.kind == ProxyKind::Traefik));
        assert_eq!(routes(ProxyKind::Traefik, &c).len(), 2);
        assert!(routes(ProxyKind::Caddy, &c)
            .iter()
            .all(|r| r.kind == ProxyKind::Caddy));
        assert_eq!(routes(ProxyKind::Caddy, &c).len(), 1);
        assert!(routes(ProxyKind::Unknown, &c).is_empty());
    }

    #[test]
    fn output_order_is_the_same_whatever_the_input_order() {
        let app = labels(APP_LABELS);
        let n8n = labels(N8N_LABELS);
        let other = labels(
            "traefik.enable=true
traefik.http.routers.z.rule=HostRegexp(`.+`)
traefik.http.routers.a.rule=Host(`aaa.example.com`)
caddy_0=https://aaa.example.com",
        );
        let forward = [
            container(APP_CONTAINER, &app, &[3001]),
            container("n8n", &n8n, &[5678]),
            container("other", &other, &[80]),
            container("n8n-2", &n8n, &[5678]),
        ];
        let backward = [
            container("n8n-2", &n8n, &[5678]),
            container("other", &other, &[80]),
            container("n8n", &n8n, &[5678]),
            container(APP_CONTAINER, &app, &[3001]),
        ];
        for kind in [ProxyKind::Traefik, ProxyKind::Caddy] {
            let a = routes(kind, &forward);
            assert_eq!(a, routes(kind, &backward));
            let keys: Vec<(String, String)> = a
                .iter()
                .map(|r| (r.hosts.first().cloned().unwrap_or_default(), r.id.clone()))
                .collect();
            let mut sorted = keys.clone();
            sorted.sort();
            assert_eq!(keys, sorted);
        }
        let ids: Vec<String> = routes(ProxyKind::Traefik, &forward)
            .into_iter()
            .map(|r| r.id)
            .collect();
        assert_eq!(ids[0], "z", "a route without hosts sorts first");
        assert_eq!(ids[1], "a");
    }

    #[test]
    fn basic_auth_hashes_never_appear_in_any_route() {
        let text = format!(
            "{APP_LABELS}
traefik.http.middlewares.http-basic-auth-jk8c.basicauth.users=admin:{BCRYPT}
traefik.http.routers.https-0-jk8c0wc4ok80s0gkcgwgo4s8.middlewares=gzip,http-basic-auth-jk8c
caddy_0.basicauth.admin={BCRYPT}
caddy_0.basicauth=/*
caddy_0.handle_path.basicauth.admin={BCRYPT}"
        );
        let labels = labels(&text);
        let c = [container(APP_CONTAINER, &labels, &[3001])];
        for kind in [ProxyKind::Traefik, ProxyKind::Caddy, ProxyKind::Unknown] {
            let found = routes(kind, &c);
            let debug = format!("{found:?}");
            assert!(
                !debug.contains(BCRYPT) && !debug.contains("$2a$"),
                "{debug}"
            );
            let json = serde_json::to_string(&found).unwrap();
            assert!(!json.contains("$2a$"), "{json}");
        }
    }

    #[test]
    fn routes_round_trip_through_json() {
        let labels = labels(APP_LABELS);
        let c = [container(APP_CONTAINER, &labels, &[3001])];
        for kind in [ProxyKind::Traefik, ProxyKind::Caddy] {
            let found = routes(kind, &c);
            let back: Vec<Route> =
                serde_json::from_str(&serde_json::to_string(&found).unwrap()).unwrap();
            assert_eq!(back, found);
        }
    }
}
