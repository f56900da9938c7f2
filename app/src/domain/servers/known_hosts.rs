//! netdoctor's own `known_hosts` (in its data directory, OpenSSH's format, which `ssh` itself
//! reads with `StrictHostKeyChecking=yes`): which host keys were accepted for which server, and
//! the verdict on the keys a server offers now — known, never seen, or changed.

use serde::{Deserialize, Serialize};

/// One host key: its algorithm (`ssh-ed25519`) and its base64 public key blob.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct HostKey {
    pub algorithm: String,
    pub blob: String,
}

/// Why a key line was refused (a scanned key that could break the file is never written).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not an OpenSSH public key line: {0}")]
pub struct HostKeyError(String);

impl HostKey {
    /// `ALGORITHM BASE64`, as `ssh-keyscan` prints after the host, each part checked so that
    /// nothing but one key can reach the file.
    pub fn parse(algorithm: &str, blob: &str) -> Result<Self, HostKeyError> {
        let algorithm_ok = !algorithm.is_empty()
            && algorithm.len() <= 64
            && algorithm
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '@'));
        let blob_ok = blob.len() >= 16
            && blob.len() <= 16 * 1024
            && blob
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '='));
        if !(algorithm_ok && blob_ok) {
            return Err(HostKeyError(
                format!("{algorithm} {blob}").chars().take(60).collect(),
            ));
        }
        Ok(Self {
            algorithm: algorithm.to_owned(),
            blob: blob.to_owned(),
        })
    }

    /// The key type as people say it: `ED25519`, `ECDSA`, `RSA`.
    pub fn kind(&self) -> &'static str {
        match self.algorithm.as_str() {
            "ssh-ed25519" => "ED25519",
            "ssh-rsa" => "RSA",
            a if a.starts_with("ecdsa-") => "ECDSA",
            a if a.starts_with("sk-ssh-ed25519") => "ED25519-SK",
            a if a.starts_with("sk-ecdsa") => "ECDSA-SK",
            _ => "other",
        }
    }
}

/// A host key with its fingerprint (`SHA256:…`, as `ssh-keygen -l` prints it), for people to
/// compare with what the server shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FingerprintedKey {
    pub key: HostKey,
    pub fingerprint: String,
}

impl FingerprintedKey {
    /// `ED25519 SHA256:…`.
    pub fn label(&self) -> String {
        format!("{} {}", self.key.kind(), self.fingerprint)
    }
}

/// The keys `known_hosts` holds for one host name (`host` or `[host]:port`). Hashed names
/// (`|1|…`), `@revoked` and `@cert-authority` lines are not read here (netdoctor writes plain
/// names; `ssh` still honours such lines on its own).
pub fn keys_for(known_hosts: &str, host_name: &str) -> Vec<HostKey> {
    known_hosts
        .lines()
        .filter_map(|line| {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') || line.starts_with('@') {
                return None;
            }
            let mut fields = line.split_whitespace();
            let hosts = fields.next()?;
            let algorithm = fields.next()?;
            let blob = fields.next()?;
            hosts
                .split(',')
                .any(|h| h == host_name)
                .then(|| HostKey::parse(algorithm, blob).ok())
                .flatten()
        })
        .collect()
}

/// One `known_hosts` line for a key accepted for `host_name`.
pub fn line_for(host_name: &str, key: &HostKey) -> String {
    format!("{host_name} {} {}\n", key.algorithm, key.blob)
}

/// `known_hosts` without any line for `host_name` (a host listed with others on one line keeps
/// the others). Comments and other hosts' lines stay as they were.
pub fn without_host(known_hosts: &str, host_name: &str) -> String {
    let mut out = String::with_capacity(known_hosts.len());
    for line in known_hosts.lines() {
        let trimmed = line.trim();
        let mut fields = trimmed.splitn(2, char::is_whitespace);
        let hosts = fields.next().unwrap_or_default();
        let rest = fields.next();
        let listed = !trimmed.starts_with('#')
            && !trimmed.starts_with('@')
            && hosts.split(',').any(|h| h == host_name);
        match (listed, rest) {
            (false, _) => {
                out.push_str(line);
                out.push('\n');
            }
            (true, Some(rest)) => {
                let others: Vec<&str> = hosts.split(',').filter(|h| *h != host_name).collect();
                if !others.is_empty() {
                    out.push_str(&others.join(","));
                    out.push(' ');
                    out.push_str(rest.trim_start());
                    out.push('\n');
                }
            }
            (true, None) => {}
        }
    }
    out
}

/// What netdoctor makes of the keys a server offers, against those accepted before.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum HostKeyVerdict {
    /// One of the offered keys was accepted before: `ssh` will connect.
    Known,
    /// Nothing accepted for this host yet: the user compares the fingerprints and accepts.
    Unknown,
    /// Keys were accepted for this host, and the server offers none of them: refused.
    Changed,
}

/// The host keys accepted for a server and those it offers now, with the verdict: what the
/// Servers page shows for the user to compare.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HostKeyCheck {
    pub verdict: HostKeyVerdict,
    /// `known_hosts`'s name for the server (`host`, or `[host]:port`).
    pub host_name: String,
    pub accepted: Vec<FingerprintedKey>,
    /// ED25519 first.
    pub offered: Vec<FingerprintedKey>,
}

