//! Command-line flags and environment variables, checked before anything starts.

use app::domain::endpoint::{Endpoint, EndpointError};
use app::domain::time::{format_seconds, parse_seconds};
use app::engine::transport::{Credentials, TlsFiles};
use app::store::{StoreOptions, MAX_TTL};
use clap::builder::BoolishValueParser;
use clap::{Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// netdoctor: see and troubleshoot the networking of a Docker host managed by Coolify.
///
/// Serves a web dashboard, on a loopback address by default. Whoever reaches it can inspect
/// every container on the Docker host, which is as good as root there. On loopback, reach it
/// through an SSH tunnel (ssh -L 3000:127.0.0.1:3000 you@server); on any other address a login
/// guards every page and endpoint.
#[derive(Debug, Clone, Parser)]
#[command(name = "netdoctor", version, about, long_about)]
pub struct Config {
    /// Address and port to listen on. Beyond loopback (127.0.0.1, ::1) a login is always
    /// required.
    #[arg(
        long,
        global = true,
        env = "NETDOCTOR_LISTEN",
        default_value = "127.0.0.1:3000",
        value_name = "ADDR:PORT"
    )]
    pub listen: SocketAddr,

    /// Docker Engine endpoint of the server netdoctor shows first (`local`):
    /// unix:///path/to/docker.sock, a socket path, tcp://host:port, https://host:2376 (TLS with
    /// a client certificate, see --docker-cert-path), or ssh://user@host[:port] (the system ssh
    /// client with the key DATA_DIR/servers/local/ssh_key). Defaults to the local socket
    /// /var/run/docker.sock. More servers: the Servers page, or DATA_DIR/servers.json.
    #[arg(long, env = "DOCKER_HOST", value_name = "URL")]
    pub docker_host: Option<String>,

    /// Speak TLS to a tcp:// --docker-host, with the CA, client certificate and key in
    /// --docker-cert-path (Docker's DOCKER_TLS_VERIFY).
    #[arg(long, env = "DOCKER_TLS_VERIFY", value_parser = BoolishValueParser::new())]
    pub docker_tls_verify: bool,

    /// Directory holding ca.pem, cert.pem and key.pem for a TLS --docker-host (Docker's
    /// DOCKER_CERT_PATH). Defaults to ~/.docker.
    #[arg(long, env = "DOCKER_CERT_PATH", value_name = "DIR")]
    pub docker_cert_path: Option<PathBuf>,

    /// Directory where netdoctor keeps its state. Created (mode 0700) if missing.
    /// Defaults to $XDG_DATA_HOME/netdoctor, else ~/.local/share/netdoctor.
    #[arg(long, env = "NETDOCTOR_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,

    /// Directory holding the built site (pkg/netdoctor.js, .wasm, .css), as cargo-leptos
    /// writes it. Defaults to target/site under the current directory.
    #[arg(long, env = "LEPTOS_SITE_ROOT", value_name = "DIR")]
    pub site_root: Option<PathBuf>,

    /// Require a login on loopback too (it is always required beyond loopback).
    #[arg(long, env = "NETDOCTOR_REQUIRE_LOGIN", value_parser = BoolishValueParser::new())]
    pub require_login: bool,

    /// The admin password. Stored only as an argon2 hash in the data directory; when neither
    /// this nor a stored hash exists and a login is required, one is generated and printed once.
    /// Prefer the environment variable: command lines are visible to other users.
    #[arg(
        long,
        env = "NETDOCTOR_ADMIN_PASSWORD",
        hide_env_values = true,
        value_name = "PASSWORD"
    )]
    pub admin_password: Option<String>,

    /// netdoctor is always reached over HTTPS: session cookies always get the Secure flag.
    /// Without it they get it whenever the proxy in front says the browser came over HTTPS
    /// (`X-Forwarded-Proto: https`, as Coolify's Traefik or Caddy send).
    #[arg(long, env = "NETDOCTOR_BEHIND_TLS", value_parser = BoolishValueParser::new())]
    pub behind_tls: bool,

    /// Read-only: checks that run commands inside containers and debug containers are disabled.
    #[arg(long, env = "NETDOCTOR_READ_ONLY", value_parser = BoolishValueParser::new())]
    pub read_only: bool,

    /// Minutes without activity after which a session ends.
    #[arg(
        long,
        env = "NETDOCTOR_SESSION_IDLE_MINUTES",
        default_value_t = 60,
        value_name = "MINUTES"
    )]
    pub session_idle_minutes: u64,

    /// Hours after sign-in after which a session ends, active or not.
    #[arg(
        long,
        env = "NETDOCTOR_SESSION_MAX_HOURS",
        default_value_t = 12,
        value_name = "HOURS"
    )]
    pub session_max_hours: u64,

    /// Image for the short-lived debug containers that run checks in containers without tools
    /// (scratch, distroless). It must be on the Docker host or pullable.
    #[arg(
        long,
        env = "NETDOCTOR_TOOLBOX_IMAGE",
        default_value = app::engine::exec::DEFAULT_TOOLBOX_IMAGE,
        value_name = "IMAGE"
    )]
    pub toolbox_image: String,

    /// How long a shared diagnostic link lives unless its sharer picks otherwise: 30m, 12h, 7d
    /// (seconds without a unit); at most 90d.
    #[arg(
        long,
        env = "NETDOCTOR_SHARE_TTL",
        default_value = "7d",
        value_name = "DURATION"
    )]
    pub share_ttl: String,

    /// Start with an empty store of shared links when shares.db is missing (or empty) from the
    /// data directory though links were stored there. Without it netdoctor refuses to start
    /// rather than lose them silently; it never replaces a shares.db that is there.
    #[arg(long, env = "NETDOCTOR_NEW_SHARE_STORE", value_parser = BoolishValueParser::new())]
    pub new_share_store: bool,

    /// Without a command, netdoctor serves the dashboard.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// What netdoctor does instead of serving the dashboard.
