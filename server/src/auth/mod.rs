//! The login's security primitives: password hashes, sessions, rate limits, origin checks and headers.
//!
//! Pure logic plus small file IO; the axum layer that uses them lives elsewhere, so every rule
//! here is unit-tested without a server.

pub mod origin;
pub mod password;
pub mod path;
pub mod rate_limit;
pub mod sessions;

use app::token::to_hex;
use std::path::PathBuf;

/// Why an authentication step failed. Messages never contain passwords, hashes or tokens.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// The operating system's random source failed; nothing secret can be made without it.
    #[error("the operating system could not supply random bytes: {0}")]
    Random(getrandom::Error),
    /// Argon2 refused to hash (it should not for sane input; the detail comes from argon2).
    #[error("cannot hash the password: {0}")]
    Hash(String),
    /// A new password shorter than the minimum, counted in characters.
    #[error("the new password is too short: use at least {min} characters")]
    PasswordTooShort {
        /// The minimum number of characters.
        min: usize,
    },
    /// A new password longer than the maximum, counted in bytes.
    #[error("the new password is too long: use at most {max} bytes")]
    PasswordTooLong {
        /// The maximum number of bytes.
        max: usize,
    },
    /// A new password made only of whitespace.
    #[error("the new password is only whitespace")]
    PasswordBlank,
    /// The password file exists but could not be read.
    #[error("cannot read the password file {}: {source}", path.display())]
    ReadFile {
        /// The file.
        path: PathBuf,
        /// What the OS said.
        #[source]
        source: std::io::Error,
    },
    /// The password file could not be written.
    #[error("cannot write the password file {}: {source}", path.display())]
    WriteFile {
        /// The file (or its directory, when the temp file could not be made).
        path: PathBuf,
        /// What the OS said.
        #[source]
        source: std::io::Error,
    },
    /// The password file holds something other than one argon2 PHC line.
    #[error(
        "the password file {} does not hold an argon2 hash (one line like $argon2id$v=19$...); \
         delete it to have a new password generated",
        path.display()
    )]
    NotAHash {
        /// The file.
        path: PathBuf,
    },
    /// `store_hash` was given something that is not an argon2 PHC string.
    #[error("refusing to store a value that is not an argon2 PHC string")]
    MalformedHash,
}

/// `N` bytes from the OS random source.
fn random_bytes<const N: usize>() -> Result<[u8; N], AuthError> {
    app::token::random_bytes::<N>().map_err(AuthError::Random)
}
