//! `district serve`: the app's static files and the intake API
//! (`docs/sync-protocol.md`) in one process.
//!
//! - Connections are served by hyper's HTTP/1 with a header read timeout
//!   (slowloris), at most [`Config::max_connections`] at once; each request
//!   body is read within [`Config::body_timeout`] and
//!   [`Config::max_bundle_bytes`].
//! - Register work runs on blocking threads, on a small pool of register
//!   connections ([`pool`]); uploads that arrive while the register is busy
//!   merge together, one commit for many ([`merger`]); the rule pack is read again every few seconds,
//!   so a `rules publish` by another process is seen. The server keeps no
//!   state that another server on the same PostgreSQL register would need:
//!   every answer is made from the register and the district key.
//! - Every answer to a bundle carries a receipt signed by the district key
//!   ([`api`]); a receipt is made from what the register stored, so the same
//!   bundle always gets the same receipt, byte for byte.
//! - Limits: a per-kid rate and a global cap on bundles in flight
//!   ([`limit`]); never by client address (phones share carrier NAT).
//! - On SIGINT or SIGTERM the server stops accepting, lets requests in
//!   flight finish (merges commit or roll back whole), then exits.
//! - One log line per request on stderr: method, path, status,
//!   milliseconds, and for bundles kid, sequence and outcome; never a NIK or
//!   a name (bodies are never logged).

pub mod api;
pub mod app;
pub mod limit;
pub mod merger;
pub mod pool;

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;

use crate::key::DistrictKey;
use crate::register::Location;

/// How `district serve` runs.
#[derive(Clone, Debug)]
pub struct Config {
    pub listen: SocketAddr,
    /// The built app (`dist/`), served at `/`, if given.
    pub app: Option<PathBuf>,
    /// Origins (`https://app.example`) whose pages may call the API (CORS).
    pub allowed_origins: Vec<String>,
    /// The largest bundle taken, in bytes.
    pub max_bundle_bytes: usize,
    /// Bundles a device may send per minute (a burst of as many).
    pub per_device_per_minute: u32,
    /// Bundles being received or merged at once, over all devices.
    pub max_in_flight: usize,
    pub max_connections: usize,
    pub header_timeout: Duration,
    pub body_timeout: Duration,
    /// How long requests in flight may take to finish at shutdown.
    pub shutdown_grace: Duration,
    /// Register connections (SQLite: 2; PostgreSQL: more).
    pub connections: usize,
}

impl Config {
    pub fn new(listen: SocketAddr) -> Config {
        Config {
            listen,
            app: None,
            allowed_origins: Vec::new(),
            max_bundle_bytes: 16 * 1024 * 1024,
            per_device_per_minute: 120,
            max_in_flight: 64,
            max_connections: 1024,
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(60),
            shutdown_grace: Duration::from_secs(30),
            connections: 4,
        }
    }
}

/// Binds `config.listen`; the address it got (port 0 picks a free one).
pub async fn bind(config: &Config) -> std::io::Result<(TcpListener, SocketAddr)> {
    let listener = TcpListener::bind(config.listen).await?;
    let address = listener.local_addr()?;
    Ok((listener, address))
}

/// Serves on `listener` until `shutdown` completes, then drains.
pub async fn serve(
    listener: TcpListener,
    location: Location,
    key: DistrictKey,
    config: Config,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let connections = if matches!(location, Location::Sqlite(_)) {
        config.connections.min(2)
    } else {
        config.connections
    };
    let pool = Arc::new(pool::Pool::new(location, connections));
    let state = Arc::new(api::State::new(Arc::clone(&pool), key, config.clone()));
    let router = api::router(state, &config);
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(config.header_timeout);
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let slots = Arc::new(tokio::sync::Semaphore::new(config.max_connections));
    tokio::pin!(shutdown);
    loop {
        let slot = tokio::select! {
            slot = Arc::clone(&slots).acquire_owned() => slot.expect("the semaphore is never closed"),
            () = &mut shutdown => break,
        };
        let (stream, _) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors and the like: wait, go on.
                    eprintln!("serve: accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let service = hyper_util::service::TowerToHyperService::new(router.clone());
        let connection = http.serve_connection(TokioIo::new(stream), service);
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            let _ = connection.await;
            drop(slot);
        });
    }
    drop(listener);
    eprintln!("serve: shutting down; finishing requests in flight");
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(config.shutdown_grace) => {
            eprintln!("serve: requests still running after the grace period; stopping");
        }
    }
    pool.close().await;
    Ok(())
}

/// Completes on SIGINT (Ctrl-C) or SIGTERM.
pub async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
}
