//! The servers this netdoctor reaches: the engine it was started with (`local`) and those in
//! the servers file, each an [`Engine`] with its own connection state, so one server that does
//! not answer never slows or breaks the others. Adding a server proves it first — the host key
//! accepted by the user, a real answer from its engine — and only then writes its key (0600),
//! its `known_hosts` line and its entry; a server that fails leaves nothing behind.

pub mod files;
pub mod secrets;

use crate::domain::endpoint::Endpoint;
use crate::domain::problem::{EngineProblem, UnreachableKind};
use crate::domain::servers::known_hosts::{self, FingerprintedKey, HostKeyCheck, HostKeyVerdict};
use crate::domain::servers::{
    parse_servers_file, servers_file_json, SecretFiles, ServerEntry, ServerInfo, ServerName,
    ServerOrigin,
};
use crate::engine::exec::ProbeSettings;
use crate::engine::ssh;
use crate::engine::Engine;
use crate::error::AppError;
use files::{Layout, Staging};
use secrets::NewSecrets;
use std::path::Path;
use std::sync::{Arc, RwLock};

/// Why the fleet could not start (a servers file netdoctor refuses to guess about).
#[derive(Debug, thiserror::Error)]
pub enum FleetError {
    #[error("{path}: {problem}. Fix the file (or move it away to start without it).")]
    File { path: String, problem: String },
}

/// A new server as the Servers page (or an API client) describes it.
#[derive(Debug)]
pub struct NewServer {
    pub name: ServerName,
    pub endpoint: Endpoint,
    pub secrets: NewSecrets,
    /// The fingerprint (`SHA256:…`) of the host key the user compared and accepted.
    pub accept_host_key: Option<String>,
}

pub use crate::domain::servers::AddOutcome;

/// Every server, by name. Cheap to clone.
#[derive(Clone)]
pub struct Fleet {
    inner: Arc<Inner>,
}

struct Inner {
    local: Engine,
    /// `None`: a fleet of the local engine alone (tests, the CLI).
    layout: Option<Layout>,
    probe_settings: ProbeSettings,
    servers: RwLock<Vec<(ServerEntry, Engine)>>,
    /// One change to the files at a time.
    writing: tokio::sync::Mutex<()>,
}

impl Fleet {
    /// The local engine alone; adding servers is refused.
    pub fn only(local: Engine) -> Self {
        Self::build(local, None, Vec::new())
    }

    /// The local engine and the servers file in `data_dir` (none when the file is missing).
    /// A file that does not parse stops netdoctor with the reason.
    pub fn open(local: Engine, data_dir: &Path) -> Result<Self, FleetError> {
        let layout = Layout {
            data_dir: data_dir.to_owned(),
        };
        files::sweep_staging(&layout);
        let path = layout.servers_file();
        let entries = match std::fs::read_to_string(&path) {
            Ok(text) => parse_servers_file(&text).map_err(|e| FleetError::File {
                path: path.display().to_string(),
                problem: e.to_string(),
            })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(e) => {
                return Err(FleetError::File {
                    path: path.display().to_string(),
                    problem: format!("cannot be read: {e}"),
                })
            }
        };
        Ok(Self::build(local, Some(layout), entries))
    }

    fn build(local: Engine, layout: Option<Layout>, entries: Vec<ServerEntry>) -> Self {
        let probe_settings = local.probe_settings();
        let servers = entries
            .into_iter()
            .map(|entry| {
                let engine = engine_for(layout.as_ref(), &entry, &probe_settings);
                (entry, engine)
            })
            .collect();
        Self {
            inner: Arc::new(Inner {
                local,
                layout,
                probe_settings,
                servers: RwLock::new(servers),
                writing: tokio::sync::Mutex::new(()),
            }),
        }
    }

    /// The engine netdoctor was started with.
    pub fn local(&self) -> Engine {
        self.inner.local.clone()
    }

    /// A server's engine by name (`local` included).
    pub fn engine(&self, name: &ServerName) -> Option<Engine> {
        if name.is_local() {
            return Some(self.local());
        }
        self.read()
            .iter()
            .find(|(e, _)| &e.name == name)
            .map(|(_, engine)| engine.clone())
    }

