// sluice-bench-client: precise client-side timings for the benchmark, printed as key=value lines.
//   latency  one keep-alive connection, N sequential chat completion POSTs: p50/p90/p99 in microseconds; with
//            --stream also time to first byte, to the first content event and to the end of the stream.
//   load     C keep-alive connections on one epoll thread, N requests (or S seconds) in total: requests/s and
//            latency percentiles; --watch-pid samples that process's RSS as the run goes.
//   startup  runs a command N times and times exec -> the first stdout line containing "listening".

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <http_parser.h>
#include <memory>
#include <netdb.h>
#include <poll.h>
#include <string>
#include <unistd.h>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/wait.h>

namespace {

using Clock = std::chrono::steady_clock;

int64_t nowNs()
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count();
}

struct Target
{
    std::string host = "127.0.0.1";
    int port = 80;
    std::string path = "/";
};

struct Options
{
    std::string mode;
    Target target;
    std::string model = "bench-json";
    std::string token;
    bool stream = false;
    bool includeUsage = false;
    std::string format = "openai"; // the client's wire format: openai, anthropic, responses, gemini
    size_t promptBytes = 0;
    int tools = 0;
    std::vector<std::string> headers; // extra request headers (--header "Name: value"), e.g. a peer's routing
    long requests = 1000;
    long warmup = 100;
    int connections = 32;
    double seconds = 0;
    int watchPid = 0;
    int runs = 10;
    std::vector<std::string> command;
};

[[noreturn]] void die(const std::string &message)
{
    std::fprintf(stderr, "sluice-bench-client: %s\n", message.c_str());
    std::exit(1);
}

bool parseUrl(const std::string &url, Target &target)
{
    const std::string scheme = "http://";
    if (url.compare(0, scheme.size(), scheme) != 0)
        return false;
    const std::string rest = url.substr(scheme.size());
    const size_t slash = rest.find('/');
    const std::string authority = rest.substr(0, slash);
    target.path = slash == std::string::npos ? "/" : rest.substr(slash);
    const size_t colon = authority.rfind(':');
    target.host = authority.substr(0, colon);
    target.port = colon == std::string::npos ? 80 : std::atoi(authority.c_str() + colon + 1);
    return !target.host.empty() && target.port > 0;
}

// A JSON schema of the size coding agents give their tools (a path, a pattern, options with descriptions).
std::string toolSchema()
{
    return "{\"type\":\"object\",\"properties\":{\"path\":{\"type\":\"string\",\"description\":\"The absolute path of "
           "the file or folder to work on; relative paths are resolved against the workspace root.\"},\"pattern\":{"
           "\"type\":\"string\",\"description\":\"A regular expression or glob that selects what to act on.\"},"
           "\"limit\":{\"type\":\"integer\",\"description\":\"At most this many results; omit for the default of "
           "200.\"},\"options\":{\"type\":\"array\",\"items\":{\"type\":\"string\",\"enum\":[\"recursive\","
           "\"case-insensitive\",\"follow-links\",\"hidden\"]}}},\"required\":[\"path\"],\"additionalProperties\":"
           "false}";
}

std::string toolsMember(const Options &options)
{
    if (options.tools <= 0)
        return {};
    const std::string schema = toolSchema();
    std::string out = options.format == "gemini" ? ",\"tools\":[{\"functionDeclarations\":[" : ",\"tools\":[";
    for (int i = 0; i < options.tools; ++i) {
        const std::string name = "workspace_tool_" + std::to_string(i);
        const std::string description = "Tool " + std::to_string(i)
            + " of the agent: reads, searches or edits files in the workspace and returns the result as text. Use it "
              "when the task needs the workspace's current content.";
        if (i > 0)
            out += ",";
        if (options.format == "openai")
            out += "{\"type\":\"function\",\"function\":{\"name\":\"" + name + "\",\"description\":\"" + description
                + "\",\"parameters\":" + schema + "}}";
        else if (options.format == "anthropic")
            out += "{\"name\":\"" + name + "\",\"description\":\"" + description + "\",\"input_schema\":" + schema
                + "}";
        else if (options.format == "responses")
            out += "{\"type\":\"function\",\"name\":\"" + name + "\",\"description\":\"" + description
                + "\",\"parameters\":" + schema + ",\"strict\":false}";
        else
            out += "{\"name\":\"" + name + "\",\"description\":\"" + description + "\",\"parameters\":" + schema + "}";
    }
    out += options.format == "gemini" ? "]}]" : "]";
    return out;
}

