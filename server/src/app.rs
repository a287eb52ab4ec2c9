//! The axum application: state, routes, limits, fallbacks and the OpenAPI document.

use axum::Json;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::routing::get;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::db::Db;
use crate::error::ApiError;
use crate::routes::*;

/// Largest request body accepted; ingestion batches are the big ones.
pub const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

/// Shared by every handler.
#[derive(Clone)]
pub struct AppState {
    /// The store.
    pub db: Db,
    /// The highlight engine.
    pub highlighter: crate::highlighter::Highlighter,
}

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Auto LIVE Highlights API", description = "Backend of the Auto LIVE Highlights feature."),
    modifiers(&BearerAuth)
)]
struct ApiDoc;

/// The router and the OpenAPI document describing it, built from the same route list.
pub fn router(state: AppState) -> (axum::Router, utoipa::openapi::OpenApi) {
    let (router, openapi) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(settings::get_settings, settings::patch_settings))
        .routes(routes!(config::get_config))
        .routes(routes!(config::get_experiments))
        .routes(routes!(lives::list_lives))
        .routes(routes!(lives::get_live))
        .routes(routes!(highlights::list_highlights, highlights::remove_all_highlights))
        .routes(routes!(highlights::post_highlight))
        .routes(routes!(highlights::remove_highlight))
        .routes(routes!(videos::create_video))
        .routes(routes!(changes::get_changes))
        .routes(routes!(ingest::ingest_events))
        .with_state(state)
        .split_for_parts();
    let doc = openapi.clone();
    let router = router
        .route("/openapi.json", get(move || async move { Json(doc) }))
        .route("/healthz", get(|| async { "ok" }))
        .fallback(|| async { ApiError::NotFound("route".into()) })
        .method_not_allowed_fallback(|| async {
            ApiError::Rejected { status: StatusCode::METHOD_NOT_ALLOWED, message: "method not allowed".into() }
        })
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES));
    (router, openapi)
}
