//! What the district said about the device's records, as the phone shows
//! it: quarantined records (with what to correct), records whose NIK the
//! district also holds elsewhere, and a funded or waitlisted standing that
//! differs from the phone's own (the district orders registrations across
//! devices; docs/bundle-format.md). Read from a [`DeviceState`]; the texts
//! are the agent's, in their language, and never show a stable code.
//!
//! Also the rule pack the district offers: [`pack_offer`] says whether the
//! district's pack differs from the phone's, [`offered_pack`] checks the
//! pack it sent against the device state's digest before anyone uses it.

use std::collections::HashSet;

use crate::bundle::sha256_b64url;
use crate::i18n::Lang;
use crate::roster::{RecordId, Status};
use crate::rulepack::RulePack;
use crate::sync::{DeviceState, PackRef, Standing};
use crate::workspace::Workspace;

/// One thing the district said about one record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Note {
    /// Not counted by the district: the codes say why. `corrected`: the
    /// phone holds a later revision than the one the district judged (the
    /// correction waits for the district's next answer).
    Quarantined { codes: Vec<String>, corrected: bool },
    /// Another active record at the district holds the same NIK.
    Duplicate {
        another_village: bool,
        another_device: bool,
    },
    /// The district's standing, where it differs from the phone's.
    Standing { district: Status },
}

impl Note {
    /// A short label for a roster row.
    pub fn label(&self, lang: Lang) -> &'static str {
        match self {
            Note::Quarantined {
                corrected: false, ..
            } => lang.pick("Ditahan kantor", "Held by the office"),
            Note::Quarantined {
                corrected: true, ..
            } => lang.pick(
                "Diperbaiki, belum dikonfirmasi",
                "Corrected, not yet confirmed",
            ),
            Note::Duplicate { .. } => lang.pick("NIK ganda (kantor)", "Duplicate NIK (office)"),
            Note::Standing { .. } => {
                lang.pick("Status lain di kantor", "Other status at the office")
            }
        }
    }

    /// The labels of a record's notes on one line, for its roster row.
    pub fn labels(notes: &[Note], lang: Lang) -> String {
        notes
            .iter()
            .map(|n| n.label(lang))
            .collect::<Vec<_>>()
            .join(" · ")
    }

    /// What the district said, in full, with what the agent can do.
    pub fn messages(&self, lang: Lang) -> Vec<String> {
        match self {
            Note::Quarantined { codes, corrected } => {
                let mut lines = vec![if *corrected {
                    lang.pick(
                        "Kantor kabupaten menahan versi sebelumnya dari data ini. Perbaikannya ada di HP ini dan ikut bundel berikutnya; kantor belum menjawab.",
                        "The district office held an earlier version of this record. The correction is on this phone and goes with the next bundle; the office has not answered yet.",
                    )
                } else {
                    lang.pick(
                        "Kantor kabupaten menahan data ini: tidak dihitung dalam kuota maupun iuran sampai diperbaiki. Temui orangnya lagi, periksa KTP, lalu ubah data ini; perbaikannya ikut bundel berikutnya.",
                        "The district office held this record: it counts for neither the quota nor contributions until corrected. Visit the person again, check the ID card, then edit this record; the correction goes with the next bundle.",
                    )
                }
                .to_owned()];
                let mut seen: Vec<&str> = Vec::new();
                for code in codes {
                    let text = code_message(code, lang);
                    if !seen.contains(&text) {
                        seen.push(text);
                        lines.push(text.to_owned());
                    }
                }
                lines
            }
            Note::Duplicate {
                another_village,
                another_device,
            } => {
                let (id, en) = match (another_village, another_device) {
                    (true, _) => (
                        "Menurut kantor kabupaten, NIK ini juga terdaftar di desa lain. Satu orang hanya boleh didaftarkan sekali: periksa KTP dan tanyakan di mana ia tinggal.",
                        "The district office holds this NIK in another village too. One person may be registered only once: check the ID card and ask where they live.",
                    ),
                    (false, true) => (
                        "Menurut kantor kabupaten, petugas lain juga mendaftarkan NIK ini di desa ini. Periksa KTP dan bicarakan dengan kantor siapa yang menghapus datanya.",
                        "The district office has this NIK from another agent in this village too. Check the ID card and agree with the office whose record is removed.",
                    ),
                    (false, false) => (
                        "Menurut kantor kabupaten, NIK ini terdaftar dua kali. Periksa KTP.",
                        "The district office holds this NIK twice. Check the ID card.",
                    ),
                };
                vec![lang.pick(id, en).to_owned()]
            }
            Note::Standing { district } => {
                let status = district.label(lang);
                vec![match lang {
                    Lang::Id => format!(
                        "Menurut kantor kabupaten: {status}. Kantor mengurutkan pendaftaran semua petugas di desa ini; keputusan kantor yang berlaku."
                    ),
                    Lang::En => format!(
                        "At the district office: {status}. The office orders every agent's registrations in this village; its decision stands."
                    ),
                }]
            }
        }
    }
}

