//! Remote engines over SSH, the way the docker CLI reaches them: the system `ssh` client logs in
//! and runs `docker system dial-stdio` on the server (the server's docker CLI, relaying to its
//! own socket), and HTTP flows over ssh's stdin and stdout. netdoctor never runs a docker CLI
//! on its own machine. `ssh` gets a fixed argument list: no configuration file (`-F
//! /dev/null`), never a prompt (`BatchMode`), only netdoctor's key and `known_hosts`, strict
//! host-key checking, no agent, no forwarding, no multiplexing. Host keys are scanned with
//! `ssh-keyscan` and shown as fingerprints for the user to accept; `ssh` itself then refuses
//! any other key.

use super::EngineError;
use crate::domain::endpoint::SshAddress;
use crate::domain::problem::{EngineProblem, UnreachableKind};
use crate::domain::servers::known_hosts::{self, FingerprintedKey, HostKey, HostKeyCheck};
use base64::Engine as _;
use sha2::Digest;
use std::ffi::OsString;
use std::future::Future;
use std::io;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::process::Stdio;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, ReadBuf};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};
use tokio::sync::{oneshot, OwnedSemaphorePermit, Semaphore};

/// The `ssh` client netdoctor runs (on `PATH`).
pub const SSH: &str = "ssh";
/// The key scanner that reads a server's host keys for the user to compare.
pub const SSH_KEYSCAN: &str = "ssh-keyscan";

/// Logins in progress at once per server: sshd drops unauthenticated connections beyond its
/// `MaxStartups` (10 by default), and a topology read asks for 16 containers at a time.
const HANDSHAKES: usize = 4;

/// How long `ssh` may take to open the TCP connection (the request timeout covers the rest).
const CONNECT_TIMEOUT_SECS: u32 = 8;

/// How long `ssh-keyscan` waits for a server.
const KEYSCAN_TIMEOUT: Duration = Duration::from_secs(8);

/// Most of ssh's stderr kept to explain a failure.
const MAX_STDERR: u64 = 64 * 1024;

/// One server's SSH settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SshSettings {
    pub address: SshAddress,
    /// The private key (mode 0600; ssh refuses anything more open).
    pub key: PathBuf,
    /// netdoctor's own `known_hosts`.
    pub known_hosts: PathBuf,
}

/// A path as an `ssh -o` value: ssh expands `%` tokens and splits on whitespace unless quoted.
fn ssh_path(path: &Path) -> String {
    let text = path.to_string_lossy().replace('%', "%%");
    format!("\"{text}\"")
}

/// The whole `ssh` command line after the program name, fixed but for the validated user,
/// host, port and netdoctor's own file paths, each one argument of its own.
pub fn argv(settings: &SshSettings) -> Vec<OsString> {
    let options = [
        "BatchMode=yes".to_owned(),
        "StrictHostKeyChecking=yes".to_owned(),
        format!("UserKnownHostsFile={}", ssh_path(&settings.known_hosts)),
        "GlobalKnownHostsFile=/dev/null".to_owned(),
        "UpdateHostKeys=no".to_owned(),
        "HashKnownHosts=no".to_owned(),
        "IdentitiesOnly=yes".to_owned(),
        "IdentityAgent=none".to_owned(),
        "PasswordAuthentication=no".to_owned(),
        "KbdInteractiveAuthentication=no".to_owned(),
        "PreferredAuthentications=publickey".to_owned(),
        format!("ConnectTimeout={CONNECT_TIMEOUT_SECS}"),
        "ServerAliveInterval=15".to_owned(),
        "ServerAliveCountMax=3".to_owned(),
        "ControlMaster=no".to_owned(),
        "ControlPath=none".to_owned(),
        "ClearAllForwardings=yes".to_owned(),
        "ForwardAgent=no".to_owned(),
        "ForwardX11=no".to_owned(),
        "PermitLocalCommand=no".to_owned(),
        "RequestTTY=no".to_owned(),
        "LogLevel=ERROR".to_owned(),
    ];
    let mut args: Vec<OsString> = vec!["-F".into(), "/dev/null".into()];
    for option in options {
        args.push("-o".into());
        args.push(option.into());
    }
    args.push("-i".into());
    args.push(settings.key.as_os_str().to_owned());
    args.push("-p".into());
    args.push(settings.address.port().to_string().into());
    args.push("-l".into());
    args.push(settings.address.user().into());
    args.push("--".into());
    args.push(settings.address.host().to_string().into());
    for word in ["docker", "system", "dial-stdio"] {
        args.push(word.into());
    }
    args
}

