/// Whether a mail's From address is its sender's, as the operator's own MTA judged it (RFC 8601
/// Authentication-Results), for customers and agents alike: an agent is proven exactly when verified.
///
/// Only fields the operator's MTA added count (RFC 8601 §5). Walking the header from the top, the trust window
/// holds the fields above the hop where the mail came in from outside: `Received` fields written by one of the
/// operator's hosts (`mta_hosts`, after `by`) for a hop between their own programs (loopback, no `from`, a
/// confirmed reverse name of their own) keep it open; the operator's `Received` for the hop from outside is the
/// last field in it; a `Received` written by anyone else (or without `by`) closes it. Of the
/// `Authentication-Results` fields inside, the topmost whose authserv-id is `trusted_authserv_id` is read;
/// fields below came with the mail and are ignored however they are named.
public enum SenderAuthentication {
    public enum Result: String, Sendable, Hashable, CaseIterable {
        /// DMARC pass, or DKIM or SPF pass aligned with the From domain.
        case verified
        /// An explicit DMARC fail, or a DKIM or SPF fail for the From domain with no aligned pass.
        case failed
        /// No verdict: no trusted field, or results that neither pass nor fail (none, neutral, softfail, ...).
        case unverified
    }

    public struct Verdict: Sendable, Hashable {
        public var result: Result
        public var reason: String
        /// The client that handed the mail to the operator's MTA: the `[address]` of the `from` clause of the
        /// operator's Received field that records the hop from outside, when there is one.
        public var clientIP: String?
        public var verified: Bool { result == .verified }
        public init(result: Result, reason: String, clientIP: String? = nil) {
            self.result = result; self.reason = reason; self.clientIP = clientIP
        }
    }

    /// The header fields as `(name, value)`, topmost first. `trustedID` nil (not configured) leaves every
    /// sender unverified. `ownHosts` are the host names the operator's MTAs write after `by` (lower-cased
    /// when compared); empty means just `trustedID`.
    public static func verify(fields: [(name: String, value: String)], trustedID: String?, ownHosts: [String] = [],
                              fromAddress: String) -> Verdict {
        guard let trusted = trustedID?.lowercased(), !trusted.isEmpty else {
            return Verdict(result: .unverified, reason: "trusted_authserv_id is not set: no Authentication-Results is trusted")
        }
        let hosts = Set((ownHosts.isEmpty ? [trusted] : ownHosts).map { $0.lowercased() })
        var chosen: String? = nil
        var clientIP: String? = nil
        var windowEnds = false
        for field in fields {
            switch field.name.lowercased() {
            case "received":
                guard let by = receivedBy(field.value), hosts.contains(by) else {
                    windowEnds = true  // written by someone else: it and everything below are the sender's
                    break
                }
                let hop = receivedFrom(field.value)
                if hop.isInternal(hosts) { continue }
                // The hop from outside: written by the operator's MTA, but everything below it came with the mail.
                clientIP = hop.ip
                windowEnds = true
            case "authentication-results":
                if chosen == nil, authservID(field.value) == trusted { chosen = field.value }
            default:
                break
            }
            if windowEnds { break }
        }
        let fromDomain = domain(of: fromAddress)
        guard let field = chosen else {
            return Verdict(result: .unverified, reason: "no Authentication-Results from \(trusted) above the first Received your MTA did not write",
                           clientIP: clientIP)
        }
        var seen: [String] = []
        var alignedPass: String? = nil
        var alignedFail: String? = nil
        var dmarcFail = false
        for (method, result, props) in results(field) {
            seen.append("\(method)=\(result)")
            let aligned: Bool
            switch method {
            case "dkim":
                let d = props["header.d"] ?? props["header.i"].map { domain(of: $0) } ?? ""
                aligned = d.lowercased() == fromDomain
            case "dmarc":
                // DMARC judges the From domain itself; header.from, when given, must be ours.
                aligned = props["header.from"].map { $0.lowercased() == fromDomain } ?? true
                if result == "fail" && aligned { dmarcFail = true }
            case "spf":
                let mailfrom = props["smtp.mailfrom"] ?? props["smtp.helo"].map { "@" + $0 } ?? ""
                aligned = domain(of: mailfrom) == fromDomain
            default:
                continue
            }
            guard aligned else { continue }
            if result == "pass", alignedPass == nil { alignedPass = "\(method.uppercased()) pass for \(fromDomain)" }
            if result == "fail", alignedFail == nil { alignedFail = "\(method.uppercased()) fail for \(fromDomain)" }
        }
        let list = seen.isEmpty ? "no results" : seen.joined(separator: ", ")
        if dmarcFail {
            return Verdict(result: .failed, reason: "DMARC fail for \(fromDomain) (\(trusted): \(list))", clientIP: clientIP)
        }
        if let pass = alignedPass {
            return Verdict(result: .verified, reason: "\(pass) (\(trusted))", clientIP: clientIP)
        }
        if let fail = alignedFail {
            return Verdict(result: .failed, reason: "\(fail) and no aligned pass (\(trusted): \(list))", clientIP: clientIP)
        }
        return Verdict(result: .unverified, reason: "\(trusted) found no DKIM, DMARC or aligned SPF pass for \(fromDomain) (\(list))",
                       clientIP: clientIP)
    }