/// Known when any offered key was accepted, unknown when none was ever accepted for the host,
/// changed otherwise. (OpenSSH prefers the algorithms it holds keys for, so a known key among
/// the offered ones is the one `ssh` will verify.)
pub fn judge(accepted: &[HostKey], offered: &[HostKey]) -> HostKeyVerdict {
    if accepted.is_empty() {
        HostKeyVerdict::Unknown
    } else if offered.iter().any(|k| accepted.contains(k)) {
        HostKeyVerdict::Known
    } else {
        HostKeyVerdict::Changed
    }
}

/// Parses `ssh-keyscan` output (`host algorithm blob` per line, `#` comments on stderr or
/// stdout) into the keys offered, skipping anything that is not a well-formed key.
pub fn parse_keyscan(output: &str) -> Vec<HostKey> {
    let mut keys: Vec<HostKey> = output
        .lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .filter_map(|line| {
            let mut fields = line.split_whitespace();
            let _host = fields.next()?;
            HostKey::parse(fields.next()?, fields.next()?).ok()
        })
        .collect();
    keys.sort_by(|a, b| key_rank(a).cmp(&key_rank(b)).then(a.blob.cmp(&b.blob)));
    keys.dedup();
    keys
}

/// ED25519 first (what OpenSSH prefers and what people usually compare), then ECDSA, then RSA.
fn key_rank(key: &HostKey) -> u8 {
    match key.kind() {
        "ED25519" => 0,
        "ECDSA" => 1,
        "RSA" => 2,
        _ => 3,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ED: &str = "AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl";
    const ED2: &str = "AAAAC3NzaC1lZDI1NTE5AAAAIHdiffErentKeyForTestsOnlyXXXXXXXXXXXXXXXXXX";
    const RSA: &str = "AAAAB3NzaC1yc2EAAAADAQABAAABAQC7testRsaBlobForUnitTestsOnly000000000";

    fn key(algorithm: &str, blob: &str) -> HostKey {
        HostKey::parse(algorithm, blob).expect("test key")
    }

    #[test]
    fn keyscan_output_gives_the_offered_keys_ed25519_first() {
        let output = format!(
            "# 127.0.0.1:2222 SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u6\n\
             [127.0.0.1]:2222 ssh-rsa {RSA}\n\
             [127.0.0.1]:2222 ssh-ed25519 {ED}\n\
             [127.0.0.1]:2222 ssh-ed25519 {ED}\n"
        );
        let keys = parse_keyscan(&output);
        assert_eq!(keys, vec![key("ssh-ed25519", ED), key("ssh-rsa", RSA)]);
        assert_eq!(keys[0].kind(), "ED25519");
    }

    #[test]
    fn a_key_line_that_could_break_the_file_is_refused() {
        assert!(HostKey::parse("ssh-ed25519", "abc\nevil.example ssh-ed25519 AAAA").is_err());
        assert!(HostKey::parse("ssh ed25519", ED).is_err());
        assert!(HostKey::parse("ssh-ed25519", "short").is_err());
        assert!(parse_keyscan("host ssh-ed25519 not;base64;at;all;xxxxxxxxx\n").is_empty());
    }

    #[test]
    fn accepted_keys_are_found_by_the_name_openssh_gives_the_host() {
        let file = format!(
            "# netdoctor\n\
             [127.0.0.1]:2222 ssh-ed25519 {ED}\n\
             127.0.0.1 ssh-rsa {RSA}\n\
             |1|hashed= ssh-ed25519 {ED2}\n\
             @revoked [127.0.0.1]:2222 ssh-ed25519 {ED2}\n\
             app.example.com,[127.0.0.1]:2222 ssh-rsa {RSA}\n"
        );
        assert_eq!(
            keys_for(&file, "[127.0.0.1]:2222"),
            vec![key("ssh-ed25519", ED), key("ssh-rsa", RSA)]
        );
        assert_eq!(keys_for(&file, "127.0.0.1"), vec![key("ssh-rsa", RSA)]);
        assert!(keys_for(&file, "[127.0.0.1]:2223").is_empty());
    }

    #[test]
    fn offered_keys_are_known_unknown_or_changed() {
        let accepted = [key("ssh-ed25519", ED)];
        assert_eq!(
            judge(&[], &[key("ssh-ed25519", ED)]),
            HostKeyVerdict::Unknown
        );
        assert_eq!(
            judge(&accepted, &[key("ssh-rsa", RSA), key("ssh-ed25519", ED)]),
            HostKeyVerdict::Known
        );
        assert_eq!(
            judge(&accepted, &[key("ssh-ed25519", ED2)]),
            HostKeyVerdict::Changed
        );
        assert_eq!(judge(&accepted, &[]), HostKeyVerdict::Changed);
    }

    #[test]
    fn forgetting_a_host_keeps_every_other_line() {
        let file = format!(
            "# kept\n\
             [127.0.0.1]:2222 ssh-ed25519 {ED}\n\
             other ssh-rsa {RSA}\n\
             app.example.com,[127.0.0.1]:2222 ssh-rsa {RSA}\n"
        );
        let left = without_host(&file, "[127.0.0.1]:2222");
        assert_eq!(
            left,
            format!("# kept\nother ssh-rsa {RSA}\napp.example.com ssh-rsa {RSA}\n")
        );
        assert!(keys_for(&left, "[127.0.0.1]:2222").is_empty());
        assert_eq!(
            line_for("[h]:2", &key("ssh-ed25519", ED)),
            format!("[h]:2 ssh-ed25519 {ED}\n")
        );
    }
}