/// Why an ssh connection ended before the engine answered.
#[derive(Debug, thiserror::Error)]
pub enum SshFailure {
    /// No `ssh` program on `PATH`.
    #[error("no ssh client: {0}")]
    NoClient(String),
    /// `ssh` ended; its stderr says why.
    #[error("ssh ended: {stderr}")]
    Ended { stderr: String },
}

impl SshFailure {
    /// The user-facing kind and detail.
    pub fn sort(&self) -> (UnreachableKind, String) {
        match self {
            Self::NoClient(detail) => (UnreachableKind::SshNoClient, detail.clone()),
            Self::Ended { stderr } => crate::domain::servers::ssh_failure::classify(stderr),
        }
    }
}

/// The hyper connector: every new connection is one `ssh` process.
#[derive(Clone)]
pub(crate) struct SshConnector {
    settings: Arc<SshSettings>,
    handshakes: Arc<Semaphore>,
}

impl SshConnector {
    pub(crate) fn new(settings: SshSettings) -> Self {
        Self {
            settings: Arc::new(settings),
            handshakes: Arc::new(Semaphore::new(HANDSHAKES)),
        }
    }
}

impl tower_service::Service<hyper::Uri> for SshConnector {
    type Response = hyper_util::rt::TokioIo<SshStream>;
    type Error = io::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, _destination: hyper::Uri) -> Self::Future {
        let settings = Arc::clone(&self.settings);
        let handshakes = Arc::clone(&self.handshakes);
        Box::pin(async move {
            let permit = handshakes
                .acquire_owned()
                .await
                .map_err(|_| io::Error::other("ssh connector closed"))?;
            SshStream::spawn(&settings, permit).map(hyper_util::rt::TokioIo::new)
        })
    }
}

/// One `ssh … docker system dial-stdio` process, read and written as a byte stream. The
/// process is killed when the stream is dropped (hyper drops idle and failed connections).
pub(crate) struct SshStream {
    _child: Child,
    stdin: Option<ChildStdin>,
    stdout: ChildStdout,
    /// ssh's stderr, once it closed (when ssh exits).
    stderr: Option<oneshot::Receiver<String>>,
    failure: Option<String>,
    /// Whether the engine sent anything yet: an end before that is a failure, after it a close.
    answered: bool,
    /// Held while logging in (see [`HANDSHAKES`]).
    handshake: Option<OwnedSemaphorePermit>,
}

impl SshStream {
    fn spawn(settings: &SshSettings, permit: OwnedSemaphorePermit) -> io::Result<Self> {
        let mut child = Command::new(SSH)
            .args(argv(settings))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| {
                if e.kind() == io::ErrorKind::NotFound {
                    io::Error::other(SshFailure::NoClient(format!(
                        "`{SSH}` is not on this machine's PATH"
                    )))
                } else {
                    e
                }
            })?;
        let (Some(stdin), Some(stdout), Some(mut stderr)) =
            (child.stdin.take(), child.stdout.take(), child.stderr.take())
        else {
            return Err(io::Error::other("ssh started without its pipes"));
        };
        let (tx, rx) = oneshot::channel();
        tokio::spawn(async move {
            let mut kept = Vec::new();
            let _ = (&mut stderr).take(MAX_STDERR).read_to_end(&mut kept).await;
            let _ = tokio::io::copy(&mut stderr, &mut tokio::io::sink()).await;
            let _ = tx.send(String::from_utf8_lossy(&kept).into_owned());
        });
        Ok(Self {
            _child: child,
            stdin: Some(stdin),
            stdout,
            stderr: Some(rx),
            failure: None,
            answered: false,
            handshake: Some(permit),
        })
    }

    /// The failure, once ssh's stderr is complete.
    fn poll_failure(&mut self, cx: &mut Context<'_>) -> Poll<io::Error> {
        self.handshake = None;
        if let Some(rx) = self.stderr.as_mut() {
            match Pin::new(rx).poll(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(text) => {
                    self.failure = Some(text.unwrap_or_default());
                    self.stderr = None;
                }
            }
        }
        Poll::Ready(io::Error::other(SshFailure::Ended {
            stderr: self.failure.clone().unwrap_or_default(),
        }))
    }
}

