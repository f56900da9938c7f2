//! The only place netdoctor runs anything: allow-listed probes (`domain::checks::probe`) inside a
//! container with `exec`, or — when the container has none of the tools (scratch, distroless) —
//! in a short-lived debug container from the toolbox image that joins the target's network
//! namespace and is always removed. Every step has a timeout; every run is recorded.

use crate::domain::checks::outcome::{Observation, ProbeOutcome, RunRecord, Via};
use crate::domain::checks::parse::{interpret, tool_missing};
use crate::domain::checks::probe::{display_argv, display_argv_for_log, Probe, Tool};
use crate::domain::names::ContainerName;
use crate::engine::{Engine, EngineError};
use bollard::errors::Error as BollardError;
use bollard::exec::{CreateExecOptions, StartExecOptions, StartExecResults};
use bollard::models::{ContainerCreateBody, HostConfig};
use bollard::query_parameters::{
    CreateContainerOptionsBuilder, CreateImageOptionsBuilder, LogsOptionsBuilder,
    RemoveContainerOptionsBuilder,
};
use bollard::Docker;
use futures_util::StreamExt;
use std::collections::{BTreeSet, HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// The toolbox image for debug containers unless configured otherwise.
pub const DEFAULT_TOOLBOX_IMAGE: &str = "nicolaka/netshoot";
/// Every debug container carries `netdoctor.debug=true`…
pub const DEBUG_LABEL: &str = "netdoctor.debug";
/// …and the id of the run it serves.
pub const DEBUG_RUN_LABEL: &str = "netdoctor.debug.run";
/// How many runs the log keeps.
pub const RUN_LOG_CAPACITY: usize = 200;

/// How probes run. `Engine::with_probe_settings` sets them; the defaults suit a dashboard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeSettings {
    /// Image for debug containers; must carry the allow-listed tools.
    pub toolbox_image: String,
    /// Whether a container without tools may be probed through a debug container.
    pub debug_containers: bool,
    /// Longest any one run may take (exec, or debug container start to exit).
    pub step_timeout: Duration,
    /// Longest a pull of a missing toolbox image may take.
    pub pull_timeout: Duration,
    /// Output kept per run; the rest is dropped and the record says so.
    pub output_limit: usize,
    /// Refuse every run (`--read-only`): the server functions also check, this is the backstop.
    pub read_only: bool,
}

impl Default for ProbeSettings {
    fn default() -> Self {
        Self {
            toolbox_image: DEFAULT_TOOLBOX_IMAGE.to_owned(),
            debug_containers: true,
            step_timeout: Duration::from_secs(15),
            pull_timeout: Duration::from_secs(120),
            output_limit: 64 * 1024,
            read_only: false,
        }
    }
}

/// Probes that run at once, over every check and page; more wait for a slot (up to one step's
/// time limit) and then are recorded as not run because netdoctor is busy.
pub const MAX_CONCURRENT_PROBES: usize = 4;

/// Probe settings, the bounded log of recent runs and the run slots, kept on the `Engine`.
#[derive(Debug)]
pub(crate) struct ProbeState {
    settings: std::sync::RwLock<ProbeSettings>,
    log: std::sync::Mutex<VecDeque<RunRecord>>,
    slots: tokio::sync::Semaphore,
}

impl Default for ProbeState {
    fn default() -> Self {
        Self {
            settings: std::sync::RwLock::default(),
            log: std::sync::Mutex::default(),
            slots: tokio::sync::Semaphore::new(MAX_CONCURRENT_PROBES),
        }
    }
}

impl ProbeState {
    fn settings(&self) -> ProbeSettings {
        self.settings
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    fn record(&self, run: &RunRecord) {
        let mut log = self
            .log
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if log.len() == RUN_LOG_CAPACITY {
            log.pop_front();
        }
        log.push_back(run.clone());
    }
}

impl Engine {
    /// Replaces the probe settings (toolbox image, timeouts, read-only).
    pub fn with_probe_settings(self, settings: ProbeSettings) -> Self {
        *self
            .inner
            .probes
            .settings
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = settings;
        self
    }

