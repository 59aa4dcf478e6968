//! District ingest benchmark: 2,047 bundles × 100 made-up workers, one bundle
//! per village of Kalimantan Barat (province 61), ingested by the `district`
//! binary into a new register, next to the time serde_json takes merely to
//! parse the same bytes.
//!
//! Run by `cargo xtask bench`, or alone:
//! `cargo bench -p lindung-district --bench ingest`. The bench profile is the
//! release profile, and `district` is the binary built with it.
//!
//! What is measured:
//! - `parse`: for every file, already in memory: serde_json parses the JWS
//!   JSON (three borrowed strings), the payload is base64url-decoded (with
//!   the core's decoder, the one `verify_bundle` uses) and serde_json parses
//!   it into `BundlePayload`. Nothing else (no file reading, no checks).
//! - `verify`: the core's `verify_bundle` on the same bytes (parse, header,
//!   key id, ES256 signature, chain hash), for the breakdown; and
//!   `verify (ring)`: the same with the district's `ring` signature check,
//!   which `district ingest` uses.
//! - `ingest`: `district ingest --db NEW.db FILE...` from start to exit:
//!   reading the files, verifying, judging, the transactions, the final
//!   sync of everything to disk, the output. The register is made by
//!   `district init` and `agents add` for each device (not timed). Record
//!   ids are random UUIDs, as the app makes them.
//! - `report`: `district report --format csv` on the filled register, once.
//! - With `LINDUNG_BENCH_POSTGRES` (a server URL ending `/DATABASE`, as
//!   `cargo xtask bench ingest` sets it to a cluster with PostgreSQL's
//!   default durability), `ingest` and `report` again into a new PostgreSQL
//!   database per round (made from a template database with the devices
//!   added, not timed), in the same interleaved rounds.
//!
//! Parse, verify and ingest run in 3 interleaved rounds and the medians are
//! kept, so other work on the machine weighs on each alike.
//!
//! Village codes and names come from the npm package idn-area-data
//! (node_modules/, ODbL): the 2,046 desa of province 61 and its first
//! kelurahan. Without it, codes are made up from the core's district table
//! (and the output says so). Every person is made up: NIKs are valid for the
//! core (real district prefix, birth date, sex) but random. Devices: one per
//! kecamatan, exporting one bundle per village in code order, chained.
//!
//! Prints a summary and one line `lindung-bench {json}` for `cargo xtask bench`.

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::hint::black_box;
use std::path::Path;
use std::process::{Command, ExitCode};
use std::time::Instant;

use lindung_core::bundle::{
    b64url_decode, build_payload, sign_bundle, verify_bundle, BundleError, BundlePayload,
    BundleVillage, Limits, PackDigest, PayloadInput, SoftwareSigner, VerifiedBundle,
};
use lindung_core::date::days_in_month;
use lindung_core::{
    check, Agent, Date, RecordId, RegionTable, RegistrationInput, RulePack, Status, Timestamp,
    WorkerRecord,
};
use serde::Deserialize;
use serde_json::json;

const BUNDLES: usize = 2_047;
const RECORDS: usize = 100;
const FUNDED_SLOTS: u32 = 90;
/// Written next to the bundles; generated files with another stamp are redone.
const GENERATOR: &str = "lindung ingest bench, generator 2";
/// The day the records were "registered" (the core reads no clock).
const TODAY: (i32, u8, u8) = (2026, 11, 21);
/// 2026-10-01T00:00:00Z.
const FIRST_CREATED_MS: i64 = 1_790_812_800_000;

