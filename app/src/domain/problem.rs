//! "Cannot reach the Docker Engine", said plainly: what is wrong, why, and the exact fix.

use serde::{Deserialize, Serialize};

/// Why the engine did not answer, sorted from the OS error behind it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum UnreachableKind {
    /// No socket file at the configured path (ENOENT).
    SocketMissing,
    /// The socket exists but this process may not open it (EACCES, EPERM).
    PermissionDenied,
    /// The socket or port exists and nothing answers (ECONNREFUSED): the daemon is stopped.
    EngineStopped,
    /// Something accepted the connection but no answer came in time.
    Timeout,
    /// The peer answered, but not like a Docker Engine.
    NotDocker,
    /// The engine's TLS certificate names other hosts than the one netdoctor dialled.
    TlsWrongName,
    /// The engine's TLS certificate is not signed by the configured CA, or has expired.
    TlsUntrusted,
    /// The engine refused netdoctor's client certificate.
    TlsClientRefused,
    /// Nothing speaks TLS on that port (a plain-HTTP engine, or another service).
    TlsNotSpoken,
    /// netdoctor's own key or certificates for this server are missing or unreadable.
    Credentials,
    /// No `ssh` client on this machine (the FROM-scratch container image has none).
    SshNoClient,
    /// `ssh` could not open a connection to the server's sshd (refused, no route, no such name).
    SshConnectFailed,
    /// The server's host key is not in netdoctor's `known_hosts` yet; the detail holds its
    /// fingerprints for the user to compare and accept.
    SshHostKeyUnknown,
    /// The server offers another host key than the one accepted before: refused.
    SshHostKeyChanged,
    /// sshd refused the key (`Permission denied (publickey)`).
    SshAuthFailed,
    /// Logged in, but the server has no `docker` command to relay to its engine.
    RemoteNoDocker,
    /// Anything else; the detail says what.
    Other,
}

/// The OS error kinds the engine layer sees, without naming `std::io` in the wire type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OsErrorKind {
    NotFound,
    PermissionDenied,
    ConnectionRefused,
    TimedOut,
    Other,
}

impl UnreachableKind {
    pub fn from_os_error(kind: OsErrorKind) -> Self {
        match kind {
            OsErrorKind::NotFound => Self::SocketMissing,
            OsErrorKind::PermissionDenied => Self::PermissionDenied,
            OsErrorKind::ConnectionRefused => Self::EngineStopped,
            OsErrorKind::TimedOut => Self::Timeout,
            OsErrorKind::Other => Self::Other,
        }
    }
}

/// One step of a fix: what to do, and the command when there is one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FixStep {
    pub text: String,
    pub command: Option<String>,
}

impl FixStep {
    /// A step with a command to run.
    pub fn run(text: &str, command: &str) -> Self {
        Self {
            text: text.to_owned(),
            command: Some(command.to_owned()),
        }
    }
    /// A step without a command: a setting to change, a thing to check.
    pub fn say(text: &str) -> Self {
        Self {
            text: text.to_owned(),
            command: None,
        }
    }
}

/// Everything the page needs to explain an unreachable engine.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EngineProblem {
    /// `unix:///var/run/docker.sock` or `tcp://host:port`.
    pub endpoint: String,
    pub kind: UnreachableKind,
    /// The underlying error's words, for the curious; never secrets (engine errors carry none).
    pub detail: String,
}

impl EngineProblem {
    fn is_socket(&self) -> bool {
        self.endpoint.starts_with("unix://")
    }

    fn socket_path(&self) -> &str {
        self.endpoint
            .strip_prefix("unix://")
            .unwrap_or(&self.endpoint)
    }

    fn is_ssh(&self) -> bool {
        self.endpoint.starts_with("ssh://")
    }

    /// `root@host` (with `-p PORT` before it off port 22) from an `ssh://` endpoint, for the
    /// commands a fix suggests.
    fn ssh_login(&self) -> String {
        match crate::domain::endpoint::Endpoint::parse(&self.endpoint) {
            Ok(crate::domain::endpoint::Endpoint::Ssh(a)) if a.port() == 22 => {
                format!("{}@{}", a.user(), a.host())
            }
            Ok(crate::domain::endpoint::Endpoint::Ssh(a)) => {
                format!("-p {} {}@{}", a.port(), a.user(), a.host())
            }
            _ => "user@server".into(),
        }
    }

