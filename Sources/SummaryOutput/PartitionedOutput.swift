import UsageAggregation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// How a partition value becomes a directory name, as Hive and Spark spell it, so that DuckDB
/// (`hive_partitioning`), Spark and Athena read it back.
///
/// `COLUMN=VALUE`, where VALUE is the group cell's text with every byte that a path or Hive
/// gives a meaning to percent-encoded (`%2F` for `/`, `%3D` for `=`, `%25` for `%`, `%00` for
/// NUL, `%0A` for a newline, …). Readers decode it, so they see the original value.
///
/// - A name always starts with `COLUMN=`, so it is never `.` or `..`, and it never holds `/` or
///   NUL: every value, however hostile, names one directory directly below the dataset's.
/// - A missing value (an empty cell) is `COLUMN=__HIVE_DEFAULT_PARTITION__`, which readers
///   take as NULL; a value that *is* that text is written `%5F_HIVE_DEFAULT_PARTITION__`.
/// - A name longer than ``maxNameBytes`` (a file name's limit, `NAME_MAX`) is cut at a whole
///   character and ends in `~` and 16 hex digits of a hash of the whole value; readers see
///   the cut value.
public enum HivePartition {
    /// The longest directory name: `NAME_MAX` of Linux and macOS file systems.
    public static let maxNameBytes = 255
    /// The value Hive and Spark write for NULL, and DuckDB reads as NULL.
    public static let defaultPartition = "__HIVE_DEFAULT_PARTITION__"

    /// The directory name of `value` in partition column `column`.
    public static func directoryName(column: String, value: GroupValue, of groupColumn: GroupColumn) -> String {
        var text = ""
        if case .none = value {} else { text = SummarySchema.groupCell(value, column: groupColumn) }
        return directoryName(column: column, text: text)
    }

    /// The directory name of the cell text `text` (empty for a missing value).
    public static func directoryName(column: String, text: String) -> String {
        let prefix = escape(column) + "="
        guard !text.isEmpty else { return prefix + defaultPartition }
        var units = escapedUnits(text)
        if text == defaultPartition { units[0] = "%5F" }
        let encodedBytes = units.reduce(0) { $0 + $1.utf8.count }
        if prefix.utf8.count + encodedBytes <= maxNameBytes { return prefix + units.joined() }
        let suffix = "~" + hex(fnv1a(text))
        var budget = maxNameBytes - prefix.utf8.count - suffix.utf8.count
        var kept = ""
        for unit in units {
            budget -= unit.utf8.count
            if budget < 0 { break }
            kept += unit
        }
        return prefix + kept + suffix
    }

    /// `text` percent-encoded as a whole (for the column name).
    static func escape(_ text: String) -> String {
        escapedUnits(text).joined()
    }

    /// `text` as units that are never split: one escaped byte (`%2F`), or one character whose
    /// bytes are all kept (ASCII, or a whole non-ASCII character).
    static func escapedUnits(_ text: String) -> [String] {
        var units: [String] = []
        for scalar in text.unicodeScalars {
            if scalar.value < 0x80 {
                let byte = UInt8(scalar.value)
                units.append(mustEscape(byte) ? "%" + hexByte(byte) : String(scalar))
            } else {
                units.append(String(scalar))
            }
        }
        return units
    }

    /// Bytes Hive escapes (`FileUtils.escapePathName`: controls, `"#%'*/:=?\{[]^`, DEL), and NUL.
    static func mustEscape(_ byte: UInt8) -> Bool {
        if byte < 0x20 || byte == 0x7F { return true }
        return Array("\"#%'*/:=?\\{[]^".utf8).contains(byte)
    }

    static func hexByte(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF".utf8)
        return String(decoding: [digits[Int(byte >> 4)], digits[Int(byte & 0xF)]], as: UTF8.self)
    }

    static func hex(_ value: UInt64) -> String {
        (0..<8).reversed().map { hexByte(UInt8(truncatingIfNeeded: value >> (8 * UInt64($0)))) }.joined().lowercased()
    }

    /// FNV-1a, 64 bits: the same on every machine and run (Swift's `Hasher` is seeded per process).
    static func fnv1a(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        return hash
    }
}

/// Stage 5 for `-o DIR --partition-by COLUMN`: a Hive-style dataset, one directory per value of
/// the partition column (`DIR/day=2026-11-28/part-0.csv`), each holding that value's rows
/// without the partition column, sorted as in the single file.
///
/// Only the partitions that have rows in this run are replaced; every other file and directory
/// in `DIR` is left alone. Each part file is written atomically (temporary file, `fsync`,
/// rename). All part files are written and synced before the first rename, so an error while
/// writing (a full disk) changes nothing; a crash during the renames leaves some partitions
/// new and the others as they were, which the next run rewrites.
public struct PartitionedOutput {
    /// The dataset's directory (`-o`).
    public let directory: String
    /// The partition column.
    public let column: GroupColumn
    /// The part file's name in each partition directory.
    public let partFileName: String

