//! The allow-list: every diagnostic command netdoctor may run, as fixed argv arrays with the
//! validated value as one element of its own. No shell is ever involved, so `;`, `$(…)` or a
//! newline in a value could do nothing even if validation let one through — and it does not.

use crate::domain::checks::input::{Host, Hostname, Port, ProbeUrl};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A program a container may have. The runner looks for them in this order of preference per
/// probe and remembers which are missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Tool {
    Getent,
    Nslookup,
    Ping,
    Wget,
    Curl,
    Nc,
    Netstat,
    Cat,
}

impl Tool {
    pub const ALL: [Tool; 8] = [
        Self::Getent,
        Self::Nslookup,
        Self::Ping,
        Self::Wget,
        Self::Curl,
        Self::Nc,
        Self::Netstat,
        Self::Cat,
    ];

    /// The program name looked up on the container's `PATH`.
    pub fn program(self) -> &'static str {
        match self {
            Self::Getent => "getent",
            Self::Nslookup => "nslookup",
            Self::Ping => "ping",
            Self::Wget => "wget",
            Self::Curl => "curl",
            Self::Nc => "nc",
            Self::Netstat => "netstat",
            Self::Cat => "cat",
        }
    }
}

impl fmt::Display for Tool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.program())
    }
}

/// Seconds `nc` waits for a connection, and `ping` for its reply.
pub const CONNECT_WAIT_SECS: u8 = 3;
pub const PING_WAIT_SECS: u8 = 2;
/// Seconds `curl` may take for a whole request. Busybox `wget -T` crashes Debian's static
/// busybox (exit 139), so wget runs without one and the runner's own timeout bounds it.
pub const HTTP_WAIT_SECS: u8 = 8;

/// The most a proxy's configuration answer may be: bigger configs are cut here, and the
/// reader says so instead of parsing half a document.
pub const PROXY_CONFIG_LIMIT: usize = 4 * 1024 * 1024;

/// A proxy's own view of its routes, asked on loopback inside its network namespace: fixed URLs,
/// nothing from input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ProxyApi {
    /// Caddy's admin API: the whole loaded config as JSON.
    CaddyConfig,
    /// Traefik's API on its `traefik` entry point: routers, services and middlewares with their
    /// status and errors.
    TraefikRawdata,
}

impl ProxyApi {
    /// The URL asked, on loopback (Caddy's admin API checks the Host header; `localhost` with
    /// the port is what it allows by default).
    pub fn url(self) -> &'static str {
        match self {
            Self::CaddyConfig => "http://localhost:2019/config/",
            Self::TraefikRawdata => "http://localhost:8080/api/rawdata",
        }
    }
}

/// One diagnostic question, asked from inside a container's network namespace.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Probe {
    /// Does this name resolve, and to what? (`getent hosts`, `nslookup`)
    Resolve { name: Hostname },
    /// Does this host answer ICMP echo? (`ping -c 1`)
    Ping { host: Host },
    /// Does a TCP connection to host:port open? (`nc`, else an HTTP client's connect)
    TcpConnect { host: Host, port: Port },
    /// What does an HTTP request to this URL answer? (`curl`, `wget`)
    HttpGet { url: ProbeUrl },
    /// The container's resolver configuration.
    ReadResolvConf,
    /// Which TCP sockets listen, and on which address (`netstat -ltn`, `/proc/net/tcp`).
    Listeners,
    /// The proxy's loaded routes from its own API, on loopback (`wget -O -`, `curl`).
    ProxyApi { api: ProxyApi },
}

