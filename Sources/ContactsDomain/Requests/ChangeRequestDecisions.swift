import Foundation

/// Every decision about a contact change request, as pure functions (SPEC "Requests").
///
/// The store loads the facts, asks here what an action means, and writes the decision with its
/// emails in one transaction; the web layer shows the refusal. Nothing here does I/O.
public enum ChangeRequestDecisions {
    /// A new request for `plan`: every confirmer gets a fresh code by email.
    public static func creation(of plan: PlannedChange, now: Date) -> RequestDecision {
        var decision = RequestDecision(state: .waiting)
        decision.freshCodes = plan.confirmers
        decision.events = [.init(at: now, kind: .requested, actor: plan.requester)]
        decision.emails = plan.confirmers.map { .init(recipient: $0, kind: .code) }
        return decision
    }

    /// Whether the requests of one submission stay within `limits` (by default
    /// ``RequestPolicy``'s: requests made lately by the asker, and naming each new contact).
    /// Nil when they do; else the refusal, with the wait until the oldest counted request
    /// leaves its window.
    public static func creationLimit(
        _ plans: [PlannedChange], by requester: CustomerID, recent: RecentRequests,
        limits: CreationLimits = RequestPolicy.creationLimits, now: Date
    ) -> CreationRefusal? {
        let hour: TimeInterval = 3600
        let day: TimeInterval = 24 * hour
        func wait(_ oldest: Date?, _ window: TimeInterval) -> TimeInterval {
            max(1, ((oldest ?? now).addingTimeInterval(window).timeIntervalSince(now)).rounded(.up))
        }
        if recent.byAskerLastHour.count + plans.count > limits.perAskerPerHour {
            return .tooManyRequests(retryAfter: wait(recent.byAskerLastHour.oldest, hour))
        }
        if recent.byAskerLastDay.count + plans.count > limits.perAskerPerDay {
            return .tooManyRequests(retryAfter: wait(recent.byAskerLastDay.oldest, day))
        }
        for plan in plans where plan.to != requester {
            let named = recent.namingLastDay[plan.to] ?? RecentRequests.Window(count: 0, oldest: nil)
            let more = plans.filter { $0.to == plan.to }.count
            if named.count + more > limits.perTargetPerDay {
                return .tooManyForTarget(plan.to, retryAfter: wait(named.oldest, day))
            }
        }
        return nil
    }

    /// What `action` does to the request described by `facts` at `now`.
    public static func decide(_ action: RequestAction, _ facts: RequestFacts, now: Date) -> RequestDecision {
        if let actor = action.actor, !facts.isVisible(to: actor) {
            return refused(.notFound, facts)
        }
        // Expiry comes first: a request read or acted on after its window is expired, whatever
        // the action, and the action is refused.
        if facts.isDue(now: now) {
            var decision = expiry(facts)
            if action != .expire { decision.refusal = .notOpen(.expired) }
            return decision
        }
        switch action {
        case .expire:
            return RequestDecision(state: facts.state)
        case .accept(let confirmer, let code):
            return accept(by: confirmer, code: code, facts, now: now)
        case .refuse(let confirmer, let code):
            return refuse(by: confirmer, code: code, facts, now: now)
        case .cancel(let account):
            return cancel(by: account, facts, now: now)
        case .resend(let account):
            return resend(by: account, facts, now: now)
        }
    }

    // MARK: - The actions

    private static func accept(by confirmer: CustomerID, code: CodeCheck, _ facts: RequestFacts, now: Date) -> RequestDecision {
        guard facts.state.isOpen else { return refused(.notOpen(facts.state), facts) }
        guard let accepted = facts.confirmations[confirmer] else { return refused(.notAConfirmer, facts) }
        guard accepted == nil else { return refused(.alreadyAccepted, facts) }
        if let refusal = codeRefusal(code, of: confirmer, now: now) {
            return refusedCode(refusal, by: confirmer, facts)
        }
        var decision = RequestDecision(state: .waiting)
        decision.acceptedBy = confirmer
        decision.events = [.init(at: now, kind: .accepted, actor: confirmer)]
        var after = facts
        after.confirmations[confirmer] = .some(now)
        guard after.awaited.isEmpty else { return decision }
        // The last confirmer accepted: the change takes effect now if its rules still hold.
        decision.decidedAt = now
        if let failure = takeEffectFailure(facts) {
            decision.state = .failed
            decision.failure = failure
            decision.events.append(.init(at: now, kind: .failed, actor: nil))
        } else {
            decision.state = .done
            decision.rolesToMove = facts.roles
            decision.events.append(.init(at: now, kind: .done, actor: nil))
        }
        decision.emails = outcomeEmails(facts)
        return decision
    }

