//! The district's judgement of the records a bundle carries.
//!
//! A verified bundle proves who sent it, not that what it says is true: a
//! buggy or hostile device can sign anything. So the district judges every
//! record again, with the same rules the phone applies ([`check`]) but
//! against the district's own rule pack, and never takes the device's
//! verdict, status or funded slots as given. A record that fails is
//! *quarantined* (kept with its codes, counted nowhere); the rest of the
//! bundle merges.
//!
//! Registration order across devices is the district's, not the phone's
//! ([`registration_time`]): a phone's clock can be wrong or set back, so the
//! time a record claims is clamped into the window in which the district
//! knows it was made.
//!
//! Invariants: pure (the register passes in the times it knows); every
//! problem of a record is reported at once, by stable code, in a fixed order
//! (record shape, village, then the registration's own checks).

use crate::bundle::{BundleRecord, BundleStatus, BundleVillage, Op};
use crate::date::Date;
use crate::record::{Action, Timestamp};
use crate::registration::{check, Registration, RegistrationInput, Severity};
use crate::roster::{RecordId, VillageRef};
use crate::rulepack::RulePack;

/// Codes of record problems that are not the registration's own checks
/// (those are `nik.*` and `reg.*`, from [`check`]).
pub mod code {
    /// `record_id` is empty or holds whitespace or control characters.
    pub const ID_INVALID: &str = "record.id_invalid";
    /// The record's `village` is not among the bundle's `villages`.
    pub const VILLAGE_UNLISTED: &str = "record.village_unlisted";
    /// `history` is not one entry per revision, 1 to `revision`, starting
    /// with `create`.
    pub const HISTORY: &str = "record.history";
    /// `op`, `status` and the last history action disagree (a removal is
    /// `op` `remove`, `status` `removed`, last action `remove`, and only it).
    pub const OP_STATUS: &str = "record.op_status";
    /// Another device sent this record id first (decided by the register).
    pub const OTHER_DEVICE: &str = "record.other_device";
}

/// What the district knows about when a bundle's new records were made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimeWindow {
    /// The earliest time the district accepts for a record first seen in
    /// this bundle: the latest time the district received one of the
    /// device's earlier bundles, or when the device was enrolled.
    pub floor: Timestamp,
    /// When the district received this bundle.
    pub received_at: Timestamp,
}

impl TimeWindow {
    /// The window of a bundle received at `received_at` when no floor is
    /// known: a record keeps its claimed time unless that is later.
    pub fn until(received_at: Timestamp) -> TimeWindow {
        TimeWindow {
            floor: Timestamp::from_millis(i64::MIN),
            received_at,
        }
    }
}

/// The time that orders a record among its village's registrations: the
/// time the device claims, clamped into `window` (never before the floor,
/// never after the district received it). A clock set back cannot move a
/// record before registrations the district already had; a clock set
/// forward only moves it to the time it arrived. Ties are broken by the
/// register (order of arrival, then the claimed time, then the record id).
pub fn registration_time(claimed: Timestamp, window: TimeWindow) -> Timestamp {
    // A floor after the receipt (a register clock moved back) gives way to
    // the receipt, so the result never lies after the bundle arrived.
    claimed.max(window.floor).min(window.received_at)
}

/// The district's verdict on one record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordVerdict {
    /// Problem codes, in order; empty when the record is accepted.
    pub codes: Vec<&'static str>,
    /// Warnings (a NIK's region code unknown to the table, ...): reported,
    /// never a reason to quarantine.
    pub warnings: Vec<&'static str>,
    /// The NIK as the register keeps it: its 16 digits when it parses
    /// (separators removed), otherwise the text as sent.
    pub nik: String,
    /// The registration, for an accepted active record.
    pub registration: Option<Registration>,
}

impl RecordVerdict {
    pub fn accepted(&self) -> bool {
        self.codes.is_empty()
    }
}

/// A bundle's `villages`, found by code in logarithmic time: judging every
/// record of a bundle with a long village list (a hostile one can list
/// hundreds of thousands) costs about as much as reading it, never records
/// times villages. Made once per bundle.
#[derive(Clone, Debug)]
pub struct Villages<'a> {
    /// By code; of one code, in the bundle's order (a stable sort).
    by_code: Vec<&'a BundleVillage>,
}

impl<'a> Villages<'a> {
    pub fn new(villages: &'a [BundleVillage]) -> Villages<'a> {
        let mut by_code: Vec<&BundleVillage> = villages.iter().collect();
        crate::order::sort_by(&mut by_code, |a, b| a.code.cmp(&b.code));
        Villages { by_code }
    }

    /// The first village of the bundle with `code`, as a search of the
    /// list in order would find it.
    pub fn find(&self, code: &str) -> Option<&'a BundleVillage> {
        let at = self.by_code.partition_point(|v| v.code.as_str() < code);
        self.by_code.get(at).copied().filter(|v| v.code == code)
    }
}

