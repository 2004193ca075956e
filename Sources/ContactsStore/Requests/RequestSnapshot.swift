import ContactsDomain
import Foundation

/// Renders the emails a request decision calls for (catalog and text template: subject and
/// body in the recipient's language). Given to the store once at start; the store calls it
/// inside the transaction of the change, so the emails and the change commit together. It must
/// not use the database: everything it needs is in its arguments.
public protocol RequestEmailComposer: Sendable {
    /// `request` is the request as it stands after the decision; `code` is the recipient's
    /// fresh code, for `.code` emails.
    func compose(_ kind: RequestDecision.Email.Kind, to recipient: Account, code: String?, about request: RequestSnapshot) -> OutgoingEmail
}

public struct ConfirmationSnapshot: Sendable, Equatable {
    public var confirmer: Account
    /// Nil while this confirmer is awaited.
    public var acceptedAt: Date?

    public init(confirmer: Account, acceptedAt: Date?) {
        self.confirmer = confirmer
        self.acceptedAt = acceptedAt
    }
}

public struct RequestEventSnapshot: Sendable, Equatable {
    public var at: Date
    /// A ``RequestEventKind`` raw value.
    public var kind: String
    /// Who acted; the recipient for `email_sent`; nil for expiry, done and failed.
    public var actor: CustomerID?

    public init(at: Date, kind: String, actor: CustomerID?) {
        self.at = at
        self.kind = kind
        self.actor = actor
    }
}

/// A request as stored, with everything a page or an email needs.
public struct RequestSnapshot: Sendable, Equatable {
    public var id: Int64
    public var serviceID: Int64
    public var serviceName: String
    public var serviceType: ServiceType
    public var roles: [Role]
    public var from: Account
    public var to: Account
    public var requester: Account
    public var state: RequestState
    public var requestedAt: Date
    /// When it left `waiting`; for an expired request, the end of its window.
    public var decidedAt: Date?
    public var expiresAt: Date
    public var lastResentAt: Date?
    /// Set when `state` is `failed`.
    public var failure: RequestFailure?
    /// The requester first, then the new contact when it is somebody else.
    public var confirmations: [ConfirmationSnapshot]
    /// Oldest first.
    public var events: [RequestEventSnapshot]

    public init(
        id: Int64, serviceID: Int64, serviceName: String, serviceType: ServiceType, roles: [Role],
        from: Account, to: Account, requester: Account, state: RequestState,
        requestedAt: Date, decidedAt: Date?, expiresAt: Date, lastResentAt: Date?, failure: RequestFailure?,
        confirmations: [ConfirmationSnapshot], events: [RequestEventSnapshot]
    ) {
        self.id = id
        self.serviceID = serviceID
        self.serviceName = serviceName
        self.serviceType = serviceType
        self.roles = roles
        self.from = from
        self.to = to
        self.requester = requester
        self.state = state
        self.requestedAt = requestedAt
        self.decidedAt = decidedAt
        self.expiresAt = expiresAt
        self.lastResentAt = lastResentAt
        self.failure = failure
        self.confirmations = confirmations
        self.events = events
    }

    /// The confirmers still awaited.
    public var awaited: [Account] {
        confirmations.filter { $0.acceptedAt == nil }.map(\.confirmer)
    }

    /// Everybody involved: asker, confirmers, the old and the new contact. Each of them may see
    /// the request and is told what happens to it.
    public var participants: [Account] {
        var result: [Account] = []
        for account in [requester, from, to] + confirmations.map(\.confirmer)
        where !result.contains(where: { $0.id == account.id }) {
            result.append(account)
        }
        return result
    }

    /// Whether `account` must confirm this request.
    public func isConfirmer(_ account: CustomerID) -> Bool {
        confirmations.contains { $0.confirmer.id == account }
    }
}

/// What the request operations refuse, for the web layer to explain.
public enum RequestError: Error, Equatable, Sendable {
    /// A request covering this role of the service is still open.
    case openRequestExists(role: Role, requestID: Int64)
    case unknownService
    case unknownAccount(CustomerID)
    /// These accounts are behind with payments, so the billing role cannot move.
    case paymentBlocked([CustomerID])
    /// The service's holders changed since the page was shown, or the requester may not ask
    /// for this change.
    case rulesChanged
    /// No such request, or the account may not see it.
    case notFound
    /// The request's state or the account's part in it does not allow the action.
    case refused(RequestRefusal)
    /// The code does not match this confirmer's current code (wrong, or voided by a resend).
    case wrongCode
    /// The next resend is allowed after this many seconds.
    case resendTooSoon(retryAfter: TimeInterval)
    /// Too many wrong codes lately: try again after this many seconds.
    case tooManyWrongCodes(retryAfter: TimeInterval)
    /// Too many new requests lately (by the asker, or naming one new contact).
    case tooManyRequests(CreationRefusal)

    init(_ refusal: RequestRefusal) {
        self = switch refusal {
        case .notFound: .notFound
        case .wrongCode: .wrongCode
        case .resendTooSoon(let wait): .resendTooSoon(retryAfter: wait)
        case .tooManyWrongCodes(let wait): .tooManyWrongCodes(retryAfter: wait)
        default: .refused(refusal)
        }
    }

    /// The first problem of a submission, in role order, as the store reports it.
    init(_ problems: ChangeRules.Problems, changes: [Role: CustomerID]) {
        let (role, problem) = problems.byRole.min { $0.key < $1.key }!
        self = switch problem {
        case .openRequest(let id): .openRequestExists(role: role, requestID: id)
        case .paymentBlocked(let accounts): .paymentBlocked(accounts.map(\.id))
        case .unknownAccount: .unknownAccount(changes[role]!)
        case .notAllowed, .noChange: .rulesChanged
        }
    }
}
