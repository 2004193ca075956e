import ContactsDomain
import Foundation

/// An engine's transactions as the request operations open them; the operations themselves
/// (what runs in which transaction, in which order) are written once below.
protocol RequestEngine {
    /// Renders the request emails; nil in tools that do not touch requests.
    var requestEmails: (any RequestEmailComposer)? { get }
    var newCode: @Sendable () -> String { get }
    func readRequests<T>(_ body: (any RequestTransaction) throws -> T) throws -> T
    func writeRequests<T>(_ body: (any RequestTransaction) throws -> T) throws -> T
}

extension RequestEngine {
    func requestFlow() throws -> RequestFlow {
        guard let requestEmails else { throw StoreError.noEmailComposer }
        return RequestFlow(writer: DecisionWriter(composer: requestEmails, newCode: newCode))
    }

    /// Expires the service's due requests (committed even when the submission is then
    /// refused), then creates the submission's requests in a transaction of their own.
    func createRequests(
        _ flow: RequestFlow, onService serviceID: Int64, by requester: CustomerID, changes: [Role: CustomerID],
        expectedHolders: RoleHolders, now: Date, expiresAfter: TimeInterval, limits: CreationLimits
    ) throws -> [Int64] {
        guard !changes.isEmpty else { return [] }
        _ = try writeRequests { tx in try flow.expireDue(onService: serviceID, now: now, tx) }
        return try writeRequests { tx in
            try flow.create(
                onService: serviceID, by: requester, changes: changes, expectedHolders: expectedHolders, now: now,
                expiresAfter: expiresAfter, limits: limits, tx)
        }
    }

    func performRequest(_ command: RequestCommand, on requestID: Int64, now: Date) throws -> RequestSnapshot {
        let flow = try requestFlow()
        return try writeRequests { tx in try flow.perform(command, on: requestID, now: now, tx) }.get()
    }

    func expireAllDueRequests(now: Date) throws -> Int {
        let flow = try requestFlow()
        return try writeRequests { tx in try flow.expireDue(onService: nil, now: now, tx) }
    }

    /// The request if `account` may see it, expired first when past its window.
    func visibleRequest(_ id: Int64, for account: CustomerID, now: Date) throws -> RequestSnapshot {
        let due = try readRequests { tx -> Bool? in
            guard let loaded = try tx.load(id), loaded.facts.isVisible(to: account) else { return nil }
            return loaded.facts.isDue(now: now)
        }
        guard let due else { throw RequestError.notFound }
        if due {
            let flow = try requestFlow()
            _ = try writeRequests { tx in try flow.expireIfDue(id, now: now, tx) }
        }
        guard let snapshot = try readRequests({ tx in try tx.snapshot(id) }) else { throw RequestError.notFound }
        return snapshot
    }

    /// One page of the account's requests, its due ones expired first.
    func requestList(
        for account: CustomerID, state: RequestState?, after: RequestListCursor?, limit: Int, now: Date
    ) throws -> RequestList {
        let due = try readRequests { tx in try tx.ids(RequestListStatements.due(of: account, now: now)) }
        if !due.isEmpty {
            let flow = try requestFlow()
            _ = try writeRequests { tx in
                for id in due { _ = try flow.expireIfDue(id, now: now, tx) }
            }
        }
        return try readRequests { tx in try tx.requestList(for: account, state: state, after: after, limit: limit) }
    }
}

extension AppDatabase: RequestEngine {
    func readRequests<T>(_ body: (any RequestTransaction) throws -> T) throws -> T {
        try timedRead { db in try body(SQLiteRequestTransaction(db)) }
    }

    func writeRequests<T>(_ body: (any RequestTransaction) throws -> T) throws -> T {
        try timedWrite { db in try body(SQLiteRequestTransaction(db)) }
    }
}

extension PostgresStore: RequestEngine {
    func readRequests<T>(_ body: (any RequestTransaction) throws -> T) throws -> T {
        try read { connection in try body(PostgresRequestTransaction(connection)) }
    }

    func writeRequests<T>(_ body: (any RequestTransaction) throws -> T) throws -> T {
        try write { connection in try body(PostgresRequestTransaction(connection)) }
    }
}
