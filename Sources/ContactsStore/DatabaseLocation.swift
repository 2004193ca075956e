/// Where the store lives, from the executables' `--database`: a `postgres://` or
/// `postgresql://` URL, or else a SQLite file path. The password belongs in the URL, in
/// `PGPASSFILE` or in `PGPASSWORD` (libpq reads them), never on the command line.
public enum DatabaseLocation: Equatable, Sendable {
    case sqlite(path: String)
    case postgres(url: String)

    public init(_ value: String) {
        let lowered = value.lowercased()
        if lowered.hasPrefix("postgres://") || lowered.hasPrefix("postgresql://") {
            self = .postgres(url: value)
        } else {
            self = .sqlite(path: value)
        }
    }
}
