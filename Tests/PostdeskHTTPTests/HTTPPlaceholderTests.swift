import Testing
@testable import PostdeskHTTP

@Test func requestHeaderLookupIsCaseInsensitive() {
    let r = HTTPRequest(method: "GET", path: "/", headers: [("accept-language", "de")])
    #expect(r.header("Accept-Language") == "de")
}
