internal import CCurl
internal import CCurlShim

#if canImport(Glibc)
import Glibc
#endif

/// How one delivery attempt ended.
public enum DeliveryResult: Sendable, Hashable, CustomStringConvertible {
    /// The server accepted the mail for this recipient (its answer).
    case delivered(String)
    /// Try again later: a 4xx answer, connection refused, a timeout, TLS not offered when required...
    case temporaryFailure(String)
    /// Do not try again: a 5xx answer (unknown recipient, policy rejection).
    case permanentFailure(String)

    /// A temporary failure without any SMTP answer (connection refused, timeout, TLS): the server, not this
    /// mail, is the problem, so the mails after it need not be tried now.
    public var reachedNoServer: Bool {
        if case .temporaryFailure(let why) = self { return why.hasPrefix(SMTPTransport.noAnswerPrefix) }
        return false
    }

    public var description: String {
        switch self {
        case .delivered(let s): return "delivered: \(s)"
        case .temporaryFailure(let s): return "temporary failure: \(s)"
        case .permanentFailure(let s): return "permanent failure: \(s)"
        }
    }
}

/// Where and how to send: the `[outbound]` section of the config.
public struct SMTPSettings: Sendable, Hashable {
    public enum StartTLS: String, Sendable, Hashable { case required, optional, off }
    /// `smtp://host:port` (STARTTLS as configured) or `smtps://host:port` (TLS from the start).
    public var url: String
    public var startTLS: StartTLS
    public var username: String?
    public var password: String?
    /// A CA bundle to verify the server with (a private CA, or a test's self-signed certificate).
    public var caFile: String?
    /// Connection and overall timeouts, in seconds; a server slower than 1 byte/s for this long is given up.
    public var timeoutSeconds: Int

    public init(url: String, startTLS: StartTLS = .required, username: String? = nil, password: String? = nil,
                caFile: String? = nil, timeoutSeconds: Int = 60) {
        self.url = url; self.startTLS = startTLS; self.username = username; self.password = password
        self.caFile = caFile; self.timeoutSeconds = timeoutSeconds
    }
}

/// The bytes being uploaded by one curl transfer; reached from the C read callback through `void *`.
private final class Upload {
    let bytes: [UInt8]
    var offset = 0
    init(_ bytes: [UInt8]) { self.bytes = bytes }
}

/// curl's read callback. Not a capturing closure: Swift 6.3.1 crashes compiling those when passed as C
/// function pointers, and a C callback cannot capture anyway. The context arrives through `userdata`.
private let readCallback: @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int = {
    buffer, size, count, userdata in
    guard let buffer, let userdata else { return 0 }
    let upload = Unmanaged<Upload>.fromOpaque(userdata).takeUnretainedValue()
    let n = min(size * count, upload.bytes.count - upload.offset)
    if n > 0 {
        upload.bytes.withUnsafeBytes { raw in
            _ = memcpy(buffer, raw.baseAddress! + upload.offset, n)
        }
        upload.offset += n
    }
    return n
}

private let curlInit: Void = { curl_global_init(Int(CURL_GLOBAL_DEFAULT)) }()

/// SMTP delivery through libcurl. One transport keeps one connection open across sends (curl reuses it),
/// and sends each recipient in its own SMTP transaction, so every recipient gets its own result.
///
/// Blocking: use it from a thread of its own, never from the Swift concurrency pool. Not thread-safe.
public final class SMTPTransport: @unchecked Sendable {
    public let settings: SMTPSettings
    private let handle: UnsafeMutableRawPointer

    public init(_ settings: SMTPSettings) {
        _ = curlInit
        self.settings = settings
        handle = curl_easy_init()
    }

    deinit { curl_easy_cleanup(handle) }

