// The values the golden database files hold, built with the public API only.
// Included (with `include!`, inside a `mod golden`) by the native tests of
// `src/store/rows/` and by the browser tests (`tests/store_idb.rs`), so both
// compare what they read with the same values. Paths are absolute.
//
// - `v3_*`: `tests/fixtures/idb_v3/<store>.json`, one file per store, as the
//   current code writes them (the native tests compare the text exactly).
// - `v1_records`: the records of `tests/fixtures/idb_v1.json` (and of
//   `idb_v2_expected.json`, which holds the same bodies after the v1 → v2 step).
//
// Names are made up; NIKs are made up but valid (Kalimantan Barat: province
// 61, Kabupaten Bengkayang 07, Kecamatan Sungai Raya 01).

#[allow(unused_imports)]
use lindung::store::{BundleInfo, BundleState, PackSwitch, Settings, Village};
use lindung_core::export::{SentRecord, VillageSummary};
use lindung_core::outbox::Delivery;
use lindung_core::record::{Agent, Timestamp, WorkerRecord};
use lindung_core::registration::PackRef;
use lindung_core::sync::{
    DeviceState, DeviceStatus, DuplicateFlag, Outcome, QuarantinedRecord, QuarantinedState,
    ServerLimits, Standing,
};
use lindung_core::{Date, Lang, Nik, RecordId, Registration, RegistrationInput, Sex};

pub const AREA: &str = "Kec. Sungai Raya, Kabupaten Bengkayang";

/// A registration as the default pack 2026.1.0 judged it (BPU, petani, APBD).
pub fn registration(nik: &str, name: &str, birth: &str) -> Registration {
    let birth_date = Date::parse_iso(birth).expect("a valid date");
    let nik = Nik::parse(nik, birth_date).expect("a valid made-up NIK");
    let sex = nik.sex();
    Registration {
        nik,
        name: name.into(),
        birth_date,
        sex,
        segment: "BPU".into(),
        category: "petani".into(),
        funding_source: "APBD".into(),
        with_jht: false,
        uses_funded_slots: true,
        pack: PackRef {
            id: "lindung-default".into(),
            version: "2026.1.0".into(),
        },
    }
}

pub fn agent() -> Agent {
    Agent {
        id: "PRS-0001".into(),
        name: "Petugas Uji".into(),
    }
}

fn at(millis: i64) -> Timestamp {
    Timestamp::from_millis(millis)
}

fn record(
    id: &str,
    village: &str,
    seq: u64,
    registration: Registration,
    created: i64,
) -> WorkerRecord {
    WorkerRecord::create(
        RecordId::new(id).unwrap(),
        village,
        seq,
        registration,
        agent(),
        at(created),
    )
}

// ------------------------------------------------------------------ v1 --

/// The four records of `idb_v1.json`: active, removed, edited, active.
pub fn v1_records() -> Vec<WorkerRecord> {
    let first = record(
        "rec-0001",
        "61.07.01.2001",
        1,
        registration("6107010101800001", "Pekerja Satu", "1980-01-01"),
        1_740_000_060_000,
    );
    let mut removed = record(
        "rec-0002",
        "61.07.01.2001",
        2,
        registration("6107014202850002", "Pekerja Dua", "1985-02-02"),
        1_740_000_120_000,
    );
    removed
        .remove(agent(), at(1_740_000_600_000), "pindah desa")
        .unwrap();
    let mut edited = record(
        "rec-0003",
        "61.07.01.2002",
        3,
        registration("6107010303900003", "Pekerja Tiga", "1990-03-03"),
        1_740_000_180_000,
    );
    edited
        .edit(
            registration("6107010303900003", "Pekerja Tiga Baru", "1990-03-03"),
            agent(),
            at(1_740_000_660_000),
            "salah ketik",
        )
        .unwrap();
    let fourth = record(
        "rec-0004",
        "61.07.01.2001",
        4,
        registration("6107014404920004", "Pekerja Empat", "1992-04-04"),
        1_740_000_240_000,
    );
    vec![first, removed, edited, fourth]
}

// ------------------------------------------------------------------ v3 --

pub fn v3_villages() -> Vec<Village> {
    vec![
        Village {
            code: "61.07.01.2001".into(),
            name: "Sungai Raya Hilir".into(),
            area: AREA.into(),
            funded_slots: 120,
        },
        Village {
            code: "61.07.01.2002".into(),
            name: "Karya Bakti".into(),
            area: AREA.into(),
            funded_slots: 80,
        },
    ]
}

