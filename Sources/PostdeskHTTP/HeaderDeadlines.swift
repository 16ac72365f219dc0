#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// The deadline for a complete request header, which libmicrohttpd 0.9.75 lacks (its timeout is an idle one, so
/// a client trickling a byte every few seconds holds a connection for ever).
///
/// Each connection is tracked from libmicrohttpd's "started" to its "closed" notification, keyed by the
/// connection's address. A watcher thread shuts down the socket of a connection whose header is late; the
/// worker thread then sees the end of the stream and closes the connection itself. libmicrohttpd notifies
/// "closed" before it closes the socket, and the table is changed under one lock, so a descriptor number is
/// never shut down after it was closed (and maybe reused).
final class HeaderDeadlines: Sendable {
    private struct Entry {
        var fd: Int32
        /// When the header must be complete; nil while a request is being read or answered.
        var deadline: Double?
    }

    let seconds: Double
    private let entries = Mutex<[UInt: Entry]>([:])
    private let running = Atomic<Bool>(false)
    private let finished = Atomic<Bool>(true)
    /// A pipe whose write end wakes the watcher at once when it should stop.
    private let wake = Mutex<(read: Int32, write: Int32)>((-1, -1))

    init(seconds: Double) { self.seconds = seconds }

    private static func key(_ connection: OpaquePointer) -> UInt { UInt(bitPattern: Int(bitPattern: UnsafeRawPointer(connection))) }

    func opened(_ connection: OpaquePointer, fd: Int32) {
        guard seconds > 0, fd >= 0 else { return }
        let deadline = Monotonic.now + seconds
        entries.withLock { $0[Self.key(connection)] = Entry(fd: fd, deadline: deadline) }
    }

    func headerComplete(_ connection: OpaquePointer) {
        guard seconds > 0 else { return }
        entries.withLock { $0[Self.key(connection)]?.deadline = nil }
    }

    func expectHeader(_ connection: OpaquePointer) {
        guard seconds > 0 else { return }
        let deadline = Monotonic.now + seconds
        entries.withLock { $0[Self.key(connection)]?.deadline = deadline }
    }

    func closed(_ connection: OpaquePointer) {
        guard seconds > 0 else { return }
        _ = entries.withLock { $0.removeValue(forKey: Self.key(connection)) }
    }

    /// Shuts down the connections whose header is late (each once).
    func enforce(now: Double) {
        entries.withLock { table in
            for (key, entry) in table {
                guard let deadline = entry.deadline, deadline <= now else { continue }
                shutdown(entry.fd, Int32(SHUT_RDWR))
                table[key]?.deadline = nil
            }
        }
    }

    /// Starts the watcher thread (checking every `interval` seconds).
    func startWatching(every interval: Double) {
        guard seconds > 0, !running.exchange(true, ordering: .acquiringAndReleasing) else { return }
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else {
            running.store(false, ordering: .releasing)
            return
        }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        wake.withLock { $0 = (fds[0], fds[1]) }
        finished.store(false, ordering: .releasing)
        let context = Unmanaged.passRetained(WatchContext(watch: self, interval: interval, wakeFD: fds[0])).toOpaque()
        var thread = pthread_t()
        let made = pthread_create(&thread, nil, { raw in
            let context = Unmanaged<WatchContext>.fromOpaque(raw!).takeRetainedValue()
            let watch = context.watch
            while watch.running.load(ordering: .acquiring) {
                var p = pollfd(fd: context.wakeFD, events: Int16(POLLIN), revents: 0)
                _ = poll(&p, 1, Int32(context.interval * 1000))
                watch.enforce(now: Monotonic.now)
            }
            watch.finished.store(true, ordering: .releasing)
            return nil
        }, context)
        if made == 0 {
            pthread_detach(thread)
        } else {
            Unmanaged<WatchContext>.fromOpaque(context).release()
            running.store(false, ordering: .releasing)
            finished.store(true, ordering: .releasing)
            closeWake()
        }
    }

    /// Stops the watcher thread and waits for it to end.
    func stopWatching() {
        running.store(false, ordering: .releasing)
        let writeEnd = wake.withLock { $0.write }
        if writeEnd >= 0 {
            var byte: UInt8 = 1
            _ = write(writeEnd, &byte, 1)
        }
        while !finished.load(ordering: .acquiring) { usleep(1_000) }
        closeWake()
    }

    private func closeWake() {
        wake.withLock { fds in
            if fds.read >= 0 { close(fds.read) }
            if fds.write >= 0 { close(fds.write) }
            fds = (-1, -1)
        }
    }

    private final class WatchContext: Sendable {
        let watch: HeaderDeadlines
        let interval: Double
        let wakeFD: Int32
        init(watch: HeaderDeadlines, interval: Double, wakeFD: Int32) {
            self.watch = watch
            self.interval = interval
            self.wakeFD = wakeFD
        }
    }
}
