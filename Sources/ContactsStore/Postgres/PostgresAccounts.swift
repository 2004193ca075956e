import ContactsDomain
import Foundation

extension PostgresStore {
    /// Creates several accounts in one transaction: all of them, or none.
    public func createAccounts(_ accounts: [(account: Account, passwordHash: String)], now: Date) throws {
        try write { connection in try Self.insertAccounts(accounts, now: now, connection) }
    }

    static func insertAccounts(
        _ accounts: [(account: Account, passwordHash: String)], now: Date, _ connection: PostgresConnection
    ) throws {
        for entry in accounts where !AppDatabase.isValidText(entry.account.displayName, maximumLength: DisplayText.maximumDisplayNameLength) {
            throw StoreError.invalidDisplayName
        }
        do {
            for entry in accounts {
                let record = AccountRecord(entry.account, passwordHash: entry.passwordHash, createdAt: now)
                try connection.query("""
                    INSERT INTO account (id, display_name, email, language, payment_status, password_hash, created_at, time_zone)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                    """, [record.id, record.displayName, record.email, record.language, record.paymentStatus,
                          record.passwordHash, record.createdAt, record.timeZone])
            }
        } catch let error as PostgresError where error.isUniqueViolation {
            throw StoreError.duplicateAccount
        }
    }

    /// The account with this customer ID, if any.
    public func account(_ id: CustomerID) throws -> Account? {
        try read { connection in
            try connection.query("SELECT * FROM account WHERE id = $1", [id.rawValue]).first.map { try AccountRecord($0).account }
        }
    }
}

extension AccountRecord {
    /// The record from a row of `account`.
    init(_ row: PostgresRow) throws {
        self.init(id: try row.string("id"), displayName: try row.string("display_name"), email: try row.string("email"),
                  language: try row.string("language"), paymentStatus: try row.string("payment_status"),
                  passwordHash: try row.string("password_hash"), createdAt: try row.date("created_at"),
                  timeZone: row["time_zone"])
    }
}
