import ContactsDomain
import ContactsStore
import Credentials
import Foundation
import HTTPCore
import Localization
import Testing
@testable import WebApp

/// The API's front door: tokens only, problem documents in the caller's language, the per-token
/// throttle, unknown paths and methods. Every answer is held to docs/openapi.json (`APIClient`).
@Suite struct APIFrontDoorTests {
    @Test func theDocumentIsServedWithoutAToken() throws {
        let world = try APIWorld()
        let answer = APIClient(app: world.test.app).call("GET", "/openapi.json")
        #expect(answer.status == 200)
        #expect(answer.response.header("Content-Type") == "application/json")
        let served = try JSONSerialization.jsonObject(with: Data(answer.response.body)) as? NSDictionary
        let file = try JSONSerialization.jsonObject(with: Data(contentsOf: TestApp.packageRoot.appendingPathComponent("docs/openapi.json"))) as? NSDictionary
        #expect(served != nil && served == file)
    }

    @Test(arguments: Language.allCases)
    func noTokenIs401WithBearerChallengeInTheAskedLanguage(_ language: Language) throws {
        let world = try APIWorld()
        var client = APIClient(app: world.test.app)
        client.acceptLanguage = "\(language.rawValue);q=0.9, en;q=0.5"
        let answer = client.call("GET", "/services")
        #expect(answer.status == 401)
        #expect(answer.slug == "unauthorized")
        #expect(answer.response.header("WWW-Authenticate") == "Bearer")
        #expect(answer.detail == world.test.app.catalog.string("api_error_token_missing", language))
        #expect(answer.json["title"] as? String == world.test.app.catalog.string("api_title_unauthorized", language))
        #expect(answer.response.header("Content-Language") == language.tag)
    }

    @Test func unknownMalformedRevokedAndExpiredTokensAre401() throws {
        let world = try APIWorld()
        let revoked = try world.token(for: world.admin)
        let id = try #require(try world.test.database.apiTokens(of: world.admin).first?.id)
        #expect(try world.test.database.revokeAPIToken(id, of: world.admin, now: world.test.clock.now))
        let expiring = try world.token(for: world.admin, days: 1)
        world.test.clock.advance(by: 24 * 60 * 60 + 1)
        for token in [APITokenSecret.generate(), "sct_short", revoked, expiring] {
            let answer = APIClient(app: world.test.app, token: token).call("GET", "/services")
            #expect(answer.status == 401, "\(token)")
            #expect(answer.response.header("WWW-Authenticate") == #"Bearer error="invalid_token""#)
            #expect(answer.detail == world.test.app.catalog.string("api_error_token_invalid", .pl))
        }
        // Another scheme is no token either
        let basic = APIClient(app: world.test.app).call("GET", "/services", headers: ["authorization": "Basic YWRtaW46YWRtaW4="])
        #expect(basic.status == 401)
    }

    @Test func aSessionCookieOpensNoAPIAndATokenOpensNoPage() throws {
        let world = try APIWorld()
        let browser = world.test.browser()
        browser.signIn(world.admin.rawValue)
        #expect(browser.get("/contacts").status == .ok)
        // The browser's signed-in cookie on an API call: no token, no access
        let cookie = browser.cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")
        let withCookie = APIClient(app: world.test.app).call("GET", "/services", headers: ["cookie": cookie])
        #expect(withCookie.status == 401)
        // A token on a page: the page does not know it and sends the visitor to sign in
        let token = try world.token(for: world.admin)
        let page = world.test.app.respond(to: HTTPRequest(method: "GET", target: "/contacts", headers: ["authorization": "Bearer \(token)"]))
        #expect(page.status == .seeOther)
        #expect(page.header("Location")?.hasPrefix("/sign-in") == true)
        let post = world.test.app.respond(to: HTTPRequest(
            method: "POST", target: "/services/\(world.serviceID)/edit",
            headers: ["authorization": "Bearer \(token)", "content-type": "application/x-www-form-urlencoded"],
            body: Array("new_tech=\(world.newcomer.rawValue)".utf8)))
        #expect(post.status == .forbidden)
        #expect(try world.test.database.requests(for: world.admin, now: world.test.clock.now).requests.isEmpty)
    }

    @Test func aReadOnlyTokenReadsButChangesNothing() throws {
        let world = try APIWorld()
        let client = try world.client(world.admin, scope: .readOnly)
        #expect(client.call("GET", "/services").status == 200)
        let refused = client.call("POST", "/contactChanges", json: [
            "selection": ["serviceIds": [world.serviceID]], "contactTypes": ["contactTech"], "toAccount": world.newcomer.rawValue,
        ])
        #expect(refused.status == 403)
        #expect(refused.slug == "read-only-token")
        #expect(refused.detail == world.test.app.catalog.string("api_error_read_only", .pl))
        #expect(try world.test.database.requests(for: world.admin, now: world.test.clock.now).requests.isEmpty)
        #expect(client.call("POST", "/contactChanges/1/cancel").status == 403)
    }

