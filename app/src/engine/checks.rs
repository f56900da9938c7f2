//! Runs a check (`domain::checks`) against the live engine: one topology read, then the probes
//! the check asks for, one at a time, until it reaches its diagnosis.

use crate::domain::checks::report::{
    Check, CheckReport, CheckStep, Diagnosis, DiagnosisCode, Next,
};
use crate::engine::{Engine, EngineError};

/// More steps than any check takes; a guard against a check that never finishes.
const MAX_STEPS: usize = 32;

impl Engine {
    /// Runs `check` to its diagnosis. Every probe goes through one `ProbeRunner`
    /// (`crate::engine::exec`), so tools found missing are asked for once, and every run lands
    /// in [`Engine::recent_runs`].
    pub async fn run_check(&self, check: &impl Check) -> Result<CheckReport, EngineError> {
        let topology = self.topology().await?;
        let mut runner = self.probe_runner();
        let mut steps: Vec<CheckStep> = Vec::new();
        for _ in 0..MAX_STEPS {
            match check.next(&topology, &steps) {
                Next::Note(step) => steps.push(*step),
                Next::Run(planned) => {
                    let record = runner.run(&planned.on, &planned.probe).await?;
                    steps.push(planned.into_step(record));
                }
                Next::Done(diagnosis) => {
                    return Ok(CheckReport {
                        check: check.name().to_owned(),
                        subject: check.subject(),
                        steps,
                        diagnosis,
                    })
                }
            }
        }
        Ok(CheckReport {
            check: check.name().to_owned(),
            subject: check.subject(),
            steps,
            diagnosis: Diagnosis::problem(
                DiagnosisCode::CouldNotRun,
                "The check did not finish",
                format!("It took more than {MAX_STEPS} steps; this is a bug in netdoctor."),
                Vec::new(),
            ),
        })
    }
}
