//! The REST API: thin handlers that parse a request, call the store and map its answer, one
//! module per concept; the router and the OpenAPI document are built from the same list.

mod auth;
mod changes;
mod config;
mod error;
mod extract;
mod head;
mod highlights;
mod ingest;
mod links;
mod lives;
mod me;
mod media;
mod recordings;
mod settings;
mod state;
mod throttle;
mod videos;

use axum::Json;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::routing::get;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub use error::HttpError;
pub use head::{MAX_HEADER_BYTES, MAX_HEADERS, MAX_URI_BYTES};
pub use recordings::MAX_SEGMENT_BYTES;
pub use state::AppState;

/// Largest request body accepted; ingestion batches are the big ones.
pub const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

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

/// Answers any operation may give before its handler runs (see `throttle` and `head`), added to
/// each so clients and fuzzers know them.
fn add_edge_answers(openapi: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
    let answer = |description: &str| {
        let json = ContentBuilder::new().schema(Some(Ref::from_schema_name("ErrorBody"))).build();
        ResponseBuilder::new().description(description).content("application/json", json).build()
    };
    let edge = [
        ("414", answer("the URI is too long")),
        ("429", answer("too many requests or connections from this client or token; see Retry-After")),
        ("431", answer("too many or too large header fields")),
    ];
    for item in openapi.paths.paths.values_mut() {
        let operations = [&mut item.get, &mut item.put, &mut item.post, &mut item.delete, &mut item.patch];
        for op in operations.into_iter().flatten() {
            for (status, response) in &edge {
                op.responses.responses.entry((*status).to_string()).or_insert_with(|| response.clone().into());
            }
        }
    }
}

/// The router and the OpenAPI document describing it, built from the same route list.
pub fn router(state: AppState) -> (axum::Router, utoipa::openapi::OpenApi) {
    let limits = axum::middleware::from_fn_with_state(state.clone(), throttle::limit);
    let (router, openapi) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(me::get_me))
        .routes(routes!(settings::get_settings, settings::patch_settings))
        .routes(routes!(config::get_config))
        .routes(routes!(config::get_experiments))
        .routes(routes!(lives::list_lives))
        .routes(routes!(lives::get_live, lives::patch_live))
        .routes(routes!(highlights::list_highlights, highlights::remove_all_highlights))
        .routes(routes!(highlights::post_highlight))
        .routes(routes!(highlights::remove_highlight))
        .routes(routes!(highlights::remove_every_auto_highlight))
        .routes(routes!(highlights::approve_highlight))
        .routes(routes!(videos::create_video))
        .routes(routes!(changes::get_changes))
        .routes(routes!(ingest::ingest_events))
        .routes(routes!(ingest::ingest_viewer_events))
        .merge(
            OpenApiRouter::new()
                .routes(routes!(recordings::put_segment))
                .layer(DefaultBodyLimit::max(recordings::MAX_SEGMENT_BYTES)),
        )
        .routes(routes!(recordings::get_recording))
        .routes(routes!(media::get_video))
        .routes(routes!(media::get_thumbnail))
        .routes(routes!(media::get_storyboard))
        .routes(routes!(lives::get_live_storyboard))
        .routes(routes!(lives::get_live_storyboard_strip))
        .routes(routes!(media::get_feed))
        .with_state(state)
        .split_for_parts();
    let mut openapi = openapi;
    add_edge_answers(&mut openapi);
    links::add(&mut openapi);
    let doc = openapi.clone();
    let router = router
        .route("/openapi.json", get(move || async move { Json(doc) }))
        .route("/healthz", get(|| async { "ok" }))
        .fallback(|| async { HttpError::NotFound("route") })
        .method_not_allowed_fallback(|| async {
            HttpError::Rejected { status: StatusCode::METHOD_NOT_ALLOWED, message: "method not allowed".into() }
        })
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(limits)
        .layer(axum::middleware::from_fn(head::limit));
    (router, openapi)
}
