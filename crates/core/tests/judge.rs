//! The district's judgement of bundle records: one table of edits to a valid
//! record and the codes each gives. All NIKs and names are made up.

use lindung_core::bundle::{
    build_payload, parse_rfc3339, BundleRecord, BundleStatus, BundleVillage, Op, PackDigest,
    PayloadInput,
};
use lindung_core::judge::{judge_record, RecordVerdict, Villages};
use lindung_core::{
    check, Agent, Date, RecordId, RegistrationInput, RulePack, Status, WorkerRecord,
};

const VILLAGE: &str = "61.07.01.2001";

fn agent() -> Agent {
    Agent {
        id: "agent-1".into(),
        name: "Petugas Uji".into(),
    }
}

fn villages() -> Vec<BundleVillage> {
    vec![BundleVillage {
        code: VILLAGE.into(),
        name: "Sungai Duri".into(),
        funded_slots: 100,
    }]
}

/// A made-up woman born 5 Feb 1987, a farmer, as a bundle carries her;
/// `removed`: sent as removed.
fn record(removed: bool) -> BundleRecord {
    let input = RegistrationInput {
        nik: "6107014502870001".into(),
        name: "Siti Aminah".into(),
        birth_date: "1987-02-05".into(),
        sex: "F".into(),
        segment: "BPU".into(),
        category: "petani".into(),
        ..RegistrationInput::default()
    };
    let registration = check(&input, &RulePack::default_pack(), day("2026-11-21"))
        .registration
        .expect("valid fixture");
    let mut worker = WorkerRecord::create(
        RecordId::new("r1").unwrap(),
        VILLAGE,
        1,
        registration,
        agent(),
        parse_rfc3339("2026-11-20T01:00:00Z").unwrap(),
    );
    let status = if removed {
        worker
            .remove(
                agent(),
                parse_rfc3339("2026-11-21T01:00:00Z").unwrap(),
                "pindah",
            )
            .unwrap();
        None
    } else {
        Some(Status::Funded)
    };
    let pack = PackDigest::new(
        &RulePack::default_pack(),
        RulePack::default_json().as_bytes(),
    );
    let mut payload = build_payload(PayloadInput {
        bundle_id: "b1",
        device_kid: "kid",
        agent: &agent(),
        sequence: 1,
        previous: None,
        created_at: parse_rfc3339("2026-11-21T03:00:00Z").unwrap(),
        rule_pack: &pack,
        villages: &villages(),
        records: &[(worker, status)],
    })
    .unwrap();
    payload.records.remove(0)
}

fn day(text: &str) -> Date {
    Date::parse_iso(text).unwrap()
}

fn judge(record: &BundleRecord, villages: &[BundleVillage], on: &str) -> RecordVerdict {
    judge_record(
        record,
        &Villages::new(villages),
        &RulePack::default_pack(),
        day(on),
    )
}

type Edit = fn(&mut BundleRecord, &mut Vec<BundleVillage>);

