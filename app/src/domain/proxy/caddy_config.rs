//! Caddy's loaded configuration (`GET /config/` on its admin API, or the `autosave.json` Caddy
//! writes beside it) read into routes: one per set of hosts, with the paths, the upstreams it
//! dials (load-balanced when several), TLS and automatic-HTTPS redirects, and redirects. The
//! same JSON comes from a Caddyfile, a JSON config or caddy-docker-proxy's labels.

use super::{dedup, PortSource, ProxyKind, Route, RouteProvider};
use serde_json::Value;
use std::collections::BTreeMap;

/// How deep handlers may nest (subroute in subroute…) before the rest is skipped; Caddyfiles
/// nest three or four levels.
const MAX_DEPTH: usize = 16;

/// Reads Caddy's JSON config. Errors are sentences for the user: what came back instead.
pub fn routes(text: &str) -> Result<Vec<Route>, String> {
    let config: Value = serde_json::from_str(text.trim()).map_err(|e| {
        format!(
            "the answer is not JSON ({e}); it begins: {}",
            super::loaded::excerpt(text)
        )
    })?;
    let Some(root) = config.as_object() else {
        return Err(format!(
            "the answer is JSON but not a Caddy configuration: {}",
            super::loaded::excerpt(text)
        ));
    };
    // An empty config (`null` or `{}`) is a Caddy that routes nothing, not an error.
    if !root.is_empty() && !root.contains_key("apps") && !root.contains_key("admin") {
        return Err(format!(
            "the answer is JSON but has no Caddy `apps`: {}",
            super::loaded::excerpt(text)
        ));
    }
    let http = &config["apps"]["http"];
    let https_port = http["https_port"].as_u64().unwrap_or(443);
    let mut sites: BTreeMap<String, Site> = BTreeMap::new();
    let Some(servers) = http["servers"].as_object() else {
        return Ok(Vec::new());
    };
    for (server_name, server) in servers {
        let listen: Vec<String> = strings(&server["listen"]);
        let tls = server["tls_connection_policies"].is_array()
            || listen
                .iter()
                .any(|l| port_of(l).is_some_and(|p| u64::from(p) == https_port));
        let auto = &server["automatic_https"];
        let redirects = tls
            && auto["disable"].as_bool() != Some(true)
            && auto["disable_redirects"].as_bool() != Some(true);
        let Some(routes) = server["routes"].as_array() else {
            continue;
        };
        for (i, route) in routes.iter().enumerate() {
            let hosts = matcher_values(&route["match"], "host");
            let key = if hosts.is_empty() {
                format!("{server_name} route {i}")
            } else {
                let mut sorted: Vec<String> =
                    hosts.iter().map(|h| h.to_ascii_lowercase()).collect();
                sorted.sort();
                sorted.dedup();
                sorted.join(", ")
            };
            let site = sites.entry(key.clone()).or_insert_with(|| Site {
                id: key,
                hosts: dedup(hosts.iter().map(|h| h.to_ascii_lowercase())),
                ..Site::default()
            });
            if tls {
                site.tls = true;
                site.redirects |= redirects;
            } else {
                site.plain = true;
            }
            site.listen.extend(listen.iter().cloned());
            let paths = matcher_values(&route["match"], "path");
            let matchers = describe_match(&route["match"]);
            if !matchers.is_empty() && !site.rules.contains(&matchers) {
                site.rules.push(matchers);
            }
            for handler in array(&route["handle"]) {
                site.walk(handler, &paths, 0);
            }
        }
    }
    Ok(sites.into_values().map(Site::into_route).collect())
}

#[derive(Default)]
struct Site {
    id: String,
    hosts: Vec<String>,
    rules: Vec<String>,
    listen: Vec<String>,
    paths: Vec<String>,
    upstreams: Vec<String>,
    redirect: Option<String>,
    tls: bool,
    plain: bool,
    redirects: bool,
}

impl Site {
    /// Follows one handler: subroutes nest, `reverse_proxy` dials, a 3xx `static_response` is a
    /// redirect. Other handlers (encode, headers, rewrite, file_server…) route nowhere.
    fn walk(&mut self, handler: &Value, paths: &[String], depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        match handler["handler"].as_str().unwrap_or_default() {
            "subroute" => {
                for route in array(&handler["routes"]) {
                    let inner = matcher_values(&route["match"], "path");
                    let paths = if inner.is_empty() { paths } else { &inner };
                    for h in array(&route["handle"]) {
                        self.walk(h, paths, depth + 1);
                    }
                }
            }
            "reverse_proxy" => {
                for upstream in array(&handler["upstreams"]) {
                    if let Some(dial) = upstream["dial"].as_str().filter(|d| !d.is_empty()) {
                        if !self.upstreams.iter().any(|u| u == dial) {
                            self.upstreams.push(dial.to_owned());
                        }
                    }
                }
                if handler["dynamic_upstreams"].is_object() {
                    let source = handler["dynamic_upstreams"]["source"]
                        .as_str()
                        .unwrap_or("dynamic");
                    self.upstreams.push(format!("({source} upstreams)"));
                }
                self.add_paths(paths);
            }
            "static_response" => {
                let status = match &handler["status_code"] {
                    Value::Number(n) => n.as_u64().unwrap_or(200),
                    Value::String(s) => s.parse().unwrap_or(200),
                    _ => 200,
                };
                let location = handler["headers"]["Location"]
                    .as_array()
                    .and_then(|l| l.first())
                    .and_then(Value::as_str);
                if (300..400).contains(&status) {
                    if let Some(location) = location {
                        self.redirect
                            .get_or_insert_with(|| location.replace("{http.request.uri}", "{uri}"));
                        self.add_paths(paths);
                    }
                }
            }
            _ => {}
        }
    }

