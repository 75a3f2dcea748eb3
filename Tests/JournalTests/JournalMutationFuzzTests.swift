import Foundation
import JBRCore
import Testing
@testable import Journal

/// Hostile bytes for recovery and for `logdump`: a seeded mutation loop over the files of a real
/// journal (several zero-filled segments, lz4 and raw bodies, three terms, batches of 1–6).
///
/// Each iteration restores the pristine files, damages one or two segments (bit flips, random
/// bytes, 0xFF or zero runs, truncation, a copied range, a length field with or without a
/// resealed header checksum), runs the inspector, opens the journal and reads all it offers.
/// Properties (from `Journal.open`'s documentation and `SlotRecovery`'s table):
/// - the inspector changes nothing and every record it shows is the one written at its index;
/// - an open either succeeds or throws `JournalError.corruption`, and then changed nothing;
/// - a successful open returns exactly the records written at indices `1...last`, never fewer
///   than those lying wholly before the first damaged byte, and every valid record it gave up
///   belongs to the torn batch (no later batch, which had been synced, is dropped);
/// - it changes only what recovery documents: the torn segment cut at the reported offset and
///   zero-filled, the segments after it removed, the term table rewritten to what it kept;
/// - `repairCorruption` starts any journal `open` refused, cutting at the damage, and the
///   journal recovered either way takes the next append and reopens clean.
///
/// A failure names the seed and iteration; `JBR_JOURNAL_FUZZ_SEED=S JBR_JOURNAL_FUZZ_ITERATION=I
/// swift test --filter JournalMutationFuzzTests` replays one iteration alone.
@Suite(.timeLimit(.minutes(2)))
struct JournalMutationFuzzTests {
    static let iterations = 300
    static let recordCount = 300
    /// The smallest segment the journal allows, so 300 records span several segments.
    static let segmentBytes = 1 << 16
    static let seed: UInt64 = environmentNumber("JBR_JOURNAL_FUZZ_SEED") ?? 0x4A42_524A_0F22
    static let onlyIteration: Int? = environmentNumber("JBR_JOURNAL_FUZZ_ITERATION").map { Int($0) }

    @Test func recoveryAndInspectorSurviveDamagedSegments() async throws {
        let pristine = try await PristineJournal.write(seed: Self.seed)
        let work = TemporaryDirectory("journal-fuzz")
        var findings = Findings()
        var tally: [String: Int] = [:]
        let iterations = Self.onlyIteration.map { [$0] } ?? Array(0..<Self.iterations)
        for iteration in iterations {
            var generator = SplitMix64(seed: Self.seed ^ (UInt64(iteration) &+ 1) &* 0xD1B5_4A32_D192_ED03)
            let (files, damage) = pristine.mutated(using: &generator)
            let context = "seed \(Self.seed) iteration \(iteration) [\(damage.joined(separator: "; "))]"
            let outcome = try await check(files, pristine: pristine, directory: work.path + "/journal", context: context, findings: &findings)
            tally[outcome, default: 0] += 1
        }
        print("journal mutation fuzz, seed \(Self.seed): \(tally.sorted { $0.key < $1.key })")
        #expect(findings.counts.isEmpty, "replay one with JBR_JOURNAL_FUZZ_SEED=\(Self.seed) JBR_JOURNAL_FUZZ_ITERATION=N:\n\(findings.summary)")
        // The loop must reach every kind of outcome, or it proves less than it claims.
        if Self.onlyIteration == nil {
            for (kind, least) in [("refused", 20), ("torn tail cut", 5), ("clean end, shorter", 10)] {
                let reached = tally.filter { $0.key.hasPrefix(kind) }.values.reduce(0, +)
                #expect(reached >= least, "only \(reached) iterations ended \(kind): \(tally)")
            }
        }
    }

    // MARK: What the loop found, one case each

