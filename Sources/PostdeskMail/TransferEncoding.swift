// OWNER: helper "codecs". Stub signatures; keep them.

/// A Content-Transfer-Encoding, read leniently (`7-bit`, `8bits`, `quoted printable`, ... are accepted).
public enum ContentTransferEncoding: Sendable, Hashable {
    case sevenBit, eightBit, binary, base64, quotedPrintable, uuencode
    /// A value that names no known encoding; the body is kept as it is.
    case other(String)

    /// Reads a Content-Transfer-Encoding header value; `nil` or empty means 7bit.
    public init(headerValue: String?) {
        self = .sevenBit
    }

    public static func parse(_ headerValue: String?) -> (encoding: ContentTransferEncoding, defect: MailDefect?) {
        (ContentTransferEncoding(headerValue: headerValue), nil)
    }
}

/// Decodes transfer-encoded bodies leniently.
public enum TransferDecoder {
    public static func decode(_ bytes: ArraySlice<UInt8>, encoding: ContentTransferEncoding) -> (bytes: [UInt8], defects: [MailDefect]) {
        (Array(bytes), [])
    }
}
