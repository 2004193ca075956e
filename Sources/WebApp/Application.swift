import ContactsDomain
import ContactsStore
import Credentials
import Emails
import Foundation
import HTTPCore
import Localization
import Logging

/// The whole web application as one value: `respond(to:)` turns a request into a response.
///
/// Built once at start (catalog and templates loaded, database opened and migrated) and shared
/// by every FastCGI worker thread; it keeps no mutable state of its own.
public final class Application: HTTPResponder {
    public let configuration: AppConfiguration
    let database: any StoreEngine
    let catalog: Catalog
    let sessions: SessionManager
    /// The emails of an address change, rendered before the store writes them.
    let accountEmails: AccountEmails
    /// The emails of an update of a service owner's details.
    let ownerEmails: OwnerEmails
    let clock: @Sendable () -> Date
    let logger: Logger
    /// Verified against when a customer ID is unknown, so that answers take the same time.
    let unknownAccountHash: String
    /// Bounds how many sign-ins hash a password at once, so page requests keep their cores.
    let hashingSlots: HashingSlots
    private let router: Router
    /// The JSON API's description and per-token throttle (`API/`).
    let api: APIResources
    let metrics = AppMetrics()

    /// Opens (and migrates) the store the configuration names: a SQLite file, or PostgreSQL
    /// with a pool of `databaseConnections`.
    public convenience init(configuration: AppConfiguration) throws {
        let database: any StoreEngine = switch DatabaseLocation(configuration.databaseLocation) {
        case .sqlite(let path): try AppDatabase(path: path)
        case .postgres(let url): try PostgresStore(url: url, connections: configuration.databaseConnections)
        }
        try self.init(configuration: configuration, database: database, clock: { Date() })
    }

    /// For tests: a given database and clock. The database gets the application's request emails.
    public init(configuration: AppConfiguration, database: any StoreEngine, clock: @escaping @Sendable () -> Date) throws {
        self.configuration = configuration
        self.clock = clock
        self.catalog = try Catalog(contentsOf: (configuration.templatesDirectory as NSString).appendingPathComponent("Localizable.xcstrings"))
        let emailTemplate = try EmailTemplate(directory: configuration.templatesDirectory)
        self.database = database.with(emails: RequestEmails(
            catalog: catalog, template: emailTemplate,
            publicBaseURL: configuration.publicBaseURL, displayTimeZone: configuration.displayTimeZone),
            metrics: metrics.factory)
        self.accountEmails = AccountEmails(
            catalog: catalog, template: emailTemplate,
            publicBaseURL: configuration.publicBaseURL, displayTimeZone: configuration.displayTimeZone)
        self.ownerEmails = OwnerEmails(
            catalog: catalog, template: emailTemplate,
            publicBaseURL: configuration.publicBaseURL, displayTimeZone: configuration.displayTimeZone)
        self.sessions = SessionManager(database: self.database, configuration: configuration)
        self.logger = Logger(label: "service-contacts.web")
        self.unknownAccountHash = try PasswordHasher.hash(Secret.generate())
        self.hashingSlots = HashingSlots(count: configuration.passwordHashingSlots, wait: configuration.passwordSlotWait)
        self.router = Self.makeRouter()
        self.api = try APIResources(configuration: configuration)
    }

    public func respond(to request: HTTPRequest) -> HTTPResponse {
        if Self.isAPIPath(request.rawPath) { return respondToAPI(request) }
        return metrics.measure(route: router.routeLabel(path: request.rawPath)) { respondMeasured(to: request) }
    }

    private func respondMeasured(to request: HTTPRequest) -> HTTPResponse {
        let isHead = request.method == "HEAD"
        var response: HTTPResponse
        var context: RequestContext?
        do {
            let built = try makeContext(for: request)
            context = built
            response = try route(built, method: isHead ? "GET" : request.method)
        } catch let error as WebError {
            response = errorResponse(error, context: context, request: request)
        } catch {
            logger.error("request failed: \(String(describing: error))", metadata: ["path": "\(request.rawPath)"])
            response = errorResponse(Self.isUnavailable(error) ? .serviceUnavailable : nil, context: context, request: request)
        }
        if let context {
            finish(&response, context: context)
        }
        // Secure cookies mean the site is served over HTTPS: tell browsers never to use plain
        // HTTP for it again (docs/DECISIONS.md: why the app says it, not nginx.conf).
        if configuration.secureCookies {
            response.headers.append(("Strict-Transport-Security", Self.strictTransportSecurity))
        }
        if isHead { response.body = [] }
        return response
    }

