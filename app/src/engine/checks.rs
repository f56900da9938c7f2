//! Runs a check (`domain::checks`) against the live engine: one topology read, then the probes
//! and log reads the check asks for, one at a time, until it reaches its diagnosis.

use crate::domain::checks::report::{
    Check, CheckReport, CheckStep, Diagnosis, Next, PlannedLogRead, MAX_STEPS,
};
use crate::domain::logs::{Since, Tail};
use crate::engine::logs::{LogEvent, LogRequest};
use crate::engine::{Engine, EngineError};
use futures_util::StreamExt;

impl Engine {
    /// Runs `check` to its diagnosis. Every probe goes through one `ProbeRunner`
    /// (`crate::engine::exec`), so tools found missing are asked for once, and every run lands
    /// in [`Engine::recent_runs`].
    pub async fn run_check(&self, check: &impl Check) -> Result<CheckReport, EngineError> {
        let topology = self.topology().await?;
        let mut runner = self.probe_runner();
        let mut steps: Vec<CheckStep> = Vec::new();
        let report = |steps, diagnosis| CheckReport {
            check: check.name().to_owned(),
            subject: check.subject(),
            steps,
            diagnosis,
        };
        for _ in 0..MAX_STEPS {
            match check.next(&topology, &steps) {
                Next::Note(step) => steps.push(*step),
                Next::Run(planned) => {
                    let record = runner.run(&planned.on, &planned.probe).await?;
                    steps.push(planned.into_step(record));
                }
                Next::ReadLog(planned) => {
                    let lines = self.read_log(&planned).await;
                    steps.push(planned.into_step(lines));
                }
                Next::Done(diagnosis) => return Ok(report(steps, diagnosis)),
            }
        }
        Ok(report(steps, Diagnosis::unfinished()))
    }

    /// The recent lines of a container's log, without following; a failure is the step's
    /// answer, not the check's end.
    async fn read_log(&self, planned: &PlannedLogRead) -> Result<Vec<String>, String> {
        let request = LogRequest {
            tail: Tail::Lines(planned.tail),
            since: Since::SecondsAgo(planned.since_secs),
            follow: false,
        };
        let stream = self
            .logs(&planned.on, request)
            .await
            .map_err(|e| e.to_string())?;
        futures_util::pin_mut!(stream);
        let mut lines = Vec::new();
        while let Some(event) = stream.next().await {
            match event {
                LogEvent::Lines(batch) => lines.extend(batch.into_iter().map(|l| l.text)),
                LogEvent::End(_) => break,
            }
        }
        Ok(lines)
    }
}
