//! `district verify [--db FILE] FILE...`: checks bundles without changing
//! anything, one line per file (and one per record the district would
//! quarantine).
//!
//! Files are checked in the order given, each as `ingest` would take it after
//! the files before it, with the register's own judgement
//! ([`crate::judgement::decide`]): the signature and format, then against
//! the files before it that passed and, with a register (opened read-only),
//! the register's bundles: the same bundle again, the device's trust, a
//! conflict, both links of the chain. Then each record is judged as `ingest`
//! would (the register's rule pack; record ownership with a register).

use std::collections::HashMap;

use lindung_core::Timestamp;

use crate::judgement::{decide, missing_ranges, Decision, Link, Rejection, Source, Trust, View};
use crate::output::{missing_text, quarantine_lines};
use crate::register::{Quarantined, Register, RegisterError, StoredPack};

/// What `verify` found for one file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    Ok {
        kid: String,
        sequence: u64,
        records: usize,
        villages: usize,
        note: Note,
        /// Records `ingest` would quarantine (the rest would merge).
        quarantined: Vec<Quarantined>,
        /// What the district notes about the bundle's rule pack.
        pack_note: Option<&'static str>,
    },
    Fail(Rejection),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Note {
    /// A new bundle; with a register, the device's sequences still missing
    /// once it is merged, as runs (first, last).
    New { missing: Vec<(u64, u64)> },
    /// The register holds this very bundle.
    AlreadyIngested,
    /// This very bundle was given before, in the named file.
    SameAs(String),
}

/// A bundle given earlier on the command line that passed.
struct Given {
    file: String,
    link: Link,
}

/// Checks files one after the other, remembering those that passed.
pub struct Verifier<'r> {
    register: Option<&'r mut Register>,
    pack: StoredPack,
    now: Timestamp,
    given: HashMap<(String, u64), Given>,
    /// The register's sequences of each device seen so far, plus the given ones.
    sequences: HashMap<String, Vec<u64>>,
}

/// The files given before, over the register, as [`decide`] sees them.
struct Overlay<'a, 'r> {
    given: &'a HashMap<(String, u64), Given>,
    register: Option<&'a mut &'r mut Register>,
}

impl Overlay<'_, '_> {
    fn given(&self, kid: &str, sequence: u64) -> Option<(Link, Source)> {
        self.given
            .get(&(kid.to_owned(), sequence))
            .map(|g| (g.link.clone(), Source::File(g.file.clone())))
    }
}

impl View for Overlay<'_, '_> {
    type Error = RegisterError;

    fn trust(&mut self, kid: &str) -> Result<Trust, RegisterError> {
        let Some(register) = self.register.as_mut() else {
            return Ok(Trust::Unchecked);
        };
        Ok(Trust::of(register.agent_status(kid)?))
    }

    fn stored(
        &mut self,
        kid: &str,
        sequence: u64,
    ) -> Result<Option<(Link, Source)>, RegisterError> {
        self.link(kid, sequence, false)
    }

    fn merged(
        &mut self,
        kid: &str,
        sequence: u64,
    ) -> Result<Option<(Link, Source)>, RegisterError> {
        // A file given before would merge before this one.
        self.link(kid, sequence, true)
    }
}

impl Overlay<'_, '_> {
    /// Bundle `kid`/`sequence` among the files given, then in the register
    /// (with `merged`, merged ones only).
    fn link(
        &mut self,
        kid: &str,
        sequence: u64,
        merged: bool,
    ) -> Result<Option<(Link, Source)>, RegisterError> {
        if let Some(given) = self.given(kid, sequence) {
            return Ok(Some(given));
        }
        let Some(register) = self.register.as_mut() else {
            return Ok(None);
        };
        let link = if merged {
            register.merged_link(kid, sequence)?
        } else {
            register.stored_link(kid, sequence)?
        };
        Ok(link.map(|link| (link, Source::Register)))
    }
}

