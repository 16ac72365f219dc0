import Foundation

/// The connection counters of a misbehaving sink (`--hang`, `--trickle`): what a test looks at to know that
/// a send is under way on the server's side.
extension SMTPSink {
    /// Connections accepted since the sink started.
    public var acceptedConnections: Int { counter("accepted") }
    /// Connections open now (the client has not closed them).
    public var openConnections: Int { counter("open") }

    private func counter(_ name: String) -> Int {
        Int((try? String(contentsOfFile: out + "/" + name, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "0") ?? 0
    }
}
