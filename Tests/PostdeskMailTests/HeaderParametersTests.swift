import Testing
@testable import PostdeskMail

/// Content-Type / Content-Disposition values, mostly from the shared corpus.
/// (The suite name differs from `HeaderParametersTests` in CodecTests.swift but matches the same test filter.)
@Suite struct RealMailHeaderParametersTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var input: String
        var value: String
        var parameters: [[String]]
        var defects: [MailDefect.Kind]
        init(_ input: String, _ value: String, _ parameters: [[String]], _ defects: [MailDefect.Kind] = []) {
            self.input = input; self.value = value; self.parameters = parameters; self.defects = defects
        }
        var testDescription: String { input }
    }

    static let cases: [Case] = [
        // Plain and quoted values, odd spacing and empty parameters (corpus).
        Case("text/plain; charset=\"us-ascii\" ; format=\"flowed\"", "text/plain", [["charset", "us-ascii"], ["format", "flowed"]]),
        Case("multipart/alternative ; ; ; ;; ;;;;;;;; boundary=\"foo\"", "multipart/alternative", [["boundary", "foo"]]),
        Case("text/plain; charset=UTF-8;", "text/plain", [["charset", "UTF-8"]]),
        Case("TEXT/PLAIN; charset=US-ASCII; name=Makefile", "TEXT/PLAIN", [["charset", "US-ASCII"], ["name", "Makefile"]]),
        Case("multipart/mixed; boundary=1; comment=\"\"", "multipart/mixed", [["boundary", "1"], ["comment", ""]]),
        Case("text/plain;\r\n\tx-unix-mode=0644;\r\n\tname=\"foo bar\"", "text/plain", [["x-unix-mode", "0644"], ["name", "foo bar"]]),
        Case("multipart/signed; protocol=\"signature/plain\"; migalc=\"pen+paper\"; boundary=2", "multipart/signed",
             [["protocol", "signature/plain"], ["migalc", "pen+paper"], ["boundary", "2"]]),
        // Quoted strings: escapes, `;` inside, a backslash kept before other characters (Windows paths).
        Case("multipart/mixed; boundary=\"a;b\\\"c\\\\d\"", "multipart/mixed", [["boundary", "a;b\"c\\d"]]),
        Case("attachment; filename=\"C:\\Temp\\a.txt\"", "attachment", [["filename", "C:\\Temp\\a.txt"]]),
        // Comments anywhere.
        Case("text/plain (a comment); (another) charset = (x) \"utf-8\" (trailing (nested)) ; format=flowed (z)", "text/plain",
             [["charset", "utf-8"], ["format", "flowed"]]),
        // Unterminated quote, spaces in an unquoted value, missing value, value without a name.
        Case("attachment; filename=\"unterminated.pdf", "attachment", [["filename", "unterminated.pdf"]], [.parameter]),
        Case("attachment; filename=my summer holiday.jpg; size=12", "attachment", [["filename", "my summer holiday.jpg"], ["size", "12"]]),
        Case("attachment; filename; size=12", "attachment", [["size", "12"]], [.parameter]),
        Case("attachment; =orphan; size=12", "attachment", [["size", "12"]], [.parameter]),
        // stalwart thirdparty/010.eml: a folded parameter without its `;`.
        Case("multipart/mixed; boundary=1; comment=\"\"\r\n  comment=\"人権の無視及\"", "multipart/mixed",
             [["boundary", "1"], ["comment", ""], ["comment", "人権の無視及"]], [.parameter]),
        Case("attachment; filename=\"a.pdf\"junk; size=1", "attachment", [["filename", "a.pdf"], ["size", "1"]], [.parameter]),
        Case("attachment; filename=", "attachment", [["filename", ""]]),
        Case(";\r\n        filename=\"image001.png\"", "", [["filename", "image001.png"]]),
        // Duplicates kept in order; names lower-cased.
        Case("attachment; FileName=a.txt; size=1; FILENAME=b.txt", "attachment", [["filename", "a.txt"], ["size", "1"], ["filename", "b.txt"]]),
        // RFC 2231 (corpus): charsets, languages, continuations.
        Case("attachment;\r\n filename*=ISO-8859-1''%61%74%74%61%63%68%6D%65%6E%74%2E%E4%F6%FC", "attachment", [["filename", "attachment.äöü"]]),
        Case("attachment;\r\n filename*=UTF-8''%61%74%74%61%63%68%6D%65%6E%74%2E%C3%A4%C3%B6%C3%BC", "attachment", [["filename", "attachment.äöü"]]),
        Case("image/jpeg;\r\n\tfilename*=ISO-8859-1''Eelanal%FC%FCsi%20p%E4ring.jpg", "image/jpeg", [["filename", "Eelanalüüsi päring.jpg"]]),
        Case("attachment;\r\n\tfilename*0*=utf-8''%E3%81%8B%E3%81%8D%E3%81%8F%E3%81%91%E3%81%93%E3%81%8B%E3%81%8D%E3%81%8F%E3%81%91%E3%81%93%E3%81%8B%E3%81%8D%E3%81%8F%E3%81%91%E3%81%93%E3%81%8B%E3%81%8D%E3%81%8F%E3%81%91%E3%81%93%E3%81%8B;\n\tfilename*1*=%E3%81%8D%E3%81%8F%E3%81%91%E3%81%93.txt",
             "attachment", [["filename", "かきくけこかきくけこかきくけこかきくけこかきくけこ.txt"]]),
        Case("application/octet-stream; name*=iso-2022-jp'ja'01%20Quien%20Te%20Dij%8aat.%20Pitbull.mp3", "application/octet-stream",
             [["name", "01 Quien Te Dij\u{FFFD}at. Pitbull.mp3"]], [.parameter]),
        // A file name in three continuations with a charset, out of order, mixing encoded and plain pieces.
        Case("attachment; filename*2=\".pdf\"; filename*0*=utf-8'pl'Faktura%20nr%201%2F2024%20; filename*1*=%E2%80%93%20%C5%81%C3%B3d%C5%BA",
             "attachment", [["filename", "Faktura nr 1/2024 – Łódź.pdf"]]),
        Case("attachment; filename*0*=iso-8859-1''M%FCller; filename*1=\" Stra\"; filename*2*=%DFe.csv", "attachment",
             [["filename", "Müller Straße.csv"]]),
        Case("attachment; filename*0=\"a\"; filename*2=\".txt\"", "attachment", [["filename", "a.txt"]], [.parameter]),
        Case("attachment; filename*1=\"b\"; filename*2=\".txt\"", "attachment", [["filename", "b.txt"]], [.parameter]),
        Case("attachment; filename*=''%41%42", "attachment", [["filename", "AB"]]),
        Case("attachment; filename*=\"utf-8''%C5%81.txt\"", "attachment", [["filename", "Ł.txt"]]),
        // An RFC 2231 form replaces a plain parameter of the same name, at the place of the first.
        Case("attachment; filename=\"plain.txt\"; size=3; filename*=utf-8''better.txt", "attachment", [["filename", "better.txt"], ["size", "3"]]),
        // RFC 2047 words inside values (Outlook, Gmail; corpus).
        Case("text/plain; charset=UTF-8; name=\"=?UTF-8?B?44Gm44GZ44GoLnR4dA==?=\"", "text/plain", [["charset", "UTF-8"], ["name", "てすと.txt"]]),
        Case("text/plain; charset=\"US-ASCII\"; name==?koi8-r?B?89DJ08/LLmRvYw==?=", "text/plain", [["charset", "US-ASCII"], ["name", "Список.doc"]]),
        Case("application/octet-stream; name=\"=?ISO-8859-1?B?YXR0YWNobWVudC7k9vw=?=\"", "application/octet-stream", [["name", "attachment.äöü"]]),
        Case("image/jpeg;\r\n\tname=\"=?ISO-8859-1?Q?Eelanal=FC=FCsi_p=E4ring.jpg?=\"", "image/jpeg", [["name", "Eelanalüüsi päring.jpg"]]),
        Case("text/plain;\r\n\tx-unix-mode=0644;\r\n\tname=\"=?utf-8?B?44GL44GN44GP44GR44GT44GL44GN44GP44GR44GT44GL44GN44GP?=\r\n =?utf-8?B?44GR44GT44GL44GN44GP44GR44GT44GL44GN44GP44GR44GTLnR4?=\r\n =?utf-8?B?dA==?=\"",
             "text/plain", [["x-unix-mode", "0644"], ["name", "かきくけこかきくけこかきくけこかきくけこかきくけこ.txt"]]),
        Case("inline; filename=\"/evil/because:of\\path\\3d-=?ISO-8859-1?Q?=63?=om=?US-ASCII*EN?Q?pr?=ess.gif\"", "inline",
             [["filename", "/evil/because:of\\path\\3d-compress.gif"]]),
        // Raw UTF-8 kept.
        Case("attachment; filename=\"Łódź – plan.pdf\"", "attachment", [["filename", "Łódź – plan.pdf"]]),
    ]

    @Test(arguments: cases)
    func parse(_ c: Case) {
        let p = ParameterizedValue.parse(c.input)
        #expect(p.value == c.value)
        #expect(p.parameters.map { [$0.name, $0.value] } == c.parameters)
        #expect(p.defects.map(\.kind) == c.defects, "\(p.defects)")
    }

    @Test func subscriptReturnsTheFirstOfDuplicates() {
        let p = ParameterizedValue.parse("text/plain; CHARSET=utf-8; charset=iso-8859-1")
        #expect(p["charset"] == "utf-8")
        #expect(p["Charset"] == "utf-8")
        #expect(p["name"] == nil)
    }

    @Test func hostileInputsEnd() {
        // Many parameters, many pieces, deep comments, lone quotes and backslashes.
        let many = "x/y" + String(repeating: "; a=1", count: 20_000) + String(repeating: "; b*9999*=%41", count: 2_000)
        let p = ParameterizedValue.parse(many)
        #expect(p.parameters.count == 20_001)
        #expect(p["b"] == String(repeating: "A", count: 2_000))
        for s in ["(((((", "a; b=\"\\", "a; b=(", "a; \"=\"", "; ; ;", "a; b*=''%", "a; b*0*=x'", "a; *=1", "a; b**=1", "\\"] {
            _ = ParameterizedValue.parse(s)
        }
    }
}
