//! The one dashboard password: Argon2id hashing, the rules for a new one, and its file on disk.

use super::{random_bytes, to_hex, AuthError};
use argon2::password_hash::{PasswordHash, SaltString};
use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use std::fs::{self, File, OpenOptions};
use std::io::{ErrorKind, Read, Write};
use std::path::Path;

/// A new password has at least this many characters.
pub const MIN_PASSWORD_CHARS: usize = 12;
/// A new password has at most this many bytes: Argon2 takes any length, but a login form does not
/// need megabytes.
pub const MAX_PASSWORD_BYTES: usize = 1024;
/// Length of a generated first-start password.
pub const GENERATED_PASSWORD_CHARS: usize = 24;

/// A PHC line is about 100 bytes; anything much larger in the password file is not ours.
const MAX_HASH_FILE_BYTES: u64 = 4096;
const ALPHABET: &[u8; 62] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// Argon2id hash in PHC string form (`$argon2id$v=19$...`), random salt.
///
/// Parameters are argon2's defaults (m=19 MiB, t=2, p=1: OWASP's recommendation); they are
/// written into the string, so `verify_password` keeps working if the defaults change.
pub fn hash_password(password: &str) -> Result<String, AuthError> {
    let salt = SaltString::encode_b64(&random_bytes::<16>()?)
        .map_err(|e| AuthError::Hash(e.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| AuthError::Hash(e.to_string()))
}

/// Constant-time verification; false for a malformed hash or a wrong password (never panics).
pub fn verify_password(phc: &str, password: &str) -> bool {
    match parse_argon2(phc) {
        // argon2 compares the computed and stored outputs in constant time.
        Some(hash) => Argon2::default()
            .verify_password(password.as_bytes(), &hash)
            .is_ok(),
        None => false,
    }
}

/// A random 24-character password from `[A-Za-z0-9]` (rejection sampling, no modulo bias), for
/// first start.
pub fn generate_password() -> Result<String, AuthError> {
    // 248 = 4 × 62: bytes below it map onto the alphabet evenly; the rest are thrown away.
    const LIMIT: u8 = 248;
    let mut out = String::with_capacity(GENERATED_PASSWORD_CHARS);
    while out.len() < GENERATED_PASSWORD_CHARS {
        for b in random_bytes::<32>()? {
            if b < LIMIT && out.len() < GENERATED_PASSWORD_CHARS {
                out.push(char::from(ALPHABET[usize::from(b % 62)]));
            }
        }
    }
    Ok(out)
}

/// Rules for a new password: at least 12 characters, at most 1024 bytes, not all whitespace.
/// The error says which rule.
pub fn check_new_password(password: &str) -> Result<(), AuthError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(AuthError::PasswordTooShort {
            min: MIN_PASSWORD_CHARS,
        });
    }
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(AuthError::PasswordTooLong {
            max: MAX_PASSWORD_BYTES,
        });
    }
    if password.chars().all(char::is_whitespace) {
        return Err(AuthError::PasswordBlank);
    }
    Ok(())
}

/// Reads the stored hash (the file holds one PHC line); `Ok(None)` when the file does not exist;
/// an error naming the path when it exists but is unreadable or does not look like an argon2 PHC
/// string.
pub fn load_hash(path: &Path) -> Result<Option<String>, AuthError> {
    let read_error = |source| AuthError::ReadFile {
        path: path.to_owned(),
        source,
    };
    let not_a_hash = || AuthError::NotAHash {
        path: path.to_owned(),
    };
    let file = match File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(read_error(e)),
    };
    let mut text = String::new();
    match file.take(MAX_HASH_FILE_BYTES + 1).read_to_string(&mut text) {
        Ok(_) => {}
        Err(e) if e.kind() == ErrorKind::InvalidData => return Err(not_a_hash()),
        Err(e) => return Err(read_error(e)),
    }
    let line = text.trim();
    if text.len() as u64 > MAX_HASH_FILE_BYTES || parse_argon2(line).is_none() {
        return Err(not_a_hash());
    }
    Ok(Some(line.to_owned()))
}

