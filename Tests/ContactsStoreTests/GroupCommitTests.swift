import Foundation
import GRDB
import Testing
@testable import ContactsStore

/// Concurrent writes sharing commits, on a real SQLite file in WAL mode.
@Suite struct GroupCommitTests {
    struct Boom: Error {}

    /// A pool on a fresh file with one table of numbers.
    static func pool() throws -> (DatabasePool, URL) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("group-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let pool = try DatabasePool(path: directory.appendingPathComponent("g.sqlite").path, configuration: AppDatabase.makeConfiguration())
        try pool.write { db in try db.execute(sql: "CREATE TABLE number (value INTEGER PRIMARY KEY)") }
        return (pool, directory)
    }

    /// Runs `body` on `count` threads of their own, started together (a dispatch pool would run
    /// only as many at once as there are cores), and waits for all.
    static func onThreads(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
        let start = DispatchSemaphore(value: 0)
        let done = DispatchGroup()
        for index in 0..<count {
            done.enter()
            Thread {
                start.wait()
                body(index)
                done.leave()
            }.start()
        }
        for _ in 0..<count { start.signal() }
        done.wait()
    }

    @Test func thirtyTwoConcurrentWritesAllLandInFewerCommitsAndEachGetsItsOwnResult() throws {
        let (pool, directory) = try Self.pool()
        defer { try? FileManager.default.removeItem(at: directory) }
        let commits = GroupCommit(pool: pool)
        let results = Mutex32()
        Self.onThreads(32) { index in
            let value = try? commits.write { db -> Int64 in
                try db.execute(sql: "INSERT INTO number (value) VALUES (?)", arguments: [index])
                // Slow enough that the others queue behind it.
                usleep(2_000)
                return db.lastInsertedRowID
            }
            results.set(index, value)
        }
        #expect(results.values == (0..<32).map { Int64($0) }, "each caller got its own write's row")
        #expect(try pool.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM number") } == 32)
        let counts = commits.counts
        #expect(counts.writes == 32)
        #expect(counts.batches < 32, "concurrent writes shared commits (\(counts.batches) commits)")
    }

    @Test func aFailingWriteRollsBackAloneAndOnlyItsCallerSeesTheError() throws {
        let (pool, directory) = try Self.pool()
        defer { try? FileManager.default.removeItem(at: directory) }
        let commits = GroupCommit(pool: pool)
        let outcomes = Mutex32()
        Self.onThreads(16) { index in
            do {
                try commits.write { db in
                    try db.execute(sql: "INSERT INTO number (value) VALUES (?)", arguments: [index])
                    usleep(1_000)
                    if index % 4 == 0 { throw Boom() }
                    // A constraint violation is undone with its savepoint too.
                    if index == 5 { try db.execute(sql: "INSERT INTO number (value) VALUES (5)") }
                }
                outcomes.set(index, 1)
            } catch {
                outcomes.set(index, 0)
            }
        }
        let failed: Set<Int> = [0, 4, 8, 12, 5]
        #expect(outcomes.values == (0..<16).map { failed.contains($0) ? 0 : 1 })
        let stored = try pool.read { try Int.fetchAll($0, sql: "SELECT value FROM number ORDER BY value") }
        #expect(stored == (0..<16).filter { !failed.contains($0) })
    }

    @Test func oneWriterAloneCommitsEachWriteAtOnce() throws {
        let (pool, directory) = try Self.pool()
        defer { try? FileManager.default.removeItem(at: directory) }
        let commits = GroupCommit(pool: pool)
        for value in 0..<5 {
            try commits.write { db in try db.execute(sql: "INSERT INTO number (value) VALUES (?)", arguments: [value]) }
            // Answered means committed: another connection sees it at once.
            #expect(try pool.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM number") } == value + 1)
        }
        #expect(commits.counts == (batches: 5, writes: 5))
        #expect(throws: Boom.self) { try commits.write { _ in throw Boom() } }
    }
}

/// Results by index, written from many threads.
final class Mutex32: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [Int: Int64] = [:]
    func set(_ index: Int, _ value: Int64?) { lock.withLock { stored[index] = value } }
    var values: [Int64?] { lock.withLock { (0..<stored.count).map { stored[$0] ?? nil } } }
}