    pub fn probe_settings(&self) -> ProbeSettings {
        self.inner.probes.settings()
    }

    /// The most recent runs, newest first (at most [`RUN_LOG_CAPACITY`]).
    pub fn recent_runs(&self) -> Vec<RunRecord> {
        self.inner
            .probes
            .log
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .iter()
            .rev()
            .cloned()
            .collect()
    }

    /// A runner for one check: it remembers which tools each container lacks, so a check asks
    /// only once.
    pub fn probe_runner(&self) -> ProbeRunner {
        ProbeRunner {
            engine: self.clone(),
            settings: self.probe_settings(),
            missing: HashMap::new(),
            toolbox: None,
        }
    }

    /// A runner whose steps end sooner than the configured limit (reads that pages wait for).
    pub fn probe_runner_with_timeout(&self, step_timeout: Duration) -> ProbeRunner {
        let mut runner = self.probe_runner();
        runner.settings.step_timeout = step_timeout;
        runner
    }

    /// Removes debug containers (`netdoctor.debug=true`) created at least `older_than` ago:
    /// those a crash or a kill left behind. Every debug container lives one step's time limit,
    /// so an old one belongs to no running check, even of another netdoctor on this engine.
    /// `also_labelled` (`key=value`) narrows the sweep (tests sweep only their own). Returns
    /// how many were removed.
    pub async fn remove_stale_debug_containers(
        &self,
        older_than: Duration,
        also_labelled: Option<&str>,
    ) -> Result<usize, EngineError> {
        let docker = self.client().await?;
        let mut labels = vec![format!("{DEBUG_LABEL}=true")];
        labels.extend(also_labelled.map(str::to_owned));
        let filter = HashMap::from([("label", labels)]);
        let list = bollard::query_parameters::ListContainersOptionsBuilder::default()
            .all(true)
            .filters(&filter)
            .build();
        let found = docker
            .list_containers(Some(list))
            .await
            .map_err(|e| self.classify(e))?;
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
        let limit = i64::try_from(older_than.as_secs()).unwrap_or(i64::MAX);
        let force = RemoveContainerOptionsBuilder::default()
            .force(true)
            .v(true)
            .build();
        let mut removed = 0;
        for c in found {
            let (Some(id), Some(created)) = (c.id, c.created) else {
                continue;
            };
            if now.saturating_sub(created) < limit {
                continue;
            }
            match docker.remove_container(&id, Some(force.clone())).await {
                Ok(()) => removed += 1,
                Err(e) => {
                    tracing::warn!(container = %id, "could not remove a stale debug container: {e}")
                }
            }
        }
        Ok(removed)
    }

    /// Runs one probe in a container (a fresh runner; use [`Engine::probe_runner`] for several).
    pub async fn run_probe(
        &self,
        container: &ContainerName,
        probe: &Probe,
    ) -> Result<RunRecord, EngineError> {
        self.probe_runner().run(container, probe).await
    }
}

/// Runs probes for one check. Not shared between checks: the tool cache is per run.
pub struct ProbeRunner {
    engine: Engine,
    settings: ProbeSettings,
    /// Container id (or `toolbox:<image>`) → tools known to be missing there.
    missing: HashMap<String, BTreeSet<Tool>>,
    /// Whether the toolbox image is usable, once asked: `Err` holds why not.
    toolbox: Option<Result<(), String>>,
}

/// What one attempt produced.
enum Attempt {
    Ran {
        exit_code: Option<i64>,
        output: Captured,
    },
    ToolMissing,
    TimedOut,
}

#[derive(Default)]
struct Captured {
    text: String,
    truncated: bool,
}

impl Captured {
    fn push(&mut self, bytes: &[u8], limit: usize) {
        let room = limit.saturating_sub(self.text.len());
        if bytes.len() > room {
            self.truncated = true;
        }
        self.text
            .push_str(&String::from_utf8_lossy(&bytes[..bytes.len().min(room)]));
    }
}

/// A record being filled in.
struct Draft {
    id: String,
    probe: String,
    container: String,
    container_id: Option<String>,
    started_at_ms: u64,
    started: Instant,
}

impl Draft {
    fn new(container: &ContainerName, probe: &Probe) -> Self {
        Self {
            id: new_run_id(),
            probe: probe.describe(),
            container: container.to_string(),
            container_id: None,
            started_at_ms: SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
                .unwrap_or_default(),
            started: Instant::now(),
        }
    }

