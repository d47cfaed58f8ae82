import ArgumentParser
import SummaryOutput
import TallyPipeline
import UsageAggregation
import UsageDecoding

/// Parsing of `--field` and `--by`.
enum FieldOptions {
    /// Column names that cannot be custom fields: time grains, `file`, and every measure
    /// (also the optional ones).
    static let reservedNames: Set<String> =
        Set(TimeGrain.allCases.map(\.rawValue)).union(["file"])
        .union(MeasureColumn.allCases.map { SummarySchema.describe($0).name })

    /// Applies `NAME=POINTER` flags: a built-in field name overrides that field, any other
    /// valid name defines a custom column.
    static func apply(_ flags: [String], to configuration: inout SummarizeConfiguration) throws {
        var seen = Set<String>()
        for flag in flags {
            guard let equals = flag.firstIndex(of: "=") else {
                throw ValidationError("--field '\(flag)' must be NAME=/json/pointer, e.g. team=/metadata/team")
            }
            let name = String(flag[..<equals])
            let pointerText = String(flag[flag.index(after: equals)...])
            guard isValidName(name) else {
                throw ValidationError("--field name '\(name)' must be letters, digits and _, not starting with a digit")
            }
            guard seen.insert(name).inserted else { throw ValidationError("--field \(name) is given twice") }
            guard !reservedNames.contains(name) else {
                throw ValidationError("--field \(name): '\(name)' is a built-in column and cannot be redefined")
            }
            let pointer: JSONPointer
            do {
                pointer = try JSONPointer(parsing: pointerText)
            } catch {
                throw ValidationError("--field \(name): \(error)")
            }
            if let builtin = BuiltinField(rawValue: name) {
                configuration.overrides[builtin] = pointer
            } else {
                configuration.customFields[name] = pointer
            }
        }
    }

    /// Parses `--by`: comma-separated, each name once.
    static func columns(_ text: String, customFields: Set<String>) throws -> [GroupColumn] {
        var columns: [GroupColumn] = []
        for rawName in text.split(separator: ",", omittingEmptySubsequences: false) {
            let name = rawName.trimmingWhitespace()
            let column: GroupColumn
            if let grain = TimeGrain(rawValue: name) {
                column = .time(grain)
            } else {
                switch name {
                case "model": column = .model
                case "key": column = .key
                case "user": column = .user
                case "provider": column = .provider
                case "status": column = .status
                case "file": column = .file
                case _ where customFields.contains(name): column = .custom(name)
                case "":
                    throw ValidationError("--by has an empty column name in '\(text)'")
                default:
                    throw ValidationError(
                        "--by: unknown column '\(name)' (known: hour, day, week, month, model, provider, key, user, status, file; "
                            + "define others with --field \(name)=/json/pointer)")
                }
            }
            guard !columns.contains(column) else { throw ValidationError("--by names '\(name)' twice") }
            columns.append(column)
        }
        return columns
    }

    /// Letters, digits and `_`, not starting with a digit (so a name is a plain CSV header).
    static func isValidName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, !("0"..."9").contains(first) else { return false }
        return name.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_"
        }
    }
}

extension Substring {
    /// Without leading and trailing spaces and tabs.
    func trimmingWhitespace() -> String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
