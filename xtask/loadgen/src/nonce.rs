//! newNonce throughput: `--connections` keep-alive HTTPS connections, each sending `HEAD` to the
//! newNonce URL back to back, for `--seconds` after a one-second warm-up. Used where `wrk` is not
//! available.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use serde_json::json;

#[derive(clap::Args)]
pub struct NonceArgs {
    /// The newNonce URL.
    #[arg(long)]
    url: String,
    /// PEM certificate to trust for the server's HTTPS.
    #[arg(long)]
    ca: PathBuf,
    /// Concurrent connections.
    #[arg(long, default_value_t = 32)]
    connections: usize,
    /// Length of the measured window in seconds.
    #[arg(long, default_value_t = 10.0)]
    seconds: f64,
}

pub async fn run(args: NonceArgs) -> anyhow::Result<()> {
    let counting = Arc::new(AtomicBool::new(false));
    let stop = Arc::new(AtomicBool::new(false));
    let ok = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..args.connections.max(1) {
        // One client per connection: each keeps exactly one connection alive.
        let http = crate::https_client(&args.ca)?;
        let (url, counting, stop, ok, failed) = (
            args.url.clone(),
            counting.clone(),
            stop.clone(),
            ok.clone(),
            failed.clone(),
        );
        tasks.spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                let good = http.head(&url).send().await.is_ok_and(|r| {
                    r.status().is_success() && r.headers().contains_key("replay-nonce")
                });
                if counting.load(Ordering::Relaxed) {
                    if good { &ok } else { &failed }.fetch_add(1, Ordering::Relaxed);
                }
            }
        });
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    counting.store(true, Ordering::Relaxed);
    let started = Instant::now();
    tokio::time::sleep(Duration::from_secs_f64(args.seconds.max(0.1))).await;
    counting.store(false, Ordering::Relaxed);
    let elapsed = started.elapsed().as_secs_f64();
    stop.store(true, Ordering::Relaxed);
    while let Some(joined) = tasks.join_next().await {
        joined.context("a nonce client failed")?;
    }
    let requests = ok.load(Ordering::Relaxed);
    println!(
        "{}",
        json!({
            "event": "nonce",
            "requests": requests,
            "errors": failed.load(Ordering::Relaxed),
            "seconds": elapsed,
            "per_sec": requests as f64 / elapsed,
        })
    );
    Ok(())
}
