//! The only module that names bollard: connects to the Docker Engine, negotiates the API
//! version, and turns the Engine's answers into domain types. Integration-tested against a
//! real engine (see `tests/engine_live.rs`).

pub mod checks;
pub mod events;
pub mod exec;
pub mod logs;
pub mod routes;
pub mod ssh;
pub mod swarm;
#[cfg(any(test, feature = "testkit"))]
pub mod testkit;
pub mod transport;

use crate::domain::endpoint::Endpoint;
use crate::domain::engine_json::{
    ContainerInspectJson, ContainerSummaryJson, NetworkInspectJson, VersionJson,
};
use crate::domain::names::ContainerName;
use crate::domain::overview::Overview;
use crate::domain::problem::{EngineProblem, OsErrorKind, UnreachableKind};
use crate::domain::topology::{Container, Topology};
use crate::error::AppError;
use bollard::errors::Error as BollardError;
use bollard::query_parameters::ListContainersOptionsBuilder;
use bollard::Docker;
use futures_util::stream::{self, StreamExt, TryStreamExt};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Mutex;

/// Inspect calls in flight at once while building the topology: enough to hide latency,
/// few enough not to flood a busy engine.
pub const INSPECT_CONCURRENCY: usize = 16;

/// How long one Engine request may take before the engine counts as unreachable.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// Engine failures, sorted once at this seam.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// The Engine answered 404 for a container, network or image.
    #[error("not found: {0}")]
    NotFound(String),
    /// The Engine understood and refused.
    #[error("Docker Engine refused the request ({status}): {message}")]
    Rejected { status: u16, message: String },
    /// Socket missing, permission denied, engine stopped, timeout.
    #[error("{}", .0.headline())]
    Unreachable(EngineProblem),
    /// The Engine's answer did not fit netdoctor's model (a bug, or an engine newer than known).
    #[error("unexpected answer from the Docker Engine: {0}")]
    Unexpected(String),
}

impl EngineError {
    /// A container the Engine does not know, asked for by name, short id or full id (the Engine
    /// accepts all three, so the message names both).
    pub fn no_container(name: impl std::fmt::Display) -> Self {
        Self::NotFound(format!("no container with the name or id {name}"))
    }
}

impl From<EngineError> for AppError {
    fn from(err: EngineError) -> Self {
        match err {
            EngineError::NotFound(what) => AppError::NotFound(what),
            EngineError::Rejected { status, message } => {
                AppError::EngineRejected { status, message }
            }
            EngineError::Unreachable(problem) => AppError::EngineUnreachable(problem),
            EngineError::Unexpected(detail) => {
                tracing::error!(%detail, "unexpected Engine answer");
                AppError::Internal
            }
        }
    }
}

/// A handle on one Docker Engine. Cheap to clone. It connects lazily and again after every
/// failure, so an engine that was stopped, missing or refused at start-up is picked up as soon
/// as it answers, without restarting netdoctor.
#[derive(Clone)]
pub struct Engine {
    inner: Arc<Inner>,
}

struct Inner {
    endpoint: Endpoint,
    /// Where this server's key, certificates and `known_hosts` are (TLS and SSH endpoints).
    credentials: transport::Credentials,
    /// A client whose API version has been negotiated; `None` until the engine first answers.
    client: Mutex<Option<Docker>>,
    /// Engine changes, broadcast to every open page (see `events`).
    feed: events::ChangeFeed,
    /// Whether the shared event watcher runs.
    watching: std::sync::atomic::AtomicBool,
    /// Probe settings and the log of recent runs (see `exec`).
    probes: exec::ProbeState,
    /// Checks started in the background, for pages that poll their steps (see `checks`).
    progress: checks::ProgressBoard,
    /// Log streams open on the Engine and the bytes read from them (see `logs`).
    log_meter: logs::LogMeter,
    /// The proxy's loaded routes, last read (see `routes`).
    routes: routes::RouteCache,
}

impl Engine {
    pub fn new(endpoint: Endpoint) -> Self {
        Self::with_credentials(endpoint, transport::Credentials::default())
    }

    /// An engine reached over TLS or SSH with these files.
    pub fn with_credentials(endpoint: Endpoint, credentials: transport::Credentials) -> Self {
        Self {
            inner: Arc::new(Inner {
                endpoint,
                credentials,
                client: Mutex::new(None),
                feed: events::ChangeFeed::new(),
                watching: std::sync::atomic::AtomicBool::new(false),
                probes: exec::ProbeState::default(),
                progress: checks::ProgressBoard::default(),
                log_meter: logs::LogMeter::default(),
                routes: routes::RouteCache::default(),
            }),
        }
    }

