//! The `certdirect` command (SPEC.md §5).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use certdirect::clock::{Clock, FileClock, SystemClock};
use certdirect::config::{Config, LogFormat};
use clap::{Parser, Subcommand, ValueEnum};

#[derive(Parser)]
#[command(
    name = "certdirect",
    version,
    about = "CertDirect: DV certificates sold through a portal, issued over ACME"
)]
struct Cli {
    /// TOML configuration file; CERTDIRECT_* environment variables override it.
    #[arg(long, global = true, env = "CERTDIRECT_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Migrate the database and serve the portal, the REST API and the background jobs.
    Serve {
        /// Which parts this process runs.
        #[arg(long, value_enum, default_value_t = Role::All)]
        role: Role,
    },
    /// Bring the database schema up to date and exit.
    Migrate,
    /// The certificate authority.
    Ca {
        #[command(subcommand)]
        command: CaCommand,
    },
    /// Copy the SQLite database (consistent while servers write), the CA files and the EAB
    /// encryption key into one archive with a manifest.
    Backup {
        /// The archive to write (tar); must not exist.
        #[arg(long, value_name = "FILE")]
        to: PathBuf,
        /// Only the CA and key files, not the database: what PostgreSQL needs besides its pg_dump.
        #[arg(long)]
        files_only: bool,
    },
    /// Restore an archive from `backup` into a new data directory.
    Restore {
        /// The archive `certdirect backup` wrote.
        #[arg(long, value_name = "FILE")]
        from: PathBuf,
        /// The data directory to make (it must not exist or be empty).
        #[arg(long, value_name = "DIR")]
        to: PathBuf,
    },
    /// Operator accounts.
    Operator {
        #[command(subcommand)]
        command: OperatorCommand,
    },
}

#[derive(Subcommand)]
enum OperatorCommand {
    /// Create an operator account (email verified, role operator).
    Create {
        #[arg(long)]
        email: String,
        #[arg(long)]
        password: String,
        #[arg(long, default_value = "Operator")]
        name: String,
    },
}

