//! CORS, in the one router so that the local runtime and the HTTP API agree: browsers on a
//! page of a tenant's `allowedOrigins` may call the REST API; other origins get no CORS grant.
//! A preflight names no tenant (it carries no token), so it is granted when some tenant lists
//! the origin (the store's origin index); a response is granted when the caller's tenant lists
//! it — or, on the routes without a caller (health, the guest sessions, the OpenAPI document),
//! when some tenant does.

use std::sync::{Arc, Mutex};

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::header::{
    ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS, ACCESS_CONTROL_ALLOW_ORIGIN, ACCESS_CONTROL_MAX_AGE,
    ACCESS_CONTROL_REQUEST_METHOD, ORIGIN, VARY,
};
use http::{HeaderValue, Method, StatusCode};

use crate::app::App;
use crate::domain::TenantId;
use crate::AppError;

/// The caller's tenant, filled in by the `Caller` extractor once it has authenticated them.
#[derive(Clone, Default)]
pub struct CallerTenant(Arc<Mutex<Option<TenantId>>>);

impl CallerTenant {
    pub fn set(&self, tenant: &TenantId) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = Some(tenant.clone());
    }
    fn get(&self) -> Option<TenantId> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

pub async fn cors(State(app): State<Arc<App>>, mut request: Request, next: Next) -> Response {
    let Some(origin) = request.headers().get(ORIGIN).and_then(|o| o.to_str().ok()).map(str::to_string) else {
        return next.run(request).await;
    };
    if request.method() == Method::OPTIONS && request.headers().contains_key(ACCESS_CONTROL_REQUEST_METHOD) {
        return preflight(&app, &origin).await;
    }
    let caller = CallerTenant::default();
    request.extensions_mut().insert(caller.clone());
    let mut response = next.run(request).await;
    let granted = match caller.get() {
        Some(tenant) => tenant_allows(&app, &tenant, &origin).await,
        None => some_tenant_allows(&app, &origin).await,
    };
    grant(&mut response, &origin, granted);
    response
}

async fn preflight(app: &App, origin: &str) -> Response {
    if !some_tenant_allows(app, origin).await {
        let mut refused = AppError::forbidden("origin not allowed").into_response();
        grant(&mut refused, origin, false);
        return refused;
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    let headers = response.headers_mut();
    headers.insert(ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static("GET, POST, PUT, PATCH, DELETE"));
    headers.insert(ACCESS_CONTROL_ALLOW_HEADERS, HeaderValue::from_static("authorization, content-type"));
    // Browsers keep a preflight's answer this long (Chromium caps it at 2 hours).
    headers.insert(ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600"));
    grant(&mut response, origin, true);
    response
}

/// Every answer to a request with an `Origin` varies with it (caches must not mix them up);
/// a granted one names the origin.
fn grant(response: &mut Response, origin: &str, granted: bool) {
    let headers = response.headers_mut();
    headers.append(VARY, HeaderValue::from_static("origin"));
    if granted {
        if let Ok(value) = HeaderValue::from_str(origin) {
            headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, value);
        }
    }
}

async fn tenant_allows(app: &App, tenant: &TenantId, origin: &str) -> bool {
    match app.identity.tenant_of(tenant).await {
        Ok(Some(tenant)) => tenant.allowed_origins.iter().any(|o| o == origin),
        Ok(None) => false,
        Err(e) => {
            e.log_if_internal();
            false
        }
    }
}

async fn some_tenant_allows(app: &App, origin: &str) -> bool {
    match app.tenants.some_tenant_allows(origin).await {
        Ok(allowed) => allowed,
        Err(e) => {
            tracing::error!(error = %e, "reading the origin index");
            false
        }
    }
}
