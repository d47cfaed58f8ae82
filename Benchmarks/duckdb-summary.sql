-- tokentally's default summary (`--by day,model`) in DuckDB SQL, for the logs that
-- tokentally-loggen writes: the peer in Benchmarks/compare.sh, and a check of tokentally's sums.
--
-- It re-implements tokentally's record rules (docs/cli.md, "Where fields come from by
-- default") for the shapes the generator writes, not in general: only the `response`
-- container is searched (the generator writes no `body` or `data` wrappers), only the
-- snake_case names of counts (no SDK camelCase), and a duplicate key is not looked for.
--
-- Use (Benchmarks/duckdb-summary.py does this):
--   SET VARIABLE files = ['logs.jsonl.gz', …];
--   .read Benchmarks/duckdb-summary.sql
--   COPY (FROM summary) TO 'summary.csv' (HEADER);

SET TimeZone = 'UTC';  -- days are UTC days, as tokentally's default --tz

-- A usage object, Responses names (input_tokens, …) and Chat Completions names
-- (prompt_tokens, …) side by side. Counts are typed JSON, not numbers, so that a count written
-- as a string ("123": a bad line for tokentally) can be told from a number.
CREATE TYPE usage_t AS STRUCT(
    input_tokens JSON, prompt_tokens JSON,
    output_tokens JSON, completion_tokens JSON,
    total_tokens JSON,
    cost JSON,
    input_tokens_details STRUCT(cached_tokens JSON, cache_write_tokens JSON),
    prompt_tokens_details STRUCT(cached_tokens JSON, cache_write_tokens JSON),
    output_tokens_details STRUCT(reasoning_tokens JSON),
    completion_tokens_details STRUCT(reasoning_tokens JSON)
);

-- Each line, parsed once into the fields the rules look at. A line that is not valid JSON
-- comes out as a row of NULLs (ignore_errors), so it has no usage and is not counted.
-- Times are read as text: a JSON number becomes its digits, a string its content.
CREATE VIEW lines AS
FROM read_json(
    getvariable('files'),
    format = 'newline_delimited',
    ignore_errors = true,
    columns = {
        type: 'VARCHAR', timestamp: 'VARCHAR', created_at: 'VARCHAR', model: 'VARCHAR', usage: 'usage_t',
        response: 'STRUCT(
            type VARCHAR, created_at VARCHAR, created VARCHAR, model VARCHAR, usage usage_t,
            response STRUCT(created_at VARCHAR, model VARCHAR, usage usage_t))'
    }
);

-- Unix seconds of a time value: digits are epoch seconds, milliseconds, microseconds or
-- nanoseconds by magnitude (below 10^11, 10^14, 10^17); anything else is RFC 3339 with any
-- offset; NULL when unreadable.
CREATE MACRO epoch_seconds(t) AS
    CASE
        WHEN NOT regexp_full_match(t, '[0-9]{1,19}') THEN floor(epoch(TRY_CAST(t AS TIMESTAMPTZ)))::BIGINT
        WHEN t::HUGEINT < 100_000_000_000 THEN t::BIGINT
        WHEN t::HUGEINT < 100_000_000_000_000 THEN t::HUGEINT // 1_000
        WHEN t::HUGEINT < 100_000_000_000_000_000 THEN t::HUGEINT // 1_000_000
        ELSE t::HUGEINT // 1_000_000_000
    END;

-- A usage object has a token count; a request option like {"include": true} does not.
CREATE MACRO has_count(u) AS
    u.input_tokens IS NOT NULL OR u.prompt_tokens IS NOT NULL
    OR u.output_tokens IS NOT NULL OR u.completion_tokens IS NOT NULL OR u.total_tokens IS NOT NULL;

-- A count or cost tokentally accepts: a JSON number, not negative. A string, boolean or null
-- is not (the line is a bad line).
CREATE MACRO is_number(x) AS json_type(x) IN ('UBIGINT', 'BIGINT', 'DOUBLE') AND x::DOUBLE >= 0;

-- Stream events carry usage only when they end the response.
CREATE MACRO is_terminal_event(type) AS type IN ('response.completed', 'response.incomplete', 'response.failed');

CREATE VIEW records AS
WITH found AS (
    SELECT
        -- The usage: searched outermost first, a stream event deciding by its type alone.
        CASE
            WHEN type LIKE 'response.%' THEN                        -- a bare stream event
                CASE WHEN is_terminal_event(type) THEN response.usage END
            WHEN has_count(usage) THEN usage                         -- a top-level usage
            WHEN response.type LIKE 'response.%' THEN               -- a wrapped stream event
                CASE WHEN is_terminal_event(response.type) THEN response.response.usage END
            WHEN has_count(response.usage) THEN response.usage      -- a wrapped body
        END AS u,
        -- The model: innermost first (the body's, not the request's or the wrapper's).
        coalesce(response.response.model, response.model, model) AS model,
        -- The time: the first readable value, outermost level first, so the wrapper's
        -- timestamp wins over the body's created_at.
        coalesce(
            epoch_seconds(timestamp), epoch_seconds(created_at),
            epoch_seconds(response.created_at), epoch_seconds(response.created),
            epoch_seconds(response.response.created_at)) AS seconds
    FROM lines
)
SELECT
    seconds,
    model,
    coalesce(u.input_tokens, u.prompt_tokens) AS input,
    coalesce(u.output_tokens, u.completion_tokens) AS output,
    u.total_tokens AS total,
    coalesce(u.input_tokens_details.cached_tokens, u.prompt_tokens_details.cached_tokens) AS cached,
    coalesce(u.input_tokens_details.cache_write_tokens, u.prompt_tokens_details.cache_write_tokens) AS cache_write,
    coalesce(u.output_tokens_details.reasoning_tokens, u.completion_tokens_details.reasoning_tokens) AS reasoning,
    u.cost AS cost
FROM found
WHERE u IS NOT NULL;

-- One row per (day, model), columns and number text as tokentally writes them: integers as
-- integers, the exact cost sum without trailing zeros, an empty cell when no record had a cost.
CREATE VIEW summary AS
SELECT
    to_timestamp(seconds)::DATE AS day,
    model,
    count(*) AS requests,
    sum(input::HUGEINT) AS input_tokens,
    sum(coalesce(cached::HUGEINT, 0)) AS cached_input_tokens,
    sum(coalesce(cache_write::HUGEINT, 0)) AS cache_write_tokens,
    sum(output::HUGEINT) AS output_tokens,
    sum(coalesce(reasoning::HUGEINT, 0)) AS reasoning_tokens,
    sum(coalesce(total::HUGEINT, input::HUGEINT + output::HUGEINT)) AS total_tokens,
    rtrim(rtrim(sum(cost::DECIMAL(38, 12))::VARCHAR, '0'), '.') AS cost_usd
FROM records
-- Bad lines are not counted: input and output must be numbers, the rest numbers when present.
WHERE is_number(input) AND is_number(output)
    AND (total IS NULL OR is_number(total))
    AND (cached IS NULL OR is_number(cached))
    AND (cache_write IS NULL OR is_number(cache_write))
    AND (reasoning IS NULL OR is_number(reasoning))
    AND (cost IS NULL OR is_number(cost))
GROUP BY ALL
ORDER BY day, model;
