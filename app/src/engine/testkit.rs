//! Live-engine test harness, for this crate's tests and the other crates'. It builds the test
//! image without any registry (`FROM scratch` plus Debian's static busybox), creates uniquely
//! named networks and containers labelled `netdoctor.test=<run id>`, and removes everything
//! with that label when the `TestLab` is dropped, even after a failed assertion. It never
//! touches what another lab or anyone else created, so tests can run in parallel on a shared
//! engine.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use crate::domain::endpoint::Endpoint;
use crate::engine::exec::ProbeSettings;
use crate::engine::Engine;
use bollard::models::{
    ContainerCreateBody, EndpointSettings, HostConfig, Ipam, IpamConfig, NetworkConnectRequest,
    NetworkCreateRequest, PortBinding,
};
use bollard::query_parameters::{
    BuildImageOptionsBuilder, CreateContainerOptionsBuilder, ListContainersOptionsBuilder,
    ListNetworksOptionsBuilder, RemoveContainerOptionsBuilder,
};
use bollard::{Docker, API_DEFAULT_VERSION};
use futures_util::StreamExt;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// The label every test resource carries; its value is the lab's run id.
pub const TEST_LABEL: &str = "netdoctor.test";

/// Where Debian's busybox-static puts its binary; `NETDOCTOR_TEST_BUSYBOX` overrides.
pub const DEFAULT_BUSYBOX: &str = "/bin/busybox";

const DOCKERFILE: &str = "FROM scratch\n\
COPY busybox /bin/busybox\n\
RUN [\"/bin/busybox\", \"--install\", \"-s\", \"/bin\"]\n\
LABEL netdoctor.test.image=\"busybox\"\n\
CMD [\"/bin/sh\"]\n";

/// The engine the tests use: `DOCKER_HOST`, else the local socket.
pub fn test_endpoint() -> Endpoint {
    Endpoint::from_docker_host(std::env::var("DOCKER_HOST").ok().as_deref())
        .expect("DOCKER_HOST is not an endpoint netdoctor understands")
}

async fn connect(endpoint: &Endpoint) -> Docker {
    let docker = match endpoint {
        Endpoint::Unix(path) => Docker::connect_with_unix(path, 120, API_DEFAULT_VERSION),
        Endpoint::Tcp(addr) => Docker::connect_with_http(addr, 120, API_DEFAULT_VERSION),
        Endpoint::Tls(_) | Endpoint::Ssh(_) => panic!(
            "the testkit sets up labs over a socket or plain tcp, not {endpoint}: start the lab on the engine's socket and point the product at it over TLS or SSH"
        ),
    }
    .unwrap_or_else(|e| panic!("live tests need a Docker Engine at {endpoint}: {e}. Run ./scripts/test.sh, which starts one."));
    docker
        .negotiate_version()
        .await
        .unwrap_or_else(|e| panic!("live tests need a Docker Engine at {endpoint}: {e}. Run ./scripts/test.sh, which starts one."))
}

/// A unique id per lab: process id, time and a counter, so parallel tests and parallel test
/// processes never share names.
fn new_run_id() -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let mut h = std::collections::hash_map::DefaultHasher::new();
    (
        std::process::id(),
        nanos,
        COUNTER.fetch_add(1, Ordering::Relaxed),
    )
        .hash(&mut h);
    format!("{:010x}", h.finish() & 0xff_ffff_ffff)
}

/// An image with no tools at all, like scratch or distroless images: busybox sits at
/// `/idle/busybox` with no applet links and off `PATH`, so only `/idle/busybox sleep …` runs and
/// `nslookup`, `nc`, `cat`… are not found.
const TOOLLESS_DOCKERFILE: &str = "FROM scratch\n\
COPY busybox /idle/busybox\n\
LABEL netdoctor.test.image=\"toolless\"\n\
CMD [\"/idle/busybox\", \"sleep\", \"3600\"]\n";

/// Builds (once per content) the busybox test image and returns its tag.
pub async fn ensure_test_image(docker: &Docker) -> String {
    build_busybox_image(docker, DOCKERFILE, "netdoctor-test-busybox").await
}

/// Builds (once per content) the image without tools (see `TOOLLESS_DOCKERFILE`); returns its tag.
pub async fn ensure_toolless_image(docker: &Docker) -> String {
    build_busybox_image(docker, TOOLLESS_DOCKERFILE, "netdoctor-test-toolless").await
}

