import PostdeskCore

/// What the customer portal reads: a customer's tickets (`TicketAccess`: their own, those they are in Cc of, and
/// their company's when they are its primary contact), one ticket's public thread, an attachment of it.
public struct PortalTicketQuery: Sendable, Hashable {
    /// The tabs of the list: open (new, open, pending), resolved, closed, or every ticket.
    public enum Tab: String, Sendable, Hashable, CaseIterable { case open, resolved, closed, all }
    /// The signed-in customer's address.
    public var viewer: String
    public var tab = Tab.open
    public var status: TicketStatus? = nil
    public var priority: TicketPriority? = nil
    public var type: String? = nil
    /// A ticket number (`12`, `#12`, `[Tag #12]`), a customer reference, or words of the subject and thread.
    public var text: String? = nil
    /// 1-based.
    public var page = 1
    public var perPage = 25
    /// A viewer with at most this many public messages is searched in those messages themselves, one with more
    /// through the full-text index (both find the same; tests set 0 to take the index).
    public var directSearchMessages = 1_000

    public init(viewer: String) { self.viewer = viewer }
}

public struct PortalTicketRow: Sendable, Hashable {
    public var number: Int64
    public var subject: String
    public var status: TicketStatus
    public var priority: TicketPriority
    public var type: String?
    /// The handling agent's name, nil while unassigned.
    public var assignee: String?
    /// `YYYY-MM-DD`.
    public var due: String?
    /// ISO 8601 UTC.
    public var created: String
    public var updated: String
    public var requester: String
    public var reference: String?

    public init(number: Int64, subject: String, status: TicketStatus, priority: TicketPriority, type: String?, assignee: String?,
                due: String?, created: String, updated: String, requester: String, reference: String?) {
        self.number = number; self.subject = subject; self.status = status; self.priority = priority; self.type = type
        self.assignee = assignee; self.due = due; self.created = created; self.updated = updated; self.requester = requester
        self.reference = reference
    }
}

public struct PortalTicketPage: Sendable, Hashable {
    public var rows: [PortalTicketRow]
    /// How many tickets match, over all pages.
    public var total: Int
    public var page: Int
    public var perPage: Int
    /// How many of the viewer's tickets each tab holds with the query's priority, type and text (not its tab or
    /// status).
    public var tabCounts: [PortalTicketQuery.Tab: Int]
    public init(rows: [PortalTicketRow], total: Int, page: Int, perPage: Int, tabCounts: [PortalTicketQuery.Tab: Int] = [:]) {
        self.rows = rows; self.total = total; self.page = page; self.perPage = perPage; self.tabCounts = tabCounts
    }
    public var pages: Int { max(1, (total + perPage - 1) / max(1, perPage)) }
}

public struct PortalAttachment: Sendable, Hashable {
    public var id: Int64
    public var filename: String?
    public var contentType: String
    public var size: Int64
    public var sha256: String
    public init(id: Int64, filename: String?, contentType: String, size: Int64, sha256: String) {
        self.id = id; self.filename = filename; self.contentType = contentType; self.size = size; self.sha256 = sha256
    }
}

/// One message of a ticket's public thread: customers' mail and portal posts, and agents' public replies.
public struct PortalMessage: Sendable, Hashable {
    public var id: Int64
    /// `in` (from a customer) or `out` (an agent's reply).
    public var direction: String
    public var authorName: String?
    public var authorAddress: String?
    /// ISO 8601 UTC.
    public var date: String
    public var text: String
    /// `mail` or `portal`.
    public var origin: String
    public var attachments: [PortalAttachment]
    public init(id: Int64, direction: String, authorName: String?, authorAddress: String?, date: String, text: String, origin: String,
                attachments: [PortalAttachment]) {
        self.id = id; self.direction = direction; self.authorName = authorName; self.authorAddress = authorAddress; self.date = date
        self.text = text; self.origin = origin; self.attachments = attachments
    }
}

public struct PortalTicketView: Sendable, Hashable {
    public var row: PortalTicketRow
    public var requesterName: String?
    /// `mail` or `portal`.
    public var origin: String
    public var cc: [(address: String, name: String?)] { ccList.map { ($0.address, $0.name) } }
    public var ccList: [Person]
    public var followUpOf: Int64?
    /// The public thread, oldest first (never an internal note, never an agent's notice).
    public var messages: [PortalMessage]

    public struct Person: Sendable, Hashable {
        public var address: String
        public var name: String?
        public init(address: String, name: String?) { self.address = address; self.name = name }
    }

