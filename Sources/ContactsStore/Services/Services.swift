import ContactsDomain
import Foundation
import GRDB

/// A service as stored: its name, type and the holder of each role.
public struct StoredService: Equatable, Sendable {
    public var id: Int64
    public var name: String
    public var type: ServiceType
    public var administrative: CustomerID
    public var technical: CustomerID
    public var billing: CustomerID

    public init(
        id: Int64, name: String, type: ServiceType,
        administrative: CustomerID, technical: CustomerID, billing: CustomerID
    ) {
        self.id = id
        self.name = name
        self.type = type
        self.administrative = administrative
        self.technical = technical
        self.billing = billing
    }

    /// The holder of `role`.
    public func contact(for role: Role) -> CustomerID {
        switch role {
        case .administrative: administrative
        case .technical: technical
        case .billing: billing
        }
    }

    /// The roles `account` holds on this service (empty when it holds none).
    public func roles(of account: CustomerID) -> Set<Role> {
        Set(Role.allCases.filter { contact(for: $0) == account })
    }
}

/// A service to add in bulk with ``AppDatabase/addServices(_:)``.
public struct NewService: Sendable {
    public var name: String
    public var type: ServiceType
    public var administrative: CustomerID
    public var technical: CustomerID
    public var billing: CustomerID

    public init(name: String, type: ServiceType, administrative: CustomerID, technical: CustomerID, billing: CustomerID) {
        self.name = name
        self.type = type
        self.administrative = administrative
        self.technical = technical
        self.billing = billing
    }
}

// MARK: - Services

extension AppDatabase {
    /// Adds several services in one transaction (all or none) and returns their IDs in order.
    /// The fast path for bulk loads: one statement prepared once, one commit.
    @discardableResult
    public func addServices(_ services: [NewService]) throws -> [Int64] {
        try timedWrite { db in
            try Self.insertServices(services, db)
        }
    }

    /// Creates accounts, then services between them, in one transaction: all or nothing.
    /// For operator bulk loads such as the demo data.
    @discardableResult
    public func bulkInsert(
        accounts: [(account: Account, passwordHash: String)], services: [NewService], now: Date
    ) throws -> [Int64] {
        try timedWrite { db in
            try Self.insertAccounts(accounts, now: now, db)
            return try Self.insertServices(services, db)
        }
    }

    static func insertServices(_ services: [NewService], _ db: Database) throws -> [Int64] {
        for service in services where !isValidText(service.name, maximumLength: DisplayText.maximumServiceNameLength) {
            throw StoreError.invalidServiceName
        }
        var ids: [Int64] = []
        ids.reserveCapacity(services.count)
        let statement = try db.cachedStatement(sql: """
            INSERT INTO service (name, type, admin_id, tech_id, billing_id) VALUES (?, ?, ?, ?, ?)
            """)
        for service in services {
            do {
                try statement.execute(arguments: [
                    service.name, service.type.rawValue, service.administrative.rawValue,
                    service.technical.rawValue, service.billing.rawValue,
                ])
            } catch let error as DatabaseError {
                throw serviceError(error)
            }
            ids.append(db.lastInsertedRowID)
        }
        return ids
    }

    /// The service with this ID, if any.
    public func service(_ id: Int64) throws -> StoredService? {
        try timedRead { db in
            try ServiceRecord.fetchOne(db, key: id)?.storedService
        }
    }

    /// Gives `role` on the service to `account` (the previous holder loses it). The membership
    /// rows behind the contacts table follow through the triggers on `service`.
    /// - Throws: ``StoreError/unknownService``, ``StoreError/unknownAccount``.
    public func setContact(_ role: Role, of serviceID: Int64, to account: CustomerID) throws {
        let column = ServiceRecord.column(for: role).rawValue
        try timedWrite { db in
            do {
                // The column name comes from a closed enum, never from input.
                try db.execute(
                    sql: "UPDATE service SET \(column) = ? WHERE id = ?",
                    arguments: [account.rawValue, serviceID])
            } catch let error as DatabaseError {
                throw Self.serviceError(error)
            }
            guard db.changesCount >= 1 else { throw StoreError.unknownService }
        }
    }

    private static func serviceError(_ error: DatabaseError) -> Error {
        switch error.extendedResultCode {
        case .SQLITE_CONSTRAINT_FOREIGNKEY: StoreError.unknownAccount
        case .SQLITE_CONSTRAINT_UNIQUE: StoreError.duplicateService
        default: error
        }
    }
}

extension ServiceRecord {
    var storedService: StoredService? {
        guard let id, let type = ServiceType(rawValue: type) else { return nil }
        return StoredService(
            id: id, name: name, type: type,
            administrative: CustomerID(trusted: adminID),
            technical: CustomerID(trusted: techID),
            billing: CustomerID(trusted: billingID))
    }
}
