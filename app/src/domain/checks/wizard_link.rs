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
            let from = containers.first()?;
            Some(format!(
                "/diagnose?{}",
                encode_query(&[("check", "external"), ("from", from)])
            ))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::findings::test_support::recorded;
    use crate::domain::graph::TopologyReport;

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
}
