import ContactsDomain
import CoreMetrics
import Credentials
import Foundation

/// The named operations both engines provide, ``AppDatabase`` (SQLite) and ``PostgresStore``:
/// what callers and the conformance tests use when the engine does not matter. Operations join
/// it as the PostgreSQL engine gains them; the rest are ``AppDatabase``'s alone for now.
public protocol StoreEngine: Sendable {
    /// The same database with the request emails written by `emails` and its transactions
    /// timed by `metrics`: how the web application hands both to a store opened before it.
    func with(
        emails: any RequestEmailComposer, codes: @escaping @Sendable () -> String, metrics: (any MetricsFactory)?
    ) -> Self
    func appliedMigrations() throws -> [String]
    func createAccounts(_ accounts: [(account: Account, passwordHash: String)], now: Date) throws
    func account(_ id: CustomerID) throws -> Account?
    func accounts(_ ids: some Collection<CustomerID>) throws -> [CustomerID: Account]
    func passwordHash(for id: CustomerID) throws -> String?
    func setPasswordHash(_ hash: String, for id: CustomerID) throws
    func setPaymentStatus(_ status: PaymentStatus, for id: CustomerID) throws
    func setPreferences(_ preferences: AccountPreferences, for id: CustomerID) throws
    func recentLookups(by account: CustomerID, since: Date) throws -> (count: Int, latest: Date?)
    func recordLookup(by account: CustomerID, at: Date) throws
    @discardableResult
    func requestEmailChange(
        _ account: CustomerID, to newAddress: EmailAddress, tokenDigest: String,
        lifetime: TimeInterval, now: Date, preferences: AccountPreferences?, emails: [OutgoingEmail]
    ) throws -> EmailChange
    func pendingEmailChange(of account: CustomerID, now: Date) throws -> EmailChange?
    func emailChange(tokenDigest: String, account: CustomerID) throws -> EmailChange?
    @discardableResult
    func confirmEmailChange(tokenDigest: String, account: CustomerID, now: Date, emails: [OutgoingEmail]) throws -> EmailChange
    @discardableResult
    func cancelEmailChange(of account: CustomerID, now: Date) throws -> Bool
    func emailAddresses(of account: CustomerID, inForceFrom start: Date, to end: Date) throws -> [EmailAddress]
    func emailHistory(of account: CustomerID) throws -> [EmailAddressPeriod]
    @discardableResult
    func addServices(_ services: [NewService]) throws -> [Int64]
    @discardableResult
    func bulkInsert(accounts: [(account: Account, passwordHash: String)], services: [NewService], now: Date) throws -> [Int64]
    func pendingEmails(now: Date, limit: Int) throws -> [PendingEmail]
    func markDelivered(emailID: Int64, now: Date) throws
    func markDeliveryFailed(emailID: Int64, error: String, now: Date) throws
    func recordDeliveryFailure(emailID: Int64, error: String, now: Date, giveUpAfter: TimeInterval) throws -> Bool
    func outboxCounts() throws -> (pending: Int, delivered: Int)
    func outboxSummary() throws -> OutboxSummary
    func outboxHealth(now: Date) throws -> OutboxHealth
    func givenUpEmails(limit: Int) throws -> [GivenUpEmail]
    @discardableResult
    func retryGivenUpEmails(now: Date) throws -> Int
    @discardableResult
    func deleteDeliveredEmails(deliveredBefore: Date) throws -> Int

    func createSession(digest: String, account: CustomerID, now: Date) throws
    @discardableResult
    func createSession(digest: String, account: CustomerID, now: Date, limit: SessionLimit) throws -> [String]
    func session(digest: String) throws -> StoredSession?
    func sessionAndAccount(digest: String) throws -> (session: StoredSession, account: Account?)?
    func touchSession(digest: String, now: Date) throws
    func deleteSession(digest: String) throws
    @discardableResult
    func deleteSessions(of account: CustomerID) throws -> Int
    @discardableResult
    func deleteSessions(lastSeenBefore: Date, createdBefore: Date) throws -> Int
    func recordSignInFailure(keys: [String], now: Date) throws
    func signInFailures(key: String, since: Date) throws -> (count: Int, latest: Date?)
    func clearSignInFailures(key: String) throws
    @discardableResult
    func deleteSignInFailures(before: Date) throws -> Int
    func beginSignIn(account: CustomerID, client: String, now: Date, throttle: SignInThrottle) throws -> SignInGate
    func recordSignInFailure(_ attempt: SignInAttempt) throws
    func abandonSignIn(_ attempt: SignInAttempt) throws
    func recordSignInSuccess(_ attempt: SignInAttempt, now: Date) throws
    func signInSuccesses(of account: CustomerID, since: Date) throws -> Int
    @discardableResult
    func deleteSignInSuccesses(before: Date) throws -> Int

    @discardableResult
    func purge(now: Date, policy: PurgePolicy) throws -> PurgeCounts