    // MARK: - Reading the fields

    static func domain(of address: String) -> String {
        (address.split(separator: "@").last.map(String.init) ?? address).lowercased().trimmingCharacters(in: "<> ")
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

    static func words(_ s: some StringProtocol) -> [Substring] {
        s.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" }).map { Substring($0) }
    }

    static func authservID(_ field: String) -> String {
        let head = stripComments(field).split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        return words(head).first.map { $0.lowercased() } ?? ""
    }

    /// The host after `by` in a Received field (comments taken out), lower-cased; nil without one.
    static func receivedBy(_ value: String) -> String? {
        let tokens = words(stripComments(value).split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
        guard let i = tokens.firstIndex(where: { $0.lowercased() == "by" }), i + 1 < tokens.count else { return nil }
        let host = tokens[i + 1].lowercased()
        return host.isEmpty ? nil : host
    }

    /// The `from` clause of a Received field as Postfix writes it: `from HELO (RDNS [IP])`.
    struct Hop: Equatable {
        var present = false
        var helo: String? = nil
        var rdns: String? = nil
        var ip: String? = nil

        /// A hop between the operator's own programs or hosts (a content filter on loopback, a local
        /// submission without `from`, a host whose confirmed reverse name is one of `hosts`). The HELO name alone
        /// never makes a hop internal: the client chooses it.
        func isInternal(_ hosts: Set<String>) -> Bool {
            guard present else { return true }
            if let ip { return ip.hasPrefix("127.") || ip == "::1" || rdns.map { hosts.contains($0) } == true }
            return rdns.map { $0 == "localhost" || hosts.contains($0) } ?? (helo.map { $0 == "localhost" || hosts.contains($0) } ?? false)
        }
    }

    static func receivedFrom(_ value: String) -> Hop {
        let text = value.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? value
        let tokens = words(stripComments(text))
        guard tokens.first?.lowercased() == "from" else { return Hop() }
        var hop = Hop(present: true, helo: tokens.count > 1 ? tokens[1].lowercased() : nil)
        // The comment right after the HELO name: `(rdns [ip])`, `([ip])`, `(unknown [ip])`.
        let lower = text.lowercased()
        let end = lower.firstRange(of: " by ").map { lower[..<$0.lowerBound] } ?? Substring(lower)
        if let open = end.firstIndex(of: "("), let close = end[open...].firstIndex(of: ")") {
            let inner = end[end.index(after: open)..<close]
            if let lb = inner.firstIndex(of: "["), let rb = inner[lb...].firstIndex(of: "]") {
                var ip = String(inner[inner.index(after: lb)..<rb]).lowercased()
                if ip.hasPrefix("ipv6:") { ip = String(ip.dropFirst(5)) }
                if !ip.isEmpty, ip.count <= 45, ip.allSatisfy({ $0.isHexDigit || $0 == "." || $0 == ":" }) { hop.ip = ip }
                let name = words(inner[..<lb]).first.map { $0.lowercased() }
                if let name, name != "unknown" { hop.rdns = name }
            } else if let name = words(inner).first?.lowercased(), name != "unknown" {
                hop.rdns = name
            }
        }
        return hop
    }

    /// Each `method=result prop=value ...` of the field.
    static func results(_ field: String) -> [(String, String, [String: String])] {
        let parts = stripComments(field).split(separator: ";").dropFirst()
        var out: [(String, String, [String: String])] = []
        for part in parts {
            let tokens = words(part)
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
