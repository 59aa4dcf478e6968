//! The district's own judgement, through the register: quarantine, record
//! ownership, registration order against phone clocks, rule pack notes,
//! withdrawal, and reports that bad bundles cannot stop. Each test body runs
//! once per backend (`backend_tests!`). All NIKs and names are made up.

use lindung_core::bundle::{
    parse_rfc3339, sign_bundle, BundlePayload, BundleRecord, BundleStatus, BundleVillage,
};
use lindung_core::{RulePack, Timestamp};
use lindung_district::register::{IngestOutcome, Register, RegisterError};
use lindung_district::report;

mod common;
use common::{kid, payload_with, signer, template, up, Db, Rec, V1, V2};

fn at(text: &str) -> Timestamp {
    parse_rfc3339(text).unwrap()
}

/// A pack like the built-in one funding `slots` per village.
fn pack_with_slots(slots: u32) -> String {
    let mut pack: serde_json::Value = serde_json::from_str(RulePack::default_json()).unwrap();
    pack["id"] = "test-slots".into();
    pack["version"] = slots.to_string().into();
    pack["funded_slots_per_village"]["value"] = slots.into();
    serde_json::to_string(&pack).unwrap()
}

/// Bundle `sequence` of `device` after `previous`, its records made from
/// the template by `edit` (given each record's index).
fn signed(
    device: u8,
    sequence: u64,
    previous: Option<&str>,
    recs: &[Rec],
    edit: impl Fn(usize, &mut lindung_core::bundle::BundleRecord, &mut BundlePayload),
) -> (Vec<u8>, String) {
    let mut payload = payload_with(device, sequence, previous, &[]);
    let template = template();
    for (i, rec) in recs.iter().enumerate() {
        let record = common::record_of(&template, rec);
        payload.records.push(record);
        let last = payload.records.len() - 1;
        let mut record = payload.records.remove(last);
        edit(i, &mut record, &mut payload);
        payload.records.push(record);
    }
    let signed = sign_bundle(&payload, &signer(device)).expect("signs");
    (signed.jws.into_bytes(), signed.signing_input_hash)
}

fn quarantined(outcome: &IngestOutcome) -> Vec<String> {
    match outcome {
        IngestOutcome::Merged { quarantined, .. } => quarantined
            .iter()
            .map(|q| format!("{} {}", q.record_id, q.codes.join(",")))
            .collect(),
        other => panic!("not merged: {other:?}"),
    }
}

fn open(db: &Db) -> Register {
    let (mut register, _) = Register::init(db.location()).unwrap();
    register
        .add_agent(&kid(1), "Siti", None, common::enrolled())
        .unwrap();
    register
        .add_agent(&kid(2), "Budi", None, common::enrolled())
        .unwrap();
    register
}

fn report_of(register: &mut Register) -> report::Report {
    let pack = register.pack().unwrap().pack;
    let data = register.report_data().unwrap();
    report::build(
        &data,
        &pack,
        lindung_core::Date::parse_iso("2027-05-01").unwrap(),
    )
    .unwrap()
}

/// How a test makes a bad record out of a good one (and its bundle).
type Spoil = fn(&mut BundleRecord, &mut BundlePayload);

/// What the register holds before a test's bundle arrives.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Before {
    Nothing,
    /// Device 2 sent a record with the bad record's id first.
    Taken,
    /// The district's pack offers JHT to no segment.
    NoJht,
}

/// The built-in pack without JHT.
fn pack_without_jht() -> String {
    let mut pack: serde_json::Value = serde_json::from_str(RulePack::default_json()).unwrap();
    pack["id"] = "test-no-jht".into();
    for rate in pack["rates"].as_array_mut().unwrap() {
        rate["programmes"].as_object_mut().unwrap().remove("JHT");
    }
    serde_json::to_string(&pack).unwrap()
}

/// A village the bundle lists as well, as a device might.
fn listed(payload: &mut BundlePayload, code: &str, name: &str) {
    payload.villages.push(BundleVillage {
        code: code.into(),
        name: name.into(),
        funded_slots: 50,
    });
}

