import ContactsDomain
import Foundation
import Testing

@Suite struct CustomerIDTests {
    @Test(arguments: [
        ("aa123456-ovh", "aa123456-ovh"),
        ("AA123456-OVH", "aa123456-ovh"),
        ("  Xy1-Ovh \t", "xy1-ovh"),
        ("\nzz0-ovh\r\n", "zz0-ovh"),
    ])
    func acceptsAnyCaseAndSurroundingSpaces(input: String, stored: String) throws {
        #expect(try CustomerID(parsing: input).rawValue == stored)
    }

    @Test(arguments: [
        "a123-ovh",          // one letter
        "abc123-ovh",        // three letters
        "aa-ovh",            // no digits
        "aa12a3-ovh",        // letter among digits
        "aa123-ovx",         // wrong suffix
        "aa123ovh",          // no dash
        "aa 123-ovh",        // inner space
        "аa123-ovh",         // Cyrillic a look-alike
        "aa123\u{200B}-ovh", // zero-width space
        "\u{202E}aa123-ovh", // right-to-left override
        "aa１２３-ovh",       // full-width digits
        "aa123-ovh\u{00A0}", // non-breaking space is not trimmed
        "12aa-ovh",
    ])
    func rejectsMalformedIDs(_ input: String) {
        #expect(throws: CustomerIDError.malformed) { try CustomerID(parsing: input) }
    }

    @Test func rejectsEmptyAndTooLong() {
        #expect(throws: CustomerIDError.empty) { try CustomerID(parsing: "   ") }
        #expect(throws: CustomerIDError.empty) { try CustomerID(parsing: "") }
        let long = "aa" + String(repeating: "1", count: CustomerID.maximumLength) + "-ovh"
        #expect(throws: CustomerIDError.tooLong) { try CustomerID(parsing: long) }
    }
}

@Suite struct EmailAddressTests {
    @Test(arguments: ["jan@example.pl", "  a.b+c@mail.example.com ", "x@y.it"])
    func acceptsOrdinaryAddresses(_ input: String) throws {
        #expect(try EmailAddress(parsing: input).rawValue == input.trimmingCharacters(in: .whitespaces))
    }

    @Test(arguments: [
        "no-at-sign", "two@@example.com", "@example.com", "a@localhost", "a@-bad.com", "a@bad-.com",
        "a b@example.com", "a@example.com\r\nBcc: x@evil.com", "<a@example.com>",
        "zażółć@example.pl", "a@exa mple.com", "a@example..com",
    ])
    func rejectsMalformedOrHeaderInjecting(_ input: String) {
        #expect(throws: (any Error).self) { try EmailAddress(parsing: input) }
    }

    @Test func rejectsEmptyAndTooLong() {
        #expect(throws: EmailAddressError.empty) { try EmailAddress(parsing: " ") }
        let long = String(repeating: "a", count: 60) + "@" + String(repeating: "b", count: 200) + ".com"
        #expect(throws: EmailAddressError.tooLong) { try EmailAddress(parsing: long) }
    }
}

@Suite struct SignInThrottleTests {
    let throttle = SignInThrottle()
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let id = try! CustomerID(parsing: "aa1-ovh")

    @Test func theFirstFailuresAreFree() {
        for failures in 0..<throttle.freeFailuresPerAccount {
            #expect(throttle.waitTime(for: .account(id), failures: failures, latestFailure: now, now: now) == nil)
        }
    }

    @Test func thenEachFailureDoublesTheWait() {
        let free = throttle.freeFailuresPerAccount
        #expect(throttle.waitTime(for: .account(id), failures: free, latestFailure: now, now: now) == 15)
        #expect(throttle.waitTime(for: .account(id), failures: free + 1, latestFailure: now, now: now) == 30)
        #expect(throttle.waitTime(for: .account(id), failures: free + 2, latestFailure: now, now: now) == 60)
        #expect(throttle.waitTime(for: .account(id), failures: free + 40, latestFailure: now, now: now) == throttle.maximumDelay)
    }

    @Test func theWaitRunsFromTheLatestFailure() {
        let free = throttle.freeFailuresPerAccount
        let tenSecondsAgo = now.addingTimeInterval(-10)
        #expect(throttle.waitTime(for: .account(id), failures: free, latestFailure: tenSecondsAgo, now: now) == 5)
        #expect(throttle.waitTime(for: .account(id), failures: free, latestFailure: now.addingTimeInterval(-15), now: now) == nil)
    }

    @Test func aClientAddressGetsMoreFreeFailuresThanAnAccount() {
        let failures = throttle.freeFailuresPerAccount
        #expect(throttle.waitTime(for: .client("10.0.0.1"), failures: failures, latestFailure: now, now: now) == nil)
        #expect(throttle.waitTime(for: .client("10.0.0.1"), failures: throttle.freeFailuresPerClient, latestFailure: now, now: now) != nil)
        #expect(SignInThrottle.Key.client("10.0.0.1").storageKey != SignInThrottle.Key.account(id).storageKey)
    }
}

@Suite struct AccountTimeZoneTests {
    @Test func anAccountReadsTimesInItsLanguagesZoneUnlessItChoseAnother() {
        func account(_ language: Language, _ zone: String? = nil) -> Account {
            Account(id: CustomerID(trusted: "aa1-ovh"), displayName: "A", email: EmailAddress(trusted: "a@example.com"),
                    language: language, paymentStatus: .upToDate, timeZone: zone)
        }
        #expect(account(.pl).timeZone == "Europe/Warsaw")
        #expect(account(.pt).timeZone == "Europe/Lisbon")
        #expect(account(.it).timeZone == "Europe/Rome")
        #expect(account(.pl, "Atlantic/Azores").timeZone == "Atlantic/Azores")
    }

    @Test func onlyKnownZonesMayBeChosen() {
        for zone in ["Europe/Warsaw", "Atlantic/Madeira", "America/Sao_Paulo", "Europe/Lisbon"] {
            #expect(TimeZoneChoice.isValid(zone), "\(zone)")
        }
        for zone in ["", "Europe/Atlantis", "GMT+1 ", "../etc/passwd", String(repeating: "A", count: 100), "europe/warsaw"] {
            #expect(!TimeZoneChoice.isValid(zone), "\(zone)")
        }
    }
}
