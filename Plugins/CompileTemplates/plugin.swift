import Foundation
import PackagePlugin

/// Compiles `Templates/*.mustache` into Swift for the target it is applied to: one
/// `render(into:)` method per view model of the target that names a template.
@main
struct CompileTemplates: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        guard let target = target as? SourceModuleTarget else { return [] }
        let folder = context.package.directoryURL.appending(path: "Templates")
        let templates = try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "mustache" }
            .sorted { $0.path < $1.path }
        // The view models live in the target's Views folder; nothing else is read.
        let views = target.sourceFiles(withSuffix: "swift").map(\.url).filter { $0.path.contains("/Views/") }
        let output = context.pluginWorkDirectoryURL.appending(path: "CompiledTemplates.swift")
        return [
            .buildCommand(
                displayName: "Compiling templates for \(target.name)",
                executable: try context.tool(named: "template-compiler").url,
                arguments: [output.path, "--templates"] + templates.map(\.path) + ["--views"] + views.map(\.path),
                inputFiles: templates + views,
                outputFiles: [output]
            ),
        ]
    }
}