    /// Found by the loop above (e.g. iteration 136), fixed: a middle segment whose records stop
    /// early (zeros from a record's start on: lost writes, a damaged range) with a stray
    /// non-zero byte further on. The scan used to end at the zeros and cut the stray byte as a
    /// torn tail, deleting every later segment and their durable records. Now a segment that
    /// ends before the next one's first index is a gap: refused with `corruption`, as without
    /// the stray byte, and no segment holding records is deleted.
    @Test func strayBytesAfterAHoleInAMiddleSegmentLoseNoLaterSegment() async throws {
        let pristine = try await PristineJournal.write(seed: Self.seed)
        let directory = TemporaryDirectory("journal-stray")
        let path = directory.path + "/journal"
        var (files, segment, hole) = pristine.middleSegmentZeroedFromItsThirdRecord()
        files[segment]![hole.offset + 4 * RecordHeader.encodedSize] = 0x01
        try Snapshot.restore(files, in: path)
        do {
            let journal = try Journal.open(configuration(path))
            let last = journal.lastPosition.index.rawValue
            await journal.close()
            Issue.record("a hole at record \(hole.index) in \(segment), then a stray byte, opened as a journal of \(last) records")
        } catch let error as JournalError {
            guard case .corruption = error else { throw error }
        }
        let left = try Snapshot.read(path).keys.filter { SegmentName.firstIndex(of: $0) != nil }.count
        #expect(left == pristine.segments.count, "\(pristine.segments.count - left) segments after \(segment), holding durable records up to \(pristine.records.count), were deleted")
    }

    /// Found by the loop above (e.g. iteration 20), fixed: a segment that ends early (zeros, or
    /// a truncation, from a record's start on) before the next segment's first index is a gap,
    /// and starting with repair used to throw the same "the journal has a gap" error, so the
    /// brick could never start. Now repair does what `JournalConfiguration.repairCorruption`
    /// documents: it cuts at the damage, keeps the records before it and reports the loss.
    @Test func repairStartsAJournalWhoseMiddleSegmentEndsEarly() async throws {
        let pristine = try await PristineJournal.write(seed: Self.seed)
        let directory = TemporaryDirectory("journal-gap")
        let path = directory.path + "/journal"
        let (files, segment, cutAt) = pristine.middleSegmentZeroedFromItsThirdRecord()
        try Snapshot.restore(files, in: path)
        #expect(throws: JournalError.self) { try Journal.open(configuration(path)) }

        var repair = configuration(path)
        repair.repairCorruption = true
        let journal = try #require(try? Journal.open(repair), "repairCorruption refused to start a journal whose \(segment) ends before record \(cutAt.index)")
        #expect(journal.lastPosition.index.rawValue == UInt64(cutAt.index - 1))
        #expect(journal.recoveryReport.lostAfter?.rawValue == UInt64(cutAt.index - 1))
        await journal.close()
    }

    /// Found by the loop (JBR_JOURNAL_FUZZ_SEED=0xBEEF, iteration 15), fixed: when the last
    /// segment's records end fewer than 64 bytes before its size, every open used to read the
    /// zeros as a header cut short ("only 20 of 64 header bytes") and report a torn tail that
    /// never happened. Fewer bytes than a header hold no record: a clean end.
    @Test func aLastSegmentFilledToWithinAHeaderReopensClean() async throws {
        let directory = TemporaryDirectory("journal-full-tail")
        var configuration = configuration(directory.path + "/journal")
        configuration.compression = false
        let room = 20
        let first = 32_000
        let second = Self.segmentBytes - room - 2 * RecordHeader.encodedSize - first
        let records = [record(1, size: first), record(2, size: second)]
        let journal = try Journal.open(configuration)
        try await journal.append(records)
        await journal.close()

        let reopened = try Journal.open(configuration)
        let report = reopened.recoveryReport
        let kept = try reopened.records(from: JournalIndex(1), through: JournalIndex(2))
        await reopened.close()
        #expect(kept == records)
        #expect(report.tornTail == nil, "a segment with \(room) bytes to spare reopened with a torn tail: \(String(describing: report.tornTail))")
    }

    /// Found while checking the loop's resealed lengths, fixed: a header whose checksum holds
    /// (a buggy or newer writer's, never random damage) but whose stored length is 4 GiB, at the
    /// start of a segment after the first. `Journal.segmentHasRecords` used to read that many
    /// bytes before the scan refused the record (4.2 GB resident and 7 s to refuse a 0.5 MB
    /// journal); now it applies the format's limit first, as `RecordReader` does.
    @Test func aForgedHugeLengthIsRefusedWithoutReadingThatMuch() async throws {
        let pristine = try await PristineJournal.write(seed: Self.seed)
        let directory = TemporaryDirectory("journal-forged")
        let path = directory.path + "/journal"
        var files = pristine.files
        let segment = pristine.segments[2]
        var bytes = files[segment]!
        // Stored and original lengths (offsets 12 and 16, equal as a raw body's must be) of
        // 1 GiB, 60 times the format's limit (4 GiB shows the same, but could exhaust a small
        // CI machine), and the header checksum resealed over them.
        let forged = withUnsafeBytes(of: UInt32(1 << 30).littleEndian) { Array($0) }
        bytes.replaceSubrange(12..<20, with: forged + forged)
        let checksum = CRC32C.checksum(bytes[4..<RecordHeader.encodedSize])
        bytes.replaceSubrange(0..<4, with: withUnsafeBytes(of: checksum.littleEndian) { Array($0) })
        files[segment] = bytes
        try Snapshot.restore(files, in: path)
        let residentBefore = Self.peakResidentBytes()
        #expect(throws: JournalError.self) { try Journal.open(configuration(path)) }
        let grown = Self.peakResidentBytes() - residentBefore
        #expect(grown < 256 << 20, "refusing a journal of \(files.values.map(\.count).reduce(0, +)) bytes raised the peak resident size by \(grown >> 20) MiB")
    }

