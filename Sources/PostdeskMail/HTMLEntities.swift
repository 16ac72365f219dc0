/// Named character references: the HTML 4 set (252) plus `apos`, and a few common HTML5 ones.
enum HTMLEntities {
    static let table: [String: UInt32] = {
        let list: [(String, UInt32)] = [
            ("quot", 34), ("amp", 38), ("apos", 39), ("lt", 60), ("gt", 62), ("nbsp", 160), ("iexcl", 161), ("cent", 162),
            ("pound", 163), ("curren", 164), ("yen", 165), ("brvbar", 166), ("sect", 167), ("uml", 168), ("copy", 169),
            ("ordf", 170), ("laquo", 171), ("not", 172), ("shy", 173), ("reg", 174), ("macr", 175), ("deg", 176),
            ("plusmn", 177), ("sup2", 178), ("sup3", 179), ("acute", 180), ("micro", 181), ("para", 182), ("middot", 183),
            ("cedil", 184), ("sup1", 185), ("ordm", 186), ("raquo", 187), ("frac14", 188), ("frac12", 189), ("frac34", 190),
            ("iquest", 191), ("Agrave", 192), ("Aacute", 193), ("Acirc", 194), ("Atilde", 195), ("Auml", 196), ("Aring", 197),
            ("AElig", 198), ("Ccedil", 199), ("Egrave", 200), ("Eacute", 201), ("Ecirc", 202), ("Euml", 203), ("Igrave", 204),
            ("Iacute", 205), ("Icirc", 206), ("Iuml", 207), ("ETH", 208), ("Ntilde", 209), ("Ograve", 210), ("Oacute", 211),
            ("Ocirc", 212), ("Otilde", 213), ("Ouml", 214), ("times", 215), ("Oslash", 216), ("Ugrave", 217), ("Uacute", 218),
            ("Ucirc", 219), ("Uuml", 220), ("Yacute", 221), ("THORN", 222), ("szlig", 223), ("agrave", 224), ("aacute", 225),
            ("acirc", 226), ("atilde", 227), ("auml", 228), ("aring", 229), ("aelig", 230), ("ccedil", 231), ("egrave", 232),
            ("eacute", 233), ("ecirc", 234), ("euml", 235), ("igrave", 236), ("iacute", 237), ("icirc", 238), ("iuml", 239),
            ("eth", 240), ("ntilde", 241), ("ograve", 242), ("oacute", 243), ("ocirc", 244), ("otilde", 245), ("ouml", 246),
            ("divide", 247), ("oslash", 248), ("ugrave", 249), ("uacute", 250), ("ucirc", 251), ("uuml", 252), ("yacute", 253),
            ("thorn", 254), ("yuml", 255), ("OElig", 338), ("oelig", 339), ("Scaron", 352), ("scaron", 353), ("Yuml", 376),
            ("fnof", 402), ("circ", 710), ("tilde", 732), ("Alpha", 913), ("Beta", 914), ("Gamma", 915), ("Delta", 916),
            ("Epsilon", 917), ("Zeta", 918), ("Eta", 919), ("Theta", 920), ("Iota", 921), ("Kappa", 922), ("Lambda", 923),
            ("Mu", 924), ("Nu", 925), ("Xi", 926), ("Omicron", 927), ("Pi", 928), ("Rho", 929), ("Sigma", 931), ("Tau", 932),
            ("Upsilon", 933), ("Phi", 934), ("Chi", 935), ("Psi", 936), ("Omega", 937), ("alpha", 945), ("beta", 946),
            ("gamma", 947), ("delta", 948), ("epsilon", 949), ("zeta", 950), ("eta", 951), ("theta", 952), ("iota", 953),
            ("kappa", 954), ("lambda", 955), ("mu", 956), ("nu", 957), ("xi", 958), ("omicron", 959), ("pi", 960), ("rho", 961),
            ("sigmaf", 962), ("sigma", 963), ("tau", 964), ("upsilon", 965), ("phi", 966), ("chi", 967), ("psi", 968),
            ("omega", 969), ("thetasym", 977), ("upsih", 978), ("piv", 982), ("ensp", 8194), ("emsp", 8195), ("thinsp", 8201),
            ("zwnj", 8204), ("zwj", 8205), ("lrm", 8206), ("rlm", 8207), ("ndash", 8211), ("mdash", 8212), ("lsquo", 8216),
            ("rsquo", 8217), ("sbquo", 8218), ("ldquo", 8220), ("rdquo", 8221), ("bdquo", 8222), ("dagger", 8224),
            ("Dagger", 8225), ("bull", 8226), ("hellip", 8230), ("permil", 8240), ("prime", 8242), ("Prime", 8243),
            ("lsaquo", 8249), ("rsaquo", 8250), ("oline", 8254), ("frasl", 8260), ("euro", 8364), ("image", 8465),
            ("weierp", 8472), ("real", 8476), ("trade", 8482), ("alefsym", 8501), ("larr", 8592), ("uarr", 8593),
            ("rarr", 8594), ("darr", 8595), ("harr", 8596), ("crarr", 8629), ("lArr", 8656), ("uArr", 8657), ("rArr", 8658),
            ("dArr", 8659), ("hArr", 8660), ("forall", 8704), ("part", 8706), ("exist", 8707), ("empty", 8709), ("nabla", 8711),
            ("isin", 8712), ("notin", 8713), ("ni", 8715), ("prod", 8719), ("sum", 8721), ("minus", 8722), ("lowast", 8727),
            ("radic", 8730), ("prop", 8733), ("infin", 8734), ("ang", 8736), ("and", 8743), ("or", 8744), ("cap", 8745),
            ("cup", 8746), ("int", 8747), ("there4", 8756), ("sim", 8764), ("cong", 8773), ("asymp", 8776), ("ne", 8800),
            ("equiv", 8801), ("le", 8804), ("ge", 8805), ("sub", 8834), ("sup", 8835), ("nsub", 8836), ("sube", 8838),
            ("supe", 8839), ("oplus", 8853), ("otimes", 8855), ("perp", 8869), ("sdot", 8901), ("lceil", 8968), ("rceil", 8969),
            ("lfloor", 8970), ("rfloor", 8971), ("lang", 9001), ("rang", 9002), ("loz", 9674), ("spades", 9824), ("clubs", 9827),
            ("hearts", 9829), ("diams", 9830),
            // HTML5 names seen in mail.
            ("zwsp", 8203), ("hyphen", 8208), ("dash", 8208), ("nbhy", 8209), ("check", 10003), ("star", 9734), ("starf", 9733),
            ("Lstrok", 321), ("lstrok", 322), ("Zdot", 379), ("zdot", 380), ("Sacute", 346), ("sacute", 347),
            ("Cacute", 262), ("cacute", 263), ("Nacute", 323), ("nacute", 324), ("Eogon", 280), ("eogon", 281),
            ("Aogon", 260), ("aogon", 261), ("Zacute", 377), ("zacute", 378), ("colon", 58), ("comma", 44), ("period", 46),
            ("excl", 33), ("quest", 63), ("num", 35), ("dollar", 36), ("percnt", 37), ("lpar", 40), ("rpar", 41),
            ("ast", 42), ("plus", 43), ("sol", 47), ("semi", 59), ("equals", 61), ("commat", 64), ("lsqb", 91), ("rsqb", 93),
            ("bsol", 92), ("lowbar", 95), ("grave", 96), ("lcub", 123), ("verbar", 124), ("rcub", 125), ("NewLine", 10), ("Tab", 9),
        ]
        var t: [String: UInt32] = [:]
        for (k, v) in list { t[k] = v }
        return t
    }()

