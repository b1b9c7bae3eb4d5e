//! Outgoing email: SMTP when `CERTDIRECT_SMTP_URL` is set, otherwise one `.eml` file per
//! message in `<data dir>/outbox/` (SPEC.md §5).

pub mod templates;

use std::path::PathBuf;

use anyhow::Context;
use lettre::message::{header::ContentType, Mailbox};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::config::Config;

/// A message ready to send: one plain-text body (UTF-8).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    pub to: String,
    pub subject: String,
    pub body: String,
}

pub struct Mailer {
    from: Mailbox,
    transport: Transport,
}

enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Outbox(PathBuf),
}

impl Mailer {
    pub fn new(config: &Config) -> anyhow::Result<Self> {
        let from: Mailbox = config.mail_from.parse().context("CERTDIRECT_MAIL_FROM")?;
        let transport = match &config.smtp_url {
            Some(url) => Transport::Smtp(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .context("CERTDIRECT_SMTP_URL is not a usable SMTP URL")?
                    .build(),
            ),
            None => Transport::Outbox(config.outbox_dir()),
        };
        Ok(Self { from, transport })
    }

    /// Where messages go, for the start-up log.
    pub fn describe(&self) -> String {
        match &self.transport {
            Transport::Smtp(_) => "SMTP (CERTDIRECT_SMTP_URL)".to_owned(),
            Transport::Outbox(dir) => format!("files in {}", dir.display()),
        }
    }

    pub async fn send(&self, email: &Email) -> anyhow::Result<()> {
        let to: Mailbox = email
            .to
            .parse()
            .with_context(|| format!("the recipient {:?} is not a mailbox", email.to))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(email.subject.clone())
            .header(ContentType::TEXT_PLAIN)
            .body(email.body.clone())
            .context("building the email")?;
        match &self.transport {
            Transport::Smtp(smtp) => {
                smtp.send(message)
                    .await
                    .context("sending the email over SMTP")?;
            }
            Transport::Outbox(dir) => {
                tokio::fs::create_dir_all(dir)
                    .await
                    .with_context(|| format!("creating the outbox {}", dir.display()))?;
                let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%S%.6fZ");
                let name = format!("{stamp}-{}.eml", uuid::Uuid::new_v4().simple());
                // Written under a temporary name and renamed, so a reader never sees half a message.
                let tmp = dir.join(format!(".{name}.tmp"));
                tokio::fs::write(&tmp, message.formatted())
                    .await
                    .with_context(|| format!("writing {}", tmp.display()))?;
                tokio::fs::rename(&tmp, dir.join(&name))
                    .await
                    .context("moving the email into the outbox")?;
            }
        }
        tracing::info!(subject = %email.subject, "email sent");
        Ok(())
    }
}