async fn build_busybox_image(docker: &Docker, dockerfile: &str, repo: &str) -> String {
    let busybox_path =
        std::env::var("NETDOCTOR_TEST_BUSYBOX").unwrap_or_else(|_| DEFAULT_BUSYBOX.to_owned());
    let busybox = std::fs::read(&busybox_path)
        .unwrap_or_else(|e| panic!("the test image needs a static busybox at {busybox_path} ({e}); apt-get install busybox-static"));
    let mut h = std::collections::hash_map::DefaultHasher::new();
    (dockerfile, &busybox).hash(&mut h);
    let tag = format!("{repo}:{:012x}", h.finish() & 0xffff_ffff_ffff);
    if docker.inspect_image(&tag).await.is_ok() {
        return tag;
    }
    let mut context = tar::Builder::new(Vec::new());
    for (name, bytes, mode) in [
        ("Dockerfile", dockerfile.as_bytes(), 0o644),
        ("busybox", busybox.as_slice(), 0o755),
    ] {
        let mut header = tar::Header::new_gnu();
        header.set_size(bytes.len() as u64);
        header.set_mode(mode);
        header.set_cksum();
        context
            .append_data(&mut header, name, bytes)
            .expect("tar entry");
    }
    let context = context.into_inner().expect("tar archive");
    build_context(docker, &tag, context).await;
    tag
}

async fn build_context(docker: &Docker, tag: &str, context: Vec<u8>) {
    let options = BuildImageOptionsBuilder::default()
        .dockerfile("Dockerfile")
        .t(tag)
        .rm(true)
        .forcerm(true)
        .build();
    let mut build = docker.build_image(options, None, Some(bollard::body_full(context.into())));
    while let Some(step) = build.next().await {
        let step = step.unwrap_or_else(|e| panic!("building the test image {tag} failed: {e}"));
        if let Some(detail) = step.error_detail {
            panic!("building the test image {tag} failed: {:?}", detail.message);
        }
    }
}

/// Where `scripts/setup.sh` unpacks Debian's caddy package; `NETDOCTOR_TEST_CADDY` names
/// another binary.
fn caddy_binary_path() -> String {
    if let Ok(path) = std::env::var("NETDOCTOR_TEST_CADDY") {
        return path;
    }
    let tools = std::env::var("NETDOCTOR_TOOLS_DIR").unwrap_or_else(|_| {
        let cache = std::env::var("XDG_CACHE_HOME")
            .unwrap_or_else(|_| format!("{}/.cache", std::env::var("HOME").unwrap_or_default()));
        format!("{cache}/netdoctor-tools")
    });
    format!("{tools}/caddy/usr/bin/caddy")
}

/// The shared libraries a dynamically linked binary needs (Debian builds Caddy with cgo), as
/// `ldd` names them, with the dynamic loader.
fn shared_libraries(binary: &str) -> Vec<String> {
    let out = std::process::Command::new("ldd")
        .arg(binary)
        .output()
        .unwrap_or_else(|e| panic!("ldd {binary}: {e}"));
    let text = String::from_utf8_lossy(&out.stdout);
    let mut libs = Vec::new();
    for line in text.lines() {
        let path = match line.split_once("=>") {
            Some((_, right)) => right.split_whitespace().next(),
            None => line.split_whitespace().next(),
        };
        if let Some(path) = path.filter(|p| p.starts_with('/')) {
            libs.push(path.to_owned());
        }
    }
    libs
}

/// How a Caddy test proxy is configured.
#[derive(Debug, Clone)]
pub enum CaddyConfig {
    /// A Caddyfile (global options should say `local_certs` and `skip_install_trust` for
    /// https sites: nothing may ask a public CA).
    Caddyfile(String),
    /// Caddy's native JSON, as caddy-docker-proxy or `POST /load` would give it.
    Json(String),
}

