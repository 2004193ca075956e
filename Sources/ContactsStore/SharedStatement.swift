import Foundation
import GRDB

/// A statement both engines run as it is, with its parameters numbered `$1`, `$2`, ... in the
/// order they first appear (SQLite numbers `$n` by appearance, PostgreSQL by n: so they agree).
struct SharedStatement {
    enum Value {
        case text(String), bool(Bool), date(Date), int(Int64), null
    }

    var sql: String
    var values: [Value]

    /// The parameters as GRDB binds them on SQLite.
    var arguments: StatementArguments {
        StatementArguments(values.map { value -> any DatabaseValueConvertible in
            switch value {
            case .text(let text): text
            case .bool(let bool): bool
            case .date(let date): date
            case .int(let int): int
            case .null: DatabaseValue.null
            }
        })
    }

    /// The parameters as ``PostgresConnection`` sends them.
    var parameters: [(any PostgresBindable)?] {
        values.map { value in
            switch value {
            case .text(let text): text
            case .bool(let bool): bool
            case .date(let date): date
            case .int(let int): int
            case .null: nil
            }
        }
    }
}
