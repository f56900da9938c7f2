//! Several Docker engines from one netdoctor: each server's name, its endpoint, and the servers
//! file (`servers.json` in the data directory) that lists them, parsed once and refused whole
//! when any entry is wrong. Keys and certificates are never in here: the file names where they
//! are, and the pages only ever see [`ServerInfo`].

pub mod across;
pub mod known_hosts;
pub mod ssh_failure;
pub mod summary;

use crate::domain::endpoint::{Endpoint, EndpointError, EndpointKind};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The name of the engine netdoctor was started with (`--docker-host`, else the local socket).
pub const LOCAL: &str = "local";

/// A server's name as it appears in URLs (`?server=app-1`), the switcher and the data
/// directory (`servers/app-1/`): what Docker allows in a container name, at most 63 characters.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ServerName(String);

/// Why a server name was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ServerNameError {
    #[error("a server needs a name")]
    Empty,
    #[error("a server name is at most {max} characters; this one has {len}")]
    TooLong { len: usize, max: usize },
    #[error("`{0}` is not a server name: start with a letter or digit, then only letters, digits, `_`, `.` and `-` (like a container name)")]
    Invalid(String),
    #[error("`{LOCAL}` is the engine netdoctor was started with; pick another name")]
    Reserved,
}

impl ServerName {
    pub const MAX_LEN: usize = 63;

    /// The engine netdoctor was started with.
    pub fn local() -> Self {
        Self(LOCAL.to_owned())
    }

    /// User or URL input: a letter or digit, then letters, digits, `_`, `.` and `-`. Nothing a
    /// shell, a path or a URL could read as more than a name (no `/`, no `..` alone).
    pub fn parse(input: &str) -> Result<Self, ServerNameError> {
        let name = input.trim();
        if name.is_empty() {
            return Err(ServerNameError::Empty);
        }
        if name.len() > Self::MAX_LEN {
            return Err(ServerNameError::TooLong {
                len: name.len(),
                max: Self::MAX_LEN,
            });
        }
        let mut chars = name.chars();
        let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphanumeric());
        let rest_ok = chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
        if !(first_ok && rest_ok) {
            return Err(ServerNameError::Invalid(name.chars().take(80).collect()));
        }
        Ok(Self(name.to_owned()))
    }

    /// A name for a server the user adds: [`ServerName::parse`], and never `local`.
    pub fn parse_new(input: &str) -> Result<Self, ServerNameError> {
        let name = Self::parse(input)?;
        if name.is_local() {
            return Err(ServerNameError::Reserved);
        }
        Ok(name)
    }

    pub fn is_local(&self) -> bool {
        self.0 == LOCAL
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ServerName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where a server's key and certificates are, as files (paths relative to the data directory,
/// or absolute, e.g. mounted secrets). A field left out means the file netdoctor keeps for
/// that server: `servers/<name>/ssh_key`, `…/ca.pem`, `…/cert.pem`, `…/key.pem`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SecretFiles {
    pub ssh_key: Option<String>,
    pub tls_ca: Option<String>,
    pub tls_cert: Option<String>,
    pub tls_key: Option<String>,
}

impl SecretFiles {
    fn is_empty(&self) -> bool {
        self == &Self::default()
    }
}

/// The file names netdoctor gives a server's secrets in its own directory.
pub mod file_names {
    pub const SSH_KEY: &str = "ssh_key";
    pub const TLS_CA: &str = "ca.pem";
    pub const TLS_CERT: &str = "cert.pem";
    pub const TLS_KEY: &str = "key.pem";
}

/// One server as the servers file lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerEntry {
    pub name: ServerName,
    pub endpoint: Endpoint,
    pub files: SecretFiles,
}

/// A server as pages and JSON see it: never a key, a certificate or a path to one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerInfo {
    pub name: ServerName,
    /// `ssh://root@203.0.113.7`, `https://host:2376`, `unix:///var/run/docker.sock`.
    pub endpoint: String,
    pub kind: EndpointKind,
    /// Where it was configured, so the page can say which ones it may remove.
    pub origin: ServerOrigin,
}

/// Where a server came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ServerOrigin {
    /// `--docker-host` / `DOCKER_HOST`, or the local socket.
    StartedWith,
    /// The servers file (written by hand, or by the Servers page).
    ServersFile,
}

impl ServerEntry {
    pub fn info(&self) -> ServerInfo {
        ServerInfo {
            name: self.name.clone(),
            endpoint: self.endpoint.to_string(),
            kind: self.endpoint.kind(),
            origin: ServerOrigin::ServersFile,
        }
    }
}

/// What adding a server came to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum AddOutcome {
    /// Proven and stored.
    Added(ServerInfo),
    /// Nothing stored yet: the user compares these fingerprints with the server's and sends
    /// the same form again with the one accepted.
    HostKeyToAccept(known_hosts::HostKeyCheck),
}