    public init(row: PortalTicketRow, requesterName: String?, origin: String, ccList: [Person], followUpOf: Int64?, messages: [PortalMessage]) {
        self.row = row; self.requesterName = requesterName; self.origin = origin; self.ccList = ccList; self.followUpOf = followUpOf
        self.messages = messages
    }
}


extension Store {
    /// Which messages of a ticket customers see (its public thread), as an SQL condition on `messages m`:
    ///
    /// - customers' mail and portal posts: inbound, `public`, kind `mail` (forged agent mail, replies to an
    ///   internal-note notice and `#internal` agent mail are `internal`; auto-replies are kind `automatic`,
    ///   bounces `bounce`);
    /// - agents' answers, once each: an agent's mail is recorded inbound as `public` `mail` with its commands
    ///   taken out, and `postdesk tickets reply` as a `public` `note`; both are relayed to the customers as they
    ///   are (an agent's mail with commands only, no text, relays nothing and is left out). Each relayed copy is
    ///   also recorded, outbound, once per recipient, in the relay template: the portal shows the answer itself,
    ///   once, with its attachments, instead of the copies (which carry no attachment rows);
    /// - never an internal note (`internal`), never an agent's notice (those are not thread messages at all: only
    ///   their Message-IDs are recorded), never the confirmations and status mail (`automatic`, outbound: the
    ///   ticket's page shows its status).
    static let portalThread = """
        m.direction = 'in' AND m.visibility = 'public' AND m.kind IN ('mail', 'note')
        AND ((m.kind = 'mail' AND NOT EXISTS (SELECT 1 FROM agents pa WHERE pa.address = m.author_address)) OR m.text <> '')
        """

    /// The signed-in customer as the list query needs them.
    struct PortalViewer {
        var address: String
        var id: Int64?
        /// Their organization, when they are its primary contact.
        var primaryOf: Int64?
    }

    func portalViewer(_ address: String) throws -> PortalViewer {
        let a = address.lowercased()
        guard let r = try db.query("SELECT id, organization_id, is_primary_contact FROM customers WHERE address = ?", [.text(a)]).first else {
            return PortalViewer(address: a, id: nil, primaryOf: nil)
        }
        return PortalViewer(address: a, id: r[0].int, primaryOf: r[2].int == 1 ? r[1].int : nil)
    }

    /// The tickets `TicketAccess.customerSees` lets the viewer see, as a subquery of ticket numbers: the
    /// candidates from the indexes (participants_address, tickets_requester, customers_organization). Every
    /// row shown is checked against the rule itself as well (`portalTickets`).
    func portalVisible(_ v: PortalViewer) -> (sql: String, params: [SQLValue]) {
        var parts = ["SELECT ticket FROM participants WHERE address = ?"]
        var params: [SQLValue] = [.text(v.address)]
        if let id = v.id {
            parts.append("SELECT number FROM tickets WHERE requester_id = ?")
            params.append(.integer(id))
        }
        if let org = v.primaryOf {
            parts.append("SELECT ot.number FROM customers oc JOIN tickets ot ON ot.requester_id = oc.id WHERE oc.organization_id = ?")
            params.append(.integer(org))
        }
        return (parts.joined(separator: " UNION ALL "), params)
    }

    /// The viewer's tickets with a public-thread message matching the FTS5 query `match`, checked message by
    /// message (FTS5 seeks the message's rowid in each word's list: no pass over every match).
    func portalTextHits(_ visible: (sql: String, params: [SQLValue]), match: String) throws -> [Int64] {
        try db.query("""
            SELECT DISTINCT m.ticket FROM messages m
            WHERE m.ticket IN (\(visible.sql)) AND \(Self.portalThread)
              AND EXISTS (SELECT 1 FROM search s WHERE s.rowid = m.id AND search MATCH ?)
            """, visible.params + [.text(match)]).compactMap { $0[0].int }
    }

