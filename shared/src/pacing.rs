//! Pacing: hubfix's share of Security Hub's write quota, and how many fixes it runs at
//! once in one member account and region.
//!
//! Security Hub allows `BatchUpdateFindings` 10 requests a second with a burst of 30, per
//! account and region; with a delegated administrator and cross-region aggregation the
//! whole organisation's findings are recorded against that one quota. Every process
//! that writes (each concurrent Lambda execution) takes its calls from a [`TokenBucket`]
//! holding an equal share of the stack's budget: `rate = budget / instances`, with a
//! burst of two seconds' worth. The shares add up to the budget, so the stack as a
//! whole stays inside the quota however its invocations interleave, without a shared
//! store or a coordinating call.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use std::time::Instant;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Security Hub's documented rate for `BatchUpdateFindings`, per account and region.
pub const SECURITY_HUB_UPDATE_RATE: f64 = 10.0;
/// A share's burst, in seconds' worth of its rate: with the bucket full, a second can
/// carry the burst plus a second's rate, three seconds' worth in all, which for the whole
/// budget is at most Security Hub's burst of 30 (3 × 10).
const BURST_SECONDS: f64 = 2.0;

/// A token bucket: calls take a token; tokens come back at `rate` a second up to
/// `burst`. Waiting callers are served in turn.
#[derive(Debug)]
pub struct TokenBucket {
    rate: f64,
    burst: f64,
    state: tokio::sync::Mutex<Bucket>,
}

/// The bucket's state, apart from the waiting, so that it is tested without a clock.
#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

impl Bucket {
    /// Takes a token at `now`, or says how long to wait for one.
    fn take(&mut self, now: Instant, rate: f64, burst: f64) -> Result<(), Duration> {
        let earned = now.saturating_duration_since(self.at).as_secs_f64() * rate;
        self.tokens = (self.tokens + earned).min(burst);
        self.at = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - self.tokens) / rate))
        }
    }
}

impl TokenBucket {
    /// A process's share: `budget` calls a second for the stack, split evenly over
    /// `instances` processes that may write at once.
    pub fn share(budget: f64, instances: u32) -> Self {
        let rate = budget / f64::from(instances.max(1));
        TokenBucket::new(rate, (rate * BURST_SECONDS).max(1.0))
    }

    /// `rate` calls a second, at most `burst` at once; the bucket starts full.
    pub fn new(rate: f64, burst: f64) -> Self {
        TokenBucket {
            rate,
            burst,
            state: tokio::sync::Mutex::new(Bucket {
                tokens: burst,
                at: Instant::now(),
            }),
        }
    }

    /// Calls a second this bucket allows.
    pub fn rate(&self) -> f64 {
        self.rate
    }

    /// Waits until a call may be made, and takes its token.
    pub async fn acquire(&self) {
        let mut bucket = self.state.lock().await;
        while let Err(wait) = bucket.take(Instant::now(), self.rate, self.burst) {
            tokio::time::sleep(wait).await;
        }
    }
}

/// At most `per_account` fixes at once in one account and region, so that a storm of
/// findings never floods one member account's APIs (they are the member's quotas, shared
/// with its own workloads).
#[derive(Debug)]
pub struct AccountPacer {
    per_account: usize,
    slots: Mutex<HashMap<(String, String), Arc<Semaphore>>>,
}

impl AccountPacer {
    /// At most `per_account` (at least 1) at once per account and region.
    pub fn new(per_account: usize) -> Self {
        AccountPacer {
            per_account: per_account.max(1),
            slots: Mutex::new(HashMap::new()),
        }
    }

    /// Waits for a slot in `account` and `region`; the slot is free again when the
    /// permit is dropped.
    pub async fn slot(&self, account: &str, region: &str) -> OwnedSemaphorePermit {
        let semaphore = self
            .slots
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry((account.to_owned(), region.to_owned()))
            .or_insert_with(|| Arc::new(Semaphore::new(self.per_account)))
            .clone();
        semaphore
            .acquire_owned()
            .await
            .unwrap_or_else(|_| unreachable!("the semaphore is never closed"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Calls made flat out through `processes` shares of `budget`, over `seconds`, on a
    /// simulated clock: when each call went out.
    fn simulate(budget: f64, processes: u32, seconds: u64) -> Vec<Duration> {
        let start = Instant::now();
        let share = TokenBucket::share(budget, processes);
        let mut buckets: Vec<(Bucket, Duration)> = (0..processes)
            .map(|_| {
                let bucket = Bucket {
                    tokens: share.burst,
                    at: start,
                };
                (bucket, Duration::ZERO)
            })
            .collect();
        let mut calls = Vec::new();
        loop {
            let (bucket, clock) = buckets
                .iter_mut()
                .min_by_key(|(_, clock)| *clock)
                .expect("at least one process");
            if *clock >= Duration::from_secs(seconds) {
                return calls;
            }
            match bucket.take(start + *clock, share.rate, share.burst) {
                Ok(()) => calls.push(*clock),
                Err(wait) => *clock += wait,
            }
        }
    }

    #[test]
    fn a_bucket_allows_its_burst_then_its_rate() {
        let calls = simulate(2.0, 1, 10);
        assert!(calls[..4].iter().all(|t| t.is_zero()), "the burst is free");
        assert!(calls[4] > Duration::from_millis(400), "{:?}", calls[4]);
        assert!((23..=25).contains(&calls.len()), "{}", calls.len());
    }

    #[test]
    fn shares_of_concurrent_processes_stay_inside_security_hubs_quota() {
        // Five processes, each with its share of 10 calls a second, writing flat out for
        // a minute: never more than 30 in any second, about 10 a second overall.
        let calls = simulate(SECURITY_HUB_UPDATE_RATE, 5, 60);
        let mut per_second = HashMap::new();
        for c in &calls {
            *per_second.entry(c.as_secs()).or_insert(0) += 1;
        }
        assert!(per_second.values().all(|n| *n <= 30), "{per_second:?}");
        assert!(
            (600..=625).contains(&calls.len()),
            "{} calls in 60 s",
            calls.len()
        );
    }

    #[tokio::test]
    async fn acquire_waits_for_a_token() {
        let bucket = TokenBucket::new(50.0, 1.0);
        let start = Instant::now();
        for _ in 0..3 {
            bucket.acquire().await;
        }
        assert!(
            start.elapsed() >= Duration::from_millis(35),
            "{:?}",
            start.elapsed()
        );
    }

    #[tokio::test]
    async fn an_account_region_gets_at_most_its_slots_at_once() {
        let pacer = Arc::new(AccountPacer::new(2));
        let a1 = pacer.slot("111111111111", "us-east-1").await;
        let _a2 = pacer.slot("111111111111", "us-east-1").await;
        let _other = pacer.slot("111111111111", "eu-west-1").await;
        let waiting = {
            let pacer = pacer.clone();
            tokio::spawn(async move { pacer.slot("111111111111", "us-east-1").await })
        };
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(!waiting.is_finished());
        drop(a1);
        assert!(waiting.await.is_ok());
    }
}
