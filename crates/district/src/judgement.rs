//! One judgement of a verified bundle against the register, in one order,
//! for `verify --db`, `ingest` and the server alike ([`decide`]).
//!
//! The order (pinned by a table test):
//! 1. a sequence the register cannot store: `register.sequence_range`;
//! 2. the very same bundle already stored (same kid, sequence and signing
//!    input hash): already ingested, whatever the device's status, so a
//!    device re-sending what arrived learns that it arrived;
//! 3. a revoked device: `register.revoked`;
//! 4. another bundle with the same kid and sequence: `register.conflict`;
//! 5. an unknown or pending device: stored until `agents approve`
//!    (`verify --db` answers `register.unknown_device` or
//!    `register.pending_device`);
//! 6. the chain against the merged neighbours, both ways: `register.chain`;
//! 7. otherwise the bundle merges (its records are then judged one by one,
//!    `lindung_core::judge`).

use std::fmt;

use lindung_core::bundle::{BundleError, VerifiedBundle};

/// What the chain needs of a stored bundle.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    /// Its signing input hash.
    pub hash: String,
    pub previous: Option<String>,
}

/// Which link of the chain a bundle breaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChainSide {
    /// Its `previous` is not the hash of the bundle before it.
    Previous,
    /// The bundle after it does not carry its hash as `previous`.
    Next,
}

/// Where the other bundle of a conflict or a broken chain is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    Register,
    /// A file given earlier on the same command line (`verify`).
    File(String),
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Register => f.write_str("in the register"),
            Source::File(name) => write!(f, "in {name}"),
        }
    }
}

/// Why a bundle was refused. Nothing was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Rejection {
    /// The file is not a valid bundle (format, signature, ...).
    Bundle(BundleError),
    Revoked,
    /// The key is not in the register (`verify --db` only: `ingest` stores
    /// such a bundle as pending).
    UnknownDevice,
    /// The key waits for `agents approve` (`verify --db` only).
    PendingDevice,
    /// Another bundle with the same kid and sequence is known.
    Conflict(Source),
    /// The bundle does not link with its neighbour `sequence`.
    BrokenChain {
        side: ChainSide,
        sequence: u64,
        source: Source,
    },
    /// A sequence too large to store.
    SequenceRange,
}

impl Rejection {
    pub fn code(&self) -> &'static str {
        match self {
            Rejection::Bundle(e) => e.code(),
            Rejection::Revoked => "register.revoked",
            Rejection::UnknownDevice => "register.unknown_device",
            Rejection::PendingDevice => "register.pending_device",
            Rejection::Conflict(_) => "register.conflict",
            Rejection::BrokenChain { .. } => "register.chain",
            Rejection::SequenceRange => "register.sequence_range",
        }
    }
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rejection::Bundle(e) => write!(f, "{e}"),
            Rejection::Revoked => f.write_str("the device key is revoked"),
            Rejection::UnknownDevice => f.write_str(
                "the device key is not enrolled in the register (`agents add`, or \
                 `ingest` then `agents approve`)",
            ),
            Rejection::PendingDevice => {
                f.write_str("the device key is waiting for approval (`agents approve`)")
            }
            Rejection::Conflict(Source::Register) => f.write_str(
                "a different bundle with this kid and sequence is already in the register",
            ),
            Rejection::Conflict(source) => write!(
                f,
                "a different bundle with this kid and sequence is {source}"
            ),
            Rejection::BrokenChain {
                side: ChainSide::Previous,
                sequence,
                source,
            } => write!(
                f,
                "previous does not match the bundle before it (sequence {sequence}, {source})"
            ),
            Rejection::BrokenChain {
                side: ChainSide::Next,
                sequence,
                source,
            } => write!(
                f,
                "the bundle after it (sequence {sequence}, {source}) does not point at this bundle"
            ),
            Rejection::SequenceRange => f.write_str("sequence is too large"),
        }
    }
}

/// How far the register trusts a device key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trust {
    Approved,
    Pending,
    Unknown,
    Revoked,
    /// No register to ask (`verify` without `--db`): the files are checked
    /// against each other only.
    Unchecked,
}

