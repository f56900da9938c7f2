//! "Diagnose this": the wizard that checks a finding, with its inputs filled in, as a link
//! (`/diagnose?…`). Only for findings a wizard can confirm: the proxy cannot reach a routed
//! app (the proxy wizard for its domain, or reach from the proxy to the app's port with HTTP
//! when no domain routes to it), and a container cut off from the outside (network `none`,
//! internal-only, default bridge: the external check from it).

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
            // The proxy wizard for the app's domain; reach from the proxy when it has none
            // (a path-only rule).
            if let Some(domain) = app_domain(t, app) {
                return Some(
                    WizardQuery {
                        wizard: Wizard::Proxy,
                        domain: domain.to_owned(),
                        ..WizardQuery::default()
                    }
                    .path(),
                );
            }
            let port = app_port(t, app)?;
            Some(
                WizardQuery {
                    wizard: Wizard::Reach,
                    from: proxy.to_owned(),
                    to: format!("{app}:{port}"),
                    http: true,
                    ..WizardQuery::default()
                }
                .path(),
            )
        }
        FindingCode::NetworkNone | FindingCode::InternalNetwork | FindingCode::DefaultBridge => {
            Some(
                WizardQuery {
                    wizard: Wizard::External,
                    from: (*containers.first()?).to_owned(),
                    ..WizardQuery::default()
                }
                .path(),
            )
        }
        _ => None,
    }
}

/// The first domain the proxy routes to the app.
fn app_domain<'t>(t: &'t Topology, app: &str) -> Option<&'t str> {
    t.routes
        .iter()
        .filter(|r| r.containers.iter().any(|c| c == app))
        .find_map(|r| r.hosts.first())
        .map(String::as_str)
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

/// Which wizard.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Wizard {
    /// Containers cannot communicate (`check=reach`).
    #[default]
    Reach,
    /// A container cannot reach external services (`check=external`).
    External,
    /// The proxy does not route a domain (`check=proxy`).
    Proxy,
    /// Networks, a network's members and settings, a container's network settings
    /// (`check=network`); reads the topology only.
    Network,
}

impl Wizard {
    pub const ALL: [Self; 4] = [Self::Reach, Self::External, Self::Proxy, Self::Network];

    pub fn slug(self) -> &'static str {
        match self {
            Self::Reach => "reach",
            Self::External => "external",
            Self::Proxy => "proxy",
            Self::Network => "network",
        }
    }

    pub fn from_slug(slug: &str) -> Self {
        Self::ALL
            .into_iter()
            .find(|w| w.slug() == slug)
            .unwrap_or_default()
    }

    /// The problem it answers, as its tab says.
    pub fn label(self) -> &'static str {
        match self {
            Self::Reach => "Containers cannot communicate",
            Self::External => "A container cannot reach the outside",
            Self::Proxy => "A domain does not reach its app",
            Self::Network => "Network diagnostics",
        }
    }
}

/// A wizard's inputs, as in its URL: `/diagnose?check=reach&from=web&to=db:5432&http=1`,
/// `?check=external&from=web&name=…&ip=…&url=…`, `?check=proxy&domain=…&proxy=…` or
/// `?check=network&net=…&from=…`. Values are clipped, not validated: the check validates them
/// when it runs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WizardQuery {
    pub wizard: Wizard,
    /// The source container (reach, external), or the container shown (network).
    pub from: String,
    pub to: String,
    pub http: bool,
    pub name: String,
    pub ip: String,
    pub url: String,
    pub domain: String,
    /// The proxy container, when not the one netdoctor finds.
    pub proxy: String,
    /// The network shown (network).
    pub net: String,
    /// A finished check's id: the page shows its result while the server keeps it (the last
    /// 64 checks), so a link reproduces the result, not only the inputs.
    pub result: String,
}

impl WizardQuery {
    pub fn from_params(get: impl Fn(&str) -> Option<String>) -> Self {
        let clip = |v: Option<String>| v.map(|v| v.chars().take(300).collect()).unwrap_or_default();
        Self {
            wizard: Wizard::from_slug(get("check").as_deref().unwrap_or_default()),
            from: clip(get("from")),
            to: clip(get("to")),
            http: matches!(get("http").as_deref(), Some("1" | "true")),
            name: clip(get("name")),
            ip: clip(get("ip")),
            url: clip(get("url")),
            domain: clip(get("domain")),
            proxy: clip(get("proxy")),
            net: clip(get("net")),
            result: get("result")
                .filter(|r| r.len() <= 64 && r.bytes().all(|b| b.is_ascii_hexdigit()))
                .unwrap_or_default(),
        }
    }

