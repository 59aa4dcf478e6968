//! Made-up workers for the browser benches, generated natively with the core.
//!
//! Every person is random but reproducible (a fixed seed): a made-up NIK that the
//! core accepts (province 61, regency 07 Bengkayang, a real district, a valid birth
//! date, serial ≠ 0000, unique on the device), a name from a short list, a category of
//! the default rule pack. Each one goes through `lindung_core::check` and
//! `WorkerRecord::create`, as the app does on "Simpan", and is written as the rows
//! `src/store/rows/` defines (a unit test checks that against
//! `tests/fixtures/idb_v2_expected.json`). The expected result counts of the search
//! script come from `query::run` on the same roster the app builds.

use std::collections::HashMap;

use lindung_core::date::days_in_month;
use lindung_core::query::{self, Query};
use lindung_core::record::{Agent, Timestamp, WorkerRecord};
use lindung_core::{
    check, Date, Lang, RecordId, RegistrationInput, RulePack, VillageRef, Workspace,
};
use serde_json::{json, Value};

use crate::{Error, Result};

/// The app's database (`DB_NAME` in src/backend.rs) and the schema its rows are
/// written in (`DB_VERSION` in src/store/rows/schema.rs). tests/bench/roster.mjs refuses a
/// database at another version, so a schema change cannot go unnoticed here.
pub const DB_NAME: &str = "lindung";
pub const DB_VERSION: u32 = 3;

/// The day the records were "registered" (the core reads no clock).
const TODAY: (i32, u8, u8) = (2026, 11, 21);
/// 2026-10-01T00:00:00Z; record `seq` n was created n minutes later.
const FIRST_CREATED_MS: i64 = 1_790_812_800_000;
const SEED: u64 = 0x1d_0b_6c_41;
/// Districts of Kabupaten Bengkayang (61.07) in `crates/core/data/regions.txt`.
const DISTRICTS: [u8; 17] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17];

/// A village of the fixture and how many workers it holds.
#[derive(Clone, Copy, Debug)]
pub struct VillageSpec {
    pub code: &'static str,
    pub name: &'static str,
    pub area: &'static str,
    pub workers: usize,
}

/// A regency's worth of workers on one tablet: one village holds 15,000.
pub const REGENCY: [VillageSpec; 3] = [
    VillageSpec {
        code: "61.07.01.2001",
        name: "Sungai Duri",
        area: "Kec. Sungai Raya, Kabupaten Bengkayang",
        workers: 15_000,
    },
    VillageSpec {
        code: "61.07.01.2002",
        name: "Karya Bakti",
        area: "Kec. Sungai Raya, Kabupaten Bengkayang",
        workers: 120,
    },
    VillageSpec {
        code: "61.07.05.2003",
        name: "Pisak",
        area: "Kec. Tujuh Belas, Kabupaten Bengkayang",
        workers: 80,
    },
];

/// The full village the phone-screen e2e walk opens: every funded slot of the
/// default pack taken, and a waitlist (`cargo xtask ci` writes its rows).
pub const FULL_VILLAGE: [VillageSpec; 1] = [VillageSpec {
    code: "61.07.01.2001",
    name: "Sungai Duri",
    area: "Kec. Sungai Raya, Kabupaten Bengkayang",
    workers: 135,
}];

/// Names that push a phone's screen: one long, one a single unbroken word.
pub const LONG_NAMES: [&str; 2] = [
    "Muhammad Abdurrahman Wahidsyahputra Kusumawardhana Simanjuntak",
    "Nurhayatisetyaningrumwulandarikusumawardhani Siregar",
];

/// The agent every record names, and the device settings row.
const AGENT_ID: &str = "PRS-0001";
const AGENT_NAME: &str = "Petugas Uji";

