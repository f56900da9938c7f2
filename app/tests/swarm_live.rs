//! A swarm manager read live: the second Docker Engine of `scripts/engines.sh` (never the shared
//! one) is made a single-node swarm by this test, on loopback only, given an attachable and a
//! sealed overlay, a replicated service published through the ingress mesh and a service no node
//! may run, plus standalone containers on both overlays and one whose Traefik label names the
//! sealed overlay. The model netdoctor reads must equal
//! what was created, and both swarm findings must name the broken setups and only those. The
//! engine leaves the swarm again at the end (a Drop guard, also after a failed assertion), so it
//! is left as it was found.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use app::domain::findings::{findings, Finding, FindingCode, Subject};
use app::domain::graph::{layout_input, swarm_services, GraphQuery};
use app::domain::ports::Protocol;
use app::domain::swarm::{PublishMode, ServiceMode, ServicePort, Swarm};
use app::engine::testkit::{ContainerSpec, TestLab, TestServers, TEST_LABEL};
use app::engine::Engine;
use bollard::models::{
    EndpointPortConfig, EndpointPortConfigProtocolEnum, EndpointPortConfigPublishModeEnum,
    EndpointSpec, LocalNodeState, NetworkAttachmentConfig, NetworkCreateRequest, ServiceSpec,
    ServiceSpecMode, ServiceSpecModeReplicated, SwarmInitRequest, TaskSpec, TaskSpecContainerSpec,
    TaskSpecPlacement,
};
use bollard::query_parameters::LeaveSwarmOptionsBuilder;
use bollard::{Docker, API_DEFAULT_VERSION};
use std::collections::{BTreeSet, HashMap};
use std::time::{Duration, Instant};

/// The node label the stuck service's constraint asks for; no node has it.
const NEVER: &str = "node.labels.netdoctor-never==yes";

fn connect(servers: &TestServers) -> Docker {
    let path = servers
        .engine2
        .to_string()
        .strip_prefix("unix://")
        .expect("the second engine is reached by its socket")
        .to_owned();
    Docker::connect_with_unix(&path, 60, API_DEFAULT_VERSION).expect("second engine")
}

/// Makes the second engine a swarm manager for the test and undoes it on drop: `swarm leave
/// --force` (which takes the services, tasks and overlays with it) and the `docker_gwbridge`
/// network swarm made, when the engine was outside a swarm before. On an engine that already
/// managed a swarm it only removes the services and networks the test created.
struct SwarmGuard {
    docker: Docker,
    initialised: bool,
    had_gwbridge: bool,
    services: Vec<String>,
    networks: Vec<String>,
}

impl SwarmGuard {
    async fn start(docker: Docker) -> Self {
        let state = docker
            .info()
            .await
            .expect("info")
            .swarm
            .and_then(|s| s.local_node_state);
        let had_gwbridge = docker
            .inspect_network("docker_gwbridge", None)
            .await
            .is_ok();
        let initialised = state != Some(LocalNodeState::ACTIVE);
        if initialised {
            // Loopback only: the manager's and gossip ports listen on 127.0.0.1, on a port of
            // its own so nothing else's 2377 matters.
            let port = std::net::TcpListener::bind("127.0.0.1:0")
                .expect("free port")
                .local_addr()
                .expect("address")
                .port();
            docker
                .init_swarm(SwarmInitRequest {
                    listen_addr: Some(format!("127.0.0.1:{port}")),
                    advertise_addr: Some("127.0.0.1".into()),
                    data_path_addr: Some("127.0.0.1".into()),
                    ..Default::default()
                })
                .await
                .expect("docker swarm init on the second engine");
        }
        Self {
            docker,
            initialised,
            had_gwbridge,
            services: Vec::new(),
            networks: Vec::new(),
        }
    }

    async fn overlay(&mut self, lab: &TestLab, suffix: &str, attachable: bool) -> String {
        let name = lab.name(suffix);
        self.docker
            .create_network(NetworkCreateRequest {
                name: name.clone(),
                driver: Some("overlay".into()),
                attachable: Some(attachable),
                labels: Some(HashMap::from([(
                    TEST_LABEL.to_owned(),
                    lab.run_id().to_owned(),
                )])),
                ..Default::default()
            })
            .await
            .unwrap_or_else(|e| panic!("create overlay {name}: {e}"));
        self.networks.push(name.clone());
        name
    }

