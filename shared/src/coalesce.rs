//! Reads of one kind of resource merged into fewer API calls ("group commit"): a read
//! that arrives while the most calls of its kind allowed at once are in flight waits for
//! one of them to end and goes out with every read that arrived meanwhile, in one call
//! that names them all (`DescribeSecurityGroups` with a `group-id` filter). A read that
//! finds a call slot free goes out at once, so a lone finding waits for nothing; the
//! findings of an event, read and verified concurrently, share calls. More calls in
//! flight mean shorter waits (a read waits for the first of them to end) and more calls.
//!
//! Every read still reaches AWS after it was asked for (a call is sent only once all its
//! reads are queued), so a read made to verify a change sees that change. When the
//! merged call fails, each reader is told so and reads on its own, which gives each
//! finding its own precise error (access denied, throttled, not found).

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};

use tokio::sync::oneshot;

/// The result of a merged read of one resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Merged<V> {
    /// The resource as the call returned it.
    Found(V),
    /// The call succeeded and did not return the resource: it does not exist.
    Missing,
    /// The merged call failed; the reader should read on its own.
    Failed,
}

/// A call reading many resources by id: what it returned, by id, or the failure.
pub type BatchFuture<V> = Pin<Box<dyn Future<Output = Result<HashMap<String, V>, String>> + Send>>;

type Fetch<V> = dyn Fn(Vec<String>) -> BatchFuture<V> + Send + Sync;

/// Merges concurrent reads of one kind of resource into calls of at most `max_batch`
/// ids, at most `max_in_flight` calls at a time. Cheap to clone: clones share the queue.
pub struct Coalescer<V> {
    inner: Arc<Inner<V>>,
}

struct Inner<V> {
    max_batch: usize,
    max_in_flight: usize,
    fetch: Box<Fetch<V>>,
    queue: Mutex<Queue<V>>,
}

struct Queue<V> {
    /// Calls being made (each by a drain task of its own).
    in_flight: usize,
    waiting: Vec<(String, oneshot::Sender<Merged<V>>)>,
}

impl<V> Clone for Coalescer<V> {
    fn clone(&self) -> Self {
        Coalescer {
            inner: self.inner.clone(),
        }
    }
}

impl<V> fmt::Debug for Coalescer<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Coalescer")
            .field("max_batch", &self.inner.max_batch)
            .field("max_in_flight", &self.inner.max_in_flight)
            .finish_non_exhaustive()
    }
}

impl<V: Clone + Send + 'static> Coalescer<V> {
    /// Reads through `fetch`, which gets 1 to `max_batch` distinct ids a call and is
    /// called at most `max_in_flight` times at once.
    pub fn new(
        max_batch: usize,
        max_in_flight: usize,
        fetch: impl Fn(Vec<String>) -> BatchFuture<V> + Send + Sync + 'static,
    ) -> Self {
        Coalescer {
            inner: Arc::new(Inner {
                max_batch: max_batch.max(1),
                max_in_flight: max_in_flight.max(1),
                fetch: Box::new(fetch),
                queue: Mutex::new(Queue {
                    in_flight: 0,
                    waiting: Vec::new(),
                }),
            }),
        }
    }

    /// Reads one resource, at once when a call slot is free, else in the next call to
    /// go out, shared with the reads that arrived meanwhile. Needs a Tokio runtime: the
    /// calls are made by tasks of their own, so that no reader waits on others' calls
    /// after its own has returned.
    pub async fn read(&self, id: &str) -> Merged<V> {
        let (sender, receiver) = oneshot::channel();
        let start = {
            let mut queue = self.lock();
            queue.waiting.push((id.to_owned(), sender));
            let free = queue.in_flight < self.inner.max_in_flight;
            queue.in_flight += usize::from(free);
            free
        };
        if start {
            tokio::spawn(drain(self.inner.clone()));
        }
        receiver.await.unwrap_or(Merged::Failed)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Queue<V>> {
        self.inner.lock()
    }
}

