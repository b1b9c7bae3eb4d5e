//! Email texts: the customer's language first, the other one below it.

use chrono::{DateTime, Utc};
use shared::billing::{yen, PaymentMethod};
use shared::dto::Locale;
use shared::fqdn::CertType;

use super::Email;
use crate::store::entity::customer;

/// Who an email is for, and the brand it is sent under.
#[derive(Debug, Clone, Copy)]
pub struct Recipient<'a> {
    pub brand: &'a str,
    pub address: &'a str,
    pub locale: Locale,
    pub name: &'a str,
}

impl<'a> Recipient<'a> {
    /// The customer at its login address.
    pub fn customer(brand: &'a str, c: &'a customer::Model) -> Self {
        Recipient {
            brand,
            address: &c.email,
            locale: c.locale(),
            name: &c.name,
        }
    }

    /// The customer at its billing address.
    pub fn billing(brand: &'a str, c: &'a customer::Model) -> Self {
        Recipient {
            brand,
            address: &c.billing_email,
            locale: c.locale(),
            name: &c.name,
        }
    }
}

/// A time in Japan time, as the Japanese and the English text print it.
fn jst_pair(t: DateTime<Utc>) -> (String, String) {
    (
        crate::jst::format(t, Locale::Ja),
        crate::jst::format(t, Locale::En),
    )
}

struct Text {
    subject: String,
    body: String,
}

fn bilingual(to: &str, locale: Locale, ja: Text, en: Text) -> Email {
    let (first, second, rule) = match locale {
        Locale::Ja => (ja, en, "---- English follows ----"),
        Locale::En => (en, ja, "---- 日本語 ----"),
    };
    Email {
        to: to.to_owned(),
        subject: first.subject,
        body: format!(
            "{}\n\n{rule}\n\n{}",
            first.body.trim_end(),
            second.body.trim_end()
        ) + "\n",
    }
}

/// The sign-up email with the verification link (valid 24 hours).
pub fn verify_email(r: &Recipient<'_>, link: &str) -> Email {
    let Recipient {
        brand,
        address,
        locale,
        name,
    } = *r;
    bilingual(
        address,
        locale,
        Text {
            subject: format!("【{brand}】メールアドレス確認のお願い"),
            body: format!(
                "{name} 様\n\n{brand}へのご登録ありがとうございます。\n\
                 次のリンクを開いて、メールアドレスの確認を完了してください(24時間有効)。\n\n{link}\n\n\
                 お心当たりのない場合は、このメールを破棄してください。\n"
            ),
        },
        Text {
            subject: format!("[{brand}] Please confirm your email address"),
            body: format!(
                "Dear {name},\n\nThank you for signing up with {brand}.\n\
                 Open this link to confirm your email address (valid for 24 hours):\n\n{link}\n\n\
                 If you did not sign up, please ignore this email.\n"
            ),
        },
    )
}

/// The password reset email (link valid 1 hour).
pub fn password_reset(r: &Recipient<'_>, link: &str) -> Email {
    let Recipient {
        brand,
        address,
        locale,
        name,
    } = *r;
    bilingual(
        address,
        locale,
        Text {
            subject: format!("【{brand}】パスワード再設定のご案内"),
            body: format!(
                "{name} 様\n\nパスワード再設定のご依頼を受け付けました。\n\
                 次のリンクを開いて、新しいパスワードを設定してください(1時間有効)。\n\n{link}\n\n\
                 お心当たりのない場合は、このメールを破棄してください。パスワードは変更されません。\n"
            ),
        },
        Text {
            subject: format!("[{brand}] Reset your password"),
            body: format!(
                "Dear {name},\n\nWe received a request to reset your password.\n\
                 Open this link to choose a new password (valid for 1 hour):\n\n{link}\n\n\
                 If you did not ask for this, ignore this email; your password stays unchanged.\n"
            ),
        },
    )
}

/// An API token that is still active, as the password change notice lists it.
#[derive(Debug, Clone, Copy)]
pub struct TokenLine<'a> {
    pub name: &'a str,
    pub created: DateTime<Utc>,
}

