// OWNER: helper "codecs". Stub signatures; keep them.

/// Character set decoding through iconv (Glibc), with aliases and fallbacks for lying labels.
public enum Charset {
    /// Decodes `bytes` labelled with `label` (a MIME charset name, any case, possibly bogus) to a String.
    /// Never fails: unknown labels and undecodable bytes are read leniently and reported as defects.
    public static func decode<C: Collection>(_ bytes: C, label: String?) -> DecodedText where C.Element == UInt8 {
        DecodedText(text: String(decoding: Array(bytes), as: UTF8.self))
    }
}
