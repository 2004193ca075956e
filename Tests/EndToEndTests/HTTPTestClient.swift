import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A response as the browser would get it.
struct ClientResponse {
    var status: Int
    var headers: [(name: String, value: String)]
    var body: [UInt8]

    var text: String { String(decoding: body, as: UTF8.self) }

    func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    func headerValues(_ name: String) -> [String] {
        headers.filter { $0.name.lowercased() == name.lowercased() }.map(\.value)
    }
}

/// A minimal HTTP/1.1 client over a loopback TCP socket: one request per connection
/// (`Connection: close`), redirects never followed, cookies left to `Browser`.
struct HTTPTestClient {
    enum Failure: Error, CustomStringConvertible {
        case system(String, Int32)
        case malformed(String)

        var description: String {
            switch self {
            case .system(let call, let code): "\(call): \(String(cString: strerror(code)))"
            case .malformed(let message): "malformed response: \(message)"
            }
        }
    }

    let port: Int

    func send(
        _ method: String,
        _ target: String,
        headers: [(String, String)] = [],
        body: [UInt8] = []
    ) throws -> ClientResponse {
        let connection = try Self.connect(port: port)
        defer { close(connection) }
        var head = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if !body.isEmpty || method == "POST" { head += "Content-Length: \(body.count)\r\n" }
        head += "\r\n"
        try Self.writeAll(connection, Array(head.utf8) + body)

        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(connection, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            if count < 0 { throw Failure.system("read", errno) }
            if count == 0 { break }
            received += chunk.prefix(count)
        }
        return try Self.parse(received, method: method)
    }

    /// True once something accepts TCP connections on the port.
    static func isListening(port: Int) -> Bool {
        guard let connection = try? connect(port: port) else { return false }
        close(connection)
        return true
    }

    /// A port that was free a moment ago (the kernel picks it; the caller retries on a clash).
    static func freePort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw Failure.system("socket", errno) }
        defer { close(descriptor) }
        var address = loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw Failure.system("bind", errno) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        guard named == 0 else { throw Failure.system("getsockname", errno) }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        return address
    }

    private static func connect(port: Int) throws -> Int32 {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw Failure.system("socket", errno) }
        var timeout = timeval(tv_sec: 15, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = loopback(port: port)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            let code = errno
            close(descriptor)
            throw Failure.system("connect to 127.0.0.1:\(port)", code)
        }
        return descriptor
    }

    private static func writeAll(_ connection: Int32, _ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes {
                Glibc.send(connection, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
            }
            if written < 0, errno == EINTR { continue }
            guard written > 0 else { throw Failure.system("send", errno) }
            offset += written
        }
    }

    static func parse(_ bytes: [UInt8], method: String) throws -> ClientResponse {
        guard let end = bytes.firstRange(of: [13, 10, 13, 10]) else {
            throw Failure.malformed("no end of headers in \(bytes.count) bytes")
        }
        let lines = String(decoding: bytes[..<end.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
        let statusParts = lines[0].split(separator: " ", maxSplits: 2)
        guard statusParts.count >= 2, statusParts[0].hasPrefix("HTTP/1."), let status = Int(statusParts[1]) else {
            throw Failure.malformed("status line \(lines[0])")
        }
        var headers: [(String, String)] = []
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { throw Failure.malformed("header line \(line)") }
            headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        var body = Array(bytes[end.upperBound...])
        let response = ClientResponse(status: status, headers: headers, body: body)
        if method == "HEAD" {
            body = []
        } else if response.header("Transfer-Encoding")?.lowercased() == "chunked" {
            body = try dechunk(body)
        } else if let length = response.header("Content-Length").flatMap(Int.init) {
            guard body.count >= length else { throw Failure.malformed("body shorter than Content-Length") }
            body = Array(body.prefix(length))
        }
        return ClientResponse(status: status, headers: headers, body: body)
    }

    private static func dechunk(_ bytes: [UInt8]) throws -> [UInt8] {
        var output: [UInt8] = []
        var index = 0
        while true {
            guard let lineEnd = bytes[index...].firstRange(of: [13, 10]) else { throw Failure.malformed("chunk size") }
            let sizeText = String(decoding: bytes[index..<lineEnd.lowerBound], as: UTF8.self)
            guard let size = Int(sizeText.split(separator: ";")[0], radix: 16) else { throw Failure.malformed("chunk size \(sizeText)") }
            index = lineEnd.upperBound
            if size == 0 { return output }
            guard index + size <= bytes.count else { throw Failure.malformed("chunk past the end") }
            output += bytes[index..<index + size]
            index += size + 2
        }
    }
}

/// One visitor with a cookie jar: sends its cookies, keeps what `Set-Cookie` says, never
/// follows redirects (tests look at each `Location`).
final class Browser {
    let client: HTTPTestClient
    var cookies: [String: String] = [:]
    var acceptLanguage: String?

    init(port: Int, acceptLanguage: String? = nil) {
        self.client = HTTPTestClient(port: port)
        self.acceptLanguage = acceptLanguage
    }

    func get(_ target: String) throws -> ClientResponse {
        try send("GET", target)
    }

    func post(_ target: String, form: [(String, String)]) throws -> ClientResponse {
        let body = form.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")
        return try send("POST", target, headers: [("Content-Type", "application/x-www-form-urlencoded")], body: Array(body.utf8))
    }

    func send(_ method: String, _ target: String, headers: [(String, String)] = [], body: [UInt8] = []) throws -> ClientResponse {
        var allHeaders = headers
        if !cookies.isEmpty {
            allHeaders.append(("Cookie", cookies.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")))
        }
        if let acceptLanguage { allHeaders.append(("Accept-Language", acceptLanguage)) }
        let response = try client.send(method, target, headers: allHeaders, body: body)
        for header in response.headerValues("Set-Cookie") {
            let attributes = header.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            let pair = attributes[0].split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard pair.count == 2 else { continue }
            let expired = attributes.contains { $0.lowercased() == "max-age=0" } || pair[1].isEmpty
            cookies[String(pair[0])] = expired ? nil : String(pair[1])
        }
        return response
    }

    static func encode(_ text: String) -> String {
        let allowed = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
