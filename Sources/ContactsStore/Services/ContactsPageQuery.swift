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
            try ContactsPageQuery(account: account, query: query).page(db)
        }
    }
}

/// The SQL behind ``AppDatabase/contactsPage(for:query:)``.
struct ContactsPageQuery {
    let account: CustomerID
    let sort: ContactsSort
    let descending: Bool
    let cursor: ContactsCursor?
    let direction: ContactsQuery.Direction
    let limit: Int
    /// Conditions on `m`, the membership row, with their arguments.
    let filters: [String]
    let filterArguments: StatementArguments
    /// Whether the type is part of the order: not when a type filter makes it constant.
    let ordersByType: Bool

    init(account: CustomerID, query: ContactsQuery) {
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

        var filters = ["m.account_id = ?"]
        var arguments: StatementArguments = [account.rawValue]
        if let role = query.role {
            // Column names from a closed enum, never from input.
            switch role {
            case .administrative: filters.append("m.is_admin = 1")
            case .technical: filters.append("m.is_tech = 1")
            case .billing: filters.append("m.is_billing = 1")
            }
        }
        if let type = query.type {
            filters.append("m.type_position = (SELECT position FROM service_type WHERE code = ?)")
            arguments += [type.rawValue]
        }
        let text = String(String.UnicodeScalarView(
            query.text.trimmingCharacters(in: .whitespacesAndNewlines).unicodeScalars
                .prefix(ContactsQuery.maximumTextLength)))
        if !text.isEmpty {
            filters.append("m.search_text GLOB ?")
            arguments += [SearchFolding.globPattern(containing: text)]
        }
        self.filters = filters
        filterArguments = arguments
    }

    /// The membership row drives every query (CROSS JOIN pins it as the outer loop, whatever the
    /// statistics say), so the account's index range is walked in sort order and the other
    /// tables are only looked up by primary key.
    static let joins = """
        FROM service_membership m
        CROSS JOIN service s ON s.id = m.service_id
        CROSS JOIN account aa ON aa.id = s.admin_id
        CROSS JOIN account ta ON ta.id = s.tech_id
        CROSS JOIN account ba ON ba.id = s.billing_id
        """

    func page(_ db: Database) throws -> ContactsPage {
        let backward = direction == .backward
        var rows = try fetch(db, from: cursor, backward: backward, limit: limit + 1)
        let more = rows.count > limit
        rows = Array(rows.prefix(limit))
        if backward {
            rows.reverse()
            // Reached the start: show a full first page rather than a short one.
            if !more && cursor != nil {
                return try ContactsPageQuery(copying: self, cursor: nil, direction: .forward).page(db)
            }
        }

        let nextCursor: ContactsCursor?
        let previousCursor: ContactsCursor?
        if let first = rows.first, let last = rows.last {
            if backward {
                previousCursor = more ? key(of: first) : nil
                nextCursor = try exists(db, from: key(of: last), backward: false) ? key(of: last) : nil
            } else {
                nextCursor = more ? key(of: last) : nil
                let hasPrevious = try cursor != nil && exists(db, from: key(of: first), backward: true)
                previousCursor = hasPrevious ? key(of: first) : nil
            }
        } else {
            nextCursor = nil
            previousCursor = if let cursor, try exists(db, from: cursor, backward: true) { cursor } else { nil }
        }
        let (total, bounded) = try count(db)
        return ContactsPage(
            rows: rows, nextCursor: nextCursor, previousCursor: previousCursor, totalCount: total,
            totalCountIsBounded: bounded)
    }

    private init(copying other: ContactsPageQuery, cursor: ContactsCursor?, direction: ContactsQuery.Direction) {
        account = other.account
        sort = other.sort
        descending = other.descending
        self.cursor = cursor
        self.direction = direction
        limit = other.limit
        filters = other.filters
        filterArguments = other.filterArguments
        ordersByType = other.ordersByType
    }

    func key(of row: ContactsRow) -> ContactsCursor {
        ContactsCursor(sort: sort, type: row.type, name: row.name, serviceID: row.serviceID)
    }