const WOMEN: [&str; 24] = [
    "Siti", "Nur", "Sri", "Dewi", "Rina", "Yuni", "Ani", "Wati", "Putri", "Ayu", "Lestari",
    "Fitri", "Maria", "Agnes", "Yohana", "Mei", "Lina", "Ratna", "Indah", "Sari", "Rosita",
    "Nining", "Eka", "Juliana",
];
const MEN: [&str; 24] = [
    "Ahmad", "Budi", "Joko", "Agus", "Eko", "Dedi", "Hendra", "Rudi", "Yohanes", "Andreas",
    "Petrus", "Markus", "Nur", "Muhammad", "Abdul", "Suparman", "Yusuf", "Rahmat", "Ali", "Hasan",
    "Apui", "Akiong", "Stefanus", "Paulus",
];
const SECOND: [&str; 32] = [
    "Aminah",
    "Santoso",
    "Susilo",
    "Hidayat",
    "Saputra",
    "Wijaya",
    "Lestari",
    "Rahayu",
    "Kurniawan",
    "Setiawan",
    "Pratama",
    "Nugroho",
    "Handayani",
    "Sulastri",
    "Hasanah",
    "Yanti",
    "Syahputra",
    "Ramadhan",
    "Fauzi",
    "Siregar",
    "Simanjuntak",
    "Ningsih",
    "Wulandari",
    "Purnama",
    "Anggraini",
    "Sembiring",
    "Lim",
    "Tan",
    "Effendi",
    "Hartono",
    "Suryadi",
    "Kusuma",
];

/// Categories of the default pack, with a weight (out of 100) each.
const CATEGORIES: [(&str, &str, u64); 13] = [
    ("BPU", "petani", 34),
    ("BPU", "nelayan", 12),
    ("BPU", "buruh", 14),
    ("BPU", "umkm", 12),
    ("BPU", "pengemudi", 5),
    ("BPU", "lainnya", 8),
    ("PU", "perangkat_desa", 4),
    ("PU", "bpd", 2),
    ("PU", "lkd", 1),
    ("PU", "rt_rw", 4),
    ("PU", "linmas", 2),
    ("PU", "kader", 1),
    ("PU", "kebersihan", 1),
];

/// The search typed in the roster's search box: name fragments and NIK digits. Each
/// word is typed key by key; before each word but the first the box is cleared.
pub const SEARCH_WORDS: [&str; 6] = ["siti", "ahmad s", "nur", "6107", "4502", "1203"];

/// SplitMix64: small, fast, and the same numbers on every machine.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n`.
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

/// The villages and every record on the made-up device.
pub struct Fixture {
    villages: Vec<VillageSpec>,
    records: Vec<WorkerRecord>,
    pack: RulePack,
}

impl Fixture {
    /// The same people on every run.
    pub fn generate(villages: &[VillageSpec]) -> Result<Fixture> {
        Fixture::generate_named(villages, &[])
    }

    /// The same people, the first of them named `names` instead (long names
    /// for the phone-screen e2e walk).
    pub fn generate_named(villages: &[VillageSpec], names: &[&str]) -> Result<Fixture> {
        let pack = RulePack::default_pack();
        let today = Date::new(TODAY.0, TODAY.1, TODAY.2).expect("a real date");
        let agent = Agent {
            id: AGENT_ID.into(),
            name: AGENT_NAME.into(),
        };
        let mut random = Random(SEED);
        // Serials already used per NIK prefix (region + birth date): NIKs stay unique.
        let mut serials: HashMap<String, u16> = HashMap::new();
        let mut records = Vec::new();
        for village in villages {
            for _ in 0..village.workers {
                let mut input = person(&mut random, &mut serials);
                if let Some(name) = names.get(records.len()) {
                    input.name = (*name).to_owned();
                }
                let verdict = check(&input, &pack, today);
                let registration = verdict.registration.ok_or_else(|| {
                    let codes: Vec<&str> = verdict.issues.iter().map(|i| i.code()).collect();
                    Error::new(format!(
                        "bench fixture: the core refused a generated person ({}): {}",
                        input.nik,
                        codes.join(", ")
                    ))
                })?;
                let seq = records.len() as u64 + 1;
                let id = RecordId::new(uuid(&mut random)).expect("a UUID has no spaces");
                let at = Timestamp::from_millis(FIRST_CREATED_MS + seq as i64 * 60_000);
                records.push(WorkerRecord::create(
                    id,
                    village.code,
                    seq,
                    registration,
                    agent.clone(),
                    at,
                ));
            }
        }
        Ok(Fixture {
            villages: villages.to_vec(),
            records,
            pack,
        })
    }

