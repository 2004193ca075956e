import ContactsDomain
import Foundation
import GRDB

// MARK: - The contacts table

extension AppDatabase {
    /// One page of the services on which `account` holds at least one role.
    ///
    /// Keyset pagination over `service_membership`'s indexes: a page costs one index range scan
    /// of `limit + 1` entries plus a few lookups per row, whatever the page number. The count is
    /// the account's stored one; with a filter it stops after ``ContactsPage/filteredCountBound``
    /// + 1 matches.
    public func contactsPage(for account: CustomerID, query: ContactsQuery) throws -> ContactsPage {
        try timedRead { db in
            try ContactsPageQuery(account: account, query: query, dialect: .sqlite).page(SQLiteContactsReader(db: db))
        }
    }
}

/// Runs the contacts table's statements on one engine.
protocol ContactsReader {
    /// The rows of a statement from ``ContactsPageQuery/rowsStatement(from:backward:limit:)``.
    func rows(_ statement: SharedStatement) throws -> [ContactsRow]
    /// What a statement from ``ContactsPageQuery/countStatement()`` counts: its one integer
    /// when the count is stored, or, when `bounded`, how many rows it gives.
    func count(_ statement: SharedStatement, bounded: Bool) throws -> Int
}

struct SQLiteContactsReader: ContactsReader {
    let db: Database

    func rows(_ statement: SharedStatement) throws -> [ContactsRow] {
        // Cached: a handful of SQL texts (per filter and sort combination), prepared once per connection.
        try Row.fetchAll(db.cachedStatement(sql: statement.sql), arguments: statement.arguments).map { row in
            ContactsRow(
                serviceID: row["service_id"], name: row["name"], type: ServiceType(rawValue: row["type"]) ?? .domain,
                administrative: ContactSummary(id: CustomerID(trusted: row["admin_id"]), displayName: row["admin_name"]),
                technical: ContactSummary(id: CustomerID(trusted: row["tech_id"]), displayName: row["tech_name"]),
                billing: ContactSummary(id: CustomerID(trusted: row["billing_id"]), displayName: row["billing_name"]),
                myRoles: ContactsPageQuery.roles(admin: row["is_admin"], tech: row["is_tech"], billing: row["is_billing"]))
        }
    }

    func count(_ statement: SharedStatement, bounded: Bool) throws -> Int {
        let prepared = try db.cachedStatement(sql: statement.sql)
        guard bounded else { return try Int.fetchOne(prepared, arguments: statement.arguments) ?? 0 }
        var counted = 0
        let matches = try Int.fetchCursor(prepared, arguments: statement.arguments)
        while try matches.next() != nil { counted += 1 }
        return counted
    }
}

/// The SQL behind the contacts table, on either engine (``Dialect``).
struct ContactsPageQuery {
    /// Where the engines differ: how a name sorts (SQLite's NOCASE column, PostgreSQL's stored
    /// `name_key`, the same order), how the text filter matches, and how tables are joined.
    enum Dialect {
        case sqlite, postgres

        var nameColumn: String { self == .sqlite ? "m.service_name" : "m.name_key" }
        /// An inner join: SQLite's CROSS JOIN keeps the tables in the order written (see
        /// ``ContactsPageQuery/joins``); PostgreSQL takes no ON after CROSS JOIN.
        var join: String { self == .sqlite ? "CROSS JOIN" : "JOIN" }
        /// The name as a position in ``nameColumn``'s order.
        func nameKey(_ parameter: String) -> String { self == .sqlite ? parameter : "ascii_lower(\(parameter))" }
    }

    let dialect: Dialect
    let account: CustomerID
    let sort: ContactsSort
    let descending: Bool
    let cursor: ContactsCursor?
    let direction: ContactsQuery.Direction
    let limit: Int
    /// Conditions on `m`, the membership row, with their values (`$1`, `$2`, ... in order).
    let filters: [String]
    let filterValues: [SharedStatement.Value]
    /// Whether the type is part of the order: not when a type filter makes it constant.
    let ordersByType: Bool

