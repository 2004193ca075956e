import ContactsDomain
import Foundation
import GRDB

// MARK: - Contact change requests: what pages read

extension AppDatabase {
    /// Current holders of a service's roles (nil if no such service).
    public func roleHolders(ofService id: Int64) throws -> (name: String, type: ServiceType, holders: RoleHolders)? {
        try sharedRead { try $0.roleHolders(ofService: id) }
    }

    /// What `ChangeRules.check` needs about a service for a submission asking for `wanted`
    /// (nil if no such service). With `now`, requests whose window has passed are not counted
    /// as open (the next action on them expires them).
    public func serviceFacts(ofService id: Int64, wanted: Set<CustomerID> = [], now: Date? = nil) throws -> ServiceFacts? {
        try sharedRead { try $0.serviceFacts(ofService: id, wanted: wanted, now: now) }
    }

    /// The roles with a request still open (and not past its window), per service, for the
    /// services of one contacts page.
    public func openRoles(onServices ids: [Int64], now: Date) throws -> [Int64: Set<Role>] {
        guard !ids.isEmpty else { return [:] }
        return try sharedRead { try $0.openRoles(onServices: ids, now: now) }
    }

    /// Open requests on a service: role → request ID (see ``serviceFacts(ofService:wanted:now:)``).
    public func openRequests(onService id: Int64, now: Date? = nil) throws -> [Role: Int64] {
        try serviceFacts(ofService: id, now: now)?.openRequests ?? [:]
    }

    /// A request as seen by an account allowed to see it (a participant, or the service's
    /// administrative contact). A request past its window is expired first (its event and
    /// emails). Anybody else gets ``RequestError/notFound``, as for a request that does not exist.
    public func request(_ id: Int64, for account: CustomerID, now: Date) throws -> RequestSnapshot {
        try visibleRequest(id, for: account, now: now)
    }

    /// One page of the requests the account takes part in (as asker, confirmer, old or new
    /// contact): open ones first, then by request time, newest first; keyset paging from
    /// `after`. Due expiries are applied first.
    public func requests(
        for account: CustomerID, state: RequestState? = nil, after: RequestListCursor? = nil, limit: Int = 50, now: Date
    ) throws -> RequestList {
        try requestList(for: account, state: state, after: after, limit: limit, now: now)
    }
}

extension PostgresStore {
    /// See ``AppDatabase/roleHolders(ofService:)``.
    public func roleHolders(ofService id: Int64) throws -> (name: String, type: ServiceType, holders: RoleHolders)? {
        try sharedRead { try $0.roleHolders(ofService: id) }
    }

    /// See ``AppDatabase/serviceFacts(ofService:wanted:now:)``.
    public func serviceFacts(ofService id: Int64, wanted: Set<CustomerID> = [], now: Date? = nil) throws -> ServiceFacts? {
        try sharedRead { try $0.serviceFacts(ofService: id, wanted: wanted, now: now) }
    }

    /// See ``AppDatabase/openRoles(onServices:now:)``.
    public func openRoles(onServices ids: [Int64], now: Date) throws -> [Int64: Set<Role>] {
        guard !ids.isEmpty else { return [:] }
        return try sharedRead { try $0.openRoles(onServices: ids, now: now) }
    }

    public func openRequests(onService id: Int64, now: Date? = nil) throws -> [Role: Int64] {
        try serviceFacts(ofService: id, now: now)?.openRequests ?? [:]
    }

    /// See ``AppDatabase/contactsPage(for:query:)``.
    public func contactsPage(for account: CustomerID, query: ContactsQuery) throws -> ContactsPage {
        try read { connection in
            try ContactsPageQuery(account: account, query: query, dialect: .postgres).page(PostgresContactsReader(connection: connection))
        }
    }
}

extension StoreTransaction where Self: RequestTransaction {
    func roleHolders(ofService id: Int64) throws -> (name: String, type: ServiceType, holders: RoleHolders)? {
        try service(id, forUpdate: false).map { ($0.name, $0.type, $0.holders) }
    }

    func serviceFacts(ofService id: Int64, wanted: Set<CustomerID>, now: Date?) throws -> ServiceFacts? {
        guard let service = try service(id, forUpdate: false) else { return nil }
        var facts = try serviceFacts(service, wanted: wanted)
        if let now {
            let due = Set(try dueRequests(onService: id, now: now))
            facts.openRequests = facts.openRequests.filter { !due.contains($0.value) }
        }
        return facts
    }

    func openRoles(onServices ids: [Int64], now: Date) throws -> [Int64: Set<Role>] {
        // One parameter per service: both engines read the list alike (a page has at most 200).
        let values = ids.map { SharedStatement.Value.int($0) } + [.date(now)]
        let placeholders = (1...ids.count).map { "$\($0)" }.joined(separator: ", ")
        var result: [Int64: Set<Role>] = [:]
        for row in try rows(SharedStatement(sql: """
            SELECT rr.service_id, rr.role FROM change_request_role rr JOIN change_request r ON r.id = rr.request_id
            WHERE rr.open = 1 AND rr.service_id IN (\(placeholders)) AND r.expires_at > $\(ids.count + 1)
            """, values: values)) {
            if let role = Role(rawValue: try row.string("role")) { result[try row.int64("service_id"), default: []].insert(role) }
        }
        return result
    }
}

/// One page of "My requests".
public struct RequestList: Sendable, Equatable {
    public var requests: [RequestSnapshot]
    /// Every request of the account (with the state filter), on all pages.
    public var totalCount: Int
    /// Where the next page starts; nil on the last page.
    public var next: RequestListCursor?
}

/// The position after the last request of a page, in the list's order (open first, newest
/// first): carried in the address bar as an opaque token.
public struct RequestListCursor: Sendable, Equatable {
    public var open: Bool
    public var requestedAt: Date
    public var id: Int64

    public init(open: Bool, requestedAt: Date, id: Int64) {
        self.open = open
        self.requestedAt = requestedAt
        self.id = id
    }

    /// "o-<milliseconds since 1970>-<id>": the stored times have millisecond precision.
    public var token: String {
        "\(open ? "o" : "f")-\(Int64((requestedAt.timeIntervalSince1970 * 1000).rounded()))-\(id)"
    }

    public init?(token: String) {
        let parts = token.split(separator: "-", omittingEmptySubsequences: false)
        guard token.utf8.count <= 48, parts.count == 3, parts[0] == "o" || parts[0] == "f",
              let milliseconds = Int64(parts[1]), milliseconds >= 0, milliseconds < 100_000_000_000_000,
              let id = Int64(parts[2]), id > 0
        else { return nil }
        self.init(open: parts[0] == "o", requestedAt: Date(timeIntervalSince1970: Double(milliseconds) / 1000), id: id)
    }
}
