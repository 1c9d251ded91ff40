use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::routes::{activity, jobs, media, modes, persons};
use crate::AppState;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "AIMA API",
        description = "Media analysis and activity insight. Every error body is `{\"error\": {\"code\", \"message\"}}`; codes are stable. An optional query parameter given empty (`cursor=`) counts as absent; unknown query parameters are refused.",
        license(name = "AGPL-3.0-or-later")
    ),
    components(schemas(crate::error::ErrorBody, aima_core::ErrorCode, aima_core::SortOrder, aima_core::SearchSort, aima_core::SearchMode)),
    modifiers(&BearerAuth),
    security(("api_key" = [])),
    tags(
        (name = "media", description = "Upload, list, download and delete media; read insights"),
        (name = "jobs", description = "Analysis jobs: create, follow, cancel"),
        (name = "system", description = "Analyzers available"),
        (name = "activity", description = "Workplace activity with its modes; time per mode and application. Records arrive at `POST /log_activity` and through the ActivityWatch-compatible API under `/api/0`"),
        (name = "modes", description = "Modes, training, real-time prediction, model versions"),
        (name = "search", description = "Find what was said, shown or named: time-coded search across the workspace's media, by words and by meaning"),
        (name = "persons", description = "Persons: faces clustered across media; name, merge, split, move faces, appearances. Reviews of any insight"),
        (name = "auth", description = "Who is calling; signing in with a name and password or with an API key (an HttpOnly session cookie; writes with it carry `X-AIMA-CSRF`); `X-AIMA-Workspace` chooses one of a user's workspaces"),
        (name = "team", description = "Users and their roles (viewer, editor, admin), API keys, the audit log and signed webhooks. Every operation says the least role it needs; a caller below it gets 403 `forbidden`"),
        (name = "ask", description = "Questions in English or German answered from the workspace's activity and media by read-only tools, every number cited. The same answers, as an OpenAI-compatible model named `aima`: `POST /v1/chat/completions` and `GET /v1/models` (OpenAI's document)")
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

/// The answers every operation of a kind can give, written once here rather
/// than on each route: 401 wherever a key is required, 400 wherever a
/// parameter or a body is read, 413 and 415 wherever a JSON body is read.
/// A route that documents one of these itself keeps its own description.
struct CommonErrors;

impl utoipa::Modify for CommonErrors {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
        let error = |description: &str| {
            ResponseBuilder::new()
                .description(description)
                .content(
                    "application/json",
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("ErrorBody")))
                        .build(),
                )
                .build()
        };
        let secured_by_default = openapi.security.as_ref().is_some_and(|s| !s.is_empty());
        for (path, item) in openapi.paths.paths.iter_mut() {
            let item_params = item.parameters.as_ref().is_some_and(|p| !p.is_empty());
            for (method, op) in [
                (axum::http::Method::GET, &mut item.get),
                (axum::http::Method::PUT, &mut item.put),
                (axum::http::Method::POST, &mut item.post),
                (axum::http::Method::DELETE, &mut item.delete),
                (axum::http::Method::PATCH, &mut item.patch),
            ]
            .into_iter()
            .filter_map(|(m, op)| op.as_mut().map(|op| (m, op)))
            {
                let secured = match &op.security {
                    Some(s) => !s.is_empty(),
                    None => secured_by_default,
                };
                let params = item_params || op.parameters.as_ref().is_some_and(|p| !p.is_empty());
                let json_body = op
                    .request_body
                    .as_ref()
                    .is_some_and(|b| b.content.contains_key("application/json"));
                let mut add = |status: &str, description: &str| {
                    op.responses
                        .responses
                        .entry(status.to_string())
                        .or_insert_with(|| error(description).into());
                };
                if params || json_body {
                    add("400", "A parameter or the body is not valid (`invalid_parameter`, `invalid_json`, or the route's own code)");
                }
                let host = "a server with anonymous access on answers only its loopback names, IP addresses and `server.allowed_hosts` (`host_not_allowed`)";
                if secured {
                    add("401", "No API key (`missing_api_key`), one that is not valid or has expired (`invalid_api_key`), or a session that has ended (`invalid_session`)");
                    let role = crate::policy::required_role(&method, path);
                    if role > aima_core::Role::Viewer {
                        add(
                            "403",
                            &format!("Needs the {role} role in the workspace, or a cookie-authenticated write lacks `X-AIMA-CSRF`, or an anonymous write comes from a web page of another origin (`forbidden`); or {host}"),
                        );
                    }
                }
                add("403", &format!("Refused: {host}"));
                if json_body {
                    add(
                        "413",
                        "The body is larger than the route accepts (`payload_too_large`)",
                    );
                    add(
                        "415",
                        "The body is not sent as `application/json` (`unsupported_content_type`)",
                    );
                }
                if secured {
                    let role = crate::policy::required_role(&method, path);
                    op.description = Some(
                        format!(
                            "{}\n\nLeast role: `{role}`.",
                            op.description.clone().unwrap_or_default()
                        )
                        .trim_start()
                        .to_string(),
                    );
                }
            }
        }
    }
}

