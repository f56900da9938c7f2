//! Browser-test harness: starts the built netdoctor server on a free loopback port, starts
//! chromedriver and a headless Debian chromium, and always closes the WebDriver session and
//! stops both processes, even when a check fails.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use fantoccini::{Client, ClientBuilder, Locator};
use std::future::Future;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub use app::testids;
pub use fantoccini;

pub mod first_load;

/// The top bar's marker once the WASM has hydrated the page.
pub const HYDRATION_MARKER: &str = "[data-testid=\"hydration\"][data-state=\"hydrated\"]";

/// How long a page may take to show what a check waits for.
pub const WAIT: Duration = Duration::from_secs(30);

/// The workspace root (this crate lives in `end2end/`).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_path_buf()
}

/// A scratch directory under `target/tmp`, unique to this process and `tag`.
pub fn scratch_dir(tag: &str) -> PathBuf {
    let dir = workspace_root()
        .join("target/tmp")
        .join(format!("e2e-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

/// The server binary cargo-leptos built: `NETDOCTOR_BIN`, else the newest of
/// target/{debug,release,x86_64-unknown-linux-musl/release}/netdoctor that has the `hash.txt`
/// of the content-hashed site beside it (a server without it links file names the site does
/// not have, and the page never hydrates), else the newest of them.
fn server_binary() -> PathBuf {
    if let Ok(bin) = std::env::var("NETDOCTOR_BIN") {
        return PathBuf::from(bin);
    }
    let target = workspace_root().join("target");
    let built: Vec<PathBuf> = ["debug", "release", "x86_64-unknown-linux-musl/release"]
        .iter()
        .map(|dir| target.join(dir).join("netdoctor"))
        .filter(|p| p.exists())
        .collect();
    let newest = |bins: &mut dyn Iterator<Item = &PathBuf>| {
        bins.max_by_key(|p| p.metadata().and_then(|m| m.modified()).ok())
            .cloned()
    };
    newest(&mut built.iter().filter(|p| p.with_file_name("hash.txt").exists()))
        .or_else(|| newest(&mut built.iter()))
        .expect("no built netdoctor server: build it with `scripts/test.sh browser` (or cargo leptos build), which builds it")
}

/// A running netdoctor server; killed on drop.
pub struct Server {
    child: Child,
    pub url: String,
    pub log: PathBuf,
}

impl Server {
    /// Starts the built server on a free loopback port against `docker_host`.
    pub fn start(docker_host: &str) -> Self {
        Self::start_with(docker_host, &[], &[])
    }

    /// Like [`Server::start`], with extra flags and environment variables.
    pub fn start_with(docker_host: &str, args: &[&str], envs: &[(&str, &str)]) -> Self {
        let root = workspace_root();
        // `NETDOCTOR_SITE`: another built site (the first-load benchmark compares builds).
        let site = std::env::var_os("NETDOCTOR_SITE")
            .map_or_else(|| root.join("target/site"), PathBuf::from);
        assert!(
            std::fs::read_dir(site.join("pkg")).is_ok_and(|mut files| files
                .any(|f| f.is_ok_and(|f| f.file_name().to_string_lossy().ends_with(".wasm")))),
            "no built site at {}: build it with `scripts/test.sh browser` (or cargo leptos build)",
            site.display()
        );
        let port = free_port();
        let dir = scratch_dir(&format!("server-{port}"));
        let log = dir.join("server.log");
        let log_file = std::fs::File::create(&log).expect("log file");
        let child = Command::new(server_binary())
            .args(["--listen", &format!("127.0.0.1:{port}")])
            .arg("--data-dir")
            .arg(dir.join("data"))
            .arg("--site-root")
            .arg(&site)
            .args(args)
            .envs(envs.iter().copied())
            .env("DOCKER_HOST", docker_host)
            .env("RUST_LOG", "info")
            .stdout(log_file.try_clone().expect("log"))
            .stderr(log_file)
            .spawn()
            .expect("start netdoctor");
        let server = Self {
            child,
            url: format!("http://127.0.0.1:{port}"),
            log,
        };
        server.wait_until_healthy(port);
        server
    }

    fn wait_until_healthy(&self, port: u16) {
        let deadline = Instant::now() + WAIT;
        while Instant::now() < deadline {
            if let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) {
                let _ = stream.write_all(b"GET /healthz HTTP/1.0\r\nHost: localhost\r\n\r\n");
                let mut answer = String::new();
                let _ = stream.read_to_string(&mut answer);
                if answer.starts_with("HTTP/1.0 200") || answer.starts_with("HTTP/1.1 200") {
                    return;
                }
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!(
            "netdoctor did not become healthy; its log:\n{}",
            std::fs::read_to_string(&self.log).unwrap_or_default()
        );
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// chromedriver on a free port (or the one at `WEBDRIVER_URL`); killed on drop.
struct Driver {
    child: Option<Child>,
    url: String,
}

impl Driver {
    fn start() -> Self {
        if let Ok(url) = std::env::var("WEBDRIVER_URL") {
            return Self { child: None, url };
        }
        let port = free_port();
        let tmp = scratch_dir(&format!("chromedriver-{port}"));
        let child = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .env("TMPDIR", &tmp)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver (apt-get install chromium-driver)");
        let deadline = Instant::now() + WAIT;
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "chromedriver did not start on port {port}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        Self {
            child: Some(child),
            url: format!("http://127.0.0.1:{port}"),
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        if let Some(child) = &mut self.child {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// How the browser is started.
#[derive(Debug, Clone)]
pub struct BrowserOptions {
    /// Window width and height in CSS px.
    pub window: (u32, u32),
    /// Where downloads land (without asking), when a test downloads something.
    pub downloads: Option<PathBuf>,
}

impl Default for BrowserOptions {
    fn default() -> Self {
        Self {
            window: (1280, 900),
            downloads: None,
        }
    }
}

fn capabilities(
    profile: &Path,
    options: &BrowserOptions,
) -> serde_json::Map<String, serde_json::Value> {
    let mut caps = serde_json::json!({
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()),
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", format!("--window-size={},{}", options.window.0, options.window.1),
                format!("--user-data-dir={}", profile.display()),
            ]
        }
    });
    if let Some(dir) = &options.downloads {
        caps["goog:chromeOptions"]["prefs"] = serde_json::json!({
            "download.default_directory": dir.display().to_string(),
            "download.prompt_for_download": false,
            "download.directory_upgrade": true,
        });
    }
    caps.as_object().expect("object").clone()
}

/// Runs `check` with a fresh browser profile. The session is closed and chromedriver stopped
/// whatever happens; a failed check is re-raised afterwards.
pub async fn with_browser<F, Fut>(check: F)
where
    F: FnOnce(Client) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    with_browser_using(BrowserOptions::default(), check).await;
}

/// [`with_browser`] with another window size or a download directory.
pub async fn with_browser_using<F, Fut>(options: BrowserOptions, check: F)
where
    F: FnOnce(Client) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let driver = Driver::start();
    let profile = scratch_dir(&format!("profile-{}", free_port()));
    let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(capabilities(&profile, &options))
        .connect(&driver.url)
        .await
        .expect("WebDriver session");
    let outcome = tokio::spawn(check(client.clone())).await;
    if let Err(e) = client.close().await {
        eprintln!("closing the WebDriver session failed: {e}");
    }
    drop(driver);
    let _ = std::fs::remove_dir_all(&profile);
    if let Err(e) = outcome {
        if e.is_panic() {
            std::panic::resume_unwind(e.into_panic());
        }
        panic!("the browser check did not finish: {e}");
    }
}

/// A CSS selector for `data-testid`.
pub fn testid(id: &str) -> Locator<'static> {
    Locator::Css(Box::leak(
        format!("[data-testid=\"{id}\"]").into_boxed_str(),
    ))
}

/// Waits until the WASM has hydrated the page (the top bar's marker flips from "ssr").
pub async fn wait_for_hydration(client: &Client) {
    client
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css(HYDRATION_MARKER))
        .await
        .expect("the page hydrates");
}

/// Polls `condition` until it holds, or fails with `what`.
pub async fn eventually<F, Fut>(what: &str, mut condition: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = Instant::now() + WAIT;
    while !condition().await {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Marks the current document so a later check can tell that no reload happened.
pub async fn mark_document(client: &Client) {
    client
        .execute("window.__netdoctorSameDocument = true;", vec![])
        .await
        .expect("mark the document");
}

/// Whether the document marked by `mark_document` is still the one shown.
pub async fn same_document(client: &Client) -> bool {
    client
        .execute("return window.__netdoctorSameDocument === true;", vec![])
        .await
        .expect("read the mark")
        .as_bool()
        .unwrap_or(false)
}

/// The visible text of the element `locator` finds (fails the check when there is none).
pub async fn text_of(client: &Client, locator: Locator<'_>) -> String {
    client
        .find(locator)
        .await
        .expect("the element is on the page")
        .text()
        .await
        .expect("its text")
}

/// Whether the address bar contains `part` (filters and selection live in the URL).
pub async fn url_contains(client: &Client, part: &str) -> bool {
    client
        .current_url()
        .await
        .map(|u| u.as_str().contains(part))
        .unwrap_or(false)
}

/// Types `password` into the sign-in form and submits it, as a user would.
pub async fn sign_in(client: &Client, password: &str) {
    let form = client
        .find(testid(testids::LOGIN_FORM))
        .await
        .expect("the sign-in form");
    form.find(Locator::Css("input[name=password]"))
        .await
        .expect("field")
        .send_keys(password)
        .await
        .expect("type");
    form.find(Locator::Css("button[type=submit]"))
        .await
        .expect("button")
        .click()
        .await
        .expect("submit");
}

/// Clicks the element with this `data-testid`.
pub async fn click(client: &Client, id: &str) {
    client
        .find(testid(id))
        .await
        .expect("the element to click")
        .click()
        .await
        .expect("click");
}

/// Opens the page's folded "Share this view", makes a snapshot link and returns it.
pub async fn share_this_view(client: &Client) -> String {
    client
        .find(Locator::Css("[data-testid=\"share\"] summary"))
        .await
        .expect("the share panel")
        .click()
        .await
        .expect("unfold it");
    click(client, testids::SHARE_CREATE).await;
    eventually("the snapshot link is shown", || async {
        client.find(testid(testids::SHARE_URL)).await.is_ok()
    })
    .await;
    client
        .find(testid(testids::SHARE_URL))
        .await
        .expect("the link")
        .prop("value")
        .await
        .expect("its value")
        .unwrap_or_default()
}
