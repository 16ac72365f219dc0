import Testing
@testable import PostdeskCore

/// `[portal]`: every key, its default, and each wrong value as FILE:LINE.
@Suite struct PortalConfigurationTests {
    static let file = "/etc/postdesk/postdesk.conf"
    /// Line 6 is `[portal]`, the keys start on line 7.
    static let head = """
        [helpdesk]
        agent_auth = from
        [mailbox support]
        maildir = mail/support
        address = support@acme.test
        [portal]
        """

    static func parse(_ portal: String) -> Result<Configuration, ConfigErrors> {
        Configuration.parse(head + "\n" + portal, file: file, baseDirectory: "/etc/postdesk")
    }

    @Test func defaultsWithoutTheSection() throws {
        let c = try Configuration.parse(Self.head.replacingOccurrences(of: "[portal]", with: ""), file: Self.file, baseDirectory: "/etc/postdesk").get()
        #expect(c.portal.listen == .tcp(host: "127.0.0.1", port: 8080))
        #expect(c.portal.url == nil)
        #expect(c.portal.access == .all)
        #expect(c.portal.trustedProxies == ["127.0.0.1", "::1", "unix"])
        #expect(c.portal.queue == nil)
        #expect(c.portal.ticketTypes == ["question", "problem", "request"])
        #expect(c.portal.threads == 4)
        #expect(c.portal.maxConnections == 256)
        #expect(c.portal.connectionTimeout.seconds == 30)
        #expect(c.portal.maxUploadBytes == 25 << 20)
        #expect(c.portal.sessionIdle.seconds == 7200)
        #expect(c.portal.sessionMax.seconds == 7 * 86_400)
        #expect(c.portal.linkLifetime.seconds == 600)
        #expect(!c.warnings.contains { $0.message.contains("[portal]") })
    }

    @Test func everyKeyRead() throws {
        let c = try Self.parse("""
            listen = [::1]:8443
            url = https://support.acme.test/
            access = invited
            trusted_proxies = 10.0.0.0/8, 192.168.1.7, fd00::/8
            queue = support
            ticket_types = question, incident , change
            threads = 100
            max_connections = 64
            connection_timeout = 10s
            max_upload = 10m
            session_idle = 30m
            session_max = 1d
            link_lifetime = 5m
            """).get()
        #expect(c.portal.listen == .tcp(host: "::1", port: 8443))
        #expect(c.portal.listen.description == "[::1]:8443")
        #expect(c.portal.url == "https://support.acme.test")
        #expect(c.portal.access == .invited)
        #expect(c.portal.trustedProxies == ["10.0.0.0/8", "192.168.1.7", "fd00::/8"])
        #expect(c.portal.queue == "support")
        #expect(c.portal.ticketTypes == ["question", "incident", "change"])
        #expect(c.portal.threads == 64)
        #expect(c.portal.maxConnections == 64)
        #expect(c.portal.connectionTimeout.seconds == 10)
        #expect(c.portal.maxUploadBytes == 10 << 20)
        #expect(c.portal.sessionIdle.seconds == 1800)
        #expect(c.portal.sessionMax.seconds == 86_400)
        #expect(c.portal.linkLifetime.seconds == 300)
    }

    @Test(arguments: [("listen = unix:/run/postdesk/portal.sock", Configuration.Portal.Listen.unix(path: "/run/postdesk/portal.sock")),
                      ("listen = unix:portal.sock", .unix(path: "/etc/postdesk/portal.sock")),
                      ("listen = localhost:80", .tcp(host: "localhost", port: 80))])
    func listenForms(_ line: String, _ expected: Configuration.Portal.Listen) throws {
        #expect(try Self.parse(line).get().portal.listen == expected)
    }

    /// Each wrong value is an error on its own line (7: the first key after `[portal]`).
    @Test(arguments: [
        ("listen = 8080", "listen must be HOST:PORT"),
        ("listen = ::1:8080", "listen must be HOST:PORT"),
        ("listen = 127.0.0.1:70000", "listen must be HOST:PORT"),
        ("listen = unix:", "listen must be HOST:PORT"),
        ("url = support.acme.test", "url must be the portal's public address"),
        ("url = https://support.acme.test/portal", "url must be the portal's public address"),
        ("url = https://user@support.acme.test", "url must be the portal's public address"),
        ("url = https://", "url must be the portal's public address"),
        ("url = ftp://support.acme.test", "url must be the portal's public address"),
        ("access = everyone", "access must be all or invited"),
        ("trusted_proxies = 10.0.0.0/33", "is not an IP address or network"),
        ("trusted_proxies = proxy.local", "is not an IP address or network"),
        ("trusted_proxies = 300.1.1.1", "is not an IP address or network"),
        ("queue = sales", "[portal] queue = sales names no [mailbox sales]"),
        ("queue =", "queue is empty"),
        ("ticket_types = held, question", "ticket_types must be a list"),
        ("ticket_types = ,", "ticket_types must be a list"),
        ("threads = 0", "threads must be a whole number"),
        ("max_connections = many", "max_connections must be a whole number"),
        ("connection_timeout = soon", "is not a duration"),
        ("max_upload = 1k", "max_upload must be a size between 64k and 1g"),
        ("max_upload = 2g", "max_upload must be a size between 64k and 1g"),
        ("max_upload = 99999999999999999g", "max_upload must be a size between 64k and 1g"),
        ("max_upload = -5m", "max_upload must be a size between 64k and 1g"),
        ("session_idle = 0s", "is not a duration"),
        ("link_lifetime = 11m", "link_lifetime may be at most 10m"),
        ("colour = blue", "unknown key"),
    ])
    func wrongValuesAreErrorsWithFileAndLine(_ line: String, _ message: String) {
        guard case .failure(let e) = Self.parse(line) else {
            Issue.record("accepted: \(line)")
            return
        }
        #expect(e.problems.contains { $0.description.hasPrefix("\(Self.file):7: ") && $0.message.contains(message) }, "\(e)")
    }

    @Test func sessionIdleLongerThanSessionMaxIsAnError() {
        guard case .failure(let e) = Self.parse("session_max = 1h\nsession_idle = 2h") else {
            Issue.record("accepted")
            return
        }
        #expect(e.description.contains("\(Self.file):8: [portal] session_idle (2h) is longer than session_max (1h)"), "\(e)")
    }

    @Test func plainHTTPURLIsAWarningOnItsLine() throws {
        let c = try Self.parse("\nurl = http://support.acme.test").get()
        #expect(c.portal.url == "http://support.acme.test")
        let w = try #require(c.warnings.first { $0.message.contains("[portal] url") })
        #expect(w.description.hasPrefix("\(Self.file):8: warning: [portal] url = http://support.acme.test is not https"))
        #expect(!(try Self.parse("url = https://support.acme.test").get().warnings.contains { $0.message.contains("[portal] url") }))
    }
}
