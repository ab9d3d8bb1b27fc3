//! UDP socket options (broadcast, TTL, multicast, buffer sizes) and queries (local address,
//! descriptor, family, send queue). Options need the socket: `EBADF` before it exists, except
//! `set_membership`, which binds first like libuv.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::os::fd::{AsRawFd, RawFd};

use socket2::SockRef;

use super::addr::parse_ip6;
use super::error::{self, Result, EAFNOSUPPORT, EBADF, EINVAL};
use super::event_loop::Loop;
use super::handle::{Handle, Kind};
use super::handle_table::HandleId;
use super::host::Host;
use super::socket::BufferKind;
use super::socket::{self, Family};
use super::udp::{JOIN_GROUP, LEAVE_GROUP};

/// An IP address in text, IPv6 with an optional `%zone` (resolved with `interface_index`);
/// returns the address and the zone's interface index (0 without one). `EINVAL` if
/// unparsable.
fn parse_ip(text: &str, interface_index: &dyn Fn(&str) -> Option<u32>) -> Result<(IpAddr, u32)> {
    if let Ok(v4) = text.parse::<Ipv4Addr>() {
        return Ok((IpAddr::V4(v4), 0));
    }
    let v6 = parse_ip6(text, 0, interface_index)?;
    Ok((IpAddr::V6(*v6.ip()), v6.scope_id()))
}

impl<H: Host> Loop<H> {
    /// The socket and family of a live UDP handle (`EBADF` before the socket exists).
    fn udp_sock_family(&self, id: HandleId) -> Result<(SockRef<'_>, Family)> {
        let u = self.udp(id)?;
        match (u.sock.as_ref(), u.family) {
            (Some(s), Some(f)) => Ok((SockRef::from(s), f)),
            _ => Err(EBADF),
        }
    }

    /// SO_BROADCAST on or off.
    pub fn udp_set_broadcast(&self, id: HandleId, on: bool) -> Result<()> {
        error::sys(self.udp_sock_family(id)?.0.set_broadcast(on))
    }

    /// The unicast TTL (IPv4) or hop limit (IPv6): 1 to 255, else `EINVAL`.
    pub fn udp_set_ttl(&self, id: HandleId, ttl: i32) -> Result<()> {
        let ttl = u32::try_from(ttl)
            .ok()
            .filter(|t| (1..=255).contains(t))
            .ok_or(EINVAL)?;
        let (sock, family) = self.udp_sock_family(id)?;
        error::sys(match family {
            Family::V4 => sock.set_ttl_v4(ttl),
            Family::V6 => sock.set_unicast_hops_v6(ttl),
            Family::Unix => return Err(EAFNOSUPPORT),
        })
    }

    /// The multicast TTL (IPv4) or hop limit (IPv6): 0 to 255, else `EINVAL`.
    pub fn udp_set_multicast_ttl(&self, id: HandleId, ttl: i32) -> Result<()> {
        let ttl = u32::try_from(ttl)
            .ok()
            .filter(|t| *t <= 255)
            .ok_or(EINVAL)?;
        let (sock, family) = self.udp_sock_family(id)?;
        error::sys(match family {
            Family::V4 => sock.set_multicast_ttl_v4(ttl),
            Family::V6 => sock.set_multicast_hops_v6(ttl),
            Family::Unix => return Err(EAFNOSUPPORT),
        })
    }

    /// Whether multicast datagrams this socket sends loop back to local sockets.
    pub fn udp_set_multicast_loop(&self, id: HandleId, on: bool) -> Result<()> {
        let (sock, family) = self.udp_sock_family(id)?;
        error::sys(match family {
            Family::V4 => sock.set_multicast_loop_v4(on),
            Family::V6 => sock.set_multicast_loop_v6(on),
            Family::Unix => return Err(EAFNOSUPPORT),
        })
    }

    /// The interface multicast datagrams leave by: the local address of an interface (IPv4),
    /// an IPv6 address whose `%zone` names the interface, or `None` for the system's choice.
    /// `EINVAL` for an unparsable address or one of the other family than the socket's.
    pub fn udp_set_multicast_interface(
        &self,
        id: HandleId,
        interface: Option<&str>,
        interface_index: &dyn Fn(&str) -> Option<u32>,
    ) -> Result<()> {
        let (sock, family) = self.udp_sock_family(id)?;
        let parsed = interface
            .map(|i| parse_ip(i, interface_index))
            .transpose()?;
        error::sys(match (family, parsed) {
            (Family::V4, None) => sock.set_multicast_if_v4(&Ipv4Addr::UNSPECIFIED),
            (Family::V4, Some((IpAddr::V4(ip), _))) => sock.set_multicast_if_v4(&ip),
            (Family::V6, None) => sock.set_multicast_if_v6(0),
            (Family::V6, Some((IpAddr::V6(_), index))) => sock.set_multicast_if_v6(index),
            _ => return Err(EINVAL),
        })
    }

