import Foundation
import GRDB

// One record type per table of migration "v2". Internal, like the others: the public API speaks
// in domain values and snapshots.

/// A row of `change_request`.
struct ChangeRequestRecord: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "change_request"

    var id: Int64?
    var serviceID: Int64
    var fromAccount: String
    var toAccount: String
    var requester: String
    var state: String
    var requestedAt: Date
    var decidedAt: Date?
    var expiresAt: Date
    var lastResentAt: Date?
    var failureReason: String?

    enum CodingKeys: String, CodingKey, ColumnExpression {
        case id
        case serviceID = "service_id"
        case fromAccount = "from_account"
        case toAccount = "to_account"
        case requester
        case state
        case requestedAt = "requested_at"
        case decidedAt = "decided_at"
        case expiresAt = "expires_at"
        case lastResentAt = "last_resent_at"
        case failureReason = "failure_reason"
    }

    mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}

/// A row of `change_request_role`.
struct ChangeRequestRoleRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "change_request_role"

    var requestID: Int64
    var serviceID: Int64
    var role: String
    var open: Bool

    enum CodingKeys: String, CodingKey, ColumnExpression {
        case requestID = "request_id"
        case serviceID = "service_id"
        case role
        case open
    }
}

/// A row of `confirmation`.
struct ConfirmationRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "confirmation"

    var requestID: Int64
    var confirmer: String
    var codeDigest: String
    var acceptedAt: Date?

    enum CodingKeys: String, CodingKey, ColumnExpression {
        case requestID = "request_id"
        case confirmer
        case codeDigest = "code_digest"
        case acceptedAt = "accepted_at"
    }
}

/// A row of `code_failure`.
struct CodeFailureRecord: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "code_failure"

    var id: Int64?
    var requestID: Int64
    var account: String
    var failedAt: Date

    enum CodingKeys: String, CodingKey, ColumnExpression {
        case id
        case requestID = "request_id"
        case account
        case failedAt = "failed_at"
    }

    mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}

/// A row of `request_event`.
struct RequestEventRecord: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "request_event"

    var id: Int64?
    var requestID: Int64
    var at: Date
    var kind: String
    var actor: String?

    enum CodingKeys: String, CodingKey, ColumnExpression {
        case id
        case requestID = "request_id"
        case at
        case kind
        case actor
    }

    mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}

/// A row of `outbox`.
struct OutboxRecord: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "outbox"

    var id: Int64?
    var requestID: Int64?
    var recipient: String
    var toAddress: String
    var language: String
    var subject: String
    var bodyText: String
    var createdAt: Date
    var attempts: Int
    var nextAttemptAt: Date
    var deliveredAt: Date?
    var lastError: String?

    enum CodingKeys: String, CodingKey, ColumnExpression {
        case id
        case requestID = "request_id"
        case recipient
        case toAddress = "to_address"
        case language
        case subject
        case bodyText = "body_text"
        case createdAt = "created_at"
        case attempts
        case nextAttemptAt = "next_attempt_at"
        case deliveredAt = "delivered_at"
        case lastError = "last_error"
    }

    mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}
