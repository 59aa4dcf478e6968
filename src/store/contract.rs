// The storage contract as tests. Included (with `include!`) by the native
// tests of `MemoryStore` and by the browser tests of the IndexedDB store, so
// both run exactly the same checks. Paths are absolute (`lindung::...`).

#[allow(unused_imports)]
use lindung::store::{Settings, Store, Village};
use lindung_core::record::{Agent, Timestamp, WorkerRecord};
use lindung_core::RecordId;
use lindung_core::{check, Date, Lang, RegistrationInput, RulePack};

/// Runs every contract check, each on a fresh store from `fresh`.
#[allow(dead_code)]
pub async fn run_all<S: Store>(fresh: impl Fn() -> S) {
    villages_round_trip(&fresh()).await;
    records_round_trip_in_seq_order(&fresh()).await;
    drafts_round_trip(&fresh()).await;
    settings_round_trip(&fresh()).await;
}

fn test_record(id: &str, village: &str, seq: u64, nik: &str, birth: &str) -> WorkerRecord {
    let input = RegistrationInput {
        nik: nik.into(),
        name: format!("Pekerja {id}"),
        birth_date: birth.into(),
        sex: "M".into(),
        segment: "BPU".into(),
        category: "petani".into(),
        ..RegistrationInput::default()
    };
    let today = Date::parse_iso("2026-11-21").unwrap();
    let registration = check(&input, &RulePack::default_pack(), today)
        .registration
        .expect("valid test input");
    WorkerRecord::create(
        RecordId::new(id).unwrap(),
        village,
        seq,
        registration,
        Agent { id: "a1".into(), name: "Petugas".into() },
        Timestamp::from_millis(seq as i64 * 1000),
    )
}

fn village(code: &str, name: &str) -> Village {
    Village {
        code: code.into(),
        name: name.into(),
        area: "Kec. Sungai Raya, Kabupaten Bengkayang".into(),
        funded_slots: 100,
    }
}

pub async fn villages_round_trip<S: Store>(store: &S) {
    assert_eq!(store.villages().await.unwrap(), vec![]);
    store.put_village(&village("61.07.01.2002", "B")).await.unwrap();
    store.put_village(&village("61.07.01.2001", "A")).await.unwrap();
    let mut changed = village("61.07.01.2002", "B");
    changed.funded_slots = 2;
    store.put_village(&changed).await.unwrap();
    let got = store.villages().await.unwrap();
    assert_eq!(got, vec![village("61.07.01.2001", "A"), changed]);
}

pub async fn records_round_trip_in_seq_order<S: Store>(store: &S) {
    let a = test_record("a", "61.07.01.2001", 2, "6107010101800001", "1980-01-01");
    let b = test_record("b", "61.07.01.2001", 1, "6107010202800002", "1980-02-02");
    let c = test_record("c", "61.07.01.2002", 3, "6107010303800003", "1980-03-03");
    store.put_records(&[a.clone(), b.clone(), c.clone()]).await.unwrap();
    assert_eq!(store.records("61.07.01.2001").await.unwrap(), vec![b.clone(), a.clone()]);
    assert_eq!(store.all_records().await.unwrap(), vec![b.clone(), a.clone(), c.clone()]);
    // Replacing by id keeps one copy.
    let mut a2 = a.clone();
    a2.remove(Agent { id: "a1".into(), name: "Petugas".into() }, Timestamp::from_millis(9000), "pindah")
        .unwrap();
    store.put_records(&[a2.clone()]).await.unwrap();
    assert_eq!(store.records("61.07.01.2001").await.unwrap(), vec![b, a2]);
}

pub async fn drafts_round_trip<S: Store>(store: &S) {
    assert_eq!(store.draft("new:61.07.01.2001").await.unwrap(), None);
    let draft = RegistrationInput { nik: "6107 01".into(), name: "Sit".into(), ..RegistrationInput::default() };
    store.put_draft("new:61.07.01.2001", &draft).await.unwrap();
    assert_eq!(store.draft("new:61.07.01.2001").await.unwrap(), Some(draft));
    store.delete_draft("new:61.07.01.2001").await.unwrap();
    assert_eq!(store.draft("new:61.07.01.2001").await.unwrap(), None);
}

pub async fn settings_round_trip<S: Store>(store: &S) {
    assert_eq!(store.settings().await.unwrap(), None);
    let settings = Settings {
        agent_id: "PRS-0001".into(),
        agent_name: "Petugas Uji".into(),
        lang: Lang::En,
        rule_pack: None,
    };
    store.put_settings(&settings).await.unwrap();
    assert_eq!(store.settings().await.unwrap(), Some(settings));
}
