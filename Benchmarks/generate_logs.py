#!/usr/bin/env python3
"""Deterministic generator of realistic LLM request logs, for benchmarks and memory checks.

Writes JSON Lines to standard output until about --bytes bytes have been written:

  * lines of 1-3 KB: a gateway wrapper (timestamp, api_key, request, response) around a
    Responses body, a Chat Completions body, or a `response.completed` stream event;
    some lines are bare founding-shape records (top-level `usage`), some stream deltas
    (no usage);
  * timestamps as RFC 3339 with offsets and fractions, or epoch milliseconds;
  * ~40 model ids with skewed (Zipf-like) popularity, ~40 API keys;
  * message text with escapes, non-ASCII text and \\u escapes of control characters;
  * a decoy `"usage": {"include": true}` inside every request object;
  * about 0.1% bad lines (truncated JSON, a count given as a string).

The same --seed and --bytes always give the same bytes.

    python3 Benchmarks/generate_logs.py --bytes 1G --seed 1 | gzip -6 > /tmp/logs-1g.jsonl.gz
"""

import argparse
import json
import random
import sys

MODELS = [f"{vendor}/{name}" for vendor, name in [
    ("openai", "gpt-4o"), ("openai", "gpt-4o-mini"), ("openai", "gpt-4.1"), ("openai", "gpt-4.1-mini"),
    ("openai", "o3"), ("openai", "o4-mini"), ("openai", "gpt-5"), ("openai", "gpt-5-mini"),
    ("anthropic", "claude-sonnet-4"), ("anthropic", "claude-opus-4"), ("anthropic", "claude-3.5-haiku"),
    ("anthropic", "claude-sonnet-4.5"), ("google", "gemini-2.5-pro"), ("google", "gemini-2.5-flash"),
    ("google", "gemini-2.0-flash"), ("meta-llama", "llama-3.3-70b-instruct"), ("meta-llama", "llama-4-maverick"),
    ("mistralai", "mistral-large"), ("mistralai", "mistral-small-3.2"), ("mistralai", "codestral"),
    ("deepseek", "deepseek-chat-v3"), ("deepseek", "deepseek-r1"), ("qwen", "qwen3-235b-a22b"),
    ("qwen", "qwen3-coder"), ("x-ai", "grok-4"), ("x-ai", "grok-3-mini"), ("cohere", "command-a"),
    ("amazon", "nova-pro"), ("amazon", "nova-lite"), ("microsoft", "phi-4"), ("nvidia", "nemotron-70b"),
    ("perplexity", "sonar-pro"), ("moonshotai", "kimi-k2"), ("z-ai", "glm-4.5"), ("minimax", "minimax-m1"),
    ("openrouter", "auto"), ("inception", "mercury"), ("baidu", "ernie-4.5"), ("tencent", "hunyuan-a13b"),
    ("ai21", "jamba-large"),
]]
KEYS = [f"sk-or-v1-{i:02d}{'abcdef0123456789'[i % 16] * 6}" for i in range(40)]
WORDS = ("the quick brown fox jumps over lazy dogs while tokens flow through the gateway and the "
         "model answers with reasoning summaries tables code and \"quoted\" text back\\slash").split()
UNICODE = ["naïve", "café", "日本語", "Ελληνικά", "emoji 🎉", "Zürich", "façade"]


def zipf_choice(rng, items, s=1.1):
    weights = [1 / (rank + 1) ** s for rank in range(len(items))]
    return rng.choices(items, weights=weights)[0]


def text(rng, length):
    parts = []
    size = 0
    while size < length:
        roll = rng.random()
        word = rng.choice(UNICODE) if roll < 0.05 else ("\t\u0001" if roll < 0.06 else rng.choice(WORDS))
        parts.append(word)
        size += len(word) + 1
    return " ".join(parts)


def timestamp(rng, seconds):
    style = rng.random()
    if style < 0.15:
        return seconds * 1000 + rng.randrange(1000)  # epoch milliseconds
    offset_minutes = rng.choice([0, 0, 0, 60, -300, 330, -480])
    local = seconds + offset_minutes * 60
    days, rest = divmod(local, 86400)
    # civil from days (Howard Hinnant)
    z = days + 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    day = doy - (153 * mp + 2) // 5 + 1
    month = mp + 3 if mp < 10 else mp - 9
    year = yoe + era * 400 + (1 if month <= 2 else 0)
    hh, rest = divmod(rest, 3600)
    mm, ss = divmod(rest, 60)
    if offset_minutes == 0:
        zone = "Z"
    else:
        sign = "+" if offset_minutes > 0 else "-"
        zone = f"{sign}{abs(offset_minutes) // 60:02d}:{abs(offset_minutes) % 60:02d}"
    return f"{year:04d}-{month:02d}-{day:02d}T{hh:02d}:{mm:02d}:{ss:02d}.{rng.randrange(1000000):06d}{zone}"


