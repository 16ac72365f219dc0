import PostdeskCore
import PostdeskDaemon
import PostdeskPortal

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
        """

    static func run(_ arguments: [String], _ context: CommandContext) throws(CommandError) -> ExitCode {
        throw CommandError(.configuration, "not implemented yet")
    }
}
