import ContactsDomain
import Foundation
import GRDB

/// The request flow's rows on SQLite, inside one GRDB transaction. Locks are no-ops: the
/// pool's single writer already runs every write transaction alone.
struct SQLiteRequestTransaction: RequestTransaction {
    let db: Database

    init(_ db: Database) { self.db = db }

    func requestRecord(_ id: Int64, forUpdate: Bool) throws -> ChangeRequestRecord? {
        try ChangeRequestRecord.fetchOne(db, key: id)
    }

    func roles(ofRequest id: Int64) throws -> [Role] {
        try String.fetchAll(db, sql: "SELECT role FROM change_request_role WHERE request_id = ?", arguments: [id])
            .compactMap(Role.init(rawValue:))
    }

    func confirmations(ofRequest id: Int64) throws -> [ConfirmationRecord] {
        try ConfirmationRecord.fetchAll(db, sql: "SELECT * FROM confirmation WHERE request_id = ?", arguments: [id])
    }

    func resendCount(ofRequest id: Int64) throws -> Int {
        try Int.fetchOne(db, sql: RequestStatements.resendCount, arguments: [id]) ?? 0
    }

    func events(ofRequest id: Int64) throws -> [RequestEventSnapshot] {
        try RequestEventRecord.fetchAll(db, sql: "SELECT * FROM request_event WHERE request_id = ? ORDER BY at, id", arguments: [id])
            .map { RequestEventSnapshot(at: $0.at, kind: $0.kind, actor: $0.actor.map(CustomerID.init(trusted:))) }
    }

    func service(_ id: Int64, forUpdate: Bool) throws -> StoredService? {
        try ServiceRecord.fetchOne(db, key: id)?.storedService
    }

    func accounts(_ ids: [CustomerID]) throws -> [CustomerID: Account] {
        try AppDatabase.accounts(ids, db)
    }

    func openRequests(onService id: Int64) throws -> [Role: Int64] {
        var open: [Role: Int64] = [:]
        for row in try Row.fetchAll(db, sql: RequestStatements.openRequests, arguments: [id]) {
            if let role = Role(rawValue: row[0]) { open[role] = row[1] }
        }
        return open
    }

    func codeFailures(ofRequest id: Int64, by account: CustomerID, since: Date) throws -> (count: Int, latest: Date?) {
        let row = try Row.fetchOne(db, sql: RequestStatements.codeFailures, arguments: [id, account.rawValue, since])
        return (row?[0] ?? 0, row?[1])
    }

    func requestsAsked(by requester: CustomerID, since: Date) throws -> (count: Int, oldest: Date?) {
        let row = try Row.fetchOne(db, sql: RequestStatements.askedBy, arguments: [requester.rawValue, since])
        return (row?[0] ?? 0, row?[1])
    }

    func requestsNaming(_ target: CustomerID, since: Date) throws -> (count: Int, oldest: Date?) {
        let row = try Row.fetchOne(db, sql: RequestStatements.naming, arguments: [target.rawValue, since])
        return (row?[0] ?? 0, row?[1])
    }

    func lockCreationLimits(of accounts: [CustomerID]) throws {}

    func dueRequests(onService id: Int64?, now: Date) throws -> [Int64] {
        if let id {
            return try Int64.fetchAll(db, sql: RequestStatements.dueOnService, arguments: [id, now])
        }
        return try Int64.fetchAll(db, sql: RequestStatements.due, arguments: [now])
    }

    func ids(_ statement: SharedStatement, column: String) throws -> [Int64] {
        try Row.fetchAll(db, sql: statement.sql, arguments: statement.arguments).map { $0[column] }
    }

    func insertRequest(_ record: ChangeRequestRecord, roles: [Role]) throws -> Int64 {
        var record = record
        try record.insert(db)
        let id = record.id!
        for role in roles {
            try ChangeRequestRoleRecord(requestID: id, serviceID: record.serviceID, role: role.rawValue, open: true).insert(db)
        }
        return id
    }

    func insertCodeFailure(ofRequest id: Int64, by account: CustomerID, at: Date) throws {
        try db.execute(sql: RequestStatements.insertCodeFailure, arguments: [id, account.rawValue, at])
    }

    func markAccepted(ofRequest id: Int64, by confirmer: CustomerID, at: Date) throws {
        try db.execute(sql: RequestStatements.markAccepted, arguments: [at, id, confirmer.rawValue])
    }

    func moveRoles(_ roles: [Role], to account: CustomerID, onService id: Int64) throws {
        try db.execute(sql: RequestStatements.moveRoles(roles), arguments: [account.rawValue, id])
    }

    func finish(_ id: Int64, state: RequestState, decidedAt: Date, failure: RequestFailure?) throws {
        try db.execute(sql: RequestStatements.finish, arguments: [state.rawValue, decidedAt, failure?.rawValue, id])
    }

    func setCode(ofRequest id: Int64, confirmer: CustomerID, digest: String) throws {
        try db.execute(sql: RequestStatements.setCode, arguments: [id, confirmer.rawValue, digest])
    }

    func markResent(_ id: Int64, at: Date) throws {
        try db.execute(sql: RequestStatements.markResent, arguments: [at, id])
    }

    func addEvent(ofRequest id: Int64, at: Date, kind: RequestEventKind, actor: CustomerID?) throws {
        try AppDatabase.addEvent(requestID: id, at: at, kind: kind, actor: actor, db)
    }

    func emailAddresses(of account: CustomerID, inForceFrom start: Date, to end: Date) throws -> [EmailAddress] {
        try AppDatabase.emailAddresses(of: account, inForceFrom: start, to: end, db)
    }

    func enqueue(_ emails: [OutgoingEmail], requestID: Int64, now: Date) throws {
        try AppDatabase.enqueue(emails, requestID: requestID, now: now, db)
    }
}

extension AppDatabase {
    static func addEvent(
        requestID: Int64, at: Date, kind: RequestEventKind, actor: CustomerID?, _ db: Database
    ) throws {
        var event = RequestEventRecord(id: nil, requestID: requestID, at: at, kind: kind.rawValue, actor: actor?.rawValue)
        try event.insert(db)
    }

    static func accounts(_ ids: [CustomerID], _ db: Database) throws -> [CustomerID: Account] {
        let records = try AccountRecord.fetchAll(db, keys: Set(ids.map(\.rawValue)))
        return Dictionary(records.map { ($0.account.id, $0.account) }, uniquingKeysWith: { first, _ in first })
    }
}
