import JBRCore
import NIOCore
import NIOEmbedded
import Testing
@testable import Wire

/// Random and mutated frames against the decoder in an `EmbeddedChannel`: it must never trap,
/// never hang (every input is finite and each step consumes or stops), reject every input that
/// is not exactly a valid frame, and decode every unmodified frame to the original whatever the
/// chunking.
@Suite struct FrameDecoderFuzzTests {
    static let cases = 100_000
    /// Shards run as parallel test cases, each with its own seed.
    static let shards: [UInt64] = [0, 1, 2, 3]
    static let maxBodyBytes = 512

    /// Random bytes that bodies and garbage are cut from: drawing them one by one per case
    /// would cost more than decoding them.
    static let pool: [UInt8] = {
        var generator = SplitMix64(seed: 0x0B0D_1E5)
        return (0..<(1 << 16) / 8).flatMap { _ in withUnsafeBytes(of: generator.next()) { Array($0) } }
    }()

    enum Mutation: CaseIterable {
        case none, bitFlips, truncation, lengthEdit, lengthEditResealed, checksumEditResealed, garbagePrefix, garbageSuffix, randomBytes
    }

    struct Outcome {
        var frames: [Frame] = []
        var error: Error?
    }

    @Test(arguments: shards)
    func decoderSurvivesMutatedFrames(shard: UInt64) {
        var generator = SplitMix64(seed: 0x5EED_F00D + shard)
        var failures: [String] = []
        var rejections: [String: Int] = [:]
        var decodedUnmodified = 0
        let cases = FrameDecoderFuzzTests.cases / FrameDecoderFuzzTests.shards.count
        let loop = EmbeddedEventLoop()
        for index in 0..<cases {
            let original = randomFrame(using: &generator)
            let originalBytes = Array(original.encoded().readableBytesView)
            let mutation = Mutation.allCases.randomElement(using: &generator)!
            let input = mutate(originalBytes, with: mutation, using: &generator)
            let outcome = feed(input, chunks: randomChunks(input.count, using: &generator), loop: loop)

            if input == originalBytes {
                if outcome.error == nil, outcome.frames == [original] {
                    decodedUnmodified += 1
                } else if failures.count < 5 {
                    failures.append("case \(index) \(mutation): unmodified frame gave \(outcome.frames) / \(String(describing: outcome.error))")
                }
                continue
            }
            guard let error = outcome.error else {
                if failures.count < 5 { failures.append("case \(index) \(mutation): mutated input accepted, frames \(outcome.frames)") }
                continue
            }
            if !outcome.frames.allSatisfy({ $0 == original }), failures.count < 5 {
                failures.append("case \(index) \(mutation): produced a frame that is not the original")
            }
            let code = (error as? JBRError).map { "\($0.code)" } ?? "non-JBRError \(type(of: error))"
            rejections[code, default: 0] += 1
        }
        #expect(failures.isEmpty, "seed shard \(shard): \(failures)")
        #expect(decodedUnmodified > cases / 20)
        #expect(rejections.keys.allSatisfy { !$0.hasPrefix("non-JBRError") }, "\(rejections)")
        #expect(rejections["frame too large", default: 0] > 0)
        #expect(rejections["unsupported protocol version", default: 0] > 0)
    }

    private func randomFrame(using generator: inout SplitMix64) -> Frame {
        let type = MessageType(rawValue: UInt8.random(in: 1...255, using: &generator))
        let length = Int.random(in: 0...FrameDecoderFuzzTests.maxBodyBytes, using: &generator) >> Int.random(in: 0...4, using: &generator)
        return Frame(type: type, requestID: generator.next(), body: ByteBuffer(bytes: poolSlice(length, using: &generator)))
    }

    private func mutate(_ bytes: [UInt8], with mutation: Mutation, using generator: inout SplitMix64) -> [UInt8] {
        var bytes = bytes
        switch mutation {
        case .none:
            break
        case .bitFlips:
            for _ in 0..<Int.random(in: 1...3, using: &generator) {
                bytes[Int.random(in: 0..<bytes.count, using: &generator)] ^= 1 << UInt8.random(in: 0...7, using: &generator)
            }
        case .truncation:
            bytes.removeLast(Int.random(in: 1..<bytes.count, using: &generator))  // keep one byte: an empty input is no frame at all
        case .lengthEdit, .lengthEditResealed:
            let length = Bool.random(using: &generator)
                ? UInt32.random(in: 0...UInt32(FrameDecoderFuzzTests.maxBodyBytes * 2), using: &generator)
                : UInt32.random(in: 0...UInt32.max, using: &generator)
            overwrite(&bytes, at: 16, with: length)
            if mutation == .lengthEditResealed { reseal(&bytes) }
        case .checksumEditResealed:
            overwrite(&bytes, at: 20, with: UInt32.random(in: 0...UInt32.max, using: &generator))
            reseal(&bytes)
        case .garbagePrefix:
            bytes.insert(contentsOf: randomBytes(1...16, using: &generator), at: 0)
        case .garbageSuffix:
            bytes.append(contentsOf: randomBytes(1...16, using: &generator))
        case .randomBytes:
            bytes = randomBytes(1...64, using: &generator)
            if Bool.random(using: &generator) {
                bytes = Array("JBRF".utf8) + [UInt8.random(in: 0...2, using: &generator)] + bytes  // get past the magic
            }
        }
        return bytes
    }

    private func randomBytes(_ count: ClosedRange<Int>, using generator: inout SplitMix64) -> [UInt8] {
        Array(poolSlice(Int.random(in: count, using: &generator), using: &generator))
    }

    private func poolSlice(_ length: Int, using generator: inout SplitMix64) -> ArraySlice<UInt8> {
        let pool = FrameDecoderFuzzTests.pool
        let start = Int.random(in: 0...(pool.count - length), using: &generator)
        return pool[start..<(start + length)]
    }

    private func overwrite(_ bytes: inout [UInt8], at offset: Int, with value: UInt32) {
        for index in 0..<4 { bytes[offset + index] = UInt8(truncatingIfNeeded: value >> (8 * index)) }
    }

    /// Recomputes the header checksum, so the damage gets past the header check.
    private func reseal(_ bytes: inout [UInt8]) {
        overwrite(&bytes, at: 24, with: CRC32C.checksum(bytes[0..<24]))
    }

    /// One to four chunks with random cut points (byte-by-byte feeding is the verifier's job).
    private func randomChunks(_ count: Int, using generator: inout SplitMix64) -> [Int] {
        guard count > 1 else { return [count] }
        let cuts = (0..<Int.random(in: 0...3, using: &generator)).map { _ in Int.random(in: 1..<count, using: &generator) }
        let points = [0] + Set(cuts).sorted() + [count]
        return zip(points, points.dropFirst()).map { $1 - $0 }
    }

    private func feed(_ input: [UInt8], chunks: [Int], loop: EmbeddedEventLoop) -> Outcome {
        let decoder = ByteToMessageHandler(FrameDecoder(maxBodyBytes: FrameDecoderFuzzTests.maxBodyBytes))
        let channel = EmbeddedChannel(handler: decoder, loop: loop)
        var outcome = Outcome()
        var offset = 0
        do {
            for size in chunks {
                try channel.writeInbound(ByteBuffer(bytes: input[offset..<(offset + size)]))
                offset += size
            }
        } catch {
            outcome.error = error
        }
        while let frame = try? channel.readInbound(as: Frame.self) { outcome.frames.append(frame) }
        do {
            _ = try channel.finish(acceptAlreadyClosed: true)
        } catch {
            outcome.error = outcome.error ?? error
        }
        return outcome
    }
}
