//! The device's workspace: the agent's villages, their rosters and every
//! record on the device, with the rules that span rosters (a NIK at most once
//! on the whole device).
//!
//! Changes are two-step so that nothing counts as done before it is stored:
//! `plan_*` judges a change and returns the record to write, without changing
//! the workspace; the caller writes it, and only after the write committed
//! calls [`Workspace::commit`].

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use crate::i18n::Lang;
use crate::record::{Agent, RecordError, Timestamp, WorkerRecord};
use crate::registration::Registration;
use crate::roster::{
    DuplicateCheck, RecordId, Roster, RosterError, SlotChanges, Status, VillageError, VillageRef,
};

/// Why a planned change was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChangeError {
    UnknownVillage {
        code: String,
    },
    UnknownRecord {
        id: RecordId,
    },
    /// The NIK is already registered on this device (in this or another village).
    DuplicateNik {
        existing: RecordId,
        village: String,
    },
    /// Look-alikes (same birth date, similar name): ask the agent to confirm.
    PossibleDuplicates(Vec<RecordId>),
    Record(RecordError),
}

impl ChangeError {
    pub fn code(&self) -> &'static str {
        match self {
            ChangeError::UnknownVillage { .. } => "workspace.unknown_village",
            ChangeError::UnknownRecord { .. } => "workspace.unknown_record",
            ChangeError::DuplicateNik { .. } => "workspace.duplicate_nik",
            ChangeError::PossibleDuplicates(_) => "workspace.possible_duplicates",
            ChangeError::Record(e) => e.code(),
        }
    }

    pub fn message(&self, lang: Lang) -> String {
        match self {
            ChangeError::UnknownVillage { code } => match lang {
                Lang::Id => format!("Desa {code} belum ditambahkan di HP ini."),
                Lang::En => format!("Village {code} has not been added on this device."),
            },
            ChangeError::UnknownRecord { .. } => lang
                .pick("Data tidak ditemukan.", "Record not found.")
                .to_owned(),
            ChangeError::DuplicateNik { .. } => lang
                .pick(
                    "NIK ini sudah terdaftar di HP ini. Satu orang hanya boleh didaftarkan sekali.",
                    "This NIK is already registered on this device. A person can be registered only once.",
                )
                .to_owned(),
            ChangeError::PossibleDuplicates(ids) => match lang {
                Lang::Id => format!(
                    "Mungkin orang yang sama sudah terdaftar ({} data dengan tanggal lahir sama dan nama mirip). Periksa, lalu konfirmasi jika memang orang yang berbeda.",
                    ids.len()
                ),
                Lang::En => format!(
                    "The same person may already be registered ({} with the same birth date and a similar name). Check, then confirm if it is a different person.",
                    ids.len()
                ),
            },
            ChangeError::Record(e) => e.message(lang),
        }
    }
}

/// A judged change: the record to store. Apply it with [`Workspace::commit`]
/// once the store confirmed the write.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Planned {
    record: WorkerRecord,
    /// Look-alikes the agent confirmed are different people.
    pub possible_duplicates: Vec<RecordId>,
}

impl Planned {
    pub fn record(&self) -> &WorkerRecord {
        &self.record
    }
}

/// What a committed change did to the roster.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Committed {
    pub id: RecordId,
    pub village: String,
    /// The record's status now (`None` once removed).
    pub status: Option<Status>,
    /// Records moved between funded and waitlisted by this change.
    pub changes: SlotChanges,
}

#[derive(Default)]
pub struct Workspace {
    rosters: BTreeMap<String, Roster>,
    records: BTreeMap<RecordId, WorkerRecord>,
    last_seq: u64,
}

