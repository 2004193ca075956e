#if canImport(Glibc)
import Glibc
#endif

/// A tiny FastCGI client, just enough to talk to the server the way nginx does: one request
/// per connection (no FCGI_KEEP_CONN), BEGIN_REQUEST, PARAMS, STDIN, then STDOUT until
/// END_REQUEST.
struct FastCGITestClient {
    struct Response {
        var status: Int
        var headers: [(name: String, value: String)]
        var body: [UInt8]
        var bodyText: String { String(decoding: body, as: UTF8.self) }

        func header(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name.lowercased() }?.value
        }

        func headerValues(_ name: String) -> [String] {
            headers.filter { $0.name.lowercased() == name.lowercased() }.map(\.value)
        }
    }

    enum Failure: Error, CustomStringConvertible {
        case system(String, Int32)
        case protocolError(String)

        var description: String {
            switch self {
            case .system(let call, let code): "\(call): \(String(cString: strerror(code)))"
            case .protocolError(let message): message
            }
        }
    }

    let socketPath: String

    enum RecordType: UInt8 {
        case beginRequest = 1, endRequest = 3, params = 4, stdin = 5, stdout = 6, stderr = 7
    }

    /// Sends one request and reads the whole response.
    func send(
        method: String = "GET",
        uri: String,
        headers: [String: String] = [:],
        body: [UInt8] = [],
        contentLength: String? = nil,
        extraParameters: [String: String] = [:]
    ) throws -> Response {
        let connection = try connect()
        defer { close(connection) }
        try writeRequest(connection, method: method, uri: uri, headers: headers, body: body,
                         contentLength: contentLength, extraParameters: extraParameters)
        return try readResponse(connection)
    }

    func connect() throws -> Int32 {
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw Failure.system("socket", errno) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(socketPath.utf8)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + 1)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(descriptor, $0, length) }
        }
        guard result == 0 else {
            let code = errno
            close(descriptor)
            throw Failure.system("connect", code)
        }
        return descriptor
    }

    func writeRequest(
        _ connection: Int32,
        method: String,
        uri: String,
        headers: [String: String] = [:],
        body: [UInt8] = [],
        contentLength: String? = nil,
        extraParameters: [String: String] = [:]
    ) throws {
        var parameters: [(String, String)] = [
            ("REQUEST_METHOD", method),
            ("REQUEST_URI", uri),
            ("QUERY_STRING", uri.split(separator: "?", maxSplits: 1).dropFirst().first.map(String.init) ?? ""),
            ("SERVER_PROTOCOL", "HTTP/1.1"),
            ("REMOTE_ADDR", "127.0.0.1"),
            ("CONTENT_LENGTH", contentLength ?? (body.isEmpty ? "" : String(body.count))),
        ]
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) {
            let parameterName = name.uppercased().replacingDashes()
            if parameterName == "CONTENT_TYPE" {
                parameters.append(("CONTENT_TYPE", value))
            } else {
                parameters.append(("HTTP_" + parameterName, value))
            }
        }
        parameters += extraParameters.sorted { $0.key < $1.key }

        var output: [UInt8] = []
        output += Self.record(.beginRequest, content: [0, 1, 0, 0, 0, 0, 0, 0]) // role RESPONDER, no keep-conn
        var encoded: [UInt8] = []
        for (name, value) in parameters {
            encoded += Self.length(name.utf8.count) + Self.length(value.utf8.count)
            encoded += Array(name.utf8) + Array(value.utf8)
        }
        for chunk in Self.chunks(encoded) { output += Self.record(.params, content: chunk) }
        output += Self.record(.params, content: [])
        try writeAll(connection, output)
        output = []
        for chunk in Self.chunks(body) {
            try writeAll(connection, Self.record(.stdin, content: chunk))
        }
        try writeAll(connection, Self.record(.stdin, content: []))
    }

    func readResponse(_ connection: Int32) throws -> Response {
        var stdout: [UInt8] = []
        var buffer: [UInt8] = []
        while true {
            let header = try readExactly(connection, 8, buffer: &buffer)
            guard header[0] == 1 else { throw Failure.protocolError("bad version \(header[0])") }
            let contentLength = Int(header[4]) << 8 | Int(header[5])
            let padding = Int(header[6])
            let content = try readExactly(connection, contentLength + padding, buffer: &buffer)
            switch RecordType(rawValue: header[1]) {
            case .stdout: stdout += content.prefix(contentLength)
            case .endRequest: return try Self.parse(stdout)
            default: continue
            }
        }
    }

    private static func parse(_ stdout: [UInt8]) throws -> Response {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard let end = stdout.firstRange(of: separator) else {
            throw Failure.protocolError("no end of headers in \(String(decoding: stdout, as: UTF8.self))")
        }
        let headText = String(decoding: stdout[..<end.lowerBound], as: UTF8.self)
        var status = 200
        var headers: [(String, String)] = []
        for line in headText.split(separator: "\r\n") {
            guard let colon = line.firstIndex(of: ":") else { throw Failure.protocolError("bad header line \(line)") }
            let name = String(line[..<colon])
            let value = line[line.index(after: colon)...].drop { $0 == " " }
            if name == "Status" {
                status = Int(value.prefix(3)) ?? 0
            } else {
                headers.append((name, String(value)))
            }
        }
        return Response(status: status, headers: headers, body: Array(stdout[end.upperBound...]))
    }

    private func readExactly(_ connection: Int32, _ count: Int, buffer: inout [UInt8]) throws -> [UInt8] {
        var chunk = [UInt8](repeating: 0, count: 65536)
        while buffer.count < count {
            let read = chunk.withUnsafeMutableBytes { Glibc.read(connection, $0.baseAddress, $0.count) }
            if read < 0, errno == EINTR { continue }
            guard read > 0 else {
                throw read == 0 ? Failure.protocolError("connection closed early") : Failure.system("read", errno)
            }
            buffer += chunk.prefix(read)
        }
        let result = Array(buffer.prefix(count))
        buffer.removeFirst(count)
        return result
    }

    func writeAll(_ connection: Int32, _ bytes: [UInt8]) throws {
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

    static func record(_ type: RecordType, content: [UInt8]) -> [UInt8] {
        let padding = (8 - content.count % 8) % 8
        var record: [UInt8] = [1, type.rawValue, 0, 1, UInt8(content.count >> 8), UInt8(content.count & 0xFF), UInt8(padding), 0]
        record += content
        record += [UInt8](repeating: 0, count: padding)
        return record
    }

    static func length(_ count: Int) -> [UInt8] {
        count < 128
            ? [UInt8(count)]
            : [UInt8(count >> 24 & 0x7F) | 0x80, UInt8(count >> 16 & 0xFF), UInt8(count >> 8 & 0xFF), UInt8(count & 0xFF)]
    }

    static func chunks(_ bytes: [UInt8]) -> [[UInt8]] {
        stride(from: 0, to: bytes.count, by: 65535).map { Array(bytes[$0..<min($0 + 65535, bytes.count)]) }
    }
}

extension String {
    fileprivate func replacingDashes() -> String {
        String(map { $0 == "-" ? "_" : $0 })
    }
}