    /// The engine a page or server function asks for: `local` when none is named; an unknown
    /// or malformed name is refused before anything is contacted.
    pub fn engine_for(&self, name: Option<&str>) -> Result<Engine, AppError> {
        let Some(raw) = name.map(str::trim).filter(|n| !n.is_empty()) else {
            return Ok(self.local());
        };
        let name = ServerName::parse(raw).map_err(|e| AppError::BadInput(e.to_string()))?;
        self.engine(&name)
            .ok_or_else(|| AppError::NotFound(format!("no server named {name}")))
    }

    /// Every server, `local` first, then in the servers file's order.
    pub fn list(&self) -> Vec<ServerInfo> {
        let mut list = vec![ServerInfo {
            name: ServerName::local(),
            endpoint: self.inner.local.endpoint().to_string(),
            kind: self.inner.local.endpoint().kind(),
            origin: ServerOrigin::StartedWith,
        }];
        list.extend(self.read().iter().map(|(e, _)| e.info()));
        list
    }

    /// Every server with its engine, `local` first.
    pub fn engines(&self) -> Vec<(ServerName, Engine)> {
        let mut all = vec![(ServerName::local(), self.local())];
        all.extend(
            self.read()
                .iter()
                .map(|(e, engine)| (e.name.clone(), engine.clone())),
        );
        all
    }

