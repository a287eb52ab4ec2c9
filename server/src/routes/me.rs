//! Who a seller token speaks for: a client signing in with only a token learns its seller here.

use axum::Json;
use highlights_api::{ErrorBody, Me, paths};

use super::error::HttpError;
use super::extract::Seller;

/// The seller the request's token speaks for.
#[utoipa::path(get, path = paths::ME, tag = "settings",
    responses((status = 200, body = Me), (status = 401, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn get_me(Seller(seller_id): Seller) -> Result<Json<Me>, HttpError> {
    Ok(Json(Me { seller_id }))
}
