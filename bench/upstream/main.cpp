// sluice-bench-upstream: the benchmark's fixed-answer upstream. Builds the two answer bodies from the recorded
// OpenAI traffic (one chat.completion JSON body, and a stream of N chat.completion.chunk events + usage chunk +
// [DONE]), then either writes them as files for nginx to serve (--write-fixtures) or serves them itself: an
// epoll loop on one thread, http_parser, keep-alive, Content-Length framing like a static file server.
// POST .../sse/... answers the stream, any other POST the JSON body.

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

struct Bodies
{
    std::string json;
    std::string sse;
};

struct Options
{
    std::string recordings;
    std::string writeFixtures;
    int events = 1000;
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

// The recorded stream is: role chunk, content chunks, finish chunk, usage chunk. The content chunks are cycled so
// that the answer has exactly `events` chat.completion.chunk events before the usage chunk.
bool buildBodies(const Options &options, Bodies &bodies, std::string &error)
{
    const std::string json = options.recordings + "/openai/openai-text.json";
    const std::string chunks = options.recordings + "/openai/openai-text.chunks.txt";
    std::string chunkText;
    if (!readFile(json, bodies.json) || !readFile(chunks, chunkText)) {
        error = "cannot read " + json + " and " + chunks + " (pass --recordings with the provider-recordings folder)";
        return false;
    }
    const std::vector<std::string> recorded = lines(chunkText);
    if (recorded.size() < 4 || options.events < 3) {
        error = "the recorded stream is too short, or --events is below 3";
        return false;
    }
    const std::string &role = recorded.front();
    const std::string &finish = recorded[recorded.size() - 2];
    const std::string &usage = recorded.back();
    const std::vector<std::string> content(recorded.begin() + 1, recorded.end() - 2);
    std::string &sse = bodies.sse;
    sse.reserve(size_t(options.events) * (content.front().size() + 8) + 1024);
    sse += "data: " + role + "\n\n";
    for (int i = 0; i < options.events - 2; ++i)
        sse += "data: " + content[size_t(i) % content.size()] + "\n\n";
    sse += "data: " + finish + "\n\n";
    sse += "data: " + usage + "\n\n";
    sse += "data: [DONE]\n\n";
    return true;
}

bool writeFixtures(const Options &options, const Bodies &bodies)
{
    const auto write = [](const std::string &path, const std::string &data) {
        std::ofstream out(path, std::ios::binary | std::ios::trunc);
        out.write(data.data(), std::streamsize(data.size()));
        return bool(out);
    };
    const std::string json = options.writeFixtures + "/chat.json";
    const std::string sse = options.writeFixtures + "/chat.sse";
    if (!write(json, bodies.json) || !write(sse, bodies.sse)) {
        std::fprintf(stderr, "sluice-bench-upstream: cannot write %s and %s\n", json.c_str(), sse.c_str());
        return false;
    }
    std::printf("wrote %s (%zu bytes) and %s (%zu bytes, %d events)\n", json.c_str(), bodies.json.size(), sse.c_str(),
                bodies.sse.size(), options.events);
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
        static const std::string health = "{\"status\":\"ok\"}";
        const std::string &url = connection.url;
        const bool sse = url.find("/sse/") != std::string::npos;
        const std::string *body = url.find("/health") != std::string::npos ? &health
            : sse                                                          ? &m_bodies.sse
                                                                           : &m_bodies.json;
        Response response;
        response.head = "HTTP/1.1 200 OK\r\nServer: sluice-bench-upstream\r\nContent-Type: ";
        response.head += sse ? "text/event-stream" : "application/json";
        response.head += "\r\nContent-Length: " + std::to_string(body->size());
        response.head += keepAlive ? "\r\nConnection: keep-alive\r\n\r\n" : "\r\nConnection: close\r\n\r\n";
        response.body = body;
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
    std::puts("usage: sluice-bench-upstream --recordings DIR [--events N] (--write-fixtures DIR | [--port N])\n"
              "  Serves POST .../sse/... with a stream of N chat.completion.chunk events + usage + [DONE], any other\n"
              "  POST with a recorded chat.completion body; prints \"listening on http://127.0.0.1:PORT\" when ready.\n"
              "  --write-fixtures DIR writes the two bodies as DIR/chat.json and DIR/chat.sse and exits.");
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
