//! Server-side login sessions: the cookie carries only a random token, the server keeps the rest.
//!
//! A token is an [`app::token::SplitToken`]: 32 random bytes as 64 lowercase hex characters.
//! The first 16 bytes find the session in the map; the last 16 are compared in constant time,
//! so timing the map lookup reveals at most the lookup half and never enough to forge a token.

use super::AuthError;
use app::token::{constant_time_eq, SplitToken, HALF_BYTES};
use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

/// How long a session lives.
#[derive(Debug, Clone, Copy)]
pub struct SessionPolicy {
    /// A session unused for longer than this ends.
    pub idle: Duration,
    /// A session older than this ends, however active.
    pub absolute: Duration,
}

/// One logged-in browser.
struct Session {
    verifier: [u8; HALF_BYTES],
    created: Instant,
    last_seen: Instant,
}

impl Session {
    fn expired(&self, policy: &SessionPolicy, now: Instant) -> bool {
        now.saturating_duration_since(self.last_seen) > policy.idle
            || now.saturating_duration_since(self.created) > policy.absolute
    }
}

/// The live sessions, shared by every request.
pub struct Sessions {
    policy: SessionPolicy,
    map: Mutex<HashMap<[u8; HALF_BYTES], Session>>,
}

impl Sessions {
    /// No sessions yet.
    pub fn new(policy: SessionPolicy) -> Self {
        Self {
            policy,
            map: Mutex::new(HashMap::new()),
        }
    }

    /// A new session; returns its token: 64 lowercase hex chars from 32 random bytes.
    pub fn create(&self, now: Instant) -> Result<String, AuthError> {
        let token = SplitToken::generate().map_err(AuthError::Random)?;
        let mut map = self.lock();
        // Logins are rare and rate-limited, so sweeping here keeps the map small at no real cost.
        map.retain(|_, s| !s.expired(&self.policy, now));
        map.insert(
            token.lookup,
            Session {
                verifier: token.secret,
                created: now,
                last_seen: now,
            },
        );
        Ok(token.to_hex())
    }

    /// True if the token names a live session (not idle longer than `policy.idle`, not older than
    /// `policy.absolute`); refreshes last-seen; drops expired sessions it meets. Malformed tokens
    /// (wrong length or charset) are false without a lookup.
    pub fn validate(&self, token: &str, now: Instant) -> bool {
        let Some(parsed) = SplitToken::parse(token) else {
            return false;
        };
        let mut map = self.lock();
        let Some(session) = map.get_mut(&parsed.lookup) else {
            return false;
        };
        if !constant_time_eq(&session.verifier, &parsed.secret) {
            return false;
        }
        if session.expired(&self.policy, now) {
            map.remove(&parsed.lookup);
            return false;
        }
        session.last_seen = session.last_seen.max(now);
        true
    }

    /// Ends the session this token names (logout). Unknown or malformed tokens are ignored.
    pub fn revoke(&self, token: &str) {
        let Some(parsed) = SplitToken::parse(token) else {
            return;
        };
        let mut map = self.lock();
        if map
            .get(&parsed.lookup)
            .is_some_and(|s| constant_time_eq(&s.verifier, &parsed.secret))
        {
            map.remove(&parsed.lookup);
        }
    }

    /// After a password change: every session but this one ends. A malformed `keep` ends all.
    pub fn revoke_all_except(&self, keep: &str) {
        let keep = SplitToken::parse(keep);
        self.lock().retain(|id, s| {
            keep.as_ref()
                .is_some_and(|k| *id == k.lookup && constant_time_eq(&s.verifier, &k.secret))
        });
    }

