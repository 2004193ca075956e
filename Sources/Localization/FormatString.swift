import ContactsDomain

/// What a placeholder expects.
enum PlaceholderKind: Sendable, Equatable {
    /// `%@`
    case string
    /// `%d`, `%i`, `%u` with an optional length (`%lld`, `%ld`, ...)
    case integer

    var notation: String {
        switch self {
        case .string: "%@"
        case .integer: "%lld"
        }
    }
}

/// A catalog value split once, at load time, into literal text and placeholders.
///
/// Supports the printf subset Apple's catalogs use for these strings: `%@`, `%d`/`%i`/`%u` with
/// length modifiers (`%lld`), positional forms (`%2$@`) and `%%`. Anything else (widths, `%s`,
/// `%f`, a lone `%`) is rejected when the catalog loads, so a typo never reaches a page.
struct FormatString: Sendable {
    enum Piece: Sendable {
        case literal(String)
        /// `index` counts from 1; `spec` is the placeholder as written, shown when no argument fits.
        case placeholder(index: Int, kind: PlaceholderKind, spec: String)
    }

    let pieces: [Piece]
    /// The text with `%%` unescaped and placeholders left as written: what a lookup without arguments returns.
    let plain: String
    /// Argument index → kind, the shape a translation must keep.
    let signature: [Int: PlaceholderKind]

    init(parsing text: String) throws(FormatStringError) {
        let bytes = Array(text.utf8)
        var pieces: [Piece] = []
        var literal: [UInt8] = []
        var signature: [Int: PlaceholderKind] = [:]
        var nextSequentialIndex = 1
        var position = 0

        func flushLiteral() {
            if !literal.isEmpty {
                pieces.append(.literal(String(decoding: literal, as: UTF8.self)))
                literal.removeAll(keepingCapacity: true)
            }
        }

        while position < bytes.count {
            let byte = bytes[position]
            guard byte == UInt8(ascii: "%") else {
                literal.append(byte)
                position += 1
                continue
            }
            let start = position
            position += 1
            if position < bytes.count, bytes[position] == UInt8(ascii: "%") {
                literal.append(byte)
                position += 1
                continue
            }

            // Optional position: digits followed by `$`.
            var explicitIndex: Int?
            var digitsEnd = position
            while digitsEnd < bytes.count, Self.isDigit(bytes[digitsEnd]), digitsEnd - position < 3 {
                digitsEnd += 1
            }
            if digitsEnd > position, digitsEnd < bytes.count, bytes[digitsEnd] == UInt8(ascii: "$") {
                let value = bytes[position..<digitsEnd].reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
                guard value >= 1 else {
                    throw FormatStringError(spec: Self.spec(bytes, start, digitsEnd + 1), reason: "positions start at 1")
                }
                explicitIndex = value
                position = digitsEnd + 1
            }

            // Optional length modifier, then the conversion.
            let lengthStart = position
            while position < bytes.count, Self.lengthModifiers.contains(bytes[position]), position - lengthStart < 2 {
                position += 1
            }
            guard position < bytes.count else {
                throw FormatStringError(spec: Self.spec(bytes, start, position), reason: "incomplete placeholder (write %% for a percent sign)")
            }
            let conversion = bytes[position]
            position += 1
            let spec = Self.spec(bytes, start, position)
            let kind: PlaceholderKind
            switch conversion {
            case UInt8(ascii: "@") where position - 1 == lengthStart:
                kind = .string
            case UInt8(ascii: "d"), UInt8(ascii: "i"), UInt8(ascii: "u"):
                guard Self.isValidLength(bytes[lengthStart..<(position - 1)]) else {
                    throw FormatStringError(spec: spec, reason: "unsupported length modifier")
                }
                kind = .integer
            default:
                throw FormatStringError(spec: spec, reason: "unsupported placeholder (use %@, %lld, %1$@ or %% for a percent sign)")
            }

            let index: Int
            if let explicitIndex {
                index = explicitIndex
            } else {
                index = nextSequentialIndex
                nextSequentialIndex += 1
            }
            if let known = signature[index], known != kind {
                throw FormatStringError(spec: spec, reason: "argument \(index) is used both as \(known.notation) and \(kind.notation)")
            }
            signature[index] = kind
            flushLiteral()
            pieces.append(.placeholder(index: index, kind: kind, spec: spec))
        }
        flushLiteral()

        self.pieces = pieces
        self.signature = signature
        self.plain = pieces.reduce(into: "") { text, piece in
            switch piece {
            case .literal(let value): text += value
            case .placeholder(_, _, let spec): text += spec
            }
        }
    }

    func render(_ arguments: [CatalogArgument], _ language: Language) -> String {
        if arguments.isEmpty || signature.isEmpty { return plain }
        var result = ""
        result.reserveCapacity(plain.utf8.count + 16 * signature.count)
        for piece in pieces {
            switch piece {
            case .literal(let value):
                result += value
            case .placeholder(let index, _, let spec):
                guard index <= arguments.count else {
                    result += spec
                    continue
                }
                switch arguments[index - 1] {
                case .string(let value): result += value
                case .integer(let value): result += LocalFormat.integer(value, language)
                }
            }
        }
        return result
    }

    /// Readable form of a signature, such as `%1$@ %2$lld`, for problem reports.
    static func describe(_ signature: [Int: PlaceholderKind]) -> String {
        if signature.isEmpty { return "no placeholders" }
        return signature.keys.sorted().map { "%\($0)$\(signature[$0]!.notation.dropFirst())" }.joined(separator: " ")
    }

    private static let lengthModifiers: Set<UInt8> = Set("hlqzjt".utf8)

    private static func isValidLength(_ length: ArraySlice<UInt8>) -> Bool {
        switch String(decoding: length, as: UTF8.self) {
        case "", "h", "hh", "l", "ll", "q", "z", "j", "t": true
        default: false
        }
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    private static func spec(_ bytes: [UInt8], _ start: Int, _ end: Int) -> String {
        String(decoding: bytes[start..<min(end, bytes.count)], as: UTF8.self)
    }
}

struct FormatStringError: Error, Equatable {
    var spec: String
    var reason: String
}
