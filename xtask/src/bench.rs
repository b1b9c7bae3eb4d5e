//! `cargo xtask bench`: an ACME load benchmark of CertDirect, side by side with Pebble.
//!
//! It builds the server and the load generator (`xtask/loadgen`) in release, starts CertDirect
//! on a fresh SQLite data directory (or a fresh PostgreSQL database), registers and pays for
//! `--names` FQDNs through the REST API, and drives the ACME server with `--concurrency` clients
//! running full orders for each challenge type. Where Pebble is installed it runs the same load
//! against it. Server CPU time per order comes from `/proc/<pid>/stat` around the measured
//! window. newNonce throughput is measured with the load generator's own HEAD client and, where
//! it works, with `wrk`. The result is a Markdown table for `docs/performance.md`.
//!
//! Every process it starts is stopped when it ends, also on error ([`Processes`]). Benchmarks
//! are not tests: nothing here compares a figure with a threshold.

use std::io::{BufRead, BufReader};
use std::net::{TcpListener, TcpStream, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use serde_json::Value;

use crate::{apt_install, cargo, have, sh, stage};

/// newNonce connections (the figure the issue asks for).
const NONCE_CONNECTIONS: usize = 32;
/// Registration requests in flight while setting up.
const SETUP_PARALLEL: usize = 24;

/// The command line of `cargo xtask bench`.
#[derive(Debug, Clone)]
struct Options {
    names: usize,
    concurrency: usize,
    challenges: Vec<&'static str>,
    seconds: f64,
    warmup: f64,
    postgres: bool,
    pebble: bool,
    smoke: bool,
    poll_ms: u64,
}

pub const USAGE: &str = "\
  bench [options]   ACME load benchmark: CertDirect (release) side by side with Pebble
        --names N                 usage FQDNs registered and paid through the REST API (default 301)
        --concurrency C           concurrent ACME clients, one account each (default 32)
        --challenge http-01|dns-01|both   (default both)
        --seconds S               measured window per run, after a short warm-up (default 20)
        --db sqlite|postgres      CertDirect's database (default sqlite)
        --no-pebble               measure CertDirect only
        --poll-ms MS              interval between order polls, Retry-After ignored (default 100)
        --smoke                   5-second run with 60 names, 4 clients and the debug build (for CI)";

impl Options {
    fn parse(args: &[String]) -> anyhow::Result<Self> {
        let smoke = args.iter().any(|a| a == "--smoke");
        let mut o = Options {
            names: if smoke { 60 } else { 301 },
            concurrency: if smoke { 4 } else { 32 },
            challenges: vec!["http-01", "dns-01"],
            seconds: if smoke { 5.0 } else { 20.0 },
            warmup: if smoke { 1.0 } else { 3.0 },
            postgres: false,
            pebble: true,
            smoke,
            poll_ms: 100,
        };
        let mut it = args.iter().map(String::as_str);
        while let Some(arg) = it.next() {
            let (flag, inline) = match arg.split_once('=') {
                Some((f, v)) if f.starts_with("--") => (f, Some(v)),
                _ => (arg, None),
            };
            let mut value = |name: &str| -> anyhow::Result<String> {
                inline
                    .map(str::to_owned)
                    .or_else(|| it.next().map(str::to_owned))
                    .with_context(|| format!("{name} needs a value"))
            };
            match flag {
                "--smoke" => {}
                "--no-pebble" => o.pebble = false,
                "--names" => o.names = number(&value(flag)?, flag)?,
                "--concurrency" => o.concurrency = number(&value(flag)?, flag)?,
                "--poll-ms" => o.poll_ms = number(&value(flag)?, flag)?,
                "--seconds" => {
                    let v = value(flag)?;
                    o.seconds = v
                        .parse::<f64>()
                        .ok()
                        .filter(|s| *s > 0.0)
                        .with_context(|| format!("--seconds: {v:?} is not a positive number"))?;
                }
                "--challenge" => {
                    o.challenges = match value(flag)?.as_str() {
                        "http-01" => vec!["http-01"],
                        "dns-01" => vec!["dns-01"],
                        "both" => vec!["http-01", "dns-01"],
                        other => bail!("--challenge: {other:?} is not http-01, dns-01 or both"),
                    }
                }
                "--db" => {
                    o.postgres = match value(flag)?.as_str() {
                        "sqlite" => false,
                        "postgres" | "postgresql" => true,
                        other => bail!("--db: {other:?} is not sqlite or postgres"),
                    }
                }
                other => bail!("unknown option {other:?}\n\n{USAGE}"),
            }
        }
        if o.names == 0 || o.concurrency == 0 {
            bail!("--names and --concurrency must be at least 1");
        }
        Ok(o)
    }
}

fn number<T: std::str::FromStr>(v: &str, flag: &str) -> anyhow::Result<T> {
    v.parse()
        .map_err(|_| anyhow::anyhow!("{flag}: {v:?} is not a whole number"))
}

/// The child processes of a run, stopped when dropped (all sent SIGTERM at once, then SIGKILL
/// for those still running after `stop_grace`, 3 s unless set), and the PostgreSQL database of
/// the run, dropped after them.
#[derive(Default)]
pub(crate) struct Processes {
    pub(crate) children: Vec<(String, Child)>,
    /// How long the processes may take to stop gracefully (servers that drain on SIGTERM).
    pub(crate) stop_grace: Option<Duration>,
    /// (administration URL, database name)
    pub(crate) database: Option<(String, String)>,
    /// The PostgreSQL server, dropped (a throwaway cluster stopped) after the database.
    pub(crate) postgres: Option<crate::pg::Postgres>,
}

impl Processes {
    pub(crate) fn spawn(&mut self, name: &str, cmd: &mut Command) -> anyhow::Result<u32> {
        let child = cmd
            .spawn()
            .with_context(|| format!("starting {name} ({})", crate::display(cmd)))?;
        let pid = child.id();
        self.children.push((name.to_owned(), child));
        Ok(pid)
    }

    /// Stops the process called `name` now.
    pub(crate) fn stop(&mut self, name: &str) {
        if let Some(pos) = self.children.iter().position(|(n, _)| n == name) {
            let (name, child) = self.children.remove(pos);
            terminate(&name, child);
        }
    }

    /// Fails with the end of `log` if the process called `name` has exited.
    pub(crate) fn check_alive(&mut self, name: &str, log: &Path) -> anyhow::Result<()> {
        if let Some((_, child)) = self.children.iter_mut().find(|(n, _)| n == name) {
            if let Some(status) = child.try_wait().context("checking a child")? {
                bail!(
                    "{name} exited ({status}); the end of {}:\n{}",
                    log.display(),
                    tail(log, 30)
                );
            }
        }
        Ok(())
    }
}

impl Drop for Processes {
    fn drop(&mut self) {
        let grace = self.stop_grace.unwrap_or(Duration::from_secs(3));
        for (_, child) in self.children.iter_mut() {
            if matches!(child.try_wait(), Ok(None)) {
                let _ = Command::new("kill")
                    .args(["-TERM", &child.id().to_string()])
                    .status();
            }
        }
        let deadline = Instant::now() + grace;
        while let Some((name, child)) = self.children.pop() {
            stop_by(&name, child, deadline);
        }
        if let Some((admin, db)) = self.database.take() {
            let sql = format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)");
            let _ = Command::new("psql")
                .args([admin.as_str(), "-q", "-c", &sql])
                .stdout(Stdio::null())
                .status();
        }
    }
}

