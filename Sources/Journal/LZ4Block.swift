import CLZ4

/// liblz4's block format, as the journal stores record bodies (codec `lz4`).
///
/// The journal keeps the uncompressed length beside the block, so decompression is given the
/// exact size and refuses anything that does not produce it.
public enum LZ4Block {
    public enum Failure: Error, Hashable, Sendable {
        /// liblz4 rejected the input: corrupt, or not of the stated length.
        case corruptBlock(compressedBytes: Int, expectedBytes: Int)
        /// The input is larger than liblz4 can compress in one block (LZ4_MAX_INPUT_SIZE).
        case inputTooLarge(bytes: Int)
    }

    /// The largest input liblz4 compresses in one block.
    public static let maxInputBytes = Int(LZ4_MAX_INPUT_SIZE)

    /// Compresses `input`. Returns nil when the result would not be smaller, so callers store
    /// such bodies raw.
    public static func compress(_ input: [UInt8]) throws(Failure) -> [UInt8]? {
        guard input.count <= maxInputBytes else { throw .inputTooLarge(bytes: input.count) }
        guard !input.isEmpty else { return nil }
        let capacity = input.count - 1
        guard capacity > 0 else { return nil }
        var output = [UInt8](repeating: 0, count: capacity)
        let written = input.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { destination in
                source.withMemoryRebound(to: CChar.self) { source in
                    destination.withMemoryRebound(to: CChar.self) { destination in
                        LZ4_compress_default(source.baseAddress, destination.baseAddress, Int32(source.count), Int32(capacity))
                    }
                }
            }
        }
        // 0 means "did not fit in capacity": compression would not save a byte.
        guard written > 0 else { return nil }
        output.removeLast(capacity - Int(written))
        return output
    }

    /// Compresses `input` into `output` if the result fits in `output.count` bytes. Returns the
    /// compressed length, or nil when it would not fit (compression would not save enough).
    public static func compress(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) -> Int? {
        guard !input.isEmpty, input.count <= maxInputBytes, !output.isEmpty else { return nil }
        let written = LZ4_compress_default(
            input.baseAddress!.assumingMemoryBound(to: CChar.self), output.baseAddress!.assumingMemoryBound(to: CChar.self),
            Int32(input.count), Int32(min(output.count, Int(Int32.max))))
        return written > 0 ? Int(written) : nil
    }

    /// Decompresses a block that must expand to exactly `originalBytes`.
    public static func decompress(_ block: [UInt8], originalBytes: Int) throws(Failure) -> [UInt8] {
        guard originalBytes <= maxInputBytes, !block.isEmpty else {
            throw .corruptBlock(compressedBytes: block.count, expectedBytes: originalBytes)
        }
        var output = [UInt8](repeating: 0, count: originalBytes)
        let produced = block.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { destination in
                source.withMemoryRebound(to: CChar.self) { source in
                    destination.withMemoryRebound(to: CChar.self) { destination in
                        LZ4_decompress_safe(source.baseAddress, destination.baseAddress, Int32(source.count), Int32(originalBytes))
                    }
                }
            }
        }
        guard produced == originalBytes else {
            throw .corruptBlock(compressedBytes: block.count, expectedBytes: originalBytes)
        }
        return output
    }
}
