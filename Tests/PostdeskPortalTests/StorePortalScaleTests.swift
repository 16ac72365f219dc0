import Foundation
import Testing
import PostdeskCore
import PostdeskStore

/// The portal's queries on a large database (BENCHMARKS.md "Scale"; the notes of the pages work say how the
/// database in POSTDESK_PORTAL_BIG_DB was made). Prints the times; skipped without the variable.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["POSTDESK_PORTAL_BIG_DB"] != nil, "a measurement on a big database, run only with POSTDESK_PORTAL_BIG_DB=PATH"))
struct StorePortalScaleTests {
    func time(_ label: String, runs: Int = 20, _ body: () throws -> Void) rethrows {
        var samples: [Double] = []
        for _ in 0..<runs {
            let start = Date()
            try body()
            samples.append(Date().timeIntervalSince(start) * 1000)
        }
        samples.sort()
        print(String(format: "%@: p50 %.2f ms, p99 %.2f ms", label, samples[samples.count / 2], samples[min(samples.count - 1, samples.count * 99 / 100)]))
    }

    @Test func listTicketAndSearchTimes() throws {
        let store = try Store(path: ProcessInfo.processInfo.environment["POSTDESK_PORTAL_BIG_DB"]!)
        let customer = try #require(try store.db.query("SELECT address FROM customers WHERE is_primary_contact = 0 AND organization_id IS NOT NULL LIMIT 1 OFFSET 12000").first?[0].string)
        let primary = try #require(try store.db.query("SELECT address FROM customers WHERE is_primary_contact = 1 LIMIT 1 OFFSET 16").first?[0].string)
        for viewer in [customer, primary] {
            var q = PortalTicketQuery(viewer: viewer)
            let open = try store.portalTickets(q)
            q.tab = .all
            let all = try store.portalTickets(q)
            print("\(viewer): \(all.total) tickets, \(open.total) open")
            try time("list open \(viewer)") { _ = try store.portalTickets(PortalTicketQuery(viewer: viewer)) }
            try time("list all \(viewer)") { _ = try store.portalTickets(q) }
            q.text = "toner paper"
            try time("search words \(viewer)") { _ = try store.portalTickets(q) }
            q.text = "pap*"
            try time("search prefix \(viewer)") { _ = try store.portalTickets(q) }
            let n = try #require(all.rows.first?.number)
            try time("ticket \(viewer)") { _ = try #require(try store.portalTicket(n, viewer: viewer)) }
        }
    }
}
