//! Reads the proxy's real routing table — what it loaded, not what the labels ask for — and
//! keeps it with its read time. Caddy's admin API and Traefik's API are asked on loopback inside
//! the proxy's network namespace through the check runner (allow-listed `wget`/`curl`, time
//! limit, output cap, a debug container when the proxy has no tools, nothing in read-only mode);
//! Traefik's dynamic files and Caddy's autosave are read from the container's file system with
//! the Engine's archive endpoint, which runs nothing. Whatever answers decides the proxy's kind.

use crate::domain::checks::probe::{Probe, ProxyApi};
use crate::domain::checks::StepStatus;
use crate::domain::proxy::loaded::{LoadedRoutes, LoadedVia};
use crate::domain::proxy::traefik_files::{self, StaticConfig, DEFAULT_STATIC_FILES};
use crate::domain::proxy::{caddy_config, traefik_api, ProxyKind};
use crate::domain::topology::Topology;
use crate::engine::{Engine, EngineError};
use bollard::query_parameters::DownloadFromContainerOptionsBuilder;
use bollard::Docker;
use futures_util::StreamExt;
use std::hash::{Hash, Hasher};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Longest one question to the proxy may take (a hung admin API costs this much, once).
pub const ROUTE_PROBE_TIMEOUT: Duration = Duration::from_secs(5);
/// Longest a whole read may take, every attempt included (a missing toolbox image's pull too).
pub const ROUTE_READ_TIMEOUT: Duration = Duration::from_secs(12);
/// A table older than this is read again in the background while the old one is shown.
pub const ROUTES_MAX_AGE: Duration = Duration::from_secs(20);
/// Most bytes read from the container's file system for one path (the dynamic directory).
pub const ARCHIVE_LIMIT: usize = crate::domain::checks::probe::PROXY_CONFIG_LIMIT;

/// Caddy writes the config it runs here (`$XDG_CONFIG_HOME/caddy/autosave.json`: the official
/// and caddy-docker-proxy images set `/config`; elsewhere root's home).
const CADDY_AUTOSAVE: [&str; 2] = [
    "/config/caddy/autosave.json",
    "/root/.config/caddy/autosave.json",
];

/// Whether a read may ask the proxy's API, which answers only on the proxy's own loopback and so
/// needs a command run inside it (or a debug container). Opening a page never runs a command:
/// pages read the proxy's files (Traefik's dynamic directory, Caddy's autosave) and reuse a table
/// the user had read; only the "Re-read routes" button and the domain check ask the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RouteRead {
    /// Files and the cache only: nothing runs.
    FilesOnly,
    /// The API too (the user asked).
    MayAskApi,
}

/// The last read, kept on the `Engine`.
#[derive(Default)]
pub(crate) struct RouteCache {
    last: tokio::sync::Mutex<Option<CachedRead>>,
    refreshing: std::sync::atomic::AtomicBool,
}

#[derive(Clone)]
struct CachedRead {
    /// What the host looked like when read: the proxy and every container's state and IPs.
    fingerprint: u64,
    at: Instant,
    read_at_ms: u64,
    /// How it was read: a table the user had the API read is not replaced behind their back by a
    /// files-only read.
    how: RouteRead,
    result: Result<LoadedRoutes, String>,
}

impl Engine {
    /// Puts the proxy's loaded routes into `topology` (or keeps the labels and says why): the
    /// cached table when the host has not changed since it was read, else a new read. A table
    /// older than [`ROUTES_MAX_AGE`] is used once more while a fresh one is read behind it.
    pub(crate) async fn attach_loaded_routes(
        &self,
        topology: &mut Topology,
        force: bool,
        how: RouteRead,
    ) {
        if topology.proxy_container().is_none() {
            topology.keep_label_routes("There is no proxy container.".into(), None);
            return;
        }
        let fingerprint = fingerprint(topology);
        let mut last = self.inner.routes.last.lock().await;
        let cached = last
            .as_ref()
            .filter(|c| c.fingerprint == fingerprint && !force)
            .cloned();
        let read = match cached {
            Some(c) => {
                // Files are read again behind the page; a table the API gave is kept until the
                // host changes or the user reads again.
                if c.at.elapsed() > ROUTES_MAX_AGE && c.how == RouteRead::FilesOnly {
                    self.refresh_in_background(topology.clone(), fingerprint);
                }
                c
            }
            None => {
                let read = self.read_now(topology, fingerprint, how).await;
                *last = Some(read.clone());
                read
            }
        };
        drop(last);
        apply(topology, &read);
    }