    /// The process's peak resident size so far (a high-water mark: it never goes down).
    static func peakResidentBytes() -> Int {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return usage.ru_maxrss * 1024
    }

    // MARK: One iteration

    /// Runs the inspector and recovery on `files` and checks every property. Returns the kind of
    /// outcome, for the tally.
    func check(_ files: [String: [UInt8]], pristine: PristineJournal, directory: String, context: String, findings: inout Findings) async throws -> String {
        func fail(_ kind: String, _ detail: String) { findings.record(kind, "\(context): \(detail)") }
        try Snapshot.restore(files, in: directory)
        let intact = pristine.recordsBeforeFirstDamage(in: files)

        // The inspector (logdump): read-only, and never shows a record that was not written.
        var shown: [RecordHeader] = []
        var damageReports = 0
        do {
            try JournalInspector.inspect(directory: directory) { item in
                switch item {
                case let .record(segment, offset, header, record):
                    shown.append(header)
                    let index = Int(header.position.index.rawValue)
                    if !(1...pristine.records.count).contains(index) || !Bytes.same(record, pristine.records[index - 1]) {
                        fail("inspector showed a record never written", "inspector showed \(record) at \(segment)+\(offset), which was never written there")
                    }
                case .damage:
                    damageReports += 1
                case .otherFile:
                    break
                }
            }
        } catch {
            fail("inspector threw", "inspector threw \(error)")
        }
        if try !Bytes.same(Snapshot.read(directory), files) { fail("inspector changed files", "the inspector changed the directory") }
        let indices = shown.map { Int($0.position.index.rawValue) }
        let showsTrouble = damageReports > 0 || indices != Array(stride(from: 1, through: indices.count, by: 1))

        let configuration = configuration(directory)
        let journal: Journal
        do {
            journal = try Journal.open(configuration)
        } catch let error as JournalError {
            guard case let .corruption(_, _, expected, _) = error else {
                fail("open threw a non-corruption error", "open threw \(error), not a corruption report")
                return "other error"
            }
            if try !Bytes.same(Snapshot.read(directory), files) { fail("a refusing open changed files", "an open that refused the journal changed files") }
            if Bytes.same(files, pristine.files) { fail("pristine journal refused", "the pristine journal was refused: \(error)") }
            if Int(expected.rawValue) <= intact { fail("refused before the damage", "refused at record \(expected.rawValue), but records 1...\(intact) lie before the damage: \(error)") }
            if !showsTrouble { fail("refusal invisible to the inspector", "open refused the journal (\(error)) but the inspector showed neither damage nor a gap") }
            try await checkRepair(files, pristine: pristine, directory: directory, refusal: error, intact: intact, fail: fail)
            // logdump must not call sound (exit 0) a journal the brick refuses to open.
            if damageReports == 0 { fail("refusal without damage for logdump", "open refused the journal (\(error)) but logdump would report no damage") }
            return "refused"
        } catch {
            fail("open threw a non-journal error", "open threw a non-journal error \(error)")
            return "other error"
        }
        let report = journal.recoveryReport
        let last = Int(journal.lastPosition.index.rawValue)
        checkRecords(journal, last: last, pristine: pristine, fail: fail)
        await journal.close()
        if last < intact { fail("open lost records before the damage", "open kept \(last) records but \(intact) lie wholly before the damage (report \(report))") }
        if report.repairedCorruption != nil { fail("repaired unasked", "repaired without being asked: \(report)") }
        checkGivenUp(shown, last: last, fail: fail)
        try checkFilesAfterRecovery(before: files, report: report, cut: report.tornTail, last: last, pristine: pristine, directory: directory, fail: fail)
        try await checkJournalContinues(pristine: pristine, last: last, directory: directory, fail: fail)
        switch (report.tornTail != nil, last == pristine.records.count) {
        case (true, true): return "cut stray bytes, all kept"
        case (true, false): return "torn tail cut"
        case (false, true): return "clean end, all kept"
        case (false, false): return "clean end, shorter"
        }
    }

