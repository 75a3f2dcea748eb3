/// The journal settings a brick volfile carries on its `experimental/fdl` volume.
///
/// Volgen writes `options`; `init(volume:brickPath:)` reads them back, filling in defaults for
/// missing keys and refusing values out of range. The two live together so they stay paired.
public struct JournalVolfileOptions: Hashable, Sendable {
    public enum Compression: String, Hashable, Sendable, CaseIterable {
        case lz4
        case none
    }

    /// Directory of the journal's segment files. Default: `BRICK/.jbr/journal`.
    public var logPath: String
    /// Bytes per segment file before the journal rolls over to a new one. Small segments trim
    /// finely but cost more files; large ones cost more to scan on recovery. (There is no
    /// record-size option: every brick must take the largest write the protocol allows, and a
    /// record larger than a segment gets a segment of its own.)
    public var segmentBytes: Int = 64 << 20
    public var compression: Compression = .lz4
    /// Journal bytes kept after they are applied, so a lagging replica can catch up from the
    /// journal instead of a full resync. At least one segment.
    public var retentionBytes: Int = 1 << 30

    public static let segmentBytesRange = (1 << 20)...(1 << 40)
    public static let retentionBytesRange = (1 << 20)...(1 << 50)

    /// The defaults for a brick at `brickPath`.
    public init(brickPath: String) {
        self.logPath = Self.defaultLogPath(brickPath: brickPath)
    }

    public static func defaultLogPath(brickPath: String) -> String {
        brickPath.hasSuffix("/") ? "\(brickPath).jbr/journal" : "\(brickPath)/.jbr/journal"
    }

    /// The option lines volgen writes, in order.
    public var options: [(String, String)] {
        [
            (VolfileKey.logPath, logPath),
            (VolfileKey.segmentSize, VolfileValue.sizeText(segmentBytes)),
            (VolfileKey.compression, compression.rawValue),
            (VolfileKey.retentionBytes, VolfileValue.sizeText(retentionBytes)),
        ]
    }

    /// Reads the journal volume's options; a missing key takes its default.
    init(volume: VolfileVolume, brickPath: String) throws {
        self.init(brickPath: brickPath)
        if volume.options[VolfileKey.logPath] != nil {
            logPath = try volume.absolutePath(VolfileKey.logPath)
        }
        segmentBytes = try volume.size(VolfileKey.segmentSize, in: Self.segmentBytesRange, default: segmentBytes)
        retentionBytes = try volume.size(
            VolfileKey.retentionBytes, in: Self.retentionBytesRange, default: retentionBytes)
        if let text = volume.options[VolfileKey.compression] {
            guard let value = Compression(rawValue: text.lowercased()) else {
                throw volume.failure(VolfileKey.compression, "'\(text)' is not one of lz4, none")
            }
            compression = value
        }
        guard retentionBytes >= segmentBytes else {
            throw volume.failure(
                VolfileKey.retentionBytes, "must keep at least one segment (\(VolfileValue.sizeText(segmentBytes)))")
        }
    }
}
