import Foundation
import Testing

/// The JSON API end to end: tokens made by the real `contacts-admin create-token`, calls through
/// the real nginx to the real contacts-fcgi, codes read from the emails `deliver-mail` wrote.
@Suite(.timeLimit(.minutes(3)))
struct APIFlowTests {
    struct Script {
        let client: HTTPTestClient
        let token: String

        func call(_ method: String, _ target: String, json: [String: Any]? = nil, language: String? = nil) throws -> (status: Int, json: [String: Any], response: ClientResponse) {
            var headers = [("Authorization", "Bearer \(token)")]
            if let language { headers.append(("Accept-Language", language)) }
            var body: [UInt8] = []
            if let json {
                body = Array(try JSONSerialization.data(withJSONObject: json))
                headers.append(("Content-Type", "application/json"))
            }
            let response = try client.send(method, "/api/v1" + target, headers: headers, body: body)
            let value = (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any] ?? [:]
            return (response.status, value, response)
        }
    }

    static func token(_ server: EndToEndServer, for account: TestAccount) throws -> String {
        let printed = try server.admin(["create-token", "--id", account.id, "--name", "e2e script", "--scope", "read-write", "--days", "1"])
        return try #require(printed.split(separator: "\n").first { $0.hasPrefix("sct_") }.map(String.init), "\(printed)")
    }

    @Test func aScriptListsServicesAsksForANewContactAndBothConfirmWithTheEmailedCodes() throws {
        let server = try EndToEndServer()
        let mailbox = Mailbox(server: server)
        let admin = TestAccount.make("ai740001-ovh", "Agnieszka Skryptowa", language: "pl")
        let tech = TestAccount.make("ai740002-ovh", "Tomé Técnico", language: "pt")
        let newcomer = TestAccount.make("ai740003-ovh", "Nicolò Nuovo", language: "it")
        for account in [admin, tech, newcomer] { try server.addAccount(account) }
        try server.addService("api-e2e.example.pl", admin: admin, tech: tech, billing: admin)
        let client = HTTPTestClient(port: server.port)
        let asker = Script(client: client, token: try Self.token(server, for: admin))
        let confirmer = Script(client: client, token: try Self.token(server, for: newcomer))

        // The description needs no token; everything else does, with a Bearer challenge
        let document = try client.send("GET", "/api/v1/openapi.json")
        #expect(document.status == 200)
        #expect(document.text.contains("\"openapi\": \"3.1.0\""))
        let anonymous = try client.send("GET", "/api/v1/services", headers: [("Accept-Language", "it")])
        #expect(anonymous.status == 401)
        #expect(anonymous.header("WWW-Authenticate") == "Bearer")
        #expect(anonymous.header("Content-Type") == "application/problem+json")
        let problem = (try? JSONSerialization.jsonObject(with: Data(anonymous.body))) as? [String: Any]
        #expect(problem?["detail"] as? String == (try CatalogText.string("api_error_token_missing", "it")))

        // The administrator's script finds the service
        let list = try asker.call("GET", "/services?q=api-e2e")
        #expect(list.status == 200)
        let items = list.json["items"] as? [[String: Any]] ?? []
        #expect(items.count == 1)
        let serviceID = try #require(items.first?["id"] as? Int)
        #expect((items.first?["contactTech"] as? [String: Any])?["account"] as? String == tech.id)

        // and asks for the newcomer as technical contact
        let created = try asker.call("POST", "/contactChanges", json: [
            "selection": ["serviceIds": [serviceID]], "contactTypes": ["contactTech"], "toAccount": newcomer.id,
        ])
        #expect(created.status == 201, "\(created.response.text)")
        let change = try #require((created.json["items"] as? [[String: Any]])?.first)
        let id = try #require(change["id"] as? Int)
        #expect(change["state"] as? String == "validatingByCustomers")

        // Both confirmers get their code by email
        let emails = try mailbox.deliver()
        let base = "http://127.0.0.1:\(server.port)"
        func code(to account: TestAccount) throws -> String {
            let email = try #require(emails.first { $0.to == account.email }, "an email to \(account.id) in \(emails)")
            let link = try #require(email.links.compactMap { CodeLink($0, base: base) }.first)
            #expect(link.requestID == String(id))
            return link.code
        }
        let wrong = try confirmer.call("POST", "/contactChanges/\(id)/accept", json: ["token": "not-the-code"], language: "pt")
        #expect(wrong.status == 422)
        #expect(wrong.json["detail"] as? String == (try CatalogText.string("request_error_wrong_code", "pt")))

        let first = try asker.call("POST", "/contactChanges/\(id)/accept", json: ["token": try code(to: admin)])
        #expect(first.status == 200)
        #expect(first.json["state"] as? String == "validatingByCustomers")
        let done = try confirmer.call("POST", "/contactChanges/\(id)/accept", json: ["token": try code(to: newcomer)])
        #expect(done.status == 200, "\(done.response.text)")
        #expect(done.json["state"] as? String == "done")

        // The change took effect, and everybody is told
        let service = try asker.call("GET", "/services/\(serviceID)")
        #expect((service.json["contactTech"] as? [String: Any])?["account"] as? String == newcomer.id)
        let told = try mailbox.deliver().map(\.to)
        #expect(Set(told).isSuperset(of: [admin.email, tech.email, newcomer.email]))
        let history = try asker.call("GET", "/contactChanges?state=done")
        #expect((history.json["items"] as? [[String: Any]])?.map { $0["id"] as? Int } == [id])

        // No token ever reaches a log
        let logs = server.allLogs()
        #expect(!logs.contains(asker.token) && !logs.contains(confirmer.token))
    }
}