    private static func refuse(by confirmer: CustomerID, code: CodeCheck, _ facts: RequestFacts, now: Date) -> RequestDecision {
        guard facts.state.isOpen else { return refused(.notOpen(facts.state), facts) }
        guard facts.confirmations[confirmer] != nil else { return refused(.notAConfirmer, facts) }
        if let refusal = codeRefusal(code, of: confirmer, now: now) {
            return refusedCode(refusal, by: confirmer, facts)
        }
        return finished(.refused, by: confirmer, facts, now: now)
    }

    private static func cancel(by account: CustomerID, _ facts: RequestFacts, now: Date) -> RequestDecision {
        guard facts.state.isOpen else { return refused(.notOpen(facts.state), facts) }
        guard account == facts.requester else { return refused(.notTheRequester, facts) }
        return finished(.cancelled, by: account, facts, now: now)
    }

    /// The asker has every awaited confirmer's code sent again; a confirmer only its own. The
    /// contact being replaced, or an administrative contact looking on, may not: fresh codes void
    /// the confirmers' old ones, so that would let them veto the request. The first resend is
    /// allowed at once, the next ones once a minute, and only ``RequestPolicy/maximumResends`` in all.
    private static func resend(by account: CustomerID, _ facts: RequestFacts, now: Date) -> RequestDecision {
        guard facts.state.isOpen else { return refused(.notOpen(facts.state), facts) }
        let recipients: [CustomerID]
        if account == facts.requester {
            recipients = facts.awaited
        } else if let accepted = facts.confirmations[account] {
            guard accepted == nil else { return refused(.alreadyAccepted, facts) }
            recipients = [account]
        } else {
            return refused(.mayNotResend, facts)
        }
        guard facts.resends < RequestPolicy.maximumResends else { return refused(.resendLimitReached, facts) }
        if let last = facts.lastResentAt {
            let wait = last.addingTimeInterval(RequestPolicy.resendInterval).timeIntervalSince(now)
            if wait > 0 { return refused(.resendTooSoon(retryAfter: wait.rounded(.up)), facts) }
        }
        var decision = RequestDecision(state: .waiting)
        decision.resent = true
        decision.freshCodes = recipients
        decision.events = [.init(at: now, kind: .resent, actor: account)]
        decision.emails = recipients.map { .init(recipient: $0, kind: .code) }
        return decision
    }

    // MARK: - Shared steps

    /// The request past its window: expired as of the end of the window, everybody told.
    private static func expiry(_ facts: RequestFacts) -> RequestDecision {
        var decision = RequestDecision(state: .expired)
        decision.decidedAt = facts.expiresAt
        decision.events = [.init(at: facts.expiresAt, kind: .expired, actor: nil)]
        decision.emails = outcomeEmails(facts)
        return decision
    }

    private static func finished(_ state: RequestState, by actor: CustomerID, _ facts: RequestFacts, now: Date) -> RequestDecision {
        var decision = RequestDecision(state: state)
        decision.decidedAt = now
        decision.events = [.init(at: now, kind: RequestEventKind(rawValue: state.rawValue)!, actor: actor)]
        decision.emails = outcomeEmails(facts)
        return decision
    }

    private static func outcomeEmails(_ facts: RequestFacts) -> [RequestDecision.Email] {
        facts.participants.map { .init(recipient: $0, kind: .outcome) }
    }

    private static func refused(_ refusal: RequestRefusal, _ facts: RequestFacts) -> RequestDecision {
        var decision = RequestDecision(state: facts.state)
        decision.refusal = refusal
        return decision
    }

    /// A wrong code is counted; a throttled attempt is not even compared.
    private static func refusedCode(_ refusal: RequestRefusal, by confirmer: CustomerID, _ facts: RequestFacts) -> RequestDecision {
        var decision = refused(refusal, facts)
        if refusal == .wrongCode { decision.wrongCodeBy = confirmer }
        return decision
    }

    private static func codeRefusal(_ code: CodeCheck, of confirmer: CustomerID, now: Date) -> RequestRefusal? {
        if let wait = RequestPolicy.wrongCodeThrottle.waitTime(
            for: .account(confirmer), failures: code.recentFailures, latestFailure: code.latestFailure, now: now) {
            return .tooManyWrongCodes(retryAfter: wait)
        }
        return code.matches ? nil : .wrongCode
    }

    /// Every rule checked again against the service as it is now (``ChangeRules/takeEffectFailure``).
    static func takeEffectFailure(_ facts: RequestFacts) -> RequestFailure? {
        ChangeRules.takeEffectFailure(
            roles: facts.roles, from: facts.from, to: facts.to, requester: facts.requester,
            holders: facts.holders, accounts: facts.accounts)
    }
}

extension RequestDecision {
    init(state: RequestState) {
        self.state = state
    }
}
