//! The app's state and the actions that change it.
//!
//! Every change follows the same path: the core plans it (`Workspace::plan_*`,
//! which judges it and returns the record to write, changing nothing), the
//! store writes it in one transaction, and only after the write committed does
//! the in-memory workspace take the change (`Workspace::commit`). So what the
//! screen shows as saved is what is on disk, and a failed write leaves the
//! form as the agent typed it.

use std::rc::Rc;

use leptos::prelude::*;
use lindung_core::record::Agent;
use lindung_core::{
    ChangeError, Committed, Date, DuplicateCheck, Lang, Planned, RecordId, Registration, RulePack,
    Timestamp, VillageRef, Workspace,
};

pub use crate::backend::AppStore;
use crate::device::{DeviceKey, KeyError};
use crate::platform;
use crate::route::Route;
use crate::store::{BundleInfo, BundleState, Settings, Store, StoreError, Village};
use crate::texts::app as tr;
use lindung_core::bundle::{prepare, PackDigest};
use lindung_core::export::{next_bundle, ExportError, NextInput, Previous, Sent};
use lindung_core::outbox::Delivery;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Phase {
    Starting,
    Ready,
    Failed(StoreError),
}

/// Whether this tab may write. Only one tab writes at a time, so two open
/// tabs can never save the same worker twice or overwrite each other.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Writer {
    /// Still asking for the lock.
    Pending,
    Yes,
    /// Another tab holds the lock; this one only reads until it is released.
    OtherTab,
}

/// A rule pack from the district: its JSON as published, read.
#[derive(Clone, Debug, PartialEq)]
pub struct OfferedPack {
    pub json: String,
    pub pack: RulePack,
    /// Id, version and digest, as the device state named them.
    pub named: lindung_core::sync::PackRef,
    /// The agent chose "Nanti": not asked again until the app starts again.
    pub declined: bool,
}

/// Everything the screens share, as signals. `Copy`: pass it around freely.
#[derive(Clone, Copy)]
pub struct Ctx {
    pub lang: RwSignal<Lang>,
    pub route: RwSignal<Route>,
    pub pack: RwSignal<RulePack>,
    pub workspace: RwSignal<Workspace>,
    pub villages: RwSignal<Vec<Village>>,
    pub settings: RwSignal<Settings>,
    pub phase: RwSignal<Phase>,
    pub writer: RwSignal<Writer>,
    /// Set when the store stopped working (e.g. another tab upgraded it).
    pub lost: RwSignal<Option<StoreError>>,
    /// Why the device's storage is not used, if it is not (memory fallback).
    pub not_persistent: RwSignal<Option<StoreError>>,
    /// Stored records that could not be shown (they break a roster rule or
    /// belong to a village that is missing). They stay in the store untouched.
    pub unshown: RwSignal<usize>,
    pub store: StoredValue<Rc<AppStore>, LocalStorage>,
    /// Bundles made on this device, by sequence.
    pub bundles: RwSignal<Vec<BundleInfo>>,
    /// The device key's id, once the key is loaded or made.
    pub kid: RwSignal<Option<String>>,
    /// Why the device key cannot be used, if it cannot.
    pub key_error: RwSignal<Option<KeyError>>,
    /// The app's own origin, when it answered as a district server.
    pub own_server: RwSignal<Option<String>>,
    /// What the outbox's sender is doing (`sync.rs`).
    pub sync: RwSignal<crate::sync::SyncStatus>,
    /// A rule pack the district offers, checked against its signed device
    /// state, until the agent takes or declines it (`sync.rs`).
    pub offered_pack: RwSignal<Option<OfferedPack>>,
    /// The bundle being sent right now.
    pub sending: RwSignal<Option<u64>>,
    device_key: StoredValue<Option<DeviceKey>, LocalStorage>,
    sender_started: StoredValue<bool, LocalStorage>,
    /// Held for the page's lifetime: dropping it lets another tab write.
    #[cfg(target_arch = "wasm32")]
    pub lock: StoredValue<Option<Rc<crate::store::lock::WriterLock>>, LocalStorage>,
    pub today: Date,
}