    pub fn to_params(&self) -> Vec<(&'static str, String)> {
        let mut p = vec![("check", self.wizard.slug().to_owned())];
        let mut put = |k: &'static str, v: &str| {
            if !v.is_empty() {
                p.push((k, v.to_owned()));
            }
        };
        match self.wizard {
            Wizard::Reach => {
                put("from", &self.from);
                put("to", &self.to);
                if self.http {
                    put("http", "1");
                }
            }
            Wizard::External => {
                put("from", &self.from);
                put("name", &self.name);
                put("ip", &self.ip);
                put("url", &self.url);
            }
            Wizard::Proxy => {
                put("domain", &self.domain);
                put("proxy", &self.proxy);
            }
            Wizard::Network => {
                put("net", &self.net);
                put("from", &self.from);
            }
        }
        if self.wizard != Wizard::Network {
            put("result", &self.result);
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
    fn a_proxy_that_cannot_reach_a_routed_app_links_to_the_proxy_wizard_for_its_domain() {
        let all = links();
        let (_, link) = all
            .iter()
            .find(|(code, _)| *code == FindingCode::ProxyNoSharedNetwork)
            .expect("the recorded destination has this finding");
        let link = link.as_deref().expect("a wizard link");
        assert!(link.starts_with("/diagnose?check=proxy&domain="), "{link}");
        let routed = recorded()
            .routes
            .iter()
            .flat_map(|r| r.hosts.clone())
            .any(|domain| {
                link == WizardQuery {
                    wizard: Wizard::Proxy,
                    domain,
                    ..WizardQuery::default()
                }
                .path()
            });
        assert!(routed, "{link} names a routed domain");
    }

    #[test]
    fn an_app_routed_by_path_only_links_to_reach_from_the_proxy_with_http() {
        let mut t = recorded();
        let finding = TopologyReport::new(t.clone())
            .findings
            .into_iter()
            .find(|f| f.code == FindingCode::ProxyNoSharedNetwork)
            .expect("finding");
        for r in &mut t.routes {
            r.hosts.clear();
        }
        let link = wizard_link(&finding, &t).expect("a wizard link");
        assert!(link.starts_with("/diagnose?check=reach&from="), "{link}");
        assert!(link.contains("%3A") && link.ends_with("&http=1"), "{link}");
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
            wizard: Wizard::External,
            from: "web".into(),
            ip: "10.0.0.1".into(),
            ..WizardQuery::default()
        };
        let params: HashMap<_, _> = external.to_params().into_iter().collect();
        assert_eq!(
            WizardQuery::from_params(|k| params.get(k).cloned()),
            external
        );

        for wizard in [Wizard::Proxy, Wizard::Network] {
            let q = WizardQuery {
                wizard,
                domain: "app.example.com".into(),
                proxy: "edge".into(),
                net: "coolify".into(),
                from: "web".into(),
                ..WizardQuery::default()
            };
            let params: HashMap<_, _> = q.to_params().into_iter().collect();
            let back = WizardQuery::from_params(|k| params.get(k).cloned());
            assert_eq!(back.wizard, wizard);
            if wizard == Wizard::Proxy {
                assert_eq!(
                    (
                        back.domain.as_str(),
                        back.proxy.as_str(),
                        back.from.as_str()
                    ),
                    ("app.example.com", "edge", "")
                );
            } else {
                assert_eq!(
                    (back.net.as_str(), back.from.as_str(), back.domain.as_str()),
                    ("coolify", "web", "")
                );
            }
        }
        let odd = WizardQuery::from_params(|_| Some("nonsense".into()));
        assert_eq!(odd.wizard, Wizard::Reach);
        assert_eq!(odd.result, "", "a result id is hexadecimal or nothing");
        let with_result = WizardQuery {
            from: "web".into(),
            to: "db:5432".into(),
            result: "0a1b2c".into(),
            ..WizardQuery::default()
        };
        assert_eq!(
            with_result.path(),
            "/diagnose?check=reach&from=web&to=db%3A5432&result=0a1b2c"
        );
    }
}
