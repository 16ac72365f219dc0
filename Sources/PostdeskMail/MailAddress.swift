// OWNER: helper "fields". Stub signatures; keep them.

/// One mailbox from an address header.
public struct MailAddress: Sendable, Hashable {
    /// Display name, RFC 2047 decoded and unquoted; nil when there is none.
    public var name: String?
    /// `local@domain` as written (quotes around the local part kept only where needed). May lack `@`
    /// for malformed input.
    public var address: String
    /// The group this mailbox was listed in (`Team: a@x, b@y;`), if any.
    public var group: String?

    public init(name: String? = nil, address: String, group: String? = nil) {
        self.name = name
        self.address = address
        self.group = group
    }
}

/// RFC 5322 address lists, read leniently.
public enum AddressParser {
    /// Parses an address list (From, To, Cc, Reply-To, ...): groups are flattened into their members.
    public static func parseList(_ text: String) -> (addresses: [MailAddress], defects: [MailDefect]) {
        ([], [])
    }
}