/// The notice after a password reset (R-CUS-4): every session and every other reset link has
/// ended; API tokens keep working, so they are listed for the customer to check.
pub fn password_changed(
    r: &Recipient<'_>,
    at: DateTime<Utc>,
    tokens: &[TokenLine<'_>],
    tokens_url: &str,
) -> Email {
    let Recipient {
        brand,
        address,
        locale,
        name,
    } = *r;
    let (at_ja, at_en) = jst_pair(at);
    let list = |locale: Locale, none: &str, created: &str| {
        if tokens.is_empty() {
            return format!("  {none}\n");
        }
        tokens
            .iter()
            .map(|t| {
                format!(
                    "  - {} ({created} {})\n",
                    t.name,
                    crate::jst::format(t.created, locale)
                )
            })
            .collect::<String>()
    };
    let tokens_ja = list(Locale::Ja, "(ありません)", "作成");
    let tokens_en = list(Locale::En, "(none)", "created");
    bilingual(
        address,
        locale,
        Text {
            subject: format!("【{brand}】パスワード変更のお知らせ"),
            body: format!(
                "{name} 様\n\n{at_ja}にパスワードを再設定しました。\n\
                 ログイン中だったすべてのセッションを終了し、未使用のパスワード再設定リンクもすべて無効にしました。\n\
                 もう一度ログインしてご利用ください。\n\n\
                 次のAPIトークンは引き続き有効です。心当たりのないものや不要なものは、マイページで取り消してください: {tokens_url}\n\
                 {tokens_ja}\n\
                 この変更にお心当たりのない場合は、直ちにカスタマーセンターへご連絡ください。\n"
            ),
        },
        Text {
            subject: format!("[{brand}] Your password was changed"),
            body: format!(
                "Dear {name},\n\nYour password was reset on {at_en}.\n\
                 Every session that was logged in has been ended, and every unused password reset link no longer works.\n\
                 Please log in again.\n\n\
                 These API tokens are still active. Revoke any you do not recognise or no longer need on your My Page: {tokens_url}\n\
                 {tokens_en}\n\
                 If you did not make this change, contact the customer center at once.\n"
            ),
        },
    )
}

/// The EAB announcement (SPEC §2 item 3). The HMAC key itself is not emailed: it is shown
/// in the portal, so a forwarded or intercepted email cannot create ACME accounts.
pub struct EabMail<'a> {
    pub to: Recipient<'a>,
    pub application_number: &'a str,
    pub key_id: &'a str,
    pub expires: DateTime<Utc>,
    pub directory_url: &'a str,
    pub portal_url: &'a str,
}

pub fn eab_issued(m: &EabMail<'_>) -> Email {
    let Recipient {
        brand,
        address,
        locale,
        name,
    } = m.to;
    let EabMail {
        application_number,
        key_id,
        directory_url,
        portal_url,
        ..
    } = *m;
    let (expires_ja, expires_en) = jst_pair(m.expires);
    bilingual(
        address,
        locale,
        Text {
            subject: format!("【{brand}】EAB(認証情報)発行のお知らせ"),
            body: format!(
                "{name} 様\n\nACME利用申請(申請番号 {application_number})を受け付け、EAB(認証情報)を発行しました。\n\n\
                 EAB キーID: {key_id}\n有効期限: {expires_ja}\nACMEサーバー(ディレクトリURL): {directory_url}\n\n\
                 HMACキーはマイページでご確認ください: {portal_url}\n\
                 EAB(認証情報)の有効期間は発行から14日間です。お早めにACMEアカウントを発行してください。\n\
                 有効期限が切れた場合は、カスタマーセンターへお問い合わせください。\n"
            ),
        },
        Text {
            subject: format!("[{brand}] Your EAB credentials have been issued"),
            body: format!(
                "Dear {name},\n\nWe received your ACME usage application (number {application_number}) and issued your \
                 External Account Binding (EAB) credentials.\n\n\
                 EAB key ID: {key_id}\nValid until: {expires_en}\nACME server (directory URL): {directory_url}\n\n\
                 The HMAC key is shown on your My Page: {portal_url}\n\
                 EAB credentials are valid for 14 days from issuance; register your ACME account soon.\n\
                 If they expire, please contact the customer center.\n"
            ),
        },
    )
}

