//! http-01 (RFC 8555 §8.3, R-VAL-1, R-VAL-9): GET over plain HTTP on the configured port, at most
//! ten 301/302/307/308 redirects to http URLs, a 2xx whose body (trailing whitespace trimmed, at
//! most a few KiB) equals the key authorization. IPv6 first, falling back to IPv4 at every hop.

use std::net::IpAddr;
use std::time::Duration;

use serde_json::{json, Value};
use url::Url;

use super::{dns, guard, Failure, FailureKind, VaConfig};

pub const MAX_REDIRECTS: usize = 10;
/// Addresses tried per family (IPv6, then IPv4) at each hop, so a name with many unreachable
/// addresses cannot hold a validator for long.
pub const ADDRESSES_PER_FAMILY: usize = 2;
pub const MAX_BODY: usize = 8 * 1024;
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// What one hop fetched.
fn hop(url: &Url, address: Option<IpAddr>, status: Option<u16>, note: Option<&str>) -> Value {
    json!({ "url": url.as_str(), "address": address.map(|a| a.to_string()), "status": status, "note": note })
}

/// Validates `host` (no `*.`); returns the hops it made and the outcome.
pub async fn validate(
    va: &VaConfig,
    host: &str,
    token: &str,
    key_authorization: &str,
) -> (Vec<Value>, Result<(), Failure>) {
    let mut hops = Vec::new();
    let result = run(va, host, token, key_authorization, &mut hops).await;
    (hops, result)
}

async fn run(
    va: &VaConfig,
    host: &str,
    token: &str,
    key_authorization: &str,
    hops: &mut Vec<Value>,
) -> Result<(), Failure> {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(CONNECT_TIMEOUT)
        .timeout(REQUEST_TIMEOUT)
        .no_proxy()
        .user_agent("CertDirect-VA/1")
        .build()
        .map_err(|e| {
            Failure::new(
                FailureKind::ServerInternal,
                format!("the HTTP client cannot be built: {e}"),
            )
        })?;
    let mut url = Url::parse(&format!("http://{host}/.well-known/acme-challenge/{token}"))
        .map_err(|e| {
            Failure::new(
                FailureKind::Malformed,
                format!("http://{host}/… is not a URL: {e}"),
            )
        })?;
    for redirects in 0..=MAX_REDIRECTS {
        if url.scheme() != "http" {
            return Err(Failure::new(
                FailureKind::Connection,
                format!(
                    "{url}: a redirect to {}:// is not followed; http-01 is validated over plain http only, on port {}",
                    url.scheme(),
                    va.http_port
                ),
            ));
        }
        let name = match url.host() {
            Some(url::Host::Domain(d)) => d.to_owned(),
            Some(_) => {
                return Err(Failure::new(
                    FailureKind::Connection,
                    format!("{url}: redirects to IP addresses are not followed"),
                ))
            }
            None => {
                return Err(Failure::new(
                    FailureKind::Connection,
                    format!("{url} has no host"),
                ))
            }
        };
        if let Some(port) = url.port() {
            if port != va.http_port {
                return Err(Failure::new(
                    FailureKind::Connection,
                    format!(
                        "{url}: a redirect to port {port} is not followed; only port {} is used",
                        va.http_port
                    ),
                ));
            }
        }
        let addresses = at_most_per_family(
            dns::addresses(&va.dns_servers, &va.dnssec, &name)
                .await
                .map_err(|e| Failure::new(FailureKind::Dns, format!("{url}: {e}")))?,
        );
        let path = match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_owned(),
        };
        let host_header = if va.http_port == 80 {
            name.clone()
        } else {
            format!("{name}:{}", va.http_port)
        };
        let mut response = None;
        let mut failures = Vec::new();
        for ip in &addresses {
            if let Err(refused) = guard::check(*ip, va.allow_private) {
                failures.push(refused);
                continue;
            }
            let target = match ip {
                IpAddr::V4(v4) => format!("http://{v4}:{}{path}", va.http_port),
                IpAddr::V6(v6) => format!("http://[{v6}]:{}{path}", va.http_port),
            };
            match client
                .get(&target)
                .header(reqwest::header::HOST, &host_header)
                .send()
                .await
            {
                Ok(res) => {
                    response = Some((*ip, res));
                    break;
                }
                Err(e) => {
                    let why = if e.is_timeout() {
                        "timed out".to_owned()
                    } else {
                        format!("could not connect ({e})")
                    };
                    hops.push(hop(&url, Some(*ip), None, Some(&why)));
                    failures.push(format!("{ip}: {why}"));
                }
            }
        }
        let Some((ip, res)) = response else {
            return Err(Failure::new(
                FailureKind::Connection,
                format!(
                    "{url}: no address could be reached: {}",
                    failures.join("; ")
                ),
            ));
        };
        let status = res.status().as_u16();
        hops.push(hop(&url, Some(ip), Some(status), None));
        if matches!(status, 301 | 302 | 307 | 308) {
            let location = res
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .ok_or_else(|| {
                    Failure::new(
                        FailureKind::Connection,
                        format!("{url} ({ip}) answered {status} without a Location"),
                    )
                })?;
            let next = url.join(location).map_err(|e| {
                Failure::new(
                    FailureKind::Connection,
                    format!("{url} redirects to {location:?}, which is not a URL: {e}"),
                )
            })?;
            if redirects == MAX_REDIRECTS {
                return Err(Failure::new(
                    FailureKind::Connection,
                    format!(
                        "{url} ({ip}): too many redirects: more than {MAX_REDIRECTS} were followed"
                    ),
                ));
            }
            url = next;
            continue;
        }
        if (300..400).contains(&status) {
            return Err(Failure::new(
                FailureKind::Connection,
                format!("{url} ({ip}) answered {status}; only 301, 302, 307 and 308 redirects are followed"),
            ));
        }
        if !(200..300).contains(&status) {
            return Err(Failure::new(
                FailureKind::Unauthorized,
                format!("{url} ({ip}) answered {status}; it must answer 200 with the key authorization as its body"),
            ));
        }
        let body = read_limited(res).await.map_err(|e| {
            Failure::new(FailureKind::IncorrectResponse, format!("{url} ({ip}): {e}"))
        })?;
        let got = String::from_utf8_lossy(&body);
        let got = got.trim_end();
        if got == key_authorization {
            return Ok(());
        }
        let shown: String = got.chars().take(100).collect();
        return Err(Failure::new(
            FailureKind::IncorrectResponse,
            format!("{url} ({ip}) answered 200 with the body {shown:?}, but the key authorization is {key_authorization:?}"),
        ));
    }
    Err(Failure::new(
        FailureKind::Connection,
        format!("too many redirects: more than {MAX_REDIRECTS} were followed"),
    ))
}

