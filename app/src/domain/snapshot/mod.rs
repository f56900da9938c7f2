//! A snapshot: what a screen showed, frozen and redacted, for a shared link and a support
//! bundle. The topology and findings as the engine reported them (labels already filtered, env
//! never read), plus what the screen was about — a wizard's report, a container with the last
//! lines of its log, the graph with its selection, a connection string — with every free text
//! that came out of a container (probe output, log lines) passed through the redactor.

pub mod markdown;

use crate::domain::checks::outcome::Observation;
use crate::domain::checks::report::CheckReport;
use crate::domain::graph::TopologyReport;
use crate::domain::logs::LogLine;
use crate::domain::redact::{is_secret_label_entry, redact_text, LineRedactor};
use crate::domain::share_link::ShareInfo;
use serde::{Deserialize, Serialize};

/// The snapshot format; bump on a change old viewers cannot read.
pub const SNAPSHOT_VERSION: u32 = 1;
/// The most log lines a snapshot keeps per container.
pub const MAX_LOG_LINES: u32 = 1_000;

/// What the shared screen was about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum SnapshotView {
    /// A wizard's inputs and results.
    Wizard { report: CheckReport },
    /// The network graph; `query` is its URL query (selection, filters).
    Graph { query: String },
    /// A container's page.
    Container { name: String },
}

impl SnapshotView {
    /// The store's `kind` column.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Wizard { .. } => "wizard",
            Self::Graph { .. } => "graph",
            Self::Container { .. } => "container",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    pub version: u32,
    pub title: String,
    /// Milliseconds since the Unix epoch.
    pub taken_at_ms: u64,
    /// The live page it was taken from (`/diagnose?check=proxy&domain=…`), for the teammate
    /// who can sign in.
    pub taken_from: String,
    pub view: SnapshotView,
    pub topology: TopologyReport,
    /// The last lines of the logs of the containers it is about, when asked for: the container
    /// of a container page, the containers a wizard's check ran in.
    #[serde(default)]
    pub logs: Vec<ContainerLog>,
}

/// The last lines of one container's log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContainerLog {
    pub container: String,
    pub lines: Vec<LogLine>,
}

impl SnapshotView {
    /// The containers whose logs belong with this view: the page's container, or those a
    /// wizard's check ran in (in step order, once each).
    pub fn containers(&self) -> Vec<String> {
        match self {
            Self::Container { name } => vec![name.clone()],
            Self::Wizard { report } => {
                let mut names: Vec<String> = Vec::new();
                for on in report.steps.iter().filter_map(|s| s.on.as_ref()) {
                    if !names.contains(on) {
                        names.push(on.clone());
                    }
                }
                names
            }
            Self::Graph { .. } => Vec::new(),
        }
    }
}

impl Snapshot {
    /// Freezes a view; everything that came out of a container is redacted here, once, before
    /// the snapshot is stored or sent anywhere.
    pub fn new(
        title: String,
        taken_at_ms: u64,
        taken_from: String,
        view: SnapshotView,
        topology: TopologyReport,
        logs: Vec<ContainerLog>,
    ) -> Self {
        Self {
            version: SNAPSHOT_VERSION,
            title: title.chars().take(200).collect(),
            taken_at_ms,
            taken_from: taken_from.chars().take(1_000).collect(),
            view,
            topology,
            logs,
        }
        .redacted()
    }

    fn redacted(mut self) -> Self {
        self.title = redact_text(&self.title);
        self.taken_from = redact_text(&self.taken_from);
        for c in &mut self.topology.topology.containers {
            c.labels.retain(|k, v| !is_secret_label_entry(k, v));
            for v in c.labels.values_mut() {
                *v = redact_text(v);
            }
        }
        match &mut self.view {
            SnapshotView::Wizard { report } => redact_report(report),
            SnapshotView::Container { .. } => {}
            SnapshotView::Graph { query } => *query = redact_text(query),
        }
        // In order, one redactor per log: a private key printed over several lines is masked
        // from its BEGIN line to its END line.
        for log in &mut self.logs {
            let mut redactor = LineRedactor::new();
            for line in &mut log.lines {
                line.text = redactor.line(&line.text);
            }
        }
        self
    }
}

