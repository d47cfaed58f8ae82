# tokentally's default summary (`--by day,model`) in jq, for the logs tokentally-loggen writes:
# the same rules as Benchmarks/duckdb-summary.sql (read that file's comments), for jq 1.6+.
#
#   jq -nrR -f Benchmarks/summary.jq logs.jsonl > summary.csv
#
# jq numbers are doubles: the integer sums are exact here (far below 2^53), cost sums are not.

# Unix seconds of a time value: epoch digits by magnitude, or RFC 3339 with any offset.
def epoch_seconds:
  if type == "number" or (type == "string" and test("^[0-9]+$")) then
    tonumber
    | (if . < 1e11 then . elif . < 1e14 then . / 1e3 elif . < 1e17 then . / 1e6 else . / 1e9 end)
    | floor
  elif type == "string" then
    capture("^(?<base>[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2})(?:\\.[0-9]+)?(?<zone>Z|[+-][0-9]{2}:[0-9]{2})$")
    | (.base + "Z" | fromdateiso8601)
      - (if .zone == "Z" then 0
         else (if .zone[0:1] == "-" then -1 else 1 end)
              * ((.zone[1:3] | tonumber) * 3600 + (.zone[4:6] | tonumber) * 60)
         end)
  else empty end;

# A usage object has a token count ({"include": true} does not).
def has_count:
  type == "object"
  and (has("input_tokens") or has("prompt_tokens") or has("output_tokens")
       or has("completion_tokens") or has("total_tokens"));

def is_event: type == "string" and startswith("response.");
def is_terminal: . == "response.completed" or . == "response.incomplete" or . == "response.failed";

# The usage, searched outermost first; a stream event decides by its type alone.
def usage_of:
  if (.type | is_event) then (if (.type | is_terminal) then .response.usage else null end)
  elif (.usage | has_count) then .usage
  elif (.response.type | is_event) then (if (.response.type | is_terminal) then .response.response.usage else null end)
  elif (.response.usage | has_count) then .response.usage
  else null end;

# A count as tokentally accepts it; anything else makes the line bad (and not counted).
def count: if type == "number" and . >= 0 then . else error("bad_usage") end;
def optional_count: if . == null then 0 else count end;

def record:
  . as $line
  | usage_of as $u
  | select($u != null)
  | ($u.input_tokens // $u.prompt_tokens | count) as $input
  | ($u.output_tokens // $u.completion_tokens | count) as $output
  | {
      day: (first(($line.timestamp, $line.created_at, $line.response.created_at, $line.response.created,
                   $line.response.response.created_at) | select(. != null) | epoch_seconds)
            // null | if . == null then "" else strftime("%Y-%m-%d") end),
      model: ($line.response.response.model // $line.response.model // $line.model // ""),
      input: $input,
      cached: ($u.input_tokens_details.cached_tokens // $u.prompt_tokens_details.cached_tokens | optional_count),
      cache_write: ($u.input_tokens_details.cache_write_tokens // $u.prompt_tokens_details.cache_write_tokens | optional_count),
      output: $output,
      reasoning: ($u.output_tokens_details.reasoning_tokens // $u.completion_tokens_details.reasoning_tokens | optional_count),
      total: (if $u.total_tokens == null then $input + $output else ($u.total_tokens | count) end),
      cost: (if $u.cost == null then null else ($u.cost | count) end)
    };

"day,model,requests,input_tokens,cached_input_tokens,cache_write_tokens,output_tokens,reasoning_tokens,total_tokens,cost_usd",
(reduce (inputs | fromjson? | select(type == "object") | try record catch empty) as $r ({};
   .[$r.day + "\u0000" + $r.model] |= {
     day: $r.day, model: $r.model,
     requests: ((.requests // 0) + 1),
     input: ((.input // 0) + $r.input), cached: ((.cached // 0) + $r.cached),
     cache_write: ((.cache_write // 0) + $r.cache_write), output: ((.output // 0) + $r.output),
     reasoning: ((.reasoning // 0) + $r.reasoning), total: ((.total // 0) + $r.total),
     cost: (if $r.cost == null then .cost else (.cost // 0) + $r.cost end)
   })
 | to_entries | sort_by(.key) | .[].value
 | [.day, .model, .requests, .input, .cached, .cache_write, .output, .reasoning, .total, (.cost // "")]
 | map(tostring) | join(","))
