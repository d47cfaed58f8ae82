/// The golden files in `samples/expected/` and the `summarize` arguments each is made with,
/// over the whole `samples/` directory: the same list as `samples/oracle.py`'s `GOLDENS`, shared
/// by the pipeline tests (`SamplesGoldenTests`) and the binary's (`CLITests`).
public let sampleGoldens: [(file: String, arguments: [String])] = [
    ("summary-day-model.csv", ["--by", "day,model"]),
    ("summary-day-key.csv", ["--by", "day,key"]),
    ("summary-month-model-status.csv", ["--by", "month,model,status"]),
    ("summary-week-key.csv", ["--by", "week,key"]),
    ("summary-hour.csv", ["--by", "hour"]),
    ("summary-day-model-provider.csv", ["--by", "day,model,provider"]),
    ("summary-day-user.csv", ["--by", "day,user"]),
    ("summary-day-team.csv", ["--by", "day,team", "--field", "team=/metadata/user_api_key_team_id"]),
    ("summary-day-model-kolkata.csv", ["--by", "day,model", "--tz", "Asia/Kolkata"]),
    ("summary-day-ny-since.csv", [
        "--by", "day", "--tz", "America/New_York", "--since", "2026-11-27", "--until", "2026-11-30",
    ]),
    ("summary-day-model-prices.csv", ["--by", "day,model", "--prices", "samples/prices-2026-11.csv"]),
    ("summary-day-model-stats.csv", ["--by", "day,model", "--stats"]),
]