    /// `repairCorruption` must start what a plain open refused, cutting at the damage.
    func checkRepair(
        _ files: [String: [UInt8]], pristine: PristineJournal, directory: String, refusal: JournalError, intact: Int, fail: (String, String) -> Void
    ) async throws {
        var configuration = configuration(directory)
        configuration.repairCorruption = true
        let journal: Journal
        do {
            journal = try Journal.open(configuration)
        } catch {
            fail("repair refused to start", "repairCorruption did not start the journal open refused (\(refusal)): \(error)")
            if try !Bytes.same(Snapshot.read(directory), files) { fail("a failed repair changed files", "a failed repair changed files") }
            return
        }
        let report = journal.recoveryReport
        let last = Int(journal.lastPosition.index.rawValue)
        checkRecords(journal, last: last, pristine: pristine, fail: fail)
        await journal.close()
        if last < intact { fail("repair lost records before the damage", "repair kept \(last) records but \(intact) lie wholly before the damage") }
        if case let .corruption(_, _, expected, _) = refusal, last != Int(expected.rawValue) - 1 {
            fail("repair cut elsewhere than the refusal", "repair kept through \(last), but open had refused at record \(expected.rawValue)")
        }
        if report.lostAfter.map({ Int($0.rawValue) }) != last { fail("repair misreports its loss", "repair reports lost after \(String(describing: report.lostAfter)), kept through \(last)") }
        guard let cut = report.repairedCorruption else {
            fail("repair cut nothing", "repair cut nothing: \(report)")
            return
        }
        try checkFilesAfterRecovery(before: files, report: report, cut: cut, last: last, pristine: pristine, directory: directory, fail: fail)
        try await checkJournalContinues(pristine: pristine, last: last, directory: directory, fail: fail)
    }

    /// Every record the journal offers is the one written at its index, byte for byte.
    func checkRecords(_ journal: Journal, last: Int, pristine: PristineJournal, fail: (String, String) -> Void) {
        guard last > 0 else { return }
        guard last <= pristine.records.count else {
            fail("recovered beyond the records written", "open recovered through \(last), beyond the \(pristine.records.count) records written")
            return
        }
        do {
            let records = try journal.records(from: JournalIndex(1), through: JournalIndex(UInt64(last)))
            if !Bytes.same(records, pristine.records[0..<last]) {
                let first = zip(records, pristine.records).enumerated().first { !Bytes.same($0.element.0, $0.element.1) }.map { "\($0.offset + 1)" } ?? "count \(records.count)"
                fail("records read back differ", "records read back differ from those written (first difference at \(first))")
            }
        } catch {
            fail("reading records threw", "reading records 1...\(last) threw \(error)")
        }
    }

    /// Valid records recovery gave up must all belong to the batch that was torn: a record of a
    /// later batch proves the damaged slot had been synced, so cutting there loses durable data.
    func checkGivenUp(_ shown: [RecordHeader], last: Int, fail: (String, String) -> Void) {
        let dropped = shown.filter { Int($0.position.index.rawValue) > last && Int($0.batchFirstIndex.rawValue) > last + 1 }
        if let first = dropped.first {
            fail("durable later batch given up", "recovery ended at \(last) but record \(first.position) of a later batch (from \(first.batchFirstIndex.rawValue)) was intact: \(dropped.count) durable records given up")
        }
    }

