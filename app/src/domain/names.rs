//! Container names: the Engine's `/name` form and what a user may type, parsed once.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A container's name as users type it (`docker run --name web`), without the Engine's leading `/`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ContainerName(String);

/// Why a typed container name was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    #[error("a container name cannot be empty")]
    Empty,
    #[error("a container name is at most {max} characters; this one has {len}")]
    TooLong { len: usize, max: usize },
    #[error(
        "`{0}` is not a container name: Docker names start with a letter or digit and contain only letters, digits, `_`, `.` and `-`"
    )]
    Invalid(String),
}

impl ContainerName {
    /// Longest name accepted from users; Docker's own limit is larger, DNS labels are 63.
    pub const MAX_LEN: usize = 253;

    /// Trusted Engine data (`/web` or `web`).
    pub fn from_engine(raw: &str) -> Self {
        Self(raw.strip_prefix('/').unwrap_or(raw).to_owned())
    }

    /// User input: rejects what Docker would reject (`[a-zA-Z0-9][a-zA-Z0-9_.-]+`), so nothing
    /// odd reaches the Engine.
    pub fn parse(input: &str) -> Result<Self, NameError> {
        let name = input.strip_prefix('/').unwrap_or(input);
        if name.is_empty() {
            return Err(NameError::Empty);
        }
        if name.len() > Self::MAX_LEN {
            return Err(NameError::TooLong {
                len: name.len(),
                max: Self::MAX_LEN,
            });
        }
        let mut chars = name.chars();
        let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphanumeric());
        let rest_ok = chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
        if !(first_ok && rest_ok) || name.len() < 2 {
            return Err(NameError::Invalid(name.chars().take(80).collect()));
        }
        Ok(Self(name.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ContainerName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The 12-character short ID that `docker ps` shows.
pub fn short_id(id: &str) -> &str {
    let id = id.strip_prefix("sha256:").unwrap_or(id);
    id.get(..12).unwrap_or(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engine_names_lose_their_leading_slash() {
        assert_eq!(
            ContainerName::from_engine("/coolify-proxy").as_str(),
            "coolify-proxy"
        );
        assert_eq!(ContainerName::from_engine("web").as_str(), "web");
    }

    #[test]
    fn typed_names_that_docker_accepts_parse() {
        for ok in [
            "web",
            "coolify-db",
            "jk8c0wc4ok80s0gkcgwgo4s8-142311873944",
            "a.b_c-d",
            "/web",
        ] {
            assert!(ContainerName::parse(ok).is_ok(), "{ok} should parse");
        }
    }

    #[test]
    fn typed_names_with_shell_or_path_characters_are_refused() {
        for bad in [
            "",
            "a",
            "-web",
            "web;rm -rf /",
            "$(id)",
            "`id`",
            "web\nx",
            "../etc",
            "we b",
            "wéb",
        ] {
            assert!(
                ContainerName::parse(bad).is_err(),
                "{bad:?} should be refused"
            );
        }
    }

    #[test]
    fn very_long_names_are_refused_with_their_length() {
        let long = "a".repeat(300);
        assert_eq!(
            ContainerName::parse(&long),
            Err(NameError::TooLong { len: 300, max: 253 })
        );
    }

    #[test]
    fn short_ids_are_twelve_characters_like_docker_ps() {
        assert_eq!(short_id("53337d3ce3a210bf2468eef30e7f4a9a"), "53337d3ce3a2");
        assert_eq!(short_id("sha256:c4a89755af410945de1b"), "c4a89755af41");
        assert_eq!(short_id("abc"), "abc");
    }
}
