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

extension Language {
    /// The BCP 47 tag of the pages and emails: the catalog's Portuguese is European Portuguese
    /// ("contacto", "faturação", "registada"), so screen readers and spell checkers should read
    /// it as pt-PT. The short code stays what cookies, links and the store use.
    public var tag: String {
        switch self {
        case .pl: "pl"
        case .pt: "pt-PT"
        case .it: "it"
        }
    }
}
