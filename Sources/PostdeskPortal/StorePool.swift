import PostdeskStore
import Synchronization

/// Read connections to the database for the worker threads: a request takes one, uses it, gives it back. At
/// most `size` are open; a request that finds none free waits for one.
public final class StorePool: @unchecked Sendable {
    private let path: String
    private let size: Int
    private let free: Mutex<(idle: [Store], open: Int)>

    public init(path: String, size: Int) {
        self.path = path
        self.size = max(1, size)
        self.free = Mutex(([], 0))
    }

    /// The page cache of each read connection, in KiB.
    public static let readerCacheKiB = 4_096

    /// Runs `body` with a connection of its own.
    public func with<T>(_ body: (Store) throws -> T) throws -> T {
        let store = try take()
        defer { free.withLock { $0.idle.append(store) } }
        return try body(store)
    }

    private func take() throws -> Store {
        while true {
            enum Next { case store(Store), open, wait }
            let next: Next = free.withLock { s in
                if let st = s.idle.popLast() { return .store(st) }
                if s.open < size { s.open += 1; return .open }
                return .wait
            }
            switch next {
            case .store(let s): return s
            case .open:
                do {
                    let store = try Store(path: path)
                    // A small page cache per reader: the OS page cache holds the database for all of them, and
                    // the portal stays small (each connection would otherwise take up to 64 MB).
                    try store.db.execute("PRAGMA cache_size=-\(Self.readerCacheKiB)")
                    return store
                } catch {
                    free.withLock { $0.open -= 1 }
                    throw error
                }
            case .wait:
                usleepShort()
            }
        }
    }

    private func usleepShort() {
        var ts = timespec(tv_sec: 0, tv_nsec: 1_000_000)
        nanosleep(&ts, nil)
    }
}

#if canImport(Glibc)
import Glibc
#endif
