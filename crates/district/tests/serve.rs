//! `district serve` over real HTTP on 127.0.0.1: every outcome of
//! `POST /api/v1/bundles`, the device state, the rule pack, and shutdown.
//! Receipts are checked with `ring`, not with the core's code the server
//! signs with. Each test body runs once per backend. Made-up NIKs only.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use lindung_core::sync::{
    open_document, DeviceState, Receipt, DEVICE_STATE_TYP, RECEIPT_TYP, RULE_PACK_TYP,
};
use serde_json::Value;

mod common;
use common::{bundle, district, kid, stray_hash, up, Db, V1};

/// A running `district serve`, killed when dropped.
struct Server {
    child: Child,
    base: String,
    /// The district key's kid, as `init` printed it.
    district_kid: String,
    _dir: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

const MAX_BYTES: usize = 65_536;

fn start(db: &Db) -> Server {
    start_with(db, &[])
}

fn start_with(db: &Db, extra: &[&str]) -> Server {
    let dir = tempfile::tempdir().unwrap();
    let key: PathBuf = dir.path().join("district-key.json");
    start_on(db, dir, &key, extra)
}

/// A server of the register `db` with the district key at `key` (made by
/// `init` unless it is there).
fn start_on(db: &Db, dir: tempfile::TempDir, key: &std::path::Path, extra: &[&str]) -> Server {
    let key_arg = key.to_str().unwrap();
    let arg = db.arg();
    let init = district(&[
        "init",
        "--db",
        &arg,
        "--key",
        key_arg,
        "--district-id",
        "61.07",
    ]);
    assert_eq!(init.code, 0, "{}", init.stderr);
    let district_kid = init
        .stdout
        .lines()
        .find_map(|l| l.split_once(", kid ").map(|(_, k)| k.to_owned()))
        .expect("init prints the kid");
    if !init.stdout.contains("already at schema") {
        common::add_agent(&arg, 1, "Siti");
    }
    let mut child = Command::new(env!("CARGO_BIN_EXE_district"))
        .args([
            "serve",
            "--db",
            &arg,
            "--key",
            key_arg,
            "--listen",
            "127.0.0.1:0",
        ])
        .args(["--max-bundle-bytes", &MAX_BYTES.to_string()])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let base = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("serve printed {line:?}"))
        .to_owned();
    Server {
        child,
        base,
        district_kid,
        _dir: dir,
    }
}

/// (status, content type, body) of an HTTP exchange.
struct Answer {
    status: u16,
    content_type: String,
    body: String,
}

fn answer(result: Result<ureq::Response, ureq::Error>) -> Answer {
    let response = match result {
        Ok(response) => response,
        Err(ureq::Error::Status(_, response)) => response,
        Err(other) => panic!("no answer: {other}"),
    };
    Answer {
        status: response.status(),
        content_type: response.content_type().to_owned(),
        body: response.into_string().unwrap(),
    }
}

fn post(server: &Server, body: &[u8]) -> Answer {
    answer(
        ureq::post(&format!("{}/api/v1/bundles", server.base))
            .set("Content-Type", "application/jose+json")
            .send_bytes(body),
    )
}

fn get(server: &Server, path: &str) -> Answer {
    answer(ureq::get(&format!("{}{path}", server.base)).call())
}

/// Checks `document` (JWS JSON text) is signed by the district key, with
/// ring; its payload as `T`.
fn signed<T: serde::de::DeserializeOwned>(server: &Server, document: &str, typ: &str) -> T {
    let document = open_document(document.as_bytes(), typ).expect("a district document");
    assert_eq!(
        document.kid, server.district_kid,
        "signed by the district key"
    );
    let key = ring::signature::UnparsedPublicKey::new(
        &ring::signature::ECDSA_P256_SHA256_FIXED,
        document.jwk.sec1_uncompressed(),
    );
    key.verify(document.signing_input(), document.signature())
        .expect("ring verifies the signature");
    document.payload().expect("the payload reads")
}

