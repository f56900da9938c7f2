//! Login attempts per client, so the password cannot be guessed at network speed.
//!
//! A client is an IPv4 address, or an IPv6 /64: one host usually holds a whole /64, so counting
//! single IPv6 addresses would give an attacker 2^64 fresh budgets.

use std::collections::{HashMap, VecDeque};
use std::net::{IpAddr, Ipv6Addr};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

/// How many clients are remembered at most; beyond it the one whose last failure is oldest goes.
const MAX_CLIENTS: usize = 10_000;

/// Failed logins per client in a sliding window.
pub struct LoginLimiter {
    max_failures: usize,
    window: Duration,
    max_clients: usize,
    /// Per client, the times of its recent failures, oldest first; never more than `max_failures`.
    clients: Mutex<HashMap<IpAddr, VecDeque<Instant>>>,
}

impl LoginLimiter {
    /// Allows `max_failures` failed logins per client within any `window`; `0` is taken as `1`.
    pub fn new(max_failures: u32, window: Duration) -> Self {
        Self::with_max_clients(max_failures, window, MAX_CLIENTS)
    }

    fn with_max_clients(max_failures: u32, window: Duration, max_clients: usize) -> Self {
        Self {
            max_failures: usize::try_from(max_failures.max(1)).unwrap_or(usize::MAX),
            window,
            max_clients: max_clients.max(1),
            clients: Mutex::new(HashMap::new()),
        }
    }

    /// `Err(retry_after)` when the client already failed `max_failures` times within the window.
    pub fn check(&self, ip: IpAddr, now: Instant) -> Result<(), Duration> {
        let key = client_key(ip);
        let mut clients = self.lock();
        let Some(failures) = clients.get_mut(&key) else {
            return Ok(());
        };
        self.prune(failures, now);
        match failures.front() {
            None => {
                clients.remove(&key);
                Ok(())
            }
            Some(&oldest) if failures.len() >= self.max_failures => {
                // The refusal lifts when the oldest counted failure leaves the window.
                Err(self
                    .window
                    .saturating_sub(now.saturating_duration_since(oldest)))
            }
            Some(_) => Ok(()),
        }
    }

    /// Checks and counts one attempt in a single step, before the password is verified: a burst
    /// of parallel attempts cannot all pass the check before any of them is counted. A success
    /// then clears the count ([`Self::record_success`]).
    pub fn begin(&self, ip: IpAddr, now: Instant) -> Result<(), Duration> {
        let key = client_key(ip);
        let mut clients = self.lock();
        if !clients.contains_key(&key) && clients.len() >= self.max_clients {
            self.make_room(&mut clients, now);
        }
        let failures = clients.entry(key).or_default();
        self.prune(failures, now);
        if let Some(&oldest) = failures.front() {
            if failures.len() >= self.max_failures {
                return Err(self
                    .window
                    .saturating_sub(now.saturating_duration_since(oldest)));
            }
        }
        failures.push_back(now);
        Ok(())
    }

    /// Counts a failed login for this client.
    pub fn record_failure(&self, ip: IpAddr, now: Instant) {
        let key = client_key(ip);
        let mut clients = self.lock();
        if !clients.contains_key(&key) && clients.len() >= self.max_clients {
            self.make_room(&mut clients, now);
        }
        let failures = clients.entry(key).or_default();
        self.prune(failures, now);
        failures.push_back(now);
        while failures.len() > self.max_failures {
            failures.pop_front();
        }
    }

    /// A successful login clears the client's failures.
    pub fn record_success(&self, ip: IpAddr) {
        self.lock().remove(&client_key(ip));
    }

    /// Drops failures that have left the window.
    fn prune(&self, failures: &mut VecDeque<Instant>, now: Instant) {
        while failures
            .front()
            .is_some_and(|&t| now.saturating_duration_since(t) >= self.window)
        {
            failures.pop_front();
        }
    }

    /// Frees one slot: first forget clients whose failures have all expired, then, if the map is
    /// still full, the client whose last failure is oldest.
    fn make_room(&self, clients: &mut HashMap<IpAddr, VecDeque<Instant>>, now: Instant) {
        clients.retain(|_, failures| {
            self.prune(failures, now);
            !failures.is_empty()
        });
        if clients.len() < self.max_clients {
            return;
        }
        let oldest = clients
            .iter()
            .min_by_key(|(_, failures)| failures.back().copied())
            .map(|(ip, _)| *ip);
        if let Some(ip) = oldest {
            clients.remove(&ip);
        }
    }