    /// Recovery changes only what it documents: the cut segment's bytes from the cut offset on
    /// (zero-filled to the segment size), the segments after it (removed), segments it reports
    /// as empty leftovers of a rotation (removed), the term table.
    func checkFilesAfterRecovery(
        before: [String: [UInt8]], report: RecoveryReport, cut: RecoveryReport.Cut?, last: Int, pristine: PristineJournal, directory: String,
        fail: (String, String) -> Void
    ) throws {
        let after = try Snapshot.read(directory)
        for name in Set(before.keys).union(after.keys).sorted() where name != TermTable.fileName {
            let new = after[name]
            guard let old = before[name] else {
                fail("recovery created a file", "recovery created \(name)")
                continue
            }
            guard SegmentName.firstIndex(of: name) != nil else {
                if new.map({ !Bytes.same($0, old) }) ?? true { fail("recovery changed another file", "recovery changed or removed \(name)") }
                continue
            }
            guard let cut else {
                if new == nil, report.removedEmptySegments == 0 { fail("recovery removed a segment unreported", "recovery removed \(name) without reporting a cut or an empty segment") }
                if let new, !Bytes.same(new, old) { fail("recovery changed a segment unreported", "recovery changed \(name) without reporting a cut") }
                continue
            }
            if name < cut.segment {
                if new.map({ !Bytes.same($0, old) }) ?? true { fail("recovery changed a segment before the cut", "recovery changed \(name), before the cut segment \(cut.segment)") }
            } else if name == cut.segment {
                guard let new else {
                    fail("recovery removed the cut segment", "recovery removed the segment it reports cutting, \(name)")
                    continue
                }
                let expectedSize = max(cut.offset, Self.segmentBytes)
                if new.count != expectedSize || cut.offset > old.count || !Bytes.same(new[..<cut.offset], old[..<cut.offset]) || !Bytes.isZero(new[cut.offset...]) {
                    fail("cut segment not cut as documented", "\(name) after the cut at \(cut.offset) is not the old bytes up to it and zeros to \(expectedSize) (\(new.count) bytes)")
                }
            } else if new != nil {
                fail("segment after the cut kept", "\(name), after the cut segment \(cut.segment), was kept")
            }
        }
        let expectedStarts = pristine.termStarts(through: last)
        let table = try TermTable.load(from: directory)
        if table?.starts != expectedStarts || table?.trimmedThrough != .zero {
            fail("term table wrong after recovery", "term table after recovery is \(String(describing: table)), expected starts \(expectedStarts)")
        }
    }

    /// The recovered journal takes the next record (the original one, when there is one) and
    /// reopens clean with it.
    func checkJournalContinues(pristine: PristineJournal, last: Int, directory: String, fail: (String, String) -> Void) async throws {
        let reopened: Journal
        do {
            reopened = try Journal.open(configuration(directory))
        } catch {
            fail("second open threw", "the second open after recovery threw \(error)")
            return
        }
        let report = reopened.recoveryReport
        if report.tornTail != nil || report.repairedCorruption != nil || Int(reopened.lastPosition.index.rawValue) != last {
            fail("second open not clean", "the second open after recovery was not clean: \(report)")
            await reopened.close()
            return
        }
        let next = last < pristine.records.count
            ? pristine.records[last]
            : JournalRecord(position: LogPosition(term: pristine.records[last - 1].position.term, index: JournalIndex(UInt64(last + 1))), type: .operation, body: Array("one more".utf8))
        do {
            try await reopened.append([next])
        } catch {
            fail("append after recovery threw", "appending \(next.position) after recovery threw \(error)")
        }
        await reopened.close()
        let third: Journal
        do {
            third = try Journal.open(configuration(directory))
        } catch {
            fail("open after the append threw", "reopening after appending \(next.position) threw \(error)")
            return
        }
        let expected = Array(pristine.records[0..<last]) + [next]
        let records = (try? third.records(from: JournalIndex(1), through: next.position.index)) ?? []
        if third.recoveryReport.tornTail != nil || !Bytes.same(records, expected[...]) {
            fail("journal after recovery and append wrong", "after appending \(next.position) the journal reopens with \(records.count) records, report \(third.recoveryReport)")
        }
        await third.close()
    }

    func configuration(_ directory: String) -> JournalConfiguration {
        var configuration = JournalConfiguration(directory: directory, volumeID: testVolume)
        configuration.segmentBytes = Self.segmentBytes
        return configuration
    }

    static func environmentNumber(_ name: String) -> UInt64? {
        guard let text = ProcessInfo.processInfo.environment[name] else { return nil }
        return text.hasPrefix("0x") ? UInt64(text.dropFirst(2), radix: 16) : UInt64(text)
    }
}

extension JournalMutationFuzzTests {
    /// Failures of one run, by kind: each kind counted, its first occurrence kept with its context.
    struct Findings {
        var counts: [String: Int] = [:]
        var examples: [String: String] = [:]

        mutating func record(_ kind: String, _ detail: String) {
            counts[kind, default: 0] += 1
            if examples[kind] == nil { examples[kind] = detail }
        }

        var summary: String {
            counts.sorted { $0.key < $1.key }.map { "\($0.value) × \($0.key), first: \(examples[$0.key]!)" }.joined(separator: "\n")
        }
    }