/// Active; edited twice (two fields, then one) and active; removed. In `seq` order.
pub fn v3_records() -> Vec<WorkerRecord> {
    let first = record(
        "rec-0101",
        "61.07.01.2001",
        1,
        registration("6107014502870001", "Pekerja Satu", "1987-02-05"),
        1_790_812_860_000,
    );
    let mut edited = record(
        "rec-0102",
        "61.07.01.2001",
        2,
        registration("6107010101800002", "Pekerja Dua", "1980-01-01"),
        1_790_812_920_000,
    );
    let mut changed = registration("6107010101800002", "Pekerja Dua Baru", "1980-01-01");
    changed.with_jht = true;
    edited
        .edit(
            changed.clone(),
            agent(),
            at(1_790_813_000_000),
            "salah ketik",
        )
        .unwrap();
    changed.funding_source = "APBDes".into();
    changed.uses_funded_slots = false;
    edited
        .edit(changed, agent(), at(1_790_813_100_000), "dana desa")
        .unwrap();
    let mut removed = record(
        "rec-0103",
        "61.07.01.2002",
        3,
        registration("6107015503920003", "Pekerja Tiga", "1992-03-15"),
        1_790_812_980_000,
    );
    removed
        .remove(agent(), at(1_790_813_200_000), "pindah desa")
        .unwrap();
    vec![first, edited, removed]
}

/// (key, draft): an edit in full, a new form half typed. In key order.
pub fn v3_drafts() -> Vec<(String, RegistrationInput)> {
    vec![
        (
            "edit:rec-0102".into(),
            RegistrationInput {
                nik: "6107010101800002".into(),
                name: "Pekerja Dua Baru".into(),
                birth_date: "1980-01-01".into(),
                sex: Sex::Male.code().into(),
                segment: "BPU".into(),
                category: "petani".into(),
                funding_source: "APBDes".into(),
                with_jht: true,
            },
        ),
        (
            "new:61.07.01.2001".into(),
            RegistrationInput {
                nik: "6107 0145".into(),
                name: "Pekerja Emp".into(),
                ..RegistrationInput::default()
            },
        ),
    ]
}

fn pack(version: &str, digest: &str) -> lindung_core::sync::PackRef {
    lindung_core::sync::PackRef {
        id: "lindung-default".into(),
        version: version.into(),
        digest: digest.into(),
    }
}

/// The device kid (an RFC 7638 thumbprint's shape).
pub const KID: &str = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs";
pub const DISTRICT_KID: &str = "9d2rQ5bBX3mA1oYcY6s7fJk0eL8wTqHnVgUzPiRxCaE";

