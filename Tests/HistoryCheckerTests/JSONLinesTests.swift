import Foundation
import HistoryChecker
import Testing

@Suite struct JSONLinesTests {
    static let everyShape = History([
        write("a", 0...10),
        append("x", 5...15, client: 2, key: "log"),
        read(.absent, 1...2, key: "g"),
        read(.list(["x", "y"]), 20...30, key: "log"),
        read(.list([]), 20...30, key: "empty"),
        cas(nil, "n", swapped: true, 30...40, key: "g"),
        cas("a", "b", swapped: false, 30...40),
        indeterminate(.compareAndSet(expected: "b", new: "c"), from: 50),
        indeterminate(.append("q \"quoted\" / slash"), from: 50, gaveUp: 60, key: "log"),
        failed(.write("f"), 70...80),
        indeterminate(.read, from: 90, gaveUp: 95),
    ])

    @Test func roundTripsEveryShape() throws {
        let text = Self.everyShape.jsonLines()
        #expect(text.split(separator: "\n").count == Self.everyShape.count)
        #expect(try History(jsonLines: text) == Self.everyShape)
    }

    @Test func theFormatIsFrozen() {
        let lines = History([write("a", 0...10), read(.absent, 1...2), cas(nil, "n", swapped: true, 3...4), indeterminate(.append("x"), from: 5)]).jsonLines()
        #expect(lines == """
            {"client":1,"completed":10,"invoked":0,"key":"f","op":"write","outcome":"ok","value":"a"}
            {"client":2,"completed":2,"invoked":1,"key":"f","observed":null,"op":"read","outcome":"ok"}
            {"client":3,"completed":4,"expected":null,"invoked":3,"key":"f","op":"cas","outcome":"ok","swapped":true,"value":"n"}
            {"client":4,"invoked":5,"key":"f","op":"append","outcome":"indeterminate","value":"x"}

            """)
    }

    @Test func savesAndLoadsFiles() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("history-\(UUID()).jsonl")
        defer { try? FileManager.default.removeItem(at: url) }
        try Self.everyShape.write(to: url)
        #expect(try History(contentsOf: url) == Self.everyShape)
    }

    @Test(arguments: [
        #"{"client":1,"completed":10,"invoked":0,"key":"f","op":"read","outcome":"ok"}"#,  // ok read without "observed"
        #"{"client":1,"completed":10,"invoked":0,"key":"f","op":"cas","outcome":"ok","swapped":true,"value":"n"}"#,  // no "expected"
        #"{"client":1,"completed":10,"invoked":0,"key":"f","op":"cas","expected":"a","outcome":"ok","value":"n"}"#,  // no "swapped"
        #"{"client":1,"completed":10,"invoked":0,"key":"f","op":"rename","outcome":"ok"}"#,
        #"{"client":1,"completed":10,"invoked":0,"key":"f","op":"write","outcome":"maybe","value":"a"}"#,
        #"{"client":1,"completed":5,"invoked":10,"key":"f","op":"write","outcome":"ok","value":"a"}"#,  // completed before invoked
        #"{"client":1,"invoked":10,"key":"f","op":"write","outcome":"ok","value":"a"}"#,  // ok without completion
        "not json",
    ])
    func malformedLinesAreRejectedWithTheirLineNumber(_ line: String) {
        let text = "\n" + History([Self.everyShape[0]]).jsonLines() + line + "\n"
        #expect {
            try History(jsonLines: text)
        } throws: { error in
            (error as? History.DecodingError)?.line == 3
        }
    }
}