    /// Byte comparisons through `memcmp`: element by element, a debug build spends most of the
    /// loop comparing arrays.
    enum Bytes {
        static func same(_ a: ArraySlice<UInt8>, _ b: ArraySlice<UInt8>) -> Bool {
            a.count == b.count && a.withUnsafeBytes { a in b.withUnsafeBytes { b in a.isEmpty || memcmp(a.baseAddress!, b.baseAddress!, a.count) == 0 } }
        }

        static func same(_ a: [UInt8], _ b: [UInt8]) -> Bool { same(a[...], b[...]) }

        static func same(_ a: [String: [UInt8]], _ b: [String: [UInt8]]) -> Bool {
            a.count == b.count && a.allSatisfy { name, bytes in b[name].map { same($0, bytes) } ?? false }
        }

        static func same(_ a: JournalRecord, _ b: JournalRecord) -> Bool {
            a.position == b.position && a.type == b.type && same(a.body, b.body)
        }

        static func same(_ a: [JournalRecord], _ b: ArraySlice<JournalRecord>) -> Bool {
            a.count == b.count && zip(a, b).allSatisfy { same($0, $1) }
        }

        static func isZero(_ bytes: ArraySlice<UInt8>) -> Bool {
            let zeros = [UInt8](repeating: 0, count: bytes.count)
            return same(bytes, zeros[...])
        }

        /// The first offset where `new` differs from `old` (its end, if one is a prefix of the
        /// other), or nil if they are equal.
        static func firstDifference(_ old: [UInt8], _ new: [UInt8]) -> Int? {
            if same(old, new) { return nil }
            var low = 0
            var high = min(old.count, new.count)
            // The longest equal prefix, by halving: each step one memcmp.
            while low < high {
                let middle = (low + high + 1) / 2
                if same(old[..<middle], new[..<middle]) { low = middle } else { high = middle - 1 }
            }
            return low
        }
    }

    /// A journal directory's files by name.
    enum Snapshot {
        static func read(_ directory: String) throws -> [String: [UInt8]] {
            var files: [String: [UInt8]] = [:]
            for name in try FileManager.default.contentsOfDirectory(atPath: directory) {
                let data = try Data(contentsOf: URL(fileURLWithPath: directory + "/" + name))
                files[name] = [UInt8](unsafeUninitializedCapacity: data.count) { buffer, count in count = data.copyBytes(to: buffer) }
            }
            return files
        }

        /// Makes `directory` hold exactly `files`.
        static func restore(_ files: [String: [UInt8]], in directory: String) throws {
            try? FileManager.default.removeItem(atPath: directory)
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            for (name, bytes) in files { try Data(bytes).write(to: URL(fileURLWithPath: directory + "/" + name)) }
        }
    }

    /// The journal every iteration starts from, written once through the real append path.
    struct PristineJournal {
        var records: [JournalRecord]
        var files: [String: [UInt8]]
        /// Each segment's records as written: index, byte offset, size.
        var layout: [String: [(index: Int, offset: Int, size: Int)]]
        var segments: [String] { layout.keys.sorted() }

        /// The files with the second segment zeroed from its third record on (lost writes, a
        /// damaged range), that segment, and where its third record was.
        func middleSegmentZeroedFromItsThirdRecord() -> (files: [String: [UInt8]], segment: String, from: (index: Int, offset: Int, size: Int)) {
            let segment = segments[1]
            let third = layout[segment]![2]
            var files = files
            files[segment]!.replaceSubrange(third.offset..., with: [UInt8](repeating: 0, count: files[segment]!.count - third.offset))
            return (files, segment, third)
        }