    /// One line: what is wrong.
    pub fn headline(&self) -> String {
        let at = &self.endpoint;
        match self.kind {
            UnreachableKind::SocketMissing => {
                format!("No Docker Engine socket at {}", self.socket_path())
            }
            UnreachableKind::PermissionDenied if self.is_ssh() => {
                format!("Permission denied opening the Docker socket on the server behind {at}")
            }
            UnreachableKind::PermissionDenied => {
                format!("Permission denied opening the Docker Engine at {at}")
            }
            UnreachableKind::EngineStopped => format!("The Docker Engine at {at} is not running"),
            UnreachableKind::Timeout => format!("The Docker Engine at {at} did not answer in time"),
            UnreachableKind::NotDocker => {
                format!("Something answered at {at}, but it is not a Docker Engine")
            }
            UnreachableKind::TlsWrongName => {
                format!("The TLS certificate of {at} is for another host name")
            }
            UnreachableKind::TlsUntrusted => {
                format!("The TLS certificate of {at} is not trusted")
            }
            UnreachableKind::TlsClientRefused => {
                format!("The Docker Engine at {at} refused netdoctor's client certificate")
            }
            UnreachableKind::TlsNotSpoken => format!("Nothing speaks TLS at {at}"),
            UnreachableKind::Credentials => {
                format!("netdoctor's key or certificates for {at} cannot be read")
            }
            UnreachableKind::SshNoClient => {
                format!("No ssh client here to reach {at}")
            }
            UnreachableKind::SshConnectFailed => format!("ssh cannot connect to {at}"),
            UnreachableKind::SshHostKeyUnknown => {
                format!("The host key of {at} is not known yet: compare and accept it")
            }
            UnreachableKind::SshHostKeyChanged => {
                format!("The host key of {at} has changed: connection refused")
            }
            UnreachableKind::SshAuthFailed => {
                format!("The server at {at} refused netdoctor's SSH key")
            }
            UnreachableKind::RemoteNoDocker => {
                format!("The server at {at} has no docker command to reach its engine")
            }
            UnreachableKind::Other => format!("Cannot reach the Docker Engine at {at}"),
        }
    }

    /// Why, in the terms of Docker.
    pub fn explanation(&self) -> String {
        match (self.kind, self.is_socket()) {
            (UnreachableKind::SocketMissing, _) => "Docker creates this socket when its daemon starts. It is missing, so Docker is not installed, not started, or listens somewhere else (rootless Docker uses /run/user/<uid>/docker.sock).".into(),
            (UnreachableKind::PermissionDenied, _) if self.is_ssh() => "netdoctor logged in, but the user it logs in as is not in the server's docker group, so `docker system dial-stdio` may not open /var/run/docker.sock there. Access to that socket is root on the server.".into(),
            (UnreachableKind::PermissionDenied, _) => "The socket belongs to root and the docker group. netdoctor runs as a user that is in neither, so the kernel refuses the connection. Remember that access to this socket is root on the host.".into(),
            (UnreachableKind::EngineStopped, true) => "The socket file is there but no daemon listens on it: dockerd stopped or crashed and left it behind.".into(),
            (UnreachableKind::EngineStopped, false) if self.is_ssh() => "netdoctor logged in over SSH, but the docker command there found no daemon on the server's socket: dockerd is stopped.".into(),
            (UnreachableKind::EngineStopped, false) => "Nothing listens on that address: the daemon is stopped, or it does not listen on TCP.".into(),
            (UnreachableKind::Timeout, _) => "The connection opened but the daemon did not answer: it may be starting, overloaded, or hung.".into(),
            (UnreachableKind::NotDocker, _) => "The answer did not look like the Docker Engine API. Check that the endpoint points at dockerd (or a socket proxy in front of it).".into(),
            (UnreachableKind::TlsWrongName, _) => "TLS proves whom you talk to by the names in the server's certificate. This one names other hosts than the address netdoctor dialled, so it could be any machine holding a certificate from the same CA; netdoctor refuses it, as the docker CLI does.".into(),
            (UnreachableKind::TlsUntrusted, _) => "The engine's certificate is not signed by the CA netdoctor was given for this server, or it has expired or is not valid yet. Without that proof the connection could be intercepted.".into(),
            (UnreachableKind::TlsClientRefused, _) => "With --tlsverify the engine only talks to clients whose certificate its CA signed. The client certificate netdoctor presented was not signed by that CA (or has expired).".into(),
            (UnreachableKind::TlsNotSpoken, _) => "The port answered, but not with TLS: it is a plain-HTTP engine (use tcp:// without certificates) or another service.".into(),
            (UnreachableKind::Credentials, _) => "netdoctor keeps each server's key and certificates in its data directory (mode 0600). The file is missing, unreadable, or not a PEM key or certificate.".into(),
            (UnreachableKind::SshNoClient, _) => "netdoctor reaches ssh:// servers through the system's OpenSSH client, which runs `docker system dial-stdio` on the server. The container image is built FROM scratch and has no ssh; run netdoctor on a host with openssh-client, or reach the engine over TLS.".into(),
            (UnreachableKind::SshConnectFailed, _) => "ssh could not open a TCP connection to the server: the name does not resolve, nothing listens on that port, or a firewall drops it.".into(),
            (UnreachableKind::SshHostKeyUnknown, _) => "SSH proves the server's identity with its host key. netdoctor has not seen this server's key before, so it asks you to compare the fingerprint with the one the server itself shows before it trusts it.".into(),
            (UnreachableKind::SshHostKeyChanged, _) => "The server presents another host key than the one accepted before. Either it was reinstalled (or its keys regenerated), or someone is intercepting the connection. netdoctor refuses until you check.".into(),
            (UnreachableKind::SshAuthFailed, _) => "sshd on the server does not accept the private key netdoctor holds for this server: its public half is not in the user's ~/.ssh/authorized_keys there, or the key needs a passphrase (netdoctor needs one without).".into(),
            (UnreachableKind::RemoteNoDocker, _) => "Over SSH netdoctor runs `docker system dial-stdio` on the server, which relays to the engine's local socket. The server has no docker command on the PATH of a non-interactive login.".into(),
            (UnreachableKind::Other, _) => "The connection failed for a reason netdoctor does not recognise; the detail below has the system's words.".into(),
        }
    }

