import Foundation

/// The numbers of the request rules (SPEC "Requests"), in one place.
public enum RequestPolicy {
    /// A request expires this long after it was made, unless configured otherwise.
    public static let defaultLifetime: TimeInterval = 14 * 24 * 60 * 60

    /// After a resend, the next one waits this long (the first resend is allowed at once, so a
    /// customer who just fixed a typo in its address need not wait).
    public static let resendInterval: TimeInterval = 60

    /// Resends per request, in all: each one mails somebody, so a participant cannot turn a
    /// request into a stream of emails until it expires.
    public static let maximumResends = 5

    /// New requests an account may make: each mails its confirmers, and a cancelled one mails
    /// everybody again, so create-then-cancel cycles count too. Enough for a person changing
    /// contacts by hand all day; more at once is what bulk changes are for.
    public static let requestsPerAskerPerHour = 50
    public static let requestsPerAskerPerDay = 200
    /// Requests (by others) that may name one account as the new contact within a day: every one
    /// mails it a code, so nobody can bury somebody's mailbox in them.
    public static let requestsPerTargetPerDay = 20

    /// Requests one bulk change may create: one per (old contact, new contact) pair of the
    /// selection, each mailing its confirmers. A selection whose services have more distinct
    /// current holders is a sign it should be narrowed (by a filter) rather than mailed.
    public static let bulkMaximumRequests = 20

    /// The limits above, as an operator may set them (`contacts-fcgi --requests-per-hour` ...).
    public static let creationLimits = CreationLimits(
        perAskerPerHour: requestsPerAskerPerHour, perAskerPerDay: requestsPerAskerPerDay,
        perTargetPerDay: requestsPerTargetPerDay)

    /// Edit-page answers about accounts other than the service's contacts and the asker
    /// ("unknown account", "behind with payments"): 30 free within an hour, then a wait of a
    /// minute that doubles, up to an hour. Enough to fix typos; too few to list customer IDs or
    /// other customers' arrears.
    public static let lookupThrottle: SignInThrottle = {
        var throttle = SignInThrottle()
        throttle.window = 60 * 60
        throttle.freeFailuresPerAccount = 30
        throttle.firstDelay = 60
        throttle.maximumDelay = 60 * 60
        return throttle
    }()

    /// Wrong codes per request and account: 5 free within 15 minutes, then a wait of one minute
    /// that doubles with each further wrong code, up to 15 minutes.
    public static let wrongCodeThrottle: SignInThrottle = {
        var throttle = SignInThrottle()
        throttle.window = 15 * 60
        throttle.freeFailuresPerAccount = 5
        throttle.firstDelay = 60
        throttle.maximumDelay = 15 * 60
        return throttle
    }()
}

/// How many new requests one account may make, and how often one account may be named.
public struct CreationLimits: Equatable, Sendable {
    public var perAskerPerHour: Int
    public var perAskerPerDay: Int
    public var perTargetPerDay: Int

    public init(perAskerPerHour: Int, perAskerPerDay: Int, perTargetPerDay: Int) {
        self.perAskerPerHour = perAskerPerHour
        self.perAskerPerDay = perAskerPerDay
        self.perTargetPerDay = perTargetPerDay
    }
}