/// What a quarantine code means, for the agent (docs/bundle-format.md
/// lists the codes). An unknown code reads as a general message, never as
/// the code itself.
pub fn code_message(code: &str, lang: Lang) -> &'static str {
    let (id, en) = match code {
        "nik.empty" | "nik.length" | "nik.non_digit" => (
            "NIK harus 16 angka. Salin lagi dari KTP.",
            "A NIK has 16 digits. Copy it again from the ID card.",
        ),
        "nik.province_unknown" => (
            "Dua angka pertama NIK bukan kode provinsi. Salin lagi dari KTP.",
            "The NIK's first two digits are not a province code. Copy it again from the ID card.",
        ),
        "nik.day_invalid" | "nik.month_invalid" | "nik.date_invalid" | "nik.date_in_future" => (
            "Tanggal lahir di dalam NIK tidak mungkin. Salin lagi dari KTP.",
            "The date of birth inside the NIK is not possible. Copy it again from the ID card.",
        ),
        "nik.serial_zero" => (
            "Empat angka terakhir NIK tidak boleh 0000. Salin lagi dari KTP.",
            "The NIK's last four digits cannot be 0000. Copy it again from the ID card.",
        ),
        "reg.required" => (
            "Ada isian wajib yang kosong.",
            "A required field is empty.",
        ),
        "reg.name_invalid" | "reg.name_too_long" => (
            "Nama tidak dapat dipakai. Tulis sesuai KTP.",
            "The name cannot be used. Write it as on the ID card.",
        ),
        "reg.birth_date_invalid" | "reg.birth_date_in_future" => (
            "Tanggal lahir tidak valid. Periksa KTP.",
            "The date of birth is not valid. Check the ID card.",
        ),
        "reg.birth_date_mismatch" => (
            "Tanggal lahir tidak sama dengan tanggal lahir di NIK. Periksa KTP: salah satunya salah ketik.",
            "The date of birth differs from the one in the NIK. Check the ID card: one of them is mistyped.",
        ),
        "reg.sex_mismatch" | "reg.sex_invalid" => (
            "Jenis kelamin tidak sama dengan NIK. Periksa KTP.",
            "The sex differs from the NIK. Check the ID card.",
        ),
        "reg.age_out_of_window" => (
            "Menurut aturan kantor, umurnya di luar batas program. Periksa tanggal lahir di KTP.",
            "Under the office's rules the age is outside the programme's window. Check the date of birth on the ID card.",
        ),
        "reg.segment_unknown" | "reg.category_unknown" | "reg.funding_source_unknown"
        | "reg.jht_not_offered" => (
            "Kepesertaan, pekerjaan, sumber dana atau JHT tidak ada dalam aturan kantor. Pilih lagi sesuai aturan yang berlaku.",
            "The membership, occupation, funding source or JHT is not in the office's rules. Choose again under the rules in force.",
        ),
        "record.other_device" => (
            "Nomor data ini sudah dipakai HP lain di kantor. Hubungi kantor kabupaten.",
            "Another phone already sent a record with this number. Contact the district office.",
        ),
        "village.code_invalid" | "village.province_unknown" | "village.name_empty"
        | "record.village_unlisted" => (
            "Kode atau nama desanya tidak diterima kantor. Hubungi kantor kabupaten.",
            "The office does not accept the village's code or name. Contact the district office.",
        ),
        _ => (
            "Data ini tidak dapat dibaca kantor. Hubungi kantor kabupaten.",
            "The office could not read this record. Contact the district office.",
        ),
    };
    lang.pick(id, en)
}

