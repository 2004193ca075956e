import ContactsDomain
import ContactsStore
import Credentials
import Foundation
import HTTPCore
import Synchronization
@testable import WebApp

/// A clock the test moves by hand.
final class TestClock: Sendable {
    private let current = Mutex(Date(timeIntervalSince1970: 1_800_000_000))
    var now: Date { current.withLock { $0 } }
    func advance(by seconds: TimeInterval) { current.withLock { $0 = $0.addingTimeInterval(seconds) } }
}

/// The real application on a real temporary SQLite file with the real templates and catalog.
struct TestApp {
    static let password = "correct horse battery staple"
    /// Hashing is deliberately slow; every test account shares one hash.
    static let passwordHash = try! PasswordHasher.hash(password)
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    let app: Application
    let database: AppDatabase
    let clock = TestClock()

    init(
        defaultLanguage: Language = .pl, demoMailboxDirectory: String? = nil, secureCookies: Bool = false,
        configure: (inout AppConfiguration) -> Void = { _ in }
    ) throws {
        let database = try AppDatabase.temporary()
        var configuration = AppConfiguration(
            databaseLocation: "unused",
            templatesDirectory: Self.packageRoot.appendingPathComponent("Templates").path,
            publicBaseURL: "https://contacts.example.test",
            defaultLanguage: defaultLanguage,
            secureCookies: secureCookies,
            demoMailboxDirectory: demoMailboxDirectory
        )
        configure(&configuration)
        let clock = self.clock
        app = try Application(configuration: configuration, database: database, clock: { clock.now })
        // The application's database: the same file, with the application's request emails.
        self.database = app.database as! AppDatabase
    }

    @discardableResult
    func addAccount(_ id: String, name: String = "Test Account", language: Language = .pl, overdue: Bool = false) throws -> CustomerID {
        let customerID = try CustomerID(parsing: id)
        let account = Account(
            id: customerID, displayName: name, email: EmailAddress(trusted: "\(id)@example.test"),
            language: language, paymentStatus: overdue ? .overdue : .upToDate
        )
        try database.createAccount(account, passwordHash: Self.passwordHash, now: clock.now)
        return customerID
    }

    func browser(from remoteAddress: String = "127.0.0.1") -> Browser {
        let browser = Browser(app: app)
        browser.remoteAddress = remoteAddress
        return browser
    }
}

/// Plays a browser: keeps cookies, fills forms with the CSRF token of the last page.
final class Browser {
    let app: Application
    var cookies: [String: String] = [:]
    var acceptLanguage: String?
    /// The client address the application sees (nginx's REMOTE_ADDR).
    var remoteAddress = "127.0.0.1"
    private(set) var lastPage = ""

    init(app: Application) { self.app = app }

    @discardableResult
    func get(_ target: String, headers: [String: String] = [:]) -> HTTPResponse {
        send(HTTPRequest(method: "GET", target: target, headers: headers))
    }

    /// Posts `fields` urlencoded, adding the CSRF token from the last page unless one is given.
    @discardableResult
    func post(_ target: String, _ fields: [(String, String)], csrf: String? = nil, headers: [String: String] = [:]) -> HTTPResponse {
        var form = FormData()
        for (name, value) in fields { form.set(name, value) }
        if form.value("csrf") == nil { form.set("csrf", csrf ?? csrfToken ?? "") }
        var allHeaders = headers
        allHeaders["content-type"] = "application/x-www-form-urlencoded"
        return send(HTTPRequest(method: "POST", target: target, headers: allHeaders, body: Array(form.encoded.utf8)))
    }

    func send(_ request: HTTPRequest) -> HTTPResponse {
        var request = request
        if !cookies.isEmpty {
            request.headers["cookie"] = cookies.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: "; ")
        }
        if let acceptLanguage { request.headers["accept-language"] = acceptLanguage }
        request.remoteAddress = remoteAddress
        let response = app.respond(to: request)
        for header in response.headerValues("Set-Cookie") {
            let pair = header.split(separator: ";")[0].split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(pair[0])
            let value = pair.count > 1 ? String(pair[1]) : ""
            if header.contains("Max-Age=0") || value.isEmpty { cookies[name] = nil } else { cookies[name] = value }
        }
        if response.header("Content-Type")?.hasPrefix("text/html") == true { lastPage = response.bodyText }
        return response
    }

    /// The value of the first `name="csrf"` field on the last page.
    var csrfToken: String? { lastPage.firstValue(ofField: "csrf") }

    @discardableResult
    func signIn(_ id: String, password: String = TestApp.password) -> HTTPResponse {
        get("/sign-in")
        return post("/sign-in", [("customer_id", id), ("password", password)])
    }
}

extension String {
    /// The `value` attribute of the input named `name`, as the page escaped it.
    func firstValue(ofField name: String) -> String? {
        guard let field = range(of: "name=\"\(name)\"") else { return nil }
        let rest = self[field.upperBound...]
        guard let start = rest.range(of: "value=\""), let end = rest[start.upperBound...].firstIndex(of: "\"") else { return nil }
        return String(rest[start.upperBound..<end])
    }

    func count(of needle: String) -> Int {
        components(separatedBy: needle).count - 1
    }
}
