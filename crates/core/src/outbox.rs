//! The phone's outbox: where each bundle stands on its way to the district,
//! and what the next step is. Pure rules: the app stores the
//! [`Delivery`] of each bundle, sends what [`next_to_send`] names, and
//! records what came back with [`Delivery::after`].
//!
//! Invariants:
//! - A bundle is [`Delivery::Delivered`] only after a receipt that
//!   [`crate::sync::check_receipt`] accepted (signed by the pinned district
//!   key, naming the bundle's kid, sequence and hash) says `merged` or
//!   `pending`. Nothing else (an HTTP status, a page, a timeout) moves it
//!   there.
//! - Failures never give up: a bundle waits [`retry_delay_ms`] (or the
//!   server's `Retry-After`, whichever is longer) and is tried again.
//! - A refusal (`rejected`, `conflict`, `revoked`, `too_large`) stops that
//!   bundle, not the ones after it.
//! - What the district says it lacks (a restored backup, a lost file) goes
//!   back into the queue ([`resend_missing`]).

use serde::{Deserialize, Serialize};

use crate::sync::{retry_delay_ms, DeviceState, Outcome, QuarantinedRecord, Receipt};

/// Where one bundle stands.
// Externally tagged (`{"queued": {...}}`): an internally tagged enum's
// deserializer buffers every value first, which costs the app's wasm
// several kB.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Delivery {
    /// To be sent (again): not before `not_before_ms`, after `failures`
    /// failed attempts in a row; `last_error` is the stable code of the
    /// last one.
    Queued {
        failures: u32,
        not_before_ms: i64,
        last_error: Option<String>,
    },
    /// The district holds it (its receipt said `merged` or `pending`).
    Delivered {
        /// Pending approval of the device by an officer.
        pending: bool,
        /// When the district received it, milliseconds since 1970 UTC.
        received_ms: i64,
        /// The records the district quarantined.
        quarantined: Vec<QuarantinedRecord>,
        /// The receipt as received (JWS JSON), kept as proof.
        receipt: String,
    },
    /// The district refused it (`rejected`, `conflict`, `revoked`,
    /// `too_large`), with the refusal's code; sending it again would not
    /// change that.
    Refused {
        outcome: Outcome,
        code: Option<String>,
        /// The receipt as received; empty for a bundle the phone did not
        /// send because it is larger than the district's signed device
        /// state says the server takes ([`Attempt::OverLimit`]).
        receipt: String,
    },
}

/// What came back from one attempt to send a bundle.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Attempt {
    /// A receipt the core accepted (pinned key, this bundle), as received.
    Receipt { receipt: Receipt, text: String },
    /// No usable answer: the network failed, the request timed out, or the
    /// answer was not a receipt of the pinned district key (a captive
    /// portal's page, a proxy's error, another key). `code` says which
    /// (`network`, `timeout`, or a `document.*` code).
    Failed {
        code: String,
        /// The server's `Retry-After`, in milliseconds, if it sent one.
        retry_after_ms: Option<u64>,
    },
    /// Not sent: the bundle is larger than the district's signed device
    /// state says its server takes (`limits.max_bundle_bytes`). A server
    /// cannot name a bundle it did not read, so its 413 receipt names
    /// none; the phone decides from the district's own word instead.
    OverLimit,
}

/// Whether a bundle of `bytes` is larger than `state`'s server takes.
pub fn over_limit(bytes: usize, state: &DeviceState) -> bool {
    bytes as u64 > state.limits.max_bundle_bytes
}

impl Delivery {
    /// A bundle just made: to be sent now.
    pub fn new_queued(now_ms: i64) -> Delivery {
        Delivery::Queued {
            failures: 0,
            not_before_ms: now_ms,
            last_error: None,
        }
    }

    /// Whether the district holds the bundle.
    pub fn is_delivered(&self) -> bool {
        matches!(self, Delivery::Delivered { .. })
    }

