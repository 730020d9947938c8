//! The audit log: the administrative acts of a tenant — its admins' and the platform
//! operator's — are read back newest first, by its admins or the platform key naming it; a
//! member or another tenant's admin reads nothing; no secret is in it.

use serde_json::{json, Value};

use crate::support::{Server, PLATFORM_KEY};

fn actions(page: &Value) -> Vec<&str> {
    page["entries"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect()
}

#[tokio::test]
async fn administrative_acts_are_in_the_tenant_s_audit_log() {
    let server = Server::start().await;
    let t = server.tenant_with("audit1", &[("boss", "admin"), ("ann", "member")]).await;
    let (boss, ann) = (&t[0], &t[1]);
    let other = server.tenant_with("audit2", &[("chief", "admin")]).await;

    let upsert = |body: Value| server.request("PUT", "/v1/admin/users/cat", Some(boss), Some(body));
    assert_eq!(upsert(json!({ "name": "Cat" })).await.0, 201);
    assert_eq!(upsert(json!({ "name": "Cat", "role": "admin" })).await.0, 200);
    assert_eq!(upsert(json!({ "name": "Cat", "role": "admin", "suspended": true })).await.0, 200);
    assert_eq!(upsert(json!({ "name": "Cat", "role": "admin", "suspended": true })).await.0, 200, "no change");
    let hook = json!({ "url": "https://hooks.example/check?token=s3cr3t", "failure": "open" });
    let (status, saved) = server.put("/v1/moderation", boss, json!({ "rules": [], "preSendHook": hook })).await;
    assert_eq!(status, 200, "{saved}");
    let tenant = "/v1/admin/tenants/audit1";
    for status in ["suspended", "active"] {
        let (code, _) = server.request("PATCH", tenant, Some(PLATFORM_KEY), Some(json!({ "status": status }))).await;
        assert_eq!(code, 200);
    }

    let (status, log) = server.get("/v1/admin/audit", boss).await;
    assert_eq!(status, 200, "{log}");
    assert_eq!(
        actions(&log),
        [
            "tenant.reactivated",
            "tenant.suspended",
            "moderation.updated",
            "user.suspended",
            "user.role_changed",
            "user.created",
            "tenant.created"
        ]
    );
    let entries = log["entries"].as_array().unwrap();
    assert_eq!(entries[0]["actor"], json!({ "kind": "platform" }));
    assert_eq!(entries[3]["actor"], json!({ "kind": "user", "userId": "boss", "name": "Boss" }));
    assert_eq!(
        (&entries[4]["target"], &entries[4]["details"]),
        (&json!("cat"), &json!({ "from": "member", "to": "admin" }))
    );
    assert_eq!(entries[2]["details"]["preSendHookHost"], "hooks.example");
    assert!(!log.to_string().contains("s3cr3t"), "no secret in the log: {log}");

    // Page by page; the platform reads it naming the tenant; nobody else.
    let (_, first) = server.get("/v1/admin/audit?limit=4", boss).await;
    let cursor = first["nextCursor"].as_str().expect("older entries");
    let (_, rest) = server.get(&format!("/v1/admin/audit?limit=4&cursor={cursor}"), boss).await;
    assert_eq!(
        (actions(&rest), &rest["nextCursor"]),
        (vec!["user.role_changed", "user.created", "tenant.created"], &Value::Null)
    );
    let (status, by_platform) = server.get("/v1/admin/audit?tenantId=audit1", PLATFORM_KEY).await;
    assert_eq!((status, by_platform["entries"].as_array().unwrap().len()), (200, 7));
    assert_eq!(server.get("/v1/admin/audit", PLATFORM_KEY).await.0, 400, "the platform names the tenant");
    assert_eq!(server.get("/v1/admin/audit", ann).await.0, 403, "admins only");
    assert_eq!(server.get("/v1/admin/audit?tenantId=audit1", &other[0]).await.0, 403, "another tenant's admin");
    let (_, theirs) = server.get("/v1/admin/audit", &other[0]).await;
    assert_eq!(actions(&theirs), ["tenant.created"], "each tenant its own log");
}
