// OWNER: helper "fields". Stub signatures; keep them.

/// Message-ID, In-Reply-To and References.
public enum MessageIDParser {
    /// Every id in the value, in order, without angle brackets, even when malformed.
    public static func parseList(_ text: String) -> (ids: [String], defects: [MailDefect]) {
        ([], [])
    }
}
