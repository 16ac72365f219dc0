/// SHA-256 (FIPS 180-4), pure Swift: attachments are content-addressed by it.
public struct SHA256: Sendable {
    private var h0: UInt32 = 0x6a09_e667, h1: UInt32 = 0xbb67_ae85, h2: UInt32 = 0x3c6e_f372, h3: UInt32 = 0xa54f_f53a
    private var h4: UInt32 = 0x510e_527f, h5: UInt32 = 0x9b05_688c, h6: UInt32 = 0x1f83_d9ab, h7: UInt32 = 0x5be0_cd19
    /// Bytes not yet hashed (fewer than 64).
    private var pending: [UInt8] = []
    private var length: UInt64 = 0

    public init() { pending.reserveCapacity(64) }

    /// Hashes whole 64-byte blocks starting at `p`. Fully unrolled (generated): the eight working variables
    /// rotate by name instead of being moved, and the message schedule lives in sixteen locals, so the
    /// compiler keeps everything in registers.
    private mutating func compress(_ p: UnsafeRawPointer, blocks: Int) {
        @inline(__always) func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { (x >> n) | (x << (32 - n)) }
        var s0 = h0, s1 = h1, s2 = h2, s3 = h3, s4 = h4, s5 = h5, s6 = h6, s7 = h7
        for block in 0..<blocks {
            let q = p + block * 64
            @inline(__always) func load(_ i: Int) -> UInt32 { UInt32(bigEndian: q.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self)) }
            var w0 = load(0), w1 = load(1), w2 = load(2), w3 = load(3), w4 = load(4), w5 = load(5), w6 = load(6), w7 = load(7)
            var w8 = load(8), w9 = load(9), w10 = load(10), w11 = load(11), w12 = load(12), w13 = load(13), w14 = load(14), w15 = load(15)
            var a = s0, b = s1, c = s2, d = s3, e = s4, f = s5, g = s6, h = s7
            var t1: UInt32 = 0
            t1 = h &+ (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) &+ ((e & f) ^ (~e & g)) &+ 0x428a2f98 &+ w0
            d = d &+ t1
            h = t1 &+ (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) &+ ((a & b) ^ (a & c) ^ (b & c))
            t1 = g &+ (rotr(d, 6) ^ rotr(d, 11) ^ rotr(d, 25)) &+ ((d & e) ^ (~d & f)) &+ 0x71374491 &+ w1
            c = c &+ t1
            g = t1 &+ (rotr(h, 2) ^ rotr(h, 13) ^ rotr(h, 22)) &+ ((h & a) ^ (h & b) ^ (a & b))
            t1 = f &+ (rotr(c, 6) ^ rotr(c, 11) ^ rotr(c, 25)) &+ ((c & d) ^ (~c & e)) &+ 0xb5c0fbcf &+ w2
            b = b &+ t1
            f = t1 &+ (rotr(g, 2) ^ rotr(g, 13) ^ rotr(g, 22)) &+ ((g & h) ^ (g & a) ^ (h & a))
            t1 = e &+ (rotr(b, 6) ^ rotr(b, 11) ^ rotr(b, 25)) &+ ((b & c) ^ (~b & d)) &+ 0xe9b5dba5 &+ w3
            a = a &+ t1
            e = t1 &+ (rotr(f, 2) ^ rotr(f, 13) ^ rotr(f, 22)) &+ ((f & g) ^ (f & h) ^ (g & h))
            t1 = d &+ (rotr(a, 6) ^ rotr(a, 11) ^ rotr(a, 25)) &+ ((a & b) ^ (~a & c)) &+ 0x3956c25b &+ w4
            h = h &+ t1
            d = t1 &+ (rotr(e, 2) ^ rotr(e, 13) ^ rotr(e, 22)) &+ ((e & f) ^ (e & g) ^ (f & g))
            t1 = c &+ (rotr(h, 6) ^ rotr(h, 11) ^ rotr(h, 25)) &+ ((h & a) ^ (~h & b)) &+ 0x59f111f1 &+ w5
            g = g &+ t1
            c = t1 &+ (rotr(d, 2) ^ rotr(d, 13) ^ rotr(d, 22)) &+ ((d & e) ^ (d & f) ^ (e & f))
            t1 = b &+ (rotr(g, 6) ^ rotr(g, 11) ^ rotr(g, 25)) &+ ((g & h) ^ (~g & a)) &+ 0x923f82a4 &+ w6
            f = f &+ t1
            b = t1 &+ (rotr(c, 2) ^ rotr(c, 13) ^ rotr(c, 22)) &+ ((c & d) ^ (c & e) ^ (d & e))
            t1 = a &+ (rotr(f, 6) ^ rotr(f, 11) ^ rotr(f, 25)) &+ ((f & g) ^ (~f & h)) &+ 0xab1c5ed5 &+ w7
            e = e &+ t1
            a = t1 &+ (rotr(b, 2) ^ rotr(b, 13) ^ rotr(b, 22)) &+ ((b & c) ^ (b & d) ^ (c & d))
            t1 = h &+ (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) &+ ((e & f) ^ (~e & g)) &+ 0xd807aa98 &+ w8
            d = d &+ t1
            h = t1 &+ (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) &+ ((a & b) ^ (a & c) ^ (b & c))
            t1 = g &+ (rotr(d, 6) ^ rotr(d, 11) ^ rotr(d, 25)) &+ ((d & e) ^ (~d & f)) &+ 0x12835b01 &+ w9
            c = c &+ t1
            g = t1 &+ (rotr(h, 2) ^ rotr(h, 13) ^ rotr(h, 22)) &+ ((h & a) ^ (h & b) ^ (a & b))
            t1 = f &+ (rotr(c, 6) ^ rotr(c, 11) ^ rotr(c, 25)) &+ ((c & d) ^ (~c & e)) &+ 0x243185be &+ w10
            b = b &+ t1
            f = t1 &+ (rotr(g, 2) ^ rotr(g, 13) ^ rotr(g, 22)) &+ ((g & h) ^ (g & a) ^ (h & a))
            t1 = e &+ (rotr(b, 6) ^ rotr(b, 11) ^ rotr(b, 25)) &+ ((b & c) ^ (~b & d)) &+ 0x550c7dc3 &+ w11
            a = a &+ t1
            e = t1 &+ (rotr(f, 2) ^ rotr(f, 13) ^ rotr(f, 22)) &+ ((f & g) ^ (f & h) ^ (g & h))
            t1 = d &+ (rotr(a, 6) ^ rotr(a, 11) ^ rotr(a, 25)) &+ ((a & b) ^ (~a & c)) &+ 0x72be5d74 &+ w12
            h = h &+ t1
            d = t1 &+ (rotr(e, 2) ^ rotr(e, 13) ^ rotr(e, 22)) &+ ((e & f) ^ (e & g) ^ (f & g))
            t1 = c &+ (rotr(h, 6) ^ rotr(h, 11) ^ rotr(h, 25)) &+ ((h & a) ^ (~h & b)) &+ 0x80deb1fe &+ w13
            g = g &+ t1
            c = t1 &+ (rotr(d, 2) ^ rotr(d, 13) ^ rotr(d, 22)) &+ ((d & e) ^ (d & f) ^ (e & f))
            t1 = b &+ (rotr(g, 6) ^ rotr(g, 11) ^ rotr(g, 25)) &+ ((g & h) ^ (~g & a)) &+ 0x9bdc06a7 &+ w14
            f = f &+ t1
            b = t1 &+ (rotr(c, 2) ^ rotr(c, 13) ^ rotr(c, 22)) &+ ((c & d) ^ (c & e) ^ (d & e))
            t1 = a &+ (rotr(f, 6) ^ rotr(f, 11) ^ rotr(f, 25)) &+ ((f & g) ^ (~f & h)) &+ 0xc19bf174 &+ w15
            e = e &+ t1
            a = t1 &+ (rotr(b, 2) ^ rotr(b, 13) ^ rotr(b, 22)) &+ ((b & c) ^ (b & d) ^ (c & d))
            w0 = w0 &+ (rotr(w14, 17) ^ rotr(w14, 19) ^ (w14 >> 10)) &+ w9 &+ (rotr(w1, 7) ^ rotr(w1, 18) ^ (w1 >> 3))
            t1 = h &+ (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) &+ ((e & f) ^ (~e & g)) &+ 0xe49b69c1 &+ w0
            d = d &+ t1
            h = t1 &+ (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) &+ ((a & b) ^ (a & c) ^ (b & c))
            w1 = w1 &+ (rotr(w15, 17) ^ rotr(w15, 19) ^ (w15 >> 10)) &+ w10 &+ (rotr(w2, 7) ^ rotr(w2, 18) ^ (w2 >> 3))
            t1 = g &+ (rotr(d, 6) ^ rotr(d, 11) ^ rotr(d, 25)) &+ ((d & e) ^ (~d & f)) &+ 0xefbe4786 &+ w1
            c = c &+ t1
            g = t1 &+ (rotr(h, 2) ^ rotr(h, 13) ^ rotr(h, 22)) &+ ((h & a) ^ (h & b) ^ (a & b))
            w2 = w2 &+ (rotr(w0, 17) ^ rotr(w0, 19) ^ (w0 >> 10)) &+ w11 &+ (rotr(w3, 7) ^ rotr(w3, 18) ^ (w3 >> 3))
            t1 = f &+ (rotr(c, 6) ^ rotr(c, 11) ^ rotr(c, 25)) &+ ((c & d) ^ (~c & e)) &+ 0x0fc19dc6 &+ w2
            b = b &+ t1
            f = t1 &+ (rotr(g, 2) ^ rotr(g, 13) ^ rotr(g, 22)) &+ ((g & h) ^ (g & a) ^ (h & a))
            w3 = w3 &+ (rotr(w1, 17) ^ rotr(w1, 19) ^ (w1 >> 10)) &+ w12 &+ (rotr(w4, 7) ^ rotr(w4, 18) ^ (w4 >> 3))
            t1 = e &+ (rotr(b, 6) ^ rotr(b, 11) ^ rotr(b, 25)) &+ ((b & c) ^ (~b & d)) &+ 0x240ca1cc &+ w3
            a = a &+ t1
            e = t1 &+ (rotr(f, 2) ^ rotr(f, 13) ^ rotr(f, 22)) &+ ((f & g) ^ (f & h) ^ (g & h))
            w4 = w4 &+ (rotr(w2, 17) ^ rotr(w2, 19) ^ (w2 >> 10)) &+ w13 &+ (rotr(w5, 7) ^ rotr(w5, 18) ^ (w5 >> 3))
            t1 = d &+ (rotr(a, 6) ^ rotr(a, 11) ^ rotr(a, 25)) &+ ((a & b) ^ (~a & c)) &+ 0x2de92c6f &+ w4
            h = h &+ t1
            d = t1 &+ (rotr(e, 2) ^ rotr(e, 13) ^ rotr(e, 22)) &+ ((e & f) ^ (e & g) ^ (f & g))
            w5 = w5 &+ (rotr(w3, 17) ^ rotr(w3, 19) ^ (w3 >> 10)) &+ w14 &+ (rotr(w6, 7) ^ rotr(w6, 18) ^ (w6 >> 3))
            t1 = c &+ (rotr(h, 6) ^ rotr(h, 11) ^ rotr(h, 25)) &+ ((h & a) ^ (~h & b)) &+ 0x4a7484aa &+ w5
            g = g &+ t1
            c = t1 &+ (rotr(d, 2) ^ rotr(d, 13) ^ rotr(d, 22)) &+ ((d & e) ^ (d & f) ^ (e & f))
            w6 = w6 &+ (rotr(w4, 17) ^ rotr(w4, 19) ^ (w4 >> 10)) &+ w15 &+ (rotr(w7, 7) ^ rotr(w7, 18) ^ (w7 >> 3))
            t1 = b &+ (rotr(g, 6) ^ rotr(g, 11) ^ rotr(g, 25)) &+ ((g & h) ^ (~g & a)) &+ 0x5cb0a9dc &+ w6
            f = f &+ t1
            b = t1 &+ (rotr(c, 2) ^ rotr(c, 13) ^ rotr(c, 22)) &+ ((c & d) ^ (c & e) ^ (d & e))
            w7 = w7 &+ (rotr(w5, 17) ^ rotr(w5, 19) ^ (w5 >> 10)) &+ w0 &+ (rotr(w8, 7) ^ rotr(w8, 18) ^ (w8 >> 3))
            t1 = a &+ (rotr(f, 6) ^ rotr(f, 11) ^ rotr(f, 25)) &+ ((f & g) ^ (~f & h)) &+ 0x76f988da &+ w7
            e = e &+ t1
            a = t1 &+ (rotr(b, 2) ^ rotr(b, 13) ^ rotr(b, 22)) &+ ((b & c) ^ (b & d) ^ (c & d))
            w8 = w8 &+ (rotr(w6, 17) ^ rotr(w6, 19) ^ (w6 >> 10)) &+ w1 &+ (rotr(w9, 7) ^ rotr(w9, 18) ^ (w9 >> 3))
            t1 = h &+ (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) &+ ((e & f) ^ (~e & g)) &+ 0x983e5152 &+ w8
            d = d &+ t1
            h = t1 &+ (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) &+ ((a & b) ^ (a & c) ^ (b & c))
            w9 = w9 &+ (rotr(w7, 17) ^ rotr(w7, 19) ^ (w7 >> 10)) &+ w2 &+ (rotr(w10, 7) ^ rotr(w10, 18) ^ (w10 >> 3))
            t1 = g &+ (rotr(d, 6) ^ rotr(d, 11) ^ rotr(d, 25)) &+ ((d & e) ^ (~d & f)) &+ 0xa831c66d &+ w9
            c = c &+ t1
            g = t1 &+ (rotr(h, 2) ^ rotr(h, 13) ^ rotr(h, 22)) &+ ((h & a) ^ (h & b) ^ (a & b))
            w10 = w10 &+ (rotr(w8, 17) ^ rotr(w8, 19) ^ (w8 >> 10)) &+ w3 &+ (rotr(w11, 7) ^ rotr(w11, 18) ^ (w11 >> 3))
            t1 = f &+ (rotr(c, 6) ^ rotr(c, 11) ^ rotr(c, 25)) &+ ((c & d) ^ (~c & e)) &+ 0xb00327c8 &+ w10
            b = b &+ t1
            f = t1 &+ (rotr(g, 2) ^ rotr(g, 13) ^ rotr(g, 22)) &+ ((g & h) ^ (g & a) ^ (h & a))
            w11 = w11 &+ (rotr(w9, 17) ^ rotr(w9, 19) ^ (w9 >> 10)) &+ w4 &+ (rotr(w12, 7) ^ rotr(w12, 18) ^ (w12 >> 3))
            t1 = e &+ (rotr(b, 6) ^ rotr(b, 11) ^ rotr(b, 25)) &+ ((b & c) ^ (~b & d)) &+ 0xbf597fc7 &+ w11
            a = a &+ t1
            e = t1 &+ (rotr(f, 2) ^ rotr(f, 13) ^ rotr(f, 22)) &+ ((f & g) ^ (f & h) ^ (g & h))
            w12 = w12 &+ (rotr(w10, 17) ^ rotr(w10, 19) ^ (w10 >> 10)) &+ w5 &+ (rotr(w13, 7) ^ rotr(w13, 18) ^ (w13 >> 3))
            t1 = d &+ (rotr(a, 6) ^ rotr(a, 11) ^ rotr(a, 25)) &+ ((a & b) ^ (~a & c)) &+ 0xc6e00bf3 &+ w12
            h = h &+ t1
            d = t1 &+ (rotr(e, 2) ^ rotr(e, 13) ^ rotr(e, 22)) &+ ((e & f) ^ (e & g) ^ (f & g))
            w13 = w13 &+ (rotr(w11, 17) ^ rotr(w11, 19) ^ (w11 >> 10)) &+ w6 &+ (rotr(w14, 7) ^ rotr(w14, 18) ^ (w14 >> 3))
            t1 = c &+ (rotr(h, 6) ^ rotr(h, 11) ^ rotr(h, 25)) &+ ((h & a) ^ (~h & b)) &+ 0xd5a79147 &+ w13
            g = g &+ t1
            c = t1 &+ (rotr(d, 2) ^ rotr(d, 13) ^ rotr(d, 22)) &+ ((d & e) ^ (d & f) ^ (e & f))
            w14 = w14 &+ (rotr(w12, 17) ^ rotr(w12, 19) ^ (w12 >> 10)) &+ w7 &+ (rotr(w15, 7) ^ rotr(w15, 18) ^ (w15 >> 3))
            t1 = b &+ (rotr(g, 6) ^ rotr(g, 11) ^ rotr(g, 25)) &+ ((g & h) ^ (~g & a)) &+ 0x06ca6351 &+ w14
            f = f &+ t1
            b = t1 &+ (rotr(c, 2) ^ rotr(c, 13) ^ rotr(c, 22)) &+ ((c & d) ^ (c & e) ^ (d & e))
            w15 = w15 &+ (rotr(w13, 17) ^ rotr(w13, 19) ^ (w13 >> 10)) &+ w8 &+ (rotr(w0, 7) ^ rotr(w0, 18) ^ (w0 >> 3))
            t1 = a &+ (rotr(f, 6) ^ rotr(f, 11) ^ rotr(f, 25)) &+ ((f & g) ^ (~f & h)) &+ 0x14292967 &+ w15
            e = e &+ t1
            a = t1 &+ (rotr(b, 2) ^ rotr(b, 13) ^ rotr(b, 22)) &+ ((b & c) ^ (b & d) ^ (c & d))
            w0 = w0 &+ (rotr(w14, 17) ^ rotr(w14, 19) ^ (w14 >> 10)) &+ w9 &+ (rotr(w1, 7) ^ rotr(w1, 18) ^ (w1 >> 3))
            t1 = h &+ (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) &+ ((e & f) ^ (~e & g)) &+ 0x27b70a85 &+ w0
            d = d &+ t1
            h = t1 &+ (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) &+ ((a & b) ^ (a & c) ^ (b & c))
            w1 = w1 &+ (rotr(w15, 17) ^ rotr(w15, 19) ^ (w15 >> 10)) &+ w10 &+ (rotr(w2, 7) ^ rotr(w2, 18) ^ (w2 >> 3))
            t1 = g &+ (rotr(d, 6) ^ rotr(d, 11) ^ rotr(d, 25)) &+ ((d & e) ^ (~d & f)) &+ 0x2e1b2138 &+ w1
            c = c &+ t1
            g = t1 &+ (rotr(h, 2) ^ rotr(h, 13) ^ rotr(h, 22)) &+ ((h & a) ^ (h & b) ^ (a & b))
            w2 = w2 &+ (rotr(w0, 17) ^ rotr(w0, 19) ^ (w0 >> 10)) &+ w11 &+ (rotr(w3, 7) ^ rotr(w3, 18) ^ (w3 >> 3))
            t1 = f &+ (rotr(c, 6) ^ rotr(c, 11) ^ rotr(c, 25)) &+ ((c & d) ^ (~c & e)) &+ 0x4d2c6dfc &+ w2
            b = b &+ t1
            f = t1 &+ (rotr(g, 2) ^ rotr(g, 13) ^ rotr(g, 22)) &+ ((g & h) ^ (g & a) ^ (h & a))
            w3 = w3 &+ (rotr(w1, 17) ^ rotr(w1, 19) ^ (w1 >> 10)) &+ w12 &+ (rotr(w4, 7) ^ rotr(w4, 18) ^ (w4 >> 3))
            t1 = e &+ (rotr(b, 6) ^ rotr(b, 11) ^ rotr(b, 25)) &+ ((b & c) ^ (~b & d)) &+ 0x53380d13 &+ w3
            a = a &+ t1
            e = t1 &+ (rotr(f, 2) ^ rotr(f, 13) ^ rotr(f, 22)) &+ ((f & g) ^ (f & h) ^ (g & h))
            w4 = w4 &+ (rotr(w2, 17) ^ rotr(w2, 19) ^ (w2 >> 10)) &+ w13 &+ (rotr(w5, 7) ^ rotr(w5, 18) ^ (w5 >> 3))
            t1 = d &+ (rotr(a, 6) ^ rotr(a, 11) ^ rotr(a, 25)) &+ ((a & b) ^ (~a & c)) &+ 0x650a7354 &+ w4
            h = h &+ t1
            d = t1 &+ (rotr(e, 2) ^ rotr(e, 13) ^ rotr(e, 22)) &+ ((e & f) ^ (e & g) ^ (f & g))
            w5 = w5 &+ (rotr(w3, 17) ^ rotr(w3, 19) ^ (w3 >> 10)) &+ w14 &+ (rotr(w6, 7) ^ rotr(w6, 18) ^ (w6 >> 3))
            t1 = c &+ (rotr(h, 6) ^ rotr(h, 11) ^ rotr(h, 25)) &+ ((h & a) ^ (~h & b)) &+ 0x766a0abb &+ w5
            g = g &+ t1
            c = t1 &+ (rotr(d, 2) ^ rotr(d, 13) ^ rotr(d, 22)) &+ ((d & e) ^ (d & f) ^ (e & f))
            w6 = w6 &+ (rotr(w4, 17) ^ rotr(w4, 19) ^ (w4 >> 10)) &+ w15 &+ (rotr(w7, 7) ^ rotr(w7, 18) ^ (w7 >> 3))
            t1 = b &+ (rotr(g, 6) ^ rotr(g, 11) ^ rotr(g, 25)) &+ ((g & h) ^ (~g & a)) &+ 0x81c2c92e &+ w6
            f = f &+ t1
            b = t1 &+ (rotr(c, 2) ^ rotr(c, 13) ^ rotr(c, 22)) &+ ((c & d) ^ (c & e) ^ (d & e))
            w7 = w7 &+ (rotr(w5, 17) ^ rotr(w5, 19) ^ (w5 >> 10)) &+ w0 &+ (rotr(w8, 7) ^ rotr(w8, 18) ^ (w8 >> 3))
            t1 = a &+ (rotr(f, 6) ^ rotr(f, 11) ^ rotr(f, 25)) &+ ((f & g) ^ (~f & h)) &+ 0x92722c85 &+ w7
            e = e &+ t1
            a = t1 &+ (rotr(b, 2) ^ rotr(b, 13) ^ rotr(b, 22)) &+ ((b & c) ^ (b & d) ^ (c & d))
            w8 = w8 &+ (rotr(w6, 17) ^ rotr(w6, 19) ^ (w6 >> 10)) &+ w1 &+ (rotr(w9, 7) ^ rotr(w9, 18) ^ (w9 >> 3))
            t1 = h &+ (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) &+ ((e & f) ^ (~e & g)) &+ 0xa2bfe8a1 &+ w8
            d = d &+ t1
            h = t1 &+ (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) &+ ((a & b) ^ (a & c) ^ (b & c))
            w9 = w9 &+ (rotr(w7, 17) ^ rotr(w7, 19) ^ (w7 >> 10)) &+ w2 &+ (rotr(w10, 7) ^ rotr(w10, 18) ^ (w10 >> 3))
            t1 = g &+ (rotr(d, 6) ^ rotr(d, 11) ^ rotr(d, 25)) &+ ((d & e) ^ (~d & f)) &+ 0xa81a664b &+ w9
            c = c &+ t1
            g = t1 &+ (rotr(h, 2) ^ rotr(h, 13) ^ rotr(h, 22)) &+ ((h & a) ^ (h & b) ^ (a & b))
            w10 = w10 &+ (rotr(w8, 17) ^ rotr(w8, 19) ^ (w8 >> 10)) &+ w3 &+ (rotr(w11, 7) ^ rotr(w11, 18) ^ (w11 >> 3))
            t1 = f &+ (rotr(c, 6) ^ rotr(c, 11) ^ rotr(c, 25)) &+ ((c & d) ^ (~c & e)) &+ 0xc24b8b70 &+ w10
            b = b &+ t1
            f = t1 &+ (rotr(g, 2) ^ rotr(g, 13) ^ rotr(g, 22)) &+ ((g & h) ^ (g & a) ^ (h & a))
            w11 = w11 &+ (rotr(w9, 17) ^ rotr(w9, 19) ^ (w9 >> 10)) &+ w4 &+ (rotr(w12, 7) ^ rotr(w12, 18) ^ (w12 >> 3))
            t1 = e &+ (rotr(b, 6) ^ rotr(b, 11) ^ rotr(b, 25)) &+ ((b & c) ^ (~b & d)) &+ 0xc76c51a3 &+ w11
            a = a &+ t1
            e = t1 &+ (rotr(f, 2) ^ rotr(f, 13) ^ rotr(f, 22)) &+ ((f & g) ^ (f & h) ^ (g & h))
            w12 = w12 &+ (rotr(w10, 17) ^ rotr(w10, 19) ^ (w10 >> 10)) &+ w5 &+ (rotr(w13, 7) ^ rotr(w13, 18) ^ (w13 >> 3))
            t1 = d &+ (rotr(a, 6) ^ rotr(a, 11) ^ rotr(a, 25)) &+ ((a & b) ^ (~a & c)) &+ 0xd192e819 &+ w12
            h = h &+ t1
            d = t1 &+ (rotr(e, 2) ^ rotr(e, 13) ^ rotr(e, 22)) &+ ((e & f) ^ (e & g) ^ (f & g))
            w13 = w13 &+ (rotr(w11, 17) ^ rotr(w11, 19) ^ (w11 >> 10)) &+ w6 &+ (rotr(w14, 7) ^ rotr(w14, 18) ^ (w14 >> 3))
            t1 = c &+ (rotr(h, 6) ^ rotr(h, 11) ^ rotr(h, 25)) &+ ((h & a) ^ (~h & b)) &+ 0xd6990624 &+ w13
            g = g &+ t1
            c = t1 &+ (rotr(d, 2) ^ rotr(d, 13) ^ rotr(d, 22)) &+ ((d & e) ^ (d & f) ^ (e & f))
            w14 = w14 &+ (rotr(w12, 17) ^ rotr(w12, 19) ^ (w12 >> 10)) &+ w7 &+ (rotr(w15, 7) ^ rotr(w15, 18) ^ (w15 >> 3))
            t1 = b &+ (rotr(g, 6) ^ rotr(g, 11) ^ rotr(g, 25)) &+ ((g & h) ^ (~g & a)) &+ 0xf40e3585 &+ w14
            f = f &+ t1
            b = t1 &+ (rotr(c, 2) ^ rotr(c, 13) ^ rotr(c, 22)) &+ ((c & d) ^ (c & e) ^ (d & e))
            w15 = w15 &+ (rotr(w13, 17) ^ rotr(w13, 19) ^ (w13 >> 10)) &+ w8 &+ (rotr(w0, 7) ^ rotr(w0, 18) ^ (w0 >> 3))
            t1 = a &+ (rotr(f, 6) ^ rotr(f, 11) ^ rotr(f, 25)) &+ ((f & g) ^ (~f & h)) &+ 0x106aa070 &+ w15
            e = e &+ t1
            a = t1 &+ (rotr(b, 2) ^ rotr(b, 13) ^ rotr(b, 22)) &+ ((b & c) ^ (b & d) ^ (c & d))
            w0 = w0 &+ (rotr(w14, 17) ^ rotr(w14, 19) ^ (w14 >> 10)) &+ w9 &+ (rotr(w1, 7) ^ rotr(w1, 18) ^ (w1 >> 3))
            t1 = h &+ (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) &+ ((e & f) ^ (~e & g)) &+ 0x19a4c116 &+ w0
            d = d &+ t1
            h = t1 &+ (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) &+ ((a & b) ^ (a & c) ^ (b & c))
            w1 = w1 &+ (rotr(w15, 17) ^ rotr(w15, 19) ^ (w15 >> 10)) &+ w10 &+ (rotr(w2, 7) ^ rotr(w2, 18) ^ (w2 >> 3))
            t1 = g &+ (rotr(d, 6) ^ rotr(d, 11) ^ rotr(d, 25)) &+ ((d & e) ^ (~d & f)) &+ 0x1e376c08 &+ w1
            c = c &+ t1
            g = t1 &+ (rotr(h, 2) ^ rotr(h, 13) ^ rotr(h, 22)) &+ ((h & a) ^ (h & b) ^ (a & b))
            w2 = w2 &+ (rotr(w0, 17) ^ rotr(w0, 19) ^ (w0 >> 10)) &+ w11 &+ (rotr(w3, 7) ^ rotr(w3, 18) ^ (w3 >> 3))
            t1 = f &+ (rotr(c, 6) ^ rotr(c, 11) ^ rotr(c, 25)) &+ ((c & d) ^ (~c & e)) &+ 0x2748774c &+ w2
            b = b &+ t1
            f = t1 &+ (rotr(g, 2) ^ rotr(g, 13) ^ rotr(g, 22)) &+ ((g & h) ^ (g & a) ^ (h & a))
            w3 = w3 &+ (rotr(w1, 17) ^ rotr(w1, 19) ^ (w1 >> 10)) &+ w12 &+ (rotr(w4, 7) ^ rotr(w4, 18) ^ (w4 >> 3))
            t1 = e &+ (rotr(b, 6) ^ rotr(b, 11) ^ rotr(b, 25)) &+ ((b & c) ^ (~b & d)) &+ 0x34b0bcb5 &+ w3
            a = a &+ t1
            e = t1 &+ (rotr(f, 2) ^ rotr(f, 13) ^ rotr(f, 22)) &+ ((f & g) ^ (f & h) ^ (g & h))
            w4 = w4 &+ (rotr(w2, 17) ^ rotr(w2, 19) ^ (w2 >> 10)) &+ w13 &+ (rotr(w5, 7) ^ rotr(w5, 18) ^ (w5 >> 3))
            t1 = d &+ (rotr(a, 6) ^ rotr(a, 11) ^ rotr(a, 25)) &+ ((a & b) ^ (~a & c)) &+ 0x391c0cb3 &+ w4
            h = h &+ t1
            d = t1 &+ (rotr(e, 2) ^ rotr(e, 13) ^ rotr(e, 22)) &+ ((e & f) ^ (e & g) ^ (f & g))
            w5 = w5 &+ (rotr(w3, 17) ^ rotr(w3, 19) ^ (w3 >> 10)) &+ w14 &+ (rotr(w6, 7) ^ rotr(w6, 18) ^ (w6 >> 3))
            t1 = c &+ (rotr(h, 6) ^ rotr(h, 11) ^ rotr(h, 25)) &+ ((h & a) ^ (~h & b)) &+ 0x4ed8aa4a &+ w5
            g = g &+ t1
            c = t1 &+ (rotr(d, 2) ^ rotr(d, 13) ^ rotr(d, 22)) &+ ((d & e) ^ (d & f) ^ (e & f))
            w6 = w6 &+ (rotr(w4, 17) ^ rotr(w4, 19) ^ (w4 >> 10)) &+ w15 &+ (rotr(w7, 7) ^ rotr(w7, 18) ^ (w7 >> 3))
            t1 = b &+ (rotr(g, 6) ^ rotr(g, 11) ^ rotr(g, 25)) &+ ((g & h) ^ (~g & a)) &+ 0x5b9cca4f &+ w6
            f = f &+ t1
            b = t1 &+ (rotr(c, 2) ^ rotr(c, 13) ^ rotr(c, 22)) &+ ((c & d) ^ (c & e) ^ (d & e))
            w7 = w7 &+ (rotr(w5, 17) ^ rotr(w5, 19) ^ (w5 >> 10)) &+ w0 &+ (rotr(w8, 7) ^ rotr(w8, 18) ^ (w8 >> 3))
            t1 = a &+ (rotr(f, 6) ^ rotr(f, 11) ^ rotr(f, 25)) &+ ((f & g) ^ (~f & h)) &+ 0x682e6ff3 &+ w7
            e = e &+ t1
            a = t1 &+ (rotr(b, 2) ^ rotr(b, 13) ^ rotr(b, 22)) &+ ((b & c) ^ (b & d) ^ (c & d))
            w8 = w8 &+ (rotr(w6, 17) ^ rotr(w6, 19) ^ (w6 >> 10)) &+ w1 &+ (rotr(w9, 7) ^ rotr(w9, 18) ^ (w9 >> 3))
            t1 = h &+ (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) &+ ((e & f) ^ (~e & g)) &+ 0x748f82ee &+ w8
            d = d &+ t1
            h = t1 &+ (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) &+ ((a & b) ^ (a & c) ^ (b & c))
            w9 = w9 &+ (rotr(w7, 17) ^ rotr(w7, 19) ^ (w7 >> 10)) &+ w2 &+ (rotr(w10, 7) ^ rotr(w10, 18) ^ (w10 >> 3))
            t1 = g &+ (rotr(d, 6) ^ rotr(d, 11) ^ rotr(d, 25)) &+ ((d & e) ^ (~d & f)) &+ 0x78a5636f &+ w9
            c = c &+ t1
            g = t1 &+ (rotr(h, 2) ^ rotr(h, 13) ^ rotr(h, 22)) &+ ((h & a) ^ (h & b) ^ (a & b))
            w10 = w10 &+ (rotr(w8, 17) ^ rotr(w8, 19) ^ (w8 >> 10)) &+ w3 &+ (rotr(w11, 7) ^ rotr(w11, 18) ^ (w11 >> 3))
            t1 = f &+ (rotr(c, 6) ^ rotr(c, 11) ^ rotr(c, 25)) &+ ((c & d) ^ (~c & e)) &+ 0x84c87814 &+ w10
            b = b &+ t1
            f = t1 &+ (rotr(g, 2) ^ rotr(g, 13) ^ rotr(g, 22)) &+ ((g & h) ^ (g & a) ^ (h & a))
            w11 = w11 &+ (rotr(w9, 17) ^ rotr(w9, 19) ^ (w9 >> 10)) &+ w4 &+ (rotr(w12, 7) ^ rotr(w12, 18) ^ (w12 >> 3))
            t1 = e &+ (rotr(b, 6) ^ rotr(b, 11) ^ rotr(b, 25)) &+ ((b & c) ^ (~b & d)) &+ 0x8cc70208 &+ w11
            a = a &+ t1
            e = t1 &+ (rotr(f, 2) ^ rotr(f, 13) ^ rotr(f, 22)) &+ ((f & g) ^ (f & h) ^ (g & h))
            w12 = w12 &+ (rotr(w10, 17) ^ rotr(w10, 19) ^ (w10 >> 10)) &+ w5 &+ (rotr(w13, 7) ^ rotr(w13, 18) ^ (w13 >> 3))
            t1 = d &+ (rotr(a, 6) ^ rotr(a, 11) ^ rotr(a, 25)) &+ ((a & b) ^ (~a & c)) &+ 0x90befffa &+ w12
            h = h &+ t1
            d = t1 &+ (rotr(e, 2) ^ rotr(e, 13) ^ rotr(e, 22)) &+ ((e & f) ^ (e & g) ^ (f & g))
            w13 = w13 &+ (rotr(w11, 17) ^ rotr(w11, 19) ^ (w11 >> 10)) &+ w6 &+ (rotr(w14, 7) ^ rotr(w14, 18) ^ (w14 >> 3))
            t1 = c &+ (rotr(h, 6) ^ rotr(h, 11) ^ rotr(h, 25)) &+ ((h & a) ^ (~h & b)) &+ 0xa4506ceb &+ w13
            g = g &+ t1
            c = t1 &+ (rotr(d, 2) ^ rotr(d, 13) ^ rotr(d, 22)) &+ ((d & e) ^ (d & f) ^ (e & f))
            w14 = w14 &+ (rotr(w12, 17) ^ rotr(w12, 19) ^ (w12 >> 10)) &+ w7 &+ (rotr(w15, 7) ^ rotr(w15, 18) ^ (w15 >> 3))
            t1 = b &+ (rotr(g, 6) ^ rotr(g, 11) ^ rotr(g, 25)) &+ ((g & h) ^ (~g & a)) &+ 0xbef9a3f7 &+ w14
            f = f &+ t1
            b = t1 &+ (rotr(c, 2) ^ rotr(c, 13) ^ rotr(c, 22)) &+ ((c & d) ^ (c & e) ^ (d & e))
            w15 = w15 &+ (rotr(w13, 17) ^ rotr(w13, 19) ^ (w13 >> 10)) &+ w8 &+ (rotr(w0, 7) ^ rotr(w0, 18) ^ (w0 >> 3))
            t1 = a &+ (rotr(f, 6) ^ rotr(f, 11) ^ rotr(f, 25)) &+ ((f & g) ^ (~f & h)) &+ 0xc67178f2 &+ w15
            e = e &+ t1
            a = t1 &+ (rotr(b, 2) ^ rotr(b, 13) ^ rotr(b, 22)) &+ ((b & c) ^ (b & d) ^ (c & d))
            s0 = s0 &+ a; s1 = s1 &+ b; s2 = s2 &+ c; s3 = s3 &+ d
            s4 = s4 &+ e; s5 = s5 &+ f; s6 = s6 &+ g; s7 = s7 &+ h
            _ = (w0, w1, w2, w3, w4, w5, w6, w7, w8, w9, w10, w11, w12, w13, w14, w15, t1)
        }
        h0 = s0; h1 = s1; h2 = s2; h3 = s3; h4 = s4; h5 = s5; h6 = s6; h7 = s7
    }

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard var p = bytes.baseAddress, bytes.count > 0 else { return }
        var count = bytes.count
        length &+= UInt64(count)
        if !pending.isEmpty {
            let take = min(64 - pending.count, count)
            pending.append(contentsOf: UnsafeRawBufferPointer(start: p, count: take))
            p += take
            count -= take
            if pending.count == 64 {
                let block = pending
                block.withUnsafeBytes { compress($0.baseAddress!, blocks: 1) }
                pending.removeAll(keepingCapacity: true)
            }
        }
        let blocks = count / 64
        if blocks > 0 {
            compress(p, blocks: blocks)
            p += blocks * 64
            count -= blocks * 64
        }
        if count > 0 { pending.append(contentsOf: UnsafeRawBufferPointer(start: p, count: count)) }
    }

    public mutating func finalize() -> [UInt8] {
        let bitLength = length &* 8
        var tail = pending
        tail.append(0x80)
        while tail.count % 64 != 56 { tail.append(0) }
        for i in (0..<8).reversed() { tail.append(UInt8(truncatingIfNeeded: bitLength >> (UInt64(i) * 8))) }
        tail.withUnsafeBytes { compress($0.baseAddress!, blocks: tail.count / 64) }
        pending.removeAll()
        var out: [UInt8] = []
        out.reserveCapacity(32)
        for h in [h0, h1, h2, h3, h4, h5, h6, h7] {
            out += [UInt8(h >> 24), UInt8(truncatingIfNeeded: h >> 16), UInt8(truncatingIfNeeded: h >> 8), UInt8(truncatingIfNeeded: h)]
        }
        return out
    }

    public static func hash<C: Collection>(_ bytes: C) -> [UInt8] where C.Element == UInt8 {
        var s = SHA256()
        if bytes.withContiguousStorageIfAvailable({ s.update(UnsafeRawBufferPointer($0)) }) == nil {
            Array(bytes).withUnsafeBytes { s.update($0) }
        }
        return s.finalize()
    }

    public static func hexHash<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        hex(hash(bytes))
    }

    /// Lower-case hex of bytes.
    public static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for b in bytes { out.append(digits[Int(b >> 4)]); out.append(digits[Int(b & 15)]) }
        return String(decoding: out, as: UTF8.self)
    }
}