    /// Checks that `directory` is a directory, or can be made as one (its parent exists):
    /// a bad path should fail before hours of reading.
    public init(directory: String, column: GroupColumn, partFileName: String = "part-0.csv") throws(OutputError) {
        self.directory = directory
        self.column = column
        self.partFileName = partFileName
        var info = stat()
        if stat(directory, &info) == 0 {
            guard info.st_mode & S_IFMT == S_IFDIR else {
                throw OutputError(path: directory, reason: "is not a directory (--partition-by writes a directory of partitions)")
            }
            guard access(directory, W_OK | X_OK) == 0 else {
                throw OutputError(path: directory, reason: "cannot write in it: \(String(cString: strerror(errno)))")
            }
        } else {
            let parent = Self.parent(of: directory)
            guard stat(parent, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else {
                throw OutputError(path: directory, reason: "cannot be made: \(parent) is not a directory")
            }
        }
    }

    /// One partition of a table: its directory name and its rows without the partition column.
    public struct Partition {
        public var directoryName: String
        public var value: GroupValue
        public var table: SummaryTable
    }

    /// Splits `table` by the partition column, in value order; each sub-table keeps the rows'
    /// order and leaves out the partition column. Throws when two values would share a directory
    /// (only possible for values cut to the length limit whose hashes collide).
    public static func partitions(of table: SummaryTable, by column: GroupColumn) throws(OutputError) -> [Partition] {
        guard let index = table.columns.firstIndex(of: column) else {
            throw OutputError(path: column.description, reason: "--partition-by names a column that is not in --by")
        }
        var columns = table.columns
        columns.remove(at: index)
        var byValue: [GroupValue: Int] = [:]
        var found: [Partition] = []
        for rowIndex in 0..<table.count {
            var trimmed = table.row(rowIndex)
            var value = trimmed.groupValues.remove(at: index)
            if case .text(let text) = value, text.isEmpty { value = .none }
            if let slot = byValue[value] {
                found[slot].table.append(trimmed)
            } else {
                byValue[value] = found.count
                let name = HivePartition.directoryName(column: column.description, value: value, of: column)
                found.append(Partition(directoryName: name, value: value, table: SummaryTable(columns: columns, rows: [trimmed], optionalMeasures: table.optionalMeasures)))
            }
        }
        found.sort { $0.value < $1.value }
        var names: [String: GroupValue] = [:]
        for partition in found {
            if let other = names.updateValue(partition.value, forKey: partition.directoryName) {
                throw OutputError(
                    path: partition.directoryName,
                    reason: "two values of \(column) map to this directory (\(cellText(other, column)) and "
                        + "\(cellText(partition.value, column))); nothing was written")
            }
        }
        return found
    }

    /// Writes every partition of `table` with `write` into a temporary part file, syncs it, and
    /// then renames them all into place, in value order, then `others` (the run report, written
    /// by the caller; synced before the first rename too). `renamed(n)` is called after the
    /// n-th rename (from 0), for crash tests. Returns the directory names written, in value order.
    @discardableResult
    public func write(
        _ table: SummaryTable, alongside others: [OutputFile] = [],
        with write: (SummaryTable, OutputFile) throws(OutputError) -> Void = { table, output throws(OutputError) in
            try CSVSummaryWriter.write(table, to: output)
        },
        renamed: (Int) -> Void = { _ in }
    ) throws(OutputError) -> [String] {
        let parts = try Self.partitions(of: table, by: column)
        var made: [String] = []
        var outputs: [OutputFile] = []
        do {
            try makeDirectory(directory, made: &made)
            for part in parts {
                let partDirectory = directory + "/" + part.directoryName
                try makeDirectory(partDirectory, made: &made)
                let output = try OutputFile.atomic(path: partDirectory + "/" + partFileName)
                outputs.append(output)
                try write(part.table, output)
                // Synced and closed now: a dataset may have more partitions than a process
                // may hold open files.
                try output.seal()
            }
            for other in others { try other.seal() }
            if !made.isEmpty { Self.syncDirectory(directory) }
            // Everything is on disk: from here on only renames, each partition atomic.
            for (index, output) in outputs.enumerated() {
                try output.commit()
                renamed(index)
            }
            try OutputFile.commit(others)
        } catch {
            for output in outputs + others { output.abandon() }
            for path in made.reversed() { rmdir(path) }  // only ever empty here
            throw error
        }
        return parts.map(\.directoryName)
    }

    /// Makes `path` unless it is a directory already; records it in `made` when made.
    private func makeDirectory(_ path: String, made: inout [String]) throws(OutputError) {
        var info = stat()
        if stat(path, &info) == 0 {
            guard info.st_mode & S_IFMT == S_IFDIR else { throw OutputError(path: path, reason: "is not a directory") }
            return
        }
        guard mkdir(path, 0o777) == 0 else {
            if errno == EEXIST { return try makeDirectory(path, made: &made) }
            throw OutputError(path: path, reason: "cannot make the directory: \(String(cString: strerror(errno)))")
        }
        made.append(path)
    }

    private static func syncDirectory(_ path: String) {
        let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        _ = fsync(descriptor)
        close(descriptor)
    }

    private static func parent(of path: String) -> String {
        var trimmed = Substring(path)
        while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        guard let slash = trimmed.lastIndex(of: "/") else { return "." }
        let parent = trimmed[..<slash]
        return parent.isEmpty ? "/" : String(parent)
    }

    private static func cellText(_ value: GroupValue, _ column: GroupColumn) -> String {
        "'" + SummarySchema.groupCell(value, column: column) + "'"
    }
}