/// The receipt of an answer: the body itself, or the problem's `receipt`.
fn receipt(server: &Server, answer: &Answer) -> Receipt {
    if answer.content_type == "application/jose+json" {
        signed(server, &answer.body, RECEIPT_TYP)
    } else {
        assert_eq!(
            answer.content_type, "application/problem+json",
            "{}",
            answer.body
        );
        let problem: Value = serde_json::from_str(&answer.body).unwrap();
        assert_eq!(problem["status"], answer.status, "{}", answer.body);
        signed(server, &problem["receipt"].to_string(), RECEIPT_TYP)
    }
}

fn code_of(answer: &Answer) -> String {
    let problem: Value = serde_json::from_str(&answer.body).unwrap();
    problem["code"].as_str().unwrap_or_default().to_owned()
}

fn every_bundle_answer_carries_a_signed_receipt(db: Db) {
    let server = start(&db);
    let status: Value = serde_json::from_str(&get(&server, "/api/v1/status").body).unwrap();
    assert_eq!(status["district_kid"], server.district_kid.as_str());
    assert_eq!(status["district_id"], "61.07");

    let (b1, h1) = bundle(1, 1, None, &[up("r1", 1, "6107014502870001", V1)]);
    let (b1_other, _) = bundle(1, 1, None, &[up("r9", 1, "6107014502870009", V1)]);
    let (b3, h3) = bundle(
        1,
        3,
        Some(&stray_hash()),
        &[
            up("r2", 1, "6107014502870002", V1),
            up("bad", 1, "12345", V1),
        ],
    );
    let (p1, _) = bundle(2, 1, None, &[up("r3", 1, "6107014502870003", V1)]);
    let big = vec![b' '; MAX_BYTES + 1];
    // Far past what socket buffers hold: the server must read it to the
    // end before answering, or the client gets a reset instead of the 413.
    let huge = vec![b' '; 32 * 1024 * 1024];

    // Merged (201), then the same bundle again (200): the same receipt,
    // byte for byte.
    let first = post(&server, &b1);
    assert_eq!(first.status, 201, "{}", first.body);
    let r = receipt(&server, &first);
    assert!(r.is_for(&kid(1), 1, &h1), "{r:?}");
    assert_eq!(
        (r.outcome.as_str(), r.district_id.as_str()),
        ("merged", "61.07")
    );
    let again = post(&server, &b1);
    assert_eq!(again.status, 200);
    assert_eq!(again.body, first.body);

    // The rest of the outcomes, each with its receipt.
    let cases: [(&str, &[u8], u16, &str, &str); 6] = [
        ("conflict", &b1_other, 409, "conflict", "register.conflict"),
        (
            "not a bundle",
            b"<html>portal</html>",
            422,
            "rejected",
            "bundle.json",
        ),
        ("too large", &big, 413, "too_large", "server.too_large"),
        ("far too large", &huge, 413, "too_large", "server.too_large"),
        ("unknown device", &p1, 202, "pending", ""),
        ("a gap, a bad record", &b3, 201, "merged", ""),
    ];
    for (what, body, status, outcome, code) in cases {
        let got = post(&server, body);
        assert_eq!(got.status, status, "{what}: {}", got.body);
        let r = receipt(&server, &got);
        assert_eq!(r.outcome.as_str(), outcome, "{what}");
        if !code.is_empty() {
            assert_eq!(code_of(&got), code, "{what}");
            assert_eq!(r.code.as_deref(), Some(code), "{what}");
        }
    }
    // The bad record's receipt lists it; the device state too, with the gap.
    let r = receipt(&server, &post(&server, &b3));
    assert!(r.is_for(&kid(1), 3, &h3));
    let quarantined: Vec<String> = r
        .quarantined
        .iter()
        .map(|q| format!("{} {}", q.record_id, q.codes.join(",")))
        .collect();
    assert_eq!(quarantined, ["bad nik.length"]);
    let state = get(&server, &format!("/api/v1/devices/{}", kid(1)));
    assert_eq!(state.status, 200);
    let state: DeviceState = signed(&server, &state.body, DEVICE_STATE_TYP);
    assert_eq!(state.status, lindung_core::sync::DeviceStatus::Approved);
    assert_eq!(
        (
            state.contiguous_through,
            state.highest,
            state.missing.clone()
        ),
        (1, 3, vec![[2, 2]])
    );
    assert_eq!(state.quarantined.len(), 1);
    assert_eq!(state.quarantined[0].sequence, 3);
    assert_eq!(state.limits.max_bundle_bytes, MAX_BYTES as u64);
    let pending = get(&server, &format!("/api/v1/devices/{}", kid(2)));
    let pending: DeviceState = signed(&server, &pending.body, DEVICE_STATE_TYP);
    assert_eq!(pending.status, lindung_core::sync::DeviceStatus::Pending);
    let unknown = get(&server, &format!("/api/v1/devices/{}", kid(7)));
    let unknown: DeviceState = signed(&server, &unknown.body, DEVICE_STATE_TYP);
    assert_eq!(
        (unknown.status, unknown.highest),
        (lindung_core::sync::DeviceStatus::Unknown, 0)
    );
    assert_eq!(get(&server, "/api/v1/devices/not-a-kid").status, 400);
    assert_eq!(get(&server, "/api/v1/nothing").status, 404);

    // A revoked device is refused (403), with a receipt.
    let run = district(&["agents", "revoke", "--db", &db.arg(), &kid(2)]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let (p2, _) = bundle(2, 2, Some(&stray_hash()), &[]);
    let revoked = post(&server, &p2);
    assert_eq!(revoked.status, 403, "{}", revoked.body);
    assert_eq!(receipt(&server, &revoked).outcome.as_str(), "revoked");

    // The rule pack, signed: the pack's JSON as published.
    let pack = get(&server, "/api/v1/rule-pack");
    let document = open_document(pack.body.as_bytes(), RULE_PACK_TYP).unwrap();
    assert!(document.verifies());
    assert_eq!(
        document.payload_bytes(),
        lindung_core::RulePack::default_json().as_bytes()
    );
}

/// SIGTERM: the server stops accepting, finishes, and exits 0.
fn stops_on_sigterm(db: Db) {
    let mut server = start(&db);
    assert_eq!(get(&server, "/api/v1/status").status, 200);
    let pid = server.child.id().to_string();
    let killed = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    assert!(killed.success());
    let status = server.child.wait().unwrap();
    assert_eq!(status.code(), Some(0));
    let mut stderr = String::new();
    std::io::Read::read_to_string(server.child.stderr.as_mut().unwrap(), &mut stderr).unwrap();
    assert!(stderr.contains("district serve: stopped"), "{stderr}");
    assert!(ureq::get(&format!("{}/api/v1/status", server.base))
        .call()
        .is_err());
}

/// With --app, the built app's files: the Brotli or gzip copy to a browser
/// that takes it, hashed files cached for good, the rest revalidated; the
/// API beside them; CORS only for the origins given.
#[test]
fn serves_the_app_beside_the_api() {
    let app = tempfile::tempdir().unwrap();
    let write = |name: &str, bytes: &[u8]| std::fs::write(app.path().join(name), bytes).unwrap();
    write("index.html", b"<!doctype html><title>Lindung</title>");
    write("sw.js", b"// service worker");
    write("sw.js.br", b"BROTLI sw");
    write("sw.js.gz", b"GZIP sw");
    write("lindung-0123456789abcdef_bg.wasm", b"\0asm");
    let db = Db::sqlite();
    let app_arg = app.path().to_str().unwrap().to_owned();
    let server = start_with(
        &db,
        &[
            "--app",
            &app_arg,
            "--allow-origin",
            "https://app.example.id",
        ],
    );
    let fetch = |path: &str, encoding: &str| {
        let response = ureq::get(&format!("{}{path}", server.base))
            .set("Accept-Encoding", encoding)
            .call()
            .unwrap();
        let headers = (
            response.header("content-encoding").unwrap_or("").to_owned(),
            response.header("cache-control").unwrap_or("").to_owned(),
        );
        (headers, response.into_string().unwrap())
    };
    let cases = [
        ("/sw.js", "br, gzip", "br", "no-cache", "BROTLI sw"),
        ("/sw.js", "gzip", "gzip", "no-cache", "GZIP sw"),
        ("/sw.js", "identity", "", "no-cache", "// service worker"),
        (
            "/",
            "identity",
            "",
            "no-cache",
            "<!doctype html><title>Lindung</title>",
        ),
        (
            "/lindung-0123456789abcdef_bg.wasm",
            "br",
            "",
            "public, max-age=31536000, immutable",
            "\0asm",
        ),
    ];
    for (path, accept, encoding, cache, body) in cases {
        let ((got_encoding, got_cache), got_body) = fetch(path, accept);
        assert_eq!(
            (got_encoding.as_str(), got_cache.as_str(), got_body.as_str()),
            (encoding, cache, body),
            "{path} {accept}"
        );
    }
    assert_eq!(get(&server, "/api/v1/status").status, 200);
    assert_eq!(get(&server, "/api/v1/nothing").status, 404);
    let cors = |origin: &str| {
        ureq::get(&format!("{}/api/v1/status", server.base))
            .set("Origin", origin)
            .call()
            .unwrap()
            .header("access-control-allow-origin")
            .map(str::to_owned)
    };
    assert_eq!(
        cors("https://app.example.id").as_deref(),
        Some("https://app.example.id")
    );
    assert_eq!(cors("https://evil.example"), None);
}

/// Two servers of one register (one district key), eight clients sending
/// the same bundles to both at once: each bundle stored once, every answer
/// a receipt, the same receipt for the same bundle from either server.
fn two_servers_store_each_bundle_once(db: Db) {
    let a = start(&db);
    let key = a._dir.path().join("district-key.json");
    let b = start_on(&db, tempfile::tempdir().unwrap(), &key, &[]);
    assert_eq!(a.district_kid, b.district_kid);
    let mut files = common::chain(1, 12);
    files.extend(common::chain(3, 6)); // an unknown device: pending
    let files = std::sync::Arc::new(files);
    let servers = std::sync::Arc::new([a.base.clone(), b.base.clone()]);
    let clients: Vec<_> = (0..8)
        .map(|client| {
            let (files, servers) = (files.clone(), servers.clone());
            std::thread::spawn(move || {
                let mut answers = Vec::new();
                for n in 0..files.len() {
                    let i = (n * 7 + client * 5) % files.len();
                    let base = &servers[(client + n) % 2];
                    let got = answer(
                        ureq::post(&format!("{base}/api/v1/bundles"))
                            .set("Content-Type", "application/jose+json")
                            .send_bytes(&files[i]),
                    );
                    answers.push((i, got.status, got.body));
                }
                answers
            })
        })
        .collect();
    let mut by_file: Vec<Vec<(u16, String)>> = vec![Vec::new(); files.len()];
    for client in clients {
        for (i, status, body) in client.join().unwrap() {
            by_file[i].push((status, body));
        }
    }
    for (i, answers) in by_file.iter().enumerate() {
        let statuses: Vec<u16> = answers.iter().map(|a| a.0).collect();
        let firsts = statuses.iter().filter(|s| **s == 201 || **s == 202).count();
        assert_eq!(firsts, 1, "bundle {i}: {statuses:?}");
        assert!(
            statuses.iter().all(|s| [200, 201, 202].contains(s)),
            "bundle {i}"
        );
        let first = &answers[0].1;
        assert!(
            answers.iter().all(|(_, body)| body == first),
            "bundle {i}: receipts differ"
        );
        let r: Receipt = signed(&a, first, RECEIPT_TYP);
        assert!(r.outcome.delivered());
    }
    let agents = district(&["agents", "list", "--db", &db.arg()]).stdout;
    let siti = format!("{}\tSiti\t-\tapproved\t12\t0\t-", kid(1));
    assert!(agents.contains(&siti), "{agents}");
    assert!(agents.contains("\tpending\t-\t6\t-"), "{agents}");
}

/// Funded slots across devices are the district's: with one slot, the
/// second device's worker is waitlisted whatever its phone said.
fn the_district_decides_funded_slots_across_devices(db: Db) {
    let server = start(&db);
    let arg = db.arg();
    common::add_agent(&arg, 3, "Budi");
    let mut pack: Value = serde_json::from_str(lindung_core::RulePack::default_json()).unwrap();
    pack["id"] = "one-slot".into();
    pack["funded_slots_per_village"]["value"] = 1.into();
    let pack_file = server._dir.path().join("pack.json");
    std::fs::write(&pack_file, pack.to_string()).unwrap();
    let published = district(&[
        "rules",
        "publish",
        "--db",
        &arg,
        pack_file.to_str().unwrap(),
    ]);
    assert_eq!(published.code, 0, "{}", published.stderr);
    let (a, _) = bundle(1, 1, None, &[up("ra", 1, "6107014502870001", V1)]);
    let (b, _) = bundle(3, 1, None, &[up("rb", 1, "6107014502870002", V1)]);
    assert_eq!(post(&server, &a).status, 201);
    assert_eq!(post(&server, &b).status, 201);
    let standing = |device: u8| -> Vec<String> {
        let got = get(&server, &format!("/api/v1/devices/{}", kid(device)));
        let state: DeviceState = signed(&server, &got.body, DEVICE_STATE_TYP);
        assert_eq!(state.rule_pack.id, "one-slot");
        state
            .standing
            .iter()
            .map(|s| {
                format!(
                    "{} {} {} {:?}",
                    s.village, s.record_id, s.status, s.position
                )
            })
            .collect()
    };
    assert_eq!(standing(1), [format!("{V1} ra funded None")]);
    assert_eq!(standing(3), [format!("{V1} rb waitlisted Some(1)")]);
}

/// The phone's connection drops after it sent a bundle, before it read the
/// answer: sending again is safe; the bundle is stored once and the retry
/// gets a receipt that says so.
fn a_dropped_connection_then_a_retry_stores_the_bundle_once(db: Db) {
    use std::io::Write;
    let server = start(&db);
    let (b1, h1) = bundle(1, 1, None, &[up("r1", 1, "6107014502870001", V1)]);
    let address = server.base.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    let head = format!(
        "POST /api/v1/bundles HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/jose+json\r\nContent-Length: {}\r\n\r\n",
        b1.len()
    );
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(&b1).unwrap();
    stream.flush().unwrap();
    drop(stream);
    // Whatever the server made of it, a retry is answered with a receipt.
    let mut answer = post(&server, &b1);
    for _ in 0..50 {
        if answer.status == 200 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
        answer = post(&server, &b1);
    }
    assert_eq!(answer.status, 200, "{}", answer.body);
    let r = receipt(&server, &answer);
    assert!(r.is_for(&kid(1), 1, &h1) && r.outcome.delivered(), "{r:?}");
    let agents = district(&["agents", "list", "--db", &db.arg()]).stdout;
    assert!(agents.contains("\tapproved\t1\t0\t-"), "{agents}");
}

#[test]
/// A client that sends its headers or its body too slowly (slowloris) is
/// cut off after the timeouts, with a receipt for the body that never
/// came; the others are served meanwhile.
fn slow_clients_are_cut_off_and_the_others_served() {
    use std::io::{Read, Write};
    let db = Db::sqlite();
    let server = start_with(&db, &["--header-timeout", "1", "--body-timeout", "1"]);
    let address = server.base.trim_start_matches("http://").to_owned();
    let connect = || {
        let stream = std::net::TcpStream::connect(&address).unwrap();
        // Far longer than the server's timeouts: a read that ends is the
        // server's doing.
        stream
            .set_read_timeout(Some(std::time::Duration::from_secs(30)))
            .unwrap();
        stream
    };
    // Headers that never end.
    let mut headers = connect();
    headers
        .write_all(b"POST /api/v1/bundles HTTP/1.1\r\nHost: x\r\nContent-Ty")
        .unwrap();
    // A body that stops half way.
    let mut body = connect();
    body.write_all(
        b"POST /api/v1/bundles HTTP/1.1\r\nHost: x\r\nContent-Type: application/jose+json\r\nContent-Length: 1000\r\n\r\n{\"payload\"",
    )
    .unwrap();
    // Meanwhile the server answers others.
    let status = get(&server, "/api/v1/status");
    assert_eq!(status.status, 200, "{}", status.body);

    let mut answer = String::new();
    body.read_to_string(&mut answer).unwrap();
    let (head, json) = answer.split_once("\r\n\r\n").expect("an HTTP answer");
    assert!(head.starts_with("HTTP/1.1 408"), "{head}");
    let problem: Value = serde_json::from_str(json).unwrap();
    assert_eq!(problem["code"], "server.body_timeout");
    let cut = Answer {
        status: 408,
        content_type: "application/problem+json".into(),
        body: json.to_owned(),
    };
    assert_eq!(receipt(&server, &cut).outcome.as_str(), "retry_later");

    // The headers' connection is closed without a request ever reaching
    // the API (hyper may first answer 408 itself).
    let mut rest = Vec::new();
    if let Err(e) = headers.read_to_end(&mut rest) {
        // A reset is a close too; a read that timed out is not.
        assert_eq!(e.kind(), std::io::ErrorKind::ConnectionReset, "{e}");
    }
    let rest = String::from_utf8_lossy(&rest);
    assert!(
        rest.is_empty() || rest.starts_with("HTTP/1.1 408"),
        "{rest}"
    );
    let log = district(&["agents", "list", "--db", &db.arg()]).stdout;
    assert!(log.contains("\tapproved\t-\t0\t-"), "nothing stored: {log}");
}

/// Uploads arriving together merge in one transaction; a bundle the
/// register fails on (a trigger stands for a damaged register) fails alone
/// with `server.register`, and every other upload of the moment merges.
#[test]
fn a_bundle_the_register_fails_on_fails_alone() {
    let db = Db::sqlite();
    let server = start(&db);
    let arg = db.arg();
    common::add_agent(&arg, 2, "Budi");
    db.sql(
        "CREATE TRIGGER boom BEFORE INSERT ON records WHEN NEW.record_id = 'd2s1'
         BEGIN SELECT RAISE(ABORT, 'damaged register'); END",
        "",
    );
    let mut files: Vec<(u8, Vec<u8>)> = Vec::new();
    for device in [1, 4, 5, 6] {
        files.extend(common::chain(device, 1).into_iter().map(|f| (device, f)));
    }
    for device in [4, 5, 6] {
        common::add_agent(&arg, device, &format!("Petugas {device}"));
    }
    files.insert(2, (2, common::chain(2, 1).remove(0)));
    let base = server.base.clone();
    let uploads: Vec<_> = files
        .into_iter()
        .map(|(device, file)| {
            let base = base.clone();
            std::thread::spawn(move || {
                let got = answer(
                    ureq::post(&format!("{base}/api/v1/bundles"))
                        .set("Content-Type", "application/jose+json")
                        .send_bytes(&file),
                );
                (device, got)
            })
        })
        .collect();
    for upload in uploads {
        let (device, got) = upload.join().unwrap();
        if device == 2 {
            assert_eq!((got.status, code_of(&got)), (503, "server.register".into()));
        } else {
            assert_eq!(got.status, 201, "device {device}: {}", got.body);
        }
    }
    let agents = district(&["agents", "list", "--db", &arg]).stdout;
    assert!(
        agents.contains(&format!("{}\tSiti\t-\tapproved\t1\t0\t-", kid(1))),
        "{agents}"
    );
    for device in [4, 5, 6] {
        let line = format!("{}\tPetugas {device}\t-\tapproved\t1\t0\t-", kid(device));
        assert!(agents.contains(&line), "{agents}");
    }
    assert!(
        agents.contains(&format!("{}\tBudi\t-\tapproved\t-\t0\t-", kid(2))),
        "{agents}"
    );
}

backend_tests!(
    a_dropped_connection_then_a_retry_stores_the_bundle_once,
    the_district_decides_funded_slots_across_devices,
    every_bundle_answer_carries_a_signed_receipt,
    stops_on_sigterm,
    two_servers_store_each_bundle_once
);
