import CCrypt

#if canImport(Glibc)
import Glibc
#endif

/// Why a hash could not be made or checked.
public struct CryptError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Password and code hashes through libxcrypt: yescrypt (`$y$`) at libxcrypt's default cost, with a salt
/// libxcrypt draws from the kernel's CSPRNG. Hashes are self-describing strings (`$y$j9T$salt$hash`), so a
/// later cost or method change keeps verifying the old ones.
///
/// Each call takes about 15 ms on purpose (that is what makes a stolen database slow to attack): call it
/// off the concurrency pool's threads.
public enum PasswordHash {
    /// The yescrypt prefix; `count` 0 is libxcrypt's default cost.
    static let method = "$y$"

    /// A new hash of `secret` with a fresh random salt.
    public static func make(_ secret: String) throws(CryptError) -> String {
        guard let settingPointer = crypt_gensalt_ra(method, 0, nil, 0) else {
            throw CryptError("crypt_gensalt_ra(\(method)) failed: \(String(cString: strerror(errno)))")
        }
        defer { free(settingPointer) }
        let setting = String(cString: settingPointer)
        return try hash(secret, setting: setting)
    }

    /// Whether `secret` matches `stored` (a hash from `make`). A malformed stored hash never matches. The
    /// comparison takes the same time wherever the strings differ.
    public static func verify(_ secret: String, against stored: String) -> Bool {
        guard stored.hasPrefix("$"), let computed = try? hash(secret, setting: stored) else { return false }
        return constantTimeEqual(Array(computed.utf8), Array(stored.utf8))
    }

    static func hash(_ secret: String, setting: String) throws(CryptError) -> String {
        var data: UnsafeMutableRawPointer? = nil
        var size: Int32 = 0
        defer { if let data { free(data) } }
        guard let out = crypt_ra(secret, setting, &data, &size) else {
            throw CryptError("crypt_ra failed: \(String(cString: strerror(errno)))")
        }
        let result = String(cString: out)
        // libxcrypt marks failure with a string starting with "*" rather than a null pointer.
        guard !result.hasPrefix("*") else { throw CryptError("the hash setting is not supported by libxcrypt") }
        return result
    }

    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var diff: UInt8 = 0
        for i in 0..<a.count { diff |= a[i] ^ b[i] }
        return diff == 0
    }
}

/// One-time codes for password resets: decimal digits drawn from the system CSPRNG (getrandom(2), through
/// `SystemRandomNumberGenerator`), uniformly, with no modulo bias.
public enum OneTimeCode {
    /// A new code of `digits` digits, shown to people as groups of four ("1234 5678").
    public static func generate(digits: Int = 8) -> String {
        var random = SystemRandomNumberGenerator()
        var out = ""
        for _ in 0..<digits {
            out.append(Character(String(UInt8.random(in: 0...9, using: &random))))
        }
        return out
    }

    /// The code as people type it back: spaces, dashes and dots dropped. Nil if anything else remains that
    /// is not a digit (so a hash is never computed for junk).
    public static func normalized(_ typed: String) -> String? {
        let kept = typed.filter { !" -.\t".contains($0) }
        guard !kept.isEmpty, kept.count <= 32, kept.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return kept
    }

    /// "12345678" → "1234 5678".
    public static func grouped(_ code: String) -> String {
        var out = ""
        for (i, c) in code.enumerated() {
            if i > 0, i % 4 == 0 { out.append(" ") }
            out.append(c)
        }
        return out
    }
}