        static func write(seed: UInt64) async throws -> PristineJournal {
            var generator = SplitMix64(seed: seed)
            var records: [JournalRecord] = []
            for index in 1...JournalMutationFuzzTests.recordCount {
                let term: UInt64 = index <= 100 ? 1 : index <= 210 ? 2 : 5
                let first = index == 1 || index == 101 || index == 211
                records.append(JournalRecord(
                    position: LogPosition(term: Term(term), index: JournalIndex(UInt64(index))), type: first ? .termStart : .operation,
                    body: index == 150 ? randomBytes(70_000, using: &generator) : randomBody(using: &generator)))
            }
            let directory = TemporaryDirectory("journal-fuzz-pristine")
            let configuration = journalConfiguration(directory, segmentBytes: JournalMutationFuzzTests.segmentBytes)
            let journal = try Journal.open(configuration)
            var next = 0
            while next < records.count {
                let batch = Array(records[next..<min(records.count, next + Int.random(in: 1...6, using: &generator))])
                try await journal.append(batch)
                next += batch.count
            }
            await journal.close()

            var layout: [String: [(index: Int, offset: Int, size: Int)]] = [:]
            var batches = Set<UInt64>()
            var codecs = Set<RecordCodec>()
            var damage = 0
            try JournalInspector.inspect(directory: configuration.directory) { item in
                switch item {
                case let .record(segment, offset, header, _):
                    layout[segment, default: []].append((Int(header.position.index.rawValue), offset, header.recordSize))
                    batches.insert(header.batchFirstIndex.rawValue)
                    codecs.insert(header.codec)
                case .damage: damage += 1
                case .otherFile: break
                }
            }
            let pristine = PristineJournal(records: records, files: try Snapshot.read(configuration.directory), layout: layout)
            // The fixture must hold what the loop is meant to damage.
            precondition(damage == 0 && layout.values.map(\.count).reduce(0, +) == records.count, "the pristine journal does not read back whole")
            precondition(layout.count >= 4 && batches.count > 50 && codecs == [.raw, .lz4], "the pristine journal lacks variety: \(layout.count) segments, \(batches.count) batches, \(codecs)")
            return pristine
        }

        /// Sizes from empty to a few KiB; a third of them compress well, a third somewhat, a third not.
        static func randomBody(using generator: inout SplitMix64) -> [UInt8] {
            let size = [Int.random(in: 0...63, using: &generator), Int.random(in: 64...700, using: &generator),
                        Int.random(in: 700...3000, using: &generator), Int.random(in: 3000...9000, using: &generator)][
                [0, 1, 1, 2, 2, 3].randomElement(using: &generator)!]
            switch Int.random(in: 0..<3, using: &generator) {
            case 0: return [UInt8](repeating: UInt8.random(in: 0...255, using: &generator), count: size)
            case 1:
                let words = (0..<8).map { _ in randomBytes(Int.random(in: 2...9, using: &generator), using: &generator) }
                var body: [UInt8] = []
                while body.count < size { body += words.randomElement(using: &generator)! }
                return Array(body.prefix(size))
            default: return randomBytes(size, using: &generator)
            }
        }

        /// The term table of a journal holding records `1...last`.
        func termStarts(through last: Int) -> [TermTable.TermStart] {
            var starts: [TermTable.TermStart] = []
            for record in records.prefix(last) where starts.last?.term != record.position.term {
                starts.append(TermTable.TermStart(term: record.position.term, firstIndex: record.position.index))
            }
            return starts
        }

        /// How many records, from the first, lie wholly before the first byte that differs from
        /// the pristine files (segments in index order): no recovery may lose them.
        func recordsBeforeFirstDamage(in files: [String: [UInt8]]) -> Int {
            var count = 0
            for segment in segments {
                let firstChange = Bytes.firstDifference(self.files[segment]!, files[segment] ?? [])
                guard let firstChange else {
                    count += layout[segment]!.count
                    continue
                }
                return count + layout[segment]!.prefix { $0.offset + $0.size <= firstChange }.count
            }
            return count
        }

        // MARK: Damage

        /// The pristine files with one or two segments damaged, and what was done.
        func mutated(using generator: inout SplitMix64) -> ([String: [UInt8]], [String]) {
            var files = self.files
            var log: [String] = []
            // The last segment (where torn writes are) half the time, any one otherwise, sometimes two.
            let roll = Int.random(in: 0..<100, using: &generator)
            let targets = roll < 45 ? [segments.last!] : Array(segments.shuffled(using: &generator).prefix(roll < 90 ? 1 : 2))
            for segment in targets {
                var bytes = files[segment]!
                for _ in 0..<[1, 1, 1, 1, 2, 3].randomElement(using: &generator)! {
                    log.append("\(segment): " + damage(&bytes, records: layout[segment]!, using: &generator))
                }
                files[segment] = bytes
            }
            return (files, log)
        }

        enum Damage: CaseIterable {
            case flipBits, randomBytes, fillFF, zeroRange, zeroToEnd, truncate, copyRange, lengthField, resealedLengthField
        }

