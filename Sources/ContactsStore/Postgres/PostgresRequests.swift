import ContactsDomain
import Foundation

// Change requests on PostgreSQL: the same flow as SQLite's (``RequestFlow``), on
// ``PostgresRequestTransaction``'s rows and locks.

extension PostgresStore {
    /// Creates the requests of one edit-page submission (see ``AppDatabase/createRequests``).
    /// A creation racing this one on the same role loses on the partial unique index of open
    /// roles at the latest, and is answered as SQLite answers it: the role's open request.
    @discardableResult
    public func createRequests(
        onService serviceID: Int64, by requester: CustomerID, changes: [Role: CustomerID],
        expectedHolders: RoleHolders, now: Date, expiresAfter: TimeInterval = RequestPolicy.defaultLifetime,
        limits: CreationLimits = RequestPolicy.creationLimits
    ) throws -> [Int64] {
        let flow = try requestFlow()
        guard !changes.isEmpty else { return [] }
        try write { connection in _ = try flow.expireDue(onService: serviceID, now: now, PostgresRequestTransaction(connection)) }
        do {
            return try write { connection in
                try flow.create(
                    onService: serviceID, by: requester, changes: changes, expectedHolders: expectedHolders, now: now,
                    expiresAfter: expiresAfter, limits: limits, PostgresRequestTransaction(connection))
            }
        } catch let error as PostgresError where error.isUniqueViolation {
            let open = try read { connection in try PostgresRequestTransaction(connection).openRequests(onService: serviceID) }
            guard let (role, id) = open.filter({ changes.keys.contains($0.key) }).min(by: { $0.key < $1.key }) else { throw error }
            throw RequestError.openRequestExists(role: role, requestID: id)
        }
    }

    /// Accept, refuse, cancel or resend (see ``AppDatabase/perform(_:on:now:)``). The request's
    /// row is locked first, so actions racing on one request take effect one after the other.
    @discardableResult
    public func perform(_ command: RequestCommand, on requestID: Int64, now: Date) throws -> RequestSnapshot {
        let flow = try requestFlow()
        return try write { connection in
            try flow.perform(command, on: requestID, now: now, PostgresRequestTransaction(connection))
        }.get()
    }

    /// Expires every request past its window, with events and emails. Returns how many.
    @discardableResult
    public func expireDueRequests(now: Date) throws -> Int {
        let flow = try requestFlow()
        return try write { connection in try flow.expireDue(onService: nil, now: now, PostgresRequestTransaction(connection)) }
    }

    /// A request as seen by an account allowed to see it (see ``AppDatabase/request(_:for:now:)``).
    public func request(_ id: Int64, for account: CustomerID, now: Date) throws -> RequestSnapshot {
        let due = try read { connection -> Bool? in
            guard let loaded = try PostgresRequestTransaction(connection).load(id), loaded.facts.isVisible(to: account)
            else { return nil }
            return loaded.facts.isDue(now: now)
        }
        guard let due else { throw RequestError.notFound }
        if due {
            let flow = try requestFlow()
            try write { connection in _ = try flow.expireIfDue(id, now: now, PostgresRequestTransaction(connection)) }
        }
        guard let snapshot = try read({ connection in try PostgresRequestTransaction(connection).snapshot(id) })
        else { throw RequestError.notFound }
        return snapshot
    }

    /// One page of the requests the account takes part in (see
    /// ``AppDatabase/requests(for:state:after:limit:now:)``). Due expiries are applied first.
    public func requests(
        for account: CustomerID, state: RequestState? = nil, after: RequestListCursor? = nil, limit: Int = 50, now: Date
    ) throws -> RequestList {
        let due = try read { connection in
            try PostgresRequestTransaction(connection).ids(RequestListStatements.due(of: account, now: now))
        }
        if !due.isEmpty {
            let flow = try requestFlow()
            try write { connection in
                for id in due { _ = try flow.expireIfDue(id, now: now, PostgresRequestTransaction(connection)) }
            }
        }
        return try read { connection in
            try PostgresRequestTransaction(connection).requestList(for: account, state: state, after: after, limit: limit)
        }
    }

    func requestFlow() throws -> RequestFlow {
        guard let requestEmails else { throw StoreError.noEmailComposer }
        return RequestFlow(writer: DecisionWriter(composer: requestEmails, newCode: newCode))
    }
}
