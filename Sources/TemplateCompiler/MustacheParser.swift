/// A Mustache template as a tree, parsed with swift-mustache's rules (its `Template+Parser.swift`,
/// tag 2.1.1): which lines are standalone and dropped, where whitespace goes, how a block of an
/// inheriting template is read. The compiled page must be byte for byte what the engine prints,
/// so this follows that parser step by step rather than the spec's prose.
indirect enum Node {
    case text(String)
    case variable(name: String, escaped: Bool, line: Int)
    case section(name: String, inverted: Bool, body: [Node], line: Int)
    case blockDefinition(name: String, body: [Node])
    case blockExpansion(name: String, defaultBody: [Node], indentation: String, line: Int)
    case partial(name: String, indentation: String?, blocks: [String: [Node]]?, line: Int)
    case contentType(String)
}

struct ParseError: Error, CustomStringConvertible {
    let line: Int
    let reason: String
    var description: String { "line \(line): \(reason)" }
}

struct MustacheParser {
    private struct State {
        var sectionName: String?
        var newLine = true
        var isPartialDefinition = false
        var isPartialDefinitionTopLevel = false
        var partialDefinitionIndent: String?

        func withSectionName(_ name: String, newLine: Bool) -> State {
            var state = self
            state.sectionName = name
            state.isPartialDefinitionTopLevel = false
            if !newLine { state.newLine = false }
            return state
        }

        func withInheritancePartial(_ name: String) -> State {
            var state = self
            state.sectionName = name
            state.newLine = true
            state.isPartialDefinition = true
            state.isPartialDefinitionTopLevel = true
            return state
        }
    }

    private let chars: [Character]
    private var position = 0

    static func parse(_ text: String) throws -> [Node] {
        var parser = MustacheParser(chars: Array(text))
        return try parser.parse(State())
    }

    private init(chars: [Character]) { self.chars = chars }

    private var atEnd: Bool { position == chars.count }
    private var current: Character { atEnd ? "\0" : chars[position] }
    private var line: Int { chars[..<min(position, chars.count)].reduce(1) { $1.isNewline ? $0 + 1 : $0 } }

    private func fail(_ reason: String) -> ParseError { ParseError(line: line, reason: reason) }

    @discardableResult
    private mutating func read(while predicate: (Character) -> Bool) -> String {
        let start = position
        while !atEnd, predicate(chars[position]) { position += 1 }
        return String(chars[start..<position])
    }

    private mutating func read(string: String) -> Bool {
        let expected = Array(string)
        guard position + expected.count <= chars.count, Array(chars[position..<position + expected.count]) == expected else {
            return false
        }
        position += expected.count
        return true
    }

