use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::routes::{activity, jobs, media, modes, persons};
use crate::AppState;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "AIMA API",
        description = "Media analysis and activity insight. Every error body is `{\"error\": {\"code\", \"message\"}}`; codes are stable.",
        license(name = "AGPL-3.0-or-later")
    ),
    components(schemas(crate::error::ErrorBody, aima_core::ErrorCode)),
    modifiers(&BearerAuth),
    security(("api_key" = [])),
    tags(
        (name = "media", description = "Upload, list, download and delete media; read insights"),
        (name = "jobs", description = "Analysis jobs: create, follow, cancel"),
        (name = "system", description = "Analyzers available"),
        (name = "activity", description = "Workplace activity with its modes; time per mode and application. Records arrive at `POST /log_activity` and through the ActivityWatch-compatible API under `/api/0`"),
        (name = "modes", description = "Modes, training, real-time prediction, model versions"),
        (name = "persons", description = "Persons: faces clustered across media; name, merge, split, move faces, appearances. Reviews of any insight")
    )
)]
struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        if let Some(c) = openapi.components.as_mut() {
            c.add_security_scheme(
                "api_key",
                SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
            );
        }
    }
}

/// The routes that make up the documented API, with their spec.
pub(crate) fn api_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(media::upload, media::list))
        .routes(routes!(media::get, media::delete))
        .routes(routes!(media::content))
        .routes(routes!(media::insights))
        .routes(routes!(media::artifact))
        .routes(routes!(media::transcript))
        .routes(routes!(jobs::create, jobs::list))
        .routes(routes!(jobs::get))
        .routes(routes!(jobs::cancel))
        .routes(routes!(jobs::events))
        .routes(routes!(crate::routes::system::analyzers))
        .routes(routes!(crate::routes::system::usage))
        .routes(routes!(crate::routes::system::workers))
        .routes(routes!(activity::list))
        .routes(routes!(activity::label))
        .routes(routes!(activity::summary))
        .routes(routes!(modes::list, modes::create))
        .routes(routes!(modes::delete))
        .routes(routes!(modes::train))
        .routes(routes!(modes::predict))
        .routes(routes!(modes::models))
        .routes(routes!(modes::model))
        .routes(routes!(modes::activate))
        .routes(routes!(persons::list))
        .routes(routes!(persons::get, persons::rename))
        .routes(routes!(persons::merge))
        .routes(routes!(persons::split))
        .routes(routes!(persons::faces))
        .routes(routes!(persons::appearances))
        .routes(routes!(persons::move_face))
        .routes(routes!(persons::review))
        .layer(axum::extract::DefaultBodyLimit::max(1024 * 1024))
}

/// The OpenAPI document as served at `/api/v1/openapi.json`.
pub fn openapi_json() -> String {
    let (_, spec) = api_router().split_for_parts();
    spec.to_pretty_json().unwrap_or_else(|_| "{}".into())
}
