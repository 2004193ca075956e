import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Broken and hostile requests as nginx passes them on (or refuses them itself): raw bytes in
/// paths, queries, forms and cookies, huge and numerous fields, junk headers. Whoever answers,
/// the answer is a 4xx page (or the page itself, for what is ignored), never a 5xx, and the app
/// keeps serving without logging an error.
@Suite(.timeLimit(.minutes(3)))
struct BadInputThroughNginxTests {
    @Test func rawBytesAndBrokenEncodingInPathsQueriesFormsAndCookies() throws {
        let server = try EndToEndServer()
        let password = try DemoDatabase.demoPassword(for: "pl100001-ovh")
        let browser = Browser(port: server.port)
        try browser.signIn(TestAccount(id: "pl100001-ovh", name: "", email: "", language: "pl", password: password))
        let csrf = try #require(Page.csrf(in: try browser.get("/profile")))
        let cookie = browser.cookies.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")
        let emailBefore = try server.sqlite("SELECT email FROM account WHERE id = 'pl100001-ovh';")

        func raw(_ head: [UInt8], body: [UInt8] = []) throws -> ClientResponse {
            try RawHTTP.exchange(port: server.port, request: head + Array("Connection: close\r\n".utf8)
                + (body.isEmpty ? [] : Array("Content-Type: application/x-www-form-urlencoded\r\nContent-Length: \(body.count)\r\n".utf8))
                + Array("\r\n".utf8) + body)
        }
        func get(_ target: [UInt8], headers: String = "") throws -> ClientResponse {
            try raw(Array("GET ".utf8) + target + Array(" HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: \(cookie)\r\n\(headers)".utf8))
        }
        func post(_ target: String, body: [UInt8], cookieHeader: [UInt8]? = nil) throws -> ClientResponse {
            try raw(Array("POST \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: ".utf8) + (cookieHeader ?? Array(cookie.utf8)) + [13, 10], body: body)
        }

        var answers: [(String, ClientResponse)] = []
        // Paths and queries: raw invalid UTF-8, raw and encoded NUL, broken escapes, controls.
        for target: [UInt8] in [
            Array("/contacts".utf8) + [0xFF, 0xFE], Array("/".utf8) + [0xC3, 0x28], Array("/contacts%00".utf8), Array("/contacts%".utf8),
            Array("/contacts%G0".utf8), Array("/requests/%31%32".utf8), Array("/contacts?q=".utf8) + [0xC3, 0x28],
            Array("/contacts?q=%00".utf8), Array("/contacts?q=%E2%82".utf8), Array("/contacts?q=%%%".utf8), Array("/contacts?q=a%2".utf8),
            Array("/contacts?q=".utf8) + [0x01, 0x7F], Array("/contacts?q=\u{202E}abc".utf8), Array("/profile?\u{0}".utf8),
        ] {
            answers.append((String(decoding: target, as: UTF8.self), try get(target)))
        }
        // Forms: invalid UTF-8 raw and encoded, NUL, broken escapes, thousands of fields, a huge field.
        for body: [UInt8] in [
            Array("csrf=\(csrf)&email=a%C3%28@example.org&language=pl".utf8),
            Array("csrf=\(csrf)&email=a".utf8) + [0xFF] + Array("@example.org&language=pl".utf8),
            Array("csrf=\(csrf)&email=a%00@example.org&language=pl".utf8),
            Array("csrf=\(csrf)&email=a".utf8) + [0x00] + Array("@example.org&language=pl".utf8),
            Array("csrf=\(csrf)&email=%&language=pl".utf8),
            Array(("csrf=\(csrf)&email=x%40example.org&language=pl&" + (0..<6000).map { "f\($0)=1" }.joined(separator: "&")).utf8),
            Array("csrf=\(csrf)&language=pl&email=".utf8) + [UInt8](repeating: 0x61, count: 60_000),
        ] {
            answers.append(("POST /profile \(body.count) bytes", try post("/profile", body: body)))
        }
        // Cookies: invalid UTF-8, NUL-like escapes and junk around a valid session.
        for junk: [UInt8] in [
            Array("\(cookie); sc_lang=".utf8) + [0xFF, 0xFE], [0xC3, 0x28] + Array("=1; \(cookie)".utf8),
            Array("sc_session=%00; \(cookie)".utf8), Array("\(cookie); sc_session=".utf8) + [0xE2, 0x82],
        ] {
            answers.append(("cookie", try post("/profile", body: Array("csrf=\(csrf)&email=cookie%40example.org&language=pl".utf8),
                                               cookieHeader: junk)))
        }
        // Headers: junk Accept-Language, a huge one, an oversized Cookie header.
        answers.append(("accept-language", try get(Array("/contacts".utf8), headers: "Accept-Language: ;;q=x,*,\u{202E}pt;q=9\r\n")))
        answers.append(("long accept-language", try get(Array("/contacts".utf8),
                                                        headers: "Accept-Language: " + String(repeating: "pt-PT;q=0.1,", count: 600) + "\r\n")))
        answers.append(("huge cookie", try get(Array("/contacts".utf8), headers: "X-Pad: " + String(repeating: "a", count: 9000) + "\r\n")))

        var nginxOwnPages: [String] = []
        for (what, response) in answers {
            #expect(response.status < 500, "\(what) → \(response.status)")
            expectSecurityHeaders(response)
            guard response.status >= 400, response.header("Content-Type")?.hasPrefix("text/html") == true else { continue }
            if response.text.contains("<center>nginx</center>") {
                // Refused by nginx before the app saw it: raw bytes in the request line, a header
                // over the buffer size.
                #expect(response.status == 400, "\(what)")
                nginxOwnPages.append(what)
            } else {
                #expect(response.text.contains("<html lang=\"pl\">"), "\(what): the app's localized page")
            }
        }
        // nginx's own refusals get the static localized 400 page (error_page 400 494).
        #expect(nginxOwnPages.isEmpty, "\(nginxOwnPages)")
        // The app's own answers are localized pages: 400 for encoding, 413 for a huge field.
        let bad = try get(Array("/contacts?q=%E2%82".utf8))
        #expect(bad.status == 400)
        #expect(Page.text(bad).contains(try CatalogText.string("error_400", "pl")))
        let huge = try post("/profile", body: Array("csrf=\(csrf)&language=pl&email=".utf8) + [UInt8](repeating: 0x61, count: 60_000))
        #expect(huge.status == 413)
        #expect(Page.text(huge).contains(try CatalogText.string("error_413", "pl")))
        // The encoded "%31%32" is request 12, which this account has no part in: 404, not a crash.
        // Nothing of the broken forms was stored; junk cookies beside the session changed nothing.
        let emailAfter = try server.sqlite("SELECT email FROM account WHERE id = 'pl100001-ovh';")
        #expect(emailAfter == emailBefore || emailAfter == "cookie@example.org", "\(emailAfter)")
        #expect(!["a", "x@example.org"].contains(emailAfter))

        #expect(try browser.get("/healthz").status == 200)
        let errors = server.appLogText.split(separator: "\n").filter { $0.contains(" error ") || $0.contains("critical") }
        #expect(errors.isEmpty, "\(errors)")
    }

