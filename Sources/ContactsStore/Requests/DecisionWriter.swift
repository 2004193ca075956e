import ContactsDomain
import Credentials
import Foundation
import GRDB

/// A stored request, with the facts the domain decides on.
struct LoadedRequest {
    var record: ChangeRequestRecord
    var confirmations: [ConfirmationRecord]
    var facts: RequestFacts

    var id: Int64 { record.id! }
}

/// Writes a ``RequestDecision`` inside the caller's transaction: it knows SQL and the outbox,
/// no rule.
struct DecisionWriter {
    let composer: any RequestEmailComposer
    let newCode: @Sendable () -> String

    func apply(_ decision: RequestDecision, to loaded: LoadedRequest, now: Date, _ db: Database) throws {
        let id = loaded.id
        if let confirmer = decision.wrongCodeBy {
            var failure = CodeFailureRecord(id: nil, requestID: id, account: confirmer.rawValue, failedAt: now)
            try failure.insert(db)
        }
        if let confirmer = decision.acceptedBy {
            try db.execute(
                sql: "UPDATE confirmation SET accepted_at = ? WHERE request_id = ? AND confirmer = ? AND accepted_at IS NULL",
                arguments: [now, id, confirmer.rawValue])
        }
        if !decision.rolesToMove.isEmpty {
            // Column names from a closed enum, never from input. The membership triggers update
            // every contacts table at once.
            let assignments = decision.rolesToMove
                .map { "\(ServiceRecord.column(for: $0).rawValue) = :to" }
                .joined(separator: ", ")
            try db.execute(
                sql: "UPDATE service SET \(assignments) WHERE id = :id",
                arguments: ["to": loaded.facts.to.rawValue, "id": loaded.record.serviceID])
        }
        if let decidedAt = decision.decidedAt {
            // The trigger on `change_request` closes its roles.
            try db.execute(
                sql: "UPDATE change_request SET state = ?, decided_at = ?, failure_reason = ? WHERE id = ? AND state = 'waiting'",
                arguments: [decision.state.rawValue, decidedAt, decision.failure?.rawValue, id])
        }
        var codes: [CustomerID: String] = [:]
        for confirmer in decision.freshCodes {
            let code = newCode()
            codes[confirmer] = code
            try db.execute(sql: """
                INSERT INTO confirmation (request_id, confirmer, code_digest) VALUES (?, ?, ?)
                ON CONFLICT (request_id, confirmer) DO UPDATE SET code_digest = excluded.code_digest
                """, arguments: [id, confirmer.rawValue, Secret.digest(code)])
        }
        if decision.resent {
            try db.execute(sql: "UPDATE change_request SET last_resent_at = ? WHERE id = ?", arguments: [now, id])
        }
        for event in decision.events {
            try AppDatabase.addEvent(requestID: id, at: event.at, kind: event.kind, actor: event.actor, db)
        }
        guard !decision.emails.isEmpty else { return }
        guard let snapshot = try AppDatabase.snapshot(id, db) else { throw RequestError.notFound }
        let accounts = Dictionary(snapshot.participants.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var outgoing: [OutgoingEmail] = []
        for email in decision.emails {
            guard let recipient = accounts[email.recipient] else { continue }
            let composed = composer.compose(email.kind, to: recipient, code: codes[email.recipient], about: snapshot)
            outgoing.append(composed)
            // How a request ends goes to every address the account had while it was open too:
            // an address changed meanwhile (by somebody with a stolen session, perhaps) does not
            // keep its owner from learning of it. Codes go to the current address only.
            guard email.kind == .outcome else { continue }
            let earlier = try AppDatabase.emailAddresses(of: recipient.id, inForceFrom: loaded.facts.requestedAt, to: now, db)
            for address in earlier where address != recipient.email {
                var copy = composed
                copy.toAddress = address.rawValue
                outgoing.append(copy)
            }
        }
        try AppDatabase.enqueue(outgoing, requestID: id, now: now, db)
    }
}

extension AppDatabase {
    static func load(_ id: Int64, _ db: Database) throws -> LoadedRequest? {
        guard let record = try ChangeRequestRecord.fetchOne(db, key: id),
              let state = RequestState(rawValue: record.state) else { return nil }
        let roles = try String.fetchAll(
            db, sql: "SELECT role FROM change_request_role WHERE request_id = ?", arguments: [id]
        ).compactMap(Role.init(rawValue:))
        let confirmations = try ConfirmationRecord.fetchAll(
            db, sql: "SELECT * FROM confirmation WHERE request_id = ?", arguments: [id])
        let resends = try Int.fetchOne(
            db, sql: "SELECT count(*) FROM request_event WHERE request_id = ? AND kind = 'resent'", arguments: [id]) ?? 0
        let from = CustomerID(trusted: record.fromAccount)
        let to = CustomerID(trusted: record.toAccount)
        let facts = RequestFacts(
            state: state, roles: roles, from: from, to: to, requester: CustomerID(trusted: record.requester),
            requestedAt: record.requestedAt, expiresAt: record.expiresAt, lastResentAt: record.lastResentAt,
            resends: resends,
            confirmations: Dictionary(
                confirmations.map { (CustomerID(trusted: $0.confirmer), $0.acceptedAt) },
                uniquingKeysWith: { first, _ in first }),
            holders: try ServiceRecord.fetchOne(db, key: record.serviceID)?.storedService?.holders,
            accounts: try accounts([from, to], db))
        return LoadedRequest(record: record, confirmations: confirmations, facts: facts)
    }

