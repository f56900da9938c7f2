//! How netdoctor reaches each kind of endpoint: bollard's own Unix-socket and plain-HTTP
//! clients, and two of its custom transports — TLS with a client certificate (rustls, trusting
//! only the CA given for that server, as `docker --tlsverify` does) and SSH (the system `ssh`
//! client running `docker system dial-stdio` on the server, see `ssh`).

use super::ssh::{SshConnector, SshSettings};
use super::{EngineError, REQUEST_TIMEOUT};
use crate::domain::endpoint::Endpoint;
use crate::domain::problem::{EngineProblem, UnreachableKind};
use bollard::{BollardRequest, Docker, API_DEFAULT_VERSION};
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// How long an idle connection to a remote engine is kept for the next request.
const IDLE: Duration = Duration::from_secs(30);

/// Where a server's key and certificates are. Paths only: the files are read when netdoctor
/// connects, and their contents never leave this module and `ssh`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Credentials {
    /// The private key `ssh -i` uses for an `ssh://` server.
    pub ssh_key: Option<PathBuf>,
    /// netdoctor's `known_hosts` (in its data directory), for `ssh://` servers.
    pub known_hosts: Option<PathBuf>,
    /// The CA, client certificate and key for a TLS engine.
    pub tls: Option<TlsFiles>,
}

/// `ca.pem`, `cert.pem` and `key.pem`, as `DOCKER_CERT_PATH` holds them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFiles {
    pub ca: PathBuf,
    pub cert: PathBuf,
    pub key: PathBuf,
}

impl TlsFiles {
    /// The three files in one directory, named as Docker names them.
    pub fn in_dir(dir: &std::path::Path) -> Self {
        Self {
            ca: dir.join("ca.pem"),
            cert: dir.join("cert.pem"),
            key: dir.join("key.pem"),
        }
    }
}

/// A bollard client for the endpoint, not yet connected (the first request connects).
pub(crate) fn docker_for(
    endpoint: &Endpoint,
    credentials: &Credentials,
) -> Result<Docker, EngineError> {
    let timeout = REQUEST_TIMEOUT.as_secs();
    let problem = |kind: UnreachableKind, detail: String| {
        EngineError::Unreachable(EngineProblem {
            endpoint: endpoint.to_string(),
            kind,
            detail,
        })
    };
    match endpoint {
        // bollard looks for the socket file before it connects: no file is the missing socket
        // a user can act on (start Docker), not an unknown failure.
        Endpoint::Unix(path) => Docker::connect_with_unix(path, timeout, API_DEFAULT_VERSION)
            .map_err(|e| match e {
                bollard::errors::Error::SocketNotFoundError(path) => problem(
                    UnreachableKind::SocketMissing,
                    format!("{path}: no such file"),
                ),
                other => problem(UnreachableKind::Other, other.to_string()),
            }),
        Endpoint::Tcp(addr) => Docker::connect_with_http(addr, timeout, API_DEFAULT_VERSION)
            .map_err(|e| problem(UnreachableKind::Other, e.to_string())),
        Endpoint::Tls(addr) => {
            let Some(files) = &credentials.tls else {
                return Err(problem(
                    UnreachableKind::Credentials,
                    "no CA, client certificate and key are configured for this TLS engine".into(),
                ));
            };
            let config = tls_config(files)
                .map_err(|detail| problem(UnreachableKind::Credentials, detail))?;
            let connector = hyper_rustls::HttpsConnectorBuilder::new()
                .with_tls_config(config)
                .https_only()
                .enable_http1()
                .build();
            let client = Client::builder(TokioExecutor::new())
                .pool_timer(TokioTimer::new())
                .pool_idle_timeout(IDLE)
                .build(connector);
            Docker::connect_with_custom_transport(
                move |request: BollardRequest| {
                    let client = client.clone();
                    async move { client.request(request).await.map_err(Into::into) }
                },
                Some(format!("https://{addr}")),
                timeout,
                API_DEFAULT_VERSION,
            )
            .map_err(|e| problem(UnreachableKind::Other, e.to_string()))
        }
        Endpoint::Ssh(address) => {
            let (Some(key), Some(known_hosts)) = (&credentials.ssh_key, &credentials.known_hosts)
            else {
                return Err(problem(
                    UnreachableKind::Credentials,
                    "no SSH key is configured for this server".into(),
                ));
            };
            let connector = SshConnector::new(SshSettings {
                address: address.clone(),
                key: key.clone(),
                known_hosts: known_hosts.clone(),
            });
            let client = Client::builder(TokioExecutor::new())
                .pool_timer(TokioTimer::new())
                .pool_idle_timeout(IDLE)
                .pool_max_idle_per_host(4)
                .build(connector);
            Docker::connect_with_custom_transport(
                move |request: BollardRequest| {
                    let client = client.clone();
                    async move { client.request(request).await.map_err(Into::into) }
                },
                // The HTTP host the engine sees; the connector ignores it and dials over ssh.
                Some("http://docker"),
                timeout,
                API_DEFAULT_VERSION,
            )
            .map_err(|e| problem(UnreachableKind::Other, e.to_string()))
        }
    }
}