    private mutating func parse(_ initial: State) throws -> [Node] {
        var nodes: [Node] = []
        var state = initial
        var whiteSpaceBefore = ""
        while !atEnd {
            if state.newLine {
                let whiteSpace = read { $0 == " " || $0 == "\t" }
                if state.isPartialDefinition, !state.isPartialDefinitionTopLevel {
                    if let indent = state.partialDefinitionIndent {
                        whiteSpaceBefore = String(whiteSpace.dropFirst(indent.count))
                    } else {
                        state.partialDefinitionIndent = whiteSpace
                    }
                } else {
                    whiteSpaceBefore = whiteSpace
                }
            }
            let text = readUntilTagOrNewline()
            if !atEnd, current.isNewline {
                nodes.append(.text(whiteSpaceBefore + text + String(current)))
                state.newLine = true
                position += 1
                continue
            }
            if !text.isEmpty {
                nodes.append(.text(whiteSpaceBefore + text))
                whiteSpaceBefore = ""
                state.newLine = false
            }
            if atEnd { break }
            let tagLine = line
            var setNewLine = false
            func flushWhiteSpace() {
                if !whiteSpaceBefore.isEmpty {
                    nodes.append(.text(whiteSpaceBefore))
                    whiteSpaceBefore = ""
                }
            }
            switch current {
            case "#", "^":
                let inverted = current == "^"
                position += 1
                let name = try parseName()
                if isStandalone(state) { setNewLine = true } else { flushWhiteSpace() }
                let body = try parse(state.withSectionName(name, newLine: setNewLine))
                nodes.append(.section(name: name, inverted: inverted, body: body, line: tagLine))
            case "/":
                position += 1
                let name = try parseName()
                guard name == state.sectionName else { throw fail("{{/\(name)}} closes no open section") }
                if isStandalone(state) { setNewLine = true } else { flushWhiteSpace() }
                return nodes
            case "!":
                position += 1
                try skipComment()
                setNewLine = isStandalone(state)
            case "{":
                flushWhiteSpace()
                position += 1
                let name = try parseName()
                guard read(string: "}") else { throw fail("unfinished triple mustache") }
                nodes.append(.variable(name: name, escaped: false, line: tagLine))
            case "&":
                flushWhiteSpace()
                position += 1
                nodes.append(.variable(name: try parseName(), escaped: false, line: tagLine))
            case ">":
                position += 1
                let name = try parsePartialName()
                if !whiteSpaceBefore.isEmpty { nodes.append(.text(whiteSpaceBefore)) }
                if isStandalone(state) {
                    setNewLine = true
                    nodes.append(.partial(name: name, indentation: whiteSpaceBefore, blocks: nil, line: tagLine))
                } else {
                    nodes.append(.partial(name: name, indentation: nil, blocks: nil, line: tagLine))
                }
                whiteSpaceBefore = ""
            case "<":
                position += 1
                let name = try parsePartialName()
                if !whiteSpaceBefore.isEmpty { nodes.append(.text(whiteSpaceBefore)) }
                if isStandalone(state) { setNewLine = true }
                var blocks: [String: [Node]] = [:]
                for node in try parse(state.withInheritancePartial(name)) {
                    switch node {
                    case .blockDefinition(let block, let body): blocks[block] = body
                    case .text: break
                    default: throw fail("only blocks may stand inside {{<\(name)}}")
                    }
                }
                nodes.append(.partial(name: name, indentation: whiteSpaceBefore, blocks: blocks, line: tagLine))
                whiteSpaceBefore = ""
            case "$":
                position += 1
                let name = try parseName()
                if state.isPartialDefinitionTopLevel {
                    if isStandalone(state) { setNewLine = true }
                    nodes.append(.blockDefinition(name: name, body: try parse(state.withSectionName(name, newLine: setNewLine))))
                } else {
                    if !whiteSpaceBefore.isEmpty { nodes.append(.text(whiteSpaceBefore)) }
                    if isStandalone(state) { setNewLine = true }
                    let body = try parse(state.withSectionName(name, newLine: setNewLine))
                    nodes.append(.blockExpansion(name: name, defaultBody: body, indentation: whiteSpaceBefore, line: tagLine))
                    whiteSpaceBefore = ""
                }
            case "%":
                position += 1
                nodes.append(.contentType(try parseContentType()))
                setNewLine = isStandalone(state)
            case "=":
                throw fail("set delimiters are not supported by the template compiler")
            default:
                flushWhiteSpace()
                nodes.append(.variable(name: try parseName(), escaped: true, line: tagLine))
            }
            state.newLine = setNewLine
        }
        guard state.sectionName == nil else { throw fail("{{#\(state.sectionName!)}} is never closed") }
        return nodes
    }

    /// Text up to a newline (left unread) or past the next `{{`.
    private mutating func readUntilTagOrNewline() -> String {
        var text = ""
        while !atEnd {
            text += read { !$0.isNewline && $0 != "{" }
            if atEnd || current.isNewline { break }
            if read(string: "{{") { break }
            text.append("{")
            position += 1
        }
        return text
    }

    private static let nameCharacters = Set("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-_?*")

    private mutating func parseName() throws -> String {
        read { $0.isWhitespace }
        let name = read { Self.nameCharacters.contains($0) }
        read { $0.isWhitespace }
        guard read(string: "}}") else { throw fail("unfinished tag (transforms are not supported)") }
        return name
    }

    private mutating func parsePartialName() throws -> String {
        read { $0.isWhitespace }
        let name = read { Self.nameCharacters.contains($0) || $0 == "/" }
        read { $0.isWhitespace }
        guard read(string: "}}") else { throw fail("unfinished partial name") }
        return name
    }

    private mutating func skipComment() throws {
        while !atEnd {
            if read(string: "}}") { return }
            position += 1
        }
        throw fail("unfinished comment")
    }

    private mutating func parseContentType() throws -> String {
        read { $0.isWhitespace }
        let variable = read { Self.nameCharacters.contains($0) }
        read { $0.isWhitespace }
        guard variable == "CONTENT_TYPE", read(string: ":") else { throw fail("only the CONTENT_TYPE pragma is known") }
        read { $0.isWhitespace }
        let value = read { Self.nameCharacters.contains($0) }
        read { $0.isWhitespace }
        guard read(string: "}}"), value == "HTML" || value == "TEXT" else { throw fail("CONTENT_TYPE is HTML or TEXT") }
        return value
    }

    private mutating func hasLineFinished() -> Bool {
        if atEnd { return true }
        var probe = position
        while probe < chars.count, chars[probe] == " " || chars[probe] == "\t" { probe += 1 }
        if probe < chars.count, chars[probe].isNewline {
            position = probe + 1
            return true
        }
        return false
    }

    private mutating func isStandalone(_ state: State) -> Bool {
        state.newLine && hasLineFinished()
    }
}