    static func addEvent(
        requestID: Int64, at: Date, kind: RequestEventKind, actor: CustomerID?, _ db: Database
    ) throws {
        var event = RequestEventRecord(id: nil, requestID: requestID, at: at, kind: kind.rawValue, actor: actor?.rawValue)
        try event.insert(db)
    }

    static func accounts(_ ids: [CustomerID], _ db: Database) throws -> [CustomerID: Account] {
        let records = try AccountRecord.fetchAll(db, keys: Set(ids.map(\.rawValue)))
        return Dictionary(records.map { ($0.account.id, $0.account) }, uniquingKeysWith: { first, _ in first })
    }

    /// The request as pages and emails show it.
    static func snapshot(_ id: Int64, _ db: Database) throws -> RequestSnapshot? {
        guard let loaded = try load(id, db),
              let service = try ServiceRecord.fetchOne(db, key: loaded.record.serviceID)?.storedService
        else { return nil }
        let facts = loaded.facts
        let accounts = try accounts(facts.participants, db)
        guard let requester = accounts[facts.requester], let from = accounts[facts.from], let to = accounts[facts.to]
        else { return nil }
        // The requester first, then the others by customer ID.
        let confirmations = facts.confirmations.keys
            .sorted { ($0 == facts.requester ? 0 : 1, $0.rawValue) < ($1 == facts.requester ? 0 : 1, $1.rawValue) }
            .compactMap { id in
                accounts[id].map { ConfirmationSnapshot(confirmer: $0, acceptedAt: facts.confirmations[id] ?? nil) }
            }
        let events = try RequestEventRecord.fetchAll(
            db, sql: "SELECT * FROM request_event WHERE request_id = ? ORDER BY at, id", arguments: [id]
        ).map { RequestEventSnapshot(at: $0.at, kind: $0.kind, actor: $0.actor.map(CustomerID.init(trusted:))) }
        return RequestSnapshot(
            id: id, serviceID: service.id, serviceName: service.name, serviceType: service.type,
            roles: facts.roles, from: from, to: to, requester: requester, state: facts.state,
            requestedAt: facts.requestedAt, decidedAt: loaded.record.decidedAt,
            expiresAt: facts.expiresAt, lastResentAt: facts.lastResentAt,
            failure: loaded.record.failureReason.flatMap(RequestFailure.init(rawValue:)),
            confirmations: confirmations, events: events)
    }
}

extension StoredService {
    var holders: RoleHolders {
        RoleHolders(administrative: administrative, technical: technical, billing: billing)
    }
}
