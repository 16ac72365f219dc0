/// An HTTP/1.1 server over GNU libmicrohttpd: a thread pool calls the handler once per complete request.
public final class HTTPServer: @unchecked Sendable {
    public let options: HTTPServerOptions
    public let handler: any HTTPHandler

    /// Binds and starts serving. Throws when the address cannot be bound.
    public init(options: HTTPServerOptions, handler: any HTTPHandler) throws(HTTPServerError) {
        self.options = options
        self.handler = handler
        throw HTTPServerError("not implemented yet")
    }

    /// The TCP port bound (useful with port 0), or nil for a Unix socket.
    public var port: Int? { nil }

    /// Stops accepting connections and waits up to `drainSeconds` for the requests in progress, then stops.
    public func stop(drainSeconds: Double = 10) {}
}