#[derive(Subcommand)]
enum CaCommand {
    /// Make the root and intermediate CA in <data dir>/ca unless they exist, and print their paths.
    Init {
        /// Write the root key into this directory (made owner-only) instead of the data
        /// directory, for an offline root; with an existing CA, move its root key there.
        #[arg(long, value_name = "DIR")]
        root_key_out: Option<PathBuf>,
    },
    /// Sign the root's CRL (valid 12 months) with the offline root key.
    RootCrl {
        /// The root's private key (PEM), e.g. DIR/root.key from `ca init --root-key-out DIR`.
        #[arg(long, value_name = "FILE")]
        root_key: PathBuf,
        /// The root certificate [default: <data dir>/ca/root.crt].
        #[arg(long, value_name = "FILE")]
        root_cert: Option<PathBuf>,
        /// Where to write the CRL (DER) [default: <data dir>/ca/root.crl, which `serve` publishes].
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Sign a new intermediate certificate with the offline root key.
    SignIntermediate {
        /// The root's private key (PEM).
        #[arg(long, value_name = "FILE")]
        root_key: PathBuf,
        /// The root certificate [default: <data dir>/ca/root.crt].
        #[arg(long, value_name = "FILE")]
        root_cert: Option<PathBuf>,
        /// Certify this existing intermediate key (e.g. <data dir>/ca/intermediate.key) instead
        /// of making a new one.
        #[arg(long, value_name = "FILE")]
        key: Option<PathBuf>,
        /// A directory for intermediate.crt (and intermediate.key); neither may exist there.
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Role {
    /// Web and background jobs in one process (the default).
    All,
    /// Only the HTTP server.
    Web,
    /// Only the background jobs.
    Worker,
    /// A remote validation perspective (R-VAL-7): no database, only signed validation requests.
    Perspective,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let config = match Config::load(cli.config.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("certdirect: configuration error: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    init_logging(config.log_format);
    match run(cli.command, config).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("certdirect: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn init_logging(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("CERTDIRECT_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,sea_orm=warn"));
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stdout());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_ansi(ansi);
    match format {
        LogFormat::Json => builder.json().flatten_event(true).init(),
        LogFormat::Text => builder.init(),
    }
}

async fn run(command: Command, config: Config) -> anyhow::Result<()> {
    match command {
        Command::Migrate => {
            let db = certdirect::store::connect(&config).await?;
            certdirect::store::migrate(&db).await?;
            println!(
                "database is up to date ({})",
                certdirect::store::redact(&config.database_url)
            );
            Ok(())
        }
        Command::Operator {
            command:
                OperatorCommand::Create {
                    email,
                    password,
                    name,
                },
        } => create_operator(config, &email, &password, &name).await,
        Command::Serve { role } => serve(config, role).await,
        Command::Ca { command } => ca(command, config),
        Command::Backup { to, files_only } => backup(config, &to, files_only).await,
        Command::Restore { from, to } => restore(&from, &to),
    }
}

async fn backup(config: Config, to: &std::path::Path, files_only: bool) -> anyhow::Result<()> {
    let summary =
        certdirect::backup::backup(&config, to, files_only, &|step| println!("{step}")).await?;
    println!(
        "wrote {} ({} bytes): {}",
        to.display(),
        summary.archive_bytes,
        summary
            .manifest
            .files
            .iter()
            .map(|f| f.path.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    for note in &summary.notes {
        println!("NOTE: {note}");
    }
    Ok(())
}

fn restore(from: &std::path::Path, to: &std::path::Path) -> anyhow::Result<()> {
    let summary = certdirect::backup::restore(from, to, &|step| println!("{step}"))?;
    let m = &summary.manifest;
    println!(
        "restored the backup of {} (certdirect {}) into {}",
        m.created_at.format("%Y-%m-%d %H:%M:%SZ"),
        m.certdirect_version,
        to.display()
    );
    match &m.database_file {
        Some(db) => println!(
            "start a server on it with CERTDIRECT_DATA_DIR={} (the database is {}, the default there; unset CERTDIRECT_DATABASE_URL)",
            to.display(),
            to.join(db).display()
        ),
        None => println!(
            "the database is not in this archive: restore the PostgreSQL dump taken with it (pg_restore), then start with CERTDIRECT_DATA_DIR={}",
            to.display()
        ),
    }
    println!("EAB encryption key: {}", m.eab_encryption_key);
    for item in &m.not_included {
        println!("not in the archive: {item}");
    }
    Ok(())
}

fn ca(command: CaCommand, config: Config) -> anyhow::Result<()> {
    use certdirect::ca::{root, CaPaths, RootUrls};
    let dir = config.data_dir.join("ca");
    let paths = CaPaths::in_dir(&dir);
    match command {
        CaCommand::Init { root_key_out } => {
            let done = root::init(
                &dir,
                &RootUrls::from_config(&config)?,
                root_key_out.as_deref(),
            )?;
            println!(
                "{} CA: root {} (trust this), intermediate {}",
                if done.made {
                    "made a new"
                } else {
                    "kept the existing"
                },
                paths.root_cert.display(),
                paths.intermediate_cert.display()
            );
            match (&done.root_key, &root_key_out) {
                (Some(key), Some(_)) => println!(
                    "root key: {} (keep it offline; `serve` does not need it)",
                    key.display()
                ),
                (Some(key), None) => println!(
                    "root key: {} (in the data directory; `ca init --root-key-out DIR` moves it out)",
                    key.display()
                ),
                (None, _) => println!("root key: not in the data directory (offline)"),
            }
            Ok(())
        }
        CaCommand::RootCrl {
            root_key,
            root_cert,
            out,
        } => {
            let out = out.unwrap_or(paths.root_crl);
            let next = root::sign_root_crl(
                root_cert.as_deref().unwrap_or(&paths.root_cert),
                &root_key,
                &out,
                time::OffsetDateTime::now_utc(),
            )?;
            println!(
                "signed the root's CRL into {} (nextUpdate {}); publish it at the intermediate's CRL distribution point",
                out.display(),
                chrono::DateTime::from_timestamp(next.unix_timestamp(), 0).unwrap_or_default()
            );
            Ok(())
        }
        CaCommand::SignIntermediate {
            root_key,
            root_cert,
            key,
            out,
        } => {
            let urls = RootUrls::from_config(&config)?;
            let signed = root::sign_intermediate(
                root_cert.as_deref().unwrap_or(&paths.root_cert),
                &root_key,
                &urls,
                key.as_deref(),
                &out,
            )?;
            println!(
                "signed a new intermediate: {} (CRL distribution point {}, caIssuers {})",
                signed.cert.display(),
                urls.crl,
                urls.ca_issuers
            );
            if let Some(key) = &signed.key {
                println!("its new key: {}", key.display());
            }
            Ok(())
        }
    }
}

async fn create_operator(
    config: Config,
    email: &str,
    password: &str,
    name: &str,
) -> anyhow::Result<()> {
    let db = certdirect::store::connect(&config).await?;
    certdirect::store::migrate(&db).await?;
    let row =
        certdirect::operators::create_operator(&db, email, password, name, chrono::Utc::now())
            .await?;
    println!("operator {} created for {}", row.customer_id(), row.email);
    Ok(())
}

/// Waits for Ctrl-C or SIGTERM. The SIGTERM handler is installed at once, when this is called.
fn shutdown_signal() -> impl std::future::Future<Output = ()> + Send + 'static {
    #[cfg(unix)]
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .expect("installing the SIGTERM handler");
    async move {
        let ctrl_c = tokio::signal::ctrl_c();
        #[cfg(unix)]
        tokio::select! { _ = ctrl_c => {}, _ = term.recv() => {} }
        #[cfg(not(unix))]
        let _ = ctrl_c.await;
        tracing::info!("shutting down");
    }
}

/// `serve --role perspective`: answers the primary's validation requests (R-VAL-7).
async fn serve_perspective(config: Config) -> anyhow::Result<()> {
    let secret = config
        .mpic
        .secret
        .clone()
        .context("a perspective needs CERTDIRECT_MPIC_SECRET, shared with the primary")?;
    let va = certdirect::va::VaConfig::from_config(&config);
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("listening on {} (CERTDIRECT_LISTEN)", config.listen))?;
    let addr = listener.local_addr()?;
    let tls = certdirect::tls::server_config(&config)?;
    tracing::info!(%addr, dns = ?va.dns_servers, "validation perspective listening");
    println!("CertDirect validation perspective at {addr}");
    certdirect::serve(
        listener,
        certdirect::perspective::router(va, secret),
        tls.map(|(c, _)| c),
        shutdown_signal(),
    )
    .await
}

/// Validation workers per process: each spends most of a validation waiting on DNS and HTTP.
const VALIDATION_WORKERS: usize = 16;

/// Webhook delivery workers per process: each attempt waits at most 10 seconds on a receiver.
const WEBHOOK_WORKERS: usize = 4;

async fn serve(config: Config, role: Role) -> anyhow::Result<()> {
    let clock: Arc<dyn Clock> = match &config.test_clock_file {
        Some(path) => {
            tracing::warn!(file = %path.display(),
                "TEST CLOCK: the server's time comes from CERTDIRECT_TEST_CLOCK_FILE (browser tests only; never in production)");
            Arc::new(FileClock::new(path))
        }
        None => Arc::new(SystemClock),
    };
    if role == Role::Perspective {
        return serve_perspective(config).await;
    }
    match certdirect::va::mpic::compliance(&config.mpic.perspectives) {
        certdirect::va::mpic::Compliance::Compliant => {}
        certdirect::va::mpic::Compliance::NotCompliant(why) => {
            tracing::warn!("multi-perspective issuance corroboration is not compliant: {why}")
        }
    }
    let state = certdirect::build_state(config.clone(), clock).await?;
    tracing::info!(
        database = %certdirect::store::redact(&config.database_url),
        mail = %state.mailer.describe(),
        "database migrated"
    );
    // SIGTERM or Ctrl-C marks the process stopping: /api/v1/health/ready answers 503, the job
    // loops take no new work, and the HTTP server stops accepting and drains.
    let signal = shutdown_signal();
    {
        let state = state.clone();
        tokio::spawn(async move {
            signal.await;
            state.stopping.send_replace(true);
        });
    }
    let mut workers = Vec::new();
    if role != Role::Web {
        workers = certdirect::orders::validation::spawn_workers(&state, VALIDATION_WORKERS);
        workers.push(certdirect::mail::outbox::spawn_worker(&state));
        certdirect::webhooks::delivery::spawn_workers(&state, WEBHOOK_WORKERS);
        tokio::spawn(certdirect::jobs::run(
            state.clone(),
            Duration::from_secs(config.jobs_billing_secs),
            Duration::from_secs(config.jobs_housekeeping_secs),
        ));
    }
    let mut stopping = state.stopping.subscribe();
    let delay = Duration::from_secs(config.shutdown_delay_secs);
    let stopped = async move {
        let _ = stopping.wait_for(|s| *s).await;
        // Readiness already answers 503; new connections are still taken for the delay.
        tokio::time::sleep(delay).await;
    };
    if role == Role::Worker {
        tracing::info!("worker started");
        let _ = state.stopping.subscribe().wait_for(|s| *s).await;
        certdirect::drain(&state, None, workers).await;
        return Ok(());
    }
    if !config.static_dir.join("index.html").exists() {
        tracing::warn!(dir = %config.static_dir.display(), "the portal is not built; run `cargo xtask run`");
    }
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("listening on {} (CERTDIRECT_LISTEN)", config.listen))?;
    let addr = listener.local_addr()?;
    let tls = certdirect::tls::server_config(&config)?;
    if let Some((_, cert)) = &tls {
        println!("HTTPS certificate: {}", cert.display());
    }
    tracing::info!(%addr, public_url = %config.public_url, "listening");
    println!("CertDirect is serving at {}", config.public_url);
    let mut server = tokio::spawn(certdirect::serve(
        listener,
        certdirect::app(state.clone()),
        tls.map(|(c, _)| c),
        stopped,
    ));
    let mut stopping = state.stopping.subscribe();
    tokio::select! {
        ended = &mut server => return ended.context("the HTTP server task")?,
        _ = stopping.wait_for(|s| *s) => {}
    }
    certdirect::drain(&state, Some(server), workers).await;
    Ok(())
}
