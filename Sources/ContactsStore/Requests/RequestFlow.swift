import ContactsDomain
import Credentials
import Foundation

/// The engine-independent steps of the request actions: load the facts, ask the domain,
/// write its decision. Each runs inside one write transaction the engine opens.
struct RequestFlow {
    let writer: DecisionWriter

    /// Creates the requests of one submission (see ``AppDatabase/createRequests``).
    func create(
        onService serviceID: Int64, by requester: CustomerID, changes: [Role: CustomerID],
        expectedHolders: RoleHolders, now: Date, expiresAfter: TimeInterval, limits: CreationLimits,
        _ tx: some RequestTransaction
    ) throws -> [Int64] {
        guard let service = try tx.service(serviceID, forUpdate: true) else { throw RequestError.unknownService }
        guard service.holders == expectedHolders else { throw RequestError.rulesChanged }
        let facts = try tx.serviceFacts(service, wanted: Set(changes.values))
        let plans: [PlannedChange]
        switch ChangeRules.check(requester: requester, changes: changes, service: facts) {
        case .success(let planned): plans = planned
        case .failure(let problems): throw RequestError(problems, changes: changes)
        }
        let targets = Set(plans.map(\.to)).subtracting([requester])
        try tx.lockCreationLimits(of: [requester] + targets.sorted { $0.rawValue < $1.rawValue })
        let recent = try recentRequests(by: requester, naming: targets, now: now, tx)
        if let refusal = ChangeRequestDecisions.creationLimit(plans, by: requester, recent: recent, limits: limits, now: now) {
            throw RequestError.tooManyRequests(refusal)
        }
        return try plans.map { plan in
            let record = ChangeRequestRecord(
                id: nil, serviceID: serviceID, fromAccount: plan.from.rawValue, toAccount: plan.to.rawValue,
                requester: plan.requester.rawValue, state: RequestState.waiting.rawValue, requestedAt: now,
                decidedAt: nil, expiresAt: now.addingTimeInterval(expiresAfter), lastResentAt: nil, failureReason: nil)
            let id = try tx.insertRequest(record, roles: plan.roles)
            guard let loaded = try tx.load(id) else { throw RequestError.notFound }
            try writer.apply(ChangeRequestDecisions.creation(of: plan, now: now), to: loaded, now: now, tx)
            return id
        }
    }

    /// Accept, refuse, cancel or resend. A refusal is returned, not thrown, so that what its
    /// decision writes (an expiry found on the way, a counted wrong code) commits.
    func perform(_ command: RequestCommand, on requestID: Int64, now: Date, _ tx: some RequestTransaction) throws
        -> Result<RequestSnapshot, RequestError>
    {
        guard let loaded = try tx.load(requestID, forUpdate: true) else { return .failure(.notFound) }
        let action = try action(for: command, on: loaded, now: now, tx)
        let decision = ChangeRequestDecisions.decide(action, loaded.facts, now: now)
        try writer.apply(decision, to: loaded, now: now, tx)
        if let refusal = decision.refusal { return .failure(RequestError(refusal)) }
        guard let snapshot = try tx.snapshot(requestID) else { return .failure(.notFound) }
        return .success(snapshot)
    }

    /// Expires the request if it is waiting past its window. True when it did.
    func expireIfDue(_ id: Int64, now: Date, _ tx: some RequestTransaction) throws -> Bool {
        guard let loaded = try tx.load(id, forUpdate: true), loaded.facts.isDue(now: now) else { return false }
        try writer.apply(ChangeRequestDecisions.decide(.expire, loaded.facts, now: now), to: loaded, now: now, tx)
        return true
    }

    /// Expires every due request, on one service or (nil) everywhere. Returns how many.
    func expireDue(onService serviceID: Int64?, now: Date, _ tx: some RequestTransaction) throws -> Int {
        try tx.dueRequests(onService: serviceID, now: now).count { try expireIfDue($0, now: now, tx) }
    }

    /// The domain's action for a command: the typed code checked against the confirmer's
    /// current digest, with its recent wrong codes.
    func action(for command: RequestCommand, on loaded: LoadedRequest, now: Date, _ tx: some RequestTransaction) throws -> RequestAction {
        switch command {
        case .accept(let account, let code):
            return .accept(by: account, code: try codeCheck(code, of: account, in: loaded, now: now, tx))
        case .refuse(let account, let code):
            return .refuse(by: account, code: try codeCheck(code, of: account, in: loaded, now: now, tx))
        case .cancel(let account):
            return .cancel(by: account)
        case .resend(let account):
            return .resend(by: account)
        }
    }

    func codeCheck(_ code: String, of account: CustomerID, in loaded: LoadedRequest, now: Date, _ tx: some RequestTransaction) throws -> CodeCheck {
        let failures = try tx.codeFailures(
            ofRequest: loaded.id, by: account, since: now.addingTimeInterval(-RequestPolicy.wrongCodeThrottle.window))
        let stored = loaded.confirmations.first { $0.confirmer == account.rawValue }?.codeDigest ?? ""
        let typed = Secret.digest(code.trimmingCharacters(in: .whitespacesAndNewlines))
        return CodeCheck(
            matches: Secret.constantTimeEquals(typed, stored), recentFailures: failures.count, latestFailure: failures.latest)
    }

    /// What the creation limits count.
    func recentRequests(by requester: CustomerID, naming targets: Set<CustomerID>, now: Date, _ tx: some RequestTransaction) throws -> RecentRequests {
        func window(_ counted: (count: Int, oldest: Date?)) -> RecentRequests.Window {
            .init(count: counted.count, oldest: counted.oldest)
        }
        var naming: [CustomerID: RecentRequests.Window] = [:]
        for target in targets where target != requester {
            naming[target] = window(try tx.requestsNaming(target, since: now.addingTimeInterval(-24 * 3600)))
        }
        return RecentRequests(
            byAskerLastHour: window(try tx.requestsAsked(by: requester, since: now.addingTimeInterval(-3600))),
            byAskerLastDay: window(try tx.requestsAsked(by: requester, since: now.addingTimeInterval(-24 * 3600))),
            namingLastDay: naming)
    }
}
