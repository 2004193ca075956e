import ContactsDomain
import Credentials
import Foundation

/// Everything the web application needs to know about its surroundings, read once at start.
public struct AppConfiguration: Sendable {
    /// The store: a SQLite file path or a `postgres://` URL (``DatabaseLocation``).
    public var databaseLocation: String
    /// On PostgreSQL, the most connections the application holds: one per worker thread.
    public var databaseConnections: Int
    /// Holds the `.mustache` templates and the string catalog `Localizable.xcstrings`.
    public var templatesDirectory: String
    /// Absolute links (in emails) are built from this, never from the request's Host header.
    public var publicBaseURL: String
    public var defaultLanguage: Language
    /// Adds `Secure` to cookies; on whenever the site is served over HTTPS.
    public var secureCookies: Bool
    /// A signed-in session ends after this long without a request...
    public var sessionIdleTimeout: TimeInterval
    /// ...and after this long in any case.
    public var sessionAbsoluteTimeout: TimeInterval
    /// Times on pages are shown in this zone.
    public var displayTimeZone: TimeZone
    /// A contact change request expires this long after it was made.
    public var requestLifetime: TimeInterval
    /// How many requests an account may make, and be named in (`RequestPolicy`'s by default).
    public var creationLimits: CreationLimits
    /// At most this many password hashes (argon2id) at once...
    public var passwordHashingSlots: Int
    /// ...and a sign-in that finds none free within this long gets 503 with Retry-After.
    public var passwordSlotWait: TimeInterval
    /// How sign-in attempts, failed and successful, are slowed down.
    public var signInThrottle: SignInThrottle
    /// How many sessions one account may have; a new one ends the oldest beyond it.
    public var sessionLimit: SessionLimit
    /// Where the demo's delivered `.eml` files are, to show them on `/demo/mailbox`; nil (the
    /// default) turns that page off. A demo aid only: it shows every account's emails.
    public var demoMailboxDirectory: String?
    /// Turns on `/bench/bytes`, the benchmark's trivial route (bench/run); off in production.
    public var benchRoutes: Bool
    /// The OpenAPI document served at `/api/v1/openapi.json`; nil: `docs/openapi.json` beside
    /// the templates' folder.
    public var apiDocumentPath: String? = nil
    /// Calls per API token (docs/DECISIONS.md "The JSON API").
    public var apiRateLimit: APIRateLimit = .standard

    public init(
        databaseLocation: String,
        databaseConnections: Int = 8,
        templatesDirectory: String,
        publicBaseURL: String,
        defaultLanguage: Language = .pl,
        secureCookies: Bool = false,
        sessionIdleTimeout: TimeInterval = SessionTimeouts.idle,
        sessionAbsoluteTimeout: TimeInterval = SessionTimeouts.absolute,
        displayTimeZone: TimeZone = TimeZone(identifier: "UTC")!,
        requestLifetime: TimeInterval = 14 * 24 * 60 * 60,
        creationLimits: CreationLimits = RequestPolicy.creationLimits,
        passwordHashingSlots: Int = HashingSlots.defaultCount,
        passwordSlotWait: TimeInterval = 0.25,
        signInThrottle: SignInThrottle = SignInThrottle(),
        sessionLimit: SessionLimit = .standard,
        demoMailboxDirectory: String? = nil,
        benchRoutes: Bool = false
    ) {
        self.databaseLocation = databaseLocation
        self.databaseConnections = databaseConnections
        self.templatesDirectory = templatesDirectory
        self.publicBaseURL = publicBaseURL
        self.defaultLanguage = defaultLanguage
        self.secureCookies = secureCookies
        self.sessionIdleTimeout = sessionIdleTimeout
        self.sessionAbsoluteTimeout = sessionAbsoluteTimeout
        self.displayTimeZone = displayTimeZone
        self.requestLifetime = requestLifetime
        self.creationLimits = creationLimits
        self.passwordHashingSlots = passwordHashingSlots
        self.passwordSlotWait = passwordSlotWait
        self.signInThrottle = signInThrottle
        self.sessionLimit = sessionLimit
        self.demoMailboxDirectory = demoMailboxDirectory
        self.benchRoutes = benchRoutes
    }

    /// The base URL without a trailing slash, ready for `base + "/path"`.
    var linkBase: String {
        publicBaseURL.hasSuffix("/") ? String(publicBaseURL.dropLast()) : publicBaseURL
    }
}
