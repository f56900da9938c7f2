//! Following a container's log: `GET /containers/{id}/logs` with timestamps, its frames joined
//! into [`LogLine`]s (a long line's 16 KiB pieces are one line again, see [`LineAssembler`]),
//! sent in batches of whatever has arrived, and ended with the reason.
//!
//! Backpressure comes for free from pulling: nothing reads from the Engine until the consumer
//! asks for the next batch, so a slow browser slows the Engine's socket down instead of filling
//! memory, and dropping the stream (the viewer left) closes the Engine connection.
//! [`Engine::open_log_streams`] and [`Engine::log_bytes_read`] make both visible to tests.

use super::{Engine, EngineError};
use crate::domain::logs::{LineAssembler, LogEnd, LogEndReason, LogLine, LogStream, Since, Tail};
use crate::domain::names::ContainerName;
use bollard::container::LogOutput;
use bollard::query_parameters::LogsOptionsBuilder;
use bollard::Docker;
use futures_util::stream::{self, Stream, StreamExt};
use std::collections::VecDeque;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Lines in one batch: what arrives within [`BATCH_WINDOW`] of the first, up to about this many.
pub const MAX_BATCH: usize = 1_000;
/// How long a batch waits for more lines after its first: short enough to look instant, long
/// enough that a burst of lines is one event (and one redraw in the browser), not thousands.
pub const BATCH_WINDOW: Duration = Duration::from_millis(25);

/// How long an ended stream waits to see a killed container removed (`docker rm -f`).
pub const REMOVAL_GRACE: Duration = Duration::from_millis(2_000);
/// The exit code of a container killed by SIGKILL (128 + 9), as `docker rm -f` does.
const KILLED: i64 = 137;

/// What to stream.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LogRequest {
    pub tail: Tail,
    pub since: Since,
    /// Keep the stream open for new lines until the container stops.
    pub follow: bool,
}

/// One item of a log stream: a batch of lines in order, then exactly one end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogEvent {
    Lines(Vec<LogLine>),
    End(LogEnd),
}

/// What the log streams of one [`Engine`] hold open: proof that a departed viewer's stream is
/// closed, and that a slow one does not make the server read ahead.
#[derive(Debug, Default)]
pub(super) struct LogMeter {
    open: AtomicUsize,
    bytes: AtomicU64,
}

/// Counts one open Engine log request for as long as it lives.
struct OpenLogStream(Engine);

impl OpenLogStream {
    fn new(engine: &Engine) -> Self {
        engine.inner.log_meter.open.fetch_add(1, Ordering::Relaxed);
        Self(engine.clone())
    }

    fn read(&self, bytes: usize) {
        self.0
            .inner
            .log_meter
            .bytes
            .fetch_add(bytes as u64, Ordering::Relaxed);
    }
}

impl Drop for OpenLogStream {
    fn drop(&mut self) {
        self.0.inner.log_meter.open.fetch_sub(1, Ordering::Relaxed);
    }
}

type RawFrames = Pin<Box<dyn Stream<Item = Result<LogOutput, bollard::errors::Error>> + Send>>;
type Frames = Pin<Box<dyn Stream<Item = Vec<Result<LogLine, bollard::errors::Error>>> + Send>>;

