import HTTPCore

/// Every way a request can fail that the user should see as a page. One place,
/// `Application.errorResponse`, turns these into a status and a localized message.
enum WebError: Error, Equatable {
    case badRequest
    case forbiddenCSRF
    case notFound
    case methodNotAllowed(allowed: [String])
    case payloadTooLarge
    case serviceUnavailable

    var status: HTTPStatus {
        switch self {
        case .badRequest: .badRequest
        case .forbiddenCSRF: .forbidden
        case .notFound: .notFound
        case .methodNotAllowed: .methodNotAllowed
        case .payloadTooLarge: .payloadTooLarge
        case .serviceUnavailable: .serviceUnavailable
        }
    }

    /// The catalog key of the message shown on the error page.
    var messageKey: String {
        switch self {
        case .badRequest: "error_400"
        case .forbiddenCSRF: "error_403_csrf"
        case .notFound: "error_404"
        case .methodNotAllowed: "error_405"
        case .payloadTooLarge: "error_413"
        case .serviceUnavailable: "error_503"
        }
    }
}

extension FormData.Failure {
    var webError: WebError {
        switch self {
        case .badEncoding, .tooManyFields: .badRequest
        case .fieldTooLarge: .payloadTooLarge
        }
    }
}
