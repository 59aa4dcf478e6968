//! `district report` against a register built from signed bundles: numbers
//! checked against budgets computed by hand with the default rule pack in
//! May 2027 (no PP 50/2025 discount applies then). Each test body runs once
//! per backend (`backend_tests!`).
//! All NIKs and names here are made up.

use lindung_core::bundle::{
    build_payload, parse_rfc3339, sign_bundle, BundlePayload, BundleVillage, Op, PackDigest,
    PayloadInput,
};
use lindung_core::{check, Date, RecordId, RegistrationInput, RulePack, Status, WorkerRecord};
use lindung_district::register::Register;
use lindung_district::report::{self, Report};

mod common;
use common::{agent, district, kid, signer, Db, Run};

const V1: &str = "61.07.01.2001";
const V2: &str = "61.07.01.2002";
const V3: &str = "61.07.02.2001";

/// A worker: (record id, village, NIK, segment, category, funding source, created at).
type Worker = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
);

fn record(device: u8, w: &Worker) -> WorkerRecord {
    let (id, village, nik, segment, category, funding, at) = *w;
    let input = RegistrationInput {
        nik: nik.into(),
        // Names take no digits: r3 is "Pekerja D".
        name: format!("Pekerja {}", char::from(b'A' + id.as_bytes()[1] - b'0')),
        birth_date: "1987-02-05".into(),
        sex: "F".into(),
        segment: segment.into(),
        category: category.into(),
        funding_source: funding.into(),
        ..RegistrationInput::default()
    };
    let today = Date::parse_iso("2026-11-21").unwrap();
    let verdict = check(&input, &RulePack::default_pack(), today);
    let registration = verdict
        .registration
        .unwrap_or_else(|| panic!("valid fixture {id}: {:?}", verdict.issues));
    WorkerRecord::create(
        RecordId::new(id).unwrap(),
        village,
        1,
        registration,
        agent(device),
        parse_rfc3339(at).unwrap(),
    )
}

