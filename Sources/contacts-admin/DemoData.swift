import ArgumentParser
import ContactsDomain
import ContactsStore
import Credentials
import Foundation

/// Demo accounts and services for trying the product locally. Loading is idempotent: when the
/// demo accounts are already there, nothing is written and the sign-ins are printed again.
struct DemoData: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo-data",
        abstract: "Load demo accounts and services, and print the demo sign-ins.",
        discussion: """
            Idempotent: when the demo accounts exist already, nothing is written. Everything is \
            loaded in one transaction.
            """)

    @OptionGroup var options: DatabaseOptions
    @Option(help: "How many services the reseller account re400004-ovh holds roles on.")
    var bigAccountServices = 20_000

    func validate() throws {
        guard (0...1_000_000).contains(bigAccountServices) else {
            throw ValidationError("--big-account-services must be between 0 and 1000000.")
        }
    }

    struct DemoAccount {
        let id: String
        let name: String
        let language: Language
        let payment: PaymentStatus
        let password: String
        let note: String
    }

    static let signIns: [DemoAccount] = [
        .init(id: "pl100001-ovh", name: "Katarzyna Nowak", language: .pl, payment: .upToDate,
              password: "demo-Katarzyna-1", note: "admin of several services"),
        .init(id: "pt200002-ovh", name: "João Carvalho", language: .pt, payment: .upToDate,
              password: "demo-Joao-2", note: "mixed roles"),
        .init(id: "it300003-ovh", name: "Giulia Bianchi", language: .it, payment: .upToDate,
              password: "demo-Giulia-3", note: "mixed roles"),
        .init(id: "pl100005-ovh", name: "Tomasz Wiśniewski", language: .pl, payment: .overdue,
              password: "demo-Tomasz-5", note: "behind with payments"),
        .init(id: "pt200006-ovh", name: "Ana Conceição", language: .pt, payment: .upToDate,
              password: "demo-Ana-6", note: "a few roles"),
        .init(id: "it300007-ovh", name: "Marco Esposito", language: .it, payment: .upToDate,
              password: "demo-Marco-7", note: "a few roles"),
        .init(id: "re400004-ovh", name: "Hostownia Reseller sp. z o.o.", language: .pl, payment: .upToDate,
              password: "demo-Reseller-4", note: "reseller: roles on the big set of services"),
    ]

    /// The reseller's customers share one password, hashed once.
    /// The demo's other customers, named as people of their language are (no "Customer 7" in
    /// anybody's table): first and last names combined, so that they differ.
    static func customerName(_ index: Int, _ language: Language) -> String {
        let (first, last): ([String], [String]) = switch language {
        case .pl: (["Agnieszka", "Marek", "Ewa", "Paweł", "Magdalena", "Krzysztof", "Joanna", "Michał"],
                   ["Zielińska", "Lewandowski", "Kamińska", "Dąbrowski", "Szymańska", "Woźniak", "Kozłowska", "Jankowski"])
        case .pt: (["Ana", "Rui", "Beatriz", "Tiago", "Mariana", "Nuno", "Catarina", "Miguel"],
                   ["Ferreira", "Santos", "Oliveira", "Pereira", "Rodrigues", "Costa", "Martins", "Sousa"])
        case .it: (["Francesca", "Luca", "Chiara", "Matteo", "Sara", "Alessandro", "Elena", "Davide"],
                   ["Romano", "Colombo", "Ricci", "Marino", "Greco", "Bruno", "Gallo", "Conti"])
        }
        let slot = index / Language.allCases.count
        return "\(first[slot % first.count]) \(last[(slot / first.count + slot) % last.count])"
    }

    static let customerPassword = "demo-customer"
    static let customerCount = 60

    /// (name, type, admin, tech, billing), by the first digits of the customer IDs.
    static let services: [(String, ServiceType, String, String, String)] = [
        ("kowalski-sklep.pl", .domain, "pl100001", "pl100001", "pl100001"),
        ("kowalski-sklep.pl", .webHosting, "pl100001", "pt200002", "pl100001"),
        ("vps-1a2b3c.vps.example", .vps, "pl100001", "it300003", "pl100005"),
        ("ns3012345.ip-51-68-1.example", .dedicatedServer, "pt200002", "pl100001", "pt200002"),
        ("mail.padaria-lisboa.pt", .email, "pt200002", "pt200002", "pl100001"),
        ("padaria-lisboa.pt", .domain, "pt200002", "pt200006", "pt200002"),
        ("encomendas-db.sql.example", .database, "pt200006", "pt200002", "pt200002"),
        ("trattoria-roma.it", .domain, "it300003", "it300003", "it300003"),
        ("trattoria-roma.it", .webHosting, "it300003", "pl100001", "it300007"),
        ("vps-9f8e7d.vps.example", .vps, "it300007", "it300003", "pt200002"),
        ("sklep-rowerowy.pl", .email, "pl100005", "pl100001", "pl100005"),
        ("analisi-vendite.sql.example", .database, "it300003", "pt200002", "pl100001"),
        ("ns301-backup.example", .dedicatedServer, "pl100005", "it300003", "it300003"),
        ("rowery-gorskie.pl", .domain, "pl100005", "pl100005", "pl100005"),
        ("studio-fotografico.it", .domain, "it300007", "it300007", "it300003"),
        ("loja-do-bairro.pt", .domain, "pt200006", "pt200006", "pt200006"),
        ("zazolc-gesla-jazn.pl", .domain, "pl100001", "pl100001", "pt200006"),
    ]

    func run() throws {
        let database = try options.openEngine()
        if try database.account(CustomerID(parsing: Self.signIns[0].id)) != nil {
            print("Demo data is already loaded in \(options.database); nothing written.")
            printSignIns()
            return
        }

        let started = Date()
        // One argon2id hash per distinct password.
        var accounts: [(account: Account, passwordHash: String)] = []
        for demo in Self.signIns {
            let id = try CustomerID(parsing: demo.id)
            accounts.append((
                Account(
                    id: id, displayName: demo.name, email: try EmailAddress(parsing: "\(id.rawValue)@example.com"),
                    language: demo.language, paymentStatus: demo.payment),
                try PasswordHasher.hash(demo.password)))
        }
        let customerHash = try PasswordHasher.hash(Self.customerPassword)
        let customers = try (0..<Self.customerCount).map { try CustomerID(parsing: "cu5\(String(format: "%05d", $0))-ovh") }
        let languages = Language.allCases
        for (index, id) in customers.enumerated() {
            accounts.append((
                Account(
                    id: id, displayName: Self.customerName(index, languages[index % languages.count]),
                    email: try EmailAddress(parsing: "\(id.rawValue)@example.com"),
                    language: languages[index % languages.count],
                    paymentStatus: index % 10 == 9 ? .overdue : .upToDate),
                customerHash))
        }

        var services = try Self.services.map { service in
            NewService(
                name: service.0, type: service.1,
                administrative: try CustomerID(parsing: service.2 + "-ovh"),
                technical: try CustomerID(parsing: service.3 + "-ovh"),
                billing: try CustomerID(parsing: service.4 + "-ovh"))
        }
        services += try resellerServices(customers: customers)

        let adminLanguages = Dictionary(accounts.map { ($0.account.id, $0.account.language) }, uniquingKeysWith: { first, _ in first })
        do {
            let ids = try database.bulkInsert(accounts: accounts, services: services, now: Date())
            let owners = try zip(ids, services).enumerated().map { index, pair in
                (serviceID: pair.0, owner: try DemoOwners.owner(
                    index: index, serviceName: pair.1.name, adminLanguage: adminLanguages[pair.1.administrative] ?? .pl))
            }
            try database.setOwners(owners, now: Date())
        } catch let error as StoreError {
            throw OperatorError("the demo data conflicts with data already in the database: \(error.explained().description)")
        }
        let seconds = Date().timeIntervalSince(started)
        print("Loaded \(accounts.count) accounts and \(services.count) services into \(options.database) "
            + "in \(String(format: "%.1f", seconds)) s.")
        printSignIns()
    }

    /// Services of every type on which the reseller holds one to three roles, the other roles
    /// going to its customers.
    func resellerServices(customers: [CustomerID]) throws -> [NewService] {
        let reseller = try CustomerID(parsing: "re400004-ovh")
        let types = ServiceType.allCases
        let tlds = ["pl", "pt", "it", "eu", "com"]
        return (0..<bigAccountServices).map { i in
            let type = types[i % types.count]
            let number = String(format: "%06d", i)
            let name = switch type {
            case .domain: "klient-\(number).\(tlds[(i / types.count) % tlds.count])"
            case .webHosting: "www-\(number).hosting.example"
            case .vps: "vps-\(String(i, radix: 16)).vps.example"
            case .dedicatedServer: "ns\(number).dedicated.example"
            case .email: "mx-\(number).mail.example"
            case .database: "db-\(number).sql.example"
            }
            let customer = customers[(i * 7) % customers.count]
            let other = customers[(i * 7 + 3) % customers.count]
            // Role patterns: all three; admin + billing; technical; billing; admin only.
            let (admin, tech, billing): (CustomerID, CustomerID, CustomerID) = switch i % 5 {
            case 0: (reseller, reseller, reseller)
            case 1: (reseller, customer, reseller)
            case 2: (customer, reseller, other)
            case 3: (customer, other, reseller)
            default: (reseller, customer, customer)
            }
            return NewService(name: name, type: type, administrative: admin, technical: tech, billing: billing)
        }
    }

    func printSignIns() {
        print("")
        print("Demo sign-ins:")
        let header = ["customer ID", "password", "language", "notes"]
        var rows = Self.signIns.map { [$0.id, $0.password, $0.language.rawValue, $0.note] }
        rows.append([
            "cu500000-ovh … cu5\(String(format: "%05d", Self.customerCount - 1))-ovh",
            Self.customerPassword, "pl/pt/it", "the reseller's customers (every tenth overdue)",
        ])
        let widths = header.indices.map { column in
            ([header] + rows).map { $0[column].count }.max() ?? 0
        }
        for row in [header] + rows {
            let cells = row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
            }
            print("  " + cells.joined(separator: "  "))
        }
    }
}
