// OWNER: helper "codecs". Stub signatures; keep them.

/// RFC 2047 encoded words (`=?charset?B|Q?...?=`).
public enum EncodedWords {
    /// Decodes every encoded word in `text` (unstructured text such as Subject, or a display name / phrase).
    public static func decode(_ text: String) -> DecodedText {
        DecodedText(text: text)
    }
}
