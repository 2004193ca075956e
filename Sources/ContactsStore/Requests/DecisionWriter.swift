import ContactsDomain
import Credentials
import Foundation

/// A stored request, with the facts the domain decides on.
struct LoadedRequest {
    var record: ChangeRequestRecord
    var confirmations: [ConfirmationRecord]
    var facts: RequestFacts

    var id: Int64 { record.id! }
}

/// Writes a ``RequestDecision`` inside the caller's transaction, on either engine: it knows
/// the outbox, no rule and no SQL (``RequestTransaction`` has that).
struct DecisionWriter {
    let composer: any RequestEmailComposer
    let newCode: @Sendable () -> String

    func apply(_ decision: RequestDecision, to loaded: LoadedRequest, now: Date, _ tx: some RequestTransaction) throws {
        let id = loaded.id
        if let confirmer = decision.wrongCodeBy {
            try tx.insertCodeFailure(ofRequest: id, by: confirmer, at: now)
        }
        if let confirmer = decision.acceptedBy {
            try tx.markAccepted(ofRequest: id, by: confirmer, at: now)
        }
        if !decision.rolesToMove.isEmpty {
            // The membership triggers update every contacts table at once.
            try tx.moveRoles(decision.rolesToMove, to: loaded.facts.to, onService: loaded.record.serviceID)
        }
        if let decidedAt = decision.decidedAt {
            // The trigger on `change_request` closes its roles.
            try tx.finish(id, state: decision.state, decidedAt: decidedAt, failure: decision.failure)
        }
        var codes: [CustomerID: String] = [:]
        for confirmer in decision.freshCodes {
            let code = newCode()
            codes[confirmer] = code
            try tx.setCode(ofRequest: id, confirmer: confirmer, digest: Secret.digest(code))
        }
        if decision.resent {
            try tx.markResent(id, at: now)
        }
        for event in decision.events {
            try tx.addEvent(ofRequest: id, at: event.at, kind: event.kind, actor: event.actor)
        }
        guard !decision.emails.isEmpty else { return }
        guard let snapshot = try tx.snapshot(id) else { throw RequestError.notFound }
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
            let earlier = try tx.emailAddresses(of: recipient.id, inForceFrom: loaded.facts.requestedAt, to: now)
            for address in earlier where address != recipient.email {
                var copy = composed
                copy.toAddress = address.rawValue
                outgoing.append(copy)
            }
        }
        try tx.enqueue(outgoing, requestID: id, now: now)
    }
}

extension StoredService {
    var holders: RoleHolders {
        RoleHolders(administrative: administrative, technical: technical, billing: billing)
    }
}
