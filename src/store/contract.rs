// The storage contract as tests. Included (with `include!`) by the native
// tests of `MemoryStore` and by the browser tests of the IndexedDB store,
// then `contract_tests!(fresh store)` makes one test per case: a `#[test]`
// natively, a `#[wasm_bindgen_test]` on wasm32. The cases are listed once,
// in the macro, so a case runs on every backend or on none; a case left out
// of the list is an unused function (a warning, an error under clippy's
// `-D warnings`). Paths are absolute (`lindung::...`).
// NIKs here are made up (Kalimantan Barat codes, serials 0001-1000).

#[allow(unused_imports)]
use lindung::store::{BundleInfo, BundleState, Settings, Store, StoreError, Village};
use lindung_core::export::{SentRecord, VillageSummary};
use lindung_core::record::{Agent, Timestamp, WorkerRecord};
use lindung_core::RecordId;
use lindung_core::{check, Date, Lang, Registration, RegistrationInput, RulePack};

/// One test per contract case, each on a fresh store: `$fresh` is an
/// expression giving a future of a new, empty store (evaluated once per
/// test). The tests go in a module `contract`.
macro_rules! contract_tests {
    ($fresh:expr) => {
        contract_tests!(@cases $fresh;
            villages_round_trip,
            records_round_trip_in_seq_order,
            records_of_one_village_stay_in_it,
            a_batch_replaces_by_id_and_the_last_copy_wins,
            an_empty_batch_changes_nothing,
            a_batch_is_seen_whole_by_a_reader_started_during_it,
            a_batch_of_1000_records_round_trips,
            find_nik_finds_active_records_only,
            find_nik_follows_edits_and_removals,
            drafts_round_trip,
            drafts_overwrite_and_keys_are_independent,
            settings_round_trip,
            settings_overwrite,
            bundles_round_trip_by_sequence_with_their_files,
            a_bundle_sequence_is_never_reused_and_updates_need_a_bundle,
        );
    };
    (@cases $fresh:expr; $($case:ident,)+) => {
        mod contract {
            #[allow(unused_imports)]
            use super::*;
            $(
                #[cfg(not(target_arch = "wasm32"))]
                #[test]
                fn $case() {
                    futures::executor::block_on(async { super::$case(&$fresh.await).await })
                }

                #[cfg(target_arch = "wasm32")]
                #[wasm_bindgen_test::wasm_bindgen_test]
                async fn $case() {
                    super::$case(&$fresh.await).await
                }
            )+
        }
    };
}

fn registration(nik: &str, birth: &str, name: &str) -> Registration {
    let input = RegistrationInput {
        nik: nik.into(),
        name: name.into(),
        birth_date: birth.into(),
        sex: "M".into(),
        segment: "BPU".into(),
        category: "petani".into(),
        ..RegistrationInput::default()
    };
    let today = Date::parse_iso("2026-11-21").unwrap();
    check(&input, &RulePack::default_pack(), today)
        .registration
        .expect("valid test input")
}

fn agent() -> Agent {
    Agent {
        id: "a1".into(),
        name: "Petugas".into(),
    }
}

/// A name for record `seq` (names take no digits): 1 → "Pekerja B".
fn name_for(seq: u64) -> String {
    let mut letters = String::new();
    let mut n = seq;
    loop {
        letters.insert(0, char::from(b'A' + (n % 26) as u8));
        n /= 26;
        if n == 0 {
            break;
        }
    }
    format!("Pekerja {letters}")
}

fn test_record(id: &str, village: &str, seq: u64, nik: &str, birth: &str) -> WorkerRecord {
    WorkerRecord::create(
        RecordId::new(id).unwrap(),
        village,
        seq,
        registration(nik, birth, &name_for(seq)),
        agent(),
        Timestamp::from_millis(seq as i64 * 1000),
    )
}

