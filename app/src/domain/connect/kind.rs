//! What the target speaks, so the address gets the right scheme and template: decided from
//! Coolify's database labels, then the image, then the port. Credentials are always
//! placeholders: netdoctor never reads a container's environment.

use crate::domain::topology::Container;
use serde::{Deserialize, Serialize};

/// The protocol family of the target, which decides the template.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum ServiceKind {
    Postgres,
    MySql,
    MariaDb,
    MongoDb,
    Redis,
    Http,
    Https,
    /// Anything else: plain `host:port`.
    Generic,
}

/// The kind and the sentence saying how it was recognised.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KindChoice {
    pub kind: ServiceKind,
    pub why: String,
}

/// Placeholders written where credentials go; never real values.
pub const USER: &str = "USER";
pub const PASSWORD: &str = "PASSWORD";
pub const DATABASE: &str = "DB";

impl ServiceKind {
    /// The port the software listens on unless configured otherwise.
    pub fn default_port(self) -> Option<u16> {
        match self {
            Self::Postgres => Some(5432),
            Self::MySql | Self::MariaDb => Some(3306),
            Self::MongoDb => Some(27017),
            Self::Redis => Some(6379),
            Self::Http | Self::Https | Self::Generic => None,
        }
    }

    /// A few words for the page: "PostgreSQL", "HTTP".
    pub fn label(self) -> &'static str {
        match self {
            Self::Postgres => "PostgreSQL",
            Self::MySql => "MySQL",
            Self::MariaDb => "MariaDB",
            Self::MongoDb => "MongoDB",
            Self::Redis => "Redis",
            Self::Http => "HTTP",
            Self::Https => "HTTPS",
            Self::Generic => "TCP",
        }
    }

    /// Whether the template has credential placeholders the user must fill in.
    pub fn has_credentials(self) -> bool {
        matches!(
            self,
            Self::Postgres | Self::MySql | Self::MariaDb | Self::MongoDb | Self::Redis
        )
    }

    /// The address in the form clients of this kind expect. `host` may be an IPv6 literal in
    /// brackets; `port` is omitted when unknown (the page then asks for one).
    pub fn url(self, host: &str, port: Option<u16>) -> String {
        let hp = match port {
            Some(p) => format!("{host}:{p}"),
            None => format!("{host}:PORT"),
        };
        match self {
            Self::Postgres => format!("postgres://{USER}:{PASSWORD}@{hp}/{DATABASE}"),
            // MariaDB speaks the MySQL protocol; Coolify's own internal URL uses `mysql://`.
            Self::MySql | Self::MariaDb => format!("mysql://{USER}:{PASSWORD}@{hp}/{DATABASE}"),
            Self::MongoDb => {
                format!("mongodb://{USER}:{PASSWORD}@{hp}/{DATABASE}?authSource=admin")
            }
            // Redis 6+ ACLs: the built-in user is `default`.
            Self::Redis => format!("redis://default:{PASSWORD}@{hp}/0"),
            Self::Http => format!("http://{hp}"),
            Self::Https => format!("https://{hp}"),
            Self::Generic => hp,
        }
    }

    /// The environment variable clients of this kind conventionally read. `name` is the
    /// target's service name, used for HTTP and plain TCP targets (`API_URL`, `SEARCH_ADDR`).
    pub fn env_var(self, name: &str) -> String {
        match self {
            Self::Postgres | Self::MySql | Self::MariaDb => "DATABASE_URL".to_owned(),
            Self::MongoDb => "MONGODB_URI".to_owned(),
            Self::Redis => "REDIS_URL".to_owned(),
            Self::Http | Self::Https => format!("{}_URL", env_name(name)),
            Self::Generic => format!("{}_ADDR", env_name(name)),
        }
    }
}

/// `my-express-api` → `MY_EXPRESS_API`; never empty, never starting with a digit.
pub fn env_name(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_uppercase());
        } else if !out.ends_with('_') && !out.is_empty() {
            out.push('_');
        }
    }
    let out = out.trim_end_matches('_').to_owned();
    match out.chars().next() {
        None => "SERVICE".to_owned(),
        Some(c) if c.is_ascii_digit() => format!("SVC_{out}"),
        Some(_) => out,
    }
}

/// Coolify's `coolify.database.subType` values for standalone databases.
fn from_database_type(sub_type: &str) -> Option<ServiceKind> {
    let kind = match sub_type.strip_prefix("standalone-").unwrap_or(sub_type) {
        "postgresql" => ServiceKind::Postgres,
        "mysql" => ServiceKind::MySql,
        "mariadb" => ServiceKind::MariaDb,
        "mongodb" => ServiceKind::MongoDb,
        "redis" | "keydb" | "dragonfly" => ServiceKind::Redis,
        _ => return None,
    };
    Some(kind)
}

