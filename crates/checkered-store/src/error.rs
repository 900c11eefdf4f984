//! The one error type every [`EventLog`](crate::EventLog) backend returns.
//!
//! Callers branch on [`StoreError::is_retryable`]: ingest answers a retryable failure with
//! 503 so the relay tries again later (its spool keeps the events), and a fatal one with 500
//! plus an alert, because retrying cannot help.
//!
//! # Layout
//! - [`StoreError`]: the variants, each saying whether it is retryable.
//! - [`BoxError`]: the boxed backend cause kept as the error's source.

use thiserror::Error;

/// A backend's own error, kept as the `source` so logs show the whole chain while the
/// variant stays backend-neutral.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Why a storage call failed.
#[derive(Debug, Error)]
pub enum StoreError {
    /// Another writer holds the lock or the backend is overloaded. Retryable.
    #[error("the event log is busy")]
    Busy(#[source] BoxError),
    /// Reading or writing the disk (or the network, for a remote backend) failed, or the disk
    /// is full. Nothing of the failed call was committed. Retryable.
    #[error("the event log could not read or write its storage")]
    Io(#[source] BoxError),
    /// The stored data is damaged or not ours. Fatal: needs an operator.
    #[error("the event log's storage is corrupt")]
    Corrupt(#[source] BoxError),
    /// A stored row could not be decoded. Fatal: the row was written by a different program
    /// or damaged on disk.
    #[error("a stored {what} could not be decoded")]
    Decode {
        /// Which kind of row (`raw event`, `dead letter`, …).
        what: &'static str,
        /// The decoder's error.
        #[source]
        source: BoxError,
    },
    /// The storage was written by a newer version of this program. Fatal.
    #[error("the event log has schema version {found}; this program knows up to {supported}")]
    SchemaTooNew {
        /// The version found on disk.
        found: i64,
        /// The newest version this build can migrate to.
        supported: i64,
    },
    /// The caller passed something the log refuses to store (an envelope that does not
    /// validate, a sequence number too large for the backend). Fatal for that call: the same
    /// input will fail again.
    #[error("refused input at index {index}: {reason}")]
    Invalid {
        /// Index of the offending item in the call's input.
        index: usize,
        /// Why.
        reason: String,
    },
    /// The log was closed (or its writer stopped); nothing more can be done with this handle.
    /// Fatal.
    #[error("the event log is closed")]
    Closed,
    /// Any other backend failure (a bug or a misuse). Fatal.
    #[error("the event log failed")]
    Backend(#[source] BoxError),
}

impl StoreError {
    /// Whether trying the same call again later can succeed (busy or I/O); everything else
    /// needs a different input or an operator.
    pub fn is_retryable(&self) -> bool {
        matches!(self, StoreError::Busy(_) | StoreError::Io(_))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_busy_and_io_are_retryable() {
        let cause = || -> BoxError { "x".into() };
        assert!(StoreError::Busy(cause()).is_retryable());
        assert!(StoreError::Io(cause()).is_retryable());
        assert!(!StoreError::Corrupt(cause()).is_retryable());
        assert!(!StoreError::Closed.is_retryable());
        let invalid = StoreError::Invalid {
            index: 3,
            reason: "seq must start at 1".into(),
        };
        assert!(!invalid.is_retryable());
        assert_eq!(
            invalid.to_string(),
            "refused input at index 3: seq must start at 1"
        );
    }
}
