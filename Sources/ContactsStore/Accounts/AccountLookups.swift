import ContactsDomain
import Foundation
import GRDB

// MARK: - Answers about other accounts (the edit page's probe throttle; `purge` forgets old ones)

extension AppDatabase {
    /// The account's recorded lookups since `since`: how many, and the latest.
    public func recentLookups(by account: CustomerID, since: Date) throws -> (count: Int, latest: Date?) {
        try timedRead { db in
            let row = try Row.fetchOne(db, sql: """
                SELECT count(*), max(looked_up_at) FROM account_lookup WHERE account_id = ? AND looked_up_at > ?
                """, arguments: [account.rawValue, since])
            return (row?[0] ?? 0, row?[1])
        }
    }

    /// Records one answer about another account given to `account`.
    public func recordLookup(by account: CustomerID, at: Date) throws {
        try timedWrite { db in
            try db.execute(
                sql: "INSERT INTO account_lookup (account_id, looked_up_at) VALUES (?, ?)", arguments: [account.rawValue, at])
        }
    }
}