    /// Legacy names a browser accepts without the `;`.
    static let withoutSemicolon: Set<String> = ["amp", "lt", "gt", "quot", "nbsp", "copy", "reg", "auml", "ouml", "uuml", "Auml", "Ouml", "Uuml", "szlig", "eacute", "egrave", "aacute", "agrave", "oacute", "uacute", "ntilde", "ccedil"]

    /// Decodes an entity starting at `b[i]` (`&`). Returns the scalar and the index after the entity.
    static func decode(_ b: UnsafeBufferPointer<UInt8>, at i: Int) -> (Unicode.Scalar, Int)? {
        let n = b.count
        var j = i + 1
        guard j < n else { return nil }
        if b[j] == 0x23 {  // &#
            j += 1
            var hex = false
            if j < n, b[j] | 0x20 == 0x78 { hex = true; j += 1 }
            var v: UInt32 = 0
            let start = j
            while j < n, j - start < 8 {
                if hex, let d = b[j].hexDigitValue { v = v * 16 + UInt32(d) }
                else if !hex, b[j].isASCIIDigit { v = v * 10 + UInt32(b[j] - 0x30) }
                else { break }
                j += 1
            }
            guard j > start else { return nil }
            if j < n, b[j] == 0x3B { j += 1 }
            // Windows-1252 numbers that mailers write for quotes and dashes.
            let c1: [UInt32: UInt32] = [0x80: 0x20AC, 0x91: 0x2018, 0x92: 0x2019, 0x93: 0x201C, 0x94: 0x201D, 0x96: 0x2013, 0x97: 0x2014, 0x85: 0x2026, 0x95: 0x2022]
            if let mapped = c1[v] { v = mapped }
            return (Unicode.Scalar(v == 0 ? 0xFFFD : v) ?? "\u{FFFD}", j)
        }
        let start = j
        while j < n, j - start < 32, b[j].isASCIILetter || b[j].isASCIIDigit { j += 1 }
        guard j > start else { return nil }
        let name = String(decoding: UnsafeBufferPointer(rebasing: b[start..<j]), as: UTF8.self)
        if j < n, b[j] == 0x3B, let v = table[name] { return (Unicode.Scalar(v)!, j + 1) }
        // Without `;`: the longest legacy name that prefixes the run.
        var k = j
        while k > start {
            let prefix = String(decoding: UnsafeBufferPointer(rebasing: b[start..<k]), as: UTF8.self)
            if withoutSemicolon.contains(prefix), let v = table[prefix] { return (Unicode.Scalar(v)!, k) }
            k -= 1
        }
        return nil
    }
}
