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
    NavAcme => "ACME利用申請・EAB", "ACME & EAB";
    NavOperator => "オペレーター", "Operator";
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
    StepTodo => "未完了", "To do";

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
    CreatedAtLabel => "登録日時", "Created";
    ProgressTitle => "お手続きの状況", "Your progress";
    ProgressLead => "サーバー証明書(ACME対応版)の発行までの手続きです。", "The steps to your first ACME certificate.";
    AcmeCardTitle => "ACME利用申請・EAB", "ACME application and EAB";
    AcmeCardBodyNone => "ACMEクライアントで証明書を取得するには、まずサービス約款をご確認のうえACME利用申請を行ってください。EAB(認証情報)がすぐに発行されます。",
        "To obtain certificates with your ACME client, first read the service terms and apply for ACME use. Your EAB credentials are issued at once.";
    AcmeCardBodyApplied => "EAB(認証情報)、ACMEクライアントのコマンド例、登録済みのACMEアカウントを確認できます。",
        "See your EAB credentials, commands for your ACME client, and the ACME accounts registered with them.";
    AcmeCardLinkApply => "ACME利用申請へ進む", "Apply for ACME use";
    AcmeCardLinkView => "EABとACMEアカウントを見る", "View EAB and ACME accounts";
    ApiTokensCardTitle => "APIトークン", "API tokens";
    ApiTokensCardBody => "REST API をプログラムから利用するためのトークンを作成・無効化できます。",
        "Create and revoke tokens for using the REST API from your own programs.";
    ApiTokensCardLink => "APIトークンを管理する", "Manage API tokens";

    WebhooksCardTitle => "Webhook通知", "Webhooks";
    WebhooksCardBody => "登録状態の変化・請求書・証明書の発行や失効などを、署名付きの HTTPS 通知で受け取れます。",
        "Receive signed HTTPS notifications of registration changes, invoices, certificate issuance, revocation and more.";
    WebhooksCardLink => "Webhookを管理する", "Manage webhooks";

    // Webhooks (REST API issue, item 6)
    WebhooksTitle => "Webhook通知", "Webhooks";
    WebhooksLead => "選んだイベントが起きると、登録した HTTPS の URL に JSON を POST します。Standard Webhooks 方式の署名(webhook-id・webhook-timestamp・webhook-signature ヘッダー)をシークレットで検証してください。失敗した送信は間隔を空けて最大8回まで再送します。",
        "When a chosen event happens, CertDirect POSTs JSON to your HTTPS URL, signed the Standard Webhooks way (webhook-id, webhook-timestamp and webhook-signature headers): verify it with the secret. Failed deliveries are retried with increasing waits, up to 8 attempts.";
    WebhookCreateTitle => "送信先を追加", "Add an endpoint";
    WebhookUrlLabel => "送信先URL", "Endpoint URL";
    WebhookUrlHint => "https:// で始まる、インターネットから届くURL(社内・ループバックのアドレスは使えません)。", "An https:// URL reachable from the internet (private and loopback addresses are refused).";
    WebhookDescriptionLabel => "メモ", "Note";
    WebhookEventsLabel => "通知するイベント", "Events";
    WebhookCreateSubmit => "送信先を追加", "Add endpoint";
    WebhookSecretTitle => "署名用シークレット", "Signing secret";
    WebhookSecretWarn => "このシークレットは今しか表示されません。今すぐコピーして、受信側の署名検証に設定してください。",
        "This is the only time the secret is shown. Copy it now into your receiver's signature check.";
    WebhookListTitle => "登録済みの送信先", "Your endpoints";
    WebhookEmpty => "送信先はまだありません。", "No endpoints yet.";
    WebhookSendTest => "テスト送信", "Send test";
    WebhookRefresh => "再読み込み", "Refresh";
    WebhookDelete => "削除", "Delete";
    WebhookDeleteConfirm => "この送信先を削除しますか?以後は何も送信されません。", "Delete this endpoint? Nothing more will be sent to it.";
    WebhookDeliveriesTitle => "送信履歴", "Deliveries";
    WebhookNoDeliveries => "送信履歴はまだありません。", "Nothing has been sent yet.";
    WebhookColEvent => "イベント", "Event";
    WebhookColStatus => "状態", "Status";
    WebhookColAttempts => "送信(日時 — 結果)", "Attempts (time — result)";
    WebhookResend => "再送", "Re-send";
    WebhookNoAnswer => "応答なし", "no answer";
    WebhookStatusPending => "再送待ち", "waiting";
    WebhookStatusSending => "送信中", "sending";
    WebhookStatusSucceeded => "成功", "delivered";
    WebhookStatusFailed => "失敗", "failed";
    WebhookEventRegistration => "利用FQDN登録の状態変化", "Registration state changed";
    WebhookEventInvoiceIssued => "請求書の発行", "Invoice issued";
    WebhookEventInvoicePaid => "請求書の入金", "Invoice paid";
    WebhookEventInvoiceVoid => "請求書の無効化(期限切れ)", "Invoice void (unpaid by its due date)";
    WebhookEventCertIssued => "証明書の発行", "Certificate issued";
    WebhookEventCertRevoked => "証明書の失効", "Certificate revoked";
    WebhookEventCertExpiring => "証明書の有効期限が近い", "Certificate expiring";
    WebhookEventValidationFailed => "ドメイン認証の失敗", "Validation failed";
    WebhookEventEabExpiring => "EAB認証情報の有効期限が近い", "EAB credential expiring";
    WebhookEventPing => "テスト(ping)", "Test (ping)";
    FieldHttpsRequired => "https:// で始まるURLを入力してください。", "Enter an https:// URL.";
    FieldAddressRefused => "このURLのアドレスはループバック・社内用などのため送信できません:{reason}", "This URL's address is loopback, private or reserved, so nothing can be sent to it: {reason}";
    FieldUnresolvable => "このURLのホスト名からアドレスが見つかりません。", "This URL's host name has no address.";

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
    ScopeAcme => "acme — EABのHMACキーの取得(ACMEクライアントの自動設定用。read では表示されません)",
        "acme — read the EAB HMAC key (for setting up ACME clients; read does not show it)";
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

    // Service terms (サービス約款), shown before the ACME usage application and at /terms
    TermsTitle => "サービス約款", "Service terms";
    TermsVersion => "2026年11月版", "Version 2026-11";
    TermsLead => "CertDirect サーバー証明書(ACME対応版)サービスのご利用条件です。ACME利用申請の前に必ずお読みください。",
        "The conditions of the CertDirect ACME server certificate service. Please read them before you apply for ACME use.";
    Terms1Title => "第1条(適用)", "Article 1 (Scope)";
    Terms1Body => "本約款は、CertDirect(以下「当社」)が会員に提供するサーバー証明書(ACME対応版)サービス(以下「本サービス」)の利用に適用されます。会員は、ACME利用申請の「同意して確定」をもって本約款に同意したものとします。",
        "These terms apply to the ACME server certificate service (the \"Service\") that CertDirect (\"we\") provides to its members. By clicking \"Agree and confirm\" on the ACME usage application, the member accepts these terms.";
    Terms2Title => "第2条(ACME利用申請とEAB)", "Article 2 (ACME usage application and EAB)";
    Terms2Body => "ACME利用申請はお客様IDごとに1回のみ行えます。申請が確定すると、当社は外部アカウント連携(EAB)の鍵IDとHMACキーを発行します。EABの有効期間は発行から14日間で、期限を過ぎると新しいACMEアカウントを登録できません。再発行はカスタマーセンターへのお問い合わせにより当社が行い、再発行の時点で従前のEABは無効になります。会員はHMACキーを第三者に開示してはなりません。",
        "The ACME usage application can be made once per customer ID. When it is confirmed we issue External Account Binding (EAB) credentials: a key ID and an HMAC key. They are valid for 14 days from issuance; after that no new ACME account can be registered with them. We re-issue credentials on request to the customer center, and the previous credentials stop working at that moment. The member must not disclose the HMAC key to anyone.";
    Terms3Title => "第3条(ACMEアカウント)", "Article 3 (ACME accounts)";
    Terms3Body => "EABを用いて登録されたACMEアカウントは、登録に用いたEABの会員に帰属し、他の会員に移すことはできません。会員は、ACMEアカウントの秘密鍵を適切に管理し、当社からの緊急の連絡を受け取れる連絡先メールアドレスを登録するものとします。不要になったアカウントや鍵が漏えいしたおそれのあるアカウントは、マイページから速やかに無効化してください。",
        "An ACME account registered with EAB credentials belongs to the member those credentials were issued to and cannot be moved to another member. The member keeps the account's private key safe and registers a contact email address that receives our urgent notices. Deactivate accounts you no longer use, or whose key may have leaked, on My Page without delay.";
    Terms4Title => "第4条(利用FQDNと証明書の発行)", "Article 4 (Usage FQDNs and issuance)";
    Terms4Body => "証明書は、会員が登録し料金の支払いが確認された利用FQDNについてのみ、http-01 または dns-01 によるドメイン認証を経て発行されます。最初の証明書は、登録完了の1年後の同月末日(日本時間23時59分59秒)までに発行される必要があります。利用FQDNの入力誤りによる訂正・返金はいたしません。",
        "Certificates are issued only for usage FQDNs the member has registered and paid for, after domain validation by http-01 or dns-01. The first certificate must be issued by the last day of the same month one year after the registration was completed (23:59:59 Japan time). Misspelt FQDNs are neither corrected nor refunded.";
    Terms5Title => "第5条(料金)", "Article 5 (Fees)";
    Terms5Body => "料金は当社が定める料金表のとおりとし、消費税を加えてお支払いいただきます。証明書が一度でも発行された利用FQDNの料金は返金いたしません。",
        "Fees follow our price list, with consumption tax added. Fees for a usage FQDN for which a certificate has been issued are not refunded.";
    Terms6Title => "第6条(禁止事項)", "Article 6 (Prohibited conduct)";
    Terms6Body => "会員は、自らが管理権限を持たないドメイン名の証明書を申請すること、虚偽の情報を登録すること、本サービスの運営を妨げる行為(過度のリクエストを含みます)をしてはなりません。",
        "Members must not request certificates for domain names they do not control, register false information, or disturb the operation of the Service (including by excessive requests).";
    Terms7Title => "第7条(失効・停止)", "Article 7 (Revocation and suspension)";
    Terms7Body => "当社は、鍵の危殆化、本約款への違反、または CA/Browser Forum の Baseline Requirements その他の規程が求める場合、事前の通知なく証明書を失効させ、ACMEアカウントを無効化することがあります。",
        "We may revoke certificates and deactivate ACME accounts without notice when a key is compromised, when these terms are breached, or when the CA/Browser Forum Baseline Requirements or other rules require it.";
    Terms8Title => "第8条(お問い合わせ)", "Article 8 (Contact)";
    Terms8Body => "本サービスに関するお問い合わせは、カスタマーセンター(平日9時〜18時、土日祝日・12月29日〜1月3日を除く)で承ります。",
        "Questions about the Service are answered by the customer center (weekdays 9:00–18:00 Japan time, except Saturdays, Sundays, Japanese public holidays and 29 December – 3 January).";

    // ACME usage application (ACME利用申請) and EAB credentials (R-EAB-1..3)
    AcmeTitle => "ACME利用申請", "ACME usage application";
    AcmeLead => "お使いのACMEクライアント(certbot、lego、acme.sh など)で証明書を取得するための申請です。申請すると、ACMEアカウントの登録に使うEAB(外部アカウント連携)の認証情報がすぐに発行されます。",
        "Apply here to obtain certificates with your own ACME client (certbot, lego, acme.sh, …). Your External Account Binding (EAB) credentials, used to register ACME accounts, are issued at once.";
    AcmeApplyOnce => "ACME利用申請はお客様ごとに1回のみです。", "You can apply for ACME use once per customer.";
    AcmeApplyNote => "「同意して確定」をクリックすると、上記のサービス約款に同意のうえACME利用を申請したものとみなされます。",
        "By clicking \"Agree and confirm\" you accept the service terms above and apply for ACME use.";
    AcmeApplySubmit => "同意して確定", "Agree and confirm";
    AcmeApplied => "ACME利用申請を受け付けました(申請番号:{number})。EAB(認証情報)を発行し、ご登録のメールアドレスにもお知らせしました。",
        "Your ACME usage application has been accepted (application number {number}). Your EAB credentials are below; we have also emailed you.";
    AcmeAlreadyApplied => "ACME利用申請はすでに完了しています(申請番号:{number})。申請はお客様ごとに1回のみです。EABの有効期限が切れた場合は、カスタマーセンターにお問い合わせください。",
        "You have already applied for ACME use (application number {number}). The application can be made only once per customer. If your EAB credentials have expired, please contact the customer center.";
    AcmeAlreadyAppliedNoNumber => "ACME利用申請はすでに完了しています。申請はお客様ごとに1回のみです。EABの有効期限が切れた場合は、カスタマーセンターにお問い合わせください。",
        "You have already applied for ACME use. The application can be made only once per customer. If your EAB credentials have expired, please contact the customer center.";
    ApplicationTitle => "申請内容", "Your application";
    ApplicationNumberLabel => "申請番号", "Application number";
    AppliedAtLabel => "申請日時", "Applied";
    EabTitle => "EAB(認証情報)", "EAB credentials";
    EabLead => "ACMEクライアントでアカウントを登録するときに、鍵IDとHMACキーを指定します。HMACキーはパスワードと同じように扱い、第三者に知られないようにしてください。",
        "Give the key ID and the HMAC key to your ACME client when it registers an account. Treat the HMAC key like a password and keep it to yourself.";
    EabKidLabel => "鍵ID(EAB Key ID)", "Key ID (EAB key ID)";
    EabHmacLabel => "HMACキー(base64url)", "HMAC key (base64url)";
    EabIssuedLabel => "発行日時", "Issued";
    EabExpiresLabel => "有効期限", "Expires";
    EabStatusValid => "有効", "Valid";
    EabStatusExpired => "期限切れ", "Expired";
    EabValidity => "EABの有効期間は発行から14日間です。有効期限までにACMEアカウントを登録してください。登録済みのACMEアカウントは、有効期限後も引き続きご利用いただけます。",
        "EAB credentials are valid for 14 days from issuance. Register your ACME accounts before they expire; accounts already registered keep working afterwards.";
    EabExpiredTitle => "EABの有効期限が切れています", "Your EAB credentials have expired";
    EabExpiredBody => "このEABでは新しいACMEアカウントを登録できません。新しいEABの発行をご希望の場合は、カスタマーセンターまでお問い合わせください。登録済みのACMEアカウントは引き続きご利用いただけます。",
        "No new ACME account can be registered with these credentials. To receive new EAB credentials, please contact the customer center. ACME accounts you have already registered keep working.";
    DirectoryTitle => "申請先のサーバーホスト(ACMEディレクトリURL)", "Server (ACME directory URL)";
    DirectoryLead => "ACMEクライアントのサーバー(ディレクトリURL)には、次のURLを指定してください。",
        "Point your ACME client's server (directory URL) at this address.";
    CommandsTitle => "ACMEクライアントのコマンド例", "Commands for your ACME client";
    CommandsLead => "お客様のEABを入力済みのコマンドです。メールアドレスは認証局からの緊急のお知らせを受け取る連絡先です。必要に応じて変更してください。",
        "These command lines have your EAB filled in. The email address is the contact for urgent notices from the certificate authority; change it if you need to.";
    CommandsLegoNote => "lego はアカウント登録に続けて証明書を申請します。--domains には、登録と支払いが済んだ利用FQDNを指定してください。",
        "lego registers the account and then requests a certificate: give --domains a usage FQDN you have registered and paid for.";
    CopyCommandOf => "{client} のコマンドをコピー", "Copy the {client} command";
    CopyLabel => "{what}をコピー", "Copy the {what}";
    ContactSupportNote => "EABの再発行などのお問い合わせは、カスタマーセンター(平日9時〜18時)で承ります。",
        "For new EAB credentials and other questions, contact the customer center (weekdays 9:00–18:00 Japan time).";

    // ACME accounts bound through the EAB (R-EAB-3)
    AccountsTitle => "ACMEアカウント", "ACME accounts";
    AccountsLead => "EABを使って登録されたACMEアカウントの一覧です。1つのEABで複数のアカウント(複数のサーバー)を登録できます。使わなくなったアカウントは無効化してください。無効化したアカウントの鍵では、以後ACMEサーバーを利用できません。",
        "The ACME accounts registered with your EAB credentials. One EAB can register several accounts (several servers). Deactivate the accounts you no longer use: a deactivated account's key can no longer be used with the ACME server.";
    AccountsEmpty => "登録済みのACMEアカウントはまだありません。上のコマンドでACMEクライアントからアカウントを登録してください。",
        "No ACME account has been registered yet. Register one from your ACME client with the commands above.";
    AccountsRefresh => "最新の情報に更新", "Refresh";
    ColAccount => "アカウント", "Account";
    ColStatus => "状態", "Status";
    ColContact => "連絡先", "Contact";
    ColThumbprint => "鍵のサムプリント", "Key thumbprint";
    AccountStatusValid => "有効", "Active";
    AccountStatusDeactivated => "無効化済み", "Deactivated";
    NoContact => "(なし)", "(none)";
    Deactivate => "無効化", "Deactivate";
    DeactivateConfirm => "ACMEアカウント {id} を無効化しますか?無効化は取り消せません。このアカウントの鍵を使っているACMEクライアントは、証明書を取得・更新できなくなります。",
        "Deactivate ACME account {id}? This cannot be undone: ACME clients using this account's key can no longer obtain or renew certificates.";
    DeactivateYes => "無効化する", "Deactivate";
    Cancel => "キャンセル", "Cancel";
    AccountDeactivated => "ACMEアカウント {id} を無効化しました。", "ACME account {id} has been deactivated.";

    // Operator console
    OperatorOnly => "このページはオペレーター専用です。", "This page is for operators only.";
    OperatorCustomersTitle => "お客様一覧", "Customers";
    OperatorCustomersLead => "お客様を検索し、EAB(認証情報)を再発行できます。再発行すると、それまでのEABはただちに使えなくなり、新しいEABをお客様にメールでお知らせします。",
        "Find customers and re-issue their EAB credentials. Re-issuing stops the previous credentials at once and emails the new ones to the customer.";
    OperatorSearchLabel => "検索(お客様ID・メールアドレス・お名前)", "Search (customer ID, email address or name)";
    OperatorSearchSubmit => "検索", "Search";
    OperatorTotal => "{total}件中 {from}〜{to}件を表示", "Showing {from}–{to} of {total}";
    OperatorNoCustomers => "該当するお客様はいません。", "No customers match.";
    ColCustomer => "お客様", "Customer";
    ColAcme => "ACME利用申請", "ACME application";
    AcmeStateApplied => "申請済み", "Applied";
    AcmeStateNone => "未申請", "Not applied";
    RoleOperator => "オペレーター", "Operator";
    EmailUnverified => "メール未確認", "Email not confirmed";
    OperatorReissue => "EABを再発行", "Re-issue EAB";
    OperatorReissueConfirm => "{id}({email})のEABを再発行しますか?現在のEABはただちに使えなくなります。",
        "Re-issue the EAB credentials of {id} ({email})? The current credentials stop working at once.";
    OperatorReissueYes => "再発行する", "Re-issue";
    OperatorReissued => "{id} に新しいEABを発行しました。お客様にはメールでお知らせしました。", "New EAB credentials have been issued to {id}; the customer has been emailed.";
    OperatorNotApplied => "{id} はACME利用申請をしていないため、EABを発行できません。", "{id} has not applied for ACME use, so no EAB can be issued.";
    PrevPage => "前へ", "Previous";
    NextPage => "次へ", "Next";

    // Navigation for STEP 5–7 and the operator's payments
    NavRegistrations => "利用FQDN", "Usage FQDNs";
    NavInvoices => "ご請求", "Invoices";
    NavCertificates => "証明書", "Certificates";
    NavOperatorInvoices => "入金確認", "Payments";
    NavOperatorStatements => "振込明細の取込", "Bank statements";
    NavOperatorValidations => "ドメイン認証の記録", "Validations";
    StepLocked => "ACME利用申請後", "After the ACME application";
    StepLockedNote => "STEP 5〜7 は、ACME利用申請(STEP 2)を済ませた後にお手続きいただけます。",
        "STEP 5 to 7 open once you have applied for ACME use (STEP 2).";

    // The usage FQDN input and its live preview (R-FQDN-1..3)
    CertTypeLabel => "証明書の種類", "Certificate type";
    FqdnLabel => "利用FQDN", "Usage FQDN";
    FqdnHint => "例: example.jp、例え.jp、ワイルドカードは *.example.jp。入力した名前の変換結果と、証明書に含められる名前がその場で表示されます。",
        "E.g. example.jp, 例え.jp, or *.example.jp for a wildcard. The converted name and the names your certificates may carry are shown as you type.";
    FqdnPreviewEmpty => "FQDNを入力すると、Punycode(ASCII)表記と証明書に含められる名前がここに表示されます。",
        "Type an FQDN to see its Punycode (ASCII) form and the names your certificates may carry.";
    FqdnValid => "登録できる形式です", "Valid name";
    FqdnAsciiLabel => "Punycode(ASCII)表記", "Punycode (ASCII) form";
    FqdnUnicodeLabel => "日本語(Unicode)表記", "Unicode form";
    FqdnCoverageLabel => "証明書に含められる名前", "Names covered";
    FqdnTaken => "このFQDNはすでに他のお客様が登録しているため、登録できません。", "This FQDN is already registered by another customer and cannot be registered.";
    FqdnAwaitingPayment => "このFQDNはお支払い待ちのお申し込みがあります。先にそのご請求をお支払いください。", "This FQDN already has an application awaiting payment. Please pay that invoice first.";
    FqdnRenewalPending => "このFQDNには未払いの更新のご請求があります。先にそのご請求をお支払いください(お支払い期限を過ぎると新しく申し込めます)。",
        "This FQDN already has an unpaid renewal invoice. Please pay it first (or order again after its due date).";
    FqdnTypeMismatch => "このFQDNは別の種類の証明書で登録済みです。同じ種類を選んでください。", "This FQDN is registered with the other certificate type. Choose the same type.";
    UnknownPeriod => "選択できない契約期間です。", "This contract period is not offered.";

    // The registration wizard (SPEC.md §2 items 5–9)
    WizLead => "利用FQDNを登録し、お支払いいただくと、ACMEクライアントで証明書を発行できるようになります。",
        "Register and pay for a usage FQDN, and your ACME client can then obtain certificates for it.";
    WizEntryTitle => "利用FQDN情報登録", "Usage FQDN registration";
    WizEntryNext => "次へ", "Next";
    WizProductTitle => "購入商品を選択", "Select the product";
    WizProductLead => "お申し込みの商品をご確認ください。", "Please check the product you are buying.";
    WizProductNext => "次へ(購入手続き)", "Next (purchase)";
    WizFqdnTitle => "利用FQDNを確認", "Confirm the usage FQDN";
    WizFqdnLead => "登録するFQDNと、証明書に含められる名前をご確認ください。", "Check the FQDN and the names your certificates may carry.";
    WizFqdnNext => "お支払い方法の選択", "Choose the payment method";
    WizPaymentTitle => "お支払い方法を選択", "Choose the payment method";
    WizPaymentNext => "同意して次へ", "Agree and continue";
    WizConfirmTitle => "申し込み内容を確定する", "Confirm your application";
    WizConfirmNext => "申し込みを確定する", "Confirm the application";
    WizDoneTitle => "お申し込みを受け付けました", "Application received";
    WizDoneLead => "お申し込みを受け付け、ご請求を作成しました。", "Your application has been received and an invoice has been issued.";
    WizDoneMail => "ご請求の内容は請求宛先メールアドレス({email})にもお送りしました。", "The invoice has also been emailed to your billing address ({email}).";
    WizBack => "戻る", "Back";
    WizFixFqdn => "FQDNを正しく入力してください。", "Please enter a valid FQDN.";
    WizRenewal => "このFQDNはすでにご利用中です。このお申し込みは契約の更新となり、契約期間が延長されます。",
        "You already hold this FQDN: this purchase renews it and extends the contract period.";
    WizAcmeRequired => "利用FQDNの登録には、ACME利用申請が必要です。先にACME利用申請を完了してください。",
        "Registering a usage FQDN requires the ACME usage application. Please apply for ACME use first.";
    WizMisspellWarning => "ご注意: 入力された利用FQDNに誤りがあった場合でも、返金および訂正はいたしません。内容を十分にご確認ください。",
        "Please note: a misspelt usage FQDN is neither refunded nor corrected. Check it carefully.";
    PeriodLabel => "契約期間", "Contract period";
    PeriodYears => "{n}年", "{n} years";
    PriceLabel => "料金", "Price";
    PriceInclTax => "{amount}(税込)", "{amount} incl. tax";
    PriceBreakdown => "(税抜 {excl} + 消費税10% {tax})", "({excl} + 10% consumption tax {tax})";
    PaymentMethodLabel => "お支払い方法", "Payment method";
    PaymentCardNote => "お申し込みの直後にクレジットカードでお支払いいただけます。", "Pay by credit card right after applying.";
    PaymentBankNote => "お支払い期限までに指定口座へお振込みください。入金確認後に登録が完了します。", "Transfer the amount by the due date; the registration completes once we see the payment.";
    ChoosePaymentMethod => "お支払い方法を選択してください。", "Please choose a payment method.";
    AgreeTerms => "サービス約款に同意します。", "I agree to the service terms.";
    AgreeTokutei => "特定商取引法に基づく表記の内容を確認しました。", "I have read the notice under the Specified Commercial Transactions Act.";
    AgreeRequired => "サービス約款と特定商取引法に基づく表記への同意が必要です。", "You must agree to the service terms and the Specified Commercial Transactions Act notice.";
    TokuteiTitle => "特定商取引法に基づく表記", "Notice under the Specified Commercial Transactions Act";
    TokuteiSellerLabel => "販売事業者", "Seller";
    TokuteiSeller => "CertDirect(カスタマーセンター 平日9時〜18時)", "CertDirect (customer center, weekdays 9:00–18:00 Japan time)";
    TokuteiPriceLabel => "販売価格", "Price";
    TokuteiPrice => "各商品に表示した価格(消費税10%込み)", "As shown for each product, including 10% consumption tax";
    TokuteiTimingLabel => "お支払い時期・方法", "Payment";
    TokuteiTiming => "クレジットカード: お申し込み時。銀行振込: ご請求日から14日以内(振込手数料はお客様のご負担となります)。",
        "Credit card: when you apply. Bank transfer: within 14 days of the invoice (transfer fees are yours).";
    TokuteiDeliveryLabel => "提供時期", "Delivery";
    TokuteiDelivery => "お支払いの確認後、ACMEクライアントから証明書を発行できます。最初の発行は登録完了の1年後の同月末日まで。",
        "Once payment is confirmed your ACME client can obtain certificates; the first must be issued by the end of the same month one year after registration.";
    TokuteiRefundLabel => "返品・キャンセル", "Returns and cancellation";
    TokuteiRefund => "証明書の発行後は返金いたしません。利用FQDNの入力誤りによる返金・訂正もいたしません。",
        "No refund once a certificate has been issued, nor for a misspelt usage FQDN.";

    // Card payment (R-BILL-3)
    CardPayTitle => "クレジットカードでのお支払い", "Pay by credit card";
    CardPayLead => "請求書 {number}({amount})をお支払いください。", "Pay invoice {number} ({amount}).";
    CardNumberLabel => "カード番号", "Card number";
    CardExpMonthLabel => "有効期限(月)", "Expiry month";
    CardExpYearLabel => "有効期限(年)", "Expiry year";
    CardCvcLabel => "セキュリティコード", "Security code (CVC)";
    CardNotStored => "カード情報は決済にのみ使用し、CertDirect には保存しません。", "Card details are used for this payment only; CertDirect does not store them.";
    CardPaySubmit => "{amount}を支払う", "Pay {amount}";
    CardDeclined => "カード決済が承認されませんでした。請求書 {number} は未払いのままです。カード情報をご確認のうえ、別のカードでお試しいただくか銀行振込をご利用ください。",
        "The card was declined. Invoice {number} stays unpaid. Check the card details, try another card, or pay by bank transfer.";
    InvoiceAlreadyPaid => "請求書 {number} はすでにお支払い済みです。", "Invoice {number} has already been paid.";
    InvoicePaymentInProgress => "請求書 {number} のお支払いを処理中です。しばらくしてから表示を更新してください。",
        "A payment for invoice {number} is in progress. Please reload in a moment.";
    PaidRegistered => "お支払いを確認しました。利用FQDNの登録が完了し、証明書を発行できるようになりました。",
        "Payment received. The usage FQDN is registered and certificates can now be issued for it.";
    BankTransferNote => "お支払い期限までにお振込みください。振込名義の前に請求書番号 {number} を入れてください。入金を確認しましたら登録完了のメールをお送りします。",
        "Please transfer the amount by the due date, putting the invoice number {number} before the payer name. We will email you when the payment is confirmed.";

    // Invoices
    InvoicesTitle => "ご請求・お支払い", "Invoices and payment";
    InvoicesLead => "ご請求(請求書番号 BILL…)と、その状態です。クレジットカードのご請求はこのページからお支払いいただけます。",
        "Your invoices (BILL…) and their state. Card invoices can be paid on this page.";
    InvoicesEmpty => "ご請求はまだありません。", "You have no invoices yet.";
    InvoiceNumberLabel => "請求書番号", "Invoice number";
    AmountLabel => "金額", "Amount";
    IssuedLabel => "請求日", "Issued";
    DueLabel => "お支払い期限", "Due";
    PaidAtLabel => "お支払い日", "Paid";
    InvUnpaid => "未払い", "Unpaid";
    InvPaid => "お支払い済み", "Paid";
    InvVoid => "無効(期限切れ)", "Void";
    InvRefunded => "返金済み", "Refunded";
    PayByCard => "カードで支払う", "Pay by card";
    AwaitingTransfer => "お振込み待ち", "Awaiting transfer";
    InvoicePaidNotice => "請求書 {number} のお支払いを確認しました。", "Invoice {number} has been paid.";

    // 利用FQDN情報一覧
    RegistrationsTitle => "利用FQDN情報一覧", "Usage FQDNs";
    RegistrationsLead => "登録済みの利用FQDNと、その状態です。最初の証明書は発行期限までに発行してください。",
        "Your usage FQDNs and their state. Issue the first certificate before the issuance deadline.";
    GroupUpcoming => "今後有効になるサーバー証明書(ACME対応版)利用FQDN一覧", "Usage FQDNs that will become active";
    GroupActive => "有効なサーバー証明書(ACME対応版)利用FQDN一覧", "Active usage FQDNs";
    GroupAwaiting => "お支払い待ちの利用FQDN", "Awaiting payment";
    GroupEnded => "終了した利用FQDN", "Ended";
    GroupEmpty => "該当する利用FQDNはありません。", "None.";
    ColFqdn => "利用FQDN", "FQDN";
    ColDates => "日時", "Dates";
    DeadlineLabel => "発行期限", "Issue by";
    ContractEndLabel => "契約終了", "Contract ends";
    ActivatedLabel => "有効化", "Activated";

    // Certificates (R-CA-3, R-CA-4)
    CertificatesTitle => "証明書", "Certificates";
    CertificatesLead => "発行された証明書の一覧です。中間証明書を含むPEM形式でダウンロードでき、必要に応じて失効できます。",
        "The certificates issued to you. Download each as a PEM chain (with the intermediate), and revoke when needed.";
    CertificatesEmpty => "発行された証明書はまだありません。利用FQDNの登録とお支払いの後、ACMEクライアントで証明書を取得してください。",
        "No certificate has been issued yet. After registering and paying for a usage FQDN, obtain one with your ACME client.";
    ColNames => "名前", "Names";
    ColSerial => "シリアル番号", "Serial number";
    ColValidity => "有効期間", "Validity";
    NotBeforeLabel => "開始", "From";
    NotAfterLabel => "終了", "Until";
    RevokedAtLabel => "失効日時", "Revoked";
    CertValid => "有効", "Valid";
    CertRevoked => "失効", "Revoked";
    CertExpired => "期限切れ", "Expired";
    DownloadChain => "PEMをダウンロード", "Download PEM";
    RevokeCert => "失効", "Revoke";
    RevokeQuestion => "この証明書を失効させますか?失効は取り消せません。", "Revoke this certificate? This cannot be undone.";
    RevokeReasonLabel => "失効理由", "Reason";
    RevokeYes => "失効させる", "Revoke";
    CertRevokedNotice => "証明書 {serial} を失効させました。", "Certificate {serial} has been revoked.";
    ReasonUnspecified => "理由を指定しない(0)", "Unspecified (0)";
    ReasonKeyCompromise => "秘密鍵の漏えい(1)", "Key compromise (1)";
    ReasonAffiliationChanged => "組織・名称の変更(3)", "Affiliation changed (3)";
    ReasonSuperseded => "新しい証明書への置き換え(4)", "Superseded (4)";
    ReasonCessation => "利用の終了(5)", "Cessation of operation (5)";

    // ACME orders and validation errors (R-VAL-5)
    OrdersTitle => "ACMEの発行手続き", "ACME orders";
    OrdersLead => "ACMEクライアントからの最近の発行手続き(オーダー)と、ドメイン認証の結果です。認証に失敗した場合は、原因と対処方法を表示します。",
        "Recent orders from your ACME clients and the results of domain validation. A failed validation is explained with what to fix.";
    OrdersEmpty => "ACMEの発行手続きはまだありません。", "No ACME orders yet.";
    OrderTitle => "オーダー {id}", "Order {id}";
    AcmePending => "認証待ち", "Pending";
    AcmeReady => "発行準備完了", "Ready";
    AcmeProcessing => "処理中", "Processing";
    AcmeValid => "成功", "Valid";
    AcmeInvalid => "失敗", "Invalid";
    AcmeExpiredStatus => "期限切れ", "Expired";
    ErrServerSaid => "認証局からの詳細:", "Details from the CA:";
    ErrDnsWhat => "DNSの問い合わせに失敗しました。名前が存在しないか、必要なレコードが見つかりませんでした。",
        "The DNS lookup failed: the name does not exist or the record needed was not found.";
    ErrDnsFix => "http-01 の場合はFQDNのAレコード(またはAAAAレコード)が公開されているか、dns-01 の場合は _acme-challenge.<FQDN> のTXTレコードが権威DNSサーバーに反映されているかをご確認のうえ、もう一度お試しください。",
        "For http-01, check that the FQDN has a published A (or AAAA) record; for dns-01, check that the TXT record _acme-challenge.<FQDN> is live on the authoritative DNS servers. Then try again.";
    ErrConnWhat => "認証のためにお客様のサーバーへ接続できませんでした。", "Could not connect to your server to validate it.";
    ErrConnFix => "サーバーがポート80でHTTPを受け付けているか、ファイアウォールやセキュリティグループで遮断していないか、DNSのアドレスが正しいサーバーを指しているかをご確認ください。",
        "Check that the server accepts HTTP on port 80, that no firewall or security group blocks it, and that DNS points at the right server.";
    ErrUnauthWhat => "認証用の応答が得られませんでした(チャレンジのURLがエラーを返したか、TXTレコードの値が一致しませんでした)。",
        "The validation answer was refused: the challenge URL answered with an error, or no TXT record had the expected value.";
    ErrUnauthFix => "http-01 では /.well-known/acme-challenge/<トークン> がステータス200で返されるよう、ファイルの置き場所とWebサーバーの設定を、dns-01 では _acme-challenge のTXTレコードの値を、dns-persist-01 では _validation-persist のTXTレコード(ACME利用申請のページに表示)の発行者ドメイン名・accounturi・policy・persistUntil をご確認ください。ACMEクライアントを実行したまま認証を受けてください。",
        "For http-01, make /.well-known/acme-challenge/<token> answer with status 200 (file location and web server settings); for dns-01, check the value of the _acme-challenge TXT record; for dns-persist-01, check the issuer domain name, accounturi, policy and persistUntil of the _validation-persist TXT record (shown on the ACME page). Keep the ACME client running during validation.";
    ErrIncorrectWhat => "チャレンジのURLは応答しましたが、本文がキー認証の値と一致しませんでした。", "The challenge URL answered, but its body was not the key authorization.";
    ErrIncorrectFix => "本文にはACMEクライアントが示したキー認証の文字列だけを返してください(HTMLのエラーページや別のサイトの内容になっていないか、リダイレクト先もご確認ください)。リダイレクトはhttpのURLへのみ、10回までです。",
        "Return only the key authorization your ACME client gave (not an HTML error page or another site; check where redirects lead). Redirects may only go to http URLs, at most 10.";
    ErrCaaWhat => "ドメインのCAAレコードが当社による証明書の発行を許可していません。", "The domain's CAA records do not allow us to issue.";
    ErrCaaFix => "ゾーンのCAAレコードを変更してください。下の詳細にある名前(またはその親ドメイン)に、当社の発行者ドメイン名を許可するレコード(例: 0 issue \"<発行者ドメイン名>\"。ワイルドカード証明書は issuewild)を追加し、accounturi を付ける場合はこのACMEアカウントのURLを、validationmethods を付ける場合は使った認証方式(http-01 / dns-01 / dns-persist-01)を含めてください。CAAを引けない(SERVFAILなど)場合は、権威DNSサーバーを直してから、もう一度お試しください。",
        "Change the CAA records in your zone: at the name shown in the details below (or a parent), add a record allowing our issuer domain name (e.g. 0 issue \"<issuer domain>\"; issuewild for wildcard certificates); if you add accounturi, give this ACME account's URL; if you add validationmethods, include the method you used (http-01 / dns-01 / dns-persist-01). If CAA cannot be looked up (SERVFAIL and the like), fix the authoritative DNS servers. Then try again.";
    ReplacedByLabel => "更新後の証明書", "Replaced by";
    RenewEarlyNotice => "認証局から早期更新のお願いがあります。ACMEクライアントで更新してください(ARI対応のクライアントは自動で更新します)。理由:",
        "The CA asks you to renew this certificate early. Renew it with your ACME client (clients that follow ARI do so on their own). Reason:";
    NavOperatorRenewals => "早期更新の依頼", "Early renewal";
    OperatorRenewalsTitle => "証明書の早期更新(ARI)", "Early certificate renewal (ARI)";
    OperatorRenewalsLead => "失効が必要になったときなどに、対象の証明書の更新推奨期間(ACME Renewal Information)を今に移し、お客様にメールでお知らせします。ARI対応のACMEクライアントは次回の確認で自動的に更新します。",
        "When certificates must be revoked, move their suggested renewal window (ACME Renewal Information) to now and email their customers. Clients that follow ARI renew at their next check.";
    CampaignSerials => "シリアル番号(1行に1つ)", "Serial numbers (one per line)";
    CampaignCustomer => "お客様ID", "Customer ID";
    CampaignFqdn => "登録FQDN", "Registered FQDN";
    CampaignIssuedFrom => "発行日(から)", "Issued from";
    CampaignIssuedTo => "発行日(まで)", "Issued until";
    CampaignReason => "理由(お客様へのメールに記載されます)", "Reason (sent to the customers)";
    CampaignRenewBy => "更新期限", "Renew by";
    CampaignPreviewButton => "対象を確認", "Preview";
    CampaignRunButton => "早期更新を依頼する", "Ask for early renewal";
    CampaignPreviewResult => "{certificates}件の証明書({customers}社)が対象です。", "{certificates} certificate(s) of {customers} customer(s) are selected.";
    CampaignDone => "早期更新を依頼しました。対象のお客様にメールを送りました。", "Early renewal asked; the customers have been emailed.";
    CampaignListTitle => "これまでの依頼", "Campaigns";
    CampaignsEmpty => "早期更新の依頼はまだありません。", "No campaigns yet.";
    ColReason => "理由", "Reason";
    ColReplaced => "更新済み", "Replaced";
    ColCreatedAt => "依頼日時", "Asked at";
    ColCertificates => "証明書", "Certificates";
    PerspectivesTitle => "複数拠点からの検証(マルチパースペクティブ検証)", "Validation from several network perspectives (MPIC)";
    PerspectiveAgreed => "一致", "Agreed";
    PerspectiveDisagreed => "不一致", "Disagreed";
    PerspectiveHelp => "認証局は、ドメイン認証とCAAの確認を複数の拠点からも行います。不一致の拠点が多すぎると認証は失敗します。拠点によってDNSの応答が異なる場合は、すべての権威DNSサーバーの内容をそろえてください。",
        "The CA repeats the domain validation and the CAA check from several network perspectives; if too many disagree, validation fails. If your DNS answers differ by location, make all authoritative servers serve the same records.";
    ErrTlsWhat => "TLSの接続に問題がありました。", "There was a TLS problem.";
    ErrRejectedWhat => "登録されていない、またはお支払いが済んでいない名前が含まれていました。", "The order named a name that is not registered or not paid for.";
    ErrRejectedFix => "利用FQDN情報一覧で、名前が登録済み(支払済・証明書未発行、または有効)であり、証明書に含められる名前であることをご確認ください。",
        "Check on the usage FQDN list that the name is registered (paid with no certificate yet, or active) and is one of the covered names.";
    ErrOtherWhat => "証明書の発行手続きでエラーが発生しました。", "The order failed.";
    ErrOtherFix => "下の詳細をご確認のうえ、解決しない場合はカスタマーセンターにお問い合わせください。", "See the details below; if that does not help, contact the customer center.";

    // dns-persist-01 standing records on the ACME page (R-VAL-10)
    PersistTitle => "dns-persist-01 用のTXTレコード(一度の登録で継続利用)", "TXT records for dns-persist-01 (publish once, keep using)";
    PersistLead => "dns-persist-01 で認証する場合は、下のTXTレコードをDNSに一度公開しておけば、証明書の発行・更新のたびにDNSを変更する必要はありません。レコードはACMEアカウントと利用FQDNごとに異なります。ワイルドカード(DV・ワイルドカード)の登録には policy=wildcard が付き、ワイルドカードと元のFQDNの両方の認証に使えます。",
        "To validate by dns-persist-01, publish the TXT records below once; you then need no DNS change for each issuance or renewal. The records differ per ACME account and usage FQDN. Wildcard (DV wildcard) registrations carry policy=wildcard, which validates both the wildcard and its base name.";
    PersistEmpty => "表示できるレコードはありません。有効なACMEアカウントと、登録済み(またはお支払い待ち)の利用FQDNがあると、ここに表示されます。",
        "No records to show: they appear once you have an active ACME account and a registered (or awaiting payment) usage FQDN.";
    PersistAccountHeading => "ACMEアカウント #{id}", "ACME account #{id}";
    PersistCovers => "認証できる名前:", "Validates:";
    PersistRecordLabel => "TXTレコード", "TXT record";
    PersistNote => "発行者ドメイン名は {issuers} のいずれでも構いません。レコードを削除するか、persistUntil=<UNIX時刻> を付けると、以後の認証には使われません。CAAレコードで validationmethods を指定している場合は dns-persist-01 を含めてください。",
        "Any of the issuer domain names {issuers} may be used. Delete a record, or add persistUntil=<UNIX time>, and it is no longer used for new validations. If your CAA records set validationmethods, include dns-persist-01.";

    // Operator: payments (R-BILL-3, R-BILL-5)
    OperatorValidationsTitle => "ドメイン認証の記録(複数拠点検証)", "Domain validations (multi-perspective)";
    OperatorValidationsLead => "最近のドメイン認証の結果と、各検証拠点が見た内容です。同じ拠点がどのお客様でも不一致なら、その拠点の設定やネットワークをご確認ください。",
        "Recent domain validations and what each network perspective saw. If one perspective disagrees for every customer, check that perspective's configuration and network.";
    OperatorValidationsFilter => "表示", "Show";
    OperatorMailTitle => "送信できていないメール", "Emails that keep failing";
    OperatorMailLead => "3回以上送信に失敗し、まだ届いていないメールです。メールサーバーを確認してから「今すぐ再送」を押してください。",
        "Emails not delivered after 3 or more attempts. Check the mail server, then press \"Retry now\".";
    OperatorMailEmpty => "送信に失敗し続けているメールはありません。", "No email keeps failing.";
    OperatorMailRetry => "今すぐ再送", "Retry now";
    OperatorMailRetried => "再送を依頼しました。", "Retry requested.";
    ColRecipient => "宛先", "To";
    ColSubject => "件名", "Subject";
    ColAttempts => "試行回数", "Attempts";
    ColLastError => "最後のエラー", "Last error";
    OperatorValidationsEmpty => "該当するドメイン認証はありません。", "No validations match.";
    FilterAll => "すべて", "All";
    FilterFailed => "失敗したもの", "Failed";
    FilterDisagreed => "不一致の拠点があるもの", "With a disagreeing perspective";
    ColDecidedAt => "判定日時", "Decided at";
    ColMethod => "認証方式", "Method";
    OperatorInvoicesTitle => "入金確認(未払いのご請求)", "Invoices awaiting payment";
    OperatorInvoicesLead => "銀行振込の入金を確認したご請求について、入金額を確認して消し込みます。金額は税込の請求額と一致する必要があります。",
        "Confirm the bank transfers you have received. The amount must equal the invoice total including tax.";
    OperatorNoUnpaid => "未払いのご請求はありません。", "No invoices await payment.";
    OperatorConfirm => "入金を確認", "Confirm payment";
    OperatorConfirmQuestion => "請求書 {number}(請求額 {amount})の入金を確認済みにしますか?", "Mark invoice {number} ({amount}) as paid?";
    AmountReceivedLabel => "入金額(円)", "Amount received (yen)";
    OperatorConfirmYes => "確認済みにする", "Mark as paid";
    OperatorConfirmed => "請求書 {number}({amount}、お客様ID {customer})の入金を確認しました。お客様に登録完了のメールを送信しました。",
        "Invoice {number} ({amount}, customer {customer}) is paid; the customer has been emailed.";
    AmountInvalid => "入金額を円単位の数字で入力してください。", "Enter the amount received in whole yen.";
    AmountMismatch => "入金額が請求額(税込)と一致しません。何も変更していません。", "The amount does not match the invoice total; nothing was changed.";
    OperatorStatementsTitle => "振込明細の取込", "Import a bank statement";
    OperatorStatementsLead => "銀行の入金明細(CSV)を貼り付けると、請求書番号と金額で照合して消し込みます。同じ入金が二重に消し込まれることはありません。",
        "Paste a bank statement (CSV): each row is matched on invoice number and amount and applied once.";
    StatementCsvLabel => "明細(CSV)", "Statement (CSV)";
    StatementCsvHint => "1行目は見出し行 date,invoice_number,amount,payer です(金額は円、UTF-8)。",
        "The first line is the header date,invoice_number,amount,payer (amount in yen, UTF-8).";
    StatementSubmit => "取り込む", "Import";
    StatementResultTitle => "取込結果", "Result";
    StatementApplied => "{total}行中 {applied}件を消し込みました。", "{applied} of {total} rows applied.";
    ColLine => "行", "Line";
    ColOutcome => "結果", "Outcome";
    ColDetail => "詳細", "Detail";
    OutcomeApplied => "消込済み", "Applied";
    OutcomeAlreadyPaid => "支払い済み", "Already paid";
    OutcomePaymentInProgress => "カード決済の処理中", "Card payment in progress";
    OutcomeUnknownInvoice => "請求書なし", "Unknown invoice";
    OutcomeAmountMismatch => "金額不一致", "Amount mismatch";
    OutcomeNotPayable => "支払い不可", "Not payable";
    OutcomeDuplicate => "ファイル内で重複", "Duplicate in file";
    OutcomeInvalidRow => "不正な行", "Invalid row";

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

    // ACME profiles (R-ACME-9) and the ACME server's limits (R-ACME-10), at /acme-limits
    ProfileLabel => "プロファイル", "Profile";
    ProfilesTitle => "証明書プロファイル", "Certificate profiles";
    ProfilesLead => "ACMEクライアントでプロファイルを指定すると、有効期間の異なる証明書を取得できます。指定しない場合は既定のプロファイル「{name}」になります。",
        "Name a profile in your ACME client to get certificates of a different lifetime. Without one you get the default profile, \"{name}\".";
    ProfileDefault => "既定", "Default";
    ProfileShortLived => "短期証明書", "Short-lived";
    ColDescription => "説明", "Description";
    ColProducts => "対象の種類", "Products";
    ColClientFlags => "ACMEクライアントでの指定", "How to ask for it";
    ProfilesNote => "プロファイルの指定には certbot 4.0 以降、lego v4.22 以降(run と renew のオプション)、acme.sh 3.1.2 以降が必要です。有効期間は契約終了日と CA/ブラウザフォーラムの上限を超えません。",
        "Naming a profile needs certbot 4.0 or later, lego v4.22 or later (an option of run and renew), or acme.sh 3.1.2 or later. The validity never passes the contract end or the CA/Browser Forum maximum.";
    LimitsTitle => "ACMEサーバーの制限とプロファイル", "ACME server limits and profiles";
    LimitsLead => "ACMEクライアントを運用される方向けに、このACMEサーバーの利用制限、問い合わせ間隔、証明書プロファイルをまとめています。ACMEディレクトリの meta.website はこのページです。",
        "For those who run ACME clients: this ACME server's limits, polling interval and certificate profiles. The ACME directory's meta.website is this page.";
    LimitsDirectory => "ディレクトリURL", "Directory URL";
    LimitsPollingTitle => "問い合わせ間隔(Retry-After)", "Polling (Retry-After)";
    LimitsPollingBody => "認証待ち・処理中のオーダー、認可、チャレンジには Retry-After: {secs} が付きます。{secs}秒以上の間隔をあけて問い合わせてください。",
        "Orders, authorizations and challenges that are pending or being processed carry Retry-After: {secs}. Poll no more often than every {secs} seconds.";
    LimitsRateTitle => "利用制限", "Rate limits";
    LimitsRateLead => "上限を超えたリクエストには rateLimited(HTTP 429)と、受け付けを再開するまでの秒数を示す Retry-After が返ります。",
        "Requests over a limit get rateLimited (HTTP 429) with Retry-After: the seconds until requests are accepted again.";
    ColLimit => "対象", "What";
    ColLimitMax => "上限", "Limit";
    LimitPerWindow => "{window}あたり{max}件", "{max} per {window}";
    LimitNewAccountPerAddress => "新規アカウント登録(接続元アドレスごと)", "New accounts (per client address)";
    LimitNewOrderPerAccount => "新規オーダー(ACMEアカウントごと)", "New orders (per ACME account)";
    LimitNewOrderPerAddress => "新規オーダー(接続元アドレスごと)", "New orders (per client address)";
    LimitFailedValidationPerAccount => "ドメイン認証の失敗(ACMEアカウントごと。上限に達すると新規オーダーを受け付けません)",
        "Failed validations (per ACME account; past the limit, new orders are refused)";
    LimitsOtherTitle => "そのほかの上限", "Other limits";
    LimitsMaxIdentifiers => "1オーダーあたりの名前(識別子)の数", "Names (identifiers) per order";
    LimitsOrderLifetime => "オーダーの有効期間", "Order lifetime";
    LimitsAuthzLifetime => "認可(ドメイン認証)の有効期間", "Authorization lifetime";
    LimitsLanguageNote => "エラーの詳細(problem document の detail)は英語です。リクエストの Accept-Language で日本語(ja)を優先すると日本語になります。",
        "Error details (the detail of problem documents) are in English, or in Japanese when the request's Accept-Language prefers ja.";
    FooterLimits => "ACMEの制限とプロファイル", "ACME limits and profiles";
    OneMinute => "1分", "1 minute";
    Hours => "{n}時間", "{n} hours";
    OneHour => "1時間", "1 hour";
    Days => "{n}日", "{n} days";
    OneDay => "1日", "1 day";

    // Durations
    Seconds => "{n}秒", "{n} seconds";
    OneSecond => "1秒", "1 second";
    Minutes => "{n}分", "{n} minutes";

    // Customer center (R-SUP-1, R-SUP-2)
    NavSupport => "カスタマーセンター", "Customer center";
    SupportTitle => "カスタマーセンター", "Customer center";
    SupportLead => "ご利用中のドメイン名(コモンネーム)または請求書番号(BILL…)を添えてお問い合わせください。回答はメールでもお知らせします。",
        "Write to us with the domain name (common name) or the invoice number (BILL…) your question is about. We also email you the answer.";
    SupportHoursTitle => "受付時間", "Office hours";
    SupportHours => "平日 9:00〜18:00(日本時間)。土曜・日曜・祝日・12月29日〜1月3日は休業です。",
        "Weekdays 9:00–18:00 Japan time. Closed on Saturdays, Sundays, Japanese public holidays and 29 December – 3 January.";
    FooterSupportHours => "カスタマーセンター 平日 9:00〜18:00(土日祝・12/29〜1/3 休)",
        "Customer center: weekdays 9:00–18:00 JST (closed weekends, public holidays, 29 Dec – 3 Jan)";
    SupportOpenNow => "ただいま受付時間内です。本日中に回答します。", "We are open now and will answer today.";
    SupportClosedNow => "ただいま受付時間外です。いまお送りいただいたお問い合わせへの回答は、翌営業日の{date}以降になります。",
        "We are closed now. An inquiry sent now is answered on or after the next business day, {date}.";
    SupportAnswerInHours => "受付時間内に受け付けました。{date}中に回答します。",
        "We received your inquiry during office hours and will answer on {date}.";
    SupportAnswerOutOfHours => "受付時間外に受け付けました。回答は翌営業日の{date}以降になります。",
        "We received your inquiry outside office hours. We will answer on or after the next business day, {date}.";
    InquiryFormTitle => "お問い合わせフォーム", "Send an inquiry";
    InquirySubjectLabel => "件名", "Subject";
    InquiryAboutHint => "ドメイン名と請求書番号の、少なくともどちらか一方をご記入ください。",
        "Give the domain name, the invoice number, or both.";
    InquiryDomainLabel => "ドメイン名(コモンネーム)", "Domain name (common name)";
    InquiryDomainHint => "例:example.jp、*.example.jp、例え.jp", "e.g. example.jp, *.example.jp, 例え.jp";
    InquiryMessageLabel => "お問い合わせ内容", "Message";
    InquirySubmit => "送信する", "Send";
    InquirySent => "お問い合わせ {number} を受け付けました。確認のメールをお送りしました。",
        "We received inquiry {number} and emailed you a confirmation.";
    InquiryOpenLink => "お問い合わせの内容を見る", "View the inquiry";
    InquiryListTitle => "これまでのお問い合わせ", "Your inquiries";
    InquiryListEmpty => "お問い合わせはまだありません。", "You have not sent any inquiries yet.";
    InquiryNumberLabel => "お問い合わせ番号", "Inquiry number";
    InquiryAboutLabel => "対象", "About";
    InquiryAnswerByLabel => "回答予定日", "Answer by";
    InquiryReceivedLabel => "受付日時", "Received";
    InquiryAssigneeLabel => "担当", "Assigned to";
    InquiryOpen => "回答待ち", "Awaiting answer";
    InquiryAnswered => "回答済み", "Answered";
    InquiryClosed => "完了", "Closed";
    InquiryTitle => "お問い合わせ", "Inquiry";
    InquiryFromCenter => "カスタマーセンター", "Customer center";
    InquiryFromCustomer => "お客様", "You";
    InquiryFollowUpLabel => "追加で送るメッセージ", "Write again";
    InquiryFollowUpSubmit => "送信する", "Send";
    FieldDomainOrInvoice => "ドメイン名か請求書番号のどちらかをご記入ください。", "Give the domain name or the invoice number.";
    FieldInvoiceNumberFormat => "請求書番号は「BILL」と数字です(例:BILL00000001)。", "An invoice number is BILL followed by digits (e.g. BILL00000001).";
    FieldUnknownInvoice => "お客様の請求書にこの番号はありません。", "None of your invoices has this number.";
    OperatorInquiriesTitle => "お問い合わせ対応", "Inquiries";
    OperatorInquiriesLead => "回答待ちのお問い合わせを古い順に表示します。回答するとお客様にメールが届きます。",
        "Open inquiries, oldest first. Replying emails the customer.";
    OperatorInquiriesEmpty => "該当するお問い合わせはありません。", "No inquiries match.";
    NavOperatorInquiries => "お問い合わせ", "Inquiries";
    OperatorReplyLabel => "回答", "Reply";
    OperatorReplySubmit => "回答を送る", "Send the reply";
    OperatorTakeInquiry => "担当する", "Take it";
    OperatorCloseInquiry => "完了にする", "Close";

    // Printable invoices and receipts (R-BILL-6)
    PrintInvoiceTitle => "請求書", "Invoice";
    PrintReceiptTitle => "領収書", "Receipt";
    PrintInvoiceLink => "請求書を印刷", "Print the invoice";
    PrintReceiptLink => "領収書を印刷", "Print the receipt";
    PrintButton => "印刷・PDFで保存", "Print or save as PDF";
    PrintHint => "印刷画面で「PDFに保存」を選ぶとPDFファイルになります(A4)。", "Choose \"Save as PDF\" in the print dialog for a PDF (A4).";
    PrintReceiptUnpaid => "お支払いの確認後に領収書を発行できます。", "A receipt is available once the payment is confirmed.";
    PrintAddressee => "{name} 様", "To: {name}";
    PrintRegistrationNumber => "登録番号", "Registration number";
    PrintAmountDue => "ご請求金額", "Amount due";
    PrintAmountReceived => "領収金額", "Amount received";
    PrintReceivedLine => "上記の金額を{date}に{method}で正に領収いたしました。", "Received with thanks on {date} by {method}.";
    PrintItem => "品目", "Item";
    PrintQuantity => "数量", "Qty";
    PrintUnitPrice => "単価(税抜)", "Unit price (excl. tax)";
    PrintTaxRate => "税率", "Tax rate";
    PrintAmountExclTax => "金額(税抜)", "Amount (excl. tax)";
    PrintTaxRateTotal => "{rate}%対象", "{rate}% rate";
    PrintTaxableAmount => "税抜 {amount}", "taxable {amount}";
    PrintTaxAmount => "消費税 {amount}", "tax {amount}";
    PrintTotalInclTax => "合計(税込)", "Total (incl. tax)";
    PrintBankTitle => "お振込先", "Bank transfer details";
    PrintBankNote => "振込名義の前に請求書番号 {number} を入れてください。振込手数料はお客様のご負担となります。",
        "Put the invoice number {number} before the payer name. Transfer fees are borne by the customer.";
    PrintCardNote => "クレジットカードでお支払いください(マイページの「ご請求・お支払い」)。", "Pay by card on My Page (Invoices & payment).";
    // Portal guidance (issue 12): next steps, commands for a paid name, bank transfer details,
    // the narrow-screen menu, plain state names, the privacy policy, localized problems.
    MenuButton => "メニュー", "Menu";
    PeriodOneYear => "{n}年", "{n} year";
    WizProgressLabel => "お申し込みの手順", "Application steps";
    NextActionTitle => "次のお手続き", "Next step";
    NextApplyLead => "まず、サービス約款をご確認のうえACME利用申請を行ってください。EAB(認証情報)がすぐに発行されます。",
        "First, read the service terms and apply for ACME use. Your EAB credentials are issued at once.";
    NextRegisterLead => "証明書を発行する名前(利用FQDN)を登録し、お支払いください。", "Register the name (usage FQDN) you want certificates for, and pay for it.";
    NextRegisterButton => "利用FQDN情報登録へ進む", "Register a usage FQDN";
    NextPayLead => "お支払い待ちのご請求があります。クレジットカードでお支払いください。", "An invoice awaits payment. Please pay it by credit card.";
    NextTransferLead => "お振込みをお待ちしています。入金を確認すると登録が完了し、証明書を取得できるようになります。",
        "We are waiting for your bank transfer. Once it arrives, the registration completes and you can obtain certificates.";
    NextIssueLead => "お支払いが完了しました。ACMEクライアントで証明書を取得してください。", "Payment is complete. Now obtain your certificate with your ACME client.";
    NextDoneLead => "お手続きはすべて完了しています。発行された証明書を確認できます。", "You are all set. See the certificates issued to you.";
    AcmeNextTitle => "次のステップ: 利用FQDN情報登録", "Next: register a usage FQDN";
    AcmeNextBody => "EAB(認証情報)の準備ができました。次に、証明書を発行する名前(利用FQDN)を登録してお支払いください。お支払い後、その名前の証明書を取得するコマンドを表示します。",
        "Your EAB credentials are ready. Next, register and pay for the name (usage FQDN) you want certificates for; after payment we show the command that obtains its certificate.";
    MyPageOperatorTitle => "オペレーターとしてログインしています", "You are logged in as an operator";
    MyPageOperatorBody => "オペレーターにはお客様向けのお手続き(ACME利用申請・利用FQDNの登録)はありません。お客様の管理はオペレーターコンソールで行います。",
        "Operators have no customer steps (ACME application, usage FQDN registration). Customers are managed in the operator console.";
    MyPageOperatorLink => "オペレーターコンソールへ", "Go to the operator console";
    MemberSinceLabel => "会員登録日時", "Member since";
    AppliedOnLabel => "お申し込み日時", "Applied on";
    RegStateAwaitingPayment => "お支払い待ち", "Awaiting payment";
    RegStateRegistered => "支払済・証明書未発行", "Paid – no certificate yet";
    RegStateActive => "有効", "Active";
    RegStateExpired => "契約期間終了", "Contract ended";
    RegStateCancelled => "キャンセル", "Cancelled";
    RegStateLapsed => "発行期限切れ", "Issuance deadline passed";
    IssueTitle => "証明書を取得するコマンド", "Run this command to get your certificate";
    IssueLead => "お支払いが済んだ次の名前の証明書を、お使いのACMEクライアントで取得します(初回はEABでACMEアカウントも登録されます):",
        "Obtain the certificate for this paid name with your ACME client (the first run also registers your ACME account with the EAB):";
    IssueNeedsApplication => "コマンドの表示にはACME利用申請が必要です。", "Apply for ACME use to see the commands.";
    IssueClientLabel => "ACMEクライアント", "ACME client";
    IssueChallengeLabel => "認証方式", "Validation method";
    IssueWildcardDnsOnly => "ワイルドカードの証明書は dns-01 でのみ認証できます。", "Wildcard certificates can be validated by dns-01 only.";
    IssueHttpNote => "http-01: 名前のDNSがこのコマンドを実行するサーバーを指し、そのサーバーがポート80で /var/www/html を公開している必要があります(公開ディレクトリが異なる場合はパスを変更してください)。",
        "http-01: the name must point at the server you run this on, and that server must serve /var/www/html on port 80 (change the path if your web root differs).";
    IssueDnsNote => "dns-01: ACMEクライアントが表示する _acme-challenge のTXTレコードをDNSに追加してから、処理を続けてください。",
        "dns-01: add the _acme-challenge TXT record your ACME client shows to your DNS, then let it continue.";
    IssueHmacNote => "HMACキーはコマンドに含めていません。実行する前に、同じシェルで {var}='(HMACキー)' を設定してください(HMACキーは下のボタンでコピーできます)。",
        "The HMAC key is not written into the command: before running it, set {var}='(your HMAC key)' in the same shell (copy the key with the button below).";
    IssueHmacOnAcmePage => "HMACキーはACME利用申請のページで確認できます。", "Your HMAC key is on the ACME application page.";
    BankTransferTitle => "お振込み先", "Where to send the bank transfer";
    BankAccountLabel => "振込先口座", "Bank account";
    BankAccountInMail => "振込先口座はご請求のメールに記載しています。", "The bank account is given in the invoice email.";
    BankPayerPrefixLabel => "振込名義の前に入れる番号", "Put before the payer name";
    CardNumberHint => "カードに記載の数字(スペースは入れても入れなくても構いません)", "The digits printed on the card (spaces are fine)";
    CardExpMonthHint => "2桁の月(例: 04)", "Two-digit month (e.g. 04)";
    CardExpYearHint => "4桁の西暦(例: 2029)", "Four-digit year (e.g. 2029)";
    CardCvcHint => "カード裏面の3桁(または表面の4桁)の数字", "The 3 digits on the back (or 4 on the front)";
    SignupConsentPre => "登録することで、CertDirect の", "By signing up you accept the CertDirect ";
    SignupConsentAnd => "および", " and the ";
    SignupConsentPost => "に同意したものとみなされます。", ".";
    PrivacyTitle => "個人情報の取り扱い", "Privacy policy";
    PrivacyLead => "CertDirect がお預かりする情報と、その使い方です。", "What CertDirect stores about you, and how it is used.";
    Privacy1Title => "お預かりする情報", "What we store";
    Privacy1Body => "会員登録の際のメールアドレス(ログインID)、お名前、請求宛先メールアドレス、表示言語、パスワード(Argon2idによるハッシュ値のみ)。ACME利用申請後は、EAB(鍵IDとHMACキー。HMACキーは暗号化して保存)、ACMEアカウントの公開鍵と連絡先メールアドレス、登録した利用FQDN、ご請求とお支払いの記録、発行した証明書をお預かりします。",
        "When you sign up: your email address (login ID), name, billing email address, language and password (only its Argon2id hash). After the ACME application: your EAB credentials (key ID and HMAC key; the HMAC key is stored encrypted), your ACME accounts' public keys and contact addresses, the usage FQDNs you register, your invoices and payments, and the certificates we issue.";
    Privacy2Title => "ログ", "Logs";
    Privacy2Body => "不正利用の防止と障害対応のため、アクセスの記録(日時、接続元のIPアドレス、リクエストと結果)と監査ログ(ログイン、EABの使用、状態の変更)を保存します。",
        "To prevent abuse and fix problems we keep access logs (time, client IP address, request and result) and an audit log (logins, EAB use, state changes).";
    Privacy3Title => "カード情報", "Card details";
    Privacy3Body => "カード番号、有効期限、セキュリティコードは決済のために決済事業者へ送るだけで、CertDirect では保存も記録もしません。",
        "Card numbers, expiry dates and security codes are passed to the payment provider for the payment only; CertDirect neither stores nor logs them.";
    Privacy4Title => "利用目的と第三者への提供", "Use and disclosure";
    Privacy4Body => "お預かりした情報は、本サービスの提供、ご請求、証明書に関する重要なお知らせのためにのみ使います。法令に基づく場合を除き、第三者には提供しません。なお、証明書に記載された名前は、その証明書を受け取った誰からも見えます。",
        "We use this information only to provide the service, to bill you and to send important notices about your certificates. We do not disclose it to third parties unless the law requires it. The names in a certificate are visible to anyone who receives that certificate.";
    Privacy5Title => "お問い合わせ", "Contact";
    Privacy5Body => "お預かりしている情報の確認・訂正・削除のご依頼は、カスタマーセンター(平日9時〜18時)で承ります。",
        "To see, correct or delete the information we hold about you, contact the customer center (weekdays 9:00–18:00 Japan time).";
    ErrDetailLabel => "サーバーからの詳細:", "Details from the server:";
    ProblemNotPayable => "このご請求は現在お支払いできません(無効になったか、返金済みです)。", "This invoice cannot be paid now (it is void or refunded).";
    ProblemNotRefundable => "この登録には証明書が発行済みのため、返金できません。", "A certificate has been issued for this registration, so it cannot be refunded.";
    ProblemInvalidTransition => "現在の状態ではこの操作はできません。画面を更新して最新の状態をご確認ください。", "This cannot be done in the current state. Reload the page to see the latest state.";
    ProblemConcurrentChange => "同時に別の操作で変更されました。画面を更新してもう一度お試しください。", "Someone changed this at the same time. Reload the page and try again.";
    ProblemInsufficientScope => "このトークンにはこの操作の権限がありません。", "This token does not have the scope for this.";
    ProblemBodyTooLarge => "送信した内容が大きすぎます。分けて送信してください。", "What you sent is too large. Please send it in parts.";
    ProblemMalformed => "送信した内容を読み取れませんでした。入力内容をご確認ください。", "What you sent could not be read. Please check your input.";
    ProblemAlreadyRevoked => "この証明書はすでに失効しています。", "This certificate has already been revoked.";
    ProblemInternal => "サーバーで問題が発生しました。時間をおいてもう一度お試しください。", "The server had a problem. Please try again later.";

    // Not found
    NotFoundTitle => "ページが見つかりません", "Page not found";
    NotFoundBody => "お探しのページは移動または削除された可能性があります。", "The page you are looking for may have moved or no longer exists.";
    PageLoadFailedTitle => "ページを読み込めませんでした", "This page could not be loaded";
    PageLoadFailedBody => "通信環境をご確認のうえ、ページを再読み込みしてください。新しい版の公開直後にも起こることがあります。",
        "Please check your connection and reload the page. This can also happen right after a new version was published.";
    PageLoadFailedReload => "再読み込み", "Reload";
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

/// A number of years: "1 year", "2 years" (Japanese: "1年", "2年").
pub fn years(locale: Locale, n: u32) -> String {
    let key = if n == 1 {
        Key::PeriodOneYear
    } else {
        Key::PeriodYears
    };
    trf(locale, key, &[("n", &n.to_string())])
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
    fn years_are_singular_and_plural() {
        assert_eq!(years(Locale::En, 1), "1 year");
        assert_eq!(years(Locale::En, 2), "2 years");
        assert_eq!(years(Locale::Ja, 1), "1年");
        assert_eq!(years(Locale::Ja, 2), "2年");
    }

    #[test]
    fn the_switch_names_the_other_language() {
        assert_eq!(other(Locale::Ja), Locale::En);
        assert_eq!(other(Locale::En), Locale::Ja);
        assert_eq!(tr(Locale::Ja, Key::LangSwitch), "English");
        assert_eq!(tr(Locale::En, Key::LangSwitch), "日本語");
    }
}
