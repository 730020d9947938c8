//! The local runtime's adapters besides its store: its own sockets for push, an in-process
//! job queue with SQS's semantics, an outbox directory of `.eml` files for e-mails, and files
//! (attachments) in the data directory behind signed URLs, and tenants' push credentials there.

pub mod files;
mod outbox;
mod push;
mod push_credentials;
mod queue;

pub use files::LocalFiles;
pub use outbox::{Outbox, OutboxEntry};
pub use push::{LocalPush, Outgoing};
pub use push_credentials::LocalPushCredentials;
pub use queue::{JournalEntry, LocalQueue, QueueJournal};
