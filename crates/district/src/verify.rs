//! `district verify [--db FILE] FILE...`: checks bundles without changing
//! anything, one line per file.
//!
//! Files are checked in the order given, each as `ingest` would take it after
//! the files before it: the signature and format (the core's
//! `verify_bundle`), then, against the files before it that passed, the same
//! kid and sequence (the same bundle again, or a conflict) and both links of
//! the chain. With a register (opened read-only) the device must be approved,
//! the register's bundles count as well (already ingested, conflict, chain),
//! and the device's missing sequences are named.

use std::collections::HashMap;

use crate::register::{
    chain_break, missing_ranges, missing_text, AgentStatus, Link, Register, RegisterError,
    Rejection, Source,
};

/// What `verify` found for one file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    Ok {
        kid: String,
        sequence: u64,
        records: usize,
        villages: usize,
        note: Note,
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
    register: Option<&'r Register>,
    given: HashMap<(String, u64), Given>,
    /// The register's sequences of each device seen so far, plus the given ones.
    sequences: HashMap<String, Vec<u64>>,
}

impl<'r> Verifier<'r> {
    /// Without a register, only the files are checked, against each other.
    pub fn new(register: Option<&'r Register>) -> Verifier<'r> {
        Verifier {
            register,
            given: HashMap::new(),
            sequences: HashMap::new(),
        }
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
        let ok = |note| Verdict::Ok {
            kid: kid.to_owned(),
            sequence,
            records: payload.records.len(),
            villages: payload.villages.len(),
            note,
        };
        if i64::try_from(sequence).is_err() {
            return Ok(Verdict::Fail(Rejection::SequenceRange));
        }
        if let Some(register) = self.register {
            let refused = match register.agent_status(kid)? {
                None => Some(Rejection::UnknownDevice),
                Some(AgentStatus::Pending) => Some(Rejection::PendingDevice),
                Some(AgentStatus::Revoked) => Some(Rejection::Revoked),
                Some(AgentStatus::Approved) => None,
            };
            if let Some(rejection) = refused {
                return Ok(Verdict::Fail(rejection));
            }
            if let Some(stored) = register.stored_link(kid, sequence)? {
                return Ok(if stored.hash == bundle.signing_input_hash {
                    ok(Note::AlreadyIngested)
                } else {
                    Verdict::Fail(Rejection::Conflict(Source::Register))
                });
            }
        }
        if let Some(given) = self.given.get(&(kid.to_owned(), sequence)) {
            return Ok(if given.link.hash == bundle.signing_input_hash {
                ok(Note::SameAs(given.file.clone()))
            } else {
                Verdict::Fail(Rejection::Conflict(Source::File(given.file.clone())))
            });
        }
        let (given, register) = (&self.given, self.register);
        let broken = chain_break(
            sequence,
            &bundle.signing_input_hash,
            payload.previous.as_deref(),
            |s| {
                if let Some(given) = given.get(&(kid.to_owned(), s)) {
                    return Ok(Some((given.link.clone(), Source::File(given.file.clone()))));
                }
                match register {
                    Some(register) => Ok(register
                        .stored_link(kid, s)?
                        .map(|link| (link, Source::Register))),
                    None => Ok::<_, RegisterError>(None),
                }
            },
        )?;
        if let Some(rejection) = broken {
            return Ok(Verdict::Fail(rejection));
        }
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
        let missing = match self.register {
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
        Ok(ok(Note::New { missing }))
    }
}

/// The line for one file, and whether it passed:
/// `ok FILE: kid K sequence N records N villages N[; note]` or
/// `FAIL FILE: <code> (<reason>)`.
pub fn line(name: &str, verdict: &Verdict) -> (bool, String) {
    match verdict {
        Verdict::Ok {
            kid,
            sequence,
            records,
            villages,
            note,
        } => {
            let note = match note {
                Note::New { missing } if missing.is_empty() => String::new(),
                Note::New { missing } => format!("; missing {}", missing_text(missing)),
                Note::AlreadyIngested => "; already ingested".to_owned(),
                Note::SameAs(file) => format!("; same bundle as {file}"),
            };
            (
                true,
                format!(
                    "ok {name}: kid {kid} sequence {sequence} records {records} \
                     villages {villages}{note}"
                ),
            )
        }
        Verdict::Fail(rejection) => (
            false,
            format!("FAIL {name}: {} ({rejection})", rejection.code()),
        ),
    }
}

/// One file on its own, without a register: signature and format.
pub fn verify_line(name: &str, bytes: &[u8]) -> (bool, String) {
    match Verifier::new(None).check(name, bytes) {
        Ok(verdict) => line(name, &verdict),
        // Without a register there is no register error.
        Err(error) => (false, format!("FAIL {name}: register ({error})")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOLDEN: &str = include_str!("../../core/tests/golden/bundle-v1.jws.json");

    #[test]
    fn lines() {
        let (ok, line) = verify_line("a.json", GOLDEN.as_bytes());
        assert!(ok, "{line}");
        assert!(line.starts_with("ok a.json: kid "), "{line}");
        let cases: [(&[u8], &str); 3] = [
            (b"", "FAIL b.json: bundle.json"),
            (b"{}", "FAIL b.json: bundle.member_missing"),
            (b"not json", "FAIL b.json: bundle.json"),
        ];
        for (bytes, prefix) in cases {
            let (ok, line) = verify_line("b.json", bytes);
            assert!(!ok);
            assert!(line.starts_with(prefix), "{line}");
        }
    }

    #[test]
    fn the_same_file_twice_is_the_same_bundle() {
        let mut verifier = Verifier::new(None);
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
            line("b.json", &second)
                .1
                .ends_with("; same bundle as a.json"),
            "{second:?}"
        );
    }
}