    fn finish(
        self,
        tool: Option<Tool>,
        argv: Vec<String>,
        via: Via,
        exit_code: Option<i64>,
        output: Captured,
        outcome: ProbeOutcome,
    ) -> RunRecord {
        RunRecord {
            id: self.id,
            probe: self.probe,
            command: display_argv(&argv),
            argv,
            tool,
            container: self.container,
            container_id: self.container_id,
            via,
            started_at_ms: self.started_at_ms,
            duration_ms: u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX),
            exit_code,
            output: output.text,
            output_truncated: output.truncated,
            outcome,
        }
    }

    fn not_run(self, summary: String) -> RunRecord {
        self.finish(
            None,
            Vec::new(),
            Via::Nothing,
            None,
            Captured::default(),
            ProbeOutcome::not_run(summary),
        )
    }
}

/// A started check's id: 128 random bits as hex, so one user cannot guess another's check.
pub(crate) fn new_progress_id() -> String {
    crate::token::random_bytes::<16>()
        .map(|bytes| crate::token::to_hex(&bytes))
        // No randomness from the OS: fall back to the run id (unique, but guessable).
        .unwrap_or_else(|_| new_run_id())
}

/// Unique within the process and across processes started at different times; also names and
/// labels debug containers.
fn new_run_id() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    format!(
        "{:08x}{:04x}",
        (nanos as u64 ^ u64::from(std::process::id())) & 0xffff_ffff,
        COUNTER.fetch_add(1, Ordering::Relaxed) & 0xffff
    )
}

impl ProbeRunner {
    /// Runs `probe` in `container`: the first allow-listed tool the container has, else a debug
    /// container. Engine failures (unreachable, unknown container) are errors; everything else
    /// — stopped container, no tool, timeout — is a record that says what happened. Every
    /// record is added to the engine's run log.
    pub async fn run(
        &mut self,
        container: &ContainerName,
        probe: &Probe,
    ) -> Result<RunRecord, EngineError> {
        let engine = self.engine.clone();
        let slot = tokio::time::timeout(
            self.settings.step_timeout,
            engine.inner.probes.slots.acquire(),
        )
        .await;
        let result = match slot {
            Ok(Ok(_slot)) => self.run_unlogged(container, probe).await,
            _ => Ok(Draft::new(container, probe).not_run(format!(
                "netdoctor is busy: {MAX_CONCURRENT_PROBES} checks were already running and none \
                 ended within {} s. Try again in a moment.",
                self.settings.step_timeout.as_secs()
            ))),
        };
        let result = self.engine.forget_client_if_unreachable(result).await;
        if let Ok(record) = &result {
            tracing::info!(run = %record.id, container = %record.container, command = %display_argv_for_log(&record.argv), via = ?record.via, status = record.outcome.status.as_str(), "probe ran");
            self.engine.inner.probes.record(record);
        }
        result
    }