    /// The topology with the proxy's routes read now, whatever the cache holds (the "Re-read
    /// routes" button, `netdoctor routes`).
    pub async fn topology_with_fresh_routes(&self) -> Result<Topology, EngineError> {
        let mut topology = self.topology_from_labels().await?;
        self.attach_loaded_routes(&mut topology, true, RouteRead::MayAskApi)
            .await;
        Ok(topology)
    }

    /// The topology as seen through `proxy` (a proxy the user named; `None`: the host's own),
    /// its routes read from that proxy; `fresh` reads them now whatever the cache holds.
    pub async fn topology_for_proxy(
        &self,
        proxy: Option<&crate::domain::names::ContainerName>,
        fresh: bool,
    ) -> Result<Topology, EngineError> {
        let mut topology = self.topology_from_labels().await?;
        if let Some(c) = proxy
            .and_then(|name| topology.container(name.as_str()))
            .cloned()
        {
            if topology.proxy.as_ref().map(|p| &p.container) != Some(&c.name) {
                let kind = ProxyKind::from_image(&c.image);
                topology.proxy = Some(crate::domain::topology::Proxy {
                    container: c.name.clone(),
                    kind,
                    image: c.image.clone(),
                });
                topology.routes = topology.routes_for(kind);
            }
        }
        self.attach_loaded_routes(&mut topology, fresh, RouteRead::MayAskApi)
            .await;
        Ok(topology)
    }

    fn refresh_in_background(&self, topology: Topology, fingerprint: u64) {
        use std::sync::atomic::Ordering;
        if self.inner.routes.refreshing.swap(true, Ordering::AcqRel) {
            return;
        }
        let engine = self.clone();
        tokio::spawn(async move {
            let read = engine
                .read_now(&topology, fingerprint, RouteRead::FilesOnly)
                .await;
            *engine.inner.routes.last.lock().await = Some(read);
            engine
                .inner
                .routes
                .refreshing
                .store(false, Ordering::Release);
        });
    }

    async fn read_now(&self, topology: &Topology, fingerprint: u64, how: RouteRead) -> CachedRead {
        let read_at_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
            .unwrap_or_default();
        let result =
            match tokio::time::timeout(ROUTE_READ_TIMEOUT, self.read_proxy_routes(topology, how))
                .await
            {
                Ok(result) => result,
                Err(_) => Err(format!(
                    "reading the proxy's routes took longer than {} s",
                    ROUTE_READ_TIMEOUT.as_secs()
                )),
            };
        if let Err(why) = &result {
            tracing::info!(%why, "proxy routes not read; using the labels");
        }
        CachedRead {
            fingerprint,
            at: Instant::now(),
            read_at_ms,
            how,
            result,
        }
    }