/// Starts pebble-challtestsrv (`cmd`, so that a caller can pin it to a CPU) as the DNS server of
/// a run: every name resolves to 127.0.0.1 (no AAAA) on `dns_port`, and TXT records are published
/// through its management API on `mgmt_port`; returns once that port answers.
pub(crate) fn start_challtestsrv(
    procs: &mut Processes,
    mut cmd: Command,
    dns_port: u16,
    mgmt_port: u16,
    dns_log: &Path,
) -> anyhow::Result<()> {
    procs.spawn(
        "pebble-challtestsrv",
        cmd.args(["-dns01", &format!("127.0.0.1:{dns_port}")])
            .args(["-management", &format!("127.0.0.1:{mgmt_port}")])
            .args(["-http01", "", "-https01", "", "-tlsalpn01", ""])
            .args(["-defaultIPv4", "127.0.0.1", "-defaultIPv6", ""])
            .stdout(log_file(dns_log)?)
            .stderr(log_file(dns_log)?),
    )?;
    wait_for_port(
        procs,
        "pebble-challtestsrv",
        mgmt_port,
        dns_log,
        Duration::from_secs(10),
    )
}

pub(crate) fn terminate(name: &str, mut child: Child) {
    if matches!(child.try_wait(), Ok(Some(_))) {
        return;
    }
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    stop_by(name, child, Instant::now() + Duration::from_secs(3));
}

