/// One HTTP request as the application sees it: plain Swift values, already taken out of
/// whatever transport carried it (FastCGI in production, nothing at all in tests).
public struct HTTPRequest: Sendable {
    public var method: String
    /// The path as sent, still percent-encoded; `PercentDecoding.decodePath` checks and decodes it.
    public var rawPath: String
    /// Everything after `?`, still percent-encoded; empty when there is none.
    public var rawQuery: String
    /// Header names lower-cased (`cookie`, `accept-language`, ...).
    public var headers: [String: String]
    public var body: [UInt8]
    public var remoteAddress: String

    public init(
        method: String,
        rawPath: String,
        rawQuery: String = "",
        headers: [String: String] = [:],
        body: [UInt8] = [],
        remoteAddress: String = "127.0.0.1"
    ) {
        self.method = method
        self.rawPath = rawPath
        self.rawQuery = rawQuery
        self.headers = headers
        self.body = body
        self.remoteAddress = remoteAddress
    }

    /// Builds a request from a target such as `/contacts?page=2`.
    public init(
        method: String,
        target: String,
        headers: [String: String] = [:],
        body: [UInt8] = [],
        remoteAddress: String = "127.0.0.1"
    ) {
        let parts = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        self.init(
            method: method,
            rawPath: String(parts[0]),
            rawQuery: parts.count > 1 ? String(parts[1]) : "",
            headers: headers,
            body: body,
            remoteAddress: remoteAddress
        )
    }

    public func header(_ name: String) -> String? {
        headers[name.lowercased()]
    }
}

/// What a transport hands a request to.
public protocol HTTPResponder: Sendable {
    func respond(to request: HTTPRequest) -> HTTPResponse
    /// The answer to a request the transport could not read (malformed framing, a body over the
    /// limit), in the responder's own words: `headers` are whatever could be read of it.
    func respondToUnreadableRequest(_ status: HTTPStatus, headers: [String: String]) -> HTTPResponse
}

extension HTTPResponder {
    public func respondToUnreadableRequest(_ status: HTTPStatus, headers: [String: String]) -> HTTPResponse {
        HTTPResponse(status: status, headers: [("Cache-Control", "no-store")])
    }
}
