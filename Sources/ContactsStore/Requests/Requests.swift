import ContactsDomain
import Credentials
import Foundation
import GRDB

// MARK: - Contact change requests
//
// Every operation runs in one write transaction on the pool's single writer: it loads the
// request, asks `ChangeRequestLifecycle` what the action means, and writes the outcome, its
// events and the composer's emails before committing. Serialized writes and the state check
// inside the transaction make racing actions (two accepts of one code) take effect once.
//
// Some refusals still leave a trace that must commit: a request found past its window is expired
// (with its event and emails) before the action is refused, and a wrong code is counted. Those
// paths return a `.failure` from the transaction, which commits, and the error is thrown after.

extension AppDatabase {
    /// Requests can be re-sent at most this often.
    public static let resendInterval: TimeInterval = 60

    /// Wrong codes per request and account: 5 free within 15 minutes, then a wait of one minute
    /// that doubles with each further wrong code, up to 15 minutes.
    static let wrongCodeThrottle: SignInThrottle = {
        var throttle = SignInThrottle()
        throttle.window = 15 * 60
        throttle.freeFailuresPerAccount = 5
        throttle.firstDelay = 60
        throttle.maximumDelay = 15 * 60
        return throttle
    }()

    /// Current holders of a service's roles (nil if no such service).
    public func roleHolders(ofService id: Int64) throws -> (name: String, type: ServiceType, holders: RoleHolders)? {
        try dbPool.read { db in
            guard let service = try ServiceRecord.fetchOne(db, key: id)?.storedService else { return nil }
            return (service.name, service.type, service.holders)
        }
    }

