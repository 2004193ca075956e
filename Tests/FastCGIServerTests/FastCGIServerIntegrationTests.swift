import Foundation
import HTTPCore
import Synchronization
import Testing
@testable import FastCGIServer
#if canImport(Glibc)
import Glibc
#endif

/// A responder with a few test routes; it counts calls and remembers which threads served them.
final class TestResponder: HTTPResponder {
    private let calls = Mutex(0)
    private let threads = Mutex(Set<UInt>())

    var callCount: Int { calls.withLock { $0 } }
    var threadCount: Int { threads.withLock { $0.count } }

    /// Says which status it was asked for and which language the request's headers carried.
    func respondToUnreadableRequest(_ status: HTTPStatus, headers: [String: String]) -> HTTPResponse {
        HTTPResponse(status: status, body: Array("unreadable \(status.code) lang=\(headers["accept-language"] ?? "-")".utf8))
    }

    func respond(to request: HTTPRequest) -> HTTPResponse {
        calls.withLock { $0 += 1 }
        threads.withLock { _ = $0.insert(UInt(pthread_self())) }
        switch request.rawPath {
        case "/echo":
            let text = """
            method=\(request.method) path=\(request.rawPath) query=\(request.rawQuery) \
            type=\(request.header("content-type") ?? "-") lang=\(request.header("accept-language") ?? "-") \
            body=\(String(decoding: request.body, as: UTF8.self))
            """
            return HTTPResponse(
                headers: [("Content-Type", "text/plain; charset=utf-8"), ("X-Test", "yes"),
                          ("Set-Cookie", "a=1"), ("Set-Cookie", "b=2")],
                body: Array(text.utf8)
            )
        case "/slow":
            usleep(300_000)
            return HTTPResponse(body: Array("slow done".utf8))
        case "/big":
            return HTTPResponse(body: [UInt8](repeating: 0x78, count: 4 << 20))
        case "/bad-header":
            return HTTPResponse(headers: [("X-Evil", "a\r\nSet-Cookie: injected=1"), ("X-Fine", "ok")])
        default:
            return HTTPResponse(status: .notFound, body: Array("not found".utf8))
        }
    }
}