/// Waits until `deadline` for `child`, already sent SIGTERM, to exit; kills it after.
fn stop_by(name: &str, mut child: Child, deadline: Instant) {
    while Instant::now() < deadline {
        if matches!(child.try_wait(), Ok(Some(_))) {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    eprintln!("{name} did not stop on SIGTERM: killing it");
    let _ = child.kill();
    let _ = child.wait();
}

/// The last `lines` lines of a log file.
pub(crate) fn tail(path: &Path, lines: usize) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// A free TCP (and UDP) port on 127.0.0.1.
pub(crate) fn free_port() -> anyhow::Result<u16> {
    for _ in 0..50 {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .context("binding 127.0.0.1:0")?
            .port();
        if UdpSocket::bind(("127.0.0.1", port)).is_ok() {
            return Ok(port);
        }
    }
    bail!("found no port free for both TCP and UDP on 127.0.0.1")
}

/// Waits until 127.0.0.1:`port` accepts connections, failing early if the process has exited.
pub(crate) fn wait_for_port(
    procs: &mut Processes,
    name: &str,
    port: u16,
    log: &Path,
    timeout: Duration,
) -> anyhow::Result<()> {
    let deadline = Instant::now() + timeout;
    loop {
        procs.check_alive(name, log)?;
        if TcpStream::connect_timeout(&([127, 0, 0, 1], port).into(), Duration::from_millis(200))
            .is_ok()
        {
            return Ok(());
        }
        if Instant::now() > deadline {
            bail!(
                "{name} did not listen on 127.0.0.1:{port} within {timeout:?}; the end of {}:\n{}",
                log.display(),
                tail(log, 30)
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// How CPU cores are split between the server and the load.
struct Pinning {
    server: Option<String>,
    load: Option<String>,
}

impl Pinning {
    fn detect() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        if cores < 2 || !have("taskset") {
            return Pinning {
                server: None,
                load: None,
            };
        }
        let half = cores / 2;
        let list = |from: usize, to: usize| {
            if from + 1 == to {
                from.to_string()
            } else {
                format!("{from}-{}", to - 1)
            }
        };
        Pinning {
            server: Some(list(0, half)),
            load: Some(list(half, cores)),
        }
    }

    fn describe(&self) -> String {
        match (&self.server, &self.load) {
            (Some(s), Some(l)) => format!(
                "pinned with taskset: server on CPU {s}, load generator, DNS and wrk on CPU {l}"
            ),
            _ => "not pinned (fewer than 2 cores or no taskset): server and load share the CPU"
                .into(),
        }
    }

    /// `program` run on `cores` when pinning.
    fn command(cores: &Option<String>, program: &Path) -> Command {
        match cores {
            Some(c) => {
                let mut cmd = Command::new("taskset");
                cmd.args(["-c", c]).arg(program);
                cmd
            }
            None => Command::new(program),
        }
    }
}

/// Process CPU time (user + system) in milliseconds, from `/proc/<pid>/stat`.
fn cpu_ms(pid: u32, ticks_per_sec: f64) -> anyhow::Result<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .with_context(|| format!("reading /proc/{pid}/stat"))?;
    // Fields after the command name (which may hold spaces) start at field 3 (state);
    // utime and stime are fields 14 and 15.
    let rest = stat
        .rsplit_once(')')
        .map(|(_, r)| r)
        .context("unexpected /proc/<pid>/stat format")?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let field = |i: usize| -> anyhow::Result<f64> {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .with_context(|| format!("/proc/{pid}/stat has no field {}", i + 3))
    };
    Ok((field(11)? + field(12)?) * 1000.0 / ticks_per_sec)
}

fn clock_ticks() -> f64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok())
        .unwrap_or(100.0)
}

/// One load run's figures, as the load generator reported them, plus the server CPU time.
#[derive(Debug, Clone)]
struct RunResult {
    orders_per_sec: f64,
    p50_ms: f64,
    p99_ms: f64,
    cpu_ms_per_order: Option<f64>,
}

/// The newNonce figures of one server.
#[derive(Debug, Clone, Default)]
struct NonceResult {
    own: Option<f64>,
    wrk: Option<f64>,
    wrk_note: Option<String>,
}

/// Where and how a server is reached.
struct Target<'a> {
    label: &'a str,
    pid: u32,
    directory: String,
    ca: PathBuf,
    eab: Option<(String, String)>,
}

/// Everything a run needs that does not change between servers.
struct Bench {
    options: Options,
    pinning: Pinning,
    loadgen: PathBuf,
    names_file: PathBuf,
    http_port: u16,
    challtestsrv: String,
    ticks: f64,
    wrk: bool,
}

impl Bench {
    fn loadgen(&self) -> Command {
        Pinning::command(&self.pinning.load, &self.loadgen)
    }

    /// Runs the load generator for one challenge type and returns its figures.
    fn run(&self, target: &Target, challenge: &str) -> anyhow::Result<RunResult> {
        stage(&format!(
            "{}: {challenge}, {} clients, {}s measured",
            target.label, self.options.concurrency, self.options.seconds
        ));
        let mut cmd = self.loadgen();
        cmd.arg("run")
            .args(["--directory", &target.directory])
            .arg("--ca")
            .arg(&target.ca)
            .arg("--names-file")
            .arg(&self.names_file)
            .args(["--concurrency", &self.options.concurrency.to_string()])
            .args(["--seconds", &self.options.seconds.to_string()])
            .args(["--warmup", &self.options.warmup.to_string()])
            .args(["--challenge", challenge])
            .args(["--http-port", &self.http_port.to_string()])
            .args(["--challtestsrv", &self.challtestsrv])
            .args(["--poll-ms", &self.options.poll_ms.to_string()])
            .args(["--label", target.label]);
        if let Some((kid, hmac)) = &target.eab {
            // `=` keeps a key id or key that starts with `-` from reading as an option.
            cmd.arg(format!("--eab-kid={kid}"))
                .arg(format!("--eab-hmac={hmac}"));
        }
        cmd.stdout(Stdio::piped()).stderr(Stdio::inherit());
        let mut child = cmd
            .spawn()
            .with_context(|| format!("starting {}", crate::display(&cmd)))?;
        let stdout = child.stdout.take().context("the load generator's stdout")?;
        let loadgen_pid = child.id();
        // (server, load generator) CPU milliseconds at the start of the window, and used in it.
        let mut cpu_start = None;
        let mut cpu_used = None;
        let mut result = None;
        for line in BufReader::new(stdout).lines() {
            let line = line.context("reading the load generator's output")?;
            let event: Value = serde_json::from_str(&line)
                .with_context(|| format!("the load generator printed {line:?}"))?;
            match event["event"].as_str() {
                Some("measure_start") => {
                    cpu_start = Some((
                        cpu_ms(target.pid, self.ticks)?,
                        cpu_ms(loadgen_pid, self.ticks)?,
                    ))
                }
                Some("measure_end") => {
                    let end = (
                        cpu_ms(target.pid, self.ticks)?,
                        cpu_ms(loadgen_pid, self.ticks)?,
                    );
                    cpu_used = cpu_start.map(|s| (end.0 - s.0, end.1 - s.1));
                }
                Some("result") => result = Some(event),
                _ => println!("{line}"),
            }
        }
        let status = child.wait().context("waiting for the load generator")?;
        if !status.success() {
            bail!(
                "the load generator failed against {} ({status})",
                target.label
            );
        }
        let r = result.context("the load generator printed no result")?;
        let num = |k: &str| r[k].as_f64().unwrap_or(0.0);
        let orders = r["orders"].as_u64().unwrap_or(0);
        let window_ms = num("window_secs") * 1000.0;
        let cpu_ms_per_order = cpu_used
            .filter(|_| orders > 0)
            .map(|(server, _)| server / orders as f64);
        println!(
            "{}: {orders} orders in {:.1}s = {:.2} orders/s; p50 {:.0} ms, p99 {:.0} ms; server CPU {} ms ({}/order)",
            target.label,
            num("window_secs"),
            num("orders_per_sec"),
            num("p50_ms"),
            num("p99_ms"),
            cpu_used.map_or("?".into(), |(server, _)| format!("{server:.0}")),
            cpu_ms_per_order.map_or("?".into(), |c| format!("{c:.1} ms")),
        );
        if let Some((server, load)) = cpu_used.filter(|_| window_ms > 0.0) {
            println!(
                "  CPU busy over the window: server {:.0}% of one core, load generator {:.0}%",
                server * 100.0 / window_ms,
                load * 100.0 / window_ms
            );
        }
        if let Some(phases) = r["phases_mean"].as_object() {
            let parts: Vec<String> = phases
                .iter()
                .map(|(k, v)| {
                    format!(
                        "{} {:.1} ms",
                        k.trim_end_matches("_ms"),
                        v.as_f64().unwrap_or(0.0)
                    )
                })
                .collect();
            println!("  mean per step: {}", parts.join(", "));
        }
        let errors = r["errors_total"].as_u64().unwrap_or(0);
        if errors > 0 {
            println!(
                "  FAILED ORDERS: {errors} in all ({} inside the measured window). First problems:",
                r["errors"].as_u64().unwrap_or(0)
            );
            for sample in r["error_samples"].as_array().into_iter().flatten() {
                println!("    - {}", sample.as_str().unwrap_or_default());
            }
        }
        if let Some(n) = r["exhausted_clients"].as_u64().filter(|n| *n > 0) {
            println!(
                "  note: {n} clients ordered every name before the window closed (use more --names)"
            );
        }
        if let Some(n) = r["unfinished"].as_u64().filter(|n| *n > 0) {
            println!("  note: {n} clients were still in an order 60 s after the window closed");
        }
        Ok(RunResult {
            orders_per_sec: num("orders_per_sec"),
            p50_ms: num("p50_ms"),
            p99_ms: num("p99_ms"),
            cpu_ms_per_order,
        })
    }

    /// Measures newNonce (HEAD, keep-alive TLS) with the load generator and with wrk.
    fn nonce(&self, target: &Target, url: &str) -> anyhow::Result<NonceResult> {
        let seconds = self.options.seconds.min(10.0);
        stage(&format!(
            "{}: newNonce, HEAD, {NONCE_CONNECTIONS} keep-alive TLS connections, {seconds}s",
            target.label
        ));
        let mut result = NonceResult::default();
        let out = self
            .loadgen()
            .arg("nonce")
            .args(["--url", url])
            .arg("--ca")
            .arg(&target.ca)
            .args(["--connections", &NONCE_CONNECTIONS.to_string()])
            .args(["--seconds", &seconds.to_string()])
            .stderr(Stdio::inherit())
            .output()
            .context("running the newNonce client")?;
        if !out.status.success() {
            bail!("the newNonce client failed against {}", target.label);
        }
        let v: Value =
            serde_json::from_slice(&out.stdout).context("the newNonce client's output")?;
        let per_sec = v["per_sec"].as_f64().unwrap_or(0.0);
        println!(
            "{}: {per_sec:.0} newNonce/s (load generator's client; {} failed)",
            target.label,
            v["errors"].as_u64().unwrap_or(0)
        );
        result.own = Some(per_sec);
        if self.wrk {
            match self.wrk_nonce(url, seconds) {
                Ok(per_sec) => {
                    println!("{}: {per_sec:.0} newNonce/s (wrk)", target.label);
                    result.wrk = Some(per_sec);
                }
                Err(e) => {
                    println!("{}: wrk gave no figure: {e:#}", target.label);
                    result.wrk_note = Some(format!("{e:#}"));
                }
            }
        }
        Ok(result)
    }

    fn wrk_nonce(&self, url: &str, seconds: f64) -> anyhow::Result<f64> {
        let script = self.names_file.with_file_name("head.lua");
        std::fs::write(&script, "wrk.method = \"HEAD\"\n").context("writing head.lua")?;
        let wrk = PathBuf::from("wrk");
        let out = Pinning::command(&self.pinning.load, &wrk)
            .args(["-t1", &format!("-c{NONCE_CONNECTIONS}")])
            .arg(format!("-d{}s", seconds.ceil()))
            .arg("-s")
            .arg(&script)
            .arg(url)
            .output()
            .context("running wrk")?;
        let text = String::from_utf8_lossy(&out.stdout);
        let per_sec: f64 = text
            .lines()
            .find_map(|l| l.strip_prefix("Requests/sec:"))
            .and_then(|v| v.trim().parse().ok())
            .with_context(|| format!("wrk printed no Requests/sec:\n{text}"))?;
        if per_sec == 0.0 {
            bail!("wrk completed no request (it cannot tell where a HEAD response without Content-Length ends)");
        }
        if let Some(line) = text.lines().find(|l| l.contains("Non-2xx")) {
            bail!("wrk saw failures: {}", line.trim());
        }
        Ok(per_sec)
    }
}

pub fn bench(root: &Path, args: &[String]) -> anyhow::Result<()> {
    let options = Options::parse(args)?;
    let started = Instant::now();
    stage("bench: tools");
    // pebble-challtestsrv (the DNS server on loopback) and Pebble both come from `pebble`.
    apt_install(&["pebble"])?;
    let wrk = have("wrk")
        || match apt_install(&["wrk"]) {
            Ok(()) => have("wrk"),
            Err(e) => {
                println!("wrk could not be installed ({e:#}); newNonce is measured with the load generator's client only");
                false
            }
        };
    let pebble_bin = which("pebble");
    if options.pebble && pebble_bin.is_none() {
        println!("Pebble is not installed (/usr/bin/pebble): measuring CertDirect only");
    }
    let target_dir = target_dir(root);
    let profile = if options.smoke { "debug" } else { "release" };
    if options.smoke {
        stage("bench --smoke: the debug build");
        sh(cargo().current_dir(root).args([
            "build",
            "--workspace",
            "--bin",
            "certdirect",
            "--bin",
            "certdirect-loadgen",
        ]))?;
    } else {
        stage("bench: building the server and the load generator (release)");
        sh(cargo().current_dir(root).args([
            "build",
            "--release",
            "--workspace",
            "--bin",
            "certdirect",
            "--bin",
            "certdirect-loadgen",
        ]))?;
    }
    let server_bin = target_dir.join(profile).join("certdirect");
    let loadgen = target_dir.join(profile).join("certdirect-loadgen");
    if !server_bin.exists() {
        bail!(
            "{} is missing; build it first (cargo build --workspace)",
            server_bin.display()
        );
    }

    let work = std::env::temp_dir().join(format!(
        "certdirect-bench-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
    ));
    std::fs::create_dir_all(&work).with_context(|| format!("creating {}", work.display()))?;
    println!("work directory (data dir, logs): {}", work.display());
    let names_file = work.join("names.txt");
    let names: Vec<String> = (1..=options.names)
        .map(|i| format!("n{i:05}.bench-certdirect.jp"))
        .collect();
    std::fs::write(&names_file, names.join("\n") + "\n").context("writing names.txt")?;

    let pinning = Pinning::detect();
    println!("{}", pinning.describe());
    let mut procs = Processes::default();

    // The DNS server both CAs ask: every name resolves to 127.0.0.1 (no AAAA), and the load
    // generator publishes dns-01 TXT records through its management API.
    let dns_port = free_port()?;
    let mgmt_port = free_port()?;
    let dns_log = work.join("challtestsrv.log");
    start_challtestsrv(
        &mut procs,
        Pinning::command(&pinning.load, Path::new("pebble-challtestsrv")),
        dns_port,
        mgmt_port,
        &dns_log,
    )?;

    let bench = Bench {
        pinning,
        loadgen,
        names_file,
        http_port: free_port()?,
        challtestsrv: format!("http://127.0.0.1:{mgmt_port}"),
        ticks: clock_ticks(),
        wrk,
        options: options.clone(),
    };

    let (certdirect, certdirect_nonce, setup_secs) =
        run_certdirect(&bench, &mut procs, &server_bin, &work, dns_port)?;
    let pebble = match (&pebble_bin, options.pebble) {
        (Some(bin), true) => Some(run_pebble(&bench, &mut procs, bin, &work, dns_port)?),
        _ => None,
    };
    drop(procs);

    report(
        &options,
        &bench,
        &certdirect,
        &certdirect_nonce,
        pebble.as_ref(),
        setup_secs,
    );
    println!(
        "\n(bench finished in {:.0}s; work directory {} removed)",
        started.elapsed().as_secs_f64(),
        work.display()
    );
    std::fs::remove_dir_all(&work).with_context(|| format!("removing {}", work.display()))?;
    Ok(())
}

type ServerFigures = Vec<(&'static str, RunResult)>;

/// Starts CertDirect, registers the names, runs every challenge type and newNonce, stops it.
fn run_certdirect(
    bench: &Bench,
    procs: &mut Processes,
    bin: &Path,
    work: &Path,
    dns_port: u16,
) -> anyhow::Result<(ServerFigures, NonceResult, f64)> {
    let data = work.join("certdirect");
    std::fs::create_dir_all(&data).context("creating the data dir")?;
    let port = free_port()?;
    let log = work.join("certdirect.log");
    let mut cmd = Pinning::command(&bench.pinning.server, bin);
    cmd.arg("serve")
        .env("CERTDIRECT_DATA_DIR", &data)
        .env("CERTDIRECT_LISTEN", format!("127.0.0.1:{port}"))
        .env("CERTDIRECT_PUBLIC_URL", format!("https://localhost:{port}"))
        .env("CERTDIRECT_STATIC_DIR", data.join("no-portal"))
        .env("CERTDIRECT_TLS_SELF_SIGNED", "1")
        .env("CERTDIRECT_VA_ALLOW_PRIVATE", "1")
        .env("CERTDIRECT_VA_HTTP_PORT", bench.http_port.to_string())
        .env("CERTDIRECT_VA_DNS_SERVERS", format!("127.0.0.1:{dns_port}"))
        // pebble-challtestsrv cannot sign zones.
        .env("CERTDIRECT_VA_DNSSEC_TRUST_ANCHORS", "off")
        .env("CERTDIRECT_LOG", "warn")
        // The benchmark measures throughput, not the ACME rate limits (Pebble has none).
        .env(
            "CERTDIRECT_ACME_RATE_LIMITS",
            "new_account_per_address=1000000/h,new_order_per_account=1000000/h,new_order_per_address=1000000/h,failed_validation_per_account=1000000/h",
        )
        .stdout(log_file(&log)?)
        .stderr(log_file(&log)?);
    if bench.options.postgres {
        let db = format!("certdirect_bench_{}", std::process::id());
        let postgres = crate::pg::ensure_postgres()?;
        let admin = postgres.url.clone();
        procs.postgres = Some(postgres);
        for sql in [
            format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"),
            format!("CREATE DATABASE {db}"),
        ] {
            sh(Command::new("psql").args([
                admin.as_str(),
                "-q",
                "-v",
                "ON_ERROR_STOP=1",
                "-c",
                &sql,
            ]))?;
        }
        procs.database = Some((admin.clone(), db.clone()));
        let mut url = url::Url::parse(&admin).context("the PostgreSQL URL")?;
        url.set_path(&db);
        println!("CertDirect database: PostgreSQL {url} (fresh; dropped at the end)");
        cmd.env("CERTDIRECT_DATABASE_URL", url.as_str());
    } else {
        println!("CertDirect database: SQLite in {} (fresh)", data.display());
    }
    stage("CertDirect: starting");
    let pid = procs.spawn("certdirect", &mut cmd)?;
    wait_for_port(procs, "certdirect", port, &log, Duration::from_secs(60))?;
    let ca = data.join("tls/localhost.crt");
    if !ca.exists() {
        bail!("CertDirect made no {}", ca.display());
    }
    let base = format!("https://localhost:{port}");
    println!(
        "CertDirect (pid {pid}) is serving at {base}; log {}",
        log.display()
    );

    stage(&format!(
        "CertDirect: registering and paying {} names through the REST API ({SETUP_PARALLEL} in flight)",
        bench.options.names
    ));
    let out = bench
        .loadgen()
        .arg("setup")
        .args(["--base", &base])
        .arg("--ca")
        .arg(&ca)
        .arg("--data-dir")
        .arg(&data)
        .arg("--names-file")
        .arg(&bench.names_file)
        .args(["--parallel", &SETUP_PARALLEL.to_string()])
        .stderr(Stdio::inherit())
        .output()
        .context("running the set-up")?;
    if !out.status.success() {
        bail!(
            "registering the names failed; the end of {}:\n{}",
            log.display(),
            tail(&log, 20)
        );
    }
    let setup: Value = serde_json::from_slice(&out.stdout).context("the set-up's output")?;
    let field = |k: &str| -> anyhow::Result<String> {
        setup[k]
            .as_str()
            .map(str::to_owned)
            .with_context(|| format!("the set-up printed no {k}"))
    };
    let setup_secs = setup["seconds"].as_f64().unwrap_or(0.0);
    let target = Target {
        label: "CertDirect",
        pid,
        directory: field("directory_url")?,
        ca,
        eab: Some((field("eab_kid")?, field("eab_hmac")?)),
    };
    let mut figures = Vec::new();
    for challenge in &bench.options.challenges {
        figures.push((*challenge, bench.run(&target, challenge)?));
        procs.check_alive("certdirect", &log)?;
    }
    let nonce = bench.nonce(&target, &format!("https://127.0.0.1:{port}/acme/new-nonce"))?;
    procs.stop("certdirect");
    Ok((figures, nonce, setup_secs))
}

/// Starts Pebble with a certificate of its own, runs every challenge type and newNonce, stops it.
fn run_pebble(
    bench: &Bench,
    procs: &mut Processes,
    bin: &Path,
    work: &Path,
    dns_port: u16,
) -> anyhow::Result<(ServerFigures, NonceResult)> {
    let dir = work.join("pebble");
    std::fs::create_dir_all(&dir).context("creating the Pebble dir")?;
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    sh(Command::new(&bench.loadgen)
        .arg("tls-cert")
        .arg("--cert")
        .arg(&cert)
        .arg("--key")
        .arg(&key))?;
    let (port, mgmt, tls_port) = (free_port()?, free_port()?, free_port()?);
    let config = serde_json::json!({
        "pebble": {
            "listenAddress": format!("127.0.0.1:{port}"),
            "managementListenAddress": format!("127.0.0.1:{mgmt}"),
            "certificate": cert,
            "privateKey": key,
            "httpPort": bench.http_port,
            "tlsPort": tls_port,
            "ocspResponderURL": "",
            "externalAccountBindingRequired": false,
        }
    });
    let config_path = dir.join("pebble-config.json");
    std::fs::write(&config_path, config.to_string()).context("writing the Pebble config")?;
    let log = work.join("pebble.log");
    stage("Pebble: starting");
    let pid = procs.spawn(
        "pebble",
        Pinning::command(&bench.pinning.server, bin)
            .arg("-config")
            .arg(&config_path)
            .args(["-dnsserver", &format!("127.0.0.1:{dns_port}")])
            .env("PEBBLE_VA_NOSLEEP", "1")
            .env("PEBBLE_WFE_NONCEREJECT", "0")
            .env("PEBBLE_AUTHZREUSE", "0")
            .stdout(log_file(&log)?)
            .stderr(log_file(&log)?),
    )?;
    wait_for_port(procs, "pebble", port, &log, Duration::from_secs(30))?;
    println!(
        "Pebble (pid {pid}) is serving at https://localhost:{port}/dir (no EAB); log {}",
        log.display()
    );
    let target = Target {
        label: "Pebble",
        pid,
        directory: format!("https://localhost:{port}/dir"),
        ca: cert,
        eab: None,
    };
    let mut figures = Vec::new();
    for challenge in &bench.options.challenges {
        figures.push((*challenge, bench.run(&target, challenge)?));
        procs.check_alive("pebble", &log)?;
    }
    let nonce = bench.nonce(&target, &format!("https://127.0.0.1:{port}/nonce-plz"))?;
    procs.stop("pebble");
    Ok((figures, nonce))
}

pub(crate) fn log_file(path: &Path) -> anyhow::Result<std::fs::File> {
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .with_context(|| format!("opening {}", path.display()))
}

fn which(program: &str) -> Option<PathBuf> {
    let out = Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .output()
        .ok()?;
    let path = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    (out.status.success() && !path.is_empty()).then(|| PathBuf::from(path))
}

/// Where cargo puts build output: `CARGO_TARGET_DIR` or `<root>/target`.
pub(crate) fn target_dir(root: &Path) -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => root.join(dir),
        None => root.join("target"),
    }
}