    /// The viewer's tickets with a public-thread message whose subject and text hold every term (a word, or a
    /// prefix for `word*`), read from those messages themselves: for a viewer with few messages this is far
    /// cheaper than asking the full-text index once per message. Words are split and folded as the index does
    /// (runs of letters and digits, lower case, Latin diacritics removed). Nil when the viewer has more than
    /// `limit` public messages.
    func portalTextHitsDirect(_ visible: (sql: String, params: [SQLValue]), terms: [(token: String, prefix: Bool)], limit: Int) throws -> [Int64]? {
        guard !terms.isEmpty else { return [] }
        guard limit > 0 else { return nil }
        let rows = try db.query("""
            SELECT m.ticket, coalesce(m.subject, ''), m.text FROM messages m
            WHERE m.ticket IN (\(visible.sql)) AND \(Self.portalThread) LIMIT \(limit + 1)
            """, visible.params)
        guard rows.count <= limit else { return nil }
        let wanted = terms.map { (bytes: Array(PortalWords.fold($0.token).utf8), prefix: $0.prefix) }
        var hits: [Int64] = []
        var seen: Set<Int64> = []
        for r in rows {
            guard let n = r[0].int, !seen.contains(n) else { continue }
            if PortalWords.hold([r[1].string ?? "", r[2].string ?? ""], wanted) { hits.append(n); seen.insert(n) }
        }
        return hits
    }

    /// A ticket number as a customer writes it: `12`, `#12`, `[Acme #12]`.
    public static func portalTicketNumber(_ text: String) -> Int64? {
        var s = Substring(text.portalTrimming(" \t"))
        if s.first == "[", s.last == "]" { s = s.dropFirst().dropLast() }
        if let hash = s.lastIndex(of: "#") { s = s[s.index(after: hash)...] }
        s = Substring(String(s).portalTrimming(" \t"))
        guard !s.isEmpty, s.count <= 18, s.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let n = Int64(s), n > 0 else { return nil }
        return n
    }

