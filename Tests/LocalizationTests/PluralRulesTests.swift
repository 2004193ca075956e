import ContactsDomain
import Localization
import Testing

/// Example numbers from CLDR's plurals.xml (`@integer` samples) for each category.
struct PluralRulesTests {
    @Test(arguments: [1])
    func polishOne(_ count: Int) {
        #expect(PluralRules.category(for: count, in: .pl) == .one)
    }

    @Test(arguments: [2, 3, 4, 22, 23, 24, 32, 33, 34, 42, 52, 62, 102, 1002, 10_003, 1_000_004])
    func polishFew(_ count: Int) {
        #expect(PluralRules.category(for: count, in: .pl) == .few)
    }

    @Test(arguments: [0, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 25, 26, 31, 101, 111, 112, 113, 114, 1000, 1001, 10_000, 100_000, 1_000_000])
    func polishMany(_ count: Int) {
        #expect(PluralRules.category(for: count, in: .pl) == .many)
    }

    @Test(arguments: [Language.pt, .it])
    func portugueseAndItalianOne(_ language: Language) {
        #expect(PluralRules.category(for: 1, in: language) == .one)
    }

    @Test(arguments: [Language.pt, .it])
    func portugueseAndItalianOther(_ language: Language) {
        // pt-PT, unlike Brazilian pt, puts 0 in `other`.
        for count in [0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 21, 100, 101, 1000, 10_000, 100_000, 1_000_001, 1_500_000] {
            #expect(PluralRules.category(for: count, in: language) == .other, "\(count) in \(language)")
        }
    }

    @Test(arguments: [Language.pt, .it])
    func portugueseAndItalianManyForMillions(_ language: Language) {
        for count in [1_000_000, 2_000_000, 10_000_000, 1_000_000_000] {
            #expect(PluralRules.category(for: count, in: language) == .many, "\(count) in \(language)")
        }
    }

    @Test func negativeNumbersFollowTheirAbsoluteValue() {
        #expect(PluralRules.category(for: -1, in: .pl) == .one)
        #expect(PluralRules.category(for: -22, in: .pl) == .few)
        #expect(PluralRules.category(for: -5, in: .it) == .other)
        #expect(PluralRules.category(for: Int.min, in: .pl) == .many)
    }

    @Test func categoriesTheCatalogMustProvide() {
        #expect(PluralRules.categories(of: .pl) == [.one, .few, .many, .other])
        #expect(PluralRules.categories(of: .pt) == [.one, .many, .other])
        #expect(PluralRules.categories(of: .it) == [.one, .many, .other])
    }
}