// The request body in the client's format. A long prompt (--prompt-bytes), as agents send with their context, is
// a conversation of turns of at most 8 KB (plain words, no escapes) ending with the user's; with --tools the
// request also carries a system prompt and that many function tools.
std::string requestBody(const Options &options)
{
    static const char *const words[] = {"the ", "gateway ", "relays ", "every ", "request ", "and ", "logs ", "it "};
    std::vector<std::string> turns {"Invent a new holiday and describe its traditions."};
    for (size_t total = turns.back().size(), i = 0; total < options.promptBytes; ++i, ++total) {
        if (turns.back().size() >= 8192)
            turns.emplace_back();
        turns.back() += words[i % std::size(words)];
        total += std::strlen(words[i % std::size(words)]) - 1;
    }
    if (turns.size() % 2 == 0) // the last turn is the user's
        turns.front() += turns[1], turns.erase(turns.begin() + 1);
    const std::string system = options.tools > 0
        ? "You are a coding agent working in the user's repository. Read before you edit, keep changes small, run "
          "the tests after each change and say what you changed and why."
        : "";
    const std::string &f = options.format;
    std::string body = "{";
    if (f != "gemini")
        body += "\"model\":\"" + options.model + "\",";
    if (f == "anthropic")
        body += "\"max_tokens\":4096,";
    if (!system.empty()) {
        if (f == "anthropic")
            body += "\"system\":\"" + system + "\",";
        else if (f == "responses")
            body += "\"instructions\":\"" + system + "\",";
        else if (f == "gemini")
            body += "\"systemInstruction\":{\"parts\":[{\"text\":\"" + system + "\"}]},";
    }
    body += f == "gemini" ? "\"contents\":[" : f == "responses" ? "\"input\":[" : "\"messages\":[";
    if (f == "openai" && !system.empty())
        body += "{\"role\":\"system\",\"content\":\"" + system + "\"},";
    for (size_t i = 0; i < turns.size(); ++i) {
        const bool user = i % 2 == 0;
        if (i > 0)
            body += ",";
        if (f == "gemini")
            body += std::string("{\"role\":\"") + (user ? "user" : "model") + "\",\"parts\":[{\"text\":\"" + turns[i]
                + "\"}]}";
        else
            body
                += std::string("{\"role\":\"") + (user ? "user" : "assistant") + "\",\"content\":\"" + turns[i] + "\"}";
    }
    body += "]" + toolsMember(options);
    if (options.stream && f != "gemini") // Gemini streams by its URL (:streamGenerateContent?alt=sse)
        body += ",\"stream\":true";
    if (options.stream && options.includeUsage && f == "openai")
        body += ",\"stream_options\":{\"include_usage\":true}";
    body += "}";
    return body;
}

std::string requestBytes(const Options &options)
{
    const std::string body = requestBody(options);
    std::string head = "POST " + options.target.path + " HTTP/1.1\r\nHost: " + options.target.host + ":"
        + std::to_string(options.target.port) + "\r\nContent-Type: application/json\r\nAccept: "
        + (options.stream ? "text/event-stream" : "application/json") + "\r\n";
    if (options.format == "anthropic")
        head += "anthropic-version: 2023-06-01\r\n";
    for (const std::string &header : options.headers)
        head += header + "\r\n";
    if (!options.token.empty()) {
        // Each client's own key header, as the agents send it.
        head += options.format == "anthropic" ? "x-api-key: " + options.token + "\r\n"
            : options.format == "gemini"      ? "x-goog-api-key: " + options.token + "\r\n"
                                              : "Authorization: Bearer " + options.token + "\r\n";
    }
    head += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
    return head + body;
}

