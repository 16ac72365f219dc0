import Foundation
import PostdeskTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The files in deploy/, checked with systemd's own tools (systemd 252 on Debian 12), and install.sh run for
/// real into a staging folder. Nothing here touches the machine's users, /etc or services.
@Suite struct DeployTests {
    static let deploy = repositoryRoot + "/deploy"

    static func temporaryFolder(_ label: String) throws -> String {
        let dir = NSTemporaryDirectory() + "pd-deploy-\(label)-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    static func read(_ path: String) -> String { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }

    /// The unit with ExecStart= pointing at the binary under test, written into `dir`. `systemd-analyze verify`
    /// checks that ExecStart's program exists, so the installed path (/usr/local/bin/postdesk) cannot be used
    /// here. (User=postdesk needs no such user: verify does not resolve users, the service manager does at start.)
    static func unitForVerify(_ unit: String, in dir: String, execStart installed: String, command: String = "run") throws -> String {
        let text = read(unit)
        #expect(text.contains("\nExecStart=\(installed) --config /etc/postdesk/postdesk.conf \(command)\n"), "\(text)")
        let path = dir + "/" + (unit.split(separator: "/").last.map(String.init) ?? "postdesk.service")
        try text.replacingOccurrences(of: "\nExecStart=\(installed) ", with: "\nExecStart=\(postdeskBinary) ")
            .write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// `systemd-analyze verify` exits 0 even on warnings, so any output at all is a failure.
    static func verify(_ path: String) throws {
        let r = try runCommand("systemd-analyze", ["verify", path], seconds: 120)
        #expect(r.status == 0)
        #expect(r.stdout.isEmpty && r.stderr.isEmpty, "systemd-analyze verify \(path):\n\(r.stdout)\(r.stderr)")
    }

    @Test func theUnitVerifiesWithoutAWord() throws {
        let dir = try Self.temporaryFolder("unit")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.verify(try Self.unitForVerify(Self.deploy + "/postdesk.service", in: dir, execStart: "/usr/local/bin/postdesk"))
    }

    /// The portal's own unit (and its optional socket) pass the same check.
    @Test func thePortalUnitVerifiesWithoutAWord() throws {
        let dir = try Self.temporaryFolder("portal-unit")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let unit = try Self.unitForVerify(Self.deploy + "/postdesk-portal.service", in: dir, execStart: "/usr/local/bin/postdesk", command: "portal")
        try Self.read(Self.deploy + "/postdesk-portal.socket").write(toFile: dir + "/postdesk-portal.socket", atomically: true, encoding: .utf8)
        try Self.verify(unit)
        try Self.verify(dir + "/postdesk-portal.socket")
        let lines = Set(Self.read(unit).split(separator: "\n").map(String.init))
        for line in ["Type=notify", "NotifyAccess=main", "ExecReload=/bin/kill -HUP $MAINPID", "ProtectSystem=strict", "NoNewPrivileges=yes",
                     "MemoryDenyWriteExecute=yes", "SystemCallFilter=@system-service", "CapabilityBoundingSet=", "ReadWritePaths=/var/lib/postdesk"] {
            #expect(lines.contains(line), "deploy/postdesk-portal.service lacks \(line)")
        }
    }

    /// What the daemon relies on (the notify protocol, the reload signal, the watchdog it pings at half the
    /// interval, the credential the config may use), and a sandbox that stays tight: systemd's own rating.
    @Test func theUnitDeclaresWhatTheDaemonNeedsAndKeepsItsSandbox() throws {
        let text = Self.read(Self.deploy + "/postdesk.service")
        let lines = Set(text.split(separator: "\n").map(String.init))
        for line in [
            "Type=notify", "NotifyAccess=main", "ExecReload=/bin/kill -HUP $MAINPID", "WatchdogSec=60s", "Restart=on-failure",
            "RestartSec=5s", "TimeoutStopSec=60s", "User=postdesk", "Group=postdesk", "StateDirectory=postdesk",
            "StateDirectoryMode=0750", "RuntimeDirectory=postdesk", "LoadCredential=smtp:/etc/postdesk/smtp-password",
            "ProtectSystem=strict", "ReadWritePaths=/var/lib/postdesk /var/mail/postdesk", "NoNewPrivileges=yes",
            "PrivateTmp=yes", "ProtectHome=yes", "PrivateDevices=yes", "MemoryDenyWriteExecute=yes",
            "SystemCallFilter=@system-service", "SystemCallArchitectures=native", "CapabilityBoundingSet=", "UMask=0027",
            "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6",
        ] {
            #expect(lines.contains(line), "deploy/postdesk.service lacks \(line)")
        }
        let dir = try Self.temporaryFolder("security")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let unit = try Self.unitForVerify(Self.deploy + "/postdesk.service", in: dir, execStart: "/usr/local/bin/postdesk")
        // Exposure 0 (locked down) to 10 (unprotected), times 10 for --threshold: at most 2.0 ("OK").
        let r = try runCommand("systemd-analyze", ["security", "--offline=true", "--threshold=20", "--no-pager", unit], seconds: 120)
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(!r.stderr.contains(unit), "systemd read the unit without complaint: \(r.stderr)")
    }

    /// sysusers and tmpfiles applied to an empty root folder (--root): the user, then the folders owned by it
    /// with their modes. systemd 252's systemd-tmpfiles has no --dry-run; --root is the way to try it.
    @Test func sysusersAndTmpfilesMakeTheUserAndFoldersInAnEmptyRoot() throws {
        let root = try Self.temporaryFolder("root")
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root + "/etc", withIntermediateDirectories: true)
        let dry = try runCommand("systemd-sysusers", ["--dry-run", Self.deploy + "/postdesk.sysusers"], seconds: 60)
        #expect(dry.status == 0, "\(dry.stdout)\(dry.stderr)")
        let users = try runCommand("systemd-sysusers", ["--root=" + root, Self.deploy + "/postdesk.sysusers"], seconds: 60)
        #expect(users.status == 0, "\(users.stdout)\(users.stderr)")
        let passwd = Self.read(root + "/etc/passwd").split(separator: "\n").first { $0.hasPrefix("postdesk:") }.map(String.init)
        let fields = try #require(passwd, "no postdesk user in \(root)/etc/passwd").split(separator: ":", omittingEmptySubsequences: false)
        #expect(fields.count == 7)
        #expect(fields[5] == "/var/lib/postdesk")
        #expect(fields[6].hasSuffix("nologin"))
        let uid = try #require(UInt32(fields[2])), gid = try #require(UInt32(fields[3]))
        #expect(uid > 0 && uid < 1000, "a system user")
        #expect(Self.read(root + "/etc/group").split(separator: "\n").contains { $0.hasPrefix("postdesk:x:\(gid):") })

        let tmpfiles = try runCommand("systemd-tmpfiles", ["--root=" + root, "--create", Self.deploy + "/postdesk.tmpfiles"], seconds: 60)
        #expect(tmpfiles.status == 0, "\(tmpfiles.stdout)\(tmpfiles.stderr)")
        #expect(tmpfiles.stdout.isEmpty && tmpfiles.stderr.isEmpty, "\(tmpfiles.stdout)\(tmpfiles.stderr)")
        for (path, mode) in [
            ("/var/lib/postdesk", 0o750), ("/var/mail/postdesk", 0o750), ("/var/mail/postdesk/support", 0o700),
            ("/var/mail/postdesk/support/new", 0o700), ("/var/mail/postdesk/support/cur", 0o700), ("/var/mail/postdesk/support/tmp", 0o700),
        ] {
            var st = stat()
            #expect(stat(root + path, &st) == 0, "\(path) was not made")
            #expect(st.st_mode & S_IFMT == S_IFDIR, "\(path) is a folder")
            #expect(st.st_mode & 0o7777 == mode, "\(path): mode \(String(st.st_mode & 0o7777, radix: 8))")
            #expect(st.st_uid == uid && st.st_gid == gid, "\(path) belongs to postdesk")
        }
        // Applying them again changes nothing and says nothing.
        let again = try runCommand("systemd-tmpfiles", ["--root=" + root, "--create", Self.deploy + "/postdesk.tmpfiles"], seconds: 60)
        #expect(again.status == 0 && again.stderr.isEmpty, "\(again.stderr)")
    }

    /// Everything that exists (or not) on the real system where install.sh would put things.
    static func systemSnapshot() -> [String: Bool] {
        var result: [String: Bool] = [:]
        for path in [
            "/etc/postdesk", "/etc/systemd/system/postdesk.service", "/etc/sysusers.d/postdesk.conf", "/etc/tmpfiles.d/postdesk.conf",
            "/usr/local/bin/postdesk", "/usr/local/share/doc/postdesk", "/usr/lib/systemd/system/postdesk.service", "/var/lib/postdesk",
            "/var/mail/postdesk",
        ] {
            result[path] = FileManager.default.fileExists(atPath: path)
        }
        result["user postdesk"] = getpwnam("postdesk") != nil
        return result
    }

    static func installScript(_ arguments: [String], environment: [String: String] = [:]) throws -> ProcessOutput {
        var env = ProcessInfo.processInfo.environment
        env["DESTDIR"] = nil
        for (k, v) in environment { env[k] = v }
        return try runCommand("bash", [deploy + "/install.sh"] + arguments, environment: env, seconds: 300)
    }

    /// All files below `dir`, relative, with their modes.
    static func tree(_ dir: String) -> [String: Int] {
        var result: [String: Int] = [:]
        let walker = FileManager.default.enumerator(atPath: dir)!
        while let rel = walker.nextObject() as? String {
            var st = stat()
            guard lstat(dir + "/" + rel, &st) == 0, st.st_mode & S_IFMT == S_IFREG else { continue }
            result[rel] = Int(st.st_mode & 0o7777)
        }
        return result
    }

    /// `install.sh --destdir DIR` stages every file under DIR and touches nothing else: no user, no /etc, no
    /// systemctl. Run twice it changes nothing, and it never replaces the operator's config.
    @Test func installScriptStagesUnderDestdirAndIsIdempotent() throws {
        let stage = try Self.temporaryFolder("stage")
        defer { try? FileManager.default.removeItem(atPath: stage) }
        let before = Self.systemSnapshot()
        let r = try Self.installScript(["--destdir", stage, "--binary", postdeskBinary])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(Self.systemSnapshot() == before, "install.sh --destdir touched the system")

        let files = Self.tree(stage)
        let expected: [String: Int] = [
            "usr/local/bin/postdesk": 0o755,
            "etc/systemd/system/postdesk.service": 0o644,
            "etc/systemd/system/postdesk-portal.service": 0o644,
            "etc/systemd/system/postdesk-portal.socket": 0o644,
            "etc/sysusers.d/postdesk.conf": 0o644,
            "etc/tmpfiles.d/postdesk.conf": 0o644,
            "etc/postdesk/postdesk.conf": 0o644,
            "etc/postdesk/smtp-password": 0o600,
            "etc/postdesk/templates/README.md": 0o644,
            "usr/local/share/doc/postdesk/operations.md": 0o644,
            "usr/local/share/doc/postdesk/postdesk.conf.example": 0o644,
            "usr/local/share/doc/postdesk/postfix/main.cf.snippet": 0o644,
            "usr/local/share/doc/postdesk/postfix/README": 0o644,
            "usr/local/share/doc/postdesk/nginx/postdesk-portal.conf": 0o644,
        ]
        #expect(files == expected, "\(files)")
        #expect(FileManager.default.contentsEqual(atPath: stage + "/usr/local/bin/postdesk", andPath: postdeskBinary))
        #expect(Self.read(stage + "/etc/sysusers.d/postdesk.conf") == Self.read(Self.deploy + "/postdesk.sysusers"))
        #expect(Self.read(stage + "/etc/tmpfiles.d/postdesk.conf") == Self.read(Self.deploy + "/postdesk.tmpfiles"))
        #expect(Self.read(stage + "/etc/postdesk/smtp-password").isEmpty)
        let verifyDir = try Self.temporaryFolder("staged-unit")
        defer { try? FileManager.default.removeItem(atPath: verifyDir) }
        try Self.verify(try Self.unitForVerify(stage + "/etc/systemd/system/postdesk.service", in: verifyDir, execStart: "/usr/local/bin/postdesk"))

        // The operator edits the config and sets a password; a second run (an upgrade) keeps both.
        let mine = Self.read(stage + "/etc/postdesk/postdesk.conf") + "\n# edited by the operator\n"
        try mine.write(toFile: stage + "/etc/postdesk/postdesk.conf", atomically: true, encoding: .utf8)
        try "s3cret\n".write(toFile: stage + "/etc/postdesk/smtp-password", atomically: true, encoding: .utf8)
        let again = try Self.installScript(["--binary", postdeskBinary], environment: ["DESTDIR": stage])
        #expect(again.status == 0, "\(again.stdout)\(again.stderr)")
        #expect(Self.tree(stage).keys.sorted() == expected.keys.sorted())
        #expect(Self.read(stage + "/etc/postdesk/postdesk.conf") == mine)
        #expect(Self.read(stage + "/etc/postdesk/smtp-password") == "s3cret\n")
        #expect(again.stdout.contains("kept /etc/postdesk/postdesk.conf"), "\(again.stdout)")
        #expect(Self.systemSnapshot() == before)
    }

    /// A package's layout: --prefix /usr puts the binary in /usr/bin and the unit, sysusers and tmpfiles files
    /// under /usr/lib, with ExecStart= following the binary.
    @Test func installScriptWithPrefixUsrStagesAPackageLayout() throws {
        let stage = try Self.temporaryFolder("pkg")
        defer { try? FileManager.default.removeItem(atPath: stage) }
        let r = try Self.installScript(["--destdir", stage, "--prefix", "/usr", "--binary", postdeskBinary])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        let files = Set(Self.tree(stage).keys)
        for f in ["usr/bin/postdesk", "usr/lib/systemd/system/postdesk.service", "usr/lib/systemd/system/postdesk-portal.service",
                  "usr/lib/sysusers.d/postdesk.conf",
                  "usr/lib/tmpfiles.d/postdesk.conf", "usr/share/doc/postdesk/operations.md", "etc/postdesk/postdesk.conf"] {
            #expect(files.contains(f), "\(f) missing: \(files.sorted())")
        }
        #expect(!files.contains { $0.hasPrefix("etc/systemd") || $0.hasPrefix("usr/local") }, "\(files.sorted())")
        let dir = try Self.temporaryFolder("pkg-unit")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.verify(try Self.unitForVerify(stage + "/usr/lib/systemd/system/postdesk.service", in: dir, execStart: "/usr/bin/postdesk"))
    }

    /// The example config that install.sh puts in /etc/postdesk passes check-config once its folders exist:
    /// staged, then the user and folders made in the same root by the staged sysusers and tmpfiles files, then
    /// the config checked with its paths moved into that root.
    @Test func theInstalledExampleConfigChecksOut() throws {
        let stage = try Self.temporaryFolder("conf")
        defer { try? FileManager.default.removeItem(atPath: stage) }
        let r = try Self.installScript(["--destdir", stage, "--binary", postdeskBinary])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        let users = try runCommand("systemd-sysusers", ["--root=" + stage, stage + "/etc/sysusers.d/postdesk.conf"], seconds: 60)
        #expect(users.status == 0, "\(users.stderr)")
        let dirs = try runCommand("systemd-tmpfiles", ["--root=" + stage, "--create", stage + "/etc/tmpfiles.d/postdesk.conf"], seconds: 60)
        #expect(dirs.status == 0, "\(dirs.stderr)")
        let conf = Self.read(stage + "/etc/postdesk/postdesk.conf")
            .replacingOccurrences(of: "/var/lib/postdesk", with: stage + "/var/lib/postdesk")
            .replacingOccurrences(of: "/var/mail/postdesk", with: stage + "/var/mail/postdesk")
        #expect(conf.contains(stage + "/var/mail/postdesk/support"))
        try conf.write(toFile: stage + "/etc/postdesk/postdesk.conf", atomically: true, encoding: .utf8)
        let check = try runPostdesk(["--config", stage + "/etc/postdesk/postdesk.conf", "check-config"])
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        #expect(!check.stderr.contains("warning"), "\(check.stderr)")
    }

    @Test func installScriptRefusesUnknownArguments() throws {
        let r = try Self.installScript(["--frobnicate"])
        #expect(r.status == 64)
        #expect(r.stderr.contains("--frobnicate"))
        let help = try Self.installScript(["--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("--destdir"))
    }
}
