import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Floods and slow clients from one address (127.0.0.2: all of 127.0.0.0/8 is loopback) through
/// the real nginx.conf with no address exempt from its limits, while a person on 127.0.0.1 goes
/// on using the site. Bounded in connections and in time; nothing here asserts on durations.
@Suite(.timeLimit(.minutes(3)))
struct AbuseTests {
    static let attacker = "127.0.0.2"

    /// 2,300 sockets need more descriptors than a shell's usual soft limit of 1,024.
    static func raiseDescriptorLimit(to wanted: rlim_t) {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < wanted else { return }
        limit.rlim_cur = min(wanted, limit.rlim_max)
        setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }

    @Test func slowConnectionsFromOneAddressAreCutOffAndOthersStillGetTheirPage() throws {
        Self.raiseDescriptorLimit(to: 8_192)
        let server = try EndToEndServer(exemptFromRateLimits: [])
        let person = Browser(port: server.port)
        try person.signIn(TestAccount.ewa)
        #expect(try person.get("/contacts").status == 200)

        // 2,200 connections that never finish their headers (once more than nginx's
        // worker_connections allowed), and 100 that send a POST's headers and then hold its body.
        var slowHeaders: [RawConnection] = []
        defer { slowHeaders.forEach { $0.close() } }
        for _ in 0..<2_200 {
            let connection = try RawConnection(from: Self.attacker, port: server.port)
            try connection.write("GET /contacts HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
            slowHeaders.append(connection)
        }
        var slowBodies: [RawConnection] = []
        defer { slowBodies.forEach { $0.close() } }
        for _ in 0..<100 {
            let connection = try RawConnection(from: Self.attacker, port: server.port)
            try connection.write("POST /sign-in HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 10000\r\n\r\ncsrf=")
            slowBodies.append(connection)
        }

        // The person still gets the contacts page, and can sign in afresh.
        let page = try person.get("/contacts")
        #expect(page.status == 200)
        #expect(page.text.contains(TestAccount.serviceName))
        try Browser(port: server.port).signIn(TestAccount.enzo)

        // Beyond 50 requests in progress at once from the address, and beyond the POST and
        // sign-in bursts, nginx refuses at once with its static 429 page; the others are cut
        // off when the body stops coming (client_body_timeout). None is left hanging.
        let bodyOutcomes = slowBodies.map { $0.readUntilClosed() }
        let refused = bodyOutcomes.filter { $0.status == 429 }
        #expect(refused.count >= 50, "\(Self.summary(bodyOutcomes))")
        #expect(bodyOutcomes.allSatisfy { $0.closed && [429, 408, nil].contains($0.status) }, "\(Self.summary(bodyOutcomes))")
        #expect(refused.allSatisfy { $0.text.contains("class=\"static-error\"") })

        // nginx closes the half-open ones itself (client_header_timeout), without an answer.
        let headerOutcomes = slowHeaders.map { $0.readUntilClosed() }
        #expect(headerOutcomes.allSatisfy { $0.closed }, "\(Self.summary(headerOutcomes))")
        #expect(headerOutcomes.allSatisfy { $0.status == nil || $0.status == 408 }, "\(Self.summary(headerOutcomes))")

        // And the site works as before for everybody.
        #expect(try person.get("/contacts").status == 200)
        #expect(try RawConnection(from: Self.attacker, port: server.port).request("GET /sign-in HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").status == 200)
    }

    @Test func signInAndPostFloodsGetTheLocalizedStatic429WhileAPersonCarriesOn() throws {
        let server = try EndToEndServer(exemptFromRateLimits: [])
        let form = "customer_id=ee900001-ovh&password=guess"
        let post = { (path: String) in
            "POST \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: \(form.utf8.count)\r\n\r\n\(form)"
        }
        // 60 sign-ins in a row from one address: past the burst of 20, nginx answers itself.
        let signIns = try (0..<60).map { _ in try RawConnection(from: Self.attacker, port: server.port).request(post("/sign-in")) }
        let refusedByNginx = signIns.filter { $0.status == 429 && $0.text.contains("class=\"static-error\"") }
        #expect(refusedByNginx.count >= 30, "\(Self.summary(signIns))")
        #expect(signIns.allSatisfy { $0.status.map { $0 < 500 } ?? false }, "\(Self.summary(signIns))")
        let page = try #require(refusedByNginx.first)
        for text in [
            try CatalogText.string("error_429", "pl"), try CatalogText.string("error_429", "pt"), try CatalogText.string("error_429", "it"),
        ] {
            #expect(page.text.contains(text))
        }
        #expect(page.header("X-Frame-Options") == "DENY" && page.header("Content-Security-Policy") != nil)

        // 80 other POSTs (a form of the profile) from the same address: refused past their burst too.
        let posts = try (0..<80).map { _ in try RawConnection(from: Self.attacker, port: server.port).request(post("/profile")) }
        #expect(posts.filter { $0.status == 429 && $0.text.contains("class=\"static-error\"") }.count >= 40, "\(Self.summary(posts))")

        // A person on another address signs in and reads its contacts meanwhile.
        let person = Browser(port: server.port)
        try person.signIn(TestAccount.ewa)
        #expect(try person.get("/contacts").status == 200)
        // GETs from the flooding address are limited separately and far more loosely.
        #expect(try RawConnection(from: Self.attacker, port: server.port).request("GET /sign-in HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").status == 200)
    }

    static func summary(_ outcomes: [RawConnection.Outcome]) -> String {
        var counts: [String: Int] = [:]
        for outcome in outcomes {
            counts["\(outcome.status.map(String.init) ?? "none")\(outcome.closed ? "" : " open")", default: 0] += 1
        }
        return counts.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ")
    }
}

/// A TCP connection to nginx from a chosen loopback address, written to and read as raw bytes.
final class RawConnection {
    struct Outcome {
        /// The status of the response, if one came before the connection closed.
        var status: Int?
        /// Whether the server closed the connection (rather than the read giving up).
        var closed: Bool
        var bytes: [UInt8]
        var text: String { String(decoding: bytes, as: UTF8.self) }
        func header(_ name: String) -> String? {
            (try? HTTPTestClient.parse(bytes, method: "GET"))?.header(name)
        }
    }

