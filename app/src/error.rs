//! `AppError`: the one error type that crosses the wire. Internal details go to the server log.

use crate::domain::problem::EngineProblem;
use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum AppError {
    /// The engine did not answer; the problem says why and how to fix it.
    #[error("{}", .0.headline())]
    EngineUnreachable(EngineProblem),
    /// A container, network or image that does not exist (any more).
    #[error("not found: {0}")]
    NotFound(String),
    /// The engine understood the request and refused it.
    #[error("the Docker Engine refused the request ({status}): {message}")]
    EngineRejected { status: u16, message: String },
    /// Input that was refused before anything ran.
    #[error("{0}")]
    BadInput(String),
    /// netdoctor runs read-only (`--read-only`): nothing that execs or starts containers runs.
    #[error("netdoctor runs read-only: checks that run commands inside containers are disabled")]
    ReadOnly,
    /// The browser could not talk to netdoctor's server.
    #[error("the request to netdoctor's server failed: {0}")]
    Transport(String),
    /// A bug on the server; the details are in its log.
    #[error("netdoctor hit an internal error; the server log has the details")]
    Internal,
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        Self::Transport(value.to_string())
    }
}
