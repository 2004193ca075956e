import ContactsDomain

extension Account {
    /// How pages and emails name an account: "Anna Nowak (aa123-ovh)".
    var nameWithID: String { "\(displayName) (\(id.rawValue))" }
}