/// Writes the hash atomically (temp file in the same directory, then rename), mode 0600 on unix,
/// so a crash leaves either the old hash or the new one, never half a line.
pub fn store_hash(path: &Path, phc: &str) -> Result<(), AuthError> {
    if parse_argon2(phc).is_none() {
        return Err(AuthError::MalformedHash);
    }
    let write_error = |source| AuthError::WriteFile {
        path: path.to_owned(),
        source,
    };
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .ok_or_else(|| write_error(ErrorKind::InvalidInput.into()))?;
    let tmp = dir.join(format!(
        ".{}.tmp-{}",
        name.to_string_lossy(),
        to_hex(&random_bytes::<8>()?)
    ));
    let written = write_new_file(&tmp, phc).and_then(|()| fs::rename(&tmp, path));
    if let Err(e) = written {
        // Best effort: the temp file holds only a hash, and the error below is what matters.
        let _ = fs::remove_file(&tmp);
        return Err(write_error(e));
    }
    sync_dir(dir).map_err(write_error)
}

/// A parsed PHC string, if `phc` is one line naming an Argon2 variant with a salt and an output.
fn parse_argon2(phc: &str) -> Option<PasswordHash<'_>> {
    if phc.contains(char::is_whitespace) {
        return None;
    }
    let hash = PasswordHash::new(phc).ok()?;
    let known = matches!(hash.algorithm.as_str(), "argon2id" | "argon2i" | "argon2d");
    (known && hash.salt.is_some() && hash.hash.is_some()).then_some(hash)
}

/// Creates `path` (which must not exist) readable by the owner only, and flushes it to disk.
fn write_new_file(path: &Path, phc: &str) -> std::io::Result<()> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(format!("{phc}\n").as_bytes())?;
    file.sync_all()
}