/// What the billing emails say about one registration and its invoice.
pub struct BillingMail<'a> {
    pub to: Recipient<'a>,
    pub customer_id: String,
    /// A-label form, without `*.`.
    pub fqdn: &'a str,
    pub cert_type: CertType,
    pub period_years: u32,
    pub invoice_number: &'a str,
    pub amount_excl_tax: i64,
    pub tax: i64,
    pub amount_incl_tax: i64,
    pub payment: PaymentMethod,
    /// The due date (STEP 10) or the issuance deadline (STEP 11).
    pub date: DateTime<Utc>,
    /// Bank transfer details, printed on bank transfer invoices only.
    pub bank_account: &'a str,
    /// The issuer's qualified invoice registration number (R-BILL-6).
    pub registration_number: &'a str,
    pub portal_url: String,
}

/// The billing facts as the emails print them.
struct BillingText<'a> {
    /// e.g. `*.example.jp`, A-label form.
    fqdn: String,
    /// The name, with its Unicode form when that differs.
    fqdn_line: String,
    type_ja: &'static str,
    type_en: &'static str,
    excl: String,
    tax: String,
    incl: String,
    payment_ja: &'static str,
    payment_en: &'static str,
    date_ja: String,
    date_en: String,
    /// The transfer details with their label, on bank transfer invoices only (else empty).
    bank_ja: String,
    bank_en: String,
    registration_number: &'a str,
}

impl BillingMail<'_> {
    fn text(&self) -> BillingText<'_> {
        let fqdn = match self.cert_type {
            CertType::Dv => self.fqdn.to_owned(),
            CertType::DvWildcard => format!("*.{}", self.fqdn),
        };
        let unicode = idna::domain_to_unicode(&fqdn).0;
        let fqdn_line = if unicode == fqdn {
            fqdn.clone()
        } else {
            format!("{fqdn} ({unicode})")
        };
        let (date_ja, date_en) = jst_pair(self.date);
        BillingText {
            fqdn,
            fqdn_line,
            type_ja: self.cert_type.label(Locale::Ja),
            type_en: self.cert_type.label(Locale::En),
            excl: yen(self.amount_excl_tax),
            tax: yen(self.tax),
            incl: yen(self.amount_incl_tax),
            payment_ja: self.payment.label(Locale::Ja),
            payment_en: self.payment.label(Locale::En),
            date_ja,
            date_en,
            bank_ja: if self.payment == PaymentMethod::BankTransfer {
                format!(
                    "お振込先: {}\n(振込手数料はお客様のご負担となります。振込名義の前に請求書番号 {} を入れてください)\n",
                    self.bank_account, self.invoice_number
                )
            } else {
                String::new()
            },
            bank_en: if self.payment == PaymentMethod::BankTransfer {
                format!(
                    "Transfer to: {}\n(Please put the invoice number {} before the sender name; transfer fees are yours.)\n",
                    self.bank_account, self.invoice_number
                )
            } else {
                String::new()
            },
            registration_number: self.registration_number,
        }
    }
}

