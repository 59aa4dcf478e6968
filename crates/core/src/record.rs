//! Worker records: a registration with its identity, its place in the
//! village's order, its revisions and its history (who, when, what, why).
//!
//! A record is never deleted on the device: removal is a state with a reason,
//! so the history can travel in export bundles. Every change bumps the
//! revision and appends exactly one history entry.

use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::date::Date;
use crate::i18n::Lang;
use crate::nik::{Nik, Sex};
use crate::registration::{PackRef, Registration};
use crate::roster::{DuplicateCheck, RecordId, Roster, RosterError, VillageRef};

/// A moment, in milliseconds since the Unix epoch (UTC). The core reads no
/// clock: the caller passes timestamps in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Timestamp(i64);

impl Timestamp {
    pub fn from_millis(millis: i64) -> Timestamp {
        Timestamp(millis)
    }

    pub fn millis(self) -> i64 {
        self.0
    }

    /// The UTC calendar date of this moment.
    pub fn date(self) -> Date {
        Date::from_unix_days(self.0.div_euclid(86_400_000))
            .expect("millisecond timestamps stay within i32 years")
    }
}

impl Timestamp {
    /// RFC 3339 in UTC with milliseconds, for dates of years 0 to 9999
    /// (digit by digit, as [`Date::iso_bytes`]).
    pub(crate) fn rfc3339_bytes(self) -> Option<[u8; 24]> {
        let mut out = *b"0000-00-00T00:00:00.000Z";
        out[..10].copy_from_slice(&self.date().iso_bytes()?);
        let ms = u32::try_from(self.0.rem_euclid(86_400_000)).ok()?;
        crate::date::put_digits(&mut out[11..13], ms / 3_600_000);
        crate::date::put_digits(&mut out[14..16], ms / 60_000 % 60);
        crate::date::put_digits(&mut out[17..19], ms / 1000 % 60);
        crate::date::put_digits(&mut out[20..23], ms % 1000);
        Some(out)
    }
}

/// RFC 3339 in UTC with milliseconds: `2026-11-21T17:25:57.123Z`.
impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(bytes) = self.rfc3339_bytes() {
            return f.write_str(std::str::from_utf8(&bytes).map_err(|_| fmt::Error)?);
        }
        let date = self.date();
        let ms = self.0.rem_euclid(86_400_000);
        write!(
            f,
            "{date}T{:02}:{:02}:{:02}.{:03}Z",
            ms / 3_600_000,
            ms / 60_000 % 60,
            ms / 1000 % 60,
            ms % 1000
        )
    }
}

/// The field agent who made a change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Agent {
    pub id: String,
    pub name: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Create,
    Edit,
    Remove,
}

/// One change to a record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub revision: u32,
    pub at: Timestamp,
    pub agent: Agent,
    pub action: Action,
    /// Fields an edit changed (`nik`, `name`, ...); empty for create and remove.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Removal {
    pub at: Timestamp,
    pub reason: String,
}

/// Why a change to a record was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RecordError {
    /// Edits and removals need a reason.
    ReasonRequired,
    /// The edit changes nothing.
    NothingChanged,
    /// The record is already removed.
    AlreadyRemoved,
}

impl RecordError {
    pub fn code(&self) -> &'static str {
        match self {
            RecordError::ReasonRequired => "record.reason_required",
            RecordError::NothingChanged => "record.nothing_changed",
            RecordError::AlreadyRemoved => "record.already_removed",
        }
    }

    pub fn message(&self, lang: Lang) -> String {
        match self {
            RecordError::ReasonRequired => lang.pick(
                "Tulis alasan perubahan (mis. salah ketik, pindah desa, meninggal).",
                "Give a reason for the change (e.g. typo, moved away, died).",
            ),
            RecordError::NothingChanged => {
                lang.pick("Tidak ada yang berubah.", "Nothing was changed.")
            }
            RecordError::AlreadyRemoved => lang.pick(
                "Data ini sudah dihapus dari daftar.",
                "This record was already removed from the roster.",
            ),
        }
        .to_owned()
    }
}

