//! Ports as `docker ps` shows them: `127.0.0.1:8080->80/tcp`, sorted so they never jump around.

use crate::domain::engine_json::PortJson;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Transport protocol of a container port.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Protocol {
    Tcp,
    Udp,
    Sctp,
}

impl Protocol {
    /// The Engine writes `tcp`, `udp` or `sctp`; anything else is read as tcp, Docker's default.
    pub fn from_engine(raw: &str) -> Self {
        match raw {
            "udp" => Self::Udp,
            "sctp" => Self::Sctp,
            _ => Self::Tcp,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Tcp => "tcp",
            Self::Udp => "udp",
            Self::Sctp => "sctp",
        }
    }
}

/// A container port, and the host binding that publishes it when there is one.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct PortMapping {
    pub container_port: u16,
    pub protocol: Protocol,
    /// `Some` when published on the host.
    pub host: Option<HostBinding>,
}

/// Where on the host a container port is published.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct HostBinding {
    /// `0.0.0.0`, `::`, `127.0.0.1`…; empty means all interfaces.
    pub ip: String,
    pub port: u16,
}

impl HostBinding {
    /// Published on every interface, so reachable from outside unless a firewall in
    /// `DOCKER-USER` stops it (UFW does not).
    pub fn is_all_interfaces(&self) -> bool {
        matches!(self.ip.as_str(), "" | "0.0.0.0" | "::")
    }

    /// Published on the loopback address only: the host itself reaches it, nothing else.
    pub fn is_loopback(&self) -> bool {
        self.ip.starts_with("127.") || self.ip == "::1"
    }
}

impl PortMapping {
    pub fn from_engine(raw: &PortJson) -> Self {
        let host = raw.public_port.filter(|p| *p != 0).map(|port| HostBinding {
            ip: raw.ip.clone(),
            port,
        });
        Self {
            container_port: raw.private_port,
            protocol: Protocol::from_engine(&raw.protocol),
            host,
        }
    }
}

impl fmt::Display for PortMapping {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(host) = &self.host {
            match host.ip.as_str() {
                "" => write!(f, "{}->", host.port)?,
                ip if ip.contains(':') => write!(f, "[{ip}]:{}->", host.port)?,
                ip => write!(f, "{ip}:{}->", host.port)?,
            }
        }
        write!(f, "{}/{}", self.container_port, self.protocol.as_str())
    }
}

/// Converts, sorts (by container port, protocol, then binding) and removes duplicates.
/// An exposed-only port is dropped when the same port is also published.
pub fn ports_from_engine(raw: &[PortJson]) -> Vec<PortMapping> {
    let mut ports: Vec<PortMapping> = raw.iter().map(PortMapping::from_engine).collect();
    ports.sort();
    ports.dedup();
    let published: Vec<(u16, Protocol)> = ports
        .iter()
        .filter(|p| p.host.is_some())
        .map(|p| (p.container_port, p.protocol))
        .collect();
    ports.retain(|p| p.host.is_some() || !published.contains(&(p.container_port, p.protocol)));
    ports
}

#[cfg(test)]
mod tests {
    use super::*;

    fn port(ip: &str, private: u16, public: Option<u16>, protocol: &str) -> PortJson {
        PortJson {
            ip: ip.into(),
            private_port: private,
            public_port: public,
            protocol: protocol.into(),
        }
    }

    #[test]
    fn published_ports_read_like_docker_ps() {
        let p = PortMapping::from_engine(&port("127.0.0.1", 80, Some(8080), "tcp"));
        assert_eq!(p.to_string(), "127.0.0.1:8080->80/tcp");
    }

    #[test]
    fn ipv6_bindings_are_bracketed() {
        let p = PortMapping::from_engine(&port("::", 443, Some(8443), "tcp"));
        assert_eq!(p.to_string(), "[::]:8443->443/tcp");
    }

    #[test]
    fn exposed_only_ports_show_port_and_protocol() {
        let p = PortMapping::from_engine(&port("", 5432, None, "tcp"));
        assert_eq!(p.to_string(), "5432/tcp");
        assert_eq!(p.host, None);
    }

    #[test]
    fn ports_are_sorted_and_stable_whatever_order_the_engine_sends() {
        let a = [
            port("::", 443, Some(8443), "tcp"),
            port("0.0.0.0", 443, Some(8443), "tcp"),
            port("127.0.0.1", 80, Some(8080), "tcp"),
            port("", 53, None, "udp"),
        ];
        let mut b = a.clone();
        b.reverse();
        let shown = |ps: &[PortJson]| {
            ports_from_engine(ps)
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
        };
        assert_eq!(shown(&a), shown(&b));
        assert_eq!(
            shown(&a),
            [
                "53/udp",
                "127.0.0.1:8080->80/tcp",
                "0.0.0.0:8443->443/tcp",
                "[::]:8443->443/tcp"
            ]
        );
    }

    #[test]
    fn an_exposed_port_that_is_also_published_is_listed_once() {
        let ps = ports_from_engine(&[
            port("", 80, None, "tcp"),
            port("0.0.0.0", 80, Some(8080), "tcp"),
        ]);
        assert_eq!(ps.len(), 1);
        assert!(ps[0]
            .host
            .as_ref()
            .is_some_and(HostBinding::is_all_interfaces));
    }
}
