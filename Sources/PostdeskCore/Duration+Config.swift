/// A span of time in whole seconds, as the config writes it: `30s`, `15m`, `48h`, `2d`, `1h30m`.
public struct ConfigDuration: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var seconds: Int64

    public init(seconds: Int64) { self.seconds = seconds }

    public static func < (a: Self, b: Self) -> Bool { a.seconds < b.seconds }

    /// Parses `30s`, `15m`, `48h`, `2d`, `1w`, or sums such as `1h30m`. A bare number is refused
    /// (the unit is not obvious to a reader).
    public init?(parsing text: String) {
        var total: Int64 = 0
        var number: Int64? = nil
        var sawUnit = false
        for b in text.utf8 {
            switch b {
            case 0x30...0x39:
                let (m, o1) = (number ?? 0).multipliedReportingOverflow(by: 10)
                let (s, o2) = m.addingReportingOverflow(Int64(b - 0x30))
                if o1 || o2 { return nil }
                number = s
            case 0x73, 0x6D, 0x68, 0x64, 0x77:  // s m h d w
                guard let n = number else { return nil }
                let unit: Int64 = b == 0x73 ? 1 : b == 0x6D ? 60 : b == 0x68 ? 3600 : b == 0x64 ? 86_400 : 604_800
                let (p, o1) = n.multipliedReportingOverflow(by: unit)
                let (s, o2) = total.addingReportingOverflow(p)
                if o1 || o2 { return nil }
                total = s
                number = nil
                sawUnit = true
            default:
                return nil
            }
        }
        guard sawUnit, number == nil else { return nil }
        seconds = total
    }

    public var description: String {
        var s = seconds
        var out = ""
        for (unit, name) in [(Int64(86_400), "d"), (3600, "h"), (60, "m"), (1, "s")] where s >= unit {
            out += "\(s / unit)\(name)"
            s %= unit
        }
        return out.isEmpty ? "0s" : out
    }
}