    /// The exact fix, as steps.
    pub fn fix(&self) -> Vec<FixStep> {
        let retarget = FixStep::say("If Docker listens elsewhere, start netdoctor with --docker-host (or DOCKER_HOST) pointing at it, e.g. unix:///run/user/1000/docker.sock.");
        let on_server = |text: &str, command: &str| {
            FixStep::run(text, &format!("ssh {} {command}", self.ssh_login()))
        };
        let servers_page = FixStep::say(
            "Then open Servers in netdoctor and connect again (or edit the server there).",
        );
        match self.kind {
            UnreachableKind::SocketMissing => vec![
                FixStep::run("Start the Docker daemon:", "sudo systemctl start docker"),
                FixStep::run("Check that it is running:", "sudo systemctl status docker"),
                retarget,
            ],
            UnreachableKind::PermissionDenied if self.is_ssh() => vec![
                on_server("Add the SSH user to the server's docker group (it takes effect at the next login):", "sudo usermod -aG docker \"$USER\""),
                on_server("Or check who may open the socket there:", "ls -l /var/run/docker.sock"),
            ],
            UnreachableKind::PermissionDenied => vec![
                FixStep::run("Add netdoctor's user to the docker group, then log in again:", "sudo usermod -aG docker \"$USER\""),
                FixStep::run("Or check who may open the socket:", &format!("ls -l {}", self.socket_path())),
            ],
            UnreachableKind::EngineStopped if self.is_socket() => vec![
                FixStep::run("Start the Docker daemon:", "sudo systemctl start docker"),
                FixStep::run("See why it stopped:", "sudo journalctl -u docker --since '1 hour ago'"),
            ],
            UnreachableKind::EngineStopped if self.is_ssh() => vec![
                on_server("Start the Docker daemon on the server:", "sudo systemctl start docker"),
                on_server("See why it stopped:", "sudo journalctl -u docker --since '1 hour ago'"),
            ],
            UnreachableKind::EngineStopped => vec![
                FixStep::say("Start the daemon on that host, or check that it listens on this address (dockerd -H tcp://…)."),
                retarget,
            ],
            UnreachableKind::Timeout if self.is_ssh() => vec![
                on_server("See what the daemon is doing:", "sudo systemctl status docker"),
                on_server("Read its recent log:", "sudo journalctl -u docker --since '10 minutes ago'"),
            ],
            UnreachableKind::Timeout => vec![
                FixStep::run("See what the daemon is doing:", "sudo systemctl status docker"),
                FixStep::run("Read its recent log:", "sudo journalctl -u docker --since '10 minutes ago'"),
            ],
            UnreachableKind::TlsWrongName => vec![
                FixStep::say("Connect with a host name or IP address the certificate names (the detail lists them), or reissue the server's certificate with this name in its subjectAltName:"),
                FixStep::run("See the names the engine's certificate holds:", "openssl x509 -in server-cert.pem -noout -ext subjectAltName"),
                servers_page,
            ],
            UnreachableKind::TlsUntrusted => vec![
                FixStep::say("Give netdoctor the CA certificate that signed the engine's certificate (ca.pem, as dockerd's --tlscacert), and check that the certificate has not expired:"),
                FixStep::run("On the server:", "openssl x509 -in server-cert.pem -noout -issuer -dates"),
                servers_page,
            ],
            UnreachableKind::TlsClientRefused => vec![
                FixStep::say("Give netdoctor a client certificate and key signed by the CA the engine trusts (dockerd's --tlscacert), with extendedKeyUsage clientAuth:"),
                FixStep::run("Check who signed the client certificate:", "openssl x509 -in cert.pem -noout -issuer -dates"),
                servers_page,
            ],
            UnreachableKind::TlsNotSpoken => vec![
                FixStep::say("Check the port: dockerd listens with TLS on 2376 by convention and without on 2375. A plain-HTTP engine is added as tcp://host:port without certificates."),
                servers_page,
            ],
            UnreachableKind::Credentials => vec![
                FixStep::say("Give the server's key or certificates again on the Servers page, or put readable PEM files where servers.json points (mode 0600)."),
            ],
            UnreachableKind::SshNoClient => vec![
                FixStep::run("On Debian or Ubuntu, install the OpenSSH client where netdoctor runs:", "sudo apt-get install openssh-client"),
                FixStep::say("In the container image there is no ssh: reach that engine over TLS (dockerd --tlsverify -H tcp://0.0.0.0:2376) instead."),
            ],
            UnreachableKind::SshConnectFailed => vec![
                FixStep::say("Check the host name and port, and that sshd runs there and a firewall lets this machine in."),
                FixStep::run("Try the same connection from where netdoctor runs:", &format!("ssh {} true", self.ssh_login())),
            ],
            UnreachableKind::SshHostKeyUnknown => vec![
                FixStep::run("On the server itself (its console, or a session you already trust), print its host key fingerprints:", "for k in /etc/ssh/ssh_host_*_key.pub; do ssh-keygen -lf \"$k\"; done"),
                FixStep::say("If one of them equals the fingerprint shown here, accept the key on the Servers page. If none does, do not accept it."),
            ],
            UnreachableKind::SshHostKeyChanged => vec![
                FixStep::run("On the server itself, print its host key fingerprints:", "for k in /etc/ssh/ssh_host_*_key.pub; do ssh-keygen -lf \"$k\"; done"),
                FixStep::say("Only if the new fingerprint shown here is among them (the server was reinstalled or its keys regenerated): on the Servers page, forget the old key, then accept the new one."),
            ],
            UnreachableKind::SshAuthFailed => vec![
                FixStep::say("Add the public half of netdoctor's key for this server to ~/.ssh/authorized_keys of the SSH user on the server (in Coolify, the server's private key is under Keys & Tokens; its public key is shown there)."),
                FixStep::run("Check from where netdoctor runs, with the same key:", &format!("ssh -i KEYFILE -o IdentitiesOnly=yes {} true", self.ssh_login())),
            ],
            UnreachableKind::RemoteNoDocker => vec![
                on_server("Check that the docker command is there for a non-interactive login:", "command -v docker"),
                FixStep::say("Install the Docker CLI on the server (Debian: apt-get install docker.io or docker-ce-cli), or put it on the PATH that sshd gives non-interactive logins."),
            ],
            UnreachableKind::NotDocker | UnreachableKind::Other => vec![retarget],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL_KINDS: [UnreachableKind; 17] = [
        UnreachableKind::SocketMissing,
        UnreachableKind::PermissionDenied,
        UnreachableKind::EngineStopped,
        UnreachableKind::Timeout,
        UnreachableKind::NotDocker,
        UnreachableKind::TlsWrongName,
        UnreachableKind::TlsUntrusted,
        UnreachableKind::TlsClientRefused,
        UnreachableKind::TlsNotSpoken,
        UnreachableKind::Credentials,
        UnreachableKind::SshNoClient,
        UnreachableKind::SshConnectFailed,
        UnreachableKind::SshHostKeyUnknown,
        UnreachableKind::SshHostKeyChanged,
        UnreachableKind::SshAuthFailed,
        UnreachableKind::RemoteNoDocker,
        UnreachableKind::Other,
    ];

    fn problem(kind: UnreachableKind) -> EngineProblem {
        EngineProblem {
            endpoint: "unix:///var/run/docker.sock".into(),
            kind,
            detail: String::new(),
        }
    }

    #[test]
    fn os_errors_map_to_what_a_user_can_act_on() {
        assert_eq!(
            UnreachableKind::from_os_error(OsErrorKind::NotFound),
            UnreachableKind::SocketMissing
        );
        assert_eq!(
            UnreachableKind::from_os_error(OsErrorKind::PermissionDenied),
            UnreachableKind::PermissionDenied
        );
        assert_eq!(
            UnreachableKind::from_os_error(OsErrorKind::ConnectionRefused),
            UnreachableKind::EngineStopped
        );
        assert_eq!(
            UnreachableKind::from_os_error(OsErrorKind::TimedOut),
            UnreachableKind::Timeout
        );
    }

    #[test]
    fn a_missing_socket_names_the_path_and_says_to_start_docker() {
        let p = problem(UnreachableKind::SocketMissing);
        assert_eq!(
            p.headline(),
            "No Docker Engine socket at /var/run/docker.sock"
        );
        assert!(p
            .fix()
            .iter()
            .any(|s| s.command.as_deref() == Some("sudo systemctl start docker")));
    }

    #[test]
    fn permission_denied_says_how_to_join_the_docker_group_and_why_it_matters() {
        let p = problem(UnreachableKind::PermissionDenied);
        assert!(p.explanation().contains("root on the host"));
        assert!(p.fix().iter().any(|s| s
            .command
            .as_deref()
            .is_some_and(|c| c.contains("usermod -aG docker"))));
        assert!(p
            .fix()
            .iter()
            .any(|s| s.command.as_deref() == Some("ls -l /var/run/docker.sock")));
    }

    #[test]
    fn a_stopped_engine_on_tcp_does_not_suggest_systemctl() {
        let p = EngineProblem {
            endpoint: "tcp://10.0.0.5:2375".into(),
            kind: UnreachableKind::EngineStopped,
            detail: String::new(),
        };
        assert!(p.fix().iter().all(|s| s.command.is_none()));
        assert!(p.headline().contains("tcp://10.0.0.5:2375"));
    }

    #[test]
    fn every_kind_has_a_headline_an_explanation_and_a_fix() {
        for endpoint in [
            "unix:///var/run/docker.sock",
            "https://10.0.0.5:2376",
            "ssh://root@10.0.0.5:2222",
        ] {
            for kind in ALL_KINDS {
                let p = EngineProblem {
                    endpoint: endpoint.into(),
                    kind,
                    detail: String::new(),
                };
                assert!(
                    !p.headline().is_empty() && !p.explanation().is_empty() && !p.fix().is_empty(),
                    "{kind:?} at {endpoint}"
                );
            }
        }
    }

    #[test]
    fn fixes_for_a_server_over_ssh_run_on_that_server() {
        let p = EngineProblem {
            endpoint: "ssh://deploy@203.0.113.7:2222".into(),
            kind: UnreachableKind::PermissionDenied,
            detail: String::new(),
        };
        assert!(p.headline().contains("on the server"));
        assert!(p.fix().iter().any(|s| s.command.as_deref()
            == Some("ssh -p 2222 deploy@203.0.113.7 sudo usermod -aG docker \"$USER\"")));
        let stopped = EngineProblem {
            kind: UnreachableKind::EngineStopped,
            ..p
        };
        assert!(stopped.fix().iter().any(|s| s.command.as_deref()
            == Some("ssh -p 2222 deploy@203.0.113.7 sudo systemctl start docker")));
    }

    #[test]
    fn a_changed_host_key_is_refused_and_never_accepted_in_one_step() {
        let p = EngineProblem {
            endpoint: "ssh://root@app-1.example.com".into(),
            kind: UnreachableKind::SshHostKeyChanged,
            detail: "ED25519 SHA256:abc".into(),
        };
        assert!(p.headline().contains("refused"));
        assert!(p
            .fix()
            .iter()
            .any(|s| s.text.contains("forget the old key, then accept")));
    }
}