/// The district's standing as a roster [`Status`]; `None` for a status this
/// version does not know.
pub fn standing_status(standing: &Standing) -> Option<Status> {
    match (standing.status.as_str(), standing.position) {
        ("funded", _) => Some(Status::Funded),
        ("apparatus", _) => Some(Status::Apparatus),
        ("waitlisted", Some(position)) if position > 0 => Some(Status::Waitlisted { position }),
        _ => None,
    }
}

/// What the district said about record `record_id` of `village`, which the
/// phone holds at `revision` with standing `mine`.
pub fn notes_for(
    state: &DeviceState,
    village: &str,
    record_id: &str,
    revision: u32,
    mine: Status,
) -> Vec<Note> {
    let is_it = |v: &str, id: &str| v == village && id == record_id;
    let mut notes = Vec::new();
    let quarantined: Vec<_> = state
        .quarantined
        .iter()
        .filter(|q| is_it(&q.record.village, &q.record.record_id))
        .collect();
    if let Some(latest) = quarantined.iter().map(|q| q.record.revision).max() {
        let mut codes: Vec<String> = Vec::new();
        for q in quarantined.iter().filter(|q| q.record.revision == latest) {
            for code in &q.record.codes {
                if !codes.contains(code) {
                    codes.push(code.clone());
                }
            }
        }
        notes.push(Note::Quarantined {
            codes,
            corrected: revision > latest,
        });
    }
    for d in state
        .duplicates
        .iter()
        .filter(|d| is_it(&d.village, &d.record_id))
    {
        notes.push(Note::Duplicate {
            another_village: d.with.iter().any(|w| w == "another_village"),
            another_device: d.with.iter().any(|w| w == "another_device"),
        });
    }
    let district = state
        .standing
        .iter()
        .find(|s| is_it(&s.village, &s.record_id))
        .and_then(standing_status);
    if let Some(district) = district.filter(|d| *d != mine) {
        notes.push(Note::Standing { district });
    }
    notes
}

/// The records of `village` the district said something about, in roster
/// order, each with its notes (removed records have none: the removal
/// travels in the next bundle).
pub fn village_notes(
    state: &DeviceState,
    workspace: &Workspace,
    village: &str,
) -> Vec<(RecordId, Vec<Note>)> {
    let Some(roster) = workspace.roster(village) else {
        return Vec::new();
    };
    let named: HashSet<&str> = state
        .quarantined
        .iter()
        .map(|q| (q.record.village.as_str(), q.record.record_id.as_str()))
        .chain(
            state
                .duplicates
                .iter()
                .map(|d| (d.village.as_str(), d.record_id.as_str())),
        )
        .chain(
            state
                .standing
                .iter()
                .map(|s| (s.village.as_str(), s.record_id.as_str())),
        )
        .filter(|(v, _)| *v == village)
        .map(|(_, id)| id)
        .collect();
    if named.is_empty() {
        return Vec::new();
    }
    roster
        .entries()
        .filter(|(entry, _)| named.contains(entry.id().as_str()))
        .filter_map(|(entry, status)| {
            let revision = workspace.record(entry.id())?.revision();
            let notes = notes_for(state, village, entry.id().as_str(), revision, status);
            (!notes.is_empty()).then(|| (entry.id().clone(), notes))
        })
        .collect()
}

