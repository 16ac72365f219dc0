import Testing
@testable import PostdeskCrypt

@Suite struct PasswordHashTests {
    @Test func yescryptHashVerifiesTheRightSecretOnly() throws {
        let hash = try PasswordHash.make("correct horse battery staple")
        #expect(hash.hasPrefix("$y$"))
        #expect(PasswordHash.verify("correct horse battery staple", against: hash))
        #expect(!PasswordHash.verify("correct horse battery stapl", against: hash))
        #expect(!PasswordHash.verify("", against: hash))
    }

    @Test func everyHashHasItsOwnSalt() throws {
        let a = try PasswordHash.make("same")
        let b = try PasswordHash.make("same")
        #expect(a != b)
        #expect(PasswordHash.verify("same", against: a) && PasswordHash.verify("same", against: b))
    }

    @Test(arguments: ["", "plain", "*0", "$y$", "$1$x", "$y$j9T$broken"])
    func malformedStoredHashesNeverMatch(stored: String) {
        #expect(!PasswordHash.verify("", against: stored))
        #expect(!PasswordHash.verify("plain", against: stored))
    }

    @Test func unicodeSecretsWork() throws {
        let hash = try PasswordHash.make("Zażółć gęślą jaźń")
        #expect(PasswordHash.verify("Zażółć gęślą jaźń", against: hash))
        #expect(!PasswordHash.verify("Zazolc gesla jazn", against: hash))
    }

    @Test func codesAreDigitsAndSpreadOverAllDigits() {
        var seen: Set<Character> = []
        var codes: Set<String> = []
        for _ in 0..<200 {
            let c = OneTimeCode.generate()
            #expect(c.count == 8 && c.allSatisfy(\.isNumber))
            seen.formUnion(c)
            codes.insert(c)
        }
        #expect(seen.count == 10)
        #expect(codes.count > 190)  // 10^8 possibilities: collisions among 200 are all but impossible
    }

    @Test(arguments: [
        ("1234 5678", "12345678"), ("1234-5678", "12345678"), (" 12.34.56.78 ", "12345678"),
        ("", nil), ("12a45678", nil), ("١٢٣٤", nil), (String(repeating: "1", count: 33), nil),
    ] as [(String, String?)])
    func typedCodesAreNormalized(typed: String, expected: String?) {
        #expect(OneTimeCode.normalized(typed) == expected)
    }

    @Test func codesAreShownInGroupsOfFour() {
        #expect(OneTimeCode.grouped("12345678") == "1234 5678")
        #expect(OneTimeCode.grouped("123") == "123")
    }
}
