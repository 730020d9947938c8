//! Group commit: the store's writes go to one writer thread, which commits the writes that
//! queued up while it was busy in one transaction, with one fsync.
//!
//! A commit with `Durability::Immediate` is redb's costliest step (its pages written, then
//! `fdatasync`), and redb runs one write transaction at a time: under load, writes waited for
//! each other's fsync anyway. Now the first write commits at once, as before (an idle store
//! adds no wait); those that arrive during its fsync are committed together by the next one.
//! Each caller still gets its answer only once its own write is durable.
//!
//! A group is all or nothing in redb, so a write that fails inside a group must not take the
//! others with it: the group is then dropped (rolled back) and its writes run again, each in
//! its own transaction. That is why a write is a `Fn`: it may run twice, and only the run
//! that commits counts.

use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{mpsc, Arc};
use std::thread::JoinHandle;

use anyhow::anyhow;
use redb::Database;
use tokio::sync::oneshot;

use super::codec::Table;
use super::ops::ITEMS;
use crate::error::StoreError;
use crate::ports::StoreResult;

/// Writes committed together at most: a bound on one transaction's size and on how long the
/// first of them waits for the last.
const MAX_GROUP: usize = 64;

/// One write: its changes to the table, and then its caller's answer.
trait Write: Send {
    /// Applies the write; its result is kept until the commit says whether it counts.
    fn apply(&mut self, table: &mut Table<'_>) -> anyhow::Result<()>;
    /// Answers the caller: its result if the transaction that applied it committed.
    fn finish(self: Box<Self>, committed: anyhow::Result<()>);
}

struct Pending<T, F> {
    write: F,
    result: Option<T>,
    answer: oneshot::Sender<StoreResult<T>>,
}

impl<T, F> Write for Pending<T, F>
where
    T: Send,
    F: Fn(&mut Table<'_>) -> anyhow::Result<T> + Send,
{
    fn apply(&mut self, table: &mut Table<'_>) -> anyhow::Result<()> {
        // A panicking write fails alone, as it did on tokio's blocking pool; the writer lives on.
        let result = catch_unwind(AssertUnwindSafe(|| (self.write)(table)))
            .unwrap_or_else(|_| Err(anyhow!("a store write panicked")))?;
        self.result = Some(result);
        Ok(())
    }

    fn finish(self: Box<Self>, committed: anyhow::Result<()>) {
        let answer = match (committed, self.result) {
            (Ok(()), Some(result)) => Ok(result),
            (Ok(()), None) => Err(StoreError(anyhow!("a store write committed without its result"))),
            (Err(e), _) => Err(StoreError(e)),
        };
        let _ = self.answer.send(answer); // a caller that went away no longer needs it
    }
}

/// The store's writer thread and the way to it. Dropped with the last clone of the store:
/// the queued writes are committed, then the thread ends, and with it its hold on the file
/// (so that the store can be opened again at once).
pub(super) struct Writer {
    queue: Option<mpsc::Sender<Box<dyn Write>>>,
    thread: Option<JoinHandle<()>>,
}

impl Writer {
    pub(super) fn start(db: Arc<Database>) -> std::io::Result<Self> {
        let (queue, writes) = mpsc::channel::<Box<dyn Write>>();
        let thread = std::thread::Builder::new().name("missive-store-writer".into()).spawn(move || {
            while let Ok(first) = writes.recv() {
                let mut group = vec![first];
                while group.len() < MAX_GROUP {
                    match writes.try_recv() {
                        Ok(next) => group.push(next),
                        Err(_) => break,
                    }
                }
                commit_group(&db, group);
            }
        })?;
        Ok(Self { queue: Some(queue), thread: Some(thread) })
    }

    /// Runs `write` in a write transaction, maybe with others, and returns its result once
    /// that transaction is committed. The write is queued when this is called, not when the
    /// future is first polled: writes are applied in the order of the calls.
    pub(super) fn write<T, F>(&self, write: F) -> impl Future<Output = StoreResult<T>> + Send + 'static
    where
        T: Send + 'static,
        F: Fn(&mut Table<'_>) -> anyhow::Result<T> + Send + 'static,
    {
        let (answer, answered) = oneshot::channel();
        let pending: Box<dyn Write> = Box::new(Pending { write, result: None, answer });
        let sent = self.queue.as_ref().is_some_and(|queue| queue.send(pending).is_ok());
        async move {
            if !sent {
                return Err(StoreError(anyhow!("the store's writer has stopped")));
            }
            answered.await.map_err(|_| StoreError(anyhow!("the store's writer stopped before answering")))?
        }
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        self.queue.take();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Commits `group` in one transaction; if one of its writes fails, each write on its own.
fn commit_group(db: &Database, mut group: Vec<Box<dyn Write>>) {
    if group.len() > 1 {
        // On an error, dropping the transaction rolls the whole group back; each then runs
        // again alone, below.
        if let Ok(tx) = apply_all(db, &mut group) {
            let committed = tx.commit().map_err(|e| format!("{e}"));
            for write in group {
                write.finish(committed.clone().map_err(|e| anyhow!("committing a group of writes: {e}")));
            }
            return;
        }
    }
    for mut write in group {
        let committed = apply_all(db, std::slice::from_mut(&mut write)).and_then(|tx| Ok(tx.commit()?));
        write.finish(committed);
    }
}

/// A write transaction with every write of `group` applied, not committed yet.
fn apply_all(db: &Database, group: &mut [Box<dyn Write>]) -> anyhow::Result<redb::WriteTransaction> {
    let tx = db.begin_write()?;
    {
        let mut table = tx.open_table(ITEMS)?;
        for write in group.iter_mut() {
            write.apply(&mut table)?;
        }
    }
    Ok(tx)
}

#[cfg(test)]
mod tests {
    use std::sync::{Condvar, Mutex};
    use std::time::Duration;

    use redb::ReadableDatabase;

    use super::*;

    fn database(dir: &tempfile::TempDir) -> Arc<Database> {
        let db = Database::create(dir.path().join("test.redb")).unwrap();
        let tx = db.begin_write().unwrap();
        tx.open_table(ITEMS).unwrap();
        tx.commit().unwrap();
        Arc::new(db)
    }

    fn stored(db: &Database, key: &str) -> bool {
        let tx = db.begin_read().unwrap();
        tx.open_table(ITEMS).unwrap().get(key).unwrap().is_some()
    }

    /// The writes queued behind a busy writer share one transaction; one of them failing
    /// fails alone: the others are committed and answered, its own changes are not kept.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_failing_write_in_a_group_fails_alone() {
        let dir = tempfile::tempdir().unwrap();
        let db = database(&dir);
        let writer = Arc::new(Writer::start(db.clone()).unwrap());

        // The first write holds the writer until the others are queued: they form one group.
        // (Once released it stays so: a write may run twice.)
        let gate = Arc::new((Mutex::new(false), Condvar::new()));
        let first = tokio::spawn(writer.write({
            let gate = gate.clone();
            move |t| {
                let (released, wake) = &*gate;
                let waited = wake.wait_timeout_while(released.lock().unwrap(), Duration::from_secs(10), |r| !*r);
                anyhow::ensure!(!waited.unwrap().1.timed_out(), "never released");
                t.insert("first", &b"1"[..])?;
                Ok(())
            }
        }));
        let others: Vec<_> = (0..20)
            .map(|i| {
                tokio::spawn(writer.write(move |t| {
                    t.insert(format!("k{i}").as_str(), &b"1"[..])?;
                    anyhow::ensure!(i != 7, "write 7 refuses");
                    Ok(i)
                }))
            })
            .collect();
        // All queued (at the calls above) while the first holds the writer.
        *gate.0.lock().unwrap() = true;
        gate.1.notify_all();

        first.await.unwrap().unwrap();
        for (i, other) in others.into_iter().enumerate() {
            let answer = other.await.unwrap();
            if i == 7 {
                let error = answer.unwrap_err();
                assert!(format!("{error}").contains("write 7 refuses"), "its own error: {error}");
                assert!(!stored(&db, "k7"), "nothing of the failed write is kept");
            } else {
                assert_eq!(answer.unwrap(), i);
                assert!(stored(&db, &format!("k{i}")), "write {i} committed");
            }
        }
        assert!(stored(&db, "first"));
    }

    /// Dropping the writer commits what was queued and lets go of the file at once.
    #[tokio::test]
    async fn the_file_can_be_opened_again_once_the_writer_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let db = database(&dir);
        let writer = Writer::start(db.clone()).unwrap();
        writer.write(|t| Ok(t.insert("kept", &b"1"[..]).map(|_| ())?)).await.unwrap();
        drop(writer);
        drop(db);
        let reopened = Database::create(dir.path().join("test.redb")).unwrap();
        assert!(stored(&reopened, "kept"));
    }
}
