//! Where a Docker Engine is: `DOCKER_HOST`-style addresses, parsed once (at start-up, from the
//! servers file, or from the Servers page) into values that cannot smuggle an option or a shell
//! word into the `ssh` command line that reaches a remote engine.

use crate::domain::checks::input::{host_and_port, Host, InputError, Port};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The local socket Docker listens on when nothing else is configured.
pub const DEFAULT_SOCKET: &str = "/var/run/docker.sock";

/// The port sshd listens on unless told otherwise.
pub const DEFAULT_SSH_PORT: u16 = 22;

/// A Docker Engine address netdoctor can talk to.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Endpoint {
    /// A Unix socket path, e.g. `/var/run/docker.sock`.
    Unix(String),
    /// A plain-HTTP TCP address `host:port` (`tcp://` or `http://` in `DOCKER_HOST`).
    Tcp(String),
    /// A TCP address `host:port` spoken over TLS with a client certificate, as `dockerd
    /// --tlsverify` expects (`tcp://` with `DOCKER_TLS_VERIFY`, or `https://`). The server's
    /// certificate must be signed by the configured CA and name this host.
    Tls(String),
    /// A remote engine reached through the system `ssh` client, which runs `docker system
    /// dial-stdio` on the remote (the remote's docker CLI relays to its local socket).
    Ssh(SshAddress),
}

/// `ssh://user@host:port`, each part validated.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SshAddress {
    user: String,
    host: Host,
    port: u16,
}

/// Why a Docker endpoint was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EndpointError {
    #[error("the Docker endpoint is empty")]
    Empty,
    #[error(
        "`{0}` uses a scheme netdoctor does not speak; use unix:///path/to/docker.sock, tcp://host:port, https://host:2376 (TLS) or ssh://user@host[:port]"
    )]
    UnsupportedScheme(String),
    #[error("`{0}` has no host:port after the scheme")]
    MissingAddress(String),
    #[error("`{0}`: write the user to log in as, e.g. ssh://root@{1}")]
    MissingSshUser(String, String),
    #[error("the ssh user `{0}` is not a user name: letters, digits, `_`, `.` and `-`, not starting with `-`, at most 32 characters")]
    BadSshUser(String),
    #[error("`{0}`: an ssh:// endpoint is user@host[:port] with nothing after it (no path, query or options)")]
    SshExtra(String),
    #[error("{0}")]
    BadAddress(#[from] InputError),
}

impl Endpoint {
    /// Parses `unix:///var/run/docker.sock`, a bare socket path, `tcp://host:2375`,
    /// `http://host:2375`, `https://host:2376` (TLS) or `ssh://user@host[:port]`.
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
        if let Some(rest) = input.strip_prefix("ssh://") {
            return SshAddress::parse(rest).map(Self::Ssh);
        }
        if let Some(rest) = input.strip_prefix("https://") {
            return tcp_address(input, rest).map(Self::Tls);
        }
        for scheme in ["tcp://", "http://"] {
            if let Some(rest) = input.strip_prefix(scheme) {
                return tcp_address(input, rest).map(Self::Tcp);
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

    /// Docker's `DOCKER_TLS_VERIFY`: a `tcp://` address spoken over TLS. Other endpoints are
    /// returned as they are.
    pub fn with_tls(self) -> Self {
        match self {
            Self::Tcp(addr) => Self::Tls(addr),
            other => other,
        }
    }

    pub fn is_unix(&self) -> bool {
        matches!(self, Self::Unix(_))
    }

    /// The address other machines know this engine's server by, as a URL host (IPv6 in
    /// brackets): the host of a TCP, TLS or SSH endpoint; none for a local socket. Loopback
    /// addresses are no use to another machine and give none.
    pub fn public_host(&self) -> Option<String> {
        let host = match self {
            Self::Unix(_) => return None,
            Self::Tcp(addr) | Self::Tls(addr) => host_and_port("the engine", addr).ok()?.0,
            Self::Ssh(ssh) => ssh.host().clone(),
        };
        let loopback = match &host {
            Host::Ip(ip) => ip.is_loopback(),
            Host::Name(name) => name.to_string().eq_ignore_ascii_case("localhost"),
        };
        (!loopback).then(|| host.url_host())
    }

    /// What kind of connection this is, for pages that show it.
    pub fn kind(&self) -> EndpointKind {
        match self {
            Self::Unix(_) => EndpointKind::Socket,
            Self::Tcp(_) => EndpointKind::Tcp,
            Self::Tls(_) => EndpointKind::Tls,
            Self::Ssh(_) => EndpointKind::Ssh,
        }
    }
}

/// The four ways netdoctor reaches an engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EndpointKind {
    Socket,
    Tcp,
    Tls,
    Ssh,
}

/// `host:port` after a `tcp://`, `http://` or `https://`, validated (no user info, no path).
fn tcp_address(input: &str, rest: &str) -> Result<String, EndpointError> {
    let addr = rest.trim_end_matches('/');
    if addr.is_empty() {
        return Err(EndpointError::MissingAddress(input.to_owned()));
    }
    let (host, port) = host_and_port("the engine's host", addr)?;
    let Some(port) = port else {
        return Err(EndpointError::MissingAddress(input.to_owned()));
    };
    Ok(format!("{}:{port}", host.url_host()))
}

impl SshAddress {
    /// The longest user name accepted (Linux's useradd allows 32).
    pub const MAX_USER: usize = 32;

