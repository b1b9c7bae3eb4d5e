//! `cargo xtask chaos`: the failure test. HAProxy in front of two web processes, two worker
//! processes and three validation perspectives on one PostgreSQL (a throwaway cluster of our
//! own, never the machine's server), all started from the `deploy/` files: the units' `ExecStart=`
//! and `Environment=`, `deploy/certdirect.env.example` and `deploy/perspective.env.example` with
//! only addresses, ports, paths and the test-only settings replaced, and `deploy/haproxy.cfg`
//! with the lines [`HAPROXY_EDITS`] names replaced.
//!
//! The load generator (`certdirect-loadgen chaos`) runs full ACME orders (http-01 and dns-01,
//! concurrent, one account per client) and portal reads through HAProxy, retrying every failed
//! request. During the load one web process and one worker are killed with SIGKILL and started
//! again, and PostgreSQL is restarted once. Then the database and the clients' records are
//! compared: every order a client finished has exactly one certificate, the one it downloaded;
//! no order has two; no validation job ran to completion twice (from the workers' logs); every
//! issued certificate belongs to a valid order. Exits non-zero when anything was lost,
//! duplicated or run twice, or when a client's retry failed.
//!
//! Only the processes it started are ever signalled, by their pid.

use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use serde_json::Value;

use crate::bench::{
    free_port, log_file, start_challtestsrv, tail, target_dir, wait_for_port, Processes,
};
use crate::{apt_install, cargo, have, sh, stage};

pub const USAGE: &str = "\
  chaos [--secs N] [--clients C]
        failure test: HAProxy, 2 web, 2 worker, 3 perspective processes on a throwaway PostgreSQL,
        ACME and portal load for N seconds (default 180) with C ACME clients (default 8) while a
        web process and a worker are killed (SIGKILL) and restarted and PostgreSQL restarts";

/// The database the test makes in its own cluster.
const DB: &str = "certdirect_chaos";

/// The lines of `deploy/haproxy.cfg` the test replaces (`{name}` filled in at run time). Each
/// must be found, so the test fails when the file changes under it instead of testing another.
const HAPROXY_EDITS: &[(&str, &str)] = &[
    (
        "\tlog /dev/log local0\n",
        "\tlog stdout format raw local0\n",
    ),
    ("\tchroot /var/lib/haproxy\n", ""),
    (
        "\tstats socket /run/haproxy/admin.sock mode 660 level admin\n",
        "\tstats socket {work}/haproxy.sock mode 600 level admin\n",
    ),
    ("\tuser haproxy\n", ""),
    ("\tgroup haproxy\n", ""),
    ("\tdaemon\n", ""),
    (
        "\tbind :443 ssl crt /etc/haproxy/certs/ca.example.jp.pem alpn http/1.1\n",
        "\tbind 127.0.0.1:{https} ssl crt {work}/tls/haproxy.pem alpn http/1.1\n",
    ),
    ("\tbind :80\n", "\tbind 127.0.0.1:{http}\n"),
    (
        "\tserver web1 127.0.0.1:8081 check\n",
        "\tserver web1 127.0.0.1:{web1} check\n",
    ),
    (
        "\tserver web2 127.0.0.1:8082 check\n",
        "\tserver web2 127.0.0.1:{web2} check\n",
    ),
    ("\tbind 127.0.0.1:8404\n", "\tbind 127.0.0.1:{stats}\n"),
];

struct Options {
    secs: u64,
    clients: usize,
}

impl Options {
    fn parse(args: &[String]) -> anyhow::Result<Self> {
        let mut o = Options {
            secs: 180,
            clients: 8,
        };
        let mut it = args.iter().map(String::as_str);
        while let Some(arg) = it.next() {
            let (flag, inline) = match arg.split_once('=') {
                Some((f, v)) if f.starts_with("--") => (f, Some(v.to_owned())),
                _ => (arg, None),
            };
            let mut value = || {
                inline
                    .clone()
                    .or_else(|| it.next().map(str::to_owned))
                    .with_context(|| format!("{flag} needs a value"))
            };
            match flag {
                "--secs" => o.secs = value()?.parse().context("--secs: a whole number")?,
                "--clients" => o.clients = value()?.parse().context("--clients: a whole number")?,
                other => bail!("unknown option {other:?}\n\n{USAGE}"),
            }
        }
        if o.secs < 30 || o.clients == 0 {
            bail!("--secs must be at least 30 and --clients at least 1");
        }
        Ok(o)
    }
}

/// Environment settings, in order (a later one wins).
type Env = Vec<(String, String)>;

