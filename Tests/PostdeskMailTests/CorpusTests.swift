import Testing
@testable import PostdeskMail
import PostdeskSystem

/// Every message of the shared development corpus (241 real-world and malformed mails) parses
/// without a crash and yields a subject, a sender or a text, or says why not.
@Suite struct CorpusTests {
    static func corpusFiles() -> [String] {
        var files: [String] = []
        func walk(_ dir: String) {
            guard let names = try? FileSystem.list(dir) else { return }
            for name in names where !name.hasPrefix(".") && name != "LICENSES" && name != "README.md" {
                let path = dir + "/" + name
                if FileSystem.kind(of: path) == .directory { walk(path) } else { files.append(path) }
            }
        }
        walk(sharedFolder + "/corpus")
        return files
    }

    @Test(.enabled(if: sharedCorpusIsPresent, sharedCorpusAbsent))
    func corpusIsThere() {
        #expect(Self.corpusFiles().count == 241, "the shared corpus must sit at \(sharedFolder)/corpus")
    }

    @Test(.enabled(if: sharedCorpusIsPresent, sharedCorpusAbsent))
    func everyMessageYieldsSomethingSensible() throws {
        for path in Self.corpusFiles() {
            let raw = try FileSystem.readFile(path)
            let m = Message.parse(raw)
            let s = MessageSummary(m)
            let hasContent = s.subject != nil || !s.from.isEmpty || !s.text.isEmpty || !s.attachments.isEmpty
            #expect(hasContent || !s.defects.isEmpty, "\(path): nothing read and no defect")
            // Every decoded text is valid Unicode by construction; no raw header bytes leak into names.
            for a in s.attachments {
                #expect(a.sha256.count == 64, "\(path)")
                #expect(!(a.filename ?? "").contains("\n"), "\(path)")
            }
            #expect(!(s.subject ?? "").contains("\r"), "\(path)")
        }
    }
}