impl Workspace {
    /// Builds the workspace from stored villages and records. Records that
    /// break an invariant (never written by this code) are returned, not dropped.
    pub fn load(
        villages: impl IntoIterator<Item = (VillageRef, u32)>,
        records: impl IntoIterator<Item = WorkerRecord>,
    ) -> (Workspace, Vec<(RecordId, RosterError)>) {
        let mut records: Vec<WorkerRecord> = records.into_iter().collect();
        crate::order::sort_by(&mut records, WorkerRecord::cmp_creation);
        let mut workspace = Workspace {
            last_seq: records.last().map_or(0, WorkerRecord::seq),
            ..Workspace::default()
        };
        let mut rejected = Vec::new();
        // Each village with its active records (in creation order, restored in
        // one pass), by code; the last of a repeated code wins. A sorted list
        // rather than maps: map types each bring their own code into the wasm.
        type Entries = Vec<(RecordId, Arc<Registration>)>;
        let mut known: Vec<(VillageRef, u32, Entries)> = Vec::new();
        let find = |known: &[(VillageRef, u32, _)], code: &str| {
            known.binary_search_by(|(village, _, _)| village.code().cmp(code))
        };
        for (village, slots) in villages {
            crate::order::put_sorted(&mut known, (village, slots, Vec::new()), |(v, _, _)| {
                v.code()
            });
        }
        // A NIK is active at most once on the device: the earliest keeps it.
        // (The map type `Roster::restore` uses too: one copy of its code in the wasm.)
        // (Keys borrowed from the records: no copy of each NIK.)
        let mut niks: HashMap<&str, &RecordId> = HashMap::new();
        for record in records.iter().filter(|r| r.is_active()) {
            let id = record.id().clone();
            let nik = record.registration().nik.as_str();
            let Ok(index) = find(&known, record.village()) else {
                rejected.push((id.clone(), RosterError::UnknownRecord { id }));
                continue;
            };
            if let Some(existing) = niks.get(nik) {
                let existing = (*existing).clone();
                rejected.push((id, RosterError::DuplicateNik { existing }));
            } else {
                niks.insert(nik, record.id());
                known[index].2.push((id, record.shared_registration()));
            }
        }
        drop(niks);
        let mut rosters = BTreeMap::new();
        for (village, slots, entries) in known {
            let code = village.code().to_owned();
            let (roster, refused) = Roster::restore(village, slots, entries);
            rejected.extend(refused);
            rosters.insert(code, roster);
        }
        workspace.rosters = rosters;
        let mut refused: Vec<&RecordId> = rejected.iter().map(|(id, _)| id).collect();
        crate::order::sort_by(&mut refused, |a, b| a.cmp(b));
        for record in records {
            if refused.binary_search(&record.id()).is_err() {
                workspace.records.insert(record.id().clone(), record);
            }
        }
        (workspace, rejected)
    }

    /// Whether `village` may be added to the device: each village once (its
    /// roster, funded slots and name stay as they are).
    pub fn may_add_village(&self, village: &VillageRef) -> Result<(), VillageError> {
        match self.roster(village.code()) {
            Some(roster) => Err(VillageError::AlreadyAdded {
                code: village.code().to_owned(),
                name: roster.village().name().to_owned(),
            }),
            None => Ok(()),
        }
    }

    /// Adds a village, or changes its funded slots (reporting who moved).
    pub fn set_village(&mut self, village: VillageRef, funded_slots: u32) -> SlotChanges {
        match self.rosters.get_mut(village.code()) {
            Some(roster) => roster.set_funded_slots(funded_slots),
            None => {
                self.rosters.insert(
                    village.code().to_owned(),
                    Roster::new(village, funded_slots),
                );
                SlotChanges::default()
            }
        }
    }

    pub fn rosters(&self) -> impl Iterator<Item = &Roster> {
        self.rosters.values()
    }

    pub fn roster(&self, village: &str) -> Option<&Roster> {
        self.rosters.get(village)
    }

    pub fn record(&self, id: &RecordId) -> Option<&WorkerRecord> {
        self.records.get(id)
    }

    /// Every record on the device, removed ones included, in creation order.
    pub fn records(&self) -> Vec<&WorkerRecord> {
        let mut records: Vec<&WorkerRecord> = self.records.values().collect();
        crate::order::sort_by_key(&mut records, |r| r.seq());
        records
    }

    /// Every record of a village, removed ones included, in creation order.
    pub fn records_of<'a>(&'a self, village: &'a str) -> impl Iterator<Item = &'a WorkerRecord> {
        let mut records: Vec<&WorkerRecord> = self
            .records
            .values()
            .filter(|r| r.village() == village)
            .collect();
        crate::order::sort_by_key(&mut records, |r| r.seq());
        records.into_iter()
    }

    /// The active record holding `nik`, on the whole device.
    pub fn find_nik(&self, nik: &str) -> Option<&WorkerRecord> {
        self.rosters
            .values()
            .find_map(|roster| roster.find_nik(nik))
            .and_then(|id| self.records.get(id))
    }

