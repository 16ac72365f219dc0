import PostdeskCore
import PostdeskMail
import PostdeskSystem

/// `postdesk inspect [--json] PATH...`: parse messages and print what Postdesk reads in them.
enum InspectCommand: PostdeskCommand {
    static let name = "inspect"
    static let summary = "parse messages (files, folders, maildirs) and print their structure"
    static let help = """
        usage: postdesk inspect [--json] PATH...

        Parses each message and prints what Postdesk reads in it: subject, addresses, date, message ids,
        the text a helpdesk shows, attachments, the automatic-mail verdict and every defect that was
        repaired. PATH may be a message file, or a folder or maildir, walked recursively in name order
        (dot-files, maildir tmp/ folders, README*, LICENSE* and COPYING* files are skipped). Needs no config.

          --json   one JSON object per message (INTERFACE.md); a JSON array when there are several

        Exit status: 0, or 65 when a file could not be read (it is reported and the others still printed),
        64 for a usage error.
        """

    static func run(_ arguments: [String], _ context: CommandContext) throws(CommandError) -> ExitCode {
        var json = false
        var paths: [String] = []
        var endOfOptions = false
        for arg in arguments {
            if !endOfOptions && arg == "--json" { json = true }
            else if !endOfOptions && arg == "--" { endOfOptions = true }
            else if !endOfOptions && arg.hasPrefix("-") && arg != "-" {
                throw CommandError(.usage, "unknown option \(arg)\n\n" + help)
            } else { paths.append(arg) }
        }
        guard !paths.isEmpty else { throw CommandError(.usage, "needs at least one PATH\n\n" + help) }

        var files: [String] = []
        var failures: [(String, String)] = []
        for path in paths {
            switch FileSystem.kind(of: path) {
            case .directory: collectFiles(path, into: &files, failures: &failures)
            case .file: files.append(path)
            case .other: failures.append((path, "not a regular file or folder"))
            case nil: failures.append((path, "no such file or folder"))
            }
        }

        let console = context.console
        let many = files.count + failures.count > 1 || paths.contains { FileSystem.kind(of: $0) == .directory }
        var failed = !failures.isEmpty
        if json && many { console.write("[") }
        var first = true
        func emit(_ value: JSONValue) {
            if json {
                if many { console.write(first ? "\n" : ",\n") }
                console.write(value.serialized())
                if !many { console.write("\n") }
            }
            first = false
        }
        for (path, problem) in failures {
            if json { emit(.object([("path", .string(path)), ("error", .string(problem))])) }
            else { console.error("postdesk inspect: \(path): \(problem)") }
        }
        for path in files {
            let bytes: [UInt8]
            do {
                bytes = try FileSystem.readFile(path)
            } catch {
                failed = true
                if json { emit(.object([("path", .string(path)), ("error", .string(error.description))])) }
                else { console.error("postdesk inspect: \(error.description)") }
                continue
            }
            let message = Message.parse(bytes)
            let summary = MessageSummary(message)
            if json {
                emit(summaryJSON(summary, path: path, attachedForwards: ReplyText.attachedForwards(message)))
            } else {
                if !first { console.print("") }
                console.write(plainSummary(summary, message: message, path: path, size: bytes.count))
                first = false
            }
        }
        if json && many { console.write(first ? "]\n" : "\n]\n") }
        return failed ? .dataError : .ok
    }

    /// Files under a folder, recursively and in name order; in a maildir, `new/` and `cur/` but not `tmp/`.
    static func collectFiles(_ dir: String, into files: inout [String], failures: inout [(String, String)]) {
        let names: [String]
        do { names = try FileSystem.list(dir) } catch {
            failures.append((dir, error.message))
            return
        }
        let isMaildir = names.contains("new") && names.contains("cur") && names.contains("tmp")
        for name in names {
            if name.hasPrefix(".") { continue }
            if isMaildir && name == "tmp" { continue }
            let upper = name.uppercased()
            if upper.hasPrefix("README") || upper.hasPrefix("LICENSE") || upper.hasPrefix("COPYING") { continue }
            let path = FileSystem.join(dir, name)
            switch FileSystem.kind(of: path) {
            case .directory: collectFiles(path, into: &files, failures: &failures)
            case .file: files.append(path)
            default: continue
            }
        }
    }

    // MARK: - JSON (INTERFACE.md)

    static func addressesJSON(_ list: [MailAddress]) -> JSONValue {
        .array(list.map { .object([("name", .optional($0.name)), ("address", .string($0.address))]) })
    }

