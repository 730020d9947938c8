//! The contract's two documents, committed under docs/schema: the REST API's OpenAPI document
//! and the WebSocket protocol's JSON Schema, as the server derives and serves them. The JS
//! client's types are generated from these files (clients/scripts/generate-types.mjs), so a
//! change to a frame or a route that is not carried into them fails here first.
//! `MISSIVE_UPDATE_DOCUMENTS=1 cargo test … documents` rewrites them.

use std::path::PathBuf;

use missive::http::openapi::api_document;

fn check(file: &str, document: serde_json::Value) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs/schema").join(file);
    let current = serde_json::to_string_pretty(&document).unwrap() + "\n";
    if std::env::var_os("MISSIVE_UPDATE_DOCUMENTS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &current).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == current,
        "docs/schema/{file} is not what the server serves: run `MISSIVE_UPDATE_DOCUMENTS=1 cargo test -p missive \
         --test integration documents`, then `node clients/scripts/generate-types.mjs`, and commit both"
    );
}

#[test]
fn the_committed_openapi_document_is_the_served_one() {
    check("openapi.json", serde_json::to_value(api_document()).unwrap());
}

#[test]
fn the_committed_protocol_schema_is_the_served_one() {
    check("protocol.schema.json", missive::protocol::schema());
}