    /// Asks the proxy for its routes: Caddy's admin API, Traefik's API (only with
    /// [`RouteRead::MayAskApi`]), then (no exec) Traefik's dynamic files or Caddy's autosave.
    /// `Err` says, in a sentence, why none answered.
    pub async fn read_proxy_routes(
        &self,
        topology: &Topology,
        how: RouteRead,
    ) -> Result<LoadedRoutes, String> {
        let Some(proxy) = topology.proxy_container() else {
            return Err("there is no proxy container".into());
        };
        if !proxy.is_running() {
            return Err(format!("{} is {}", proxy.name, proxy.state.as_str()));
        }
        let docker = self.client().await.map_err(|e| e.to_string())?;
        let inspected = docker
            .inspect_container(proxy.name.as_str(), None)
            .await
            .map_err(|e| self.classify(e).to_string())?;
        let id = inspected.id.clone().unwrap_or_default();
        let command: Vec<String> = inspected
            .path
            .iter()
            .cloned()
            .chain(inspected.args.clone().unwrap_or_default())
            .collect();
        let runs_traefik = command.iter().any(|a| {
            a.rsplit('/')
                .next()
                .is_some_and(|b| b.eq_ignore_ascii_case("traefik"))
        }) || ProxyKind::from_image(&proxy.image) == ProxyKind::Traefik;
        let looks_caddy = command
            .iter()
            .any(|a| a.rsplit('/').next() == Some("caddy"))
            || proxy.image.to_ascii_lowercase().contains("caddy");
        let mut tried: Vec<String> = Vec::new();
        let mut notes: Vec<String> = Vec::new();
        let settings = self.probe_settings();
        if settings.read_only {
            tried.push(
                "netdoctor runs read-only, so the proxy's API was not asked (that needs an exec)"
                    .into(),
            );
        } else if how == RouteRead::FilesOnly {
            tried.push(
                "the proxy's API was not asked: that runs a request inside the proxy, which netdoctor does only when you press Re-read routes or run the domain check"
                    .into(),
            );
        } else {
            let mut runner =
                self.probe_runner_with_timeout(ROUTE_PROBE_TIMEOUT.min(settings.step_timeout));
            let order: &[ProxyApi] = if runs_traefik && !looks_caddy {
                &[ProxyApi::TraefikRawdata]
            } else if looks_caddy && !runs_traefik {
                &[ProxyApi::CaddyConfig]
            } else {
                &[ProxyApi::CaddyConfig, ProxyApi::TraefikRawdata]
            };
            for &api in order {
                let record = runner
                    .run(&proxy.name, &Probe::ProxyApi { api })
                    .await
                    .map_err(|e| e.to_string())?;
                if record.status() != StepStatus::Ok {
                    tried.push(record.outcome.summary.trim_end_matches('.').to_owned());
                    continue;
                }
                if record.output_truncated {
                    tried.push(format!(
                        "{} answered more than {} MiB; netdoctor reads no more than that and does not parse half a document",
                        api.url(),
                        crate::domain::checks::probe::PROXY_CONFIG_LIMIT / (1024 * 1024)
                    ));
                    continue;
                }
                let parsed = match api {
                    ProxyApi::CaddyConfig => caddy_config::routes(&record.output)
                        .map(|routes| (LoadedVia::CaddyAdminApi, routes)),
                    ProxyApi::TraefikRawdata => traefik_api::routes_from_rawdata(&record.output)
                        .map(|routes| (LoadedVia::TraefikApi, routes)),
                };
                match parsed {
                    Ok((via, routes)) => return Ok(LoadedRoutes { via, routes, notes }),
                    Err(why) => tried.push(format!("{} answered, but {why}", api.url())),
                }
            }
        }
        // Without an exec: the files the proxy reads.
        if runs_traefik {
            match self
                .read_traefik_files(&docker, &id, &command, &inspected)
                .await
            {
                Ok((routes, mut problems)) => {
                    notes.append(&mut tried);
                    notes.append(&mut problems);
                    return Ok(LoadedRoutes {
                        via: LoadedVia::TraefikFiles,
                        routes,
                        notes,
                    });
                }
                Err(why) => tried.push(why),
            }
        } else {
            for path in CADDY_AUTOSAVE {
                let Ok(files) = self.read_archive(&docker, &id, path).await else {
                    continue;
                };
                let Some((_, bytes)) = files.first() else {
                    continue;
                };
                match caddy_config::routes(&String::from_utf8_lossy(bytes)) {
                    Ok(routes) => {
                        notes.append(&mut tried);
                        notes.push(format!(
                            "read from {path}, the config Caddy saved when it last loaded one"
                        ));
                        return Ok(LoadedRoutes {
                            via: LoadedVia::CaddyAutosave,
                            routes,
                            notes,
                        });
                    }
                    Err(why) => tried.push(format!("{path}: {why}")),
                }
            }
        }
        if tried.is_empty() {
            tried.push(format!(
                "{} answers neither as Caddy nor as Traefik",
                proxy.name
            ));
        }
        Err(tried.join("; "))
    }

    async fn read_traefik_files(
        &self,
        docker: &Docker,
        id: &str,
        command: &[String],
        inspected: &bollard::models::ContainerInspectResponse,
    ) -> Result<(Vec<crate::domain::proxy::Route>, Vec<String>), String> {
        let mut config = StaticConfig::from_args(command);
        let static_files: Vec<String> = match &config.config_file {
            Some(f) => vec![f.clone()],
            None => DEFAULT_STATIC_FILES
                .iter()
                .map(|s| (*s).to_owned())
                .collect(),
        };
        if config.directory.is_none() && config.filename.is_none() {
            for path in static_files {
                if let Ok(files) = self.read_archive(docker, id, &path).await {
                    if let Some((name, bytes)) = files.first() {
                        config.merge_file(name, &String::from_utf8_lossy(bytes))?;
                        break;
                    }
                }
            }
        }
        // Coolify mounts /data/coolify/proxy at /traefik; a hand-made proxy may name none.
        if config.directory.is_none() && config.filename.is_none() {
            config.directory = inspected
                .mounts
                .iter()
                .flatten()
                .find(|m| {
                    m.source
                        .as_deref()
                        .is_some_and(|s| s.trim_end_matches('/').ends_with("/proxy/dynamic"))
                })
                .and_then(|m| m.destination.clone());
        }
        let mut files = Vec::new();
        for path in config.directory.iter().chain(&config.filename) {
            let read = self.read_archive(docker, id, path).await?;
            files.extend(
                read.into_iter()
                    .filter(|(name, _)| traefik_files::is_dynamic_file(name))
                    .map(|(name, bytes)| (name, String::from_utf8_lossy(&bytes).into_owned())),
            );
        }
        if config.directory.is_none() && config.filename.is_none() {
            return Err(
                "Traefik's command line and static configuration name no file provider".into(),
            );
        }
        Ok(traefik_files::routes_from_files(&files))
    }

