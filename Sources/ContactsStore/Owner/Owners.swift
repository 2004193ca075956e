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
// and writes the details, the history line, the pending address and the emails together.

extension AppDatabase {
    /// Sets the whole owner (the operator's command): a new owner or a correction, applied at
    /// once, any pending address dropped.
    public func setOwner(_ owner: OwnerDetails, ofService serviceID: Int64, now: Date) throws {
        try timedWrite { db in
            guard try ServiceRecord.exists(db, key: serviceID) else { throw StoreError.unknownService }
            try Self.writeOwner(owner, serviceID: serviceID, db)
            try Self.replacePendingOwnerEmail(serviceID: serviceID, now: now, db)
            try Self.recordEvent(serviceID: serviceID, at: now, actor: nil, kind: .ownerSet, fields: OwnerField.allCases, db)
        }
    }

    /// Sets the owners of many services in one transaction (all or none): the demo data's path.
    public func setOwners(_ owners: [(serviceID: Int64, owner: OwnerDetails)], now: Date) throws {
        try timedWrite { db in
            for (serviceID, owner) in owners {
                guard try ServiceRecord.exists(db, key: serviceID) else { throw StoreError.unknownService }
                try Self.writeOwner(owner, serviceID: serviceID, db)
                try Self.recordEvent(serviceID: serviceID, at: now, actor: nil, kind: .ownerSet, fields: OwnerField.allCases, db)
            }
        }
    }

