import ContactsDomain
import Foundation

/// The request flow's rows on PostgreSQL, inside one transaction of the pool. Where SQLite's
/// single writer keeps actions apart, row locks do here: an action locks its request
/// (`FOR UPDATE`), a creation its service (`FOR NO KEY UPDATE`, which leaves the foreign keys
/// of other writers alone), and the creation limits are counted under advisory locks on the
/// accounts, taken in one order.
struct PostgresRequestTransaction: RequestTransaction {
    let connection: PostgresConnection

    init(_ connection: PostgresConnection) { self.connection = connection }

    func requestRecord(_ id: Int64, forUpdate: Bool) throws -> ChangeRequestRecord? {
        try connection.query("SELECT * FROM change_request WHERE id = $1" + (forUpdate ? " FOR UPDATE" : ""), [id])
            .first.map(ChangeRequestRecord.init)
    }

    func roles(ofRequest id: Int64) throws -> [Role] {
        try connection.query("SELECT role FROM change_request_role WHERE request_id = $1", [id])
            .compactMap { Role(rawValue: try $0.string("role")) }
    }

    func confirmations(ofRequest id: Int64) throws -> [ConfirmationRecord] {
        try connection.query("SELECT * FROM confirmation WHERE request_id = $1", [id]).map { row in
            ConfirmationRecord(
                requestID: try row.int64("request_id"), confirmer: try row.string("confirmer"),
                codeDigest: try row.string("code_digest"), acceptedAt: try row.optionalDate("accepted_at"))
        }
    }

    func resendCount(ofRequest id: Int64) throws -> Int {
        try connection.query(RequestStatements.resendCount, [id])[0].int("n")
    }

    func events(ofRequest id: Int64) throws -> [RequestEventSnapshot] {
        try connection.query("SELECT * FROM request_event WHERE request_id = $1 ORDER BY at, id", [id]).map { row in
            RequestEventSnapshot(at: try row.date("at"), kind: try row.string("kind"), actor: row["actor"].map(CustomerID.init(trusted:)))
        }
    }

    func service(_ id: Int64, forUpdate: Bool) throws -> StoredService? {
        guard let row = try connection.query(
            "SELECT * FROM service WHERE id = $1" + (forUpdate ? " FOR NO KEY UPDATE" : ""), [id]).first,
            let type = ServiceType(rawValue: try row.string("type"))
        else { return nil }
        return StoredService(
            id: try row.int64("id"), name: try row.string("name"), type: type,
            administrative: CustomerID(trusted: try row.string("admin_id")),
            technical: CustomerID(trusted: try row.string("tech_id")),
            billing: CustomerID(trusted: try row.string("billing_id")))
    }

