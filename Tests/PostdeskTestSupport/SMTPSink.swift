import Foundation

public let testRepositoryRoot: String = {
    var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
    parts.removeLast(3)
    return parts.joined(separator: "/")
}()

/// The shared development corpus beside the repository (`../shared/corpus`): CI has it, a clean clone does not.
public let sharedCorpus = testRepositoryRoot + "/../shared/corpus"
public let sharedCorpusIsPresent: Bool = {
    var isDir: ObjCBool = false
    return FileManager.default.fileExists(atPath: sharedCorpus, isDirectory: &isDir) && isDir.boolValue
}()
/// Why a test that reads the shared corpus is skipped without it.
public let sharedCorpusAbsent = "the shared corpus is not at \(sharedCorpus) (a clean clone has no ../shared beside it; CI has it)"


/// A real SMTP server (aiosmtpd, Tests/Support/smtp_sink.py) on loopback, started and stopped by the test.
public final class SMTPSink {
    public let process: ChildProcess
    public let out: String
    public let port: Int

    public init(_ options: [String] = []) throws {
        out = NSTemporaryDirectory() + "smtp-sink-" + UUID().uuidString
        let (r, w) = try closeOnExecPipe()
        let fds = [r, w]
        defer { close(fds[0]) }
        do {
            process = try ChildProcess(
                "python3", [testRepositoryRoot + "/Tests/Support/smtp_sink.py", out] + options, stderrPath: out + ".stderr",
                stdoutFD: fds[1])
        } catch {
            close(fds[1])
            throw error
        }
        close(fds[1])
        // The server prints "PORT n" once it listens.
        let text = readLine(fd: fds[0], seconds: 30) ?? ""
        guard text.hasPrefix("PORT "), let p = Int(text.dropFirst(5).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            process.signal(SIGKILL)
            let err = (try? String(contentsOfFile: out + ".stderr", encoding: .utf8)) ?? ""
            throw NSError(domain: "SMTPSink", code: 1, userInfo: [NSLocalizedDescriptionKey: "sink did not start: \(text) \(err)"])
        }
        port = p
    }

    public func stop() {
        process.signal(SIGTERM)
        if !process.wait(seconds: 10) {
            process.signal(SIGKILL)
            process.wait(seconds: 5)
        }
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(atPath: out)
        unlink(out + ".stderr")
    }

    /// Accepted messages, oldest first (each begins with X-Sink-Rcpt / X-Sink-From / X-Sink-Session lines).
    public var messages: [String] {
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: out)) ?? []).filter { $0.hasSuffix(".eml") }.sorted()
        return files.compactMap { try? String(contentsOfFile: out + "/" + $0, encoding: .utf8) }
    }

    public var sessions: Int { Int((try? String(contentsOfFile: out + "/sessions", encoding: .utf8)) ?? "0") ?? 0 }
}

/// A self-signed certificate for 127.0.0.1, made with openssl for one test run.
public struct TestCertificate {
    public let cert: String
    public let key: String

    public init() throws {
        let dir = NSTemporaryDirectory() + "pd-cert-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        cert = dir + "/cert.pem"
        key = dir + "/key.pem"
        let r = try runCommand("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                       "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", cert], seconds: 60)
        guard r.status == 0 else { throw NSError(domain: "openssl", code: Int(r.status), userInfo: [NSLocalizedDescriptionKey: r.stderr]) }
    }
}