/// Probe output, commands and answers can echo what a container holds (an HTTP response's
/// cookies, a URL with a password); the check's own words are kept.
fn redact_report(report: &mut CheckReport) {
    report.subject = redact_text(&report.subject);
    for step in &mut report.steps {
        step.title = redact_text(&step.title);
        step.outcome.summary = redact_text(&step.outcome.summary);
        if let Observation::LogErrors { lines, .. } = &mut step.outcome.observation {
            for line in lines {
                *line = redact_text(line);
            }
        }
        if let Some(run) = &mut step.run {
            run.output = redact_text(&run.output);
            run.command = redact_text(&run.command);
            for arg in &mut run.argv {
                *arg = redact_text(arg);
            }
            run.outcome.summary = redact_text(&run.outcome.summary);
        }
    }
    let d = &mut report.diagnosis;
    d.title = redact_text(&d.title);
    d.why = redact_text(&d.why);
    for f in &mut d.fix {
        f.text = redact_text(&f.text);
        f.command = f.command.as_deref().map(redact_text);
    }
}

/// The links made here, and the server's clock to judge them by.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharedLinks {
    pub now_ms: u64,
    pub links: Vec<ShareInfo>,
}

/// A link just created: the only time its token is shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharedLink {
    /// `/s/<token>`; the page makes it absolute.
    pub path: String,
    pub info: ShareInfo,
}

/// What a link's viewer receives: the snapshot and until when the link works.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharedSnapshot {
    pub snapshot: Snapshot,
    pub expires_at_ms: u64,
}

/// How long a new link lives, as the share panel offers it (hours).
pub const TTL_CHOICES: [(u32, &str); 4] = [
    (24, "1 day"),
    (7 * 24, "7 days"),
    (30 * 24, "30 days"),
    (90 * 24, "90 days"),
];