    /// Judges a new registration in `village`.
    pub fn plan_register(
        &self,
        village: &str,
        registration: Registration,
        id: RecordId,
        agent: Agent,
        at: Timestamp,
        duplicates: DuplicateCheck,
    ) -> Result<Planned, ChangeError> {
        let roster = self.roster_of(village)?;
        self.refuse_duplicate_nik(&registration, None)?;
        let mut trial = roster.clone();
        let added = trial
            .add(id.clone(), registration.clone(), duplicates)
            .map_err(roster_error)?;
        let record = WorkerRecord::create(id, village, self.last_seq + 1, registration, agent, at);
        Ok(Planned {
            record,
            possible_duplicates: added.possible_duplicates,
        })
    }

    /// Judges an edit of record `id`.
    pub fn plan_edit(
        &self,
        id: &RecordId,
        registration: Registration,
        agent: Agent,
        at: Timestamp,
        reason: &str,
        duplicates: DuplicateCheck,
    ) -> Result<Planned, ChangeError> {
        let current = self.active_record(id)?;
        self.refuse_duplicate_nik(&registration, Some(id))?;
        let mut trial = self.roster_of(current.village())?.clone();
        let replaced = trial
            .replace(id, registration.clone(), duplicates)
            .map_err(roster_error)?;
        let mut record = current.clone();
        record
            .edit(registration, agent, at, reason)
            .map_err(ChangeError::Record)?;
        Ok(Planned {
            record,
            possible_duplicates: replaced.possible_duplicates,
        })
    }

    /// Judges the removal of record `id`.
    pub fn plan_remove(
        &self,
        id: &RecordId,
        agent: Agent,
        at: Timestamp,
        reason: &str,
    ) -> Result<Planned, ChangeError> {
        let mut record = self.active_record(id)?.clone();
        record
            .remove(agent, at, reason)
            .map_err(ChangeError::Record)?;
        Ok(Planned {
            record,
            possible_duplicates: Vec::new(),
        })
    }

    /// Applies a planned change after it was stored. Plans made from an
    /// older state are re-checked by the roster; a conflict is an error and
    /// leaves the workspace as it was.
    pub fn commit(&mut self, planned: Planned) -> Result<Committed, ChangeError> {
        let record = planned.record;
        let id = record.id().clone();
        let village = record.village().to_owned();
        let roster = self
            .rosters
            .get_mut(&village)
            .ok_or_else(|| ChangeError::UnknownVillage {
                code: village.clone(),
            })?;
        let (status, changes) = match (self.records.get(&id), record.is_active()) {
            (None, true) => {
                let added = roster
                    .add(
                        id.clone(),
                        record.shared_registration(),
                        DuplicateCheck::Confirmed,
                    )
                    .map_err(roster_error)?;
                (Some(added.status), SlotChanges::default())
            }
            (Some(_), true) => {
                let replaced = roster
                    .replace(&id, record.shared_registration(), DuplicateCheck::Confirmed)
                    .map_err(roster_error)?;
                (Some(replaced.status), replaced.changes)
            }
            (_, false) => {
                let promoted = match roster.remove(&id) {
                    Ok(removal) => removal.promoted.into_iter().collect(),
                    Err(RosterError::UnknownRecord { .. }) => Vec::new(),
                    Err(e) => return Err(roster_error(e)),
                };
                (
                    None,
                    SlotChanges {
                        promoted,
                        demoted: Vec::new(),
                    },
                )
            }
        };
        self.last_seq = self.last_seq.max(record.seq());
        self.records.insert(id.clone(), record);
        Ok(Committed {
            id,
            village,
            status,
            changes,
        })
    }

    fn roster_of(&self, village: &str) -> Result<&Roster, ChangeError> {
        self.rosters
            .get(village)
            .ok_or_else(|| ChangeError::UnknownVillage {
                code: village.to_owned(),
            })
    }

    fn active_record(&self, id: &RecordId) -> Result<&WorkerRecord, ChangeError> {
        match self.records.get(id) {
            None => Err(ChangeError::UnknownRecord { id: id.clone() }),
            Some(record) if !record.is_active() => {
                Err(ChangeError::Record(RecordError::AlreadyRemoved))
            }
            Some(record) => Ok(record),
        }
    }

