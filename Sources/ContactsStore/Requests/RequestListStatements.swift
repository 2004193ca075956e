import ContactsDomain
import Foundation

/// The queries behind "My requests", for both engines (their plans are tested).
enum RequestListStatements {
    /// The IDs of the requests `$1` takes part in: one index search per part it may play.
    static let idsOfAccount = """
        SELECT id FROM change_request WHERE requester = $1
        UNION SELECT id FROM change_request WHERE from_account = $1
        UNION SELECT id FROM change_request WHERE to_account = $1
        UNION SELECT request_id FROM confirmation WHERE confirmer = $1
        """

    /// One page, plus one row to tell whether another follows. The row value
    /// `(state = 'waiting', requested_at, id)` orders the list (all descending), so the page
    /// after a cursor is the rows below it.
    static func page(of account: CustomerID, state: RequestState?, after: RequestListCursor?, limit: Int) -> SharedStatement {
        var values: [SharedStatement.Value] = [.text(account.rawValue)]
        var conditions = ""
        if let state {
            values.append(.text(state.rawValue))
            conditions += " AND state = $\(values.count)"
        }
        if let after {
            values += [.bool(after.open), .date(after.requestedAt), .int(after.id)]
            let n = values.count
            conditions += " AND (state = 'waiting', requested_at, id) < ($\(n - 2), $\(n - 1), $\(n))"
        }
        values.append(.int(Int64(limit)))
        return SharedStatement(sql: """
            SELECT id FROM change_request
            WHERE id IN (\(idsOfAccount))\(conditions)
            ORDER BY state = 'waiting' DESC, requested_at DESC, id DESC
            LIMIT $\(values.count)
            """, values: values)
    }

    /// How many requests the list has on all pages; answers `n`.
    static func count(of account: CustomerID, state: RequestState?) -> SharedStatement {
        SharedStatement(sql: """
            SELECT count(*) AS n FROM change_request
            WHERE id IN (\(idsOfAccount))\(state == nil ? "" : " AND state = $2")
            """, values: [.text(account.rawValue)] + (state.map { [.text($0.rawValue)] } ?? []))
    }

    /// The account's requests past their window, still waiting.
    static func due(of account: CustomerID, now: Date) -> SharedStatement {
        SharedStatement(sql: """
            SELECT id FROM change_request
            WHERE id IN (\(idsOfAccount)) AND state = 'waiting' AND expires_at <= $2
            """, values: [.text(account.rawValue), .date(now)])
    }
}

extension RequestTransaction {
    /// One page of the account's requests, with the total and the cursor of the next page.
    func requestList(for account: CustomerID, state: RequestState?, after: RequestListCursor?, limit: Int) throws -> RequestList {
        let limit = max(1, limit)
        let found = try ids(RequestListStatements.page(of: account, state: state, after: after, limit: limit + 1))
        let page = try found.prefix(limit).compactMap { try snapshot($0) }
        let total = try ids(RequestListStatements.count(of: account, state: state), column: "n").first ?? 0
        let next = found.count > limit
            ? page.last.map { RequestListCursor(open: $0.state.isOpen, requestedAt: $0.requestedAt, id: $0.id) } : nil
        return RequestList(requests: page, totalCount: Int(total), next: next)
    }

    func ids(_ statement: SharedStatement) throws -> [Int64] {
        try ids(statement, column: "id")
    }
}
