import ArgumentParser
import ContactsDomain
import ContactsStore
import Credentials
import Foundation

/// The benchmark's database (bench/run, docs/BENCHMARKS.md): a million accounts and three
/// million services in one transaction, generated deterministically, plus open requests whose
/// codes the benchmark knows, for the "accept a code" case.
struct BenchData: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-data",
        abstract: "Generate the benchmark database (for bench/run; never on a real database).",
        discussion: """
            Without --open-requests: fills an empty database with --accounts accounts and \
            --services services, among them \(big) (--big-services services), \(small) \
            (--small-services) and \(writer), the account the write benchmarks sign in as \
            (administrative contact of --writer-services services). Every account's password \
            is '\(password)', hashed once. One transaction; the output is deterministic.

            With --open-requests N: adds N open requests by \(writer) on the technical role of \
            its services that have none, the new contact being \(newContact), each with the \
            code 'bench-<service ID>' for \(writer). Written without waiting for the disk \
            (benchmark fixtures only).
            """)

    static let big = "bg500000-ovh"
    static let small = "sm100000-ovh"
    static let writer = "wr300000-ovh"
    /// The new technical contact of the write benchmark's requests; holds no role on the writer's services.
    static let newContact = "cu0000001-ovh"
    static let password = "bench-password"

    @OptionGroup var options: DatabaseOptions
    @Option(help: "Accounts in all, the three named ones included.")
    var accounts = 1_000_000
    @Option(help: "Services in all.")
    var services = 3_000_000
    @Option(help: "Services on which \(big) holds at least one role.")
    var bigServices = 50_000
    @Option(help: "Services on which \(small) holds at least one role.")
    var smallServices = 10
    @Option(help: "Services whose administrative contact is \(writer).")
    var writerServices = 100_000
    @Option(help: "Add this many open requests with known codes to an existing benchmark database instead.")
    var openRequests: Int?

    func validate() throws {
        guard accounts >= 100, accounts <= 9_000_000 else {
            throw ValidationError("--accounts must be between 100 and 9000000.")
        }
        guard bigServices >= 0, smallServices >= 0, writerServices >= 0,
              bigServices + smallServices + writerServices <= services else {
            throw ValidationError("--services must cover --big-services, --small-services and --writer-services.")
        }
        if let openRequests, openRequests < 1 {
            throw ValidationError("--open-requests must be at least 1.")
        }
    }

    func run() throws {
        let database = try options.open()
        if let openRequests {
            try addOpenRequests(openRequests, database)
            return
        }
        guard try database.account(CustomerID(trusted: Self.writer)) == nil,
              try database.account(CustomerID(trusted: Self.newContact)) == nil else {
            throw OperatorError("\(options.database) holds benchmark accounts already; bench-data fills an empty database")
        }
        let started = Date()
        let hash = try PasswordHasher.hash(Self.password)
        let customerCount = accounts - 3
        var random = SplitMix64(seed: 20_240_601)

        let named = [Self.big, Self.small, Self.writer]
        let generatedAccounts = (0..<accounts).lazy.map { index in
            let id = index < named.count ? named[index] : Self.customer(index - named.count + 1)
            return (account: Self.account(id: id, index: max(0, index - named.count + 1)), passwordHash: hash)
        }

        // Customers 2...: the new contact of the write benchmark holds nothing on the writer's services.
        func someCustomer() -> CustomerID {
            CustomerID(trusted: Self.customer(2 + Int(random.next() % UInt64(customerCount - 1))))
        }
        let big = CustomerID(trusted: Self.big)
        let small = CustomerID(trusted: Self.small)
        let writer = CustomerID(trusted: Self.writer)
        let plain = services - bigServices - smallServices - writerServices
        let generatedServices = (0..<services).lazy.map { index -> NewService in
            let type = ServiceType.allCases[index % ServiceType.allCases.count]
            let name = Self.serviceName(index, type: type, random: &random)
            let (customer, other) = (someCustomer(), someCustomer())
            let holders: (CustomerID, CustomerID, CustomerID)
            if index < plain {
                // Customers' own services: one holder for every role, or two, or three.
                holders = switch index % 4 {
                case 0: (customer, customer, customer)
                case 1: (customer, other, customer)
                case 2: (customer, other, someCustomer())
                default: (customer, customer, other)
                }
            } else if index < plain + bigServices {
                // A reseller's mix: all three roles; admin + billing; technical; billing; admin.
                holders = switch index % 5 {
                case 0: (big, big, big)
                case 1: (big, customer, big)
                case 2: (customer, big, other)
                case 3: (customer, other, big)
                default: (big, customer, customer)
                }
            } else if index < plain + bigServices + smallServices {
                holders = index % 2 == 0 ? (small, small, small) : (small, customer, other)
            } else {
                holders = (writer, customer, other)
            }
            return NewService(name: name, type: type, administrative: holders.0, technical: holders.1, billing: holders.2)
        }

        let loaded = try database.bulkLoad(accounts: generatedAccounts, services: generatedServices, now: Date()) {
            accounts, services in
            FileHandle.standardError.write(Data("bench-data: \(accounts) accounts, \(services) services\n".utf8))
        }
        print("Loaded \(loaded.accounts) accounts and \(loaded.services) services into \(options.database) "
            + "in \(String(format: "%.0f", Date().timeIntervalSince(started))) s.")
        print("Sign-ins (password '\(Self.password)'): \(Self.big) (\(bigServices) services), "
            + "\(Self.small) (\(smallServices)), \(Self.writer) (\(writerServices), writes).")
    }

    func addOpenRequests(_ count: Int, _ database: AppDatabase) throws {
        let writer = CustomerID(trusted: Self.writer)
        let newContact = CustomerID(trusted: Self.newContact)
        let candidates = try database.servicesAdministered(by: writer, withoutOpenRequestOn: .technical, limit: count)
        guard candidates.count == count else {
            throw OperatorError("only \(candidates.count) services of \(Self.writer) have no open technical request")
        }
        let now = Date()
        // Every confirmer gets the same known code, so that the benchmark can accept them.
        let benchDatabase = database.with(emails: BenchEmails(), codes: { Self.openRequestCode })
        try benchDatabase.withoutWaitingForTheDisk {
            for serviceID in candidates {
                guard let service = try benchDatabase.roleHolders(ofService: serviceID) else { continue }
                // The benchmark's own data: the per-account request limits do not apply.
                try benchDatabase.createRequests(
                    onService: serviceID, by: writer, changes: [.technical: newContact],
                    expectedHolders: service.holders, now: now,
                    limits: CreationLimits(perAskerPerHour: .max / 2, perAskerPerDay: .max / 2, perTargetPerDay: .max / 2))
            }
        }
        print("Added \(count) open requests by \(Self.writer) with the code \(Self.openRequestCode).")
    }

    static let openRequestCode = "bench-code"

    /// The benchmark's requests need no wording: one short line per email.
    struct BenchEmails: RequestEmailComposer {
        func compose(
            _ kind: RequestDecision.Email.Kind, to recipient: Account, code: String?, about request: RequestSnapshot
        ) -> OutgoingEmail {
            OutgoingEmail(
                recipient: recipient.id, toAddress: recipient.email.rawValue, language: recipient.language,
                subject: "Request \(request.id)", bodyText: "Benchmark request \(request.id).")
        }
    }

    static func customer(_ index: Int) -> String {
        "cu\(String(format: "%07d", index))-ovh"
    }

    static let firstNames = ["Anna", "Piotr", "Małgorzata", "João", "Inês", "Giulia", "Marco", "Łukasz", "Conceição", "Niccolò"]
    static let lastNames = ["Nowak", "Wiśniewska", "Carvalho", "Gonçalves", "Bianchi", "Esposito", "Kowalski & Syn", "D'Angelo", "Żółć <Test>", "Rossi"]

    static func account(id: String, index: Int) -> Account {
        let name = switch id {
        case big: "Hostownia \"Big\" Reseller sp. z o.o."
        case small: "Mała Firma"
        case writer: "Write Benchmark"
        default: "\(firstNames[index % firstNames.count]) \(lastNames[(index / firstNames.count) % lastNames.count]) \(index)"
        }
        return Account(
            id: CustomerID(trusted: id), displayName: name, email: EmailAddress(trusted: "\(id)@example.com"),
            language: Language.allCases[index % Language.allCases.count],
            // Every twentieth customer is behind with payments; never the named ones.
            paymentStatus: index % 20 == 19 ? .overdue : .upToDate)
    }

    static let words = ["sklep", "padaria", "trattoria", "rowery", "studio", "loja", "biuro", "mercato", "kancelaria", "oficina",
                        "pizzeria", "hurtownia", "livraria", "farmacia", "apteka", "garagem", "officina", "piekarnia"]
    static let tlds = ["pl", "pt", "it", "eu", "com"]

    /// Unique per index; the leading word spreads each account's services over the alphabet.
    static func serviceName(_ index: Int, type: ServiceType, random: inout SplitMix64) -> String {
        let word = words[Int(random.next() % UInt64(words.count))]
        return switch type {
        case .domain: "\(word)-\(index).\(tlds[index % tlds.count])"
        case .webHosting: "\(word)-\(index).hosting.example"
        case .vps: "vps-\(word)-\(String(index, radix: 16)).vps.example"
        case .dedicatedServer: "ns\(index).\(word).dedicated.example"
        case .email: "mx-\(word)-\(index).mail.example"
        case .database: "db-\(word)-\(index).sql.example"
        }
    }
}

/// A small, fast, deterministic generator (Steele, Lea and Flood's SplitMix64).
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