int connectTo(const Target &target, bool blocking)
{
    addrinfo hints {};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo *found = nullptr;
    if (::getaddrinfo(target.host.c_str(), std::to_string(target.port).c_str(), &hints, &found) != 0 || !found)
        die("cannot resolve " + target.host);
    const int fd = ::socket(found->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || ::connect(fd, found->ai_addr, found->ai_addrlen) != 0) {
        ::freeaddrinfo(found);
        die("cannot connect to " + target.host + ":" + std::to_string(target.port) + ": " + std::strerror(errno));
    }
    ::freeaddrinfo(found);
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (!blocking)
        ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
    return fd;
}

bool writeAll(int fd, const std::string &bytes)
{
    size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t sent = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (sent < 0) {
            if (errno == EINTR)
                continue;
            return false;
        }
        done += size_t(sent);
    }
    return true;
}

// One response being read: status, body size, SSE events and when the first content event arrived.
struct ResponseState
{
    http_parser parser {};
    int status = 0;
    bool complete = false;
    size_t bodyBytes = 0;
    long events = 0;
    size_t lineChars = 0; // characters of the unfinished line so far (a lone '\r' counts as none)
    bool sawToken = false;
    const std::string *tokenKey = nullptr;
    int64_t firstTokenNs = 0;
    std::string head; // the body up to the first content event, or an error body's start
    bool stream = false;

    void reset(bool isStream, const std::string &key)
    {
        tokenKey = &key;
        http_parser_init(&parser, HTTP_RESPONSE);
        parser.data = this;
        status = 0;
        complete = false;
        bodyBytes = 0;
        events = 0;
        lineChars = 0;
        sawToken = false;
        firstTokenNs = 0;
        head.clear();
        stream = isStream;
    }
};

// The member that carries a text delta in each format's stream events.
const std::string &tokenKeyOf(const std::string &format)
{
    static const std::string openai = "\"content\":\"", text = "\"text\":\"", delta = "\"delta\":\"";
    return format == "responses" ? delta : format == "openai" ? openai : text;
}

// A text delta with at least one character: the first token the user sees.
bool hasContentToken(const std::string &text, const std::string &key)
{
    for (size_t at = text.find(key); at != std::string::npos; at = text.find(key, at + 1)) {
        const size_t next = at + key.size();
        if (next < text.size() && text[next] != '"')
            return true;
    }
    return false;
}

const http_parser_settings &responseSettings()
{
    static const http_parser_settings settings = [] {
        http_parser_settings s;
        http_parser_settings_init(&s);
        s.on_headers_complete = [](http_parser *p) {
            static_cast<ResponseState *>(p->data)->status = int(p->status_code);
            return 0;
        };
        s.on_body = [](http_parser *p, const char *at, size_t length) {
            auto *state = static_cast<ResponseState *>(p->data);
            state->bodyBytes += length;
            if (state->stream) {
                // The first token is looked for before anything else, so its time stamp is not delayed by the
                // rest of a large read.
                if (!state->sawToken) {
                    state->head.append(at, length);
                    if (hasContentToken(state->head, *state->tokenKey)) {
                        state->sawToken = true;
                        state->firstTokenNs = nowNs();
                        state->head.clear();
                    }
                }
                // Events end with an empty line (LF or CRLF line ends).
                for (const char *cursor = at, *end = at + length; cursor < end;) {
                    const char *lf = static_cast<const char *>(std::memchr(cursor, '\n', size_t(end - cursor)));
                    size_t chars = size_t((lf ? lf : end) - cursor);
                    if (chars > 0 && (lf ? lf : end)[-1] == '\r')
                        --chars;
                    state->lineChars += chars;
                    if (!lf)
                        break;
                    if (state->lineChars == 0)
                        ++state->events;
                    state->lineChars = 0;
                    cursor = lf + 1;
                }
            } else if (state->status != 200 && state->head.size() < 400) {
                state->head.append(at, std::min<size_t>(length, 400));
            }
            return 0;
        };
        s.on_message_complete = [](http_parser *p) {
            static_cast<ResponseState *>(p->data)->complete = true;
            http_parser_pause(p, 1);
            return 0;
        };
        return s;
    }();
    return settings;
}

