//! Where the Docker Engine is: `DOCKER_HOST`-style addresses, parsed once at start-up.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The local socket Docker listens on when nothing else is configured.
pub const DEFAULT_SOCKET: &str = "/var/run/docker.sock";

/// A Docker Engine address netdoctor can talk to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Endpoint {
    /// A Unix socket path, e.g. `/var/run/docker.sock`.
    Unix(String),
    /// A plain-HTTP TCP address `host:port` (`tcp://` or `http://` in `DOCKER_HOST`).
    Tcp(String),
}

/// Why a Docker endpoint was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EndpointError {
    #[error("the Docker endpoint is empty")]
    Empty,
    #[error(
        "`{0}` uses a scheme netdoctor does not speak; use unix:///path/to/docker.sock or tcp://host:port"
    )]
    UnsupportedScheme(String),
    #[error("`{0}` has no host:port after the scheme")]
    MissingAddress(String),
}

impl Endpoint {
    /// Parses `unix:///var/run/docker.sock`, a bare socket path, `tcp://host:2375` or
    /// `http://host:2375`. TLS (`https://`, `DOCKER_TLS_VERIFY`) and `ssh://` are refused
    /// with a clear message rather than half-supported.
    pub fn parse(input: &str) -> Result<Self, EndpointError> {
        let input = input.trim();
        if input.is_empty() {
            return Err(EndpointError::Empty);
        }
        if let Some(path) = input.strip_prefix("unix://") {
            if path.is_empty() {
                return Err(EndpointError::MissingAddress(input.to_owned()));
            }
            return Ok(Self::Unix(path.to_owned()));
        }
        if input.starts_with('/') {
            return Ok(Self::Unix(input.to_owned()));
        }
        for scheme in ["tcp://", "http://"] {
            if let Some(rest) = input.strip_prefix(scheme) {
                let addr = rest.trim_end_matches('/');
                if addr.is_empty() || !addr.contains(':') {
                    return Err(EndpointError::MissingAddress(input.to_owned()));
                }
                return Ok(Self::Tcp(addr.to_owned()));
            }
        }
        Err(EndpointError::UnsupportedScheme(
            input.chars().take(80).collect(),
        ))
    }

    /// `DOCKER_HOST` when it is set and not empty, else the local socket.
    pub fn from_docker_host(docker_host: Option<&str>) -> Result<Self, EndpointError> {
        match docker_host.map(str::trim).filter(|s| !s.is_empty()) {
            Some(value) => Self::parse(value),
            None => Ok(Self::Unix(DEFAULT_SOCKET.to_owned())),
        }
    }

    pub fn is_unix(&self) -> bool {
        matches!(self, Self::Unix(_))
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unix(path) => write!(f, "unix://{path}"),
            Self::Tcp(addr) => write!(f, "tcp://{addr}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_docker_host_means_the_local_socket() {
        assert_eq!(
            Endpoint::from_docker_host(None),
            Ok(Endpoint::Unix(DEFAULT_SOCKET.into()))
        );
        assert_eq!(
            Endpoint::from_docker_host(Some("  ")),
            Ok(Endpoint::Unix(DEFAULT_SOCKET.into()))
        );
    }

    #[test]
    fn unix_urls_and_bare_paths_are_sockets() {
        assert_eq!(
            Endpoint::parse("unix:///run/user/1000/docker.sock"),
            Ok(Endpoint::Unix("/run/user/1000/docker.sock".into()))
        );
        assert_eq!(
            Endpoint::parse("/var/run/docker.sock"),
            Ok(Endpoint::Unix("/var/run/docker.sock".into()))
        );
    }

    #[test]
    fn tcp_and_http_urls_are_tcp_addresses() {
        assert_eq!(
            Endpoint::parse("tcp://127.0.0.1:2375"),
            Ok(Endpoint::Tcp("127.0.0.1:2375".into()))
        );
        assert_eq!(
            Endpoint::parse("http://localhost:2375/"),
            Ok(Endpoint::Tcp("localhost:2375".into()))
        );
    }

    #[test]
    fn tls_ssh_and_garbage_endpoints_are_refused_clearly() {
        assert!(matches!(
            Endpoint::parse("https://host:2376"),
            Err(EndpointError::UnsupportedScheme(_))
        ));
        assert!(matches!(
            Endpoint::parse("ssh://root@host"),
            Err(EndpointError::UnsupportedScheme(_))
        ));
        assert!(matches!(
            Endpoint::parse("tcp://"),
            Err(EndpointError::MissingAddress(_))
        ));
        assert!(matches!(
            Endpoint::parse("unix://"),
            Err(EndpointError::MissingAddress(_))
        ));
        assert_eq!(Endpoint::parse(""), Err(EndpointError::Empty));
    }

    #[test]
    fn endpoints_display_as_docker_host_urls() {
        assert_eq!(
            Endpoint::Unix("/var/run/docker.sock".into()).to_string(),
            "unix:///var/run/docker.sock"
        );
        assert_eq!(
            Endpoint::Tcp("127.0.0.1:2375".into()).to_string(),
            "tcp://127.0.0.1:2375"
        );
    }
}