/// Records the district does not accept are quarantined with their codes;
/// the rest of the bundle merges, and the report is made with it. One row
/// per code the district quarantines a record for (every `record.*` and
/// `village.*` code, representative `nik.*` and `reg.*` ones): the codes
/// expected, the bad record's NIK, what the register holds before, and how
/// the record is spoilt. The bad record is `bad` of village 1 unless the
/// row says otherwise; the bundle also carries `good`.
fn bad_records_are_quarantined_and_the_rest_merges(db: Db) {
    const NIK: &str = "6107014502870002";
    use Before::*;
    let nothing: Spoil = |_, _| {};
    let rows: &[(&str, &str, Before, Spoil)] = &[
        ("record.id_invalid", NIK, Nothing, |r, _| {
            r.record_id = "bad id".into()
        }),
        ("record.history", NIK, Nothing, |r, _| r.revision = 2),
        ("record.op_status", NIK, Nothing, |r, _| {
            r.status = BundleStatus::Removed
        }),
        ("record.village_unlisted", NIK, Nothing, |r, _| {
            r.village = "61.07.01.2009".into()
        }),
        ("village.code_invalid", NIK, Nothing, |r, p| {
            r.village = "6107012003".into();
            listed(p, "6107012003", "Salah Tulis");
        }),
        ("village.province_unknown", NIK, Nothing, |r, p| {
            r.village = "20.07.01.2003".into();
            listed(p, "20.07.01.2003", "Tanpa Provinsi");
        }),
        ("village.name_empty", NIK, Nothing, |r, p| {
            r.village = "61.07.01.2003".into();
            listed(p, "61.07.01.2003", " ");
        }),
        ("nik.length", "61070145028700", Nothing, nothing),
        ("nik.non_digit", "61070145028700O2", Nothing, nothing),
        ("nik.province_unknown", "2007014502870002", Nothing, nothing),
        ("nik.day_invalid", "6107017502870002", Nothing, nothing),
        ("nik.month_invalid", "6107014513870002", Nothing, nothing),
        ("nik.date_invalid", "6107017102870002", Nothing, nothing),
        ("nik.serial_zero", "6107014502870000", Nothing, nothing),
        ("reg.required", NIK, Nothing, |r, _| r.name = " ".into()),
        ("reg.name_invalid", NIK, Nothing, |r, _| {
            r.name = "Pekerja 2".into()
        }),
        ("reg.birth_date_mismatch", NIK, Nothing, |r, _| {
            r.birth_date = lindung_core::Date::parse_iso("1987-02-06").unwrap()
        }),
        ("reg.sex_mismatch", NIK, Nothing, |r, _| {
            r.sex = lindung_core::Sex::Male
        }),
        // Born in 1950: 76 on the day the district registers it.
        (
            "reg.age_out_of_window",
            "6107014502500002",
            Nothing,
            nothing,
        ),
        ("reg.segment_unknown", NIK, Nothing, |r, _| {
            r.segment = "XYZ".into()
        }),
        ("reg.category_unknown", NIK, Nothing, |r, _| {
            r.category = "astronot".into()
        }),
        ("reg.funding_source_unknown", NIK, Nothing, |r, _| {
            r.funding_source = "BANK".into()
        }),
        ("reg.jht_not_offered", NIK, NoJht, |r, _| r.with_jht = true),
        ("record.other_device", NIK, Taken, nothing),
    ];
    for (codes, nik, before, spoil) in rows {
        let db = db.another();
        let mut register = open(&db);
        let taken = *before == Taken;
        match before {
            Nothing => {}
            Taken => {
                let (theirs, _) = signed(2, 1, None, &[up("bad", 1, NIK, V1)], |_, _, _| {});
                register.ingest(&theirs, common::received()).unwrap();
            }
            NoJht => {
                register
                    .publish_pack(&pack_without_jht(), common::enrolled())
                    .unwrap();
            }
        }
        let recs = [up("good", 1, "6107014502870001", V1), up("bad", 1, nik, V1)];
        let (bytes, _) = signed(1, 1, None, &recs, |i, r, p| {
            if i == 1 {
                spoil(r, p)
            }
        });
        let outcome = register.ingest(&bytes, common::received()).unwrap();
        let id = if *codes == "record.id_invalid" {
            "bad id"
        } else {
            "bad"
        };
        assert_eq!(quarantined(&outcome), [format!("{id} {codes}")], "{codes}");
        let list: Vec<String> = register
            .quarantine()
            .unwrap()
            .records
            .iter()
            .map(|q| {
                format!(
                    "{} {} {} {}",
                    q.sequence,
                    q.record_id,
                    q.codes.join(","),
                    q.current
                )
            })
            .collect();
        // Another device's record stays as it was, so the quarantined
        // revision is not the register's.
        assert_eq!(list, [format!("1 {id} {codes} {}", !taken)], "{codes}");
        assert_eq!(register.record_quarantine("good").unwrap(), None, "{codes}");
        let report = report_of(&mut register);
        let v1 = report.villages.iter().find(|v| v.code == V1).unwrap();
        // Device 2's record, when it sent one, is funded too.
        let funded = if taken { 2 } else { 1 };
        assert_eq!(v1.funded, funded, "{codes}");
        // Counted as quarantined in its village, unless its code is one a
        // report cannot place (then `quarantine list` shows it) or the
        // record is another device's, untouched.
        let unplaced = ["village.code_invalid", "village.province_unknown"].contains(codes);
        let held: u64 = report.villages.iter().map(|v| v.quarantined_records).sum();
        assert_eq!(held, u64::from(!taken && !unplaced), "{codes}");
    }
}

