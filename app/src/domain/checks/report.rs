//! The shape every check shares: steps with visible results, and a diagnosis with the fix. A
//! check is a pure function from "what we know so far" to the next step, so its sequencing is
//! unit-tested without Docker and the engine only runs what it is told.

use crate::domain::checks::outcome::{ProbeOutcome, RunRecord, StepStatus};
use crate::domain::checks::probe::Probe;
use crate::domain::names::ContainerName;
use crate::domain::problem::FixStep;
use crate::domain::reachability::{Cause, CauseCode};
use serde::{Deserialize, Serialize};

/// Which question a step answers; a check finds earlier answers by kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum StepKind {
    /// Read from the Engine's inspect answers, nothing executed.
    Topology,
    NetworkMode,
    InternalNetwork,
    ResolvConf,
    Resolve,
    Ping,
    Connect,
    Http,
    Listeners,
    /// Proxy checks: the proxy container, the route, the target's state, the networks the
    /// proxy dials, the route's port, and the proxy's recent log.
    Proxy,
    Route,
    TargetState,
    ProxyNetwork,
    RoutePort,
    ProxyLog,
}

/// One step as the user sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckStep {
    pub kind: StepKind,
    /// The question, e.g. "Does db resolve from web?".
    pub title: String,
    /// The container the probe ran in, if one ran.
    pub on: Option<String>,
    pub outcome: ProbeOutcome,
    /// What ran, when, and its output; `None` for topology steps.
    pub run: Option<RunRecord>,
}

impl CheckStep {
    /// A step answered from the topology.
    pub fn note(kind: StepKind, title: impl Into<String>, outcome: ProbeOutcome) -> Self {
        Self {
            kind,
            title: title.into(),
            on: None,
            outcome,
            run: None,
        }
    }

    pub fn status(&self) -> StepStatus {
        self.outcome.status
    }
}

/// A probe the check wants run next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedProbe {
    pub kind: StepKind,
    pub title: String,
    pub on: ContainerName,
    pub probe: Probe,
}

impl PlannedProbe {
    /// The step for this probe's run.
    pub fn into_step(self, run: RunRecord) -> CheckStep {
        CheckStep {
            kind: self.kind,
            title: self.title,
            on: Some(self.on.to_string()),
            outcome: run.outcome.clone(),
            run: Some(run),
        }
    }
}

/// A log the check wants read (the proxy's recent errors): the last `tail` lines from the last
/// `since_secs` seconds, scanned for error lines that mention one of `needles`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedLogRead {
    pub kind: StepKind,
    pub title: String,
    pub on: ContainerName,
    pub tail: u32,
    pub since_secs: u32,
    /// The domain, container names and addresses an error line must mention to be about this
    /// check (matched case-insensitively).
    pub needles: Vec<String>,
}

impl PlannedLogRead {
    /// At most this many matching lines are kept in the step.
    pub const KEEP: usize = 10;

    /// The step for the lines read (or why they could not be).
    pub fn into_step(self, lines: Result<Vec<String>, String>) -> CheckStep {
        let on = Some(self.on.to_string());
        let outcome = match lines {
            Err(why) => {
                ProbeOutcome::not_run(format!("The log of {} could not be read: {why}", self.on))
            }
            Ok(lines) => {
                let scan = crate::domain::checks::log_scan::scan(&lines, &self.needles, Self::KEEP);
                scan.outcome(self.on.as_str(), lines.len())
            }
        };
        CheckStep {
            kind: self.kind,
            title: self.title,
            on,
            outcome,
            run: None,
        }
    }
}

/// What a check does next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Next {
    /// Record this topology answer and ask again.
    Note(Box<CheckStep>),
    /// Run this probe, record its step, and ask again.
    Run(PlannedProbe),
    /// Read this log, record its step, and ask again.
    ReadLog(PlannedLogRead),
    /// Finished.
    Done(Diagnosis),
}

