//! Japanese problem details (R-ACME-11). Every problem is made in English, where it arises
//! (`problem.rs`, the domain layer, the validators), and stored that way with failed challenges
//! and orders. When a request prefers Japanese, the ACME front end translates each problem
//! document of the answer on the way out (`translate_json`): the details clients meet most have a
//! full translation here, matched by template; any other detail is a Japanese sentence for its
//! problem type followed by the English detail. Pure, table-tested.

use serde_json::Value;

use super::problem::ACME_ERROR_PREFIX;

/// `(problem type or "" for any, English template, Japanese template)`. `{}` in the English
/// template captures text (as little as possible; the last one runs to the end); `{0}`, `{1}`, …
/// in the Japanese template place the captures. The first entry that matches wins.
const TABLE: &[(&str, &str, &str)] = &[
    // Nonces (R-ACME-2).
    ("badNonce", "the nonce is unknown, was already used, or has expired; fetch a new one from newNonce",
        "nonce が不明か、使用済みか、有効期限切れです。newNonce から新しい nonce を取得して再送してください"),
    ("badNonce", "the protected header has no \"nonce\"",
        "保護ヘッダーに \"nonce\" がありません。newNonce から nonce を取得して付けてください"),
    // The JWS and the request (R-ACME-2).
    ("", "the Content-Type must be application/jose+json, not {}",
        "Content-Type は application/jose+json にしてください(受け取ったのは {0})"),
    ("", "the body could not be read or is over {} bytes",
        "本文を読み取れないか、{0} バイトを超えています"),
    ("", "the body is not a JSON object: {}", "本文が JSON オブジェクトではありません: {0}"),
    ("", "the general JWS serialization is not accepted; use the flattened one",
        "一般 JWS JSON シリアライゼーションは受け付けません。フラット化 JWS JSON シリアライゼーションを使ってください"),
    ("", "the body is not a flattened JWS: {}", "本文がフラット化 JWS ではありません: {0}"),
    ("", "unprotected JWS headers are not accepted", "保護されていない JWS ヘッダーは受け付けません"),
    ("", "the JWS has no \"protected\" header", "JWS に \"protected\" ヘッダーがありません"),
    ("", "the JWS has no \"payload\"", "JWS に \"payload\" がありません"),
    ("", "the JWS has no \"signature\"", "JWS に \"signature\" がありません"),
    ("", "the protected header is not a JSON object: {}", "保護ヘッダーが JSON オブジェクトではありません: {0}"),
    ("", "{} is not valid unpadded base64url", "{0}が正しい base64url(パディングなし)ではありません"),
    ("", "the payload is not JSON: {}", "ペイロードが JSON ではありません: {0}"),
    ("", "the JWS signature does not verify with the key", "JWS の署名を鍵で検証できません"),
    ("", "the protected header lists \"crit\" extensions; this server supports none",
        "保護ヘッダーに \"crit\" 拡張があります。このサーバーが対応する拡張はありません"),
    ("", "the protected header has \"b64\"; unencoded payloads (RFC 7797) are not accepted",
        "保護ヘッダーに \"b64\" があります。エンコードしないペイロード(RFC 7797)は受け付けません"),
    ("", "the protected header has no \"alg\"", "保護ヘッダーに \"alg\" がありません"),
    ("", "the protected header has no \"url\"", "保護ヘッダーに \"url\" がありません"),
    ("", "the protected header's url {} does not match the request URL {}",
        "保護ヘッダーの url {0} がリクエストの URL {1} と一致しません"),
    ("", "the protected header has both \"jwk\" and \"kid\"; send exactly one",
        "保護ヘッダーに \"jwk\" と \"kid\" の両方があります。どちらか一方だけを送ってください"),
    ("", "the protected header has neither \"jwk\" nor \"kid\"",
        "保護ヘッダーに \"jwk\" も \"kid\" もありません"),
    ("", "this resource is fetched with POST-as-GET: the payload must be empty",
        "このリソースは POST-as-GET で取得します。ペイロードは空にしてください"),
    ("", "this request must identify its account with \"kid\", not \"jwk\"",
        "このリクエストではアカウントを \"jwk\" ではなく \"kid\" で示してください"),
    ("", "a challenge is answered with the payload {} (or fetched with an empty payload)",
        "チャレンジへの応答はペイロード {0} で送ってください(取得するときは空のペイロード)"),
    ("", "\"identifiers\" must be a non-empty array", "\"identifiers\" は空でない配列にしてください"),
    ("", "notBefore and notAfter are not supported: the CA sets the validity (at most the contract end)",
        "notBefore と notAfter は指定できません。有効期間は認証局が決めます(最長で契約終了日まで)"),
    ("", "profile must be the name of one of the directory's meta.profiles",
        "profile には、ディレクトリの meta.profiles にあるプロファイル名を指定してください"),
    // Accounts (R-ACME-3).
    ("accountDoesNotExist", "{} is not an account URL of this server",
        "{0} はこのサーバーのアカウント URL ではありません"),
    ("accountDoesNotExist", "there is no account {}", "アカウント {0} はありません"),
    ("accountDoesNotExist", "no account exists for this key", "この鍵のアカウントはありません"),
    ("unauthorized", "the account {} is deactivated; register a new account",
        "アカウント {0} は無効化されています。新しいアカウントを登録してください"),
    ("unauthorized", "the account {} is revoked; register a new account",
        "アカウント {0} は取り消されています。新しいアカウントを登録してください"),
    ("unauthorized", "an account may list only its own orders",
        "アカウントが一覧できるのは自分のオーダーだけです"),
    ("", "this CA requires External Account Binding: register with the EAB key id and HMAC key shown on your My Page",
        "この認証局では外部アカウント連携(EAB)が必要です。マイページに表示されている EAB の鍵IDと HMAC キーで登録してください"),
    ("", "the EAB credentials {} expired at {} (valid 14 days); please contact the customer center for new ones",
        "EAB の認証情報 {0} は {1} に有効期限が切れました(有効期間は14日間)。新しい認証情報はカスタマーセンターにお問い合わせください"),
    // Identifiers refused by the registration policy (R-ACME-4).
    ("rejectedIdentifier", "no usage FQDN registration of yours covers {}; register it in the portal first",
        "{0} を対象とする利用FQDNの登録がありません。先にポータルで登録してください"),
    ("rejectedIdentifier", "{} is a wildcard, but {} is registered as dv (which covers {}); a wildcard needs a dv_wildcard registration",
        "{0} はワイルドカードですが、{1} はドメイン認証型(DV)で登録されています(対象は {2})。ワイルドカードにはドメイン認証型(DV・ワイルドカード)の登録が必要です"),
    ("rejectedIdentifier", "{} is not covered by the {} registration of {}, which covers exactly {}",
        "{0} は {2} の登録({1})の対象外です。この登録の対象は {3} だけです"),
    ("rejectedIdentifier", "the {} registration of {} lapsed: no certificate was issued by its deadline (R-FQDN-6)",
        "{1} の登録({0})は発行期限切れです。発行期限までに証明書が発行されませんでした(R-FQDN-6)"),
    ("rejectedIdentifier", "the {} registration of {} has expired: its contract period is over; renew it in the portal",
        "{1} の登録({0})は契約期間が終了しています。ポータルで更新してください"),
    ("rejectedIdentifier", "the {} registration of {} is awaiting payment; pay its invoice first",
        "{1} の登録({0})はお支払い待ちです。先にご請求をお支払いください"),
    ("rejectedIdentifier", "the {} registration of {} was cancelled; register the name again",
        "{1} の登録({0})はキャンセルされています。名前をもう一度登録してください"),
    ("rejectedIdentifier", "{} must be given in A-label form: {}",
        "{0} は A ラベル(Punycode)の形で指定してください: {1}"),
    ("rejectedIdentifier", "{} is not a name this CA issues for: {}",
        "{0} はこの認証局が証明書を発行できる名前ではありません: {1}"),
    ("unsupportedIdentifier", "identifier type {} is not supported; only \"dns\" is",
        "識別子の種類 {0} には対応していません。対応しているのは \"dns\" だけです"),
    // Orders and finalize (R-ACME-6).
    ("orderNotReady", "the order is {}; it can be finalized only when ready (all authorizations valid)",
        "オーダーの状態は {0} です。ファイナライズできるのは ready(すべての認可が valid)のときだけです"),
    ("orderNotReady", "the order is already being finalized or was finalized",
        "このオーダーはすでにファイナライズ中か、ファイナライズ済みです"),
    ("badCSR", "the CSR names {} but the order is for {}",
        "CSR の名前は {0} ですが、オーダーの名前は {1} です"),
    ("badCSR", "the CSR's key is the account key of one of your ACME accounts; use a separate key for the certificate",
        "CSR の鍵がお客様の ACME アカウントの鍵と同じです。証明書には別の鍵を使ってください"),
    ("badCSR", "the CSR is not a DER PKCS#10 request", "CSR が DER 形式の PKCS#10 要求ではありません"),
    ("badCSR", "the CSR has trailing bytes", "CSR の後ろに余分なバイトがあります"),
    ("badCSR", "the CSR's public key cannot be read", "CSR の公開鍵を読み取れません"),
    ("badCSR", "the CSR's RSA key has {} bits; at least 2048 are required",
        "CSR の RSA 鍵は {0} ビットです。2048 ビット以上が必要です"),
    ("badCSR", "the CSR's EC curve {} is not accepted; use P-256 or P-384",
        "CSR の楕円曲線 {0} は受け付けません。P-256 か P-384 を使ってください"),
    ("badCSR", "the CSR's key must be RSA (2048 bits or more) or ECDSA P-256/P-384",
        "CSR の鍵は RSA(2048 ビット以上)か ECDSA P-256/P-384 にしてください"),
    ("badCSR", "the CSR's signature does not verify with its own key", "CSR の署名を CSR 自身の鍵で検証できません"),
    ("badCSR", "the CSR names no DNS name", "CSR に DNS 名がありません"),
    ("badCSR", "the CSR asks for a name that is not a DNS name: {}", "CSR に DNS 名でない名前があります: {0}"),
    ("invalidProfile", "this server has no profile {}; the profiles are {}",
        "プロファイル {0} はありません。指定できるプロファイルは {1} です"),
    ("invalidProfile", "the profile {} is not offered for {} names; it is for {} only (for {} names use {})",
        "プロファイル {0} は {1} の名前には使えません({2} 専用です)。{3} の名前には {4} を指定してください"),
    ("invalidProfile", "the profile {} is not offered for {} names; it is for {} only",
        "プロファイル {0} は {1} の名前には使えません({2} 専用です)"),
    ("alreadyReplaced", "certificate {} was already replaced (by certificate #{})",
        "証明書 {0} はすでに更新されています(更新後の証明書 #{1})"),
    ("alreadyReplaced", "another order (#{}) already replaces certificate {}",
        "別のオーダー(#{0})がすでに証明書 {1} を更新しようとしています"),
    // Limits (R-ACME-10).
    ("rateLimited", "too many new orders of this account: at most {} per {} seconds; retry after {} seconds",
        "このアカウントの新規オーダーが多すぎます(上限は {1} 秒あたり {0} 件)。{2} 秒後に再試行してください"),
    ("rateLimited", "too many new orders from this address: at most {} per {} seconds; retry after {} seconds",
        "このアドレスからの新規オーダーが多すぎます(上限は {1} 秒あたり {0} 件)。{2} 秒後に再試行してください"),
    ("rateLimited", "too many new accounts from this address: at most {} per {} seconds; retry after {} seconds",
        "このアドレスからの新規アカウント登録が多すぎます(上限は {1} 秒あたり {0} 件)。{2} 秒後に再試行してください"),
    ("rateLimited", "too many failed validations of this account: at most {} per {} seconds; retry after {} seconds",
        "このアカウントのドメイン認証の失敗が多すぎます(上限は {1} 秒あたり {0} 件)。{2} 秒後に再試行してください"),
    // Validation (R-VAL-1, R-VAL-2, R-VAL-5..9), stored in English with the challenge.
    ("unauthorized", "no TXT record was found at {}; add one with the value {}",
        "{0} に TXT レコードが見つかりませんでした。値 {1} の TXT レコードを追加してください"),
    ("incorrectResponse", "{} TXT record(s) at {} ({}), none equal to the expected {}",
        "{1} に TXT レコードが {0} 件ありますが({2})、期待する値 {3} と一致するものはありません"),
    ("unauthorized", "{} answered {}; it must answer 200 with the key authorization as its body",
        "{0} はステータス {1} を返しました。ステータス 200 で、本文にキー認証を返す必要があります"),
    ("incorrectResponse", "{} answered 200 with the body {}, but the key authorization is {}",
        "{0} はステータス 200 で本文 {1} を返しましたが、キー認証は {2} です"),
    ("connection", "{}: no address could be reached: {}", "{0}: どのアドレスにも接続できませんでした: {1}"),
    ("connection", "{}: a redirect to {}:// is not followed; http-01 is validated over plain http only, on port {}",
        "{0}: {1}:// へのリダイレクトはたどりません。http-01 はポート {2} の http だけで検証します"),
    ("connection", "{} answered {}; only 301, 302, 307 and 308 redirects are followed",
        "{0} はステータス {1} を返しました。たどるリダイレクトは 301、302、307、308 だけです"),
    ("connection", "too many redirects: more than {} were followed",
        "リダイレクトが多すぎます({0} 回を超えました)"),
    ("dns", "{} has no A or AAAA record ({})", "{0} に A レコードも AAAA レコードもありません({1})"),
    ("dns", "looking up {} failed: {}", "{0} の問い合わせに失敗しました: {1}"),
    ("dns", "DNSSEC validation failed for {}: {}", "{0} の DNSSEC 検証に失敗しました: {1}"),
    ("dns", "the CAA check for {} could not be completed, and a failed lookup is not permission: {}",
        "{0} の CAA を確認できませんでした。問い合わせの失敗は発行の許可になりません: {1}"),
    ("caa", "CAA forbids issuance for {}: the record set at {} ({}) — {}",
        "CAA により {0} への発行は許可されていません: {1} のレコード({2}) — {3}"),
    ("caa", "CAA was checked again before issuance (the validation is more than {} hours old) and does not allow it: {}",
        "発行前に CAA を再確認しましたが(認証から {0} 時間を超えています)、発行は許可されていません: {1}"),
    ("", "{} of {} remote validation perspectives did not corroborate the result (at most {} may): {}",
        "リモートの検証拠点 {1} か所のうち {0} か所が結果を裏付けませんでした(許容は {2} か所まで): {3}"),
    ("serverInternal", "the server could not complete the request; please retry later",
        "サーバーでリクエストを完了できませんでした。しばらくしてから再試行してください"),
];

