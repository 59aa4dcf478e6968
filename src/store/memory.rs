//! The in-memory backend: the reference implementation of the contract, used
//! natively in tests and as a fallback where IndexedDB is unavailable.

use std::cell::RefCell;

use lindung_core::order;
use lindung_core::record::WorkerRecord;
use lindung_core::RegistrationInput;

use super::{in_seq_order, BundleInfo, Settings, Store, StoreError, StoreResult, Village};

#[derive(Default)]
pub struct MemoryStore {
    state: RefCell<State>,
}

/// Plain lists rather than `BTreeMap`s: this store also ships in the wasm (the
/// fallback), and each map type costs kilobytes of B-tree code there. A
/// session's data is small; every lookup is a scan or a binary search.
#[derive(Default)]
struct State {
    /// By code.
    villages: Vec<Village>,
    /// By id, each id once (readers sort by `seq`).
    records: Vec<WorkerRecord>,
    drafts: Vec<(String, RegistrationInput)>,
    /// Boxed: settings carry the district's device state, the largest row.
    settings: Option<Box<Settings>>,
    /// By sequence.
    bundles: Vec<(BundleInfo, String)>,
}

impl State {
    fn bundle(&self, sequence: u64) -> Result<usize, usize> {
        self.bundles
            .binary_search_by(|(info, _)| info.sequence.cmp(&sequence))
    }
}

impl Store for MemoryStore {
    async fn villages(&self) -> StoreResult<Vec<Village>> {
        Ok(self.state.borrow().villages.clone())
    }

    async fn put_village(&self, village: &Village) -> StoreResult<()> {
        let villages = &mut self.state.borrow_mut().villages;
        order::put_sorted(villages, village.clone(), |v| v.code.as_str());
        Ok(())
    }

    async fn records(&self, village: &str) -> StoreResult<Vec<WorkerRecord>> {
        let state = self.state.borrow();
        Ok(in_seq_order(
            state
                .records
                .iter()
                .filter(|r| r.village() == village)
                .cloned()
                .collect(),
        ))
    }

    async fn all_records(&self) -> StoreResult<Vec<WorkerRecord>> {
        Ok(in_seq_order(self.state.borrow().records.clone()))
    }

    async fn put_records(&self, records: &[WorkerRecord]) -> StoreResult<()> {
        let mut state = self.state.borrow_mut();
        // Merged in one sort, so that an import of thousands stays n log n. The sort
        // is stable: of the records with one id, the one written last comes last.
        let mut merged = std::mem::take(&mut state.records);
        merged.extend(records.iter().cloned());
        order::sort_by(&mut merged, |a, b| a.id().as_str().cmp(b.id().as_str()));
        let mut kept: Vec<WorkerRecord> = Vec::with_capacity(merged.len());
        for record in merged {
            match kept.last_mut() {
                Some(last) if last.id() == record.id() => *last = record,
                _ => kept.push(record),
            }
        }
        state.records = kept;
        Ok(())
    }

    async fn find_nik(&self, nik: &str) -> StoreResult<Option<WorkerRecord>> {
        let state = self.state.borrow();
        let matches = state
            .records
            .iter()
            .filter(|r| r.is_active() && r.registration().nik.as_str() == nik)
            .cloned()
            .collect();
        Ok(in_seq_order(matches).into_iter().next())
    }

    async fn draft(&self, key: &str) -> StoreResult<Option<RegistrationInput>> {
        let state = self.state.borrow();
        let draft = state.drafts.iter().find(|(k, _)| k == key);
        Ok(draft.map(|(_, draft)| draft.clone()))
    }

    async fn put_draft(&self, key: &str, draft: &RegistrationInput) -> StoreResult<()> {
        let drafts = &mut self.state.borrow_mut().drafts;
        match drafts.iter_mut().find(|(k, _)| k == key) {
            Some((_, stored)) => *stored = draft.clone(),
            None => drafts.push((key.to_owned(), draft.clone())),
        }
        Ok(())
    }

    async fn delete_draft(&self, key: &str) -> StoreResult<()> {
        self.state.borrow_mut().drafts.retain(|(k, _)| k != key);
        Ok(())
    }

    async fn settings(&self) -> StoreResult<Option<Settings>> {
        Ok(self.state.borrow().settings.as_deref().cloned())
    }

    async fn put_settings(&self, settings: &Settings) -> StoreResult<()> {
        self.state.borrow_mut().settings = Some(Box::new(settings.clone()));
        Ok(())
    }

    async fn bundles(&self) -> StoreResult<Vec<BundleInfo>> {
        Ok(self
            .state
            .borrow()
            .bundles
            .iter()
            .map(|(info, _)| info.clone())
            .collect())
    }

    async fn add_bundle(&self, info: &BundleInfo, file: &str) -> StoreResult<()> {
        let mut state = self.state.borrow_mut();
        match state.bundle(info.sequence) {
            Ok(_) => Err(StoreError::BundleSequence(info.sequence)),
            Err(i) => {
                state.bundles.insert(i, (info.clone(), file.to_owned()));
                Ok(())
            }
        }
    }

    async fn update_bundle(&self, info: &BundleInfo) -> StoreResult<()> {
        let mut state = self.state.borrow_mut();
        match state.bundle(info.sequence) {
            Ok(i) => {
                state.bundles[i].0 = info.clone();
                Ok(())
            }
            Err(_) => Err(StoreError::BundleSequence(info.sequence)),
        }
    }

    async fn bundle_file(&self, sequence: u64) -> StoreResult<Option<String>> {
        let state = self.state.borrow();
        let found = state.bundle(sequence).ok();
        Ok(found.map(|i| state.bundles[i].1.clone()))
    }
}
