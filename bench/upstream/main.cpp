// sluice-bench-upstream: the benchmark's fixed-answer upstream. Builds the answer bodies from the recorded provider
// traffic (OpenAI chat, Anthropic Messages and Gemini answers and streams of a chosen length, and OpenAI Responses
// answers in the API's shapes carrying the recorded text), then either writes them as files for nginx to serve
// (--write-fixtures) or serves them itself: an epoll loop on one thread, http_parser, keep-alive, Content-Length
// framing like a static file server. fixtureFor() says which path gets which answer.

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fcntl.h>
#include <fstream>
#include <http_parser.h>
#include <memory>
#include <sstream>
#include <string>
#include <unistd.h>
#include <unordered_map>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>

namespace {

volatile std::sig_atomic_t g_stop = 0;

// One answer the upstream serves: the file name nginx serves it from, its content type and its bytes.
struct Fixture
{
    std::string file;
    std::string contentType;
    std::string data;
};

using Bodies = std::vector<Fixture>;

struct Options
{
    std::string recordings;
    std::string writeFixtures;
    int events = 1000;
    int agentEvents = 300;
    int port = 0;
};

bool readFile(const std::string &path, std::string &out)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return false;
    std::ostringstream text;
    text << in.rdbuf();
    out = text.str();
    return true;
}

std::vector<std::string> lines(const std::string &text)
{
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        if (!line.empty())
            out.push_back(line);
    }
    return out;
}

// The JSON string value (still escaped) after the first `"key":"` in a line; empty when there is none.
std::string stringMember(const std::string &line, const std::string &key)
{
    const std::string marker = "\"" + key + "\":\"";
    const size_t at = line.find(marker);
    if (at == std::string::npos)
        return {};
    std::string out;
    for (size_t i = at + marker.size(); i < line.size() && line[i] != '"'; ++i) {
        out += line[i];
        if (line[i] == '\\' && i + 1 < line.size())
            out += line[++i];
    }
    return out;
}

// An OpenAI chat stream: the role chunk, `events - 2` content chunks (the recorded ones, cycled), the finish chunk,
// the usage chunk and [DONE].
std::string chatStream(const std::vector<std::string> &recorded, int events)
{
    const std::vector<std::string> content(recorded.begin() + 1, recorded.end() - 2);
    std::string sse = "data: " + recorded.front() + "\n\n";
    for (int i = 0; i < events - 2; ++i)
        sse += "data: " + content[size_t(i) % content.size()] + "\n\n";
    sse += "data: " + recorded[recorded.size() - 2] + "\n\n";
    sse += "data: " + recorded.back() + "\n\n";
    sse += "data: [DONE]\n\n";
    return sse;
}

// An Anthropic Messages stream as the API sends it (`event: TYPE` + `data: LINE`): the recorded message_start,
// content_block_start and ping, `deltas` text deltas (the recorded ones, cycled), then the recorded ending.
std::string anthropicStream(const std::vector<std::string> &recorded, int deltas)
{
    std::vector<std::string> head, text, tail;
    for (const std::string &line : recorded) {
        const bool isDelta = line.find("\"text_delta\"") != std::string::npos;
        (isDelta ? text : (text.empty() ? head : tail)).push_back(line);
    }
    std::string sse;
    const auto event = [&sse](const std::string &line) {
        sse += "event: " + stringMember(line, "type") + "\ndata: " + line + "\n\n";
    };
    for (const std::string &line : head)
        event(line);
    for (int i = 0; i < deltas; ++i)
        event(text[size_t(i) % text.size()]);
    for (const std::string &line : tail)
        event(line);
    return sse;
}

