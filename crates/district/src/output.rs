//! What the commands print: one place for the lines people and scripts
//! read (`ingest`, `agents list`, `quarantine list`).

use crate::judgement::{ranges_count, ranges_text};
use crate::register::{AgentRow, IngestOutcome, QuarantineReport, Quarantined};

/// `sequence 2` or `sequences 2,4..6`.
pub fn missing_text(runs: &[(u64, u64)]) -> String {
    let noun = if ranges_count(runs) == 1 {
        "sequence"
    } else {
        "sequences"
    };
    format!("{noun} {}", ranges_text(runs))
}

/// Text from a device (names, reasons) kept to one field of one line:
/// tabs, line breaks and other control characters become spaces.
pub fn field(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// One line per quarantined record: `quarantined FILE: record R (village
/// V, revision N): code,code`.
pub fn quarantine_lines(name: &str, quarantined: &[Quarantined]) -> Vec<String> {
    quarantined
        .iter()
        .map(|q| {
            format!(
                "quarantined {name}: record {} (village {}, revision {}): {}",
                field(&q.record_id),
                field(&q.village),
                q.revision,
                q.codes.join(",")
            )
        })
        .collect()
}

/// The lines `district ingest` prints for one file, and whether it failed.
pub fn ingest_lines(name: &str, outcome: &IngestOutcome) -> (bool, Vec<String>) {
    match outcome {
        IngestOutcome::Merged {
            kid,
            sequence,
            applied,
            ignored,
            quarantined,
            missing,
            pack_note,
        } => {
            let mut lines = vec![format!(
                "merged {name}: {applied} records (kid {kid}, sequence {sequence}); \
                 {ignored} older or equal revisions ignored; {} quarantined",
                quarantined.len()
            )];
            lines.extend(quarantine_lines(name, quarantined));
            if let Some(note) = pack_note {
                lines.push(format!(
                    "note {name}: {note} (the bundle names a rule pack the district does not \
                     hold as sent; its records were judged with the district's pack)"
                ));
            }
            if !missing.is_empty() {
                lines.push(format!(
                    "gap {name}: kid {kid} is missing {}",
                    missing_text(missing)
                ));
            }
            (true, lines)
        }
        IngestOutcome::AlreadyIngested { kid, sequence } => (
            true,
            vec![format!(
                "already ingested {name}: kid {kid}, sequence {sequence}; nothing changed"
            )],
        ),
        IngestOutcome::Pending { kid, sequence } => (
            true,
            vec![format!(
                "pending {name}: unknown device (kid {kid}, sequence {sequence}); \
                 stored until `agents approve`"
            )],
        ),
        IngestOutcome::Rejected(rejection) => (
            false,
            vec![format!("FAIL {name}: {} ({rejection})", rejection.code())],
        ),
    }
}

/// One `agents list` line, tab-separated: `KID NAME AGENT_ID STATUS
/// LAST_MERGED PENDING MISSING`, `-` for no agent id, nothing merged or
/// nothing missing. Names come from bundles too, so they are kept to one
/// field ([`field`]).
pub fn agent_line(agent: &AgentRow) -> String {
    format!(
        "{}\t{}\t{}\t{}\t{}\t{}\t{}",
        agent.kid,
        field(&agent.name),
        agent
            .agent_id
            .as_deref()
            .map_or_else(|| "-".to_owned(), field),
        agent.status.as_str(),
        agent
            .last_merged
            .map_or_else(|| "-".to_owned(), |s| s.to_string()),
        agent.pending,
        ranges_text(&agent.missing)
    )
}

/// `district quarantine list`: tab-separated, records first:
/// `record KID SEQUENCE VILLAGE RECORD_ID REVISION CODES STATE` (STATE:
/// `current` while the register's revision is the quarantined one,
/// `superseded` once a later revision replaced it, `withdrawn` when its
/// bundle was withdrawn), then
/// `bundle KID SEQUENCE NOTE WITHDRAWN_AT REASON` (`-` for none).
pub fn quarantine_report_lines(report: &QuarantineReport) -> Vec<String> {
    let mut lines = Vec::new();
    for r in &report.records {
        let state = if r.withdrawn {
            "withdrawn"
        } else if r.current {
            "current"
        } else {
            "superseded"
        };
        lines.push(format!(
            "record\t{}\t{}\t{}\t{}\t{}\t{}\t{state}",
            r.kid,
            r.sequence,
            field(&r.village),
            field(&r.record_id),
            r.revision,
            r.codes.join(",")
        ));
    }
    for b in &report.bundles {
        let (at, reason) = match &b.withdrawn {
            Some((at, reason)) => (
                lindung_core::Timestamp::from_millis(*at).to_string(),
                field(reason),
            ),
            None => ("-".to_owned(), "-".to_owned()),
        };
        lines.push(format!(
            "bundle\t{}\t{}\t{}\t{at}\t{reason}",
            b.kid,
            b.sequence,
            b.pack_note.as_deref().unwrap_or("-")
        ));
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::register::AgentStatus;

    #[test]
    fn missing_text_counts_sequences() {
        assert_eq!(missing_text(&[(2, 2)]), "sequence 2");
        assert_eq!(missing_text(&[(2, 3)]), "sequences 2..3");
        assert_eq!(missing_text(&[(2, 2), (4, 4)]), "sequences 2,4");
    }

    #[test]
    fn agent_lines_are_tab_separated_and_keep_to_one_line() {
        let row = |name: &str, agent_id: Option<&str>, last, pending, missing: &[(u64, u64)]| {
            agent_line(&AgentRow {
                kid: "K".into(),
                name: name.into(),
                agent_id: agent_id.map(str::to_owned),
                status: AgentStatus::Approved,
                last_merged: last,
                pending,
                missing: missing.to_vec(),
            })
        };
        let cases = [
            (
                row("Siti", Some("a-1"), Some(5), 0, &[(2, 2)]),
                "K\tSiti\ta-1\tapproved\t5\t0\t2",
            ),
            (
                row("Budi", None, None, 2, &[]),
                "K\tBudi\t-\tapproved\t-\t2\t-",
            ),
            (
                row("Tab\there\nnewline", Some("x\ty"), Some(1), 0, &[]),
                "K\tTab here newline\tx y\tapproved\t1\t0\t-",
            ),
        ];
        for (got, expected) in cases {
            assert_eq!(got, expected);
        }
    }

    #[test]
    fn quarantine_lines_keep_device_text_to_one_line() {
        let lines = quarantine_lines(
            "b.json",
            &[Quarantined {
                village: "61.07.01.2001".into(),
                record_id: "r\n1".into(),
                revision: 2,
                codes: vec!["nik.length".into(), "reg.required".into()],
            }],
        );
        assert_eq!(
            lines,
            ["quarantined b.json: record r 1 (village 61.07.01.2001, revision 2): nik.length,reg.required"]
        );
    }
}
