import ContactsDomain
import ContactsStore
import Credentials
import Foundation
import HTTPCore
import Localization

/// What the API keeps for the life of the process: its description and the per-token throttle.
struct APIResources: Sendable {
    let document: APIDocument
    let throttle: APIThrottle

    init(configuration: AppConfiguration) throws {
        document = try APIDocument(configuration: configuration)
        throttle = APIThrottle(limit: configuration.apiRateLimit)
    }
}

/// Every request under `/api/v1/` comes through here, never through the pages' session, CSRF
/// and error pages: a personal token in `Authorization: Bearer` is the only credential (a
/// session cookie is not read, so no CSRF is possible), and every failure is a problem document.
extension Application {
    func respondToAPI(_ request: HTTPRequest) -> HTTPResponse {
        metrics.measure(route: Self.apiRouter.routeLabel(path: request.rawPath)) { respondToAPIMeasured(request) }
    }

    private func respondToAPIMeasured(_ request: HTTPRequest) -> HTTPResponse {
        let isHead = request.method == "HEAD"
        // Until the token names an account: Accept-Language, else the configured default.
        var language = apiLanguage(request, account: nil)
        var response: HTTPResponse
        do {
            response = try routeAPI(request, method: isHead ? "GET" : request.method, language: &language)
        } catch let problem as APIProblem {
            response = problem.response(catalog, language)
        } catch let error as RequestError {
            response = apiProblem(error, language).response(catalog, language)
        } catch let failure as JSONBody.Failure {
            response = APIProblem.body(failure).response(catalog, language)
        } catch let error as WebError {
            // From code shared with the pages (a service the account holds no role on).
            let problem: APIProblem = switch error {
            case .notFound: .notFound
            case .serviceUnavailable: .unavailable
            case .payloadTooLarge: .tooLarge
            case .methodNotAllowed(let allowed): .methodNotAllowed(allowed: allowed)
            case .badRequest, .forbiddenCSRF: .unreadableAddress
            }
            response = problem.response(catalog, language)
        } catch {
            logger.error("API request failed: \(String(describing: error))", metadata: ["path": "\(request.rawPath)"])
            response = (Self.isUnavailable(error) ? APIProblem.unavailable : .internalError).response(catalog, language)
        }
        if response.header("Cache-Control") == nil {
            // Personal data: never kept by a shared or a private cache.
            response.headers.append(("Cache-Control", "no-store"))
        }
        response.headers.append(("Vary", "Accept-Language, Authorization"))
        if configuration.secureCookies {
            response.headers.append(("Strict-Transport-Security", Self.strictTransportSecurity))
        }
        if isHead { response.body = [] }
        return response
    }

    /// Path, route, token, throttle, scope, then the operation.
    private func routeAPI(_ request: HTTPRequest, method: String, language: inout Language) throws -> HTTPResponse {
        let path: String
        let query: FormData
        do {
            path = try PercentDecoding.decode(request.rawPath, plusIsSpace: false)
            query = try FormData(parsing: request.rawQuery)
        } catch {
            throw APIProblem.unreadableAddress
        }
        let now = clock()
        let route: APIRoute
        let id: Int64?
        switch Self.apiRouter.match(method: method, path: path) {
        case .found(let found, let foundID): (route, id) = (found, foundID)
        case .wrongMethod(let allowed): throw APIProblem.methodNotAllowed(allowed: allowed)
        case .none: throw APIProblem.notFound
        }
        guard route.access != .open else {
            return try route.handler(self, APIContext(request: request, query: query, now: now, pathID: id, account: nil, language: language))
        }

        let header = request.header("authorization")
        guard let token = APITokenSecret.bearer(header) else { throw APIProblem.unauthorized(tokenGiven: header != nil) }
        guard let access = try database.apiTokenAccess(digest: Secret.digest(token), now: now),
              let account = try database.account(access.account)
        else { throw APIProblem.unauthorized(tokenGiven: true) }
        language = apiLanguage(request, account: account)
        if let wait = api.throttle.take(token: access.tokenID, now: now) {
            throw APIProblem.rateLimited(retryAfter: wait, catalog, language)
        }
        if route.access == .write, !access.scope.mayWrite { throw APIProblem.readOnlyToken }
        try database.recordAPITokenUse(access, now: now)
        return try route.handler(self, APIContext(request: request, query: query, now: now, pathID: id, account: account, language: language))
    }

    /// SPEC "The JSON API": the language of `Accept-Language` (pl, pt, it), else the account's.
    private func apiLanguage(_ request: HTTPRequest, account: Account?) -> Language {
        LanguageNegotiation.choose(
            explicit: nil, accountPreference: nil, acceptLanguage: request.header("accept-language"),
            defaultLanguage: account?.language ?? configuration.defaultLanguage)
    }

    /// A JSON answer.
    func json(_ body: [UInt8], status: HTTPStatus = .ok) -> HTTPResponse {
        HTTPResponse(status: status, headers: [("Content-Type", "application/json")], body: body)
    }

    /// The JSON body of a write, read and checked against `declaration` (JSONBody's rules).
    func jsonBody(_ context: APIContext, limit: Int, _ declaration: [String: (kind: JSONBody.Kind, required: Bool)]) throws -> JSONBody {
        let body = try JSONBody.read(context.request, limit: limit).get()
        let problems = body.validate(declaration)
        guard problems.isEmpty else { throw JSONBody.Failure.invalid(problems) }
        return body
    }
}