    /// The state after `attempt` at `now_ms`; `jitter` in `[0, 1)` spreads
    /// the wait (see [`retry_delay_ms`]).
    pub fn after(&self, attempt: &Attempt, now_ms: i64, jitter: f64) -> Delivery {
        let failures = match self {
            Delivery::Queued { failures, .. } => *failures,
            _ => 0,
        };
        let retry = |failures: u32, code: String, at_least: Option<u64>| {
            let wait = retry_delay_ms(failures, jitter).max(at_least.unwrap_or(0));
            Delivery::Queued {
                failures,
                not_before_ms: now_ms.saturating_add(i64::try_from(wait).unwrap_or(i64::MAX)),
                last_error: Some(code),
            }
        };
        match attempt {
            Attempt::Failed {
                code,
                retry_after_ms,
            } => retry(failures.saturating_add(1), code.clone(), *retry_after_ms),
            Attempt::OverLimit => Delivery::Refused {
                outcome: Outcome::TooLarge,
                code: Some("server.too_large".into()),
                receipt: String::new(),
            },
            Attempt::Receipt { receipt, text } => match receipt.outcome {
                Outcome::Merged | Outcome::Pending => Delivery::Delivered {
                    pending: receipt.outcome == Outcome::Pending,
                    received_ms: receipt.received_at.millis(),
                    quarantined: receipt.quarantined.clone(),
                    receipt: text.clone(),
                },
                Outcome::RetryLater => retry(
                    failures.saturating_add(1),
                    receipt.code.clone().unwrap_or_else(|| "retry_later".into()),
                    None,
                ),
                Outcome::Conflict | Outcome::Rejected | Outcome::Revoked | Outcome::TooLarge => {
                    Delivery::Refused {
                        outcome: receipt.outcome,
                        code: receipt.code.clone(),
                        receipt: text.clone(),
                    }
                }
            },
        }
    }
}

/// The sequence to send next: the oldest queued bundle that may be sent at
/// `now_ms`, if any. `bundles` are (sequence, delivery), any order.
pub fn next_to_send(bundles: &[(u64, Delivery)], now_ms: i64) -> Option<u64> {
    bundles
        .iter()
        .filter(|(_, delivery)| {
            matches!(delivery, Delivery::Queued { not_before_ms, .. } if *not_before_ms <= now_ms)
        })
        .map(|(sequence, _)| *sequence)
        .min()
}

/// When the next queued bundle may be sent, if any is queued.
pub fn next_attempt_ms(bundles: &[(u64, Delivery)]) -> Option<i64> {
    bundles
        .iter()
        .filter_map(|(_, delivery)| match delivery {
            Delivery::Queued { not_before_ms, .. } => Some(*not_before_ms),
            _ => None,
        })
        .min()
}

/// Starts every queued bundle's wait again (the app starts, the network
/// came back): the backoff resets.
pub fn reset_backoff(bundles: &mut [(u64, Delivery)], now_ms: i64) {
    for (_, delivery) in bundles.iter_mut() {
        if let Delivery::Queued {
            failures,
            not_before_ms,
            ..
        } = delivery
        {
            *failures = 0;
            *not_before_ms = now_ms;
        }
    }
}

/// The bundles the district says it lacks although it once received them
/// (its register was restored from a backup, say): their sequences, which
/// go back into the queue. A delivered bundle is lacking when the device
/// state lists its sequence as missing or it is above `highest`.
pub fn resend_missing(
    bundles: &mut [(u64, Delivery)],
    state: &DeviceState,
    now_ms: i64,
) -> Vec<u64> {
    let lacks = |sequence: u64| {
        sequence > state.highest
            || state
                .missing
                .iter()
                .any(|[first, last]| (*first..=*last).contains(&sequence))
    };
    let mut again = Vec::new();
    for (sequence, delivery) in bundles.iter_mut() {
        if delivery.is_delivered() && lacks(*sequence) {
            *delivery = Delivery::new_queued(now_ms);
            again.push(*sequence);
        }
    }
    again.sort_unstable();
    again
}

