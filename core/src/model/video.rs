//! The rule for a shoppable video the seller cuts from a recording.

use highlights_api::RemoteConfig;

use super::facts::Facts;
use crate::CoreError;
use crate::error::check_id;

/// Checks a segment: inside the recording, length within the config bounds, product of that LIVE.
pub(crate) fn validate(
    facts: &dyn Facts,
    config: Option<&RemoteConfig>,
    recording_id: &str,
    (start_ms, end_ms): (i64, i64),
    product_id: &str,
) -> Result<(), CoreError> {
    check_id("recording", recording_id)?;
    check_id("product", product_id)?;
    let rec = facts.recording(recording_id)?.ok_or_else(|| CoreError::UnknownRecording { id: recording_id.into() })?;
    let config = config.ok_or(CoreError::ConfigUnavailable)?;
    let invalid = |reason: String| Err(CoreError::InvalidSegment { reason });
    if end_ms <= start_ms {
        return invalid("the end must come after the start".into());
    }
    // A LIVE still on can be cut up to now.
    let rec_end = rec.ended_at_ms.unwrap_or_else(|| facts.now_ms());
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
    if !facts.products(recording_id)?.iter().any(|p| p.id == product_id) {
        return Err(CoreError::UnknownProduct { product_id: product_id.into(), recording_id: recording_id.into() });
    }
    Ok(())
}
