import ContactsDomain
import Foundation

/// The named operations both engines provide, ``AppDatabase`` (SQLite) and ``PostgresStore``:
/// what callers and the conformance tests use when the engine does not matter. Operations join
/// it as the PostgreSQL engine gains them; the rest are ``AppDatabase``'s alone for now.
public protocol StoreEngine: Sendable {
    func appliedMigrations() throws -> [String]
    func createAccount(_ account: Account, passwordHash: String, now: Date) throws
    func createAccounts(_ accounts: [(account: Account, passwordHash: String)], now: Date) throws
    func account(_ id: CustomerID) throws -> Account?
    @discardableResult
    func addService(name: String, type: ServiceType, administrative: CustomerID, technical: CustomerID, billing: CustomerID) throws -> Int64
    @discardableResult
    func addServices(_ services: [NewService]) throws -> [Int64]
    @discardableResult
    func bulkInsert(accounts: [(account: Account, passwordHash: String)], services: [NewService], now: Date) throws -> [Int64]
    func pendingEmails(now: Date, limit: Int) throws -> [PendingEmail]
    func markDelivered(emailID: Int64, now: Date) throws
    func markDeliveryFailed(emailID: Int64, error: String, now: Date) throws
    func recordDeliveryFailure(emailID: Int64, error: String, now: Date, giveUpAfter: TimeInterval) throws -> Bool
    func outboxCounts() throws -> (pending: Int, delivered: Int)
}

extension AppDatabase: StoreEngine {}
extension PostgresStore: StoreEngine {}

/// Where the store lives, from the executables' `--database`: a `postgres://` or
/// `postgresql://` URL, or else a SQLite file path. The password belongs in the URL, in
/// `PGPASSFILE` or in `PGPASSWORD` (libpq reads them), never on the command line.
public enum DatabaseLocation: Equatable, Sendable {
    case sqlite(path: String)
    case postgres(url: String)

    public init(_ value: String) {
        let lowered = value.lowercased()
        if lowered.hasPrefix("postgres://") || lowered.hasPrefix("postgresql://") {
            self = .postgres(url: value)
        } else {
            self = .sqlite(path: value)
        }
    }
}