    func accounts(_ ids: [CustomerID]) throws -> [CustomerID: Account] {
        let accounts = try connection.query("SELECT * FROM account WHERE id = ANY($1::text[])", [PostgresTextArray(ids.map(\.rawValue))])
            .map { try AccountRecord($0).account }
        return Dictionary(accounts.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    }

    func openRequests(onService id: Int64) throws -> [Role: Int64] {
        var open: [Role: Int64] = [:]
        for row in try connection.query(RequestStatements.openRequests, [id]) {
            if let role = Role(rawValue: try row.string("role")) { open[role] = try row.int64("request_id") }
        }
        return open
    }

    func codeFailures(ofRequest id: Int64, by account: CustomerID, since: Date) throws -> (count: Int, latest: Date?) {
        let row = try connection.query(RequestStatements.codeFailures, [id, account.rawValue, since])[0]
        return (try row.int("n"), try row.optionalDate("latest"))
    }

    func requestsAsked(by requester: CustomerID, since: Date) throws -> (count: Int, oldest: Date?) {
        let row = try connection.query(RequestStatements.askedBy, [requester.rawValue, since])[0]
        return (try row.int("n"), try row.optionalDate("oldest"))
    }

    func requestsNaming(_ target: CustomerID, since: Date) throws -> (count: Int, oldest: Date?) {
        let row = try connection.query(RequestStatements.naming, [target.rawValue, since])[0]
        return (try row.int("n"), try row.optionalDate("oldest"))
    }

    func lockCreationLimits(of accounts: [CustomerID]) throws {
        // Sorted, so no two creations wait for each other in a cycle.
        for account in Set(accounts.map(\.rawValue)).sorted() {
            try connection.query("SELECT pg_advisory_xact_lock(hashtext($1))", ["requests " + account])
        }
    }

    func dueRequests(onService id: Int64?, now: Date) throws -> [Int64] {
        let rows = if let id {
            try connection.query(RequestStatements.dueOnService, [id, now])
        } else {
            try connection.query(RequestStatements.due, [now])
        }
        return try rows.map { try $0.int64("id") }
    }

    func ids(_ statement: SharedStatement, column: String) throws -> [Int64] {
        try connection.query(statement.sql, statement.parameters).map { try $0.int64(column) }
    }

    func insertRequest(_ record: ChangeRequestRecord, roles: [Role]) throws -> Int64 {
        let id = try connection.query("""
            INSERT INTO change_request (service_id, from_account, to_account, requester, state, requested_at, expires_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id
            """, [record.serviceID, record.fromAccount, record.toAccount, record.requester, record.state,
                  Self.milliseconds(record.requestedAt), record.expiresAt])[0].int64("id")
        for role in roles {
            try connection.query(
                "INSERT INTO change_request_role (request_id, service_id, role, open) VALUES ($1, $2, $3, 1)",
                [id, record.serviceID, role.rawValue])
        }
        return id
    }

    func insertCodeFailure(ofRequest id: Int64, by account: CustomerID, at: Date) throws {
        try connection.query(RequestStatements.insertCodeFailure, [id, account.rawValue, at])
    }

    func markAccepted(ofRequest id: Int64, by confirmer: CustomerID, at: Date) throws {
        try connection.query(RequestStatements.markAccepted, [at, id, confirmer.rawValue])
    }

    func moveRoles(_ roles: [Role], to account: CustomerID, onService id: Int64) throws {
        try connection.query(RequestStatements.moveRoles(roles), [account.rawValue, id])
    }

    func finish(_ id: Int64, state: RequestState, decidedAt: Date, failure: RequestFailure?) throws {
        try connection.query(RequestStatements.finish, [state.rawValue, decidedAt, failure?.rawValue, id])
    }

    func setCode(ofRequest id: Int64, confirmer: CustomerID, digest: String) throws {
        try connection.query(RequestStatements.setCode, [id, confirmer.rawValue, digest])
    }

    func markResent(_ id: Int64, at: Date) throws {
        try connection.query(RequestStatements.markResent, [at, id])
    }

    func addEvent(ofRequest id: Int64, at: Date, kind: RequestEventKind, actor: CustomerID?) throws {
        try connection.query(RequestStatements.insertEvent, [id, at, kind.rawValue, actor?.rawValue])
    }

    func emailAddresses(of account: CustomerID, inForceFrom start: Date, to end: Date) throws -> [EmailAddress] {
        try PostgresStore.emailAddresses(of: account, inForceFrom: start, to: end, connection)
    }

    func enqueue(_ emails: [OutgoingEmail], requestID: Int64, now: Date) throws {
        try PostgresStore.enqueue(emails, requestID: requestID, now: now, connection)
        for recipient in emails.map(\.recipient).uniqued() {
            try addEvent(ofRequest: requestID, at: now, kind: .emailSent, actor: recipient)
        }
    }
}

extension PostgresRequestTransaction {
    /// The list's cursor carries milliseconds (SQLite's precision): a request time stored finer
    /// would not survive the round trip, and keyset paging would skip its neighbours.
    static func milliseconds(_ date: Date) -> Date {
        Date(timeIntervalSince1970: (date.timeIntervalSince1970 * 1000).rounded(.down) / 1000)
    }
}

extension ChangeRequestRecord {
    /// The record from a row of `change_request`.
    init(_ row: PostgresRow) throws {
        self.init(
            id: try row.int64("id"), serviceID: try row.int64("service_id"), fromAccount: try row.string("from_account"),
            toAccount: try row.string("to_account"), requester: try row.string("requester"), state: try row.string("state"),
            requestedAt: try row.date("requested_at"), decidedAt: try row.optionalDate("decided_at"),
            expiresAt: try row.date("expires_at"), lastResentAt: try row.optionalDate("last_resent_at"),
            failureReason: row["failure_reason"])
    }
}

private extension Sequence where Element: Hashable {
    /// The elements in order, each once.
    func uniqued() -> [Element] {
        var seen: Set<Element> = []
        return filter { seen.insert($0).inserted }
    }
}