impl Trust {
    /// The trust of a device with this status in the register (`None`: not
    /// in it).
    pub fn of(status: Option<crate::register::AgentStatus>) -> Trust {
        use crate::register::AgentStatus;
        match status {
            None => Trust::Unknown,
            Some(AgentStatus::Pending) => Trust::Pending,
            Some(AgentStatus::Approved) => Trust::Approved,
            Some(AgentStatus::Revoked) => Trust::Revoked,
        }
    }
}

/// What the register would do with a bundle.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    /// The very same bundle is stored; nothing changes.
    AlreadyStored(Source),
    Reject(Rejection),
    /// Store it until the device is approved; `known`: the device is
    /// already in the register as pending.
    Hold {
        known: bool,
    },
    Merge,
}

/// What [`decide`] needs to know of the register (and, for `verify`, of
/// the files given before).
pub trait View {
    type Error;
    fn trust(&mut self, kid: &str) -> Result<Trust, Self::Error>;
    /// The stored bundle `kid`/`sequence`, merged or pending.
    fn stored(&mut self, kid: &str, sequence: u64) -> Result<Option<(Link, Source)>, Self::Error>;
    /// The merged bundle `kid`/`sequence` (the chain is checked against
    /// these only: pending ones are checked when they merge).
    fn merged(&mut self, kid: &str, sequence: u64) -> Result<Option<(Link, Source)>, Self::Error>;
}

/// The judgement of `bundle` against `view`, in the order of this module's
/// documentation.
pub fn decide<V: View>(view: &mut V, bundle: &VerifiedBundle) -> Result<Decision, V::Error> {
    let kid = bundle.kid.as_str();
    let sequence = bundle.payload.sequence;
    if i64::try_from(sequence).is_err() {
        return Ok(Decision::Reject(Rejection::SequenceRange));
    }
    let stored = view.stored(kid, sequence)?;
    if let Some((link, source)) = &stored {
        if link.hash == bundle.signing_input_hash {
            return Ok(Decision::AlreadyStored(source.clone()));
        }
    }
    let trust = view.trust(kid)?;
    if trust == Trust::Revoked {
        return Ok(Decision::Reject(Rejection::Revoked));
    }
    if let Some((_, source)) = stored {
        return Ok(Decision::Reject(Rejection::Conflict(source)));
    }
    match trust {
        Trust::Unknown => return Ok(Decision::Hold { known: false }),
        Trust::Pending => return Ok(Decision::Hold { known: true }),
        Trust::Approved | Trust::Unchecked | Trust::Revoked => {}
    }
    let broken = chain_break(
        sequence,
        &bundle.signing_input_hash,
        bundle.payload.previous.as_deref(),
        |s| view.merged(kid, s),
    )?;
    Ok(match broken {
        Some(rejection) => Decision::Reject(rejection),
        None => Decision::Merge,
    })
}

/// Checks both links of bundle `sequence` (with `hash` and `previous`)
/// against its neighbours, where `at` finds a neighbour and where it is:
/// `previous` must be the hash of the bundle before it, and the bundle after
/// it must carry its hash. A missing neighbour is no break (it is a gap).
pub fn chain_break<E>(
    sequence: u64,
    hash: &str,
    previous: Option<&str>,
    mut at: impl FnMut(u64) -> Result<Option<(Link, Source)>, E>,
) -> Result<Option<Rejection>, E> {
    if sequence > 1 {
        if let Some((before, source)) = at(sequence - 1)? {
            if previous != Some(before.hash.as_str()) {
                return Ok(Some(Rejection::BrokenChain {
                    side: ChainSide::Previous,
                    sequence: sequence - 1,
                    source,
                }));
            }
        }
    }
    if let Some(next) = sequence.checked_add(1) {
        if let Some((after, source)) = at(next)? {
            if after.previous.as_deref() != Some(hash) {
                return Ok(Some(Rejection::BrokenChain {
                    side: ChainSide::Next,
                    sequence: next,
                    source,
                }));
            }
        }
    }
    Ok(None)
}

