// OWNER: helper "html". Stub signatures; keep them.

/// Turns HTML mail bodies into readable plain text.
public enum HTMLText {
    /// Readable paragraphs, line breaks, lists and links (`text <url>`), no tags, entities decoded,
    /// scripts/styles/head dropped, whitespace collapsed as a browser would.
    public static func plainText(fromHTML html: String) -> String {
        html
    }
}
