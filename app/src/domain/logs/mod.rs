//! Container logs as netdoctor streams them: lines cut from the Engine's frames, what travels to
//! the browser, the browser's capped window, ANSI colours, search, and the URL state of the view.

pub mod ansi;
pub mod line;
pub mod query;
pub mod search;
pub mod window;

pub use line::{LogEnd, LogEndReason, LogLine, LogStream};
pub use query::{LogQuery, Since, StreamFilter, Tail};
pub use window::LogWindow;