type Result<T> = std::result::Result<T, String>;

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("ingest bench: {error}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<()> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let out = root.join("target/bench/ingest");
    let bundles_dir = out.join("bundles");
    let (villages, source) = villages(&root)?;
    println!(
        "ingest bench: {} villages of province 61 ({source})",
        villages.len()
    );

    let start = Instant::now();
    let Generated {
        files,
        devices,
        fresh,
    } = bundles(&villages, &source, &bundles_dir)?;
    println!(
        "ingest bench: {} bundles × {RECORDS} records from {} devices {} in {:.1}s",
        files.len(),
        devices.len(),
        if fresh { "generated" } else { "reused" },
        start.elapsed().as_secs_f64()
    );

    let data = files
        .iter()
        .map(|f| fs::read(bundles_dir.join(f)).map_err(|e| format!("cannot read {f}: {e}")))
        .collect::<Result<Vec<_>>>()?;
    let bytes: usize = data.iter().map(Vec::len).sum();

    println!(
        "ingest bench: {} bundles, {} records, {:.1} MB of files",
        files.len(),
        files.len() * RECORDS,
        bytes as f64 / 1e6,
    );
    // Rounds interleaved, medians kept: other work on the machine then
    // weighs on each measurement alike.
    let template = template_register(&out, &devices)?;
    let postgres = match std::env::var("LINDUNG_BENCH_POSTGRES") {
        Ok(base) if !base.is_empty() => Some(Postgres::new(&base, &devices)?),
        _ => None,
    };
    let (mut parse, mut verify, mut ingested) = (Vec::new(), Vec::new(), Vec::new());
    let mut verify_ring = Vec::new();
    let mut pg_ingested = Vec::new();
    let mut pg_bytes = 0;
    let mut register_bytes = 0;
    for round in 1..=ROUNDS {
        parse.push(time_ms(|| parse_all(&data))?);
        verify.push(time_ms(|| {
            verify_all(&data, |bytes| verify_bundle(bytes, Limits::DEFAULT))
        })?);
        verify_ring.push(time_ms(|| {
            verify_all(&data, lindung_district::es256::verify)
        })?);
        let (ms, size) = ingest(&out, &template, &bundles_dir, &files)?;
        ingested.push(ms);
        register_bytes = size;
        let pg = match &postgres {
            Some(pg) => {
                let (ms, size) = pg.ingest(&bundles_dir, &files)?;
                pg_ingested.push(ms);
                pg_bytes = size;
                format!(", ingest (PostgreSQL) {ms:.0} ms")
            }
            None => String::new(),
        };
        println!(
            "ingest bench: round {round}: parse {:.0} ms, verify {:.0} ms, verify (ring) {:.0} ms, \
             ingest {ms:.0} ms{pg}",
            parse[round - 1],
            verify[round - 1],
            verify_ring[round - 1]
        );
    }
    let (parse_ms, verify_ms, ingest_ms) = (median(parse), median(verify), median(ingested));
    let verify_ring_ms = median(verify_ring);
    let ratio = ingest_ms / parse_ms;
    println!("ingest bench: parse: serde_json envelope + base64url + payload: {parse_ms:.0} ms");
    println!("ingest bench: verify_bundle (parse, ES256, chain hash): {verify_ms:.0} ms");
    println!("ingest bench: the same with the district's ring ES256: {verify_ring_ms:.0} ms");
    println!(
        "ingest bench: district ingest: {ingest_ms:.0} ms = {ratio:.2} × parse; register {:.1} MB",
        register_bytes as f64 / 1e6
    );
    let report_ms = report(&out.join("register.db").display().to_string())?;
    println!("ingest bench: district report --format csv: {report_ms:.0} ms");
    let mut pg_figures = serde_json::Map::new();
    let pg_ingest_all = pg_ingested.clone();
    if let Some(pg) = &postgres {
        let pg_ingest_ms = median(pg_ingested);
        let pg_report_ms = report(&pg.round_url())?;
        println!(
            "ingest bench: district ingest (PostgreSQL): {pg_ingest_ms:.0} ms = {:.2} × parse; \
             database {:.1} MB",
            pg_ingest_ms / parse_ms,
            pg_bytes as f64 / 1e6
        );
        println!("ingest bench: district report --format csv (PostgreSQL): {pg_report_ms:.0} ms");
        pg_figures.insert("pg_ingest_ms".into(), pg_ingest_ms.into());
        pg_figures.insert("pg_report_ms".into(), pg_report_ms.into());
        pg_figures.insert("pg_register_bytes".into(), pg_bytes.into());
    }
    // Uploads through `district serve`, after the rounds (a run each).
    let upload_sqlite = {
        let db = out.join("upload.db");
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let _ = fs::remove_file(out.join(format!("upload.db{suffix}")));
        }
        fs::copy(&template, &db).map_err(|e| format!("cannot copy the register: {e}"))?;
        upload(&out, &db.display().to_string(), &data)?
    };
    upload_sqlite.print("SQLite", files.len(), ingest_ms);
    let mut upload_figures = upload_sqlite.figures("upload");
    if let Some(pg) = &postgres {
        pg.fresh_round()?;
        let upload_pg = upload(&out, &pg.round_url(), &data)?;
        upload_pg.print(
            "PostgreSQL",
            files.len(),
            median_or(&pg_ingest_all, ingest_ms),
        );
        upload_figures.extend(upload_pg.figures("pg_upload"));
        pg.drop_databases()?;
    }
    // LINDUNG_BENCH_KEEP=1 keeps the registers, to profile `district ingest`
    // on them by hand.
    let keep = std::env::var_os("LINDUNG_BENCH_KEEP").is_some();
    for name in [
        "register.db",
        "register.db-wal",
        "register.db-shm",
        "template.db",
        "upload.db",
        "upload-key.json",
    ] {
        if keep {
            break;
        }
        let _ = fs::remove_file(out.join(name));
    }
    let mut line = json!({
        "bundles": files.len(),
        "records": files.len() * RECORDS,
        "bytes": bytes,
        "register_bytes": register_bytes,
        "parse_ms": parse_ms,
        "verify_ms": verify_ms,
        "verify_ring_ms": verify_ring_ms,
        "ingest_ms": ingest_ms,
        "report_ms": report_ms,
        "villages_source": source,
    });
    line.as_object_mut().expect("an object").extend(pg_figures);
    line.as_object_mut()
        .expect("an object")
        .extend(upload_figures);
    println!("lindung-bench {line}");
    Ok(())
}