impl AsyncRead for SshStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        match Pin::new(&mut this.stdout).poll_read(cx, buf) {
            Poll::Ready(Ok(())) if buf.filled().len() == before && !this.answered => {
                this.poll_failure(cx).map(Err)
            }
            Poll::Ready(Ok(())) => {
                this.answered = true;
                this.handshake = None;
                Poll::Ready(Ok(()))
            }
            other => other,
        }
    }
}

impl AsyncWrite for SshStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let Some(stdin) = this.stdin.as_mut() else {
            return Poll::Ready(Err(io::ErrorKind::BrokenPipe.into()));
        };
        match Pin::new(stdin).poll_write(cx, buf) {
            Poll::Ready(Err(e)) if e.kind() == io::ErrorKind::BrokenPipe => {
                this.poll_failure(cx).map(Err)
            }
            other => other,
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut().stdin.as_mut() {
            Some(stdin) => Pin::new(stdin).poll_flush(cx),
            None => Poll::Ready(Ok(())),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if let Some(stdin) = this.stdin.as_mut() {
            std::task::ready!(Pin::new(stdin).poll_shutdown(cx))?;
        }
        this.stdin = None;
        Poll::Ready(Ok(()))
    }
}

impl hyper_util::client::legacy::connect::Connection for SshStream {
    fn connected(&self) -> hyper_util::client::legacy::connect::Connected {
        hyper_util::client::legacy::connect::Connected::new()
    }
}

/// `SHA256:…` as `ssh-keygen -l` prints it: the base64 (unpadded) SHA-256 of the key blob.
pub fn fingerprint(key: &HostKey) -> Option<String> {
    let blob = base64::engine::general_purpose::STANDARD
        .decode(&key.blob)
        .ok()?;
    let digest = sha2::Sha256::digest(&blob);
    Some(format!(
        "SHA256:{}",
        base64::engine::general_purpose::STANDARD_NO_PAD.encode(digest)
    ))
}

fn with_fingerprints(keys: Vec<HostKey>) -> Vec<FingerprintedKey> {
    keys.into_iter()
        .filter_map(|key| {
            fingerprint(&key).map(|fingerprint| FingerprintedKey { key, fingerprint })
        })
        .collect()
}

/// The host keys a server offers now, read with `ssh-keyscan` (ED25519 first).
pub async fn scan_host_keys(address: &SshAddress) -> Result<Vec<FingerprintedKey>, EngineError> {
    let problem = |kind: UnreachableKind, detail: String| {
        EngineError::Unreachable(EngineProblem {
            endpoint: address.to_string(),
            kind,
            detail,
        })
    };
    let run = Command::new(SSH_KEYSCAN)
        .args(["-T", "5", "-p"])
        .arg(address.port().to_string())
        .arg("--")
        .arg(address.host().to_string())
        .stdin(Stdio::null())
        .kill_on_drop(true)
        .output();
    let output = match tokio::time::timeout(KEYSCAN_TIMEOUT, run).await {
        Err(_) => {
            return Err(problem(
                UnreachableKind::SshConnectFailed,
                format!(
                    "no host key from {} within {} s",
                    address.known_hosts_name(),
                    KEYSCAN_TIMEOUT.as_secs()
                ),
            ))
        }
        Ok(Err(e)) if e.kind() == io::ErrorKind::NotFound => {
            return Err(problem(
                UnreachableKind::SshNoClient,
                format!("`{SSH_KEYSCAN}` is not on this machine's PATH"),
            ))
        }
        Ok(Err(e)) => return Err(problem(UnreachableKind::Other, e.to_string())),
        Ok(Ok(output)) => output,
    };
    let keys = with_fingerprints(known_hosts::parse_keyscan(&String::from_utf8_lossy(
        &output.stdout,
    )));
    if keys.is_empty() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let words: Vec<&str> = stderr
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .collect();
        return Err(problem(
            UnreachableKind::SshConnectFailed,
            if words.is_empty() {
                format!(
                    "no SSH server answered at {} (ssh-keyscan found no host key)",
                    address.known_hosts_name()
                )
            } else {
                words.join(" ")
            },
        ));
    }
    Ok(keys)
}

