import Foundation
import PostdeskDaemon
import PostdeskSystem
import Testing

/// The exactly-once key (`Ingestor.exactlyOnceKey`): the raw bytes without trace fields, plus the Message-ID.
@Suite struct ExactlyOnceKeyTests {
    static let base = "From: Ana <ana@example.org>\nTo: support@acme.test\nSubject: Hi\nMessage-ID: <k@x>\n\nHello.\n"

    /// Deliveries of one mail that differ only in what MTAs and filters add: one key.
    @Test(arguments: [
        "Received: from mx.example.org by mail.acme.test\n\twith ESMTP id 1; Sun, 22 Nov 2026 10:00:00 +0100\n" + base,
        "Return-Path: <ana@example.org>\nDelivered-To: support@acme.test\nX-Original-To: support@acme.test\n" + base,
        "From ana@example.org Sun Nov 22 10:00:00 2026\n" + base,
        base.replacingOccurrences(of: "Subject: Hi\n", with: "Subject: Hi\nX-Spam-Status: No, score=-1.0\nAuthentication-Results: mx; dkim=pass\n"),
        base.replacingOccurrences(of: "Subject: Hi\n", with: "Subject: Hi\nreceived: lower-case\n  folded on\n"),
    ])
    func traceFieldsDoNotChangeTheKey(_ delivered: String) {
        #expect(Ingestor.exactlyOnceKey(Array(delivered.utf8), messageID: "k@x") == Ingestor.exactlyOnceKey(Array(Self.base.utf8), messageID: "k@x"))
    }

    /// Anything else is another mail: another key.
    @Test(arguments: [
        base.replacingOccurrences(of: "Hello.", with: "Hello!"),
        base.replacingOccurrences(of: "Subject: Hi", with: "Subject: Hi "),
        base.replacingOccurrences(of: "Subject: Hi\n", with: "Subject: Hi\n continued\n"),
        base.replacingOccurrences(of: "\n", with: "\r\n"),
        base + String(repeating: "x", count: 2 << 20),
        base.replacingOccurrences(of: "Subject: Hi\n", with: "Subject: Hi\nX-Mailer: other\n"),
    ])
    func otherBytesAreAnotherKey(_ other: String) {
        #expect(Ingestor.exactlyOnceKey(Array(other.utf8), messageID: "k@x") != Ingestor.exactlyOnceKey(Array(Self.base.utf8), messageID: "k@x"))
    }

    @Test func theMessageIDIsPartOfTheKey() {
        let bytes = Array(Self.base.utf8)
        #expect(Ingestor.exactlyOnceKey(bytes, messageID: "k@x") != Ingestor.exactlyOnceKey(bytes, messageID: "other@x"))
        #expect(Ingestor.exactlyOnceKey(bytes, messageID: nil) != Ingestor.exactlyOnceKey(bytes, messageID: "k@x"))
        #expect(Ingestor.exactlyOnceKey([], messageID: nil).count == 64)
    }
}

/// The verified copies and comparisons of `FileSystem` that the quarantine and the data files rely on.
@Suite struct VerifiedCopyTests {
    @Test func copyCompareAndPublish() throws {
        let dir = NSTemporaryDirectory() + "pd-copy-" + UUID().uuidString
        try FileSystem.makeDirectories(dir)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let bytes = (0..<3_000_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }  // more than one 1 MiB chunk
        try FileSystem.writeNew(dir + "/a", bytes)
        #expect(FileSystem.contentEquals(dir + "/a", bytes))
        #expect(!FileSystem.contentEquals(dir + "/a", Array(bytes.dropLast())))
        var changed = bytes
        changed[2_500_000] ^= 1
        #expect(!FileSystem.contentEquals(dir + "/a", changed))
        try FileSystem.copyVerified(dir + "/a", to: dir + "/b")
        #expect(try FileSystem.contentEquals(dir + "/a", dir + "/b"))
        #expect(throws: SystemError.self) { try FileSystem.copyVerified(dir + "/a", to: dir + "/b") }  // never replaces
        // publish never replaces either: the tmp file stays when the name is taken.
        try FileSystem.writeNew(dir + "/t", [1, 2, 3])
        #expect(try FileSystem.publish(dir + "/t", as: dir + "/b") == false)
        #expect(FileSystem.kind(of: dir + "/t") == .file)
        #expect(try FileSystem.publish(dir + "/t", as: dir + "/c"))
        #expect(FileSystem.kind(of: dir + "/t") == nil)
        #expect(try FileSystem.writeNewDurably(dir + "/c", [9]) == false)
        #expect(FileSystem.contentEquals(dir + "/c", [1, 2, 3]))
        // moveDurably on one filesystem: a rename; a taken target changes nothing.
        #expect(try FileSystem.moveDurably(dir + "/a", to: dir + "/c") == false)
        #expect(try FileSystem.moveDurably(dir + "/a", to: dir + "/d"))
        #expect(FileSystem.kind(of: dir + "/a") == nil && FileSystem.contentEquals(dir + "/d", bytes))
        #expect(FileSystem.isSameFile(dir + "/d", dir + "/d") && !FileSystem.isSameFile(dir + "/d", dir + "/b"))
    }
}