    /// Sends `message` from `envelopeFrom` to one recipient.
    public func send(_ message: [UInt8], from envelopeFrom: String, to recipient: String) -> DeliveryResult {
        let h = handle
        curl_easy_reset(h)
        var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        let upload = Upload(message)
        let recipients = curl_slist_append(nil, "<\(recipient)>")
        defer { curl_slist_free_all(recipients) }
        let context = Unmanaged.passUnretained(upload).toOpaque()

        let code: CURLcode = errorBuffer.withUnsafeMutableBufferPointer { eb in
            var rc = CURLE_OK
            func set(_ r: CURLcode) { if rc == CURLE_OK { rc = r } }
            set(ccurl_easy_setopt_string(h, CURLOPT_URL, settings.url))
            set(ccurl_easy_setopt_long(h, CURLOPT_NOSIGNAL, 1))  // we are a threaded daemon
            set(ccurl_easy_setopt_pointer(h, CURLOPT_ERRORBUFFER, eb.baseAddress))
            set(ccurl_easy_setopt_string(h, CURLOPT_MAIL_FROM, "<\(envelopeFrom)>"))
            set(ccurl_easy_setopt_slist(h, CURLOPT_MAIL_RCPT, recipients))
            set(ccurl_easy_setopt_long(h, CURLOPT_UPLOAD, 1))
            set(ccurl_easy_setopt_read_callback(h, readCallback))
            set(ccurl_easy_setopt_pointer(h, CURLOPT_READDATA, context))
            set(ccurl_easy_setopt_long(h, CURLOPT_INFILESIZE, message.count))
            let ssl: Int
            switch settings.startTLS {
            case .required: ssl = Int(CURLUSESSL_ALL.rawValue)
            case .optional: ssl = Int(CURLUSESSL_TRY.rawValue)
            case .off: ssl = Int(CURLUSESSL_NONE.rawValue)
            }
            set(ccurl_easy_setopt_long(h, CURLOPT_USE_SSL, ssl))
            set(ccurl_easy_setopt_long(h, CURLOPT_SSL_VERIFYPEER, 1))
            set(ccurl_easy_setopt_long(h, CURLOPT_SSL_VERIFYHOST, 2))
            if let ca = settings.caFile { set(ccurl_easy_setopt_string(h, CURLOPT_CAINFO, ca)) }
            if let user = settings.username { set(ccurl_easy_setopt_string(h, CURLOPT_USERNAME, user)) }
            if let password = settings.password { set(ccurl_easy_setopt_string(h, CURLOPT_PASSWORD, password)) }
            set(ccurl_easy_setopt_long(h, CURLOPT_CONNECTTIMEOUT, min(30, settings.timeoutSeconds)))
            set(ccurl_easy_setopt_long(h, CURLOPT_TIMEOUT, settings.timeoutSeconds))
            // A server that trickles (less than 1 byte/s for 30 s) is given up, not waited on forever.
            set(ccurl_easy_setopt_long(h, CURLOPT_LOW_SPEED_LIMIT, 1))
            set(ccurl_easy_setopt_long(h, CURLOPT_LOW_SPEED_TIME, min(30, settings.timeoutSeconds)))
            if rc != CURLE_OK { return rc }
            return curl_easy_perform(h)
        }
        // The read data pointer must not outlive `upload`.
        _ = ccurl_easy_setopt_pointer(h, CURLOPT_READDATA, nil)
        withExtendedLifetime(upload) {}

        var response: Int = 0
        _ = ccurl_easy_getinfo_long(h, CURLINFO_RESPONSE_CODE, &response)
        let detail = String(decoding: errorBuffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let text = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
        if code == CURLE_OK {
            return .delivered("\(response) accepted")
        }
        // A refused login (535) concerns the connection, not this mail: the operator fixes the credentials and
        // the mail goes out on the next try.
        if code == CURLE_LOGIN_DENIED {
            return .temporaryFailure("\(response): login refused: \(text)")
        }
        if response >= 500 && response < 600 {
            return .permanentFailure("\(response): \(text)")
        }
        if response >= 400 && response < 500 {
            return .temporaryFailure("\(response): \(text)")
        }
        // No SMTP answer to judge by: connection refused, timeouts, TLS and login problems. All of them can be
        // fixed on the server or in the config without losing the mail, so they are retried.
        return .temporaryFailure("\(Self.noAnswerPrefix)\(code.rawValue): \(text)")
    }

    static let noAnswerPrefix = "curl "
}