/// A registration with identity and history. Fields are private: the only
/// changes are [`WorkerRecord::edit`] and [`WorkerRecord::remove`], which keep
/// revision and history in step.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkerRecord {
    id: RecordId,
    /// Kemendagri code of the village whose roster holds the record.
    village: String,
    /// Device-wide creation order; a roster is ordered by it.
    seq: u64,
    revision: u32,
    /// Shared with the roster's entry (see `roster::Entry`).
    registration: Arc<Registration>,
    created_at: Timestamp,
    updated_at: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    removed: Option<Removal>,
    history: Vec<HistoryEntry>,
}

fn clean_reason(reason: &str) -> Result<String, RecordError> {
    let reason = reason.split_whitespace().collect::<Vec<_>>().join(" ");
    if reason.is_empty() {
        Err(RecordError::ReasonRequired)
    } else {
        Ok(reason)
    }
}

impl WorkerRecord {
    /// A new record at revision 1.
    pub fn create(
        id: RecordId,
        village: &str,
        seq: u64,
        registration: Registration,
        agent: Agent,
        at: Timestamp,
    ) -> WorkerRecord {
        WorkerRecord {
            id,
            village: village.to_owned(),
            seq,
            revision: 1,
            registration: registration.into(),
            created_at: at,
            updated_at: at,
            removed: None,
            history: vec![HistoryEntry {
                revision: 1,
                at,
                agent,
                action: Action::Create,
                fields: Vec::new(),
                reason: None,
            }],
        }
    }

    /// Replaces the registration, recording which fields changed and why.
    pub fn edit(
        &mut self,
        registration: Registration,
        agent: Agent,
        at: Timestamp,
        reason: &str,
    ) -> Result<(), RecordError> {
        if self.removed.is_some() {
            return Err(RecordError::AlreadyRemoved);
        }
        let fields = changed_fields(&self.registration, &registration);
        if fields.is_empty() {
            return Err(RecordError::NothingChanged);
        }
        let reason = clean_reason(reason)?;
        self.registration = registration.into();
        self.push(at, agent, Action::Edit, fields, Some(reason));
        Ok(())
    }

    /// Marks the record removed. It stays on the device, with its history.
    pub fn remove(&mut self, agent: Agent, at: Timestamp, reason: &str) -> Result<(), RecordError> {
        if self.removed.is_some() {
            return Err(RecordError::AlreadyRemoved);
        }
        let reason = clean_reason(reason)?;
        self.removed = Some(Removal {
            at,
            reason: reason.clone(),
        });
        self.push(at, agent, Action::Remove, Vec::new(), Some(reason));
        Ok(())
    }

    fn push(
        &mut self,
        at: Timestamp,
        agent: Agent,
        action: Action,
        fields: Vec<String>,
        reason: Option<String>,
    ) {
        self.revision += 1;
        self.updated_at = at;
        self.history.push(HistoryEntry {
            revision: self.revision,
            at,
            agent,
            action,
            fields,
            reason,
        });
    }

    pub fn id(&self) -> &RecordId {
        &self.id
    }

    pub fn village(&self) -> &str {
        &self.village
    }

    pub fn seq(&self) -> u64 {
        self.seq
    }

    /// Creation order: `seq`, then id. Compares without copying the ids (a sort
    /// of every record on the device runs at each start).
    pub fn cmp_creation(&self, other: &WorkerRecord) -> std::cmp::Ordering {
        (self.seq, self.id.as_str()).cmp(&(other.seq, other.id.as_str()))
    }

    pub fn revision(&self) -> u32 {
        self.revision
    }

    pub fn registration(&self) -> &Registration {
        &self.registration
    }

    /// The registration as the roster shares it (`Workspace::load`).
    pub(crate) fn shared_registration(&self) -> Arc<Registration> {
        Arc::clone(&self.registration)
    }

    pub fn created_at(&self) -> Timestamp {
        self.created_at
    }

    pub fn updated_at(&self) -> Timestamp {
        self.updated_at
    }

