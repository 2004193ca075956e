import ContactsDomain
import Foundation
import Testing

private func id(_ text: String) -> CustomerID { try! CustomerID(parsing: text) }

private let admin = id("ad1-ovh")
private let tech = id("te2-ovh")
private let billing = id("bi3-ovh")
private let newcomer = id("ne4-ovh")
private let stranger = id("st5-ovh")
private let start = Date(timeIntervalSince1970: 1_800_000_000)
private let expiry = start.addingTimeInterval(RequestPolicy.defaultLifetime)

private func account(_ id: CustomerID, _ payment: PaymentStatus = .upToDate) -> Account {
    Account(id: id, displayName: id.rawValue, email: EmailAddress(trusted: "\(id.rawValue)@example.com"),
            language: .pl, paymentStatus: payment)
}

private let right = CodeCheck(matches: true)
private let wrong = CodeCheck(matches: false)

/// The administrator asked for the newcomer as technical contact (or `roles` to `to`).
private func waiting(
    roles: [Role] = [.technical], from: CustomerID = tech, to: CustomerID = newcomer, requester: CustomerID = admin,
    accepted: [CustomerID: Date] = [:], payments: [CustomerID: PaymentStatus] = [:],
    holders: RoleHolders? = RoleHolders(administrative: admin, technical: tech, billing: billing),
    resends: Int = 0, lastResentAt: Date? = nil
) -> RequestFacts {
    let confirmers = requester == to ? [requester] : [requester, to]
    return RequestFacts(
        state: .waiting, roles: roles, from: from, to: to, requester: requester,
        requestedAt: start, expiresAt: expiry, lastResentAt: lastResentAt, resends: resends,
        confirmations: Dictionary(uniqueKeysWithValues: confirmers.map { ($0, accepted[$0]) }),
        holders: holders,
        accounts: [from: account(from, payments[from] ?? .upToDate), to: account(to, payments[to] ?? .upToDate)])
}

private func decide(_ action: RequestAction, _ facts: RequestFacts, at now: Date = start) -> RequestDecision {
    ChangeRequestDecisions.decide(action, facts, now: now)
}

@Suite struct RequestCreationDecisionTests {
    @Test func everyConfirmerGetsAFreshCodeByEmail() {
        let plan = PlannedChange(roles: [.technical], from: tech, to: newcomer, requester: admin)
        let decision = ChangeRequestDecisions.creation(of: plan, now: start)
        #expect(decision.state == .waiting && decision.freshCodes == [admin, newcomer])
        #expect(decision.emails == [.init(recipient: admin, kind: .code), .init(recipient: newcomer, kind: .code)])
        #expect(decision.events == [.init(at: start, kind: .requested, actor: admin)])
    }

    @Test func theSubmissionCheckNamesEachProblemPerRole() throws {
        let holders = RoleHolders(administrative: admin, technical: tech, billing: billing)
        let service = ServiceFacts(
            holders: holders,
            accounts: [admin: account(admin), tech: account(tech), billing: account(billing, .overdue), newcomer: account(newcomer)],
            openRequests: [.administrative: 9])
        let problems = ChangeRules.check(
            requester: tech, changes: [.technical: stranger, .billing: newcomer, .administrative: newcomer], service: service)
        #expect(problems == .failure(.init(byRole: [
            .technical: .unknownAccount, .administrative: .openRequest(id: 9), .billing: .notAllowed,
        ])))
        // The administrator may ask for billing, but the old billing contact is behind with payments
        #expect(ChangeRules.check(requester: admin, changes: [.billing: newcomer], service: service)
            == .failure(.init(byRole: [.billing: .paymentBlocked([account(billing, .overdue)])])))
        #expect(ChangeRules.check(requester: admin, changes: [.technical: tech], service: service)
            == .failure(.init(byRole: [.technical: .noChange])))
        #expect(try ChangeRules.check(requester: admin, changes: [.technical: newcomer], service: service).get()
            == [PlannedChange(roles: [.technical], from: tech, to: newcomer, requester: admin)])
    }
}

