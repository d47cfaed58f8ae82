import TestSupport
import Foundation
import Testing
import TallyPrimitives
import UsageAggregation
import UsageDecoding

@testable import SummaryOutput

@Suite struct SchemaSidecarTests {
    func parse(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    func columns(_ document: [String: Any]) throws -> [[String: Any]] {
        let schema = try #require(document["tableSchema"] as? [String: Any])
        return try #require(schema["columns"] as? [[String: Any]])
    }

    /// The CSVW structure: context, url, version, dialect, one column per header cell (names
    /// and titles equal to the header), primary key = group columns.
    @Test(arguments: [
        [GroupColumn.time(.day), .model],
        [.time(.hour), .key, .custom("team")],
        [.time(.month), .time(.week), .provider, .user, .status, .file],
        [],
    ])
    func structure(_ groups: [GroupColumn]) throws {
        let document = try parse(SchemaSidecar.json(columns: groups, format: .csv, url: "usage.csv"))
        #expect(document["@context"] as? String == "http://www.w3.org/ns/csvw")
        #expect(document["url"] as? String == "usage.csv")
        #expect(document["tokentally:schema_version"] as? Int == 1)
        let columns = try columns(document)
        let header = SummaryWriter.render(SummaryTable(columns: groups, rows: []), as: .csv)
            .dropLast().split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        #expect(columns.map { $0["name"] as? String } == header)
        #expect(columns.map { $0["titles"] as? String } == header)
        #expect(columns.allSatisfy { ($0["dc:description"] as? String)?.isEmpty == false })
        let schema = try #require(document["tableSchema"] as? [String: Any])
        #expect((schema["primaryKey"] as? [String]) == (groups.isEmpty ? nil : groups.map(\.description)))
        let dialect = try #require(document["dialect"] as? [String: Any])
        #expect(dialect["delimiter"] as? String == ",")
        #expect(dialect["header"] as? Bool == true)
    }

    /// With `--prices` the two optional columns are in the sidecar, the CSV header, the JSON
    /// Lines keys and the table's header alike, after schema v1's measures.
    @Test func priceColumnsEverywhere() throws {
        let groups: [GroupColumn] = [.model]
        var measures = Measures()
        measures.requests = 2
        let table = SummaryTable(
            columns: groups, rows: [SummaryRow(groupValues: [.text("m")], measures: measures)], optionalMeasures: .prices)
        let document = try parse(SchemaSidecar.json(columns: groups, optional: .prices, format: .csv, url: "usage.csv"))
        let names = try columns(document).map { $0["name"] as? String ?? "" }
        #expect(Array(names.suffix(3)) == ["cost_usd", "unpriced_requests", "cache_savings_usd"])
        let csvHeader = SummaryWriter.render(table, as: .csv).split(separator: "\n")[0].split(separator: ",").map(String.init)
        #expect(csvHeader == names)
        let jsonLine = SummaryWriter.render(table, as: OutputFormat(.jsonl, dialect: .rfc4180))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(jsonLine.utf8)) as? [String: Any])
        #expect(Set(object.keys) == Set(names))
        #expect(object["unpriced_requests"] as? Int == 2)  // requests with no cost at all
        let tableHeader = SummaryWriter.render(table, as: OutputFormat(.table, dialect: .rfc4180)).split(separator: "\n")[0]
        #expect(tableHeader.split(separator: " ").map(String.init) == names)
    }

    /// With `--stats` (and `--prices`) the percentile columns come last, everywhere alike, as
    /// integers; a group without latencies has empty latency cells (null in JSON Lines).
    @Test func statsColumnsEverywhere() throws {
        let groups: [GroupColumn] = [.model]
        var measures = Measures(statistics: true)
        var record = UsageRecord()
        record.inputTokens = ExactDecimal(90)
        record.totalTokens = ExactDecimal(100)
        _ = measures.add(record)
        record.totalTokens = ExactDecimal(300)
        _ = measures.add(record)
        let optional: OptionalMeasures = [.prices, .stats]
        let table = SummaryTable(
            columns: groups, rows: [SummaryRow(groupValues: [.text("m")], measures: measures)], optionalMeasures: optional)
        let document = try parse(SchemaSidecar.json(columns: groups, optional: optional, format: .csv, url: "usage.csv"))
        let described = try columns(document)
        let names = described.map { $0["name"] as? String ?? "" }
        let stats = [
            "p50_total_tokens", "p95_total_tokens", "p99_total_tokens", "max_total_tokens",
            "p50_latency_ms", "p95_latency_ms", "p99_latency_ms", "max_latency_ms",
        ]
        #expect(Array(names.suffix(10)) == ["unpriced_requests", "cache_savings_usd"] + stats)
        for column in described.suffix(8) {
            #expect(column["datatype"] as? String == "integer")
            #expect((column["tokentally:unit"] as? String).map { ["tokens", "milliseconds"].contains($0) } == true)
        }
        let csv = SummaryWriter.render(table, as: .csv).split(separator: "\n")
        #expect(csv[0].split(separator: ",").map(String.init) == names)
        // Two requests, 100 and 300 tokens: p50 is rank 1, p95 and p99 rank 2; no latency.
        #expect(csv[1].hasSuffix(",100,300,300,300,,,,"))
        let jsonLine = SummaryWriter.render(table, as: OutputFormat(.jsonl, dialect: .rfc4180))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(jsonLine.utf8)) as? [String: Any])
        #expect(object["p95_total_tokens"] as? Int == 300)
        #expect(object["p50_latency_ms"] is NSNull)
        let tableHeader = SummaryWriter.render(table, as: OutputFormat(.table, dialect: .rfc4180)).split(separator: "\n")[0]
        #expect(tableHeader.split(separator: " ").map(String.init) == names)
    }

    /// Datatypes and units as docs/schema.md documents them.
    @Test func datatypesAndUnits() throws {
        let document = try parse(SchemaSidecar.json(
            columns: [.time(.hour), .time(.day), .time(.week), .time(.month), .model, .custom("team")], format: .csv, url: "u.csv"))
        var types: [String: String] = [:]
        var units: [String: String] = [:]
        for column in try columns(document) {
            let name = try #require(column["name"] as? String)
            if let type = column["datatype"] as? String {
                types[name] = type
            } else {
                let object = try #require(column["datatype"] as? [String: Any])
                types[name] = "\(object["base"] ?? "?") \(object["format"] ?? "?")"
            }
            units[name] = column["tokentally:unit"] as? String
        }
        #expect(types == [
            "hour": "datetime yyyy-MM-dd HH:mm", "day": "date", "week": "date", "month": "date", "model": "string",
            "team": "string", "requests": "integer", "input_tokens": "decimal", "cached_input_tokens": "decimal",
            "cache_write_tokens": "decimal", "output_tokens": "decimal", "reasoning_tokens": "decimal",
            "total_tokens": "decimal", "cost_usd": "decimal",
        ])
        #expect(units == [
            "requests": "requests", "input_tokens": "tokens", "cached_input_tokens": "tokens",
            "cache_write_tokens": "tokens", "output_tokens": "tokens", "reasoning_tokens": "tokens",
            "total_tokens": "tokens", "cost_usd": "USD",
        ])
    }

    /// excel-eu: `;` and decimal commas declared; tsv: tab, no quoting.
    @Test func dialects() throws {
        let eu = try parse(SchemaSidecar.json(columns: [.time(.day)], format: .excelEU, url: "u.csv"))
        #expect((eu["dialect"] as? [String: Any])?["delimiter"] as? String == ";")
        let cost = try #require(try columns(eu).last)
        let format = (cost["datatype"] as? [String: Any])?["format"] as? [String: Any]
        #expect(format?["decimalChar"] as? String == ",")
        #expect(try columns(eu)[1]["datatype"] as? String == "integer")

        let tsv = try parse(SchemaSidecar.json(columns: [.time(.day)], format: .tsv, url: "u.tsv"))
        let dialect = try #require(tsv["dialect"] as? [String: Any])
        #expect(dialect["delimiter"] as? String == "\t")
        #expect(dialect["quoteChar"] is NSNull)
        #expect(try columns(tsv).last?["datatype"] as? String == "decimal")
    }

    /// The exact text for the default options (deterministic: fixed key order).
    @Test func exactText() {
        let text = SchemaSidecar.json(columns: [.time(.day)], format: .csv, url: "usage.csv")
        #expect(text.hasPrefix("""
            {
              "@context": "http://www.w3.org/ns/csvw",
              "url": "usage.csv",
              "dc:title": "tokentally usage summary",
              "tokentally:schema_version": 1,
              "dialect": {
                "encoding": "utf-8",
                "lineTerminators": ["\\n"],
                "delimiter": ",",
                "quoteChar": "\\"",
                "doubleQuote": true,
                "header": true,
                "headerRowCount": 1
              },
              "tableSchema": {
                "columns": [
                  {
                    "name": "day",
                    "titles": "day",
                    "datatype": "date",
                    "dc:description": "The record's day in the --tz zone."
                  },
                  {
                    "name": "requests",
                    "titles": "requests",
                    "datatype": "integer",
                    "tokentally:unit": "requests",
                    "dc:description": "Records counted in the group."
                  },
            """))
        #expect(text.hasSuffix("""
                ],
                "primaryKey": ["day"]
              }
            }

            """))
    }

    /// Every measure column has a type, a unit and a description (a column added to the
    /// schema must say what it holds).
    @Test func everyMeasureDescribed() {
        #expect(SummarySchema.measures.map(\.name) == SummarySchema.measureColumns)
        #expect(MeasureColumn.allCases.map { SummarySchema.describe($0).name } == SummarySchema.measureColumns([.prices, .stats]))
        for measure in SummarySchema.measures + SummarySchema.priceMeasures + SummarySchema.statsMeasures {
            #expect(measure.unit?.isEmpty == false, "\(measure.name)")
            #expect(!measure.description.isEmpty, "\(measure.name)")
            #expect(measure.datatype.isNumeric, "\(measure.name)")
        }
    }

    @Test func sidecarPaths() {
        #expect(OutputFormat.csv.sidecarPath(for: "out/usage.csv") == "out/usage.csv-metadata.json")
        #expect(OutputFormat.excelEU.sidecarPath(for: "u.csv") == "u.csv-metadata.json")
        #expect(OutputFormat.tsv.sidecarPath(for: "u.tsv") == "u.tsv-metadata.json")
        #expect(OutputFormat.jsonl.sidecarPath(for: "u.jsonl") == nil)
        #expect(OutputFormat.table.sidecarPath(for: "u.txt") == nil)
    }
}