        /// Applies one random damage to a segment's bytes and describes it.
        func damage(_ bytes: inout [UInt8], records: [(index: Int, offset: Int, size: Int)], using generator: inout SplitMix64) -> String {
            guard !bytes.isEmpty else { return "empty, left alone" }
            let dataEnd = records.last.map { $0.offset + $0.size } ?? 0
            /// Mostly where records are (and just after), sometimes in the zero-filled rest.
            func position() -> Int {
                let roll = Int.random(in: 0..<100, using: &generator)
                if roll < 70 { return Int.random(in: 0..<min(bytes.count, dataEnd + 64), using: &generator) }
                if roll < 85, let record = records.randomElement(using: &generator) {
                    return min(bytes.count - 1, max(0, record.offset + Int.random(in: -4...70, using: &generator)))
                }
                return Int.random(in: 0..<bytes.count, using: &generator)
            }
            func span(_ start: Int, upTo length: Int) -> Range<Int> { start..<min(bytes.count, start + Int.random(in: 1...length, using: &generator)) }
            /// Where a random record starts, within what an earlier damage (a truncation) left.
            func recordStart() -> Int { min(bytes.count, records.randomElement(using: &generator)?.offset ?? position()) }

            let kind = Damage.allCases.randomElement(using: &generator)!
            switch kind {
            case .flipBits:
                let flips = (0..<Int.random(in: 1...4, using: &generator)).map { _ in (position(), Int.random(in: 0...7, using: &generator)) }
                for (at, bit) in flips { bytes[at] ^= 1 << bit }
                return "flipped bits \(flips.map { "\($0.0).\($0.1)" })"
            case .randomBytes:
                let range = span(position(), upTo: 256)
                for at in range { bytes[at] = UInt8.random(in: 0...255, using: &generator) }
                return "random bytes over \(range)"
            case .fillFF:
                let range = span(position(), upTo: 512)
                for at in range { bytes[at] = 0xFF }
                return "0xFF over \(range)"
            case .zeroRange:
                let range = span(position(), upTo: 4096)
                for at in range { bytes[at] = 0 }
                return "zeros over \(range)"
            case .zeroToEnd:
                // Writes that never reached the disk, from a record's start on.
                let start = recordStart()
                for at in start..<bytes.count { bytes[at] = 0 }
                return "zeros from \(start) to the end"
            case .truncate:
                let at = Bool.random(using: &generator) ? position() : recordStart()
                bytes.removeLast(bytes.count - at)
                return "truncated at \(at)"
            case .copyRange:
                // A whole record, or any bytes, written again somewhere else: valid headers out of place.
                let source: Range<Int>
                if Bool.random(using: &generator), let record = records.randomElement(using: &generator), record.offset < bytes.count {
                    source = record.offset..<min(bytes.count, record.offset + record.size)
                } else {
                    source = span(position(), upTo: 512)
                }
                let destination = Bool.random(using: &generator) ? recordStart() : position()
                let piece = Array(bytes[source])
                for (step, byte) in piece.enumerated() where destination + step < bytes.count { bytes[destination + step] = byte }
                return "copied \(source) to \(destination)"
            case .lengthField, .resealedLengthField:
                guard let record = records.randomElement(using: &generator), record.offset + RecordHeader.encodedSize <= bytes.count else {
                    bytes[position()] ^= 0x40
                    return "no whole header; flipped one bit instead"
                }
                // Stored length at 12, original length at 16 (see `RecordHeader`).
                let field = record.offset + (Bool.random(using: &generator) ? 12 : 16)
                let old = (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[field + $1]) << (8 * $1) }
                let new: UInt32 = switch Int.random(in: 0..<5, using: &generator) {
                case 0: old &+ UInt32.random(in: 1...64, using: &generator)
                case 1: old &- UInt32.random(in: 1...64, using: &generator)
                case 2: 0
                case 3: UInt32(JournalLimits.maxBodyBytes) + UInt32.random(in: 0...1, using: &generator)
                default: UInt32.random(in: 0...UInt32.max, using: &generator)
                }
                for step in 0..<4 { bytes[field + step] = UInt8(truncatingIfNeeded: new >> (8 * step)) }
                guard kind == .resealedLengthField else { return "length at \(field) \(old) → \(new)" }
                // As a buggy writer would leave it: the header checksum matches the lie.
                let header = record.offset
                let checksum = CRC32C.checksum(bytes[(header + 4)..<(header + RecordHeader.encodedSize)])
                for step in 0..<4 { bytes[header + step] = UInt8(truncatingIfNeeded: checksum >> (8 * step)) }
                return "length at \(field) \(old) → \(new), header checksum resealed"
            }
        }
    }
}