    pub fn removed(&self) -> Option<&Removal> {
        self.removed.as_ref()
    }

    pub fn is_active(&self) -> bool {
        self.removed.is_none()
    }

    pub fn history(&self) -> &[HistoryEntry] {
        &self.history
    }
}

/// Every field of a [`WorkerRecord`], for storage that keeps records in a
/// format of its own (the app's IndexedDB rows convert field by field, so
/// renaming a field here cannot change what a phone has stored).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordParts {
    pub id: RecordId,
    pub village: String,
    pub seq: u64,
    pub revision: u32,
    pub registration: Registration,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub removed: Option<Removal>,
    pub history: Vec<HistoryEntry>,
}

impl WorkerRecord {
    /// A stored record back, exactly as it was written (what reading it
    /// with serde gives): the registration was restored by the caller.
    pub fn from_parts(parts: RecordParts) -> WorkerRecord {
        let RecordParts {
            id,
            village,
            seq,
            revision,
            registration,
            created_at,
            updated_at,
            removed,
            history,
        } = parts;
        WorkerRecord {
            id,
            village,
            seq,
            revision,
            registration: registration.into(),
            created_at,
            updated_at,
            removed,
            history,
        }
    }
}

/// Names of the fields that differ between two registrations.
fn changed_fields(old: &Registration, new: &Registration) -> Vec<String> {
    let pairs: [(&str, bool); 8] = [
        ("nik", old.nik != new.nik),
        ("name", old.name != new.name),
        ("birth_date", old.birth_date != new.birth_date),
        ("sex", old.sex != new.sex),
        ("segment", old.segment != new.segment),
        ("category", old.category != new.category),
        ("funding_source", old.funding_source != new.funding_source),
        ("with_jht", old.with_jht != new.with_jht),
    ];
    pairs
        .into_iter()
        .filter(|(_, changed)| *changed)
        .map(|(name, _)| name.to_owned())
        .collect()
}

/// Builds a village's roster from its records: active ones, in creation order.
/// Records that break a roster invariant (which the app never writes) are
/// returned with the error instead of being silently dropped.
pub fn roster_from_records<'a>(
    village: VillageRef,
    funded_slots: u32,
    records: impl IntoIterator<Item = &'a WorkerRecord>,
) -> (Roster, Vec<(RecordId, RosterError)>) {
    let mut active: Vec<&WorkerRecord> = records.into_iter().filter(|r| r.is_active()).collect();
    crate::order::sort_by(&mut active, |a, b| a.cmp_creation(b));
    let mut roster = Roster::new(village, funded_slots);
    let mut rejected = Vec::new();
    for record in active {
        if let Err(error) = roster.add(
            record.id.clone(),
            Arc::clone(&record.registration),
            DuplicateCheck::Confirmed,
        ) {
            rejected.push((record.id.clone(), error));
        }
    }
    (roster, rejected)
}

impl Serialize for RecordId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for RecordId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<RecordId, D::Error> {
        let text = String::deserialize(deserializer)?;
        RecordId::new(text).ok_or_else(|| serde::de::Error::custom("a record id has no spaces"))
    }
}

/// The stored form of a [`Registration`]: the verdict's fields, not re-judged
/// on reading (the pack that judged it is recorded in `pack`).
#[derive(Deserialize)]
struct RegistrationData {
    nik: String,
    name: String,
    birth_date: Date,
    sex: Sex,
    segment: String,
    category: String,
    funding_source: String,
    with_jht: bool,
    uses_funded_slots: bool,
    pack: PackRef,
}

