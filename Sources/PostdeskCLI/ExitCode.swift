/// The exit codes of `postdesk`, from sysexits.h, as INTERFACE.md documents them.
public enum ExitCode: Int32, Sendable {
    case ok = 0
    /// The command line was wrong.
    case usage = 64
    /// The input data was bad (a message that could not be read, ...).
    case dataError = 65
    /// A temporary failure: try again later.
    case temporaryFailure = 75
    /// The configuration is wrong.
    case configuration = 78
}

/// A failure that ends a command with an exit code and a message saying what to do.
public struct CommandError: Error, Sendable, CustomStringConvertible {
    public var code: ExitCode
    public var message: String
    public init(_ code: ExitCode, _ message: String) {
        self.code = code
        self.message = message
    }
    public var description: String { message }
}