    /// The words of a search: each run of letters and digits is a token (so no FTS5 syntax of the input
    /// survives); a word ending in `*` makes its last token a prefix (of at least two characters). At most 8.
    public static func portalSearchTerms(_ text: String) -> [(token: String, prefix: Bool)] {
        var terms: [(token: String, prefix: Bool)] = []
        for word in text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }) {
            let prefix = word.hasSuffix("*")
            let tokens = word.split(whereSeparator: { !($0.isLetter || $0.isNumber) })
            for (i, token) in tokens.enumerated() where terms.count < 8 {
                terms.append((String(token), prefix && i == tokens.count - 1 && token.count >= 2))
            }
        }
        return terms
    }

    /// The FTS5 query over the subject and body columns for these terms: every term quoted; a prefix either
    /// as the words of the index it stands for (`expand`), or as an FTS5 prefix when `expand` gives nil.
    public static func portalMatch(_ terms: [(token: String, prefix: Bool)], expand: (String) throws -> [String]?) rethrows -> String? {
        guard !terms.isEmpty else { return nil }
        func quoted(_ s: String) -> String { "\"" + s.replacing("\"", with: "\"\"") + "\"" }
        var parts: [String] = []
        for t in terms {
            guard t.prefix else { parts.append(quoted(t.token)); continue }
            if let words = try expand(t.token) {
                parts.append(words.isEmpty ? quoted(t.token + "*") : "(" + words.map(quoted).joined(separator: " OR ") + ")")
            } else {
                parts.append(quoted(t.token) + "*")
            }
        }
        return "{subject body} : (" + parts.joined(separator: " AND ") + ")"
    }

    /// The safe FTS5 query for a search text, prefixes left to FTS5.
    public static func portalSearchQuery(_ text: String) -> String? { portalMatch(portalSearchTerms(text)) { _ in nil } }

    /// The indexed words starting with `prefix`, at most 20; nil when there are more (the prefix is then left
    /// to FTS5). Read from the index's vocabulary (a temporary fts5vocab table of this connection): reading
    /// it costs one pass over those words, where an FTS5 prefix query merges their lists at every evaluation.
    func portalWords(startingWith prefix: String) throws -> [String]? {
        try db.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.portal_search_words USING fts5vocab(main, search, 'row')")
        let lo = prefix.lowercased()
        let words = try db.query("SELECT term FROM temp.portal_search_words WHERE term >= ? AND term < ? LIMIT 21",
                                 [.text(lo), .text(lo + "\u{10FFFF}")]).compactMap { $0[0].string }
        return words.count > 20 ? nil : words
    }

    private static let portalRowColumns = """
        SELECT t.number, t.subject, t.status, t.priority, t.type, ag.name AS assignee, t.due, t.created, t.updated,
               c.address AS requester, t.customer_reference, c.name AS requester_name, t.origin, t.follow_up_of
        FROM tickets t JOIN customers c ON c.id = t.requester_id LEFT JOIN agents ag ON ag.id = t.assignee_id
        """

    private func portalRow(_ r: Row) -> PortalTicketRow {
        PortalTicketRow(number: r.int("number") ?? 0, subject: r.string("subject") ?? "",
                        status: TicketStatus(rawValue: r.string("status") ?? "") ?? .open,
                        priority: TicketPriority(rawValue: r.string("priority") ?? "") ?? .normal, type: r.string("type"),
                        assignee: r.string("assignee"), due: r.string("due"), created: r.string("created") ?? "",
                        updated: r.string("updated") ?? "", requester: r.string("requester") ?? "", reference: r.string("customer_reference"))
    }

    /// Whether the customer `viewer` may see ticket `number`: `TicketAccess.customerSees`, the one rule.
    public func portalSees(_ number: Int64, viewer: String) throws -> Bool {
        guard let facts = try ticketFacts(number, agents: []) else { return false }
        return TicketAccess.customerSees(viewer, facts)
    }

    /// The customer's tickets matching the query, most recently updated first (then the highest number).
    ///
    /// The text is a ticket number the viewer sees (`12`, `#12`, `[Acme #12]`: that ticket alone, whatever the
    /// tab and filters), else a customer reference (exact) or words of the subjects and public thread (full-text,
    /// `portalSearchQuery`). Internal notes are indexed too, so a hit counts only on a public-thread message.
    public func portalTickets(_ q: PortalTicketQuery) throws -> PortalTicketPage {
        let viewer = try portalViewer(q.viewer)
        let perPage = min(max(q.perPage, 1), 100)
        let page = min(max(q.page, 1), 1_000_000)
        // The candidates once, as a list the later queries (counts, total, page, search) take as it is.
        let candidates = portalVisible(viewer)
        let numbers = Set(try db.query(candidates.sql, candidates.params).compactMap { $0[0].int })
        let visible: (sql: String, params: [SQLValue]) = (numbers.isEmpty ? "NULL" : numbers.sorted().map(String.init).joined(separator: ", "), [])
        var tab = q.tab
        var status = q.status
        var priority = q.priority
        var type = q.type
        // What the text keeps: one ticket (its number), or the tickets whose reference is the text or whose
        // public thread holds its words.
        var only: Set<Int64>? = nil
        var reference: String? = nil
        if let text = q.text?.portalTrimming(" \t\r\n"), !text.isEmpty {
            if let n = Self.portalTicketNumber(text), try portalSees(n, viewer: viewer.address) {
                only = [n]
                tab = .all; status = nil; priority = nil; type = nil
            } else {
                // The words are looked up once, for the counts, the total and the page alike: in the viewer's own
                // public messages when they are few (a customer's, most companies'), else through the index.
                let terms = Self.portalSearchTerms(text)
                let hits: [Int64]
                if let direct = try portalTextHitsDirect(visible, terms: terms, limit: q.directSearchMessages) {
                    hits = direct
                } else {
                    let match = try Self.portalMatch(terms) { try portalWords(startingWith: $0) }
                    hits = try match.map { try portalTextHits(visible, match: $0) } ?? []
                }
                only = Set(hits)
                reference = text
            }
        }

        // The candidates' few columns the list sorts and filters by, read once; counts, filters, order and the
        // page are worked out from them, and only the page's rows are read whole.
        struct Brief { var number: Int64; var status: TicketStatus; var updated: String }
        var briefs: [Brief] = []
        if !numbers.isEmpty {
            for r in try db.query("SELECT t.number, t.status, t.priority, t.type, t.updated, t.customer_reference FROM tickets t WHERE t.number IN (\(visible.sql))") {
                guard let n = r[0].int, let st = TicketStatus(rawValue: r[1].string ?? "") else { continue }
                if let only, !only.contains(n), reference == nil || r[5].string != reference { continue }
                if let priority, r[2].string != priority.rawValue { continue }
                if let type, r[3].string != type { continue }
                briefs.append(Brief(number: n, status: st, updated: r[4].string ?? ""))
            }
        }
        var counts: [PortalTicketQuery.Tab: Int] = [.open: 0, .resolved: 0, .closed: 0, .all: 0]
        for b in briefs {
            counts[.all, default: 0] += 1
            switch b.status {
            case .new, .open, .pending: counts[.open, default: 0] += 1
            case .resolved: counts[.resolved, default: 0] += 1
            case .closed: counts[.closed, default: 0] += 1
            }
        }
        let listed = briefs.filter { b in
            switch tab {
            case .open: guard [.new, .open, .pending].contains(b.status) else { return false }
            case .resolved: guard b.status == .resolved else { return false }
            case .closed: guard b.status == .closed else { return false }
            case .all: break
            }
            return status.map { $0 == b.status } ?? true
        }.sorted { $0.updated != $1.updated ? $0.updated > $1.updated : $0.number > $1.number }
        let total = listed.count
        let pageNumbers = listed.dropFirst((page - 1) * perPage).prefix(perPage).map(\.number)
        var rowsByNumber: [Int64: PortalTicketRow] = [:]
        if !pageNumbers.isEmpty {
            for r in try db.query("\(Self.portalRowColumns) WHERE t.number IN (\(pageNumbers.map(String.init).joined(separator: ", ")))") {
                let row = portalRow(r)
                rowsByNumber[row.number] = row
            }
        }
        let listedRows = pageNumbers.compactMap { rowsByNumber[$0] }
        // The indexes found the candidates; the rule decides (a row the rule refuses is never shown).
        let facts = try ticketFacts(listedRows.map(\.number), agents: [])
        let shown = listedRows.filter { facts[$0.number].map { TicketAccess.customerSees(viewer.address, $0) } ?? false }
        return PortalTicketPage(rows: shown, total: total, page: page, perPage: perPage, tabCounts: counts)
    }

    /// Ticket `number` as the customer `viewer` may see it, or nil when it does not exist or they may not see it
    /// (`TicketAccess.customerSees`): the portal answers 404 for both.
    public func portalTicket(_ number: Int64, viewer: String) throws -> PortalTicketView? {
        guard try portalSees(number, viewer: viewer),
              let r = try db.query(Self.portalRowColumns + " WHERE t.number = ?", [.integer(number)]).first
        else { return nil }
        let cc = try db.query("SELECT address, name FROM participants WHERE ticket = ? ORDER BY added, address", [.integer(number)]).map {
            PortalTicketView.Person(address: $0[0].string ?? "", name: $0[1].string)
        }
        var files: [Int64: [PortalAttachment]] = [:]
        for a in try db.query("""
            SELECT a.id, a.message, a.filename, a.content_type, a.size, a.sha256
            FROM messages m JOIN attachments a ON a.message = m.id
            WHERE m.ticket = ? AND \(Self.portalThread) ORDER BY a.id
            """, [.integer(number)]) {
            files[a[1].int ?? 0, default: []].append(PortalAttachment(id: a[0].int ?? 0, filename: a[2].string, contentType: a[3].string ?? "",
                                                                       size: a[4].int ?? 0, sha256: a[5].string ?? ""))
        }
        let messages = try db.query("""
            SELECT m.id, m.author_address, coalesce(m.author_name, cu.name), m.created, m.text, m.origin, ag.name AS agent_name, m.kind
            FROM messages m LEFT JOIN agents ag ON ag.address = m.author_address LEFT JOIN customers cu ON cu.address = m.author_address
            WHERE m.ticket = ? AND \(Self.portalThread) ORDER BY m.id
            """, [.integer(number)]).map { m -> PortalMessage in
            let id = m[0].int ?? 0
            // An agent's answer (their mail, or `tickets reply`): their name, never their address.
            let fromTeam = m[6].string != nil || m[7].string == "note"
            return PortalMessage(id: id, direction: fromTeam ? "out" : "in", authorName: fromTeam ? (m[6].string ?? m[2].string) : m[2].string,
                                 authorAddress: fromTeam ? nil : m[1].string, date: m[3].string ?? "", text: m[4].string ?? "",
                                 origin: m[5].string ?? "mail", attachments: files[id] ?? [])
        }
        return PortalTicketView(row: portalRow(r), requesterName: r.string("requester_name"), origin: r.string("origin") ?? "mail",
                                ccList: cc, followUpOf: r.int("follow_up_of"), messages: messages)
    }

    /// Attachment `id` when it belongs to a public message of ticket `number` and the viewer sees that ticket.
    public func portalAttachment(_ id: Int64, ticket number: Int64, viewer: String) throws -> PortalAttachment? {
        guard let a = try db.query("""
            SELECT a.id, a.filename, a.content_type, a.size, a.sha256
            FROM attachments a JOIN messages m ON m.id = a.message
            WHERE a.id = ? AND m.ticket = ? AND \(Self.portalThread)
            """, [.integer(id), .integer(number)]).first,
            try portalSees(number, viewer: viewer)
        else { return nil }
        return PortalAttachment(id: a[0].int ?? 0, filename: a[1].string, contentType: a[2].string ?? "", size: a[3].int ?? 0,
                                sha256: a[4].string ?? "")
    }
}

