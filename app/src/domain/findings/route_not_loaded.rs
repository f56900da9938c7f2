//! "The labels look right but the domain answers 404": the proxy did not load a route the
//! labels of a running container ask for, or loaded it and refused it (Traefik's `disabled`,
//! with its own reason — a rule with a syntax error, a service that does not exist).

use super::{join, proxy_name, routes_source, Finding, FindingCode, Severity, Subject};
use crate::domain::problem::FixStep;
use crate::domain::proxy::loaded::{same_route, RouteSource};
use crate::domain::proxy::{Route, RouteStatus};
use crate::domain::topology::Topology;

pub fn check(t: &Topology) -> Vec<Finding> {
    // Only the proxy's runtime view says what it accepted; its files say what it was given.
    let RouteSource::Loaded(via) = t.route_table.source else {
        return Vec::new();
    };
    if !via.is_runtime_view() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for wanted in t.intended_routes() {
        // The proxy leaves stopped containers out by design; routed_target_state says so.
        let running = wanted
            .containers
            .iter()
            .filter_map(|n| t.container(n))
            .any(|c| c.is_running());
        if !running {
            continue;
        }
        match t.routes.iter().find(|r| same_route(wanted, r)) {
            Some(loaded) if loaded.status == RouteStatus::Disabled => {
                out.push(finding(t, wanted, Some(loaded)));
            }
            Some(_) => {}
            None => out.push(finding(t, wanted, None)),
        }
    }
    out
}

fn finding(t: &Topology, wanted: &Route, refused: Option<&Route>) -> Finding {
    let proxy = proxy_name(t);
    let hosts = if wanted.hosts.is_empty() {
        format!("route `{}`", wanted.id)
    } else {
        join(&wanted.hosts)
    };
    let who = join(&wanted.containers);
    let (title, reason) = match refused {
        Some(route) => (
            format!("{proxy} refused route `{}` for {hosts}", wanted.id),
            if route.errors.is_empty() {
                "it gave no reason".to_owned()
            } else {
                format!("in its own words: {}", route.errors.join("; "))
            },
        ),
        None => (
            format!("{proxy} did not load route `{}` for {hosts}", wanted.id),
            "it is not in the proxy's table at all".to_owned(),
        ),
    };
    let mut why = format!(
        "The labels of {who} ask for this route, but the proxy does not serve it: {reason}. Requests for {hosts} get 404 (or Coolify's catch-all 503). {}",
        routes_source(t)
    );
    let claimed_by_others = t
        .intended_routes()
        .iter()
        .any(|r| r.id == wanted.id && r.containers.len() > 1);
    if claimed_by_others {
        why.push_str(" Several containers define this router; Traefik drops a router two containers define differently.");
    }
    let mut subjects = vec![Subject::Route(wanted.id.clone())];
    subjects.extend(wanted.containers.iter().cloned().map(Subject::Container));
    Finding {
        code: FindingCode::RouteNotLoaded,
        severity: Severity::Blocking,
        title,
        why,
        fix: vec![
            FixStep::say(&format!("Correct the labels of {who} (in Coolify: the resource's Domains, or its custom labels for `{}`) and redeploy, so the labels are written again.", wanted.id)),
            FixStep::run(
                "Read what the proxy said about it:",
                &format!("docker logs --since 1h {proxy} 2>&1 | grep -i '{}'", wanted.id),
            ),
        ],
        subjects,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::containers::ContainerState;
    use crate::domain::findings::test_support::{
        container, exposing, get_mut, host, on, route, text,
    };
    use crate::domain::proxy::loaded::{LoadedRoutes, LoadedVia};

    fn loaded(t: &mut Topology, via: LoadedVia, routes: Vec<Route>) {
        t.use_loaded_routes(
            &LoadedRoutes {
                via,
                routes,
                notes: Vec::new(),
            },
            1,
        );
    }

    fn destination() -> Topology {
        host(
            vec![
                on(container("coolify-proxy"), "coolify", &[]),
                exposing(on(container("app"), "coolify", &[]), &[3000]),
            ],
            vec![route(
                "https-0-app",
                "app.example.com",
                &["app"],
                Some(3000),
            )],
        )
    }

    #[test]
    fn a_router_traefik_refused_is_blocking_and_quotes_traefik() {
        let mut t = destination();
        let mut refused = route("https-0-app", "app.example.com", &[], Some(3000));
        refused.status = RouteStatus::Disabled;
        refused.errors = vec!["the service \"missing@docker\" does not exist".into()];
        loaded(&mut t, LoadedVia::TraefikApi, vec![refused]);
        let found = check(&t);
        assert_eq!(found.len(), 1);
        let f = &found[0];
        assert_eq!(f.severity, Severity::Blocking);
        assert!(
            f.title.contains("refused route `https-0-app`"),
            "{}",
            f.title
        );
        let all = text(f);
        assert!(
            all.contains("does not exist") && all.contains("Traefik's API"),
            "{all}"
        );
        assert!(f.subjects.contains(&Subject::Container("app".into())));
    }

    #[test]
    fn a_label_route_missing_from_the_table_is_found_but_not_for_a_stopped_app() {
        let mut t = destination();
        loaded(&mut t, LoadedVia::TraefikApi, Vec::new());
        let found = check(&t);
        assert_eq!(found.len(), 1);
        assert!(
            found[0].title.contains("did not load"),
            "{}",
            found[0].title
        );
        get_mut(&mut t, "app").state = ContainerState::Exited;
        assert!(check(&t).is_empty());
    }

    #[test]
    fn a_loaded_route_or_labels_only_or_files_raise_nothing() {
        let mut t = destination();
        assert!(check(&t).is_empty(), "labels only: nothing to compare");
        let same = route("https-0-app", "app.example.com", &[], Some(3000));
        loaded(&mut t, LoadedVia::TraefikApi, vec![same]);
        assert!(check(&t).is_empty());
        let mut t = destination();
        loaded(&mut t, LoadedVia::TraefikFiles, Vec::new());
        assert!(
            check(&t).is_empty(),
            "the files say what Traefik was given, not what it took"
        );
    }
}