    /// `user@host`, `user@host:port` or `user@[v6]:port`.
    pub fn parse(rest: &str) -> Result<Self, EndpointError> {
        let full = format!("ssh://{rest}");
        let rest = rest.strip_suffix('/').unwrap_or(rest);
        if rest.is_empty() {
            return Err(EndpointError::MissingAddress(full));
        }
        if rest.contains(['/', '?', '#']) {
            return Err(EndpointError::SshExtra(full.chars().take(80).collect()));
        }
        let Some((user, authority)) = rest.rsplit_once('@') else {
            return Err(EndpointError::MissingSshUser(
                full.chars().take(80).collect(),
                rest.chars().take(80).collect(),
            ));
        };
        if !valid_user(user) {
            return Err(EndpointError::BadSshUser(user.chars().take(40).collect()));
        }
        if authority.is_empty() {
            return Err(EndpointError::MissingAddress(full));
        }
        let (host, port) = host_and_port("the ssh host", authority)?;
        Ok(Self {
            user: user.to_owned(),
            host,
            port: port.map_or(DEFAULT_SSH_PORT, Port::get),
        })
    }

    pub fn user(&self) -> &str {
        &self.user
    }

    pub fn host(&self) -> &Host {
        &self.host
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// How OpenSSH names this host in `known_hosts`: `host` on port 22, else `[host]:port`.
    pub fn known_hosts_name(&self) -> String {
        if self.port == DEFAULT_SSH_PORT {
            self.host.to_string()
        } else {
            format!("[{}]:{}", self.host, self.port)
        }
    }
}

/// A login name `ssh -l` can take without reading it as an option: letters, digits, `_`, `.`
/// and `-`, not starting with `-`.
fn valid_user(user: &str) -> bool {
    !user.is_empty()
        && user.len() <= SshAddress::MAX_USER
        && !user.starts_with('-')
        && user
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
}

impl fmt::Display for SshAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ssh://{}@{}", self.user, self.host.url_host())?;
        if self.port != DEFAULT_SSH_PORT {
            write!(f, ":{}", self.port)?;
        }
        Ok(())
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unix(path) => write!(f, "unix://{path}"),
            Self::Tcp(addr) => write!(f, "tcp://{addr}"),
            Self::Tls(addr) => write!(f, "https://{addr}"),
            Self::Ssh(ssh) => ssh.fmt(f),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_remote_endpoints_host_is_what_other_machines_use_and_a_socket_or_loopback_gives_none() {
        let host = |e: &str| Endpoint::parse(e).expect("parses").public_host();
        assert_eq!(host("ssh://root@203.0.113.7"), Some("203.0.113.7".into()));
        assert_eq!(
            host("ssh://deploy@app.example.com:2222"),
            Some("app.example.com".into())
        );
        assert_eq!(host("https://10.0.0.5:2376"), Some("10.0.0.5".into()));
        assert_eq!(
            host("tcp://[2001:db8::7]:2375"),
            Some("[2001:db8::7]".into())
        );
        assert_eq!(host("unix:///var/run/docker.sock"), None);
        assert_eq!(host("ssh://root@127.0.0.1:2222"), None);
        assert_eq!(host("https://localhost:2376"), None);
    }

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
        assert_eq!(
            Endpoint::parse("tcp://[::1]:2375"),
            Ok(Endpoint::Tcp("[::1]:2375".into()))
        );
    }

