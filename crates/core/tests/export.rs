//! The next bundle: what it carries after each kind of change, how bundles
//! chain, and when unsent data is at risk. Made-up NIKs only.

use lindung_core::bundle::{
    parse_rfc3339, sign_bundle, verify_bundle, Limits, PackDigest, Signer, SoftwareSigner,
};
use lindung_core::export::{
    at_risk, days_between, file_name, next_bundle, oldest_unsent, pending_summary, standing,
    ExportError, NextBundle, NextInput, Previous, Sent, SentRecord, VillageSummary,
};
use lindung_core::{
    check, Agent, Date, DuplicateCheck, RecordId, RegistrationInput, RulePack, Timestamp,
    VillageRef, Workspace,
};

const VILLAGE: &str = "61.07.01.2001";
const OTHER: &str = "61.07.01.2002";

fn agent() -> Agent {
    Agent {
        id: "agent-1".into(),
        name: "Petugas Uji".into(),
    }
}

fn at(text: &str) -> Timestamp {
    parse_rfc3339(text).unwrap()
}

fn signer() -> SoftwareSigner {
    SoftwareSigner::from_secret(&[0x33; 32]).unwrap()
}

/// A workspace with two villages of one funded slot each.
fn workspace() -> Workspace {
    let villages = [
        (
            VillageRef::new(VILLAGE, "Sungai Ambawang Kuala").unwrap(),
            1,
        ),
        (VillageRef::new(OTHER, "Jawa Tengah").unwrap(), 1),
    ];
    Workspace::load(villages, Vec::new()).0
}

fn register(ws: &mut Workspace, village: &str, id: &str, nik: &str, name: &str, when: &str) {
    // Birth date and sex as the made-up NIK encodes them (women: day + 40).
    let day: u32 = nik[6..8].parse().unwrap();
    let (day, sex) = if day > 40 {
        (day - 40, "F")
    } else {
        (day, "M")
    };
    let input = RegistrationInput {
        nik: nik.into(),
        name: name.into(),
        birth_date: format!("19{}-{}-{day:02}", &nik[10..12], &nik[8..10]),
        sex: sex.into(),
        segment: "BPU".into(),
        category: "petani".into(),
        ..RegistrationInput::default()
    };
    let registration = check(
        &input,
        &RulePack::default_pack(),
        Date::new(2026, 11, 21).unwrap(),
    )
    .registration
    .expect("valid made-up registration");
    let planned = ws
        .plan_register(
            village,
            registration,
            RecordId::new(id).unwrap(),
            agent(),
            at(when),
            DuplicateCheck::Confirmed,
        )
        .unwrap();
    ws.commit(planned).unwrap();
}

fn remove(ws: &mut Workspace, id: &str, when: &str) {
    let planned = ws
        .plan_remove(&RecordId::new(id).unwrap(), agent(), at(when), "pindah")
        .unwrap();
    ws.commit(planned).unwrap();
}

fn pack() -> PackDigest {
    PackDigest::new(
        &RulePack::default_pack(),
        RulePack::default_json().as_bytes(),
    )
}

fn next(
    ws: &Workspace,
    sent: &Sent,
    previous: Option<Previous<'_>>,
) -> Result<NextBundle, ExportError> {
    next_within(ws, sent, previous, Limits::DEFAULT.max_bytes)
}

fn next_within(
    ws: &Workspace,
    sent: &Sent,
    previous: Option<Previous<'_>>,
    max_bytes: usize,
) -> Result<NextBundle, ExportError> {
    let kid = signer().public_jwk().thumbprint();
    next_bundle(
        ws,
        sent,
        NextInput {
            previous,
            bundle_id: "b",
            device_kid: &kid,
            agent: &agent(),
            created_at: at("2026-11-21T10:00:00.000Z"),
            rule_pack: &pack(),
            max_bytes,
        },
    )
}

fn contents(next: &NextBundle) -> Vec<(String, u32)> {
    next.contents
        .iter()
        .map(|s| (s.id.clone(), s.revision))
        .collect()
}