#[derive(Debug, Clone, Subcommand)]
pub enum Command {
    /// Check that the netdoctor server answers, for container health checks (exit 0 or 1).
    ///
    /// GETs /healthz from the server configured by --listen / NETDOCTOR_LISTEN (on loopback
    /// when it listens on every address). Exits 0 when it answers 200, else 1 with the reason
    /// on one line. Needs no shell or curl, so it works in the FROM-scratch image.
    Health,
    /// Run a check from the command line (exit 0 healthy, 1 problem, 2 bad input).
    #[command(subcommand)]
    Check(crate::cli::CheckCommand),
    /// Who can talk to whom: every source × target in a scope, by the name each should use,
    /// from the topology alone (nothing runs in any container). Exit 0, 2 for a bad scope.
    Reach {
        /// all, project:NAME, network:NAME or stack:UUID.
        #[arg(long, default_value = "all")]
        scope: String,
        /// Print the matrix as JSON (the same as GET /api/reach).
        #[arg(long)]
        json: bool,
    },
}

/// Why the configuration was refused.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("--docker-host / DOCKER_HOST: {0}")]
    Endpoint(#[from] EndpointError),
    #[error("--session-idle-minutes and --session-max-hours must be at least 1")]
    SessionPolicy,
    #[error("no data directory: set --data-dir or NETDOCTOR_DATA_DIR (neither XDG_DATA_HOME nor HOME is set)")]
    NoDataDir,
    #[error("--share-ttl / NETDOCTOR_SHARE_TTL: {0}")]
    ShareTtl(String),
    #[error("a TLS --docker-host needs --docker-cert-path (DOCKER_CERT_PATH) with ca.pem, cert.pem and key.pem (HOME is not set, so ~/.docker cannot be used)")]
    NoCertPath,
}

/// The configuration after checking.
#[derive(Debug, Clone)]
pub struct Settings {
    pub listen: SocketAddr,
    pub endpoint: Endpoint,
    /// Where the `local` engine's key or certificates are (TLS and SSH endpoints).
    pub credentials: Credentials,
    pub data_dir: PathBuf,
    pub site_root: Option<PathBuf>,
    /// `Some` when a login guards the dashboard.
    pub login: Option<LoginSettings>,
    pub read_only: bool,
    /// Image for debug containers.
    pub toolbox_image: String,
    /// The shared-links store: default link lifetime, and whether a lost store may start empty.
    pub shares: StoreOptions,
}

/// How the login works.
#[derive(Clone)]
pub struct LoginSettings {
    /// A password given by flag or environment; replaces the stored hash at start.
    pub admin_password: Option<String>,
    pub secure_cookies: bool,
    pub idle: std::time::Duration,
    pub absolute: std::time::Duration,
}