    /// How many sessions are stored (expired ones included until something sweeps them).
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// True when no session is stored.
    pub fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }

    /// The map, even if a thread panicked while holding it: every update leaves it consistent.
    fn lock(&self) -> MutexGuard<'_, HashMap<[u8; HALF_BYTES], Session>> {
        self.map.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::token::{random_bytes, to_hex};

    const MIN: Duration = Duration::from_secs(60);

    fn sessions() -> Sessions {
        Sessions::new(SessionPolicy {
            idle: 30 * MIN,
            absolute: 12 * 60 * MIN,
        })
    }

    #[test]
    fn a_created_session_validates() {
        let s = sessions();
        let t0 = Instant::now();
        let token = s.create(t0).unwrap();
        assert!(s.validate(&token, t0));
        assert!(s.validate(&token, t0 + MIN));
        assert_eq!(s.len(), 1);
    }

    #[test]
    fn an_unknown_token_does_not_validate() {
        let s = sessions();
        let t0 = Instant::now();
        let token = s.create(t0).unwrap();
        let other = to_hex(&random_bytes::<32>().unwrap());
        assert!(!s.validate(&other, t0));
        // Same lookup half, different secret half: still refused, and the real session survives.
        let forged = format!("{}{}", &token[..32], "0".repeat(32));
        assert!(!s.validate(&forged, t0));
        assert!(s.validate(&token, t0));
    }

    #[test]
    fn a_session_idle_longer_than_the_policy_expires_and_is_dropped() {
        let s = sessions();
        let t0 = Instant::now();
        let token = s.create(t0).unwrap();
        assert!(s.validate(&token, t0 + 30 * MIN));
        assert!(!s.validate(&token, t0 + 60 * MIN + Duration::from_secs(1)));
        assert!(s.is_empty());
        // Gone for good, even if asked about at an earlier time.
        assert!(!s.validate(&token, t0));
    }

    #[test]
    fn using_a_session_keeps_it_from_idling_out() {
        let s = sessions();
        let t0 = Instant::now();
        let token = s.create(t0).unwrap();
        for step in 1..=10 {
            assert!(s.validate(&token, t0 + step * 20 * MIN), "step {step}");
        }
    }

    #[test]
    fn a_session_expires_at_the_absolute_limit_even_when_active() {
        let s = sessions();
        let t0 = Instant::now();
        let token = s.create(t0).unwrap();
        let mut now = t0;
        while now < t0 + 12 * 60 * MIN {
            assert!(s.validate(&token, now));
            now += 10 * MIN;
        }
        assert!(s.validate(&token, t0 + 12 * 60 * MIN));
        assert!(!s.validate(&token, t0 + 12 * 60 * MIN + Duration::from_secs(1)));
        assert!(s.is_empty());
    }

    #[test]
    fn creating_a_session_sweeps_expired_ones() {
        let s = sessions();
        let t0 = Instant::now();
        s.create(t0).unwrap();
        s.create(t0).unwrap();
        s.create(t0 + 31 * MIN).unwrap();
        assert_eq!(s.len(), 1);
    }

    #[test]
    fn a_revoked_session_no_longer_validates() {
        let s = sessions();
        let t0 = Instant::now();
        let a = s.create(t0).unwrap();
        let b = s.create(t0).unwrap();
        s.revoke(&a);
        assert!(!s.validate(&a, t0));
        assert!(s.validate(&b, t0));
        s.revoke("not a token");
        assert_eq!(s.len(), 1);
    }

    #[test]
    fn a_forged_token_cannot_revoke_a_session() {
        let s = sessions();
        let t0 = Instant::now();
        let token = s.create(t0).unwrap();
        s.revoke(&format!("{}{}", &token[..32], "f".repeat(32)));
        assert!(s.validate(&token, t0));
    }

    #[test]
    fn revoke_all_except_keeps_only_the_current_session() {
        let s = sessions();
        let t0 = Instant::now();
        let keep = s.create(t0).unwrap();
        let others: Vec<_> = (0..5).map(|_| s.create(t0).unwrap()).collect();
        s.revoke_all_except(&keep);
        assert!(s.validate(&keep, t0));
        assert!(others.iter().all(|t| !s.validate(t, t0)));
        assert_eq!(s.len(), 1);
    }

    #[test]
    fn revoke_all_except_a_malformed_token_ends_every_session() {
        let s = sessions();
        let t0 = Instant::now();
        let a = s.create(t0).unwrap();
        s.revoke_all_except("");
        assert!(!s.validate(&a, t0));
        assert!(s.is_empty());
    }

    #[test]
    fn malformed_tokens_are_rejected() {
        let s = sessions();
        let t0 = Instant::now();
        let token = s.create(t0).unwrap();
        let upper = token.to_uppercase();
        let short = &token[..63];
        let long = format!("{token}0");
        let spaced = format!(" {}", &token[1..]);
        let non_hex = format!("{}g", &token[..63]);
        let multibyte = format!("{}é", &token[..62]);
        for bad in ["", short, &long, &spaced, &non_hex, &multibyte] {
            assert!(!s.validate(bad, t0), "{bad:?}");
        }
        if upper != token {
            assert!(!s.validate(&upper, t0));
        }
        assert!(s.validate(&token, t0));
    }

    #[test]
    fn tokens_are_64_lowercase_hex_and_unique() {
        let s = sessions();
        let t0 = Instant::now();
        let tokens: std::collections::HashSet<String> =
            (0..100).map(|_| s.create(t0).unwrap()).collect();
        assert_eq!(tokens.len(), 100);
        for t in &tokens {
            assert_eq!(t.len(), 64);
            assert!(
                t.bytes().all(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f')),
                "{t}"
            );
        }
    }

    #[test]
    fn a_poisoned_lock_does_not_take_sessions_down() {
        let s = std::sync::Arc::new(sessions());
        let t0 = Instant::now();
        let token = s.create(t0).unwrap();
        let s2 = std::sync::Arc::clone(&s);
        let _ = std::thread::spawn(move || {
            let _guard = s2.map.lock().unwrap();
            panic!("poison the mutex");
        })
        .join();
        assert!(s.map.is_poisoned());
        assert!(s.validate(&token, t0));
    }
}
