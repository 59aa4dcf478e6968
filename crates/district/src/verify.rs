//! `district verify FILE...`: checks each bundle's signature and format (no
//! register yet: trust in a device key and sequence checks come with it).

use lindung_core::bundle::{verify_bundle, Limits};

/// One line for one file: `ok` with what it holds, or `FAIL` with the reason.
pub fn verify_line(name: &str, bytes: &[u8]) -> (bool, String) {
    match verify_bundle(bytes, Limits::DEFAULT) {
        Ok(bundle) => {
            let payload = &bundle.payload;
            (
                true,
                format!(
                    "ok {name}: kid {} sequence {} records {} villages {}",
                    bundle.kid,
                    payload.sequence,
                    payload.records.len(),
                    payload.villages.len()
                ),
            )
        }
        Err(error) => (false, format!("FAIL {name}: {} ({error})", error.code())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOLDEN: &str = include_str!("../../core/tests/golden/bundle-v1.jws.json");

    #[test]
    fn lines() {
        let (ok, line) = verify_line("a.json", GOLDEN.as_bytes());
        assert!(ok, "{line}");
        assert!(line.starts_with("ok a.json: kid "), "{line}");
        let cases: [(&[u8], &str); 3] = [
            (b"", "FAIL b.json: bundle.json"),
            (b"{}", "FAIL b.json: bundle.member_missing"),
            (b"not json", "FAIL b.json: bundle.json"),
        ];
        for (bytes, prefix) in cases {
            let (ok, line) = verify_line("b.json", bytes);
            assert!(!ok);
            assert!(line.starts_with(prefix), "{line}");
        }
    }
}