/// The runs of sequences from 1 to the highest of `sequences` that are not
/// among them, as (first, last). `sequences` must be ascending.
pub fn missing_ranges(sequences: impl IntoIterator<Item = u64>) -> Vec<(u64, u64)> {
    let mut runs = Vec::new();
    let mut expected = 1_u64;
    for sequence in sequences {
        if sequence > expected {
            runs.push((expected, sequence - 1));
        }
        expected = expected.max(sequence.saturating_add(1));
    }
    runs
}

/// Runs of sequences for people and scripts: `2,4..6`; `-` for none.
pub fn ranges_text(runs: &[(u64, u64)]) -> String {
    if runs.is_empty() {
        return "-".to_owned();
    }
    let parts: Vec<String> = runs
        .iter()
        .map(|&(first, last)| {
            if first == last {
                first.to_string()
            } else {
                format!("{first}..{last}")
            }
        })
        .collect();
    parts.join(",")
}

/// How many sequences `runs` hold.
pub fn ranges_count(runs: &[(u64, u64)]) -> u64 {
    runs.iter().map(|&(first, last)| last - first + 1).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    /// A register of stored bundles (sequence → hash, previous, merged).
    struct Fake {
        trust: Trust,
        bundles: HashMap<u64, (Link, bool)>,
    }

    impl View for Fake {
        type Error = ();
        fn trust(&mut self, _: &str) -> Result<Trust, ()> {
            Ok(self.trust)
        }
        fn stored(&mut self, _: &str, s: u64) -> Result<Option<(Link, Source)>, ()> {
            Ok(self
                .bundles
                .get(&s)
                .map(|(link, _)| (link.clone(), Source::Register)))
        }
        fn merged(&mut self, _: &str, s: u64) -> Result<Option<(Link, Source)>, ()> {
            Ok(self
                .bundles
                .get(&s)
                .filter(|(_, merged)| *merged)
                .map(|(link, _)| (link.clone(), Source::Register)))
        }
    }

    fn link(hash: &str, previous: Option<&str>) -> Link {
        Link {
            hash: hash.to_owned(),
            previous: previous.map(str::to_owned),
        }
    }

    /// The order of the checks, one row per (device status, what is stored
    /// at this sequence, the neighbours): the first check that applies wins.
    #[test]
    fn the_order_of_the_checks_is_pinned() {
        let bundle = |sequence: u64, hash: &str, previous: Option<&str>| {
            let mut b = crate::tests_support::verified();
            b.payload.sequence = sequence;
            b.payload.previous = previous.map(str::to_owned);
            b.signing_input_hash = hash.to_owned();
            b
        };
        // (trust, stored (seq, hash, previous, merged), bundle, expected)
        type Row<'a> = (
            Trust,
            &'a [(u64, &'a str, Option<&'a str>, bool)],
            (u64, &'a str, Option<&'a str>),
            &'a str,
        );
        let rows: &[Row] = &[
            (Trust::Approved, &[], (1, "h1", None), "merge"),
            (Trust::Unchecked, &[], (1, "h1", None), "merge"),
            // The same bundle again: already, whatever the device's status.
            (
                Trust::Approved,
                &[(1, "h1", None, true)],
                (1, "h1", None),
                "already",
            ),
            (
                Trust::Revoked,
                &[(1, "h1", None, true)],
                (1, "h1", None),
                "already",
            ),
            (
                Trust::Pending,
                &[(1, "h1", None, false)],
                (1, "h1", None),
                "already",
            ),
            // Revoked comes before a conflict and before anything new.
            (
                Trust::Revoked,
                &[(1, "h1", None, true)],
                (1, "hX", None),
                "register.revoked",
            ),
            (Trust::Revoked, &[], (1, "h1", None), "register.revoked"),
            (
                Trust::Approved,
                &[(1, "h1", None, true)],
                (1, "hX", None),
                "register.conflict",
            ),
            (
                Trust::Pending,
                &[(1, "h1", None, false)],
                (1, "hX", None),
                "register.conflict",
            ),
            // Unknown and pending devices are held before the chain is looked at.
            (
                Trust::Unknown,
                &[(1, "h1", None, true)],
                (2, "h2", Some("hX")),
                "hold new",
            ),
            (Trust::Pending, &[], (2, "h2", Some("hX")), "hold known"),
            // The chain, both ways, against merged neighbours only.
            (
                Trust::Approved,
                &[(1, "h1", None, true)],
                (2, "h2", Some("hX")),
                "register.chain",
            ),
            (
                Trust::Approved,
                &[(3, "h3", Some("hY"), true)],
                (2, "h2", Some("h1")),
                "register.chain",
            ),
            (
                Trust::Approved,
                &[(1, "h1", None, false)],
                (2, "h2", Some("hX")),
                "merge",
            ),
            (
                Trust::Approved,
                &[(1, "h1", None, true), (3, "h3", Some("h2"), true)],
                (2, "h2", Some("h1")),
                "merge",
            ),
            (
                Trust::Approved,
                &[],
                (u64::MAX, "h", Some("h0")),
                "register.sequence_range",
            ),
        ];
        for (i, (trust, stored, (sequence, hash, previous), expected)) in rows.iter().enumerate() {
            let mut view = Fake {
                trust: *trust,
                bundles: stored
                    .iter()
                    .map(|&(s, h, p, merged)| (s, (link(h, p), merged)))
                    .collect(),
            };
            let got = match decide(&mut view, &bundle(*sequence, hash, *previous)).unwrap() {
                Decision::Merge => "merge".to_owned(),
                Decision::AlreadyStored(_) => "already".to_owned(),
                Decision::Hold { known: false } => "hold new".to_owned(),
                Decision::Hold { known: true } => "hold known".to_owned(),
                Decision::Reject(rejection) => rejection.code().to_owned(),
            };
            assert_eq!(got, *expected, "row {i}");
        }
    }

    #[test]
    fn missing_sequences_are_the_holes_up_to_the_highest() {
        // Sequences stored; the runs missing; as text.
        type Case<'a> = (&'a [u64], &'a [(u64, u64)], &'a str);
        let cases: &[Case] = &[
            (&[], &[], "-"),
            (&[1], &[], "-"),
            (&[1, 2, 3], &[], "-"),
            (&[2], &[(1, 1)], "1"),
            (&[1, 3], &[(2, 2)], "2"),
            (&[1, 5], &[(2, 4)], "2..4"),
            // 2..4 missing, then 3 arrives: 2 and 4 are still missing.
            (&[1, 3, 5], &[(2, 2), (4, 4)], "2,4"),
            (
                &[4, 7, 8, 12],
                &[(1, 3), (5, 6), (9, 11)],
                "1..3,5..6,9..11",
            ),
            // Repeats are harmless.
            (&[1, 1, 3, 3], &[(2, 2)], "2"),
        ];
        for (sequences, runs, text) in cases {
            let got = missing_ranges(sequences.iter().copied());
            assert_eq!(got, *runs, "{sequences:?}");
            assert_eq!(ranges_text(&got), *text, "{sequences:?}");
        }
    }

    #[test]
    fn chain_links_are_checked_both_ways() {
        // Known bundles: 1 (hash h1), 3 (h3, previous h2).
        let known = |s: u64| -> Result<Option<(Link, Source)>, ()> {
            Ok(match s {
                1 => Some((link("h1", None), Source::Register)),
                3 => Some((link("h3", Some("h2")), Source::File("3.json".into()))),
                _ => None,
            })
        };
        let cases: &[(u64, &str, Option<&str>, &str)] = &[
            (2, "h2", Some("h1"), "ok"),
            (
                2,
                "h2",
                Some("hX"),
                "register.chain: previous does not match the bundle before it \
                 (sequence 1, in the register)",
            ),
            (
                2,
                "hY",
                Some("h1"),
                "register.chain: the bundle after it (sequence 3, in 3.json) does not \
                 point at this bundle",
            ),
            // Neighbours that are not known are gaps, not breaks.
            (5, "h5", Some("h4"), "ok"),
            (1, "h1", None, "ok"),
            (u64::MAX, "hZ", Some("h"), "ok"),
        ];
        for (sequence, hash, previous, expected) in cases {
            let got = match chain_break(*sequence, hash, *previous, known).unwrap() {
                None => "ok".to_owned(),
                Some(rejection) => format!("{}: {rejection}", rejection.code()),
            };
            assert_eq!(got, *expected, "sequence {sequence}");
        }
    }
}
