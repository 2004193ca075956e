import ContactsDomain
import Foundation
import Testing

private func id(_ text: String) -> CustomerID { try! CustomerID(parsing: text) }

private let admin = id("ad1-ovh")
private let tech = id("te2-ovh")
private let billing = id("bi3-ovh")
private let newcomer = id("ne4-ovh")
private let stranger = id("st5-ovh")
private let holders = RoleHolders(administrative: admin, technical: tech, billing: billing)

@Suite struct ChangeRulesTests {
    // MARK: every row of SPEC's permission table

    @Test func anAdministratorSetsANewTechnicalAndBillingContactConfirmedByItselfAndTheNewContact() throws {
        let plan = try ChangeRules.plan(requester: admin, holders: holders, changes: [.technical: newcomer]).get()
        #expect(plan == [PlannedChange(roles: [.technical], from: tech, to: newcomer, requester: admin)])
        #expect(plan[0].confirmers == [admin, newcomer])

        let billingPlan = try ChangeRules.plan(requester: admin, holders: holders, changes: [.billing: newcomer]).get()
        #expect(billingPlan.map(\.confirmers) == [[admin, newcomer]])
        #expect(billingPlan.map(\.from) == [billing])
    }

    @Test func anAdministratorTakesRolesBackForItselfConfirmedByItselfOnly() throws {
        let plan = try ChangeRules.plan(requester: admin, holders: holders, changes: [.technical: admin, .billing: admin]).get()
        #expect(plan.count == 2)
        #expect(plan.allSatisfy { $0.confirmers == [admin] && $0.to == admin })
        #expect(Set(plan.map(\.from)) == [tech, billing])
    }

    @Test func anAdministratorHandsTheAdministrativeRoleOn() throws {
        let plan = try ChangeRules.plan(requester: admin, holders: holders, changes: [.administrative: newcomer]).get()
        #expect(plan == [PlannedChange(roles: [.administrative], from: admin, to: newcomer, requester: admin)])
        #expect(plan[0].confirmers == [admin, newcomer])
    }

    @Test func aTechnicalContactHandsItsRoleOnButNothingElse() throws {
        let plan = try ChangeRules.plan(requester: tech, holders: holders, changes: [.technical: newcomer]).get()
        #expect(plan.map(\.confirmers) == [[tech, newcomer]])
        #expect(ChangeRules.changeableRoles(of: tech, holders: holders) == [.technical])
        for role in [Role.administrative, .billing] {
            let refused = ChangeRules.plan(requester: tech, holders: holders, changes: [role: newcomer])
            #expect(refused == .failure(.init(byRole: [role: .notAllowed])))
        }
    }

    @Test func aBillingContactHandsItsRoleOnButNothingElse() throws {
        let plan = try ChangeRules.plan(requester: billing, holders: holders, changes: [.billing: newcomer]).get()
        #expect(plan.map(\.confirmers) == [[billing, newcomer]])
        #expect(ChangeRules.changeableRoles(of: billing, holders: holders) == [.billing])
        for role in [Role.administrative, .technical] {
            #expect(ChangeRules.plan(requester: billing, holders: holders, changes: [role: newcomer]) == .failure(.init(byRole: [role: .notAllowed])))
        }
    }

    @Test func anAccountWithoutARoleMayChangeNothing() {
        #expect(ChangeRules.changeableRoles(of: stranger, holders: holders).isEmpty)
        for role in Role.allCases {
            #expect(ChangeRules.plan(requester: stranger, holders: holders, changes: [role: newcomer]) == .failure(.init(byRole: [role: .notAllowed])))
        }
    }

    @Test func anAdministratorMayChangeEveryRole() {
        #expect(ChangeRules.changeableRoles(of: admin, holders: holders) == Set(Role.allCases))
    }

    // MARK: several roles, one submission

    @Test func rolesHeldTogetherAreUnited() throws {
        let techAndBilling = RoleHolders(administrative: admin, technical: tech, billing: tech)
        #expect(ChangeRules.changeableRoles(of: tech, holders: techAndBilling) == [.technical, .billing])
        let plan = try ChangeRules.plan(requester: tech, holders: techAndBilling, changes: [.technical: newcomer, .billing: newcomer]).get()
        // Same old and new account: one request covering both roles.
        #expect(plan == [PlannedChange(roles: [.technical, .billing], from: tech, to: newcomer, requester: tech)])
    }