    fn add_paths(&mut self, paths: &[String]) {
        let paths: Vec<String> = if paths.is_empty() {
            vec!["/".to_owned()]
        } else {
            paths.to_vec()
        };
        for path in paths {
            let path = path.strip_suffix('*').unwrap_or(&path);
            let path = if path.is_empty() { "/" } else { path };
            if !self.paths.iter().any(|p| p == path) {
                self.paths.push(path.to_owned());
            }
        }
    }

    fn into_route(self) -> Route {
        let target_port = self.upstreams.iter().find_map(|u| port_of(u));
        let mut paths = self.paths;
        if paths.is_empty() {
            paths.push("/".to_owned());
        }
        Route {
            hosts: self.hosts,
            paths,
            rule: self.rules.join(" or "),
            entry_points: dedup(self.listen.into_iter()),
            tls: self.tls,
            redirect_to_https: self.tls && self.redirects && !self.plain,
            target_port,
            port_source: if target_port.is_some() {
                PortSource::Loaded
            } else {
                PortSource::Unknown
            },
            provider: RouteProvider::CaddyConfig,
            upstreams: self.upstreams,
            redirect: self.redirect,
            ..Route::new(self.id, ProxyKind::Caddy)
        }
    }
}

fn array(v: &Value) -> &[Value] {
    v.as_array().map_or(&[], Vec::as_slice)
}

fn strings(v: &Value) -> Vec<String> {
    array(v)
        .iter()
        .filter_map(Value::as_str)
        .map(str::to_owned)
        .collect()
}

/// The values of one matcher (`host`, `path`) over every matcher set of a route.
fn matcher_values(sets: &Value, matcher: &str) -> Vec<String> {
    dedup(array(sets).iter().flat_map(|set| strings(&set[matcher])))
}

/// `host a.com, b.com; path /api/*` for the route's matcher sets.
fn describe_match(sets: &Value) -> String {
    array(sets)
        .iter()
        .filter_map(Value::as_object)
        .map(|set| {
            set.iter()
                .map(|(name, value)| match value {
                    Value::Array(items) => format!(
                        "{name} {}",
                        items
                            .iter()
                            .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_owned))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    other => format!("{name} {other}"),
                })
                .collect::<Vec<_>>()
                .join("; ")
        })
        .collect::<Vec<_>>()
        .join(" or ")
}

