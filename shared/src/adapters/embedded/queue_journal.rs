//! The local job queue's journal: each job kept under `QUEUE␟{queue}␟{jobId}`, so that the
//! queue survives a crash. New jobs, retries' backoffs and dead letters are written with an
//! fsync; receives and finished jobs' removals without one (they become durable with the
//! next fsync'd commit — lost in a crash, a job runs again, as SQS may deliver twice).

use std::ops::Bound;

use redb::{Durability, ReadableDatabase};

use super::codec::*;
use super::keys::{key, prefix, prefix_end};
use super::ops::ITEMS;
use super::EmbeddedStore;
use crate::adapters::local::{JournalEntry, QueueJournal};
use crate::domain::Job;

fn job_key(job: &Job) -> String {
    key(&["QUEUE", job.queue().as_str(), job.id.as_str()])
}

/// The embedded store in its queue journal role: the name this file adapts the port under.
pub type EmbeddedQueueJournal = EmbeddedStore;

impl QueueJournal for EmbeddedQueueJournal {
    fn save(&self, entries: &[JournalEntry], durable: bool) -> anyhow::Result<()> {
        let mut tx = self.db.begin_write()?;
        if !durable {
            tx.set_durability(Durability::None)?;
        }
        {
            let mut table = tx.open_table(ITEMS)?;
            for entry in entries {
                write(&mut table, &job_key(&entry.job), entry)?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    fn remove(&self, job: &Job) -> anyhow::Result<()> {
        let mut tx = self.db.begin_write()?;
        tx.set_durability(Durability::None)?;
        tx.open_table(ITEMS)?.remove(job_key(job).as_str())?;
        tx.commit()?;
        Ok(())
    }

    fn load(&self) -> anyhow::Result<Vec<JournalEntry>> {
        let tx = self.db.begin_read()?;
        let table = tx.open_table(ITEMS)?;
        let from = prefix(&["QUEUE"]);
        let to = prefix_end(&from);
        scan(&table, Bound::Included(from.as_str()), Bound::Excluded(to.as_str()), false, usize::MAX)?
            .iter()
            .map(|(_, value)| decode(value))
            .collect()
    }
}
