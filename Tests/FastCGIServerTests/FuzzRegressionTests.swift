import HTTPCore
import Testing
@testable import FastCGIServer

/// Inputs the fuzzer (Fuzz/, target FuzzFastCGIMapping) found breaking a property, kept as plain
/// tests. Their raw reproducers are in Fuzz/Regressions/FuzzFastCGIMapping/.
@Suite struct FastCGIFuzzRegressionTests {
    /// Two parameters naming one header (`HTTP_A_B` / `HTTP_A-B`, `HTTP_COOKIE` / `HTTP_cookie`)
    /// made the header depend on the dictionary's order. Only CGI-form names count now.
    @Test func headersDoNotDependOnTheParametersOrder() throws {
        let parameters = [
            "REQUEST_METHOD": "GET", "REQUEST_URI": "/",
            "HTTP_A_B": "1", "HTTP_A-B": "2", "HTTP_COOKIE": "sid=good", "HTTP_cookie": "sid=forged",
        ]
        var reordered: [String: String] = Dictionary(minimumCapacity: 64)
        for (name, value) in parameters.reversed() { reordered[name] = value }

        let request = try #require(FastCGIRequestMapping.request(parameters: parameters, body: []))
        let again = try #require(FastCGIRequestMapping.request(parameters: reordered, body: []))
        #expect(request.headers == again.headers)
        #expect(request.headers == ["a-b": "1", "cookie": "sid=good"])
        #expect(FastCGIRequestMapping.headers(parameters: reordered) == ["a-b": "1", "cookie": "sid=good"])
    }

    @Test func onlyUpperCaseDigitsAndUnderscoreNamesBecomeHeaders() {
        let parameters = ["HTTP_X_FORWARDED_FOR": "a", "HTTP_X2": "b", "HTTP_x": "c", "HTTP_X.Y": "d", "HTTP_É": "e"]
        #expect(FastCGIRequestMapping.headers(parameters: parameters) == ["x-forwarded-for": "a", "x2": "b"])
    }
}