impl Probe {
    /// The tools that can answer this probe, preferred first.
    pub fn tools(&self) -> &'static [Tool] {
        match self {
            Self::Resolve { .. } => &[Tool::Getent, Tool::Nslookup],
            Self::Ping { .. } => &[Tool::Ping],
            Self::TcpConnect { .. } => &[Tool::Nc, Tool::Curl, Tool::Wget],
            Self::HttpGet { .. } => &[Tool::Curl, Tool::Wget],
            Self::ReadResolvConf => &[Tool::Cat],
            Self::Listeners => &[Tool::Netstat, Tool::Cat],
            Self::ProxyApi { .. } => &[Tool::Wget, Tool::Curl],
        }
    }

    /// Output kept for this probe when it needs more than the runner's default (a proxy's
    /// whole configuration).
    pub fn output_limit(&self) -> Option<usize> {
        match self {
            Self::ProxyApi { .. } => Some(PROXY_CONFIG_LIMIT),
            _ => None,
        }
    }

    /// The exact argv for this probe with this tool, or `None` when the tool cannot answer it.
    /// Each validated value is one element; nothing is ever joined into a shell string.
    pub fn argv(&self, tool: Tool) -> Option<Vec<String>> {
        let words = |w: &[&str]| w.iter().map(|s| (*s).to_owned()).collect::<Vec<String>>();
        let argv = match (self, tool) {
            (Self::Resolve { name }, Tool::Getent) => {
                let mut a = words(&["getent", "hosts"]);
                a.push(name.to_string());
                a
            }
            (Self::Resolve { name }, Tool::Nslookup) => {
                let mut a = words(&["nslookup"]);
                a.push(name.to_string());
                a
            }
            (Self::Ping { host }, Tool::Ping) => {
                let mut a = words(&["ping", "-c", "1", "-W"]);
                a.push(PING_WAIT_SECS.to_string());
                a.push(host.to_string());
                a
            }
            (Self::TcpConnect { host, port }, Tool::Nc) => {
                // Busybox nc has no `-z`; with stdin closed it connects and exits 0 at once.
                let mut a = words(&["nc", "-w"]);
                a.push(CONNECT_WAIT_SECS.to_string());
                a.push(host.to_string());
                a.push(port.to_string());
                a
            }
            (Self::TcpConnect { host, port }, Tool::Curl | Tool::Wget) => {
                return Self::HttpGet {
                    url: ProbeUrl::for_host_port(host, *port),
                }
                .argv(tool);
            }
            (Self::HttpGet { url }, Tool::Curl) => {
                let mut a = words(&["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}\n"]);
                a.push("--max-time".into());
                a.push(HTTP_WAIT_SECS.to_string());
                a.push(url.to_string());
                a
            }
            (Self::HttpGet { url }, Tool::Wget) => {
                let mut a = words(&["wget", "-q", "-S", "-O", "/dev/null"]);
                a.push(url.to_string());
                a
            }
            (Self::ProxyApi { api }, Tool::Wget) => words(&["wget", "-q", "-O", "-", api.url()]),
            (Self::ProxyApi { api }, Tool::Curl) => {
                let mut a = words(&["curl", "-sS", "--max-time"]);
                a.push(HTTP_WAIT_SECS.to_string());
                a.push(api.url().to_owned());
                a
            }
            (Self::ReadResolvConf, Tool::Cat) => words(&["cat", "/etc/resolv.conf"]),
            (Self::Listeners, Tool::Netstat) => words(&["netstat", "-ltn"]),
            (Self::Listeners, Tool::Cat) => words(&["cat", "/proc/net/tcp", "/proc/net/tcp6"]),
            _ => return None,
        };
        Some(argv)
    }

    /// What the probe asks, in a few words for the run log.
    pub fn describe(&self) -> String {
        match self {
            Self::Resolve { name } => format!("resolve {name}"),
            Self::Ping { host } => format!("ping {host}"),
            Self::TcpConnect { host, port } => format!("connect to {host}:{port}"),
            Self::HttpGet { url } => format!("HTTP request to {url}"),
            Self::ReadResolvConf => "read /etc/resolv.conf".into(),
            Self::Listeners => "list listening TCP sockets".into(),
            Self::ProxyApi { api } => format!("read the proxy's routes from {}", api.url()),
        }
    }
}

/// The command for the server's log: as [`display_argv`], with every URL's query string left
/// out — a URL typed into a check may carry a token (`?token=…`), and the log outlives the page.
pub fn display_argv_for_log(argv: &[String]) -> String {
    let shown: Vec<String> = argv
        .iter()
        .map(|arg| match (arg.find("://"), arg.find('?')) {
            (Some(scheme), Some(q)) if q > scheme => format!("{}?…", &arg[..q]),
            _ => arg.clone(),
        })
        .collect();
    display_argv(&shown)
}