/// The image's repository name without registry, namespace, tag or digest:
/// `ghcr.io/bitnami/postgresql:16@sha256:…` → `postgresql`.
pub fn image_repository(image: &str) -> String {
    let image = image.trim().to_ascii_lowercase();
    let without_digest = image.split('@').next().unwrap_or_default();
    let last = without_digest.rsplit('/').next().unwrap_or_default();
    last.split(':').next().unwrap_or_default().to_owned()
}

fn from_image(image: &str) -> Option<ServiceKind> {
    let repo = image_repository(image);
    let kind = match repo.as_str() {
        "postgres" | "postgresql" | "postgis" | "timescaledb" | "timescaledb-ha" | "pgvector"
        | "supabase-postgres" => ServiceKind::Postgres,
        "mysql" | "mysql-server" | "percona-server" => ServiceKind::MySql,
        "mariadb" => ServiceKind::MariaDb,
        "mongo" | "mongodb" | "mongodb-community-server" => ServiceKind::MongoDb,
        "redis" | "redis-stack-server" | "valkey" | "keydb" | "dragonfly" => ServiceKind::Redis,
        _ => return None,
    };
    Some(kind)
}

/// Ports that usually speak HTTP inside a container network.
const HTTP_PORTS: [u16; 12] = [
    80, 3000, 3001, 4000, 5000, 5678, 8000, 8008, 8080, 8081, 8888, 9000,
];
const HTTPS_PORTS: [u16; 2] = [443, 8443];

fn from_port(port: u16) -> Option<ServiceKind> {
    match port {
        5432 => Some(ServiceKind::Postgres),
        3306 => Some(ServiceKind::MySql),
        27017 => Some(ServiceKind::MongoDb),
        6379 => Some(ServiceKind::Redis),
        p if HTTPS_PORTS.contains(&p) => Some(ServiceKind::Https),
        p if HTTP_PORTS.contains(&p) => Some(ServiceKind::Http),
        _ => None,
    }
}

/// What the target is, before a port is chosen: Coolify's database label, then the image.
pub fn kind_of_target(c: &Container) -> Option<KindChoice> {
    if let Some(sub) = c.coolify.as_ref().and_then(|i| i.database_type.as_deref()) {
        if let Some(kind) = from_database_type(sub) {
            return Some(KindChoice {
                kind,
                why: format!(
                    "{} is a Coolify {} database (label coolify.database.subType={sub}).",
                    c.name,
                    kind.label()
                ),
            });
        }
    }
    from_image(&c.image).map(|kind| KindChoice {
        kind,
        why: format!(
            "{} runs the image {}, a {} server.",
            c.name,
            c.image,
            kind.label()
        ),
    })
}

