import ContactsDomain

/// The request flow's statements, in SQL both engines read (`$1` is a numbered parameter on
/// SQLite too). Tallies answer `n` and `oldest` or `latest`.
enum RequestStatements {
    /// $1 request.
    static let resendCount = "SELECT count(*) AS n FROM request_event WHERE request_id = $1 AND kind = 'resent'"

    /// $1 service: role → open request.
    static let openRequests = "SELECT role, request_id FROM change_request_role WHERE service_id = $1 AND open = 1"

    /// $1 request, $2 account, $3 window start.
    static let codeFailures = """
        SELECT count(*) AS n, max(failed_at) AS latest FROM code_failure
        WHERE request_id = $1 AND account = $2 AND failed_at > $3
        """

    /// Through the index on (requester, requested_at). $1 requester, $2 window start.
    static let askedBy = """
        SELECT count(*) AS n, min(requested_at) AS oldest FROM change_request WHERE requester = $1 AND requested_at > $2
        """

    /// Through the index on (to_account, requested_at). $1 new contact, $2 window start.
    static let naming = """
        SELECT count(*) AS n, min(requested_at) AS oldest FROM change_request
        WHERE to_account = $1 AND requested_at > $2 AND requester <> to_account
        """

    /// $1 service, $2 now.
    static let dueOnService = """
        SELECT id FROM change_request WHERE service_id = $1 AND state = 'waiting' AND expires_at <= $2 ORDER BY id
        """

    /// $1 now.
    static let due = """
        SELECT id FROM change_request WHERE state = 'waiting' AND expires_at <= $1 ORDER BY expires_at, id
        """

    /// $1 request, $2 account, $3 time.
    static let insertCodeFailure = "INSERT INTO code_failure (request_id, account, failed_at) VALUES ($1, $2, $3)"

    /// $1 time, $2 request, $3 confirmer.
    static let markAccepted = """
        UPDATE confirmation SET accepted_at = $1 WHERE request_id = $2 AND confirmer = $3 AND accepted_at IS NULL
        """

    /// $1 new holder, $2 service. Column names from a closed enum, never from input.
    static func moveRoles(_ roles: [Role]) -> String {
        let assignments = roles.map { "\(ServiceRecord.column(for: $0).rawValue) = $1" }.joined(separator: ", ")
        return "UPDATE service SET \(assignments) WHERE id = $2"
    }

    /// $1 state, $2 decided at, $3 failure reason, $4 request. Only a waiting request ends.
    static let finish = """
        UPDATE change_request SET state = $1, decided_at = $2, failure_reason = $3 WHERE id = $4 AND state = 'waiting'
        """

    /// $1 request, $2 confirmer, $3 code digest: a fresh code replaces the last.
    static let setCode = """
        INSERT INTO confirmation (request_id, confirmer, code_digest) VALUES ($1, $2, $3)
        ON CONFLICT (request_id, confirmer) DO UPDATE SET code_digest = excluded.code_digest
        """

    /// $1 time, $2 request.
    static let markResent = "UPDATE change_request SET last_resent_at = $1 WHERE id = $2"

    /// $1 request, $2 time, $3 kind, $4 actor.
    static let insertEvent = "INSERT INTO request_event (request_id, at, kind, actor) VALUES ($1, $2, $3, $4)"
}
