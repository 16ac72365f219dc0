import Foundation
@testable import PostdeskSystem
import Testing

/// Mail is taken in the order it arrived, whatever the digits in the maildir names.
@Suite struct MaildirOrderTests {
    @Test func namesSortByArrivalNotByTheirCharacters() throws {
        let root = NSTemporaryDirectory() + "pd-maildir-order-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: root) }
        let maildir = Maildir(root)
        try maildir.create()
        // In arrival order. As plain text "M100000" would sort before "M99999", and "999999999." after "17...".
        let names = [
            "1700000000.M99999P1.host",            // Postdesk, older, shorter microseconds
            "1700000000.M100000P1.host",
            "1700000000.V801I2cM123456.mx",         // Postfix's own form
            "1700000001.M5P1.host",
            "1700000010.M0P1.host",
            "999999999.M0P1.host",                 // earlier seconds, one digit fewer
        ]
        for n in names { _ = try maildir.deliver(Array("x".utf8), name: n) }
        let order = try maildir.pending().map(\.name)
        #expect(order == [names[5], names[0], names[1], names[2], names[3], names[4]])
    }

    @Test func ownNamesArePaddedSoTheySortEvenAsText() {
        let name = Maildir.uniqueName()
        let micro = name.split(separator: ".")[1].dropFirst().prefix(while: \.isNumber)
        #expect(micro.count == 6, "\(name)")
    }
}
