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
        try timedWrite { db in
            guard try AccountRecord.exists(db, key: account.rawValue) else { throw StoreError.unknownAccount }
            let usable = try Int.fetchOne(
                db, sql: "SELECT count(*) FROM api_token WHERE account_id = ? AND revoked_at IS NULL AND expires_at > ?",
                arguments: [account.rawValue, now]) ?? 0
            let checked = try APITokenRules.check(name: name, days: days, usableTokens: usable, now: now).get()
            try db.execute(
                sql: """
                    INSERT INTO api_token (account_id, name, scope, digest, created_at, expires_at)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """,
                arguments: [account.rawValue, checked.name, scope.rawValue, digest, now, checked.expiresAt])
            return APITokenInfo(
                id: db.lastInsertedRowID, name: checked.name, scope: scope, createdAt: now, expiresAt: checked.expiresAt)
        }
    }

    /// The account's tokens not revoked, expired ones included (the list says so), newest first.
    public func apiTokens(of account: CustomerID) throws -> [APITokenInfo] {
        try timedRead { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT id, name, scope, created_at, expires_at, last_used_at, revoked_at FROM api_token
                    WHERE account_id = ? AND revoked_at IS NULL ORDER BY id DESC
                    """,
                arguments: [account.rawValue]
            ).map { row in
                APITokenInfo(
                    id: row["id"], name: row["name"], scope: APITokenScope(rawValue: row["scope"]) ?? .readOnly,
                    createdAt: row["created_at"], expiresAt: row["expires_at"],
                    lastUsedAt: row["last_used_at"], revokedAt: row["revoked_at"])
            }
        }
    }

    /// Revokes the token `id` if `account` holds it and it is not revoked yet; returns whether it
    /// did. Another account's token is left alone and reported as not found.
    @discardableResult
    public func revokeAPIToken(_ id: Int64, of account: CustomerID, now: Date) throws -> Bool {
        try timedWrite { db in
            try db.execute(
                sql: "UPDATE api_token SET revoked_at = ? WHERE id = ? AND account_id = ? AND revoked_at IS NULL",
                arguments: [now, id, account.rawValue])
            return db.changesCount > 0
        }
    }

    /// The access a token's digest gives at `now`: nil for an unknown, revoked or expired token.
    public func apiTokenAccess(digest: String, now: Date) throws -> APITokenAccess? {
        try timedRead { db in
            guard let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT id, account_id, scope, last_used_at FROM api_token
                    WHERE digest = ? AND revoked_at IS NULL AND expires_at > ?
                    """,
                arguments: [digest, now]),
                let scope = APITokenScope(rawValue: row["scope"])
            else { return nil }
            return APITokenAccess(
                tokenID: row["id"], account: CustomerID(trusted: row["account_id"]), scope: scope,
                lastUsedAt: row["last_used_at"])
        }
    }

    /// Records a use of the token, at most once per ``APITokenRules/lastUseResolution``: a
    /// script's every call need not be a write.
    public func recordAPITokenUse(_ access: APITokenAccess, now: Date) throws {
        guard APITokenRules.shouldRecordUse(lastUsedAt: access.lastUsedAt, now: now) else { return }
        try timedWrite { db in
            try db.execute(
                sql: """
                    UPDATE api_token SET last_used_at = ?
                    WHERE id = ? AND (last_used_at IS NULL OR last_used_at <= ?)
                    """,
                arguments: [now, access.tokenID, now.addingTimeInterval(-APITokenRules.lastUseResolution)])
        }
    }
}
