//! `bundle::b64url` and `b64url_decode` are table-driven for speed; they must
//! write, accept and refuse exactly what base64ct's strict `Base64UrlUnpadded`
//! does.

use base64ct::{Base64UrlUnpadded, Encoding};
use lindung_core::bundle::{b64url, b64url_decode};

fn reference(text: &str) -> Option<Vec<u8>> {
    Base64UrlUnpadded::decode_vec(text).ok()
}

#[test]
fn edge_cases() {
    let cases: &[(&str, Option<&[u8]>)] = &[
        ("", Some(b"")),
        ("A", None),
        ("QQ", Some(b"A")),
        ("QR", None), // trailing bits not zero
        ("QUI", Some(b"AB")),
        ("QUJ", None),
        ("QUJD", Some(b"ABC")),
        ("QUJDRA", Some(b"ABCD")),
        ("QUJDR", None),
        ("QQ==", None), // padding
        ("QUJD=", None),
        ("QU JD", None), // whitespace
        ("QUJD\n", None),
        ("-_-_", Some(&[0xfb, 0xff, 0xbf])),
        ("+/+/", None), // the standard alphabet is not base64url
        ("QUé", None),
    ];
    for (text, expected) in cases {
        assert_eq!(b64url_decode(text).as_deref(), *expected, "{text:?}");
        assert_eq!(reference(text).as_deref(), *expected, "reference {text:?}");
    }
}

/// SplitMix64, so the cases are the same on every run.
fn next(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[test]
fn agrees_with_base64ct_on_random_text() {
    // Mostly alphabet characters, sometimes not, so every kind of rejection
    // shows up at every position and length.
    const CHARS: &[u8] =
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=+/ .\x00\xff";
    let mut state = 7;
    let (mut accepted, mut refused) = (0, 0);
    for _ in 0..200_000 {
        let len = (next(&mut state) % 14) as usize;
        let noisy = next(&mut state).is_multiple_of(4);
        let text: Vec<u8> = (0..len)
            .map(|_| {
                let pool = if noisy { CHARS.len() } else { 64 };
                CHARS[(next(&mut state) % pool as u64) as usize]
            })
            .collect();
        let Ok(text) = String::from_utf8(text) else {
            continue;
        };
        let got = b64url_decode(&text);
        assert_eq!(got, reference(&text), "{text:?}");
        if got.is_some() {
            accepted += 1;
        } else {
            refused += 1;
        }
    }
    assert!(
        accepted > 10_000 && refused > 10_000,
        "{accepted} {refused}"
    );
}

#[test]
fn encodes_as_base64ct_does() {
    let mut state = 13;
    for len in 0..300 {
        let bytes: Vec<u8> = (0..len).map(|_| next(&mut state) as u8).collect();
        assert_eq!(
            b64url(&bytes),
            Base64UrlUnpadded::encode_string(&bytes),
            "{len}"
        );
    }
    assert_eq!(b64url(b"\xfb\xff\xbf"), "-_-_");
}

#[test]
fn round_trips_random_bytes() {
    let mut state = 11;
    for len in 0..300 {
        let bytes: Vec<u8> = (0..len).map(|_| next(&mut state) as u8).collect();
        assert_eq!(b64url_decode(&b64url(&bytes)), Some(bytes));
    }
}