/// Why a save did not happen. Whatever the agent typed is still in the form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SaveError {
    /// The rules refused the change.
    Refused(ChangeError),
    /// The device could not store it.
    Store(StoreError),
    /// Agent name and id are not set yet.
    NoAgent,
    /// Another tab is the one that writes.
    ReadOnly,
    /// The browser gives no random numbers for a new id.
    NoRandom,
    /// The village is refused (already added).
    Village(lindung_core::roster::VillageError),
}

impl SaveError {
    pub fn message(&self, lang: Lang) -> String {
        match self {
            SaveError::Refused(e) => e.message(lang),
            SaveError::Village(e) => e.message(lang),
            SaveError::Store(e) => e.message(lang),
            SaveError::NoAgent => tr::NO_AGENT_YET.get(lang).to_owned(),
            SaveError::ReadOnly => read_only_message(lang).to_owned(),
            SaveError::NoRandom => tr::BROWSER_CANNOT_MAKE_RANDOM.get(lang).to_owned(),
        }
    }
}

pub fn read_only_message(lang: Lang) -> &'static str {
    tr::LINDUNG_OPEN_ANOTHER_TAB.get(lang)
}

impl Ctx {
    pub fn new(store: AppStore) -> Ctx {
        let lang = platform::saved_lang().unwrap_or_default();
        Ctx {
            lang: RwSignal::new(lang),
            route: RwSignal::new(Route::parse(&platform::location_hash())),
            pack: RwSignal::new(RulePack::default_pack()),
            workspace: RwSignal::new(Workspace::default()),
            villages: RwSignal::new(Vec::new()),
            settings: RwSignal::new(Settings::new(lang)),
            phase: RwSignal::new(Phase::Starting),
            writer: RwSignal::new(Writer::Pending),
            lost: RwSignal::new(None),
            not_persistent: RwSignal::new(None),
            unshown: RwSignal::new(0),
            store: StoredValue::new_local(Rc::new(store)),
            bundles: RwSignal::new(Vec::new()),
            kid: RwSignal::new(None),
            key_error: RwSignal::new(None),
            own_server: RwSignal::new(None),
            sync: RwSignal::new(crate::sync::SyncStatus::NoServer),
            offered_pack: RwSignal::new(None),
            sending: RwSignal::new(None),
            device_key: StoredValue::new_local(None),
            sender_started: StoredValue::new_local(false),
            #[cfg(target_arch = "wasm32")]
            lock: StoredValue::new_local(None),
            today: platform::today(),
        }
    }

    fn store(&self) -> Rc<AppStore> {
        self.store.get_value()
    }

    /// Opens the device's store, asks to be the writing tab, and loads.
    pub async fn start(self) {
        // Whether this origin is a district server, asked as early as the
        // page can (once per device: the answer is remembered), so that a
        // first visit learns it before the signal goes.
        leptos::task::spawn_local(async move { crate::sync::probe_origin(&self, false).await });
        let (store, error) = AppStore::open().await;
        self.not_persistent.set(error);
        store.on_lost(move |error| self.lost.set(Some(error)));
        self.store.set_value(Rc::new(store));
        #[cfg(target_arch = "wasm32")]
        {
            let lock = Rc::new(crate::store::lock::acquire_writer("lindung-writer").await);
            if lock.is_writer() {
                self.writer.set(Writer::Yes);
            } else {
                self.writer.set(Writer::OtherTab);
                // When the other tab closes, take over with fresh data.
                lock.on_writer(move || {
                    self.writer.set(Writer::Yes);
                    leptos::task::spawn_local(self.load());
                });
            }
            self.lock.set_value(Some(lock));
        }
        #[cfg(not(target_arch = "wasm32"))]
        self.writer.set(Writer::Yes);
        self.load().await;
    }