/// The Engine's frames as whole lines: pieces of a long line joined (see [`LineAssembler`]),
/// a line left open by the end of the stream sent last.
fn lines_of(
    raw: RawFrames,
    open: OpenLogStream,
) -> impl Stream<Item = Result<LogLine, bollard::errors::Error>> + Send {
    struct Reading {
        raw: RawFrames,
        assembler: LineAssembler,
        ready: VecDeque<LogLine>,
        /// An error from the Engine, passed on after the lines before it.
        failure: Option<bollard::errors::Error>,
        done: bool,
        open: OpenLogStream,
    }
    let reading = Reading {
        open,
        raw,
        assembler: LineAssembler::new(),
        ready: VecDeque::new(),
        failure: None,
        done: false,
    };
    stream::unfold(reading, |mut r| async move {
        loop {
            if let Some(line) = r.ready.pop_front() {
                return Some((Ok(line), r));
            }
            if let Some(e) = r.failure.take() {
                return Some((Err(e), r));
            }
            if r.done {
                return None;
            }
            match r.raw.next().await {
                Some(Ok(output)) => {
                    let (s, bytes) = match output {
                        LogOutput::StdOut { message } => (LogStream::Stdout, message),
                        LogOutput::StdErr { message } => (LogStream::Stderr, message),
                        LogOutput::Console { message } | LogOutput::StdIn { message } => {
                            (LogStream::Tty, message)
                        }
                    };
                    r.open.read(bytes.len());
                    r.assembler.push(s, &bytes, &mut r.ready);
                }
                Some(Err(e)) => {
                    r.assembler.finish(&mut r.ready);
                    r.done = true;
                    r.failure = Some(e);
                }
                None => {
                    r.assembler.finish(&mut r.ready);
                    r.done = true;
                }
            }
        }
    })
}

enum State {
    Streaming {
        frames: Frames,
        sent: u64,
    },
    Ending {
        sent: u64,
        failure: Option<EngineError>,
    },
    Done,
}

impl Engine {
    /// Log requests open on the Engine now: each stream closes its own when dropped, as when
    /// the viewer leaves.
    pub fn open_log_streams(&self) -> usize {
        self.inner.log_meter.open.load(Ordering::Relaxed)
    }

    /// Bytes of log frames read from the Engine so far, by every stream.
    pub fn log_bytes_read(&self) -> u64 {
        self.inner.log_meter.bytes.load(Ordering::Relaxed)
    }

    /// The last `tail` lines of a container's log (of the last `since` only), without
    /// following: for checks that read a log and for snapshots.
    pub async fn recent_logs(
        &self,
        name: &ContainerName,
        tail: u32,
        since: Since,
    ) -> Result<Vec<LogLine>, EngineError> {
        let request = LogRequest {
            tail: Tail::Lines(tail),
            since,
            follow: false,
        };
        let stream = self.logs(name, request).await?;
        futures_util::pin_mut!(stream);
        let mut lines = Vec::new();
        while let Some(event) = stream.next().await {
            match event {
                LogEvent::Lines(batch) => lines.extend(batch),
                LogEvent::End(_) => break,
            }
        }
        Ok(lines)
    }

    /// Streams a container's log. A name the Engine does not know is `NotFound` before any
    /// stream starts; everything after that ends the stream with a [`LogEnd`].
    pub async fn logs(
        &self,
        name: &ContainerName,
        request: LogRequest,
    ) -> Result<impl Stream<Item = LogEvent> + Send + 'static, EngineError> {
        let result = async {
            let docker = self.client().await?;
            let inspected = docker
                .inspect_container(name.as_str(), None)
                .await
                .map_err(|e| match self.classify(e) {
                    EngineError::NotFound(_) => EngineError::no_container(name),
                    other => other,
                })?;
            let id = inspected.id.unwrap_or_else(|| name.to_string());
            Ok((docker, id))
        }
        .await;
        let (docker, id) = self.forget_client_if_unreachable(result).await?;
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or_default();
        let options = LogsOptionsBuilder::default()
            .follow(request.follow)
            .stdout(true)
            .stderr(true)
            .timestamps(true)
            .tail(&request.tail.to_engine())
            .since(request.since.to_engine(now))
            .build();
        let raw: RawFrames = Box::pin(docker.logs(&id, Some(options)));
        let frames: Frames =
            Box::pin(lines_of(raw, OpenLogStream::new(self)).ready_chunks(MAX_BATCH));
        let engine = self.clone();
        let follow = request.follow;
        Ok(stream::unfold(
            State::Streaming { frames, sent: 0 },
            move |state| {
                let engine = engine.clone();
                let docker = docker.clone();
                let id = id.clone();
                async move { step(state, &engine, &docker, &id, follow).await }
            },
        ))
    }
}

