// libFuzzer entry point for the mail parser: every reader runs on every input
// (tree, headers, addresses, dates, ids, charsets, bodies, HTML to text, attachments, verdict).
// Built only with POSTDESK_FUZZ=1 (see Package.swift and Tests/fuzz.sh).
import PostdeskMail

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzParser(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    var limits = ParseLimits()
    limits.maxParts = 200
    let message = Message.parse(bytes, limits: limits)
    let summary = MessageSummary(message)
    _ = summary.date?.iso8601
    // Readers that are also used on their own, fed the whole input as one header value.
    let text = String(decoding: bytes.prefix(4096), as: UTF8.self)
    _ = AddressParser.parseList(text)
    _ = DateParser.parse(text)
    _ = MessageIDParser.parseList(text)
    _ = EncodedWords.decode(text)
    _ = ParameterizedValue.parse(text)
    return 0
}