    /// Reads everything from the store into the signals.
    pub async fn load(self) {
        let store = self.store();
        let loaded = async {
            let settings = store.settings().await?;
            let villages = store.villages().await?;
            let records = store.all_records().await?;
            let bundles = store.bundles().await?;
            Ok::<_, StoreError>((settings, villages, records, bundles))
        }
        .await;
        match loaded {
            Ok((settings, villages, records, bundles)) => {
                self.bundles.set(bundles);
                if let Some(settings) = settings {
                    if let Some(pack) = settings
                        .rule_pack
                        .as_deref()
                        .and_then(|json| RulePack::from_json(json).ok())
                    {
                        self.pack.set(pack);
                    }
                    self.settings.set(settings);
                }
                let refs = villages.iter().filter_map(|v| {
                    VillageRef::new(&v.code, &v.name)
                        .ok()
                        .map(|r| (r, v.funded_slots))
                });
                let (workspace, rejected) = Workspace::load(refs, records);
                self.unshown.set(rejected.len());
                self.workspace.set(workspace);
                self.villages.set(villages);
                // Only on change: a reload of the data must not remount the
                // screen (and lose what the agent is typing).
                if self.phase.get_untracked() != Phase::Ready {
                    self.phase.set(Phase::Ready);
                }
                // The writing tab makes the device key at first use, so
                // Settings can show it for enrolment before any export;
                // then its sender starts (once per page).
                if self.is_writer() {
                    leptos::task::spawn_local(async move {
                        let _ = self.device_key().await;
                        if !self.sender_started.get_value() {
                            self.sender_started.set_value(true);
                            // Its chunk may not be on the phone yet (a
                            // first start without signal): try again.
                            while crate::lazy::start_sender(self).await.is_err() {
                                crate::platform::sleep_ms(60_000).await;
                            }
                        }
                    });
                } else {
                    self.show_stored_key().await;
                }
            }
            Err(error) => self.phase.set(Phase::Failed(error)),
        }
    }

    pub fn navigate(&self, route: Route) {
        platform::set_location_hash(&route.hash());
        self.route.set(route);
    }

    /// Whether this tab writes (drafts included): see [`Writer`].
    pub fn is_writer(&self) -> bool {
        self.writer.get_untracked() == Writer::Yes
    }

    fn may_write(&self) -> Result<(), SaveError> {
        if let Some(error) = self.lost.get_untracked() {
            return Err(SaveError::Store(error));
        }
        match self.writer.get_untracked() {
            Writer::Yes => Ok(()),
            Writer::Pending | Writer::OtherTab => Err(SaveError::ReadOnly),
        }
    }

    fn agent(&self) -> Result<Agent, SaveError> {
        self.may_write()?;
        let settings = self.settings.get_untracked();
        if !settings.has_agent() {
            return Err(SaveError::NoAgent);
        }
        Ok(Agent {
            id: settings.agent_id,
            name: settings.agent_name,
        })
    }

    /// Writes a planned record, then commits it to the workspace.
    async fn write(&self, planned: Planned) -> Result<Committed, SaveError> {
        let store = self.store();
        store
            .put_records(std::slice::from_ref(planned.record()))
            .await
            .map_err(SaveError::Store)?;
        // Ask the browser not to evict what was just saved (once is enough).
        #[cfg(target_arch = "wasm32")]
        if store.is_persistent() {
            leptos::task::spawn_local(async {
                if !crate::store::health::is_persisted().await {
                    crate::store::health::request_persistence().await;
                }
            });
        }
        self.workspace
            .try_update(|ws| ws.commit(planned))
            .expect("the workspace signal is alive")
            .map_err(SaveError::Refused)
    }

