import HTTPCore
import Testing

private func request(_ body: String, contentType: String? = "application/json") -> HTTPRequest {
    var headers: [String: String] = [:]
    if let contentType { headers["content-type"] = contentType }
    return HTTPRequest(method: "POST", rawPath: "/api/v1/x", headers: headers, body: Array(body.utf8))
}

private let declaration: [String: (kind: JSONBody.Kind, required: Bool)] = [
    "name": (.string, true), "days": (.integer, false), "readOnly": (.boolean, false), "contactTypes": (.stringArray, false),
]

@Suite struct JSONBodyTests {
    @Test func aWellFormedBodyIsReadWithItsKinds() throws {
        let body = try JSONBody.read(
            request(#"{"name": "deploy", "days": 30, "readOnly": true, "contactTypes": ["tech"]}"#, contentType: "application/json; charset=utf-8"),
            limit: 1_000).get()
        #expect(body.validate(declaration).isEmpty)
        #expect(body.string("name") == "deploy")
        #expect(body.integer("days") == 30)
        #expect(body.bool("readOnly") == true)
        #expect(body.strings("contactTypes") == ["tech"])
    }

    @Test func eachWayABodyIsWrongHasItsStatus() {
        #expect(JSONBody.read(request("{}", contentType: "text/plain"), limit: 100).failure?.status.code == 415)
        #expect(JSONBody.read(request("{}", contentType: nil), limit: 100).failure?.status.code == 415)
        #expect(JSONBody.read(request(String(repeating: " ", count: 101) + "{}"), limit: 100).failure == .tooLarge(limit: 100))
        #expect(JSONBody.read(request("{\"name\": "), limit: 100).failure == .malformed)
        #expect(JSONBody.read(request("[1, 2]"), limit: 100).failure == .malformed)
        #expect(JSONBody.read(request("\"text\""), limit: 100).failure?.status.code == 400)
    }

    @Test func unknownMissingAndWronglyKindedMembersAreAllReported() throws {
        let body = try JSONBody.read(request(#"{"days": "30", "readOnly": 1, "contactTypes": ["tech", 2], "a/b": 1}"#), limit: 1_000).get()
        #expect(body.validate(declaration) == [
            .init(pointer: "/a~1b", reason: .unknown),
            .init(pointer: "/contactTypes", reason: .wrongKind(expected: .stringArray)),
            .init(pointer: "/days", reason: .wrongKind(expected: .integer)),
            .init(pointer: "/name", reason: .missing),
            .init(pointer: "/readOnly", reason: .wrongKind(expected: .boolean)),
        ])
        #expect(body.bool("readOnly") == nil, "1 is not true")
    }

    @Test func aFractionIsNoIntegerAndTrueIsNoNumber() throws {
        let body = try JSONBody.read(request(#"{"name": "x", "days": 1.5}"#), limit: 100).get()
        #expect(body.validate(declaration) == [.init(pointer: "/days", reason: .wrongKind(expected: .integer))])
        let flag = try JSONBody.read(request(#"{"name": "x", "days": true}"#), limit: 100).get()
        #expect(flag.validate(declaration) == [.init(pointer: "/days", reason: .wrongKind(expected: .integer))])
        #expect(flag.integer("days") == nil)
    }

    @Test func aProblemDocumentHasTheRFC9457MembersInAFixedOrder() {
        let problem = ProblemDetails(
            slug: "invalid-body", status: .unprocessableContent, title: "Błędne dane", detail: "Pole \"name\" jest wymagane.",
            invalidFields: [.init(pointer: "/name", detail: "wymagane")])
        let response = problem.response(language: "pl")
        #expect(response.status.code == 422)
        #expect(response.header("Content-Type") == "application/problem+json")
        #expect(response.header("Content-Language") == "pl")
        #expect(response.bodyText == #"{"type":"https://service-contacts.example/problems/invalid-body","title":"Błędne dane","status":422,"detail":"Pole \"name\" jest wymagane.","errors":[{"detail":"wymagane","pointer":"/name"}]}"#)
    }
}

extension Result {
    var failure: Failure? {
        if case .failure(let failure) = self { return failure }
        return nil
    }
}
