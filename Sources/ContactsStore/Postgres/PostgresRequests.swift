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
        do {
            return try createRequests(
                flow, onService: serviceID, by: requester, changes: changes, expectedHolders: expectedHolders,
                now: now, expiresAfter: expiresAfter, limits: limits)
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
        try performRequest(command, on: requestID, now: now)
    }

    /// Expires every request past its window, with events and emails. Returns how many.
    @discardableResult
    public func expireDueRequests(now: Date) throws -> Int {
        try expireAllDueRequests(now: now)
    }

    /// A request as seen by an account allowed to see it (see ``AppDatabase/request(_:for:now:)``).
    public func request(_ id: Int64, for account: CustomerID, now: Date) throws -> RequestSnapshot {
        try visibleRequest(id, for: account, now: now)
    }

    /// One page of the requests the account takes part in (see
    /// ``AppDatabase/requests(for:state:after:limit:now:)``). Due expiries are applied first.
    public func requests(
        for account: CustomerID, state: RequestState? = nil, after: RequestListCursor? = nil, limit: Int = 50, now: Date
    ) throws -> RequestList {
        try requestList(for: account, state: state, after: after, limit: limit, now: now)
    }
}