/// SPEC §2 item 10: application received and invoice (to the billing address).
pub fn registration_received(m: &BillingMail<'_>) -> Email {
    let t = m.text();
    let Recipient {
        brand,
        address,
        locale,
        name,
    } = m.to;
    let (customer_id, invoice_number, years) = (&m.customer_id, m.invoice_number, m.period_years);
    let (fqdn, type_ja, type_en) = (&t.fqdn_line, t.type_ja, t.type_en);
    let (amount_excl, tax, amount_incl) = (&t.excl, &t.tax, &t.incl);
    bilingual(
        address,
        locale,
        Text {
            subject: format!("【{brand}】サーバー証明書(ACME)利用FQDN情報登録申請受理及びご請求のご連絡"),
            body: format!(
                "{name} 様(お客様ID {customer_id})\n\n\
                 サーバー証明書(ACME)利用FQDN情報登録のお申し込みを受け付けました。\n\
                 下記のとおりご請求いたしますので、お支払い期限までにお支払いください。\n\n\
                 請求書番号: {invoice_number}\n利用FQDN: {fqdn}\n証明書の種類: {type_ja}\n契約期間: {years}年\n\
                 金額(税抜): {amount_excl}\n消費税(10%): {tax}\nご請求金額(税込): {amount_incl}\n\
                 お支払い方法: {payment}\nお支払い期限: {due}\n\
                 適格請求書発行事業者登録番号: {registration}\n\n{bank}\n\
                 お支払い期限を過ぎるとお申し込みはキャンセルされます。\n\
                 ※利用FQDNの入力誤りによる返金・訂正はできません。\n\
                 マイページ: {portal}\n",
                payment = t.payment_ja,
                due = t.date_ja,
                bank = t.bank_ja,
                registration = t.registration_number,
                portal = m.portal_url,
            ),
        },
        Text {
            subject: format!("[{brand}] Usage FQDN registration received: invoice {invoice_number}"),
            body: format!(
                "Dear {name} (customer ID {customer_id}),\n\n\
                 We received your usage FQDN registration for ACME certificates. Please pay this invoice by its due date.\n\n\
                 Invoice: {invoice_number}\nFQDN: {fqdn}\nCertificate type: {type_en}\nContract period: {years} year(s)\n\
                 Amount excl. tax: {amount_excl}\nConsumption tax (10%): {tax}\nTotal incl. tax: {amount_incl}\n\
                 Payment method: {payment}\nDue date: {due}\n\
                 Qualified invoice issuer registration number: {registration}\n\n{bank}\n\
                 Unpaid applications are cancelled after the due date.\n\
                 Misspelled FQDNs are neither refunded nor corrected.\nMy Page: {portal}\n",
                payment = t.payment_en,
                due = t.date_en,
                bank = t.bank_en,
                registration = t.registration_number,
                portal = m.portal_url,
            ),
        },
    )
}

/// SPEC §2 item 11: payment confirmed, registration complete (to the billing address).
pub fn registration_completed(m: &BillingMail<'_>) -> Email {
    let t = m.text();
    let Recipient {
        brand,
        address,
        locale,
        name,
    } = m.to;
    let (customer_id, invoice_number) = (&m.customer_id, m.invoice_number);
    let (fqdn, amount_incl) = (&t.fqdn_line, &t.incl);
    bilingual(
        address,
        locale,
        Text {
            subject: format!("【{brand}】サーバー証明書(ACME)利用FQDN情報登録完了のご連絡"),
            body: format!(
                "{name} 様(お客様ID {customer_id})\n\n\
                 お支払い({invoice_number}、{amount_incl})を確認し、利用FQDN情報の登録が完了しました。\n\
                 「今後有効になるサーバー証明書(ACME対応版)利用FQDN一覧」に表示されます。\n\n\
                 利用FQDN: {fqdn}\n証明書の種類: {type_ja}\n\
                 初回の証明書発行期限: {deadline}\n\n\
                 ACMEクライアントで証明書を発行すると、利用FQDNが有効になり契約期間が始まります。\n\
                 期限までに発行されない場合、登録は失効し返金はできません。\nマイページ: {portal}\n",
                type_ja = t.type_ja,
                deadline = t.date_ja,
                portal = m.portal_url,
            ),
        },
        Text {
            subject: format!("[{brand}] Usage FQDN registration complete: {}", t.fqdn),
            body: format!(
                "Dear {name} (customer ID {customer_id}),\n\n\
                 We received your payment ({invoice_number}, {amount_incl}); your usage FQDN is registered and listed \
                 under FQDNs that will become active.\n\n\
                 FQDN: {fqdn}\nCertificate type: {type_en}\nIssue the first certificate by: {deadline}\n\n\
                 The first certificate your ACME client obtains makes the FQDN active and starts the contract period.\n\
                 Without an issuance by the deadline the registration lapses without refund.\nMy Page: {portal}\n",
                type_en = t.type_en,
                deadline = t.date_en,
                portal = m.portal_url,
            ),
        },
    )
}

