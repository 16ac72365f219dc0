import Testing
@testable import PostdeskMail
import PostdeskSystem

/// Inputs the fuzzer (Tests/fuzz.sh) once broke the parser with: each must now parse, quickly.
@Suite struct FuzzRegressionTests {
    static let folder = repositoryRoot + "/Tests/Fixtures/fuzz"

    static var files: [String] {
        ((try? FileSystem.list(folder)) ?? []).filter { !$0.hasPrefix(".") }
    }

    @Test(arguments: files)
    func parsesWithoutHangOrCrash(_ name: String) throws {
        let bytes = try FileSystem.readFile(Self.folder + "/" + name)
        let summary = MessageSummary(Message.parse(bytes))
        _ = summary.text
        let text = String(decoding: bytes.prefix(4096), as: UTF8.self)
        _ = ParameterizedValue.parse(text)
        _ = AddressParser.parseList(text)
        _ = DateParser.parse(text)
        _ = MessageIDParser.parseList(text)
        _ = EncodedWords.decode(text)
    }

    @Test func parameterValueWithoutANameIsSkipped() {
        let p = ParameterizedValue.parse("text/plain; =orphan; charset=utf-8")
        #expect(p.value == "text/plain")
        #expect(p["charset"] == "utf-8")
        #expect(p.defects.map(\.kind) == [.parameter])
    }
}
