import ContactsDomain
import Foundation

/// The contacts table's statements (``ContactsPageQuery`` in its PostgreSQL dialect) on one
/// connection.
struct PostgresContactsReader: ContactsReader {
    let connection: PostgresConnection

    func rows(_ statement: SharedStatement) throws -> [ContactsRow] {
        try connection.query(statement.sql, statement.parameters).map { row in
            ContactsRow(
                serviceID: try row.int64("service_id"), name: try row.string("name"),
                type: ServiceType(rawValue: try row.string("type")) ?? .domain,
                administrative: ContactSummary(id: CustomerID(trusted: try row.string("admin_id")), displayName: try row.string("admin_name")),
                technical: ContactSummary(id: CustomerID(trusted: try row.string("tech_id")), displayName: try row.string("tech_name")),
                billing: ContactSummary(id: CustomerID(trusted: try row.string("billing_id")), displayName: try row.string("billing_name")),
                myRoles: ContactsPageQuery.roles(
                    admin: try row.int("is_admin") == 1, tech: try row.int("is_tech") == 1, billing: try row.int("is_billing") == 1))
        }
    }

    func count(_ statement: SharedStatement, bounded: Bool) throws -> Int {
        // Bounded: the statement's rows are counted by the server, not sent.
        let sql = bounded ? "SELECT count(*) AS n FROM (\(statement.sql)) AS matches" : statement.sql
        return try connection.query(sql, statement.parameters)[0].int("n")
    }
}