/// libfcgi's shutdown flag is process-wide and permanent, so one server serves the whole test,
/// which ends with its clean shutdown.
@Suite struct FastCGIServerIntegrationTests {
    @Test(.timeLimit(.minutes(2)))
    func servesRequestsOverARealSocketAndShutsDownCleanly() throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("fcgi-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let socketPath = directory.appendingPathComponent("app.sock").path

        let responder = TestResponder()
        let server = FastCGIServer(configuration: .init(
            listen: .unixSocket(path: socketPath, mode: 0o660),
            workerCount: 4,
            maxBodyBytes: 64 * 1024
        ))
        let listening = DispatchSemaphore(value: 0)
        let finished = DispatchSemaphore(value: 0)
        let runError = Mutex<String?>(nil)
        let thread = Thread {
            do {
                try server.run(responder: responder, whenListening: { listening.signal() })
            } catch {
                runError.withLock { $0 = "\(error)" }
                listening.signal()
            }
            finished.signal()
        }
        thread.start()
        #expect(listening.wait(timeout: .now() + 10) == .success)
        try #require(runError.withLock { $0 } == nil, "\(runError.withLock { $0 } ?? "")")

        // The socket is there with the configured mode and nothing more.
        var status = stat()
        #expect(stat(socketPath, &status) == 0)
        #expect(status.st_mode & S_IFMT == S_IFSOCK)
        #expect(status.st_mode & 0o777 == 0o660)

        let client = FastCGITestClient(socketPath: socketPath)

        // A GET: status, headers in order (repeated Set-Cookie kept), body; query and headers mapped.
        let get = try client.send(uri: "/echo?x=1&y=%C3%A9", headers: ["Accept-Language": "it"])
        #expect(get.status == 200)
        #expect(get.header("X-Test") == "yes")
        #expect(get.headerValues("Set-Cookie") == ["a=1", "b=2"])
        #expect(get.header("Content-Length") == String(get.body.count))
        #expect(get.bodyText == "method=GET path=/echo query=x=1&y=%C3%A9 type=- lang=it body=")

        // A POST with a body.
        let post = try client.send(
            method: "POST", uri: "/echo",
            headers: ["Content-Type": "application/x-www-form-urlencoded"],
            body: Array("name=Zo%C3%AB".utf8)
        )
        #expect(post.status == 200)
        #expect(post.bodyText == "method=POST path=/echo query= type=application/x-www-form-urlencoded lang=- body=name=Zo%C3%AB")

        // A body over the limit: 413, and the responder is never asked.
        let callsBefore = responder.callCount
        let tooLarge = try client.send(
            method: "POST", uri: "/echo", headers: ["Accept-Language": "it"], body: [UInt8](repeating: 0x61, count: 64 * 1024 + 1)
        )
        #expect(tooLarge.status == 413)
        #expect(tooLarge.bodyText == "unreadable 413 lang=it")
        #expect(responder.callCount == callsBefore)
        // Exactly at the limit is fine.
        let atLimit = try client.send(method: "POST", uri: "/echo", body: [UInt8](repeating: 0x61, count: 64 * 1024))
        #expect(atLimit.status == 200)

        // Malformed parameters: 400 without the responder.
        let badLength = try client.send(method: "POST", uri: "/echo", contentLength: "12abc")
        #expect(badLength.status == 400)
        let badTarget = try client.send(uri: "no-slash")
        #expect(badTarget.status == 400)
        #expect(responder.callCount == callsBefore + 1)

        // A header that would split the response is dropped, the rest is served.
        let badHeader = try client.send(uri: "/bad-header")
        #expect(badHeader.status == 200)
        #expect(badHeader.header("X-Fine") == "ok")
        #expect(badHeader.header("X-Evil") == nil)
        #expect(badHeader.header("Set-Cookie") == nil)

        // Unknown path: the responder's status passes through.
        #expect(try client.send(uri: "/nowhere").status == 404)

        // Concurrent requests are spread over the workers.
        let started = Date()
        let results = Mutex<[Int]>([])
        let group = DispatchGroup()
        for _ in 0..<8 {
            group.enter()
            Thread {
                let status = (try? client.send(uri: "/slow").status) ?? -1
                results.withLock { $0.append(status) }
                group.leave()
            }.start()
        }
        #expect(group.wait(timeout: .now() + 20) == .success)
        let elapsed = Date().timeIntervalSince(started)
        #expect(results.withLock { $0 } == Array(repeating: 200, count: 8))
        #expect(elapsed < 8 * 0.3 * 0.6, "8 slow requests on 4 workers took \(elapsed) s")
        #expect(responder.threadCount >= 2)

        // A client that goes away before reading a large response does not take the process down.
        let impatient = try client.connect()
        try client.writeRequest(impatient, method: "GET", uri: "/big")
        close(impatient)
        usleep(200_000)
        #expect(try client.send(uri: "/echo").status == 200)

        // Stop while a request is in flight: it completes, then run returns and the socket is gone.
        let slowStatus = Mutex<Int?>(nil)
        let slowDone = DispatchSemaphore(value: 0)
        Thread {
            let response = try? client.send(uri: "/slow")
            slowStatus.withLock { $0 = response?.status }
            slowDone.signal()
        }.start()
        usleep(100_000)
        server.stop()
        #expect(slowDone.wait(timeout: .now() + 10) == .success)
        #expect(slowStatus.withLock { $0 } == 200)
        #expect(finished.wait(timeout: .now() + 10) == .success)
        #expect(access(socketPath, F_OK) != 0, "the socket file is removed")
        #expect(throws: FastCGITestClient.Failure.self) { try client.connect() }

        // libfcgi cannot be restarted in the same process: a second run says so instead of hanging.
        #expect(throws: FastCGIServer.Error.alreadyRan) {
            try FastCGIServer(configuration: .init(listen: .unixSocket(path: socketPath))).run(responder: responder)
        }
    }
}
