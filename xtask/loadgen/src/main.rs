//! `certdirect-loadgen`: the load generator behind `cargo xtask bench`.
//!
//! - `setup` signs a customer up through the REST API (verifying the email address from the
//!   outbox), applies for ACME use, and registers and pays for every name of a names file,
//!   concurrently. It prints one JSON line with the EAB credentials and the directory URL.
//! - `run` drives an ACME server with `--concurrency` instant-acme clients, each with an account
//!   of its own, each running full orders (newOrder, authorization, challenge, poll, finalize,
//!   poll, certificate download) on names it has not ordered before. It answers http-01 from a
//!   responder on loopback and dns-01 through `pebble-challtestsrv`'s management API. It prints
//!   `{"event":"measure_start"}` and `{"event":"measure_end"}` when the measured window opens and
//!   closes (so the caller can sample the server's CPU time), then one JSON result line.
//! - `nonce` measures newNonce (HEAD) requests per second over keep-alive TLS connections, for
//!   machines without `wrk`.
//! - `chaos` keeps full orders and portal reads going through a load balancer while
//!   `cargo xtask chaos` kills and restarts the servers behind it, retrying every failed request,
//!   and prints what it saw (see `chaos.rs`).
//! - `tls-cert` writes a self-signed localhost certificate and key (for Pebble).
//!
//! Progress goes to stderr, results to stdout.

mod chaos;
mod load;
mod nonce;
mod setup;

use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};

#[derive(Parser)]
#[command(
    name = "certdirect-loadgen",
    about = "ACME load generator for cargo xtask bench"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Sign up, apply for ACME, register and pay for every name; print the EAB as JSON.
    Setup(setup::SetupArgs),
    /// Run ACME orders against a server for a measured window; print the results as JSON.
    Run(load::RunArgs),
    /// Keep ordering through a load balancer while servers are killed; print the counts as JSON.
    Chaos(chaos::ChaosArgs),
    /// Measure newNonce (HEAD) requests per second; print the result as JSON.
    Nonce(nonce::NonceArgs),
    /// Write a self-signed certificate and key for localhost and 127.0.0.1.
    TlsCert {
        /// Where to write the certificate (PEM).
        #[arg(long)]
        cert: PathBuf,
        /// Where to write the private key (PEM).
        #[arg(long)]
        key: PathBuf,
    },
}

/// The challenge type the clients answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Challenge {
    #[value(name = "http-01")]
    Http01,
    #[value(name = "dns-01")]
    Dns01,
}

impl Challenge {
    /// The name as ACME spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Challenge::Http01 => "http-01",
            Challenge::Dns01 => "dns-01",
        }
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::Setup(args) => setup::run(args).await,
        Command::Run(args) => load::run(args).await,
        Command::Nonce(args) => nonce::run(args).await,
        Command::Chaos(args) => chaos::run(args).await,
        Command::TlsCert { cert, key } => tls_cert(&cert, &key),
    }
}

/// Writes a self-signed certificate for `localhost` and `127.0.0.1` (no CA flag, so TLS clients
/// accept it as its own trust anchor).
fn tls_cert(cert: &std::path::Path, key: &std::path::Path) -> anyhow::Result<()> {
    let made = rcgen::generate_simple_self_signed(vec!["localhost".into(), "127.0.0.1".into()])
        .context("making a self-signed certificate")?;
    std::fs::write(cert, made.cert.pem()).with_context(|| format!("writing {}", cert.display()))?;
    std::fs::write(key, made.signing_key.serialize_pem())
        .with_context(|| format!("writing {}", key.display()))?;
    Ok(())
}

/// Reads a names file: one FQDN per line, blank lines ignored.
pub fn read_names(path: &std::path::Path) -> anyhow::Result<Vec<String>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let names: Vec<String> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect();
    anyhow::ensure!(!names.is_empty(), "{} holds no names", path.display());
    Ok(names)
}

/// A reqwest client that trusts the PEM certificate at `ca` (keep-alive, HTTP/1.1).
pub fn https_client(ca: &std::path::Path) -> anyhow::Result<reqwest::Client> {
    let pem = std::fs::read(ca).with_context(|| format!("reading {}", ca.display()))?;
    let cert = reqwest::Certificate::from_pem(&pem)
        .with_context(|| format!("{} is not a PEM certificate", ca.display()))?;
    reqwest::Client::builder()
        .add_root_certificate(cert)
        .http1_only()
        .timeout(std::time::Duration::from_secs(60))
        .build()
        .context("building the HTTPS client")
}

/// The `p`-th percentile (0–100) of sorted values, nearest rank; 0 when empty.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// The arithmetic mean; 0 when empty.
pub fn mean(values: &[f64]) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    values.iter().fold(0.0, |sum, v| sum + v) / values.len() as f64
}

#[cfg(test)]
mod tests {
    use super::{mean, percentile};

    #[test]
    fn means() {
        assert_eq!(mean(&[]), 0.0);
        assert_eq!(mean(&[1.0, 2.0, 6.0]), 3.0);
    }

    #[test]
    fn nearest_rank_percentiles() {
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&v, 50.0), 50.0);
        assert_eq!(percentile(&v, 99.0), 99.0);
        assert_eq!(percentile(&[7.0], 99.0), 7.0);
        assert_eq!(percentile(&[], 50.0), 0.0);
    }
}
