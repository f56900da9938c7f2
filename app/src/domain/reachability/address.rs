//! What a user types as the far end of a connection — a container name or ID, a network alias,
//! a compose service name, a Coolify `{uuid}`, `host.docker.internal`, an IP, a public domain —
//! parsed once, before anything looks at the topology or runs.

use crate::domain::checks::input::{Host, Hostname, InputError, Port};
use crate::domain::names::ContainerName;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::net::IpAddr;

/// The name Docker maps to the host's gateway when a container has
/// `--add-host=host.docker.internal:host-gateway`.
pub const HOST_GATEWAY_NAME: &str = "host.docker.internal";

/// Where a connection goes, as the user wrote it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Address {
    /// A name to look up. `dns` is false for a Docker container name DNS cannot carry (a label
    /// over 63 characters): the container exists by that name, no resolver can look it up.
    Name {
        name: String,
        dns: bool,
    },
    Ip(IpAddr),
}

impl Address {
    /// Reads an address: an IP (IPv6 with or without brackets), else a host name or a Docker
    /// container name. Whitespace, shell characters and empty input are refused.
    pub fn parse(input: &str) -> Result<Self, InputError> {
        let bare = input
            .strip_prefix('[')
            .and_then(|s| s.strip_suffix(']'))
            .unwrap_or(input);
        if let Ok(ip) = bare.parse::<IpAddr>() {
            return Ok(Self::Ip(ip));
        }
        match Hostname::parse(input) {
            Ok(name) => Ok(Self::Name {
                name: name.as_str().to_owned(),
                dns: true,
            }),
            // Docker accepts names DNS cannot carry; they still name a container.
            Err(dns_error) => match ContainerName::parse(input) {
                Ok(name) => Ok(Self::Name {
                    name: name.as_str().to_owned(),
                    dns: false,
                }),
                Err(_) => Err(dns_error),
            },
        }
    }

    /// The name, when this is one.
    pub fn name(&self) -> Option<&str> {
        match self {
            Self::Name { name, .. } => Some(name),
            Self::Ip(_) => None,
        }
    }

    /// What a probe can be sent to: `None` for a name DNS cannot carry.
    pub fn host(&self) -> Option<Host> {
        match self {
            Self::Name { name, dns: true } => Hostname::parse(name).ok().map(Host::Name),
            Self::Name { dns: false, .. } => None,
            Self::Ip(ip) => Some(Host::Ip(*ip)),
        }
    }

    /// `localhost`, `127.0.0.1`, `::1`: the caller's own network namespace.
    pub fn is_loopback(&self) -> bool {
        match self {
            Self::Name { name, .. } => name.eq_ignore_ascii_case("localhost"),
            Self::Ip(ip) => ip.is_loopback(),
        }
    }

    /// How it is written in `host:port` (`[::1]` for IPv6).
    pub fn url_host(&self) -> String {
        match self {
            Self::Ip(IpAddr::V6(ip)) => format!("[{ip}]"),
            other => other.to_string(),
        }
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Name { name, .. } => f.write_str(name),
            Self::Ip(ip) => write!(f, "{ip}"),
        }
    }
}

/// `ADDRESS:PORT`, as `netdoctor check reach --to` takes it: `db:5432`, `my-express-api:3001`,
/// `172.18.0.5:80`, `[fd00::5]:80`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddressPort {
    pub address: Address,
    pub port: Port,
}

impl AddressPort {
    pub fn parse(input: &str) -> Result<Self, InputError> {
        let Some((address, port)) = input.rsplit_once(':') else {
            return Err(InputError::Invalid {
                what: "the target",
                reason: "write it as ADDRESS:PORT: a container name, alias, service name or IP, then the port (`db:5432`, `my-express-api:3001`, `172.18.0.5:80`)".into(),
            });
        };
        let address = if address.contains(':') && !address.starts_with('[') {
            return Err(InputError::Invalid {
                what: "the target",
                reason: "write an IPv6 address in brackets: `[fd00::5]:80`".into(),
            });
        } else {
            Address::parse(address)?
        };
        Ok(Self {
            address,
            port: Port::parse(port)?,
        })
    }
}

impl fmt::Display for AddressPort {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.address.url_host(), self.port)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_of_name_coolify_users_type_parses_as_a_name() {
        for name in [
            "my-express-api",
            "api",
            "postgresql-vgsco4o",
            "vgsco4o",
            "jk8c0wc4ok80s0gkcgwgo4s8-142311873944",
            "host.docker.internal",
            "coolify_proxy_1",
            "app.example.com",
            "3f4e8a1b2c9d",
        ] {
            let a = Address::parse(name).expect(name);
            assert_eq!(a.name(), Some(name));
            assert!(a.host().is_some(), "{name} can be looked up");
        }
    }

    #[test]
    fn ips_parse_as_ips_with_or_without_brackets() {
        assert_eq!(
            Address::parse("172.18.0.5").unwrap(),
            Address::Ip("172.18.0.5".parse().unwrap())
        );
        assert_eq!(
            Address::parse("[fd00::5]").unwrap(),
            Address::Ip("fd00::5".parse().unwrap())
        );
        assert!(Address::parse("127.0.0.1").unwrap().is_loopback());
        assert!(Address::parse("localhost").unwrap().is_loopback());
    }

    #[test]
    fn a_container_name_too_long_for_dns_is_still_an_address_that_cannot_be_looked_up() {
        let long = format!("a{}", "b".repeat(70));
        let a = Address::parse(&long).unwrap();
        assert_eq!(
            a,
            Address::Name {
                name: long,
                dns: false
            }
        );
        assert!(a.host().is_none());
    }

    #[test]
    fn shell_text_and_empty_input_are_refused() {
        for bad in ["", "db;rm -rf /", "$(id)", "a b", "db/x", "-db", "`x`"] {
            assert!(Address::parse(bad).is_err(), "{bad:?} refused");
        }
    }

    #[test]
    fn address_and_port_split_at_the_last_colon_and_ipv6_needs_brackets() {
        let a = AddressPort::parse("my-express-api:3001").unwrap();
        assert_eq!(a.address.name(), Some("my-express-api"));
        assert_eq!(a.port.get(), 3001);
        let v6 = AddressPort::parse("[fd00::5]:80").unwrap();
        assert_eq!(v6.to_string(), "[fd00::5]:80");
        assert!(AddressPort::parse("fd00::5:80").is_err());
        assert!(AddressPort::parse("db").is_err());
        assert!(AddressPort::parse("db:0").is_err());
        assert!(AddressPort::parse("db:99999").is_err());
    }
}
