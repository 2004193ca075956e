import ArgumentParser
import Foundation
import HTTPCore
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// How log lines are written on standard error.
enum LogFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

/// One line per request, through swift-log: method, path (its numeric segments as `:id`, the
/// routes' own pattern; never the query string, where codes travel), status and duration.
/// Cookies, headers and bodies are never logged.
struct LoggingResponder: HTTPResponder {
    let inner: any HTTPResponder
    let logger: Logger

    func respond(to request: HTTPRequest) -> HTTPResponse {
        let started = ContinuousClock.now
        let response = inner.respond(to: request)
        log(method: request.method, path: Self.pattern(of: request.rawPath), status: response.status.code, since: started)
        return response
    }

    func respondToUnreadableRequest(_ status: HTTPStatus, headers: [String: String]) -> HTTPResponse {
        let started = ContinuousClock.now
        let response = inner.respondToUnreadableRequest(status, headers: headers)
        log(method: "-", path: "-", status: response.status.code, since: started)
        return response
    }

    private func log(method: String, path: String, status: Int, since started: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - started
        let milliseconds = Double(elapsed.components.seconds) * 1_000 + Double(elapsed.components.attoseconds) / 1e15
        logger.info("request", metadata: [
            "method": "\(method.prefix(16))",
            "path": "\(path)",
            "status": "\(status)",
            "duration_ms": "\((milliseconds * 10).rounded() / 10)",
        ])
    }

    /// The path without any query string, each all-digit segment as `:id`, at most 200
    /// characters: low-cardinality and free of anything a visitor typed after `?`.
    static func pattern(of rawPath: String) -> String {
        let path = rawPath.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        let segments = path.split(separator: "/", omittingEmptySubsequences: false).map { segment in
            !segment.isEmpty && segment.allSatisfy(\.isASCII) && segment.allSatisfy(\.isNumber) ? ":id" : String(segment)
        }
        let joined = segments.joined(separator: "/")
        return joined.count > 200 ? String(joined.prefix(200)) + "…" : joined
    }
}

/// A swift-log handler writing one JSON object per line on standard error: time, level,
/// label, message and the metadata as strings.
struct JSONLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var fields: [String: String] = [:]
        for (key, value) in metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 }) {
            fields[key] = "\(value)"
        }
        fields["time"] = Date().formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
        fields["level"] = event.level.rawValue
        fields["label"] = label
        fields["message"] = event.message.description
        if let error = event.error { fields["error"] = String(describing: error) }
        guard var data = try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys, .withoutEscapingSlashes]) else { return }
        data.append(0x0A)
        // One write(2) per line: lines from several workers never interleave.
        _ = data.withUnsafeBytes { bytes in write(STDERR_FILENO, bytes.baseAddress, bytes.count) }
    }
}
