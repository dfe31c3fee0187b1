#include "UsageReader.h"

#include <cstring>

#include "common/WholeNumber.h"

namespace sluice {

namespace {

// The counts TokenUsage::fromOpenAiChat reads; -1 until a member gives a whole number (a later member of the same
// name replaces an earlier one, as QJsonObject keeps the last).
struct Counts
{
    qint64 prompt = -1;
    qint64 completion = -1;
    qint64 total = -1;
    qint64 cacheHit = -1; // DeepSeek's prompt_cache_hit_tokens
    qint64 cached = -1; // prompt_tokens_details.cached_tokens
    qint64 reasoning = -1; // completion_tokens_details.reasoning_tokens
};

// One pass over a plain object (see the header); every slot is a count read from a member of that name.
class PlainObjectReader
{
public:
    PlainObjectReader(QByteArrayView text)
        : m_at(text.data())
        , m_end(text.data() + text.size())
    { }

    bool readUsage(Counts &counts)
    {
        if (!object(0, &counts, nullptr, nullptr))
            return false;
        space();
        return m_at == m_end;
    }

private:
    static constexpr int MaxDepth = 3;

    void space()
    {
        while (m_at < m_end && (*m_at == ' ' || *m_at == '\n' || *m_at == '\r' || *m_at == '\t'))
            ++m_at;
    }

    bool delimiterFollows() const
    {
        return m_at == m_end || *m_at == ',' || *m_at == '}' || *m_at == ' ' || *m_at == '\n' || *m_at == '\r'
            || *m_at == '\t';
    }

    // At an opening quote: the string's text, if it has no escapes and only printable ASCII.
    bool string(QByteArrayView *text)
    {
        const char *begin = ++m_at;
        while (m_at < m_end && *m_at != '"') {
            if (*m_at < 0x20 || *m_at > 0x7e || *m_at == '\\')
                return false;
            ++m_at;
        }
        if (m_at == m_end)
            return false;
        *text = QByteArrayView(begin, m_at - begin);
        ++m_at;
        return true;
    }

    // A whole number as JSON writes it: digits, no leading zero, few enough that the parser's double is exact.
    bool number(qint64 *value)
    {
        const char *begin = m_at;
        qint64 result = 0;
        while (m_at < m_end && *m_at >= '0' && *m_at <= '9')
            result = result * 10 + (*m_at++ - '0');
        const qsizetype digits = m_at - begin;
        if (digits == 0 || digits > 15 || (digits > 1 && *begin == '0') || !delimiterFollows())
            return false;
        *value = tokenCount(double(result)).value_or(-1);
        return true;
    }

    bool literal(const char *word, size_t length)
    {
        if (size_t(m_end - m_at) < length || std::memcmp(m_at, word, length) != 0)
            return false;
        m_at += length;
        return delimiterFollows();
    }

    // The value of a member; its count goes to slot (-1 when it is not a whole number). An object's count goes to
    // detailSlot when it is one of the two details objects (cached_tokens or reasoning_tokens in it).
    bool value(int depth, qint64 *slot, qint64 *detailSlot, bool promptDetails)
    {
        if (slot)
            *slot = -1;
        if (m_at == m_end)
            return false;
        switch (*m_at) {
        case '"': {
            QByteArrayView ignored;
            return string(&ignored);
        }
        case '{':
            return object(depth + 1, nullptr, promptDetails ? detailSlot : nullptr,
                          promptDetails ? nullptr : detailSlot);
        case 'n':
            return literal("null", 4);
        case 't':
            return literal("true", 4);
        case 'f':
            return literal("false", 5);
        default: {
            qint64 count = -1;
            if (!number(&count))
                return false;
            if (slot)
                *slot = count;
            return true;
        }
        }
    }

    // At an opening brace. usage: the top-level slots; cached / reasoning: the one slot of a details object.
    bool object(int depth, Counts *usage, qint64 *cached, qint64 *reasoning)
    {
        if (depth > MaxDepth)
            return false;
        ++m_at;
        space();
        if (m_at < m_end && *m_at == '}') {
            ++m_at;
            return true;
        }
        while (true) {
            space();
            QByteArrayView name;
            if (m_at == m_end || *m_at != '"' || !string(&name))
                return false;
            space();
            if (m_at == m_end || *m_at != ':')
                return false;
            ++m_at;
            space();
            qint64 *slot = nullptr;
            qint64 *detailSlot = nullptr;
            bool promptDetails = false;
            if (usage) {
                if (name == "prompt_tokens") {
                    slot = &usage->prompt;
                } else if (name == "completion_tokens") {
                    slot = &usage->completion;
                } else if (name == "total_tokens") {
                    slot = &usage->total;
                } else if (name == "prompt_cache_hit_tokens") {
                    slot = &usage->cacheHit;
                } else if (name == "prompt_tokens_details") {
                    detailSlot = &usage->cached;
                    promptDetails = true;
                } else if (name == "completion_tokens_details") {
                    detailSlot = &usage->reasoning;
                }
                if (detailSlot) // a later details member replaces an earlier one; not an object: no count
                    *detailSlot = -1;
            } else if (cached && name == "cached_tokens") {
                slot = cached;
            } else if (reasoning && name == "reasoning_tokens") {
                slot = reasoning;
            }
            if (!value(depth, slot, detailSlot, promptDetails))
                return false;
            space();
            if (m_at == m_end)
                return false;
            if (*m_at == '}') {
                ++m_at;
                return true;
            }
            if (*m_at != ',')
                return false;
            ++m_at;
        }
    }

    const char *m_at;
    const char *m_end;
};

} // namespace

std::optional<TokenUsage> UsageReader::openAiChat(QByteArrayView usageObject)
{
    Counts counts;
    if (!usageObject.startsWith('{') || !PlainObjectReader(usageObject).readUsage(counts))
        return std::nullopt;
    // TokenUsage::fromOpenAiChat, on the counts.
    TokenUsage result;
    result.input = counts.prompt;
    result.output = counts.completion;
    result.cached = counts.cached >= 0 ? counts.cached : counts.cacheHit;
    result.reasoning = counts.reasoning;
    if (result.reasoning > 0 && result.input >= 0 && result.output >= 0
        && counts.total == result.input + result.output + result.reasoning)
        result.output += result.reasoning;
    return result;
}

} // namespace sluice
