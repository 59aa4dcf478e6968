//! Bundle files as the register keeps them: whole, for audit, compressed.

use lindung_core::bundle::{BundleError, Limits, VerifiedBundle};
use lindung_core::judge::{self, registration_time, RecordVerdict, TimeWindow};
use lindung_core::Date;

use super::StoredPack;

/// A bundle file that the core verified, with its bytes packed for the
/// register. Only [`Checked::verify`] makes one, so the register never
/// merges an unverified bundle; verifying needs no register, so it can run
/// on another thread while the register writes the bundle before.
pub struct Checked {
    pub(crate) bundle: VerifiedBundle,
    pub(crate) packed: Packed,
    pub(crate) prejudged: Option<Prejudged>,
}

/// The verdicts on a bundle's records, judged ahead on another thread, each
/// on the date its record will most likely be ordered at. The register uses
/// a verdict only if it judges that record on that very date with that very
/// pack; otherwise it judges the record again. So judging ahead changes how
/// fast a merge goes, never what it decides.
pub(crate) struct Prejudged {
    pub(crate) pack_digest: String,
    /// One per record of the bundle, in order: (date judged on, verdict).
    pub(crate) verdicts: Vec<(Date, RecordVerdict)>,
}

impl Prejudged {
    /// The verdict on record `index` judged on `date` with `pack`, if it
    /// was judged ahead on exactly these.
    pub(crate) fn verdict(
        &self,
        index: usize,
        date: Date,
        pack: &StoredPack,
    ) -> Option<&RecordVerdict> {
        if self.pack_digest != pack.digest {
            return None;
        }
        match self.verdicts.get(index) {
            Some((on, verdict)) if *on == date => Some(verdict),
            _ => None,
        }
    }
}

impl Checked {
    /// Verifies the file, then packs it for the register (both the slow
    /// part of ingest, and neither needs the register).
    pub fn verify(bytes: Vec<u8>) -> Result<Checked, BundleError> {
        let bundle = crate::es256::verify(&bytes)?;
        Ok(Checked {
            bundle,
            packed: Packed::pack(&bytes),
            prejudged: None,
        })
    }

    /// [`Checked::verify`], and every record judged ahead with `pack` on the
    /// date of its registration time in the window `guess` gives for the
    /// bundle: the caller's best guess of the device's floor and of when the
    /// bundle reaches the register.
    pub fn verify_and_judge(
        bytes: Vec<u8>,
        pack: &StoredPack,
        guess: impl FnOnce(&VerifiedBundle) -> TimeWindow,
    ) -> Result<Checked, BundleError> {
        let mut checked = Checked::verify(bytes)?;
        let window = guess(&checked.bundle);
        let payload = &checked.bundle.payload;
        let villages = judge::Villages::new(&payload.villages);
        let verdicts = payload
            .records
            .iter()
            .map(|record| {
                let on = registration_time(record.created_at, window).date();
                let verdict = judge::judge_record(record, &villages, &pack.pack, on);
                (on, verdict)
            })
            .collect();
        checked.prejudged = Some(Prejudged {
            pack_digest: pack.digest.clone(),
            verdicts,
        });
        Ok(checked)
    }

    pub fn bundle(&self) -> &VerifiedBundle {
        &self.bundle
    }
}

/// A bundle file as `bundles.bytes` keeps it: the exact file, compressed
/// with zstd (level 1: bundle files shrink about sevenfold, at several
/// hundred MB/s), or as received (`identity`: bundles stored before schema
/// version 3).
#[derive(Clone, Debug)]
pub struct Packed {
    pub(crate) encoding: &'static str,
    pub(crate) data: Vec<u8>,
}

impl Packed {
    const ZSTD_LEVEL: i32 = 1;

    pub fn pack(file: &[u8]) -> Packed {
        thread_local! {
            // A compression context is a few hundred kB to set up: one per
            // thread, reused for every bundle it packs.
            static COMPRESSOR: std::cell::RefCell<Option<zstd::bulk::Compressor<'static>>> =
                std::cell::RefCell::new(zstd::bulk::Compressor::new(Packed::ZSTD_LEVEL).ok());
        }
        let compressed = COMPRESSOR.with(|compressor| match &mut *compressor.borrow_mut() {
            Some(compressor) => compressor.compress(file),
            None => zstd::bulk::compress(file, Packed::ZSTD_LEVEL),
        });
        match compressed {
            Ok(data) => Packed {
                encoding: "zstd",
                data,
            },
            // Only out of memory; keep the file as it is.
            Err(_) => Packed {
                encoding: "identity",
                data: file.to_vec(),
            },
        }
    }

    /// The file again, or `None` if `data` is not what `encoding` says.
    pub(crate) fn unpack(encoding: &str, data: Vec<u8>) -> Option<Vec<u8>> {
        match encoding {
            "identity" => Some(data),
            "zstd" => zstd::bulk::decompress(&data, Limits::DEFAULT.max_bytes).ok(),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use lindung_core::judge::RecordVerdict;
    use lindung_core::Date;

    use super::{Prejudged, StoredPack};

    #[test]
    fn a_verdict_judged_ahead_counts_only_on_its_date_and_pack() {
        let pack = StoredPack::builtin();
        let day = Date::parse_iso("2026-11-20").unwrap();
        let verdict = RecordVerdict {
            codes: vec!["reg.age_out_of_window"],
            warnings: Vec::new(),
            nik: "6107014502060001".into(),
            registration: None,
        };
        let prejudged = Prejudged {
            pack_digest: pack.digest.clone(),
            verdicts: vec![(day, verdict.clone())],
        };
        assert_eq!(prejudged.verdict(0, day, &pack), Some(&verdict));
        let next_day = Date::parse_iso("2026-11-21").unwrap();
        assert_eq!(prejudged.verdict(0, next_day, &pack), None);
        assert_eq!(prejudged.verdict(1, day, &pack), None);
        let another = StoredPack {
            digest: "another pack".into(),
            ..pack.clone()
        };
        assert_eq!(prejudged.verdict(0, day, &another), None);
    }
}
