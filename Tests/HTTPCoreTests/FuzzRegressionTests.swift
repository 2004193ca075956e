import HTTPCore
import Testing

/// Inputs the fuzzers (Fuzz/) found breaking a property, kept as plain tests.
/// Their raw reproducers are in Fuzz/Regressions/FuzzFormData/.
@Suite struct FormDataFuzzRegressionTests {
    /// A value of exactly `maximumFieldBytes` that a browser percent-encodes (every byte escaped,
    /// three times as long) is within the limit, and what the parser accepts re-parses from
    /// `encoded`. The pre-decoding bound on a part used to count one field, not a name and a value.
    @Test func aFullyEscapedValueAtTheLimitIsAccepted() throws {
        let value = String(repeating: "ł", count: FormData.maximumFieldBytes / 2)
        #expect(value.utf8.count == FormData.maximumFieldBytes)
        let form = try FormData(parsing: "comment=" + PercentDecoding.encode(value))
        #expect(form.value("comment") == value)

        let both = FormData(pairs: [(value, value)])
        #expect(try FormData(parsing: both.encoded) == both)
    }

    @Test func acceptedRawInputRoundTripsThroughEncoded() throws {
        let form = try FormData(parsing: "a=" + String(repeating: "!", count: FormData.maximumFieldBytes))
        #expect(try FormData(parsing: form.encoded) == form)
    }

    @Test func oneByteOverTheLimitStillFails() {
        let value = String(repeating: "ł", count: FormData.maximumFieldBytes / 2) + "x"
        #expect(throws: FormData.Failure.fieldTooLarge) { try FormData(parsing: "comment=" + PercentDecoding.encode(value)) }
        let part = String(repeating: "%21", count: FormData.maximumFieldBytes * 2 + 1)
        #expect(throws: FormData.Failure.fieldTooLarge) { try FormData(parsing: part) }
    }
}
