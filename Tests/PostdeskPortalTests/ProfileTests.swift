import Foundation
import PostdeskCore
import PostdeskStore
import Testing
@testable import PostdeskPortal

@Suite struct ProfileTests {
    @Test func theProfileShowsTheAccountAndSavesNameLanguageAndTimeZone() throws {
        let f = try PortalFixture()
        let (_, password) = try f.customer("ann@client.test", name: "Ann <b>")
        var b = Browser(f)
        b.signIn("ann@client.test", password)
        let page = body(b.get("/profile"))
        #expect(page.contains("<html lang=\"en\">"))
        #expect(page.contains("value=\"Ann &lt;b&gt;\""))
        #expect(page.contains("<label for=\"timezone\">"))
        for code in Configuration.languages { #expect(page.contains("<option value=\"\(code)\"")) }

        #expect(b.post("/profile", [("action", "profile"), ("name", "Ann Nowak"), ("language", "pl"), ("timezone", "Europe/Warsaw")]).status == 303)
        let account = try #require(try f.store.customerAccount(address: "ann@client.test"))
        #expect(account.name == "Ann Nowak" && account.language == "pl" && account.timezone == "Europe/Warsaw")
        // The account's language is the page's from now on.
        let polish = body(b.get("/profile?done=saved"))
        #expect(polish.contains("<html lang=\"pl\">") && polish.contains(Strings("pl")("profile.saved")))

        for zone in ["Mars/Olympus", "../../etc/passwd", "/etc/localtime", "Europe/Warsaw\n"] {
            let r = b.post("/profile", [("action", "profile"), ("name", "Ann"), ("language", "pl"), ("timezone", zone)])
            #expect(r.status == 400 || zone.hasSuffix("\n"), "\(zone)")
        }
        #expect(b.post("/profile", [("action", "profile"), ("name", "Ann"), ("language", "xx"), ("timezone", "")]).status == 400)
        #expect(try f.store.customerAccount(address: "ann@client.test")?.timezone == "Europe/Warsaw")
    }

    @Test func theProfileNeedsASession() throws {
        let f = try PortalFixture()
        #expect(location(f.request("GET", "/profile")) == "/sign-in?next=%2Fprofile")
        #expect(f.request("POST", "/profile", form: [("name", "x")]).status == 303)
    }
}