@Suite struct RequestAcceptDecisionTests {
    @Test func theLastAcceptanceMakesTheChangeAndTellsEverybody() {
        let first = decide(.accept(by: admin, code: right), waiting())
        #expect(first.state == .waiting && first.acceptedBy == admin && first.rolesToMove.isEmpty && first.emails.isEmpty)
        #expect(first.events == [.init(at: start, kind: .accepted, actor: admin)])

        let last = decide(.accept(by: newcomer, code: right), waiting(accepted: [admin: start]))
        #expect(last.state == .done && last.decidedAt == start && last.rolesToMove == [.technical])
        #expect(last.events.map(\.kind) == [.accepted, .done])
        #expect(Set(last.emails.map(\.recipient)) == [admin, tech, newcomer] && last.emails.allSatisfy { $0.kind == .outcome })
    }

    @Test func aSingleConfirmerCompletesAtOnce() {
        let decision = decide(.accept(by: admin, code: right), waiting(roles: [.billing], from: billing, to: admin))
        #expect(decision.state == .done && decision.rolesToMove == [.billing])
    }

    @Test func acceptingTwiceOrByAnotherIsRefused() {
        #expect(decide(.accept(by: admin, code: right), waiting(accepted: [admin: start])).refusal == .alreadyAccepted)
        #expect(decide(.accept(by: tech, code: right), waiting()).refusal == .notAConfirmer)
        #expect(decide(.accept(by: stranger, code: right), waiting()).refusal == .notFound)
    }

    @Test func aWrongCodeIsCountedAndRepeatedOnesAreSlowedDown() {
        let decision = decide(.accept(by: newcomer, code: wrong), waiting())
        #expect(decision.refusal == .wrongCode && decision.wrongCodeBy == newcomer && decision.acceptedBy == nil)
        // 5 free within the window, then one minute, doubling
        let fifth = CodeCheck(matches: true, recentFailures: 4, latestFailure: start)
        #expect(decide(.accept(by: newcomer, code: fifth), waiting()).refusal == nil)
        let sixth = CodeCheck(matches: true, recentFailures: 5, latestFailure: start)
        let throttled = decide(.accept(by: newcomer, code: sixth), waiting(), at: start.addingTimeInterval(10))
        #expect(throttled.refusal == .tooManyWrongCodes(retryAfter: 50) && throttled.wrongCodeBy == nil)
        let seventh = CodeCheck(matches: false, recentFailures: 6, latestFailure: start)
        #expect(decide(.accept(by: newcomer, code: seventh), waiting(), at: start.addingTimeInterval(60)).refusal
            == .tooManyWrongCodes(retryAfter: 60))
        #expect(RequestPolicy.wrongCodeThrottle.window == 15 * 60)
        #expect(RequestPolicy.wrongCodeThrottle.maximumDelay == 15 * 60)
    }

    @Test func thePaymentRuleIsCheckedAgainWhenTheChangeWouldTakeEffect() {
        for overdue in [billing, newcomer] {
            let facts = waiting(roles: [.billing], from: billing, accepted: [admin: start], payments: [overdue: .overdue])
            let decision = decide(.accept(by: newcomer, code: right), facts)
            #expect(decision.state == .failed && decision.failure == .paymentOverdue && decision.rolesToMove.isEmpty)
            #expect(decision.events.map(\.kind) == [.accepted, .failed])
            #expect(Set(decision.emails.map(\.recipient)) == [admin, billing, newcomer])
        }
        // Other roles do not care about payments
        let technical = waiting(accepted: [admin: start], payments: [newcomer: .overdue])
        #expect(decide(.accept(by: newcomer, code: right), technical).state == .done)
    }

    @Test func holdersThatChangedMeanwhileFailIt() {
        let moved = RoleHolders(administrative: admin, technical: stranger, billing: billing)
        let decision = decide(.accept(by: newcomer, code: right), waiting(accepted: [admin: start], holders: moved))
        #expect(decision.state == .failed && decision.failure == .holdersChanged)
        #expect(decide(.accept(by: newcomer, code: right), waiting(accepted: [admin: start], holders: nil)).failure == .holdersChanged)
    }

    @Test func theAskersRightIsCheckedAgain() {
        // The administrator asked for the newcomer as technical contact, then handed its own role to the stranger
        let handedOn = RoleHolders(administrative: stranger, technical: tech, billing: billing)
        let decision = decide(.accept(by: newcomer, code: right), waiting(accepted: [admin: start], holders: handedOn))
        #expect(decision.state == .failed && decision.failure == .holdersChanged && decision.rolesToMove.isEmpty)
        // A technical contact handing its own role keeps the right as long as it holds the role
        let own = waiting(from: tech, requester: tech, accepted: [tech: start], holders: handedOn)
        #expect(decide(.accept(by: newcomer, code: right), own).state == .done)
    }
}