/// The port at the end of `host:port`, `:443`, `http://host:port/…` or `[::1]:8080`.
pub(crate) fn port_of(address: &str) -> Option<u16> {
    let rest = address.split_once("://").map_or(address, |(_, r)| r);
    let authority = rest.split('/').next().unwrap_or_default();
    let (_, port) = authority.rsplit_once(':')?;
    port.parse().ok()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    /// Caddy 2.6.2 (Debian's package) answering `GET /config/` for
    /// `caddy-2.6.2-caddyfile.Caddyfile`: recorded, not written by hand.
    const CADDYFILE_CONFIG: &str = include_str!("fixtures/caddy-2.6.2-caddyfile-config.json");
    /// The same Caddy for the Caddyfile caddy-docker-proxy generates from Coolify's labels.
    const DOCKER_PROXY_CONFIG: &str =
        include_str!("fixtures/caddy-2.6.2-docker-proxy-like-config.json");

    fn by_host<'a>(routes: &'a [Route], host: &str) -> &'a Route {
        routes
            .iter()
            .find(|r| r.serves(host))
            .unwrap_or_else(|| panic!("no route for {host} in {routes:#?}"))
    }

    #[test]
    fn a_caddyfile_config_gives_one_route_per_site_with_its_upstreams_and_ports() {
        let routes = routes(CADDYFILE_CONFIG).unwrap();
        assert_eq!(routes.len(), 5, "{routes:#?}");
        let app = by_host(&routes, "app.example.com");
        assert_eq!(app.kind, ProxyKind::Caddy);
        assert_eq!(app.provider, RouteProvider::CaddyConfig);
        assert_eq!(app.upstreams, ["app-uuid:3000"]);
        assert_eq!(
            (app.target_port, app.port_source),
            (Some(3000), PortSource::Loaded)
        );
        assert_eq!(app.paths, ["/"]);
        assert!(
            app.tls && app.redirect_to_https,
            "https only: Caddy redirects http"
        );
        assert!(app.containers.is_empty(), "containers are matched later");
    }

    #[test]
    fn a_site_on_http_and_https_is_tls_without_a_redirect_and_load_balances() {
        let routes = routes(CADDYFILE_CONFIG).unwrap();
        let plain = by_host(&routes, "plain.example.com");
        assert!(plain.tls);
        assert!(!plain.redirect_to_https, "http is served too");
        assert_eq!(plain.upstreams, ["10.0.1.20:8080", "10.0.1.21:8080"]);
        assert_eq!(plain.entry_points, [":18080", ":18443"]);
    }

    #[test]
    fn handle_blocks_give_their_paths_and_a_bare_upstream_dials_port_80() {
        let routes = routes(CADDYFILE_CONFIG).unwrap();
        let shop = by_host(&routes, "shop.example.com");
        assert_eq!(shop.upstreams, ["api:9000", "web:80"]);
        assert_eq!(shop.paths, ["/api/", "/"]);
        assert_eq!(shop.target_port, Some(9000));
    }

    #[test]
    fn redirects_and_static_responses_route_to_no_upstream() {
        let routes = routes(CADDYFILE_CONFIG).unwrap();
        let www = by_host(&routes, "www.example.com");
        assert_eq!(www.redirect.as_deref(), Some("https://example.com{uri}"));
        assert!(www.upstreams.is_empty());
        assert_eq!(www.target_port, None);
        let fixed = by_host(&routes, "static.example.com");
        assert!(fixed.upstreams.is_empty() && fixed.redirect.is_none());
    }

    #[test]
    fn the_docker_proxy_config_dials_container_ips() {
        let routes = routes(DOCKER_PROXY_CONFIG).unwrap();
        let api = by_host(&routes, "api.example.com");
        assert_eq!(api.upstreams, ["10.0.1.9:3001", "10.0.1.10:3001"]);
        let n8n = by_host(&routes, "n8n.example.com");
        assert_eq!(n8n.upstreams, ["10.0.2.5:5678"]);
        assert!(n8n.tls && !n8n.redirect_to_https);
    }

    #[test]
    fn garbage_html_and_foreign_json_are_refused_with_what_came_back() {
        for (text, words) in [
            ("<html><body>404 page not found</body></html>", "not JSON"),
            ("", "not JSON"),
            ("[1,2,3]", "not a Caddy configuration"),
            ("{\"routers\": {}}", "no Caddy `apps`"),
            ("{\"apps\": {\"http\": ", "not JSON"),
        ] {
            let err = routes(text).unwrap_err();
            assert!(err.contains(words), "{text:?}: {err}");
        }
        assert!(routes("null").is_err());
        assert_eq!(routes("{}").unwrap(), Vec::new());
    }

    #[test]
    fn odd_shapes_and_deep_nesting_never_panic() {
        let odd = r#"{"apps":{"http":{"servers":{"a":{"listen":[5],"routes":[
            {"match":[{"host":"x"}],"handle":[{"handler":"reverse_proxy","upstreams":[{"dial":7},{}]}]},
            {"match":[{"host":["y.com"],"path":[3]}],"handle":"no"},
            {"handle":[{"handler":"static_response","status_code":"302","headers":{"Location":[]}}]}
        ]},"b":7}}}}"#;
        let found = routes(odd).unwrap();
        assert_eq!(found.len(), 3, "{found:#?}");
        let mut deep =
            String::from(r#"{"handler":"reverse_proxy","upstreams":[{"dial":"deep:1"}]}"#);
        for _ in 0..20 {
            deep = format!(r#"{{"handler":"subroute","routes":[{{"handle":[{deep}]}}]}}"#);
        }
        let text = format!(
            r#"{{"apps":{{"http":{{"servers":{{"s":{{"listen":[":80"],"routes":[{{"match":[{{"host":["d.com"]}}],"handle":[{deep}]}}]}}}}}}}}}}"#
        );
        let found = routes(&text).unwrap();
        assert!(
            found[0].upstreams.is_empty(),
            "too deep: skipped, not crashed"
        );
        let deeper = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        assert!(
            routes(&deeper).is_err(),
            "JSON nested past serde's limit is refused"
        );
    }

    #[test]
    fn ports_are_read_from_every_address_shape() {
        assert_eq!(port_of("app:3000"), Some(3000));
        assert_eq!(port_of(":443"), Some(443));
        assert_eq!(port_of("http://10.0.1.9:3001/"), Some(3001));
        assert_eq!(port_of("[::1]:8080"), Some(8080));
        assert_eq!(port_of("app"), None);
        assert_eq!(port_of("unix//run/app.sock"), None);
    }
}
