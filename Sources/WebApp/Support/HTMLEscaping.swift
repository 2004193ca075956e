import TemplateRuntime

/// HTML escaping of a value, as every `{{value}}` of the compiled pages is escaped: the five
/// characters `&`, `<`, `>`, `"` and `'`, on UTF-8 bytes (``TemplateWriter/escape(_:)``).
enum HTMLEscaping {
    static func escape(_ text: String) -> String {
        var writer = TemplateWriter(capacity: text.utf8.count + 16)
        writer.escape(text)
        return writer.string
    }
}
