//! The recorded destination and small hand-built hosts, for the rules' tests.

use crate::domain::containers::ContainerState;
use crate::domain::coolify::CoolifyIdentity;
use crate::domain::engine_json::{ContainerInspectJson, NetworkInspectJson};
use crate::domain::names::ContainerName;
use crate::domain::ports::{HostBinding, PortMapping, Protocol};
use crate::domain::proxy::{PortSource, ProxyKind, Route};
use crate::domain::topology::{
    Attachment, ComposeIdentity, Container, ExposedPort, Network, NetworkKind, NetworkMode, Proxy,
    Topology,
};
use std::collections::BTreeMap;

const DESTINATION: &str = include_str!("../fixtures/destination-api-1.41.json");

/// The standard application whose name changes on every deploy.
pub const APP: &str = "jk8c0wc4ok80s0gkcgwgo4s8-142311873944";
/// The compose app's web service: two networks, none shared with the proxy, route port 8080.
pub const COMPOSE_WEB: &str = "web-b4k8w0gcc8sk4oowc84wg0o8-095730391184";
/// The compose app's database, connected to `coolify` with the alias `postgres`.
pub const COMPOSE_DB: &str = "postgres-b4k8w0gcc8sk4oowc84wg0o8-095730391184";
pub const COMPOSE_UUID: &str = "b4k8w0gcc8sk4oowc84wg0o8";
pub const SERVICE_UUID: &str = "qg8s4kc0w4wsgk0k8c0ww8o4";
pub const N8N: &str = "n8n-qg8s4kc0w4wsgk0k8c0ww8o4";
pub const PUBLIC_DB_PROXY: &str = "ro8kcog4kso4ck0ows4k4wkw-proxy";

/// The Coolify-like destination recorded from a real engine (scripts/record-fixtures.sh).
pub fn recorded() -> Topology {
    recorded_from(DESTINATION)
}

/// A host recorded as `{"containers": [inspect…], "networks": [network…]}`.
pub fn recorded_from(json: &str) -> Topology {
    let raw: serde_json::Value = serde_json::from_str(json).expect("fixture is JSON");
    let containers: Vec<ContainerInspectJson> =
        serde_json::from_value(raw["containers"].clone()).expect("containers parse");
    let networks: Vec<NetworkInspectJson> =
        serde_json::from_value(raw["networks"].clone()).expect("networks parse");
    Topology::from_engine(&containers, &networks)
}

pub fn get_mut<'a>(t: &'a mut Topology, name: &str) -> &'a mut Container {
    t.containers
        .iter_mut()
        .find(|c| c.name.as_str() == name)
        .unwrap_or_else(|| panic!("{name} is in the topology"))
}

/// A running, unlabelled container on no network.
pub fn container(name: &str) -> Container {
    // FNV-1a of the name: distinct names get distinct short IDs, as on a real engine.
    let hash = name.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    let id = format!("{hash:016x}{hash:016x}");
    Container {
        id,
        name: ContainerName::from_engine(name),
        image: "example/app:latest".into(),
        state: ContainerState::Running,
        health: None,
        restart_count: 0,
        network_mode: NetworkMode::DefaultBridge,
        attachments: Vec::new(),
        exposed: Vec::new(),
        published: Vec::new(),
        requested: Vec::new(),
        extra_hosts: Vec::new(),
        coolify: None,
        compose: None,
        labels: BTreeMap::new(),
    }
}

/// Attaches `c` to a user-defined network with these aliases (names resolve like Docker's DNS).
pub fn on(mut c: Container, network: &str, aliases: &[&str]) -> Container {
    let kind = NetworkKind::of(network, "");
    let mut dns_names = Vec::new();
    if kind.resolves_names() {
        dns_names.push(c.name.to_string());
        dns_names.extend(aliases.iter().map(|a| (*a).to_owned()));
        dns_names.push(c.short_id().to_owned());
    }
    if c.attachments.is_empty() {
        c.network_mode = NetworkMode::from_engine(network);
    }
    c.attachments.push(Attachment {
        network: network.to_owned(),
        ipv4: Some("10.0.1.9".into()),
        ipv6: None,
        aliases: aliases.iter().map(|a| (*a).to_owned()).collect(),
        dns_names,
        dns_names_from_engine: true,
    });
    c.attachments.sort_by(|a, b| a.network.cmp(&b.network));
    c
}

