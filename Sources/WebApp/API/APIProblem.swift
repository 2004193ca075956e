import ContactsDomain
import ContactsStore
import Foundation
import HTTPCore
import Localization

/// Every way an API call can fail, as the problem document it answers with (RFC 9457): a stable
/// slug (`https://service-contacts.example/problems/<slug>`), the status, the `detail` and, for a
/// body at fault, the members in `errors`. Words come from the catalog in the caller's language:
/// `api_title_<slug>` for the title, the detail's own key otherwise.
struct APIProblem: Error {
    /// A text of the problem: a catalog key, or words already put in the caller's language.
    enum Text {
        case key(String)
        case localized(String)
    }

    var slug: String
    var status: HTTPStatus
    var detail: Text
    var errors: [(pointer: String, detail: Text)] = []
    var headers: [(name: String, value: String)] = []

    /// The document in `language`, with its headers.
    func response(_ catalog: Catalog, _ language: Language) -> HTTPResponse {
        func words(_ text: Text) -> String {
            switch text {
            case .key(let key): catalog.string(key, language)
            case .localized(let words): words
            }
        }
        let document = ProblemDetails(
            slug: slug, status: status,
            title: catalog.string("api_title_" + slug.replacingOccurrences(of: "-", with: "_"), language),
            detail: words(detail),
            invalidFields: errors.map { ProblemDetails.InvalidField(pointer: $0.pointer, detail: words($0.detail)) })
        return document.response(language: language.tag, headers: headers)
    }
}

extension APIProblem {
    /// Every slug the API answers with, for the catalog's completeness test and docs/API.md.
    static let slugs = [
        "unauthorized", "read-only-token", "not-allowed", "not-found", "method-not-allowed", "bad-request",
        "malformed-body", "unsupported-media-type", "too-large", "invalid-body", "one-service-only",
        "change-refused", "wrong-code", "open-request", "not-open", "already-accepted", "rules-changed",
        "rate-limited", "too-many-wrong-codes", "resend-too-soon", "resend-limit-reached", "too-many-requests",
        "too-many-lookups", "unavailable", "internal-error", "preview-outdated",
    ]

    /// No token, or one that opens nothing (unknown, revoked, expired, or malformed).
    static func unauthorized(tokenGiven: Bool) -> APIProblem {
        APIProblem(
            slug: "unauthorized", status: .unauthorized,
            detail: .key(tokenGiven ? "api_error_token_invalid" : "api_error_token_missing"),
            headers: [("WWW-Authenticate", tokenGiven ? #"Bearer error="invalid_token""# : "Bearer")])
    }

    static let readOnlyToken = APIProblem(slug: "read-only-token", status: .forbidden, detail: .key("api_error_read_only"))
    static let notFound = APIProblem(slug: "not-found", status: .notFound, detail: .key("api_error_not_found"))
    static let malformedBody = APIProblem(slug: "malformed-body", status: .badRequest, detail: .key("api_error_malformed_body"))
    static let tooLarge = APIProblem(slug: "too-large", status: .payloadTooLarge, detail: .key("api_error_too_large"))
    static let unavailable = APIProblem(
        slug: "unavailable", status: .serviceUnavailable, detail: .key("error_503"), headers: [("Retry-After", "5")])
    static let internalError = APIProblem(slug: "internal-error", status: .internalServerError, detail: .key("error_500"))

    static func methodNotAllowed(allowed: [String]) -> APIProblem {
        APIProblem(
            slug: "method-not-allowed", status: .methodNotAllowed, detail: .key("api_error_method_not_allowed"),
            headers: [("Allow", allowed.joined(separator: ", "))])
    }

    /// A query parameter the operation does not take, given twice, or with a value it does not take.
    static func badQuery(_ name: String, _ catalog: Catalog, _ language: Language) -> APIProblem {
        APIProblem(
            slug: "bad-request", status: .badRequest,
            detail: .localized(catalog.string("api_error_query_parameter", language, .string(name))))
    }

    /// A query or path too broken to read at all (bad percent-encoding).
    static let unreadableAddress = APIProblem(slug: "bad-request", status: .badRequest, detail: .key("error_400"))

    static func rateLimited(retryAfter seconds: Int, _ catalog: Catalog, _ language: Language) -> APIProblem {
        APIProblem(
            slug: "rate-limited", status: .tooManyRequests,
            detail: .localized(catalog.plural("api_error_rate_limited", count: seconds, language)),
            headers: [("Retry-After", String(seconds))])
    }

    /// A body that is not JSON of the right kind (`JSONBody`'s refusals).
    static func body(_ failure: JSONBody.Failure) -> APIProblem {
        switch failure {
        case .unsupportedMediaType:
            APIProblem(slug: "unsupported-media-type", status: failure.status, detail: .key("api_error_media_type"))
        case .tooLarge:
            .tooLarge
        case .malformed:
            .malformedBody
        case .invalid(let members):
            invalid(members)
        }
    }

    /// Members missing, unknown, of the wrong kind or with a value the operation does not take.
    static func invalid(_ members: [JSONBody.InvalidMember]) -> APIProblem {
        APIProblem(
            slug: "invalid-body", status: .unprocessableContent, detail: .key("api_error_invalid_body"),
            errors: members.map { member in
                let key = switch member.reason {
                case .unknown: "api_error_member_unknown"
                case .missing: "api_error_member_missing"
                case .wrongKind: "api_error_member_kind"
                case .notAccepted: "api_error_member_value"
                }
                return (member.pointer, .key(key))
            })
    }
}

extension Application {
    /// What an action on a request refused, in the words the request page uses for it
    /// (`explain`), with the API's slug and status.
    func apiProblem(_ error: RequestError, _ language: Language) -> APIProblem {
        if error == .notFound { return .notFound }
        let (message, status, retryAfter) = explain(error, language)
        let slug: String
        var errors: [(pointer: String, detail: APIProblem.Text)] = []
        switch error {
        case .wrongCode:
            slug = "wrong-code"
            errors = [("/token", .localized(message))]
        case .tooManyWrongCodes: slug = "too-many-wrong-codes"
        case .resendTooSoon: slug = "resend-too-soon"
        case .refused(.resendLimitReached): slug = "resend-limit-reached"
        case .refused(.notAConfirmer), .refused(.notTheRequester), .refused(.mayNotResend): slug = "not-allowed"
        case .refused(.alreadyAccepted): slug = "already-accepted"
        default: slug = "not-open"
        }
        return APIProblem(
            slug: slug, status: status, detail: .localized(message), errors: errors,
            headers: retryAfter.map { [("Retry-After", String(max(1, $0)))] } ?? [])
    }
}
