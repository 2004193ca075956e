import ContactsDomain
import Credentials
import Foundation
import GRDB

// MARK: - Contact change requests: the actions
//
// Every action runs in one write transaction on the pool's single writer: load the facts, ask
// `ChangeRequestDecisions` what the action means, write the decision with its emails, commit.
// Serialized writes and the state check inside the transaction make racing actions (two
// accepts of one code) take effect once. A refused action still commits what its decision
// writes (an expiry found on the way, a counted wrong code); the refusal is thrown after.

/// What an account asks of a request, as the web layer hands it over.
public enum RequestCommand: Equatable, Sendable {
    case accept(by: CustomerID, code: String)
    case refuse(by: CustomerID, code: String)
    case cancel(by: CustomerID)
    case resend(by: CustomerID)
}

extension AppDatabase {
    /// Creates the requests of one edit-page submission (role → wanted holder) atomically.
    /// Against the service as it is now: the holders the page was made from
    /// (`expectedHolders`, else ``RequestError/rulesChanged``), then every rule of
    /// `ChangeRules.check` (the error names the first problem). Each request gets its roles,
    /// one confirmation per confirmer (code digests only), its `requested` event and its emails.
    /// Requests found past their window on the service are expired first (committed even when
    /// the submission is refused).
    /// - Returns: the new request IDs, one per (old account, new account) pair.
    @discardableResult
    public func createRequests(
        onService serviceID: Int64, by requester: CustomerID, changes: [Role: CustomerID],
        expectedHolders: RoleHolders, now: Date, expiresAfter: TimeInterval = RequestPolicy.defaultLifetime,
        limits: CreationLimits = RequestPolicy.creationLimits
    ) throws -> [Int64] {
        let composer = try emailComposer()
        guard !changes.isEmpty else { return [] }
        try timedWrite { db in try Self.expireDue(onService: serviceID, now: now, writer: writer(composer), db) }
        return try timedWrite { db in
            guard let service = try ServiceRecord.fetchOne(db, key: serviceID)?.storedService else {
                throw RequestError.unknownService
            }
            guard service.holders == expectedHolders else { throw RequestError.rulesChanged }
            let facts = try Self.serviceFacts(service, wanted: Set(changes.values), db)
            let plans: [PlannedChange]
            switch ChangeRules.check(requester: requester, changes: changes, service: facts) {
            case .success(let planned): plans = planned
            case .failure(let problems): throw RequestError(problems, changes: changes)
            }
            let recent = try Self.recentRequests(by: requester, naming: Set(plans.map(\.to)), now: now, db)
            if let refusal = ChangeRequestDecisions.creationLimit(plans, by: requester, recent: recent, limits: limits, now: now) {
                throw RequestError.tooManyRequests(refusal)
            }
            return try plans.map { plan in
                try Self.insert(plan, serviceID: serviceID, now: now, expiresAfter: expiresAfter, writer: writer(composer), db)
            }
        }
    }

    /// Accept, refuse, cancel or resend: one load-decide-write step for each.
    /// - Returns: the request as it stands after.
    @discardableResult
    public func perform(_ command: RequestCommand, on requestID: Int64, now: Date) throws -> RequestSnapshot {
        let composer = try emailComposer()
        return try timedWrite { db -> Result<RequestSnapshot, RequestError> in
            guard let loaded = try Self.load(requestID, db) else { return .failure(.notFound) }
            let action = try Self.action(for: command, on: loaded, now: now, db)
            let decision = ChangeRequestDecisions.decide(action, loaded.facts, now: now)
            try writer(composer).apply(decision, to: loaded, now: now, db)
            if let refusal = decision.refusal { return .failure(RequestError(refusal)) }
            guard let snapshot = try Self.snapshot(requestID, db) else { return .failure(.notFound) }
            return .success(snapshot)
        }.get()
    }

    /// Expires every request past its window (operator CLI), with events and emails, in one
    /// transaction. Returns how many were expired.
    @discardableResult
    public func expireDueRequests(now: Date) throws -> Int {
        let composer = try emailComposer()
        return try timedWrite { db in
            let ids = try Int64.fetchAll(db, sql: Self.dueRequestsSQL, arguments: ["now": now])
            return try ids.count { try Self.expireIfDue($0, now: now, writer: writer(composer), db) }
        }
    }

    func emailComposer() throws -> any RequestEmailComposer {
        guard let requestEmails else { throw StoreError.noEmailComposer }
        return requestEmails
    }

    func writer(_ composer: any RequestEmailComposer) -> DecisionWriter {
        DecisionWriter(composer: composer, newCode: newCode)
    }
}

extension AppDatabase {
    /// The domain's action for a command: the typed code checked against the confirmer's
    /// current digest, with its recent wrong codes.
    static func action(for command: RequestCommand, on loaded: LoadedRequest, now: Date, _ db: Database) throws -> RequestAction {
        switch command {
        case .accept(let account, let code):
            return .accept(by: account, code: try codeCheck(code, of: account, in: loaded, now: now, db))
        case .refuse(let account, let code):
            return .refuse(by: account, code: try codeCheck(code, of: account, in: loaded, now: now, db))
        case .cancel(let account):
            return .cancel(by: account)
        case .resend(let account):
            return .resend(by: account)
        }
    }

