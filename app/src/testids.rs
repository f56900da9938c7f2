//! Stable `data-testid` values shared by the components and the browser tests.

pub const HYDRATION: &str = "hydration";
pub const ENGINE_STRIP: &str = "engine-strip";
pub const ENGINE_PROBLEM: &str = "engine-problem";
pub const CONTAINER_TABLE: &str = "container-table";
pub const CONTAINER_ROW: &str = "container-row";
pub const CONTAINER_FILTER: &str = "container-filter";
pub const STATE_FILTER: &str = "state-filter";
pub const EMPTY_STATE: &str = "empty-state";
pub const COPY_BUTTON: &str = "copy-button";
pub const GRAPH: &str = "graph";
pub const GRAPH_NODE: &str = "graph-node";
pub const GRAPH_BADGE: &str = "graph-badge";
pub const GRAPH_FILTERS: &str = "graph-filters";
pub const NODE_DETAILS: &str = "node-details";
pub const FINDINGS: &str = "findings";
pub const FINDING: &str = "finding";
pub const COPY_LINK: &str = "copy-link";
pub const READ_ONLY: &str = "read-only";
pub const SIGN_OUT: &str = "sign-out";
pub const LOGIN_FORM: &str = "login-form";
pub const LOGIN_NOTICE: &str = "login-notice";
pub const GROUP_BY: &str = "group-by";
pub const CONTAINER_HEADER: &str = "container-header";
pub const CONTAINER_NAME: &str = "container-name";