    /// The map, even if a thread panicked while holding it: every update leaves it consistent.
    fn lock(&self) -> MutexGuard<'_, HashMap<IpAddr, VecDeque<Instant>>> {
        self.clients.lock().unwrap_or_else(PoisonError::into_inner)
    }

    #[cfg(test)]
    fn clients(&self) -> usize {
        self.lock().len()
    }
}

/// The unit a budget belongs to: IPv4 addresses (also when IPv4-mapped), IPv6 /64 networks.
fn client_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
    }
}

/// Failed attempts from every client together: behind a reverse proxy every client has the
/// proxy's address, and an attacker with many addresses has many per-client budgets; this
/// bounds the guessing rate of all of them at once.
pub struct GlobalLimiter {
    max_failures: usize,
    window: Duration,
    failures: Mutex<VecDeque<Instant>>,
}

impl GlobalLimiter {
    pub fn new(max_failures: u32, window: Duration) -> Self {
        Self {
            max_failures: usize::try_from(max_failures.max(1)).unwrap_or(usize::MAX),
            window,
            failures: Mutex::new(VecDeque::new()),
        }
    }

    /// Like [`LoginLimiter::begin`], for everyone: counts the attempt, or says when the next
    /// one is allowed.
    pub fn begin(&self, now: Instant) -> Result<(), Duration> {
        let mut failures = self.lock();
        while failures
            .front()
            .is_some_and(|&t| now.saturating_duration_since(t) >= self.window)
        {
            failures.pop_front();
        }
        if failures.len() >= self.max_failures {
            let oldest = failures.front().copied().unwrap_or(now);
            return Err(self
                .window
                .saturating_sub(now.saturating_duration_since(oldest)));
        }
        failures.push_back(now);
        Ok(())
    }

    /// The attempt counted by `begin` turned out right: it was no failure.
    pub fn forgive(&self) {
        self.lock().pop_back();
    }

    /// Failures within the window now.
    pub fn recent(&self, now: Instant) -> usize {
        self.lock()
            .iter()
            .filter(|&&t| now.saturating_duration_since(t) < self.window)
            .count()
    }

    fn lock(&self) -> MutexGuard<'_, VecDeque<Instant>> {
        self.failures.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    const WINDOW: Duration = Duration::from_secs(15 * 60);
    const SEC: Duration = Duration::from_secs(1);

    fn ip(last: u8) -> IpAddr {
        IpAddr::V4(Ipv4Addr::new(192, 0, 2, last))
    }

    #[test]
    fn five_failures_then_refusal_with_a_retry_after_within_the_window() {
        let limiter = LoginLimiter::new(5, WINDOW);
        let t0 = Instant::now();
        for i in 0..5 {
            assert_eq!(limiter.check(ip(1), t0 + i * SEC), Ok(()), "attempt {i}");
            limiter.record_failure(ip(1), t0 + i * SEC);
        }
        let retry = limiter.check(ip(1), t0 + 10 * SEC).unwrap_err();
        assert!(retry <= WINDOW, "{retry:?}");
        // The first failure (t0) leaves the window at t0 + WINDOW.
        assert_eq!(retry, WINDOW - 10 * SEC);
    }

    #[test]
    fn the_window_slides() {
        let limiter = LoginLimiter::new(5, WINDOW);
        let t0 = Instant::now();
        for i in 0..5 {
            limiter.record_failure(ip(1), t0 + i * 60 * SEC);
        }
        assert!(limiter.check(ip(1), t0 + WINDOW - SEC).is_err());
        // The first failure has left the window: one more try is allowed…
        assert_eq!(limiter.check(ip(1), t0 + WINDOW), Ok(()));
        limiter.record_failure(ip(1), t0 + WINDOW);
        // …and failing it refuses again until the second failure leaves.
        let retry = limiter.check(ip(1), t0 + WINDOW).unwrap_err();
        assert_eq!(retry, 60 * SEC);
        assert_eq!(limiter.check(ip(1), t0 + WINDOW + 60 * SEC), Ok(()));
    }

    #[test]
    fn a_success_resets_the_count() {
        let limiter = LoginLimiter::new(5, WINDOW);
        let t0 = Instant::now();
        for _ in 0..4 {
            limiter.record_failure(ip(1), t0);
        }
        limiter.record_success(ip(1));
        for _ in 0..4 {
            limiter.record_failure(ip(1), t0);
        }
        assert_eq!(limiter.check(ip(1), t0), Ok(()));
    }

