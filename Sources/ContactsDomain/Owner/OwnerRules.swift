/// Every decision about a service owner's details: who sees them, who may update them, whether
/// a form is valid, what an update changes and who is told. Pure: the store loads the facts and
/// applies what is decided here.
public enum OwnerRules {
    /// Any of the service's three contacts sees the owner's details; nobody else learns the
    /// service exists.
    public static func canView(_ account: CustomerID, holders: RoleHolders) -> Bool {
        !holders.roles(of: account).isEmpty
    }

    /// Only the administrative contact may update them, as the three guides say.
    public static func canUpdate(_ account: CustomerID, holders: RoleHolders) -> Bool {
        holders.administrative == account
    }

    /// What was typed in the update form, field by field.
    public typealias Form = [OwnerField: String]

    /// Reads the form by the country's rules: the new details, or a problem per field.
    public static func validate(_ form: Form, country: Country) -> Result<OwnerContactDetails, OwnerFormProblems> {
        var problems: [OwnerField: OwnerFieldProblem] = [:]
        func text(_ field: OwnerField) -> String? {
            do { return try AddressText.parse(form[field] ?? "") } catch {
                problems[field] = error.problem
                return nil
            }
        }
        let street = text(.street)
        let city = text(.city)
        var postalCode: PostalCode?
        do { postalCode = try PostalCode(parsing: form[.postalCode] ?? "", country: country) } catch {
            problems[.postalCode] = error == .empty ? .empty : .malformed
        }
        var phone: PhoneNumber?
        do { phone = try PhoneNumber(parsing: form[.phone] ?? "", country: country) } catch {
            problems[.phone] = switch error {
            case .empty: .empty
            case .malformed: .malformed
            case .wrongLength: .wrongLength
            }
        }
        var email: EmailAddress?
        do { email = try EmailAddress(parsing: form[.email] ?? "") } catch {
            problems[.email] = switch error {
            case .empty: .empty
            case .tooLong: .tooLong
            case .malformed: .malformed
            }
        }
        guard problems.isEmpty, let street, let city, let postalCode, let phone, let email else {
            return .failure(OwnerFormProblems(byField: problems))
        }
        return .success(OwnerContactDetails(
            street: street, postalCode: postalCode, city: city, country: country, phone: phone, email: email))
    }

    /// The facts an update is decided on, loaded by the store inside its transaction.
    public struct UpdateFacts: Equatable, Sendable {
        public var holders: RoleHolders
        public var owner: OwnerDetails
        /// Bumped by every change of the details: a preview made at another revision is stale.
        public var revision: Int

        public init(holders: RoleHolders, owner: OwnerDetails, revision: Int) {
            self.holders = holders
            self.owner = owner
            self.revision = revision
        }
    }

    public enum Refusal: Error, Equatable, Sendable {
        case notAllowed
        case noChange
        /// The details changed since the preview was shown: show it again, apply nothing.
        case stale
    }

    /// What saving an update does.
    public struct UpdateDecision: Equatable, Sendable {
        /// The details in force at once: every changed field but the email address.
        public var applied: OwnerContactDetails
        /// Every field the update changes, the email address included.
        public var changedFields: [OwnerField]
        /// A new email address waiting for its link to be followed.
        public var pendingEmail: EmailAddress?
        /// Who is told: the owner's address as it was, and the three contacts (each once).
        public var recipients: [Recipient]
    }

    public enum Recipient: Equatable, Sendable {
        /// The owner at its previous email address, in its country's language.
        case owner(EmailAddress, Language)
        case contact(CustomerID)
    }

    /// Decides an update asked for by `requester` with `proposed`, previewed at `revision`.
    public static func decideUpdate(
        requester: CustomerID, proposed: OwnerContactDetails, previewedRevision revision: Int, facts: UpdateFacts
    ) -> Result<UpdateDecision, Refusal> {
        guard canUpdate(requester, holders: facts.holders) else { return .failure(.notAllowed) }
        guard revision == facts.revision else { return .failure(.stale) }
        let current = facts.owner.contact
        let changed = proposed.changedFields(from: current)
        guard !changed.isEmpty else { return .failure(.noChange) }
        var applied = proposed
        applied.country = current.country
        applied.email = current.email
        return .success(UpdateDecision(
            applied: applied, changedFields: changed,
            pendingEmail: changed.contains(.email) ? proposed.email : nil,
            recipients: recipients(facts)))
    }

    /// Who hears of a change of the owner's details: the owner, and every contact once.
    public static func recipients(_ facts: UpdateFacts) -> [Recipient] {
        var seen: Set<CustomerID> = []
        let contacts = Role.allCases.map { facts.holders[$0] }.filter { seen.insert($0).inserted }
        return [.owner(facts.owner.contact.email, facts.owner.country.language)] + contacts.map(Recipient.contact)
    }
}

/// The refused fields of an update form.
public struct OwnerFormProblems: Error, Equatable, Sendable {
    public var byField: [OwnerField: OwnerFieldProblem]

    public init(byField: [OwnerField: OwnerFieldProblem]) {
        self.byField = byField
    }
}

extension AddressTextError {
    var problem: OwnerFieldProblem {
        switch self {
        case .empty: .empty
        case .tooLong: .tooLong
        case .invalidCharacters: .invalidCharacters
        }
    }
}

extension OwnerRules {
    /// How long the link sent to a new owner address works.
    public static let emailLinkLifetime: Double = 24 * 60 * 60

    /// Why a link to confirm a new owner address does not work.
    public enum LinkProblem: Error, Equatable, Sendable {
        /// No pending address has this token.
        case unknown
        case expired
        /// Confirmed already, or replaced by a later update: every link works once.
        case used
    }

    /// Whether a link whose change is `pending` (or not), expiring at `expiresAt`, works at `now`.
    public static func checkLink(isPending: Bool, expiresAt: Double, now: Double) -> Result<Void, LinkProblem> {
        guard isPending else { return .failure(.used) }
        guard now < expiresAt else { return .failure(.expired) }
        return .success(())
    }
}
