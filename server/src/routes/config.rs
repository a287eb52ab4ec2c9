//! Remote config (admin-editable, not compiled into the app) and per-seller experiment assignment.

use axum::Json;
use axum::extract::State;
use highlights_api::{ApiError as ErrorBody, Experiments, FormatSpec, RemoteConfig};
use rusqlite::{Connection, OptionalExtension, params};
use sha2::{Digest, Sha256};

use crate::app::AppState;
use crate::auth::Seller;
use crate::db::next_seq;
use crate::error::ApiError;

/// Format variants a seller can be assigned, besides `control`.
pub const FORMAT_VARIANTS: [&str; 4] = ["auto_subtitles", "arrow_to_live", "click_now_end_card", "background_music"];

/// The remote config and its change sequence number.
pub fn load(conn: &Connection) -> Result<(RemoteConfig, i64), ApiError> {
    let row: Option<(String, i64)> = conn
        .prepare_cached("SELECT json, seq FROM config WHERE id = 1")?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    match row {
        Some((json, seq)) => {
            let cfg = serde_json::from_str(&json).map_err(|e| ApiError::Internal(format!("stored config: {e}")))?;
            Ok((cfg, seq))
        }
        None => Ok((RemoteConfig::default(), 0)),
    }
}

/// Checks a config an admin wants to store.
pub fn validate(c: &RemoteConfig) -> Result<(), String> {
    if c.max_posts_per_live == 0 || c.max_posts_per_product == 0 {
        return Err("caps must be at least 1".into());
    }
    if c.clip_min_s == 0 || c.clip_min_s > c.clip_max_s {
        return Err("clip_min_s must be between 1 and clip_max_s".into());
    }
    if c.refresh_interval_s == 0 {
        return Err("refresh_interval_s must be at least 1".into());
    }
    if let Some(bad) = c.format_experiments.iter().find(|e| !FORMAT_VARIANTS.contains(&e.as_str())) {
        return Err(format!("unknown format experiment {bad:?}"));
    }
    Ok(())
}

/// Stores a new config; every seller picks it up on their next sync.
pub fn save(conn: &Connection, c: &RemoteConfig) -> Result<(), ApiError> {
    validate(c).map_err(ApiError::BadRequest)?;
    let seq = next_seq(conn)?;
    let json = serde_json::to_string(c).map_err(|e| ApiError::Internal(e.to_string()))?;
    conn.execute(
        "INSERT INTO config (id, json, seq) VALUES (1, ?1, ?2) ON CONFLICT (id) DO UPDATE SET json = ?1, seq = ?2",
        params![json, seq],
    )?;
    Ok(())
}

fn bucket(salt: &str, seller_id: &str) -> u64 {
    let d = Sha256::digest(format!("{salt}:{seller_id}").as_bytes());
    u64::from_be_bytes([d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7]])
}

/// The format features of a variant name.
pub fn format_of(variant: &str) -> FormatSpec {
    FormatSpec {
        auto_subtitles: variant == "auto_subtitles",
        arrow_to_live: variant == "arrow_to_live",
        click_now_end_card: variant == "click_now_end_card",
        background_music: variant == "background_music",
    }
}

/// Deterministic assignment: the same seller always lands in the same arms, unless an admin pinned them.
pub fn assign(
    seller_id: &str,
    cfg: &RemoteConfig,
    popup_override: Option<bool>,
    format_override: Option<&str>,
) -> Experiments {
    let popup = popup_override.unwrap_or(bucket("popup", seller_id).is_multiple_of(2));
    let mut arms: Vec<&str> = vec!["control"];
    arms.extend(cfg.format_experiments.iter().map(String::as_str));
    let variant = match format_override {
        Some(v) if v == "control" || cfg.format_experiments.iter().any(|e| e == v) => v,
        _ => arms[(bucket("format", seller_id) % arms.len() as u64) as usize],
    };
    Experiments { popup, format_variant: variant.to_string(), format: format_of(variant) }
}

/// The seller's experiments and the change sequence number they last changed at.
pub fn experiments_of(conn: &Connection, seller_id: &str) -> Result<(Experiments, i64), ApiError> {
    let (cfg, cfg_seq) = load(conn)?;
    let (popup, format, seq): (Option<bool>, Option<String>, i64) = conn
        .prepare_cached("SELECT popup_override, format_override, experiments_seq FROM sellers WHERE id = ?1")?
        .query_row([seller_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?
        .ok_or_else(|| ApiError::NotFound("seller".into()))?;
    Ok((assign(seller_id, &cfg, popup, format.as_deref()), seq.max(cfg_seq)))
}

/// Remote config: caps, post delay, clip bounds, pop-up rules, running experiments.
#[utoipa::path(get, path = "/v1/config", tag = "config",
    responses((status = 200, body = RemoteConfig), (status = 401, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn get_config(State(s): State<AppState>, _seller: Seller) -> Result<Json<RemoteConfig>, ApiError> {
    s.db.call(|c| load(c).map(|(cfg, _)| Json(cfg))).await
}

/// This seller's experiment assignment (pre-LIVE pop-up, video-format variant).
#[utoipa::path(get, path = "/v1/experiments", tag = "config",
    responses((status = 200, body = Experiments), (status = 401, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn get_experiments(State(s): State<AppState>, Seller(id): Seller) -> Result<Json<Experiments>, ApiError> {
    s.db.call(move |c| experiments_of(c, &id).map(|(e, _)| Json(e))).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assignment_is_deterministic_and_spreads() {
        let cfg = RemoteConfig::default();
        let a = assign("seller-1", &cfg, None, None);
        assert_eq!(a, assign("seller-1", &cfg, None, None));
        let popups = (0..1000).filter(|i| assign(&format!("s{i}"), &cfg, None, None).popup).count();
        assert!((400..600).contains(&popups), "{popups} of 1000 in the pop-up arm");
        let variants: std::collections::HashSet<_> =
            (0..1000).map(|i| assign(&format!("s{i}"), &cfg, None, None).format_variant).collect();
        assert_eq!(variants.len(), 5);
        let pinned = assign("seller-1", &cfg, Some(true), Some("click_now_end_card"));
        assert!(pinned.popup && pinned.format.click_now_end_card);
    }
}