impl<V> Inner<V> {
    fn lock(&self) -> std::sync::MutexGuard<'_, Queue<V>> {
        self.queue.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// One call slot: sends the waiting reads, `max_batch` distinct ids a call, one call
/// after another, until none is left.
async fn drain<V: Clone>(inner: Arc<Inner<V>>) {
    loop {
        let batch = {
            let mut queue = inner.lock();
            if queue.waiting.is_empty() {
                queue.in_flight -= 1;
                return;
            }
            take_batch(&mut queue.waiting, inner.max_batch)
        };
        let mut ids: Vec<String> = batch.iter().map(|(id, _)| id.clone()).collect();
        ids.sort();
        ids.dedup();
        match (inner.fetch)(ids).await {
            Ok(found) => {
                for (id, sender) in batch {
                    let _ = sender.send(
                        found
                            .get(&id)
                            .cloned()
                            .map_or(Merged::Missing, Merged::Found),
                    );
                }
            }
            Err(error) => {
                tracing::debug!(%error, reads = batch.len(), "merged read failed; each reader reads on its own");
                for (_, sender) in batch {
                    let _ = sender.send(Merged::Failed);
                }
            }
        }
    }
}

/// The oldest waiting reads with at most `max` distinct ids among them (the same id
/// asked twice goes out once).
fn take_batch<T>(waiting: &mut Vec<(String, T)>, max: usize) -> Vec<(String, T)> {
    let mut distinct: Vec<&str> = Vec::new();
    let mut end = 0;
    for (id, _) in waiting.iter() {
        if !distinct.contains(&id.as_str()) {
            if distinct.len() == max {
                break;
            }
            distinct.push(id);
        }
        end += 1;
    }
    waiting.drain(..end).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use tokio::sync::Semaphore;

    /// A store of `known` ids whose calls (at most `in_flight` at once) are recorded
    /// and held in flight until the test lets them end (one permit a call, in the order
    /// they went out); calls naming `fail` fail.
    struct Gated {
        groups: Coalescer<String>,
        calls: Arc<Mutex<Vec<Vec<String>>>>,
        gate: Arc<Semaphore>,
    }

    impl Gated {
        fn new(
            known: &'static [&'static str],
            fail: Option<&'static str>,
            in_flight: usize,
        ) -> Self {
            let calls = Arc::new(Mutex::new(Vec::new()));
            let gate = Arc::new(Semaphore::new(0));
            let (log, wait) = (calls.clone(), gate.clone());
            let groups = Coalescer::new(3, in_flight, move |ids: Vec<String>| {
                log.lock().unwrap().push(ids.clone());
                let wait = wait.clone();
                Box::pin(async move {
                    wait.acquire().await.expect("gate").forget();
                    if fail.is_some_and(|f| ids.iter().any(|id| id == f)) {
                        return Err("AccessDenied".to_owned());
                    }
                    Ok(ids
                        .into_iter()
                        .filter(|id| known.contains(&id.as_str()))
                        .map(|id| (id.clone(), format!("group {id}")))
                        .collect())
                }) as BatchFuture<String>
            });
            Gated {
                groups,
                calls,
                gate,
            }
        }

        fn read(&self, id: &'static str) -> tokio::task::JoinHandle<Merged<String>> {
            let groups = self.groups.clone();
            tokio::spawn(async move { groups.read(id).await })
        }

        /// Lets the tasks run until `calls` calls were made and `queued` reads wait.
        async fn settle(&self, calls: usize, queued: usize) {
            while self.calls.lock().unwrap().len() < calls
                || self.groups.lock().waiting.len() < queued
            {
                tokio::task::yield_now().await;
            }
        }

        fn calls(&self) -> Vec<Vec<String>> {
            self.calls.lock().unwrap().clone()
        }
    }

    fn found(id: &str) -> Merged<String> {
        Merged::Found(format!("group {id}"))
    }

    #[tokio::test]
    async fn a_lone_read_goes_out_at_once_with_its_own_id() {
        let store = Gated::new(&["sg-1"], None, 1);
        store.gate.add_permits(2);
        assert_eq!(store.read("sg-1").await.unwrap(), found("sg-1"));
        assert_eq!(store.read("sg-2").await.unwrap(), Merged::Missing);
        assert_eq!(store.calls(), [vec!["sg-1"], vec!["sg-2"]]);
    }

