import PostdeskCore
import PostdeskDaemon
import PostdeskSystem

#if canImport(Glibc)
import Glibc
#endif

enum QuarantineCommand: PostdeskCommand {
    static let name = "quarantine"
    static let summary = "mail that could not be processed, and putting it back through"
    static let help = """
        usage: postdesk quarantine list [--json]
               postdesk quarantine replay ID

        list     quarantined messages with their mailbox and reason (from data_dir/quarantine)
        replay   moves message ID back into its mailbox's new/ folder (under a fresh maildir name), so the
                 next `run` processes it again (after the cause is fixed); its reason file becomes a
                 `.replayed` record that says when and under which name. Nothing is ever deleted: with
                 data_dir on another filesystem the mail is copied, synced and compared before the
                 quarantined copy goes.
        """

    static func run(_ arguments: [String], _ context: CommandContext) throws(CommandError) -> ExitCode {
        let config = try context.loadConfig()
        let data = DataDirectory(config.helpdesk.dataDir)
        let console = context.console
        switch arguments.first {
        case "list":
            let json = arguments.contains("--json")
            let records = (try? FileSystem.list(data.reasons))?.filter { $0.hasSuffix(".reason") }.compactMap { name -> QuarantineRecord? in
                (try? FileSystem.readFile(data.reasons + "/" + name)).flatMap { QuarantineRecord(parsing: String(decoding: $0, as: UTF8.self)) }
            } ?? []
            if json {
                console.print(JSONValue.array(records.map {
                    .object([("id", .string($0.id)), ("mailbox", .string($0.mailbox)), ("original", .string($0.originalName)),
                             ("at", .string($0.at)), ("reason", .string($0.reason))])
                }).serialized())
            } else if records.isEmpty {
                console.print("the quarantine is empty")
            } else {
                for r in records { console.print("\(r.id)  \(r.mailbox)  \(r.at)  \(r.reason)") }
            }
            return .ok
        case "replay":
            guard arguments.count == 2 else { throw CommandError(.usage, "replay needs one ID\n\n" + help) }
            let id = arguments[1]
            guard !id.contains("/"), !id.hasPrefix(".") else { throw CommandError(.usage, "\(id) is not a quarantine ID") }
            let reasonFile = data.reasons + "/" + id + ".reason"
            guard let bytes = try? FileSystem.readFile(reasonFile), let record = QuarantineRecord(parsing: String(decoding: bytes, as: UTF8.self)) else {
                throw CommandError(.dataError, "no quarantined message \(id) (see `postdesk quarantine list`)")
            }
            guard let mailbox = config.mailboxes.first(where: { $0.name == record.mailbox }) else {
                throw CommandError(.configuration, "message \(id) came from mailbox \(record.mailbox), which is no longer configured")
            }
            let source = data.quarantine.path + "/new/" + id
            // A fresh maildir name: the original one may be in use again (in cur/, or in the ledger).
            let name = Maildir.uniqueName()
            let target = mailbox.maildir + "/new/" + name
            do {
                // Through the mailbox's tmp/ when data_dir is on another filesystem: copied, synced, compared,
                // renamed into new/; only then the quarantined copy goes.
                guard try FileSystem.moveDurably(source, to: target, tmpFolder: mailbox.maildir + "/tmp") else {
                    throw SystemError("rename", path: target, errno: EEXIST)
                }
            } catch {
                throw CommandError(.temporaryFailure, "could not move \(id) back: \(error)")
            }
            // The reason is kept, as a record of the replay (`quarantine list` shows only .reason files).
            let note = String(decoding: bytes, as: UTF8.self) + "replayed: \(SystemClock().now().iso8601) into \(mailbox.name) new/\(name)\n"
            do {
                _ = try FileSystem.writeNewDurably(data.reasons + "/" + id + ".replayed", Array(note.utf8))
                try FileSystem.remove(reasonFile)
                try FileSystem.syncDirectory(data.reasons)
            } catch {
                console.error("warning: \(id) was replayed as \(name), but its reason file could not be marked replayed: \(error)")
            }
            console.print("\(id) is back in \(mailbox.name)'s new/ as \(name); the next `postdesk run` processes it")
            return .ok
        default:
            throw CommandError(.usage, "needs list or replay\n\n" + help)
        }
    }
}
