import ArgumentParser
import ContactsStore
import Foundation

/// A consistent copy of the live database, for cron or a timer; restoring is a file copy with
/// the app stopped (README, "Operating it").
struct Backup: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Copy the database, while the app runs, into a new file.",
        discussion: """
            Uses SQLite's online backup API: the copy holds every change committed before it \
            started and nothing half-done, and the app keeps serving meanwhile. The new file is \
            readable by its owner only (mode 0600) and an existing file is never overwritten. \
            To restore: stop contacts-fcgi and deliver-mail, copy the backup over the database \
            file, remove the database's -wal and -shm files, and start them again.
            """)

    @OptionGroup var options: DatabaseOptions

    @Option(help: ArgumentHelp("The new file to write; it must not exist.", valueName: "file"))
    var to: String

    func run() throws {
        let database = try options.open()
        let started = Date()
        do {
            try database.backup(to: to)
        } catch {
            throw OperatorError("backup not made: \(error)")
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: to)[.size] as? Int) ?? 0
        print("Backed up \(options.database) to \(to) (\(size) bytes, \(Int(Date().timeIntervalSince(started) * 1_000)) ms).")
    }
}
