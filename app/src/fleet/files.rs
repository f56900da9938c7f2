//! The fleet's files in the data directory: `servers.json`, `known_hosts`, and each server's
//! key and certificates under `servers/<name>/` — directories 0700, files 0600, written to a
//! temporary name and renamed so a crash never leaves half a file.

use crate::domain::endpoint::Endpoint;
use crate::domain::servers::{file_names, SecretFiles, ServerEntry};
use crate::engine::transport::{Credentials, TlsFiles};
use std::fs::{self, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// The servers file's name in the data directory.
pub const SERVERS_FILE: &str = "servers.json";
/// netdoctor's own `known_hosts`.
pub const KNOWN_HOSTS: &str = "known_hosts";
/// Where each server's secrets live: `servers/<name>/`.
pub const SERVERS_DIR: &str = "servers";

/// The data directory's paths.
#[derive(Debug, Clone)]
pub struct Layout {
    pub data_dir: PathBuf,
}

impl Layout {
    pub fn servers_file(&self) -> PathBuf {
        self.data_dir.join(SERVERS_FILE)
    }

    pub fn known_hosts(&self) -> PathBuf {
        self.data_dir.join(KNOWN_HOSTS)
    }

    pub fn servers_dir(&self) -> PathBuf {
        self.data_dir.join(SERVERS_DIR)
    }

    /// `servers/<name>/`.
    pub fn own_dir(&self, name: &str) -> PathBuf {
        self.servers_dir().join(name)
    }

    /// A path from the servers file: absolute as written, else under the data directory.
    fn resolve(&self, path: &str) -> PathBuf {
        let p = Path::new(path);
        if p.is_absolute() {
            p.to_owned()
        } else {
            self.data_dir.join(p)
        }
    }

    /// Where an entry's key and certificates are: as the file says, else its own directory.
    pub fn credentials(&self, entry: &ServerEntry) -> Credentials {
        self.credentials_for(
            &entry.endpoint,
            &entry.files,
            &self.own_dir(entry.name.as_str()),
        )
    }

    /// The same for files kept in `dir` (a server's own directory, or the staging one).
    pub fn credentials_for(
        &self,
        endpoint: &Endpoint,
        files: &SecretFiles,
        dir: &Path,
    ) -> Credentials {
        let pick = |given: &Option<String>, default: &str| {
            given
                .as_deref()
                .map_or_else(|| dir.join(default), |p| self.resolve(p))
        };
        match endpoint {
            Endpoint::Ssh(_) => Credentials {
                ssh_key: Some(pick(&files.ssh_key, file_names::SSH_KEY)),
                known_hosts: Some(self.known_hosts()),
                tls: None,
            },
            Endpoint::Tls(_) => Credentials {
                ssh_key: None,
                known_hosts: None,
                tls: Some(TlsFiles {
                    ca: pick(&files.tls_ca, file_names::TLS_CA),
                    cert: pick(&files.tls_cert, file_names::TLS_CERT),
                    key: pick(&files.tls_key, file_names::TLS_KEY),
                }),
            },
            Endpoint::Unix(_) | Endpoint::Tcp(_) => Credentials::default(),
        }
    }
}

/// Creates a directory readable by netdoctor's user only (or tightens one that exists).
pub fn private_dir(dir: &Path) -> std::io::Result<()> {
    fs::create_dir_all(dir)?;
    fs::set_permissions(dir, fs::Permissions::from_mode(0o700))
}

/// Writes `bytes` to `path` with mode 0600: a temporary file beside it, synced, then renamed.
pub fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path
        .parent()
        .ok_or_else(|| std::io::Error::other("a file path without a directory"))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let salt = crate::token::random_bytes::<6>()
        .map(|b| crate::token::to_hex(&b))
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    let temp = dir.join(format!(".{name}.{salt}.tmp"));
    let written = (|| {
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        fs::rename(&temp, path)
    })();
    if written.is_err() {
        let _ = fs::remove_file(&temp);
    }
    written
}

/// A directory for a new server's files until it is proven to connect: removed on drop unless
/// [`Staging::commit`] moved it into place. Its name starts with a dot, which no server name
/// does.
pub struct Staging {
    dir: Option<PathBuf>,
}

impl Staging {
    pub fn new(layout: &Layout) -> std::io::Result<Self> {
        private_dir(&layout.servers_dir())?;
        let salt = crate::token::random_bytes::<6>()
            .map(|b| crate::token::to_hex(&b))
            .map_err(|e| std::io::Error::other(e.to_string()))?;
        let dir = layout.servers_dir().join(format!(".staging-{salt}"));
        private_dir(&dir)?;
        Ok(Self { dir: Some(dir) })
    }

    pub fn path(&self) -> &Path {
        self.dir.as_deref().unwrap_or(Path::new(""))
    }

    /// Moves the staged files to `dest` (replacing a leftover directory of the same name that
    /// no server in the file owns any more).
    pub fn commit(mut self, dest: &Path) -> std::io::Result<()> {
        let Some(dir) = self.dir.take() else {
            return Ok(());
        };
        if dest.exists() {
            fs::remove_dir_all(dest)?;
        }
        fs::rename(&dir, dest).inspect_err(|_| {
            let _ = fs::remove_dir_all(&dir);
        })
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if let Some(dir) = self.dir.take() {
            let _ = fs::remove_dir_all(dir);
        }
    }
}

/// Removes staging directories a crash left behind.
pub fn sweep_staging(layout: &Layout) {
    let Ok(entries) = fs::read_dir(layout.servers_dir()) else {
        return;
    };
    for entry in entries.flatten() {
        if entry.file_name().to_string_lossy().starts_with(".staging-") {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}
