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

/// Why a request failed although everybody accepted.
public enum RequestFailure: String, Sendable, Equatable {
    /// The old or the new billing contact is behind with payments.
    case paymentOverdue = "payment"
    /// The service's contacts changed meanwhile: a role no longer belongs to the request's
    /// from-account, or the asker no longer holds a role that lets it ask for this change (an
    /// administrative contact that handed its role on). Both read the same to the people told.
    case holdersChanged = "holders_changed"
}

/// The kinds of a request's history events.
public enum RequestEventKind: String, CaseIterable, Sendable {
    case requested
    /// An email was written to the outbox; the event's actor is its recipient.
    case emailSent = "email_sent"
    case accepted
    case refused
    case expired
    case cancelled
    case done
    case failed
    case resent
}
