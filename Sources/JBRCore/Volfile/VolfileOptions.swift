/// One `option KEY VALUE` line.
public struct VolfileOption: Hashable, Sendable {
    public var key: String
    public var value: String

    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }
}

/// A volume's options: key/value pairs in the order written, keys unique, looked up by key.
///
/// Order is kept so text reads back as written; uniqueness holds by construction (`set` replaces
/// in place), because GlusterFS silently keeps only the last of two equal keys and we refuse that.
public struct VolfileOptions: Hashable, Sendable, Sequence, ExpressibleByDictionaryLiteral {
    public private(set) var pairs: [VolfileOption] = []
    private var indexByKey: [String: Int] = [:]

    public init() {}

    /// - Precondition: the keys are distinct (a duplicate is a programmer error, as in `Dictionary`).
    public init(uniqueKeysWithValues pairs: some Sequence<(String, String)>) {
        for (key, value) in pairs {
            precondition(indexByKey[key] == nil, "option '\(key)' given twice")
            set(key, to: value)
        }
    }

    /// - Precondition: the keys are distinct.
    public init(dictionaryLiteral elements: (String, String)...) {
        self.init(uniqueKeysWithValues: elements)
    }

    public subscript(key: String) -> String? {
        indexByKey[key].map { pairs[$0].value }
    }

    public func contains(_ key: String) -> Bool { indexByKey[key] != nil }

    public var count: Int { pairs.count }
    public var isEmpty: Bool { pairs.isEmpty }
    public var keys: [String] { pairs.map(\.key) }

    /// Sets `key`, replacing its value in place if present, else appending it.
    public mutating func set(_ key: String, to value: String) {
        if let index = indexByKey[key] {
            pairs[index].value = value
        } else {
            indexByKey[key] = pairs.count
            pairs.append(VolfileOption(key: key, value: value))
        }
    }

    public func makeIterator() -> IndexingIterator<[VolfileOption]> { pairs.makeIterator() }

    public static func == (a: VolfileOptions, b: VolfileOptions) -> Bool { a.pairs == b.pairs }
    public func hash(into hasher: inout Hasher) { hasher.combine(pairs) }
}
