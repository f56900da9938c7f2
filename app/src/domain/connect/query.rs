//! The builder's choices in the URL (`/connect?v=1&from=web&to=db&port=5432`), so a built
//! connection string is a link. Versioned like the graph's query; parsed once, strictly.

use crate::domain::names::ContainerName;
use crate::domain::url::encode_query;
use serde::{Deserialize, Serialize};

pub use crate::domain::reachability::{Source, HOST_PARAM};

/// What the user picked. Every part is optional, because the page shows partial choices.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectQuery {
    pub from: Option<Source>,
    pub to: Option<ContainerName>,
    /// The container (internal) port; a published host port is corrected by the builder.
    pub port: Option<u16>,
}

/// A URL parameter that was present but could not be used; the rest of the query still is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum QueryError {
    #[error("the source in this link is not usable: {0}")]
    BadSource(String),
    #[error("the target in this link is not usable: {0}")]
    BadTarget(String),
    #[error("`{0}` is not a port: a port is a whole number from 1 to 65535")]
    BadPort(String),
}

/// The URL format's version; bumped if the meaning of a parameter ever changes.
pub const CONNECT_QUERY_VERSION: &str = "1";

/// Longest value read from a URL parameter before parsing (container names are shorter).
const MAX_PARAM: usize = 300;

fn param(get: &impl Fn(&str) -> Option<String>, key: &str) -> Option<String> {
    get(key)
        .map(|v| v.trim().chars().take(MAX_PARAM).collect::<String>())
        .filter(|v| !v.is_empty())
}

impl ConnectQuery {
    /// Reads `from`, `to` and `port`. A bad value is dropped and reported; the others are kept.
    /// Unknown versions are read as version 1 (the only one so far).
    pub fn from_params(get: impl Fn(&str) -> Option<String>) -> (Self, Vec<QueryError>) {
        let mut errors = Vec::new();
        let from = param(&get, "from").and_then(|v| {
            Source::parse(&v)
                .map_err(|e| errors.push(QueryError::BadSource(e.to_string())))
                .ok()
        });
        let to = param(&get, "to").and_then(|v| {
            ContainerName::parse(&v)
                .map_err(|e| errors.push(QueryError::BadTarget(e.to_string())))
                .ok()
        });
        let port = param(&get, "port").and_then(|v| match v.parse::<u16>() {
            Ok(p) if p != 0 => Some(p),
            _ => {
                errors.push(QueryError::BadPort(v.chars().take(20).collect()));
                None
            }
        });
        (Self { from, to, port }, errors)
    }

    /// The URL parameters, `v` first; unset parts are left out.
    pub fn to_params(&self) -> Vec<(&'static str, String)> {
        let mut params = vec![("v", CONNECT_QUERY_VERSION.to_owned())];
        if let Some(from) = &self.from {
            params.push(("from", from.param()));
        }
        if let Some(to) = &self.to {
            params.push(("to", to.to_string()));
        }
        if let Some(port) = self.port {
            params.push(("port", port.to_string()));
        }
        params
    }

    /// The page's path with this query: `/connect?v=1&from=…`.
    pub fn path(&self) -> String {
        format!("/connect?{}", encode_query(&self.to_params()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn read(pairs: &[(&str, &str)]) -> (ConnectQuery, Vec<QueryError>) {
        let map: BTreeMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        ConnectQuery::from_params(|k| map.get(k).cloned())
    }

    fn name(n: &str) -> ContainerName {
        ContainerName::parse(n).expect("valid name")
    }

    #[test]
    fn a_full_query_round_trips_through_its_url_parameters() {
        for q in [
            ConnectQuery {
                from: Some(Source::Container(name("web"))),
                to: Some(name("db")),
                port: Some(5432),
            },
            ConnectQuery {
                from: Some(Source::Host),
                to: Some(name("ro8kcog4kso4ck0ows4k4wkw")),
                port: None,
            },
            ConnectQuery::default(),
        ] {
            let params = q.to_params();
            assert_eq!(params[0], ("v", "1".to_owned()), "the version comes first");
            let map: BTreeMap<&str, String> = params.into_iter().collect();
            let (back, errors) = ConnectQuery::from_params(|k| map.get(k).cloned());
            assert_eq!(back, q);
            assert!(errors.is_empty());
        }
    }

    #[test]
    fn the_host_is_written_so_no_container_name_can_be_mistaken_for_it() {
        assert_eq!(Source::Host.param(), "~host");
        assert!(ContainerName::parse(HOST_PARAM).is_err());
        assert_eq!(
            Source::parse("host"),
            Ok(Source::Container(name("host"))),
            "a container really called `host` stays a container"
        );
    }

    #[test]
    fn the_link_path_percent_encodes_the_host_marker_nowhere_and_names_safely() {
        let q = ConnectQuery {
            from: Some(Source::Host),
            to: Some(name("coolify-db")),
            port: Some(5432),
        };
        assert_eq!(q.path(), "/connect?v=1&from=~host&to=coolify-db&port=5432");
    }

    #[test]
    fn bad_values_are_reported_and_dropped_while_good_ones_are_kept() {
        let (q, errors) = read(&[("from", "web;rm -rf /"), ("to", "db"), ("port", "65536")]);
        assert_eq!(q.from, None);
        assert_eq!(q.to, Some(name("db")));
        assert_eq!(q.port, None);
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert!(matches!(errors[0], QueryError::BadSource(_)));
        assert_eq!(errors[1], QueryError::BadPort("65536".into()));
    }

    #[test]
    fn port_zero_and_words_are_not_ports() {
        for bad in ["0", "http", "-1", "5432/tcp"] {
            let (q, errors) = read(&[("port", bad)]);
            assert_eq!(q.port, None, "{bad}");
            assert_eq!(errors, [QueryError::BadPort(bad.into())]);
        }
    }

    #[test]
    fn empty_parameters_mean_not_chosen_yet() {
        let (q, errors) = read(&[("from", " "), ("to", ""), ("port", "")]);
        assert_eq!(q, ConnectQuery::default());
        assert!(errors.is_empty());
    }
}
