//! ES256 signature checks for the district: the same algorithm as the
//! core's [`CoreEs256`](lindung_core::bundle::CoreEs256), through `ring`,
//! whose assembly P-256 verifies about four times faster than the pure-Rust
//! `p256` the core (and the app's wasm) must use. The district checks
//! thousands of bundles per ingest, so this is where that time goes.
//!
//! Invariant: [`RingEs256`] accepts exactly the signatures the core accepts
//! (checked against the core's verifier in `tests/es256.rs`); `ring` hashes
//! the signing input itself, so the precomputed digest is not used.

use lindung_core::bundle::{
    verify_bundle_with, BundleError, Es256, Jwk, Limits, SigningInput, VerifiedBundle,
};
use ring::signature::{UnparsedPublicKey, ECDSA_P256_SHA256_FIXED};

/// ES256 through `ring`.
#[derive(Clone, Copy, Debug, Default)]
pub struct RingEs256;

impl Es256 for RingEs256 {
    fn verifies(&self, key: &Jwk, input: SigningInput<'_>, _: &[u8; 32], signature: &[u8]) -> bool {
        UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, key.sec1_uncompressed())
            .verify(&input.to_bytes(), signature)
            .is_ok()
    }
}

/// [`lindung_core::bundle::verify_bundle`], with [`RingEs256`].
pub fn verify(bytes: &[u8]) -> Result<VerifiedBundle, BundleError> {
    verify_bundle_with(bytes, Limits::DEFAULT, &RingEs256)
}
