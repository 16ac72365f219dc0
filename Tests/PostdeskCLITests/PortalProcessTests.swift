import Foundation
import PostdeskTestSupport
import Testing

/// The customer portal through the real processes: `postdesk run` and `postdesk portal` over HTTP on loopback,
/// nginx in front where the test says so, Chromium for the browser test. The scenarios are Python scripts
/// (Tests/Support/portal_attack.py, portal_browser.py, over portal_harness.py); each prints `ok NAME` or
/// `FAIL NAME: why` per scenario and exits non-zero on any failure.
@Suite(.serialized) struct PortalProcessTests {
    static let support = repositoryRoot + "/Tests/Support"
    static var hasNginx: Bool { FileManager.default.isExecutableFile(atPath: "/usr/sbin/nginx") }
    static var hasBrowser: Bool {
        FileManager.default.isExecutableFile(atPath: "/usr/bin/chromium") && FileManager.default.isExecutableFile(atPath: "/usr/bin/chromedriver")
            && FileManager.default.fileExists(atPath: "/usr/lib/python3/dist-packages/selenium")
    }

    /// Runs a script with Debian's own Python (`/usr/bin/python3`, where python3-selenium is installed), else the
    /// `python3` on PATH.
    func run(_ script: String, _ arguments: [String], seconds: Double) throws -> ProcessOutput {
        let python = FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") ? "/usr/bin/python3" : "python3"
        let out = try runCommand(python, [Self.support + "/" + script, postdeskBinary] + arguments, seconds: seconds)
        if out.status != 0 {
            Issue.record("\(script) failed (exit \(out.status)):\n\(out.stdout.suffix(20000))\n\(out.stderr.suffix(8000))")
        }
        return out
    }

    /// Every access rule forged (requester, Cc participant, primary contact, colleague, agent, stranger), CSRF,
    /// fixation, cookie flags, links and codes, enumeration, rate limits, open redirects, XSS, uploads, malformed
    /// requests, slowloris, nginx in front, SIGHUP and SIGTERM.
    @Test(.enabled(if: PortalProcessTests.hasNginx, "needs nginx (deploy/install-build-deps.sh installs nginx-light)"))
    func asAnAttackerWould() throws {
        let out = try run("portal_attack.py", [], seconds: 600)
        #expect(out.stdout.contains("ok   test_csrf"))
        #expect(!out.stdout.contains("FAIL"))
    }

    /// Sign in by mailed link and by password, list, filter, open, reply with a file, print to PDF, open a new
    /// ticket, close it, sign out: in headless Chromium behind the nginx site. Screenshots of a failing step stay in
    /// the folder the failure names.
    @Test(.enabled(if: PortalProcessTests.hasBrowser && PortalProcessTests.hasNginx,
                   "needs chromium, chromium-driver, python3-selenium and nginx (deploy/install-build-deps.sh installs them)"))
    func inARealBrowser() throws {
        let shots = NSTemporaryDirectory() + "postdesk-portal-screenshots-" + UUID().uuidString
        let out = try run("portal_browser.py", [shots], seconds: 400)
        #expect(out.stdout.contains("ok   browser"))
        if out.status == 0 { try? FileManager.default.removeItem(atPath: shots) }
    }
}
