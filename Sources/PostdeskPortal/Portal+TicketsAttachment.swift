import PostdeskDaemon
import PostdeskHTTP
import PostdeskStore
import PostdeskSystem

// `/tickets/N/attachments/ID`: one route for every attachment, which asks the store (and so TicketAccess) every
// time; always a download, never shown inline, in a sandbox, with a type that cannot run script.
extension Portal {
    func attachmentDownload(_ ctx: inout RequestContext, _ session: PortalSession, _ number: Int64, _ id: Int64) throws -> HTTPResponse {
        guard let a = try readers.with({ try $0.portalAttachment(id, ticket: number, viewer: session.address) }) else {
            throw PageFailure.notFound
        }
        let path = DataDirectory(config.helpdesk.dataDir).attachmentPath(sha256: a.sha256)
        guard a.sha256.count == 64, a.sha256.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }),
              FileSystem.kind(of: path) == .file
        else {
            log(.warning, "portal: attachment \(id) of #\(number): its file is missing from the attachment store")
            throw PageFailure.notFound
        }
        return HTTPResponse(status: 200, headers: AttachmentHeaders.headers(filename: a.filename, contentType: a.contentType), body: .file(path: path))
    }
}

/// The headers of an attachment download (RFC 6266, RFC 5987; portal-anchors.md §2).
enum AttachmentHeaders {
    static func headers(filename: String?, contentType: String) -> [(name: String, value: String)] {
        let name = (filename?.isEmpty == false ? filename! : "attachment")
        return [
            ("Content-Type", safeType(contentType)),
            ("Content-Disposition", disposition(name)),
            ("X-Content-Type-Options", "nosniff"),
            ("Content-Security-Policy", "sandbox; default-src 'none'"),
        ]
    }

    /// `attachment; filename="ASCII"; filename*=UTF-8''PERCENT-ENCODED`.
    static func disposition(_ name: String) -> String {
        // No path, no control characters, at most 200 characters.
        let base = String(name.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last ?? "attachment")
        let clean = String(String.UnicodeScalarView(base.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }).prefix(200))
        let usable = clean.isEmpty ? "attachment" : clean
        let ascii = String(String.UnicodeScalarView(usable.unicodeScalars.map { c -> Unicode.Scalar in
            c.isASCII && c != "\"" && c != "\\" && c != "%" && c != ";" ? c : "_"
        }))
        return "attachment; filename=\"\(ascii)\"; filename*=UTF-8''\(HTML.urlEncode(usable))"
    }

    /// The stored type when it is a plain `type/subtype` that no browser runs as a page or script; else
    /// `application/octet-stream`. Parameters (charset, ...) are dropped.
    static func safeType(_ stored: String) -> String {
        let bare = (stored.split(separator: ";").first.map(String.init) ?? "").lowercased().filter { $0 != " " && $0 != "\t" }
        let parts = bare.split(separator: "/", omittingEmptySubsequences: false)
        let tokenChars = Set("abcdefghijklmnopqrstuvwxyz0123456789!#$&^_.+-")
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty, bare.count <= 100, bare.allSatisfy({ tokenChars.contains($0) || $0 == "/" })
        else { return "application/octet-stream" }
        let major = parts[0]
        let scriptable = ["html", "xml", "svg", "script", "flash", "shockwave", "x-httpd", "php", "wasm", "css", "cache-manifest"]
        if scriptable.contains(where: { bare.contains($0) }) { return "application/octet-stream" }
        if ["multipart", "message", "model"].contains(major) { return "application/octet-stream" }
        if major == "text", !["text/plain", "text/csv", "text/calendar", "text/vcard"].contains(bare) { return "application/octet-stream" }
        return bare
    }
}
