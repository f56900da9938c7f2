//! Traefik without its API: where its file provider reads (from the command line, else its
//! static configuration file) and the routes in those files (YAML or TOML), merged as Traefik
//! merges a directory — Coolify's `/data/coolify/proxy/dynamic/*.yaml` ("Dynamic
//! Configurations") is mounted at `/traefik/dynamic/`.

use super::traefik_api::{build, get};
use super::Route;
use serde_json::{Map, Value};

/// Nesting deeper than this in a YAML file is cut (anchors cannot recurse in yaml-rust2, but a
/// hand-made file can still nest absurdly).
const MAX_DEPTH: usize = 64;

/// What the static configuration says about the file provider and the API.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StaticConfig {
    /// `--providers.file.directory`: every `.yml`, `.yaml` and `.toml` in it.
    pub directory: Option<String>,
    /// `--providers.file.filename`: one file.
    pub filename: Option<String>,
    /// `--configFile`: the static configuration file, when the command line names one.
    pub config_file: Option<String>,
    /// `--api.insecure=true`: the API answers on the `traefik` entry point (port 8080).
    pub api_insecure: bool,
}

/// Where Traefik looks for its static configuration file when the command line names none.
pub const DEFAULT_STATIC_FILES: [&str; 3] = [
    "/etc/traefik/traefik.yml",
    "/etc/traefik/traefik.yaml",
    "/etc/traefik/traefik.toml",
];

impl StaticConfig {
    /// From the container's command line (`Path` and `Args`): `--flag=value` or `--flag value`,
    /// flag names in any case, as Traefik reads them.
    pub fn from_args(args: &[String]) -> Self {
        let mut out = Self::default();
        let mut i = 0;
        while i < args.len() {
            let arg = args[i].trim();
            i += 1;
            let Some(flag) = arg.strip_prefix("--") else {
                continue;
            };
            let (name, value) = match flag.split_once('=') {
                Some((n, v)) => (n.to_ascii_lowercase(), Some(v.to_owned())),
                None => (flag.to_ascii_lowercase(), None),
            };
            let mut take = || {
                value.clone().or_else(|| {
                    let next = args.get(i).filter(|n| !n.starts_with("--"))?;
                    i += 1;
                    Some(next.clone())
                })
            };
            match name.as_str() {
                "providers.file.directory" => out.directory = take().filter(|v| !v.is_empty()),
                "providers.file.filename" => out.filename = take().filter(|v| !v.is_empty()),
                "configfile" => out.config_file = take().filter(|v| !v.is_empty()),
                "api.insecure" => {
                    out.api_insecure = value
                        .as_deref()
                        .is_none_or(|v| v.eq_ignore_ascii_case("true"))
                }
                _ => {}
            }
        }
        out
    }

    /// Adds what a static configuration file says, where the command line said nothing (Traefik
    /// takes its static configuration from one source only; the command line wins here because
    /// it is what runs when both exist).
    pub fn merge_file(&mut self, name: &str, text: &str) -> Result<(), String> {
        let doc = parse_document(name, text)?;
        let file = get(get(&doc, "providers"), "file");
        if self.directory.is_none() {
            self.directory = get(file, "directory").as_str().map(str::to_owned);
        }
        if self.filename.is_none() {
            self.filename = get(file, "filename").as_str().map(str::to_owned);
        }
        self.api_insecure |= get(get(&doc, "api"), "insecure").as_bool() == Some(true);
        Ok(())
    }
}

/// Whether the file provider would read this file from its directory.
pub fn is_dynamic_file(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    [".yml", ".yaml", ".toml"]
        .iter()
        .any(|ext| lower.ends_with(ext))
}

/// Parses a YAML or TOML document (by its extension; YAML otherwise) into JSON values.
pub fn parse_document(name: &str, text: &str) -> Result<Value, String> {
    if name.to_ascii_lowercase().ends_with(".toml") {
        return toml::from_str::<Value>(text)
            .map_err(|e| format!("{name} is not valid TOML: {}", first_line(&e.to_string())));
    }
    let docs = yaml_rust2::YamlLoader::load_from_str(text)
        .map_err(|e| format!("{name} is not valid YAML: {e}"))?;
    Ok(docs.first().map_or(Value::Null, |d| yaml_to_json(d, 0)))
}

fn first_line(text: &str) -> String {
    text.lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or(text)
        .trim()
        .to_owned()
}

fn yaml_to_json(doc: &yaml_rust2::Yaml, depth: usize) -> Value {
    use yaml_rust2::Yaml;
    if depth > MAX_DEPTH {
        return Value::Null;
    }
    match doc {
        Yaml::Real(r) => r
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map_or_else(|| Value::String(r.clone()), Value::Number),
        Yaml::Integer(i) => Value::Number((*i).into()),
        Yaml::String(s) => Value::String(s.clone()),
        Yaml::Boolean(b) => Value::Bool(*b),
        Yaml::Array(items) => {
            Value::Array(items.iter().map(|i| yaml_to_json(i, depth + 1)).collect())
        }
        Yaml::Hash(map) => Value::Object(
            map.iter()
                .filter_map(|(k, v)| {
                    let key = match k {
                        Yaml::String(s) | Yaml::Real(s) => s.clone(),
                        Yaml::Integer(i) => i.to_string(),
                        Yaml::Boolean(b) => b.to_string(),
                        _ => return None,
                    };
                    Some((key, yaml_to_json(v, depth + 1)))
                })
                .collect(),
        ),
        Yaml::Alias(_) | Yaml::Null | Yaml::BadValue => Value::Null,
    }
}

