//! A shared snapshot of a real container whose log prints every shape of secret that real logs
//! carry, and whose labels carry credentials: built the way `api::share::create_share` builds a
//! container share (that server function needs the Leptos server context, so this calls what
//! it delegates to: `Engine::recent_logs`, `Engine::topology`, `TopologyReport::new`,
//! `Snapshot::new`), then serialised as the link's JSON and the Markdown bundle. Neither holds
//! a secret; both keep what makes the log readable.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use app::domain::graph::TopologyReport;
use app::domain::logs::Since;
use app::domain::names::ContainerName;
use app::domain::snapshot::markdown::markdown;
use app::domain::snapshot::{ContainerLog, Snapshot, SnapshotView, MAX_LOG_LINES};
use app::engine::testkit::{ContainerSpec, TestLab};
use std::time::Duration;

/// (a log line, the secret in it, a readable part that must stay)
const LINES: [(&str, &str, &str); 30] = [
    (
        "db password = Pw-Spaced-0001 accepted",
        "Pw-Spaced-0001",
        "accepted",
    ),
    (
        "config {'password': 'Pw-Single-0002'}",
        "Pw-Single-0002",
        "'password':",
    ),
    (
        r#"config {"password" : "Pw-Double-0003"}"#,
        "Pw-Double-0003",
        r#""password" :"#,
    ),
    ("env DB_PASS=Pw-Pass-0004 loaded", "Pw-Pass-0004", "loaded"),
    (
        "exec mysql -uroot -pPwMysql0005 app",
        "PwMysql0005",
        "mysql -uroot -p",
    ),
    (
        "exec app --password Pw-Flag-0006 --port 80",
        "Pw-Flag-0006",
        "--port 80",
    ),
    (
        "upstream sent Bearer Tok0007abcdefgh back",
        "Tok0007abcdefgh",
        "back",
    ),
    (
        "header Basic YWRtaW46UHctQmFzaWMtMDAwOA== refused",
        "YWRtaW46UHctQmFzaWMtMDAwOA",
        "refused",
    ),
    (
        "clone with ghp_Gh0009aaaaaaaaaaaaaaaaaaaaaaaa ok",
        "Gh0009",
        "clone with",
    ),
    (
        "clone with github_pat_11Pat0010aaaaaaaaaaaaaaaa ok",
        "Pat0010",
        "clone with",
    ),
    (
        "charge sk_live_Stripe0011abcdef declined",
        "Stripe0011",
        "declined",
    ),
    (
        "slack xoxb-1111-2222-Slack0012abc posted",
        "Slack0012",
        "posted",
    ),
    (
        "using AKIAAWSKEY0013ABCDEF for s3",
        "AKIAAWSKEY0013ABCDEF",
        "for s3",
    ),
    (
        "aws_secret_access_key = AwsSecret0014/abcdefghijklmnopqrstuv",
        "AwsSecret0014",
        "aws_secret_access_key =",
    ),
    (
        "GET /blob?sv=2021&sig=Sig0015xyz&se=2030 200",
        "Sig0015xyz",
        "sv=2021",
    ),
    (
        "GET /o?X-Amz-Signature=AmzSig0016&X-Amz-Expires=60 200",
        "AmzSig0016",
        "X-Amz-Expires=60",
    ),
    (
        "GET /api?token=QueryTok0017&page=2 200",
        "QueryTok0017",
        "page=2",
    ),
    (
        "dial postgres://app:Pw@At0018@db:5432/app",
        "At0018",
        "@db:5432/app",
    ),
    (
        "admin:$apr1$salt0019$HtApr0019abcdefghijkl",
        "HtApr0019",
        "admin:",
    ),
    (
        "bob:$2y$05$HtBcrypt0020abcdefghijklmnopqrstu",
        "HtBcrypt0020",
        "bob:",
    ),
    (
        "dave:Restricted:0021a0b1c2d3e4f5a6b7c8d9e0f1a2b3",
        "0021a0b1c2d3e4f5a6b7c8d9e0f1a2b3",
        "dave:Restricted:",
    ),
    (
        r#"{"level":"info","api_key":"Json0022","msg":"started"}"#,
        "Json0022",
        "started",
    ),
    (
        "Authorization: Bearer Hdr0023abcdefgh",
        "Hdr0023",
        "Authorization:",
    ),
    (
        "Set-Cookie: session=Cookie0024; HttpOnly",
        "Cookie0024",
        "Set-Cookie:",
    ),
    ("loading the signing key", "", "loading the signing key"),
    ("-----BEGIN PRIVATE KEY-----", "BEGIN PRIVATE KEY", ""),
    (
        "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCPem0025abcdefghijklmnopqrstuvwxyz",
        "Pem0025",
        "",
    ),
    ("shortPem0026body", "Pem0026", ""),
    ("-----END PRIVATE KEY-----", "END PRIVATE KEY", ""),
    (
        "signing key loaded; password_reset_sent=true compass=north Basic setup done",
        "",
        "password_reset_sent=true compass=north Basic setup done",
    ),
];

