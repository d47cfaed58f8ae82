/// The models and API keys the generated logs use, with their popularity.
enum Catalog {
    /// 40 model ids, most popular first; each with a price in US cents per million input tokens
    /// (output costs 4×), so costs are exact multiples of 10⁻⁸ USD.
    static let models: [(id: String, centsPerMillionInput: Int)] = [
        ("openai/gpt-4o", 250), ("anthropic/claude-sonnet-4", 300), ("google/gemini-2.5-flash", 30),
        ("openai/gpt-4o-mini", 15), ("anthropic/claude-sonnet-4.5", 300), ("openai/gpt-5", 125),
        ("google/gemini-2.5-pro", 125), ("deepseek/deepseek-chat-v3", 27), ("openai/gpt-4.1", 200),
        ("openai/o4-mini", 110), ("anthropic/claude-opus-4", 1500), ("openai/gpt-5-mini", 25),
        ("x-ai/grok-4", 300), ("meta-llama/llama-3.3-70b-instruct", 13), ("qwen/qwen3-coder", 22),
        ("mistralai/mistral-large", 200), ("openai/o3", 200), ("anthropic/claude-3.5-haiku", 80),
        ("deepseek/deepseek-r1", 55), ("google/gemini-2.0-flash", 10), ("openai/gpt-4.1-mini", 40),
        ("qwen/qwen3-235b-a22b", 13), ("x-ai/grok-3-mini", 30), ("mistralai/codestral", 30),
        ("meta-llama/llama-4-maverick", 15), ("moonshotai/kimi-k2", 14), ("z-ai/glm-4.5", 20),
        ("mistralai/mistral-small-3.2", 5), ("cohere/command-a", 250), ("amazon/nova-pro", 80),
        ("amazon/nova-lite", 6), ("microsoft/phi-4", 7), ("nvidia/nemotron-70b", 12),
        ("perplexity/sonar-pro", 300), ("minimax/minimax-m1", 30), ("openrouter/auto", 100),
        ("inception/mercury", 25), ("baidu/ernie-4.5", 28), ("tencent/hunyuan-a13b", 3),
        ("ai21/jamba-large", 200),
    ]
    /// The router's id, which a request may name instead of the model that answered.
    static let routerIndex = models.firstIndex { $0.id == "openrouter/auto" }!
    /// Zipf exponent of model popularity (the top model ≈ 27 % of requests, the last ≈ 0.5 %).
    static let modelSkew = 1.1

    /// 40 API keys (as a gateway logs them: a hash-like id, not the secret).
    static let keys: [String] = (0..<40).map { index in
        let hex = Array("0123456789abcdef")
        let tail = (0..<12).map { String(hex[(index &* 7 &+ $0 &* 13) % 16]) }.joined()
        return "sk-or-v1-\(index < 10 ? "0" : "")\(index)\(tail)"
    }
    /// Zipf exponent of key popularity.
    static let keySkew = 0.8
}
