import Foundation
import ContactsDomain
import GRDB

// One record type per table. They stay internal: the public API speaks in domain values.

/// A row of `account`.
struct AccountRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "account"

    var id: String
    var displayName: String
    var email: String
    var language: String
    var paymentStatus: String
    var passwordHash: String
    var createdAt: Date
    /// Migration "v8-time-zone"; NULL: the language's zone.
    var timeZone: String?

    enum CodingKeys: String, CodingKey, ColumnExpression {
        case id
        case displayName = "display_name"
        case email
        case language
        case paymentStatus = "payment_status"
        case passwordHash = "password_hash"
        case createdAt = "created_at"
        case timeZone = "time_zone"
    }
}

/// A row of `service_type`.
struct ServiceTypeRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "service_type"

    var code: String
    var position: Int

    enum CodingKeys: String, CodingKey, ColumnExpression {
        case code
        case position
    }
}

/// A row of `service`.
struct ServiceRecord: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "service"

    var id: Int64?
    var name: String
    var type: String
    var adminID: String
    var techID: String
    var billingID: String

    enum CodingKeys: String, CodingKey, ColumnExpression {
        case id
        case name
        case type
        case adminID = "admin_id"
        case techID = "tech_id"
        case billingID = "billing_id"
    }

    mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }

    static func column(for role: Role) -> CodingKeys {
        switch role {
        case .administrative: .adminID
        case .technical: .techID
        case .billing: .billingID
        }
    }
}

/// A row of `service_membership`, which only the triggers on `service` write.
struct ServiceMembershipRecord: Codable, FetchableRecord, TableRecord {
    static let databaseTableName = "service_membership"

    var accountID: String
    var serviceID: Int64
    var serviceName: String
    var typePosition: Int
    var isAdmin: Bool
    var isTech: Bool
    var isBilling: Bool
    /// Since v3: lower(service name, then each contact's ID and display name), one per line.
    var searchText: String

    enum CodingKeys: String, CodingKey, ColumnExpression {
        case accountID = "account_id"
        case serviceID = "service_id"
        case serviceName = "service_name"
        case typePosition = "type_position"
        case isAdmin = "is_admin"
        case isTech = "is_tech"
        case isBilling = "is_billing"
        case searchText = "search_text"
    }
}

/// A row of `session`.
struct SessionRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "session"

    var digest: String
    var accountID: String
    var createdAt: Date
    var lastSeenAt: Date

    enum CodingKeys: String, CodingKey, ColumnExpression {
        case digest
        case accountID = "account_id"
        case createdAt = "created_at"
        case lastSeenAt = "last_seen_at"
    }
}

/// A row of `sign_in_failure`.
struct SignInFailureRecord: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "sign_in_failure"

    var id: Int64?
    var key: String
    var failedAt: Date

    enum CodingKeys: String, CodingKey, ColumnExpression {
        case id
        case key
        case failedAt = "failed_at"
    }

    mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}
