import Foundation

// template-compiler OUTPUT --templates FILE... --views FILE...
// Compiles every template that a view model of the target names (`static let template = ...`)
// into one Swift file. A parse error is printed as FILE:LINE: error: so that the build shows it
// at the template.
var arguments = Array(CommandLine.arguments.dropFirst())
guard arguments.count >= 1 else {
    FileHandle.standardError.write(Data("usage: template-compiler OUTPUT --templates FILE... --views FILE...\n".utf8))
    exit(2)
}
let outputPath = arguments.removeFirst()
var templatePaths: [String] = []
var viewPaths: [String] = []
var readingViews = false
for argument in arguments {
    switch argument {
    case "--templates": readingViews = false
    case "--views": readingViews = true
    default:
        if readingViews { viewPaths.append(argument) } else { templatePaths.append(argument) }
    }
}

do {
    var templates: [String: (path: String, nodes: [Node])] = [:]
    for path in templatePaths {
        let name = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        let text = try String(contentsOfFile: path, encoding: .utf8)
        do {
            templates[name] = (path, try MustacheParser.parse(text))
        } catch let error as ParseError {
            throw CodeGenerator.GenerationError(file: path, line: error.line, reason: error.reason)
        }
    }
    var generator = CodeGenerator(templates: templates, schema: try ViewSchema(files: viewPaths))
    let code = try generator.generate()
    // Rewritten only when it changes, so that an unchanged template rebuilds nothing.
    if (try? String(contentsOfFile: outputPath, encoding: .utf8)) != code {
        try code.write(toFile: outputPath, atomically: true, encoding: .utf8)
    }
} catch {
    FileHandle.standardError.write(Data("\(error)\n".utf8))
    exit(1)
}
