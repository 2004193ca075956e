import CFastCGI
import HTTPCore
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// One worker thread: its own `FCGX_Request`, an accept loop on the shared socket, and the only
/// place where libfcgi's pointers are touched. Everything handed to the responder is a copy.
final class Worker {
    private let server: FastCGIServer
    private let responder: any HTTPResponder
    private let listenDescriptor: Int32
    private let index: Int
    private var logger: Logger

    init(server: FastCGIServer, responder: any HTTPResponder, listenDescriptor: Int32, index: Int) {
        self.server = server
        self.responder = responder
        self.listenDescriptor = listenDescriptor
        self.index = index
        var logger = server.logger
        logger[metadataKey: "worker"] = "\(index)"
        self.logger = logger
    }

    func run() {
        defer { server.workerExited() }
        let request = UnsafeMutablePointer<FCGX_Request>.allocate(capacity: 1)
        defer { request.deallocate() }
        guard FCGX_InitRequest(request, listenDescriptor, 0) == 0 else {
            logger.critical("FCGX_InitRequest failed")
            return
        }
        defer { FCGX_Free(request, 1) }

        while true {
            let accepted = FCGX_Accept_r(request)
            if accepted < 0 {
                if server.isStopping { break }
                // Out of descriptors or memory, say: wait a little instead of spinning.
                logger.error("accepting a connection failed", metadata: ["error": "\(describe(accepted))"])
                usleep(200_000)
                continue
            }
            serve(request)
            FCGX_Finish_r(request)
        }
    }

    private func serve(_ request: UnsafeMutablePointer<FCGX_Request>) {
        let parameters = Self.parameters(request.pointee.envp)
        let method = parameters["REQUEST_METHOD"] ?? ""
        let maxBodyBytes = server.configuration.maxBodyBytes
        let response: HTTPResponse

        switch FastCGIRequestMapping.contentLength(parameters["CONTENT_LENGTH"]) {
        case .some(.none):
            logger.notice("bad CONTENT_LENGTH", metadata: ["method": "\(method)"])
            response = responder.respondToUnreadableRequest(.badRequest, headers: FastCGIRequestMapping.headers(parameters: parameters))
        case .some(.some(let length)) where length > maxBodyBytes:
            logger.notice("request body too large", metadata: ["method": "\(method)", "bytes": "\(length)"])
            Self.drain(request.pointee.in, upTo: length, limit: max(16 * maxBodyBytes, 1 << 20))
            response = responder.respondToUnreadableRequest(.payloadTooLarge, headers: FastCGIRequestMapping.headers(parameters: parameters))
        case let length:
            let expected = (length ?? nil) ?? 0
            let body = Self.readBody(request.pointee.in, count: expected)
            if body.count != expected {
                logger.notice("request body shorter than CONTENT_LENGTH", metadata: ["method": "\(method)"])
                response = responder.respondToUnreadableRequest(.badRequest, headers: FastCGIRequestMapping.headers(parameters: parameters))
            } else if let httpRequest = FastCGIRequestMapping.request(parameters: parameters, body: body) {
                if logger.logLevel <= .debug {
                    logger.debug("request", metadata: ["method": "\(method)", "path": "\(httpRequest.rawPath)"])
                }
                response = responder.respond(to: httpRequest)
            } else {
                logger.notice("malformed FastCGI parameters", metadata: ["method": "\(method)"])
                response = responder.respondToUnreadableRequest(.badRequest, headers: FastCGIRequestMapping.headers(parameters: parameters))
            }
        }

        let encoded = FastCGIResponseEncoding.encode(response, requestMethod: method)
        if !encoded.droppedHeaders.isEmpty {
            logger.error("response headers with forbidden characters were left out", metadata: [
                "headers": "\(encoded.droppedHeaders.joined(separator: ", "))",
            ])
        }
        let out = request.pointee.out
        if !Self.write(encoded.head, to: out) || !Self.write(encoded.body, to: out) {
            // The web server went away (client closed, timeout): nothing left to tell it.
            logger.info("the web server closed the connection before the response was written")
        }
    }

    // MARK: - Reading and writing libfcgi streams

    /// `NAME=VALUE` strings up to the terminating null pointer, copied into Swift strings.
    /// Names are ASCII by the protocol; values that are not UTF-8 are decoded leniently.
    static func parameters(_ envp: FCGX_ParamArray?) -> [String: String] {
        var parameters: [String: String] = [:]
        guard var cursor = envp else { return parameters }
        while let entry = cursor.pointee {
            let length = strlen(entry)
            let bytes = UnsafeRawBufferPointer(start: entry, count: length)
            if let equals = bytes.firstIndex(of: UInt8(ascii: "=")) {
                let name = String(decoding: bytes[..<equals], as: UTF8.self)
                let value = String(decoding: bytes[(equals + 1)...], as: UTF8.self)
                parameters[name] = value
            }
            cursor += 1
        }
        return parameters
    }

    static func readBody(_ stream: UnsafeMutablePointer<FCGX_Stream>?, count: Int) -> [UInt8] {
        guard count > 0, let stream else { return [] }
        var body = [UInt8](repeating: 0, count: count)
        var filled = 0
        body.withUnsafeMutableBytes { buffer in
            while filled < count {
                let wanted = Int32(min(count - filled, 1 << 20))
                let pointer = buffer.baseAddress!.advanced(by: filled).assumingMemoryBound(to: CChar.self)
                let read = FCGX_GetStr(pointer, wanted, stream)
                if read <= 0 { break }
                filled += Int(read)
            }
        }
        body.removeSubrange(filled...)
        return body
    }

    /// Reads and forgets a body we will not use, so the web server is not cut off mid-upload
    /// (it would then answer 502 instead of our 413); gives up after `limit` bytes.
    static func drain(_ stream: UnsafeMutablePointer<FCGX_Stream>?, upTo count: Int, limit: Int) {
        guard let stream else { return }
        var remaining = min(count, limit)
        var scratch = [CChar](repeating: 0, count: 16 * 1024)
        scratch.withUnsafeMutableBufferPointer { buffer in
            while remaining > 0 {
                let read = FCGX_GetStr(buffer.baseAddress, Int32(min(remaining, buffer.count)), stream)
                if read <= 0 { break }
                remaining -= Int(read)
            }
        }
    }

    private static func write(_ bytes: [UInt8], to stream: UnsafeMutablePointer<FCGX_Stream>?) -> Bool {
        guard !bytes.isEmpty else { return true }
        guard let stream else { return false }
        return bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let chunk = Int32(min(buffer.count - offset, 1 << 20))
                let pointer = buffer.baseAddress!.advanced(by: offset).assumingMemoryBound(to: CChar.self)
                guard FCGX_PutStr(pointer, chunk, stream) == chunk else { return false }
                offset += Int(chunk)
            }
            return true
        }
    }

    private func describe(_ code: Int32) -> String {
        code < 0 && code > -1000 ? String(cString: strerror(-code)) : "libfcgi error \(code)"
    }
}
