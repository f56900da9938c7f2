//! What the pure benches share: their command line, and a synthetic Coolify-like host.
#![allow(dead_code)]

use app::domain::engine_json::{ContainerInspectJson, NetworkInspectJson};
use app::domain::topology::Topology;
use serde_json::json;

/// `--sizes 20x5,300x40 --runs 50` over the defaults; anything else cargo passes (`--bench`)
/// is ignored, and a size that does not parse is left out.
pub fn sizes_and_runs(
    mut sizes: Vec<(usize, usize)>,
    mut runs: usize,
) -> (Vec<(usize, usize)>, usize) {
    let args: Vec<String> = std::env::args().collect();
    for pair in args.windows(2) {
        match pair[0].as_str() {
            "--sizes" => {
                sizes = pair[1]
                    .split(',')
                    .filter_map(|s| {
                        let (c, n) = s.split_once('x')?;
                        Some((c.parse().ok()?, n.parse().ok()?))
                    })
                    .collect();
            }
            "--runs" => runs = pair[1].parse().unwrap_or(runs),
            _ => {}
        }
    }
    (sizes, runs)
}

/// A synthetic Coolify-like host: N containers over M networks, stacks of five with
/// service-name aliases, each container on two networks, one in 17 exited, one network in ten
/// internal.
pub fn coolify_like(containers: usize, networks: usize) -> Topology {
    let nets: Vec<NetworkInspectJson> = (0..networks)
        .map(|n| {
            serde_json::from_value(json!({
                "Name": format!("net-{n}"), "Id": format!("{n:064x}"), "Driver": "bridge", "Scope": "local",
                "Internal": n % 10 == 9,
                "IPAM": {"Config": [{"Subnet": format!("10.{n}.0.0/16"), "Gateway": format!("10.{n}.0.1")}]}
            }))
            .unwrap()
        })
        .collect();
    let cs: Vec<ContainerInspectJson> = (0..containers)
        .map(|i| {
            let stack = i / 5;
            let service = format!("svc{}", i % 5);
            let name = format!("{service}-stack{stack}");
            let mut endpoints = serde_json::Map::new();
            for n in [i % networks, (i * 7 + 3) % networks] {
                endpoints.insert(
                    format!("net-{n}"),
                    json!({"IPAddress": format!("10.{n}.{}.{}", i / 250, i % 250 + 2), "Aliases": [service, format!("{i:012x}")]}),
                );
            }
            serde_json::from_value(json!({
                "Id": format!("{i:064x}"), "Name": format!("/{name}"),
                "State": {"Status": if i % 17 == 0 { "exited" } else { "running" }, "Running": i % 17 != 0},
                "Config": {"Image": "app:latest", "ExposedPorts": {"8080/tcp": {}},
                    "Labels": {"com.docker.compose.project": format!("stack{stack}"), "com.docker.compose.service": service}},
                "HostConfig": {"NetworkMode": format!("net-{}", i % networks)},
                "NetworkSettings": {"Networks": endpoints}
            }))
            .unwrap()
        })
        .collect();
    Topology::from_engine(&cs, &nets)
}