fn summary(code: &str, new: u32, changed: u32, removed: u32) -> VillageSummary {
    let name = if code == VILLAGE {
        "Sungai Ambawang Kuala"
    } else {
        "Jawa Tengah"
    };
    VillageSummary {
        code: code.into(),
        name: name.into(),
        new,
        changed,
        removed,
    }
}

#[test]
fn each_bundle_carries_every_change_since_the_last_and_only_those() {
    let mut ws = workspace();
    let mut sent = Sent::default();
    assert_eq!(
        next(&ws, &sent, None).unwrap_err(),
        ExportError::NothingToExport,
        "an empty device has nothing to export"
    );

    // Step 1: three workers in two villages. The first bundle carries all.
    register(
        &mut ws,
        VILLAGE,
        "a",
        "6107011203900002",
        "Budi Santoso",
        "2026-11-20T01:00:00Z",
    );
    register(
        &mut ws,
        VILLAGE,
        "b",
        "6107014502870001",
        "Siti Aminah",
        "2026-11-20T02:00:00Z",
    );
    register(
        &mut ws,
        OTHER,
        "c",
        "6107011505800003",
        "Made Wirawan",
        "2026-11-20T03:00:00Z",
    );
    let first = next(&ws, &sent, None).unwrap();
    assert_eq!(pending_summary(&ws, &sent), first.villages);
    assert_eq!(first.payload.sequence, 1);
    assert_eq!(first.payload.previous, None);
    assert_eq!(
        contents(&first),
        [("a".into(), 1), ("b".into(), 1), ("c".into(), 1)]
    );
    assert_eq!(
        first.villages,
        [summary(VILLAGE, 2, 0, 0), summary(OTHER, 1, 0, 0)]
    );
    let codes: Vec<&str> = first
        .payload
        .villages
        .iter()
        .map(|v| v.code.as_str())
        .collect();
    assert_eq!(codes, [VILLAGE, OTHER]);
    let statuses: Vec<_> = first.payload.records.iter().map(|r| r.status).collect();
    use lindung_core::bundle::BundleStatus::*;
    assert_eq!(
        statuses,
        [Funded, Waitlisted, Funded],
        "one funded slot per village"
    );

    let signed = sign_bundle(&first.payload, &signer()).unwrap();
    sent.add(&first.contents);
    assert_eq!(pending_summary(&ws, &sent), []);
    assert_eq!(
        next(&ws, &sent, None).unwrap_err(),
        ExportError::NothingToExport,
        "nothing changed since bundle 1"
    );

    // Step 2: removing the funded worker promotes the waitlisted one; the
    // bundle carries the removal, not the unchanged (promoted) record.
    remove(&mut ws, "a", "2026-11-21T05:00:00Z");
    let previous = Previous {
        sequence: 1,
        chain_hash: &signed.signing_input_hash,
    };
    let second = next(&ws, &sent, Some(previous)).unwrap();
    assert_eq!(second.payload.sequence, 2);
    assert_eq!(
        second.payload.previous.as_deref(),
        Some(signed.signing_input_hash.as_str())
    );
    assert_eq!(contents(&second), [("a".into(), 2)]);
    assert_eq!(second.villages, [summary(VILLAGE, 0, 0, 1)]);
    assert_eq!(
        second.payload.records[0].op,
        lindung_core::bundle::Op::Remove
    );

    // The chain verifies as a district would check it.
    let signed_second = sign_bundle(&second.payload, &signer()).unwrap();
    let verified = verify_bundle(signed_second.jws.as_bytes(), Limits::DEFAULT).unwrap();
    assert_eq!(verified.payload.previous, Some(signed.signing_input_hash));

    // Step 3: a record sent at revision 1, then at a higher revision by a
    // bundle made elsewhere in time, keeps the highest.
    let mut later = Sent::default();
    later.add(&[SentRecord {
        id: "b".into(),
        revision: 1,
    }]);
    later.add(&[SentRecord {
        id: "b".into(),
        revision: 0,
    }]);
    assert_eq!(later.revision("b"), 1);
    assert_eq!(later.revision("never"), 0);
}

