//! The REST router as the HTTP API's Lambda function serves it. API Gateway gives the path
//! with the stage in front (`/prod/v1/health` on a stage named `prod`; lambda_http adds it
//! when a custom domain's mapping left it out), and the router knows only `/v1/…`: the stage
//! is taken off first. The `$default` stage has no prefix.

use std::sync::Arc;

use lambda_http::request::RequestContext;
use lambda_http::RequestExt;
use tower::ServiceExt;

use crate::app::App;

/// The service `lambda_http::run` serves: the router, behind the stage's removal.
pub fn service(
    app: Arc<App>,
) -> impl tower::Service<
    lambda_http::Request,
    Response = axum::response::Response,
    Error = std::convert::Infallible,
    Future = impl Send,
> + Clone {
    super::router(app).map_request(|request: lambda_http::Request| {
        let stage = stage(&request).map(str::to_owned);
        without_stage(request, stage.as_deref())
    })
}

fn stage(request: &lambda_http::Request) -> Option<&str> {
    match request.request_context_ref()? {
        RequestContext::ApiGatewayV2(context) => context.stage.as_deref(),
        RequestContext::ApiGatewayV1(context) => context.stage.as_deref(),
        RequestContext::WebSocket(context) => context.stage.as_deref(),
        _ => None,
    }
}

/// The request with `/{stage}` taken off the front of its path (its query kept).
pub fn without_stage<B>(mut request: http::Request<B>, stage: Option<&str>) -> http::Request<B> {
    let Some(stage) = stage.filter(|s| !s.is_empty() && *s != "$default") else { return request };
    let uri = request.uri();
    let prefix = format!("/{stage}");
    let Some(rest) = uri.path().strip_prefix(&prefix).filter(|r| r.is_empty() || r.starts_with('/')) else {
        return request;
    };
    let path = if rest.is_empty() { "/" } else { rest };
    let path_and_query = match uri.query() {
        Some(query) => format!("{path}?{query}"),
        None => path.to_string(),
    };
    let mut parts = uri.clone().into_parts();
    match path_and_query.parse() {
        Ok(pq) => parts.path_and_query = Some(pq),
        Err(_) => return request,
    }
    if let Ok(uri) = http::Uri::from_parts(parts) {
        *request.uri_mut() = uri;
    }
    request
}

#[cfg(test)]
mod tests {
    use super::without_stage;

    fn path(uri: &str, stage: Option<&str>) -> String {
        let request = http::Request::builder().uri(uri).body(()).unwrap();
        without_stage(request, stage).uri().to_string()
    }

    #[test]
    fn the_stage_prefix_is_taken_off_and_nothing_else() {
        assert_eq!(path("/prod/v1/health", Some("prod")), "/v1/health");
        assert_eq!(path("/prod/v1/sync?since=0", Some("prod")), "/v1/sync?since=0");
        assert_eq!(path("/prod", Some("prod")), "/");
        assert_eq!(path("/v1/health", Some("$default")), "/v1/health");
        assert_eq!(path("/v1/health", None), "/v1/health");
        assert_eq!(path("/production/v1/health", Some("prod")), "/production/v1/health", "a whole segment only");
        assert_eq!(path("https://api.example/prod/v1/me", Some("prod")), "https://api.example/v1/me");
    }
}
