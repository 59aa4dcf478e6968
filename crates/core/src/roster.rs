//! A village's roster: who is registered in one village, in registration
//! order, and who of them the programme funds.
//!
//! Architecture invariants:
//! - A NIK appears at most once in a roster, and record ids are unique.
//!   [`Roster::add`] and [`Roster::replace`] refuse anything else; there is no
//!   other way in. Across the rosters on a device, use [`find_nik`].
//! - Status is derived, never stored. Registrations that use funded slots
//!   (vulnerable workers) fill the village's `funded_slots` in registration
//!   order; the rest of them wait, first come first served. Registrations
//!   that do not use slots (village apparatus) are [`Status::Apparatus`].
//!   So removing a funded worker, editing a registration or changing the
//!   number of slots moves people between funded and waitlisted by itself,
//!   and each of those operations reports who moved.
//! - Record ids come from the caller: the core makes no ids.
//! - Possible duplicates (same date of birth, similar name, different NIK)
//!   are never silently accepted: [`DuplicateCheck::Ask`] refuses them,
//!   [`DuplicateCheck::Confirmed`] accepts them and lists them as warnings.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::sync::Arc;

use crate::i18n::Lang;
use crate::nik;
use crate::registration::Registration;
use crate::village_code::{CodeError, VillageCode};

/// The id of one record (one registration) in a roster, made by the caller
/// (the core makes no ids). Never empty, no whitespace or control characters.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RecordId(String);

impl RecordId {
    /// The id, or `None` if it is empty or contains whitespace or control
    /// characters.
    pub fn new(id: impl Into<String>) -> Option<RecordId> {
        let id = id.into();
        let well_formed =
            !id.is_empty() && !id.chars().any(|c| c.is_whitespace() || c.is_control());
        well_formed.then_some(RecordId(id))
    }

    /// A random (version 4) UUID from 16 random bytes, as
    /// `crypto.randomUUID` writes it. The caller brings the randomness (the
    /// core has none): `crypto.getRandomValues`, which unlike `randomUUID`
    /// exists outside secure contexts and in older WebViews.
    pub fn from_random(mut bytes: [u8; 16]) -> RecordId {
        bytes[6] = (bytes[6] & 0x0f) | 0x40; // version 4
        bytes[8] = (bytes[8] & 0x3f) | 0x80; // RFC 4122 variant
        let mut id = String::with_capacity(36);
        for (i, b) in bytes.iter().enumerate() {
            if matches!(i, 4 | 6 | 8 | 10) {
                id.push('-');
            }
            for nibble in [b >> 4, b & 0x0f] {
                id.push(char::from_digit(u32::from(nibble), 16).unwrap_or('0'));
            }
        }
        RecordId(id)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for RecordId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The village a roster belongs to: its Kemendagri code (`PP.KK.CC.XXXX`,
/// e.g. `61.07.01.2001`) and name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VillageRef {
    code: VillageCode,
    name: String,
}

/// Why a village code or name is not acceptable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VillageError {
    /// Not of the form `PP.KK.CC.XXXX` with `XXXX` starting 1 (kelurahan),
    /// 2 (desa) or 3 (desa adat).
    CodeInvalid {
        code: String,
    },
    /// The first two digits are not one of the Kemendagri province codes.
    ProvinceUnknown {
        code: String,
    },
    NameEmpty,
    /// The device has this village already (adding it again would change
    /// nothing, or quietly rename it).
    AlreadyAdded {
        code: String,
        name: String,
    },
}

impl VillageRef {
    /// Checks the code with [`VillageCode::parse`] (its form and province;
    /// regency and district codes change over time, so they are not checked)
    /// and that the name is not blank. Reports every problem at once. The
    /// code is kept in its written form (`61.07.01.2001`); the name is trimmed
    /// and its inner whitespace collapsed.
    pub fn new(code: &str, name: &str) -> Result<VillageRef, Vec<VillageError>> {
        let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
        let mut errors = Vec::new();
        let code = VillageCode::parse(code).map_err(|error| match error {
            CodeError::ProvinceUnknown { province } => {
                VillageError::ProvinceUnknown { code: province }
            }
            _ => VillageError::CodeInvalid {
                code: code.trim().to_owned(),
            },
        });
        let code = code.map_err(|e| errors.push(e)).ok();
        if name.is_empty() {
            errors.push(VillageError::NameEmpty);
        }
        match code {
            Some(code) if errors.is_empty() => Ok(VillageRef { code, name }),
            _ => Err(errors),
        }
    }

    pub fn code(&self) -> &str {
        self.code.as_str()
    }

    pub fn name(&self) -> &str {
        &self.name
    }
}

impl VillageError {
    pub fn code(&self) -> &'static str {
        match self {
            VillageError::CodeInvalid { .. } => "village.code_invalid",
            VillageError::ProvinceUnknown { .. } => "village.province_unknown",
            VillageError::NameEmpty => "village.name_empty",
            VillageError::AlreadyAdded { .. } => "village.already_added",
        }
    }

    pub fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (VillageError::CodeInvalid { code }, Lang::Id) => format!(
                "Kode desa \"{code}\" tidak valid: harus berbentuk PP.KK.CC.XXXX (mis. 61.07.01.2001)."
            ),
            (VillageError::CodeInvalid { code }, Lang::En) => format!(
                "Village code \"{code}\" is not valid: it has the form PP.KK.CC.XXXX (e.g. 61.07.01.2001)."
            ),
            (VillageError::ProvinceUnknown { code }, Lang::Id) => {
                format!("Kode desa diawali {code}, yang bukan kode provinsi.")
            }
            (VillageError::ProvinceUnknown { code }, Lang::En) => {
                format!("The village code starts with {code}, which is not a province code.")
            }
            (VillageError::NameEmpty, Lang::Id) => "Nama desa wajib diisi.".into(),
            (VillageError::NameEmpty, Lang::En) => "The village name is required.".into(),
            (VillageError::AlreadyAdded { code, name }, Lang::Id) => {
                format!("{name} ({code}) sudah ada di daftar desa Anda.")
            }
            (VillageError::AlreadyAdded { code, name }, Lang::En) => {
                format!("{name} ({code}) is already in your villages.")
            }
        }
    }
}

/// One registration in a roster, under its record id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    id: RecordId,
    /// Shared with the workspace's `WorkerRecord`: a device's start holds
    /// every registration once, not once per record and once per roster.
    registration: Arc<Registration>,
    /// [`name_key`] of the registration's name, computed once (search and
    /// the duplicate check compare keys many times).
    name_key: String,
}

impl Entry {
    fn new(id: RecordId, registration: Arc<Registration>) -> Entry {
        let name_key = name_key(&registration.name);
        Entry {
            id,
            registration,
            name_key,
        }
    }

    pub fn id(&self) -> &RecordId {
        &self.id
    }

    pub fn registration(&self) -> &Registration {
        &self.registration
    }

    /// The name as compared: see [`name_key`].
    pub fn name_key(&self) -> &str {
        &self.name_key
    }
}

/// Where a registration stands, derived from its place in the roster.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Status {
    /// Takes one of the village's funded slots.
    Funded,
    /// Uses funded slots but all are taken; `position` 1 is next in line.
    Waitlisted { position: u32 },
    /// Does not use funded slots (village apparatus).
    Apparatus,
}

