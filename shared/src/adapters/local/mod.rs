//! The local runtime's adapters besides its store: its own sockets for push, an in-process
//! job queue with SQS's semantics, and an outbox directory of `.eml` files for e-mails.

mod outbox;
mod push;
mod queue;

pub use outbox::{Outbox, OutboxEntry};
pub use push::{LocalPush, Outgoing};
pub use queue::{JournalEntry, LocalQueue, QueueJournal};