    init(account: CustomerID, query: ContactsQuery, dialect: Dialect) {
        self.dialect = dialect
        self.account = account
        sort = query.sort
        descending = query.descending
        var cursor = query.cursor?.sort == query.sort ? query.cursor : nil
        if let type = query.type, let cursorType = cursor?.type, cursorType != type {
            cursor = nil // a position among other types: start over
        }
        self.cursor = cursor
        // With a type filter, sorting by type is sorting by name: the equality on type_position
        // then lets SQLite read the index range in order (a row-value range over the type
        // would not combine with the equality, and SQLite would sort).
        ordersByType = query.sort == .type && query.type == nil
        direction = query.direction
        limit = min(max(query.limit, ContactsQuery.limitRange.lowerBound), ContactsQuery.limitRange.upperBound)

        var filters = ["m.account_id = $1"]
        var values: [SharedStatement.Value] = [.text(account.rawValue)]
        if let role = query.role {
            // Column names from a closed enum, never from input.
            switch role {
            case .administrative: filters.append("m.is_admin = 1")
            case .technical: filters.append("m.is_tech = 1")
            case .billing: filters.append("m.is_billing = 1")
            }
        }
        if let type = query.type {
            values.append(.text(type.rawValue))
            filters.append("m.type_position = (SELECT position FROM service_type WHERE code = $\(values.count))")
        }
        let text = String(String.UnicodeScalarView(
            query.text.trimmingCharacters(in: .whitespacesAndNewlines).unicodeScalars
                .prefix(ContactsQuery.maximumTextLength)))
        if !text.isEmpty {
            switch dialect {
            case .sqlite: values.append(.text(SearchFolding.globPattern(containing: text)))
                filters.append("m.search_text GLOB $\(values.count)")
            case .postgres: values.append(.text(SearchFolding.regexPattern(containing: text)))
                filters.append("m.search_text ~ $\(values.count)")
            }
        }
        self.filters = filters
        filterValues = values
    }

    /// The membership row drives every query (on SQLite, CROSS JOIN pins it as the outer loop,
    /// whatever the statistics say), so the account's index range is walked in sort order and
    /// the other tables are only looked up by primary key.
    var joins: String {
        let join = dialect.join
        return """
            FROM service_membership m
            \(join) service s ON s.id = m.service_id
            \(join) account aa ON aa.id = s.admin_id
            \(join) account ta ON ta.id = s.tech_id
            \(join) account ba ON ba.id = s.billing_id
            """
    }

    func page(_ reader: some ContactsReader) throws -> ContactsPage {
        let backward = direction == .backward
        var rows = try reader.rows(rowsStatement(from: cursor, backward: backward, limit: limit + 1))
        let more = rows.count > limit
        rows = Array(rows.prefix(limit))
        if backward {
            rows.reverse()
            // Reached the start: show a full first page rather than a short one.
            if !more && cursor != nil {
                return try ContactsPageQuery(copying: self, cursor: nil, direction: .forward).page(reader)
            }
        }
        func exists(from cursor: ContactsCursor, backward: Bool) throws -> Bool {
            try !reader.rows(rowsStatement(from: cursor, backward: backward, limit: 1)).isEmpty
        }

        let nextCursor: ContactsCursor?
        let previousCursor: ContactsCursor?
        if let first = rows.first, let last = rows.last {
            if backward {
                previousCursor = more ? key(of: first) : nil
                nextCursor = try exists(from: key(of: last), backward: false) ? key(of: last) : nil
            } else {
                nextCursor = more ? key(of: last) : nil
                let hasPrevious = try cursor != nil && exists(from: key(of: first), backward: true)
                previousCursor = hasPrevious ? key(of: first) : nil
            }
        } else {
            nextCursor = nil
            previousCursor = if let cursor, try exists(from: cursor, backward: true) { cursor } else { nil }
        }
        let counted = try reader.count(countStatement(), bounded: isFiltered)
        let bounded = isFiltered && counted > ContactsPage.filteredCountBound
        return ContactsPage(
            rows: rows, nextCursor: nextCursor, previousCursor: previousCursor,
            totalCount: bounded ? ContactsPage.filteredCountBound : counted, totalCountIsBounded: bounded)
    }