// ---------------------------------------------------------------------------
// Measurements

/// Interleaved rounds of parse, verify and ingest.
const ROUNDS: usize = 3;

fn time_ms(work: impl FnOnce() -> Result<()>) -> Result<f64> {
    let start = Instant::now();
    work()?;
    Ok(start.elapsed().as_secs_f64() * 1000.0)
}

fn median(mut times: Vec<f64>) -> f64 {
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

/// The JWS members, borrowed from the file's bytes.
#[derive(Deserialize)]
struct Envelope<'a> {
    #[allow(dead_code)] // parsed, as a verifier must
    protected: &'a str,
    payload: &'a str,
    #[allow(dead_code)]
    signature: &'a str,
}

fn parse_all(data: &[Vec<u8>]) -> Result<()> {
    for bytes in data {
        let envelope: Envelope =
            serde_json::from_slice(bytes).map_err(|e| format!("envelope: {e}"))?;
        let payload = b64url_decode(envelope.payload).ok_or("payload base64")?;
        let payload: BundlePayload =
            serde_json::from_slice(&payload).map_err(|e| format!("payload: {e}"))?;
        black_box(&payload);
    }
    Ok(())
}

/// `verify` on every file, which must all pass.
fn verify_all(
    data: &[Vec<u8>],
    verify: impl Fn(&[u8]) -> std::result::Result<VerifiedBundle, BundleError>,
) -> Result<()> {
    for bytes in data {
        let bundle = verify(bytes).map_err(|e| e.to_string())?;
        black_box(&bundle);
    }
    Ok(())
}

fn district() -> Command {
    Command::new(env!("CARGO_BIN_EXE_district"))
}