/// The routes of the file provider's files (name, content), merged as Traefik merges them: a
/// router or service defined differently in two files is refused (Traefik logs "defined
/// multiple times with different configurations" and drops it). Returns the routes and, for
/// files that could not be read, why.
pub fn routes_from_files(files: &[(String, String)]) -> (Vec<Route>, Vec<String>) {
    let mut problems = Vec::new();
    let mut routers: Map<String, Value> = Map::new();
    let mut services: Map<String, Value> = Map::new();
    let mut middlewares: Map<String, Value> = Map::new();
    let mut clashes: Vec<(String, Vec<String>)> = Vec::new();
    let mut origin: std::collections::BTreeMap<String, String> = std::collections::BTreeMap::new();
    for (name, text) in files {
        let doc = match parse_document(name, text) {
            Ok(doc) => doc,
            Err(e) => {
                problems.push(e);
                continue;
            }
        };
        let http = get(&doc, "http");
        for (section, into) in [
            ("routers", &mut routers),
            ("services", &mut services),
            ("middlewares", &mut middlewares),
        ] {
            let Some(entries) = get(http, section).as_object() else {
                continue;
            };
            for (key, value) in entries {
                let full = format!("{key}@file");
                match into.get(&full) {
                    Some(existing) if existing != value => {
                        let first = origin
                            .get(&format!("{section}/{full}"))
                            .cloned()
                            .unwrap_or_default();
                        clashes.push((format!("{section}/{full}"), vec![first, name.clone()]));
                    }
                    Some(_) => {}
                    None => {
                        origin.insert(format!("{section}/{full}"), name.clone());
                        into.insert(full, value.clone());
                    }
                }
            }
        }
    }
    // Traefik's own checks on what the files say: a router needs a service that exists.
    for router in routers.values_mut() {
        let Some(service) = router
            .get("service")
            .and_then(Value::as_str)
            .map(str::to_owned)
        else {
            continue;
        };
        let qualified = if service.contains('@') {
            service.clone()
        } else {
            format!("{service}@file")
        };
        if qualified.ends_with("@file") && !services.contains_key(&qualified) {
            mark_disabled(
                router,
                format!("the service \"{qualified}\" does not exist"),
            );
        }
    }
    for (key, files) in clashes {
        let (section, full) = key.split_once('/').unwrap_or(("routers", &key));
        let message = format!(
            "{} defined multiple times with different configurations in {}",
            if section == "routers" {
                "router"
            } else {
                "service"
            },
            files.join(" and ")
        );
        if section == "routers" {
            if let Some(router) = routers.get_mut(full) {
                mark_disabled(router, message);
            }
        } else {
            for router in routers.values_mut() {
                let uses = router
                    .get("service")
                    .and_then(Value::as_str)
                    .is_some_and(|s| format!("{s}@file") == full || s == full);
                if uses {
                    mark_disabled(router, message.clone());
                }
            }
        }
    }
    (build(&routers, &services, &middlewares), problems)
}

