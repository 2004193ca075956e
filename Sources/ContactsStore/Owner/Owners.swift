import ContactsDomain
import Foundation
import GRDB

/// A service's owner as stored, with the revision previews are made at and any new email
/// address still waiting for its link.
public struct StoredOwner: Equatable, Sendable {
    public var details: OwnerDetails
    public var revision: Int
    public var pendingEmail: EmailAddress?
    public var pendingUntil: Date?
}

/// One line of a service's history.
public struct ServiceEvent: Equatable, Sendable {
    public enum Kind: String, Sendable {
        case ownerSet = "owner_set"
        case ownerUpdated = "owner_updated"
        case ownerEmailConfirmed = "owner_email_confirmed"
    }

    public var at: Date
    /// Nil for the operator, and for the owner following its link.
    public var actor: CustomerID?
    public var kind: Kind
    public var fields: [OwnerField]
}

/// What the owner emails of an update are written from, given to the renderer by the store.
public struct OwnerUpdateMail: Sendable {
    public var serviceID: Int64
    public var serviceName: String
    public var before: OwnerDetails
    public var decision: OwnerRules.UpdateDecision
    public var requester: Account
    /// The accounts of the decision's `.contact` recipients.
    public var accounts: [CustomerID: Account]
    /// Who the owner's emails are filed under in the outbox: the administrative contact.
    public var onBehalfOf: CustomerID

    public init(
        serviceID: Int64, serviceName: String, before: OwnerDetails, decision: OwnerRules.UpdateDecision,
        requester: Account, accounts: [CustomerID: Account], onBehalfOf: CustomerID
    ) {
        self.serviceID = serviceID
        self.serviceName = serviceName
        self.before = before
        self.decision = decision
        self.requester = requester
        self.accounts = accounts
        self.onBehalfOf = onBehalfOf
    }
}

/// A link to confirm a new owner email address, as the page that opens it needs it.
public struct OwnerEmailLink: Equatable, Sendable {
    public var serviceID: Int64
    public var serviceName: String
    public var newEmail: EmailAddress
    public var isPending: Bool
    public var expiresAt: Date
}

public enum OwnerUpdateError: Error, Equatable, Sendable {
    case unknownService
    /// The service has no owner on record.
    case noOwner
    case refused(OwnerRules.Refusal)
}

// MARK: - The owner's details
//
// Every rule is OwnerRules'; the store loads the facts inside the write transaction, asks it,
// and writes the details, the history line, the pending address and the emails together. The
// operations are written once over either engine's transaction; each engine's public methods
// below only open the transaction.

extension AppDatabase {
    /// Sets the whole owner (the operator's command): a new owner or a correction, applied at
    /// once, any pending address dropped.
    public func setOwner(_ owner: OwnerDetails, ofService serviceID: Int64, now: Date) throws {
        try sharedWrite { try $0.setOwners([(serviceID, owner)], now: now, replacingPending: true) }
    }

    /// Sets the owners of many services in one transaction (all or none): the demo data's path.
    public func setOwners(_ owners: [(serviceID: Int64, owner: OwnerDetails)], now: Date) throws {
        try sharedWrite { try $0.setOwners(owners, now: now, replacingPending: false) }
    }

    public func owner(ofService serviceID: Int64, now: Date) throws -> StoredOwner? {
        try sharedRead { try $0.owner(serviceID: serviceID, now: now) }
    }

    /// Saves an update previewed at `previewedRevision`: the fields but the email at once, a new
    /// email address pending under `tokenDigest`, the history line, and `emails(mail)`.
    /// - Throws: ``OwnerUpdateError``; nothing is written then.
    @discardableResult
    public func updateOwner(
        ofService serviceID: Int64, by requester: CustomerID, to proposed: OwnerContactDetails,
        previewedRevision: Int, tokenDigest: String, now: Date,
        emails: (OwnerUpdateMail) -> [OutgoingEmail]
    ) throws -> OwnerRules.UpdateDecision {
        try sharedWrite {
            try $0.updateOwner(ofService: serviceID, by: requester, to: proposed, previewedRevision: previewedRevision,
                               tokenDigest: tokenDigest, now: now, emails: emails)
        }
    }

