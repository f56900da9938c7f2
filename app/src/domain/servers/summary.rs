//! One line per server for the Servers page: its engine, its counts, its worst finding and how
//! many of its container pairs can talk — from the same overview, findings and reachability
//! model every other screen uses, so the line never disagrees with the server's own pages.

use crate::domain::findings::{Finding, Severity};
use crate::domain::overview::EngineStatus;
use crate::domain::reachability::matrix::Matrix;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerSummary {
    pub engine_version: String,
    pub containers: usize,
    pub running: usize,
    pub networks: usize,
    pub blocking: usize,
    pub warnings: usize,
    /// The title of the most severe finding (findings come sorted, worst first).
    pub worst: Option<String>,
    /// Container pairs that reach each other, of all ordered pairs.
    pub open_pairs: usize,
    pub pairs: usize,
}

impl ServerSummary {
    pub fn new(status: &EngineStatus, findings: &[Finding], matrix: &Matrix) -> Self {
        let count = |severity: Severity| findings.iter().filter(|f| f.severity == severity).count();
        let (open_pairs, pairs) = matrix.counts();
        Self {
            engine_version: status.engine_version.clone(),
            containers: status.containers,
            running: status.running,
            networks: status.networks,
            blocking: count(Severity::Blocking),
            warnings: count(Severity::Warning),
            worst: findings
                .iter()
                .find(|f| f.severity != Severity::Info)
                .map(|f| f.title.clone()),
            open_pairs,
            pairs,
        }
    }

    /// "Engine 24.0.7 · 12 containers (9 running) · 3 networks".
    pub fn engine_line(&self) -> String {
        format!(
            "Engine {} · {} container{} ({} running) · {} network{}",
            self.engine_version,
            self.containers,
            if self.containers == 1 { "" } else { "s" },
            self.running,
            self.networks,
            if self.networks == 1 { "" } else { "s" },
        )
    }

    /// "1 blocking, 2 warnings" or "no problems found".
    pub fn findings_line(&self) -> String {
        match (self.blocking, self.warnings) {
            (0, 0) => "no problems found".to_owned(),
            (b, w) => format!("{b} blocking, {w} warning{}", if w == 1 { "" } else { "s" }),
        }
    }

    /// "12 of 20 container pairs can talk".
    pub fn reach_line(&self) -> String {
        format!(
            "{} of {} container pairs can talk",
            self.open_pairs, self.pairs
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::graph::TopologyReport;
    use crate::domain::reachability::matrix::{matrix, Scope};

    use crate::domain::findings::test_support::recorded;

    fn status(t: &crate::domain::topology::Topology) -> EngineStatus {
        EngineStatus {
            endpoint: "ssh://root@203.0.113.7".into(),
            engine_version: "24.0.7".into(),
            engine_api_version: "1.43".into(),
            negotiated_api_version: "1.41".into(),
            os: "linux".into(),
            arch: "x86_64".into(),
            containers: t.containers.len(),
            running: t.containers.len() - 1,
            networks: t.networks.len(),
        }
    }

    #[test]
    fn a_servers_line_counts_what_its_own_pages_show() {
        let t = recorded();
        let report = TopologyReport::new(t.clone());
        let m = matrix(&t, &Scope::All);
        let s = ServerSummary::new(&status(&t), &report.findings, &m);
        let blocking = report
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Blocking)
            .count();
        assert_eq!(s.blocking, blocking);
        assert_eq!((s.open_pairs, s.pairs), m.counts());
        assert_eq!(s.containers, t.containers.len());
        let worst = report
            .findings
            .iter()
            .find(|f| f.severity != Severity::Info);
        assert_eq!(s.worst.as_deref(), worst.map(|f| f.title.as_str()));
        assert!(s.engine_line().starts_with("Engine 24.0.7 · "));
        assert!(s.reach_line().ends_with("container pairs can talk"));
    }

    #[test]
    fn a_server_without_findings_says_so() {
        let t = recorded();
        let m = matrix(&t, &Scope::All);
        let s = ServerSummary::new(&status(&t), &[], &m);
        assert_eq!(s.findings_line(), "no problems found");
        assert_eq!(s.worst, None);
    }
}
