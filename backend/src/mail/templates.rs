//! Email texts: the customer's language first, the other one below it.

use shared::dto::Locale;

use super::Email;

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
pub fn verify_email(brand: &str, to: &str, locale: Locale, name: &str, link: &str) -> Email {
    bilingual(
        to,
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
pub fn password_reset(brand: &str, to: &str, locale: Locale, name: &str, link: &str) -> Email {
    bilingual(
        to,
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

/// The EAB announcement (SPEC §2 item 3). The HMAC key itself is not emailed: it is shown
/// in the portal, so a forwarded or intercepted email cannot create ACME accounts.
pub struct EabMail<'a> {
    pub brand: &'a str,
    pub to: &'a str,
    pub locale: Locale,
    pub name: &'a str,
    pub application_number: &'a str,
    pub key_id: &'a str,
    pub expires_ja: &'a str,
    pub expires_en: &'a str,
    pub directory_url: &'a str,
    pub portal_url: &'a str,
}

pub fn eab_issued(m: &EabMail<'_>) -> Email {
    let EabMail {
        brand,
        name,
        application_number,
        key_id,
        expires_ja,
        expires_en,
        directory_url,
        portal_url,
        ..
    } = *m;
    bilingual(
        m.to,
        m.locale,
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
    pub brand: &'a str,
    pub to: &'a str,
    pub locale: Locale,
    pub name: &'a str,
    pub customer_id: &'a str,
    /// e.g. `example.jp` or `*.example.jp`, A-label form.
    pub fqdn: &'a str,
    /// The Unicode form, when it differs.
    pub fqdn_unicode: &'a str,
    pub cert_type_ja: &'a str,
    pub cert_type_en: &'a str,
    pub period_years: u32,
    pub invoice_number: &'a str,
    pub amount_excl: &'a str,
    pub tax: &'a str,
    pub amount_incl: &'a str,
    pub payment_ja: &'a str,
    pub payment_en: &'a str,
    /// The due date (STEP 10) or the issuance deadline (STEP 11), in Japan time.
    pub date_ja: &'a str,
    pub date_en: &'a str,
    pub bank_account: &'a str,
    pub portal_url: &'a str,
}

impl BillingMail<'_> {
    fn fqdn_line(&self) -> String {
        if self.fqdn == self.fqdn_unicode {
            self.fqdn.to_owned()
        } else {
            format!("{} ({})", self.fqdn, self.fqdn_unicode)
        }
    }
}

/// SPEC §2 item 10: application received and invoice (to the billing address).
pub fn registration_received(m: &BillingMail<'_>) -> Email {
    let fqdn = m.fqdn_line();
    let BillingMail {
        brand,
        name,
        customer_id,
        invoice_number,
        amount_excl,
        tax,
        amount_incl,
        ..
    } = *m;
    let (years, type_ja, type_en) = (m.period_years, m.cert_type_ja, m.cert_type_en);
    bilingual(
        m.to,
        m.locale,
        Text {
            subject: format!("【{brand}】サーバー証明書(ACME)利用FQDN情報登録申請受理及びご請求のご連絡"),
            body: format!(
                "{name} 様(お客様ID {customer_id})\n\n\
                 サーバー証明書(ACME)利用FQDN情報登録のお申し込みを受け付けました。\n\
                 下記のとおりご請求いたしますので、お支払い期限までにお支払いください。\n\n\
                 請求番号: {invoice_number}\n利用FQDN: {fqdn}\n証明書の種類: {type_ja}\n契約期間: {years}年\n\
                 金額(税抜): {amount_excl}\n消費税(10%): {tax}\nご請求金額(税込): {amount_incl}\n\
                 お支払い方法: {payment}\nお支払い期限: {due}\n\n{bank}\n\n\
                 お支払い期限を過ぎるとお申し込みはキャンセルされます。\n\
                 ※利用FQDNの入力誤りによる返金・訂正はできません。\n\
                 マイページ: {portal}\n",
                payment = m.payment_ja,
                due = m.date_ja,
                bank = m.bank_account,
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
                 Payment method: {payment}\nDue date: {due}\n\n{bank}\n\n\
                 Unpaid applications are cancelled after the due date.\n\
                 Misspelled FQDNs are neither refunded nor corrected.\nMy Page: {portal}\n",
                payment = m.payment_en,
                due = m.date_en,
                bank = m.bank_account,
                portal = m.portal_url,
            ),
        },
    )
}

/// SPEC §2 item 11: payment confirmed, registration complete (to the billing address).
pub fn registration_completed(m: &BillingMail<'_>) -> Email {
    let fqdn = m.fqdn_line();
    let BillingMail {
        brand,
        name,
        customer_id,
        invoice_number,
        amount_incl,
        ..
    } = *m;
    bilingual(
        m.to,
        m.locale,
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
                type_ja = m.cert_type_ja,
                deadline = m.date_ja,
                portal = m.portal_url,
            ),
        },
        Text {
            subject: format!("[{brand}] Usage FQDN registration complete: {}", m.fqdn),
            body: format!(
                "Dear {name} (customer ID {customer_id}),\n\n\
                 We received your payment ({invoice_number}, {amount_incl}); your usage FQDN is registered and listed \
                 under FQDNs that will become active.\n\n\
                 FQDN: {fqdn}\nCertificate type: {type_en}\nIssue the first certificate by: {deadline}\n\n\
                 The first certificate your ACME client obtains makes the FQDN active and starts the contract period.\n\
                 Without an issuance by the deadline the registration lapses without refund.\nMy Page: {portal}\n",
                type_en = m.cert_type_en,
                deadline = m.date_en,
                portal = m.portal_url,
            ),
        },
    )
}

/// R-BILL-4: the invoice was not paid by its due date; the application is cancelled.
pub fn registration_cancelled(m: &BillingMail<'_>) -> Email {
    let fqdn = m.fqdn_line();
    let BillingMail {
        brand,
        name,
        customer_id,
        invoice_number,
        ..
    } = *m;
    bilingual(
        m.to,
        m.locale,
        Text {
            subject: format!("【{brand}】サーバー証明書(ACME)利用FQDN情報登録申請キャンセルのご連絡"),
            body: format!(
                "{name} 様(お客様ID {customer_id})\n\n\
                 お支払い期限({due})までにご請求({invoice_number})のお支払いを確認できなかったため、\n\
                 利用FQDN {fqdn} の登録申請をキャンセルし、請求を無効にしました。\n\
                 引き続きご利用の場合は、改めてお申し込みください。\n",
                due = m.date_ja,
            ),
        },
        Text {
            subject: format!("[{brand}] Usage FQDN registration cancelled: invoice {invoice_number} unpaid"),
            body: format!(
                "Dear {name} (customer ID {customer_id}),\n\n\
                 Invoice {invoice_number} was not paid by its due date ({due}), so the registration of {fqdn} \
                 was cancelled and the invoice voided. Please apply again if you still need it.\n",
                due = m.date_en,
            ),
        },
    )
}

/// What an expiry reminder says.
pub struct Reminder<'a> {
    pub brand: &'a str,
    pub to: &'a str,
    pub locale: Locale,
    pub name: &'a str,
    pub names: &'a str,
    pub serial: &'a str,
    pub expires_ja: &'a str,
    pub expires_en: &'a str,
}

/// R-CA-4: a certificate expires soon and no newer one covers its names.
pub fn expiry_reminder(m: &Reminder<'_>) -> Email {
    let Reminder {
        brand,
        to,
        locale,
        name,
        names,
        serial,
        expires_ja: ja,
        expires_en: en,
    } = *m;
    bilingual(
        to,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn japanese_first_by_default_english_first_on_request() {
        let ja = verify_email(
            "CertDirect",
            "a@b.jp",
            Locale::Ja,
            "山田",
            "https://x/verify-email?token=t",
        );
        assert_eq!(ja.subject, "【CertDirect】メールアドレス確認のお願い");
        assert!(ja.body.starts_with("山田 様"));
        assert!(ja.body.contains("English follows"));
        assert!(ja.body.contains("https://x/verify-email?token=t"));
        let en = password_reset(
            "Brand",
            "a@b.jp",
            Locale::En,
            "Taro",
            "https://x/reset-password?token=t",
        );
        assert_eq!(en.subject, "[Brand] Reset your password");
        assert!(en.body.starts_with("Dear Taro"));
        assert!(en.body.contains("パスワード再設定"));
    }
}