    #[tokio::test]
    async fn reads_arriving_during_a_call_share_the_next_ones() {
        let store = Gated::new(&["a", "b", "c", "d", "e"], None, 1);
        let first = store.read("a");
        store.settle(1, 0).await;
        let later: Vec<_> = ["b", "c", "d", "e", "b"]
            .into_iter()
            .map(|id| (id, store.read(id)))
            .collect();
        store.settle(1, 5).await;
        store.gate.add_permits(3);
        assert_eq!(first.await.unwrap(), found("a"));
        for (id, read) in later {
            assert_eq!(read.await.unwrap(), found(id));
        }
        assert_eq!(
            store.calls(),
            [vec!["a"], vec!["b", "c", "d"], vec!["b", "e"]],
            "the first read went out alone; then at most three distinct ids a call, in order of arrival"
        );
    }

    #[tokio::test]
    async fn reads_go_out_at_once_while_a_call_slot_is_free() {
        let store = Gated::new(&["a", "b", "c", "d"], None, 2);
        let a = store.read("a");
        store.settle(1, 0).await;
        let b = store.read("b");
        store.settle(2, 0).await;
        let (c, d) = (store.read("c"), store.read("d"));
        store.settle(2, 2).await;
        assert_eq!(
            store.calls(),
            [vec!["a"], vec!["b"]],
            "both slots taken, c and d wait"
        );
        store.gate.add_permits(1);
        assert_eq!(a.await.unwrap(), found("a"));
        store.settle(3, 0).await;
        assert_eq!(
            store.calls(),
            [vec!["a"], vec!["b"], vec!["c", "d"]],
            "the first slot to free up took both waiting reads in one call"
        );
        store.gate.add_permits(2);
        for (id, read) in [("b", b), ("c", c), ("d", d)] {
            assert_eq!(read.await.unwrap(), found(id));
        }
    }

    #[tokio::test]
    async fn a_failed_call_tells_each_of_its_readers_and_no_other() {
        let store = Gated::new(&["a", "b", "c"], Some("b"), 1);
        let first = store.read("a");
        store.settle(1, 0).await;
        let (b, c) = (store.read("b"), store.read("c"));
        store.settle(1, 2).await;
        store.gate.add_permits(3);
        assert_eq!(first.await.unwrap(), found("a"));
        assert_eq!(b.await.unwrap(), Merged::Failed);
        assert_eq!(c.await.unwrap(), Merged::Failed, "c went out with b");
        assert_eq!(store.read("c").await.unwrap(), found("c"));
    }

    #[tokio::test]
    async fn the_queue_drains_and_a_later_read_starts_a_new_call() {
        let served = Arc::new(AtomicUsize::new(0));
        let counter = served.clone();
        let groups = Coalescer::new(100, 2, move |ids: Vec<String>| {
            counter.fetch_add(ids.len(), Ordering::SeqCst);
            Box::pin(async move { Ok(ids.into_iter().map(|id| (id, ())).collect()) })
                as BatchFuture<()>
        });
        for round in 0..3 {
            let reads = futures_util::future::join_all((0..10).map(|i| {
                let groups = groups.clone();
                async move { groups.read(&format!("sg-{round}-{i}")).await }
            }))
            .await;
            assert!(reads.iter().all(|r| *r == Merged::Found(())));
            assert_eq!(
                groups.lock().in_flight,
                0,
                "the drains ended with the queue"
            );
        }
        assert_eq!(served.load(Ordering::SeqCst), 30);
    }

    #[test]
    fn a_batch_counts_distinct_ids() {
        let mut waiting: Vec<(String, u8)> = ["a", "a", "b", "c", "a", "d"]
            .iter()
            .map(|id| ((*id).to_owned(), 0))
            .collect();
        let batch = take_batch(&mut waiting, 2);
        let ids: Vec<&str> = batch.iter().map(|(id, _)| id.as_str()).collect();
        assert_eq!(ids, ["a", "a", "b"]);
        assert_eq!(waiting.len(), 3);
    }
}
