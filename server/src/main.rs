//! `netdoctor`: wiring only. Parse the configuration, start logging, connect lazily to the
//! engine, serve until SIGINT or SIGTERM.

use anyhow::Context;
use app::domain::access::Capabilities;
use app::domain::endpoint::Endpoint;
use app::engine::exec::ProbeSettings;
use app::engine::Engine;
use app::fleet::Fleet;
use app::state::AppState;
use app::store::ShareStore;
use clap::Parser;
use leptos::config::get_configuration;
use server::access::Access;
use server::config::{Command, Config, Settings};
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use tracing_subscriber::EnvFilter;

/// Leptos 0.8's streaming SSR can leave a page unfinished when the runtime has a single worker
/// (leptos-rs/leptos#4647: a resource's future never resumes; seen here as 1 stalled body in
/// several hundred on a current-thread runtime). Coolify hosts are often 1-vCPU machines, so the
/// server keeps at least this many workers whatever the core count.
const MIN_WORKERS: usize = 4;

fn main() -> anyhow::Result<ExitCode> {
    let workers = std::thread::available_parallelism()
        .map_or(MIN_WORKERS, |n| n.get())
        .max(MIN_WORKERS);
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .enable_all()
        .build()
        .context("start the async runtime")?
        .block_on(run())
}

async fn run() -> anyhow::Result<ExitCode> {
    let config = Config::parse();
    match &config.command {
        Some(Command::Health) => return Ok(health(config.listen).await),
        Some(Command::Check(check)) => {
            return Ok(ExitCode::from(run_check(check, &config).await));
        }
        Some(Command::Reach { scope, json }) => {
            let endpoint = match Endpoint::from_docker_host(config.docker_host.as_deref()) {
                Ok(e) => e,
                Err(e) => {
                    eprintln!("netdoctor: --docker-host / DOCKER_HOST: {e}");
                    return Ok(ExitCode::from(server::cli::EXIT_BAD_INPUT));
                }
            };
            return Ok(ExitCode::from(
                server::cli::reach(scope, *json, endpoint).await,
            ));
        }
        None => {}
    }
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();
    serve(config).await?;
    Ok(ExitCode::SUCCESS)
}

/// Whether cargo-leptos left its hash file (`hash.txt`) beside the running binary.
fn hash_file_beside_binary(name: &str) -> bool {
    std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join(name)))
        .is_some_and(|file| file.is_file())
}