/// `KEY=VALUE` lines of an environment file (comments and blank lines skipped).
fn env_file(path: &Path) -> anyhow::Result<Vec<(String, String)>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    Ok(text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect())
}

/// A unit's `ExecStart=` arguments (after the program) and its `Environment=` settings, with
/// `%i` replaced by `instance`.
fn unit(path: &Path, instance: &str) -> anyhow::Result<(Vec<String>, Env)> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let mut args = None;
    let mut env = Vec::new();
    for line in text.lines().map(|l| l.replace("%i", instance)) {
        if let Some(cmd) = line.strip_prefix("ExecStart=") {
            let mut words = cmd.split_whitespace().map(str::to_owned);
            let program = words.next().unwrap_or_default();
            if !program.ends_with("/certdirect") {
                bail!(
                    "{}: ExecStart= runs {program:?}, not certdirect",
                    path.display()
                );
            }
            args = Some(words.collect());
        } else if let Some(kv) = line.strip_prefix("Environment=") {
            if let Some((k, v)) = kv.split_once('=') {
                env.push((k.to_owned(), v.to_owned()));
            }
        }
    }
    Ok((
        args.with_context(|| format!("{} has no ExecStart=", path.display()))?,
        env,
    ))
}

/// How to start one process of the installation again and again.
struct Spec {
    name: String,
    args: Vec<String>,
    env: Vec<(String, String)>,
    log: PathBuf,
    port: Option<u16>,
}

struct Chaos {
    bin: PathBuf,
    procs: Processes,
    specs: HashMap<String, Spec>,
}

impl Chaos {
    fn start(&mut self, name: &str) -> anyhow::Result<u32> {
        let spec = &self.specs[name];
        let mut cmd = Command::new(&self.bin);
        cmd.args(&spec.args)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .envs(spec.env.iter().map(|(k, v)| (k, v)))
            .stdout(log_file(&spec.log)?)
            .stderr(log_file(&spec.log)?);
        let pid = self.procs.spawn(&spec.name, &mut cmd)?;
        if let Some(port) = spec.port {
            wait_for_port(
                &mut self.procs,
                name,
                port,
                &spec.log,
                Duration::from_secs(90),
            )?;
        }
        println!("started {name} (pid {pid})");
        Ok(pid)
    }

    /// SIGKILL to the child called `name` (ours, by its pid through its handle).
    fn kill9(&mut self, name: &str) -> anyhow::Result<()> {
        let pos = self
            .procs
            .children
            .iter()
            .position(|(n, _)| n == name)
            .with_context(|| format!("{name} is not running"))?;
        let (_, mut child) = self.procs.children.remove(pos);
        let pid = child.id();
        child.kill().with_context(|| format!("killing {name}"))?;
        let _ = child.wait();
        println!("killed {name} (pid {pid}) with SIGKILL");
        Ok(())
    }
}

/// HAProxy's count of 5xx answers on the frontend `certdirect`.
fn hrsp_5xx(socket: &Path) -> anyhow::Result<u64> {
    Ok(haproxy_counts(socket)?
        .get("hrsp_5xx")
        .copied()
        .unwrap_or(0))
}

/// Counters of HAProxy's frontend `certdirect`, from `show stat` on the stats socket.
fn haproxy_counts(socket: &Path) -> anyhow::Result<BTreeMap<String, u64>> {
    let mut s = std::os::unix::net::UnixStream::connect(socket)
        .with_context(|| format!("connecting to {}", socket.display()))?;
    s.write_all(b"show stat\n")?;
    let mut out = String::new();
    s.read_to_string(&mut out)?;
    let mut lines = out.lines();
    let header: Vec<&str> = lines
        .next()
        .context("empty show stat")?
        .trim_start_matches("# ")
        .split(',')
        .collect();
    for line in lines {
        let fields: Vec<&str> = line.split(',').collect();
        if fields.first() == Some(&"certdirect") && fields.get(1) == Some(&"FRONTEND") {
            return Ok(header
                .iter()
                .zip(fields)
                .filter_map(|(h, v)| Some((h.to_string(), v.parse().ok()?)))
                .collect());
        }
    }
    bail!("show stat has no certdirect FRONTEND line")
}

