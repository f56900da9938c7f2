//! A check's result as the user reads it: the diagnosis first (healthy, or what is wrong, why,
//! and the fix with copyable commands), then every step with its answer and, folded, the exact
//! command that ran, where, and its output.

use crate::components::fix_list::FixList;
use crate::domain::checks::outcome::{RunRecord, StepStatus};
use crate::domain::checks::report::{CheckReport, CheckStep};
use crate::testids;
use leptos::prelude::*;

#[component]
pub fn CheckReportView(report: CheckReport) -> impl IntoView {
    let d = report.diagnosis;
    let (class, mark) = if d.healthy {
        ("diagnosis healthy", "✓")
    } else {
        ("diagnosis problem", "✗")
    };
    view! {
        <div class="check-report" data-testid=testids::CHECK_REPORT data-healthy=d.healthy.to_string() data-code=d.code.slug()>
            <div class=class data-testid=testids::DIAGNOSIS role="status">
                <p class="diagnosis-title"><span aria-hidden="true">{mark}" "</span>{d.title}</p>
                {(!d.why.is_empty()).then(|| view! { <p class="small">{d.why}</p> })}
                {(!d.fix.is_empty()).then(|| view! { <FixList steps=d.fix/> })}
            </div>
            <ol class="check-steps small">
                {report.steps.into_iter().map(|s| view! { <StepLine step=s/> }).collect_view()}
            </ol>
        </div>
    }
    .into_any()
}

/// One finished step: its status, question and answer, and what ran.
#[component]
pub fn StepLine(step: CheckStep) -> impl IntoView {
    let status = match step.status() {
        StepStatus::Ok => "ok",
        StepStatus::Failed => "failed",
        StepStatus::CouldNotRun => "could not run",
    };
    let class = format!("check-step {}", status.replace(' ', "-"));
    let kind = format!("{:?}", step.kind).to_ascii_lowercase();
    view! {
        <li class=class data-testid=testids::CHECK_STEP data-status=status data-kind=kind>
            <span class="step-status">{status}</span>" "
            <strong>{step.title}</strong>" — "{step.outcome.summary}
            {step.run.map(|run| view! { <RunDetails run/> })}
        </li>
    }
}

/// What ran: the command, where, how long, the exit code and the output.
#[component]
fn RunDetails(run: RunRecord) -> impl IntoView {
    let exit = run
        .exit_code
        .map(|c| format!("exit {c}"))
        .unwrap_or_else(|| "no exit code".into());
    let summary = format!(
        "ran `{}` {} in {} · {} ms · {exit}",
        run.command,
        run.via.describe(),
        run.container,
        run.duration_ms
    );
    view! {
        <details class="run">
            <summary class="mono">{summary}</summary>
            <pre class="run-output">{if run.output.is_empty() { "(no output)".to_owned() } else { run.output }}</pre>
            {run.output_truncated.then(|| view! { <p class="muted small">"Output cut: only the first part is kept."</p> })}
        </details>
    }
}
