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