/// Runs `command`, its stdout as text; an error unless it succeeds.
fn output(command: &mut Command) -> Result<String> {
    let output = command
        .output()
        .map_err(|e| format!("cannot run district: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "district failed ({}): {}{}",
            output.status,
            String::from_utf8_lossy(&output.stdout)
                .lines()
                .filter(|l| l.starts_with("FAIL"))
                .take(3)
                .collect::<Vec<_>>()
                .join("\n"),
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    String::from_utf8(output.stdout).map_err(|_| "district printed non-UTF-8".to_owned())
}

/// A new register with every device added (as the office does before
/// ingesting), copied for each round.
fn template_register(out: &Path, devices: &[Device]) -> Result<std::path::PathBuf> {
    let db = out.join("template.db");
    let _ = fs::remove_file(&db);
    output(district().arg("init").arg("--db").arg(&db))?;
    for device in devices {
        output(district().args(["agents", "add", "--db"]).arg(&db).args([
            "--kid",
            &device.kid,
            "--name",
            &device.name,
        ]))?;
    }
    Ok(db)
}

/// `district ingest` of every file into a copy of `template`: (ms, register size).
fn ingest(out: &Path, template: &Path, dir: &Path, files: &[String]) -> Result<(f64, u64)> {
    let db = out.join("register.db");
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let _ = fs::remove_file(out.join(format!("register.db{suffix}")));
    }
    fs::copy(template, &db).map_err(|e| format!("cannot copy the register: {e}"))?;
    let start = Instant::now();
    let stdout = output(
        district()
            .arg("ingest")
            .arg("--db")
            .arg(&db)
            .args(files)
            .current_dir(dir),
    )?;
    let ms = start.elapsed().as_secs_f64() * 1000.0;
    let merged = stdout.lines().filter(|l| l.starts_with("merged ")).count();
    if merged != files.len() {
        return Err(format!(
            "district ingest merged {merged} of {} bundles",
            files.len()
        ));
    }
    let size = fs::metadata(&db).map(|m| m.len()).unwrap_or(0);
    Ok((ms, size))
}

/// The `district ingest` of every file into a new PostgreSQL database per
/// round, made from a template database with the devices added.
struct Postgres {
    /// The server's URL up to `/`, and the maintenance database to connect to.
    server: String,
    base: String,
}

const PG_TEMPLATE: &str = "lindung_bench_template";
const PG_ROUND: &str = "lindung_bench_round";

impl Postgres {
    fn new(base: &str, devices: &[Device]) -> Result<Postgres> {
        let (server, _) = base
            .rsplit_once('/')
            .ok_or("LINDUNG_BENCH_POSTGRES is a URL ending /DATABASE")?;
        let pg = Postgres {
            server: server.to_owned(),
            base: base.to_owned(),
        };
        pg.sql(&format!("DROP DATABASE IF EXISTS {PG_ROUND} WITH (FORCE)"))?;
        pg.sql(&format!(
            "DROP DATABASE IF EXISTS {PG_TEMPLATE} WITH (FORCE)"
        ))?;
        pg.sql(&format!("CREATE DATABASE {PG_TEMPLATE}"))?;
        let url = format!("{}/{PG_TEMPLATE}", pg.server);
        // The key in the bench's own directory, not the current one.
        let key =
            std::env::temp_dir().join(format!("lindung-bench-key-{}.json", std::process::id()));
        let _ = fs::remove_file(&key);
        output(district().args(["init", "--db", &url, "--key"]).arg(&key))?;
        let _ = fs::remove_file(&key);
        for device in devices {
            output(district().args([
                "agents",
                "add",
                "--db",
                &url,
                "--kid",
                &device.kid,
                "--name",
                &device.name,
            ]))?;
        }
        Ok(pg)
    }

    fn sql(&self, statement: &str) -> Result<()> {
        let mut client = postgres::Client::connect(&self.base, postgres::NoTls)
            .map_err(|e| format!("cannot connect to LINDUNG_BENCH_POSTGRES: {e}"))?;
        client
            .batch_execute(statement)
            .map_err(|e| format!("{statement}: {e}"))
    }

    fn round_url(&self) -> String {
        format!("{}/{PG_ROUND}", self.server)
    }

    /// (ms, database size in bytes).
    fn ingest(&self, dir: &Path, files: &[String]) -> Result<(f64, u64)> {
        self.sql(&format!("DROP DATABASE IF EXISTS {PG_ROUND} WITH (FORCE)"))?;
        self.sql(&format!(
            "CREATE DATABASE {PG_ROUND} TEMPLATE {PG_TEMPLATE}"
        ))?;
        let start = Instant::now();
        let stdout = output(
            district()
                .args(["ingest", "--db", &self.round_url()])
                .args(files)
                .current_dir(dir),
        )?;
        let ms = start.elapsed().as_secs_f64() * 1000.0;
        let merged = stdout.lines().filter(|l| l.starts_with("merged ")).count();
        if merged != files.len() {
            return Err(format!(
                "district ingest (PostgreSQL) merged {merged} of {} bundles",
                files.len()
            ));
        }
        let mut client = postgres::Client::connect(&self.base, postgres::NoTls)
            .map_err(|e| format!("cannot connect to LINDUNG_BENCH_POSTGRES: {e}"))?;
        let size: i64 = client
            .query_one(&format!("SELECT pg_database_size('{PG_ROUND}')"), &[])
            .and_then(|row| row.try_get(0))
            .map_err(|e| format!("database size: {e}"))?;
        Ok((ms, u64::try_from(size).unwrap_or(0)))
    }

    /// A new round database from the template, as `ingest` makes one.
    fn fresh_round(&self) -> Result<()> {
        self.sql(&format!("DROP DATABASE IF EXISTS {PG_ROUND} WITH (FORCE)"))?;
        self.sql(&format!(
            "CREATE DATABASE {PG_ROUND} TEMPLATE {PG_TEMPLATE}"
        ))
    }

    fn drop_databases(&self) -> Result<()> {
        self.sql(&format!("DROP DATABASE IF EXISTS {PG_ROUND} WITH (FORCE)"))?;
        self.sql(&format!(
            "DROP DATABASE IF EXISTS {PG_TEMPLATE} WITH (FORCE)"
        ))
    }
}

/// The median of `times`, or `otherwise` when there are none.
fn median_or(times: &[f64], otherwise: f64) -> f64 {
    if times.is_empty() {
        otherwise
    } else {
        median(times.to_vec())
    }
}

/// How many clients upload at once.
const CLIENTS: usize = 50;

/// One run of uploads through `district serve`.
struct Upload {
    ms: f64,
    p50_ms: f64,
    p95_ms: f64,
    /// The server's peak resident memory (VmHWM), if the system tells.
    peak_bytes: Option<u64>,
}

impl Upload {
    fn print(&self, backend: &str, bundles: usize, cli_ms: f64) {
        let rate = bundles as f64 / (self.ms / 1000.0);
        let cli = bundles as f64 / (cli_ms / 1000.0);
        println!(
            "ingest bench: district serve ({backend}), {CLIENTS} clients: {:.0} ms, {rate:.0} bundles/s \
             (ingest: {cli:.0}/s, {:.2}×), latency p50 {:.0} ms p95 {:.0} ms, peak memory {}",
            self.ms,
            rate / cli,
            self.p50_ms,
            self.p95_ms,
            self.peak_bytes
                .map_or("unknown".to_owned(), |b| format!("{:.0} MB", b as f64 / 1e6))
        );
    }

    fn figures(&self, prefix: &str) -> serde_json::Map<String, serde_json::Value> {
        let mut map = serde_json::Map::new();
        map.insert(format!("{prefix}_ms"), self.ms.into());
        map.insert(format!("{prefix}_p50_ms"), self.p50_ms.into());
        map.insert(format!("{prefix}_p95_ms"), self.p95_ms.into());
        if let Some(peak) = self.peak_bytes {
            map.insert(format!("{prefix}_peak_bytes"), peak.into());
        }
        map
    }
}

/// Every bundle POSTed once to a `district serve` of the register `db` (its
/// devices added), by [`CLIENTS`] clients at once; each must be merged
/// (201): nothing lost, nothing twice.
fn upload(out: &Path, db: &str, data: &[Vec<u8>]) -> Result<Upload> {
    use std::io::{BufRead, BufReader};
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    let key = out.join("upload-key.json");
    let _ = fs::remove_file(&key);
    let key = key.display().to_string();
    output(district().args(["init", "--db", db, "--key", &key]))?;
    let mut server = district()
        .args([
            "serve",
            "--db",
            db,
            "--key",
            &key,
            "--listen",
            "127.0.0.1:0",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start district serve: {e}"))?;
    let mut line = String::new();
    BufReader::new(server.stdout.take().ok_or("no stdout")?)
        .read_line(&mut line)
        .map_err(|e| e.to_string())?;
    let base = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .ok_or_else(|| format!("district serve printed {line:?}"))?
        .to_owned();
    let url = format!("{base}/api/v1/bundles");
    let data = Arc::new(data.to_vec());
    let next = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let clients: Vec<_> = (0..CLIENTS)
        .map(|_| {
            let (data, next, url) = (Arc::clone(&data), Arc::clone(&next), url.clone());
            std::thread::spawn(move || {
                let agent = ureq::AgentBuilder::new().build();
                let mut seen = Vec::new();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(bytes) = data.get(i) else { break };
                    let sent = Instant::now();
                    let status = match agent
                        .post(&url)
                        .set("Content-Type", "application/jose+json")
                        .send_bytes(bytes)
                    {
                        Ok(response) => response.status(),
                        Err(ureq::Error::Status(code, _)) => code,
                        Err(_) => 0,
                    };
                    seen.push((status, sent.elapsed().as_secs_f64() * 1000.0));
                }
                seen
            })
        })
        .collect();
    let mut answers = Vec::new();
    for client in clients {
        answers.extend(client.join().map_err(|_| "a client panicked")?);
    }
    let ms = start.elapsed().as_secs_f64() * 1000.0;
    let peak_bytes = fs::read_to_string(format!("/proc/{}/status", server.id()))
        .ok()
        .and_then(|status| {
            status.lines().find_map(|l| {
                let kb = l.strip_prefix("VmHWM:")?.trim().strip_suffix("kB")?.trim();
                kb.parse::<u64>().ok().map(|kb| kb * 1024)
            })
        });
    let _ = Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status();
    let _ = server.wait();
    let merged = answers.iter().filter(|(status, _)| *status == 201).count();
    if merged != data.len() || answers.len() != data.len() {
        let mut by_status: BTreeMap<u16, usize> = BTreeMap::new();
        for (status, _) in &answers {
            *by_status.entry(*status).or_default() += 1;
        }
        return Err(format!(
            "district serve merged {merged} of {} bundles: {by_status:?}",
            data.len()
        ));
    }
    let mut latencies: Vec<f64> = answers.iter().map(|(_, ms)| *ms).collect();
    latencies.sort_by(f64::total_cmp);
    let at = |q: f64| latencies[((latencies.len() - 1) as f64 * q).round() as usize];
    Ok(Upload {
        ms,
        p50_ms: at(0.5),
        p95_ms: at(0.95),
        peak_bytes,
    })
}

/// `district report --format csv --db DB`, timed.
fn report(db: &str) -> Result<f64> {
    let start = Instant::now();
    let csv = output(district().args([
        "report", "--format", "csv", "--month", "2027-05", "--db", db,
    ]))?;
    let ms = start.elapsed().as_secs_f64() * 1000.0;
    let villages = csv.lines().filter(|l| l.starts_with("village,")).count();
    if villages != BUNDLES {
        return Err(format!("the report has {villages} villages, not {BUNDLES}"));
    }
    Ok(ms)
}

// ---------------------------------------------------------------------------
// Villages

/// (code `PP.KK.CC.XXXX`, name) of the bench's villages, and where they come from.
fn villages(root: &Path) -> Result<(Vec<(String, String)>, String)> {
    let csv = root.join("node_modules/idn-area-data/data/villages.csv");
    match fs::read_to_string(&csv) {
        Ok(text) => {
            // code,district_code,name; names may be quoted.
            let mut rows: Vec<(String, String)> = text
                .lines()
                .skip(1)
                .filter(|line| line.starts_with("61."))
                .filter_map(|line| {
                    let mut fields = line.splitn(3, ',');
                    let code = fields.next()?.to_owned();
                    let name = fields
                        .nth(1)?
                        .trim()
                        .trim_matches('"')
                        .replace("\"\"", "\"");
                    Some((code, name))
                })
                .collect();
            // Desa (2xxx, 3xxx) first, then kelurahan (1xxx), each in code order.
            rows.sort_by_key(|(code, _)| (code.as_bytes().get(9) == Some(&b'1'), code.clone()));
            if rows.len() < BUNDLES {
                return Err(format!(
                    "{} has only {} villages of province 61",
                    csv.display(),
                    rows.len()
                ));
            }
            let total = rows.len();
            rows.truncate(BUNDLES);
            let kelurahan = rows
                .iter()
                .filter(|(code, _)| code.as_bytes().get(9) == Some(&b'1'))
                .count();
            rows.sort();
            let source = format!(
                "idn-area-data: {} desa and {kelurahan} kelurahan of its {total} villages",
                BUNDLES - kelurahan
            );
            Ok((rows, source))
        }
        Err(_) => Ok((
            made_up_villages(),
            "made-up codes in real districts (idn-area-data is not in node_modules/)".to_owned(),
        )),
    }
}

/// Codes `61.KK.CC.2NNN` spread over the real districts of province 61.
fn made_up_villages() -> Vec<(String, String)> {
    let table = RegionTable::kemendagri();
    let districts: Vec<String> = table
        .regencies_of("61")
        .flat_map(|(regency, _)| {
            (1..=99)
                .map(move |cc| format!("{regency}{cc:02}"))
                .filter(|d| table.has_district(d))
        })
        .collect();
    let mut villages: Vec<(String, String)> = (0..BUNDLES)
        .map(|i| {
            let d = &districts[i % districts.len()];
            let n = 2001 + i / districts.len();
            (
                format!("{}.{}.{}.{n}", &d[0..2], &d[2..4], &d[4..6]),
                format!("Desa Uji {}", i + 1),
            )
        })
        .collect();
    villages.sort();
    villages
}

// ---------------------------------------------------------------------------
// Bundles

/// A device key the office adds before ingesting.
struct Device {
    kid: String,
    name: String,
}

struct Generated {
    /// Bundle file names in `dir`, in ingest order.
    files: Vec<String>,
    devices: Vec<Device>,
    /// Generated now, or reused from a previous run with the same stamp.
    fresh: bool,
}

/// The bundles of `villages` in `dir`.
fn bundles(villages: &[(String, String)], source: &str, dir: &Path) -> Result<Generated> {
    let stamp_path = dir.join("STAMP");
    let stamp = format!("{GENERATOR}\n{source}\n{}\n", villages.len());
    let list_path = dir.join("FILES");
    let devices_path = dir.join("DEVICES");
    if fs::read_to_string(&stamp_path).is_ok_and(|s| s == stamp) {
        if let (Ok(list), Ok(devices)) = (
            fs::read_to_string(&list_path),
            fs::read_to_string(&devices_path),
        ) {
            let files: Vec<String> = list.lines().map(str::to_owned).collect();
            let devices: Vec<Device> = devices
                .lines()
                .filter_map(|line| line.split_once('\t'))
                .map(|(kid, name)| Device {
                    kid: kid.to_owned(),
                    name: name.to_owned(),
                })
                .collect();
            if files.len() == villages.len() && files.iter().all(|f| dir.join(f).is_file()) {
                return Ok(Generated {
                    files,
                    devices,
                    fresh: false,
                });
            }
        }
    }
    let _ = fs::remove_dir_all(dir);
    fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let pack = RulePack::default_pack();
    let digest = PackDigest::new(
        &pack,
        include_bytes!("../../../rules/default.json").as_slice(),
    );
    let today = Date::new(TODAY.0, TODAY.1, TODAY.2).expect("a real date");
    // One device per kecamatan (PP.KK.CC), its villages in code order.
    let mut by_district: BTreeMap<&str, Vec<&(String, String)>> = BTreeMap::new();
    for village in villages {
        by_district
            .entry(&village.0[..8])
            .or_default()
            .push(village);
    }
    let mut serials: HashMap<String, u16> = HashMap::new();
    let mut files = Vec::new();
    let mut devices = Vec::new();
    for (index, (district, villages)) in by_district.into_iter().enumerate() {
        let mut secret = [0x5a_u8; 32];
        secret[0] = 1;
        secret[30..].copy_from_slice(&(index as u16).to_be_bytes());
        let signer =
            SoftwareSigner::from_secret(&secret).ok_or("a device secret is not a P-256 key")?;
        let kid = lindung_core::bundle::Signer::public_jwk(&signer).thumbprint();
        let agent = Agent {
            id: format!("PRS-{}", district.replace('.', "")),
            name: format!("Petugas Uji {district}"),
        };
        devices.push(Device {
            kid: kid.clone(),
            name: agent.name.clone(),
        });
        let mut previous: Option<String> = None;
        for (sequence, (code, name)) in (1_u64..).zip(villages) {
            let mut random = Random(seed(code));
            let mut records = Vec::with_capacity(RECORDS);
            let (mut funded, mut waiting) = (0, 0);
            for n in 1..=RECORDS {
                let input = person(&mut random, code, &mut serials);
                let verdict = check(&input, &pack, today);
                let registration = verdict.registration.ok_or_else(|| {
                    let codes: Vec<&str> = verdict.issues.iter().map(|i| i.code()).collect();
                    format!("the core refused a made-up person: {}", codes.join(", "))
                })?;
                let status = if !registration.uses_funded_slots {
                    Status::Apparatus
                } else if funded < FUNDED_SLOTS {
                    funded += 1;
                    Status::Funded
                } else {
                    waiting += 1;
                    Status::Waitlisted { position: waiting }
                };
                // Random UUIDs, as the app's `crypto.randomUUID()`: records of
                // one bundle land all over the register's record-id index.
                let id = RecordId::new(random.uuid()).ok_or("a bad record id")?;
                let at = Timestamp::from_millis(
                    FIRST_CREATED_MS + (files.len() * RECORDS + n) as i64 * 60_000,
                );
                let record =
                    WorkerRecord::create(id, code, n as u64, registration, agent.clone(), at);
                records.push((record, Some(status)));
            }
            let village = BundleVillage {
                code: code.clone(),
                name: name.clone(),
                funded_slots: FUNDED_SLOTS,
            };
            let payload = build_payload(PayloadInput {
                bundle_id: &format!("{district}-{sequence}"),
                device_kid: &kid,
                agent: &agent,
                sequence,
                previous: previous.as_deref(),
                created_at: Timestamp::from_millis(FIRST_CREATED_MS + 40 * 86_400_000),
                rule_pack: &digest,
                villages: &[village],
                records: &records,
            })
            .map_err(|e| format!("cannot build a payload: {e:?}"))?;
            let signed =
                sign_bundle(&payload, &signer).map_err(|e| format!("cannot sign: {e:?}"))?;
            let file = format!("{}-{sequence:03}.json", district.replace('.', ""));
            fs::write(dir.join(&file), signed.jws.as_bytes())
                .map_err(|e| format!("cannot write {file}: {e}"))?;
            files.push(file);
            previous = Some(signed.signing_input_hash);
        }
    }
    let device_lines: Vec<String> = devices
        .iter()
        .map(|d| format!("{}\t{}", d.kid, d.name))
        .collect();
    fs::write(&devices_path, device_lines.join("\n") + "\n").map_err(|e| e.to_string())?;
    fs::write(&list_path, files.join("\n") + "\n").map_err(|e| e.to_string())?;
    fs::write(&stamp_path, stamp).map_err(|e| e.to_string())?;
    Ok(Generated {
        files,
        devices,
        fresh: true,
    })
}

/// SplitMix64: small, fast, and the same numbers on every machine.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// A version 4 UUID, as `crypto.randomUUID()` writes it.
    fn uuid(&mut self) -> String {
        let (high, low) = (self.next(), self.next());
        let high = (high & !0xf000) | 0x4000;
        let low = (low & !(0xc << 60)) | (0x8 << 60);
        format!(
            "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
            high >> 32,
            (high >> 16) & 0xffff,
            high & 0xffff,
            low >> 48,
            low & 0xffff_ffff_ffff
        )
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

/// Each village's people depend on its code only.
fn seed(code: &str) -> u64 {
    code.bytes()
        .fold(0x1d0b_6c41_u64, |h, b| h.rotate_left(7) ^ u64::from(b))
}

const WOMEN: [&str; 12] = [
    "Siti", "Nur", "Sri", "Dewi", "Rina", "Yuni", "Maria", "Agnes", "Yohana", "Mei", "Lina",
    "Ratna",
];
const MEN: [&str; 12] = [
    "Ahmad", "Budi", "Joko", "Agus", "Yohanes", "Andreas", "Petrus", "Markus", "Abdul", "Yusuf",
    "Apui", "Stefanus",
];
const SECOND: [&str; 12] = [
    "Aminah",
    "Santoso",
    "Hidayat",
    "Saputra",
    "Wijaya",
    "Lestari",
    "Pratama",
    "Handayani",
    "Siregar",
    "Lim",
    "Tan",
    "Kusuma",
];
/// Categories of the default pack, with a weight (out of 100) each.
const CATEGORIES: [(&str, &str, u64); 8] = [
    ("BPU", "petani", 40),
    ("BPU", "nelayan", 15),
    ("BPU", "buruh", 15),
    ("BPU", "umkm", 12),
    ("BPU", "lainnya", 8),
    ("PU", "perangkat_desa", 5),
    ("PU", "rt_rw", 3),
    ("PU", "kader", 2),
];

/// A made-up person whose NIK was first issued in the village's district.
fn person(
    random: &mut Random,
    village: &str,
    serials: &mut HashMap<String, u16>,
) -> RegistrationInput {
    let district: String = village[..8].replace('.', "");
    loop {
        let female = random.below(2) == 0;
        let year = 1962 + random.below(46) as i32; // 18 to 64 years old
        let month = 1 + random.below(12) as u8;
        let day = 1 + random.below(u64::from(days_in_month(year, month))) as u8;
        let nik_day = if female { day + 40 } else { day };
        let prefix = format!(
            "{district}{nik_day:02}{month:02}{:02}",
            year.rem_euclid(100)
        );
        let serial = serials.entry(prefix.clone()).or_insert(0);
        if *serial == 9999 {
            continue;
        }
        *serial += 1;
        let first = if female {
            random.pick(&WOMEN)
        } else {
            random.pick(&MEN)
        };
        let mut weight = random.below(100);
        let (segment, category) = CATEGORIES
            .iter()
            .find(|(_, _, w)| {
                let hit = weight < *w;
                weight = weight.saturating_sub(*w);
                hit
            })
            .map(|(s, c, _)| (*s, *c))
            .expect("the weights add up to 100");
        return RegistrationInput {
            nik: format!("{prefix}{serial:04}"),
            name: format!("{first} {}", random.pick(&SECOND)),
            birth_date: format!("{year:04}-{month:02}-{day:02}"),
            sex: if female { "F" } else { "M" }.into(),
            segment: segment.into(),
            category: category.into(),
            funding_source: String::new(),
            with_jht: random.below(10) == 0,
        };
    }
}