impl<'r> Verifier<'r> {
    /// Without a register, only the files are checked, against each other,
    /// and records against the built-in rule pack. `now` stands for the
    /// time `ingest` would receive them.
    pub fn new(
        register: Option<&'r mut Register>,
        now: Timestamp,
    ) -> Result<Verifier<'r>, RegisterError> {
        let mut register = register;
        let pack = match register.as_mut() {
            Some(register) => register.pack()?,
            None => StoredPack::builtin(),
        };
        Ok(Verifier {
            register,
            pack,
            now,
            given: HashMap::new(),
            sequences: HashMap::new(),
        })
    }

    /// Checks one file's bytes. An error is the register's, not the file's.
    pub fn check(&mut self, name: &str, bytes: &[u8]) -> Result<Verdict, RegisterError> {
        let bundle = match crate::es256::verify(bytes) {
            Ok(bundle) => bundle,
            Err(e) => return Ok(Verdict::Fail(Rejection::Bundle(e))),
        };
        let kid = bundle.kid.as_str();
        let payload = &bundle.payload;
        let sequence = payload.sequence;
        let ok = |note, quarantined, pack_note| Verdict::Ok {
            kid: kid.to_owned(),
            sequence,
            records: payload.records.len(),
            villages: payload.villages.len(),
            note,
            quarantined,
            pack_note,
        };
        let decision = {
            let mut overlay = Overlay {
                given: &self.given,
                register: self.register.as_mut(),
            };
            decide(&mut overlay, &bundle)?
        };
        match decision {
            Decision::AlreadyStored(Source::Register) => {
                return Ok(ok(Note::AlreadyIngested, Vec::new(), None))
            }
            Decision::AlreadyStored(Source::File(file)) => {
                return Ok(ok(Note::SameAs(file), Vec::new(), None))
            }
            Decision::Reject(rejection) => return Ok(Verdict::Fail(rejection)),
            Decision::Hold { known: false } => return Ok(Verdict::Fail(Rejection::UnknownDevice)),
            Decision::Hold { known: true } => return Ok(Verdict::Fail(Rejection::PendingDevice)),
            Decision::Merge => {}
        }
        let (quarantined, pack_note) = match self.register.as_mut() {
            Some(register) => register.preview(&bundle, self.now)?,
            None => (
                crate::register::preview_alone(&bundle, &self.pack, self.now),
                None,
            ),
        };
        self.given.insert(
            (kid.to_owned(), sequence),
            Given {
                file: name.to_owned(),
                link: Link {
                    hash: bundle.signing_input_hash.clone(),
                    previous: payload.previous.clone(),
                },
            },
        );
        let missing = match self.register.as_mut() {
            None => Vec::new(),
            Some(register) => {
                let sequences = match self.sequences.entry(kid.to_owned()) {
                    std::collections::hash_map::Entry::Occupied(entry) => entry.into_mut(),
                    std::collections::hash_map::Entry::Vacant(entry) => {
                        entry.insert(register.sequences(kid)?)
                    }
                };
                if let Err(at) = sequences.binary_search(&sequence) {
                    sequences.insert(at, sequence);
                }
                missing_ranges(sequences.iter().copied())
            }
        };
        Ok(ok(Note::New { missing }, quarantined, pack_note))
    }
}

/// The lines for one file, and whether it passed:
/// `ok FILE: kid K sequence N records N villages N[; note]`, then one
/// `quarantined FILE: record ...` line per record `ingest` would
/// quarantine; or `FAIL FILE: <code> (<reason>)`.
pub fn lines(name: &str, verdict: &Verdict) -> (bool, Vec<String>) {
    match verdict {
        Verdict::Ok {
            kid,
            sequence,
            records,
            villages,
            note,
            quarantined,
            pack_note,
        } => {
            let mut note = match note {
                Note::New { missing } if missing.is_empty() => String::new(),
                Note::New { missing } => format!("; missing {}", missing_text(missing)),
                Note::AlreadyIngested => "; already ingested".to_owned(),
                Note::SameAs(file) => format!("; same bundle as {file}"),
            };
            if !quarantined.is_empty() {
                note.push_str(&format!("; {} to quarantine", quarantined.len()));
            }
            if let Some(pack_note) = pack_note {
                note.push_str(&format!("; {pack_note}"));
            }
            let mut out = vec![format!(
                "ok {name}: kid {kid} sequence {sequence} records {records} \
                 villages {villages}{note}"
            )];
            out.extend(quarantine_lines(name, quarantined));
            (true, out)
        }
        Verdict::Fail(rejection) => (
            false,
            vec![format!("FAIL {name}: {} ({rejection})", rejection.code())],
        ),
    }
}

/// One file on its own, without a register: signature, format and records.
pub fn verify_lines(name: &str, bytes: &[u8], now: Timestamp) -> (bool, Vec<String>) {
    let verdict = Verifier::new(None, now).and_then(|mut v| v.check(name, bytes));
    match verdict {
        Ok(verdict) => lines(name, &verdict),
        // Without a register there is no register error.
        Err(error) => (false, vec![format!("FAIL {name}: register ({error})")]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOLDEN: &str = include_str!("../../core/tests/golden/bundle-v1.jws.json");

    fn now() -> Timestamp {
        lindung_core::bundle::parse_rfc3339("2026-12-01T00:00:00Z").unwrap()
    }

    #[test]
    fn lines_of_one_file() {
        let (ok, lines) = verify_lines("a.json", GOLDEN.as_bytes(), now());
        assert!(ok, "{lines:?}");
        assert!(lines[0].starts_with("ok a.json: kid "), "{lines:?}");
        let cases: [(&[u8], &str); 3] = [
            (b"", "FAIL b.json: bundle.json"),
            (b"{}", "FAIL b.json: bundle.member_missing"),
            (b"not json", "FAIL b.json: bundle.json"),
        ];
        for (bytes, prefix) in cases {
            let (ok, lines) = verify_lines("b.json", bytes, now());
            assert!(!ok);
            assert!(lines[0].starts_with(prefix), "{lines:?}");
        }
    }

    #[test]
    fn the_same_file_twice_is_the_same_bundle() {
        let mut verifier = Verifier::new(None, now()).unwrap();
        let first = verifier.check("a.json", GOLDEN.as_bytes()).unwrap();
        let second = verifier.check("b.json", GOLDEN.as_bytes()).unwrap();
        assert!(matches!(
            first,
            Verdict::Ok {
                note: Note::New { .. },
                ..
            }
        ));
        assert!(
            lines("b.json", &second).1[0].ends_with("; same bundle as a.json"),
            "{second:?}"
        );
    }
}
