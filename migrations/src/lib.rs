//! The CertDirect schema, one migration per change, each with `up` and `down`.
//! Every migration runs unchanged on SQLite (the embedded default) and PostgreSQL.

pub use sea_orm_migration::prelude::*;

mod m20261124_000001_customers;
mod m20261124_000002_audit_log;
mod m20261124_000003_acme_accounts;
mod m20261124_000004_registrations;
mod m20261124_000005_orders;
mod m20261124_000006_certificate_reminders;
mod m20261129_000007_hot_path_indexes;
mod m20261201_000008_invoice_charge_claim;
mod m20261201_000009_login_limit_gates;
mod m20261201_000010_acme_rate_counters;
mod m20261202_000011_challenge_perspectives;
mod m20261202_000012_renewal_info;
mod m20261202_000013_certificates_revoked_at;
mod m20261202_000014_order_profile;
mod m20261202_000015_certificates_account_index;
mod m20261203_000016_inquiries;
mod m20261203_000017_reminders_sent;
mod m20261204_000018_idempotency_keys;
mod m20261205_000019_webhooks;
mod m20261206_000020_mail_outbox;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261124_000001_customers::Migration),
            Box::new(m20261124_000002_audit_log::Migration),
            Box::new(m20261124_000003_acme_accounts::Migration),
            Box::new(m20261124_000004_registrations::Migration),
            Box::new(m20261124_000005_orders::Migration),
            Box::new(m20261124_000006_certificate_reminders::Migration),
            Box::new(m20261129_000007_hot_path_indexes::Migration),
            Box::new(m20261201_000008_invoice_charge_claim::Migration),
            Box::new(m20261201_000009_login_limit_gates::Migration),
            Box::new(m20261201_000010_acme_rate_counters::Migration),
            Box::new(m20261202_000011_challenge_perspectives::Migration),
            Box::new(m20261202_000012_renewal_info::Migration),
            Box::new(m20261202_000013_certificates_revoked_at::Migration),
            Box::new(m20261202_000014_order_profile::Migration),
            Box::new(m20261202_000015_certificates_account_index::Migration),
            Box::new(m20261203_000016_inquiries::Migration),
            Box::new(m20261203_000017_reminders_sent::Migration),
            Box::new(m20261204_000018_idempotency_keys::Migration),
            Box::new(m20261205_000019_webhooks::Migration),
            Box::new(m20261206_000020_mail_outbox::Migration),
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

/// One index to create: name, table, columns.
pub(crate) type IndexSpec = (&'static str, DynIden, Vec<DynIden>);

/// Creates plain (non-unique) indexes.
pub(crate) async fn create_indexes(
    manager: &SchemaManager<'_>,
    specs: Vec<IndexSpec>,
) -> Result<(), DbErr> {
    for (name, table, cols) in specs {
        let mut index = Index::create().name(name).table(table).to_owned();
        for col in cols {
            index.col(col);
        }
        manager.create_index(index).await?;
    }
    Ok(())
}
