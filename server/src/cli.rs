//! `netdoctor check …`: the wizards' checks from a terminal, with the same code the dashboard
//! runs. Human output by default, `--json` for scripts; exit 0 when healthy, 1 with the
//! diagnosis otherwise, 2 when the input is refused (nothing runs then).

use app::domain::checks::outcome::{Observation, StepStatus, Via};
use app::domain::checks::report::CheckReport;
use app::domain::checks::{ExternalRequest, InputError, ProxyRequest, ReachRequest};
use app::domain::endpoint::Endpoint;
use app::domain::reachability::matrix::{matrix, Matrix, Scope};
use app::engine::exec::ProbeSettings;
use app::engine::Engine;
use clap::Subcommand;
use std::fmt::Write as _;

/// Exit status: healthy.
pub const EXIT_HEALTHY: u8 = 0;
/// Exit status: a diagnosis, or the check could not reach a conclusion.
pub const EXIT_PROBLEM: u8 = 1;
/// Exit status: input refused; nothing ran.
pub const EXIT_BAD_INPUT: u8 = 2;

/// The checks the command line runs.
#[derive(Debug, Clone, Subcommand)]
pub enum CheckCommand {
    /// Can container FROM reach container TO on PORT? Same network, name resolution, TCP
    /// connection, (HTTP,) and what the target listens on when it fails.
    Reach {
        /// The container the connection starts from.
        #[arg(long, value_name = "CONTAINER")]
        from: String,
        /// Where to connect, as the source's app would: a container name, network alias,
        /// compose service name, Coolify uuid, host.docker.internal or IP, then the port
        /// (db:5432, my-express-api:3001, 172.18.0.5:80).
        #[arg(long, value_name = "ADDRESS:PORT")]
        to: String,
        /// Also send an HTTP request to http://TO/.
        #[arg(long)]
        http: bool,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Can container FROM reach the outside? Network mode, internal networks, resolv.conf, a
    /// name, an IP address and a URL.
    External {
        /// The container to check from.
        #[arg(long, value_name = "CONTAINER")]
        from: String,
        /// A name to resolve (default google.com).
        #[arg(long, value_name = "NAME")]
        name: Option<String>,
        /// An address to ping (default 8.8.8.8).
        #[arg(long, value_name = "IP")]
        ip: Option<String>,
        /// A URL to request (default http://google.com).
        #[arg(long, value_name = "URL")]
        url: Option<String>,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Why does DOMAIN not reach its app? The proxy, the route, the target's state, the
    /// networks the proxy dials, the port, a connection and an HTTP request from inside the
    /// proxy, and the proxy's recent errors.
    Proxy {
        /// The domain, or a URL from the browser's address bar.
        #[arg(long, value_name = "DOMAIN")]
        domain: String,
        /// The proxy container, when it is not coolify-proxy (or labelled coolify.proxy=true).
        #[arg(long, value_name = "CONTAINER")]
        proxy: Option<String>,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
}

/// A parsed check, ready to run.
enum Parsed {
    Reach(ReachRequest),
    External(ExternalRequest),
    Proxy(ProxyRequest),
}

impl CheckCommand {
    fn json(&self) -> bool {
        match self {
            Self::Reach { json, .. } | Self::External { json, .. } | Self::Proxy { json, .. } => {
                *json
            }
        }
    }

    fn parse(&self) -> Result<Parsed, InputError> {
        match self {
            Self::Reach { from, to, http, .. } => {
                ReachRequest::parse(from, to, *http).map(Parsed::Reach)
            }
            Self::External {
                from,
                name,
                ip,
                url,
                ..
            } => ExternalRequest::parse(from, name.as_deref(), ip.as_deref(), url.as_deref())
                .map(Parsed::External),
            Self::Proxy { domain, proxy, .. } => {
                ProxyRequest::parse(domain, proxy.as_deref()).map(Parsed::Proxy)
            }
        }
    }
}

/// `netdoctor reach`: the reachability matrix of a scope, as JSON or as text (the blocked pairs
/// with their cause, then the counts). The scope is checked before the engine is contacted.
pub async fn reach(scope: &str, json: bool, endpoint: Endpoint) -> u8 {
    let scope = match Scope::parse(scope) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("netdoctor: --scope: {e}");
            return EXIT_BAD_INPUT;
        }
    };
    let topology = match Engine::new(endpoint).topology_from_labels().await {
        Ok(t) => t,
        Err(e) => {
            eprintln!("netdoctor: the topology could not be read: {e}");
            return EXIT_PROBLEM;
        }
    };
    let m = matrix(&topology, &scope);
    if json {
        match serde_json::to_string_pretty(&m) {
            Ok(text) => println!("{text}"),
            Err(e) => {
                eprintln!("netdoctor: cannot write the matrix as JSON: {e}");
                return EXIT_PROBLEM;
            }
        }
    } else {
        print!("{}", matrix_text(&m));
    }
    EXIT_HEALTHY
}

/// The matrix for a terminal: one line per pair that cannot talk, then the counts.
pub fn matrix_text(m: &Matrix) -> String {
    let mut out = String::new();
    let (open, total) = m.counts();
    let _ = writeln!(
        out,
        "Reachability in {} ({} containers)",
        m.scope,
        m.containers.len()
    );
    for (i, row) in m.cells.iter().enumerate() {
        for (j, cell) in row.iter().enumerate() {
            let Some(cell) = cell else { continue };
            let target = cell.target();
            match &cell.title {
                Some(title) => {
                    let _ = writeln!(
                        out,
                        "  [BLOCKED] {} → {} ({target}): {title}",
                        m.containers[i], m.containers[j]
                    );
                }
                None if cell.ambiguous => {
                    let _ = writeln!(
                        out,
                        "  [AMBIGUOUS] {} → {target}: the name answers for several containers",
                        m.containers[i]
                    );
                }
                None => {}
            }
        }
    }
    let _ = writeln!(
        out,
        "{open} of {total} pairs can talk; the rest are listed above."
    );
    out
}

/// Runs a check and prints its report; returns the exit status. Input is checked before the
/// engine is contacted.
pub async fn run(command: &CheckCommand, endpoint: Endpoint, settings: ProbeSettings) -> u8 {
    let parsed = match command.parse() {
        Ok(p) => p,
        Err(e) => {
            eprintln!("netdoctor: {e}");
            return EXIT_BAD_INPUT;
        }
    };
    let engine = Engine::new(endpoint).with_probe_settings(settings);
    let report = match &parsed {
        Parsed::Reach(r) => engine.run_check(r).await,
        Parsed::External(r) => engine.run_check(r).await,
        Parsed::Proxy(r) => engine.run_check(r).await,
    };
    let report = match report {
        Ok(r) => r,
        Err(e) => {
            eprintln!("netdoctor: the check could not run: {e}");
            return EXIT_PROBLEM;
        }
    };
    if command.json() {
        match serde_json::to_string_pretty(&report) {
            Ok(text) => println!("{text}"),
            Err(e) => {
                eprintln!("netdoctor: cannot write the report as JSON: {e}");
                return EXIT_PROBLEM;
            }
        }
    } else {
        print!("{}", render(&report));
    }
    if report.diagnosis.healthy {
        EXIT_HEALTHY
    } else {
        EXIT_PROBLEM
    }
}

/// The report as a terminal shows it.
pub fn render(report: &CheckReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "netdoctor check {}: {}\n",
        report.check, report.subject
    );
    for step in &report.steps {
        let mark = match step.status() {
            StepStatus::Ok => "[ok]  ",
            StepStatus::Failed => "[FAIL]",
            StepStatus::CouldNotRun => "[skip]",
        };
        let _ = writeln!(out, "{mark} {}", step.title);
        let _ = writeln!(out, "       {}", step.outcome.summary);
        if let Observation::LogErrors { lines, .. } = &step.outcome.observation {
            for line in lines {
                let _ = writeln!(out, "       | {line}");
            }
        }
        if let Some(run) = &step.run {
            if !run.command.is_empty() {
                let place = match &run.via {
                    Via::InContainer => format!("in {}", run.container),
                    Via::DebugContainer { image } => {
                        format!(
                            "in a debug container ({image}) on {}'s network",
                            run.container
                        )
                    }
                    Via::Nothing => String::new(),
                };
                let _ = writeln!(
                    out,
                    "       $ {}   ({place}, {} ms)",
                    run.command, run.duration_ms
                );
            }
        }
    }
    let d = &report.diagnosis;
    let verdict = if d.healthy { "Healthy" } else { "Problem" };
    let _ = writeln!(out, "\n{verdict}: {}", d.title);
    if !d.why.is_empty() {
        let _ = writeln!(out, "  Why: {}", d.why);
    }
    if !d.fix.is_empty() {
        let _ = writeln!(out, "  Fix:");
        for (i, step) in d.fix.iter().enumerate() {
            let _ = writeln!(out, "    {}. {}", i + 1, step.text);
            if let Some(cmd) = &step.command {
                let _ = writeln!(out, "       {cmd}");
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::domain::checks::outcome::{Observation, ProbeOutcome, RunRecord};
    use app::domain::checks::report::{CheckStep, Diagnosis, DiagnosisCode, StepKind};
    use app::domain::problem::FixStep;

    fn report() -> CheckReport {
        let run = RunRecord {
            id: "r1".into(),
            probe: "resolve db".into(),
            argv: vec!["nslookup".into(), "db".into()],
            command: "nslookup db".into(),
            tool: None,
            container: "web".into(),
            container_id: None,
            via: Via::InContainer,
            started_at_ms: 0,
            duration_ms: 7,
            exit_code: Some(1),
            output: String::new(),
            output_truncated: false,
            outcome: ProbeOutcome::failed(Observation::NameNotFound, "db does not resolve."),
        };
        CheckReport {
            check: "reach".into(),
            subject: "web → db:5432".into(),
            steps: vec![
                CheckStep::note(
                    StepKind::Topology,
                    "Are web and db on a shared network?",
                    ProbeOutcome::failed(Observation::NotRun, "They share no network."),
                ),
                CheckStep {
                    kind: StepKind::Resolve,
                    title: "Does db resolve from web?".into(),
                    on: Some("web".into()),
                    outcome: run.outcome.clone(),
                    run: Some(run),
                },
            ],
            diagnosis: Diagnosis::problem(
                DiagnosisCode::NoSharedNetwork,
                "web and db share no network",
                "Containers reach each other only over a shared network.",
                vec![FixStep::run(
                    "Attach web:",
                    "docker network connect coolify web",
                )],
            ),
        }
    }

    #[test]
    fn the_human_report_shows_each_step_what_ran_and_the_fix() {
        let text = render(&report());
        assert!(text.starts_with("netdoctor check reach: web → db:5432\n"));
        assert!(text.contains("[FAIL] Are web and db on a shared network?"));
        assert!(text.contains("$ nslookup db   (in web, 7 ms)"));
        assert!(text.contains("Problem: web and db share no network"));
        assert!(text.contains("    1. Attach web:\n       docker network connect coolify web\n"));
    }

    #[test]
    fn bad_input_is_refused_before_the_engine_is_contacted() {
        let cmd = CheckCommand::Reach {
            from: "web;id".into(),
            to: "db:80".into(),
            http: false,
            json: false,
        };
        assert!(cmd.parse().is_err());
        let cmd = CheckCommand::External {
            from: "web".into(),
            name: Some("$(id)".into()),
            ip: None,
            url: None,
            json: true,
        };
        assert!(cmd.parse().is_err());
        let cmd = CheckCommand::Proxy {
            domain: "app.example.com`id`".into(),
            proxy: None,
            json: false,
        };
        assert!(cmd.parse().is_err());
    }
}
