#if canImport(Glibc)
import Glibc
#endif

/// The pure parts of reading a request: the target (path and query), cookies, the multipart boundary, the
/// peer's address text.
enum RequestParsing {
    /// The raw request target split and percent-decoded. The path must decode to UTF-8 without NUL (else
    /// nil); `+` is a space in the query only; an invalid `%` escape is kept as it is.
    static func target(_ raw: String) -> (path: String, query: [(name: String, value: String)])? {
        var text = Substring(raw)
        // The absolute form (`GET http://host/path`) a proxy may send.
        for scheme in ["http://", "https://"] where text.lowercased().hasPrefix(scheme) {
            text = text.dropFirst(scheme.count)
            text = text.firstIndex(of: "/").map { text[$0...] } ?? "/"
        }
        if let hash = text.firstIndex(of: "#") { text = text[..<hash] }
        let rawPath: Substring
        var rawQuery: Substring?
        if let mark = text.firstIndex(of: "?") {
            rawPath = text[..<mark]
            rawQuery = text[text.index(after: mark)...]
        } else {
            rawPath = text
        }
        let pathBytes = decode(rawPath.utf8, plusIsSpace: false)
        guard !pathBytes.contains(0), let path = String(validating: pathBytes, as: UTF8.self) else {
            return nil
        }
        var query: [(name: String, value: String)] = []
        for pair in (rawQuery ?? "").split(separator: "&", omittingEmptySubsequences: true) {
            let name: Substring
            let value: Substring
            if let equals = pair.firstIndex(of: "=") {
                name = pair[..<equals]
                value = pair[pair.index(after: equals)...]
            } else {
                name = pair
                value = ""
            }
            query.append((String(decoding: decode(name.utf8, plusIsSpace: true), as: UTF8.self),
                          String(decoding: decode(value.utf8, plusIsSpace: true), as: UTF8.self)))
        }
        return (path.isEmpty ? "/" : path, query)
    }

    static func decode(_ text: some Collection<UInt8>, plusIsSpace: Bool) -> [UInt8] {
        let bytes = Array(text)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: "%"), i + 2 < bytes.count, let h = hex(bytes[i + 1]), let l = hex(bytes[i + 2]) {
                out.append(h << 4 | l)
                i += 3
                continue
            }
            out.append(plusIsSpace && b == UInt8(ascii: "+") ? UInt8(ascii: " ") : b)
            i += 1
        }
        return out
    }

    private static func hex(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    /// `name=value` pairs of every `Cookie` field, the first of each name kept; values as sent (quotes kept).
    static func cookies(_ fields: [String]) -> [String: String] {
        var cookies: [String: String] = [:]
        for field in fields {
            for pair in field.split(separator: ";") {
                guard let equals = pair.firstIndex(of: "=") else { continue }
                let name = String(pair[..<equals]).trimmingSpaces
                let value = String(pair[pair.index(after: equals)...]).trimmingSpaces
                if name.isEmpty || cookies[name] != nil { continue }
                cookies[name] = value
            }
        }
        return cookies
    }

    /// The `boundary` parameter of a multipart Content-Type (quoted or not), or nil.
    static func boundary(_ contentType: String) -> String? {
        for parameter in contentType.split(separator: ";").dropFirst() {
            let p = String(parameter).trimmingSpaces
            guard p.lowercased().hasPrefix("boundary=") else { continue }
            var value = Substring(p.dropFirst("boundary=".count))
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = value.dropFirst().dropLast() }
            return value.isEmpty || value.count > 70 ? nil : String(value)
        }
        return nil
    }

    /// `127.0.0.1`, `::1` (IPv4-mapped IPv6 as IPv4), `unix` for a Unix socket, `?` when unknown.
    static func peer(_ address: UnsafePointer<sockaddr>?) -> String {
        guard let address else { return "?" }
        switch Int32(address.pointee.sa_family) {
        case AF_INET:
            return address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { a in
                var addr = a.pointee.sin_addr
                return IPAddress.format(withUnsafeBytes(of: &addr) { Array($0) })
            }
        case AF_INET6:
            return address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { a in
                var addr = a.pointee.sin6_addr
                let bytes = withUnsafeBytes(of: &addr) { Array($0) }
                return IPAddress.canonical(IPAddress.format(bytes)) ?? "?"
            }
        case AF_UNIX:
            return "unix"
        default:
            return "?"
        }
    }
}
