import ContactsDomain
import Foundation
import Testing

private func id(_ text: String) -> CustomerID { try! CustomerID(parsing: text) }

private let reseller = id("re1-ovh")
private let oldTech = id("ot2-ovh")
private let otherTech = id("ox3-ovh")
private let newTech = id("nt4-ovh")
private let billing = id("bi5-ovh")
private let stranger = id("st6-ovh")

private func account(_ customerID: CustomerID, _ status: PaymentStatus = .upToDate) -> Account {
    Account(id: customerID, displayName: "x", email: EmailAddress(trusted: "x@example.test"), language: .pl, paymentStatus: status)
}

private let accounts = Dictionary(uniqueKeysWithValues: [reseller, oldTech, otherTech, newTech, billing, stranger].map { ($0, account($0)) })

/// A service the reseller administers, with `technical` as its technical contact.
private func service(_ serviceID: Int64, admin: CustomerID = reseller, technical: CustomerID = oldTech, billing: CustomerID = billing,
                     open: [Role: Int64] = [:]) -> BulkServiceFacts {
    BulkServiceFacts(serviceID: serviceID, holders: RoleHolders(administrative: admin, technical: technical, billing: billing), openRequests: open)
}

@Suite struct BulkChangePlannerTests {
    @Test func thousandsOfServicesWithOneHolderMakeOneRequestConfirmedOnceByEach() throws {
        let services = (1...2_000).map { service(Int64($0)) }
        let plan = try BulkChangePlanner.plan(requester: reseller, changes: [.technical: newTech], services: services, accounts: accounts).get()
        #expect(plan.requests.count == 1)
        let request = try #require(plan.requests.first)
        #expect(request.from == oldTech && request.to == newTech)
        #expect(request.confirmers == [reseller, newTech])
        #expect(request.services.count == 2_000)
        #expect(request.services.first?.serviceID == 1 && request.services.last?.serviceID == 2_000)
        #expect(plan.coveredServices == [.technical: 2_000])
        #expect(plan.leftOut.isEmpty)
    }

    @Test func servicesWithDifferentHoldersMakeOneRequestPerPair() throws {
        let services = [service(1), service(2, technical: otherTech), service(3)]
        let plan = try BulkChangePlanner.plan(requester: reseller, changes: [.technical: newTech], services: services, accounts: accounts).get()
        #expect(plan.requests.map(\.from) == [oldTech, otherTech])
        #expect(plan.requests.map { $0.services.map(\.serviceID) } == [[1, 3], [2]])
    }

    @Test func twoRolesToOneAccountFromOneHolderAreOneRequestCoveringBoth() throws {
        // Service 1: technical and billing both held by oldTech; service 2: billing elsewhere.
        let services = [service(1, billing: oldTech), service(2)]
        let plan = try BulkChangePlanner.plan(
            requester: reseller, changes: [.technical: newTech, .billing: newTech], services: services, accounts: accounts).get()
        #expect(plan.requests.count == 2)
        let fromOldTech = try #require(plan.requests.first { $0.from == oldTech })
        #expect(fromOldTech.services.map(\.serviceID) == [1, 2])
        #expect(fromOldTech.services.first?.roles == [.technical, .billing])
        #expect(fromOldTech.services.last?.roles == [.technical])
        #expect(fromOldTech.roles == [.technical, .billing])
        let fromBilling = try #require(plan.requests.first { $0.from == billing })
        #expect(fromBilling.services.map(\.serviceID) == [2])
        #expect(plan.coveredServices == [.technical: 2, .billing: 2])
    }

    @Test func takingARoleBackNeedsOnlyTheRequestersConfirmation() throws {
        let plan = try BulkChangePlanner.plan(
            requester: reseller, changes: [.technical: reseller], services: [service(1), service(2)], accounts: accounts).get()
        #expect(plan.requests.map(\.confirmers) == [[reseller]])
    }

    @Test func eachReasonAServiceIsLeftOutIsCountedAndListed() throws {
        let overdueAccounts = accounts.merging([billing: account(billing, .overdue)]) { $1 }
        let services = [
            service(1),                                       // changes
            service(2, admin: stranger),                      // no right: the reseller holds nothing here
            service(3, technical: newTech),                   // no change: already the new contact
            service(4, open: [.technical: 77]),               // a request is open
        ]
        let plan = try BulkChangePlanner.plan(
            requester: reseller, changes: [.technical: newTech, .billing: newTech], services: services, accounts: overdueAccounts).get()
        #expect(plan.coveredServices == [.technical: 1])
        #expect(plan.leftOut.contains(BulkLeftOut(serviceID: 2, role: .technical, reason: .noRight)))
        #expect(plan.leftOut.contains(BulkLeftOut(serviceID: 3, role: .technical, reason: .noChange)))
        #expect(plan.leftOut.contains(BulkLeftOut(serviceID: 4, role: .technical, reason: .openRequest, openRequestID: 77)))
        // The old billing contact is behind with payments: billing is left out everywhere the
        // reseller could change it.
        #expect(plan.leftOut.filter { $0.role == .billing }.map(\.reason) == [.paymentRule, .noRight, .paymentRule, .paymentRule])
        #expect(plan.leftOutCounts[.technical] == [.noRight: 1, .noChange: 1, .openRequest: 1])
        #expect(plan.leftOutCounts[.billing] == [.paymentRule: 3, .noRight: 1])
    }

