//! The answer to each action, pushed to the connection that sent it and carrying its
//! `requestId`: an `ack` with the action's result, `sync.done`, `pong`, or an `error`.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::{Message, Pin, Reaction, ReadState};
use crate::AppError;

/// The client's id for a request, echoed in its answer: a string of at most 128 characters or
/// a number.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum RequestId {
    Text(String),
    Number(serde_json::Number),
}

impl utoipa::PartialSchema for RequestId {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Type};
        OneOfBuilder::new()
            .item(ObjectBuilder::new().schema_type(Type::String).max_length(Some(128)))
            .item(ObjectBuilder::new().schema_type(Type::Number))
            .description(Some("The client's id for a request, echoed in its answer."))
            .into()
    }
}
impl ToSchema for RequestId {}

/// An answer, tagged by `type`. The three `ack`s differ by the action they answer: a message
/// action's carries the message, `markRead`'s the read state, `typing`'s whether it was
/// delivered.
#[derive(Debug, Serialize, ToSchema)]
#[serde(tag = "type")]
pub enum Answer<'a> {
    /// `sendMessage`, `editMessage`, `deleteMessage`: the message as stored, and the cursor of
    /// its event.
    #[serde(rename = "ack", rename_all = "camelCase")]
    MessageAck {
        #[serde(skip_serializing_if = "Option::is_none")]
        request_id: Option<&'a RequestId>,
        message: &'a Message,
        /// `null` for a resend of a message already stored.
        #[schema(required = true)]
        cursor: Option<&'a str>,
    },
    /// `markRead`: the caller's read state, and the cursor of the `read` event if one was
    /// published (none when the marker did not move or a summary will tell).
    #[serde(rename = "ack", rename_all = "camelCase")]
    ReadAck {
        #[serde(skip_serializing_if = "Option::is_none")]
        request_id: Option<&'a RequestId>,
        read: &'a ReadState,
        #[schema(required = true)]
        cursor: Option<&'a str>,
    },
    /// `react`: the message's reactions after it (`me` the caller's), and the cursor of the
    /// `reaction.updated` event.
    #[serde(rename = "ack", rename_all = "camelCase")]
    ReactionAck {
        #[serde(skip_serializing_if = "Option::is_none")]
        request_id: Option<&'a RequestId>,
        message_id: &'a str,
        reactions: &'a [Reaction],
        cursor: &'a str,
    },
    /// `pinMessage`, `unpinMessage`: the conversation's pins after it, the newest first.
    #[serde(rename = "ack", rename_all = "camelCase")]
    PinsAck {
        #[serde(skip_serializing_if = "Option::is_none")]
        request_id: Option<&'a RequestId>,
        pins: &'a [Pin],
    },
    /// `typing`: whether anyone was told.
    #[serde(rename = "ack", rename_all = "camelCase")]
    TypingAck {
        #[serde(skip_serializing_if = "Option::is_none")]
        request_id: Option<&'a RequestId>,
        delivered: bool,
    },
    /// Ends the events a `sync` sent: where to resume, and whether more are waiting.
    #[serde(rename = "sync.done", rename_all = "camelCase")]
    SyncDone {
        #[serde(skip_serializing_if = "Option::is_none")]
        request_id: Option<&'a RequestId>,
        cursor: &'a str,
        more: bool,
    },
    #[serde(rename = "pong", rename_all = "camelCase")]
    Pong {
        #[serde(skip_serializing_if = "Option::is_none")]
        request_id: Option<&'a RequestId>,
    },
    /// The action failed, or the frame was not one; `code` is one of docs/protocol.md's.
    #[serde(rename = "error", rename_all = "camelCase")]
    Error {
        #[serde(skip_serializing_if = "Option::is_none")]
        request_id: Option<&'a RequestId>,
        code: &'a str,
        message: String,
        /// For `moderated`: what matched (`word`, `pattern`, `phone`, `email`, `link`) or
        /// `hook` (the tenant's pre-send hook said no).
        #[serde(skip_serializing_if = "Option::is_none")]
        reason: Option<&'static str>,
        /// For `quota_exceeded`: the tenant's quota used up (`messagesPerMinute`, `connections`,
        /// `emailsPerDay`, `uploadBytesPerDay`).
        #[serde(skip_serializing_if = "Option::is_none")]
        quota: Option<&'static str>,
        /// For `quota_exceeded`: seconds until the quota's window moves on.
        #[serde(skip_serializing_if = "Option::is_none")]
        retry_after: Option<u64>,
    },
}

impl<'a> Answer<'a> {
    pub fn from_app_error(request_id: Option<&'a RequestId>, e: &AppError) -> Self {
        let (quota, retry_after) = e.quota().unzip();
        Answer::Error {
            request_id,
            code: e.code(),
            message: e.public_message(),
            reason: e.reason(),
            quota,
            retry_after,
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("answers always serialize")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_carry_their_type_tag_and_request_id() {
        let rid = RequestId::Text("r1".into());
        assert_eq!(Answer::Pong { request_id: Some(&rid) }.to_json(), r#"{"type":"pong","requestId":"r1"}"#);
        let rid = RequestId::Number(7.into());
        assert_eq!(
            Answer::TypingAck { request_id: Some(&rid), delivered: true }.to_json(),
            r#"{"type":"ack","requestId":7,"delivered":true}"#
        );
    }
}
