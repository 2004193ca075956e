import Foundation
import Testing

/// Operator commands on a running server's database, through the real `contacts-admin`.
extension EndToEndServer {
    @discardableResult
    func admin(_ arguments: [String]) throws -> String {
        guard let command = arguments.first else { throw EndToEndError("no contacts-admin command") }
        return try runTool(try EndToEndPaths.binary("contacts-admin"),
                           [command, "--database", databaseLocation] + arguments.dropFirst(), in: directory)
    }

    func addAccount(_ account: TestAccount) throws {
        try admin(["add-account", "--id", account.id, "--name", account.name, "--email", account.email,
                   "--language", account.language, "--password", account.password])
    }

    func addService(_ name: String, admin administrative: TestAccount, tech: TestAccount, billing: TestAccount) throws {
        try admin(["add-service", "--name", name, "--type", "domain",
                   "--admin", administrative.id, "--tech", tech.id, "--billing", billing.id])
    }

    func setPayment(_ account: TestAccount, overdue: Bool) throws {
        try admin(["set-payment", "--id", account.id, "--status", overdue ? "overdue" : "up-to-date"])
    }

    /// The app's log, nginx's access and error logs: where a code must never show up.
    func allLogs() -> String {
        appLogText + "\n" + accessLogText() + "\n" + errorLogText()
    }
}

extension TestAccount {
    /// An account for one test, with an address derived from its ID.
    static func make(_ id: String, _ name: String, language: String) -> TestAccount {
        TestAccount(id: id, name: name, email: "\(id.replacingOccurrences(of: "-", with: "."))@example.org",
                    language: language, password: "e2e-Pass-\(id)")
    }

    /// How the product names an account in pages and emails.
    var described: String { "\(name) (\(id))" }
}

/// Strings of the real catalog (Templates/Localizable.xcstrings), to compare pages and emails with.
enum CatalogText {
    /// key → language → text.
    private static let strings: [String: [String: String]] = {
        let url = EndToEndPaths.templates.appendingPathComponent("Localizable.xcstrings")
        guard let data = try? Data(contentsOf: url),
              let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let strings = json["strings"] as? [String: Any]
        else { return [:] }
        var table: [String: [String: String]] = [:]
        for (key, entry) in strings {
            guard let localizations = (entry as? [String: Any])?["localizations"] as? [String: Any] else { continue }
            for (language, localization) in localizations {
                if let value = ((localization as? [String: Any])?["stringUnit"] as? [String: Any])?["value"] as? String {
                    table[key, default: [:]][language] = value
                }
            }
        }
        return table
    }()

    /// The catalog's text for `key` in `language`, `%@` and `%N$@` replaced by `arguments`.
    static func string(_ key: String, _ language: String, _ arguments: String...) throws -> String {
        guard var value = strings[key]?[language] else { throw EndToEndError("the catalog has no \(language) string \(key)") }
        for (index, argument) in arguments.enumerated() {
            value = value.replacingOccurrences(of: "%\(index + 1)$@", with: argument)
        }
        for argument in arguments {
            guard let range = value.range(of: "%@") else { break }
            value.replaceSubrange(range, with: argument)
        }
        return value
    }
}

