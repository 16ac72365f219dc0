// postdesk-bench: parse throughput of Postdesk's mail parser, comparable with
// ../shared/peers/py_email_parse.py (Python's email package).
//
//   postdesk-bench parse FOLDER... [--runs N]
//
// For each folder it prints one JSON line per mode:
//   in-memory  all files read first; timed: parse + decode every part (every header value read, every
//              text leaf decoded to a String, every other leaf decoded to bytes), as the Python peer does
//   streaming  one file at a time: read, parse, decode, drop (the peak-memory figure)
//   summary    streaming, computing what `postdesk inspect` shows (body choice, HTML to text, SHA-256)
import PostdeskMail
import PostdeskSystem

#if canImport(Glibc)
import Glibc
#endif

func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

/// Peak resident set size in kB (VmHWM).
func peakRSSkB() -> Int {
    guard let bytes = try? FileSystem.readFile("/proc/self/status") else { return 0 }
    for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") where line.hasPrefix("VmHWM:") {
        return Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
    }
    return 0
}

func collect(_ dir: String, into files: inout [String]) {
    guard let names = try? FileSystem.list(dir) else { return }
    for name in names {
        if name.hasPrefix(".") || name == "LICENSES" { continue }
        let upper = name.uppercased()
        if upper.hasPrefix("README") || upper.hasPrefix("LICENSE") || upper.hasPrefix("COPYING") { continue }
        let path = dir + "/" + name
        switch FileSystem.kind(of: path) {
        case .directory: collect(path, into: &files)
        case .file: files.append(path)
        default: break
        }
    }
}

struct Counters {
    var parts = 0
    var textChars = 0
    var binaryBytes = 0
}

/// Decodes everything the Python peer decodes.
@inline(never)
func decodeAll(_ raw: [UInt8], _ c: inout Counters) {
    let message = Message.parse(raw)
    message.root.walk { part in
        c.parts += 1
        for field in part.headers { c.textChars &+= field.value.utf8.count & 0 }
        switch part.content {
        case .multipart, .message: return
        case .single:
            if part.contentType.isText && !part.isAttachmentDisposition {
                c.textChars += part.decodedText().text.utf8.count
            } else {
                c.binaryBytes += part.decodedBody().bytes.count
            }
        }
    }
}

func median(_ xs: [Double]) -> Double {
    let s = xs.sorted()
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}

func row(_ folder: String, _ mode: String, _ n: Int, _ bytes: Int, _ times: [Double], _ c: Counters, _ rss: Int) -> String {
    let m = median(times)
    let fmt = { (x: Double) -> String in String(Double(Int(x * 1000)) / 1000) }
    return "{\"folder\": \"\(folder)\", \"mode\": \"\(mode)\", \"messages\": \(n), \"mb\": \(fmt(Double(bytes) / 1e6)), "
        + "\"median_s\": \(fmt(m)), \"times_s\": [\(times.map(fmt).joined(separator: ", "))], "
        + "\"msgs_per_s\": \(fmt(Double(n) / m)), \"mb_per_s\": \(fmt(Double(bytes) / 1e6 / m)), "
        + "\"parts\": \(c.parts), \"text_chars\": \(c.textChars), \"binary_bytes\": \(c.binaryBytes), \"peak_rss_kb\": \(rss)}"
}

var args = Array(CommandLine.arguments.dropFirst())
guard args.first == "parse" else {
    print("usage: postdesk-bench parse FOLDER... [--runs N] [--mode in-memory|streaming|summary]")
    exit(64)
}
args.removeFirst()
var runs = 3
var modes = ["streaming", "summary", "in-memory"]
var folders: [String] = []
var k = 0
while k < args.count {
    if args[k] == "--runs", k + 1 < args.count { runs = Int(args[k + 1]) ?? 3; k += 2; continue }
    if args[k] == "--mode", k + 1 < args.count { modes = [args[k + 1]]; k += 2; continue }
    folders.append(args[k])
    k += 1
}

for folder in folders {
    var files: [String] = []
    collect(folder, into: &files)
    // Streaming first, so its peak RSS is not inflated by the in-memory mode's buffers.
    for mode in modes {
        var times: [Double] = []
        var counters = Counters()
        var total = 0
        switch mode {
        case "streaming", "summary":
            for _ in 0..<runs {
                counters = Counters()
                total = 0
                let t0 = now()
                for path in files {
                    guard let raw = try? FileSystem.readFile(path) else { continue }
                    total += raw.count
                    if mode == "streaming" {
                        decodeAll(raw, &counters)
                    } else {
                        let s = MessageSummary(Message.parse(raw))
                        counters.parts += 1
                        counters.textChars += s.text.utf8.count
                        counters.binaryBytes += s.attachments.reduce(0) { $0 + $1.size }
                    }
                }
                times.append(now() - t0)
            }
            print(row(folder, mode, files.count, total, times, counters, peakRSSkB()))
        case "in-memory":
            let blobs = files.compactMap { try? FileSystem.readFile($0) }
            total = blobs.reduce(0) { $0 + $1.count }
            for _ in 0..<runs {
                counters = Counters()
                let t0 = now()
                for raw in blobs { decodeAll(raw, &counters) }
                times.append(now() - t0)
            }
            print(row(folder, mode, blobs.count, total, times, counters, peakRSSkB()))
        default:
            print("unknown mode \(mode)")
            exit(64)
        }
    }
}
