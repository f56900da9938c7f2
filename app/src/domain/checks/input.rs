//! What a user may type into a check — host names, addresses, ports, URLs — parsed once into
//! types that cannot hold anything a command line could misread. A probe's argv is built only
//! from these, so a value can never become a second argument, an option or a shell word.

use crate::domain::names::{ContainerName, NameError};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::net::IpAddr;

/// Why a check input was refused. Nothing runs when one is returned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    #[error("{what} is empty")]
    Empty { what: &'static str },
    #[error("{what} is at most {max} characters; this one has {len}")]
    TooLong {
        what: &'static str,
        len: usize,
        max: usize,
    },
    #[error("{what} contains {found}, which is never allowed here: {allowed}")]
    Forbidden {
        what: &'static str,
        found: String,
        allowed: &'static str,
    },
    #[error("{what} cannot start with `-`: a command would read it as an option")]
    LeadingDash { what: &'static str },
    #[error("{what}: {reason}")]
    Invalid { what: &'static str, reason: String },
    #[error("{0}")]
    Container(#[from] NameError),
}

const HOST_CHARS: &str = "letters, digits, `-`, `_` and `.`";

/// How a refused character reads in an error message: named when it is invisible or easily
/// confused, quoted otherwise.
fn describe_char(c: char) -> String {
    match c {
        '\n' => "a newline".into(),
        '\r' => "a carriage return".into(),
        '\t' => "a tab".into(),
        ' ' => "a space".into(),
        '`' => "a backtick".into(),
        '\'' => "a quote (')".into(),
        '"' => "a quote (\")".into(),
        c if c.is_control() => format!("a control character (U+{:04X})", u32::from(c)),
        c if !c.is_ascii() => format!("the non-ASCII character `{c}`"),
        c => format!("`{c}`"),
    }
}

/// A DNS name or a container name or alias, as resolvers take it: labels of letters, digits,
/// `-` and `_` separated by dots; at most 253 characters, labels at most 63, no label starting
/// with `-`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Hostname(String);

impl Hostname {
    pub const MAX_LEN: usize = 253;
    pub const MAX_LABEL: usize = 63;

    pub fn parse(input: &str) -> Result<Self, InputError> {
        Self::parse_as("the host name", input)
    }

    fn parse_as(what: &'static str, input: &str) -> Result<Self, InputError> {
        check_length(what, input, Self::MAX_LEN)?;
        if let Some(c) = input
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        {
            return Err(InputError::Forbidden {
                what,
                found: describe_char(c),
                allowed: HOST_CHARS,
            });
        }
        if input.starts_with('-') {
            return Err(InputError::LeadingDash { what });
        }
        for label in input.split('.') {
            if label.is_empty() {
                return Err(InputError::Invalid {
                    what,
                    reason: format!(
                        "`{input}` has an empty label (two dots in a row, or a dot at either end)"
                    ),
                });
            }
            if label.len() > Self::MAX_LABEL {
                return Err(InputError::Invalid {
                    what,
                    reason: format!(
                        "a label is at most {} characters; `{}…` has {}",
                        Self::MAX_LABEL,
                        &label[..16],
                        label.len()
                    ),
                });
            }
            if label.starts_with('-') {
                return Err(InputError::Invalid {
                    what,
                    reason: format!("the label `{label}` starts with `-`"),
                });
            }
        }
        Ok(Self(input.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Hostname {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where to send a probe: a name to resolve or an IP address.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Host {
    Name(Hostname),
    Ip(IpAddr),
}

impl Host {
    /// An IP address (v4 or v6) when it reads as one, else a host name.
    pub fn parse(input: &str) -> Result<Self, InputError> {
        match input.parse::<IpAddr>() {
            Ok(ip) => Ok(Self::Ip(ip)),
            Err(_) => Hostname::parse_as("the host", input).map(Self::Name),
        }
    }

    /// As the host part of a URL: IPv6 in brackets.
    pub fn url_host(&self) -> String {
        match self {
            Self::Ip(IpAddr::V6(ip)) => format!("[{ip}]"),
            other => other.to_string(),
        }
    }
}

impl fmt::Display for Host {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Name(n) => n.fmt(f),
            Self::Ip(ip) => ip.fmt(f),
        }
    }
}

/// A TCP port, 1–65535.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Port(u16);

impl Port {
    pub fn parse(input: &str) -> Result<Self, InputError> {
        let what = "the port";
        if input.is_empty() {
            return Err(InputError::Empty { what });
        }
        if input.len() > 5 || !input.bytes().all(|b| b.is_ascii_digit()) {
            return Err(InputError::Invalid {
                what,
                reason: format!(
                    "`{}` is not a number from 1 to 65535",
                    input
                        .chars()
                        .take(40)
                        .map(|c| c.escape_default().to_string())
                        .collect::<String>()
                ),
            });
        }
        match input.parse::<u16>() {
            Ok(p) if p > 0 => Ok(Self(p)),
            _ => Err(InputError::Invalid {
                what,
                reason: format!("{input} is not a number from 1 to 65535"),
            }),
        }
    }

    /// A port the Engine reported (exposed or listening); 0 is not a port.
    pub fn new(port: u16) -> Option<Self> {
        (port > 0).then_some(Self(port))
    }

    pub fn get(self) -> u16 {
        self.0
    }
}

impl fmt::Display for Port {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// `container:port`, as `--to` takes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContainerPort {
    pub container: ContainerName,
    pub port: Port,
}

impl ContainerPort {
    pub fn parse(input: &str) -> Result<Self, InputError> {
        let Some((name, port)) = input.rsplit_once(':') else {
            return Err(InputError::Invalid {
                what: "the target",
                reason: "write it as ADDRESS:PORT: a container name, alias, service name or IP, then the port (`db:5432`, `my-express-api:3001`, `172.18.0.5:80`)".into(),
            });
        };
        Ok(Self {
            container: ContainerName::parse(name)?,
            port: Port::parse(port)?,
        })
    }
}

impl fmt::Display for ContainerPort {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.container, self.port)
    }
}

/// An `http://` or `https://` URL to request: the host validated like [`Host`], no user info,
/// and only the characters URLs need (no whitespace, quotes, `;`, `$`, `&`, `|`, backticks).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ProbeUrl {
    url: String,
    host: Host,
    port: Option<Port>,
    https: bool,
}

impl ProbeUrl {
    pub const MAX_LEN: usize = 2048;
    const PATH_CHARS: &'static str =
        "letters, digits and `-._~/?#%=+:@,!*` (percent-encode anything else)";

    pub fn parse(input: &str) -> Result<Self, InputError> {
        let what = "the URL";
        check_length(what, input, Self::MAX_LEN)?;
        if let Some(c) = input.chars().find(|c| c.is_whitespace() || c.is_control()) {
            return Err(InputError::Forbidden {
                what,
                found: describe_char(c),
                allowed: Self::PATH_CHARS,
            });
        }
        let lower = input.to_ascii_lowercase();
        let (https, rest) = if lower.starts_with("http://") {
            (false, &input[7..])
        } else if lower.starts_with("https://") {
            (true, &input[8..])
        } else {
            return Err(InputError::Invalid {
                what,
                reason: "only http:// and https:// URLs can be requested".into(),
            });
        };
        let split = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let (authority, path) = rest.split_at(split);
        if authority.contains('@') {
            return Err(InputError::Invalid {
                what,
                reason: "user names and passwords (`user@host`) are not allowed in the URL".into(),
            });
        }
        if let Some(c) = path.chars().find(|c| {
            !(c.is_ascii_alphanumeric()
                || matches!(
                    c,
                    '-' | '.'
                        | '_'
                        | '~'
                        | '/'
                        | '?'
                        | '#'
                        | '%'
                        | '='
                        | '+'
                        | ':'
                        | '@'
                        | ','
                        | '!'
                        | '*'
                ))
        }) {
            return Err(InputError::Forbidden {
                what,
                found: describe_char(c),
                allowed: Self::PATH_CHARS,
            });
        }
        let (host, port) = split_authority(authority)?;
        let scheme = if https { "https" } else { "http" };
        let port_part = port.map(|p| format!(":{p}")).unwrap_or_default();
        let path = if path.is_empty() { "/" } else { path };
        Ok(Self {
            url: format!("{scheme}://{}{port_part}{path}", host.url_host()),
            host,
            port,
            https,
        })
    }

    /// `http://host:port/` for a connection test.
    pub fn for_host_port(host: &Host, port: Port) -> Self {
        Self {
            url: format!("http://{}:{port}/", host.url_host()),
            host: host.clone(),
            port: Some(port),
            https: false,
        }
    }

    pub fn as_str(&self) -> &str {
        &self.url
    }

    pub fn host(&self) -> &Host {
        &self.host
    }

    /// The port the request goes to, default 80 or 443.
    pub fn port(&self) -> Port {
        self.port.unwrap_or(Port(if self.https { 443 } else { 80 }))
    }
}

impl fmt::Display for ProbeUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.url)
    }
}

