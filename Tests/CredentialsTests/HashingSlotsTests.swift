import Credentials
import Testing

@Suite struct HashingSlotsTests {
    @Test func attemptsBeyondTheSlotsAreRefusedWhileTheyAreHeld() {
        let slots = HashingSlots(count: 2, wait: 0)
        #expect(slots.acquire())
        #expect(slots.acquire())
        var ran = false
        #expect(slots.withSlot { ran = true } == nil)
        #expect(!ran, "a refused attempt never hashes")
        #expect(!slots.acquire())

        slots.release()
        #expect(slots.withSlot { 42 } == 42)
        #expect(slots.withSlot { 43 } == 43, "withSlot gives its slot back")
        slots.release()
    }

    @Test func aSlotIsGivenBackWhenTheWorkThrows() {
        struct Failure: Error {}
        let slots = HashingSlots(count: 1, wait: 0)
        #expect(throws: Failure.self) { _ = try slots.withSlot { () throws -> Int in throw Failure() } }
        #expect(slots.withSlot { true } == true)
    }

    @Test func atLeastOneSlot() {
        #expect(HashingSlots(count: 0, wait: -1).count == 1)
        #expect(HashingSlots(count: 0, wait: -1).wait == 0)
    }
}
