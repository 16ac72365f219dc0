#if canImport(Glibc)
import Glibc
#endif

/// An IANA time zone read from the system's compiled zoneinfo files (TZif, RFC 8536), so dates in mail
/// to customers are in their local time with its daylight-saving rules. No Foundation, no global TZ state.
public struct TimeZoneRules: Sendable, Hashable {
    public struct LocalTime: Sendable, Hashable {
        /// Seconds east of UTC.
        public var offset: Int
        public var abbreviation: String
        public var isDST: Bool
    }

    public let name: String
    /// Transition moments (seconds since the epoch), ascending, and the local time type from each on.
    let transitions: [Int64]
    let transitionTypes: [Int]
    let types: [LocalTime]

    public static let utc = TimeZoneRules(name: "UTC", transitions: [], transitionTypes: [], types: [LocalTime(offset: 0, abbreviation: "UTC", isDST: false)])

    public enum LoadError: Error, Sendable, Hashable, CustomStringConvertible {
        case badName(String)
        case unknown(String)
        case malformed(String)
        public var description: String {
            switch self {
            case .badName(let n): return "\"\(n)\" is not a time zone name (such as Europe/Warsaw)"
            case .unknown(let n): return "unknown time zone \"\(n)\" (no such file under /usr/share/zoneinfo; is tzdata installed?)"
            case .malformed(let n): return "the zoneinfo file for \"\(n)\" is malformed"
            }
        }
    }

    /// Reads `/usr/share/zoneinfo/NAME`. Names are checked first: a name is never a path out of the folder.
    public static func load(_ name: String, root: String = "/usr/share/zoneinfo") throws(LoadError) -> TimeZoneRules {
        if name == "UTC" || name == "Etc/UTC" || name == "GMT" || name == "Z" { return .utc }
        let allowed = name.utf8.allSatisfy { c in
            (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39) || c == 0x2F || c == 0x5F || c == 0x2D || c == 0x2B
        }
        guard allowed, !name.isEmpty, !name.hasPrefix("/"), !name.split(separator: "/").contains(where: { $0 == ".." || $0 == "." || $0.isEmpty })
        else { throw .badName(name) }
        let bytes: [UInt8]
        do { bytes = try FileSystem.readFile(root + "/" + name, maxBytes: 1 << 20) } catch { throw .unknown(name) }
        guard let rules = parse(bytes, name: name) else { throw .malformed(name) }
        return rules
    }

    /// Parses TZif data: the version 2+ (64-bit) block when present, else version 1.
    static func parse(_ b: [UInt8], name: String) -> TimeZoneRules? {
        func u32(_ at: Int) -> Int? {
            guard at + 4 <= b.count else { return nil }
            return Int(b[at]) << 24 | Int(b[at + 1]) << 16 | Int(b[at + 2]) << 8 | Int(b[at + 3])
        }
        func i64(_ at: Int) -> Int64? {
            guard at + 8 <= b.count else { return nil }
            var v: UInt64 = 0
            for k in 0..<8 { v = v << 8 | UInt64(b[at + k]) }
            return Int64(bitPattern: v)
        }
        func header(_ at: Int) -> (isutc: Int, isstd: Int, leap: Int, time: Int, type: Int, chars: Int)? {
            guard b.count >= at + 44, b[at] == 0x54, b[at + 1] == 0x5A, b[at + 2] == 0x69, b[at + 3] == 0x66,
                let a = u32(at + 20), let s = u32(at + 24), let l = u32(at + 28), let t = u32(at + 32), let ty = u32(at + 36),
                let c = u32(at + 40)
            else { return nil }
            return (a, s, l, t, ty, c)
        }
        guard let h1 = header(0) else { return nil }
        var at = 0
        var timeSize = 4
        var h = h1
        if b[4] >= 0x32 {
            // Skip the version 1 block to the 64-bit one.
            let skip = 44 + h1.time * 4 + h1.time + h1.type * 6 + h1.chars + h1.leap * 8 + h1.isstd + h1.isutc
            guard let h2 = header(skip) else { return nil }
            at = skip
            h = h2
            timeSize = 8
        }
        var p = at + 44
        var transitions: [Int64] = []
        transitions.reserveCapacity(h.time)
        for _ in 0..<h.time {
            if timeSize == 8 {
                guard let v = i64(p) else { return nil }
                transitions.append(v)
            } else {
                guard let v = u32(p) else { return nil }
                transitions.append(Int64(Int32(truncatingIfNeeded: v)))
            }
            p += timeSize
        }
        guard p + h.time <= b.count else { return nil }
        let transitionTypes = b[p..<(p + h.time)].map(Int.init)
        p += h.time
        var raw: [(Int, Bool, Int)] = []
        for _ in 0..<h.type {
            guard let off = u32(p), p + 6 <= b.count else { return nil }
            raw.append((Int(Int32(truncatingIfNeeded: off)), b[p + 4] != 0, Int(b[p + 5])))
            p += 6
        }
        guard p + h.chars <= b.count, !raw.isEmpty else { return nil }
        let chars = Array(b[p..<(p + h.chars)])
        let types = raw.map { t -> LocalTime in
            var end = t.2
            while end < chars.count && chars[end] != 0 { end += 1 }
            let abbr = t.2 < chars.count ? String(decoding: chars[t.2..<end], as: UTF8.self) : ""
            return LocalTime(offset: t.0, abbreviation: abbr, isDST: t.1)
        }
        guard transitionTypes.allSatisfy({ $0 < types.count }) else { return nil }
        return TimeZoneRules(name: name, transitions: transitions, transitionTypes: transitionTypes, types: types)
    }

    /// The local time type in force at `moment`. Before the first transition: the first standard-time type;
    /// after the last one in the file (2037 in Debian's "fat" files): the last type.
    public func localTime(at moment: Int64) -> LocalTime {
        guard !transitions.isEmpty else { return types.first(where: { !$0.isDST }) ?? types[0] }
        var lo = 0, hi = transitions.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if transitions[mid] <= moment { lo = mid + 1 } else { hi = mid }
        }
        if lo == 0 { return types.first(where: { !$0.isDST }) ?? types[0] }
        return types[transitionTypes[lo - 1]]
    }
}