/// What the agent is shown for a bundle (the Kirim data screen).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shown {
    /// Antre: waiting to be sent.
    Queued,
    /// Terkirim.
    Delivered,
    /// Menunggu persetujuan: the district holds it; an officer must approve
    /// the device.
    AwaitingApproval,
    /// Ditolak.
    Refused,
    /// Konflik: another bundle has its sequence.
    Conflict,
}

impl Delivery {
    /// What to show, given the device's status at the district if known
    /// (`approved` turns a pending delivery into a plain one).
    pub fn shown(&self, device_approved: bool) -> Shown {
        match self {
            Delivery::Queued { .. } => Shown::Queued,
            Delivery::Delivered { pending: true, .. } if !device_approved => {
                Shown::AwaitingApproval
            }
            Delivery::Delivered { .. } => Shown::Delivered,
            Delivery::Refused {
                outcome: Outcome::Conflict,
                ..
            } => Shown::Conflict,
            Delivery::Refused { .. } => Shown::Refused,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Timestamp;
    use crate::sync::{PackRef, ServerLimits, RECEIPT_FORMAT};

    const MINUTE: i64 = 60_000;

    fn receipt(outcome: Outcome, code: Option<&str>) -> Attempt {
        Attempt::Receipt {
            receipt: Receipt {
                format: RECEIPT_FORMAT.into(),
                format_version: 1,
                district_id: "61.07".into(),
                kid: Some("k".into()),
                sequence: Some(1),
                bundle_hash: Some("h".into()),
                outcome,
                code: code.map(str::to_owned),
                received_at: Timestamp::from_millis(5),
                quarantined: vec![],
            },
            text: "{jws}".into(),
        }
    }

    fn failed(code: &str, retry_after_ms: Option<u64>) -> Attempt {
        Attempt::Failed {
            code: code.into(),
            retry_after_ms,
        }
    }

    #[test]
    fn what_each_answer_does_to_a_bundle() {
        let fresh = Delivery::new_queued(0);
        let queued = |failures, not_before_ms, code: &str| Delivery::Queued {
            failures,
            not_before_ms,
            last_error: Some(code.into()),
        };
        let delivered = |pending| Delivery::Delivered {
            pending,
            received_ms: 5,
            quarantined: vec![],
            receipt: "{jws}".into(),
        };
        let refused = |outcome, code: &str| Delivery::Refused {
            outcome,
            code: Some(code.into()),
            receipt: "{jws}".into(),
        };
        let now = 1000 * MINUTE;
        let cases = [
            (
                "merged",
                &fresh,
                receipt(Outcome::Merged, None),
                delivered(false),
            ),
            (
                "pending",
                &fresh,
                receipt(Outcome::Pending, None),
                delivered(true),
            ),
            (
                "rejected",
                &fresh,
                receipt(Outcome::Rejected, Some("bundle.signature")),
                refused(Outcome::Rejected, "bundle.signature"),
            ),
            (
                "conflict",
                &fresh,
                receipt(Outcome::Conflict, Some("register.conflict")),
                refused(Outcome::Conflict, "register.conflict"),
            ),
            (
                "busy: a minute's wait, halved by no jitter",
                &fresh,
                receipt(Outcome::RetryLater, Some("server.busy")),
                queued(1, now + MINUTE / 2, "server.busy"),
            ),
            (
                "a captive portal's page",
                &fresh,
                failed("document.shape", None),
                queued(1, now + MINUTE / 2, "document.shape"),
            ),
            (
                "Retry-After longer than the backoff",
                &fresh,
                failed("server.rate", Some(5 * 60_000)),
                queued(1, now + 5 * MINUTE, "server.rate"),
            ),
            (
                "larger than the server takes",
                &queued(2, 0, "network"),
                Attempt::OverLimit,
                Delivery::Refused {
                    outcome: Outcome::TooLarge,
                    code: Some("server.too_large".into()),
                    receipt: String::new(),
                },
            ),
            (
                "the third failure waits two minutes",
                &queued(2, 0, "network"),
                failed("network", None),
                queued(3, now + 2 * MINUTE, "network"),
            ),
        ];
        for (what, before, attempt, after) in cases {
            assert_eq!(before.after(&attempt, now, 0.0), after, "{what}");
        }
    }

    #[test]
    fn oldest_first_and_refusals_do_not_block() {
        let refused = Delivery::Refused {
            outcome: Outcome::Rejected,
            code: None,
            receipt: String::new(),
        };
        let later = Delivery::Queued {
            failures: 3,
            not_before_ms: 50,
            last_error: None,
        };
        let mut bundles = vec![
            (4, Delivery::new_queued(0)),
            (2, refused.clone()),
            (3, later.clone()),
            (5, Delivery::new_queued(0)),
        ];
        assert_eq!(next_to_send(&bundles, 10), Some(4));
        assert_eq!(next_to_send(&bundles, 50), Some(3));
        assert_eq!(next_attempt_ms(&bundles), Some(0));
        bundles.retain(|(s, _)| *s != 4 && *s != 5);
        assert_eq!(next_to_send(&bundles, 10), None);
        assert_eq!(next_attempt_ms(&bundles), Some(50));
        reset_backoff(&mut bundles, 20);
        assert_eq!(next_to_send(&bundles, 20), Some(3));
        assert_eq!(bundles[0].1, refused);
    }

    #[test]
    fn what_the_district_lacks_is_sent_again() {
        let delivered = Delivery::Delivered {
            pending: false,
            received_ms: 1,
            quarantined: vec![],
            receipt: String::new(),
        };
        let mut bundles: Vec<(u64, Delivery)> = (1..=6).map(|s| (s, delivered.clone())).collect();
        bundles[5].1 = Delivery::new_queued(0);
        let state = DeviceState {
            format: crate::sync::DEVICE_STATE_FORMAT.into(),
            format_version: 1,
            district_id: "d".into(),
            kid: "k".into(),
            status: crate::sync::DeviceStatus::Approved,
            contiguous_through: 1,
            highest: 4,
            missing: vec![[2, 3]],
            limits: ServerLimits {
                max_bundle_bytes: 1,
            },
            server_time: Timestamp::from_millis(0),
            rule_pack: PackRef {
                id: "p".into(),
                version: "1".into(),
                digest: "d".into(),
            },
            quarantined: vec![],
            duplicates: vec![],
            standing: vec![],
        };
        // 2 and 3 are missing, 5 is above the highest; 6 was queued already.
        assert_eq!(resend_missing(&mut bundles, &state, 7), [2, 3, 5]);
        assert_eq!(next_to_send(&bundles, 7), Some(2));
        assert!(bundles[0].1.is_delivered() && bundles[3].1.is_delivered());
        // This server takes at most 1 byte.
        assert!(!over_limit(1, &state) && over_limit(2, &state));
    }

    #[test]
    fn what_the_agent_sees() {
        let pending = Delivery::Delivered {
            pending: true,
            received_ms: 1,
            quarantined: vec![],
            receipt: String::new(),
        };
        let conflict = Delivery::Refused {
            outcome: Outcome::Conflict,
            code: None,
            receipt: String::new(),
        };
        let revoked = Delivery::Refused {
            outcome: Outcome::Revoked,
            code: None,
            receipt: String::new(),
        };
        assert_eq!(Delivery::new_queued(0).shown(false), Shown::Queued);
        assert_eq!(pending.shown(false), Shown::AwaitingApproval);
        assert_eq!(pending.shown(true), Shown::Delivered);
        assert_eq!(conflict.shown(true), Shown::Conflict);
        assert_eq!(revoked.shown(true), Shown::Refused);
    }

    #[test]
    fn a_delivery_is_stored_as_json_named_by_its_state() {
        let queued = Delivery::new_queued(3);
        let text = serde_json::to_string(&queued).unwrap();
        assert_eq!(
            text,
            r#"{"queued":{"failures":0,"not_before_ms":3,"last_error":null}}"#
        );
        assert_eq!(serde_json::from_str::<Delivery>(&text).unwrap(), queued);
    }
}
