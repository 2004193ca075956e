import Foundation
import HTTPCore

/// The API's description, docs/openapi.json, read once at start (a missing or broken file stops
/// the program there, as a broken template does) and served as it is at `/api/v1/openapi.json`.
struct APIDocument: Sendable {
    let bytes: [UInt8]

    /// `configuration.apiDocumentPath`, else `docs/openapi.json` beside the templates' folder: the
    /// repository's layout, and the deployment's (`/opt/contacts/Templates`, `/opt/contacts/docs`).
    init(configuration: AppConfiguration) throws {
        let path = configuration.apiDocumentPath ?? ((configuration.templatesDirectory as NSString)
            .deletingLastPathComponent as NSString).appendingPathComponent("docs/openapi.json")
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        guard (try? JSONSerialization.jsonObject(with: data)) is [String: Any] else {
            throw APIDocumentError(path: path)
        }
        bytes = Array(data)
    }
}

struct APIDocumentError: Error, CustomStringConvertible {
    let path: String
    var description: String { "\(path): not a JSON object (the OpenAPI document of /api/v1/)" }
}

extension Application {
    func apiDocumentResponse() -> HTTPResponse {
        HTTPResponse(status: .ok, headers: [("Content-Type", "application/json")], body: api.document.bytes)
    }
}
