import ContactsDomain
import Testing

@Suite struct PhoneNumberTests {
    @Test(arguments: [
        ("+48 601 234 567", Country.poland, "+48601234567"),
        ("601 234 567", .poland, "+48601234567"),
        ("601-234-567", .poland, "+48601234567"),
        ("(22) 628 12 34", .poland, "+48226281234"),
        ("0048601234567", .poland, "+48601234567"),
        ("  +48601234567 ", .poland, "+48601234567"),
        ("912 345 678", .portugal, "+351912345678"),
        ("+351 213 456 789", .portugal, "+351213456789"),
        ("+39 06 1234 5678", .italy, "+390612345678"),
        ("06 1234 5678", .italy, "+390612345678"),
        ("347 123 4567", .italy, "+393471234567"),
        ("02.1234.5678", .italy, "+390212345678"),
        // A number of another of the three countries, written internationally.
        ("+351 912 345 678", .poland, "+351912345678"),
        // Any other country: E.164 alone.
        ("+44 20 7946 0958", .italy, "+442079460958"),
    ])
    func acceptsTheCountrysUsualWriting(input: String, country: Country, e164: String) throws {
        #expect(try PhoneNumber(parsing: input, country: country).rawValue == e164)
    }

    @Test(arguments: [
        ("601 234 56", Country.poland),       // eight digits
        ("601 234 5678", .poland),            // ten digits
        ("012 345 678", .poland),             // national number starting with 0
        ("812 345 678", .portugal),           // not a Portuguese fixed or mobile prefix
        ("91 234 567", .portugal),            // eight digits
        ("+39 5 1234 5678", .italy),          // neither 0 nor 3 after +39
        ("347 12", .italy),
        ("+1", .poland),
        ("+0 123 456 789", .poland),
    ])
    func refusesWrongLengthsAndPrefixes(input: String, country: Country) {
        #expect(throws: PhoneNumberError.wrongLength) { try PhoneNumber(parsing: input, country: country) }
    }

    @Test(arguments: [
        "６０１ 234 567",          // full-width digits
        "601 234 567\u{200B}",    // zero-width space
        "\u{202E}601 234 567",    // right-to-left override
        "601\u{00A0}234 567",     // non-breaking space
        "٦٠١ ٢٣٤ ٥٦٧",            // Arabic-Indic digits
        "601 234 567 ext 2",
        "48+601234567",           // + not first
        "601/234/567",
        "601 234 567\n+48 1",
    ])
    func refusesLookAlikesAndInvisibleCharacters(_ input: String) {
        #expect(throws: PhoneNumberError.malformed) { try PhoneNumber(parsing: input, country: .poland) }
    }

    @Test func refusesEmptyAndOverlong() {
        #expect(throws: PhoneNumberError.empty) { try PhoneNumber(parsing: "  ", country: .poland) }
        #expect(throws: PhoneNumberError.malformed) {
            try PhoneNumber(parsing: String(repeating: "1 ", count: 20), country: .poland)
        }
    }
}

@Suite struct PostalCodeTests {
    @Test(arguments: [
        ("00-950", Country.poland, "00-950"),
        ("00950", .poland, "00-950"),
        (" 31-019 ", .poland, "31-019"),
        ("1100-148", .portugal, "1100-148"),
        ("1100148", .portugal, "1100-148"),
        ("00184", .italy, "00184"),
    ])
    func acceptsTheCountrysForm(input: String, country: Country, stored: String) throws {
        #expect(try PostalCode(parsing: input, country: country).rawValue == stored)
    }

    @Test(arguments: [
        ("0-0950", Country.poland), ("00-95", .poland), ("00 950", .poland), ("00–950", .poland), ("ab-cde", .poland),
        ("1100-14", .portugal), ("110-0148", .portugal), ("1100", .portugal), ("1100-148-1", .portugal),
        ("0018", .italy), ("001840", .italy), ("00-184", .italy), ("I-00184", .italy),
        ("００１８４", .italy), ("00184\u{200B}", .italy), ("\u{202E}00184", .italy), ("00-950\u{00A0}", .poland),
    ])
    func refusesOtherForms(input: String, country: Country) {
        #expect(throws: PostalCodeError.malformed) { try PostalCode(parsing: input, country: country) }
    }

    @Test func refusesEmpty() {
        #expect(throws: PostalCodeError.empty) { try PostalCode(parsing: " \t", country: .italy) }
    }
}

@Suite struct AddressTextTests {
    @Test(arguments: ["ul. Żółkiewskiego 3/5", "Rua Conceição 1, 2.º Esq.", "Via dell'Olmo 7", "Łódź"])
    func acceptsAnyScript(_ input: String) throws {
        #expect(try AddressText.parse(input) == input)
    }

    @Test(arguments: ["ul. Długa\u{200B} 1", "\u{202E}Via Roma", "Rua\nAugusta", "Via\u{0007}Roma", "ul.\u{2028}Długa", "Roma\u{FEFF}"])
    func refusesControlAndInvisibleCharacters(_ input: String) {
        #expect(throws: AddressTextError.invalidCharacters) { try AddressText.parse(input) }
    }

    @Test func refusesEmptyAndTooLong() throws {
        #expect(throws: AddressTextError.empty) { try AddressText.parse("   ") }
        #expect(throws: AddressTextError.tooLong) { try AddressText.parse(String(repeating: "a", count: 201)) }
        #expect(try AddressText.parse(String(repeating: "ż", count: 200)).count == 200)
    }
}
