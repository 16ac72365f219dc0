import PostdeskCore
import PostdeskDaemon
import PostdeskStore
import PostdeskSystem

extension CommandContext {
    /// Reads and validates the config file; problems end the command with exit 78 and `FILE:LINE: problem`.
    func loadConfig(showWarnings: Bool = false) throws(CommandError) -> Configuration {
        let bytes: [UInt8]
        do { bytes = try FileSystem.readFile(configPath) } catch {
            throw CommandError(.configuration, "cannot read the config file: \(error) (give one with --config FILE or $POSTDESK_CONFIG)")
        }
        let base = FileSystem.directoryName(configPath.hasPrefix("/") ? configPath : currentDirectory() + "/" + configPath)
        switch Configuration.parse(String(decoding: bytes, as: UTF8.self), file: configPath, baseDirectory: base) {
        case .success(let c):
            if showWarnings { for w in c.warnings { console.error(w.description) } }
            return c
        case .failure(let e):
            throw CommandError(.configuration, "the configuration has problems:\n" + e.description)
        }
    }

    /// Opens the database (migrating it), mapping failures to exit codes.
    func openStore(_ config: Configuration) throws(CommandError) -> Store {
        do {
            try FileSystem.makeDirectories(FileSystem.directoryName(config.helpdesk.database))
            return try Store(path: config.helpdesk.database)
        } catch let e as StoreError {
            throw CommandError(e.isTemporary ? .temporaryFailure : .configuration, "cannot open the database \(config.helpdesk.database): \(e)")
        } catch {
            throw CommandError(.configuration, "cannot open the database \(config.helpdesk.database): \(error)")
        }
    }
}

func currentDirectory() -> String {
    var buffer = [CChar](repeating: 0, count: 4096)
    guard getcwd(&buffer, buffer.count) != nil else { return "." }
    return String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

#if canImport(Glibc)
import Glibc
#endif
