import ContactsDomain
import Credentials
import Foundation
import GRDB
import Testing
@testable import ContactsStore

@Suite struct APITokenTests {
    let day: TimeInterval = 24 * 60 * 60

    @discardableResult
    private func create(_ engine: any StoreEngine, _ account: String = "aa1-ovh", name: String = "backup script",
                        scope: APITokenScope = .readWrite, days: Int? = nil, token: String = APITokenSecret.generate(),
                        at time: Date = now) throws -> APITokenInfo {
        try engine.createAPIToken(for: cid(account), name: name, scope: scope, days: days, digest: Secret.digest(token), now: time)
    }

    @Test(arguments: StoreEngineKind.allCases)
    func aCreatedTokenOpensItsAccountWithItsScope(_ kind: StoreEngineKind) throws {
        guard let store = try kind.makeStore() else { return }
        try store.engine.given(accounts: "aa1-ovh")
        let token = APITokenSecret.generate()
        let info = try create(store.engine, name: "  nightly sync ", scope: .readOnly, days: 30, token: token)
        #expect(info.name == "nightly sync")
        #expect(info.expiresAt == now.addingTimeInterval(30 * day))
        #expect(try store.engine.apiTokens(of: cid("aa1-ovh")) == [info])
        let access = try store.engine.apiTokenAccess(digest: Secret.digest(token), now: now)
        #expect(access == APITokenAccess(tokenID: info.id, account: cid("aa1-ovh"), scope: .readOnly, lastUsedAt: nil))
        #expect(try store.engine.apiTokenAccess(digest: Secret.digest(APITokenSecret.generate()), now: now) == nil)
    }

    @Test(arguments: StoreEngineKind.allCases)
    func theCountOfUsableTokensIsLimited(_ kind: StoreEngineKind) throws {
        guard let store = try kind.makeStore() else { return }
        try store.engine.given(accounts: "aa1-ovh", "bb2-ovh")
        for index in 0..<APITokenRules.maximumPerAccount {
            try create(store.engine, name: "token \(index)")
        }
        #expect(throws: APITokenRules.Problem.tooMany) { try create(store.engine, name: "one more") }
        // Another account has its own count
        try create(store.engine, "bb2-ovh")
        // A revoked token no longer counts
        let first = try store.engine.apiTokens(of: cid("aa1-ovh")).last!
        #expect(try store.engine.revokeAPIToken(first.id, of: cid("aa1-ovh"), now: now))
        try create(store.engine, name: "replacement")
        #expect(try store.engine.apiTokens(of: cid("aa1-ovh")).count == APITokenRules.maximumPerAccount)
    }

    @Test(arguments: StoreEngineKind.allCases)
    func badNamesAndLifetimesStoreNothing(_ kind: StoreEngineKind) throws {
        guard let store = try kind.makeStore() else { return }
        try store.engine.given(accounts: "aa1-ovh")
        #expect(throws: APITokenRules.Problem.invalidName) { try create(store.engine, name: "   ") }
        #expect(throws: APITokenRules.Problem.invalidLifetime) { try create(store.engine, days: 0) }
        #expect(throws: APITokenRules.Problem.invalidLifetime) { try create(store.engine, days: APITokenRules.maximumDays + 1) }
        #expect(throws: StoreError.unknownAccount) { try create(store.engine, "zz9-ovh") }
        #expect(try store.engine.apiTokens(of: cid("aa1-ovh")).isEmpty)
    }

    @Test(arguments: StoreEngineKind.allCases)
    func onlyTheOwnerRevokesAndARevokedTokenOpensNothing(_ kind: StoreEngineKind) throws {
        guard let store = try kind.makeStore() else { return }
        try store.engine.given(accounts: "aa1-ovh", "bb2-ovh")
        let token = APITokenSecret.generate()
        let info = try create(store.engine, token: token)
        // Another account cannot revoke it
        #expect(try store.engine.revokeAPIToken(info.id, of: cid("bb2-ovh"), now: now) == false)
        #expect(try store.engine.apiTokenAccess(digest: Secret.digest(token), now: now) != nil)
        // Its owner can, once
        #expect(try store.engine.revokeAPIToken(info.id, of: cid("aa1-ovh"), now: now))
        #expect(try store.engine.revokeAPIToken(info.id, of: cid("aa1-ovh"), now: now) == false)
        #expect(try store.engine.apiTokenAccess(digest: Secret.digest(token), now: now) == nil)
        #expect(try store.engine.apiTokens(of: cid("aa1-ovh")).isEmpty)
    }

    @Test(arguments: StoreEngineKind.allCases)
    func anExpiredTokenOpensNothingButIsListed(_ kind: StoreEngineKind) throws {
        guard let store = try kind.makeStore() else { return }
        try store.engine.given(accounts: "aa1-ovh")
        let token = APITokenSecret.generate()
        let info = try create(store.engine, days: 1, token: token)
        #expect(try store.engine.apiTokenAccess(digest: Secret.digest(token), now: info.expiresAt.addingTimeInterval(-1)) != nil)
        #expect(try store.engine.apiTokenAccess(digest: Secret.digest(token), now: info.expiresAt) == nil)
        #expect(try store.engine.apiTokens(of: cid("aa1-ovh")).map(\.id) == [info.id])
        // Nor does it count towards the limit
        for index in 0..<APITokenRules.maximumPerAccount {
            try create(store.engine, name: "token \(index)", at: info.expiresAt)
        }
    }

    @Test(arguments: StoreEngineKind.allCases)
    func useIsRecordedAtMostOnceAMinute(_ kind: StoreEngineKind) throws {
        guard let store = try kind.makeStore() else { return }
        try store.engine.given(accounts: "aa1-ovh")
        let token = APITokenSecret.generate()
        try create(store.engine, token: token)
        func lastUse(at time: Date) throws -> Date? {
            let access = try #require(try store.engine.apiTokenAccess(digest: Secret.digest(token), now: time))
            try store.engine.recordAPITokenUse(access, now: time)
            return try store.engine.apiTokens(of: cid("aa1-ovh"))[0].lastUsedAt
        }
        #expect(try lastUse(at: now) == now)
        #expect(try lastUse(at: now.addingTimeInterval(59)) == now)
        #expect(try lastUse(at: now.addingTimeInterval(60)) == now.addingTimeInterval(60))
    }

    @Test func theTokenTextIsNowhereInTheDatabaseFiles() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("contacts-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let token = APITokenSecret.generate()
        do {
            let db = try AppDatabase(path: directory.appendingPathComponent("contacts.sqlite").path)
            try db.given(accounts: "aa1-ovh")
            try create(db, token: token)
            #expect(try db.dbPool.read { try String.fetchAll($0, sql: "SELECT digest FROM api_token") } == [Secret.digest(token)])
        }
        // Neither the token nor its secret part, in the database, its log or anything beside them
        let secretPart = Data(token.dropFirst(APITokenSecret.prefix.count).utf8)
        for file in try FileManager.default.contentsOfDirectory(atPath: directory.path) {
            let bytes = try Data(contentsOf: directory.appendingPathComponent(file))
            #expect(bytes.range(of: secretPart) == nil, "\(file)")
        }
    }

    @Test(arguments: StoreEngineKind.allCases)
    func deletingTheAccountDeletesItsTokens(_ kind: StoreEngineKind) throws {
        guard let store = try kind.makeStore() else { return }
        try store.engine.given(accounts: "aa1-ovh")
        try create(store.engine)
        try store.execute("DELETE FROM account WHERE id = 'aa1-ovh'")
        #expect(try store.rows("SELECT count(*) AS n FROM api_token") == [["n": "0"]])
    }
}
