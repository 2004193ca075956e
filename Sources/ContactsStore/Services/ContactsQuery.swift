import ContactsDomain
import Foundation

/// What the "My contacts" table asks for: filters, sort order and one page of keyset pagination.
public struct ContactsQuery: Equatable, Sendable {
    /// Which way a page goes from its cursor, in display order.
    public enum Direction: String, Equatable, Sendable {
        /// The rows after the cursor (the next page). Without a cursor: the first page.
        case forward
        /// The rows before the cursor (the previous page). Without a cursor: the last page.
        case backward
    }

    /// Rows per page are clamped to this range.
    public static let limitRange = 1...200
    /// Longer search text is cut to this many characters.
    public static let maximumTextLength = 100

    /// Only services where the account holds this role.
    public var role: Role?
    /// Only services of this type.
    public var type: ServiceType?
    /// Case-insensitive substring of the service name or of any contact's customer ID or display
    /// name. Surrounding white space is ignored; empty means no filter. Every character is
    /// literal (no wildcards).
    public var text: String
    public var sort: ContactsSort
    public var descending: Bool
    /// Where the page starts (see `direction`). A cursor made for another sort order is ignored,
    /// so a changed sort starts again at the first page.
    public var cursor: ContactsCursor?
    public var direction: Direction
    /// Rows per page, clamped to ``limitRange``.
    public var limit: Int

    public init(
        role: Role? = nil, type: ServiceType? = nil, text: String = "",
        sort: ContactsSort = .name, descending: Bool = false,
        cursor: ContactsCursor? = nil, direction: Direction = .forward, limit: Int = 50
    ) {
        self.role = role
        self.type = type
        self.text = text
        self.sort = sort
        self.descending = descending
        self.cursor = cursor
        self.direction = direction
        self.limit = limit
    }
}

/// The contacts table's sort orders. Both end with the service ID, so the order is total.
public enum ContactsSort: String, CaseIterable, Equatable, Sendable {
    /// By service name (case-insensitive), then service ID.
    case name
    /// By type (domain, hosting, VPS, dedicated, email, database), then name, then service ID.
    case type
}

/// An opaque position in the contacts table: the sort key of one row. Its `token` is URL-safe
/// text (base64url) to carry in links; tokens that do not decode to a valid key are refused.
public struct ContactsCursor: Equatable, Sendable {
    let sort: ContactsSort
    /// The row's service type; set for the `.type` sort only.
    let type: ServiceType?
    let name: String
    let serviceID: Int64

    static let maximumTokenLength = 2048

    init(sort: ContactsSort, type: ServiceType?, name: String, serviceID: Int64) {
        self.sort = sort
        self.type = sort == .type ? type : nil
        self.name = name
        self.serviceID = serviceID
    }

    /// Decodes a token made by ``token``; nil for anything else.
    public init?(token: String) {
        guard !token.isEmpty, token.utf8.count <= Self.maximumTokenLength,
              token.utf8.allSatisfy(Self.isBase64URLByte),
              let bytes = Self.base64URLDecoded(token),
              let text = String(validating: bytes, as: UTF8.self) else { return nil }
        let fields = text.split(separator: "\n", maxSplits: 3, omittingEmptySubsequences: false)
        guard fields.count == 4,
              let sort = ContactsSort(rawValue: String(fields[0])),
              let serviceID = Int64(fields[1]), serviceID > 0,
              String(serviceID) == fields[1] else { return nil }
        let type: ServiceType?
        switch sort {
        case .name:
            guard fields[2].isEmpty else { return nil }
            type = nil
        case .type:
            guard let parsed = ServiceType(rawValue: String(fields[2])) else { return nil }
            type = parsed
        }
        let name = String(fields[3])
        // Not DisplayText's rule: a name stored before that rule was tightened must still page.
        guard !name.isEmpty, name.unicodeScalars.count <= DisplayText.maximumServiceNameLength,
              !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else { return nil }
        self.init(sort: sort, type: type, name: name, serviceID: serviceID)
    }

    public var token: String {
        let text = [sort.rawValue, String(serviceID), type?.rawValue ?? "", name].joined(separator: "\n")
        return Data(text.utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    private static func isBase64URLByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"):
            true
        default:
            false
        }
    }

    private static func base64URLDecoded(_ token: String) -> [UInt8]? {
        var base64 = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        switch base64.utf8.count % 4 {
        case 0: break
        case 2: base64 += "=="
        case 3: base64 += "="
        default: return nil
        }
        return Data(base64Encoded: base64).map(Array.init)
    }
}

/// One page of the contacts table.
public struct ContactsPage: Equatable, Sendable {
    public var rows: [ContactsRow]
    /// The cursor for the following page (direction `.forward`); nil on the last page.
    public var nextCursor: ContactsCursor?
    /// The cursor for the preceding page (direction `.backward`); nil on the first page.
    public var previousCursor: ContactsCursor?
    /// How many rows match the filters, over all pages; with a filter, at most
    /// ``filteredCountBound`` (then ``totalCountIsBounded`` is true and there are more).
    public var totalCount: Int
    /// Whether the count stopped at ``filteredCountBound``: more than that many rows match.
    public var totalCountIsBounded: Bool

    /// A filtered count (role, type or text) reads at most this many matching rows plus one, so
    /// that a filter on a 50,000-service account costs what it costs on a small one; beyond it the
    /// page says "more than 1,000". The unfiltered count stays exact: it reads one index range.
    public static let filteredCountBound = 1_000

    public init(
        rows: [ContactsRow], nextCursor: ContactsCursor?, previousCursor: ContactsCursor?, totalCount: Int,
        totalCountIsBounded: Bool = false
    ) {
        self.rows = rows
        self.nextCursor = nextCursor
        self.previousCursor = previousCursor
        self.totalCount = totalCount
        self.totalCountIsBounded = totalCountIsBounded
    }
}

/// One service in the contacts table, seen by one account.
public struct ContactsRow: Equatable, Sendable {
    public var serviceID: Int64
    public var name: String
    public var type: ServiceType
    public var administrative: ContactSummary
    public var technical: ContactSummary
    public var billing: ContactSummary
    /// The roles the viewing account holds on this service; never empty.
    public var myRoles: Set<Role>

    public init(
        serviceID: Int64, name: String, type: ServiceType,
        administrative: ContactSummary, technical: ContactSummary, billing: ContactSummary,
        myRoles: Set<Role>
    ) {
        self.serviceID = serviceID
        self.name = name
        self.type = type
        self.administrative = administrative
        self.technical = technical
        self.billing = billing
        self.myRoles = myRoles
    }

    /// The contact holding `role`.
    public func contact(for role: Role) -> ContactSummary {
        switch role {
        case .administrative: administrative
        case .technical: technical
        case .billing: billing
        }
    }
}

/// A contact as the table shows it.
public struct ContactSummary: Equatable, Sendable {
    public var id: CustomerID
    public var displayName: String

    public init(id: CustomerID, displayName: String) {
        self.id = id
        self.displayName = displayName
    }
}