impl std::fmt::Debug for LoginSettings {
    /// Never prints the password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginSettings")
            .field(
                "admin_password",
                &self.admin_password.as_ref().map(|_| "<set>"),
            )
            .field("secure_cookies", &self.secure_cookies)
            .field("idle", &self.idle)
            .field("absolute", &self.absolute)
            .finish()
    }
}

impl Config {
    /// Checks the flags; `env` answers for XDG_DATA_HOME and HOME so tests need no real env.
    pub fn settle(self, env: impl Fn(&str) -> Option<String>) -> Result<Settings, ConfigError> {
        if self.session_idle_minutes == 0 || self.session_max_hours == 0 {
            return Err(ConfigError::SessionPolicy);
        }
        let login =
            (self.require_login || !self.listen.ip().is_loopback()).then(|| LoginSettings {
                admin_password: self.admin_password.clone().filter(|p| !p.is_empty()),
                secure_cookies: self.behind_tls,
                idle: std::time::Duration::from_secs(self.session_idle_minutes * 60),
                absolute: std::time::Duration::from_secs(self.session_max_hours * 3600),
            });
        let mut endpoint = Endpoint::from_docker_host(self.docker_host.as_deref())?;
        if self.docker_tls_verify {
            endpoint = endpoint.with_tls();
        }
        let shares = StoreOptions {
            default_ttl: share_ttl(&self.share_ttl)?,
            allow_new: self.new_share_store,
            ..StoreOptions::default()
        };
        let data_dir = match self.data_dir {
            Some(dir) => dir,
            None => default_data_dir(&env).ok_or(ConfigError::NoDataDir)?,
        };
        let credentials = match &endpoint {
            Endpoint::Ssh(_) => Credentials {
                ssh_key: Some(data_dir.join("servers/local/ssh_key")),
                known_hosts: Some(data_dir.join("known_hosts")),
                tls: None,
            },
            Endpoint::Tls(_) => {
                let dir = self
                    .docker_cert_path
                    .clone()
                    .or_else(|| env("HOME").map(|h| PathBuf::from(h).join(".docker")))
                    .ok_or(ConfigError::NoCertPath)?;
                Credentials {
                    tls: Some(TlsFiles::in_dir(&dir)),
                    ..Credentials::default()
                }
            }
            Endpoint::Unix(_) | Endpoint::Tcp(_) => Credentials::default(),
        };
        Ok(Settings {
            listen: self.listen,
            endpoint,
            credentials,
            data_dir,
            site_root: self.site_root,
            login,
            read_only: self.read_only,
            toolbox_image: self.toolbox_image,
            shares,
        })
    }
}

/// A link lifetime like `7d`, `12h` or `30m`: more than nothing, at most [`MAX_TTL`].
fn share_ttl(input: &str) -> Result<Duration, ConfigError> {
    let max = format_seconds(MAX_TTL.as_secs());
    match parse_seconds(input.trim()).map(Duration::from_secs) {
        None => Err(ConfigError::ShareTtl(format!(
            "expected a duration like 30m, 12h or 7d (at most {max}), not {input:?}"
        ))),
        Some(ttl) if ttl.is_zero() => Err(ConfigError::ShareTtl(
            "a link must live longer than 0; use 30m, 12h or 7d for example".into(),
        )),
        Some(ttl) if ttl > MAX_TTL => Err(ConfigError::ShareTtl(format!(
            "links live at most {max}; {} is longer",
            input.trim()
        ))),
        Some(ttl) => Ok(ttl),
    }
}