    async fn run_unlogged(
        &mut self,
        container: &ContainerName,
        probe: &Probe,
    ) -> Result<RunRecord, EngineError> {
        let mut draft = Draft::new(container, probe);
        if self.settings.read_only {
            return Ok(draft.not_run(
                "netdoctor runs read-only: checks that run commands inside containers are disabled."
                    .into(),
            ));
        }
        let docker = self.engine.client().await?;
        let inspected = docker
            .inspect_container(container.as_str(), None)
            .await
            .map_err(|e| match self.engine.classify(e) {
                EngineError::NotFound(_) => EngineError::no_container(container),
                other => other,
            })?;
        let id = inspected.id.clone().unwrap_or_default();
        draft.container_id = Some(id.clone());
        let state = inspected.state.as_ref();
        let running = state.and_then(|s| s.running).unwrap_or(false)
            && !state.and_then(|s| s.paused).unwrap_or(false)
            && !state.and_then(|s| s.restarting).unwrap_or(false);
        if !running {
            let status = state
                .and_then(|s| s.status)
                .map_or_else(|| "not running".to_owned(), |s| s.to_string());
            return Ok(draft.not_run(format!(
                "{container} is {status}: nothing can run inside it. Start it with `docker start {container}`."
            )));
        }

        let limit = probe.output_limit().unwrap_or(self.settings.output_limit);
        // In the container itself, with the first tool it has.
        let missing = self.missing.entry(id.clone()).or_default().clone();
        for &tool in probe.tools().iter().filter(|t| !missing.contains(t)) {
            let Some(argv) = probe.argv(tool) else {
                continue;
            };
            match self.exec(&docker, &id, &argv, limit).await? {
                Attempt::ToolMissing => {
                    self.missing.entry(id.clone()).or_default().insert(tool);
                }
                attempt => {
                    return Ok(self.conclude(draft, probe, tool, argv, Via::InContainer, attempt));
                }
            }
        }
        let tried = tool_list(probe.tools());
        if !self.settings.debug_containers {
            return Ok(draft.not_run(format!(
                "{container} has none of {tried}, and debug containers are turned off."
            )));
        }

        // A debug container in the target's network namespace.
        let image = self.settings.toolbox_image.clone();
        if let Err(why) = self.toolbox_ready(&docker).await {
            return Ok(draft.not_run(format!(
                "{container} has none of {tried}, so netdoctor needs a debug container, but {why}"
            )));
        }
        let key = format!("toolbox:{image}");
        let missing = self.missing.entry(key.clone()).or_default().clone();
        for &tool in probe.tools().iter().filter(|t| !missing.contains(t)) {
            let Some(argv) = probe.argv(tool) else {
                continue;
            };
            match self
                .debug_container(&docker, &id, &argv, &draft.id, limit)
                .await?
            {
                Attempt::ToolMissing => {
                    self.missing.entry(key.clone()).or_default().insert(tool);
                }
                attempt => {
                    let via = Via::DebugContainer {
                        image: image.clone(),
                    };
                    return Ok(self.conclude(draft, probe, tool, argv, via, attempt));
                }
            }
        }
        Ok(draft.not_run(format!(
            "Neither {container} nor the toolbox image {image} has any of {tried}."
        )))
    }

    fn conclude(
        &self,
        draft: Draft,
        probe: &Probe,
        tool: Tool,
        argv: Vec<String>,
        via: Via,
        attempt: Attempt,
    ) -> RunRecord {
        match attempt {
            Attempt::Ran { exit_code, output } => {
                let outcome = interpret(probe, tool, exit_code, &output.text);
                draft.finish(Some(tool), argv, via, exit_code, output, outcome)
            }
            Attempt::TimedOut | Attempt::ToolMissing => {
                let secs = self.settings.step_timeout.as_secs();
                let after_ms =
                    u64::try_from(self.settings.step_timeout.as_millis()).unwrap_or(u64::MAX);
                let abandoned = match via {
                    Via::DebugContainer { .. } => "the debug container was removed",
                    _ => {
                        "the command was abandoned (Docker cannot stop an exec; it ends on its own)"
                    }
                };
                let outcome = ProbeOutcome::failed(
                    Observation::TimedOut { after_ms },
                    format!("No answer within {secs} s; {abandoned}."),
                );
                draft.finish(Some(tool), argv, via, None, Captured::default(), outcome)
            }
        }
    }