// An OpenAI Responses answer and stream in the API's shapes, carrying the recorded chat answer's text pieces.
// (No Responses traffic is recorded; the event sequence is the documented one for a text answer.)
void responsesBodies(const std::vector<std::string> &chatChunks, int deltas, std::string &json, std::string &sse)
{
    std::vector<std::string> pieces;
    for (size_t i = 1; i + 2 < chatChunks.size(); ++i) {
        std::string piece = stringMember(chatChunks[i], "content");
        if (!piece.empty())
            pieces.push_back(std::move(piece));
    }
    std::string text;
    for (int i = 0; i < deltas; ++i)
        text += pieces[size_t(i) % pieces.size()];
    const std::string id = "resp_0689a0c1b2d3e4f50068b5a1c2d3e4f5a6b7c8d9e0f1a2b3";
    const std::string item = "msg_0689a0c1b2d3e4f50068b5a1c3d4e5f6a7b8c9d0e1f2a3b4";
    const std::string usage = "{\"input_tokens\":12,\"input_tokens_details\":{\"cached_tokens\":0},\"output_tokens\":"
        + std::to_string(deltas)
        + ",\"output_tokens_details\":{\"reasoning_tokens\":0},\"total_tokens\":" + std::to_string(deltas + 12) + "}";
    const auto response = [&](const std::string &status, const std::string &output, const std::string &use) {
        return "{\"id\":\"" + id + "\",\"object\":\"response\",\"created_at\":1770933883,\"status\":\"" + status
            + "\",\"background\":false,\"error\":null,\"incomplete_details\":null,\"instructions\":null,"
              "\"max_output_tokens\":null,\"model\":\"gpt-4.1-nano-2025-04-14\",\"output\":["
            + output
            + "],\"parallel_tool_calls\":true,\"previous_response_id\":null,\"reasoning\":{\"effort\":null,"
              "\"summary\":null},\"store\":true,\"temperature\":1.0,\"text\":{\"format\":{\"type\":\"text\"},"
              "\"verbosity\":\"medium\"},\"tool_choice\":\"auto\",\"tools\":[],\"top_p\":1.0,\"truncation\":"
              "\"disabled\",\"usage\":"
            + use + ",\"user\":null,\"metadata\":{}}";
    };
    const std::string part = "{\"type\":\"output_text\",\"annotations\":[],\"logprobs\":[],\"text\":\"" + text + "\"}";
    const std::string doneItem = "{\"id\":\"" + item + "\",\"type\":\"message\",\"status\":\"completed\",\"content\":["
        + part + "],\"role\":\"assistant\"}";
    json = response("completed", doneItem, usage);

    int sequence = 0;
    const auto event = [&](const std::string &type, const std::string &members) {
        sse += "event: " + type + "\ndata: {\"type\":\"" + type + "\",\"sequence_number\":" + std::to_string(sequence++)
            + "," + members + "}\n\n";
    };
    const std::string where = "\"item_id\":\"" + item + "\",\"output_index\":0,\"content_index\":0";
    event("response.created", "\"response\":" + response("in_progress", "", "null"));
    event("response.in_progress", "\"response\":" + response("in_progress", "", "null"));
    event("response.output_item.added",
          "\"output_index\":0,\"item\":{\"id\":\"" + item
              + "\",\"type\":\"message\",\"status\":\"in_progress\",\"content\":[],\"role\":\"assistant\"}");
    event("response.content_part.added",
          where + ",\"part\":{\"type\":\"output_text\",\"annotations\":[],\"logprobs\":[],\"text\":\"\"}");
    for (int i = 0; i < deltas; ++i)
        event("response.output_text.delta",
              where + ",\"delta\":\"" + pieces[size_t(i) % pieces.size()]
                  + "\",\"logprobs\":[],\"obfuscation\":\"x1\"");
    event("response.output_text.done", where + ",\"text\":\"" + text + "\",\"logprobs\":[]");
    event("response.content_part.done", where + ",\"part\":" + part);
    event("response.output_item.done", "\"output_index\":0,\"item\":" + doneItem);
    event("response.completed", "\"response\":" + response("completed", doneItem, usage));
}

// A Gemini stream (`data: LINE` per chunk, no [DONE]): the recorded first chunk `chunks - 1` times, then the
// recorded last chunk.
std::string geminiStream(const std::vector<std::string> &recorded, int chunks)
{
    std::string sse;
    for (int i = 0; i < chunks - 1; ++i)
        sse += "data: " + recorded[size_t(i) % (recorded.size() - 1)] + "\r\n\r\n";
    sse += "data: " + recorded.back() + "\r\n\r\n";
    return sse;
}

