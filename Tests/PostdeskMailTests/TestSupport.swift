@testable import PostdeskMail
import PostdeskSystem
import Testing

/// Builds a message from text lines joined with `ending` (CRLF by default).
func message(_ lines: [String], ending: String = "\r\n", limits: ParseLimits = .default) -> Message {
    Message.parse(Array(lines.joined(separator: ending).utf8), limits: limits)
}

func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

/// The repository root, found from this file's path (Tests/PostdeskMailTests/TestSupport.swift).
let repositoryRoot: String = {
    var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
    parts.removeLast(3)
    return parts.joined(separator: "/")
}()

/// `../shared` beside the repository (the development corpus and the Python peer live there).
let sharedFolder = repositoryRoot + "/../shared"

/// Whether the shared corpus is there: on CI it is; a clean clone has no `../shared`, and the tests that read the
/// corpus are skipped (`.enabled(if: sharedCorpusIsPresent, sharedCorpusAbsent)`), each with this reason.
let sharedCorpusIsPresent = FileSystem.kind(of: sharedFolder + "/corpus") == .directory
let sharedCorpusAbsent = Comment(rawValue: "the shared corpus is not at \(sharedFolder)/corpus (a clean clone has no ../shared beside it; CI has it)")
