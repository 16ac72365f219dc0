/// A sender's attachment file name made safe to show, to offer for download and to save on any system.
///
/// Postdesk never uses a sender's name as a path (attachments are stored by their SHA-256), but the name is
/// shown to agents, listed in notices and offered when an attachment is saved, so it is cut to what a file
/// name can be: the last component of any path (`../../etc/passwd` is `passwd`), no control or
/// bidirectional-override characters (`report.pdf<U+202E>txt.exe`), none of `<>:"|?*`, no leading dots
/// (hidden files) or trailing dots and spaces (which Windows drops), Windows device names escaped (`CON.txt`
/// is `_CON.txt`), and at most 255 UTF-8 bytes with the extension kept. A name with nothing left (`..`) is no
/// name.
public enum SafeFilename {
    /// The longest name kept, in UTF-8 bytes (the usual file system limit).
    public static let maxBytes = 255

    public static func make(_ raw: String) -> String? {
        // The last path component, for either separator.
        var scalars = String.UnicodeScalarView()
        for u in raw.unicodeScalars {
            if u == "/" || u == "\\" { scalars.removeAll(); continue }
            switch u.value {
            case 0x00..<0x20, 0x7F..<0xA0: continue  // C0 and C1 controls, DEL
            case 0x200B...0x200F, 0x202A...0x202E, 0x2066...0x2069, 0xFEFF: continue  // zero-width and bidi controls
            case 0x2028, 0x2029: continue
            default: break
            }
            switch u {
            case "<", ">", ":", "\"", "|", "?", "*": scalars.append("_")
            default: scalars.append(u)
            }
        }
        var name = Substring(String(scalars))
        while let f = name.first, f == "." || f.isWhitespace { name.removeFirst() }
        while let l = name.last, l == "." || l.isWhitespace { name.removeLast() }
        guard !name.isEmpty else { return nil }
        var result = String(name)
        if isWindowsDeviceName(result) { result = "_" + result }
        return cut(result)
    }

    /// CON, PRN, AUX, NUL, COM1-9, LPT1-9, with or without an extension, in any case.
    static func isWindowsDeviceName(_ name: String) -> Bool {
        let stem = (name.split(separator: ".", maxSplits: 1).first.map(String.init) ?? name)
            .trimmingMailWhitespace.asciiLowercased
        if ["con", "prn", "aux", "nul"].contains(stem) { return true }
        if stem.utf8.count == 4, stem.hasPrefix("com") || stem.hasPrefix("lpt"), let d = stem.utf8.last, d >= 0x31, d <= 0x39 {
            return true
        }
        return false
    }

    /// At most `maxBytes` UTF-8 bytes, cut on a character boundary in the stem so that the extension stays.
    static func cut(_ name: String) -> String {
        guard name.utf8.count > maxBytes else { return name }
        var ext = ""
        if let dot = name.lastIndex(of: "."), name.distance(from: dot, to: name.endIndex) <= 16 {
            ext = String(name[dot...])
        }
        var stem = ""
        let budget = maxBytes - ext.utf8.count
        for ch in name.dropLast(ext.count) {
            if stem.utf8.count + ch.utf8.count > budget { break }
            stem.append(ch)
        }
        return stem + ext
    }
}
