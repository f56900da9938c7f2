//! The support bundle as Markdown: a snapshot as one report to paste into a GitHub issue, a
//! Discord thread or a support ticket. Built from an already redacted [`Snapshot`].

use super::{Snapshot, SnapshotView};
use crate::domain::checks::outcome::{Observation, StepStatus};
use crate::domain::checks::report::CheckReport;
use crate::domain::findings::Severity;
use crate::domain::problem::FixStep;
use crate::domain::time::utc_text;
use crate::domain::topology::Topology;
use std::fmt::Write as _;

/// Pipes and line breaks would break a table cell.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace(['\n', '\r'], " ")
}

/// A fenced block that no line of `text` can close.
fn fenced(out: &mut String, lang: &str, text: &str) {
    let mut fence = "```".to_owned();
    while text.contains(&fence) {
        fence.push('`');
    }
    let _ = writeln!(out, "{fence}{lang}\n{}\n{fence}", text.trim_end());
}

fn fixes(out: &mut String, fix: &[FixStep]) {
    for (i, step) in fix.iter().enumerate() {
        let _ = writeln!(out, "{}. {}", i + 1, step.text);
        if let Some(cmd) = &step.command {
            let _ = writeln!(out, "   `{cmd}`");
        }
    }
}

/// The whole report.
pub fn markdown(s: &Snapshot) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# netdoctor snapshot: {}\n", s.title);
    let _ = writeln!(
        out,
        "Taken {} from `{}`. Secrets are masked (`***`); environment variables are never read.\n",
        utc_text(s.taken_at_ms),
        s.taken_from
    );
    match &s.view {
        SnapshotView::Wizard { report } => wizard(&mut out, report),
        SnapshotView::Container { name } => {
            let _ = writeln!(out, "## Container `{name}`\n");
            if let Some(c) = s.topology.topology.container(name) {
                let _ = writeln!(
                    out,
                    "{} · {} · {}\n",
                    c.image,
                    c.state.as_str(),
                    c.health.map_or("no health check", |h| h.as_str())
                );
            }
        }
        SnapshotView::Graph { query } => {
            let _ = writeln!(out, "## Network graph (`?{query}`)\n");
        }
    }
    for log in &s.logs {
        let _ = writeln!(
            out,
            "## The last {} lines of `{}`'s log\n",
            log.lines.len(),
            log.container
        );
        let text: Vec<String> = log
            .lines
            .iter()
            .map(|l| crate::domain::logs::ansi::strip(&l.text))
            .collect();
        fenced(&mut out, "text", &text.join("\n"));
        out.push('\n');
    }
    findings(&mut out, s);
    topology(&mut out, &s.topology.topology);
    out
}

fn wizard(out: &mut String, report: &CheckReport) {
    let d = &report.diagnosis;
    let _ = writeln!(out, "## Check `{}`: {}\n", report.check, report.subject);
    let mark = if d.healthy {
        "✓ Healthy"
    } else {
        "✗ Problem"
    };
    let _ = writeln!(out, "**{mark}: {}**\n", d.title);
    if !d.why.is_empty() {
        let _ = writeln!(out, "{}\n", d.why);
    }
    if !d.fix.is_empty() {
        let _ = writeln!(out, "Fix:\n");
        fixes(out, &d.fix);
        out.push('\n');
    }
    let _ = writeln!(out, "| # | Result | Step | Answer |\n|---|---|---|---|");
    for (i, step) in report.steps.iter().enumerate() {
        let status = match step.status() {
            StepStatus::Ok => "ok",
            StepStatus::Failed => "failed",
            StepStatus::CouldNotRun => "could not run",
        };
        let _ = writeln!(
            out,
            "| {} | {status} | {} | {} |",
            i + 1,
            cell(&step.title),
            cell(&step.outcome.summary)
        );
    }
    out.push('\n');
    let ran: Vec<_> = report.steps.iter().filter_map(|s| s.run.as_ref()).collect();
    let logged: Vec<&String> = report
        .steps
        .iter()
        .filter_map(|s| match &s.outcome.observation {
            Observation::LogErrors { lines, .. } => Some(lines),
            _ => None,
        })
        .flatten()
        .collect();
    if ran.is_empty() && logged.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "<details><summary>What ran, and its output</summary>\n"
    );
    for run in ran {
        let _ = writeln!(
            out,
            "`{}` in `{}` ({}, {} ms, exit {})\n",
            run.command,
            run.container,
            run.via.describe(),
            run.duration_ms,
            run.exit_code
                .map_or_else(|| "none".to_owned(), |c| c.to_string())
        );
        if !run.output.trim().is_empty() {
            fenced(out, "text", &run.output);
            out.push('\n');
        }
    }
    if !logged.is_empty() {
        let _ = writeln!(out, "Proxy log lines about it:\n");
        let lines: Vec<&str> = logged.iter().map(|l| l.as_str()).collect();
        fenced(out, "text", &lines.join("\n"));
        out.push('\n');
    }
    let _ = writeln!(out, "</details>\n");
}

