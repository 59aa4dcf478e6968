//! `district ingest`: many bundle files into the register, verified and
//! judged ahead on several threads while the register merges them in order,
//! several per transaction.

use std::collections::HashMap;
use std::fs;
use std::io;
use std::path::PathBuf;

use lindung_core::bundle::VerifiedBundle;
use lindung_core::judge::TimeWindow;
use lindung_core::Timestamp;

use crate::judgement::Rejection;
use crate::register::{Checked, IngestOutcome, Register, RegisterError};

/// Threads verifying bundles for `ingest`: one per core, at least two (on
/// two cores, the register's thread leaves room for both) and at most eight.
fn verifiers() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get().clamp(2, 8))
}

/// Verified bundles each verifier may hold ready for the register: enough
/// that the register's thread rarely waits.
const AHEAD: usize = 16;

/// Bundles merged in one transaction at most, each in a savepoint of its
/// own: one commit for many bundles, of the files verified by the time the
/// register is free. A bigger group saves little more. A register error
/// undoes the group, which then goes again one transaction per bundle.
const GROUP: usize = 32;

/// Bytes of bundle files read and not yet written and freed, for `ingest`:
/// verifiers running ahead wait while this would pass its limit (a parsed
/// bundle takes about three times its file's size). The file the register
/// needs next always goes, so waiting never blocks the register.
struct InFlight {
    limit: u64,
    state: std::sync::Mutex<InFlightState>,
    changed: std::sync::Condvar,
}

#[derive(Default)]
struct InFlightState {
    bytes: u64,
    /// The index of the file the register waits for.
    next: usize,
    closed: bool,
}

impl InFlight {
    fn new(limit: u64) -> InFlight {
        InFlight {
            limit,
            state: std::sync::Mutex::default(),
            changed: std::sync::Condvar::new(),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, InFlightState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Waits for room for file `index` of `size` bytes and takes it;
    /// `false` once closed.
    fn take(&self, index: usize, size: u64) -> bool {
        let mut state = self.state();
        while !state.closed && index != state.next && state.bytes + size > self.limit {
            state = self.changed.wait(state).unwrap_or_else(|e| e.into_inner());
        }
        state.bytes += size;
        !state.closed
    }

    fn give(&self, size: u64) {
        let mut state = self.state();
        state.bytes = state.bytes.saturating_sub(size);
        self.changed.notify_all();
    }

    /// The register now waits for file `index`.
    fn next(&self, index: usize) {
        self.state().next = index;
        self.changed.notify_all();
    }

    /// Closes when dropped: waiting verifiers give up.
    fn closer(&self) -> impl Drop + '_ {
        struct Closer<'a>(&'a InFlight);
        impl Drop for Closer<'_> {
            fn drop(&mut self) {
                self.0.state().closed = true;
                self.0.changed.notify_all();
            }
        }
        Closer(self)
    }
}

/// What became of one file given to [`ingest_files`].
pub enum FileOutcome {
    Ingested(IngestOutcome),
    Unreadable(io::Error),
}

/// Why [`ingest_files`] stopped before the last file.
#[derive(Debug)]
pub enum PipelineError<E> {
    Register(RegisterError),
    /// The caller's `each` failed (its output closed, ...).
    Caller(E),
}

impl<E> From<RegisterError> for PipelineError<E> {
    fn from(error: RegisterError) -> Self {
        PipelineError::Register(error)
    }
}