    static func codeCheck(_ code: String, of account: CustomerID, in loaded: LoadedRequest, now: Date, _ db: Database) throws -> CodeCheck {
        let row = try Row.fetchOne(db, sql: """
            SELECT count(*), max(failed_at) FROM code_failure
            WHERE request_id = ? AND account = ? AND failed_at > ?
            """, arguments: [loaded.id, account.rawValue, now.addingTimeInterval(-RequestPolicy.wrongCodeThrottle.window)])
        let stored = loaded.confirmations.first { $0.confirmer == account.rawValue }?.codeDigest ?? ""
        let typed = Secret.digest(code.trimmingCharacters(in: .whitespacesAndNewlines))
        return CodeCheck(
            matches: Secret.constantTimeEquals(typed, stored), recentFailures: row?[0] ?? 0, latestFailure: row?[1])
    }

    /// What the creation limits count: through the indexes on (requester, requested_at) and
    /// (to_account, requested_at).
    static func recentRequests(by requester: CustomerID, naming targets: Set<CustomerID>, now: Date, _ db: Database) throws -> RecentRequests {
        func window(_ sql: String, _ arguments: StatementArguments) throws -> RecentRequests.Window {
            let row = try Row.fetchOne(db, sql: sql, arguments: arguments)
            return .init(count: row?[0] ?? 0, oldest: row?[1])
        }
        let byAsker = "SELECT count(*), min(requested_at) FROM change_request WHERE requester = ? AND requested_at > ?"
        var naming: [CustomerID: RecentRequests.Window] = [:]
        for target in targets where target != requester {
            naming[target] = try window(
                "SELECT count(*), min(requested_at) FROM change_request WHERE to_account = ? AND requested_at > ? AND requester <> to_account",
                [target.rawValue, now.addingTimeInterval(-24 * 3600)])
        }
        return RecentRequests(
            byAskerLastHour: try window(byAsker, [requester.rawValue, now.addingTimeInterval(-3600)]),
            byAskerLastDay: try window(byAsker, [requester.rawValue, now.addingTimeInterval(-24 * 3600)]),
            namingLastDay: naming)
    }

    /// Stores a planned request and writes what its creation decides (codes, event, emails).
    static func insert(
        _ plan: PlannedChange, serviceID: Int64, now: Date, expiresAfter: TimeInterval, writer: DecisionWriter, _ db: Database
    ) throws -> Int64 {
        var record = ChangeRequestRecord(
            id: nil, serviceID: serviceID, fromAccount: plan.from.rawValue, toAccount: plan.to.rawValue,
            requester: plan.requester.rawValue, state: RequestState.waiting.rawValue, requestedAt: now, decidedAt: nil,
            expiresAt: now.addingTimeInterval(expiresAfter), lastResentAt: nil, failureReason: nil)
        try record.insert(db)
        let id = record.id!
        for role in plan.roles {
            try ChangeRequestRoleRecord(requestID: id, serviceID: serviceID, role: role.rawValue, open: true).insert(db)
        }
        guard let loaded = try load(id, db) else { throw RequestError.notFound }
        try writer.apply(ChangeRequestDecisions.creation(of: plan, now: now), to: loaded, now: now, db)
        return id
    }

    /// What `ChangeRules.check` needs: the holders, the accounts (holders and wanted) that
    /// exist, and the open requests on the service.
    static func serviceFacts(_ service: StoredService, wanted: Set<CustomerID>, _ db: Database) throws -> ServiceFacts {
        let holders = service.holders
        let accounts = try accounts(Array(wanted) + Role.allCases.map { holders[$0] }, db)
        var open: [Role: Int64] = [:]
        for row in try Row.fetchAll(db, sql: """
            SELECT role, request_id FROM change_request_role WHERE service_id = ? AND open = 1
            """, arguments: [service.id]) {
            if let role = Role(rawValue: row[0]) { open[role] = row[1] }
        }
        return ServiceFacts(holders: holders, accounts: accounts, openRequests: open)
    }

    /// Expires the request if it is waiting past its window. True when it did.
    static func expireIfDue(_ id: Int64, now: Date, writer: DecisionWriter, _ db: Database) throws -> Bool {
        guard let loaded = try load(id, db), loaded.facts.isDue(now: now) else { return false }
        try writer.apply(ChangeRequestDecisions.decide(.expire, loaded.facts, now: now), to: loaded, now: now, db)
        return true
    }

    static func expireDue(onService serviceID: Int64, now: Date, writer: DecisionWriter, _ db: Database) throws {
        let ids = try Int64.fetchAll(db, sql: """
            SELECT id FROM change_request WHERE service_id = ? AND state = 'waiting' AND expires_at <= ?
            """, arguments: [serviceID, now])
        for id in ids {
            _ = try expireIfDue(id, now: now, writer: writer, db)
        }
    }
}