/// R-BILL-4: the invoice was not paid by its due date; the application is cancelled.
pub fn registration_cancelled(m: &BillingMail<'_>) -> Email {
    let t = m.text();
    let Recipient {
        brand,
        address,
        locale,
        name,
    } = m.to;
    let (customer_id, invoice_number, fqdn) = (&m.customer_id, m.invoice_number, &t.fqdn_line);
    bilingual(
        address,
        locale,
        Text {
            subject: format!("【{brand}】サーバー証明書(ACME)利用FQDN情報登録申請キャンセルのご連絡"),
            body: format!(
                "{name} 様(お客様ID {customer_id})\n\n\
                 お支払い期限({due})までにご請求({invoice_number})のお支払いを確認できなかったため、\n\
                 利用FQDN {fqdn} の登録申請をキャンセルし、請求を無効にしました。\n\
                 引き続きご利用の場合は、改めてお申し込みください。\n",
                due = t.date_ja,
            ),
        },
        Text {
            subject: format!("[{brand}] Usage FQDN registration cancelled: invoice {invoice_number} unpaid"),
            body: format!(
                "Dear {name} (customer ID {customer_id}),\n\n\
                 Invoice {invoice_number} was not paid by its due date ({due}), so the registration of {fqdn} \
                 was cancelled and the invoice voided. Please apply again if you still need it.\n",
                due = t.date_en,
            ),
        },
    )
}

/// What an expiry reminder says.
pub struct Reminder<'a> {
    pub to: Recipient<'a>,
    pub names: &'a str,
    pub serial: &'a str,
    pub expires: DateTime<Utc>,
}

/// R-CA-4: a certificate expires soon and no newer one covers its names.
pub fn expiry_reminder(m: &Reminder<'_>) -> Email {
    let Recipient {
        brand,
        address,
        locale,
        name,
    } = m.to;
    let Reminder { names, serial, .. } = *m;
    let (ja, en) = jst_pair(m.expires);
    bilingual(
        address,
        locale,
        Text {
            subject: format!("【{brand}】サーバー証明書の有効期限が近づいています({names})"),
            body: format!(
                "{name} 様\n\n次のサーバー証明書の有効期限が近づいています。\n\n\
                 対象: {names}\nシリアル番号: {serial}\n有効期限: {ja}\n\n\
                 ACMEクライアントの自動更新が動いているかご確認ください(例: certbot renew)。\n\
                 更新済みの場合、このメールは不要です。\n"
            ),
        },
        Text {
            subject: format!("[{brand}] Your certificate for {names} expires soon"),
            body: format!(
                "Dear {name},\n\nThis certificate expires soon:\n\nNames: {names}\nSerial: {serial}\nExpires: {en}\n\n\
                 Please check that your ACME client renews it automatically (e.g. certbot renew).\n\
                 If it has been renewed already, you can ignore this email.\n"
            ),
        },
    )
}

/// What an early-renewal email says.
pub struct EarlyRenewal<'a> {
    pub to: Recipient<'a>,
    pub reason: &'a str,
    pub renew_by: DateTime<Utc>,
    /// One line per certificate: names (serial).
    pub certificates: &'a [String],
    pub count: u64,
}

