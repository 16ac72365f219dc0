/// A point in time as a mail header gave it: an instant plus the sender's UTC offset.
public struct MailDate: Sendable, Hashable, Comparable {
    public var secondsSinceEpoch: Int64
    public var utcOffsetSeconds: Int

    public init(secondsSinceEpoch: Int64, utcOffsetSeconds: Int) {
        self.secondsSinceEpoch = secondsSinceEpoch
        self.utcOffsetSeconds = utcOffsetSeconds
    }

    /// Builds a date from civil fields in the given offset; nil when a field is out of range.
    public init?(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, utcOffsetSeconds: Int) {
        guard (1...12).contains(month), day >= 1, day <= Self.daysIn(month: month, year: year),
            (0...23).contains(hour), (0...59).contains(minute), (0...60).contains(second), abs(utcOffsetSeconds) < 100_000
        else { return nil }
        let days = Self.daysFromCivil(year: year, month: month, day: day)
        secondsSinceEpoch = days * 86_400 + Int64(hour * 3600 + minute * 60 + min(second, 59)) - Int64(utcOffsetSeconds)
        self.utcOffsetSeconds = utcOffsetSeconds
    }

    /// `2026-11-22T10:15:00+01:00` (in the sender's offset; `Z` is never used, `+00:00` is).
    public var iso8601: String {
        let local = secondsSinceEpoch + Int64(utcOffsetSeconds)
        var days = local / 86_400
        var rem = local % 86_400
        if rem < 0 { rem += 86_400; days -= 1 }
        let (y, m, d) = Self.civilFromDays(days)
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let off = abs(utcOffsetSeconds)
        let sign = utcOffsetSeconds < 0 ? "-" : "+"
        let year = y < 0 ? "-" + String(-y) : (y < 1000 ? String(repeating: "0", count: 4 - String(y).count) + String(y) : String(y))
        return "\(year)-\(two(m))-\(two(d))T\(two(Int(rem / 3600))):\(two(Int(rem % 3600 / 60))):\(two(Int(rem % 60)))\(sign)\(two(off / 3600)):\(two(off % 3600 / 60))"
    }

    public static func < (a: Self, b: Self) -> Bool { a.secondsSinceEpoch < b.secondsSinceEpoch }