extension String {
    func portalTrimming(_ set: String) -> String {
        let chars = Set(set)
        var s = Substring(self)
        while let f = s.first, chars.contains(f) { s.removeFirst() }
        while let l = s.last, chars.contains(l) { s.removeLast() }
        return String(s)
    }
}

/// Words as the search index (`unicode61 remove_diacritics 2`) makes them, for searching a few messages directly:
/// runs of letters and digits, lower-cased, the diacritics of Latin letters removed (ą → a; ß and ł stay).
enum PortalWords {
    /// Whether the texts together hold every term (folded; `prefix`: a word starting with it), reading each word
    /// once without making strings of them: a search reads hundreds of messages.
    static func hold(_ texts: [String], _ terms: [(bytes: [UInt8], prefix: Bool)]) -> Bool {
        guard !terms.isEmpty, terms.count <= 64 else { return terms.isEmpty }
        let all: UInt64 = terms.count == 64 ? ~0 : (1 << UInt64(terms.count)) - 1
        var found: UInt64 = 0
        var current: [UInt8] = []
        current.reserveCapacity(64)
        func check() {
            guard !current.isEmpty else { return }
            for (i, t) in terms.enumerated() where found & (1 << UInt64(i)) == 0 {
                if t.prefix ? current.starts(with: t.bytes) : current == t.bytes { found |= 1 << UInt64(i) }
            }
            current.removeAll(keepingCapacity: true)
        }
        for text in texts {
            // The UTF-8 bytes themselves: ASCII (most of any text) byte by byte, other characters decoded from
            // their bytes (the text came from SQLite, so it is valid UTF-8).
            var pending: UInt32 = 0
            var left = 0
            for b in text.utf8 {
                if left > 0 {
                    pending = pending << 6 | UInt32(b & 0x3F)
                    left -= 1
                    guard left == 0 else { continue }
                    if let scalar = Unicode.Scalar(pending), scalar.properties.isAlphabetic || scalar.properties.numericType != nil {
                        for lower in scalar.properties.lowercaseMapping.unicodeScalars { current.append(contentsOf: String(fold(lower)).utf8) }
                    } else {
                        check()
                        if found == all { return true }
                    }
                    continue
                }
                switch b {
                case 0x30...0x39, 0x61...0x7A: current.append(b)
                case 0x41...0x5A: current.append(b + 0x20)
                case 0xC0...0xDF: pending = UInt32(b & 0x1F); left = 1
                case 0xE0...0xEF: pending = UInt32(b & 0x0F); left = 2
                case 0xF0...0xF7: pending = UInt32(b & 0x07); left = 3
                default:
                    check()
                    if found == all { return true }
                }
            }
            check()
            if found == all { return true }
        }
        return found == all
    }

