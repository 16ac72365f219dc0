import PostdeskCore
import PostdeskSystem

/// Reads the operator's templates: `TEMPLATES/LANG/KIND.txt` (e.g. `templates/de/confirmation.txt`) over the
/// built-in ones. Every problem is reported as `FILE:LINE: problem`; a folder that does not exist is fine.
public enum TemplateLoader {
    public static func load(_ config: Configuration) -> (templates: TemplateSet, problems: [String]) {
        var set = TemplateSet(fallbackLanguage: config.helpdesk.language)
        var problems: [String] = []
        guard let dir = config.helpdesk.templates, FileSystem.kind(of: dir) == .directory else { return (set, problems) }
        let known = TemplateKind.allCases.map(\.fileName)
        let entries = (try? FileSystem.list(dir)) ?? []
        for language in entries.sorted() {
            let folder = dir + "/" + language
            guard FileSystem.kind(of: folder) == .directory else {
                if language.hasSuffix(".txt") {
                    problems.append("\(folder): templates go in a folder per language (\(Configuration.languages.joined(separator: ", "))), e.g. \(dir)/en/\(language)")
                }
                continue
            }
            guard Configuration.languages.contains(language) else {
                problems.append("\(folder): unknown language folder; known: \(Configuration.languages.joined(separator: ", "))")
                continue
            }
            for name in ((try? FileSystem.list(folder)) ?? []).sorted() where !name.hasPrefix(".") {
                let file = folder + "/" + name
                guard let kind = TemplateKind.allCases.first(where: { $0.fileName == name }) else {
                    problems.append("\(file): unknown template; known: \(known.joined(separator: ", "))")
                    continue
                }
                let text: String
                do { text = String(decoding: try FileSystem.readFile(file, maxBytes: 1 << 20), as: UTF8.self) } catch {
                    problems.append("\(file): cannot read: \(error)")
                    continue
                }
                if let p = set.override(language: language, kind: kind, text: text, file: file) { problems.append(p.description) }
            }
        }
        return (set, problems)
    }
}