    pub fn endpoint(&self) -> &Endpoint {
        &self.inner.endpoint
    }

    /// A connected client with a negotiated API version.
    pub(crate) async fn client(&self) -> Result<Docker, EngineError> {
        let mut slot = self.inner.client.lock().await;
        if let Some(docker) = slot.as_ref() {
            return Ok(docker.clone());
        }
        if let (Endpoint::Ssh(address), Some(key), Some(known_hosts)) = (
            &self.inner.endpoint,
            &self.inner.credentials.ssh_key,
            &self.inner.credentials.known_hosts,
        ) {
            ssh::preflight(&ssh::SshSettings {
                address: address.clone(),
                key: key.clone(),
                known_hosts: known_hosts.clone(),
            })
            .await?;
        }
        let docker = transport::docker_for(&self.inner.endpoint, &self.inner.credentials)?;
        let docker = docker
            .negotiate_version()
            .await
            .map_err(|e| self.classify(e))?;
        tracing::info!(endpoint = %self.inner.endpoint, api = %docker.client_version(), "connected to the Docker Engine");
        *slot = Some(docker.clone());
        Ok(docker)
    }

    /// Drops the client after a connection failure so the next call reconnects and negotiates
    /// again (the engine may come back as another version).
    async fn forget_client_if_unreachable<T>(
        &self,
        result: Result<T, EngineError>,
    ) -> Result<T, EngineError> {
        if let Err(EngineError::Unreachable(problem)) = &result {
            tracing::warn!(endpoint = %self.inner.endpoint, kind = ?problem.kind, detail = %problem.detail, "Docker Engine unreachable");
            self.forget_client().await;
        }
        result
    }

    /// Drops the client so the next call reconnects and negotiates again.
    async fn forget_client(&self) {
        *self.inner.client.lock().await = None;
    }

    /// The negotiated API version, once connected.
    pub async fn negotiated_api_version(&self) -> Result<String, EngineError> {
        let result = self.client().await.map(|d| d.client_version().to_string());
        self.forget_client_if_unreachable(result).await
    }

    /// Engine status and every container, as the first screen shows them.
    pub async fn overview(&self) -> Result<Overview, EngineError> {
        let result = self.fetch_overview().await;
        self.forget_client_if_unreachable(result).await
    }

    async fn fetch_overview(&self) -> Result<Overview, EngineError> {
        let docker = self.client().await?;
        let (version, (containers, networks)) = tokio::try_join!(
            async { docker.version().await.map_err(|e| self.classify(e)) },
            self.list_containers_and_networks(&docker),
        )?;
        let version: VersionJson = to_domain(&version)?;
        let containers: Vec<ContainerSummaryJson> = to_domain(&containers)?;
        Ok(Overview::from_engine(
            self.inner.endpoint.to_string(),
            docker.client_version().to_string(),
            &version,
            &containers,
            networks.len(),
        ))
    }

    /// `docker ps -a` and `docker network ls`, concurrently.
    async fn list_containers_and_networks(
        &self,
        docker: &Docker,
    ) -> Result<
        (
            Vec<bollard::models::ContainerSummary>,
            Vec<bollard::models::Network>,
        ),
        EngineError,
    > {
        let list = ListContainersOptionsBuilder::default().all(true).build();
        tokio::try_join!(
            async {
                docker
                    .list_containers(Some(list))
                    .await
                    .map_err(|e| self.classify(e))
            },
            async {
                docker
                    .list_networks(None)
                    .await
                    .map_err(|e| self.classify(e))
            },
        )
    }

    /// One container as the topology models it, with the networks it sits on (one inspect and
    /// the network list, not the whole picture).
    pub async fn container(&self, name: &ContainerName) -> Result<Container, EngineError> {
        let result = async {
            let docker = self.client().await?;
            let (inspected, networks) = tokio::try_join!(
                async {
                    docker
                        .inspect_container(name.as_str(), None)
                        .await
                        .map_err(|e| self.classify(e))
                },
                async {
                    docker
                        .list_networks(None)
                        .await
                        .map_err(|e| self.classify(e))
                },
            )?;
            let inspected: ContainerInspectJson = to_domain(&inspected)?;
            let networks: Vec<NetworkInspectJson> = to_domain(&networks)?;
            Topology::from_engine(&[inspected], &networks)
                .containers
                .into_iter()
                .next()
                .ok_or_else(|| EngineError::no_container(name))
        }
        .await;
        let result = match result {
            Err(EngineError::NotFound(_)) => Err(EngineError::no_container(name)),
            other => other,
        };
        self.forget_client_if_unreachable(result).await
    }