impl Status {
    pub fn code(self) -> &'static str {
        match self {
            Status::Funded => "funded",
            Status::Waitlisted { .. } => "waitlisted",
            Status::Apparatus => "apparatus",
        }
    }

    /// Whether the programme pays this registration's contributions
    /// (funded workers and apparatus; not the waitlist).
    pub fn is_paid(self) -> bool {
        !matches!(self, Status::Waitlisted { .. })
    }

    /// For a registration that lands on the waitlist: that the village's
    /// funded slots are all taken, and what waitlisted means for `name`.
    /// `None` for the other statuses.
    pub fn waitlist_explained(self, name: &str, funded_slots: u32, lang: Lang) -> Option<String> {
        let Status::Waitlisted { position } = self else {
            return None;
        };
        Some(match lang {
            Lang::Id => format!(
                "Semua {funded_slots} kuota didanai desa ini sudah terisi. {name} masuk daftar tunggu nomor {position}: iurannya belum dibayar program, dan ia naik menjadi didanai dengan sendirinya bila ada kuota yang kosong (misalnya seorang peserta didanai dihapus)."
            ),
            Lang::En => format!(
                "All {funded_slots} funded slots of this village are taken. {name} is number {position} on the waitlist: the programme does not pay their contributions yet, and they move up to funded by themselves when a slot frees up (say a funded participant is removed)."
            ),
        })
    }

    /// "Didanai", "Daftar tunggu #3", "Aparatur desa".
    pub fn label(self, lang: Lang) -> String {
        match self {
            Status::Funded => lang.pick("Didanai", "Funded").into(),
            Status::Waitlisted { position } => match lang {
                Lang::Id => format!("Daftar tunggu #{position}"),
                Lang::En => format!("Waitlisted #{position}"),
            },
            Status::Apparatus => lang.pick("Aparatur desa", "Village apparatus").into(),
        }
    }
}

/// What to do when a registration looks like someone already in the roster
/// (same date of birth, similar name, different NIK).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DuplicateCheck {
    /// Refuse with [`RosterError::PossibleDuplicates`], so the agent can check.
    Ask,
    /// The agent checked: accept, and list the look-alikes as warnings.
    Confirmed,
}

/// How many registrations are in each status.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub funded: u32,
    pub waitlisted: u32,
    pub apparatus: u32,
    pub funded_slots: u32,
}

impl Counts {
    /// Funded slots not yet taken.
    pub fn open_slots(&self) -> u32 {
        self.funded_slots.saturating_sub(self.funded)
    }
}

/// The outcome of [`Roster::add`]: enough for "Didanai (87/100)" or
/// "Daftar tunggu #3".
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Added {
    pub id: RecordId,
    pub status: Status,
    /// The roster's counts after the addition.
    pub counts: Counts,
    /// Look-alikes the agent confirmed were different people.
    pub possible_duplicates: Vec<RecordId>,
}

/// The outcome of [`Roster::remove`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Removal {
    pub removed: Entry,
    /// The first of the waitlist, if the removal freed a funded slot for them.
    pub promoted: Option<RecordId>,
}

/// The outcome of [`Roster::replace`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Replaced {
    /// The replaced entry as it was.
    pub previous: Registration,
    /// The entry's status now.
    pub status: Status,
    /// Other entries that moved (e.g. an edit from vulnerable worker to
    /// apparatus frees a slot).
    pub changes: SlotChanges,
    pub possible_duplicates: Vec<RecordId>,
}

/// Entries that moved between funded and waitlisted, in roster order.
/// Moves within the waitlist are not listed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SlotChanges {
    pub promoted: Vec<RecordId>,
    pub demoted: Vec<RecordId>,
}

impl SlotChanges {
    pub fn is_empty(&self) -> bool {
        self.promoted.is_empty() && self.demoted.is_empty()
    }
}

/// Why a roster refused an operation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RosterError {
    /// The NIK is already registered in this roster, under `existing`.
    DuplicateNik { existing: RecordId },
    /// The record id is already used in this roster.
    DuplicateRecordId { id: RecordId },
    /// No record with this id in this roster.
    UnknownRecord { id: RecordId },
    /// Same date of birth and a similar name as these records (with a
    /// different NIK); retry with [`DuplicateCheck::Confirmed`] if they are
    /// different people.
    PossibleDuplicates(Vec<RecordId>),
}

impl RosterError {
    /// Stable code, e.g. `roster.duplicate_nik`.
    pub fn code(&self) -> &'static str {
        match self {
            RosterError::DuplicateNik { .. } => "roster.duplicate_nik",
            RosterError::DuplicateRecordId { .. } => "roster.duplicate_record_id",
            RosterError::UnknownRecord { .. } => "roster.unknown_record",
            RosterError::PossibleDuplicates(_) => "roster.possible_duplicates",
        }
    }

    pub fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (RosterError::DuplicateNik { existing }, Lang::Id) => format!(
                "NIK ini sudah terdaftar di desa ini (data {existing}). Satu orang hanya boleh didaftarkan sekali."
            ),
            (RosterError::DuplicateNik { existing }, Lang::En) => format!(
                "This NIK is already registered in this village (record {existing}). A person is registered only once."
            ),
            (RosterError::DuplicateRecordId { id }, Lang::Id) => {
                format!("Nomor data {id} sudah dipakai di desa ini.")
            }
            (RosterError::DuplicateRecordId { id }, Lang::En) => {
                format!("Record id {id} is already used in this village.")
            }
            (RosterError::UnknownRecord { id }, Lang::Id) => {
                format!("Data {id} tidak ada di daftar desa ini.")
            }
            (RosterError::UnknownRecord { id }, Lang::En) => {
                format!("Record {id} is not in this village's roster.")
            }
            (RosterError::PossibleDuplicates(ids), Lang::Id) => format!(
                "Mungkin orang ini sudah terdaftar: {} data dengan tanggal lahir sama dan nama mirip ({}). Periksa KTP; simpan hanya bila orangnya berbeda.",
                ids.len(),
                join(ids)
            ),
            (RosterError::PossibleDuplicates(ids), Lang::En) => format!(
                "This person may already be registered: {} record(s) with the same date of birth and a similar name ({}). Check the ID card; save only if it is a different person.",
                ids.len(),
                join(ids)
            ),
        }
    }
}