/// Builds (once per content) a `FROM scratch` image holding Debian's Caddy binary and the
/// libraries it links, and — unless `toolless` — busybox (so `wget` answers the route probe in
/// the container itself; without it netdoctor needs a debug container). Returns its tag.
pub async fn ensure_caddy_image(docker: &Docker, toolless: bool) -> String {
    let caddy_path = caddy_binary_path();
    let caddy = std::fs::read(&caddy_path).unwrap_or_else(|e| {
        panic!("the Caddy test image needs Debian's caddy binary at {caddy_path} ({e}); run scripts/setup.sh (ensure_caddy)")
    });
    let busybox_path =
        std::env::var("NETDOCTOR_TEST_BUSYBOX").unwrap_or_else(|_| DEFAULT_BUSYBOX.to_owned());
    let mut files: Vec<(String, Vec<u8>, u32)> = vec![
        ("rootfs/usr/bin/caddy".into(), caddy, 0o755),
        // Caddy reads it with `{$ND_CADDYFILE}` replaced by the environment variable.
        (
            "rootfs/etc/caddy/Caddyfile".into(),
            b"{$ND_CADDYFILE}\n".to_vec(),
            0o644,
        ),
    ];
    for lib in shared_libraries(&caddy_path) {
        let bytes = std::fs::read(&lib).unwrap_or_else(|e| panic!("read {lib}: {e}"));
        files.push((format!("rootfs{lib}"), bytes, 0o755));
    }
    let mut dockerfile = String::from("FROM scratch\nCOPY rootfs/ /\n");
    if !toolless {
        let busybox = std::fs::read(&busybox_path).unwrap_or_else(|e| {
            panic!("the Caddy test image needs a static busybox at {busybox_path} ({e})")
        });
        files.push(("rootfs/bin/busybox".into(), busybox, 0o755));
        dockerfile.push_str("RUN [\"/bin/busybox\", \"--install\", \"-s\", \"/bin\"]\n");
    }
    dockerfile.push_str(
        "ENV XDG_CONFIG_HOME=/config XDG_DATA_HOME=/data\n\
         LABEL netdoctor.test.image=\"caddy\"\n\
         CMD [\"/usr/bin/caddy\", \"run\", \"--adapter\", \"caddyfile\", \"--config\", \"/etc/caddy/Caddyfile\"]\n",
    );
    let mut h = std::collections::hash_map::DefaultHasher::new();
    (&dockerfile, &files).hash(&mut h);
    let repo = if toolless {
        "netdoctor-test-caddy-toolless"
    } else {
        "netdoctor-test-caddy"
    };
    let tag = format!("{repo}:{:012x}", h.finish() & 0xffff_ffff_ffff);
    if docker.inspect_image(&tag).await.is_ok() {
        return tag;
    }
    let mut context = tar::Builder::new(Vec::new());
    files.push(("Dockerfile".into(), dockerfile.into_bytes(), 0o644));
    for (name, bytes, mode) in &files {
        let mut header = tar::Header::new_gnu();
        header.set_size(bytes.len() as u64);
        header.set_mode(*mode);
        header.set_cksum();
        context
            .append_data(&mut header, name, bytes.as_slice())
            .expect("tar entry");
    }
    let context = context.into_inner().expect("tar archive");
    build_context(docker, &tag, context).await;
    tag
}

/// How a test container is attached to a network.
#[derive(Debug, Clone)]
pub struct Attachment {
    pub network: String,
    pub aliases: Vec<String>,
}

/// What a test container looks like. Built with chained calls; the default runs `sleep 3600`
/// on the default bridge and starts it.
#[derive(Debug, Clone)]
pub struct ContainerSpec {
    suffix: String,
    cmd: Vec<String>,
    attachments: Vec<Attachment>,
    network_mode: Option<String>,
    /// Container port, host address, host port (0: a random one).
    publish: Vec<(u16, String, u16)>,
    expose: Vec<u16>,
    labels: Vec<(String, String)>,
    env: Vec<String>,
    image: Option<String>,
    start: bool,
}

impl ContainerSpec {
    /// A container named `nd-<run id>-<suffix>`.
    pub fn new(suffix: &str) -> Self {
        Self {
            suffix: suffix.to_owned(),
            cmd: vec!["sleep".into(), "3600".into()],
            attachments: Vec::new(),
            network_mode: None,
            publish: Vec::new(),
            expose: Vec::new(),
            labels: Vec::new(),
            env: Vec::new(),
            image: None,
            start: true,
        }
    }

    /// Run another tag of the test image (see [`TestLab::tag_image`]).
    pub fn image(mut self, tag: &str) -> Self {
        self.image = Some(tag.to_owned());
        self
    }

