/// The database schema, as forward-only migrations. Version N is reached by applying migrations 1...N in
/// order, each in its own transaction; `PRAGMA user_version` records the version reached. A database newer
/// than this binary is refused (an upgrade never runs backwards).
public enum Migrations {
    /// Each entry moves the schema one version forward. Never edit a released entry: append a new one.
    public static let all: [String] = [
        // 1: tickets, messages, attachments, people, audit, search, ingestion ledger.
        """
        CREATE TABLE organizations (
            id INTEGER PRIMARY KEY,
            domain TEXT NOT NULL UNIQUE COLLATE NOCASE,
            name TEXT,
            created TEXT NOT NULL
        );
        CREATE TABLE customers (
            id INTEGER PRIMARY KEY,
            address TEXT NOT NULL UNIQUE COLLATE NOCASE,
            name TEXT,
            organization_id INTEGER REFERENCES organizations(id),
            is_primary_contact INTEGER NOT NULL DEFAULT 0,
            language TEXT,
            timezone TEXT,
            confirmed_at TEXT,
            password_hash TEXT,
            created TEXT NOT NULL
        );
        CREATE INDEX customers_organization ON customers(organization_id);
        CREATE TABLE agents (
            id INTEGER PRIMARY KEY,
            key TEXT NOT NULL UNIQUE,
            address TEXT NOT NULL UNIQUE COLLATE NOCASE,
            name TEXT NOT NULL,
            source TEXT NOT NULL CHECK (source IN ('config', 'cli')),
            active INTEGER NOT NULL DEFAULT 1,
            created TEXT NOT NULL
        );
        CREATE TABLE tickets (
            number INTEGER PRIMARY KEY,
            subject TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('new', 'open', 'pending', 'resolved', 'closed')),
            queue TEXT NOT NULL,
            requester_id INTEGER NOT NULL REFERENCES customers(id),
            assignee_id INTEGER REFERENCES agents(id),
            priority TEXT NOT NULL DEFAULT 'normal' CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
            type TEXT,
            due TEXT,
            customer_reference TEXT,
            follow_up_of INTEGER REFERENCES tickets(number),
            language TEXT,
            created TEXT NOT NULL,
            updated TEXT NOT NULL,
            resolved_at TEXT,
            closed_at TEXT,
            last_customer_reply TEXT
        );
        CREATE INDEX tickets_status ON tickets(status, queue);
        CREATE INDEX tickets_requester ON tickets(requester_id);
        CREATE INDEX tickets_assignee ON tickets(assignee_id, status);
        CREATE INDEX tickets_unassigned ON tickets(queue, created) WHERE assignee_id IS NULL;
        CREATE TABLE participants (
            ticket INTEGER NOT NULL REFERENCES tickets(number),
            address TEXT NOT NULL COLLATE NOCASE,
            name TEXT,
            role TEXT NOT NULL CHECK (role IN ('cc')),
            added TEXT NOT NULL,
            PRIMARY KEY (ticket, address)
        ) WITHOUT ROWID;
        CREATE INDEX participants_address ON participants(address);
        CREATE TABLE messages (
            id INTEGER PRIMARY KEY,
            ticket INTEGER REFERENCES tickets(number),
            direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
            visibility TEXT NOT NULL CHECK (visibility IN ('public', 'internal')),
            kind TEXT NOT NULL CHECK (kind IN ('mail', 'bounce', 'automatic', 'note')),
            author_address TEXT,
            author_name TEXT,
            message_id TEXT,
            date TEXT NOT NULL,
            subject TEXT,
            text TEXT NOT NULL,
            quoted TEXT,
            html TEXT,
            raw_path TEXT,
            automatic TEXT,
            routing TEXT,
            created TEXT NOT NULL
        );
        CREATE INDEX messages_ticket ON messages(ticket, id);
        -- Every Message-ID Postdesk has seen or sent, for threading replies.
        CREATE TABLE message_ids (
            message_id TEXT PRIMARY KEY,
            ticket INTEGER NOT NULL REFERENCES tickets(number),
            message INTEGER REFERENCES messages(id)
        ) WITHOUT ROWID;
        CREATE TABLE attachments (
            id INTEGER PRIMARY KEY,
            message INTEGER NOT NULL REFERENCES messages(id),
            filename TEXT,
            content_type TEXT NOT NULL,
            size INTEGER NOT NULL,
            sha256 TEXT NOT NULL,
            inline INTEGER NOT NULL DEFAULT 0,
            content_id TEXT
        );
        CREATE INDEX attachments_message ON attachments(message);
        CREATE INDEX attachments_sha256 ON attachments(sha256);
        CREATE TABLE audit (
            id INTEGER PRIMARY KEY,
            ticket INTEGER REFERENCES tickets(number),
            at TEXT NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            detail TEXT,
            cause_message INTEGER REFERENCES messages(id)
        );
        CREATE INDEX audit_ticket ON audit(ticket, id);
        -- Exactly-once ingestion: one row per distinct inbound mail (Message-ID plus content hash).
        CREATE TABLE ingested (
            key TEXT PRIMARY KEY,
            message_id TEXT,
            mailbox TEXT NOT NULL,
            outcome TEXT NOT NULL,
            ticket INTEGER REFERENCES tickets(number),
            message INTEGER REFERENCES messages(id),
            at TEXT NOT NULL
        ) WITHOUT ROWID;
        -- Full-text search: one row per message (rowid = messages.id), contentless.
        CREATE VIRTUAL TABLE search USING fts5(
            subject, body, refs, requester, content='', tokenize='unicode61 remove_diacritics 2'
        );
        """,
        // 2: the outbox. Mail is queued in the transaction of the change that causes it and sent later.
        """
        CREATE TABLE outbox (
            id INTEGER PRIMARY KEY,
            ticket INTEGER REFERENCES tickets(number),
            kind TEXT NOT NULL,
            recipient TEXT NOT NULL COLLATE NOCASE,
            envelope_from TEXT NOT NULL,
            message_id TEXT NOT NULL UNIQUE,
            automatic INTEGER NOT NULL,
            language TEXT,
            raw BLOB NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('queued', 'sent', 'failed', 'suppressed')),
            queued_at INTEGER NOT NULL,
            next_attempt INTEGER NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            last_error TEXT,
            done_at INTEGER,
            cause_message INTEGER REFERENCES messages(id)
        );
        CREATE INDEX outbox_due ON outbox(next_attempt) WHERE status = 'queued';
        CREATE INDEX outbox_automatic ON outbox(recipient, queued_at) WHERE automatic = 1 AND status != 'suppressed';
        CREATE INDEX outbox_ticket ON outbox(ticket);
        """,
        // 3: accounts. Welcome invitations, one-time password reset codes (hashes only), CLI agents' origin.
        """
        ALTER TABLE customers ADD COLUMN invited_at TEXT;
        ALTER TABLE customers ADD COLUMN password_set_at TEXT;
        CREATE TABLE account_codes (
            id INTEGER PRIMARY KEY,
            customer_id INTEGER NOT NULL REFERENCES customers(id),
            code_hash TEXT NOT NULL,
            requested_by TEXT NOT NULL CHECK (requested_by IN ('mail', 'operator')),
            created INTEGER NOT NULL,
            expires INTEGER NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            used_at INTEGER,
            superseded INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX account_codes_customer ON account_codes(customer_id, created);
        CREATE INDEX account_codes_created ON account_codes(created);
        CREATE INDEX outbox_failed ON outbox(id) WHERE status = 'failed';
        """,
        // 4: inbound limits (token buckets per sender and for everyone, "*"; the held tickets they fill); for
        //    years of tickets, the index of the tickets to be assigned and a smaller search index.
        """
        CREATE TABLE inbound_buckets (
            key TEXT PRIMARY KEY,
            tokens REAL NOT NULL,
            updated INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX tickets_held ON tickets(requester_id) WHERE type = 'held' AND status IN ('new', 'open', 'pending');
        -- "To be assigned", newest first, without sorting years of unassigned closed tickets (issue 7, scale).
        CREATE INDEX tickets_to_assign ON tickets(number) WHERE assignee_id IS NULL AND status IN ('new', 'open', 'pending');
        -- The search index without token positions (detail=column): Postdesk searches words and prefixes, never
        -- phrases, and positions made the index half the size of the text it indexes. Rebuilt from the messages.
        DROP TABLE search;
        CREATE VIRTUAL TABLE search USING fts5(
            subject, body, refs, requester, content='', detail=column, tokenize='unicode61 remove_diacritics 2'
        );
        INSERT INTO search (rowid, subject, body, refs, requester)
            SELECT id, coalesce(subject, ''), text, coalesce(message_id, ''), coalesce(author_address, '')
            FROM messages WHERE direction = 'in';
        """,
        // 5: an outbox mail's text in a table of its own, deleted [outbound] keep_sent after it was sent (issue 7,
        //    scale: a 21-agent team's notices made the outbox the largest part of the database). Deleting rows frees
        //    their pages for new data; emptying a column in place would leave the outbox's pages sparse for good.
        //    The outbox is rebuilt without its text (no foreign key to it from outbox_text: the old table is dropped),
        //    with Message-IDs no longer unique (a team's copies of one notice share theirs), and with the caps'
        //    index holding only the last day.
        """
        CREATE TABLE outbox_text (
            id INTEGER PRIMARY KEY,
            raw BLOB NOT NULL,
            sent_at INTEGER
        );
        INSERT INTO outbox_text (id, raw, sent_at)
            SELECT id, raw, CASE WHEN status = 'sent' THEN done_at END FROM outbox WHERE length(raw) > 0;
        CREATE INDEX outbox_text_sent ON outbox_text(sent_at) WHERE sent_at IS NOT NULL;
        -- How many sent agents' notices were forgotten with their text (they still count as mail out).
        CREATE TABLE outbox_forgotten (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            mails INTEGER NOT NULL
        );
        CREATE TABLE outbox_records (
            id INTEGER PRIMARY KEY,
            ticket INTEGER REFERENCES tickets(number),
            kind TEXT NOT NULL,
            recipient TEXT NOT NULL COLLATE NOCASE,
            envelope_from TEXT NOT NULL,
            message_id TEXT NOT NULL,
            automatic INTEGER NOT NULL,
            language TEXT,
            status TEXT NOT NULL CHECK (status IN ('queued', 'sent', 'failed', 'suppressed')),
            queued_at INTEGER NOT NULL,
            next_attempt INTEGER NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            last_error TEXT,
            done_at INTEGER,
            cause_message INTEGER REFERENCES messages(id),
            -- 1 while an automatic mail to a customer counts toward the auto-reply caps (its first day).
            counted INTEGER NOT NULL DEFAULT 0
        );
        INSERT INTO outbox_records (id, ticket, kind, recipient, envelope_from, message_id, automatic, language, status,
                                    queued_at, next_attempt, attempts, last_error, done_at, cause_message, counted)
            SELECT id, ticket, kind, recipient, envelope_from, message_id, automatic, language, status,
                   queued_at, next_attempt, attempts, last_error, done_at, cause_message,
                   CASE WHEN automatic = 1 AND status != 'suppressed' AND substr(kind, 1, 6) != 'agent_' THEN 1 ELSE 0 END
            FROM outbox;
        DROP TABLE outbox;
        ALTER TABLE outbox_records RENAME TO outbox;
        CREATE INDEX outbox_due ON outbox(next_attempt) WHERE status = 'queued';
        -- The caps read one day of automatic mail per customer: the index holds that day, not every mail ever
        -- (the scheduler clears `counted` after a day), so it stays small and in memory on years of tickets.
        CREATE INDEX outbox_automatic ON outbox(recipient, queued_at) WHERE counted = 1;
        CREATE INDEX outbox_ticket ON outbox(ticket);
        CREATE INDEX outbox_failed ON outbox(id) WHERE status = 'failed';
        CREATE INDEX outbox_message ON outbox(message_id);
        """,
        // 6: sender verification (issue 14): what the operator's MTA said about each inbound mail's sender, and
        //    who asked for each reset code by mail (the per-client limit that replaced the global one).
        """
        ALTER TABLE messages ADD COLUMN sender_auth TEXT CHECK (sender_auth IN ('verified', 'failed', 'unverified'));
        ALTER TABLE account_codes ADD COLUMN client TEXT;
        CREATE INDEX account_codes_client ON account_codes(client, created) WHERE client IS NOT NULL;
        """,
        // 7: nothing is lost (issue 14): the maildir names Postdesk took in, so mail another reader flagged Seen
        //    in cur/ before Postdesk saw it is ingested rather than skipped (names per mailbox: two mailboxes may
        //    share one, and one mail delivered to two mailboxes is two names); the ledger by Message-ID, for the
        //    exactly-once key's check of rows written under the earlier (parsed-content) key.
        """
        CREATE TABLE maildir_names (
            mailbox TEXT NOT NULL,
            name TEXT NOT NULL,
            PRIMARY KEY (mailbox, name)
        ) WITHOUT ROWID;
        CREATE INDEX ingested_message_id ON ingested(message_id) WHERE message_id IS NOT NULL;
        -- How many ledger rows carry the earlier key: with none (a new database), the lookups for them are skipped.
        CREATE TABLE ledger_legacy (rows INTEGER NOT NULL);
        INSERT INTO ledger_legacy SELECT count(*) FROM ingested;
        """,
        // 8: the scheduler's resolved tickets by the time they were resolved (issue 14, the daemon at rest): its two
        //    queries every 10 s read only the tickets due, not every resolved ticket through tickets_status.
        """
        CREATE INDEX tickets_resolved ON tickets(resolved_at) WHERE status = 'resolved';
        """,
        // 9: the customer portal (issue 16): server-side sessions (the cookie holds a 128-bit id, the table its
        //    SHA-256), mailed single-use sign-in links (the same: only the hash is kept), where a ticket and a
        //    message came from (mail or the portal), and reset codes asked for on the web (account_codes rebuilt:
        //    its CHECK on requested_by gains 'portal').
        """
        CREATE TABLE portal_sessions (
            id_hash TEXT PRIMARY KEY,
            customer_id INTEGER NOT NULL REFERENCES customers(id),
            csrf TEXT NOT NULL,
            created INTEGER NOT NULL,
            last_seen INTEGER NOT NULL,
            client TEXT,
            user_agent TEXT
        ) WITHOUT ROWID;
        CREATE INDEX portal_sessions_customer ON portal_sessions(customer_id);
        CREATE INDEX portal_sessions_seen ON portal_sessions(last_seen);
        CREATE TABLE portal_links (
            token_hash TEXT PRIMARY KEY,
            customer_id INTEGER NOT NULL REFERENCES customers(id),
            next TEXT,
            client TEXT,
            created INTEGER NOT NULL,
            expires INTEGER NOT NULL,
            used_at INTEGER
        ) WITHOUT ROWID;
        CREATE INDEX portal_links_customer ON portal_links(customer_id, created);
        CREATE INDEX portal_links_expires ON portal_links(expires);
        ALTER TABLE tickets ADD COLUMN origin TEXT NOT NULL DEFAULT 'mail' CHECK (origin IN ('mail', 'portal'));
        ALTER TABLE messages ADD COLUMN origin TEXT NOT NULL DEFAULT 'mail' CHECK (origin IN ('mail', 'portal'));
        CREATE TABLE account_codes_new (
            id INTEGER PRIMARY KEY,
            customer_id INTEGER NOT NULL REFERENCES customers(id),
            code_hash TEXT NOT NULL,
            requested_by TEXT NOT NULL CHECK (requested_by IN ('mail', 'operator', 'portal')),
            created INTEGER NOT NULL,
            expires INTEGER NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            used_at INTEGER,
            superseded INTEGER NOT NULL DEFAULT 0,
            client TEXT
        );
        INSERT INTO account_codes_new (id, customer_id, code_hash, requested_by, created, expires, attempts, used_at, superseded, client)
            SELECT id, customer_id, code_hash, requested_by, created, expires, attempts, used_at, superseded, client FROM account_codes;
        DROP TABLE account_codes;
        ALTER TABLE account_codes_new RENAME TO account_codes;
        CREATE INDEX account_codes_customer ON account_codes(customer_id, created);
        CREATE INDEX account_codes_created ON account_codes(created);
        CREATE INDEX account_codes_client ON account_codes(client, created) WHERE client IS NOT NULL;
        -- The portal's list: a customer's tickets by last update, and the tickets they are a Cc participant of.
        CREATE INDEX tickets_requester_updated ON tickets(requester_id, updated);
        """,
    ]

    /// The schema version this binary writes.
    public static var latest: Int { all.count }

    /// Brings `database` to `target` (default: the latest), applying each missing migration in its own
    /// transaction. Returns the versions applied.
    @discardableResult
    public static func migrate(_ database: Database, to target: Int = latest) throws -> [Int] {
        let current = try version(database)
        if current > latest {
            throw StoreError(code: 1, message: "the database is at schema version \(current), newer than this Postdesk (\(latest)); upgrade Postdesk or restore a backup")
        }
        var applied: [Int] = []
        for v in current..<min(target, latest) {
            try database.transaction {
                try database.execute(all[v])
                try database.execute("PRAGMA user_version = \(v + 1)")
            }
            applied.append(v + 1)
        }
        return applied
    }

    public static func version(_ database: Database) throws(StoreError) -> Int {
        Int(try database.query("PRAGMA user_version").first?[0].int ?? 0)
    }
}
