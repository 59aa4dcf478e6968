//! The in-memory backend: the reference implementation of the contract, used
//! natively in tests and as a fallback where IndexedDB is unavailable.

use std::cell::RefCell;
use std::collections::BTreeMap;

use lindung_core::record::WorkerRecord;
use lindung_core::RegistrationInput;

use super::{in_seq_order, BundleInfo, Settings, Store, StoreError, StoreResult, Village};

#[derive(Default)]
pub struct MemoryStore {
    state: RefCell<State>,
}

#[derive(Default)]
struct State {
    villages: BTreeMap<String, Village>,
    records: BTreeMap<String, WorkerRecord>,
    drafts: BTreeMap<String, RegistrationInput>,
    settings: Option<Settings>,
    bundles: BTreeMap<u64, (BundleInfo, String)>,
}

impl Store for MemoryStore {
    async fn villages(&self) -> StoreResult<Vec<Village>> {
        Ok(self.state.borrow().villages.values().cloned().collect())
    }

    async fn put_village(&self, village: &Village) -> StoreResult<()> {
        self.state
            .borrow_mut()
            .villages
            .insert(village.code.clone(), village.clone());
        Ok(())
    }

    async fn records(&self, village: &str) -> StoreResult<Vec<WorkerRecord>> {
        let state = self.state.borrow();
        Ok(in_seq_order(
            state
                .records
                .values()
                .filter(|r| r.village() == village)
                .cloned()
                .collect(),
        ))
    }

    async fn all_records(&self) -> StoreResult<Vec<WorkerRecord>> {
        Ok(in_seq_order(
            self.state.borrow().records.values().cloned().collect(),
        ))
    }

    async fn put_records(&self, records: &[WorkerRecord]) -> StoreResult<()> {
        let mut state = self.state.borrow_mut();
        for record in records {
            state
                .records
                .insert(record.id().as_str().to_owned(), record.clone());
        }
        Ok(())
    }

    async fn find_nik(&self, nik: &str) -> StoreResult<Option<WorkerRecord>> {
        let state = self.state.borrow();
        let matches = state
            .records
            .values()
            .filter(|r| r.is_active() && r.registration().nik.as_str() == nik)
            .cloned()
            .collect();
        Ok(in_seq_order(matches).into_iter().next())
    }

    async fn draft(&self, key: &str) -> StoreResult<Option<RegistrationInput>> {
        Ok(self.state.borrow().drafts.get(key).cloned())
    }

    async fn put_draft(&self, key: &str, draft: &RegistrationInput) -> StoreResult<()> {
        self.state
            .borrow_mut()
            .drafts
            .insert(key.to_owned(), draft.clone());
        Ok(())
    }

    async fn delete_draft(&self, key: &str) -> StoreResult<()> {
        // Rebuilt without `key` rather than `BTreeMap::remove`, whose code
        // (3 kB of wasm per map type) this fallback store would be alone to use.
        let drafts = &mut self.state.borrow_mut().drafts;
        for (k, draft) in std::mem::take(drafts) {
            if k != key {
                drafts.insert(k, draft);
            }
        }
        Ok(())
    }

    async fn settings(&self) -> StoreResult<Option<Settings>> {
        Ok(self.state.borrow().settings.clone())
    }

    async fn put_settings(&self, settings: &Settings) -> StoreResult<()> {
        self.state.borrow_mut().settings = Some(settings.clone());
        Ok(())
    }

    async fn bundles(&self) -> StoreResult<Vec<BundleInfo>> {
        Ok(self
            .state
            .borrow()
            .bundles
            .values()
            .map(|(info, _)| info.clone())
            .collect())
    }

    async fn add_bundle(&self, info: &BundleInfo, file: &str) -> StoreResult<()> {
        let mut state = self.state.borrow_mut();
        if state.bundles.contains_key(&info.sequence) {
            return Err(StoreError::BundleSequence(info.sequence));
        }
        state
            .bundles
            .insert(info.sequence, (info.clone(), file.to_owned()));
        Ok(())
    }

    async fn update_bundle(&self, info: &BundleInfo) -> StoreResult<()> {
        match self.state.borrow_mut().bundles.get_mut(&info.sequence) {
            Some((stored, _)) => {
                *stored = info.clone();
                Ok(())
            }
            None => Err(StoreError::BundleSequence(info.sequence)),
        }
    }

    async fn bundle_file(&self, sequence: u64) -> StoreResult<Option<String>> {
        Ok(self
            .state
            .borrow()
            .bundles
            .get(&sequence)
            .map(|(_, file)| file.clone()))
    }
}
