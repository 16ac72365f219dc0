import Foundation
import PostdeskMail
import Testing
@testable import PostdeskCore

/// Issue 15: the reply split over a table of real-looking replies (Tests/Fixtures/reply-split/cases.txt): every
/// client and language of the issue, top-posted, bottom-posted and interleaved, Outlook's header blocks, forwards,
/// signatures. Each case gives the exact new text, quoted history and forwarded message.
@Suite struct ReplySplitTableTests {
    struct Case: Sendable, CustomStringConvertible {
        var name: String
        var note: String?
        var text: String
        var new: String
        var quoted: String?
        var forwarded: String?
        var description: String { name }
    }

    /// The repository root, found from this file's path (Tests/PostdeskCoreTests/ReplySplitTableTests.swift).
    static let repositoryRoot: String = {
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)
        return parts.joined(separator: "/")
    }()

    static let casesFile = repositoryRoot + "/Tests/Fixtures/reply-split/cases.txt"

    /// The cases of the fixture file: `=== name`, optional `@@ note`, then `@@ text`, `@@ new`, `@@ quoted`,
    /// `@@ forwarded` sections, each running to the next `@@` line; `<none>` is nil.
    static let cases: [Case] = {
        guard let data = FileManager.default.contents(atPath: casesFile), let file = String(data: data, encoding: .utf8) else { return [] }
        var result: [Case] = []
        var name = "", note: String? = nil
        var sections: [String: [Substring]] = [:]
        var current: String? = nil
        for line in file.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("#"), current == nil { continue }
            if line.hasPrefix("=== ") {
                name = String(line.dropFirst(4)); note = nil; sections = [:]; current = nil
            } else if line.hasPrefix("@@ note ") {
                note = String(line.dropFirst(8))
            } else if line == "@@ end" {
                func value(_ key: String) -> String? {
                    let text = (sections[key] ?? []).joined(separator: "\n")
                    return text == "<none>" ? nil : text
                }
                result.append(Case(name: name, note: note, text: value("text") ?? "", new: value("new") ?? "",
                                   quoted: value("quoted"), forwarded: value("forwarded")))
                current = nil
            } else if line.hasPrefix("@@ ") {
                current = String(line.dropFirst(3)); sections[current!] = []
            } else if let current {
                sections[current, default: []].append(line)
            }
        }
        return result
    }()

    static func passes(_ c: Case) -> Bool {
        let s = ReplyText.split(c.text)
        return s.new == c.new && s.quoted == c.quoted && s.forwarded == c.forwarded
    }

    @Test func theTableHasAtLeast150Cases() {
        #expect(Self.cases.count >= 150, "\(Self.casesFile) holds \(Self.cases.count) cases")
        #expect(Set(Self.cases.map(\.name)).count == Self.cases.count, "case names are unique")
    }

    @Test(arguments: cases)
    func split(_ c: Case) {
        let s = ReplyText.split(c.text)
        #expect(s.new == c.new)
        #expect(s.quoted == c.quoted)
        #expect(s.forwarded == c.forwarded)
    }

    /// Prints the share of the table that passes (the table test above fails on any failing case).
    @Test func shareThatPasses() {
        let passing = Self.cases.filter(Self.passes)
        print("reply split: \(passing.count)/\(Self.cases.count) cases")
        for c in Self.cases where !Self.passes(c) { print("reply split: failing: \(c.name)") }
        for c in Self.cases where c.note != nil { print("reply split: \(c.name): \(c.note!)") }
    }
}