/// R-ACME-8: an operator asks for early renewal (the ARI window is now).
pub fn early_renewal(m: &EarlyRenewal<'_>) -> Email {
    let Recipient {
        brand,
        address,
        locale,
        name,
    } = m.to;
    let (ja, en) = jst_pair(m.renew_by);
    let list = m
        .certificates
        .iter()
        .map(|l| format!("- {l}"))
        .collect::<Vec<_>>()
        .join("\n");
    let (reason, count) = (m.reason, m.count);
    bilingual(
        address,
        locale,
        Text {
            subject: format!("【{brand}】サーバー証明書の早期更新のお願い({count}件)"),
            body: format!(
                "{name} 様\n\n次の理由により、下記のサーバー証明書を {ja} までに更新してください。\n\n                 理由: {reason}\n\n{list}\n\n                 ACME Renewal Information(ARI)に対応したクライアント(certbot 4 以降、lego、Caddy など)は、\n                 次回の確認時に自動的に更新します。自動更新を使っていない場合は、今すぐ更新してください\n                 (例: certbot renew --force-renewal)。期限を過ぎた証明書は失効されることがあります。\n"
            ),
        },
        Text {
            subject: format!("[{brand}] Please renew {count} certificate(s) early"),
            body: format!(
                "Dear {name},\n\nPlease renew the certificates below by {en}, for this reason:\n\n                 Reason: {reason}\n\n{list}\n\n                 Clients that follow ACME Renewal Information (ARI: certbot 4 and later, lego, Caddy and others)\n                 renew them at their next check. If you do not renew automatically, please renew now\n                 (e.g. certbot renew --force-renewal). Certificates not renewed by then may be revoked.\n"
            ),
        },
    )
}

/// What the customer center emails say about one inquiry (R-SUP-1).
pub struct InquiryMail<'a> {
    pub to: Recipient<'a>,
    pub number: &'a str,
    pub subject: &'a str,
    /// A-label form, with `*.` for a wildcard.
    pub domain: Option<&'a str>,
    pub invoice_number: Option<&'a str>,
    /// Whether it arrived within office hours (R-SUP-2).
    pub in_hours: bool,
    pub answer_by: chrono::NaiveDate,
    /// The inquiry in the portal (`{public URL}/support/{id}`) or the console.
    pub link: String,
}

impl InquiryMail<'_> {
    /// The domain and invoice lines, in `locale`.
    fn about(&self, locale: Locale) -> String {
        let mut out = String::new();
        if let Some(domain) = self.domain {
            let unicode = idna::domain_to_unicode(domain).0;
            let shown = if unicode == domain {
                domain.to_owned()
            } else {
                format!("{domain} ({unicode})")
            };
            out += &match locale {
                Locale::Ja => format!("ドメイン名: {shown}\n"),
                Locale::En => format!("Domain name: {shown}\n"),
            };
        }
        if let Some(number) = self.invoice_number {
            out += &match locale {
                Locale::Ja => format!("請求書番号: {number}\n"),
                Locale::En => format!("Invoice: {number}\n"),
            };
        }
        out
    }
}