    #[test]
    fn different_ips_are_independent() {
        let limiter = LoginLimiter::new(5, WINDOW);
        let t0 = Instant::now();
        for _ in 0..5 {
            limiter.record_failure(ip(1), t0);
        }
        assert!(limiter.check(ip(1), t0).is_err());
        assert_eq!(limiter.check(ip(2), t0), Ok(()));
    }

    #[test]
    fn ipv6_addresses_in_one_64_share_a_budget() {
        let limiter = LoginLimiter::new(2, WINDOW);
        let t0 = Instant::now();
        let a: IpAddr = "2001:db8:1:2::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:ffff::9".parse().unwrap();
        let other_net: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        limiter.record_failure(a, t0);
        limiter.record_failure(b, t0);
        assert!(limiter.check(a, t0).is_err());
        assert_eq!(limiter.check(other_net, t0), Ok(()));
    }

    #[test]
    fn an_ipv4_mapped_address_counts_as_the_ipv4_address() {
        let limiter = LoginLimiter::new(1, WINDOW);
        let t0 = Instant::now();
        limiter.record_failure("::ffff:192.0.2.1".parse().unwrap(), t0);
        assert!(limiter.check(ip(1), t0).is_err());
    }

    #[test]
    fn memory_is_capped_by_dropping_the_oldest_seen_client() {
        let limiter = LoginLimiter::with_max_clients(5, WINDOW, 3);
        let t0 = Instant::now();
        for (i, last) in (1..=3).enumerate() {
            for _ in 0..5 {
                limiter.record_failure(ip(last), t0 + u32::try_from(i).unwrap() * SEC);
            }
        }
        assert_eq!(limiter.clients(), 3);
        limiter.record_failure(ip(4), t0 + 3 * SEC);
        assert_eq!(limiter.clients(), 3);
        // ip(1) was seen longest ago and is forgotten; the others are still refused.
        assert_eq!(limiter.check(ip(1), t0 + 3 * SEC), Ok(()));
        assert!(limiter.check(ip(2), t0 + 3 * SEC).is_err());
        assert!(limiter.check(ip(3), t0 + 3 * SEC).is_err());
    }

    #[test]
    fn expired_clients_are_forgotten_before_anyone_is_evicted() {
        let limiter = LoginLimiter::with_max_clients(5, WINDOW, 2);
        let t0 = Instant::now();
        limiter.record_failure(ip(1), t0);
        for _ in 0..5 {
            limiter.record_failure(ip(2), t0 + WINDOW);
        }
        limiter.record_failure(ip(3), t0 + WINDOW + SEC);
        assert_eq!(limiter.clients(), 2);
        assert!(limiter.check(ip(2), t0 + WINDOW + SEC).is_err());
    }

    #[test]
    fn a_client_never_keeps_more_than_max_failures_entries() {
        let limiter = LoginLimiter::new(5, WINDOW);
        let t0 = Instant::now();
        for i in 0..1000 {
            limiter.record_failure(ip(1), t0 + i * Duration::from_millis(1));
        }
        assert_eq!(limiter.lock().get(&ip(1)).map(VecDeque::len), Some(5));
    }

    #[test]
    fn begin_counts_the_attempt_before_it_is_judged_so_a_burst_gets_only_the_budget() {
        let limiter = LoginLimiter::new(5, WINDOW);
        let t0 = Instant::now();
        let passed = (0..60).filter(|_| limiter.begin(ip(1), t0).is_ok()).count();
        assert_eq!(passed, 5);
        limiter.record_success(ip(1));
        assert_eq!(limiter.begin(ip(1), t0), Ok(()));
    }

    #[test]
    fn the_global_cap_refuses_every_client_once_reached_and_forgives_successes() {
        let global = GlobalLimiter::new(3, WINDOW);
        let t0 = Instant::now();
        for _ in 0..3 {
            assert_eq!(global.begin(t0), Ok(()));
        }
        assert_eq!(global.begin(t0 + SEC), Err(WINDOW - SEC));
        assert_eq!(global.recent(t0 + SEC), 3);
        global.forgive();
        assert_eq!(global.begin(t0 + SEC), Ok(()));
        assert_eq!(global.begin(t0 + WINDOW), Ok(()), "the window slides");
    }

    #[test]
    fn check_forgets_a_client_whose_failures_expired() {
        let limiter = LoginLimiter::new(5, WINDOW);
        let t0 = Instant::now();
        limiter.record_failure(ip(1), t0);
        assert_eq!(limiter.check(ip(1), t0 + WINDOW), Ok(()));
        assert_eq!(limiter.clients(), 0);
    }
}