impl<'de> Deserialize<'de> for Registration {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Registration, D::Error> {
        let data = RegistrationData::deserialize(deserializer)?;
        // Parsing against the birth date itself picks the century that gives
        // that birth date back, so a consistent record always restores.
        let nik = Nik::parse(&data.nik, data.birth_date)
            .ok()
            .filter(|nik| nik.birth_date() == data.birth_date && nik.sex() == data.sex)
            .ok_or_else(|| {
                serde::de::Error::custom("stored NIK does not match the stored birth date and sex")
            })?;
        Ok(Registration {
            nik,
            name: data.name,
            birth_date: data.birth_date,
            sex: data.sex,
            segment: data.segment,
            category: data.category,
            funding_source: data.funding_source,
            with_jht: data.with_jht,
            uses_funded_slots: data.uses_funded_slots,
            pack: data.pack,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registration::{check, RegistrationInput};
    use crate::roster::Status;
    use crate::rulepack::RulePack;

    fn today() -> Date {
        Date::parse_iso("2026-11-21").unwrap()
    }

    fn registration(nik: &str, name: &str, birth: &str, sex: &str) -> Registration {
        let input = RegistrationInput {
            nik: nik.into(),
            name: name.into(),
            birth_date: birth.into(),
            sex: sex.into(),
            segment: "BPU".into(),
            category: "petani".into(),
            ..RegistrationInput::default()
        };
        check(&input, &RulePack::default_pack(), today())
            .registration
            .expect("valid test registration")
    }

    fn agent() -> Agent {
        Agent {
            id: "agent-1".into(),
            name: "Petugas Uji".into(),
        }
    }

    fn at(millis: i64) -> Timestamp {
        Timestamp::from_millis(millis)
    }

    fn siti() -> Registration {
        registration("6107014502870001", "Siti Aminah", "1987-02-05", "F")
    }

    #[test]
    fn timestamps_are_rfc3339_utc() {
        let cases = [
            (0, "1970-01-01T00:00:00.000Z"),
            (1_795_281_957_123, "2026-11-21T17:25:57.123Z"),
            (951_782_400_000, "2000-02-29T00:00:00.000Z"),
            (-1, "1969-12-31T23:59:59.999Z"),
        ];
        for (millis, text) in cases {
            assert_eq!(at(millis).to_string(), text, "{millis}");
        }
    }

    #[test]
    fn every_change_bumps_the_revision_and_adds_one_history_entry() {
        let id = RecordId::new("r1").unwrap();
        let mut record = WorkerRecord::create(id, "61.07.01.2001", 1, siti(), agent(), at(1000));
        assert_eq!((record.revision(), record.history().len()), (1, 1));

        let renamed = registration(
            "6107014502870001",
            "Siti Aminah Binti Umar",
            "1987-02-05",
            "F",
        );
        record
            .edit(renamed, agent(), at(2000), "  nama  lengkap sesuai KTP ")
            .unwrap();
        assert_eq!(record.revision(), 2);
        assert_eq!(record.updated_at(), at(2000));
        let edit = &record.history()[1];
        assert_eq!(
            (edit.action, edit.fields.clone(), edit.reason.as_deref()),
            (
                Action::Edit,
                vec!["name".to_owned()],
                Some("nama lengkap sesuai KTP")
            )
        );

        record.remove(agent(), at(3000), "pindah ke kota").unwrap();
        assert_eq!(record.revision(), 3);
        assert!(!record.is_active());
        assert_eq!(record.removed().unwrap().reason, "pindah ke kota");
        let revisions: Vec<u32> = record.history().iter().map(|h| h.revision).collect();
        assert_eq!(revisions, [1, 2, 3]);
    }

    #[test]
    fn refused_changes() {
        let id = RecordId::new("r1").unwrap();
        let mut record = WorkerRecord::create(id, "61.07.01.2001", 1, siti(), agent(), at(1000));
        let cases = [
            (
                record.clone().edit(siti(), agent(), at(2), "x"),
                "record.nothing_changed",
            ),
            (
                record.clone().edit(
                    registration("6107014502870001", "Siti A", "1987-02-05", "F"),
                    agent(),
                    at(2),
                    "   ",
                ),
                "record.reason_required",
            ),
            (
                record.clone().remove(agent(), at(2), ""),
                "record.reason_required",
            ),
        ];
        for (result, code) in cases {
            assert_eq!(result.unwrap_err().code(), code);
        }
        record.remove(agent(), at(2), "meninggal").unwrap();
        let again = record.remove(agent(), at(3), "meninggal");
        assert_eq!(again.unwrap_err().code(), "record.already_removed");
        assert_eq!(record.revision(), 2, "refused changes change nothing");
    }

    #[test]
    fn records_round_trip_through_json_with_the_nik_as_a_string() {
        let id = RecordId::new("r1").unwrap();
        let record = WorkerRecord::create(id, "61.07.01.2001", 7, siti(), agent(), at(1000));
        let json = serde_json::to_string(&record).unwrap();
        assert!(json.contains("\"nik\":\"6107014502870001\""), "{json}");
        let back: WorkerRecord = serde_json::from_str(&json).unwrap();
        assert_eq!(back, record);
        // A born-2005 NIK restores to 2005, not 1905.
        let young = registration("6107010101050001", "Budi", "2005-01-01", "M");
        let record = WorkerRecord::create(
            RecordId::new("r2").unwrap(),
            "61.07.01.2001",
            8,
            young,
            agent(),
            at(1),
        );
        let back: WorkerRecord =
            serde_json::from_str(&serde_json::to_string(&record).unwrap()).unwrap();
        assert_eq!(back.registration().birth_date.to_string(), "2005-01-01");
        // A tampered birth date does not restore.
        let tampered = json.replace("1987-02-05", "1987-02-06");
        assert!(serde_json::from_str::<WorkerRecord>(&tampered).is_err());
    }

    #[test]
    fn a_roster_is_built_from_active_records_in_creation_order() {
        let village = VillageRef::new("61.07.01.2001", "Sungai Duri").unwrap();
        let mk = |id: &str, seq: u64, nik: &str, name: &str, birth: &str| {
            WorkerRecord::create(
                RecordId::new(id).unwrap(),
                "61.07.01.2001",
                seq,
                registration(nik, name, birth, "M"),
                agent(),
                at(seq as i64),
            )
        };
        let mut removed = mk("c", 1, "6107010101800003", "Cahyo", "1980-01-01");
        removed.remove(agent(), at(9), "meninggal").unwrap();
        let records = [
            mk("b", 3, "6107010202800002", "Bambang", "1980-02-02"),
            removed,
            mk("a", 2, "6107010303800001", "Agus", "1980-03-03"),
        ];
        let (roster, rejected) = roster_from_records(village, 1, &records);
        assert!(rejected.is_empty());
        let order: Vec<(&str, Status)> = roster
            .entries()
            .map(|(e, s)| (e.id().as_str(), s))
            .collect();
        assert_eq!(
            order,
            [
                ("a", Status::Funded),
                ("b", Status::Waitlisted { position: 1 })
            ]
        );
    }

    /// Timestamps written digit by digit read as the formatting machinery
    /// writes them, from year 0 to 9999 and beyond (where it is used).
    #[test]
    fn timestamps_written_digit_by_digit_are_the_formatted_ones() {
        let formatted = |at: Timestamp| {
            let ms = at.millis().rem_euclid(86_400_000);
            let date = at.date();
            format!(
                "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
                date.year(),
                date.month(),
                date.day(),
                ms / 3_600_000,
                ms / 60_000 % 60,
                ms / 1000 % 60,
                ms % 1000
            )
        };
        let day = 86_400_000_i64;
        let mut cases = vec![
            0,
            1,
            -1,
            day - 1,
            1_790_812_860_123,
            -62_167_219_200_000, // 0000-01-01
            253_402_300_799_999, // 9999-12-31T23:59:59.999Z
            253_402_300_800_000, // 10000-01-01: formatted the slow way
            -62_167_219_200_001, // before year 0
        ];
        let mut state = 0x5eed_u64;
        for _ in 0..20_000 {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1);
            cases.push((state >> 11) as i64 % 400_000_000_000_000 - 100_000_000_000_000);
        }
        for millis in cases {
            let at = Timestamp::from_millis(millis);
            assert_eq!(at.to_string(), formatted(at), "{millis}");
            assert_eq!(
                at.date().to_string(),
                formatted(at)[..formatted(at).len() - 14],
                "{millis}"
            );
        }
    }
}