    /// Framing errors the FastCGI adapter found before a request existed: a localized page too.
    public func respondToUnreadableRequest(_ status: HTTPStatus, headers: [String: String]) -> HTTPResponse {
        let error: WebError = status == .payloadTooLarge ? .payloadTooLarge : .badRequest
        var response = errorResponse(error, context: nil, request: HTTPRequest(method: "GET", rawPath: "/", headers: headers))
        if configuration.secureCookies {
            response.headers.append(("Strict-Transport-Security", Self.strictTransportSecurity))
        }
        return response
    }

    private func route(_ context: RequestContext, method: String) throws -> HTTPResponse {
        switch router.match(method: method, path: context.path) {
        case .found(let handler, let id):
            context.pathID = id
            if method == "POST" {
                try checkForgery(context)
            }
            return try handler(self, context)
        case .wrongMethod(let allowed):
            throw WebError.methodNotAllowed(allowed: allowed)
        case .none:
            throw WebError.notFound
        }
    }

    /// Parses what every handler needs; bad encoding anywhere is the client's error (400).
    private func makeContext(for request: HTTPRequest) throws -> RequestContext {
        let path: String
        let query: FormData
        do {
            path = try PercentDecoding.decode(request.rawPath, plusIsSpace: false)
            query = try FormData(parsing: request.rawQuery)
        } catch let failure as FormData.Failure {
            throw failure.webError
        } catch {
            throw WebError.badRequest
        }
        guard path.hasPrefix("/") else { throw WebError.badRequest }
        let cookies = RequestCookies(header: request.header("cookie"))
        let now = clock()
        let visitor = try sessions.resolve(cookies, now: now)
        let language = LanguageNegotiation.choose(
            explicit: cookies[LanguageCookie.name],
            accountPreference: visitor.account?.language,
            acceptLanguage: request.header("accept-language"),
            defaultLanguage: configuration.defaultLanguage
        )
        return RequestContext(
            request: request, path: path, query: query, cookies: cookies, now: now,
            visitor: visitor, language: language, csrfToken: sessions.csrfToken(for: visitor)
        )
    }

    /// Every POST must carry the form's CSRF token and must not come from another site.
    private func checkForgery(_ context: RequestContext) throws {
        if context.request.header("sec-fetch-site") == "cross-site" {
            throw WebError.forbiddenCSRF
        }
        if let origin = context.request.header("origin"), !isSameOrigin(origin, host: context.request.header("host")) {
            throw WebError.forbiddenCSRF
        }
        let form = try context.form()
        guard sessions.isValidCSRFToken(form.value("csrf"), for: context.visitor) else {
            throw WebError.forbiddenCSRF
        }
    }

    /// An `Origin` header, when a browser sends one, must name this site: the host the request
    /// was sent to (`Host`, as nginx passes it on), or the host of the configured public base URL
    /// (the two differ behind a proxy that rewrites `Host`). `null` is accepted: browsers send it
    /// for a form posted from a page with `Referrer-Policy: no-referrer` (the request page); the
    /// CSRF token still decides.
    func isSameOrigin(_ origin: String, host: String?) -> Bool {
        let origin = origin.trimmingCharacters(in: .whitespaces).lowercased()
        if origin == "null" { return true }
        let scheme: String
        if origin.hasPrefix("https://") { scheme = "https" } else if origin.hasPrefix("http://") { scheme = "http" } else { return false }
        let authority = String(origin.dropFirst(scheme.count + 3))
        guard !authority.isEmpty, !authority.contains("/"), !authority.contains("@") else { return false }
        let defaultPort = scheme == "https" ? ":443" : ":80"
        func matches(_ candidate: String?) -> Bool {
            guard let candidate = candidate?.trimmingCharacters(in: .whitespaces).lowercased(), !candidate.isEmpty else { return false }
            return candidate == authority || candidate == authority + defaultPort || candidate + defaultPort == authority
        }
        let base = configuration.linkBase.lowercased()
        let baseAuthority = base.components(separatedBy: "://").dropFirst().first?.split(separator: "/").first.map(String.init)
        return matches(host) || matches(baseAuthority)
    }

    /// Headers every dynamic response carries.
    private func finish(_ response: inout HTTPResponse, context: RequestContext) {
        if context.visitor.secretIsNew {
            context.cookiesToSet.append(sessions.cookie(for: context.visitor))
        }
        for cookie in context.cookiesToSet {
            response.headers.append(("Set-Cookie", cookie.headerValue))
        }
        response.headers.append(("Content-Language", context.language.tag))
        response.headers.append(("Vary", "Accept-Language, Cookie"))
        // Pages show personal data: never stored by shared or browser caches.
        response.headers.append(("Cache-Control", "no-store"))
    }

    /// One year, this host only: a subdomain of the operator's may still be plain HTTP.
    static let strictTransportSecurity = "max-age=31536000"

    static func isUnavailable(_ error: Error) -> Bool {
        AppDatabase.isUnavailable(error)
    }
}
