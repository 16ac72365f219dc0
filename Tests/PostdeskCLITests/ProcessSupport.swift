import Foundation
import PostdeskTestSupport

/// The repository root (Tests/PostdeskTestSupport knows it).
let repositoryRoot = testRepositoryRoot

/// The `postdesk` binary built next to this test bundle.
let postdeskBinary: String = {
    let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    var dir = URL(fileURLWithPath: exe).deletingLastPathComponent()
    // The test runner may live inside a .xctest bundle folder.
    for _ in 0..<3 {
        let candidate = dir.appendingPathComponent("postdesk").path
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        dir.deleteLastPathComponent()
    }
    return repositoryRoot + "/.build/debug/postdesk"
}()

typealias ProcessResult = ProcessOutput

/// Runs the real `postdesk` binary and waits for it (at most `seconds`; a hung run fails the test).
func runPostdesk(_ arguments: [String], environment: [String: String] = [:], seconds: Double = 600) throws -> ProcessResult {
    var env = ProcessInfo.processInfo.environment
    for (k, v) in environment { env[k] = v }
    return try runCommand(postdeskBinary, arguments, environment: env, seconds: seconds)
}