fn default_data_dir(env: &impl Fn(&str) -> Option<String>) -> Option<PathBuf> {
    let non_empty = |k: &str| env(k).filter(|v| !v.is_empty());
    non_empty("XDG_DATA_HOME")
        .map(|d| PathBuf::from(d).join("netdoctor"))
        .or_else(|| non_empty("HOME").map(|h| PathBuf::from(h).join(".local/share/netdoctor")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Config {
        Config::try_parse_from(std::iter::once("netdoctor").chain(args.iter().copied()))
            .expect("parses")
    }

    fn no_env(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn the_default_listen_address_is_loopback_port_3000() {
        let s = parse(&["--data-dir", "/tmp/x"])
            .settle(no_env)
            .expect("valid");
        assert_eq!(s.listen, "127.0.0.1:3000".parse().expect("addr"));
    }

    #[test]
    fn listening_beyond_loopback_always_requires_a_login() {
        let s = parse(&["--listen", "0.0.0.0:3000", "--data-dir", "/tmp/x"])
            .settle(no_env)
            .expect("valid");
        assert!(s.login.is_some());
        let local = parse(&["--data-dir", "/tmp/x"])
            .settle(no_env)
            .expect("valid");
        assert!(
            local.login.is_none(),
            "loopback without --require-login has no login"
        );
        let forced = parse(&["--data-dir", "/tmp/x", "--require-login"])
            .settle(no_env)
            .expect("valid");
        assert!(forced.login.is_some());
    }

    #[test]
    fn session_limits_and_cookie_security_follow_the_flags() {
        let s = parse(&[
            "--require-login",
            "--behind-tls",
            "--session-idle-minutes",
            "5",
            "--session-max-hours",
            "2",
            "--data-dir",
            "/tmp/x",
        ])
        .settle(no_env)
        .expect("valid");
        let login = s.login.expect("login");
        assert!(login.secure_cookies);
        assert_eq!(login.idle.as_secs(), 300);
        assert_eq!(login.absolute.as_secs(), 7200);
        assert!(
            parse(&["--session-idle-minutes", "0", "--data-dir", "/tmp/x"])
                .settle(no_env)
                .is_err()
        );
    }

    #[test]
    fn the_admin_password_never_shows_in_debug_output_or_help() {
        let s = parse(&[
            "--require-login",
            "--admin-password",
            "hunter2-hunter2",
            "--data-dir",
            "/tmp/x",
        ])
        .settle(no_env)
        .expect("valid");
        assert!(!format!("{s:?}").contains("hunter2"));
    }

    #[test]
    fn ipv6_loopback_is_allowed() {
        assert!(parse(&["--listen", "[::1]:3000", "--data-dir", "/tmp/x"])
            .settle(no_env)
            .is_ok());
    }

    #[test]
    fn a_bad_docker_host_is_refused_with_the_flag_named() {
        for bad in ["ssh://host", "ftp://host:21", "ssh://root@host;id"] {
            let err = parse(&["--docker-host", bad, "--data-dir", "/tmp/x"])
                .settle(no_env)
                .expect_err(bad);
            assert!(
                err.to_string().starts_with("--docker-host / DOCKER_HOST"),
                "{err}"
            );
        }
    }

    #[test]
    fn a_remote_docker_host_takes_its_key_or_certificates_from_where_docker_keeps_them() {
        let ssh = parse(&[
            "--docker-host",
            "ssh://root@10.0.0.5",
            "--data-dir",
            "/data",
        ])
        .settle(no_env)
        .expect("ssh");
        assert_eq!(
            ssh.credentials.ssh_key,
            Some(PathBuf::from("/data/servers/local/ssh_key"))
        );
        assert_eq!(
            ssh.credentials.known_hosts,
            Some(PathBuf::from("/data/known_hosts"))
        );
        let tls = parse(&[
            "--docker-host",
            "tcp://10.0.0.5:2376",
            "--docker-tls-verify",
            "--docker-cert-path",
            "/certs",
            "--data-dir",
            "/data",
        ])
        .settle(no_env)
        .expect("tls");
        assert_eq!(tls.endpoint, Endpoint::Tls("10.0.0.5:2376".into()));
        assert_eq!(
            tls.credentials.tls,
            Some(TlsFiles::in_dir(std::path::Path::new("/certs")))
        );
        let home = |k: &str| (k == "HOME").then(|| "/home/u".to_owned());
        let default = parse(&["--docker-host", "https://h:2376", "--data-dir", "/d"])
            .settle(home)
            .expect("tls");
        assert_eq!(
            default.credentials.tls,
            Some(TlsFiles::in_dir(std::path::Path::new("/home/u/.docker")))
        );
    }

    #[test]
    fn the_data_dir_follows_xdg_then_home() {
        let xdg = |k: &str| (k == "XDG_DATA_HOME").then(|| "/data".to_owned());
        assert_eq!(
            parse(&[]).settle(xdg).expect("ok").data_dir,
            PathBuf::from("/data/netdoctor")
        );
        let home = |k: &str| (k == "HOME").then(|| "/home/u".to_owned());
        assert_eq!(
            parse(&[]).settle(home).expect("ok").data_dir,
            PathBuf::from("/home/u/.local/share/netdoctor")
        );
        assert!(matches!(
            parse(&[]).settle(no_env),
            Err(ConfigError::NoDataDir)
        ));
    }

    #[test]
    fn check_reach_parses_as_a_subcommand_with_its_flags() {
        let c = parse(&[
            "check", "reach", "--from", "web", "--to", "db:5432", "--json",
        ]);
        match c.command {
            Some(Command::Check(crate::cli::CheckCommand::Reach {
                from,
                to,
                http,
                json,
            })) => {
                assert_eq!(
                    (from.as_str(), to.as_str(), http, json),
                    ("web", "db:5432", false, true)
                );
            }
            other => panic!("{other:?}"),
        }
        assert!(
            parse(&[]).command.is_none(),
            "no command serves the dashboard"
        );
        assert_eq!(parse(&[]).toolbox_image, "nicolaka/netshoot");
    }

    #[test]
    fn without_a_command_netdoctor_serves_and_health_is_a_command() {
        assert!(parse(&[]).command.is_none());
        assert!(matches!(parse(&["health"]).command, Some(Command::Health)));
    }

    #[test]
    fn the_health_check_takes_the_listen_address_before_or_after_the_command() {
        let before = parse(&["--listen", "0.0.0.0:4000", "health"]);
        let after = parse(&["health", "--listen", "0.0.0.0:4000"]);
        for c in [before, after] {
            assert!(matches!(c.command, Some(Command::Health)));
            assert_eq!(c.listen, "0.0.0.0:4000".parse().expect("addr"));
        }
    }

    #[test]
    fn shared_links_live_seven_days_unless_share_ttl_says_otherwise() {
        let ttl = |args: &[&str]| {
            parse(&[&["--data-dir", "/tmp/x"], args].concat())
                .settle(no_env)
                .map(|s| s.shares.default_ttl)
        };
        assert_eq!(ttl(&[]).expect("default"), Duration::from_secs(7 * 86_400));
        for (flag, secs) in [
            ("7d", 7 * 86_400),
            ("12h", 43_200),
            ("30m", 1_800),
            ("90d", 90 * 86_400),
            ("45", 45),
        ] {
            assert_eq!(
                ttl(&["--share-ttl", flag]).expect(flag),
                Duration::from_secs(secs),
                "{flag}"
            );
        }
    }

    #[test]
    fn a_share_ttl_of_zero_over_90_days_or_not_a_duration_is_refused_with_the_flag_named() {
        for (bad, says) in [
            ("0", "longer than 0"),
            ("0d", "longer than 0"),
            ("91d", "at most 90d"),
            ("2161h", "at most 90d"),
            ("1w", "like 30m, 12h or 7d"),
            ("-1d", "like 30m, 12h or 7d"),
            ("", "like 30m, 12h or 7d"),
        ] {
            let err = parse(&["--data-dir", "/tmp/x", &format!("--share-ttl={bad}")])
                .settle(no_env)
                .expect_err(bad)
                .to_string();
            assert!(
                err.starts_with("--share-ttl / NETDOCTOR_SHARE_TTL: "),
                "{err}"
            );
            assert!(err.contains(says), "{bad:?}: {err}");
        }
    }

    #[test]
    fn a_new_share_store_is_allowed_only_when_asked_for() {
        let settle = |args: &[&str]| {
            parse(&[&["--data-dir", "/tmp/x"], args].concat())
                .settle(no_env)
                .expect("valid")
        };
        assert!(!settle(&[]).shares.allow_new);
        assert!(settle(&["--new-share-store"]).shares.allow_new);
    }

    #[test]
    fn help_names_the_health_command() {
        use clap::CommandFactory;
        let help = Config::command().render_long_help().to_string();
        assert!(help.contains("health"), "--help lacks the health command");
    }

    #[test]
    fn help_explains_every_option() {
        use clap::CommandFactory;
        let help = Config::command().render_long_help().to_string();
        for flag in [
            "--listen",
            "--docker-host",
            "--data-dir",
            "--site-root",
            "--require-login",
            "--admin-password",
            "--behind-tls",
            "--read-only",
            "--session-idle-minutes",
            "--toolbox-image",
            "--share-ttl",
            "--new-share-store",
            "NETDOCTOR_SHARE_TTL",
            "NETDOCTOR_NEW_SHARE_STORE",
            "DOCKER_HOST",
            "NETDOCTOR_DATA_DIR",
        ] {
            assert!(help.contains(flag), "--help lacks {flag}");
        }
    }
}
