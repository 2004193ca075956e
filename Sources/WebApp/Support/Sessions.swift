import ContactsDomain
import ContactsStore
import Credentials
import Foundation
import HTTPCore

/// Who is asking: every visitor carries a random secret in the session cookie. Signed-in visitors'
/// secrets have a row in the store (kept only as a digest); anonymous ones have none, and their
/// secret only anchors the CSRF token of the sign-in form.
struct Visitor {
    let secret: String
    /// The cookie has to be (re)sent with the response.
    let secretIsNew: Bool
    let account: Account?
    /// When the signed-in session began.
    var signedInAt: Date? = nil

    var isSignedIn: Bool { account != nil }
}

/// Session cookies, their lifetime and the CSRF tokens derived from them.
struct SessionManager {
    static let cookieName = "sc_session"
    /// Over HTTPS the cookie takes the `__Host-` prefix: browsers then accept it only with
    /// `Secure`, `Path=/` and no `Domain`, so a sibling subdomain or a plain-HTTP page cannot
    /// plant or shadow it.
    static let secureCookieName = "__Host-sc_session"
    /// Touching a session on every request would turn each read into a write.
    static let touchInterval: TimeInterval = 60

    let database: any StoreEngine
    let configuration: AppConfiguration

    var cookieName: String { configuration.secureCookies ? Self.secureCookieName : Self.cookieName }

    /// Reads the cookie; an unknown, expired or malformed one is treated as no cookie at all.
    func resolve(_ cookies: RequestCookies, now: Date) throws -> Visitor {
        guard let secret = cookies[cookieName], Self.looksLikeSecret(secret) else {
            return Visitor(secret: Secret.generate(), secretIsNew: true, account: nil)
        }
        let digest = Secret.digest(secret)
        guard let (stored, account) = try database.sessionAndAccount(digest: digest) else {
            return Visitor(secret: secret, secretIsNew: false, account: nil)
        }
        let idle = now.timeIntervalSince(stored.lastSeenAt) > configuration.sessionIdleTimeout
        let tooOld = now.timeIntervalSince(stored.createdAt) > configuration.sessionAbsoluteTimeout
        guard !idle, !tooOld, let account else {
            try database.deleteSession(digest: digest)
            // A fresh secret, so that the expired one is never reused.
            return Visitor(secret: Secret.generate(), secretIsNew: true, account: nil)
        }
        if now.timeIntervalSince(stored.lastSeenAt) > Self.touchInterval {
            try database.touchSession(digest: digest, now: now)
        }
        return Visitor(secret: secret, secretIsNew: false, account: account, signedInAt: stored.createdAt)
    }

    /// A new secret at every sign-in, so a secret planted before it is worth nothing after.
    func signIn(_ account: Account, replacing previous: Visitor, now: Date) throws -> Visitor {
        try? database.deleteSession(digest: Secret.digest(previous.secret))
        let secret = Secret.generate()
        // Past the account's limit the oldest sessions end, so sign-in loops cannot pile up rows.
        try database.createSession(digest: Secret.digest(secret), account: account.id, now: now, limit: configuration.sessionLimit)
        return Visitor(secret: secret, secretIsNew: true, account: account, signedInAt: now)
    }

    func signOut(_ visitor: Visitor) throws -> Visitor {
        try database.deleteSession(digest: Secret.digest(visitor.secret))
        return Visitor(secret: Secret.generate(), secretIsNew: true, account: nil)
    }

    func cookie(for visitor: Visitor) -> SetCookie {
        // No Max-Age: the browser forgets it when closed; the server enforces the timeouts.
        // SetCookie always says Path=/ and never Domain, as the prefix requires.
        SetCookie(name: cookieName, value: visitor.secret, httpOnly: true, secure: configuration.secureCookies, sameSite: .lax)
    }

    func csrfToken(for visitor: Visitor) -> String {
        Secret.hmac("csrf", key: visitor.secret)
    }

    func isValidCSRFToken(_ token: String?, for visitor: Visitor) -> Bool {
        guard let token, !visitor.secretIsNew else { return false }
        return Secret.constantTimeEquals(token, csrfToken(for: visitor))
    }

    /// `Secret.generate()` makes 43 base64url characters; anything else never came from us.
    private static func looksLikeSecret(_ value: String) -> Bool {
        value.utf8.count == 43 && value.utf8.allSatisfy { byte in
            (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
        }
    }
}
