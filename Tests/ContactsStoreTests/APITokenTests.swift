import ContactsDomain
import Credentials
import Foundation
import GRDB
import Testing
@testable import ContactsStore

@Suite struct APITokenTests {
    let day: TimeInterval = 24 * 60 * 60

    @discardableResult
    private func create(_ db: AppDatabase, _ account: String = "aa1-ovh", name: String = "backup script",
                        scope: APITokenScope = .readWrite, days: Int? = nil, token: String = APITokenSecret.generate(),
                        at time: Date = now) throws -> APITokenInfo {
        try db.createAPIToken(for: cid(account), name: name, scope: scope, days: days, digest: Secret.digest(token), now: time)
    }

    @Test func aCreatedTokenOpensItsAccountWithItsScope() throws {
        let db = try AppDatabase.temporary()
        try db.given(accounts: "aa1-ovh")
        let token = APITokenSecret.generate()
        let info = try create(db, name: "  nightly sync ", scope: .readOnly, days: 30, token: token)
        #expect(info.name == "nightly sync")
        #expect(info.expiresAt == now.addingTimeInterval(30 * day))
        #expect(try db.apiTokens(of: cid("aa1-ovh")) == [info])
        let access = try db.apiTokenAccess(digest: Secret.digest(token), now: now)
        #expect(access == APITokenAccess(tokenID: info.id, account: cid("aa1-ovh"), scope: .readOnly, lastUsedAt: nil))
        #expect(try db.apiTokenAccess(digest: Secret.digest(APITokenSecret.generate()), now: now) == nil)
    }

    @Test func theCountOfUsableTokensIsLimited() throws {
        let db = try AppDatabase.temporary()
        try db.given(accounts: "aa1-ovh", "bb2-ovh")
        for index in 0..<APITokenRules.maximumPerAccount {
            try create(db, name: "token \(index)")
        }
        #expect(throws: APITokenRules.Problem.tooMany) { try create(db, name: "one more") }
        // Another account has its own count
        try create(db, "bb2-ovh")
        // A revoked token no longer counts
        let first = try db.apiTokens(of: cid("aa1-ovh")).last!
        #expect(try db.revokeAPIToken(first.id, of: cid("aa1-ovh"), now: now))
        try create(db, name: "replacement")
        #expect(try db.apiTokens(of: cid("aa1-ovh")).count == APITokenRules.maximumPerAccount)
    }

    @Test func badNamesAndLifetimesStoreNothing() throws {
        let db = try AppDatabase.temporary()
        try db.given(accounts: "aa1-ovh")
        #expect(throws: APITokenRules.Problem.invalidName) { try create(db, name: "   ") }
        #expect(throws: APITokenRules.Problem.invalidLifetime) { try create(db, days: 0) }
        #expect(throws: APITokenRules.Problem.invalidLifetime) { try create(db, days: APITokenRules.maximumDays + 1) }
        #expect(throws: StoreError.unknownAccount) { try create(db, "zz9-ovh") }
        #expect(try db.apiTokens(of: cid("aa1-ovh")).isEmpty)
    }

    @Test func onlyTheOwnerRevokesAndARevokedTokenOpensNothing() throws {
        let db = try AppDatabase.temporary()
        try db.given(accounts: "aa1-ovh", "bb2-ovh")
        let token = APITokenSecret.generate()
        let info = try create(db, token: token)
        // Another account cannot revoke it
        #expect(try db.revokeAPIToken(info.id, of: cid("bb2-ovh"), now: now) == false)
        #expect(try db.apiTokenAccess(digest: Secret.digest(token), now: now) != nil)
        // Its owner can, once
        #expect(try db.revokeAPIToken(info.id, of: cid("aa1-ovh"), now: now))
        #expect(try db.revokeAPIToken(info.id, of: cid("aa1-ovh"), now: now) == false)
        #expect(try db.apiTokenAccess(digest: Secret.digest(token), now: now) == nil)
        #expect(try db.apiTokens(of: cid("aa1-ovh")).isEmpty)
    }

    @Test func anExpiredTokenOpensNothingButIsListed() throws {
        let db = try AppDatabase.temporary()
        try db.given(accounts: "aa1-ovh")
        let token = APITokenSecret.generate()
        let info = try create(db, days: 1, token: token)
        #expect(try db.apiTokenAccess(digest: Secret.digest(token), now: info.expiresAt.addingTimeInterval(-1)) != nil)
        #expect(try db.apiTokenAccess(digest: Secret.digest(token), now: info.expiresAt) == nil)
        #expect(try db.apiTokens(of: cid("aa1-ovh")).map(\.id) == [info.id])
        // Nor does it count towards the limit
        for index in 0..<APITokenRules.maximumPerAccount {
            try create(db, name: "token \(index)", at: info.expiresAt)
        }
    }

    @Test func useIsRecordedAtMostOnceAMinute() throws {
        let db = try AppDatabase.temporary()
        try db.given(accounts: "aa1-ovh")
        let token = APITokenSecret.generate()
        try create(db, token: token)
        func lastUse(at time: Date) throws -> Date? {
            let access = try #require(try db.apiTokenAccess(digest: Secret.digest(token), now: time))
            try db.recordAPITokenUse(access, now: time)
            return try db.apiTokens(of: cid("aa1-ovh"))[0].lastUsedAt
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

    @Test func deletingTheAccountDeletesItsTokens() throws {
        let db = try AppDatabase.temporary()
        try db.given(accounts: "aa1-ovh")
        try create(db)
        try db.dbPool.write { try $0.execute(sql: "DELETE FROM account WHERE id = 'aa1-ovh'") }
        #expect(try db.dbPool.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM api_token") } == 0)
    }
}
