//! A client's frame as it arrives: parsed into an [`Action`], or the precise reason it is not
//! one, keeping its `requestId` either way.

use serde_json::Value;

use super::actions::Action;
use super::answers::RequestId;

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
    pub request_id: Option<RequestId>,
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
        let request_id = match object.remove("requestId") {
            Some(Value::String(s)) if s.chars().count() <= 128 => Some(RequestId::Text(s)),
            Some(Value::Number(n)) => Some(RequestId::Number(n)),
            _ => None,
        };
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
            "react" => serde_json::from_value(fields).map(Action::React).map_err(invalid),
            "pinMessage" => serde_json::from_value(fields).map(Action::PinMessage).map_err(invalid),
            "unpinMessage" => serde_json::from_value(fields).map(Action::UnpinMessage).map_err(invalid),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::SendMessage;

    #[test]
    fn frames_parse_into_actions_or_precise_errors() {
        let f = Frame::parse(r#"{"action":"sendMessage","requestId":"r1","conversationId":"c","body":"hi"}"#, 1024);
        assert_eq!(f.request_id, Some(RequestId::Text("r1".into())));
        let hi = Some("hi".to_string());
        assert!(matches!(f.action, Ok(Action::SendMessage(SendMessage { ref body, .. })) if *body == hi));

        assert_eq!(Frame::parse("{not json", 1024).action.unwrap_err().code(), "invalid_json");
        assert_eq!(Frame::parse("[1]", 1024).action.unwrap_err().code(), "invalid_request");
        let unknown = Frame::parse(r#"{"action":"dance","requestId":7}"#, 1024);
        assert_eq!(unknown.request_id, Some(RequestId::Number(7.into())));
        assert_eq!(unknown.action.unwrap_err(), FrameError::UnknownAction("dance".into()));
        let missing = Frame::parse(r#"{"action":"sendMessage","body":"hi"}"#, 1024);
        assert_eq!(missing.action.unwrap_err(), FrameError::InvalidRequest("missing field `conversationId`".into()));
        assert_eq!(Frame::parse(&"x".repeat(2000), 1024).action.unwrap_err().code(), "frame_too_large");
    }

    #[test]
    fn a_request_id_is_kept_up_to_128_characters_whatever_their_bytes() {
        let frame = |id: &str| format!(r#"{{"action":"ping","requestId":"{id}"}}"#);
        let accents = "é".repeat(128); // 256 bytes
        assert_eq!(Frame::parse(&frame(&accents), 1024).request_id, Some(RequestId::Text(accents)));
        assert_eq!(Frame::parse(&frame(&"é".repeat(129)), 1024).request_id, None);
    }
}