    /// The network picture: every container inspected (the list call does not carry aliases,
    /// exposed ports or endpoints), every network as listed, and the routes the proxy really
    /// loaded when it can be asked (see `routes`), else those its labels describe.
    pub async fn topology(&self) -> Result<Topology, EngineError> {
        let mut topology = self.topology_from_labels().await?;
        // Opening a page runs nothing: the proxy's files and an earlier read only.
        self.attach_loaded_routes(&mut topology, false, routes::RouteRead::FilesOnly)
            .await;
        Ok(topology)
    }

    /// [`Engine::topology`] with the routes read from the containers' labels only.
    pub async fn topology_from_labels(&self) -> Result<Topology, EngineError> {
        let result = async {
            let docker = self.client().await?;
            let (version, info, everything) = tokio::try_join!(
                async {
                    let version = docker.version().await.map_err(|e| self.classify(e))?;
                    to_domain::<_, VersionJson>(&version)
                },
                // The host's name, for exported pictures, and whether it manages a swarm; a
                // socket proxy may refuse `/info`, which costs the name and the swarm.
                async { Ok(docker.info().await.ok()) },
                self.inspect_everything(),
            )?;
            let swarm = match self.swarm_from_info(&docker, info.as_ref()).await {
                Ok(swarm) => swarm,
                Err(EngineError::Unreachable(problem)) => {
                    return Err(EngineError::Unreachable(problem))
                }
                // A manager that refuses the swarm endpoints (a socket proxy allowing only
                // containers and networks) still gets its picture, without the swarm.
                Err(e) => {
                    tracing::warn!(endpoint = %self.inner.endpoint, error = %e, "swarm not read");
                    None
                }
            };
            Ok((version, info.and_then(|i| i.name), everything, swarm))
        }
        .await;
        let (version, host_name, (containers, networks), swarm) =
            self.forget_client_if_unreachable(result).await?;
        let mut topology = Topology::from_engine(&containers, &networks);
        // Some rules word what holds by engine version (internal networks changed in 25.0).
        topology.engine_version = Some(version.version).filter(|v| !v.is_empty());
        topology.host_name = host_name.filter(|n| !n.is_empty());
        topology.swarm = swarm;
        Ok(topology)
    }

    /// The Engine answers behind [`Engine::topology`], for recording and benchmarks: every
    /// container inspected, and the networks as `GET /networks` lists them. The list carries
    /// everything the topology reads from a network (driver, scope, IPAM, internal, attachable,
    /// labels) but not `Containers`, which stays empty: members come from the containers'
    /// endpoints. Inspecting each network as well cost about 40 % more time and Engine CPU on
    /// 300 containers over 40 networks for no extra information (see BENCHMARKS.md).
    pub async fn inspect_everything(
        &self,
    ) -> Result<(Vec<ContainerInspectJson>, Vec<NetworkInspectJson>), EngineError> {
        let docker = self.client().await?;
        let (summaries, networks) = self.list_containers_and_networks(&docker).await?;
        let container_ids: Vec<String> = summaries.into_iter().filter_map(|c| c.id).collect();
        let containers = self
            .inspect_all(&container_ids, |id| {
                let docker = docker.clone();
                async move { docker.inspect_container(&id, None).await }
            })
            .await?;
        let networks: Vec<NetworkInspectJson> = to_domain(&networks)?;
        Ok((containers, networks))
    }

    /// Inspects each id with bounded concurrency, in the order given. Ids that vanished since
    /// the list call (404) are skipped: containers come and go while we look.
    async fn inspect_all<T, U, F, Fut>(
        &self,
        ids: &[String],
        inspect: F,
    ) -> Result<Vec<U>, EngineError>
    where
        T: Serialize,
        U: DeserializeOwned,
        F: Fn(String) -> Fut,
        Fut: std::future::Future<Output = Result<T, BollardError>>,
    {
        let answers: Vec<Option<U>> = stream::iter(ids.iter().cloned())
            .map(|id| {
                let fut = inspect(id);
                async move {
                    match fut.await.map_err(|e| self.classify(e)) {
                        Ok(value) => to_domain(&value).map(Some),
                        Err(EngineError::NotFound(_)) => Ok(None),
                        Err(e) => Err(e),
                    }
                }
            })
            .buffered(INSPECT_CONCURRENCY)
            .try_collect()
            .await?;
        Ok(answers.into_iter().flatten().collect())
    }