#[test]
fn a_record_made_and_removed_between_bundles_is_sent_as_removed() {
    let mut ws = workspace();
    register(
        &mut ws,
        VILLAGE,
        "a",
        "6107011203900002",
        "Budi Santoso",
        "2026-11-20T01:00:00Z",
    );
    remove(&mut ws, "a", "2026-11-20T01:30:00Z");
    let bundle = next(&ws, &Sent::default(), None).unwrap();
    assert_eq!(contents(&bundle), [("a".into(), 2)]);
    assert_eq!(bundle.villages, [summary(VILLAGE, 0, 0, 1)]);
    assert_eq!(bundle.payload.records[0].history.len(), 2);
}

#[test]
fn oldest_unsent_change_is_the_first_change_after_the_sent_revision() {
    let mut ws = workspace();
    let mut sent = Sent::default();
    assert_eq!(oldest_unsent(&ws, &sent), None);
    register(
        &mut ws,
        VILLAGE,
        "a",
        "6107011203900002",
        "Budi Santoso",
        "2026-11-20T01:00:00Z",
    );
    register(
        &mut ws,
        VILLAGE,
        "b",
        "6107014502870001",
        "Siti Aminah",
        "2026-11-18T02:00:00Z",
    );
    assert_eq!(oldest_unsent(&ws, &sent), Some(at("2026-11-18T02:00:00Z")));
    sent.add(&next(&ws, &sent, None).unwrap().contents);
    assert_eq!(oldest_unsent(&ws, &sent), None);
    remove(&mut ws, "a", "2026-11-21T05:00:00Z");
    assert_eq!(oldest_unsent(&ws, &sent), Some(at("2026-11-21T05:00:00Z")));
}

#[test]
fn days_and_risk_table() {
    let now = at("2026-11-21T12:00:00Z");
    // (oldest unsent change, warn after days, days waited, at risk)
    let cases = [
        (None, Some(7), None, false),
        (Some("2026-11-21T11:00:00Z"), Some(7), Some(0), false),
        (Some("2026-11-14T12:00:01Z"), Some(7), Some(6), false),
        (Some("2026-11-14T12:00:00Z"), Some(7), Some(7), true),
        (Some("2026-10-01T00:00:00Z"), Some(7), Some(51), true),
        (Some("2026-10-01T00:00:00Z"), None, Some(51), false),
        (Some("2026-11-20T12:00:00Z"), Some(1), Some(1), true),
        // A clock set back: a change "in the future" has waited 0 days.
        (Some("2026-11-22T00:00:00Z"), Some(1), Some(0), false),
    ];
    for (oldest, warn, days, risk) in cases {
        let oldest = oldest.map(at);
        assert_eq!(oldest.map(|o| days_between(o, now)), days, "{oldest:?}");
        assert_eq!(at_risk(oldest, now, warn), risk, "{oldest:?} {warn:?}");
    }
}

#[test]
fn the_default_pack_warns_after_seven_days_and_a_pack_may_not_warn() {
    assert_eq!(RulePack::default_pack().export_warn_after_days(), Some(7));
    let mut doc: serde_json::Value = serde_json::from_str(RulePack::default_json()).unwrap();
    doc.as_object_mut().unwrap().remove("export");
    let pack = RulePack::from_json(&doc.to_string()).unwrap();
    assert_eq!(pack.export_warn_after_days(), None);
}