    /// The rows to put in IndexedDB, per store: `villages`, `records`, `settings`.
    pub fn rows(&self) -> Result<Value> {
        let villages: Vec<Value> = self
            .villages
            .iter()
            .map(|v| {
                json!({
                    "v": 1,
                    "code": v.code,
                    "name": v.name,
                    "area": v.area,
                    "funded_slots": self.pack.funded_slots_per_village(),
                })
            })
            .collect();
        let records = self
            .records
            .iter()
            .map(record_row)
            .collect::<Result<Vec<_>>>()?;
        let settings = json!({
            "agent_id": AGENT_ID,
            "agent_name": AGENT_NAME,
            "lang": Lang::Id,
            "rule_pack": null,
        });
        let settings_row = json!({ "v": 1, "key": "device", "body": settings.to_string() });
        Ok(json!({
            "villages": villages,
            "records": records,
            "settings": [settings_row],
        }))
    }

    /// The record rows of one village.
    pub fn record_rows(&self, village: &str) -> Result<Vec<Value>> {
        self.records
            .iter()
            .filter(|r| r.village() == village)
            .map(record_row)
            .collect()
    }

    /// The workspace the app builds from these rows; every record must be accepted.
    pub fn workspace(&self) -> Result<Workspace> {
        let villages = self
            .villages
            .iter()
            .map(|v| {
                VillageRef::new(v.code, v.name)
                    .map(|r| (r, self.pack.funded_slots_per_village()))
                    .map_err(|_| Error::new(format!("bench fixture: bad village {}", v.code)))
            })
            .collect::<Result<Vec<_>>>()?;
        let (workspace, rejected) = Workspace::load(villages, self.records.iter().cloned());
        if let Some((id, error)) = rejected.first() {
            return Err(Error::new(format!(
                "bench fixture: the workspace rejects record {id:?}: {error:?}"
            )));
        }
        Ok(workspace)
    }
}

/// A record as the `records` store holds it (`RecordRow` v2 in src/store/rows/record.rs).
fn record_row(record: &WorkerRecord) -> Result<Value> {
    let body = serde_json::to_string(record)
        .map_err(|e| Error::new(format!("cannot serialize a record: {e}")))?;
    let mut row = json!({
        "v": 2,
        "id": record.id().as_str(),
        "village": record.village(),
        "seq": record.seq(),
        "body": body,
    });
    if record.is_active() {
        row["nik"] = json!(record.registration().nik.as_str());
    }
    Ok(row)
}

/// One made-up person as the form would hold them.
fn person(random: &mut Random, serials: &mut HashMap<String, u16>) -> RegistrationInput {
    loop {
        let female = random.below(2) == 0;
        let year = 1962 + random.below(46) as i32; // 18 to 64 years old on TODAY
        let month = 1 + random.below(12) as u8;
        let day = 1 + random.below(u64::from(days_in_month(year, month))) as u8;
        let district = DISTRICTS[random.below(DISTRICTS.len() as u64) as usize];
        let nik_day = if female { day + 40 } else { day };
        let prefix = format!(
            "6107{district:02}{nik_day:02}{month:02}{:02}",
            year.rem_euclid(100)
        );
        let serial = serials.entry(prefix.clone()).or_insert(0);
        if *serial == 9999 {
            continue;
        }
        *serial += 1;
        let first = if female {
            random.pick(&WOMEN)
        } else {
            random.pick(&MEN)
        };
        let mut name = format!("{first} {}", random.pick(&SECOND));
        if random.below(4) == 0 {
            name = format!("{name} {}", random.pick(&SECOND));
        }
        let mut weight = random.below(100);
        let (segment, category) = CATEGORIES
            .iter()
            .find(|(_, _, w)| {
                let hit = weight < *w;
                weight = weight.saturating_sub(*w);
                hit
            })
            .map(|(s, c, _)| (*s, *c))
            .expect("the weights add up to 100");
        return RegistrationInput {
            nik: format!("{prefix}{serial:04}"),
            name,
            birth_date: format!("{year:04}-{month:02}-{day:02}"),
            sex: if female { "F" } else { "M" }.into(),
            segment: segment.into(),
            category: category.into(),
            funding_source: String::new(),
            with_jht: random.below(10) == 0,
        };
    }
}

/// A UUID v4 in form (the app's ids come from `crypto.randomUUID`).
fn uuid(random: &mut Random) -> String {
    let (a, b) = (random.next(), random.next());
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xfff,
        0x8000 | ((b >> 48) & 0x3fff),
        b & 0xffff_ffff_ffff
    )
}

