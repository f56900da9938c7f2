//! Diagnostic checks run inside containers: validated inputs, the allow-listed probes, what
//! their output means, and the checks that chain them into a diagnosis. Pure: the engine's
//! `exec` module runs what these decide.

pub mod external;
pub mod input;
pub mod log_scan;
pub mod outcome;
pub mod parse;
pub mod probe;
pub mod proxy;
pub mod reach;
pub mod report;
pub mod wizard_link;

pub use external::ExternalRequest;
pub use input::{ContainerPort, Host, Hostname, InputError, Port, ProbeUrl};
pub use outcome::{Listener, Observation, ProbeOutcome, ResolvConf, RunRecord, StepStatus, Via};
pub use probe::{Probe, Tool};
pub use proxy::ProxyRequest;
pub use reach::ReachRequest;
pub use report::{
    Check, CheckReport, CheckStep, Diagnosis, DiagnosisCode, Next, PlannedLogRead, PlannedProbe,
    StepKind,
};