fn findings(out: &mut String, s: &Snapshot) {
    let all = &s.topology.findings;
    let _ = writeln!(out, "## Findings ({})\n", all.len());
    if all.is_empty() {
        let _ = writeln!(out, "None.\n");
        return;
    }
    for f in all {
        let severity = match f.severity {
            Severity::Blocking => "blocking",
            Severity::Warning => "warning",
            Severity::Info => "info",
        };
        let _ = writeln!(out, "- **{severity}**: {}  \n  {}", f.title, f.why);
    }
    out.push('\n');
}

fn topology(out: &mut String, t: &Topology) {
    let _ = writeln!(out, "## Containers ({})\n", t.containers.len());
    let _ = writeln!(
        out,
        "| Container | State | Image | Networks (IPv4) | Published |\n|---|---|---|---|---|"
    );
    for c in &t.containers {
        let networks: Vec<String> = c
            .attachments
            .iter()
            .map(|a| match &a.ipv4 {
                Some(ip) => format!("{} ({ip})", a.network),
                None => a.network.clone(),
            })
            .collect();
        let published: Vec<String> = c.published.iter().map(ToString::to_string).collect();
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} | {} |",
            c.name,
            c.state.as_str(),
            cell(&c.image),
            cell(&networks.join(", ")),
            cell(&published.join(", "))
        );
    }
    let _ = writeln!(out, "\n## Networks ({})\n", t.networks.len());
    let _ = writeln!(
        out,
        "| Network | Driver | Subnet | Internal | Members |\n|---|---|---|---|---|"
    );
    for n in &t.networks {
        let subnets: Vec<&str> = n.subnets.iter().map(|s| s.subnet.as_str()).collect();
        let members: Vec<&str> = n.members.iter().map(|m| m.as_str()).collect();
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} | {} |",
            n.name,
            n.driver,
            subnets.join(", "),
            if n.internal { "yes" } else { "no" },
            cell(&members.join(", "))
        );
    }
    if let Some(p) = &t.proxy {
        let _ = writeln!(out, "\n## Routes of `{}` ({})\n", p.container, p.image);
        let _ = writeln!(
            out,
            "| Domain | Path | To | Port | Network |\n|---|---|---|---|---|"
        );
        for r in &t.routes {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} |",
                cell(&r.hosts.join(", ")),
                cell(&r.paths.join(", ")),
                cell(&r.containers.join(", ")),
                r.target_port
                    .map_or_else(|| "?".to_owned(), |p| p.to_string()),
                r.network.as_deref().unwrap_or("(any)")
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::snapshot::tests::{leaky_report, snapshot_with, SECRET};

    #[test]
    fn a_wizard_bundle_has_the_diagnosis_steps_output_and_the_host_without_secrets() {
        let s = snapshot_with(SnapshotView::Wizard {
            report: leaky_report(),
        });
        let md = markdown(&s);
        assert!(!md.contains(SECRET), "{md}");
        assert!(md.starts_with("# netdoctor snapshot: Why app cannot reach web\n"));
        assert!(md.contains("**✗ Problem: t**"));
        assert!(
            md.contains("| 1 | ok | Does web answer? | answered 200 |"),
            "{md}"
        );
        assert!(md.contains("`wget http://admin:***@web/` in `app`"), "{md}");
        assert!(md.contains("## Findings ("));
        assert!(md.contains("| `coolify-proxy` |"), "{md}");
        assert!(md.contains("## Routes of `coolify-proxy`"));
    }

    #[test]
    fn output_that_holds_a_fence_cannot_break_out_of_its_block() {
        let mut out = String::new();
        fenced(&mut out, "text", "a\n```\nb");
        assert!(out.starts_with("````text\n"), "{out}");
        assert!(out.trim_end().ends_with("````"));
        assert_eq!(cell("a|b\nc"), "a\\|b c");
    }
}
