//! What was read from the proxy itself (its admin API, its API, its files) and the topology's
//! note on where its routes came from. Turning what the proxy dials into containers needs the
//! topology: `domain::loaded_routes`.

use super::{ProxyKind, Route, RouteProvider};
use serde::{Deserialize, Serialize};

/// How the loaded routes were read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LoadedVia {
    /// `GET http://localhost:2019/config/` inside the proxy's network namespace.
    CaddyAdminApi,
    /// The `autosave.json` Caddy writes whenever it loads a config (read from the container's
    /// file system, no exec).
    CaddyAutosave,
    /// `GET http://localhost:8080/api/rawdata` inside the proxy's network namespace.
    TraefikApi,
    /// The file provider's files (read from the container's file system) plus the labels:
    /// what Traefik was told, not what it accepted.
    TraefikFiles,
}

impl LoadedVia {
    /// "Caddy's admin API", for "routes read from …".
    pub fn describe(self) -> &'static str {
        match self {
            Self::CaddyAdminApi => "Caddy's admin API (/config/)",
            Self::CaddyAutosave => "Caddy's saved config (autosave.json)",
            Self::TraefikApi => "Traefik's API (/api/rawdata)",
            Self::TraefikFiles => "Traefik's dynamic files and the labels",
        }
    }

    pub fn kind(self) -> ProxyKind {
        match self {
            Self::CaddyAdminApi | Self::CaddyAutosave => ProxyKind::Caddy,
            Self::TraefikApi | Self::TraefikFiles => ProxyKind::Traefik,
        }
    }

    /// Whether the proxy itself said which routes it accepted (its API), rather than what it
    /// was given (files).
    pub fn is_runtime_view(self) -> bool {
        matches!(
            self,
            Self::CaddyAdminApi | Self::CaddyAutosave | Self::TraefikApi
        )
    }
}

/// What was read from the proxy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoadedRoutes {
    pub via: LoadedVia,
    /// Routes as the proxy names them; `containers` still empty.
    pub routes: Vec<Route>,
    /// Caveats on what was read (a file that did not parse, an answer cut at the cap).
    pub notes: Vec<String>,
}

/// Where the topology's routes came from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum RouteSource {
    /// Container labels only: what the routes should be.
    #[default]
    Labels,
    /// Read from the proxy.
    Loaded(LoadedVia),
}

/// The topology's note on its routes: their source, when they were read, and why the labels
/// are used when the proxy could not be read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RouteTable {
    pub source: RouteSource,
    /// When the proxy was last asked (Unix ms), whatever the answer.
    pub read_at_ms: Option<u64>,
    /// Why the labels are used, or caveats on the loaded table.
    pub notes: Vec<String>,
}

impl RouteTable {
    /// "routes loaded from Caddy's admin API" / "routes from the containers' labels".
    pub fn describe(&self) -> String {
        match self.source {
            RouteSource::Loaded(via) => format!("routes loaded from {}", via.describe()),
            RouteSource::Labels => "routes from the containers' labels".into(),
        }
    }

    pub fn is_loaded(&self) -> bool {
        matches!(self.source, RouteSource::Loaded(_))
    }
}
/// The host part of an upstream (`http://app:3000/x`, `10.0.1.9:3001`, `[fd00::2]:80`).
pub fn upstream_host(upstream: &str) -> Option<String> {
    let rest = upstream.split_once("://").map_or(upstream, |(_, r)| r);
    let authority = rest.split('/').next().unwrap_or_default();
    let authority = authority.rsplit('@').next().unwrap_or_default();
    let host = if let Some(inner) = authority.strip_prefix('[') {
        inner.split(']').next().unwrap_or_default()
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) if p.bytes().all(|b| b.is_ascii_digit()) => h,
            _ => authority,
        }
    };
    let host = host.trim().to_ascii_lowercase();
    let plausible = !host.is_empty()
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._:".contains(&b));
    plausible.then_some(host)
}
/// A short, single-line start of an answer, for error messages.
pub fn excerpt(text: &str) -> String {
    let flat: String = text
        .trim()
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(120)
        .collect();
    if flat.is_empty() {
        "(nothing)".into()
    } else if text.trim().chars().count() > 120 {
        format!("{flat}…")
    } else {
        flat
    }
}
/// A loaded route and a label route are the same route: Traefik by router name, Caddy by its
/// set of hosts.
pub fn same_route(label: &Route, loaded: &Route) -> bool {
    if label.kind != loaded.kind {
        return false;
    }
    match loaded.kind {
        ProxyKind::Caddy => {
            let set = |r: &Route| {
                let mut h: Vec<String> = r.hosts.iter().map(|h| h.to_ascii_lowercase()).collect();
                h.sort();
                h.dedup();
                h
            };
            !label.hosts.is_empty() && set(label) == set(loaded)
        }
        _ => loaded.provider == RouteProvider::Labels && label.id == loaded.id,
    }
}
#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    #[test]
    fn excerpts_are_one_short_line() {
        assert_eq!(excerpt("  \n"), "(nothing)");
        assert_eq!(excerpt("a\nb"), "a b");
        let long = "é".repeat(500);
        assert_eq!(excerpt(&long).chars().count(), 121);
    }
}