/// One keystroke in the search box and what the roster must show after it.
#[derive(Debug, PartialEq)]
pub struct Keystroke {
    /// A character typed, or `None`: select all and delete.
    pub key: Option<char>,
    /// The search box's text after the keystroke.
    pub text: String,
    /// `[data-testid=roster-result-count]` after the keystroke, as the app writes it.
    pub count_text: String,
}

/// The keystrokes of [`SEARCH_WORDS`] with the counts the core gives for `village`.
pub fn search_script(workspace: &Workspace, village: &str) -> Result<Vec<Keystroke>> {
    let roster = workspace
        .roster(village)
        .ok_or_else(|| Error::new(format!("bench fixture: no village {village}")))?;
    let count = |text: &str| {
        let query = Query {
            text: text.to_owned(),
            ..Query::default()
        };
        count_text(query::run(roster, &query).len())
    };
    let mut keys = Vec::new();
    for (i, word) in SEARCH_WORDS.iter().enumerate() {
        if i > 0 {
            keys.push(Keystroke {
                key: None,
                text: String::new(),
                count_text: count(""),
            });
        }
        for (end, c) in word.char_indices() {
            let text = &word[..end + c.len_utf8()];
            keys.push(Keystroke {
                key: Some(c),
                text: text.to_owned(),
                count_text: count(text),
            });
        }
    }
    Ok(keys)
}

/// The roster's result count as the app shows it in Indonesian.
pub fn count_text(n: usize) -> String {
    format!("{n} orang")
}

#[cfg(test)]
mod tests {
    use super::*;

    const V2: &str = include_str!("../../../tests/fixtures/idb_v2_expected.json");

    #[test]
    fn record_rows_are_what_the_store_writes() {
        // The golden v2 rows of src/store/rows/, rebuilt from their bodies.
        let doc: Value = serde_json::from_str(V2).unwrap();
        for row in doc["stores"]["records"].as_array().unwrap() {
            let record: WorkerRecord = serde_json::from_str(row["body"].as_str().unwrap()).unwrap();
            assert_eq!(&record_row(&record).unwrap(), row);
        }
    }

    #[test]
    fn settings_row_reads_like_the_golden_one() {
        let doc: Value = serde_json::from_str(V2).unwrap();
        let golden = &doc["stores"]["settings"][0];
        let fixture = Fixture::generate(&[]).unwrap();
        let ours = &fixture.rows().unwrap()["settings"][0];
        assert_eq!(ours["v"], golden["v"]);
        assert_eq!(ours["key"], golden["key"]);
        let keys = |row: &Value| -> Vec<String> {
            let body: Value = serde_json::from_str(row["body"].as_str().unwrap()).unwrap();
            body.as_object().unwrap().keys().cloned().collect()
        };
        assert_eq!(keys(ours), keys(golden));
    }

    #[test]
    fn people_are_valid_unique_and_the_same_every_time() {
        let villages = [
            VillageSpec {
                workers: 300,
                ..REGENCY[0]
            },
            REGENCY[2],
        ];
        let fixture = Fixture::generate(&villages).unwrap();
        let workspace = fixture.workspace().unwrap();
        assert_eq!(workspace.roster(REGENCY[0].code).unwrap().len(), 300);
        assert_eq!(workspace.roster(REGENCY[2].code).unwrap().len(), 80);
        let again = Fixture::generate(&villages).unwrap();
        assert_eq!(again.records, fixture.records);
        for record in &fixture.records {
            let nik = record.registration().nik.as_str();
            assert!(nik.starts_with("6107") && !nik.ends_with("0000"), "{nik}");
        }
    }

    #[test]
    fn search_script_types_each_word_and_clears_between() {
        let villages = [VillageSpec {
            workers: 50,
            ..REGENCY[0]
        }];
        let fixture = Fixture::generate(&villages).unwrap();
        let script = search_script(&fixture.workspace().unwrap(), REGENCY[0].code).unwrap();
        let typed: usize = SEARCH_WORDS.iter().map(|w| w.chars().count()).sum();
        assert_eq!(script.len(), typed + SEARCH_WORDS.len() - 1);
        assert_eq!(script[0].key, Some('s'));
        assert_eq!(script[0].text, "s");
        assert_eq!(script[4].key, None);
        assert_eq!(script[4].count_text, "50 orang");
        // Every NIK starts with 6107, so "6107" finds everyone.
        let nik = script.iter().find(|k| k.text == "6107").unwrap();
        assert_eq!(nik.count_text, "50 orang");
    }
}
