//! Parsing and formatting IP addresses for the C API (`ruv_ip4_addr`, `ruv_ip6_addr`,
//! `ruv_ip_name`).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};

use super::error::{Result, EINVAL};

/// A port number from a C `int`: 0..=65535, else `EINVAL`.
fn port(port: i32) -> Result<u16> {
    u16::try_from(port).map_err(|_| EINVAL)
}

/// Parses a dotted-quad IPv4 address and a port.
pub fn parse_ip4(ip: &str, port_number: i32) -> Result<SocketAddrV4> {
    let ip: Ipv4Addr = ip.parse().map_err(|_| EINVAL)?;
    Ok(SocketAddrV4::new(ip, port(port_number)?))
}

/// Parses an IPv6 address with an optional `%zone` (an interface name, resolved with
/// `interface_index`, or a number) and a port.
pub fn parse_ip6(
    ip: &str,
    port_number: i32,
    interface_index: impl Fn(&str) -> Option<u32>,
) -> Result<SocketAddrV6> {
    let (addr, zone) = match ip.split_once('%') {
        Some((a, z)) => (a, Some(z)),
        None => (ip, None),
    };
    let addr: Ipv6Addr = addr.parse().map_err(|_| EINVAL)?;
    let scope_id = match zone {
        None => 0,
        Some("") => return Err(EINVAL),
        Some(z) => match z.parse::<u32>() {
            Ok(n) => n,
            Err(_) => interface_index(z).ok_or(EINVAL)?,
        },
    };
    Ok(SocketAddrV6::new(addr, port(port_number)?, 0, scope_id))
}

/// The textual IP of an address (no port, no zone).
pub fn ip_name(addr: &SocketAddr) -> String {
    match addr.ip() {
        IpAddr::V4(ip) => ip.to_string(),
        IpAddr::V6(ip) => ip.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_rejects() {
        assert_eq!(parse_ip4("127.0.0.1", 80).unwrap().port(), 80);
        assert_eq!(parse_ip4("127.0.0.256", 80), Err(EINVAL));
        assert_eq!(parse_ip4("127.0.0.1", 65536), Err(EINVAL));
        assert_eq!(parse_ip4("127.0.0.1", -1), Err(EINVAL));
        let lo = |name: &str| (name == "lo").then_some(1);
        assert_eq!(parse_ip6("fe80::1%lo", 1, lo).unwrap().scope_id(), 1);
        assert_eq!(parse_ip6("fe80::1%7", 1, lo).unwrap().scope_id(), 7);
        assert_eq!(parse_ip6("fe80::1%nope", 1, lo), Err(EINVAL));
        assert_eq!(parse_ip6("fe80::1%", 1, lo), Err(EINVAL));
        assert_eq!(parse_ip6("::g", 1, lo), Err(EINVAL));
        let v6: SocketAddr = parse_ip6("::1", 1, lo).unwrap().into();
        assert_eq!(ip_name(&v6), "::1");
    }
}