@Suite struct RequestEndingDecisionTests {
    @Test func anyConfirmerRefusingEndsIt() {
        let decision = decide(.refuse(by: newcomer, code: right), waiting(accepted: [admin: start]))
        #expect(decision.state == .refused && decision.decidedAt == start)
        #expect(decision.events == [.init(at: start, kind: .refused, actor: newcomer)])
        #expect(Set(decision.emails.map(\.recipient)) == [admin, tech, newcomer])
        #expect(decide(.refuse(by: tech, code: right), waiting()).refusal == .notAConfirmer)
        #expect(decide(.refuse(by: newcomer, code: wrong), waiting()).wrongCodeBy == newcomer)
    }

    @Test func onlyTheRequesterCancels() {
        #expect(decide(.cancel(by: newcomer), waiting()).refusal == .notTheRequester)
        #expect(decide(.cancel(by: tech), waiting()).refusal == .notTheRequester)
        let cancelled = decide(.cancel(by: admin), waiting())
        #expect(cancelled.state == .cancelled && cancelled.emails.count == 3)
        var closed = waiting()
        closed.state = .cancelled
        #expect(decide(.cancel(by: admin), closed).refusal == .notOpen(.cancelled))
        #expect(decide(.resend(by: admin), closed).refusal == .notOpen(.cancelled))
    }

    @Test func expiryWinsOverAnyLateActionAndIsWrittenOnce() {
        let late = decide(.accept(by: admin, code: right), waiting(), at: expiry)
        #expect(late.refusal == .notOpen(.expired) && late.state == .expired && late.decidedAt == expiry)
        #expect(late.events == [.init(at: expiry, kind: .expired, actor: nil)])
        #expect(Set(late.emails.map(\.recipient)) == [admin, tech, newcomer])
        #expect(decide(.expire, waiting(), at: expiry.addingTimeInterval(-1)).isEmpty)
        let read = decide(.expire, waiting(), at: expiry.addingTimeInterval(3600))
        #expect(read.state == .expired && read.refusal == nil && read.decidedAt == expiry)
        var expired = waiting()
        expired.state = .expired
        #expect(decide(.expire, expired, at: expiry.addingTimeInterval(3600)).isEmpty)
    }
}

@Suite struct RequestResendDecisionTests {
    @Test func theAskerResendsEveryAwaitedCodeAtOnce() {
        let decision = decide(.resend(by: admin), waiting(accepted: [admin: start]))
        #expect(decision.refusal == nil && decision.resent && decision.freshCodes == [newcomer])
        #expect(decision.emails == [.init(recipient: newcomer, kind: .code)])
        #expect(decision.events == [.init(at: start, kind: .resent, actor: admin)])
    }

    @Test func aConfirmerResendsOnlyItsOwnCode() {
        #expect(decide(.resend(by: newcomer), waiting()).freshCodes == [newcomer])
        #expect(decide(.resend(by: newcomer), waiting(accepted: [newcomer: start])).refusal == .alreadyAccepted)
    }

