import Foundation

/// Histories saved as JSON lines: one operation per line (see `HistoryOperation+Codable`), so a
/// harness can append as it goes and a crash loses at most the last line.
extension History {
    /// A line that could not be read; `line` counts from 1.
    public struct DecodingError: Error, Hashable, Sendable, CustomStringConvertible {
        public var line: Int
        public var reason: String
        public var description: String { "history line \(line): \(reason)" }
    }

    /// Parses JSON lines; blank lines are skipped.
    public init(jsonLines text: String) throws {
        let decoder = JSONDecoder()
        var operations: [HistoryOperation] = []
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            guard !line.allSatisfy(\.isWhitespace) else { continue }
            do {
                operations.append(try decoder.decode(HistoryOperation.self, from: Data(line.utf8)))
            } catch {
                throw DecodingError(line: number + 1, reason: "\(error)")
            }
        }
        self.init(operations)
    }

    /// One JSON object per operation, each line ending in a newline; keys sorted, so saved
    /// histories diff well.
    public func jsonLines() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return operations.map { operation in
            // Encoding these values cannot fail: every field is a string, number, bool, array or null.
            let data = try! encoder.encode(operation)
            return String(decoding: data, as: UTF8.self) + "\n"
        }.joined()
    }

    public init(contentsOf url: URL) throws {
        try self.init(jsonLines: String(decoding: try Data(contentsOf: url), as: UTF8.self))
    }

    public func write(to url: URL) throws {
        try Data(jsonLines().utf8).write(to: url, options: .atomic)
    }
}
