//! What went wrong when `ssh … docker system dial-stdio` ended before the engine answered, read
//! from the words OpenSSH and the remote docker CLI print on stderr (captured from the real
//! tools: `fixtures/`), sorted into what the user can act on.

use crate::domain::problem::UnreachableKind;

/// The most of ssh's stderr kept as the problem's detail.
pub const MAX_DETAIL: usize = 600;

/// The kind of failure and the lines that say so (the warning banner's `@@@` lines dropped).
pub fn classify(stderr: &str) -> (UnreachableKind, String) {
    let lower = stderr.to_ascii_lowercase();
    let has = |needle: &str| lower.contains(needle);
    let kind = if has("remote host identification has changed")
        || (has("host key for") && has("has changed"))
    {
        UnreachableKind::SshHostKeyChanged
    } else if has("host key verification failed") {
        // With StrictHostKeyChecking=yes and no key on file.
        UnreachableKind::SshHostKeyUnknown
    } else if has("are too open")
        || has("bad permissions")
        || has("invalid format")
        || has("not accessible")
        || has("passphrase")
        || has("error in libcrypto")
    {
        UnreachableKind::Credentials
    } else if has("permission denied (publickey") || has("too many authentication failures") {
        UnreachableKind::SshAuthFailed
    } else if has("could not resolve hostname")
        || has("connection refused") && has("ssh: connect to host")
        || has("no route to host")
        || has("network is unreachable")
        || has("kex_exchange_identification")
        || has("connection closed by")
        || has("connection reset by")
    {
        UnreachableKind::SshConnectFailed
    } else if has("connection timed out") || has("operation timed out") {
        UnreachableKind::Timeout
    } else if has("docker: command not found")
        || has("docker: not found")
        || has("unknown command: docker system dial-stdio")
    {
        UnreachableKind::RemoteNoDocker
    } else if has("permission denied") && has("docker") {
        UnreachableKind::PermissionDenied
    } else if has("cannot connect to the docker daemon")
        || has("connect: no such file or directory")
        || has("connect: connection refused")
        || has("is the docker daemon running")
    {
        UnreachableKind::EngineStopped
    } else {
        UnreachableKind::Other
    };
    (kind, detail(stderr, kind))
}

/// The lines worth showing: no banner, no blank lines; for a changed key, the fingerprint the
/// server now offers first.
fn detail(stderr: &str, kind: UnreachableKind) -> String {
    let lines: Vec<&str> = stderr
        .lines()
        .map(str::trim)
        // The banner's lines start and end with `@`.
        .filter(|l| !(l.is_empty() || is_banner(l)))
        .collect();
    let mut text = lines.join(" ");
    if kind == UnreachableKind::SshHostKeyChanged {
        if let Some(offered) = offered_fingerprint(&lines) {
            text = format!("The server now offers {offered}. {text}");
        }
    }
    if text.len() > MAX_DETAIL {
        let mut cut = MAX_DETAIL;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
        text.push('…');
    }
    text
}

fn is_banner(line: &str) -> bool {
    line.starts_with('@') && line.ends_with('@')
}

/// `ED25519 key SHA256:…` from "The fingerprint for the ED25519 key sent by the remote host
/// is\nSHA256:….".
fn offered_fingerprint(lines: &[&str]) -> Option<String> {
    let at = lines
        .iter()
        .position(|l| l.starts_with("The fingerprint for the "))?;
    let kind = lines[at]
        .strip_prefix("The fingerprint for the ")?
        .split_whitespace()
        .next()?;
    let fingerprint = lines
        .get(at + 1)?
        .split_whitespace()
        .next()?
        .trim_end_matches('.');
    fingerprint
        .starts_with("SHA256:")
        .then(|| format!("{kind} key {fingerprint}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> &'static str {
        match name {
            "refused" => include_str!("fixtures/ssh-connection-refused.txt"),
            "unknown" => include_str!("fixtures/ssh-host-key-unknown.txt"),
            "changed" => include_str!("fixtures/ssh-host-key-changed.txt"),
            "auth" => include_str!("fixtures/ssh-permission-denied.txt"),
            "perms" => include_str!("fixtures/ssh-key-too-open.txt"),
            "resolve" => include_str!("fixtures/ssh-could-not-resolve.txt"),
            "no-docker" => include_str!("fixtures/ssh-remote-no-docker.txt"),
            "daemon-down" => include_str!("fixtures/ssh-remote-daemon-down.txt"),
            _ => unreachable!(),
        }
    }

    #[test]
    fn openssh_failures_become_what_the_user_can_act_on() {
        for (name, kind) in [
            ("refused", UnreachableKind::SshConnectFailed),
            ("resolve", UnreachableKind::SshConnectFailed),
            ("unknown", UnreachableKind::SshHostKeyUnknown),
            ("changed", UnreachableKind::SshHostKeyChanged),
            ("auth", UnreachableKind::SshAuthFailed),
            ("perms", UnreachableKind::Credentials),
            ("no-docker", UnreachableKind::RemoteNoDocker),
            ("daemon-down", UnreachableKind::EngineStopped),
        ] {
            assert_eq!(classify(fixture(name)).0, kind, "{name}");
        }
    }

    #[test]
    fn a_changed_host_key_names_the_fingerprint_the_server_now_offers() {
        let (kind, detail) = classify(fixture("changed"));
        assert_eq!(kind, UnreachableKind::SshHostKeyChanged);
        assert!(
            detail.starts_with("The server now offers ED25519 key SHA256:"),
            "{detail}"
        );
        assert!(!detail.contains("@@@"), "{detail}");
    }

    #[test]
    fn the_detail_is_capped() {
        let long = "x".repeat(5000);
        let (kind, detail) = classify(&long);
        assert_eq!(kind, UnreachableKind::Other);
        assert!(detail.len() <= MAX_DETAIL + '…'.len_utf8());
    }
}
