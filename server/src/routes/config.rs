//! Remote config (admin-editable, not compiled into the app) and per-seller experiment assignment.

use axum::Json;
use axum::extract::State;
use highlights_api::{ErrorBody, Experiments, RemoteConfig, paths};

use super::error::HttpError;
use super::extract::Seller;
use super::state::AppState;

/// Remote config: caps, post delay, clip bounds, pop-up rules, running experiments.
#[utoipa::path(get, path = paths::CONFIG, tag = "config",
    responses((status = 200, body = RemoteConfig), (status = 401, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn get_config(State(s): State<AppState>, _seller: Seller) -> Result<Json<RemoteConfig>, HttpError> {
    let mut config = s.store.config().await?;
    served(&s, &mut config);
    Ok(Json(config))
}

/// The remote config as sellers get it: where this server recognises speech, its privacy notice
/// says so, whatever notice an admin stored.
pub(super) fn served(s: &AppState, config: &mut RemoteConfig) {
    use highlights_api::defaults::{PRIVACY_NOTICE_MAX_BYTES, SPEECH_NOTICE};
    if s.speech.is_none() || config.privacy_notice.contains(SPEECH_NOTICE) {
        return;
    }
    // Within the cap the apps hold the notice to: a stored notice near it gives up its tail.
    let room = PRIVACY_NOTICE_MAX_BYTES - SPEECH_NOTICE.len() - "…\n".len();
    let mut kept = config.privacy_notice.trim_end().to_string();
    if kept.len() > room {
        let mut cut = room;
        while !kept.is_char_boundary(cut) {
            cut -= 1;
        }
        kept.truncate(cut);
        kept.push('…');
    }
    config.privacy_notice = format!("{kept}\n{SPEECH_NOTICE}");
}

/// This seller's experiment assignment (pre-LIVE pop-up, video-format variant).
#[utoipa::path(get, path = paths::EXPERIMENTS, tag = "config",
    responses((status = 200, body = Experiments), (status = 401, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn get_experiments(State(s): State<AppState>, Seller(id): Seller) -> Result<Json<Experiments>, HttpError> {
    Ok(Json(s.store.experiments(id).await?))
}
