import ContactsDomain
import Foundation
import GRDB
import Testing
@testable import ContactsStore

/// Timings of the contacts page for an account with 50,000 services, printed rather than
/// asserted (machines differ). Run with `CONTACTS_STORE_BENCH=1 swift test --filter StoreBenchmark`.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["CONTACTS_STORE_BENCH"] != nil))
struct StoreBenchmark {
    /// Durable writes per second from 1, 4 and 32 threads: each write alone in its own
    /// transaction (GRDB's `write`, one fsync each) against the same writes through
    /// `GroupCommit`, in one run on one file, so the ratio holds on a shared machine.
    @Test func groupCommitAgainstOneCommitPerWrite() throws {
        let db = try AppDatabase.temporary()
        try db.dbPool.write { try $0.execute(sql: "CREATE TABLE bench_write (id INTEGER PRIMARY KEY, body TEXT NOT NULL)") }
        let body = String(repeating: "x", count: 500)
        for threads in [1, 4, 32] {
            let perThread = 4_000 / threads
            func rate(_ write: @escaping @Sendable () throws -> Void) -> Double {
                let start = DispatchTime.now().uptimeNanoseconds
                GroupCommitTests.onThreads(threads) { _ in
                    for _ in 0..<perThread { try? write() }
                }
                return Double(threads * perThread) / (Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            }
            let alone = rate { try db.dbPool.write { try $0.execute(sql: "INSERT INTO bench_write (body) VALUES (?)", arguments: [body]) } }
            let before = db.commits.counts
            let grouped = rate { try db.commits.write { try $0.execute(sql: "INSERT INTO bench_write (body) VALUES (?)", arguments: [body]) } }
            let after = db.commits.counts
            let perCommit = Double(after.writes - before.writes) / Double(max(1, after.batches - before.batches))
            print("[bench] \(threads) thread(s): \(Int(alone)) writes/s one commit each, \(Int(grouped)) writes/s grouped "
                + "(\(String(format: "%.1f", perCommit)) writes per commit), ratio \(String(format: "%.2f", grouped / alone))")
        }
    }

    @Test func contactsPageOfA50000ServiceAccount() throws {
        let db = try AppDatabase.temporary()
        let customers = (0..<500).map { cid("cu\($0 + 1)-ovh") }
        try db.createAccounts(
            [(makeAccount("re1-ovh", name: "Reseller"), someHash)]
                + customers.map { (makeAccount($0.rawValue, name: "Customer \($0.rawValue)"), someHash) },
            now: now)
        let reseller = cid("re1-ovh")
        let types = ServiceType.allCases
        var services: [NewService] = []
        for i in 0..<150_000 {
            let mine = i % 3 == 0 // 50,000 services of the reseller among 150,000
            let a = customers[i % 500], b = customers[(i * 7 + 1) % 500]
            let pattern = mine ? i / 3 % 7 + 1 : 0
            services.append(NewService(
                name: "svc-\(String(i, radix: 36)).example", type: types[i / 3 % types.count],
                administrative: pattern & 1 != 0 ? reseller : a,
                technical: pattern & 2 != 0 ? reseller : b,
                billing: pattern & 4 != 0 ? reseller : a))
        }
        let loadStart = Date()
        try db.addServices(services)
        print("[bench] loaded 150,000 services in \(String(format: "%.1f", Date().timeIntervalSince(loadStart))) s")

        func measure(_ label: String, runs: Int = 30, _ body: () throws -> Void) rethrows {
            var times: [Double] = []
            for _ in 0..<runs {
                let start = DispatchTime.now().uptimeNanoseconds
                try body()
                times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
            }
            times.sort()
            print("[bench] \(label): median \(String(format: "%.2f", times[times.count / 2])) ms, "
                + "min \(String(format: "%.2f", times[0])) ms")
        }

        let first = try db.contactsPage(for: reseller, query: ContactsQuery())
        #expect(first.totalCount == 50_000)
        var middle = ContactsQuery()
        for _ in 0..<500 { middle.cursor = try db.contactsPage(for: reseller, query: middle).nextCursor }

        try measure("50-row page, first, by name (incl. count)") {
            _ = try db.contactsPage(for: reseller, query: ContactsQuery())
        }
        try measure("50-row page, page 501, by name (incl. count)") {
            _ = try db.contactsPage(for: reseller, query: middle)
        }
        try measure("50-row page, last, by type descending (incl. count)") {
            _ = try db.contactsPage(for: reseller, query: ContactsQuery(sort: .type, descending: true, direction: .backward))
        }
        try measure("50-row page, technical role filter (incl. count)") {
            _ = try db.contactsPage(for: reseller, query: ContactsQuery(role: .technical))
        }
        for (label, query) in [
            ("count alone, no filter (50,000)", ContactsQuery()),
            ("count alone, role filter", ContactsQuery(role: .billing)),
            ("count alone, type filter", ContactsQuery(type: .vps)),
        ] {
            let pageQuery = ContactsPageQuery(account: reseller, query: query, dialect: .sqlite)
            try measure(label) {
                _ = try db.dbPool.read { try SQLiteContactsReader(db: $0).count(pageQuery.countStatement(), bounded: pageQuery.isFiltered) }
            }
        }
        try measure("rows alone, 51 rows, no count") {
            let pageQuery = ContactsPageQuery(account: reseller, query: middle, dialect: .sqlite)
            _ = try db.dbPool.read {
                try SQLiteContactsReader(db: $0).rows(pageQuery.rowsStatement(from: middle.cursor, backward: false, limit: 51))
            }
        }
        try measure("50-row page, text filter matching many ('svc-1')", runs: 10) {
            _ = try db.contactsPage(for: reseller, query: ContactsQuery(text: "svc-1"))
        }
        try measure("50-row page, text filter matching none ('zzz')", runs: 10) {
            _ = try db.contactsPage(for: reseller, query: ContactsQuery(text: "zzz"))
        }
        try measure("50-row page, non-ASCII text filter matching none ('żółw')", runs: 10) {
            _ = try db.contactsPage(for: reseller, query: ContactsQuery(text: "żółw"))
        }
        let textCount = ContactsPageQuery(account: reseller, query: ContactsQuery(text: "zzz"), dialect: .sqlite)
        try measure("count alone, text filter", runs: 10) {
            _ = try db.dbPool.read { try SQLiteContactsReader(db: $0).count(textCount.countStatement(), bounded: true) }
        }
    }
}