/// `host`, `host:port`, `[v6]` or `[v6]:port`.
fn split_authority(authority: &str) -> Result<(Host, Option<Port>), InputError> {
    host_and_port("the URL's host", authority)
}

/// `host`, `host:port`, `1.2.3.4:port` or `[v6]:port`, the host validated like [`Host`]; `what`
/// names the field in errors.
pub fn host_and_port(
    what: &'static str,
    authority: &str,
) -> Result<(Host, Option<Port>), InputError> {
    if let Some(rest) = authority.strip_prefix('[') {
        let Some((ip, after)) = rest.split_once(']') else {
            return Err(InputError::Invalid {
                what,
                reason: "an IPv6 address needs its closing `]`".into(),
            });
        };
        let ip: std::net::Ipv6Addr = ip.parse().map_err(|_| InputError::Invalid {
            what,
            reason: format!("`{ip}` is not an IPv6 address"),
        })?;
        let port = match after {
            "" => None,
            p => Some(Port::parse(p.strip_prefix(':').unwrap_or(p))?),
        };
        return Ok((Host::Ip(IpAddr::V6(ip)), port));
    }
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) => (h, Some(Port::parse(p)?)),
        None => (authority, None),
    };
    if host.is_empty() {
        return Err(InputError::Empty { what });
    }
    let host = match host.parse::<std::net::Ipv4Addr>() {
        Ok(ip) => Host::Ip(IpAddr::V4(ip)),
        Err(_) => Host::Name(Hostname::parse_as(what, host)?),
    };
    Ok((host, port))
}

