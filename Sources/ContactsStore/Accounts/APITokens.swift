import ContactsDomain
import Foundation
import GRDB

/// What a usable token opens: whose account, with which scope.
public struct APITokenAccess: Sendable, Equatable {
    public var tokenID: Int64
    public var account: CustomerID
    public var scope: APITokenScope
    public var lastUsedAt: Date?
}

// MARK: - Personal API tokens
//
// The store keeps a token's SHA-256 (`Secret.digest`), never the token: the web layer makes the
// secret, shows it once, and hands only its digest here.

extension AppDatabase {
    /// Stores a new token of `account`, checked by ``APITokenRules/check`` against the account's
    /// usable tokens counted inside the same write transaction (two forms sent at once cannot pass
    /// the limit together).
    /// - Throws: ``APITokenRules/Problem``, or ``StoreError/unknownAccount``; nothing is stored then.
    public func createAPIToken(
        for account: CustomerID, name: String, scope: APITokenScope, days: Int?, digest: String, now: Date
    ) throws -> APITokenInfo {
        try sharedWrite { try $0.createAPIToken(for: account, name: name, scope: scope, days: days, digest: digest, now: now) }
    }

    /// The account's tokens not revoked, expired ones included (the list says so), newest first.
    public func apiTokens(of account: CustomerID) throws -> [APITokenInfo] {
        try sharedRead { try $0.apiTokens(of: account) }
    }

    /// Revokes the token `id` if `account` holds it and it is not revoked yet; returns whether it
    /// did. Another account's token is left alone and reported as not found.
    @discardableResult
    public func revokeAPIToken(_ id: Int64, of account: CustomerID, now: Date) throws -> Bool {
        try sharedWrite { try $0.revokeAPIToken(id, of: account, now: now) }
    }

    /// The access a token's digest gives at `now`: nil for an unknown, revoked or expired token.
    public func apiTokenAccess(digest: String, now: Date) throws -> APITokenAccess? {
        try sharedRead { try $0.apiTokenAccess(digest: digest, now: now) }
    }

    /// Records a use of the token, at most once per ``APITokenRules/lastUseResolution``: a
    /// script's every call need not be a write.
    public func recordAPITokenUse(_ access: APITokenAccess, now: Date) throws {
        guard APITokenRules.shouldRecordUse(lastUsedAt: access.lastUsedAt, now: now) else { return }
        try sharedWrite { try $0.recordAPITokenUse(access, now: now) }
    }
}

extension PostgresStore {
    /// See ``AppDatabase/createAPIToken(for:name:scope:days:digest:now:)``.
    public func createAPIToken(
        for account: CustomerID, name: String, scope: APITokenScope, days: Int?, digest: String, now: Date
    ) throws -> APITokenInfo {
        try sharedWrite { try $0.createAPIToken(for: account, name: name, scope: scope, days: days, digest: digest, now: now) }
    }

    public func apiTokens(of account: CustomerID) throws -> [APITokenInfo] {
        try sharedRead { try $0.apiTokens(of: account) }
    }

    @discardableResult
    public func revokeAPIToken(_ id: Int64, of account: CustomerID, now: Date) throws -> Bool {
        try sharedWrite { try $0.revokeAPIToken(id, of: account, now: now) }
    }

    public func apiTokenAccess(digest: String, now: Date) throws -> APITokenAccess? {
        try sharedRead { try $0.apiTokenAccess(digest: digest, now: now) }
    }

    public func recordAPITokenUse(_ access: APITokenAccess, now: Date) throws {
        guard APITokenRules.shouldRecordUse(lastUsedAt: access.lastUsedAt, now: now) else { return }
        try sharedWrite { try $0.recordAPITokenUse(access, now: now) }
    }
}

extension StoreTransaction where Self: RequestTransaction {
    func createAPIToken(
        for account: CustomerID, name: String, scope: APITokenScope, days: Int?, digest: String, now: Date
    ) throws -> APITokenInfo {
        guard try !accounts([account]).isEmpty else { throw StoreError.unknownAccount }
        // Counted under the account's lock (PostgreSQL; SQLite's single writer is one already):
        // two forms sent at once on two hosts cannot pass the limit together.
        try lockCreationLimits(of: [account])
        let usable = try rows(SharedStatement(
            sql: "SELECT count(*) AS n FROM api_token WHERE account_id = $1 AND revoked_at IS NULL AND expires_at > $2",
            values: [.text(account.rawValue), .date(now)]))[0].int("n")
        let checked = try APITokenRules.check(name: name, days: days, usableTokens: usable, now: now).get()
        let id = try rows(SharedStatement(sql: """
            INSERT INTO api_token (account_id, name, scope, digest, created_at, expires_at)
            VALUES ($1, $2, $3, $4, $5, $6) RETURNING id
            """, values: [.text(account.rawValue), .text(checked.name), .text(scope.rawValue), .text(digest),
                          .date(now), .date(checked.expiresAt)]))[0].int64("id")
        return APITokenInfo(id: id, name: checked.name, scope: scope, createdAt: now, expiresAt: checked.expiresAt)
    }

    func apiTokens(of account: CustomerID) throws -> [APITokenInfo] {
        try rows(SharedStatement(sql: """
            SELECT id, name, scope, created_at, expires_at, last_used_at, revoked_at FROM api_token
            WHERE account_id = $1 AND revoked_at IS NULL ORDER BY id DESC
            """, values: [.text(account.rawValue)])
        ).map { row in
            APITokenInfo(
                id: try row.int64("id"), name: try row.string("name"),
                scope: APITokenScope(rawValue: try row.string("scope")) ?? .readOnly,
                createdAt: try row.date("created_at"), expiresAt: try row.date("expires_at"),
                lastUsedAt: try row.optionalDate("last_used_at"), revokedAt: try row.optionalDate("revoked_at"))
        }
    }

    func revokeAPIToken(_ id: Int64, of account: CustomerID, now: Date) throws -> Bool {
        try execute(SharedStatement(
            sql: "UPDATE api_token SET revoked_at = $1 WHERE id = $2 AND account_id = $3 AND revoked_at IS NULL",
            values: [.date(now), .int(id), .text(account.rawValue)])) > 0
    }

    func apiTokenAccess(digest: String, now: Date) throws -> APITokenAccess? {
        guard let row = try rows(SharedStatement(sql: """
            SELECT id, account_id, scope, last_used_at FROM api_token
            WHERE digest = $1 AND revoked_at IS NULL AND expires_at > $2
            """, values: [.text(digest), .date(now)])).first,
            let scope = APITokenScope(rawValue: try row.string("scope"))
        else { return nil }
        return APITokenAccess(
            tokenID: try row.int64("id"), account: CustomerID(trusted: try row.string("account_id")), scope: scope,
            lastUsedAt: try row.optionalDate("last_used_at"))
    }

    func recordAPITokenUse(_ access: APITokenAccess, now: Date) throws {
        try execute(SharedStatement(sql: """
            UPDATE api_token SET last_used_at = $1
            WHERE id = $2 AND (last_used_at IS NULL OR last_used_at <= $3)
            """, values: [.date(now), .int(access.tokenID), .date(now.addingTimeInterval(-APITokenRules.lastUseResolution))]))
    }
}
