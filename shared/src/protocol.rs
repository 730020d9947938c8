//! The WebSocket protocol: client actions in, server events out. See docs/protocol.md.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use chrono::{DateTime, Utc};

use crate::domain::Message;
use crate::AppError;

/// The actions a client can send, selected by the frame's `action` field.
#[derive(Debug, PartialEq)]
pub enum Action {
    SendMessage(SendMessage),
    EditMessage(EditMessage),
    DeleteMessage(DeleteMessage),
    MarkRead(MarkRead),
    Sync(Sync),
    Typing(Typing),
    Ping,
}

#[derive(Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Typing {
    pub conversation_id: String,
    pub state: crate::domain::TypingState,
}

#[derive(Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Sync {
    pub since: String,
}

#[derive(Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EditMessage {
    pub conversation_id: String,
    pub message_id: String,
    pub body: String,
}

#[derive(Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeleteMessage {
    pub conversation_id: String,
    pub message_id: String,
}

#[derive(Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MarkRead {
    pub conversation_id: String,
    pub message_id: String,
}

#[derive(Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SendMessage {
    pub conversation_id: String,
    pub body: String,
    #[serde(default)]
    pub client_message_id: Option<String>,
}

/// A frame that cannot become an action, with the code the client receives.
#[derive(Debug, PartialEq, thiserror::Error)]
pub enum FrameError {
    #[error("frame is larger than {0} bytes")]
    TooLarge(usize),
    #[error("frame is not valid JSON")]
    InvalidJson,
    #[error("{0}")]
    InvalidRequest(String),
    #[error("unknown action `{0}`")]
    UnknownAction(String),
}

impl FrameError {
    pub fn code(&self) -> &'static str {
        match self {
            FrameError::TooLarge(_) => "frame_too_large",
            FrameError::InvalidJson => "invalid_json",
            FrameError::InvalidRequest(_) => "invalid_request",
            FrameError::UnknownAction(_) => "unknown_action",
        }
    }
}

/// A parsed frame: the client's `requestId` (echoed in the answer) and the action, or why
/// the frame is not an action. The request id is kept even when the action is invalid, so
/// the error still reaches the request that caused it.
pub struct Frame {
    pub request_id: Option<Value>,
    pub action: Result<Action, FrameError>,
}

impl Frame {
    pub fn parse(text: &str, max_bytes: usize) -> Frame {
        if text.len() > max_bytes {
            return Frame { request_id: None, action: Err(FrameError::TooLarge(max_bytes)) };
        }
        let Ok(value) = serde_json::from_str::<Value>(text) else {
            return Frame { request_id: None, action: Err(FrameError::InvalidJson) };
        };
        let Value::Object(mut object) = value else {
            return Frame {
                request_id: None,
                action: Err(FrameError::InvalidRequest("a frame is a JSON object".into())),
            };
        };
        let request_id =
            object.remove("requestId").filter(|id| matches!(id, Value::String(s) if s.len() <= 128) || id.is_number());
        let action = match object.remove("action") {
            Some(Value::String(name)) => Self::action(&name, Value::Object(object)),
            Some(_) => Err(FrameError::InvalidRequest("`action` must be a string".into())),
            None => Err(FrameError::InvalidRequest("missing field `action`".into())),
        };
        Frame { request_id, action }
    }

    fn action(name: &str, fields: Value) -> Result<Action, FrameError> {
        let invalid = |e: serde_json::Error| FrameError::InvalidRequest(strip_position(&e.to_string()));
        match name {
            "sendMessage" => serde_json::from_value(fields).map(Action::SendMessage).map_err(invalid),
            "editMessage" => serde_json::from_value(fields).map(Action::EditMessage).map_err(invalid),
            "deleteMessage" => serde_json::from_value(fields).map(Action::DeleteMessage).map_err(invalid),
            "typing" => serde_json::from_value(fields).map(Action::Typing).map_err(invalid),
            "sync" => serde_json::from_value(fields).map(Action::Sync).map_err(invalid),
            "markRead" => serde_json::from_value(fields).map(Action::MarkRead).map_err(invalid),
            "ping" => Ok(Action::Ping),
            other => Err(FrameError::UnknownAction(other.chars().take(64).collect())),
        }
    }
}

/// serde_json appends " at line 1 column 42", which means nothing to a client of a parsed
/// value.
fn strip_position(msg: &str) -> String {
    match msg.find(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}

/// One member's read marker in a `read.summary`.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReadMark {
    pub user_id: crate::domain::UserId,
    pub last_read_message_id: crate::domain::MessageId,
    pub last_read_at: DateTime<Utc>,
}