    pub fn cmd<S: Into<String>>(mut self, argv: impl IntoIterator<Item = S>) -> Self {
        self.cmd = argv.into_iter().map(Into::into).collect();
        self
    }

    /// Attach to a network (full name), with network aliases.
    pub fn network(mut self, network: &str, aliases: &[&str]) -> Self {
        self.attachments.push(Attachment {
            network: network.to_owned(),
            aliases: aliases.iter().map(|a| (*a).to_owned()).collect(),
        });
        self
    }

    /// `none`, `host`, `container:<id>` or a network name as the container's network mode.
    pub fn network_mode(mut self, mode: &str) -> Self {
        self.network_mode = Some(mode.to_owned());
        self
    }

    /// Declare a TCP port without publishing it (`EXPOSE`, `--expose`).
    pub fn expose(mut self, container_port: u16) -> Self {
        self.expose.push(container_port);
        self
    }

    /// Publish a container port on a random host port of `host_ip` (e.g. `127.0.0.1`).
    pub fn publish(mut self, container_port: u16, host_ip: &str) -> Self {
        self.publish.push((container_port, host_ip.to_owned(), 0));
        self
    }

    /// Publish a container port on a given host address and port (`-p ip:host_port:port`).
    pub fn publish_on(mut self, container_port: u16, host_ip: &str, host_port: u16) -> Self {
        self.publish
            .push((container_port, host_ip.to_owned(), host_port));
        self
    }

    /// An environment variable (to check that values never leave the server).
    pub fn env(mut self, key: &str, value: &str) -> Self {
        self.env.push(format!("{key}={value}"));
        self
    }

    pub fn label(mut self, key: &str, value: &str) -> Self {
        self.labels.push((key.to_owned(), value.to_owned()));
        self
    }

    /// Traefik labels routing `domain` to `port` of this container through router `router`,
    /// as Coolify writes them.
    pub fn traefik_route(self, router: &str, domain: &str, port: u16) -> Self {
        self.label("traefik.enable", "true")
            .label(
                &format!("traefik.http.routers.{router}.rule"),
                &format!("Host(`{domain}`)"),
            )
            .label(
                &format!("traefik.http.routers.{router}.entryPoints"),
                "http",
            )
            .label(
                &format!("traefik.http.services.{router}.loadbalancer.server.port"),
                &port.to_string(),
            )
    }

    /// Create it but leave it in the `created` state.
    pub fn created_only(mut self) -> Self {
        self.start = false;
        self
    }
}

/// The servers `scripts/engines.sh start` brought up for the several-engines tests (its env
/// file, which `scripts/test.sh` sources): a second engine by its socket, the same engine over
/// TLS and over SSH, and the files to reach them.
#[derive(Debug, Clone)]
pub struct TestServers {
    /// The second engine's own socket (labs are set up through it).
    pub engine2: Endpoint,
    /// `https://127.0.0.1:PORT`: the second engine with `--tlsverify`.
    pub tls: Endpoint,
    /// ca.pem, client.pem, client-key.pem; other-ca.pem, other-client.pem, other-client-key.pem;
    /// server.pem (its certificate names 127.0.0.1 only).
    pub tls_dir: std::path::PathBuf,
    /// `ssh://root@127.0.0.1:PORT`, whose sessions reach the second engine.
    pub ssh: Endpoint,
    /// client_key (accepted), wrong_key (not), host_ed25519.pub (sshd's host key).
    pub ssh_dir: std::path::PathBuf,
}

