//! The one error type of the core's public API.

use thiserror::Error;

/// Everything that can go wrong in a call into the core, in terms a shell can show or act on.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum CoreError {
    /// An id given by the shell is empty, too long or holds control characters.
    #[error("invalid {what} id: {reason}")]
    InvalidId {
        /// Which kind of id ("recording", "highlight", "product", "seller").
        what: &'static str,
        /// Why it was refused.
        reason: String,
    },
    /// No recording with this id is cached for this seller.
    #[error("unknown recording {id}")]
    UnknownRecording {
        /// The id asked for.
        id: String,
    },
    /// No highlight with this id is cached for this seller.
    #[error("unknown highlight {id}")]
    UnknownHighlight {
        /// The id asked for.
        id: String,
    },
    /// The product was not in that LIVE.
    #[error("product {product_id} was not in recording {recording_id}")]
    UnknownProduct {
        /// The product asked for.
        product_id: String,
        /// The recording it was looked for in.
        recording_id: String,
    },
    /// A video segment is outside the recording or of a length the config does not allow.
    #[error("invalid segment: {reason}")]
    InvalidSegment {
        /// Which rule the segment broke.
        reason: String,
    },
    /// The action is not possible in the current state (e.g. posting an already posted highlight).
    #[error("not allowed: {reason}")]
    NotAllowed {
        /// Why.
        reason: String,
    },
    /// The limits needed for this action have not been synced from the server yet.
    #[error("remote config not loaded yet; sync first")]
    ConfigUnavailable,
    /// The local database failed; the message never carries seller data or tokens.
    #[error("storage error: {message}")]
    Storage {
        /// What failed.
        message: String,
    },
    /// Data from the server could not be applied to the cache.
    #[error("bad data from server: {message}")]
    BadServerData {
        /// What was wrong with it.
        message: String,
    },
    /// The server could not be reached (offline, timeout, connection reset).
    #[error("network: {message}")]
    Network {
        /// What failed; never carries the token.
        message: String,
    },
    /// The server answered with an error that is not the seller's fault (5xx, 429).
    #[error("server error {status}: {message}")]
    Server {
        /// HTTP status.
        status: u16,
        /// What the server said.
        message: String,
    },
    /// The token was refused or could not be obtained; the host app must sign in again.
    #[error("not signed in: {message}")]
    Unauthorized {
        /// Why.
        message: String,
    },
    /// The sync was cancelled or the core is shutting down.
    #[error("cancelled")]
    Cancelled,
}

/// What is wrong with an id, if anything: the shared rule decides, the reason says which part of
/// it the id broke.
pub(crate) fn id_problem(id: &str) -> Option<String> {
    use highlights_api::MAX_ID_LEN;
    if highlights_api::is_valid_id(id) {
        None
    } else if id.is_empty() {
        Some("empty".to_string())
    } else if id.len() > MAX_ID_LEN {
        Some(format!("longer than {MAX_ID_LEN} bytes"))
    } else {
        Some("contains control characters".to_string())
    }
}

/// Checks an id handed in by a shell before it reaches the cache or the view.
pub(crate) fn check_id(what: &'static str, id: &str) -> Result<(), CoreError> {
    match id_problem(id) {
        None => Ok(()),
        Some(reason) => Err(CoreError::InvalidId { what, reason }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_checked() {
        assert!(check_id("recording", "live_1").is_ok());
        for bad in ["", "a\nb", &"x".repeat(129)] {
            assert!(matches!(check_id("recording", bad), Err(CoreError::InvalidId { what: "recording", .. })));
        }
    }
}