    public func owner(ofService serviceID: Int64, now: Date) throws -> StoredOwner? {
        try timedRead { db in try Self.owner(serviceID: serviceID, now: now, db) }
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
        try timedWrite { db in
            guard let service = try ServiceRecord.fetchOne(db, key: serviceID)?.storedService else {
                throw OwnerUpdateError.unknownService
            }
            guard let stored = try Self.owner(serviceID: serviceID, now: now, db) else { throw OwnerUpdateError.noOwner }
            let facts = OwnerRules.UpdateFacts(holders: service.holders, owner: stored.details, revision: stored.revision)
            let decision: OwnerRules.UpdateDecision
            switch OwnerRules.decideUpdate(requester: requester, proposed: proposed, previewedRevision: previewedRevision, facts: facts) {
            case .success(let decided): decision = decided
            case .failure(let refusal): throw OwnerUpdateError.refused(refusal)
            }
            var after = stored.details
            after.contact = decision.applied
            try Self.writeOwner(after, serviceID: serviceID, db)
            if let pending = decision.pendingEmail {
                try Self.replacePendingOwnerEmail(serviceID: serviceID, now: now, db)
                try db.execute(
                    sql: """
                        INSERT INTO owner_email_change (service_id, new_email, token_digest, requested_by, created_at, expires_at)
                        VALUES (?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [serviceID, pending.rawValue, tokenDigest, requester.rawValue, now,
                                now.addingTimeInterval(OwnerRules.emailLinkLifetime)])
            }
            try Self.recordEvent(serviceID: serviceID, at: now, actor: requester, kind: .ownerUpdated, fields: decision.changedFields, db)
            let contacts = decision.recipients.compactMap { if case .contact(let id) = $0 { id } else { nil } }
            let accounts = try Self.accounts(contacts + [requester], db)
            guard let requesterAccount = accounts[requester] else { throw StoreError.unknownAccount }
            let mail = OwnerUpdateMail(
                serviceID: serviceID, serviceName: service.name, before: stored.details, decision: decision,
                requester: requesterAccount, accounts: accounts, onBehalfOf: service.administrative)
            try Self.enqueue(emails(mail), requestID: nil, now: now, db)
            return decision
        }
    }

    /// The link a token names, whatever its state; nil when no link has it.
    public func ownerEmailLink(tokenDigest: String) throws -> OwnerEmailLink? {
        try timedRead { db in try Self.ownerEmailLink(tokenDigest: tokenDigest, db) }
    }

    /// Follows a link: the owner's email becomes the new address, with a history line.
    /// - Throws: ``OwnerRules/LinkProblem``; nothing changes then.
    @discardableResult
    public func confirmOwnerEmail(tokenDigest: String, now: Date) throws -> OwnerEmailLink {
        try timedWrite { db in
            guard let link = try Self.ownerEmailLink(tokenDigest: tokenDigest, db) else { throw OwnerRules.LinkProblem.unknown }
            if case .failure(let problem) = OwnerRules.checkLink(
                isPending: link.isPending, expiresAt: link.expiresAt.timeIntervalSinceReferenceDate,
                now: now.timeIntervalSinceReferenceDate) {
                throw problem
            }
            try db.execute(
                sql: "UPDATE owner_email_change SET state = 'confirmed', decided_at = ? WHERE token_digest = ?",
                arguments: [now, tokenDigest])
            try db.execute(
                sql: "UPDATE service_owner SET email = ?, revision = revision + 1 WHERE service_id = ?",
                arguments: [link.newEmail.rawValue, link.serviceID])
            try Self.recordEvent(serviceID: link.serviceID, at: now, actor: nil, kind: .ownerEmailConfirmed, fields: [.email], db)
            return link
        }
    }

    /// The service's history, oldest first.
    public func serviceEvents(ofService serviceID: Int64) throws -> [ServiceEvent] {
        try timedRead { db in
            try Row.fetchAll(
                db, sql: "SELECT at, actor, kind, fields FROM service_event WHERE service_id = ? ORDER BY at, id",
                arguments: [serviceID]
            ).compactMap { row in
                guard let kind = ServiceEvent.Kind(rawValue: row["kind"]) else { return nil }
                let fields = (row["fields"] as String).split(separator: ",").compactMap { OwnerField(rawValue: String($0)) }
                return ServiceEvent(
                    at: row["at"], actor: (row["actor"] as String?).map(CustomerID.init(trusted:)), kind: kind, fields: fields)
            }
        }
    }

    // MARK: Helpers

    static func owner(serviceID: Int64, now: Date, _ db: Database) throws -> StoredOwner? {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM service_owner WHERE service_id = ?", arguments: [serviceID]),
              let country = Country(rawValue: row["country"])
        else { return nil }
        let contact = OwnerContactDetails(
            street: row["street"], postalCode: PostalCode(trusted: row["postal_code"]), city: row["city"],
            country: country, phone: PhoneNumber(trusted: row["phone"]), email: EmailAddress(trusted: row["email"]))
        var owner = StoredOwner(
            details: OwnerDetails(name: row["name"], organisation: row["organisation"], contact: contact),
            revision: row["revision"])
        if let pending = try Row.fetchOne(
            db, sql: "SELECT new_email, expires_at FROM owner_email_change WHERE service_id = ? AND state = 'pending' AND expires_at > ?",
            arguments: [serviceID, now]) {
            owner.pendingEmail = EmailAddress(trusted: pending["new_email"])
            owner.pendingUntil = pending["expires_at"]
        }
        return owner
    }

    private static func writeOwner(_ owner: OwnerDetails, serviceID: Int64, _ db: Database) throws {
        let contact = owner.contact
        try db.cachedStatement(
            sql: """
                INSERT INTO service_owner (service_id, name, organisation, street, postal_code, city, country, phone, email)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (service_id) DO UPDATE SET
                    name = excluded.name, organisation = excluded.organisation, street = excluded.street,
                    postal_code = excluded.postal_code, city = excluded.city, country = excluded.country,
                    phone = excluded.phone, email = excluded.email, revision = revision + 1
                """
        ).execute(arguments: [serviceID, owner.name, owner.organisation, contact.street, contact.postalCode.rawValue,
                        contact.city, contact.country.rawValue, contact.phone.rawValue, contact.email.rawValue])
    }

    private static func replacePendingOwnerEmail(serviceID: Int64, now: Date, _ db: Database) throws {
        try db.execute(
            sql: "UPDATE owner_email_change SET state = 'replaced', decided_at = ? WHERE service_id = ? AND state = 'pending'",
            arguments: [now, serviceID])
    }

    private static func recordEvent(
        serviceID: Int64, at now: Date, actor: CustomerID?, kind: ServiceEvent.Kind, fields: [OwnerField], _ db: Database
    ) throws {
        try db.cachedStatement(
            sql: "INSERT INTO service_event (service_id, at, actor, kind, fields) VALUES (?, ?, ?, ?, ?)"
        ).execute(arguments: [serviceID, now, actor?.rawValue, kind.rawValue, fields.map(\.rawValue).joined(separator: ",")])
    }

    private static func ownerEmailLink(tokenDigest: String, _ db: Database) throws -> OwnerEmailLink? {
        try Row.fetchOne(
            db,
            sql: """
                SELECT c.service_id, s.name, c.new_email, c.state, c.expires_at
                FROM owner_email_change c JOIN service s ON s.id = c.service_id
                WHERE c.token_digest = ?
                """,
            arguments: [tokenDigest]
        ).map { row in
            OwnerEmailLink(
                serviceID: row["service_id"], serviceName: row["name"], newEmail: EmailAddress(trusted: row["new_email"]),
                isPending: (row["state"] as String) == "pending", expiresAt: row["expires_at"])
        }
    }
}
