//! Who a request comes from, as far as limits are concerned: the connection's peer, or behind a
//! trusted load balancer the address it forwards; an IPv6 client counts per /64, since one host
//! is given a whole /64 and could otherwise change address for every request.

use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use axum::http::HeaderMap;
use ipnet::IpNet;

/// The connection's peer, put on each request by the listener for the limits that follow.
#[derive(Debug, Clone, Copy)]
pub struct Peer(pub SocketAddr);

/// The load balancers and proxies whose `X-Forwarded-For` is believed; nobody else's is.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(Arc<[IpNet]>);

impl TrustedProxies {
    /// Proxies in these ranges (`10.0.0.0/8`, `192.0.2.7/32`, `2001:db8::/32`…).
    pub fn new(ranges: Vec<IpNet>) -> Self {
        Self(ranges.into())
    }

    /// Whether `ip` is one of the trusted proxies (an IPv4-mapped IPv6 peer, as a dual-stack
    /// listener sees IPv4 clients, counts as its IPv4 address).
    pub fn trusts(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.0.iter().any(|net| net.contains(&ip))
    }

    /// The client behind `peer`: `peer` itself unless it is a trusted proxy; then the nearest
    /// address in `X-Forwarded-For` that is not a trusted proxy (entries further left were written
    /// by the client and prove nothing).
    pub fn client(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        if !self.trusts(peer) {
            return peer;
        }
        let forwarded = headers.get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok());
        let hops: Vec<&str> = forwarded.flat_map(|v| v.split(',')).map(str::trim).collect();
        hops.iter().rev().map_while(|hop| hop_address(hop)).find(|ip| !self.trusts(*ip)).unwrap_or(peer)
    }
}

/// One `X-Forwarded-For` entry as balancers write it: an address, with a port or in brackets.
fn hop_address(hop: &str) -> Option<IpAddr> {
    let ip = hop.parse::<IpAddr>().or_else(|_| hop.parse::<SocketAddr>().map(|s| s.ip()));
    let ip = ip.or_else(|_| hop.trim_start_matches('[').trim_end_matches(']').parse::<IpAddr>());
    ip.ok().map(|ip| ip.to_canonical())
}

/// The address limits count against: IPv4 as is, IPv6 by its /64 (IPv4-mapped ones as IPv4).
pub fn bucket(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(Ipv6Addr::from(v6.to_bits() & !((1u128 << 64) - 1))),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(xff: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in xff {
            h.append("x-forwarded-for", v.parse().unwrap());
        }
        h
    }

    #[test]
    fn forwarded_addresses_count_only_from_trusted_proxies() {
        let proxies = TrustedProxies::new(vec!["10.0.0.0/8".parse().unwrap()]);
        let lb: IpAddr = "10.1.2.3".parse().unwrap();
        let stranger: IpAddr = "203.0.113.9".parse().unwrap();
        let spoofed = headers(&["198.51.100.1, 203.0.113.5"]);
        assert_eq!(proxies.client(stranger, &spoofed), stranger, "an untrusted peer's header is ignored");
        assert_eq!(proxies.client(lb, &spoofed), "203.0.113.5".parse::<IpAddr>().unwrap());
        let chained = headers(&["198.51.100.1", "203.0.113.5, 10.9.9.9"]);
        assert_eq!(proxies.client(lb, &chained), "203.0.113.5".parse::<IpAddr>().unwrap(), "inner proxies skipped");
        assert_eq!(proxies.client(lb, &headers(&["junk"])), lb, "nothing usable: the proxy itself");
        let ported = headers(&["[2001:db8::1]:443, 203.0.113.7:41234"]);
        assert_eq!(proxies.client(lb, &ported), "203.0.113.7".parse::<IpAddr>().unwrap(), "hops with ports");
        let mapped: IpAddr = "::ffff:10.1.2.3".parse().unwrap();
        assert_eq!(proxies.client(mapped, &spoofed), "203.0.113.5".parse::<IpAddr>().unwrap(), "a dual-stack peer");
        assert_eq!(TrustedProxies::default().client(lb, &spoofed), lb);
    }

    #[test]
    fn ipv6_clients_count_per_64() {
        let a = bucket("2001:db8:1:2:aaaa::1".parse().unwrap());
        assert_eq!(a, bucket("2001:db8:1:2:ffff::9".parse().unwrap()));
        assert_ne!(a, bucket("2001:db8:1:3::1".parse().unwrap()));
        assert_eq!(bucket("::ffff:192.0.2.1".parse().unwrap()), "192.0.2.1".parse::<IpAddr>().unwrap());
    }
}
