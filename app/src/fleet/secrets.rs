//! The key or certificates a user pastes for a new server: checked before anything is written
//! (a public key where the private one belongs, a key behind a passphrase, certificates that do
//! not parse or do not go together), never printed, never sent back.

use crate::domain::endpoint::Endpoint;
use crate::domain::servers::file_names;
use base64::Engine as _;
use std::fmt;

/// The most text accepted for one key or certificate chain.
pub const MAX_PEM: usize = 64 * 1024;

/// What a new server needs besides its address.
pub enum NewSecrets {
    /// `unix://` and plain `tcp://` need nothing.
    None,
    /// An OpenSSH or PEM private key for `ssh -i`.
    SshKey(String),
    /// CA, client certificate and client key for a TLS engine.
    Tls {
        ca: String,
        cert: String,
        key: String,
    },
}

impl fmt::Debug for NewSecrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::None => "NewSecrets::None",
            Self::SshKey(_) => "NewSecrets::SshKey(<hidden>)",
            Self::Tls { .. } => "NewSecrets::Tls(<hidden>)",
        })
    }
}

impl NewSecrets {
    /// From the Servers page's form: the key for `ssh://`, the three PEMs for TLS, nothing
    /// else; fields the endpoint does not use must be empty.
    pub fn for_endpoint(
        endpoint: &Endpoint,
        ssh_key: &str,
        ca: &str,
        cert: &str,
        key: &str,
    ) -> Result<Self, String> {
        let given = |s: &str| !s.trim().is_empty();
        match endpoint {
            Endpoint::Ssh(_) => {
                if given(ca) || given(cert) || given(key) {
                    return Err("an ssh:// server takes a private key, not certificates".into());
                }
                if !given(ssh_key) {
                    return Err("paste the private key netdoctor should log in with (its public half must be in ~/.ssh/authorized_keys on the server)".into());
                }
                Ok(Self::SshKey(ssh_key.to_owned()))
            }
            Endpoint::Tls(_) => {
                if given(ssh_key) {
                    return Err(
                        "a TLS engine takes a CA, a client certificate and its key, not an SSH key"
                            .into(),
                    );
                }
                if !(given(ca) && given(cert) && given(key)) {
                    return Err("a TLS engine needs all three: the CA certificate (ca.pem), the client certificate (cert.pem) and its key (key.pem)".into());
                }
                Ok(Self::Tls {
                    ca: ca.to_owned(),
                    cert: cert.to_owned(),
                    key: key.to_owned(),
                })
            }
            Endpoint::Unix(_) | Endpoint::Tcp(_) => {
                if [ssh_key, ca, cert, key].into_iter().any(given) {
                    return Err("unix:// and plain tcp:// engines take no key or certificates (for TLS, write https://host:2376)".into());
                }
                Ok(Self::None)
            }
        }
    }

    /// The files to write (name in the server's directory, contents), each checked.
    pub fn files(&self) -> Result<Vec<(&'static str, String)>, String> {
        match self {
            Self::None => Ok(Vec::new()),
            Self::SshKey(text) => Ok(vec![(file_names::SSH_KEY, ssh_private_key(text)?)]),
            Self::Tls { ca, cert, key } => {
                let (ca, cert, key) = (pem_text(ca)?, pem_text(cert)?, pem_text(key)?);
                crate::engine::transport::check_tls_pem(
                    ca.as_bytes(),
                    cert.as_bytes(),
                    key.as_bytes(),
                )?;
                Ok(vec![
                    (file_names::TLS_CA, ca),
                    (file_names::TLS_CERT, cert),
                    (file_names::TLS_KEY, key),
                ])
            }
        }
    }
}

/// PEM text as files hold it: LF line ends, one final newline, nothing too big or binary.
fn pem_text(text: &str) -> Result<String, String> {
    if text.len() > MAX_PEM {
        return Err(format!(
            "a key or certificate of {} KB is far larger than any real one (at most {} KB)",
            text.len() / 1024,
            MAX_PEM / 1024
        ));
    }
    if text.contains('\0') {
        return Err("the text holds a NUL byte: paste the PEM text, not a binary file".into());
    }
    let mut out = text.replace("\r\n", "\n").trim().to_owned();
    out.push('\n');
    Ok(out)
}

/// A private key `ssh -i` can use without a prompt.
fn ssh_private_key(text: &str) -> Result<String, String> {
    let text = pem_text(text)?;
    let first = text.lines().next().unwrap_or_default();
    if first.starts_with("ssh-") || first.starts_with("ecdsa-") || first.contains("PUBLIC KEY") {
        return Err("this is a public key: paste the private key (the public half belongs in ~/.ssh/authorized_keys on the server)".into());
    }
    if !(first.starts_with("-----BEGIN ") && first.ends_with("PRIVATE KEY-----")) {
        return Err("this is not a private key: it should start with -----BEGIN OPENSSH PRIVATE KEY----- (or another PEM private key)".into());
    }
    if first.contains("ENCRYPTED") || text.contains("Proc-Type: 4,ENCRYPTED") {
        return Err(passphrase_refusal());
    }
    if first == "-----BEGIN OPENSSH PRIVATE KEY-----" && openssh_cipher(&text)? != "none" {
        return Err(passphrase_refusal());
    }
    Ok(text)
}

