import ContactsDomain
import Foundation
import GRDB

// MARK: - Bulk loads (benchmark databases)

extension AppDatabase {
    /// Loads accounts, then services between them, in one transaction, at the speed of SQLite
    /// itself: for building databases of millions of rows (the benchmark's), not for the app.
    ///
    /// Both sequences are consumed lazily, so nothing of the size of the load is held in memory.
    /// The indexes of `service` and `service_membership` are dropped for the load and rebuilt
    /// from the table afterwards with the SQL they were created with (a sorted build instead of
    /// millions of random index inserts); the triggers stay, so the membership rows behind the
    /// contacts table are written exactly as every other service insert writes them. Values are
    /// checked by the schema's constraints, as for any insert. All or nothing.
    ///
    /// - Returns: how many accounts and services were inserted.
    @discardableResult
    public func bulkLoad(
        accounts: some Sequence<(account: Account, passwordHash: String)>,
        services: some Sequence<NewService>,
        now: Date,
        progress: (_ accounts: Int, _ services: Int) -> Void = { _, _ in }
    ) throws -> (accounts: Int, services: Int) {
        try timedWriteWithoutTransaction { db in
            // A cache large enough for the membership table's primary key during the load.
            try db.execute(sql: "PRAGMA cache_size = -1048576")
            defer { try? db.execute(sql: "PRAGMA cache_size = -2000") }
            var counts = (accounts: 0, services: 0)
            try db.inTransaction {
                let indexes = try Row.fetchAll(db, sql: """
                    SELECT name, sql FROM sqlite_master
                    WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ('service', 'service_membership')
                    """)
                for index in indexes {
                    try db.execute(sql: "DROP INDEX \((index["name"] as String).quotedDatabaseIdentifier)")
                }

                let insertAccount = try db.makeStatement(sql: """
                    INSERT INTO account (id, display_name, email, language, payment_status, password_hash, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """)
                for entry in accounts {
                    let account = entry.account
                    insertAccount.setUncheckedArguments([
                        account.id.rawValue, account.displayName, account.email.rawValue,
                        account.language.rawValue, account.paymentStatus.rawValue, entry.passwordHash, now,
                    ])
                    try insertAccount.execute()
                    counts.accounts += 1
                    if counts.accounts % 100_000 == 0 { progress(counts.accounts, 0) }
                }

                let insertService = try db.makeStatement(sql: """
                    INSERT INTO service (name, type, admin_id, tech_id, billing_id) VALUES (?, ?, ?, ?, ?)
                    """)
                for service in services {
                    insertService.setUncheckedArguments([
                        service.name, service.type.rawValue, service.administrative.rawValue,
                        service.technical.rawValue, service.billing.rawValue,
                    ])
                    try insertService.execute()
                    counts.services += 1
                    if counts.services % 100_000 == 0 { progress(counts.accounts, counts.services) }
                }

                for index in indexes {
                    try db.execute(sql: index["sql"])
                }
                return .commit
            }
            // Fold the load into the database file now, so that the WAL does not stay that big.
            try db.checkpoint(.truncate)
            return counts
        }
    }
}

// MARK: - Benchmark fixtures

extension AppDatabase {
    /// Services whose administrative contact is `account` and that have no open request on
    /// `role`, in ID order.
    public func servicesAdministered(by account: CustomerID, withoutOpenRequestOn role: Role, limit: Int) throws -> [Int64] {
        try timedRead { db in
            try Int64.fetchAll(db, sql: """
                SELECT m.service_id FROM service_membership m
                WHERE m.account_id = ? AND m.is_admin = 1
                  AND NOT EXISTS (SELECT 1 FROM change_request_role rr
                                  WHERE rr.service_id = m.service_id AND rr.role = ? AND rr.open = 1)
                ORDER BY m.service_id LIMIT ?
                """, arguments: [account.rawValue, role.rawValue, limit])
        }
    }

    /// Runs `body` with commits that do not wait for the disk (`synchronous = OFF`), then makes
    /// them durable and restores full durability. For loading benchmark fixtures only: a power
    /// cut during `body` may lose what it wrote.
    public func withoutWaitingForTheDisk<T>(_ body: () throws -> T) throws -> T {
        try timedWriteWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = OFF") }
        defer {
            try? timedWriteWithoutTransaction { db in
                try db.execute(sql: "PRAGMA synchronous = FULL")
                try db.checkpoint(.passive)
            }
        }
        return try body()
    }
}