/// Every member set: the district's device state and a pack switch included.
pub fn v3_settings() -> Settings {
    let from = pack("2026.1.0", "3q2-7wAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    let to = pack("2026.2.0", "YmVrYXNpLXN0YXRlLXJ1bGUtcGFjay0yMDI2LTIuMA");
    Settings {
        agent_id: "PRS-0001".into(),
        agent_name: "Petugas Uji".into(),
        lang: Lang::En,
        rule_pack: Some("{\"id\":\"kab-bengkayang\",\"version\":\"2026.2.0\"}".into()),
        server_url: Some("https://lindung.example.go.id".into()),
        district_kid: Some(DISTRICT_KID.into()),
        auto_send: false,
        last_sync: Some(at(1_795_281_957_123)),
        district_state: Some(DeviceState {
            format: lindung_core::sync::DEVICE_STATE_FORMAT.into(),
            format_version: 1,
            district_id: "kab-bengkayang".into(),
            kid: KID.into(),
            status: DeviceStatus::Approved,
            contiguous_through: 2,
            highest: 4,
            missing: vec![[3, 3]],
            limits: ServerLimits {
                max_bundle_bytes: 33_554_432,
            },
            server_time: at(1_795_281_957_123),
            rule_pack: to.clone(),
            quarantined: vec![QuarantinedState {
                sequence: 2,
                record: QuarantinedRecord {
                    village: "61.07.01.2002".into(),
                    record_id: "rec-0103".into(),
                    revision: 1,
                    codes: vec!["reg.age_out_of_window".into()],
                },
            }],
            duplicates: vec![DuplicateFlag {
                village: "61.07.01.2001".into(),
                record_id: "rec-0101".into(),
                with: vec!["another_device".into()],
            }],
            standing: vec![
                Standing {
                    village: "61.07.01.2001".into(),
                    record_id: "rec-0101".into(),
                    status: "funded".into(),
                    position: None,
                },
                Standing {
                    village: "61.07.01.2001".into(),
                    record_id: "rec-0102".into(),
                    status: "waitlisted".into(),
                    position: Some(1),
                },
            ],
        }),
        pack_switches: vec![PackSwitch {
            at: at(1_795_282_000_000),
            agent_id: "PRS-0001".into(),
            from,
            to,
        }],
    }
}

fn summary(code: &str, name: &str, new: u32, changed: u32, removed: u32) -> VillageSummary {
    VillageSummary {
        code: code.into(),
        name: name.into(),
        new,
        changed,
        removed,
    }
}

fn sent(id: &str, revision: u32) -> SentRecord {
    SentRecord {
        id: id.into(),
        revision,
    }
}

/// (info, file), by sequence: handed in before the outbox (no delivery),
/// delivered by the server, queued after failures, refused.
pub fn v3_bundles() -> Vec<(BundleInfo, String)> {
    let bundle = |sequence: u64, state: BundleState, delivery: Option<Delivery>| BundleInfo {
        sequence,
        bundle_id: format!("0b6c41d2-0000-4000-8000-00000000000{sequence}"),
        kid: KID.into(),
        created_at: at(1_795_000_000_000 + sequence as i64 * 60_000),
        chain_hash: format!("Y2hhaW4taGFzaC1vZi1idW5kbGUtbnVtYmVyLTAwMD{sequence}"),
        state,
        exported_at: None,
        delivered_at: None,
        bytes: 2_048 * sequence,
        villages: vec![summary("61.07.01.2001", "Sungai Raya Hilir", 1, 0, 0)],
        contents: vec![sent("rec-0101", 1)],
        delivery,
    };
    let handed_in = BundleInfo {
        exported_at: Some(at(1_795_000_100_000)),
        delivered_at: Some(at(1_795_000_200_000)),
        villages: vec![
            summary("61.07.01.2001", "Sungai Raya Hilir", 2, 0, 0),
            summary("61.07.01.2002", "Karya Bakti", 1, 0, 0),
        ],
        contents: vec![
            sent("rec-0101", 1),
            sent("rec-0102", 1),
            sent("rec-0103", 1),
        ],
        ..bundle(1, BundleState::Delivered, None)
    };
    let delivered = BundleInfo {
        exported_at: Some(at(1_795_001_000_000)),
        villages: vec![
            summary("61.07.01.2001", "Sungai Raya Hilir", 0, 1, 0),
            summary("61.07.01.2002", "Karya Bakti", 0, 0, 1),
        ],
        contents: vec![sent("rec-0102", 3), sent("rec-0103", 2)],
        ..bundle(
            2,
            BundleState::Exported,
            Some(Delivery::Delivered {
                pending: false,
                received_ms: 1_795_002_000_000,
                quarantined: vec![QuarantinedRecord {
                    village: "61.07.01.2002".into(),
                    record_id: "rec-0103".into(),
                    revision: 1,
                    codes: vec!["reg.age_out_of_window".into(), "nik.district".into()],
                }],
                receipt: "{\"protected\":\"cmVjZWlwdA\",\"payload\":\"Mg\",\"signature\":\"c2ln\"}"
                    .into(),
            }),
        )
    };
    let queued = bundle(
        3,
        BundleState::Made,
        Some(Delivery::Queued {
            failures: 2,
            not_before_ms: 1_795_003_000_000,
            last_error: Some("net.offline".into()),
        }),
    );
    let refused = bundle(
        4,
        BundleState::Made,
        Some(Delivery::Refused {
            outcome: Outcome::TooLarge,
            code: Some("bundle.too_large".into()),
            receipt: String::new(),
        }),
    );
    [handed_in, delivered, queued, refused]
        .into_iter()
        .map(|info| {
            let file = format!(
                "{{\"protected\":\"aGVhZGVy\",\"payload\":\"YnVuZGxlLXtzZXF1ZW5jZX0\",\"signature\":\"c2lnLXs{}\"}}",
                info.sequence
            );
            (info, file)
        })
        .collect()
}
