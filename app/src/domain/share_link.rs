//! A shared diagnostic link as the shared-links page lists it, and why a link no longer opens.
//! The store (`crate::store`, server only) keeps them; these types cross the wire, so they live
//! here and compile for the browser too.

use crate::domain::time::utc_text;
use serde::{Deserialize, Serialize};

/// One shared link, without its token (the token is shown once, when the link is made).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShareInfo {
    /// Public handle for listing and revoking: 16 lowercase hex characters from 8 random bytes,
    /// unrelated to the token, so a list of ids opens nothing.
    pub id: String,
    /// What was shared: `wizard`, `graph`, `container`, `connect`, ….
    pub kind: String,
    /// What the sharer saw, in a line.
    pub title: String,
    /// Milliseconds since 1970 (UTC).
    pub created_at_ms: u64,
    /// From this moment on the link answers [`Refused::Expired`].
    pub expires_at_ms: u64,
    /// When someone revoked it; from then on it answers [`Refused::Revoked`].
    pub revoked_at_ms: Option<u64>,
    /// How many times the link was opened successfully.
    pub views: u64,
}

impl ShareInfo {
    /// Why the link does not open at `now_ms`, or `None` when it does. A revoked link says so
    /// even after it would have expired: revoking was the deliberate act.
    pub fn refusal_at(&self, now_ms: u64) -> Option<Refused> {
        match self.revoked_at_ms {
            Some(revoked_at_ms) => Some(Refused::Revoked { revoked_at_ms }),
            None if now_ms >= self.expires_at_ms => Some(Refused::Expired {
                expired_at_ms: self.expires_at_ms,
            }),
            None => None,
        }
    }
}

/// Why a link does not open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum Refused {
    /// Unknown, mistyped, tampered with or purged: one answer for all, so an answer never tells
    /// a guesser how close a guess came.
    #[error("this link does not exist: check that it was copied whole, or ask for a new one")]
    NotFound,
    /// Past its expiry.
    #[error("this link expired on {}; ask for a new one", utc_text(*expired_at_ms))]
    Expired {
        /// When it expired (milliseconds since 1970).
        expired_at_ms: u64,
    },
    /// Revoked by someone with access to netdoctor.
    #[error("this link was revoked on {}; ask for a new one", utc_text(*revoked_at_ms))]
    Revoked {
        /// When it was revoked (milliseconds since 1970).
        revoked_at_ms: u64,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(expires_at_ms: u64, revoked_at_ms: Option<u64>) -> ShareInfo {
        ShareInfo {
            id: "0123456789abcdef".into(),
            kind: "graph".into(),
            title: "web cannot reach db".into(),
            created_at_ms: 1_000,
            expires_at_ms,
            revoked_at_ms,
            views: 0,
        }
    }

    #[test]
    fn a_link_opens_until_the_millisecond_it_expires() {
        let live = info(5_000, None);
        assert_eq!(live.refusal_at(4_999), None);
        assert_eq!(
            live.refusal_at(5_000),
            Some(Refused::Expired {
                expired_at_ms: 5_000
            })
        );
    }

    #[test]
    fn a_revoked_link_reads_as_revoked_even_after_its_expiry() {
        let revoked = info(5_000, Some(2_000));
        for now in [2_000, 9_000] {
            assert_eq!(
                revoked.refusal_at(now),
                Some(Refused::Revoked {
                    revoked_at_ms: 2_000
                })
            );
        }
    }

    #[test]
    fn refusals_tell_the_reader_the_date_and_what_to_do() {
        let expired = Refused::Expired {
            expired_at_ms: 1_764_238_503_123,
        };
        assert_eq!(
            expired.to_string(),
            "this link expired on 2025-11-27 10:15:03 UTC; ask for a new one"
        );
        assert!(Refused::NotFound.to_string().contains("does not exist"));
    }
}
