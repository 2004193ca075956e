import ContactsDomain
import ContactsStore
import Credentials
import Foundation
import HTTPCore
import Localization
import Testing
@testable import WebApp

/// One answer of the API, its body read as JSON.
struct APIAnswer {
    let response: HTTPResponse
    var status: Int { response.status.code }
    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any] ?? [:]
    }
    var items: [[String: Any]] { json["items"] as? [[String: Any]] ?? [] }
    var slug: String? { (json["type"] as? String)?.replacingOccurrences(of: ProblemDetails.typeBase, with: "") }
    var detail: String { json["detail"] as? String ?? "" }
    var pointers: [String] { (json["errors"] as? [[String: Any]] ?? []).compactMap { $0["pointer"] as? String } }
}

/// Calls the API through the application's router, as a script would with a token, and holds
/// every answer to docs/openapi.json (`OpenAPIContract`).
struct APIClient {
    let app: Application
    var token: String?
    var acceptLanguage: String?

    @discardableResult
    func call(
        _ method: String, _ target: String, json: Any? = nil, body: [UInt8]? = nil,
        contentType: String? = nil, headers: [String: String] = [:],
        sourceLocation: SourceLocation = #_sourceLocation
    ) -> APIAnswer {
        var allHeaders = headers
        if let token, allHeaders["authorization"] == nil { allHeaders["authorization"] = "Bearer \(token)" }
        if let acceptLanguage { allHeaders["accept-language"] = acceptLanguage }
        var bytes = body ?? []
        if let json {
            bytes = Array(try! JSONSerialization.data(withJSONObject: json))
            allHeaders["content-type"] = "application/json"
        }
        if let contentType { allHeaders["content-type"] = contentType }
        let response = app.respond(to: HTTPRequest(method: method, target: "/api/v1" + target, headers: allHeaders, body: bytes))
        let answer = APIAnswer(response: response)
        let path = String(target.split(separator: "?", maxSplits: 1).first ?? "")
        let violations = OpenAPIContract.shared.violations(of: response, method: method, path: Self.documentedPath(path))
        #expect(violations.isEmpty, "\(method) \(target) → \(answer.status): \(violations)\n\(response.bodyText)", sourceLocation: sourceLocation)
        if response.status.code >= 400 {
            #expect(response.header("Content-Type") == "application/problem+json", "\(method) \(target)", sourceLocation: sourceLocation)
        }
        #expect(response.status.code < 500 || response.status.code == 503, "\(method) \(target): \(response.bodyText)", sourceLocation: sourceLocation)
        return answer
    }

    /// The document's path for a concrete one: `/contactChanges/7/accept` → `/contactChanges/{id}/accept`;
    /// a literal segment wins over a parameter (`/contactChanges/preview`).
    static func documentedPath(_ path: String) -> String {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        let paths = (OpenAPIContract.shared.document["paths"] as? [String: Any] ?? [:]).keys
        let fitting = paths.filter { candidate in
            let pattern = candidate.split(separator: "/", omittingEmptySubsequences: false)
            return pattern.count == segments.count && zip(pattern, segments).allSatisfy { $0.hasPrefix("{") || $0 == $1 }
        }
        return fitting.min { $0.filter { $0 == "{" }.count < $1.filter { $0 == "{" }.count } ?? path
    }
}

/// Accounts, services and tokens for the API's tests, on the real application and store.
struct APIWorld {
    let test: TestApp
    let admin: CustomerID
    let tech: CustomerID
    let billing: CustomerID
    let newcomer: CustomerID
    let stranger: CustomerID
    let serviceID: Int64
    let otherServiceID: Int64

    init(configure: (inout AppConfiguration) -> Void = { _ in }) throws {
        test = try TestApp(configure: configure)
        admin = try test.addAccount("ap100-ovh", name: "Anna Admin", language: .pl)
        tech = try test.addAccount("ap200-ovh", name: "Tiago Técnico", language: .pt)
        billing = try test.addAccount("ap300-ovh", name: "Bianca Billing", language: .it)
        newcomer = try test.addAccount("ap400-ovh", name: "Nuno Novo", language: .pt)
        stranger = try test.addAccount("ap500-ovh", name: "Stefan Strange", language: .pl)
        serviceID = try test.database.addService(name: "api-shop.example.pl", type: .domain, administrative: admin, technical: tech, billing: billing)
        otherServiceID = try test.database.addService(name: "vps-api.example.pl", type: .vps, administrative: tech, technical: tech, billing: billing)
    }

    /// A new token of `account`, as the profile page would make it.
    func token(for account: CustomerID, scope: APITokenScope = .readWrite, days: Int = 30) throws -> String {
        let token = APITokenSecret.generate()
        _ = try test.database.createAPIToken(
            for: account, name: "test \(UUID().uuidString.prefix(8))", scope: scope, days: days,
            digest: Secret.digest(token), now: test.clock.now)
        return token
    }

    func client(_ account: CustomerID, scope: APITokenScope = .readWrite) throws -> APIClient {
        APIClient(app: test.app, token: try token(for: account, scope: scope))
    }

    /// The code of the latest confirmation email to `recipient`.
    func code(for recipient: CustomerID) throws -> String {
        let body = try #require(try test.database.pendingEmails(now: test.clock.now.addingTimeInterval(3600), limit: 1000)
            .map(\.email).filter { $0.recipient == recipient }.last { $0.bodyText.contains("?code=") }?.bodyText)
        let start = try #require(body.range(of: "?code="))
        return String(body[start.upperBound...].prefix { !$0.isWhitespace })
    }

    /// The administrator asks, through the API, for `newcomer` as technical contact.
    func askForNewTechnicalContact(_ client: APIClient, sourceLocation: SourceLocation = #_sourceLocation) throws -> Int64 {
        let created = client.call("POST", "/contactChanges", json: [
            "selection": ["serviceIds": [serviceID]], "contactTypes": ["contactTech"], "toAccount": newcomer.rawValue,
        ], sourceLocation: sourceLocation)
        try #require(created.status == 201, "\(created.response.bodyText)", sourceLocation: sourceLocation)
        return try #require(created.items.first?["id"] as? Int64 ?? (created.items.first?["id"] as? Int).map(Int64.init))
    }
}