pub fn exposing(mut c: Container, ports: &[u16]) -> Container {
    c.exposed = ports
        .iter()
        .map(|p| ExposedPort {
            port: *p,
            protocol: Protocol::Tcp,
        })
        .collect();
    c
}

pub fn publishing(mut c: Container, ip: &str, host: u16, container_port: u16) -> Container {
    c.published.push(PortMapping {
        container_port,
        protocol: Protocol::Tcp,
        host: Some(HostBinding {
            ip: ip.to_owned(),
            port: host,
        }),
    });
    c.published.sort();
    c
}

/// `-p ip:host:container_port` as asked for (`HostConfig.PortBindings`), started or not.
pub fn requesting(mut c: Container, ip: &str, host: u16, container_port: u16) -> Container {
    c.requested.push(PortMapping {
        container_port,
        protocol: Protocol::Tcp,
        host: Some(HostBinding {
            ip: ip.to_owned(),
            port: host,
        }),
    });
    c.requested.sort();
    c
}

/// Labels `c` the way Coolify does (`coolify.managed`, `coolify.type`, compose project/service).
pub fn coolify(mut c: Container, kind: &str, project: &str, service: &str) -> Container {
    let labels: BTreeMap<String, String> = [
        ("coolify.managed", "true"),
        ("coolify.type", kind),
        ("coolify.serviceName", service),
        ("com.docker.compose.project", project),
        ("com.docker.compose.service", service),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect();
    c.coolify = CoolifyIdentity::from_labels(c.name.as_str(), &labels);
    c.compose = Some(ComposeIdentity {
        project: project.to_owned(),
        service: Some(service.to_owned()),
    });
    c.labels.extend(labels);
    c
}

pub fn network(name: &str) -> Network {
    Network {
        id: format!("{name}-id"),
        name: name.to_owned(),
        driver: if name == "none" { "null" } else { "bridge" }.to_owned(),
        scope: "local".into(),
        kind: NetworkKind::of(name, if name == "none" { "null" } else { "bridge" }),
        subnets: Vec::new(),
        internal: false,
        attachable: true,
        members: Vec::new(),
    }
}

/// A Traefik HTTPS route for `host` to these containers.
pub fn route(id: &str, host: &str, containers: &[&str], port: Option<u16>) -> Route {
    Route {
        id: id.to_owned(),
        kind: ProxyKind::Traefik,
        hosts: vec![host.to_owned()],
        paths: Vec::new(),
        rule: format!("Host(`{host}`)"),
        entry_points: vec!["https".into()],
        tls: true,
        cert_resolver: None,
        redirect_to_https: false,
        middlewares: Vec::new(),
        target_port: port,
        port_source: if port.is_some() {
            PortSource::Label
        } else {
            PortSource::Unknown
        },
        network: None,
        containers: containers.iter().map(|c| (*c).to_owned()).collect(),
        ..Route::new(id, ProxyKind::Traefik)
    }
}

/// A host from parts: networks are derived from the containers' attachments, the proxy is
/// `coolify-proxy` (Traefik) when present.
pub fn host(containers: Vec<Container>, routes: Vec<Route>) -> Topology {
    let mut names: Vec<String> = containers
        .iter()
        .flat_map(|c| c.attachments.iter().map(|a| a.network.clone()))
        .collect();
    names.sort();
    names.dedup();
    let mut networks: Vec<Network> = names.iter().map(|n| network(n)).collect();
    for n in &mut networks {
        n.members = containers
            .iter()
            .filter(|c| c.attachment(&n.name).is_some())
            .map(|c| c.name.clone())
            .collect();
        n.members.sort();
    }
    let mut containers = containers;
    containers.sort_by(|a, b| a.name.cmp(&b.name));
    let proxy = containers
        .iter()
        .find(|c| c.name.as_str() == "coolify-proxy")
        .map(|c| Proxy {
            container: c.name.clone(),
            kind: ProxyKind::Traefik,
            image: "traefik:v3.6".into(),
        });
    Topology {
        networks,
        containers,
        proxy,
        routes,
        engine_version: None,
        ..Topology::default()
    }
}

/// The finding texts in one string, for "names the real thing" assertions.
pub fn text(f: &super::Finding) -> String {
    let mut s = format!("{}\n{}\n", f.title, f.why);
    for step in &f.fix {
        s.push_str(&step.text);
        s.push('\n');
        if let Some(c) = &step.command {
            s.push_str(c);
            s.push('\n');
        }
    }
    s
}