/// What each problem type means, in Japanese: the start of a detail without a full translation.
fn summary(kind: &str) -> &'static str {
    match kind {
        "badNonce" => "nonce が正しくありません",
        "malformed" => "リクエストの形式が正しくないか、リソースが見つかりません",
        "unauthorized" => "許可されていないリクエストです",
        "accountDoesNotExist" => "アカウントがありません",
        "externalAccountRequired" => "外部アカウント連携(EAB)が必要です",
        "badPublicKey" => "公開鍵を受け付けられません",
        "badSignatureAlgorithm" => "署名アルゴリズムを受け付けられません",
        "rejectedIdentifier" => "この名前には証明書を発行できません",
        "unsupportedIdentifier" => "この種類の識別子には対応していません",
        "orderNotReady" => "オーダーはまだファイナライズできません",
        "badCSR" => "CSR を受け付けられません",
        "badRevocationReason" => "失効理由を受け付けられません",
        "alreadyRevoked" => "証明書はすでに失効しています",
        "alreadyReplaced" => "証明書はすでに更新されています",
        "invalidProfile" => "プロファイルを受け付けられません",
        "rateLimited" => "リクエストが上限に達しました",
        "invalidContact" | "unsupportedContact" => "連絡先を受け付けられません",
        "userActionRequired" => "お客様の操作が必要です",
        "conflict" => "リソースの状態と矛盾するリクエストです",
        "caa" => "CAA レコードが発行を許可していません",
        "dns" => "DNS の問い合わせに失敗しました",
        "connection" => "お客様のサーバーに接続できませんでした",
        "incorrectResponse" => "認証の応答が正しくありません",
        "tls" => "TLS の問題がありました",
        "serverInternal" => "サーバーの内部エラーです",
        _ => "リクエストを処理できませんでした",
    }
}

