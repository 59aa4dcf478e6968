//! The district key: the ES256 key that signs receipts, device states and
//! the rule pack, in a file only its owner can read.
//!
//! File format (JSON): `{"format": "lindung.district-key", "format_version":
//! 1, "district_id": ID, "jwk": {"kty": "EC", "crv": "P-256", "x", "y", "d"}}`
//! (RFC 7517 private JWK). Phones pin the key's kid (RFC 7638 thumbprint) on
//! first contact, so losing the file means every phone must be told the new
//! kid: back it up with the register.
//!
//! Invariants: the file is created with mode 0600 and never overwritten;
//! the secret never leaves this module except as the file; nothing here
//! prints or logs it (`Debug` shows the kid only).

use std::fmt;
use std::io::Write;
use std::path::Path;

use lindung_core::bundle::{b64url, b64url_decode, Signer, SoftwareSigner};
use serde::{Deserialize, Serialize};

const FORMAT: &str = "lindung.district-key";

/// The district's signing key and the id it signs as.
#[derive(Clone)]
pub struct DistrictKey {
    signer: SoftwareSigner,
    district_id: String,
    kid: String,
}

impl fmt::Debug for DistrictKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DistrictKey")
            .field("district_id", &self.district_id)
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

/// Why the key file could not be made or read.
#[derive(Debug)]
pub enum KeyError {
    Io(String),
    /// The file is not a district key (what is wrong, never the secret).
    Invalid(String),
    /// The file is readable by others than its owner.
    Permissions(String),
}

impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyError::Io(e) | KeyError::Invalid(e) | KeyError::Permissions(e) => f.write_str(e),
        }
    }
}

impl std::error::Error for KeyError {}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyFile {
    format: String,
    format_version: u32,
    district_id: String,
    jwk: PrivateJwk,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct PrivateJwk {
    kty: String,
    crv: String,
    x: String,
    y: String,
    d: String,
}

/// Whether `key` was made now or was already there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyOutcome {
    Created,
    Kept,
}

impl DistrictKey {
    /// The district id documents carry (`61.07`, `Kabupaten Mempawah`).
    pub fn district_id(&self) -> &str {
        &self.district_id
    }

    /// The key's RFC 7638 thumbprint, which phones pin.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    pub fn signer(&self) -> &SoftwareSigner {
        &self.signer
    }

    /// Makes a new key for `district_id` at `path`, or reads the one there
    /// (whose id must then be `district_id`, if one is given).
    pub fn create_or_load(
        path: &Path,
        district_id: Option<&str>,
    ) -> Result<(DistrictKey, KeyOutcome), KeyError> {
        if path.exists() {
            let key = DistrictKey::load(path)?;
            if let Some(id) = district_id {
                if id != key.district_id {
                    return Err(KeyError::Invalid(format!(
                        "{} is the key of district {:?}, not {id:?}; a district key's id \
                         does not change (phones pin the key)",
                        path.display(),
                        key.district_id
                    )));
                }
            }
            return Ok((key, KeyOutcome::Kept));
        }
        let district_id = district_id.unwrap_or("district");
        check_district_id(district_id)?;
        let (signer, secret) = generate()?;
        let jwk = signer.public_jwk();
        let file = KeyFile {
            format: FORMAT.into(),
            format_version: 1,
            district_id: district_id.into(),
            jwk: PrivateJwk {
                kty: "EC".into(),
                crv: "P-256".into(),
                x: jwk.x().into(),
                y: jwk.y().into(),
                d: b64url(&secret),
            },
        };
        let mut text = serde_json::to_vec_pretty(&file).expect("a key file serializes");
        text.push(b'\n');
        write_private(path, &text)?;
        let key = DistrictKey {
            kid: jwk.thumbprint(),
            signer,
            district_id: district_id.into(),
        };
        Ok((key, KeyOutcome::Created))
    }

    /// Reads the key at `path`; refuses a file others can read.
    pub fn load(path: &Path) -> Result<DistrictKey, KeyError> {
        let shown = path.display();
        check_private(path)?;
        let text = std::fs::read(path)
            .map_err(|e| KeyError::Io(format!("cannot read the district key {shown}: {e}")))?;
        let invalid =
            |why: &str| KeyError::Invalid(format!("{shown} is not a district key: {why}"));
        let file: KeyFile =
            serde_json::from_slice(&text).map_err(|_| invalid("not the key file's JSON"))?;
        if file.format != FORMAT || file.format_version != 1 {
            return Err(invalid("another format or version"));
        }
        if file.jwk.kty != "EC" || file.jwk.crv != "P-256" {
            return Err(invalid("not a P-256 key"));
        }
        check_district_id(&file.district_id)?;
        let secret: [u8; 32] = b64url_decode(&file.jwk.d)
            .and_then(|d| d.try_into().ok())
            .ok_or_else(|| invalid("`d` is not 32 bytes of base64url"))?;
        let signer =
            SoftwareSigner::from_secret(&secret).ok_or_else(|| invalid("`d` is out of range"))?;
        let jwk = signer.public_jwk();
        if jwk.x() != file.jwk.x || jwk.y() != file.jwk.y {
            return Err(invalid("`x` and `y` are not the public key of `d`"));
        }
        Ok(DistrictKey {
            kid: jwk.thumbprint(),
            signer,
            district_id: file.district_id,
        })
    }

    /// A key from fixed secret bytes (tests).
    pub fn from_secret(secret: &[u8; 32], district_id: &str) -> Option<DistrictKey> {
        let signer = SoftwareSigner::from_secret(secret)?;
        Some(DistrictKey {
            kid: signer.public_jwk().thumbprint(),
            signer,
            district_id: district_id.into(),
        })
    }
}