/// rustls trusting only the server's CA, presenting the client certificate. Errors name the
/// file and what is wrong with it, never its contents.
fn tls_config(files: &TlsFiles) -> Result<rustls::ClientConfig, String> {
    let read = |path: &PathBuf, what: &str| {
        std::fs::read(path).map_err(|e| format!("{what} {}: {e}", path.display()))
    };
    let ca = read(&files.ca, "the CA certificate")?;
    let cert = read(&files.cert, "the client certificate")?;
    let key = read(&files.key, "the client key")?;
    let named = |what: &str, path: &PathBuf| format!("{what} {}", path.display());
    tls_config_from_pem(
        (&ca, &named("the CA certificate", &files.ca)),
        (&cert, &named("the client certificate", &files.cert)),
        (&key, &named("the client key", &files.key)),
    )
}

/// Checks PEM text a user gave for a TLS engine (CA, client certificate, client key) the way
/// connecting will read it; the error names which one is wrong and why.
pub fn check_tls_pem(ca: &[u8], cert: &[u8], key: &[u8]) -> Result<(), String> {
    tls_config_from_pem(
        (ca, "the CA certificate"),
        (cert, "the client certificate"),
        (key, "the client key"),
    )
    .map(|_| ())
}

/// Each part is its PEM bytes and how to name it in an error.
fn tls_config_from_pem(
    (ca, ca_name): (&[u8], &str),
    (cert, cert_name): (&[u8], &str),
    (key, key_name): (&[u8], &str),
) -> Result<rustls::ClientConfig, String> {
    let certs = |pem: &[u8], what: &str| -> Result<Vec<CertificateDer<'static>>, String> {
        let certs = CertificateDer::pem_slice_iter(pem)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| format!("{what}: {e}"))?;
        if certs.is_empty() {
            return Err(format!(
                "{what}: no PEM certificate (-----BEGIN CERTIFICATE-----) in it"
            ));
        }
        Ok(certs)
    };
    let mut roots = rustls::RootCertStore::empty();
    for c in certs(ca, ca_name)? {
        roots.add(c).map_err(|e| format!("{ca_name}: {e}"))?;
    }
    let chain = certs(cert, cert_name)?;
    let key = PrivateKeyDer::from_pem_slice(key)
        .map_err(|e| format!("{key_name}: no unencrypted PEM private key in it ({e})"))?;
    // ring rather than aws-lc-rs (rustls's default): pure Rust and assembly, half the size in
    // the static binary, and no cmake for the musl build. rustls deprecates ring's provider
    // for lacking post-quantum key exchange, which a Docker Engine's TLS does not need.
    #[allow(deprecated)]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots)
        .with_client_auth_cert(chain, key)
        .map_err(|e| format!("{cert_name} and {key_name} do not go together: {e}"))
}

/// A rustls failure anywhere in an error's chain, sorted into what the user can act on.
pub(crate) fn tls_kind(err: &rustls::Error) -> UnreachableKind {
    use rustls::{AlertDescription, CertificateError, Error};
    match err {
        Error::InvalidCertificate(
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
        ) => UnreachableKind::TlsWrongName,
        Error::InvalidCertificate(_) => UnreachableKind::TlsUntrusted,
        Error::AlertReceived(
            AlertDescription::BadCertificate
            | AlertDescription::UnknownCA
            | AlertDescription::CertificateRequired
            | AlertDescription::CertificateUnknown
            | AlertDescription::CertificateExpired
            | AlertDescription::AccessDenied,
        ) => UnreachableKind::TlsClientRefused,
        Error::InvalidMessage(_) | Error::InappropriateMessage { .. } => {
            UnreachableKind::TlsNotSpoken
        }
        _ => UnreachableKind::Other,
    }
}