    private var descriptor: Int32

    init(from source: String, port: Int) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw EndToEndError("socket: \(String(cString: strerror(errno)))") }
        // Generous: this bounds a test that went wrong, it is not what the test measures.
        var timeout = timeval(tv_sec: 40, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var local = sockaddr_in()
        local.sin_family = sa_family_t(AF_INET)
        inet_pton(AF_INET, source, &local.sin_addr)
        var remote = sockaddr_in()
        remote.sin_family = sa_family_t(AF_INET)
        remote.sin_port = UInt16(port).bigEndian
        inet_pton(AF_INET, "127.0.0.1", &remote.sin_addr)
        let length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &local) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) } }
        let connected = bound == 0 ? withUnsafePointer(to: &remote) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(descriptor, $0, length) }
        } : -1
        guard connected == 0 else {
            let message = String(cString: strerror(errno))
            Glibc.close(descriptor)
            descriptor = -1
            throw EndToEndError("connect from \(source): \(message)")
        }
    }

    deinit { close() }

    func close() {
        if descriptor >= 0 { Glibc.close(descriptor) }
        descriptor = -1
    }

    func write(_ text: String) throws {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL)) }
            if written < 0, errno == EINTR { continue }
            guard written > 0 else { throw EndToEndError("send: \(String(cString: strerror(errno)))") }
            offset += written
        }
    }

    /// Reads until the server closes the connection (or the read times out: then `closed` is false).
    func readUntilClosed() -> Outcome {
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16_384)
        var closed = false
        while descriptor >= 0 {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            if count < 0, errno == ECONNRESET { closed = true; break }
            if count <= 0 { closed = count == 0; break }
            received += chunk.prefix(count)
        }
        close()
        return Outcome(status: Self.status(of: received), closed: closed, bytes: received)
    }

    /// Sends a whole request (with `Connection: close`) and reads the answer.
    func request(_ text: String) throws -> Outcome {
        try write(text)
        return readUntilClosed()
    }

    private static func status(of bytes: [UInt8]) -> Int? {
        let line = String(decoding: bytes.prefix(32), as: UTF8.self)
        guard line.hasPrefix("HTTP/1.") else { return nil }
        return line.split(separator: " ").dropFirst().first.flatMap { Int($0) }
    }
}