    static func fold(_ word: String) -> String {
        var out = String.UnicodeScalarView()
        for s in word.lowercased().unicodeScalars { out.append(fold(s)) }
        return String(out)
    }

    static func fold(_ s: Unicode.Scalar) -> Unicode.Scalar {
        guard s.value >= 0xC0, s.value < 0x250 else { return s }
        return latin[s] ?? s
    }

    private static let latin: [Unicode.Scalar: Unicode.Scalar] = {
        let groups: [(String, Character)] = [
            // Only letters whose canonical decomposition is a base letter and marks, as the index's tokenizer folds
            // them: ł, đ, ħ, ø, ŧ, ı have none and stay as they are (there too).
            ("àáâãäåāăą", "a"), ("çćĉċč", "c"), ("ď", "d"), ("èéêëēĕėęě", "e"), ("ĝğġģ", "g"), ("ĥ", "h"),
            ("ìíîïĩīĭį", "i"), ("ĵ", "j"), ("ķ", "k"), ("ĺļľ", "l"), ("ñńņň", "n"), ("òóôõöōŏő", "o"),
            ("ŕŗř", "r"), ("śŝşšș", "s"), ("ţťț", "t"), ("ùúûüũūŭůűų", "u"), ("ŵ", "w"), ("ýÿŷ", "y"), ("źżž", "z"),
        ]
        var m: [Unicode.Scalar: Unicode.Scalar] = [:]
        for (letters, base) in groups {
            for l in letters.unicodeScalars { m[l] = base.unicodeScalars.first! }
        }
        return m
    }()
}