/// One member typing, in a `typing.summary`: shown for `expires_in_ms` unless a later summary
/// says otherwise.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Typer {
    pub user_id: crate::domain::UserId,
    pub name: String,
    pub expires_in_ms: u64,
}

/// What the server sends. Serialized with a `type` tag.
#[derive(Debug, Serialize)]
#[serde(tag = "type")]
pub enum Event<'a> {
    #[serde(rename = "message.new", rename_all = "camelCase")]
    MessageNew { conversation_id: &'a str, message: &'a Message },
    #[serde(rename = "message.updated", rename_all = "camelCase")]
    MessageUpdated { conversation_id: &'a str, message: &'a Message },
    #[serde(rename = "message.deleted", rename_all = "camelCase")]
    MessageDeleted { conversation_id: &'a str, message: &'a Message },
    #[serde(rename = "notification.new", rename_all = "camelCase")]
    NotificationNew { notification: &'a crate::domain::Notification },
    #[serde(rename = "read", rename_all = "camelCase")]
    Read { conversation_id: &'a str, user_id: &'a str, message_id: &'a str, read_at: DateTime<Utc> },
    /// A large group's read markers that moved in the last window (`usecases::signals`).
    #[serde(rename = "read.summary", rename_all = "camelCase")]
    ReadSummary { conversation_id: &'a str, reads: &'a [ReadMark] },
    /// Who is typing in a large group now; an empty list: nobody any more.
    #[serde(rename = "typing.summary", rename_all = "camelCase")]
    TypingSummary { conversation_id: &'a str, typing: &'a [Typer] },
    /// The answer to an action: its result's fields beside `type` and `requestId`.
    #[serde(rename = "ack", rename_all = "camelCase")]
    Ack {
        #[serde(skip_serializing_if = "Option::is_none")]
        request_id: Option<&'a Value>,
        #[serde(flatten)]
        result: Value,
    },
    /// Ends the events a `sync` sent; answers its `requestId`.
    #[serde(rename = "sync.done", rename_all = "camelCase")]
    SyncDone {
        #[serde(skip_serializing_if = "Option::is_none")]
        request_id: Option<&'a Value>,
        cursor: &'a str,
        more: bool,
    },
    #[serde(rename = "pong", rename_all = "camelCase")]
    Pong {
        #[serde(skip_serializing_if = "Option::is_none")]
        request_id: Option<&'a Value>,
    },
    #[serde(rename = "error", rename_all = "camelCase")]
    Error {
        #[serde(skip_serializing_if = "Option::is_none")]
        request_id: Option<&'a Value>,
        code: &'a str,
        message: String,
    },
}

impl Event<'_> {
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("events always serialize")
    }
    pub fn to_value(&self) -> Value {
        serde_json::to_value(self).expect("events always serialize")
    }
}

impl<'a> Event<'a> {
    pub fn from_app_error(request_id: Option<&'a Value>, e: &AppError) -> Self {
        Event::Error { request_id, code: e.code(), message: e.public_message() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_parse_into_actions_or_precise_errors() {
        let f = Frame::parse(r#"{"action":"sendMessage","requestId":"r1","conversationId":"c","body":"hi"}"#, 1024);
        assert_eq!(f.request_id, Some(Value::from("r1")));
        assert!(matches!(f.action, Ok(Action::SendMessage(SendMessage { ref body, .. })) if body == "hi"));

        assert_eq!(Frame::parse("{not json", 1024).action.unwrap_err().code(), "invalid_json");
        assert_eq!(Frame::parse("[1]", 1024).action.unwrap_err().code(), "invalid_request");
        let unknown = Frame::parse(r#"{"action":"dance","requestId":7}"#, 1024);
        assert_eq!(unknown.request_id, Some(Value::from(7)));
        assert_eq!(unknown.action.unwrap_err(), FrameError::UnknownAction("dance".into()));
        let missing = Frame::parse(r#"{"action":"sendMessage","conversationId":"c"}"#, 1024);
        assert_eq!(missing.action.unwrap_err(), FrameError::InvalidRequest("missing field `body`".into()));
        assert_eq!(Frame::parse(&"x".repeat(2000), 1024).action.unwrap_err().code(), "frame_too_large");
    }

    #[test]
    fn events_carry_their_type_tag() {
        let rid = Value::from("r1");
        let json = Event::Pong { request_id: Some(&rid) }.to_json();
        assert_eq!(json, r#"{"type":"pong","requestId":"r1"}"#);
    }
}
