/// The sign-in throttle's statements, in SQL both engines read (SQLite takes `$1` as a numbered
/// parameter too): what ``SignInFacts`` counts is written once. Each tally answers `n` and `latest`.
enum SignInStatements {
    /// $1 account, $2 attempts started before this are dead (their process died).
    static let forgetDeadAttempts = "DELETE FROM sign_in_pending WHERE account_id = $1 AND started_at < $2"

    /// $1 key, $2 window start.
    static let failures = """
        SELECT count(*) AS n, max(failed_at) AS latest FROM sign_in_failure WHERE key = $1 AND failed_at >= $2
        """

    /// Successes and attempts being checked. $1 account, $2 window start, $3 live attempts' start.
    static let successesOfAccount = """
        SELECT count(*) AS n, max(at) AS latest FROM (
            SELECT succeeded_at AS at FROM sign_in_success WHERE account_id = $1 AND succeeded_at >= $2
            UNION ALL
            SELECT started_at FROM sign_in_pending WHERE account_id = $1 AND started_at >= $3) AS recent
        """

    /// $1 client, $2 window start, $3 live attempts' start.
    static let successesFromClient = """
        SELECT count(*) AS n, max(at) AS latest FROM (
            SELECT succeeded_at AS at FROM sign_in_success WHERE client = $1 AND succeeded_at >= $2
            UNION ALL
            SELECT started_at FROM sign_in_pending WHERE client = $1 AND started_at >= $3) AS recent
        """

    /// $1 account, $2 client, $3 start of the known-client period. Answers `known`, 1 or 0.
    static let clientIsKnown = """
        SELECT CASE WHEN EXISTS (SELECT 1 FROM sign_in_success
                                 WHERE account_id = $1 AND client = $2 AND succeeded_at >= $3)
               THEN 1 ELSE 0 END AS known
        """

    /// After a success. $1 the account-from-client key.
    static let forgiveClient = "DELETE FROM sign_in_failure WHERE key = $1"
    /// $1 account, $2 client, $3 time.
    static let insertSuccess = "INSERT INTO sign_in_success (account_id, client, succeeded_at) VALUES ($1, $2, $3)"
    /// Each account prunes its own history, so the table stays bounded without a cron job. $1 account, $2 before.
    static let pruneSuccesses = "DELETE FROM sign_in_success WHERE account_id = $1 AND succeeded_at < $2"
    /// $1 account, $2 since.
    static let successesSince = "SELECT count(*) AS n FROM sign_in_success WHERE account_id = $1 AND succeeded_at >= $2"
    static let deleteSuccessesBefore = "DELETE FROM sign_in_success WHERE succeeded_at < $1"
    static let deletePending = "DELETE FROM sign_in_pending WHERE id = $1"
    static let deleteFailure = "DELETE FROM sign_in_failure WHERE id = $1"
}
