import ArgumentParser
import Foundation
import JBRClient
import JBRCore
import Logging
import NIOCore
import Reconcile
import Wire

/// `jbr-server recon --volfile FILE [--dry-run]`: asks every brick of the replica set for its
/// terms and positions and prints what reconciliation would do; without `--dry-run` it has the
/// leader carry the plan out (the leader plans every follower again from fresh reports) and
/// waits until the replicas agree.
struct ReconCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recon",
        abstract: "Show each replica's terms and positions and the reconciliation plan.",
        discussion: """
            Contacts every brick of the replica set named by the volfile (a client volfile, or any brick's volfile), \
            prints what each reports and the plan: which journal is authoritative, and for each replica what to \
            truncate, replay or resync. With --dry-run nothing is changed. Without it, the leader is asked to plan \
            every follower's repair again and carry it out (leaders also do this by themselves on election and when a \
            brick returns), and the command waits up to --wait seconds for the replicas to agree. Exit status: 0 when \
            the replicas agree, 3 when the plan has (or still has) work to do or some replica did not answer, 4 when \
            the reports contradict each other.
            """)

    @Option(help: "A client volfile (NAME.tcp-fuse.vol) or a brick volfile of the volume.")
    var volfile: String

    @Flag(help: "Only show the plan; change nothing.")
    var dryRun = false

    @Flag(help: "Print JSON.")
    var json = false

    @Option(help: "Seconds to wait for each brick's answer.")
    var timeout: Double = 3

    @Option(help: "Without --dry-run: seconds to wait for the replicas to agree.")
    var wait: Double = 60

    @Option(help: "Records per checksummed range: each brick checksums ranges of its newest records (up to 1,048,576) so the plan also compares contents; 0 compares terms only.")
    var rangeSize: UInt64 = 4096

    func validate() throws {
        guard wait > 0, wait <= 86_400 else { throw ValidationError("--wait must be within (0, 86400] seconds") }
        guard timeout > 0, timeout <= 600 else { throw ValidationError("--timeout must be within (0, 600] seconds") }
        let fewest = ReconReportRequest.maxRecords / UInt64(ReplicaReport.maxRangeChecksums / 2)
        guard rangeSize == 0 || rangeSize >= fewest else { throw ValidationError("--range-size must be 0 or at least \(fewest)") }
    }

    /// What one round of questions found.
    private struct Survey {
        var reports: [ReplicaReport]
        var failures: [(brick: ClientVolfileConfiguration.Brick, error: String)]
        var leader: ReplicaID?
        var outcome: ReconciliationOutcome

        var isSettled: Bool { failures.isEmpty && outcome.plan?.isSettled == true }
    }

    func run() async throws {
        let configuration = try Self.replicaSet(fromVolfile: volfile)
        var logger = Logger(label: "jbr-server-recon")
        logger.logLevel = .critical
        let client = try VolumeClient(configuration: configuration, name: "jbr-server-recon", logger: logger)
        var survey = await self.survey(client, configuration)
        if !dryRun && !survey.isSettled {
            if !json { printText(configuration: configuration, survey) }
            survey = await carryOut(client, configuration, from: survey)
        }
        await client.close()
        if json {
            try printJSON(configuration: configuration, survey)
        } else {
            if !dryRun { print(survey.isSettled ? "the replicas agree:" : "after waiting \(wait) s:") }
            printText(configuration: configuration, survey)
        }
        switch survey.outcome {
        case .inconsistent: throw ExitCode(4)
        case .undecided: throw ExitCode(3)
        case .planned: if !survey.isSettled { throw ExitCode(3) }
        }
    }

    /// Asks the leader to plan again and carry it out, then surveys until the replicas agree or
    /// `wait` runs out. With no leader known, the one the replicas elect reconciles by itself.
    private func carryOut(_ client: VolumeClient, _ configuration: ClientVolfileConfiguration, from first: Survey) async -> Survey {
        if let leader = first.leader {
            let answer = await client.ask(.reconcile, order: [leader], timeout: .milliseconds(Int64(timeout * 1000)))
            if !json, case let .failure(error)? = answer.first?.reply {
                print("the leader \(leader) did not take the request (\(error)); waiting for it or its successor to reconcile")
            }
        } else if !json {
            print("no leader known: the one the replicas elect reconciles on election; waiting")
        }
        let deadline = ContinuousClock.now + .milliseconds(Int64(wait * 1000))
        var survey = first
        var lastProgress = ContinuousClock.now
        while !survey.isSettled, ContinuousClock.now < deadline {
            if case .inconsistent = survey.outcome { break }
            try? await Task.sleep(for: .milliseconds(250))
            survey = await self.survey(client, configuration)
            if !json, ContinuousClock.now - lastProgress >= .seconds(2) {
                lastProgress = ContinuousClock.now
                print(Self.progressLine(survey))
            }
        }
        return survey
    }

    /// One line: how far each replica still to repair is from the authority.
    private static func progressLine(_ survey: Survey) -> String {
        guard let plan = survey.outcome.plan else { return "  \(survey.outcome)" }
        let pending = plan.directives.filter { !$0.actions.isEmpty || $0.work == .pending }.map { directive in
            directive.work == .pending ? "\(directive.replica) not answering"
                : "\(directive.replica) agrees through \(directive.agreesThrough ?? .zero) of \(plan.authorityLast.index)"
        }
        return "  repairing: " + (pending.isEmpty ? "none" : pending.joined(separator: ", "))
    }

    private func survey(_ client: VolumeClient, _ configuration: ClientVolfileConfiguration) async -> Survey {
        let statuses = await client.status(timeout: .milliseconds(Int64(timeout * 1000)))
        // A leader the bricks agree on (the highest term's) is the authority Raft elected.
        let leaders = statuses.compactMap { try? $0.status.get() }.filter { $0.role == "leader" }
        let leader = leaders.max { $0.term < $1.term }?.replicaID
        // The leader is asked last: followers hold only what it sent them, so while writes go on
        // its report still ends at or after theirs, as the planner requires of a leader.
        let members = configuration.replicaSets[0].bricks.map(\.replicaID)
        let order = members.filter { $0 != leader } + members.filter { $0 == leader }
        var request = ByteBuffer()
        ReconReportRequest(rangeSize: rangeSize).encode(to: &request)
        let answers = await client.ask(.reconReport, body: request, order: order, timeout: .milliseconds(Int64(timeout * 1000)))

        var reports: [ReplicaReport] = []
        var failures: [(brick: ClientVolfileConfiguration.Brick, error: String)] = []
        for (brick, answer) in answers {
            do {
                var body = try answer.get()
                let report = try ReplicaReport(from: &body)
                guard report.replica == brick.replicaID else {
                    throw JBRError(.protocolViolation, "answered as \(report.replica), expected \(brick.replicaID)")
                }
                reports.append(report)
            } catch {
                failures.append((brick, "\(error)"))
            }
        }
        let outcome = ReconciliationPlanner.plan(replicaCount: configuration.replicaCount, reports: reports, leader: leader)
        return Survey(reports: reports, failures: failures, leader: leader, outcome: outcome)
    }

    static func replicaSet(fromVolfile path: String) throws -> ClientVolfileConfiguration {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ValidationError("cannot read \(path): \(error.localizedDescription)")
        }
        let graph = try VolfileParser.parse(text)
        if let client = try? ClientVolfileConfiguration(graph: graph) { return client }
        do {
            return ClientVolfileConfiguration(replicaSetOf: try BrickVolfileConfiguration(graph: graph))
        } catch {
            throw ValidationError("\(path) is neither a client nor a brick volfile: \(error)")
        }
    }

    private func printText(configuration: ClientVolfileConfiguration, _ survey: Survey) {
        let (reports, failures, leader, outcome) = (survey.reports, survey.failures, survey.leader, survey.outcome)
        print("volume \(configuration.volumeName), \(configuration.replicaCount) replicas, leader \(leader.map { "\($0)" } ?? "none known")")
        for report in reports.sorted(by: { $0.replica < $1.replica }) {
            let terms = report.termRanges.map(\.description).joined(separator: " ")
            print("  \(report.replica)  last \(report.last)  commit \(report.commitIndex)  applied \(report.appliedThrough)  "
                + "first retained \(report.firstRetained)  terms [\(terms)]"
                + (report.rangeChecksums.isEmpty ? "" : "  checksummed \(report.rangeChecksums.first!.first)...\(report.rangeChecksums.last!.last) in \(report.rangeChecksums.count) ranges"))
        }
        for failure in failures.sorted(by: { $0.brick.replicaID < $1.brick.replicaID }) {
            print("  \(failure.brick.replicaID)  no answer from \(failure.brick.host):\(failure.brick.port): \(failure.error)")
        }
        print(outcome.description)
    }

    private func printJSON(configuration: ClientVolfileConfiguration, _ survey: Survey) throws {
        let (reports, failures, leader, outcome) = (survey.reports, survey.failures, survey.leader, survey.outcome)
        struct PositionJSON: Encodable {
            var term: UInt64
            var index: UInt64
        }
        struct ReportJSON: Encodable {
            var replica: UInt32
            var last: PositionJSON
            var commit: UInt64
            var applied: UInt64
            var firstRetained: UInt64
            var terms: [String]
            var rangeChecksums: [RangeJSON]
        }
        struct RangeJSON: Encodable {
            var first: UInt64
            var last: UInt64
            var checksum: UInt32
        }
        struct FailureJSON: Encodable {
            var replica: UInt32
            var address: String
            var error: String
        }
        struct Document: Encodable {
            var volume: String
            var replicaCount: Int
            var leader: UInt32?
            var reports: [ReportJSON]
            var unreachable: [FailureJSON]
            var outcome: ReconciliationOutcome
        }
        let document = Document(
            volume: configuration.volumeName, replicaCount: configuration.replicaCount, leader: leader?.rawValue,
            reports: reports.sorted { $0.replica < $1.replica }.map {
                ReportJSON(replica: $0.replica.rawValue, last: PositionJSON(term: $0.last.term.rawValue, index: $0.last.index.rawValue),
                           commit: $0.commitIndex.rawValue, applied: $0.appliedThrough.rawValue,
                           firstRetained: $0.firstRetained.rawValue, terms: $0.termRanges.map(\.description),
                           rangeChecksums: $0.rangeChecksums.map { RangeJSON(first: $0.first.rawValue, last: $0.last.rawValue, checksum: $0.checksum) })
            },
            unreachable: failures.map { FailureJSON(replica: $0.brick.replicaID.rawValue, address: "\($0.brick.host):\($0.brick.port)", error: $0.error) },
            outcome: outcome)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        print(String(decoding: try encoder.encode(document), as: UTF8.self))
    }
}
