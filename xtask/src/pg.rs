//! The PostgreSQL the test stage and the benchmark run on: `CERTDIRECT_TEST_PG_ADMIN_URL` when
//! set, else the server answering at 127.0.0.1:5432, else a throwaway cluster of our own (as
//! Debian's `pg_virtualenv` makes one): PostgreSQL installed from apt when missing, `initdb` in a
//! temporary directory with trust authentication on a free loopback port, started with `pg_ctl`,
//! and stopped and removed when the [`Postgres`] is dropped, so on failure too.
//!
//! `initdb` refuses to run as root: as root the cluster belongs to the `postgres` user (made by
//! the Debian package) and every `initdb`/`pg_ctl` runs through `runuser -u postgres --`.

use std::net::{Ipv4Addr, SocketAddrV4, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};

use crate::{apt_install, have, is_root, sh};

/// The port probed for a running server when `CERTDIRECT_TEST_PG_ADMIN_URL` is unset.
pub const DEFAULT_PORT: u16 = 5432;
/// Overrides [`DEFAULT_PORT`] (for testing the throwaway cluster on a machine whose own server
/// runs: point it at a port where nothing answers).
pub const PROBE_PORT_ENV: &str = "CERTDIRECT_TEST_PG_PROBE_PORT";

/// A PostgreSQL to run tests on; a throwaway cluster is stopped and deleted on drop.
pub struct Postgres {
    /// The administration URL (database `postgres`, superuser `postgres`).
    pub url: String,
    cluster: Option<Cluster>,
}

impl Postgres {
    /// Whether this is a throwaway cluster of our own.
    pub fn is_throwaway(&self) -> bool {
        self.cluster.is_some()
    }

    /// A throwaway cluster of our own, whatever else answers (for tests that stop the server).
    pub fn throwaway() -> anyhow::Result<Postgres> {
        if !have("psql") {
            apt_install(&["postgresql-client"])?;
        }
        start_throwaway()
    }

    /// Restarts a throwaway cluster (`pg_ctl restart -m fast`: every session is cut); refuses
    /// to touch a server that is not ours.
    pub fn restart(&self) -> anyhow::Result<()> {
        let cluster = self
            .cluster
            .as_ref()
            .context("only a throwaway cluster of our own is restarted")?;
        sh(as_postgres(&cluster.pg_ctl)
            .arg("restart")
            .arg("-D")
            .arg(cluster.dir.join("data"))
            .arg("-l")
            .arg(cluster.dir.join("postgresql.log"))
            .args(["-m", "fast", "-w", "-t", "60"])
            .stdout(std::process::Stdio::null()))
    }
}

struct Cluster {
    dir: PathBuf,
    pg_ctl: PathBuf,
}

impl Drop for Cluster {
    fn drop(&mut self) {
        println!(
            "stopping the throwaway PostgreSQL cluster in {}",
            self.dir.display()
        );
        let data = self.dir.join("data");
        let _ = as_postgres(&self.pg_ctl)
            .arg("stop")
            .arg("-D")
            .arg(&data)
            .args(["-m", "fast", "-w", "-t", "30"])
            .stdout(std::process::Stdio::null())
            .status();
        if let Err(e) = std::fs::remove_dir_all(&self.dir) {
            eprintln!("could not remove {}: {e}", self.dir.display());
        }
    }
}

/// `program` run as the `postgres` user when we are root (initdb cannot run as root).
fn as_postgres(program: &Path) -> Command {
    if is_root() {
        let mut cmd = Command::new("runuser");
        cmd.args(["-u", "postgres", "--"]).arg(program);
        cmd
    } else {
        Command::new(program)
    }
}

fn answers(port: u16) -> bool {
    TcpStream::connect_timeout(
        &SocketAddrV4::new(Ipv4Addr::LOCALHOST, port).into(),
        Duration::from_millis(500),
    )
    .is_ok()
}