fn ms(v: f64) -> String {
    format!("{v:.0} ms")
}

/// Prints the Markdown table, the newNonce line and the machine.
fn report(
    options: &Options,
    bench: &Bench,
    certdirect: &ServerFigures,
    certdirect_nonce: &NonceResult,
    pebble: Option<&(ServerFigures, NonceResult)>,
    setup_secs: f64,
) {
    let dash = "–".to_owned();
    stage("results (Markdown, for docs/performance.md)");
    println!();
    println!(
        "| names | challenge | clients | CertDirect orders/s | p50 | p99 | CPU ms/order | Pebble orders/s | p50 | p99 | CPU ms/order | ratio |"
    );
    println!("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (challenge, c) in certdirect {
        let p = pebble.and_then(|(f, _)| f.iter().find(|(ch, _)| ch == challenge).map(|(_, r)| r));
        let cpu = |r: &RunResult| {
            r.cpu_ms_per_order
                .map_or(dash.clone(), |v| format!("{v:.1}"))
        };
        let (po, p50, p99, pcpu, ratio) = match p {
            Some(p) => (
                format!("{:.1}", p.orders_per_sec),
                ms(p.p50_ms),
                ms(p.p99_ms),
                cpu(p),
                if p.orders_per_sec > 0.0 {
                    format!("{:.2}×", c.orders_per_sec / p.orders_per_sec)
                } else {
                    dash.clone()
                },
            ),
            None => (
                dash.clone(),
                dash.clone(),
                dash.clone(),
                dash.clone(),
                dash.clone(),
            ),
        };
        println!(
            "| {} | {challenge} | {} | {:.1} | {} | {} | {} | {po} | {p50} | {p99} | {pcpu} | {ratio} |",
            options.names,
            options.concurrency,
            c.orders_per_sec,
            ms(c.p50_ms),
            ms(c.p99_ms),
            cpu(c),
        );
    }
    println!();
    let fmt = |v: Option<f64>| v.map_or(dash.clone(), |v| format!("{v:.0}/s"));
    let pebble_nonce = pebble.map(|(_, n)| n);
    let ratio = |a: Option<f64>, b: Option<f64>| match (a, b) {
        (Some(a), Some(b)) if b > 0.0 => format!(" (ratio {:.2}×)", a / b),
        _ => String::new(),
    };
    println!(
        "newNonce (HEAD, {NONCE_CONNECTIONS} connections, TLS keep-alive), load generator's client: CertDirect {}, Pebble {}{}",
        fmt(certdirect_nonce.own),
        fmt(pebble_nonce.and_then(|n| n.own)),
        ratio(certdirect_nonce.own, pebble_nonce.and_then(|n| n.own)),
    );
    if bench.wrk {
        let note = |n: Option<&NonceResult>| match n {
            Some(n) if n.wrk.is_some() => fmt(n.wrk),
            Some(n) => format!(
                "no figure ({})",
                n.wrk_note.clone().unwrap_or_else(|| "not run".into())
            ),
            None => dash.clone(),
        };
        println!(
            "newNonce with wrk (HEAD, 1 thread, {NONCE_CONNECTIONS} connections): CertDirect {}, Pebble {}{}",
            note(Some(certdirect_nonce)),
            note(pebble_nonce),
            ratio(certdirect_nonce.wrk, pebble_nonce.and_then(|n| n.wrk)),
        );
    }
    println!();
    println!(
        "Machine: {} cores ({}), {}; {}.",
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        cpu_model(),
        bench.pinning.describe(),
        date()
    );
    println!(
        "CertDirect {} build on {}{}; {} clients with one ACME account each, every order a fresh name for its account and a fresh validation; \
         {}s warm-up, {}s measured per row; orders polled every {} ms (Retry-After ignored); CPU = utime+stime of the server process over the window.",
        if options.smoke { "debug (--smoke)" } else { "release" },
        if options.postgres { "PostgreSQL" } else { "SQLite" },
        git_revision().map_or(String::new(), |r| format!(" at {r}")),
        options.concurrency,
        options.warmup,
        options.seconds,
        options.poll_ms,
    );
    println!(
        "Registering and paying {} names through the REST API took {setup_secs:.1}s.",
        options.names
    );
    if options.postgres {
        println!(
            "(CPU per order counts the certdirect process only, not the PostgreSQL backends.)"
        );
    }
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, m)| m.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into())
}

