//! REST API integration tests against the real server on loopback. Each test gets a fresh
//! database: SQLite by default, PostgreSQL when CERTDIRECT_TEST_DATABASE_URL is set.

mod accounts;
mod acme;
mod ari;
mod attacks;
mod caa;
mod campaigns;
mod compliance;
mod dns_persist;
mod dnssec;
mod helpers;
mod idempotency;
mod invoice_documents;
mod jose;
mod language;
mod limits;
mod mpic;
mod openapi;
mod operations;
mod operator;
mod orders;
mod outbox;
mod paging;
mod perf;
mod profiles;
mod registrations;
mod reminders;
mod security;
mod sessions;
mod shutdown;
mod support;
mod tokens;
mod va_env;
mod web;
mod webhooks;
