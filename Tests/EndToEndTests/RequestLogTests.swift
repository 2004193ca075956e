import Foundation
import Testing

/// contacts-fcgi's own log: one line per request, without query strings, codes or cookies.
@Suite(.timeLimit(.minutes(3)))
struct RequestLogTests {
    /// A flow with a code link: the admin asks for a new technical contact, the newcomer opens
    /// the link from the email. Returns the world and the link.
    static func flow(logFormat: String) throws -> (ContactChangeFlowTests.World, CodeLink) {
        let world = try ContactChangeFlowTests.World(
            tag: logFormat == "json" ? "lj" : "lt", language: "pl", serverArguments: ["--log-format", logFormat])
        let admin = Browser(port: world.server.port)
        try admin.signIn(world.admin)
        let editURL = try world.editURL(admin)
        #expect(try admin.submit(editURL, from: editURL, form: [("new_tech", world.newcomer.id)]).status == 303)
        let (_, link) = try world.codeLink(to: world.newcomer, in: try world.mailbox.deliver())
        let newcomer = Browser(port: world.server.port)
        try newcomer.signIn(world.newcomer)
        #expect(try newcomer.get(link.target).status == 200)
        return (world, link)
    }

    /// The access log's request lines ("GET /path HTTP/1.1" 200), which nginx all passed on.
    /// nginx writes a line once the response is out: wait for at least `lines`.
    static func accessLogRequests(_ world: ContactChangeFlowTests.World, atLeast lines: Int) -> [String] {
        let text = world.server.accessLogText(lines: lines)
        return Page.allMatches(#"\"([A-Z]+ [^ ]+) HTTP/1\.1\""#, in: text)
    }

    static func checkNothingSecret(_ log: String, _ link: CodeLink) {
        #expect(!log.contains("code="), "\(log)")
        #expect(!log.contains("?"), "\(log)")
        #expect(!log.contains(link.code))
        #expect(!log.lowercased().contains("cookie"))
        #expect(!log.contains("csrf"))
    }

    @Test func textLinesOnePerRequestWithoutQueries() throws {
        let (world, link) = try Self.flow(logFormat: "text")
        let log = world.server.appLogText
        let lines = log.split(separator: "\n").filter { $0.contains("contacts-fcgi.request") }
        let requests = Self.accessLogRequests(world, atLeast: lines.count)
        #expect(lines.count == requests.count, "\(requests)\n\(log)")
        #expect(lines.count >= 8)
        #expect(lines.contains { $0.contains("method=GET") && $0.contains("path=/requests/:id") && $0.contains("status=200") },
                "\(log)")
        #expect(lines.allSatisfy { $0.contains("duration_ms=") && $0.contains("status=") })
        Self.checkNothingSecret(log, link)
    }

    @Test func jsonLinesAreValidJSONOnePerRequest() throws {
        let (world, link) = try Self.flow(logFormat: "json")
        let log = world.server.appLogText
        var entries: [[String: Any]] = []
        for line in log.split(separator: "\n") {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8))
            entries.append(try #require(object as? [String: Any], "\(line)"))
        }
        let requestEntries = entries.filter { $0["label"] as? String == "contacts-fcgi.request" }
        let requests = Self.accessLogRequests(world, atLeast: requestEntries.count)
        #expect(requestEntries.count == requests.count, "\(requests)\n\(log)")
        for entry in requestEntries {
            #expect(entry["message"] as? String == "request")
            #expect(["GET", "POST", "HEAD"].contains(entry["method"] as? String ?? ""))
            #expect(Int(entry["status"] as? String ?? "") != nil)
            #expect(Double(entry["duration_ms"] as? String ?? "") != nil)
            #expect((entry["path"] as? String ?? "").hasPrefix("/"))
            #expect(entry["time"] is String && entry["level"] as? String == "info")
        }
        // The access log's paths, numbers as :id and queries cut, in the same order.
        let expected = requests.map { request -> String in
            let parts = request.split(separator: " ", maxSplits: 1)
            let path = parts[1].split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)[0]
            let pattern = path.split(separator: "/", omittingEmptySubsequences: false)
                .map { $0.allSatisfy(\.isNumber) && !$0.isEmpty ? ":id" : String($0) }.joined(separator: "/")
            return "\(parts[0]) \(pattern)"
        }
        #expect(Set(requestEntries.map { "\($0["method"] ?? "") \($0["path"] ?? "")" }) == Set(expected))
        Self.checkNothingSecret(log, link)
    }
}
