import ContactsDomain
import Foundation

// MARK: - Contact change requests: the actions
//
// Every action runs in one write transaction (`RequestEngine`, `RequestFlow`): load the facts,
// ask `ChangeRequestDecisions` what the action means, write the decision with its emails,
// commit. SQLite's single writer (PostgreSQL's row lock on the request) and the state check
// inside the transaction make racing actions (two accepts of one code) take effect once. A
// refused action still commits what its decision writes (an expiry found on the way, a counted
// wrong code); the refusal is thrown after.

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
        try createRequests(
            try requestFlow(), onService: serviceID, by: requester, changes: changes, expectedHolders: expectedHolders,
            now: now, expiresAfter: expiresAfter, limits: limits)
    }

    /// Accept, refuse, cancel or resend: one load-decide-write step for each.
    /// - Returns: the request as it stands after.
    @discardableResult
    public func perform(_ command: RequestCommand, on requestID: Int64, now: Date) throws -> RequestSnapshot {
        try performRequest(command, on: requestID, now: now)
    }

    /// Expires every request past its window (operator CLI), with events and emails, in one
    /// transaction. Returns how many were expired.
    @discardableResult
    public func expireDueRequests(now: Date) throws -> Int {
        try expireAllDueRequests(now: now)
    }
}
