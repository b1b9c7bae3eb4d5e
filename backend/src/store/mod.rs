//! Persistence: sea-orm entities, the connection, and migrations. The same code runs on
//! SQLite (embedded default) and PostgreSQL (R-ALL-3).

pub mod entity;

use std::time::Duration;

use anyhow::Context;
use migrations::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, Database, DatabaseConnection};

use crate::config::Config;

/// Opens the configured database (creating the SQLite file and its directory if needed).
pub async fn connect(config: &Config) -> anyhow::Result<DatabaseConnection> {
    if config.database_url.starts_with("sqlite:") {
        std::fs::create_dir_all(&config.data_dir).with_context(|| {
            format!("creating the data directory {}", config.data_dir.display())
        })?;
    }
    let mut options = ConnectOptions::new(config.database_url.clone());
    options
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(10))
        .max_connections(config.database_max_connections.unwrap_or(
            if config.database_url.starts_with("sqlite:") {
                1
            } else {
                10
            },
        ))
        .sqlx_logging(false);
    if let Some(schema) = &config.database_schema {
        options.set_schema_search_path(schema.clone());
    }
    // SQLite as a server database: one connection per process by default (SQLite has one writer
    // at a time anyway; queueing in the pool costs no sleeps, and a transaction that reads before
    // it writes cannot fail with "database is locked" against another connection of the same
    // process); WAL so readers never wait for the writer; a busy timeout so a writer of another
    // process queues instead of failing; synchronous=FULL so a commit (an issued certificate
    // above all) is on disk before the response; foreign keys and a larger page cache.
    options.map_sqlx_sqlite_opts(|opts| {
        opts.journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
            .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Full)
            .busy_timeout(Duration::from_secs(10))
            .pragma("cache_size", "-16000")
            .pragma("temp_store", "memory")
    });
    let mut db = Database::connect(options).await.with_context(|| {
        format!(
            "connecting to the database {}",
            redact(&config.database_url)
        )
    })?;
    db.set_metric_callback(|info| {
        let _ = STATEMENTS.try_with(|n| n.set(n.get() + 1));
        tracing::debug!(target: "certdirect::sql", elapsed_us = info.elapsed.as_micros() as u64, sql = %info.statement.sql);
    });
    Ok(db)
}

tokio::task_local! {
    /// Statements run by the task inside [`counting`].
    static STATEMENTS: std::cell::Cell<u32>;
}

/// Runs `fut` and counts the database statements it runs on this task (not BEGIN and COMMIT):
/// the per-request budget of R-ACME-12, logged and exported as a metric for every request.
pub async fn counting<F: std::future::Future>(fut: F) -> (F::Output, u32) {
    STATEMENTS
        .scope(std::cell::Cell::new(0), async move {
            let out = fut.await;
            (out, STATEMENTS.with(|n| n.get()))
        })
        .await
}

/// Brings the schema up to date.
pub async fn migrate(db: &DatabaseConnection) -> anyhow::Result<()> {
    Migrator::up(db, None)
        .await
        .context("running database migrations")
}

/// The URL without its password, for messages.
pub fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => url.to_owned(),
    }
}

/// Whether an error is a unique-constraint violation (on either engine).
pub fn is_unique_violation(err: &sea_orm::DbErr) -> bool {
    matches!(
        err.sql_err(),
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
    )
}
