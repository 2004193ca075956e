import ArgumentParser
import ContactsStore
import Foundation

/// Moves a SQLite installation to PostgreSQL: every stored row, with its IDs, in one
/// transaction, verified by counting every table on both sides. Refuses a target that holds
/// accounts or services already. Stop the app and the deliverer first, so that nothing is
/// written to the file meanwhile (docs/DEPLOYMENT.md).
struct CopyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "copy",
        abstract: "Copy a SQLite database into an empty PostgreSQL database, verified by counts.")

    @Option(help: "The SQLite file to copy.")
    var from: String
    @Option(help: "The PostgreSQL database (postgres://...; password from PGPASSFILE, PGPASSWORD or the URL).")
    var to: String

    func validate() throws {
        guard case .sqlite = DatabaseLocation(from) else { throw ValidationError("--from is a SQLite file.") }
        guard case .postgres = DatabaseLocation(to) else { throw ValidationError("--to is a postgres:// URL.") }
        guard FileManager.default.fileExists(atPath: from) else { throw ValidationError("no database at \(from).") }
    }

    func run() throws {
        guard case .postgres(let url) = DatabaseLocation(to) else { return }
        let started = Date()
        let counts: CopyCounts
        do {
            let source = try AppDatabase(path: from)
            let target = try PostgresStore(url: url, connections: 1)
            counts = try target.copy(from: source)
        } catch let error as CopyError {
            throw OperatorError("nothing copied: \(error.description)")
        } catch {
            throw OperatorError("nothing copied: \(error)")
        }
        for (table, count) in counts.rows where count > 0 {
            print("\(table): \(count)")
        }
        print("Copied \(counts.rows.map(\.count).reduce(0, +)) rows in \(String(format: "%.1f", Date().timeIntervalSince(started))) s; "
            + "every table counted the same on both sides.")
    }
}
