//! Traefik's runtime view of its routes: `GET /api/rawdata` (or `/api/http/routers` and
//! `/api/http/services`) read into routes, each with the provider it came from (labels, file),
//! the servers it dials, and Traefik's own status and errors — a label router Traefik refused is
//! here as `disabled` with Traefik's reason. The file provider's files take the same path
//! (`traefik_files` builds this shape from them).

use super::{
    dedup, parse_rule, strip_provider, PortSource, ProxyKind, Route, RouteProvider, RouteStatus,
};
use serde_json::{Map, Value};

/// Services followed through `weighted`/`mirroring` before giving up (a loop, or deep nesting).
const MAX_SERVICE_HOPS: usize = 8;

/// Routes from `GET /api/rawdata`.
pub fn routes_from_rawdata(text: &str) -> Result<Vec<Route>, String> {
    let raw = object(text)?;
    if !raw.contains_key("routers") && !raw.contains_key("services") {
        return Err(format!(
            "the answer is JSON but has no Traefik `routers`: {}",
            super::loaded::excerpt(text)
        ));
    }
    let empty = Map::new();
    let section = |key: &str| raw.get(key).and_then(Value::as_object).unwrap_or(&empty);
    Ok(build(
        section("routers"),
        section("services"),
        section("middlewares"),
    ))
}

/// Routes from `GET /api/http/routers` and `GET /api/http/services` (arrays whose items carry
/// `name` with its `@provider`).
pub fn routes_from_lists(routers: &str, services: &str) -> Result<Vec<Route>, String> {
    let by_name = |text: &str, what: &str| -> Result<Map<String, Value>, String> {
        let value: Value = serde_json::from_str(text.trim()).map_err(|e| {
            format!(
                "the {what} answer is not JSON ({e}); it begins: {}",
                super::loaded::excerpt(text)
            )
        })?;
        let items = value.as_array().ok_or_else(|| {
            format!(
                "the {what} answer is not a list: {}",
                super::loaded::excerpt(text)
            )
        })?;
        Ok(items
            .iter()
            .filter_map(|item| Some((item["name"].as_str()?.to_owned(), item.clone())))
            .collect())
    };
    let routers = by_name(routers, "routers")?;
    let services = by_name(services, "services")?;
    Ok(build(&routers, &services, &Map::new()))
}

fn object(text: &str) -> Result<Map<String, Value>, String> {
    match serde_json::from_str::<Value>(text.trim()) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(format!(
            "the answer is JSON but not Traefik's: {}",
            super::loaded::excerpt(text)
        )),
        Err(e) => Err(format!(
            "the answer is not JSON ({e}); it begins: {}",
            super::loaded::excerpt(text)
        )),
    }
}

/// `name@provider` → (`name`, `provider`); names without a provider are Traefik's `file` view.
pub(crate) fn split_name(full: &str) -> (&str, &str) {
    full.rsplit_once('@').unwrap_or((full, ""))
}

/// Case-insensitive key lookup: Traefik's file provider accepts `loadbalancer` and
/// `loadBalancer`, `certresolver` and `certResolver`.
pub(crate) fn get<'a>(value: &'a Value, key: &str) -> &'a Value {
    match value {
        Value::Object(map) => map
            .get(key)
            .or_else(|| {
                map.iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(key))
                    .map(|(_, v)| v)
            })
            .unwrap_or(&Value::Null),
        _ => &Value::Null,
    }
}

fn strings(v: &Value) -> Vec<String> {
    match v {
        Value::Array(items) => items
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        // Some writers put a single value where Traefik takes a list.
        Value::String(s) => s
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
        _ => Vec::new(),
    }
}

