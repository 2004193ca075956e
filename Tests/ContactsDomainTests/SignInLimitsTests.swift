import ContactsDomain
import Foundation
import Testing

@Suite struct SignInLimitsTests {
    let throttle = SignInThrottle()
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func tally(_ count: Int) -> SignInFacts.Tally {
        SignInFacts.Tally(count: count, latest: now)
    }

    @Test func theNumbers() {
        #expect(throttle.freeFailuresPerAccount == 5)
        #expect(throttle.freeFailuresPerAccountFromAllClients == 50)
        #expect(throttle.freeFailuresPerClient == 20)
        #expect(throttle.freeSuccessesPerAccount == 10)
        #expect(throttle.freeSuccessesPerClient == 50)
        #expect(throttle.window == 15 * 60)
        #expect(SessionLimit.standard.maximumPerAccount == 20)
    }

    @Test func failuresOfTheAccountFromThisAddressSlowItDown() {
        #expect(throttle.wait(SignInFacts(failuresOfAccountFromClient: tally(4)), now: now) == nil)
        #expect(throttle.wait(SignInFacts(failuresOfAccountFromClient: tally(5)), now: now)
            == SignInWait(seconds: 15, reason: .failures))
        #expect(throttle.wait(SignInFacts(failuresOfAccountFromClient: tally(6)), now: now)?.seconds == 30)
    }

    @Test func failuresFromElsewhereCountOnlyTowardsTheFarHigherAccountCap() {
        let elsewhere = SignInFacts(failuresOfAccount: tally(49))
        #expect(throttle.wait(elsewhere, now: now) == nil)
        let capped = SignInFacts(failuresOfAccount: tally(50))
        #expect(throttle.wait(capped, now: now) == SignInWait(seconds: 15, reason: .failures))
        var known = capped
        known.clientIsKnown = true
        #expect(throttle.wait(known, now: now) == nil, "the account's own address is not held back by the cap")
        known.failuresOfAccountFromClient = tally(5)
        #expect(throttle.wait(known, now: now) != nil, "but its own failures still count")
    }

    @Test func anAddressSharedByManyGetsMoreFreeFailures() {
        #expect(throttle.wait(SignInFacts(failuresFromClient: tally(19)), now: now) == nil)
        #expect(throttle.wait(SignInFacts(failuresFromClient: tally(20)), now: now) != nil)
    }

    @Test func successesAreThrottledPerAccountAndPerAddress() {
        #expect(throttle.wait(SignInFacts(successesOfAccount: tally(9)), now: now) == nil)
        #expect(throttle.wait(SignInFacts(successesOfAccount: tally(10)), now: now)
            == SignInWait(seconds: 15, reason: .successes))
        #expect(throttle.wait(SignInFacts(successesFromClient: tally(49)), now: now) == nil)
        #expect(throttle.wait(SignInFacts(successesFromClient: tally(50)), now: now)?.reason == .successes)
        var known = SignInFacts(successesOfAccount: tally(10))
        known.clientIsKnown = true
        #expect(throttle.wait(known, now: now) != nil, "a known address does not lift the success limit")
    }

    @Test func theLongestWaitDecidesAndSaysWhy() {
        let both = SignInFacts(failuresOfAccountFromClient: tally(7), successesOfAccount: tally(10))
        #expect(throttle.wait(both, now: now) == SignInWait(seconds: 60, reason: .failures))
        let mostlySuccesses = SignInFacts(failuresOfAccountFromClient: tally(5), successesOfAccount: tally(12))
        #expect(throttle.wait(mostlySuccesses, now: now) == SignInWait(seconds: 60, reason: .successes))
    }

    @Test func theWaitRunsOutWithTime() {
        let facts = SignInFacts(failuresOfAccountFromClient: SignInFacts.Tally(count: 5, latest: now.addingTimeInterval(-10)))
        #expect(throttle.wait(facts, now: now)?.seconds == 5)
        #expect(throttle.wait(facts, now: now.addingTimeInterval(5)) == nil)
    }

    @Test func theAccountFromAnAddressHasItsOwnKey() throws {
        let id = try CustomerID(parsing: "aa1-ovh")
        let keys = [
            SignInThrottle.Key.account(id), .client("10.0.0.1"), .accountFromClient(id, "10.0.0.1"),
        ].map(\.storageKey)
        #expect(Set(keys).count == 3)
        #expect(throttle.waitTime(for: .accountFromClient(id, "10.0.0.1"), failures: 5, latestFailure: now, now: now) == 15)
    }
}

@Suite struct SessionLimitTests {
    let start = Date(timeIntervalSince1970: 1_800_000_000)

    func sessions(_ count: Int) -> [SessionLimit.Session] {
        (0..<count).map { SessionLimit.Session(digest: "d\($0)", createdAt: start.addingTimeInterval(Double(count - $0))) }
    }

    @Test func belowTheLimitNothingEnds() {
        #expect(SessionLimit(maximumPerAccount: 20).sessionsToEnd(beforeAdding: sessions(19)).isEmpty)
        #expect(SessionLimit(maximumPerAccount: 20).sessionsToEnd(beforeAdding: []).isEmpty)
    }

    @Test func atTheLimitTheOldestEnds() {
        // sessions(n): "d0" is the newest, the last one the oldest.
        #expect(SessionLimit(maximumPerAccount: 20).sessionsToEnd(beforeAdding: sessions(20)) == ["d19"])
        #expect(SessionLimit(maximumPerAccount: 3).sessionsToEnd(beforeAdding: sessions(6)) == ["d5", "d4", "d3", "d2"])
    }

    @Test func tiesAreBrokenTheSameWayEverywhere() {
        let same = ["b", "a", "c"].map { SessionLimit.Session(digest: $0, createdAt: start) }
        #expect(SessionLimit(maximumPerAccount: 2).sessionsToEnd(beforeAdding: same) == ["a", "b"])
    }

    @Test func aLimitBelowOneMeansOne() {
        #expect(SessionLimit(maximumPerAccount: 0).maximumPerAccount == 1)
        #expect(SessionLimit(maximumPerAccount: 0).sessionsToEnd(beforeAdding: sessions(2)).count == 2)
    }
}
