// Small text helpers shared by the parser's files. PostdeskMail does not import Foundation:
// it stays a pure, fast module over bytes and Swift strings.

extension UInt8 {
    /// Space, tab, CR or LF.
    @inline(__always) var isMailWhitespace: Bool { self == 0x20 || self == 0x09 || self == 0x0D || self == 0x0A }
    /// ASCII upper-case letters mapped to lower case; every other byte unchanged.
    @inline(__always) var asciiLowercased: UInt8 { (self >= 0x41 && self <= 0x5A) ? self | 0x20 : self }
    @inline(__always) var isASCIIDigit: Bool { self >= 0x30 && self <= 0x39 }
    @inline(__always) var isASCIILetter: Bool { (self | 0x20) >= 0x61 && (self | 0x20) <= 0x7A }
    /// The value of a hexadecimal digit (either case), or nil.
    @inline(__always) var hexDigitValue: UInt8? {
        switch self {
        case 0x30...0x39: return self - 0x30
        case 0x41...0x46: return self - 0x41 + 10
        case 0x61...0x66: return self - 0x61 + 10
        default: return nil
        }
    }
}

extension StringProtocol {
    /// The string without leading and trailing spaces, tabs, CRs and LFs.
    var trimmingMailWhitespace: String {
        let bytes = Array(utf8)
        guard let first = bytes.firstIndex(where: { !$0.isMailWhitespace }) else { return "" }
        let last = bytes.lastIndex(where: { !$0.isMailWhitespace })!
        if first == 0 && last == bytes.count - 1 { return String(self) }
        return String(decoding: bytes[first...last], as: UTF8.self)
    }

    /// ASCII-only lower-casing (header names, tokens, labels); non-ASCII is left alone.
    var asciiLowercased: String {
        if !utf8.contains(where: { $0 >= 0x41 && $0 <= 0x5A }) { return String(self) }
        return String(decoding: utf8.map(\.asciiLowercased), as: UTF8.self)
    }

    /// Case-insensitive ASCII comparison.
    func equalsIgnoringASCIICase(_ other: some StringProtocol) -> Bool {
        let a = utf8, b = other.utf8
        guard a.count == b.count else { return false }
        return zip(a, b).allSatisfy { $0.asciiLowercased == $1.asciiLowercased }
    }
}

extension Collection<UInt8> {
    /// Whether every byte is below 0x80.
    var isASCII: Bool { allSatisfy { $0 < 0x80 } }
}