    /// The link a token names, whatever its state; nil when no link has it.
    public func ownerEmailLink(tokenDigest: String) throws -> OwnerEmailLink? {
        try sharedRead { try $0.ownerEmailLink(tokenDigest: tokenDigest) }
    }

    /// Follows a link: the owner's email becomes the new address, with a history line.
    /// - Throws: ``OwnerRules/LinkProblem``; nothing changes then.
    @discardableResult
    public func confirmOwnerEmail(tokenDigest: String, now: Date) throws -> OwnerEmailLink {
        try sharedWrite { try $0.confirmOwnerEmail(tokenDigest: tokenDigest, now: now) }
    }

    /// The service's history, oldest first.
    public func serviceEvents(ofService serviceID: Int64) throws -> [ServiceEvent] {
        try sharedRead { try $0.serviceEvents(ofService: serviceID) }
    }
}

extension PostgresStore {
    /// See ``AppDatabase/setOwner(_:ofService:now:)``.
    public func setOwner(_ owner: OwnerDetails, ofService serviceID: Int64, now: Date) throws {
        try sharedWrite { try $0.setOwners([(serviceID, owner)], now: now, replacingPending: true) }
    }

    /// See ``AppDatabase/setOwners(_:now:)``.
    public func setOwners(_ owners: [(serviceID: Int64, owner: OwnerDetails)], now: Date) throws {
        try sharedWrite { try $0.setOwners(owners, now: now, replacingPending: false) }
    }

    public func owner(ofService serviceID: Int64, now: Date) throws -> StoredOwner? {
        try sharedRead { try $0.owner(serviceID: serviceID, now: now) }
    }

    /// See ``AppDatabase/updateOwner(ofService:by:to:previewedRevision:tokenDigest:now:emails:)``.
    @discardableResult
    public func updateOwner(
        ofService serviceID: Int64, by requester: CustomerID, to proposed: OwnerContactDetails,
        previewedRevision: Int, tokenDigest: String, now: Date,
        emails: (OwnerUpdateMail) -> [OutgoingEmail]
    ) throws -> OwnerRules.UpdateDecision {
        try sharedWrite {
            try $0.updateOwner(ofService: serviceID, by: requester, to: proposed, previewedRevision: previewedRevision,
                               tokenDigest: tokenDigest, now: now, emails: emails)
        }
    }

    public func ownerEmailLink(tokenDigest: String) throws -> OwnerEmailLink? {
        try sharedRead { try $0.ownerEmailLink(tokenDigest: tokenDigest) }
    }

    @discardableResult
    public func confirmOwnerEmail(tokenDigest: String, now: Date) throws -> OwnerEmailLink {
        try sharedWrite { try $0.confirmOwnerEmail(tokenDigest: tokenDigest, now: now) }
    }

    public func serviceEvents(ofService serviceID: Int64) throws -> [ServiceEvent] {
        try sharedRead { try $0.serviceEvents(ofService: serviceID) }
    }
}

extension StoreTransaction where Self: RequestTransaction {
    func setOwners(_ owners: [(serviceID: Int64, owner: OwnerDetails)], now: Date, replacingPending: Bool) throws {
        for (serviceID, owner) in owners {
            guard try service(serviceID, forUpdate: true) != nil else { throw StoreError.unknownService }
            try writeOwner(owner, serviceID: serviceID)
            if replacingPending { try replacePendingOwnerEmail(serviceID: serviceID, now: now) }
            try recordEvent(serviceID: serviceID, at: now, actor: nil, kind: .ownerSet, fields: OwnerField.allCases)
        }
    }

