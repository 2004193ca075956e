import HTTPCore
import Testing
@testable import FastCGIServer

@Suite struct FastCGIRequestMappingTests {
    /// What nginx sends for a plain GET with the standard fastcgi_params.
    let nginxGet: [String: String] = [
        "REQUEST_METHOD": "GET",
        "REQUEST_URI": "/contacts?page=2&sort=name",
        "QUERY_STRING": "page=2&sort=name",
        "DOCUMENT_URI": "/contacts",
        "SCRIPT_NAME": "/contacts",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "192.0.2.7",
        "CONTENT_TYPE": "",
        "CONTENT_LENGTH": "",
        "HTTP_HOST": "127.0.0.1:8080",
        "HTTP_ACCEPT_LANGUAGE": "pt-PT,pt;q=0.9",
        "HTTP_COOKIE": "sid=abc",
        "HTTP_X_FORWARDED_FOR": "198.51.100.1",
    ]

    @Test func mapsMethodPathQueryAndRemoteAddress() throws {
        let request = try #require(FastCGIRequestMapping.request(parameters: nginxGet, body: []))
        #expect(request.method == "GET")
        #expect(request.rawPath == "/contacts")
        #expect(request.rawQuery == "page=2&sort=name")
        #expect(request.remoteAddress == "192.0.2.7")
        #expect(request.body.isEmpty)
    }

    @Test func turnsHTTPParametersIntoLowerCasedDashedHeaders() throws {
        let request = try #require(FastCGIRequestMapping.request(parameters: nginxGet, body: []))
        #expect(request.headers["host"] == "127.0.0.1:8080")
        #expect(request.headers["accept-language"] == "pt-PT,pt;q=0.9")
        #expect(request.headers["cookie"] == "sid=abc")
        #expect(request.headers["x-forwarded-for"] == "198.51.100.1")
        #expect(request.header("Accept-Language") == "pt-PT,pt;q=0.9")
        // Non-header parameters never leak into headers, and empty CONTENT_* are absent.
        #expect(request.headers["server-protocol"] == nil)
        #expect(request.headers["content-type"] == nil)
        #expect(request.headers["content-length"] == nil)
        #expect(request.headers.count == 4)
    }

    @Test func contentTypeAndLengthBecomeHeadersAndTheBodyIsKept() throws {
        var parameters = nginxGet
        parameters["REQUEST_METHOD"] = "POST"
        parameters["REQUEST_URI"] = "/sign-in"
        parameters["QUERY_STRING"] = ""
        parameters["CONTENT_TYPE"] = "application/x-www-form-urlencoded"
        parameters["CONTENT_LENGTH"] = "11"
        let request = try #require(FastCGIRequestMapping.request(parameters: parameters, body: Array("customer=x1".utf8)))
        #expect(request.method == "POST")
        #expect(request.rawPath == "/sign-in")
        #expect(request.rawQuery == "")
        #expect(request.headers["content-type"] == "application/x-www-form-urlencoded")
        #expect(request.headers["content-length"] == "11")
        #expect(request.body == Array("customer=x1".utf8))
    }

    @Test func theCGIContentParametersWinOverHTTPCopies() throws {
        var parameters = nginxGet
        parameters["HTTP_CONTENT_LENGTH"] = "999"
        parameters["HTTP_CONTENT_TYPE"] = "text/evil"
        parameters["CONTENT_LENGTH"] = "2"
        parameters["CONTENT_TYPE"] = "text/plain"
        let request = try #require(FastCGIRequestMapping.request(parameters: parameters, body: [0x61, 0x62]))
        #expect(request.headers["content-length"] == "2")
        #expect(request.headers["content-type"] == "text/plain")
    }

    @Test func queryComesFromRequestURIAndQueryStringIsOnlyAFallback() throws {
        var parameters = nginxGet
        parameters["REQUEST_URI"] = "/a?from=uri"
        parameters["QUERY_STRING"] = "from=query_string"
        #expect(FastCGIRequestMapping.request(parameters: parameters, body: [])?.rawQuery == "from=uri")

        parameters["REQUEST_URI"] = "/a"
        #expect(FastCGIRequestMapping.request(parameters: parameters, body: [])?.rawQuery == "from=query_string")

        parameters["QUERY_STRING"] = nil
        #expect(FastCGIRequestMapping.request(parameters: parameters, body: [])?.rawQuery == "")

        // An empty query after `?` stays empty, and a second `?` belongs to the query.
        parameters["REQUEST_URI"] = "/a?"
        parameters["QUERY_STRING"] = "ignored"
        #expect(FastCGIRequestMapping.request(parameters: parameters, body: [])?.rawQuery == "")
        parameters["REQUEST_URI"] = "/a?b=?c"
        #expect(FastCGIRequestMapping.request(parameters: parameters, body: [])?.rawQuery == "b=?c")
    }

