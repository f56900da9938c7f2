//! What this netdoctor allows, as the pages need to know it: whether a login guards it and
//! whether it runs read-only (no exec, no debug containers).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Capabilities {
    /// A login guards every page and endpoint (always when listening beyond loopback).
    pub login: bool,
    /// Exec-based checks and debug containers are disabled.
    pub read_only: bool,
}

/// Why a login attempt or a password change was refused, as carried in the login page's URL
/// (`/login?error=bad`), so the page can say it plainly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LoginNotice {
    WrongPassword,
    TooManyAttempts,
    SessionExpired,
    SignedOut,
    PasswordChanged,
    PasswordRejected,
    CurrentPasswordWrong,
    PasswordsDiffer,
    /// Too many failed sign-ins from all addresses together: everyone waits.
    SignInPaused,
    /// Every password check slot is in use; try again in a second.
    Busy,
}

impl LoginNotice {
    pub fn as_param(self) -> &'static str {
        match self {
            Self::WrongPassword => "bad",
            Self::TooManyAttempts => "rate",
            Self::SessionExpired => "expired",
            Self::SignedOut => "signed-out",
            Self::PasswordChanged => "changed",
            Self::PasswordRejected => "weak",
            Self::CurrentPasswordWrong => "current",
            Self::PasswordsDiffer => "differ",
            Self::SignInPaused => "paused",
            Self::Busy => "busy",
        }
    }

    pub fn from_param(raw: &str) -> Option<Self> {
        [
            Self::WrongPassword,
            Self::TooManyAttempts,
            Self::SessionExpired,
            Self::SignedOut,
            Self::PasswordChanged,
            Self::PasswordRejected,
            Self::CurrentPasswordWrong,
            Self::PasswordsDiffer,
            Self::SignInPaused,
            Self::Busy,
        ]
        .into_iter()
        .find(|n| n.as_param() == raw)
    }

    /// What the page says.
    pub fn message(self) -> &'static str {
        match self {
            Self::WrongPassword => "Wrong password.",
            Self::TooManyAttempts => {
                "Too many failed attempts from your address. Wait a few minutes and try again."
            }
            Self::SessionExpired => "Your session ended. Sign in again.",
            Self::SignedOut => "Signed out.",
            Self::PasswordChanged => "Password changed. Other sessions were signed out.",
            Self::PasswordRejected => "The new password was refused: use at least 12 characters.",
            Self::CurrentPasswordWrong => "The current password is wrong.",
            Self::PasswordsDiffer => "The two new passwords differ.",
            Self::SignInPaused => {
                "Sign-in is paused: too many wrong passwords were tried from all addresses together \
                 in the last minutes (someone may be guessing; netdoctor's log says more). Wait a \
                 few minutes and try again."
            }
            Self::Busy => "netdoctor is checking other sign-ins right now. Try again in a second.",
        }
    }

    /// Whether it reports a problem (shown as an error) or news (shown plainly).
    pub fn is_error(self) -> bool {
        !matches!(self, Self::SignedOut | Self::PasswordChanged)
    }
}

/// Where to go after signing in: only a local path of this site, never another origin
/// (`//evil.example`, `https://…`, `/\evil`), so the login cannot be used as an open redirect.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.contains('\\')
                && !path.chars().any(char::is_control)
                && path.len() <= 2048 =>
        {
            path.to_owned()
        }
        _ => "/".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notices_round_trip_through_the_url() {
        for n in [
            LoginNotice::WrongPassword,
            LoginNotice::TooManyAttempts,
            LoginNotice::SessionExpired,
            LoginNotice::SignedOut,
            LoginNotice::PasswordChanged,
            LoginNotice::PasswordRejected,
            LoginNotice::CurrentPasswordWrong,
            LoginNotice::PasswordsDiffer,
            LoginNotice::SignInPaused,
            LoginNotice::Busy,
        ] {
            assert_eq!(LoginNotice::from_param(n.as_param()), Some(n));
            assert!(!n.message().is_empty());
        }
        assert_eq!(LoginNotice::from_param("<script>"), None);
    }

    #[test]
    fn only_local_paths_are_followed_after_login() {
        assert_eq!(safe_next(Some("/?v=1&sel=web")), "/?v=1&sel=web");
        assert_eq!(safe_next(Some("/containers")), "/containers");
        for bad in [
            "//evil.example/",
            "https://evil.example/",
            "/\\evil.example",
            "evil",
            "",
            "/a\nb",
        ] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad:?}");
        }
        assert_eq!(safe_next(None), "/");
    }
}
