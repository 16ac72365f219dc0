import Foundation
import PostdeskTestSupport
import PostdeskMail
import Testing

/// Postdesk's reading of the shared corpus against Python's `email` package (policy.default): subject,
/// addresses, message ids, plain-text body and attachment count. Every disagreement must be listed in
/// Tests/Differential/known-disagreements.tsv with the reason Postdesk's reading is the better one
/// (docs/parser-differential.md); a listed disagreement that no longer occurs fails too, so the list
/// stays true.
@Suite struct DifferentialTests {
    static let corpus = sharedCorpus

    static func corpusFiles() -> [String] {
        let fm = FileManager.default
        guard let walker = fm.enumerator(atPath: corpus) else { return [] }
        var files: [String] = []
        while let rel = walker.nextObject() as? String {
            if rel.hasPrefix("LICENSES") || rel == "README.md" { continue }
            var isDir: ObjCBool = false
            if fm.fileExists(atPath: corpus + "/" + rel, isDirectory: &isDir), !isDir.boolValue { files.append(rel) }
        }
        return files.sorted()
    }

    struct Reading: Equatable {
        var subject: String?
        var from: [String], to: [String], cc: [String]
        var messageID: String?
        var inReplyTo: [String], references: [String]
        var text: String?
        var attachments: Int
    }

    static func norm(_ s: String?) -> String? {
        s.map { $0.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ") }
    }

    static func pythonReadings(_ files: [String]) throws -> [String: Reading] {
        let run = try runCommand(
            "python3", [repositoryRoot + "/Tests/Differential/python_reading.py"] + files.map { corpus + "/" + $0 }, seconds: 300)
        #expect(run.status == 0, "\(run.stderr.suffix(2000))")
        var result: [String: Reading] = [:]
        for line in run.stdout.split(separator: "\n") {
            guard let o = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                let path = o["path"] as? String
            else { continue }
            let rel = String(path.dropFirst(corpus.count + 1))
            func list(_ k: String) -> [String] { (o[k] as? [String]) ?? [] }
            result[rel] = Reading(
                subject: o["subject"] as? String, from: list("from").map { $0.lowercased() },
                to: list("to").map { $0.lowercased() }, cc: list("cc").map { $0.lowercased() },
                messageID: o["message_id"] as? String, inReplyTo: list("in_reply_to"), references: list("references"),
                text: norm(o["text"] as? String), attachments: (o["attachments"] as? Int) ?? -1)
        }
        return result
    }

    static func postdeskReading(_ rel: String) throws -> Reading {
        let data = try Data(contentsOf: URL(fileURLWithPath: corpus + "/" + rel))
        let s = MessageSummary(Message.parse([UInt8](data)))
        return Reading(
            subject: norm(s.subject), from: s.from.map { $0.address.lowercased() }, to: s.to.map { $0.address.lowercased() },
            cc: s.cc.map { $0.address.lowercased() }, messageID: s.messageID, inReplyTo: s.inReplyTo,
            references: s.references, text: norm(s.text), attachments: s.attachments.count)
    }

    static func knownDisagreements() throws -> [String: String] {
        let text = try String(contentsOfFile: repositoryRoot + "/Tests/Differential/known-disagreements.tsv", encoding: .utf8)
        var known: [String: String] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let cols = line.split(separator: "\t").map(String.init)
            if cols.count == 3 { known[cols[0] + "\t" + cols[1]] = cols[2] }
        }
        return known
    }

    @Test(.enabled(if: sharedCorpusIsPresent, Comment(rawValue: sharedCorpusAbsent)))
    func everyDisagreementWithPythonIsExplained() throws {
        let files = Self.corpusFiles()
        try #require(files.count == 241, "the shared corpus must sit at \(Self.corpus)")
        let python = try Self.pythonReadings(files)
        #expect(python.count == 241, "python_reading.py read \(python.count) of 241 messages")
        var found: [String: String] = [:]
        for rel in files {
            guard let p = python[rel] else { continue }
            let d = try Self.postdeskReading(rel)
            func check<T: Equatable>(_ field: String, _ a: T, _ b: T, _ detail: @autoclosure () -> String) {
                if a != b { found[rel + "\t" + field] = detail() }
            }
            check("subject", p.subject, d.subject, "python \(p.subject ?? "nil") / postdesk \(d.subject ?? "nil")")
            check("from", p.from, d.from, "python \(p.from) / postdesk \(d.from)")
            check("to", p.to, d.to, "python \(p.to) / postdesk \(d.to)")
            check("cc", p.cc, d.cc, "python \(p.cc) / postdesk \(d.cc)")
            check("message_id", p.messageID, d.messageID, "python \(p.messageID ?? "nil") / postdesk \(d.messageID ?? "nil")")
            check("in_reply_to", p.inReplyTo, d.inReplyTo, "python \(p.inReplyTo) / postdesk \(d.inReplyTo)")
            check("references", p.references, d.references, "python \(p.references) / postdesk \(d.references)")
            if p.text != nil {
                check("text", p.text, d.text, "python \(p.text!.prefix(80)) / postdesk \(d.text!.prefix(80))")
            }
            check("attachments", p.attachments, d.attachments, "python \(p.attachments) / postdesk \(d.attachments)")
        }
        let known = try Self.knownDisagreements()
        for (key, detail) in found.sorted(by: { $0.key < $1.key }) where known[key] == nil {
            Issue.record("unexplained disagreement \(key.replacingOccurrences(of: "\t", with: " ")): \(detail)")
        }
        for key in known.keys.sorted() where found[key] == nil {
            Issue.record("listed disagreement no longer occurs (remove it from known-disagreements.tsv): \(key.replacingOccurrences(of: "\t", with: " "))")
        }
        // Agreement is the rule: at most 120 listed field disagreements over 241 messages x 9 fields.
        #expect(known.count <= 120)
    }
}