/// Labels that carry credentials (key, value, the secret in it); none may reach a snapshot.
const SECRET_LABELS: [(&str, &str, &str); 4] = [
    (
        "traefik.http.middlewares.nd-auth.basicauth.users",
        "admin:$apr1$Label0101$abcdefghijkl",
        "Label0101",
    ),
    (
        "traefik.http.middlewares.nd-digest.digestauth.users",
        "dave:Restricted:0102a0b1c2d3e4f5a6b7c8d9e0f1a2b3",
        "0102a0b1c2d3e4f5a6b7c8d9e0f1a2b3",
    ),
    (
        "traefik.http.middlewares.nd-h.headers.customrequestheaders.Authorization",
        "Bearer Label0103abcdef",
        "Label0103",
    ),
    (
        "caddy_0.reverse_proxy.header_up",
        "Authorization \"Bearer Label0104abcdef\"",
        "Label0104",
    ),
];

#[tokio::test]
async fn a_shared_snapshot_of_a_container_that_logs_every_shape_of_secret_holds_none_of_them() {
    let lab = TestLab::start().await;
    // Test setup, not a product exec: the container prints each line once, then idles.
    let mut argv: Vec<String> = vec![
        "sh".into(),
        "-c".into(),
        "printf '%s\\n' \"$@\"; exec sleep 3600".into(),
        "sh".into(),
    ];
    argv.extend(LINES.iter().map(|(line, _, _)| (*line).to_owned()));
    let mut spec = ContainerSpec::new("leaky")
        .cmd(argv)
        .label(
            "traefik.http.routers.nd-leaky.rule",
            "Host(`leaky.example.test`)",
        )
        .label("caddy_1.reverse_proxy.header_up", "X-Real-IP {remote_host}");
    for (key, value, _) in SECRET_LABELS {
        spec = spec.label(key, value);
    }
    let container = lab.container(spec).await;
    let name = ContainerName::parse(&container).unwrap();
    let engine = lab.engine();

    // What `create_share` does for `kind=container&log_lines=1000`.
    let mut lines = Vec::new();
    for _ in 0..100 {
        lines = engine
            .recent_logs(&name, MAX_LOG_LINES, Since::Any)
            .await
            .unwrap();
        if lines.len() >= LINES.len() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(lines.len(), LINES.len(), "the container printed every line");
    let raw: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
    let printed: Vec<&str> = LINES.iter().map(|(line, _, _)| *line).collect();
    assert_eq!(raw, printed, "the log holds the secrets before redaction");
    let topology = TopologyReport::new(engine.topology().await.unwrap());
    let snapshot = Snapshot::new(
        format!("Container {container}"),
        1_764_000_000_000,
        format!("/containers/{container}"),
        SnapshotView::Container {
            name: container.clone(),
        },
        topology,
        vec![ContainerLog {
            container: container.clone(),
            lines,
        }],
    );

    let json = serde_json::to_string(&snapshot).unwrap();
    let md = markdown(&snapshot);
    for (what, text) in [("JSON", &json), ("Markdown", &md)] {
        for (line, secret, readable) in LINES {
            if !secret.is_empty() {
                assert!(
                    !text.contains(secret),
                    "the {what} holds {secret:?} from {line:?}"
                );
            }
            if !readable.is_empty() {
                // JSON escapes quotes; compare with the readable part as JSON writes it.
                let as_written = if what == "JSON" {
                    let quoted = serde_json::to_string(readable).unwrap();
                    quoted[1..quoted.len() - 1].to_owned()
                } else {
                    readable.to_owned()
                };
                assert!(
                    text.contains(&as_written),
                    "the {what} lost {readable:?} of {line:?}"
                );
            }
        }
        for (key, _, secret) in SECRET_LABELS {
            assert!(
                !text.contains(secret),
                "the {what} holds the label {key}'s secret"
            );
            assert!(!text.contains(key), "the {what} holds the label {key}");
        }
    }
    let ours = snapshot
        .topology
        .topology
        .container(&container)
        .expect("the container is in the snapshot's topology");
    for (key, _, _) in SECRET_LABELS {
        assert!(!ours.labels.contains_key(key), "the label {key} was kept");
    }
    assert_eq!(
        ours.labels
            .get("traefik.http.routers.nd-leaky.rule")
            .map(String::as_str),
        Some("Host(`leaky.example.test`)"),
        "routing labels stay"
    );
    assert!(ours.labels.contains_key("caddy_1.reverse_proxy.header_up"));
    // Every line of the private key went, the lines around it stayed.
    let texts: Vec<&str> = snapshot.logs[0]
        .lines
        .iter()
        .map(|l| l.text.as_str())
        .collect();
    assert_eq!(texts[24], "loading the signing key");
    for line in &texts[25..29] {
        assert_eq!(*line, app::domain::redact::PRIVATE_KEY_LINE);
    }
}
