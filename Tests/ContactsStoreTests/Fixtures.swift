import ContactsDomain
import Foundation
import GRDB
@testable import ContactsStore

/// A fixed clock for tests: 2025-06-15 16:53:20 UTC.
let now = Date(timeIntervalSince1970: 1_750_006_400)

/// The store does not look inside password hashes; real argon2id hashes are tested in CredentialsTests.
let someHash = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g"

func cid(_ text: String) -> CustomerID {
    try! CustomerID(parsing: text)
}

func makeAccount(
    _ id: String, name: String? = nil, language: Language = .pl, payment: PaymentStatus = .upToDate
) -> Account {
    let id = cid(id)
    return Account(
        id: id, displayName: name ?? "Owner of \(id)",
        email: try! EmailAddress(parsing: "\(id)@example.com"), language: language, paymentStatus: payment)
}

extension StoreEngine {
    /// Creates accounts with the given customer IDs (display name "Owner of <id>").
    func given(accounts ids: String...) throws {
        try createAccounts(ids.map { (makeAccount($0), someHash) }, now: now)
    }
}

extension AppDatabase {
    /// The membership rows as stored, for comparison with `expectedMemberships()`.
    func storedMemberships() throws -> [String] {
        try dbPool.read { db in
            try ServiceMembershipRecord.fetchAll(db).map(Self.describe).sorted()
        }
    }

    /// The membership rows derived from `service` in Swift, independently of the triggers.
    func expectedMemberships() throws -> [String] {
        try dbPool.read { db in
            let positions = Dictionary(
                uniqueKeysWithValues: try ServiceTypeRecord.fetchAll(db).map { ($0.code, $0.position) })
            let names = Dictionary(
                uniqueKeysWithValues: try AccountRecord.fetchAll(db).map { ($0.id, $0.displayName) })
            var result: [String] = []
            for service in try ServiceRecord.fetchAll(db) {
                let searchText = [
                    service.name, service.adminID, names[service.adminID]!, service.techID, names[service.techID]!,
                    service.billingID, names[service.billingID]!,
                ].joined(separator: "\n")
                for holder in Set([service.adminID, service.techID, service.billingID]) {
                    result.append(Self.describe(ServiceMembershipRecord(
                        accountID: holder, serviceID: service.id!, serviceName: service.name,
                        typePosition: positions[service.type]!,
                        isAdmin: service.adminID == holder, isTech: service.techID == holder,
                        isBilling: service.billingID == holder, searchText: storeFolded(searchText))))
                }
            }
            return result.sorted()
        }
    }

    private static func describe(_ m: ServiceMembershipRecord) -> String {
        "\(m.accountID) \(m.serviceID) \(m.serviceName) \(m.typePosition) "
            + "\(m.isAdmin ? "A" : "-")\(m.isTech ? "T" : "-")\(m.isBilling ? "B" : "-")"
            + " \(m.searchText.replacingOccurrences(of: "\n", with: "|"))"
    }
}

extension ContactsPage {
    var names: [String] { rows.map(\.name) }
}

/// What the store's search text does to letters: SQLite's lower() folds ASCII ones, and
/// migration "v4" the accented capitals of our languages. Written out here independently of
/// `SearchFolding`, so a test catches the two lists drifting apart.
func storeFolded(_ text: String) -> String {
    let capitals = Array("ÀÁÂÃÄÇÈÉÊËÌÍÎÏÑÒÓÔÕÖÙÚÛÜĄĆĘŁŃŚŹŻ")
    let smalls = Array("àáâãäçèéêëìíîïñòóôõöùúûüąćęłńśźż")
    return String(text.map { character -> Character in
        if let ascii = character.asciiValue, (65...90).contains(ascii) { return Character(Unicode.Scalar(ascii + 32)) }
        if let index = capitals.firstIndex(of: character) { return smalls[index] }
        return character
    })
}