/// Makes the rename durable: on unix the directory entry is only on disk once the directory is
/// synced.
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    File::open(dir)?.sync_all()?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    /// A fresh directory under the system temp dir, removed on drop even when a test fails.
    struct TempDir(PathBuf);
    impl TempDir {
        fn new() -> Self {
            let dir = std::env::temp_dir().join(format!(
                "netdoctor-auth-test-{}",
                to_hex(&random_bytes::<8>().unwrap())
            ));
            fs::create_dir(&dir).unwrap();
            Self(dir)
        }
    }
    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    #[test]
    fn a_hashed_password_verifies_and_is_an_argon2id_phc_string() {
        let phc = hash_password("correct horse battery").unwrap();
        assert!(phc.starts_with("$argon2id$v=19$"), "{phc}");
        assert!(verify_password(&phc, "correct horse battery"));
    }

    #[test]
    fn the_same_password_hashes_differently_each_time() {
        assert_ne!(
            hash_password("correct horse battery").unwrap(),
            hash_password("correct horse battery").unwrap()
        );
    }

    #[test]
    fn a_wrong_password_does_not_verify() {
        let phc = hash_password("correct horse battery").unwrap();
        assert!(!verify_password(&phc, "correct horse batterY"));
        assert!(!verify_password(&phc, ""));
    }

    #[test]
    fn a_malformed_hash_verifies_nothing() {
        let phc = hash_password("correct horse battery").unwrap();
        for bad in [
            "",
            "not a hash",
            "$argon2id$",
            "$argon2id$v=19$m=19456,t=2,p=1$",
            &phc[..phc.len() - 10],
            &phc.replace("argon2id", "scrypt"),
            &format!("{phc}\n"),
            "$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW",
        ] {
            assert!(!verify_password(bad, "correct horse battery"), "{bad:?}");
        }
    }

    #[test]
    fn generated_passwords_are_24_alphanumerics_and_differ() {
        let a = generate_password().unwrap();
        let b = generate_password().unwrap();
        for p in [&a, &b] {
            assert_eq!(p.len(), 24, "{p}");
            assert!(p.bytes().all(|c| c.is_ascii_alphanumeric()), "{p}");
        }
        assert_ne!(a, b);
    }

    #[test]
    fn generated_passwords_use_the_whole_alphabet() {
        let seen: std::collections::HashSet<u8> = (0..200)
            .flat_map(|_| generate_password().unwrap().into_bytes())
            .collect();
        // 4800 draws from 62 symbols: missing one has probability ~62·(61/62)^4800 ≈ 0.
        assert_eq!(seen.len(), 62);
    }

    #[test]
    fn a_generated_password_passes_the_new_password_rules() {
        check_new_password(&generate_password().unwrap()).unwrap();
    }

    #[test]
    fn a_new_password_needs_twelve_characters() {
        assert!(matches!(
            check_new_password("elevenchars"),
            Err(AuthError::PasswordTooShort { min: 12 })
        ));
        assert!(matches!(
            check_new_password(""),
            Err(AuthError::PasswordTooShort { .. })
        ));
        check_new_password("twelve chars").unwrap();
        // Characters, not bytes: twelve two-byte letters are enough, six are not.
        check_new_password(&"é".repeat(12)).unwrap();
        assert!(check_new_password(&"é".repeat(6)).is_err());
    }

    #[test]
    fn a_new_password_may_not_exceed_1024_bytes() {
        check_new_password(&"a".repeat(1024)).unwrap();
        let err = check_new_password(&"a".repeat(1025)).unwrap_err();
        assert!(matches!(err, AuthError::PasswordTooLong { max: 1024 }));
        assert!(err.to_string().contains("1024 bytes"), "{err}");
    }

    #[test]
    fn a_new_password_may_not_be_only_whitespace() {
        let err = check_new_password(&" \t\n".repeat(5)).unwrap_err();
        assert!(matches!(err, AuthError::PasswordBlank));
        assert!(err.to_string().contains("whitespace"), "{err}");
        check_new_password("  spaces are fine inside  ").unwrap();
    }

    #[test]
    fn a_stored_hash_loads_back_and_the_file_is_owner_only() {
        let dir = TempDir::new();
        let path = dir.0.join("password");
        let phc = hash_password("correct horse battery").unwrap();
        store_hash(&path, &phc).unwrap();
        assert_eq!(load_hash(&path).unwrap().as_deref(), Some(phc.as_str()));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "{mode:o}");
        }
    }

    #[test]
    fn storing_replaces_the_old_hash_and_leaves_no_temp_file() {
        let dir = TempDir::new();
        let path = dir.0.join("password");
        store_hash(&path, &hash_password("first password!").unwrap()).unwrap();
        let second = hash_password("second password!").unwrap();
        store_hash(&path, &second).unwrap();
        assert_eq!(load_hash(&path).unwrap(), Some(second));
        let names: Vec<_> = fs::read_dir(&dir.0)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("password")]);
    }

    #[test]
    fn storing_something_that_is_not_a_hash_is_refused() {
        let dir = TempDir::new();
        let path = dir.0.join("password");
        assert!(matches!(
            store_hash(&path, "hunter2"),
            Err(AuthError::MalformedHash)
        ));
        assert!(!path.exists());
    }

    #[test]
    fn storing_into_a_missing_directory_names_the_path() {
        let dir = TempDir::new();
        let path = dir.0.join("missing").join("password");
        let phc = hash_password("correct horse battery").unwrap();
        let err = store_hash(&path, &phc).unwrap_err();
        assert!(matches!(err, AuthError::WriteFile { .. }), "{err:?}");
        assert!(err.to_string().contains(&*path.to_string_lossy()), "{err}");
    }

    #[test]
    fn loading_a_missing_file_is_none() {
        let dir = TempDir::new();
        assert_eq!(load_hash(&dir.0.join("password")).unwrap(), None);
    }

    #[test]
    fn loading_garbage_is_an_error_naming_the_path() {
        let dir = TempDir::new();
        let path = dir.0.join("password");
        for garbage in [
            &b"hunter2\n"[..],
            b"",
            b"$argon2id$v=19$m=19456,t=2,p=1$\n",
            b"\xff\xfe not utf-8",
        ] {
            fs::write(&path, garbage).unwrap();
            let err = load_hash(&path).unwrap_err();
            assert!(matches!(err, AuthError::NotAHash { .. }), "{err:?}");
            assert!(err.to_string().contains(&*path.to_string_lossy()), "{err}");
        }
    }

    #[test]
    fn loading_two_hashes_in_one_file_is_an_error() {
        let dir = TempDir::new();
        let path = dir.0.join("password");
        let phc = hash_password("correct horse battery").unwrap();
        fs::write(&path, format!("{phc}\n{phc}\n")).unwrap();
        assert!(matches!(load_hash(&path), Err(AuthError::NotAHash { .. })));
    }

    #[test]
    fn loading_a_directory_is_a_read_error_naming_the_path() {
        let dir = TempDir::new();
        let err = load_hash(&dir.0).unwrap_err();
        assert!(matches!(err, AuthError::ReadFile { .. }), "{err:?}");
        assert!(err.to_string().contains(&*dir.0.to_string_lossy()), "{err}");
    }
}