    /// Joins ([`JOIN_GROUP`]) or leaves ([`LEAVE_GROUP`]) the multicast group `group` on
    /// `interface` (a local IPv4 address, or an IPv6 address whose `%zone` names the
    /// interface; `None`: the system's choice). A handle with no local address is bound first.
    /// `EINVAL` for another membership value, unparsable addresses or a family mismatch.
    pub fn udp_set_membership(
        &mut self,
        id: HandleId,
        group: &str,
        interface: Option<&str>,
        membership: u32,
        interface_index: &dyn Fn(&str) -> Option<u32>,
    ) -> Result<()> {
        if membership != JOIN_GROUP && membership != LEAVE_GROUP {
            return Err(EINVAL);
        }
        let (group, _) = parse_ip(group, interface_index)?;
        let iface = interface
            .map(|i| parse_ip(i, interface_index))
            .transpose()?;
        let family = Family::of(&SocketAddr::new(group, 0));
        if self.udp(id)?.family.is_some_and(|f| f != family) {
            return Err(EINVAL);
        }
        self.udp_autobind(id, family)?;
        let (sock, _) = self.udp_sock_family(id)?;
        let join = membership == JOIN_GROUP;
        error::sys(match (group, iface) {
            (IpAddr::V4(g), None) if join => sock.join_multicast_v4(&g, &Ipv4Addr::UNSPECIFIED),
            (IpAddr::V4(g), None) => sock.leave_multicast_v4(&g, &Ipv4Addr::UNSPECIFIED),
            (IpAddr::V4(g), Some((IpAddr::V4(i), _))) if join => sock.join_multicast_v4(&g, &i),
            (IpAddr::V4(g), Some((IpAddr::V4(i), _))) => sock.leave_multicast_v4(&g, &i),
            (IpAddr::V6(g), iface) => {
                let index = match iface {
                    None => 0,
                    Some((IpAddr::V6(_), index)) => index,
                    Some(_) => return Err(EINVAL),
                };
                if join {
                    sock.join_multicast_v6(&g, index)
                } else {
                    sock.leave_multicast_v6(&g, index)
                }
            }
            _ => return Err(EINVAL),
        })
    }

    /// Reads a socket buffer size, or sets it first when `set` is given (must be positive).
    pub fn udp_buffer_size(&self, id: HandleId, kind: BufferKind, set: Option<i32>) -> Result<i32> {
        let (sock, _) = self.udp_sock_family(id)?;
        socket::buffer_size(&sock, kind, set)
    }

    /// The local address (`EBADF` before the socket exists).
    pub fn udp_getsockname(&self, id: HandleId) -> Result<SocketAddr> {
        error::sys(self.udp_sock(id)?.local_addr())
    }

    /// The socket's descriptor: `EBADF` before it exists or once closing.
    pub fn udp_fileno(&self, id: HandleId) -> Result<RawFd> {
        match self.handles.get(id) {
            Some(Handle {
                closing: false,
                kind: Kind::Udp(u),
                ..
            }) => u.sock.as_ref().map(|s| s.as_raw_fd()).ok_or(EBADF),
            Some(Handle {
                kind: Kind::Udp(_), ..
            }) => Err(EBADF),
            _ => Err(EINVAL),
        }
    }

    /// AF_INET or AF_INET6; `EBADF` before the socket exists.
    pub fn udp_family(&self, id: HandleId) -> Result<i32> {
        self.udp(id)?.family.map(Family::af).ok_or(EBADF)
    }

    /// Bytes of the datagrams queued and not yet sent.
    pub fn udp_send_queue_size(&self, id: HandleId) -> Result<usize> {
        Ok(self.udp(id)?.queued_bytes)
    }

    /// Datagrams queued and not yet sent.
    pub fn udp_send_queue_count(&self, id: HandleId) -> Result<usize> {
        Ok(self.udp(id)?.sends.len())
    }
}