// Builds every answer from the recordings. --events sets the long OpenAI chat stream (chat.sse); --agent-events
// the streams of the agent paths (about the length of a coding agent's answer; Gemini sends fewer, larger chunks).
bool buildBodies(const Options &options, Bodies &bodies, std::string &error)
{
    const std::string dir = options.recordings;
    std::string chatJson, chatChunks, messagesJson, messagesChunks, geminiJson, geminiChunks;
    const std::string missing = "cannot read the recordings in " + dir
        + " (openai/openai-text.*, anthropic/anthropic-text.*, google/google-text.*; pass --recordings with the "
          "provider-recordings folder)";
    if (!readFile(dir + "/openai/openai-text.json", chatJson)
        || !readFile(dir + "/openai/openai-text.chunks.txt", chatChunks)
        || !readFile(dir + "/anthropic/anthropic-text.json", messagesJson)
        || !readFile(dir + "/anthropic/anthropic-text.chunks.txt", messagesChunks)
        || !readFile(dir + "/google/google-text.json", geminiJson)
        || !readFile(dir + "/google/google-text.chunks.txt", geminiChunks)) {
        error = missing;
        return false;
    }
    const std::vector<std::string> chat = lines(chatChunks);
    const std::vector<std::string> messages = lines(messagesChunks);
    const std::vector<std::string> gemini = lines(geminiChunks);
    if (chat.size() < 4 || messages.size() < 4 || gemini.size() < 2 || options.events < 3 || options.agentEvents < 3) {
        error = "a recorded stream is too short, or --events / --agent-events is below 3";
        return false;
    }
    std::string responsesJson, responsesSse;
    responsesBodies(chat, options.agentEvents, responsesJson, responsesSse);
    const std::string json = "application/json", sse = "text/event-stream";
    bodies = {
        {"chat.json", json, chatJson},
        {"chat.sse", sse, chatStream(chat, options.events)},
        {"chat-agent.sse", sse, chatStream(chat, options.agentEvents)},
        {"messages.json", json, messagesJson},
        {"messages.sse", sse, anthropicStream(messages, options.agentEvents)},
        {"responses.json", json, responsesJson},
        {"responses.sse", sse, responsesSse},
        {"gemini.json", json, geminiJson},
        {"gemini.sse", sse, geminiStream(gemini, std::max(3, options.agentEvents / 5))},
    };
    return true;
}

// Which fixture answers a URL; run.sh gives nginx the same table as locations:
//   /json/..../chat/completions → chat.json        /sse/.../chat/completions → chat.sse
//   /agent/.../chat/completions → chat-agent.sse
//   /json/.../messages → messages.json             /agent/.../messages → messages.sse
//   /json/.../responses → responses.json           /agent/.../responses → responses.sse
//   ...:generateContent → gemini.json              ...:streamGenerateContent → gemini.sse
const Fixture *fixtureFor(const Bodies &bodies, const std::string &url)
{
    const std::string path = url.substr(0, url.find('?'));
    const auto endsWith = [&path](const std::string &tail) {
        return path.size() >= tail.size() && path.compare(path.size() - tail.size(), tail.size(), tail) == 0;
    };
    std::string file;
    const bool agent = path.find("/agent/") != std::string::npos;
    if (endsWith(":streamGenerateContent"))
        file = "gemini.sse";
    else if (endsWith(":generateContent"))
        file = "gemini.json";
    else if (endsWith("/messages"))
        file = agent ? "messages.sse" : "messages.json";
    else if (endsWith("/responses"))
        file = agent ? "responses.sse" : "responses.json";
    else
        file = path.find("/sse/") != std::string::npos ? "chat.sse" : agent ? "chat-agent.sse" : "chat.json";
    for (const Fixture &fixture : bodies) {
        if (fixture.file == file)
            return &fixture;
    }
    return nullptr;
}

bool writeFixtures(const Options &options, const Bodies &bodies)
{
    for (const Fixture &fixture : bodies) {
        const std::string path = options.writeFixtures + "/" + fixture.file;
        std::ofstream out(path, std::ios::binary | std::ios::trunc);
        out.write(fixture.data.data(), std::streamsize(fixture.data.size()));
        if (!out) {
            std::fprintf(stderr, "sluice-bench-upstream: cannot write %s\n", path.c_str());
            return false;
        }
        std::printf("wrote %s (%zu bytes)\n", path.c_str(), fixture.data.size());
    }
    return true;
}

struct Response
{
    std::string head;
    const std::string *body = nullptr;
    size_t written = 0;
    bool close = false;
};

class Server;

struct Connection
{
    int fd = -1;
    http_parser parser {};
    std::string url;
    std::deque<Response> out;
    bool wantWrite = false;
    bool closing = false;
    Server *server = nullptr;
};

