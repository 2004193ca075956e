import ContactsDomain
import Credentials
import Foundation
import GRDB
import Testing
@testable import ContactsStore

/// Fourteen days, the default window.
let requestWindow: TimeInterval = 14 * 24 * 3600

/// A composer that writes each email it is asked for, saying which request, its state and its
/// latest event, with the recipient's code when one was just issued. `override`, when set,
/// writes instead (a test's broken or observing composer).
final class RecordingComposer: RequestEmailComposer, @unchecked Sendable {
    private let lock = NSLock()
    private var _override: (@Sendable (RequestDecision.Email.Kind, Account, String?, RequestSnapshot) -> OutgoingEmail)?

    var override: (@Sendable (RequestDecision.Email.Kind, Account, String?, RequestSnapshot) -> OutgoingEmail)? {
        get { lock.withLock { _override } }
        set { lock.withLock { _override = newValue } }
    }

    func compose(_ kind: RequestDecision.Email.Kind, to recipient: Account, code: String?, about snapshot: RequestSnapshot) -> OutgoingEmail {
        if let override { return override(kind, recipient, code, snapshot) }
        return OutgoingEmail(
            recipient: recipient.id, toAddress: recipient.email.rawValue, language: recipient.language,
            subject: "request \(snapshot.id) \(snapshot.state.rawValue) \(snapshot.events.last?.kind ?? "-")",
            bodyText: code.map { "your code: \($0)" } ?? "no code")
    }
}

/// The world most request tests start from: example.pl with aa1 as administrative, bb2 as
/// technical and cc3 as billing contact; dd4 and ee5 hold nothing.
struct RequestWorld {
    let db: AppDatabase
    let composer = RecordingComposer()
    let serviceID: Int64
    let admin = cid("aa1-ovh")
    let tech = cid("bb2-ovh")
    let billing = cid("cc3-ovh")
    let newcomer = cid("dd4-ovh")
    let outsider = cid("ee5-ovh")

    init(payments: [String: PaymentStatus] = [:]) throws {
        db = try AppDatabase.temporary(emails: composer)
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

    /// Submits `changes` as the edit page does; returns the request IDs and the codes its
    /// confirmers were mailed, per request.
    @discardableResult
    func submit(
        by requester: CustomerID, _ changes: [Role: CustomerID], at time: Date = now
    ) throws -> [(id: Int64, codes: [CustomerID: String])] {
        let ids = try db.createRequests(
            onService: serviceID, by: requester, changes: changes, expectedHolders: try holders,
            now: time, expiresAfter: requestWindow)
        return try ids.map { ($0, try mailedCodes(request: $0)) }
    }

    /// The latest code mailed to each confirmer of a request.
    func mailedCodes(request id: Int64) throws -> [CustomerID: String] {
        var codes: [CustomerID: String] = [:]
        for mail in try outbox(request: id) where mail.bodyText.hasPrefix("your code: ") {
            codes[CustomerID(trusted: mail.recipient)] = String(mail.bodyText.dropFirst("your code: ".count))
        }
        return codes
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

/// The four actions as the tests call them.
extension AppDatabase {
    @discardableResult
    func accept(requestID: Int64, by account: CustomerID, code: String, now: Date) throws -> RequestSnapshot {
        try perform(.accept(by: account, code: code), on: requestID, now: now)
    }

    @discardableResult
    func refuse(requestID: Int64, by account: CustomerID, code: String, now: Date) throws -> RequestSnapshot {
        try perform(.refuse(by: account, code: code), on: requestID, now: now)
    }

    @discardableResult
    func cancel(requestID: Int64, by account: CustomerID, now: Date) throws -> RequestSnapshot {
        try perform(.cancel(by: account), on: requestID, now: now)
    }

    @discardableResult
    func resend(requestID: Int64, by account: CustomerID, now: Date) throws -> RequestSnapshot {
        try perform(.resend(by: account), on: requestID, now: now)
    }
}
