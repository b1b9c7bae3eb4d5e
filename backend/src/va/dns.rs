//! DNS for the validators: hickory-resolver with the configured nameservers and no answer kept
//! between attempts (R-VAL-2), so a customer who fixes a record can retry at once.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use hickory_resolver::config::{NameServerConfig, ResolverConfig, ResolverOpts};
use hickory_resolver::name_server::TokioConnectionProvider;
use hickory_resolver::proto::xfer::Protocol;
use hickory_resolver::{ResolveError, Resolver, TokioResolver};

/// A fresh resolver for one validation (so nothing is cached across attempts).
pub fn resolver(servers: &[SocketAddr]) -> Result<TokioResolver, String> {
    let mut opts = ResolverOpts::default();
    opts.cache_size = 0;
    opts.timeout = Duration::from_secs(5);
    opts.attempts = 2;
    opts.edns0 = true;
    let builder = if servers.is_empty() {
        Resolver::builder_tokio()
            .map_err(|e| format!("the system resolver configuration cannot be read: {e}"))?
    } else {
        let mut config = ResolverConfig::new();
        for addr in servers {
            config.add_name_server(NameServerConfig::new(*addr, Protocol::Udp));
            config.add_name_server(NameServerConfig::new(*addr, Protocol::Tcp));
        }
        Resolver::builder_with_config(config, TokioConnectionProvider::default())
    };
    Ok(builder.with_options(opts).build())
}

fn describe(e: &ResolveError) -> String {
    if e.is_no_records_found() {
        "no records".to_owned()
    } else if e.is_nx_domain() {
        "the name does not exist (NXDOMAIN)".to_owned()
    } else {
        e.to_string()
    }
}

/// The TXT values at `name` (each record's strings joined).
pub async fn txt(servers: &[SocketAddr], name: &str) -> Result<Vec<String>, String> {
    let r = resolver(servers)?;
    match r.txt_lookup(name).await {
        Ok(lookup) => Ok(lookup
            .iter()
            .map(|txt| {
                txt.txt_data()
                    .iter()
                    .map(|d| String::from_utf8_lossy(d).into_owned())
                    .collect::<String>()
            })
            .collect()),
        Err(e) if e.is_no_records_found() || e.is_nx_domain() => Ok(Vec::new()),
        Err(e) => Err(format!("looking up TXT {name} failed: {}", describe(&e))),
    }
}

/// The IPv6 and IPv4 addresses of `host`, IPv6 first (R-VAL-1).
pub async fn addresses(servers: &[SocketAddr], host: &str) -> Result<Vec<IpAddr>, String> {
    let r = resolver(servers)?;
    let (v6, v4) = tokio::join!(r.ipv6_lookup(host), r.ipv4_lookup(host));
    let mut out: Vec<IpAddr> = Vec::new();
    if let Ok(v6) = &v6 {
        out.extend(v6.iter().map(|a| IpAddr::V6(a.0)));
    }
    if let Ok(v4) = &v4 {
        out.extend(v4.iter().map(|a| IpAddr::V4(a.0)));
    }
    if out.is_empty() {
        let why = v4
            .err()
            .map(|e| describe(&e))
            .unwrap_or_else(|| "no records".into());
        return Err(format!("{host} has no A or AAAA record ({why})"));
    }
    Ok(out)
}
