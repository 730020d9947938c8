//! The JSON Schema (2020-12) of the protocol's frames, derived from their types: what a client
//! may send (`ClientFrame`) and what it receives (`ServerFrame`), with every type they carry
//! under `$defs` — the same definitions the OpenAPI document gives the REST API.

use serde_json::{json, Value};
use utoipa::OpenApi;

use super::{Action, Answer, Event, RequestId};

#[derive(OpenApi)]
#[openapi(components(schemas(Action, Event, Answer, RequestId)))]
struct Frames;

/// The document served at `/v1/protocol.schema.json`.
pub fn schema() -> Value {
    let components = Frames::openapi().components.expect("the frames have components");
    let mut defs = serde_json::to_value(components.schemas).expect("schemas serialize");
    let defs_map = defs.as_object_mut().expect("schemas are a map");
    defs_map.insert(
        "ClientFrame".into(),
        json!({
            "description": "A frame a client sends: an action, and a `requestId` to match its answer.",
            "allOf": [
                { "type": "object", "properties": { "requestId": { "$ref": "#/components/schemas/RequestId" } } },
                { "$ref": "#/components/schemas/Action" },
            ],
        }),
    );
    defs_map.insert(
        "ServerFrame".into(),
        json!({
            "description": "A frame the server sends: an event, or the answer to an action.",
            "oneOf": [{ "$ref": "#/components/schemas/Event" }, { "$ref": "#/components/schemas/Answer" }],
        }),
    );
    rewrite_refs(&mut defs);
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "/v1/protocol.schema.json",
        "title": "Missive WebSocket protocol",
        "description": "Every frame is one JSON object: a client's `ClientFrame`, the server's `ServerFrame` (docs/protocol.md).",
        "oneOf": [{ "$ref": "#/$defs/ClientFrame" }, { "$ref": "#/$defs/ServerFrame" }],
        "$defs": defs,
    })
}

/// utoipa names components the OpenAPI way; in a standalone schema they live under `$defs`.
fn rewrite_refs(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                match v {
                    Value::String(target) if key == "$ref" => {
                        *target = target.replace("#/components/schemas/", "#/$defs/");
                    }
                    _ => rewrite_refs(v),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(rewrite_refs),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reference_resolves_inside_the_document() {
        let doc = schema();
        let text = doc.to_string();
        assert!(!text.contains("#/components/"));
        let defs = doc["$defs"].as_object().unwrap();
        for name in
            ["ClientFrame", "ServerFrame", "Action", "Event", "Answer", "Message", "GroupChange", "ConversationView"]
        {
            assert!(defs.contains_key(name), "{name} missing");
        }
        let mut refs = Vec::new();
        collect_refs(&doc, &mut refs);
        for r in refs {
            let name = r.strip_prefix("#/$defs/").unwrap_or_else(|| panic!("{r} is not local"));
            assert!(defs.contains_key(name), "{r} does not resolve");
        }
    }

    fn collect_refs(value: &Value, into: &mut Vec<String>) {
        match value {
            Value::Object(map) => map.iter().for_each(|(k, v)| match v {
                Value::String(s) if k == "$ref" => into.push(s.clone()),
                _ => collect_refs(v, into),
            }),
            Value::Array(items) => items.iter().for_each(|v| collect_refs(v, into)),
            _ => {}
        }
    }
}