    /// Every server's topology, read all at once: one that has not answered within `limit` is
    /// reported as timed out and never waited for longer, so a lost server costs the others
    /// nothing.
    pub async fn topologies(
        &self,
        limit: std::time::Duration,
    ) -> Vec<(
        ServerName,
        Result<crate::domain::topology::Topology, AppError>,
    )> {
        let reads = self.engines().into_iter().map(|(name, engine)| async move {
            let endpoint = engine.endpoint().to_string();
            let read = match tokio::time::timeout(limit, engine.topology()).await {
                Ok(read) => read.map_err(AppError::from),
                Err(_) => Err(AppError::EngineUnreachable(EngineProblem {
                    endpoint,
                    kind: UnreachableKind::Timeout,
                    detail: format!("no answer within {} s", limit.as_secs()),
                })),
            };
            (name, read)
        });
        futures_util::future::join_all(reads).await
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Vec<(ServerEntry, Engine)>> {
        self.inner
            .servers
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn layout(&self) -> Result<&Layout, AppError> {
        self.inner.layout.as_ref().ok_or_else(|| {
            AppError::BadInput("this netdoctor has no data directory to keep servers in".into())
        })
    }

    fn entry(&self, name: &ServerName) -> Result<ServerEntry, AppError> {
        self.read()
            .iter()
            .find(|(e, _)| &e.name == name)
            .map(|(e, _)| e.clone())
            .ok_or_else(|| AppError::NotFound(format!("no server named {name}")))
    }

    /// Adds a server once it is proven: for `ssh://`, its host key accepted by the user (or
    /// already known, and never a changed one); then its engine answers with these secrets.
    /// Until then nothing is written outside a staging directory that is removed either way.
    pub async fn add(&self, new: NewServer) -> Result<AddOutcome, AppError> {
        let layout = self.layout()?.clone();
        let _writing = self.inner.writing.lock().await;
        if new.name.is_local() || self.engine(&new.name).is_some() {
            return Err(AppError::BadInput(format!(
                "a server named {} exists already; pick another name or remove that one first",
                new.name
            )));
        }
        let files = new.secrets.files().map_err(AppError::BadInput)?;
        let staging = Staging::new(&layout).map_err(internal("create a staging directory"))?;
        for (name, text) in &files {
            files::write_private(&staging.path().join(name), text.as_bytes())
                .map_err(internal("write a server's key"))?;
        }
        let mut credentials =
            layout.credentials_for(&new.endpoint, &SecretFiles::default(), staging.path());
        let mut accepted_line = None;
        if let Endpoint::Ssh(address) = &new.endpoint {
            let check = ssh::check_host_key(address, &layout.known_hosts()).await?;
            match check.verdict {
                HostKeyVerdict::Known => {}
                HostKeyVerdict::Changed => return Err(changed_key(&new.endpoint, &check)),
                HostKeyVerdict::Unknown => {
                    let Some(fingerprint) = new.accept_host_key.as_deref() else {
                        return Ok(AddOutcome::HostKeyToAccept(check));
                    };
                    let key = offered_key(&check, fingerprint)?;
                    let line = known_hosts::line_for(&check.host_name, &key.key);
                    // The probe connects with the real file plus this one line.
                    let mut staged = ssh::read_known_hosts(&layout.known_hosts()).await;
                    staged.push_str(&line);
                    let staged_path = staging.path().join(files::KNOWN_HOSTS);
                    files::write_private(&staged_path, staged.as_bytes())
                        .map_err(internal("stage known_hosts"))?;
                    credentials.known_hosts = Some(staged_path);
                    accepted_line = Some(line);
                }
            }
        }
        Engine::with_credentials(new.endpoint.clone(), credentials)
            .negotiated_api_version()
            .await?;

        // Proven: move the files into place, then record the host key and the entry.
        let _ = std::fs::remove_file(staging.path().join(files::KNOWN_HOSTS));
        let entry = ServerEntry {
            name: new.name.clone(),
            endpoint: new.endpoint.clone(),
            files: SecretFiles::default(),
        };
        if !files.is_empty() {
            staging
                .commit(&layout.own_dir(new.name.as_str()))
                .map_err(internal("store a server's key"))?;
        }
        if let Some(line) = accepted_line {
            append_known_host(&layout, &line).map_err(internal("write known_hosts"))?;
        }
        let mut entries: Vec<ServerEntry> = self.read().iter().map(|(e, _)| e.clone()).collect();
        entries.push(entry.clone());
        files::write_private(
            &layout.servers_file(),
            servers_file_json(&entries).as_bytes(),
        )
        .map_err(internal("write the servers file"))?;
        let engine = engine_for(Some(&layout), &entry, &self.inner.probe_settings);
        self.inner
            .servers
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push((entry.clone(), engine));
        tracing::info!(server = %entry.name, endpoint = %entry.endpoint, "server added");
        Ok(AddOutcome::Added(entry.info()))
    }

    /// Removes a server from the file and forgets its own directory (keys it was given by path
    /// elsewhere stay where they are; so do its `known_hosts` lines).
    pub async fn remove(&self, name: &ServerName) -> Result<(), AppError> {
        let layout = self.layout()?.clone();
        let _writing = self.inner.writing.lock().await;
        if name.is_local() {
            return Err(AppError::BadInput(
                "`local` is the engine netdoctor was started with (--docker-host); it cannot be removed".into(),
            ));
        }
        self.entry(name)?;
        let entries: Vec<ServerEntry> = self
            .read()
            .iter()
            .filter(|(e, _)| &e.name != name)
            .map(|(e, _)| e.clone())
            .collect();
        files::write_private(
            &layout.servers_file(),
            servers_file_json(&entries).as_bytes(),
        )
        .map_err(internal("write the servers file"))?;
        self.inner
            .servers
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .retain(|(e, _)| &e.name != name);
        let own = layout.own_dir(name.as_str());
        if own.exists() {
            std::fs::remove_dir_all(&own).map_err(internal("remove a server's keys"))?;
        }
        tracing::info!(server = %name, "server removed");
        Ok(())
    }

    /// What a server offers now against what was accepted (an `ssh://` server only).
    pub async fn check_host_key(&self, name: &ServerName) -> Result<HostKeyCheck, AppError> {
        let layout = self.layout()?.clone();
        let entry = self.entry(name)?;
        let address = ssh_address(&entry)?;
        Ok(ssh::check_host_key(address, &layout.known_hosts()).await?)
    }

    /// Accepts the host key with this fingerprint for a server that has none accepted (one
    /// from the servers file, or after [`Fleet::forget_host_key`]). A changed key is refused.
    pub async fn accept_host_key(
        &self,
        name: &ServerName,
        fingerprint: &str,
    ) -> Result<HostKeyCheck, AppError> {
        let layout = self.layout()?.clone();
        let _writing = self.inner.writing.lock().await;
        let entry = self.entry(name)?;
        let address = ssh_address(&entry)?;
        let check = ssh::check_host_key(address, &layout.known_hosts()).await?;
        match check.verdict {
            HostKeyVerdict::Known => Ok(check),
            HostKeyVerdict::Changed => Err(changed_key(&entry.endpoint, &check)),
            HostKeyVerdict::Unknown => {
                let key = offered_key(&check, fingerprint)?;
                append_known_host(&layout, &known_hosts::line_for(&check.host_name, &key.key))
                    .map_err(internal("write known_hosts"))?;
                tracing::info!(server = %name, host = %check.host_name, fingerprint = %key.fingerprint, "host key accepted");
                Ok(HostKeyCheck {
                    verdict: HostKeyVerdict::Known,
                    accepted: vec![key],
                    ..check
                })
            }
        }
    }

    /// Forgets every key accepted for a server's host (after the user checked on the server
    /// that its key really changed); the next connection asks to accept the new one.
    pub async fn forget_host_key(&self, name: &ServerName) -> Result<(), AppError> {
        let layout = self.layout()?.clone();
        let _writing = self.inner.writing.lock().await;
        let entry = self.entry(name)?;
        let address = ssh_address(&entry)?;
        let text = ssh::read_known_hosts(&layout.known_hosts()).await;
        let host_name = address.known_hosts_name();
        files::write_private(
            &layout.known_hosts(),
            known_hosts::without_host(&text, &host_name).as_bytes(),
        )
        .map_err(internal("write known_hosts"))?;
        tracing::info!(server = %name, host = %host_name, "host key forgotten");
        Ok(())
    }
}

/// The `ssh://` address of a server; refused for a server reached otherwise.
fn ssh_address(entry: &ServerEntry) -> Result<&crate::domain::endpoint::SshAddress, AppError> {
    match &entry.endpoint {
        Endpoint::Ssh(address) => Ok(address),
        _ => Err(AppError::BadInput(format!(
            "{} is not reached over SSH",
            entry.name
        ))),
    }
}

/// The engine for an entry, with its files and the fleet's probe settings (`--read-only`
/// applies to every server).
fn engine_for(layout: Option<&Layout>, entry: &ServerEntry, settings: &ProbeSettings) -> Engine {
    let credentials = layout.map(|l| l.credentials(entry)).unwrap_or_default();
    Engine::with_credentials(entry.endpoint.clone(), credentials)
        .with_probe_settings(settings.clone())
}

/// The offered key the user accepted, by fingerprint; refused when the server no longer
/// offers it (it changed between the look and the click).
fn offered_key(check: &HostKeyCheck, fingerprint: &str) -> Result<FingerprintedKey, AppError> {
    let wanted = fingerprint.trim();
    check
        .offered
        .iter()
        .find(|k| k.fingerprint == wanted)
        .cloned()
        .ok_or_else(|| {
            AppError::BadInput(format!(
                "{} does not offer a host key with the fingerprint {}; it offers {}. Compare again before accepting.",
                check.host_name,
                wanted.chars().take(80).collect::<String>(),
                check
                    .offered
                    .iter()
                    .map(FingerprintedKey::label)
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })
}

/// The refusal for a host whose key changed, naming both fingerprints.
fn changed_key(endpoint: &Endpoint, check: &HostKeyCheck) -> AppError {
    let list = |keys: &[FingerprintedKey]| {
        keys.iter()
            .map(FingerprintedKey::label)
            .collect::<Vec<_>>()
            .join(", ")
    };
    AppError::EngineUnreachable(EngineProblem {
        endpoint: endpoint.to_string(),
        kind: UnreachableKind::SshHostKeyChanged,
        detail: format!(
            "The server now offers {}; netdoctor accepted {} before.",
            list(&check.offered),
            list(&check.accepted)
        ),
    })
}

/// Appends one line to `known_hosts` (created 0600 when missing), rewriting it whole.
fn append_known_host(layout: &Layout, line: &str) -> std::io::Result<()> {
    let path = layout.known_hosts();
    let mut text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(e),
    };
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str(line);
    files::write_private(&path, text.as_bytes())
}

/// An IO failure on the server: logged with what was being done, `Internal` on the wire.
fn internal(doing: &'static str) -> impl Fn(std::io::Error) -> AppError {
    move |e| {
        tracing::error!(error = %e, "could not {doing}");
        AppError::Internal
    }
}
