//! Browsers on a tenant's allowed origins may call the REST API; others get no CORS grant.

use serde_json::json;

use crate::support::{Server, PLATFORM_KEY};

#[tokio::test]
async fn a_tenant_s_allowed_origins_are_granted_cors_and_no_other_origin_is() {
    let server = Server::start().await;
    let (shop_a, shop_b, evil) = ("https://shop-a.example", "https://shop-b.example", "https://evil.example");
    let a = server.tenant_with("cors-a", &[("alice", "member")]).await;
    server.tenant_with("cors-b", &[("bob", "member")]).await;
    for (tenant, origin) in [("cors-a", shop_a), ("cors-b", shop_b)] {
        let patch = json!({ "allowedOrigins": [origin] });
        let (status, body) =
            server.request("PATCH", &format!("/v1/admin/tenants/{tenant}"), Some(PLATFORM_KEY), Some(patch)).await;
        assert_eq!(status, 200, "{body}");
    }
    let allow_origin =
        |h: &reqwest::header::HeaderMap| h.get("access-control-allow-origin").map(|v| v.to_str().unwrap().to_string());

    // The preflight: granted to an origin some tenant lists, with what requests may carry.
    let (status, h) = preflight(&server, shop_a).await;
    assert_eq!((status, allow_origin(&h).as_deref()), (204, Some(shop_a)));
    assert!(h["access-control-allow-methods"].to_str().unwrap().contains("POST"));
    assert!(h["access-control-allow-headers"].to_str().unwrap().contains("authorization"));
    let (status, h) = preflight(&server, evil).await;
    assert_eq!((status, allow_origin(&h)), (403, None), "an origin no tenant lists");

    // A response: granted when the caller's tenant lists the origin, not another tenant's.
    let bearer = format!("Bearer {}", a[0]);
    let (status, h) = server.raw("GET", "/v1/me", &[("origin", shop_a), ("authorization", &bearer)]).await;
    assert_eq!((status, allow_origin(&h).as_deref()), (200, Some(shop_a)));
    assert!(h.get_all("vary").iter().any(|v| v.to_str().unwrap().contains("origin")));
    let (status, h) = server.raw("GET", "/v1/me", &[("origin", shop_b), ("authorization", &bearer)]).await;
    assert_eq!((status, allow_origin(&h)), (200, None), "shop B's origin is not tenant A's");
    let (_, h) = server.raw("GET", "/v1/me", &[("origin", evil), ("authorization", &bearer)]).await;
    assert_eq!(allow_origin(&h), None);
    // Routes without a caller: an origin some tenant lists.
    let (status, h) = server.raw("GET", "/v1/health", &[("origin", shop_b)]).await;
    assert_eq!((status, allow_origin(&h).as_deref()), (200, Some(shop_b)));
    let (_, h) = server.raw("GET", "/v1/health", &[("origin", evil)]).await;
    assert_eq!(allow_origin(&h), None);

    // Once tenant A drops its origin, its preflight is refused.
    let patch = json!({ "allowedOrigins": [] });
    server.request("PATCH", "/v1/admin/tenants/cors-a", Some(PLATFORM_KEY), Some(patch)).await;
    let (status, h) = preflight(&server, shop_a).await;
    assert_eq!((status, allow_origin(&h)), (403, None));
    // Origins are origins: a path is refused, naming the field.
    let patch = json!({ "allowedOrigins": ["https://shop-a.example/storefront"] });
    let (status, body) = server.request("PATCH", "/v1/admin/tenants/cors-a", Some(PLATFORM_KEY), Some(patch)).await;
    assert_eq!(status, 400, "{body}");
    assert!(body["error"]["message"].as_str().unwrap().starts_with("invalid allowedOrigins"), "{body}");
}

/// A browser's preflight of a POST with a token and a JSON body.
async fn preflight(server: &Server, origin: &str) -> (u16, reqwest::header::HeaderMap) {
    let headers = [
        ("origin", origin),
        ("access-control-request-method", "POST"),
        ("access-control-request-headers", "authorization, content-type"),
    ];
    server.raw("OPTIONS", "/v1/conversations", &headers).await
}