/// NIKs are kept as their digits, so one person written two ways is one
/// NIK for the duplicate checks; a later revision that passes clears a
/// record's quarantine, and the report counts it again.
fn a_correct_revision_clears_the_quarantine(db: Db) {
    let mut register = open(&db);
    let recs = [
        up("good", 1, "6107014502870001", V1),
        up("spaced", 1, "6107 0145 0287 0002", V1),
        up("short", 1, "61070145028700", V1),
        up("same-nik", 1, "6107.0145.0287.0002", V2),
    ];
    let (bytes, _) = signed(1, 1, None, &recs, |_, _, _| {});
    let outcome = register.ingest(&bytes, common::received()).unwrap();
    assert_eq!(quarantined(&outcome), ["short nik.length"]);
    let duplicates: Vec<String> = register
        .duplicates()
        .unwrap()
        .iter()
        .map(|d| format!("{} {}", d.nik, d.record_id))
        .collect();
    assert_eq!(
        duplicates,
        ["6107014502870002 same-nik", "6107014502870002 spaced"]
    );
    let v1 = &report_of(&mut register).villages[0];
    assert_eq!((v1.funded, v1.quarantined_records), (2, 1));
    // The agent corrects the NIK: the next revision clears the quarantine.
    let (fixed, _) = signed(
        1,
        2,
        Some(&common::hash_of(&bytes)),
        &[up("short", 2, "6107014502870006", V1)],
        |_, _, _| {},
    );
    register.ingest(&fixed, common::received()).unwrap();
    assert_eq!(register.record_quarantine("short").unwrap(), None);
    let list = register.quarantine().unwrap();
    assert!(
        !list
            .records
            .iter()
            .find(|r| r.record_id == "short")
            .unwrap()
            .current
    );
    let v1 = &report_of(&mut register).villages[0];
    assert_eq!((v1.funded, v1.quarantined_records), (3, 0));
}

/// A record id belongs to the device that first sent it.
fn another_devices_record_is_quarantined(db: Db) {
    let mut register = open(&db);
    let (mine, h1) = signed(
        1,
        1,
        None,
        &[up("r1", 1, "6107014502870001", V1)],
        |_, _, _| {},
    );
    register.ingest(&mine, common::received()).unwrap();
    let (theirs, _) = signed(
        2,
        1,
        None,
        &[up("r1", 2, "6107014502870009", V1)],
        |_, _, _| {},
    );
    let outcome = register.ingest(&theirs, common::received()).unwrap();
    assert_eq!(quarantined(&outcome), ["r1 record.other_device"]);
    assert_eq!(register.record("r1").unwrap().unwrap().0, 1);
    let (edit, _) = signed(
        1,
        2,
        Some(&h1),
        &[up("r1", 2, "6107014502870001", V1)],
        |_, _, _| {},
    );
    let outcome = register.ingest(&edit, common::received()).unwrap();
    assert_eq!(quarantined(&outcome), Vec::<String>::new());
    assert_eq!(register.record("r1").unwrap().unwrap().0, 2);
}