/// The captures of `detail` under the English `template`, if it matches.
fn captures<'a>(template: &str, detail: &'a str) -> Option<Vec<&'a str>> {
    let pieces: Vec<&str> = template.split("{}").collect();
    let (first, rest) = pieces.split_first()?;
    if rest.is_empty() {
        return (detail == *first).then(Vec::new);
    }
    let mut at = detail.strip_prefix(first).map(|_| first.len())?;
    let mut out = Vec::with_capacity(rest.len());
    for (i, piece) in rest.iter().enumerate() {
        let end = if i + 1 == rest.len() {
            // The last piece ends the detail.
            let end = detail.len().checked_sub(piece.len())?;
            (end >= at && detail.ends_with(piece)).then_some(end)?
        } else {
            at + detail[at..].find(piece)?
        };
        out.push(&detail[at..end]);
        at = end + piece.len();
    }
    Some(out)
}

fn fill(template: &str, args: &[&str]) -> String {
    let mut out = template.to_owned();
    for (i, arg) in args.iter().enumerate() {
        out = out.replace(&format!("{{{i}}}"), arg);
    }
    out
}

/// The full translation of `detail` (of problem type `kind`), if the table has one.
pub fn exact(kind: &str, detail: &str) -> Option<String> {
    TABLE
        .iter()
        .filter(|(k, _, _)| k.is_empty() || *k == kind)
        .find_map(|(_, en, ja)| captures(en, detail).map(|args| fill(ja, &args)))
}