#[test]
fn only_bundles_that_left_the_phone_count_for_the_standing() {
    let mut ws = workspace();
    register(
        &mut ws,
        VILLAGE,
        "a",
        "6107011203900002",
        "Budi Santoso",
        "2026-11-01T01:00:00Z",
    );
    let first = next(&ws, &Sent::default(), None).unwrap();
    let now = at("2026-11-21T12:00:00Z");
    // Made but still on the phone: nothing was sent.
    let kept = standing(&ws, [(first.contents.as_slice(), None)], now, Some(7));
    assert_eq!(kept.last_export, None);
    assert_eq!(kept.waiting, 1);
    assert_eq!(kept.oldest_unsent, Some(at("2026-11-01T01:00:00Z")));
    assert!(kept.at_risk);
    // Downloaded: sent, nothing at risk.
    let left = at("2026-11-20T08:00:00Z");
    let sent = standing(&ws, [(first.contents.as_slice(), Some(left))], now, Some(7));
    assert_eq!(sent.last_export, Some(left));
    assert_eq!(sent.waiting, 0);
    assert_eq!(sent.oldest_unsent, None);
    assert!(!sent.at_risk);
}

#[test]
fn file_names_carry_the_key_and_the_sequence() {
    assert_eq!(
        file_name("AbCdEfGh-rest-of-the-kid", 7),
        "lindung-AbCdEfGh-0007.json"
    );
    assert_eq!(file_name("short", 12345), "lindung-short-12345.json");
}

/// A bundle file never passes the size limit: the oldest changes that fit go
/// first, the rest follow in the next bundles, and together they carry every
/// change once. Each file is within the limit and verifies.
#[test]
fn changes_that_do_not_fit_the_limit_follow_in_the_next_bundles() {
    let mut ws = workspace();
    let people = [
        ("a", VILLAGE, "6107011203900002", "Budi Santoso"),
        ("b", VILLAGE, "6107014502870001", "Siti Aminah"),
        ("c", OTHER, "6107011505800003", "Made Wirawan"),
        ("d", OTHER, "6107015507900004", "Nur Aini"),
        ("e", VILLAGE, "6107012208950005", "Agus Salim"),
    ];
    for (hour, (id, village, nik, name)) in people.iter().enumerate() {
        register(
            &mut ws,
            village,
            id,
            nik,
            name,
            &format!("2026-11-20T0{hour}:00:00Z"),
        );
    }
    let all = next(&ws, &Sent::default(), None).unwrap();
    let whole = sign_bundle(&all.payload, &signer()).unwrap().jws.len();

    // (limit, records per bundle) — the overhead reserved for the header is
    // 2,048 bytes, so a limit just above the whole file still takes it whole.
    let cases: [(usize, &[usize]); 3] = [
        (whole + 2048, &[5]),
        (whole + 2048 - 1500, &[3, 2]),
        (whole / 2 + 2048, &[2, 2, 1]),
    ];
    for (limit, expected) in cases {
        let mut sent = Sent::default();
        let mut previous: Option<(u64, String)> = None;
        let mut counts = Vec::new();
        let mut carried = Vec::new();
        loop {
            let prev = previous.as_ref().map(|(sequence, hash)| Previous {
                sequence: *sequence,
                chain_hash: hash,
            });
            let bundle = match next_within(&ws, &sent, prev, limit) {
                Ok(bundle) => bundle,
                Err(ExportError::NothingToExport) => break,
                Err(other) => panic!("limit {limit}: {other:?}"),
            };
            let signed = sign_bundle(&bundle.payload, &signer()).unwrap();
            assert!(
                signed.jws.len() <= limit,
                "limit {limit}: {} bytes",
                signed.jws.len()
            );
            verify_bundle(signed.jws.as_bytes(), Limits { max_bytes: limit }).unwrap();
            counts.push(bundle.contents.len());
            carried.extend(bundle.contents.iter().map(|c| c.id.clone()));
            sent.add(&bundle.contents);
            previous = Some((bundle.payload.sequence, signed.signing_input_hash));
        }
        assert_eq!(counts, expected, "limit {limit}");
        assert_eq!(
            carried,
            ["a", "b", "c", "d", "e"],
            "limit {limit}: oldest first, each once"
        );
    }
    // Not even the oldest change fits.
    assert_eq!(
        next_within(&ws, &Sent::default(), None, 2500).unwrap_err(),
        ExportError::TooLarge {
            record_id: "a".into()
        }
    );
}