/// `netdoctor health`: one line, on stdout when healthy and on stderr when not (the container
/// engine keeps both in the health log).
async fn health(listen: SocketAddr) -> ExitCode {
    match server::health::check(listen, server::health::DEFAULT_TIMEOUT).await {
        Ok(()) => {
            println!(
                "netdoctor is healthy: {} answered 200",
                server::health::HEALTH_PATH
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("netdoctor is not healthy: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let settings = config.settle(|key| std::env::var(key).ok())?;
    prepare_data_dir(&settings)?;
    // Before anything listens: a store that is damaged, newer or missing stops netdoctor here
    // with the store's own message (which file, what is wrong, what to do).
    let shares = ShareStore::open(&settings.data_dir, settings.shares.clone())?;
    purge_daily(shares.clone());

    let mut leptos_options = get_configuration(None)
        .context("reading the Leptos site configuration")?
        .leptos_options;
    if leptos_options.output_name.is_empty() {
        leptos_options.output_name = "netdoctor".into();
    }
    leptos_options.site_addr = settings.listen;
    if let Some(root) = &settings.site_root {
        leptos_options.site_root = root.to_string_lossy().as_ref().into();
    }
    // The release build names the site's files by their content (cargo-leptos `hash-files`) and
    // writes the hashes beside this binary, where Leptos reads them; its pages then link the
    // hashed names, which the browser may keep for a year. Without that file (a build without
    // hashing) the plain names are linked. `LEPTOS_HASH_FILES` set explicitly still decides.
    if std::env::var_os("LEPTOS_HASH_FILES").is_none() {
        leptos_options.hash_files = hash_file_beside_binary(&leptos_options.hash_file);
    }

    let access = match &settings.login {
        Some(login) => {
            let (access, generated) = Access::with_login(login, &settings.data_dir)
                .context("setting up the admin password")?;
            if let Some(password) = generated {
                // Printed once, on stderr; only its argon2 hash is kept. One `password: …` line,
                // so a shared snapshot of this container's log masks it like any other secret.
                eprintln!(
                    "{}",
                    server::access::generated_password_notice(&password, &settings.data_dir)
                );
            }
            access
        }
        None => Access::open(),
    };
    let capabilities = Capabilities {
        login: access.login_required(),
        read_only: settings.read_only,
    };
    let engine = Engine::with_credentials(settings.endpoint.clone(), settings.credentials.clone())
        .with_probe_settings(ProbeSettings {
            toolbox_image: settings.toolbox_image.clone(),
            read_only: settings.read_only,
            ..ProbeSettings::default()
        });
    sweep_debug_containers(engine.clone());
    // Before anything listens: a servers file netdoctor cannot read stops it with the reason.
    let fleet = Fleet::open(engine.clone(), &settings.data_dir)?;
    let state = AppState {
        leptos_options,
        engine,
        fleet,
        capabilities,
        shares,
    };
    let router = server::router(state, Arc::new(access));

    let listener = tokio::net::TcpListener::bind(settings.listen)
        .await
        .with_context(|| format!("cannot listen on {}", settings.listen))?;
    let bound = listener.local_addr().unwrap_or(settings.listen);
    tracing::info!(
        listen = %bound,
        docker = %settings.endpoint,
        data_dir = %settings.data_dir.display(),
        login = settings.login.is_some(),
        read_only = settings.read_only,
        share_ttl = %app::domain::time::format_seconds(settings.shares.default_ttl.as_secs()),
        "netdoctor is serving on http://{bound}"
    );
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await?;
    tracing::info!("netdoctor stopped");
    Ok(())
}

/// Debug containers older than this at start were left by a crash (each lives one step).
const STALE_DEBUG_CONTAINER: std::time::Duration = std::time::Duration::from_secs(10 * 60);

/// Removes the debug containers an earlier netdoctor left behind (killed mid-check), in the
/// background: the engine may not answer yet, and start-up does not wait for it.
fn sweep_debug_containers(engine: Engine) {
    tokio::spawn(async move {
        match engine
            .remove_stale_debug_containers(STALE_DEBUG_CONTAINER, None)
            .await
        {
            Ok(0) => {}
            Ok(n) => tracing::info!(
                removed = n,
                "removed debug containers left by an earlier run"
            ),
            Err(e) => tracing::debug!("no sweep of old debug containers: {e}"),
        }
    });
}

/// Ended (expired or revoked) links stay on the Shared links page, greyed, for this long.
const KEEP_ENDED_LINKS: std::time::Duration = std::time::Duration::from_secs(30 * 24 * 3600);

/// Removes links that ended more than [`KEEP_ENDED_LINKS`] ago, at start and then daily.
fn purge_daily(shares: ShareStore) {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(24 * 3600));
        loop {
            every.tick().await;
            match shares
                .purge(std::time::SystemTime::now(), KEEP_ENDED_LINKS)
                .await
            {
                Ok(0) => {}
                Ok(n) => tracing::info!(
                    purged = n,
                    "removed shared links that ended over 30 days ago"
                ),
                Err(e) => tracing::error!(error = %e, "could not remove old shared links"),
            }
        }
    });
}

/// `netdoctor check …`: logs go to stderr (warnings only unless RUST_LOG says otherwise) so
/// stdout carries just the report.
async fn run_check(check: &server::cli::CheckCommand, config: &Config) -> u8 {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("warn")),
        )
        .init();
    let endpoint = match Endpoint::from_docker_host(config.docker_host.as_deref()) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("netdoctor: --docker-host / DOCKER_HOST: {e}");
            return server::cli::EXIT_BAD_INPUT;
        }
    };
    let settings = ProbeSettings {
        toolbox_image: config.toolbox_image.clone(),
        read_only: config.read_only,
        ..ProbeSettings::default()
    };
    server::cli::run(check, endpoint, settings).await
}

/// Creates the data directory, readable by netdoctor's user only.
fn prepare_data_dir(settings: &Settings) -> anyhow::Result<()> {
    let dir = &settings.data_dir;
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create the data directory {}", dir.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
            .with_context(|| format!("cannot restrict the data directory {}", dir.display()))?;
    }
    Ok(())
}

async fn shutdown_signal() {
    let interrupt = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!("cannot listen for Ctrl-C: {e}");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut sig) => {
                sig.recv().await;
            }
            Err(e) => {
                tracing::error!("cannot listen for SIGTERM: {e}");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => tracing::info!("SIGINT: shutting down"),
        () = terminate => tracing::info!("SIGTERM: shutting down"),
    }
}
