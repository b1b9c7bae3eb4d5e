//! Every visible string of the portal, in Japanese (default) and English.
//!
//! `texts!` below defines the `Key` enum and both translations side by side, so a key without a
//! translation does not compile. Texts with `{name}` placeholders are filled by [`trf`].

mod messages;

pub use messages::{duration, error_message, field_message};
pub use shared::dto::Locale;

macro_rules! texts {
    ($($key:ident => $ja:expr, $en:expr;)+) => {
        /// One visible string of the portal.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Key { $($key,)+ }

        impl Key {
            /// Every key, for tests.
            #[cfg(test)]
            pub const ALL: &'static [Key] = &[$(Key::$key,)+];
        }

        /// The text of `key` in `locale`.
        pub fn tr(locale: Locale, key: Key) -> &'static str {
            match locale {
                Locale::Ja => match key { $(Key::$key => $ja,)+ },
                Locale::En => match key { $(Key::$key => $en,)+ },
            }
        }
    };
}

texts! {
    // Header, navigation, footer
    Brand => "CertDirect", "CertDirect";
    BrandTagline => "ACME対応 DVサーバー証明書", "ACME DV certificates";
    SkipToContent => "本文へ移動", "Skip to content";
    NavMain => "メインメニュー", "Main menu";
    NavLogin => "ログイン", "Log in";
    NavSignup => "新規会員登録", "Sign up";
    NavMyPage => "マイページ", "My Page";
    NavTokens => "APIトークン", "API tokens";
    Logout => "ログアウト", "Log out";
    LangSwitch => "English", "日本語";
    LangSwitchLabel => "表示言語を英語(English)に切り替える", "Switch the language to Japanese (日本語)";
    FooterText => "CertDirect — ACME(RFC 8555)で自動発行・自動更新できるドメイン認証型(DV)サーバー証明書サービス",
        "CertDirect — domain-validated (DV) server certificates, issued and renewed automatically over ACME (RFC 8555)";
    FooterApi => "REST API (OpenAPI)", "REST API (OpenAPI)";
    Loading => "読み込み中…", "Loading…";
    Required => "必須", "required";

    // Top page
    HomeTitle => "ACME対応のDVサーバー証明書を、もっと手軽に。", "ACME-ready DV certificates, made simple.";
    HomeLead => "CertDirect は、ドメイン認証型(DV)サーバー証明書を ACME(RFC 8555)で発行するサービスです。会員登録と ACME 利用申請を済ませ、利用FQDNを登録してお支払いいただければ、お使いの ACME クライアント(certbot、lego、acme.sh など)が証明書の発行と更新を自動で行います。",
        "CertDirect issues domain-validated (DV) server certificates over ACME (RFC 8555). Sign up, apply for ACME use, register and pay for the FQDNs you need, and your own ACME client (certbot, lego, acme.sh, …) obtains and renews certificates automatically.";
    HomeCtaSignup => "新規会員登録(無料)", "Sign up (free)";
    HomeCtaLogin => "ログイン", "Log in";
    HomeCtaMyPage => "マイページへ", "Go to My Page";
    HomeFeaturesTitle => "サービスの特長", "Features";
    FeatureDvTitle => "ドメイン認証型(DV)", "Domain validated (DV)";
    FeatureDvBody => "1つの利用FQDNで、そのFQDNと先頭に「www」を付けたFQDNの両方に証明書を発行できます(例:example.jp と www.example.jp)。1年 11,990円(税込)。",
        "One usage FQDN covers the name itself and the name with a leading \"www\" (e.g. example.jp and www.example.jp). ¥11,990 per year including tax.";
    FeatureWildcardTitle => "ドメイン認証型(DV・ワイルドカード)", "Domain validated (DV, wildcard)";
    FeatureWildcardBody => "同じ階層のすべてのサブドメインに1枚で対応します(例:*.example.jp と example.jp)。1年 47,960円(税込)。",
        "One certificate for every subdomain at one level (e.g. *.example.jp and example.jp). ¥47,960 per year including tax.";
    FeatureAcmeTitle => "ACMEで自動化", "Automated with ACME";
    FeatureAcmeBody => "外部アカウント連携(EAB)の認証情報でお使いのACMEクライアントを登録すれば、http-01 または dns-01 による検証から発行・更新まで自動で行えます。",
        "Register your ACME client with External Account Binding (EAB) credentials; validation by http-01 or dns-01, issuance and renewal then run on their own.";
    FeatureIdnTitle => "日本語ドメイン名にも対応", "Internationalised domain names";
    FeatureIdnBody => "「例え.jp」のような日本語ドメイン名は Punycode(xn--r8jz45g.jp)に変換して登録します。",
        "Names such as 例え.jp are registered in their Punycode form (xn--r8jz45g.jp).";
    HomeFlowTitle => "お申し込みから証明書発行までの流れ", "From sign-up to your first certificate";
    HomeFlowLead => "手続きはすべてマイページで行います。", "Everything is done on My Page.";

    // The seven steps of the customer journey (SPEC.md §2)
    Step1 => "会員登録", "Sign up";
    Step1Desc => "メールアドレスとパスワードで会員登録し、届いたメールのリンクでメールアドレスを確認します。",
        "Sign up with an email address and password, then confirm the address with the link we email you.";
    Step2 => "ACME利用申請", "ACME usage application";
    Step2Desc => "サービス約款をご確認のうえ「同意して確定」をクリックします。申請は1回のみです。",
        "Read the service terms and click \"Agree and confirm\". You apply once.";
    Step3 => "EAB(認証情報)の発行", "EAB credentials";
    Step3Desc => "EABの鍵IDとHMACキーが発行されます。有効期間は発行から14日間です。",
        "You receive an EAB key ID and HMAC key, valid for 14 days from issuance.";
    Step4 => "ACMEアカウント登録", "ACME account registration";
    Step4Desc => "EABと連絡先メールアドレスを使い、ACMEクライアントでアカウントを登録します。",
        "Your ACME client registers an account with the EAB credentials and a contact email address.";
    Step5 => "利用FQDN情報登録", "Usage FQDN registration";
    Step5Desc => "証明書の種類を選び、利用FQDNを入力して契約期間と料金を確認します。",
        "Choose the certificate type, enter the FQDN, and check the contract period and price.";
    Step6 => "お支払い", "Payment";
    Step6Desc => "クレジットカードまたは銀行振込でお支払いいただきます。",
        "Pay by credit card or bank transfer.";
    Step7 => "証明書発行", "Certificate issuance";
    Step7Desc => "ACMEクライアントが証明書を取得します。最初の発行で利用FQDNが有効になります。",
        "Your ACME client obtains the certificate; the first issuance makes the FQDN active.";
    StepLabel => "STEP {n}", "STEP {n}";
    StepDone => "完了", "Done";
    StepUnavailable => "準備中", "Not available yet";
    StepUnavailableNote => "この手続きはまだご利用いただけません。準備が整い次第、マイページからお手続きいただけます。",
        "This step is not available yet. It will be offered on My Page once it is ready.";

    // Sign-up
    SignupTitle => "新規会員登録", "Sign up";
    SignupLead => "会員登録は無料です。登録後、確認用のメールをお送りします。",
        "Signing up is free. We will email you a link to confirm your address.";
    FieldName => "お名前(法人の場合は会社名)", "Name (or company name)";
    FieldEmail => "メールアドレス(ログインID)", "Email address (login ID)";
    FieldLoginEmail => "メールアドレス", "Email address";
    FieldPassword => "パスワード", "Password";
    FieldPasswordHint => "10〜128文字。メールアドレスと同じ文字列は使えません。", "10 to 128 characters, not the same as your email address.";
    FieldBillingEmail => "請求宛先メールアドレス", "Billing email address";
    FieldBillingEmailHint => "請求書やお支払いのご連絡の送付先です。ログイン用と同じアドレスでも構いません。",
        "Invoices and payment notices go here. It may be the same as your login address.";
    SignupSubmit => "同意して登録する", "Agree and sign up";
    SignupTermsNote => "登録することで、CertDirect のサービス約款および個人情報の取り扱いに同意したものとみなされます。",
        "By signing up you accept the CertDirect service terms and privacy policy.";
    SignupDoneTitle => "確認メールを送信しました", "Check your email";
    SignupDoneBody => "{email} 宛てに確認用のリンクを送信しました。メールに記載のリンクを開いて登録を完了してください。",
        "We sent a confirmation link to {email}. Open the link in that email to finish signing up.";
    SignupDoneCustomerId => "お客様ID:{id}", "Your customer ID: {id}";
    SignupDoneNoMail => "メールが届かない場合は、迷惑メールフォルダもご確認ください。",
        "If the email does not arrive, please check your spam folder.";
    HaveAccount => "すでに会員の方はログインしてください。", "Already a member? Log in.";

    // Email verification
    VerifyTitle => "メールアドレスの確認", "Email confirmation";
    VerifyOk => "メールアドレスを確認しました。ログインしてご利用ください。",
        "Your email address is confirmed. You can now log in.";
    VerifyNoToken => "確認用リンクが正しくありません。メールに記載のリンクをそのまま開いてください。",
        "This confirmation link is incomplete. Please open the link exactly as it appears in the email.";
    GoToLogin => "ログインへ進む", "Continue to log in";

    // Login
    LoginTitle => "ログイン", "Log in";
    LoginSubmit => "ログイン", "Log in";
    LoginForgot => "パスワードをお忘れの方", "Forgot your password?";
    LoginNoAccount => "はじめての方は新規会員登録へ", "New here? Sign up";
    LoginWrongCredentials => "メールアドレスまたはパスワードが正しくありません。", "The email address or password is incorrect.";
    LoginNotVerified => "メールアドレスの確認が完了していません。登録時にお送りしたメールのリンクを開いてください。",
        "Your email address is not confirmed yet. Please open the link in the email we sent when you signed up.";
    LoginRateLimited => "ログインの試行回数が上限に達しました。{time}後にもう一度お試しください。",
        "Too many login attempts. Please try again in {time}.";
    LoginRateLimitedNoTime => "ログインの試行回数が上限に達しました。しばらくしてからもう一度お試しください。",
        "Too many login attempts. Please wait a while and try again.";

    // Password reset
    ForgotTitle => "パスワードの再設定", "Reset your password";
    ForgotLead => "ご登録のメールアドレスを入力してください。パスワード再設定用のリンクをお送りします。",
        "Enter the email address you signed up with and we will send you a link to set a new password.";
    ForgotSubmit => "再設定用メールを送信", "Send reset link";
    ForgotDone => "ご入力のメールアドレスが登録されている場合、パスワード再設定用のリンクを送信しました。メールをご確認ください。",
        "If that address belongs to an account, we have sent it a link to reset the password. Please check your email.";
    ResetTitle => "新しいパスワードの設定", "Set a new password";
    FieldNewPassword => "新しいパスワード", "New password";
    FieldPasswordConfirm => "新しいパスワード(確認)", "New password (again)";
    ResetSubmit => "パスワードを変更する", "Change password";
    ResetDone => "パスワードを変更しました。新しいパスワードでログインしてください。",
        "Your password has been changed. Please log in with the new password.";
    ResetNoToken => "再設定用リンクが正しくありません。メールに記載のリンクをそのまま開くか、もう一度再設定を申し込んでください。",
        "This reset link is incomplete. Open the link exactly as it appears in the email, or request a new one.";
    PasswordMismatch => "確認用のパスワードが一致しません。", "The two passwords do not match.";

    // My Page
    MyPageTitle => "マイページ", "My Page";
    MyPageWelcome => "{name} 様", "Welcome, {name}";
    AccountTitle => "会員情報", "Your account";
    CustomerIdLabel => "お客様ID", "Customer ID";
    NameLabel => "お名前", "Name";
    LoginEmailLabel => "メールアドレス(ログインID)", "Email address (login ID)";
    BillingEmailLabel => "請求宛先メールアドレス", "Billing email address";
    CreatedAtLabel => "登録日時", "Signed up";
    ProgressTitle => "お手続きの状況", "Your progress";
    ProgressLead => "サーバー証明書(ACME対応版)の発行までの手続きです。", "The steps to your first ACME certificate.";
    ApiTokensCardTitle => "APIトークン", "API tokens";
    ApiTokensCardBody => "REST API をプログラムから利用するためのトークンを作成・無効化できます。",
        "Create and revoke tokens for using the REST API from your own programs.";
    ApiTokensCardLink => "APIトークンを管理する", "Manage API tokens";

    // API tokens (R-CUS-3)
    TokensTitle => "APIトークン", "API tokens";
    TokensLead => "REST API(/api/v1)を「Authorization: Bearer <トークン>」ヘッダーで利用するためのトークンです。トークンは作成時に一度だけ表示され、CertDirect には保存されません(ハッシュ値のみ保存します)。",
        "Tokens for the REST API (/api/v1), sent as \"Authorization: Bearer <token>\". A token is shown once, when it is created; CertDirect keeps only its hash.";
    TokensCreateTitle => "新しいトークンを作成", "Create a token";
    TokenNameLabel => "トークン名", "Token name";
    TokenNameHint => "用途がわかる名前を付けてください(例:自動更新サーバー)。", "A name that says what it is for (e.g. renewal server).";
    ScopesLabel => "権限", "Scopes";
    ScopeRead => "read — 会員情報・登録内容の参照", "read — view your data";
    ScopeWrite => "write — 申し込み・変更などの操作", "write — apply, change and cancel";
    TokenCreateSubmit => "トークンを作成", "Create token";
    TokenCreatedTitle => "トークンを作成しました", "Your new token";
    TokenCreatedWarn => "このトークンは今しか表示されません。今すぐコピーして安全な場所に保管してください。",
        "This is the only time the token is shown. Copy it now and keep it somewhere safe.";
    Copy => "コピー", "Copy";
    Copied => "コピーしました", "Copied";
    CopyFailed => "コピーできませんでした。手動で選択してコピーしてください。", "Could not copy. Please select the token and copy it by hand.";
    Dismiss => "閉じる", "Dismiss";
    TokensListTitle => "作成済みのトークン", "Your tokens";
    TokensEmpty => "トークンはまだありません。", "You have no tokens yet.";
    ColName => "名前", "Name";
    ColPrefix => "トークンの先頭", "Starts with";
    ColScopes => "権限", "Scopes";
    ColCreated => "作成日時", "Created";
    ColLastUsed => "最終利用日時", "Last used";
    ColActions => "操作", "Actions";
    NeverUsed => "未使用", "Never";
    Revoke => "無効化", "Revoke";
    RevokeConfirm => "トークン「{name}」を無効化しますか?このトークンを使っているプログラムは API を利用できなくなります。",
        "Revoke the token \"{name}\"? Programs using it will lose access to the API.";
    TokenRevoked => "トークン「{name}」を無効化しました。", "The token \"{name}\" has been revoked.";
    TimeZoneNote => "日時は日本時間(JST)で表示しています。", "Times are shown in Japan time (JST).";

    // Errors
    ErrNetwork => "サーバーに接続できませんでした。通信環境をご確認のうえ、もう一度お試しください。",
        "Could not reach the server. Please check your connection and try again.";
    ErrUnexpected => "エラーが発生しました(ステータス {status})。時間をおいてもう一度お試しください。",
        "Something went wrong (status {status}). Please try again later.";
    ErrInvalidResponse => "サーバーから予期しない応答がありました。時間をおいてもう一度お試しください。",
        "The server sent an unexpected answer. Please try again later.";
    ErrSessionExpired => "ログインの有効期限が切れました。もう一度ログインしてください。",
        "Your session has expired. Please log in again.";
    ErrForbidden => "この操作は許可されていません。", "You are not allowed to do this.";
    ErrNotFound => "対象が見つかりませんでした。", "Not found.";
    ErrRateLimited => "リクエストが多すぎます。{time}後にもう一度お試しください。", "Too many requests. Please try again in {time}.";
    ErrRateLimitedNoTime => "リクエストが多すぎます。しばらくしてからもう一度お試しください。", "Too many requests. Please wait a while and try again.";
    ErrCheckFields => "入力内容をご確認ください。", "Please check the highlighted fields.";
    ErrTokenInvalid => "リンクが無効か、有効期限が切れています。お手数ですが、もう一度お手続きください。",
        "This link is invalid or has expired. Please start again.";

    // Field errors, by the `code` the API and `shared::validate` send
    FieldRequired => "入力してください。", "This field is required.";
    FieldTooShort => "{n}文字以上で入力してください。", "Must be at least {n} characters.";
    FieldTooLong => "{n}文字以内で入力してください。", "Must be at most {n} characters.";
    FieldInvalidEmail => "メールアドレスの形式が正しくありません。", "This is not a valid email address.";
    FieldSameAsEmail => "メールアドレスと同じ文字列はパスワードに使えません。", "The password must not be the same as the email address.";
    FieldControlChar => "改行や制御文字は使えません。", "Line breaks and control characters are not allowed.";
    FieldUnknownScope => "選択できない権限が含まれています。", "An unknown scope was chosen.";
    FieldTaken => "このメールアドレスはすでに登録されています。", "This email address is already registered.";

    // Durations
    Seconds => "{n}秒", "{n} seconds";
    OneSecond => "1秒", "1 second";
    Minutes => "{n}分", "{n} minutes";

    // Not found
    NotFoundTitle => "ページが見つかりません", "Page not found";
    NotFoundBody => "お探しのページは移動または削除された可能性があります。", "The page you are looking for may have moved or no longer exists.";
    BackHome => "トップページへ戻る", "Back to the home page";
}

