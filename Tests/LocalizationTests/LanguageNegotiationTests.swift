import ContactsDomain
import Localization
import Testing

struct LanguageNegotiationTests {
    private func fromHeader(_ header: String, default defaultLanguage: Language = .pl) -> Language {
        LanguageNegotiation.choose(explicit: nil, accountPreference: nil, acceptLanguage: header, defaultLanguage: defaultLanguage)
    }

    // MARK: Parsing

    @Test func parsesQualitiesHighestFirstKeepingOrderOfEqualOnes() {
        let ranges = LanguageNegotiation.parseAcceptLanguage("de;q=0.5, it-IT, fr;q=0.9, pl, en-GB;q=0.9")
        #expect(ranges.map(\.tag) == ["it-it", "pl", "fr", "en-gb", "de"])
        #expect(ranges.map(\.quality) == [1, 1, 0.9, 0.9, 0.5])
    }

    @Test func keepsRefusedRangesLast() {
        let ranges = LanguageNegotiation.parseAcceptLanguage("pl;q=0, it;q=0.1")
        #expect(ranges.map(\.tag) == ["it", "pl"])
        #expect(ranges.map(\.quality) == [0.1, 0])
    }

    @Test func acceptsWhitespaceAndCaseVariants() {
        let ranges = LanguageNegotiation.parseAcceptLanguage("  PT-br ;  Q=0.8 ,\tIT\t")
        #expect(ranges.map(\.tag) == ["it", "pt-br"])
        #expect(ranges.map(\.quality) == [1, 0.8])
    }

    @Test func skipsJunkWithoutFailing() {
        #expect(LanguageNegotiation.parseAcceptLanguage(";;;q=abc,,xx-").isEmpty)
        #expect(LanguageNegotiation.parseAcceptLanguage("").isEmpty)
        #expect(LanguageNegotiation.parseAcceptLanguage("pl;q=1.5, it;q=-1, pt;q=0.12345, 12, a_b, toolongtag1").isEmpty)
        let ranges = LanguageNegotiation.parseAcceptLanguage("é, pl;q=abc, it;q=0.3, 💥, -pt, pt;level=1")
        #expect(ranges.map(\.tag) == ["pt", "it"])
    }

    @Test func boundsTheWorkOnHugeHeaders() {
        let huge = String(repeating: "xx-yyyy;q=0.1, ", count: 7_000) // about 100 KB
        #expect(huge.utf8.count > 100_000)
        let ranges = LanguageNegotiation.parseAcceptLanguage(huge + "it")
        #expect(ranges.count <= LanguageNegotiation.maximumRanges)
        #expect(fromHeader(huge + "it") == .pl)
        #expect(fromHeader("pt;q=0.2, " + huge + "it") == .pt)
        let single = String(repeating: "a", count: 100_000)
        #expect(LanguageNegotiation.parseAcceptLanguage(single).isEmpty)
    }

    // MARK: Choosing from the header

    @Test func highestQualityOfTheProductsLanguagesWins() {
        #expect(fromHeader("pt-BR;q=0.9, it;q=0.8") == .pt)
        #expect(fromHeader("it;q=0.8, pt-BR;q=0.9") == .pt)
        #expect(fromHeader("en-US, en;q=0.9, it;q=0.7, pt;q=0.8") == .pt)
        #expect(fromHeader("de, fr, it") == .it)
        #expect(fromHeader("pl-PL,pl;q=0.9,en-US;q=0.8", default: .it) == .pl)
    }

    @Test func unknownLanguagesFallBackToTheDefault() {
        #expect(fromHeader("de-DE, en;q=0.5", default: .it) == .it)
        #expect(fromHeader("plx, ptt", default: .it) == .it)
    }

    @Test func wildcardMeansTheDefaultUnlessRefused() {
        #expect(fromHeader("de, *;q=0.5", default: .it) == .it)
        #expect(fromHeader("*;q=0.5, pt;q=0.6", default: .it) == .pt)
        #expect(fromHeader("it;q=0, *", default: .it) == .pl)
        #expect(fromHeader("it;q=0, pl;q=0, *", default: .it) == .pt)
    }

    @Test func zeroQualityIsNeverChosen() {
        #expect(fromHeader("pl;q=0", default: .it) == .it)
        #expect(fromHeader("it;q=0, pt;q=0.1", default: .it) == .pt)
        #expect(fromHeader("pt;q=0.000, pl;q=0.001", default: .it) == .pl)
    }

    // MARK: Precedence (SPEC: explicit, account preference, Accept-Language, default)

    @Test func explicitChoiceComesFirst() {
        let language = LanguageNegotiation.choose(explicit: "it", accountPreference: .pl, acceptLanguage: "pt", defaultLanguage: .pl)
        #expect(language == .it)
        #expect(LanguageNegotiation.choose(explicit: " PT ", accountPreference: .pl, acceptLanguage: "it", defaultLanguage: .pl) == .pt)
    }

    @Test func accountPreferenceBeatsTheHeader() {
        let language = LanguageNegotiation.choose(explicit: nil, accountPreference: .pt, acceptLanguage: "it, pl", defaultLanguage: .pl)
        #expect(language == .pt)
    }

    @Test func headerBeatsTheDefault() {
        #expect(LanguageNegotiation.choose(explicit: nil, accountPreference: nil, acceptLanguage: "it", defaultLanguage: .pl) == .it)
        #expect(LanguageNegotiation.choose(explicit: nil, accountPreference: nil, acceptLanguage: nil, defaultLanguage: .pt) == .pt)
    }

    @Test(arguments: ["", "en", "de", "pl-PL", "p", "xx", "pl;", "<script>", String(repeating: "p", count: 10_000)])
    func invalidExplicitValuesAreIgnored(_ explicit: String) {
        #expect(LanguageNegotiation.choose(explicit: explicit, accountPreference: .it, acceptLanguage: "pt", defaultLanguage: .pl) == .it)
        #expect(LanguageNegotiation.choose(explicit: explicit, accountPreference: nil, acceptLanguage: "pt", defaultLanguage: .pl) == .pt)
        #expect(LanguageNegotiation.choose(explicit: explicit, accountPreference: nil, acceptLanguage: nil, defaultLanguage: .pl) == .pl)
    }
}