fn psql_ok(url: &str) -> bool {
    Command::new("psql")
        .args([url, "-tAc", "SELECT 1"])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// The PostgreSQL to test on (see the module's comment), saying which.
pub fn ensure_postgres() -> anyhow::Result<Postgres> {
    let probe = match std::env::var(PROBE_PORT_ENV) {
        Ok(p) => p
            .parse()
            .with_context(|| format!("{PROBE_PORT_ENV}={p:?} is not a port number"))?,
        Err(_) => DEFAULT_PORT,
    };
    ensure_postgres_at(std::env::var("CERTDIRECT_TEST_PG_ADMIN_URL").ok(), probe)
}

/// [`ensure_postgres`] with the configured URL and the port to probe given.
pub fn ensure_postgres_at(admin_url: Option<String>, probe_port: u16) -> anyhow::Result<Postgres> {
    if !have("psql") {
        apt_install(&["postgresql-client"])?;
    }
    if let Some(url) = admin_url.filter(|u| !u.is_empty()) {
        if !psql_ok(&url) {
            bail!("CERTDIRECT_TEST_PG_ADMIN_URL={url}: PostgreSQL does not answer there (psql SELECT 1 failed)");
        }
        println!("PostgreSQL: CERTDIRECT_TEST_PG_ADMIN_URL={url}");
        return Ok(Postgres { url, cluster: None });
    }
    let url = format!("postgres://postgres@127.0.0.1:{probe_port}/postgres");
    if answers(probe_port) {
        if !psql_ok(&url) {
            bail!("something answers at 127.0.0.1:{probe_port} but `psql {url}` fails (trust authentication for the user postgres is expected); set CERTDIRECT_TEST_PG_ADMIN_URL");
        }
        println!("PostgreSQL: the server at 127.0.0.1:{probe_port}");
        return Ok(Postgres { url, cluster: None });
    }
    println!(
        "PostgreSQL: nothing answers at 127.0.0.1:{probe_port} and CERTDIRECT_TEST_PG_ADMIN_URL is unset: making a throwaway cluster"
    );
    let cluster = start_throwaway()?;
    Ok(cluster)
}

/// The newest installed server's `bin` directory (Debian: /usr/lib/postgresql/<version>/bin),
/// installing the `postgresql` package when there is none.
fn server_bin() -> anyhow::Result<PathBuf> {
    let find = || -> Option<PathBuf> {
        let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
            .ok()?
            .flatten()
            .filter_map(|d| {
                let version = d.file_name().to_string_lossy().parse::<u32>().ok()?;
                let bin = d.path().join("bin");
                bin.join("initdb").exists().then_some((version, bin))
            })
            .collect();
        found.sort();
        found.pop().map(|(_, bin)| bin)
    };
    if let Some(bin) = find() {
        return Ok(bin);
    }
    println!("the PostgreSQL server is not installed: installing it (apt: postgresql)");
    apt_install(&["postgresql"])?;
    find().context("the postgresql package is installed but no /usr/lib/postgresql/*/bin/initdb")
}

/// A loopback port nothing listens on now.
fn free_port() -> anyhow::Result<u16> {
    let listener =
        TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).context("finding a free loopback port")?;
    Ok(listener.local_addr()?.port())
}

fn start_throwaway() -> anyhow::Result<Postgres> {
    let bin = server_bin()?;
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let dir = std::env::temp_dir().join(format!("certdirect-pg-{}-{nanos}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    if is_root() {
        sh(Command::new("chown").arg("postgres:postgres").arg(&dir))?;
    }
    let pg_ctl = bin.join("pg_ctl");
    // From here on the guard stops and removes whatever was made, whatever fails next.
    let cluster = Cluster {
        dir: dir.clone(),
        pg_ctl: pg_ctl.clone(),
    };
    let data = dir.join("data");
    let port = free_port()?;
    println!(
        "initdb in {} (trust authentication, superuser postgres)",
        data.display()
    );
    sh(as_postgres(&bin.join("initdb"))
        .arg("-D")
        .arg(&data)
        .args([
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--no-sync",
            "--locale=C",
        ])
        .stdout(std::process::Stdio::null()))?;
    println!("starting it with pg_ctl on 127.0.0.1:{port}");
    let options = format!(
        "-c listen_addresses=127.0.0.1 -p {port} -k {} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200",
        dir.display()
    );
    let log = dir.join("postgresql.log");
    let started = sh(as_postgres(&pg_ctl)
        .arg("start")
        .arg("-D")
        .arg(&data)
        .arg("-l")
        .arg(&log)
        .args(["-w", "-t", "60", "-o", &options])
        .stdout(std::process::Stdio::null()));
    if let Err(e) = started {
        let tail = std::fs::read_to_string(&log).unwrap_or_default();
        bail!("{e:#}; the server's log:\n{tail}");
    }
    let url = format!("postgres://postgres@127.0.0.1:{port}/postgres");
    let deadline = Instant::now() + Duration::from_secs(30);
    while !psql_ok(&url) {
        if Instant::now() > deadline {
            bail!("the throwaway cluster does not answer at {url}");
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    println!("PostgreSQL: throwaway cluster at {url} (stopped and removed at the end)");
    Ok(Postgres {
        url,
        cluster: Some(cluster),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Where nothing answers, a throwaway cluster is made, answers, and is gone after the drop.
    #[test]
    fn a_throwaway_cluster_where_nothing_answers() {
        let nothing = free_port().unwrap();
        assert!(!answers(nothing));
        let pg = ensure_postgres_at(None, nothing).unwrap();
        assert!(pg.is_throwaway());
        assert!(psql_ok(&pg.url), "{}", pg.url);
        let port: u16 = url::Url::parse(&pg.url).unwrap().port().unwrap();
        let dir = pg.cluster.as_ref().unwrap().dir.clone();
        assert!(dir.join("data/PG_VERSION").exists());
        drop(pg);
        assert!(!answers(port), "stopped");
        assert!(!dir.exists(), "removed");
    }

    /// A configured URL that does not answer is an error naming it, not a cluster of our own.
    #[test]
    fn a_configured_url_must_answer() {
        let nothing = free_port().unwrap();
        let url = format!("postgres://postgres@127.0.0.1:{nothing}/postgres");
        let err = ensure_postgres_at(Some(url.clone()), DEFAULT_PORT)
            .err()
            .unwrap();
        assert!(err.to_string().contains(&url), "{err}");
    }
}