/// A bundle may name one record more than once, next to records the
/// register has and another device's: each record is taken in payload order,
/// as if merged one by one (the first of a key is inserted, the next are
/// revisions of it or stale).
fn records_are_merged_in_payload_order(db: Db) {
    let mut register = open(&db);
    let (first, h1) = signed(
        1,
        1,
        None,
        &[
            up("r1", 1, "6107014502870001", V1),
            up("r2", 1, "6107014502870002", V1),
        ],
        |_, _, _| {},
    );
    register.ingest(&first, common::received()).unwrap();
    let (theirs, _) = signed(
        2,
        1,
        None,
        &[up("o1", 1, "6107014502870003", V1)],
        |_, _, _| {},
    );
    register.ingest(&theirs, common::received()).unwrap();
    let recs = [
        up("new", 1, "6107014502870004", V1),
        up("r1", 2, "6107014502870001", V1),
        up("twice", 2, "6107014502870005", V1),
        up("bad", 1, "61070145028700", V1),
        up("twice", 1, "6107014502870005", V1),
        up("o1", 2, "6107014502870003", V1),
        up("r2", 1, "6107014502870002", V1),
        up("dup", 1, "61070145028701", V1),
        up("dup", 1, "61070145028701", V1),
        up("dup2", 1, "6107014502870006", V1),
        up("dup2", 2, "61070145028702", V1),
        // Another village's record with a key taken in V1 is its own.
        up("dup2", 1, "6107014502870007", V2),
    ];
    let (second, _) = signed(1, 2, Some(&h1), &recs, |_, _, _| {});
    let outcome = register.ingest(&second, common::received()).unwrap();
    let IngestOutcome::Merged {
        applied, ignored, ..
    } = &outcome
    else {
        panic!("not merged: {outcome:?}");
    };
    assert_eq!((*applied, *ignored), (8, 3));
    assert_eq!(
        quarantined(&outcome),
        [
            "bad nik.length",
            "o1 record.other_device",
            "dup nik.length",
            "dup2 nik.length",
        ]
    );
    for (id, revision) in [("new", 1), ("r1", 2), ("twice", 2), ("o1", 1), ("r2", 1)] {
        assert_eq!(register.record(id).unwrap().unwrap().0, revision, "{id}");
    }
    assert_eq!(register.record_quarantine("r1").unwrap(), None);
    assert_eq!(
        register.record_quarantine("dup2").unwrap().as_deref(),
        Some("nik.length")
    );
    let list: Vec<String> = register
        .quarantine()
        .unwrap()
        .records
        .iter()
        .map(|q| {
            format!(
                "{} {} {} {}",
                q.sequence,
                q.record_id,
                q.revision,
                q.codes.join(",")
            )
        })
        .collect();
    assert_eq!(
        list,
        [
            "2 bad 1 nik.length",
            "2 dup 1 nik.length",
            "2 dup2 2 nik.length",
            "2 o1 2 record.other_device",
        ]
    );
}

/// A phone clock set back or forward cannot take a funded slot from a
/// registration the district already had: claimed times are clamped between
/// the device's previous bundle and this one's arrival.
fn phone_clocks_cannot_game_the_order(db: Db) {
    let mut register = open(&db);
    register
        .publish_pack(&pack_with_slots(1), common::enrolled())
        .unwrap();
    let created = |text: &'static str| {
        move |_: usize, r: &mut lindung_core::bundle::BundleRecord, _: &mut BundlePayload| {
            r.created_at = at(text);
            r.history[0].at = at(text);
        }
    };
    // Device 2's first bundle arrives on 8 Nov; device 1's r1, registered
    // on 5 Nov, arrives on 6 Nov.
    let (b2_1, h2) = signed(2, 1, None, &[], created("2026-11-04T00:00:00Z"));
    register.ingest(&b2_1, at("2026-11-08T00:00:00Z")).unwrap();
    let (b1, _) = signed(
        1,
        1,
        None,
        &[up("r1", 1, "6107014502870001", V1)],
        created("2026-11-05T00:00:00Z"),
    );
    register.ingest(&b1, at("2026-11-06T00:00:00Z")).unwrap();
    // Device 2's clock says 2020 for r2, in a bundle that arrives on 12
    // Nov; device 1's says 2030 for r3, arriving on 13 Nov.
    let (b2_2, _) = signed(
        2,
        2,
        Some(&h2),
        &[up("r2", 1, "6107014502870002", V1)],
        created("2020-01-01T00:00:00Z"),
    );
    register.ingest(&b2_2, at("2026-11-12T00:00:00Z")).unwrap();
    let (b2_3, _) = signed(
        1,
        2,
        Some(&common::hash_of(&b1)),
        &[up("r3", 1, "6107014502870003", V1)],
        created("2030-01-01T00:00:00Z"),
    );
    register.ingest(&b2_3, at("2026-11-13T00:00:00Z")).unwrap();
    let mut standing = register.report_data().unwrap().active;
    standing.sort_by_key(|r| (r.registered_ms, r.arrival));
    let order: Vec<(&str, String)> = standing
        .iter()
        .map(|r| {
            (
                r.record_id.as_str(),
                Timestamp::from_millis(r.registered_ms).to_string(),
            )
        })
        .collect();
    assert_eq!(
        order,
        [
            ("r1", "2026-11-05T00:00:00.000Z".to_owned()),
            // 2020 claimed: clamped to device 2's previous bundle, 8 Nov.
            ("r2", "2026-11-08T00:00:00.000Z".to_owned()),
            // 2030 claimed: clamped to its arrival, 13 Nov.
            ("r3", "2026-11-13T00:00:00.000Z".to_owned()),
        ]
    );
    // The one funded slot is r1's: the backdated r2 does not take it.
    let report = report_of(&mut register);
    assert_eq!(
        (report.villages[0].funded, report.villages[0].waitlisted),
        (1, 2)
    );
}

