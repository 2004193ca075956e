import ContactsDomain
import Foundation

/// Plausible owners for the demo services: a person or a company in the service's country
/// (by its name's country domain, else by its administrative contact's language), with a local
/// address, postal code and phone number. Deterministic, so that every load looks the same.
enum DemoOwners {
    struct Place {
        let street: String
        let postalCode: String
        let city: String
    }

    static let places: [Country: [Place]] = [
        .poland: [
            Place(street: "ul. Marszałkowska 104/122", postalCode: "00-017", city: "Warszawa"),
            Place(street: "ul. Floriańska 15", postalCode: "31-019", city: "Kraków"),
            Place(street: "ul. Piotrkowska 86 m. 4", postalCode: "90-103", city: "Łódź"),
            Place(street: "ul. Długa 45", postalCode: "80-827", city: "Gdańsk"),
            Place(street: "ul. Świdnicka 8", postalCode: "50-068", city: "Wrocław"),
        ],
        .portugal: [
            Place(street: "Rua Augusta 25, 2.º Esq.", postalCode: "1100-048", city: "Lisboa"),
            Place(street: "Rua de Santa Catarina 112", postalCode: "4000-442", city: "Porto"),
            Place(street: "Avenida Central 45", postalCode: "4710-229", city: "Braga"),
            Place(street: "Rua Ferreira Borges 81", postalCode: "3000-180", city: "Coimbra"),
            Place(street: "Largo do Carmo 3", postalCode: "8000-148", city: "Faro"),
        ],
        .italy: [
            Place(street: "Via del Corso 101", postalCode: "00186", city: "Roma"),
            Place(street: "Corso Buenos Aires 33", postalCode: "20124", city: "Milano"),
            Place(street: "Via Toledo 256", postalCode: "80132", city: "Napoli"),
            Place(street: "Via dei Calzaiuoli 7", postalCode: "50122", city: "Firenze"),
            Place(street: "Via Garibaldi 12", postalCode: "10122", city: "Torino"),
        ],
    ]

    static let people: [Country: [String]] = [
        .poland: ["Anna Kowalska", "Piotr Zieliński", "Magdalena Wójcik", "Krzysztof Lewandowski", "Agnieszka Kamińska"],
        .portugal: ["Maria Santos", "Rui Ferreira", "Inês Rodrigues", "Pedro Almeida", "Beatriz Sousa"],
        .italy: ["Francesca Romano", "Luca Colombo", "Chiara Ricci", "Alessandro Greco", "Sara Marino"],
    ]

    static let companies: [Country: [String]] = [
        .poland: ["Kowalski Sklep sp. z o.o.", "Rowery Górskie s.c.", "Hostownia sp. z o.o."],
        .portugal: ["Padaria Lisboa, Lda.", "Loja do Bairro, Unipessoal Lda.", "Encomendas Rápidas, S.A."],
        .italy: ["Trattoria Roma S.r.l.", "Studio Fotografico Esposito S.n.c.", "Analisi Vendite S.p.A."],
    ]

    /// Phone numbers as people write them; parsed into E.164 like any other input.
    static func phone(_ country: Country, _ index: Int) -> String {
        let tail = String(format: "%03d %03d", (index * 37) % 1000, (index * 91 + 123) % 1000)
        return switch country {
        case .poland: index % 2 == 0 ? "+48 601 \(tail)" : "22 \(String(format: "%03d %02d %02d", index % 1000, index % 97, index % 89))"
        case .portugal: index % 2 == 0 ? "912 \(tail)" : "+351 213 \(tail)"
        case .italy: index % 2 == 0 ? "+39 347 \(tail)" : "06 \(String(format: "%04d %04d", index % 10_000, (index * 13) % 10_000))"
        }
    }

    static func country(serviceName: String, adminLanguage: Language) -> Country {
        if serviceName.hasSuffix(".pl") { return .poland }
        if serviceName.hasSuffix(".pt") { return .portugal }
        if serviceName.hasSuffix(".it") { return .italy }
        return switch adminLanguage {
        case .pl: .poland
        case .pt: .portugal
        case .it: .italy
        }
    }

    static func owner(index: Int, serviceName: String, adminLanguage: Language) throws -> OwnerDetails {
        let country = country(serviceName: serviceName, adminLanguage: adminLanguage)
        let place = places[country]![(index + index / 5) % 5]
        let isCompany = (index / 2) % 3 == 1
        let name = isCompany ? nil : people[country]![index % 5]
        let organisation = isCompany ? companies[country]![index % 3] : nil
        let local = (name ?? organisation ?? "owner").lowercased().folding(options: .diacriticInsensitive, locale: nil)
            .filter { $0.isASCII && ($0.isLetter || $0 == " ") }.split(separator: " ").prefix(2).joined(separator: ".")
        let form: OwnerRules.Form = [
            .street: place.street, .postalCode: place.postalCode, .city: place.city,
            .phone: phone(country, index), .email: "\(local).\(index)@example.\(country.rawValue.lowercased())",
        ]
        switch OwnerRules.validate(form, country: country) {
        case .success(let contact): return OwnerDetails(name: name, organisation: organisation, contact: contact)
        case .failure(let problems): throw OperatorError("demo owner \(index) is not valid: \(problems.byField)")
        }
    }
}