/// Reading pages the way the tests need to.
enum Page {
    static func csrf(in response: ClientResponse) -> String? {
        firstMatch(#"name="csrf" value="([^"]+)""#, in: response.text)
    }

    /// The value of the input called `name`, unescaped.
    static func inputValue(_ name: String, in response: ClientResponse) -> String? {
        firstMatch(#"<input[^>]*name="\#(name)"[^>]*value="([^"]*)""#, in: response.text).map(unescape)
    }

    /// The page's text with HTML entities decoded (tags kept), for looking for catalog sentences.
    static func text(_ response: ClientResponse) -> String { unescape(response.text) }

    /// The request's state as the page's badge class says (`waiting`, `done`, `refused`, ...).
    static func requestState(in response: ClientResponse) -> String? {
        firstMatch(#"class="state state-([a-z]+)""#, in: response.text)
    }

    /// The table cells (tags stripped) of the contacts row of `service`: name, type, admin,
    /// tech, billing, own roles, actions; and the row's edit link.
    static func contactsRow(of service: String, in response: ClientResponse) -> (cells: [String], editURL: String?)? {
        for row in allMatches(#"(?s)<tr>(.*?)</tr>"#, in: response.text) {
            let cells = allMatches(#"(?s)<t[hd][^>]*>(.*?)</t[hd]>"#, in: row).map { cell in
                unescape(cell.replacingOccurrences(of: #"<[^>]+>"#, with: "", options: .regularExpression))
                    .trimmingCharacters(in: .whitespacesAndNewlines)
            }
            guard cells.first == service else { continue }
            return (cells, firstMatch(#"href="(/services/\d+/edit)""#, in: row))
        }
        return nil
    }

    static func unescape(_ html: String) -> String {
        var output = ""
        var rest = Substring(html)
        while let amp = rest.firstIndex(of: "&") {
            output += rest[..<amp]
            rest = rest[amp...]
            guard let semicolon = rest.prefix(10).firstIndex(of: ";") else {
                output += "&"
                rest = rest.dropFirst()
                continue
            }
            let entity = rest[rest.index(after: rest.startIndex)..<semicolon]
            var scalar: Unicode.Scalar?
            switch entity {
            case "amp": scalar = "&"
            case "lt": scalar = "<"
            case "gt": scalar = ">"
            case "quot": scalar = "\""
            case "apos": scalar = "'"
            default:
                if entity.hasPrefix("#x") || entity.hasPrefix("#X") {
                    scalar = UInt32(entity.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init)
                } else if entity.hasPrefix("#") {
                    scalar = UInt32(entity.dropFirst()).flatMap(Unicode.Scalar.init)
                }
            }
            if let scalar {
                output.unicodeScalars.append(scalar)
                rest = rest[rest.index(after: semicolon)...]
            } else {
                output += "&"
                rest = rest.dropFirst()
            }
        }
        return output + rest
    }

    static func firstMatch(_ pattern: String, in text: String) -> String? {
        allMatches(pattern, in: text).first
    }

    static func allMatches(_ pattern: String, in text: String) -> [String] {
        guard let expression = try? NSRegularExpression(pattern: pattern) else { return [] }
        return expression.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap { match in
            Range(match.range(at: 1), in: text).map { String(text[$0]) }
        }
    }
}

extension Browser {
    /// Signs in through the form, as a person does; fails the test if it does not work.
    func signIn(_ account: TestAccount, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let form = try get("/sign-in")
        let token = try #require(Page.csrf(in: form), sourceLocation: sourceLocation)
        let response = try post("/sign-in", form: [("csrf", token), ("customer_id", account.id), ("password", account.password)])
        try #require(response.status == 303, "sign-in as \(account.id): \(response.status)", sourceLocation: sourceLocation)
    }

    /// A POST with the CSRF token of the page at `page` (read first, as a browser would have it).
    func submit(_ target: String, from page: String, form: [(String, String)]) throws -> ClientResponse {
        let token = try #require(Page.csrf(in: try get(page)), "a CSRF token on \(page)")
        return try post(target, form: [("csrf", token)] + form)
    }
}

/// A confirmation email's link, split up.
struct CodeLink: Equatable, CustomStringConvertible {
    let url: String
    let requestID: String
    let code: String
    /// The path with its query, as a browser sends it.
    let target: String

    init?(_ url: String, base: String) {
        guard url.hasPrefix(base + "/requests/") else { return nil }
        let target = String(url.dropFirst(base.count))
        guard let match = Page.allMatches(#"^/requests/(\d+)\?code=([A-Za-z0-9_\-]+)$"#, in: target).first,
              let code = target.range(of: "?code=").map({ String(target[$0.upperBound...]) })
        else { return nil }
        self.url = url
        self.requestID = match
        self.code = code
        self.target = target
    }

    var description: String { "/requests/\(requestID)?code=…" }
}

/// The BCP 47 tag pages carry for a language code (the catalog's Portuguese is pt-PT).
func languageTag(_ code: String) -> String {
    code == "pt" ? "pt-PT" : code
}