    func updateOwner(
        ofService serviceID: Int64, by requester: CustomerID, to proposed: OwnerContactDetails,
        previewedRevision: Int, tokenDigest: String, now: Date,
        emails: (OwnerUpdateMail) -> [OutgoingEmail]
    ) throws -> OwnerRules.UpdateDecision {
        // Locked (PostgreSQL): two updates of one owner decide one after the other, so the
        // second sees the first's revision.
        guard let service = try service(serviceID, forUpdate: true) else { throw OwnerUpdateError.unknownService }
        guard let stored = try owner(serviceID: serviceID, now: now) else { throw OwnerUpdateError.noOwner }
        let facts = OwnerRules.UpdateFacts(holders: service.holders, owner: stored.details, revision: stored.revision)
        let decision: OwnerRules.UpdateDecision
        switch OwnerRules.decideUpdate(requester: requester, proposed: proposed, previewedRevision: previewedRevision, facts: facts) {
        case .success(let decided): decision = decided
        case .failure(let refusal): throw OwnerUpdateError.refused(refusal)
        }
        var after = stored.details
        after.contact = decision.applied
        try writeOwner(after, serviceID: serviceID)
        if let pending = decision.pendingEmail {
            try replacePendingOwnerEmail(serviceID: serviceID, now: now)
            try execute(SharedStatement(sql: """
                INSERT INTO owner_email_change (service_id, new_email, token_digest, requested_by, created_at, expires_at)
                VALUES ($1, $2, $3, $4, $5, $6)
                """, values: [.int(serviceID), .text(pending.rawValue), .text(tokenDigest), .text(requester.rawValue),
                              .date(now), .date(now.addingTimeInterval(OwnerRules.emailLinkLifetime))]))
        }
        try recordEvent(serviceID: serviceID, at: now, actor: requester, kind: .ownerUpdated, fields: decision.changedFields)
        let contacts = decision.recipients.compactMap { if case .contact(let id) = $0 { id } else { nil } }
        let accounts = try accounts(contacts + [requester])
        guard let requesterAccount = accounts[requester] else { throw StoreError.unknownAccount }
        let mail = OwnerUpdateMail(
            serviceID: serviceID, serviceName: service.name, before: stored.details, decision: decision,
            requester: requesterAccount, accounts: accounts, onBehalfOf: service.administrative)
        try enqueue(emails(mail), now: now)
        return decision
    }

    func confirmOwnerEmail(tokenDigest: String, now: Date) throws -> OwnerEmailLink {
        guard let link = try ownerEmailLink(tokenDigest: tokenDigest) else { throw OwnerRules.LinkProblem.unknown }
        if case .failure(let problem) = OwnerRules.checkLink(
            isPending: link.isPending, expiresAt: link.expiresAt.timeIntervalSinceReferenceDate,
            now: now.timeIntervalSinceReferenceDate) {
            throw problem
        }
        // Only while still pending: of two hosts following one link at once, one confirms.
        let confirmed = try execute(SharedStatement(
            sql: "UPDATE owner_email_change SET state = 'confirmed', decided_at = $1 WHERE token_digest = $2 AND state = 'pending'",
            values: [.date(now), .text(tokenDigest)]))
        guard confirmed == 1 else { throw OwnerRules.LinkProblem.used }
        try execute(SharedStatement(
            sql: "UPDATE service_owner SET email = $1, revision = revision + 1 WHERE service_id = $2",
            values: [.text(link.newEmail.rawValue), .int(link.serviceID)]))
        try recordEvent(serviceID: link.serviceID, at: now, actor: nil, kind: .ownerEmailConfirmed, fields: [.email])
        return link
    }

    func serviceEvents(ofService serviceID: Int64) throws -> [ServiceEvent] {
        try rows(SharedStatement(
            sql: "SELECT at, actor, kind, fields FROM service_event WHERE service_id = $1 ORDER BY at, id",
            values: [.int(serviceID)]
        )).compactMap { row in
            guard let kind = ServiceEvent.Kind(rawValue: try row.string("kind")) else { return nil }
            let fields = try row.string("fields").split(separator: ",").compactMap { OwnerField(rawValue: String($0)) }
            return ServiceEvent(
                at: try row.date("at"), actor: row.optionalString("actor").map(CustomerID.init(trusted:)), kind: kind, fields: fields)
        }
    }

