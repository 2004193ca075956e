/// One service of a bulk selection as the rules need it: who holds its roles and which of its
/// roles have a request open. The accounts involved are given once for the whole selection.
public struct BulkServiceFacts: Equatable, Sendable {
    public var serviceID: Int64
    public var holders: RoleHolders
    /// The requests still open on the service: role → request ID.
    public var openRequests: [Role: Int64]

    public init(serviceID: Int64, holders: RoleHolders, openRequests: [Role: Int64] = [:]) {
        self.serviceID = serviceID
        self.holders = holders
        self.openRequests = openRequests
    }
}

/// Why one role of one selected service is left out of a bulk change (SPEC "Bulk changes"),
/// in the order the preview lists them.
public enum BulkLeftOutReason: Hashable, Sendable, CaseIterable {
    /// The requester holds no role on the service that lets it change this one.
    case noRight
    /// The role already belongs to the account asked for.
    case noChange
    /// A request covering this role of the service is still open.
    case openRequest
    /// The old or the new billing contact is behind with payments.
    case paymentRule
}

/// One role of one service that a bulk change leaves out, and why.
public struct BulkLeftOut: Equatable, Sendable {
    public var serviceID: Int64
    public var role: Role
    public var reason: BulkLeftOutReason
    /// For ``BulkLeftOutReason/openRequest``: the request, to link to.
    public var openRequestID: Int64?

    public init(serviceID: Int64, role: Role, reason: BulkLeftOutReason, openRequestID: Int64? = nil) {
        self.serviceID = serviceID
        self.role = role
        self.reason = reason
        self.openRequestID = openRequestID
    }
}

/// One request a bulk change creates: the roles that move from `from` to `to`, service by
/// service, confirmed once by each confirmer for the whole of it.
public struct BulkPlannedRequest: Equatable, Sendable {
    public var from: CustomerID
    public var to: CustomerID
    public var requester: CustomerID
    /// The requester first, then the new contact when it is somebody else.
    public var confirmers: [CustomerID]
    /// Service → the roles that move on it, services in ascending ID.
    public var services: [(serviceID: Int64, roles: [Role])]

    public init(from: CustomerID, to: CustomerID, requester: CustomerID, services: [(serviceID: Int64, roles: [Role])]) {
        self.from = from
        self.to = to
        self.requester = requester
        self.confirmers = requester == to ? [requester] : [requester, to]
        self.services = services.map { ($0.serviceID, $0.roles.sorted()) }.sorted { $0.serviceID < $1.serviceID }
    }

    /// Every role that moves on at least one of the services.
    public var roles: [Role] {
        Set(services.flatMap(\.roles)).sorted()
    }

    public static func == (lhs: BulkPlannedRequest, rhs: BulkPlannedRequest) -> Bool {
        lhs.from == rhs.from && lhs.to == rhs.to && lhs.requester == rhs.requester
            && lhs.services.elementsEqual(rhs.services) { $0.serviceID == $1.serviceID && $0.roles == $1.roles }
    }
}

/// What a bulk change would do: the requests it creates and what it leaves out. The preview
/// shows it; confirming plans again from the services as they are then, and a plan that differs
/// from the one previewed is shown again instead of being created.
public struct BulkChangePlan: Equatable, Sendable {
    /// One per (old account, new account) pair, ordered by the old and then the new account.
    public var requests: [BulkPlannedRequest]
    /// In the order of the selection, then of the roles.
    public var leftOut: [BulkLeftOut]

    public init(requests: [BulkPlannedRequest], leftOut: [BulkLeftOut]) {
        self.requests = requests
        self.leftOut = leftOut
    }

    /// How many services each asked-for role would change on.
    public var coveredServices: [Role: Int] {
        var counts: [Role: Int] = [:]
        for request in requests {
            for service in request.services {
                for role in service.roles { counts[role, default: 0] += 1 }
            }
        }
        return counts
    }

    /// For each asked-for role, how many services are left out for each reason.
    public var leftOutCounts: [Role: [BulkLeftOutReason: Int]] {
        var counts: [Role: [BulkLeftOutReason: Int]] = [:]
        for item in leftOut { counts[item.role, default: [:]][item.reason, default: 0] += 1 }
        return counts
    }

    /// Whether confirming would create anything at all.
    public var isEmpty: Bool { requests.isEmpty }
}

/// A bulk change that cannot even be previewed.
public enum BulkPlanProblem: Error, Equatable, Sendable {
    /// No role was asked for, or no service selected.
    case nothingAsked
    /// No account has the customer ID asked for as the new contact of this role.
    case unknownAccount(Role)
    /// The selection would need more requests (distinct old and new contact pairs) than one
    /// bulk change may create: the customer narrows the selection.
    case tooManyRequests(count: Int, maximum: Int)
}