/// Routers keyed `name@provider`, services and middlewares the same way.
pub(crate) fn build(
    routers: &Map<String, Value>,
    services: &Map<String, Value>,
    middlewares: &Map<String, Value>,
) -> Vec<Route> {
    let mut out = Vec::new();
    for (full, router) in routers {
        let (name, provider) = split_name(full);
        let provider = get(router, "provider").as_str().unwrap_or(provider);
        let service = get(router, "service").as_str().unwrap_or_default();
        if provider.eq_ignore_ascii_case("internal")
            || service.to_ascii_lowercase().ends_with("@internal")
        {
            continue; // the proxy's own dashboard, API or ping
        }
        let qualify = |n: &str| {
            if n.contains('@') {
                n.to_owned()
            } else {
                format!("{n}@{provider}")
            }
        };
        let rule = get(router, "rule").as_str().unwrap_or_default().to_owned();
        let matchers = parse_rule(&rule);
        let tls = get(router, "tls");
        let middleware_names = strings(get(router, "middlewares"));
        let redirect_to_https = middleware_names.iter().any(|m| {
            let scheme = get(
                get(
                    middlewares.get(&qualify(m)).unwrap_or(&Value::Null),
                    "redirectScheme",
                ),
                "scheme",
            );
            scheme
                .as_str()
                .is_some_and(|s| s.eq_ignore_ascii_case("https"))
                || strip_provider(m) == "redirect-to-https"
        });
        let mut errors = strings(get(router, "error"));
        let mut upstreams = Vec::new();
        if !service.is_empty() {
            collect_servers(services, &qualify(service), &mut upstreams, &mut errors, 0);
        }
        let status = match get(router, "status").as_str() {
            Some("disabled") => RouteStatus::Disabled,
            Some("warning") => RouteStatus::Warning,
            _ => RouteStatus::Enabled,
        };
        let target_port = upstreams
            .iter()
            .find_map(|u| super::caddy_config::port_of(u));
        let kind = RouteProvider::from_traefik(provider);
        // Label routers keep their bare name, so they line up with the labels that made them.
        let id = if kind == RouteProvider::Labels {
            name.to_owned()
        } else {
            full.to_owned()
        };
        out.push(Route {
            hosts: matchers.hosts,
            paths: matchers.paths,
            rule,
            entry_points: strings(get(router, "entryPoints")),
            tls: tls.is_object(),
            cert_resolver: get(tls, "certResolver").as_str().map(str::to_owned),
            redirect_to_https,
            middlewares: dedup(
                middleware_names
                    .iter()
                    .map(|m| strip_provider(m).to_owned()),
            ),
            target_port,
            port_source: if target_port.is_some() {
                PortSource::Loaded
            } else {
                PortSource::Unknown
            },
            provider: kind,
            upstreams,
            status,
            errors: dedup(errors.into_iter()),
            ..Route::new(id, ProxyKind::Traefik)
        });
    }
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out
}

/// The servers a service dials, following weighted and mirroring services; a service that does
/// not exist or is not `enabled` adds its errors.
fn collect_servers(
    services: &Map<String, Value>,
    key: &str,
    servers: &mut Vec<String>,
    errors: &mut Vec<String>,
    hops: usize,
) {
    if hops > MAX_SERVICE_HOPS {
        return;
    }
    let Some(service) = services.get(key) else {
        return; // Traefik's router error already says the service does not exist.
    };
    for e in strings(get(service, "error")) {
        errors.push(format!("service {key}: {e}"));
    }
    let provider = split_name(key).1;
    for server in get(get(service, "loadBalancer"), "servers")
        .as_array()
        .into_iter()
        .flatten()
    {
        let address = get(server, "url")
            .as_str()
            .or_else(|| get(server, "address").as_str());
        if let Some(address) = address.filter(|a| !a.is_empty()) {
            let address = without_userinfo(address);
            if !servers.contains(&address) {
                servers.push(address);
            }
        }
    }
    let children = get(get(service, "weighted"), "services")
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| get(s, "name").as_str())
        .chain(get(get(service, "mirroring"), "service").as_str());
    for child in children.collect::<Vec<_>>() {
        let child = if child.contains('@') {
            child.to_owned()
        } else {
            format!("{child}@{provider}")
        };
        collect_servers(services, &child, servers, errors, hops + 1);
    }
}