    @Test func oneSubmissionMakesOneRequestPerPairOfAccounts() throws {
        let plan = try ChangeRules.plan(
            requester: admin, holders: holders,
            changes: [.technical: newcomer, .billing: newcomer, .administrative: stranger]
        ).get()
        #expect(plan.count == 3)  // (admin→stranger), (tech→newcomer), (billing→newcomer)
        let sameNewcomer = RoleHolders(administrative: admin, technical: tech, billing: tech)
        let merged = try ChangeRules.plan(requester: admin, holders: sameNewcomer, changes: [.technical: newcomer, .billing: newcomer]).get()
        #expect(merged.count == 1)
        #expect(merged[0].roles == [.technical, .billing])
    }

    @Test func settingARoleToItsHolderIsNoChange() {
        #expect(ChangeRules.plan(requester: admin, holders: holders, changes: [.technical: tech]) == .failure(.init(byRole: [.technical: .noChange])))
        #expect(ChangeRules.plan(requester: admin, holders: holders, changes: [.administrative: admin]) == .failure(.init(byRole: [.administrative: .noChange])))
    }

    @Test func oneBadRoleRefusesTheWholeSubmission() {
        let result = ChangeRules.plan(requester: admin, holders: holders, changes: [.technical: tech, .billing: newcomer])
        #expect(result == .failure(.init(byRole: [.technical: .noChange])))
    }
}

@Suite struct PaymentRuleTests {
    func account(_ customerID: CustomerID, _ status: PaymentStatus) -> Account {
        Account(id: customerID, displayName: "x", email: EmailAddress(trusted: "x@example.test"), language: .pl, paymentStatus: status)
    }

    @Test func bothBillingContactsMustBeUpToDate() {
        #expect(PaymentRule.blockers(oldBilling: account(billing, .upToDate), newBilling: account(newcomer, .upToDate)).isEmpty)
        #expect(PaymentRule.blockers(oldBilling: account(billing, .overdue), newBilling: account(newcomer, .upToDate)).map(\.id) == [billing])
        #expect(PaymentRule.blockers(oldBilling: account(billing, .upToDate), newBilling: account(newcomer, .overdue)).map(\.id) == [newcomer])
        #expect(PaymentRule.blockers(oldBilling: account(billing, .overdue), newBilling: account(newcomer, .overdue)).map(\.id) == [billing, newcomer])
        #expect(PaymentRule.blockers(oldBilling: account(billing, .overdue), newBilling: account(billing, .overdue)).map(\.id) == [billing])
    }
}

@Suite struct AskableRolesTests {
    @Test func whatTheContactsTableOffersToChange() {
        #expect(ChangeRules.askableRoles(myRoles: [.administrative], openRoles: [.technical], requesterPayment: .upToDate)
            == [.administrative, .billing])
        #expect(ChangeRules.askableRoles(myRoles: [.technical], openRoles: [.technical], requesterPayment: .upToDate).isEmpty)
        #expect(ChangeRules.askableRoles(myRoles: [.billing], openRoles: [], requesterPayment: .overdue).isEmpty)
        #expect(ChangeRules.askableRoles(myRoles: [.billing], openRoles: [], requesterPayment: .upToDate) == [.billing])
        // An overdue administrator that is also the billing contact may still change the rest
        #expect(ChangeRules.askableRoles(myRoles: [.administrative, .billing], openRoles: [], requesterPayment: .overdue)
            == [.administrative, .technical])
    }
}

@Suite struct RevealingAnswersTests {
    private func overdue(_ id: CustomerID) -> Account {
        Account(id: id, displayName: "x", email: EmailAddress(trusted: "x@example.com"), language: .pl, paymentStatus: .overdue)
    }

    @Test func onlyAnswersAboutOtherAccountsAreCounted() {
        func reveals(_ problems: [Role: ChangeRules.Problem]) -> Bool {
            ChangeRules.revealsOtherAccounts(.init(byRole: problems), requester: admin, holders: holders)
        }
        #expect(reveals([.technical: .unknownAccount]))
        #expect(reveals([.billing: .paymentBlocked([overdue(newcomer)])]))
        // The service's own contacts and the requester are no secret to it
        #expect(!reveals([.billing: .paymentBlocked([overdue(billing)])]))
        #expect(!reveals([.technical: .noChange, .billing: .notAllowed, .administrative: .openRequest(id: 3)]))
    }
}
