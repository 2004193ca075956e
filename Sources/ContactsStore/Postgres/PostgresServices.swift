import ContactsDomain
import Foundation

extension PostgresStore {
    /// Adds several services in one transaction (all or none) and returns their IDs in order.
    @discardableResult
    public func addServices(_ services: [NewService]) throws -> [Int64] {
        try write { connection in try Self.insertServices(services, connection) }
    }

    /// Creates accounts, then services between them, in one transaction: all or nothing.
    @discardableResult
    public func bulkInsert(
        accounts: [(account: Account, passwordHash: String)], services: [NewService], now: Date
    ) throws -> [Int64] {
        try write { connection in
            try Self.insertAccounts(accounts, now: now, connection)
            // The counts once at the end, not at every service (see PostgresSchema.bulkMembership).
            try connection.execute("SET LOCAL contacts.bulk_load = 'on'")
            let ids = try Self.insertServices(services, connection)
            try connection.execute("SET LOCAL contacts.bulk_load = 'off'")
            let holders = Set(services.flatMap { [$0.administrative, $0.technical, $0.billing] }).map(\.rawValue)
            try connection.query("""
                INSERT INTO account_service_count (account_id, services)
                SELECT account_id, count(*) FROM service_membership WHERE account_id = ANY($1::text[]) GROUP BY account_id
                ON CONFLICT (account_id) DO UPDATE SET services = excluded.services
                """, [PostgresTextArray(holders)])
            return ids
        }
    }

    static func insertServices(_ services: [NewService], _ connection: PostgresConnection) throws -> [Int64] {
        for service in services where !AppDatabase.isValidText(service.name, maximumLength: DisplayText.maximumServiceNameLength) {
            throw StoreError.invalidServiceName
        }
        return try services.map { service in
            do {
                return try connection.query("""
                    INSERT INTO service (name, type, admin_id, tech_id, billing_id) VALUES ($1, $2, $3, $4, $5)
                    RETURNING id
                    """, [service.name, service.type.rawValue, service.administrative.rawValue,
                          service.technical.rawValue, service.billing.rawValue])[0].int64("id")
            } catch let error as PostgresError where error.isForeignKeyViolation {
                throw StoreError.unknownAccount
            } catch let error as PostgresError where error.isUniqueViolation {
                throw StoreError.duplicateService
            }
        }
    }
}
