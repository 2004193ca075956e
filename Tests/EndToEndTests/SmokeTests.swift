import Foundation
import Testing

/// The headers nginx.conf puts on every response, errors included.
let securityHeaders: [(name: String, value: String)] = [
    ("Content-Security-Policy",
     "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("X-Frame-Options", "DENY"),
]

func expectSecurityHeaders(_ response: ClientResponse, sourceLocation: SourceLocation = #_sourceLocation) {
    for (name, value) in securityHeaders {
        #expect(response.headerValues(name) == [value], "\(name) on a \(response.status)", sourceLocation: sourceLocation)
    }
    #expect(response.header("Permissions-Policy") != nil, sourceLocation: sourceLocation)
    #expect(response.header("Server") == "nginx", "no version in Server", sourceLocation: sourceLocation)
}

/// The real contacts-fcgi behind the real nginx, over HTTP on loopback.
@Suite(.timeLimit(.minutes(3)))
struct SmokeTests {
    @Test func theDemosCustomersHaveNamesOfTheirLanguage() throws {
        let server = try EndToEndServer()
        #expect(try server.sqlite("SELECT count(*) FROM account WHERE display_name LIKE 'Customer %';") == "0")
        let names = try server.sqlite("SELECT language || ' ' || display_name FROM account WHERE id LIKE 'cu5%' ORDER BY id LIMIT 3;")
            .split(separator: "\n")
        #expect(names == ["pl Agnieszka Zielińska", "pt Ana Ferreira", "it Francesca Romano"], "\(names)")
        let distinct = try server.sqlite("SELECT count(DISTINCT display_name) = count(*) FROM account WHERE id LIKE 'cu5%';")
        #expect(distinct == "1")
    }

    @Test func metricsAndHealthThroughNginxFromThisHost() throws {
        let server = try EndToEndServer()
        let client = HTTPTestClient(port: server.port)
        #expect(try client.send("GET", "/sign-in").status == 200)
        let metrics = try client.send("GET", "/metrics")
        #expect(metrics.status == 200)
        #expect(metrics.text.contains(#"contacts_requests_total{route="/sign-in",status="200"}"#))
        let health = try client.send("GET", "/healthz")
        #expect(health.status == 200 && health.text.contains("database: ok"))
    }

    @Test func staticFilesComeFromPublicWithCacheAndSecurityHeaders() throws {
        let server = try EndToEndServer()
        let css = try HTTPTestClient(port: server.port).send("GET", "/static/app.css")
        #expect(css.status == 200)
        #expect(css.header("Content-Type") == "text/css; charset=utf-8")
        #expect(css.header("Cache-Control") == "public, max-age=31536000, immutable")
        let onDisk = try Data(contentsOf: EndToEndPaths.publicRoot.appendingPathComponent("static/app.css"))
        #expect(css.body == Array(onDisk))
        expectSecurityHeaders(css)
    }

    @Test func securityHeadersOnErrorsFromNginxAndFromTheApp() throws {
        let server = try EndToEndServer()
        let client = HTTPTestClient(port: server.port)

        let missingStatic = try client.send("GET", "/static/no-such-file.css")
        #expect(missingStatic.status == 404)
        #expect(missingStatic.header("Cache-Control") == nil, "a 404 is not cached for a year")
        expectSecurityHeaders(missingStatic)

        let missingPage = try client.send("GET", "/no-such-page")
        #expect(missingPage.status == 404, "\(server.appLogText)")
        expectSecurityHeaders(missingPage)

        // The static error pages are not reachable directly.
        #expect(try client.send("GET", "/errors/502.html").status == 404)
        #expect(try client.send("GET", "/.git/config").status == 404)
    }

    @Test func aBodyOverTheLimitGetsTheStatic413Page() throws {
        let server = try EndToEndServer()
        let response = try HTTPTestClient(port: server.port).send(
            "POST", "/sign-in",
            headers: [("Content-Type", "application/x-www-form-urlencoded")],
            body: [UInt8](repeating: 0x61, count: 65 * 1024)
        )
        #expect(response.status == 413)
        #expect(response.text.contains("<section lang=\"pt-PT\">"))
        expectSecurityHeaders(response)
    }

    @Test func theAccessLogNeverRecordsQueryStrings() throws {
        let server = try EndToEndServer()
        let client = HTTPTestClient(port: server.port)
        _ = try client.send("GET", "/contacts?secret=abc")
        _ = try client.send("GET", "/static/app.css?secret=def")
        _ = try client.send("POST", "/sign-in?secret=ghi",
                            headers: [("Content-Type", "application/x-www-form-urlencoded")],
                            body: Array("customer_id=x&password=y".utf8))
        let log = server.accessLogText(lines: 3)
        #expect(log.contains("\"GET /contacts HTTP/1.1\""), "\(log)")
        #expect(log.contains("\"GET /static/app.css HTTP/1.1\" 200"), "\(log)")
        #expect(log.contains("\"POST /sign-in HTTP/1.1\""), "\(log)")
        #expect(!log.contains("secret"), "\(log)")
        #expect(!log.contains("?"), "\(log)")
        #expect(!server.errorLogText().contains("secret"))
    }

    @Test func theAppStopsCleanlyOnSIGTERMAndNginxThenShowsThe502Page() throws {
        let server = try EndToEndServer()
        let client = HTTPTestClient(port: server.port)
        #expect(try client.send("GET", "/no-such-page").status == 404)

        #expect(server.stopApp() == 0, "contacts-fcgi exits 0 on SIGTERM:\n\(server.appLogText)")
        #expect(access(server.socketPath, F_OK) != 0, "the socket file is removed")

        let response = try client.send("GET", "/contacts?secret=abc")
        #expect(response.status == 502)
        #expect(response.header("Content-Type") == "text/html; charset=utf-8")
        for language in ["pl", "pt", "it"] {
            #expect(response.text.contains("<section lang=\"\(languageTag(language))\">"))
        }
        expectSecurityHeaders(response)
        #expect(!server.accessLogText(lines: 2).contains("secret"))
        #expect(!server.errorLogText().contains("secret"))
    }
}