    /// `docker exec` with stdout and stderr attached, bounded by the step timeout.
    async fn exec(
        &self,
        docker: &Docker,
        container_id: &str,
        argv: &[String],
        limit: usize,
    ) -> Result<Attempt, EngineError> {
        let work = async {
            let created = docker
                .create_exec(
                    container_id,
                    CreateExecOptions {
                        attach_stdin: Some(false),
                        attach_stdout: Some(true),
                        attach_stderr: Some(true),
                        tty: Some(false),
                        cmd: Some(argv.to_vec()),
                        ..Default::default()
                    },
                )
                .await?;
            let mut output = Captured::default();
            let started = docker
                .start_exec(
                    &created.id,
                    Some(StartExecOptions {
                        detach: false,
                        tty: false,
                        output_capacity: None,
                    }),
                )
                .await?;
            if let StartExecResults::Attached {
                output: mut stream, ..
            } = started
            {
                while let Some(chunk) = stream.next().await {
                    output.push(&chunk?.into_bytes(), limit);
                }
            }
            // The exit code is set once the process is reaped, a moment after the stream ends.
            let mut exit_code = None;
            for _ in 0..20 {
                let inspected = docker.inspect_exec(&created.id).await?;
                if inspected.running != Some(true) {
                    exit_code = inspected.exit_code;
                    break;
                }
                tokio::time::sleep(Duration::from_millis(25)).await;
            }
            Ok::<_, BollardError>((exit_code, output))
        };
        match tokio::time::timeout(self.settings.step_timeout, work).await {
            Err(_) => Ok(Attempt::TimedOut),
            Ok(Err(e)) if missing_in_error(&e) => Ok(Attempt::ToolMissing),
            Ok(Err(e)) => Err(self.engine.classify(e)),
            Ok(Ok((exit_code, output))) if tool_missing(exit_code, &output.text) => {
                Ok(Attempt::ToolMissing)
            }
            Ok(Ok((exit_code, output))) => Ok(Attempt::Ran { exit_code, output }),
        }
    }

    /// Whether the toolbox image is here, pulling it once if not.
    async fn toolbox_ready(&mut self, docker: &Docker) -> Result<(), String> {
        if let Some(known) = &self.toolbox {
            return known.clone();
        }
        let image = self.settings.toolbox_image.clone();
        let result = match docker.inspect_image(&image).await {
            Ok(_) => Ok(()),
            Err(e) => match self.engine.classify(e) {
                EngineError::NotFound(_) => self.pull(docker, &image).await,
                other => Err(format!(
                    "the toolbox image {image} could not be inspected: {other}"
                )),
            },
        };
        self.toolbox = Some(result.clone());
        result
    }

