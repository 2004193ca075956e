import ContactsDomain
import Foundation
import Testing

@Suite struct DeliveryPolicyTests {
    let start = Date(timeIntervalSince1970: 1_750_000_000)

    @Test func anEmailIsGivenUpOnceItHasFailedForTheWholeLimit() {
        let limit = DeliveryPolicy.defaultGiveUpAfter
        #expect(!DeliveryPolicy.shouldGiveUp(firstFailureAt: start, now: start, giveUpAfter: limit))
        #expect(!DeliveryPolicy.shouldGiveUp(firstFailureAt: start, now: start.addingTimeInterval(limit - 1), giveUpAfter: limit))
        #expect(DeliveryPolicy.shouldGiveUp(firstFailureAt: start, now: start.addingTimeInterval(limit), giveUpAfter: limit))
        #expect(DeliveryPolicy.shouldGiveUp(firstFailureAt: start, now: start.addingTimeInterval(limit * 2), giveUpAfter: limit))
    }

    @Test func theDefaultIsThreeDays() {
        #expect(DeliveryPolicy.defaultGiveUpAfter == 259_200)
    }

    @Test func aLimitOfZeroGivesUpAtTheFirstFailure() {
        #expect(DeliveryPolicy.shouldGiveUp(firstFailureAt: start, now: start, giveUpAfter: 0))
        #expect(DeliveryPolicy.shouldGiveUp(firstFailureAt: start, now: start, giveUpAfter: -5))
    }

    @Test func aClockThatWentBackDoesNotGiveUp() {
        #expect(!DeliveryPolicy.shouldGiveUp(firstFailureAt: start, now: start.addingTimeInterval(-3_600), giveUpAfter: 60))
    }
}
