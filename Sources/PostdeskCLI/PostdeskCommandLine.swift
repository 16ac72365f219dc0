/// One `postdesk` command: a name, its help, and what it does.
protocol PostdeskCommand {
    static var name: String { get }
    /// One line for the command list.
    static var summary: String { get }
    /// The full `--help` text.
    static var help: String { get }
    static func run(_ arguments: [String], _ context: CommandContext) throws(CommandError) -> ExitCode
}

/// What a command gets besides its arguments.
public struct CommandContext: Sendable {
    public var console: Console
    /// `--config FILE`, else `$POSTDESK_CONFIG`, else `/etc/postdesk/postdesk.conf`.
    public var configPath: String

    public init(console: Console, configPath: String) {
        self.console = console
        self.configPath = configPath
    }
}

/// Entry point of the `postdesk` command: parses argv and runs one command.
public enum PostdeskCommandLine {
    // Metatypes of a non-Sendable protocol: the table is an immutable `let`, so sharing it is safe.
    nonisolated(unsafe) static let commands: [any PostdeskCommand.Type] = [
        RunCommand.self, InspectCommand.self, ExplainCommand.self, CheckConfigCommand.self, TicketsCommand.self,
        CustomersCommand.self, AgentsCommand.self, QuarantineCommand.self, ExportCommand.self, BackupCommand.self, StatsCommand.self,
        PortalCommand.self, VersionCommand.self,
    ]

    static var usage: String {
        var s = """
            usage: postdesk [--config FILE] COMMAND [ARGS]

            Postdesk, an email-driven helpdesk. Commands:

            """
        let width = commands.map { $0.name.count }.max() ?? 0
        for c in commands {
            s += "  " + c.name + String(repeating: " ", count: width - c.name.count + 2) + c.summary + "\n"
        }
        s += """

            `postdesk COMMAND --help` describes a command. --config defaults to $POSTDESK_CONFIG,
            then /etc/postdesk/postdesk.conf.
            Exit codes: 0 ok, 64 usage error, 65 bad input data, 75 temporary failure, 78 configuration error.
            """
        return s
    }

    /// Runs `postdesk` with `arguments` (argv without the program name) and returns the exit code.
    public static func main(arguments: [String], console: Console = .standard(), environment: [String: String] = currentEnvironment()) -> Int32 {
        var args = arguments[...]
        var configPath = environment["POSTDESK_CONFIG"] ?? "/etc/postdesk/postdesk.conf"
        while let first = args.first, first.hasPrefix("-") {
            switch first {
            case "--config":
                args.removeFirst()
                guard let path = args.first else {
                    console.error("postdesk: --config needs a file name\n\n" + usage)
                    return ExitCode.usage.rawValue
                }
                configPath = path
                args.removeFirst()
            case let s where s.hasPrefix("--config="):
                configPath = String(s.dropFirst("--config=".count))
                args.removeFirst()
            case "--help", "-h":
                console.print(usage)
                return ExitCode.ok.rawValue
            case "--version":
                console.print(VersionCommand.versionLine)
                return ExitCode.ok.rawValue
            default:
                console.error("postdesk: unknown option \(first)\n\n" + usage)
                return ExitCode.usage.rawValue
            }
        }
        guard let name = args.first else {
            console.error(usage)
            return ExitCode.usage.rawValue
        }
        args.removeFirst()
        if name == "help" {
            if let topic = args.first, let command = commands.first(where: { $0.name == topic }) {
                console.print(command.help)
            } else {
                console.print(usage)
            }
            return ExitCode.ok.rawValue
        }
        guard let command = commands.first(where: { $0.name == name }) else {
            console.error("postdesk: unknown command \"\(name)\"\n\n" + usage)
            return ExitCode.usage.rawValue
        }
        if args.contains("--help") || args.contains("-h") {
            console.print(command.help)
            return ExitCode.ok.rawValue
        }
        let context = CommandContext(console: console, configPath: configPath)
        do {
            return try command.run(Array(args), context).rawValue
        } catch {
            console.error("postdesk \(name): \(error.message)")
            return error.code.rawValue
        }
    }

    public static func currentEnvironment() -> [String: String] {
        var env: [String: String] = [:]
        var p = environ
        while let entry = p.pointee {
            let s = String(cString: entry)
            if let eq = s.firstIndex(of: "=") { env[String(s[..<eq])] = String(s[s.index(after: eq)...]) }
            p += 1
        }
        return env
    }
}

#if canImport(Glibc)
import Glibc
#endif

enum VersionCommand: PostdeskCommand {
    static let name = "version"
    static let summary = "print the version and the linked C libraries"
    static let help = """
        usage: postdesk version

        Prints Postdesk's version and the versions of the C libraries it runs on (SQLite, libcurl).
        """
    static let version = "0.1.0"
    static var versionLine: String { "postdesk \(version)" }

    static func run(_ arguments: [String], _ context: CommandContext) throws(CommandError) -> ExitCode {
        guard arguments.isEmpty else { throw CommandError(.usage, "takes no arguments\n\n" + help) }
        context.console.print(versionLine)
        context.console.print("sqlite \(SQLiteLibrary.version)")
        context.console.print("libcurl \(CurlLibrary.version)\(CurlLibrary.supportsSMTP ? " (smtp)" : " (no smtp!)")")
        return .ok
    }
}

import PostdeskStore
import PostdeskSMTP