/// An argv as a user would type it (for display only: nothing is ever run through a shell).
pub fn display_argv(argv: &[String]) -> String {
    argv.iter()
        .map(|a| {
            if !a.is_empty()
                && a.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_./:=@,+[]".contains(c))
            {
                a.clone()
            } else {
                format!("'{}'", a.replace('\'', r"'\''"))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(n: &str) -> Hostname {
        Hostname::parse(n).expect("name")
    }

    #[test]
    fn the_log_line_of_a_probe_leaves_out_query_strings() {
        let argv: Vec<String> = [
            "wget",
            "-q",
            "-O",
            "-",
            "http://web:80/hook?token=abc&x=1",
            "a?b",
        ]
        .map(String::from)
        .to_vec();
        let logged = display_argv_for_log(&argv);
        assert_eq!(logged, "wget -q -O - 'http://web:80/hook?…' 'a?b'");
        assert!(!logged.contains("abc"));
    }

    #[test]
    fn each_probe_runs_a_fixed_argv_with_the_value_as_its_own_element() {
        let db = Host::parse("db").expect("host");
        let port = Port::parse("5432").expect("port");
        assert_eq!(
            Probe::Resolve { name: name("db") }.argv(Tool::Nslookup),
            Some(vec!["nslookup".to_owned(), "db".to_owned()])
        );
        assert_eq!(
            Probe::Resolve { name: name("db") }.argv(Tool::Getent),
            Some(vec!["getent".into(), "hosts".into(), "db".into()])
        );
        assert_eq!(
            Probe::TcpConnect {
                host: db.clone(),
                port
            }
            .argv(Tool::Nc),
            Some(vec![
                "nc".into(),
                "-w".into(),
                "3".into(),
                "db".into(),
                "5432".into()
            ])
        );
        assert_eq!(
            Probe::Ping {
                host: Host::parse("8.8.8.8").expect("ip")
            }
            .argv(Tool::Ping),
            Some(vec![
                "ping".into(),
                "-c".into(),
                "1".into(),
                "-W".into(),
                "2".into(),
                "8.8.8.8".into()
            ])
        );
        assert_eq!(
            Probe::Listeners.argv(Tool::Netstat),
            Some(vec!["netstat".into(), "-ltn".into()])
        );
        assert_eq!(
            Probe::ReadResolvConf.argv(Tool::Cat),
            Some(vec!["cat".into(), "/etc/resolv.conf".into()])
        );
    }

    #[test]
    fn a_connection_test_without_nc_falls_back_to_an_http_client() {
        let probe = Probe::TcpConnect {
            host: Host::parse("web").expect("host"),
            port: Port::parse("3000").expect("port"),
        };
        assert_eq!(probe.tools(), &[Tool::Nc, Tool::Curl, Tool::Wget]);
        assert_eq!(
            probe
                .argv(Tool::Wget)
                .expect("wget")
                .last()
                .map(String::as_str),
            Some("http://web:3000/")
        );
    }

    #[test]
    fn no_argv_ever_goes_through_a_shell_and_every_program_is_on_the_allow_list() {
        let url = ProbeUrl::parse("http://web:3000/health").expect("url");
        let probes = [
            Probe::Resolve { name: name("db") },
            Probe::Ping {
                host: Host::parse("db").expect("host"),
            },
            Probe::TcpConnect {
                host: Host::parse("db").expect("host"),
                port: Port::parse("1").expect("port"),
            },
            Probe::HttpGet { url },
            Probe::ReadResolvConf,
            Probe::Listeners,
            Probe::ProxyApi {
                api: ProxyApi::CaddyConfig,
            },
            Probe::ProxyApi {
                api: ProxyApi::TraefikRawdata,
            },
        ];
        let programs: Vec<&str> = Tool::ALL.iter().map(|t| t.program()).collect();
        for p in &probes {
            assert!(!p.tools().is_empty());
            for tool in Tool::ALL {
                let Some(argv) = p.argv(tool) else { continue };
                assert!(programs.contains(&argv[0].as_str()), "{argv:?}");
                assert!(
                    !["sh", "ash", "bash", "zsh", "env", "busybox", "timeout"]
                        .contains(&argv[0].as_str()),
                    "no interpreter or wrapper ever runs: {argv:?}"
                );
            }
            for tool in p.tools() {
                assert!(
                    p.argv(*tool).is_some(),
                    "{p:?} lists {tool} but has no argv"
                );
            }
        }
        assert!(Probe::ReadResolvConf.argv(Tool::Nc).is_none());
    }

    #[test]
    fn a_proxys_routes_are_read_from_fixed_loopback_urls_with_a_bigger_cap() {
        let caddy = Probe::ProxyApi {
            api: ProxyApi::CaddyConfig,
        };
        assert_eq!(
            caddy.argv(Tool::Wget),
            Some(
                ["wget", "-q", "-O", "-", "http://localhost:2019/config/"]
                    .map(String::from)
                    .to_vec()
            )
        );
        let traefik = Probe::ProxyApi {
            api: ProxyApi::TraefikRawdata,
        };
        assert_eq!(
            traefik
                .argv(Tool::Curl)
                .and_then(|a| a.last().cloned())
                .as_deref(),
            Some("http://localhost:8080/api/rawdata")
        );
        assert_eq!(traefik.output_limit(), Some(PROXY_CONFIG_LIMIT));
        assert_eq!(Probe::Listeners.output_limit(), None);
        assert!(traefik.argv(Tool::Nc).is_none());
    }

    #[test]
    fn argv_is_shown_quoted_the_way_a_user_would_type_it() {
        let argv: Vec<String> = ["curl", "-w", "%{http_code}\n", "http://web/"]
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        assert_eq!(display_argv(&argv), "curl -w '%{http_code}\n' http://web/");
    }
}
