import Testing
@testable import PostdeskHTTP

@Suite struct ClientAddressTests {
    let proxies = ClientAddress(trustedProxies: ["127.0.0.1", "10.0.0.0/8", "fd00::/8", "unix"])

    @Test(arguments: [
        // (peer, X-Forwarded-For fields, client)
        ("203.0.113.5", ["198.51.100.1"], "203.0.113.5"),                   // untrusted peer: its header is ignored
        ("127.0.0.1", [], "127.0.0.1"),                                      // trusted peer, no header
        ("127.0.0.1", ["198.51.100.1"], "198.51.100.1"),
        ("127.0.0.1", ["6.6.6.6, 198.51.100.1"], "198.51.100.1"),           // spoofed leftmost entry
        ("127.0.0.1", ["1.1.1.1", "6.6.6.6, 198.51.100.1"], "198.51.100.1"),// two fields, in order
        ("127.0.0.1", ["198.51.100.1, 10.1.2.3"], "198.51.100.1"),          // a trusted hop in a CIDR network skipped
        ("127.0.0.1", ["10.9.9.9, 10.1.2.3"], "10.9.9.9"),                  // every hop trusted: the leftmost
        ("127.0.0.1", ["198.51.100.1, garbage"], "127.0.0.1"),              // garbage written by the proxy: the proxy
        ("127.0.0.1", ["garbage, 198.51.100.1"], "198.51.100.1"),           // garbage on the client's side is ignored
        ("127.0.0.1", ["198.51.100.1, 10.0.0.1, <script>"], "127.0.0.1"),
        ("127.0.0.1", ["2001:db8::1"], "2001:db8::1"),
        ("127.0.0.1", ["2001:DB8:0:0::1"], "2001:db8::1"),                  // canonical IPv6 text
        ("127.0.0.1", ["[2001:db8::7], fd12::1"], "2001:db8::7"),           // IPv6 trusted by CIDR, bracketed client
        ("127.0.0.1", ["::ffff:198.51.100.9"], "198.51.100.9"),             // IPv4-mapped is IPv4
        ("fd00::5", ["198.51.100.1"], "198.51.100.1"),
        ("fe00::5", ["198.51.100.1"], "fe00::5"),                           // outside fd00::/8
        ("11.0.0.1", ["198.51.100.1"], "11.0.0.1"),                         // outside 10.0.0.0/8
        ("unix", ["198.51.100.1"], "198.51.100.1"),                         // nginx on a Unix socket
        ("127.0.0.1", [" , ,"], "127.0.0.1"),
    ])
    func client(peer: String, forwarded: [String], expected: String) {
        #expect(proxies.client(peer: peer, forwardedFor: forwarded) == expected)
    }

    @Test func nothingTrustedByDefault() {
        let none = ClientAddress(trustedProxies: [])
        #expect(none.client(peer: "127.0.0.1", forwardedFor: ["198.51.100.1"]) == "127.0.0.1")
        #expect(none.client(peer: "unix", forwardedFor: ["198.51.100.1"]) == "unix")
    }

    @Test func networks() {
        #expect(ClientAddress.invalid(["127.0.0.1", "10.0.0.0/8", "::1", "fd00::/8", "unix", "10.0.0.0/33", "nope", "1.2.3.4/x", "::/129"])
                == ["10.0.0.0/33", "nope", "1.2.3.4/x", "::/129"])
        let odd = ClientAddress(trustedProxies: ["192.168.1.128/25", "0.0.0.0/0"])
        #expect(odd.isTrusted("192.168.1.200"))
        #expect(odd.isTrusted("8.8.8.8"))           // /0 trusts every IPv4 address
        #expect(!odd.isTrusted("::1"))               // and no IPv6 one
        let half = ClientAddress(trustedProxies: ["192.168.1.128/25"])
        #expect(half.isTrusted("192.168.1.129"))
        #expect(!half.isTrusted("192.168.1.127"))
        #expect(!half.isTrusted("unix"))
    }
}

@Suite struct RequestParsingTests {
    @Test func target() throws {
        let t = try #require(RequestParsing.target("/t%C3%A9st/a+b?x=1&y=a+b%26c&&z&x=2&e=%zz"))
        #expect(t.path == "/tést/a+b")
        #expect(t.query.map { "\($0.name)=\($0.value)" } == ["x=1", "y=a b&c", "z=", "x=2", "e=%zz"])
        #expect(RequestParsing.target("http://example.org/tickets?a=1")?.path == "/tickets")
        #expect(RequestParsing.target("/a%00b") == nil)        // NUL
        #expect(RequestParsing.target("/a%FFb") == nil)        // not UTF-8
        #expect(RequestParsing.target("/a%C3") == nil)         // truncated UTF-8
        #expect(RequestParsing.target("/a?q=%FF")?.query.first?.value == "\u{FFFD}")
    }

    @Test func cookies() {
        #expect(RequestParsing.cookies(["a=1; b=2; a=3", "c=\"q\"; b=9; junk; =x"]) == ["a": "1", "b": "2", "c": "\"q\""])
        #expect(RequestParsing.cookies([]) == [:])
    }

    @Test func boundary() {
        #expect(RequestParsing.boundary("multipart/form-data; boundary=abc") == "abc")
        #expect(RequestParsing.boundary("multipart/form-data; charset=utf-8; BOUNDARY=\"a b\"") == "a b")
        #expect(RequestParsing.boundary("multipart/form-data") == nil)
        #expect(RequestParsing.boundary("multipart/form-data; boundary=") == nil)
    }
}
