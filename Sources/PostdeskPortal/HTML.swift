/// Escaping for HTML text and attribute values: every string from a customer, an agent, a mail or a URL goes
/// through one of these before it is part of a page (the portal has no other way to write a page).
public enum HTML {
    /// Text content and double-quoted attribute values alike: `& < > " '` escaped.
    public static func escape(_ s: String) -> String {
        // Most text has nothing to escape: one pass over its bytes, and the string itself back.
        guard s.utf8.contains(where: { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 || $0 == 0x27 || $0 == 0 }) else { return s }
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count + 32)
        for b in s.utf8 {
            switch b {
            case 0x26: out += [0x26, 0x61, 0x6D, 0x70, 0x3B]  // &amp;
            case 0x3C: out += [0x26, 0x6C, 0x74, 0x3B]  // &lt;
            case 0x3E: out += [0x26, 0x67, 0x74, 0x3B]  // &gt;
            case 0x22: out += [0x26, 0x71, 0x75, 0x6F, 0x74, 0x3B]  // &quot;
            case 0x27: out += [0x26, 0x23, 0x33, 0x39, 0x3B]  // &#39;
            case 0: out += [0xEF, 0xBF, 0xBD]  // U+FFFD
            default: out.append(b)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// A query component or path segment, percent-encoded (RFC 3986 unreserved characters kept).
    public static func urlEncode(_ s: String) -> String {
        var out = ""
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(b))
            default:
                let hex = Array("0123456789ABCDEF".utf8)
                out += "%" + String(UnicodeScalar(hex[Int(b >> 4)])) + String(UnicodeScalar(hex[Int(b & 15)]))
            }
        }
        return out
    }
}