/// The servers file on disk: `{"version": 1, "servers": [{"name", "endpoint", …}]}`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileJson {
    version: u32,
    #[serde(default)]
    servers: Vec<EntryJson>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct EntryJson {
    name: String,
    endpoint: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    ssh_key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tls_ca: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tls_cert: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tls_key: Option<String>,
}

/// The servers file's format version this netdoctor writes and reads.
pub const FILE_VERSION: u32 = 1;

/// Why the servers file was refused (the whole file: netdoctor does not start on half a list).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ServersFileError {
    #[error("it is not the JSON netdoctor expects: {0}")]
    Json(String),
    #[error(
        "it is version {0}, written by a newer netdoctor (this one reads version {FILE_VERSION})"
    )]
    Newer(u32),
    #[error("server #{index}: {error}")]
    Name {
        index: usize,
        error: ServerNameError,
    },
    #[error("server `{name}`: endpoint: {error}")]
    Endpoint { name: String, error: EndpointError },
    #[error("the name `{0}` is used twice")]
    Duplicate(String),
    #[error("server `{name}`: {problem}")]
    Files { name: String, problem: String },
}

/// Parses the servers file. Every entry is checked: a valid name (not `local`), an endpoint
/// netdoctor speaks, no name twice, key fields only where the endpoint uses them, and a
/// `tcp://` endpoint with TLS files becomes a TLS endpoint.
pub fn parse_servers_file(text: &str) -> Result<Vec<ServerEntry>, ServersFileError> {
    let file: FileJson =
        serde_json::from_str(text).map_err(|e| ServersFileError::Json(e.to_string()))?;
    if file.version > FILE_VERSION {
        return Err(ServersFileError::Newer(file.version));
    }
    let mut entries: Vec<ServerEntry> = Vec::with_capacity(file.servers.len());
    for (i, raw) in file.servers.into_iter().enumerate() {
        let name = ServerName::parse_new(&raw.name).map_err(|error| ServersFileError::Name {
            index: i + 1,
            error,
        })?;
        if entries.iter().any(|e| e.name == name) {
            return Err(ServersFileError::Duplicate(name.to_string()));
        }
        let endpoint =
            Endpoint::parse(&raw.endpoint).map_err(|error| ServersFileError::Endpoint {
                name: name.to_string(),
                error,
            })?;
        let files = SecretFiles {
            ssh_key: raw.ssh_key,
            tls_ca: raw.tls_ca,
            tls_cert: raw.tls_cert,
            tls_key: raw.tls_key,
        };
        let endpoint = entry_endpoint(&name, endpoint, &files)?;
        entries.push(ServerEntry {
            name,
            endpoint,
            files,
        });
    }
    Ok(entries)
}

/// Checks that the file fields fit the endpoint; `tcp://` with TLS files is TLS.
fn entry_endpoint(
    name: &ServerName,
    endpoint: Endpoint,
    files: &SecretFiles,
) -> Result<Endpoint, ServersFileError> {
    let problem = |problem: &str| ServersFileError::Files {
        name: name.to_string(),
        problem: problem.to_owned(),
    };
    let has_tls = files.tls_ca.is_some() || files.tls_cert.is_some() || files.tls_key.is_some();
    for path in [
        &files.ssh_key,
        &files.tls_ca,
        &files.tls_cert,
        &files.tls_key,
    ]
    .into_iter()
    .flatten()
    {
        if path.trim().is_empty() || path.contains(['\n', '\r', '\0']) {
            return Err(problem("a file path is empty or holds a line break"));
        }
    }
    match endpoint {
        Endpoint::Ssh(_) if has_tls => Err(problem(
            "tls_ca, tls_cert and tls_key are for https:// endpoints; an ssh:// server takes ssh_key",
        )),
        Endpoint::Ssh(_) => Ok(endpoint),
        Endpoint::Tls(_) | Endpoint::Tcp(_) if files.ssh_key.is_some() => Err(problem(
            "ssh_key is for ssh:// endpoints; a TLS engine takes tls_ca, tls_cert and tls_key",
        )),
        Endpoint::Tcp(addr) if has_tls => Ok(Endpoint::Tls(addr)),
        Endpoint::Tls(_) | Endpoint::Tcp(_) => Ok(endpoint),
        Endpoint::Unix(_) if !files.is_empty() => Err(problem(
            "a unix:// socket takes no key or certificate files",
        )),
        Endpoint::Unix(_) => Ok(endpoint),
    }
}