fn mark_disabled(router: &mut Value, message: String) {
    if let Value::Object(map) = router {
        map.insert("status".into(), Value::String("disabled".into()));
        let errors = map
            .entry("error")
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Value::Array(list) = errors {
            list.push(Value::String(message));
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::domain::proxy::{PortSource, RouteProvider, RouteStatus};

    const COOLIFY: &str = include_str!("fixtures/traefik-dynamic-coolify.yaml");
    const CATCHALL: &str = include_str!("fixtures/traefik-dynamic-default-redirect-503.yaml");
    const USER_TOML: &str = include_str!("fixtures/traefik-dynamic-user.toml");

    fn files(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(n, t)| ((*n).to_owned(), (*t).to_owned()))
            .collect()
    }

    fn by_id<'a>(routes: &'a [Route], id: &str) -> &'a Route {
        routes
            .iter()
            .find(|r| r.id == id)
            .unwrap_or_else(|| panic!("no {id}"))
    }

    /// Coolify's `docker-compose.yml` for the proxy (`generateDefaultProxyConfiguration`).
    fn coolify_command() -> Vec<String> {
        [
            "traefik",
            "--ping=true",
            "--ping.entrypoint=http",
            "--api.dashboard=true",
            "--api.insecure=false",
            "--entrypoints.http.address=:80",
            "--entrypoints.https.address=:443",
            "--providers.file.directory=/traefik/dynamic/",
            "--providers.file.watch=true",
            "--providers.docker=true",
            "--providers.docker.exposedbydefault=false",
        ]
        .map(String::from)
        .to_vec()
    }

    #[test]
    fn coolifys_command_line_names_the_dynamic_directory_and_no_insecure_api() {
        let config = StaticConfig::from_args(&coolify_command());
        assert_eq!(config.directory.as_deref(), Some("/traefik/dynamic/"));
        assert!(!config.api_insecure);
        let spaced = StaticConfig::from_args(
            &[
                "traefik",
                "--Providers.File.Filename",
                "/etc/dyn.toml",
                "--api.insecure",
                "--configFile=/etc/t.yml",
            ]
            .map(String::from),
        );
        assert_eq!(spaced.filename.as_deref(), Some("/etc/dyn.toml"));
        assert_eq!(spaced.config_file.as_deref(), Some("/etc/t.yml"));
        assert!(spaced.api_insecure);
    }

    #[test]
    fn a_static_file_fills_in_what_the_command_line_left_out() {
        let mut config = StaticConfig::default();
        config
            .merge_file(
                "traefik.yml",
                "providers:\n  file:\n    directory: /dyn\napi:\n  insecure: true\n",
            )
            .unwrap();
        assert_eq!(config.directory.as_deref(), Some("/dyn"));
        assert!(config.api_insecure);
        let mut toml_config = StaticConfig::default();
        toml_config
            .merge_file("traefik.toml", "[providers.file]\nfilename = \"/x.toml\"\n")
            .unwrap();
        assert_eq!(toml_config.filename.as_deref(), Some("/x.toml"));
        assert!(StaticConfig::default().merge_file("t.yml", "a: [").is_err());
    }

    #[test]
    fn coolifys_dynamic_files_give_its_dashboard_routes_and_the_catch_all() {
        let (routes, problems) = routes_from_files(&files(&[
            ("coolify.yaml", COOLIFY),
            ("default_redirect_503.yaml", CATCHALL),
        ]));
        assert!(problems.is_empty(), "{problems:?}");
        let https = by_id(&routes, "coolify-https@file");
        assert_eq!(https.provider, RouteProvider::File);
        assert_eq!(https.hosts, ["coolify.example.com"]);
        assert_eq!(https.upstreams, ["http://coolify:8080"]);
        assert_eq!(
            (https.target_port, https.port_source),
            (Some(8080), PortSource::Loaded)
        );
        assert!(https.tls);
        assert_eq!(https.cert_resolver.as_deref(), Some("letsencrypt"));
        assert!(by_id(&routes, "coolify-http@file").redirect_to_https);
        assert_eq!(
            by_id(&routes, "coolify-realtime-ws@file").upstreams,
            ["http://coolify-realtime:6001"]
        );
        let catchall = by_id(&routes, "catchall@file");
        assert!(
            catchall.upstreams.is_empty(),
            "Coolify's noop service has no servers"
        );
        assert_eq!(catchall.status, RouteStatus::Enabled);
    }

    #[test]
    fn toml_files_are_read_too() {
        let (routes, problems) = routes_from_files(&files(&[("user.toml", USER_TOML)]));
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(
            by_id(&routes, "legacy@file").upstreams,
            ["http://legacy-app:8080"]
        );
        assert_eq!(
            by_id(&routes, "typo@file").upstreams,
            ["http://legcy-app:8080"]
        );
    }

    #[test]
    fn a_missing_service_and_a_router_defined_twice_are_refused_as_traefik_refuses_them() {
        let a = "http:\n  routers:\n    web:\n      rule: Host(`a.com`)\n      service: web\n    lost:\n      rule: Host(`l.com`)\n      service: nowhere\n  services:\n    web:\n      loadBalancer:\n        servers:\n          - url: http://web:80\n";
        let b = "http:\n  routers:\n    web:\n      rule: Host(`b.com`)\n      service: web\n";
        let (routes, _) = routes_from_files(&files(&[("a.yml", a), ("b.yml", b)]));
        let lost = by_id(&routes, "lost@file");
        assert_eq!(lost.status, RouteStatus::Disabled);
        assert_eq!(lost.errors, ["the service \"nowhere@file\" does not exist"]);
        let web = by_id(&routes, "web@file");
        assert_eq!(web.status, RouteStatus::Disabled);
        assert!(
            web.errors[0].contains("defined multiple times")
                && web.errors[0].contains("a.yml and b.yml"),
            "{:?}",
            web.errors
        );
    }

    #[test]
    fn broken_files_are_named_and_the_others_still_read() {
        let (routes, problems) = routes_from_files(&files(&[
            ("broken.yaml", "http:\n  routers: [\n"),
            ("bad.toml", "[http\n"),
            ("coolify.yaml", COOLIFY),
            ("empty.yml", ""),
            ("list.yml", "- 1\n- 2\n"),
        ]));
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].starts_with("broken.yaml is not valid YAML"));
        assert!(problems[1].starts_with("bad.toml is not valid TOML"));
        assert_eq!(routes.len(), 4);
    }

    #[test]
    fn only_yaml_and_toml_files_are_dynamic_files() {
        assert!(
            is_dynamic_file("coolify.yaml")
                && is_dynamic_file("A.YML")
                && is_dynamic_file("x.toml")
        );
        assert!(!is_dynamic_file("README.md") && !is_dynamic_file("acme.json"));
    }
}