    func owner(serviceID: Int64, now: Date) throws -> StoredOwner? {
        guard let row = try rows(SharedStatement(
            sql: "SELECT * FROM service_owner WHERE service_id = $1", values: [.int(serviceID)])).first,
            let country = Country(rawValue: try row.string("country"))
        else { return nil }
        let contact = OwnerContactDetails(
            street: try row.string("street"), postalCode: PostalCode(trusted: try row.string("postal_code")),
            city: try row.string("city"), country: country, phone: PhoneNumber(trusted: try row.string("phone")),
            email: EmailAddress(trusted: try row.string("email")))
        var owner = StoredOwner(
            details: OwnerDetails(name: row.optionalString("name"), organisation: row.optionalString("organisation"), contact: contact),
            revision: try row.int("revision"))
        if let pending = try rows(SharedStatement(sql: """
            SELECT new_email, expires_at FROM owner_email_change WHERE service_id = $1 AND state = 'pending' AND expires_at > $2
            """, values: [.int(serviceID), .date(now)])).first {
            owner.pendingEmail = EmailAddress(trusted: try pending.string("new_email"))
            owner.pendingUntil = try pending.date("expires_at")
        }
        return owner
    }

    private func writeOwner(_ owner: OwnerDetails, serviceID: Int64) throws {
        let contact = owner.contact
        func optional(_ text: String?) -> SharedStatement.Value { text.map { .text($0) } ?? .null }
        try execute(SharedStatement(sql: """
            INSERT INTO service_owner (service_id, name, organisation, street, postal_code, city, country, phone, email)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
            ON CONFLICT (service_id) DO UPDATE SET
                name = excluded.name, organisation = excluded.organisation, street = excluded.street,
                postal_code = excluded.postal_code, city = excluded.city, country = excluded.country,
                phone = excluded.phone, email = excluded.email, revision = service_owner.revision + 1
            """, values: [.int(serviceID), optional(owner.name), optional(owner.organisation), .text(contact.street),
                          .text(contact.postalCode.rawValue), .text(contact.city), .text(contact.country.rawValue),
                          .text(contact.phone.rawValue), .text(contact.email.rawValue)]))
    }

    private func replacePendingOwnerEmail(serviceID: Int64, now: Date) throws {
        try execute(SharedStatement(
            sql: "UPDATE owner_email_change SET state = 'replaced', decided_at = $1 WHERE service_id = $2 AND state = 'pending'",
            values: [.date(now), .int(serviceID)]))
    }

    private func recordEvent(serviceID: Int64, at now: Date, actor: CustomerID?, kind: ServiceEvent.Kind, fields: [OwnerField]) throws {
        try execute(SharedStatement(
            sql: "INSERT INTO service_event (service_id, at, actor, kind, fields) VALUES ($1, $2, $3, $4, $5)",
            values: [.int(serviceID), .date(now), actor.map { .text($0.rawValue) } ?? .null, .text(kind.rawValue),
                     .text(fields.map(\.rawValue).joined(separator: ","))]))
    }

    func ownerEmailLink(tokenDigest: String) throws -> OwnerEmailLink? {
        try rows(SharedStatement(sql: """
            SELECT c.service_id, s.name, c.new_email, c.state, c.expires_at
            FROM owner_email_change c JOIN service s ON s.id = c.service_id
            WHERE c.token_digest = $1
            """, values: [.text(tokenDigest)])
        ).first.map { row in
            OwnerEmailLink(
                serviceID: try row.int64("service_id"), serviceName: try row.string("name"),
                newEmail: EmailAddress(trusted: try row.string("new_email")),
                isPending: try row.string("state") == "pending", expiresAt: try row.date("expires_at"))
        }
    }
}