    /// Sorts a bollard error into what the user can act on.
    fn classify(&self, err: BollardError) -> EngineError {
        let unreachable = |kind: UnreachableKind, detail: String| {
            EngineError::Unreachable(EngineProblem {
                endpoint: self.inner.endpoint.to_string(),
                kind,
                detail,
            })
        };
        match err {
            BollardError::DockerResponseServerError {
                status_code: 404,
                message,
            } => EngineError::NotFound(message),
            BollardError::DockerResponseServerError {
                status_code,
                message,
            } => EngineError::Rejected {
                status: status_code,
                message,
            },
            BollardError::SocketNotFoundError(path) => unreachable(
                UnreachableKind::SocketMissing,
                format!("{path}: no such file"),
            ),
            BollardError::RequestTimeoutError => unreachable(
                UnreachableKind::Timeout,
                format!("no answer within {} s", REQUEST_TIMEOUT.as_secs()),
            ),
            BollardError::APIVersionParseError {} => unreachable(
                UnreachableKind::NotDocker,
                "the /version answer had no API version".into(),
            ),
            BollardError::JsonDataError { message, .. } => EngineError::Unexpected(message),
            BollardError::JsonSerdeError { err } => EngineError::Unexpected(err.to_string()),
            other => {
                let detail = error_chain(&other);
                if let Some((kind, detail)) = remote_failure(&other) {
                    return unreachable(kind, detail);
                }
                match os_error_kind(&other) {
                    Some(kind) => unreachable(UnreachableKind::from_os_error(kind), detail),
                    None => unreachable(UnreachableKind::Other, detail),
                }
            }
        }
    }
}

/// Re-reads a bollard model (which serialises to the Engine's own JSON field names) as the
/// domain's view of that JSON, so live answers and recorded fixtures take one path.
fn to_domain<T: Serialize, U: DeserializeOwned>(value: &T) -> Result<U, EngineError> {
    serde_json::to_value(value)
        .and_then(serde_json::from_value)
        .map_err(|e| EngineError::Unexpected(e.to_string()))
}

/// An SSH or TLS failure in the chain: its kind, and the detail worth showing (ssh's own words,
/// or rustls's).
fn remote_failure(err: &(dyn std::error::Error + 'static)) -> Option<(UnreachableKind, String)> {
    if let Some(failure) = err.downcast_ref::<ssh::SshFailure>() {
        return Some(failure.sort());
    }
    if let Some(tls) = err.downcast_ref::<rustls::Error>() {
        return Some((transport::tls_kind(tls), tls.to_string()));
    }
    // io::Error hides the error it wraps from `source()` (hyper-rustls wraps one io::Error in
    // another): look inside it first.
    let wrapped = err
        .downcast_ref::<std::io::Error>()
        .and_then(|io| io.get_ref())
        .map(|inner| inner as &(dyn std::error::Error + 'static));
    wrapped
        .and_then(remote_failure)
        .or_else(|| err.source().and_then(remote_failure))
}

/// The first OS error in the chain, as the domain's kind.
fn os_error_kind(err: &(dyn std::error::Error + 'static)) -> Option<OsErrorKind> {
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = current {
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            return Some(match io.kind() {
                std::io::ErrorKind::NotFound => OsErrorKind::NotFound,
                std::io::ErrorKind::PermissionDenied => OsErrorKind::PermissionDenied,
                std::io::ErrorKind::ConnectionRefused => OsErrorKind::ConnectionRefused,
                std::io::ErrorKind::TimedOut => OsErrorKind::TimedOut,
                _ => OsErrorKind::Other,
            });
        }
        current = e.source();
    }
    None
}

/// "a: b: c" from an error and its sources.
fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = vec![err.to_string()];
    let mut current = err.source();
    while let Some(e) = current {
        let text = e.to_string();
        if parts.last() != Some(&text) {
            parts.push(text);
        }
        current = e.source();
    }
    parts.join(": ")
}
