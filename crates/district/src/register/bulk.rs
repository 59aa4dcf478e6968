//! SQLite's durability settings, and bulk runs: many transactions (one per
//! bundle) in WAL mode, built for throughput.
//!
//! - Commits append to the WAL without waiting for the disk (`synchronous =
//!   NORMAL`): each transaction is still atomic, and a crash of `district`
//!   loses nothing, but a power cut can undo the last transactions, each
//!   entirely, never in part. Running the same command again merges them
//!   (ingest is idempotent). A commit per bundle that waited for the disk
//!   made ingest take half again as long.
//! - A second connection, on its own thread, copies committed pages from the
//!   WAL into the file and syncs both (passive checkpoints, which never block
//!   the writer), so the writer only appends and what is on disk keeps up.
//! - At the end, back to `synchronous = FULL` and the rollback journal,
//!   which folds the rest of the WAL into the file, syncs it, and removes
//!   `-wal` and `-shm`: when the run ends, every commit is on disk. If
//!   another program has the register open, it stays in WAL until the next
//!   open (still synced).
//!
//! Where WAL is not possible, the run uses the rollback journal and every
//! commit is synced.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;

use rusqlite::{Connection, OpenFlags};

/// How long a connection waits for another process's write to finish
/// (SQLite's busy timeout) before it fails with "database is locked".
pub(crate) const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// Every commit is on disk before it returns (`synchronous = FULL`), and at
/// rest the register is one file: a rollback journal, deleted after each
/// transaction. Another process's write is waited for ([`BUSY_TIMEOUT`]);
/// while another process holds the register in WAL (a bulk run), it stays
/// in WAL, which with `synchronous = FULL` is as durable.
pub(crate) fn durable(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    let _ = journal_mode(conn, "DELETE");
    Ok(())
}

/// A server's connection: WAL (readers never wait for the writer, and a
/// commit syncs only the WAL) with `synchronous = FULL`, so every commit is
/// on disk before its receipt is signed. Where WAL is not possible, the
/// rollback journal stays, as durable.
pub(crate) fn serving(conn: &Connection) {
    let _ = conn.pragma_update(None, "synchronous", "FULL");
    let _ = journal_mode(conn, "WAL");
}

/// SQLite's default: a checkpoint when the WAL passes 1,000 pages.
const DEFAULT_AUTOCHECKPOINT: i64 = 1000;

/// Sets the journal mode; the mode SQLite is in afterwards (it stays in WAL
/// while another connection has the file open).
fn journal_mode(conn: &Connection, mode: &str) -> rusqlite::Result<String> {
    conn.pragma_update_and_check(None, "journal_mode", mode, |row| row.get(0))
}

/// A bulk run in progress: the checkpointing thread, if WAL was possible.
pub(crate) struct Bulk {
    stop: Arc<AtomicBool>,
    checkpointer: Option<JoinHandle<()>>,
}

impl Bulk {
    /// Switches `conn` (the register at `path`) to WAL for a bulk run.
    pub(crate) fn begin(conn: &Connection, path: Option<&Path>) -> Option<Bulk> {
        // Only speed depends on these: any real trouble shows in the work.
        let wal = journal_mode(conn, "WAL").is_ok_and(|mode| mode.eq_ignore_ascii_case("wal"));
        let stop = Arc::new(AtomicBool::new(false));
        let checkpointer = match path {
            Some(path) if wal => {
                let _ = conn.pragma_update(None, "wal_autocheckpoint", 0);
                let _ = conn.pragma_update(None, "synchronous", "NORMAL");
                let path = path.to_owned();
                let stop = Arc::clone(&stop);
                Some(std::thread::spawn(move || checkpoint_until(&path, &stop)))
            }
            _ => None,
        };
        Some(Bulk { stop, checkpointer })
    }

    /// Ends the run: every commit is on disk afterwards.
    pub(crate) fn end(bulk: Option<Bulk>, conn: &Connection) {
        if let Some(bulk) = bulk {
            bulk.stop.store(true, Ordering::Release);
            if let Some(thread) = bulk.checkpointer {
                let _ = thread.join();
                let _ = conn.pragma_update(None, "wal_autocheckpoint", DEFAULT_AUTOCHECKPOINT);
            }
        }
        // FULL first, so that the checkpoint syncs the WAL, then the file;
        // it folds in all it can. Busy (another reader): what is left stays
        // in the synced WAL, and the next open folds it in.
        let _ = conn.pragma_update(None, "synchronous", "FULL");
        let _ = conn.query_row("PRAGMA wal_checkpoint(FULL)", [], |_| Ok(()));
        let _ = journal_mode(conn, "DELETE");
    }
}

/// Passive checkpoints of the register at `path` on a connection of its own,
/// every few milliseconds, until `stop`. Checkpoints sync the file
/// (`synchronous = FULL`) before the WAL may be reused.
fn checkpoint_until(path: &Path, stop: &AtomicBool) {
    let Ok(conn) = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    ) else {
        return;
    };
    if conn.pragma_update(None, "synchronous", "FULL").is_err() {
        return;
    }
    while !stop.load(Ordering::Acquire) {
        // Busy: the next round tries again; the final switch back to the
        // rollback journal folds in whatever is left.
        let _ = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
}
