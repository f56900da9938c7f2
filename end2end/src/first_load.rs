//! What a page's first load costs a browser: every response it fetched until it hydrated and
//! the network went quiet (bytes on the wire, compressed, and decoded), and the time from the
//! navigation to hydration, optionally over a throttled link. Read from the page's own Resource
//! Timing entries in Chromium, with the DevTools protocol (through chromedriver) for what
//! WebDriver has no command for: network throttling, a disabled cache and a script that notes
//! the moment of hydration before any of the page's own scripts run.
//! Used by the budget test (`tests/first_load.rs`) and the benchmark (`examples/first_load.rs`,
//! run by `scripts/first-load.sh`).

use crate::{HYDRATION_MARKER, WAIT};
use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::Client;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// The pages whose first load is measured and budgeted; `{container}` stands for a container's
/// name.
pub const PAGES: [&str; 5] = [
    "/",
    "/containers",
    "/containers/{container}",
    "/connect",
    "/diagnose",
];

/// The goal for one page's first load, in bytes transferred (headers included), as issue 17
/// states it: 250 KB. Not met yet: see BENCHMARKS.md ("First load") for where the bytes go.
pub const GOAL_BYTES: u64 = 250_000;

/// What the budget test holds every page to until the goal is met, so the wasm cannot grow
/// unnoticed. Written at 915 KB (806–830 KB measured, a 792 KB brotli wasm, and 10 % more);
/// raised on 2026-12-07 to 1,020 KB with issue 20's screens (the Servers page, the switcher,
/// the Swarm panel, the builder across servers): the wasm went from 881 to 979 KB brotli
/// (pages 996–999 KB), and 2 % more. Lower it with every saving; [`GOAL_BYTES`] is the target.
pub const CEILING_BYTES: u64 = 1_020_000;

/// The throttled link of the benchmark: 10 Mbit/s both ways, 50 ms round trip.
pub const THROTTLED: Link = Link {
    latency_ms: 50,
    bits_per_second: 10_000_000,
};

/// A network link to emulate.
#[derive(Debug, Clone, Copy)]
pub struct Link {
    /// Added round-trip time.
    pub latency_ms: u64,
    pub bits_per_second: u64,
}

/// One response the page fetched.
#[derive(Debug, Clone)]
pub struct Asset {
    /// The path (and query) under the page's origin.
    pub path: String,
    /// Bytes on the wire, headers included (Resource Timing's `transferSize`).
    pub transferred: u64,
    /// The body as sent, compressed when it was (`encodedBodySize`).
    pub encoded: u64,
    /// The body after decompression (`decodedBodySize`).
    pub decoded: u64,
}

/// A page's first load.
#[derive(Debug, Clone)]
pub struct FirstLoad {
    pub page: String,
    /// The document first, then the other responses in the order they were fetched.
    pub assets: Vec<Asset>,
    /// From the start of the navigation to the hydration marker turning `hydrated`.
    pub hydrated_ms: f64,
    /// Content-Security-Policy violations the page reported (`securitypolicyviolation`).
    pub csp_violations: Vec<String>,
}

impl FirstLoad {
    pub fn transferred(&self) -> u64 {
        self.assets.iter().map(|a| a.transferred).sum()
    }
    pub fn encoded(&self) -> u64 {
        self.assets.iter().map(|a| a.encoded).sum()
    }
    pub fn decoded(&self) -> u64 {
        self.assets.iter().map(|a| a.decoded).sum()
    }
}

/// Chromium's DevTools protocol through chromedriver (`goog/cdp/execute`), for the page's target.
#[derive(Debug)]
struct Cdp {
    method: &'static str,
    params: Value,
}

impl WebDriverCompatibleCommand for Cdp {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/goog/cdp/execute",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        let body = json!({ "cmd": self.method, "params": self.params });
        (http::Method::POST, Some(body.to_string()))
    }
}

async fn cdp(client: &Client, method: &'static str, params: Value) -> Value {
    client
        .issue_cmd(Cdp { method, params })
        .await
        .unwrap_or_else(|e| panic!("DevTools {method}: {e}"))
}

/// Runs before any of the page's own scripts in every new document: notes when the hydration
/// marker turns `hydrated` (in ms since the navigation started) and any CSP violation.
const PROBE: &str = r#"(() => {
  const nd = (window.__ndFirstLoad = { hydratedAt: null, violations: [] });
  document.addEventListener('securitypolicyviolation', (e) => {
    nd.violations.push(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'}`);
  });
  const seen = () => {
    if (nd.hydratedAt === null && document.querySelector('MARKER')) {
      nd.hydratedAt = performance.now();
    }
  };
  new MutationObserver(seen).observe(document, {
    subtree: true, childList: true, attributes: true, attributeFilter: ['data-state'],
  });
})();"#;

/// Prepares the browser: no HTTP cache (every load is a first load) and the probe in every new
/// document. Once per session.
pub async fn prepare(client: &Client) {
    cdp(client, "Network.enable", json!({})).await;
    cdp(
        client,
        "Network.setCacheDisabled",
        json!({ "cacheDisabled": true }),
    )
    .await;
    cdp(
        client,
        "Page.addScriptToEvaluateOnNewDocument",
        json!({ "source": PROBE.replace("MARKER", HYDRATION_MARKER) }),
    )
    .await;
}