/// The kind for a chosen port when the image did not tell: the proxy routes to it (so it
/// speaks HTTP), or the port is a well-known one; else plain `host:port`.
pub fn kind_for_port(c: &Container, port: Option<u16>, routed: bool) -> KindChoice {
    if let Some(known) = kind_of_target(c) {
        return known;
    }
    let Some(port) = port else {
        return KindChoice {
            kind: ServiceKind::Generic,
            why: format!(
                "Nothing in {}'s image or labels says what it speaks, so the address is plain host:port.",
                c.name
            ),
        };
    };
    if routed {
        return KindChoice {
            kind: ServiceKind::Http,
            why: format!("The proxy routes web traffic to port {port}, so it speaks HTTP."),
        };
    }
    match from_port(port) {
        Some(kind) => KindChoice {
            kind,
            why: format!(
                "Port {port} is where {} usually listens; the image ({}) does not say more.",
                kind.label(),
                c.image
            ),
        },
        None => KindChoice {
            kind: ServiceKind::Generic,
            why: format!(
                "Nothing in {}'s image or labels says what port {port} speaks, so the address is plain host:port.",
                c.name
            ),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::findings::test_support::{container, recorded, N8N};

    #[test]
    fn a_coolify_database_label_decides_the_kind_before_the_image() {
        let t = recorded();
        let db = t.container("ro8kcog4kso4ck0ows4k4wkw").expect("db");
        let k = kind_of_target(db).expect("known");
        assert_eq!(k.kind, ServiceKind::Postgres);
        assert!(k
            .why
            .contains("coolify.database.subType=standalone-postgresql"));
        let mut redis = container("ro8kcog4kso4ck0ows4k4wkx");
        redis.image = "example/unknown:1".into();
        redis.coolify = crate::domain::coolify::CoolifyIdentity::from_labels(
            "x",
            &[
                ("coolify.managed", "true"),
                ("coolify.type", "database"),
                ("coolify.database.subType", "standalone-keydb"),
            ]
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
        );
        assert_eq!(
            kind_of_target(&redis).map(|k| k.kind),
            Some(ServiceKind::Redis)
        );
    }

    #[test]
    fn database_images_are_recognised_whatever_the_registry_and_tag() {
        for (image, kind) in [
            ("postgres:16-alpine", ServiceKind::Postgres),
            (
                "docker.io/bitnami/postgresql:16@sha256:abc",
                ServiceKind::Postgres,
            ),
            ("mysql:8", ServiceKind::MySql),
            ("mariadb:11", ServiceKind::MariaDb),
            ("mongo:7", ServiceKind::MongoDb),
            ("redis:7-alpine", ServiceKind::Redis),
            ("valkey/valkey:8", ServiceKind::Redis),
            ("registry:5000/team/postgres", ServiceKind::Postgres),
        ] {
            let mut c = container("x1");
            c.image = image.into();
            assert_eq!(kind_of_target(&c).map(|k| k.kind), Some(kind), "{image}");
        }
        let mut app = container("x1");
        app.image = "ghcr.io/example/app:latest".into();
        assert_eq!(kind_of_target(&app), None);
    }

    #[test]
    fn a_routed_port_speaks_http_even_on_an_unusual_number() {
        let t = recorded();
        let n8n = t.container(N8N).expect("n8n");
        let k = kind_for_port(n8n, Some(5678), true);
        assert_eq!(k.kind, ServiceKind::Http);
        assert!(k.why.contains("proxy routes"));
        let mut c = container("x1");
        c.image = "example/odd".into();
        assert_eq!(kind_for_port(&c, Some(7777), true).kind, ServiceKind::Http);
    }

    #[test]
    fn well_known_ports_decide_when_image_and_labels_do_not() {
        let mut c = container("x1");
        c.image = "example/odd".into();
        assert_eq!(
            kind_for_port(&c, Some(5432), false).kind,
            ServiceKind::Postgres
        );
        assert_eq!(
            kind_for_port(&c, Some(8443), false).kind,
            ServiceKind::Https
        );
        assert_eq!(kind_for_port(&c, Some(3000), false).kind, ServiceKind::Http);
        assert_eq!(
            kind_for_port(&c, Some(7777), false).kind,
            ServiceKind::Generic
        );
        assert_eq!(kind_for_port(&c, None, false).kind, ServiceKind::Generic);
    }

    #[test]
    fn templates_carry_placeholders_never_credentials() {
        assert_eq!(
            ServiceKind::Postgres.url("db", Some(5432)),
            "postgres://USER:PASSWORD@db:5432/DB"
        );
        assert_eq!(
            ServiceKind::MariaDb.url("db", Some(3306)),
            "mysql://USER:PASSWORD@db:3306/DB"
        );
        assert_eq!(
            ServiceKind::MongoDb.url("m", Some(27017)),
            "mongodb://USER:PASSWORD@m:27017/DB?authSource=admin"
        );
        assert_eq!(
            ServiceKind::Redis.url("r", Some(6379)),
            "redis://default:PASSWORD@r:6379/0"
        );
        assert_eq!(ServiceKind::Http.url("api", Some(3001)), "http://api:3001");
        assert_eq!(ServiceKind::Https.url("api", Some(443)), "https://api:443");
        assert_eq!(ServiceKind::Generic.url("x", Some(7)), "x:7");
        assert_eq!(ServiceKind::Generic.url("x", None), "x:PORT");
    }

    #[test]
    fn env_lines_use_the_conventional_variable_for_each_kind() {
        assert_eq!(ServiceKind::Postgres.env_var("db"), "DATABASE_URL");
        assert_eq!(ServiceKind::Redis.env_var("cache"), "REDIS_URL");
        assert_eq!(ServiceKind::MongoDb.env_var("m"), "MONGODB_URI");
        assert_eq!(
            ServiceKind::Http.env_var("my-express-api"),
            "MY_EXPRESS_API_URL"
        );
        assert_eq!(ServiceKind::Generic.env_var("9search"), "SVC_9SEARCH_ADDR");
        assert_eq!(env_name("--"), "SERVICE");
    }
}
