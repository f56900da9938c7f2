//! Container logs as netdoctor streams them: lines cut from the Engine's frames, what travels to
//! the browser, the browser's capped window, ANSI colours, search, and the URL state of the view.

pub mod ansi;
pub mod assemble;
pub mod line;
pub mod query;
pub mod search;
pub mod window;

pub use assemble::LineAssembler;
pub use line::{LogEnd, LogEndReason, LogLine, LogStream};
pub use query::{LogQuery, Since, StreamFilter, Tail};
pub use window::LogWindow;

/// 1234567 → "1,234,567".
pub fn group_digits(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn big_counts_are_grouped_by_thousands() {
        assert_eq!(group_digits(0), "0");
        assert_eq!(group_digits(999), "999");
        assert_eq!(group_digits(1_000), "1,000");
        assert_eq!(group_digits(1_234_567), "1,234,567");
    }
}
