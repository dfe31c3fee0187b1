#pragma once

#include <memory>
#include <optional>
#include <string_view>

#include <QByteArrayView>
#include <QString>
#include <QVarLengthArray>

namespace simdjson::dom {
class parser;
}

namespace sluice {

// The fields of one chat.completion.chunk that OpenAiChatStreamDecoder turns into events, read by simdjson instead
// of QJsonDocument (which costs about 100 instructions per byte). It reads only the common shapes and says
// nullopt for everything else, which the decoder then takes through QJsonDocument as before: text that is not
// valid JSON (so the error stays the same), JSON simdjson rejects and Qt takes (raw control characters, lone
// surrogate escapes, a byte-order mark), numbers that are not plain integers, error chunks, usage objects and
// tool arguments sent as objects. Values are read as QJsonObject would give them: the last of duplicate keys,
// "" for a string field holding another type, index 0 for a choice without a usable index.
// One per stream: the parser keeps its buffers between chunks.
class OpenAiChatChunkReader
{
public:
    struct ToolCall
    {
        QString id;
        bool hasIndex = false; // the call has a numeric "index"
        int index = 0;
        QString name;
        QString arguments;
    };
    struct Choice // one of the chunk's choices with index 0
    {
        bool hasText = false; // legacy text_completion: "text" is a string
        QString text;
        QString reasoningContent;
        QString reasoning;
        QString content;
        QString refusal;
        QVarLengthArray<ToolCall, 1> toolCalls;
        QString finishReason;

        // Whether the choice carries any of the answer: text, reasoning, a refusal or a tool call.
        bool carriesOutput() const
        {
            return !text.isEmpty() || !content.isEmpty() || !reasoningContent.isEmpty() || !reasoning.isEmpty()
                || !refusal.isEmpty() || !toolCalls.isEmpty();
        }
    };
    struct Chunk
    {
        bool hasChoices = false; // a non-empty choices array (whatever the choices' indexes)
        int choiceCount = 0; // its length: more than choices.size() when some choices have another index
        // UTF-8, valid until the next read(): the decoder needs them once per stream, not per chunk.
        std::string_view id;
        std::string_view model;
        qint64 created = 0;
        QVarLengthArray<Choice, 1> choices;
    };

    OpenAiChatChunkReader();
    ~OpenAiChatChunkReader();
    OpenAiChatChunkReader(const OpenAiChatChunkReader &) = delete;
    OpenAiChatChunkReader &operator=(const OpenAiChatChunkReader &) = delete;

    std::optional<Chunk> read(QByteArrayView json);

private:
    std::unique_ptr<simdjson::dom::parser> m_parser;
};

} // namespace sluice
