//! Command-line flags and environment variables, checked before anything starts.

use app::domain::endpoint::{Endpoint, EndpointError};
use clap::Parser;
use std::net::SocketAddr;
use std::path::PathBuf;

/// netdoctor: see and troubleshoot the networking of a Docker host managed by Coolify.
///
/// Serves a web dashboard on a loopback address. Whoever reaches it can inspect every container
/// on the Docker host, which is as good as root there: keep it on loopback and reach it through
/// an SSH tunnel (ssh -L 3000:127.0.0.1:3000 you@server).
#[derive(Debug, Clone, Parser)]
#[command(name = "netdoctor", version, about, long_about)]
pub struct Config {
    /// Address and port to listen on. Loopback only (127.0.0.1, ::1) unless --allow-remote.
    #[arg(
        long,
        env = "NETDOCTOR_LISTEN",
        default_value = "127.0.0.1:3000",
        value_name = "ADDR:PORT"
    )]
    pub listen: SocketAddr,

    /// Docker Engine endpoint: unix:///path/to/docker.sock, a socket path, or tcp://host:port.
    /// Defaults to the local socket /var/run/docker.sock.
    #[arg(long, env = "DOCKER_HOST", value_name = "URL")]
    pub docker_host: Option<String>,

    /// Directory where netdoctor keeps its state. Created (mode 0700) if missing.
    /// Defaults to $XDG_DATA_HOME/netdoctor, else ~/.local/share/netdoctor.
    #[arg(long, env = "NETDOCTOR_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,

    /// Directory holding the built site (pkg/netdoctor.js, .wasm, .css), as cargo-leptos
    /// writes it. Defaults to target/site under the current directory.
    #[arg(long, env = "LEPTOS_SITE_ROOT", value_name = "DIR")]
    pub site_root: Option<PathBuf>,

    /// Allow listening on a non-loopback address. netdoctor has no login yet: anyone who can
    /// reach that address controls the Docker host.
    #[arg(long)]
    pub allow_remote: bool,
}

/// Why the configuration was refused.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("--docker-host / DOCKER_HOST: {0}")]
    Endpoint(#[from] EndpointError),
    #[error(
        "refusing to listen on {0}: netdoctor has no login yet and reaching it means root on the Docker host. \
         Listen on 127.0.0.1 and use an SSH tunnel, or pass --allow-remote if a trusted proxy guards it"
    )]
    RemoteListen(SocketAddr),
    #[error("no data directory: set --data-dir or NETDOCTOR_DATA_DIR (neither XDG_DATA_HOME nor HOME is set)")]
    NoDataDir,
}

/// The configuration after checking.
#[derive(Debug, Clone)]
pub struct Settings {
    pub listen: SocketAddr,
    pub endpoint: Endpoint,
    pub data_dir: PathBuf,
    pub site_root: Option<PathBuf>,
}

impl Config {
    /// Checks the flags; `env` answers for XDG_DATA_HOME and HOME so tests need no real env.
    pub fn settle(self, env: impl Fn(&str) -> Option<String>) -> Result<Settings, ConfigError> {
        if !self.listen.ip().is_loopback() && !self.allow_remote {
            return Err(ConfigError::RemoteListen(self.listen));
        }
        let endpoint = Endpoint::from_docker_host(self.docker_host.as_deref())?;
        let data_dir = match self.data_dir {
            Some(dir) => dir,
            None => default_data_dir(&env).ok_or(ConfigError::NoDataDir)?,
        };
        Ok(Settings {
            listen: self.listen,
            endpoint,
            data_dir,
            site_root: self.site_root,
        })
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
    fn listening_beyond_loopback_is_refused_without_allow_remote() {
        let err = parse(&["--listen", "0.0.0.0:3000", "--data-dir", "/tmp/x"])
            .settle(no_env)
            .expect_err("refused");
        assert!(matches!(err, ConfigError::RemoteListen(_)));
        assert!(err.to_string().contains("SSH tunnel"));
        assert!(parse(&[
            "--listen",
            "0.0.0.0:3000",
            "--data-dir",
            "/tmp/x",
            "--allow-remote"
        ])
        .settle(no_env)
        .is_ok());
    }

    #[test]
    fn ipv6_loopback_is_allowed() {
        assert!(parse(&["--listen", "[::1]:3000", "--data-dir", "/tmp/x"])
            .settle(no_env)
            .is_ok());
    }

    #[test]
    fn a_bad_docker_host_is_refused_with_the_flag_named() {
        let err = parse(&["--docker-host", "ssh://root@host", "--data-dir", "/tmp/x"])
            .settle(no_env)
            .expect_err("refused");
        assert!(err.to_string().starts_with("--docker-host / DOCKER_HOST"));
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
    fn help_explains_every_option() {
        use clap::CommandFactory;
        let help = Config::command().render_long_help().to_string();
        for flag in [
            "--listen",
            "--docker-host",
            "--data-dir",
            "--site-root",
            "--allow-remote",
            "DOCKER_HOST",
            "NETDOCTOR_DATA_DIR",
        ] {
            assert!(help.contains(flag), "--help lacks {flag}");
        }
    }
}
