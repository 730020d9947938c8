//! The WebSocket protocol, the one home of its frames: client [`actions`] in, their
//! [`answers`] and the pushed [`events`] out, each a typed value that serializes as it travels.
//! [`schema`] derives the JSON Schema of every frame from these types (served at
//! `/v1/protocol.schema.json`, beside the OpenAPI document; the JS client's types are
//! generated from both). See docs/protocol.md.

pub mod actions;
pub mod answers;
pub mod events;
pub mod frame;
pub mod schema;

pub use actions::{Action, DeleteMessage, EditMessage, MarkRead, SendMessage, Sync, Typing};
pub use answers::{Answer, RequestId};
pub use events::{Event, ReadMark, Typer};
pub use frame::{Frame, FrameError};
pub use schema::schema;
