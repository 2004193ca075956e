/// What the store's named operations throw when a request breaks an invariant. SQLite errors
/// that no caller can cause (disk full, corruption) are thrown as GRDB's `DatabaseError`.
public enum StoreError: Error, Equatable, Sendable {
    /// An account with this customer ID already exists.
    case duplicateAccount
    /// No account with this customer ID.
    case unknownAccount
    /// No service with this ID.
    case unknownService
    /// A service of this type already has this name (names compare case-insensitively).
    case duplicateService
    /// A service name must be 1 to 255 characters, without control characters.
    case invalidServiceName
    /// A display name must be 1 to 200 characters, without control characters.
    case invalidDisplayName
    /// A request operation on a store opened without an email composer.
    case noEmailComposer
}