    /// Plans a change with the agent and the current time, then writes it.
    async fn change(
        self,
        plan: impl FnOnce(&Workspace, Agent, Timestamp) -> Result<Planned, ChangeError>,
    ) -> Result<Committed, SaveError> {
        let agent = self.agent()?;
        let planned = self
            .workspace
            .with_untracked(|ws| plan(ws, agent, platform::now()))
            .map_err(SaveError::Refused)?;
        self.write(planned).await
    }

    pub async fn register(
        self,
        village: String,
        registration: Registration,
        duplicates: DuplicateCheck,
    ) -> Result<Committed, SaveError> {
        let id = platform::new_record_id().ok_or(SaveError::NoRandom)?;
        self.change(|ws, agent, now| {
            ws.plan_register(&village, registration, id, agent, now, duplicates)
        })
        .await
    }

    pub async fn edit(
        self,
        id: RecordId,
        registration: Registration,
        reason: String,
        duplicates: DuplicateCheck,
    ) -> Result<Committed, SaveError> {
        self.change(|ws, agent, now| {
            ws.plan_edit(&id, registration, agent, now, &reason, duplicates)
        })
        .await
    }

    /// Whether removing `id` for `reason` would be accepted (the core's
    /// check, nothing written): asked before the agent confirms.
    pub fn check_remove(self, id: &RecordId, reason: &str) -> Result<(), SaveError> {
        let agent = self.agent()?;
        self.workspace
            .with_untracked(|ws| ws.plan_remove(id, agent, platform::now(), reason))
            .map(drop)
            .map_err(SaveError::Refused)
    }

    pub async fn remove(self, id: RecordId, reason: String) -> Result<Committed, SaveError> {
        self.change(|ws, agent, now| ws.plan_remove(&id, agent, now, &reason))
            .await
    }

    /// Adds a village (or updates it), after the store committed it.
    /// Adds a village the device does not have yet, with the pack's funded
    /// slots; a village already added is refused (`village.already_added`),
    /// never renamed or reset.
    pub async fn add_village(self, village: VillageRef, area: String) -> Result<(), SaveError> {
        self.may_write()?;
        self.workspace
            .with_untracked(|ws| ws.may_add_village(&village))
            .map_err(SaveError::Village)?;
        let row = Village {
            code: village.code().to_owned(),
            name: village.name().to_owned(),
            area: area.trim().to_owned(),
            funded_slots: self.pack.with_untracked(|p| p.funded_slots_per_village()),
        };
        self.store()
            .put_village(&row)
            .await
            .map_err(SaveError::Store)?;
        self.workspace
            .update(|ws| drop(ws.set_village(village, row.funded_slots)));
        self.villages.update(|villages| {
            villages.retain(|v| v.code != row.code);
            villages.push(row);
            lindung_core::order::sort_by(villages, |a, b| a.code.cmp(&b.code));
        });
        Ok(())
    }

    pub async fn save_settings(self, settings: Settings) -> Result<(), SaveError> {
        self.may_write()?;
        self.store()
            .put_settings(&settings)
            .await
            .map_err(SaveError::Store)?;
        // Only a new rule pack changes the pack (a sync's time does not).
        let changed = self
            .settings
            .with_untracked(|s| s.rule_pack != settings.rule_pack);
        let pack = match settings.rule_pack.as_deref() {
            Some(json) => RulePack::from_json(json).ok(),
            None => Some(RulePack::default_pack()),
        };
        if let (true, Some(pack)) = (changed, pack) {
            self.pack.set(pack);
        }
        self.settings.set(settings);
        Ok(())
    }

    /// Id, version and digest of the rule pack in use (the digest of its
    /// JSON exactly as stored or shipped).
    pub fn active_pack(&self) -> lindung_core::sync::PackRef {
        let json = self.settings.with_untracked(|s| s.rule_pack.clone());
        let json = json.as_deref().unwrap_or(RulePack::default_json());
        let digest = self
            .pack
            .with_untracked(|pack| PackDigest::new(pack, json.as_bytes()));
        lindung_core::sync::PackRef {
            id: digest.id,
            version: digest.version,
            digest: digest.digest,
        }
    }

