import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
@testable import JBRServer

@Suite struct MetricsEndpointTests {
    @Test func servesTheExportAtMetricsAndNothingElse() async throws {
        let endpoint = try await MetricsEndpoint.bind(host: "127.0.0.1", port: 0) { Array("jbr_repl_term 7\n".utf8) }
        let port = try #require(endpoint.port)
        let (body, response) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)/metrics")!)
        #expect((response as? HTTPURLResponse)?.statusCode == 200)
        #expect(String(decoding: body, as: UTF8.self) == "jbr_repl_term 7\n")
        #expect((response as? HTTPURLResponse)?.value(forHTTPHeaderField: "Content-Type")?.hasPrefix("text/plain") == true)
        let (_, missing) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)/elsewhere")!)
        #expect((missing as? HTTPURLResponse)?.statusCode == 404)
        await endpoint.close()
    }
}
