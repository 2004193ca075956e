import ContactsDomain
import Credentials
import Foundation
import HTTPCore

// The owner's email address is where registries send what moves a domain (transfer codes,
// renewal notices): a new one takes the administrative contact's password again, as the
// profile's address does, so that a stolen session alone cannot take it (docs/SECURITY.md).

extension Application {
    enum PasswordAgain: Equatable {
        case confirmed
        case empty
        case wrong
        case throttled(seconds: Int)
        case busy
    }

    /// Checks `password` as the profile does: counted with the sign-in's failures, hashed in the
    /// same bounded slots.
    func checkPasswordAgain(_ password: String, account: Account, context: RequestContext) throws -> PasswordAgain {
        guard !password.isEmpty else { return .empty }
        let client = context.request.remoteAddress
        let keys: [SignInThrottle.Key] = [.accountFromClient(account.id, client), .client(client)]
        if let wait = try signInWaitTime(keys, now: context.now) { return .throttled(seconds: Int(wait)) }
        let hash = try database.passwordHash(for: account.id)
        guard let matches = hashingSlots.withSlot({ hash.map { PasswordHasher.verify(password, against: $0) } ?? false }) else {
            return .busy
        }
        guard matches else {
            try database.recordSignInFailure(keys: (keys + [.account(account.id)]).map(\.storageKey), now: context.now)
            return .wrong
        }
        for key in [SignInThrottle.Key.account(account.id), .accountFromClient(account.id, client)] {
            try database.clearSignInFailures(key: key.storageKey)
        }
        return .confirmed
    }

    /// The message and status of a password that did not confirm, with a Retry-After when due.
    func passwordAgainProblem(_ result: PasswordAgain, _ context: RequestContext) -> (message: String, status: HTTPStatus, retryAfter: Int?)? {
        switch result {
        case .confirmed: nil
        case .empty: (strings(context)["profile_password_error_empty"], .unprocessableContent, nil)
        case .wrong: (strings(context)["profile_password_error_wrong"], .unprocessableContent, nil)
        case .throttled(let seconds):
            (catalog.plural("signin_error_throttled", count: seconds, context.language), .tooManyRequests, seconds)
        case .busy: (strings(context)["signin_error_busy"], .serviceUnavailable, Self.busyRetryAfterSeconds)
        }
    }
}
