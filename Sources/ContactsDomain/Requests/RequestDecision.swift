import Foundation

/// What an action on a request leads to: everything the store writes, in one transaction.
///
/// A refused action may still carry writes that must commit: a request found past its window is
/// expired (with its event and emails) before the action is refused, and a wrong code is counted.
public struct RequestDecision: Equatable, Sendable {
    /// The state after the action.
    public var state: RequestState
    /// Set when the request finishes with this decision.
    public var decidedAt: Date?
    public var failure: RequestFailure?
    /// The confirmer whose acceptance is recorded.
    public var acceptedBy: CustomerID?
    /// The roles that move to the request's to-account on the service (the change takes effect).
    public var rolesToMove: [Role] = []
    /// Confirmers who get a fresh code (the old one stops working), each mailed it.
    public var freshCodes: [CustomerID] = []
    /// A resend to record (its time and the count).
    public var resent = false
    /// A wrong code of this confirmer to count.
    public var wrongCodeBy: CustomerID?
    public var events: [Event] = []
    public var emails: [Email] = []
    /// Why the action itself was refused (after the writes above commit).
    public var refusal: RequestRefusal?

    public struct Event: Equatable, Sendable {
        public var at: Date
        public var kind: RequestEventKind
        /// Who acted; the recipient for `emailSent`; nil for expiry, done and failed.
        public var actor: CustomerID?

        public init(at: Date, kind: RequestEventKind, actor: CustomerID?) {
            self.at = at
            self.kind = kind
            self.actor = actor
        }
    }

    /// One email to write, as a value: the store renders it with the request as it stands after.
    public struct Email: Equatable, Sendable {
        public enum Kind: Equatable, Sendable {
            /// The recipient's fresh code, with the link that fills it in.
            case code
            /// How the request ended (its final state).
            case outcome
        }

        public var recipient: CustomerID
        public var kind: Kind

        public init(recipient: CustomerID, kind: Kind) {
            self.recipient = recipient
            self.kind = kind
        }
    }

    /// Nothing to write.
    public var isEmpty: Bool {
        decidedAt == nil && acceptedBy == nil && rolesToMove.isEmpty && freshCodes.isEmpty && !resent
            && wrongCodeBy == nil && events.isEmpty && emails.isEmpty
    }
}

/// Why an action on a request is refused.
public enum RequestRefusal: Error, Equatable, Sendable {
    /// The account may not see the request (or there is none): answered as "not found".
    case notFound
    /// The request is no longer open (already done, refused, expired, cancelled or failed).
    case notOpen(RequestState)
    /// Only a confirmer of this request may accept or refuse it.
    case notAConfirmer
    /// This confirmer has already accepted.
    case alreadyAccepted
    /// Only the requester may cancel.
    case notTheRequester
    /// The code does not match this confirmer's current code (wrong, or voided by a resend).
    case wrongCode
    /// Too many wrong codes lately: try again after this many seconds.
    case tooManyWrongCodes(retryAfter: TimeInterval)
    /// Only the asker (all codes) or a confirmer (its own) may have codes sent again.
    case mayNotResend
    /// The next resend is allowed after this many seconds.
    case resendTooSoon(retryAfter: TimeInterval)
    /// This request was sent again as often as a request may be.
    case resendLimitReached
}
