import HTTPCore

/// Writes an `HTTPResponse` in the CGI response form a FastCGI responder sends on its STDOUT
/// stream: `Status: 200 OK`, one `Name: value` line per header, an empty line, the body.
enum FastCGIResponseEncoding {
    struct Encoded {
        var head: [UInt8]
        var body: [UInt8]
        /// Headers left out because they could have split the response.
        var droppedHeaders: [String]
    }

    static func encode(_ response: HTTPResponse, requestMethod: String) -> Encoded {
        var head: [UInt8] = []
        head.reserveCapacity(256)
        var dropped: [String] = []
        let reason = response.status.reason.utf8.allSatisfy(isFieldValueByte) ? response.status.reason : ""
        append("Status: \(response.status.code) \(reason)\r\n", to: &head)

        var hasContentLength = false
        for (name, value) in response.headers {
            guard isHeaderName(name), value.utf8.allSatisfy(isFieldValueByte) else {
                dropped.append(String(name.unicodeScalars.prefix(64).filter { $0.isASCII && $0.value >= 0x20 }))
                continue
            }
            // "Status" would be read by the web server as the CGI status line.
            if name.lowercased() == "status" {
                dropped.append(name)
                continue
            }
            if name.lowercased() == "content-length" { hasContentLength = true }
            append("\(name): \(value)\r\n", to: &head)
        }
        let code = response.status.code
        let bodyAllowed = !(100..<200).contains(code) && code != 204 && code != 304
        if !hasContentLength, bodyAllowed, requestMethod != "HEAD" {
            append("Content-Length: \(response.body.count)\r\n", to: &head)
        }
        append("\r\n", to: &head)
        let body = bodyAllowed && requestMethod != "HEAD" ? response.body : []
        return Encoded(head: head, body: body, droppedHeaders: dropped)
    }

    private static func append(_ text: String, to bytes: inout [UInt8]) {
        bytes.append(contentsOf: text.utf8)
    }

    static func isHeaderName(_ name: String) -> Bool {
        FastCGIRequestMapping.isToken(name) && name.utf8.count <= 128
    }

    /// Field values: visible characters, spaces and tabs, and UTF-8 bytes; never CR, LF or NUL.
    static func isFieldValueByte(_ byte: UInt8) -> Bool {
        byte == 0x09 || (0x20...0x7E).contains(byte) || byte >= 0x80
    }
}
