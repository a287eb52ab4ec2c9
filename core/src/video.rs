//! Validation of a shoppable video cut by the seller from a recording.

use crate::error::check_id;
use crate::machine::Inner;
use crate::{CoreError, module};

/// Checks a segment: inside the recording, length within the config bounds, product of that LIVE.
pub(crate) fn validate(
    inner: &Inner,
    recording_id: &str,
    start_ms: i64,
    end_ms: i64,
    product_id: &str,
) -> Result<(), CoreError> {
    check_id("recording", recording_id)?;
    check_id("product", product_id)?;
    let rec = module::recording(&inner.conn, &inner.seller, recording_id)?
        .ok_or_else(|| CoreError::UnknownRecording { id: recording_id.to_string() })?;
    let config = inner.config.as_ref().ok_or(CoreError::ConfigUnavailable)?;
    let invalid = |reason: String| Err(CoreError::InvalidSegment { reason });
    if end_ms <= start_ms {
        return invalid("the end must come after the start".into());
    }
    // A LIVE still on can be cut up to now.
    let rec_end = rec.ended_at_ms.unwrap_or_else(|| inner.clock.now_ms());
    if start_ms < rec.started_at_ms || end_ms > rec_end {
        return invalid("the segment must lie inside the recording".into());
    }
    let len = end_ms - start_ms;
    let (min, max) = (i64::from(config.clip_min_s) * 1000, i64::from(config.clip_max_s) * 1000);
    if len < min || len > max {
        return invalid(format!(
            "a video must be {}–{} s long, this one is {:.1} s",
            config.clip_min_s,
            config.clip_max_s,
            len as f64 / 1000.0
        ));
    }
    let known = module::products(&inner.conn, &inner.seller, recording_id)?.iter().any(|p| p.id == product_id);
    if !known {
        return Err(CoreError::UnknownProduct { product_id: product_id.into(), recording_id: recording_id.into() });
    }
    Ok(())
}
