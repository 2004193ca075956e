import ContactsDomain
import ContactsStore
import Credentials
import Foundation
import HTTPCore
import Synchronization
import Testing
@testable import WebApp

/// Sign-in under attack: bounded hashing, throttled successes, capped sessions, per-address
/// failure counting, and attempts counted before the password is checked.
@Suite struct SignInLimitsTests {
    @Test func attemptsFindingEveryHashingSlotHeldGetALocalized503AndPagesStillAnswer() throws {
        let test = try TestApp { $0.passwordHashingSlots = 2; $0.passwordSlotWait = 0 }
        try test.addAccount("aa123-ovh")
        let reader = test.browser()
        #expect(reader.signIn("aa123-ovh").status == .seeOther)

        // Two sign-ins are hashing (their slots held by the test).
        #expect(test.app.hashingSlots.acquire())
        #expect(test.app.hashingSlots.acquire())
        let busy = test.browser(from: "198.51.100.7")
        busy.acceptLanguage = "it"
        let refused = busy.signIn("aa123-ovh")
        #expect(refused.status == .serviceUnavailable)
        #expect(refused.header("Retry-After") == String(Application.busyRetryAfterSeconds))
        #expect(refused.bodyText.contains(test.app.text("signin_error_busy", .it)))
        #expect(refused.bodyText.contains("value=\"aa123-ovh\""), "the form comes back")
        #expect(busy.get("/contacts").status == .seeOther, "not signed in")
        // The password was never checked, so nothing counts against the account or the address.
        let key = SignInThrottle.Key.accountFromClient(CustomerID(trusted: "aa123-ovh"), "198.51.100.7").storageKey
        #expect(try test.database.signInFailures(key: key, since: .distantPast).count == 0)
        #expect(try test.database.signInFailures(key: "ip:198.51.100.7", since: .distantPast).count == 0)
        // Page requests need no slot.
        #expect(reader.get("/contacts").status == .ok)

        test.app.hashingSlots.release()
        #expect(busy.signIn("aa123-ovh").status == .seeOther)
        test.app.hashingSlots.release()
    }

    @Test func successfulSignInsAreThrottledPerAccount() throws {
        let test = try TestApp()
        try test.addAccount("aa123-ovh")
        let free = SignInThrottle().freeSuccessesPerAccount
        for index in 0..<free {
            #expect(test.browser(from: "198.51.100.\(index)").signIn("aa123-ovh").status == .seeOther)
        }
        let browser = test.browser(from: "203.0.113.1")
        let throttled = browser.signIn("aa123-ovh")
        #expect(throttled.status == .tooManyRequests)
        #expect(throttled.header("Retry-After") == "15")
        #expect(throttled.bodyText.contains(test.app.catalog.plural("signin_error_too_many_sign_ins", count: 15, .pl).htmlEscaped))
        #expect(try test.database.signInSuccesses(of: CustomerID(trusted: "aa123-ovh"), since: .distantPast) == free)
        test.clock.advance(by: 15)
        #expect(browser.signIn("aa123-ovh").status == .seeOther)
    }

    @Test func successfulSignInsAreThrottledPerClientAddress() throws {
        let test = try TestApp { $0.signInThrottle.freeSuccessesPerClient = 3 }
        for index in 0..<4 { try test.addAccount("aa\(index)-ovh") }
        for index in 0..<3 {
            #expect(test.browser().signIn("aa\(index)-ovh").status == .seeOther)
        }
        #expect(test.browser().signIn("aa3-ovh").status == .tooManyRequests)
        #expect(test.browser(from: "198.51.100.1").signIn("aa3-ovh").status == .seeOther)
    }

    @Test func aNewSessionBeyondTheLimitEndsTheOldest() throws {
        let test = try TestApp { $0.sessionLimit = SessionLimit(maximumPerAccount: 3) }
        try test.addAccount("aa123-ovh")
        var browsers: [Browser] = []
        for _ in 0..<4 {
            let browser = test.browser()
            #expect(browser.signIn("aa123-ovh").status == .seeOther)
            browsers.append(browser)
            test.clock.advance(by: 1)
        }
        #expect(browsers[0].get("/contacts").status == .seeOther, "the oldest session ended")
        for browser in browsers.dropFirst() {
            #expect(browser.get("/contacts").status == .ok)
        }
    }

    @Test func guessesFromElsewhereDoNotLockTheOwnerOut() throws {
        let test = try TestApp()
        try test.addAccount("aa123-ovh")
        let attacker = test.browser(from: "203.0.113.66")
        for _ in 0..<SignInThrottle().freeFailuresPerAccount {
            #expect(attacker.signIn("aa123-ovh", password: "guess").status == .unprocessableContent)
        }
        #expect(attacker.signIn("aa123-ovh", password: "guess").status == .tooManyRequests)
        // The right password does not help the attacker's address...
        #expect(attacker.signIn("aa123-ovh").status == .tooManyRequests)
        // ...while the owner, at its own address, signs in.
        #expect(test.browser(from: "198.51.100.20").signIn("aa123-ovh").status == .seeOther)
    }

    @Test func aGuesserSpreadOverManyAddressesHitsTheAccountCapButNotTheOwnersKnownAddress() throws {
        let test = try TestApp { $0.signInThrottle.freeFailuresPerAccountFromAllClients = 6 }
        try test.addAccount("aa123-ovh")
        // The owner signed in from home yesterday.
        #expect(test.browser(from: "198.51.100.20").signIn("aa123-ovh").status == .seeOther)
        test.clock.advance(by: 86_400)
        for index in 0..<6 {
            #expect(test.browser(from: "203.0.113.\(index)").signIn("aa123-ovh", password: "guess").status == .unprocessableContent)
        }
        // A seventh address is held back, even with the right password (it may be a lucky guess).
        #expect(test.browser(from: "203.0.113.200").signIn("aa123-ovh").status == .tooManyRequests)
        // The owner's known address is not.
        #expect(test.browser(from: "198.51.100.20").signIn("aa123-ovh").status == .seeOther)
    }

    @Test func concurrentWrongPasswordsAreCheckedOnlyUpToTheFreeNumber() throws {
        let test = try TestApp { $0.passwordHashingSlots = 16; $0.passwordSlotWait = 60 }
        try test.addAccount("aa123-ovh")
        let threads = 16
        let statuses = Mutex<[HTTPStatus]>([])
        DispatchQueue.concurrentPerform(iterations: threads) { _ in
            let response = test.browser(from: "203.0.113.5").signIn("aa123-ovh", password: "guess")
            statuses.withLock { $0.append(response.status) }
        }
        let all = statuses.withLock { $0 }
        let free = SignInThrottle().freeFailuresPerAccount
        #expect(all.filter { $0 == .unprocessableContent }.count == free, "\(all)")
        #expect(all.filter { $0 == .tooManyRequests }.count == threads - free, "\(all)")
        #expect(try test.database.signInFailures(key: "id:aa123-ovh", since: .distantPast).count == free)
    }
}