/// A listing's `cursor` as the server reads it: hex of `<ms>:<id>` (see
/// `aima_core::Cursor`), written as a pattern so that every string the
/// document allows is one the server accepts. Empty counts as absent.
pub(crate) fn cursor_param() -> utoipa::openapi::Object {
    cursor_schema("(2d|3[0-9]|4[1-9a-f]|5[0-9a]|5f|6[1-9a-f]|7[0-9a])")
}

/// The activity listing's cursor: its ids are event numbers.
pub(crate) fn event_cursor_param() -> utoipa::openapi::Object {
    cursor_schema("3[0-9]")
}

fn cursor_schema(id_byte: &str) -> utoipa::openapi::Object {
    use utoipa::openapi::{ObjectBuilder, Type};
    ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some(format!(
            "^((2d)?(3[0-9]){{1,18}}3a({id_byte}){{1,64}})?$"
        )))
        .description(Some(
            "From `next_cursor` of the previous page of the same listing.",
        ))
        .build()
}

/// A time as the API reads it: Unix milliseconds or an RFC 3339 date-time
/// (or empty: absent).
pub(crate) fn time_param() -> utoipa::openapi::Schema {
    use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, OneOfBuilder, SchemaFormat, Type};
    OneOfBuilder::new()
        .item(
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
                .minimum(Some(*crate::extract::TIME_RANGE_MS.start() as f64))
                .maximum(Some(*crate::extract::TIME_RANGE_MS.end() as f64))
                .description(Some("Unix milliseconds")),
        )
        .item(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)))
                .description(Some("RFC 3339")),
        )
        .item(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .max_length(Some(0))
                .description(Some("absent")),
        )
        .build()
        .into()
}

/// An upload's `pipeline`: analyzer names of this build, comma-separated,
/// `none`, or empty (the default pipeline).
pub(crate) fn pipeline_param() -> utoipa::openapi::Object {
    use utoipa::openapi::{ObjectBuilder, Type};
    let names: Vec<&str> = aima_analyzers::Registry::builtin()
        .all()
        .map(|a| a.name())
        .collect();
    let name = names.join("|");
    ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some(format!("^(none|({name})(,({name}))*)?$")))
        .build()
}

/// The routes that make up the documented API, with their spec.
fn api_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(media::upload, media::list))
        .routes(routes!(media::get, media::delete))
        .routes(routes!(media::content))
        .routes(routes!(media::thumbnail))
        .routes(routes!(media::faces))
        .routes(routes!(media::insights))
        .routes(routes!(media::artifact))
        .routes(routes!(media::transcript))
        .routes(routes!(jobs::create, jobs::list))
        .routes(routes!(jobs::get))
        .routes(routes!(jobs::cancel))
        .routes(routes!(jobs::retry))
        .routes(routes!(jobs::events))
        .routes(routes!(crate::routes::system::analyzers))
        .routes(routes!(crate::routes::system::health_details))
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
        .routes(routes!(crate::routes::search::search))
        .routes(routes!(crate::routes::search::status))
        .routes(routes!(crate::routes::search::faces))
        .routes(routes!(crate::routes::search::similar))
        .routes(routes!(crate::routes::ask::ask))
        .routes(routes!(
            crate::routes::session::get,
            crate::routes::session::sign_in,
            crate::routes::session::sign_out
        ))
        .routes(routes!(crate::routes::session::login))
        .routes(routes!(crate::routes::session::logout))
        .routes(routes!(
            crate::routes::users::create,
            crate::routes::users::list
        ))
        .routes(routes!(
            crate::routes::users::get,
            crate::routes::users::update
        ))
        .routes(routes!(
            crate::routes::keys::create,
            crate::routes::keys::list
        ))
        .routes(routes!(crate::routes::keys::revoke))
        .routes(routes!(crate::routes::audit::list))
        .routes(routes!(
            crate::routes::webhooks::create,
            crate::routes::webhooks::list
        ))
        .routes(routes!(
            crate::routes::webhooks::get,
            crate::routes::webhooks::delete
        ))
        .routes(routes!(crate::routes::webhooks::deliveries))
        .routes(routes!(crate::routes::webhooks::redeliver))
        .routes(routes!(crate::routes::models::list))
        .routes(routes!(crate::routes::models::pull))
        .layer(axum::extract::DefaultBodyLimit::max(1024 * 1024))
}

/// The documented routes and their document, completed with the common
/// answers (which need the paths, so they cannot be a derive modifier).
pub(crate) fn api() -> (axum::Router<AppState>, utoipa::openapi::OpenApi) {
    let (router, mut spec) = api_router().split_for_parts();
    utoipa::Modify::modify(&CommonErrors, &mut spec);
    (router, spec)
}

/// The OpenAPI document as served at `/api/v1/openapi.json`.
pub fn openapi_json() -> String {
    let (_, spec) = api();
    spec.to_pretty_json().unwrap_or_else(|_| "{}".into())
}
