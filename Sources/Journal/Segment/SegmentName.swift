import JBRCore

/// Segment file names: the first index as 20 decimal digits, so `ls` shows segments in order and
/// says where each begins (`00000000000000000001.jnl`). Spares being prepared for rotation are
/// `spare-N.tmp` and are never read as segments.
public enum SegmentName {
    public static let suffix = ".jnl"
    static let sparePrefix = "spare-"
    static let spareSuffix = ".tmp"

    public static func name(firstIndex: JournalIndex) -> String {
        let digits = String(firstIndex.rawValue)
        return String(repeating: "0", count: 20 - digits.count) + digits + suffix
    }

    /// The first index a segment name declares, or nil if the name is not a segment's.
    public static func firstIndex(of name: String) -> JournalIndex? {
        guard name.hasSuffix(suffix) else { return nil }
        let digits = name.dropLast(suffix.count)
        guard digits.count == 20, digits.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
            let value = UInt64(digits), value > 0
        else { return nil }
        return JournalIndex(value)
    }

    static func spareName(_ number: Int) -> String { "\(sparePrefix)\(number)\(spareSuffix)" }

    static func isSpare(_ name: String) -> Bool { name.hasPrefix(sparePrefix) && name.hasSuffix(spareSuffix) }
}
