import ContactsDomain
import ContactsStore
import Credentials
import FastCGIServer
import Foundation
import HTTPCore
import Logging
import WebApp

/// The whole application: FastCGI parameters (the FuzzFastCGIMapping input format: `NAME=VALUE`
/// lines, an empty line, the body) → `HTTPRequest` → `Application.respond(to:)` on a temporary
/// database holding one account. `$SESSION` and `$CSRF` in any value are replaced by a real
/// signed-in session's cookie value and CSRF token, so signed-in pages and POSTs are reached.
///
/// Properties: never a 5xx (bad input is the client's error, never the server's), redirects only
/// to paths of this site, HTML pages say their language, no control characters in any header, and
/// a request the adapter cannot map gets the localized 400 page.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzApplication(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    let world = World.shared
    let (list, rawBody) = split(bytes)
    var parameters: [String: String] = [:]
    for (name, value) in list { parameters[name] = world.fillIn(value) }
    // The body too, keeping CONTENT_LENGTH right when it was right for the input.
    let body = Array(world.fillIn(String(decoding: rawBody, as: UTF8.self)).utf8)
    if body != rawBody, parameters["CONTENT_LENGTH"] == String(rawBody.count) {
        parameters["CONTENT_LENGTH"] = String(body.count)
    }

    let response: HTTPResponse
    if let request = FastCGIRequestMapping.request(parameters: parameters, body: body) {
        response = world.app.respond(to: request)
    } else {
        response = world.app.respondToUnreadableRequest(.badRequest, headers: FastCGIRequestMapping.headers(parameters: parameters))
        check(response.status.code == 400, "an unreadable request got \(response.status)")
    }
    check(response.status.code < 500, "\(response.status) for \(parameters) body \(body.count) bytes:\n\(response.bodyText.prefix(400))")
    // Redirects stay on this site: `next=` and `back=` parameters must never make an open redirect.
    if let location = response.header("Location") {
        check(location.hasPrefix("/") && !location.hasPrefix("//") && !location.hasPrefix("/\\"),
              "redirect to \(location.debugDescription) for \(parameters)")
    }
    if response.header("Content-Type")?.hasPrefix("text/html") == true {
        check(response.header("Content-Language") != nil, "an HTML page without Content-Language")
    }
    for (name, value) in response.headers {
        check(!name.utf8.contains { $0 < 0x20 || $0 == 0x7F } && !value.utf8.contains { $0 < 0x20 || $0 == 0x7F },
              "a control character in response header \(name)")
    }
    return 0
}

private func check(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition {
        FileHandle.standardError.write(Data("property failed: \(message())\n".utf8))
        abort()
    }
}

/// Built once per process: the app, its database, one account signed in.
final class World: Sendable {
    static let shared = World()

    let app: Application
    let session: String
    let csrf: String

    func fillIn(_ text: String) -> String {
        guard text.contains("$") else { return text }
        return text.replacingOccurrences(of: "$SESSION", with: session).replacingOccurrences(of: "$CSRF", with: csrf)
    }

    private init() {
        LoggingSystem.bootstrap { _ in SwiftLogNoOpLogHandler() }
        // Fuzz/App/Sources/FuzzApplication/FuzzApplication.swift → the repository's root.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let app: Application
        do {
            let database = try AppDatabase.temporary()
            let configuration = AppConfiguration(
                databasePath: "unused",
                templatesDirectory: root.appendingPathComponent("Templates").path,
                publicBaseURL: "https://contacts.example.test"
            )
            let now = Date(timeIntervalSince1970: 1_800_000_000)
            app = try Application(configuration: configuration, database: database, clock: { now })
            let account = Account(
                id: try CustomerID(parsing: "aa123456-ovh"), displayName: "Fuzz <b>&amp;</b>",
                email: EmailAddress(trusted: "aa123456-ovh@example.test"), language: .pl, paymentStatus: .upToDate
            )
            try database.createAccount(account, passwordHash: PasswordHasher.hash("fuzz password"), now: now)
        } catch {
            fatalError("setting up the application failed: \(error)")
        }
        // Sign in as a browser does: the form's token, then the POST.
        var cookies: [String: String] = [:]
        func send(_ request: HTTPRequest) -> HTTPResponse {
            var request = request
            request.headers["cookie"] = cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")
            let response = app.respond(to: request)
            for header in response.headerValues("Set-Cookie") {
                let pair = header.split(separator: ";")[0].split(separator: "=", maxSplits: 1)
                if pair.count == 2 { cookies[String(pair[0])] = String(pair[1]) }
            }
            return response
        }
        let form = send(HTTPRequest(method: "GET", target: "/sign-in")).bodyText
        var fields = FormData()
        fields.set("customer_id", "aa123456-ovh")
        fields.set("password", "fuzz password")
        fields.set("csrf", field("csrf", in: form) ?? "")
        _ = send(HTTPRequest(method: "POST", target: "/sign-in",
                             headers: ["content-type": "application/x-www-form-urlencoded"], body: Array(fields.encoded.utf8)))
        let page = send(HTTPRequest(method: "GET", target: "/profile")).bodyText
        self.app = app
        session = cookies["sc_session"] ?? ""
        csrf = field("csrf", in: page) ?? ""
        if session.isEmpty || csrf.isEmpty {
            FileHandle.standardError.write(Data("warning: signing in failed; signed-in pages will not be reached\n".utf8))
        }
    }
}

private func field(_ name: String, in page: String) -> String? {
    guard let field = page.range(of: "name=\"\(name)\"") else { return nil }
    let rest = page[field.upperBound...]
    guard let start = rest.range(of: "value=\""), let end = rest[start.upperBound...].firstIndex(of: "\"") else { return nil }
    return String(rest[start.upperBound..<end])
}

private func split(_ bytes: [UInt8]) -> ([(String, String)], [UInt8]) {
    var list: [(String, String)] = []
    var index = 0
    while index < bytes.count {
        let end = bytes[index...].firstIndex(of: 0x0A) ?? bytes.count
        let line = bytes[index..<end]
        index = end + 1
        if line.isEmpty { return (list, Array(bytes[min(index, bytes.count)...])) }
        let equals = line.firstIndex(of: UInt8(ascii: "=")) ?? end
        list.append((String(decoding: line[..<equals], as: UTF8.self), String(decoding: line[min(equals + 1, end)..<end], as: UTF8.self)))
    }
    return (list, [])
}