fn payload(device: u8, sequence: u64, workers: &[Worker]) -> BundlePayload {
    let villages = [
        BundleVillage {
            code: V1.into(),
            name: "Sungai Ambawang Kuala".into(),
            funded_slots: 2,
        },
        BundleVillage {
            code: V2.into(),
            name: "Jawa Tengah".into(),
            funded_slots: 3,
        },
        BundleVillage {
            code: V3.into(),
            name: "Kuala Mandor A".into(),
            funded_slots: 2,
        },
    ];
    let records: Vec<(WorkerRecord, Option<Status>)> = workers
        .iter()
        .map(|w| (record(device, w), Some(Status::Funded)))
        .collect();
    let pack = PackDigest::new(
        &RulePack::default_pack(),
        RulePack::default_json().as_bytes(),
    );
    build_payload(PayloadInput {
        bundle_id: &format!("bundle-{device}-{sequence}"),
        device_kid: &kid(device),
        agent: &agent(device),
        sequence,
        previous: if sequence == 1 {
            None
        } else {
            Some("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
        },
        created_at: parse_rfc3339("2026-11-21T03:00:00Z").unwrap(),
        rule_pack: &pack,
        villages: &villages,
        records: &records,
    })
    .expect("a valid payload")
}

fn sign(device: u8, payload: &BundlePayload) -> Vec<u8> {
    sign_bundle(payload, &signer(device))
        .expect("signs")
        .jws
        .into_bytes()
}

/// The built-in pack, but funding 2 slots per village: the district's
/// number, whatever the devices declare (the bundles say 2, 3 and 2).
fn two_slot_pack() -> String {
    let mut pack: serde_json::Value = serde_json::from_str(RulePack::default_json()).unwrap();
    pack["id"] = "test-two-slots".into();
    pack["version"] = "1".into();
    pack["funded_slots_per_village"]["value"] = 2.into();
    serde_json::to_string_pretty(&pack).unwrap()
}

/// With [`two_slot_pack`] published: V1: r3, r2 (APBD) and r1 (MANDIRI,
/// registered last, so waitlisted although its id sorts first), PU r4, and
/// r0 removed. V2: r5. V3 (another district): r6 from device 2, sequence 2
/// (sequence 1 missing), with r3's NIK.
fn register_with_workers(db: &Db) {
    let (mut register, _) = Register::init(db.location()).unwrap();
    register
        .publish_pack(&two_slot_pack(), common::enrolled())
        .unwrap();
    register
        .add_agent(&kid(1), "Siti", None, common::enrolled())
        .unwrap();
    register
        .add_agent(&kid(2), "Budi", None, common::enrolled())
        .unwrap();
    let bpu = |id, village, nik, funding, at| (id, village, nik, "BPU", "petani", funding, at);
    let mut first = payload(
        1,
        1,
        &[
            bpu("r0", V1, "6107014502870010", "APBD", "2026-11-20T00:30:00Z"),
            bpu(
                "r1",
                V1,
                "6107014502870001",
                "MANDIRI",
                "2026-11-20T03:00:00Z",
            ),
            bpu("r2", V1, "6107014502870002", "APBD", "2026-11-20T02:00:00Z"),
            bpu("r3", V1, "6107014502870003", "APBD", "2026-11-20T01:00:00Z"),
            (
                "r4",
                V1,
                "6107014502870004",
                "PU",
                "perangkat_desa",
                "",
                "2026-11-20T04:00:00Z",
            ),
            bpu("r5", V2, "6107014502870005", "APBD", "2026-11-20T05:00:00Z"),
        ],
    );
    let removed = first
        .records
        .iter_mut()
        .find(|r| r.record_id == "r0")
        .unwrap();
    removed.op = Op::Remove;
    removed.revision = 2;
    let merged = register
        .ingest(&sign(1, &first), common::received())
        .unwrap();
    assert!(
        matches!(
            merged,
            lindung_district::register::IngestOutcome::Merged { .. }
        ),
        "{merged:?}"
    );
    let second = payload(
        2,
        2,
        &[bpu(
            "r6",
            V3,
            "6107014502870003",
            "APBD",
            "2026-11-20T06:00:00Z",
        )],
    );
    let merged = register
        .ingest(&sign(2, &second), common::received())
        .unwrap();
    assert!(
        matches!(
            &merged,
            lindung_district::register::IngestOutcome::Merged { missing, .. }
                if missing == &[(1, 1)]
        ),
        "{merged:?}"
    );
}

fn may_2027() -> Date {
    Date::parse_iso("2027-05-01").unwrap()
}

fn build(db: &Db) -> Report {
    let mut register = Register::open(db.location()).unwrap();
    let pack = register.pack().unwrap().pack;
    let data = register.report_data().unwrap();
    report::build(&data, &pack, may_2027()).unwrap()
}

fn village_numbers_match_hand_computed_budgets(db: Db) {
    register_with_workers(&db);
    let report = build(&db);
    assert_eq!(report.month, "2027-05");
    let codes: Vec<&str> = report.villages.iter().map(|v| v.code.as_str()).collect();
    assert_eq!(codes, [V1, V2, V3]);

    let v1 = &report.villages[0];
    assert_eq!(v1.name, "Sungai Ambawang Kuala");
    assert_eq!(v1.agents, ["Siti"]);
    assert_eq!(
        (v1.funded_slots, v1.funded, v1.waitlisted, v1.apparatus),
        (2, 2, 1, 1)
    );
    assert_eq!(v1.coverage_permille, Some(1000));
    assert_eq!(v1.coverage_text(), "100.0");
    // BPU: JKK 1% of Rp1.000.000 = 10.000, JKM flat 6.800 → 16.800 each;
    // PU: JKK 0.24% = 2.400, JKM 0.30% = 3.000 → 5.400.
    // 2 × 16.800 + 5.400 = 39.000 a month, 468.000 a year.
    assert_eq!(v1.monthly.total, 39_000);
    assert_eq!(v1.yearly.total, 468_000);
    assert_eq!(
        (v1.monthly.jkk, v1.monthly.jkm, v1.monthly.jht),
        (22_400, 16_600, 0)
    );
    assert_eq!(
        (v1.yearly.jkk, v1.yearly.jkm, v1.yearly.jht),
        (268_800, 199_200, 0)
    );
    // Registration order is the claimed time (within the district's
    // window): r1 (MANDIRI) came last and waits.
    assert_eq!(v1.monthly.by_funding_source["APBD"], 33_600);
    assert_eq!(v1.monthly.by_funding_source["APBDES"], 5_400);
    assert!(!v1.monthly.by_funding_source.contains_key("MANDIRI"));
    assert_eq!(v1.yearly.by_funding_source["APBD"], 403_200);
    assert_eq!(v1.duplicate_niks, 1);
    assert_eq!(v1.missing_sequences, 0);
    assert_eq!(v1.skipped_records, 0);
    assert_eq!(v1.quarantined_records, 0);

    let v2 = &report.villages[1];
    // The device declared 3 slots; the district's pack funds 2.
    assert_eq!((v2.funded_slots, v2.funded, v2.waitlisted), (2, 1, 0));
    assert_eq!(v2.coverage_text(), "50.0");
    assert_eq!((v2.monthly.total, v2.yearly.total), (16_800, 201_600));
    assert_eq!(v2.duplicate_niks, 0);

    let v3 = &report.villages[2];
    assert_eq!(v3.agents, ["Budi"]);
    assert_eq!(v3.coverage_text(), "50.0");
    assert_eq!(v3.duplicate_niks, 1);
    assert_eq!(v3.missing_sequences, 1);
    assert_eq!((v3.gaps[0].first, v3.gaps[0].last), (1, 1));
    assert_eq!(v3.gaps[0].kid, kid(2));
}

fn totals_per_district_and_regency(db: Db) {
    register_with_workers(&db);
    let report = build(&db);
    let districts: Vec<(&str, u32, u32, u32, i64, i64)> = report
        .districts
        .iter()
        .map(|d| {
            (
                d.code.as_str(),
                d.villages,
                d.funded,
                d.funded_slots,
                d.monthly.total,
                d.yearly.total,
            )
        })
        .collect();
    assert_eq!(
        districts,
        [
            ("61.07.01", 2, 3, 4, 55_800, 669_600),
            ("61.07.02", 1, 1, 2, 16_800, 201_600),
        ]
    );
    assert_eq!(report.districts[0].coverage_text(), "75.0");
    assert_eq!(report.districts[0].waitlisted, 1);
    assert_eq!(report.districts[0].apparatus, 1);
    assert_eq!(report.districts[0].duplicate_niks, 1);
    assert_eq!(report.districts[0].missing_sequences, 0);
    assert_eq!(report.districts[1].missing_sequences, 1);

    let [regency] = report.regencies.as_slice() else {
        panic!("one regency: {:?}", report.regencies);
    };
    assert_eq!(regency.code, "61.07");
    assert_eq!(
        (regency.villages, regency.funded, regency.funded_slots),
        (3, 4, 6)
    );
    assert_eq!(regency.coverage_text(), "66.7");
    assert_eq!(
        (regency.monthly.total, regency.yearly.total),
        (72_600, 871_200)
    );
    assert_eq!(regency.monthly.by_funding_source["APBD"], 67_200);
    // The NIK held in V1 and V3 is one duplicate for the regency.
    assert_eq!(regency.duplicate_niks, 1);
    assert_eq!(regency.missing_sequences, 1);
    assert_eq!(regency.agents, ["Budi", "Siti"]);
}

fn csv_has_a_header_and_plain_integers(db: Db) {
    register_with_workers(&db);
    let path = &db.arg();
    let Run {
        code,
        stdout: out,
        stderr: err,
    } = district(&[
        "report", "--db", path, "--format", "csv", "--month", "2027-05",
    ]);
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 1 + 3 + 2 + 1);
    assert_eq!(
        lines[0],
        "level,code,name,agents,villages,funded_slots,funded,waitlisted,apparatus,\
         coverage_percent,monthly_JKK,monthly_JKM,monthly_JHT,monthly_total,yearly_JKK,\
         yearly_JKM,yearly_JHT,yearly_total,monthly_APBD,monthly_APBDES,monthly_APBN,\
         monthly_MANDIRI,yearly_APBD,yearly_APBDES,yearly_APBN,yearly_MANDIRI,\
         duplicate_niks,missing_sequences,skipped_records,quarantined_records"
    );
    assert_eq!(
        lines[1],
        "village,61.07.01.2001,Sungai Ambawang Kuala,Siti,1,2,2,1,1,100.0,22400,16600,0,\
         39000,268800,199200,0,468000,33600,5400,0,0,403200,64800,0,0,1,0,0,0"
    );
    assert!(lines[4].starts_with("district,61.07.01,,Siti,2,4,3,1,1,75.0,"));
    assert!(lines[6].starts_with("regency,61.07,,Budi; Siti,3,6,4,1,1,66.7,"));
    assert!(lines[6].ends_with(",1,1,0,0"));
}

