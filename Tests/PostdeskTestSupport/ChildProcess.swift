#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// A real child process for tests, started with posix_spawn and waited for with a deadline.
///
/// Foundation's `Process` hands its children the spawning thread's signal mask and waits without a limit;
/// a child that never sees SIGTERM, or an exit that is never noticed, hangs the whole test run. Here every
/// child starts with an empty signal mask and default dispositions, and every wait has a deadline after
/// which the child is killed and the test fails instead of hanging.
public final class ChildProcess: @unchecked Sendable {
    public let pid: pid_t
    private var exitStatus: Int32?
    private var killedBySignal: Int32?
    private var usage: rusage?

    public enum Failure: Error, CustomStringConvertible {
        case spawn(String, Int32)
        case timedOut(String, seconds: Double)
        public var description: String {
            switch self {
            case .spawn(let what, let e): return "cannot start \(what): \(String(cString: strerror(e)))"
            case .timedOut(let what, let s): return "\(what) did not finish within \(s) s and was killed"
            }
        }
    }

    let label: String

    /// Starts `executable` (a path, or a name looked up on PATH) with `arguments`.
    /// stdin is /dev/null; stdout and stderr go to the given paths (or /dev/null), or to `stdoutFD`.
    public init(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil,
        stdoutPath: String? = nil, stderrPath: String? = nil, stdoutFD: Int32? = nil
    ) throws {
        label = ([executable] + arguments.prefix(2)).joined(separator: " ")
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        if let fd = stdoutFD {
            posix_spawn_file_actions_adddup2(&actions, fd, 1)
        } else {
            posix_spawn_file_actions_addopen(&actions, 1, stdoutPath ?? "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        }
        posix_spawn_file_actions_addopen(&actions, 2, stderrPath ?? "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o644)

        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attr, &empty)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for s in [SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGPIPE, SIGCHLD, SIGUSR1, SIGUSR2, SIGALRM] { sigaddset(&defaults, s) }
        posix_spawnattr_setsigdefault(&attr, &defaults)
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let env = (environment ?? ProcessInfo.processInfo.environment).map { "\($0.key)=\($0.value)" }
        let argv = [executable] + arguments
        var cArgs = argv.map { strdup($0) } + [nil]
        var cEnv = env.map { strdup($0) } + [nil]
        defer {
            cArgs.forEach { free($0) }
            cEnv.forEach { free($0) }
        }
        var child: pid_t = 0
        let rc = executable.contains("/")
            ? posix_spawn(&child, executable, &actions, &attr, &cArgs, &cEnv)
            : posix_spawnp(&child, executable, &actions, &attr, &cArgs, &cEnv)
        guard rc == 0 else { throw Failure.spawn(executable, rc) }
        pid = child
    }

    /// Sends a signal (no effect once the child has been reaped).
    public func signal(_ sig: Int32) {
        if exitStatus == nil && killedBySignal == nil { kill(pid, sig) }
    }

    private func poll() -> Bool {
        if exitStatus != nil || killedBySignal != nil { return true }
        var status: Int32 = 0
        var u = rusage()
        // wait4, not waitpid: it also returns the child's resource usage (its peak RSS for the tests).
        let r = wait4(pid, &status, WNOHANG, &u)
        if r == pid {
            usage = u
            if status & 0x7f == 0 { exitStatus = (status >> 8) & 0xff } else { killedBySignal = status & 0x7f }
            return true
        }
        if r < 0 && errno == ECHILD { exitStatus = -1; return true }  // reaped by someone else
        return false
    }

    /// Waits up to `seconds`; true when the child has ended.
    @discardableResult
    public func wait(seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        var nap: useconds_t = 1_000
        while !poll() {
            if Date() >= deadline { return false }
            usleep(nap)
            nap = min(nap * 2, 50_000)
        }
        return true
    }

    /// Waits up to `seconds`, then kills the child and throws: a hung child fails its test, not the run.
    public func waitOrKill(seconds: Double) throws {
        if wait(seconds: seconds) { return }
        kill(pid, SIGKILL)
        _ = wait(seconds: 10)
        throw Failure.timedOut(label, seconds: seconds)
    }

    /// The exit code, or nil while running or when ended by a signal.
    public var status: Int32? { _ = poll(); return exitStatus }
    /// The signal that ended the child, if one did.
    public var terminationSignal: Int32? { _ = poll(); return killedBySignal }
    /// The child's peak resident set size in bytes (`ru_maxrss` from wait4), once it has ended.
    public var peakResidentBytes: Int? { _ = poll(); return usage.map { Int($0.ru_maxrss) * 1024 } }

    deinit {
        if !poll() {
            kill(pid, SIGKILL)
            _ = wait(seconds: 5)
        }
    }
}

public struct ProcessOutput: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
    /// The child's peak resident set size in bytes (from wait4's rusage).
    public var peakResidentBytes: Int = 0
}

/// Runs a command to its end (at most `seconds`, then it is killed and this throws), collecting its output
/// through files so a large output can never block the child on a full pipe.
public func runCommand(
    _ executable: String, _ arguments: [String], environment: [String: String]? = nil, seconds: Double = 300
) throws -> ProcessOutput {
    let base = NSTemporaryDirectory() + "pd-child-" + UUID().uuidString
    defer {
        unlink(base + ".out")
        unlink(base + ".err")
    }
    let child = try ChildProcess(
        executable, arguments, environment: environment, stdoutPath: base + ".out", stderrPath: base + ".err")
    try child.waitOrKill(seconds: seconds)
    let out = (try? Data(contentsOf: URL(fileURLWithPath: base + ".out"))) ?? Data()
    let err = (try? Data(contentsOf: URL(fileURLWithPath: base + ".err"))) ?? Data()
    return ProcessOutput(
        status: child.status ?? (128 + (child.terminationSignal ?? 0)), stdout: String(decoding: out, as: UTF8.self),
        stderr: String(decoding: err, as: UTF8.self), peakResidentBytes: child.peakResidentBytes ?? 0)
}

/// Reads one line from a file descriptor, waiting at most `seconds`; nil on timeout or end of file.
public func readLine(fd: Int32, seconds: Double) -> String? {
    var bytes: [UInt8] = []
    let deadline = Date().addingTimeInterval(seconds)
    while true {
        let left = deadline.timeIntervalSinceNow
        if left <= 0 { return nil }
        var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let r = Glibc.poll(&pfd, 1, Int32(min(left, 1) * 1000) + 1)
        if r < 0 && errno == EINTR { continue }
        if r <= 0 { continue }
        var byte: UInt8 = 0
        let n = read(fd, &byte, 1)
        if n <= 0 { return bytes.isEmpty ? nil : String(decoding: bytes, as: UTF8.self) }
        if byte == 0x0A { return String(decoding: bytes, as: UTF8.self) }
        bytes.append(byte)
    }
}

/// A pipe whose ends close on exec (a child gets only what it is given with `stdoutFD`).
public func closeOnExecPipe() throws -> (read: Int32, write: Int32) {
    var fds: [Int32] = [0, 0]
    guard pipe(&fds) == 0 else { throw ChildProcess.Failure.spawn("pipe", errno) }
    for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
    return (fds[0], fds[1])
}