/// Quotes `text` line by line, as a reply in an email.
fn quote(text: &str) -> String {
    text.lines()
        .map(|l| format!("> {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// R-SUP-1, R-SUP-2: the inquiry was received; when the answer comes.
pub fn inquiry_received(m: &InquiryMail<'_>) -> Email {
    let Recipient {
        brand,
        address,
        locale,
        name,
    } = m.to;
    let (number, subject, link) = (m.number, m.subject, &m.link);
    let day_ja = shared::support::format_day(m.answer_by, Locale::Ja);
    let day_en = shared::support::format_day(m.answer_by, Locale::En);
    let when_ja = if m.in_hours {
        format!("{day_ja}中に回答いたします。")
    } else {
        format!(
            "営業時間外(平日 9:00〜18:00、土日・祝日・12月29日〜1月3日を除く)に受け付けました。\n\
             回答は {day_ja} 以降となります。"
        )
    };
    let when_en = if m.in_hours {
        format!("We will answer by the end of {day_en}.")
    } else {
        format!(
            "It arrived outside our office hours (weekdays 9:00–18:00 Japan time, except public holidays and 29 December – 3 January).\n\
             The answer comes on or after {day_en}."
        )
    };
    bilingual(
        address,
        locale,
        Text {
            subject: format!("【{brand}】お問い合わせを受け付けました({number})"),
            body: format!(
                "{name} 様\n\nカスタマーセンターへのお問い合わせを受け付けました。\n\n\
                 お問い合わせ番号: {number}\n件名: {subject}\n{about}\n{when_ja}\n\n\
                 お問い合わせの内容と回答はマイページで確認できます: {link}\n",
                about = m.about(Locale::Ja),
            ),
        },
        Text {
            subject: format!("[{brand}] We received your inquiry {number}"),
            body: format!(
                "Dear {name},\n\nThe customer center received your inquiry.\n\n\
                 Inquiry number: {number}\nSubject: {subject}\n{about}\n{when_en}\n\n\
                 You can follow the inquiry and its answer on your My Page: {link}\n",
                about = m.about(Locale::En),
            ),
        },
    )
}

/// R-SUP-1: an operator answered the inquiry.
pub fn inquiry_answered(m: &InquiryMail<'_>, reply: &str) -> Email {
    let Recipient {
        brand,
        address,
        locale,
        name,
    } = m.to;
    let (number, subject, link) = (m.number, m.subject, &m.link);
    let quoted = quote(reply);
    bilingual(
        address,
        locale,
        Text {
            subject: format!("【{brand}】お問い合わせ({number})への回答"),
            body: format!(
                "{name} 様\n\nお問い合わせ({number})にカスタマーセンターから回答しました。\n\n\
                 件名: {subject}\n{about}\n{quoted}\n\n\
                 続けてご質問がある場合は、マイページからお返事ください: {link}\n",
                about = m.about(Locale::Ja),
            ),
        },
        Text {
            subject: format!("[{brand}] Answer to your inquiry {number}"),
            body: format!(
                "Dear {name},\n\nThe customer center answered your inquiry {number}.\n\n\
                 Subject: {subject}\n{about}\n{quoted}\n\n\
                 To write back, open the inquiry on your My Page: {link}\n",
                about = m.about(Locale::En),
            ),
        },
    )
}

/// What the customer center is told about a customer's message (R-SUP-1).
pub struct SupportNotice<'a> {
    pub inquiry: InquiryMail<'a>,
    pub customer_id: String,
    pub customer_name: &'a str,
    pub customer_email: &'a str,
    pub message: &'a str,
    /// A follow-up to an existing inquiry rather than a new one.
    pub follow_up: bool,
}

/// R-SUP-1: to the customer center, for a new inquiry or a customer's follow-up.
pub fn support_notice(n: &SupportNotice<'_>) -> Email {
    let m = &n.inquiry;
    let Recipient {
        brand,
        address,
        locale,
        ..
    } = m.to;
    let (number, subject, link) = (m.number, m.subject, &m.link);
    let (customer_id, customer_name, customer_email) =
        (&n.customer_id, n.customer_name, n.customer_email);
    let quoted = quote(n.message);
    let hours_ja = if m.in_hours {
        "営業時間内"
    } else {
        "営業時間外"
    };
    let hours_en = if m.in_hours {
        "within office hours"
    } else {
        "outside office hours"
    };
    let day_ja = shared::support::format_day(m.answer_by, Locale::Ja);
    let day_en = shared::support::format_day(m.answer_by, Locale::En);
    let (what_ja, what_en) = if n.follow_up {
        ("お客様から追加のメッセージ", "Customer follow-up")
    } else {
        ("新しいお問い合わせ", "New inquiry")
    };
    bilingual(
        address,
        locale,
        Text {
            subject: format!("【{brand}】{what_ja} {number}: {subject}"),
            body: format!(
                "{what_ja}({hours_ja}に受付、回答期限 {day_ja})\n\n\
                 お問い合わせ番号: {number}\nお客様ID: {customer_id}\nお名前: {customer_name}\n\
                 メールアドレス: {customer_email}\n件名: {subject}\n{about}\n{quoted}\n\n\
                 オペレーター画面: {link}\n",
                about = m.about(Locale::Ja),
            ),
        },
        Text {
            subject: format!("[{brand}] {what_en} {number}: {subject}"),
            body: format!(
                "{what_en} (received {hours_en}, answer by {day_en})\n\n\
                 Inquiry: {number}\nCustomer ID: {customer_id}\nName: {customer_name}\n\
                 Email: {customer_email}\nSubject: {subject}\n{about}\n{quoted}\n\n\
                 Operator console: {link}\n",
                about = m.about(Locale::En),
            ),
        },
    )
}

/// R-SUP-3: a registration is still waiting for its first certificate.
pub struct DeadlineReminder<'a> {
    pub to: Recipient<'a>,
    /// As the customer reads it, e.g. `*.example.jp`.
    pub fqdn: &'a str,
    pub deadline: DateTime<Utc>,
    /// 60, 30 or 7.
    pub days: i64,
    pub portal_url: String,
}

pub fn registration_deadline_reminder(m: &DeadlineReminder<'_>) -> Email {
    let Recipient {
        brand,
        address,
        locale,
        name,
    } = m.to;
    let (fqdn, days, portal) = (m.fqdn, m.days, &m.portal_url);
    let (ja, en) = jst_pair(m.deadline);
    bilingual(
        address,
        locale,
        Text {
            subject: format!("【{brand}】初回の証明書発行期限まであと{days}日です({fqdn})"),
            body: format!(
                "{name} 様\n\n利用FQDN {fqdn} の証明書がまだ発行されていません。\n\
                 初回の証明書発行期限: {ja}(あと{days}日以内)\n\n\
                 期限までにACMEクライアントで証明書を発行してください。発行されない場合、登録は失効し返金はできません。\n\
                 マイページ: {portal}\n"
            ),
        },
        Text {
            subject: format!("[{brand}] {days} days left to issue the first certificate for {fqdn}"),
            body: format!(
                "Dear {name},\n\nNo certificate has been issued yet for your usage FQDN {fqdn}.\n\
                 Issue the first certificate by: {en} (within {days} days)\n\n\
                 Please obtain it with your ACME client before then; without an issuance the registration lapses without refund.\n\
                 My Page: {portal}\n"
            ),
        },
    )
}

/// R-SUP-3: EAB credentials expire soon and no ACME account has been bound with them.
pub struct EabReminder<'a> {
    pub to: Recipient<'a>,
    pub key_id: &'a str,
    pub expires: DateTime<Utc>,
    pub portal_url: String,
}

