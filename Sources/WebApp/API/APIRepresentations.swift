import ContactsDomain
import ContactsStore
import Foundation
import HTTPCore

// How the API names the domain's values (docs/API.md "Vocabulary", after OVH's
// `/me/task/contactChange`) and the JSON values of docs/openapi.json's schemas, as Foundation
// values for `JSONText`.

extension Role {
    /// `contactAdmin`, `contactTech`, `contactBilling`.
    var contactType: String {
        switch self {
        case .administrative: "contactAdmin"
        case .technical: "contactTech"
        case .billing: "contactBilling"
        }
    }

    init?(contactType: String) {
        guard let role = Role.allCases.first(where: { $0.contactType == contactType }) else { return nil }
        self = role
    }
}

extension RequestState {
    /// OVH's task states: `validatingByCustomers`, `done`, `refused`, `expired`, `aborted`, `error`.
    var taskState: String {
        switch self {
        case .waiting: "validatingByCustomers"
        case .done: "done"
        case .refused: "refused"
        case .expired: "expired"
        case .cancelled: "aborted"
        case .failed: "error"
        }
    }

    init?(taskState: String) {
        guard let state = RequestState.allCases.first(where: { $0.taskState == taskState }) else { return nil }
        self = state
    }
}

enum APIJSON {
    /// RFC 3339 in UTC, to the second.
    static func time(_ date: Date) -> String {
        date.formatted(.iso8601)
    }

    static func optionalTime(_ date: Date?) -> Any {
        date.map(time) ?? NSNull()
    }

    static func contact(_ id: CustomerID, name: String) -> [String: Any] {
        ["account": id.rawValue, "name": name]
    }

    static func contactTypes(_ roles: some Sequence<Role>) -> [String] {
        roles.sorted().map(\.contactType)
    }

    /// A row of the contacts table.
    static func service(_ row: ContactsRow) -> [String: Any] {
        [
            "id": row.serviceID, "name": row.name, "type": row.type.rawValue,
            "contactAdmin": contact(row.administrative.id, name: row.administrative.displayName),
            "contactTech": contact(row.technical.id, name: row.technical.displayName),
            "contactBilling": contact(row.billing.id, name: row.billing.displayName),
            "myContactTypes": contactTypes(row.myRoles),
        ]
    }

    /// One service as the edit page reads it, with the open requests on its roles.
    static func service(_ state: Application.EditState, me: CustomerID) -> [String: Any] {
        func holder(_ role: Role) -> [String: Any] {
            let id = state.holders[role]
            return contact(id, name: state.facts.accounts[id]?.displayName ?? "")
        }
        return [
            "id": state.serviceID, "name": state.name, "type": state.type.rawValue,
            "contactAdmin": holder(.administrative), "contactTech": holder(.technical), "contactBilling": holder(.billing),
            "myContactTypes": contactTypes(state.holders.roles(of: me)),
            "openContactChanges": Set(state.facts.openRequests.values).sorted(),
        ]
    }

    /// A request with its confirmations and history. One request covers one service so far.
    static func contactChange(_ request: RequestSnapshot) -> [String: Any] {
        var value: [String: Any] = [
            "id": request.id,
            "state": request.state.taskState,
            "askingAccount": request.requester.id.rawValue,
            "fromAccount": request.from.id.rawValue,
            "toAccount": request.to.id.rawValue,
            "contactTypes": contactTypes(request.roles),
            "services": 1,
            "serviceDomain": request.serviceName,
            "dateRequest": time(request.requestedAt),
            "dateDone": optionalTime(request.decidedAt),
            "expiresAt": time(request.expiresAt),
            "confirmations": request.confirmations.map { confirmation in
                [
                    "account": confirmation.confirmer.id.rawValue,
                    "accepted": confirmation.acceptedAt != nil,
                    "acceptedAt": optionalTime(confirmation.acceptedAt),
                ] as [String: Any]
            },
            "history": request.events.map { event in
                ["at": time(event.at), "kind": event.kind, "account": event.actor.map { $0.rawValue as Any } ?? NSNull()] as [String: Any]
            },
        ]
        if request.state == .done { value["failedServices"] = 0 }
        return value
    }

    /// The service a request covers, with what became of it once the request has ended.
    static func contactChangeService(_ request: RequestSnapshot) -> [String: Any] {
        let outcome: Any = switch (request.state, request.failure) {
        case (.done, _): "changed"
        case (.failed, .holdersChanged): "holdersChanged"
        case (.failed, .paymentOverdue): "paymentRule"
        default: NSNull()
        }
        return [
            "serviceId": request.serviceID, "name": request.serviceName,
            "contactTypes": contactTypes(request.roles), "outcome": outcome,
        ]
    }

    /// A page of items and where the next one starts.
    static func page(_ items: [[String: Any]], next: String?) -> [UInt8] {
        JSONText.object([("items", items), ("next", next.map { $0 as Any } ?? NSNull())])
    }
}
