//! "Diagnose this": the wizard that checks a finding, with its inputs filled in, as a link
//! (`/diagnose?…`). Only for findings a wizard can confirm: the proxy cannot reach a routed
//! app (reach from the proxy to the app's port, with HTTP), and a container cut off from the
//! outside (network `none`, internal-only, default bridge: the external check from it).

use crate::domain::findings::{Finding, FindingCode, Subject};
use crate::domain::topology::Topology;
use crate::domain::url::encode_query;

/// The wizard link for a finding, or `None` when no wizard checks it.
pub fn wizard_link(finding: &Finding, t: &Topology) -> Option<String> {
    let containers: Vec<&str> = finding
        .subjects
        .iter()
        .filter_map(|s| match s {
            Subject::Container(n) => Some(n.as_str()),
            _ => None,
        })
        .collect();
    match finding.code {
        FindingCode::ProxyNoSharedNetwork
        | FindingCode::ProxyNetworkNotJoined
        | FindingCode::RoutedTargetDown
        | FindingCode::RoutedTargetUnhealthy
        | FindingCode::RoutePortNotExposed => {
            let proxy = t.proxy.as_ref()?.container.as_str();
            let app = containers.iter().copied().find(|c| *c != proxy)?;
            let port = app_port(t, app)?;
            let to = format!("{app}:{port}");
            Some(format!(
                "/diagnose?{}",
                encode_query(&[
                    ("check", "reach"),
                    ("from", proxy),
                    ("to", &to),
                    ("http", "1")
                ])
            ))
        }
        FindingCode::NetworkNone | FindingCode::InternalNetwork | FindingCode::DefaultBridge => {
            Some(
                WizardQuery {
                    external: true,
                    from: (*containers.first()?).to_owned(),
                    ..WizardQuery::default()
                }
                .path(),
            )
        }
        _ => None,
    }
}

/// The port the proxy sends the app's traffic to, else the app's only exposed port.
fn app_port(t: &Topology, app: &str) -> Option<u16> {
    t.routes
        .iter()
        .filter(|r| r.containers.iter().any(|c| c == app))
        .find_map(|r| r.target_port)
        .or_else(|| match t.container(app)?.exposed.as_slice() {
            [only] => Some(only.port),
            _ => None,
        })
}

/// A wizard's inputs, as in its URL: `/diagnose?check=reach&from=web&to=db:5432&http=1` or
/// `?check=external&from=web&name=…&ip=…&url=…`. Values are clipped, not validated: the check
/// validates them when it runs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WizardQuery {
    pub external: bool,
    pub from: String,
    pub to: String,
    pub http: bool,
    pub name: String,
    pub ip: String,
    pub url: String,
}

impl WizardQuery {
    pub fn from_params(get: impl Fn(&str) -> Option<String>) -> Self {
        let clip = |v: Option<String>| v.map(|v| v.chars().take(300).collect()).unwrap_or_default();
        Self {
            external: get("check").as_deref() == Some("external"),
            from: clip(get("from")),
            to: clip(get("to")),
            http: matches!(get("http").as_deref(), Some("1" | "true")),
            name: clip(get("name")),
            ip: clip(get("ip")),
            url: clip(get("url")),
        }
    }

    pub fn to_params(&self) -> Vec<(&'static str, String)> {
        let mut p = vec![(
            "check",
            if self.external { "external" } else { "reach" }.to_owned(),
        )];
        let mut put = |k: &'static str, v: &str| {
            if !v.is_empty() {
                p.push((k, v.to_owned()));
            }
        };
        put("from", &self.from);
        if self.external {
            put("name", &self.name);
            put("ip", &self.ip);
            put("url", &self.url);
        } else {
            put("to", &self.to);
            if self.http {
                p.push(("http", "1".into()));
            }
        }
        p
    }

    /// The wizard's address with these inputs.
    pub fn path(&self) -> String {
        format!("/diagnose?{}", encode_query(&self.to_params()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::findings::test_support::recorded;
    use crate::domain::graph::TopologyReport;
    use std::collections::HashMap;

    fn links() -> Vec<(FindingCode, Option<String>)> {
        let report = TopologyReport::new(recorded());
        report
            .findings
            .iter()
            .map(|f| (f.code, wizard_link(f, &report.topology)))
            .collect()
    }

    #[test]
    fn a_proxy_that_cannot_reach_a_routed_app_links_to_the_reach_wizard_from_the_proxy() {
        let all = links();
        let (_, link) = all
            .iter()
            .find(|(code, _)| *code == FindingCode::ProxyNoSharedNetwork)
            .expect("the recorded destination has this finding");
        let link = link.as_deref().expect("a wizard link");
        assert!(link.starts_with("/diagnose?check=reach&from="), "{link}");
        assert!(
            link.contains("&to=") && link.contains("%3A") && link.ends_with("&http=1"),
            "{link}"
        );
    }

    #[test]
    fn a_container_cut_off_from_the_outside_links_to_the_external_wizard() {
        let all = links();
        let external: Vec<&String> = all
            .iter()
            .filter(|(code, _)| {
                matches!(
                    code,
                    FindingCode::NetworkNone | FindingCode::InternalNetwork
                )
            })
            .filter_map(|(_, l)| l.as_ref())
            .collect();
        assert!(!external.is_empty());
        assert!(external
            .iter()
            .all(|l| l.starts_with("/diagnose?check=external&from=")));
    }

    #[test]
    fn findings_no_wizard_checks_get_no_link() {
        for (code, link) in links() {
            if matches!(
                code,
                FindingCode::DnsNameCollision
                    | FindingCode::HostPortConflict
                    | FindingCode::PublishedOnAllInterfaces
            ) {
                assert_eq!(link, None, "{code:?}");
            }
        }
    }

    #[test]
    fn wizard_inputs_round_trip_through_the_url_and_only_their_own_fields_are_kept() {
        let reach = WizardQuery {
            from: "web".into(),
            to: "db:5432".into(),
            http: true,
            name: "ignored".into(),
            ..WizardQuery::default()
        };
        let params: HashMap<_, _> = reach.to_params().into_iter().collect();
        assert_eq!(params.get("name"), None);
        let back = WizardQuery::from_params(|k| params.get(k).cloned());
        assert_eq!(
            (back.from.as_str(), back.to.as_str(), back.http),
            ("web", "db:5432", true)
        );

        let external = WizardQuery {
            external: true,
            from: "web".into(),
            ip: "10.0.0.1".into(),
            ..WizardQuery::default()
        };
        let params: HashMap<_, _> = external.to_params().into_iter().collect();
        assert_eq!(
            WizardQuery::from_params(|k| params.get(k).cloned()),
            external
        );
    }
}