// Feeds bytes; returns false on a parse error.
bool feed(ResponseState &state, const char *data, size_t size)
{
    http_parser_execute(&state.parser, &responseSettings(), data, size);
    const auto error = HTTP_PARSER_ERRNO(&state.parser);
    return error == HPE_OK || (error == HPE_PAUSED && state.complete);
}

double percentile(std::vector<double> values, double p)
{
    if (values.empty())
        return 0;
    std::sort(values.begin(), values.end());
    const size_t index = std::min(values.size() - 1, size_t(p / 100.0 * double(values.size())));
    return values[index];
}

double mean(const std::vector<double> &values)
{
    double sum = 0;
    for (const double v : values)
        sum += v;
    return values.empty() ? 0 : sum / double(values.size());
}

void printStats(const char *prefix, const std::vector<double> &us)
{
    std::printf("%s_p50_us=%.1f\n%s_p90_us=%.1f\n%s_p99_us=%.1f\n%s_mean_us=%.1f\n%s_max_us=%.1f\n", prefix,
                percentile(us, 50), prefix, percentile(us, 90), prefix, percentile(us, 99), prefix, mean(us), prefix,
                us.empty() ? 0.0 : *std::max_element(us.begin(), us.end()));
}

long readRssKb(int pid)
{
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    for (std::string line; std::getline(status, line);) {
        if (line.rfind("VmRSS:", 0) == 0)
            return std::atol(line.c_str() + 6);
    }
    return -1;
}

int runLatency(const Options &options)
{
    const std::string request = requestBytes(options);
    const int fd = connectTo(options.target, true);
    std::vector<double> total, firstByte, firstToken;
    std::vector<char> buffer(256 * 1024);
    ResponseState state;
    long errors = 0;
    long events = 0;
    size_t bodyBytes = 0;
    for (long n = 0; n < options.warmup + options.requests; ++n) {
        state.reset(options.stream, tokenKeyOf(options.format));
        const int64_t start = nowNs();
        if (!writeAll(fd, request))
            die(std::string("write failed: ") + std::strerror(errno));
        int64_t firstByteNs = 0;
        while (!state.complete) {
            const ssize_t got = ::read(fd, buffer.data(), buffer.size());
            if (got <= 0)
                die(got == 0 ? "the server closed the connection" : std::string("read: ") + std::strerror(errno));
            if (!firstByteNs)
                firstByteNs = nowNs();
            if (!feed(state, buffer.data(), size_t(got)))
                die("invalid HTTP response");
        }
        const int64_t end = nowNs();
        if (state.status != 200) {
            if (errors++ == 0)
                std::fprintf(stderr, "sluice-bench-client: HTTP %d: %s\n", state.status, state.head.c_str());
            continue;
        }
        if (n < options.warmup)
            continue;
        total.push_back(double(end - start) / 1000.0);
        firstByte.push_back(double(firstByteNs - start) / 1000.0);
        if (options.stream && state.sawToken)
            firstToken.push_back(double(state.firstTokenNs - start) / 1000.0);
        events = state.events;
        bodyBytes = state.bodyBytes;
    }
    ::close(fd);
    std::printf("requests=%zu\nerrors=%ld\nbody_bytes=%zu\n", total.size(), errors, bodyBytes);
    printStats("total", total);
    if (options.stream) {
        std::printf("events=%ld\n", events);
        printStats("first_byte", firstByte);
        printStats("first_token", firstToken);
    }
    return errors == 0 && !total.empty() ? 0 : 1;
}

struct LoadConnection
{
    int fd = -1;
    size_t sent = 0;
    bool busy = false;
    int64_t startNs = 0;
    ResponseState state;
};