/// The first [`ADDRESSES_PER_FAMILY`] IPv6 addresses, then the first of IPv4, in that order.
fn at_most_per_family(addresses: Vec<IpAddr>) -> Vec<IpAddr> {
    let v6 = addresses
        .iter()
        .filter(|a| a.is_ipv6())
        .take(ADDRESSES_PER_FAMILY);
    let v4 = addresses
        .iter()
        .filter(|a| a.is_ipv4())
        .take(ADDRESSES_PER_FAMILY);
    v6.chain(v4).copied().collect()
}

async fn read_limited(mut res: reqwest::Response) -> Result<Vec<u8>, String> {
    let mut body = Vec::new();
    while let Some(chunk) = res
        .chunk()
        .await
        .map_err(|e| format!("reading the body failed: {e}"))?
    {
        body.extend_from_slice(&chunk);
        if body.len() > MAX_BODY {
            return Err(format!(
                "the body is larger than {MAX_BODY} bytes; it must hold only the key authorization"
            ));
        }
    }
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_addresses_per_family_ipv6_first() {
        let ips: Vec<IpAddr> = [
            "192.0.2.1",
            "2001:db8::1",
            "192.0.2.2",
            "2001:db8::2",
            "2001:db8::3",
            "192.0.2.3",
        ]
        .iter()
        .map(|s| s.parse().unwrap())
        .collect();
        let kept: Vec<String> = at_most_per_family(ips)
            .iter()
            .map(|a| a.to_string())
            .collect();
        assert_eq!(
            kept,
            ["2001:db8::1", "2001:db8::2", "192.0.2.1", "192.0.2.2"]
        );
    }
}
