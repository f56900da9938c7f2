//! Reading what the diagnostic tools print — busybox first (what slim images and the test image
//! carry), plus the glibc, bind and curl wordings where they differ — into an [`Observation`]
//! and a plain sentence. Tested on output captured from the real tools (`fixtures/`).

use crate::domain::checks::outcome::{Listener, Observation, ProbeOutcome, ResolvConf};
use crate::domain::checks::probe::{Probe, Tool};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Whether an exec (or a debug container) failed because the program is not in the image:
/// runc's "executable file not found in $PATH", or exit 127 from a shell-less `exec`.
pub fn tool_missing(exit_code: Option<i64>, output: &str) -> bool {
    output.contains("executable file not found")
        || (exit_code == Some(127) && output.contains("not found"))
        || (exit_code == Some(126) && output.contains("no such file or directory"))
}

/// Turns one run's exit code and output into an outcome for this probe.
pub fn interpret(probe: &Probe, tool: Tool, exit_code: Option<i64>, output: &str) -> ProbeOutcome {
    match probe {
        Probe::Resolve { name } => {
            let obs = match tool {
                Tool::Getent => getent_hosts(exit_code, output),
                _ => nslookup(exit_code, output),
            };
            match obs {
                Observation::Resolved { ref addresses } => {
                    let list = join(addresses);
                    ProbeOutcome::ok(obs.clone(), format!("{name} resolves to {list}."))
                }
                Observation::NameNotFound => ProbeOutcome::failed(
                    obs,
                    format!("{name} does not resolve: the DNS server answered that no such name exists."),
                ),
                Observation::NoDnsAnswer => ProbeOutcome::failed(
                    obs,
                    format!("{name} does not resolve: no DNS server answered."),
                ),
                Observation::NetworkUnreachable => ProbeOutcome::failed(
                    obs,
                    format!("{name} does not resolve: the container cannot reach any DNS server (no network)."),
                ),
                other => unrecognised(other, exit_code),
            }
        }
        Probe::Ping { host } => match ping(output) {
            Observation::PingReplied => {
                ProbeOutcome::ok(Observation::PingReplied, format!("{host} answers ping."))
            }
            Observation::NoPingReply => ProbeOutcome::failed(
                Observation::NoPingReply,
                format!("{host} did not answer ping (no reply within the wait)."),
            ),
            obs @ (Observation::NameNotFound
            | Observation::NoDnsAnswer
            | Observation::NetworkUnreachable
            | Observation::HostUnreachable) => {
                let why = connection_words(&obs);
                ProbeOutcome::failed(obs, format!("Cannot ping {host}: {why}."))
            }
            other => unrecognised(other, exit_code),
        },
        Probe::TcpConnect { host, port } => {
            let obs = match tool {
                Tool::Nc => nc(exit_code, output),
                _ => http_client(tool, exit_code, output),
            };
            match obs {
                Observation::Connected | Observation::HttpStatus { .. } => ProbeOutcome::ok(
                    Observation::Connected,
                    format!("A TCP connection to {host}:{port} opens."),
                ),
                obs if is_connection_failure(&obs) => {
                    let why = connection_words(&obs);
                    ProbeOutcome::failed(obs, format!("Cannot connect to {host}:{port}: {why}."))
                }
                other => unrecognised(other, exit_code),
            }
        }
        Probe::HttpGet { url } => {
            let obs = http_client(tool, exit_code, output);
            match obs {
                Observation::HttpStatus { code } if code < 500 => {
                    ProbeOutcome::ok(obs, format!("{url} answered HTTP {code}."))
                }
                Observation::HttpStatus { code } => ProbeOutcome::failed(
                    obs,
                    format!("{url} answered HTTP {code}: the server is reached but failing."),
                ),
                Observation::Connected => ProbeOutcome::failed(
                    obs,
                    format!("{url}: the connection opened but no HTTP answer came back."),
                ),
                obs if is_connection_failure(&obs) => {
                    let why = connection_words(&obs);
                    ProbeOutcome::failed(obs, format!("{url} is not reached: {why}."))
                }
                other => unrecognised(other, exit_code),
            }
        }
        Probe::ProxyApi { api } => {
            let url = api.url();
            if exit_code == Some(0) && !output.trim().is_empty() {
                return ProbeOutcome::ok(
                    Observation::HttpStatus { code: 200 },
                    format!("{url} answered ({} bytes).", output.len()),
                );
            }
            match http_client(tool, exit_code, output) {
                obs if is_connection_failure(&obs) => {
                    let why = connection_words(&obs);
                    ProbeOutcome::failed(obs, format!("{url} is not reached: {why}."))
                }
                Observation::HttpStatus { code } => ProbeOutcome::failed(
                    Observation::HttpStatus { code },
                    format!("{url} answered HTTP {code}, not a configuration."),
                ),
                other => ProbeOutcome::failed(
                    other,
                    format!(
                        "{url} gave no answer (exit code {}).",
                        exit_code.map_or_else(|| "unknown".to_owned(), |c| c.to_string())
                    ),
                ),
            }
        }
        Probe::ReadResolvConf => {
            if exit_code != Some(0) {
                return ProbeOutcome::failed(
                    Observation::Unrecognised,
                    "/etc/resolv.conf could not be read.",
                );
            }
            let conf = resolv_conf(output);
            let summary = if conf.nameservers.is_empty() {
                "/etc/resolv.conf names no DNS server.".to_owned()
            } else if conf.uses_docker_dns() {
                "/etc/resolv.conf uses Docker's embedded DNS (127.0.0.11), as on every user-defined network.".to_owned()
            } else {
                format!(
                    "/etc/resolv.conf uses {} (copied from the host: this container is not on a user-defined network, so container names do not resolve).",
                    conf.nameservers.join(", ")
                )
            };
            if conf.nameservers.is_empty() {
                ProbeOutcome::failed(Observation::ResolvConf(conf), summary)
            } else {
                ProbeOutcome::ok(Observation::ResolvConf(conf), summary)
            }
        }
        Probe::Listeners => {
            let sockets = match tool {
                Tool::Netstat => netstat_listeners(output),
                _ => proc_net_tcp_listeners(output),
            };
            let Some(mut sockets) = sockets else {
                return unrecognised(Observation::Unrecognised, exit_code);
            };
            sockets.retain(|s| !s.is_docker_dns());
            sockets.sort();
            sockets.dedup();
            let summary = if sockets.is_empty() {
                "Nothing listens on TCP in this container.".to_owned()
            } else {
                format!(
                    "Listening on TCP: {}.",
                    sockets
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            ProbeOutcome::ok(Observation::Listeners { sockets }, summary)
        }
    }
}

fn unrecognised(obs: Observation, exit_code: Option<i64>) -> ProbeOutcome {
    let code = exit_code.map_or_else(|| "no exit code".to_owned(), |c| format!("exit code {c}"));
    ProbeOutcome::failed(
        if matches!(obs, Observation::Unrecognised) {
            obs
        } else {
            Observation::Unrecognised
        },
        format!("The command ended with {code} and output netdoctor does not recognise; see the output."),
    )
}

fn join(addresses: &[IpAddr]) -> String {
    addresses
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// What an HTTP client (curl, else busybox wget) said.
fn http_client(tool: Tool, exit_code: Option<i64>, output: &str) -> Observation {
    match tool {
        Tool::Curl => curl(exit_code, output),
        _ => wget(exit_code, output),
    }
}

/// The connection did not open: refused, timed out, no name, no route.
fn is_connection_failure(obs: &Observation) -> bool {
    matches!(
        obs,
        Observation::ConnectionRefused
            | Observation::ConnectTimedOut
            | Observation::NameNotFound
            | Observation::NoDnsAnswer
            | Observation::NetworkUnreachable
            | Observation::HostUnreachable
    )
}

/// Why a connection-like attempt failed, in words.
fn connection_words(obs: &Observation) -> &'static str {
    match obs {
        Observation::ConnectionRefused => {
            "connection refused (the host is there but nothing accepts connections on that port)"
        }
        Observation::ConnectTimedOut => {
            "no answer in time (packets are dropped: an internal network, a firewall, or the wrong network)"
        }
        Observation::NameNotFound => "the name does not resolve",
        Observation::NoDnsAnswer => "no DNS server answered",
        Observation::NetworkUnreachable => "the network is unreachable from this container",
        Observation::HostUnreachable => "no route to that host",
        _ => "unexpected answer",
    }
}

/// The failure words the busybox, glibc, OpenBSD-nc, bind and curl tools print.
fn failure_in(output: &str) -> Option<Observation> {
    let o = output.to_ascii_lowercase();
    if o.contains("connection refused") {
        Some(Observation::ConnectionRefused)
    } else if o.contains("network is unreachable") {
        Some(Observation::NetworkUnreachable)
    } else if o.contains("no route to host") || o.contains("host is unreachable") {
        Some(Observation::HostUnreachable)
    } else if o.contains("bad address")
        || o.contains("nxdomain")
        || o.contains("could not resolve host")
        || o.contains("name or service not known")
        || o.contains("name does not resolve")
        || o.contains("unknown host")
    {
        Some(Observation::NameNotFound)
    } else if o.contains("no servers could be reached")
        || o.contains("temporary failure in name resolution")
        || o.contains("try again")
    {
        Some(Observation::NoDnsAnswer)
    } else if o.contains("timed out") || o.contains("timeout") {
        Some(Observation::ConnectTimedOut)
    } else {
        None
    }
}

/// Busybox and bind `nslookup`: the `Address` lines after a `Name:` line (the ones before it
/// are the server's).
pub fn nslookup(exit_code: Option<i64>, output: &str) -> Observation {
    let mut seen_name = false;
    let mut addresses = Vec::new();
    for line in output.lines() {
        let line = line.trim();
        if line.starts_with("Name:") {
            seen_name = true;
        } else if let Some(rest) = line
            .strip_prefix("Address:")
            .or_else(|| line.strip_prefix("Addresses:"))
        {
            if seen_name {
                if let Ok(ip) = rest.trim().parse::<IpAddr>() {
                    addresses.push(ip);
                }
            }
        }
    }
    addresses.sort();
    addresses.dedup();
    if !addresses.is_empty() {
        return Observation::Resolved { addresses };
    }
    match failure_in(output) {
        Some(Observation::ConnectTimedOut) => Observation::NoDnsAnswer,
        Some(obs) => obs,
        None if exit_code == Some(0) => Observation::NameNotFound,
        None => Observation::Unrecognised,
    }
}

/// glibc/musl `getent hosts`: `ADDRESS NAME…` lines, exit 2 when the name is unknown.
pub fn getent_hosts(exit_code: Option<i64>, output: &str) -> Observation {
    let mut addresses: Vec<IpAddr> = output
        .lines()
        .filter_map(|l| l.split_whitespace().next()?.parse().ok())
        .collect();
    addresses.sort();
    addresses.dedup();
    match (exit_code, addresses.is_empty()) {
        (_, false) => Observation::Resolved { addresses },
        (Some(2), true) => Observation::NameNotFound,
        _ => failure_in(output).unwrap_or(Observation::Unrecognised),
    }
}

/// Busybox and iputils `ping -c 1`.
pub fn ping(output: &str) -> Observation {
    let o = output.to_ascii_lowercase();
    if o.contains("bytes from") || o.contains(" 1 received") || o.contains("1 packets received") {
        Observation::PingReplied
    } else if let Some(obs) = failure_in(output) {
        obs
    } else if o.contains("100% packet loss")
        || o.contains("0 received")
        || o.contains("0 packets received")
    {
        Observation::NoPingReply
    } else {
        Observation::Unrecognised
    }
}

/// Busybox `nc -w N host port` with stdin closed: exit 0 once connected.
pub fn nc(exit_code: Option<i64>, output: &str) -> Observation {
    if exit_code == Some(0) {
        return Observation::Connected;
    }
    failure_in(output).unwrap_or(Observation::Unrecognised)
}

/// Busybox `wget -q -S -O /dev/null URL`: the `HTTP/1.x CODE` status line (`-S` prints it to
/// stderr), else the connection error.
pub fn wget(exit_code: Option<i64>, output: &str) -> Observation {
    if let Some(code) = http_status_line(output) {
        return Observation::HttpStatus { code };
    }
    if let Some(obs) = failure_in(output) {
        return obs;
    }
    let o = output.to_ascii_lowercase();
    if o.contains("error getting response") || o.contains("tls") || exit_code == Some(0) {
        // The connection opened; what came back was not HTTP.
        return Observation::Connected;
    }
    Observation::Unrecognised
}

/// `curl -sS -o /dev/null -w '%{http_code}\n'`: the code on stdout (000 when none), errors on
/// stderr as `curl: (N) …`.
pub fn curl(exit_code: Option<i64>, output: &str) -> Observation {
    let code = output
        .lines()
        .map(str::trim)
        .filter(|l| l.len() == 3 && l.bytes().all(|b| b.is_ascii_digit()))
        .find_map(|l| l.parse::<u16>().ok())
        .filter(|c| *c != 0);
    if let Some(code) = code {
        return Observation::HttpStatus { code };
    }
    let curl_error = output
        .lines()
        .find_map(|l| l.trim().strip_prefix("curl: ("))
        .and_then(|rest| rest.split_once(')'))
        .and_then(|(n, _)| n.parse::<u16>().ok());
    match curl_error {
        Some(6) => Observation::NameNotFound,
        Some(7) => failure_in(output).unwrap_or(Observation::ConnectionRefused),
        Some(28) => Observation::ConnectTimedOut,
        Some(52 | 56 | 35 | 60 | 1) => Observation::Connected,
        _ if exit_code == Some(0) => Observation::Connected,
        _ => failure_in(output).unwrap_or(Observation::Unrecognised),
    }
}

/// The first `HTTP/x.y CODE` status line.
fn http_status_line(output: &str) -> Option<u16> {
    output.lines().find_map(|l| {
        let mut words = l.split_whitespace();
        let proto = words.next()?;
        if !proto.starts_with("HTTP/") {
            return None;
        }
        words.next()?.parse().ok()
    })
}

/// `/etc/resolv.conf`.
pub fn resolv_conf(text: &str) -> ResolvConf {
    let mut conf = ResolvConf::default();
    for line in text.lines() {
        let line = line.split(['#', ';']).next().unwrap_or("").trim();
        let mut words = line.split_whitespace();
        match words.next() {
            Some("nameserver") => conf.nameservers.extend(words.next().map(str::to_owned)),
            Some("search" | "domain") => conf.search.extend(words.map(str::to_owned)),
            Some("options") => conf.options.extend(words.map(str::to_owned)),
            _ => {}
        }
    }
    conf
}

/// Busybox and net-tools `netstat -ltn`: `tcp … LOCAL FOREIGN LISTEN`. `None` when the output
/// is not a netstat table.
pub fn netstat_listeners(output: &str) -> Option<Vec<Listener>> {
    if !output.contains("Local Address") {
        return None;
    }
    let sockets = output
        .lines()
        .filter(|l| l.starts_with("tcp") && l.contains("LISTEN"))
        .filter_map(|l| {
            let local = l.split_whitespace().nth(3)?;
            let (addr, port) = local.rsplit_once(':')?;
            let address = match addr {
                "*" => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
                a => a.parse().ok()?,
            };
            Some(Listener {
                address,
                port: port.parse().ok()?,
            })
        })
        .collect();
    Some(sockets)
}

/// `/proc/net/tcp` and `/proc/net/tcp6` (concatenated, either may be missing): rows in state
/// `0A` (LISTEN). Addresses are 32-bit words in the host's byte order (little-endian on x86 and
/// arm64, the hosts Docker runs on), ports big-endian hex.
pub fn proc_net_tcp_listeners(output: &str) -> Option<Vec<Listener>> {
    if !output.contains("local_address") {
        return None;
    }
    let sockets = output
        .lines()
        .filter_map(|l| {
            let mut cols = l.split_whitespace();
            let _slot = cols.next()?.strip_suffix(':')?;
            let local = cols.next()?;
            let _remote = cols.next()?;
            if cols.next()? != "0A" {
                return None;
            }
            let (addr, port) = local.split_once(':')?;
            let port = u16::from_str_radix(port, 16).ok()?;
            let word = |h: &str| u32::from_str_radix(h, 16).ok().map(u32::to_le_bytes);
            let address = match addr.len() {
                8 => IpAddr::V4(Ipv4Addr::from(word(addr)?)),
                32 => {
                    let mut bytes = [0u8; 16];
                    for (i, chunk) in bytes.chunks_mut(4).enumerate() {
                        chunk.copy_from_slice(&word(addr.get(i * 8..i * 8 + 8)?)?);
                    }
                    IpAddr::V6(Ipv6Addr::from(bytes))
                }
                _ => return None,
            };
            Some(Listener { address, port })
        })
        .collect();
    Some(sockets)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::checks::input::{Host, Hostname, Port, ProbeUrl};
    use crate::domain::checks::outcome::StepStatus;

    macro_rules! fixture {
        ($name:literal) => {
            include_str!(concat!("fixtures/", $name))
        };
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("ip")
    }

    fn resolve(n: &str) -> Probe {
        Probe::Resolve {
            name: Hostname::parse(n).expect("name"),
        }
    }

    fn connect(h: &str, p: &str) -> Probe {
        Probe::TcpConnect {
            host: Host::parse(h).expect("host"),
            port: Port::parse(p).expect("port"),
        }
    }

    #[test]
    fn a_name_on_a_shared_network_resolves_to_its_container_address() {
        assert_eq!(
            nslookup(Some(0), fixture!("nslookup-found.txt")),
            Observation::Resolved {
                addresses: vec![ip("172.18.0.2")]
            }
        );
        let out = interpret(
            &resolve("web"),
            Tool::Nslookup,
            Some(0),
            fixture!("nslookup-alias-found.txt"),
        );
        assert_eq!(out.status, StepStatus::Ok);
        assert_eq!(out.summary, "web resolves to 172.18.0.2.");
    }

    #[test]
    fn the_dns_servers_own_address_is_not_taken_for_an_answer() {
        let obs = nslookup(Some(1), fixture!("nslookup-nxdomain.txt"));
        assert_eq!(obs, Observation::NameNotFound);
    }

    #[test]
    fn resolution_failures_say_whether_the_name_is_unknown_or_no_server_answered() {
        assert_eq!(
            nslookup(Some(1), fixture!("nslookup-no-servers.txt")),
            Observation::NoDnsAnswer
        );
        assert_eq!(
            nslookup(Some(1), fixture!("nslookup-network-unreachable.txt")),
            Observation::NetworkUnreachable
        );
        let out = interpret(
            &resolve("web"),
            Tool::Nslookup,
            Some(1),
            fixture!("nslookup-nxdomain.txt"),
        );
        assert_eq!(out.status, StepStatus::Failed);
        assert!(out.summary.contains("no such name"), "{}", out.summary);
    }

    #[test]
    fn getent_lists_addresses_and_exits_2_for_unknown_names() {
        assert_eq!(
            getent_hosts(Some(0), fixture!("getent-found-glibc.txt")),
            Observation::Resolved {
                addresses: vec![ip("127.0.0.1")]
            }
        );
        assert_eq!(
            getent_hosts(Some(2), fixture!("getent-not-found-glibc.txt")),
            Observation::NameNotFound
        );
    }

    #[test]
    fn ping_replies_losses_and_errors_are_told_apart() {
        assert_eq!(ping(fixture!("ping-ok.txt")), Observation::PingReplied);
        assert_eq!(ping(fixture!("ping-lost.txt")), Observation::NoPingReply);
        assert_eq!(
            ping(fixture!("ping-bad-address.txt")),
            Observation::NameNotFound
        );
        assert_eq!(
            ping(fixture!("ping-network-unreachable.txt")),
            Observation::NetworkUnreachable
        );
    }

    #[test]
    fn nc_connects_or_says_refused_timed_out_unknown_or_unreachable() {
        assert_eq!(nc(Some(0), ""), Observation::Connected);
        assert_eq!(
            nc(Some(1), fixture!("nc-refused.txt")),
            Observation::ConnectionRefused
        );
        assert_eq!(
            nc(Some(1), fixture!("nc-timed-out.txt")),
            Observation::ConnectTimedOut
        );
        assert_eq!(
            nc(Some(1), fixture!("nc-bad-address.txt")),
            Observation::NameNotFound
        );
        assert_eq!(
            nc(Some(1), fixture!("nc-network-unreachable.txt")),
            Observation::NetworkUnreachable
        );
        let out = interpret(
            &connect("web", "81"),
            Tool::Nc,
            Some(1),
            fixture!("nc-refused.txt"),
        );
        assert_eq!(out.status, StepStatus::Failed);
        assert!(out
            .summary
            .starts_with("Cannot connect to web:81: connection refused"));
    }

    #[test]
    fn wget_reports_the_http_status_or_the_connection_error() {
        assert_eq!(
            wget(Some(0), fixture!("wget-200.txt")),
            Observation::HttpStatus { code: 200 }
        );
        assert_eq!(
            wget(Some(1), fixture!("wget-404.txt")),
            Observation::HttpStatus { code: 404 }
        );
        assert_eq!(
            wget(Some(1), fixture!("wget-refused.txt")),
            Observation::ConnectionRefused
        );
        assert_eq!(
            wget(Some(1), fixture!("wget-bad-address.txt")),
            Observation::NameNotFound
        );
        let url = ProbeUrl::parse("http://web/nothere").expect("url");
        let out = interpret(
            &Probe::HttpGet { url },
            Tool::Wget,
            Some(1),
            fixture!("wget-404.txt"),
        );
        assert_eq!(out.status, StepStatus::Ok);
        assert_eq!(out.summary, "http://web/nothere answered HTTP 404.");
    }

    #[test]
    fn an_http_answer_proves_a_tcp_connection_when_nc_is_missing() {
        let out = interpret(
            &connect("web", "80"),
            Tool::Wget,
            Some(1),
            fixture!("wget-404.txt"),
        );
        assert_eq!(out.status, StepStatus::Ok);
        assert_eq!(out.observation, Observation::Connected);
    }

    #[test]
    fn curl_codes_map_to_the_same_observations() {
        assert_eq!(
            curl(Some(0), "200\n"),
            Observation::HttpStatus { code: 200 }
        );
        assert_eq!(
            curl(
                Some(7),
                "curl: (7) Failed to connect to web port 81 after 0 ms: Connection refused\n000\n"
            ),
            Observation::ConnectionRefused
        );
        assert_eq!(
            curl(Some(6), "curl: (6) Could not resolve host: nosuch\n000\n"),
            Observation::NameNotFound
        );
        assert_eq!(
            curl(
                Some(28),
                "curl: (28) Connection timed out after 8001 milliseconds\n000\n"
            ),
            Observation::ConnectTimedOut
        );
    }

    #[test]
    fn resolv_conf_tells_docker_dns_from_a_copy_of_the_hosts() {
        let user = resolv_conf(fixture!("resolv-conf-user-defined.txt"));
        assert!(user.uses_docker_dns());
        assert_eq!(user.options, ["ndots:0"]);
        let bridge = resolv_conf(fixture!("resolv-conf-default-bridge.txt"));
        assert!(!bridge.uses_docker_dns());
        assert_eq!(bridge.nameservers.len(), 1);
        let out = interpret(
            &Probe::ReadResolvConf,
            Tool::Cat,
            Some(0),
            fixture!("resolv-conf-default-bridge.txt"),
        );
        assert!(
            out.summary.contains("copied from the host"),
            "{}",
            out.summary
        );
    }

    #[test]
    fn netstat_shows_an_app_bound_to_loopback_only() {
        let sockets = netstat_listeners(fixture!("netstat-loopback-only.txt")).expect("table");
        let app: Vec<&Listener> = sockets.iter().filter(|s| !s.is_docker_dns()).collect();
        assert_eq!(app.len(), 1);
        assert_eq!(app[0].port, 8080);
        assert!(app[0].is_loopback_only());
        let all = netstat_listeners(fixture!("netstat-all-interfaces.txt")).expect("table");
        assert!(all.contains(&Listener {
            address: ip("::"),
            port: 80
        }));
        let out = interpret(
            &Probe::Listeners,
            Tool::Netstat,
            Some(0),
            fixture!("netstat-loopback-only.txt"),
        );
        assert_eq!(out.summary, "Listening on TCP: 127.0.0.1:8080.");
    }

    #[test]
    fn proc_net_tcp_decodes_addresses_ports_and_listen_state() {
        let v4 = proc_net_tcp_listeners(fixture!("proc-net-tcp-loopback-only.txt")).expect("table");
        assert!(v4.contains(&Listener {
            address: ip("127.0.0.1"),
            port: 8080
        }));
        let v6 =
            proc_net_tcp_listeners(fixture!("proc-net-tcp6-all-interfaces.txt")).expect("table");
        // Row 0 listens on [::]:80; rows 1 and 2 are closing connections (state 06).
        assert_eq!(
            v6,
            vec![Listener {
                address: ip("::"),
                port: 80
            }]
        );
        assert!(proc_net_tcp_listeners("cat: can't open '/proc/net/tcp6'").is_none());
    }

    #[test]
    fn a_missing_program_is_recognised_from_the_runtimes_words() {
        assert!(tool_missing(Some(126), fixture!("exec-not-found.txt")));
        assert!(!tool_missing(Some(1), fixture!("nc-refused.txt")));
    }

    #[test]
    fn output_nobody_recognises_is_a_failure_that_points_at_the_output() {
        let out = interpret(&resolve("web"), Tool::Nslookup, Some(3), "something else");
        assert_eq!(out.status, StepStatus::Failed);
        assert_eq!(out.observation, Observation::Unrecognised);
        assert!(out.summary.contains("exit code 3"));
    }
}
