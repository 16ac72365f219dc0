import Foundation
import PostdeskMail
import Testing
@testable import PostdeskCore

/// Issue 15: no reply text is ever lost. New text, quoted history and forwarded message together hold every
/// non-blank line of the decoded body (trimmed lines as a multiset, the `[…]` marker lines aside), over the shared
/// corpus and over generated replies.
@Suite struct ReplySplitKeepsEveryLineTests {
    /// The lines that `split` must keep: trimmed, non-blank, the marker aside.
    static func lines(_ text: String?) -> [String: Int] {
        var counts: [String: Int] = [:]
        for line in (text ?? "").split(separator: "\n", omittingEmptySubsequences: false) {
            let t = line.trimmingCharacters(in: .whitespacesAndNewlines)
            if t.isEmpty || t == ReplyText.cutMarker { continue }
            counts[t, default: 0] += 1
        }
        return counts
    }

    /// The lines of `text` missing from its split (empty when nothing is lost).
    static func lost(_ text: String) -> [String] {
        let s = ReplyText.split(text)
        var kept = lines(s.new)
        for (line, n) in lines(s.quoted) { kept[line, default: 0] += n }
        for (line, n) in lines(s.forwarded) { kept[line, default: 0] += n }
        return lines(text).compactMap { line, n in (kept[line] ?? 0) < n ? line : nil }.sorted()
    }

    static let sharedCorpus = ReplySplitTableTests.repositoryRoot + "/../shared/corpus"
    static let sharedCorpusIsPresent: Bool = {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: sharedCorpus, isDirectory: &isDirectory) && isDirectory.boolValue
    }()

    @Test(.enabled(if: sharedCorpusIsPresent,
                   Comment(rawValue: "the shared corpus is not at \(sharedCorpus) (a clean clone has no ../shared beside it; CI has it)")))
    func everyCorpusBodyLineIsKept() throws {
        var files: [String] = []
        let enumerator = FileManager.default.enumerator(atPath: Self.sharedCorpus)
        while let name = enumerator?.nextObject() as? String {
            let path = Self.sharedCorpus + "/" + name
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
                  !name.contains("LICENSES"), !name.hasSuffix("README.md"), !(name as NSString).lastPathComponent.hasPrefix(".")
            else { continue }
            files.append(path)
        }
        #expect(files.count == 241)
        var split = 0
        for path in files {
            guard let data = FileManager.default.contents(atPath: path) else { Issue.record("\(path): unreadable"); continue }
            let text = MessageSummary(Message.parse(Array(data))).text
            let s = ReplyText.split(text)
            if s.quoted != nil || s.forwarded != nil { split += 1 }
            let lost = Self.lost(text)
            #expect(lost.isEmpty, "\(path): lines lost by the split: \(lost.prefix(5))")
        }
        print("reply split: \(files.count) corpus bodies, \(split) with quoted or forwarded text, no line lost")
    }

    /// A small deterministic generator (SplitMix64), so a failing reply can be rebuilt from its seed.
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let pieces: [[String]] = [
        ["Thanks, that fixed it."], ["Hello,", "", "the export fails again."], ["Yes."], ["No, not yet."], ["See the log below:", "ERROR 500 at 09:14"],
        ["-- ", "Ana Silva", "Acme Ltd"], ["Sent from my iPhone"], ["From: my point of view it is broken."], ["He wrote:"], [""], ["", ""],
        ["On Mon, Jan 5, 2026 at 9:14 AM Ivan Petrov <ivan@example.com> wrote:"], ["Am 05.01.26 um 09:14 schrieb Ivan Petrov:"],
        ["пн, 5 янв. 2026 г. в 09:14, Иван <", "ivan@example.ru>:"], ["Le 05/01/2026 à 09:14, Ivan a écrit :"],
        ["> Which version?"], ["> > older", ">> even older"], [">"], ["> On Sun, Bob wrote:", "> > hi"], ["   > indented quote"],
        ["-----Original Message-----", "From: Ivan", "Sent: Monday", "Subject: RE: x"], ["________________________________", "From: Ivan", "Sent: Monday"],
        ["Von: Ivan", "Gesendet: Montag", "An: Support"], ["Date: Mon, 5 Jan 2026", "From: Ivan <ivan@example.com>"],
        ["---------- Forwarded message ---------", "From: Bob <bob@example.com>", "Date: Mon"], ["Begin forwarded message:", ""],
        ["-------- Пересылаемое сообщение --------"], ["[…]"], ["a line with trailing spaces   "], ["\tTabbed line"],
    ]

    @Test func everyGeneratedReplyLineIsKept() {
        var rng = Generator(state: 15)
        var failures = 0
        for n in 0..<3000 {
            var lines: [String] = []
            for _ in 0..<Int.random(in: 1...12, using: &rng) { lines += Self.pieces.randomElement(using: &rng)! }
            let text = lines.joined(separator: "\n") + (Bool.random(using: &rng) ? "\n" : "")
            let lost = Self.lost(text)
            if !lost.isEmpty {
                failures += 1
                if failures <= 5 { Issue.record("generated reply \(n) lost \(lost): \(text.debugDescription)") }
            }
        }
        #expect(failures == 0)
    }
}
