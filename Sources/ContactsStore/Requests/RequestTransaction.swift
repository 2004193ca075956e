import ContactsDomain
import Foundation

/// What the request flow needs of one engine inside one transaction: rows in, rows out, no
/// rule. SQLite's (`SQLiteRequestTransaction`) and PostgreSQL's (`PostgresRequestTransaction`)
/// differ only in SQL; loading the facts, deciding and writing the decision are shared
/// (``RequestFlow``, ``DecisionWriter``).
protocol RequestTransaction {
    /// The request's row; `forUpdate` locks it until the transaction ends (PostgreSQL), so two
    /// actions on one request run one after the other. SQLite's single writer already does.
    func requestRecord(_ id: Int64, forUpdate: Bool) throws -> ChangeRequestRecord?
    func roles(ofRequest id: Int64) throws -> [Role]
    func confirmations(ofRequest id: Int64) throws -> [ConfirmationRecord]
    func resendCount(ofRequest id: Int64) throws -> Int
    func events(ofRequest id: Int64) throws -> [RequestEventSnapshot]
    /// `forUpdate` locks the service's row: creations on one service run one after the other.
    func service(_ id: Int64, forUpdate: Bool) throws -> StoredService?
    func accounts(_ ids: [CustomerID]) throws -> [CustomerID: Account]
    /// Role → the open request holding it.
    func openRequests(onService id: Int64) throws -> [Role: Int64]
    func codeFailures(ofRequest id: Int64, by account: CustomerID, since: Date) throws -> (count: Int, latest: Date?)
    /// Requests by `requester` since `since` (count, oldest).
    func requestsAsked(by requester: CustomerID, since: Date) throws -> (count: Int, oldest: Date?)
    /// Requests naming `target` as new contact, asked by somebody else, since `since`.
    func requestsNaming(_ target: CustomerID, since: Date) throws -> (count: Int, oldest: Date?)
    /// Serializes counting the creation limits of these accounts across hosts (PostgreSQL).
    func lockCreationLimits(of accounts: [CustomerID]) throws
    func dueRequests(onService id: Int64?, now: Date) throws -> [Int64]
    /// The integers of `column` in the statement's rows.
    func ids(_ statement: SharedStatement, column: String) throws -> [Int64]

    func insertRequest(_ record: ChangeRequestRecord, roles: [Role]) throws -> Int64
    func insertCodeFailure(ofRequest id: Int64, by account: CustomerID, at: Date) throws
    func markAccepted(ofRequest id: Int64, by confirmer: CustomerID, at: Date) throws
    func moveRoles(_ roles: [Role], to account: CustomerID, onService id: Int64) throws
    func finish(_ id: Int64, state: RequestState, decidedAt: Date, failure: RequestFailure?) throws
    func setCode(ofRequest id: Int64, confirmer: CustomerID, digest: String) throws
    func markResent(_ id: Int64, at: Date) throws
    func addEvent(ofRequest id: Int64, at: Date, kind: RequestEventKind, actor: CustomerID?) throws
    func emailAddresses(of account: CustomerID, inForceFrom start: Date, to end: Date) throws -> [EmailAddress]
    /// The outbox rows, with one `email_sent` event per recipient.
    func enqueue(_ emails: [OutgoingEmail], requestID: Int64, now: Date) throws
}

extension RequestTransaction {
    /// The request with the facts the domain decides on.
    func load(_ id: Int64, forUpdate: Bool = false) throws -> LoadedRequest? {
        guard let record = try requestRecord(id, forUpdate: forUpdate),
              let state = RequestState(rawValue: record.state) else { return nil }
        let confirmations = try confirmations(ofRequest: id)
        let from = CustomerID(trusted: record.fromAccount)
        let to = CustomerID(trusted: record.toAccount)
        let facts = RequestFacts(
            state: state, roles: try roles(ofRequest: id), from: from, to: to,
            requester: CustomerID(trusted: record.requester),
            requestedAt: record.requestedAt, expiresAt: record.expiresAt, lastResentAt: record.lastResentAt,
            resends: try resendCount(ofRequest: id),
            confirmations: Dictionary(
                confirmations.map { (CustomerID(trusted: $0.confirmer), $0.acceptedAt) },
                uniquingKeysWith: { first, _ in first }),
            holders: try service(record.serviceID, forUpdate: false)?.holders,
            accounts: try accounts([from, to]))
        return LoadedRequest(record: record, confirmations: confirmations, facts: facts)
    }

    /// The request as pages and emails show it.
    func snapshot(_ id: Int64) throws -> RequestSnapshot? {
        guard let loaded = try load(id),
              let service = try service(loaded.record.serviceID, forUpdate: false)
        else { return nil }
        let facts = loaded.facts
        let accounts = try accounts(facts.participants)
        guard let requester = accounts[facts.requester], let from = accounts[facts.from], let to = accounts[facts.to]
        else { return nil }
        // The requester first, then the others by customer ID.
        let confirmations = facts.confirmations.keys
            .sorted { ($0 == facts.requester ? 0 : 1, $0.rawValue) < ($1 == facts.requester ? 0 : 1, $1.rawValue) }
            .compactMap { id in
                accounts[id].map { ConfirmationSnapshot(confirmer: $0, acceptedAt: facts.confirmations[id] ?? nil) }
            }
        return RequestSnapshot(
            id: id, serviceID: service.id, serviceName: service.name, serviceType: service.type,
            roles: facts.roles, from: from, to: to, requester: requester, state: facts.state,
            requestedAt: facts.requestedAt, decidedAt: loaded.record.decidedAt,
            expiresAt: facts.expiresAt, lastResentAt: facts.lastResentAt,
            failure: loaded.record.failureReason.flatMap(RequestFailure.init(rawValue:)),
            confirmations: confirmations, events: try events(ofRequest: id))
    }

    /// What `ChangeRules.check` needs: the holders, the accounts (holders and wanted) that
    /// exist, and the open requests on the service.
    func serviceFacts(_ service: StoredService, wanted: Set<CustomerID>) throws -> ServiceFacts {
        let holders = service.holders
        return ServiceFacts(
            holders: holders, accounts: try accounts(Array(wanted) + Role.allCases.map { holders[$0] }),
            openRequests: try openRequests(onService: service.id))
    }
}