#[test]
fn records_are_judged_again_with_the_district_pack() {
    let cases: &[(&str, bool, Edit, &[&str])] = &[
        ("valid", false, |_, _| {}, &[]),
        (
            "separators in the NIK are fine",
            false,
            |r, _| r.nik = "6107 0145.0287-0001".into(),
            &[],
        ),
        (
            "NIK too short",
            false,
            |r, _| r.nik = "61070145028700".into(),
            &["nik.length"],
        ),
        (
            "NIK with letters",
            false,
            |r, _| r.nik = "61070145O2870001".into(),
            &["nik.non_digit"],
        ),
        (
            "no NIK",
            false,
            |r, _| r.nik = String::new(),
            &["reg.required"],
        ),
        (
            "NIK of a man, entered as a woman",
            false,
            |r, _| r.nik = "6107010502870001".into(),
            &["reg.sex_mismatch"],
        ),
        (
            "birth date not the NIK's",
            false,
            |r, _| r.birth_date = day("1987-02-06"),
            &["reg.birth_date_mismatch"],
        ),
        (
            "past the age window (the device said eligible)",
            false,
            |r, _| {
                r.nik = "6107014502500001".into();
                r.birth_date = day("1950-02-05");
            },
            &["reg.age_out_of_window"],
        ),
        (
            "segment unknown to the pack",
            false,
            |r, _| r.segment = "XYZ".into(),
            &["reg.segment_unknown"],
        ),
        (
            "category of another segment",
            false,
            |r, _| r.category = "bpd".into(),
            &["reg.category_unknown"],
        ),
        (
            "funding source unknown",
            false,
            |r, _| r.funding_source = "DONOR".into(),
            &["reg.funding_source_unknown"],
        ),
        (
            "name with digits",
            false,
            |r, _| r.name = "Siti 2".into(),
            &["reg.name_invalid"],
        ),
        (
            "blank record id",
            false,
            |r, _| r.record_id = " ".into(),
            &["record.id_invalid"],
        ),
        (
            "village not listed",
            false,
            |r, _| r.village = "61.07.01.2002".into(),
            &["record.village_unlisted"],
        ),
        (
            "malformed village code",
            false,
            |r, v| {
                r.village = "61.7.01.2001".into();
                v[0].code = "61.7.01.2001".into();
            },
            &["village.code_invalid"],
        ),
        (
            "village code with spaces",
            false,
            |r, v| {
                r.village = " 61.07.01.2001".into();
                v[0].code = " 61.07.01.2001".into();
            },
            &["village.code_invalid"],
        ),
        (
            "no such province",
            false,
            |r, v| {
                r.village = "99.07.01.2001".into();
                v[0].code = "99.07.01.2001".into();
            },
            &["village.province_unknown"],
        ),
        (
            "village without a name",
            false,
            |_, v| v[0].name = " ".into(),
            &["village.name_empty"],
        ),
        (
            "no history",
            false,
            |r, _| r.history.clear(),
            &["record.history"],
        ),
        (
            "revision ahead of its history",
            false,
            |r, _| r.revision = 2,
            &["record.history"],
        ),
        (
            "revision zero",
            false,
            |r, _| {
                r.revision = 0;
                r.history.clear();
            },
            &["record.history"],
        ),
        (
            "removed status on an upsert",
            false,
            |r, _| r.status = BundleStatus::Removed,
            &["record.op_status"],
        ),
        (
            "a removal that says funded",
            true,
            |r, _| r.status = BundleStatus::Funded,
            &["record.op_status"],
        ),
        (
            "a removal is judged on its shape only",
            true,
            |r, _| {
                r.nik = "123".into();
                r.segment = "XYZ".into();
            },
            &[],
        ),
        (
            "every problem at once, in order",
            false,
            |r, _| {
                r.record_id = String::new();
                r.history.clear();
                r.village = "61.07.01.2009".into();
                r.nik = "1".into();
                r.segment = "XYZ".into();
            },
            &[
                "record.id_invalid",
                "record.history",
                "record.village_unlisted",
                "nik.length",
                "reg.segment_unknown",
            ],
        ),
    ];
    for (name, removed, edit, codes) in cases {
        let mut r = record(*removed);
        let mut v = villages();
        edit(&mut r, &mut v);
        let verdict = judge(&r, &v, "2026-11-20");
        assert_eq!(verdict.codes, *codes, "{name}");
        assert_eq!(verdict.accepted(), codes.is_empty(), "{name}");
        assert_eq!(
            verdict.registration.is_some(),
            codes.is_empty() && !removed,
            "{name}"
        );
    }
}

#[test]
fn the_nik_is_kept_as_its_digits_when_it_parses() {
    let mut r = record(false);
    r.nik = "6107 0145 0287 0001".into();
    assert_eq!(judge(&r, &villages(), "2026-11-20").nik, "6107014502870001");
    r.nik = "61-07".into();
    assert_eq!(judge(&r, &villages(), "2026-11-20").nik, "61-07");
    let mut removal = record(true);
    removal.nik = "6107.0145.0287.0001".into();
    assert_eq!(
        judge(&removal, &villages(), "2026-11-20").nik,
        "6107014502870001"
    );
}

/// The age window applies on the day of registration, as the district
/// orders it, not on the day the bundle arrives.
#[test]
fn age_is_judged_on_the_registration_date() {
    let mut r = record(false);
    // Born 5 Feb 1961: 65 until 4 Feb 2027.
    r.nik = "6107014502610001".into();
    r.birth_date = day("1961-02-05");
    assert!(judge(&r, &villages(), "2027-02-04").accepted());
    assert_eq!(
        judge(&r, &villages(), "2027-02-05").codes,
        ["reg.age_out_of_window"]
    );
}

/// Region codes in a NIK that the table does not know are warnings, never
/// a reason to quarantine (old NIKs keep codes of split regencies).
#[test]
fn unknown_regions_in_a_nik_are_warnings() {
    let mut r = record(false);
    r.nik = "6199014502870001".into();
    let verdict = judge(&r, &villages(), "2026-11-20");
    assert!(verdict.accepted(), "{:?}", verdict.codes);
    assert_eq!(verdict.warnings, ["nik.regency_unknown"]);
}

#[test]
fn op_of_a_removal() {
    assert_eq!(record(true).op, Op::Remove);
}
