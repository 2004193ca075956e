import Foundation

/// The states of a contact change request.
public enum RequestState: String, CaseIterable, Sendable, Codable {
    /// Waiting for confirmations.
    case waiting
    /// Every confirmer accepted and the change took effect.
    case done
    /// A confirmer refused.
    case refused
    /// Nobody finished confirming before the request expired.
    case expired
    /// The requester withdrew it.
    case cancelled
    /// Everybody accepted, but a rule no longer held when the change would take effect.
    case failed

    public var isOpen: Bool { self == .waiting }
}

/// What can happen to a request, and what it leads to. Pure: the store loads a request, asks
/// this type what an action means, and writes the outcome in one transaction.
public struct ChangeRequestLifecycle: Equatable, Sendable {
    public var state: RequestState
    public var requester: CustomerID
    public var expiresAt: Date
    /// Each required confirmer, with the moment it accepted (nil while awaited).
    public var confirmations: [CustomerID: Date?]

    public init(state: RequestState, requester: CustomerID, expiresAt: Date, confirmations: [CustomerID: Date?]) {
        self.state = state
        self.requester = requester
        self.expiresAt = expiresAt
        self.confirmations = confirmations
    }

    public enum Action: Equatable, Sendable {
        case accept(by: CustomerID)
        case refuse(by: CustomerID)
        case cancel(by: CustomerID)
        /// Fresh codes for the confirmers still awaited, asked for by a participant.
        case resend(by: CustomerID)
    }

    public enum Outcome: Equatable, Sendable {
        /// Accepted, others are still awaited.
        case accepted(stillAwaited: [CustomerID])
        /// The last confirmer accepted: the change takes effect now (if its rules still hold).
        case allAccepted
        case refused
        case cancelled
        case resent(to: [CustomerID])
    }

    public enum Refusal: Error, Equatable, Sendable {
        /// The request is no longer open (already done, refused, expired, cancelled or failed).
        case notOpen(RequestState)
        /// Only a confirmer of this request may accept or refuse it.
        case notAConfirmer
        /// This confirmer has already accepted.
        case alreadyAccepted
        /// Only the requester may cancel.
        case notTheRequester
    }

    /// Applies expiry first: a request read or acted on after its window is expired, whatever
    /// the action. Returns true when this call expired it.
    public mutating func expireIfDue(now: Date) -> Bool {
        guard state == .waiting, now >= expiresAt else { return false }
        state = .expired
        return true
    }

    public var awaited: [CustomerID] {
        confirmations.filter { $0.value == nil }.map(\.key).sorted()
    }

    /// `participants` may resend: asker, confirmers and the contacts being replaced.
    public mutating func apply(_ action: Action, now: Date, participants: Set<CustomerID> = []) throws(Refusal) -> Outcome {
        _ = expireIfDue(now: now)
        guard state == .waiting else { throw .notOpen(state) }
        switch action {
        case .accept(let confirmer):
            guard let accepted = confirmations[confirmer] else { throw .notAConfirmer }
            guard accepted == nil else { throw .alreadyAccepted }
            confirmations[confirmer] = .some(now)
            let stillAwaited = awaited
            if stillAwaited.isEmpty {
                state = .done
                return .allAccepted
            }
            return .accepted(stillAwaited: stillAwaited)
        case .refuse(let confirmer):
            guard confirmations[confirmer] != nil else { throw .notAConfirmer }
            state = .refused
            return .refused
        case .cancel(let account):
            guard account == requester else { throw .notTheRequester }
            state = .cancelled
            return .cancelled
        case .resend(let account):
            guard account == requester || confirmations[account] != nil || participants.contains(account) else {
                throw .notAConfirmer
            }
            return .resent(to: awaited)
        }
    }

    /// When every confirmer accepted but a rule (payment) no longer holds.
    public mutating func fail() {
        state = .failed
    }
}
