import ContactsDomain
import Foundation
import GRDB

// MARK: - Contact change requests: what pages read

extension AppDatabase {
    /// Current holders of a service's roles (nil if no such service).
    public func roleHolders(ofService id: Int64) throws -> (name: String, type: ServiceType, holders: RoleHolders)? {
        try dbPool.read { db in
            guard let service = try ServiceRecord.fetchOne(db, key: id)?.storedService else { return nil }
            return (service.name, service.type, service.holders)
        }
    }

    /// What `ChangeRules.check` needs about a service for a submission asking for `wanted`
    /// (nil if no such service). With `now`, requests whose window has passed are not counted
    /// as open (the next action on them expires them).
    public func serviceFacts(ofService id: Int64, wanted: Set<CustomerID> = [], now: Date? = nil) throws -> ServiceFacts? {
        try dbPool.read { db in
            guard let service = try ServiceRecord.fetchOne(db, key: id)?.storedService else { return nil }
            var facts = try Self.serviceFacts(service, wanted: wanted, db)
            if let now {
                let due = Set(try Int64.fetchAll(db, sql: """
                    SELECT id FROM change_request WHERE service_id = ? AND state = 'waiting' AND expires_at <= ?
                    """, arguments: [id, now]))
                facts.openRequests = facts.openRequests.filter { !due.contains($0.value) }
            }
            return facts
        }
    }

    /// The roles with a request still open (and not past its window), per service, for the
    /// services of one contacts page.
    public func openRoles(onServices ids: [Int64], now: Date) throws -> [Int64: Set<Role>] {
        guard !ids.isEmpty else { return [:] }
        return try dbPool.read { db in
            let placeholders = Array(repeating: "?", count: ids.count).joined(separator: ", ")
            var arguments = StatementArguments(ids)
            arguments += [now]
            var result: [Int64: Set<Role>] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT rr.service_id, rr.role FROM change_request_role rr JOIN change_request r ON r.id = rr.request_id
                WHERE rr.open = 1 AND rr.service_id IN (\(placeholders)) AND r.expires_at > ?
                """, arguments: arguments) {
                if let role = Role(rawValue: row[1]) { result[row[0], default: []].insert(role) }
            }
            return result
        }
    }

    /// Open requests on a service: role → request ID (see ``serviceFacts(ofService:wanted:now:)``).
    public func openRequests(onService id: Int64, now: Date? = nil) throws -> [Role: Int64] {
        try serviceFacts(ofService: id, now: now)?.openRequests ?? [:]
    }

    /// A request as seen by an account allowed to see it (a participant, or the service's
    /// administrative contact). A request past its window is expired first (its event and
    /// emails). Anybody else gets ``RequestError/notFound``, as for a request that does not exist.
    public func request(_ id: Int64, for account: CustomerID, now: Date) throws -> RequestSnapshot {
        let due = try dbPool.read { db -> Bool? in
            guard let loaded = try Self.load(id, db), loaded.facts.isVisible(to: account) else { return nil }
            return loaded.facts.isDue(now: now)
        }
        guard let due else { throw RequestError.notFound }
        if due {
            let writer = writer(try emailComposer())
            try dbPool.write { db in _ = try Self.expireIfDue(id, now: now, writer: writer, db) }
        }
        guard let snapshot = try dbPool.read({ db in try Self.snapshot(id, db) }) else { throw RequestError.notFound }
        return snapshot
    }

    /// Every request the account takes part in (as asker, confirmer, old or new contact): open
    /// ones first, then by request time, newest first. Due expiries are applied first.
    public func requests(for account: CustomerID, state: RequestState? = nil, now: Date) throws -> [RequestSnapshot] {
        let due = try dbPool.read { db in
            try Int64.fetchAll(
                db, sql: Self.dueRequestsOfAccountSQL, arguments: ["account": account.rawValue, "now": now])
        }
        if !due.isEmpty {
            let writer = writer(try emailComposer())
            try dbPool.write { db in
                for id in due { _ = try Self.expireIfDue(id, now: now, writer: writer, db) }
            }
        }
        return try dbPool.read { db in
            var arguments: StatementArguments = ["account": account.rawValue]
            if let state { arguments += ["state": state.rawValue] }
            let ids = try Int64.fetchAll(
                db, sql: Self.requestsOfAccountSQL(filteringState: state != nil), arguments: arguments)
            return try ids.compactMap { try Self.snapshot($0, db) }
        }
    }
}

// MARK: - The queries behind the lists (their plans are tested)

extension AppDatabase {
    /// The IDs of the requests `:account` takes part in: one index search per part it may play.
    static let idsOfAccountSQL = """
        SELECT id FROM change_request WHERE requester = :account
        UNION SELECT id FROM change_request WHERE from_account = :account
        UNION SELECT id FROM change_request WHERE to_account = :account
        UNION SELECT request_id FROM confirmation WHERE confirmer = :account
        """

    static func requestsOfAccountSQL(filteringState: Bool) -> String {
        """
        SELECT id FROM change_request
        WHERE id IN (\(idsOfAccountSQL)) \(filteringState ? "AND state = :state" : "")
        ORDER BY state = 'waiting' DESC, requested_at DESC, id DESC
        """
    }

    static let dueRequestsOfAccountSQL = """
        SELECT id FROM change_request
        WHERE state = 'waiting' AND expires_at <= :now AND id IN (\(idsOfAccountSQL))
        """

    static let dueRequestsSQL = """
        SELECT id FROM change_request WHERE state = 'waiting' AND expires_at <= :now ORDER BY expires_at, id
        """
}
