import ContactsDomain

// The catalog keys that name domain values, for pages and emails alike.

extension Role {
    /// "Technical contact" as a label ("role_tech").
    public var labelKey: String { "role_\(rawValue)" }
}

extension ServiceType {
    public var labelKey: String { "service_type_\(rawValue)" }
}

extension RequestState {
    public var labelKey: String { "state_\(rawValue)" }
}

extension Account {
    /// How pages and emails name an account: "Anna Nowak (aa123-ovh)".
    public var nameWithID: String { "\(displayName) (\(id.rawValue))" }
}