    /// The SQL of the rows strictly after (or before, when `backward`) `cursor` in display
    /// order, nearest first.
    func rowsSQL(from cursor: ContactsCursor?, backward: Bool) -> (sql: String, arguments: StatementArguments) {
        let ascending = descending == backward
        var conditions = filters
        var arguments = filterArguments
        if let cursor {
            let comparison = ascending ? ">" : "<"
            if !ordersByType {
                conditions.append("(m.service_name, m.service_id) \(comparison) (?, ?)")
                arguments += [cursor.name, cursor.serviceID]
            } else {
                conditions.append("""
                    (m.type_position, m.service_name, m.service_id) \(comparison) \
                    ((SELECT position FROM service_type WHERE code = ?), ?, ?)
                    """)
                arguments += [cursor.type?.rawValue, cursor.name, cursor.serviceID]
            }
        }
        let order = ascending ? "ASC" : "DESC"
        let orderBy = ordersByType
            ? "m.type_position \(order), m.service_name \(order), m.service_id \(order)"
            : "m.service_name \(order), m.service_id \(order)"
        let sql = """
            SELECT m.service_id, m.is_admin, m.is_tech, m.is_billing, s.name, s.type,
                   s.admin_id, aa.display_name, s.tech_id, ta.display_name, s.billing_id, ba.display_name
            \(Self.joins)
            WHERE \(conditions.joined(separator: " AND "))
            ORDER BY \(orderBy)
            LIMIT ?
            """
        return (sql, arguments)
    }

    func fetch(_ db: Database, from cursor: ContactsCursor?, backward: Bool, limit: Int) throws -> [ContactsRow] {
        var (sql, arguments) = rowsSQL(from: cursor, backward: backward)
        arguments += [limit]
        // Cached: a handful of SQL texts (per filter and sort combination), prepared once per connection.
        return try Row.fetchAll(db.cachedStatement(sql: sql), arguments: arguments).map { row in
            var myRoles: Set<Role> = []
            if row[1] as Bool { myRoles.insert(.administrative) }
            if row[2] as Bool { myRoles.insert(.technical) }
            if row[3] as Bool { myRoles.insert(.billing) }
            return ContactsRow(
                serviceID: row[0],
                name: row[4],
                type: ServiceType(rawValue: row[5]) ?? .domain,
                administrative: ContactSummary(id: CustomerID(trusted: row[6]), displayName: row[7]),
                technical: ContactSummary(id: CustomerID(trusted: row[8]), displayName: row[9]),
                billing: ContactSummary(id: CustomerID(trusted: row[10]), displayName: row[11]),
                myRoles: myRoles)
        }
    }

    func exists(_ db: Database, from cursor: ContactsCursor, backward: Bool) throws -> Bool {
        try !fetch(db, from: cursor, backward: backward, limit: 1).isEmpty
    }

    /// Whether a filter beyond the account is set: then the count is bounded.
    var isFiltered: Bool { filters.count > 1 }

    /// Without a filter the count is the account's stored one (`account_service_count`, kept by
    /// the membership's triggers), exact and one lookup. With a filter it reads the membership
    /// rows and stops after ``ContactsPage/filteredCountBound`` + 1 matches: a text filter reads
    /// the account's rows of the (clustered) membership table and a role filter its index range,
    /// which for a 50,000-service account was every request's largest cost (measured: 49x the
    /// small account's latency with a text filter).
    func countSQL() -> String {
        isFiltered
            ? "SELECT 1 FROM service_membership m WHERE \(filters.joined(separator: " AND ")) LIMIT \(ContactsPage.filteredCountBound + 1)"
            : "SELECT coalesce((SELECT services FROM account_service_count WHERE account_id = ?), 0)"
    }

    /// The count and whether it stopped at the bound (then it is the bound itself).
    func count(_ db: Database) throws -> (Int, Bool) {
        let statement = try db.cachedStatement(sql: countSQL())
        guard isFiltered else { return (try Int.fetchOne(statement, arguments: filterArguments) ?? 0, false) }
        var counted = 0
        let matches = try Int.fetchCursor(statement, arguments: filterArguments)
        while try matches.next() != nil { counted += 1 }
        return counted > ContactsPage.filteredCountBound ? (ContactsPage.filteredCountBound, true) : (counted, false)
    }
}