/// Whether the district's current pack is another than the phone's (by
/// digest: a pack re-published with the same id and version but other
/// bytes is another pack).
pub fn pack_offer<'a>(state: &'a DeviceState, active_digest: &str) -> Option<&'a PackRef> {
    let offered = &state.rule_pack;
    (!offered.digest.is_empty() && offered.digest != active_digest).then_some(offered)
}

/// Why an offered pack cannot be used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OfferError {
    /// The pack's bytes are not those the device state named.
    Digest,
    /// The pack does not read, or names another id or version.
    Pack,
}

impl OfferError {
    pub fn code(&self) -> &'static str {
        match self {
            OfferError::Digest => "pack.digest_mismatch",
            OfferError::Pack => "pack.invalid",
        }
    }

    pub fn message(&self, lang: Lang) -> &'static str {
        match self {
            OfferError::Digest => lang.pick(
                "Aturan yang diterima tidak sama dengan yang diumumkan kantor. Aturan lama tetap dipakai.",
                "The rules received are not the ones the office announced. The old rules stay in use.",
            ),
            OfferError::Pack => lang.pick(
                "Aturan dari kantor tidak dapat dipakai di HP ini. Aturan lama tetap dipakai; hubungi kantor kabupaten.",
                "The office's rules cannot be used on this phone. The old rules stay in use; contact the district office.",
            ),
        }
    }
}

