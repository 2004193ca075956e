import ContactsDomain
import Foundation
import GRDB
import Synchronization
import Testing
@testable import ContactsStore

@Suite(.timeLimit(.minutes(2)))
struct BackupTests {
    static func temporaryFile() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("contacts-backup-\(UUID().uuidString).sqlite").path
    }

    @Test func aBackupDuringWritesIsIntactAndHoldsEveryWriteAcknowledgedBeforeIt() throws {
        // Given a database with some accounts, and two threads creating more as fast as they can
        let db = try AppDatabase.temporary()
        try db.createAccounts((0..<500).map { (makeAccount("aa\($0)-ovh"), someHash) }, now: now)
        let acknowledged = Mutex<[String]>([])
        let stop = Atomic<Bool>(false)
        let failures = Mutex<[String]>([])
        let writers = (0..<2).map { writer in
            Thread {
                var index = 0
                while !stop.load(ordering: .relaxed) {
                    let id = "\(writer == 0 ? "wa" : "wb")\(index)-ovh"
                    do {
                        try db.createAccounts([(makeAccount(id), someHash)], now: now)
                        acknowledged.withLock { $0.append(id) }
                    } catch {
                        failures.withLock { $0.append("\(error)") }
                    }
                    index += 1
                }
            }
        }
        writers.forEach { $0.start() }
        defer { stop.store(true, ordering: .relaxed) }
        while acknowledged.withLock({ $0.count }) < 50 { Thread.sleep(forTimeInterval: 0.005) }

        // When backing up while they write
        let before = Set(acknowledged.withLock { $0 })
        let path = Self.temporaryFile()
        defer { try? FileManager.default.removeItem(atPath: path) }
        try db.backup(to: path)
        stop.store(true, ordering: .relaxed)
        Thread.sleep(forTimeInterval: 0.1)
        #expect(failures.withLock { $0 }.isEmpty)

        // Then the copy is owner-only, sound, and has every account acknowledged before it began
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let copy = try DatabaseQueue(path: path)
        try copy.read { db in
            #expect(try String.fetchAll(db, sql: "PRAGMA integrity_check") == ["ok"])
            #expect(try String.fetchOne(db, sql: "PRAGMA journal_mode") == "delete")
            let ids = Set(try String.fetchAll(db, sql: "SELECT id FROM account"))
            #expect(before.isSubset(of: ids), "missing: \(before.subtracting(ids).sorted().prefix(5))")
            #expect(ids.count >= 500 + before.count)
        }
        try copy.close()
        // ... and it opens as a database of the app, at the latest schema
        let reopened = try AppDatabase(path: path)
        #expect(try reopened.appliedMigrations() == (try db.appliedMigrations()))
    }

    @Test func aBackupNeverOverwritesAFile() throws {
        let db = try AppDatabase.temporary()
        let path = Self.temporaryFile()
        defer { try? FileManager.default.removeItem(atPath: path) }
        try "precious".write(toFile: path, atomically: false, encoding: .utf8)
        #expect(throws: BackupError.self) { try db.backup(to: path) }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "precious")
    }

    @Test func aBackupIntoAMissingFolderFailsAndLeavesNothing() throws {
        let db = try AppDatabase.temporary()
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("no-such-\(UUID().uuidString)/b.sqlite").path
        #expect(throws: BackupError.self) { try db.backup(to: path) }
        #expect(!FileManager.default.fileExists(atPath: path))
    }
}