    /// `attachedForwards`: messages attached as `message/rfc822` (`ReplyText.attachedForwards`), which the thread
    /// shows after the forwarded text, so `forwarded` holds them too.
    static func summaryJSON(_ s: MessageSummary, path: String, attachedForwards: [String] = []) -> JSONValue {
        var split = ReplyText.split(s.text)
        for forward in attachedForwards { split.addForwarded(forward) }
        return .object([
            ("path", .string(path)),
            ("subject", .optional(s.subject)),
            ("from", addressesJSON(s.from)),
            ("to", addressesJSON(s.to)),
            ("cc", addressesJSON(s.cc)),
            ("reply_to", addressesJSON(s.replyTo)),
            ("date", .optional(s.date?.iso8601)),
            ("message_id", .optional(s.messageID)),
            ("in_reply_to", .array(s.inReplyTo.map { .string($0) })),
            ("references", .array(s.references.map { .string($0) })),
            ("content_language", .optional(s.contentLanguage)),
            ("text", .string(s.text)),
            ("html", .optional(s.html)),
            ("attachments", .array(s.attachments.map { a in
                .object([
                    ("filename", .optional(a.filename)),
                    ("content_type", .string(a.contentType)),
                    ("size", .int(a.size)),
                    ("sha256", .string(a.sha256)),
                    ("inline", .bool(a.inline)),
                ])
            })),
            ("automatic", .optional(s.automatic?.description)),
            ("defects", .array(s.defects.map { .string($0.detail) })),
            ("from_field_count", .int(s.fromFieldCount)),
            // The reply split the thread shows (INTERFACE.md): the new text, the quoted history, a forwarded message.
            ("new_text", .string(split.new)),
            ("quoted", .optional(split.quoted)),
            ("forwarded", .optional(split.forwarded)),
            ("malformed_addresses", .array(s.malformedAddresses.map { m in
                .object([("field", .string(m.field)), ("name", .optional(m.address.name)), ("address", .string(m.address.address))])
            })),
        ])
    }

    // MARK: - Plain text for an operator

    static func format(_ a: MailAddress) -> String {
        if let name = a.name { return "\(name) <\(a.address)>" }
        return a.address
    }

    static func plainSummary(_ s: MessageSummary, message: Message, path: String, size: Int) -> String {
        var out = "== \(path) (\(size) bytes)\n"
        func line(_ label: String, _ value: String?) {
            guard let value, !value.isEmpty else { return }
            out += label + String(repeating: " ", count: max(1, 13 - label.count)) + value + "\n"
        }
        line("Subject:", s.subject ?? "(none)")
        line("From:", s.from.map(format).joined(separator: ", "))
        line("To:", s.to.map(format).joined(separator: ", "))
        line("Cc:", s.cc.map(format).joined(separator: ", "))
        line("Reply-To:", s.replyTo.map(format).joined(separator: ", "))
        line("Malformed:", s.malformedAddresses.map { "\($0.field): \(format($0.address))" }.joined(separator: ", "))
        line("Date:", s.date?.iso8601 ?? "(none or unreadable)")
        line("Message-ID:", s.messageID ?? "(none)")
        line("In-Reply-To:", s.inReplyTo.joined(separator: " "))
        if !s.references.isEmpty { line("References:", "\(s.references.count) ids, last \(s.references.last!)") }
        line("Language:", s.contentLanguage)
        line("Automatic:", s.automatic?.description ?? "no")
        out += "Structure:\n"
        message.root.walk { part in
            let depth = part.path.isEmpty ? 0 : part.path.split(separator: ".").count
            var desc = String(repeating: "  ", count: depth + 1) + (part.path.isEmpty ? "-" : part.path) + " " + part.contentType.mimeType
            if let cs = part.contentType.charset { desc += "; charset=\(cs)" }
            if case .single = part.content { desc += " (\(encodingName(part.transferEncoding)), \(part.body.count) bytes)" }
            if let f = part.filename { desc += " \"\(f)\"" }
            out += desc + "\n"
        }
        if !s.attachments.isEmpty {
            out += "Attachments:\n"
            for a in s.attachments {
                out += "  - \(a.filename ?? "(no name)") \(a.contentType), \(a.size) bytes\(a.inline ? ", inline" : ""), sha256 \(a.sha256.prefix(16))…\n"
            }
        }
        if !s.defects.isEmpty {
            out += "Defects:\n"
            for d in s.defects { out += "  - \(d.detail)\n" }
        }
        out += "Text\(s.textFromHTML ? " (converted from HTML)" : ""):\n"
        let lines = s.text.split(separator: "\n", omittingEmptySubsequences: false)
        for l in lines.prefix(15) { out += "  | \(l)\n" }
        if lines.count > 15 { out += "  | … (\(lines.count - 15) more lines)\n" }
        return out
    }

    static func encodingName(_ e: ContentTransferEncoding) -> String {
        switch e {
        case .sevenBit: return "7bit"
        case .eightBit: return "8bit"
        case .binary: return "binary"
        case .base64: return "base64"
        case .quotedPrintable: return "quoted-printable"
        case .uuencode: return "uuencode"
        case .other(let s): return s
        }
    }
}