/// Stable identifiers for what a check concluded (used in `--json` and URLs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DiagnosisCode {
    Healthy,
    ContainerNotFound,
    SourceStopped,
    TargetStopped,
    NoNetwork,
    NoSharedNetwork,
    DefaultBridgeNoNames,
    NameDoesNotResolve,
    BoundToLoopback,
    WrongPort,
    NotListening,
    PacketsDropped,
    ConnectFailed,
    HttpFailed,
    NoProxy,
    ProxyStopped,
    NoRoute,
    TargetUnhealthy,
    ProxyNotOnNetwork,
    ProxyDialsOtherNetwork,
    RoutePortUnknown,
    /// The proxy loaded the route and refused it (Traefik's `disabled`, with its reason).
    RouteRejected,
    /// The labels ask for a route the proxy did not load.
    RouteNotLoaded,
    /// The loaded route dials an address no container holds.
    RouteUpstreamUnknown,
    InternalNetworkOnly,
    DnsBroken,
    NoOutboundRoute,
    CouldNotRun,
}

impl DiagnosisCode {
    pub fn slug(self) -> String {
        serde_json::to_value(self)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default()
    }
}

/// The check's conclusion: what is wrong, why, and the exact fix; or that all is well.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnosis {
    pub healthy: bool,
    pub code: DiagnosisCode,
    pub title: String,
    pub why: String,
    pub fix: Vec<FixStep>,
}

impl Diagnosis {
    pub fn healthy(title: impl Into<String>, why: impl Into<String>) -> Self {
        Self {
            healthy: true,
            code: DiagnosisCode::Healthy,
            title: title.into(),
            why: why.into(),
            fix: Vec::new(),
        }
    }

    /// The check took more than [`MAX_STEPS`] steps.
    pub fn unfinished() -> Self {
        Self::problem(
            DiagnosisCode::CouldNotRun,
            "The check did not finish",
            format!("It took more than {MAX_STEPS} steps; this is a bug in netdoctor."),
            Vec::new(),
        )
    }

    /// A step could not run, so the check cannot conclude; says why.
    pub fn could_not_run(step: &CheckStep) -> Self {
        Self::problem(
            DiagnosisCode::CouldNotRun,
            format!("The check stopped: \"{}\" could not run", step.title),
            step.outcome.summary.clone(),
            Vec::new(),
        )
    }

    pub fn problem(
        code: DiagnosisCode,
        title: impl Into<String>,
        why: impl Into<String>,
        fix: Vec<FixStep>,
    ) -> Self {
        Self {
            healthy: false,
            code,
            title: title.into(),
            why: why.into(),
            fix,
        }
    }
}

/// A finished check: its inputs in words, every step, and the diagnosis.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckReport {
    /// `reach`, `external`.
    pub check: String,
    /// The inputs in words, e.g. "web → db:5432".
    pub subject: String,
    pub steps: Vec<CheckStep>,
    pub diagnosis: Diagnosis,
}

/// A check while it runs, for the page that shows its steps as they finish: the steps so far,
/// then the report (or why the check could not run at all).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckProgress {
    /// Identifies the run for polling; random, not guessable from others.
    pub id: String,
    pub check: String,
    pub subject: String,
    pub steps: Vec<CheckStep>,
    pub report: Option<CheckReport>,
    /// The engine failed (unreachable, unknown container) before a diagnosis.
    pub error: Option<String>,
}

impl CheckProgress {
    pub fn finished(&self) -> bool {
        self.report.is_some() || self.error.is_some()
    }
}

/// The latest step of a kind.
pub fn last_of(done: &[CheckStep], kind: StepKind) -> Option<&CheckStep> {
    done.iter().rev().find(|s| s.kind == kind)
}

/// Drives a check to its diagnosis with a given probe runner: the same loop serves the engine
/// (which runs probes for real) and the tests (which answer from recorded outputs). A step
/// limit guards against a check that never finishes. Logs read as empty; see
/// [`drive_with_logs`].
pub fn drive<F>(next: impl FnMut(&[CheckStep]) -> Next, run: F) -> (Vec<CheckStep>, Diagnosis)
where
    F: FnMut(&PlannedProbe) -> RunRecord,
{
    drive_with_logs(next, run, |_| Ok(Vec::new()))
}