    @discardableResult
    func createRequests(
        onService serviceID: Int64, by requester: CustomerID, changes: [Role: CustomerID],
        expectedHolders: RoleHolders, now: Date, expiresAfter: TimeInterval, limits: CreationLimits
    ) throws -> [Int64]
    @discardableResult
    func perform(_ command: RequestCommand, on requestID: Int64, now: Date) throws -> RequestSnapshot
    @discardableResult
    func expireDueRequests(now: Date) throws -> Int
    func request(_ id: Int64, for account: CustomerID, now: Date) throws -> RequestSnapshot
    func requests(for account: CustomerID, state: RequestState?, after: RequestListCursor?, limit: Int, now: Date) throws -> RequestList

    func contactsPage(for account: CustomerID, query: ContactsQuery) throws -> ContactsPage
    func roleHolders(ofService id: Int64) throws -> (name: String, type: ServiceType, holders: RoleHolders)?
    func serviceFacts(ofService id: Int64, wanted: Set<CustomerID>, now: Date?) throws -> ServiceFacts?
    func openRoles(onServices ids: [Int64], now: Date) throws -> [Int64: Set<Role>]
    func openRequests(onService id: Int64, now: Date?) throws -> [Role: Int64]

    func setOwner(_ owner: OwnerDetails, ofService serviceID: Int64, now: Date) throws
    func setOwners(_ owners: [(serviceID: Int64, owner: OwnerDetails)], now: Date) throws
    func owner(ofService serviceID: Int64, now: Date) throws -> StoredOwner?
    @discardableResult
    func updateOwner(
        ofService serviceID: Int64, by requester: CustomerID, to proposed: OwnerContactDetails,
        previewedRevision: Int, tokenDigest: String, now: Date,
        emails: (OwnerUpdateMail) -> [OutgoingEmail]
    ) throws -> OwnerRules.UpdateDecision
    func ownerEmailLink(tokenDigest: String) throws -> OwnerEmailLink?
    @discardableResult
    func confirmOwnerEmail(tokenDigest: String, now: Date) throws -> OwnerEmailLink
    func serviceEvents(ofService serviceID: Int64) throws -> [ServiceEvent]

    func createAPIToken(
        for account: CustomerID, name: String, scope: APITokenScope, days: Int?, digest: String, now: Date
    ) throws -> APITokenInfo
    func apiTokens(of account: CustomerID) throws -> [APITokenInfo]
    @discardableResult
    func revokeAPIToken(_ id: Int64, of account: CustomerID, now: Date) throws -> Bool
    func apiTokenAccess(digest: String, now: Date) throws -> APITokenAccess?
    func recordAPITokenUse(_ access: APITokenAccess, now: Date) throws
}

extension StoreEngine {
    /// See ``with(emails:codes:metrics:)``: fresh codes from `Secret`, the store's own timer
    /// when `metrics` is nil.
    public func with(emails: any RequestEmailComposer, metrics: (any MetricsFactory)? = nil) -> Self {
        with(emails: emails, codes: { Secret.generate() }, metrics: metrics)
    }

    /// See ``serviceFacts(ofService:wanted:now:)``.
    public func serviceFacts(ofService id: Int64) throws -> ServiceFacts? {
        try serviceFacts(ofService: id, wanted: [], now: nil)
    }

    /// A pending email change without new preferences.
    @discardableResult
    public func requestEmailChange(
        _ account: CustomerID, to newAddress: EmailAddress, tokenDigest: String,
        lifetime: TimeInterval, now: Date, emails: [OutgoingEmail]
    ) throws -> EmailChange {
        try requestEmailChange(account, to: newAddress, tokenDigest: tokenDigest, lifetime: lifetime, now: now,
                               preferences: nil, emails: emails)
    }

    /// Housekeeping with the policy's defaults (the web application's timeouts and windows).
    @discardableResult
    public func purge(now: Date) throws -> PurgeCounts {
        try purge(now: now, policy: PurgePolicy())
    }

    /// Creates an account with an already computed password hash.
    /// - Throws: ``StoreError/duplicateAccount`` when the customer ID is taken,
    ///   ``StoreError/invalidDisplayName`` for an empty or oversized display name.
    public func createAccount(_ account: Account, passwordHash: String, now: Date) throws {
        try createAccounts([(account, passwordHash)], now: now)
    }

    /// Adds a service and returns its ID.
    /// - Throws: ``StoreError/unknownAccount`` when a contact is not an existing account,
    ///   ``StoreError/duplicateService`` when a service of this type already has the name,
    ///   ``StoreError/invalidServiceName``.
    @discardableResult
    public func addService(
        name: String, type: ServiceType,
        administrative: CustomerID, technical: CustomerID, billing: CustomerID
    ) throws -> Int64 {
        try addServices([NewService(
            name: name, type: type, administrative: administrative, technical: technical, billing: billing)])[0]
    }
}

extension AppDatabase: StoreEngine {}
extension PostgresStore: StoreEngine {}