    @Test func aTechnicalContactMayHandOnOnlyItsOwnRoleInBulk() throws {
        // oldTech is the technical contact of both; it asks for billing too.
        let plan = try BulkChangePlanner.plan(
            requester: oldTech, changes: [.technical: newTech, .billing: newTech],
            services: [service(1), service(2)], accounts: accounts).get()
        #expect(plan.coveredServices == [.technical: 2])
        #expect(plan.leftOutCounts[.billing] == [.noRight: 2])
        #expect(plan.requests.map(\.confirmers) == [[oldTech, newTech]])
    }

    @Test func whatCannotBePlannedAtAllIsRefusedWhole() {
        #expect(BulkChangePlanner.plan(requester: reseller, changes: [:], services: [service(1)], accounts: accounts)
            == .failure(.nothingAsked))
        #expect(BulkChangePlanner.plan(requester: reseller, changes: [.technical: newTech], services: [], accounts: accounts)
            == .failure(.nothingAsked))
        let unknown = id("zz9-ovh")
        #expect(BulkChangePlanner.plan(requester: reseller, changes: [.technical: unknown], services: [service(1)], accounts: accounts)
            == .failure(.unknownAccount(.technical)))
    }

    @Test func aSelectionWithTooManyDistinctHoldersIsRefusedWithTheCount() {
        var holders: [CustomerID] = []
        var known = accounts
        for number in 1...5 {
            let holder = id("ho\(number)-ovh")
            holders.append(holder)
            known[holder] = account(holder)
        }
        let services = holders.enumerated().map { service(Int64($0.offset + 1), technical: $0.element) }
        #expect(BulkChangePlanner.plan(requester: reseller, changes: [.technical: newTech], services: services, accounts: known, maximumRequests: 4)
            == .failure(.tooManyRequests(count: 5, maximum: 4)))
        #expect((try? BulkChangePlanner.plan(requester: reseller, changes: [.technical: newTech], services: services, accounts: known,
                                              maximumRequests: 5).get())?.requests.count == 5)
    }

    @Test func planningAgainOverChangedServicesGivesADifferentPlan() throws {
        let before = try BulkChangePlanner.plan(
            requester: reseller, changes: [.technical: newTech], services: [service(1), service(2)], accounts: accounts).get()
        let same = try BulkChangePlanner.plan(
            requester: reseller, changes: [.technical: newTech], services: [service(1), service(2)], accounts: accounts).get()
        let after = try BulkChangePlanner.plan(
            requester: reseller, changes: [.technical: newTech], services: [service(1), service(2, open: [.technical: 9])], accounts: accounts).get()
        #expect(before == same)
        #expect(before != after)
    }

    // MARK: taking effect

    @Test func atTakeEffectServicesWhoseRulesNoLongerHoldStayAndTheRestChange() throws {
        let plan = try BulkChangePlanner.plan(
            requester: reseller, changes: [.technical: newTech, .billing: newTech],
            services: [service(1, billing: oldTech), service(2, billing: oldTech), service(3, billing: oldTech), service(4, billing: oldTech)],
            accounts: accounts).get()
        let request = try #require(plan.requests.first)
        let now: [Int64: RoleHolders] = [
            1: RoleHolders(administrative: reseller, technical: oldTech, billing: oldTech),     // unchanged: changes
            2: RoleHolders(administrative: reseller, technical: otherTech, billing: oldTech),   // technical moved meanwhile
            3: RoleHolders(administrative: stranger, technical: oldTech, billing: oldTech),     // the reseller handed its admin role on
            // 4: the service is gone
        ]
        let overdue = accounts.merging([newTech: account(newTech, .overdue)]) { $1 }
        let effect = BulkChangePlanner.takeEffect(request, holders: now, accounts: accounts)
        #expect(effect.changes.map(\.serviceID) == [1])
        #expect(effect.changes.first?.roles == [.technical, .billing])
        #expect(effect.failed.map(\.serviceID) == [2, 3, 4])
        #expect(effect.failed.allSatisfy { $0.reason == .holdersChanged })
        #expect(effect.state == .done)

        // The new billing contact fell behind with payments: no service can change whole.
        let blocked = BulkChangePlanner.takeEffect(request, holders: now, accounts: overdue)
        #expect(blocked.changes.isEmpty)
        #expect(blocked.failed.first?.reason == .paymentOverdue)
        #expect(blocked.state == .failed)
    }
}
