import ContactsDomain
import Foundation
import Testing
@testable import ContactsStore

/// ``RequestWorld`` on either engine: example.pl with aa1, bb2 and cc3 as its contacts; dd4
/// and ee5 hold nothing. Read through SQL both engines take.
final class EngineRequestWorld {
    let store: TestStore
    let composer = RecordingComposer()
    let serviceID: Int64
    let admin = cid("aa1-ovh")
    let tech = cid("bb2-ovh")
    let billing = cid("cc3-ovh")
    let newcomer = cid("dd4-ovh")
    let outsider = cid("ee5-ovh")

    var engine: any StoreEngine { store.engine }

    /// Nil when PostgreSQL is not available outside CI.
    static func make(_ kind: StoreEngineKind) throws -> EngineRequestWorld? {
        let composer = RecordingComposer()
        guard let store = try kind.makeStore(emails: composer) else { return nil }
        return try EngineRequestWorld(store: store, composer: composer)
    }

    private init(store: TestStore, composer: RecordingComposer) throws {
        self.store = store
        try store.engine.createAccounts(
            ["aa1-ovh", "bb2-ovh", "cc3-ovh", "dd4-ovh", "ee5-ovh"].map { (makeAccount($0, language: .pt), someHash) }, now: now)
        serviceID = try store.engine.addService(
            name: "example.pl", type: .domain,
            administrative: cid("aa1-ovh"), technical: cid("bb2-ovh"), billing: cid("cc3-ovh"))
    }

    var holders: RoleHolders {
        get throws {
            let row = try #require(try store.rows("SELECT admin_id, tech_id, billing_id FROM service WHERE id = $1", [serviceID]).first)
            return RoleHolders(
                administrative: CustomerID(trusted: row["admin_id"]!), technical: CustomerID(trusted: row["tech_id"]!),
                billing: CustomerID(trusted: row["billing_id"]!))
        }
    }

    /// Submits `changes` as the edit page does; returns the request IDs and the codes mailed.
    @discardableResult
    func submit(by requester: CustomerID, _ changes: [Role: CustomerID], at time: Date = now) throws -> [(id: Int64, codes: [CustomerID: String])] {
        let ids = try engine.createRequests(
            onService: serviceID, by: requester, changes: changes, expectedHolders: try holders, now: time,
            expiresAfter: requestWindow, limits: RequestPolicy.creationLimits)
        return try ids.map { ($0, try mailedCodes(request: $0)) }
    }

    func submitOne(by requester: CustomerID, _ changes: [Role: CustomerID], at time: Date = now) throws -> (id: Int64, codes: [CustomerID: String]) {
        let created = try submit(by: requester, changes, at: time)
        return try #require(created.count == 1 ? created[0] : nil)
    }

    func mailedCodes(request id: Int64) throws -> [CustomerID: String] {
        var codes: [CustomerID: String] = [:]
        for mail in try outbox(request: id) where mail.body.hasPrefix("your code: ") {
            codes[mail.recipient] = String(mail.body.dropFirst("your code: ".count))
        }
        return codes
    }

    func outbox(request id: Int64) throws -> [(recipient: CustomerID, subject: String, body: String)] {
        try store.rows("SELECT recipient, subject, body_text FROM outbox WHERE request_id = $1 ORDER BY id", [id]).map {
            (CustomerID(trusted: $0["recipient"]!), $0["subject"]!, $0["body_text"]!)
        }
    }

    func eventKinds(of id: Int64) throws -> [String] {
        try store.rows("SELECT kind FROM request_event WHERE request_id = $1 ORDER BY at, id", [id]).map { $0["kind"]! }
    }

    func openRoles() throws -> [String: String] {
        Dictionary(uniqueKeysWithValues: try store.rows(RequestStatements.openRequests, [serviceID]).map { ($0["role"]!, $0["request_id"]!) })
    }

    func requestCount() throws -> Int {
        try store.rows("SELECT id FROM change_request").count
    }
}