/// Compares what the server offers with what `known_hosts` holds for it.
pub async fn check_host_key(
    address: &SshAddress,
    known_hosts_file: &Path,
) -> Result<HostKeyCheck, EngineError> {
    let text = read_known_hosts(known_hosts_file).await;
    let host_name = address.known_hosts_name();
    let accepted = known_hosts::keys_for(&text, &host_name);
    let offered = scan_host_keys(address).await?;
    let offered_keys: Vec<HostKey> = offered.iter().map(|k| k.key.clone()).collect();
    Ok(HostKeyCheck {
        verdict: known_hosts::judge(&accepted, &offered_keys),
        host_name,
        accepted: with_fingerprints(accepted),
        offered,
    })
}

/// `known_hosts`, or nothing when it does not exist yet.
pub(crate) async fn read_known_hosts(path: &Path) -> String {
    tokio::fs::read_to_string(path).await.unwrap_or_default()
}

/// Before the first connection to a server: a host with no accepted key stops here with its
/// fingerprints for the user to compare and accept (ssh would only say "verification failed").
/// A host with keys on file goes on: `ssh` itself refuses a changed one.
pub(crate) async fn preflight(settings: &SshSettings) -> Result<(), EngineError> {
    let text = read_known_hosts(&settings.known_hosts).await;
    if !known_hosts::keys_for(&text, &settings.address.known_hosts_name()).is_empty() {
        return Ok(());
    }
    let offered = scan_host_keys(&settings.address).await?;
    Err(EngineError::Unreachable(EngineProblem {
        endpoint: settings.address.to_string(),
        kind: UnreachableKind::SshHostKeyUnknown,
        detail: offered
            .iter()
            .map(FingerprintedKey::label)
            .collect::<Vec<_>>()
            .join(", "),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::endpoint::Endpoint;

    fn settings(url: &str) -> SshSettings {
        let Ok(Endpoint::Ssh(address)) = Endpoint::parse(url) else {
            panic!("not ssh: {url}");
        };
        SshSettings {
            address,
            key: PathBuf::from("/data/servers/app-1/ssh_key"),
            known_hosts: PathBuf::from("/data dir/known_hosts"),
        }
    }

    #[test]
    fn ssh_runs_dial_stdio_with_a_fixed_argument_list() {
        let args: Vec<String> = argv(&settings("ssh://deploy@203.0.113.7:2222"))
            .into_iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            args[args.len() - 9..],
            [
                "-p",
                "2222",
                "-l",
                "deploy",
                "--",
                "203.0.113.7",
                "docker",
                "system",
                "dial-stdio"
            ]
        );
        for needed in [
            "StrictHostKeyChecking=yes",
            "BatchMode=yes",
            "IdentitiesOnly=yes",
            "UserKnownHostsFile=\"/data dir/known_hosts\"",
            "GlobalKnownHostsFile=/dev/null",
            "ControlPath=none",
        ] {
            assert!(
                args.iter().any(|a| a == needed),
                "{needed} missing: {args:?}"
            );
        }
        assert_eq!(&args[..2], ["-F", "/dev/null"]);
    }

    #[test]
    fn fingerprints_match_ssh_keygen() {
        // `ssh-keygen -lf` on this public key prints SHA256:qiUGo/7ujfVS2Nv1CzowraGA720qZARygs59SVrvhyc.
        let key = HostKey::parse(
            "ssh-ed25519",
            include_str!("../domain/servers/fixtures/host-key-ed25519.txt").trim(),
        )
        .expect("key");
        assert_eq!(
            fingerprint(&key).as_deref(),
            Some(include_str!("../domain/servers/fixtures/host-key-ed25519.fingerprint").trim())
        );
    }
}
