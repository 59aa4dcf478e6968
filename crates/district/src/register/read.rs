//! What commands read back from the register: agents, duplicates,
//! quarantine, and what `district report` needs.

use std::collections::BTreeMap;

use super::{AgentStatus, Mode, Register, Result};
use crate::judgement::missing_ranges;

/// One device key and where its bundles stand.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AgentRow {
    pub kid: String,
    pub name: String,
    pub agent_id: Option<String>,
    pub status: AgentStatus,
    /// The highest sequence merged, if any.
    pub last_merged: Option<u64>,
    /// Bundles stored but not merged (until `agents approve`).
    pub pending: u64,
    /// Sequences still missing, as runs (first, last): see [`missing_ranges`].
    pub missing: Vec<(u64, u64)>,
}

/// One record of a NIK held by more than one active record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DuplicateRow {
    pub nik: String,
    pub record_id: String,
    pub village: String,
    pub kid: String,
}

/// A record the district quarantined, from the bundle that carried it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QuarantinedRecord {
    pub kid: String,
    pub sequence: u64,
    pub village: String,
    pub record_id: String,
    pub revision: u32,
    pub codes: Vec<String>,
    /// Whether the record's current revision in the register is still the
    /// quarantined one (a later, correct revision clears it).
    pub current: bool,
    /// Whether the bundle that carried it was withdrawn.
    pub withdrawn: bool,
}

/// A stored bundle that needs an officer's eye: withdrawn, or naming a
/// rule pack the district does not know as sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QuarantinedBundle {
    pub kid: String,
    pub sequence: u64,
    /// `pack.unknown`, `pack.digest_mismatch`, if any.
    pub pack_note: Option<String>,
    /// When and why it was withdrawn, if it was.
    pub withdrawn: Option<(i64, String)>,
}

/// `district quarantine list`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct QuarantineReport {
    pub records: Vec<QuarantinedRecord>,
    pub bundles: Vec<QuarantinedBundle>,
}

/// An active, accepted record's columns, as `district report` reads them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ActiveRecord {
    pub village: String,
    pub record_id: String,
    pub kid: String,
    pub nik: String,
    pub name: String,
    /// `YYYY-MM-DD`.
    pub birth_date: String,
    /// `M` or `F`.
    pub sex: String,
    pub segment: String,
    pub category: String,
    pub funding_source: String,
    pub with_jht: bool,
    /// As the sending device saw it: `funded`, `waitlisted` or `apparatus`
    /// (provisional: the district decides).
    pub status: String,
    /// The creation time the device claims, milliseconds since 1970 UTC.
    pub created_ms: i64,
    /// The district's registration time (the claim, clamped).
    pub registered_ms: i64,
    /// The arrival number of the bundle that first carried it.
    pub arrival: i64,
    pub pack_id: String,
    pub pack_version: String,
}

/// What `district report` reads from the register, as stored.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReportData {
    /// (code, name) of every village a device named with a valid code, by code.
    pub villages: Vec<(String, String)>,
    /// Active, accepted records, by village and record id.
    pub active: Vec<ActiveRecord>,
    /// Quarantined active records per village: (village, count).
    pub quarantined: Vec<(String, u64)>,
    /// (village, kid) for every record, active or removed, that a device sent.
    pub senders: Vec<(String, String)>,
    /// kid → agent name.
    pub agent_names: Vec<(String, String)>,
    /// (kid, sequence) of every stored bundle.
    pub sequences: Vec<(String, u64)>,
    /// NIKs held by more than one active, accepted record.
    pub duplicate_niks: Vec<String>,
}

/// A record's (revision, removed, name, quarantine codes).
pub(crate) type RecordSummary = (u32, bool, String, Option<String>);

/// The read queries of a backend, each inside the current transaction.
pub(crate) trait Reads {
    /// Every agent by name then kid, without `missing`.
    fn agent_rows(&mut self) -> Result<Vec<AgentRow>>;
    /// (kid, sequence) of every stored bundle, by kid then sequence.
    fn all_sequences(&mut self) -> Result<Vec<(String, u64)>>;
    fn duplicates(&mut self) -> Result<Vec<DuplicateRow>>;
    fn duplicate_niks(&mut self) -> Result<Vec<String>>;
    fn villages(&mut self) -> Result<Vec<(String, String, u32)>>;
    fn active_records(&mut self) -> Result<Vec<ActiveRecord>>;
    /// [`Reads::active_records`] of one village.
    fn active_records_in(&mut self, village: &str) -> Result<Vec<ActiveRecord>>;
    /// The villages where `kid`'s records are active and accepted, by code.
    fn villages_of(&mut self, kid: &str) -> Result<Vec<String>>;
    fn quarantined_counts(&mut self) -> Result<Vec<(String, u64)>>;
    fn senders(&mut self) -> Result<Vec<(String, String)>>;
    fn quarantined_records(&mut self) -> Result<Vec<QuarantinedRecord>>;
    /// [`Reads::quarantined_records`] of one device.
    fn quarantined_of(&mut self, kid: &str) -> Result<Vec<QuarantinedRecord>>;
    fn quarantined_bundles(&mut self) -> Result<Vec<QuarantinedBundle>>;
    /// (revision, removed, name, quarantine codes) of the first record with
    /// this id.
    fn record(&mut self, record_id: &str) -> Result<Option<RecordSummary>>;
}

