import ContactsDomain
import Foundation
import GRDB
import Testing
@testable import ContactsStore

@Suite struct AccountTests {
    @Test(arguments: StoreEngineKind.allCases)
    func createdAccountReadsBack(_ kind: StoreEngineKind) throws {
        // Given an empty database
        guard let store = try kind.makeStore() else { return }
        let db = store.engine
        let account = makeAccount("pl100001-ovh", name: "Łucja Wiśniewska", language: .pl, payment: .upToDate)
        // When creating an account
        try db.createAccount(account, passwordHash: someHash, now: now)
        // Then it reads back whole, with its password hash
        #expect(try db.account(cid("pl100001-ovh")) == account)
        #expect(try db.passwordHash(for: cid("pl100001-ovh")) == someHash)
    }

    @Test(arguments: StoreEngineKind.allCases)
    func unknownAccountReadsAsNil(_ kind: StoreEngineKind) throws {
        guard let store = try kind.makeStore() else { return }
        let db = store.engine
        #expect(try db.account(cid("zz9-ovh")) == nil)
        #expect(try db.passwordHash(for: cid("zz9-ovh")) == nil)
    }

    @Test func customerIDsAreStoredLowerCase() throws {
        // Given an ID typed in upper case with spaces around it
        let db = try AppDatabase.temporary()
        let account = makeAccount("  AB123-OVH ")
        // When the account is created
        try db.createAccount(account, passwordHash: someHash, now: now)
        // Then the stored key is lower-case and any spelling finds it
        let stored = try db.dbPool.read { try String.fetchAll($0, sql: "SELECT id FROM account") }
        #expect(stored == ["ab123-ovh"])
        #expect(try db.account(cid("Ab123-Ovh"))?.id.rawValue == "ab123-ovh")
    }

    @Test(arguments: StoreEngineKind.allCases)
    func schemaRefusesIDsThatAreNotCanonical(_ kind: StoreEngineKind) throws {
        guard let store = try kind.makeStore() else { return }
        let db = store.engine
        for raw in ["AB123-ovh", "ab-ovh", "ab12x-ovh", "a1-ovh", "ab1-OVH", "ab1"] {
            let account = Account(
                id: CustomerID(trusted: raw), displayName: "X", email: EmailAddress(trusted: "x@example.com"),
                language: .it, paymentStatus: .upToDate)
            // A CHECK constraint of either engine refuses it.
            #expect("\(raw)") {
                try db.createAccount(account, passwordHash: someHash, now: now)
            } throws: { error in
                (error as? DatabaseError)?.extendedResultCode == .SQLITE_CONSTRAINT_CHECK
                    || (error as? PostgresError)?.sqlState == "23514"
            }
        }
    }

    @Test(arguments: StoreEngineKind.allCases)
    func duplicateAccountIsRefused(_ kind: StoreEngineKind) throws {
        // Given an account
        guard let store = try kind.makeStore() else { return }
        let db = store.engine
        try db.given(accounts: "pl100001-ovh")
        // When creating it again, under another spelling
        // Then the store refuses, and the first one is untouched
        #expect(throws: StoreError.duplicateAccount) {
            try db.createAccount(makeAccount("PL100001-OVH", name: "Other"), passwordHash: "x", now: now)
        }
        #expect(try db.account(cid("pl100001-ovh"))?.displayName == "Owner of pl100001-ovh")
    }

    @Test(arguments: StoreEngineKind.allCases)
    func createAccountsIsAllOrNothing(_ kind: StoreEngineKind) throws {
        guard let store = try kind.makeStore() else { return }
        let db = store.engine
        try db.given(accounts: "aa2-ovh")
        #expect(throws: StoreError.duplicateAccount) {
            try db.createAccounts([(makeAccount("aa1-ovh"), someHash), (makeAccount("aa2-ovh"), someHash)], now: now)
        }
        #expect(try db.account(cid("aa1-ovh")) == nil)
    }

    @Test(arguments: StoreEngineKind.allCases)
    func invalidDisplayNamesAreRefused(_ kind: StoreEngineKind) throws {
        guard let store = try kind.makeStore() else { return }
        let db = store.engine
        // The Mailer would refuse the separators and bidi controls in a greeting or subject: the
        // store refuses them first, so no email is left queued forever.
        for name in ["", " padded", "line\nbreak", String(repeating: "x", count: 201), "Anna\u{2028}Nowak",
                     "Anna\u{2029}Nowak", "Anna \u{202E}kawoN", "Anna\u{2066}Nowak\u{2069}", "Anna\u{200B}Nowak"] {
            #expect(throws: StoreError.invalidDisplayName) {
                try db.createAccount(makeAccount("aa1-ovh", name: name), passwordHash: someHash, now: now)
            }
        }
    }

    @Test(arguments: StoreEngineKind.allCases)
    func passwordHashCanBeReplaced(_ kind: StoreEngineKind) throws {
        // Given an account with a session
        guard let store = try kind.makeStore() else { return }
        let db = store.engine
        try db.given(accounts: "aa1-ovh")
        let digest = String(repeating: "a", count: 64)
        try db.createSession(digest: digest, account: cid("aa1-ovh"), now: now)
        // When its password hash is replaced
        try db.setPasswordHash("new-hash", for: cid("aa1-ovh"))
        // Then the new one is stored and the old sessions are gone
        #expect(try db.passwordHash(for: cid("aa1-ovh")) == "new-hash")
        #expect(try db.session(digest: digest) == nil)
    }

    @Test(arguments: StoreEngineKind.allCases)
    func updatesOfUnknownAccountsAreRefused(_ kind: StoreEngineKind) throws {
        guard let store = try kind.makeStore() else { return }
        let db = store.engine
        let ghost = cid("zz9-ovh")
        #expect(throws: StoreError.unknownAccount) { try db.setPasswordHash("h", for: ghost) }
        #expect(throws: StoreError.unknownAccount) { try db.setPaymentStatus(.overdue, for: ghost) }
        #expect(throws: StoreError.unknownAccount) { try db.setPreferences(AccountPreferences(language: .pt, timeZone: nil), for: ghost) }
    }

    @Test(arguments: StoreEngineKind.allCases)
    func paymentStatusAndProfileChange(_ kind: StoreEngineKind) throws {
        // Given an up-to-date Polish account
        guard let store = try kind.makeStore() else { return }
        let db = store.engine
        try db.given(accounts: "aa1-ovh")
        // When an operator marks it overdue and the customer edits the profile
        try db.setPaymentStatus(.overdue, for: cid("aa1-ovh"))
        try db.setPreferences(AccountPreferences(language: .pt, timeZone: "Atlantic/Madeira"), for: cid("aa1-ovh"))
        // Then both changes are stored, and nothing else moved (the address only changes
        // through a confirmed email change)
        let account = try #require(try db.account(cid("aa1-ovh")))
        #expect(account.paymentStatus == .overdue)
        #expect(account.email.rawValue == "aa1-ovh@example.com")
        #expect(account.language == .pt)
        #expect(account.timeZone == "Atlantic/Madeira")
        #expect(account.displayName == "Owner of aa1-ovh")
    }

    @Test(arguments: StoreEngineKind.allCases)
    func accountsLookUpSeveralAtOnce(_ kind: StoreEngineKind) throws {
        guard let store = try kind.makeStore() else { return }
        let db = store.engine
        try db.given(accounts: "aa1-ovh", "bb2-ovh")
        let found = try db.accounts([cid("aa1-ovh"), cid("bb2-ovh"), cid("cc3-ovh")])
        #expect(Set(found.keys) == [cid("aa1-ovh"), cid("bb2-ovh")])
    }
}