    // Howard Hinnant's days-from-civil algorithms.
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = Int64((month + 9) % 12)
        let doy = (153 * mp + 2) / 5 + Int64(day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civilFromDays(_ z0: Int64) -> (Int, Int, Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (Int(m <= 2 ? y + 1 : y), Int(m), Int(d))
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}

/// RFC 5322 dates and the common broken forms.
public enum DateParser {
    public static func parse(_ text: String) -> (date: MailDate?, defects: [MailDefect]) {
        var defects: [MailDefect] = []
        // Tokens: numbers, words, signed offsets; separators are space , - / . : T (kept for times).
        var s = Array(text.utf8)
        // Drop comments `(CET)`.
        var depth = 0
        s = s.filter { c in
            if c == 0x28 { depth += 1; return false }
            if c == 0x29 { depth = max(0, depth - 1); return false }
            return depth == 0
        }
        enum Tok: Equatable { case num(Int, digits: Int), word(String), offset(Int), time(Int, Int, Int) }
        var toks: [Tok] = []
        var i = 0
        let n = s.count
        var sawISO = false
        while i < n {
            let c = s[i]
            if c.isASCIIDigit {
                var j = i
                var v = 0
                while j < n, s[j].isASCIIDigit, j - i < 9 { v = v * 10 + Int(s[j] - 0x30); j += 1 }
                let digits = j - i
                // A time hh:mm[:ss]
                if j < n, s[j] == 0x3A, digits <= 2 {
                    var parts = [v]
                    var k = j
                    while k < n, s[k] == 0x3A, parts.count < 3 {
                        k += 1
                        var w = 0, d = 0
                        while k < n, s[k].isASCIIDigit, d < 2 { w = w * 10 + Int(s[k] - 0x30); k += 1; d += 1 }
                        if d == 0 { break }
                        parts.append(w)
                    }
                    // fractional seconds
                    if k < n, s[k] == 0x2E || s[k] == 0x2C { k += 1; while k < n, s[k].isASCIIDigit { k += 1 } }
                    toks.append(.time(parts[0], parts.count > 1 ? parts[1] : 0, parts.count > 2 ? parts[2] : 0))
                    i = k
                    continue
                }
                toks.append(.num(v, digits: digits))
                i = j
                continue
            }
            if (c == 0x2B || c == 0x2D), i + 1 < n, s[i + 1].isASCIIDigit, toks.contains(where: { if case .time = $0 { return true }; return false }) {
                // A numeric zone: +hhmm, +hh:mm, +hh
                var j = i + 1
                var digits: [Int] = []
                while j < n, (s[j].isASCIIDigit || s[j] == 0x3A), digits.count < 4 {
                    if s[j] != 0x3A { digits.append(Int(s[j] - 0x30)) }
                    j += 1
                }
                var minutes = 0
                if digits.count == 4 { minutes = (digits[0] * 10 + digits[1]) * 60 + digits[2] * 10 + digits[3] }
                else if digits.count == 2 { minutes = (digits[0] * 10 + digits[1]) * 60 }
                else if digits.count == 3 { minutes = digits[0] * 60 + digits[1] * 10 + digits[2] }
                else if digits.count == 1 { minutes = digits[0] * 60 }
                toks.append(.offset((c == 0x2D ? -1 : 1) * minutes * 60))
                if c == 0x2D && minutes == 0 { defects.append(MailDefect(.date, "zone -0000 (local time unknown); read as +00:00")) }
                i = j
                continue
            }
            if c.isASCIILetter {
                var j = i
                while j < n, s[j].isASCIILetter { j += 1 }
                let w = String(decoding: s[i..<j], as: UTF8.self).asciiLowercased
                // ISO 8601 `T` between date and time.
                if w == "t", j < n, s[j].isASCIIDigit { sawISO = true; i = j; continue }
                toks.append(.word(w))
                i = j
                continue
            }
            i += 1
        }

        // Read the fields.
        var day: Int? = nil, month: Int? = nil, year: Int? = nil
        var time: (Int, Int, Int)? = nil
        var offset: Int? = nil
        var weekday: Int? = nil
        var numbers: [(Int, Int)] = []
        for t in toks {
            switch t {
            case .time(let h, let m, let sec): if time == nil { time = (h, m, sec) }
            case .offset(let o): if offset == nil { offset = o }
            case .num(let v, let d): numbers.append((v, d))
            case .word(let w):
                if let m = months[String(w.prefix(3))], month == nil, w.count >= 3, monthNames.contains(where: { $0.hasPrefix(w) || w.hasPrefix($0) }) || w.count == 3 {
                    month = m
                } else if let wd = weekdays[String(w.prefix(3))], w.count >= 3 {
                    weekday = wd
                } else if offset == nil, let z = zones[w] {
                    offset = z.0
                    if z.1 { defects.append(MailDefect(.date, "obsolete zone \(w.uppercased()) read as \(z.0 == 0 ? "+00:00" : "its offset")")) }
                } else if offset == nil, w.count == 1, w != "t" {
                    offset = 0
                    defects.append(MailDefect(.date, "military zone \(w.uppercased()) read as +00:00 (RFC 5322)"))
                }
            }
        }
        if month == nil {
            // Numeric dates: 2026-11-22 (ISO), or 22.11.2026 / 11/22/2026 (ambiguous: day first).
            if numbers.count >= 3 {
                if numbers[0].1 == 4 {
                    year = numbers[0].0; month = numbers[1].0; day = numbers[2].0
                } else if numbers[2].1 == 4 || numbers[2].1 == 2 {
                    day = numbers[0].0; month = numbers[1].0; year = numbers[2].0
                    if month! > 12 && day! <= 12 { swap(&day, &month) }
                    if !sawISO { defects.append(MailDefect(.date, "numeric date read day first")) }
                }
            }
        } else {
            for (v, d) in numbers {
                if day == nil, d <= 2, v >= 1, v <= 31 { day = v }
                else if year == nil {
                    year = d == 2 ? (v < 50 ? 2000 + v : 1900 + v) : (d == 3 ? 1900 + v : v)
                    if d < 4 { defects.append(MailDefect(.date, "year with fewer than 4 digits read as \(year!)")) }
                }
            }
        }
        guard let y = year, let m = month, let d = day else {
            return (nil, defects + [MailDefect(.date, "unreadable date \"\(text.prefix(60))\"")])
        }
        let (h, mi, sec) = time ?? (0, 0, 0)
        if time == nil { defects.append(MailDefect(.date, "date without a time; read as midnight")) }
        if offset == nil {
            defects.append(MailDefect(.date, "date without a zone; read as +00:00"))
        }
        if sec == 60 { defects.append(MailDefect(.date, "leap second read as :59")) }
        guard let date = MailDate(year: y, month: m, day: d, hour: h, minute: mi, second: sec, utcOffsetSeconds: offset ?? 0) else {
            return (nil, defects + [MailDefect(.date, "date \"\(text.prefix(60))\" has a field out of range")])
        }
        if let weekday {
            let days = MailDate.daysFromCivil(year: y, month: m, day: d)
            let actual = Int(((days % 7) + 10) % 7)  // 1970-01-01 (day 0) was a Thursday: 3 with Monday = 0
            if actual != weekday { defects.append(MailDefect(.date, "day of week does not match the date")) }
        }
        return (date, defects)
    }

    static let monthNames = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"]
    static let months: [String: Int] = [
        "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
    ]
    /// Monday = 0.
    static let weekdays: [String: Int] = ["mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6]
    /// Zone names: offset, and whether the name is obsolete.
    static let zones: [String: (Int, Bool)] = [
        "gmt": (0, false), "ut": (0, false), "utc": (0, false), "z": (0, false),
        "est": (-5 * 3600, true), "edt": (-4 * 3600, true), "cst": (-6 * 3600, true), "cdt": (-5 * 3600, true),
        "mst": (-7 * 3600, true), "mdt": (-6 * 3600, true), "pst": (-8 * 3600, true), "pdt": (-7 * 3600, true),
        "cet": (3600, true), "cest": (7200, true), "met": (3600, true), "mest": (7200, true), "bst": (3600, true),
        "eet": (7200, true), "eest": (10800, true), "wet": (0, true), "west": (3600, true), "jst": (9 * 3600, true),
    ]
}