    /// Open requests on a service (for the edit page's "already open" notice): role → request ID.
    /// With `now`, requests whose window has passed are left out (the next action on them
    /// expires them).
    public func openRequests(onService id: Int64, now: Date? = nil) throws -> [Role: Int64] {
        try dbPool.read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT rr.role, rr.request_id, r.expires_at
                FROM change_request_role rr JOIN change_request r ON r.id = rr.request_id
                WHERE rr.service_id = ? AND rr.open = 1
                """, arguments: [id])
            var result: [Role: Int64] = [:]
            for row in rows {
                guard let role = Role(rawValue: row[0]) else { continue }
                if let now, now >= row[2] as Date { continue }
                result[role] = row[1]
            }
            return result
        }
    }

    /// Creates all requests of one edit-page submission atomically. It re-checks, against the
    /// service as it is now: the holders the plan was made from (`expectedHolders`, else
    /// ``RequestError/rulesChanged``), that the accounts exist, the one-open-request rule (the
    /// error names the open request) and, for billing changes, the payment rule. Then it inserts
    /// the requests, their roles, the confirmations (code digests only), `requested` events and
    /// the composer's emails (each with an `email_sent` event), all in one write transaction.
    /// Requests found past their window on the service are expired first (committed even when
    /// the submission is refused).
    /// - Returns: the new request IDs, in the order of `requests`.
    public func createRequests(
        _ requests: [NewRequest], expectedHolders: RoleHolders, now: Date, expiresAfter: TimeInterval,
        compose: EmailComposer
    ) throws -> [Int64] {
        guard !requests.isEmpty else { return [] }
        try dbPool.write { db in
            for serviceID in Set(requests.map(\.serviceID)) {
                try Self.expireDue(onService: serviceID, now: now, compose: compose, db)
            }
        }
        return try dbPool.write { db in
            var coveredRoles: Set<String> = []
            var ids: [Int64] = []
            for request in requests {
                let plan = request.plan
                guard let service = try ServiceRecord.fetchOne(db, key: request.serviceID)?.storedService else {
                    throw RequestError.unknownService
                }
                let holders = service.holders
                guard holders == expectedHolders else { throw RequestError.rulesChanged }
                let allowed = ChangeRules.changeableRoles(of: plan.requester, holders: holders)
                guard !plan.roles.isEmpty, plan.from != plan.to,
                      plan.roles.allSatisfy({ holders[$0] == plan.from && allowed.contains($0) }),
                      plan.roles.allSatisfy({ coveredRoles.insert("\(request.serviceID) \($0.rawValue)").inserted }),
                      Set(plan.confirmers).isSubset(of: [plan.requester, plan.to])
                else { throw RequestError.rulesChanged }

                let accounts = try Self.accounts([plan.requester, plan.from, plan.to], db)
                for id in [plan.requester, plan.from, plan.to] where accounts[id] == nil {
                    throw RequestError.unknownAccount(id)
                }
                for role in plan.roles {
                    if let open = try Int64.fetchOne(db, sql: """
                        SELECT request_id FROM change_request_role WHERE service_id = ? AND role = ? AND open = 1
                        """, arguments: [request.serviceID, role.rawValue]) {
                        throw RequestError.openRequestExists(role: role, requestID: open)
                    }
                }
                if plan.roles.contains(.billing), let old = accounts[plan.from], let new = accounts[plan.to] {
                    let blockers = PaymentRule.blockers(oldBilling: old, newBilling: new)
                    if !blockers.isEmpty { throw RequestError.paymentBlocked(blockers.map(\.id)) }
                }

                var record = ChangeRequestRecord(
                    id: nil, serviceID: request.serviceID, fromAccount: plan.from.rawValue,
                    toAccount: plan.to.rawValue, requester: plan.requester.rawValue,
                    state: RequestState.waiting.rawValue, requestedAt: now, decidedAt: nil,
                    expiresAt: now.addingTimeInterval(expiresAfter), lastResentAt: nil, failureReason: nil)
                try record.insert(db)
                let id = record.id!
                for role in plan.roles {
                    try ChangeRequestRoleRecord(
                        requestID: id, serviceID: request.serviceID, role: role.rawValue, open: true
                    ).insert(db)
                }
                var codes: [CustomerID: String] = [:]
                for confirmer in plan.confirmers {
                    let code = request.codes[confirmer] ?? Secret.generate()
                    codes[confirmer] = code
                    try ConfirmationRecord(
                        requestID: id, confirmer: confirmer.rawValue, codeDigest: Secret.digest(code), acceptedAt: nil
                    ).insert(db)
                }
                try Self.addEvent(requestID: id, at: now, kind: .requested, actor: plan.requester, db)
                try Self.notify(id, codes: codes, now: now, compose: compose, db)
                ids.append(id)
            }
            return ids
        }
    }

    /// Accepts with a code. In one transaction: expiry first; the account must be a confirmer
    /// still awaited and the code must match its current digest (wrong codes are counted and,
    /// repeated, slowed down). When this was the last awaited confirmation the change takes
    /// effect: for billing roles the payment rule is checked again (failing it, the request
    /// fails and the service is untouched); otherwise the service's holders change (the
    /// membership triggers update the contacts table) and the request is done. Events and the
    /// composer's emails commit with it.
    public func accept(
        requestID: Int64, by account: CustomerID, code: String, now: Date, compose: EmailComposer
    ) throws -> RequestSnapshot {
        try writeThenThrow { db in
            let decided: Decided
            switch try Self.loadAndDecide(.accept(by: account), requestID, now: now, compose: compose, db) {
            case .failure(let error): return .failure(error)
            case .success(let value): decided = value
            }
            let (loaded, outcome) = (decided.loaded, decided.outcome)
            var lifecycle = decided.lifecycle
            if let error = try Self.checkCode(code, of: account, in: loaded, now: now, db) {
                return .failure(error)
            }
            try db.execute(
                sql: "UPDATE confirmation SET accepted_at = ? WHERE request_id = ? AND confirmer = ? AND accepted_at IS NULL",
                arguments: [now, requestID, account.rawValue])
            guard db.changesCount == 1 else { return .failure(.refused(.alreadyAccepted)) }
            try Self.addEvent(requestID: requestID, at: now, kind: .accepted, actor: account, db)
            if outcome == .allAccepted {
                try Self.takeEffect(loaded, lifecycle: &lifecycle, now: now, db)
            }
            return .success(try Self.notify(requestID, now: now, compose: compose, db))
        }
    }

    /// Refuses with a code: any confirmer (the code must match, as for ``accept(requestID:by:code:now:compose:)``)
    /// ends the request. Everybody involved is told through the composer's emails.
    public func refuse(
        requestID: Int64, by account: CustomerID, code: String, now: Date, compose: EmailComposer
    ) throws -> RequestSnapshot {
        try writeThenThrow { db in
            let decided: Decided
            switch try Self.loadAndDecide(.refuse(by: account), requestID, now: now, compose: compose, db) {
            case .failure(let error): return .failure(error)
            case .success(let value): decided = value
            }
            let (loaded, lifecycle) = (decided.loaded, decided.lifecycle)
            if let error = try Self.checkCode(code, of: account, in: loaded, now: now, db) {
                return .failure(error)
            }
            try Self.finish(requestID, as: lifecycle.state, at: now, db)
            try Self.addEvent(requestID: requestID, at: now, kind: .refused, actor: account, db)
            return .success(try Self.notify(requestID, now: now, compose: compose, db))
        }
    }

    /// Cancels an open request: only its requester may.
    public func cancel(
        requestID: Int64, by account: CustomerID, now: Date, compose: EmailComposer
    ) throws -> RequestSnapshot {
        try writeThenThrow { db in
            let decided: Decided
            switch try Self.loadAndDecide(.cancel(by: account), requestID, now: now, compose: compose, db) {
            case .failure(let error): return .failure(error)
            case .success(let value): decided = value
            }
            let lifecycle = decided.lifecycle
            try Self.finish(requestID, as: lifecycle.state, at: now, db)
            try Self.addEvent(requestID: requestID, at: now, kind: .cancelled, actor: account, db)
            return .success(try Self.notify(requestID, now: now, compose: compose, db))
        }
    }

    /// Sends the request again: fresh codes (from `newCode`) for the confirmers still awaited,
    /// whose old codes stop working. Any participant may, at most once a minute per request
    /// (counted from the request's creation or its last resend).
    public func resend(
        requestID: Int64, by account: CustomerID, now: Date, newCode: @Sendable () -> String,
        compose: EmailComposer
    ) throws -> RequestSnapshot {
        try writeThenThrow { db in
            let decided: Decided
            switch try Self.loadAndDecide(.resend(by: account), requestID, now: now, compose: compose, db) {
            case .failure(let error): return .failure(error)
            case .success(let value): decided = value
            }
            let (loaded, lifecycle, outcome) = (decided.loaded, decided.lifecycle, decided.outcome)
            let last = loaded.record.lastResentAt ?? loaded.record.requestedAt
            let wait = last.addingTimeInterval(Self.resendInterval).timeIntervalSince(now)
            if wait > 0 { return .failure(.resendTooSoon(retryAfter: wait.rounded(.up))) }

            guard case .resent(let recipients) = outcome else { return .failure(.refused(.notOpen(lifecycle.state))) }
            var codes: [CustomerID: String] = [:]
            for confirmer in recipients {
                let code = newCode()
                codes[confirmer] = code
                try db.execute(
                    sql: "UPDATE confirmation SET code_digest = ? WHERE request_id = ? AND confirmer = ?",
                    arguments: [Secret.digest(code), requestID, confirmer.rawValue])
            }
            try db.execute(
                sql: "UPDATE change_request SET last_resent_at = ? WHERE id = ?", arguments: [now, requestID])
            try Self.addEvent(requestID: requestID, at: now, kind: .resent, actor: account, db)
            return .success(try Self.notify(requestID, codes: codes, now: now, compose: compose, db))
        }
    }

    /// A request as seen by a participant (asker, confirmer, from- or to-account). A request
    /// past its window is expired first (its event and the composer's emails). Anybody else
    /// gets ``RequestError/notFound``, as for a request that does not exist.
    public func request(_ id: Int64, for account: CustomerID, now: Date, compose: EmailComposer) throws -> RequestSnapshot {
        let due = try dbPool.read { db -> Bool? in
            guard let loaded = try Self.load(id, db), loaded.participants.contains(account) else { return nil }
            return loaded.isDue(now: now)
        }
        guard let due else { throw RequestError.notFound }
        if due {
            try dbPool.write { db in _ = try Self.expireIfDue(id, now: now, compose: compose, db) }
        }
        guard let snapshot = try dbPool.read({ db in try Self.snapshot(id, db) }) else { throw RequestError.notFound }
        return snapshot
    }

    /// Every request the account takes part in (as asker, confirmer, old or new contact): open
    /// ones first, then by request time, newest first. Due expiries are applied first.
    public func requests(
        for account: CustomerID, state: RequestState? = nil, now: Date, compose: EmailComposer
    ) throws -> [RequestSnapshot] {
        let due = try dbPool.read { db in
            try Int64.fetchAll(
                db, sql: Self.dueRequestsOfAccountSQL, arguments: ["account": account.rawValue, "now": now])
        }
        if !due.isEmpty {
            try dbPool.write { db in
                for id in due { _ = try Self.expireIfDue(id, now: now, compose: compose, db) }
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

    /// Expires every request past its window (operator CLI), with events and the composer's
    /// emails, in one transaction. Returns how many were expired.
    @discardableResult
    public func expireDueRequests(now: Date, compose: EmailComposer) throws -> Int {
        try dbPool.write { db in
            let ids = try Int64.fetchAll(db, sql: Self.dueRequestsSQL, arguments: ["now": now])
            var count = 0
            for id in ids where try Self.expireIfDue(id, now: now, compose: compose, db) {
                count += 1
            }
            return count
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

// MARK: - Inside the transactions

/// A stored request with what the lifecycle needs.
struct LoadedRequest {
    var record: ChangeRequestRecord
    var roles: [Role]
    var confirmations: [ConfirmationRecord]
    var lifecycle: ChangeRequestLifecycle

    var id: Int64 { record.id! }
    var from: CustomerID { CustomerID(trusted: record.fromAccount) }
    var to: CustomerID { CustomerID(trusted: record.toAccount) }

    /// Asker, confirmers, old and new contact.
    var participants: Set<CustomerID> {
        Set([record.requester, record.fromAccount, record.toAccount] + confirmations.map(\.confirmer))
            .reduce(into: []) { $0.insert(CustomerID(trusted: $1)) }
    }

    func isDue(now: Date) -> Bool {
        var copy = lifecycle
        return copy.expireIfDue(now: now)
    }
}

extension AppDatabase {
    /// Runs `body` in one write transaction and throws its `.failure` after committing. Errors
    /// thrown inside roll everything back.
    func writeThenThrow<T>(_ body: (Database) throws -> Result<T, RequestError>) throws -> T {
        try dbPool.write(body).get()
    }

    /// A request loaded for an action by one of its participants, and what the lifecycle makes
    /// of that action (`lifecycle` already moved to its new state).
    struct Decided {
        var loaded: LoadedRequest
        var lifecycle: ChangeRequestLifecycle
        var outcome: ChangeRequestLifecycle.Outcome
    }

    /// The first steps every action on a request shares: load it for `action`'s account (expiry
    /// applied), then ask the lifecycle.
    static func loadAndDecide(
        _ action: ChangeRequestLifecycle.Action, _ id: Int64, now: Date, compose: EmailComposer, _ db: Database
    ) throws -> Result<Decided, RequestError> {
        let account: CustomerID = switch action {
        case .accept(let by), .refuse(let by), .cancel(let by), .resend(let by): by
        }
        let loaded: LoadedRequest
        switch try loadForAction(id, by: account, now: now, compose: compose, db) {
        case .failure(let error): return .failure(error)
        case .success(let value): loaded = value
        }
        var lifecycle = loaded.lifecycle
        return decide(action, on: &lifecycle, now: now, participants: loaded.participants)
            .map { Decided(loaded: loaded, lifecycle: lifecycle, outcome: $0) }
    }

    /// What the lifecycle makes of `action`, its refusal as a ``RequestError``.
    static func decide(
        _ action: ChangeRequestLifecycle.Action, on lifecycle: inout ChangeRequestLifecycle, now: Date,
        participants: Set<CustomerID> = []
    ) -> Result<ChangeRequestLifecycle.Outcome, RequestError> {
        do throws(ChangeRequestLifecycle.Refusal) {
            return .success(try lifecycle.apply(action, now: now, participants: participants))
        } catch {
            return .failure(.refused(error))
        }
    }

    static func load(_ id: Int64, _ db: Database) throws -> LoadedRequest? {
        guard let record = try ChangeRequestRecord.fetchOne(db, key: id),
              let state = RequestState(rawValue: record.state) else { return nil }
        let roles = try String.fetchAll(
            db, sql: "SELECT role FROM change_request_role WHERE request_id = ?", arguments: [id]
        ).compactMap(Role.init(rawValue:)).sorted()
        let confirmations = try ConfirmationRecord.fetchAll(
            db, sql: "SELECT * FROM confirmation WHERE request_id = ?", arguments: [id])
        let lifecycle = ChangeRequestLifecycle(
            state: state, requester: CustomerID(trusted: record.requester), expiresAt: record.expiresAt,
            confirmations: Dictionary(
                confirmations.map { (CustomerID(trusted: $0.confirmer), $0.acceptedAt) },
                uniquingKeysWith: { first, _ in first }))
        return LoadedRequest(record: record, roles: roles, confirmations: confirmations, lifecycle: lifecycle)
    }

    /// The request for an action by `account`: not found for non-participants; expired (and
    /// refused, once the expiry is written) when past its window.
    static func loadForAction(
        _ id: Int64, by account: CustomerID, now: Date, compose: EmailComposer, _ db: Database
    ) throws -> Result<LoadedRequest, RequestError> {
        guard let loaded = try load(id, db), loaded.participants.contains(account) else {
            return .failure(.notFound)
        }
        if try expireIfDue(id, now: now, compose: compose, db) {
            return .failure(.refused(.notOpen(.expired)))
        }
        return .success(loaded)
    }

    /// Expires the request if it is waiting past its window: state, `decided_at` (the end of the
    /// window), an `expired` event at that moment, and the composer's emails. True when it did.
    static func expireIfDue(_ id: Int64, now: Date, compose: EmailComposer, _ db: Database) throws -> Bool {
        guard let loaded = try load(id, db) else { return false }
        var lifecycle = loaded.lifecycle
        guard lifecycle.expireIfDue(now: now) else { return false }
        try finish(id, as: lifecycle.state, at: loaded.record.expiresAt, db)
        try addEvent(requestID: id, at: loaded.record.expiresAt, kind: .expired, actor: nil, db)
        try notify(id, now: now, compose: compose, db)
        return true
    }

    static func expireDue(onService serviceID: Int64, now: Date, compose: EmailComposer, _ db: Database) throws {
        let ids = try Int64.fetchAll(db, sql: """
            SELECT id FROM change_request WHERE service_id = ? AND state = 'waiting' AND expires_at <= ?
            """, arguments: [serviceID, now])
        for id in ids {
            _ = try expireIfDue(id, now: now, compose: compose, db)
        }
    }

    /// Counts against the wrong-code throttle and compares digests in constant time. Returns the
    /// error to report (after committing the counted failure), or nil when the code is right.
    static func checkCode(
        _ code: String, of account: CustomerID, in loaded: LoadedRequest, now: Date, _ db: Database
    ) throws -> RequestError? {
        let throttle = wrongCodeThrottle
        let row = try Row.fetchOne(db, sql: """
            SELECT count(*), max(failed_at) FROM code_failure
            WHERE request_id = ? AND account = ? AND failed_at > ?
            """, arguments: [loaded.id, account.rawValue, now.addingTimeInterval(-throttle.window)])
        let failures: Int = row?[0] ?? 0
        let latest: Date? = row?[1]
        if let wait = throttle.waitTime(for: .account(account), failures: failures, latestFailure: latest, now: now) {
            return .tooManyWrongCodes(retryAfter: wait)
        }
        let stored = loaded.confirmations.first { $0.confirmer == account.rawValue }?.codeDigest ?? ""
        let typed = Secret.digest(code.trimmingCharacters(in: .whitespacesAndNewlines))
        guard Secret.constantTimeEquals(typed, stored) else {
            var failure = CodeFailureRecord(id: nil, requestID: loaded.id, account: account.rawValue, failedAt: now)
            try failure.insert(db)
            return .wrongCode
        }
        return nil
    }

    /// Everybody accepted: the change takes effect if its rules still hold (the roles are still
    /// the from-account's; for billing, both accounts are up to date with payments), else the
    /// request fails and the service is left as it is.
    static func takeEffect(
        _ loaded: LoadedRequest, lifecycle: inout ChangeRequestLifecycle, now: Date, _ db: Database
    ) throws {
        let service = try ServiceRecord.fetchOne(db, key: loaded.record.serviceID)?.storedService
        var failure: RequestFailure?
        if let service, loaded.roles.allSatisfy({ service.contact(for: $0) == loaded.from }) {
            if loaded.roles.contains(.billing) {
                let accounts = try accounts([loaded.from, loaded.to], db)
                if let old = accounts[loaded.from], let new = accounts[loaded.to],
                   !PaymentRule.blockers(oldBilling: old, newBilling: new).isEmpty {
                    failure = .paymentOverdue
                }
            }
        } else {
            failure = .holdersChanged
        }

        if let failure {
            lifecycle.fail()
            try finish(loaded.id, as: lifecycle.state, at: now, failure: failure, db)
            try addEvent(requestID: loaded.id, at: now, kind: .failed, actor: nil, db)
        } else {
            // Column names from a closed enum, never from input.
            let assignments = loaded.roles
                .map { "\(ServiceRecord.column(for: $0).rawValue) = :to" }
                .joined(separator: ", ")
            try db.execute(
                sql: "UPDATE service SET \(assignments) WHERE id = :id",
                arguments: ["to": loaded.to.rawValue, "id": loaded.record.serviceID])
            try finish(loaded.id, as: lifecycle.state, at: now, db)
            try addEvent(requestID: loaded.id, at: now, kind: .done, actor: nil, db)
        }
    }

    /// Writes a finished state; the trigger on `change_request` closes its roles.
    static func finish(
        _ id: Int64, as state: RequestState, at decidedAt: Date, failure: RequestFailure? = nil, _ db: Database
    ) throws {
        try db.execute(
            sql: "UPDATE change_request SET state = ?, decided_at = ?, failure_reason = ? WHERE id = ? AND state = 'waiting'",
            arguments: [state.rawValue, decidedAt, failure?.rawValue, id])
    }

    static func addEvent(
        requestID: Int64, at: Date, kind: RequestEventKind, actor: CustomerID?, _ db: Database
    ) throws {
        var event = RequestEventRecord(id: nil, requestID: requestID, at: at, kind: kind.rawValue, actor: actor?.rawValue)
        try event.insert(db)
    }

    /// Hands the request's snapshot (with `codes` just issued) to the composer and writes its
    /// emails to the outbox. Returns the snapshot as it stands after, without codes.
    @discardableResult
    static func notify(
        _ id: Int64, codes: [CustomerID: String] = [:], now: Date, compose: EmailComposer, _ db: Database
    ) throws -> RequestSnapshot {
        guard var snapshot = try snapshot(id, db) else { throw RequestError.notFound }
        snapshot.codes = codes
        try enqueue(compose(snapshot), requestID: id, now: now, db)
        return try Self.snapshot(id, db) ?? snapshot
    }

    static func accounts(_ ids: [CustomerID], _ db: Database) throws -> [CustomerID: Account] {
        let records = try AccountRecord.fetchAll(db, keys: Set(ids.map(\.rawValue)))
        return Dictionary(records.map { ($0.account.id, $0.account) }, uniquingKeysWith: { first, _ in first })
    }

    static func snapshot(_ id: Int64, _ db: Database) throws -> RequestSnapshot? {
        guard let loaded = try load(id, db),
              let service = try ServiceRecord.fetchOne(db, key: loaded.record.serviceID)?.storedService
        else { return nil }
        let requesterID = CustomerID(trusted: loaded.record.requester)
        let confirmers = loaded.confirmations.map { CustomerID(trusted: $0.confirmer) }
        let accounts = try accounts([requesterID, loaded.from, loaded.to] + confirmers, db)
        guard let requester = accounts[requesterID], let from = accounts[loaded.from], let to = accounts[loaded.to]
        else { return nil }
        let confirmations = loaded.confirmations
            .sorted { ($0.confirmer == loaded.record.requester ? 0 : 1, $0.confirmer) < ($1.confirmer == loaded.record.requester ? 0 : 1, $1.confirmer) }
            .compactMap { record in
                accounts[CustomerID(trusted: record.confirmer)].map {
                    ConfirmationSnapshot(confirmer: $0, acceptedAt: record.acceptedAt)
                }
            }
        let events = try RequestEventRecord.fetchAll(
            db, sql: "SELECT * FROM request_event WHERE request_id = ? ORDER BY at, id", arguments: [id]
        ).map { RequestEventSnapshot(at: $0.at, kind: $0.kind, actor: $0.actor.map(CustomerID.init(trusted:))) }
        return RequestSnapshot(
            id: id, serviceID: service.id, serviceName: service.name, serviceType: service.type,
            roles: loaded.roles, from: from, to: to, requester: requester, state: loaded.lifecycle.state,
            requestedAt: loaded.record.requestedAt, decidedAt: loaded.record.decidedAt,
            expiresAt: loaded.record.expiresAt, lastResentAt: loaded.record.lastResentAt,
            failure: loaded.record.failureReason.flatMap(RequestFailure.init(rawValue:)),
            confirmations: confirmations, events: events, codes: [:])
    }
}

extension StoredService {
    var holders: RoleHolders {
        RoleHolders(administrative: administrative, technical: technical, billing: billing)
    }
}