    @Test func customerIDsThatOnlyLookRightAreRefusedThroughNginx() throws {
        let server = try EndToEndServer()
        let browser = Browser(port: server.port, acceptLanguage: "it")
        for typed in ["", String(repeating: "a", count: 40), "pl1０0001-ovh", "pl100001\u{200B}-ovh", "\u{202E}pl100001-ovh", "рl100001-ovh"] {
            let form = try browser.get("/sign-in")
            let response = try browser.post("/sign-in", form: [("csrf", try #require(Page.csrf(in: form))), ("customer_id", typed),
                                                               ("password", "demo-Katarzyna-1")])
            #expect(response.status == 422, "\(typed.unicodeScalars.map { String($0.value, radix: 16) })")
            #expect(response.header("Content-Language") == "it")
            #expect(Page.inputValue("customer_id", in: response) == typed, "the form comes back with what was typed")
            expectSecurityHeaders(response)
        }
        #expect(try browser.get("/contacts").status == 303, "nobody signed in")
    }
}

/// Requests written byte for byte, for what HTTPTestClient cannot send: raw bytes, a forged
/// Host, a client that hangs up.
enum RawHTTP {
    static func connect(port: Int) throws -> Int32 {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw EndToEndError("socket: \(errno)") }
        var timeout = timeval(tv_sec: 15, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            close(descriptor)
            throw EndToEndError("connect: \(errno)")
        }
        return descriptor
    }

    static func write(_ descriptor: Int32, _ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL)) }
            if written < 0, errno == EINTR { continue }
            // nginx may answer and close before it has read everything (a 400 or 413).
            guard written > 0 else { return }
            offset += written
        }
    }

    /// Sends the request and reads the whole answer (the request must ask for Connection: close).
    static func exchange(port: Int, request: [UInt8]) throws -> ClientResponse {
        let descriptor = try connect(port: port)
        defer { close(descriptor) }
        try write(descriptor, request)
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            if count <= 0 { break }
            received += chunk.prefix(count)
        }
        return try HTTPTestClient.parse(received, method: String(decoding: request.prefix { $0 != 32 }, as: UTF8.self))
    }

    /// Sends the request, reads `readBytes` of the answer at most, then resets the connection.
    static func sendAndHangUp(port: Int, request: [UInt8], readBytes: Int) throws {
        let descriptor = try connect(port: port)
        try write(descriptor, request)
        if readBytes > 0 {
            var chunk = [UInt8](repeating: 0, count: readBytes)
            _ = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        }
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
        close(descriptor)
    }
}
