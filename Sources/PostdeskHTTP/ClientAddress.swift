#if canImport(Glibc)
import Glibc
#endif

/// Who the client is: the peer, or, when the peer is a trusted proxy, the nearest `X-Forwarded-For` hop that is
/// not a trusted proxy. Pure: addresses in, address out.
///
/// Proxies append the address they saw to `X-Forwarded-For`, so only the right end of the list is written by
/// proxies we trust; anything to the left of the first untrusted hop may be forged by the client.
public struct ClientAddress: Sendable {
    /// One trusted-proxy entry: an address, a CIDR network (`10.0.0.0/8`, `fd00::/8`), or `unix` (the peer of a
    /// Unix socket).
    public struct Network: Sendable, Hashable {
        var bytes: [UInt8]   // 4 or 16; empty for `unix`
        var prefix: Int

        /// Parses `1.2.3.4`, `1.2.3.0/24`, `::1`, `fd00::/8`, `unix`; nil for anything else.
        public init?(_ text: String) {
            let t = text.trimmingSpaces
            if t == "unix" {
                bytes = []
                prefix = 0
                return
            }
            var address = Substring(t)
            var prefix: Int?
            if let slash = t.firstIndex(of: "/") {
                address = t[..<slash]
                guard let p = Int(t[t.index(after: slash)...]) else { return nil }
                prefix = p
            }
            guard let bytes = IPAddress.parse(String(address)) else { return nil }
            let bits = bytes.count * 8
            let p = prefix ?? bits
            guard p >= 0, p <= bits else { return nil }
            self.bytes = bytes
            self.prefix = p
        }

        func contains(_ address: [UInt8]) -> Bool {
            guard !bytes.isEmpty, address.count == bytes.count else { return false }
            var left = prefix
            for i in 0..<bytes.count where left > 0 {
                let n = min(8, left)
                let mask: UInt8 = n == 8 ? 0xFF : ~(0xFF >> UInt8(n))
                if address[i] & mask != bytes[i] & mask { return false }
                left -= n
            }
            return true
        }
    }

    public let trusted: [Network]

    /// The entries of `trusted_proxies`; entries that do not parse are returned by `invalid` and ignored.
    public init(trustedProxies: [String]) {
        trusted = trustedProxies.compactMap(Network.init)
    }

    /// The entries of `list` that are neither an address, a network nor `unix` (for config checking).
    public static func invalid(_ list: [String]) -> [String] { list.filter { Network($0) == nil } }

    public func isTrusted(_ address: String) -> Bool {
        if address == "unix" { return trusted.contains { $0.bytes.isEmpty } }
        guard let bytes = IPAddress.parse(address) else { return false }
        return trusted.contains { $0.contains(bytes) }
    }

    /// The client of a request from `peer` carrying these `X-Forwarded-For` field values (in the order received).
    ///
    /// - the peer is not trusted: the peer;
    /// - else, from the right: skip trusted hops; the first untrusted hop is the client if it is an address;
    ///   garbage there means a trusted proxy wrote garbage, so the client is the last trusted hop seen (the peer
    ///   when there is none);
    /// - every hop trusted: the leftmost one.
    public func client(peer: String, forwardedFor: [String]) -> String {
        guard isTrusted(peer) else { return peer }
        let hops = forwardedFor.flatMap { $0.split(separator: ",") }.map { String($0).trimmingSpaces }.filter { !$0.isEmpty }
        var nearest = peer
        for hop in hops.reversed() {
            guard let canonical = IPAddress.canonical(hop) else { return nearest }
            if !isTrusted(canonical) { return canonical }
            nearest = canonical
        }
        return nearest
    }
}

/// IPv4 and IPv6 address text: parsing (inet_pton) and the canonical text (inet_ntop); IPv4-mapped IPv6
/// addresses (`::ffff:1.2.3.4`) are the IPv4 address.
enum IPAddress {
    /// 4 or 16 bytes, or nil. Accepts `[::1]` and IPv6 with a zone (`fe80::1%eth0`, the zone dropped).
    static func parse(_ text: String) -> [UInt8]? {
        var t = Substring(text)
        if t.hasPrefix("["), t.hasSuffix("]") { t = t.dropFirst().dropLast() }
        if let percent = t.firstIndex(of: "%") { t = t[..<percent] }
        let s = String(t)
        var v4 = in_addr()
        if inet_pton(AF_INET, s, &v4) == 1 {
            return withUnsafeBytes(of: &v4) { Array($0) }
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, s, &v6) == 1 {
            let bytes = withUnsafeBytes(of: &v6) { Array($0) }
            if bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF { return Array(bytes[12...]) }
            return bytes
        }
        return nil
    }

    static func canonical(_ text: String) -> String? { parse(text).map(format) }

    static func format(_ bytes: [UInt8]) -> String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        let family = bytes.count == 4 ? AF_INET : AF_INET6
        let ok = bytes.withUnsafeBytes { raw in inet_ntop(family, raw.baseAddress, &buffer, socklen_t(buffer.count)) != nil }
        guard ok else { return "?" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while let c = s.first, c == " " || c == "\t" { s = s.dropFirst() }
        while let c = s.last, c == " " || c == "\t" { s = s.dropLast() }
        return String(s)
    }
}