/// Judges `record` of a bundle listing `villages`, against `pack`, as
/// registered on `registered_on` (the date of its [`registration_time`]).
/// A removal is judged on its shape and village only: what it removes
/// counts nowhere either way.
pub fn judge_record(
    record: &BundleRecord,
    villages: &Villages<'_>,
    pack: &RulePack,
    registered_on: Date,
) -> RecordVerdict {
    let mut codes = Vec::new();
    if RecordId::new(record.record_id.as_str()).is_none() {
        codes.push(code::ID_INVALID);
    }
    if !history_is_whole(record) {
        codes.push(code::HISTORY);
    }
    let removal = record.op == Op::Remove;
    let last_removes = record
        .history
        .last()
        .is_some_and(|h| h.action == Action::Remove);
    if removal != (record.status == BundleStatus::Removed) || removal != last_removes {
        codes.push(code::OP_STATUS);
    }
    match villages.find(&record.village) {
        None => codes.push(code::VILLAGE_UNLISTED),
        Some(village) => codes.extend(village_problems(&village.code, &village.name)),
    }
    let mut warnings = Vec::new();
    let mut nik = record.nik.clone();
    let mut registration = None;
    if !removal {
        let verdict = check(&input_of(record), pack, registered_on);
        for issue in &verdict.issues {
            match issue.severity() {
                Severity::Error => codes.push(issue.code()),
                Severity::Warning => warnings.push(issue.code()),
            }
        }
        registration = verdict.registration;
        if let Some(parsed) = verdict.nik {
            nik = parsed.as_str().to_owned();
        }
    } else if let Ok(parsed) = crate::nik::Nik::parse(&record.nik, registered_on) {
        nik = parsed.as_str().to_owned();
    }
    if !codes.is_empty() {
        registration = None;
    }
    RecordVerdict {
        codes,
        warnings,
        nik,
        registration,
    }
}

/// Why the district would not keep a village a device names: the core's
/// [`VillageRef`] checks, and a code exactly as written (the district keys
/// villages by it, so " 61.07.01.2001" is not "61.07.01.2001"). Empty when
/// it is acceptable.
pub fn village_problems(code: &str, name: &str) -> Vec<&'static str> {
    match VillageRef::new(code, name) {
        Err(problems) => problems.iter().map(|p| p.code()).collect(),
        Ok(village) if village.code() != code => vec!["village.code_invalid"],
        Ok(_) => Vec::new(),
    }
}

/// Judges the registration stored for a record (its columns in the
/// register) against `pack` as registered on `registered_on`: the
/// registration, or `None` if `pack` does not accept it. This is how a
/// report restores registrations: through the core's own check, so a pack's
/// segment decides whether a registration takes a funded slot.
pub fn restore_registration(
    input: &RegistrationInput,
    pack: &RulePack,
    registered_on: Date,
) -> Option<Registration> {
    check(input, pack, registered_on).registration
}

/// The form a record's registration would have been typed as.
pub fn input_of(record: &BundleRecord) -> RegistrationInput {
    RegistrationInput {
        nik: record.nik.clone(),
        name: record.name.clone(),
        birth_date: record.birth_date.to_string(),
        sex: record.sex.code().to_owned(),
        segment: record.segment.clone(),
        category: record.category.clone(),
        funding_source: record.funding_source.clone(),
        with_jht: record.with_jht,
    }
}

/// One history entry per revision, 1 to `revision`, the first a `create`.
fn history_is_whole(record: &BundleRecord) -> bool {
    record.revision >= 1
        && record.history.len() == record.revision as usize
        && record
            .history
            .iter()
            .zip(1..)
            .all(|(entry, revision)| entry.revision == revision)
        && record
            .history
            .iter()
            .enumerate()
            .all(|(i, entry)| (i == 0) == (entry.action == Action::Create))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(millis: i64) -> Timestamp {
        Timestamp::from_millis(millis)
    }

    #[test]
    fn villages_are_found_as_a_search_in_order_finds_them() {
        let village = |code: &str, name: &str| BundleVillage {
            code: code.into(),
            name: name.into(),
            funded_slots: 1,
        };
        let list = [
            village("61.07.01.2003", "C"),
            village("61.07.01.2001", "A"),
            village("61.07.01.2003", "C again"),
            village("61.07.01.2002", "B"),
        ];
        let villages = Villages::new(&list);
        let codes = [
            "61.07.01.2001",
            "61.07.01.2002",
            "61.07.01.2003",
            "61.07.01.2004",
            "61.07.01.200",
            "",
        ];
        for code in codes {
            let in_order = list.iter().find(|v| v.code == code).map(|v| &v.name);
            assert_eq!(villages.find(code).map(|v| &v.name), in_order, "{code:?}");
        }
        assert_eq!(Villages::new(&[]).find("61.07.01.2001"), None);
    }

    #[test]
    fn a_bundle_names_villages_in_their_written_form_only() {
        // The phone accepts a code typed any way and keeps its written form;
        // a bundle must carry that form, since the district keys villages by it.
        let cases: [(&str, &str, &[&str]); 6] = [
            ("61.07.01.2001", "Sungai Duri", &[]),
            ("6107012001", "Sungai Duri", &["village.code_invalid"]),
            (" 61.07.01.2001", "Sungai Duri", &["village.code_invalid"]),
            ("61-07-01-2001", "Sungai Duri", &["village.code_invalid"]),
            (
                "20.07.01.2001",
                "Sungai Duri",
                &["village.province_unknown"],
            ),
            ("61.07.01.2001", " ", &["village.name_empty"]),
        ];
        for (code, name, expected) in cases {
            assert_eq!(village_problems(code, name), expected, "{code:?} {name:?}");
        }
    }

    #[test]
    fn registration_time_is_clamped_into_the_window() {
        // (claimed, floor, received) -> ordered
        let cases = [
            (50, 10, 100, 50),
            // A clock set back: no earlier than the floor.
            (-5_000, 10, 100, 10),
            (9, 10, 100, 10),
            // A clock set forward: no later than the receipt.
            (10_000, 10, 100, 100),
            (100, 10, 100, 100),
            // A floor after the receipt gives way to the receipt.
            (50, 200, 100, 100),
        ];
        for (claimed, floor, received_at, expected) in cases {
            let window = TimeWindow {
                floor: at(floor),
                received_at: at(received_at),
            };
            assert_eq!(
                registration_time(at(claimed), window),
                at(expected),
                "claimed {claimed}, window {floor}..{received_at}"
            );
        }
    }
}
