import ContactsDomain
import Credentials
import Foundation
import GRDB
import Testing
@testable import ContactsStore

/// Fourteen days, the default window.
let requestWindow: TimeInterval = 14 * 24 * 3600

/// A composer that writes one email to every participant, saying which request, its state and
/// its latest event, with the recipient's code when one was just issued.
let recordingComposer: EmailComposer = { snapshot in
    snapshot.participants.map { account in
        OutgoingEmail(
            recipient: account.id, toAddress: account.email.rawValue, language: account.language,
            subject: "request \(snapshot.id) \(snapshot.state.rawValue) \(snapshot.events.last?.kind ?? "-")",
            bodyText: snapshot.codes[account.id].map { "your code: \($0)" } ?? "no code")
    }
}

/// A composer for actions whose emails the test does not look at.
let silentComposer: EmailComposer = { _ in [] }

/// The world most request tests start from: example.pl with aa1 as administrative, bb2 as
/// technical and cc3 as billing contact; dd4 and ee5 hold nothing.
struct RequestWorld {
    let db: AppDatabase
    let serviceID: Int64
    let admin = cid("aa1-ovh")
    let tech = cid("bb2-ovh")
    let billing = cid("cc3-ovh")
    let newcomer = cid("dd4-ovh")
    let outsider = cid("ee5-ovh")

    init(payments: [String: PaymentStatus] = [:]) throws {
        db = try AppDatabase.temporary()
        try db.createAccounts(
            ["aa1-ovh", "bb2-ovh", "cc3-ovh", "dd4-ovh", "ee5-ovh"].map {
                (makeAccount($0, language: .pt, payment: payments[$0] ?? .upToDate), someHash)
            }, now: now)
        serviceID = try db.addService(
            name: "example.pl", type: .domain,
            administrative: cid("aa1-ovh"), technical: cid("bb2-ovh"), billing: cid("cc3-ovh"))
    }

    var holders: RoleHolders {
        get throws { try #require(try db.roleHolders(ofService: serviceID)).holders }
    }

    /// Plans `changes` with the domain rules and submits them; returns the request IDs and the
    /// codes issued, per request.
    @discardableResult
    func submit(
        by requester: CustomerID, _ changes: [Role: CustomerID], at time: Date = now,
        compose: @escaping EmailComposer = recordingComposer
    ) throws -> [(id: Int64, codes: [CustomerID: String])] {
        let holders = try self.holders
        let plans = try ChangeRules.plan(requester: requester, holders: holders, changes: changes).get()
        let requests = plans.map { plan in
            NewRequest(
                plan: plan, serviceID: serviceID,
                codes: Dictionary(uniqueKeysWithValues: plan.confirmers.map { ($0, Secret.generate()) }))
        }
        let ids = try db.createRequests(
            requests, expectedHolders: holders, now: time, expiresAfter: requestWindow, compose: compose)
        return zip(ids, requests).map { ($0, $1.codes) }
    }

    /// The one request of a submission.
    func submitOne(
        by requester: CustomerID, _ changes: [Role: CustomerID], at time: Date = now
    ) throws -> (id: Int64, codes: [CustomerID: String]) {
        let created = try submit(by: requester, changes, at: time)
        return try #require(created.count == 1 ? created[0] : nil)
    }

    func state(of id: Int64) throws -> String? {
        try db.dbPool.read { try String.fetchOne($0, sql: "SELECT state FROM change_request WHERE id = ?", arguments: [id]) }
    }

    func outbox(request id: Int64) throws -> [OutboxRecord] {
        try db.dbPool.read {
            try OutboxRecord.fetchAll($0, sql: "SELECT * FROM outbox WHERE request_id = ? ORDER BY id", arguments: [id])
        }
    }

    func subjects(request id: Int64) throws -> [String] {
        try outbox(request: id).map(\.subject)
    }

    func eventKinds(of id: Int64) throws -> [String] {
        try db.dbPool.read {
            try String.fetchAll($0, sql: "SELECT kind FROM request_event WHERE request_id = ? ORDER BY at, id", arguments: [id])
        }
    }

    func servicesOnPage(of account: CustomerID) throws -> [String: Set<Role>] {
        let page = try db.contactsPage(for: account, query: ContactsQuery())
        return Dictionary(uniqueKeysWithValues: page.rows.map { ($0.name, $0.myRoles) })
    }
}

extension RequestSnapshot {
    var eventKinds: [String] { events.map(\.kind) }
}
