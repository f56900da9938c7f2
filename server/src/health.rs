//! `netdoctor health`: asks the server on its own listen address whether it is alive, so a
//! container built `FROM scratch` (no shell, no curl) can still have a health check.
//!
//! One plain HTTP/1.1 GET of [`HEALTH_PATH`] over a TCP stream: a whole HTTP client crate would
//! be more code in the image than this.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The public liveness route: `200 ok`, no login needed.
pub const HEALTH_PATH: &str = "/healthz";

/// How long the whole check may take before it counts as a failure.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(3);

/// Why the server was not reported healthy. Each reads as one line.
#[derive(Debug, thiserror::Error)]
pub enum HealthError {
    #[error("netdoctor listens on port 0 (a free port chosen at start), so there is no fixed address to check")]
    NoFixedPort,
    #[error("nothing answers on {addr}: {source}")]
    Connect {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error("the connection to {addr} failed: {source}")]
    Io {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error("no answer from {addr} within {} ms", timeout.as_millis())]
    Timeout { addr: SocketAddr, timeout: Duration },
    #[error("{addr} answered something that is not HTTP: {line:?}")]
    NotHttp { addr: SocketAddr, line: String },
    #[error("{addr} answered {HEALTH_PATH} with {status_line:?}, not 200")]
    Status {
        addr: SocketAddr,
        status_line: String,
    },
}

/// Where to check a server configured to listen on `listen`: the same port, on loopback when it
/// listens on every address (`0.0.0.0` or `[::]`), since the check runs beside it (in the same
/// container or on the same host).
pub fn probe_addr(listen: SocketAddr) -> Result<SocketAddr, HealthError> {
    if listen.port() == 0 {
        return Err(HealthError::NoFixedPort);
    }
    let ip = match listen.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    Ok(SocketAddr::new(ip, listen.port()))
}

/// GETs [`HEALTH_PATH`] from the server configured to listen on `listen`; `Ok` only for `200`.
pub async fn check(listen: SocketAddr, timeout: Duration) -> Result<(), HealthError> {
    let addr = probe_addr(listen)?;
    match tokio::time::timeout(timeout, get_status_line(addr)).await {
        Ok(result) => result,
        Err(_) => Err(HealthError::Timeout { addr, timeout }),
    }
}

async fn get_status_line(addr: SocketAddr) -> Result<(), HealthError> {
    let mut stream = TcpStream::connect(addr)
        .await
        .map_err(|source| HealthError::Connect { addr, source })?;
    let io = |source| HealthError::Io { addr, source };
    // `Host` is the address itself: a loopback name, so the server's DNS-rebinding guard (which
    // only admits loopback names when no login is set) lets the check through.
    let request = format!(
        "GET {HEALTH_PATH} HTTP/1.1\r\nHost: {addr}\r\nUser-Agent: netdoctor-health\r\nAccept: text/plain\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await.map_err(io)?;
    let status_line = read_status_line(&mut stream).await.map_err(io)?;
    let mut parts = status_line.splitn(3, ' ');
    let (version, code) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    if !version.starts_with("HTTP/1.") || code.len() != 3 {
        return Err(HealthError::NotHttp {
            addr,
            line: status_line,
        });
    }
    if code == "200" {
        Ok(())
    } else {
        Err(HealthError::Status { addr, status_line })
    }
}

/// The response's first line, without its line ending; at most 512 bytes are read.
async fn read_status_line(stream: &mut TcpStream) -> std::io::Result<String> {
    let mut buf = Vec::with_capacity(128);
    let mut chunk = [0u8; 128];
    while buf.len() < 512 && !buf.contains(&b'\n') {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let line = buf.split(|b| *b == b'\n').next().unwrap_or_default();
    Ok(String::from_utf8_lossy(line).trim_end().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(s: &str) -> SocketAddr {
        s.parse().expect("socket address")
    }

    #[test]
    fn a_server_on_every_ipv4_address_is_checked_on_ipv4_loopback() {
        assert_eq!(
            probe_addr(addr("0.0.0.0:3000")).expect("addr"),
            addr("127.0.0.1:3000")
        );
    }

    #[test]
    fn a_server_on_every_ipv6_address_is_checked_on_ipv6_loopback() {
        assert_eq!(
            probe_addr(addr("[::]:3000")).expect("addr"),
            addr("[::1]:3000")
        );
    }

    #[test]
    fn a_server_on_one_address_is_checked_on_that_address() {
        assert_eq!(
            probe_addr(addr("127.0.0.1:4000")).expect("addr"),
            addr("127.0.0.1:4000")
        );
        assert_eq!(
            probe_addr(addr("192.0.2.7:3000")).expect("addr"),
            addr("192.0.2.7:3000")
        );
    }

    #[test]
    fn a_server_on_port_zero_cannot_be_checked_and_says_why() {
        let err = probe_addr(addr("127.0.0.1:0")).expect_err("no fixed port");
        assert!(err.to_string().contains("port 0"), "{err}");
    }
}