/// A live page address a snapshot may point back to: a path on this site, nothing else.
pub fn is_local_path(path: &str) -> bool {
    path.starts_with('/')
        && !path.starts_with("//")
        && !path.contains('\\')
        && !path.chars().any(char::is_control)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::checks::outcome::{ProbeOutcome, RunRecord, Via};
    use crate::domain::checks::report::{CheckStep, Diagnosis, DiagnosisCode, StepKind};
    use crate::domain::findings::test_support::recorded;
    use crate::domain::logs::LogStream;

    pub(crate) const SECRET: &str = "Hunter2-Sekrit";

    pub(crate) fn leaky_report() -> CheckReport {
        let run = RunRecord {
            id: "r".into(),
            probe: "HTTP request".into(),
            argv: vec!["wget".into(), format!("http://admin:{SECRET}@web/")],
            command: format!("wget http://admin:{SECRET}@web/"),
            tool: None,
            container: "app".into(),
            container_id: None,
            via: Via::InContainer,
            started_at_ms: 0,
            duration_ms: 3,
            exit_code: Some(0),
            output: format!("HTTP/1.1 200 OK\nSet-Cookie: session={SECRET}; HttpOnly\n"),
            output_truncated: false,
            outcome: ProbeOutcome::ok(Observation::HttpStatus { code: 200 }, "answered 200"),
        };
        CheckReport {
            check: "reach".into(),
            subject: "app → web:80".into(),
            steps: vec![
                CheckStep {
                    kind: StepKind::Http,
                    title: "Does web answer?".into(),
                    on: Some("app".into()),
                    outcome: run.outcome.clone(),
                    run: Some(run),
                },
                CheckStep::note(
                    StepKind::ProxyLog,
                    "Errors in the proxy's log?",
                    ProbeOutcome::failed(
                        Observation::LogErrors {
                            lines: vec![format!("level=error msg=\"x\" token={SECRET}")],
                            matching: 1,
                            other_errors: 0,
                            scanned: 9,
                        },
                        "1 error",
                    ),
                ),
            ],
            diagnosis: Diagnosis::problem(DiagnosisCode::HttpFailed, "t", "w", Vec::new()),
        }
    }

    pub(crate) fn snapshot_with(view: SnapshotView) -> Snapshot {
        snapshot_with_logs(view, Vec::new())
    }

    pub(crate) fn snapshot_with_logs(view: SnapshotView, logs: Vec<ContainerLog>) -> Snapshot {
        let mut topology = TopologyReport::new(recorded());
        let c = &mut topology.topology.containers[0];
        c.labels.insert("app.db_password".into(), SECRET.into());
        c.labels.insert(
            "traefik.http.routers.x.rule".into(),
            format!("Host(`x.example.com`) && Query(`token={SECRET}`)"),
        );
        Snapshot::new(
            "Why app cannot reach web".into(),
            1_764_000_000_000,
            "/diagnose?check=reach&from=app&to=web%3A80".into(),
            view,
            topology,
            logs,
        )
    }

    #[test]
    fn a_snapshot_of_a_wizard_keeps_the_story_and_loses_the_secrets() {
        let s = snapshot_with(SnapshotView::Wizard {
            report: leaky_report(),
        });
        let json = serde_json::to_string(&s).expect("json");
        assert!(!json.contains(SECRET), "{json}");
        let SnapshotView::Wizard { report } = &s.view else {
            panic!("a wizard");
        };
        let run = report.steps[0].run.as_ref().expect("run");
        assert_eq!(run.command, "wget http://admin:***@web/");
        assert!(run.output.starts_with("HTTP/1.1 200 OK\nSet-Cookie: ***"));
        assert_eq!(s.version, SNAPSHOT_VERSION);
        assert_eq!(s.view.kind(), "wizard");
    }

    #[test]
    fn a_snapshot_of_a_container_masks_its_log_lines_and_secret_labels() {
        let logs = vec![ContainerLog {
            container: "app".into(),
            lines: vec![LogLine {
                n: 0,
                s: LogStream::Stdout,
                ts: String::new(),
                text: format!("connecting to postgres://app:{SECRET}@db/app"),
                cut: 0,
            }],
        }];
        let s = snapshot_with_logs(SnapshotView::Container { name: "app".into() }, logs);
        let json = serde_json::to_string(&s).expect("json");
        assert!(!json.contains(SECRET), "{json}");
        assert!(!json.contains("app.db_password"));
        assert!(json.contains("postgres://app:***@db/app"));
    }

    #[test]
    fn a_private_key_logged_over_several_lines_and_a_credential_header_label_leave_nothing() {
        let texts = [
            "loading the signing key",
            "-----BEGIN PRIVATE KEY-----",
            "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj",
            "Hunter2SekritBodyLine",
            "-----END PRIVATE KEY-----",
            "signing key loaded",
        ];
        let lines = texts
            .iter()
            .enumerate()
            .map(|(n, t)| LogLine {
                n: n as u64,
                s: LogStream::Stdout,
                ts: String::new(),
                text: (*t).to_owned(),
                cut: 0,
            })
            .collect();
        let logs = vec![ContainerLog {
            container: "app".into(),
            lines,
        }];
        let mut topology = TopologyReport::new(recorded());
        topology.topology.containers[0].labels.insert(
            "caddy_0.reverse_proxy.header_up".into(),
            format!("Authorization \"Bearer {SECRET}\""),
        );
        let s = Snapshot::new(
            "t".into(),
            0,
            "/containers/app".into(),
            SnapshotView::Container { name: "app".into() },
            topology,
            logs,
        );
        let json = serde_json::to_string(&s).expect("json");
        assert!(
            !json.contains(SECRET) && !json.contains("Hunter2Sekrit"),
            "{json}"
        );
        assert!(!json.contains("MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj"));
        assert!(!json.contains("caddy_0.reverse_proxy.header_up"));
        let kept: Vec<&str> = s.logs[0].lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(kept[0], "loading the signing key");
        assert_eq!(kept[5], "signing key loaded");
        assert!(kept[1..5]
            .iter()
            .all(|t| *t == crate::domain::redact::PRIVATE_KEY_LINE));
    }

    #[test]
    fn only_paths_on_this_site_are_kept_as_the_live_view() {
        assert!(is_local_path("/diagnose?check=proxy&domain=a.b"));
        for bad in [
            "//evil.example/x",
            "https://evil.example",
            "javascript:alert(1)",
            "/\\evil",
            "/a\nb",
            "",
        ] {
            assert!(!is_local_path(bad), "{bad:?}");
        }
    }

    #[test]
    fn a_wizard_snapshot_is_about_the_containers_its_check_ran_in() {
        let view = SnapshotView::Wizard {
            report: leaky_report(),
        };
        assert_eq!(view.containers(), ["app"]);
        assert_eq!(
            SnapshotView::Container { name: "db".into() }.containers(),
            ["db"]
        );
        assert!(SnapshotView::Graph {
            query: String::new()
        }
        .containers()
        .is_empty());
    }

    #[test]
    fn a_snapshot_reads_back_what_was_stored() {
        let s = snapshot_with(SnapshotView::Graph {
            query: "v=1&sel=web".into(),
        });
        let back: Snapshot =
            serde_json::from_str(&serde_json::to_string(&s).expect("json")).expect("parse");
        assert_eq!(back, s);
    }
}
