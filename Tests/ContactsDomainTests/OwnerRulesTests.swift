import ContactsDomain
import Testing

@Suite struct OwnerRulesTests {
    let admin = CustomerID(trusted: "aa1-ovh")
    let tech = CustomerID(trusted: "bb2-ovh")
    let billing = CustomerID(trusted: "cc3-ovh")
    let stranger = CustomerID(trusted: "dd4-ovh")
    var holders: RoleHolders { RoleHolders(administrative: admin, technical: tech, billing: billing) }

    static let current = OwnerContactDetails(
        street: "ul. Długa 45", postalCode: PostalCode(trusted: "80-827"), city: "Gdańsk", country: .poland,
        phone: PhoneNumber(trusted: "+48601234567"), email: EmailAddress(trusted: "anna@example.pl"))

    var facts: OwnerRules.UpdateFacts {
        OwnerRules.UpdateFacts(
            holders: holders, owner: OwnerDetails(name: "Anna Kowalska", organisation: nil, contact: Self.current), revision: 3)
    }

    static let goodForm: OwnerRules.Form = [
        .street: "ul. Floriańska 15", .postalCode: "31019", .city: "Kraków", .phone: "22 628 12 34", .email: "anna@example.com",
    ]

    // MARK: Who

    @Test func everyContactSeesTheDetailsAndNobodyElse() {
        for account in [admin, tech, billing] { #expect(OwnerRules.canView(account, holders: holders)) }
        #expect(!OwnerRules.canView(stranger, holders: holders))
    }

    @Test func onlyTheAdministrativeContactUpdates() {
        #expect(OwnerRules.canUpdate(admin, holders: holders))
        for account in [tech, billing, stranger] { #expect(!OwnerRules.canUpdate(account, holders: holders)) }
    }

    @Test func anAccountHoldingTechnicalAndBillingStillMayNotUpdate() {
        let shared = RoleHolders(administrative: admin, technical: tech, billing: tech)
        #expect(!OwnerRules.canUpdate(tech, holders: shared))
        #expect(OwnerRules.canView(tech, holders: shared))
    }

    // MARK: Validation

    @Test func aGoodFormIsNormalized() throws {
        let details = try OwnerRules.validate(Self.goodForm, country: .poland).get()
        #expect(details.postalCode.rawValue == "31-019")
        #expect(details.phone.rawValue == "+48226281234")
        #expect(details.email.rawValue == "anna@example.com")
        #expect(details.country == .poland)
    }

    @Test func everyBadFieldIsNamed() {
        let form: OwnerRules.Form = [.street: "", .postalCode: "3101", .city: "Kra\u{200B}ków", .phone: "６０１", .email: "anna@"]
        guard case .failure(let problems) = OwnerRules.validate(form, country: .poland) else {
            Issue.record("accepted")
            return
        }
        #expect(problems.byField == [
            .street: .empty, .postalCode: .malformed, .city: .invalidCharacters, .phone: .malformed, .email: .malformed,
        ])
    }

    @Test func theCountryDecidesHowPostalCodesAreRead() {
        var form = Self.goodForm
        form[.postalCode] = "00184"
        form[.phone] = "06 1234 5678"
        #expect(throws: Never.self) { try OwnerRules.validate(form, country: .italy).get() }
        guard case .failure(let problems) = OwnerRules.validate(form, country: .portugal) else {
            Issue.record("accepted an Italian code in Portugal")
            return
        }
        #expect(problems.byField[.postalCode] == .malformed)
    }

    // MARK: Deciding an update

    @Test func anUpdateAppliesEverythingButTheEmailAtOnce() throws {
        let proposed = try OwnerRules.validate(Self.goodForm, country: .poland).get()
        let decision = try OwnerRules.decideUpdate(requester: admin, proposed: proposed, previewedRevision: 3, facts: facts).get()
        #expect(decision.changedFields == [.street, .postalCode, .city, .phone, .email])
        #expect(decision.pendingEmail == EmailAddress(trusted: "anna@example.com"))
        #expect(decision.applied.email == Self.current.email)
        #expect(decision.applied.street == "ul. Floriańska 15")
    }

    @Test func anUpdateWithoutANewEmailHasNothingPending() throws {
        var proposed = Self.current
        proposed.phone = PhoneNumber(trusted: "+48226281234")
        let decision = try OwnerRules.decideUpdate(requester: admin, proposed: proposed, previewedRevision: 3, facts: facts).get()
        #expect(decision.changedFields == [.phone])
        #expect(decision.pendingEmail == nil)
        #expect(decision.applied == proposed)
    }

    @Test func theOwnerAndEachContactOnceAreTold() throws {
        var shared = facts
        shared.holders = RoleHolders(administrative: admin, technical: admin, billing: billing)
        var proposed = Self.current
        proposed.city = "Sopot"
        let decision = try OwnerRules.decideUpdate(requester: admin, proposed: proposed, previewedRevision: 3, facts: shared).get()
        #expect(decision.recipients == [.owner(Self.current.email, .pl), .contact(admin), .contact(billing)])
    }

    @Test func theOwnerIsWrittenToInItsCountrysLanguage() {
        for (country, language) in [(Country.poland, Language.pl), (.portugal, .pt), (.italy, .it)] {
            var italian = facts
            italian.owner.contact.country = country
            #expect(OwnerRules.recipients(italian).first == .owner(Self.current.email, language))
        }
    }

    @Test(arguments: [("bb2-ovh", 3), ("cc3-ovh", 3), ("dd4-ovh", 3)])
    func othersAreRefused(requester: String, revision: Int) {
        var proposed = Self.current
        proposed.city = "Sopot"
        let result = OwnerRules.decideUpdate(
            requester: CustomerID(trusted: requester), proposed: proposed, previewedRevision: revision, facts: facts)
        #expect(result == .failure(.notAllowed))
    }

    @Test func aStalePreviewIsNotApplied() {
        var proposed = Self.current
        proposed.city = "Sopot"
        #expect(OwnerRules.decideUpdate(requester: admin, proposed: proposed, previewedRevision: 2, facts: facts) == .failure(.stale))
    }

    @Test func theSameDetailsAreNoChange() {
        #expect(OwnerRules.decideUpdate(requester: admin, proposed: Self.current, previewedRevision: 3, facts: facts) == .failure(.noChange))
    }

    // MARK: The link to a new address

    @Test func aLinkWorksOncePendingAndInTime() {
        #expect((try? OwnerRules.checkLink(isPending: true, expiresAt: 100, now: 99).get()) != nil)
        #expect(OwnerRules.checkLink(isPending: true, expiresAt: 100, now: 100).failure == .expired)
        #expect(OwnerRules.checkLink(isPending: false, expiresAt: 100, now: 50).failure == .used)
    }
}

extension Result {
    var failure: Failure? {
        if case .failure(let failure) = self { return failure }
        return nil
    }
}
