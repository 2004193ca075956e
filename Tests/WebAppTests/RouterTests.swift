import HTTPCore
import Testing
@testable import WebApp

@Suite struct RouterTests {
    func router() -> Router {
        var router = Router()
        router.add("GET", "/requests") { _, _ in HTTPResponse(status: .ok, body: Array("list".utf8)) }
        router.add("GET", "/requests/:id") { _, _ in HTTPResponse(status: .ok, body: Array("show".utf8)) }
        router.add("POST", "/requests/:id/accept") { _, _ in HTTPResponse(status: .ok, body: Array("accept".utf8)) }
        return router
    }

    @Test func literalAndParameterSegmentsMatch() {
        guard case .found(_, let id) = router().match(method: "GET", path: "/requests") else { Issue.record("no match"); return }
        #expect(id == nil)
        guard case .found(_, let shown) = router().match(method: "GET", path: "/requests/42") else { Issue.record("no match"); return }
        #expect(shown == 42)
        guard case .found(_, let accepted) = router().match(method: "POST", path: "/requests/7/accept") else { Issue.record("no match"); return }
        #expect(accepted == 7)
    }

    @Test(arguments: ["/requests/0", "/requests/-1", "/requests/abc", "/requests/1.5", "/requests/", "/requests/42/", "/requests/99999999999999999999", "/requests/４２"])
    func onlyPositiveDecimalIDsMatch(_ path: String) {
        guard case .none = router().match(method: "GET", path: path) else {
            Issue.record("\(path) should not match")
            return
        }
    }

    @Test func aKnownPathUnderAnotherMethodListsTheAllowedOnes() {
        guard case .wrongMethod(let allowed) = router().match(method: "GET", path: "/requests/7/accept") else { Issue.record("expected 405"); return }
        #expect(allowed == ["POST"])
        guard case .wrongMethod(let readable) = router().match(method: "DELETE", path: "/requests/7") else { Issue.record("expected 405"); return }
        #expect(readable == ["GET", "HEAD"])
    }
}