/// The link the next loads go over (`None`: as fast as loopback goes).
pub async fn emulate(client: &Client, link: Option<Link>) {
    let (latency, throughput) = match link {
        // DevTools wants bytes per second; -1 means no limit.
        Some(l) => (l.latency_ms as f64, l.bits_per_second as f64 / 8.0),
        None => (0.0, -1.0),
    };
    cdp(
        client,
        "Network.emulateNetworkConditions",
        json!({
            "offline": false,
            "latency": latency,
            "downloadThroughput": throughput,
            "uploadThroughput": throughput,
        }),
    )
    .await;
}

/// How often a page is opened before a load that never hydrates counts as a failure: Chromium
/// drops a load in flight with ERR_NETWORK_CHANGED when a network interface comes or goes, and
/// on a shared engine other tests create and remove Docker networks all the time.
const ATTEMPTS: u32 = 6;

/// Opens `page` of the server at `origin` as a first visit and measures it: waits for
/// hydration, then until no new response has arrived for half a second (lazily loaded code,
/// the page's first server calls), then reads the page's Resource Timing entries. Long-lived
/// event streams never finish and so are not counted.
pub async fn measure(client: &Client, origin: &str, page: &str) -> FirstLoad {
    let mut attempt = 1;
    let hydrated_ms = loop {
        match open_until_hydrated(client, &format!("{origin}{page}")).await {
            Ok(ms) => break ms,
            Err(why) if attempt < ATTEMPTS => {
                eprintln!("{page}: {why}; opening it again");
                attempt += 1;
            }
            Err(why) => panic!("{page} did not hydrate ({ATTEMPTS} attempts): {why}"),
        }
    };
    let mut count = 0;
    let started = Instant::now();
    let mut quiet_since = started;
    while quiet_since.elapsed() < Duration::from_millis(500) {
        let now = client
            .execute(
                "return performance.getEntriesByType('resource').length;",
                vec![],
            )
            .await
            .expect("count responses")
            .as_u64()
            .unwrap_or(0);
        if now != count {
            count = now;
            quiet_since = Instant::now();
        }
        assert!(started.elapsed() < WAIT, "{page} never went quiet");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let read = client
        .execute(
            "const origin = location.origin;
             const pick = (e) => ({
               path: e.name.startsWith(origin) ? e.name.slice(origin.length) : e.name,
               transferred: e.transferSize, encoded: e.encodedBodySize, decoded: e.decodedBodySize,
             });
             return {
               assets: performance.getEntriesByType('navigation').map(pick)
                 .concat(performance.getEntriesByType('resource').map(pick)),
               violations: window.__ndFirstLoad.violations,
             };",
            vec![],
        )
        .await
        .expect("read Resource Timing");
    let assets = read["assets"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| Asset {
            path: e["path"].as_str().unwrap_or_default().to_owned(),
            transferred: e["transferred"].as_u64().unwrap_or(0),
            encoded: e["encoded"].as_u64().unwrap_or(0),
            decoded: e["decoded"].as_u64().unwrap_or(0),
        })
        .collect();
    let csp_violations = read["violations"]
        .as_array()
        .map(|v| {
            v.iter()
                .filter_map(|s| s.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    FirstLoad {
        page: page.to_owned(),
        assets,
        hydrated_ms,
        csp_violations,
    }
}

/// Opens `url` after a blank page (nothing of the last page reused or still loading) and
/// answers when it hydrated, in ms since the navigation started.
async fn open_until_hydrated(client: &Client, url: &str) -> Result<f64, String> {
    client
        .goto("about:blank")
        .await
        .map_err(|e| e.to_string())?;
    client.goto(url).await.map_err(|e| e.to_string())?;
    let deadline = Instant::now() + WAIT;
    loop {
        let probe = client
            .execute(
                "return [window.__ndFirstLoad ? window.__ndFirstLoad.hydratedAt : null, location.href,
                         performance.getEntriesByType('resource')
                           .some((e) => e.name.includes('/pkg/') && e.responseStatus === 0)];",
                vec![],
            )
            .await
            .map_err(|e| e.to_string())?;
        if let Some(ms) = probe[0].as_f64() {
            return Ok(ms);
        }
        let at = probe[1].as_str().unwrap_or_default();
        let broken = at.starts_with("chrome-error:") || probe[2].as_bool() == Some(true);
        if broken || Instant::now() > deadline {
            let state = client
                .execute(
                    "const m = document.querySelector('[data-testid=\"hydration\"]');
                     return [m ? m.outerHTML : 'no marker', document.readyState,
                             (document.body ? document.body.innerText : '').slice(0, 200),
                             performance.getEntriesByType('resource').map((e) => `${e.name} ${e.responseStatus}`)];",
                    vec![],
                )
                .await
                .map_err(|e| e.to_string())?;
            return Err(format!("not hydrated at {at}: {state}"));
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A table of one page's first load, asset by asset, for people.
pub fn report(load: &FirstLoad) -> String {
    let mut out = format!(
        "{}  (hydrated after {:.0} ms)\n  {:>12} {:>12} {:>12}  response\n",
        load.page, load.hydrated_ms, "transferred", "compressed", "raw"
    );
    for a in &load.assets {
        out.push_str(&format!(
            "  {:>12} {:>12} {:>12}  {}\n",
            a.transferred, a.encoded, a.decoded, a.path
        ));
    }
    out.push_str(&format!(
        "  {:>12} {:>12} {:>12}  total\n",
        load.transferred(),
        load.encoded(),
        load.decoded()
    ));
    out
}
