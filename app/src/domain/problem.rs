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

    /// One line: what is wrong.
    pub fn headline(&self) -> String {
        let at = &self.endpoint;
        match self.kind {
            UnreachableKind::SocketMissing => {
                format!("No Docker Engine socket at {}", self.socket_path())
            }
            UnreachableKind::PermissionDenied => {
                format!("Permission denied opening the Docker Engine at {at}")
            }
            UnreachableKind::EngineStopped => format!("The Docker Engine at {at} is not running"),
            UnreachableKind::Timeout => format!("The Docker Engine at {at} did not answer in time"),
            UnreachableKind::NotDocker => {
                format!("Something answered at {at}, but it is not a Docker Engine")
            }
            UnreachableKind::Other => format!("Cannot reach the Docker Engine at {at}"),
        }
    }

    /// Why, in the terms of Docker.
    pub fn explanation(&self) -> String {
        match (self.kind, self.is_socket()) {
            (UnreachableKind::SocketMissing, _) => "Docker creates this socket when its daemon starts. It is missing, so Docker is not installed, not started, or listens somewhere else (rootless Docker uses /run/user/<uid>/docker.sock).".into(),
            (UnreachableKind::PermissionDenied, _) => "The socket belongs to root and the docker group. netdoctor runs as a user that is in neither, so the kernel refuses the connection. Remember that access to this socket is root on the host.".into(),
            (UnreachableKind::EngineStopped, true) => "The socket file is there but no daemon listens on it: dockerd stopped or crashed and left it behind.".into(),
            (UnreachableKind::EngineStopped, false) => "Nothing listens on that address: the daemon is stopped, or it does not listen on TCP.".into(),
            (UnreachableKind::Timeout, _) => "The connection opened but the daemon did not answer: it may be starting, overloaded, or hung.".into(),
            (UnreachableKind::NotDocker, _) => "The answer did not look like the Docker Engine API. Check that the endpoint points at dockerd (or a socket proxy in front of it).".into(),
            (UnreachableKind::Other, _) => "The connection failed for a reason netdoctor does not recognise; the detail below has the system's words.".into(),
        }
    }

    /// The exact fix, as steps.
    pub fn fix(&self) -> Vec<FixStep> {
        let retarget = FixStep::say("If Docker listens elsewhere, start netdoctor with --docker-host (or DOCKER_HOST) pointing at it, e.g. unix:///run/user/1000/docker.sock.");
        match self.kind {
            UnreachableKind::SocketMissing => vec![
                FixStep::run("Start the Docker daemon:", "sudo systemctl start docker"),
                FixStep::run("Check that it is running:", "sudo systemctl status docker"),
                retarget,
            ],
            UnreachableKind::PermissionDenied => vec![
                FixStep::run("Add netdoctor's user to the docker group, then log in again:", "sudo usermod -aG docker \"$USER\""),
                FixStep::run("Or check who may open the socket:", &format!("ls -l {}", self.socket_path())),
            ],
            UnreachableKind::EngineStopped if self.is_socket() => vec![
                FixStep::run("Start the Docker daemon:", "sudo systemctl start docker"),
                FixStep::run("See why it stopped:", "sudo journalctl -u docker --since '1 hour ago'"),
            ],
            UnreachableKind::EngineStopped => vec![
                FixStep::say("Start the daemon on that host, or check that it listens on this address (dockerd -H tcp://…)."),
                retarget,
            ],
            UnreachableKind::Timeout => vec![
                FixStep::run("See what the daemon is doing:", "sudo systemctl status docker"),
                FixStep::run("Read its recent log:", "sudo journalctl -u docker --since '10 minutes ago'"),
            ],
            UnreachableKind::NotDocker | UnreachableKind::Other => vec![retarget],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        for kind in [
            UnreachableKind::SocketMissing,
            UnreachableKind::PermissionDenied,
            UnreachableKind::EngineStopped,
            UnreachableKind::Timeout,
            UnreachableKind::NotDocker,
            UnreachableKind::Other,
        ] {
            let p = problem(kind);
            assert!(
                !p.headline().is_empty() && !p.explanation().is_empty() && !p.fix().is_empty(),
                "{kind:?}"
            );
        }
    }
}