    /// Takes the rule pack the district offered: stored with the switch
    /// recorded (who, when, from what), then in use.
    pub async fn take_offered_pack(self) -> Result<(), SaveError> {
        let Some(offered) = self.offered_pack.get_untracked() else {
            return Ok(());
        };
        let agent = self.agent()?;
        let mut settings = self.settings.get_untracked();
        settings.pack_switches.push(crate::store::PackSwitch {
            at: platform::now(),
            agent_id: agent.id,
            from: self.active_pack(),
            to: offered.named.clone(),
        });
        settings.rule_pack = Some(offered.json.clone());
        self.save_settings(settings).await?;
        self.offered_pack.set(None);
        Ok(())
    }

    /// Shows the stored key's id, without making a key (a reading tab).
    async fn show_stored_key(self) {
        match crate::device::load(&self.store()).await {
            Ok(key) => self.kid.set(key.map(|k| k.kid().to_owned())),
            Err(error) => self.key_error.set(Some(error)),
        }
    }

    /// The device key, loaded or made (and stored) at first use.
    pub async fn device_key(self) -> Result<DeviceKey, KeyError> {
        if let Some(key) = self.device_key.get_value() {
            return Ok(key);
        }
        let result = crate::device::load_or_create(&self.store(), platform::now()).await;
        match &result {
            Ok(key) => {
                self.device_key.set_value(Some(key.clone()));
                self.kid.set(Some(key.kid().to_owned()));
                self.key_error.set(None);
            }
            Err(error) => self.key_error.set(Some(error.clone())),
        }
        result
    }

    /// Makes the next bundle: every change since the last one, signed with
    /// the device key, then stored (bundle and file in one transaction).
    /// Signing happens before the write, never inside a transaction.
    pub async fn export(self) -> Result<BundleInfo, ExportFailure> {
        let agent = self.agent().map_err(ExportFailure::Save)?;
        let key = self.device_key().await.map_err(ExportFailure::Key)?;
        let sent = self.bundles.with_untracked(|b| sent_by(b));
        let last = self
            .bundles
            .with_untracked(|b| b.last().map(|b| (b.sequence, b.chain_hash.clone())));
        let previous = last.as_ref().map(|(sequence, chain_hash)| Previous {
            sequence: *sequence,
            chain_hash,
        });
        let settings = self.settings.get_untracked();
        let pack_json = settings
            .rule_pack
            .as_deref()
            .unwrap_or(RulePack::default_json());
        let pack = self
            .pack
            .with_untracked(|pack| PackDigest::new(pack, pack_json.as_bytes()));
        let bundle_id =
            platform::new_record_id().ok_or(ExportFailure::Save(SaveError::NoRandom))?;
        let now = platform::now();
        let next = self
            .workspace
            .with_untracked(|ws| {
                next_bundle(
                    ws,
                    &sent,
                    NextInput {
                        previous,
                        bundle_id: bundle_id.as_str(),
                        device_kid: key.kid(),
                        agent: &agent,
                        created_at: now,
                        rule_pack: &pack,
                        max_bytes: lindung_core::bundle::Limits::DEFAULT.max_bytes,
                    },
                )
            })
            .map_err(ExportFailure::Export)?;
        let prepared = prepare(&next.payload, key.jwk()).map_err(|e| {
            ExportFailure::Export(ExportError::Build(
                lindung_core::bundle::BuildError::Invalid(e),
            ))
        })?;
        let signing_input = prepared.signing_input();
        let signature = key
            .sign(signing_input.as_bytes())
            .await
            .map_err(ExportFailure::Key)?;
        let digest = DeviceKey::sha256(signing_input.as_bytes())
            .await
            .map_err(ExportFailure::Key)?;
        drop(signing_input);
        // `sign` verified the signature with WebCrypto before returning it.
        let signed = prepared.finish_verified_with_digest(&signature, &digest);
        let info = BundleInfo {
            sequence: next.payload.sequence,
            bundle_id: next.payload.bundle_id.clone(),
            kid: key.kid().to_owned(),
            created_at: now,
            chain_hash: signed.signing_input_hash,
            state: BundleState::Made,
            exported_at: None,
            delivered_at: None,
            bytes: signed.jws.len() as u64,
            villages: next.villages,
            contents: next.contents,
            delivery: Some(Delivery::new_queued(now.millis())),
        };
        self.may_write().map_err(ExportFailure::Save)?;
        self.store()
            .add_bundle(&info, &signed.jws)
            .await
            .map_err(|e| ExportFailure::Save(SaveError::Store(e)))?;
        self.bundles.update(|b| b.push(info.clone()));
        Ok(info)
    }