/// Runs of missing sequences per kid, from every stored (kid, sequence).
pub(crate) fn missing_by_kid(sequences: &[(String, u64)]) -> BTreeMap<String, Vec<(u64, u64)>> {
    let mut by_kid: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    for (kid, sequence) in sequences {
        by_kid.entry(kid.clone()).or_default().push(*sequence);
    }
    by_kid
        .into_iter()
        .map(|(kid, sequences)| (kid, missing_ranges(sequences)))
        .filter(|(_, runs)| !runs.is_empty())
        .collect()
}

impl Register {
    fn read<T>(&mut self, mut work: impl FnMut(&mut dyn Reads) -> Result<T>) -> Result<T> {
        self.run(Mode::Read, |tx| Ok((work(tx)?, false)))
    }

    /// Every agent, by name then kid, with where its bundles stand.
    pub fn agents(&mut self) -> Result<Vec<AgentRow>> {
        self.read(|r| {
            let mut missing = missing_by_kid(&r.all_sequences()?);
            let mut rows = r.agent_rows()?;
            for row in &mut rows {
                row.missing = missing.remove(&row.kid).unwrap_or_default();
            }
            Ok(rows)
        })
    }

    /// How many NIKs are held by more than one active, accepted record.
    pub fn duplicate_count(&mut self) -> Result<u64> {
        self.read(|r| Ok(r.duplicate_niks()?.len() as u64))
    }

    /// Every active, accepted record whose NIK another one also holds.
    pub fn duplicates(&mut self) -> Result<Vec<DuplicateRow>> {
        self.read(|r| r.duplicates())
    }

    /// Sequences still missing: (kid, first missing, last missing), by kid
    /// and sequence.
    pub fn gaps(&mut self) -> Result<Vec<(String, u64, u64)>> {
        self.read(|r| {
            Ok(missing_by_kid(&r.all_sequences()?)
                .into_iter()
                .flat_map(|(kid, runs)| {
                    runs.into_iter()
                        .map(move |(first, last)| (kid.clone(), first, last))
                })
                .collect())
        })
    }

    /// The register's record `record_id`: (revision, removed, name); the
    /// first found if the id was sent for more than one village.
    pub fn record(&mut self, record_id: &str) -> Result<Option<(u32, bool, String)>> {
        self.read(|r| {
            Ok(r.record(record_id)?
                .map(|(rev, removed, name, _)| (rev, removed, name)))
        })
    }

    /// The quarantine codes of record `record_id`'s current revision, if
    /// it is quarantined.
    pub fn record_quarantine(&mut self, record_id: &str) -> Result<Option<String>> {
        self.read(|r| Ok(r.record(record_id)?.and_then(|(_, _, _, codes)| codes)))
    }

    /// Villages as (code, name, funded slots the devices declared), by code.
    pub fn villages(&mut self) -> Result<Vec<(String, String, u32)>> {
        self.read(|r| r.villages())
    }

    /// Quarantined records and bundles that need an officer's eye.
    pub fn quarantine(&mut self) -> Result<QuarantineReport> {
        self.read(|r| {
            Ok(QuarantineReport {
                records: r.quarantined_records()?,
                bundles: r.quarantined_bundles()?,
            })
        })
    }

    /// Everything `district report` needs, read in one transaction.
    pub fn report_data(&mut self) -> Result<ReportData> {
        self.read(|r| {
            let agent_names = r
                .agent_rows()?
                .into_iter()
                .map(|a| (a.kid, a.name))
                .collect::<BTreeMap<_, _>>()
                .into_iter()
                .collect();
            Ok(ReportData {
                villages: r
                    .villages()?
                    .into_iter()
                    .map(|(code, name, _)| (code, name))
                    .collect(),
                active: r.active_records()?,
                quarantined: r.quarantined_counts()?,
                senders: r.senders()?,
                agent_names,
                sequences: r.all_sequences()?,
                duplicate_niks: r.duplicate_niks()?,
            })
        })
    }
}
