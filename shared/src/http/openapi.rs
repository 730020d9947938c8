//! The REST API's OpenAPI 3.1 document, served at `/v1/openapi.json`: derived from the
//! handlers' annotations and the types they read and answer, collected from the routes the
//! router serves (`http::api`), so it cannot drift from them.

use std::sync::OnceLock;

use utoipa::openapi::path::Operation;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, OpenApi as Document, Ref, ResponseBuilder};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Missive REST API",
        description = "Multi-tenant messaging and notifications. Real-time events travel over the \
            WebSocket (docs/protocol.md); this is the REST side (docs/api.md).",
        license(name = "Apache-2.0"),
    ),
    // The protocol's events: a sync page carries them.
    components(schemas(super::extract::ErrorBody, crate::protocol::Event)),
    modifiers(&Authentication),
    security(("bearer" = [])),
)]
pub struct ApiDoc;

/// The whole document: what `ApiDoc` says of the API, every route the router serves, and the
/// errors each can answer.
pub fn api_document() -> Document {
    let mut doc = super::api().into_openapi();
    Errors.modify(&mut doc);
    doc
}

/// This document (built once).
#[utoipa::path(get, path = "/v1/openapi.json", tag = "health", security(()), responses(
    (status = 200, description = "The OpenAPI 3.1 document of this API", body = Object),
))]
pub(super) async fn document() -> axum::response::Response {
    static DOCUMENT: OnceLock<String> = OnceLock::new();
    json_document(DOCUMENT.get_or_init(|| api_document().to_json().expect("the OpenAPI document serializes")))
}

/// The JSON Schema of the WebSocket protocol's frames (built once).
#[utoipa::path(get, path = "/v1/protocol.schema.json", tag = "health", security(()), responses(
    (status = 200, description = "The JSON Schema (2020-12) of every WebSocket frame (docs/protocol.md)", body = Object),
))]
pub(super) async fn protocol_schema() -> axum::response::Response {
    static DOCUMENT: OnceLock<String> = OnceLock::new();
    json_document(DOCUMENT.get_or_init(|| crate::protocol::schema().to_string()))
}

fn json_document(json: &str) -> axum::response::Response {
    use axum::response::IntoResponse;
    ([(http::header::CONTENT_TYPE, "application/json")], json.to_owned()).into_response()
}

/// The two credentials: a user's token (a platform JWT, an identity provider's, or a guest
/// token) and the platform operator's key, both as `Authorization: Bearer`.
struct Authentication;

impl Modify for Authentication {
    fn modify(&self, doc: &mut Document) {
        let components = doc.components.get_or_insert_with(Default::default);
        let bearer = |description: &str| {
            let mut scheme = HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build();
            scheme.description = Some(description.into());
            SecurityScheme::Http(scheme)
        };
        components.add_security_scheme("bearer", bearer("A user's token: platform JWT, identity provider's, or guest"));
        components.add_security_scheme("platformKey", bearer("The platform operator's key (MISSIVE_PLATFORM_KEY)"));
    }
}

/// The errors every route can answer, added to each operation in Missive's error format:
/// 400 (a bad parameter or body), 404, 413 (a body over the limit), 500 and 503 (a transient
/// fault that outlasted the retries), and 401/403 for the routes that take a credential.
struct Errors;

impl Modify for Errors {
    fn modify(&self, doc: &mut Document) {
        let global_security = doc.security.clone().unwrap_or_default();
        for item in doc.paths.paths.values_mut() {
            let operations = [&mut item.get, &mut item.put, &mut item.post, &mut item.delete, &mut item.patch];
            for operation in operations.into_iter().flatten() {
                let public = operation.security.as_ref().unwrap_or(&global_security).iter().all(is_anonymous);
                add_errors(operation, public);
            }
        }
    }
}

fn is_anonymous(requirement: &utoipa::openapi::security::SecurityRequirement) -> bool {
    serde_json::to_value(requirement).is_ok_and(|v| v.as_object().is_some_and(|o| o.is_empty()))
}

fn add_errors(operation: &mut Operation, public: bool) {
    let mut errors = vec![
        ("400", "`invalid_request`: a parameter or field is invalid (the message names it)"),
        ("404", "`not_found`: no such thing, or not the caller's"),
        ("413", "`too_large`: the body is over the limit"),
        ("500", "`internal`: a failure on Missive's side; no detail is given"),
        (
            "503",
            "`unavailable`: a transient fault of the cloud outlasted the server's retries; nothing was done, or what \
             was is safe to repeat: retry after a moment (`Retry-After`)",
        ),
    ];
    if !public {
        errors.push(("401", "`unauthorized`: no credential, or a bad or expired one"));
        errors.push(("403", "`forbidden`: the role or tenant does not allow it"));
    }
    for (status, description) in errors {
        let body = ContentBuilder::new().schema(Some(Ref::from_schema_name("ErrorBody"))).build();
        let response = ResponseBuilder::new().description(description).content("application/json", body).build();
        operation.responses.responses.entry(status.into()).or_insert(response.into());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every route of docs/api.md's table, as (method, path with `{param}`s).
    fn documented_routes() -> Vec<(String, String)> {
        let api = include_str!("../../../docs/api.md");
        let mut routes = Vec::new();
        for line in api.lines().filter(|l| l.starts_with("| `") && l.contains("/v1/")) {
            // "| `GET`/`POST /v1/email/unsubscribe?token=` | …": methods, then the path.
            let cell = line.split('|').nth(1).unwrap().replace('`', "");
            let (methods, path) = cell.trim().rsplit_once(' ').unwrap();
            let path = path.split('?').next().unwrap().to_string();
            for method in methods.split('/') {
                routes.push((method.trim().to_lowercase(), path.clone()));
            }
        }
        routes
    }

    #[test]
    fn the_document_is_openapi_3_1_and_covers_every_documented_route_with_its_errors() {
        let doc = serde_json::to_value(api_document()).unwrap();
        assert_eq!(doc["openapi"], "3.1.0");
        let routes = documented_routes();
        assert!(routes.len() >= 35, "the table was read: {routes:?}");
        for (method, path) in routes {
            let operation = &doc["paths"][&path][&method];
            assert!(operation.is_object(), "{method} {path} is not in the OpenAPI document");
            let responses = operation["responses"].as_object().unwrap();
            assert!(responses.keys().any(|s| s.starts_with('2')), "{method} {path} has no success response");
            assert!(responses.contains_key("400") && responses.contains_key("500"), "{method} {path}'s errors");
        }
        let secured = &doc["paths"]["/v1/conversations"]["get"]["responses"];
        assert!(secured["401"].is_object() && secured["403"].is_object());
        let public = &doc["paths"]["/v1/health"]["get"]["responses"];
        assert!(public["401"].is_null(), "no credential, no 401");
    }
}
