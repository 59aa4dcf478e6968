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
    ChangeError, Committed, Date, Lang, Planned, RecordId, Registration, RulePack, VillageRef,
    Workspace,
};

use crate::platform;
use crate::route::Route;
use crate::store::{MemoryStore, Settings, Store, StoreError, Village};

/// The storage backend the app runs on.
pub type AppStore = MemoryStore;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Loading {
    Loading,
    Ready,
    Failed(StoreError),
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
    pub loading: RwSignal<Loading>,
    pub store: StoredValue<Rc<AppStore>, LocalStorage>,
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
}

impl SaveError {
    pub fn message(&self, lang: Lang) -> String {
        match self {
            SaveError::Refused(e) => e.message(lang),
            SaveError::Store(e) => e.message(lang),
            SaveError::NoAgent => lang
                .pick(
                    "Isi nama dan ID petugas di Pengaturan sebelum mendaftarkan.",
                    "Enter the agent's name and id in Settings before registering.",
                )
                .to_owned(),
        }
    }
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
            settings: RwSignal::new(Settings {
                agent_id: String::new(),
                agent_name: String::new(),
                lang,
                rule_pack: None,
            }),
            loading: RwSignal::new(Loading::Loading),
            store: StoredValue::new_local(Rc::new(store)),
            today: platform::today(),
        }
    }

    fn store(&self) -> Rc<AppStore> {
        self.store.get_value()
    }

    /// Reads everything from the store into the signals.
    pub async fn load(self) {
        let store = self.store();
        let loaded = async {
            let settings = store.settings().await?;
            let villages = store.villages().await?;
            let records = store.all_records().await?;
            Ok::<_, StoreError>((settings, villages, records))
        }
        .await;
        match loaded {
            Ok((settings, villages, records)) => {
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
                let (workspace, _rejected) = Workspace::load(refs, records);
                self.workspace.set(workspace);
                self.villages.set(villages);
                self.loading.set(Loading::Ready);
            }
            Err(error) => self.loading.set(Loading::Failed(error)),
        }
    }

    pub fn navigate(&self, route: Route) {
        platform::set_location_hash(&route.hash());
        self.route.set(route);
    }

    fn agent(&self) -> Result<Agent, SaveError> {
        let settings = self.settings.get_untracked();
        if settings.agent_id.trim().is_empty() || settings.agent_name.trim().is_empty() {
            return Err(SaveError::NoAgent);
        }
        Ok(Agent {
            id: settings.agent_id,
            name: settings.agent_name,
        })
    }

    /// Writes a planned record, then commits it to the workspace.
    async fn write(&self, planned: Planned) -> Result<Committed, SaveError> {
        self.store()
            .put_records(std::slice::from_ref(planned.record()))
            .await
            .map_err(SaveError::Store)?;
        self.workspace
            .try_update(|ws| ws.commit(planned))
            .expect("the workspace signal is alive")
            .map_err(SaveError::Refused)
    }

    pub async fn register(
        self,
        village: String,
        registration: Registration,
        duplicates: lindung_core::DuplicateCheck,
    ) -> Result<Committed, SaveError> {
        let agent = self.agent()?;
        let planned = self
            .workspace
            .with_untracked(|ws| {
                ws.plan_register(
                    &village,
                    registration,
                    platform::new_record_id(),
                    agent,
                    platform::now(),
                    duplicates,
                )
            })
            .map_err(SaveError::Refused)?;
        self.write(planned).await
    }

    pub async fn edit(
        self,
        id: RecordId,
        registration: Registration,
        reason: String,
        duplicates: lindung_core::DuplicateCheck,
    ) -> Result<Committed, SaveError> {
        let agent = self.agent()?;
        let planned = self
            .workspace
            .with_untracked(|ws| {
                ws.plan_edit(&id, registration, agent, platform::now(), &reason, duplicates)
            })
            .map_err(SaveError::Refused)?;
        self.write(planned).await
    }

    pub async fn remove(self, id: RecordId, reason: String) -> Result<Committed, SaveError> {
        let agent = self.agent()?;
        let planned = self
            .workspace
            .with_untracked(|ws| ws.plan_remove(&id, agent, platform::now(), &reason))
            .map_err(SaveError::Refused)?;
        self.write(planned).await
    }

    /// Adds a village (or updates it), after the store committed it.
    pub async fn put_village(self, village: Village) -> Result<(), SaveError> {
        let reference = VillageRef::new(&village.code, &village.name)
            .map_err(|_| SaveError::Store(StoreError::Other("invalid village".into())))?;
        self.store()
            .put_village(&village)
            .await
            .map_err(SaveError::Store)?;
        self.workspace
            .update(|ws| drop(ws.set_village(reference, village.funded_slots)));
        self.villages.update(|villages| {
            villages.retain(|v| v.code != village.code);
            villages.push(village);
            villages.sort_by(|a, b| a.code.cmp(&b.code));
        });
        Ok(())
    }

    pub async fn save_settings(self, settings: Settings) -> Result<(), SaveError> {
        self.store()
            .put_settings(&settings)
            .await
            .map_err(SaveError::Store)?;
        let pack = match settings.rule_pack.as_deref() {
            Some(json) => RulePack::from_json(json).ok(),
            None => Some(RulePack::default_pack()),
        };
        if let Some(pack) = pack {
            self.pack.set(pack);
        }
        self.settings.set(settings);
        Ok(())
    }
}