fn json_numbers_are_integers(db: Db) {
    register_with_workers(&db);
    let path = &db.arg();
    let Run {
        code,
        stdout: out,
        stderr: err,
    } = district(&[
        "report", "--db", path, "--format", "json", "--month", "2027-05",
    ]);
    assert_eq!(code, 0, "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["month"], "2027-05");
    assert_eq!(json["pack"]["id"], "test-two-slots");
    let v1 = &json["villages"][0];
    assert_eq!(v1["code"], V1);
    assert_eq!(v1["monthly"]["total"], serde_json::json!(39_000));
    assert_eq!(v1["yearly"]["total"], serde_json::json!(468_000));
    assert_eq!(v1["monthly"]["JKK"], serde_json::json!(22_400));
    assert_eq!(v1["monthly"]["by_funding_source"]["APBD"], 33_600);
    assert_eq!(v1["coverage_permille"], 1000);
    assert_eq!(json["villages"][1]["coverage_permille"], 500);
    assert_eq!(json["districts"][0]["code"], "61.07.01");
    assert_eq!(json["regencies"][0]["yearly"]["total"], 871_200);
    assert_eq!(json["villages"][2]["gaps"][0]["first"], 1);
    assert!(json["villages"][0]["monthly"]["total"].is_i64());
}

fn table_is_aligned_with_rupiah(db: Db) {
    register_with_workers(&db);
    let path = &db.arg();
    let Run {
        code,
        stdout: out,
        stderr: err,
    } = district(&["report", "--db", path, "--month", "2027-05"]);
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[0].starts_with("Report for 2027-05"), "{out}");
    assert!(lines[1].starts_with("level"), "{out}");
    assert!(lines[2].contains("Rp39.000"), "{out}");
    assert!(lines[2].contains("Rp468.000"), "{out}");
    assert!(lines[2].contains("100.0%"), "{out}");
    // Aligned: every row's `code` column starts where the header's does.
    let at = lines[1].find("code").unwrap();
    for line in &lines[2..] {
        assert!(line[at..].starts_with("61.07"), "{line}");
    }
}

