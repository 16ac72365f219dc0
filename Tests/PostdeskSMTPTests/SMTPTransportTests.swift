import Foundation
import PostdeskTestSupport
import PostdeskSMTP
import Testing

@Suite(.serialized) struct SMTPTransportTests {
    static let message = Array("""
        From: Acme Support <support@acme.test>\r
        To: ana@example.org\r
        Subject: Test\r
        Message-ID: <t1@acme.test>\r
        \r
        Line one.\r
        .a line that starts with a dot\r
        Last line.\r

        """.utf8)

    func isDelivered(_ r: DeliveryResult) -> Bool { if case .delivered = r { return true }; return false }
    func isTemporary(_ r: DeliveryResult) -> Bool { if case .temporaryFailure = r { return true }; return false }
    func isPermanent(_ r: DeliveryResult) -> Bool { if case .permanentFailure = r { return true }; return false }

    @Test func plainDeliveryKeepsDotLines() throws {
        let sink = try SMTPSink()
        let t = SMTPTransport(SMTPSettings(url: "smtp://127.0.0.1:\(sink.port)", startTLS: .off, timeoutSeconds: 10))
        let r = t.send(Self.message, from: "bounces@acme.test", to: "ana@example.org")
        #expect(isDelivered(r), "\(r)")
        let got = try #require(sink.messages.first)
        #expect(got.hasPrefix("X-Sink-Rcpt: ana@example.org\r\nX-Sink-From: bounces@acme.test"))
        #expect(got.contains("\r\n.a line that starts with a dot\r\n"))
        #expect(got.contains("Subject: Test"))
    }

    @Test func oneConnectionServesManyMails() throws {
        let sink = try SMTPSink()
        let t = SMTPTransport(SMTPSettings(url: "smtp://127.0.0.1:\(sink.port)", startTLS: .off, timeoutSeconds: 10))
        for i in 0..<20 { #expect(isDelivered(t.send(Self.message, from: "b@acme.test", to: "r\(i)@example.org"))) }
        #expect(sink.messages.count == 20)
        #expect(sink.sessions == 1)
    }

    @Test func startTLSWithATrustedSelfSignedCertificate() throws {
        let cert = try TestCertificate()
        let sink = try SMTPSink(["--tls", cert.cert, cert.key, "--require-tls"])
        let trusted = SMTPTransport(SMTPSettings(url: "smtp://127.0.0.1:\(sink.port)", startTLS: .required, caFile: cert.cert, timeoutSeconds: 10))
        #expect(isDelivered(trusted.send(Self.message, from: "b@acme.test", to: "ana@example.org")))
        // Without trusting the certificate, verification fails and nothing is sent: temporary (fix the CA, retry).
        let untrusted = SMTPTransport(SMTPSettings(url: "smtp://127.0.0.1:\(sink.port)", startTLS: .required, timeoutSeconds: 10))
        let r = untrusted.send(Self.message, from: "b@acme.test", to: "ana@example.org")
        #expect(isTemporary(r), "\(r)")
        #expect(sink.messages.count == 1)
    }

    @Test func requiredTLSThatIsNotOfferedSendsNothing() throws {
        let sink = try SMTPSink()
        let t = SMTPTransport(SMTPSettings(url: "smtp://127.0.0.1:\(sink.port)", startTLS: .required, timeoutSeconds: 10))
        let r = t.send(Self.message, from: "b@acme.test", to: "ana@example.org")
        #expect(isTemporary(r), "\(r)")
        #expect(sink.messages.isEmpty)
    }

    @Test func authenticationOverTLS() throws {
        let cert = try TestCertificate()
        let sink = try SMTPSink(["--tls", cert.cert, cert.key, "--require-tls", "--auth", "postdesk:s3cret"])
        let ok = SMTPTransport(SMTPSettings(url: "smtp://127.0.0.1:\(sink.port)", startTLS: .required, username: "postdesk",
                                            password: "s3cret", caFile: cert.cert, timeoutSeconds: 10))
        #expect(isDelivered(ok.send(Self.message, from: "b@acme.test", to: "ana@example.org")))
        let wrong = SMTPTransport(SMTPSettings(url: "smtp://127.0.0.1:\(sink.port)", startTLS: .required, username: "postdesk",
                                               password: "nope", caFile: cert.cert, timeoutSeconds: 10))
        let r = wrong.send(Self.message, from: "b@acme.test", to: "ana@example.org")
        #expect(isTemporary(r), "\(r)")
        #expect(sink.messages.count == 1)
    }

    @Test func implicitTLS() throws {
        let cert = try TestCertificate()
        let sink = try SMTPSink(["--tls", cert.cert, cert.key, "--implicit-tls"])
        let t = SMTPTransport(SMTPSettings(url: "smtps://127.0.0.1:\(sink.port)", startTLS: .required, caFile: cert.cert, timeoutSeconds: 10))
        let r = t.send(Self.message, from: "b@acme.test", to: "ana@example.org")
        #expect(isDelivered(r), "\(r)")
    }

    @Test func perRecipientAnswers() throws {
        let sink = try SMTPSink(["--reject", "gone@example.org=550", "--reject", "full@example.org=452"])
        let t = SMTPTransport(SMTPSettings(url: "smtp://127.0.0.1:\(sink.port)", startTLS: .off, timeoutSeconds: 10))
        let gone = t.send(Self.message, from: "b@acme.test", to: "gone@example.org")
        let full = t.send(Self.message, from: "b@acme.test", to: "full@example.org")
        let ok = t.send(Self.message, from: "b@acme.test", to: "ana@example.org")
        #expect(isPermanent(gone), "\(gone)")
        #expect(gone.description.contains("550"))
        #expect(isTemporary(full), "\(full)")
        #expect(isDelivered(ok), "\(ok)")
        #expect(sink.messages.count == 1)
    }

    @Test func greylistingThenSuccess() throws {
        let sink = try SMTPSink(["--tempfail-first", "1"])
        let t = SMTPTransport(SMTPSettings(url: "smtp://127.0.0.1:\(sink.port)", startTLS: .off, timeoutSeconds: 10))
        let first = t.send(Self.message, from: "b@acme.test", to: "ana@example.org")
        #expect(isTemporary(first), "\(first)")
        #expect(first.description.contains("451"))
        #expect(isDelivered(t.send(Self.message, from: "b@acme.test", to: "ana@example.org")))
        #expect(sink.messages.count == 1)
    }

    @Test func serverDownIsTemporaryAndRecovers() throws {
        let sink = try SMTPSink()
        let port = sink.port
        sink.stop()
        let t = SMTPTransport(SMTPSettings(url: "smtp://127.0.0.1:\(port)", startTLS: .off, timeoutSeconds: 5))
        let r = t.send(Self.message, from: "b@acme.test", to: "ana@example.org")
        #expect(isTemporary(r), "\(r)")
        let again = try SMTPSink()
        let t2 = SMTPTransport(SMTPSettings(url: "smtp://127.0.0.1:\(again.port)", startTLS: .off, timeoutSeconds: 5))
        #expect(isDelivered(t2.send(Self.message, from: "b@acme.test", to: "ana@example.org")))
    }
}