class Server
{
public:
    explicit Server(const Bodies &bodies)
        : m_bodies(bodies)
    {
        http_parser_settings_init(&m_settings);
        m_settings.on_message_begin = [](http_parser *p) {
            static_cast<Connection *>(p->data)->url.clear();
            return 0;
        };
        m_settings.on_url = [](http_parser *p, const char *at, size_t length) {
            static_cast<Connection *>(p->data)->url.append(at, length);
            return 0;
        };
        m_settings.on_message_complete = [](http_parser *p) {
            auto *connection = static_cast<Connection *>(p->data);
            connection->server->respond(*connection, http_should_keep_alive(p) != 0);
            return 0;
        };
    }

    bool listen(int port)
    {
        m_listener = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        const int one = 1;
        ::setsockopt(m_listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        sockaddr_in address {};
        address.sin_family = AF_INET;
        address.sin_port = htons(uint16_t(port));
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::bind(m_listener, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0
            || ::listen(m_listener, 1024) != 0) {
            std::fprintf(stderr, "sluice-bench-upstream: cannot listen on 127.0.0.1:%d: %s\n", port,
                         std::strerror(errno));
            return false;
        }
        socklen_t length = sizeof address;
        ::getsockname(m_listener, reinterpret_cast<sockaddr *>(&address), &length);
        m_port = ntohs(address.sin_port);
        m_epoll = ::epoll_create1(EPOLL_CLOEXEC);
        epoll_event event {};
        event.events = EPOLLIN;
        event.data.ptr = nullptr;
        ::epoll_ctl(m_epoll, EPOLL_CTL_ADD, m_listener, &event);
        return true;
    }

    int port() const { return m_port; }

    void run()
    {
        std::vector<epoll_event> events(256);
        while (!g_stop) {
            const int count = ::epoll_wait(m_epoll, events.data(), int(events.size()), 500);
            for (int i = 0; i < count; ++i) {
                auto *connection = static_cast<Connection *>(events[size_t(i)].data.ptr);
                if (!connection) {
                    accept();
                    continue;
                }
                const uint32_t flags = events[size_t(i)].events;
                if ((flags & (EPOLLIN | EPOLLHUP | EPOLLERR)) && !readFrom(*connection))
                    continue; // closed and freed
                if (flags & EPOLLOUT)
                    flush(*connection);
            }
        }
    }

    void respond(Connection &connection, bool keepAlive)
    {
        static const Fixture health {"health", "application/json", "{\"status\":\"ok\"}"};
        const std::string &url = connection.url;
        const Fixture *fixture = url.find("/health") != std::string::npos ? &health : fixtureFor(m_bodies, url);
        Response response;
        response.head = "HTTP/1.1 200 OK\r\nServer: sluice-bench-upstream\r\nContent-Type: ";
        response.head += fixture->contentType;
        response.head += "\r\nContent-Length: " + std::to_string(fixture->data.size());
        response.head += keepAlive ? "\r\nConnection: keep-alive\r\n\r\n" : "\r\nConnection: close\r\n\r\n";
        response.body = &fixture->data;
        response.close = !keepAlive;
        connection.out.push_back(std::move(response));
    }

private:
    void accept()
    {
        while (true) {
            const int fd = ::accept4(m_listener, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
            if (fd < 0)
                return;
            const int one = 1;
            ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            auto connection = std::make_unique<Connection>();
            connection->fd = fd;
            connection->server = this;
            http_parser_init(&connection->parser, HTTP_REQUEST);
            connection->parser.data = connection.get();
            epoll_event event {};
            event.events = EPOLLIN;
            event.data.ptr = connection.get();
            ::epoll_ctl(m_epoll, EPOLL_CTL_ADD, fd, &event);
            m_connections.emplace(fd, std::move(connection));
        }
    }

    // Returns false when the connection was closed (and freed).
    bool readFrom(Connection &connection)
    {
        char buffer[65536];
        while (true) {
            const ssize_t got = ::read(connection.fd, buffer, sizeof buffer);
            if (got == 0) {
                close(connection);
                return false;
            }
            if (got < 0) {
                if (errno == EAGAIN || errno == EWOULDBLOCK)
                    break;
                close(connection);
                return false;
            }
            if (connection.closing)
                continue;
            const size_t parsed = http_parser_execute(&connection.parser, &m_settings, buffer, size_t(got));
            if (HTTP_PARSER_ERRNO(&connection.parser) != HPE_OK || parsed != size_t(got)) {
                close(connection);
                return false;
            }
        }
        return flush(connection);
    }

    // Returns false when the connection was closed (and freed).
    bool flush(Connection &connection)
    {
        while (!connection.out.empty()) {
            Response &response = connection.out.front();
            iovec parts[2];
            int count = 0;
            const size_t headSize = response.head.size();
            if (response.written < headSize) {
                parts[count++] = {response.head.data() + response.written, headSize - response.written};
                parts[count++] = {const_cast<char *>(response.body->data()), response.body->size()};
            } else {
                const size_t offset = response.written - headSize;
                parts[count++] = {const_cast<char *>(response.body->data()) + offset, response.body->size() - offset};
            }
            const ssize_t sent = ::writev(connection.fd, parts, count);
            if (sent < 0) {
                if (errno == EAGAIN || errno == EWOULDBLOCK) {
                    watchWrite(connection, true);
                    return true;
                }
                close(connection);
                return false;
            }
            response.written += size_t(sent);
            if (response.written < headSize + response.body->size())
                continue;
            const bool closeAfter = response.close;
            connection.out.pop_front();
            if (closeAfter) {
                close(connection);
                return false;
            }
        }
        watchWrite(connection, false);
        return true;
    }

    void watchWrite(Connection &connection, bool on)
    {
        if (connection.wantWrite == on)
            return;
        connection.wantWrite = on;
        epoll_event event {};
        event.events = EPOLLIN | (on ? EPOLLOUT : 0u);
        event.data.ptr = &connection;
        ::epoll_ctl(m_epoll, EPOLL_CTL_MOD, connection.fd, &event);
    }

    void close(Connection &connection)
    {
        const int fd = connection.fd;
        ::epoll_ctl(m_epoll, EPOLL_CTL_DEL, fd, nullptr);
        ::close(fd);
        m_connections.erase(fd);
    }

    const Bodies &m_bodies;
    http_parser_settings m_settings {};
    std::unordered_map<int, std::unique_ptr<Connection>> m_connections;
    int m_listener = -1;
    int m_epoll = -1;
    int m_port = 0;
};

void usage()
{
    std::puts("usage: sluice-bench-upstream --recordings DIR [--events N] [--agent-events N]\n"
              "                             (--write-fixtures DIR | [--port N])\n"
              "  Answers POST with recorded provider answers chosen by the path: OpenAI chat (.../chat/completions),\n"
              "  Anthropic Messages (.../messages), OpenAI Responses (.../responses), Gemini (...:generateContent,\n"
              "  ...:streamGenerateContent). Paths under /sse/ get a chat stream of N events (--events, 1000), paths\n"
              "  under /agent/ streams of the agent length (--agent-events, 300; Gemini a fifth as many chunks),\n"
              "  other paths the non-streamed answer. Prints \"listening on http://127.0.0.1:PORT\" when ready.\n"
              "  --write-fixtures DIR writes every answer as a file into DIR (for nginx) and exits.");
}

} // namespace

int main(int argc, char *argv[])
{
    Options options;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        const bool hasValue = i + 1 < argc;
        if (arg == "--recordings" && hasValue) {
            options.recordings = argv[++i];
        } else if (arg == "--write-fixtures" && hasValue) {
            options.writeFixtures = argv[++i];
        } else if (arg == "--events" && hasValue) {
            options.events = std::atoi(argv[++i]);
        } else if (arg == "--agent-events" && hasValue) {
            options.agentEvents = std::atoi(argv[++i]);
        } else if (arg == "--port" && hasValue) {
            options.port = std::atoi(argv[++i]);
        } else {
            usage();
            return arg == "--help" || arg == "-h" ? 0 : 2;
        }
    }
    if (options.recordings.empty()) {
        usage();
        return 2;
    }
    Bodies bodies;
    std::string error;
    if (!buildBodies(options, bodies, error)) {
        std::fprintf(stderr, "sluice-bench-upstream: %s\n", error.c_str());
        return 1;
    }
    if (!options.writeFixtures.empty())
        return writeFixtures(options, bodies) ? 0 : 1;

    std::signal(SIGPIPE, SIG_IGN);
    struct sigaction stop
    {
    };
    stop.sa_handler = [](int) {
        g_stop = 1;
    };
    sigaction(SIGINT, &stop, nullptr);
    sigaction(SIGTERM, &stop, nullptr);

    Server server(bodies);
    if (!server.listen(options.port))
        return 1;
    std::printf("listening on http://127.0.0.1:%d\n", server.port());
    std::fflush(stdout);
    server.run();
    return 0;
}