/// `tr` with `{name}` placeholders replaced.
pub fn trf(locale: Locale, key: Key, args: &[(&str, &str)]) -> String {
    fill(tr(locale, key), args)
}

/// Replaces each `{name}` of `template` by its value.
pub fn fill(template: &str, args: &[(&str, &str)]) -> String {
    let mut out = template.to_owned();
    for (name, value) in args {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

/// The other language: what the language switch changes to.
pub fn other(locale: Locale) -> Locale {
    match locale {
        Locale::Ja => Locale::En,
        Locale::En => Locale::Ja,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The `{name}` placeholders of a text, sorted.
    fn placeholders(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut rest = text;
        while let Some(start) = rest.find('{') {
            let Some(len) = rest[start..].find('}') else {
                break;
            };
            out.push(rest[start + 1..start + len].to_owned());
            rest = &rest[start + len + 1..];
        }
        out.sort();
        out
    }

    #[test]
    fn every_key_has_text_in_both_languages_with_the_same_placeholders() {
        for &key in Key::ALL {
            let ja = tr(Locale::Ja, key);
            let en = tr(Locale::En, key);
            assert!(
                !ja.trim().is_empty() && !en.trim().is_empty(),
                "{key:?} is empty"
            );
            assert_eq!(
                placeholders(ja),
                placeholders(en),
                "{key:?} placeholders differ"
            );
        }
    }

    #[test]
    fn japanese_texts_are_japanese() {
        // A cheap guard against copying English into the Japanese column.
        let brand_like = [Key::Brand, Key::LangSwitch, Key::FooterApi, Key::StepLabel];
        for &key in Key::ALL.iter().filter(|k| !brand_like.contains(k)) {
            let ja = tr(Locale::Ja, key);
            assert!(!ja.is_ascii(), "{key:?} has no Japanese text: {ja}");
        }
    }

    #[test]
    fn fill_replaces_every_placeholder() {
        assert_eq!(
            trf(Locale::En, Key::SignupDoneBody, &[("email", "a@b.jp")]),
            "We sent a confirmation link to a@b.jp. Open the link in that email to finish signing up."
        );
        assert_eq!(
            fill("{a} and {a}, {b}", &[("a", "1"), ("b", "2")]),
            "1 and 1, 2"
        );
    }

    #[test]
    fn the_switch_names_the_other_language() {
        assert_eq!(other(Locale::Ja), Locale::En);
        assert_eq!(other(Locale::En), Locale::Ja);
        assert_eq!(tr(Locale::Ja, Key::LangSwitch), "English");
        assert_eq!(tr(Locale::En, Key::LangSwitch), "日本語");
    }
}
