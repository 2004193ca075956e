/// Decoded `name=value&...` pairs from a query string or an urlencoded form body.
///
/// Order is kept and duplicate names are kept; `value(_:)` answers the first one, so a second
/// copy of a field can never override the first. Limits keep a hostile request from costing
/// more than a normal one.
public struct FormData: Equatable, Sendable {
    public private(set) var pairs: [(name: String, value: String)]

    public static let maximumPairs = 200
    public static let maximumFieldBytes = 4096

    public enum Failure: Error, Equatable, Sendable {
        case badEncoding
        case tooManyFields
        case fieldTooLarge
    }

    public init(pairs: [(name: String, value: String)] = []) {
        self.pairs = pairs
    }

    public init(parsing encoded: String) throws(Failure) {
        try self.init(parsing: Array(encoded.utf8))
    }

    public init<Bytes: Collection>(parsing encoded: Bytes) throws(Failure) where Bytes.Element == UInt8 {
        var pairs: [(name: String, value: String)] = []
        for part in encoded.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            if pairs.count == Self.maximumPairs { throw .tooManyFields }
            // A part is a name and a value, each up to `maximumFieldBytes` once decoded and so up
            // to three times that encoded: a larger part cannot fit and is refused before decoding.
            if part.count > Self.maximumFieldBytes * 3 * 2 + 1 { throw .fieldTooLarge }
            let halves = part.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
            do {
                let name = try PercentDecoding.decode(halves[0], plusIsSpace: true)
                let value = halves.count > 1 ? try PercentDecoding.decode(halves[1], plusIsSpace: true) : ""
                if name.utf8.count > Self.maximumFieldBytes || value.utf8.count > Self.maximumFieldBytes {
                    throw Failure.fieldTooLarge
                }
                pairs.append((name, value))
            } catch let failure as Failure {
                throw failure
            } catch {
                throw .badEncoding
            }
        }
        self.pairs = pairs
    }

    public func value(_ name: String) -> String? {
        pairs.first { $0.name == name }?.value
    }

    public func values(_ name: String) -> [String] {
        pairs.filter { $0.name == name }.map(\.value)
    }

    public mutating func set(_ name: String, _ value: String?) {
        pairs.removeAll { $0.name == name }
        if let value { pairs.append((name, value)) }
    }

    /// Encodes back into a query string (without the leading `?`).
    public var encoded: String {
        pairs.map { "\(PercentDecoding.encode($0.name))=\(PercentDecoding.encode($0.value))" }.joined(separator: "&")
    }

    public static func == (lhs: FormData, rhs: FormData) -> Bool {
        lhs.pairs.elementsEqual(rhs.pairs) { $0.name == $1.name && $0.value == $1.value }
    }
}
