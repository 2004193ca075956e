import ContactsDomain
import Foundation

// An account's password, payment status and preferences, and the edit page's lookup throttle,
// on PostgreSQL (see the same operations of ``AppDatabase`` in Accounts/).

extension PostgresStore {
    /// The accounts among `ids` that exist, keyed by customer ID.
    public func accounts(_ ids: some Collection<CustomerID>) throws -> [CustomerID: Account] {
        let keys = ids.map(\.rawValue)
        return try read { connection in
            let accounts = try connection.query("SELECT * FROM account WHERE id = ANY($1::text[])", [PostgresTextArray(keys)])
                .map { try AccountRecord($0).account }
            return Dictionary(accounts.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        }
    }

    /// The stored argon2id hash of the account's password, if the account exists.
    public func passwordHash(for id: CustomerID) throws -> String? {
        try read { connection in
            try connection.query("SELECT password_hash FROM account WHERE id = $1", [id.rawValue]).first.map { try $0.string("password_hash") }
        }
    }

    /// Replaces the account's password hash and ends every session of the account, in one transaction.
    /// - Throws: ``StoreError/unknownAccount``.
    public func setPasswordHash(_ hash: String, for id: CustomerID) throws {
        try write { connection in
            guard try connection.count("UPDATE account SET password_hash = $1 WHERE id = $2", [hash, id.rawValue]) == 1 else {
                throw StoreError.unknownAccount
            }
            try connection.query("DELETE FROM session WHERE account_id = $1", [id.rawValue])
        }
    }

    /// - Throws: ``StoreError/unknownAccount``.
    public func setPaymentStatus(_ status: PaymentStatus, for id: CustomerID) throws {
        try write { connection in
            guard try connection.count("UPDATE account SET payment_status = $1 WHERE id = $2", [status.rawValue, id.rawValue]) == 1 else {
                throw StoreError.unknownAccount
            }
        }
    }

    /// Saves the profile's preferences: the language and the time zone (nil: the language's).
    /// - Throws: ``StoreError/unknownAccount``.
    public func setPreferences(_ preferences: AccountPreferences, for id: CustomerID) throws {
        try write { connection in
            guard try connection.count("UPDATE account SET language = $1, time_zone = $2 WHERE id = $3",
                                       [preferences.language.rawValue, preferences.timeZone, id.rawValue]) == 1 else {
                throw StoreError.unknownAccount
            }
        }
    }

    /// The account's recorded lookups since `since`: how many, and the latest.
    public func recentLookups(by account: CustomerID, since: Date) throws -> (count: Int, latest: Date?) {
        try read { connection in
            let row = try connection.query("""
                SELECT count(*) AS n, max(looked_up_at) AS latest FROM account_lookup WHERE account_id = $1 AND looked_up_at > $2
                """, [account.rawValue, since])[0]
            return (try row.int("n"), try row.optionalDate("latest"))
        }
    }

    /// Records one answer about another account given to `account`.
    public func recordLookup(by account: CustomerID, at: Date) throws {
        try write { connection in
            try connection.query("INSERT INTO account_lookup (account_id, looked_up_at) VALUES ($1, $2)", [account.rawValue, at])
        }
    }
}
