import Testing
@testable import PostdeskMail

/// RFC 2047 words, mostly from header lines of the shared corpus.
/// (The suite name differs from `EncodedWordsTests` in CodecTests.swift but matches the same test filter.)
@Suite struct RealMailEncodedWordsTests {
    @Test(arguments: [
        // Polish, split inside multibyte characters across three B words (bytes 0..<5, 5..<12, 12...).
        ("=?UTF-8?B?WmHFvMM=?= =?UTF-8?B?s8WCxIcgZw==?=\r\n =?UTF-8?B?xJnFm2zEhSBqYcW6xYQ=?=", "Zażółć gęślą jaźń", [MailDefect.Kind]()),
        ("Subject: =?utf-8?b?WmHFvMM=?=\t=?UTF-8?B?s8WCxIcgZw==?= ok", "Subject: Zażółć g ok", []),
        // ISO-2022-JP (stalwart thirdparty, folded twice), and one split between escape sequences.
        ("=?ISO-2022-JP?B?GyRCJUYlOSVIGyhC?=\r\n  =?ISO-2022-JP?B?GyRCJUYlOSVIGyhC?=", "テストテスト", []),
        ("=?iso-2022-jp?B?GyRCJUYlOQ==?= =?ISO-2022-JP?B?JUgbKEI=?=", "テスト", []),
        // Q with underscores (corpus).
        ("=?ISO-8859-1?Q?Nicolas_Fouch=E9_has_accepted_your_invitation_to_Gmail?=", "Nicolas Fouché has accepted your invitation to Gmail", []),
        ("=?ISO-8859-1?Q?Keld_J=F8rn_Simonsen?= <keld@dkuug.dk>", "Keld Jørn Simonsen <keld@dkuug.dk>", []),
        ("=?ISO-8859-1?Q?Andr=E9_?= Pirard <PIRARD@vm1.ulg.ac.be>", "André  Pirard <PIRARD@vm1.ulg.ac.be>", []),
        ("=?ISO-8859-15?Q?J=F6rn?= Reder <joern@zyn.de>", "Jörn Reder <joern@zyn.de>", []),
        ("=?EUC-KR?Q?NOTE:_=C7=D1=B1=B9=B8=BB=B7=CE_=C7=CF=B4=C2_=B0=CD?=", "NOTE: 한국말로 하는 것", []),
        ("=?utf-8?q?lower_=c3=a9?=", "lower é", []),
        // Bogus labels (corpus): RFC 2231 language suffix, NONE.
        ("=?US-ASCII*EN?Q?Keith_Moore?=", "Keith Moore", []),
        ("=?NONE?B?VEVTVA=?=", "TEST", []),
        // Proxmox 2026 (stalwart thirdparty/015): the second word folded without whitespace.
        ("=?us-ascii?Q?[Ticket_ID:_255909]_Bestellung:_Proxmox_VE_inkl?=\r\n=?us-ascii?Q?._Trainings-Plus_Rabatt_(?=",
         "[Ticket ID: 255909] Bestellung: Proxmox VE inkl. Trainings-Plus Rabatt (", []),
        ("Re: Test: =?UTF-8?B?Iua8ouWtlyI=?= mid =?UTF-8?B?Iua8ouWtlyI=?= tail", "Re: Test: \"漢字\" mid \"漢字\" tail", []),
        ("\"=?Windows-1252?B?Rm9ybWHn428gRnJlbmV0aWtwb2xpcw==?=\" <info@formacaofrenetik.info>",
         "\"Formação Frenetikpolis\" <info@formacaofrenetik.info>", []),
        ("\"=?windows-1251?B?wPLo6u7iYQ==?=\" <yusuf75thu@auracom.net>", "\"Атиковa\" <yusuf75thu@auracom.net>", []),
        ("=?koi8-r?B?89DJ08/LLmRvYw==?=", "Список.doc", []),
        ("=?UTF-8?B??=", "", []),
        ("=?UTF-8?B?TXlTdXJ2ZXk=?=", "MySurvey", []),
        // Different charsets side by side; words next to text keep the text's spaces.
        ("=?iso-8859-1?q?caf=E9?= =?utf-8?q?_na=C3=AFve?=", "café naïve", []),
        ("=?utf-8?q?a?= b =?utf-8?q?c?=", "a b c", []),
        ("=?utf-8?q?a?==?utf-8?q?b?=", "ab", []),
        ("Zoë =?utf-8?q?=C5=81?=", "Zoë Ł", []),
        // Where RFC 2047 forbids words: glued to text, inside a quoted string, in a path.
        ("foo=?utf-8?q?bar?=", "foobar", []),
        ("\"=?utf-8?Q?Zo=C3=AB?=\" <z@x>", "\"Zoë\" <z@x>", []),
        ("/evil/because:of\\path\\3d-=?ISO-8859-1?Q?=63?=om=?US-ASCII*EN?Q?pr?=ess.gif", "/evil/because:of\\path\\3d-compress.gif", []),
        // Lenient B.
        ("=?utf-8?B?SGVsbG8?=", "Hello", []),
        ("=?utf-8?B?Wm/Dqw?=", "Zoë", []),
        ("=?utf-8?B?SGV*sbG8=?=", "Hello", [.encodedWord]),
        // Bad contents.
        ("=?utf-8?q?caf=E9?=", "café", [.encodedWord]),
        ("=?us-ascii?q?a=ZZ?=", "a=ZZ", [.encodedWord]),
        // Malformed words stay as written.
        ("=?utf-8?X?abc?=", "=?utf-8?X?abc?=", [.encodedWord]),
        ("=?utf-8?q?abc", "=?utf-8?q?abc", [.encodedWord]),
        ("=?utf-8?q?abc =?utf-8?q?def?=", "=?utf-8?q?abc def", [.encodedWord]),
        ("a =? b ?= c", "a =? b ?= c", []),
        ("=?not a word?q?x?=", "=?not a word?q?x?=", []),
        // Only line breaks to remove.
        ("line\r\n folded", "line folded", []),
    ])
    func decode(_ input: String, _ expected: String, _ defects: [MailDefect.Kind]) {
        let d = EncodedWords.decode(input)
        #expect(d.text == expected)
        #expect(d.defects.map(\.kind) == defects, "\(d.defects)")
    }

    @Test func textWithoutWordsIsReturnedAsIs() {
        let s = "Plain subject with = and ? but no word: a=b? c"
        #expect(EncodedWords.decode(s).text == s)
        #expect(EncodedWords.decode(s).defects.isEmpty)
        #expect(!EncodedWords.mayContainEncodedWords(s))
        #expect(EncodedWords.mayContainEncodedWords("=?utf-8?q?x?="))
    }

    @Test func manyUnterminatedWordsStayLinear() {
        // 200 000 starts without any end: each is kept, and decoding does not go quadratic.
        let s = String(repeating: "=?a?q?", count: 200_000)
        let d = EncodedWords.decode(s)
        #expect(d.text == s)
        #expect(d.defects.count == 200_000)
    }

    @Test func longTextOfWordsDecodes() {
        let word = "=?utf-8?B?xYHDs2TFug==?= "
        let d = EncodedWords.decode(String(repeating: word, count: 50_000))
        #expect(d.text == String(repeating: "Łódź", count: 50_000) + " ")
        #expect(d.defects.isEmpty)
    }
}