    private init(copying other: ContactsPageQuery, cursor: ContactsCursor?, direction: ContactsQuery.Direction) {
        account = other.account
        sort = other.sort
        descending = other.descending
        self.cursor = cursor
        self.direction = direction
        dialect = other.dialect
        limit = other.limit
        filters = other.filters
        filterValues = other.filterValues
        ordersByType = other.ordersByType
    }

    func key(of row: ContactsRow) -> ContactsCursor {
        ContactsCursor(sort: sort, type: row.type, name: row.name, serviceID: row.serviceID)
    }

    /// The roles of a membership row's flags.
    static func roles(admin: Bool, tech: Bool, billing: Bool) -> Set<Role> {
        var roles: Set<Role> = []
        if admin { roles.insert(.administrative) }
        if tech { roles.insert(.technical) }
        if billing { roles.insert(.billing) }
        return roles
    }

    /// The rows strictly after (or before, when `backward`) `cursor` in display order, nearest
    /// first, at most `limit`.
    func rowsStatement(from cursor: ContactsCursor?, backward: Bool, limit: Int) -> SharedStatement {
        let ascending = descending == backward
        var conditions = filters
        var values = filterValues
        let name = dialect.nameColumn
        if let cursor {
            let comparison = ascending ? ">" : "<"
            if !ordersByType {
                values += [.text(cursor.name), .int(cursor.serviceID)]
                let n = values.count
                conditions.append("(\(name), m.service_id) \(comparison) (\(dialect.nameKey("$\(n - 1)")), $\(n))")
            } else {
                values += [.text(cursor.type?.rawValue ?? ""), .text(cursor.name), .int(cursor.serviceID)]
                let n = values.count
                conditions.append("""
                    (m.type_position, \(name), m.service_id) \(comparison) \
                    ((SELECT position FROM service_type WHERE code = $\(n - 2)), \(dialect.nameKey("$\(n - 1)")), $\(n))
                    """)
            }
        }
        values.append(.int(Int64(limit)))
        let order = ascending ? "ASC" : "DESC"
        let orderBy = ordersByType
            ? "m.type_position \(order), \(name) \(order), m.service_id \(order)"
            : "\(name) \(order), m.service_id \(order)"
        return SharedStatement(sql: """
            SELECT m.service_id, m.is_admin, m.is_tech, m.is_billing, s.name, s.type,
                   s.admin_id, aa.display_name AS admin_name, s.tech_id, ta.display_name AS tech_name,
                   s.billing_id, ba.display_name AS billing_name
            \(joins)
            WHERE \(conditions.joined(separator: " AND "))
            ORDER BY \(orderBy)
            LIMIT $\(values.count)
            """, values: values)
    }

    /// Whether a filter beyond the account is set: then the count is bounded.
    var isFiltered: Bool { filters.count > 1 }

    /// Without a filter the count is the account's stored one
    /// (`account_service_count`, kept by the membership's triggers), exact and one lookup. With
    /// a filter it reads the membership rows and stops after ``ContactsPage/filteredCountBound``
    /// + 1 matches: a text filter reads the account's rows of the membership table and a role
    /// filter its index range, which for a 50,000-service account was every request's largest
    /// cost (measured: 49x the small account's latency with a text filter).
    func countStatement() -> SharedStatement {
        isFiltered
            ? SharedStatement(sql: """
                SELECT 1 FROM service_membership m WHERE \(filters.joined(separator: " AND ")) \
                LIMIT \(ContactsPage.filteredCountBound + 1)
                """, values: filterValues)
            : SharedStatement(sql: """
                SELECT coalesce((SELECT services FROM account_service_count WHERE account_id = $1), 0) AS n
                """, values: filterValues)
    }
}
