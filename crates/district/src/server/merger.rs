//! Group commit for uploads: bundles that arrive while the register is busy
//! merge together in one transaction, a savepoint each
//! ([`Register::ingest_group`]), so one durable commit answers many phones.
//!
//! Invariants:
//! - A bundle's answer is made only after the commit that stored it.
//! - A register error in a group takes the group again one bundle per
//!   transaction: one bundle's error never fails another's upload.
//! - Every queued bundle gets exactly one answer, also when no register
//!   connection can be had.

use std::sync::{Arc, Mutex, MutexGuard};

use lindung_core::Timestamp;
use tokio::sync::oneshot;

use super::pool::Pool;
use crate::register::{Checked, IngestOutcome, Register, RegisterError, StoredReceipt};

/// Bundles merged in one transaction at most.
const GROUP: usize = 32;

/// What became of one upload: its outcome and what the register stored of
/// it (for the receipt), or the register's error as text.
pub type Answer = Result<(IngestOutcome, Option<StoredReceipt>), String>;

struct Job {
    checked: Checked,
    received_at: Timestamp,
    answer: oneshot::Sender<Answer>,
}

/// Uploads waiting for the register.
#[derive(Default)]
pub struct Merger {
    queue: Mutex<Vec<Job>>,
}

impl Merger {
    fn queue(&self) -> MutexGuard<'_, Vec<Job>> {
        self.queue.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Merges `checked`, received at `received_at`, with whatever other
    /// uploads are waiting when a register connection is free.
    pub async fn merge(
        self: &Arc<Self>,
        pool: &Arc<Pool>,
        checked: Checked,
        received_at: Timestamp,
    ) -> Answer {
        let (answer, answered) = oneshot::channel();
        self.queue().push(Job {
            checked,
            received_at,
            answer,
        });
        // Whoever gets a connection first merges what is queued then: this
        // upload, or later ones too, or none (another took this one).
        let merger = Arc::clone(self);
        if let Err(error) = pool.run(move |register| merger.drain(register)).await {
            // No connection: nobody else will merge what waits now either.
            let message = error.to_string();
            for job in std::mem::take(&mut *self.queue()) {
                let _ = job.answer.send(Err(message.clone()));
            }
        }
        answered
            .await
            .unwrap_or_else(|_| Err("the merge stopped before it answered".into()))
    }

    /// Merges up to [`GROUP`] queued uploads and answers each. An error
    /// is returned (so the pool drops the connection) only after every
    /// taken upload was answered.
    fn drain(&self, register: &mut Register) -> Result<(), RegisterError> {
        let jobs: Vec<Job> = {
            let mut queue = self.queue();
            let taken = queue.len().min(GROUP);
            queue.drain(..taken).collect()
        };
        if jobs.is_empty() {
            return Ok(());
        }
        let group: Vec<_> = jobs.iter().map(|j| (&j.checked, j.received_at)).collect();
        let outcomes = register.ingest_group(&group);
        drop(group);
        let mut failure = None;
        match outcomes {
            Ok(outcomes) => {
                for (job, outcome) in jobs.into_iter().zip(outcomes) {
                    let answer = with_receipt(register, outcome);
                    answer_with(job, answer, &mut failure);
                }
            }
            // Each alone, as if there were no group.
            Err(_) => {
                for job in jobs {
                    let answer = register
                        .ingest_checked(&job.checked, job.received_at)
                        .and_then(|outcome| with_receipt(register, outcome));
                    answer_with(job, answer, &mut failure);
                }
            }
        }
        failure.map_or(Ok(()), Err)
    }
}

/// The outcome with what the register stored of its bundle.
fn with_receipt(
    register: &mut Register,
    outcome: IngestOutcome,
) -> Result<(IngestOutcome, Option<StoredReceipt>), RegisterError> {
    let stored = match &outcome {
        IngestOutcome::Rejected(_) => None,
        IngestOutcome::Merged { kid, sequence, .. }
        | IngestOutcome::AlreadyIngested { kid, sequence }
        | IngestOutcome::Pending { kid, sequence } => register.stored_receipt(kid, *sequence)?,
    };
    Ok((outcome, stored))
}

fn answer_with(
    job: Job,
    answer: Result<(IngestOutcome, Option<StoredReceipt>), RegisterError>,
    failure: &mut Option<RegisterError>,
) {
    let answer = answer.map_err(|error| {
        let message = error.to_string();
        failure.get_or_insert(error);
        message
    });
    // The upload's request may be gone (the phone hung up): nothing to do.
    let _ = job.answer.send(answer);
}