fn date() -> String {
    Command::new("date")
        .args(["-u", "+%Y-%m-%d %H:%M UTC"])
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .filter(|d| !d.is_empty())
        .unwrap_or_else(|| "date unknown".into())
}

fn git_revision() -> Option<String> {
    let out = Command::new("git")
        .args(["rev-parse", "--short", "HEAD"])
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> anyhow::Result<Options> {
        Options::parse(&args.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn defaults_and_options() {
        let o = parse(&[]).unwrap();
        assert_eq!((o.names, o.concurrency, o.seconds), (301, 32, 20.0));
        assert_eq!(o.challenges, ["http-01", "dns-01"]);
        assert!(o.pebble && !o.postgres && !o.smoke);
        let o = parse(&[
            "--names",
            "3001",
            "--concurrency=8",
            "--challenge",
            "dns-01",
            "--db",
            "postgres",
            "--no-pebble",
            "--seconds",
            "15",
        ])
        .unwrap();
        assert_eq!((o.names, o.concurrency, o.seconds), (3001, 8, 15.0));
        assert_eq!(o.challenges, ["dns-01"]);
        assert!(!o.pebble && o.postgres);
        let o = parse(&["--smoke"]).unwrap();
        assert!(o.smoke && o.seconds == 5.0 && o.names < 301);
        assert!(parse(&["--challenge", "tls-alpn-01"]).is_err());
        assert!(parse(&["--names"]).is_err());
        assert!(parse(&["--bogus"]).is_err());
    }

    #[test]
    fn cpu_time_of_this_process() {
        let ms = cpu_ms(std::process::id(), clock_ticks()).unwrap();
        assert!(ms >= 0.0);
    }
}
