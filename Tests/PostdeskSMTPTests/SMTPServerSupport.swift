import Foundation

let repositoryRoot: String = {
    var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
    parts.removeLast(3)
    return parts.joined(separator: "/")
}()

/// A real SMTP server (aiosmtpd, Tests/Support/smtp_sink.py) on loopback, started and stopped by the test.
final class SMTPSink {
    let process = Process()
    let out: String
    let port: Int

    init(_ options: [String] = []) throws {
        out = NSTemporaryDirectory() + "smtp-sink-" + UUID().uuidString
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", repositoryRoot + "/Tests/Support/smtp_sink.py", out] + options
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        // The server prints "PORT n" once it listens.
        var line = Data()
        let handle = pipe.fileHandleForReading
        while !line.contains(0x0A) {
            let chunk = handle.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        let text = String(decoding: line, as: UTF8.self)
        guard text.hasPrefix("PORT "), let p = Int(text.dropFirst(5).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            process.terminate()
            throw NSError(domain: "SMTPSink", code: 1, userInfo: [NSLocalizedDescriptionKey: "sink did not start: \(text)"])
        }
        port = p
    }

    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(atPath: out)
    }

    /// Accepted messages, oldest first (each begins with X-Sink-Rcpt / X-Sink-From / X-Sink-Session lines).
    var messages: [String] {
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: out)) ?? []).filter { $0.hasSuffix(".eml") }.sorted()
        return files.compactMap { try? String(contentsOfFile: out + "/" + $0, encoding: .utf8) }
    }

    var sessions: Int { Int((try? String(contentsOfFile: out + "/sessions", encoding: .utf8)) ?? "0") ?? 0 }
}

/// A self-signed certificate for 127.0.0.1, made with openssl for one test run.
struct TestCertificate {
    let cert: String
    let key: String

    init() throws {
        let dir = NSTemporaryDirectory() + "pd-cert-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        cert = dir + "/cert.pem"
        key = dir + "/key.pem"
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                       "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", cert]
        p.standardError = FileHandle.nullDevice
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
    }
}
