import Foundation
import JBRCore
@testable import Journal

/// A fresh directory under the system temporary directory, removed when the test ends.
final class TemporaryDirectory: @unchecked Sendable {
    let path: String

    init(_ label: String = "journal") {
        let template = NSTemporaryDirectory() + "jbr-\(label)-XXXXXX"
        var bytes = Array(template.utf8CString)
        let made = bytes.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        precondition(made != nil, "mkdtemp failed")
        path = String(decoding: bytes.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

let testVolume = VolumeID(parsing: "6b5f1a9e-0c1d-4e2f-8a3b-4c5d6e7f8091")!

func journalConfiguration(_ directory: TemporaryDirectory, segmentBytes: Int = 1 << 20, preallocation: JournalConfiguration.Preallocation = .zeroFill) -> JournalConfiguration {
    var configuration = JournalConfiguration(directory: directory.path + "/journal", volumeID: testVolume)
    configuration.segmentBytes = segmentBytes
    configuration.preallocation = preallocation
    return configuration
}

/// A body whose bytes derive from its index, so a misplaced record is caught by content.
/// Pseudo-random (incompressible) unless `compressible`, when it is one repeated byte.
func body(for index: UInt64, size: Int, compressible: Bool = false) -> [UInt8] {
    if compressible { return [UInt8](repeating: UInt8(truncatingIfNeeded: index), count: size) }
    var generator = SplitMix64(seed: index)
    return randomBytes(size, using: &generator)
}

/// `count` pseudo-random (incompressible) bytes from `generator`.
func randomBytes(_ count: Int, using generator: inout SplitMix64) -> [UInt8] {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(count + 8)
    while bytes.count < count { withUnsafeBytes(of: generator.next()) { bytes.append(contentsOf: $0) } }
    return Array(bytes.prefix(count))
}

func record(_ index: UInt64, term: UInt64 = 1, size: Int = 100) -> JournalRecord {
    JournalRecord(position: LogPosition(term: Term(term), index: JournalIndex(index)), type: .operation, body: body(for: index, size: size))
}