async fn step(
    mut state: State,
    engine: &Engine,
    docker: &Docker,
    id: &str,
    follow: bool,
) -> Option<(LogEvent, State)> {
    loop {
        match state {
            State::Streaming { mut frames, sent } => {
                let Some(first) = frames.next().await else {
                    state = State::Ending {
                        sent,
                        failure: None,
                    };
                    continue;
                };
                // Gather what follows within a short window: the Engine writes line by line,
                // and one event per line would cost the browser a redraw per line.
                let mut lines = Vec::with_capacity(first.len());
                let mut failure = take(first, &mut lines, engine);
                let mut ended = false;
                let deadline = tokio::time::Instant::now() + BATCH_WINDOW;
                while failure.is_none() && lines.len() < MAX_BATCH {
                    match tokio::time::timeout_at(deadline, frames.next()).await {
                        Ok(Some(chunk)) => failure = take(chunk, &mut lines, engine),
                        Ok(None) => {
                            ended = true;
                            break;
                        }
                        Err(_) => break,
                    }
                }
                let sent = sent + lines.len() as u64;
                let next = if failure.is_some() || ended {
                    State::Ending { sent, failure }
                } else {
                    State::Streaming { frames, sent }
                };
                if lines.is_empty() {
                    state = next;
                    continue;
                }
                return Some((LogEvent::Lines(lines), next));
            }
            State::Ending { sent, failure } => {
                let reason = end_reason(docker, id, follow, sent, failure).await;
                return Some((
                    LogEvent::End(LogEnd {
                        reason,
                        lines: sent,
                    }),
                    State::Done,
                ));
            }
            State::Done => return None,
        }
    }
}

/// Moves a chunk's lines into `lines`, up to the first error, which it returns.
fn take(
    chunk: Vec<Result<LogLine, bollard::errors::Error>>,
    lines: &mut Vec<LogLine>,
    engine: &Engine,
) -> Option<EngineError> {
    for item in chunk {
        match item {
            Ok(line) => lines.push(line),
            Err(e) => return Some(engine.classify(e)),
        }
    }
    None
}

/// Why the stream ended: asks the Engine what became of the container.
async fn end_reason(
    docker: &Docker,
    id: &str,
    follow: bool,
    sent: u64,
    failure: Option<EngineError>,
) -> LogEndReason {
    if let Some(EngineError::Rejected { message, .. }) = &failure {
        if sent == 0 {
            return LogEndReason::Unavailable {
                detail: message.clone(),
            };
        }
    }
    if !follow && failure.is_none() {
        return LogEndReason::Complete;
    }
    // The Engine closes a follow stream as the container stops; its state may lag a moment.
    // `docker rm -f` (and Coolify's redeploy) kills the container first: the stream ends, the
    // container is briefly exited or being removed, then gone. Only in that case (removing, or
    // killed by SIGKILL) look again for up to REMOVAL_GRACE before calling it stopped.
    let removal_deadline = tokio::time::Instant::now() + REMOVAL_GRACE;
    let mut running_checks = 0;
    loop {
        match docker.inspect_container(id, None).await {
            Err(bollard::errors::Error::DockerResponseServerError {
                status_code: 404, ..
            }) => return LogEndReason::Removed,
            Err(e) => {
                return LogEndReason::EngineClosed {
                    detail: e.to_string(),
                }
            }
            Ok(c) => {
                let state = c.state.unwrap_or_default();
                let status = state.status.map(|s| s.to_string()).unwrap_or_default();
                let code = state.exit_code.unwrap_or_default();
                let going = status == "removing" || status == "dead";
                if state.running == Some(true) {
                    running_checks += 1;
                    if running_checks == 5 {
                        let detail = failure
                            .map(|f| f.to_string())
                            .unwrap_or_else(|| "the container is still running".into());
                        return LogEndReason::EngineClosed { detail };
                    }
                } else if tokio::time::Instant::now() >= removal_deadline {
                    return if going {
                        LogEndReason::Removed
                    } else {
                        LogEndReason::Exited { code }
                    };
                } else if !going && code != KILLED {
                    return LogEndReason::Exited { code };
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
