//! Issue "The REST API as resellers build on it", item 6: signed webhooks. A customer's
//! endpoints (the signing secret sealed with the server's secret box), the outbox of deliveries
//! (written in the transaction of the change each announces, one row per subscribed endpoint,
//! taken by workers with a compare-and-set lease like the validation queue) and every attempt.

use sea_orm_migration::prelude::*;

use crate::{id_column, ts, ts_null};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum WebhookEndpoints {
    Table,
    Id,
    CustomerId,
    Url,
    Description,
    SecretNonce,
    Secret,
    Events,
    Enabled,
    CreatedAt,
    UpdatedAt,
    DeletedAt,
}

#[derive(DeriveIden)]
enum WebhookDeliveries {
    Table,
    Id,
    EndpointId,
    CustomerId,
    MsgId,
    EventType,
    Payload,
    Status,
    Tries,
    NextAttemptAt,
    LockedBy,
    LockedUntil,
    CreatedAt,
    FinishedAt,
}

#[derive(DeriveIden)]
enum WebhookAttempts {
    Table,
    Id,
    DeliveryId,
    At,
    DurationMs,
    StatusCode,
    Error,
    Succeeded,
}

const ENDPOINTS_CUSTOMER: &str = "ix_webhook_endpoints_customer";
const DELIVERIES_MSG_ID: &str = "uq_webhook_deliveries_msg_id";
const DELIVERIES_DUE: &str = "ix_webhook_deliveries_status_next";
const DELIVERIES_ENDPOINT: &str = "ix_webhook_deliveries_endpoint";
const ATTEMPTS_DELIVERY: &str = "ix_webhook_attempts_delivery";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(WebhookEndpoints::Table)
                    .col(id_column(WebhookEndpoints::Id))
                    .col(
                        ColumnDef::new(WebhookEndpoints::CustomerId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(ColumnDef::new(WebhookEndpoints::Url).text().not_null())
                    .col(
                        ColumnDef::new(WebhookEndpoints::Description)
                            .string_len(200)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(WebhookEndpoints::SecretNonce)
                            .string_len(64)
                            .not_null(),
                    )
                    .col(ColumnDef::new(WebhookEndpoints::Secret).text().not_null())
                    .col(ColumnDef::new(WebhookEndpoints::Events).text().not_null())
                    .col(
                        ColumnDef::new(WebhookEndpoints::Enabled)
                            .boolean()
                            .not_null(),
                    )
                    .col(ts(WebhookEndpoints::CreatedAt))
                    .col(ts(WebhookEndpoints::UpdatedAt))
                    .col(ts_null(WebhookEndpoints::DeletedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name(ENDPOINTS_CUSTOMER)
                    .table(WebhookEndpoints::Table)
                    .col(WebhookEndpoints::CustomerId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(WebhookDeliveries::Table)
                    .col(id_column(WebhookDeliveries::Id))
                    .col(
                        ColumnDef::new(WebhookDeliveries::EndpointId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(WebhookDeliveries::CustomerId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(WebhookDeliveries::MsgId)
                            .string_len(64)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(WebhookDeliveries::EventType)
                            .string_len(64)
                            .not_null(),
                    )
                    .col(ColumnDef::new(WebhookDeliveries::Payload).text().not_null())
                    .col(
                        ColumnDef::new(WebhookDeliveries::Status)
                            .string_len(16)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(WebhookDeliveries::Tries)
                            .integer()
                            .not_null(),
                    )
                    .col(ts(WebhookDeliveries::NextAttemptAt))
                    .col(
                        ColumnDef::new(WebhookDeliveries::LockedBy)
                            .string_len(128)
                            .null(),
                    )
                    .col(ts_null(WebhookDeliveries::LockedUntil))
                    .col(ts(WebhookDeliveries::CreatedAt))
                    .col(ts_null(WebhookDeliveries::FinishedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name(DELIVERIES_MSG_ID)
                    .table(WebhookDeliveries::Table)
                    .col(WebhookDeliveries::MsgId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name(DELIVERIES_DUE)
                    .table(WebhookDeliveries::Table)
                    .col(WebhookDeliveries::Status)
                    .col(WebhookDeliveries::NextAttemptAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name(DELIVERIES_ENDPOINT)
                    .table(WebhookDeliveries::Table)
                    .col(WebhookDeliveries::EndpointId)
                    .col(WebhookDeliveries::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(WebhookAttempts::Table)
                    .col(id_column(WebhookAttempts::Id))
                    .col(
                        ColumnDef::new(WebhookAttempts::DeliveryId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(ts(WebhookAttempts::At))
                    .col(
                        ColumnDef::new(WebhookAttempts::DurationMs)
                            .big_integer()
                            .not_null(),
                    )
                    .col(ColumnDef::new(WebhookAttempts::StatusCode).integer().null())
                    .col(ColumnDef::new(WebhookAttempts::Error).text().null())
                    .col(
                        ColumnDef::new(WebhookAttempts::Succeeded)
                            .boolean()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name(ATTEMPTS_DELIVERY)
                    .table(WebhookAttempts::Table)
                    .col(WebhookAttempts::DeliveryId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            WebhookAttempts::Table.into_iden(),
            WebhookDeliveries::Table.into_iden(),
            WebhookEndpoints::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