impl TestServers {
    /// From the environment `scripts/engines.sh` describes; a test without it fails saying how
    /// to get it.
    pub fn from_env() -> Self {
        let var = |name: &str| {
            std::env::var(name).unwrap_or_else(|_| {
                panic!("{name} is not set: these tests need the servers of scripts/engines.sh. Run them with scripts/test.sh live, or `scripts/engines.sh start` and `source target/tmp/engines/env` first")
            })
        };
        let endpoint =
            |name: &str| Endpoint::parse(&var(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        Self {
            engine2: endpoint("NETDOCTOR_TEST_ENGINE2"),
            tls: endpoint("NETDOCTOR_TEST_TLS"),
            tls_dir: var("NETDOCTOR_TEST_TLS_DIR").into(),
            ssh: endpoint("NETDOCTOR_TEST_SSH"),
            ssh_dir: var("NETDOCTOR_TEST_SSH_DIR").into(),
        }
    }

    /// The TLS files netdoctor is given for the engine: `ca`, `client`, `client-key` by default.
    pub fn tls_files(&self, ca: &str, cert: &str) -> crate::engine::transport::TlsFiles {
        crate::engine::transport::TlsFiles {
            ca: self.tls_dir.join(format!("{ca}.pem")),
            cert: self.tls_dir.join(format!("{cert}.pem")),
            key: self.tls_dir.join(format!("{cert}-key.pem")),
        }
    }

    /// A `known_hosts` line accepting the test sshd's host key for `endpoint` (an ssh:// one).
    pub fn known_hosts_line(&self, endpoint: &Endpoint) -> String {
        let Endpoint::Ssh(address) = endpoint else {
            panic!("{endpoint} is not ssh://");
        };
        let public = std::fs::read_to_string(self.ssh_dir.join("host_ed25519.pub"))
            .expect("the test sshd's host key");
        let mut fields = public.split_whitespace();
        let (algorithm, blob) = (fields.next().expect("type"), fields.next().expect("key"));
        format!("{} {algorithm} {blob}\n", address.known_hosts_name())
    }
}

/// The docker CLI for benchmarks that compare against it (the product never runs it):
/// `/usr/bin/docker`, the engine's own CLI on Debian, if present, else `docker` from PATH.
pub fn docker_cli() -> String {
    if std::path::Path::new("/usr/bin/docker").exists() {
        "/usr/bin/docker".to_owned()
    } else {
        "docker".to_owned()
    }
}

/// One test's resources on the live engine. Dropping it removes them.
pub struct TestLab {
    docker: Docker,
    endpoint: Endpoint,
    run_id: String,
    image: String,
    /// Extra tags made by `tag_image`, untagged on drop.
    tags: std::sync::Mutex<Vec<String>>,
}

impl TestLab {
    /// Connects to the test engine and makes sure the test image exists.
    pub async fn start() -> Self {
        Self::start_on(test_endpoint()).await
    }

    /// A lab on another engine (the second engine of `scripts/engines.sh`, by its socket); the
    /// test image is built into it the same way, with no registry.
    pub async fn start_on(endpoint: Endpoint) -> Self {
        let docker = connect(&endpoint).await;
        let image = ensure_test_image(&docker).await;
        Self {
            docker,
            endpoint,
            run_id: new_run_id(),
            image,
            tags: std::sync::Mutex::new(Vec::new()),
        }
    }

    pub fn run_id(&self) -> &str {
        &self.run_id
    }

    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    /// A product `Engine` on the same endpoint.
    pub fn engine(&self) -> Engine {
        Engine::new(self.endpoint.clone())
    }

    /// The probe settings of a product engine whose debug containers use the lab's busybox
    /// image (nothing is pulled); tests change a field with `..lab.probe_settings()`.
    pub fn probe_settings(&self) -> ProbeSettings {
        ProbeSettings {
            toolbox_image: self.image.clone(),
            ..ProbeSettings::default()
        }
    }

    /// A product `Engine` that runs probes with `probe_settings`.
    pub fn probing_engine(&self) -> Engine {
        self.engine().with_probe_settings(self.probe_settings())
    }

    /// The test image's tag.
    pub fn image(&self) -> &str {
        &self.image
    }

    /// The tag of an image with no tools (built once); run it with
    /// `.image(&tag).cmd(["/idle/busybox", "sleep", "3600"])`.
    pub async fn toolless_image(&self) -> String {
        ensure_toolless_image(&self.docker).await
    }

    /// The unique name this lab gives a resource.
    pub fn name(&self, suffix: &str) -> String {
        format!("nd-{}-{suffix}", self.run_id)
    }

    fn labels(&self, extra: &[(String, String)]) -> HashMap<String, String> {
        let mut labels: HashMap<String, String> = extra.iter().cloned().collect();
        labels.insert(TEST_LABEL.to_owned(), self.run_id.clone());
        labels
    }

    /// Creates a labelled bridge network and returns its name.
    pub async fn network(&self, suffix: &str) -> String {
        self.network_with(suffix, false).await
    }

    /// Creates a labelled bridge network, `--internal` when asked, and returns its name.
    pub async fn network_with(&self, suffix: &str, internal: bool) -> String {
        self.create_network(suffix, internal, None).await
    }

    /// `count` labelled bridge networks on `/24`s of a `/16` under 10.0.0.0/8 picked from the
    /// run id (network `j` on `10.<b>.<j>.0/24`), created a few at a time; in order. For
    /// fixtures with many networks: the Engine's default pools hold only about 30 bridges, and
    /// other tests on the shared engine draw from them too.
    pub async fn networks_in_own_range(&self, prefix: &str, count: usize) -> Vec<String> {
        use futures_util::stream::{self, StreamExt};
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        self.run_id.hash(&mut h);
        let base = 100 + h.finish() % 100;
        let mut made: Vec<(usize, String)> = stream::iter(0..count)
            .map(|j| async move {
                let name = self
                    .network_in_subnet(&format!("{prefix}{j:03}"), &format!("10.{base}.{j}.0/24"))
                    .await;
                (j, name)
            })
            .buffer_unordered(8)
            .collect()
            .await;
        made.sort();
        made.into_iter().map(|(_, name)| name).collect()
    }

    /// Creates a labelled bridge network on an explicit subnet (e.g. `10.77.3.0/24`) and returns
    /// its name. The Engine's default pools hold only about 30 bridge networks and other tests on
    /// the shared engine draw from them too, so fixtures with many networks bring their own range.
    pub async fn network_in_subnet(&self, suffix: &str, subnet: &str) -> String {
        self.create_network(suffix, false, Some(subnet)).await
    }

    async fn create_network(&self, suffix: &str, internal: bool, subnet: Option<&str>) -> String {
        let name = self.name(suffix);
        let ipam = subnet.map(|subnet| Ipam {
            config: Some(vec![IpamConfig {
                subnet: Some(subnet.to_owned()),
                ..Default::default()
            }]),
            ..Default::default()
        });
        let request = NetworkCreateRequest {
            name: name.clone(),
            driver: Some("bridge".into()),
            internal: Some(internal),
            attachable: Some(true),
            ipam,
            labels: Some(self.labels(&[])),
            ..Default::default()
        };
        self.docker
            .create_network(request)
            .await
            .unwrap_or_else(|e| panic!("create network {name}: {e}"));
        name
    }

    /// Creates (and unless told otherwise starts) a labelled container; returns its name.
    pub async fn container(&self, spec: ContainerSpec) -> String {
        let name = self.name(&spec.suffix);
        let mut port_bindings = HashMap::new();
        let mut exposed: Vec<String> = spec.expose.iter().map(|p| format!("{p}/tcp")).collect();
        for (port, host_ip, host_port) in &spec.publish {
            let key = format!("{port}/tcp");
            exposed.push(key.clone());
            port_bindings.insert(
                key,
                Some(vec![PortBinding {
                    host_ip: Some(host_ip.clone()),
                    host_port: Some(if *host_port == 0 {
                        String::new()
                    } else {
                        host_port.to_string()
                    }),
                }]),
            );
        }
        let first = spec.attachments.first();
        let network_mode = spec
            .network_mode
            .clone()
            .or_else(|| first.map(|a| a.network.clone()));
        // API 1.41 accepts one endpoint at create time; the others are connected afterwards.
        let networking_config = first.map(|a| bollard::models::NetworkingConfig {
            endpoints_config: Some(HashMap::from([(a.network.clone(), endpoint(&a.aliases))])),
        });
        let body = ContainerCreateBody {
            image: Some(spec.image.clone().unwrap_or_else(|| self.image.clone())),
            cmd: Some(spec.cmd.clone()),
            env: Some(spec.env.clone()).filter(|e| !e.is_empty()),
            labels: Some(self.labels(&spec.labels)),
            exposed_ports: Some(exposed),
            host_config: Some(HostConfig {
                network_mode,
                port_bindings: Some(port_bindings),
                ..Default::default()
            }),
            networking_config,
            ..Default::default()
        };
        let options = CreateContainerOptionsBuilder::default().name(&name).build();
        self.docker
            .create_container(Some(options), body)
            .await
            .unwrap_or_else(|e| panic!("create container {name}: {e}"));
        for a in spec.attachments.iter().skip(1) {
            let request = NetworkConnectRequest {
                container: name.clone(),
                endpoint_config: Some(endpoint(&a.aliases)),
            };
            self.docker
                .connect_network(&a.network, request)
                .await
                .unwrap_or_else(|e| panic!("connect {name} to {}: {e}", a.network));
        }
        if spec.start {
            self.docker
                .start_container(&name, None)
                .await
                .unwrap_or_else(|e| panic!("start container {name}: {e}"));
        }
        name
    }

    /// Tags the test image as `netdoctor-test-<run id>/<repo>:latest`, so a container can look
    /// like, say, a `traefik` image without pulling anything. Untagged when the lab drops.
    pub async fn tag_image(&self, repo: &str) -> String {
        let repository = format!("netdoctor-test-{}/{repo}", self.run_id);
        let options = bollard::query_parameters::TagImageOptionsBuilder::default()
            .repo(&repository)
            .tag("latest")
            .build();
        self.docker
            .tag_image(&self.image, Some(options))
            .await
            .unwrap_or_else(|e| panic!("tag {repository}: {e}"));
        let tag = format!("{repository}:latest");
        self.tags.lock().expect("tags").push(tag.clone());
        tag
    }

    /// A Traefik-like proxy: the test image tagged `traefik` serving on port 80 (so it stays
    /// up), on `network`, labelled as Coolify labels its proxy. Returns its name.
    pub async fn traefik_proxy(&self, network: &str) -> String {
        let traefik = self.tag_image("traefik").await;
        self.container(
            ContainerSpec::new("proxy")
                .image(&traefik)
                .cmd(["httpd", "-f", "-p", "80"])
                .network(network, &[])
                .label("coolify.managed", "true")
                .label("coolify.proxy", "true"),
        )
        .await
    }

    /// A Coolify-like proxy running Debian's real Caddy (`coolify-proxy`'s labels, on
    /// `network`), configured by a Caddyfile or by JSON; `toolless` leaves busybox out, so
    /// reading its routes needs a debug container. Returns its name once its admin API is up.
    pub async fn caddy_proxy(
        &self,
        suffix: &str,
        network: &str,
        config: CaddyConfig,
        toolless: bool,
    ) -> String {
        let image = ensure_caddy_image(&self.docker, toolless).await;
        let spec = ContainerSpec::new(suffix)
            .image(&image)
            .network(network, &[])
            .label("coolify.managed", "true")
            .label("coolify.proxy", "true");
        let spec = match config {
            CaddyConfig::Caddyfile(text) => spec.env("ND_CADDYFILE", &text).cmd([
                "/usr/bin/caddy",
                "run",
                "--adapter",
                "caddyfile",
                "--config",
                "/etc/caddy/Caddyfile",
            ]),
            CaddyConfig::Json(json) => {
                assert!(!toolless, "a JSON config is written by busybox sh");
                spec.env("ND_CADDY_JSON", &json).cmd([
                    "/bin/sh",
                    "-c",
                    "mkdir -p /config && printf '%s' \"$ND_CADDY_JSON\" > /config/netdoctor-test.json && exec /usr/bin/caddy run --config /config/netdoctor-test.json",
                ])
            }
        };
        let name = self.container(spec).await;
        self.wait_for_autosave(&name).await;
        name
    }

    /// Waits (up to 20 s) until Caddy has saved its config, which it does once it runs it.
    async fn wait_for_autosave(&self, name: &str) {
        let options = bollard::query_parameters::DownloadFromContainerOptionsBuilder::default()
            .path("/config/caddy/autosave.json")
            .build();
        for _ in 0..200 {
            let mut stream = self
                .docker
                .download_from_container(name, Some(options.clone()));
            if let Some(Ok(_)) = stream.next().await {
                return;
            }
            let state = self
                .docker
                .inspect_container(name, None)
                .await
                .ok()
                .and_then(|c| c.state)
                .and_then(|s| s.running);
            assert_ne!(
                state,
                Some(false),
                "the Caddy test proxy {name} stopped; see `docker logs {name}`"
            );
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("the Caddy test proxy {name} did not load its config within 20 s");
    }

    /// Starts one of this lab's containers (made with `created_only`); the Engine's refusal
    /// comes back as its message, for tests that expect one.
    pub async fn try_start(&self, name: &str) -> Result<(), String> {
        self.docker
            .start_container(name, None)
            .await
            .map_err(|e| e.to_string())
    }

    /// Stops one of this lab's containers, killing it after `grace_seconds`.
    pub async fn stop(&self, name: &str, grace_seconds: i32) {
        let options = bollard::query_parameters::StopContainerOptionsBuilder::default()
            .t(grace_seconds)
            .build();
        self.docker
            .stop_container(name, Some(options))
            .await
            .unwrap_or_else(|e| panic!("stop container {name}: {e}"));
    }

    /// Removes one of this lab's containers, running or not.
    pub async fn remove(&self, name: &str) {
        let options = bollard::query_parameters::RemoveContainerOptionsBuilder::default()
            .force(true)
            .build();
        self.docker
            .remove_container(name, Some(options))
            .await
            .unwrap_or_else(|e| panic!("remove container {name}: {e}"));
    }

    /// How many execs the Engine has recorded for a container: 0 proves nothing ran in it.
    pub async fn exec_count(&self, name: &str) -> usize {
        self.docker
            .inspect_container(name, None)
            .await
            .unwrap_or_else(|e| panic!("inspect container {name}: {e}"))
            .exec_ids
            .map_or(0, |ids| ids.len())
    }

    /// Removes this lab's containers and networks now (what `Drop` does).
    pub async fn clean_up(&self) {
        remove_everything_labelled(&self.docker, &self.run_id).await;
    }
}

/// How many containers and networks labelled with `run_id` are still on the engine.
pub async fn leftovers(run_id: &str) -> (usize, usize) {
    let docker = connect(&test_endpoint()).await;
    let filter = HashMap::from([("label", vec![format!("{TEST_LABEL}={run_id}")])]);
    let containers = docker
        .list_containers(Some(
            ListContainersOptionsBuilder::default()
                .all(true)
                .filters(&filter)
                .build(),
        ))
        .await
        .expect("list containers");
    let networks = docker
        .list_networks(Some(
            ListNetworksOptionsBuilder::default()
                .filters(&filter)
                .build(),
        ))
        .await
        .expect("list networks");
    (containers.len(), networks.len())
}

fn endpoint(aliases: &[String]) -> EndpointSettings {
    EndpointSettings {
        aliases: Some(aliases.to_vec()).filter(|a| !a.is_empty()),
        ..Default::default()
    }
}

async fn remove_everything_labelled(docker: &Docker, run_id: &str) {
    let filter = HashMap::from([("label", vec![format!("{TEST_LABEL}={run_id}")])]);
    let list = ListContainersOptionsBuilder::default()
        .all(true)
        .filters(&filter)
        .build();
    let force = RemoveContainerOptionsBuilder::default()
        .force(true)
        .v(true)
        .build();
    for c in docker.list_containers(Some(list)).await.unwrap_or_default() {
        if let Some(id) = c.id {
            if let Err(e) = docker.remove_container(&id, Some(force.clone())).await {
                eprintln!("testkit: could not remove container {id}: {e}");
            }
        }
    }
    let list = ListNetworksOptionsBuilder::default()
        .filters(&filter)
        .build();
    for n in docker.list_networks(Some(list)).await.unwrap_or_default() {
        if let Some(id) = n.id {
            if let Err(e) = docker.remove_network(&id).await {
                eprintln!("testkit: could not remove network {id}: {e}");
            }
        }
    }
}

impl Drop for TestLab {
    /// Runs on a thread of its own with its own runtime, so it works inside or outside an async
    /// test and while a panic unwinds.
    fn drop(&mut self) {
        let endpoint = self.endpoint.clone();
        let run_id = self.run_id.clone();
        let tags = std::mem::take(
            &mut *self
                .tags
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        );
        let cleaner = std::thread::spawn(move || {
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                eprintln!("testkit: no runtime to clean up run {run_id}");
                return;
            };
            runtime.block_on(async {
                let docker = connect(&endpoint).await;
                remove_everything_labelled(&docker, &run_id).await;
                let untag = bollard::query_parameters::RemoveImageOptionsBuilder::default()
                    .noprune(true)
                    .build();
                for tag in tags {
                    if let Err(e) = docker.remove_image(&tag, Some(untag.clone()), None).await {
                        eprintln!("testkit: could not untag {tag}: {e}");
                    }
                }
            });
        });
        if cleaner.join().is_err() {
            eprintln!("testkit: clean-up of run {} panicked", self.run_id);
        }
    }
}