/// A bundle naming the district's pack with another digest, or a pack the
/// district does not know, is noted; its records are judged all the same.
fn rule_pack_digests_are_checked(db: Db) {
    let mut register = open(&db);
    let (good, h1) = signed(1, 1, None, &[], |_, _, _| {});
    let note = |outcome: IngestOutcome| match outcome {
        IngestOutcome::Merged { pack_note, .. } => pack_note,
        other => panic!("{other:?}"),
    };
    assert_eq!(
        note(register.ingest(&good, common::received()).unwrap()),
        None
    );
    let mut payload = payload_with(1, 2, Some(&h1), &[]);
    payload.rule_pack.digest = lindung_core::bundle::sha256_b64url(b"another pack");
    let bytes = sign_bundle(&payload, &signer(1)).unwrap();
    assert_eq!(
        note(
            register
                .ingest(bytes.jws.as_bytes(), common::received())
                .unwrap()
        ),
        Some("pack.digest_mismatch")
    );
    let mut payload = payload_with(1, 3, Some(&bytes.signing_input_hash), &[]);
    payload.rule_pack.id = "kab-lain".into();
    let bytes = sign_bundle(&payload, &signer(1)).unwrap();
    assert_eq!(
        note(
            register
                .ingest(bytes.jws.as_bytes(), common::received())
                .unwrap()
        ),
        Some("pack.unknown")
    );
    let bundles = register.quarantine().unwrap().bundles;
    assert_eq!(bundles.len(), 2);
}

/// An officer takes a bundle's whole effect out; it stays for audit, and a
/// bundle with a malformed village code never stops a report.
fn a_withdrawn_bundle_leaves_no_effect(db: Db) {
    let mut register = open(&db);
    let (b1, h1) = signed(
        1,
        1,
        None,
        &[up("r1", 1, "6107014502870001", V1)],
        |_, _, _| {},
    );
    register.ingest(&b1, common::received()).unwrap();
    let (b2, _) = signed(
        1,
        2,
        Some(&h1),
        &[
            up("r1", 2, "6107014502870001", V1),
            up("r2", 1, "6107014502870002", "61.7.01.2001"),
        ],
        |i, r, p| {
            if i == 1 {
                p.villages.push(lindung_core::bundle::BundleVillage {
                    code: r.village.clone(),
                    name: "Salah".into(),
                    funded_slots: 50,
                });
            }
        },
    );
    let outcome = register.ingest(&b2, common::received()).unwrap();
    assert_eq!(quarantined(&outcome), ["r2 village.code_invalid"]);
    // The report is made all the same.
    let report = report_of(&mut register);
    let codes: Vec<&str> = report.villages.iter().map(|v| v.code.as_str()).collect();
    assert_eq!(codes, [V1, V2]);
    let withdrawal = register
        .withdraw(&kid(1), 2, "perangkat uji", at("2026-11-23T00:00:00Z"))
        .unwrap();
    assert_eq!((withdrawal.restored, withdrawal.removed), (1, 1));
    assert_eq!(register.record("r1").unwrap().unwrap().0, 1);
    assert_eq!(register.record("r2").unwrap(), None);
    let list = register.quarantine().unwrap();
    assert!(list.records.iter().all(|r| r.withdrawn));
    assert_eq!(
        list.bundles[0].withdrawn.as_ref().unwrap().1,
        "perangkat uji"
    );
    // Stored for audit, byte for byte, and still part of the chain.
    assert_eq!(register.bundle_file(&kid(1), 2).unwrap().unwrap(), b2);
    assert!(register.gaps().unwrap().is_empty());
    assert!(matches!(
        register.withdraw(&kid(1), 2, "lagi", at("2026-11-24T00:00:00Z")),
        Err(RegisterError::AlreadyWithdrawn { .. })
    ));
    assert!(matches!(
        register.withdraw(&kid(1), 9, "x", at("2026-11-24T00:00:00Z")),
        Err(RegisterError::NoSuchBundle { .. })
    ));
}