/// Checks the pack the district sent (`json`, the signed document's
/// payload) against what its device state `offered`.
pub fn offered_pack(json: &[u8], offered: &PackRef) -> Result<RulePack, OfferError> {
    if sha256_b64url(json) != offered.digest {
        return Err(OfferError::Digest);
    }
    let text = std::str::from_utf8(json).map_err(|_| OfferError::Pack)?;
    let pack = RulePack::from_json(text).map_err(|_| OfferError::Pack)?;
    if pack.id() != offered.id || pack.version() != offered.version {
        return Err(OfferError::Pack);
    }
    Ok(pack)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync::{
        DeviceStatus, DuplicateFlag, QuarantinedRecord, QuarantinedState, ServerLimits,
        DEVICE_STATE_FORMAT, PROTOCOL_VERSION,
    };
    use crate::Timestamp;

    const V: &str = "61.07.01.2001";

    fn state() -> DeviceState {
        let quarantine = |id: &str, revision, codes: &[&str]| QuarantinedState {
            sequence: 1,
            record: QuarantinedRecord {
                village: V.into(),
                record_id: id.into(),
                revision,
                codes: codes.iter().map(|c| c.to_string()).collect(),
            },
        };
        let standing = |id: &str, status: &str, position| Standing {
            village: V.into(),
            record_id: id.into(),
            status: status.into(),
            position,
        };
        DeviceState {
            format: DEVICE_STATE_FORMAT.into(),
            format_version: PROTOCOL_VERSION,
            district_id: "61.07".into(),
            kid: "k".into(),
            status: DeviceStatus::Approved,
            contiguous_through: 2,
            highest: 2,
            missing: vec![],
            limits: ServerLimits {
                max_bundle_bytes: 1 << 20,
            },
            server_time: Timestamp::from_millis(0),
            rule_pack: PackRef {
                id: "pack".into(),
                version: "2".into(),
                digest: "d2".into(),
            },
            quarantined: vec![
                quarantine("q", 1, &["nik.length"]),
                quarantine("q2", 1, &["nik.length"]),
                quarantine("q2", 2, &["reg.age_out_of_window", "nik.serial_zero"]),
            ],
            duplicates: vec![
                DuplicateFlag {
                    village: V.into(),
                    record_id: "dv".into(),
                    with: vec!["another_village".into()],
                },
                DuplicateFlag {
                    village: V.into(),
                    record_id: "dd".into(),
                    with: vec!["another_device".into()],
                },
            ],
            standing: vec![
                standing("f", "funded", None),
                standing("w", "waitlisted", Some(3)),
                standing("odd", "waitlisted", None),
                standing("dv", "funded", None),
            ],
        }
    }

    #[test]
    fn notes_of_each_record() {
        let funded = Status::Funded;
        let w3 = Status::Waitlisted { position: 3 };
        let held = |codes: &[&str], corrected| Note::Quarantined {
            codes: codes.iter().map(|c| c.to_string()).collect(),
            corrected,
        };
        let cases: Vec<(&str, &str, u32, Status, Vec<Note>)> = vec![
            ("nothing said", "none", 1, funded, vec![]),
            (
                "quarantined",
                "q",
                1,
                funded,
                vec![held(&["nik.length"], false)],
            ),
            (
                "corrected since",
                "q",
                2,
                funded,
                vec![held(&["nik.length"], true)],
            ),
            (
                "the latest revision's codes only",
                "q2",
                2,
                funded,
                vec![held(&["reg.age_out_of_window", "nik.serial_zero"], false)],
            ),
            ("same standing", "f", 1, funded, vec![]),
            (
                "other standing",
                "f",
                1,
                w3,
                vec![Note::Standing { district: funded }],
            ),
            ("same waitlist place", "w", 1, w3, vec![]),
            (
                "another place",
                "w",
                1,
                Status::Waitlisted { position: 1 },
                vec![Note::Standing { district: w3 }],
            ),
            (
                "a standing this version cannot read",
                "odd",
                1,
                funded,
                vec![],
            ),
            (
                "duplicate in another village",
                "dv",
                1,
                funded,
                vec![Note::Duplicate {
                    another_village: true,
                    another_device: false,
                }],
            ),
            (
                "duplicate from another device",
                "dd",
                1,
                funded,
                vec![Note::Duplicate {
                    another_village: false,
                    another_device: true,
                }],
            ),
        ];
        let state = state();
        for (what, id, revision, mine, want) in cases {
            assert_eq!(notes_for(&state, V, id, revision, mine), want, "{what}");
        }
        assert!(
            notes_for(&state, "61.07.01.2002", "q", 1, funded).is_empty(),
            "another village's record of that id"
        );
    }

    #[test]
    fn a_villages_notes_follow_its_roster() {
        use crate::record::Agent;
        use crate::registration::{check, RegistrationInput};
        use crate::{Date, DuplicateCheck, VillageRef};
        let (mut ws, _) = Workspace::load([], []);
        ws.set_village(VillageRef::new(V, "Sungai Duri").unwrap(), 1);
        let today = Date::parse_iso("2026-11-21").unwrap();
        // Made-up NIKs: men born on day n of January 1980, serial n.
        for (n, id) in [(1u32, "f"), (2, "w"), (3, "q"), (4, "gone")] {
            let input = RegistrationInput {
                nik: format!("610701{n:02}0180{n:04}"),
                name: format!("Pekerja {id}"),
                birth_date: format!("1980-01-{n:02}"),
                sex: "M".into(),
                segment: "BPU".into(),
                category: "petani".into(),
                ..RegistrationInput::default()
            };
            let registration = check(&input, &RulePack::default_pack(), today)
                .registration
                .unwrap();
            let agent = Agent {
                id: "a1".into(),
                name: "Petugas".into(),
            };
            let planned = ws
                .plan_register(
                    V,
                    registration,
                    RecordId::new(id).unwrap(),
                    agent,
                    crate::Timestamp::from_millis(n as i64),
                    DuplicateCheck::Ask,
                )
                .unwrap();
            ws.commit(planned).unwrap();
        }
        let mut state = state();
        state.quarantined.push(QuarantinedState {
            sequence: 2,
            record: QuarantinedRecord {
                village: V.into(),
                record_id: "gone-elsewhere".into(),
                revision: 1,
                codes: vec!["nik.length".into()],
            },
        });
        // On the phone: f funded (1 slot), w waitlisted #1, q #2. The
        // district: f funded, w waitlisted #3 (another device's records
        // came first), q quarantined.
        let got: Vec<(String, Vec<Note>)> = village_notes(&state, &ws, V)
            .into_iter()
            .map(|(id, notes)| (id.as_str().to_owned(), notes))
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    "w".to_owned(),
                    vec![Note::Standing {
                        district: Status::Waitlisted { position: 3 }
                    }]
                ),
                (
                    "q".to_owned(),
                    vec![Note::Quarantined {
                        codes: vec!["nik.length".into()],
                        corrected: false
                    }]
                ),
            ]
        );
        assert!(village_notes(&state, &ws, "61.07.01.2002").is_empty());
    }

    #[test]
    fn every_code_reads_in_both_languages_and_none_shows_a_code() {
        let codes = [
            "nik.empty",
            "nik.length",
            "nik.non_digit",
            "nik.province_unknown",
            "nik.day_invalid",
            "nik.month_invalid",
            "nik.date_invalid",
            "nik.date_in_future",
            "nik.serial_zero",
            "reg.required",
            "reg.name_invalid",
            "reg.name_too_long",
            "reg.birth_date_invalid",
            "reg.birth_date_in_future",
            "reg.birth_date_mismatch",
            "reg.sex_mismatch",
            "reg.sex_invalid",
            "reg.age_out_of_window",
            "reg.segment_unknown",
            "reg.category_unknown",
            "reg.funding_source_unknown",
            "reg.jht_not_offered",
            "record.id_invalid",
            "record.history",
            "record.op_status",
            "record.village_unlisted",
            "record.other_device",
            "village.code_invalid",
            "village.province_unknown",
            "village.name_empty",
            "something.new",
        ];
        let general = code_message("something.new", Lang::Id);
        for code in codes {
            let (id, en) = (code_message(code, Lang::Id), code_message(code, Lang::En));
            assert_ne!(id, en, "{code}");
            for text in [id, en] {
                assert!(
                    !text.contains('_') && !text.contains(code),
                    "{code}: {text}"
                );
            }
            let specific = code.starts_with("nik.")
                || code.starts_with("reg.")
                || code.starts_with("village.")
                || code == "record.other_device"
                || code == "record.village_unlisted";
            assert_eq!(id != general, specific, "{code}");
        }
        // A note's messages: the lead, then one line per distinct meaning.
        let note = Note::Quarantined {
            codes: vec![
                "nik.length".into(),
                "nik.non_digit".into(),
                "reg.sex_mismatch".into(),
            ],
            corrected: false,
        };
        assert_eq!(note.messages(Lang::Id).len(), 3);
        let both = [
            note.clone(),
            Note::Standing {
                district: Status::Funded,
            },
        ];
        assert_eq!(
            Note::labels(&both, Lang::Id),
            "Ditahan kantor · Status lain di kantor"
        );
        let standing = Note::Standing {
            district: Status::Waitlisted { position: 2 },
        };
        assert!(standing.messages(Lang::Id)[0].contains("Daftar tunggu #2"));
        assert!(standing.messages(Lang::En)[0].contains("Waitlisted #2"));
    }

    #[test]
    fn a_pack_is_offered_when_its_digest_differs_and_checked_before_use() {
        let state = state();
        assert_eq!(
            pack_offer(&state, "d1").map(|p| p.version.as_str()),
            Some("2")
        );
        assert_eq!(pack_offer(&state, "d2"), None);

        let json = RulePack::default_json();
        let pack = RulePack::from_json(json).unwrap();
        let offered = PackRef {
            id: pack.id().into(),
            version: pack.version().into(),
            digest: sha256_b64url(json.as_bytes()),
        };
        assert_eq!(offered_pack(json.as_bytes(), &offered), Ok(pack));
        let other_bytes = format!("{json} ");
        assert_eq!(
            offered_pack(other_bytes.as_bytes(), &offered),
            Err(OfferError::Digest)
        );
        let renamed = PackRef {
            version: "another".into(),
            ..offered.clone()
        };
        assert_eq!(
            offered_pack(json.as_bytes(), &renamed),
            Err(OfferError::Pack)
        );
        let not_a_pack = b"{}";
        let digest = PackRef {
            digest: sha256_b64url(not_a_pack),
            ..offered
        };
        assert_eq!(offered_pack(not_a_pack, &digest), Err(OfferError::Pack));
    }
}
