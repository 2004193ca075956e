import ContactsDomain
import Foundation
import GRDB

// MARK: - Accounts

/// What the profile page saves besides the address.
public struct AccountPreferences: Equatable, Sendable {
    public var language: Language
    /// An IANA zone, or nil for the language's (``Language/defaultTimeZone``).
    public var timeZone: String?

    public init(language: Language, timeZone: String?) {
        self.language = language
        self.timeZone = timeZone
    }
}

extension AppDatabase {
    /// Creates several accounts in one transaction: all of them, or none.
    public func createAccounts(_ accounts: [(account: Account, passwordHash: String)], now: Date) throws {
        try timedWrite { db in
            try Self.insertAccounts(accounts, now: now, db)
        }
    }

    static func insertAccounts(
        _ accounts: [(account: Account, passwordHash: String)], now: Date, _ db: Database
    ) throws {
        for entry in accounts {
            guard isValidText(entry.account.displayName, maximumLength: DisplayText.maximumDisplayNameLength) else {
                throw StoreError.invalidDisplayName
            }
        }
        do {
            for entry in accounts {
                try AccountRecord(entry.account, passwordHash: entry.passwordHash, createdAt: now).insert(db)
            }
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_PRIMARYKEY {
            throw StoreError.duplicateAccount
        }
    }

    /// The account with this customer ID, if any.
    public func account(_ id: CustomerID) throws -> Account? {
        try timedRead { db in
            try AccountRecord.fetchOne(db, key: id.rawValue)?.account
        }
    }

    /// The accounts among `ids` that exist, keyed by customer ID.
    public func accounts(_ ids: some Collection<CustomerID>) throws -> [CustomerID: Account] {
        try timedRead { db in
            let records = try AccountRecord.fetchAll(db, keys: ids.map(\.rawValue))
            return Dictionary(records.map { ($0.account.id, $0.account) }, uniquingKeysWith: { first, _ in first })
        }
    }

    /// The stored argon2id hash of the account's password, if the account exists.
    public func passwordHash(for id: CustomerID) throws -> String? {
        try timedRead { db in
            try String.fetchOne(db, sql: "SELECT password_hash FROM account WHERE id = ?", arguments: [id.rawValue])
        }
    }

    /// Replaces the account's password hash and ends every session of the account, in one
    /// transaction: whoever knew the old password is signed out.
    /// - Throws: ``StoreError/unknownAccount``.
    public func setPasswordHash(_ hash: String, for id: CustomerID) throws {
        try timedWrite { db in
            try db.execute(
                sql: "UPDATE account SET password_hash = ? WHERE id = ?", arguments: [hash, id.rawValue])
            guard db.changesCount == 1 else { throw StoreError.unknownAccount }
            try db.execute(sql: "DELETE FROM session WHERE account_id = ?", arguments: [id.rawValue])
        }
    }

    /// - Throws: ``StoreError/unknownAccount``.
    public func setPaymentStatus(_ status: PaymentStatus, for id: CustomerID) throws {
        try timedWrite { db in
            try db.execute(
                sql: "UPDATE account SET payment_status = ? WHERE id = ?", arguments: [status.rawValue, id.rawValue])
            guard db.changesCount == 1 else { throw StoreError.unknownAccount }
        }
    }

    /// The preferred language, which the profile changes at once. The email address is not
    /// changed here: only a confirmed change moves it (`confirmEmailChange`).
    /// - Throws: ``StoreError/unknownAccount``.
    /// Saves the profile's preferences: the language and the time zone (nil: the language's).
    public func setPreferences(_ preferences: AccountPreferences, for id: CustomerID) throws {
        try timedWrite { db in try Self.save(preferences, for: id, db) }
    }

    static func save(_ preferences: AccountPreferences, for id: CustomerID, _ db: Database) throws {
        try db.execute(
            sql: "UPDATE account SET language = ?, time_zone = ? WHERE id = ?",
            arguments: [preferences.language.rawValue, preferences.timeZone, id.rawValue])
        guard db.changesCount == 1 else { throw StoreError.unknownAccount }
    }

    /// Display and service names: ContactsDomain's one rule (``DisplayText``), so that every
    /// name stored can also be mailed.
    static func isValidText(_ text: String, maximumLength: Int) -> Bool {
        DisplayText.isValid(text, maximumLength: maximumLength)
    }
}

extension AccountRecord {
    init(_ account: Account, passwordHash: String, createdAt: Date) {
        self.init(
            id: account.id.rawValue,
            displayName: account.displayName,
            email: account.email.rawValue,
            language: account.language.rawValue,
            paymentStatus: account.paymentStatus.rawValue,
            passwordHash: passwordHash,
            createdAt: createdAt,
            timeZone: account.chosenTimeZone)
    }

    var account: Account {
        Account(
            id: CustomerID(trusted: id),
            displayName: displayName,
            email: EmailAddress(trusted: email),
            language: Language(rawValue: language) ?? .pl,
            paymentStatus: PaymentStatus(rawValue: paymentStatus) ?? .overdue,
            timeZone: timeZone)
    }
}