fn check_district_id(id: &str) -> Result<(), KeyError> {
    if id.trim().is_empty() || id.len() > 100 || id.chars().any(char::is_control) {
        return Err(KeyError::Invalid(
            "a district id is 1 to 100 characters, with no control characters".into(),
        ));
    }
    Ok(())
}

/// A new P-256 key from the system's random source: (signer, secret).
fn generate() -> Result<(SoftwareSigner, [u8; 32]), KeyError> {
    use ring::rand::{SecureRandom, SystemRandom};
    let random = SystemRandom::new();
    // A random 32-byte string is a valid scalar but for a chance of about
    // 2^-32; try again then.
    for _ in 0..16 {
        let mut secret = [0_u8; 32];
        random
            .fill(&mut secret)
            .map_err(|_| KeyError::Io("the system's random source failed".into()))?;
        if let Some(signer) = SoftwareSigner::from_secret(&secret) {
            return Ok((signer, secret));
        }
    }
    Err(KeyError::Io("could not make a P-256 key".into()))
}

/// Writes a new file only its owner can read (mode 0600 on Unix); never
/// replaces one.
fn write_private(path: &Path, bytes: &[u8]) -> Result<(), KeyError> {
    let fail = |e: std::io::Error| {
        KeyError::Io(format!(
            "cannot write the district key {}: {e}",
            path.display()
        ))
    };
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).map_err(fail)?;
    file.write_all(bytes).map_err(fail)?;
    file.sync_all().map_err(fail)
}

#[cfg(unix)]
fn check_private(path: &Path) -> Result<(), KeyError> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path)
        .map_err(|e| {
            KeyError::Io(format!(
                "cannot read the district key {}: {e}",
                path.display()
            ))
        })?
        .permissions()
        .mode();
    if mode & 0o077 != 0 {
        return Err(KeyError::Permissions(format!(
            "the district key {} can be read by others (mode {:o}); `chmod 600` it",
            path.display(),
            mode & 0o777
        )));
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_private(_: &Path) -> Result<(), KeyError> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_made_once_kept_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("district-key.json");
        let (made, outcome) = DistrictKey::create_or_load(&path, Some("61.07")).unwrap();
        assert_eq!(outcome, KeyOutcome::Created);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let (kept, outcome) = DistrictKey::create_or_load(&path, None).unwrap();
        assert_eq!(outcome, KeyOutcome::Kept);
        assert_eq!(kept.kid(), made.kid());
        assert_eq!(kept.district_id(), "61.07");
        assert!(!format!("{kept:?}").contains("\"d\""));
        let other = DistrictKey::create_or_load(&path, Some("61.08")).unwrap_err();
        assert!(other.to_string().contains("does not change"), "{other}");
    }

    #[test]
    fn bad_key_files_are_refused_without_showing_the_secret() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.json");
        let (key, _) = DistrictKey::create_or_load(&path, Some("x")).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        let file: serde_json::Value = serde_json::from_str(&text).unwrap();
        let d = file["jwk"]["d"].as_str().unwrap().to_owned();
        let edit = |f: &dyn Fn(&mut serde_json::Value)| {
            let mut file = file.clone();
            f(&mut file);
            file.to_string()
        };
        let cases = [
            ("not JSON", "{".to_owned(), "not the key file's JSON"),
            (
                "another format",
                edit(&|f| f["format"] = "x".into()),
                "another format",
            ),
            (
                "short d",
                edit(&|f| f["jwk"]["d"] = "AAAA".into()),
                "32 bytes",
            ),
            (
                "x of another key",
                edit(&|f| f["jwk"]["x"] = f["jwk"]["y"].clone()),
                "not the public key",
            ),
        ];
        for (what, text, expected) in cases {
            let bad = dir.path().join(format!("{what}.json"));
            write_private(&bad, text.as_bytes()).unwrap();
            let error = DistrictKey::load(&bad).unwrap_err().to_string();
            assert!(error.contains(expected), "{what}: {error}");
            assert!(!error.contains(&d), "{what}: the secret shown");
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
            let error = DistrictKey::load(&path).unwrap_err().to_string();
            assert!(error.contains("chmod 600"), "{error}");
        }
        assert!(!key.kid().is_empty());
    }
}