    @Test func unknownPathsAre404AndWrongMethods405WithAllow() throws {
        let world = try APIWorld()
        let client = try world.client(world.admin)
        for path in ["/nothing", "/services/abc", "/services/0", "/services/-1", "/contactChanges/1/nothing", ""] {
            let answer = client.call("GET", path)
            #expect(answer.status == 404, "\(path)")
            #expect(answer.slug == "not-found")
        }
        let wrong = client.call("DELETE", "/services")
        #expect(wrong.status == 405)
        #expect(wrong.slug == "method-not-allowed")
        #expect(wrong.response.header("Allow") == "GET, HEAD")
        let getAccept = client.call("GET", "/contactChanges/1/accept")
        #expect(getAccept.status == 405)
        #expect(getAccept.response.header("Allow") == "POST")
        // Broken percent-encoding is the caller's mistake, not the server's
        let broken = client.call("GET", "/services?q=%ZZ")
        #expect(broken.status == 400)
    }

    @Test(arguments: [("pl", Language.pl), ("pt-PT,pt;q=0.9", .pt), ("it-IT", .it), (nil, .pl), ("en-GB", .pl), ("de, *;q=0.1", .pl)] as [(String?, Language)])
    func problemDetailsFollowAcceptLanguageThenTheAccountsLanguage(_ header: String?, _ expected: Language) throws {
        let world = try APIWorld()
        // The admin's account speaks Polish
        var client = try world.client(world.admin)
        client.acceptLanguage = header
        let answer = client.call("GET", "/services/999999")
        #expect(answer.status == 404)
        #expect(answer.detail == world.test.app.catalog.string("api_error_not_found", expected))
        #expect(answer.json["title"] as? String == world.test.app.catalog.string("api_title_not_found", expected))
        #expect(answer.response.header("Content-Language") == expected.tag)
    }

    @Test func withoutAcceptLanguageTheDetailIsInTheAccountsOwnLanguage() throws {
        let world = try APIWorld()
        // The technical contact's account speaks Portuguese
        let answer = try world.client(world.tech).call("GET", "/contactChanges/424242")
        #expect(answer.status == 404)
        #expect(answer.detail == world.test.app.catalog.string("api_error_not_found", .pt))
    }

    @Test func eachTokenHasItsOwnBucketAndWaitsWithRetryAfter() throws {
        let world = try APIWorld { $0.apiRateLimit = APIRateLimit(burst: 3, perSecond: 0.5) }
        var client = try world.client(world.admin)
        client.acceptLanguage = "it"
        for _ in 0..<3 { #expect(client.call("GET", "/services").status == 200) }
        let limited = client.call("GET", "/services")
        #expect(limited.status == 429)
        #expect(limited.slug == "rate-limited")
        #expect(limited.response.header("Retry-After") == "2")
        #expect(limited.detail == world.test.app.catalog.plural("api_error_rate_limited", count: 2, .it))
        // Another token of the same account has its own bucket
        #expect(try world.client(world.admin).call("GET", "/services").status == 200)
        // Two seconds later one more call is allowed, and only one
        world.test.clock.advance(by: 2)
        #expect(client.call("GET", "/services").status == 200)
        #expect(client.call("GET", "/services").status == 429)
    }

    @Test func aCallRecordsTheTokensLastUseAtMostOnceAMinute() throws {
        let world = try APIWorld()
        let client = try world.client(world.admin)
        #expect(try world.test.database.apiTokens(of: world.admin).first?.lastUsedAt == nil)
        let first = world.test.clock.now
        client.call("GET", "/services")
        #expect(try world.test.database.apiTokens(of: world.admin).first?.lastUsedAt == first)
        world.test.clock.advance(by: 30)
        client.call("GET", "/services")
        #expect(try world.test.database.apiTokens(of: world.admin).first?.lastUsedAt == first)
        world.test.clock.advance(by: 31)
        client.call("GET", "/services")
        #expect(try world.test.database.apiTokens(of: world.admin).first?.lastUsedAt == world.test.clock.now)
    }

    @Test func headAnswersLikeGetWithoutABody() throws {
        let world = try APIWorld()
        let client = try world.client(world.admin)
        let head = client.app.respond(to: HTTPRequest(method: "HEAD", target: "/api/v1/services", headers: ["authorization": "Bearer \(client.token!)"]))
        #expect(head.status == .ok)
        #expect(head.body.isEmpty)
        #expect(head.header("Cache-Control") == "no-store")
    }
}