fn join(ids: &[RecordId]) -> String {
    ids.iter()
        .map(RecordId::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The registrations of one village, in registration order.
#[derive(Clone, Debug)]
pub struct Roster {
    village: VillageRef,
    funded_slots: u32,
    entries: Vec<Entry>,
    /// Unique to this roster's current content: see [`Roster::generation`].
    generation: u64,
}

/// Equal rosters hold the same village, slots and entries, however they came
/// to (the generation is not content).
impl PartialEq for Roster {
    fn eq(&self, other: &Roster) -> bool {
        self.village == other.village
            && self.funded_slots == other.funded_slots
            && self.entries == other.entries
    }
}

impl Eq for Roster {}

/// Generations are drawn from one counter, so no two rosters (nor one
/// roster before and after a change) ever share one.
fn next_generation() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

impl Roster {
    /// An empty roster. `funded_slots` usually comes from the rule pack
    /// ([`crate::rulepack::RulePack::funded_slots_per_village`]) unless the
    /// regency funds a different number in this village.
    pub fn new(village: VillageRef, funded_slots: u32) -> Roster {
        Roster {
            village,
            funded_slots,
            entries: Vec::new(),
            generation: next_generation(),
        }
    }

    /// Changes whenever the roster does (and differs between any two
    /// rosters): a search that ran on one generation can be refined only on
    /// that same generation ([`crate::query::Search::refine`]).
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// Rebuilds a roster from stored entries in registration order, in one
    /// pass (no look-alike search: those were confirmed when registered).
    /// Entries that would break an invariant (a repeated id or NIK) are
    /// returned with the error, not silently dropped.
    pub fn restore(
        village: VillageRef,
        funded_slots: u32,
        entries: impl IntoIterator<Item = (RecordId, impl Into<Arc<Registration>>)>,
    ) -> (Roster, Vec<(RecordId, RosterError)>) {
        let entries: Vec<(RecordId, Arc<Registration>)> = entries
            .into_iter()
            .map(|(id, registration)| (id, registration.into()))
            .collect();
        let mut roster = Roster::new(village, funded_slots);
        let mut rejected = Vec::new();
        // Which entries stay, decided with keys borrowed from the entries (a
        // device's start restores every worker: no copy of each id and NIK).
        let mut kept = vec![false; entries.len()];
        {
            let mut ids: HashSet<&str> = HashSet::new();
            let mut niks: HashMap<&str, &RecordId> = HashMap::new();
            for (keep, (id, registration)) in kept.iter_mut().zip(&entries) {
                if ids.contains(id.as_str()) {
                    let id = id.clone();
                    rejected.push((id.clone(), RosterError::DuplicateRecordId { id }));
                    continue;
                }
                if let Some(existing) = niks.get(registration.nik.as_str()) {
                    let existing = (*existing).clone();
                    rejected.push((id.clone(), RosterError::DuplicateNik { existing }));
                    continue;
                }
                ids.insert(id.as_str());
                niks.insert(registration.nik.as_str(), id);
                *keep = true;
            }
        }
        roster.entries.reserve(entries.len());
        for (keep, (id, registration)) in kept.into_iter().zip(entries) {
            if keep {
                roster.entries.push(Entry::new(id, registration));
            }
        }
        roster.generation = next_generation();
        (roster, rejected)
    }

    pub fn village(&self) -> &VillageRef {
        &self.village
    }

    pub fn funded_slots(&self) -> u32 {
        self.funded_slots
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entry at `index` in registration order.
    pub(crate) fn entry_at(&self, index: usize) -> Option<&Entry> {
        self.entries.get(index)
    }

    pub fn get(&self, id: &RecordId) -> Option<&Entry> {
        self.entries.iter().find(|e| &e.id == id)
    }

    /// The record holding this NIK (separators like spaces and dots ignored).
    pub fn find_nik(&self, nik: &str) -> Option<&RecordId> {
        let nik = nik::normalize(nik);
        self.entries
            .iter()
            .find(|e| e.registration.nik.as_str() == nik)
            .map(|e| &e.id)
    }

    /// The entries in registration order, with their status.
    /// Statuses are derived on the way, without a list of them (a roster search
    /// walks every entry on each keystroke).
    pub fn entries(&self) -> impl Iterator<Item = (&Entry, Status)> + '_ {
        let mut funded = 0;
        let mut waiting = 0;
        self.entries.iter().map(move |entry| {
            let status = if !entry.registration.uses_funded_slots {
                Status::Apparatus
            } else if funded < self.funded_slots {
                funded += 1;
                Status::Funded
            } else {
                waiting += 1;
                Status::Waitlisted { position: waiting }
            };
            (entry, status)
        })
    }

    pub fn status(&self, id: &RecordId) -> Option<Status> {
        let index = self.index_of(id)?;
        Some(self.statuses()[index])
    }

    pub fn counts(&self) -> Counts {
        let mut counts = Counts {
            funded: 0,
            waitlisted: 0,
            apparatus: 0,
            funded_slots: self.funded_slots,
        };
        for status in self.statuses() {
            match status {
                Status::Funded => counts.funded += 1,
                Status::Waitlisted { .. } => counts.waitlisted += 1,
                Status::Apparatus => counts.apparatus += 1,
            }
        }
        counts
    }

    /// Records that may be the same person as `registration`: same date of
    /// birth and a similar name (see [`similar_names`]), but another NIK
    /// (the same NIK is a hard error, not a possibility).
    pub fn possible_duplicates(&self, registration: &Registration) -> Vec<&RecordId> {
        self.look_alikes(registration, None)
    }

    /// Appends a registration. Refused if `id` or the NIK is already in the
    /// roster, or, with [`DuplicateCheck::Ask`], if it has possible duplicates.
    pub fn add(
        &mut self,
        id: RecordId,
        registration: impl Into<Arc<Registration>>,
        check: DuplicateCheck,
    ) -> Result<Added, RosterError> {
        let registration = registration.into();
        if self.index_of(&id).is_some() {
            return Err(RosterError::DuplicateRecordId { id });
        }
        if let Some(existing) = self.find_nik(registration.nik.as_str()) {
            return Err(RosterError::DuplicateNik {
                existing: existing.clone(),
            });
        }
        let possible_duplicates = self.confirm(&registration, None, check)?;
        self.entries.push(Entry::new(id, registration));
        self.generation = next_generation();
        let status = *self.statuses().last().expect("an entry was just added");
        let id = self
            .entries
            .last()
            .expect("an entry was just added")
            .id
            .clone();
        Ok(Added {
            id,
            status,
            counts: self.counts(),
            possible_duplicates,
        })
    }

    /// Replaces the registration of `id` (an edit), keeping its place in
    /// registration order. Refused if the new NIK belongs to another record,
    /// or, with [`DuplicateCheck::Ask`], if it looks like another record.
    pub fn replace(
        &mut self,
        id: &RecordId,
        registration: impl Into<Arc<Registration>>,
        check: DuplicateCheck,
    ) -> Result<Replaced, RosterError> {
        let registration = registration.into();
        let index = self
            .index_of(id)
            .ok_or_else(|| RosterError::UnknownRecord { id: id.clone() })?;
        if let Some(existing) = self.find_nik(registration.nik.as_str()) {
            if existing != id {
                return Err(RosterError::DuplicateNik {
                    existing: existing.clone(),
                });
            }
        }
        let possible_duplicates = self.confirm(&registration, Some(id), check)?;
        let before = self.snapshot();
        let previous = std::mem::replace(&mut self.entries[index].registration, registration);
        self.entries[index].name_key = name_key(&self.entries[index].registration.name);
        self.generation = next_generation();
        let mut changes = self.changes_since(&before);
        changes.promoted.retain(|p| p != id);
        changes.demoted.retain(|d| d != id);
        Ok(Replaced {
            previous: Arc::unwrap_or_clone(previous),
            status: self.statuses()[index],
            changes,
            possible_duplicates,
        })
    }

    /// Removes a record; the first of the waitlist moves up if a funded slot
    /// was freed.
    pub fn remove(&mut self, id: &RecordId) -> Result<Removal, RosterError> {
        let index = self
            .index_of(id)
            .ok_or_else(|| RosterError::UnknownRecord { id: id.clone() })?;
        let before = self.snapshot();
        let removed = self.entries.remove(index);
        self.generation = next_generation();
        let changes = self.changes_since(&before);
        Ok(Removal {
            removed,
            promoted: changes.promoted.into_iter().next(),
        })
    }

    /// Who would move up from the waitlist if `id` were removed (asked
    /// before the agent confirms a removal); `None` if nobody would, or if
    /// `id` is not in this roster.
    pub fn promoted_if_removed(&self, id: &RecordId) -> Option<RecordId> {
        let mut after = self.clone();
        after.remove(id).ok()?.promoted
    }

    /// Changes the number of funded slots of this village (the regency funds
    /// more or fewer); reports who moved up from, or down to, the waitlist.
    pub fn set_funded_slots(&mut self, funded_slots: u32) -> SlotChanges {
        let before = self.snapshot();
        self.funded_slots = funded_slots;
        self.generation = next_generation();
        self.changes_since(&before)
    }

    fn index_of(&self, id: &RecordId) -> Option<usize> {
        self.entries.iter().position(|e| &e.id == id)
    }

    /// Statuses in entry order: slot users fill the funded slots in order.
    fn statuses(&self) -> Vec<Status> {
        self.entries().map(|(_, status)| status).collect()
    }

    fn look_alikes(
        &self,
        registration: &Registration,
        except: Option<&RecordId>,
    ) -> Vec<&RecordId> {
        let key = name_key(&registration.name);
        self.entries
            .iter()
            .filter(|e| Some(&e.id) != except)
            .filter(|e| e.registration.nik != registration.nik)
            .filter(|e| e.registration.birth_date == registration.birth_date)
            .filter(|e| similar_keys(&key, &e.name_key))
            .map(|e| &e.id)
            .collect()
    }

    /// The look-alikes, if `check` accepts them.
    fn confirm(
        &self,
        registration: &Registration,
        except: Option<&RecordId>,
        check: DuplicateCheck,
    ) -> Result<Vec<RecordId>, RosterError> {
        let ids: Vec<RecordId> = self
            .look_alikes(registration, except)
            .into_iter()
            .cloned()
            .collect();
        match check {
            DuplicateCheck::Ask if !ids.is_empty() => Err(RosterError::PossibleDuplicates(ids)),
            _ => Ok(ids),
        }
    }

    /// Record ids with whether each is funded.
    fn snapshot(&self) -> Vec<(RecordId, bool)> {
        self.entries
            .iter()
            .zip(self.statuses())
            .map(|(e, s)| (e.id.clone(), s == Status::Funded))
            .collect()
    }

    fn changes_since(&self, before: &[(RecordId, bool)]) -> SlotChanges {
        let mut changes = SlotChanges::default();
        for (entry, status) in self.entries() {
            let Some((_, was_funded)) = before.iter().find(|(id, _)| id == &entry.id) else {
                continue;
            };
            match (was_funded, status) {
                (false, Status::Funded) => changes.promoted.push(entry.id.clone()),
                (true, Status::Waitlisted { .. }) => changes.demoted.push(entry.id.clone()),
                _ => {}
            }
        }
        changes
    }
}

/// The roster and record holding this NIK, among all rosters on the device.
pub fn find_nik<'a>(
    rosters: impl IntoIterator<Item = &'a Roster>,
    nik: &str,
) -> Option<(&'a Roster, &'a RecordId)> {
    rosters
        .into_iter()
        .find_map(|roster| roster.find_nik(nik).map(|id| (roster, id)))
}

/// The form in which names are compared: lowercase; accents folded into
/// their letters (`Ñoño` → `nono`, `José` → `jose`, `Müller` → `muller`,
/// [`fold_accent`]); apostrophes removed and other punctuation made a space; whitespace collapsed; old (pre-1972)
/// spellings folded into today's: `dj`→`j`, `tj`→`c`, `sj`→`sy`, `oe`→`u`,
/// `ch`→`kh`, and `j` before a vowel → `y` (old `j` is today's `y`, so in a
/// key `j` and `y` before vowels are one letter: "Soejono" and "Suyono" match).
pub fn name_key(name: &str) -> String {
    // One pass for accents, punctuation and spaces (an app start computes
    // the key of every worker on the device), then the spellings, each only
    // when the key holds it. `tests::name_key_is_the_step_by_step_folding`
    // checks it against the rules written out step by step.
    let mut key = String::with_capacity(name.len());
    let mut space = false;
    let mut push = |c: char| {
        if matches!(c, '\'' | '`' | '\u{2018}' | '\u{2019}') {
        } else if c.is_alphanumeric() {
            if space && !key.is_empty() {
                key.push(' ');
            }
            space = false;
            key.push(c);
        } else {
            space = true;
        }
    };
    for c in crate::lowercase::to_lowercase(name).chars() {
        match fold_accent(c) {
            Fold::Keep => push(c),
            Fold::Drop => {}
            Fold::Letters(letters) => letters.chars().for_each(&mut push),
            Fold::Letter(letter) => push(letter),
        }
    }
    for (old, new) in [
        ("dj", "j"),
        ("tj", "c"),
        ("sj", "sy"),
        ("oe", "u"),
        ("ch", "kh"),
    ] {
        if key.contains(old) {
            key = key.replace(old, new);
        }
    }
    if !key.contains('j') {
        return key;
    }
    let chars: Vec<char> = key.chars().collect();
    chars
        .iter()
        .enumerate()
        .map(|(i, &c)| {
            let before_vowel = chars
                .get(i + 1)
                .is_some_and(|next| matches!(next, 'a' | 'e' | 'i' | 'o' | 'u'));
            if c == 'j' && before_vowel {
                'y'
            } else {
                c
            }
        })
        .collect()
}

/// What [`fold_accent`] makes of a character.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fold {
    Keep,
    /// A combining mark (a name typed decomposed: `n` + U+0303).
    Drop,
    Letter(char),
    Letters(&'static str),
}

/// The base letter of each character from U+00C0 to U+017F (Latin-1 and
/// Latin Extended-A, where the accented letters of names written in Latin
/// script are), as Unicode decomposes them; `*` for those that fold into
/// two letters, `-` for the two signs there (`×`, `÷`). Written out rather
/// than decomposed at run time: Unicode's decomposition tables would cost
/// the app tens of kilobytes.
const LATIN_BASE: &[u8; 192] = b"aaaaaa*ceeeeiiiidnooooo-ouuuuy**aaaaaa*ceeeeiiiidnooooo-ouuuuy*y\
aaaaaaccccccccddddeeeeeeeeeegggggggghhhhiiiiiiiiii**jjkkklllllll\
lllnnnnnn*nnoooooo**rrrrrrssssssssttttttuuuuuuuuuuuuwwyyyzzzzzzs";

fn fold_accent(c: char) -> Fold {
    let code = c as u32;
    match code {
        0x0300..=0x036F => Fold::Drop,
        0x00C0..=0x017F => match LATIN_BASE[(code - 0xC0) as usize] {
            b'-' => Fold::Keep,
            b'*' => Fold::Letters(match c {
                'Æ' | 'æ' => "ae",
                'Þ' | 'þ' => "th",
                'ß' => "ss",
                'Ĳ' | 'ĳ' => "ij",
                'ŉ' => "n",
                _ => "oe", // Œ œ
            }),
            letter => Fold::Letter(letter as char),
        },
        _ => Fold::Keep,
    }
}

/// Whether two names may be the same person's: equal after [`name_key`]; or
/// at most 1 edit apart (2 if the longer key has more than 8 characters); or
/// the same words in another order.
pub fn similar_names(a: &str, b: &str) -> bool {
    similar_keys(&name_key(a), &name_key(b))
}

fn similar_keys(a: &str, b: &str) -> bool {
    let longest = a.chars().count().max(b.chars().count());
    let allowed = if longest <= 8 { 1 } else { 2 };
    if a == b || levenshtein(a, b) <= allowed {
        return true;
    }
    let mut a_words: Vec<&str> = a.split(' ').collect();
    let mut b_words: Vec<&str> = b.split(' ').collect();
    crate::order::sort_by(&mut a_words, |x, y| x.cmp(y));
    crate::order::sort_by(&mut b_words, |x, y| x.cmp(y));
    a_words == b_words
}

/// Edit distance (insertions, deletions, substitutions), in characters.
fn levenshtein(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for (i, &ca) in a.iter().enumerate() {
        current[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::date::Date;
    use crate::registration::{check as check_registration, RegistrationInput};
    use crate::rulepack::RulePack;

    fn today() -> Date {
        Date::parse_iso("2026-11-21").unwrap()
    }

    fn village() -> VillageRef {
        VillageRef::new("61.07.01.2001", "Sungai Duri").unwrap()
    }

    fn id(text: &str) -> RecordId {
        RecordId::new(text).unwrap()
    }

    /// A made-up, valid NIK: `61 07 01 DD MM YY SSSS`, women +40 on the day.
    fn nik_for(birth: &str, female: bool, serial: u32) -> String {
        let date = Date::parse_iso(birth).unwrap();
        let day = date.day() + if female { 40 } else { 0 };
        format!(
            "610701{day:02}{:02}{:02}{serial:04}",
            date.month(),
            date.year() % 100
        )
    }

    /// A registration that passed the real check with the default pack.
    fn register(name: &str, birth: &str, serial: u32, segment: &str) -> Registration {
        let category = if segment == "PU" {
            "perangkat_desa"
        } else {
            "petani"
        };
        let input = RegistrationInput {
            nik: nik_for(birth, false, serial),
            name: name.into(),
            birth_date: birth.into(),
            sex: "M".into(),
            segment: segment.into(),
            category: category.into(),
            funding_source: String::new(),
            with_jht: false,
        };
        let verdict = check_registration(&input, &RulePack::default_pack(), today());
        verdict
            .registration
            .unwrap_or_else(|| panic!("{input:?}: {:?}", verdict.issues))
    }

    const NAMES: [&str; 10] = [
        "Agus", "Budi", "Citra", "Dewi", "Eko", "Fajar", "Gita", "Hadi", "Intan", "Joko",
    ];

    /// Person `n` (1-9): a distinct name, date of birth and NIK per `n`.
    fn person(n: u32, segment: &str) -> Registration {
        let birth = format!("19{:02}-0{n}-1{n}", 60 + n);
        register(NAMES[n as usize], &birth, n, segment)
    }

    #[derive(Clone, Copy)]
    enum Op {
        /// Add vulnerable worker `n` under the id.
        Worker(&'static str, u32),
        /// Add village official `n` under the id.
        Official(&'static str, u32),
        Remove(&'static str),
        Slots(u32),
        /// Replace the id's registration with worker / official `n`.
        EditToWorker(&'static str, u32),
        EditToOfficial(&'static str, u32),
    }

    fn status_text(status: Status) -> String {
        match status {
            Status::Funded => "F".into(),
            Status::Waitlisted { position } => format!("W{position}"),
            Status::Apparatus => "A".into(),
        }
    }

    fn changes_text(changes: &SlotChanges) -> String {
        format!("+{} -{}", join(&changes.promoted), join(&changes.demoted))
    }

    /// Runs `ops` on an empty roster with `slots` funded slots; checks the
    /// outcome of each op (`log`) and the statuses at the end
    /// (`id:F`, `id:W1`, `id:A`, in roster order).
    fn check(slots: u32, ops: &[Op], log: &[&str], end: &str) {
        let mut roster = Roster::new(village(), slots);
        let mut got = Vec::new();
        for &op in ops {
            let outcome = match op {
                Op::Worker(key, n) | Op::Official(key, n) => {
                    let segment = if matches!(op, Op::Worker(..)) {
                        "BPU"
                    } else {
                        "PU"
                    };
                    roster
                        .add(id(key), person(n, segment), DuplicateCheck::Ask)
                        .map(|a| format!("{} {}", a.id, status_text(a.status)))
                }
                Op::Remove(key) => {
                    // What the confirmation names is what the removal does.
                    let foretold = roster.promoted_if_removed(&id(key));
                    roster.remove(&id(key)).map(|r| {
                        assert_eq!(foretold, r.promoted, "remove {key}");
                        match r.promoted {
                            Some(p) => format!("-{} +{p}", r.removed.id()),
                            None => format!("-{}", r.removed.id()),
                        }
                    })
                }
                Op::Slots(n) => Ok(changes_text(&roster.set_funded_slots(n))),
                Op::EditToWorker(key, n) | Op::EditToOfficial(key, n) => {
                    let segment = if matches!(op, Op::EditToWorker(..)) {
                        "BPU"
                    } else {
                        "PU"
                    };
                    roster
                        .replace(&id(key), person(n, segment), DuplicateCheck::Ask)
                        .map(|r| format!("{} {}", status_text(r.status), changes_text(&r.changes)))
                }
            };
            got.push(outcome.unwrap_or_else(|e| match &e {
                RosterError::DuplicateNik { existing } => format!("{} {existing}", e.code()),
                other => other.code().to_owned(),
            }));
        }
        assert_eq!(got, log);
        let statuses: Vec<String> = roster
            .entries()
            .map(|(e, s)| format!("{}:{}", e.id(), status_text(s)))
            .collect();
        assert_eq!(statuses.join(" "), end);
        // Counts agree with the statuses.
        let counts = roster.counts();
        let count = |code: &str| roster.entries().filter(|(_, s)| s.code() == code).count() as u32;
        assert_eq!(
            (
                counts.funded,
                counts.waitlisted,
                counts.apparatus,
                counts.funded_slots
            ),
            (
                count("funded"),
                count("waitlisted"),
                count("apparatus"),
                slots_after(slots, ops)
            )
        );
    }

    fn slots_after(slots: u32, ops: &[Op]) -> u32 {
        ops.iter().fold(slots, |s, op| match op {
            Op::Slots(n) => *n,
            _ => s,
        })
    }

    #[test]
    fn status_is_derived_from_registration_order() {
        use Op::*;
        check(2, &[], &[], "");
        check(
            2,
            &[
                Worker("a", 1),
                Worker("b", 2),
                Worker("c", 3),
                Worker("d", 4),
            ],
            &["a F", "b F", "c W1", "d W2"],
            "a:F b:F c:W1 d:W2",
        );
        // Apparatus never take a slot, wherever they are in the order.
        check(
            2,
            &[
                Official("p", 1),
                Worker("a", 2),
                Official("q", 3),
                Worker("b", 4),
                Worker("c", 5),
            ],
            &["p A", "a F", "q A", "b F", "c W1"],
            "p:A a:F q:A b:F c:W1",
        );
        // No funded slots: every worker waits.
        check(
            0,
            &[Worker("a", 1), Official("p", 2)],
            &["a W1", "p A"],
            "a:W1 p:A",
        );
    }

    #[test]
    fn removing_a_funded_worker_promotes_the_first_waitlisted() {
        use Op::*;
        let three = [
            Worker("a", 1),
            Worker("b", 2),
            Worker("c", 3),
            Worker("d", 4),
        ];
        let added = ["a F", "b F", "c W1", "d W2"];
        let cases: [(Op, &str, &str); 5] = [
            (Remove("a"), "-a +c", "b:F c:F d:W1"),
            (Remove("b"), "-b +c", "a:F c:F d:W1"),
            // Removing a waitlisted worker moves the ones behind up the line only.
            (Remove("c"), "-c", "a:F b:F d:W1"),
            (Remove("d"), "-d", "a:F b:F c:W1"),
            (Remove("x"), "roster.unknown_record", "a:F b:F c:W1 d:W2"),
        ];
        for (op, outcome, end) in cases {
            let mut ops = three.to_vec();
            ops.push(op);
            let mut log = added.to_vec();
            log.push(outcome);
            check(2, &ops, &log, end);
        }
        // Removing an official frees no slot.
        check(
            1,
            &[
                Official("p", 1),
                Worker("a", 2),
                Worker("b", 3),
                Remove("p"),
            ],
            &["p A", "a F", "b W1", "-p"],
            "a:F b:W1",
        );
        // Removed, then the same person registers again: at the end of the line.
        check(
            1,
            &[Worker("a", 1), Worker("b", 2), Remove("a"), Worker("a2", 1)],
            &["a F", "b W1", "-a +b", "a2 W1"],
            "b:F a2:W1",
        );
    }

    #[test]
    fn changing_funded_slots_reports_who_moved() {
        use Op::*;
        let four = [
            Worker("a", 1),
            Worker("b", 2),
            Official("p", 3),
            Worker("c", 4),
            Worker("d", 5),
        ];
        let added = ["a F", "b F", "p A", "c W1", "d W2"];
        let cases = [
            (2, "+ -", "a:F b:F p:A c:W1 d:W2"),
            (3, "+c -", "a:F b:F p:A c:F d:W1"),
            (4, "+c, d -", "a:F b:F p:A c:F d:F"),
            (100, "+c, d -", "a:F b:F p:A c:F d:F"),
            (1, "+ -b", "a:F b:W1 p:A c:W2 d:W3"),
            (0, "+ -a, b", "a:W1 b:W2 p:A c:W3 d:W4"),
        ];
        for (slots, outcome, end) in cases {
            let mut ops = four.to_vec();
            ops.push(Slots(slots));
            let mut log = added.to_vec();
            log.push(outcome);
            check(2, &ops, &log, end);
        }
    }

    #[test]
    fn editing_keeps_the_place_in_order() {
        use Op::*;
        let base = [Worker("a", 1), Worker("b", 2), Worker("c", 3)];
        let added = ["a F", "b F", "c W1"];
        let cases: [(Op, &str, &str); 7] = [
            // Same person, corrected: nothing moves.
            (EditToWorker("a", 1), "F + -", "a:F b:F c:W1"),
            // Another NIK not in the roster: allowed, same place.
            (EditToWorker("a", 4), "F + -", "a:F b:F c:W1"),
            // A worker who is in fact an official frees a slot.
            (EditToOfficial("a", 1), "A +c -", "a:A b:F c:F"),
            (EditToOfficial("c", 3), "A + -", "a:F b:F c:A"),
            // Another entry's NIK is refused.
            (
                EditToWorker("a", 2),
                "roster.duplicate_nik b",
                "a:F b:F c:W1",
            ),
            (
                EditToWorker("c", 1),
                "roster.duplicate_nik a",
                "a:F b:F c:W1",
            ),
            (
                EditToWorker("x", 5),
                "roster.unknown_record",
                "a:F b:F c:W1",
            ),
        ];
        for (op, outcome, end) in cases {
            let mut ops = base.to_vec();
            ops.push(op);
            let mut log = added.to_vec();
            log.push(outcome);
            check(2, &ops, &log, end);
        }
        // An official turned worker keeps their earlier place: it takes a
        // slot and the last funded worker goes back to the waitlist.
        check(
            1,
            &[Official("p", 1), Worker("a", 2), EditToWorker("p", 1)],
            &["p A", "a F", "F + -a"],
            "p:F a:W1",
        );
    }

    #[test]
    fn a_nik_and_a_record_id_appear_once() {
        use Op::*;
        check(
            2,
            &[
                Worker("a", 1),
                Worker("b", 1),
                Official("c", 1),
                Worker("a", 2),
                Worker("b", 2),
            ],
            &[
                "a F",
                "roster.duplicate_nik a",
                "roster.duplicate_nik a",
                "roster.duplicate_record_id",
                "b F",
            ],
            "a:F b:F",
        );
    }

    #[test]
    fn find_nik_in_one_roster_or_across_the_device() {
        let mut first = Roster::new(village(), 2);
        let other_village = VillageRef::new("61.07.01.2002", "Sungai Keran").unwrap();
        let mut second = Roster::new(other_village, 2);
        first
            .add(id("a"), person(1, "BPU"), DuplicateCheck::Ask)
            .unwrap();
        second
            .add(id("b"), person(2, "PU"), DuplicateCheck::Ask)
            .unwrap();
        let nik1 = person(1, "BPU").nik.as_str().to_owned();
        let nik2 = person(2, "BPU").nik.as_str().to_owned();
        let spaced = format!("{} {} {}", &nik2[0..4], &nik2[4..10], &nik2[10..16]);
        let cases = [
            (nik1.as_str(), Some(("61.07.01.2001", "a"))),
            (nik2.as_str(), Some(("61.07.01.2002", "b"))),
            (spaced.as_str(), Some(("61.07.01.2002", "b"))),
            ("6107010101700009", None),
            ("", None),
        ];
        for (nik, expected) in cases {
            let got = find_nik([&first, &second], nik)
                .map(|(roster, id)| (roster.village().code(), id.as_str()));
            assert_eq!(got, expected, "{nik}");
        }
        assert_eq!(first.find_nik(&nik1), Some(&id("a")));
        assert_eq!(first.find_nik(&nik2), None);
        assert_eq!(
            first.get(&id("a")).map(|e| e.registration().name.as_str()),
            Some("Budi")
        );
        assert_eq!(first.get(&id("b")), None);
        assert_eq!(first.status(&id("a")), Some(Status::Funded));
        assert_eq!(first.status(&id("b")), None);
    }

    #[test]
    fn a_waitlisted_registration_is_explained() {
        let w = Status::Waitlisted { position: 1 };
        let id = w.waitlist_explained("Siti", 100, Lang::Id).unwrap();
        assert!(
            id.starts_with(
                "Semua 100 kuota didanai desa ini sudah terisi. Siti masuk daftar tunggu nomor 1"
            ),
            "{id}"
        );
        let en = w.waitlist_explained("Siti", 100, Lang::En).unwrap();
        assert!(en.starts_with("All 100 funded slots"), "{en}");
        for other in [Status::Funded, Status::Apparatus] {
            assert_eq!(other.waitlist_explained("Siti", 100, Lang::Id), None);
        }
    }

    #[test]
    fn random_ids_are_version_4_uuids() {
        let cases = [
            ([0u8; 16], "00000000-0000-4000-8000-000000000000"),
            ([0xff; 16], "ffffffff-ffff-4fff-bfff-ffffffffffff"),
            (
                [
                    0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0, 0x12, 0x34, 0x56, 0x78, 0x9a,
                    0xbc, 0xde, 0xf0,
                ],
                "12345678-9abc-4ef0-9234-56789abcdef0",
            ),
        ];
        for (bytes, uuid) in cases {
            let id = RecordId::from_random(bytes);
            assert_eq!(id.as_str(), uuid);
            assert_eq!(RecordId::new(uuid), Some(id));
        }
    }

    #[test]
    fn name_keys_fold_old_spellings() {
        let cases = [
            ("Siti Aminah", "siti aminah"),
            ("  SITI   aminah ", "siti aminah"),
            ("Muh. Sa'id bin Abd-Rahman", "muh said bin abd rahman"),
            ("Sa\u{2019}id", "said"),
            ("Soekarno", "sukarno"),
            ("Djoko Tjahjono", "yoko cahyono"),
            ("Joko Cahyono", "yoko cahyono"),
            ("Soejono", "suyono"),
            ("Sjamsul Chairul", "syamsul khairul"),
            ("Njoman", "nyoman"),
            ("Hadj", "haj"),
            ("Raja", "raya"),
            ("Ketut", "ketut"),
            // Accents fold into their letters, typed whole or decomposed.
            ("Ñoño", "nono"),
            ("N\u{303}on\u{303}o", "nono"),
            ("José Müller", "yose muller"),
            ("Þórður Æsa Straße", "thordur aesa strasse"),
            ("Łukasz Đorđe", "lukasz dorde"),
            ("Çağrı", "cagri"),
            ("2×3", "2 3"),
        ];
        for (name, key) in cases {
            assert_eq!(name_key(name), key, "{name}");
        }
        // Every letter of the table's range folds to ASCII letters only.
        for code in 0xC0u32..=0x17F {
            let c = char::from_u32(code).unwrap();
            match fold_accent(c) {
                Fold::Letter(l) => assert!(l.is_ascii_lowercase(), "{c}"),
                Fold::Letters(l) => assert!(l.bytes().all(|b| b.is_ascii_lowercase()), "{c}"),
                Fold::Keep => assert!(matches!(c, '×' | '÷'), "{c}"),
                Fold::Drop => panic!("{c}"),
            }
        }
    }

    #[test]
    fn edit_distance() {
        let cases = [
            ("", "", 0),
            ("", "abc", 3),
            ("siti", "siti", 0),
            ("siti", "sity", 1),
            ("aminah", "aminha", 2),
            ("kitten", "sitting", 3),
            ("budi", "budiman", 3),
            ("ñame", "name", 1),
        ];
        for (a, b, distance) in cases {
            assert_eq!(levenshtein(a, b), distance, "{a} {b}");
            assert_eq!(levenshtein(b, a), distance, "{b} {a}");
        }
    }

    #[test]
    fn similar_names_table() {
        let cases = [
            ("Siti Aminah", "SITI AMINAH", true),
            ("Siti Aminah", "Siti Aminnah", true),
            ("Siti Aminah", "Siti Amina", true),
            ("Siti Aminah", "Sity Aminnah", true),
            ("Siti Aminah", "Siti Rahmah", false),
            ("Siti Aminah", "Aminah Siti", true),
            ("Siti Aminah", "Aminah", false),
            // Old spellings.
            ("Soekarno", "Sukarno", true),
            ("Djoko Tjahjono", "Joko Cahyono", true),
            ("Soejono", "Suyono", true),
            ("Sjamsul Chairul", "Syamsul Khairul", true),
            // Up to 8 characters: 1 edit; longer: 2 edits.
            ("Budi", "Badi", true),
            ("Budi", "Bade", false),
            ("Ani", "Ana", true),
            ("Wahyudin", "Wahyudi", true),
            ("Wahyudi", "Wahyono", false),
            ("Suparman", "Suparmin", true),
            ("Suparman", "Supirmin", false),
            ("Suparmanto", "Supirmanti", true),
            ("Suparmanto", "Supirminti", false),
            // Word order, punctuation.
            ("Abdul Rahman Saleh", "Saleh Abdul Rahman", true),
            ("Abd-Rahman", "Abd Rahman", true),
            ("Ahmad", "Ahmad Ahmad", false),
        ];
        for (a, b, similar) in cases {
            assert_eq!(similar_names(a, b), similar, "{a} / {b}");
            assert_eq!(similar_names(b, a), similar, "{b} / {a}");
        }
    }

    #[test]
    fn possible_duplicates_need_confirmation() {
        let mut roster = Roster::new(village(), 2);
        let siti = register("Siti Aminah", "1987-02-05", 1, "BPU");
        roster
            .add(id("a"), siti.clone(), DuplicateCheck::Ask)
            .unwrap();
        roster
            .add(
                id("p"),
                register("Hadi", "1970-01-01", 1, "PU"),
                DuplicateCheck::Ask,
            )
            .unwrap();
        // (name, birth date, serial, look-alikes of "a"/"p")
        let cases: [(&str, &str, u32, &[&str]); 7] = [
            ("Sity Aminah", "1987-02-05", 2, &["a"]),
            ("Aminah Siti", "1987-02-05", 3, &["a"]),
            ("Siti Aminah", "1987-02-06", 2, &[]),
            ("Siti Rahmah", "1987-02-05", 2, &[]),
            ("Hadie", "1970-01-01", 2, &["p"]),
            // Same NIK: not a possibility but the hard rule (see below).
            ("Siti Aminah", "1987-02-05", 1, &[]),
            ("Budi", "1987-02-05", 4, &[]),
        ];
        for (name, birth, serial, ids) in cases {
            let candidate = register(name, birth, serial, "BPU");
            let got: Vec<&str> = roster
                .possible_duplicates(&candidate)
                .into_iter()
                .map(RecordId::as_str)
                .collect();
            assert_eq!(got, ids, "{name} {birth} {serial}");
        }

        let look_alike = register("Sity Aminah", "1987-02-05", 2, "BPU");
        let asked = roster.add(id("b"), look_alike.clone(), DuplicateCheck::Ask);
        assert_eq!(asked, Err(RosterError::PossibleDuplicates(vec![id("a")])));
        assert_eq!(roster.len(), 2, "nothing added when asked");
        let added = roster
            .add(id("b"), look_alike.clone(), DuplicateCheck::Confirmed)
            .unwrap();
        assert_eq!(
            added,
            Added {
                id: id("b"),
                status: Status::Funded,
                counts: Counts {
                    funded: 2,
                    waitlisted: 0,
                    apparatus: 1,
                    funded_slots: 2
                },
                possible_duplicates: vec![id("a")],
            }
        );
        // The same NIK is refused even when confirmed.
        assert_eq!(
            roster.add(id("c"), siti.clone(), DuplicateCheck::Confirmed),
            Err(RosterError::DuplicateNik { existing: id("a") })
        );
        // Editing a record is not compared with itself, only with the others.
        let replaced = roster
            .replace(&id("a"), siti.clone(), DuplicateCheck::Ask)
            .unwrap_err();
        assert_eq!(replaced, RosterError::PossibleDuplicates(vec![id("b")]));
        let replaced = roster
            .replace(&id("a"), siti, DuplicateCheck::Confirmed)
            .unwrap();
        assert_eq!(replaced.possible_duplicates, vec![id("b")]);
        assert_eq!(replaced.status, Status::Funded);
        assert_eq!(replaced.previous.name, "Siti Aminah");
    }

    #[test]
    fn added_reports_funded_count_and_waitlist_position() {
        let mut roster = Roster::new(village(), 2);
        let mut got = Vec::new();
        for n in 1..=5 {
            let added = roster
                .add(id(&format!("r{n}")), person(n, "BPU"), DuplicateCheck::Ask)
                .unwrap();
            got.push(match added.status {
                Status::Funded => format!(
                    "{} {}/{}",
                    added.status.label(Lang::Id),
                    added.counts.funded,
                    added.counts.funded_slots
                ),
                other => other.label(Lang::Id),
            });
        }
        assert_eq!(
            got,
            [
                "Didanai 1/2",
                "Didanai 2/2",
                "Daftar tunggu #1",
                "Daftar tunggu #2",
                "Daftar tunggu #3"
            ]
        );
        assert_eq!(roster.counts().open_slots(), 0);
        assert_eq!(Roster::new(village(), 100).counts().open_slots(), 100);
        assert_eq!(Status::Apparatus.label(Lang::En), "Village apparatus");
        assert_eq!(
            Status::Waitlisted { position: 3 }.label(Lang::En),
            "Waitlisted #3"
        );
        assert!(Status::Funded.is_paid() && Status::Apparatus.is_paid());
        assert!(!Status::Waitlisted { position: 1 }.is_paid());
    }

    #[test]
    fn village_refs_and_record_ids() {
        // One rule with `VillageCode::parse`: separators are accepted, and
        // the code is kept in its written form.
        type Case = (
            &'static str,
            &'static str,
            Result<&'static str, &'static [&'static str]>,
        );
        let cases: [Case; 10] = [
            ("61.07.01.2001", "Sungai Duri", Ok("61.07.01.2001")),
            (
                " 61.07.01.1001 ",
                "  Kelurahan   Satu ",
                Ok("61.07.01.1001"),
            ),
            ("91.01.01.3001", "Kampung Adat", Ok("91.01.01.3001")),
            ("6107012001", "X", Ok("61.07.01.2001")),
            ("61-07-01-2001", "X", Ok("61.07.01.2001")),
            ("61.07.01.4001", "X", Err(&["village.code_invalid"])),
            ("61.07.01.200", "X", Err(&["village.code_invalid"])),
            ("20.07.01.2001", "X", Err(&["village.province_unknown"])),
            ("61.07.01.2001", "  ", Err(&["village.name_empty"])),
            ("", "", Err(&["village.code_invalid", "village.name_empty"])),
        ];
        for (code, name, expected) in cases {
            let got = VillageRef::new(code, name)
                .map(|village| {
                    assert!(!village.name().contains("  "));
                    village.code().to_owned()
                })
                .map_err(|errors| errors.iter().map(VillageError::code).collect::<Vec<_>>());
            assert_eq!(
                got.as_deref().map_err(|e| e.as_slice()),
                expected,
                "{code:?} {name:?}"
            );
        }
        let ids = [
            ("a", true),
            ("0195f3a2-7c1d-7000-8000-000000000001", true),
            ("", false),
            (" ", false),
            ("a b", false),
            ("a\n", false),
        ];
        for (text, ok) in ids {
            assert_eq!(RecordId::new(text).is_some(), ok, "{text:?}");
        }
    }

    #[test]
    fn every_error_has_a_message_in_both_languages() {
        let roster_errors = [
            RosterError::DuplicateNik { existing: id("a") },
            RosterError::DuplicateRecordId { id: id("a") },
            RosterError::UnknownRecord { id: id("a") },
            RosterError::PossibleDuplicates(vec![id("a"), id("b")]),
        ];
        for error in &roster_errors {
            let (ind, en) = (error.message(Lang::Id), error.message(Lang::En));
            assert!(!ind.is_empty() && !en.is_empty() && ind != en, "{error:?}");
            assert!(error.code().starts_with("roster."), "{error:?}");
        }
        let village_errors = [
            VillageError::CodeInvalid { code: "x".into() },
            VillageError::ProvinceUnknown { code: "20".into() },
            VillageError::NameEmpty,
            VillageError::AlreadyAdded {
                code: "61.07.01.2001".into(),
                name: "Sungai Duri".into(),
            },
        ];
        for error in &village_errors {
            let (ind, en) = (error.message(Lang::Id), error.message(Lang::En));
            assert!(!ind.is_empty() && !en.is_empty() && ind != en, "{error:?}");
        }
        assert_eq!(
            roster_errors[0].message(Lang::Id),
            "NIK ini sudah terdaftar di desa ini (data a). Satu orang hanya boleh didaftarkan sekali."
        );
        assert_eq!(
            roster_errors[3].message(Lang::En),
            "This person may already be registered: 2 record(s) with the same date of birth and a similar name (a, b). Check the ID card; save only if it is a different person."
        );
    }

    /// [`name_key`]'s rules, written out one step at a time.
    fn name_key_step_by_step(name: &str) -> String {
        let mut unaccented = String::with_capacity(name.len());
        for c in crate::lowercase::to_lowercase(name).chars() {
            match fold_accent(c) {
                Fold::Keep => unaccented.push(c),
                Fold::Drop => {}
                Fold::Letters(letters) => unaccented.push_str(letters),
                Fold::Letter(letter) => unaccented.push(letter),
            }
        }
        let spaced: String = unaccented
            .chars()
            .filter(|c| !matches!(c, '\'' | '`' | '\u{2018}' | '\u{2019}'))
            .map(|c| if c.is_alphanumeric() { c } else { ' ' })
            .collect();
        let collapsed = spaced.split_whitespace().collect::<Vec<_>>().join(" ");
        let folded = collapsed
            .replace("dj", "j")
            .replace("tj", "c")
            .replace("sj", "sy")
            .replace("oe", "u")
            .replace("ch", "kh");
        let chars: Vec<char> = folded.chars().collect();
        chars
            .iter()
            .enumerate()
            .map(|(i, &c)| {
                let before_vowel = chars
                    .get(i + 1)
                    .is_some_and(|next| matches!(next, 'a' | 'e' | 'i' | 'o' | 'u'));
                if c == 'j' && before_vowel {
                    'y'
                } else {
                    c
                }
            })
            .collect()
    }

    proptest::proptest! {
        #[test]
        fn name_key_is_the_step_by_step_folding(
            name in "[ adehjnostucyAJSTOÑñÆæß'`‘’.,\\-\u{303}é×2]{0,24}"
        ) {
            proptest::prop_assert_eq!(name_key(&name), name_key_step_by_step(&name));
        }
    }
}
