//! What a probe found, in words a user can act on, and the record of every run: what ran,
//! where, when, and how it ended. Serialisable so the pages and `--json` show the same thing.

use crate::domain::checks::probe::Tool;
use serde::{Deserialize, Serialize};
use std::net::IpAddr;

/// How one step ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum StepStatus {
    /// The check passed.
    Ok,
    /// The check ran and the answer is a problem.
    Failed,
    /// The check could not run (container stopped, no tool, toolbox image missing, engine error).
    CouldNotRun,
}

impl StepStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Failed => "failed",
            Self::CouldNotRun => "could not run",
        }
    }
}

/// A TCP socket in the LISTEN state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Listener {
    pub address: IpAddr,
    pub port: u16,
}

impl Listener {
    /// Bound to 127.0.0.1/::1 (or any 127/8): only the container itself can connect.
    pub fn is_loopback_only(&self) -> bool {
        match self.address {
            IpAddr::V4(a) => a.is_loopback(),
            IpAddr::V6(a) => {
                a.is_loopback() || a.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
            }
        }
    }

    /// Docker's embedded DNS listens on 127.0.0.11 inside every container on a user-defined
    /// network; that socket is not the application's.
    pub fn is_docker_dns(&self) -> bool {
        self.address == IpAddr::V4(std::net::Ipv4Addr::new(127, 0, 0, 11))
    }
}

impl std::fmt::Display for Listener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.address {
            IpAddr::V6(a) => write!(f, "[{a}]:{}", self.port),
            IpAddr::V4(a) => write!(f, "{a}:{}", self.port),
        }
    }
}

/// The parts of `/etc/resolv.conf` that decide name resolution.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResolvConf {
    pub nameservers: Vec<String>,
    pub search: Vec<String>,
    pub options: Vec<String>,
}

impl ResolvConf {
    /// Docker's embedded DNS (user-defined networks) rather than a copy of the host's resolvers
    /// (default bridge).
    pub fn uses_docker_dns(&self) -> bool {
        self.nameservers.iter().any(|n| n == "127.0.0.11")
    }
}

/// What the output said, once parsed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Observation {
    Resolved {
        addresses: Vec<IpAddr>,
    },
    /// The resolver answered: no such name (NXDOMAIN, `bad address`).
    NameNotFound,
    /// No DNS server answered.
    NoDnsAnswer,
    /// The container has no route to that network (network `none`, no default route).
    NetworkUnreachable,
    /// No route to that host (nothing has that address on the link).
    HostUnreachable,
    PingReplied,
    NoPingReply,
    Connected,
    ConnectionRefused,
    ConnectTimedOut,
    HttpStatus {
        code: u16,
    },
    ResolvConf(ResolvConf),
    Listeners {
        sockets: Vec<Listener>,
    },
    /// Error lines of a log that mention what the check is about (the newest last), out of the
    /// lines read.
    LogErrors {
        lines: Vec<String>,
        matching: usize,
        other_errors: usize,
        scanned: usize,
    },
    /// The runner gave up waiting.
    TimedOut {
        after_ms: u64,
    },
    /// The output was not understood; the record keeps it.
    Unrecognised,
    /// Nothing ran; the summary says why.
    NotRun,
}

/// A probe's result: status, what was seen, and one plain sentence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProbeOutcome {
    pub status: StepStatus,
    pub observation: Observation,
    pub summary: String,
}

impl ProbeOutcome {
    pub fn ok(observation: Observation, summary: impl Into<String>) -> Self {
        Self {
            status: StepStatus::Ok,
            observation,
            summary: summary.into(),
        }
    }

    pub fn failed(observation: Observation, summary: impl Into<String>) -> Self {
        Self {
            status: StepStatus::Failed,
            observation,
            summary: summary.into(),
        }
    }

    pub fn not_run(summary: impl Into<String>) -> Self {
        Self {
            status: StepStatus::CouldNotRun,
            observation: Observation::NotRun,
            summary: summary.into(),
        }
    }
}

/// Where a probe ran.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Via {
    /// `docker exec` in the container itself.
    InContainer,
    /// A short-lived container from the toolbox image sharing the target's network namespace.
    DebugContainer { image: String },
    /// Nothing ran.
    Nothing,
}

impl Via {
    pub fn describe(&self) -> String {
        match self {
            Self::InContainer => "inside the container".into(),
            Self::DebugContainer { image } => {
                format!("in a debug container ({image}) sharing its network")
            }
            Self::Nothing => "nowhere".into(),
        }
    }
}

/// One run of one probe, as the run log keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunRecord {
    /// Unique within this netdoctor process; also labels a debug container.
    pub id: String,
    /// The question, in words (`resolve db`).
    pub probe: String,
    /// The argv that ran (empty when nothing ran).
    pub argv: Vec<String>,
    /// The argv as a user would type it.
    pub command: String,
    pub tool: Option<Tool>,
    /// The container's name as typed or listed.
    pub container: String,
    pub container_id: Option<String>,
    pub via: Via,
    /// Milliseconds since the Unix epoch.
    pub started_at_ms: u64,
    pub duration_ms: u64,
    pub exit_code: Option<i64>,
    /// stdout and stderr as they came, cut at the runner's limit.
    pub output: String,
    pub output_truncated: bool,
    pub outcome: ProbeOutcome,
}

impl RunRecord {
    pub fn status(&self) -> StepStatus {
        self.outcome.status
    }
}