fn xlsx_is_a_workbook_with_the_report_sheet(db: Db) {
    register_with_workers(&db);
    let path = &db.arg();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("report.xlsx");
    let Run {
        code,
        stdout: out,
        stderr: err,
    } = district(&[
        "report",
        "--db",
        path,
        "--format",
        "xlsx",
        "--month",
        "2027-05",
        "--out",
        file.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("wrote "), "{out}");
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&file).unwrap()).unwrap();
    let mut read = |name: &str| {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut zip.by_name(name).unwrap(), &mut text).unwrap();
        text
    };
    assert!(read("xl/workbook.xml").contains("name=\"Laporan\""));
    let styles = read("xl/styles.xml");
    assert!(styles.contains("&quot;Rp&quot;#,##0"), "{styles}");
    let sheet = read("xl/worksheets/sheet1.xml");
    // 39.000 is stored as a number, not as text.
    assert!(sheet.contains("<v>39000</v>"), "{sheet}");
}

fn usage_errors_and_pack_option(db: Db) {
    register_with_workers(&db);
    let path = &db.arg();
    let Run {
        code, stderr: err, ..
    } = district(&["report", "--db", path, "--format", "xlsx"]);
    assert_eq!(code, 2);
    assert!(err.contains("--format xlsx needs --out FILE"), "{err}");
    let Run {
        code, stderr: err, ..
    } = district(&["report", "--db", path, "--month", "2027-13"]);
    assert_eq!(code, 2);
    assert!(err.contains("is not a month"), "{err}");
    let dir = tempfile::tempdir().unwrap();
    let pack = dir.path().join("pack.json");
    // The built-in pack funds 100 slots: r1 is funded too.
    std::fs::write(&pack, RulePack::default_pack().to_json_pretty()).unwrap();
    let Run {
        code,
        stdout: out,
        stderr: err,
    } = district(&[
        "report",
        "--db",
        path,
        "--format",
        "json",
        "--month",
        "2027-05",
        "--pack",
        pack.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("\"total\": 55800"), "{out}");
    std::fs::write(&pack, "{}").unwrap();
    let Run {
        code, stderr: err, ..
    } = district(&["report", "--db", path, "--pack", pack.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(err.contains("rejected"), "{err}");
}

backend_tests!(
    village_numbers_match_hand_computed_budgets,
    totals_per_district_and_regency,
    csv_has_a_header_and_plain_integers,
    json_numbers_are_integers,
    table_is_aligned_with_rupiah,
    xlsx_is_a_workbook_with_the_report_sheet,
    usage_errors_and_pack_option,
);
