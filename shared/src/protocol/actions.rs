//! What a client asks for: each frame names an `action` and carries its fields (and, if the
//! client wants its answer matched, a `requestId`).

use serde::Deserialize;
use utoipa::ToSchema;

use crate::domain::TypingState;

// Parsed by `Frame::parse`, which tells an unknown action from a malformed one; the serde tag
// here is what the schema says of it.
/// The actions a client can send, selected by the frame's `action` field.
#[derive(Debug, PartialEq, ToSchema)]
#[serde(tag = "action", rename_all = "camelCase")]
pub enum Action {
    SendMessage(SendMessage),
    EditMessage(EditMessage),
    DeleteMessage(DeleteMessage),
    React(React),
    PinMessage(PinMessage),
    UnpinMessage(PinMessage),
    MarkRead(MarkRead),
    Sync(Sync),
    Typing(Typing),
    /// Keeps the connection alive; answered `pong`.
    Ping,
}

impl Action {
    /// The action's name, as a frame gives it.
    pub fn name(&self) -> &'static str {
        match self {
            Action::SendMessage(_) => "sendMessage",
            Action::EditMessage(_) => "editMessage",
            Action::DeleteMessage(_) => "deleteMessage",
            Action::React(_) => "react",
            Action::PinMessage(_) => "pinMessage",
            Action::UnpinMessage(_) => "unpinMessage",
            Action::MarkRead(_) => "markRead",
            Action::Sync(_) => "sync",
            Action::Typing(_) => "typing",
            Action::Ping => "ping",
        }
    }
}

/// Sends a message: text, files (the ids of the caller's uploads), or both; a repeat with the
/// same `clientMessageId` answers the stored one.
#[derive(Debug, PartialEq, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SendMessage {
    pub conversation_id: String,
    /// 1 to 4,000 characters; optional (or empty) with attachments.
    #[serde(default)]
    pub body: Option<String>,
    /// Upload ids (`POST /v1/conversations/{id}/uploads`), at most 10, in the order shown.
    #[serde(default)]
    pub attachments: Vec<String>,
    #[serde(default)]
    pub client_message_id: Option<String>,
    /// A reply: the message it answers (a reply to a reply joins the same thread).
    #[serde(default)]
    pub parent_id: Option<String>,
    /// A reply also shown in the conversation; by default only in its thread.
    #[serde(default)]
    pub also_in_conversation: bool,
}

/// Replaces the text of one of the caller's messages.
#[derive(Debug, PartialEq, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EditMessage {
    pub conversation_id: String,
    pub message_id: String,
    pub body: String,
}

/// Deletes one of the caller's messages, leaving a tombstone.
#[derive(Debug, PartialEq, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeleteMessage {
    pub conversation_id: String,
    pub message_id: String,
}

/// Reacts to a message with an emoji (`on`), or takes the reaction back (`on: false`). One
/// reaction per person per emoji; at most 20 distinct emoji a message.
#[derive(Debug, PartialEq, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct React {
    pub conversation_id: String,
    pub message_id: String,
    /// One emoji (`👍`, `🇫🇷`, `👩🏽‍🚒`) or a `:short_name:`.
    pub emoji: String,
    /// Absent: true.
    #[serde(default = "yes")]
    pub on: bool,
}

fn yes() -> bool {
    true
}

/// Pins a message of the conversation (`pinMessage`, at most 50 a conversation), or unpins it
/// (`unpinMessage`).
#[derive(Debug, PartialEq, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PinMessage {
    pub conversation_id: String,
    pub message_id: String,
}

/// Moves the caller's read marker forward to a message.
#[derive(Debug, PartialEq, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MarkRead {
    pub conversation_id: String,
    pub message_id: String,
}

/// Asks for the events missed since a cursor: they come as pushed, then `sync.done`.
#[derive(Debug, PartialEq, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Sync {
    pub since: String,
}

/// Starts or stops the caller's typing indicator in a conversation.
#[derive(Debug, PartialEq, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Typing {
    pub conversation_id: String,
    pub state: TypingState,
}