    async fn service(&mut self, lab: &TestLab, suffix: &str, spec: ServiceSpec) -> String {
        let name = lab.name(suffix);
        let spec = ServiceSpec {
            name: Some(name.clone()),
            labels: Some(HashMap::from([(
                TEST_LABEL.to_owned(),
                lab.run_id().to_owned(),
            )])),
            ..spec
        };
        self.docker
            .create_service(spec, None)
            .await
            .unwrap_or_else(|e| panic!("create service {name}: {e}"));
        self.services.push(name.clone());
        name
    }
}

impl Drop for SwarmGuard {
    fn drop(&mut self) {
        let docker = self.docker.clone();
        let (initialised, had_gwbridge) = (self.initialised, self.had_gwbridge);
        let services = std::mem::take(&mut self.services);
        let networks = std::mem::take(&mut self.networks);
        let cleaner = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            runtime.block_on(async {
                if initialised {
                    let force = LeaveSwarmOptionsBuilder::default().force(true).build();
                    if let Err(e) = docker.leave_swarm(Some(force)).await {
                        eprintln!("swarm_live: could not leave the swarm: {e}");
                    }
                    if !had_gwbridge {
                        if let Err(e) = docker.remove_network("docker_gwbridge").await {
                            eprintln!("swarm_live: could not remove docker_gwbridge: {e}");
                        }
                    }
                    return;
                }
                for s in services {
                    let _ = docker.delete_service(&s).await;
                }
                // Tasks take a moment to let go of their networks.
                for n in networks {
                    for _ in 0..50 {
                        if docker.remove_network(&n).await.is_ok() {
                            break;
                        }
                        tokio::time::sleep(Duration::from_millis(200)).await;
                    }
                }
            });
        });
        if cleaner.join().is_err() {
            eprintln!("swarm_live: clean-up panicked");
        }
    }
}