int runLoad(const Options &options)
{
    const std::string request = requestBytes(options);
    const int epoll = ::epoll_create1(EPOLL_CLOEXEC);
    std::vector<std::unique_ptr<LoadConnection>> connections;
    for (int i = 0; i < options.connections; ++i) {
        auto connection = std::make_unique<LoadConnection>();
        connection->fd = connectTo(options.target, false);
        epoll_event event {};
        event.events = EPOLLIN;
        event.data.ptr = connection.get();
        ::epoll_ctl(epoll, EPOLL_CTL_ADD, connection->fd, &event);
        connections.push_back(std::move(connection));
    }
    const bool byCount = options.seconds <= 0;
    const long budget = byCount ? options.requests : -1;
    const int64_t begin = nowNs();
    const int64_t deadline = byCount ? 0 : begin + int64_t(options.seconds * 1e9);
    long issued = 0, completed = 0, errors = 0;
    std::vector<double> latencies;
    latencies.reserve(size_t(byCount ? options.requests : 1'000'000));
    const long checkpointEvery = options.watchPid && byCount ? std::max(1L, options.requests / 20) : 0;
    long rssFirst = -1, rssMax = -1, rssLast = -1;
    std::vector<double> rssSamples;
    std::vector<char> buffer(256 * 1024);

    const auto issue = [&](LoadConnection &c) {
        if ((byCount && issued >= budget) || (!byCount && nowNs() >= deadline))
            return;
        c.state.reset(options.stream, tokenKeyOf(options.format));
        c.startNs = nowNs();
        c.sent = 0;
        c.busy = true;
        ++issued;
        const ssize_t sent = ::write(c.fd, request.data(), request.size());
        if (sent < 0 && errno != EAGAIN)
            die(std::string("write failed: ") + std::strerror(errno));
        c.sent = sent > 0 ? size_t(sent) : 0;
        if (c.sent < request.size()) {
            epoll_event event {};
            event.events = EPOLLIN | EPOLLOUT;
            event.data.ptr = &c;
            ::epoll_ctl(epoll, EPOLL_CTL_MOD, c.fd, &event);
        }
    };
    for (auto &connection : connections)
        issue(*connection);

    std::vector<epoll_event> events(256);
    long busy = std::count_if(connections.begin(), connections.end(), [](const auto &c) { return c->busy; });
    while (busy > 0) {
        const int count = ::epoll_wait(epoll, events.data(), int(events.size()), 10'000);
        if (count == 0)
            die("no response for 10 s (" + std::to_string(busy) + " requests outstanding)");
        for (int i = 0; i < count; ++i) {
            auto &c = *static_cast<LoadConnection *>(events[size_t(i)].data.ptr);
            if (events[size_t(i)].events & EPOLLOUT && c.sent < request.size()) {
                const ssize_t sent = ::write(c.fd, request.data() + c.sent, request.size() - c.sent);
                if (sent > 0)
                    c.sent += size_t(sent);
                if (c.sent == request.size()) {
                    epoll_event event {};
                    event.events = EPOLLIN;
                    event.data.ptr = &c;
                    ::epoll_ctl(epoll, EPOLL_CTL_MOD, c.fd, &event);
                }
            }
            if (!(events[size_t(i)].events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
                continue;
            while (c.busy) {
                const ssize_t got = ::read(c.fd, buffer.data(), buffer.size());
                if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
                    break;
                if (got <= 0)
                    die("the server closed a connection in the middle of a response");
                if (!feed(c.state, buffer.data(), size_t(got)))
                    die("invalid HTTP response");
                if (!c.state.complete)
                    continue;
                c.busy = false;
                --busy;
                ++completed;
                if (c.state.status == 200) {
                    latencies.push_back(double(nowNs() - c.startNs) / 1000.0);
                } else if (errors++ == 0) {
                    std::fprintf(stderr, "sluice-bench-client: HTTP %d: %s\n", c.state.status, c.state.head.c_str());
                }
                if (checkpointEvery && completed % checkpointEvery == 0) {
                    const long rss = readRssKb(options.watchPid);
                    std::printf("rss_kb_after_%ld=%ld\n", completed, rss);
                    std::fflush(stdout);
                    if (completed == checkpointEvery * 2)
                        rssFirst = rss; // after 10% of the run: pools and caches are warm
                    rssMax = std::max(rssMax, rss);
                    rssLast = rss;
                    rssSamples.push_back(double(rss));
                }
                issue(c);
                if (c.busy)
                    ++busy;
            }
        }
    }
    const double seconds = double(nowNs() - begin) / 1e9;
    for (auto &connection : connections)
        ::close(connection->fd);
    ::close(epoll);
    std::printf("connections=%d\nrequests=%ld\nerrors=%ld\nseconds=%.3f\nrps=%.0f\n", options.connections, completed,
                errors, seconds, double(completed) / seconds);
    printStats("total", latencies);
    if (checkpointEvery && rssSamples.size() >= 10) {
        // Medians, not single samples: the log writer's backlog makes RSS swing by tens of MB from one sample to
        // the next, which says nothing about a leak. Early: 10-30% of the run (warm); late: the last quarter.
        const auto medianOf = [](std::vector<double> values) {
            return percentile(std::move(values), 50);
        };
        const size_t n = rssSamples.size();
        const double early = medianOf({rssSamples.begin() + 1, rssSamples.begin() + 6});
        const double late = medianOf({rssSamples.end() - long(n / 4), rssSamples.end()});
        std::printf(
            "rss_kb_warm=%ld\nrss_kb_max=%ld\nrss_kb_end=%ld\nrss_kb_early_median=%.0f\nrss_kb_late_median=%.0f\n"
            "rss_growth_pct=%.2f\n",
            rssFirst, rssMax, rssLast, early, late, 100.0 * (late - early) / early);
    }
    return errors == 0 ? 0 : 1;
}

// Time from fork+exec to the first stdout line containing "listening", or -1.
double startOnce(const std::vector<std::string> &command, double timeoutMs)
{
    int out[2];
    if (::pipe2(out, O_CLOEXEC) != 0)
        die("pipe failed");
    const int64_t start = nowNs();
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::dup2(out[1], STDOUT_FILENO);
        if (const int null = ::open("/dev/null", O_WRONLY); null >= 0)
            ::dup2(null, STDERR_FILENO); // its log lines would only clutter the report
        std::vector<char *> argv;
        for (const std::string &arg : command)
            argv.push_back(const_cast<char *>(arg.c_str()));
        argv.push_back(nullptr);
        ::execvp(argv[0], argv.data());
        std::_Exit(127);
    }
    ::close(out[1]);
    std::string text;
    double elapsedMs = -1;
    char buffer[4096];
    while (true) {
        pollfd poll {out[0], POLLIN, 0};
        const double left = timeoutMs - double(nowNs() - start) / 1e6;
        if (left <= 0 || ::poll(&poll, 1, int(left)) <= 0)
            break;
        const ssize_t got = ::read(out[0], buffer, sizeof buffer);
        if (got <= 0)
            break;
        text.append(buffer, size_t(got));
        const size_t at = text.find("listening");
        if (at != std::string::npos && text.find('\n', at) != std::string::npos) {
            elapsedMs = double(nowNs() - start) / 1e6;
            break;
        }
    }
    ::kill(pid, SIGTERM);
    int status = 0;
    ::waitpid(pid, &status, 0);
    ::close(out[0]);
    if (elapsedMs < 0)
        std::fprintf(stderr, "sluice-bench-client: no \"listening\" line; output was: %s\n", text.c_str());
    return elapsedMs;
}

int runStartup(const Options &options)
{
    if (options.command.empty())
        die("startup needs a command after --");
    std::vector<double> times;
    for (int run = 0; run < options.runs; ++run) {
        const double ms = startOnce(options.command, 10'000);
        if (ms < 0)
            return 1;
        times.push_back(ms);
    }
    std::printf("runs=%zu\nstartup_first_ms=%.1f\nstartup_median_ms=%.1f\nstartup_min_ms=%.1f\nstartup_max_ms=%.1f\n",
                times.size(), times.front(), percentile(times, 50), *std::min_element(times.begin(), times.end()),
                *std::max_element(times.begin(), times.end()));
    return 0;
}

void usage()
{
    std::puts("usage:\n"
              "  sluice-bench-client latency --url URL [--requests N] [--warmup N] [--model M] [--token T] [--stream]\n"
              "                      [--include-usage] [--prompt-bytes N] [--tools N] [--format F]\n"
              "                      [--header \"Name: value\"]...\n"
              "  sluice-bench-client load --url URL [--connections C] (--requests N | --seconds S) [--model M]\n"
              "                      [--token T] [--stream] [--watch-pid PID] [--format F]\n"
              "  sluice-bench-client startup [--runs N] -- COMMAND [ARGS...]\n"
              "URL is the full endpoint URL, e.g. http://127.0.0.1:7341/v1/chat/completions. --format is the\n"
              "client's wire format: openai (chat, the default), anthropic (Messages), responses, gemini (the URL\n"
              "names the model and the method, e.g. .../v1beta/models/M:streamGenerateContent?alt=sse).\n"
              "--prompt-bytes N sends N bytes of context as turns of 8 KB; --tools N adds a system prompt and N\n"
              "function tools, as coding agents send them.\n"
              "Results are printed as key=value lines; times in microseconds unless the key says otherwise.");
}

} // namespace

int main(int argc, char *argv[])
{
    std::signal(SIGPIPE, SIG_IGN);
    if (argc < 2) {
        usage();
        return 2;
    }
    Options options;
    options.mode = argv[1];
    bool haveUrl = false;
    for (int i = 2; i < argc; ++i) {
        const std::string arg = argv[i];
        const bool hasValue = i + 1 < argc;
        if (arg == "--") {
            options.command.assign(argv + i + 1, argv + argc);
            break;
        } else if (arg == "--url" && hasValue) {
            if (!parseUrl(argv[++i], options.target))
                die(std::string("not an http:// URL: ") + argv[i]);
            haveUrl = true;
        } else if (arg == "--model" && hasValue) {
            options.model = argv[++i];
        } else if (arg == "--token" && hasValue) {
            options.token = argv[++i];
        } else if (arg == "--requests" && hasValue) {
            options.requests = std::atol(argv[++i]);
        } else if (arg == "--warmup" && hasValue) {
            options.warmup = std::atol(argv[++i]);
        } else if (arg == "--connections" && hasValue) {
            options.connections = std::max(1, std::atoi(argv[++i]));
        } else if (arg == "--seconds" && hasValue) {
            options.seconds = std::atof(argv[++i]);
        } else if (arg == "--prompt-bytes" && hasValue) {
            options.promptBytes = size_t(std::max(0L, std::atol(argv[++i])));
        } else if (arg == "--watch-pid" && hasValue) {
            options.watchPid = std::atoi(argv[++i]);
        } else if (arg == "--runs" && hasValue) {
            options.runs = std::max(1, std::atoi(argv[++i]));
        } else if (arg == "--format" && hasValue) {
            options.format = argv[++i];
            if (options.format != "openai" && options.format != "anthropic" && options.format != "responses"
                && options.format != "gemini")
                die("--format is one of openai, anthropic, responses, gemini, not " + options.format);
        } else if (arg == "--header" && hasValue) {
            options.headers.emplace_back(argv[++i]);
        } else if (arg == "--tools" && hasValue) {
            options.tools = std::max(0, std::atoi(argv[++i]));
        } else if (arg == "--stream") {
            options.stream = true;
        } else if (arg == "--include-usage") {
            options.includeUsage = true;
        } else {
            usage();
            return arg == "--help" || arg == "-h" ? 0 : 2;
        }
    }
    if (const char *token = std::getenv("SLUICE_BENCH_TOKEN"); token && options.token.empty())
        options.token = token;
    if (options.mode == "startup")
        return runStartup(options);
    if (!haveUrl) {
        usage();
        return 2;
    }
    if (options.mode == "latency")
        return runLatency(options);
    if (options.mode == "load")
        return runLoad(options);
    usage();
    return 2;
}
