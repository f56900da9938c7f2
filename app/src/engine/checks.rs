//! Runs a check (`domain::checks`) against the live engine: one topology read, then the probes
//! and log reads the check asks for, one at a time, until it reaches its diagnosis.

use crate::domain::checks::outcome::Observation;
use crate::domain::checks::report::{
    Check, CheckProgress, CheckReport, CheckStep, Diagnosis, Next, PlannedLogRead, MAX_STEPS,
};
use crate::domain::connect::ports::Listening;
use crate::domain::logs::Since;
use crate::engine::{Engine, EngineError};
use std::collections::VecDeque;
use std::sync::{Mutex, PoisonError};

/// How many checks the progress board keeps (running and finished, newest last).
pub const PROGRESS_CAPACITY: usize = 64;

/// Checks started with [`Engine::start_check`], for the pages that poll their progress.
#[derive(Debug, Default)]
pub(crate) struct ProgressBoard {
    checks: Mutex<VecDeque<CheckProgress>>,
}

impl ProgressBoard {
    fn update(&self, id: &str, change: impl FnOnce(&mut CheckProgress)) {
        let mut checks = self.checks.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(p) = checks.iter_mut().find(|p| p.id == id) {
            change(p);
        }
    }

    fn insert(&self, progress: CheckProgress) {
        let mut checks = self.checks.lock().unwrap_or_else(PoisonError::into_inner);
        if checks.len() == PROGRESS_CAPACITY {
            checks.pop_front();
        }
        checks.push_back(progress);
    }

    fn get(&self, id: &str) -> Option<CheckProgress> {
        let checks = self.checks.lock().unwrap_or_else(PoisonError::into_inner);
        checks.iter().find(|p| p.id == id).cloned()
    }
}

impl Engine {
    /// Runs `check` to its diagnosis. Every probe goes through one `ProbeRunner`
    /// (`crate::engine::exec`), so tools found missing are asked for once, and every run lands
    /// in [`Engine::recent_runs`].
    pub async fn run_check(&self, check: &impl Check) -> Result<CheckReport, EngineError> {
        self.run_check_with(check, |_| ()).await
    }

    /// Starts `check` in the background and answers at once; [`Engine::check_progress`] shows
    /// its steps as they finish and then its report. The board keeps the last
    /// [`PROGRESS_CAPACITY`] checks.
    pub fn start_check<C>(&self, check: C) -> CheckProgress
    where
        C: Check + Send + Sync + 'static,
    {
        let progress = CheckProgress {
            id: crate::engine::exec::new_progress_id(),
            check: check.name().to_owned(),
            subject: check.subject(),
            steps: Vec::new(),
            report: None,
            error: None,
        };
        self.inner.progress.insert(progress.clone());
        let engine = self.clone();
        let id = progress.id.clone();
        tokio::spawn(async move {
            let board = &engine.inner.progress;
            let result = engine
                .run_check_with(&check, |step| {
                    board.update(&id, |p| p.steps.push(step.clone()));
                })
                .await;
            board.update(&id, |p| match result {
                Ok(report) => p.report = Some(report),
                Err(e) => p.error = Some(e.to_string()),
            });
        });
        progress
    }

    /// A started check's progress, while the board keeps it.
    pub fn check_progress(&self, id: &str) -> Option<CheckProgress> {
        self.inner.progress.get(id)
    }

    /// [`Engine::run_check`], telling `on_step` about each step as it finishes.
    pub async fn run_check_with(
        &self,
        check: &impl Check,
        mut on_step: impl FnMut(&CheckStep),
    ) -> Result<CheckReport, EngineError> {
        // Only a check about the proxy's routes asks the proxy for them; the others need the
        // containers and networks alone, and run nothing they did not plan.
        let topology = match check.reads_routes_of() {
            Some(proxy) => self.topology_for_proxy(proxy, true).await?,
            None => self.topology_from_labels().await?,
        };
        let mut runner = self.probe_runner();
        let mut steps: Vec<CheckStep> = Vec::new();
        let report = |steps, diagnosis| CheckReport {
            check: check.name().to_owned(),
            subject: check.subject(),
            steps,
            diagnosis,
        };
        for _ in 0..MAX_STEPS {
            let step = match check.next(&topology, &steps) {
                Next::Note(step) => *step,
                Next::Run(planned) => {
                    let record = runner.run(&planned.on, &planned.probe).await?;
                    planned.into_step(record)
                }
                Next::ReadLog(planned) => {
                    let lines = self.read_log(&planned).await;
                    planned.into_step(lines)
                }
                Next::Done(diagnosis) => return Ok(report(steps, diagnosis)),
            };
            on_step(&step);
            steps.push(step);
        }
        Ok(report(steps, Diagnosis::unfinished()))
    }

    /// The recent lines of a container's log; a failure is the step's answer, not the
    /// check's end.
    async fn read_log(&self, planned: &PlannedLogRead) -> Result<Vec<String>, String> {
        self.recent_logs(
            &planned.on,
            planned.tail,
            Since::SecondsAgo(planned.since_secs),
        )
        .await
        .map(|lines| lines.into_iter().map(|l| l.text).collect())
        .map_err(|e| e.to_string())
    }
}

impl Engine {
    /// What `container` listens on right now, read with the listeners probe (the one the reach
    /// check uses: `netstat -ltn`, else `/proc/net/tcp`, in the container or a debug container
    /// in its network namespace). A run that could not read it — stopped container, no tool,
    /// read-only mode — is [`Listening::NotRead`] with the runner's reason.
    pub async fn listening_ports(
        &self,
        container: &crate::domain::names::ContainerName,
    ) -> Result<Listening, EngineError> {
        let record = self
            .run_probe(container, &crate::domain::checks::probe::Probe::Listeners)
            .await?;
        Ok(match record.outcome.observation {
            Observation::Listeners { sockets } => Listening::Read(sockets),
            _ => Listening::NotRead(record.outcome.summary),
        })
    }
}
