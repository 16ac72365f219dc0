// OWNER: helper "html". Stub signatures; keep them.

/// SHA-256 (FIPS 180-4), pure Swift: attachments are content-addressed by it.
public struct SHA256: Sendable {
    public init() {}
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {}
    public mutating func finalize() -> [UInt8] { [] }

    public static func hash<C: Collection>(_ bytes: C) -> [UInt8] where C.Element == UInt8 { [] }
    public static func hexHash<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 { "" }
}