/// Ingests `files` in the order given, calling `each` with each file's name
/// and outcome as soon as it is known; `received_at` is read when a file
/// reaches the register. Files are read, verified and their records judged
/// ahead on [`verifiers`] other threads (file `i` on thread `i %
/// verifiers()`), a few ahead, while the register merges the ones before.
/// The register takes them in order, as many as are ready (up to [`GROUP`])
/// in one transaction, a savepoint each, and hands each to yet another
/// thread to be freed: its thread is the one that cannot be split, so it
/// does nothing else. A register error stops the run at the file that
/// caused it, the files before it merged; a bad file never stops it.
pub fn ingest_files<E>(
    register: &mut Register,
    files: &[PathBuf],
    received_at: &dyn Fn() -> Timestamp,
    mut each: impl FnMut(&str, FileOutcome) -> Result<(), E>,
) -> Result<(), PipelineError<E>> {
    let in_flight = InFlight::new(64 << 20);
    // Records are judged ahead on the verifiers' threads with the pack and
    // time of now; the register judges again any record whose pack or date
    // turns out different.
    let pack = &register.pack()?;
    let now = received_at();
    let first_files = std::sync::Mutex::new(HashMap::new());
    let first_files = &first_files;
    // A device's bundle after another of its bundles in this run will most
    // likely have that one's arrival, about now, as its floor; its first
    // one, a floor from before the run.
    let guess = move |index: usize, bundle: &VerifiedBundle| {
        let mut first = first_files.lock().unwrap_or_else(|e| e.into_inner());
        let first = first.entry(bundle.kid.clone()).or_insert(index);
        let after_another = *first < index;
        *first = (*first).min(index);
        if after_another {
            TimeWindow {
                floor: now,
                received_at: now,
            }
        } else {
            TimeWindow::until(now)
        }
    };
    std::thread::scope(|scope| -> Result<(), PipelineError<E>> {
        // However the register's loop ends, verifiers waiting for room stop.
        let _closing = in_flight.closer();
        let in_flight = &in_flight;
        let threads = verifiers();
        let receivers: Vec<_> = (0..threads)
            .map(|first| {
                let (sender, receiver) = std::sync::mpsc::sync_channel(AHEAD);
                scope.spawn(move || {
                    for (index, path) in files.iter().enumerate().skip(first).step_by(threads) {
                        let name = path.display().to_string();
                        let size = fs::metadata(path).map_or(0, |m| m.len());
                        if !in_flight.take(index, size) {
                            break;
                        }
                        let item = fs::read(path).map(|bytes| {
                            Checked::verify_and_judge(bytes, pack, |b| guess(index, b))
                        });
                        // A closed channel: the register stopped on an error.
                        if sender.send((name, size, item)).is_err() {
                            break;
                        }
                    }
                });
                receiver
            })
            .collect();
        let (dropper, to_drop) = std::sync::mpsc::channel::<(Checked, u64)>();
        scope.spawn(move || {
            for (checked, size) in to_drop {
                drop(checked);
                in_flight.give(size);
            }
        });
        let mut next = 0;
        while next < files.len() {
            // The next file, waited for, then those after it already
            // verified, up to GROUP bundles: one transaction for them all.
            let mut group = Vec::new();
            let mut bundles = 0;
            while next < files.len() && bundles < GROUP {
                in_flight.next(next);
                let receiver = &receivers[next % threads];
                // Each verifier sends all of its files unless the register stops.
                let item = if group.is_empty() {
                    receiver.recv().ok()
                } else {
                    receiver.try_recv().ok()
                };
                let Some(item) = item else {
                    break;
                };
                if matches!(item, (_, _, Ok(Ok(_)))) {
                    bundles += 1;
                }
                group.push(item);
                next += 1;
            }
            if group.is_empty() {
                break;
            }
            let verified: Vec<_> = group
                .iter()
                .filter_map(|(_, _, item)| match item {
                    Ok(Ok(checked)) => Some((checked, received_at())),
                    _ => None,
                })
                .collect();
            let outcomes = if verified.is_empty() {
                Ok(Vec::new())
            } else {
                register.ingest_group(&verified)
            };
            let mut outcomes = match outcomes {
                Ok(outcomes) => outcomes.into_iter().map(Ok).collect(),
                // Again one transaction per bundle, as without groups: the
                // bundles before the failing one merge, and the error
                // comes at the file that caused it.
                Err(_) if verified.len() > 1 => {
                    let mut outcomes = Vec::new();
                    for (checked, at) in &verified {
                        let outcome = register.ingest_checked(checked, *at);
                        let failed = outcome.is_err();
                        outcomes.push(outcome);
                        if failed {
                            break;
                        }
                    }
                    outcomes
                }
                Err(error) => vec![Err(error)],
            }
            .into_iter();
            drop(verified);
            for (name, size, item) in group {
                let outcome = match item {
                    Ok(Ok(checked)) => {
                        // Freeing a bundle's parsed records (thousands of
                        // small allocations) is left to another thread too.
                        let _ = dropper.send((checked, size));
                        let outcome = outcomes
                            .next()
                            .expect("one outcome per bundle until the first error");
                        FileOutcome::Ingested(outcome?)
                    }
                    Ok(Err(e)) => {
                        in_flight.give(size);
                        FileOutcome::Ingested(IngestOutcome::Rejected(Rejection::Bundle(e)))
                    }
                    Err(error) => {
                        in_flight.give(size);
                        FileOutcome::Unreadable(error)
                    }
                };
                each(&name, outcome).map_err(PipelineError::Caller)?;
            }
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::InFlight;
    use std::sync::mpsc;
    use std::time::Duration;

    #[test]
    fn in_flight_waits_for_room_but_never_for_the_next_file() {
        let in_flight = InFlight::new(100);
        // The next file goes whatever its size.
        assert!(in_flight.take(0, 250));
        let in_flight = &in_flight;
        std::thread::scope(|scope| {
            let (done, finished) = mpsc::channel();
            let waiting = done.clone();
            scope.spawn(move || {
                let taken = in_flight.take(1, 10);
                done.send(("file 1", taken)).unwrap();
            });
            // No room for file 1 while file 0 is in flight.
            assert!(finished.recv_timeout(Duration::from_millis(100)).is_err());
            // The register moves on to file 1: it goes.
            in_flight.next(1);
            assert_eq!(
                finished.recv_timeout(Duration::from_secs(10)).unwrap(),
                ("file 1", true)
            );
            in_flight.give(250);
            // Room again: file 2 goes before it is next.
            assert!(in_flight.take(2, 80));
            scope.spawn(move || {
                let taken = in_flight.take(3, 50);
                waiting.send(("file 3", taken)).unwrap();
            });
            assert!(finished.recv_timeout(Duration::from_millis(100)).is_err());
            // The register stops: the waiting verifier gives up.
            drop(in_flight.closer());
            assert_eq!(
                finished.recv_timeout(Duration::from_secs(10)).unwrap(),
                ("file 3", false)
            );
        });
    }
}