/// [`drive`], with the lines each log read returns.
pub fn drive_with_logs<F, L>(
    mut next: impl FnMut(&[CheckStep]) -> Next,
    mut run: F,
    mut read: L,
) -> (Vec<CheckStep>, Diagnosis)
where
    F: FnMut(&PlannedProbe) -> RunRecord,
    L: FnMut(&PlannedLogRead) -> Result<Vec<String>, String>,
{
    let mut steps: Vec<CheckStep> = Vec::new();
    for _ in 0..MAX_STEPS {
        match next(&steps) {
            Next::Note(step) => steps.push(*step),
            Next::Run(planned) => {
                let record = run(&planned);
                steps.push(planned.into_step(record));
            }
            Next::ReadLog(planned) => {
                let lines = read(&planned);
                steps.push(planned.into_step(lines));
            }
            Next::Done(d) => return (steps, d),
        }
    }
    (steps, Diagnosis::unfinished())
}

/// More steps than any check takes; a guard against a check that never finishes.
pub const MAX_STEPS: usize = 32;

/// A check: a name, its inputs in words, and the pure step function.
pub trait Check {
    /// `reach`, `external`.
    fn name(&self) -> &'static str;
    /// The inputs in words.
    fn subject(&self) -> String;
    /// The next step given the topology and the steps done so far.
    fn next(&self, t: &crate::domain::topology::Topology, done: &[CheckStep]) -> Next;
    /// The proxy whose routes the check needs read now (fresh, not cached), if any: `Some(None)`
    /// for the host's own proxy, `Some(Some(name))` for a proxy the user named.
    fn reads_routes_of(&self) -> Option<Option<&crate::domain::names::ContainerName>> {
        None
    }
}

/// For the checks' unit tests: the record of `planned` run with `tool`, as if it had exited
/// with `code` and printed `output` (captured from the real tools, see `fixtures/`).
#[cfg(test)]
pub(crate) fn canned_run(
    planned: &PlannedProbe,
    tool: crate::domain::checks::probe::Tool,
    code: i64,
    output: &str,
) -> crate::domain::checks::outcome::RunRecord {
    use crate::domain::checks::outcome::{RunRecord, Via};
    RunRecord {
        id: "t".into(),
        probe: planned.probe.describe(),
        argv: planned.probe.argv(tool).unwrap_or_default(),
        command: String::new(),
        tool: Some(tool),
        container: planned.on.to_string(),
        container_id: None,
        via: Via::InContainer,
        started_at_ms: 0,
        duration_ms: 1,
        exit_code: Some(code),
        output: output.into(),
        output_truncated: false,
        outcome: crate::domain::checks::parse::interpret(&planned.probe, tool, Some(code), output),
    }
}

/// The reachability model's cause as a check's conclusion: the same title, why and fix the
/// connection builder, the matrix and the findings show.
impl From<&Cause> for Diagnosis {
    fn from(c: &Cause) -> Self {
        Self::problem(
            DiagnosisCode::from(c.code),
            c.title.clone(),
            c.why.clone(),
            c.fix.clone(),
        )
    }
}

impl From<CauseCode> for DiagnosisCode {
    fn from(code: CauseCode) -> Self {
        match code {
            CauseCode::UnknownSource | CauseCode::UnknownName => Self::ContainerNotFound,
            CauseCode::SourceStopped => Self::SourceStopped,
            CauseCode::TargetStopped => Self::TargetStopped,
            CauseCode::SourceNoNetwork | CauseCode::TargetNoNetwork => Self::NoNetwork,
            CauseCode::NoSharedNetwork | CauseCode::IpOnOtherNetwork => Self::NoSharedNetwork,
            CauseCode::DefaultBridgeOnly => Self::DefaultBridgeNoNames,
            CauseCode::NameOnOtherNetwork
            | CauseCode::NameNotDns
            | CauseCode::HostGatewayNotDefined
            | CauseCode::HostCannotResolveNames
            | CauseCode::NamesStayOnTheirServer => Self::NameDoesNotResolve,
            CauseCode::InternalNetworkOnly => Self::InternalNetworkOnly,
            CauseCode::TargetOnHostNetwork | CauseCode::PublishedOnLoopbackOnly => {
                Self::PacketsDropped
            }
        }
    }
}