/// Through the binary: `verify --db` and `ingest` name a bundle's bad
/// record and its code on a line of its own while the good record merges
/// (exit 0: a quarantined record fails nothing); `quarantine list` shows
/// it; `quarantine withdraw` wants a reason, then takes the bundle's effect
/// out and the list says so.
fn cli_quarantine_lines_list_and_withdraw(db: Db) {
    let mut register = open(&db);
    let dir = tempfile::tempdir().unwrap();
    let (bytes, _) = signed(
        1,
        1,
        None,
        &[
            up("good", 1, "6107014502870001", V1),
            up("short", 1, "61070145028700", V1),
        ],
        |_, _, _| {},
    );
    std::fs::write(dir.path().join("b1.json"), &bytes).unwrap();
    let (dbs, k1) = (db.arg(), kid(1));
    let quarantined =
        format!("quarantined b1.json: record short (village {V1}, revision 1): nik.length");
    let run = |args: &[&str]| common::district_in(dir.path(), args);
    let verify = run(&["verify", "--db", &dbs, "b1.json"]);
    assert_eq!(
        (verify.code, verify.stdout, verify.stderr),
        (
            0,
            format!(
                "ok b1.json: kid {k1} sequence 1 records 2 villages 2; 1 to quarantine\n\
                 {quarantined}\n"
            ),
            String::new()
        )
    );
    let ingest = run(&["ingest", "--db", &dbs, "b1.json"]);
    assert_eq!(
        (ingest.code, ingest.stdout, ingest.stderr),
        (
            0,
            format!(
                "merged b1.json: 2 records (kid {k1}, sequence 1); 0 older or equal revisions \
                 ignored; 1 quarantined\n\
                 {quarantined}\n\
                 duplicates: 0 NIKs held by more than one active record\n"
            ),
            String::new()
        )
    );
    assert_eq!(register.record("good").unwrap().map(|r| r.0), Some(1));
    assert_eq!(report_of(&mut register).villages[0].funded, 1);
    let record_line = |state: &str| format!("record\t{k1}\t1\t{V1}\tshort\t1\tnik.length\t{state}");
    let list = run(&["quarantine", "list", "--db", &dbs]);
    assert_eq!(
        (list.code, list.stdout),
        (0, format!("{}\n", record_line("current")))
    );
    // No reason, or a blank one: a usage error, and nothing changes.
    for (reason, message) in [
        (None, "quarantine withdraw needs --reason"),
        (
            Some("  "),
            "quarantine withdraw: --reason must not be empty",
        ),
    ] {
        let mut args = vec!["quarantine", "withdraw", "--db", &dbs];
        args.extend(reason.map(|r| ["--reason", r]).iter().flatten());
        args.extend([k1.as_str(), "1"]);
        let refused = run(&args);
        assert_eq!(
            (refused.code, refused.stdout.as_str()),
            (2, ""),
            "{reason:?}"
        );
        assert!(refused.stderr.contains(message), "{}", refused.stderr);
    }
    assert_eq!(register.record("good").unwrap().map(|r| r.0), Some(1));
    let withdraw = [
        "quarantine",
        "withdraw",
        "--db",
        &dbs,
        "--reason",
        "perangkat uji",
        &k1,
        "1",
    ];
    let withdrawn = run(&withdraw);
    assert_eq!(
        (withdrawn.code, withdrawn.stdout, withdrawn.stderr),
        (
            0,
            format!(
                "withdrew bundle 1 of {k1}: 0 records put back to an earlier revision, 2 records \
                 removed from the register; the bundle stays stored\n"
            ),
            String::new()
        )
    );
    assert_eq!(register.record("good").unwrap(), None);
    let list = run(&["quarantine", "list", "--db", &dbs]);
    let lines: Vec<&str> = list.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{}", list.stdout);
    assert_eq!(lines[0], record_line("withdrawn"));
    let bundle: Vec<&str> = lines[1].split('\t').collect();
    assert_eq!(
        (bundle[..4].to_vec(), bundle[5]),
        (vec!["bundle", k1.as_str(), "1", "-"], "perangkat uji"),
        "{}",
        lines[1]
    );
    assert!(bundle[4].ends_with('Z'), "withdrawn at {}", bundle[4]);
    // Once is enough.
    let again = run(&withdraw);
    assert_eq!(again.code, 1);
    assert!(
        again.stderr.contains("already withdrawn"),
        "{}",
        again.stderr
    );
}

