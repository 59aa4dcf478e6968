//! The district's `ring` ES256 check accepts exactly what the core's accepts:
//! the golden bundle, signatures of many made-up signing inputs, their
//! high-S twins, and nothing tampered or signed by another key.

use lindung_core::bundle::{sha256_b64url, verify_bundle, CoreEs256, Es256, Signer, SigningInput};
use lindung_district::es256::{self, RingEs256};

mod common;
use common::{bundle, signer, up, V1};

/// The P-256 group order, big-endian.
const ORDER: [u8; 32] = [
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
];

/// `r || (n - s)`: the other valid signature of the same message.
fn high_s_twin(signature: &[u8; 64]) -> [u8; 64] {
    let mut twin = *signature;
    let mut borrow = 0_i16;
    for i in (0..32).rev() {
        let diff = i16::from(ORDER[i]) - i16::from(signature[32 + i]) - borrow;
        borrow = i16::from(diff < 0);
        twin[32 + i] = diff.rem_euclid(256) as u8;
    }
    twin
}

fn digest(input: &[u8]) -> [u8; 32] {
    let mut digest = [0_u8; 32];
    let b64 = sha256_b64url(input);
    let bytes = lindung_core::bundle::b64url_decode(&b64).unwrap();
    digest.copy_from_slice(&bytes);
    digest
}

/// Both checks on one case; panics if they disagree, else the verdict.
fn agreed(key: &lindung_core::bundle::Jwk, protected: &str, payload: &str, sig: &[u8]) -> bool {
    let input = SigningInput { protected, payload };
    let digest = digest(&input.to_bytes());
    let core = CoreEs256.verifies(key, input, &digest, sig);
    let ring = RingEs256.verifies(key, input, &digest, sig);
    assert_eq!(
        core, ring,
        "core and ring disagree on {protected}.{payload}"
    );
    core
}

#[test]
fn ring_accepts_exactly_what_the_core_accepts() {
    let (alice, bob) = (signer(1), signer(2));
    let key = alice.public_jwk();
    let mut accepted = 0;
    for n in 0..200_u32 {
        let protected = format!("eyJhbGciOiJFUzI1NiJ9{n}");
        let payload = "cGF5bG9hZA".repeat(n as usize % 7 + 1);
        let message = SigningInput {
            protected: &protected,
            payload: &payload,
        }
        .to_bytes();
        let signature = alice.sign(&message).unwrap();
        let mut flipped = signature;
        flipped[(n as usize * 7) % 64] ^= 1 << (n % 8);
        let cases: [(&str, [u8; 64], bool); 4] = [
            ("signed", signature, true),
            ("its high-S twin", high_s_twin(&signature), true),
            ("a flipped bit", flipped, false),
            ("signed by another key", bob.sign(&message).unwrap(), false),
        ];
        for (what, sig, expected) in cases {
            assert_eq!(
                agreed(&key, &protected, &payload, &sig),
                expected,
                "{what} #{n}"
            );
            accepted += usize::from(expected);
        }
        // Other inputs under a good signature.
        assert!(!agreed(
            &key,
            &protected,
            &format!("{payload}A"),
            &signature
        ));
        assert!(!agreed(
            &key,
            &format!("{protected}x"),
            &payload,
            &signature
        ));
        // Not 64 bytes.
        assert!(!agreed(&key, &protected, &payload, &signature[..63]));
        assert!(!agreed(&key, &protected, &payload, &[]));
    }
    assert_eq!(accepted, 400);
}

#[test]
fn bundles_verify_alike_with_either_check() {
    let golden = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../core/tests/golden/bundle-v1.jws.json"
    ))
    .unwrap();
    let (signed, _) = bundle(1, 1, None, &[up("r1", 1, "6107014502870001", V1)]);
    for bytes in [golden, signed] {
        let core = verify_bundle(&bytes, lindung_core::bundle::Limits::DEFAULT).unwrap();
        let ring = es256::verify(&bytes).unwrap();
        assert_eq!(
            (&ring.kid, &ring.signing_input_hash, ring.payload.sequence),
            (&core.kid, &core.signing_input_hash, core.payload.sequence)
        );
        // Each byte of the signature member flipped in turn: both refuse.
        let text = String::from_utf8(bytes.clone()).unwrap();
        let start = text.find("\"signature\":\"").unwrap() + 13;
        for i in start..start + 86 {
            let mut tampered = bytes.clone();
            tampered[i] = if tampered[i] == b'A' { b'B' } else { b'A' };
            let core = verify_bundle(&tampered, lindung_core::bundle::Limits::DEFAULT);
            let ring = es256::verify(&tampered);
            assert!(core.is_err(), "byte {i}");
            assert_eq!(core.err(), ring.err(), "byte {i}");
        }
    }
}