fn busybox_service(image: &str, args: &[&str], network: &str) -> ServiceSpec {
    ServiceSpec {
        task_template: Some(TaskSpec {
            container_spec: Some(TaskSpecContainerSpec {
                image: Some(image.to_owned()),
                args: Some(args.iter().map(|a| (*a).to_owned()).collect()),
                ..Default::default()
            }),
            networks: Some(vec![NetworkAttachmentConfig {
                target: Some(network.to_owned()),
                ..Default::default()
            }]),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// Reads the swarm until `ready` holds (tasks take a few seconds to be scheduled and start).
async fn swarm_when(engine: &Engine, ready: impl Fn(&Swarm) -> bool) -> Swarm {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let swarm = engine
            .swarm()
            .await
            .expect("the manager answers")
            .expect("the engine is a manager");
        if ready(&swarm) {
            return swarm;
        }
        assert!(
            Instant::now() < deadline,
            "the swarm did not settle within 60 s: {swarm:#?}"
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

fn about<'a>(all: &'a [Finding], code: FindingCode, subject: &Subject) -> Vec<&'a Finding> {
    all.iter()
        .filter(|f| f.code == code && f.subjects.contains(subject))
        .collect()
}

#[tokio::test]
async fn a_swarm_manager_shows_its_overlays_services_tasks_and_mesh_port_and_what_is_broken() {
    let servers = TestServers::from_env();
    let docker = connect(&servers);
    let engine = Engine::new(servers.engine2.clone());
    let was_manager = engine
        .swarm()
        .await
        .expect("second engine answers")
        .is_some();

    // Declared first, dropped last: the lab's containers go before the swarm does.
    let mut swarm = SwarmGuard::start(docker).await;
    let lab = TestLab::start_on(servers.engine2.clone()).await;
    if !was_manager {
        assert!(
            swarm.initialised,
            "an engine outside a swarm is initialised by the test"
        );
    }

    let open = swarm.overlay(&lab, "open", true).await;
    let sealed = swarm.overlay(&lab, "sealed", false).await;
    let published = 30_000 + u16::try_from(std::process::id() % 2_000).unwrap();
    let mut web_spec = busybox_service(lab.image(), &["httpd", "-f", "-p", "80"], &open);
    web_spec.mode = Some(ServiceSpecMode {
        replicated: Some(ServiceSpecModeReplicated { replicas: Some(2) }),
        ..Default::default()
    });
    web_spec.endpoint_spec = Some(EndpointSpec {
        ports: Some(vec![EndpointPortConfig {
            protocol: Some(EndpointPortConfigProtocolEnum::TCP),
            target_port: Some(80),
            published_port: Some(i64::from(published)),
            publish_mode: Some(EndpointPortConfigPublishModeEnum::INGRESS),
            ..Default::default()
        }]),
        ..Default::default()
    });
    let web = swarm.service(&lab, "web", web_spec).await;
    let mut stuck_spec = busybox_service(lab.image(), &["sleep", "3600"], &sealed);
    if let Some(task) = stuck_spec.task_template.as_mut() {
        task.placement = Some(TaskSpecPlacement {
            constraints: Some(vec![NEVER.to_owned()]),
            ..Default::default()
        });
    }
    let stuck = swarm.service(&lab, "stuck", stuck_spec).await;

    // Standalone containers: one on the attachable overlay (runs), one on the sealed one (the
    // engine refuses to start it).
    let beside = lab
        .container(ContainerSpec::new("beside").network(&open, &[]))
        .await;
    let refused = lab
        .container(
            ContainerSpec::new("refused")
                .network(&sealed, &[])
                .created_only(),
        )
        .await;
    // A Coolify-style app on the default bridge whose label sends the proxy over the sealed
    // overlay.
    let labelled = lab
        .container(ContainerSpec::new("labelled").label("traefik.docker.network", &sealed))
        .await;
    let start = lab.try_start(&refused).await;
    assert!(
        start
            .as_ref()
            .is_err_and(|e| e.contains("not manually attachable")),
        "the engine refuses a standalone container on a sealed overlay: {start:?}"
    );

    let model = swarm_when(&engine, |s| {
        s.service(&web).is_some_and(|w| w.running() == 2)
            && s.service(&stuck)
                .is_some_and(|st| st.tasks.iter().any(|t| t.error.is_some()))
    })
    .await;

    // Overlays, with their flags.
    let open_overlay = model.overlay(&open).expect("the attachable overlay");
    let sealed_overlay = model.overlay(&sealed).expect("the sealed overlay");
    assert!(open_overlay.attachable && !open_overlay.ingress);
    assert!(!sealed_overlay.attachable && !sealed_overlay.ingress);
    assert!(!open_overlay.subnets.is_empty());
    assert!(
        model
            .overlays
            .iter()
            .any(|o| o.ingress && o.name == "ingress"),
        "the routing mesh's network: {:?}",
        model.overlays
    );
    assert!(model.manager);
    assert_eq!(model.nodes.len(), 1);
    assert_eq!(model.nodes[0].address, "127.0.0.1");

    // The published service: two running tasks on the one node, a container each, the mesh port.
    let w = model.service(&web).expect("web service");
    assert_eq!(w.mode, ServiceMode::Replicated(2));
    assert_eq!(w.image, lab.image());
    assert_eq!(w.networks, std::slice::from_ref(&open));
    assert_eq!(
        w.ports,
        [ServicePort {
            published,
            target: 80,
            protocol: Protocol::Tcp,
            mode: PublishMode::Ingress
        }]
    );
    let vip_networks: Vec<&str> = w.virtual_ips.iter().map(|v| v.network.as_str()).collect();
    assert!(
        vip_networks.contains(&"ingress") && vip_networks.contains(&open.as_str()),
        "{vip_networks:?}"
    );
    let running: Vec<_> = w.tasks.iter().filter(|t| t.is_running()).collect();
    assert_eq!(running.len(), 2);
    assert!(running
        .iter()
        .all(|t| t.container_id.is_some() && t.node == Some(model.nodes[0].hostname.clone())));
    assert_eq!(
        model
            .ingress_services(published)
            .map(|s| s.name.as_str())
            .collect::<Vec<_>>(),
        [web.as_str()]
    );

    // The stuck service: pending, with the scheduler's reason, on no node.
    let st = model.service(&stuck).expect("stuck service");
    assert_eq!((st.running(), st.desired()), (0, 1));
    let pending = st.not_running().next().expect("a waiting task");
    assert_eq!(pending.state, "pending");
    assert_eq!(pending.node, None);
    assert!(
        st.error_for(pending)
            .is_some_and(|e| e.contains("no suitable node")),
        "{pending:?}"
    );

    // The topology carries the swarm, and the findings run on it.
    let topology = engine.topology().await.expect("topology");
    assert_eq!(
        topology.swarm.as_ref().and_then(|s| s.overlay(&sealed)),
        Some(sealed_overlay)
    );
    let all = findings(&topology);
    let not_attachable = about(
        &all,
        FindingCode::OverlayNotAttachable,
        &Subject::Container(refused.clone()),
    );
    assert_eq!(not_attachable.len(), 1, "{all:#?}");
    assert!(not_attachable[0].title.contains(&format!(
        "overlay network {sealed}, which is not attachable"
    )));
    assert!(not_attachable[0].fix.iter().any(|s| s
        .command
        .as_deref()
        .is_some_and(|c| c.contains("--attachable") && c.contains(&sealed))));
    let not_running = about(
        &all,
        FindingCode::ServiceTasksNotRunning,
        &Subject::Service(stuck.clone()),
    );
    assert_eq!(not_running.len(), 1, "{all:#?}");
    assert!(not_running[0].title.contains("no suitable node"));

    let by_label = about(
        &all,
        FindingCode::OverlayNotAttachable,
        &Subject::Container(labelled.clone()),
    );
    assert_eq!(by_label.len(), 1, "{all:#?}");
    assert!(by_label[0]
        .title
        .contains(&format!("`traefik.docker.network={sealed}`")));

    // The graph marks the overlays and draws the mesh port with the host ports.
    let input = layout_input(&topology, &GraphQuery::default(), &BTreeSet::new());
    let note = |id: &str| {
        input
            .networks
            .iter()
            .find(|n| n.id == id)
            .and_then(|n| n.note.clone())
    };
    assert_eq!(note(&open).as_deref(), Some("overlay · attachable"));
    assert_eq!(note(&sealed).as_deref(), Some("overlay · not attachable"));
    let mesh = format!("*:{published} ingress (every node)");
    let publishing = input
        .containers
        .iter()
        .filter(|c| c.published.contains(&mesh))
        .count();
    assert_eq!(publishing, 2, "each running web task carries the mesh port");
    let panel = swarm_services(&topology);
    let stuck_row = panel.iter().find(|s| s.name == stuck).expect("listed");
    assert_eq!(stuck_row.state, "0 of 1 running");
    assert!(!stuck_row.healthy);

    // And not for what works.
    assert!(about(
        &all,
        FindingCode::OverlayNotAttachable,
        &Subject::Container(beside.clone())
    )
    .is_empty());
    assert!(about(
        &all,
        FindingCode::ServiceTasksNotRunning,
        &Subject::Service(web.clone())
    )
    .is_empty());
    for task_container in topology
        .containers
        .iter()
        .filter(|c| c.swarm_service() == Some(web.as_str()))
    {
        assert!(
            about(
                &all,
                FindingCode::OverlayNotAttachable,
                &Subject::Container(task_container.name.to_string())
            )
            .is_empty(),
            "a task on the ingress network is not a standalone container"
        );
    }

    let had_gwbridge = swarm.had_gwbridge;
    drop(lab);
    drop(swarm);
    if !was_manager {
        assert!(
            engine
                .swarm()
                .await
                .expect("second engine answers")
                .is_none(),
            "the engine left the swarm again"
        );
        let after = engine.topology().await.expect("topology");
        assert!(after.swarm.is_none());
        assert!(
            after.networks.iter().all(|n| n.scope != "swarm"),
            "no overlay is left: {:?}",
            after.networks
        );
        assert_eq!(
            after.network("docker_gwbridge").is_some(),
            had_gwbridge,
            "docker_gwbridge is as it was before the test"
        );
    }
}