/// The servers file for these entries, as netdoctor writes it (pretty, stable order).
pub fn servers_file_json(entries: &[ServerEntry]) -> String {
    let file = FileJson {
        version: FILE_VERSION,
        servers: entries
            .iter()
            .map(|e| EntryJson {
                name: e.name.to_string(),
                endpoint: e.endpoint.to_string(),
                ssh_key: e.files.ssh_key.clone(),
                tls_ca: e.files.tls_ca.clone(),
                tls_cert: e.files.tls_cert.clone(),
                tls_key: e.files.tls_key.clone(),
            })
            .collect(),
    };
    let mut text = serde_json::to_string_pretty(&file).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_names_are_like_container_names_and_never_shell_words() {
        for good in ["app-1", "db.internal", "Coolify_2", "a"] {
            assert!(ServerName::parse(good).is_ok(), "{good}");
        }
        for bad in [
            "", "-x", ".hidden", "a b", "a;b", "$(id)", "`id`", "a/b", "..", "a|b", "a&b", "é",
            "a\nb", "'a'",
        ] {
            assert!(ServerName::parse(bad).is_err(), "{bad:?} was accepted");
        }
        assert_eq!(
            ServerName::parse(&"x".repeat(64)),
            Err(ServerNameError::TooLong { len: 64, max: 63 })
        );
        assert_eq!(
            ServerName::parse_new("local"),
            Err(ServerNameError::Reserved)
        );
        assert!(ServerName::parse("local").is_ok_and(|n| n.is_local()));
    }

    const FILE: &str = r#"{
      "version": 1,
      "servers": [
        { "name": "app-1", "endpoint": "ssh://root@203.0.113.7", "ssh_key": "/run/secrets/app1" },
        { "name": "db", "endpoint": "tcp://10.0.0.7:2376", "tls_ca": "ca.pem", "tls_cert": "c.pem", "tls_key": "k.pem" },
        { "name": "proxy-socket", "endpoint": "tcp://socket-proxy:2375" },
        { "name": "new", "endpoint": "ssh://deploy@198.51.100.2:2222" }
      ]
    }"#;

    #[test]
    fn a_servers_file_lists_ssh_tls_and_plain_engines() {
        let entries = parse_servers_file(FILE).expect("valid file");
        let names: Vec<&str> = entries.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["app-1", "db", "proxy-socket", "new"]);
        assert!(matches!(entries[0].endpoint, Endpoint::Ssh(_)));
        assert_eq!(
            entries[0].files.ssh_key.as_deref(),
            Some("/run/secrets/app1")
        );
        assert_eq!(entries[1].endpoint, Endpoint::Tls("10.0.0.7:2376".into()));
        assert_eq!(
            entries[2].endpoint,
            Endpoint::Tcp("socket-proxy:2375".into())
        );
        assert_eq!(entries[3].files, SecretFiles::default());
    }

    #[test]
    fn the_file_netdoctor_writes_reads_back_the_same() {
        let entries = parse_servers_file(FILE).expect("valid file");
        let again = parse_servers_file(&servers_file_json(&entries)).expect("own file");
        assert_eq!(again, entries);
        assert!(servers_file_json(&entries).contains("\"endpoint\": \"https://10.0.0.7:2376\""));
    }

    #[test]
    fn a_wrong_entry_refuses_the_whole_file_and_names_the_entry() {
        let cases = [
            (
                r#"{"version":1,"servers":[{"name":"a;b","endpoint":"ssh://root@h"}]}"#,
                "server #1",
            ),
            (
                r#"{"version":1,"servers":[{"name":"local","endpoint":"ssh://root@h"}]}"#,
                "local",
            ),
            (
                r#"{"version":1,"servers":[{"name":"a","endpoint":"ssh://h"}]}"#,
                "server `a`: endpoint",
            ),
            (
                r#"{"version":1,"servers":[{"name":"a","endpoint":"ssh://root@h"},{"name":"a","endpoint":"ssh://root@g"}]}"#,
                "twice",
            ),
            (
                r#"{"version":1,"servers":[{"name":"a","endpoint":"ssh://root@h","tls_ca":"x"}]}"#,
                "https://",
            ),
            (
                r#"{"version":1,"servers":[{"name":"a","endpoint":"https://h:2376","ssh_key":"x"}]}"#,
                "ssh://",
            ),
            (
                r#"{"version":1,"servers":[{"name":"a","endpoint":"ssh://root@h","ssh_kye":"x"}]}"#,
                "unknown field",
            ),
            (r#"{"version":2,"servers":[]}"#, "newer"),
            ("not json", "JSON"),
        ];
        for (text, expected) in cases {
            let err = parse_servers_file(text).expect_err(text).to_string();
            assert!(err.contains(expected), "{text}: {err}");
        }
    }

    #[test]
    fn server_info_carries_no_file_paths() {
        let entries = parse_servers_file(FILE).expect("valid file");
        let json = serde_json::to_string(&entries[1].info()).expect("json");
        assert!(!json.contains("pem"), "{json}");
        assert!(json.contains("https://10.0.0.7:2376"));
    }
}
