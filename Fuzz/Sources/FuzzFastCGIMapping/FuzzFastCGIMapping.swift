import FastCGIServer
import FuzzSupport
import HTTPCore

/// FastCGI parameters → `HTTPRequest`, then the parsers the application runs on every request.
///
/// Input format (so seeds stay readable): lines `NAME=VALUE` are the parameters, an empty line
/// ends them and everything after it is the body. Properties: a mapped request has a token
/// method, an origin-form visible-ASCII target, lower-case header names, a body that matches
/// CONTENT_LENGTH; and the mapping does not depend on the order the parameters come in.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFastCGIMapping(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = inputBytes(data, size)
    let (list, body) = split(bytes)
    var parameters: [String: String] = [:]
    for (name, value) in list { parameters[name] = value }

    let request = FastCGIRequestMapping.request(parameters: parameters, body: body)

    // The same parameters inserted in another order into a differently sized dictionary.
    var reordered: [String: String] = Dictionary(minimumCapacity: parameters.count * 4 + 7)
    for (name, value) in parameters.reversed() { reordered[name] = value }
    let again = FastCGIRequestMapping.request(parameters: reordered, body: body)
    require(describe(request) == describe(again), "the parameters' order changed the request:\n\(describe(request))\n\(describe(again))")

    // The headers alone (used for error pages of requests too broken to map) likewise.
    let headers = FastCGIRequestMapping.headers(parameters: parameters)
    require(headers == FastCGIRequestMapping.headers(parameters: reordered), "the parameters' order changed the headers")
    for name in headers.keys {
        require(!name.isEmpty && name.utf8.allSatisfy { (0x61...0x7A).contains($0) || isASCIIDigit($0) || $0 == UInt8(ascii: "-") },
                "header name \(name.debugDescription)")
    }

    guard let request else { return 0 }
    require(request.method == parameters["REQUEST_METHOD"], "method changed")
    require(!request.method.isEmpty && request.method.utf8.allSatisfy(isTokenByte), "method \(request.method.debugDescription)")
    require(request.rawPath.utf8.first == UInt8(ascii: "/"), "path \(request.rawPath.debugDescription) not origin-form")
    require(!request.rawPath.utf8.contains(UInt8(ascii: "?")), "path holds a ?")
    require(request.rawPath.utf8.allSatisfy(isVisible) && request.rawQuery.utf8.allSatisfy(isVisible), "target not visible ASCII")
    if let uri = parameters["REQUEST_URI"], uri.utf8.contains(UInt8(ascii: "?")) {
        require(request.rawPath + "?" + request.rawQuery == uri, "path and query do not rebuild REQUEST_URI")
    } else {
        require(request.rawPath == parameters["REQUEST_URI"], "path is not REQUEST_URI")
    }
    for name in request.headers.keys {
        require(!name.isEmpty && !name.utf8.contains { (0x41...0x5A).contains($0) || $0 == UInt8(ascii: "_") },
                "header name \(name.debugDescription)")
    }
    if let length = request.headers["content-length"] {
        require(length == String(request.body.count), "content-length \(length) for \(request.body.count) bytes")
    } else {
        require(request.body.isEmpty, "a body without content-length")
    }
    require(request.body == body, "body changed")
    require(request.remoteAddress == parameters["REMOTE_ADDR"] ?? "", "remote address changed")

    // What the application does next with every request: none of it may crash.
    _ = try? PercentDecoding.decode(request.rawPath, plusIsSpace: false)
    _ = try? FormData(parsing: request.rawQuery)
    _ = try? FormData(parsing: request.body)
    _ = RequestCookies(header: request.header("cookie"))
    return 0
}

private func split(_ bytes: [UInt8]) -> ([(String, String)], [UInt8]) {
    var list: [(String, String)] = []
    var index = 0
    while index < bytes.count {
        let end = bytes[index...].firstIndex(of: 0x0A) ?? bytes.count
        let line = bytes[index..<end]
        index = end + 1
        if line.isEmpty { return (list, Array(bytes[min(index, bytes.count)...])) }
        let equals = line.firstIndex(of: UInt8(ascii: "=")) ?? end
        list.append((inputText(line[..<equals]), inputText(line[min(equals + 1, end)..<end])))
    }
    return (list, [])
}

private func describe(_ request: HTTPRequest?) -> String {
    guard let request else { return "nil" }
    let headers = request.headers.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value.debugDescription)" }
    return "\(request.method) \(request.rawPath.debugDescription) \(request.rawQuery.debugDescription) [\(headers.joined(separator: ", "))] \(request.body.count) bytes from \(request.remoteAddress.debugDescription)"
}

private func isVisible(_ byte: UInt8) -> Bool { (0x21...0x7E).contains(byte) }

private func isTokenByte(_ byte: UInt8) -> Bool {
    isASCIILetter(byte) || isASCIIDigit(byte) || "!#$%&'*+-.^_`|~".utf8.contains(byte)
}