/// `detail` in Japanese: the full translation, else the problem type's meaning followed by the
/// English detail.
pub fn translate(kind: &str, detail: &str) -> String {
    exact(kind, detail).unwrap_or_else(|| format!("{}。詳細(英語): {detail}", summary(kind)))
}

/// Translates, in place, every ACME problem document in `value`: the answer's own problem, the
/// subproblems of `rejectedIdentifier`, and the `error` of challenges and orders. A
/// `rejectedIdentifier` with subproblems is summed up again from their translations.
pub fn translate_json(value: &mut Value) {
    match value {
        Value::Array(items) => items.iter_mut().for_each(translate_json),
        Value::Object(obj) => {
            obj.values_mut().for_each(translate_json);
            let kind = obj
                .get("type")
                .and_then(Value::as_str)
                .and_then(|t| t.strip_prefix(ACME_ERROR_PREFIX))
                .map(str::to_owned);
            let (Some(kind), Some(Value::String(detail))) = (kind, obj.get("detail")) else {
                return;
            };
            let refused: Option<Vec<String>> = obj
                .get("subproblems")
                .and_then(Value::as_array)
                .filter(|_| kind == "rejectedIdentifier")
                .map(|subs| {
                    subs.iter()
                        .map(|s| {
                            format!(
                                "{}: {}",
                                s["identifier"]["value"].as_str().unwrap_or(""),
                                s["detail"].as_str().unwrap_or("")
                            )
                        })
                        .collect()
                });
            let ja = match refused {
                Some(refused) if detail.contains(" identifier(s) refused: ") => format!(
                    "{}件の識別子を受け付けられません: {}",
                    refused.len(),
                    refused.join("; ")
                ),
                _ => translate(&kind, detail),
            };
            obj.insert("detail".into(), Value::String(ja));
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn templates_capture_and_fill() {
        assert_eq!(captures("a {} b {}", "a x b y z"), Some(vec!["x", "y z"]));
        assert_eq!(captures("a {} b", "a x b"), Some(vec!["x"]));
        assert_eq!(captures("a {} b", "a x c"), None);
        assert_eq!(captures("plain", "plain"), Some(vec![]));
        assert_eq!(captures("plain", "plain and more"), None);
        assert_eq!(captures("{} end", "end"), None);
        assert_eq!(fill("{1} then {0}", &["a", "b"]), "b then a");
    }

    /// The details clients meet most, as the server words them, have full translations.
    #[test]
    fn common_details_are_translated() {
        let exceeded = crate::ratelimit::Exceeded {
            limit: crate::ratelimit::Limit::NewOrderPerAccount,
            rule: crate::ratelimit::Rule {
                max: 3,
                window_secs: 3600,
            },
            retry_after_secs: 120,
        };
        let profiles = crate::profiles::Profiles::defaults(90);
        let unknown = profiles
            .choose(Some("weekly"), &[])
            .unwrap_err()
            .to_string();
        for (kind, detail, ja) in [
            ("badNonce", "the nonce is unknown, was already used, or has expired; fetch a new one from newNonce", "nonce が不明"),
            ("malformed", "the JWS has no \"signature\"", "JWS に \"signature\" がありません"),
            ("malformed", "the payload is not JSON: expected value at line 1 column 1", "ペイロードが JSON ではありません: expected value"),
            ("unauthorized", "the protected header's url \"https://a/x\" does not match the request URL \"https://a/y\"", "url \"https://a/x\" がリクエストの URL \"https://a/y\" と一致しません"),
            ("unauthorized", "the account https://ca/acme/acct/3 is deactivated; register a new account", "アカウント https://ca/acme/acct/3 は無効化されています"),
            ("rejectedIdentifier", "no usage FQDN registration of yours covers nobody.jp; register it in the portal first", "nobody.jp を対象とする利用FQDNの登録がありません"),
            ("rejectedIdentifier", "*.example.jp is a wildcard, but example.jp is registered as dv (which covers example.jp and www.example.jp); a wildcard needs a dv_wildcard registration", "*.example.jp はワイルドカードですが、example.jp はドメイン認証型(DV)で登録されています(対象は example.jp and www.example.jp)"),
            ("rejectedIdentifier", "the dv registration of unpaid.jp is awaiting payment; pay its invoice first", "unpaid.jp の登録(dv)はお支払い待ちです"),
            ("rejectedIdentifier", "the dv registration of lapsing.jp lapsed: no certificate was issued by its deadline (R-FQDN-6)", "lapsing.jp の登録(dv)は発行期限切れです"),
            ("orderNotReady", "the order is pending; it can be finalized only when ready (all authorizations valid)", "オーダーの状態は pending です"),
            ("badCSR", "the CSR names a.jp but the order is for b.jp", "CSR の名前は a.jp ですが、オーダーの名前は b.jp です"),
            ("rateLimited", &exceeded.detail(), "このアカウントの新規オーダーが多すぎます(上限は 3600 秒あたり 3 件)。120 秒後に再試行してください"),
            ("invalidProfile", &unknown, "プロファイル \"weekly\" はありません。指定できるプロファイルは classic, shortlived です"),
            ("caa", "CAA forbids issuance for example.jp: the record set at example.jp (0 issue \"other.example\") — it names another CA", "CAA により example.jp への発行は許可されていません"),
            ("dns", "looking up TXT _acme-challenge.example.jp. failed: the name does not exist (NXDOMAIN)", "TXT _acme-challenge.example.jp. の問い合わせに失敗しました: the name does not exist"),
            ("unauthorized", "no TXT record was found at _acme-challenge.example.jp.; add one with the value abc", "_acme-challenge.example.jp. に TXT レコードが見つかりませんでした。値 abc の"),
            ("unauthorized", "http://example.jp/.well-known/acme-challenge/t (127.0.0.1) answered 404; it must answer 200 with the key authorization as its body", "(127.0.0.1) はステータス 404 を返しました"),
            ("incorrectResponse", "http://example.jp/.well-known/acme-challenge/t (127.0.0.1) answered 200 with the body \"x\", but the key authorization is \"t.k\"", "本文 \"x\" を返しましたが、キー認証は \"t.k\" です"),
            ("connection", "http://example.jp/.well-known/acme-challenge/t: no address could be reached: 127.0.0.1: could not connect (refused)", "どのアドレスにも接続できませんでした: 127.0.0.1"),
        ] {
            let got = exact(kind, detail).unwrap_or_else(|| panic!("no translation of {kind}: {detail}"));
            assert!(got.contains(ja), "{detail}\n→ {got}");
        }
    }

    #[test]
    fn other_details_say_what_the_type_means_and_keep_the_english() {
        let got = translate(
            "badPublicKey",
            "key type \"oct\" is not supported; use EC, RSA or OKP",
        );
        assert_eq!(got, "公開鍵を受け付けられません。詳細(英語): key type \"oct\" is not supported; use EC, RSA or OKP");
        // A template of one type does not translate another's detail.
        assert!(exact("malformed", "the CSR has trailing bytes").is_none());
    }

    #[test]
    fn problem_documents_are_translated_where_they_are() {
        let mut body = json!({
            "type": "urn:ietf:params:acme:error:rejectedIdentifier",
            "detail": "2 identifier(s) refused: nobody.jp: no usage FQDN registration of yours covers nobody.jp; register it in the portal first; x.jp: the dv registration of x.jp is awaiting payment; pay its invoice first",
            "status": 400,
            "subproblems": [
                { "type": "urn:ietf:params:acme:error:rejectedIdentifier", "detail": "no usage FQDN registration of yours covers nobody.jp; register it in the portal first", "identifier": { "type": "dns", "value": "nobody.jp" } },
                { "type": "urn:ietf:params:acme:error:rejectedIdentifier", "detail": "the dv registration of x.jp is awaiting payment; pay its invoice first", "identifier": { "type": "dns", "value": "x.jp" } },
            ]
        });
        translate_json(&mut body);
        assert_eq!(
            body["detail"],
            "2件の識別子を受け付けられません: nobody.jp: nobody.jp を対象とする利用FQDNの登録がありません。先にポータルで登録してください; x.jp: x.jp の登録(dv)はお支払い待ちです。先にご請求をお支払いください"
        );
        assert_eq!(
            body["subproblems"][1]["detail"],
            "x.jp の登録(dv)はお支払い待ちです。先にご請求をお支払いください"
        );

        // A challenge's stored error inside an authorization; other members are left alone.
        let mut authz = json!({
            "status": "invalid",
            "identifier": { "type": "dns", "value": "example.jp" },
            "challenges": [{ "type": "dns-01", "status": "invalid", "token": "the nonce is unknown",
                "error": { "type": "urn:ietf:params:acme:error:unauthorized", "detail": "no TXT record was found at _acme-challenge.example.jp.; add one with the value abc", "status": 403 } }]
        });
        translate_json(&mut authz);
        assert_eq!(authz["challenges"][0]["error"]["detail"], "_acme-challenge.example.jp. に TXT レコードが見つかりませんでした。値 abc の TXT レコードを追加してください");
        assert_eq!(authz["challenges"][0]["token"], "the nonce is unknown");
        assert_eq!(authz["identifier"]["value"], "example.jp");
    }
}
