//! Searching a conversation's messages.

use serde_json::json;

use crate::support::Server;

#[tokio::test]
async fn search_finds_text_regardless_of_case_and_accents_and_pages_back() {
    let server = Server::start().await;
    let t = server.tenant_with("search", &[("ann", "member"), ("ben", "member"), ("cat", "member")]).await;
    let conv = server.create_conversation(&t[0], json!({ "kind": "direct", "userId": "ben" })).await;
    let other = server.create_conversation(&t[0], json!({ "kind": "direct", "userId": "cat" })).await;
    let mut ids = Vec::new();
    for body in ["Bonne Fête !", "rien à voir", "la FETE est finie", "fête supprimée", "fêtes de fin d'année"] {
        let (_, m) = server.post(&format!("/v1/conversations/{conv}/messages"), &t[0], json!({ "body": body })).await;
        ids.push(m["id"].as_str().unwrap().to_string());
    }
    server.request("DELETE", &format!("/v1/conversations/{conv}/messages/{}", ids[3]), Some(&t[0]), None).await;
    server.post(&format!("/v1/conversations/{other}/messages"), &t[0], json!({ "body": "fête ailleurs" })).await;

    let (status, found) = server.get(&format!("/v1/conversations/{conv}/messages?q=fete"), &t[1]).await;
    assert_eq!(status, 200, "{found}");
    let bodies: Vec<_> = found["messages"].as_array().unwrap().iter().map(|m| m["body"].as_str().unwrap()).collect();
    assert_eq!(
        bodies,
        ["Bonne Fête !", "la FETE est finie", "fêtes de fin d'année"],
        "oldest first; deleted and other conversations left out"
    );
    assert!(found["olderCursor"].is_null());

    // One match per page, walking back.
    let (_, first) = server.get(&format!("/v1/conversations/{conv}/messages?q=F%C3%8ATE&limit=2"), &t[1]).await;
    let page: Vec<_> =
        first["messages"].as_array().unwrap().iter().map(|m| m["id"].as_str().unwrap().to_string()).collect();
    assert_eq!(page, [ids[2].clone(), ids[4].clone()]);
    let cursor = first["olderCursor"].as_str().expect("more to search").to_string();
    let (_, rest) =
        server.get(&format!("/v1/conversations/{conv}/messages?q=fete&limit=2&before={cursor}"), &t[1]).await;
    let page: Vec<_> =
        rest["messages"].as_array().unwrap().iter().map(|m| m["id"].as_str().unwrap().to_string()).collect();
    assert_eq!(page, [ids[0].clone()]);
    assert!(rest["olderCursor"].is_null());

    let (status, _) = server.get(&format!("/v1/conversations/{conv}/messages?q=fete"), &t[2]).await;
    assert_eq!(status, 404, "only members search a conversation");
    let (status, _) = server.get(&format!("/v1/conversations/{conv}/messages?q=fete&after=0"), &t[1]).await;
    assert_eq!(status, 400);
}