/// Record `n` of a generated batch: NIK serial `n` (1..=9999), born 1980-01-01.
fn numbered_record(n: u64, village: &str) -> WorkerRecord {
    test_record(
        &format!("r{n:04}"),
        village,
        n,
        &format!("610701010180{n:04}"),
        "1980-01-01",
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

async fn villages_round_trip<S: Store>(store: &S) {
    assert_eq!(store.villages().await.unwrap(), vec![]);
    store
        .put_village(&village("61.07.01.2002", "B"))
        .await
        .unwrap();
    store
        .put_village(&village("61.07.01.2001", "A"))
        .await
        .unwrap();
    let mut changed = village("61.07.01.2002", "B");
    changed.funded_slots = 2;
    store.put_village(&changed).await.unwrap();
    let got = store.villages().await.unwrap();
    assert_eq!(got, vec![village("61.07.01.2001", "A"), changed]);
}

async fn records_round_trip_in_seq_order<S: Store>(store: &S) {
    let a = test_record("a", "61.07.01.2001", 2, "6107010101800001", "1980-01-01");
    let b = test_record("b", "61.07.01.2001", 1, "6107010202800002", "1980-02-02");
    let c = test_record("c", "61.07.01.2002", 3, "6107010303800003", "1980-03-03");
    store
        .put_records(&[a.clone(), b.clone(), c.clone()])
        .await
        .unwrap();
    assert_eq!(
        store.records("61.07.01.2001").await.unwrap(),
        vec![b.clone(), a.clone()]
    );
    assert_eq!(
        store.all_records().await.unwrap(),
        vec![b.clone(), a.clone(), c.clone()]
    );
    // Replacing by id keeps one copy.
    let mut a2 = a.clone();
    a2.remove(agent(), Timestamp::from_millis(9000), "pindah")
        .unwrap();
    store.put_records(std::slice::from_ref(&a2)).await.unwrap();
    assert_eq!(store.records("61.07.01.2001").await.unwrap(), vec![b, a2]);
}

async fn records_of_one_village_stay_in_it<S: Store>(store: &S) {
    let a = numbered_record(1, "61.07.01.2001");
    let b = numbered_record(2, "61.07.01.2002");
    let c = numbered_record(3, "61.07.01.2001");
    store
        .put_records(&[a.clone(), b.clone(), c.clone()])
        .await
        .unwrap();
    assert_eq!(store.records("61.07.01.2001").await.unwrap(), vec![a, c]);
    assert_eq!(store.records("61.07.01.2002").await.unwrap(), vec![b]);
    // A code that is a prefix of another is a different village.
    assert_eq!(store.records("61.07.01.200").await.unwrap(), vec![]);
    assert_eq!(store.records("61.07.01.2003").await.unwrap(), vec![]);
}

async fn a_batch_replaces_by_id_and_the_last_copy_wins<S: Store>(store: &S) {
    let first = numbered_record(1, "61.07.01.2001");
    store
        .put_records(std::slice::from_ref(&first))
        .await
        .unwrap();
    let mut removed = first.clone();
    removed
        .remove(agent(), Timestamp::from_millis(5000), "meninggal")
        .unwrap();
    let other = numbered_record(2, "61.07.01.2001");
    store
        .put_records(&[first.clone(), other.clone(), removed.clone()])
        .await
        .unwrap();
    assert_eq!(store.all_records().await.unwrap(), vec![removed, other]);
}

async fn an_empty_batch_changes_nothing<S: Store>(store: &S) {
    store.put_records(&[]).await.unwrap();
    assert_eq!(store.all_records().await.unwrap(), vec![]);
    let a = numbered_record(1, "61.07.01.2001");
    store.put_records(std::slice::from_ref(&a)).await.unwrap();
    store.put_records(&[]).await.unwrap();
    assert_eq!(store.all_records().await.unwrap(), vec![a]);
}

/// A batch is one transaction: a reader that starts while it is being
/// written sees all of it or none of it, never part.
async fn a_batch_is_seen_whole_by_a_reader_started_during_it<S: Store>(store: &S) {
    let batch: Vec<WorkerRecord> = (1..=50)
        .map(|n| numbered_record(n, "61.07.01.2001"))
        .collect();
    let (written, seen) =
        futures::future::join(store.put_records(&batch), store.all_records()).await;
    written.unwrap();
    let seen = seen.unwrap();
    assert!(
        seen.is_empty() || seen == batch,
        "a reader saw {} of {} records",
        seen.len(),
        batch.len()
    );
    assert_eq!(store.all_records().await.unwrap(), batch);
}

async fn a_batch_of_1000_records_round_trips<S: Store>(store: &S) {
    let villages = ["61.07.01.2001", "61.07.01.2002", "61.07.01.2003"];
    // Written in reverse: the store orders by seq, not by insertion.
    let batch: Vec<WorkerRecord> = (1..=1000u64)
        .rev()
        .map(|n| numbered_record(n, villages[(n % 3) as usize]))
        .collect();
    store.put_records(&batch).await.unwrap();
    let all = store.all_records().await.unwrap();
    assert_eq!(all.len(), 1000);
    assert!(all.iter().zip(1..).all(|(r, n)| r.seq() == n));
    let mut expected = batch.clone();
    expected.reverse();
    assert_eq!(all, expected);
    let second = store.records(villages[1]).await.unwrap();
    assert_eq!(second.len(), 334);
    assert!(second
        .iter()
        .all(|r| r.village() == villages[1] && r.seq() % 3 == 1));
    assert_eq!(
        store.find_nik("6107010101800777").await.unwrap(),
        Some(expected[776].clone())
    );
}

async fn find_nik_finds_active_records_only<S: Store>(store: &S) {
    assert_eq!(store.find_nik("6107010101800001").await.unwrap(), None);
    let a = numbered_record(1, "61.07.01.2001");
    let b = numbered_record(2, "61.07.01.2002");
    let mut gone = numbered_record(3, "61.07.01.2001");
    gone.remove(agent(), Timestamp::from_millis(7000), "pindah desa")
        .unwrap();
    store
        .put_records(&[a.clone(), b.clone(), gone])
        .await
        .unwrap();
    // Device-wide: any village.
    assert_eq!(store.find_nik("6107010101800001").await.unwrap(), Some(a));
    assert_eq!(store.find_nik("6107010101800002").await.unwrap(), Some(b));
    // Removed records are not duplicates.
    assert_eq!(store.find_nik("6107010101800003").await.unwrap(), None);
    // Only the exact 16 digits match.
    assert_eq!(store.find_nik("610701010180000").await.unwrap(), None);
    assert_eq!(store.find_nik("6107 0101 0180 0001").await.unwrap(), None);
    // A new record with a removed record's NIK is found.
    let again = test_record(
        "again",
        "61.07.01.2002",
        4,
        "6107010101800003",
        "1980-01-01",
    );
    store
        .put_records(std::slice::from_ref(&again))
        .await
        .unwrap();
    assert_eq!(
        store.find_nik("6107010101800003").await.unwrap(),
        Some(again)
    );
}

async fn find_nik_follows_edits_and_removals<S: Store>(store: &S) {
    let mut a = numbered_record(1, "61.07.01.2001");
    store.put_records(std::slice::from_ref(&a)).await.unwrap();
    a.edit(
        registration("6107010101800009", "1980-01-01", &name_for(1)),
        agent(),
        Timestamp::from_millis(8000),
        "salah ketik NIK",
    )
    .unwrap();
    store.put_records(std::slice::from_ref(&a)).await.unwrap();
    assert_eq!(store.find_nik("6107010101800001").await.unwrap(), None);
    assert_eq!(
        store.find_nik("6107010101800009").await.unwrap(),
        Some(a.clone())
    );
    a.remove(agent(), Timestamp::from_millis(9000), "meninggal")
        .unwrap();
    store.put_records(std::slice::from_ref(&a)).await.unwrap();
    assert_eq!(store.find_nik("6107010101800009").await.unwrap(), None);
    // The removed record keeps its history.
    let stored = store.records("61.07.01.2001").await.unwrap();
    assert_eq!(stored, vec![a]);
    assert_eq!(stored[0].revision(), 3);
    assert_eq!(stored[0].history().len(), 3);
}

async fn drafts_round_trip<S: Store>(store: &S) {
    assert_eq!(store.draft("new:61.07.01.2001").await.unwrap(), None);
    let draft = RegistrationInput {
        nik: "6107 01".into(),
        name: "Sit".into(),
        ..RegistrationInput::default()
    };
    store.put_draft("new:61.07.01.2001", &draft).await.unwrap();
    assert_eq!(store.draft("new:61.07.01.2001").await.unwrap(), Some(draft));
    store.delete_draft("new:61.07.01.2001").await.unwrap();
    assert_eq!(store.draft("new:61.07.01.2001").await.unwrap(), None);
}

async fn drafts_overwrite_and_keys_are_independent<S: Store>(store: &S) {
    let first = RegistrationInput {
        name: "Sit".into(),
        ..RegistrationInput::default()
    };
    let second = RegistrationInput {
        name: "Siti Aminah".into(),
        with_jht: true,
        ..RegistrationInput::default()
    };
    let edit = RegistrationInput {
        nik: "6107010101800001".into(),
        ..RegistrationInput::default()
    };
    store.put_draft("new:61.07.01.2001", &first).await.unwrap();
    store.put_draft("edit:r0001", &edit).await.unwrap();
    store.put_draft("new:61.07.01.2001", &second).await.unwrap();
    assert_eq!(
        store.draft("new:61.07.01.2001").await.unwrap(),
        Some(second)
    );
    store.delete_draft("new:61.07.01.2001").await.unwrap();
    // Deleting what is not there is not an error.
    store.delete_draft("new:61.07.01.2001").await.unwrap();
    assert_eq!(store.draft("new:61.07.01.2001").await.unwrap(), None);
    assert_eq!(store.draft("edit:r0001").await.unwrap(), Some(edit));
}

async fn settings_round_trip<S: Store>(store: &S) {
    assert_eq!(store.settings().await.unwrap(), None);
    let settings = Settings {
        agent_id: "PRS-0001".into(),
        agent_name: "Petugas Uji".into(),
        server_url: Some("https://lindung.example.go.id".into()),
        district_kid: Some("d".repeat(43)),
        auto_send: false,
        last_sync: Some(Timestamp::from_millis(1_790_000_000_000)),
        pack_switches: vec![lindung::store::PackSwitch {
            at: Timestamp::from_millis(1_790_000_000_001),
            agent_id: "PRS-0001".into(),
            from: pack_ref("1"),
            to: pack_ref("2"),
        }],
        ..Settings::new(Lang::En)
    };
    store.put_settings(&settings).await.unwrap();
    assert_eq!(store.settings().await.unwrap(), Some(settings));
}

fn pack_ref(version: &str) -> lindung_core::sync::PackRef {
    lindung_core::sync::PackRef {
        id: "kab-uji".into(),
        version: version.into(),
        digest: format!("digest-{version}"),
    }
}

async fn settings_overwrite<S: Store>(store: &S) {
    let mut settings = Settings {
        agent_id: "PRS-0001".into(),
        agent_name: "Petugas Uji".into(),
        ..Settings::new(Lang::Id)
    };
    store.put_settings(&settings).await.unwrap();
    settings.rule_pack = Some(r#"{"id":"custom"}"#.into());
    settings.lang = Lang::En;
    store.put_settings(&settings).await.unwrap();
    assert_eq!(store.settings().await.unwrap(), Some(settings));
}

fn bundle(sequence: u64) -> BundleInfo {
    BundleInfo {
        sequence,
        bundle_id: format!("bundle-{sequence}"),
        kid: "k".repeat(43),
        created_at: Timestamp::from_millis(1_790_000_000_000 + sequence as i64),
        chain_hash: format!("hash-{sequence}"),
        state: BundleState::Made,
        exported_at: None,
        delivered_at: None,
        bytes: 12,
        delivery: Some(lindung_core::outbox::Delivery::new_queued(7)),
        villages: vec![VillageSummary {
            code: "61.07.01.2001".into(),
            name: "Sungai Ambawang Kuala".into(),
            new: 2,
            changed: 1,
            removed: 0,
        }],
        contents: vec![
            SentRecord {
                id: format!("r{sequence}"),
                revision: 1,
            },
            SentRecord {
                id: "r0".into(),
                revision: sequence as u32,
            },
        ],
    }
}

async fn bundles_round_trip_by_sequence_with_their_files<S: Store>(store: &S) {
    assert_eq!(store.bundles().await.unwrap(), []);
    assert_eq!(store.bundle_file(1).await.unwrap(), None);
    // Added out of order, listed by sequence (10 after 9: numbers, not text).
    for sequence in [10, 2, 9, 1] {
        let file = format!("{{\"protected\":\"{sequence}\"}}");
        store.add_bundle(&bundle(sequence), &file).await.unwrap();
    }
    let listed: Vec<u64> = store
        .bundles()
        .await
        .unwrap()
        .iter()
        .map(|b| b.sequence)
        .collect();
    assert_eq!(listed, [1, 2, 9, 10]);
    assert_eq!(store.bundles().await.unwrap()[0], bundle(1));
    assert_eq!(
        store.bundle_file(9).await.unwrap().as_deref(),
        Some("{\"protected\":\"9\"}")
    );
    let mut delivered = bundle(2);
    delivered.state = BundleState::Delivered;
    delivered.exported_at = Some(Timestamp::from_millis(1_790_000_100_000));
    delivered.delivered_at = Some(Timestamp::from_millis(1_790_000_200_000));
    store.update_bundle(&delivered).await.unwrap();
    assert_eq!(store.bundles().await.unwrap()[1], delivered);
    assert_eq!(
        store.bundle_file(2).await.unwrap().as_deref(),
        Some("{\"protected\":\"2\"}"),
        "an update keeps the file"
    );
}

async fn a_bundle_sequence_is_never_reused_and_updates_need_a_bundle<S: Store>(store: &S) {
    store.add_bundle(&bundle(1), "first").await.unwrap();
    let mut other = bundle(1);
    other.bundle_id = "another".into();
    assert_eq!(
        store.add_bundle(&other, "second").await,
        Err(StoreError::BundleSequence(1))
    );
    assert_eq!(store.bundles().await.unwrap(), [bundle(1)]);
    assert_eq!(
        store.bundle_file(1).await.unwrap().as_deref(),
        Some("first")
    );
    assert_eq!(
        store.update_bundle(&bundle(2)).await,
        Err(StoreError::BundleSequence(2))
    );
    assert_eq!(store.bundles().await.unwrap(), [bundle(1)]);
    assert_eq!(store.bundle_file(2).await.unwrap(), None);
}