    /// The file of bundle `sequence`, exactly as signed.
    pub async fn bundle_file(self, sequence: u64) -> Result<String, StoreError> {
        self.store()
            .bundle_file(sequence)
            .await?
            .ok_or(StoreError::BundleSequence(sequence))
    }

    /// Records that bundle `sequence` left the phone (downloaded or shared).
    /// A reading tab may hand a bundle over too; the writing tab keeps the
    /// state, so there it is not recorded and that is no failure.
    pub async fn handed_over(self, sequence: u64) -> Result<(), SaveError> {
        match self.mark_bundle(sequence, BundleInfo::handed_over).await {
            Err(SaveError::ReadOnly) => Ok(()),
            result => result,
        }
    }

    /// Applies `change` (`BundleInfo::handed_over` or `received`) to bundle
    /// `sequence` now, and shows it after the store committed it.
    pub async fn mark_bundle(
        self,
        sequence: u64,
        change: fn(&mut BundleInfo, Timestamp),
    ) -> Result<(), SaveError> {
        self.may_write()?;
        let Some(mut info) = self
            .bundles
            .with_untracked(|b| b.iter().find(|b| b.sequence == sequence).cloned())
        else {
            return Err(SaveError::Store(StoreError::BundleSequence(sequence)));
        };
        change(&mut info, platform::now());
        self.store_bundle(info).await
    }

    /// Stores bundle `sequence`'s new place in the outbox, then shows it.
    pub async fn set_delivery(self, sequence: u64, delivery: Delivery) -> Result<(), SaveError> {
        self.may_write()?;
        let Some(mut info) = self
            .bundles
            .with_untracked(|b| b.iter().find(|b| b.sequence == sequence).cloned())
        else {
            return Err(SaveError::Store(StoreError::BundleSequence(sequence)));
        };
        info.delivery = Some(delivery);
        self.store_bundle(info).await
    }

    /// Writes a changed bundle, then shows it (only after the commit).
    async fn store_bundle(self, info: BundleInfo) -> Result<(), SaveError> {
        self.store()
            .update_bundle(&info)
            .await
            .map_err(SaveError::Store)?;
        self.bundles.update(|bundles| {
            if let Some(slot) = bundles.iter_mut().find(|b| b.sequence == info.sequence) {
                *slot = info;
            }
        });
        Ok(())
    }
}

/// What the bundles `bundles` carried, together: the next bundle skips it.
pub fn sent_by(bundles: &[BundleInfo]) -> Sent {
    Sent::of(bundles.iter().map(|b| b.contents.as_slice()))
}

/// Why no bundle was made. Nothing was stored; the records are untouched.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExportFailure {
    Save(SaveError),
    Export(ExportError),
    Key(KeyError),
}

impl ExportFailure {
    pub fn message(&self, lang: Lang) -> String {
        match self {
            ExportFailure::Save(e) => e.message(lang),
            ExportFailure::Export(e) => e.message(lang),
            ExportFailure::Key(e) => e.message(lang),
        }
    }
}
