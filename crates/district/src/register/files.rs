//! Bundle files as the register keeps them: whole, for audit, compressed.

use lindung_core::bundle::{BundleError, Limits, VerifiedBundle};

/// A bundle file that the core verified, with its bytes packed for the
/// register. Only [`Checked::verify`] makes one, so the register never
/// merges an unverified bundle; verifying needs no register, so it can run
/// on another thread while the register writes the bundle before.
pub struct Checked {
    pub(crate) bundle: VerifiedBundle,
    pub(crate) packed: Packed,
}

impl Checked {
    /// Verifies the file, then packs it for the register (both the slow
    /// part of ingest, and neither needs the register).
    pub fn verify(bytes: Vec<u8>) -> Result<Checked, BundleError> {
        let bundle = crate::es256::verify(&bytes)?;
        Ok(Checked {
            bundle,
            packed: Packed::pack(&bytes),
        })
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
