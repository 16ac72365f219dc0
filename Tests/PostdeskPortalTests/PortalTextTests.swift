import Testing
import PostdeskCore
@testable import PostdeskPortal

@Suite struct PortalTextTests {
    @Test func everyKeyInEveryLanguage() {
        for (key, forms) in PortalText.all {
            for lang in Configuration.languages {
                #expect(forms[lang]?.isEmpty == false, "\(key) has no \(lang) text")
            }
        }
    }

    @Test func acceptLanguagePicksTheBestSupported() {
        #expect(LanguageChoice.fromAcceptLanguage("nl-NL, de;q=0.8, fr;q=0.9") == "fr")
        #expect(LanguageChoice.fromAcceptLanguage("pl") == "pl")
        #expect(LanguageChoice.fromAcceptLanguage("nl, ja") == nil)
        #expect(LanguageChoice.fromAcceptLanguage("de;q=0, es") == "es")
    }

    @Test func escapeMakesMarkupInert() {
        #expect(HTML.escape("<script>alert('x')</script>&\"") == "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;")
    }
}

@Suite struct PortalRoutingTests {
    @Test func healthzAnswersWithoutASession() throws {
        let f = try PortalFixture()
        let r = f.request("GET", "/healthz")
        #expect(r.status == 200)
        #expect(r.header("X-Content-Type-Options") == "nosniff")
    }

    @Test func unknownPathsAreNotFoundAndNeverEchoed() throws {
        let f = try PortalFixture()
        let r = f.request("GET", "/<script>alert(1)</script>")
        #expect(r.status == 404)
        #expect(!PortalFixture.body(r).contains("<script>"))
    }
}