fn psql(url: &str, sql: &str) -> anyhow::Result<String> {
    let out = Command::new("psql")
        .args([
            url,
            "-X",
            "-q",
            "-tA",
            "-F",
            "|",
            "-v",
            "ON_ERROR_STOP=1",
            "-c",
            sql,
        ])
        .output()
        .context("running psql")?;
    if !out.status.success() {
        bail!("psql {sql:?}: {}", String::from_utf8_lossy(&out.stderr));
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

fn count(url: &str, sql: &str) -> anyhow::Result<u64> {
    let v = psql(url, sql)?;
    v.parse()
        .with_context(|| format!("{sql:?} answered {v:?}, not a number"))
}

/// Challenges whose validation ran to completion (the workers' `validation` log line, written
/// after the outcome is committed), with how often each did.
fn validations_completed(logs: &[PathBuf]) -> BTreeMap<i64, u64> {
    let mut seen = BTreeMap::new();
    for log in logs {
        let text = std::fs::read_to_string(log).unwrap_or_default();
        for line in text.lines().filter(|l| l.contains("\"validation\"")) {
            let Ok(v) = serde_json::from_str::<Value>(line) else {
                continue;
            };
            // `CERTDIRECT_LOG_FORMAT=json` flattens the event's fields into the object.
            let fields = if v["fields"].is_object() {
                &v["fields"]
            } else {
                &v
            };
            if fields["message"] == "validation" {
                if let Some(id) = fields["challenge"].as_i64() {
                    *seen.entry(id).or_default() += 1;
                }
            }
        }
    }
    seen
}

pub fn chaos(root: &Path, args: &[String]) -> anyhow::Result<()> {
    let options = Options::parse(args)?;
    let started = Instant::now();
    stage("chaos: tools and build");
    apt_install(&["pebble"])?;
    if !have("haproxy") && !Path::new("/usr/sbin/haproxy").exists() {
        apt_install(&["haproxy"])?;
    }
    let haproxy_bin = if Path::new("/usr/sbin/haproxy").exists() {
        PathBuf::from("/usr/sbin/haproxy")
    } else {
        PathBuf::from("haproxy")
    };
    sh(cargo().current_dir(root).args([
        "build",
        "--workspace",
        "--bin",
        "certdirect",
        "--bin",
        "certdirect-loadgen",
    ]))?;
    let debug = target_dir(root).join("debug");
    let (bin, loadgen) = (debug.join("certdirect"), debug.join("certdirect-loadgen"));

    let work = std::env::temp_dir().join(format!("certdirect-chaos-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(work.join("tls"))?;
    std::fs::create_dir_all(work.join("data"))?;
    println!("work directory (data dir, logs): {}", work.display());

    stage("chaos: PostgreSQL (a throwaway cluster of our own: it is restarted during the test)");
    let mut procs = Processes::default();
    // The web processes drain for CERTDIRECT_SHUTDOWN_DELAY_SECS + _GRACE_SECS at most
    // (deploy/certdirect.env.example; the units' TimeoutStopSec).
    procs.stop_grace = Some(Duration::from_secs(40));
    let postgres = crate::pg::Postgres::throwaway()?;
    let admin = postgres.url.clone();
    procs.postgres = Some(postgres);
    sh(Command::new("psql").args([&admin, "-q", "-c", &format!("CREATE DATABASE {DB}")]))?;
    let mut db_url = url::Url::parse(&admin).context("the PostgreSQL URL")?;
    db_url.set_path(DB);
    let db_url = db_url.to_string();

    // TLS: one self-signed localhost certificate for HAProxy and the perspectives; the clients
    // and the primary trust it.
    let (cert, key) = (work.join("tls/cert.pem"), work.join("tls/key.pem"));
    sh(Command::new(&loadgen)
        .arg("tls-cert")
        .arg("--cert")
        .arg(&cert)
        .arg("--key")
        .arg(&key))?;
    std::fs::write(
        work.join("tls/haproxy.pem"),
        std::fs::read_to_string(&cert)? + &std::fs::read_to_string(&key)?,
    )?;

    // DNS for every name (127.0.0.1) and dns-01 TXT records.
    let (dns_port, mgmt_port, http01_port) = (free_port()?, free_port()?, free_port()?);
    let dns_log = work.join("challtestsrv.log");
    start_challtestsrv(
        &mut procs,
        Command::new("pebble-challtestsrv"),
        dns_port,
        mgmt_port,
        &dns_log,
    )?;

    let deploy = root.join("deploy");
    let (https_port, http_port, stats_port) = (free_port()?, free_port()?, free_port()?);
    let (web_ports, persp_ports) = (
        [free_port()?, free_port()?],
        [free_port()?, free_port()?, free_port()?],
    );
    let secret: String = {
        let mut bytes = [0u8; 32];
        std::fs::File::open("/dev/urandom")?.read_exact(&mut bytes)?;
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    };
    let va = |env: &mut Vec<(String, String)>| {
        for (k, v) in [
            ("CERTDIRECT_VA_DNS_SERVERS", format!("127.0.0.1:{dns_port}")),
            ("CERTDIRECT_VA_HTTP_PORT", http01_port.to_string()),
            ("CERTDIRECT_VA_ALLOW_PRIVATE", "1".into()),
            // pebble-challtestsrv cannot sign zones.
            ("CERTDIRECT_VA_DNSSEC_TRUST_ANCHORS", "off".into()),
        ] {
            set(env, k, &v);
        }
    };

    // The primary's settings: deploy/certdirect.env.example with the loopback overrides.
    let mut primary = env_file(&deploy.join("certdirect.env.example"))?;
    let perspectives = ["tokyo@apnic", "singapore@apnic", "oregon@arin"]
        .iter()
        .zip(persp_ports)
        .map(|(n, p)| format!("{n}=https://127.0.0.1:{p}"))
        .collect::<Vec<_>>()
        .join(",");
    let static_dir = root.join("frontend/dist");
    for (k, v) in [
        ("CERTDIRECT_DATA_DIR", work.join("data").display().to_string()),
        ("CERTDIRECT_DATABASE_URL", db_url.clone()),
        ("CERTDIRECT_PUBLIC_URL", format!("https://localhost:{https_port}")),
        ("CERTDIRECT_CAA_IDENTITIES", "localhost".into()),
        ("CERTDIRECT_STATIC_DIR", static_dir.display().to_string()),
        ("CERTDIRECT_MPIC_PERSPECTIVES", perspectives),
        ("CERTDIRECT_MPIC_SECRET", secret.clone()),
        ("CERTDIRECT_MPIC_CA", cert.display().to_string()),
        // Three perspectives on one machine, not the five of production.
        ("CERTDIRECT_MPIC_MIN_REMOTE", "3".into()),
        // A load test, not a test of the ACME rate limits.
        (
            "CERTDIRECT_ACME_RATE_LIMITS",
            "new_account_per_address=1000000/h,new_order_per_account=1000000/h,new_order_per_address=1000000/h,failed_validation_per_account=1000000/h".into(),
        ),
    ] {
        set(&mut primary, k, &v);
    }
    // Mail to the outbox, where the set-up reads the verification email.
    primary.retain(|(k, _)| k != "CERTDIRECT_SMTP_URL");
    va(&mut primary);
    let mut perspective = env_file(&deploy.join("perspective.env.example"))?;
    set(
        &mut perspective,
        "CERTDIRECT_TLS_CERT",
        &cert.display().to_string(),
    );
    set(
        &mut perspective,
        "CERTDIRECT_TLS_KEY",
        &key.display().to_string(),
    );
    set(&mut perspective, "CERTDIRECT_MPIC_SECRET", &secret);
    va(&mut perspective);
    println!(
        "settings from deploy/certdirect.env.example, replaced for loopback: data dir, database, public URL, CAA identities, portal dir, \
         perspectives (3, minimum 3), MPIC secret and CA, ACME rate limits, VA resolver/port/private/DNSSEC; SMTP removed (outbox)"
    );

    let mut chaos = Chaos {
        bin: bin.clone(),
        procs,
        specs: HashMap::new(),
    };
    let mut worker_logs = Vec::new();
    for (i, port) in persp_ports.iter().enumerate() {
        let name = format!("perspective{}", i + 1);
        let (args, unit_env) = unit(&deploy.join("certdirect-perspective.service"), "")?;
        let mut env = perspective.clone();
        env.extend(unit_env);
        set(&mut env, "CERTDIRECT_LISTEN", &format!("127.0.0.1:{port}"));
        let log = work.join(format!("{name}.log"));
        chaos.specs.insert(
            name.clone(),
            Spec {
                name,
                args,
                env,
                log,
                port: Some(*port),
            },
        );
    }
    for (i, port) in web_ports.iter().enumerate() {
        let name = format!("web{}", i + 1);
        // The unit sets CERTDIRECT_LISTEN=127.0.0.1:%i.
        let (args, unit_env) = unit(&deploy.join("certdirect-web@.service"), &port.to_string())?;
        let mut env = primary.clone();
        env.extend(unit_env);
        let log = work.join(format!("{name}.log"));
        chaos.specs.insert(
            name.clone(),
            Spec {
                name,
                args,
                env,
                log,
                port: Some(*port),
            },
        );
    }
    for i in 1..=2 {
        let name = format!("worker{i}");
        let (args, unit_env) = unit(&deploy.join("certdirect-worker@.service"), &i.to_string())?;
        let mut env = primary.clone();
        env.extend(unit_env);
        let log = work.join(format!("{name}.log"));
        worker_logs.push(log.clone());
        chaos.specs.insert(
            name.clone(),
            Spec {
                name,
                args,
                env,
                log,
                port: None,
            },
        );
    }

    stage("chaos: starting 3 perspectives, 2 web processes, 2 workers (one after the other: the first migrates and makes the CA)");
    for name in [
        "perspective1",
        "perspective2",
        "perspective3",
        "web1",
        "web2",
        "worker1",
        "worker2",
    ] {
        chaos.start(name)?;
    }

    stage("chaos: HAProxy with deploy/haproxy.cfg");
    let mut config = std::fs::read_to_string(deploy.join("haproxy.cfg"))?;
    let fill = |s: &str| {
        s.replace("{work}", &work.display().to_string())
            .replace("{https}", &https_port.to_string())
            .replace("{http}", &http_port.to_string())
            .replace("{web1}", &web_ports[0].to_string())
            .replace("{web2}", &web_ports[1].to_string())
            .replace("{stats}", &stats_port.to_string())
    };
    for (from, to) in HAPROXY_EDITS {
        if !config.contains(from) {
            bail!("deploy/haproxy.cfg no longer has the line {from:?} the test replaces");
        }
        config = config.replace(from, &fill(to));
    }
    let haproxy_cfg = work.join("haproxy.cfg");
    std::fs::write(&haproxy_cfg, &config)?;
    sh(Command::new(&haproxy_bin)
        .arg("-c")
        .arg("-f")
        .arg(&haproxy_cfg))?;
    let haproxy_log = work.join("haproxy.log");
    chaos.procs.spawn(
        "haproxy",
        Command::new(&haproxy_bin)
            .arg("-db")
            .arg("-f")
            .arg(&haproxy_cfg)
            .stdout(log_file(&haproxy_log)?)
            .stderr(log_file(&haproxy_log)?),
    )?;
    wait_for_port(
        &mut chaos.procs,
        "haproxy",
        https_port,
        &haproxy_log,
        Duration::from_secs(20),
    )?;
    let socket = work.join("haproxy.sock");
    // Both web processes up in HAProxy's eyes (rise 2, inter 1s).
    std::thread::sleep(Duration::from_secs(3));
    let base = format!("https://localhost:{https_port}");

    let names = options.clients * options.secs as usize;
    stage(&format!(
        "chaos: registering and paying {names} names through HAProxy"
    ));
    let names_file = work.join("names.txt");
    let list: Vec<String> = (1..=names)
        .map(|i| format!("c{i:05}.chaos-certdirect.jp"))
        .collect();
    std::fs::write(&names_file, list.join("\n") + "\n")?;
    let email = "chaos@example.jp";
    let out = Command::new(&loadgen)
        .arg("setup")
        .args(["--base", &base])
        .arg("--ca")
        .arg(&cert)
        .arg("--data-dir")
        .arg(work.join("data"))
        .arg("--names-file")
        .arg(&names_file)
        .args(["--email", email])
        .stderr(Stdio::inherit())
        .output()
        .context("running the set-up")?;
    if !out.status.success() {
        bail!(
            "the set-up failed; the end of web1's log:\n{}",
            tail(&work.join("web1.log"), 20)
        );
    }
    let setup: Value = serde_json::from_slice(&out.stdout).context("the set-up's output")?;
    let field = |k: &str| -> anyhow::Result<String> {
        setup[k]
            .as_str()
            .map(str::to_owned)
            .with_context(|| format!("the set-up printed no {k}"))
    };

    stage(&format!(
        "chaos: {} s of load ({} ACME clients, 2 portal clients) with kills",
        options.secs, options.clients
    ));
    let finished_file = work.join("finished.jsonl");
    let mut load = Command::new(&loadgen)
        .arg("chaos")
        .args(["--directory", &field("directory_url")?])
        .arg("--ca")
        .arg(&cert)
        .arg(format!("--eab-kid={}", field("eab_kid")?))
        .arg(format!("--eab-hmac={}", field("eab_hmac")?))
        .arg("--names-file")
        .arg(&names_file)
        .args(["--concurrency", &options.clients.to_string()])
        .args(["--seconds", &options.secs.to_string()])
        .args(["--http-port", &http01_port.to_string()])
        .args(["--challtestsrv", &format!("http://127.0.0.1:{mgmt_port}")])
        .args(["--portal-base", &base])
        .args(["--portal-email", email])
        .args(["--portal-password", "benchmark password, long enough"])
        .arg("--finished-out")
        .arg(&finished_file)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .context("starting the load generator")?;
    let stdout = load.stdout.take().context("the load's stdout")?;
    // Stopped with the others if anything below fails.
    chaos
        .procs
        .children
        .push(("certdirect-loadgen".into(), load));
    let (tx, rx) = mpsc::channel::<String>();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut result: Option<Value> = None;
    let mut load_start = None;
    // (at, what) relative to the start of the load.
    let secs = options.secs as f64;
    let mut plan: Vec<(f64, &str)> = vec![
        (secs * 0.2, "kill web1"),
        (secs * 0.2 + 3.0, "start web1"),
        (secs * 0.4, "kill worker1"),
        (secs * 0.4 + 3.0, "start worker1"),
        (secs * 0.6, "restart postgresql"),
    ];
    plan.reverse();
    // HAProxy's 5xx count at the load's start and at each event: the 5xx between one event and
    // the next are that event's.
    let mut fivexx: Vec<(String, u64)> = Vec::new();
    loop {
        match rx.recv_timeout(Duration::from_millis(200)) {
            Ok(line) => {
                let v: Value = serde_json::from_str(&line).unwrap_or(Value::Null);
                match v["event"].as_str() {
                    Some("load_start") => {
                        load_start = Some(Instant::now());
                        fivexx.push(("load start".into(), hrsp_5xx(&socket)?));
                    }
                    Some("result") => result = Some(v),
                    _ => println!("{line}"),
                }
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
        let Some(t0) = load_start else { continue };
        while plan
            .last()
            .is_some_and(|(at, _)| t0.elapsed().as_secs_f64() >= *at)
        {
            let (_, what) = plan.pop().expect("checked");
            println!("[chaos {:.0}s] {what}", t0.elapsed().as_secs_f64());
            fivexx.push((what.to_owned(), hrsp_5xx(&socket)?));
            match what {
                "kill web1" => chaos.kill9("web1")?,
                "start web1" => drop(chaos.start("web1")?),
                "kill worker1" => chaos.kill9("worker1")?,
                "start worker1" => drop(chaos.start("worker1")?),
                "restart postgresql" => {
                    let t = Instant::now();
                    chaos
                        .procs
                        .postgres
                        .as_ref()
                        .context("the cluster")?
                        .restart()?;
                    println!("PostgreSQL restarted in {:.1}s", t.elapsed().as_secs_f64());
                }
                _ => unreachable!(),
            }
        }
    }
    let pos = chaos
        .procs
        .children
        .iter()
        .position(|(n, _)| n == "certdirect-loadgen")
        .context("the load generator's handle")?;
    let (_, mut load) = chaos.procs.children.remove(pos);
    let status = load.wait().context("waiting for the load generator")?;
    if !status.success() {
        bail!("the load generator failed ({status})");
    }
    let r = result.context("the load generator printed no result")?;
    let frontend = haproxy_counts(&socket)?;
    for name in ["web1", "web2", "worker1", "worker2"] {
        let log = chaos.specs[name].log.clone();
        chaos.procs.check_alive(name, &log)?;
    }

    stage("chaos: checks against the database");
    // Every order a client finished: its certificate, recorded once, the one it downloaded.
    let mut client_orders: Vec<(i64, String)> = Vec::new();
    for line in std::fs::read_to_string(&finished_file)?.lines() {
        let v: Value = serde_json::from_str(line)?;
        let url = v["order"].as_str().unwrap_or_default();
        let id: i64 = url
            .rsplit('/')
            .next()
            .and_then(|s| s.parse().ok())
            .with_context(|| format!("no order id in {url:?}"))?;
        client_orders.push((id, v["leaf"].as_str().unwrap_or_default().to_owned()));
    }
    let issued = psql(
        &db_url,
        "SELECT order_id, translate(leaf_pem, E'\\n\\r ', '') FROM certificates WHERE status IN ('valid', 'revoked') ORDER BY id",
    )?;
    let mut by_order: HashMap<i64, Vec<String>> = HashMap::new();
    for line in issued.lines().filter(|l| !l.is_empty()) {
        let (id, pem) = line.split_once('|').context("a certificates row")?;
        let body = pem
            .replace("-----BEGINCERTIFICATE-----", "")
            .replace("-----ENDCERTIFICATE-----", "");
        by_order.entry(id.parse()?).or_default().push(body);
    }
    let lost = client_orders
        .iter()
        .filter(|(id, leaf)| {
            by_order
                .get(id)
                .is_none_or(|certs| certs.len() != 1 || &certs[0] != leaf)
        })
        .count();
    let duplicated = by_order.values().filter(|c| c.len() > 1).count();
    let valid_without_cert = count(
        &db_url,
        "SELECT count(*) FROM acme_orders o WHERE o.status = 'valid' AND NOT EXISTS \
         (SELECT 1 FROM certificates c WHERE c.order_id = o.id AND c.id = o.certificate_id AND c.status IN ('valid', 'revoked'))",
    )?;
    let cert_without_valid_order = count(
        &db_url,
        "SELECT count(*) FROM certificates c WHERE c.status IN ('valid', 'revoked') AND NOT EXISTS \
         (SELECT 1 FROM acme_orders o WHERE o.id = c.order_id AND o.status = 'valid' AND o.certificate_id = c.id)",
    )?;
    let db_orders = count(&db_url, "SELECT count(*) FROM acme_orders")?;
    let db_valid = count(
        &db_url,
        "SELECT count(*) FROM acme_orders WHERE status = 'valid'",
    )?;
    let db_invalid = count(
        &db_url,
        "SELECT count(*) FROM acme_orders WHERE status = 'invalid'",
    )?;
    let abandoned = count(
        &db_url,
        "SELECT count(*) FROM certificates WHERE status = 'abandoned'",
    )?;
    let jobs = count(&db_url, "SELECT count(*) FROM validation_jobs")?;
    let jobs_retaken = count(
        &db_url,
        "SELECT count(*) FROM validation_jobs WHERE attempts > 1",
    )?;
    let jobs_open = count(
        &db_url,
        "SELECT count(*) FROM validation_jobs WHERE status <> 'done'",
    )?;
    // X-Forwarded-For through HAProxy (R-CUS-4): the portal clients log in claiming
    // 203.0.113.9 in their own header; HAProxy replaces it with the address it saw.
    let logins = |addr: &str| {
        count(
            &db_url,
            &format!(
                "SELECT count(*) FROM audit_log WHERE action = 'customer.login' AND remote_addr = '{addr}'"
            ),
        )
    };
    let (logins_seen, logins_spoofed) = (logins("127.0.0.1")?, logins("203.0.113.9")?);
    let completed = validations_completed(&worker_logs);
    let jobs_twice = completed.values().filter(|n| **n > 1).count();
    // Challenges validated (valid or invalid) whose completion no worker logged: the check
    // above would be blind if the log line changed.
    let validated = count(
        &db_url,
        "SELECT count(*) FROM acme_challenges c JOIN validation_jobs j ON j.challenge_id = c.id \
         WHERE c.status IN ('valid', 'invalid')",
    )?;
    let unlogged = validated.saturating_sub(completed.len() as u64);

    let n = |k: &str| r[k].as_u64().unwrap_or(0);
    let fivexx_total = frontend.get("hrsp_5xx").copied().unwrap_or(0);
    fivexx.push(("end".into(), fivexx_total));
    let per_event: Vec<String> = fivexx
        .windows(2)
        .map(|w| format!("{} after {}", w[1].1.saturating_sub(w[0].1), w[0].0))
        .collect();
    let retry_failed = n("orders_given_up") + n("portal_retry_failed");
    stage("chaos: results");
    println!("orders started:      {}", n("orders_started"));
    println!("orders finished:     {}", n("orders_finished"));
    println!(
        "orders retried:      {} (orders in which a failed request was retried; {} ended invalid, {} made again)",
        n("orders_with_retries"),
        n("orders_invalid"),
        n("orders_remade")
    );
    println!("orders lost:         {lost}");
    println!("orders duplicated:   {duplicated}");
    println!("jobs run twice:      {jobs_twice}");
    println!(
        "5xx through HAProxy: {fivexx_total} of {} requests in the whole run (set-up included): {}",
        frontend.get("req_tot").copied().unwrap_or(0),
        per_event.join(", ")
    );
    println!(
        "client requests:     ACME failed {} (retried {}), portal ok {} failed {}; 5xx seen by clients {}; no answer (unclean) {}; retries that failed {}",
        n("acme_requests_failed"),
        n("acme_requests_retried"),
        n("portal_ok"),
        n("portal_failed"),
        n("responses_5xx"),
        n("unclean"),
        retry_failed
    );
    if let Some(kinds) = r["error_kinds"].as_object() {
        for (k, v) in kinds {
            println!("    {v:>5} × {k}");
        }
    }
    for s in r["error_samples"].as_array().into_iter().flatten() {
        println!("    e.g. {}", s.as_str().unwrap_or_default());
    }
    println!(
        "database:            {db_orders} orders ({db_valid} valid, {db_invalid} invalid); valid orders without their certificate {valid_without_cert}; \
         certificates without their valid order {cert_without_valid_order}; interrupted issuances (abandoned serials) {abandoned}"
    );
    println!(
        "validation jobs:     {jobs} ({jobs_retaken} taken again after a lease ran out, {jobs_open} not done); {} completions logged by the workers for {} challenges; {unlogged} validated challenges with no completion logged",
        completed.values().sum::<u64>(),
        completed.len()
    );
    println!(
        "X-Forwarded-For:     portal logins recorded from 127.0.0.1 (HAProxy's view of the client) {logins_seen}, from the address the client claimed {logins_spoofed}"
    );
    println!(
        "\n(chaos finished in {:.0}s; logs in {})",
        started.elapsed().as_secs_f64(),
        work.display()
    );
    drop(chaos);
    let failed = lost > 0
        || duplicated > 0
        || jobs_twice > 0
        || (validated > 0 && completed.is_empty())
        || retry_failed > 0
        || n("unclean") > 0
        || logins_spoofed > 0
        || logins_seen == 0
        || valid_without_cert > 0
        || cert_without_valid_order > 0
        || n("orders_finished") == 0;
    if failed {
        bail!(
            "the failure test failed: see the counts above (logs kept in {})",
            work.display()
        );
    }
    std::fs::remove_dir_all(&work).ok();
    Ok(())
}

/// Sets `key` in an environment list, replacing an earlier value.
fn set(env: &mut Vec<(String, String)>, key: &str, value: &str) {
    env.retain(|(k, _)| k != key);
    env.push((key.to_owned(), value.to_owned()));
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A challenge whose `validation` line two workers wrote is counted twice; other lines,
    /// other messages and text that is not JSON are skipped.
    #[test]
    fn completions_are_counted_per_challenge_from_json_logs() {
        let dir = std::env::temp_dir().join(format!("chaos-log-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let line = |id: i64| {
            format!(
                r#"{{"timestamp":"2026-11-30T06:00:00Z","level":"INFO","message":"validation","challenge":{id},"kind":"http-01","identifier":"a.example.jp","ok":true}}"#
            )
        };
        let one = dir.join("worker1.log");
        let two = dir.join("worker2.log");
        std::fs::write(
            &one,
            format!("{}\n{}\nnot json \"validation\"\n", line(1), line(2)),
        )
        .unwrap();
        std::fs::write(
            &two,
            format!(
                "{}\n{}\n",
                line(2),
                r#"{"level":"INFO","message":"listening","challenge":3,"note":"validation"}"#
            ),
        )
        .unwrap();
        let seen = validations_completed(&[one, two]);
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(seen, BTreeMap::from([(1, 1), (2, 2)]));
    }

    /// The deploy/ files parse, and every HAProxy line the test replaces is there.
    #[test]
    fn the_deploy_files_are_what_the_test_reads() {
        let deploy = Path::new(env!("CARGO_MANIFEST_DIR")).join("../deploy");
        let env = env_file(&deploy.join("certdirect.env.example")).unwrap();
        assert!(env
            .iter()
            .any(|(k, v)| k == "CERTDIRECT_TRUSTED_PROXIES" && v == "127.0.0.1"));
        let (args, env) = unit(&deploy.join("certdirect-web@.service"), "8081").unwrap();
        assert_eq!(args, ["serve", "--role", "web"]);
        assert!(env.contains(&("CERTDIRECT_LISTEN".into(), "127.0.0.1:8081".into())));
        let (args, _) = unit(&deploy.join("certdirect-worker@.service"), "1").unwrap();
        assert_eq!(args, ["serve", "--role", "worker"]);
        let (args, _) = unit(&deploy.join("certdirect-perspective.service"), "").unwrap();
        assert_eq!(args, ["serve", "--role", "perspective"]);
        let cfg = std::fs::read_to_string(deploy.join("haproxy.cfg")).unwrap();
        for (from, _) in HAPROXY_EDITS {
            assert!(cfg.contains(from), "{from:?}");
        }
        assert!(cfg.contains("/api/v1/health"));
        assert!(Options::parse(&["--secs".into(), "10".into()]).is_err());
        assert_eq!(Options::parse(&["--secs=60".into()]).unwrap().secs, 60);
    }
}