fn passphrase_refusal() -> String {
    "this key is protected by a passphrase, which netdoctor cannot type: use a key without one (ssh-keygen -p -N '' -f KEYFILE removes it from a copy)".into()
}

/// The cipher an OpenSSH private key is encrypted with (`none` when it is not): the string
/// after the `openssh-key-v1\0` magic.
fn openssh_cipher(text: &str) -> Result<String, String> {
    let body: String = text
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect::<Vec<_>>()
        .concat();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(body.trim())
        .map_err(|_| {
            "the key's body is not base64: was it cut or changed while copying?".to_owned()
        })?;
    const MAGIC: &[u8] = b"openssh-key-v1\0";
    let rest = bytes
        .strip_prefix(MAGIC)
        .ok_or_else(|| "the key does not start like an OpenSSH private key".to_owned())?;
    let len = rest
        .get(..4)
        .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize)
        .ok_or_else(|| "the key is cut short".to_owned())?;
    let cipher = rest
        .get(4..4 + len)
        .ok_or_else(|| "the key is cut short".to_owned())?;
    Ok(String::from_utf8_lossy(cipher).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The start of an OpenSSH private key file (magic, cipher, kdf, kdf options, one key)
    /// with `cipher`, as ssh-keygen writes it; the key material itself is irrelevant here, so
    /// no real key sits in the repository.
    fn openssh_key(cipher: &str) -> String {
        let mut bytes = b"openssh-key-v1\0".to_vec();
        for field in [cipher, if cipher == "none" { "none" } else { "bcrypt" }, ""] {
            bytes.extend_from_slice(&(field.len() as u32).to_be_bytes());
            bytes.extend_from_slice(field.as_bytes());
        }
        bytes.extend_from_slice(&1u32.to_be_bytes());
        bytes.extend_from_slice(&[0x5a; 40]);
        let body = base64::engine::general_purpose::STANDARD.encode(bytes);
        let lines: Vec<&str> = body
            .as_bytes()
            .chunks(70)
            .map(|c| std::str::from_utf8(c).unwrap_or_default())
            .collect();
        format!(
            "-----BEGIN OPENSSH PRIVATE KEY-----\n{}\n-----END OPENSSH PRIVATE KEY-----\n",
            lines.join("\n")
        )
    }

    const PUBLIC: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIApyJUHLYxGhvoFjOFhZAsk/LVeWtHPY3EpAh24KYVFo netdoctor test\n";

    fn ssh() -> Endpoint {
        Endpoint::parse("ssh://root@203.0.113.7").expect("ssh")
    }

    #[test]
    fn a_plain_private_key_is_kept_with_unix_line_ends() {
        let plain = openssh_key("none");
        let pasted = format!("\n{}  ", plain.replace('\n', "\r\n"));
        let secrets = NewSecrets::for_endpoint(&ssh(), &pasted, "", "", "").expect("ssh key");
        let files = secrets.files().expect("valid");
        assert_eq!(files, vec![(file_names::SSH_KEY, plain)]);
    }

    #[test]
    fn a_public_key_or_a_key_behind_a_passphrase_is_refused_with_the_reason() {
        let public = NewSecrets::SshKey(PUBLIC.into())
            .files()
            .expect_err("public");
        assert!(public.contains("public key"), "{public}");
        let protected = NewSecrets::SshKey(openssh_key("aes256-ctr"))
            .files()
            .expect_err("passphrase");
        assert!(protected.contains("passphrase"), "{protected}");
        let garbage = NewSecrets::SshKey("hello".into())
            .files()
            .expect_err("garbage");
        assert!(garbage.contains("not a private key"), "{garbage}");
    }

    #[test]
    fn each_endpoint_takes_only_its_own_secrets() {
        let tls = Endpoint::parse("https://10.0.0.5:2376").expect("tls");
        let plain = Endpoint::parse("tcp://10.0.0.5:2375").expect("tcp");
        assert!(NewSecrets::for_endpoint(&ssh(), "", "", "", "").is_err());
        let key = openssh_key("none");
        assert!(NewSecrets::for_endpoint(&ssh(), &key, "ca", "", "").is_err());
        assert!(NewSecrets::for_endpoint(&tls, "", "ca", "cert", "").is_err());
        assert!(NewSecrets::for_endpoint(&tls, &key, "ca", "cert", "key").is_err());
        assert!(NewSecrets::for_endpoint(&plain, &key, "", "", "").is_err());
        assert!(matches!(
            NewSecrets::for_endpoint(&plain, "", " ", "", ""),
            Ok(NewSecrets::None)
        ));
    }

    #[test]
    fn tls_material_that_does_not_parse_names_the_part() {
        let err = NewSecrets::Tls {
            ca: "not a certificate".into(),
            cert: "x".into(),
            key: "y".into(),
        }
        .files()
        .expect_err("bad");
        assert!(err.starts_with("the CA certificate"), "{err}");
    }

    #[test]
    fn secrets_never_show_in_debug_output() {
        let debug = format!("{:?}", NewSecrets::SshKey(openssh_key("none")));
        assert!(!debug.contains("PRIVATE"), "{debug}");
    }
}