    @Test func theContactBeingReplacedOrAnOnlookerMayNot() {
        // Fresh codes void the confirmers' old ones: that would be a veto
        #expect(decide(.resend(by: tech), waiting()).refusal == .mayNotResend)
        let watching = waiting(holders: RoleHolders(administrative: stranger, technical: tech, billing: billing))
        #expect(decide(.resend(by: stranger), watching).refusal == .mayNotResend)
        #expect(decide(.resend(by: billing), waiting()).refusal == .notFound)
    }

    @Test func theNextResendWaitsAMinuteAndThereIsACap() {
        let last = start.addingTimeInterval(100)
        #expect(decide(.resend(by: admin), waiting(resends: 1, lastResentAt: last), at: last.addingTimeInterval(30)).refusal
            == .resendTooSoon(retryAfter: 30))
        #expect(decide(.resend(by: admin), waiting(resends: 1, lastResentAt: last), at: last.addingTimeInterval(60)).refusal == nil)
        let capped = waiting(resends: RequestPolicy.maximumResends, lastResentAt: start)
        #expect(decide(.resend(by: admin), capped, at: start.addingTimeInterval(3600)).refusal == .resendLimitReached)
        #expect(RequestPolicy.resendInterval == 60 && RequestPolicy.maximumResends == 5)
    }
}

@Suite struct RequestVisibilityTests {
    @Test func participantsAndTheCurrentAdministratorSeeARequest() {
        // The technical contact asked to hand its role on
        let facts = waiting(from: tech, requester: tech)
        for account in [tech, newcomer, admin] {
            #expect(facts.isVisible(to: account))
        }
        #expect(!facts.isVisible(to: billing))
        #expect(!facts.isVisible(to: stranger))
        #expect(facts.participants == [tech, newcomer])
    }
}

@Suite struct RequestCreationLimitTests {
    let plan = PlannedChange(roles: [.technical], from: tech, to: newcomer, requester: admin)

    func recent(hour: Int = 0, day: Int = 0, naming: Int = 0, oldest: Date = start) -> RecentRequests {
        RecentRequests(
            byAskerLastHour: .init(count: hour, oldest: hour > 0 ? oldest : nil),
            byAskerLastDay: .init(count: day, oldest: day > 0 ? oldest : nil),
            namingLastDay: [newcomer: .init(count: naming, oldest: naming > 0 ? oldest : nil)])
    }

    @Test func anAskerMakesFiftyAnHourAndTwoHundredADay() {
        let now = start.addingTimeInterval(600)
        #expect(ChangeRequestDecisions.creationLimit([plan], by: admin, recent: recent(hour: 49, day: 49), now: now) == nil)
        #expect(ChangeRequestDecisions.creationLimit([plan], by: admin, recent: recent(hour: 50, day: 50), now: now)
            == .tooManyRequests(retryAfter: 3000))
        #expect(ChangeRequestDecisions.creationLimit([plan, plan], by: admin, recent: recent(hour: 49, day: 49), now: now) != nil)
        #expect(ChangeRequestDecisions.creationLimit([plan], by: admin, recent: recent(hour: 10, day: 200), now: now)
            == .tooManyRequests(retryAfter: 24 * 3600 - 600))
    }

    @Test func oneAccountIsNamedInTwentyRequestsADayAtMost() {
        let now = start.addingTimeInterval(3600)
        #expect(ChangeRequestDecisions.creationLimit([plan], by: admin, recent: recent(naming: 19), now: now) == nil)
        #expect(ChangeRequestDecisions.creationLimit([plan], by: admin, recent: recent(naming: 20), now: now)
            == .tooManyForTarget(newcomer, retryAfter: 23 * 3600))
        // Taking a role back names the asker itself: only the asker's own limits apply
        let takeBack = PlannedChange(roles: [.technical], from: tech, to: admin, requester: admin)
        #expect(ChangeRequestDecisions.creationLimit([takeBack], by: admin, recent: recent(naming: 99), now: now) == nil)
    }
}
