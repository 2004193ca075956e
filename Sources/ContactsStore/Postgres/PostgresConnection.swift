import CLibPQ
import Foundation

/// One libpq connection, synchronous, used by one thread at a time (``PostgresPool`` hands it
/// out). Statements are prepared once per connection and then run with parameters in text
/// format, so no value is ever spliced into SQL.
final class PostgresConnection {
    private let handle: OpaquePointer
    /// Prepared statement names by SQL text.
    private var prepared: [String: String] = [:]

    /// Connects to `url` (libpq reads `PGPASSFILE`, `PGPASSWORD` and the URL's own password)
    /// and sets the session: UTC, and `statement_timeout` so that no statement holds a worker
    /// for longer than that.
    init(url: String, statementTimeout: Duration) throws {
        guard let handle = PQconnectdb(url) else {
            throw PostgresError(sqlState: nil, message: "out of memory")
        }
        guard PQstatus(handle) == CONNECTION_OK else {
            let message = String(cString: PQerrorMessage(handle))
            PQfinish(handle)
            throw PostgresError(sqlState: nil, message: message.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        self.handle = handle
        let milliseconds = statementTimeout.components.seconds * 1000
            + statementTimeout.components.attoseconds / 1_000_000_000_000_000
        try execute("SET TIME ZONE 'UTC'; SET client_min_messages = warning; SET statement_timeout = \(milliseconds)")
    }

    deinit { PQfinish(handle) }

    /// Whether the connection still works; a broken one is dropped by the pool, not reused.
    var isBroken: Bool { PQstatus(handle) != CONNECTION_OK }

    /// Runs one or more statements without parameters (migrations, BEGIN, COMMIT).
    func execute(_ sql: String) throws {
        let result = PQexec(handle, sql)
        defer { PQclear(result) }
        try check(result)
    }

    /// Runs one parameterized statement, prepared on first use on this connection.
    @discardableResult
    func query(_ sql: String, _ parameters: [(any PostgresBindable)?] = []) throws -> [PostgresRow] {
        try withResult(sql, parameters) { rows(of: $0) }
    }

    private func withResult<T>(
        _ sql: String, _ parameters: [(any PostgresBindable)?], _ read: (OpaquePointer?) -> T
    ) throws -> T {
        let name = try statementName(for: sql, parameterCount: parameters.count)
        let texts = parameters.map { $0?.postgresText }
        let result = withCStrings(texts) { pointers in
            PQexecPrepared(handle, name, Int32(pointers.count), pointers, nil, nil, 0)
        }
        defer { PQclear(result) }
        try check(result)
        return read(result)
    }

    /// Runs one parameterized statement and returns how many rows it changed.
    func count(_ sql: String, _ parameters: [(any PostgresBindable)?] = []) throws -> Int {
        try withResult(sql, parameters) { result in Int(String(cString: PQcmdTuples(result))) ?? 0 }
    }

    private func statementName(for sql: String, parameterCount: Int) throws -> String {
        if let name = prepared[sql] { return name }
        let name = "s\(prepared.count + 1)"
        let result = PQprepare(handle, name, sql, Int32(parameterCount), nil)
        defer { PQclear(result) }
        try check(result)
        prepared[sql] = name
        return name
    }

    private func check(_ result: OpaquePointer?) throws {
        let status = result.map(PQresultStatus) ?? PGRES_FATAL_ERROR
        guard status != PGRES_COMMAND_OK, status != PGRES_TUPLES_OK else { return }
        let sqlState = result.flatMap { PQresultErrorField($0, Int32(UInt8(ascii: "C"))) }.map { String(cString: $0) }
        let message = String(cString: PQerrorMessage(handle)).trimmingCharacters(in: .whitespacesAndNewlines)
        if isBroken { prepared = [:] }
        throw PostgresError(sqlState: isBroken ? nil : sqlState, message: message)
    }

    private func rows(of result: OpaquePointer?) -> [PostgresRow] {
        guard let result else { return [] }
        let columns = PQnfields(result)
        let names = (0..<columns).map { String(cString: PQfname(result, $0)) }
        return (0..<PQntuples(result)).map { row in
            PostgresRow(names: names, values: (0..<columns).map { column in
                PQgetisnull(result, row, column) == 1 ? nil : String(cString: PQgetvalue(result, row, column))
            })
        }
    }
}

/// Calls `body` with C strings for `texts` (NULL for nil), valid only during the call.
private func withCStrings<T>(_ texts: [String?], _ body: ([UnsafePointer<CChar>?]) -> T) -> T {
    let copies = texts.map { $0.map { strdup($0) } ?? nil }
    defer { copies.forEach { free($0) } }
    return body(copies.map { $0.map { UnsafePointer($0) } })
}