    fn refuse_duplicate_nik(
        &self,
        registration: &Registration,
        except: Option<&RecordId>,
    ) -> Result<(), ChangeError> {
        match self.find_nik(registration.nik.as_str()) {
            Some(existing) if Some(existing.id()) != except => Err(ChangeError::DuplicateNik {
                existing: existing.id().clone(),
                village: existing.village().to_owned(),
            }),
            _ => Ok(()),
        }
    }
}

fn roster_error(error: RosterError) -> ChangeError {
    match error {
        RosterError::DuplicateNik { existing } => ChangeError::DuplicateNik {
            existing,
            village: String::new(),
        },
        RosterError::PossibleDuplicates(ids) => ChangeError::PossibleDuplicates(ids),
        RosterError::UnknownRecord { id } | RosterError::DuplicateRecordId { id } => {
            ChangeError::UnknownRecord { id }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::date::Date;
    use crate::registration::{check, RegistrationInput};
    use crate::rulepack::RulePack;

    const DESA_A: &str = "61.07.01.2001";
    const DESA_B: &str = "61.07.01.2002";

    fn registration(nik: &str, name: &str, birth: &str, sex: &str, segment: &str) -> Registration {
        let category = if segment == "PU" {
            "perangkat_desa"
        } else {
            "petani"
        };
        let input = RegistrationInput {
            nik: nik.into(),
            name: name.into(),
            birth_date: birth.into(),
            sex: sex.into(),
            segment: segment.into(),
            category: category.into(),
            ..RegistrationInput::default()
        };
        check(
            &input,
            &RulePack::default_pack(),
            Date::parse_iso("2026-11-21").unwrap(),
        )
        .registration
        .expect("valid test input")
    }

    fn worker(n: u32) -> Registration {
        // Made-up NIKs: men born on day n of January 1980, serial n.
        registration(
            &format!("610701{n:02}0180{n:04}"),
            &format!(
                "Pekerja {}",
                ["Satu", "Dua", "Tiga", "Empat", "Lima"][n as usize - 1]
            ),
            &format!("1980-01-{n:02}"),
            "M",
            "BPU",
        )
    }

    fn agent() -> Agent {
        Agent {
            id: "a1".into(),
            name: "Petugas".into(),
        }
    }

    fn id(s: &str) -> RecordId {
        RecordId::new(s).unwrap()
    }

    fn workspace(slots: u32) -> Workspace {
        let (mut ws, rejected) = Workspace::load([], []);
        assert!(rejected.is_empty());
        ws.set_village(VillageRef::new(DESA_A, "Sungai Duri").unwrap(), slots);
        ws.set_village(VillageRef::new(DESA_B, "Desa B").unwrap(), slots);
        ws
    }

    fn register(ws: &mut Workspace, village: &str, rid: &str, reg: Registration) -> Committed {
        let planned = ws
            .plan_register(
                village,
                reg,
                id(rid),
                agent(),
                Timestamp::from_millis(1),
                DuplicateCheck::Ask,
            )
            .unwrap();
        ws.commit(planned).unwrap()
    }

    #[test]
    fn a_village_is_added_once() {
        let ws = workspace(100);
        // (code as typed, name) -> Ok or the refusal's code and message
        let cases = [
            ("61.07.01.2003", "Desa Baru", None),
            (
                DESA_A,
                "Sungai Duri",
                Some("Sungai Duri (61.07.01.2001) sudah ada di daftar desa Anda."),
            ),
            // Typed another way, or under another name: the same village.
            (
                "6107012001",
                "Duri",
                Some("Sungai Duri (61.07.01.2001) sudah ada di daftar desa Anda."),
            ),
        ];
        for (code, name, refused) in cases {
            let village = VillageRef::new(code, name).unwrap();
            let got = ws.may_add_village(&village).map_err(|e| {
                assert_eq!(e.code(), "village.already_added");
                e.message(Lang::Id)
            });
            assert_eq!(got.err().as_deref(), refused, "{code}");
        }
    }

    #[test]
    fn planning_changes_nothing_until_commit() {
        let ws = workspace(2);
        let planned = ws
            .plan_register(
                DESA_A,
                worker(1),
                id("r1"),
                agent(),
                Timestamp::from_millis(1),
                DuplicateCheck::Ask,
            )
            .unwrap();
        assert_eq!(planned.record().seq(), 1);
        assert_eq!(ws.roster(DESA_A).unwrap().len(), 0);
        assert!(ws
            .find_nik(planned.record().registration().nik.as_str())
            .is_none());
    }

    #[test]
    fn funded_then_waitlisted_then_promoted_on_removal() {
        let mut ws = workspace(2);
        let statuses: Vec<Option<Status>> = (1..=3)
            .map(|n| register(&mut ws, DESA_A, &format!("r{n}"), worker(n)).status)
            .collect();
        assert_eq!(
            statuses,
            [
                Some(Status::Funded),
                Some(Status::Funded),
                Some(Status::Waitlisted { position: 1 })
            ]
        );
        let planned = ws
            .plan_remove(
                &id("r1"),
                agent(),
                Timestamp::from_millis(5),
                "meninggal dunia",
            )
            .unwrap();
        let committed = ws.commit(planned).unwrap();
        assert_eq!(committed.status, None);
        assert_eq!(committed.changes.promoted, vec![id("r3")]);
        assert_eq!(
            ws.roster(DESA_A).unwrap().status(&id("r3")),
            Some(Status::Funded)
        );
        // The removed record stays on the device with its history.
        let removed = ws.record(&id("r1")).unwrap();
        assert!(!removed.is_active());
        assert_eq!(removed.history().len(), 2);
    }

    #[test]
    fn a_nik_is_registered_once_on_the_whole_device() {
        let mut ws = workspace(100);
        register(&mut ws, DESA_A, "r1", worker(1));
        let cases = [(DESA_A, "r2"), (DESA_B, "r3")];
        for (village, rid) in cases {
            let error = ws
                .plan_register(
                    village,
                    worker(1),
                    id(rid),
                    agent(),
                    Timestamp::from_millis(2),
                    DuplicateCheck::Confirmed,
                )
                .unwrap_err();
            assert_eq!(
                error,
                ChangeError::DuplicateNik {
                    existing: id("r1"),
                    village: DESA_A.into()
                },
                "{village}"
            );
        }
        // Once removed, the NIK can be registered again (e.g. in the village they moved to).
        let planned = ws
            .plan_remove(&id("r1"), agent(), Timestamp::from_millis(3), "pindah desa")
            .unwrap();
        ws.commit(planned).unwrap();
        register(&mut ws, DESA_B, "r4", worker(1));
        assert_eq!(ws.find_nik(worker(1).nik.as_str()).unwrap().id(), &id("r4"));
    }

    #[test]
    fn look_alikes_need_confirmation() {
        let mut ws = workspace(100);
        register(&mut ws, DESA_A, "r1", worker(1));
        // Same birth date, old spelling of a similar name, different NIK.
        let look_alike = registration(
            "6107010101800009",
            "Pekerdja Satoe",
            "1980-01-01",
            "M",
            "BPU",
        );
        let asked = ws.plan_register(
            DESA_A,
            look_alike.clone(),
            id("r2"),
            agent(),
            Timestamp::from_millis(2),
            DuplicateCheck::Ask,
        );
        assert_eq!(
            asked.unwrap_err(),
            ChangeError::PossibleDuplicates(vec![id("r1")])
        );
        let confirmed = ws
            .plan_register(
                DESA_A,
                look_alike,
                id("r2"),
                agent(),
                Timestamp::from_millis(2),
                DuplicateCheck::Confirmed,
            )
            .unwrap();
        assert_eq!(confirmed.possible_duplicates, vec![id("r1")]);
    }

    #[test]
    fn edits_keep_the_place_and_need_a_reason() {
        let mut ws = workspace(1);
        register(&mut ws, DESA_A, "r1", worker(1));
        register(&mut ws, DESA_A, "r2", worker(2));
        let renamed = registration(
            "6107010101800001",
            "Pekerja Satu Baru",
            "1980-01-01",
            "M",
            "BPU",
        );
        let no_reason = ws.plan_edit(
            &id("r1"),
            renamed.clone(),
            agent(),
            Timestamp::from_millis(3),
            "",
            DuplicateCheck::Ask,
        );
        assert_eq!(no_reason.unwrap_err().code(), "record.reason_required");
        let planned = ws
            .plan_edit(
                &id("r1"),
                renamed,
                agent(),
                Timestamp::from_millis(3),
                "salah ketik",
                DuplicateCheck::Ask,
            )
            .unwrap();
        let committed = ws.commit(planned).unwrap();
        assert_eq!(committed.status, Some(Status::Funded));
        assert_eq!(ws.record(&id("r1")).unwrap().revision(), 2);
        // Editing to another record's NIK is refused.
        let stolen = registration(
            "6107010201800002",
            "Pekerja Satu Baru",
            "1980-01-02",
            "M",
            "BPU",
        );
        let error = ws.plan_edit(
            &id("r1"),
            stolen,
            agent(),
            Timestamp::from_millis(4),
            "x",
            DuplicateCheck::Confirmed,
        );
        assert_eq!(error.unwrap_err().code(), "workspace.duplicate_nik");
        // Turning the funded worker into apparatus frees the slot for r2.
        let official = registration(
            "6107010101800001",
            "Pekerja Satu Baru",
            "1980-01-01",
            "M",
            "PU",
        );
        let planned = ws
            .plan_edit(
                &id("r1"),
                official,
                agent(),
                Timestamp::from_millis(5),
                "ternyata perangkat desa",
                DuplicateCheck::Ask,
            )
            .unwrap();
        let committed = ws.commit(planned).unwrap();
        assert_eq!(committed.status, Some(Status::Apparatus));
        assert_eq!(committed.changes.promoted, vec![id("r2")]);
    }

    #[test]
    fn loading_restores_rosters_and_sequence() {
        let mut ws = workspace(1);
        register(&mut ws, DESA_A, "r1", worker(1));
        register(&mut ws, DESA_A, "r2", worker(2));
        let planned = ws
            .plan_remove(&id("r1"), agent(), Timestamp::from_millis(9), "meninggal")
            .unwrap();
        ws.commit(planned).unwrap();
        let records: Vec<WorkerRecord> = ws.records.values().cloned().collect();
        let villages = [
            (VillageRef::new(DESA_A, "Sungai Duri").unwrap(), 1),
            (VillageRef::new(DESA_B, "Desa B").unwrap(), 1),
        ];
        let (loaded, rejected) = Workspace::load(villages, records);
        assert!(rejected.is_empty());
        assert_eq!(
            loaded.roster(DESA_A).unwrap().status(&id("r2")),
            Some(Status::Funded)
        );
        assert_eq!(loaded.records_of(DESA_A).count(), 2);
        let next = loaded
            .plan_register(
                DESA_B,
                worker(3),
                id("r3"),
                agent(),
                Timestamp::from_millis(10),
                DuplicateCheck::Ask,
            )
            .unwrap();
        assert_eq!(next.record().seq(), 3);
    }

    #[test]
    fn loading_refuses_records_that_break_an_invariant() {
        let record = |rid: &str, village: &str, seq: u64, reg: Registration| {
            WorkerRecord::create(
                id(rid),
                village,
                seq,
                reg,
                agent(),
                Timestamp::from_millis(seq as i64),
            )
        };
        let villages = [
            (VillageRef::new(DESA_A, "Sungai Duri").unwrap(), 100),
            (VillageRef::new(DESA_B, "Desa B").unwrap(), 100),
        ];
        let records = [
            record("r1", DESA_A, 1, worker(1)),
            // The same NIK again, in the same and in another village.
            record("r2", DESA_A, 2, worker(1)),
            record("r3", DESA_B, 3, worker(1)),
            // A village that is not on the device.
            record("r4", "61.07.01.2099", 4, worker(2)),
            record("r5", DESA_B, 5, worker(3)),
        ];
        let (ws, rejected) = Workspace::load(villages, records);
        let codes: Vec<(&str, &str)> = rejected
            .iter()
            .map(|(rid, error)| (rid.as_str(), error.code()))
            .collect();
        assert_eq!(
            codes,
            [
                ("r2", "roster.duplicate_nik"),
                ("r3", "roster.duplicate_nik"),
                ("r4", "roster.unknown_record"),
            ]
        );
        assert_eq!(ws.roster(DESA_A).unwrap().len(), 1);
        assert_eq!(ws.roster(DESA_B).unwrap().len(), 1);
        assert!(ws.record(&id("r3")).is_none());
        assert_eq!(ws.find_nik(worker(3).nik.as_str()).unwrap().id(), &id("r5"));
    }
}