/// Refuses empty input and input longer than `max` bytes, before anything else is looked at.
fn check_length(what: &'static str, input: &str, max: usize) -> Result<(), InputError> {
    if input.is_empty() {
        return Err(InputError::Empty { what });
    }
    if input.len() > max {
        return Err(InputError::TooLong {
            what,
            len: input.len(),
            max,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every trick that would matter if a value reached a shell or an option parser.
    pub(crate) const INJECTIONS: [&str; 14] = [
        "web;id",
        "web; rm -rf /",
        "$(id)",
        "`id`",
        "web|nc evil 1",
        "web&&id",
        "web\nid",
        "web\rid",
        "'web'",
        "\"web\"",
        "we b",
        "-oProxyCommand=id",
        "--help",
        "web\0",
    ];

    #[test]
    fn host_names_and_container_names_that_resolvers_accept_parse() {
        for ok in [
            "db",
            "coolify-db",
            "postgres-b4k8w0gcc8sk4oowc84wg0o8-095730391184",
            "my_service",
            "example.com",
            "a.b-c.d",
        ] {
            assert_eq!(Hostname::parse(ok).expect(ok).as_str(), ok);
        }
    }

    #[test]
    fn every_injection_attempt_in_a_host_name_is_refused_with_a_reason() {
        for bad in INJECTIONS {
            let err = Hostname::parse(bad).expect_err(bad).to_string();
            assert!(err.starts_with("the host name"), "{bad:?}: {err}");
        }
        let err = Hostname::parse("web;id").expect_err("refused").to_string();
        assert!(err.contains("`;`"), "{err}");
        let err = Hostname::parse("web\nid").expect_err("refused").to_string();
        assert!(err.contains("a newline"), "{err}");
        let err = Hostname::parse("-x").expect_err("refused").to_string();
        assert!(err.contains("option"), "{err}");
    }

    #[test]
    fn very_long_names_and_labels_are_refused_with_their_length() {
        let long = "a".repeat(300);
        assert_eq!(
            Hostname::parse(&long),
            Err(InputError::TooLong {
                what: "the host name",
                len: 300,
                max: 253
            })
        );
        let label = format!("{}.com", "a".repeat(64));
        assert!(Hostname::parse(&label)
            .expect_err("label too long")
            .to_string()
            .contains("63"));
        assert!(Hostname::parse("a..b").is_err());
        assert!(Hostname::parse("a.-b").is_err());
        assert!(Hostname::parse(".a").is_err());
    }

    #[test]
    fn a_host_is_an_ip_when_it_reads_as_one_and_a_name_otherwise() {
        assert_eq!(
            Host::parse("8.8.8.8").expect("ip"),
            Host::Ip("8.8.8.8".parse().expect("ip"))
        );
        assert!(matches!(Host::parse("::1"), Ok(Host::Ip(IpAddr::V6(_)))));
        assert!(matches!(Host::parse("google.com"), Ok(Host::Name(_))));
        for bad in INJECTIONS {
            assert!(Host::parse(bad).is_err(), "{bad:?}");
        }
        assert_eq!(Host::parse("::1").expect("v6").url_host(), "[::1]");
    }

    #[test]
    fn ports_are_plain_numbers_from_1_to_65535() {
        assert_eq!(Port::parse("5432").expect("port").get(), 5432);
        assert_eq!(Port::parse("65535").expect("port").get(), 65535);
        for bad in [
            "",
            "0",
            "65536",
            "+80",
            "-1",
            "80;id",
            "8 0",
            "99999999999",
            "0x50",
            "$(id)",
        ] {
            assert!(Port::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_target_is_a_container_name_and_a_port() {
        let t = ContainerPort::parse("db:5432").expect("target");
        assert_eq!(t.container.as_str(), "db");
        assert_eq!(t.port.get(), 5432);
        assert_eq!(t.to_string(), "db:5432");
        for bad in [
            "db", ":80", "db:", "db;id:80", "$(id):80", "`id`:80", "db:80;id", "db\n:80", "-db:80",
        ] {
            assert!(ContainerPort::parse(bad).is_err(), "{bad:?}");
        }
        let long = format!("{}:80", "a".repeat(300));
        assert!(ContainerPort::parse(&long)
            .expect_err("too long")
            .to_string()
            .contains("300"));
    }

    #[test]
    fn http_and_https_urls_with_ordinary_paths_parse_and_normalise() {
        let u = ProbeUrl::parse("http://web:3000/health?x=1").expect("url");
        assert_eq!(u.as_str(), "http://web:3000/health?x=1");
        assert_eq!(u.port().get(), 3000);
        assert_eq!(
            ProbeUrl::parse("HTTP://google.com").expect("url").as_str(),
            "http://google.com/"
        );
        assert_eq!(
            ProbeUrl::parse("https://example.com")
                .expect("url")
                .port()
                .get(),
            443
        );
        assert_eq!(
            ProbeUrl::parse("http://[::1]:8080/").expect("v6").as_str(),
            "http://[::1]:8080/"
        );
        assert_eq!(
            ProbeUrl::parse("http://10.0.0.2/a%20b").expect("ip").host(),
            &Host::Ip("10.0.0.2".parse().expect("ip"))
        );
    }

    #[test]
    fn urls_with_other_schemes_user_info_or_shell_characters_are_refused() {
        for bad in [
            "",
            "ftp://x/",
            "file:///etc/passwd",
            "web:80",
            "-http://x",
            "http://user:pw@web/",
            "http://web/;id",
            "http://web/$(id)",
            "http://web/`id`",
            "http://web/a|b",
            "http://web/?a=1&b=2",
            "http://web/\nid",
            "http://web/ a",
            "http://web/'",
            "http://we;b/",
            "http://-web/",
            "http://web:0/",
            "http://web:99999/",
            "http:///path",
            "http://[::1/",
        ] {
            assert!(ProbeUrl::parse(bad).is_err(), "{bad:?}");
        }
        let long = format!("http://web/{}", "a".repeat(3000));
        assert!(matches!(
            ProbeUrl::parse(&long),
            Err(InputError::TooLong { .. })
        ));
        let err = ProbeUrl::parse("http://web/a&b")
            .expect_err("refused")
            .to_string();
        assert!(err.contains("`&`"), "{err}");
    }
}