def usage(rng, chat):
    prompt = rng.randrange(20, 60000)
    completion = rng.randrange(1, 8000)
    cached = rng.randrange(0, prompt) if rng.random() < 0.4 else 0
    reasoning = rng.randrange(0, completion) if rng.random() < 0.3 else 0
    cost = round((prompt * 2.5 + completion * 10) / 1e6, 12)
    if chat:
        return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion,
                "prompt_tokens_details": {"cached_tokens": cached},
                "completion_tokens_details": {"reasoning_tokens": reasoning}, "cost": cost}
    return {"input_tokens": prompt, "input_tokens_details": {"cached_tokens": cached},
            "output_tokens": completion, "output_tokens_details": {"reasoning_tokens": reasoning},
            "total_tokens": prompt + completion, "cost": cost, "is_byok": False}


def line(rng, index, seconds):
    model = zipf_choice(rng, MODELS)
    key = zipf_choice(rng, KEYS, 0.8)
    roll = rng.random()
    request = {"model": model, "input": [{"role": "user", "content": text(rng, rng.randrange(300, 1500))}],
               "usage": {"include": True}, "stream": roll < 0.3}
    output_text = text(rng, rng.randrange(200, 1200))
    if roll < 0.1:  # a stream delta: no usage
        return {"type": "response.output_text.delta", "sequence_number": index, "delta": output_text[:80]}
    if roll < 0.2:  # bare founding shape
        return {"id": f"gen-{index}", "model": model, "created_at": seconds, "usage": usage(rng, False)}
    if roll < 0.45:
        body = {"id": f"chatcmpl-{index}", "object": "chat.completion", "created": seconds, "model": model,
                "choices": [{"index": 0, "message": {"role": "assistant", "content": output_text},
                             "finish_reason": "stop"}], "usage": usage(rng, True)}
    elif roll < 0.6:
        body = {"type": "response.completed", "sequence_number": index,
                "response": {"id": f"resp_{index}", "object": "response", "created_at": seconds,
                             "status": "completed", "model": model, "output": [{"type": "message", "content": [
                                 {"type": "output_text", "text": output_text}]}], "usage": usage(rng, False)}}
    else:
        body = {"id": f"gen-{index}", "object": "response", "created_at": seconds, "status": "completed",
                "model": model, "output": [{"type": "message", "role": "assistant", "content": [
                    {"type": "output_text", "text": output_text, "annotations": []}]}], "usage": usage(rng, False)}
    return {"timestamp": timestamp(rng, seconds), "api_key": key, "request": request, "response": body}


def parse_size(text):
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    if text[-1].upper() in units:
        return int(float(text[:-1]) * units[text[-1].upper()])
    return int(text)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bytes", default="100M", help="approximate output size (e.g. 500M, 1G)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--start", type=int, default=1_793_491_200, help="first timestamp (unix seconds)")
    parser.add_argument("--days", type=int, default=30, help="days the log spans")
    args = parser.parse_args()

    rng = random.Random(args.seed)
    limit = parse_size(args.bytes)
    written = 0
    index = 0
    out = sys.stdout.buffer
    span = args.days * 86400
    estimate = max(1, limit // 1800)
    while written < limit:
        seconds = args.start + index * span // estimate % span
        record = line(rng, index, seconds)
        damage = rng.random()
        if damage < 0.0005:  # a count given as a string: bad_usage
            body = record.get("response", record)
            counts = body.get("usage") or body.get("response", {}).get("usage")
            if counts:
                name = "completion_tokens" if "completion_tokens" in counts else "output_tokens"
                counts[name] = str(counts[name])
        encoded = json.dumps(record, ensure_ascii=rng.random() < 0.5, separators=(",", ":"))
        if 0.0005 <= damage < 0.001:  # a line cut short: invalid_json
            encoded = encoded[: len(encoded) // 2]
        data = (encoded + "\n").encode()
        out.write(data)
        written += len(data)
        index += 1


if __name__ == "__main__":
    main()
