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
    /// See ``TestStore/storedMemberships()``.
    func storedMemberships() throws -> [String] {
        try TestStore(engine: self, database: nil).storedMemberships()
    }

    /// See ``TestStore/expectedMemberships()``.
    func expectedMemberships() throws -> [String] {
        try TestStore(engine: self, database: nil).expectedMemberships()
    }
}

extension TestStore {
    /// The membership rows as stored, for comparison with `expectedMemberships()`.
    func storedMemberships() throws -> [String] {
        try rows("""
            SELECT account_id, service_id, service_name, type_position, is_admin, is_tech, is_billing, search_text
            FROM service_membership
            """).map { m in
            Self.describe(account: m["account_id"]!, service: m["service_id"]!, name: m["service_name"]!,
                          typePosition: m["type_position"]!, flags: [m["is_admin"], m["is_tech"], m["is_billing"]].map { $0 == "1" },
                          searchText: m["search_text"]!)
        }.sorted()
    }

    /// The membership rows derived from `service` in Swift, independently of the triggers.
    func expectedMemberships() throws -> [String] {
        let positions = Dictionary(uniqueKeysWithValues: try rows("SELECT code, position FROM service_type").map {
            ($0["code"]!, $0["position"]!)
        })
        let names = Dictionary(uniqueKeysWithValues: try rows("SELECT id, display_name FROM account").map {
            ($0["id"]!, $0["display_name"]!)
        })
        var result: [String] = []
        for service in try rows("SELECT id, name, type, admin_id, tech_id, billing_id FROM service") {
            let holders = [service["admin_id"]!, service["tech_id"]!, service["billing_id"]!]
            let searchText = ([service["name"]!] + holders.flatMap { [$0, names[$0]!] }).joined(separator: "\n")
            for holder in Set(holders) {
                result.append(Self.describe(
                    account: holder, service: service["id"]!, name: service["name"]!,
                    typePosition: positions[service["type"]!]!, flags: holders.map { $0 == holder },
                    searchText: storeFolded(searchText)))
            }
        }
        return result.sorted()
    }

    /// One membership row: account, service, name, type position, roles (A, T, B) and search text.
    private static func describe(
        account: String, service: String, name: String, typePosition: String, flags: [Bool], searchText: String
    ) -> String {
        let roles = zip(["A", "T", "B"], flags).map { $1 ? $0 : "-" }.joined()
        return "\(account) \(service) \(name) \(typePosition) \(roles) \(searchText.replacingOccurrences(of: "\n", with: "|"))"
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
