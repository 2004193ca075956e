import HTTPCore

/// The whole web application as one value: `respond(to:)` turns a request into a response.
public final class Application: HTTPResponder {
    public let configuration: AppConfiguration

    public init(configuration: AppConfiguration) throws {
        self.configuration = configuration
    }

    public func respond(to request: HTTPRequest) -> HTTPResponse {
        HTTPResponse(status: .notFound)
    }
}