    /// The regular files under `path` in a container (GET /containers/{id}/archive: no exec),
    /// by name, at most [`ARCHIVE_LIMIT`] bytes in all.
    async fn read_archive(
        &self,
        docker: &Docker,
        id: &str,
        path: &str,
    ) -> Result<Vec<(String, Vec<u8>)>, String> {
        let options = DownloadFromContainerOptionsBuilder::default()
            .path(path)
            .build();
        let mut stream = docker.download_from_container(id, Some(options));
        let mut tar_bytes: Vec<u8> = Vec::new();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|e| format!("{path}: {}", self.classify(e)))?;
            if tar_bytes.len() + chunk.len() > ARCHIVE_LIMIT + 64 * 1024 {
                return Err(format!(
                    "{path} holds more than {} MiB; netdoctor reads no more than that",
                    ARCHIVE_LIMIT / (1024 * 1024)
                ));
            }
            tar_bytes.extend_from_slice(&chunk);
        }
        let mut archive = tar::Archive::new(tar_bytes.as_slice());
        let mut files = Vec::new();
        let entries = archive.entries().map_err(|e| format!("{path}: {e}"))?;
        for entry in entries {
            let mut entry = entry.map_err(|e| format!("{path}: {e}"))?;
            if !entry.header().entry_type().is_file() {
                continue;
            }
            let name = entry
                .path()
                .map(|p| p.to_string_lossy().into_owned())
                .unwrap_or_default();
            let mut bytes = Vec::new();
            std::io::Read::read_to_end(&mut entry, &mut bytes)
                .map_err(|e| format!("{path}: {e}"))?;
            files.push((name, bytes));
        }
        files.sort();
        Ok(files)
    }
}

/// Puts a read into the topology: the loaded table, or the labels with the reason.
fn apply(topology: &mut Topology, read: &CachedRead) {
    match &read.result {
        Ok(loaded) => topology.use_loaded_routes(loaded, read.read_at_ms),
        Err(why) => topology.keep_label_routes(
            format!("netdoctor could not read the proxy's own routes ({why}), so these come from the containers' labels: what the proxy should load, not necessarily what it did."),
            Some(read.read_at_ms),
        ),
    }
}

/// What a read depends on: the proxy container, and every container's name, state and
/// addresses (netdoctor's own debug containers left out, or each read would invalidate itself).
fn fingerprint(t: &Topology) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    if let Some(p) = t.proxy_container() {
        (p.id.as_str(), p.is_running()).hash(&mut h);
    }
    for c in &t.containers {
        if c.name.as_str().starts_with("netdoctor-debug-") {
            continue;
        }
        (c.name.as_str(), c.state.as_str()).hash(&mut h);
        for a in &c.attachments {
            (a.network.as_str(), a.ipv4.as_deref()).hash(&mut h);
        }
    }
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::containers::ContainerState;
    use crate::domain::findings::test_support::{container, get_mut, host, on};

    fn destination() -> Topology {
        host(
            vec![
                on(container("coolify-proxy"), "coolify", &[]),
                on(container("app"), "coolify", &[]),
            ],
            Vec::new(),
        )
    }

    #[test]
    fn the_table_is_read_again_when_a_container_changes_but_not_for_netdoctors_own_debug_containers(
    ) {
        let t = destination();
        let before = fingerprint(&t);
        let mut stopped = t.clone();
        get_mut(&mut stopped, "app").state = ContainerState::Exited;
        assert_ne!(fingerprint(&stopped), before);
        let mut moved = t.clone();
        get_mut(&mut moved, "app").attachments[0].ipv4 = Some("10.0.1.50".into());
        assert_ne!(fingerprint(&moved), before);
        let mut probing = t.clone();
        probing.containers.push(on(
            container("netdoctor-debug-0123456789ab"),
            "coolify",
            &[],
        ));
        assert_eq!(fingerprint(&probing), before);
    }
}
