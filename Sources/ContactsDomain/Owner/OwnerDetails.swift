/// A service's owner (holder): for a domain, the registrant whose details registries publish.
/// The name and organisation identify the owner and are not changed here (a change of owner is
/// handled elsewhere); the address, phone and email may be updated by the administrative contact.
public struct OwnerDetails: Equatable, Sendable {
    /// A person's name; nil for an organisation that names no person.
    public var name: String?
    public var organisation: String?
    public var contact: OwnerContactDetails

    public init(name: String?, organisation: String?, contact: OwnerContactDetails) {
        self.name = name
        self.organisation = organisation
        self.contact = contact
    }

    public var country: Country { contact.country }
}

/// The part of the owner's details the administrative contact may update. The country stays:
/// it decides how the postal code and phone are read (docs/DECISIONS.md).
public struct OwnerContactDetails: Equatable, Sendable {
    public var street: String
    public var postalCode: PostalCode
    public var city: String
    public var country: Country
    public var phone: PhoneNumber
    public var email: EmailAddress

    public init(street: String, postalCode: PostalCode, city: String, country: Country, phone: PhoneNumber, email: EmailAddress) {
        self.street = street
        self.postalCode = postalCode
        self.city = city
        self.country = country
        self.phone = phone
        self.email = email
    }

    /// The fields that differ from `other`, in form order.
    public func changedFields(from other: OwnerContactDetails) -> [OwnerField] {
        OwnerField.allCases.filter { self[$0] != other[$0] }
    }

    /// A field's value as shown and compared.
    public subscript(field: OwnerField) -> String {
        switch field {
        case .street: street
        case .postalCode: postalCode.rawValue
        case .city: city
        case .phone: phone.rawValue
        case .email: email.rawValue
        }
    }
}

/// The fields of the update form, in the order they are shown.
public enum OwnerField: String, CaseIterable, Sendable, Comparable {
    case street, postalCode = "postal_code", city, phone, email

    public static func < (lhs: OwnerField, rhs: OwnerField) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// Why one field of the update form was refused; the web layer words it.
public enum OwnerFieldProblem: Equatable, Sendable {
    case empty
    case tooLong
    case invalidCharacters
    case malformed
    case wrongLength
}