    async fn pull(&self, docker: &Docker, image: &str) -> Result<(), String> {
        tracing::info!(%image, "pulling the toolbox image");
        let options = CreateImageOptionsBuilder::default()
            .from_image(image)
            .build();
        let pulling = async {
            let mut stream = docker.create_image(Some(options), None, None);
            while let Some(step) = stream.next().await {
                let step = step.map_err(|e| e.to_string())?;
                if let Some(detail) = step.error_detail {
                    return Err(detail.message.unwrap_or_default());
                }
            }
            Ok(())
        };
        let advice = format!(
            "Pull it on the Docker host (`docker pull {image}`), or point netdoctor at a toolbox image that is there (--toolbox-image / NETDOCTOR_TOOLBOX_IMAGE)."
        );
        match tokio::time::timeout(self.settings.pull_timeout, pulling).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(why)) => Err(format!(
                "the toolbox image {image} is not on this host and could not be pulled ({why}). {advice}"
            )),
            Err(_) => Err(format!(
                "the toolbox image {image} is not on this host and pulling it took longer than {} s. {advice}",
                self.settings.pull_timeout.as_secs()
            )),
        }
    }

    /// Runs `argv` in a new container from the toolbox image sharing `target_id`'s network
    /// namespace; waits, reads its output, and removes it — also on timeout, error or when
    /// this future is dropped.
    async fn debug_container(
        &self,
        docker: &Docker,
        target_id: &str,
        argv: &[String],
        run_id: &str,
        limit: usize,
    ) -> Result<Attempt, EngineError> {
        let (program, args) = argv
            .split_first()
            .map_or(("", &[][..]), |(p, a)| (p.as_str(), a));
        let body = ContainerCreateBody {
            image: Some(self.settings.toolbox_image.clone()),
            // The toolbox's own entrypoint (a shell, often) never runs: only the allow-listed argv.
            entrypoint: Some(vec![program.to_owned()]),
            cmd: Some(args.to_vec()),
            tty: Some(false),
            attach_stdin: Some(false),
            labels: Some(HashMap::from([
                (DEBUG_LABEL.to_owned(), "true".to_owned()),
                (DEBUG_RUN_LABEL.to_owned(), run_id.to_owned()),
                ("netdoctor.debug.target".to_owned(), target_id.to_owned()),
            ])),
            host_config: Some(HostConfig {
                network_mode: Some(format!("container:{target_id}")),
                readonly_rootfs: Some(true),
                security_opt: Some(vec!["no-new-privileges".to_owned()]),
                pids_limit: Some(32),
                memory: Some(128 * 1024 * 1024),
                auto_remove: Some(false),
                ..Default::default()
            }),
            ..Default::default()
        };
        let name = format!("netdoctor-debug-{run_id}");
        let created = docker
            .create_container(
                Some(CreateContainerOptionsBuilder::default().name(&name).build()),
                body,
            )
            .await
            .map_err(|e| self.engine.classify(e))?;
        let guard = DebugContainer {
            docker: docker.clone(),
            id: Some(created.id.clone()),
        };
        let id = created.id.as_str();
        let work = async {
            if let Err(e) = docker.start_container(id, None).await {
                return if missing_in_error(&e) {
                    Ok(None)
                } else {
                    Err(e)
                };
            }
            let exit_code = match docker.wait_container(id, None).next().await {
                Some(Ok(done)) => Some(done.status_code),
                Some(Err(BollardError::DockerContainerWaitError { code, .. })) => Some(code),
                Some(Err(e)) => return Err(e),
                None => None,
            };
            let mut output = Captured::default();
            let mut logs = docker.logs(
                id,
                Some(
                    LogsOptionsBuilder::default()
                        .stdout(true)
                        .stderr(true)
                        .build(),
                ),
            );
            while let Some(chunk) = logs.next().await {
                output.push(&chunk?.into_bytes(), limit);
            }
            Ok(Some((exit_code, output)))
        };
        let result = tokio::time::timeout(self.settings.step_timeout, work).await;
        guard.remove().await;
        match result {
            Err(_) => Ok(Attempt::TimedOut),
            Ok(Err(e)) => Err(self.engine.classify(e)),
            Ok(Ok(None)) => Ok(Attempt::ToolMissing),
            Ok(Ok(Some((exit_code, output)))) if tool_missing(exit_code, &output.text) => {
                Ok(Attempt::ToolMissing)
            }
            Ok(Ok(Some((exit_code, output)))) => Ok(Attempt::Ran { exit_code, output }),
        }
    }
}

/// Removes its debug container: explicitly with [`DebugContainer::remove`], or on drop (a
/// cancelled check) with a task on the current runtime.
struct DebugContainer {
    docker: Docker,
    id: Option<String>,
}

impl DebugContainer {
    async fn remove(mut self) {
        if let Some(id) = self.id.take() {
            remove_forcefully(&self.docker, &id).await;
        }
    }
}

impl Drop for DebugContainer {
    fn drop(&mut self) {
        if let Some(id) = self.id.take() {
            let docker = self.docker.clone();
            match tokio::runtime::Handle::try_current() {
                Ok(handle) => {
                    handle.spawn(async move { remove_forcefully(&docker, &id).await });
                }
                Err(_) => {
                    tracing::error!(container = %id, "debug container left behind: no runtime to remove it")
                }
            }
        }
    }
}

async fn remove_forcefully(docker: &Docker, id: &str) {
    let force = RemoveContainerOptionsBuilder::default()
        .force(true)
        .v(true)
        .build();
    if let Err(e) = docker.remove_container(id, Some(force)).await {
        tracing::error!(container = %id, error = %e, "could not remove a debug container");
    }
}

/// The runtime's "no such program" as an API error (debug container start, some exec paths).
fn missing_in_error(e: &BollardError) -> bool {
    matches!(e, BollardError::DockerResponseServerError { message, .. }
        if message.contains("executable file not found")
            || (message.contains("exec") && message.contains("no such file or directory")))
}

fn tool_list(tools: &[Tool]) -> String {
    tools
        .iter()
        .map(|t| format!("`{t}`"))
        .collect::<Vec<_>>()
        .join(", ")
}
