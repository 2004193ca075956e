import ArgumentParser
import ContactsDomain
import ContactsStore
import Foundation

/// The owner's options, shared by `add-service` (all optional there) and `set-owner`.
struct OwnerOptions: ParsableArguments {
    @Option(name: .customLong("owner-name"), help: "The owner's name (a person); give it, --owner-organisation, or both.")
    var name: String?
    @Option(name: .customLong("owner-organisation"), help: "The owner's organisation.")
    var organisation: String?
    @Option(name: .customLong("owner-street"), help: "Street and number.")
    var street: String?
    @Option(name: .customLong("owner-postal-code"), help: "PL 00-000, PT 0000-000, IT 00000.")
    var postalCode: String?
    @Option(name: .customLong("owner-city"), help: "City.")
    var city: String?
    @Option(name: .customLong("owner-country"), help: "PL, PT or IT.")
    var country: String?
    @Option(name: .customLong("owner-phone"), help: "Phone, E.164 or as written in the country (+48 601 234 567).")
    var phone: String?
    @Option(name: .customLong("owner-email"), help: "The owner's email address.")
    var email: String?

    var isEmpty: Bool {
        [name, organisation, street, postalCode, city, country, phone, email].allSatisfy { $0 == nil }
    }

    /// The owner these options describe, read by the same rules as the web form.
    func details() throws -> OwnerDetails {
        guard let countryText = country, let country = Country(rawValue: countryText.uppercased()) else {
            throw ValidationError("--owner-country must be PL, PT or IT.")
        }
        func text(_ value: String?, _ option: String) throws -> String? {
            guard let value else { return nil }
            do { return try AddressText.parse(value) } catch {
                throw ValidationError("--\(option) must be 1 to 200 characters, without control or invisible characters.")
            }
        }
        let name = try text(name, "owner-name")
        let organisation = try text(organisation, "owner-organisation")
        guard name != nil || organisation != nil else {
            throw ValidationError("give --owner-name, --owner-organisation, or both.")
        }
        let form: OwnerRules.Form = [
            .street: street ?? "", .postalCode: postalCode ?? "", .city: city ?? "", .phone: phone ?? "", .email: email ?? "",
        ]
        switch OwnerRules.validate(form, country: country) {
        case .success(let contact):
            return OwnerDetails(name: name, organisation: organisation, contact: contact)
        case .failure(let problems):
            let options = problems.byField.keys.sorted().map { "--owner-\($0.rawValue.replacingOccurrences(of: "_", with: "-"))" }
            throw ValidationError("not valid for \(country.rawValue): \(options.joined(separator: ", ")) "
                + "(postal code PL 00-000, PT 0000-000, IT 00000; phone such as +48 601 234 567).")
        }
    }
}

struct SetOwner: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set-owner",
        abstract: "Set a service's owner (holder): name or organisation, postal address, phone and email.",
        discussion: "Applied at once, with a line in the service's history; any address waiting for its link is dropped.")

    @OptionGroup var options: DatabaseOptions
    @Option(help: "The service's ID.")
    var service: Int64
    @OptionGroup var owner: OwnerOptions

    func run() throws {
        let details = try owner.details()
        let database = try options.openEngine()
        do {
            try database.setOwner(details, ofService: service, now: Date())
        } catch let error as StoreError {
            throw error.explained()
        }
        print("Owner of service \(service): \(describe(details)).")
    }
}

func describe(_ owner: OwnerDetails) -> String {
    let contact = owner.contact
    let who = [owner.name, owner.organisation].compactMap { $0 }.joined(separator: ", ")
    return "\(who), \(contact.street), \(contact.postalCode) \(contact.city), \(contact.country.rawValue), "
        + "\(contact.phone), \(contact.email)"
}