/// `district migrate` moves a SQLite register, with its history, stored
/// files, quarantine and packs, into a new register of each backend; both
/// then give the same report, lists and files.
fn migrate_moves_everything(target: Db) {
    let source = Db::sqlite();
    let mut register = open(&source);
    register
        .publish_pack(&pack_with_slots(1), common::enrolled())
        .unwrap();
    let (b1, h1) = signed(
        1,
        1,
        None,
        &[up("r1", 1, "6107014502870001", V1), up("bad", 1, "1", V1)],
        |_, _, _| {},
    );
    register.ingest(&b1, common::received()).unwrap();
    let (b2, _) = signed(
        1,
        2,
        Some(&h1),
        &[up("r2", 1, "6107014502870002", V1)],
        |_, _, _| {},
    );
    register.ingest(&b2, common::received()).unwrap();
    let (c1, _) = signed(
        3,
        1,
        None,
        &[up("r3", 1, "6107014502870003", V2)],
        |_, _, _| {},
    );
    register.ingest(&c1, common::received()).unwrap();
    register
        .withdraw(&kid(1), 2, "uji", common::received())
        .unwrap();
    drop(register);
    let run = common::district(&["migrate", "--from", &source.arg(), "--to", &target.arg()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("3 agents, 3 bundles"), "{}", run.stdout);
    let outputs = |db: &Db| {
        let report = common::district(&[
            "report",
            "--db",
            &db.arg(),
            "--format",
            "json",
            "--month",
            "2027-05",
        ]);
        assert_eq!(report.code, 0, "{}", report.stderr);
        let agents = common::district(&["agents", "list", "--db", &db.arg()]).stdout;
        let quarantine = common::district(&["quarantine", "list", "--db", &db.arg()]).stdout;
        (report.stdout, agents, quarantine)
    };
    assert_eq!(outputs(&source), outputs(&target));
    let mut moved = Register::open(target.location()).unwrap();
    assert_eq!(moved.bundle_file(&kid(1), 2).unwrap().unwrap(), b2);
    assert_eq!(moved.pack().unwrap().pack.id(), "test-slots");
    // Later bundles arrive after the moved ones, and a second migrate into
    // the same register is refused.
    let (b3, _) = signed(
        1,
        3,
        Some(&common::hash_of(&b2)),
        &[up("r4", 1, "6107014502870004", V1)],
        |_, _, _| {},
    );
    assert!(matches!(
        moved.ingest(&b3, common::received()).unwrap(),
        IngestOutcome::Merged { .. }
    ));
    drop(moved);
    let again = common::district(&["migrate", "--from", &source.arg(), "--to", &target.arg()]);
    assert_eq!(again.code, 1);
    assert!(again.stderr.contains("already holds"), "{}", again.stderr);
}

backend_tests!(
    migrate_moves_everything,
    cli_quarantine_lines_list_and_withdraw,
    bad_records_are_quarantined_and_the_rest_merges,
    a_correct_revision_clears_the_quarantine,
    another_devices_record_is_quarantined,
    records_are_merged_in_payload_order,
    phone_clocks_cannot_game_the_order,
    rule_pack_digests_are_checked,
    a_withdrawn_bundle_leaves_no_effect
);
