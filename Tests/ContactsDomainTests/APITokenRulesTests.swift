import ContactsDomain
import Foundation
import Testing

@Suite struct APITokenRulesTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func aTokenLivesNinetyDaysUnlessTheCustomerChoosesUpToAYear() throws {
        let standard = try APITokenRules.check(name: "  deploy script ", days: nil, usableTokens: 0, now: now).get()
        #expect(standard.name == "deploy script")
        #expect(standard.expiresAt == now.addingTimeInterval(90 * 86_400))
        let year = try APITokenRules.check(name: "x", days: 365, usableTokens: 19, now: now).get()
        #expect(year.expiresAt == now.addingTimeInterval(365 * 86_400))
    }

    @Test func badNamesLifetimesAndTooManyTokensAreRefused() {
        for name in ["", "   ", String(repeating: "a", count: 101), "a\u{202E}b", "a\nb"] {
            #expect(throws: APITokenRules.Problem.invalidName) { try APITokenRules.check(name: name, days: nil, usableTokens: 0, now: now).get() }
        }
        for days in [0, -1, 366] {
            #expect(throws: APITokenRules.Problem.invalidLifetime) { try APITokenRules.check(name: "x", days: days, usableTokens: 0, now: now).get() }
        }
        #expect(throws: APITokenRules.Problem.tooMany) { try APITokenRules.check(name: "x", days: nil, usableTokens: 20, now: now).get() }
    }

    @Test func aRevokedOrExpiredTokenOpensNothing() {
        let token = APITokenInfo(id: 1, name: "x", scope: .readOnly, createdAt: now, expiresAt: now.addingTimeInterval(60))
        #expect(token.isUsable(at: now))
        #expect(!token.isUsable(at: now.addingTimeInterval(60)))
        var revoked = token
        revoked.revokedAt = now
        #expect(!revoked.isUsable(at: now))
        #expect(!APITokenScope.readOnly.mayWrite && APITokenScope.readWrite.mayWrite)
    }

    @Test func lastUseIsWrittenAtMostOnceAMinute() {
        #expect(APITokenRules.shouldRecordUse(lastUsedAt: nil, now: now))
        #expect(!APITokenRules.shouldRecordUse(lastUsedAt: now.addingTimeInterval(-59), now: now))
        #expect(APITokenRules.shouldRecordUse(lastUsedAt: now.addingTimeInterval(-60), now: now))
    }
}
