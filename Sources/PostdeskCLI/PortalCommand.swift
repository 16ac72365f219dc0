import PostdeskCore
import PostdeskDaemon
import PostdeskHTTP
import PostdeskPortal
import PostdeskStore
import PostdeskSystem

#if canImport(Glibc)
import Glibc
#endif

/// `postdesk portal`: the customer portal's HTTP server, a process of its own (deploy/postdesk-portal.service).
enum PortalCommand: PostdeskCommand {
    static let name = "portal"
    static let summary = "serve the customer portal on [portal] listen until SIGTERM; SIGHUP reloads"
    static let help = """
        usage: postdesk portal

        Serves the customer portal (server-rendered HTML over libmicrohttpd) on [portal] listen, a loopback
        address or a Unix socket, behind a TLS proxy (deploy/nginx). Shares the database with `postdesk run`,
        which sends the mail the portal causes. SIGHUP rereads the config; SIGTERM finishes the requests in
        progress and exits.

        Under systemd: with socket activation (LISTEN_FDS=1 and LISTEN_PID this process) it serves the socket
        on fd 3 instead of [portal] listen; with Type=notify it sends READY=1 once it listens, STATUS=,
        RELOADING=1 and STOPPING=1.
          SIGHUP           reread the config; a bad one is rejected (its FILE:LINE: problem logged) and the old
                           one kept
          SIGTERM, SIGINT  stop accepting, finish the requests in progress (up to 10 s), exit 0
        Logs go to stderr, one line per event, with syslog priority prefixes (<3> error ... <6> info).
        """

    static func run(_ arguments: [String], _ context: CommandContext) throws(CommandError) -> ExitCode {
        if let a = arguments.first { throw CommandError(.usage, "unknown argument \(a)\n\n" + help) }
        let console = context.console
        // Before any thread exists: the stop and reload signals become events on a descriptor, and every
        // thread started later (libmicrohttpd's) inherits the blocked mask.
        let signals: SignalSource
        do { signals = try SignalSource([SIGTERM, SIGINT, SIGHUP]) } catch {
            throw CommandError(.temporaryFailure, "cannot set up signal handling: \(error)")
        }
        signal(SIGPIPE, SIG_IGN)
        let environment = PostdeskCommandLine.currentEnvironment()
        let notifier = SystemdNotifier(environment: environment)
        let log: @Sendable (LogLevel, String) -> Void = { level, line in console.error("<\(level.rawValue)>\(line)") }

        notifier?.status("starting: reading the config and opening the database")
        let config = try context.loadConfig()
        for w in config.warnings { log(.notice, w.description) }
        let store = try context.openStore(config)
        // The writer's page cache: the portal writes little (sessions, portal messages), so a small one.
        try? store.db.execute("PRAGMA cache_size=-\(StorePool.readerCacheKiB)")
        let loaded = TemplateLoader.load(config)
        if !loaded.problems.isEmpty {
            throw CommandError(.configuration, "the templates have problems:\n" + loaded.problems.joined(separator: "\n"))
        }
        let ingestor: Ingestor
        do {
            ingestor = try Ingestor(config: config, store: store, templates: loaded.templates, log: log)
        } catch let e as Ingestor.SetupError {
            throw CommandError(e.isTemporary ? .temporaryFailure : .configuration, e.description)
        } catch {
            throw CommandError(.configuration, "\(error)")
        }
        let portal = Portal(config: config, desk: PortalDesk(ingestor: ingestor),
                            readers: StorePool(path: config.helpdesk.database, size: config.portal.threads), log: log)
        do { try portal.prepare() } catch {
            throw CommandError(.configuration, "cannot prepare the portal's data: \(error)")
        }

        let options = serverOptions(config, environment: environment)
        let server: HTTPServer
        do { server = try HTTPServer(options: options, handler: portal) } catch {
            throw CommandError(.temporaryFailure, "cannot serve on \(describe(options.listen)): \(error)")
        }
        var listening = describe(options.listen)
        if case .tcp(let host, _) = options.listen, let port = server.port { listening = describe(.tcp(host: host, port: port)) }
        log(.info, "postdesk portal listening on \(listening), \(options.threads) thread(s)\(notifier == nil ? "" : ", systemd notify on")")
        notifier?.ready(status: "serving on \(listening)")

        var current = config
        while true {
            _ = Poller.wait([signals.fileDescriptor], timeoutMilliseconds: 60_000)
            var stop = false
            for s in signals.pending() {
                if s == SIGHUP {
                    notifier?.reloading()
                    log(.info, "SIGHUP: reloading \(context.configPath)")
                    do {
                        let fresh = try context.loadConfig()
                        for w in fresh.warnings { log(.notice, w.description) }
                        if fresh.portal.listen != current.portal.listen {
                            log(.warning, "[portal] listen changed: it takes effect at the next restart")
                        }
                        portal.reload(fresh)
                        current = fresh
                        log(.info, "reloaded")
                    } catch {
                        log(.error, "reload rejected, still running with the previous configuration: \(error.message)")
                    }
                    notifier?.ready(status: "serving on \(listening)")
                } else {
                    log(.info, "signal \(s == SIGINT ? "SIGINT" : "SIGTERM"): finishing the requests in progress")
                    stop = true
                }
            }
            if stop { break }
        }
        notifier?.stopping()
        server.stop(drainSeconds: 10)
        log(.info, "postdesk portal stopped")
        return .ok
    }

    /// The server's options from `[portal]`: the listen address (or systemd's socket on fd 3), threads,
    /// connection limits and timeout, the body cap, trusted proxies, and the upload folder in data_dir.
    static func serverOptions(_ config: Configuration, environment: [String: String]) -> HTTPServerOptions {
        let listen: HTTPServerOptions.Listen
        if let fds = environment["LISTEN_FDS"], Int(fds) ?? 0 >= 1, let pid = environment["LISTEN_PID"], Int32(pid) == getpid() {
            listen = .socket(fd: 3)
        } else {
            switch config.portal.listen {
            case .tcp(let host, let port): listen = .tcp(host: host, port: port)
            case .unix(let path): listen = .unix(path: path)
            }
        }
        var o = HTTPServerOptions(listen: listen, uploadDirectory: config.helpdesk.dataDir + "/uploads")
        o.threads = config.portal.threads
        o.connectionLimit = config.portal.maxConnections
        o.connectionTimeoutSeconds = Int(config.portal.connectionTimeout.seconds)
        o.maxBodyBytes = config.portal.maxUploadBytes
        o.trustedProxies = config.portal.trustedProxies
        return o
    }

    static func describe(_ listen: HTTPServerOptions.Listen) -> String {
        switch listen {
        case .tcp(let h, let p): return h.contains(":") ? "[\(h)]:\(p)" : "\(h):\(p)"
        case .unix(let p): return "unix:" + p
        case .socket(let fd): return "the socket systemd passed (fd \(fd))"
        }
    }
}