    #[test]
    fn https_and_tls_verified_tcp_are_tls_addresses() {
        assert_eq!(
            Endpoint::parse("https://docker.example.com:2376"),
            Ok(Endpoint::Tls("docker.example.com:2376".into()))
        );
        assert_eq!(
            Endpoint::parse("tcp://10.0.0.5:2376").map(Endpoint::with_tls),
            Ok(Endpoint::Tls("10.0.0.5:2376".into()))
        );
        assert_eq!(
            Endpoint::Tls("10.0.0.5:2376".into()).to_string(),
            "https://10.0.0.5:2376"
        );
    }

    #[test]
    fn ssh_urls_name_a_user_a_host_and_a_port() {
        let Ok(Endpoint::Ssh(ssh)) = Endpoint::parse("ssh://root@203.0.113.7") else {
            panic!("not ssh");
        };
        assert_eq!(ssh.user(), "root");
        assert_eq!(ssh.host().to_string(), "203.0.113.7");
        assert_eq!(ssh.port(), 22);
        assert_eq!(ssh.known_hosts_name(), "203.0.113.7");
        assert_eq!(ssh.to_string(), "ssh://root@203.0.113.7");

        let Ok(Endpoint::Ssh(ssh)) = Endpoint::parse("ssh://deploy@app-1.example.com:2222") else {
            panic!("not ssh");
        };
        assert_eq!(ssh.known_hosts_name(), "[app-1.example.com]:2222");
        assert_eq!(ssh.to_string(), "ssh://deploy@app-1.example.com:2222");
    }

    #[test]
    fn ssh_urls_that_could_become_options_or_shell_words_are_refused() {
        for bad in [
            "ssh://-oProxyCommand=sh@host",
            "ssh://root@-oProxyCommand=sh",
            "ssh://root@host;reboot",
            "ssh://root@host:22/extra",
            "ssh://root@host:22?x=1",
            "ssh://ro ot@host",
            "ssh://root@$(id)",
            "ssh://root@host:99999",
            "ssh://root@`id`",
        ] {
            assert!(Endpoint::parse(bad).is_err(), "{bad} was accepted");
        }
        assert!(matches!(
            Endpoint::parse("ssh://host"),
            Err(EndpointError::MissingSshUser(..))
        ));
    }

    #[test]
    fn garbage_endpoints_are_refused_clearly() {
        assert!(matches!(
            Endpoint::parse("ftp://host:2376"),
            Err(EndpointError::UnsupportedScheme(_))
        ));
        assert!(matches!(
            Endpoint::parse("tcp://"),
            Err(EndpointError::MissingAddress(_))
        ));
        assert!(matches!(
            Endpoint::parse("tcp://host"),
            Err(EndpointError::MissingAddress(_))
        ));
        assert!(matches!(
            Endpoint::parse("https://user:pw@host:2376"),
            Err(EndpointError::BadAddress(_))
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

    #[test]
    fn every_endpoint_reads_back_as_itself() {
        for url in [
            "unix:///var/run/docker.sock",
            "tcp://127.0.0.1:2375",
            "https://docker.example.com:2376",
            "ssh://root@10.1.2.3",
            "ssh://root@[2001:db8::1]:2200",
        ] {
            let endpoint = Endpoint::parse(url).unwrap_or_else(|e| panic!("{url}: {e}"));
            assert_eq!(endpoint.to_string(), url);
            assert_eq!(Endpoint::parse(&endpoint.to_string()), Ok(endpoint));
        }
    }
}