pub fn eab_expiry_reminder(m: &EabReminder<'_>) -> Email {
    let Recipient {
        brand,
        address,
        locale,
        name,
    } = m.to;
    let (key_id, portal) = (m.key_id, &m.portal_url);
    let (ja, en) = jst_pair(m.expires);
    bilingual(
        address,
        locale,
        Text {
            subject: format!("【{brand}】EAB(認証情報)の有効期限が近づいています"),
            body: format!(
                "{name} 様\n\nEAB(認証情報)でまだACMEアカウントが発行されていません。\n\n\
                 EAB キーID: {key_id}\n有効期限: {ja}\n\n\
                 有効期限までにACMEクライアントでアカウントを発行してください。期限が切れた場合は、カスタマーセンターへお問い合わせください。\n\
                 マイページ: {portal}\n"
            ),
        },
        Text {
            subject: format!("[{brand}] Your EAB credentials expire soon"),
            body: format!(
                "Dear {name},\n\nNo ACME account has been registered with your EAB credentials yet.\n\n\
                 EAB key ID: {key_id}\nValid until: {en}\n\n\
                 Please register your ACME account before then. If they expire, contact the customer center.\n\
                 My Page: {portal}\n"
            ),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn japanese_first_by_default_english_first_on_request() {
        let to = |brand, locale, name| Recipient {
            brand,
            address: "a@b.jp",
            locale,
            name,
        };
        let ja = verify_email(
            &to("CertDirect", Locale::Ja, "山田"),
            "https://x/verify-email?token=t",
        );
        assert_eq!(ja.subject, "【CertDirect】メールアドレス確認のお願い");
        assert!(ja.body.starts_with("山田 様"));
        assert!(ja.body.contains("English follows"));
        assert!(ja.body.contains("https://x/verify-email?token=t"));
        let en = password_reset(
            &to("Brand", Locale::En, "Taro"),
            "https://x/reset-password?token=t",
        );
        assert_eq!(en.subject, "[Brand] Reset your password");
        assert!(en.body.starts_with("Dear Taro"));
        assert!(en.body.contains("パスワード再設定"));
    }
}
