/// Whether a mail that claims an agent's From address really is the agent's (RFC 8601 Authentication-Results).
///
/// Only the topmost Authentication-Results field whose authserv-id is the trusted one counts: fields added
/// further away (or by the sender) are ignored. The mail passes with DKIM pass for the From domain, DMARC pass
/// for it, or (as a fallback) SPF pass for an envelope sender in the From domain.
public enum AgentAuthentication {
    public struct Verdict: Sendable, Hashable {
        public var passed: Bool
        public var reason: String
        public init(passed: Bool, reason: String) { self.passed = passed; self.reason = reason }
    }

    /// `fields`: the Authentication-Results values, topmost first.
    public static func verify(fields: [String], trustedID: String, fromAddress: String) -> Verdict {
        let fromDomain = fromAddress.split(separator: "@").last.map { $0.lowercased() } ?? ""
        guard let field = fields.first(where: { authservID($0) == trustedID.lowercased() }) else {
            return Verdict(passed: false, reason: "no Authentication-Results from \(trustedID)")
        }
        var seen: [String] = []
        for (method, result, props) in results(field) {
            seen.append("\(method)=\(result)")
            guard result == "pass" else { continue }
            switch method {
            case "dkim":
                let d = props["header.d"] ?? props["header.i"].flatMap { $0.split(separator: "@").last.map(String.init) } ?? ""
                if d.lowercased() == fromDomain { return Verdict(passed: true, reason: "DKIM pass for \(fromDomain) (\(trustedID))") }
            case "dmarc":
                if (props["header.from"] ?? "").lowercased() == fromDomain {
                    return Verdict(passed: true, reason: "DMARC pass for \(fromDomain) (\(trustedID))")
                }
            case "spf":
                let mailfrom = props["smtp.mailfrom"] ?? ""
                let domain = (mailfrom.split(separator: "@").last.map(String.init) ?? mailfrom).lowercased()
                if domain == fromDomain { return Verdict(passed: true, reason: "SPF pass aligned with \(fromDomain) (\(trustedID))") }
            default: continue
            }
        }
        return Verdict(passed: false, reason: "\(trustedID) found no DKIM, DMARC or aligned SPF pass for \(fromDomain) (\(seen.isEmpty ? "no results" : seen.joined(separator: ", ")))")
    }

    static func stripComments(_ s: String) -> String {
        var out = ""
        var depth = 0
        var quoted = false
        for c in s {
            if c == "\"" && depth == 0 { quoted.toggle() }
            if !quoted && c == "(" { depth += 1; continue }
            if !quoted && c == ")" && depth > 0 { depth -= 1; continue }
            if depth == 0 { out.append(c) }
        }
        return out
    }

    static func authservID(_ field: String) -> String {
        let head = stripComments(field).split(separator: ";", maxSplits: 1).first ?? ""
        return head.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" }).first.map { $0.lowercased() } ?? ""
    }

    /// Each `method=result prop=value ...` of the field.
    static func results(_ field: String) -> [(String, String, [String: String])] {
        let parts = stripComments(field).split(separator: ";").dropFirst()
        var out: [(String, String, [String: String])] = []
        for part in parts {
            let tokens = part.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" })
            guard let first = tokens.first, let eq = first.firstIndex(of: "=") else { continue }
            let method = first[..<eq].lowercased()
            let result = first[first.index(after: eq)...].lowercased()
            var props: [String: String] = [:]
            for t in tokens.dropFirst() {
                guard let e = t.firstIndex(of: "=") else { continue }
                props[t[..<e].lowercased()] = String(t[t.index(after: e)...]).trimmingCharacters(in: "\"")
            }
            out.append((method, result, props))
        }
        return out
    }
}
