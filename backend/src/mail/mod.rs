//! Outgoing email through a transactional outbox (docs/decisions.md, "Emails"): a message is
//! written into `mail_outbox` in the transaction of the change it announces
//! ([`Mailer::send`]); a mail worker ([`outbox::worker`], in every process of the worker role)
//! hands it afterwards to SMTP when `CERTDIRECT_SMTP_URL` is set, otherwise writes one `.eml`
//! file per message in `<data dir>/outbox/` (SPEC.md §5).

pub mod outbox;
pub mod templates;

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use lettre::message::{header::ContentType, Mailbox};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};

use crate::config::Config;
use crate::store::entity::mail_outbox;

/// A message ready to send: one plain-text body (UTF-8).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    pub to: String,
    pub subject: String,
    pub body: String,
}

/// The wall clock of the outbox's times (due, leased, sent): the mail worker's schedule is real
/// time even when the server's clock is a test clock.
pub fn wall_now() -> chrono::DateTime<chrono::Utc> {
    chrono::Utc::now()
}

pub struct Mailer {
    from: Mailbox,
    transport: Transport,
    /// Wakes this process's mail worker when a message is written.
    pub wakeup: tokio::sync::Notify,
    /// How long a worker holds a message while handing it over.
    pub lease: Duration,
    /// How often an idle worker looks at the outbox.
    pub poll: Duration,
}

enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Files(PathBuf),
}

impl Mailer {
    pub fn new(config: &Config) -> anyhow::Result<Self> {
        let from: Mailbox = config.mail_from.parse().context("CERTDIRECT_MAIL_FROM")?;
        let lease = Duration::from_secs(config.mail_lease_secs);
        let transport = match &config.smtp_url {
            // Half the lease: a send that is still waiting for the server when its lease would
            // run out has given up first, so a live worker never loses a message it is sending.
            Some(url) => Transport::Smtp(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .context("CERTDIRECT_SMTP_URL is not a usable SMTP URL")?
                    .timeout(Some(lease / 2))
                    .build(),
            ),
            None => Transport::Files(config.outbox_dir()),
        };
        Ok(Self {
            from,
            transport,
            wakeup: tokio::sync::Notify::new(),
            lease,
            poll: Duration::from_millis(config.mail_poll_ms),
        })
    }

    /// Where messages go, for the start-up log.
    pub fn describe(&self) -> String {
        match &self.transport {
            Transport::Smtp(_) => "SMTP (CERTDIRECT_SMTP_URL) through the mail outbox".to_owned(),
            Transport::Files(dir) => {
                format!("files in {} through the mail outbox", dir.display())
            }
        }
    }

    /// Writes `email` into the outbox on `db` — the transaction of the change it announces — so
    /// it is sent if and only if that transaction commits. Nothing is sent here: a mail worker
    /// hands it over after the commit (this process's worker is woken at once).
    pub async fn send(&self, db: &impl ConnectionTrait, email: &Email) -> anyhow::Result<()> {
        // The recipient is checked now, so a bad address fails the change rather than a worker.
        let _: Mailbox = email
            .to
            .parse()
            .with_context(|| format!("the recipient {:?} is not a mailbox", email.to))?;
        let now = wall_now();
        let message_id = format!(
            "<outbox.{}@{}>",
            uuid::Uuid::new_v4().simple(),
            self.from.email.domain()
        );
        mail_outbox::ActiveModel {
            message_id: Set(message_id),
            recipient: Set(email.to.clone()),
            subject: Set(email.subject.clone()),
            body: Set(email.body.clone()),
            status: Set(mail_outbox::QUEUED.to_owned()),
            attempts: Set(0),
            next_attempt_at: Set(now),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(db)
        .await
        .context("writing the email into the mail outbox")?;
        self.wakeup.notify_one();
        Ok(())
    }

    /// Hands one outbox message to SMTP or to the `.eml` directory, with its stored Message-ID.
    pub async fn deliver(&self, msg: &mail_outbox::Model) -> anyhow::Result<()> {
        let to: Mailbox = msg
            .recipient
            .parse()
            .with_context(|| format!("the recipient {:?} is not a mailbox", msg.recipient))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(msg.subject.clone())
            .message_id(Some(msg.message_id.clone()))
            .header(ContentType::TEXT_PLAIN)
            .body(msg.body.clone())
            .context("building the email")?;
        match &self.transport {
            Transport::Smtp(smtp) => {
                smtp.send(message)
                    .await
                    .context("sending the email over SMTP")?;
            }
            Transport::Files(dir) => {
                tokio::fs::create_dir_all(dir)
                    .await
                    .with_context(|| format!("creating the outbox {}", dir.display()))?;
                let stamp = msg.created_at.format("%Y%m%dT%H%M%S%.6fZ");
                // Named after the row: sorted by creation, and a repeated hand-off of the same
                // message replaces its file rather than adding a second one.
                let name = format!("{stamp}-{:012}.eml", msg.id);
                // Written under a temporary name and renamed, so a reader never sees half a message.
                let tmp = dir.join(format!(".{name}.{}.tmp", uuid::Uuid::new_v4().simple()));
                tokio::fs::write(&tmp, message.formatted())
                    .await
                    .with_context(|| format!("writing {}", tmp.display()))?;
                tokio::fs::rename(&tmp, dir.join(&name))
                    .await
                    .context("moving the email into the outbox")?;
            }
        }
        tracing::info!(id = msg.id, subject = %msg.subject, "email sent");
        Ok(())
    }
}