    @Test func pathAndQueryStayPercentEncoded() throws {
        var parameters = nginxGet
        parameters["REQUEST_URI"] = "/caf%C3%A9/x%2Fy?q=a%26b+c"
        let request = try #require(FastCGIRequestMapping.request(parameters: parameters, body: []))
        #expect(request.rawPath == "/caf%C3%A9/x%2Fy")
        #expect(request.rawQuery == "q=a%26b+c")
    }

    @Test func missingRemoteAddressIsEmptyNotInvented() throws {
        var parameters = nginxGet
        parameters["REMOTE_ADDR"] = nil
        #expect(FastCGIRequestMapping.request(parameters: parameters, body: [])?.remoteAddress == "")
    }

    @Test(arguments: [
        ("REQUEST_METHOD", nil),
        ("REQUEST_METHOD", ""),
        ("REQUEST_METHOD", "GE T"),
        ("REQUEST_METHOD", "GET\r\n"),
        ("REQUEST_URI", nil),
        ("REQUEST_URI", ""),
        ("REQUEST_URI", "contacts"),
        ("REQUEST_URI", "http://example.org/contacts"),
        ("REQUEST_URI", "/a b"),
        ("REQUEST_URI", "/caf\u{E9}"),
        ("REQUEST_URI", "/a\u{0}b"),
        ("REQUEST_URI", "/\u{FFFD}"),
        ("CONTENT_LENGTH", "abc"),
        ("CONTENT_LENGTH", "-1"),
        ("CONTENT_LENGTH", "+0"),
        ("CONTENT_LENGTH", "1 "),
        ("CONTENT_LENGTH", "99999999999999999999999"),
    ] as [(String, String?)])
    func missingOrMalformedEssentialsGiveNil(name: String, value: String?) {
        var parameters = nginxGet
        parameters[name] = value
        #expect(FastCGIRequestMapping.request(parameters: parameters, body: []) == nil)
    }

    @Test func aBodyThatDoesNotMatchContentLengthIsRejected() {
        var parameters = nginxGet
        parameters["CONTENT_LENGTH"] = "5"
        #expect(FastCGIRequestMapping.request(parameters: parameters, body: [1, 2, 3]) == nil)
        parameters["CONTENT_LENGTH"] = nil
        #expect(FastCGIRequestMapping.request(parameters: parameters, body: [1]) == nil)
        parameters["CONTENT_LENGTH"] = "0"
        #expect(FastCGIRequestMapping.request(parameters: parameters, body: []) != nil)
    }

    @Test func otherMethodsAreKeptAsSent() {
        var parameters = nginxGet
        for method in ["HEAD", "PUT", "DELETE", "OPTIONS", "PROPFIND"] {
            parameters["REQUEST_METHOD"] = method
            #expect(FastCGIRequestMapping.request(parameters: parameters, body: [])?.method == method)
        }
    }
}

@Suite struct FastCGIResponseEncodingTests {
    @Test func writesStatusLineHeadersInOrderAndContentLength() {
        let response = HTTPResponse(
            status: .seeOther,
            headers: [("Location", "/contacts"), ("Set-Cookie", "a=1"), ("Set-Cookie", "b=2")],
            body: Array("moved".utf8)
        )
        let encoded = FastCGIResponseEncoding.encode(response, requestMethod: "POST")
        #expect(String(decoding: encoded.head, as: UTF8.self)
            == "Status: 303 See Other\r\nLocation: /contacts\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\nContent-Length: 5\r\n\r\n")
        #expect(encoded.body == Array("moved".utf8))
        #expect(encoded.droppedHeaders.isEmpty)
    }

    @Test func keepsTheResponderContentLengthAndSendsNoBodyForHead() {
        let response = HTTPResponse(headers: [("Content-Length", "5")], body: Array("hello".utf8))
        let encoded = FastCGIResponseEncoding.encode(response, requestMethod: "HEAD")
        #expect(String(decoding: encoded.head, as: UTF8.self) == "Status: 200 OK\r\nContent-Length: 5\r\n\r\n")
        #expect(encoded.body.isEmpty)
    }

    @Test func leavesOutHeadersThatCouldSplitTheResponse() {
        let response = HTTPResponse(headers: [
            ("X-Good", "fine value \u{00E9}"),
            ("X-Evil", "a\r\nSet-Cookie: injected=1"),
            ("Bad Name", "x"),
            ("X-Nul", "a\u{0}b"),
            ("Status", "200 OK"),
        ])
        let encoded = FastCGIResponseEncoding.encode(response, requestMethod: "GET")
        let head = String(decoding: encoded.head, as: UTF8.self)
        #expect(head == "Status: 200 OK\r\nX-Good: fine value \u{00E9}\r\nContent-Length: 0\r\n\r\n")
        #expect(encoded.droppedHeaders.count == 4)
    }

    @Test func noContentLengthOrBodyForNotModified() {
        let response = HTTPResponse(status: HTTPStatus(code: 304, reason: "Not Modified"), body: [1, 2])
        let encoded = FastCGIResponseEncoding.encode(response, requestMethod: "GET")
        #expect(String(decoding: encoded.head, as: UTF8.self) == "Status: 304 Not Modified\r\n\r\n")
        #expect(encoded.body.isEmpty)
    }
}
