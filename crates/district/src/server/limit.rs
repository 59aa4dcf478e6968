//! How much one device may send: a token bucket per kid (a minute's
//! allowance, refilled continuously). Never by client address: phones
//! behind one carrier NAT share it.
//!
//! Invariants: the table holds at most [`MAX_TRACKED`] kids (full buckets
//! are dropped first, then the oldest), so keys made up by the thousand
//! cannot grow it without bound; the global cap is the server's semaphore,
//! not this.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The most kids tracked at once.
pub const MAX_TRACKED: usize = 10_000;

struct Bucket {
    tokens: f64,
    updated: Instant,
}

pub struct PerDevice {
    per_minute: f64,
    buckets: Mutex<HashMap<String, Bucket>>,
}

impl PerDevice {
    pub fn new(per_minute: u32) -> PerDevice {
        PerDevice {
            per_minute: f64::from(per_minute.max(1)),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one bundle's allowance for `kid` at `now`; `Err(wait)` when
    /// the device must wait that long.
    pub fn take(&self, kid: &str, now: Instant) -> Result<(), Duration> {
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if buckets.len() >= MAX_TRACKED && !buckets.contains_key(kid) {
            self.evict(&mut buckets, now);
        }
        let per_minute = self.per_minute;
        let bucket = buckets.entry(kid.to_owned()).or_insert(Bucket {
            tokens: per_minute,
            updated: now,
        });
        let elapsed = now.saturating_duration_since(bucket.updated).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * per_minute / 60.0).min(per_minute);
        bucket.updated = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            let seconds = (1.0 - bucket.tokens) * 60.0 / per_minute;
            Err(Duration::from_secs_f64(seconds.max(0.001)))
        }
    }

    fn evict(&self, buckets: &mut HashMap<String, Bucket>, now: Instant) {
        let per_minute = self.per_minute;
        buckets.retain(|_, b| {
            let elapsed = now.saturating_duration_since(b.updated).as_secs_f64();
            b.tokens + elapsed * per_minute / 60.0 < per_minute
        });
        while buckets.len() >= MAX_TRACKED {
            let oldest = buckets
                .iter()
                .min_by_key(|(_, b)| b.updated)
                .map(|(k, _)| k.clone());
            match oldest {
                Some(kid) => buckets.remove(&kid),
                None => break,
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_device_gets_its_minute_then_waits() {
        let limit = PerDevice::new(3);
        let start = Instant::now();
        for _ in 0..3 {
            assert_eq!(limit.take("a", start), Ok(()));
        }
        let wait = limit.take("a", start).unwrap_err();
        assert!(
            wait > Duration::from_secs(19) && wait <= Duration::from_secs(20),
            "{wait:?}"
        );
        // Another device is not held back by the first.
        assert_eq!(limit.take("b", start), Ok(()));
        // A third of a minute later, one more.
        assert_eq!(limit.take("a", start + Duration::from_secs(20)), Ok(()));
        assert!(limit.take("a", start + Duration::from_secs(20)).is_err());
    }

    #[test]
    fn made_up_keys_do_not_grow_the_table() {
        let limit = PerDevice::new(1);
        let now = Instant::now();
        for i in 0..MAX_TRACKED + 50 {
            let _ = limit.take(&format!("k{i}"), now);
        }
        assert!(limit.buckets.lock().unwrap().len() <= MAX_TRACKED);
    }
}