/// `http://user:secret@app:80` → `http://***@app:80`: a server URL may carry credentials, and
/// routes are shown and shared.
fn without_userinfo(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{scheme}://***{}", &rest[at..]),
        None => url.to_owned(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    /// Written from Traefik's documented `/api/rawdata` shape (`RouterInfo`, `ServiceInfo`:
    /// `status`, `error`, `using`, `usedBy`, `serverStatus`) for Coolify's default proxy: two
    /// label routers of an app, the dashboard router, Coolify's dynamic files, a label router
    /// with a broken rule and one naming a missing service. No Traefik binary is reachable from
    /// this project's registries, so this is not a recording.
    const RAWDATA: &str = include_str!("fixtures/traefik-rawdata-coolify.json");

    fn by_id<'a>(routes: &'a [Route], id: &str) -> &'a Route {
        routes.iter().find(|r| r.id == id).unwrap_or_else(|| {
            panic!(
                "no route {id} in {:?}",
                routes.iter().map(|r| &r.id).collect::<Vec<_>>()
            )
        })
    }

    #[test]
    fn label_routers_keep_their_names_and_dial_the_containers_ips() {
        let routes = routes_from_rawdata(RAWDATA).unwrap();
        let https = by_id(&routes, "https-0-jk8c0wc4ok80s0gkcgwgo4s8");
        assert_eq!(https.provider, RouteProvider::Labels);
        assert_eq!(https.hosts, ["api.example.com"]);
        assert_eq!(https.upstreams, ["http://10.0.1.9:3001"]);
        assert_eq!(
            (https.target_port, https.port_source),
            (Some(3001), PortSource::Loaded)
        );
        assert!(https.tls);
        assert_eq!(https.cert_resolver.as_deref(), Some("letsencrypt"));
        assert_eq!(https.status, RouteStatus::Enabled);
        let http = by_id(&routes, "http-0-jk8c0wc4ok80s0gkcgwgo4s8");
        assert!(http.redirect_to_https && !http.tls);
    }

    #[test]
    fn file_routers_name_their_provider_and_the_catch_all_dials_nothing() {
        let routes = routes_from_rawdata(RAWDATA).unwrap();
        let coolify = by_id(&routes, "coolify-https@file");
        assert_eq!(coolify.provider, RouteProvider::File);
        assert_eq!(coolify.upstreams, ["http://coolify:8080"]);
        let catchall = by_id(&routes, "catchall@file");
        assert!(catchall.upstreams.is_empty());
        assert_eq!(catchall.paths, ["/"]);
    }

    #[test]
    fn a_refused_label_router_is_disabled_with_traefiks_reason() {
        let routes = routes_from_rawdata(RAWDATA).unwrap();
        let broken = by_id(&routes, "https-0-brokenrule");
        assert_eq!(broken.status, RouteStatus::Disabled);
        assert!(
            broken.errors[0].contains("error while parsing rule"),
            "{:?}",
            broken.errors
        );
        let missing = by_id(&routes, "https-0-nosvc");
        assert_eq!(missing.status, RouteStatus::Disabled);
        assert!(missing.errors[0].contains("does not exist"));
    }

    #[test]
    fn the_dashboard_and_internal_routers_are_not_routes() {
        let routes = routes_from_rawdata(RAWDATA).unwrap();
        assert!(routes
            .iter()
            .all(|r| !r.id.contains("internal") && r.id != "traefik"));
    }

    #[test]
    fn the_router_and_service_lists_give_the_same_routes_as_rawdata() {
        let raw: Value = serde_json::from_str(RAWDATA).unwrap();
        let list = |key: &str| {
            let items: Vec<Value> = raw[key]
                .as_object()
                .unwrap()
                .iter()
                .map(|(name, v)| {
                    let mut v = v.clone();
                    v["name"] = Value::String(name.clone());
                    v["provider"] = Value::String(split_name(name).1.to_owned());
                    v
                })
                .collect();
            serde_json::to_string(&items).unwrap()
        };
        let from_lists = routes_from_lists(&list("routers"), &list("services")).unwrap();
        let from_raw = routes_from_rawdata(RAWDATA).unwrap();
        let ids = |r: &[Route]| {
            r.iter()
                .map(|r| (r.id.clone(), r.upstreams.clone(), r.status))
                .collect::<Vec<_>>()
        };
        assert_eq!(ids(&from_lists), ids(&from_raw));
    }

    #[test]
    fn weighted_services_are_followed_and_loops_end() {
        let text = r#"{"routers":{"w@file":{"rule":"Host(`w.com`)","service":"split"}},
            "services":{"split@file":{"weighted":{"services":[{"name":"a"},{"name":"split"}]}},
            "a@file":{"loadBalancer":{"servers":[{"url":"http://a:1"}]},"status":"warning","error":["server down"]}}}"#;
        let routes = routes_from_rawdata(text).unwrap();
        assert_eq!(routes[0].upstreams, ["http://a:1"]);
        assert!(routes[0].errors.iter().any(|e| e.contains("server down")));
    }

    #[test]
    fn credentials_in_a_server_url_never_reach_a_route() {
        let text = r#"{"routers":{"r@file":{"rule":"Host(`r.com`)","service":"s"}},
            "services":{"s@file":{"loadBalancer":{"servers":[{"url":"http://admin:hunter2@app:80/x"}]}}}}"#;
        let routes = routes_from_rawdata(text).unwrap();
        assert_eq!(routes[0].upstreams, ["http://***@app:80/x"]);
        assert_eq!(routes[0].target_port, Some(80));
        assert_eq!(without_userinfo("10.0.1.9:80"), "10.0.1.9:80");
    }

    #[test]
    fn garbage_is_refused_with_what_came_back() {
        for text in [
            "404 page not found\n",
            "[]",
            "{\"apps\":{}}",
            "{\"routers\": ",
        ] {
            assert!(routes_from_rawdata(text).is_err(), "{text}");
        }
        assert!(routes_from_lists("{}", "[]").is_err());
        let odd = r#"{"routers":{"x":5,"y@docker":{"rule":7,"tls":"yes","middlewares":"a, b"}},"services":[]}"#;
        let routes = routes_from_rawdata(odd).unwrap();
        assert_eq!(routes.len(), 2);
    }
}
