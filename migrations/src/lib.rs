//! The CertDirect schema, one migration per change, each with `up` and `down`.
//! Every migration runs unchanged on SQLite (the embedded default) and PostgreSQL.

pub use sea_orm_migration::prelude::*;

mod m20261124_000001_customers;
mod m20261124_000002_audit_log;
mod m20261124_000003_acme_accounts;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261124_000001_customers::Migration),
            Box::new(m20261124_000002_audit_log::Migration),
            Box::new(m20261124_000003_acme_accounts::Migration),
        ]
    }
}

/// A `BIGINT` primary key that the database numbers itself on both engines.
pub(crate) fn id_column<T: IntoIden>(name: T) -> ColumnDef {
    ColumnDef::new(name)
        .big_integer()
        .not_null()
        .auto_increment()
        .primary_key()
        .to_owned()
}

/// A timestamp with time zone; stored in UTC (R-ALL-2).
pub(crate) fn ts<T: IntoIden>(name: T) -> ColumnDef {
    ColumnDef::new(name)
        .timestamp_with_time_zone()
        .not_null()
        .to_owned()
}

/// A nullable timestamp with time zone.
pub(crate) fn ts_null<T: IntoIden>(name: T) -> ColumnDef {
    ColumnDef::new(name)
        .timestamp_with_time_zone()
        .null()
        .to_owned()
}
